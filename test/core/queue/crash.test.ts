/**
 * Issue 3, crash: a worker process is killed with SIGKILL mid-batch, round after round. Nothing is
 * lost: once a dead worker's lease has passed, its messages come back (claimDue takes expired leases,
 * or releaseExpiredLeases makes them due again), every message ends `sent` with exactly one
 * successful attempt in the log, and a message is sent once more at most for each crash that caught
 * it mid-send (the fake provider's record of sends, journaled before each send, is the proof).
 *
 * Real clock, short leases (2 s), real processes (test/support/queue-worker.ts). Bounded: 5 rounds,
 * each waits for one claim then kills within 0.7 s; the drain is capped.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openQueue } from '../../../core/queue';
import type { EnqueueInput, MessageWithAttempts, ScheduleQueue } from '../../../core/queue';
import { usePostgres } from '../../support/postgres';
import { journalPath, leaseOverlaps, readJournals, startWorker, stopWorker, workerDefaults, type JournalEntry, type WorkerConfig } from '../../support/queue-worker';

const pg = usePostgres();
let scratch = '';
before(() => {
	scratch = mkdtempSync(join(tmpdir(), 'switchboard-queue-crash-'));
});
after(() => {
	if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const ROUNDS = 5;
const PER_ROUND = 30;
const BATCH = 10;
const SEND_MS = 80;
const LEASE_SECONDS = 2;
const DRAIN_LIMIT_MS = 30_000;

/** Small seeded PRNG (mulberry32) so a failing run can be replayed with SWITCHBOARD_CRASH_SEED. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function dueInputs(round: number): EnqueueInput[] {
	const sendTime = new Date(Date.now() - 60_000);
	return Array.from({ length: PER_ROUND }, (_, i) => ({
		channel: 'sms',
		recipient: `+4470${round}${String(i).padStart(6, '0')}`,
		body: `round ${round} message ${i}`,
		status: 'approved',
		sendTime,
		// Every claim counts as an attempt, and a lease that expires with attempts used up makes the
		// message `dead`. A message can be caught by every killed worker and then the survivors, so it
		// gets enough attempts to survive all of them: this test is about loss, not the attempt budget.
		maxAttempts: ROUNDS + 3,
		metadata: { round },
	}));
}

async function drained(queue: ScheduleQueue): Promise<boolean> {
	return (await queue.list({ status: ['approved', 'sending', 'failed'], limit: 1 })).items.length === 0;
}

test(`a worker SIGKILLed mid-batch ${ROUNDS} times: nothing lost, each message sent once more at most per crash`, async (t) => {
	const seed = Number(process.env.SWITCHBOARD_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
	t.diagnostic(`seed ${seed} (replay with SWITCHBOARD_CRASH_SEED=${seed})`);
	const random = prng(seed);
	const db = await pg().createDatabase();
	const queue = await openQueue({ connection: { kind: 'postgres', connectionString: db.connectionString, maxConnections: 3 } });
	const base = (index: number, name: string): WorkerConfig => ({
		...workerDefaults,
		index,
		connectionString: db.connectionString,
		journal: journalPath(scratch, name),
		batchSize: BATCH,
		leaseSeconds: LEASE_SECONDS,
	});
	try {
		const ids: string[] = [];
		const killedJournals: string[] = [];
		for (let round = 0; round < ROUNDS; round++) {
			for (const r of await queue.enqueueMany(dueInputs(round))) ids.push(r.message.id);
			const config = { ...base(round, `crash-${round}`), sendDelayMs: SEND_MS };
			const worker = startWorker(config);
			try {
				await worker.ready;
				worker.send({ type: 'go' });
				await worker.firstClaim;
				// A batch of BATCH sends takes ≥ BATCH × SEND_MS: killing within 0.7 s is always mid-batch.
				await new Promise((r) => setTimeout(r, Math.floor(random() * 700)));
			} finally {
				worker.child.kill('SIGKILL');
			}
			const end = await worker.exited;
			assert.equal(end.signal, 'SIGKILL', `round ${round}: the worker died by SIGKILL (exit ${end.code})\n${worker.stderr()}`);
			killedJournals.push(config.journal);
		}

		// Survivors: two workers that are not killed drain everything, including the dead workers'
		// messages once their leases run out.
		const drainConfigs = [0, 1].map((i): WorkerConfig => ({ ...base(100 + i, `drain-${i}`), completeMode: i === 0 ? 'each' : 'many' }));
		const drainers = drainConfigs.map((c) => startWorker(c));
		let failure: unknown;
		try {
			await Promise.all(drainers.map((w) => w.ready));
			for (const w of drainers) w.send({ type: 'go' });
			const limit = Date.now() + DRAIN_LIMIT_MS;
			while (!(await drained(queue))) {
				if (Date.now() > limit) throw new Error(`the survivors did not drain the queue within ${DRAIN_LIMIT_MS} ms: leased messages never came back?`);
				await new Promise((r) => setTimeout(r, 100));
			}
		} catch (error) {
			failure = error;
		}
		const ends = await Promise.all(drainers.map((w) => stopWorker(w)));
		if (failure) throw failure;
		ends.forEach((e, i) => assert.equal(e.code, 0, `drain worker ${i} exited cleanly\n${drainers[i]!.stderr()}`));

		const entries = readJournals([...killedJournals, ...drainConfigs.map((c) => c.journal)]);
		const killedTags = new Set(entries.filter((e) => e.ev === 'claim' && e.w < 100).map((e) => (e as Extract<JournalEntry, { ev: 'claim' }>).tag));
		assert.deepEqual(entries.filter((e) => e.ev === 'error'), [], 'no worker saw an unexpected error');
		assert.deepEqual(leaseOverlaps(entries), [], 'a dead worker\'s messages were not taken before its lease expired');

		const claims = entries.filter((e): e is Extract<JournalEntry, { ev: 'claim' }> => e.ev === 'claim');
		const sends = entries.filter((e): e is Extract<JournalEntry, { ev: 'send' }> => e.ev === 'send');
		const messages: MessageWithAttempts[] = [];
		for (const id of ids) {
			const m = await queue.get(id);
			assert.ok(m, `message ${id} still exists`);
			messages.push(m);
		}

		let stranded = 0;
		let extraSends = 0;
		let failedRows = 0;
		for (const m of messages) {
			assert.equal(m.status, 'sent', `message ${m.id} (${m.body}) ends sent, not ${m.status}`);
			const successes = m.attempts.filter((a) => a.success);
			assert.equal(successes.length, 1, `message ${m.id} has exactly one successful attempt (got ${successes.length})`);
			failedRows += m.attempts.length - successes.length;
			// The external id names the claim whose complete won: it must be a journaled claim of this message.
			const winnerTag = successes[0]!.externalId?.replace(`fake-${m.id}-`, '');
			const winner = claims.find((c) => c.id === m.id && c.tag === winnerTag);
			assert.ok(winner, `message ${m.id}: the successful attempt (${successes[0]!.externalId}) comes from a recorded claim`);
			assert.equal(m.externalId, successes[0]!.externalId);
			// Log consistency: every claim counted one attempt, and the success is logged as the last one.
			const journaled = claims.filter((c) => c.id === m.id).length;
			assert.ok(m.attemptCount >= journaled, `message ${m.id}: attempt count ${m.attemptCount} covers its ${journaled} recorded claims`);
			assert.equal(successes[0]!.attemptNumber, m.attemptCount, `message ${m.id}: the successful attempt is the last one counted`);
			assert.equal(m.leaseOwner, null, `message ${m.id}: no lease left once sent`);

			// Claims of this message by killed workers that did not complete it: their sends may have
			// reached the provider, so each allows one extra send — and no more.
			const crashedHolds = claims.filter((c) => c.id === m.id && killedTags.has(c.tag) && c.tag !== winnerTag);
			for (const held of crashedHolds) {
				stranded += 1;
				assert.ok(winner.start >= held.expires - 2, `message ${m.id} came back only after ${held.tag}'s lease expired`);
			}
			const sent = sends.filter((s) => s.id === m.id).length;
			assert.ok(sent >= 1, `message ${m.id} was sent`);
			assert.ok(sent <= 1 + crashedHolds.length, `message ${m.id} was sent ${sent} times with ${crashedHolds.length} crash(es) holding it: once more at most per crash`);
			extraSends += sent - 1;
		}
		assert.ok(stranded >= ROUNDS, `every kill left claimed, uncompleted messages behind (${stranded} over ${ROUNDS} kills): the crash really was mid-batch`);
		t.diagnostic(`${ids.length} messages; ${stranded} were held by a killed worker and came back; ${extraSends} extra sends (at most one per crash per message); ${failedRows} non-success log rows`);
	} finally {
		await queue.close();
	}
});
