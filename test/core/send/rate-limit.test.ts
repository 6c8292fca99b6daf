/**
 * Token buckets: the in-memory store's arithmetic with a fake clock, and the PostgreSQL store — the
 * same arithmetic in one statement — holding one combined rate for several worker PROCESSES.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openQueue } from '../../../core/queue';
import { internalSqlClient } from '../../../core/queue/store';
import type { RateLimitRule } from '../../../core/providers/types';
import { InMemoryRateLimitStore, rateLimitKey, rateLimitStoreFor } from '../../../core/send';
import { usePostgres } from '../../support/postgres';

const rule = (perSecond: number, burst: number): RateLimitRule => ({ scope: 'sender', perSecond, burst, description: 'test' });
const T0 = Date.parse('2026-06-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);

describe('in-memory token bucket', () => {
	test('burst first, then one token per 1/perSecond; waits queue up (reservations)', () => {
		const store = new InMemoryRateLimitStore();
		const r = rule(2, 3);
		assert.deepEqual(
			[0, 0, 0, 0, 0].map(() => store.takeSync('k', r, at(0))),
			[0, 0, 0, 500, 1000],
		);
		// 1 s later two tokens came back, but two were owed: the next waits 500 ms.
		assert.equal(store.takeSync('k', r, at(1000)), 500);
		// After a long quiet time the bucket is full again (capped at burst).
		assert.deepEqual(
			[0, 0, 0, 0].map(() => store.takeSync('k', r, at(60_000))),
			[0, 0, 0, 500],
		);
	});

	test('keys are independent; a clock going backwards refills nothing', () => {
		const store = new InMemoryRateLimitStore();
		const r = rule(1, 1);
		assert.equal(store.takeSync('a', r, at(0)), 0);
		assert.equal(store.takeSync('b', r, at(0)), 0);
		assert.equal(store.takeSync('a', r, at(-5000)), 1000);
	});

	test('fractional rates: 0.5/s waits 2 s per token', () => {
		const store = new InMemoryRateLimitStore();
		assert.deepEqual(
			[0, 0, 0].map(() => store.takeSync('k', rule(0.5, 1), at(0))),
			[0, 2000, 4000],
		);
	});

	test('keys hash what they cover (no sender or recipient in clear)', () => {
		const key = rateLimitKey('googlechat', 'sender', 'https://chat.googleapis.com/v1/spaces/X/messages?key=SECRET&token=T');
		assert.match(key, /^googlechat:sender:[A-Za-z0-9_-]{22}$/);
		assert.ok(!key.includes('SECRET'));
	});
});

describe('PostgreSQL token bucket', () => {
	const pg = usePostgres();

	test('the same arithmetic as the in-memory store, in one statement (fake clock)', async () => {
		const db = await pg().createDatabase();
		const queue = await openQueue({ connection: { kind: 'postgres', connectionString: db.connectionString } });
		try {
			const store = rateLimitStoreFor(queue);
			const memory = new InMemoryRateLimitStore();
			const r = rule(2, 3);
			const times = [0, 0, 0, 0, 0, 1000, 1000, 60_000, 60_000, 60_000, 60_000, 60_250];
			const fromPg: number[] = [];
			for (const t of times) fromPg.push(await store.take('k', r, at(t)));
			assert.deepEqual(
				fromPg,
				times.map((t) => memory.takeSync('k', r, at(t))),
			);
			const { rows } = await internalSqlClient(queue)!.query<{ key: string }>('SELECT key FROM switchboard_rate_limits');
			assert.deepEqual(
				rows.map((x) => x.key),
				['k'],
			);
		} finally {
			await queue.close();
		}
	});

	test('three worker processes sharing one bucket stay within the combined rate', async () => {
		const db = await pg().createDatabase();
		// Migrate first so the workers start at once.
		await (await openQueue({ connection: { kind: 'postgres', connectionString: db.connectionString } })).close();
		const RATE = 40;
		const BURST = 4;
		const DURATION = 2500;
		const workers = Array.from({ length: 3 }, () =>
			fork(join(__dirname, 'rate-limit-worker.ts'), [JSON.stringify({ connectionString: db.connectionString, key: 'shared', rule: rule(RATE, BURST), durationMs: DURATION })], {
				execArgv: ['--import', 'tsx'],
				stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
			}),
		);
		const results = workers.map(
			(w) =>
				new Promise<number[]>((resolve, reject) => {
					const timer = setTimeout(() => reject(new Error('worker timed out')), 30_000);
					w.on('message', (m: { type: string; sends?: number[]; message?: string }) => {
						if (m.type === 'done') (clearTimeout(timer), resolve(m.sends!));
						if (m.type === 'error') (clearTimeout(timer), reject(new Error(m.message)));
					});
					w.on('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
				}),
		);
		await Promise.all(workers.map((w) => new Promise<void>((resolve) => w.on('message', (m: { type: string }) => m.type === 'ready' && resolve()))));
		const start = Date.now() + 200;
		for (const w of workers) w.send({ type: 'go', at: start });
		const perWorker = await Promise.all(results);
		const all = perWorker.flat().sort((a, b) => a - b);
		// Combined: at most burst + rate × elapsed in any window (with 1 token of timer slack).
		for (let i = 0; i < all.length; i++) {
			for (let j = i; j < all.length; j++) {
				const span = (all[j]! - all[i]!) / 1000;
				assert.ok(j - i + 1 <= BURST + RATE * span + 1, `${j - i + 1} sends within ${span}s exceeds the shared limit`);
			}
		}
		const expected = BURST + (RATE * DURATION) / 1000;
		assert.ok(all.length <= expected + 1, `${all.length} sends > ${expected}`);
		assert.ok(all.length >= expected * 0.8, `only ${all.length} of ~${expected} sends: the limit starved the workers`);
		for (const sends of perWorker) assert.ok(sends.length > 0, 'every worker sent');
	});
});
