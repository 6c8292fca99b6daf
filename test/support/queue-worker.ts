/**
 * A Schedule Queue worker PROCESS for the multi-process tests (test/core/queue/concurrency.test.ts,
 * crash.test.ts), and the parent-side helpers that start such processes and read what they did.
 *
 * Run as a script (`node --import tsx test/support/queue-worker.ts '<WorkerConfig JSON>'`, or through
 * `startWorker`), it opens its own queue (its own pg pool) on the given PostgreSQL database and, after
 * the parent says `go`, repeatedly claims a batch and "sends" and completes each message, until the
 * parent says `stop` (or its own deadline passes). Every fact is appended synchronously to a journal
 * file (one JSON object per line) BEFORE the process moves on, so the record survives SIGKILL:
 *
 *   claim    — it holds `id` under the lease [start, expires] (start = expires − leaseSeconds, as the
 *              queue recorded it), `tag` being the per-claim worker id it passed to claimDue
 *   send     — the fake provider was called for `id` (written before the send, as a provider would
 *              have received the request even if the worker dies right after)
 *   complete — the outcome of complete() (or of one item of completeMany()): ok, or refused with the
 *              error's name/code
 *   error    — anything unexpected (a claim that threw…): the tests require none
 *
 * Each claimDue call passes a fresh worker id (`w<index>.<seq>`), so a lease is identified exactly:
 * a complete from an old claim is "from a lost lease" even if the same process re-claimed the message.
 *
 * Holding past the lease (short-lease test): a message whose metadata says `{ hold: true, holdBy: i }`
 * and that worker i claims for the first time is not completed at once; its complete is scheduled
 * `holdPastLeaseMs` after its lease expires, while the worker keeps claiming (so other workers — or
 * this one under a new claim id — can take the message over in the meantime).
 *
 * The test-support side may read process.env and the file system; the core under test never does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openQueue } from '../../core/queue';
import type { ScheduleQueue, ScheduledMessage } from '../../core/queue';

export interface WorkerConfig {
	/** Worker number (0-based); appears in journal lines and claim ids. */
	index: number;
	connectionString: string;
	/** The journal file this worker appends to. */
	journal: string;
	batchSize: number;
	leaseSeconds: number;
	/** Fake send time per message (ms); 0 = instant. */
	sendDelayMs: number;
	/** Late completes of held messages happen this long after their lease expired. */
	holdPastLeaseMs: number;
	/** Sleep when a claim finds nothing (the worker then also calls releaseExpiredLeases). */
	idlePollMs: number;
	/** `each`: complete() after every send; `many`: send the batch, then one completeMany() for it. */
	completeMode: 'each' | 'many';
	/** Pool size of this worker's queue. */
	maxConnections: number;
	/** Safety net: the worker stops by itself after this long, whatever the parent says. */
	deadlineMs: number;
}

export type JournalEntry =
	| { ev: 'claim'; w: number; tag: string; id: string; start: number; expires: number; before: number; after: number }
	| { ev: 'send'; w: number; tag: string; id: string; at: number }
	| { ev: 'complete'; w: number; tag: string; id: string; at: number; late: boolean; ok: true }
	| { ev: 'complete'; w: number; tag: string; id: string; at: number; late: boolean; ok: false; errName: string; errCode: string | null; message: string }
	| { ev: 'error'; w: number; where: string; message: string; at: number };

/** Messages between parent and worker over the fork IPC channel. */
export type ToWorker = { type: 'go' } | { type: 'stop' };
export type FromWorker = { type: 'ready' } | { type: 'claimed'; tag: string; count: number } | { type: 'stopped'; claims: number; completes: number };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function errorFields(error: unknown): { errName: string; errCode: string | null; message: string } {
	if (error instanceof Error) {
		const code = (error as Error & { code?: unknown }).code;
		return { errName: error.name, errCode: typeof code === 'string' ? code : null, message: error.message };
	}
	return { errName: typeof error, errCode: null, message: String(error) };
}

/** True when a refused complete is the queue saying "your lease was lost" (and nothing else). */
export function isLeaseLost(entry: { errName: string; errCode: string | null }): boolean {
	return entry.errName === 'LeaseLostError' || entry.errCode === 'LEASE_LOST';
}

// ---------------------------------------------------------------------------------------------
// The worker process
// ---------------------------------------------------------------------------------------------

