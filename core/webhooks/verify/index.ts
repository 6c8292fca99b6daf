/**
 * Webhook signature / auth verification (issue 5): one scheme per provider, all over the RAW request
 * bytes, all comparisons constant-time. `handleWebhook` calls `verifyWebhook` before anything is parsed
 * (unless verification was switched off explicitly) and answers `status` with nothing emitted.
 *
 * | platform                        | scheme                                                    | replay window |
 * |---------------------------------|-----------------------------------------------------------|---------------|
 * | twilio                          | X-Twilio-Signature HMAC-SHA1 over URL + sorted form params / bodySHA256 | —  |
 * | sendgrid                        | ECDSA P-256 over timestamp + raw body                     | timestamp     |
 * | whatsapp, messenger, instagram  | X-Hub-Signature-256 HMAC-SHA256(app secret, raw body)     | —             |
 * | slack                           | v0 HMAC-SHA256 over "v0:ts:body"                          | timestamp     |
 * | telegram                        | X-Telegram-Bot-Api-Secret-Token equals the secret token   | —             |
 * | brevo                           | Authorization Basic / Bearer equals the configured ones   | —             |
 * | vonage                          | Bearer JWT HS256 + payload_hash                           | iat           |
 * | teams, googlechat               | cannot be verified offline: refused (see unverifiable.ts) | —             |
 *
 * Results: `{ ok: true }`, or `{ ok: false, status, reason }` with 401 for a missing secret, a missing /
 * malformed / wrong signature or credential, a stale timestamp, and the unverifiable platforms; 400
 * for a platform id with no scheme at all (custom, unknown) and for a Twilio request whose URL is not
 * absolute (a host configuration error). Reasons never contain secrets, signatures or header values.
 */
import type { WebhookRequest, WebhookSecrets } from '../types';
import { verifyBrevo } from './brevo';
import { verifyMeta } from './meta';
import { verifySendgrid } from './sendgrid';
import { badRequest, type VerifyContext, type VerifyResult } from './shared';
import { verifySlack } from './slack';
import { verifyTelegram } from './telegram';
import { verifyTwilio } from './twilio';
import { UNVERIFIABLE_PLATFORMS, refuseUnverifiable } from './unverifiable';
import { verifyVonage } from './vonage';

export type { VerifyResult, VerifyContext } from './shared';
export { UNVERIFIABLE_PLATFORMS } from './unverifiable';

type Scheme = (platform: string, request: WebhookRequest, secrets: WebhookSecrets, context: VerifyContext) => VerifyResult;

const SCHEMES: Record<string, Scheme> = {
	twilio: (_p, request, secrets) => verifyTwilio(request, secrets),
	sendgrid: (_p, request, secrets, context) => verifySendgrid(request, secrets, context),
	whatsapp: (platform, request, secrets) => verifyMeta(platform, request, secrets),
	messenger: (platform, request, secrets) => verifyMeta(platform, request, secrets),
	instagram: (platform, request, secrets) => verifyMeta(platform, request, secrets),
	slack: (_p, request, secrets, context) => verifySlack(request, secrets, context),
	telegram: (_p, request, secrets) => verifyTelegram(request, secrets),
	brevo: (_p, request, secrets) => verifyBrevo(request, secrets),
	vonage: (_p, request, secrets, context) => verifyVonage(request, secrets, context),
};

/** Platforms whose webhooks this module can verify. */
export const VERIFIABLE_PLATFORMS: readonly string[] = Object.keys(SCHEMES);

/** 'verified': a scheme exists; 'unverifiable': known, but only with keys from the internet; 'none': no scheme. */
export function verificationSupport(platform: string): 'verified' | 'unverifiable' | 'none' {
	if (Object.hasOwn(SCHEMES, platform)) return 'verified';
	if (UNVERIFIABLE_PLATFORMS.includes(platform)) return 'unverifiable';
	return 'none';
}

export function verifyWebhook(
	platform: string,
	request: WebhookRequest,
	secrets: WebhookSecrets,
	options: { now: Date; replayWindowSeconds: number },
): VerifyResult {
	if (Object.hasOwn(SCHEMES, platform)) return SCHEMES[platform]!(platform, request, secrets ?? {}, options);
	if (UNVERIFIABLE_PLATFORMS.includes(platform)) return refuseUnverifiable(platform);
	return badRequest(`no webhook verification scheme for platform "${String(platform).slice(0, 40)}"; switch verification off for this endpoint to accept it`);
}
