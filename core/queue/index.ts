/**
 * openQueue(options): the Schedule Queue on the embedded PGlite store (default) or on PostgreSQL.
 * Opening connects, applies the missing schema migrations (safely when several processes open at
 * once) and returns a ScheduleQueue; close() releases the connection and, for the embedded store,
 * the host's StoreLock.
 *
 *   const queue = await openQueue({ connection: { kind: 'embedded', dataDir: '/home/me/.n8n/switchboard/queue' } });
 *   const queue = await openQueue({ connection: { kind: 'postgres', connectionString: 'postgres://…' } });
 */
import { InvalidQueueInputError, QueueStoreError, SwitchboardError } from '../errors';
import { migrate } from './migrations';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from './retry';
import type { SqlClient } from './sql/client';
import { openPgClient } from './sql/pg';
import { openPgliteClient } from './sql/pglite';
import { QueueStore } from './store';
import type { QueueConnection, QueueOptions, ScheduleQueue, StoreLock } from './types';
import { describe, isPlainObject } from './validate';

export * from './types';
export {
	EDGES,
	TRANSITIONS,
	FINAL_STATUSES,
	RESCHEDULABLE,
	canTransition,
	assertTransition,
	appliesTo,
	normalizeStatus,
	sourcesOf,
	isQueueStatus,
	type Edge,
	type QueueOperation,
	type StatusInput,
} from './state-machine';
export { DEFAULT_RETRY_POLICY, RETRY_STRATEGIES, decideRetry, retryDelaySeconds, resolveRetryPolicy, type RetryDecision } from './retry';
export { MIGRATIONS, LATEST_SCHEMA_VERSION, MESSAGES_TABLE, ATTEMPTS_TABLE, MIGRATIONS_TABLE, RATE_LIMITS_TABLE, EVENTS_TABLE, ORPHANS_TABLE, EXTERNAL_IDS_TABLE } from './migrations';
export { MAX_EVENTS_PER_CALL, EVENT_TARGET, FAILURE_EVENTS, eventKey } from './events';
export { DEFAULT_REQUEUE_LIMIT, MAX_REQUEUE_LIMIT, MAX_UNDELIVERED_MINUTES } from './requeue';
export { DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, DEFAULT_LEASE_SECONDS, MAX_LEASE_SECONDS, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './store';

/** Defaults for a PostgreSQL pool per process. */
export const DEFAULT_MAX_CONNECTIONS = 5;
const CONNECT_TIMEOUT_MS = 10_000;

export async function openQueue(options: QueueOptions): Promise<ScheduleQueue> {
	if (!isPlainObject(options)) throw new InvalidQueueInputError([{ field: 'options', message: `must be { connection, … } (got ${describe(options)})` }]);
	const connection = readConnection(options.connection);
	for (const key of ['now', 'random'] as const) {
		if (options[key] !== undefined && typeof options[key] !== 'function') {
			throw new InvalidQueueInputError([{ field: key, message: `must be a function (got ${describe(options[key])})` }]);
		}
	}
	if (options.workerId !== undefined && (typeof options.workerId !== 'string' || options.workerId.trim() === '')) {
		throw new InvalidQueueInputError([{ field: 'workerId', message: `must be non-empty text (got ${describe(options.workerId)})` }]);
	}
	if (options.retry !== undefined && !isPlainObject(options.retry)) {
		throw new InvalidQueueInputError([{ field: 'retry', message: `must be a retry policy object (got ${describe(options.retry)})` }]);
	}
	const retry = resolveRetryPolicy(options.retry, DEFAULT_RETRY_POLICY);
	const now = options.now ?? (() => new Date());
	const random = options.random ?? Math.random;
	const workerId = options.workerId ?? `worker-${globalThis.crypto.randomUUID()}`;

	const lock: StoreLock | undefined = connection.kind === 'embedded' ? connection.lock : undefined;
	if (lock) await lock.acquire();
	let client: SqlClient | undefined;
	try {
		client = connection.kind === 'embedded' ? await openPgliteClient(connection.dataDir) : await openPgClient(poolConfig(connection), { preparedStatements: connection.preparedStatements ?? true });
		await migrate(client, now());
	} catch (error) {
		await client?.close().catch(() => undefined);
		await lock?.release().catch(() => undefined);
		throw storeError(connection, error);
	}
	const store = new QueueStore(client, { now, random, retry, workerId, onClose: lock ? () => lock.release() : undefined });
	await store.prepare().catch(() => undefined); // best effort: statistics only
	return store;
}

function readConnection(value: unknown): QueueConnection {
	if (!isPlainObject(value)) {
		throw new InvalidQueueInputError([
			{ field: 'connection', message: `is required: { kind: "embedded", dataDir } or { kind: "postgres", connectionString | host… } (got ${describe(value)})` },
		]);
	}
	if (value.kind === 'embedded') {
		if (typeof value.dataDir !== 'string' || value.dataDir.trim() === '') {
			throw new InvalidQueueInputError([{ field: 'connection.dataDir', message: 'is required: the folder of the embedded store (hosts default it to their user folder)' }]);
		}
		const lock = value.lock;
		if (lock !== undefined && (typeof lock !== 'object' || lock === null || typeof (lock as StoreLock).acquire !== 'function' || typeof (lock as StoreLock).release !== 'function')) {
			throw new InvalidQueueInputError([{ field: 'connection.lock', message: 'must have acquire() and release()' }]);
		}
		return value as QueueConnection;
	}
	if (value.kind === 'postgres') {
		const hasString = typeof value.connectionString === 'string' && value.connectionString.trim() !== '';
		if (!hasString && (typeof value.host !== 'string' || value.host.trim() === '')) {
			throw new InvalidQueueInputError([
				{ field: 'connection.connectionString', message: 'is required (postgres://user:password@host:5432/database), or give host, port, database, user and password' },
			]);
		}
		if (value.port !== undefined && (typeof value.port !== 'number' || !Number.isInteger(value.port) || value.port < 1 || value.port > 65535)) {
			throw new InvalidQueueInputError([{ field: 'connection.port', message: `must be a port number from 1 to 65535 (got ${describe(value.port)})` }]);
		}
		if (value.maxConnections !== undefined && (typeof value.maxConnections !== 'number' || !Number.isInteger(value.maxConnections) || value.maxConnections < 1)) {
			throw new InvalidQueueInputError([{ field: 'connection.maxConnections', message: `must be a whole number ≥ 1 (got ${describe(value.maxConnections)})` }]);
		}
		if (value.preparedStatements !== undefined && typeof value.preparedStatements !== 'boolean') {
			throw new InvalidQueueInputError([{ field: 'connection.preparedStatements', message: `must be true or false (got ${describe(value.preparedStatements)})` }]);
		}
		return value as QueueConnection;
	}
	throw new InvalidQueueInputError([{ field: 'connection.kind', message: `must be "embedded" or "postgres" (got ${describe(value.kind)})` }]);
}

function poolConfig(connection: Extract<QueueConnection, { kind: 'postgres' }>): import('pg').PoolConfig {
	return {
		...(connection.connectionString ? { connectionString: connection.connectionString } : {}),
		...(connection.host !== undefined ? { host: connection.host } : {}),
		...(connection.port !== undefined ? { port: connection.port } : {}),
		...(connection.database !== undefined ? { database: connection.database } : {}),
		...(connection.user !== undefined ? { user: connection.user } : {}),
		...(connection.password !== undefined ? { password: connection.password } : {}),
		...(connection.ssl !== undefined ? { ssl: connection.ssl } : {}),
		max: connection.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
		connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
		application_name: 'switchboard',
	};
}

/** Opening failures become QueueStoreError with a hint for the store in use (typed errors pass through). */
function storeError(connection: QueueConnection, error: unknown): Error {
	if (error instanceof SwitchboardError) return error;
	const reason = error instanceof Error ? error.message || error.name : String(error);
	if (connection.kind === 'embedded') {
		return new QueueStoreError(
			`Could not open the embedded queue store in "${connection.dataDir}": ${reason}`,
			'Check that the folder is writable and holds only a Switchboard store (or is empty). If it was copied while in use, restore it from a copy taken while no process had it open.',
			error,
		);
	}
	const where = connection.connectionString ? redact(connection.connectionString) : `${connection.host}:${connection.port ?? 5432}/${connection.database ?? ''}`;
	return new QueueStoreError(
		`Could not open the PostgreSQL queue at ${where}: ${reason}`,
		'Check that the server is running and reachable, and the host, port, database, user, password and SSL setting; the user needs CREATE rights on the database for the first start (the tables are created automatically).',
		error,
	);
}

/** A connection string without its password, for error messages. */
function redact(connectionString: string): string {
	return connectionString.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
