/**
 * SqlClient over PGlite (PostgreSQL compiled to WASM, in-process): the zero-configuration embedded
 * store. One connection; PGlite itself serialises queries and transactions, so concurrent callers in
 * this process queue up instead of interleaving. It must never be opened by two processes at once
 * (hosts inject a StoreLock for that).
 *
 * Prepared statements: PGlite's query() parses, plans and describes every statement on every call
 * (six protocol round trips through WASM). The queue runs a handful of statement texts over and over,
 * so statements with parameters are prepared once under a name (parse + describe) and afterwards
 * only bound and executed, in one protocol exchange (about a quarter less work per statement in our
 * measurements). The plain query() path remains for everything else (DDL, statements without
 * parameters, and when the cache is full).
 */
import type { PGlite, Results } from '@electric-sql/pglite';
import type { SqlClient, SqlExecutor, SqlResult } from './client';

type PGliteModule = typeof import('@electric-sql/pglite');

/** More distinct statement texts than the queue has: a bound, not a working limit. */
const MAX_PREPARED = 256;

interface Prepared {
	name: string;
	paramTypes: number[];
}

function concat(parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let offset = 0;
	for (const part of parts) {
		out.set(part, offset);
		offset += part.length;
	}
	return out;
}

function toResult<Row>(result: Results<Row>): SqlResult<Row> {
	return { rows: result.rows, rowCount: result.affectedRows ?? result.rowCount ?? result.rows.length };
}

export async function openPgliteClient(dataDir: string): Promise<SqlClient> {
	// Loaded on demand: the WASM build is large, and PostgreSQL users never need it.
	const pglite: PGliteModule = await import('@electric-sql/pglite');
	const db = await pglite.PGlite.create(dataDir);
	const serialize = pglite.protocol?.serialize;
	const prepared = new Map<string, Prepared>();
	let counter = 0;

	/** Runs a named statement; the caller holds PGlite's query lock (and the transaction lock, or is inside a transaction). */
	async function runPrepared<Row>(sql: string, params: readonly unknown[], inTransaction: boolean): Promise<SqlResult<Row>> {
		let statement = prepared.get(sql);
		if (!statement) {
			const name = `switchboard_${++counter}`;
			const described = await db.execProtocolStream(concat([serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync()]), {
				syncToFs: false,
			});
			statement = { name, paramTypes: pglite.parse.parseDescribeStatementResults(described) };
			prepared.set(sql, statement);
		}
		const values = params.map((value, i) => {
			if (value === null || value === undefined) return null;
			const serializer = db.serializers[statement.paramTypes[i]!];
			return serializer ? serializer(value) : String(value);
		});
		const messages = await db.execProtocolStream(
			concat([serialize.bind({ statement: statement.name, values: values as string[] }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]),
			{ syncToFs: false },
		);
		// Outside a transaction each statement is its own commit: persist it like query() does.
		if (!inTransaction) await db.syncToFs();
		return toResult(pglite.parse.parseResults(messages, db.parsers)[0] as Results<Row>);
	}

	// The fast path uses PGlite's protocol-level API (execProtocolStream, its locks, its result
	// parser). Should a PGlite release change those, everything still works through query().
	const protocolApi =
		typeof db.execProtocolStream === 'function' &&
		typeof db._runExclusiveQuery === 'function' &&
		typeof db._runExclusiveTransaction === 'function' &&
		typeof pglite.parse?.parseResults === 'function' &&
		typeof pglite.parse?.parseDescribeStatementResults === 'function' &&
		typeof serialize?.bind === 'function';
	const usePrepared = (sql: string, params: readonly unknown[]): boolean => protocolApi && params.length > 0 && (prepared.has(sql) || prepared.size < MAX_PREPARED);

	const executor = (tx: Pick<PGlite, 'query'> | undefined): SqlExecutor => ({
		async query<Row>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
			if (!usePrepared(sql, params)) return toResult(await (tx ?? db).query<Row>(sql, params as unknown[]));
			// Inside a transaction the transaction lock is ours already; outside, take both locks
			// in query()'s order so nothing interleaves with a running transaction.
			if (tx) return db._runExclusiveQuery(() => runPrepared<Row>(sql, params, true));
			return db._runExclusiveTransaction(() => db._runExclusiveQuery(() => runPrepared<Row>(sql, params, false)));
		},
	});
	const top = executor(undefined);

	return {
		kind: 'embedded',
		query: top.query,
		transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
		close: () => db.close(),
	};
}
