/**
 * Delivery Webhook contract (issue 5): what hosts hand the core for one incoming webhook request, and
 * what they get back. Host shells (the n8n trigger, the Node-RED endpoint) read the raw request, call
 * `handleWebhook` once, answer with `response`, and emit `events` / `messages`.
 *
 * Order inside handleWebhook: size limit → signature / auth verification on the RAW bytes (unless
 * explicitly switched off) → handshake answer (Meta GET hub.challenge, Slack url_verification) →
 * normalize → (with a queue) apply the events to the store: forward-only, de-duplicated, orphans kept.
 * A request that fails verification emits and writes nothing.
 */
import type { DeliveryEvent, Message } from '../schema/message';

/**
 * Webhook secrets by platform — the `webhookOnly` credential fields of the providers (plus the
 * tokens that also send, where the provider signs with them: Twilio's auth token).
 */
export interface WebhookSecrets {
	twilio?: { authToken: string };
	sendgrid?: { verificationKey: string };
	/** WhatsApp Cloud, Messenger and Instagram share Meta's app secret scheme. */
	meta?: { appSecret: string; verifyToken?: string };
	slack?: { signingSecret: string };
	telegram?: { secretToken: string };
	/** Brevo signs nothing: the webhook URL is protected by Basic credentials or a bearer token. */
	brevo?: { username?: string; password?: string; token?: string };
	vonage?: { signatureSecret: string };
}

export interface WebhookRequest {
	method: string;
	/**
	 * The URL the provider called, as the provider saw it: scheme, host, port, path and query
	 * (Twilio signs it exactly; behind a proxy, hosts rebuild it from the configured public URL).
	 */
	url: string;
	/** Header names in lower case. */
	headers: Record<string, string | string[] | undefined>;
	/** The body exactly as received: signatures are over these bytes. */
	rawBody: Buffer;
}

export interface WebhookOptions {
	/** The platform this endpoint is for; omitted = detect from the request (verification then uses the detected platform's scheme). */
	platform?: string;
	secrets: WebhookSecrets;
	/** false only when the admin switched verification off explicitly (hosts show a warning). Default true. */
	verify?: boolean;
	/** Requests larger than this are refused with 413 before anything is parsed (default 1 MiB). */
	maxBodyBytes?: number;
	/** Replay window for timestamped schemes (Slack, SendGrid, Vonage; default 300 s). */
	replayWindowSeconds?: number;
	now?: () => Date;
	/** Keep the provider's payload as `raw` on events/messages (default true). */
	keepRaw?: boolean;
}

/** What happened to one event in the store. */
export type EventOutcome =
	/** The message's status moved forward (or a log field was filled). */
	| 'applied'
	/** Matched, but not newer than what the message has (a late "sent" after "delivered"). */
	| 'unchanged'
	/** The same provider event was applied before. */
	| 'duplicate'
	/** No message has this provider message id yet: kept in the orphan table, reconciled later. */
	| 'orphaned';

export interface WebhookResult {
	/** What to answer, ready for an HTTP response (401 on bad signatures, 413 too large, 200 otherwise). */
	response: { status: number; contentType: string; body: string };
	/** Verified (or verification switched off) and normalized. */
	accepted: boolean;
	platform: string | null;
	events: DeliveryEvent[];
	/** Inbound messages on the same endpoint: passed on, never dropped. */
	messages: Message[];
	/** Per event, in order, when a queue was given. */
	outcomes: EventOutcome[];
	/** Why the request was refused (accepted false), for the host's status/log — never holds a secret. */
	reason: string | null;
	/** true when verification was switched off for this endpoint (hosts warn). */
	unverified: boolean;
}
