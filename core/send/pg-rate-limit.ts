/**
 * The token buckets in the queue's database (table switchboard_rate_limits, migration 2), so a
 * provider's limit holds across processes: n8n in queue mode, several Node-RED instances, several
 * workers of one flow. Same reservation semantics as the in-memory store (./rate-limit.ts), in ONE
 * atomic statement per take — INSERT … ON CONFLICT DO UPDATE locks the key's row, refills it for
 * the time elapsed, consumes one token and returns the balance — so concurrent takes from any number
 * of processes are serialised by the row lock and never hand out the same token twice.
 *
 * Time is the caller's injected clock (as everywhere in the queue). Workers' clocks should agree to
 * well under a token's interval; a clock behind the row's last update refills nothing (it cannot
 * drain a bucket), so skew costs throughput, never the limit.
 *
 *   const queue = await openQueue({ connection: { kind: 'postgres', connectionString } });
 *   await sendMany(messages, { routes, rateLimits: { store: rateLimitStoreFor(queue) } });
 */
import { InvalidSendOptionsError } from '../errors';
import type { RateLimitRule } from '../providers/types';
import { RATE_LIMITS_TABLE } from '../queue/migrations';
import type { SqlExecutor } from '../queue/sql/client';
import { internalSqlClient } from '../queue/store';
import type { ScheduleQueue } from '../queue/types';
import type { RateLimitStore } from './types';

/** Buckets idle this long are deleted now and then (a full bucket and no row are the same thing). */
export const RATE_LIMIT_ROW_TTL_MS = 86_400_000;
/** Takes between two clean-ups of idle rows, per store. */
const PRUNE_EVERY = 5000;

const TAKE_SQL = `INSERT INTO ${RATE_LIMITS_TABLE} AS b (key, tokens, updated_at)
	VALUES ($1, $2::float8 - 1, $3::timestamptz)
	ON CONFLICT (key) DO UPDATE SET
		tokens = least($2::float8, b.tokens + greatest(0, extract(epoch FROM ($3::timestamptz - b.updated_at))::float8) * $4::float8) - 1,
		updated_at = greatest(b.updated_at, $3::timestamptz)
	RETURNING tokens::float8 AS tokens`;

export class PostgresRateLimitStore implements RateLimitStore {
	#takes = 0;
	constructor(private readonly db: SqlExecutor) {}

	async take(key: string, rule: RateLimitRule, now: Date): Promise<number> {
		const burst = Math.max(1, rule.burst);
		const { rows } = await this.db.query<{ tokens: number | string }>(TAKE_SQL, [key, burst, now.toISOString(), rule.perSecond]);
		const tokens = Number(rows[0]?.tokens ?? 0);
		if (++this.#takes % PRUNE_EVERY === 0) {
			await this.db.query(`DELETE FROM ${RATE_LIMITS_TABLE} WHERE updated_at < $1::timestamptz`, [new Date(now.getTime() - RATE_LIMIT_ROW_TTL_MS).toISOString()]).catch(() => undefined);
		}
		return tokens >= 0 ? 0 : Math.ceil((-tokens / rule.perSecond) * 1000);
	}
}

/**
 * The shared rate-limit store of an opened queue (its database; migration 2 created the table).
 * Hosts use it when the PostgreSQL store is configured. On the embedded store it works too, but only
 * one process can open that store anyway.
 */
export function rateLimitStoreFor(queue: ScheduleQueue): RateLimitStore {
	const client = internalSqlClient(queue);
	if (!client) {
		throw new InvalidSendOptionsError('rateLimits.store', 'needs a queue opened with openQueue (its database holds the shared buckets)');
	}
	return new PostgresRateLimitStore(client);
}
