/**
 * What the Meta Graph API providers (WhatsApp Cloud API, Messenger, Instagram Direct) share: base URL
 * and version handling, reading credential values, the Graph error envelope (providers.md §4.3, §8.2)
 * and the classification of the Graph-wide error codes, Retry-After / Business-Use-Case headers, and
 * redaction of secrets. Provider-specific codes are classified in each provider's map-<id>-error.ts,
 * which falls back to `classifyGraphCommonCode` here and then to the HTTP status.
 *
 * The generic pieces live in ./config.ts (credential values), ./redact.ts and ./send.ts; the text
 * rules and redaction rules here are also used by the Teams provider (Microsoft Graph — a different
 * "Graph"), whose errors carry the same kinds of secrets.
 */
import { z } from 'zod/v4';
import { InvalidProviderConfigError, ProviderError, type ProviderErrorCategory } from '../../errors';
import type { CredentialField, HttpRequest, HttpResponse, ProviderContext } from '../types';
import { optionalBaseUrl, optionalText, requiredText, type TextRules } from './config';
import { callProvider, categoryOfStatus, isRetryableCategory, joinUrl, parseJsonBody, parseRetryAfter } from './http';
import { redactSecrets, type RedactionRules } from './redact';

export const META_GRAPH_BASE = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_VERSION = 'v21.0';

// ---------------------------------------------------------------------------------------------------
// Credential values

/**
 * How the Graph providers (and Teams) read text: a number counts as its decimal text (ids typed into a
 * JSON config); a required value of any other type counts as missing, an optional one is refused.
 */
export const GRAPH_TEXT: TextRules = { numbers: true };
const GRAPH_REQUIRED: TextRules = { numbers: true, nonText: 'absent' };

/** A required credential value, trimmed; throws naming the field (never echoing the value). */
export function requiredString(provider: string, raw: Record<string, unknown>, field: string, hint?: string): string {
	return requiredText(provider, raw, field, hint, GRAPH_REQUIRED);
}

/** An optional credential value, trimmed; empty → undefined. */
export function optionalString(provider: string, raw: Record<string, unknown>, field: string): string | undefined {
	return optionalText(provider, raw, field, GRAPH_TEXT);
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

/** `{base}/{version}/{path}`. */
export function graphUrl(base: string, version: string, path: string): string {
	return joinUrl(joinUrl(base, version), path);
}

// ---------------------------------------------------------------------------------------------------
// Redaction

/** Access tokens, signatures and app secret proofs in query strings, whatever their value. */
export const GRAPH_REDACTION: RedactionRules = {
	mask: '[redacted]',
	minLength: 6,
	patterns: [[/([?&](?:access_token|sig|client_secret|appsecret_proof|code|key|token)=)[^&#\s"']*/gi, '$1[redacted]']],
};

/** Replaces every secret value and every secret-looking query parameter in `text`. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
	return redactSecrets(text, secrets, GRAPH_REDACTION);
}

/** `redact` for a ProviderError's message and hint (e.g. a network error quoting a URL). */
export function graphRedactor(secrets: ReadonlyArray<string | undefined>): (text: string) => string {
	return (text) => redact(text, secrets);
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

/** One Graph call: who makes it, with which token, how its errors are classified and what to redact. */
export interface GraphCall {
	provider: string;
	token: string;
	classify: GraphClassifier;
	/** Every secret of the credential, redacted from messages. */
	secrets: ReadonlyArray<string | undefined>;
}

/**
 * A Graph request with the token as `Authorization: Bearer` (never in the URL) and a JSON body; resolves
 * with a 2xx response, else throws the classified, redacted ProviderError.
 */
export async function graphRequest(call: GraphCall, context: ProviderContext, method: HttpRequest['method'], url: string, body?: unknown): Promise<HttpResponse> {
	const headers: Record<string, string> = { authorization: `Bearer ${call.token}`, accept: 'application/json' };
	if (body !== undefined) headers['content-type'] = 'application/json';
	const response = await callProvider(call.provider, context, { method, url, headers, body: body === undefined ? undefined : JSON.stringify(body) }, graphRedactor(call.secrets));
	if (response.status < 200 || response.status > 299) throw graphResponseError(call.provider, response, call.classify, context, call.secrets);
	return response;
}

// ---------------------------------------------------------------------------------------------------
// The credential fields and values the Meta messaging providers share

export const graphVersionField: CredentialField = {
	name: 'apiVersion',
	displayName: 'Graph API Version',
	type: 'string',
	required: false,
	default: DEFAULT_GRAPH_VERSION,
	description: 'The Graph API version to call, e.g. v21.0.',
};

export const metaAppSecretField: CredentialField = {
	name: 'appSecret',
	displayName: 'App Secret',
	type: 'password',
	required: false,
	webhookOnly: true,
	description: 'The Meta app secret (App settings → Basic), used to check the X-Hub-Signature-256 of incoming webhooks.',
};

export const metaVerifyTokenField: CredentialField = {
	name: 'verifyToken',
	displayName: 'Verify Token',
	type: 'password',
	required: false,
	webhookOnly: true,
	description: 'The verify token you typed when subscribing the webhook in the Meta app (answers the hub.challenge request).',
};

/** The optional values every Meta provider has after its token and id: webhook secrets and Base URL. */
export interface MetaOptionalConfig {
	appSecret?: string;
	verifyToken?: string;
	baseUrl?: string;
}

export function parseMetaOptional(provider: string, raw: Record<string, unknown>): MetaOptionalConfig {
	const config: MetaOptionalConfig = {};
	const appSecret = optionalString(provider, raw, 'appSecret');
	const verifyToken = optionalString(provider, raw, 'verifyToken');
	const baseUrl = optionalBaseUrl(provider, raw, { text: GRAPH_TEXT });
	if (appSecret !== undefined) config.appSecret = appSecret;
	if (verifyToken !== undefined) config.verifyToken = verifyToken;
	if (baseUrl !== undefined) config.baseUrl = baseUrl;
	return config;
}
