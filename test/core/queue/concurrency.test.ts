/**
 * Issue 3, concurrency: several worker PROCESSES, each with its own pg pool, claim from one
 * PostgreSQL table at once (test/support/queue-worker.ts). Every claim, send and complete is
 * journaled by the workers; the database is then read back through the queue API.
 *
 * 1. 2,000 approved, due messages, 4 workers, long leases → every message claimed exactly once and
 *    completed exactly once: all `sent`, each with exactly one (successful) attempt row. Two workers
 *    report with complete() per message, two with completeMany() per batch.
 * 2. Short leases, and workers deliberately hold some messages past their lease → the leases of one
 *    message never overlap (no two workers hold it while its lease is live), the messages are taken
 *    over and sent, and a late complete after a takeover is refused with LeaseLostError instead of
 *    being logged a second time.
 *
 * Real clock and real processes; every wait is bounded (workers stop themselves at their deadline).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openQueue } from '../../../core/queue';
import type { EnqueueInput, MessageWithAttempts, ScheduleQueue } from '../../../core/queue';
import { usePostgres } from '../../support/postgres';
import {
	isLeaseLost,
	journalPath,
	leaseOverlaps,
	readJournals,
	startWorker,
	stopWorker,
	workerDefaults,
	type JournalEntry,
	type WorkerConfig,
	type WorkerHandle,
} from '../../support/queue-worker';

const pg = usePostgres();
let scratch = '';
before(() => {
	scratch = mkdtempSync(join(tmpdir(), 'switchboard-queue-concurrency-'));
});
after(() => {
	if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const WORKERS = 4;
/** Upper bound for one whole fleet run (workers stop themselves at their own deadline too). */
const RUN_LIMIT_MS = 45_000;

function due(count: number, extra: (i: number) => Partial<EnqueueInput> = () => ({})): EnqueueInput[] {
	const sendTime = new Date(Date.now() - 60_000);
	return Array.from({ length: count }, (_, i) => ({
		channel: 'sms',
		recipient: `+1555${String(i).padStart(7, '0')}`,
		body: `message ${i}`,
		status: 'approved',
		sendTime,
		...extra(i),
	}));
}

async function enqueueAll(queue: ScheduleQueue, inputs: EnqueueInput[]): Promise<string[]> {
	const ids: string[] = [];
	for (let i = 0; i < inputs.length; i += 500) {
		const results = await queue.enqueueMany(inputs.slice(i, i + 500));
		for (const r of results) ids.push(r.message.id);
	}
	assert.equal(new Set(ids).size, inputs.length, 'every enqueued message got its own id');
	return ids;
}

/** Nothing left that a worker could still claim or is holding. */
async function drained(queue: ScheduleQueue): Promise<boolean> {
	const page = await queue.list({ status: ['approved', 'sending', 'failed'], limit: 1 });
	return page.items.length === 0;
}

/** Starts the workers together, lets them run until the table is drained, stops them, returns the journal. */
async function runFleet(queue: ScheduleQueue, name: string, configs: WorkerConfig[]): Promise<{ entries: JournalEntry[]; workers: WorkerHandle[] }> {
	const workers = configs.map((c) => startWorker(c));
	let failure: unknown;
	try {
		await Promise.all(workers.map((w) => w.ready));
		for (const w of workers) w.send({ type: 'go' });
		const limit = Date.now() + RUN_LIMIT_MS;
		while (!(await drained(queue))) {
			if (Date.now() > limit) throw new Error(`${name}: the workers did not drain the queue within ${RUN_LIMIT_MS} ms`);
			if (workers.every((w) => w.child.exitCode !== null || w.child.signalCode !== null)) throw new Error(`${name}: every worker exited before the queue was drained\n${workers.map((w) => w.stderr()).join('\n')}`);
			await new Promise((r) => setTimeout(r, 100));
		}
	} catch (error) {
		failure = error;
	}
	// Always stop every worker (also after a failure), then report the first problem.
	const ends = await Promise.all(workers.map((w) => stopWorker(w)));
	if (failure) throw failure;
	ends.forEach((end, i) => assert.equal(end.code, 0, `worker ${i} exited cleanly (code ${end.code}, signal ${end.signal})\n${workers[i]!.stderr()}`));
	return { entries: readJournals(configs.map((c) => c.journal)), workers };
}

