/**
 * The Google Chat provider over real HTTP (undici) against the fake: incoming webhooks, and the Chat
 * API with a service account whose JWT (RS256, a key pair generated here) the fake's token endpoint
 * verifies.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { InvalidProviderConfigError, ProviderError } from '../../../core/errors';
import { clearGoogleChatTokens } from '../../../core/providers/googlechat/auth';
import { googleChatProvider, redactGoogleChat, type GoogleChatConfig } from '../../../core/providers/googlechat';
import { mapGoogleChatError, mapGoogleTokenError } from '../../../core/providers/googlechat/map-googlechat-error';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import type { ProviderContext } from '../../../core/providers/types';
import { parseMessage, render } from '../../../core/render';
import { MESSAGE_SCHEMA_ID, type MessageInput } from '../../../core/schema/message';
import { CHAT_SPACE, GoogleChatFake, SERVICE_ACCOUNT_EMAIL, WEBHOOK_KEY, WEBHOOK_TOKEN, googleError } from '../../support/fakes/googlechat';

const NOW = new Date('2026-06-01T08:00:00.000Z');
const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const { privateKey, publicKey } = keyPair();
const other = keyPair();
/** The base64 body of each private key: it must appear in no error. */
const KEY_MARKERS = [privateKey, other.privateKey].map((pem) => pem.split('\n')[3]!);

let fake: GoogleChatFake;
let webhook: GoogleChatConfig;
let api: GoogleChatConfig;

function serviceAccountJson(pem = privateKey, extra: Record<string, unknown> = {}): string {
	return JSON.stringify({
		type: 'service_account',
		project_id: 'acme-chat-app',
		private_key_id: '8f1c0c7d2b4e4f0a9d3b6c5e7a1f2d3c4b5a6e7f',
		private_key: pem,
		client_email: SERVICE_ACCOUNT_EMAIL,
		client_id: '104938271650918273645',
		auth_uri: 'https://accounts.google.com/o/oauth2/auth',
		token_uri: fake.tokenUri,
		...extra,
	});
}

function context(extra: Partial<ProviderContext> = {}): ProviderContext {
	return { http: undiciHttpClient, now: () => NOW, timeoutMs: 2000, ...extra };
}
const apiContext = (extra: Partial<ProviderContext> = {}) => context({ baseUrl: fake.url, ...extra });

function outbound(parts: MessageInput['parts'], extra: Partial<MessageInput> = {}): MessageInput {
	return {
		schema: MESSAGE_SCHEMA_ID,
		id: 'out-1',
		channel: 'googlechat',
		provider: 'googlechat',
		direction: 'outbound',
		conversation: { id: CHAT_SPACE, type: 'group' },
		timestamp: '2026-05-28T14:31:02.000Z',
		parts,
		...extra,
	};
}

async function send(input: MessageInput, cfg: GoogleChatConfig, ctx: ProviderContext) {
	const message = parseMessage(input);
	const { payloads } = render(message, 'googlechat', { ...googleChatProvider.renderOptions(cfg, 'googlechat'), to: CHAT_SPACE });
	return googleChatProvider.send({ message, payloads, config: cfg, to: CHAT_SPACE }, ctx);
}

async function sendError(input: MessageInput, cfg: GoogleChatConfig, ctx: ProviderContext): Promise<ProviderError> {
	try {
		await send(input, cfg, ctx);
	} catch (error) {
		assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
		assertNoSecret(error);
		return error;
	}
	assert.fail('expected the send to fail');
}

function assertNoSecret(error: Error & { hint?: string; description?: string }): void {
	const secrets = [WEBHOOK_KEY, WEBHOOK_TOKEN, decodeURIComponent(WEBHOOK_TOKEN), 'ya29.', 'PRIVATE KEY', ...KEY_MARKERS];
	for (const text of [error.message, error.hint ?? '', error.stack ?? '', JSON.stringify(error)]) {
		for (const secret of secrets) assert.ok(!text.includes(secret), `secret ${secret.slice(0, 8)}… leaked in: ${text}`);
	}
}

