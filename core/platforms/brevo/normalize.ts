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
import { PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import { EVENT_SCHEMA_ID, type DeliveryEvent } from '../../schema/message';
import { compact, type Json } from '../../util/object';
import { fromUnixMillis, fromUnixSeconds } from '../../util/time';
import { convertEventBatch } from '../shared/email';
import { eventId } from '../shared/ids';
import { readVendor, vendorSchema } from '../shared/vendor';
import type { NormalizeContext, NormalizeOutput } from '../types';
import { brevoRetryable, mapBrevoStatus } from './map-brevo-status';

export const BREVO = 'brevo';

const optionalText = z.string().optional();
const numberLike = z.union([z.number(), z.string()]);

/** A value that passes the compiled guard is used as is; zod runs only to name what is off. */
const eventSchema = vendorSchema(z.looseObject({
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
}));
type BrevoEvent = z.output<typeof eventSchema.schema>;

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
	const item = readVendor(BREVO, eventSchema, value, path);
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

const BATCH_NAMES = { platform: BREVO, webhook: 'Brevo webhook', expected: 'a webhook event object' };

export function convertBrevoRequest(request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	return convertEventBatch(request, BATCH_NAMES, (value, path) => convertBrevoEvent(value, path, context));
}
