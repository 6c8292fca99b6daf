/**
 * SendGrid Event Webhook (providers.md §2.4) → delivery events. SendGrid POSTs a JSON array of events,
 * batched; every item becomes one event, in the order sent. (A single event object is accepted too.)
 *
 * SendGrid flattens the mail's `custom_args` into each event next to its own fields; everything that is
 * not a documented SendGrid field is therefore returned as `metadata.customArgs`.
 */
import { z } from 'zod/v4';
import { PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import { EVENT_SCHEMA_ID, type DeliveryEvent } from '../../schema/message';
import { compact, type Json } from '../../util/object';
import { fromUnixSeconds } from '../../util/time';
import { convertEventBatch } from '../shared/email';
import { eventId } from '../shared/ids';
import { readVendor, vendorSchema } from '../shared/vendor';
import type { NormalizeContext, NormalizeOutput } from '../types';
import { mapSendgridStatus, sendgridRetryable } from './map-sendgrid-status';

export const SENDGRID = 'sendgrid';

const optionalText = z.string().optional();
const numberLike = z.union([z.number(), z.string()]);

/** A value that passes the compiled guard is used as is; zod runs only to name what is off. */
const eventSchema = vendorSchema(z.looseObject({
	event: z.string().min(1),
	timestamp: numberLike,
	email: optionalText,
	sg_event_id: optionalText,
	sg_message_id: optionalText,
	'smtp-id': optionalText,
	category: z.union([z.string(), z.array(z.string())]).optional(),
	type: optionalText,
	status: optionalText,
	reason: optionalText,
	response: optionalText,
	url: optionalText,
	bounce_classification: optionalText,
	sg_machine_open: z.boolean().optional(),
	attempt: numberLike.optional(),
	useragent: optionalText,
	ip: optionalText,
}));
type SendgridEvent = z.output<typeof eventSchema.schema>;

/** SendGrid's own event fields; any other top-level key is a flattened custom_arg. */
const SENDGRID_FIELDS = new Set([
	'email',
	'timestamp',
	'event',
	'sg_event_id',
	'sg_message_id',
	'smtp-id',
	'category',
	'type',
	'status',
	'reason',
	'bounce_classification',
	'ip',
	'tls',
	'cert_err',
	'useragent',
	'url',
	'url_offset',
	'sg_machine_open',
	'response',
	'attempt',
	'send_at',
	'asm_group_id',
	'pool',
	'sg_content_type',
	'sg_template_id',
	'sg_template_name',
	'sg_user_id',
	'template_id',
	'template_name',
	'template_version_id',
	'marketing_campaign_id',
	'marketing_campaign_name',
	'marketing_campaign_version',
	'marketing_campaign_split_id',
	'singlesend_id',
	'singlesend_name',
	'phase_id',
	'mc_stats',
	'mc_auto_id',
	'mc_auto_name',
	'mc_auto_step_id',
	'newsletter',
	'unique_args',
]);

function customArgs(item: Json): Json | undefined {
	let out: Json | undefined;
	for (const key in item) {
		if (!SENDGRID_FIELDS.has(key)) (out ??= {})[key] = item[key];
	}
	return out;
}

/**
 * The id SendGrid returned as X-Message-Id: the `sg_message_id` prefix before the first `.`; failing
 * that, the local part of `smtp-id` (`<id@host>`), which carries the same id.
 */
export function sendgridMessageId(event: SendgridEvent): string | undefined {
	const sg = event.sg_message_id;
	if (sg) {
		const dot = sg.indexOf('.');
		return dot > 0 ? sg.slice(0, dot) : sg;
	}
	const smtp = event['smtp-id'];
	if (smtp) {
		const id = smtp.replace(/^</, '').split('@', 1)[0];
		if (id) return id;
	}
	return undefined;
}

function put(target: Json, key: string, value: unknown): void {
	if (value !== undefined) target[key] = value;
}

// Events of one batch often share their second; formatting a Date is the costliest step per event.
let lastSeconds: number | string | undefined;
let lastIso: string | undefined;
function isoSeconds(seconds: number | string): string | undefined {
	if (seconds !== lastSeconds) {
		lastIso = fromUnixSeconds(seconds);
		lastSeconds = seconds;
	}
	return lastIso;
}

const at = (path: string, field: string) => (path ? `${path}.${field}` : field);

export function convertSendgridEvent(value: unknown, path: string, context: NormalizeContext): DeliveryEvent {
	const item = readVendor(SENDGRID, eventSchema, value, path);
	const record = item as Json;
	const providerMessageId = sendgridMessageId(item);
	if (!providerMessageId) throw new PayloadMismatchError(SENDGRID, at(path, 'sg_message_id'), 'string');
	const timestamp = isoSeconds(item.timestamp);
	if (timestamp === undefined) throw new PayloadMismatchError(SENDGRID, at(path, 'timestamp'), 'unix seconds');
	const event = item.event;
	const status = mapSendgridStatus(event, item.type);
	const retryable = sendgridRetryable(event);
	const error =
		event === 'dropped' || event === 'bounce'
			? compact({ code: item.status, message: item.reason, retryable })
			: event === 'deferred'
				? compact({ message: item.response ?? item.reason, retryable })
				: undefined;
	// Built field by field rather than through compact(): this runs once per event of large batches.
	const metadata: Json = {};
	put(metadata, 'sgMessageId', item.sg_message_id);
	put(metadata, 'smtpId', item['smtp-id']);
	put(metadata, 'category', item.category);
	put(metadata, 'customArgs', customArgs(record));
	put(metadata, 'bounceType', item.type);
	put(metadata, 'bounceClassification', item.bounce_classification);
	put(metadata, 'reason', item.reason);
	put(metadata, 'smtpStatus', item.status);
	put(metadata, 'response', item.response);
	put(metadata, 'attempt', item.attempt === undefined ? undefined : Number(item.attempt));
	put(metadata, 'url', item.url);
	put(metadata, 'urlOffset', record.url_offset);
	put(metadata, 'machineOpen', item.sg_machine_open);
	put(metadata, 'userAgent', item.useragent);
	put(metadata, 'ip', item.ip);
	put(metadata, 'tls', record.tls);
	put(metadata, 'asmGroupId', record.asm_group_id);
	put(metadata, 'sgTemplateId', record.sg_template_id);
	put(metadata, 'marketingCampaignId', record.marketing_campaign_id);

	const out: DeliveryEvent = {
		schema: EVENT_SCHEMA_ID,
		id: eventId(SENDGRID, item.sg_event_id, item.sg_message_id ?? providerMessageId, event, item.timestamp, item.email),
		channel: 'email',
		provider: SENDGRID,
		providerMessageId,
		status,
		providerStatus: event,
		timestamp,
		metadata,
	};
	if (item.email) out.recipient = item.email;
	if (error) out.error = error;
	if (item.sg_event_id) out.providerEventId = item.sg_event_id;
	if (context.keepRaw) out.raw = value;
	return out;
}

const BATCH_NAMES = { platform: SENDGRID, webhook: 'SendGrid Event Webhook', expected: 'an array of Event Webhook events' };

export function convertSendgridRequest(request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	return convertEventBatch(request, BATCH_NAMES, (value, path) => convertSendgridEvent(value, path, context));
}
