/**
 * Brevo (ex-Sendinblue) transactional email over its REST API with the injected HTTP client
 * (providers.md §9.1): `POST {base}/v3/smtp/email` with the key in the `api-key` header. No SDK: the
 * package list names none for Brevo, and the call is one JSON POST.
 *
 * The render platform `brevo` produces the exact body (sender, to, subject, text/html or templateId +
 * params, attachment URLs, X-Mailin-custom header); it is sent as is. 201 `{messageId}` means Brevo
 * accepted the email: delivery events follow on the webhook, so the status is `queued`.
 */
import { z } from 'zod/v4';
import { ProviderError } from '../../errors';
import { callProvider, joinUrl, parseJsonBody } from '../shared/http';
import type { CredentialField, HttpResponse, ProviderContext, ProviderDefinition, ProviderSuccess, RateLimitRule } from '../types';
import { emailRenderOptions, emailSenderKey, fromNameField } from '../shared/email';
import { BREVO_API_BASE, BREVO_NAME, parseBrevoConfig, type BrevoConfig } from './config';
import { mapBrevoError } from './map-brevo-error';

export type { BrevoConfig } from './config';
export { brevoErrorCategory, brevoRetryAfterMs, mapBrevoError } from './map-brevo-error';

const credentialFields: readonly CredentialField[] = [
	{
		name: 'apiKey',
		displayName: 'API Key',
		type: 'password',
		required: true,
		description: 'Brevo → SMTP & API → API Keys → Generate a new API key. Starts with "xkeysib-" (not the SMTP key).',
		placeholder: 'xkeysib-…',
	},
	{
		name: 'fromEmail',
		displayName: 'From Email',
		type: 'string',
		required: true,
		description: 'Default sender address. It must be a sender verified in Brevo (Senders, Domains & Dedicated IPs).',
		placeholder: 'no-reply@acme.example',
	},
	fromNameField,
	{
		name: 'webhookUsername',
		displayName: 'Webhook Username',
		type: 'string',
		required: false,
		webhookOnly: true,
		description:
			'Only for the Delivery Webhook, when the Brevo webhook uses Basic authentication: its username (the Webhook Token is then its password). Empty when the webhook uses a bearer token.',
	},
	{
		name: 'webhookToken',
		displayName: 'Webhook Token',
		type: 'password',
		required: false,
		webhookOnly: true,
		description:
			'Only for the Delivery Webhook: the bearer token set on the Brevo transactional webhook, or its Basic password when a Webhook Username is set. Brevo sends it with every event.',
	},
	{
		name: 'baseUrl',
		displayName: 'Base URL',
		type: 'string',
		required: false,
		description: 'Leave empty for the public API. Set for a regional endpoint or a test server.',
		placeholder: 'https://api.brevo.com',
	},
];

/**
 * Brevo's published general limit for POST /v3/smtp/email is 1,000 requests/s (and 3,600,000/h), for
 * every plan including Free (developers.brevo.com/docs/api-limits); higher tiers only raise it. The
 * default uses it per API key; the plan's daily email quota is separate (a 402 not_enough_credits).
 */
const rateLimits: readonly RateLimitRule[] = [
	{
		scope: 'provider',
		perSecond: 1000,
		burst: 1000,
		description: 'Brevo: POST /v3/smtp/email general limit, 1,000 requests/s per account (all plans; higher on Advanced/Extended tiers).',
	},
];

const sendResponseSchema = z.looseObject({ messageId: z.string().min(1).optional(), messageIds: z.array(z.string().min(1)).optional() });
const accountSchema = z.looseObject({ email: z.string().optional(), companyName: z.string().optional() });

function baseOf(config: BrevoConfig, context: ProviderContext): string {
	return context.baseUrl ?? config.baseUrl ?? BREVO_API_BASE;
}

function headersFor(config: BrevoConfig): Record<string, string> {
	return { 'api-key': config.apiKey, accept: 'application/json', 'content-type': 'application/json' };
}

function failure(response: HttpResponse, config: BrevoConfig, context: ProviderContext): ProviderError {
	return mapBrevoError({ status: response.status, body: parseJsonBody(response.body), headers: response.headers, now: context.now(), secrets: [config.apiKey] });
}

function unreadable(response: HttpResponse, what: string): ProviderError {
	return new ProviderError({
		provider: BREVO_NAME,
		category: 'unknown',
		retryable: false,
		message: `HTTP ${response.status}: ${what}`,
		providerCode: String(response.status),
		httpStatus: response.status,
		hint:
			'Brevo answered in an unexpected shape (a proxy in between, or a wrong Base URL); the email may have been accepted — ' +
			'check the transactional logs before sending again.',
	});
}

export const brevoProvider: ProviderDefinition<BrevoConfig> = {
	id: 'brevo',
	name: BREVO_NAME,
	channels: ['email'],
	platform: 'brevo',
	documentationUrl: 'https://developers.brevo.com/docs/getting-started',
	credentialFields,
	rateLimits,
	parseConfig: parseBrevoConfig,
	renderOptions: emailRenderOptions,
	senderKey: emailSenderKey,

	async send(input, context): Promise<ProviderSuccess> {
		const ids: string[] = [];
		for (const payload of input.payloads) {
			const response = await callProvider(BREVO_NAME, context, {
				method: 'POST',
				url: joinUrl(baseOf(input.config, context), payload.endpoint),
				headers: headersFor(input.config),
				body: JSON.stringify(payload.body),
			});
			if (response.status < 200 || response.status >= 300) throw failure(response, input.config, context);
			const parsed = sendResponseSchema.safeParse(parseJsonBody(response.body));
			const found = parsed.success ? (parsed.data.messageId ? [parsed.data.messageId] : (parsed.data.messageIds ?? [])) : [];
			if (found.length === 0) throw unreadable(response, 'no messageId in the answer');
			ids.push(...found);
		}
		if (ids.length === 0) throw new ProviderError({ provider: BREVO_NAME, category: 'content', retryable: false, message: 'nothing to send (no payload)' });
		return { externalId: ids[0]!, externalIds: ids, status: 'queued' };
	},

	/** GET /v3/account: the cheapest authenticated read; names the account by its email (and company). */
	async verifyCredentials(config, context) {
		const response = await callProvider(BREVO_NAME, context, { method: 'GET', url: joinUrl(baseOf(config, context), 'v3/account'), headers: headersFor(config) });
		if (response.status < 200 || response.status >= 300) throw failure(response, config, context);
		const parsed = accountSchema.safeParse(parseJsonBody(response.body));
		if (!parsed.success) throw unreadable(response, 'unreadable answer to GET /v3/account');
		const { email, companyName } = parsed.data;
		const account = email && companyName ? `${companyName} (${email})` : (email ?? companyName);
		return account ? { account } : {};
	},
};
