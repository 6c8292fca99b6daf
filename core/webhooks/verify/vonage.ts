/**
 * Vonage signed webhooks (providers.md §9.2): `Authorization: Bearer <JWT>` signed HS256 with the
 * account's signature secret. Checked here with node:crypto alone:
 * - the header names `alg: HS256` (nothing else, in particular not `none`);
 * - the signature is HMAC-SHA256(secret, header + "." + payload), compared in constant time;
 * - `iat`, when present, lies inside the replay window; `exp` / `nbf`, when present, hold at `now`;
 * - `payload_hash` equals the hex SHA-256 of the raw body (required whenever there is a body).
 */
import { createHash, createHmac } from 'node:crypto';
import type { WebhookRequest, WebhookSecrets } from '../types';
import { isRecord } from '../../util/object';
import { OK, bytesEqual, header, missingSecret, present, staleReason, unauthorized, type VerifyContext, type VerifyResult } from './shared';

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeJson(segment: string): Record<string, unknown> | null {
	try {
		const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
		return isRecord(value) ? (value as Record<string, unknown>) : null;
	} catch {
		return null;
	}
}

export function verifyVonage(request: WebhookRequest, secrets: WebhookSecrets, context: VerifyContext): VerifyResult {
	const signatureSecret = secrets.vonage?.signatureSecret;
	if (!present(signatureSecret)) return missingSecret('vonage', 'set the account signature secret in the Vonage credential');
	const authorization = header(request, 'Authorization');
	if (!present(authorization)) return unauthorized('missing Authorization header (vonage signed webhook JWT)');
	const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
	if (!match) return unauthorized('Authorization header is not a Bearer token (vonage signed webhook JWT)');
	const parts = match[1]!.split('.');
	if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return unauthorized('vonage Authorization bearer token is not a JWT');
	const [headerSegment, payloadSegment, signatureSegment] = parts as [string, string, string];

	const jwtHeader = decodeJson(headerSegment);
	if (!jwtHeader) return unauthorized('vonage JWT header is not JSON');
	if (jwtHeader.alg !== 'HS256') return unauthorized('vonage JWT is not signed with HS256');

	const expected = Buffer.from(createHmac('sha256', signatureSecret).update(`${headerSegment}.${payloadSegment}`, 'utf8').digest('base64url'), 'utf8');
	if (!bytesEqual(Buffer.from(signatureSegment, 'utf8'), expected)) return unauthorized('vonage JWT signature does not match (vonage signature secret)');

	const claims = decodeJson(payloadSegment);
	if (!claims) return unauthorized('vonage JWT payload is not a JSON object');
	const nowSeconds = context.now.getTime() / 1000;
	if (claims.iat !== undefined) {
		if (typeof claims.iat !== 'number') return unauthorized('vonage JWT iat is not a number');
		const stale = staleReason('vonage JWT iat', claims.iat, context);
		if (stale) return unauthorized(stale);
	}
	if (claims.exp !== undefined && (typeof claims.exp !== 'number' || !(nowSeconds < claims.exp))) return unauthorized('vonage JWT has expired');
	if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || nowSeconds < claims.nbf)) return unauthorized('vonage JWT is not valid yet (nbf)');

	const payloadHash = claims.payload_hash;
	if (payloadHash === undefined) {
		if (request.rawBody.length > 0) return unauthorized('vonage JWT has no payload_hash claim for a request with a body');
		return OK;
	}
	if (typeof payloadHash !== 'string') return unauthorized('vonage JWT payload_hash is not a string');
	const actual = Buffer.from(createHash('sha256').update(request.rawBody).digest('hex'), 'utf8');
	if (!bytesEqual(Buffer.from(payloadHash.toLowerCase(), 'utf8'), actual)) return unauthorized('vonage JWT payload_hash does not match the raw body');
	return OK;
}
