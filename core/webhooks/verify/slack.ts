/**
 * Slack request signing (providers.md §6.3): `X-Slack-Signature: v0=<hex HMAC-SHA256(signingSecret,
 * "v0:" + X-Slack-Request-Timestamp + ":" + raw body)>`, the timestamp inside the replay window
 * (Slack's own advice: 5 minutes). Covers the Events API, interactivity and slash commands alike.
 */
import { createHmac } from 'node:crypto';
import type { WebhookRequest, WebhookSecrets } from '../types';
import { OK, bytesEqual, header, missingSecret, present, staleReason, unauthorized, type VerifyContext, type VerifyResult } from './shared';

const SIGNATURE = 'X-Slack-Signature';
const TIMESTAMP = 'X-Slack-Request-Timestamp';

export function verifySlack(request: WebhookRequest, secrets: WebhookSecrets, context: VerifyContext): VerifyResult {
	const signingSecret = secrets.slack?.signingSecret;
	if (!present(signingSecret)) return missingSecret('slack', 'set the app Signing Secret in the Slack credential');
	const signature = header(request, SIGNATURE);
	if (!present(signature)) return unauthorized(`missing ${SIGNATURE} header`);
	const timestamp = header(request, TIMESTAMP);
	if (!present(timestamp)) return unauthorized(`missing ${TIMESTAMP} header`);

	const stale = staleReason(TIMESTAMP, timestamp, context);
	if (stale) return unauthorized(stale);

	const hmac = createHmac('sha256', signingSecret);
	hmac.update(`v0:${timestamp}:`, 'utf8');
	hmac.update(request.rawBody);
	const expected = Buffer.from(`v0=${hmac.digest('hex')}`, 'utf8');
	if (!bytesEqual(Buffer.from(signature.trim(), 'utf8'), expected)) {
		return unauthorized(`${SIGNATURE} does not match the timestamp and raw body (slack signing secret)`);
	}
	return OK;
}
