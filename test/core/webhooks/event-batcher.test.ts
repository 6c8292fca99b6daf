/**
 * nodes/shared/event-batcher.ts: the store writes of concurrent webhook requests go in as few
 * transactions as possible, each request gets exactly its own outcomes, a failed transaction fails
 * only its own requests, and two stores never share a transaction.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventBatcher, MAX_BATCH_EVENTS } from '../../../nodes/shared/event-batcher';
import type { DeliveryEvent } from '../../../core/schema/message';
import type { EventOutcome } from '../../../core/webhooks/types';

const event = (id: string): DeliveryEvent => ({ providerMessageId: id, status: 'delivered' }) as unknown as DeliveryEvent;

/** A store that records each transaction's events and answers "applied" for a first id, "duplicate" for a repeat. */
function recordingStore(options: { failCall?: number } = {}) {
	const calls: string[][] = [];
	const seen = new Set<string>();
	return {
		calls,
		async recordEvents(events: DeliveryEvent[]): Promise<EventOutcome[]> {
			const ids = events.map((e) => e.providerMessageId!);
			calls.push(ids);
			await new Promise((r) => setTimeout(r, 2));
			if (options.failCall === calls.length) throw new Error(`transaction ${calls.length} failed`);
			return ids.map((id) => (seen.has(id) ? 'duplicate' : (seen.add(id), 'applied')));
		},
	};
}

describe('EventBatcher', () => {
	test('requests arriving together share transactions; each gets its own outcomes in order', async () => {
		const store = recordingStore();
		const batcher = new EventBatcher();
		const requests = Array.from({ length: 40 }, (_, i) => [event(`m${i}a`), event(`m${i}b`), event(i % 2 ? `m${i - 1}a` : `m${i}c`)]);
		const outcomes = await Promise.all(requests.map((events) => batcher.record(store, events, 'store-1')));
		assert.ok(store.calls.length < requests.length / 2, `40 concurrent requests took ${store.calls.length} transactions`);
		assert.equal(store.calls.flat().length, 120, 'every event written once');
		for (const [i, result] of outcomes.entries()) {
			assert.equal(result.length, 3);
			assert.deepEqual(result.slice(0, 2), ['applied', 'applied']);
			// The odd requests repeat the previous request's first event: a duplicate of its first occurrence.
			assert.equal(result[2], i % 2 ? 'duplicate' : 'applied');
		}
	});

	test('the batcher waits for requests still arriving, within its linger bound', async () => {
		const store = recordingStore();
		const batcher = new EventBatcher();
		const leave = batcher.arrive();
		assert.equal(batcher.arriving, 1);
		const first = batcher.record(store, [event('x1')], 's');
		// The second request hands its events over a millisecond later, after the first event-loop turn.
		const second = new Promise<EventOutcome[]>((resolve, reject) =>
			setTimeout(() => {
				leave();
				leave(); // idempotent
				batcher.record(store, [event('x2')], 's').then(resolve, reject);
			}, 1),
		);
		await Promise.all([first, second]);
		assert.equal(batcher.arriving, 0);
		assert.deepEqual(store.calls, [['x1', 'x2']]);
	});

	test('a failed transaction rejects only its requests; the next batch is written', async () => {
		const store = recordingStore({ failCall: 1 });
		const batcher = new EventBatcher();
		const a = batcher.record(store, [event('a')], 's');
		const b = batcher.record(store, [event('b')], 's');
		await assert.rejects(a, /transaction 1 failed/);
		await assert.rejects(b, /transaction 1 failed/);
		assert.deepEqual(await batcher.record(store, [event('a')], 's'), ['applied'], 'the failed events were not written, so they apply now');
	});

	test('requests of different stores never share a transaction', async () => {
		const one = recordingStore();
		const two = recordingStore();
		const batcher = new EventBatcher();
		await Promise.all([batcher.record(one, [event('1a')], 'one'), batcher.record(two, [event('2a')], 'two'), batcher.record(one, [event('1b')], 'one'), batcher.record(two, [event('2b')], 'two')]);
		assert.deepEqual(one.calls.flat().sort(), ['1a', '1b']);
		assert.deepEqual(two.calls.flat().sort(), ['2a', '2b']);
	});

	test('a transaction takes at most MAX_BATCH_EVENTS events, in arrival order', async () => {
		const store = recordingStore();
		const batcher = new EventBatcher();
		const big = Array.from({ length: MAX_BATCH_EVENTS - 1 }, (_, i) => event(`big${i}`));
		await Promise.all([batcher.record(store, big, 's'), batcher.record(store, [event('p'), event('q')], 's'), batcher.record(store, [event('r')], 's')]);
		assert.ok(store.calls.every((c) => c.length <= MAX_BATCH_EVENTS));
		assert.deepEqual(store.calls.flat().slice(-3), ['p', 'q', 'r']);
	});
});
