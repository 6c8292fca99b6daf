/**
 * The universal fields a custom mapping can fill, for messages and for delivery events. This table is
 * the contract docs/custom-mapping.md documents: a name here is what the analyst writes on the left of
 * `fields`, the `type` decides how the payload value is read, and the flags drive mapping validation.
 */
import { DELIVERY_STATUSES, INTERACTIVE_SOURCES, MEDIA_KINDS } from '../../schema/message';
import { lookupTable } from '../../util/object';

export const CONVERSATION_TYPES = ['direct', 'group', 'channel', 'thread'] as const;

export type FieldType =
	/** Text; numbers are accepted and written as digits (phone numbers often arrive as numbers). */
	| 'string'
	| 'number'
	| 'integer'
	| 'boolean'
	| 'timestamp'
	/** A word from a closed list (`vocabulary`), translatable through `values`. */
	| 'word';

export interface FieldSpec {
	readonly type: FieldType;
	readonly description: string;
	/** Closed list of universal values (type 'word'). */
	readonly vocabulary?: readonly string[];
	/** Must be mapped. */
	readonly required?: boolean;
	/** Mapping it makes a message carry content (text, media, location, choice). */
	readonly content?: boolean;
	/** A "=constant" makes no sense here (every message would get the same id, text or time). */
	readonly payloadOnly?: boolean;
}

export const MESSAGE_FIELDS = {
	providerMessageId: { type: 'string', payloadOnly: true, description: "the provider's id of the message" },
	'sender.id': { type: 'string', required: true, description: 'who sent it: phone number, user id…' },
	'sender.name': { type: 'string', description: "the sender's display name" },
	'sender.handle': { type: 'string', description: "the sender's username" },
	'sender.phone': { type: 'string', description: "the sender's phone number" },
	'sender.email': { type: 'string', description: "the sender's email address" },
	'recipient.id': { type: 'string', description: 'who it was sent to (your number, bot or page id)' },
	'recipient.name': { type: 'string', description: "the recipient's display name" },
	'conversation.id': { type: 'string', description: 'the chat to reply in (default: sender.id)' },
	'conversation.type': { type: 'word', vocabulary: CONVERSATION_TYPES, description: 'direct, group, channel or thread (default: direct)' },
	'conversation.name': { type: 'string', description: 'the name of the chat or group' },
	'conversation.threadId': { type: 'string', description: 'the thread inside the chat' },
	timestamp: { type: 'timestamp', payloadOnly: true, description: 'when it was sent: ISO date, unix seconds or milliseconds' },
	text: { type: 'string', content: true, payloadOnly: true, description: 'the text of the message' },
	'text.format': { type: 'word', vocabulary: ['plain', 'markdown', 'html'], description: 'plain, markdown or html (default: plain)' },
	'media.url': { type: 'string', content: true, payloadOnly: true, description: 'link to the image, video, audio or file' },
	'media.id': { type: 'string', content: true, payloadOnly: true, description: "the provider's id of the file" },
	'media.kind': { type: 'word', vocabulary: MEDIA_KINDS, description: 'image, video, audio, voice, document or sticker' },
	'media.mimeType': { type: 'string', description: 'the file type, e.g. image/jpeg' },
	'media.caption': { type: 'string', description: 'the caption shown with the file' },
	'media.filename': { type: 'string', description: 'the file name' },
	'media.size': { type: 'integer', description: 'the file size in bytes' },
	'location.latitude': { type: 'number', content: true, payloadOnly: true, description: 'latitude of a shared location' },
	'location.longitude': { type: 'number', content: true, payloadOnly: true, description: 'longitude of a shared location' },
	'location.name': { type: 'string', description: 'name of the place' },
	'location.address': { type: 'string', description: 'address of the place' },
	'interactive.id': { type: 'string', content: true, payloadOnly: true, description: 'id of the button or list option the user chose' },
	'interactive.title': { type: 'string', description: 'title of the button or option chosen' },
	'interactive.source': { type: 'word', vocabulary: INTERACTIVE_SOURCES, description: 'button, list, quick_reply, postback or card_action (default: button)' },
	replyTo: { type: 'string', payloadOnly: true, description: "the provider's id of the message this one answers" },
} as const satisfies Record<string, FieldSpec>;

