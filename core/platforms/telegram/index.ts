/**
 * Telegram Bot API: webhook Updates in (providers.md §3.4), Bot API method calls out (§3.1).
 */
import type { ParsedRequest } from '../../request';
import { isRecord } from '../../util/object';
import type { Detection, PlatformAdapter } from '../types';
import { convertTelegramRequest } from './normalize';
import { renderTelegram, telegramCapabilities } from './render';

function isUpdate(value: unknown): boolean {
	return isRecord(value) && typeof value.update_id === 'number';
}

/**
 * An Update is recognisable by its integer `update_id` (no other platform sends one); Telegram also
 * sends X-Telegram-Bot-Api-Secret-Token when the webhook has a secret. An array of Updates or a
 * getUpdates response (`{ok: true, result: [Update…]}`) counts too; a send-method response
 * (`{ok, result: Message}`) does not.
 */
export function detectTelegram(request: ParsedRequest): Detection {
	const body = request.body;
	if (request.bodyKind === 'json') {
		if (isUpdate(body)) return { match: true };
		if (Array.isArray(body) && body.length > 0 && isUpdate(body[0])) return { match: true };
		if (isRecord(body) && body.ok === true && Array.isArray(body.result) && body.result.length > 0 && isUpdate(body.result[0])) return { match: true };
	}
	if (request.headers['x-telegram-bot-api-secret-token'] !== undefined && request.bodyKind === 'json' && isRecord(body)) return { match: true };
	return { match: false, reason: 'no Update with an integer update_id' };
}

export const telegramAdapter: PlatformAdapter = {
	id: 'telegram',
	name: 'Telegram Bot API',
	channel: 'telegram',
	detect: detectTelegram,
	normalize: convertTelegramRequest,
	renderCapabilities: telegramCapabilities,
	render: renderTelegram,
};
