/**
 * Universal message → Telegram Bot API method calls (providers.md §3.1), one body per call, in order.
 * `endpoint` is the method name (sendMessage, sendPhoto…); every body names its chat in `chat_id`.
 *
 * - text: sendMessage; markdown → parse_mode MarkdownV2 (../shared/markdown.ts), html → parse_mode HTML
 *   (./html.ts sanitises to the tags Telegram knows). Text over 4096 characters is split at line ends.
 * - media: sendPhoto/Video/Audio/Voice/Document/Sticker with the URL or file_id; 2–10 consecutive
 *   photos/videos become one sendMediaGroup album. Captions over 1024 characters (and sticker
 *   captions, which Telegram has no field for) follow as a sendMessage.
 * - location: sendLocation, or sendVenue when it has a name and an address; contacts: one sendContact each.
 * - buttons: an inline keyboard (callback_data = button id, ≤ 64 bytes; url buttons). A buttons part
 *   without text rides on the message just before it when that message can carry a keyboard.
 * - reaction: setMessageReaction (Telegram allows only its fixed set of emoji).
 * - replyTo → reply_parameters on the first call; conversation.threadId → message_thread_id.
 */
import { contactToText } from '../../render/degrade';
import type { ButtonsPart, Contact, MediaKind, MediaPart, Message, Part } from '../../schema/message';
import type { Degradation, PlatformPayload, RenderCapabilities, RenderOptions } from '../types';
import { markdownToTelegramV2 } from '../shared/markdown';
import { splitLines } from '../shared/text';
import { htmlToTelegram } from './html';

type Report = (d: Omit<Degradation, 'partIndex'> & { partIndex?: number }) => void;
type Body = Record<string, unknown>;

export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
export const CALLBACK_DATA_LIMIT = 64;

export const telegramCapabilities: RenderCapabilities = {
	parts: new Set(['text', 'media', 'location', 'contacts', 'buttons', 'reaction']),
	textFormats: new Set(['plain', 'markdown', 'html']),
	// Telegram caps an inline keyboard at 100 buttons.
	maxButtons: 100,
	buttonActions: new Set(['reply', 'url']),
	mediaKinds: new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker']),
};

const MEDIA_METHODS: Readonly<Record<MediaKind, { method: string; field: string }>> = {
	image: { method: 'sendPhoto', field: 'photo' },
	video: { method: 'sendVideo', field: 'video' },
	audio: { method: 'sendAudio', field: 'audio' },
	voice: { method: 'sendVoice', field: 'voice' },
	document: { method: 'sendDocument', field: 'document' },
	sticker: { method: 'sendSticker', field: 'sticker' },
};

/** Methods whose message can take a reply_markup after the fact (not albums, not reactions). */
const KEYBOARD_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendVideo', 'sendAudio', 'sendVoice', 'sendDocument', 'sendSticker', 'sendLocation', 'sendVenue', 'sendContact']);

/**
 * Emoji `setMessageReaction` accepts (ReactionTypeEmoji in the Bot API docs). Anything else is
 * refused with REACTION_INVALID, so it is reported instead of sent.
 */
export const TELEGRAM_REACTION_EMOJI: ReadonlySet<string> = new Set([
	'👍', '👎', '❤', '🔥', '🥰', '👏', '😁', '🤔', '🤯', '😱', '🤬', '😢', '🎉', '🤩', '🤮', '💩', '🙏', '👌', '🕊', '🤡',
	'🥱', '🥴', '😍', '🐳', '❤‍🔥', '🌚', '🌭', '💯', '🤣', '⚡', '🍌', '🏆', '💔', '🤨', '😐', '🍓', '🍾', '💋', '🖕', '😈',
	'😴', '😭', '🤓', '👻', '👨‍💻', '👀', '🎃', '🙈', '😇', '😨', '🤝', '✍', '🤗', '🫡', '🎅', '🎄', '☃', '💅', '🤪', '🗿',
	'🆒', '💘', '🙉', '🦄', '😘', '💊', '🙊', '😎', '👾', '🤷‍♂', '🤷', '🤷‍♀', '😡',
]);