const text = (t: string, format: 'plain' | 'markdown' = 'plain') => ({ type: 'text' as const, text: t, format });
const tokenCalls = () => fake.requests.filter((r) => r.path === '/token');
const chatCalls = () => fake.requests.filter((r) => r.path.startsWith('/v1/'));

before(async () => {
	fake = await new GoogleChatFake(publicKey).start();
	webhook = googleChatProvider.parseConfig({ mode: 'webhook', webhookUrl: fake.webhookUrl() });
	api = googleChatProvider.parseConfig({ mode: 'api', serviceAccountJson: serviceAccountJson() });
});
after(async () => fake.stop());
beforeEach(() => {
	fake.reset();
	clearGoogleChatTokens();
});

describe('googlechat provider: definition and config', () => {
	it('has the fixed id, channel, platform and credential fields (mode default webhook, baseUrl last)', () => {
		assert.equal(googleChatProvider.id, 'googlechat');
		assert.deepEqual(googleChatProvider.channels, ['googlechat']);
		assert.equal(googleChatProvider.platform, 'googlechat');
		assert.deepEqual(
			googleChatProvider.credentialFields.map((f) => [f.name, f.type, f.required]),
			[
				['mode', 'options', true],
				['webhookUrl', 'password', false],
				['serviceAccountJson', 'password', false],
				['baseUrl', 'string', false],
			],
		);
		assert.equal(googleChatProvider.credentialFields[0]!.default, 'webhook');
		assert.deepEqual(
			googleChatProvider.credentialFields[0]!.options!.map((o) => o.value),
			['webhook', 'api'],
		);
		assert.deepEqual(
			googleChatProvider.rateLimits.map((r) => [r.scope, r.perSecond]),
			[['recipient', 1]],
		);
	});

	it('webhook mode: mode defaults to webhook; the URL must be an https Chat webhook with key and token; errors never echo it', () => {
		const real = `https://chat.googleapis.com/v1/${CHAT_SPACE}/messages?key=${WEBHOOK_KEY}&token=${WEBHOOK_TOKEN}`;
		assert.deepEqual(googleChatProvider.parseConfig({ webhookUrl: ` ${real} ` }), { mode: 'webhook', webhookUrl: real, space: CHAT_SPACE });
		const cases: Array<[Record<string, unknown>, string]> = [
			[{ mode: 'webhook' }, 'webhookUrl'],
			[{ webhookUrl: `not a url ${WEBHOOK_KEY}` }, 'webhookUrl'],
			[{ webhookUrl: real.replace('https:', 'http:') }, 'webhookUrl'],
			[{ webhookUrl: `https://chat.googleapis.com/v1/${CHAT_SPACE}/threads?key=${WEBHOOK_KEY}&token=${WEBHOOK_TOKEN}` }, 'webhookUrl'],
			[{ webhookUrl: `https://chat.googleapis.com/v1/${CHAT_SPACE}/messages?key=${WEBHOOK_KEY}` }, 'webhookUrl'],
			[{ webhookUrl: real, baseUrl: 'nope' }, 'baseUrl'],
			[{ mode: 'bot', webhookUrl: real }, 'mode'],
		];
		for (const [value, field] of cases) {
			assert.throws(
				() => googleChatProvider.parseConfig(value),
				(e: unknown) => e instanceof InvalidProviderConfigError && e.field === field && !e.description.includes(WEBHOOK_KEY) && !e.description.includes('Xq7kZ2b9'),
				`${field}: ${JSON.stringify(value).slice(0, 60)}`,
			);
		}
	});

	it('api mode: the service account JSON must parse, be a service account, hold an RSA PEM key and an https token_uri; the key is never echoed', () => {
		const cfg = googleChatProvider.parseConfig({ mode: 'api', serviceAccountJson: serviceAccountJson() });
		assert.equal(cfg.mode, 'api');
		assert.equal(cfg.mode === 'api' && cfg.serviceAccount.clientEmail, SERVICE_ACCOUNT_EMAIL);
		assert.equal(cfg.mode === 'api' && cfg.serviceAccount.tokenUri, fake.tokenUri);
		const withoutUri = JSON.parse(serviceAccountJson()) as Record<string, unknown>;
		delete withoutUri.token_uri;
		const defaulted = googleChatProvider.parseConfig({ mode: 'api', serviceAccountJson: withoutUri });
		assert.equal(defaulted.mode === 'api' && defaulted.serviceAccount.tokenUri, 'https://oauth2.googleapis.com/token');
		const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
		const cases: Array<unknown> = [
			undefined,
			'   ',
			serviceAccountJson().slice(0, 200),
			JSON.stringify({ client_email: SERVICE_ACCOUNT_EMAIL }),
			serviceAccountJson(privateKey, { type: 'authorized_user' }),
			serviceAccountJson(privateKey.replace(/[A-Za-z]{20}/, 'x')),
			serviceAccountJson(ec.privateKey),
			serviceAccountJson(privateKey, { token_uri: 'http://oauth2.example.com/token' }),
			serviceAccountJson(privateKey, { token_uri: 'nope' }),
		];
		for (const value of cases) {
			assert.throws(
				() => googleChatProvider.parseConfig({ mode: 'api', serviceAccountJson: value }),
				(e: unknown) => e instanceof InvalidProviderConfigError && e.field === 'serviceAccountJson' && !e.description.includes('PRIVATE KEY') && !KEY_MARKERS.some((m) => e.description.includes(m.slice(0, 20))),
			);
		}
	});

	it('renders with the mode as variant; the sender key is the space (webhook) or the service account (api), never a secret', () => {
		assert.deepEqual(googleChatProvider.renderOptions(webhook, 'googlechat'), { variant: 'webhook' });
		assert.deepEqual(googleChatProvider.renderOptions(api, 'googlechat'), { variant: 'api' });
		assert.equal(googleChatProvider.senderKey(webhook, 'googlechat'), `webhook:${CHAT_SPACE}`);
		assert.equal(googleChatProvider.senderKey(api, 'googlechat'), `app:${SERVICE_ACCOUNT_EMAIL}`);
	});
});

