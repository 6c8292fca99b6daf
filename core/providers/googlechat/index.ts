/**
 * Google Chat with the injected HTTP client (providers.md §7; no googleapis in the package list).
 *
 * - mode "webhook" (default): the rendered body (variant webhook) is POSTed to the space's incoming
 *   webhook URL, with render's thread query (threadKey, messageReplyOption) added to the URL's own.
 *   The URL carries the key and token — it IS the secret — so it is never put in a message: errors
 *   name the space at most. When a Base URL is set, the URL's path and query go to that origin instead
 *   (a regional endpoint, a test server).
 * - mode "api": Chat API v1 `spaces.messages.create` (`POST {base}/v1/spaces/…/messages`, base
 *   https://chat.googleapis.com) and reactions (`POST {base}/v1/spaces/…/messages/…/reactions`), with
 *   an access token from the service account JSON key (./auth.ts: JWT bearer grant, RS256).
 *
 * Errors are Google JSON errors `{error: {code, status, message}}` → ./map-googlechat-error.ts.
 *
 * Ids: the external id is the created message's resource name (`spaces/AAA/messages/BBB.CCC`), which
 * is what normalize gives inbound messages and what replies/reactions target. A reaction creates no
 * message: it adds no id, and a send that was only reactions reports the reacted-to message's name.
 * Status is always `sent`: Google Chat has no delivery or read receipts.
 */
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod/v4';
import { InvalidProviderConfigError, ProviderError } from '../../errors';
import type { Channel } from '../../schema/message';
import { CHAT_TEXT, optionalBaseUrl, optionalText, resolveBase } from '../shared/config';
import { callProvider, isRetryableCategory, joinUrl, parseJsonBody, parseRetryAfter } from '../shared/http';
import { redactSecrets, type RedactionRules } from '../shared/redact';
import { chatResult } from '../shared/send';
import type { HttpResponse, ProviderContext, ProviderDefinition, ProviderSuccess } from '../types';
import { accessToken, forgetToken, GOOGLE_TOKEN_URI, type ServiceAccount } from './auth';
import { googleChatErrorHint, mapGoogleChatError } from './map-googlechat-error';

const PROVIDER = 'Google Chat';
export const GOOGLE_CHAT_API_BASE = 'https://chat.googleapis.com';

export type GoogleChatConfig =
	| { mode: 'webhook'; webhookUrl: string; /** `spaces/<id>` from the URL (not secret). */ space: string; baseUrl?: string }
	| { mode: 'api'; serviceAccount: ServiceAccount; baseUrl?: string };

const googleErrorSchema = z.looseObject({
	error: z.looseObject({
		code: z.number().optional(),
		status: z.string().optional(),
		message: z.string().optional(),
		details: z.array(z.unknown()).optional(),
	}),
});
const messageSchema = z.looseObject({ name: z.string().regex(/^spaces\/[^/]+\/messages\/[^/]+$/) });
const reactionSchema = z.looseObject({ name: z.string().min(1) });

const serviceAccountSchema = z.looseObject({
	type: z.string().optional(),
	client_email: z.string().min(1),
	private_key: z.string().min(1),
	private_key_id: z.string().optional(),
	token_uri: z.string().optional(),
	project_id: z.string().optional(),
});


function isLoopback(url: URL): boolean {
	return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

/** https, or http on the loopback interface only (test servers). */
function secureUrl(url: URL): boolean {
	return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url));
}

/** Removes the webhook key/token (as query parameters or values), access tokens and PEM keys from any text. */
export function redactGoogleChat(message: string, secrets: readonly string[] = []): string {
	return redactSecrets(message, secrets, GOOGLE_CHAT_REDACTION);
}

