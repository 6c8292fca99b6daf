import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { InvalidProviderConfigError, ProviderError } from '../../../core/errors';
import { messengerProvider, type MessengerConfig } from '../../../core/providers/messenger';
import { mapMessengerError } from '../../../core/providers/messenger/map-messenger-error';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import type { ProviderContext } from '../../../core/providers/types';
import { parseMessage, render } from '../../../core/render';
import type { MessageInput } from '../../../core/schema/message';
import { fixtureJson } from '../../support/fixtures';
import { MetaFake, graphError } from '../../support/fakes/meta';
import { outboundMessages } from '../../support/platform-test-kit';

const TOKEN = 'EAAPageAccessTokenForMessenger0123456789xyz';
const APP_SECRET = 'messenger-app-secret-987654';
const VERIFY = 'messenger-verify-token-1234';
const PAGE_ID = '104123456789012';
const PSID = '6543210987654321';
const NOW = new Date('2026-06-01T08:00:00.000Z');

const fake = new MetaFake({ messenger: { pageAccessToken: TOKEN, pageId: PAGE_ID, pageName: 'Acme Support' } });
const outbound = outboundMessages({ id: 'out-1', channel: 'messenger', provider: 'messenger', conversation: { id: PSID, type: 'direct' } });

let config: MessengerConfig;
const context = (extra: Partial<ProviderContext> = {}): ProviderContext => ({ http: undiciHttpClient, now: () => NOW, timeoutMs: 2_000, baseUrl: fake.url, ...extra });

function sendWith(message: MessageInput, ctx = context(), cfg = config) {
	const rendered = render(message, 'messenger', messengerProvider.renderOptions(cfg, 'messenger'));
	return { rendered, result: messengerProvider.send({ message: parseMessage(message), payloads: rendered.payloads, config: cfg, to: PSID }, ctx) };
}
const send = (message: MessageInput, ctx = context(), cfg = config) => sendWith(message, ctx, cfg).result;

const seen: ProviderError[] = [];
async function sendError(message: MessageInput, ctx = context(), cfg = config): Promise<ProviderError> {
	try {
		await send(message, ctx, cfg);
	} catch (error) {
		assert.ok(error instanceof ProviderError, `expected ProviderError, got ${String(error)}`);
		seen.push(error);
		return error;
	}
	assert.fail('expected the send to fail');
}

const text = outbound([{ type: 'text', text: 'Do you ship to Ireland? Yes.' }]);

before(async () => {
	await fake.start();
	config = messengerProvider.parseConfig({ pageAccessToken: TOKEN, pageId: PAGE_ID, appSecret: APP_SECRET, verifyToken: VERIFY });
});
after(() => fake.stop());
beforeEach(() => fake.reset());

describe('messenger provider: sending', () => {
	it('text: POST /{version}/me/messages, token as Bearer (never in the URL) → message_id, sent', async () => {
		const result = await send(text);
		const request = fake.requests[0]!;
		assert.equal(request.path, '/v21.0/me/messages');
		assert.equal(request.query.get('access_token'), null);
		assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
		assert.deepEqual(request.json, { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'Do you ship to Ireland? Yes.' } });
		assert.match(result.externalId, /^m_/);
		assert.equal(result.status, 'sent');
	});

	it('media, quick replies and buttons: one request each, in order, all ids', async () => {
		const result = await send(
			outbound([
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg' },
				{ type: 'quick_replies', text: 'Ship to Ireland?', options: [{ id: 'SHIP_IE_YES', title: 'Yes' }, { id: 'SHIP_IE_NO', title: 'No' }] },
				{ type: 'buttons', text: 'Track it', buttons: [{ title: 'Track', action: 'url', url: 'https://acme.example.test/t/48213' }, { id: 'HELP', title: 'Help' }] },
			]),
		);
		const bodies = fake.sends.map((r) => (r.json as { message: Record<string, unknown> }).message);
		assert.equal(bodies.length, 3);
		assert.deepEqual(bodies[0], { attachment: { type: 'image', payload: { url: 'https://cdn.example.test/a.jpg', is_reusable: true } } });
		assert.deepEqual(bodies[1]!.quick_replies, [
			{ content_type: 'text', title: 'Yes', payload: 'SHIP_IE_YES' },
			{ content_type: 'text', title: 'No', payload: 'SHIP_IE_NO' },
		]);
		assert.equal((bodies[2]!.attachment as { payload: { template_type: string } }).payload.template_type, 'button');
		assert.deepEqual(result.externalIds, fake.sentIds);
	});

	it('a reply is sent as a new message (degradation reported by render); a reaction is a sender action with a composed id', async () => {
		const { rendered, result } = sendWith(
			outbound([{ type: 'text', text: 'Thanks!' }, { type: 'reaction', emoji: '❤️', targetMessageId: 'm_PREVIOUS' }], { replyTo: { messageId: 'm_PREVIOUS' } }),
		);
		assert.ok(rendered.degradations.some((d) => d.from === 'replyTo'));
		const sent = await result;
		assert.equal(fake.sends.length, 2);
		assert.deepEqual(fake.sends[1]!.json, { recipient: { id: PSID }, sender_action: 'react', payload: { message_id: 'm_PREVIOUS', reaction: '❤️' } });
		assert.equal(sent.externalIds[1], `${PSID}:react:m_PREVIOUS`);
	});
});

