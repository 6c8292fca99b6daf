/**
 * Telegram Bot API updates (providers.md §3.4) → universal messages.
 *
 * A webhook POST carries one Update; the same converter also reads what getUpdates returns (an array
 * of Updates, or the whole `{ok: true, result: [...]}` response), in order. Telegram has no delivery
 * or read receipts for bots, so this never produces events.
 *
 * Ids: a Telegram `message_id` is only unique inside its chat, so the provider message id is
 * `<chat id>:<message_id>` (e.g. `582913377:4101`, `-1001234567890:77`) and the Switchboard id is
 * `telegram:<chat id>:<message_id>` (an edit: `…:edit:<edit_date>`). Reply and reaction targets use
 * the same form, and the renderer accepts it back (or a bare message_id) for reply_parameters and
 * setMessageReaction. Updates that are not messages (button presses, reactions, membership
 * changes…) are identified by their update_id: `telegram:update:<update_id>`, which is what a
 * redelivered update repeats.
 */
import { z } from 'zod/v4';
import { MalformedBodyError, PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import {
	type Contact,
	type Conversation,
	type MediaKind,
	type MediaPart,
	type Message,
	type Part,
	type Participant,
} from '../../schema/message';
import { compact, isRecord, type Json, lookupTable } from '../../util/object';
import { fromUnixSeconds } from '../../util/time';
import { byteSize, inboundMessage, setDefined, type InboundFields } from '../shared/inbound';
import { readVendor, vendorSchema } from '../shared/vendor';
import type { NormalizeContext, NormalizeOutput } from '../types';

export const TELEGRAM = 'telegram';

// ---------------------------------------------------------------------------------------------------
// Partial vendor schemas: only the fields read. Telegram documents ids as integers; chat ids are also
// accepted as strings because hosts that re-serialise big ids sometimes quote them.

const chatId = z.union([z.number(), z.string().min(1)]);

const userSchema = z.looseObject({
	id: z.number(),
	is_bot: z.boolean().optional(),
	first_name: z.string().optional(),
	last_name: z.string().optional(),
	username: z.string().optional(),
});
type TelegramUser = z.output<typeof userSchema>;

const chatSchema = z.looseObject({
	id: chatId,
	type: z.string(),
	title: z.string().optional(),
	username: z.string().optional(),
	first_name: z.string().optional(),
	last_name: z.string().optional(),
});
type TelegramChat = z.output<typeof chatSchema>;

const fileSchema = z.looseObject({
	file_id: z.string().min(1),
	file_unique_id: z.string().optional(),
	file_size: z.number().optional(),
	file_name: z.string().optional(),
	mime_type: z.string().optional(),
});
type TelegramFile = z.output<typeof fileSchema>;

const locationSchema = z.looseObject({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) });

const messageSchema = vendorSchema(z.looseObject({
	message_id: z.number().int(),
	date: z.number(),
	chat: chatSchema,
	from: userSchema.optional(),
	sender_chat: chatSchema.optional(),
	message_thread_id: z.number().int().optional(),
	is_topic_message: z.boolean().optional(),
	edit_date: z.number().optional(),
	reply_to_message: z
		.looseObject({ message_id: z.number().int(), chat: chatSchema.optional(), from: userSchema.optional(), sender_chat: chatSchema.optional() })
		.optional(),
	text: z.string().optional(),
	caption: z.string().optional(),
	media_group_id: z.string().optional(),
	photo: z.array(fileSchema).optional(),
	document: fileSchema.optional(),
	video: fileSchema.optional(),
	animation: fileSchema.optional(),
	video_note: fileSchema.optional(),
	audio: fileSchema.optional(),
	voice: fileSchema.optional(),
	sticker: fileSchema.optional(),
	location: locationSchema.optional(),
	venue: z.looseObject({ location: locationSchema, title: z.string(), address: z.string() }).optional(),
	contact: z
		.looseObject({
			phone_number: z.string(),
			first_name: z.string(),
			last_name: z.string().optional(),
			user_id: z.number().optional(),
			vcard: z.string().optional(),
		})
		.optional(),
}));
type TelegramMessage = z.output<typeof messageSchema.schema>;

