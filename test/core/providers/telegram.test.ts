/**
 * The Telegram provider through telegraf's real `Telegram` client, talking HTTP to the fake Bot API.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { InvalidProviderConfigError, ProviderError } from '../../../core/errors';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import { telegramProvider, redactTelegram, telegramFailure, type TelegramConfig } from '../../../core/providers/telegram';
import { mapTelegramError } from '../../../core/providers/telegram/map-telegram-error';
import type { ProviderContext } from '../../../core/providers/types';
import { parseMessage, render } from '../../../core/render';
import { MESSAGE_SCHEMA_ID, type MessageInput } from '../../../core/schema/message';
import { TELEGRAM_BOT_TOKEN, TelegramFake, telegramError } from '../../support/fakes/telegram';

const NOW = new Date('2026-06-01T08:00:00.000Z');
const CHAT = '582913377';
const WRONG_TOKEN = '7012345678:AAWrongWrongWrongWrongWrongWrong0000';

let fake: TelegramFake;
let config: TelegramConfig;

function context(extra: Partial<ProviderContext> = {}): ProviderContext {
	return { http: undiciHttpClient, now: () => NOW, timeoutMs: 2000, baseUrl: fake.url, ...extra };
}

function outbound(parts: MessageInput['parts'], extra: Partial<MessageInput> = {}): MessageInput {
	return {
		schema: MESSAGE_SCHEMA_ID,
		id: 'out-1',
		channel: 'telegram',
		provider: 'telegram',
		direction: 'outbound',
		conversation: { id: CHAT, type: 'direct' },
		timestamp: '2026-05-28T14:31:02.000Z',
		parts,
		...extra,
	};
}

async function send(input: MessageInput, cfg: TelegramConfig = config, ctx: ProviderContext = context()) {
	const message = parseMessage(input);
	const { payloads } = render(message, 'telegram', { ...telegramProvider.renderOptions(cfg, 'telegram'), to: CHAT });
	return telegramProvider.send({ message, payloads, config: cfg, to: CHAT }, ctx);
}

async function sendError(input: MessageInput, cfg: TelegramConfig = config, ctx: ProviderContext = context()): Promise<ProviderError> {
	try {
		await send(input, cfg, ctx);
	} catch (error) {
		assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
		assertNoSecret(error);
		return error;
	}
	assert.fail('expected the send to fail');
}

/** The token, whole or as its secret half, appears nowhere a person or log could read. */
function assertNoSecret(error: Error & { hint?: string }): void {
	const secretHalf = TELEGRAM_BOT_TOKEN.split(':')[1]!;
	for (const text of [error.message, error.hint ?? '', error.stack ?? '', JSON.stringify(error)]) {
		assert.ok(!text.includes(secretHalf), `secret leaked in: ${text}`);
		assert.ok(!text.includes(WRONG_TOKEN.split(':')[1]!), `secret leaked in: ${text}`);
	}
}

const text = (t: string, format: 'plain' | 'markdown' | 'html' = 'plain') => ({ type: 'text' as const, text: t, format });

before(async () => {
	fake = await new TelegramFake().start();
	config = telegramProvider.parseConfig({ botToken: TELEGRAM_BOT_TOKEN });
});
after(async () => fake.stop());
beforeEach(() => {
	fake.reset();
	fake.blocked.clear();
	fake.missing.clear();
});

