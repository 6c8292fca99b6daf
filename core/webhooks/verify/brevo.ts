/**
 * Brevo (providers.md §9.1) signs nothing: the webhook URL is protected by HTTP Basic credentials or a
 * bearer token configured on the webhook. `Authorization: Basic base64(user:password)` is accepted when
 * a username or password is configured and both match; `Authorization: Bearer <token>` when a token is
 * configured and it matches. All compares are constant-time; no timestamp exists to bound replays.
 */
import type { WebhookRequest, WebhookSecrets } from '../types';
import { OK, header, missingSecret, present, secretEqual, unauthorized, type VerifyResult } from './shared';

export function verifyBrevo(request: WebhookRequest, secrets: WebhookSecrets): VerifyResult {
	const config = secrets.brevo;
	const basic = present(config?.username) || present(config?.password);
	const bearer = present(config?.token);
	if (!config || (!basic && !bearer)) {
		return missingSecret('brevo', 'set the webhook Basic username/password or bearer token in the Brevo credential');
	}
	const authorization = header(request, 'Authorization');
	if (!present(authorization)) return unauthorized('missing Authorization header (brevo webhook Basic or Bearer credentials)');
	const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(authorization);
	const scheme = match?.[1]?.toLowerCase();
	const value = match?.[2] ?? '';

	if (scheme === 'basic') {
		if (!basic) return unauthorized('brevo webhook sent Basic credentials but only a bearer token is configured');
		const decoded = Buffer.from(value, 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon < 0) return unauthorized('Authorization Basic value is not base64 of user:password');
		// Both compared every time, so timing does not tell which one was wrong.
		const userOk = secretEqual(decoded.slice(0, colon), config.username ?? '');
		const passwordOk = secretEqual(decoded.slice(colon + 1), config.password ?? '');
		if (!(userOk && passwordOk)) return unauthorized('Authorization Basic credentials do not match the brevo webhook credentials');
		return OK;
	}
	if (scheme === 'bearer') {
		if (!bearer) return unauthorized('brevo webhook sent a bearer token but only Basic credentials are configured');
		if (!secretEqual(value, config.token!)) return unauthorized('Authorization bearer token does not match the brevo webhook token');
		return OK;
	}
	return unauthorized('Authorization header is neither Basic nor Bearer (brevo webhook)');
}
