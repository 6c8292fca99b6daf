/** Vonage Messages API status words (providers.md §9.2) → the closed DeliveryStatus vocabulary. */
import type { DeliveryStatus } from '../../schema/message';

export function mapVonageStatus(status: string): DeliveryStatus {
	switch (status) {
		case 'submitted':
			return 'sent';
		case 'delivered':
			return 'delivered';
		case 'read':
			return 'read';
		case 'rejected':
		case 'undeliverable':
			return 'failed';
		default:
			return 'unknown';
	}
}

/**
 * Retry hint for the numeric `error.title` of a status webhook. Only the throttling codes §0.2 names
 * are known to be transient; for every other code Vonage gives no hint, so none is invented.
 */
export function vonageErrorRetryable(code: string | undefined): boolean | undefined {
	return code === '1000' || code === '1010' ? true : undefined;
}
