/**
 * What the Meta Graph API providers (WhatsApp Cloud API, Messenger, Instagram Direct) share: base URL
 * and version handling, reading credential values, the Graph error envelope (providers.md §4.3, §8.2)
 * and the classification of the Graph-wide error codes, Retry-After / Business-Use-Case headers, and
 * redaction of secrets. Provider-specific codes are classified in each provider's map-<id>-error.ts,
 * which falls back to `classifyGraphCommonCode` here and then to the HTTP status.
 *
 * The credential helpers (requiredString, optionalString, httpUrl) and the redaction helpers are
 * generic and also used by the Teams provider (Microsoft Graph — a different "Graph").
 */
import { z } from 'zod/v4';
import { InvalidProviderConfigError, ProviderError, type ProviderErrorCategory } from '../../errors';
import type { CredentialField, HttpResponse, ProviderContext } from '../types';
import { categoryOfStatus, isRetryableCategory, joinUrl, parseJsonBody, parseRetryAfter } from './http';

export const META_GRAPH_BASE = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_VERSION = 'v21.0';

// ---------------------------------------------------------------------------------------------------
// Credential values

/** The optional Base URL field every provider has, last in its list. */
export const baseUrlField: CredentialField = {
	name: 'baseUrl',
	displayName: 'Base URL',
	type: 'string',
	required: false,
	description: 'Leave empty for the public API. Set it for a regional endpoint or a test server.',
};

/** A required credential value, trimmed; throws naming the field (never echoing the value). */
export function requiredString(provider: string, raw: Record<string, unknown>, field: string, hint?: string): string {
	const value = raw[field];
	if (typeof value !== 'string' && typeof value !== 'number') throw new InvalidProviderConfigError(provider, field, 'is required', hint);
	const text = String(value).trim();
	if (text === '') throw new InvalidProviderConfigError(provider, field, 'is required', hint);
	return text;
}

/** An optional credential value, trimmed; empty → undefined. */
export function optionalString(provider: string, raw: Record<string, unknown>, field: string): string | undefined {
	const value = raw[field];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string' && typeof value !== 'number') throw new InvalidProviderConfigError(provider, field, 'must be text');
	const text = String(value).trim();
	return text === '' ? undefined : text;
}

/**
 * An http(s) URL, returned without trailing slashes. `secret` = the URL carries a secret (a webhook
 * URL's `sig`): the message then never quotes the value.
 */
export function httpUrl(provider: string, field: string, value: string, secret = false): string {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new InvalidProviderConfigError(provider, field, secret ? 'is not a valid URL' : `is not a valid URL ("${value.slice(0, 80)}")`, `Enter a full URL starting with https://.`);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new InvalidProviderConfigError(provider, field, `must start with https:// (got ${url.protocol})`);
	}
	return secret ? value : value.replace(/\/+$/, '');
}

/** Graph API version as Meta writes it: v21.0. A bare "21" or "21.0" is accepted and prefixed. */
export function graphVersion(provider: string, raw: Record<string, unknown>, field = 'apiVersion'): string {
	const value = optionalString(provider, raw, field);
	if (value === undefined) return DEFAULT_GRAPH_VERSION;
	const match = /^v?(\d{1,3})(?:\.(\d{1,2}))?$/.exec(value);
	if (!match) throw new InvalidProviderConfigError(provider, field, `"${value.slice(0, 20)}" is not a Graph API version`, 'Use the form v21.0, or leave it empty for the default.');
	return `v${match[1]}.${match[2] ?? '0'}`;
}

/** A Graph object id (phone number id, page id, Instagram user id): digits only. */
export function graphObjectId(provider: string, raw: Record<string, unknown>, field: string, where: string): string {
	const value = requiredString(provider, raw, field, `Copy it from ${where}.`);
	if (!/^\d{1,32}$/.test(value)) throw new InvalidProviderConfigError(provider, field, 'must be the numeric id (digits only)', `Copy it from ${where}.`);
	return value;
}

/** The base URL: the send options' (context) first, then the credential's, then the public API. */
export function resolveBase(context: ProviderContext, configured: string | undefined, fallback: string): string {
	return (context.baseUrl ?? configured ?? fallback).replace(/\/+$/, '');
}

/** `{base}/{version}/{path}`. */
export function graphUrl(base: string, version: string, path: string): string {
	return joinUrl(joinUrl(base, version), path);
}

// ---------------------------------------------------------------------------------------------------
// Redaction