async function runWorker(config: WorkerConfig): Promise<void> {
	const write = (entry: JournalEntry): void => appendFileSync(config.journal, `${JSON.stringify(entry)}\n`);
	// Resolves once the notice is handed to the IPC channel (so exiting right after loses nothing).
	const tell = (message: FromWorker): Promise<void> =>
		new Promise((resolve) => {
			if (!process.connected || !process.send) return resolve();
			process.send(message, undefined, {}, () => resolve());
		});
	const queue: ScheduleQueue = await openQueue({
		connection: { kind: 'postgres', connectionString: config.connectionString, maxConnections: config.maxConnections },
	});

	let stopping = false;
	let go!: () => void;
	const started = new Promise<void>((resolve) => (go = resolve));
	process.on('message', (message: ToWorker) => {
		if (message.type === 'go') go();
		if (message.type === 'stop') {
			stopping = true;
			go();
		}
	});
	const deadline = setTimeout(() => {
		write({ ev: 'error', w: config.index, where: 'deadline', message: `worker ${config.index} hit its ${config.deadlineMs} ms deadline`, at: Date.now() });
		stopping = true;
		go();
	}, config.deadlineMs);
	await tell({ type: 'ready' });
	await started;

	const seen = new Set<string>();
	const holds: Array<Promise<void>> = [];
	let seq = 0;
	let claims = 0;
	let completes = 0;

	const complete = async (message: ScheduledMessage, tag: string, late: boolean): Promise<void> => {
		try {
			await queue.complete(message.id, { workerId: tag, provider: 'fake', externalId: `fake-${message.id}-${tag}`, responseTimeMs: config.sendDelayMs });
			completes += 1;
			write({ ev: 'complete', w: config.index, tag, id: message.id, at: Date.now(), late, ok: true });
		} catch (error) {
			write({ ev: 'complete', w: config.index, tag, id: message.id, at: Date.now(), late, ok: false, ...errorFields(error) });
		}
	};

	const completeMany = async (messages: ScheduledMessage[], tag: string): Promise<void> => {
		try {
			const results = await queue.completeMany(
				messages.map((m) => ({ id: m.id, workerId: tag, provider: 'fake', externalId: `fake-${m.id}-${tag}`, responseTimeMs: config.sendDelayMs })),
			);
			const at = Date.now();
			for (const r of results) {
				if (r.ok) {
					completes += 1;
					write({ ev: 'complete', w: config.index, tag, id: r.id, at, late: false, ok: true });
				} else {
					write({ ev: 'complete', w: config.index, tag, id: r.id, at, late: false, ok: false, ...errorFields(r.error) });
				}
			}
		} catch (error) {
			write({ ev: 'error', w: config.index, where: 'completeMany', message: errorFields(error).message, at: Date.now() });
		}
	};

	while (!stopping) {
		const tag = `w${config.index}.${++seq}`;
		let batch: ScheduledMessage[];
		const before = Date.now();
		try {
			batch = await queue.claimDue({ batchSize: config.batchSize, leaseSeconds: config.leaseSeconds, workerId: tag });
		} catch (error) {
			write({ ev: 'error', w: config.index, where: 'claimDue', message: errorFields(error).message, at: Date.now() });
			await sleep(config.idlePollMs);
			continue;
		}
		const after = Date.now();
		if (batch.length === 0) {
			try {
				await queue.releaseExpiredLeases();
			} catch (error) {
				write({ ev: 'error', w: config.index, where: 'releaseExpiredLeases', message: errorFields(error).message, at: Date.now() });
			}
			await sleep(config.idlePollMs);
			continue;
		}
		claims += 1;
		for (const message of batch) {
			const expires = message.leaseExpiresAt ? Date.parse(message.leaseExpiresAt) : Number.NaN;
			write({ ev: 'claim', w: config.index, tag, id: message.id, start: expires - config.leaseSeconds * 1000, expires, before, after });
		}
		await tell({ type: 'claimed', tag, count: batch.length });
		const sendNow: ScheduledMessage[] = [];
		for (const message of batch) {
			const hold = message.metadata.hold === true && message.metadata.holdBy === config.index && !seen.has(message.id);
			seen.add(message.id);
			if (!hold) {
				sendNow.push(message);
				continue;
			}
			const expires = message.leaseExpiresAt ? Date.parse(message.leaseExpiresAt) : Date.now();
			holds.push(
				sleep(Math.max(0, expires + config.holdPastLeaseMs - Date.now())).then(() => {
					write({ ev: 'send', w: config.index, tag, id: message.id, at: Date.now() });
					return complete(message, tag, true);
				}),
			);
		}
		if (config.completeMode === 'many') {
			// Send the whole batch, then report it in one completeMany call.
			for (const message of sendNow) {
				write({ ev: 'send', w: config.index, tag, id: message.id, at: Date.now() });
				if (config.sendDelayMs > 0) await sleep(config.sendDelayMs);
			}
			if (sendNow.length > 0) await completeMany(sendNow, tag);
		} else {
			for (const message of sendNow) {
				write({ ev: 'send', w: config.index, tag, id: message.id, at: Date.now() });
				if (config.sendDelayMs > 0) await sleep(config.sendDelayMs);
				await complete(message, tag, false);
			}
		}
	}
	await Promise.all(holds);
	clearTimeout(deadline);
	await queue.close();
	await tell({ type: 'stopped', claims, completes });
}