async function readBack(queue: ScheduleQueue, ids: string[]): Promise<MessageWithAttempts[]> {
	const out: MessageWithAttempts[] = [];
	for (let i = 0; i < ids.length; i += 25) {
		const rows = await Promise.all(ids.slice(i, i + 25).map((id) => queue.get(id)));
		rows.forEach((row, j) => {
			assert.ok(row, `message ${ids[i + j]} still exists`);
			out.push(row);
		});
	}
	return out;
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
	const counts = new Map<string, number>();
	for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
	return counts;
}

test('4 worker processes drain 2,000 due messages: each claimed once, completed once, logged once', async (t) => {
	const db = await pg().createDatabase();
	const queue = await openQueue({ connection: { kind: 'postgres', connectionString: db.connectionString, maxConnections: 4 } });
	try {
		const ids = await enqueueAll(queue, due(2000));
		const configs: WorkerConfig[] = Array.from({ length: WORKERS }, (_, index) => ({
			...workerDefaults,
			index,
			connectionString: db.connectionString,
			journal: journalPath(scratch, `long-w${index}`),
			// Half the workers report each message with complete(), half a batch with completeMany().
			completeMode: index % 2 === 0 ? 'each' : 'many',
			batchSize: 25,
			leaseSeconds: 120,
		}));
		const { entries } = await runFleet(queue, 'long leases', configs);

		const errors = entries.filter((e) => e.ev === 'error');
		assert.deepEqual(errors, [], 'no worker saw an unexpected error');

		const claims = entries.filter((e) => e.ev === 'claim');
		const claimCounts = countBy(claims, (c) => c.id);
		assert.equal(claimCounts.size, ids.length, 'every message was claimed');
		assert.deepEqual([...claimCounts].filter(([, n]) => n !== 1), [], 'no message was claimed twice (no lease expired, so none may be)');
		assert.deepEqual(new Set(claimCounts.keys()), new Set(ids), 'the claimed ids are exactly the enqueued ids');

		const completes = entries.filter((e) => e.ev === 'complete');
		assert.deepEqual(completes.filter((c) => !c.ok), [], 'no complete was refused');
		const completeCounts = countBy(completes, (c) => c.id);
		assert.deepEqual([...completeCounts].filter(([, n]) => n !== 1), [], 'each message was completed exactly once');
		assert.equal(completeCounts.size, ids.length);

		// Lease bookkeeping: the recorded lease started during the claimDue call and lasts leaseSeconds.
		for (const c of claims) {
			assert.ok(c.start >= c.before - 5 && c.start <= c.after + 5, `claim ${c.tag} of ${c.id}: lease start ${c.start} lies within the claimDue call [${c.before}, ${c.after}]`);
		}
		const perWorker = countBy(claims, (c) => String(c.w));
		assert.ok(perWorker.size >= 2, `the claims really were concurrent: ${perWorker.size} of ${WORKERS} workers claimed messages`);
		t.diagnostic(`claims per worker: ${[...perWorker].map(([w, n]) => `w${w}=${n}`).join(', ')}`);

		for (const m of await readBack(queue, ids)) {
			assert.equal(m.status, 'sent', `message ${m.id} is sent`);
			assert.equal(m.attempts.length, 1, `message ${m.id} has exactly one attempt row`);
			const [attempt] = m.attempts;
			assert.equal(attempt!.success, true, `message ${m.id}: its one attempt succeeded`);
			assert.equal(m.provider, 'fake');
			assert.equal(m.externalId, attempt!.externalId, `message ${m.id}: the message and its log row name the same external id`);
			const claim = claims.find((c) => c.id === m.id)!;
			assert.equal(m.externalId, `fake-${m.id}-${claim.tag}`, `message ${m.id} was completed by the worker that claimed it`);
			assert.equal(m.leaseOwner, null, `message ${m.id}: lease cleared once sent`);
			assert.equal(m.leaseExpiresAt, null);
			assert.equal(m.attemptCount, 1);
		}
	} finally {
		await queue.close();
	}
});