const GOOGLE_CHAT_REDACTION: RedactionRules = {
	mask: '<redacted>',
	minLength: 4,
	patterns: [
		[/([?&](?:key|token|access_token)=)[^&\s"'#]*/gi, '$1<redacted>'],
		[/ya29\.[A-Za-z0-9._-]+/g, '<redacted>'],
		[/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '<redacted key>'],
	],
};

function parseWebhookUrl(value: Record<string, unknown>): { webhookUrl: string; space: string } {
	const raw = optionalText(PROVIDER, value, 'webhookUrl', CHAT_TEXT);
	const field = 'webhookUrl';
	if (raw === undefined) throw new InvalidProviderConfigError(PROVIDER, field, 'is required in webhook mode', 'In the space: Apps & integrations → Webhooks → copy the URL.');
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new InvalidProviderConfigError(PROVIDER, field, 'is not a URL', 'Paste the whole webhook URL (https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…).');
	}
	if (!secureUrl(url)) throw new InvalidProviderConfigError(PROVIDER, field, 'must be an https:// URL');
	const path = /^\/v1\/(spaces\/[^/]+)\/messages$/.exec(url.pathname);
	if (!path) throw new InvalidProviderConfigError(PROVIDER, field, 'is not a Google Chat webhook URL (…/v1/spaces/<space>/messages)', 'Copy the webhook URL again from the space.');
	if (!url.searchParams.get('key') || !url.searchParams.get('token')) {
		throw new InvalidProviderConfigError(PROVIDER, field, 'lacks its key or token parameter', 'Copy the whole webhook URL, including ?key=…&token=….');
	}
	return { webhookUrl: raw, space: path[1]! };
}

function parseServiceAccount(value: unknown): ServiceAccount {
	const field = 'serviceAccountJson';
	// The host may hand over the JSON key already parsed.
	const raw = typeof value === 'object' && value !== null ? value : optionalText(PROVIDER, { [field]: value }, field, CHAT_TEXT);
	if (raw === undefined) throw new InvalidProviderConfigError(PROVIDER, field, 'is required in api mode', 'Paste the JSON key of the Chat app\'s service account (IAM → Service accounts → Keys → Add key → JSON).');
	let json: unknown = raw;
	if (typeof raw === 'string') {
		try {
			json = JSON.parse(raw);
		} catch {
			// JSON.parse's message quotes the input (the private key): never passed on.
			throw new InvalidProviderConfigError(PROVIDER, field, 'is not valid JSON', 'Paste the whole downloaded .json key file, unchanged.');
		}
	}
	const parsed = serviceAccountSchema.safeParse(json);
	if (!parsed.success) throw new InvalidProviderConfigError(PROVIDER, field, 'lacks client_email or private_key', 'Use a service account key (type "service_account"), not an OAuth client or user credential.');
	const sa = parsed.data;
	if (sa.type !== undefined && sa.type !== 'service_account') {
		throw new InvalidProviderConfigError(PROVIDER, field, `is a "${sa.type.slice(0, 40)}" key, not a service account key`, 'Create a JSON key for the service account of the Chat app.');
	}
	try {
		const key = createPrivateKey(sa.private_key);
		if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
	} catch {
		throw new InvalidProviderConfigError(PROVIDER, field, 'has a private_key that is not a PEM RSA private key', 'Paste the JSON key file unchanged (the key keeps its \\n line breaks).');
	}
	const tokenUri = sa.token_uri?.trim() || GOOGLE_TOKEN_URI;
	let tokenUrl: URL;
	try {
		tokenUrl = new URL(tokenUri);
	} catch {
		throw new InvalidProviderConfigError(PROVIDER, field, 'has a token_uri that is not a URL');
	}
	if (!secureUrl(tokenUrl)) throw new InvalidProviderConfigError(PROVIDER, field, 'has a token_uri that is not https://');
	const account: ServiceAccount = { clientEmail: sa.client_email.trim(), privateKey: sa.private_key, tokenUri };
	if (sa.private_key_id) account.privateKeyId = sa.private_key_id;
	if (sa.project_id) account.projectId = sa.project_id;
	return account;
}

function secretsOf(config: GoogleChatConfig): string[] {
	if (config.mode === 'api') return [config.serviceAccount.privateKey];
	const url = new URL(config.webhookUrl);
	const values = [url.searchParams.get('key') ?? '', url.searchParams.get('token') ?? ''];
	return [config.webhookUrl, ...values, ...values.map((v) => encodeURIComponent(v))];
}

function googleError(response: HttpResponse, config: GoogleChatConfig, context: ProviderContext): ProviderError {
	const parsed = googleErrorSchema.safeParse(parseJsonBody(response.body));
	const error = parsed.success ? parsed.data.error : undefined;
	const reasons = (error?.details ?? []).flatMap((d) => (d && typeof d === 'object' && typeof (d as { reason?: unknown }).reason === 'string' ? [(d as { reason: string }).reason] : []));
	const category = mapGoogleChatError(error?.status, response.status, reasons);
	const detail = error?.message ? redactGoogleChat(error.message.slice(0, 500), secretsOf(config)) : `HTTP ${response.status}`;
	return new ProviderError({
		provider: PROVIDER,
		category,
		retryable: isRetryableCategory(category),
		message: `${error?.status ?? `HTTP ${response.status}`}: ${detail}`,
		providerCode: error?.status ?? response.status,
		httpStatus: response.status,
		retryAfterMs: parseRetryAfter(response.headers['retry-after'], context.now()),
		hint: googleChatErrorHint(category, config.mode),
	});
}

/** Where a webhook payload goes: the webhook URL (origin swapped for a Base URL) plus render's query. */
function webhookTarget(config: Extract<GoogleChatConfig, { mode: 'webhook' }>, endpoint: string, context: ProviderContext): string {
	const url = new URL(config.webhookUrl);
	const extra = new URLSearchParams(endpoint.includes('?') ? endpoint.slice(endpoint.indexOf('?') + 1) : '');
	for (const [name, value] of extra) url.searchParams.set(name, value);
	const base = context.baseUrl ?? config.baseUrl;
	return base ? joinUrl(base, `${url.pathname}${url.search}`) : url.toString();
}

function wrongVariant(endpoint: string, mode: string): ProviderError {
	return new ProviderError({
		provider: PROVIDER,
		category: 'config',
		retryable: false,
		message: `a "${endpoint.split('?')[0]}" payload cannot be sent in ${mode} mode`,
		hint: 'Render for Google Chat with the variant that matches the credential\'s mode (webhook or api).',
	});
}

async function post(url: string, body: Record<string, unknown>, config: GoogleChatConfig, context: ProviderContext): Promise<unknown> {
	const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8', accept: 'application/json' };
	if (config.mode === 'api') headers.authorization = `Bearer ${await accessToken(config.serviceAccount, context)}`;
	// A failure without a response becomes a transient ProviderError naming only the error code, never the URL.
	const response = await callProvider(PROVIDER, context, { method: 'POST', url, headers, body: JSON.stringify(body) });
	if (response.status < 200 || response.status > 299) {
		if (response.status === 401 && config.mode === 'api') forgetToken(config.serviceAccount);
		throw googleError(response, config, context);
	}
	const json = parseJsonBody(response.body);
	if (json === undefined) {
		throw new ProviderError({
			provider: PROVIDER,
			category: 'unknown',
			retryable: false,
			message: `answered HTTP ${response.status} with a body that is not JSON`,
			httpStatus: response.status,
			hint: 'Something other than Google Chat answered (a proxy?); the message may have been sent.',
		});
	}
	return json;
}

function unreadable(what: string): ProviderError {
	return new ProviderError({
		provider: PROVIDER,
		category: 'unknown',
		retryable: false,
		message: `${what} succeeded but the answer has no resource name`,
		hint: 'The message was probably sent; check the space before sending again.',
	});
}

export const googleChatProvider: ProviderDefinition<GoogleChatConfig> = {
	id: 'googlechat',
	name: 'Google Chat',
	channels: ['googlechat'],
	platform: 'googlechat',
	documentationUrl: 'https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages/create',
	credentialFields: [
		{
			name: 'mode',
			displayName: 'Mode',
			type: 'options',
			required: true,
			default: 'webhook',
			description: 'Webhook: post into one space through its incoming webhook (no app needed; no buttons that answer). API: post as a Chat app with a service account, into any space the app was added to.',
			options: [
				{ name: 'Incoming Webhook', value: 'webhook', description: 'One space, via its webhook URL' },
				{ name: 'Chat API (Service Account)', value: 'api', description: 'Any space the Chat app is a member of' },
			],
		},
		{
			name: 'webhookUrl',
			displayName: 'Webhook URL',
			type: 'password',
			required: false,
			description: 'Webhook mode: in the space, Apps & integrations → Webhooks → copy the URL (https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…). Treat it as a password.',
			placeholder: 'https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…',
		},
		{
			name: 'serviceAccountJson',
			displayName: 'Service Account JSON',
			type: 'password',
			required: false,
			description: 'API mode: the JSON key of the Chat app\'s service account (Google Cloud console → IAM → Service accounts → Keys → Add key → JSON), pasted whole.',
		},
		{
			name: 'baseUrl',
			displayName: 'Base URL',
			type: 'string',
			required: false,
			description: 'Leave empty for the public API. Set for a regional endpoint or a test server.',
		},
	],
	rateLimits: [
		{
			scope: 'recipient',
			perSecond: 1,
			burst: 1,
			description: 'Google Chat: about 1 write per second per space, shared by every app and webhook posting there (the per-project quota is thousands per minute).',
		},
	],

	parseConfig(value) {
		const mode = optionalText(PROVIDER, value, 'mode', CHAT_TEXT) ?? 'webhook';
		const baseUrl = optionalBaseUrl(PROVIDER, value, { text: CHAT_TEXT, hint: 'Leave Base URL empty for the public API (https://chat.googleapis.com), or enter a full URL.' });
		if (mode === 'webhook') {
			return { mode, ...parseWebhookUrl(value), ...(baseUrl !== undefined ? { baseUrl } : {}) };
		}
		if (mode === 'api') {
			return { mode, serviceAccount: parseServiceAccount(value.serviceAccountJson), ...(baseUrl !== undefined ? { baseUrl } : {}) };
		}
		throw new InvalidProviderConfigError(PROVIDER, 'mode', `must be "webhook" or "api", not "${mode.slice(0, 40)}"`);
	},

	renderOptions(config) {
		return { variant: config.mode };
	},

	/** Webhook: its space (not secret); API: the service account. */
	senderKey(config: GoogleChatConfig, _channel: Channel) {
		return config.mode === 'webhook' ? `webhook:${config.space}` : `app:${config.serviceAccount.clientEmail}`;
	},

	async send(input, context): Promise<ProviderSuccess> {
		const { config } = input;
		const ids: string[] = [];
		let reacted: string | undefined;
		for (const payload of input.payloads) {
			const path = payload.endpoint.split('?')[0]!;
			if (config.mode === 'webhook') {
				if (path !== 'webhook') throw wrongVariant(payload.endpoint, 'webhook');
				const created = messageSchema.safeParse(await post(webhookTarget(config, payload.endpoint, context), payload.body, config, context));
				if (!created.success) throw unreadable('the webhook');
				ids.push(created.data.name);
				continue;
			}
			const reaction = /^v1\/(spaces\/[^/]+\/messages\/[^/]+)\/reactions$/.exec(path);
			if (!reaction && !/^v1\/spaces\/[^/]+\/messages$/.test(path)) throw wrongVariant(payload.endpoint, 'api');
			const answer = await post(joinUrl(resolveBase(context, config.baseUrl, GOOGLE_CHAT_API_BASE), payload.endpoint), payload.body, config, context);
			if (reaction) {
				if (!reactionSchema.safeParse(answer).success) throw unreadable('reactions.create');
				reacted ??= reaction[1];
				continue;
			}
			const created = messageSchema.safeParse(answer);
			if (!created.success) throw unreadable('spaces.messages.create');
			ids.push(created.data.name);
		}
		return chatResult(PROVIDER, ids, reacted, 'Chat API call');
	},

	/**
	 * Webhook mode: no read exists that a webhook URL authorises, so this checks the URL's shape only
	 * (parseConfig already did) and reports the space — a wrong key or token shows on the first send.
	 * API mode: the token exchange, which proves the key is valid and not revoked.
	 */
	async verifyCredentials(config, context) {
		if (config.mode === 'webhook') return { account: config.space };
		forgetToken(config.serviceAccount); // a fresh exchange, not a token cached before the key was revoked
		await accessToken(config.serviceAccount, context);
		return { account: config.serviceAccount.clientEmail };
	},
};
