/**
 * Twilio Programmable Messaging: SMS, MMS and WhatsApp through one form-encoded API and webhook format.
 */
import type { ParsedRequest } from '../../request';
import { isRecord } from '../../util/object';
import type { Detection, PlatformAdapter } from '../types';
import { convertTwilioRequest } from './normalize';
import { renderTwilio, twilioCapabilities } from './render';

/**
 * Twilio signs every webhook with X-Twilio-Signature; without the header (a proxy may strip it) the
 * form itself is recognisable: an account SID `AC…` beside a message SID. SendGrid's Event Webhook
 * header (X-Twilio-Email-Event-Webhook-Signature) is a different name and is not claimed here.
 */
export function detectTwilio(request: ParsedRequest): Detection {
	if (request.headers['x-twilio-signature']) return { match: true };
	const body = request.body;
	if (isRecord(body)) {
		const account = body.AccountSid;
		if (typeof account === 'string' && account.startsWith('AC') && (typeof body.MessageSid === 'string' || typeof body.SmsSid === 'string')) {
			return { match: true };
		}
	}
	return { match: false, reason: 'no X-Twilio-Signature header and no form body with AccountSid (AC…) and MessageSid' };
}

export const twilioAdapter: PlatformAdapter = {
	id: 'twilio',
	name: 'Twilio (SMS, MMS, WhatsApp)',
	channel: 'sms',
	detect: detectTwilio,
	normalize: convertTwilioRequest,
	renderCapabilities: twilioCapabilities,
	render: renderTwilio,
};
