/**
 * Telegram Bot API through telegraf's `Telegram` client (providers.md §3, §3.7). The render platform
 * `telegram` produces one `{endpoint: <method>, body}` per Bot API call (sendMessage, sendPhoto,
 * sendMediaGroup, sendLocation, sendVenue, sendContact, setMessageReaction…); each is sent with
 * `telegram.callApi(method, body)` in order, with `apiRoot` = `context.baseUrl` when given (a fake
 * server in tests) and `webhookReply: false` so every call is a real request.
 *
 * Ids: a Telegram `message_id` is unique only inside its chat, so the external id is
 * `<chat id>:<message_id>` (e.g. `582913377:4101`) — the same form normalize gives inbound messages
 * and that render accepts back for replies and reactions. The chat id is the one Telegram answers
 * with (numeric even when the message went to `@channelusername`). An album (sendMediaGroup) yields
 * one id per photo/video. A reaction creates no message, so it adds no id; a send that was only
 * reactions reports the reacted-to message as its external id.
 *
 * Status is always `sent`: Telegram has no delivery or read receipts for bots (providers.md §3.4).
 *
 * Secrets: the bot token is part of every request URL (`/bot<token>/<method>`), and telegraf's
 * network errors can quote that URL; every message built here goes through `redact`, which removes
 * the token in any form. The token never appears in an error message or hint.
 */
import { Telegram, TelegramError } from 'telegraf';
import { z } from 'zod/v4';
import { InvalidProviderConfigError, ProviderError } from '../../errors';
import type { Channel } from '../../schema/message';
import { CHAT_TEXT, optionalBaseUrl, optionalText, requiredText } from '../shared/config';
import { networkError } from '../shared/http';
import { redactSecrets, type RedactionRules } from '../shared/redact';
import { chatResult } from '../shared/send';
import type { ProviderContext, ProviderDefinition, ProviderSuccess } from '../types';
import { mapTelegramError, telegramErrorHint, telegramErrorRetryable } from './map-telegram-error';

const PROVIDER = 'Telegram';
export const TELEGRAM_API_ROOT = 'https://api.telegram.org';

export interface TelegramConfig {
	botToken: string;
	/** Only for verifying incoming webhooks (X-Telegram-Bot-Api-Secret-Token). */
	secretToken?: string;
	baseUrl?: string;
}

/** `<bot id>:<secret>` as @BotFather hands it out. */
const TOKEN_SHAPE = /^\d{1,20}:[A-Za-z0-9_-]{1,200}$/;

const chatSchema = z.looseObject({ id: z.union([z.number(), z.string()]) });
const messageSchema = z.looseObject({ message_id: z.number().int(), chat: chatSchema });
const resultSchema = z.union([messageSchema, z.array(messageSchema).min(1), z.literal(true)]);
const meSchema = z.looseObject({ id: z.number(), username: z.string().optional(), first_name: z.string().optional() });