const callbackQuerySchema = vendorSchema(z.looseObject({
	id: z.string().min(1),
	from: userSchema,
	message: z
		.looseObject({
			message_id: z.number().int(),
			chat: chatSchema,
			from: userSchema.optional(),
			message_thread_id: z.number().int().optional(),
			is_topic_message: z.boolean().optional(),
		})
		.optional(),
	inline_message_id: z.string().optional(),
	chat_instance: z.string().optional(),
	data: z.string().optional(),
	game_short_name: z.string().optional(),
}));

const reactionTypeSchema = z.looseObject({ type: z.string(), emoji: z.string().optional() });
const messageReactionSchema = vendorSchema(z.looseObject({
	chat: chatSchema,
	message_id: z.number().int(),
	user: userSchema.optional(),
	actor_chat: chatSchema.optional(),
	date: z.number(),
	old_reaction: z.array(reactionTypeSchema),
	new_reaction: z.array(reactionTypeSchema),
}));

const chatMemberUpdatedSchema = vendorSchema(z.looseObject({
	chat: chatSchema,
	from: userSchema,
	date: z.number(),
	old_chat_member: z.looseObject({ status: z.string(), user: userSchema }),
	new_chat_member: z.looseObject({ status: z.string(), user: userSchema }),
}));

const updateSchema = vendorSchema(z.looseObject({ update_id: z.number().int() }));

/** Update fields that carry a Message. */
const MESSAGE_KINDS = new Set(['message', 'edited_message', 'channel_post', 'edited_channel_post', 'business_message', 'edited_business_message']);

// ---------------------------------------------------------------------------------------------------

function fullName(first: string | undefined, last: string | undefined): string | undefined {
	if (first && last) return `${first} ${last}`;
	return first || last || undefined;
}

function userParticipant(user: TelegramUser): Participant {
	const p: Participant = { id: String(user.id) };
	const name = fullName(user.first_name, user.last_name);
	if (name !== undefined) p.name = name;
	if (user.username !== undefined) p.handle = user.username;
	if (user.is_bot !== undefined) p.isBot = user.is_bot;
	return p;
}

function chatParticipant(chat: TelegramChat): Participant {
	const p: Participant = { id: String(chat.id) };
	const name = chat.title ?? fullName(chat.first_name, chat.last_name);
	if (name !== undefined) p.name = name;
	if (chat.username !== undefined) p.handle = chat.username;
	return p;
}

export function conversationType(chatType: string): Conversation['type'] {
	switch (chatType) {
		case 'private':
			return 'direct';
		case 'group':
		case 'supergroup':
			return 'group';
		case 'channel':
			return 'channel';
		default:
			return 'group';
	}
}

function conversationOf(chat: TelegramChat, threadId: number | undefined, isTopic: boolean | undefined): Conversation {
	const conversation: Conversation = { id: String(chat.id), type: isTopic && threadId !== undefined ? 'thread' : conversationType(chat.type) };
	if (threadId !== undefined) conversation.threadId = String(threadId);
	const name = chat.title ?? fullName(chat.first_name, chat.last_name);
	if (name !== undefined) conversation.name = name;
	return conversation;
}

/** `<chat id>:<message_id>`: see the file comment. */
export function telegramMessageRef(chat: string | number, messageIdValue: number): string {
	return `${chat}:${messageIdValue}`;
}

function timestampOf(date: number | undefined, context: NormalizeContext): string {
	// Inaccessible messages carry date 0: that is "unknown", not 1970.
	return (date && date > 0 ? fromUnixSeconds(date) : undefined) ?? context.now().toISOString();
}

/** The universal message; `id` is the provider-side identity (see the file comment). */
function assemble(fields: InboundFields, context: NormalizeContext, raw: unknown): Message {
	return inboundMessage(TELEGRAM, 'telegram', fields, context.keepRaw, raw);
}

function mediaPart(kind: MediaKind, file: TelegramFile, caption: string | undefined): Part {
	const part: MediaPart = { type: 'media', kind, mediaId: file.file_id };
	if (file.mime_type !== undefined) part.mimeType = file.mime_type;
	if (file.file_name !== undefined) part.filename = file.file_name;
	if (caption !== undefined) part.caption = caption;
	setDefined(part, 'size', byteSize(file.file_size));
	return part;
}

