/**
 * Google service-account authentication for the Chat API: the OAuth 2.0 JWT bearer grant (RFC 7523,
 * https://developers.google.com/identity/protocols/oauth2/service-account#httprest). A JWT
 * `{iss: client_email, scope: chat.bot, aud: token_uri, iat, exp: iat + 1 h}` is signed RS256 with the
 * key's `private_key` (node:crypto) and POSTed form-encoded to `token_uri` (from the JSON key; tests
 * point it at the fake). The access token is cached per key until a minute before it expires, on the
 * injected clock; a 401 from the Chat API drops it (`forgetToken`).
 *
 * Nothing here puts the private key, the assertion or the access token in a message.
 */
import { createHash, createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { z } from 'zod/v4';
import { ProviderError } from '../../errors';
import { callProvider, isRetryableCategory, parseJsonBody, parseRetryAfter } from '../shared/http';
import type { ProviderContext } from '../types';
import { mapGoogleTokenError } from './map-googlechat-error';

export const CHAT_BOT_SCOPE = 'https://www.googleapis.com/auth/chat.bot';
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const PROVIDER = 'Google Chat';
/** Renew this long before Google's expiry, so a token never expires mid-request. */
const EXPIRY_MARGIN_MS = 60_000;

export interface ServiceAccount {
	clientEmail: string;
	/** PEM (PKCS#8), as in the JSON key's `private_key`. */
	privateKey: string;
	privateKeyId?: string;
	tokenUri: string;
	projectId?: string;
}

const tokenSchema = z.looseObject({ access_token: z.string().min(1), expires_in: z.number().positive().optional(), token_type: z.string().optional() });
const tokenErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });

const cache = new Map<string, { token: string; expiresAt: number }>();
const keys = new Map<string, KeyObject>();

function cacheKey(account: ServiceAccount): string {
	return createHash('sha256').update(`${account.clientEmail}\n${account.tokenUri}\n${account.privateKeyId ?? ''}\n${account.privateKey}`).digest('hex');
}

/** Forget every cached access token (tests; a host reloading credentials). */
export function clearGoogleChatTokens(): void {
	cache.clear();
}

export function forgetToken(account: ServiceAccount): void {
	cache.delete(cacheKey(account));
}

function base64url(value: Buffer | string): string {
	return Buffer.from(value).toString('base64url');
}

/** The signed assertion (RS256). Throws a plain Error only for a key parseConfig already accepted. */
export function signAssertion(account: ServiceAccount, now: Date): string {
	const id = cacheKey(account);
	let key = keys.get(id);
	if (!key) {
		key = createPrivateKey(account.privateKey);
		keys.set(id, key);
	}
	const iat = Math.floor(now.getTime() / 1000);
	const header = { alg: 'RS256', typ: 'JWT', ...(account.privateKeyId ? { kid: account.privateKeyId } : {}) };
	const claims = { iss: account.clientEmail, scope: CHAT_BOT_SCOPE, aud: account.tokenUri, iat, exp: iat + 3600 };
	const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
	const signature = createSign('RSA-SHA256').update(unsigned).sign(key);
	return `${unsigned}.${base64url(signature)}`;
}

function tokenFailure(message: string, category: ReturnType<typeof mapGoogleTokenError>, fields: { code?: string | null; status?: number | null; retryAfterMs?: number | null }): ProviderError {
	return new ProviderError({
		provider: PROVIDER,
		category,
		retryable: isRetryableCategory(category),
		message,
		providerCode: fields.code ?? null,
		httpStatus: fields.status ?? null,
		retryAfterMs: fields.retryAfterMs ?? null,
		hint:
			category === 'auth'
				? 'Google refused the service account key: check that the JSON key is current (not deleted in IAM → Service accounts → Keys) and belongs to the Chat app\'s project.'
				: category === 'transient' || category === 'rate_limited'
					? 'Google\'s token endpoint had a temporary problem; the send is retried by the retry policy.'
					: 'Check the token_uri of the service account JSON key.',
	});
}

/** A valid access token for the Chat API (cached), or a classified ProviderError. */
export async function accessToken(account: ServiceAccount, context: ProviderContext): Promise<string> {
	const id = cacheKey(account);
	const now = context.now();
	const cached = cache.get(id);
	if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > now.getTime()) return cached.token;

	let assertion: string;
	try {
		assertion = signAssertion(account, now);
	} catch {
		throw tokenFailure('the service account private key cannot sign', 'config', {});
	}
	const response = await callProvider(PROVIDER, context, {
		method: 'POST',
		url: account.tokenUri,
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
		body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
	});
	const json = parseJsonBody(response.body);
	if (response.status >= 200 && response.status < 300) {
		const ok = tokenSchema.safeParse(json);
		if (!ok.success) throw tokenFailure('the token endpoint answered without an access_token', 'unknown', { status: response.status });
		cache.set(id, { token: ok.data.access_token, expiresAt: now.getTime() + (ok.data.expires_in ?? 3600) * 1000 });
		return ok.data.access_token;
	}
	const error = tokenErrorSchema.safeParse(json);
	const code = error.success ? error.data.error : undefined;
	const category = mapGoogleTokenError(code, response.status);
	// error_description is Google's fixed wording ("Invalid JWT Signature."); clipped, and it never quotes the assertion.
	const description = error.success && error.data.error_description ? ` (${error.data.error_description.slice(0, 200)})` : '';
	throw tokenFailure(`service account token request failed: ${code ?? `HTTP ${response.status}`}${description}`, category, {
		code: code ?? String(response.status),
		status: response.status,
		retryAfterMs: parseRetryAfter(response.headers['retry-after'], now),
	});
}
