/**
 * handleWebhook(request, options): the one call both host shells (the n8n "Delivery Webhook" trigger and
 * the Node-RED endpoint) make for every incoming provider callback. It returns the HTTP answer and the
 * normalized delivery events / inbound messages; the host only writes the answer and emits the items.
 *
 * Order (core/webhooks/types.ts):
 *   1. size limit — a body over `maxBodyBytes` is refused with 413 before anything is parsed;
 *   2. platform — `options.platform` when the endpoint names one; otherwise it is detected from the
 *      request's HEADERS only (the signature header each provider sends, or Meta's GET handshake). The
 *      body is not trusted to choose the scheme it is checked with: a body shaped like Telegram cannot
 *      make a Twilio-signed endpoint skip Twilio's signature. A request with no recognisable signature
 *      header is refused (401) unless verification is switched off, in which case the body decides (as
 *      normalize() detects it);
 *   3. verification on the RAW bytes with that platform's scheme (core/webhooks/verify), unless the
 *      admin switched it off (`verify: false` → the result says `unverified: true`);
 *   4. handshakes — Meta's GET `hub.challenge` (its proof is the verify token, compared in constant time
 *      with `secrets.meta.verifyToken`; a wrong or unconfigured token → 403) and Slack's
 *      `url_verification` (answered only after its signature verified) are answered in `response`;
 *   5. normalize — with the platform fixed to the verified one (for the three Meta products, which
 *      share one header and one secret, the body picks among whatsapp / messenger / instagram only);
 *   6. with a queue: `queue.recordEvents(events)` applies the events (forward-only, de-duplicated,
 *      orphans kept) and `outcomes` holds what happened to each. A store failure answers 503 and emits
 *      nothing, so the provider retries the whole delivery later (duplicates are then recognised).
 *
 * A request that fails verification (401), is too large (413), has a wrong handshake token (403) or a
 * body the verified platform cannot read (400) returns `accepted: false`, no events, no messages, and
 * nothing is written.
 *
 * Answers to accepted deliveries are what each provider expects: Twilio gets empty TwiML
 * (`<Response/>`, text/xml — a no-op for inbound messages, ignored for status callbacks); Slack and
 * Telegram an empty 200 (a Telegram body could be read as a Bot API method call); everyone else a
 * plain-text `OK`.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { SwitchboardError } from '../errors';
import { normalize, type NormalizeResult } from '../normalize';
import type { DeliveryEvent, Message } from '../schema/message';
import type { ScheduleQueue } from '../queue/types';
import type { EventOutcome, WebhookOptions, WebhookRequest, WebhookResult } from './types';
import { verifyWebhook } from './verify';

export type { EventOutcome, WebhookOptions, WebhookRequest, WebhookResult, WebhookSecrets } from './types';

/** Default body limit (1 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Default replay window for timestamped schemes. */
export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;

/** Platforms whose callbacks are signed with Meta's app secret (X-Hub-Signature-256). */
export const META_PLATFORMS: readonly string[] = ['whatsapp', 'messenger', 'instagram'];

/** Platforms the Delivery Webhook verifies (the ones WebhookSecrets has a secret for). */
export const WEBHOOK_PLATFORMS: readonly string[] = ['twilio', 'sendgrid', 'whatsapp', 'messenger', 'instagram', 'slack', 'telegram', 'brevo', 'vonage'];

/**
 * A queue that can apply delivery events. `recordEvents` is the Schedule Queue's Delivery Webhook entry
 * point; it is looked up at run time so hosts can pass any ScheduleQueue.
 */
export type WebhookQueue = ScheduleQueue & { recordEvents?: (events: DeliveryEvent[]) => Promise<EventOutcome[]> };

export interface HandleWebhookOptions extends WebhookOptions {
	/** When given, the events are applied to this Schedule Queue (it must have recordEvents). */
	queue?: ScheduleQueue;
}

const TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

type Response = WebhookResult['response'];

function plain(status: number, body: string): Response {
	return { status, contentType: 'text/plain; charset=utf-8', body };
}

function refused(status: number, reason: string, platform: string | null, unverified: boolean): WebhookResult {
	const text = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 413 ? 'Payload Too Large' : status === 503 ? 'Service Unavailable' : 'Bad Request';
	return { response: plain(status, text), accepted: false, platform, events: [], messages: [], outcomes: [], reason, unverified };
}

