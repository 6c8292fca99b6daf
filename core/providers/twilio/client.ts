/**
 * Sending and verifying through the official `twilio` SDK (providers.md §1.1, §1.8, §11).
 *
 * - One SDK client per call (construction is cheap: products load lazily), over ONE shared
 *   RequestClient per timeout so keep-alive sockets are reused across calls. Each call wraps the
 *   shared RequestClient to keep its own last response: the SDK's RestException drops the headers,
 *   and Retry-After lives there. (The shared client's own `lastResponse` is racy under concurrency.)
 * - `autoRetry: false`: retries belong to the engine's retry policy, which honours Retry-After and
 *   records every attempt. `edge`/`region` are cleared after construction: the SDK would otherwise
 *   take them from the host environment and rewrite the host name, which breaks a custom base URL
 *   (§1.8). Regional endpoints are set through the Base URL instead. Debug logging is forced off.
 * - `client.api.baseUrl` points the `api` domain (Messages, Accounts) at `context.baseUrl` or the
 *   credential's Base URL.
 * - The SDK is loaded on first use (it takes about half a second to load, and the provider registry is
 *   imported by every host node, most of which never send through Twilio).
 * - The render platform's PascalCase form fields become the SDK's camelCase create() params; the SDK
 *   serialises them back to the same form body (arrays as repeated keys: MediaUrl=a&MediaUrl=b).
 */
