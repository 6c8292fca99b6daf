/**
 * Twilio Programmable Messaging webhooks (providers.md §1.4 inbound, §1.5 status callbacks) → universal
 * messages and delivery events. Both arrive as one form-encoded record per request.
 *
 * Timestamps: Twilio puts no time in either payload (RawDlrDoneDate is a carrier-local YYMMDDhhmm with
 * no zone), so messages and events are stamped with the injected clock `context.now()` — the time the
 * webhook was received — and RawDlrDoneDate is kept in metadata as sent.
 */
import { z } from 'zod/v4';
import { MalformedBodyError, PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import {
	EVENT_SCHEMA_ID,
	MESSAGE_SCHEMA_ID,
	type Channel,
	type DeliveryError,
	type DeliveryEvent,
	type MediaKind,
	type Message,
	type Part,
	type Participant,
} from '../../schema/message';
import { compact, isRecord, type Json, lookupTable } from '../../util/object';
import { eventId, messageId } from '../shared/ids';
import { readVendor, vendorSchema } from '../shared/vendor';
import type { NormalizeContext, NormalizeOutput } from '../types';
import { mapTwilioStatus, twilioErrorInfo } from './map-twilio-status';

export const TWILIO = 'twilio';

const optionalText = z.string().optional();

/**
 * Only the fields read by name; MediaUrl{N}, Referral*, geo fields are read off the record directly.
 * Everything is optional here because inbound messages and status callbacks share the schema; the
 * fields each kind needs are required where the kind is known (see `need`). A form whose declared
 * fields are strings or absent passes the compiled guard and is used as is; zod runs only to name the
 * field that is off.
 */
const twilioFormSchema = vendorSchema(z.looseObject({
	MessageSid: optionalText,
	SmsMessageSid: optionalText,
	SmsSid: optionalText,
	AccountSid: optionalText,
	MessagingServiceSid: optionalText,
	From: optionalText,
	To: optionalText,
	Body: optionalText,
	NumMedia: optionalText,
	NumSegments: optionalText,
	SmsStatus: optionalText,
	MessageStatus: optionalText,
	ErrorCode: optionalText,
	ErrorMessage: optionalText,
	EventType: optionalText,
	ChannelPrefix: optionalText,
	ChannelInstallSid: optionalText,
	ChannelStatusMessage: optionalText,
	RawDlrDoneDate: optionalText,
	ProfileName: optionalText,
	WaId: optionalText,
	MessageType: optionalText,
	ButtonText: optionalText,
	ButtonPayload: optionalText,
	Latitude: optionalText,
	Longitude: optionalText,
	Address: optionalText,
	Label: optionalText,
	OriginalRepliedMessageSid: optionalText,
	OriginalRepliedMessageSender: optionalText,
}));
export type TwilioForm = z.output<typeof twilioFormSchema.schema>;

/** Channel address prefixes Twilio uses in From/To (`whatsapp:+447700900321`). */
const ADDRESS_CHANNELS: Readonly<Record<string, Channel>> = lookupTable({ whatsapp: 'whatsapp', messenger: 'messenger', rcs: 'rcs' });

export interface TwilioAddress {
	address: string;
	channel?: Channel;
}

export function splitAddress(value: string): TwilioAddress {
	const colon = value.indexOf(':');
	if (colon > 0) {
		const channel = ADDRESS_CHANNELS[value.slice(0, colon)];
		if (channel) return { address: value.slice(colon + 1), channel };
	}
	return { address: value };
}

/** A raw form value as text: parsers give strings, repeated keys arrays, JSON hosts maybe numbers. */
function rawText(form: Json, key: string): string | undefined {
	const value = form[key];
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
	return undefined;
}

function need(value: string | undefined, path: string, expected: string): string {
	if (value === undefined || value === '') throw new PayloadMismatchError(TWILIO, path, expected);
	return value;
}

/** A required address: `whatsapp:` alone (a cut-off body) is as missing as no field at all. */
function addressField(value: string | undefined, path: string, expected: string): TwilioAddress {
	const address = splitAddress(need(value, path, expected));
	if (address.address === '') throw new PayloadMismatchError(TWILIO, path, expected);
	return address;
}

function wholeNumber(value: string | undefined, path: string): number | undefined {
	if (value === undefined || value === '') return undefined;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 0) throw new PayloadMismatchError(TWILIO, path, 'a whole number');
	return n;
}

