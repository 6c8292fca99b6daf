import { createHash } from 'node:crypto';
/**
 * Host-side plumbing of the Schedule Queue, shared by the n8n and Node-RED nodes (the core cannot
 * touch the file system or the environment):
 *
 * - where the embedded store lives by default: `switchboard/queue` in the host's user folder
 *   (n8n: ~/.n8n or $N8N_USER_FOLDER/.n8n; Node-RED: the userDir, ~/.node-red by default);
 * - a cross-process lock file that keeps a second process out of an embedded store (PGlite is a
 *   single-process database: two processes writing one folder would corrupt it);
 * - a per-process registry, so every node using the same store shares ONE open queue: each user
 *   takes a lease and gives it back; the queue closes when the last lease is released (optionally
 *   after an idle delay, so n8n does not reopen the store for every execution).
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { StoreLockedError } from '../../core/errors';
import { openQueue, type QueueConnection, type QueueOptions, type ScheduleQueue, type StoreLock } from '../../core/queue';

export type QueueHost = 'n8n' | 'node-red';

/** Sub-folder of the host's user folder that holds the embedded store. */
export const STORE_SUBFOLDER = join('switchboard', 'queue');
/** Name of the lock file inside the store folder. */
export const LOCK_FILE_NAME = 'switchboard.lock';

/** n8n's user folder, computed the way n8n does: $N8N_USER_FOLDER (or the home folder) + `.n8n`. */
export function n8nUserFolder(env: NodeJS.ProcessEnv = process.env): string {
	return join(env.N8N_USER_FOLDER || env.HOME || env.USERPROFILE || homedir() || process.cwd(), '.n8n');
}

/** Node-RED's default userDir when the runtime does not say (it normally does: RED.settings.userDir). */
export function nodeRedDefaultUserDir(): string {
	return join(homedir(), '.node-red');
}

/** The host's user folder: the one given, else the host's default. */
export function hostUserFolder(host: QueueHost, userDir?: string): string {
	if (userDir && userDir.trim()) return resolve(userDir.trim());
	return host === 'n8n' ? n8nUserFolder() : nodeRedDefaultUserDir();
}

/** Default folder of the embedded store for a host: `<user folder>/switchboard/queue`. */
export function defaultStoreFolder(host: QueueHost, userDir?: string): string {
	return join(hostUserFolder(host, userDir), STORE_SUBFOLDER);
}

/**
 * The folder a user typed (or none) → an absolute store folder: empty → the host default; `~` → the
 * home folder; relative → inside the host's user folder.
 */
export function resolveStoreFolder(host: QueueHost, folder?: string, userDir?: string): string {
	const typed = folder?.trim();
	if (!typed) return defaultStoreFolder(host, userDir);
	if (typed === '~' || typed.startsWith('~/')) return join(homedir(), typed.slice(1));
	return isAbsolute(typed) ? resolve(typed) : resolve(hostUserFolder(host, userDir), typed);
}

// ---------------------------------------------------------------------------------------------------
// Lock file

/** Lock files this process holds (by path): a lock with our own pid that is not here is stale. */
const heldLocks = new Set<string>();

