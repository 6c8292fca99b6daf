/**
 * Versioned schema migrations, applied when a queue opens.
 *
 * Safe when several processes open the same PostgreSQL database at once: everything runs in ONE
 * transaction that first takes a transaction-scoped advisory lock, so the second process waits, then
 * reads the versions the first one committed and applies nothing twice. The DDL is idempotent too
 * (IF NOT EXISTS), so a half-known state never fails. A database migrated by a NEWER Switchboard is
 * refused (this version does not know its tables) rather than used wrongly.
 *
 * Migrations are append-only: never edit a released one; add the next version.
 */
import { QueueStoreError } from '../errors';
import type { SqlClient } from './sql/client';
import { QUEUE_STATUSES } from './types';

export const MESSAGES_TABLE = 'switchboard_scheduled_messages';
export const ATTEMPTS_TABLE = 'switchboard_delivery_attempts';
export const MIGRATIONS_TABLE = 'switchboard_schema_migrations';
/** Channel Send's token buckets when the PostgreSQL rate-limit store is used (core/send/pg-rate-limit.ts). */
export const RATE_LIMITS_TABLE = 'switchboard_rate_limits';
/** Delivery events already applied (Delivery Webhook): the de-duplication keys, and the log of what each said. */
export const EVENTS_TABLE = 'switchboard_delivery_events';
/** Delivery events for provider message ids no message has (yet): applied when a message gets the id. */
export const ORPHANS_TABLE = 'switchboard_orphan_events';
/**
 * Provider message ids of a message beyond the one on its row (migration v4): the later parts of a
 * multi-part send (WhatsApp text + image → two ids), and the ids of sends handed back to a fallback
 * channel (requeueUndelivered). Delivery events match a message by any of them.
 */
export const EXTERNAL_IDS_TABLE = 'switchboard_message_external_ids';

/** Arbitrary constant key for pg_advisory_xact_lock: "switchboard schema" in one bigint. */
const MIGRATION_LOCK_KEY = '7305429187355641';

export interface Migration {
	version: number;
	name: string;
	/** Statements run in order (one statement each: PGlite's extended protocol takes one at a time). */
	statements: readonly string[];
}

const statusList = QUEUE_STATUSES.map((s) => `'${s}'`).join(', ');

