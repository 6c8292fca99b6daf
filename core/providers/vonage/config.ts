/**
 * Vonage credential values → a checked VonageConfig, the rate limits, and where each call goes
 * (providers.md §9.2). Pure.
 */
import { InvalidProviderConfigError } from '../../errors';
import type { Channel } from '../../schema/message';
import { baseUrlField, optionalBaseUrl, optionalText, requiredText } from '../shared/config';
import type { CredentialField, RateLimitRule } from '../types';

export const VONAGE_PROVIDER_NAME = 'Vonage';
/** Messages API host (regional: https://api-eu.vonage.com, https://api-ap.vonage.com). */
export const VONAGE_API_BASE = 'https://api.nexmo.com';
/** The Account API (get-balance) has one global host, whatever the Messages region. */
export const VONAGE_REST_BASE = 'https://rest.nexmo.com';

export interface VonageConfig {
	apiKey: string;
	/** Basic-auth password. Never echoed. */
	apiSecret: string;
	/** Sender: number (E.164 digits), alphanumeric sender id, or the channel's id (WhatsApp number). */
	from: string;
	/** Only used by the Delivery Webhook (signed JWT on Vonage webhooks). */
	signatureSecret?: string;
	baseUrl?: string;
}

export const vonageCredentialFields: readonly CredentialField[] = [
	{
		name: 'apiKey',
		displayName: 'API Key',
		type: 'string',
		required: true,
		description: 'Vonage API Dashboard → API Settings (top of the page): the API key, 8 characters.',
	},
	{
		name: 'apiSecret',
		displayName: 'API Secret',
		type: 'password',
		required: true,
		description: 'Vonage API Dashboard → API Settings → Account credentials: the API secret shown next to the API key.',
	},
	{
		name: 'from',
		displayName: 'From (Sender)',
		type: 'string',
		required: true,
		placeholder: '447700900000',
		description:
			'The number messages come from, in international format (with or without +), or an alphanumeric sender id for SMS where allowed. For WhatsApp, your WhatsApp Business number linked in the Vonage Dashboard.',
	},
	{
		name: 'signatureSecret',
		displayName: 'Signature Secret',
		type: 'password',
		required: false,
		webhookOnly: true,
		description: 'Vonage API Dashboard → API Settings → Signature secret. Used only to check that delivery reports and inbound webhooks really come from Vonage.',
	},
	{ ...baseUrlField, description: 'Leave empty for the public API. Set for a regional endpoint (e.g. https://api-eu.vonage.com) or a test server.' },
];

/** E.164 number with or without +, or an alphanumeric sender id (≤ 11 characters, at least one letter). */
const SENDER = /^(?:\+?[1-9]\d{3,14}|(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11})$/;

export function parseVonageConfig(value: Record<string, unknown>): VonageConfig {
	const apiKey = requiredText(VONAGE_PROVIDER_NAME, value, 'apiKey', 'Copy the API key from the Vonage API Dashboard → API Settings.');
	if (/[\s:]/.test(apiKey)) throw new InvalidProviderConfigError(VONAGE_PROVIDER_NAME, 'apiKey', 'must not contain spaces or ":"');
	const apiSecret = requiredText(VONAGE_PROVIDER_NAME, value, 'apiSecret', 'Copy the API secret from the Vonage API Dashboard → API Settings.');
	if (/\s/.test(apiSecret)) throw new InvalidProviderConfigError(VONAGE_PROVIDER_NAME, 'apiSecret', 'must not contain spaces', 'Paste the secret exactly as the Dashboard shows it.');
	const from = requiredText(VONAGE_PROVIDER_NAME, value, 'from', 'Set the Vonage number (or sender id) messages come from.');
	if (!SENDER.test(from)) {
		throw new InvalidProviderConfigError(
			VONAGE_PROVIDER_NAME,
			'from',
			'is not a phone number or sender id',
			'Use the number in international format (447700900000) or an alphanumeric sender id of up to 11 characters.',
		);
	}
	const config: VonageConfig = { apiKey, apiSecret, from };
	const signatureSecret = optionalText(VONAGE_PROVIDER_NAME, value, 'signatureSecret');
	if (signatureSecret !== undefined) config.signatureSecret = signatureSecret;
	const baseUrl = optionalBaseUrl(VONAGE_PROVIDER_NAME, value, { bare: true, hint: 'Use a full URL such as https://api-eu.vonage.com, or leave it empty for the public API.' });
	if (baseUrl !== undefined) config.baseUrl = baseUrl;
	return config;
}

/** The Messages API base for a call: the engine's override, else the credential's, else the public host. */
export function messagesBase(config: VonageConfig, contextBaseUrl: string | undefined): string {
	return (contextBaseUrl ?? config.baseUrl ?? VONAGE_API_BASE).replace(/\/+$/, '');
}

/**
 * Where the credential check (GET /account/get-balance) goes. The Account API lives on one global
 * host (rest.nexmo.com), not on the Messages hosts: a Vonage-owned base URL (a Messages region such
 * as api-eu.vonage.com) still checks against rest.nexmo.com. Any other base URL (a test server, a
 * company proxy) is used as given and must serve /account/get-balance as well as /v1/messages.
 */
export function accountBase(config: VonageConfig, contextBaseUrl: string | undefined): string {
	const base = contextBaseUrl ?? config.baseUrl;
	if (!base) return VONAGE_REST_BASE;
	let host: string;
	try {
		host = new URL(base).hostname;
	} catch {
		return VONAGE_REST_BASE;
	}
	return /(^|\.)(vonage\.com|nexmo\.com)$/i.test(host) ? VONAGE_REST_BASE : base.replace(/\/+$/, '');
}

export function vonageSenderKey(config: VonageConfig, channel: Channel): string {
	return `${channel}:${config.from.replace(/^\+/, '')}`;
}

export const VONAGE_ACCOUNT_RULE: RateLimitRule = {
	scope: 'provider',
	perSecond: 30,
	burst: 30,
	description:
		'Vonage account throughput: about 30 API requests/s by default [verify: Vonage documents 30/s for the SMS API; the Messages API limit is per account and can be raised by Vonage support]. Over it Vonage answers 429 (#1000 throttled), which is retried after Retry-After.',
};

export const VONAGE_WHATSAPP_RULE: RateLimitRule = {
	scope: 'sender',
	perSecond: 80,
	burst: 80,
	description: "WhatsApp sender: 80 messages/s per number (Meta's default business throughput), on top of the account limit.",
};

export function vonageRateLimitsFor(_config: VonageConfig, channel: Channel): readonly RateLimitRule[] {
	return channel === 'whatsapp' ? [VONAGE_ACCOUNT_RULE, VONAGE_WHATSAPP_RULE] : [VONAGE_ACCOUNT_RULE];
}