function pidAlive(pid: number): boolean {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: the process exists but belongs to another user.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

interface LockContent {
	pid: number;
	host: string;
	since: string;
}

function readLock(path: string): { raw: string; content: LockContent | undefined } | undefined {
	let raw: string;
	try {
		raw = readFileSync(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}
	try {
		const parsed = JSON.parse(raw) as Partial<LockContent>;
		if (typeof parsed.pid === 'number') return { raw, content: { pid: parsed.pid, host: String(parsed.host ?? ''), since: String(parsed.since ?? '') } };
	} catch {
		// A bare pid (or a torn write): read it as best we can.
	}
	const pid = Number.parseInt(raw.trim(), 10);
	return { raw, content: Number.isInteger(pid) ? { pid, host: '', since: '' } : undefined };
}

/**
 * A StoreLock backed by `<store folder>/switchboard.lock`, created with `O_EXCL` (`wx`) and holding
 * our pid. When the file exists: a live pid (on this machine) → StoreLockedError naming the folder,
 * the pid and the fix; a dead pid, an unreadable file, or our own pid from an earlier life (pid reuse
 * after a container restart) → the lock is stale and taken over.
 *
 * A lock written by another machine (a shared network volume) cannot be checked and is treated as
 * live. Two processes taking over the same stale lock at the same instant could both win the narrow
 * window between the check and the unlink; the content is re-read just before unlinking to keep that
 * window minimal.
 */
export class FileStoreLock implements StoreLock {
	readonly lockFile: string;
	#held = false;

	constructor(readonly folder: string) {
		this.lockFile = join(folder, LOCK_FILE_NAME);
	}

	async acquire(): Promise<void> {
		if (this.#held) return;
		mkdirSync(this.folder, { recursive: true });
		const me = hostname();
		for (let attempt = 0; attempt < 5; attempt++) {
			try {
				const fd = openSync(this.lockFile, 'wx');
				try {
					writeSync(fd, JSON.stringify({ pid: process.pid, host: me, since: new Date().toISOString() } satisfies LockContent));
				} finally {
					closeSync(fd);
				}
				this.#held = true;
				heldLocks.add(this.lockFile);
				return;
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			}
			const existing = readLock(this.lockFile);
			if (!existing) continue; // released meanwhile: try again
			const holder = existing.content;
			if (holder) {
				const otherMachine = holder.host !== '' && holder.host !== me;
				const ours = holder.pid === process.pid && !otherMachine;
				if (ours && heldLocks.has(this.lockFile)) {
					throw new StoreLockedError(this.folder, holder.pid, this.lockFile, 'this process already (open it once and share it: nodes/shared/queue-host leaseQueue)');
				}
				if (otherMachine) throw new StoreLockedError(this.folder, holder.pid, this.lockFile, `process ${holder.pid} on ${holder.host}`);
				if (!ours && pidAlive(holder.pid)) throw new StoreLockedError(this.folder, holder.pid, this.lockFile);
			}
			// Stale: remove it, unless someone replaced it since we read it.
			const again = readLock(this.lockFile);
			if (again && again.raw !== existing.raw) continue;
			try {
				unlinkSync(this.lockFile);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
			}
		}
		throw new StoreLockedError(this.folder, 0, this.lockFile, 'another process (the lock file keeps changing)');
	}

	async release(): Promise<void> {
		if (!this.#held) return;
		this.#held = false;
		heldLocks.delete(this.lockFile);
		const current = readLock(this.lockFile);
		// Only remove our own lock file.
		if (current?.content?.pid === process.pid) {
			try {
				unlinkSync(this.lockFile);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
			}
		}
	}
}

export function createStoreLock(folder: string): StoreLock {
	return new FileStoreLock(folder);
}

// ---------------------------------------------------------------------------------------------------
// Per-process registry

export interface QueueLease {
	/** The shared queue. Its close() gives this lease back (it does not close the queue for others). */
	queue: ScheduleQueue;
	/** Gives the lease back; the last one closes the queue. Idempotent. */
	release(): Promise<void>;
}

export interface LeaseOptions extends Omit<QueueOptions, 'connection'> {
	/**
	 * How long the queue stays open after the last lease is released, in ms (default 0: close at
	 * once). n8n opens a lease per execution: a delay avoids reopening the store for every run.
	 */
	idleCloseMs?: number;
}

interface Entry {
	key: string;
	opening: Promise<ScheduleQueue>;
	refs: number;
	idleTimer?: ReturnType<typeof setTimeout>;
	closing?: Promise<void>;
}

const registry = new Map<string, Entry>();
/** Stores being closed: a new open of the same store waits for it (the lock is still held until then). */
const closingStores = new Map<string, Promise<void>>();

/**
 * Identifies a store: the same key ⇔ the same data. Embedded: the absolute folder; PostgreSQL: the
 * server, database and user (never the password).
 */
export function storeKey(connection: QueueConnection): string {
	if (connection.kind === 'embedded') return `embedded:${resolve(connection.dataDir)}`;
	return `postgres:${readablePostgresKey(connection)}#${connectionFingerprint(connection)}`;
}

/**
 * Two PostgreSQL settings share one pool only when every setting is equal — password and TLS
 * included — so an edited or wrong password never rides on a pool opened with the right one. The
 * fingerprint is a hash: the key itself may show up in logs.
 */
function connectionFingerprint(connection: Extract<QueueConnection, { kind: 'postgres' }>): string {
	const fields = Object.keys(connection)
		.sort()
		.map((key) => [key, (connection as Record<string, unknown>)[key]]);
	return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);
}

function readablePostgresKey(connection: Extract<QueueConnection, { kind: 'postgres' }>): string {
	if (connection.connectionString) {
		try {
			const url = new URL(connection.connectionString);
			return `${decodeURIComponent(url.username)}@${url.hostname}:${url.port || 5432}${url.pathname}`;
		} catch {
			return connection.connectionString.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
		}
	}
	return `${connection.user ?? ''}@${connection.host ?? ''}:${connection.port ?? 5432}/${connection.database ?? ''}`;
}

async function closeEntry(entry: Entry): Promise<void> {
	if (registry.get(entry.key) === entry) registry.delete(entry.key);
	if (entry.idleTimer) clearTimeout(entry.idleTimer);
	if (!entry.closing) {
		const closing = entry.opening.then(
			(queue) => queue.close(),
			() => undefined,
		);
		entry.closing = closing;
		const settled = closing.catch(() => undefined);
		closingStores.set(entry.key, settled);
		void settled.then(() => {
			if (closingStores.get(entry.key) === settled) closingStores.delete(entry.key);
		});
	}
	return entry.closing;
}

/**
 * A lease on the shared queue for `connection`, opening it on first use. An embedded store gets the
 * lock file automatically (unless the connection brings its own lock). The first opener's options
 * (clock, retry policy, worker id) apply to everyone sharing the queue; per-call options (claim's
 * workerId, fail's retry) cover the differences.
 */
export async function leaseQueue(connection: QueueConnection, options: LeaseOptions = {}): Promise<QueueLease> {
	const key = storeKey(connection);
	let entry = registry.get(key);
	if (!entry) {
		const { idleCloseMs: _idle, ...queueOptions } = options;
		void _idle;
		const withLock: QueueConnection =
			connection.kind === 'embedded' && !connection.lock ? { ...connection, dataDir: resolve(connection.dataDir), lock: createStoreLock(resolve(connection.dataDir)) } : connection;
		const previous = closingStores.get(key) ?? Promise.resolve();
		const created: Entry = { key, refs: 0, opening: previous.then(() => openQueue({ ...queueOptions, connection: withLock })) };
		created.opening.catch(() => {
			if (registry.get(key) === created) registry.delete(key);
		});
		registry.set(key, created);
		entry = created;
	}
	const current = entry;
	current.refs++;
	if (current.idleTimer) {
		clearTimeout(current.idleTimer);
		current.idleTimer = undefined;
	}
	let queue: ScheduleQueue;
	try {
		queue = await current.opening;
	} catch (error) {
		current.refs--;
		throw error;
	}
	let released = false;
	const release = async (): Promise<void> => {
		if (released) return;
		released = true;
		current.refs--;
		if (current.refs > 0 || current.closing) return;
		const idle = options.idleCloseMs ?? 0;
		if (idle > 0) {
			current.idleTimer = setTimeout(() => void closeEntry(current).catch(() => undefined), idle);
			current.idleTimer.unref?.();
			return;
		}
		await closeEntry(current);
	};
	// Everything but close() goes to the shared queue (every method, including ones added later, bound to
	// it); close() gives this lease back. A Proxy rather than a copied method list keeps the handle the
	// queue's own class to the core (internalSqlClient, rateLimitStoreFor) and never misses a method.
	const handle = new Proxy(queue, {
		get(target, property) {
			if (property === 'close') return release;
			const value: unknown = Reflect.get(target, property, target);
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
	return { queue: handle, release };
}

/** leaseQueue for callers that only want the queue: its close() releases the lease. */
export async function openSharedQueue(connection: QueueConnection, options: LeaseOptions = {}): Promise<ScheduleQueue> {
	return (await leaseQueue(connection, options)).queue;
}

/** How many leases are out on a store (0 when it is not open). For tests and diagnostics. */
export function leaseCount(connection: QueueConnection): number {
	return registry.get(storeKey(connection))?.refs ?? 0;
}

/** Closes every queue of the registry whatever its leases (process shutdown, test teardown). */
export async function closeAllQueues(): Promise<void> {
	const entries = [...registry.values()];
	await Promise.all(entries.map((entry) => closeEntry(entry).catch(() => undefined)));
}