/** The TEL/EMAIL/ORG/URL/BDAY lines of a vCard Telegram forwards with a shared contact. */
function readVcard(vcard: string): Pick<Contact, 'phones' | 'emails' | 'urls'> & { organization?: string; birthday?: string } {
	const out: Pick<Contact, 'phones' | 'emails' | 'urls'> & { organization?: string; birthday?: string } = { phones: [], emails: [], urls: [] };
	for (const rawLine of vcard.split(/\r?\n/)) {
		const colon = rawLine.indexOf(':');
		if (colon < 0) continue;
		const key = rawLine.slice(0, colon).toUpperCase();
		const value = rawLine.slice(colon + 1).trim();
		if (value === '') continue;
		const name = key.split(';')[0]!.replace(/^ITEM\d+\./, '');
		const typeMatch = /TYPE=([^;:]+)/.exec(key);
		const type = typeMatch ? typeMatch[1]!.split(',')[0]!.toLowerCase() : undefined;
		if (name === 'TEL') out.phones.push(compact({ phone: value.replace(/^tel:/i, ''), type }));
		else if (name === 'EMAIL') out.emails.push(compact({ email: value, type }));
		else if (name === 'ORG') out.organization = value.split(';').filter(Boolean).join(', ');
		else if (name === 'URL') out.urls.push(value.replace(/\\:/g, ':'));
		else if (name === 'BDAY') out.birthday = value;
	}
	return out;
}

function contactPart(contact: NonNullable<TelegramMessage['contact']>): Part {
	const fromCard = contact.vcard ? readVcard(contact.vcard) : { phones: [], emails: [], urls: [] };
	const phones = [{ phone: contact.phone_number }];
	const normalizedMain = contact.phone_number.replace(/[^\d+]/g, '');
	for (const p of fromCard.phones) if (p.phone.replace(/[^\d+]/g, '') !== normalizedMain) phones.push(p);
	const entry: Contact = compact({
		name: compact({ formatted: fullName(contact.first_name, contact.last_name) ?? contact.phone_number, first: contact.first_name, last: contact.last_name }),
		phones,
		emails: fromCard.emails,
		urls: fromCard.urls,
		organization: 'organization' in fromCard ? fromCard.organization : undefined,
		birthday: 'birthday' in fromCard ? fromCard.birthday : undefined,
		vcard: contact.vcard,
		userId: contact.user_id !== undefined ? String(contact.user_id) : undefined,
	});
	return { type: 'contacts', contacts: [entry] };
}

/** Message fields that are envelope, not content: the first other field names unmapped content. */
const ENVELOPE_FIELDS = new Set([
	'message_id', 'message_thread_id', 'direct_messages_topic', 'from', 'sender_chat', 'sender_boost_count', 'sender_business_bot',
	'date', 'business_connection_id', 'chat', 'forward_origin', 'is_topic_message', 'is_automatic_forward', 'reply_to_message',
	'external_reply', 'quote', 'reply_to_story', 'reply_to_checklist_task_id', 'via_bot', 'edit_date', 'has_protected_content',
	'is_from_offline', 'is_paid_post', 'media_group_id', 'author_signature', 'paid_star_count', 'effect_id', 'link_preview_options',
	'reply_markup', 'entities', 'caption', 'caption_entities', 'show_caption_above_media', 'has_media_spoiler', 'suggested_post_info',
]);

/** Service messages that describe a change to the chat rather than content. */
const SERVICE_EVENTS: Readonly<Record<string, string>> = lookupTable({
	new_chat_members: 'member_added',
	left_chat_member: 'member_removed',
	new_chat_title: 'title_changed',
	new_chat_photo: 'photo_changed',
	delete_chat_photo: 'photo_removed',
	group_chat_created: 'chat_created',
	supergroup_chat_created: 'chat_created',
	channel_chat_created: 'chat_created',
	migrate_to_chat_id: 'chat_migrated',
	migrate_from_chat_id: 'chat_migrated',
	pinned_message: 'message_pinned',
	message_auto_delete_timer_changed: 'auto_delete_changed',
	forum_topic_created: 'topic_created',
	forum_topic_edited: 'topic_edited',
	forum_topic_closed: 'topic_closed',
	forum_topic_reopened: 'topic_reopened',
	general_forum_topic_hidden: 'topic_hidden',
	general_forum_topic_unhidden: 'topic_unhidden',
	video_chat_scheduled: 'video_chat_scheduled',
	video_chat_started: 'video_chat_started',
	video_chat_ended: 'video_chat_ended',
	video_chat_participants_invited: 'video_chat_invited',
	users_shared: 'users_shared',
	chat_shared: 'chat_shared',
	write_access_allowed: 'write_access_allowed',
});

