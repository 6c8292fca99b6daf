/**
 * Twilio SendGrid (email) through the official `@sendgrid/mail` SDK (providers.md §2).
 *
 * One `MailService` per call, never the module's singleton: the singleton holds one API key for the
 * whole process, so two credentials (two SendGrid accounts, or a customer's and ours) would overwrite
 * each other's key and base URL mid-flight. The service owns a fresh `Client` (axios underneath).
 * Order matters (§2.7): `setApiKey` resets `baseUrl` to the public (or data-residency) host, so the
 * base URL of a fake or regional endpoint is set after it.
 *
 * The render platform `sendgrid` already produces the exact v3 `mail/send` body, and it goes out as is
 * through the SDK client's `request`. `MailService.send` is not used because it rebuilds the body through
 * its `Mail` helper (camelCase ↔ snake_case conversion, legacy/dynamic template rules) and — the deciding
 * point — copies the mail's own `headers` (In-Reply-To/References of a reply) onto the HTTP request as
 * well. Sending through the same client keeps the SDK's auth, base URL, timeout and ResponseError.
 */
import { MailService } from '@sendgrid/mail';
import { ProviderError } from '../../errors';
import type { CredentialField, ProviderContext, ProviderDefinition, ProviderSuccess, RateLimitRule } from '../types';
import { emailRenderOptions, emailSenderKey, fromNameField } from '../shared/email';
import { SENDGRID_NAME, parseSendgridConfig, type SendgridConfig } from './config';
import { plainHeaders, sendgridFailure } from './map-sendgrid-error';

export type { SendgridConfig } from './config';
export { mapSendgridError, sendgridErrorCategory, sendgridErrorKind, sendgridFailure, sendgridRetryAfterMs } from './map-sendgrid-error';

const credentialFields: readonly CredentialField[] = [
	{
		name: 'apiKey',
		displayName: 'API Key',
		type: 'password',
		required: true,
		description: 'SendGrid → Settings → API Keys → Create API Key, with at least the "Mail Send" permission. Starts with "SG.".',
		placeholder: 'SG.xxxxxxxx.yyyyyyyy',
	},
	{
		name: 'fromEmail',
		displayName: 'From Email',
		type: 'string',
		required: true,
		description: 'Default sender address. It must be a verified Sender Identity (SendGrid → Settings → Sender Authentication).',
		placeholder: 'no-reply@acme.example',
	},
	fromNameField,
	{
		name: 'webhookVerificationKey',
		displayName: 'Webhook Verification Key',
		type: 'password',
		required: false,
		webhookOnly: true,
		description: 'Only for the Delivery Webhook: the public key shown under SendGrid → Settings → Mail Settings → Signed Event Webhook Requests.',
	},
	{
		name: 'baseUrl',
		displayName: 'Base URL',
		type: 'string',
		required: false,
		description: 'Leave empty for the public API. Set for a regional endpoint (EU: https://api.eu.sendgrid.com) or a test server.',
		placeholder: 'https://api.sendgrid.com',
	},
];

/**
 * SendGrid publishes no fixed mail/send rate: each v3 endpoint has its own refresh window, reported in
 * X-RateLimit-Limit/Remaining/Reset, and the plan caps the daily volume (providers.md §2.6, §10).
 * 100 requests/s for the credential is a conservative default that stays well under what mail/send is
 * known to take; a 429 still comes back classified with the reset time. [verify] against the account's
 * X-RateLimit-Limit and raise it in the node if needed.
 */
const rateLimits: readonly RateLimitRule[] = [
	{
		scope: 'provider',
		perSecond: 100,
		burst: 100,
		description: 'SendGrid: no published mail/send limit (per-endpoint windows, plan quotas); conservative 100 requests/s per API key — check X-RateLimit-Limit.',
	},
];

