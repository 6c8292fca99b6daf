import type { DeliveryStatus } from '../../schema/message';
import { graphErrorRetryable } from '../shared/meta';

/**
 * WhatsApp status webhook words → the closed DeliveryStatus vocabulary (providers.md §4.4).
 * `played` is a voice message listened to: the strongest form of read.
 */
export function mapWhatsAppStatus(status: string): DeliveryStatus {
	switch (status) {
		case 'accepted':
		case 'held_for_quality_assessment':
			return 'queued';
		case 'sent':
			return 'sent';
		case 'delivered':
			return 'delivered';
		case 'read':
		case 'played':
			return 'read';
		case 'failed':
			return 'failed';
		default:
			return 'unknown';
	}
}

/**
 * Whether sending again may succeed, by WhatsApp error code class (providers.md §0.2, §4.3).
 * Policy-window limits (131049, 131056) count as retryable: the same message succeeds later.
 * Codes that need different content (131047 → template, 132xxx template problems, media errors)
 * are not: a blind retry fails the same way. Unknown codes give no hint (`undefined`).
 */
export function whatsappErrorRetryable(code: number): boolean | undefined {
	switch (code) {
		case 130429: // throughput limit
		case 131016: // service temporarily unavailable
		case 131000: // something went wrong: retry once
		case 131049: // per-user marketing limit: retry ≥ 24 h later
		case 131056: // pair rate limit: retry later for that user
			return true;
		case 131008:
		case 131009:
		case 131021:
		case 131026:
		case 131031:
		case 131042:
		case 131045:
		case 131047:
		case 131048:
		case 131050:
		case 131051:
		case 131052:
		case 131053:
		case 133010:
		case 135000:
			return false;
		default:
			if (code >= 132000 && code <= 132999) return false; // template problems
			return graphErrorRetryable(code);
	}
}