function contentParts(m: TelegramMessage, raw: Json, metadata: Json): Part[] {
	const caption = m.caption;
	if (m.text !== undefined) return [{ type: 'text', text: m.text, format: 'plain' }];
	if (m.photo !== undefined && m.photo.length > 0) {
		// PhotoSizes come smallest → largest; the last is the original resolution.
		return [mediaPart('image', m.photo[m.photo.length - 1]!, caption)];
	}
	// An animation (GIF/MP4) also carries a `document` copy for old clients: read the animation only.
	if (m.animation) {
		metadata.animation = true;
		return [mediaPart('video', m.animation, caption)];
	}
	if (m.video) return [mediaPart('video', m.video, caption)];
	if (m.video_note) {
		metadata.videoNote = true;
		return [mediaPart('video', m.video_note, caption)];
	}
	if (m.voice) return [mediaPart('voice', m.voice, caption)];
	if (m.audio) return [mediaPart('audio', m.audio, caption)];
	if (m.document) return [mediaPart('document', m.document, caption)];
	if (m.sticker) {
		const sticker = raw.sticker as Json;
		metadata.sticker = compact({
			emoji: typeof sticker.emoji === 'string' ? sticker.emoji : undefined,
			setName: typeof sticker.set_name === 'string' ? sticker.set_name : undefined,
			type: typeof sticker.type === 'string' ? sticker.type : undefined,
			isAnimated: typeof sticker.is_animated === 'boolean' ? sticker.is_animated : undefined,
			isVideo: typeof sticker.is_video === 'boolean' ? sticker.is_video : undefined,
		});
		return [mediaPart('sticker', m.sticker, undefined)];
	}
	if (m.venue) {
		const venue = raw.venue as Json;
		if (typeof venue.foursquare_id === 'string') metadata.foursquareId = venue.foursquare_id;
		if (typeof venue.google_place_id === 'string') metadata.googlePlaceId = venue.google_place_id;
		return [{ type: 'location', latitude: m.venue.location.latitude, longitude: m.venue.location.longitude, name: m.venue.title, address: m.venue.address }];
	}
	if (m.location) {
		const location = raw.location as Json;
		if (typeof location.live_period === 'number') metadata.livePeriod = location.live_period;
		if (typeof location.horizontal_accuracy === 'number') metadata.horizontalAccuracy = location.horizontal_accuracy;
		return [{ type: 'location', latitude: m.location.latitude, longitude: m.location.longitude }];
	}
	if (m.contact) return [contactPart(m.contact)];

	for (const key of Object.keys(raw)) {
		const event = SERVICE_EVENTS[key];
		if (event === undefined) continue;
		const value = raw[key];
		const data: Json = { [key]: value };
		const text = key === 'new_chat_title' && typeof value === 'string' ? value : undefined;
		return [compact({ type: 'system' as const, event, text, data })];
	}
	let platformType = 'message';
	for (const key of Object.keys(raw)) {
		if (!ENVELOPE_FIELDS.has(key)) {
			platformType = key;
			break;
		}
	}
	const original = platformType === 'message' ? raw : raw[platformType];
	return [{ type: 'unsupported', platformType, reason: `Telegram ${platformType} content is not mapped`, original }];
}

/** Message fields kept in metadata as sent, under these names. */
const KEPT_FIELDS: ReadonlyArray<readonly [string, string]> = [
	['forward_origin', 'forwardOrigin'],
	['via_bot', 'viaBot'],
	['author_signature', 'authorSignature'],
	['business_connection_id', 'businessConnectionId'],
	['reply_markup', 'replyMarkup'],
	['quote', 'quote'],
	['external_reply', 'externalReply'],
];

