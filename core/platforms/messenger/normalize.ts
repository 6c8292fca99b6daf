/**
 * Messenger Platform webhooks → universal messages and delivery events (providers.md §8.3). Facebook
 * Messenger (`object: "page"`) and Instagram Direct (`object: "instagram"`) send the same shapes, so
 * one converter serves both, parameterised by `MessagingFlavor`; Instagram adds `read.mid`,
 * `reply_to.story`, `is_deleted` and `is_unsupported`, which are read whichever object sent them.
 *
 * Each `entry[].messaging[]` item (or `standby[]` item, under the handover protocol) holds exactly one
 * event: message, postback, delivery, read, reaction, or a conversation event such as referral or a
 * thread-control change. Everything comes out in the order sent. Metadata keeps vendor fields under
 * their vendor names.
 *
 * Hot shapes are read through `readVendor` (the schema's compiled guard for the common case, the
 * schema itself for everything else and for the error path).
 */
import { z } from 'zod/v4';
import { PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import {
	EVENT_SCHEMA_ID,
	MESSAGE_SCHEMA_ID,
	type Button,
	type Channel,
	type DeliveryEvent,
	type Message,
	type Part,
} from '../../schema/message';
import { compact, isRecord, str, type Json, lookupTable } from '../../util/object';
import type { NormalizeContext, NormalizeOutput } from '../types';
import { eventId, messageId } from '../shared/ids';
import { graphId, graphTimestamp, isoFromMetaTime, metaEntries } from '../shared/meta';
import { parseVendor, readVendor, vendorSchema } from '../shared/vendor';
import { mapMessengerStatus } from './map-messenger-status';

export interface MessagingFlavor {
	platform: 'messenger' | 'instagram';
	channel: Channel;
	object: string;
	/** Metadata key for `entry[].id`: the Page id (Messenger) or the Instagram professional account id. */
	entryIdKey: string;
}

// ---------------------------------------------------------------------------------------------------
// Partial vendor schemas: only what is read.

const entrySchema = vendorSchema(z.looseObject({
	id: graphId.optional(),
	time: graphTimestamp.optional(),
	messaging: z.array(z.unknown()).optional(),
	standby: z.array(z.unknown()).optional(),
	changes: z.array(z.unknown()).optional(),
}));

const participantRef = z.looseObject({ id: graphId.optional(), user_ref: z.string().optional() });
const messagingSchema = vendorSchema(z.looseObject({
	sender: participantRef.optional(),
	recipient: participantRef.optional(),
	timestamp: graphTimestamp.optional(),
}));

const messageSchema = vendorSchema(z.looseObject({
	mid: z.string().min(1),
	text: z.string().optional(),
	quick_reply: z.looseObject({ payload: z.string() }).optional(),
	attachments: z.array(z.unknown()).optional(),
	reply_to: z
		.looseObject({ mid: z.string().optional(), story: z.looseObject({ url: z.string().optional(), id: graphId.optional() }).optional() })
		.optional(),
	is_echo: z.boolean().optional(),
	// A number in real echoes; read through String().
	app_id: z.union([z.string(), z.number()]).optional(),
	metadata: z.string().optional(),
	is_deleted: z.boolean().optional(),
	is_unsupported: z.boolean().optional(),
	referral: z.unknown().optional(),
}));
type FbMessage = z.output<typeof messageSchema.schema>;

const attachmentSchema = vendorSchema(z.looseObject({
	type: z.string().min(1),
	payload: z
		.looseObject({
			url: z.string().optional(),
			sticker_id: graphId.optional(),
			title: z.string().optional(),
			coordinates: z.looseObject({ lat: z.number().min(-90).max(90), long: z.number().min(-180).max(180) }).optional(),
		})
		.nullable()
		.optional(),
	title: z.string().optional(),
	url: z.string().optional(),
}));

const postbackSchema = vendorSchema(z.looseObject({
	mid: z.string().optional(),
	title: z.string().optional(),
	payload: z.string().optional(),
	referral: z.unknown().optional(),
}));
const deliverySchema = vendorSchema(z.looseObject({ mids: z.array(z.string().min(1)).optional(), watermark: graphTimestamp.optional() }));
const readSchema = vendorSchema(z.looseObject({ mid: z.string().optional(), watermark: graphTimestamp.optional() }));
const reactionSchema = z.looseObject({
	mid: z.string().min(1),
	action: z.string().optional(),
	reaction: z.string().optional(),
	emoji: z.string().optional(),
});
const changeSchema = z.looseObject({ field: z.string().optional(), value: z.unknown() });

/** Conversation events that carry no content: they come out as a `system` part named after the key. */
const SYSTEM_EVENTS = [
	'message_edit',
	'referral',
	'optin',
	'account_linking',
	'pass_thread_control',
	'take_thread_control',
	'request_thread_control',
	'app_roles',
	'policy_enforcement',
	'game_play',
	'messaging_feedback',
	'response_feedback',
] as const;

/** Messenger's named reactions, for deliveries that carry no emoji. */
const REACTION_EMOJI: Record<string, string> = lookupTable({
	love: '❤️',
	like: '👍',
	smile: '😆',
	wow: '😮',
	sad: '😢',
	angry: '😠',
	dislike: '👎',
});

// ---------------------------------------------------------------------------------------------------

interface ItemContext {
	flavor: MessagingFlavor;
	entryId?: string;
	entryTime?: string | number;
	standby: boolean;
	keepRaw: boolean;
	now: () => Date;
}

export function normalizeMessagingPlatform(flavor: MessagingFlavor, request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	const output: NormalizeOutput = { messages: [], events: [] };
	for (const { entry, path } of metaEntries(flavor.platform, flavor.object, request)) {
		const parsed = readVendor(flavor.platform, entrySchema, entry, path);
		const ctx: ItemContext = { flavor, entryId: parsed.id, entryTime: parsed.time, standby: false, keepRaw: context.keepRaw, now: context.now };
		const { messaging, standby, changes } = parsed;
		if (messaging) for (let i = 0; i < messaging.length; i += 1) convertItem(messaging[i], `${path}.messaging[${i}]`, ctx, output);
		if (standby) {
			const standbyCtx: ItemContext = { ...ctx, standby: true };
			for (let i = 0; i < standby.length; i += 1) convertItem(standby[i], `${path}.standby[${i}]`, standbyCtx, output);
		}
		if (changes) for (let i = 0; i < changes.length; i += 1) output.messages.push(convertChange(changes[i], `${path}.changes[${i}]`, ctx));
	}
	return output;
}

function timestampOf(value: string | number | undefined, path: string, ctx: ItemContext): string {
	const raw = value ?? ctx.entryTime;
	if (raw === undefined) return ctx.now().toISOString();
	const iso = isoFromMetaTime(raw);
	if (!iso) throw new PayloadMismatchError(ctx.flavor.platform, path, 'a unix timestamp in milliseconds');
	return iso;
}

function baseMetadata(ctx: ItemContext): Record<string, unknown> {
	const metadata: Record<string, unknown> = {};
	if (ctx.entryId !== undefined) metadata[ctx.flavor.entryIdKey] = ctx.entryId;
	if (ctx.standby) metadata.standby = true;
	return metadata;
}

function convertItem(raw: unknown, path: string, ctx: ItemContext, output: NormalizeOutput): void {
	const item = readVendor(ctx.flavor.platform, messagingSchema, raw, path);
	const body = raw as Json;
	const senderId = item.sender?.id ?? item.sender?.user_ref;
	const recipientId = item.recipient?.id ?? item.recipient?.user_ref;
	const common: Common = { raw, path, ctx, timestamp: timestampOf(item.timestamp, `${path}.timestamp`, ctx), senderId: senderId ?? '', recipientId };
	const key = eventKey(body);
	// Conversation events (optin, referral…) may name only the recipient; everything else needs a sender.
	if (senderId === undefined && (key !== 'other' || recipientId === undefined)) {
		throw new PayloadMismatchError(ctx.flavor.platform, `${path}.sender.id`, 'string');
	}
	if (senderId === undefined) common.senderId = recipientId!;
	switch (key) {
		case 'message':
			output.messages.push(convertMessage(body.message, common));
			return;
		case 'postback':
			output.messages.push(convertPostback(body.postback, common));
			return;
		case 'delivery':
			output.events.push(...convertDelivery(body.delivery, common));
			return;
		case 'read':
			output.events.push(convertRead(body.read, common));
			return;
		case 'reaction':
			output.messages.push(convertReaction(body.reaction, common));
			return;
		default:
			output.messages.push(convertOther(SYSTEM_EVENTS.find((k) => body[k] !== undefined), common));
	}
}

function eventKey(body: Json): 'message' | 'postback' | 'delivery' | 'read' | 'reaction' | 'other' {
	if (body.message !== undefined) return 'message';
	if (body.postback !== undefined) return 'postback';
	if (body.delivery !== undefined) return 'delivery';
	if (body.read !== undefined) return 'read';
	if (body.reaction !== undefined) return 'reaction';
	return 'other';
}

interface Common {
	raw: unknown;
	path: string;
	ctx: ItemContext;
	timestamp: string;
	senderId: string;
	recipientId?: string;
}

function inboundMessage(common: Common, id: string, parts: Part[], metadata: Record<string, unknown>, providerMessageId?: string): Message {
	const { ctx } = common;
	const message: Message = {
		schema: MESSAGE_SCHEMA_ID,
		id,
		channel: ctx.flavor.channel,
		provider: ctx.flavor.platform,
		direction: 'inbound',
		conversation: { id: common.senderId, type: 'direct' },
		sender: { id: common.senderId },
		recipients: common.recipientId !== undefined ? [{ id: common.recipientId }] : [],
		timestamp: common.timestamp,
		parts,
		metadata,
	};
	if (providerMessageId !== undefined) message.providerMessageId = providerMessageId;
	if (ctx.keepRaw) message.raw = common.raw;
	return message;
}

// ---------------------------------------------------------------------------------------------------
// message

function convertMessage(value: unknown, common: Common): Message {
	const { ctx } = common;
	const path = `${common.path}.message`;
	const msg = readVendor(ctx.flavor.platform, messageSchema, value, path);
	const metadata = baseMetadata(ctx);
	const parts = messageParts(msg, value as Json, path, ctx);
	if (msg.app_id !== undefined) metadata.app_id = String(msg.app_id);
	if (msg.metadata !== undefined) metadata.metadata = msg.metadata;
	if (msg.referral !== undefined) metadata.referral = msg.referral;
	if (msg.reply_to?.story) metadata.reply_to_story = msg.reply_to.story;

	const message = inboundMessage(common, messageId(ctx.flavor.platform, msg.mid), parts, metadata, msg.mid);
	if (msg.is_echo === true) {
		// An echo of what the Page/account sent: the sender is the Page, the conversation the person.
		message.direction = 'outbound';
		if (common.recipientId !== undefined) message.conversation = { id: common.recipientId, type: 'direct' };
		message.sender = { id: common.senderId };
	}
	if (msg.reply_to?.mid) message.replyTo = { messageId: msg.reply_to.mid };
	return message;
}

function messageParts(msg: FbMessage, body: Json, path: string, ctx: ItemContext): Part[] {
	if (msg.is_deleted === true) return [{ type: 'system', event: 'message_deleted', data: { mid: msg.mid } }];
	const parts: Part[] = [];
	if (msg.quick_reply) {
		parts.push(compact({ type: 'interactive_reply' as const, id: msg.quick_reply.payload, title: msg.text, source: 'quick_reply' as const }));
	} else if (msg.text !== undefined && msg.text !== '') {
		parts.push({ type: 'text', text: msg.text, format: 'plain' });
	}
	const attachments = msg.attachments;
	if (attachments) {
		for (let i = 0; i < attachments.length; i += 1) parts.push(...convertAttachment(attachments[i], `${path}.attachments[${i}]`, ctx));
	}
	if (msg.is_unsupported === true) {
		parts.push({ type: 'unsupported', platformType: 'is_unsupported', reason: 'Instagram reported a message type its API does not deliver', original: body });
	}
	if (parts.length === 0) parts.push({ type: 'unsupported', platformType: 'message', reason: 'message without text or attachments', original: body });
	return parts;
}

const MEDIA_ATTACHMENTS = { image: 'image', video: 'video', audio: 'audio', file: 'document' } as const;

function convertAttachment(raw: unknown, path: string, ctx: ItemContext): Part[] {
	const attachment = readVendor(ctx.flavor.platform, attachmentSchema, raw, path);
	const payload = attachment.payload ?? undefined;
	const unsupported = (reason: string): Part[] => [{ type: 'unsupported', platformType: attachment.type, reason, original: raw }];
	switch (attachment.type) {
		case 'image':
		case 'video':
		case 'audio':
		case 'file': {
			const url = payload?.url ?? attachment.url;
			if (url === undefined) return unsupported('attachment without a URL');
			// Stickers (including Messenger's thumbs-up) arrive as images with a sticker_id.
			const kind = attachment.type === 'image' && payload?.sticker_id !== undefined ? 'sticker' : MEDIA_ATTACHMENTS[attachment.type];
			const filename = attachment.type === 'file' ? attachment.title : undefined;
			return [filename !== undefined ? { type: 'media', kind, url, filename } : { type: 'media', kind, url }];
		}
		case 'location': {
			const coordinates = payload?.coordinates;
			if (!coordinates) return unsupported('location without coordinates');
			return [
				compact({
					type: 'location' as const,
					latitude: coordinates.lat,
					longitude: coordinates.long,
					name: attachment.title ?? payload?.title,
					url: attachment.url ?? payload?.url,
				}),
			];
		}
		case 'fallback': {
			// A shared link Messenger could not render: its title and URL are the whole content.
			const text = [attachment.title ?? payload?.title, attachment.url ?? payload?.url].filter(Boolean).join('\n');
			return text ? [{ type: 'text', text, format: 'plain' }] : unsupported('fallback attachment without title or URL');
		}
		case 'template':
			return convertTemplateEcho((raw as Json).payload) ?? unsupported('template type not mapped');
		default:
			// Instagram shares, story mentions, reels, posts…: kept whole.
			return unsupported(`${ctx.flavor.platform} attachment type "${attachment.type}" is not mapped`);
	}
}

function convertButton(value: unknown): Button | undefined {
	if (!isRecord(value)) return undefined;
	const title = str(value.title);
	if (!title) return undefined;
	switch (value.type) {
		case 'postback':
			return compact({ id: str(value.payload), title, action: 'reply' as const });
		case 'web_url':
			return compact({ title, action: 'url' as const, url: str(value.url) });
		case 'phone_number':
			return compact({ title, action: 'call' as const, phone: str(value.payload) });
		default:
			return undefined;
	}
}

/**
 * Echoes of templates the Page sent (button and generic templates) map back to buttons and cards;
 * `undefined` for anything else, so the caller keeps it as unsupported.
 */
function convertTemplateEcho(payload: unknown): Part[] | undefined {
	if (!isRecord(payload)) return undefined;
	const buttonsOf = (value: unknown): Button[] | undefined => {
		if (value === undefined) return [];
		if (!Array.isArray(value)) return undefined;
		const out = value.map(convertButton);
		return out.every((b): b is Button => b !== undefined) ? out : undefined;
	};
	if (payload.template_type === 'button') {
		const buttons = buttonsOf(payload.buttons);
		if (!buttons || buttons.length === 0) return undefined;
		return [compact({ type: 'buttons' as const, text: str(payload.text), buttons })];
	}
	if (payload.template_type === 'generic' && Array.isArray(payload.elements) && payload.elements.length > 0) {
		const cards: Part[] = [];
		for (const element of payload.elements) {
			if (!isRecord(element)) return undefined;
			const buttons = buttonsOf(element.buttons);
			if (!buttons) return undefined;
			cards.push(
				compact({
					type: 'card' as const,
					title: str(element.title),
					subtitle: str(element.subtitle),
					imageUrl: str(element.image_url),
					fields: [],
					buttons,
				}),
			);
		}
		return cards;
	}
	return undefined;
}

// ---------------------------------------------------------------------------------------------------
// postback, reaction, other conversation events

function convertPostback(value: unknown, common: Common): Message {
	const { ctx } = common;
	const path = `${common.path}.postback`;
	const postback = readVendor(ctx.flavor.platform, postbackSchema, value, path);
	const id = postback.payload ?? postback.title;
	if (id === undefined) throw new PayloadMismatchError(ctx.flavor.platform, `${path}.payload`, 'string');
	const metadata = baseMetadata(ctx);
	if (postback.referral !== undefined) metadata.referral = postback.referral;
	const part: Part = compact({ type: 'interactive_reply' as const, id, title: postback.title, source: 'postback' as const });
	const messageKey = postback.mid
		? messageId(ctx.flavor.platform, postback.mid)
		: eventId(ctx.flavor.platform, undefined, 'postback', common.senderId, common.timestamp, id);
	return inboundMessage(common, messageKey, [part], metadata, postback.mid);
}

function convertReaction(value: unknown, common: Common): Message {
	const { ctx } = common;
	const reaction = parseVendor(ctx.flavor.platform, reactionSchema, value, `${common.path}.reaction`);
	const removed = reaction.action === 'unreact';
	const emoji = removed ? '' : (reaction.emoji ?? REACTION_EMOJI[reaction.reaction ?? ''] ?? reaction.reaction ?? '');
	const metadata = baseMetadata(ctx);
	if (reaction.reaction !== undefined) metadata.reaction = reaction.reaction;
	if (reaction.action !== undefined) metadata.action = reaction.action;
	const id = eventId(ctx.flavor.platform, undefined, 'reaction', reaction.mid, common.senderId, reaction.action, common.timestamp);
	return inboundMessage(common, id, [{ type: 'reaction', emoji, targetMessageId: reaction.mid }], metadata);
}

function convertOther(key: (typeof SYSTEM_EVENTS)[number] | undefined, common: Common): Message {
	const { ctx } = common;
	const body = common.raw as Json;
	const metadata = baseMetadata(ctx);
	let part: Part;
	if (key === undefined) {
		part = { type: 'unsupported', platformType: 'messaging', reason: `${ctx.flavor.platform} webhook event not mapped`, original: body };
	} else {
		const data = body[key];
		const text = key === 'message_edit' && isRecord(data) ? str(data.text) : undefined;
		part = compact({
			type: 'system' as const,
			event: key === 'message_edit' ? 'message_edited' : key,
			text,
			data: isRecord(data) ? data : { value: data },
		});
	}
	const id = eventId(ctx.flavor.platform, undefined, key ?? 'messaging', common.senderId, common.timestamp, JSON.stringify(body[key ?? ''] ?? null));
	return inboundMessage(common, id, [part], metadata);
}

/**
 * `changes[]` (Page feed, Instagram comments and mentions) are not Messenger Platform conversations:
 * each comes out as one message whose `unsupported` part holds the change value as sent.
 */
function convertChange(raw: unknown, path: string, ctx: ItemContext): Message {
	const change = parseVendor(ctx.flavor.platform, changeSchema, raw, path);
	const field = change.field ?? 'changes';
	const conversationId = ctx.entryId ?? ctx.flavor.object;
	const message: Message = {
		schema: MESSAGE_SCHEMA_ID,
		id: eventId(ctx.flavor.platform, undefined, 'change', ctx.entryId, field, JSON.stringify(change.value ?? null)),
		channel: ctx.flavor.channel,
		provider: ctx.flavor.platform,
		direction: 'inbound',
		conversation: { id: conversationId, type: 'channel' },
		recipients: ctx.entryId !== undefined ? [{ id: ctx.entryId }] : [],
		timestamp: timestampOf(undefined, `${path}.time`, ctx),
		parts: [{ type: 'unsupported', platformType: field, reason: `"${field}" change notifications are not conversations`, original: change.value }],
		metadata: { ...baseMetadata(ctx), field },
	};
	if (ctx.keepRaw) message.raw = raw;
	return message;
}

// ---------------------------------------------------------------------------------------------------
// Receipts

function receipt(common: Common, providerMessageId: string, kind: 'delivery' | 'read', metadata: Record<string, unknown>): DeliveryEvent {
	const { ctx } = common;
	const event: DeliveryEvent = {
		schema: EVENT_SCHEMA_ID,
		id: eventId(ctx.flavor.platform, undefined, providerMessageId, kind, common.senderId),
		channel: ctx.flavor.channel,
		provider: ctx.flavor.platform,
		providerMessageId,
		status: mapMessengerStatus(kind),
		providerStatus: kind,
		timestamp: common.timestamp,
		// The person who received/read our message is the sender of the receipt.
		recipient: common.senderId,
		metadata,
	};
	if (ctx.keepRaw) event.raw = common.raw;
	return event;
}

function watermarkMetadata(ctx: ItemContext, watermark: string | number | undefined, path: string): Record<string, unknown> {
	const metadata = baseMetadata(ctx);
	if (watermark !== undefined) {
		metadata.watermark = watermark;
		metadata.watermark_timestamp = timestampOf(watermark, path, ctx);
	}
	return metadata;
}

/**
 * One `delivered` event per mid. Without mids (older deliveries) the watermark itself is the news:
 * everything sent before it was delivered. That comes out as a single event whose providerMessageId
 * is `watermark:<ms>`, with the watermark in metadata, so a consumer can mark earlier sends.
 */
function convertDelivery(value: unknown, common: Common): DeliveryEvent[] {
	const { ctx } = common;
	const path = `${common.path}.delivery`;
	const delivery = readVendor(ctx.flavor.platform, deliverySchema, value, path);
	const metadata = watermarkMetadata(ctx, delivery.watermark, `${path}.watermark`);
	if (delivery.mids && delivery.mids.length > 0) return delivery.mids.map((mid) => receipt(common, mid, 'delivery', { ...metadata }));
	if (delivery.watermark === undefined) throw new PayloadMismatchError(ctx.flavor.platform, `${path}.mids`, 'message ids or a watermark');
	return [receipt(common, `watermark:${delivery.watermark}`, 'delivery', metadata)];
}

/** Messenger reads carry a watermark (everything before it was read); Instagram reads name the mid. */
function convertRead(value: unknown, common: Common): DeliveryEvent {
	const { ctx } = common;
	const path = `${common.path}.read`;
	const read = readVendor(ctx.flavor.platform, readSchema, value, path);
	const metadata = watermarkMetadata(ctx, read.watermark, `${path}.watermark`);
	if (read.mid) return receipt(common, read.mid, 'read', metadata);
	if (read.watermark === undefined) throw new PayloadMismatchError(ctx.flavor.platform, `${path}.mid`, 'a message id or a watermark');
	return receipt(common, `watermark:${read.watermark}`, 'read', metadata);
}