/** What a provider expects back for an accepted delivery. */
export function acceptedResponse(platform: string | null): Response {
	if (platform === 'twilio') return { status: 200, contentType: 'text/xml; charset=utf-8', body: TWIML_EMPTY };
	if (platform === 'slack' || platform === 'telegram') return plain(200, '');
	return plain(200, 'OK');
}

function headerValue(headers: WebhookRequest['headers'], name: string): string | undefined {
	let value = headers[name];
	if (value === undefined) {
		for (const key of Object.keys(headers)) {
			if (key.toLowerCase() === name) {
				value = headers[key];
				break;
			}
		}
	}
	if (Array.isArray(value)) value = value[0];
	return typeof value === 'string' ? value : undefined;
}

/** The query of the called URL (absolute or a bare path), raw values decoded as URLSearchParams does. */
export function queryOf(url: string): Record<string, string> {
	const out: Record<string, string> = {};
	let parsed: URL;
	try {
		parsed = new URL(url, 'http://localhost');
	} catch {
		return out;
	}
	for (const [key, value] of parsed.searchParams) if (!(key in out)) out[key] = value;
	return out;
}

function isMetaHandshake(method: string, query: Record<string, string>): boolean {
	return method === 'GET' && (query['hub.mode'] !== undefined || query['hub.challenge'] !== undefined);
}