function convertMessage(raw: unknown, kind: string, updateId: number, path: string, context: NormalizeContext, rawUpdate: unknown): Message {
	const m = readVendor(TELEGRAM, messageSchema, raw, path);
	const rawMessage = raw as Json;
	const chat = String(m.chat.id);
	const metadata: Json = { updateId, updateType: kind, messageId: m.message_id, chatType: m.chat.type };
	const parts = contentParts(m, rawMessage, metadata);

	if (kind.startsWith('edited_')) {
		metadata.edited = true;
		const editedAt = m.edit_date !== undefined ? fromUnixSeconds(m.edit_date) : undefined;
		if (editedAt !== undefined) metadata.editedAt = editedAt;
	}
	if (Array.isArray(rawMessage.entities)) metadata.entities = rawMessage.entities;
	if (Array.isArray(rawMessage.caption_entities) && rawMessage.caption_entities.length > 0) metadata.captionEntities = rawMessage.caption_entities;
	const first = Array.isArray(rawMessage.entities) ? rawMessage.entities[0] : undefined;
	if (m.text !== undefined && isRecord(first) && first.type === 'bot_command' && first.offset === 0 && typeof first.length === 'number') {
		metadata.command = m.text.slice(0, first.length);
		const args = m.text.slice(first.length).trim();
		if (args !== '') metadata.commandArgs = args;
	}
	if (m.media_group_id !== undefined) metadata.mediaGroupId = m.media_group_id;
	for (let i = 0; i < KEPT_FIELDS.length; i += 1) {
		const [field, key] = KEPT_FIELDS[i]!;
		if (rawMessage[field] !== undefined) metadata[key] = rawMessage[field];
	}

	// In forum topics every message "replies" to the topic's creation message; that is not a reply.
	const reply = m.reply_to_message;
	const isTopicAnchor = reply !== undefined && m.is_topic_message === true && (reply as Json).forum_topic_created !== undefined;
	let replyTo: Message['replyTo'];
	if (reply && !isTopicAnchor) {
		replyTo = { messageId: telegramMessageRef(reply.chat?.id ?? chat, reply.message_id) };
		const from = reply.sender_chat ?? reply.from;
		if (from !== undefined) replyTo.senderId = String(from.id);
	}

	// Anonymous admins and channels post as sender_chat (with a placeholder bot in `from`).
	const sender = m.sender_chat ? chatParticipant(m.sender_chat) : m.from ? userParticipant(m.from) : chatParticipant(m.chat);
	const providerMessageId = telegramMessageRef(chat, m.message_id);
	// An edit is the same message (same provider id) but a new event: its own Switchboard id, so
	// de-duplication does not mistake it for a redelivery of the original.
	const edited = metadata.edited === true;
	return assemble(
		{
			id: edited ? `${providerMessageId}:edit:${m.edit_date ?? `update${updateId}`}` : providerMessageId,
			conversation: conversationOf(m.chat, m.message_thread_id, m.is_topic_message),
			sender,
			timestamp: timestampOf(m.date, context),
			parts,
			replyTo,
			providerMessageId,
			metadata,
		},
		context,
		rawUpdate,
	);
}

function findKeyboardTitle(markup: unknown, data: string): string | undefined {
	if (!isRecord(markup) || !Array.isArray(markup.inline_keyboard)) return undefined;
	for (const row of markup.inline_keyboard) {
		if (!Array.isArray(row)) continue;
		for (const button of row) {
			if (isRecord(button) && button.callback_data === data && typeof button.text === 'string') return button.text;
		}
	}
	return undefined;
}

