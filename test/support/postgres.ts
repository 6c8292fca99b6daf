/**
 * A throwaway PostgreSQL server for tests and benchmarks: `initdb` into a temp folder (trust auth, no
 * fsync), `pg_ctl start` on a free port with its unix sockets in the same temp folder, wait until it
 * accepts connections; `stop()` runs `pg_ctl stop -m immediate` and deletes the folder.
 *
 * One cluster per test file, one database per suite or test:
 *
 *   import { usePostgres } from '../support/postgres';
 *   const pg = usePostgres();                         // registers before/after hooks in this file
 *   test('…', async () => {
 *     const db = await pg().createDatabase();         // fresh, empty database
 *     const queue = await openQueue({ connection: { kind: 'postgres', connectionString: db.connectionString } });
 *   });
 *
 * Outside node:test (bench, scripts): `const cluster = await startPostgres(); … await cluster.stop();`.
 *
 * PostgreSQL refuses to run as root; when the tests run as root (containers, CI), initdb and pg_ctl
 * run as the `postgres` system user and the temp folder is handed to it. The server binaries are
 * found on PATH (PG_BIN, when set, names their folder). A process exit handler stops any cluster
 * still running, so a crashed or interrupted test file leaves no server behind.
 */
import { spawnSync, type SpawnOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Client } from 'pg';
import { freePort, waitFor } from './net';

export interface PostgresDatabase {
	name: string;
	/** postgres://postgres@127.0.0.1:<port>/<name> (trust auth: no password). */
	connectionString: string;
	/** The same database as discrete fields, for code that takes host/port/database/user. */
	host: string;
	port: number;
	user: string;
}

export interface PostgresCluster {
	/** The temp folder holding data/, the unix sockets and server.log. */
	root: string;
	host: string;
	port: number;
	user: string;
	/** Folder of the unix socket (`host` for pg / psql when connecting by socket). */
	socketDir: string;
	/** Connection string for a database of this cluster (default: the `postgres` maintenance database). */
	connectionString(database?: string): string;
	/** CREATE DATABASE with a unique name (or the given one) and return how to reach it. */
	createDatabase(name?: string): Promise<PostgresDatabase>;
	/** DROP DATABASE … WITH (FORCE): ends the database's sessions first. */
	dropDatabase(name: string): Promise<void>;
	/** Runs SQL on a database of this cluster (default `postgres`) on a short-lived connection. */
	query<Row extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<Row[]>;
	/** The server log so far (for failure messages). */
	log(): string;
	/** pg_ctl stop -m immediate, then delete the temp folder. Idempotent. */
	stop(): Promise<void>;
}

export interface StartPostgresOptions {
	/** Extra `-c name=value` server settings. */
	settings?: Record<string, string | number>;
	/** How long to wait for the server to accept connections (default 60 s). */
	startTimeoutMs?: number;
}

const USER = 'postgres';
const running = new Set<{ stopSync: () => void }>();
let exitHookInstalled = false;

function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	// `after` hooks do not run when the process is killed by a signal or exits early; this does.
	process.on('exit', () => {
		for (const cluster of running) cluster.stopSync();
	});
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			for (const cluster of running) cluster.stopSync();
			process.kill(process.pid, signal);
		});
	}
}

function binary(name: string): string {
	return process.env.PG_BIN ? join(process.env.PG_BIN, name) : name;
}