import type TwilioSdk from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type { MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message';
import { ProviderError } from '../../errors';
import type { PlatformPayload } from '../../platforms/types';
import { networkError, parseRetryAfter } from '../shared/http';
import { redactSecrets, type RedactionRules } from '../shared/redact';
import { afterPartialSend } from '../shared/send';
import type { ProviderContext, ProviderSuccess, SendInput } from '../types';
import { TWILIO_PROVIDER_NAME, type TwilioConfig } from './config';
import { mapTwilioError } from './map-twilio-error';

type CreateParams = MessageListInstanceCreateOptions;
type SdkResponse = { statusCode: number; body: unknown; headers: unknown };

/** Form field (as render writes it) → create() param. Everything render emits must be listed. */
const FIELD_TO_PARAM: Readonly<Record<string, keyof CreateParams>> = {
	To: 'to',
	From: 'from',
	MessagingServiceSid: 'messagingServiceSid',
	Body: 'body',
	MediaUrl: 'mediaUrl',
	ContentSid: 'contentSid',
	ContentVariables: 'contentVariables',
	PersistentAction: 'persistentAction',
	StatusCallback: 'statusCallback',
	ValidityPeriod: 'validityPeriod',
	ShortenUrls: 'shortenUrls',
};
const ARRAY_PARAMS = new Set(['mediaUrl', 'persistentAction']);

/** Render's form body → `client.messages.create` params. An unknown field is a bug in render, not silently dropped. */
export function toCreateParams(payload: PlatformPayload): CreateParams {
	const params: Record<string, unknown> = {};
	for (const [field, value] of Object.entries(payload.body)) {
		if (value === undefined || value === null) continue;
		const param = FIELD_TO_PARAM[field];
		if (!param) {
			throw new ProviderError({
				provider: TWILIO_PROVIDER_NAME,
				category: 'content',
				retryable: false,
				message: `the rendered message has a field "${field}" the Twilio SDK cannot send`,
				hint: 'This is a Switchboard bug: report it with the message that caused it.',
			});
		}
		params[param] = ARRAY_PARAMS.has(param) ? (Array.isArray(value) ? value.map(String) : [String(value)]) : value;
	}
	if (typeof params.to !== 'string') {
		throw new ProviderError({ provider: TWILIO_PROVIDER_NAME, category: 'recipient', retryable: false, message: 'the rendered message has no To address' });
	}
	return params as unknown as CreateParams;
}

type TwilioModule = typeof TwilioSdk;
let loaded: TwilioModule | undefined;

async function loadTwilio(): Promise<TwilioModule> {
	if (!loaded) {
		const mod = (await import('twilio')) as unknown as TwilioModule & { default?: TwilioModule };
		loaded = mod.default ?? mod;
	}
	return loaded;
}

const sharedClients = new Map<number, RequestClient>();

function sharedRequestClient(twilio: TwilioModule, timeoutMs: number): RequestClient {
	let client = sharedClients.get(timeoutMs);
	if (!client) {
		client = new twilio.RequestClient({ timeout: timeoutMs, autoRetry: false, keepAlive: true });
		if (sharedClients.size > 16) sharedClients.clear();
		sharedClients.set(timeoutMs, client);
	}
	return client;
}

interface CallClient {
	sdk: TwilioSdk.Twilio;
	/** The last HTTP response this call received (for Retry-After on errors). */
	last(): SdkResponse | undefined;
	secrets: string[];
}

async function callClient(config: TwilioConfig, context: ProviderContext): Promise<CallClient> {
	const twilio = await loadTwilio();
	const shared = sharedRequestClient(twilio, context.timeoutMs);
	let last: SdkResponse | undefined;
	// Inherit everything from the shared RequestClient; only `request` is per call.
	const httpClient = Object.create(shared) as RequestClient;
	httpClient.request = (async (opts: Parameters<RequestClient['request']>[0]) => {
		last = undefined;
		const response = await shared.request(opts);
		last = response as SdkResponse;
		return response;
	}) as RequestClient['request'];
	const sdk = twilio(config.accountSid, config.authToken, {
		timeout: context.timeoutMs,
		autoRetry: false,
		httpClient,
		env: {},
		logLevel: 'info',
	});
	sdk.edge = undefined;
	sdk.region = undefined;
	const base = context.baseUrl ?? config.baseUrl;
	if (base) sdk.api.baseUrl = base.replace(/\/+$/, '');
	const basic = Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64');
	return { sdk, last: () => last, secrets: [config.authToken, basic] };
}

/** The auth token and the Basic credential, also URL-encoded (the SDK quotes request URLs and form bodies). */
const TWILIO_REDACTION: RedactionRules = { mask: '[redacted]', minLength: 4, urlEncoded: true };

function redact(text: string, secrets: readonly string[]): string {
	return redactSecrets(text, secrets, TWILIO_REDACTION);
}

function header(headers: unknown, name: string): string | undefined {
	if (!headers || typeof headers !== 'object') return undefined;
	const getter = (headers as { get?: unknown }).get;
	if (typeof getter === 'function') {
		const value: unknown = getter.call(headers, name);
		if (value !== undefined && value !== null && value !== false) return String(value);
	}
	for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
		if (key.toLowerCase() === name && value !== undefined && value !== null) return Array.isArray(value) ? value.join(', ') : String(value);
	}
	return undefined;
}

/** Any failure of an SDK call → a classified ProviderError; messages are redacted. */
export function toTwilioError(error: unknown, response: SdkResponse | undefined, secrets: readonly string[], now: Date): ProviderError {
	if (error instanceof ProviderError) return error;
	if (loaded && error instanceof loaded.RestException) {
		const retryAfter = header(response?.headers, 'retry-after');
		return mapTwilioError({
			httpStatus: error.status,
			code: error.code ?? null,
			message: redact(String(error.message ?? ''), secrets),
			retryAfterMs: parseRetryAfter(retryAfter, now),
		});
	}
	const e = error as { code?: unknown; message?: unknown; isAxiosError?: unknown; name?: unknown };
	// A 2xx whose body is not JSON: the SDK's JSON.parse throws. The message may have gone out.
	if (response && response.statusCode >= 200 && response.statusCode < 300) {
		return new ProviderError({
			provider: TWILIO_PROVIDER_NAME,
			category: 'unknown',
			retryable: false,
			message: `answered HTTP ${response.statusCode} with a body that could not be read`,
			httpStatus: response.statusCode,
			providerCode: response.statusCode,
			hint: 'Twilio may have accepted the message; check the Twilio Console message log before sending again.',
		});
	}
	if (e?.isAxiosError === true || typeof e?.code === 'string') {
		const code = typeof e.code === 'string' ? e.code : undefined;
		const message = typeof e.message === 'string' ? e.message : '';
		const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(message);
		return networkError(TWILIO_PROVIDER_NAME, timedOut ? { name: 'TimeoutError', code: 'TIMEOUT' } : { code: code ?? 'NETWORK_ERROR' });
	}
	return new ProviderError({
		provider: TWILIO_PROVIDER_NAME,
		category: 'unknown',
		retryable: false,
		message: redact(error instanceof Error ? error.message : String(error), secrets),
	});
}

