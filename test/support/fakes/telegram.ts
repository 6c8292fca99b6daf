/**
 * A fake Telegram Bot API (providers.md §3): `POST /bot<token>/<method>` with JSON bodies, answering
 * the real envelopes — `{ok: true, result}` and `{ok: false, error_code, description, parameters?}`.
 *
 * - A wrong token answers 401 `Unauthorized`; a path that is not `bot<id>:<secret>` answers 404 `Not
 *   Found` (what api.telegram.org does).
 * - sendMessage/sendPhoto/…/sendContact answer a Message with an increasing message_id; sendMediaGroup
 *   an array of Messages sharing a media_group_id; setMessageReaction `true`; getMe the bot.
 * - Chats in `blocked` answer 403 "Forbidden: bot was blocked by the user"; chats in `missing` answer
 *   400 "Bad Request: chat not found"; an empty text answers 400 "Bad Request: message text is empty".
 * Anything else (429 retry_after, 5xx, resets, hangs) is scripted per call with `next(…)`.
 */
import { FakeServer, type FakeReply, type RecordedRequest } from './server';

export const TELEGRAM_BOT_TOKEN = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1';
export const TELEGRAM_BOT = { id: 7012345678, is_bot: true, first_name: 'Acme Notifier', username: 'acme_notifier_bot' };

/** A Bot API error envelope, as Telegram sends it. */
export function telegramError(errorCode: number, description: string, parameters?: Record<string, unknown>): FakeReply {
	return { status: errorCode, body: { ok: false, error_code: errorCode, description, ...(parameters ? { parameters } : {}) } };
}

const MEDIA_FIELDS: Record<string, string> = {
	sendphoto: 'photo',
	sendvideo: 'video',
	sendaudio: 'audio',
	sendvoice: 'voice',
	senddocument: 'document',
	sendsticker: 'sticker',
};

export class TelegramFake extends FakeServer {
	readonly blocked = new Set<string>();
	readonly missing = new Set<string>();
	#nextId = 4121;

	constructor(readonly token: string = TELEGRAM_BOT_TOKEN) {
		let self: TelegramFake | undefined;
		super([{ method: 'POST', path: /^\/bot[^/]*\/\w+$/, handler: (r) => self!.#answer(r) }]);
		self = this;
	}

	/** Also forgets blocked/missing chats and restarts message ids at 4121. */
	override reset(): void {
		super.reset();
		this.blocked.clear();
		this.missing.clear();
		this.#nextId = 4121;
	}

	/** Requests that reached a method (path `/bot<token>/<method>`), by method name. */
	calls(method?: string): RecordedRequest[] {
		return this.requests.filter((r) => method === undefined || r.path.endsWith(`/${method}`));
	}

	#message(chatId: unknown, extra: Record<string, unknown>): Record<string, unknown> {
		const id = typeof chatId === 'number' ? chatId : /^-?\d+$/.test(String(chatId)) ? Number(chatId) : -1001234567890;
		return {
			message_id: this.#nextId++,
			from: TELEGRAM_BOT,
			chat: id > 0 ? { id, first_name: 'Marta', username: 'marta_k', type: 'private' } : { id, title: 'Ops Team', type: 'supergroup' },
			date: 1779980700,
			...extra,
		};
	}

	#answer(request: RecordedRequest): FakeReply {
		const match = /^\/bot([^/]*)\/(\w+)$/.exec(request.path)!;
		const [, token, rawMethod] = match as unknown as [string, string, string];
		if (!/^\d+:[\w-]+$/.test(token)) return telegramError(404, 'Not Found');
		if (token !== this.token) return telegramError(401, 'Unauthorized');
		const method = rawMethod.toLowerCase();
		const body = (request.json ?? {}) as Record<string, unknown>;
		if (method === 'getme') return ok({ ...TELEGRAM_BOT, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });

		const chat = String(body.chat_id ?? '');
		if (chat === '') return telegramError(400, 'Bad Request: chat_id is empty');
		if (this.missing.has(chat)) return telegramError(400, 'Bad Request: chat not found');
		if (this.blocked.has(chat)) return telegramError(403, 'Forbidden: bot was blocked by the user');

		switch (method) {
			case 'sendmessage':
				if (typeof body.text !== 'string' || body.text.trim() === '') return telegramError(400, 'Bad Request: message text is empty');
				return ok(this.#message(body.chat_id, { text: body.text, ...(body.reply_markup ? { reply_markup: body.reply_markup } : {}) }));
			case 'sendmediagroup': {
				const media = Array.isArray(body.media) ? body.media : [];
				if (media.length < 2 || media.length > 10) return telegramError(400, 'Bad Request: wrong number of messages to send');
				const group = '13949247817046321';
				return ok(media.map((m) => this.#message(body.chat_id, { media_group_id: group, [(m as { type: string }).type]: { file_id: 'AgACAgQAAxkBAAIBY2' } })));
			}
			case 'setmessagereaction':
				if (typeof body.message_id !== 'number') return telegramError(400, 'Bad Request: message identifier is not specified');
				return ok(true);
			case 'sendlocation':
			case 'sendvenue':
				return ok(this.#message(body.chat_id, { location: { latitude: body.latitude, longitude: body.longitude } }));
			case 'sendcontact':
				return ok(this.#message(body.chat_id, { contact: { phone_number: body.phone_number, first_name: body.first_name } }));
			default: {
				const field = MEDIA_FIELDS[method];
				if (field === undefined) return telegramError(404, 'Not Found: method not found');
				if (body[field] === undefined) return telegramError(400, `Bad Request: there is no ${field} in the request`);
				return ok(this.#message(body.chat_id, { [field]: { file_id: 'AgACAgQAAxkBAAIBY2' }, ...(body.caption ? { caption: body.caption } : {}) }));
			}
		}
	}
}

function ok(result: unknown): FakeReply {
	return { status: 200, body: { ok: true, result } };
}