const SECRET_QUERY = /([?&](?:access_token|sig|client_secret|appsecret_proof|code|key|token)=)[^&#\s"']*/gi;

/** Replaces every secret value and every secret-looking query parameter in `text`. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
	let out = text.replace(SECRET_QUERY, '$1[redacted]');
	for (const secret of secrets) {
		// Very short values would blank out ordinary words; credentials are never that short.
		if (secret && secret.length >= 6) out = out.split(secret).join('[redacted]');
	}
	return out;
}

/** The same ProviderError with message and hint redacted (e.g. a network error quoting a URL). */
export function redactError(error: ProviderError, secrets: ReadonlyArray<string | undefined>): ProviderError {
	const message = redact(error.message.replace(`${error.provider}: `, ''), secrets);
	const hint = error.hint === undefined ? undefined : redact(error.hint, secrets);
	if (`${error.provider}: ${message}` === error.message && hint === error.hint) return error;
	return new ProviderError({
		provider: error.provider,
		category: error.category,
		retryable: error.retryable,
		message,
		providerCode: error.providerCode,
		httpStatus: error.httpStatus,
		retryAfterMs: error.retryAfterMs,
		hint,
	});
}

// ---------------------------------------------------------------------------------------------------
// The Graph error envelope

const graphCode = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

/** Partial: only what classification and messages read (providers.md §4.3). */
const graphErrorSchema = z.object({
	error: z.object({
		message: z.string().optional(),
		type: z.string().optional(),
		code: graphCode.optional(),
		error_subcode: graphCode.optional(),
		error_user_title: z.string().optional(),
		error_user_msg: z.string().optional(),
		error_data: z.object({ details: z.string().optional() }).partial().optional(),
		fbtrace_id: z.string().optional(),
	}),
});

export interface GraphError {
	code?: number;
	subcode?: number;
	message?: string;
	type?: string;
	details?: string;
	userMessage?: string;
	fbtraceId?: string;
}

/** The Graph error in a response body; undefined when the body is not that envelope (HTML, empty). */
export function parseGraphError(body: string): GraphError | undefined {
	const parsed = graphErrorSchema.safeParse(parseJsonBody(body));
	if (!parsed.success) return undefined;
	const e = parsed.data.error;
	return {
		code: e.code,
		subcode: e.error_subcode,
		message: e.message,
		type: e.type,
		details: typeof e.error_data?.details === 'string' ? e.error_data.details : undefined,
		userMessage: e.error_user_msg,
		fbtraceId: e.fbtrace_id,
	};
}

/** A classification: the category and, where it helps, what to do and how long to wait. */
export interface ErrorClass {
	category: ProviderErrorCategory;
	hint?: string;
	/** A wait the code itself implies (WhatsApp pair limit), used when no header says more. */
	retryAfterMs?: number;
}

const AUTH_HINT = 'The access token is invalid, expired or lacks a permission: generate a new token (a System User token does not expire) and update the credential.';

/**
 * The codes every Graph API shares (providers.md §0.2, §4.3, §8.2). Undefined for codes the
 * provider's own mapper must decide (or that nobody knows): those fall back to the HTTP status.
 */
export function classifyGraphCommonCode(code: number, subcode?: number): ErrorClass | undefined {
	switch (code) {
		case 1: // unknown error
		case 2: // service temporarily unavailable
			return { category: 'transient' };
		case 4: // app-level call rate limit
		case 17: // user-level call rate limit
		case 32: // page-level call rate limit
		case 613: // call rate limit
		case 80007: // WABA / business use case rate limit
			return { category: 'rate_limited', hint: 'Meta is throttling this app or account: the send is retried later. Lower the rate limit if it keeps happening.' };
		case 0: // auth exception
		case 102: // session key invalid
		case 190: // access token invalid or expired
			return { category: 'auth', hint: AUTH_HINT };
		case 3: // capability
		case 10: // permission denied (Messenger: also the messaging window, decided before this)
			return { category: 'auth', hint: AUTH_HINT };
		case 368: // temporarily blocked for policy violations
			return { category: 'config', hint: 'Meta has temporarily blocked this account for policy violations: check the account quality in Business Manager.' };
		case 100: // invalid parameter
			// Subcode 33: the object in the URL (phone number id, Instagram account id) does not exist or the token cannot see it.
			if (subcode === 33) {
				return { category: 'config', hint: 'The id in the credential (phone number, page or account id) does not exist or this token has no access to it: check the id and the token.' };
			}
			return { category: 'content' };
		default:
			if (code >= 200 && code <= 299) return { category: 'auth', hint: AUTH_HINT };
			return undefined;
	}
}

/** When no code classifies: the HTTP status where it speaks clearly, else unknown. */
export function classifyByStatus(status: number): ErrorClass {
	if (status === 429 || status === 408 || status >= 500 || status === 401 || status === 403) return { category: categoryOfStatus(status) };
	return { category: 'unknown' };
}

/**
 * Wait time from the response headers: Retry-After, else Meta's X-Business-Use-Case-Usage /
 * X-App-Usage `estimated_time_to_regain_access` (minutes; 0 = not throttled).
 */
export function graphRetryAfterMs(headers: Record<string, string>, now: Date): number | null {
	const retryAfter = parseRetryAfter(headers['retry-after'], now);
	if (retryAfter !== null) return retryAfter;
	let minutes = 0;
	for (const name of ['x-business-use-case-usage', 'x-ad-account-usage', 'x-app-usage']) {
		const value = parseJsonBody(headers[name] ?? '');
		const visit = (node: unknown): void => {
			if (Array.isArray(node)) return node.forEach(visit);
			if (typeof node !== 'object' || node === null) return;
			for (const [key, inner] of Object.entries(node)) {
				if (key === 'estimated_time_to_regain_access' && typeof inner === 'number' && inner > minutes) minutes = inner;
				else visit(inner);
			}
		};
		visit(value);
	}
	return minutes > 0 ? minutes * 60_000 : null;
}

export type GraphClassifier = (error: GraphError | undefined, httpStatus: number) => ErrorClass;

/**
 * A non-2xx Graph response → ProviderError: the provider's classifier decides the category, the
 * message quotes Meta's own (redacted), `providerCode` is the Graph code (HTTP status when none).
 */
export function graphResponseError(
	provider: string,
	response: HttpResponse,
	classify: GraphClassifier,
	context: ProviderContext,
	secrets: ReadonlyArray<string | undefined>,
): ProviderError {
	const error = parseGraphError(response.body);
	const klass = classify(error, response.status);
	const code = error?.code;
	const what = error?.message ?? (response.body.trim() === '' ? `HTTP ${response.status}` : `HTTP ${response.status}: ${response.body.trim().slice(0, 200)}`);
	const extra = [error?.subcode === undefined ? undefined : `subcode ${error.subcode}`, error?.details, error?.fbtraceId ? `fbtrace_id ${error.fbtraceId}` : undefined]
		.filter((x) => x !== undefined && x !== '')
		.join('; ');
	const retryable = isRetryableCategory(klass.category);
	const retryAfterMs = retryable ? (graphRetryAfterMs(response.headers, context.now()) ?? klass.retryAfterMs ?? null) : null;
	return new ProviderError({
		provider,
		category: klass.category,
		retryable,
		message: redact(extra ? `${what} (${extra})` : what, secrets),
		providerCode: code ?? response.status,
		httpStatus: response.status,
		retryAfterMs,
		hint: klass.hint === undefined ? undefined : redact(klass.hint, secrets),
	});
}

/** A 2xx answer we cannot read: the message may or may not have gone out, so not retryable. */
export function unreadableSuccess(provider: string, response: HttpResponse, expected: string): ProviderError {
	return new ProviderError({
		provider,
		category: 'unknown',
		retryable: false,
		message: `HTTP ${response.status} but the answer is not what the API documents (expected ${expected})`,
		providerCode: response.status,
		httpStatus: response.status,
		hint: 'The message may have been sent: check before sending it again. A proxy or a wrong Base URL can cause this.',
	});
}

/**
 * Sends payloads one after the other and collects the ids. When a later one fails, the error says
 * which ones already went out (a retry of the whole message would send those again).
 */
export async function sendInOrder<P>(provider: string, payloads: readonly P[], sendOne: (payload: P, index: number) => Promise<string>): Promise<string[]> {
	if (payloads.length === 0) {
		throw new ProviderError({ provider, category: 'content', retryable: false, message: 'nothing to send (the message rendered to no request)' });
	}
	const ids: string[] = [];
	for (const [index, payload] of payloads.entries()) {
		try {
			ids.push(await sendOne(payload, index));
		} catch (error) {
			if (!(error instanceof ProviderError) || ids.length === 0) throw error;
			throw new ProviderError({
				provider: error.provider,
				category: error.category,
				retryable: error.retryable,
				message: `${error.message.replace(`${error.provider}: `, '')} — request ${index + 1} of ${payloads.length} failed; already sent: ${ids.join(', ')}`,
				providerCode: error.providerCode,
				httpStatus: error.httpStatus,
				retryAfterMs: error.retryAfterMs,
				hint: error.hint,
			});
		}
	}
	return ids;
}
