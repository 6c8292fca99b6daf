/**
 * Retry decisions (seed 003): strategy none / linear / exponential, an initial delay, a cap, jitter
 * and a maximum number of attempts. Pure: randomness is injected, so tests and the queue's own
 * injected `random` give reproducible delays.
 *
 * Delays for the n-th failed attempt (n = 1, 2, …), before jitter and the cap:
 *   exponential: initial × 2^(n−1)  → 60, 120, 240, 480 …
 *   linear:      initial × n        → 60, 120, 180, 240 …
 *   none:        no retry
 * Jitter j ∈ [0, 1] draws the delay uniformly from [delay × (1 − j), delay], so retries of many
 * messages that failed together spread out instead of hitting the provider at the same second.
 */
import { InvalidQueueInputError } from '../errors';
import type { RetryPolicy, RetryStrategyName } from './types';

export const RETRY_STRATEGIES: readonly RetryStrategyName[] = ['none', 'linear', 'exponential'];

/** Seed 003's defaults: exponential backoff from 60 s, capped at an hour, three attempts in all. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
	strategy: 'exponential',
	initialDelaySeconds: 60,
	maxDelaySeconds: 3600,
	jitter: 0.2,
	maxAttempts: 3,
};

/** Upper bound on max attempts: a runaway retry loop should stay visible in the log, not endless. */
export const MAX_ATTEMPTS_LIMIT = 100;

/**
 * The policy with defaults filled in, validated. Errors name the field under `prefix`
 * (e.g. `retry.jitter`).
 */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> | undefined, base: Readonly<RetryPolicy> = DEFAULT_RETRY_POLICY, prefix = 'retry'): RetryPolicy {
	const policy: RetryPolicy = { ...base, ...definedOnly(partial ?? {}) };
	const issues: Array<{ field: string; message: string }> = [];
	if (!RETRY_STRATEGIES.includes(policy.strategy)) {
		issues.push({ field: `${prefix}.strategy`, message: `must be one of ${RETRY_STRATEGIES.join(', ')} (got ${JSON.stringify(policy.strategy)})` });
	}
	if (!isFiniteNumber(policy.initialDelaySeconds) || policy.initialDelaySeconds < 0) {
		issues.push({ field: `${prefix}.initialDelaySeconds`, message: 'must be a number of seconds ≥ 0' });
	}
	if (!isFiniteNumber(policy.maxDelaySeconds) || policy.maxDelaySeconds < 0) {
		issues.push({ field: `${prefix}.maxDelaySeconds`, message: 'must be a number of seconds ≥ 0' });
	}
	if (!isFiniteNumber(policy.jitter) || policy.jitter < 0 || policy.jitter > 1) {
		issues.push({ field: `${prefix}.jitter`, message: 'must be between 0 (no jitter) and 1 (full jitter)' });
	}
	if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1 || policy.maxAttempts > MAX_ATTEMPTS_LIMIT) {
		issues.push({ field: `${prefix}.maxAttempts`, message: `must be a whole number from 1 to ${MAX_ATTEMPTS_LIMIT}` });
	}
	if (issues.length) throw new InvalidQueueInputError(issues);
	return policy;
}

/**
 * Seconds to wait after the `attempt`-th failed attempt (1-based), or null when the strategy never
 * retries. Does not look at max attempts (see decideRetry).
 */
export function retryDelaySeconds(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number | null {
	if (policy.strategy === 'none') return null;
	const n = Math.max(1, Math.floor(attempt));
	const raw = policy.strategy === 'linear' ? policy.initialDelaySeconds * n : policy.initialDelaySeconds * 2 ** (n - 1);
	const capped = Math.min(raw, policy.maxDelaySeconds);
	if (policy.jitter <= 0) return capped;
	const r = Math.min(Math.max(random(), 0), 1);
	return capped * (1 - policy.jitter * r);
}

export type RetryDecision =
	| { retry: true; delaySeconds: number }
	| { retry: false; reason: 'permanent' | 'no_retry_strategy' | 'attempts_exhausted' };

/**
 * What to do after a failed attempt: `attemptCount` attempts have been made so far (including this
 * one). Permanent errors and the `none` strategy never retry; otherwise retry while attempts remain.
 */
export function decideRetry(policy: RetryPolicy, attemptCount: number, retryable: boolean, random: () => number = Math.random): RetryDecision {
	if (!retryable) return { retry: false, reason: 'permanent' };
	if (policy.strategy === 'none') return { retry: false, reason: 'no_retry_strategy' };
	if (attemptCount >= policy.maxAttempts) return { retry: false, reason: 'attempts_exhausted' };
	return { retry: true, delaySeconds: retryDelaySeconds(policy, attemptCount, random) ?? 0 };
}

function isFiniteNumber(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value);
}

function definedOnly<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
