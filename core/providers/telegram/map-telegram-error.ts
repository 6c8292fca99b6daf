import type { ProviderErrorCategory } from '../../errors';
import { categoryOfStatus, isRetryableCategory } from '../shared/http';

/**
 * A Telegram Bot API error (`{ok: false, error_code, description, parameters}`, providers.md §3.3)
 * → category. Telegram's `error_code` is the HTTP status; the `description` says which problem it is
 * ("Forbidden: bot was blocked by the user", "Bad Request: chat not found"), so both are read.
 *
 * - 429 → rate_limited (wait exactly `parameters.retry_after` seconds).
 * - 403: every Forbidden answer concerns this one chat (blocked, deactivated, kicked, never started
 *   the bot, no rights in the group) → recipient. Retrying will not help until the user acts.
 * - 400: the chat itself is wrong or gone ("chat not found", "user not found", "PEER_ID_INVALID",
 *   "group chat was upgraded to a supergroup" — `migrate_to_chat_id` says where it went) → recipient;
 *   everything else (empty text, can't parse entities, too long, reply target not found, bad button
 *   data, REACTION_INVALID) is about the content → content.
 * - 401 Unauthorized (bad token) and 404 Not Found (what Telegram answers for a malformed token path)
 *   → auth; 409 Conflict (getUpdates/webhook clash) → config.
 * - 5xx → transient; anything else falls back to the HTTP status classes, ending in 'unknown'.
 */
export function mapTelegramError(errorCode: number, description: string): ProviderErrorCategory {
	const text = description.toLowerCase();
	switch (errorCode) {
		case 429:
			return 'rate_limited';
		case 403:
			return 'recipient';
		case 400:
			if (
				text.includes('chat not found') ||
				text.includes('user not found') ||
				text.includes('peer_id_invalid') ||
				text.includes('upgraded to a supergroup') ||
				text.includes('chat_write_forbidden') ||
				text.includes('have no rights to send') ||
				text.includes('not enough rights') ||
				text.includes('bot is not a member')
			) {
				return 'recipient';
			}
			return 'content';
		case 401:
		case 404:
			return 'auth';
		case 409:
			return 'config';
		default:
			if (errorCode >= 500 && errorCode <= 599) return 'transient';
			if (errorCode >= 400 && errorCode <= 499) return categoryOfStatus(errorCode);
			return 'unknown';
	}
}

/** What an admin or analyst can do about a Telegram error, by category (never echoes the token). */
export function telegramErrorHint(category: ProviderErrorCategory, migrateToChatId?: number): string {
	switch (category) {
		case 'rate_limited':
			return 'Telegram asked to slow down; the send is retried after the wait it named. Lower the rate limit if this happens often (≈1 message/s per chat, 20/min per group, 30/s per bot).';
		case 'recipient':
			return migrateToChatId !== undefined
				? `The group became a supergroup; send to chat id ${migrateToChatId} instead.`
				: 'The chat cannot receive messages from this bot (the user blocked it, never started it, left, or the chat id is wrong). Check the chat id; the user must /start the bot again.';
		case 'content':
			return 'Telegram refused the message itself (empty or too long text, formatting it cannot parse, a reply target or reaction it does not accept). Fix the message; retrying sends the same thing.';
		case 'auth':
			return 'The bot token is wrong or revoked. Copy the token from @BotFather into the Telegram credential.';
		case 'config':
			return 'Another process uses this bot in a way that conflicts (webhook vs getUpdates). Check the bot setup.';
		case 'transient':
			return 'Telegram had a temporary problem; the send is retried by the retry policy.';
		default:
			return 'Telegram answered with an error Switchboard does not know; check the message and the chat.';
	}
}

export function telegramErrorRetryable(category: ProviderErrorCategory): boolean {
	return isRetryableCategory(category);
}
