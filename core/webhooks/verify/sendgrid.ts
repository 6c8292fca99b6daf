/**
 * SendGrid Signed Event Webhook (providers.md §2.5, after sendgrid-nodejs `eventwebhook.js`).
 *
 * `X-Twilio-Email-Event-Webhook-Signature` is the base64 of a DER ECDSA P-256 signature over
 * SHA-256(timestamp header string + raw body); `X-Twilio-Email-Event-Webhook-Timestamp` is Unix seconds
 * and must lie inside the replay window (SendGrid defines none; ours is the endpoint's, default 300 s).
 *
 * The verification key is what the SendGrid UI/API shows — base64 of a DER SubjectPublicKeyInfo — or
 * the same key as PEM (`-----BEGIN PUBLIC KEY-----`). Anything else, or a key not on P-256, is refused.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { WebhookRequest, WebhookSecrets } from '../types';
import { OK, header, missingSecret, present, staleReason, unauthorized, type VerifyContext, type VerifyResult } from './shared';

const SIGNATURE = 'X-Twilio-Email-Event-Webhook-Signature';
const TIMESTAMP = 'X-Twilio-Email-Event-Webhook-Timestamp';

/** Parsed keys by their configured text (a handful per process; parsing costs more than verifying). */
const keyCache = new Map<string, KeyObject | null>();
const KEY_CACHE_LIMIT = 32;

export function parseSendgridKey(text: string): KeyObject | null {
	const cached = keyCache.get(text);
	if (cached !== undefined) return cached;
	let key: KeyObject | null = null;
	try {
		const trimmed = text.trim();
		key = trimmed.includes('-----BEGIN')
			? createPublicKey({ key: trimmed, format: 'pem' })
			: createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
		if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') key = null;
	} catch {
		key = null;
	}
	if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
	keyCache.set(text, key);
	return key;
}

export function verifySendgrid(request: WebhookRequest, secrets: WebhookSecrets, context: VerifyContext): VerifyResult {
	const keyText = secrets.sendgrid?.verificationKey;
	if (!present(keyText)) return missingSecret('sendgrid', 'set the Signed Event Webhook verification key in the SendGrid credential');
	const key = parseSendgridKey(keyText);
	if (!key) return unauthorized('sendgrid verification key is not an ECDSA P-256 public key (base64 DER as SendGrid shows it, or PEM)');

	const signature = header(request, SIGNATURE);
	if (!present(signature)) return unauthorized(`missing ${SIGNATURE} header`);
	const timestamp = header(request, TIMESTAMP);
	if (!present(timestamp)) return unauthorized(`missing ${TIMESTAMP} header`);

	const stale = staleReason(TIMESTAMP, timestamp, context);
	if (stale) return unauthorized(stale);

	const signatureBytes = Buffer.from(signature.trim(), 'base64');
	if (signatureBytes.length === 0) return unauthorized(`${SIGNATURE} is not base64`);
	let valid = false;
	try {
		valid = verify('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), request.rawBody]), { key, dsaEncoding: 'der' }, signatureBytes);
	} catch {
		valid = false;
	}
	if (!valid) return unauthorized(`${SIGNATURE} does not match the timestamp and raw body (sendgrid verification key)`);
	return OK;
}