export const MIGRATIONS: readonly Migration[] = [
	{
		version: 1,
		name: 'scheduled messages and delivery attempts',
		statements: [
			// Seed 000 scheduled_messages (message_type is `channel` here) + the universal message,
			// approvals, retry bookkeeping, leases and idempotency.
			`CREATE TABLE IF NOT EXISTS ${MESSAGES_TABLE} (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				session_id text,
				client_id text,
				channel text NOT NULL,
				recipient text NOT NULL,
				subject text,
				body text,
				template text,
				send_time timestamptz NOT NULL,
				status text NOT NULL,
				created_at timestamptz NOT NULL DEFAULT now(),
				updated_at timestamptz NOT NULL DEFAULT now(),
				processed_time timestamptz,
				error_code text,
				error_message text,
				metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
				message jsonb,
				approved_by text,
				approved_at timestamptz,
				approval_note text,
				rejected_by text,
				rejected_at timestamptz,
				rejection_reason text,
				rescheduled_by text,
				rescheduled_at timestamptz,
				attempt_count integer NOT NULL DEFAULT 0,
				max_attempts integer NOT NULL DEFAULT 3,
				next_attempt_at timestamptz,
				lease_owner text,
				lease_expires_at timestamptz,
				idempotency_key text,
				provider text,
				external_id text,
				delivered_at timestamptz,
				read_at timestamptz,
				CONSTRAINT ${MESSAGES_TABLE}_status_check CHECK (status IN (${statusList})),
				CONSTRAINT ${MESSAGES_TABLE}_lease_check CHECK (status <> 'sending' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)),
				CONSTRAINT ${MESSAGES_TABLE}_attempts_check CHECK (attempt_count >= 0 AND max_attempts >= 1)
			)`,
			// Partial: most messages have no key, and every status change of a row without one would
			// otherwise add an entry here too. enqueue's ON CONFLICT names the same predicate.
			`CREATE UNIQUE INDEX IF NOT EXISTS ${MESSAGES_TABLE}_idempotency_key_key ON ${MESSAGES_TABLE} (idempotency_key) WHERE idempotency_key IS NOT NULL`,
			// claimDue: due approved messages and expired leases, in send order (the query filters on
			// send_time <= now and walks this index in order, so LIMIT stops early).
			`CREATE INDEX IF NOT EXISTS ${MESSAGES_TABLE}_claim_idx ON ${MESSAGES_TABLE} (send_time, id) WHERE status IN ('approved', 'sending')`,
			// list(): keyset paging on (send_time, id) within a status. A list over several statuses (or
			// all of them) merges one ordered scan of this index per status, so no index on send_time
			// alone is needed; lease release finds the (few) sending rows here too. Every status change
			// writes an entry in each index on the table, so there are no more than these.
			`CREATE INDEX IF NOT EXISTS ${MESSAGES_TABLE}_status_send_idx ON ${MESSAGES_TABLE} (status, send_time, id)`,
			// Delivery webhooks find a message by the provider's id.
			`CREATE INDEX IF NOT EXISTS ${MESSAGES_TABLE}_external_idx ON ${MESSAGES_TABLE} (external_id) WHERE external_id IS NOT NULL`,
			// Seed 003 MessageDeliveryAttempts + seed 000 messages_log: one row per attempt. message_id has
			// no foreign key: the log is an audit trail that may outlive the messages it names, and the key
			// check on every insert cost a fifth of a completed batch. The queue writes attempt rows only in
			// the statement that changes their message, so the id always existed.
			`CREATE TABLE IF NOT EXISTS ${ATTEMPTS_TABLE} (
				id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
				message_id uuid NOT NULL,
				attempt_number integer NOT NULL,
				channel text NOT NULL,
				provider text,
				recipient text NOT NULL,
				attempted_at timestamptz NOT NULL,
				success boolean NOT NULL,
				status text NOT NULL,
				external_id text,
				error_code text,
				error_message text,
				retryable boolean,
				cost numeric(18, 6),
				cost_currency text,
				response_time_ms integer,
				fallback_reason text,
				metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
				worker_id text,
				created_at timestamptz NOT NULL DEFAULT now()
			)`,
			`CREATE INDEX IF NOT EXISTS ${ATTEMPTS_TABLE}_message_idx ON ${ATTEMPTS_TABLE} (message_id, attempt_number)`,
			// stats() over a period (per channel, or one channel) and purgeLog() by age: both are a range
			// on attempted_at.
			`CREATE INDEX IF NOT EXISTS ${ATTEMPTS_TABLE}_attempted_idx ON ${ATTEMPTS_TABLE} (attempted_at, channel)`,
			// ANALYZE reads every column of its sample; these long texts and JSON documents are never in
			// a WHERE clause, so their statistics would only cost time (the embedded store analyzes in
			// the foreground, between operations).
			...[
				[MESSAGES_TABLE, ['subject', 'body', 'template', 'metadata', 'message', 'approval_note', 'rejection_reason', 'error_message']],
				[ATTEMPTS_TABLE, ['error_message', 'metadata']],
			].flatMap(([table, columns]) => (columns as string[]).map((column) => `ALTER TABLE ${table} ALTER COLUMN ${column} SET STATISTICS 0`)),
		],
	},
	{
		version: 2,
		name: 'rate limit buckets',
		statements: [
			// One token bucket per key (provider + scope + hashed sender/recipient): shared by every
			// process sending through this database, so a provider's limit holds across workers.
			`CREATE TABLE IF NOT EXISTS ${RATE_LIMITS_TABLE} (
				key text PRIMARY KEY,
				tokens double precision NOT NULL,
				updated_at timestamptz NOT NULL
			)`,
		],
	},
	{
		version: 3,
		name: 'delivery events and orphans',
		statements: [
			// One row per provider event applied (or kept as an orphan): its key makes a repeat of the same
			// event a no-op, and the row is the log of events that changed nothing (deferred, complaints…).
			// Purged by age (purgeEvents), so no key is kept forever.
			`CREATE TABLE IF NOT EXISTS ${EVENTS_TABLE} (
				event_key text PRIMARY KEY,
				provider text NOT NULL,
				provider_message_id text NOT NULL,
				status text NOT NULL,
				provider_status text,
				occurred_at timestamptz NOT NULL,
				error_code text,
				error_message text,
				received_at timestamptz NOT NULL
			)`,
			`CREATE INDEX IF NOT EXISTS ${EVENTS_TABLE}_received_idx ON ${EVENTS_TABLE} (received_at)`,
			// Events whose message is not known yet (a provider's callback faster than Channel Send's
			// report, or a message sent outside Switchboard). complete/completeMany look here by provider
			// message id for each message they complete: on an empty table that is one probe of an empty
			// index per message.
			`CREATE TABLE IF NOT EXISTS ${ORPHANS_TABLE} (
				event_key text PRIMARY KEY,
				provider text NOT NULL,
				provider_message_id text NOT NULL,
				status text NOT NULL,
				occurred_at timestamptz NOT NULL,
				error_code text,
				error_message text,
				event jsonb NOT NULL,
				received_at timestamptz NOT NULL
			)`,
			`CREATE INDEX IF NOT EXISTS ${ORPHANS_TABLE}_message_idx ON ${ORPHANS_TABLE} (provider_message_id)`,
			`CREATE INDEX IF NOT EXISTS ${ORPHANS_TABLE}_received_idx ON ${ORPHANS_TABLE} (received_at)`,
			`ALTER TABLE ${ORPHANS_TABLE} ALTER COLUMN event SET STATISTICS 0`,
			`ALTER TABLE ${EVENTS_TABLE} ALTER COLUMN error_message SET STATISTICS 0`,
		],
	},
	{
		version: 4,
		name: 'extra provider message ids',
		statements: [
			// (provider, external_id) → message_id for the ids the message row does not hold. complete /
			// completeMany write the later ids of a multi-part send (only when a send has more than one:
			// the row holds the first, so a single-id send writes nothing here); requeueUndelivered adds
			// the row's own id with handed_back = true and marks the message's other ids handed back.
			// recordEvents matches an event by the row's external_id OR a row here. `channel` and
			// `recipient` are where that id was sent (a late delivery of a handed-back send restores them).
			// The primary key leads with external_id: it is the lookup index of recordEvents and of the
			// orphan reconcile. No foreign key, like the log: the message is locked by whoever writes here.
			`CREATE TABLE IF NOT EXISTS ${EXTERNAL_IDS_TABLE} (
				external_id text NOT NULL,
				message_id uuid NOT NULL,
				provider text,
				channel text NOT NULL,
				recipient text,
				handed_back boolean NOT NULL DEFAULT false,
				created_at timestamptz NOT NULL,
				PRIMARY KEY (external_id, message_id)
			)`,
			// requeueUndelivered marks every id of one message handed back.
			`CREATE INDEX IF NOT EXISTS ${EXTERNAL_IDS_TABLE}_message_idx ON ${EXTERNAL_IDS_TABLE} (message_id)`,
		],
	},
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Applies the missing migrations; returns the versions applied by this call (empty when up to date). */
export async function migrate(client: SqlClient, now: Date): Promise<number[]> {
	return client.transaction(async (tx) => {
		await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
		await tx.query(
			`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
		);
		const { rows } = await tx.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE} ORDER BY version`);
		const applied = new Set(rows.map((r) => Number(r.version)));
		const newest = Math.max(0, ...applied);
		if (newest > LATEST_SCHEMA_VERSION) {
			throw new QueueStoreError(
				`The queue database has schema version ${newest}, newer than this Switchboard knows (${LATEST_SCHEMA_VERSION})`,
				'Another, newer Switchboard version migrated this database. Upgrade this installation to the same version; older versions cannot safely use newer tables.',
			);
		}
		const done: number[] = [];
		for (const migration of MIGRATIONS) {
			if (applied.has(migration.version)) continue;
			for (const statement of migration.statements) await tx.query(statement);
			await tx.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES ($1, $2, $3::timestamptz)`, [
				migration.version,
				migration.name,
				now.toISOString(),
			]);
			done.push(migration.version);
		}
		return done;
	});
}
