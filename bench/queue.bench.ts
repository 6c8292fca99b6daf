/**
 * Issue 3 targets: Schedule Queue claim + complete throughput, batch 1 and batch 50, on
 *   - the embedded store (PGlite in a temp folder, in this process — one process is all it serves),
 *   - PostgreSQL with 1 worker process and with 4 worker processes (each its own pool),
 *   - pg-boss 11 on the same PostgreSQL server doing the equivalent work: N jobs inserted up front,
 *     then worker processes fetch a batch and complete it, until the queue is empty,
 * and the ratios the issue names: embedded ≥ 5,000 messages/s batched; PostgreSQL with 4 workers
 * ≥ 1.0× pg-boss with 4 workers.
 *
 * What one "message" costs on each side, so the comparison is like for like:
 *   queue, batch 1:   claimDue({ batchSize: 1 }) then complete(id, { provider, externalId, workerId })
 *   queue, batch 50:  claimDue({ batchSize: 50 }) then completeMany(the batch) — one call per batch
 *   pg-boss, batch n: fetch(name, { batchSize: n }) then complete(name, ids) — pg-boss's cheapest
 *                     complete (no output stored), so pg-boss is given its best case. The queue does
 *                     more per message: it writes a delivery-log row and checks the lease owner.
 * Every configuration starts from the same backlog of due messages, enqueued (jobs inserted) before
 * the clock starts; the rate is messages completed over the time from `go` until the last worker found
 * the queue empty or the measuring deadline passed. Each worker has one batch in flight at a time, as
 * a host's processor does. On PostgreSQL the database is VACUUM ANALYZEd after the fill (both sides),
 * as autovacuum would have done on a running server; the embedded store gets no such help.
 *
 * The bench starts and stops its own throwaway PostgreSQL cluster (test/support/postgres.ts, fsync
 * off — the same for both sides); one fresh database per configuration. It never fails on a missed
 * target: it prints MET / NOT MET. A configuration that errors is reported as such and the run goes on.
 * Bounded: every configuration has a deadline, worker processes are killed if they overrun.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PgBoss from 'pg-boss';
import { openQueue } from '../core/queue';
import type { EnqueueInput, ScheduleQueue } from '../core/queue';
import { startPostgres, type PostgresCluster } from '../test/support/postgres';
import { formatRate, table } from './measure';

/** Measuring stops after this long even if messages remain (the rate is then over what was done). */
const MEASURE_MS = 4_000;
/** Worker processes that have not started (tsx, pool, pg-boss start) and finished within this much more than MEASURE_MS are killed. */
const WORKER_GRACE_MS = 50_000;
/**
 * Due messages waiting when the clock starts — the same for every configuration, because the cost of
 * a fetch can depend on the depth of the queue (pg-boss sorts every eligible job on each fetch, by
 * priority then creation time; a claim without table statistics sorts the whole backlog too).
 */
const BACKLOG = 10_000;
const EMBEDDED_TARGET = 5_000;
const PGBOSS_RATIO_TARGET = 1.0;
const BOSS_QUEUE = 'switchboard-bench';

type Engine = 'queue' | 'pgboss';

interface WorkerConfig {
	engine: Engine;
	connectionString: string;
	batchSize: number;
	workerId: string;
	measureMs: number;
}

type FromWorker = { type: 'ready' } | { type: 'done'; processed: number; refused: number; startedAt: number; endedAt: number } | { type: 'failed'; message: string };

interface Result {
	store: string;
	workers: number;
	batch: number;
	messages: number;
	seconds: number;
	rate: number;
	note: string;
}

function inputs(count: number): EnqueueInput[] {
	const sendTime = new Date(Date.now() - 60_000);
	return Array.from({ length: count }, (_, i) => ({
		channel: 'sms',
		recipient: `+1555${String(i).padStart(7, '0')}`,
		body: `Your appointment is confirmed (${i}).`,
		status: 'approved',
		sendTime,
	}));
}

async function fill(queue: ScheduleQueue, count: number): Promise<void> {
	const all = inputs(count);
	for (let i = 0; i < all.length; i += 500) await queue.enqueueMany(all.slice(i, i + 500));
}

