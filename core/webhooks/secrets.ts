/**
 * The webhook secrets of an endpoint, from the provider credential values both hosts hold (the
 * `webhookOnly` fields of core/providers, plus Twilio's Auth Token, which signs Twilio's callbacks):
 *
 * | provider                        | field(s)                  | WebhookSecrets            |
 * |---------------------------------|---------------------------|---------------------------|
 * | twilio                          | authToken                 | twilio.authToken          |
 * | sendgrid                        | webhookVerificationKey    | sendgrid.verificationKey  |
 * | whatsapp, messenger, instagram  | appSecret, verifyToken    | meta                      |
 * | slack                           | signingSecret             | slack.signingSecret       |
 * | telegram                        | secretToken               | telegram.secretToken      |
 * | brevo                           | webhookUsername, webhookToken | with a username: brevo.username + password (Basic); without: brevo.token (Bearer) |
 * | vonage                          | signatureSecret           | vonage.signatureSecret    |
 *
 * Meta's three products share one scheme and WebhookSecrets has one `meta` entry: an endpoint for one
 * of them uses that product's credential; with auto-detection, the first set of WhatsApp, Messenger,
 * Instagram (one Meta app normally serves all three).
 */
import type { WebhookSecrets } from './types';

const META_PROVIDERS = ['whatsapp', 'messenger', 'instagram'] as const;

/** Credential values by provider id (only the attached ones). */
export type CredentialValuesByProvider = Partial<Record<string, Record<string, unknown> | undefined>>;

function text(values: Record<string, unknown> | undefined, key: string): string | undefined {
	const value = values?.[key];
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function webhookSecretsFrom(byProvider: CredentialValuesByProvider, platform?: string): WebhookSecrets {
	const secrets: WebhookSecrets = {};
	const twilio = text(byProvider.twilio, 'authToken');
	if (twilio) secrets.twilio = { authToken: twilio };
	const sendgrid = text(byProvider.sendgrid, 'webhookVerificationKey');
	if (sendgrid) secrets.sendgrid = { verificationKey: sendgrid };
	const metaOrder: readonly string[] = platform && (META_PROVIDERS as readonly string[]).includes(platform) ? [platform] : META_PROVIDERS;
	for (const id of metaOrder) {
		const appSecret = text(byProvider[id], 'appSecret');
		const verifyToken = text(byProvider[id], 'verifyToken');
		if (appSecret || verifyToken) {
			secrets.meta = { appSecret: appSecret ?? '', ...(verifyToken ? { verifyToken } : {}) };
			break;
		}
	}
	const slack = text(byProvider.slack, 'signingSecret');
	if (slack) secrets.slack = { signingSecret: slack };
	const telegram = text(byProvider.telegram, 'secretToken');
	if (telegram) secrets.telegram = { secretToken: telegram };
	const brevoUser = text(byProvider.brevo, 'webhookUsername');
	const brevoToken = text(byProvider.brevo, 'webhookToken');
	if (brevoUser) secrets.brevo = { username: brevoUser, password: brevoToken ?? '' };
	else if (brevoToken) secrets.brevo = { token: brevoToken };
	const vonage = text(byProvider.vonage, 'signatureSecret');
	if (vonage) secrets.vonage = { signatureSecret: vonage };
	return secrets;
}

/** Every secret value, for redacting messages. */
export function webhookSecretValues(secrets: WebhookSecrets): string[] {
	const out: string[] = [];
	for (const entry of Object.values(secrets)) for (const value of Object.values(entry ?? {})) if (typeof value === 'string' && value) out.push(value);
	return out;
}
