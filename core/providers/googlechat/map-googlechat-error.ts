import type { ProviderErrorCategory } from '../../errors';
import { categoryOfStatus } from '../shared/http';

/**
 * A Google API error (`{error: {code, status, message, details}}`, providers.md §7.1) → category.
 * `status` is the canonical google.rpc code name, `httpStatus` the HTTP status, `reasons` the
 * ErrorInfo reasons from `details` (an invalid webhook key is 400 INVALID_ARGUMENT with reason
 * API_KEY_INVALID: a credential problem, not bad content). The status name decides first, then the
 * HTTP status class, ending in 'unknown'.
 */
export function mapGoogleChatError(status: string | undefined, httpStatus: number, reasons: readonly string[] = []): ProviderErrorCategory {
	if (reasons.some((r) => r === 'API_KEY_INVALID' || r === 'API_KEY_SERVICE_BLOCKED' || r === 'ACCESS_TOKEN_EXPIRED' || r === 'CREDENTIALS_MISSING')) return 'auth';
	switch (status) {
		case 'RESOURCE_EXHAUSTED':
			return 'rate_limited';
		case 'UNAVAILABLE':
		case 'INTERNAL':
		case 'DEADLINE_EXCEEDED':
		case 'ABORTED':
			return 'transient';
		case 'UNAUTHENTICATED':
		case 'PERMISSION_DENIED':
			return 'auth';
		case 'NOT_FOUND':
			return 'recipient';
		case 'INVALID_ARGUMENT':
		case 'OUT_OF_RANGE':
		case 'ALREADY_EXISTS':
			return 'content';
		case 'FAILED_PRECONDITION':
			return 'config';
		default:
			if (httpStatus === 429) return 'rate_limited';
			if (httpStatus >= 400) return categoryOfStatus(httpStatus);
			return 'unknown';
	}
}

/**
 * An OAuth 2.0 token endpoint error (`{error: "invalid_grant", error_description}`, RFC 6749 §5.2)
 * → category: a refused assertion is the service account's fault (auth); 429/5xx are transient.
 */
export function mapGoogleTokenError(error: string | undefined, httpStatus: number): ProviderErrorCategory {
	switch (error) {
		case 'invalid_grant':
		case 'invalid_client':
		case 'unauthorized_client':
		case 'invalid_scope':
		case 'access_denied':
			return 'auth';
		case 'invalid_request':
		case 'unsupported_grant_type':
			return 'config';
		case 'temporarily_unavailable':
		case 'server_error':
			return 'transient';
		default:
			if (httpStatus === 429) return 'rate_limited';
			if (httpStatus === 408 || httpStatus >= 500) return 'transient';
			if (httpStatus >= 400) return 'auth';
			return 'unknown';
	}
}

export function googleChatErrorHint(category: ProviderErrorCategory, mode: 'api' | 'webhook'): string {
	switch (category) {
		case 'rate_limited':
			return 'Google Chat allows about 1 message per second per space; the send is retried after the wait.';
		case 'transient':
			return 'Google Chat had a temporary problem; the send is retried by the retry policy.';
		case 'auth':
			return mode === 'webhook'
				? 'The webhook URL is wrong or was deleted. Copy it again from the space (Apps & integrations → Webhooks).'
				: 'The service account cannot act here: check the JSON key, that the Chat API is enabled and configured for this project, and that the app was added to the space (reactions need user authentication).';
		case 'recipient':
			return 'The space or message does not exist or the app is not a member. Use a space name such as spaces/AAAA… and add the app to the space.';
		case 'content':
			return 'Google Chat refused the message itself (invalid card, text too long). Fix the message; retrying sends the same thing.';
		case 'config':
			return 'The Chat app or space is not set up for this (FAILED_PRECONDITION). Check the app configuration in the Google Cloud console.';
		default:
			return 'Google Chat answered with an error Switchboard does not know.';
	}
}
