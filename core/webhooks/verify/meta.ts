/**
 * Meta webhooks — WhatsApp Cloud, Messenger, Instagram (providers.md §4.5, §8.3):
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(appSecret, raw body)>`.
 *
 * The legacy `X-Hub-Signature: sha1=…` header Meta also sends is not accepted on its own: SHA-256 is
 * always present on current deliveries and a downgrade to SHA-1 buys nothing.
 *
 * A GET is the subscription handshake (`?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`), which
 * carries no signature: it is verified by comparing `hub.verify_token` with the configured verify token
 * (constant-time). Meta itself expects 403 on a mismatch; the host may map this 401 to 403 — Meta only
 * checks for 200 + the challenge.
 */
import { createHmac } from 'node:crypto';
import type { WebhookRequest, WebhookSecrets } from '../types';
import { OK, bytesEqual, header, missingSecret, present, secretEqual, unauthorized, type VerifyResult } from './shared';

const HEADER = 'X-Hub-Signature-256';
const PREFIX = 'sha256=';

export function verifyMeta(platform: string, request: WebhookRequest, secrets: WebhookSecrets): VerifyResult {
	if (request.method.toUpperCase() === 'GET') return verifyMetaSubscribe(platform, request, secrets);
	const appSecret = secrets.meta?.appSecret;
	if (!present(appSecret)) return missingSecret(platform, 'set the Meta app secret in the credential');
	const value = header(request, HEADER);
	if (!present(value)) return unauthorized(`missing ${HEADER} header`);
	const trimmed = value.trim();
	if (trimmed.slice(0, PREFIX.length).toLowerCase() !== PREFIX) return unauthorized(`${HEADER} is not of the form sha256=<hex>`);
	const presented = Buffer.from(trimmed.slice(PREFIX.length).toLowerCase(), 'utf8');
	const expected = Buffer.from(createHmac('sha256', appSecret).update(request.rawBody).digest('hex'), 'utf8');
	if (!bytesEqual(presented, expected)) return unauthorized(`${HEADER} does not match the raw body (${platform} app secret)`);
	return OK;
}

/** The GET subscription handshake: `hub.verify_token` must equal the configured verify token. */
export function verifyMetaSubscribe(platform: string, request: WebhookRequest, secrets: WebhookSecrets): VerifyResult {
	const verifyToken = secrets.meta?.verifyToken;
	if (!present(verifyToken)) return missingSecret(platform, 'set the Meta verify token in the credential to answer the subscription handshake');
	let query: URLSearchParams;
	try {
		query = new URL(request.url, 'http://relative.invalid').searchParams;
	} catch {
		return unauthorized(`${platform} subscription handshake: the request URL cannot be read`);
	}
	if (query.get('hub.mode') !== 'subscribe') return unauthorized(`a GET to a ${platform} webhook must be the subscription handshake (hub.mode=subscribe)`);
	const presented = query.get('hub.verify_token');
	if (presented === null) return unauthorized(`${platform} subscription handshake without hub.verify_token`);
	if (!secretEqual(presented, verifyToken)) return unauthorized(`${platform} subscription handshake: hub.verify_token does not match the configured verify token`);
	return OK;
}