describe('messenger provider: errors', () => {
	const cases: Array<[string, ReturnType<typeof graphError>, string, boolean]> = [
		['10/2018278 outside the window (fixture)', { status: 400, body: fixtureJson('messenger-error-outside-window.json') }, 'window', false],
		['10/2018108 outside the window', graphError(10, 'This message is sent outside of allowed window.', { subcode: 2018108 }), 'window', false],
		['10 without a window subcode: permission', graphError(10, 'Application does not have permission for this action', { status: 403 }), 'auth', false],
		['551 person not available', graphError(551, 'This person isn\'t available right now.', { subcode: 1545041 }), 'recipient', false],
		['100/2018001 no matching user', graphError(100, 'No matching user found', { subcode: 2018001 }), 'recipient', false],
		['100 invalid parameter', graphError(100, 'Invalid parameter'), 'content', false],
		['613 rate limit', graphError(613, 'Calls to this api have exceeded the rate limit.'), 'rate_limited', true],
		['4 app rate limit', graphError(4, 'Application request limit reached'), 'rate_limited', true],
		['32 page rate limit', graphError(32, 'Page request limit reached'), 'rate_limited', true],
		['1200 temporary send failure', graphError(1200, 'Temporary send message failure. Please try again later'), 'transient', true],
		['2 service unavailable', graphError(2, 'Service temporarily unavailable', { status: 503 }), 'transient', true],
		['190 token expired', graphError(190, 'Error validating access token: Session has expired', { status: 401 }), 'auth', false],
		['200/2018028 dev mode', graphError(200, 'Cannot message users who are not admins, developers or testers of the app until pages_messaging permission is reviewed and the app is live.', { subcode: 2018028, status: 403 }), 'config', false],
		['500 empty body', { status: 500, body: '' }, 'transient', true],
	];
	for (const [name, reply, category, retryable] of cases) {
		it(`${name} → ${category}`, async () => {
			fake.next(reply);
			const error = await sendError(text);
			assert.equal(error.category, category);
			assert.equal(error.retryable, retryable);
			assert.equal(error.httpStatus, reply.status);
		});
	}

	it('the window error keeps code 10, names the subcode and says a message tag is needed', async () => {
		fake.next({ status: 400, body: fixtureJson('messenger-error-outside-window.json') });
		const error = await sendError(text);
		assert.equal(error.providerCode, '10');
		assert.match(error.message, /outside of allowed window.*subcode 2018278/);
		assert.match(error.hint!, /message tag/);
	});

	it('HTTP 429 with Retry-After → rate_limited with retryAfterMs', async () => {
		fake.next(graphError(613, 'Calls to this api have exceeded the rate limit.', { status: 429, headers: { 'retry-after': '12' } }));
		const error = await sendError(text);
		assert.equal(error.category, 'rate_limited');
		assert.equal(error.retryAfterMs, 12_000);
	});

	it('a wrong token → the fake\'s real 401 (190) → auth; the token is not in the error', async () => {
		const cfg = messengerProvider.parseConfig({ pageAccessToken: 'EAAwrongPageToken000000000', pageId: PAGE_ID });
		const error = await sendError(text, context(), cfg);
		assert.equal(error.category, 'auth');
		assert.equal(error.providerCode, '190');
		assert.ok(!error.description.includes('EAAwrongPageToken000000000'));
	});

	it('timeout and connection reset → transient, retryable', async () => {
		fake.next({ hang: true });
		const slow = await sendError(text, context({ timeoutMs: 150 }));
		assert.equal(slow.category, 'transient');
		assert.equal(slow.retryable, true);
		fake.next({ reset: true });
		const reset = await sendError(text);
		assert.equal(reset.category, 'transient');
		assert.equal(reset.retryable, true);
	});

	it('a 200 that is not the Send API answer → unknown', async () => {
		fake.next({ status: 200, body: { ok: true } });
		assert.equal((await sendError(text)).category, 'unknown');
	});

	it('a Graph message that echoes the token is redacted', async () => {
		fake.next(graphError(190, `Malformed access token ${TOKEN}`, { status: 401 }));
		const error = await sendError(text);
		assert.ok(!error.description.includes(TOKEN));
		assert.match(error.message, /\[redacted\]/);
	});
});