describe('googlechat provider: webhook mode', () => {
	it('markdown text → POST to the webhook URL (key and token kept), JSON body; id is the message name, status sent', async () => {
		const result = await send(outbound([text('Order **48213** has _shipped_', 'markdown')]), webhook, context());
		assert.equal(fake.requests.length, 1);
		const request = fake.requests[0]!;
		assert.equal(request.path, `/v1/${CHAT_SPACE}/messages`);
		assert.equal(request.query.get('key'), WEBHOOK_KEY);
		assert.equal(request.query.get('token'), decodeURIComponent(WEBHOOK_TOKEN));
		assert.match(request.headers['content-type'] ?? '', /^application\/json; charset=UTF-8$/);
		assert.equal(request.headers.authorization, undefined);
		assert.deepEqual(request.json, { text: 'Order *48213* has _shipped_' });
		assert.deepEqual(result, { externalId: `${CHAT_SPACE}/messages/Qy7uV1aBcD.Qy7uV1aBcD`, externalIds: [`${CHAT_SPACE}/messages/Qy7uV1aBcD.Qy7uV1aBcD`], status: 'sent' });
	});

	it('a card with a link button and an image → cardsV2', async () => {
		await send(
			outbound([
				{ type: 'card', title: 'Order 48213', subtitle: 'Shipped', imageUrl: 'https://cdn.example.com/p.jpg', fields: [{ label: 'Carrier', value: 'DHL' }], buttons: [{ title: 'Track', action: 'url', url: 'https://track.example.com/48213' }] },
			]),
			webhook,
			context(),
		);
		const body = fake.requests[0]!.json as { cardsV2: Array<{ card: { header: unknown; sections: Array<{ widgets: Array<Record<string, unknown>> }> } }> };
		assert.deepEqual(body.cardsV2[0]!.card.header, { title: 'Order 48213', subtitle: 'Shipped' });
		const widgets = body.cardsV2[0]!.card.sections[0]!.widgets;
		assert.deepEqual(widgets[0], { image: { imageUrl: 'https://cdn.example.com/p.jpg', altText: 'Order 48213' } });
		assert.deepEqual(widgets.at(-1), { buttonList: { buttons: [{ text: 'Track', onClick: { openLink: { url: 'https://track.example.com/48213' } } }] } });
	});

	it('a thread key → threadKey and messageReplyOption added to the webhook query', async () => {
		await send(outbound([text('Update')], { conversation: { id: CHAT_SPACE, type: 'group', threadId: 'order-48213' } }), webhook, context());
		const request = fake.requests[0]!;
		assert.equal(request.query.get('threadKey'), 'order-48213');
		assert.equal(request.query.get('messageReplyOption'), 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
		assert.equal(request.query.get('key'), WEBHOOK_KEY);
		assert.deepEqual((request.json as Record<string, unknown>).thread, { threadKey: 'order-48213' });
	});

	it('a real chat.googleapis.com webhook URL goes to the Base URL when one is set', async () => {
		const real = googleChatProvider.parseConfig({ mode: 'webhook', webhookUrl: `https://chat.googleapis.com/v1/${CHAT_SPACE}/messages?key=${WEBHOOK_KEY}&token=${WEBHOOK_TOKEN}` });
		const result = await send(outbound([text('hi')]), real, context({ baseUrl: fake.url }));
		assert.match(result.externalId, /^spaces\/AAAAbCdEfG0\/messages\//);
		assert.equal(fake.requests[0]!.query.get('token'), decodeURIComponent(WEBHOOK_TOKEN));
	});

	it('a wrong key → auth (400 INVALID_ARGUMENT API_KEY_INVALID), a wrong token → auth; neither echoed', async () => {
		const wrongKey = googleChatProvider.parseConfig({ mode: 'webhook', webhookUrl: fake.webhookUrl('AIzaSyWRONGWRONGWRONGWRONGWRONGWRONG00') });
		const keyError = await sendError(outbound([text('hi')]), wrongKey, context());
		assert.deepEqual([keyError.category, keyError.retryable, keyError.providerCode, keyError.httpStatus], ['auth', false, 'INVALID_ARGUMENT', 400]);
		assert.ok(!keyError.description.includes('AIzaSyWRONG'));
		const wrongToken = googleChatProvider.parseConfig({ mode: 'webhook', webhookUrl: fake.webhookUrl(WEBHOOK_KEY, 'WrongTokenWrongToken%3D') });
		const tokenError = await sendError(outbound([text('hi')]), wrongToken, context());
		assert.deepEqual([tokenError.category, tokenError.providerCode, tokenError.httpStatus], ['auth', 'UNAUTHENTICATED', 401]);
		assert.ok(!tokenError.description.includes('WrongToken'));
	});

	it('429 RESOURCE_EXHAUSTED with Retry-After → rate_limited with retryAfterMs; 503 UNAVAILABLE → transient', async () => {
		fake.next({ ...googleError(429, 'RESOURCE_EXHAUSTED', "Resource has been exhausted (e.g. check quota). Quota exceeded for quota metric 'Write requests per space'."), headers: { 'retry-after': '2' } });
		const limited = await sendError(outbound([text('hi')]), webhook, context());
		assert.deepEqual([limited.category, limited.retryable, limited.providerCode, limited.retryAfterMs], ['rate_limited', true, 'RESOURCE_EXHAUSTED', 2000]);
		fake.next(googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.'));
		const down = await sendError(outbound([text('hi')]), webhook, context());
		assert.deepEqual([down.category, down.retryable, down.httpStatus], ['transient', true, 503]);
	});

	it('a hang past timeoutMs, a slow answer and a reset → transient, the URL nowhere in the error', async () => {
		fake.next({ hang: true });
		assert.equal((await sendError(outbound([text('hi')]), webhook, context({ timeoutMs: 250 }))).category, 'transient');
		fake.next({ status: 200, body: { name: `${CHAT_SPACE}/messages/a.a` }, delayMs: 800 });
		assert.equal((await sendError(outbound([text('hi')]), webhook, context({ timeoutMs: 200 }))).category, 'transient');
		fake.next({ reset: true });
		const reset = await sendError(outbound([text('hi')]), webhook, context());
		assert.deepEqual([reset.category, reset.retryable], ['transient', true]);
	});

	it('an error message that quotes the URL is redacted', async () => {
		fake.next(googleError(400, 'INVALID_ARGUMENT', `Invalid request to ${fake.webhookUrl()}`));
		const error = await sendError(outbound([text('hi')]), webhook, context());
		assert.equal(error.category, 'content');
		assert.match(error.message, /key=<redacted>/);
	});

	it('api-variant payloads are refused in webhook mode (config); a 2xx without a name → unknown', async () => {
		const message = parseMessage(outbound([text('hi')]));
		const { payloads } = render(message, 'googlechat', { variant: 'api', to: CHAT_SPACE });
		await assert.rejects(
			() => googleChatProvider.send({ message, payloads, config: webhook, to: CHAT_SPACE }, context()),
			(e: unknown) => e instanceof ProviderError && e.category === 'config',
		);
		fake.next({ status: 200, body: '<html>ok</html>' });
		assert.equal((await sendError(outbound([text('hi')]), webhook, context())).category, 'unknown');
		fake.next({ status: 200, body: {} });
		assert.equal((await sendError(outbound([text('hi')]), webhook, context())).category, 'unknown');
	});

	it('verifyCredentials checks the URL shape only: no request, the space as account', async () => {
		assert.deepEqual(await googleChatProvider.verifyCredentials(webhook, context()), { account: CHAT_SPACE });
		assert.equal(fake.requests.length, 0);
	});
});

describe('googlechat provider: api mode (service account)', () => {
	it('exchanges a signed JWT for a token, then posts with Bearer; the token is cached for the next send', async () => {
		const result = await send(
			outbound([text('Your order shipped'), { type: 'buttons', text: 'Rate us', buttons: [{ id: 'rate_5', title: '5 stars', action: 'reply' }] }]),
			api,
			apiContext(),
		);
		assert.equal(tokenCalls().length, 1);
		const form = tokenCalls()[0]!.form!;
		assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
		const claims = JSON.parse(Buffer.from(form.get('assertion')!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
		assert.deepEqual(claims, { iss: SERVICE_ACCOUNT_EMAIL, scope: 'https://www.googleapis.com/auth/chat.bot', aud: fake.tokenUri, iat: NOW.getTime() / 1000, exp: NOW.getTime() / 1000 + 3600 });

		const [post] = chatCalls();
		assert.equal(post!.path, `/v1/${CHAT_SPACE}/messages`);
		assert.equal(post!.headers.authorization, 'Bearer ya29.c.fake-access-token-1');
		const body = post!.json as { text: string; cardsV2: Array<{ card: { sections: Array<{ widgets: Array<Record<string, unknown>> }> } }> };
		assert.equal(body.text, 'Your order shipped');
		assert.deepEqual(body.cardsV2[0]!.card.sections[0]!.widgets.at(-1), {
			buttonList: { buttons: [{ text: '5 stars', onClick: { action: { function: 'rate_5', parameters: [{ key: 'id', value: 'rate_5' }] } } }] },
		});
		assert.equal(result.status, 'sent');
		assert.match(result.externalId, /^spaces\/AAAAbCdEfG0\/messages\/\w+\.\w+$/);

		await send(outbound([text('again')]), api, apiContext());
		assert.equal(tokenCalls().length, 1, 'token reused');
		assert.equal(chatCalls().length, 2);
	});

	it('an image and a reply in a thread; a reaction → reactions endpoint (the target is the external id when alone)', async () => {
		const target = `${CHAT_SPACE}/messages/Abc123.Abc123`;
		await send(outbound([{ type: 'media', kind: 'image', url: 'https://cdn.example.com/p.jpg', caption: 'Parcel' }], { replyTo: { messageId: target } }), api, apiContext());
		const post = chatCalls()[0]!;
		assert.equal(post.query.get('messageReplyOption'), 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
		assert.deepEqual((post.json as Record<string, unknown>).thread, { name: `${CHAT_SPACE}/threads/Abc123` });

		const reacted = await send(outbound([{ type: 'reaction', targetMessageId: target, emoji: '👍' }]), api, apiContext());
		const reaction = chatCalls()[1]!;
		assert.equal(reaction.path, `/v1/${target}/reactions`);
		assert.deepEqual(reaction.json, { emoji: { unicode: '👍' } });
		assert.deepEqual(reacted, { externalId: target, externalIds: [target], status: 'sent' });
	});

	it('NOT_FOUND → recipient, PERMISSION_DENIED → auth, INVALID_ARGUMENT → content', async () => {
		fake.spaces.delete(CHAT_SPACE);
		try {
			const missing = await sendError(outbound([text('hi')]), api, apiContext());
			assert.deepEqual([missing.category, missing.retryable, missing.providerCode, missing.httpStatus], ['recipient', false, 'NOT_FOUND', 404]);
		} finally {
			fake.spaces.add(CHAT_SPACE);
		}
		fake.next(googleError(403, 'PERMISSION_DENIED', 'This Chat app is not a member of this space.'), (r) => r.path.startsWith('/v1/'));
		assert.equal((await sendError(outbound([text('hi')]), api, apiContext())).category, 'auth');
		fake.next(googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unknown name "cardz"'), (r) => r.path.startsWith('/v1/'));
		const content = await sendError(outbound([text('hi')]), api, apiContext());
		assert.deepEqual([content.category, content.retryable], ['content', false]);
	});

	it('a 401 from Chat drops the cached token; the next send gets a new one', async () => {
		await send(outbound([text('one')]), api, apiContext());
		fake.issued.clear(); // Google revoked it
		const error = await sendError(outbound([text('two')]), api, apiContext());
		assert.deepEqual([error.category, error.providerCode], ['auth', 'UNAUTHENTICATED']);
		await send(outbound([text('three')]), api, apiContext());
		assert.equal(tokenCalls().length, 2);
	});

	it('token endpoint: a key Google does not know → auth (invalid_grant); 503 → transient; reset → transient; key never echoed', async () => {
		const wrong = googleChatProvider.parseConfig({ mode: 'api', serviceAccountJson: serviceAccountJson(other.privateKey) });
		const refused = await sendError(outbound([text('hi')]), wrong, apiContext());
		assert.deepEqual([refused.category, refused.retryable, refused.providerCode, refused.httpStatus], ['auth', false, 'invalid_grant', 400]);
		assert.match(refused.message, /Invalid JWT Signature/);
		assert.equal(chatCalls().length, 0);
		fake.next({ status: 503, body: { error: 'temporarily_unavailable' } }, (r) => r.path === '/token');
		assert.deepEqual(
			[(await sendError(outbound([text('hi')]), api, apiContext())).category],
			['transient'],
		);
		fake.next({ reset: true }, (r) => r.path === '/token');
		assert.equal((await sendError(outbound([text('hi')]), api, apiContext())).category, 'transient');
		fake.next({ status: 200, body: { token_type: 'Bearer' } }, (r) => r.path === '/token');
		assert.equal((await sendError(outbound([text('hi')]), api, apiContext())).category, 'unknown');
	});

	it('429 on the Chat API and a timeout → retryable', async () => {
		fake.next({ ...googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'), headers: { 'retry-after': '1' } }, (r) => r.path.startsWith('/v1/'));
		const limited = await sendError(outbound([text('hi')]), api, apiContext());
		assert.deepEqual([limited.category, limited.retryAfterMs], ['rate_limited', 1000]);
		fake.next({ hang: true }, (r) => r.path.startsWith('/v1/'));
		assert.equal((await sendError(outbound([text('hi')]), api, apiContext({ timeoutMs: 250 }))).category, 'transient');
	});

	it('verifyCredentials: the token exchange (always fresh) → the service account; a wrong key → auth', async () => {
		assert.deepEqual(await googleChatProvider.verifyCredentials(api, apiContext()), { account: SERVICE_ACCOUNT_EMAIL });
		assert.deepEqual(await googleChatProvider.verifyCredentials(api, apiContext()), { account: SERVICE_ACCOUNT_EMAIL });
		assert.equal(tokenCalls().length, 2);
		assert.equal(chatCalls().length, 0);
		const wrong = googleChatProvider.parseConfig({ mode: 'api', serviceAccountJson: serviceAccountJson(other.privateKey) });
		await assert.rejects(
			() => googleChatProvider.verifyCredentials(wrong, apiContext()),
			(e: unknown) => e instanceof ProviderError && e.category === 'auth' && (assertNoSecret(e), true),
		);
	});
});

describe('googlechat provider: classification and redaction (pure)', () => {
	it('maps Google statuses, ErrorInfo reasons and HTTP statuses', () => {
		const cases: Array<[string | undefined, number, string[], string]> = [
			['RESOURCE_EXHAUSTED', 429, [], 'rate_limited'],
			[undefined, 429, [], 'rate_limited'],
			['UNAVAILABLE', 503, [], 'transient'],
			['INTERNAL', 500, [], 'transient'],
			['DEADLINE_EXCEEDED', 504, [], 'transient'],
			[undefined, 502, [], 'transient'],
			['UNAUTHENTICATED', 401, [], 'auth'],
			['PERMISSION_DENIED', 403, [], 'auth'],
			['NOT_FOUND', 404, [], 'recipient'],
			['INVALID_ARGUMENT', 400, [], 'content'],
			['INVALID_ARGUMENT', 400, ['API_KEY_INVALID'], 'auth'],
			['FAILED_PRECONDITION', 400, [], 'config'],
			[undefined, 200, [], 'unknown'],
		];
		for (const [status, http, reasons, category] of cases) assert.equal(mapGoogleChatError(status, http, reasons), category, `${status} ${http}`);
		assert.equal(mapGoogleTokenError('invalid_grant', 400), 'auth');
		assert.equal(mapGoogleTokenError(undefined, 503), 'transient');
		assert.equal(mapGoogleTokenError(undefined, 429), 'rate_limited');
		assert.equal(mapGoogleTokenError('unsupported_grant_type', 400), 'config');
	});

	it('redacts key/token query parameters, access tokens and PEM keys', () => {
		const out = redactGoogleChat(`POST https://chat.googleapis.com/v1/${CHAT_SPACE}/messages?key=${WEBHOOK_KEY}&token=${WEBHOOK_TOKEN} with ya29.a0AfH6SMB and ${privateKey}`);
		for (const secret of [WEBHOOK_KEY, WEBHOOK_TOKEN, 'ya29.a0', 'PRIVATE KEY', KEY_MARKERS[0]!]) assert.ok(!out.includes(secret), out);
	});
});