/** Claim + complete until the queue is empty or `measureMs` has passed. */
async function drainQueue(queue: ScheduleQueue, config: Pick<WorkerConfig, 'batchSize' | 'workerId' | 'measureMs'>): Promise<{ processed: number; refused: number; startedAt: number; endedAt: number }> {
	const { batchSize, workerId } = config;
	const startedAt = Date.now();
	const deadline = startedAt + config.measureMs;
	let processed = 0;
	let refused = 0;
	while (Date.now() < deadline) {
		const batch = await queue.claimDue({ batchSize, leaseSeconds: 300, workerId });
		if (batch.length === 0) break;
		if (batchSize === 1) {
			const [m] = batch;
			await queue.complete(m!.id, { workerId, provider: 'bench', externalId: `bench-${m!.id}`, responseTimeMs: 1 });
		} else {
			const results = await queue.completeMany(batch.map((m) => ({ id: m.id, workerId, provider: 'bench', externalId: `bench-${m.id}`, responseTimeMs: 1 })));
			refused += results.filter((r) => !r.ok).length;
		}
		processed += batch.length;
	}
	return { processed: processed - refused, refused, startedAt, endedAt: Date.now() };
}

/** pg-boss's equivalent: fetch a batch, complete its ids, until empty or `measureMs` has passed. */
async function drainBoss(boss: PgBoss, config: Pick<WorkerConfig, 'batchSize' | 'measureMs'>): Promise<{ processed: number; refused: number; startedAt: number; endedAt: number }> {
	const startedAt = Date.now();
	const deadline = startedAt + config.measureMs;
	let processed = 0;
	while (Date.now() < deadline) {
		const jobs = await boss.fetch(BOSS_QUEUE, { batchSize: config.batchSize });
		if (jobs.length === 0) break;
		await boss.complete(BOSS_QUEUE, jobs.map((j) => j.id));
		processed += jobs.length;
	}
	return { processed, refused: 0, startedAt, endedAt: Date.now() };
}

// ---------------------------------------------------------------------------------------------
// Worker process (this file forked with --worker)
// ---------------------------------------------------------------------------------------------

async function workerMain(config: WorkerConfig): Promise<void> {
	// Resolves once the message is handed to the IPC channel, so exiting right after loses nothing.
	const tell = (m: FromWorker): Promise<void> =>
		new Promise((resolve) => {
			if (!process.connected || !process.send) return resolve();
			process.send(m, undefined, {}, () => resolve());
		});
	const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
	try {
		if (config.engine === 'queue') {
			const queue = await openQueue({ connection: { kind: 'postgres', connectionString: config.connectionString, maxConnections: 2 }, workerId: config.workerId });
			await tell({ type: 'ready' });
			await go;
			const result = await drainQueue(queue, config);
			await queue.close();
			await tell({ type: 'done', ...result });
		} else {
			const boss = new PgBoss({ connectionString: config.connectionString, max: 2, supervise: false, schedule: false, migrate: false });
			boss.on('error', () => undefined);
			await boss.start();
			await tell({ type: 'ready' });
			await go;
			const result = await drainBoss(boss, config);
			await boss.stop({ graceful: false, close: true, wait: true });
			await tell({ type: 'done', ...result });
		}
	} catch (error) {
		await tell({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
	}
}

// ---------------------------------------------------------------------------------------------
// Parent
// ---------------------------------------------------------------------------------------------

function startWorker(config: WorkerConfig): { child: ChildProcess; ready: Promise<void>; done: Promise<Extract<FromWorker, { type: 'done' }>> } {
	const child = fork(__filename, ['--worker', JSON.stringify(config)], { execPath: process.execPath, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => {
		stderr += chunk.toString('utf8');
	});
	const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`worker exited (code ${code}, signal ${signal})\n${stderr.slice(-2000)}`))));
	const next = <T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> =>
		Promise.race([
			new Promise<Extract<FromWorker, { type: T }>>((resolve, reject) =>
				child.on('message', (m: FromWorker) => {
					if (m.type === type) resolve(m as Extract<FromWorker, { type: T }>);
					else if (m.type === 'failed') reject(new Error(m.message));
				}),
			),
			exited,
		]);
	const ready = next('ready').then(() => undefined);
	const done = next('done');
	ready.catch(() => undefined);
	done.catch(() => undefined);
	return { child, ready, done };
}