describe('telegram provider: definition and config', () => {
	it('has the fixed id, export, channel, platform and credential fields (baseUrl last)', () => {
		assert.equal(telegramProvider.id, 'telegram');
		assert.deepEqual(telegramProvider.channels, ['telegram']);
		assert.equal(telegramProvider.platform, 'telegram');
		const fields = telegramProvider.credentialFields;
		assert.deepEqual(
			fields.map((f) => [f.name, f.type, f.required, f.webhookOnly ?? false]),
			[
				['botToken', 'password', true, false],
				['secretToken', 'password', false, true],
				['baseUrl', 'string', false, false],
			],
		);
		assert.equal(fields.at(-1)!.displayName, 'Base URL');
		assert.deepEqual(
			telegramProvider.rateLimits.map((r) => [r.scope, r.perSecond]),
			[
				['provider', 30],
				['recipient', 1],
			],
		);
		assert.match(telegramProvider.rateLimits[1]!.description, /20 messages per minute/);
	});

	it('parseConfig trims, requires the token and checks its shape and the base URL, never echoing the token', () => {
		assert.deepEqual(telegramProvider.parseConfig({ botToken: `  ${TELEGRAM_BOT_TOKEN} `, baseUrl: '' }), { botToken: TELEGRAM_BOT_TOKEN });
		assert.deepEqual(telegramProvider.parseConfig({ botToken: TELEGRAM_BOT_TOKEN, secretToken: 's3', baseUrl: 'http://127.0.0.1:9' }), {
			botToken: TELEGRAM_BOT_TOKEN,
			secretToken: 's3',
			baseUrl: 'http://127.0.0.1:9',
		});
		const cases: Array<[Record<string, unknown>, string]> = [
			[{}, 'botToken'],
			[{ botToken: '   ' }, 'botToken'],
			[{ botToken: 'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1' }, 'botToken'],
			[{ botToken: `${TELEGRAM_BOT_TOKEN} extra` }, 'botToken'],
			[{ botToken: TELEGRAM_BOT_TOKEN, baseUrl: 'not a url' }, 'baseUrl'],
			[{ botToken: TELEGRAM_BOT_TOKEN, baseUrl: 'ftp://x' }, 'baseUrl'],
		];
		for (const [value, field] of cases) {
			assert.throws(
				() => telegramProvider.parseConfig(value),
				(e: unknown) => e instanceof InvalidProviderConfigError && e.field === field && !e.description.includes('AAHdqTcv'),
			);
		}
	});

	it('renders with no extra options and keys the sender by the public bot id', () => {
		assert.deepEqual(telegramProvider.renderOptions(config, 'telegram'), {});
		assert.equal(telegramProvider.senderKey(config, 'telegram'), 'bot:7012345678');
	});
});

