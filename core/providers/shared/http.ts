/**
 * The default HttpClient (undici, one keep-alive pool per origin) and the pieces every provider
 * without an SDK shares: JSON calls, Retry-After parsing, and the generic classification of HTTP
 * statuses and network failures (providers.md §0.2). Provider-specific codes are classified in each
 * provider's own `map-<id>-error.ts`; these are the fallbacks they end in.
 */
import { Agent, request } from 'undici';
import { ProviderError, type ProviderErrorCategory } from '../../errors';
import type { HttpClient, HttpRequest, HttpResponse, ProviderContext } from '../types';
import { redactError } from './redact';

let sharedAgent: Agent | undefined;

/** undici with keep-alive; a timeout or network failure rejects with an Error carrying `code`. */
export const undiciHttpClient: HttpClient = async (req: HttpRequest): Promise<HttpResponse> => {
	sharedAgent ??= new Agent({ keepAliveTimeout: 10_000, connections: 128 });
	const response = await request(req.url, {
		method: req.method,
		headers: req.headers,
		body: req.body,
		dispatcher: sharedAgent,
		headersTimeout: req.timeoutMs,
		bodyTimeout: req.timeoutMs,
		signal: AbortSignal.timeout(req.timeoutMs),
	});
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(response.headers)) {
		if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return { status: response.statusCode, headers, body: await response.body.text() };
};

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP date (relative to `now`). Null when absent
 * or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined | null, now: Date): number | null {
	if (value === undefined || value === null || value.trim() === '') return null;
	const seconds = Number(value.trim());
	if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
	const date = Date.parse(value);
	return Number.isNaN(date) ? null : Math.max(0, date - now.getTime());
}

/** The category an HTTP status means when the provider's body says nothing more specific. */
export function categoryOfStatus(status: number): ProviderErrorCategory {
	if (status === 429) return 'rate_limited';
	if (status === 408 || status >= 500) return 'transient';
	if (status === 401 || status === 403) return 'auth';
	if (status === 402) return 'config';
	if (status === 404 || status === 410) return 'recipient';
	if (status >= 400) return 'content';
	return 'unknown';
}

export function isRetryableCategory(category: ProviderErrorCategory): boolean {
	return category === 'transient' || category === 'rate_limited';
}

/** A request that got no response (reset, refused, timeout, DNS) as a transient ProviderError. */
export function networkError(provider: string, error: unknown): ProviderError {
	if (error instanceof ProviderError) return error;
	const code = (error as { code?: unknown })?.code;
	const name = (error as { name?: unknown })?.name;
	const timedOut = name === 'TimeoutError' || name === 'AbortError' || (typeof code === 'string' && /TIMEOUT/i.test(code));
	const what = timedOut ? 'no answer in time (timeout)' : `connection failed (${typeof code === 'string' ? code : (error as Error)?.message || 'network error'})`;
	return new ProviderError({
		provider,
		category: 'transient',
		retryable: true,
		message: what,
		providerCode: typeof code === 'string' ? code : timedOut ? 'TIMEOUT' : null,
		hint: 'The provider could not be reached; the send is retried by the retry policy. If it persists, check the network and the provider status page.',
	});
}

/**
 * Calls `http` and turns a missing response into a transient ProviderError. `redact` cleans that
 * error's message and hint when the request itself carries secrets (a token or signature in the URL).
 */
export async function callProvider(
	provider: string,
	context: ProviderContext,
	req: Omit<HttpRequest, 'timeoutMs'>,
	redact?: (text: string) => string,
): Promise<HttpResponse> {
	try {
		return await context.http({ ...req, timeoutMs: context.timeoutMs });
	} catch (error) {
		const failure = networkError(provider, error);
		throw redact ? redactError(failure, redact) : failure;
	}
}

/** JSON.parse that returns undefined instead of throwing (providers answer HTML on gateway errors). */
export function parseJsonBody(body: string): unknown {
	try {
		return JSON.parse(body);
	} catch {
		return undefined;
	}
}

/** Joins a base URL and a path with exactly one slash. */
export function joinUrl(base: string, path: string): string {
	return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
