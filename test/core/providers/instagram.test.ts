import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { InvalidProviderConfigError, ProviderError } from '../../../core/errors';
import { instagramProvider, type InstagramConfig } from '../../../core/providers/instagram';
import { mapInstagramError } from '../../../core/providers/instagram/map-instagram-error';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import type { ProviderContext } from '../../../core/providers/types';
import { parseMessage, render } from '../../../core/render';
import type { MessageInput } from '../../../core/schema/message';
import { MetaFake, graphError } from '../../support/fakes/meta';
import { outboundMessages } from '../../support/platform-test-kit';

const TOKEN = 'IGAAInstagramUserAccessToken0123456789abc';
const APP_SECRET = 'instagram-app-secret-4567890';
const IG_USER_ID = '17841400000000001';
const IGSID = '1234567890123456';
const NOW = new Date('2026-06-01T08:00:00.000Z');

const fake = new MetaFake({ instagram: { accessToken: TOKEN, igUserId: IG_USER_ID, username: 'acme.shop' } });
const outbound = outboundMessages({ id: 'out-1', channel: 'instagram', provider: 'instagram', conversation: { id: IGSID, type: 'direct' } });

let config: InstagramConfig;
const context = (extra: Partial<ProviderContext> = {}): ProviderContext => ({ http: undiciHttpClient, now: () => NOW, timeoutMs: 2_000, baseUrl: fake.url, ...extra });

function send(message: MessageInput, ctx = context(), cfg = config) {
	const rendered = render(message, 'instagram', instagramProvider.renderOptions(cfg, 'instagram'));
	return instagramProvider.send({ message: parseMessage(message), payloads: rendered.payloads, config: cfg, to: IGSID }, ctx);
}

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

const text = outbound([{ type: 'text', text: 'Your order shipped' }]);

before(async () => {
	await fake.start();
	config = instagramProvider.parseConfig({ accessToken: TOKEN, igUserId: IG_USER_ID, appSecret: APP_SECRET });
});
after(() => fake.stop());
beforeEach(() => fake.reset());

describe('instagram provider: sending', () => {
	it('text: POST /{version}/{ig-user-id}/messages with the Bearer token → message_id, sent', async () => {
		const result = await send(text);
		const request = fake.requests[0]!;
		assert.equal(request.path, `/v21.0/${IG_USER_ID}/messages`);
		assert.equal(request.query.get('access_token'), null);
		assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
		assert.deepEqual(request.json, { recipient: { id: IGSID }, messaging_type: 'RESPONSE', message: { text: 'Your order shipped' } });
		assert.equal(result.status, 'sent');
		assert.deepEqual(result.externalIds, fake.sentIds);
	});

	it('media, quick replies, buttons and a reaction ("love") go to the same endpoint in order', async () => {
		const result = await send(
			outbound([
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg' },
				{ type: 'quick_replies', text: 'Size?', options: [{ id: 'S', title: 'Small' }, { id: 'L', title: 'Large' }] },
				{ type: 'buttons', text: 'Pick one', buttons: [{ id: 'YES', title: 'Yes' }] },
				{ type: 'reaction', emoji: '❤️', targetMessageId: 'aWdfMSG' },
			]),
		);
		assert.equal(fake.sends.length, 4);
		assert.ok(fake.sends.every((r) => r.path === `/v21.0/${IG_USER_ID}/messages`));
		assert.deepEqual(fake.sends[3]!.json, { recipient: { id: IGSID }, sender_action: 'react', payload: { message_id: 'aWdfMSG', reaction: 'love' } });
		assert.equal(result.externalIds.length, 4);
		assert.equal(result.externalIds[3], `${IGSID}:react:aWdfMSG`);
	});

	it('Facebook Login (Base URL graph.facebook.com, Page token): the renderer\'s me/messages is used', async () => {
		// The public host is rewritten to a fake by the injected client; nothing leaves 127.0.0.1.
		const pageFake = new MetaFake({ messenger: { pageAccessToken: TOKEN, pageId: '104000000000001' } });
		await pageFake.start();
		const urls: string[] = [];
		try {
			const cfg = instagramProvider.parseConfig({ accessToken: TOKEN, igUserId: IG_USER_ID, baseUrl: 'https://graph.facebook.com' });
			const rendered = render(text, 'instagram');
			const ctx: ProviderContext = {
				http: (request) => {
					urls.push(request.url);
					return undiciHttpClient({ ...request, url: request.url.replace('https://graph.facebook.com', pageFake.url) });
				},
				now: () => NOW,
				timeoutMs: 2_000,
			};
			const result = await instagramProvider.send({ message: parseMessage(text), payloads: rendered.payloads, config: cfg, to: IGSID }, ctx);
			assert.deepEqual(urls, ['https://graph.facebook.com/v21.0/me/messages']);
			assert.equal(pageFake.sends[0]!.path, '/v21.0/me/messages');
			assert.match(result.externalId, /^m_/);
		} finally {
			await pageFake.stop();
		}
	});
});

