/**
 * Brevo failures → classified ProviderErrors (providers.md §0.2, §9.1). Pure: the HTTP status, the
 * `{code, message}` body and the `x-sib-ratelimit-*` headers go in, a ProviderError comes out, keeping
 * Brevo's `code` as `providerCode`.
 *
 * Brevo's parameter errors share two codes (`invalid_parameter`, `missing_parameter`) for every field,
 * so the message decides between a bad recipient (never retry that address), a sender Brevo does not
 * accept (an account setting) and anything else in the content.
 */
import { z } from 'zod/v4';
import { ProviderError, type ProviderErrorCategory } from '../../errors';
import { categoryOfStatus, isRetryableCategory, parseRetryAfter } from '../shared/http';
import { EMAIL_REDACTION } from '../shared/email';
import { redactSecrets } from '../shared/redact';
import { BREVO_NAME } from './config';

const errorBodySchema = z.looseObject({ code: z.string().optional(), message: z.string().optional() });

export interface BrevoErrorBody {
	code: string | null;
	message: string;
}

export function readBrevoError(body: unknown): BrevoErrorBody {
	const parsed = errorBodySchema.safeParse(body);
	if (!parsed.success) return { code: null, message: '' };
	return { code: parsed.data.code ?? null, message: parsed.data.message ?? '' };
}

/** The message speaks of the sender (unverified/inactive sender, sender domain). */
const SENDER = /\bsender\b/i;
/** The message speaks of a recipient address (`email is not valid in to`, `Invalid email address`, cc/bcc). */
const RECIPIENT = /\b(recipients?|email address(es)?|email is not valid|(in|field|parameter)\s+['"`]?(to|cc|bcc)\b|blacklisted|blocked contact)/i;

/**
 * Brevo's documented error codes (§9.1) → category. A parameter error is about the recipient or the
 * sender when its message says so; the HTTP status decides for codes Brevo adds later.
 */
export function brevoErrorCategory(code: string | null, status: number, message: string): ProviderErrorCategory {
	if (status === 429) return 'rate_limited';
	if (status >= 500) return 'transient';
	switch (code) {
		case 'unauthorized':
		case 'permission_denied':
			return 'auth';
		case 'not_enough_credits':
		case 'account_under_validation':
			return 'config';
		case 'invalid_parameter':
		case 'missing_parameter':
		case 'out_of_range':
		case 'duplicate_parameter':
		case 'bad_request':
		case 'unprocessable_entity':
			if (SENDER.test(message)) return 'config';
			if (RECIPIENT.test(message)) return 'recipient';
			return 'content';
		case 'document_not_found':
			// On a send: the template (or the batch) does not exist.
			return 'content';
		case 'method_not_allowed':
		case 'not_acceptable':
			// Wrong URL or headers: only a wrong Base URL (or a proxy) gets here.
			return 'config';
		case 'duplicate_request':
			// The same request was already accepted: sending again would not help, nor is anything wrong to fix.
			return 'unknown';
		default:
			if (status === 404) return 'config';
			if (status >= 400) return categoryOfStatus(status);
			return 'unknown';
	}
}

function hintFor(category: ProviderErrorCategory, code: string | null): string {
	switch (category) {
		case 'auth':
			return code === 'permission_denied'
				? 'Brevo refused this API key here: if IP allow-listing is on (Brevo → Security → Authorised IPs), add this server\'s IP, or check the key\'s permissions.'
				: 'Brevo refused the API key: create a new one in Brevo → SMTP & API → API Keys and update the credential.';
		case 'config':
			return code === 'not_enough_credits'
				? 'The Brevo account has no email credits left: add credits or upgrade the plan.'
				: code === 'account_under_validation'
					? 'Brevo is still validating this account; sending starts once Brevo has approved it.'
					: 'Check the sender (it must be verified in Brevo → Senders, Domains & Dedicated IPs) and the credential\'s Base URL (leave it empty for the public API).';
		case 'recipient':
			return 'Check the recipient address; this message will not be retried.';
		case 'content':
			return 'Brevo refused the email as written (see the message above): fix the message or the template id and send again.';
		case 'rate_limited':
			return 'Brevo\'s rate limit was hit; the send is retried after the reset time. Lower the rate limit in the node if it persists.';
		case 'transient':
			return 'Brevo had a temporary problem; the send is retried by the retry policy.';
		case 'window':
		case 'unknown':
			return code === 'duplicate_request'
				? 'Brevo already accepted this request; check the transactional logs before sending again.'
				: 'Unexpected answer from Brevo; check the Brevo status page and the message.';
	}
}

/** 429: Retry-After when present, else `x-sib-ratelimit-reset` (seconds until the window resets). */
export function brevoRetryAfterMs(headers: Record<string, string>, now: Date): number | null {
	return parseRetryAfter(headers['retry-after'], now) ?? parseRetryAfter(headers['x-sib-ratelimit-reset'], now);
}

export interface BrevoErrorInput {
	status: number;
	/** Parsed JSON body (undefined when it was not JSON). */
	body: unknown;
	/** Header names in lower case. */
	headers: Record<string, string>;
	now: Date;
	/** Values that must never appear in a message (the API key). */
	secrets?: readonly string[];
}

export function mapBrevoError(input: BrevoErrorInput): ProviderError {
	const { code, message } = readBrevoError(input.body);
	const category = brevoErrorCategory(code, input.status, message);
	const text = redactSecrets(`HTTP ${input.status}${code ? ` ${code}` : ''}${message ? ` — ${message}` : ''}`, input.secrets ?? [], EMAIL_REDACTION).slice(0, 600);
	return new ProviderError({
		provider: BREVO_NAME,
		category,
		retryable: isRetryableCategory(category),
		message: text,
		providerCode: code ?? String(input.status),
		httpStatus: input.status,
		retryAfterMs: category === 'rate_limited' ? brevoRetryAfterMs(input.headers, input.now) : null,
		hint: hintFor(category, code),
	});
}
