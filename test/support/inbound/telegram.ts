/**
 * Test-only: what another bot in the chat receives when Switchboard's rendered Bot API calls are
 * executed — one Update per resulting message (albums arrive as one Update per item, sharing a
 * media_group_id), in order. Telegram turns a sent URL into a file_id, so media arrive with the sent
 * value as their file_id. Formatted text (parse_mode) is not simulated: Telegram would deliver the
 * text without markup plus entities.
 */
import type { PlatformPayload } from '../../../core/platforms/types';
import type { InboundRequest } from '../../../core/request';

export interface TelegramDeliverOptions {
	firstUpdateId?: number;
	firstMessageId?: number;
	/** Unix seconds of the first message. */
	date?: number;
	/** Chat id used when the rendered chat_id is not numeric (Telegram chat ids are integers). */
	chatId?: number;
}

type Json = Record<string, unknown>;

export const SENDER_BOT = { id: 7012345678, is_bot: true, first_name: 'Acme Notifier', username: 'acme_notifier_bot' };

const MEDIA_FIELDS: Record<string, string> = {
	sendPhoto: 'photo',
	sendVideo: 'video',
	sendAudio: 'audio',
	sendVoice: 'voice',
	sendDocument: 'document',
	sendSticker: 'sticker',
};

function fileObject(value: unknown, n: number): Json {
	return { file_id: String(value), file_unique_id: `uniq${n}`, file_size: 1000 + n };
}

export function deliverTelegram(payloads: readonly PlatformPayload[], options: TelegramDeliverOptions = {}): InboundRequest[] {
	let updateId = options.firstUpdateId ?? 500000001;
	let messageId = options.firstMessageId ?? 9001;
	const date = options.date ?? 1779980000;
	const updates: Json[] = [];

	for (const payload of payloads) {
		const body = payload.body;
		if (body.parse_mode !== undefined) throw new Error('deliverTelegram: parse_mode text is not simulated');
		const chatId = typeof body.chat_id === 'number' ? body.chat_id : (options.chatId ?? 582913377);
		const chat = { id: chatId, type: chatId < 0 ? 'supergroup' : 'private', ...(chatId < 0 ? { title: 'Group' } : { first_name: 'Marta' }) };
		const envelope = (extra: Json): Json => {
			const message: Json = { message_id: messageId++, from: SENDER_BOT, chat, date, ...extra };
			if (body.message_thread_id !== undefined) message.message_thread_id = body.message_thread_id;
			if (body.reply_markup !== undefined) message.reply_markup = body.reply_markup;
			const reply = body.reply_parameters as Json | undefined;
			if (reply) message.reply_to_message = { message_id: reply.message_id, from: { id: 582913377, is_bot: false, first_name: 'Marta' }, chat, date: date - 60, text: 'earlier' };
			return { update_id: updateId++, message };
		};
		switch (payload.endpoint) {
			case 'sendMessage':
				updates.push(envelope({ text: body.text }));
				break;
			case 'sendPhoto':
				updates.push(envelope({ photo: [{ ...fileObject(`${String(body.photo)}#small`, 0), width: 90, height: 90 }, { ...fileObject(body.photo, 1), width: 1280, height: 960 }], ...(body.caption !== undefined ? { caption: body.caption } : {}) }));
				break;
			case 'sendVideo':
			case 'sendAudio':
			case 'sendVoice':
			case 'sendDocument':
			case 'sendSticker': {
				const field = MEDIA_FIELDS[payload.endpoint]!;
				updates.push(envelope({ [field]: fileObject(body[field], 2), ...(body.caption !== undefined ? { caption: body.caption } : {}) }));
				break;
			}
			case 'sendMediaGroup': {
				const group = `album${updateId}`;
				for (const item of body.media as Json[]) {
					const content = item.type === 'photo' ? { photo: [{ ...fileObject(item.media, 3), width: 800, height: 600 }] } : { video: fileObject(item.media, 4) };
					updates.push(envelope({ ...content, media_group_id: group, ...(item.caption !== undefined ? { caption: item.caption } : {}) }));
				}
				break;
			}
			case 'sendLocation':
				updates.push(envelope({ location: { latitude: body.latitude, longitude: body.longitude } }));
				break;
			case 'sendVenue':
				updates.push(
					envelope({
						location: { latitude: body.latitude, longitude: body.longitude },
						venue: { location: { latitude: body.latitude, longitude: body.longitude }, title: body.title, address: body.address },
					}),
				);
				break;
			case 'sendContact':
				updates.push(
					envelope({
						contact: {
							phone_number: body.phone_number,
							first_name: body.first_name,
							...(body.last_name !== undefined ? { last_name: body.last_name } : {}),
							...(body.vcard !== undefined ? { vcard: body.vcard } : {}),
						},
					}),
				);
				break;
			case 'setMessageReaction':
				updates.push({
					update_id: updateId++,
					message_reaction: {
						chat,
						message_id: body.message_id,
						user: { id: SENDER_BOT.id, is_bot: true, first_name: SENDER_BOT.first_name },
						date,
						old_reaction: [],
						new_reaction: body.reaction,
					},
				});
				break;
			default:
				throw new Error(`deliverTelegram: ${payload.endpoint} is not simulated`);
		}
	}
	return updates.map((update) => ({
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'test-telegram-secret_token-42' },
		body: Buffer.from(JSON.stringify(update)),
	}));
}
