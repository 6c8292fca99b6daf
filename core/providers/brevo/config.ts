/**
 * Brevo credential values → a checked config. Every check names the field and never echoes a value.
 * The generic field checks are shared with SendGrid (same email-credential shape).
 */
import { InvalidProviderConfigError } from '../../errors';
import { baseUrlOf, emailAddress, optionalText, requiredText } from '../sendgrid/config';

export const BREVO_NAME = 'Brevo';
export const BREVO_API_BASE = 'https://api.brevo.com';

export interface BrevoConfig {
	apiKey: string;
	/** A sender verified in Brevo (Senders, Domains & Dedicated IPs). */
	fromEmail: string;
	fromName?: string;
	/** Only used by the Delivery Webhook (token configured on the Brevo webhook). */
	webhookToken?: string;
	/** Without a trailing slash. */
	baseUrl?: string;
}

export function parseBrevoConfig(value: Record<string, unknown>): BrevoConfig {
	const apiKey = requiredText(BREVO_NAME, value, 'apiKey', 'Create an API key in Brevo → SMTP & API → API Keys and paste it here.');
	if (/\s/.test(apiKey)) {
		throw new InvalidProviderConfigError(BREVO_NAME, 'apiKey', 'contains spaces', 'Paste the key exactly as Brevo showed it (it starts with "xkeysib-").');
	}
	const fromHint = 'Use a sender verified in Brevo → Senders, Domains & Dedicated IPs.';
	const fromEmail = emailAddress(BREVO_NAME, 'fromEmail', requiredText(BREVO_NAME, value, 'fromEmail', fromHint));
	const config: BrevoConfig = { apiKey, fromEmail };
	const fromName = optionalText(BREVO_NAME, value, 'fromName');
	if (fromName !== undefined) config.fromName = fromName;
	const webhookToken = optionalText(BREVO_NAME, value, 'webhookToken');
	if (webhookToken !== undefined) config.webhookToken = webhookToken;
	const baseUrl = baseUrlOf(BREVO_NAME, value, BREVO_API_BASE);
	if (baseUrl !== undefined) config.baseUrl = baseUrl;
	return config;
}
