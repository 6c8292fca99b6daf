/** Twilio SendGrid: v3 Mail Send out, Event Webhook (delivery/engagement events) in. */
import type { ParsedRequest } from '../../request';
import { isRecord } from '../../util/object';
import type { Detection, PlatformAdapter } from '../types';
import { convertSendgridRequest } from './normalize';
import { renderSendgrid, sendgridCapabilities } from './render';

/**
 * The signed Event Webhook header is SendGrid's own; otherwise the body must be the documented array of
 * events whose first item has `event` and a SendGrid id (`sg_event_id` / `sg_message_id`), which
 * Brevo's single objects and every chat platform lack.
 */
export function detectSendgrid(request: ParsedRequest): Detection {
	if (request.headers['x-twilio-email-event-webhook-signature']) return { match: true };
	const body = request.body;
	if (Array.isArray(body)) {
		const first: unknown = body[0];
		if (isRecord(first) && typeof first.event === 'string' && (typeof first.sg_event_id === 'string' || typeof first.sg_message_id === 'string')) {
			return { match: true };
		}
	}
	return { match: false, reason: 'no X-Twilio-Email-Event-Webhook-Signature header and no array of events with event + sg_event_id/sg_message_id' };
}

export const sendgridAdapter: PlatformAdapter = {
	id: 'sendgrid',
	name: 'SendGrid (email)',
	channel: 'email',
	detect: detectSendgrid,
	normalize: convertSendgridRequest,
	renderCapabilities: sendgridCapabilities,
	render: renderSendgrid,
};