/** Runs `count` worker processes of one engine against one database; the rate is over all of them. */
async function runWorkers(engine: Engine, connectionString: string, count: number, batchSize: number): Promise<{ processed: number; refused: number; seconds: number }> {
	const workers = Array.from({ length: count }, (_, i) => startWorker({ engine, connectionString, batchSize, workerId: `bench-${i}`, measureMs: MEASURE_MS }));
	const killer = setTimeout(() => workers.forEach((w) => w.child.kill('SIGKILL')), MEASURE_MS + WORKER_GRACE_MS);
	try {
		await Promise.all(workers.map((w) => w.ready));
		for (const w of workers) w.child.send({ type: 'go' });
		const results = await Promise.all(workers.map((w) => w.done));
		const start = Math.min(...results.map((r) => r.startedAt));
		const end = Math.max(...results.map((r) => r.endedAt));
		return { processed: results.reduce((s, r) => s + r.processed, 0), refused: results.reduce((s, r) => s + r.refused, 0), seconds: (end - start) / 1000 };
	} finally {
		clearTimeout(killer);
		for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
	}
}

function result(store: string, workers: number, batch: number, run: { processed: number; refused: number; seconds: number }, enqueued: number): Result {
	const notes: string[] = [];
	if (run.processed < enqueued) notes.push(`stopped at the ${MEASURE_MS / 1000} s deadline`);
	if (run.refused) notes.push(`${run.refused} completes refused`);
	return { store, workers, batch, messages: run.processed, seconds: run.seconds, rate: run.seconds > 0 ? run.processed / run.seconds : 0, note: notes.join('; ') };
}

