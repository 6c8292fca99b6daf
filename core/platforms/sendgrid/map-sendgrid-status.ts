/** SendGrid Event Webhook `event` words (providers.md §2.4) → the closed DeliveryStatus vocabulary. */
import type { DeliveryStatus } from '../../schema/message';

/**
 * `bounceType` is the bounce event's `type`: `blocked` is a receiver/policy/reputation refusal rather
 * than a dead mailbox, so it counts as failed, not bounced.
 */
export function mapSendgridStatus(event: string, bounceType?: string): DeliveryStatus {
	switch (event) {
		case 'processed':
			return 'queued';
		case 'deferred':
			return 'deferred';
		case 'delivered':
			return 'delivered';
		case 'bounce':
			return bounceType === 'blocked' ? 'failed' : 'bounced';
		case 'dropped':
			return 'failed';
		case 'open':
			return 'opened';
		case 'click':
			return 'clicked';
		case 'spamreport':
			return 'complained';
		case 'unsubscribe':
		case 'group_unsubscribe':
			return 'unsubscribed';
		// group_resubscribe is a re-opt-in: no delivery status says that, providerStatus keeps the word.
		default:
			return 'unknown';
	}
}

/** Whether sending again may succeed: deferrals are being retried; drops and bounces are final. */
export function sendgridRetryable(event: string): boolean | undefined {
	switch (event) {
		case 'deferred':
			return true;
		case 'dropped':
		case 'bounce':
			return false;
		default:
			return undefined;
	}
}