/** Numeric chat ids go out as numbers (what telegraf sends); @channelusername stays a string. */
export function chatIdValue(recipient: string): number | string {
	if (/^-?\d{1,16}$/.test(recipient)) {
		const n = Number(recipient);
		if (Number.isSafeInteger(n)) return n;
	}
	return recipient;
}

/** `<chat>:<message_id>` (what normalize produces) or a bare message_id. */
export function parseMessageRef(ref: string): { chat?: string; messageId: number } | undefined {
	const colon = ref.lastIndexOf(':');
	const idText = colon >= 0 ? ref.slice(colon + 1) : ref;
	if (!/^\d{1,15}$/.test(idText)) return undefined;
	const chat = colon >= 0 ? ref.slice(0, colon) : undefined;
	if (chat !== undefined && !/^(-?\d+|@\w+)$/.test(chat)) return undefined;
	return { chat, messageId: Number(idText) };
}

/** Truncates to at most `max` UTF-8 bytes without splitting a character. */
export function truncateBytes(value: string, max: number): string {
	if (Buffer.byteLength(value, 'utf8') <= max) return value;
	let out = '';
	let bytes = 0;
	for (const ch of value) {
		const size = Buffer.byteLength(ch, 'utf8');
		if (bytes + size > max) break;
		out += ch;
		bytes += size;
	}
	return out;
}

function vcardEscape(value: string): string {
	return value.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/;/g, '\\;').replace(/\n/g, '\\n');
}

/** vCard 3.0 with everything Telegram's own fields cannot hold (more phones, emails, org, urls). */
export function buildVcard(contact: Contact): string {
	const lines = ['BEGIN:VCARD', 'VERSION:3.0'];
	lines.push(`N:${vcardEscape(contact.name.last ?? '')};${vcardEscape(contact.name.first ?? (contact.name.last ? '' : contact.name.formatted))};;;`);
	lines.push(`FN:${vcardEscape(contact.name.formatted)}`);
	for (const p of contact.phones) lines.push(`TEL${p.type ? `;TYPE=${p.type.toUpperCase()}` : ''}:${p.phone}`);
	for (const e of contact.emails) lines.push(`EMAIL${e.type ? `;TYPE=${e.type.toUpperCase()}` : ''}:${e.email}`);
	if (contact.organization) lines.push(`ORG:${vcardEscape(contact.organization)}`);
	for (const u of contact.urls) lines.push(`URL:${u}`);
	if (contact.birthday) lines.push(`BDAY:${contact.birthday}`);
	lines.push('END:VCARD');
	return lines.join('\n');
}

interface TextOut {
	text: string;
	parse_mode?: 'MarkdownV2' | 'HTML';
}

function formatText(source: string, format: 'plain' | 'markdown' | 'html'): TextOut {
	if (format === 'markdown') return { text: markdownToTelegramV2(source), parse_mode: 'MarkdownV2' };
	if (format === 'html') return { text: htmlToTelegram(source), parse_mode: 'HTML' };
	return { text: source };
}

function isGroupable(part: Part | undefined): part is MediaPart {
	return part?.type === 'media' && (part.kind === 'image' || part.kind === 'video') && (part.url ?? part.mediaId) !== undefined;
}

