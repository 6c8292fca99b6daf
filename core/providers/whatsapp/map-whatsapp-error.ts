/**
 * WhatsApp Cloud API error (Graph `error.code` + HTTP status) → category (providers.md §4.3, §0.2).
 * Meta answers most errors with HTTP 400, so the code decides; the status only speaks when there is
 * no code (gateway pages, empty bodies) or the code is one nobody documents.
 */
import { classifyByStatus, classifyGraphCommonCode, type ErrorClass, type GraphError } from '../shared/graph';

/** Pair rate limit: about one message per 6 s to the same user (providers.md §4.6). */
export const WHATSAPP_PAIR_INTERVAL_MS = 6_000;

const TEMPLATE_HINT = 'Check the template name, language and the number and format of its parameters in WhatsApp Manager; the template must be approved and active.';

export function mapWhatsAppError(error: GraphError | undefined, httpStatus: number): ErrorClass {
	const code = error?.code;
	if (code === undefined) return httpStatus === 429 ? { category: 'rate_limited' } : classifyByStatus(httpStatus);
	switch (code) {
		case 131047:
			return {
				category: 'window',
				hint: 'More than 24 hours have passed since the customer last wrote: only an approved template can be sent. Add a template part to the message.',
			};
		case 130429: // throughput (messages per second per number)
			return { category: 'rate_limited', hint: 'The phone number sent more messages per second than Meta allows (80/s by default): lower the rate limit.' };
		case 131056: // pair rate limit: too many messages to the same user
			return { category: 'rate_limited', retryAfterMs: WHATSAPP_PAIR_INTERVAL_MS, hint: 'Too many messages to this customer in a short time: wait before sending to them again.' };
		case 131016: // service unavailable
		case 131000: // something went wrong (Meta: retry)
			return { category: 'transient' };
		case 131026:
			return {
				category: 'recipient',
				hint: 'The message cannot be delivered to this number: it may not be on WhatsApp, use an old app version, or have blocked the business.',
			};
		case 131050:
			return { category: 'recipient', hint: 'The customer opted out of marketing messages from this business.' };
		case 131021:
			return { category: 'recipient', hint: 'The recipient is the sending number itself.' };
		case 131049:
			// "Healthy ecosystem" per-user marketing limit: the same message fails again for ≥ 24 h.
			return { category: 'recipient', hint: 'Meta limits how many marketing messages this customer receives: try again after 24 hours, not sooner.' };
		case 133010:
			// The business phone number (the sender) is not registered with the Cloud API.
			return { category: 'config', hint: 'The business phone number is not registered with the Cloud API: register it (POST /{phone-number-id}/register).' };
		case 131045:
			return { category: 'config', hint: 'The business phone number is not registered (certificate missing): register it in WhatsApp Manager.' };
		case 131031:
			return { category: 'config', hint: 'The WhatsApp Business Account is locked: check it in WhatsApp Manager / Business Support Home.' };
		case 131042:
			return { category: 'config', hint: 'Payment problem: add or fix the payment method of the WhatsApp Business Account.' };
		case 131048:
			return { category: 'config', hint: 'Meta restricted this number because earlier messages were blocked or reported as spam: review the quality rating before sending more.' };
		case 131008: // required parameter missing
		case 131009: // parameter value invalid
		case 131051: // unsupported message type
		case 131052: // media download error
		case 131053: // media upload error
		case 135000: // generic user error
			return { category: 'content' };
		default:
			if (code >= 132000 && code <= 132999) return { category: 'content', hint: TEMPLATE_HINT };
			return classifyGraphCommonCode(code, error?.subcode) ?? (httpStatus === 429 ? { category: 'rate_limited' } : classifyByStatus(httpStatus));
	}
}
