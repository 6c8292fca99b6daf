/**
 * Channel Send's public contract: what hosts pass in and what comes back. The engine (./index.ts)
 * renders the universal message for each candidate provider, applies rate limits, retries,
 * provider fallback and channel failover (seed 003), and reports every attempt.
 *
 * Contract: provider failures never throw — they come back as a `failed` SendResult with every
 * attempt. Bad options or a bad message throw typed errors (InvalidSendOptionsError,
 * InvalidMessageError, InvalidProviderConfigError, NoRouteError) before anything is sent.
 */
import type { ProviderErrorCategory } from '../errors';
import type { Degradation, PlatformPayload } from '../platforms/types';
import type { RetryPolicy } from '../queue/types';
import type { Channel } from '../schema/message';
import type { AnyProvider, HttpClient, RateLimitRule } from '../providers/types';

/** One configured provider account: which provider, and its credential values (from the host vault). */
export interface ProviderAccount {
	provider: string;
	config: Record<string, unknown>;
	/** Shown in results and logs instead of the provider id when set (e.g. the credential's name). */
	label?: string;
}

export interface ChannelRoute {
	channel: Channel;
	/** Primary first, then fallbacks, in the order they are tried. */
	providers: ProviderAccount[];
	/**
	 * Channel failover (e.g. whatsapp → sms): when every provider of this channel failed, the
	 * message is re-rendered for this channel and sent through its route.
	 */
	failoverChannel?: Channel;
}

export interface RateLimitOptions {
	/** Replace a provider's default rules (providers.md §10), by provider id. */
	overrides?: Record<string, readonly RateLimitRule[]>;
	/** Sends in flight at once across the batch (default 10). */
	concurrency?: number;
	/** Where the buckets live: in this process (default), or shared through PostgreSQL. */
	store?: RateLimitStore;
	/** Turn the documented limits off (a private gateway, a test server). */
	disabled?: boolean;
}

/**
 * Token buckets. `take` consumes one token from `key` under `rule` and answers how long the caller
 * must wait before sending (0 = now). The PostgreSQL store makes the limit hold across processes.
 */
export interface RateLimitStore {
	take(key: string, rule: RateLimitRule, now: Date): Promise<number>;
}

export interface SendOptions {
	routes: ChannelRoute[];
	/** Retries per provider before falling back (default: exponential, 1 s initial, 30 s cap, jitter 0.2, 3 attempts). */
	retry?: Partial<RetryPolicy>;
	rateLimits?: RateLimitOptions;
	/** Validate, render and return what would be sent; nothing leaves the process. */
	dryRun?: boolean;
	/** Per HTTP request (default 30 s). */
	timeoutMs?: number;
	/** Send on this channel instead of the message's own. */
	channel?: Channel;
	/** Use only this provider for the channel (skips the route's order; no fallback). */
	provider?: string;
	/** Provider API base URLs by provider id (regional endpoints; fake servers in tests). */
	baseUrls?: Record<string, string>;
	// Injected for tests and hosts.
	/** The provider definitions routes may name (default: PROVIDERS from core/providers/registry.ts). */
	providers?: readonly AnyProvider[];
	http?: HttpClient;
	now?: () => Date;
	sleep?: (ms: number) => Promise<void>;
	random?: () => number;
}

export interface SendAttempt {
	/** 1-based across the whole send (all providers and channels). */
	number: number;
	/** Provider id (the delivery log's `provider`, which Delivery Webhooks match on). */
	provider: string;
	/** The account's label, when the route named one. */
	account: string | null;
	channel: Channel;
	startedAt: string;
	responseTimeMs: number;
	success: boolean;
	externalId: string | null;
	errorCode: string | null;
	errorMessage: string | null;
	errorCategory: ProviderErrorCategory | null;
	retryable: boolean | null;
	/** Why this attempt went to a provider other than the primary ("primary_failed: …", "channel_failover: …", "outside_window_template"). */
	fallbackReason: string | null;
	cost: { amount: number; currency: string } | null;
}

export interface SendResult {
	/** `queued`/`sent` as the provider reported; `failed` after every route was tried; `dry_run` when nothing was sent. */
	status: 'sent' | 'queued' | 'failed' | 'dry_run';
	channel: Channel;
	provider: string | null;
	/** The account's label, when the route named one. */
	account: string | null;
	externalId: string | null;
	externalIds: string[];
	attempts: SendAttempt[];
	degradations: Degradation[];
	/** The final error when failed. `retryable` tells a queue whether to schedule another try. */
	error: { code: string | null; category: ProviderErrorCategory; message: string; retryable: boolean; retryAfterMs: number | null } | null;
	/** Dry-run: exactly what would be sent, for the first candidate of the route. */
	preview: { provider: string; channel: Channel; to: string; payloads: PlatformPayload[] } | null;
}