function convertCallbackQuery(raw: unknown, updateId: number, path: string, context: NormalizeContext, rawUpdate: unknown): Message {
	const q = readVendor(TELEGRAM, callbackQuerySchema, raw, path);
	const rawQuery = raw as Json;
	const metadata: Json = compact({
		updateId,
		updateType: 'callback_query',
		callbackQueryId: q.id,
		chatInstance: q.chat_instance,
		inlineMessageId: q.inline_message_id,
		gameShortName: q.game_short_name,
	});
	const pressedOn = q.message;
	const title = q.data !== undefined && isRecord(rawQuery.message) ? findKeyboardTitle(rawQuery.message.reply_markup, q.data) : undefined;
	const parts: Part[] =
		q.data !== undefined
			? [compact({ type: 'interactive_reply' as const, id: q.data, title, source: 'button' as const })]
			: [{ type: 'unsupported', platformType: 'callback_query', reason: 'a callback query without data (game button)', original: raw }];
	return assemble(
		{
			id: `update:${updateId}`,
			conversation: pressedOn
				? conversationOf(pressedOn.chat, pressedOn.message_thread_id, pressedOn.is_topic_message)
				: { id: String(q.from.id), type: 'direct' as const },
			sender: userParticipant(q.from),
			// The query carries no time of its own (message.date is when the keyboard was sent).
			timestamp: context.now().toISOString(),
			parts,
			replyTo: pressedOn
				? compact({
						messageId: telegramMessageRef(pressedOn.chat.id, pressedOn.message_id),
						senderId: pressedOn.from ? String(pressedOn.from.id) : undefined,
					})
				: undefined,
			metadata,
		},
		context,
		rawUpdate,
	);
}

function convertReaction(raw: unknown, updateId: number, path: string, context: NormalizeContext, rawUpdate: unknown): Message {
	const r = readVendor(TELEGRAM, messageReactionSchema, raw, path);
	const target = telegramMessageRef(r.chat.id, r.message_id);
	const parts: Part[] = [];
	r.new_reaction.forEach((reaction, i) => {
		if (reaction.type === 'emoji' && reaction.emoji !== undefined) parts.push({ type: 'reaction', emoji: reaction.emoji, targetMessageId: target });
		else
			parts.push({
				type: 'unsupported',
				platformType: `reaction.${reaction.type}`,
				reason: 'only emoji reactions map to a reaction part',
				original: (raw as Json & { new_reaction: unknown[] }).new_reaction[i],
			});
	});
	// An empty new_reaction means the reactions were taken back.
	if (parts.length === 0) parts.push({ type: 'reaction', emoji: '', targetMessageId: target });
	return assemble(
		{
			id: `update:${updateId}`,
			conversation: conversationOf(r.chat, undefined, undefined),
			sender: r.user ? userParticipant(r.user) : r.actor_chat ? chatParticipant(r.actor_chat) : undefined,
			timestamp: timestampOf(r.date, context),
			parts,
			metadata: { updateId, updateType: 'message_reaction', oldReaction: (raw as Json).old_reaction },
		},
		context,
		rawUpdate,
	);
}

/** ChatMember statuses: restricted members may or may not still be in the chat (`is_member`). */
function isMember(member: unknown): boolean {
	if (!isRecord(member)) return false;
	switch (member.status) {
		case 'creator':
		case 'administrator':
		case 'member':
			return true;
		case 'restricted':
			return member.is_member === true;
		default:
			return false;
	}
}

function convertMemberUpdate(raw: unknown, kind: string, updateId: number, path: string, context: NormalizeContext, rawUpdate: unknown): Message {
	const u = readVendor(TELEGRAM, chatMemberUpdatedSchema, raw, path);
	const rawMember = raw as Json;
	const wasIn = isMember(rawMember.old_chat_member);
	const isIn = isMember(rawMember.new_chat_member);
	const subject = kind === 'my_chat_member' ? 'bot' : 'member';
	const event = !wasIn && isIn ? `${subject}_added` : wasIn && !isIn ? `${subject}_removed` : `${subject}_updated`;
	return assemble(
		{
			id: `update:${updateId}`,
			conversation: conversationOf(u.chat, undefined, undefined),
			sender: userParticipant(u.from),
			timestamp: timestampOf(u.date, context),
			parts: [
				{
					type: 'system' as const,
					event,
					data: {
						user: (rawMember.new_chat_member as Json).user,
						oldStatus: u.old_chat_member.status,
						newStatus: u.new_chat_member.status,
					},
				},
			],
			metadata: { updateId, updateType: kind },
		},
		context,
		rawUpdate,
	);
}

