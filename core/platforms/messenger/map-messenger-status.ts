import type { DeliveryStatus } from '../../schema/message';

/**
 * Messenger Platform receipt events → the closed DeliveryStatus vocabulary (providers.md §0.1, §8.3).
 * Messenger and Instagram have no status word: the event's key (`delivery`, `read`) is the status.
 */
export function mapMessengerStatus(event: string): DeliveryStatus {
	switch (event) {
		case 'delivery':
			return 'delivered';
		case 'read':
			return 'read';
		default:
			return 'unknown';
	}
}
