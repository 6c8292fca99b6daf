/**
 * Vonage Messages API webhooks (providers.md §9.2) → universal messages and delivery events. One JSON
 * object per POST: an inbound message carries `message_type`, a status report carries `status`. An
 * array of them is accepted too and comes out in order.
 *
 * Addresses stay as Vonage writes them (`447700900321`, no `+`): that is what the send API takes back
 * in `to`. Phone-number channels also get `phone` in E.164.
 */
import { z } from 'zod/v4';
import { MalformedBodyError, PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import {
	EVENT_SCHEMA_ID,
	MESSAGE_SCHEMA_ID,
	type Channel,
	type DeliveryEvent,
	type MediaKind,
	type Message,
	type Part,
	type Participant,
} from '../../schema/message';
import { compact, isRecord, str, type Json, lookupTable } from '../../util/object';
import { fromDateString } from '../../util/time';
import { eventId, messageId } from '../shared/ids';
import { parseVendor, readVendor, vendorSchema } from '../shared/vendor';
import type { NormalizeContext, NormalizeOutput } from '../types';
import { mapVonageStatus, vonageErrorRetryable } from './map-vonage-status';

export const VONAGE = 'vonage';

/** Vonage channel names ↔ universal channels. */
export const VONAGE_CHANNELS: Readonly<Record<string, Channel>> = lookupTable({
	sms: 'sms',
	mms: 'mms',
	whatsapp: 'whatsapp',
	messenger: 'messenger',
	viber_service: 'viber',
	rcs: 'rcs',
});
const PHONE_CHANNELS = new Set(['sms', 'mms', 'whatsapp', 'viber_service', 'rcs']);

const optionalText = z.string().optional();
const numberLike = z.union([z.number(), z.string()]);

const inboundSchema = vendorSchema(z.looseObject({
	channel: z.string(),
	message_uuid: z.string().min(1),
	to: z.string().min(1),
	from: z.string().min(1),
	timestamp: optionalText,
	message_type: z.string(),
	text: optionalText,
	client_ref: optionalText,
	context_status: optionalText,
	profile: z.looseObject({ name: optionalText }).optional(),
	context: z.looseObject({ message_uuid: optionalText, message_from: optionalText }).optional(),
	sms: z.looseObject({ num_messages: numberLike.optional(), keyword: optionalText }).optional(),
	usage: z.looseObject({ price: numberLike.optional(), currency: optionalText }).optional(),
}));
type VonageInbound = z.output<typeof inboundSchema.schema>;

const statusSchema = vendorSchema(z.looseObject({
	message_uuid: z.string().min(1),
	status: z.string(),
	timestamp: optionalText,
	to: optionalText,
	from: optionalText,
	channel: optionalText,
	client_ref: optionalText,
	usage: z.looseObject({ price: numberLike.optional(), currency: optionalText }).optional(),
	error: z
		.looseObject({ type: optionalText, title: numberLike.optional(), detail: optionalText, instance: optionalText })
		.optional(),
	destination: z.looseObject({ network_code: optionalText }).optional(),
	sms: z.looseObject({ count_total: numberLike.optional() }).optional(),
}));
type VonageStatus = z.output<typeof statusSchema.schema>;

const mediaSchema = vendorSchema(z.looseObject({ url: z.string().min(1), caption: optionalText, name: optionalText }));
type VonageMedia = z.output<typeof mediaSchema.schema>;
const locationSchema = z.looseObject({ lat: numberLike, long: numberLike, name: optionalText, address: optionalText });
const replySchema = z.looseObject({ id: z.string(), title: optionalText, description: optionalText });
const buttonSchema = z.looseObject({ payload: optionalText, text: optionalText });

function timestamp(value: string | undefined, path: string, context: NormalizeContext): string {
	if (value === undefined) return context.now().toISOString();
	const iso = fromDateString(value);
	if (iso === undefined) throw new PayloadMismatchError(VONAGE, path, 'an ISO 8601 timestamp');
	return iso;
}

function channelOf(value: string | undefined): Channel {
	return (value && VONAGE_CHANNELS[value]) || 'custom';
}

function participant(id: string, channel: string, name?: string): Participant {
	const digits = PHONE_CHANNELS.has(channel) && /^\d{6,15}$/.test(id);
	return compact({ id, name: name || undefined, phone: digits ? `+${id}` : undefined });
}

function coordinate(value: number | string, path: string, limit: number): number {
	const n = typeof value === 'number' ? value : Number(value);
	if ((typeof value === 'string' && value.trim() === '') || !Number.isFinite(n) || Math.abs(n) > limit) {
		throw new PayloadMismatchError(VONAGE, path, `a number between -${limit} and ${limit}`);
	}
	return n;
}

const MEDIA_TYPES: Readonly<Record<string, MediaKind>> = lookupTable({
	image: 'image',
	video: 'video',
	audio: 'audio',
	file: 'document',
	sticker: 'sticker',
	vcard: 'document',
});

function mediaPart(type: string, media: VonageMedia): Part {
	return compact({
		type: 'media' as const,
		kind: MEDIA_TYPES[type]!,
		url: media.url,
		caption: media.caption || undefined,
		filename: media.name || undefined,
		mimeType: type === 'vcard' ? 'text/vcard' : undefined,
	});
}

function convertContent(payload: Json, type: string, base: string): Part {
	const at = (field: string) => `${base}${base ? '.' : ''}${field}`;
	switch (type) {
		case 'text': {
			const text = payload.text;
			if (typeof text !== 'string') throw new PayloadMismatchError(VONAGE, at('text'), 'string');
			return { type: 'text', text, format: 'plain' };
		}
		case 'image':
		case 'video':
		case 'audio':
		case 'file':
		case 'sticker':
		case 'vcard':
			return mediaPart(type, readVendor(VONAGE, mediaSchema, payload[type], at(type)));
		case 'location': {
			const location = parseVendor(VONAGE, locationSchema, payload.location, at('location'));
			return compact({
				type: 'location' as const,
				latitude: coordinate(location.lat, at('location.lat'), 90),
				longitude: coordinate(location.long, at('location.long'), 180),
				name: location.name || undefined,
				address: location.address || undefined,
			});
		}
		case 'reply': {
			// WhatsApp reply buttons and list rows both arrive as `reply`; only list rows have a description.
			const reply = parseVendor(VONAGE, replySchema, payload.reply, at('reply'));
			return compact({
				type: 'interactive_reply' as const,
				id: reply.id,
				title: reply.title || undefined,
				description: reply.description || undefined,
				source: reply.description ? ('list' as const) : ('button' as const),
			});
		}
		case 'button': {
			// A quick-reply button of a WhatsApp template.
			const button = parseVendor(VONAGE, buttonSchema, payload.button, at('button'));
			const id = button.payload || button.text;
			if (!id) throw new PayloadMismatchError(VONAGE, at('button.payload'), 'string');
			return compact({ type: 'interactive_reply' as const, id, title: button.text || undefined, source: 'button' as const });
		}
		default:
			return {
				type: 'unsupported',
				platformType: type,
				reason: `Vonage message_type "${type}" is not mapped`,
				original: payload[type] ?? payload,
			};
	}
}

export function convertVonageMessage(value: unknown, path: string, context: NormalizeContext): Message {
	const inbound: VonageInbound = readVendor(VONAGE, inboundSchema, value, path);
	const payload = inbound as Json;
	const channel = channelOf(inbound.channel);
	const at = (field: string) => `${path}${path ? '.' : ''}${field}`;
	const replyTo = inbound.context?.message_uuid
		? compact({ messageId: inbound.context.message_uuid, senderId: inbound.context.message_from || undefined })
		: undefined;
	return compact({
		schema: MESSAGE_SCHEMA_ID,
		id: messageId(VONAGE, inbound.message_uuid),
		channel,
		provider: VONAGE,
		direction: 'inbound' as const,
		conversation: { id: inbound.from, type: 'direct' as const },
		sender: participant(inbound.from, inbound.channel, inbound.profile?.name),
		recipients: [participant(inbound.to, inbound.channel)],
		timestamp: timestamp(inbound.timestamp, at('timestamp'), context),
		parts: [convertContent(payload, inbound.message_type, path)],
		replyTo,
		providerMessageId: inbound.message_uuid,
		metadata: compact({
			vonageChannel: channel === 'custom' ? inbound.channel : undefined,
			messageType: inbound.message_type,
			clientRef: inbound.client_ref,
			contextStatus: inbound.context_status,
			smsKeyword: inbound.sms?.keyword,
			smsNumMessages: inbound.sms?.num_messages === undefined ? undefined : Number(inbound.sms.num_messages),
			price: inbound.usage?.price === undefined ? undefined : str(inbound.usage.price),
			currency: inbound.usage?.currency,
		}),
		raw: context.keepRaw ? value : undefined,
	});
}

export function convertVonageStatus(value: unknown, path: string, context: NormalizeContext): DeliveryEvent {
	const report: VonageStatus = readVendor(VONAGE, statusSchema, value, path);
	const at = (field: string) => `${path}${path ? '.' : ''}${field}`;
	const time = timestamp(report.timestamp, at('timestamp'), context);
	const channel = channelOf(report.channel);
	const error = report.error;
	// `title` is the numeric code; older payloads only have it as the `#1340` fragment of `type`.
	const code = error ? (error.title !== undefined ? String(error.title) : error.type?.split('#')[1]) : undefined;
	return compact({
		schema: EVENT_SCHEMA_ID,
		id: eventId(VONAGE, undefined, report.message_uuid, report.status, time, report.to),
		channel,
		provider: VONAGE,
		providerMessageId: report.message_uuid,
		status: mapVonageStatus(report.status),
		providerStatus: report.status,
		timestamp: time,
		recipient: report.to || undefined,
		error: error
			? compact({
					code,
					message: error.detail,
					retryable: vonageErrorRetryable(code),
					type: error.type,
					instance: error.instance,
				})
			: undefined,
		metadata: compact({
			vonageChannel: channel === 'custom' ? report.channel : undefined,
			clientRef: report.client_ref,
			from: report.from,
			price: report.usage?.price === undefined ? undefined : str(report.usage.price),
			currency: report.usage?.currency,
			networkCode: report.destination?.network_code,
			smsCount: report.sms?.count_total === undefined ? undefined : Number(report.sms.count_total),
		}),
		raw: context.keepRaw ? value : undefined,
	});
}

function convertOne(value: unknown, path: string, context: NormalizeContext, out: NormalizeOutput): void {
	if (!isRecord(value)) throw new PayloadMismatchError(VONAGE, path, 'object');
	if (value.status !== undefined) out.events.push(convertVonageStatus(value, path, context));
	else if (value.message_type !== undefined) out.messages.push(convertVonageMessage(value, path, context));
	else throw new PayloadMismatchError(VONAGE, path ? `${path}.message_type` : 'message_type', 'an inbound message (message_type) or a status report (status)');
}

export function convertVonageRequest(request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	if (request.bodyKind === 'empty') throw new MalformedBodyError('The Vonage webhook body is empty');
	const out: NormalizeOutput = { messages: [], events: [] };
	const body = request.body;
	if (Array.isArray(body)) body.forEach((item, i) => convertOne(item, `[${i}]`, context, out));
	else convertOne(body, '', context, out);
	return out;
}