export function renderTelegram(message: Message, options: RenderOptions, report: Report): PlatformPayload[] {
	const recipient = options.to ?? message.recipients[0]?.id ?? message.conversation.id;
	const chatId = chatIdValue(recipient);
	const threadText = recipient === message.conversation.id ? message.conversation.threadId : undefined;
	const threadId = threadText !== undefined && /^\d{1,15}$/.test(threadText) ? Number(threadText) : undefined;
	const payloads: PlatformPayload[] = [];

	let replyParameters: Body | undefined;
	if (message.replyTo) {
		const ref = parseMessageRef(message.replyTo.messageId);
		if (ref) {
			replyParameters = { message_id: ref.messageId };
			if (ref.chat !== undefined && ref.chat !== recipient) replyParameters.chat_id = chatIdValue(ref.chat);
			replyParameters.allow_sending_without_reply = true;
		} else {
			report({ from: 'replyTo', to: 'dropped', reason: `"${message.replyTo.messageId}" is not a Telegram message id (<chat id>:<message_id> or message_id)` });
		}
	}

	/** The partIndex whose payload is last, so a text-less keyboard knows what it may ride on. */
	let lastPart = -1;
	const push = (partIndex: number, method: string, fields: Body): Body => {
		const body: Body = { chat_id: chatId };
		if (threadId !== undefined) body.message_thread_id = threadId;
		Object.assign(body, fields);
		if (replyParameters) {
			body.reply_parameters = replyParameters;
			replyParameters = undefined;
		}
		payloads.push({ endpoint: method, contentType: 'application/json', body });
		lastPart = partIndex;
		return body;
	};

	const sendText = (partIndex: number, source: string, format: 'plain' | 'markdown' | 'html', what: string): void => {
		let sent = false;
		for (const chunk of splitLines(source, TEXT_LIMIT)) {
			const out = formatText(chunk, format);
			if (out.text.trim() === '') continue;
			push(partIndex, 'sendMessage', { text: out.text, ...(out.parse_mode ? { parse_mode: out.parse_mode } : {}) });
			sent = true;
		}
		if (!sent) report({ partIndex, from: what, to: 'dropped', reason: 'Telegram cannot send an empty message' });
	};

	const caption = (partIndex: number, part: MediaPart, fields: Body): string | undefined => {
		if (part.caption === undefined || part.caption === '') return undefined;
		if (part.kind === 'sticker') {
			report({ partIndex, from: 'media', to: 'text', reason: 'stickers have no caption on Telegram; the caption follows as a message' });
			return part.caption;
		}
		if (part.caption.length > CAPTION_LIMIT) {
			report({ partIndex, from: 'media', to: 'text', reason: `caption longer than ${CAPTION_LIMIT} characters; sent as a separate message` });
			return part.caption;
		}
		fields.caption = part.caption;
		return undefined;
	};

	const parts = message.parts;
	for (let i = 0; i < parts.length; i += 1) {
		const part = parts[i]!;
		switch (part.type) {
			case 'text':
				sendText(i, part.text, part.format, 'text');
				break;
			case 'media': {
				const file = part.url ?? part.mediaId;
				if (file === undefined) {
					report({ partIndex: i, from: 'media', to: 'dropped', reason: 'no url or file_id to send' });
					break;
				}
				let end = i;
				while (end + 1 < parts.length && end + 1 - i < 10 && isGroupable(parts[end + 1])) end += 1;
				if (isGroupable(part) && end > i) {
					const leftovers: Array<[number, string]> = [];
					const media = parts.slice(i, end + 1).map((p, k) => {
						const m = p as MediaPart;
						const item: Body = { type: m.kind === 'image' ? 'photo' : 'video', media: m.url ?? m.mediaId };
						const rest = caption(i + k, m, item);
						if (rest !== undefined) leftovers.push([i + k, rest]);
						return item;
					});
					push(i, 'sendMediaGroup', { media });
					lastPart = -1; // an album cannot carry a keyboard
					for (const [index, text] of leftovers) sendText(index, text, 'plain', 'media');
					i = end;
					break;
				}
				const { method, field } = MEDIA_METHODS[part.kind];
				const fields: Body = { [field]: file };
				const rest = caption(i, part, fields);
				push(i, method, fields);
				if (rest !== undefined) sendText(i, rest, 'plain', 'media');
				break;
			}
			case 'location': {
				if (part.name && part.address) {
					push(i, 'sendVenue', { latitude: part.latitude, longitude: part.longitude, title: part.name, address: part.address });
				} else {
					push(i, 'sendLocation', { latitude: part.latitude, longitude: part.longitude });
					if (part.name || part.address) {
						report({ partIndex: i, from: 'location', to: 'location', reason: 'Telegram venues need both a name and an address; the label was left out' });
					}
				}
				break;
			}
			case 'contacts':
				for (const contact of part.contacts) {
					const phone = contact.phones[0]?.phone;
					if (!phone) {
						report({ partIndex: i, from: 'contacts', to: 'text', reason: 'Telegram contacts need a phone number' });
						sendText(i, contactToText(contact), 'plain', 'contacts');
						continue;
					}
					const fields: Body = { phone_number: phone, first_name: contact.name.first ?? contact.name.formatted };
					if (contact.name.first && contact.name.last) fields.last_name = contact.name.last;
					const needsCard = contact.phones.length > 1 || contact.emails.length > 0 || contact.organization || contact.urls.length > 0 || contact.birthday;
					const vcard = contact.vcard ?? (needsCard ? buildVcard(contact) : undefined);
					if (vcard !== undefined && Buffer.byteLength(vcard, 'utf8') <= 2048) fields.vcard = vcard;
					else if (vcard !== undefined) report({ partIndex: i, from: 'contacts', to: 'contacts', reason: 'vCard over 2048 bytes left out; name and first phone sent' });
					push(i, 'sendContact', fields);
				}
				break;
			case 'buttons':
				renderButtons(part, i);
				break;
			case 'reaction': {
				const ref = parseMessageRef(part.targetMessageId);
				if (!ref) {
					report({ partIndex: i, from: 'reaction', to: 'dropped', reason: `"${part.targetMessageId}" is not a Telegram message id` });
					break;
				}
				const emoji = part.emoji.replace(/\uFE0F/g, '');
				if (emoji !== '' && !TELEGRAM_REACTION_EMOJI.has(emoji)) {
					report({ partIndex: i, from: 'reaction', to: 'dropped', reason: `Telegram does not allow ${part.emoji} as a reaction` });
					break;
				}
				const body: Body = {
					chat_id: ref.chat !== undefined ? chatIdValue(ref.chat) : chatId,
					message_id: ref.messageId,
					reaction: emoji === '' ? [] : [{ type: 'emoji', emoji }],
				};
				payloads.push({ endpoint: 'setMessageReaction', contentType: 'application/json', body });
				lastPart = -1;
				break;
			}
			default:
				// Degrade already turned every other kind into one of the above.
				report({ partIndex: i, from: part.type, to: 'dropped', reason: 'not sendable on Telegram' });
		}
	}
	return payloads;

	function renderButtons(part: ButtonsPart, partIndex: number): void {
		const keyboard: Body[][] = [];
		for (const button of part.buttons) {
			if (button.action === 'url' && button.url) {
				keyboard.push([{ text: button.title, url: button.url }]);
				continue;
			}
			if (button.action === 'call') {
				report({ partIndex, from: 'buttons', to: 'dropped', reason: `Telegram has no call buttons ("${button.title}")` });
				continue;
			}
			const data = button.id ?? button.title;
			const fitted = truncateBytes(data, CALLBACK_DATA_LIMIT);
			if (fitted !== data) {
				report({ partIndex, from: 'buttons', to: 'buttons', reason: `callback_data of "${button.title}" cut to ${CALLBACK_DATA_LIMIT} bytes ("${fitted}")` });
			}
			if (fitted === '') {
				report({ partIndex, from: 'buttons', to: 'dropped', reason: `button "${button.title}" has no usable callback_data` });
				continue;
			}
			keyboard.push([{ text: button.title, callback_data: fitted }]);
		}
		if (keyboard.length === 0) {
			if (part.text) sendText(partIndex, part.text, 'plain', 'buttons');
			return;
		}
		const reply_markup = { inline_keyboard: keyboard };
		if (part.text) {
			push(partIndex, 'sendMessage', { text: part.text, reply_markup });
			return;
		}
		const previous = payloads[payloads.length - 1];
		if (previous && lastPart === partIndex - 1 && KEYBOARD_METHODS.has(previous.endpoint) && previous.body.reply_markup === undefined) {
			previous.body.reply_markup = reply_markup;
			return;
		}
		report({ partIndex, from: 'buttons', to: 'buttons', reason: 'Telegram needs text with a keyboard; "Choose:" was added' });
		push(partIndex, 'sendMessage', { text: 'Choose:', reply_markup });
	}
}
