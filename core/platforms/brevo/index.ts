/** Brevo (ex-Sendinblue) transactional email: /v3/smtp/email out, transactional webhooks in. */
import type { ParsedRequest } from '../../request';
import { isRecord } from '../../util/object';
import type { Detection, PlatformAdapter } from '../types';
import { convertBrevoRequest } from './normalize';
import { brevoCapabilities, renderBrevo } from './render';

function looksLikeBrevo(value: unknown): boolean {
	return (
		isRecord(value) &&
		typeof value.event === 'string' &&
		(typeof value['message-id'] === 'string' || value.ts_event !== undefined) &&
		value.sg_event_id === undefined
	);
}

/**
 * Brevo signs nothing (the webhook is secured with Basic/bearer credentials), so detection rests on
 * the body: an `event` word with Brevo's `message-id` or `ts_event`, names no other platform uses
 * (SendGrid has `sg_event_id`/`smtp-id`/`timestamp`). An array of such events is accepted too.
 */
export function detectBrevo(request: ParsedRequest): Detection {
	const body = request.body;
	if (looksLikeBrevo(body) || (Array.isArray(body) && looksLikeBrevo(body[0]))) return { match: true };
	return { match: false, reason: 'no object with event + message-id/ts_event' };
}

export const brevoAdapter: PlatformAdapter = {
	id: 'brevo',
	name: 'Brevo (email)',
	channel: 'email',
	detect: detectBrevo,
	normalize: convertBrevoRequest,
	renderCapabilities: brevoCapabilities,
	render: renderBrevo,
};