describe('telegram provider: sending through telegraf to the fake', () => {
	it('text with markdown formatting → sendMessage (MarkdownV2) on /bot<token>/sendMessage; id is <chat>:<message_id>, status sent', async () => {
		const result = await send(outbound([text('Your order **48213** has _shipped_.', 'markdown')]));
		assert.equal(fake.requests.length, 1);
		const request = fake.requests[0]!;
		assert.equal(request.method, 'POST');
		assert.equal(request.path, `/bot${TELEGRAM_BOT_TOKEN}/sendMessage`);
		assert.match(request.headers['content-type'] ?? '', /application\/json/);
		const body = request.json as Record<string, unknown>;
		assert.equal(body.chat_id, 582913377);
		assert.equal(body.parse_mode, 'MarkdownV2');
		assert.equal(body.text, 'Your order *48213* has _shipped_\\.');
		assert.deepEqual(result, { externalId: '582913377:4121', externalIds: ['582913377:4121'], status: 'sent' });
	});

	it('html text → parse_mode HTML', async () => {
		await send(outbound([text('<b>Hi</b> <i>there</i>', 'html')]));
		const body = fake.calls('sendMessage')[0]!.json as Record<string, unknown>;
		assert.equal(body.parse_mode, 'HTML');
		assert.equal(body.text, '<b>Hi</b> <i>there</i>');
	});

	it('photo with caption and buttons → sendPhoto carrying the inline keyboard', async () => {
		const result = await send(
			outbound([
				{ type: 'media', kind: 'image', url: 'https://cdn.example.com/p/48213.jpg', caption: 'Your parcel' },
				{
					type: 'buttons',
					buttons: [
						{ id: 'track', title: 'Track', action: 'reply' },
						{ title: 'Open order', action: 'url', url: 'https://shop.example.com/o/48213' },
					],
				},
			]),
		);
		assert.equal(fake.requests.length, 1);
		assert.equal(fake.requests[0]!.path, `/bot${TELEGRAM_BOT_TOKEN}/sendPhoto`);
		const body = fake.requests[0]!.json as Record<string, unknown>;
		assert.equal(body.photo, 'https://cdn.example.com/p/48213.jpg');
		assert.equal(body.caption, 'Your parcel');
		assert.deepEqual(body.reply_markup, {
			inline_keyboard: [[{ text: 'Track', callback_data: 'track' }], [{ text: 'Open order', url: 'https://shop.example.com/o/48213' }]],
		});
		assert.equal(result.externalId, '582913377:4121');
	});

	it('two photos → one sendMediaGroup; every album message id is reported in order', async () => {
		const result = await send(
			outbound([
				{ type: 'media', kind: 'image', url: 'https://cdn.example.com/a.jpg' },
				{ type: 'media', kind: 'image', url: 'https://cdn.example.com/b.jpg' },
			]),
		);
		assert.deepEqual(
			fake.requests.map((r) => r.path.split('/').at(-1)),
			['sendMediaGroup'],
		);
		assert.deepEqual(result.externalIds, ['582913377:4121', '582913377:4122']);
		assert.equal(result.externalId, '582913377:4121');
	});

	it('a reply → reply_parameters; several payloads are sent in order with all ids', async () => {
		const result = await send(
			outbound([text('Here it is:'), { type: 'location', latitude: 52.2297, longitude: 21.0122 }, {
				type: 'contacts',
				contacts: [{ name: { formatted: 'Acme Support', first: 'Acme' }, phones: [{ phone: '+48221234567' }], emails: [], urls: [], addresses: [] }],
			}], { replyTo: { messageId: '582913377:4100' } }),
		);
		assert.deepEqual(
			fake.requests.map((r) => r.path.split('/').at(-1)),
			['sendMessage', 'sendLocation', 'sendContact'],
		);
		assert.deepEqual((fake.requests[0]!.json as Record<string, unknown>).reply_parameters, { message_id: 4100, allow_sending_without_reply: true });
		assert.equal((fake.requests[1]!.json as Record<string, unknown>).reply_parameters, undefined);
		assert.deepEqual(result.externalIds, ['582913377:4121', '582913377:4122', '582913377:4123']);
	});

	it('a reaction → setMessageReaction; it creates no message, so the reacted-to message is the external id', async () => {
		const result = await send(outbound([{ type: 'reaction', targetMessageId: '582913377:4100', emoji: '👍' }]));
		assert.equal(fake.requests[0]!.path, `/bot${TELEGRAM_BOT_TOKEN}/setMessageReaction`);
		assert.deepEqual(fake.requests[0]!.json, { chat_id: 582913377, message_id: 4100, reaction: [{ type: 'emoji', emoji: '👍' }] });
		assert.deepEqual(result, { externalId: '582913377:4100', externalIds: ['582913377:4100'], status: 'sent' });
	});

	it('a text then a reaction: only the text has an id', async () => {
		const result = await send(outbound([text('Thanks!'), { type: 'reaction', targetMessageId: '582913377:4100', emoji: '❤' }]));
		assert.deepEqual(result.externalIds, ['582913377:4121']);
	});

	it('a Base URL with a path keeps it (telegraf resolves ./bot<token>/… against it)', async () => {
		const error = await sendError(outbound([text('hi')]), config, context({ baseUrl: `${fake.url}/proxy` }));
		assert.equal(fake.requests[0]!.path, `/proxy/bot${TELEGRAM_BOT_TOKEN}/sendMessage`);
		// the fake has no such route and answers a JSON body that is not a Bot API envelope
		assert.equal(error.category, 'unknown');
		assert.match(error.message, /not a Bot API response/);
		assert.doesNotMatch(error.message, /undefined/);
	});

	it('uses the credential Base URL when the context has none', async () => {
		const cfg = telegramProvider.parseConfig({ botToken: TELEGRAM_BOT_TOKEN, baseUrl: fake.url });
		const result = await send(outbound([text('hi')]), cfg, context({ baseUrl: undefined }));
		assert.equal(result.externalId, '582913377:4121');
		assert.equal(fake.requests.length, 1);
	});
});

