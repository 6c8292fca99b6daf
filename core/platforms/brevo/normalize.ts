/**
 * Brevo transactional-email webhooks (providers.md §9.1) → delivery events. Brevo POSTs one JSON event
 * per request; an array of them (a replay, a queue dump) is accepted too and comes out in order.
 *
 * Timestamps: `ts_epoch` (milliseconds) when present, as it is the most precise, else `ts_event`, else
 * `ts` (unix seconds, UTC). `date` is a zone-less CET/CEST local string and is only kept in metadata.
 * Brevo's `id` is the id of the webhook configuration (the same on every event), not an event id, so
 * event ids are derived from message-id + event + time + email.
 */
import { z } from 'zod/v4';
import { MalformedBodyError, PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import { EVENT_SCHEMA_ID, type DeliveryEvent } from '../../schema/message';
import { compact, isRecord, type Json } from '../../util/object';
import { fromUnixMillis, fromUnixSeconds } from '../../util/time';
import { eventId } from '../shared/ids';
import { parseVendor } from '../shared/vendor';
import type { NormalizeContext, NormalizeOutput } from '../types';
import { brevoRetryable, mapBrevoStatus } from './map-brevo-status';

export const BREVO = 'brevo';

const optionalText = z.string().optional();
const numberLike = z.union([z.number(), z.string()]);

const eventSchema = z.looseObject({
	event: z.string().min(1),
	'message-id': z.string().min(1),
	email: optionalText,
	ts: numberLike.optional(),
	ts_event: numberLike.optional(),
	ts_epoch: numberLike.optional(),
	reason: optionalText,
	link: optionalText,
	tag: optionalText,
	tags: z.array(z.string()).optional(),
	'X-Mailin-custom': optionalText,
	subject: optionalText,
	date: optionalText,
	sending_ip: optionalText,
	user_agent: optionalText,
	device_used: optionalText,
});
type BrevoEvent = z.output<typeof eventSchema>;

const optStr = (v: unknown) => v === undefined || typeof v === 'string';
const optNumLike = (v: unknown) => v === undefined || typeof v === 'number' || typeof v === 'string';

/** Cheap check for the usual path; when it holds the event is exactly what zod's copy would return. */
function eventGuard(v: Json): boolean {
	const tags = v.tags;
	return (
		typeof v.event === 'string' &&
		v.event !== '' &&
		typeof v['message-id'] === 'string' &&
		v['message-id'] !== '' &&
		optStr(v.email) &&
		optNumLike(v.ts) &&
		optNumLike(v.ts_event) &&
		optNumLike(v.ts_epoch) &&
		optStr(v.reason) &&
		optStr(v.link) &&
		optStr(v.tag) &&
		(tags === undefined || (Array.isArray(tags) && tags.every((t) => typeof t === 'string'))) &&
		optStr(v['X-Mailin-custom']) &&
		optStr(v.subject) &&
		optStr(v.date) &&
		optStr(v.sending_ip) &&
		optStr(v.user_agent) &&
		optStr(v.device_used)
	);
}

const at = (path: string, field: string) => (path ? `${path}.${field}` : field);

function timestamp(item: BrevoEvent, path: string, context: NormalizeContext): string {
	const check = (value: string | undefined, field: string, unit: string) => {
		if (value === undefined) throw new PayloadMismatchError(BREVO, at(path, field), unit);
		return value;
	};
	if (item.ts_epoch !== undefined) return check(fromUnixMillis(item.ts_epoch), 'ts_epoch', 'unix milliseconds');
	if (item.ts_event !== undefined) return check(fromUnixSeconds(item.ts_event), 'ts_event', 'unix seconds');
	if (item.ts !== undefined) return check(fromUnixSeconds(item.ts), 'ts', 'unix seconds');
	return context.now().toISOString();
}

export function convertBrevoEvent(value: unknown, path: string, context: NormalizeContext): DeliveryEvent {
	const item = isRecord(value) && eventGuard(value) ? (value as BrevoEvent) : parseVendor(BREVO, eventSchema, value, path);
	const record = item as Json;
	const time = timestamp(item, path, context);
	const status = mapBrevoStatus(item.event);
	const retryable = brevoRetryable(item.event);
	return compact({
		schema: EVENT_SCHEMA_ID,
		id: eventId(BREVO, undefined, item['message-id'], item.event, item.ts_epoch ?? item.ts_event ?? item.ts, item.email, item.link),
		channel: 'email' as const,
		provider: BREVO,
		providerMessageId: item['message-id'],
		status,
		providerStatus: item.event,
		timestamp: time,
		recipient: item.email || undefined,
		error: item.reason !== undefined || retryable !== undefined ? compact({ message: item.reason, retryable }) : undefined,
		metadata: compact({
			xMailinCustom: item['X-Mailin-custom'],
			tags: item.tags ?? (item.tag ? [item.tag] : undefined),
			link: item.link,
			subject: item.subject,
			templateId: record.template_id,
			webhookId: record.id,
			date: item.date,
			sendingIp: item.sending_ip,
			userAgent: item.user_agent,
			deviceUsed: item.device_used,
		}),
		raw: context.keepRaw ? value : undefined,
	});
}

export function convertBrevoRequest(request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	if (request.bodyKind === 'empty') throw new MalformedBodyError('The Brevo webhook body is empty');
	const body = request.body;
	if (Array.isArray(body)) {
		const events: DeliveryEvent[] = new Array(body.length);
		for (let i = 0; i < body.length; i += 1) events[i] = convertBrevoEvent(body[i], `[${i}]`, context);
		return { messages: [], events };
	}
	if (isRecord(body)) return { messages: [], events: [convertBrevoEvent(body, '', context)] };
	throw new PayloadMismatchError(BREVO, '', 'a webhook event object');
}