function coordinate(value: string, path: string, limit: number): number {
	const n = Number(value);
	if (value.trim() === '' || !Number.isFinite(n) || Math.abs(n) > limit) {
		throw new PayloadMismatchError(TWILIO, path, `a number between -${limit} and ${limit}`);
	}
	return n;
}

/** Reads the body into a record: a parsed form, or a JSON object a host produced from it. */
export function readTwilioForm(request: ParsedRequest): { form: Json; fields: TwilioForm } {
	if (request.bodyKind === 'empty') throw new MalformedBodyError('The Twilio webhook body is empty');
	const body = request.body;
	if (!isRecord(body)) throw new PayloadMismatchError(TWILIO, '', 'a form-encoded webhook body (field=value pairs)');
	return { form: body, fields: readVendor(TWILIO, twilioFormSchema, body) };
}

function mediaKind(contentType: string, messageType: string | undefined): MediaKind {
	if (messageType === 'sticker') return 'sticker';
	if (contentType.startsWith('image/')) return 'image';
	if (contentType.startsWith('video/')) return 'video';
	if (contentType.startsWith('audio/')) return 'audio';
	return 'document';
}

/** `…/Messages/MM…/Media/ME…` → `ME…`, Twilio's id of the media resource. */
function mediaSid(url: string): string | undefined {
	const at = url.lastIndexOf('/Media/');
	if (at < 0) return undefined;
	const sid = url.slice(at + 7).split(/[/?#]/, 1)[0];
	return sid ? sid : undefined;
}

const GEO_FIELDS = ['City', 'State', 'Zip', 'Country'] as const;

function geo(form: Json, side: 'From' | 'To'): Json | undefined {
	let out: Json | undefined;
	for (const field of GEO_FIELDS) {
		const value = rawText(form, side + field);
		if (value) (out ??= {})[field.toLowerCase()] = value;
	}
	return out;
}

/** Referral* fields of click-to-WhatsApp ads, keyed without the prefix (`ReferralSourceId` → `sourceId`). */
function referral(form: Json): Json | undefined {
	let out: Json | undefined;
	for (const key of Object.keys(form)) {
		if (!key.startsWith('Referral')) continue;
		const value = rawText(form, key);
		if (value === undefined || value === '') continue;
		const name = key.slice(8);
		(out ??= {})[name.charAt(0).toLowerCase() + name.slice(1)] = name === 'NumMedia' ? Number(value) : value;
	}
	// ReferralNumMedia=0 alone comes with every WhatsApp message: not a referral.
	if (out && Object.keys(out).length === 1 && out.numMedia === 0) return undefined;
	return out;
}

function bool(value: string | undefined): boolean | undefined {
	if (value === 'true') return true;
	if (value === 'false') return false;
	return undefined;
}

function channelMetadata(value: string | undefined): unknown {
	if (value === undefined || value === '') return undefined;
	try {
		return JSON.parse(value) as unknown;
	} catch {
		return value;
	}
}

function participant(address: TwilioAddress, name?: string, waId?: string): Participant {
	return compact({
		id: address.address,
		name: name || undefined,
		phone: address.address.startsWith('+') ? address.address : waId ? `+${waId}` : undefined,
		waId: waId || undefined,
	});
}

export function convertTwilioMessage(form: Json, fields: TwilioForm, context: NormalizeContext): Message {
	const sid = need(fields.MessageSid ?? fields.SmsMessageSid ?? fields.SmsSid, 'MessageSid', 'a string (the message SID)');
	const from = addressField(fields.From, 'From', 'a string (the sender address)');
	const to = addressField(fields.To, 'To', 'a string (the receiving address)');
	const numMedia = wholeNumber(fields.NumMedia, 'NumMedia') ?? 0;
	const channel: Channel = from.channel ?? to.channel ?? (numMedia > 0 ? 'mms' : 'sms');
	const body = fields.Body ?? '';

	const parts: Part[] = [];
	let bodyUsed = false;
	if (fields.ButtonPayload || fields.ButtonText) {
		parts.push(
			compact({
				type: 'interactive_reply' as const,
				id: (fields.ButtonPayload || fields.ButtonText)!,
				title: fields.ButtonText || undefined,
				source: 'button' as const,
			}),
		);
		// The tapped button's title is echoed as Body; it is not a separate text.
		bodyUsed = body === '' || body === fields.ButtonText;
	}
	// WhatsApp delivers a media caption as Body beside the one medium; an MMS with one picture reads the
	// same way. With several media the Body is a text of its own, placed before them.
	const caption = numMedia === 1 && body !== '' && !bodyUsed ? body : undefined;
	if (caption !== undefined) bodyUsed = true;
	if (!bodyUsed && body !== '' && body !== fields.Label && body !== fields.Address) {
		parts.push({ type: 'text', text: body, format: 'plain' });
	}
	for (let i = 0; i < numMedia; i += 1) {
		const url = need(rawText(form, `MediaUrl${i}`), `MediaUrl${i}`, `a string (NumMedia is ${numMedia})`);
		const mimeType = rawText(form, `MediaContentType${i}`);
		parts.push(
			compact({
				type: 'media' as const,
				kind: mediaKind(mimeType ?? '', fields.MessageType),
				url,
				mediaId: mediaSid(url),
				mimeType: mimeType || undefined,
				caption,
			}),
		);
	}
	if (fields.Latitude !== undefined || fields.Longitude !== undefined) {
		parts.push(
			compact({
				type: 'location' as const,
				latitude: coordinate(need(fields.Latitude, 'Latitude', 'a number (Longitude is present)'), 'Latitude', 90),
				longitude: coordinate(need(fields.Longitude, 'Longitude', 'a number (Latitude is present)'), 'Longitude', 180),
				name: fields.Label || undefined,
				address: fields.Address || undefined,
			}),
		);
	}
	if (parts.length === 0) {
		// A kind Twilio forwards without Body, media or location (e.g. a WhatsApp reaction or contact):
		// keep the whole form so nothing is lost.
		parts.push({ type: 'unsupported', platformType: fields.MessageType ?? 'empty', reason: 'no Body, media or location in the webhook', original: form });
	}

	const replied = fields.OriginalRepliedMessageSender ? splitAddress(fields.OriginalRepliedMessageSender).address : undefined;
	const sender = participant(from, fields.ProfileName, fields.WaId);
	return compact({
		schema: MESSAGE_SCHEMA_ID,
		id: messageId(TWILIO, sid),
		channel,
		provider: TWILIO,
		direction: 'inbound' as const,
		conversation: { id: from.address, type: 'direct' as const },
		sender,
		recipients: [participant(to)],
		timestamp: context.now().toISOString(),
		parts,
		replyTo: fields.OriginalRepliedMessageSid ? compact({ messageId: fields.OriginalRepliedMessageSid, senderId: replied }) : undefined,
		providerMessageId: sid,
		metadata: compact({
			accountSid: fields.AccountSid,
			messagingServiceSid: fields.MessagingServiceSid,
			messageType: fields.MessageType,
			numSegments: wholeNumber(fields.NumSegments, 'NumSegments'),
			forwarded: bool(rawText(form, 'Forwarded')),
			frequentlyForwarded: bool(rawText(form, 'FrequentlyForwarded')),
			fromGeo: geo(form, 'From'),
			toGeo: geo(form, 'To'),
			referral: referral(form),
			channelMetadata: channelMetadata(rawText(form, 'ChannelMetadata')),
			externalUserId: rawText(form, 'ExternalUserId'),
		}),
		raw: context.keepRaw ? form : undefined,
	});
}

function statusChannel(fields: TwilioForm, sid: string, to: TwilioAddress, from: TwilioAddress | undefined): Channel {
	const prefixed = fields.ChannelPrefix ? ADDRESS_CHANNELS[fields.ChannelPrefix] : undefined;
	if (prefixed) return prefixed;
	if (to.channel) return to.channel;
	if (from?.channel) return from.channel;
	// MMS message SIDs start with MM, SMS with SM.
	return sid.startsWith('MM') ? 'mms' : 'sms';
}

export function convertTwilioStatus(
	form: Json,
	fields: TwilioForm,
	statusWord: string,
	request: ParsedRequest,
	context: NormalizeContext,
): DeliveryEvent {
	const sid = need(fields.MessageSid ?? fields.SmsSid ?? fields.SmsMessageSid, 'MessageSid', 'a string (the message SID)');
	const to = splitAddress(fields.To ?? '');
	const from = fields.From ? splitAddress(fields.From) : undefined;
	const status = mapTwilioStatus(statusWord, fields.EventType);
	let error: DeliveryError | undefined;
	if (fields.ErrorCode && fields.ErrorCode !== '0') {
		const info = twilioErrorInfo(fields.ErrorCode);
		error = compact({
			code: fields.ErrorCode,
			message: fields.ChannelStatusMessage || fields.ErrorMessage || info?.message,
			retryable: info?.retryable,
		});
	} else if (statusWord === 'canceled') {
		error = { message: 'The message was canceled before it was sent' };
	}
	const token = request.headers['i-twilio-idempotency-token'] || undefined;
	return compact({
		schema: EVENT_SCHEMA_ID,
		id: eventId(TWILIO, token, sid, statusWord, fields.EventType, fields.ErrorCode, fields.RawDlrDoneDate),
		channel: statusChannel(fields, sid, to, from),
		provider: TWILIO,
		providerMessageId: sid,
		status,
		providerStatus: statusWord,
		timestamp: context.now().toISOString(),
		recipient: to.address || undefined,
		error,
		providerEventId: token,
		metadata: compact({
			accountSid: fields.AccountSid,
			messagingServiceSid: fields.MessagingServiceSid,
			from: from?.address,
			eventType: fields.EventType,
			rawDlrDoneDate: fields.RawDlrDoneDate,
			channelInstallSid: fields.ChannelInstallSid,
			channelPrefix: fields.ChannelPrefix,
			channelStatusMessage: fields.ChannelStatusMessage,
			numSegments: wholeNumber(fields.NumSegments, 'NumSegments'),
		}),
		raw: context.keepRaw ? form : undefined,
	});
}

/**
 * One webhook request → one message or one event. A status callback carries MessageStatus (or, on old
 * accounts, only SmsStatus) with a word other than received/receiving; an inbound message has
 * SmsStatus=received or at least Body/NumMedia.
 */
export function convertTwilioRequest(request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	const { form, fields } = readTwilioForm(request);
	const statusWord = fields.MessageStatus ?? fields.SmsStatus;
	const inboundWord = statusWord === 'received' || statusWord === 'receiving';
	if (statusWord !== undefined && statusWord !== '' && !inboundWord) {
		return { messages: [], events: [convertTwilioStatus(form, fields, statusWord, request, context)] };
	}
	if (inboundWord || fields.Body !== undefined || fields.NumMedia !== undefined) {
		return { messages: [convertTwilioMessage(form, fields, context)], events: [] };
	}
	throw new PayloadMismatchError(TWILIO, 'MessageStatus', 'an inbound message (SmsStatus=received, Body, NumMedia) or a status callback (MessageStatus)');
}
