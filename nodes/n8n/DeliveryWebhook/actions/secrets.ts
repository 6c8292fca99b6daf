/**
 * The webhook secrets of the Delivery Webhook, read from the Switchboard provider credentials (issue 4):
 * their `webhookOnly` fields (and Twilio's Auth Token, which signs Twilio's callbacks).
 *
 * | credential                | field(s)                       | WebhookSecrets          |
 * |---------------------------|--------------------------------|-------------------------|
 * | switchboardTwilioApi      | authToken                      | twilio.authToken        |
 * | switchboardSendGridApi    | webhookVerificationKey         | sendgrid.verificationKey|
 * | switchboardWhatsAppApi, switchboardMessengerApi, switchboardInstagramApi | appSecret, verifyToken | meta |
 * | switchboardSlackApi       | signingSecret                  | slack.signingSecret     |
 * | switchboardTelegramApi    | secretToken                    | telegram.secretToken    |
 * | switchboardBrevoApi       | webhookToken                   | brevo.token (Bearer)    |
 * | switchboardVonageApi      | signatureSecret                | vonage.signatureSecret  |
 *
 * Meta's three products share one scheme and WebhookSecrets has one `meta` entry: the endpoint uses the
 * credential of its platform, or with "Auto-Detect" the first attached of WhatsApp, Messenger, Instagram.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
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

function text(data: ICredentialDataDecryptedObject | undefined, key: string): string | undefined {
	const value = data?.[key];
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Credential data by platform (only the attached ones) → WebhookSecrets. */
export function secretsFromCredentials(byPlatform: Partial<Record<WebhookPlatform, ICredentialDataDecryptedObject>>, platform: string): WebhookSecrets {
	const secrets: WebhookSecrets = {};
	const twilio = text(byPlatform.twilio, 'authToken');
	if (twilio) secrets.twilio = { authToken: twilio };
	const sendgrid = text(byPlatform.sendgrid, 'webhookVerificationKey');
	if (sendgrid) secrets.sendgrid = { verificationKey: sendgrid };
	const metaOrder: WebhookPlatform[] = platform === 'messenger' ? ['messenger'] : platform === 'instagram' ? ['instagram'] : platform === 'whatsapp' ? ['whatsapp'] : ['whatsapp', 'messenger', 'instagram'];
	for (const id of metaOrder) {
		const appSecret = text(byPlatform[id], 'appSecret');
		const verifyToken = text(byPlatform[id], 'verifyToken');
		if (appSecret || verifyToken) {
			secrets.meta = { appSecret: appSecret ?? '', ...(verifyToken ? { verifyToken } : {}) };
			break;
		}
	}
	const slack = text(byPlatform.slack, 'signingSecret');
	if (slack) secrets.slack = { signingSecret: slack };
	const telegram = text(byPlatform.telegram, 'secretToken');
	if (telegram) secrets.telegram = { secretToken: telegram };
	const brevo = text(byPlatform.brevo, 'webhookToken');
	if (brevo) secrets.brevo = { token: brevo };
	const vonage = text(byPlatform.vonage, 'signatureSecret');
	if (vonage) secrets.vonage = { signatureSecret: vonage };
	return secrets;
}

/** Every secret value, for redaction of messages. */
export function secretValues(secrets: WebhookSecrets): string[] {
	const out: string[] = [];
	for (const entry of Object.values(secrets)) for (const value of Object.values(entry ?? {})) if (typeof value === 'string' && value) out.push(value);
	return out;
}