test('short leases, messages held past them: leases never overlap, late completes are refused, nothing double-logged', async (t) => {
	const db = await pg().createDatabase();
	const queue = await openQueue({ connection: { kind: 'postgres', connectionString: db.connectionString, maxConnections: 4 } });
	try {
		const total = 400;
		// Every third message is marked for holding by one worker (round robin); that worker holds it
		// only if it is the one that claims it first — about 1 in 4 of them, ≈ 33 held messages.
		// Each takeover is one more claim, and every claim counts as an attempt: give room for several.
		const ids = await enqueueAll(queue, due(total, (i) => ({ maxAttempts: 10, ...(i % 3 === 0 ? { metadata: { hold: true, holdBy: (i / 3) % WORKERS } } : {}) })));
		const leaseSeconds = 2;
		const configs: WorkerConfig[] = Array.from({ length: WORKERS }, (_, index) => ({
			...workerDefaults,
			index,
			connectionString: db.connectionString,
			journal: journalPath(scratch, `short-w${index}`),
			completeMode: index % 2 === 0 ? 'each' : 'many',
			batchSize: 10,
			leaseSeconds,
			holdPastLeaseMs: 1500,
		}));
		const { entries } = await runFleet(queue, 'short leases', configs);

		assert.deepEqual(entries.filter((e) => e.ev === 'error'), [], 'no worker saw an unexpected error');
		assert.deepEqual(leaseOverlaps(entries), [], 'no two claims of one message overlap while a lease is live');

		const claims = entries.filter((e) => e.ev === 'claim');
		const completes = entries.filter((e) => e.ev === 'complete');
		const late = completes.filter((c) => c.late);
		assert.ok(late.length > 0, 'some messages were held past their lease (the scenario happened)');

		// A late complete must not count when someone else claimed the message after the lease ran out:
		// that other worker won the message (had this late complete been accepted first, the message
		// would have been `sent` and unclaimable).
		const takenOver = late.filter((l) => {
			const own = claims.find((c) => c.tag === l.tag && c.id === l.id)!;
			return claims.some((c) => c.id === l.id && c.tag !== l.tag && c.start >= own.expires - 2);
		});
		assert.ok(takenOver.length > 0, 'at least one held message was taken over by another claim before its late complete');
		assert.deepEqual(
			takenOver.filter((l) => l.ok).map((l) => `${l.id} by ${l.tag}`),
			[],
			'a late complete after another worker took the message over is refused',
		);

		// Nothing double-logged: exactly one accepted complete per message, and the log agrees.
		const accepted = completes.filter((c) => c.ok);
		const acceptedCounts = countBy(accepted, (c) => c.id);
		assert.deepEqual([...acceptedCounts].filter(([, n]) => n !== 1), [], 'exactly one complete per message was accepted');
		assert.equal(acceptedCounts.size, total, 'every message was completed');
		for (const m of await readBack(queue, ids)) {
			assert.equal(m.status, 'sent', `message ${m.id} is sent`);
			const successes = m.attempts.filter((a) => a.success);
			assert.equal(successes.length, 1, `message ${m.id} has exactly one successful attempt (got ${successes.length})`);
			const winner = accepted.find((c) => c.id === m.id)!;
			assert.equal(successes[0]!.externalId, `fake-${m.id}-${winner.tag}`, `message ${m.id}: the logged success is the accepted complete's`);
			assert.equal(m.externalId, successes[0]!.externalId);
		}

		// How they are refused: the worker is told it lost the lease (LeaseLostError) — whether the
		// other worker still holds the message or has sent it already — and no other error appears.
		const refused = completes.filter((c): c is Extract<JournalEntry, { ev: 'complete'; ok: false }> => !c.ok);
		const reclaimed = [...countBy(claims, (c) => c.id)].filter(([, n]) => n > 1).length;
		t.diagnostic(`held past lease: ${late.length}; taken over then refused: ${takenOver.length}; refused completes: ${refused.length}; messages claimed more than once: ${reclaimed}`);
		const wrongError = refused.filter((c) => !isLeaseLost(c));
		assert.deepEqual(
			wrongError.map((c) => `${c.late ? 'late' : 'in-time'} complete of ${c.id} by ${c.tag}: ${c.errName}/${c.errCode}: ${c.message}`),
			[],
			`every refused complete is a LeaseLostError (${refused.length - wrongError.length} of ${refused.length} are)`,
		);
	} finally {
		await queue.close();
	}
});