/** The bot token raw, URL-encoded, and any `/bot…/` (or `/user…/`) URL segment whatever its token. */
const TELEGRAM_REDACTION: RedactionRules = { mask: '<redacted>', minLength: 1, urlEncoded: true, patterns: [[/\/(bot|user)[^/\s]+\//g, '/$1<redacted>/']] };

/** Removes the bot token from any text (raw, URL-encoded, or as a `/bot…/` URL segment). */
export function redactTelegram(message: string, botToken: string): string {
	return redactSecrets(message, [botToken], TELEGRAM_REDACTION);
}

function apiRoot(config: TelegramConfig, context: ProviderContext): string {
	const root = context.baseUrl ?? config.baseUrl ?? TELEGRAM_API_ROOT;
	// telegraf resolves `./bot<token>/<method>` against apiRoot: a root with a path needs its trailing slash.
	return root.endsWith('/') ? root : `${root}/`;
}

function client(config: TelegramConfig, context: ProviderContext): Telegram {
	return new Telegram(config.botToken, { apiRoot: apiRoot(config, context), webhookReply: false });
}

interface TelegramErrorResponse {
	error_code: number;
	description?: string;
	parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** The Bot API error envelope of a telegraf error; undefined when the answer was not one (no numeric error_code). */
function errorResponse(error: unknown): TelegramErrorResponse | undefined {
	const response = (error as { response?: unknown } | null)?.response;
	if (response && typeof response === 'object' && typeof (response as { error_code?: unknown }).error_code === 'number') return response as TelegramErrorResponse;
	return undefined;
}

/** Any failure of a telegraf call → a classified ProviderError whose texts never hold the token. */
export function telegramFailure(error: unknown, botToken: string): ProviderError {
	if (error instanceof ProviderError) return error;
	const response = errorResponse(error);
	if (response) {
		const description = redactTelegram(response.description ?? `HTTP ${response.error_code}`, botToken);
		const category = mapTelegramError(response.error_code, description);
		const retryAfter = response.parameters?.retry_after;
		return new ProviderError({
			provider: PROVIDER,
			category,
			retryable: telegramErrorRetryable(category),
			message: description,
			providerCode: response.error_code,
			httpStatus: response.error_code,
			retryAfterMs: typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.round(retryAfter * 1000) : null,
			hint: telegramErrorHint(category, response.parameters?.migrate_to_chat_id),
		});
	}
	const e = error as { type?: unknown; code?: unknown; name?: unknown; message?: unknown } | null;
	if (error instanceof TelegramError || e?.type === 'invalid-json') {
		// A JSON answer without error_code (not the Bot API), or one node-fetch could not read as JSON
		// (its message quotes the URL with the token: never used).
		return new ProviderError({
			provider: PROVIDER,
			category: 'unknown',
			retryable: false,
			message: 'answered with a body that is not a Bot API response',
			hint: 'Something between Switchboard and Telegram (a proxy?) answered instead of the Bot API. Check the Base URL.',
		});
	}
	const timedOut = e?.type === 'aborted' || e?.name === 'AbortError' || e?.name === 'TimeoutError';
	return networkError(PROVIDER, {
		name: timedOut ? 'TimeoutError' : typeof e?.name === 'string' ? e.name : 'Error',
		code: typeof e?.code === 'string' ? e.code : undefined,
		message: redactTelegram(typeof e?.message === 'string' ? e.message : 'network error', botToken),
	});
}

async function call(telegram: Telegram, method: string, body: Record<string, unknown>, config: TelegramConfig, context: ProviderContext): Promise<unknown> {
	try {
		// The payload is exactly what render built for `method`; telegraf sends it as JSON.
		const callApi = telegram.callApi.bind(telegram) as (m: string, p: unknown, o: { signal: AbortSignal }) => Promise<unknown>;
		return await callApi(method, body, { signal: AbortSignal.timeout(context.timeoutMs) });
	} catch (error) {
		throw telegramFailure(error, config.botToken);
	}
}

function unreadable(method: string): ProviderError {
	return new ProviderError({
		provider: PROVIDER,
		category: 'unknown',
		retryable: false,
		message: `${method} succeeded but its result is not the documented Message`,
		hint: 'The message was probably sent; check the chat before sending again.',
	});
}

export const telegramProvider: ProviderDefinition<TelegramConfig> = {
	id: 'telegram',
	name: 'Telegram',
	channels: ['telegram'],
	platform: 'telegram',
	documentationUrl: 'https://core.telegram.org/bots/api',
	credentialFields: [
		{
			name: 'botToken',
			displayName: 'Bot Token',
			type: 'password',
			required: true,
			description: 'The token @BotFather gave when the bot was created (/mybots → API Token), e.g. 123456789:AA…',
			placeholder: '123456789:AAH…',
		},
		{
			name: 'secretToken',
			displayName: 'Webhook Secret Token',
			type: 'password',
			required: false,
			webhookOnly: true,
			description: 'The secret_token set with setWebhook; Telegram sends it in X-Telegram-Bot-Api-Secret-Token. Used only to verify incoming webhooks.',
		},
		{
			name: 'baseUrl',
			displayName: 'Base URL',
			type: 'string',
			required: false,
			description: 'Leave empty for the public API. Set for a regional endpoint or a test server (e.g. a local Bot API server).',
		},
	],
	rateLimits: [
		{
			scope: 'provider',
			perSecond: 30,
			burst: 30,
			description: 'Telegram FAQ: about 30 messages per second per bot across all chats (paid broadcasts can raise it).',
		},
		{
			scope: 'recipient',
			perSecond: 1,
			burst: 1,
			description: 'Telegram FAQ: about 1 message per second per chat; groups and channels also allow only 20 messages per minute (set a lower rate for group-only routes).',
		},
	],

	parseConfig(value) {
		const botToken = requiredText(PROVIDER, value, 'botToken', 'Paste the token @BotFather gave for the bot.', CHAT_TEXT);
		if (!TOKEN_SHAPE.test(botToken)) {
			throw new InvalidProviderConfigError(PROVIDER, 'botToken', 'does not look like a bot token (<bot id>:<secret>)', 'Copy the whole token from @BotFather, e.g. 123456789:AAH…');
		}
		const config: TelegramConfig = { botToken };
		const secretToken = optionalText(PROVIDER, value, 'secretToken', CHAT_TEXT);
		if (secretToken !== undefined) config.secretToken = secretToken;
		const baseUrl = optionalBaseUrl(PROVIDER, value, { text: CHAT_TEXT, hint: 'Leave Base URL empty for the public API, or enter a full URL such as https://api.example.com.' });
		if (baseUrl !== undefined) config.baseUrl = baseUrl;
		return config;
	},

	renderOptions() {
		return {};
	},

	/** The bot id (the token's public part before the colon). */
	senderKey(config: TelegramConfig, _channel: Channel) {
		return `bot:${config.botToken.slice(0, config.botToken.indexOf(':'))}`;
	},

	async send(input, context): Promise<ProviderSuccess> {
		const telegram = client(input.config, context);
		const ids: string[] = [];
		let reacted: string | undefined;
		for (const payload of input.payloads) {
			const result = await call(telegram, payload.endpoint, payload.body, input.config, context);
			const parsed = resultSchema.safeParse(result);
			if (!parsed.success) throw unreadable(payload.endpoint);
			if (parsed.data === true) {
				// setMessageReaction (and other methods that create no message) answer `true`.
				const { chat_id: chatId, message_id: messageId } = payload.body;
				if (reacted === undefined && (typeof chatId === 'number' || typeof chatId === 'string') && typeof messageId === 'number') reacted = `${chatId}:${messageId}`;
				continue;
			}
			for (const m of Array.isArray(parsed.data) ? parsed.data : [parsed.data]) ids.push(`${m.chat.id}:${m.message_id}`);
		}
		return chatResult(PROVIDER, ids, reacted, 'Bot API call');
	},

	async verifyCredentials(config, context) {
		const me = meSchema.safeParse(await call(client(config, context), 'getMe', {}, config, context));
		if (!me.success) throw unreadable('getMe');
		return { account: me.data.username ? `@${me.data.username}` : String(me.data.id) };
	},
};
