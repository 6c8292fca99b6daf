/**
 * Retry decisions (core/queue/retry.ts), pure: seed 003's worked examples, the cap, jitter with an
 * injected random source, max attempts, and policy validation naming the field.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InvalidQueueInputError } from '../../../core/errors';
import { DEFAULT_RETRY_POLICY, decideRetry, resolveRetryPolicy, retryDelaySeconds } from '../../../core/queue/retry';
import type { RetryPolicy } from '../../../core/queue/types';

const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({ strategy: 'exponential', initialDelaySeconds: 60, maxDelaySeconds: 3600, jitter: 0, maxAttempts: 10, ...overrides });
const delays = (p: RetryPolicy, attempts: number[]): Array<number | null> => attempts.map((n) => retryDelaySeconds(p, n, () => 0));

test('seed 003 exponential backoff: 60, 120, 240, 480 s, capped at the maximum delay', () => {
	assert.deepEqual(delays(policy(), [1, 2, 3, 4]), [60, 120, 240, 480]);
	assert.deepEqual(delays(policy({ maxDelaySeconds: 300 }), [1, 2, 3, 4, 5]), [60, 120, 240, 300, 300]);
	// Seed 003's "SMS with aggressive retry": 30 s initial, 1800 s cap.
	assert.deepEqual(delays(policy({ initialDelaySeconds: 30, maxDelaySeconds: 1800 }), [1, 2, 3, 4, 5, 6, 7]), [30, 60, 120, 240, 480, 960, 1800]);
});

test('seed 003 linear backoff: 60, 120, 180, 240 s', () => {
	assert.deepEqual(delays(policy({ strategy: 'linear' }), [1, 2, 3, 4]), [60, 120, 180, 240]);
	assert.deepEqual(delays(policy({ strategy: 'linear', maxDelaySeconds: 150 }), [1, 2, 3]), [60, 120, 150]);
});

test('strategy none never retries', () => {
	assert.deepEqual(delays(policy({ strategy: 'none' }), [1, 2]), [null, null]);
	assert.deepEqual(decideRetry(policy({ strategy: 'none' }), 1, true), { retry: false, reason: 'no_retry_strategy' });
});

test('jitter draws the delay from [delay × (1 − jitter), delay] with the injected random source', () => {
	const p = policy({ jitter: 0.2 });
	assert.equal(retryDelaySeconds(p, 2, () => 0), 120);
	assert.equal(retryDelaySeconds(p, 2, () => 1), 96);
	assert.equal(retryDelaySeconds(p, 2, () => 0.5), 108);
	fc.assert(
		fc.property(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, jitter, r) => {
			const base = retryDelaySeconds(policy({ jitter: 0 }), attempt)!;
			const d = retryDelaySeconds(policy({ jitter }), attempt, () => r)!;
			return d <= base + 1e-9 && d >= base * (1 - jitter) - 1e-9 && d <= 3600;
		}),
	);
});

test('decideRetry: permanent errors never retry; retryable ones retry while attempts remain', () => {
	const p = policy({ maxAttempts: 3 });
	assert.deepEqual(decideRetry(p, 1, false), { retry: false, reason: 'permanent' });
	assert.deepEqual(decideRetry(p, 1, true, () => 0), { retry: true, delaySeconds: 60 });
	assert.deepEqual(decideRetry(p, 2, true, () => 0), { retry: true, delaySeconds: 120 });
	assert.deepEqual(decideRetry(p, 3, true, () => 0), { retry: false, reason: 'attempts_exhausted' });
});

test('the defaults are seed 003\'s: exponential from 60 s, capped at an hour, 3 attempts', () => {
	assert.deepEqual(resolveRetryPolicy(undefined), DEFAULT_RETRY_POLICY);
	assert.deepEqual(DEFAULT_RETRY_POLICY, { strategy: 'exponential', initialDelaySeconds: 60, maxDelaySeconds: 3600, jitter: 0.2, maxAttempts: 3 });
	assert.deepEqual(resolveRetryPolicy({ strategy: 'linear', jitter: undefined }), { ...DEFAULT_RETRY_POLICY, strategy: 'linear' });
});

test('an invalid policy names every bad field', () => {
	let caught: unknown;
	try {
		resolveRetryPolicy({ strategy: 'fibonacci' as never, initialDelaySeconds: -1, maxDelaySeconds: Number.POSITIVE_INFINITY, jitter: 1.5, maxAttempts: 0 });
	} catch (error) {
		caught = error;
	}
	assert.ok(caught instanceof InvalidQueueInputError);
	assert.deepEqual(
		caught.issues.map((i) => i.field),
		['retry.strategy', 'retry.initialDelaySeconds', 'retry.maxDelaySeconds', 'retry.jitter', 'retry.maxAttempts'],
	);
	assert.throws(() => resolveRetryPolicy({ maxAttempts: 101 }), (e: unknown) => e instanceof InvalidQueueInputError && e.field === 'retry.maxAttempts');
});
