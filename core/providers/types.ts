/**
 * The one interface every sending provider implements. A provider lives in its own folder under
 * core/providers/<id>/ and is registered once in ./registry.ts. Like platform adapters, providers
 * are host-free: HTTP and the clock come in through ProviderContext, so every provider runs against
 * local fake servers in tests (providers with an official SDK point the SDK at `context.baseUrl`).
 *
 * A provider does not render: the send engine (core/send) renders the universal message for the
 * provider's `platform` with `render()` and hands the payloads over. The provider sends them in
 * order, and turns every failure into a classified ProviderError (core/errors.ts), keeping the
 * provider's own code.
 */
import type { Channel, Message } from '../schema/message';
import type { PlatformPayload, RenderOptions } from '../platforms/types';

/** What the injected HTTP client is asked to do. Bodies are already serialised. */
export interface HttpRequest {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	url: string;
	headers: Record<string, string>;
	body?: string;
	/** Abort the request (and fail with a transient ProviderError) after this long. */
	timeoutMs: number;
}

export interface HttpResponse {
	status: number;
	/** Header names in lower case. */
	headers: Record<string, string>;
	body: string;
}

/**
 * Resolves with any HTTP status (4xx/5xx included); rejects only when no response arrived
 * (connection refused/reset, timeout) — with an Error whose `code` says which (ECONNRESET,
 * ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT, TIMEOUT…). Default: ./shared/http.ts (undici).
 */
export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

export interface ProviderContext {
	http: HttpClient;
	now: () => Date;
	/** Per request. */
	timeoutMs: number;
	/**
	 * The provider API's base URL instead of the public one (tests: a fake on 127.0.0.1; also
	 * regional endpoints). Providers with SDKs point the SDK here (providers.md §11).
	 */
	baseUrl?: string;
}

/** One credential field, described once for both hosts (n8n credential properties, Node-RED config nodes). */
export interface CredentialField {
	name: string;
	displayName: string;
	type: 'string' | 'password' | 'number' | 'boolean' | 'options';
	required: boolean;
	default?: string | number | boolean;
	/** Analyst-readable: where to find the value in the provider's console. */
	description: string;
	placeholder?: string;
	options?: ReadonlyArray<{ name: string; value: string; description?: string }>;
	/** Used only to verify incoming webhooks (Delivery Webhook), not to send. */
	webhookOnly?: boolean;
}

/** A documented send limit (providers.md §10), applied by the engine's token buckets. */
export interface RateLimitRule {
	/** What one bucket covers: the whole credential, one sender (number/bot/account), or one recipient/chat. */
	scope: 'provider' | 'sender' | 'recipient';
	/** Sustained rate. */
	perSecond: number;
	/** How many may go at once after a quiet period. */
	burst: number;
	/** Where the number comes from, shown in the node's help. */
	description: string;
}

export interface SendInput<Config> {
	/** Valid universal message (already checked against the schema). */
	message: Message;
	/** render(message, provider.platform, provider.renderOptions(config)) — sent in order. */
	payloads: PlatformPayload[];
	config: Config;
	/** The resolved recipient (address, number, chat id, channel id). */
	to: string;
}

export interface ProviderSuccess {
	/** The provider's id for the (first) message sent; Delivery Webhooks match callbacks on it. */
	externalId: string;
	/** Every id when several payloads were sent (text then image…), in order. */
	externalIds: string[];
	/** `queued` when the provider only accepted it (Twilio, SendGrid, Vonage: receipts follow); `sent` when the API call is the final word (Telegram, Slack, Teams, Google Chat). */
	status: 'queued' | 'sent';
	/** When the provider reports a price in its response. */
	cost?: { amount: number; currency: string };
}

export interface ProviderDefinition<Config = Record<string, unknown>> {
	/** Stable id, used in routes, credentials and the log's `provider` column (e.g. "twilio"). */
	readonly id: string;
	/** Name shown to people (e.g. "Twilio"). */
	readonly name: string;
	/** Universal channels this provider can carry. */
	readonly channels: readonly Channel[];
	/** The render platform whose payloads `send` expects (core/platforms/<id>). */
	readonly platform: string;
	/** Documentation link for the credential. */
	readonly documentationUrl: string;
	readonly credentialFields: readonly CredentialField[];
	/** Default limits; the node can override them. */
	readonly rateLimits: readonly RateLimitRule[];
	/**
	 * Limits that depend on the account (Twilio: a short code allows 100/s, a long code 1/s). When
	 * present the engine uses it instead of `rateLimits`.
	 */
	rateLimitsFor?(config: Config, channel: Channel): readonly RateLimitRule[];
	/**
	 * Checks and normalises raw credential values (strings from a host vault). Throws
	 * InvalidProviderConfigError naming the field; never echoes a secret.
	 */
	parseConfig(value: Record<string, unknown>): Config;
	/** Render options for this config (sender in the body, variant such as teams "graph"). */
	renderOptions(config: Config, channel: Channel): RenderOptions;
	/** Identifies the sender for per-sender rate limits (the From number, bot id, webhook URL…). */
	senderKey(config: Config, channel: Channel): string;
	/** Sends; throws ProviderError (classified) on any failure. */
	send(input: SendInput<Config>, context: ProviderContext): Promise<ProviderSuccess>;
	/**
	 * A read-only call that proves the credentials work (Node-RED's "test" button, the library).
	 * n8n's credential `test` request makes the same call declaratively.
	 */
	verifyCredentials(config: Config, context: ProviderContext): Promise<{ account?: string }>;
}

/** Registry entries are stored with their config type erased. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProvider = ProviderDefinition<any>;