/** uid/gid of the `postgres` system user, when we are root (PostgreSQL will not run as root). */
function serverIdentity(): { uid: number; gid: number } | undefined {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
	const line = readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((l) => l.startsWith(`${USER}:`));
	if (!line) throw new Error('Tests run as root, and PostgreSQL refuses to run as root: create a "postgres" system user (apt-get install postgresql does) or run the tests as another user.');
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

function run(cmd: string, args: string[], identity: { uid: number; gid: number } | undefined, what: string): void {
	const options: SpawnOptions = { stdio: ['ignore', 'pipe', 'pipe'], ...(identity ?? {}) };
	const result = spawnSync(binary(cmd), args, { ...options, encoding: 'utf8', timeout: 120_000 });
	if (result.error) throw new Error(`${what}: could not run ${cmd} (${result.error.message}). Is PostgreSQL installed (initdb, pg_ctl on PATH, or PG_BIN set)?`);
	if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/** Starts a fresh PostgreSQL server in a temp folder. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresCluster> {
	installExitHook();
	const identity = serverIdentity();
	const root = mkdtempSync(join(tmpdir(), 'switchboard-pg-'));
	if (identity) chownSync(root, identity.uid, identity.gid);
	const dataDir = join(root, 'data');
	const logFile = join(root, 'server.log');
	let stopped = false;

	const stopSync = (): void => {
		if (stopped) return;
		stopped = true;
		running.delete(handle);
		if (existsSync(join(dataDir, 'postmaster.pid'))) {
			spawnSync(binary('pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], { stdio: 'ignore', timeout: 60_000, ...(identity ?? {}) });
		}
		rmSync(root, { recursive: true, force: true });
	};
	const handle = { stopSync };
	running.add(handle);

	try {
		run('initdb', ['-D', dataDir, '-U', USER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], identity, 'initdb');
		const settings: Record<string, string | number> = {
			listen_addresses: '127.0.0.1',
			unix_socket_directories: root,
			fsync: 'off',
			synchronous_commit: 'off',
			full_page_writes: 'off',
			max_connections: 200,
			shared_buffers: '64MB',
			...options.settings,
		};
		// A port found free can be taken before the server binds it: try a few.
		let port = 0;
		let lastError: unknown;
		for (let attempt = 0; attempt < 5 && port === 0; attempt++) {
			const candidate = await freePort();
			const opts = [`-p ${candidate}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
			try {
				run('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', opts, '-w', '-t', String(Math.ceil((options.startTimeoutMs ?? 60_000) / 1000)), 'start'], identity, 'pg_ctl start');
				port = candidate;
			} catch (error) {
				lastError = error;
			}
		}
		if (port === 0) throw new Error(`${(lastError as Error).message}\n--- server.log ---\n${readLog(logFile)}`);

		const connectionString = (database = 'postgres'): string => `postgres://${USER}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
		const query = async <Row extends Record<string, unknown>>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<Row[]> => {
			const client = new Client({ connectionString: connectionString(database) });
			await client.connect();
			try {
				return (await client.query<Row>(sql, params)).rows;
			} finally {
				await client.end();
			}
		};
		await waitFor(
			async () => {
				await query('SELECT 1');
				return true;
			},
			options.startTimeoutMs ?? 60_000,
			`PostgreSQL on port ${port} (log: ${logFile})`,
		);

		let counter = 0;
		const cluster: PostgresCluster = {
			root,
			host: '127.0.0.1',
			port,
			user: USER,
			socketDir: root,
			connectionString,
			query,
			async createDatabase(name?: string) {
				const dbName = name ?? `test_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
				if (!/^[a-z_][a-z0-9_]*$/.test(dbName)) throw new Error(`createDatabase: "${dbName}" must be lower-case letters, digits and underscores`);
				await query(`CREATE DATABASE "${dbName}"`);
				return { name: dbName, connectionString: connectionString(dbName), host: '127.0.0.1', port, user: USER };
			},
			async dropDatabase(name: string) {
				await query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
			},
			log: () => readLog(logFile),
			async stop() {
				stopSync();
			},
		};
		return cluster;
	} catch (error) {
		stopSync();
		throw error;
	}
}

function readLog(file: string): string {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return '(no server log)';
	}
}

/**
 * Registers `before` (start one cluster for this test file) and `after` (stop it and delete its
 * folder, also when tests failed) and returns a getter for the running cluster. Call at module level
 * or inside a `describe`.
 */
export function usePostgres(options: StartPostgresOptions = {}): () => PostgresCluster {
	let cluster: PostgresCluster | undefined;
	before(async () => {
		cluster = await startPostgres(options);
	});
	after(async () => {
		await cluster?.stop();
		cluster = undefined;
	});
	return () => {
		if (!cluster) throw new Error('usePostgres(): the cluster is not running (use it inside a test or hook of the same file)');
		return cluster;
	};
}
