/**
 * Brevo credential values → a checked config. Every check names the field and never echoes a value.
 * The sender checks are shared with SendGrid (../shared/email.ts: same email-credential shape).
 */
import { optionalBaseUrl, optionalText } from '../shared/config';
import { parseEmailSender, type EmailSender } from '../shared/email';

export const BREVO_NAME = 'Brevo';
export const BREVO_API_BASE = 'https://api.brevo.com';

export interface BrevoConfig extends EmailSender {
	/** Only used by the Delivery Webhook: the Basic username configured on the Brevo webhook. */
	webhookUsername?: string;
	/** Only used by the Delivery Webhook: the bearer token (or, with a username, the Basic password) configured on the Brevo webhook. */
	webhookToken?: string;
	/** Without a trailing slash. */
	baseUrl?: string;
}

export function parseBrevoConfig(value: Record<string, unknown>): BrevoConfig {
	const config: BrevoConfig = parseEmailSender(BREVO_NAME, value, {
		apiKey: 'Create an API key in Brevo → SMTP & API → API Keys and paste it here.',
		apiKeyShape: 'Paste the key exactly as Brevo showed it (it starts with "xkeysib-").',
		fromEmail: 'Use a sender verified in Brevo → Senders, Domains & Dedicated IPs.',
	});
	const webhookUsername = optionalText(BREVO_NAME, value, 'webhookUsername');
	if (webhookUsername !== undefined) config.webhookUsername = webhookUsername;
	const webhookToken = optionalText(BREVO_NAME, value, 'webhookToken');
	if (webhookToken !== undefined) config.webhookToken = webhookToken;
	const baseUrl = optionalBaseUrl(BREVO_NAME, value, { bare: true, hint: `Leave it empty for the public API, or write a full URL such as "${BREVO_API_BASE}".` });
	if (baseUrl !== undefined) config.baseUrl = baseUrl;
	return config;
}