// ---------------------------------------------------------------------------------------------
// Parent side
// ---------------------------------------------------------------------------------------------

export interface WorkerHandle {
	index: number;
	child: ChildProcess;
	journal: string;
	/** Resolves when the worker has opened its queue and waits for `go`. */
	ready: Promise<void>;
	/** Resolves with the first `claimed` notice (the worker holds a batch). */
	firstClaim: Promise<{ tag: string; count: number }>;
	/** Resolves when the process has exited (code or signal), never rejects. */
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
	/** What the worker wrote to stderr (for failure messages). */
	stderr(): string;
	send(message: ToWorker): void;
}

export const workerDefaults: Omit<WorkerConfig, 'index' | 'connectionString' | 'journal'> = {
	batchSize: 25,
	leaseSeconds: 60,
	sendDelayMs: 0,
	holdPastLeaseMs: 1500,
	idlePollMs: 40,
	completeMode: 'each',
	maxConnections: 3,
	deadlineMs: 50_000,
};

/** Forks this file as a worker process on the current Node (tests run on Node 24) with tsx. */
export function startWorker(config: WorkerConfig): WorkerHandle {
	const child = fork(__filename, [JSON.stringify(config)], {
		execPath: process.execPath,
		execArgv: ['--import', 'tsx'],
		stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
	});
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => {
		stderr += chunk.toString('utf8');
	});
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
	const failed = (what: string) => exited.then(({ code, signal }) => Promise.reject(new Error(`worker ${config.index} exited (code ${code}, signal ${signal}) before ${what}\n${stderr}`)));
	const ready = Promise.race([new Promise<void>((resolve) => child.on('message', (m: FromWorker) => m.type === 'ready' && resolve())), failed('it was ready')]);
	const firstClaim = Promise.race([
		new Promise<{ tag: string; count: number }>((resolve) => child.on('message', (m: FromWorker) => m.type === 'claimed' && resolve({ tag: m.tag, count: m.count }))),
		failed('it claimed anything'),
	]);
	// Either promise may be left unobserved by a test; never let that crash the runner.
	ready.catch(() => undefined);
	firstClaim.catch(() => undefined);
	return {
		index: config.index,
		child,
		journal: config.journal,
		ready,
		firstClaim,
		exited,
		stderr: () => stderr,
		send: (message) => {
			if (child.connected) child.send(message);
		},
	};
}

/** Sends `stop`, waits up to `graceMs` for a clean exit, then SIGKILLs. Returns how it ended. */
export async function stopWorker(worker: WorkerHandle, graceMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
	worker.send({ type: 'stop' });
	const timer = setTimeout(() => worker.child.kill('SIGKILL'), graceMs);
	const result = await worker.exited;
	clearTimeout(timer);
	return result;
}

/** Every journal line of the given files, in file order. A torn last line (SIGKILL mid-write) is skipped. */
export function readJournals(files: string[]): JournalEntry[] {
	const entries: JournalEntry[] = [];
	for (const file of files) {
		if (!existsSync(file)) continue;
		for (const line of readFileSync(file, 'utf8').split('\n')) {
			if (!line.trim()) continue;
			try {
				entries.push(JSON.parse(line) as JournalEntry);
			} catch {
				// only possible for the last line of a killed worker
			}
		}
	}
	return entries;
}

export function journalPath(dir: string, name: string): string {
	return join(dir, `${name}.jsonl`);
}

/**
 * Lease safety from the journals: for every message, the leases of its claims never overlap — a
 * claim starts no earlier than the previous claim's lease expiry. Returns one line per violation.
 * `toleranceMs` absorbs only the millisecond rounding of ISO timestamps.
 */
export function leaseOverlaps(entries: JournalEntry[], toleranceMs = 2): string[] {
	const byMessage = new Map<string, Array<Extract<JournalEntry, { ev: 'claim' }>>>();
	for (const e of entries) {
		if (e.ev !== 'claim') continue;
		const list = byMessage.get(e.id) ?? [];
		list.push(e);
		byMessage.set(e.id, list);
	}
	const problems: string[] = [];
	for (const [id, claims] of byMessage) {
		claims.sort((a, b) => a.start - b.start);
		for (let i = 1; i < claims.length; i++) {
			const previous = claims[i - 1]!;
			const current = claims[i]!;
			if (current.start + toleranceMs < previous.expires) {
				problems.push(
					`message ${id}: ${current.tag} claimed it at ${new Date(current.start).toISOString()} while ${previous.tag}'s lease ran until ${new Date(previous.expires).toISOString()}`,
				);
			}
		}
	}
	return problems;
}

if (require.main === module) {
	const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
	runWorker(config).then(
		() => process.exit(0),
		(error: unknown) => {
			console.error(error);
			process.exit(1);
		},
	);
}
