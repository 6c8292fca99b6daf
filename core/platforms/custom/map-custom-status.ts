import type { DeliveryStatus } from '../../schema/message';

/**
 * A status word the mapping's `events.values.status` table did not translate → the closed vocabulary.
 * Only the vocabulary's own words are recognised (case-insensitively): guessing that a provider's
 * "SEEN" means read is the analyst's call, written in the table. Everything else is 'unknown', and
 * the event keeps the word as `providerStatus`.
 */
export function mapCustomStatus(word: string): DeliveryStatus {
	switch (word.trim().toLowerCase()) {
		case 'queued':
			return 'queued';
		case 'sent':
			return 'sent';
		case 'delivered':
			return 'delivered';
		case 'read':
			return 'read';
		case 'failed':
			return 'failed';
		case 'bounced':
			return 'bounced';
		case 'deferred':
			return 'deferred';
		case 'opened':
			return 'opened';
		case 'clicked':
			return 'clicked';
		case 'complained':
			return 'complained';
		case 'unsubscribed':
			return 'unsubscribed';
		default:
			return 'unknown';
	}
}