function bearerClaims(authorization: string): Record<string, unknown> | undefined {
	const parts = authorization.slice(7).trim().split('.');
	if (parts.length !== 3 || !parts[1]) return undefined;
	try {
		const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		return claims !== null && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/**
 * The platform a request claims to come from, read from its headers alone (never the body): each
 * provider's signature/auth header, or Meta's GET handshake. Meta's three products share a header; the
 * answer is then "whatsapp" (same scheme and secret; the body later picks the product).
 * Returns undefined when no header names a platform.
 */
export function detectPlatformFromHeaders(request: Pick<WebhookRequest, 'method' | 'url' | 'headers'>): string | undefined {
	const headers = request.headers;
	if (headerValue(headers, 'x-twilio-email-event-webhook-signature') !== undefined) return 'sendgrid';
	if (headerValue(headers, 'x-twilio-signature') !== undefined) return 'twilio';
	if (headerValue(headers, 'x-hub-signature-256') !== undefined || headerValue(headers, 'x-hub-signature') !== undefined) return 'whatsapp';
	if (headerValue(headers, 'x-slack-signature') !== undefined) return 'slack';
	if (headerValue(headers, 'x-telegram-bot-api-secret-token') !== undefined) return 'telegram';
	const authorization = headerValue(headers, 'authorization')?.trim();
	if (authorization) {
		if (/^basic\s/i.test(authorization)) return 'brevo';
		if (/^bearer\s/i.test(authorization)) {
			const claims = bearerClaims(authorization);
			// Vonage signs with an HS256 JWT (iss "Vonage", payload_hash); Brevo sends an opaque bearer token.
			if (claims && ((typeof claims.iss === 'string' && claims.iss.startsWith('Vonage')) || typeof claims.payload_hash === 'string')) return 'vonage';
			return 'brevo';
		}
	}
	if (isMetaHandshake((request.method || 'POST').toUpperCase(), queryOf(request.url))) return 'whatsapp';
	return undefined;
}

function tokenEqual(presented: string, expected: string): boolean {
	const a = createHash('sha256').update(presented, 'utf8').digest();
	const b = createHash('sha256').update(expected, 'utf8').digest();
	return timingSafeEqual(a, b);
}

function describeError(error: unknown): string {
	if (error instanceof Error) return error.message || error.name;
	return String(error);
}

/**
 * Meta's subscription handshake (GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…): echo the
 * challenge when the token matches the configured one. With verification on, an endpoint without a
 * configured verify token refuses it (403); with verification off the token is still compared when one
 * is configured (it is the handshake's only purpose) and the challenge is echoed otherwise.
 */
function answerMetaHandshake(platform: string, query: Record<string, string>, options: HandleWebhookOptions, verify: boolean): WebhookResult {
	const challenge = query['hub.challenge'];
	if (query['hub.mode'] !== 'subscribe' || typeof challenge !== 'string' || challenge === '') {
		return refused(400, 'Meta verification request without hub.mode=subscribe and a hub.challenge', platform, !verify);
	}
	const expected = options.secrets?.meta?.verifyToken;
	const presented = query['hub.verify_token'] ?? '';
	if (typeof expected === 'string' && expected !== '') {
		if (!tokenEqual(presented, expected)) return refused(403, 'Meta verification request: hub.verify_token does not match the configured verify token', platform, !verify);
	} else if (verify) {
		return refused(403, 'Meta verification request, but no verify token is configured for this endpoint', platform, false);
	}
	return {
		response: plain(200, challenge),
		accepted: true,
		platform,
		events: [],
		messages: [],
		outcomes: [],
		reason: null,
		unverified: !verify,
	};
}

export async function handleWebhook(request: WebhookRequest, options: HandleWebhookOptions): Promise<WebhookResult> {
	const verify = options.verify !== false;
	const unverified = !verify;
	const now = options.now ?? (() => new Date());
	const method = (request.method || 'POST').toUpperCase();
	const raw: Buffer = Buffer.isBuffer(request.rawBody) ? request.rawBody : Buffer.from(request.rawBody ?? '');
	const explicit = options.platform && options.platform !== 'auto' ? options.platform : undefined;

	// 1. Size limit, before anything is read.
	const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
	if (raw.length > limit) return refused(413, `the body is ${raw.length} bytes, over the ${limit}-byte limit`, explicit ?? null, unverified);

	// 2. Which scheme: the endpoint's platform, else the headers' (never the body's).
	const query = queryOf(request.url);
	const headerPlatform = detectPlatformFromHeaders({ method, url: request.url, headers: request.headers });
	const platform = explicit ?? headerPlatform;

	// Meta's GET handshake carries no signature: its proof is the verify token.
	if (isMetaHandshake(method, query) && (platform === undefined || META_PLATFORMS.includes(platform))) {
		return answerMetaHandshake(platform ?? 'whatsapp', query, options, verify);
	}

	// 3. Verification on the raw bytes.
	if (verify) {
		if (!platform) {
			return refused(401, 'no signature or auth header of a supported provider (X-Twilio-Signature, X-Hub-Signature-256, X-Slack-Signature, X-Telegram-Bot-Api-Secret-Token, X-Twilio-Email-Event-Webhook-Signature, Authorization); set the platform of this endpoint if the provider sends none', null, false);
		}
		const verdict = await verifyWebhook(platform, { ...request, method, rawBody: raw }, options.secrets ?? {}, {
			now: now(),
			replayWindowSeconds: options.replayWindowSeconds ?? DEFAULT_REPLAY_WINDOW_SECONDS,
		});
		if (!verdict.ok) return refused(verdict.status, verdict.reason, platform, false);
	}

	// 4–5. Normalize with the verified platform (Meta: the body picks the product among the three).
	const forced = platform && !META_PLATFORMS.includes(platform) ? platform : explicit;
	let normalized: NormalizeResult;
	try {
		normalized = normalize(
			{ body: raw.length > 0 ? raw : undefined, headers: request.headers, query, method, ...(forced ? { platform: forced } : {}) },
			{ keepRaw: options.keepRaw ?? true, now },
		);
	} catch (error) {
		const reason = error instanceof SwitchboardError ? error.message : `the request could not be read: ${describeError(error)}`;
		return refused(400, reason, platform ?? null, unverified);
	}
	if (platform && META_PLATFORMS.includes(platform) && !META_PLATFORMS.includes(normalized.platform)) {
		return refused(400, `the request was signed with Meta's scheme but its body is a ${normalized.platform} payload`, platform, unverified);
	}
	const resolved = normalized.platform;

	if (normalized.handshake) {
		if (normalized.handshake.kind === 'meta_subscribe') {
			return answerMetaHandshake(resolved, query, options, verify);
		}
		return {
			response: { ...normalized.handshake.response },
			accepted: true,
			platform: resolved,
			events: [],
			messages: [],
			outcomes: [],
			reason: null,
			unverified,
		};
	}

	const events: DeliveryEvent[] = normalized.events;
	const messages: Message[] = normalized.messages;

	// 6. Apply the events to the store.
	let outcomes: EventOutcome[] = [];
	if (options.queue && events.length > 0) {
		const queue = options.queue as WebhookQueue;
		if (typeof queue.recordEvents !== 'function') {
			return refused(503, 'the Schedule Queue given to the webhook cannot record delivery events (no recordEvents)', resolved, unverified);
		}
		try {
			outcomes = await queue.recordEvents(events);
		} catch (error) {
			return refused(503, `the Schedule Queue could not record the events: ${describeError(error)}`, resolved, unverified);
		}
	}

	return { response: acceptedResponse(resolved), accepted: true, platform: resolved, events, messages, outcomes, reason: null, unverified };
}
