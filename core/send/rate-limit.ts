/**
 * Token buckets for Channel Send (issue 4: per provider, per sender, per recipient).
 *
 * Reservation semantics: `take` always consumes one token and answers how long the caller must wait
 * before its token exists (0 = send now). Tokens may go below zero: each caller reserves the next
 * free slot, so N concurrent callers are spread 1/perSecond apart without polling, and the order of
 * `take` calls is the order of sending. The PostgreSQL store (./pg-rate-limit.ts) computes the same
 * thing in one atomic statement, so the limit holds across processes.
 *
 *   tokens' = min(burst, tokens + elapsedSeconds × perSecond) − 1
 *   wait    = tokens' < 0 ? −tokens' / perSecond seconds : 0
 *
 * The default store is ONE in-memory store per process (`defaultRateLimitStore`): consecutive
 * executions of a workflow/flow in the same process share the buckets, which is what a provider's
 * limit means. Several processes (n8n queue mode, several Node-RED instances) need the PostgreSQL
 * store.
 */
import { createHash } from 'node:crypto';
import type { RateLimitRule } from '../providers/types';
import type { RateLimitStore } from './types';

interface Bucket {
	tokens: number;
	/** ms since epoch of the last refill. */
	updatedAt: number;
	/** The rule last applied (for pruning). */
	perSecond: number;
	burst: number;
}

/** How many buckets the in-memory store holds before it drops the full (idle) ones. */
const PRUNE_THRESHOLD = 10_000;

export class InMemoryRateLimitStore implements RateLimitStore {
	readonly #buckets = new Map<string, Bucket>();

	async take(key: string, rule: RateLimitRule, now: Date): Promise<number> {
		return this.takeSync(key, rule, now);
	}

	/** Synchronous `take` (the in-memory store never waits for I/O). */
	takeSync(key: string, rule: RateLimitRule, now: Date): number {
		const at = now.getTime();
		const burst = Math.max(1, rule.burst);
		const bucket = this.#buckets.get(key) ?? { tokens: burst, updatedAt: at, perSecond: rule.perSecond, burst };
		// A clock that went backwards (an injected clock, NTP) refills nothing rather than draining.
		const elapsed = Math.max(0, at - bucket.updatedAt) / 1000;
		const tokens = Math.min(burst, bucket.tokens + elapsed * rule.perSecond) - 1;
		this.#buckets.set(key, { tokens, updatedAt: Math.max(at, bucket.updatedAt), perSecond: rule.perSecond, burst });
		if (this.#buckets.size > PRUNE_THRESHOLD) this.#prune(at);
		return tokens >= 0 ? 0 : Math.ceil((-tokens / rule.perSecond) * 1000);
	}

	/** Number of buckets held (tests, diagnostics). */
	get size(): number {
		return this.#buckets.size;
	}

	/** Drops buckets that have refilled completely: forgetting them changes nothing. */
	#prune(at: number): void {
		for (const [key, bucket] of this.#buckets) {
			if (bucket.tokens + ((at - bucket.updatedAt) / 1000) * bucket.perSecond >= bucket.burst) this.#buckets.delete(key);
		}
	}
}

/** The process-wide store used when SendOptions.rateLimits.store is not given. */
export const defaultRateLimitStore: RateLimitStore = new InMemoryRateLimitStore();

/**
 * The bucket key for a rule: provider id + scope + a hash of what the scope covers (the credential,
 * the sender, the sender+recipient). Hashed so that neither secrets (a webhook URL is a sender key)
 * nor phone numbers end up in a shared table.
 */
export function rateLimitKey(providerId: string, scope: RateLimitRule['scope'], identity: string): string {
	return `${providerId}:${scope}:${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}`;
}

/** Checks one rule (from overrides): positive finite rate and burst ≥ 1. Returns a problem or null. */
export function ruleProblem(rule: unknown): string | null {
	if (typeof rule !== 'object' || rule === null) return 'must be { scope, perSecond, burst }';
	const r = rule as Partial<RateLimitRule>;
	if (r.scope !== 'provider' && r.scope !== 'sender' && r.scope !== 'recipient') return 'scope must be provider, sender or recipient';
	if (typeof r.perSecond !== 'number' || !Number.isFinite(r.perSecond) || r.perSecond <= 0) return 'perSecond must be a number > 0';
	if (typeof r.burst !== 'number' || !Number.isFinite(r.burst) || r.burst < 1) return 'burst must be a number ≥ 1';
	return null;
}
