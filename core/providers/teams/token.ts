/**
 * OAuth2 client-credentials tokens for Microsoft Graph (Microsoft identity platform v2.0):
 * `POST {login}/{tenantId}/oauth2/v2.0/token` with `grant_type=client_credentials`, `client_id`,
 * `client_secret`, `scope={graph}/.default` → `{token_type, expires_in, access_token}`.
 *
 * Where the token comes from follows the Graph base URL:
 * - no Base URL: login.microsoftonline.com for graph.microsoft.com;
 * - a national-cloud Graph host (graph.microsoft.us, dod-graph.microsoft.us, microsoftgraph.chinacloudapi.cn):
 *   that cloud's login host and scope;
 * - any other Base URL (a test server, a proxy): the token endpoint on the same base URL,
 *   `{baseUrl}/{tenantId}/oauth2/v2.0/token`, so ONE base URL sends both calls to a fake.
 *
 * Tokens are cached per credential (token URL + client id + a hash of the secret) until
 * REFRESH_MARGIN before they expire, measured on the injected clock; concurrent sends share one
 * token request. The cache lives in this module (process memory), never in node output.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod/v4';
import { ProviderError } from '../../errors';
import { callProvider, isRetryableCategory, parseJsonBody, parseRetryAfter } from '../shared/http';
import { graphRedactor, redact } from '../shared/graph';
import type { ProviderContext } from '../types';
import { mapTeamsTokenError } from './map-teams-error';
import { lookupTable } from '../../util/object';

export const GRAPH_BASE = 'https://graph.microsoft.com';
export const LOGIN_BASE = 'https://login.microsoftonline.com';
/** Renew this long before `expires_in` runs out (at most half the lifetime for short-lived tokens). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

const NATIONAL_CLOUDS: Readonly<Record<string, string>> = lookupTable({
	'graph.microsoft.com': LOGIN_BASE,
	'graph.microsoft.us': 'https://login.microsoftonline.us',
	'dod-graph.microsoft.us': 'https://login.microsoftonline.us',
	'microsoftgraph.chinacloudapi.cn': 'https://login.chinacloudapi.cn',
});

export interface TokenEndpoint {
	url: string;
	scope: string;
}

/** Token URL and scope for a Graph base URL (see the header comment). */
export function tokenEndpoint(graphBase: string, tenantId: string): TokenEndpoint {
	const url = new URL(graphBase);
	const login = NATIONAL_CLOUDS[url.hostname];
	const tenant = encodeURIComponent(tenantId);
	if (login) return { url: `${login}/${tenant}/oauth2/v2.0/token`, scope: `${url.origin}/.default` };
	return { url: `${graphBase.replace(/\/+$/, '')}/${tenant}/oauth2/v2.0/token`, scope: `${GRAPH_BASE}/.default` };
}

export interface ClientCredentials {
	tenantId: string;
	clientId: string;
	clientSecret: string;
}

interface CachedToken {
	token: string;
	/** Epoch ms after which the token is not used any more (expiry minus the margin). */
	renewAt: number;
}

const cache = new Map<string, CachedToken>();
const inFlight = new Map<string, Promise<CachedToken>>();

/** Forget every cached token (tests; a host that rotates secrets). */
export function clearTeamsTokenCache(): void {
	cache.clear();
	inFlight.clear();
}

function cacheKey(endpoint: TokenEndpoint, credentials: ClientCredentials): string {
	const secret = createHash('sha256').update(credentials.clientSecret).digest('hex');
	return `${endpoint.url}|${endpoint.scope}|${credentials.clientId}|${secret}`;
}

const tokenResponseSchema = z.object({ access_token: z.string().min(1), expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]) });
const tokenErrorSchema = z.object({ error: z.string().optional(), error_description: z.string().optional(), error_codes: z.array(z.number()).optional() });

async function requestToken(provider: string, endpoint: TokenEndpoint, credentials: ClientCredentials, context: ProviderContext): Promise<CachedToken> {
	const secrets = [credentials.clientSecret];
	const body = new URLSearchParams({
		grant_type: 'client_credentials',
		client_id: credentials.clientId,
		client_secret: credentials.clientSecret,
		scope: endpoint.scope,
	}).toString();
	const response = await callProvider(provider, context, {
		method: 'POST',
		url: endpoint.url,
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
		body,
	}, graphRedactor(secrets));
	if (response.status >= 200 && response.status <= 299) {
		const parsed = tokenResponseSchema.safeParse(parseJsonBody(response.body));
		if (!parsed.success) {
			throw new ProviderError({
				provider,
				category: 'unknown',
				retryable: false,
				message: `the token endpoint answered HTTP ${response.status} without an access token`,
				httpStatus: response.status,
				providerCode: response.status,
				hint: 'Check the Base URL: the token request must reach the Microsoft identity platform.',
			});
		}
		const lifetimeMs = parsed.data.expires_in * 1000;
		const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
		return { token: parsed.data.access_token, renewAt: context.now().getTime() + lifetimeMs - margin };
	}
	const error = tokenErrorSchema.safeParse(parseJsonBody(response.body));
	const fields = error.success ? error.data : {};
	const klass = mapTeamsTokenError(fields.error, fields.error_codes ?? [], response.status);
	// The description's first line ("AADSTS7000215: Invalid client secret provided…"); the trace ids follow on later lines.
	const description = fields.error_description?.split(/\r?\n/)[0]?.trim();
	const retryable = isRetryableCategory(klass.category);
	throw new ProviderError({
		provider,
		category: klass.category,
		retryable,
		message: redact(`token request failed: ${[fields.error, description].filter(Boolean).join(' — ') || `HTTP ${response.status}`}`, secrets),
		providerCode: fields.error_codes?.[0] !== undefined ? `AADSTS${fields.error_codes[0]}` : (fields.error ?? response.status),
		httpStatus: response.status,
		retryAfterMs: retryable ? parseRetryAfter(response.headers['retry-after'], context.now()) : null,
		hint: klass.hint,
	});
}

/** A token for Graph: from the cache while it is fresh, else one request (shared by concurrent callers). */
export async function graphToken(
	provider: string,
	endpoint: TokenEndpoint,
	credentials: ClientCredentials,
	context: ProviderContext,
	options: { fresh?: boolean } = {},
): Promise<{ token: string; cached: boolean }> {
	const key = cacheKey(endpoint, credentials);
	const hit = cache.get(key);
	if (!options.fresh && hit && context.now().getTime() < hit.renewAt) return { token: hit.token, cached: true };
	let pending = inFlight.get(key);
	if (!pending) {
		pending = requestToken(provider, endpoint, credentials, context).finally(() => inFlight.delete(key));
		inFlight.set(key, pending);
	}
	const fresh = await pending;
	cache.set(key, fresh);
	return { token: fresh.token, cached: false };
}

/** Drop a token Graph refused (revoked before its expiry). */
export function forgetGraphToken(endpoint: TokenEndpoint, credentials: ClientCredentials): void {
	cache.delete(cacheKey(endpoint, credentials));
}
