/**
 * The Slack provider over real HTTP (undici) against the fake Web API.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { InvalidProviderConfigError, ProviderError } from '../../../core/errors';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import { slackProvider, type SlackConfig } from '../../../core/providers/slack';
import { mapSlackError } from '../../../core/providers/slack/map-slack-error';
import type { ProviderContext } from '../../../core/providers/types';
import { parseMessage, render } from '../../../core/render';
import { MESSAGE_SCHEMA_ID, type MessageInput } from '../../../core/schema/message';
import { SLACK_BOT_TOKEN, SLACK_CHANNEL, SLACK_DM, SLACK_USER, SlackFake, slackError } from '../../support/fakes/slack';

const NOW = new Date('2026-06-01T08:00:00.000Z');
const WRONG_TOKEN = 'xoxb-1234567890-1234567890123-WrongWrongWrongWrong0000';

let fake: SlackFake;
let config: SlackConfig;

function context(extra: Partial<ProviderContext> = {}): ProviderContext {
	return { http: undiciHttpClient, now: () => NOW, timeoutMs: 2000, baseUrl: `${fake.url}/api`, ...extra };
}

function outbound(parts: MessageInput['parts'], extra: Partial<MessageInput> = {}): MessageInput {
	return {
		schema: MESSAGE_SCHEMA_ID,
		id: 'out-1',
		channel: 'slack',
		provider: 'slack',
		direction: 'outbound',
		conversation: { id: SLACK_CHANNEL, type: 'channel' },
		timestamp: '2026-05-28T14:31:02.000Z',
		parts,
		...extra,
	};
}

async function send(input: MessageInput, opts: { cfg?: SlackConfig; ctx?: ProviderContext; to?: string; variant?: string } = {}) {
	const cfg = opts.cfg ?? config;
	const to = opts.to ?? SLACK_CHANNEL;
	const message = parseMessage(input);
	const { payloads } = render(message, 'slack', { ...slackProvider.renderOptions(cfg, 'slack'), to, ...(opts.variant ? { variant: opts.variant } : {}) });
	return slackProvider.send({ message, payloads, config: cfg, to }, opts.ctx ?? context());
}

async function sendError(input: MessageInput, opts: Parameters<typeof send>[1] = {}): Promise<ProviderError> {
	try {
		await send(input, opts);
	} catch (error) {
		assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
		assertNoSecret(error);
		return error;
	}
	assert.fail('expected the send to fail');
}

function assertNoSecret(error: Error & { hint?: string }): void {
	for (const text of [error.message, error.hint ?? '', error.stack ?? '', JSON.stringify(error)]) {
		assert.ok(!text.includes(SLACK_BOT_TOKEN) && !text.includes(WRONG_TOKEN) && !text.includes('AbCdEfGhIjKl'), `secret leaked in: ${text}`);
	}
}

const text = (t: string, format: 'plain' | 'markdown' = 'plain') => ({ type: 'text' as const, text: t, format });
const body = (i = 0) => fake.requests[i]!.json as Record<string, unknown>;

before(async () => {
	fake = await new SlackFake().start();
	config = slackProvider.parseConfig({ botToken: SLACK_BOT_TOKEN });
});
after(async () => fake.stop());
beforeEach(() => fake.reset());

describe('slack provider: definition and config', () => {
	it('has the fixed id, channel, platform and credential fields (baseUrl last), 1/s per channel', () => {
		assert.equal(slackProvider.id, 'slack');
		assert.deepEqual(slackProvider.channels, ['slack']);
		assert.equal(slackProvider.platform, 'slack');
		assert.deepEqual(
			slackProvider.credentialFields.map((f) => [f.name, f.type, f.required, f.webhookOnly ?? false]),
			[
				['botToken', 'password', true, false],
				['signingSecret', 'password', false, true],
				['baseUrl', 'string', false, false],
			],
		);
		assert.deepEqual(
			slackProvider.rateLimits.map((r) => [r.scope, r.perSecond]),
			[['recipient', 1]],
		);
	});

	it('parseConfig checks the token and the base URL and never echoes the token', () => {
		assert.deepEqual(slackProvider.parseConfig({ botToken: ` ${SLACK_BOT_TOKEN} `, signingSecret: 'abc', baseUrl: ' ' }), { botToken: SLACK_BOT_TOKEN, signingSecret: 'abc' });
		const cases: Array<[Record<string, unknown>, string]> = [
			[{}, 'botToken'],
			[{ botToken: '' }, 'botToken'],
			[{ botToken: 'not-a-token-AbCdEfGhIjKl' }, 'botToken'],
			[{ botToken: SLACK_BOT_TOKEN, baseUrl: '::' }, 'baseUrl'],
			[{ botToken: SLACK_BOT_TOKEN, baseUrl: 'file:///etc' }, 'baseUrl'],
		];
		for (const [value, field] of cases) {
			assert.throws(
				() => slackProvider.parseConfig(value),
				(e: unknown) => e instanceof InvalidProviderConfigError && e.field === field && !e.description.includes('AbCdEfGhIjKl'),
			);
		}
	});

	it('the sender key is a hash of the token, never the token', () => {
		const key = slackProvider.senderKey(config, 'slack');
		assert.match(key, /^slack:[0-9a-f]{16}$/);
		assert.ok(!key.includes('xoxb'));
		assert.notEqual(key, slackProvider.senderKey(slackProvider.parseConfig({ botToken: WRONG_TOKEN }), 'slack'));
	});
});

describe('slack provider: sending', () => {
	it('markdown text → chat.postMessage with Bearer token, JSON, mrkdwn section and fallback text; id is <channel>:<ts>', async () => {
		const result = await send(outbound([text('Order **48213** has _shipped_', 'markdown')]));
		assert.equal(fake.requests.length, 1);
		const request = fake.requests[0]!;
		assert.equal(request.method, 'POST');
		assert.equal(request.path, '/api/chat.postMessage');
		assert.equal(request.headers.authorization, `Bearer ${SLACK_BOT_TOKEN}`);
		assert.match(request.headers['content-type'] ?? '', /^application\/json; charset=utf-8$/);
		assert.equal(body().channel, SLACK_CHANNEL);
		assert.deepEqual(body().blocks, [{ type: 'section', text: { type: 'mrkdwn', text: 'Order *48213* has _shipped_' } }]);
		assert.equal(body().text, 'Order *48213* has _shipped_');
		assert.deepEqual(result, { externalId: `${SLACK_CHANNEL}:1779981700.000901`, externalIds: [`${SLACK_CHANNEL}:1779981700.000901`], status: 'sent' });
	});

	it('image and buttons → image block and actions block in one message', async () => {
		await send(
			outbound([
				{ type: 'media', kind: 'image', url: 'https://cdn.example.com/p/48213.jpg', caption: 'Your parcel' },
				{ type: 'buttons', text: 'What next?', buttons: [{ id: 'track', title: 'Track', action: 'reply' }, { title: 'Open', action: 'url', url: 'https://shop.example.com/o/48213' }] },
			]),
		);
		assert.equal(fake.requests.length, 1);
		const blocks = body().blocks as Array<Record<string, unknown>>;
		assert.deepEqual(
			blocks.map((b) => b.type),
			['image', 'section', 'actions'],
		);
		assert.equal(blocks[0]!.image_url, 'https://cdn.example.com/p/48213.jpg');
		const elements = blocks[2]!.elements as Array<Record<string, unknown>>;
		assert.equal(elements[0]!.value, 'track');
		assert.equal(elements[0]!.action_id, 'track');
		assert.equal(elements[1]!.url, 'https://shop.example.com/o/48213');
	});

	it('a reply → thread_ts', async () => {
		await send(outbound([text('Done')], { replyTo: { messageId: '1779981700.000500' } }));
		assert.equal(body().thread_ts, '1779981700.000500');
	});

	it('a DM to a user id answers with the D… channel, which the id uses', async () => {
		const result = await send(outbound([text('hi')]), { to: SLACK_USER });
		assert.equal(body().channel, SLACK_USER);
		assert.equal(result.externalId, `${SLACK_DM}:1779981700.000901`);
	});

	it('text then a reaction → chat.postMessage then reactions.add; only the message has an id', async () => {
		const result = await send(outbound([text('Thanks'), { type: 'reaction', targetMessageId: '1779981700.000500', emoji: '👍' }]));
		assert.deepEqual(
			fake.requests.map((r) => r.path),
			['/api/chat.postMessage', '/api/reactions.add'],
		);
		assert.deepEqual(body(1), { channel: SLACK_CHANNEL, timestamp: '1779981700.000500', name: '+1' });
		assert.deepEqual(result.externalIds, [`${SLACK_CHANNEL}:1779981700.000901`]);
	});

	it('only a reaction → the reacted-to message is the external id; already_reacted (a retry) counts as success', async () => {
		const input = outbound([{ type: 'reaction', targetMessageId: '1779981700.000500', emoji: '👍' }]);
		const first = await send(input);
		assert.deepEqual(first, { externalId: `${SLACK_CHANNEL}:1779981700.000500`, externalIds: [`${SLACK_CHANNEL}:1779981700.000500`], status: 'sent' });
		const again = await send(input);
		assert.equal(again.externalId, `${SLACK_CHANNEL}:1779981700.000500`);
		assert.equal(fake.requests.length, 2);
	});

	it('uses the credential Base URL when the context has none', async () => {
		const cfg = slackProvider.parseConfig({ botToken: SLACK_BOT_TOKEN, baseUrl: `${fake.url}/api/` });
		await send(outbound([text('hi')]), { cfg, ctx: context({ baseUrl: undefined }) });
		assert.equal(fake.requests[0]!.path, '/api/chat.postMessage');
	});

	it('incoming-webhook payloads (webhook variant) are refused as config', async () => {
		const error = await sendError(outbound([text('hi')]), { variant: 'webhook' });
		assert.equal(error.category, 'config');
		assert.equal(fake.requests.length, 0);
	});
});

describe('slack provider: errors', () => {
	it('recipient: channel_not_found, is_archived, not_in_channel, user_not_found', async () => {
		const unknown = await sendError(outbound([text('hi')]), { to: 'C0NOPE' });
		assert.equal(unknown.category, 'recipient');
		assert.equal(unknown.retryable, false);
		assert.equal(unknown.providerCode, 'channel_not_found');
		assert.equal(unknown.httpStatus, 200);
		fake.archived.add(SLACK_CHANNEL);
		assert.equal((await sendError(outbound([text('hi')]))).providerCode, 'is_archived');
		fake.archived.clear();
		fake.next(slackError('not_in_channel'));
		const notIn = await sendError(outbound([text('hi')]));
		assert.equal(notIn.category, 'recipient');
		assert.match(notIn.hint ?? '', /invite/i);
		const noUser = await sendError(outbound([text('hi')]), { to: 'U0NOBODY' });
		assert.deepEqual([noUser.category, noUser.providerCode], ['recipient', 'user_not_found']);
	});

	it('auth: a wrong token → invalid_auth; missing_scope; token_revoked', async () => {
		const wrong = await sendError(outbound([text('hi')]), { cfg: slackProvider.parseConfig({ botToken: WRONG_TOKEN }) });
		assert.deepEqual([wrong.category, wrong.retryable, wrong.providerCode], ['auth', false, 'invalid_auth']);
		fake.next({ status: 200, body: { ok: false, error: 'missing_scope', needed: 'chat:write', provided: 'users:read' } });
		const scope = await sendError(outbound([text('hi')]));
		assert.equal(scope.category, 'auth');
		assert.match(scope.hint ?? '', /chat:write/);
		fake.next(slackError('token_revoked'));
		assert.equal((await sendError(outbound([text('hi')]))).category, 'auth');
	});

	it('content: msg_too_long, invalid_blocks, no_text', async () => {
		for (const code of ['msg_too_long', 'invalid_blocks', 'no_text']) {
			fake.next(slackError(code));
			const error = await sendError(outbound([text('hi')]));
			assert.deepEqual([error.category, error.retryable, error.providerCode], ['content', false, code]);
		}
	});

	it('transient: internal_error, fatal_error, service_unavailable, request_timeout, HTTP 503', async () => {
		for (const code of ['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']) {
			fake.next(slackError(code));
			const error = await sendError(outbound([text('hi')]));
			assert.deepEqual([error.category, error.retryable, error.providerCode], ['transient', true, code]);
		}
		fake.next({ status: 503, body: '<html>Service Unavailable</html>' });
		const gateway = await sendError(outbound([text('hi')]));
		assert.deepEqual([gateway.category, gateway.retryable, gateway.httpStatus], ['transient', true, 503]);
	});

	it('HTTP 429 ratelimited with Retry-After → rate_limited, retryAfterMs', async () => {
		fake.next(slackError('ratelimited', 429, { 'retry-after': '30' }));
		const error = await sendError(outbound([text('hi')]));
		assert.deepEqual([error.category, error.retryable, error.providerCode, error.httpStatus, error.retryAfterMs], ['rate_limited', true, 'ratelimited', 429, 30_000]);
	});

	it('a slow answer past timeoutMs and a hang → transient', async () => {
		fake.next({ hang: true });
		const hung = await sendError(outbound([text('hi')]), { ctx: context({ timeoutMs: 250 }) });
		assert.deepEqual([hung.category, hung.retryable], ['transient', true]);
		fake.next({ status: 200, body: { ok: true, channel: SLACK_CHANNEL, ts: '1.2' }, delayMs: 800 });
		assert.equal((await sendError(outbound([text('hi')]), { ctx: context({ timeoutMs: 200 }) })).category, 'transient');
	});

	it('a connection reset → transient', async () => {
		fake.next({ reset: true });
		const error = await sendError(outbound([text('hi')]));
		assert.deepEqual([error.category, error.retryable], ['transient', true]);
	});

	it('a 2xx that is not a Web API answer, or ok without ts → unknown, not a crash', async () => {
		fake.next({ status: 200, body: 'ok' });
		assert.equal((await sendError(outbound([text('hi')]))).category, 'unknown');
		fake.next({ status: 200, body: { ok: true } });
		assert.equal((await sendError(outbound([text('hi')]))).category, 'unknown');
	});
});

describe('slack provider: verifyCredentials (auth.test)', () => {
	it('OK → bot user @ team', async () => {
		assert.deepEqual(await slackProvider.verifyCredentials(config, context()), { account: 'switchboard @ Acme' });
		assert.equal(fake.requests[0]!.path, '/api/auth.test');
		assert.equal(fake.requests[0]!.headers.authorization, `Bearer ${SLACK_BOT_TOKEN}`);
	});

	it('a wrong token → auth, token nowhere in the error', async () => {
		await assert.rejects(
			() => slackProvider.verifyCredentials(slackProvider.parseConfig({ botToken: WRONG_TOKEN }), context()),
			(e: unknown) => e instanceof ProviderError && e.category === 'auth' && e.providerCode === 'invalid_auth' && (assertNoSecret(e), true),
		);
	});
});

describe('slack provider: classification (pure)', () => {
	it('maps every documented error code, then the HTTP status, ending in unknown', () => {
		const cases: Array<[string, number, string]> = [
			['ratelimited', 429, 'rate_limited'],
			['ratelimited', 200, 'rate_limited'],
			['internal_error', 200, 'transient'],
			['fatal_error', 200, 'transient'],
			['service_unavailable', 200, 'transient'],
			['request_timeout', 200, 'transient'],
			['channel_not_found', 200, 'recipient'],
			['is_archived', 200, 'recipient'],
			['not_in_channel', 200, 'recipient'],
			['user_not_found', 200, 'recipient'],
			['invalid_auth', 200, 'auth'],
			['not_authed', 200, 'auth'],
			['account_inactive', 200, 'auth'],
			['token_revoked', 200, 'auth'],
			['token_expired', 200, 'auth'],
			['missing_scope', 200, 'auth'],
			['restricted_action', 200, 'config'],
			['msg_too_long', 200, 'content'],
			['invalid_blocks', 200, 'content'],
			['no_text', 200, 'content'],
			['too_many_attachments', 200, 'content'],
			['http_502', 502, 'transient'],
			['http_404', 404, 'config'],
			['unknown_method', 200, 'config'],
			['something_new', 200, 'unknown'],
		];
		for (const [code, status, category] of cases) assert.equal(mapSlackError(code, status), category, `${code} ${status}`);
	});
});
