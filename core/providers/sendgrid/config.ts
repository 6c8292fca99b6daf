/**
 * SendGrid credential values → a checked config. Values come from a host vault as strings; every
 * check names the field and never echoes a value (the API key is a secret, and so is the webhook
 * verification key).
 */
import { optionalBaseUrl, optionalText } from '../shared/config';
import { parseEmailSender, type EmailSender } from '../shared/email';

export const SENDGRID_NAME = 'SendGrid';

export interface SendgridConfig extends EmailSender {
	/** Only used by the Delivery Webhook (signed Event Webhook public key). */
	webhookVerificationKey?: string;
	/** Without a trailing slash. */
	baseUrl?: string;
}

export function parseSendgridConfig(value: Record<string, unknown>): SendgridConfig {
	const config: SendgridConfig = parseEmailSender(SENDGRID_NAME, value, {
		apiKey: 'Create an API key with the "Mail Send" permission in SendGrid → Settings → API Keys.',
		apiKeyShape: 'Paste the key exactly as SendGrid showed it (it starts with "SG.").',
		fromEmail: 'Use a verified Sender Identity from SendGrid → Settings → Sender Authentication.',
	});
	const webhookVerificationKey = optionalText(SENDGRID_NAME, value, 'webhookVerificationKey');
	if (webhookVerificationKey !== undefined) config.webhookVerificationKey = webhookVerificationKey;
	const baseUrl = optionalBaseUrl(SENDGRID_NAME, value, { bare: true, hint: 'Leave it empty for the public API, or write a full URL such as "https://api.eu.sendgrid.com".' });
	if (baseUrl !== undefined) config.baseUrl = baseUrl;
	return config;
}
