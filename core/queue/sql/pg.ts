/**
 * SqlClient over PostgreSQL through `pg` (a Pool): for several workers, processes or hosts sharing
 * one queue (n8n queue mode, several Node-RED instances, Supabase).
 *
 * Statements with parameters run as named prepared statements: each connection parses and plans a
 * statement text once and afterwards only binds and executes it. The queue runs a handful of texts
 * over and over (claim, complete, fail), and planning their CTEs cost about as much as running them
 * at batch 1. Names are per text, per client; the server keeps them per connection.
 */
import type { Pool, PoolClient, PoolConfig } from 'pg';
import type { SqlClient, SqlExecutor, SqlResult } from './client';

/** More distinct statement texts than the queue has (list() builds a few per filter): a bound, not a working limit. */
const MAX_PREPARED = 512;

function wrap(db: Pick<Pool | PoolClient, 'query'>, names: Map<string, string>, limit: number): SqlExecutor {
	return {
		async query<Row>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
			let name = params.length ? names.get(sql) : undefined;
			if (name === undefined && params.length && names.size < limit) {
				name = `switchboard_${names.size + 1}`;
				names.set(sql, name);
			}
			const result = await db.query(name ? { name, text: sql, values: params as unknown[] } : { text: sql, values: params as unknown[] });
			return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
		},
	};
}

export async function openPgClient(config: PoolConfig, options: { preparedStatements: boolean }): Promise<SqlClient> {
	const { Pool } = await import('pg');
	const pool = new Pool(config);
	// An idle client losing its connection (server restart) emits 'error' on the pool; without a
	// listener that would crash the host process. The next query gets a fresh connection.
	pool.on('error', () => undefined);
	const names = new Map<string, string>();
	const limit = options.preparedStatements ? MAX_PREPARED : 0;
	const executor = wrap(pool, names, limit);
	return {
		kind: 'postgres',
		query: executor.query,
		async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
			const client = await pool.connect();
			let broken: Error | undefined;
			try {
				await client.query('BEGIN');
				const result = await fn(wrap(client, names, limit));
				await client.query('COMMIT');
				return result;
			} catch (error) {
				try {
					await client.query('ROLLBACK');
				} catch (rollbackError) {
					// The connection is unusable: drop it from the pool instead of reusing it.
					broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
				}
				throw error;
			} finally {
				client.release(broken);
			}
		},
		close: () => pool.end(),
	};
}
