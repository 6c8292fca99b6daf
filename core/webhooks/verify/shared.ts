/**
 * Helpers shared by the webhook verification schemes: the result type, header lookup, constant-time
 * comparisons and the replay-window check.
 *
 * Reasons are written for the host's status line and log: they name the header and the scheme, never a
 * secret, a signature, a token or a header value.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { WebhookRequest } from '../types';

export type VerifyResult = { ok: true } | { ok: false; status: 401 | 400; reason: string };

export interface VerifyContext {
	now: Date;
	/** Seconds a signed timestamp may lie away from `now`, either way. */
	replayWindowSeconds: number;
}

export const OK: VerifyResult = Object.freeze({ ok: true });

export function unauthorized(reason: string): VerifyResult {
	return { ok: false, status: 401, reason };
}

export function badRequest(reason: string): VerifyResult {
	return { ok: false, status: 400, reason };
}

export function missingSecret(platform: string, what: string): VerifyResult {
	return unauthorized(`no ${platform} webhook secret configured: ${what}`);
}

/**
 * One header value. Names are matched case-insensitively (the contract says lower case; a host that
 * forgot is still served). A repeated header counts as its first value.
 */
export function header(request: WebhookRequest, name: string): string | undefined {
	const lower = name.toLowerCase();
	let value = request.headers[lower];
	if (value === undefined) {
		for (const [key, v] of Object.entries(request.headers)) {
			if (key.toLowerCase() === lower) {
				value = v;
				break;
			}
		}
	}
	if (Array.isArray(value)) value = value[0];
	return typeof value === 'string' ? value : undefined;
}

/** Constant-time equality of two byte strings; different lengths are unequal (lengths are not secret). */
export function bytesEqual(a: Buffer, b: Buffer): boolean {
	if (a.length !== b.length) return false;
	return timingSafeEqual(a, b);
}

/**
 * Constant-time equality of a presented value and a configured secret. Both are hashed first so the
 * compared buffers always have the same length and the secret's length does not leak through timing.
 */
export function secretEqual(presented: string, secret: string): boolean {
	const a = createHash('sha256').update(presented, 'utf8').digest();
	const b = createHash('sha256').update(secret, 'utf8').digest();
	return timingSafeEqual(a, b);
}

/** A usable secret: a non-empty string. */
export function present(value: string | undefined | null): value is string {
	return typeof value === 'string' && value.length > 0;
}

const DEFAULT_WINDOW_SECONDS = 300;

export function windowSeconds(context: VerifyContext): number {
	const w = context.replayWindowSeconds;
	return typeof w === 'number' && Number.isFinite(w) && w >= 0 ? w : DEFAULT_WINDOW_SECONDS;
}

/**
 * A Unix-seconds timestamp (as a header string or a JWT claim) inside the replay window around `now`.
 * Returns null when fresh, else the reason.
 */
export function staleReason(label: string, timestamp: string | number, context: VerifyContext): string | null {
	let seconds: number;
	if (typeof timestamp === 'number') seconds = timestamp;
	else if (/^\d{1,15}$/.test(timestamp.trim())) seconds = Number(timestamp.trim());
	else return `${label} is not a Unix timestamp`;
	if (!Number.isFinite(seconds)) return `${label} is not a Unix timestamp`;
	const nowSeconds = context.now.getTime() / 1000;
	if (!Number.isFinite(nowSeconds)) return `${label} cannot be checked: the clock is invalid`;
	const window = windowSeconds(context);
	const skew = nowSeconds - seconds;
	if (skew > window) return `${label} is ${Math.round(skew)} s old, outside the ${window} s replay window`;
	if (-skew > window) return `${label} is ${Math.round(-skew)} s in the future, outside the ${window} s replay window`;
	return null;
}
