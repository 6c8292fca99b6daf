/**
 * Signed, expiring approval tokens: what an approve / reject link carries.
 *
 *   token = base64url(JSON claims) "." base64url(HMAC-SHA256(secret, "switchboard-approval.v1." + payload))
 *   claims = { m: messageId, a: "approve" | "reject", exp: epoch seconds, by?: reviewer }
 *
 * The token is the whole authority of a link: whoever holds it may make that one decision on that one
 * message until it expires. It is not encrypted (the message id and reviewer are readable) — it only
 * cannot be forged or altered without the secret. Verification compares signatures in constant time,
 * checks the signature before reading anything else, and never throws: every failure is a reason.
 *
 * Host-free: the secret and the clock are given by the caller (core/approval/index.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidQueueInputError } from '../errors';

export type ApprovalAction = 'approve' | 'reject';

/** What a token says. Short keys keep the links short. */
export interface ApprovalClaims {
	/** The scheduled message's id. */
	m: string;
	/** The one decision this token allows. */
	a: ApprovalAction;
	/** Expiry, epoch seconds: the token is refused from this second on. */
	exp: number;
	/** The reviewer the link was made for (recorded as "approved by" / "rejected by"). */
	by?: string;
}

/** Shortest secret accepted: 32 characters (≈ 190 bits from `openssl rand -base64 32`). */
export const MIN_SECRET_LENGTH = 32;
/** Longest a link may stay valid: one year. */
export const MAX_TTL_MS = 366 * 24 * 3_600_000;
/** Default link lifetime: 72 hours. */
export const DEFAULT_TTL_MS = 72 * 3_600_000;
/** Longest token accepted (a real one is about 200 characters). */
export const MAX_TOKEN_LENGTH = 2048;
/** Longest message id / reviewer name a token may carry. */
const MAX_CLAIM_TEXT = 320;

const DOMAIN = 'switchboard-approval.v1.';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export type TokenFailure =
	/** Not a token at all, bad signature, altered, signed with another secret, impossible claims: 403. */
	| 'invalid'
	/** A genuine token whose time is up: 410. */
	| 'expired';

export type VerifyResult = { ok: true; claims: ApprovalClaims } | { ok: false; reason: TokenFailure; claims?: ApprovalClaims };

export interface SecretCheck {
	/** The field the secret comes from, as the host names it: `signingSecret` (n8n), `approvalSecret` (Node-RED). */
	field?: string;
	/** How to fix it, in the host's words. */
	hint?: string;
}

/**
 * Refuses a missing or short secret with an error naming the field and the fix. The message says how
 * long the secret is, never what it is.
 */
export function assertApprovalSecret(secret: unknown, check: SecretCheck = {}): asserts secret is string {
	const field = check.field ?? 'secret';
	const hint =
		check.hint ??
		`Set "${field}" to a random text of at least ${MIN_SECRET_LENGTH} characters, e.g. the output of \`openssl rand -base64 48\`, and keep it secret: anyone who has it can make approval links.`;
	if (typeof secret !== 'string' || secret.length === 0) {
		throw new InvalidQueueInputError([{ field, message: 'is empty: approval links are signed with this secret' }], hint);
	}
	if (secret.length < MIN_SECRET_LENGTH) {
		throw new InvalidQueueInputError([{ field, message: `is too short (${secret.length} characters): approval links need a secret of at least ${MIN_SECRET_LENGTH} characters` }], hint);
	}
}

function sign(payload: string, secret: string): Buffer {
	return createHmac('sha256', secret).update(DOMAIN + payload).digest();
}

function validClaims(value: unknown): value is ApprovalClaims {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const c = value as Record<string, unknown>;
	if (typeof c.m !== 'string' || c.m.length === 0 || c.m.length > MAX_CLAIM_TEXT) return false;
	if (c.a !== 'approve' && c.a !== 'reject') return false;
	if (typeof c.exp !== 'number' || !Number.isSafeInteger(c.exp) || c.exp <= 0) return false;
	if (c.by !== undefined && (typeof c.by !== 'string' || c.by.trim() === '' || c.by.length > MAX_CLAIM_TEXT)) return false;
	const known = new Set(['m', 'a', 'exp', 'by']);
	return Object.keys(c).every((k) => known.has(k));
}

/** Signs claims into a token. The secret is checked (≥ 32 characters); the claims must be well formed. */
export function signApprovalToken(claims: ApprovalClaims, secret: string, check: SecretCheck = {}): string {
	assertApprovalSecret(secret, check);
	const compact: ApprovalClaims = { m: claims.m, a: claims.a, exp: claims.exp, ...(claims.by !== undefined ? { by: claims.by } : {}) };
	if (!validClaims(compact)) {
		throw new InvalidQueueInputError([
			{ field: 'claims', message: 'must be { m: message id, a: "approve" | "reject", exp: epoch seconds, by?: reviewer (at most 320 characters) }' },
		]);
	}
	const payload = Buffer.from(JSON.stringify(compact), 'utf8').toString('base64url');
	return `${payload}.${sign(payload, secret).toString('base64url')}`;
}

/**
 * Checks a token: well formed, signed with `secret`, claims as signed, not expired at `nowMs`, and not
 * valid for longer than links can be (MAX_TTL_MS; a token claiming more was not made by approvalLinks).
 * Never throws for any input.
 */
export function verifyApprovalToken(token: unknown, secret: string, nowMs: number): VerifyResult {
	if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'invalid' };
	const dot = token.indexOf('.');
	if (dot <= 0 || dot !== token.lastIndexOf('.') || dot === token.length - 1) return { ok: false, reason: 'invalid' };
	const payload = token.slice(0, dot);
	const signature = token.slice(dot + 1);
	if (!BASE64URL.test(payload) || !BASE64URL.test(signature)) return { ok: false, reason: 'invalid' };
	const given = Buffer.from(signature, 'base64url');
	// Only the canonical encoding of the signature is accepted (no trailing-bit variants of one token).
	if (given.toString('base64url') !== signature) return { ok: false, reason: 'invalid' };
	const expected = sign(payload, secret);
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };

	let claims: unknown;
	try {
		claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
	} catch {
		return { ok: false, reason: 'invalid' };
	}
	if (!validClaims(claims)) return { ok: false, reason: 'invalid' };
	const nowSeconds = Math.floor(nowMs / 1000);
	if (claims.exp * 1000 > nowMs + MAX_TTL_MS) return { ok: false, reason: 'invalid', claims };
	if (nowSeconds >= claims.exp) return { ok: false, reason: 'expired', claims };
	return { ok: true, claims };
}
