/**
 * WhatsApp Cloud API webhooks → universal messages and delivery events (providers.md §4.4).
 *
 * One POST may batch several entries, changes, messages and statuses; everything comes out in the
 * order sent. Each level is checked once with a partial schema that declares only the fields read
 * (nested arrays as `unknown[]`, validated item by item with their own path), so a mismatch names
 * the exact JSON path and unknown fields pass untouched.
 *
 * The hot shapes (envelope levels, message, text, media, status) are read through `readVendor`: the
 * schema's compiled guard (../shared/vendor.ts) accepts the common case without copying, and anything
 * it does not accept is parsed by the schema, which coerces or throws with the path.
 *
 * Metadata keeps vendor fields under their vendor names (`phone_number_id`, `referral`, `pricing`…).
 */
import { z } from 'zod/v4';
import { PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import {
	EVENT_SCHEMA_ID,
	MESSAGE_SCHEMA_ID,
	type Contact,
	type DeliveryError,
	type DeliveryEvent,
	type MediaKind,
	type Message,
	type Part,
	type Participant,
} from '../../schema/message';
import { compact, isRecord, num, type Json, lookupTable } from '../../util/object';
import type { NormalizeContext, NormalizeOutput } from '../types';
import { eventId, messageId } from '../shared/ids';
import { META_OBJECTS, graphId, graphTimestamp, isoFromSeconds, metaEntries } from '../shared/meta';
import { parseVendor, readVendor, vendorSchema } from '../shared/vendor';
import { mapWhatsAppStatus, whatsappErrorRetryable } from './map-whatsapp-status';

const PLATFORM = 'whatsapp';

// ---------------------------------------------------------------------------------------------------
// Partial vendor schemas: only what is read.

const entrySchema = vendorSchema(z.looseObject({ id: graphId.optional(), changes: z.array(z.unknown()) }));
const changeSchema = vendorSchema(z.looseObject({ field: z.string().optional(), value: z.unknown() }));

const waContactProfileSchema = z.looseObject({
	profile: z.looseObject({ name: z.string().optional() }).optional(),
	wa_id: graphId.optional(),
	user_id: z.string().optional(),
});
type WaContactProfile = z.output<typeof waContactProfileSchema>;

const valueSchema = vendorSchema(z.looseObject({
	metadata: z
		.looseObject({ display_phone_number: graphId.optional(), phone_number_id: graphId.optional() })
		.optional(),
	contacts: z.array(waContactProfileSchema).optional(),
	messages: z.array(z.unknown()).optional(),
	message_echoes: z.array(z.unknown()).optional(),
	statuses: z.array(z.unknown()).optional(),
	errors: z.array(z.unknown()).optional(),
}));

const waErrorSchema = z.looseObject({
	code: z.union([z.number(), z.string()]).optional(),
	title: z.string().optional(),
	message: z.string().optional(),
	error_data: z.looseObject({ details: z.string().optional() }).optional(),
	href: z.string().optional(),
});
type WaError = z.output<typeof waErrorSchema>;

const messageSchema = vendorSchema(z.looseObject({
	from: graphId.optional(),
	from_user_id: z.string().optional(),
	to: graphId.optional(),
	id: z.string().min(1),
	timestamp: graphTimestamp.optional(),
	type: z.string().min(1),
	context: z
		.looseObject({
			from: graphId.optional(),
			id: z.string().optional(),
			forwarded: z.boolean().optional(),
			frequently_forwarded: z.boolean().optional(),
			referred_product: z.unknown().optional(),
		})
		.optional(),
	referral: z.record(z.string(), z.unknown()).optional(),
	errors: z.array(waErrorSchema).optional(),
}));
type WaMessage = z.output<typeof messageSchema.schema>;

const textSchema = vendorSchema(z.looseObject({ body: z.string() }));
const mediaSchema = vendorSchema(z.looseObject({
	id: graphId.optional(),
	url: z.string().optional(),
	link: z.string().optional(),
	mime_type: z.string().optional(),
	sha256: z.string().optional(),
	caption: z.string().optional(),
	filename: z.string().optional(),
	file_size: z.number().int().nonnegative().optional(),
	voice: z.boolean().optional(),
	animated: z.boolean().optional(),
}));
const coordinate = (limit: number) =>
	z
		.union([z.number(), z.string().min(1)])
		.transform((v) => Number(v))
		.pipe(z.number().min(-limit).max(limit));
const locationSchema = z.looseObject({
	latitude: coordinate(90),
	longitude: coordinate(180),
	name: z.string().optional(),
	address: z.string().optional(),
	url: z.string().optional(),
});
const waContactCardSchema = z.looseObject({
	name: z
		.looseObject({
			formatted_name: z.string().optional(),
			first_name: z.string().optional(),
			last_name: z.string().optional(),
			middle_name: z.string().optional(),
		})
		.optional(),
	phones: z.array(z.looseObject({ phone: z.string().optional(), type: z.string().optional(), wa_id: graphId.optional() })).optional(),
	emails: z.array(z.looseObject({ email: z.string().optional(), type: z.string().optional() })).optional(),
	org: z.looseObject({ company: z.string().optional(), department: z.string().optional(), title: z.string().optional() }).optional(),
	urls: z.array(z.looseObject({ url: z.string().optional() })).optional(),
	birthday: z.string().optional(),
	addresses: z.array(z.unknown()).optional(),
});
const contactsSchema = z.array(waContactCardSchema).min(1);
const interactiveSchema = z.looseObject({ type: z.string().min(1) });
const buttonReplySchema = z.looseObject({ id: z.string(), title: z.string().optional() });
const listReplySchema = z.looseObject({ id: z.string(), title: z.string().optional(), description: z.string().optional() });
const nfmReplySchema = z.looseObject({ response_json: z.string().optional(), body: z.string().optional(), name: z.string().optional() });
const templateButtonSchema = z.looseObject({ payload: z.string().optional(), text: z.string().optional() });
const reactionSchema = z.looseObject({ message_id: z.string().min(1), emoji: z.string().optional() });
const amount = z.union([z.number(), z.string().min(1)]).transform((v) => Number(v)).pipe(z.number());
const orderSchema = z.looseObject({
	catalog_id: graphId.optional(),
	text: z.string().optional(),
	product_items: z.array(
		z.looseObject({ product_retailer_id: graphId, quantity: amount, item_price: amount.optional(), currency: z.string().optional() }),
	),
});
const systemSchema = z.looseObject({ body: z.string().optional(), type: z.string().optional() });

const statusSchema = vendorSchema(z.looseObject({
	id: z.string().min(1),
	status: z.string().min(1),
	timestamp: graphTimestamp.optional(),
	recipient_id: graphId.optional(),
	recipient_user_id: z.string().optional(),
	conversation: z.unknown().optional(),
	pricing: z.unknown().optional(),
	errors: z.array(waErrorSchema).optional(),
	biz_opaque_callback_data: z.string().optional(),
}));

// ---------------------------------------------------------------------------------------------------

interface ValueContext {
	entryId?: string;
	field: string;
	phoneNumberId?: string;
	displayPhoneNumber?: string;
	contacts: WaContactProfile[];
	keepRaw: boolean;
	now: () => Date;
}

export function normalizeWhatsApp(request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	const output: NormalizeOutput = { messages: [], events: [] };
	for (const { entry, path } of metaEntries(PLATFORM, META_OBJECTS.whatsapp, request)) {
		const parsedEntry = readVendor(PLATFORM, entrySchema, entry, path);
		const changes = parsedEntry.changes;
		for (let c = 0; c < changes.length; c += 1) {
			const changePath = `${path}.changes[${c}]`;
			const change = readVendor(PLATFORM, changeSchema, changes[c], changePath);
			convertChange(change.field ?? 'messages', change.value, `${changePath}.value`, parsedEntry.id, context, output);
		}
	}
	return output;
}

function convertChange(
	field: string,
	rawValue: unknown,
	path: string,
	entryId: string | undefined,
	context: NormalizeContext,
	output: NormalizeOutput,
): void {
	const value = readVendor(PLATFORM, valueSchema, rawValue, path);
	const ctx: ValueContext = {
		entryId,
		field,
		phoneNumberId: value.metadata?.phone_number_id,
		displayPhoneNumber: value.metadata?.display_phone_number,
		contacts: value.contacts ?? [],
		keepRaw: context.keepRaw,
		now: context.now,
	};
	const isMessagesField = field === 'messages' || field === 'smb_message_echoes';
	if (!isMessagesField && !value.messages && !value.statuses && !value.message_echoes) {
		// Account-level notifications (template status, quality rating, account alerts…) are not
		// conversation content; they come out as a system part so nothing is dropped, and a workflow
		// that answers "every text" does not answer them.
		output.messages.push(notificationMessage(field, rawValue, ctx));
		return;
	}
	const { messages, message_echoes: echoes, statuses } = value;
	if (messages) for (let i = 0; i < messages.length; i += 1) output.messages.push(convertMessage(messages[i], `${path}.messages[${i}]`, ctx, 'inbound'));
	if (echoes) for (let i = 0; i < echoes.length; i += 1) output.messages.push(convertMessage(echoes[i], `${path}.message_echoes[${i}]`, ctx, 'outbound'));
	if (statuses) for (let i = 0; i < statuses.length; i += 1) output.events.push(convertStatus(statuses[i], `${path}.statuses[${i}]`, ctx));
	if (value.errors && value.errors.length > 0) output.messages.push(webhookErrorsMessage(value.errors, `${path}.errors`, ctx));
}

// ---------------------------------------------------------------------------------------------------
// Messages

function timestampOf(value: string | number | undefined, path: string, now: () => Date): string {
	if (value === undefined) return now().toISOString();
	const iso = isoFromSeconds(value);
	if (!iso) throw new PayloadMismatchError(PLATFORM, path, 'unix seconds');
	return iso;
}

function findContact(contacts: WaContactProfile[], from: string | undefined, userId: string | undefined): WaContactProfile | undefined {
	for (const contact of contacts) {
		if (from !== undefined && contact.wa_id === from) return contact;
		if (userId !== undefined && contact.user_id === userId) return contact;
	}
	// A lone contact without a matching key is the sender only when nothing contradicts it.
	const lone = contacts.length === 1 ? contacts[0]! : undefined;
	return lone && (from === undefined || lone.wa_id === undefined) ? lone : undefined;
}

function businessParticipant(ctx: ValueContext): Participant | undefined {
	const id = ctx.phoneNumberId ?? ctx.displayPhoneNumber;
	if (id === undefined) return undefined;
	return ctx.displayPhoneNumber !== undefined ? { id, phone: e164(ctx.displayPhoneNumber) } : { id };
}

function e164(digits: string): string {
	return digits.startsWith('+') ? digits : `+${digits}`;
}

function valueMetadata(ctx: ValueContext): Record<string, unknown> {
	const metadata: Record<string, unknown> = {};
	if (ctx.phoneNumberId !== undefined) metadata.phone_number_id = ctx.phoneNumberId;
	if (ctx.displayPhoneNumber !== undefined) metadata.display_phone_number = ctx.displayPhoneNumber;
	if (ctx.entryId !== undefined) metadata.waba_id = ctx.entryId;
	return metadata;
}

function convertMessage(raw: unknown, path: string, ctx: ValueContext, direction: 'inbound' | 'outbound'): Message {
	const msg = readVendor(PLATFORM, messageSchema, raw, path);
	const business = businessParticipant(ctx);
	const metadata = valueMetadata(ctx);

	// The customer: the sender of an inbound message, the addressee of an echo (coexistence numbers).
	const customerWaId = direction === 'inbound' ? msg.from : msg.to;
	const contact = findContact(ctx.contacts, customerWaId, direction === 'inbound' ? msg.from_user_id : undefined);
	const userId = (direction === 'inbound' ? msg.from_user_id : undefined) ?? contact?.user_id;
	const customerId = customerWaId ?? contact?.wa_id ?? userId;
	if (customerId === undefined) {
		throw new PayloadMismatchError(PLATFORM, `${path}.${direction === 'inbound' ? 'from' : 'to'}`, 'a wa_id (or from_user_id)');
	}
	const customer: Participant = { id: customerId };
	const name = contact?.profile?.name;
	if (name !== undefined) customer.name = name;
	const phone = customerWaId ?? contact?.wa_id;
	if (phone !== undefined) customer.phone = e164(phone);
	if (userId !== undefined) metadata.user_id = userId;
	if (ctx.field !== 'messages') metadata.field = ctx.field;

	const parts = convertContent(msg, raw, path, metadata);

	if (msg.context) {
		if (msg.context.forwarded !== undefined) metadata.forwarded = msg.context.forwarded;
		if (msg.context.frequently_forwarded !== undefined) metadata.frequently_forwarded = msg.context.frequently_forwarded;
		if (msg.context.referred_product !== undefined) metadata.referred_product = msg.context.referred_product;
	}
	if (msg.referral) metadata.referral = msg.referral;
	if (msg.errors && msg.type !== 'unsupported') metadata.errors = msg.errors;

	const message: Message = {
		schema: MESSAGE_SCHEMA_ID,
		id: messageId(PLATFORM, msg.id),
		channel: 'whatsapp',
		provider: PLATFORM,
		direction,
		conversation: { id: customerId, type: 'direct' },
		sender: direction === 'inbound' ? customer : business,
		recipients: direction === 'inbound' ? (business ? [business] : []) : [customer],
		timestamp: timestampOf(msg.timestamp, `${path}.timestamp`, ctx.now),
		parts,
		providerMessageId: msg.id,
		metadata,
	};
	if (message.sender === undefined) delete message.sender;
	if (msg.context?.id) {
		message.replyTo = msg.context.from !== undefined ? { messageId: msg.context.id, senderId: msg.context.from } : { messageId: msg.context.id };
	}
	if (ctx.keepRaw) message.raw = raw;
	return message;
}

const MEDIA_TYPES: Record<string, MediaKind> = lookupTable({
	image: 'image',
	video: 'video',
	audio: 'audio',
	document: 'document',
	sticker: 'sticker',
});

/** The content of one message, by `type`. Anything not mapped becomes an `unsupported` part. */
function convertContent(msg: WaMessage, raw: unknown, path: string, metadata: Record<string, unknown>): Part[] {
	const type = msg.type;
	const payloadPath = `${path}.${type}`;
	const payload = (raw as Json)[type];
	switch (type) {
		case 'text': {
			const text = readVendor(PLATFORM, textSchema, payload, payloadPath);
			return [{ type: 'text', text: text.body, format: 'plain' }];
		}
		case 'image':
		case 'video':
		case 'audio':
		case 'document':
		case 'sticker': {
			const media = readVendor(PLATFORM, mediaSchema, payload, payloadPath);
			const url = media.url ?? media.link;
			if (media.id === undefined && url === undefined) throw new PayloadMismatchError(PLATFORM, `${payloadPath}.id`, 'a media id');
			if (media.animated !== undefined) metadata.animated = media.animated;
			const kind: MediaKind = type === 'audio' && media.voice === true ? 'voice' : MEDIA_TYPES[type]!;
			return [
				compact({
					type: 'media' as const,
					kind,
					mediaId: media.id,
					url,
					mimeType: media.mime_type,
					sha256: media.sha256,
					caption: media.caption,
					filename: media.filename,
					size: media.file_size,
				}),
			];
		}
		case 'location': {
			const loc = parseVendor(PLATFORM, locationSchema, payload, payloadPath);
			return [compact({ type: 'location' as const, latitude: loc.latitude, longitude: loc.longitude, name: loc.name, address: loc.address, url: loc.url })];
		}
		case 'contacts': {
			const cards = parseVendor(PLATFORM, contactsSchema, payload, payloadPath);
			return [{ type: 'contacts', contacts: cards.map(convertContactCard) }];
		}
		case 'interactive':
			return [convertInteractive(payload, payloadPath, metadata)];
		case 'button': {
			// A tap on a template's quick-reply button: the payload is the id the template defined.
			const button = parseVendor(PLATFORM, templateButtonSchema, payload, payloadPath);
			const id = button.payload ?? button.text;
			if (id === undefined) throw new PayloadMismatchError(PLATFORM, `${payloadPath}.payload`, 'string');
			return [compact({ type: 'interactive_reply' as const, id, title: button.text, source: 'button' as const })];
		}
		case 'reaction': {
			const reaction = parseVendor(PLATFORM, reactionSchema, payload, payloadPath);
			return [{ type: 'reaction', emoji: reaction.emoji ?? '', targetMessageId: reaction.message_id }];
		}
		case 'order': {
			const order = parseVendor(PLATFORM, orderSchema, payload, payloadPath);
			if (order.product_items.length === 0) {
				return [{ type: 'unsupported', platformType: 'order', reason: 'order without product items', original: payload }];
			}
			return [
				compact({
					type: 'order' as const,
					catalogId: order.catalog_id,
					text: order.text,
					items: order.product_items.map((item) =>
						compact({ productId: item.product_retailer_id, quantity: item.quantity, price: item.item_price, currency: item.currency }),
					),
				}),
			];
		}
		case 'system': {
			const system = parseVendor(PLATFORM, systemSchema, payload, payloadPath);
			return [compact({ type: 'system' as const, event: system.type ?? 'system', text: system.body, data: payload as Record<string, unknown> })];
		}
		case 'request_welcome':
			// The user opened the chat for the first time: an event, not content.
			return [{ type: 'system', event: 'request_welcome' }];
		case 'unsupported': {
			// Newer deliveries name what it was (`unsupported.type`: edit, poll_creation…).
			const inner = (raw as Record<string, unknown>).unsupported;
			const innerType = isRecord(inner) ? inner.type : undefined;
			const first = msg.errors?.[0];
			return [
				compact({
					type: 'unsupported' as const,
					platformType: typeof innerType === 'string' ? innerType : 'unsupported',
					reason: first ? errorText(first) : undefined,
					original: compact({ errors: (raw as Record<string, unknown>).errors, unsupported: inner }),
				}),
			];
		}
		default:
			return [{ type: 'unsupported', platformType: type, reason: `WhatsApp message type "${type}" is not mapped`, original: payload ?? raw }];
	}
}

function errorText(error: WaError): string | undefined {
	const parts = [error.code !== undefined ? String(error.code) : undefined, error.title ?? error.message, error.error_data?.details];
	const text = parts.filter((p) => p !== undefined && p !== '').join(': ');
	return text === '' ? undefined : text;
}

function convertContactCard(card: z.output<typeof waContactCardSchema>): Contact {
	const name = card.name ?? {};
	const composed = [name.first_name, name.middle_name, name.last_name].filter(Boolean).join(' ');
	const phones = (card.phones ?? []).filter((p) => p.phone !== undefined || p.wa_id !== undefined);
	const formatted = name.formatted_name ?? (composed || phones[0]?.phone || 'Unknown');
	const contact: Contact = {
		name: compact({ formatted, first: name.first_name, last: name.last_name }),
		phones: phones.map((p) => compact({ phone: p.phone ?? e164(p.wa_id!), type: p.type, waId: p.wa_id })),
		emails: (card.emails ?? []).filter((e) => e.email !== undefined).map((e) => compact({ email: e.email!, type: e.type })),
		urls: (card.urls ?? []).map((u) => u.url).filter((u): u is string => u !== undefined),
	};
	if (card.org?.company) contact.organization = card.org.company;
	if (card.birthday) contact.birthday = card.birthday;
	if (card.addresses) contact.addresses = card.addresses;
	return contact;
}

function convertInteractive(payload: unknown, path: string, metadata: Record<string, unknown>): Part {
	const interactive = parseVendor(PLATFORM, interactiveSchema, payload, path);
	const body = payload as Record<string, unknown>;
	switch (interactive.type) {
		case 'button_reply': {
			const reply = parseVendor(PLATFORM, buttonReplySchema, body.button_reply, `${path}.button_reply`);
			return compact({ type: 'interactive_reply' as const, id: reply.id, title: reply.title, source: 'button' as const });
		}
		case 'list_reply': {
			const reply = parseVendor(PLATFORM, listReplySchema, body.list_reply, `${path}.list_reply`);
			return compact({
				type: 'interactive_reply' as const,
				id: reply.id,
				title: reply.title,
				description: reply.description,
				source: 'list' as const,
			});
		}
		case 'nfm_reply': {
			// A WhatsApp Flow submission is a form, not a choice: kept whole as unsupported, with the
			// decoded response_json in metadata.flow_response for convenience.
			const reply = parseVendor(PLATFORM, nfmReplySchema, body.nfm_reply, `${path}.nfm_reply`);
			if (reply.response_json !== undefined) {
				try {
					metadata.flow_response = JSON.parse(reply.response_json) as unknown;
				} catch {
					metadata.flow_response = reply.response_json;
				}
			}
			return { type: 'unsupported', platformType: 'nfm_reply', reason: 'WhatsApp Flow response (response_json kept in original)', original: payload };
		}
		default:
			return { type: 'unsupported', platformType: `interactive.${interactive.type}`, reason: 'interactive reply type not mapped', original: payload };
	}
}

// ---------------------------------------------------------------------------------------------------
// Messages that are not conversation content

function notificationMessage(field: string, value: unknown, ctx: ValueContext): Message {
	const timestamp = ctx.now().toISOString();
	const business = businessParticipant(ctx);
	const conversationId = ctx.phoneNumberId ?? ctx.entryId ?? 'whatsapp_business_account';
	const message: Message = {
		schema: MESSAGE_SCHEMA_ID,
		id: eventId(PLATFORM, undefined, 'field', ctx.entryId, field, JSON.stringify(value)),
		channel: 'whatsapp',
		provider: PLATFORM,
		direction: 'inbound',
		conversation: { id: conversationId, type: 'channel' },
		recipients: business ? [business] : [],
		timestamp,
		parts: [{ type: 'system', event: field, data: isRecord(value) ? value : { value } }],
		metadata: { ...valueMetadata(ctx), field },
	};
	if (ctx.keepRaw) message.raw = value;
	return message;
}

/**
 * `errors` at value level (out-of-band problems with no message or status to attach them to) come
 * out as one message with an `unsupported` part holding the errors as sent.
 */
function webhookErrorsMessage(errors: unknown[], path: string, ctx: ValueContext): Message {
	const parsed = errors.map((e, i) => parseVendor(PLATFORM, waErrorSchema, e, `${path}[${i}]`));
	const business = businessParticipant(ctx);
	const message: Message = {
		schema: MESSAGE_SCHEMA_ID,
		id: eventId(PLATFORM, undefined, 'errors', ctx.entryId, ctx.phoneNumberId, JSON.stringify(errors)),
		channel: 'whatsapp',
		provider: PLATFORM,
		direction: 'inbound',
		conversation: { id: ctx.phoneNumberId ?? ctx.entryId ?? 'whatsapp_business_account', type: 'channel' },
		recipients: business ? [business] : [],
		timestamp: ctx.now().toISOString(),
		parts: [compact({ type: 'unsupported' as const, platformType: 'errors', reason: parsed[0] ? errorText(parsed[0]) : undefined, original: errors })],
		metadata: { ...valueMetadata(ctx), errors },
	};
	if (ctx.field !== 'messages') message.metadata.field = ctx.field;
	if (ctx.keepRaw) message.raw = errors;
	return message;
}

// ---------------------------------------------------------------------------------------------------
// Statuses

function convertError(error: WaError): DeliveryError {
	const code = error.code === undefined ? undefined : num(error.code);
	return compact({
		code: error.code === undefined ? undefined : String(error.code),
		message: error.message ?? error.title,
		title: error.title,
		details: error.error_data?.details,
		href: error.href,
		retryable: code === undefined ? undefined : whatsappErrorRetryable(code),
	});
}

function convertStatus(raw: unknown, path: string, ctx: ValueContext): DeliveryEvent {
	const status = readVendor(PLATFORM, statusSchema, raw, path);
	const timestamp = timestampOf(status.timestamp, `${path}.timestamp`, ctx.now);
	const recipient = status.recipient_id ?? status.recipient_user_id;
	const metadata = valueMetadata(ctx);
	if (status.conversation !== undefined) metadata.conversation = status.conversation;
	if (status.pricing !== undefined) metadata.pricing = status.pricing;
	if (status.biz_opaque_callback_data !== undefined) metadata.biz_opaque_callback_data = status.biz_opaque_callback_data;
	if (status.recipient_user_id !== undefined) metadata.recipient_user_id = status.recipient_user_id;
	if (status.errors && status.errors.length > 1) metadata.errors = status.errors;
	const event: DeliveryEvent = {
		schema: EVENT_SCHEMA_ID,
		id: eventId(PLATFORM, undefined, status.id, status.status, status.timestamp, recipient),
		channel: 'whatsapp',
		provider: PLATFORM,
		providerMessageId: status.id,
		status: mapWhatsAppStatus(status.status),
		providerStatus: status.status,
		timestamp,
		metadata,
	};
	if (recipient !== undefined) event.recipient = recipient;
	const first = status.errors?.[0];
	if (first) event.error = convertError(first);
	if (ctx.keepRaw) event.raw = raw;
	return event;
}
