/** Brevo transactional webhook `event` words (providers.md §9.1) → the closed DeliveryStatus vocabulary. */
import type { DeliveryStatus } from '../../schema/message';

export function mapBrevoStatus(event: string): DeliveryStatus {
	switch (event) {
		case 'request':
			return 'queued';
		case 'delivered':
			return 'delivered';
		case 'deferred':
		case 'soft_bounce':
			return 'deferred';
		case 'hard_bounce':
			return 'bounced';
		case 'blocked':
		case 'invalid_email':
		case 'error':
			return 'failed';
		case 'unique_opened':
		case 'opened':
		case 'proxy_open':
		case 'unique_proxy_open':
			return 'opened';
		case 'click':
			return 'clicked';
		case 'spam':
			return 'complained';
		case 'unsubscribed':
			return 'unsubscribed';
		default:
			return 'unknown';
	}
}

/**
 * Whether sending again may succeed: deferrals and soft bounces are being retried by Brevo; hard
 * bounces, blocked and invalid addresses are final (§0.2). `error` gives no hint.
 */
export function brevoRetryable(event: string): boolean | undefined {
	switch (event) {
		case 'deferred':
		case 'soft_bounce':
			return true;
		case 'hard_bounce':
		case 'blocked':
		case 'invalid_email':
			return false;
		default:
			return undefined;
	}
}
