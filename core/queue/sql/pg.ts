/**
 * SqlClient over PostgreSQL through `pg` (a Pool): for several workers, processes or hosts sharing
 * one queue (n8n queue mode, several Node-RED instances, Supabase).
 */
import type { Pool, PoolClient, PoolConfig } from 'pg';
import type { SqlClient, SqlExecutor, SqlResult } from './client';

function wrap(db: Pick<Pool | PoolClient, 'query'>): SqlExecutor {
	return {
		async query<Row>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
			const result = await db.query(sql, params as unknown[]);
			return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
		},
	};
}

export async function openPgClient(config: PoolConfig): Promise<SqlClient> {
	const { Pool } = await import('pg');
	const pool = new Pool(config);
	// An idle client losing its connection (server restart) emits 'error' on the pool; without a
	// listener that would crash the host process. The next query gets a fresh connection.
	pool.on('error', () => undefined);
	const executor = wrap(pool);
	return {
		kind: 'postgres',
		query: executor.query,
		async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
			const client = await pool.connect();
			let broken: Error | undefined;
			try {
				await client.query('BEGIN');
				const result = await fn(wrap(client));
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