describe('messenger provider: config and verify', () => {
	it('parseConfig names the bad field and never echoes the token', () => {
		const bad = (raw: Record<string, unknown>, field: string) =>
			assert.throws(() => messengerProvider.parseConfig(raw), (e: unknown) => e instanceof InvalidProviderConfigError && e.field === field && !e.description.includes(TOKEN));
		bad({ pageId: PAGE_ID }, 'pageAccessToken');
		bad({ pageAccessToken: TOKEN }, 'pageId');
		bad({ pageAccessToken: TOKEN, pageId: 'acme-support' }, 'pageId');
		bad({ pageAccessToken: TOKEN, pageId: PAGE_ID, apiVersion: 'v2x' }, 'apiVersion');
		bad({ pageAccessToken: TOKEN, pageId: PAGE_ID, baseUrl: 'not a url' }, 'baseUrl');
		assert.deepEqual(messengerProvider.credentialFields.map((f) => f.name), ['pageAccessToken', 'pageId', 'apiVersion', 'appSecret', 'verifyToken', 'baseUrl']);
		assert.equal(messengerProvider.senderKey(config, 'messenger'), PAGE_ID);
	});

	it('verifyCredentials: GET /{version}/me → the page; another page\'s token → config; a wrong token → auth', async () => {
		assert.deepEqual(await messengerProvider.verifyCredentials(config, context()), { account: `Acme Support (${PAGE_ID})` });
		assert.equal(fake.requests[0]!.path, '/v21.0/me');
		assert.equal(fake.requests[0]!.headers.authorization, `Bearer ${TOKEN}`);
		const other = messengerProvider.parseConfig({ pageAccessToken: TOKEN, pageId: '999999999999' });
		await assert.rejects(messengerProvider.verifyCredentials(other, context()), (e: unknown) => e instanceof ProviderError && e.category === 'config' && !e.description.includes(TOKEN));
		const wrong = messengerProvider.parseConfig({ pageAccessToken: 'EAAanotherWrongToken11111', pageId: PAGE_ID });
		await assert.rejects(messengerProvider.verifyCredentials(wrong, context()), (e: unknown) => {
			assert.ok(e instanceof ProviderError);
			seen.push(e);
			return e.category === 'auth' && !e.description.includes('EAAanotherWrongToken11111');
		});
	});

	it('mapping (pure): 10 with window subcodes only', () => {
		assert.equal(mapMessengerError({ code: 10, subcode: 2018278 }, 400).category, 'window');
		assert.equal(mapMessengerError({ code: 10, subcode: 1234 }, 400).category, 'auth');
		assert.equal(mapMessengerError(undefined, 429).category, 'rate_limited');
		assert.equal(mapMessengerError({ code: 424242 }, 400).category, 'unknown');
	});
});

describe('messenger provider: secrets', () => {
	it('no error message or hint contains the token, app secret or verify token', () => {
		assert.ok(seen.length > 15);
		for (const error of seen) for (const secret of [TOKEN, APP_SECRET, VERIFY]) assert.ok(!error.description.includes(secret), error.description);
	});
});