export const EVENT_FIELDS = {
	providerMessageId: { type: 'string', required: true, payloadOnly: true, description: 'id of the message the status is about' },
	status: { type: 'word', vocabulary: DELIVERY_STATUSES, required: true, description: 'the status word: delivered, read, failed…' },
	timestamp: { type: 'timestamp', payloadOnly: true, description: 'when the status happened' },
	recipient: { type: 'string', description: 'who the message was sent to' },
	'error.code': { type: 'string', description: "the provider's error code" },
	'error.message': { type: 'string', description: "the provider's error text" },
	'error.retryable': { type: 'boolean', description: 'true when sending again may work' },
	providerEventId: { type: 'string', payloadOnly: true, description: "the provider's id of this status report (for de-duplication)" },
} as const satisfies Record<string, FieldSpec>;

export type MessageField = keyof typeof MESSAGE_FIELDS;
export type EventField = keyof typeof EVENT_FIELDS;

/** Content fields: a message needs at least one of these present. */
export const CONTENT_FIELDS: readonly MessageField[] = ['text', 'media.url', 'media.id', 'location.latitude', 'interactive.id'];

/** Names analysts often reach for, pointing at the universal field they mean. */
const ALIASES: Record<string, string> = lookupTable({
	from: 'sender.id',
	sender: 'sender.id',
	author: 'sender.id',
	user: 'sender.id',
	phone: 'sender.phone',
	to: 'recipient.id',
	recipient: 'recipient.id',
	body: 'text',
	message: 'text',
	content: 'text',
	'text.body': 'text',
	id: 'providerMessageId',
	messageid: 'providerMessageId',
	message_id: 'providerMessageId',
	'message.id': 'providerMessageId',
	date: 'timestamp',
	time: 'timestamp',
	created_at: 'timestamp',
	sent_at: 'timestamp',
	type: 'media.kind',
	url: 'media.url',
	media: 'media.url',
	caption: 'media.caption',
	mimetype: 'media.mimeType',
	mime_type: 'media.mimeType',
	filename: 'media.filename',
	chat: 'conversation.id',
	chatid: 'conversation.id',
	chat_id: 'conversation.id',
	'replyto.messageid': 'replyTo',
	reply_to: 'replyTo',
	context: 'replyTo',
	latitude: 'location.latitude',
	longitude: 'location.longitude',
	lat: 'location.latitude',
	lng: 'location.longitude',
	button: 'interactive.id',
	state: 'status',
	error: 'error.code',
	code: 'error.code',
});

function distance(a: string, b: string): number {
	const row = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i += 1) {
		let previous = row[0]!;
		row[0] = i;
		for (let j = 1; j <= b.length; j += 1) {
			const current = row[j]!;
			row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
			previous = current;
		}
	}
	return row[b.length]!;
}

/** The closest valid name to `name` (typos, case, common aliases), or undefined when nothing is close. */
export function suggest(name: string, valid: readonly string[]): string | undefined {
	const lower = name.toLowerCase();
	const sameCase = valid.find((v) => v.toLowerCase() === lower);
	if (sameCase) return sameCase;
	const alias = ALIASES[lower] ?? ALIASES[lower.replace(/[-\s]/g, '_')];
	if (alias && valid.includes(alias)) return alias;
	let best: string | undefined;
	let bestScore = Infinity;
	for (const candidate of valid) {
		const score = distance(lower, candidate.toLowerCase());
		if (score < bestScore) {
			best = candidate;
			bestScore = score;
		}
	}
	if (best !== undefined && bestScore <= Math.max(2, Math.floor(name.length / 3))) return best;
	// "phone_number" → "sender.phone": same last word after the dot.
	const last = lower.split('.').pop()!;
	return valid.find((v) => v.toLowerCase().endsWith(`.${last}`) || last.startsWith(v.toLowerCase().split('.').pop()!));
}
