/**
 * SendGrid failures → classified ProviderErrors (providers.md §0.2, §2.3). Pure: the HTTP status, the
 * `{errors: [{message, field, help, id?}]}` body and the rate-limit headers go in, a ProviderError comes
 * out. SendGrid has no error codes of its own, so the classification reads the status and, for 400/401/403,
 * the `field` and message of the first error; `providerCode` keeps the error's `id` when SendGrid sends one,
 * else the HTTP status.
 *
 * The SDK's failures (ResponseError from @sendgrid/client, axios network/timeout errors) are turned into
 * this input by `sendgridFailure` — nothing from the SDK's error (which carries the request config, and so
 * the Authorization header) is copied into a message.
 */
import { z } from 'zod/v4';
import { ProviderError, type ProviderErrorCategory } from '../../errors';
import { isRetryableCategory, networkError, parseRetryAfter } from '../shared/http';
import { EMAIL_REDACTION } from '../shared/email';
import { redactSecrets } from '../shared/redact';
import { SENDGRID_NAME } from './config';

const errorItemSchema = z.looseObject({
	message: z.string().optional(),
	field: z.string().nullable().optional(),
	help: z.string().nullable().optional(),
	id: z.string().nullable().optional(),
});
const errorBodySchema = z.looseObject({ errors: z.array(z.unknown()) });

export interface SendgridErrorItem {
	message: string;
	field: string | null;
	id: string | null;
}

/** The documented error list; an unreadable body (HTML from a gateway, empty) gives []. */
export function readSendgridErrors(body: unknown): SendgridErrorItem[] {
	const parsed = errorBodySchema.safeParse(body);
	if (!parsed.success) return [];
	const items: SendgridErrorItem[] = [];
	for (const raw of parsed.data.errors) {
		const item = errorItemSchema.safeParse(raw);
		if (!item.success) continue;
		items.push({ message: item.data.message ?? '', field: item.data.field ?? null, id: item.data.id ?? null });
	}
	return items;
}

/** What kind of failure SendGrid reported; a closed list so the category mapping below is exhaustive. */
export type SendgridErrorKind =
	| 'bad_key'
	| 'no_credits'
	| 'forbidden'
	| 'sender'
	| 'recipient'
	| 'content'
	| 'too_large'
	| 'not_found'
	| 'throttled'
	| 'server'
	| 'other';

/** `personalizations.0.to.0.email`, `personalizations[0].cc`, `to`, `bcc`… */
const RECIPIENT_FIELD = /^(personalizations(\.\d+|\[\d+\])?\.)?(to|cc|bcc)(\b|$)/;
/** `from`, `from.email`, `reply_to`, `reply_to.email`: the sender is the account's setting. */
const SENDER_FIELD = /^(from|reply_to|reply_to_list)(\b|$)/;

export function sendgridErrorKind(status: number, errors: readonly SendgridErrorItem[]): SendgridErrorKind {
	const first = errors[0];
	const field = first?.field ?? '';
	const text = errors.map((e) => e.message).join(' ');
	if (status === 401) return /credits/i.test(text) ? 'no_credits' : 'bad_key';
	if (status === 403) return SENDER_FIELD.test(field) || /sender identity|verified sender/i.test(text) ? 'sender' : 'forbidden';
	if (status === 400 || status === 422) {
		if (RECIPIENT_FIELD.test(field)) return 'recipient';
		if (SENDER_FIELD.test(field)) return 'sender';
		return 'content';
	}
	if (status === 404) return 'not_found';
	if (status === 413) return 'too_large';
	if (status === 429) return 'throttled';
	if (status >= 500 || status === 408) return 'server';
	return 'other';
}

export function sendgridErrorCategory(kind: SendgridErrorKind): ProviderErrorCategory {
	switch (kind) {
		case 'bad_key':
		case 'forbidden':
			return 'auth';
		case 'no_credits':
		case 'sender':
		case 'not_found':
			return 'config';
		case 'recipient':
			return 'recipient';
		case 'content':
		case 'too_large':
			return 'content';
		case 'throttled':
			return 'rate_limited';
		case 'server':
			return 'transient';
		case 'other':
			return 'unknown';
	}
}

