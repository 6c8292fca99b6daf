/**
 * Telegram (providers.md §3.5): `setWebhook` was given a `secret_token`; Telegram sends it verbatim in
 * `X-Telegram-Bot-Api-Secret-Token` on every update. No HMAC and no timestamp: a constant-time compare.
 */
import type { WebhookRequest, WebhookSecrets } from '../types';
import { OK, header, missingSecret, present, secretEqual, unauthorized, type VerifyResult } from './shared';

const HEADER = 'X-Telegram-Bot-Api-Secret-Token';

export function verifyTelegram(request: WebhookRequest, secrets: WebhookSecrets): VerifyResult {
	const secretToken = secrets.telegram?.secretToken;
	if (!present(secretToken)) return missingSecret('telegram', 'set the webhook secret token (the secret_token given to setWebhook) in the Telegram credential');
	const value = header(request, HEADER);
	if (!present(value)) return unauthorized(`missing ${HEADER} header`);
	if (!secretEqual(value, secretToken)) return unauthorized(`${HEADER} does not match the configured secret token`);
	return OK;
}
