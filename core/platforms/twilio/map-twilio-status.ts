/**
 * Twilio's message status words (providers.md §1.2/§1.5) → the closed DeliveryStatus vocabulary, and
 * the retry hint for Twilio error codes (§1.3, §0.2).
 */
import type { DeliveryStatus } from '../../schema/message';
import { lookupTable } from '../../util/object';

/**
 * `eventType` is the status callback's `EventType`: `READ` marks a WhatsApp/RCS read receipt whatever
 * the status word says.
 */
export function mapTwilioStatus(status: string, eventType?: string): DeliveryStatus {
	if (eventType === 'READ') return 'read';
	switch (status) {
		case 'accepted':
		case 'scheduled':
		case 'queued':
			return 'queued';
		case 'sending':
		case 'sent':
			return 'sent';
		case 'delivered':
			return 'delivered';
		case 'read':
			return 'read';
		case 'undelivered':
		case 'failed':
		case 'canceled':
			return 'failed';
		// partially_delivered (group MMS), receiving/received (inbound words) and anything Twilio adds
		// later: no honest mapping, the word stays in providerStatus.
		default:
			return 'unknown';
	}
}

interface TwilioErrorInfo {
	message: string;
	retryable: boolean;
}

/**
 * Codes from §1.3 with their class from §0.2. "Retry later"/"retry sparingly"/"retry once" codes count
 * as retryable; permanent-recipient, needs-different-content and config codes do not. Codes not listed
 * get no hint (retryable stays absent) rather than a guess.
 */
const TWILIO_ERRORS: Readonly<Record<string, TwilioErrorInfo>> = lookupTable({
	'20003': { message: 'Authentication failed', retryable: false },
	'20404': { message: 'Resource not found', retryable: false },
	'20429': { message: 'Too many concurrent requests', retryable: true },
	'21211': { message: "Invalid 'To' phone number", retryable: false },
	'21408': { message: 'Permission to send to this region is not enabled', retryable: false },
	'21602': { message: 'Message body is required', retryable: false },
	'21606': { message: "The 'From' number is not a valid sender for this message", retryable: false },
	'21608': { message: 'Trial account: unverified destination number', retryable: false },
	'21610': { message: 'Recipient has unsubscribed (replied STOP)', retryable: false },
	'21612': { message: "Cannot route a message between 'From' and 'To'", retryable: false },
	'21614': { message: "'To' is not a mobile number", retryable: false },
	'21617': { message: 'Message body exceeds 1600 characters', retryable: false },
	'30001': { message: 'Queue overflow', retryable: true },
	'30002': { message: 'Account suspended', retryable: false },
	'30003': { message: 'Unreachable destination handset', retryable: true },
	'30004': { message: 'Message blocked', retryable: false },
	'30005': { message: 'Unknown destination handset', retryable: false },
	'30006': { message: 'Landline or unreachable carrier', retryable: false },
	'30007': { message: 'Message filtered by the carrier', retryable: false },
	'30008': { message: 'Unknown error', retryable: true },
	'30034': { message: 'Message from an unregistered A2P 10DLC number', retryable: false },
	'63003': { message: 'WhatsApp address not found', retryable: false },
	'63015': { message: 'WhatsApp sandbox not joined by the recipient', retryable: false },
	'63016': { message: 'Outside the WhatsApp 24-hour window: send a template (ContentSid)', retryable: false },
	'63018': { message: 'WhatsApp channel rate limit exceeded', retryable: true },
	'63024': { message: 'Invalid WhatsApp recipient', retryable: false },
});

export function twilioErrorInfo(code: string): TwilioErrorInfo | undefined {
	return TWILIO_ERRORS[code];
}