/** Any other update: kept whole in an unsupported part, attributed where it says who and where. */
function convertOtherUpdate(value: unknown, kind: string, updateId: number, context: NormalizeContext, rawUpdate: unknown): Message {
	const v = isRecord(value) ? value : {};
	const chat = isRecord(v.chat) && (typeof v.chat.id === 'number' || (typeof v.chat.id === 'string' && v.chat.id !== '')) ? v.chat : undefined;
	const user = [v.from, v.user].find((u): u is Json => isRecord(u) && typeof u.id === 'number');
	const conversation: Conversation = chat
		? compact({ id: String(chat.id), type: conversationType(String(chat.type)), name: typeof chat.title === 'string' ? chat.title : undefined })
		: user
			? { id: String(user.id), type: 'direct' }
			: { id: 'unknown', type: 'direct' };
	const sender = user
		? compact({
				id: String(user.id),
				name: fullName(typeof user.first_name === 'string' ? user.first_name : undefined, typeof user.last_name === 'string' ? user.last_name : undefined),
				handle: typeof user.username === 'string' ? user.username : undefined,
				isBot: typeof user.is_bot === 'boolean' ? user.is_bot : undefined,
			})
		: undefined;
	return assemble(
		{
			id: `update:${updateId}`,
			conversation,
			sender,
			timestamp: timestampOf(typeof v.date === 'number' ? v.date : undefined, context),
			parts: [{ type: 'unsupported' as const, platformType: kind, reason: `Telegram ${kind} updates are not mapped`, original: value }],
			metadata: { updateId, updateType: kind },
		},
		context,
		rawUpdate,
	);
}

function childPath(path: string, key: string): string {
	return path ? `${path}.${key}` : key;
}

/** The update's payload field: exactly one besides update_id (the first object-valued one wins). */
function updateKind(update: Json): string | undefined {
	for (const key of Object.keys(update)) {
		if (key !== 'update_id' && isRecord(update[key])) return key;
	}
	return undefined;
}

export function convertTelegramUpdate(value: unknown, path: string, context: NormalizeContext): Message {
	const update = readVendor(TELEGRAM, updateSchema, value, path);
	const raw = value as Json;
	const kind = updateKind(raw);
	if (kind === undefined) throw new PayloadMismatchError(TELEGRAM, path, 'an Update with one of message, edited_message, callback_query, … (an object)');
	if (MESSAGE_KINDS.has(kind)) return convertMessage(raw[kind], kind, update.update_id, childPath(path, kind), context, value);
	switch (kind) {
		case 'callback_query':
			return convertCallbackQuery(raw[kind], update.update_id, childPath(path, kind), context, value);
		case 'message_reaction':
			return convertReaction(raw[kind], update.update_id, childPath(path, kind), context, value);
		case 'my_chat_member':
		case 'chat_member':
			return convertMemberUpdate(raw[kind], kind, update.update_id, childPath(path, kind), context, value);
		default:
			return convertOtherUpdate(raw[kind], kind, update.update_id, context, value);
	}
}

/**
 * The Updates in a request body: one Update (webhook), an array of Updates, or a getUpdates response.
 * Returns the values and the JSON path prefix of each.
 */
function updatesOf(body: unknown): Array<{ value: unknown; path: string }> {
	if (Array.isArray(body)) return body.map((value, i) => ({ value, path: `[${i}]` }));
	if (isRecord(body) && body.update_id === undefined && body.ok !== undefined) {
		if (body.ok !== true || !Array.isArray(body.result)) {
			throw new PayloadMismatchError(TELEGRAM, body.ok !== true ? 'ok' : 'result', body.ok !== true ? 'true (an error response carries no updates)' : 'an array of Updates');
		}
		return body.result.map((value, i) => ({ value, path: `result[${i}]` }));
	}
	return [{ value: body, path: '' }];
}

export function convertTelegramRequest(request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	if (request.bodyKind === 'empty') throw new MalformedBodyError('The Telegram webhook body is empty');
	if (request.bodyKind === 'text') throw new MalformedBodyError('The Telegram webhook body is not JSON');
	const body = request.body;
	if (!isRecord(body) && !Array.isArray(body)) throw new PayloadMismatchError(TELEGRAM, '', 'a Telegram Update (JSON object)');
	const messages = updatesOf(body).map(({ value, path }) => convertTelegramUpdate(value, path, context));
	return { messages, events: [] };
}
