/**
 * The Delivery Webhook's credential types per platform; their values become WebhookSecrets through the
 * core's webhookSecretsFrom (core/webhooks/secrets.ts: which field is which secret, Meta's order).
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { webhookSecretValues, webhookSecretsFrom } from '../../../../core/webhooks/secrets';
import type { WebhookSecrets } from '../../../../core/webhooks/types';

/** Credential type per platform the node verifies. */
export const WEBHOOK_CREDENTIALS = {
	twilio: 'switchboardTwilioApi',
	sendgrid: 'switchboardSendGridApi',
	whatsapp: 'switchboardWhatsAppApi',
	messenger: 'switchboardMessengerApi',
	instagram: 'switchboardInstagramApi',
	slack: 'switchboardSlackApi',
	telegram: 'switchboardTelegramApi',
	brevo: 'switchboardBrevoApi',
	vonage: 'switchboardVonageApi',
} as const;

export type WebhookPlatform = keyof typeof WEBHOOK_CREDENTIALS;
export const WEBHOOK_PLATFORM_IDS = Object.keys(WEBHOOK_CREDENTIALS) as WebhookPlatform[];

/** Credential data by platform (only the attached ones) → WebhookSecrets (core/webhooks/secrets.ts). */
export function secretsFromCredentials(byPlatform: Partial<Record<WebhookPlatform, ICredentialDataDecryptedObject>>, platform: string): WebhookSecrets {
	return webhookSecretsFrom(byPlatform, platform);
}

export { webhookSecretValues as secretValues };
