/**
 * The one seam between the queue and a database: the same SQL runs on the embedded PGlite store and
 * on PostgreSQL through `pg`. Adapters normalise what differs (result shapes, transactions, closing).
 *
 * Parameter conventions the queue follows so both drivers read them the same way: times are ISO 8601
 * strings cast with `::timestamptz`, JSON is a string cast with `::text::jsonb`, arrays are JS arrays
 * cast with `::text[]` / `::uuid[]`; counts are cast to `::int` so no driver returns a bigint.
 */
export interface SqlResult<Row> {
	rows: Row[];
	/** Rows changed (INSERT/UPDATE/DELETE) or returned (SELECT). */
	rowCount: number;
}

export interface SqlExecutor {
	query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
}

export interface SqlClient extends SqlExecutor {
	readonly kind: 'embedded' | 'postgres';
	/**
	 * Runs `fn` in one transaction (READ COMMITTED) on one connection: committed when it resolves,
	 * rolled back when it throws. Inside, use only `tx` — the client itself may be busy (PGlite has a
	 * single connection and would wait for this very transaction).
	 */
	transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
	close(): Promise<void>;
}