describe('telegram provider: errors', () => {
	it('403 bot was blocked by the user → recipient, permanent, code kept', async () => {
		fake.blocked.add(CHAT);
		const error = await sendError(outbound([text('hi')]));
		assert.equal(error.category, 'recipient');
		assert.equal(error.retryable, false);
		assert.equal(error.providerCode, '403');
		assert.equal(error.httpStatus, 403);
		assert.match(error.message, /bot was blocked by the user/);
	});

	it('403 user is deactivated and 400 chat not found → recipient', async () => {
		fake.next(telegramError(403, 'Forbidden: user is deactivated'));
		assert.equal((await sendError(outbound([text('hi')]))).category, 'recipient');
		fake.missing.add(CHAT);
		const error = await sendError(outbound([text('hi')]));
		assert.equal(error.category, 'recipient');
		assert.match(error.message, /chat not found/);
	});

	it('400 group upgraded to a supergroup → recipient, the hint names the new chat id', async () => {
		fake.next(telegramError(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1001234567890 }));
		const error = await sendError(outbound([text('hi')]));
		assert.equal(error.category, 'recipient');
		assert.match(error.hint ?? '', /-1001234567890/);
	});

	it('other 400 (can\'t parse entities, too long) → content', async () => {
		fake.next(telegramError(400, "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 6"));
		const error = await sendError(outbound([text('hi')]));
		assert.equal(error.category, 'content');
		assert.equal(error.retryable, false);
		assert.equal(error.providerCode, '400');
	});

	it('401 wrong token → auth, and the wrong token appears nowhere', async () => {
		const wrong = telegramProvider.parseConfig({ botToken: WRONG_TOKEN });
		const error = await sendError(outbound([text('hi')]), wrong);
		assert.equal(error.category, 'auth');
		assert.equal(error.retryable, false);
		assert.equal(error.httpStatus, 401);
		assert.ok(!error.description.includes(WRONG_TOKEN));
	});

	it('429 with parameters.retry_after → rate_limited, retryAfterMs = retry_after × 1000', async () => {
		fake.next(telegramError(429, 'Too Many Requests: retry after 17', { retry_after: 17 }));
		const error = await sendError(outbound([text('hi')]));
		assert.equal(error.category, 'rate_limited');
		assert.equal(error.retryable, true);
		assert.equal(error.retryAfterMs, 17_000);
		assert.equal(error.providerCode, '429');
	});

	it('5xx → transient (telegraf throws status + statusText)', async () => {
		fake.next({ status: 502, body: '<html>Bad Gateway</html>' });
		const error = await sendError(outbound([text('hi')]));
		assert.equal(error.category, 'transient');
		assert.equal(error.retryable, true);
		assert.equal(error.httpStatus, 502);
	});

	it('409 conflict → config', async () => {
		fake.next(telegramError(409, 'Conflict: terminated by other getUpdates request'));
		assert.equal((await sendError(outbound([text('hi')]))).category, 'config');
	});

	it('a slow answer past timeoutMs → transient timeout', async () => {
		fake.next({ hang: true });
		const started = Date.now();
		const error = await sendError(outbound([text('hi')]), config, context({ timeoutMs: 300 }));
		assert.ok(Date.now() - started < 2000, 'gave up at the timeout');
		assert.equal(error.category, 'transient');
		assert.equal(error.retryable, true);
		assert.equal(error.providerCode, 'TIMEOUT');
	});

	it('a delayed answer past timeoutMs → transient too', async () => {
		fake.next({ status: 200, body: { ok: true, result: { message_id: 1, chat: { id: 1 } } }, delayMs: 800 });
		const error = await sendError(outbound([text('hi')]), config, context({ timeoutMs: 200 }));
		assert.equal(error.category, 'transient');
	});

	it('a connection reset → transient, no URL (with the token) in the message', async () => {
		fake.next({ reset: true });
		const error = await sendError(outbound([text('hi')]));
		assert.equal(error.category, 'transient');
		assert.equal(error.retryable, true);
		assert.equal(error.providerCode, 'ECONNRESET');
	});

	it('connection refused → transient', async () => {
		const error = await sendError(outbound([text('hi')]), config, context({ baseUrl: 'http://127.0.0.1:1' }));
		assert.equal(error.category, 'transient');
		assert.equal(error.providerCode, 'ECONNREFUSED');
	});

	it('a 2xx that is not the documented envelope → unknown, not a crash; a non-JSON 4xx too', async () => {
		fake.next({ status: 200, body: { ok: true, result: { surprise: 1 } } });
		const unreadable = await sendError(outbound([text('hi')]));
		assert.equal(unreadable.category, 'unknown');
		assert.equal(unreadable.retryable, false);
		fake.next({ status: 400, body: 'not json' });
		assert.equal((await sendError(outbound([text('hi')]))).category, 'unknown');
	});

	it('a failing second payload fails the send (the first was sent)', async () => {
		fake.next(telegramError(400, 'Bad Request: wrong HTTP URL specified'), (r) => r.path.endsWith('/sendPhoto'));
		const error = await sendError(outbound([text('hi'), { type: 'media', kind: 'image', url: 'https://x.example/y.jpg' }]));
		assert.equal(error.category, 'content');
		assert.equal(fake.requests.length, 2);
	});
});