describe('instagram provider: errors', () => {
	const cases: Array<[string, ReturnType<typeof graphError>, string, boolean]> = [
		['10/2534022 outside the window', graphError(10, 'This message is sent outside of allowed window.', { subcode: 2534022 }), 'window', false],
		['10/2018278 outside the window', graphError(10, 'This message is sent outside of allowed window.', { subcode: 2018278 }), 'window', false],
		['100/2534014 user not found', graphError(100, 'The requested user cannot be found.', { subcode: 2534014 }), 'recipient', false],
		['551 not available', graphError(551, 'This person isn\'t available right now.'), 'recipient', false],
		['613 rate limit', graphError(613, 'Calls to this api have exceeded the rate limit.'), 'rate_limited', true],
		['190 invalid token', graphError(190, 'Invalid OAuth access token', { status: 401 }), 'auth', false],
		['100 invalid parameter', graphError(100, 'Invalid parameter'), 'content', false],
		['503', { status: 503, body: '' }, 'transient', true],
	];
	for (const [name, reply, category, retryable] of cases) {
		it(`${name} → ${category}`, async () => {
			fake.next(reply);
			const error = await sendError(text);
			assert.equal(error.category, category);
			assert.equal(error.retryable, retryable);
		});
	}

	it('429 with Retry-After, timeout and reset', async () => {
		fake.next({ status: 429, headers: { 'retry-after': '3' }, body: '' });
		const limited = await sendError(text);
		assert.equal(limited.category, 'rate_limited');
		assert.equal(limited.retryAfterMs, 3_000);
		fake.next({ hang: true });
		assert.equal((await sendError(text, context({ timeoutMs: 150 }))).category, 'transient');
		fake.next({ reset: true });
		assert.equal((await sendError(text)).retryable, true);
	});

	it('a wrong token → the fake\'s real 401 → auth, not quoting the token', async () => {
		const cfg = instagramProvider.parseConfig({ accessToken: 'IGAAwrongTokenValue00000000', igUserId: IG_USER_ID });
		const error = await sendError(text, context(), cfg);
		assert.equal(error.category, 'auth');
		assert.ok(!error.description.includes('IGAAwrongTokenValue00000000'));
	});

	it('mapping (pure) falls back to Messenger\'s', () => {
		assert.equal(mapInstagramError({ code: 10, subcode: 2534022 }, 400).category, 'window');
		assert.equal(mapInstagramError({ code: 32 }, 400).category, 'rate_limited');
	});
});

describe('instagram provider: config and verify', () => {
	it('parseConfig names the bad field', () => {
		const bad = (raw: Record<string, unknown>, field: string) =>
			assert.throws(() => instagramProvider.parseConfig(raw), (e: unknown) => e instanceof InvalidProviderConfigError && e.field === field && !e.description.includes(TOKEN));
		bad({ igUserId: IG_USER_ID }, 'accessToken');
		bad({ accessToken: TOKEN }, 'igUserId');
		bad({ accessToken: TOKEN, igUserId: '@acme.shop' }, 'igUserId');
		bad({ accessToken: TOKEN, igUserId: IG_USER_ID, apiVersion: 'x' }, 'apiVersion');
		assert.deepEqual(instagramProvider.credentialFields.map((f) => f.name), ['accessToken', 'igUserId', 'apiVersion', 'appSecret', 'verifyToken', 'baseUrl']);
		assert.equal(instagramProvider.senderKey(config, 'instagram'), IG_USER_ID);
	});

	it('verifyCredentials: GET /{version}/me → @username (id); a wrong token → auth', async () => {
		assert.deepEqual(await instagramProvider.verifyCredentials(config, context()), { account: `@acme.shop (${IG_USER_ID})` });
		assert.equal(fake.requests[0]!.path, '/v21.0/me');
		assert.equal(fake.requests[0]!.query.get('fields'), 'user_id,username');
		const wrong = instagramProvider.parseConfig({ accessToken: 'IGAAanotherWrongToken2222', igUserId: IG_USER_ID });
		await assert.rejects(instagramProvider.verifyCredentials(wrong, context()), (e: unknown) => {
			assert.ok(e instanceof ProviderError);
			seen.push(e);
			return e.category === 'auth' && !e.description.includes('IGAAanotherWrongToken2222');
		});
	});
});

describe('instagram provider: secrets', () => {
	it('no error message or hint contains the token or the app secret', () => {
		assert.ok(seen.length > 10);
		for (const error of seen) for (const secret of [TOKEN, APP_SECRET]) assert.ok(!error.description.includes(secret), error.description);
	});
});