async function embedded(batch: number, count: number): Promise<Result> {
	const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-embedded-'));
	try {
		const queue = await openQueue({ connection: { kind: 'embedded', dataDir: dir } });
		try {
			await fill(queue, count);
			const run = await drainQueue(queue, { batchSize: batch, workerId: 'bench-embedded', measureMs: MEASURE_MS });
			return result('embedded (PGlite)', 1, batch, { ...run, seconds: (run.endedAt - run.startedAt) / 1000 }, count);
		} finally {
			await queue.close();
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * What autovacuum does on a real server within a minute of a bulk load: collect statistics. Without
 * them the planner guesses "1 row" for a freshly filled table and picks plans that sort the whole
 * backlog on every fetch — true for both sides, and not what a running server looks like. (The
 * embedded store gets no such help: PGlite has no autovacuum, so it is measured as it is.)
 */
async function settle(cluster: PostgresCluster, database: string): Promise<void> {
	await cluster.query('VACUUM ANALYZE', [], database);
}

async function postgres(cluster: PostgresCluster, workers: number, batch: number, count: number): Promise<Result> {
	const db = await cluster.createDatabase();
	try {
		const queue = await openQueue({ connection: { kind: 'postgres', connectionString: db.connectionString } });
		try {
			await fill(queue, count);
		} finally {
			await queue.close();
		}
		await settle(cluster, db.name);
		return result('PostgreSQL', workers, batch, await runWorkers('queue', db.connectionString, workers, batch), count);
	} finally {
		await cluster.dropDatabase(db.name);
	}
}

async function pgBoss(cluster: PostgresCluster, workers: number, batch: number, count: number): Promise<Result> {
	const db = await cluster.createDatabase();
	try {
		const boss = new PgBoss({ connectionString: db.connectionString, max: 4, supervise: false, schedule: false });
		boss.on('error', () => undefined);
		await boss.start();
		try {
			await boss.createQueue(BOSS_QUEUE);
			for (let i = 0; i < count; i += 1000) {
				const jobs = Array.from({ length: Math.min(1000, count - i) }, (_, k) => ({ name: BOSS_QUEUE, data: { recipient: `+1555${String(i + k).padStart(7, '0')}`, body: `Your appointment is confirmed (${i + k}).` } }));
				await boss.insert(BOSS_QUEUE, jobs);
			}
		} finally {
			await boss.stop({ graceful: false, close: true, wait: true });
		}
		await settle(cluster, db.name);
		return result('pg-boss 11', workers, batch, await runWorkers('pgboss', db.connectionString, workers, batch), count);
	} finally {
		await cluster.dropDatabase(db.name);
	}
}

/** Runs one configuration; an error becomes a row saying so instead of ending the bench. */
async function attempt(label: { store: string; workers: number; batch: number }, fn: () => Promise<Result>): Promise<Result> {
	try {
		return await fn();
	} catch (error) {
		const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
		return { ...label, messages: 0, seconds: 0, rate: Number.NaN, note: `ERROR: ${message.slice(0, 160)}` };
	}
}

export async function run(): Promise<{ results: Result[]; verdicts: string[] }> {
	const results: Result[] = [];
	results.push(await attempt({ store: 'embedded (PGlite)', workers: 1, batch: 1 }, () => embedded(1, BACKLOG)));
	results.push(await attempt({ store: 'embedded (PGlite)', workers: 1, batch: 50 }, () => embedded(50, BACKLOG)));

	let cluster: PostgresCluster | undefined;
	try {
		cluster = await startPostgres();
		const c = cluster;
		for (const [workers, batch] of [
			[1, 1],
			[1, 50],
			[4, 1],
			[4, 50],
		] as const) {
			results.push(await attempt({ store: 'PostgreSQL', workers, batch }, () => postgres(c, workers, batch, BACKLOG)));
			if (workers === 4) results.push(await attempt({ store: 'pg-boss 11', workers, batch }, () => pgBoss(c, workers, batch, BACKLOG)));
		}
	} catch (error) {
		results.push({ store: 'PostgreSQL', workers: 0, batch: 0, messages: 0, seconds: 0, rate: Number.NaN, note: `ERROR: could not start a PostgreSQL cluster: ${(error as Error).message.split('\n')[0]}` });
	} finally {
		await cluster?.stop();
	}

	const find = (store: string, workers: number, batch: number) => results.find((r) => r.store === store && r.workers === workers && r.batch === batch);
	const verdicts: string[] = [];
	const emb = find('embedded (PGlite)', 1, 50);
	const embOk = emb !== undefined && emb.rate >= EMBEDDED_TARGET;
	verdicts.push(`embedded, batch 50: ${emb && Number.isFinite(emb.rate) ? emb.rate.toFixed(0) : 'n/a'} messages/s (target ≥ ${EMBEDDED_TARGET}) ${embOk ? 'MET' : 'NOT MET'}`);
	for (const batch of [50, 1]) {
		const ours = find('PostgreSQL', 4, batch);
		const boss = find('pg-boss 11', 4, batch);
		const ratio = ours && boss && boss.rate > 0 ? ours.rate / boss.rate : Number.NaN;
		const ok = Number.isFinite(ratio) && ratio >= PGBOSS_RATIO_TARGET;
		verdicts.push(`PostgreSQL 4 workers / pg-boss 4 workers, batch ${batch}: ${Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a'} (target ≥ ${PGBOSS_RATIO_TARGET.toFixed(1)}×) ${ok ? 'MET' : 'NOT MET'}`);
	}
	return { results, verdicts };
}

export async function report(): Promise<string> {
	const started = Date.now();
	const { results, verdicts } = await run();
	const rows = results.map((r) => ({
		store: r.store,
		workers: r.workers,
		batch: r.batch,
		messages: r.messages,
		seconds: r.seconds.toFixed(2),
		'messages/s': Number.isFinite(r.rate) ? formatRate(r.rate) : 'n/a',
		note: r.note,
	}));
	return [
		table(rows),
		'',
		...verdicts,
		`(backlog ${BACKLOG} due messages per configuration, ${MEASURE_MS / 1000} s each; batch 1: claimDue + complete, batch 50: claimDue + completeMany; pg-boss: fetch + complete(ids);`,
		` PostgreSQL databases VACUUM ANALYZEd after the fill; this section took ${((Date.now() - started) / 1000).toFixed(0)} s)`,
	].join('\n');
}

if (require.main === module) {
	if (process.argv[2] === '--worker') {
		workerMain(JSON.parse(process.argv[3] ?? '{}') as WorkerConfig).then(
			() => process.exit(0),
			() => process.exit(1),
		);
	} else {
		report().then(
			(text) => {
				console.log(text);
				process.exit(0);
			},
			(error: unknown) => {
				console.error(error);
				process.exit(0);
			},
		);
	}
}