describe('telegram provider: verifyCredentials (getMe)', () => {
	it('OK → the bot username', async () => {
		assert.deepEqual(await telegramProvider.verifyCredentials(config, context()), { account: '@acme_notifier_bot' });
		assert.equal(fake.requests[0]!.path, `/bot${TELEGRAM_BOT_TOKEN}/getMe`);
	});

	it('a wrong token → auth ProviderError without the token', async () => {
		await assert.rejects(
			() => telegramProvider.verifyCredentials(telegramProvider.parseConfig({ botToken: WRONG_TOKEN }), context()),
			(e: unknown) => e instanceof ProviderError && e.category === 'auth' && (assertNoSecret(e), true),
		);
	});
});

describe('telegram provider: classification and redaction (pure)', () => {
	it('maps every documented Bot API error', () => {
		const cases: Array<[number, string, string]> = [
			[429, 'Too Many Requests: retry after 5', 'rate_limited'],
			[403, 'Forbidden: bot was blocked by the user', 'recipient'],
			[403, 'Forbidden: user is deactivated', 'recipient'],
			[403, 'Forbidden: bot was kicked from the group chat', 'recipient'],
			[403, "Forbidden: bot can't initiate conversation with a user", 'recipient'],
			[400, 'Bad Request: chat not found', 'recipient'],
			[400, 'Bad Request: PEER_ID_INVALID', 'recipient'],
			[400, 'Bad Request: message text is empty', 'content'],
			[400, 'Bad Request: message is too long', 'content'],
			[400, 'Bad Request: message to be replied not found', 'content'],
			[400, 'Bad Request: REACTION_INVALID', 'content'],
			[401, 'Unauthorized', 'auth'],
			[404, 'Not Found', 'auth'],
			[409, 'Conflict: terminated by other getUpdates request', 'config'],
			[500, 'Internal Server Error', 'transient'],
			[502, 'Bad Gateway', 'transient'],
			[418, "I'm a teapot", 'content'],
			[0, 'weird', 'unknown'],
		];
		for (const [code, description, category] of cases) assert.equal(mapTelegramError(code, description), category, `${code} ${description}`);
	});

	it('redacts the token in URLs and raw, including telegraf-style network messages', () => {
		const message = `request to https://api.telegram.org/bot${TELEGRAM_BOT_TOKEN}/sendMessage failed, reason: getaddrinfo ENOTFOUND`;
		const out = redactTelegram(message, TELEGRAM_BOT_TOKEN);
		assert.ok(!out.includes('AAHdqTcv'));
		assert.match(out, /\/bot<redacted>\/sendMessage/);
		const plain = telegramFailure(Object.assign(new Error(`boom ${TELEGRAM_BOT_TOKEN}`), { code: undefined }), TELEGRAM_BOT_TOKEN);
		assert.equal(plain.category, 'transient');
		assert.ok(!plain.message.includes('AAHdqTcv'));
		const invalidJson = telegramFailure(Object.assign(new Error(`invalid json response body at http://x/bot${TELEGRAM_BOT_TOKEN}/getMe`), { type: 'invalid-json' }), TELEGRAM_BOT_TOKEN);
		assert.equal(invalidJson.category, 'unknown');
		assert.ok(!invalidJson.message.includes('AAHdqTcv'));
	});
});