function unreadable(what: string): ProviderError {
	return new ProviderError({
		provider: TWILIO_PROVIDER_NAME,
		category: 'unknown',
		retryable: false,
		message: what,
		hint: 'Twilio may have accepted the message; check the Twilio Console message log before sending again.',
	});
}

/** Twilio prices outbound messages as negative amounts ("-0.00750"); cost is the absolute value. */
function priceOf(price: unknown, unit: unknown): { amount: number; currency: string } | undefined {
	if (price === null || price === undefined || price === '') return undefined;
	const amount = Math.abs(Number(price));
	if (!Number.isFinite(amount) || typeof unit !== 'string' || unit === '') return undefined;
	return { amount, currency: unit.toUpperCase() };
}

export async function sendTwilio(input: SendInput<TwilioConfig>, context: ProviderContext): Promise<ProviderSuccess> {
	const client = await callClient(input.config, context);
	const ids: string[] = [];
	let cost: { amount: number; currency: string } | undefined;
	let costKnown = true;
	for (const payload of input.payloads) {
		const params = toCreateParams(payload);
		let message: { sid?: unknown; price?: unknown; priceUnit?: unknown } | undefined;
		try {
			message = await client.sdk.messages.create(params);
		} catch (error) {
			throw afterPartialSend(toTwilioError(error, client.last(), client.secrets, context.now()), ids, input.payloads.length);
		}
		if (!message || typeof message.sid !== 'string' || message.sid === '') throw unreadable('answered without a message SID');
		ids.push(message.sid);
		const price = priceOf(message.price, message.priceUnit);
		if (!price) costKnown = false;
		else if (!cost) cost = price;
		else if (cost.currency === price.currency) cost = { amount: cost.amount + price.amount, currency: cost.currency };
		else costKnown = false;
	}
	const first = ids[0];
	if (first === undefined) throw unreadable('nothing to send (no payloads)');
	// Cost only when every part reported one in the same currency; a partial sum would mislead.
	return { externalId: first, externalIds: ids, status: 'queued', ...(cost && costKnown ? { cost } : {}) };
}

/** GET /2010-04-01/Accounts/{sid}.json: proves the SID/token pair; a suspended or closed account is a config error. */
export async function verifyTwilio(config: TwilioConfig, context: ProviderContext): Promise<{ account?: string }> {
	const client = await callClient(config, context);
	let account: { sid?: unknown; friendlyName?: unknown; status?: unknown };
	try {
		account = await client.sdk.api.v2010.accounts(config.accountSid).fetch();
	} catch (error) {
		throw toTwilioError(error, client.last(), client.secrets, context.now());
	}
	if (account.status === 'suspended' || account.status === 'closed') {
		throw new ProviderError({
			provider: TWILIO_PROVIDER_NAME,
			category: 'config',
			retryable: false,
			message: `the account is ${account.status}`,
			hint: 'The credentials work but this Twilio account cannot send. Reactivate it in the Twilio Console.',
		});
	}
	const name = typeof account.friendlyName === 'string' && account.friendlyName ? account.friendlyName : config.accountSid;
	return { account: name };
}