const HINTS: Record<SendgridErrorKind, string> = {
	bad_key: 'SendGrid refused the API key: create a new key in SendGrid → Settings → API Keys and update the credential.',
	no_credits: 'The SendGrid plan has no email credits left: upgrade the plan or wait for the quota to reset.',
	forbidden: 'The API key lacks a permission: give it "Mail Send" (full or restricted access) in SendGrid → Settings → API Keys.',
	sender: 'The From address must be a verified Sender Identity: verify it in SendGrid → Settings → Sender Authentication, or change "From Email".',
	recipient: 'Check the recipient address; this message will not be retried.',
	content: 'SendGrid refused the mail as written (see the field named above): fix the message or template and send again.',
	too_large: 'The mail exceeds SendGrid\'s 30 MB limit: send smaller content or link to files instead of attaching them.',
	not_found: 'The API answered "not found": check the credential\'s Base URL (leave it empty for the public API).',
	throttled: 'SendGrid\'s rate limit was hit; the send is retried after the reset time. Lower the rate limit in the node if it persists.',
	server: 'SendGrid had a temporary problem; the send is retried by the retry policy.',
	other: 'Unexpected answer from SendGrid; check the SendGrid status page and the message.',
};

export interface SendgridErrorInput {
	status: number;
	/** Parsed JSON body (or whatever arrived). */
	body: unknown;
	/** Header names in lower case. */
	headers: Record<string, string>;
	now: Date;
	/** Values that must never appear in a message (the API key); replaced by "[redacted]". */
	secrets?: readonly string[];
}

/**
 * 429: Retry-After when present, else X-RateLimit-Reset — a Unix time in seconds (SendGrid's v3 rate-limit
 * page); a small number is read as seconds from now, which is what some gateways send.
 */
export function sendgridRetryAfterMs(headers: Record<string, string>, now: Date): number | null {
	const retryAfter = parseRetryAfter(headers['retry-after'], now);
	if (retryAfter !== null) return retryAfter;
	const reset = Number(headers['x-ratelimit-reset']);
	if (!headers['x-ratelimit-reset'] || !Number.isFinite(reset)) return null;
	if (reset < 1_000_000_000) return Math.max(0, Math.round(reset * 1000));
	return Math.max(0, Math.round(reset * 1000 - now.getTime()));
}


export function mapSendgridError(input: SendgridErrorInput): ProviderError {
	const errors = readSendgridErrors(input.body);
	const kind = sendgridErrorKind(input.status, errors);
	const category = sendgridErrorCategory(kind);
	const described = errors
		.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message))
		.filter((s) => s !== '')
		.join('; ');
	const message = redactSecrets(`HTTP ${input.status}${described ? ` — ${described}` : ''}`, input.secrets ?? [], EMAIL_REDACTION).slice(0, 600);
	return new ProviderError({
		provider: SENDGRID_NAME,
		category,
		retryable: isRetryableCategory(category),
		message,
		providerCode: errors.find((e) => e.id)?.id ?? String(input.status),
		httpStatus: input.status,
		retryAfterMs: category === 'rate_limited' ? sendgridRetryAfterMs(input.headers, input.now) : null,
		hint: HINTS[kind],
	});
}

/** Axios/AxiosHeaders/plain objects → lower-case string headers. */
export function plainHeaders(headers: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (!headers || typeof headers !== 'object') return out;
	const source = typeof (headers as { toJSON?: unknown }).toJSON === 'function' ? (headers as { toJSON(): unknown }).toJSON() : headers;
	for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
		if (value === undefined || value === null) continue;
		out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return out;
}

/**
 * Anything the SDK threw → ProviderError. A ResponseError (status ≥ 400) carries `code` = HTTP status and
 * `response: {headers, body}`; everything else is an axios error without a response: timeout
 * (ECONNABORTED / ETIMEDOUT), reset, refused. Only the error code is kept from those.
 */
export function sendgridFailure(error: unknown, now: Date, secrets: readonly string[]): ProviderError {
	if (error instanceof ProviderError) return error;
	const e = error as { code?: unknown; response?: { headers?: unknown; body?: unknown; data?: unknown; status?: unknown } } | null;
	if (e && typeof e.code === 'number' && e.response && typeof e.response === 'object') {
		return mapSendgridError({ status: e.code, body: e.response.body, headers: plainHeaders(e.response.headers), now, secrets });
	}
	if (e?.response && typeof e.response.status === 'number') {
		// An answer outside 2xx that the client did not turn into a ResponseError (a 3xx it did not follow).
		return mapSendgridError({ status: e.response.status, body: e.response.data, headers: plainHeaders(e.response.headers), now, secrets });
	}
	const code = typeof e?.code === 'string' ? e.code : undefined;
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED') {
		return networkError(SENDGRID_NAME, { name: 'TimeoutError', code: 'TIMEOUT' });
	}
	return networkError(SENDGRID_NAME, { code: code ?? 'NETWORK_ERROR' });
}