/** One SDK service for this credential and call. */
function mailClient(config: SendgridConfig, context: ProviderContext): SendgridClient {
	const service = new MailService();
	service.setApiKey(config.apiKey);
	// The SDK's typings do not declare `client`; it is the service's own Client (set in its constructor).
	const client = (service as unknown as { client: SendgridClient }).client;
	const base = context.baseUrl ?? config.baseUrl;
	if (base) client.setDefaultRequest('baseUrl', `${base.replace(/\/+$/, '')}/`); // after setApiKey, which resets it
	service.setTimeout(context.timeoutMs);
	return client;
}

/** The part of @sendgrid/client's Client used here (the package is only a dependency of @sendgrid/mail). */
interface SendgridClient {
	setDefaultRequest(key: 'baseUrl', value: string): unknown;
	request(data: { method: 'GET' | 'POST'; url: string; body?: unknown }): Promise<[{ statusCode: number; body: unknown; headers: unknown }, unknown]>;
}

async function sendgridRequest(config: SendgridConfig, context: ProviderContext, data: { method: 'GET' | 'POST'; url: string; body?: unknown }) {
	try {
		const [response] = await mailClient(config, context).request(data);
		return { status: response.statusCode, body: response.body, headers: plainHeaders(response.headers) };
	} catch (error) {
		throw sendgridFailure(error, context.now(), [config.apiKey]);
	}
}

export const sendgridProvider: ProviderDefinition<SendgridConfig> = {
	id: 'sendgrid',
	name: SENDGRID_NAME,
	channels: ['email'],
	platform: 'sendgrid',
	documentationUrl: 'https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys',
	credentialFields,
	rateLimits,
	parseConfig: parseSendgridConfig,
	renderOptions: emailRenderOptions,
	senderKey: emailSenderKey,

	async send(input, context): Promise<ProviderSuccess> {
		const ids: string[] = [];
		for (const payload of input.payloads) {
			const response = await sendgridRequest(input.config, context, { method: 'POST', url: `/${payload.endpoint.replace(/^\/+/, '')}`, body: payload.body });
			const id = response.headers['x-message-id'];
			if (!id) {
				throw new ProviderError({
					provider: SENDGRID_NAME,
					category: 'unknown',
					retryable: false,
					message: `HTTP ${response.status} without an X-Message-Id header`,
					providerCode: String(response.status),
					httpStatus: response.status,
					hint:
						'SendGrid answered without a message id (sandbox mode, or a proxy in between); the mail may have been accepted — ' +
						'check the Activity feed before sending again.',
				});
			}
			ids.push(id);
		}
		if (ids.length === 0) {
			throw new ProviderError({ provider: SENDGRID_NAME, category: 'content', retryable: false, message: 'nothing to send (no payload)' });
		}
		return { externalId: ids[0]!, externalIds: ids, status: 'queued' };
	},

	/**
	 * GET /v3/scopes: the cheapest authenticated read, and it tells whether the key may send mail at all
	 * (a restricted key without `mail.send` would fail every send with 403).
	 */
	async verifyCredentials(config, context) {
		const response = await sendgridRequest(config, context, { method: 'GET', url: '/v3/scopes' });
		const scopes = (response.body as { scopes?: unknown } | null)?.scopes;
		if (!Array.isArray(scopes)) {
			throw new ProviderError({
				provider: SENDGRID_NAME,
				category: 'unknown',
				retryable: false,
				message: `HTTP ${response.status}: unreadable answer to GET /v3/scopes`,
				httpStatus: response.status,
				hint: 'Check the Base URL: it must point at the SendGrid v3 API.',
			});
		}
		if (!scopes.includes('mail.send')) {
			throw new ProviderError({
				provider: SENDGRID_NAME,
				category: 'auth',
				retryable: false,
				message: 'the API key works but lacks the "mail.send" permission',
				providerCode: 'missing_scope',
				httpStatus: response.status,
				hint: 'Edit the key in SendGrid → Settings → API Keys and give it Mail Send access.',
			});
		}
		return {};
	},
};

