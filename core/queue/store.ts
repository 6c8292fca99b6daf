/**
 * The Schedule Queue over a SqlClient: one implementation, the same SQL on PGlite and PostgreSQL.
 *
 * Guarantees, and how they are kept:
 * - Every status change is checked against the state machine before anything is written. Single-row
 *   operations lock the row (SELECT … FOR UPDATE), check, then write in the same transaction; batch
 *   statements (claim, complete, lease release) put the machine's legal "from" statuses in their WHERE
 *   clause and report why a row was not changed afterwards — so an illegal change writes nothing.
 * - No two workers hold the same message while a lease is live: claiming is one UPDATE over a
 *   selection of due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL; the embedded store runs one
 *   statement at a time), and complete/fail only apply when the caller still owns the lease
 *   (LeaseLostError otherwise).
 * - Multi-row changes (enqueueMany, a status change plus its log row) happen in one statement or one
 *   transaction: nothing is half-written.
 * - Time comes from the injected clock and is passed to SQL as a parameter; the database's now() is
 *   never used, so tests (and servers with skewed clocks) see one consistent time.
 */
import { IllegalTransitionError, InvalidQueueInputError, LeaseLostError, MessageNotFoundError, QueueStoreError } from '../errors';
import { decideRetry, resolveRetryPolicy } from './retry';
import { applyEvent, applyHandedBack, orphanFoldSql, outcomeOf, providerMatches, readEvents, type EventRecord, type HandedBackSend, type MessageState } from './events';
import { ATTEMPTS_TABLE as A, EVENTS_TABLE as E, EXTERNAL_IDS_TABLE as X, MESSAGES_TABLE as M, ORPHANS_TABLE as O } from './migrations';
import { readRequeueOptions, requeueReason, requeueTarget } from './requeue';
import { decodeCursor, encodeCursor, toAttempt, toMessage, type AttemptRow, type MessageRow } from './rows';
import { appliesTo, assertReschedulable, assertTransition, normalizeStatus, sourcesOf, TRANSITIONS, type QueueOperation } from './state-machine';
import type { SqlClient, SqlExecutor } from './sql/client';
import type { DeliveryEvent } from '../schema/message';
import type { EventOutcome } from '../webhooks/types';
import type {
	ActorInput,
	AttemptReport,
	BatchResult,
	ChannelStats,
	ClaimOptions,
	CompleteItem,
	DeliveryReport,
	EnqueueInput,
	FailureReport,
	ListFilter,
	MessageWithAttempts,
	Page,
	QueueStatus,
	RequeueResult,
	RequeueSkipped,
	RequeueUndeliveredOptions,
	RetryPolicy,
	ScheduledMessage,
	ScheduleQueue,
} from './types';
import { MAX_EARLIER_ATTEMPTS, MAX_EXTERNAL_IDS, QUEUE_STATUSES } from './types';
import {
	describe,
	isPlainObject,
	isUuid,
	Issues,
	readActor,
	readChannel,
	readDate,
	readEnqueueInput,
	readIntegerInRange,
	readMetadata,
	readNonNegativeNumber,
	readOptionalString,
	readRequiredText,
	type NormalizedEnqueue,
} from './validate';

export const DEFAULT_BATCH_SIZE = 50;
export const MAX_BATCH_SIZE = 1000;
export const DEFAULT_LEASE_SECONDS = 300;
/** A day: longer leases would hide a crashed worker's messages for too long. */
export const MAX_LEASE_SECONDS = 86_400;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** The SQL list of statuses `operation` may move to `to`, from the state machine. */
function sqlSources(to: QueueStatus, operation: QueueOperation, only?: readonly QueueStatus[]): string {
	const sources = sourcesOf(to, operation).filter((s) => !only || only.includes(s));
	if (!sources.length) throw new Error(`state machine: ${operation} may not make anything ${to}`);
	return sources.map((s) => `'${s}'`).join(', ');
}

// The batch statements below are written for these transitions: fail at load if the machine changes.
for (const [from, to, operation] of [
	['approved', 'sending', 'claim'],
	['sending', 'sending', 'claim'],
	['sending', 'dead', 'claim'],
	['sending', 'sent', 'complete'],
	['sending', 'approved', 'release'],
	['sending', 'dead', 'release'],
	// complete/completeMany apply a message's orphan delivery events in the same statement.
	['sent', 'delivered', 'recordDelivery'],
	['sent', 'read', 'recordDelivery'],
	// requeueUndelivered's statement.
	['sent', 'approved', 'requeueUndelivered'],
] as const) {
	assertTransition('(startup check)', from, to, operation);
}
const CLAIM_FROM_APPROVED = sqlSources('sending', 'claim', ['approved']);
const COMPLETE_FROM = sqlSources('sent', 'complete');
const REQUEUE_FROM = sqlSources('approved', 'requeueUndelivered');
/** The orphan delivery events of the reports being completed, folded (see events.ts). */
const ORPHAN_FOLD = orphanFoldSql(O);
/** The same, for a batch with multi-part sends: the orphans of their later ids too. */
const ORPHAN_FOLD_EXTRA = orphanFoldSql(O, true);

/**
 * Rows come back as one JSON text column (`row_to_json(…)::text AS j`), parsed with JSON.parse: with
 * about forty columns a row, per-column decoding in the drivers (PGlite's in particular) costs more
 * than the statement itself on the claim / complete hot path.
 */
interface JsonRow {
	j: string;
}
function fromJson<T>(rows: JsonRow[]): T[] {
	return rows.map((r) => JSON.parse(r.j) as T);
}
const JSON_M = `row_to_json(${M}.*)::text AS j`;

/** The worker of a message's latest logged attempt (who finished it), as `last_worker`. */
const LAST_WORKER_SQL = `(SELECT a.worker_id FROM ${A} a WHERE a.message_id = m.id ORDER BY a.attempt_number DESC, a.attempted_at DESC LIMIT 1) AS last_worker`;

/** An orphan event taken out of the orphan table to be applied (recordEvents). */
interface OrphanRow {
	event_key: string;
	provider: string;
	provider_message_id: string;
	status: DeliveryEvent['status'];
	occurred_at: string;
	error_code: string | null;
	error_message: string | null;
	received_at: string;
}

interface HolderRow {
	id: string;
	status: string;
	lease_owner: string | null;
	attempt_count: number | string;
	last_worker: string | null;
}

export interface StoreOptions {
	now: () => Date;
	random: () => number;
	retry: RetryPolicy;
	workerId: string;
	/** Runs after the client is closed (hosts release their store lock here). */
	onClose?: () => Promise<void>;
}

interface NormalizedReport {
	workerId: string;
	provider: string | null;
	channel: string | null;
	externalId: string | null;
	/** AttemptReport.externalIds other than externalId, in order, without repeats; [] for a single-id send. */
	extraIds: string[];
	responseTimeMs: number | null;
	cost: number | null;
	costCurrency: string | null;
	fallbackReason: string | null;
	metadata: Record<string, unknown>;
	attemptedAt: Date | null;
	/** AttemptReport.earlierAttempts, checked; [] when none. */
	earlier: NormalizedEarlier[];
}

interface NormalizedEarlier {
	provider: string | null;
	channel: string | null;
	externalId: string | null;
	responseTimeMs: number | null;
	cost: number | null;
	costCurrency: string | null;
	fallbackReason: string | null;
	metadata: Record<string, unknown>;
	attemptedAt: Date | null;
	success: boolean;
	errorCode: string | null;
	errorMessage: string | null;
	retryable: boolean | null;
}

/**
 * Earlier attempts (AttemptReport.earlierAttempts) of the reports in $N, as log rows of the messages
 * the statement's `upd` CTE changed: nothing is logged for a message whose outcome was refused.
 */
function earlierInsertSql(param: string, now: string): string {
	return `ins_earlier AS (
		INSERT INTO ${A} (id, message_id, attempt_number, channel, provider, recipient, attempted_at, success, status, external_id,
			error_code, error_message, retryable, cost, cost_currency, response_time_ms, fallback_reason, metadata, worker_id, created_at)
		SELECT e.id, upd.id, upd.attempt_count, coalesce(e.channel, upd.channel), e.provider, upd.recipient, coalesce(e.attempted_at, ${now}), e.success,
			CASE WHEN e.success THEN 'sent' ELSE 'failed' END, e.external_id, e.error_code, e.error_message, e.retryable, e.cost, e.cost_currency,
			e.response_time_ms, e.fallback_reason, coalesce(e.metadata, '{}'::jsonb), e.worker_id, ${now}
		FROM jsonb_to_recordset(${param}::text::jsonb) AS e(id uuid, message_id uuid, channel text, provider text, attempted_at timestamptz, success boolean,
			external_id text, error_code text, error_message text, retryable boolean, cost numeric, cost_currency text, response_time_ms int,
			fallback_reason text, metadata jsonb, worker_id text)
		JOIN upd ON upd.id = e.message_id
	)`;
}

function earlierRecords(messageId: string, report: NormalizedReport): Array<Record<string, unknown>> {
	return report.earlier.map((e) => ({
		id: globalThis.crypto.randomUUID(),
		message_id: messageId,
		channel: e.channel,
		provider: e.provider,
		attempted_at: e.attemptedAt?.toISOString() ?? null,
		success: e.success,
		external_id: e.externalId,
		error_code: e.errorCode,
		error_message: e.errorMessage,
		retryable: e.retryable,
		cost: e.cost,
		cost_currency: e.costCurrency,
		response_time_ms: e.responseTimeMs === null ? null : Math.round(e.responseTimeMs),
		fallback_reason: e.fallbackReason,
		metadata: e.metadata,
		worker_id: report.workerId,
	}));
}

/**
 * Table upkeep. PostgreSQL's autovacuum keeps statistics fresh and reclaims dead row versions; the
 * embedded PGlite runs no background workers, so the store does it itself, between operations (it
 * holds PGlite's only connection while it runs, so it is kept cheap):
 * - after about EMBEDDED_MAINTENANCE_ROWS + half the tables' rows have been written, a VACUUM reclaims
 *   the dead versions every status change leaves (and the rows a purge of the log deletes);
 * - ANALYZE, by far the dearer part, runs only when a table has grown or shrunk by ANALYZE_FACTOR
 *   since its last statistics. Plans depend on the tables' sizes, not on which rows are sent: without
 *   statistics the planner keeps the estimates of an empty table (a claim would sort every due row
 *   instead of walking the claim index).
 * On PostgreSQL a large enqueueMany is followed by an ANALYZE of the messages table, so the first
 * claims after a bulk load do not wait for autovacuum's next round.
 */
export const EMBEDDED_MAINTENANCE_ROWS = 1000;
export const BULK_ANALYZE_ROWS = 1000;
const ANALYZE_FACTOR = 2;

/**
 * complete/completeMany's statement: sending → sent with the log row (and the earlier attempts of the
 * claim, `$3`). With `reconcile`, the orphan events of each completed message are folded in
 * (events.ts: highest rank, earliest times, first failure) and deleted, in the same statement.
 * `extraIds` (a parameter, or null when no report of the batch has more than one provider id: then
 * the statement is exactly the single-id one) holds the later ids of multi-part sends as
 * (message_id, external_id): they are written to the id table for the messages completed, and their
 * orphans are reconciled with the first id's.
 */
function completeSql(reconcile: boolean, earlier: boolean, extraIds: string | null = null): string {
	const o = (column: string, otherwise: string): string => (reconcile ? column : otherwise);
	return `WITH r AS (
			SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS r(id uuid, attempt_id uuid, worker_id text, provider text, external_id text, channel text,
				attempted_at timestamptz, cost numeric, cost_currency text, response_time_ms int, fallback_reason text, metadata jsonb)
		),${extraIds ? `
		ids AS (SELECT * FROM jsonb_to_recordset(${extraIds}::text::jsonb) AS i(message_id uuid, external_id text)),` : ''}${reconcile ? `
		orphan AS (${extraIds ? ORPHAN_FOLD_EXTRA : ORPHAN_FOLD}),` : ''}
		upd AS (
			UPDATE ${M} m SET status = ${o(`CASE o.rank WHEN 3 THEN 'read' WHEN 2 THEN 'delivered' ELSE 'sent' END`, `'sent'`)},${reconcile ? `
				delivered_at = coalesce(o.delivered_at, m.delivered_at), read_at = coalesce(o.read_at, m.read_at),` : ''}
				processed_time = $2::timestamptz, provider = r.provider, external_id = r.external_id,
				lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = NULL, error_code = ${o('o.error_code', 'NULL')}, error_message = ${o('o.error_message', 'NULL')},
				updated_at = $2::timestamptz
			FROM r${o(' LEFT JOIN orphan o ON o.id = r.id', '')}
			WHERE m.id = r.id AND m.status IN (${COMPLETE_FROM}) AND m.lease_owner = r.worker_id
			RETURNING m.*${o(', o.id IS NOT NULL AS orphans_applied, o.fail_status AS orphan_fail_status', '')}
		),
		ins AS (
			INSERT INTO ${A} (id, message_id, attempt_number, channel, provider, recipient, attempted_at, success, status, external_id,
				${o('error_code, error_message, ', '')}cost, cost_currency, response_time_ms, fallback_reason, metadata, worker_id, created_at)
			SELECT r.attempt_id, upd.id, upd.attempt_count, coalesce(r.channel, upd.channel), upd.provider, upd.recipient,
				coalesce(r.attempted_at, $2::timestamptz), true, ${o(`CASE WHEN upd.status = 'sent' THEN coalesce(upd.orphan_fail_status, 'sent') ELSE upd.status END`, `'sent'`)}, upd.external_id,
				${o('upd.error_code, upd.error_message, ', '')}r.cost, r.cost_currency, r.response_time_ms, r.fallback_reason, r.metadata, r.worker_id, $2::timestamptz
			FROM upd JOIN r ON r.id = upd.id
		)${reconcile ? `,
		reconciled AS (
			DELETE FROM ${O} x USING upd
			WHERE upd.orphans_applied AND ${
				extraIds
					? `(x.provider_message_id = upd.external_id OR x.provider_message_id IN (SELECT i.external_id FROM ids i WHERE i.message_id = upd.id))`
					: `x.provider_message_id = upd.external_id`
			} AND (upd.provider IS NULL OR lower(x.provider) = lower(upd.provider))
		)` : ''}${earlier ? `, ${earlierInsertSql('$3', '$2::timestamptz')}` : ''}${extraIds ? `,
		ins_ids AS (
			INSERT INTO ${X} (external_id, message_id, provider, channel, recipient, handed_back, created_at)
			SELECT i.external_id, upd.id, upd.provider, coalesce(r.channel, upd.channel), upd.recipient, false, $2::timestamptz
			FROM ids i JOIN upd ON upd.id = i.message_id JOIN r ON r.id = upd.id
			ON CONFLICT (external_id, message_id) DO UPDATE SET provider = excluded.provider, channel = excluded.channel,
				recipient = excluded.recipient, handed_back = false, created_at = excluded.created_at
		)` : ''}
		SELECT row_to_json(upd.*)::text AS j FROM upd`;
}

export class QueueStore implements ScheduleQueue {
	#closed = false;
	#closing: Promise<void> | undefined;
	#written = 0;
	#tableRows = 0;
	/** Row counts at each table's last ANALYZE (embedded store). */
	#analyzedRows = new Map<string, number>();
	#maintenance: Promise<void> | undefined;
	/**
	 * Embedded store only: whether the orphan table may hold rows (undefined = not known, look). Only
	 * this process writes the embedded store, so false is exact until recordEvents keeps an orphan.
	 */
	#orphans: boolean | undefined;
	/** Counts orphans kept by this process: a complete that decided "no orphans" before one was kept looks again. */
	#orphanEpoch = 0;

	constructor(
		private readonly client: SqlClient,
		private readonly options: StoreOptions,
	) {}

	/** See internalSqlClient. */
	get sqlClient(): SqlClient {
		return this.client;
	}

	#db(): SqlClient {
		if (this.#closed) throw new QueueStoreError('The schedule queue is closed', 'Open it again with openQueue().');
		return this.client;
	}

	/** Counts rows written and starts upkeep when due (never blocks or fails the operation). */
	#wrote(rows: number, bulkInsert = false): void {
		if (rows <= 0 || this.#closed) return;
		this.#written += rows;
		const embedded = this.client.kind === 'embedded';
		const due = embedded ? this.#written >= EMBEDDED_MAINTENANCE_ROWS + this.#tableRows / 2 : bulkInsert && rows >= BULK_ANALYZE_ROWS;
		if (!due || this.#maintenance) return;
		this.#written = 0;
		this.#maintenance = this.#maintain(embedded, false)
			.catch(() => undefined) // upkeep is best effort: a failure must not break the queue
			.finally(() => {
				this.#maintenance = undefined;
			});
	}

	async #maintain(embedded: boolean, analyzeAll: boolean): Promise<void> {
		if (!embedded) {
			await this.client.query(`ANALYZE ${M}`);
			return;
		}
		// VACUUM also counts each table's rows (reltuples), which the ANALYZE decision below reads.
		// On the insert-only log it only visits pages added since the last one.
		await this.client.query(`VACUUM ${M}`);
		await this.client.query(`VACUUM ${A}`);
		// Orphan events are inserted and deleted (reconciled): their dead versions would slow the
		// "any orphans?" check of every complete. Processed-event keys are deleted by purgeEvents.
		await this.client.query(`VACUUM ${O}`);
		await this.client.query(`VACUUM ${E}`);
		const { rows } = await this.client.query<{ relname: string; n: number }>(
			`SELECT relname::text AS relname, greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE relname IN ('${M}', '${A}')`,
		);
		let total = 0;
		for (const { relname, n } of rows) {
			const count = Number(n);
			total += count;
			const last = this.#analyzedRows.get(relname);
			const stale = analyzeAll || last === undefined || count > last * ANALYZE_FACTOR || Math.max(count, 1) * ANALYZE_FACTOR < last;
			if (!stale) continue;
			await this.client.query(`ANALYZE ${relname}`);
			this.#analyzedRows.set(relname, Math.max(count, 1));
		}
		this.#tableRows = total;
	}

	/** Fresh planner statistics for an existing embedded store (PGlite never analyzes by itself). */
	async prepare(): Promise<void> {
		if (this.client.kind !== 'embedded') return;
		await this.#maintain(true, true);
	}

	async #mayHaveOrphans(): Promise<boolean> {
		if (this.client.kind !== 'embedded') return true;
		if (this.#orphans === undefined) {
			const { rows } = await this.#db().query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${O}) AS any`);
			this.#orphans = rows[0]?.any === true;
		}
		return this.#orphans;
	}

	#now(): Date {
		const now = this.options.now();
		if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new QueueStoreError('The injected clock (options.now) returned an invalid date');
		return now;
	}

	// ---------------------------------------------------------------------------------------------
	// enqueue

	async enqueue(input: EnqueueInput): Promise<{ message: ScheduledMessage; created: boolean }> {
		const now = this.#now();
		const issues = new Issues();
		const normalized = readEnqueueInput(input, '', issues, now, this.options.retry.maxAttempts);
		issues.throwIfAny();
		const [result] = await this.#insert(this.#db(), [normalized!], now);
		return result!;
	}

	async enqueueMany(inputs: EnqueueInput[]): Promise<Array<{ message: ScheduledMessage; created: boolean }>> {
		if (!Array.isArray(inputs)) throw new InvalidQueueInputError([{ field: 'inputs', message: `must be a list of messages (got ${describe(inputs)})` }]);
		if (inputs.length === 0) return [];
		const now = this.#now();
		const issues = new Issues();
		const normalized = inputs.map((input, i) => readEnqueueInput(input, `inputs[${i}]`, issues, now, this.options.retry.maxAttempts));
		issues.throwIfAny('Nothing was enqueued: fix the fields listed and send the whole batch again.');
		return this.#db().transaction((tx) => this.#insert(tx, normalized as NormalizedEnqueue[], now));
	}

	/**
	 * One INSERT for the whole batch. Ids are made here so returned rows can be matched to inputs;
	 * an idempotency key that exists already (or repeats within the batch) inserts nothing and
	 * returns the existing row with created: false. ON CONFLICT DO NOTHING waits for a concurrent
	 * insert of the same key to commit, and the SELECT afterwards (a new snapshot) then sees it.
	 */
	async #insert(db: SqlExecutor, inputs: NormalizedEnqueue[], now: Date): Promise<Array<{ message: ScheduledMessage; created: boolean }>> {
		const ids = inputs.map(() => globalThis.crypto.randomUUID());
		const text = (f: (i: NormalizedEnqueue) => string | null): Array<string | null> => inputs.map(f);
		const inserted = await db.query<JsonRow>(
			`INSERT INTO ${M} (id, session_id, client_id, channel, recipient, subject, body, template, send_time, status,
				created_at, updated_at, metadata, message, max_attempts, idempotency_key, attempt_count)
			SELECT u.id, u.session_id, u.client_id, u.channel, u.recipient, u.subject, u.body, u.template, u.send_time::timestamptz, u.status,
				$14::timestamptz, $14::timestamptz, u.metadata::jsonb, u.message::jsonb, u.max_attempts::int, u.idempotency_key, 0
			FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
				$11::text[], $12::text[], $13::text[], $15::text[])
				WITH ORDINALITY AS u(id, session_id, client_id, channel, recipient, subject, body, template, send_time, status,
					metadata, message, max_attempts, idempotency_key, ord)
			ORDER BY u.ord
			ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
			RETURNING ${JSON_M}`,
			[
				ids,
				text((i) => i.sessionId),
				text((i) => i.clientId),
				text((i) => i.channel),
				text((i) => i.recipient),
				text((i) => i.subject),
				text((i) => i.body),
				text((i) => i.template),
				text((i) => i.sendTime.toISOString()),
				text((i) => i.status),
				text((i) => JSON.stringify(i.metadata)),
				text((i) => (i.message ? JSON.stringify(i.message) : null)),
				text((i) => String(i.maxAttempts)),
				now.toISOString(),
				text((i) => i.idempotencyKey),
			],
		);
		const rows = fromJson<MessageRow>(inserted.rows);
		this.#wrote(rows.length, true);
		const byId = new Map(rows.map((r) => [r.id, r]));
		const missingKeys = inputs.filter((input, i) => !byId.has(ids[i]!) && input.idempotencyKey !== null).map((i) => i.idempotencyKey!);
		const existing = new Map<string, MessageRow>();
		if (missingKeys.length) {
			const found = await db.query<JsonRow>(`SELECT ${JSON_M} FROM ${M} WHERE idempotency_key = ANY($1::text[])`, [missingKeys]);
			for (const row of fromJson<MessageRow>(found.rows)) existing.set(row.idempotency_key!, row);
		}
		return inputs.map((input, i) => {
			const row = byId.get(ids[i]!);
			if (row) return { message: toMessage(row), created: true };
			const previous = input.idempotencyKey !== null ? existing.get(input.idempotencyKey) : undefined;
			// Unreachable unless the row was deleted between the two statements.
			if (!previous) throw new QueueStoreError(`Enqueue of ${i === 0 && inputs.length === 1 ? 'the message' : `inputs[${i}]`} neither inserted nor found an existing row; try again`);
			return { message: toMessage(previous), created: false };
		});
	}

	// ---------------------------------------------------------------------------------------------
	// approve / reject / reschedule / recordDelivery: single-row, lock → check → write

	async #locked<T>(id: string, fn: (row: MessageRow, tx: SqlExecutor) => Promise<T>): Promise<T> {
		if (!isUuid(id)) throw new MessageNotFoundError(String(id));
		return this.#db().transaction(async (tx) => {
			const { rows } = await tx.query<MessageRow>(`SELECT * FROM ${M} WHERE id = $1 FOR UPDATE`, [id]);
			const row = rows[0];
			if (!row) throw new MessageNotFoundError(id);
			return fn(row, tx);
		});
	}

	async approve(id: string, actor: ActorInput): Promise<ScheduledMessage> {
		const { by, reason } = readActor(actor, true, 'approval');
		const now = this.#now();
		return this.#locked(id, async (row, tx) => {
			assertTransition(id, row.status as QueueStatus, 'approved', 'approve');
			const { rows } = await tx.query<JsonRow>(
				`UPDATE ${M} SET status = 'approved', approved_by = $2, approved_at = $3::timestamptz, approval_note = $4, updated_at = $3::timestamptz
				WHERE id = $1 RETURNING ${JSON_M}`,
				[id, by, now.toISOString(), reason],
			);
			return toMessage(fromJson<MessageRow>(rows)[0]!);
		});
	}

	async reject(id: string, actor: ActorInput): Promise<ScheduledMessage> {
		const { by, reason } = readActor(actor, true, 'rejection');
		const now = this.#now();
		return this.#locked(id, async (row, tx) => {
			assertTransition(id, row.status as QueueStatus, 'cancelled', 'reject');
			const { rows } = await tx.query<JsonRow>(
				`UPDATE ${M} SET status = 'cancelled', rejected_by = $2, rejected_at = $3::timestamptz, rejection_reason = $4, updated_at = $3::timestamptz
				WHERE id = $1 RETURNING ${JSON_M}`,
				[id, by, now.toISOString(), reason],
			);
			return toMessage(fromJson<MessageRow>(rows)[0]!);
		});
	}

	async reschedule(id: string, sendTime: string | Date, actor?: Partial<ActorInput>): Promise<ScheduledMessage> {
		const issues = new Issues();
		const when = readDate(sendTime, 'sendTime', issues);
		if (!when && issues.empty) issues.add('sendTime', 'is required: the new send time');
		issues.throwIfAny();
		const { by } = readActor(actor, false, 'reschedule');
		const now = this.#now();
		return this.#locked(id, async (row, tx) => {
			assertReschedulable(id, row.status as QueueStatus);
			// A new send time replaces any pending retry time: the person's choice wins.
			const { rows } = await tx.query<JsonRow>(
				`UPDATE ${M} SET send_time = $2::timestamptz, next_attempt_at = NULL, rescheduled_by = $3, rescheduled_at = $4::timestamptz, updated_at = $4::timestamptz
				WHERE id = $1 RETURNING ${JSON_M}`,
				[id, when!.toISOString(), by, now.toISOString()],
			);
			return toMessage(fromJson<MessageRow>(rows)[0]!);
		});
	}

	async recordDelivery(id: string, report: DeliveryReport): Promise<ScheduledMessage> {
		const issues = new Issues();
		if (!isPlainObject(report)) issues.add('report', `must be { status: "delivered" | "read", at? } (got ${describe(report)})`);
		const status = isPlainObject(report) ? report.status : undefined;
		if (isPlainObject(report) && status !== 'delivered' && status !== 'read') issues.add('status', `must be "delivered" or "read" (got ${describe(status)})`);
		const at = isPlainObject(report) ? readDate(report.at, 'at', issues) : undefined;
		issues.throwIfAny();
		const to = status as 'delivered' | 'read';
		const now = this.#now();
		const when = (at ?? now).toISOString();
		return this.#locked(id, async (row, tx) => {
			assertTransition(id, row.status as QueueStatus, to, 'recordDelivery');
			const column = to === 'delivered' ? 'delivered_at' : 'read_at';
			const { rows } = await tx.query<JsonRow>(
				`UPDATE ${M} SET status = $2, ${column} = $3::timestamptz, updated_at = $4::timestamptz WHERE id = $1 RETURNING ${JSON_M}`,
				[id, to, when, now.toISOString()],
			);
			// The log row of the successful attempt follows the message (seed 000 messages_log.status).
			await tx.query(
				`UPDATE ${A} SET status = $2 WHERE id = (
					SELECT id FROM ${A} WHERE message_id = $1 AND success ORDER BY attempt_number DESC, attempted_at DESC LIMIT 1)`,
				[id, to],
			);
			return toMessage(fromJson<MessageRow>(rows)[0]!);
		});
	}

	// ---------------------------------------------------------------------------------------------
	// delivery events (Delivery Webhook): three statements in one transaction, whatever the batch size

	async recordEvents(events: DeliveryEvent[]): Promise<EventOutcome[]> {
		const records = readEvents(events);
		if (records.length === 0) return [];
		const now = this.#now();
		const outcomes = new Array<EventOutcome>(records.length).fill('duplicate');
		// A repeat inside the batch is a duplicate of its first occurrence.
		const firsts = new Map<string, EventRecord>();
		for (const record of records) if (!firsts.has(record.key)) firsts.set(record.key, record);
		// Keys in a fixed order: two calls inserting overlapping keys wait for each other instead of deadlocking.
		const unique = [...firsts.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

		const written = await this.#db().transaction(async (tx) => {
			// 1. The de-duplication keys (and the event log): a key already there, committed by any
			//    process, makes the event a duplicate. A concurrent insert of the same key waits for it.
			const inserted = await tx.query<{ event_key: string }>(
				`INSERT INTO ${E} (event_key, provider, provider_message_id, status, provider_status, occurred_at, error_code, error_message, received_at)
				SELECT e.event_key, e.provider, e.pmid, e.status, e.provider_status, e.occurred_at, e.error_code, e.error_message, $2::timestamptz
				FROM jsonb_to_recordset($1::text::jsonb) AS e(ord int, event_key text, provider text, pmid text, status text, provider_status text,
					occurred_at timestamptz, error_code text, error_message text)
				ORDER BY e.ord
				ON CONFLICT (event_key) DO NOTHING
				RETURNING event_key`,
				[
					JSON.stringify(
						unique.map((r, ord) => ({
							ord,
							event_key: r.key,
							provider: r.event.provider,
							pmid: r.event.providerMessageId,
							status: r.event.status,
							provider_status: r.event.providerStatus,
							occurred_at: r.event.timestamp,
							error_code: r.errorCode,
							error_message: r.errorMessage,
						})),
					),
					now.toISOString(),
				],
			);
			const fresh = new Set(inserted.rows.map((r) => r.event_key));
			const toApply = unique.filter((r) => fresh.has(r.key)).sort((a, b) => a.index - b.index);
			if (toApply.length === 0) return 0;
			return fresh.size + (await this.#applyEvents(tx, toApply.map((r) => r.event.providerMessageId), toApply, outcomes, now));
		});
		this.#wrote(written);
		return outcomes;
	}

	/**
	 * Steps 2 and 3 of recordEvents (also the late reconcile of complete): locks the messages with
	 * these provider message ids (on the row, or in the id table: later parts of a multi-part send,
	 * sends handed back to a fallback), takes their waiting orphans out of the orphan table and applies
	 * them (in arrival order), then `records` (setting their outcomes); writes the messages, their
	 * attempt rows and the records no message matched (as orphans) in one statement. Returns rows written.
	 */
	async #applyEvents(tx: SqlExecutor, externalIds: string[], records: EventRecord[], outcomes: EventOutcome[], now: Date): Promise<number> {
		{
			const toApply = records;
			// 2. The messages with these provider ids, locked, their other ids from the id table, and the
			//    orphans waiting for any of their ids (taken out of the orphan table: they are applied now,
			//    before this call's events). The row's external_id is read from the locked row (`m`), so
			//    a concurrent change of it is seen; id-table rows are only ever added or marked.
			const found = await tx.query<{ kind: string; j: string }>(
				`WITH k AS (
					SELECT id AS message_id FROM ${M} WHERE external_id = ANY($1::text[])
					UNION
					SELECT message_id FROM ${X} WHERE external_id = ANY($1::text[])
				),
				m AS (
					SELECT id, status, channel, recipient, provider, external_id, delivered_at, read_at, error_code, error_message FROM ${M}
					WHERE id IN (SELECT message_id FROM k) ORDER BY id FOR UPDATE
				),
				x AS (
					SELECT external_id, message_id, provider, channel, recipient, handed_back FROM ${X} WHERE external_id = ANY($1::text[])
				),
				p AS (
					SELECT m.id, m.external_id AS pmid, m.provider FROM m WHERE m.external_id = ANY($1::text[])
					UNION ALL
					SELECT x.message_id, x.external_id, x.provider FROM x JOIN m ON m.id = x.message_id
				),
				o AS (
					DELETE FROM ${O} y USING p
					WHERE y.provider_message_id = p.pmid AND (p.provider IS NULL OR lower(y.provider) = lower(p.provider))
					RETURNING y.event_key, y.provider, y.provider_message_id, y.status, y.occurred_at, y.error_code, y.error_message, y.received_at
				)
				SELECT 'm' AS kind, row_to_json(m.*)::text AS j FROM m
				UNION ALL
				SELECT 'x', row_to_json(x.*)::text FROM x
				UNION ALL
				SELECT 'o', row_to_json(o.*)::text FROM o`,
				[[...new Set(externalIds)]],
			);
			/** One state per message, whichever of its ids the events name. */
			const states = new Map<string, MessageState>();
			/** Provider id → the messages it names: the current send's ids, or a handed-back send's. */
			const byExternalId = new Map<string, Array<{ state: MessageState; provider: string | null; handedBack: HandedBackSend | null }>>();
			const add = (externalId: string, entry: { state: MessageState; provider: string | null; handedBack: HandedBackSend | null }): void => {
				const list = byExternalId.get(externalId) ?? [];
				list.push(entry);
				byExternalId.set(externalId, list);
			};
			const orphans: OrphanRow[] = [];
			const idRows: Array<{ external_id: string; message_id: string; provider: string | null; channel: string; recipient: string | null; handed_back: boolean }> = [];
			for (const row of found.rows) {
				const value = JSON.parse(row.j) as Record<string, unknown>;
				if (row.kind === 'o') {
					orphans.push(value as unknown as OrphanRow);
					continue;
				}
				if (row.kind === 'x') {
					idRows.push(value as unknown as (typeof idRows)[number]);
					continue;
				}
				const state: MessageState = {
					id: value.id as string,
					status: value.status as QueueStatus,
					channel: value.channel as string,
					recipient: value.recipient as string,
					provider: (value.provider as string | null) ?? null,
					externalId: (value.external_id as string | null) ?? null,
					restored: false,
					deliveredAt: value.delivered_at ? Date.parse(value.delivered_at as string) : null,
					readAt: value.read_at ? Date.parse(value.read_at as string) : null,
					errorCode: (value.error_code as string | null) ?? null,
					errorMessage: (value.error_message as string | null) ?? null,
					dirty: false,
					attemptStatus: null,
					attemptError: null,
				};
				states.set(state.id, state);
				if (state.externalId !== null) add(state.externalId, { state, provider: state.provider, handedBack: null });
			}
			for (const x of idRows) {
				const state = states.get(x.message_id);
				// The row's own id is the current send's, even when the table also lists it (restored).
				if (!state || state.externalId === x.external_id) continue;
				const handedBack = x.handed_back ? { externalId: x.external_id, provider: x.provider, channel: x.channel, recipient: x.recipient } : null;
				add(x.external_id, { state, provider: x.provider, handedBack });
			}
			const matching = (provider: string, externalId: string) => (byExternalId.get(externalId) ?? []).filter((m) => providerMatches(m.provider, provider));
			const apply = (target: ReturnType<typeof matching>[number], record: Pick<EventRecord, 'event' | 'errorCode' | 'errorMessage'>): boolean =>
				target.handedBack ? applyHandedBack(target.state, record, target.handedBack) : applyEvent(target.state, record);

			// Orphans first, in arrival order: they happened before this call's events.
			orphans.sort((a, b) => Date.parse(a.received_at) - Date.parse(b.received_at) || (a.event_key < b.event_key ? -1 : 1));
			for (const o of orphans) {
				const event = { provider: o.provider, status: o.status, timestamp: new Date(o.occurred_at).toISOString() } as DeliveryEvent;
				for (const m of matching(o.provider, o.provider_message_id)) apply(m, { event, errorCode: o.error_code, errorMessage: o.error_message });
			}
			const orphaned: EventRecord[] = [];
			for (const record of toApply) {
				const targets = matching(record.event.provider, record.event.providerMessageId);
				if (targets.length === 0) {
					orphaned.push(record);
					outcomes[record.index] = 'orphaned';
					continue;
				}
				let changed = false;
				for (const m of targets) changed = apply(m, record) || changed;
				outcomes[record.index] = outcomeOf(changed);
			}

			// 3. One statement writes it all: the messages, their attempt rows, the new orphans.
			const changes = [...states.values()].filter((m) => m.dirty);
			if (orphans.length) this.#orphans = undefined; // some were removed: look again next time
			if (orphaned.length) {
				this.#orphans = true;
				this.#orphanEpoch++;
			}
			if (changes.length === 0 && orphaned.length === 0) return 0;
			const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
			await tx.query(
				`WITH mu AS (
					SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS r(id uuid, status text, delivered_at timestamptz, read_at timestamptz,
						error_code text, error_message text, external_id text, attempt_status text, attempt_error_code text, attempt_error_message text,
						restored boolean, channel text, recipient text, provider text)
				),
				um AS (
					UPDATE ${M} m SET status = mu.status, delivered_at = mu.delivered_at, read_at = mu.read_at,
						error_code = mu.error_code, error_message = mu.error_message, updated_at = $3::timestamptz,
						channel = CASE WHEN mu.restored THEN mu.channel ELSE m.channel END,
						recipient = CASE WHEN mu.restored THEN mu.recipient ELSE m.recipient END,
						provider = CASE WHEN mu.restored THEN mu.provider ELSE m.provider END,
						external_id = CASE WHEN mu.restored THEN mu.external_id ELSE m.external_id END,
						next_attempt_at = CASE WHEN mu.restored THEN NULL ELSE m.next_attempt_at END
					FROM mu WHERE m.id = mu.id
					RETURNING m.id
				),
				ua AS (
					UPDATE ${A} a SET status = coalesce(mu.attempt_status, a.status),
						error_code = coalesce(a.error_code, mu.attempt_error_code), error_message = coalesce(a.error_message, mu.attempt_error_message)
					FROM mu
					WHERE (mu.attempt_status IS NOT NULL OR mu.attempt_error_code IS NOT NULL)
						AND a.id = (SELECT x.id FROM ${A} x WHERE x.message_id = mu.id AND x.success
							ORDER BY (x.external_id IS NOT DISTINCT FROM mu.external_id) DESC, x.attempt_number DESC, x.attempted_at DESC LIMIT 1)
					RETURNING a.id
				),
				io AS (
					INSERT INTO ${O} (event_key, provider, provider_message_id, status, occurred_at, error_code, error_message, event, received_at)
					SELECT o.event_key, o.provider, o.pmid, o.status, o.occurred_at, o.error_code, o.error_message, o.event, $3::timestamptz
					FROM jsonb_to_recordset($2::text::jsonb) AS o(event_key text, provider text, pmid text, status text, occurred_at timestamptz,
						error_code text, error_message text, event jsonb)
					ON CONFLICT (event_key) DO NOTHING
					RETURNING event_key
				)
				SELECT (SELECT count(*) FROM um)::int AS messages, (SELECT count(*) FROM ua)::int AS attempts, (SELECT count(*) FROM io)::int AS orphans`,
				[
					JSON.stringify(
						changes.map((m) => ({
							id: m.id,
							status: m.status,
							delivered_at: iso(m.deliveredAt),
							read_at: iso(m.readAt),
							error_code: m.errorCode,
							error_message: m.errorMessage,
							external_id: m.externalId,
							attempt_status: m.attemptStatus,
							attempt_error_code: m.attemptError?.code ?? null,
							attempt_error_message: m.attemptError?.message ?? null,
							restored: m.restored,
							channel: m.channel,
							recipient: m.recipient,
							provider: m.provider,
						})),
					),
					JSON.stringify(
						orphaned.map((r) => {
							// The raw provider payload is not kept: applying the event later needs only the event.
							const { raw: _raw, ...event } = r.event;
							return {
								event_key: r.key,
								provider: r.event.provider,
								pmid: r.event.providerMessageId,
								status: r.event.status,
								occurred_at: r.event.timestamp,
								error_code: r.errorCode,
								error_message: r.errorMessage,
								event,
							};
						}),
					),
					now.toISOString(),
				],
			);
			return changes.length * 2 + orphaned.length;
		}
	}

	async purgeEvents(options: { olderThanDays: number }): Promise<{ events: number; orphans: number }> {
		const days = isPlainObject(options) ? options.olderThanDays : undefined;
		if (typeof days !== 'number' || !Number.isFinite(days) || days < 0) {
			throw new InvalidQueueInputError([{ field: 'olderThanDays', message: `must be a number of days ≥ 0 (got ${describe(days)})` }]);
		}
		const cutoff = new Date(this.#now().getTime() - days * 86_400_000).toISOString();
		const { rows } = await this.#db().query<{ events: number; orphans: number }>(
			`WITH e AS (DELETE FROM ${E} WHERE received_at < $1::timestamptz RETURNING 1),
			o AS (DELETE FROM ${O} WHERE received_at < $1::timestamptz RETURNING 1)
			SELECT (SELECT count(*) FROM e)::int AS events, (SELECT count(*) FROM o)::int AS orphans`,
			[cutoff],
		);
		const result = { events: Number(rows[0]!.events), orphans: Number(rows[0]!.orphans) };
		if (result.orphans) this.#orphans = undefined;
		this.#wrote(result.events + result.orphans);
		return result;
	}

	// ---------------------------------------------------------------------------------------------
	// get / list

	async get(id: string): Promise<MessageWithAttempts | null> {
		if (!isUuid(id)) return null;
		const db = this.#db();
		const [row] = fromJson<MessageRow>((await db.query<JsonRow>(`SELECT ${JSON_M} FROM ${M} WHERE id = $1`, [id])).rows);
		if (!row) return null;
		const attempts = await db.query<JsonRow>(`SELECT row_to_json(a.*)::text AS j FROM ${A} a WHERE message_id = $1 ORDER BY attempt_number, attempted_at, created_at`, [id]);
		return { ...toMessage(row), attempts: fromJson<AttemptRow>(attempts.rows).map(toAttempt) };
	}

	async list(filter: ListFilter = {}): Promise<Page<ScheduledMessage>> {
		if (!isPlainObject(filter)) throw new InvalidQueueInputError([{ field: 'filter', message: `must be an object (got ${describe(filter)})` }]);
		const issues = new Issues();
		const where: string[] = [];
		const params: unknown[] = [];
		const param = (value: unknown): string => {
			params.push(value);
			return `$${params.length}`;
		};
		let statuses: QueueStatus[] = [...QUEUE_STATUSES];
		if (filter.status !== undefined && filter.status !== null) {
			statuses = (Array.isArray(filter.status) ? filter.status : [filter.status]).flatMap((s, i) => {
				try {
					return [normalizeStatus(s, Array.isArray(filter.status) ? `status[${i}]` : 'status')];
				} catch (error) {
					if (error instanceof InvalidQueueInputError) issues.list.push(...error.issues);
					return [];
				}
			});
			if (Array.isArray(filter.status) && filter.status.length === 0) issues.add('status', 'is an empty list, which matches nothing; leave it out to list every status');
		}
		for (const [key, column] of [
			['channel', 'channel'],
			['sessionId', 'session_id'],
			['clientId', 'client_id'],
			['recipient', 'recipient'],
		] as const) {
			const value = readOptionalString(filter[key], key, issues);
			if (value !== null) where.push(`${column} = ${param(value)}`);
		}
		// Any provider id of the message: the row's, a later part of a multi-part send, a handed-back send.
		const externalId = readOptionalString(filter.externalId, 'externalId', issues);
		if (externalId !== null) {
			const at = param(externalId);
			where.push(`(external_id = ${at} OR id IN (SELECT message_id FROM ${X} WHERE external_id = ${at}))`);
		}
		const from = readDate(filter.sendFrom, 'sendFrom', issues);
		if (from) where.push(`send_time >= ${param(from.toISOString())}::timestamptz`);
		const to = readDate(filter.sendTo, 'sendTo', issues);
		if (to) where.push(`send_time < ${param(to.toISOString())}::timestamptz`);
		const limit = readIntegerInRange(filter.limit, 'limit', issues, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
		if (filter.cursor !== undefined && filter.cursor !== null && filter.cursor !== '') {
			const cursor = typeof filter.cursor === 'string' ? decodeCursor(filter.cursor) : undefined;
			if (!cursor || !isUuid(cursor.id)) issues.add('cursor', 'is not a cursor this queue returned; pass the previous page\'s nextCursor unchanged, or leave it empty for the first page');
			else where.push(`(send_time, id) > (${param(cursor.sendTime)}::timestamptz, ${param(cursor.id)}::uuid)`);
		}
		issues.throwIfAny();
		// Keyset paging walks the (status, send_time, id) index once per status and merges the walks:
		// each reads at most one page, however long the table's history (statuses are the machine's own
		// words, checked above, so they are written into the SQL).
		const conditions = where.length ? ` AND ${where.join(' AND ')}` : '';
		const page = (status: QueueStatus) => `SELECT send_time, id, ${JSON_M} FROM ${M} WHERE status = '${status}'${conditions} ORDER BY send_time, id LIMIT ${limit + 1}`;
		const distinct = [...new Set(statuses)];
		const sql = distinct.length === 1 ? page(distinct[0]!) : `SELECT j FROM (${distinct.map((st) => `(${page(st)})`).join(' UNION ALL ')}) AS pages ORDER BY send_time, id LIMIT ${limit + 1}`;
		const rows = fromJson<MessageRow>((await this.#db().query<JsonRow>(sql, params)).rows);
		const items = rows.slice(0, limit).map(toMessage);
		const last = items[items.length - 1];
		return rows.length > limit && last ? { items, nextCursor: encodeCursor(last.sendTime, last.id) } : { items };
	}

	// ---------------------------------------------------------------------------------------------
	// claim / complete / fail / lease release

	async claimDue(options: ClaimOptions = {}): Promise<ScheduledMessage[]> {
		if (!isPlainObject(options)) throw new InvalidQueueInputError([{ field: 'options', message: `must be an object (got ${describe(options)})` }]);
		const issues = new Issues();
		const batchSize = readIntegerInRange(options.batchSize, 'batchSize', issues, 1, MAX_BATCH_SIZE, DEFAULT_BATCH_SIZE);
		const leaseSeconds = readNonNegativeNumber(options.leaseSeconds, 'leaseSeconds', issues) ?? DEFAULT_LEASE_SECONDS;
		if (leaseSeconds <= 0 || leaseSeconds > MAX_LEASE_SECONDS) issues.add('leaseSeconds', `must be more than 0 and at most ${MAX_LEASE_SECONDS} (a day)`);
		const workerId = options.workerId === undefined ? this.options.workerId : readRequiredText(options.workerId, 'workerId', issues, 'the id of the worker claiming');
		const channel = options.channel === undefined || options.channel === null ? null : readChannel(options.channel, 'channel', issues);
		issues.throwIfAny();

		const now = this.#now();
		const params: unknown[] = [now.toISOString(), batchSize, workerId, new Date(now.getTime() + leaseSeconds * 1000).toISOString()];
		if (channel) params.push(channel);
		// One statement: `dead` retires expired leases whose attempts are used up (they can never be
		// claimed again); `due` picks what may be claimed. The two touch disjoint rows (attempt_count
		// ≥ max vs < max), so sharing one snapshot is safe. On PostgreSQL, FOR UPDATE SKIP LOCKED lets
		// workers claim side by side without waiting for or taking each other's rows. The embedded
		// store has one connection that runs one statement at a time, so no row can be locked by
		// anyone else there, and the lock would only cost a log record per row.
		const lock = this.client.kind === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
		const claimed = await this.#db().query<JsonRow>(
			`WITH dead AS (
				UPDATE ${M} SET status = 'dead', processed_time = $1::timestamptz, lease_owner = NULL, lease_expires_at = NULL,
					error_code = 'LEASE_EXPIRED', error_message = 'lease expired', updated_at = $1::timestamptz
				WHERE status = 'sending' AND lease_expires_at <= $1::timestamptz AND attempt_count >= max_attempts
				RETURNING id
			),
			due AS (
				SELECT id FROM ${M}
				WHERE status IN ('approved', 'sending') AND send_time <= $1::timestamptz
					AND ((status IN (${CLAIM_FROM_APPROVED}) AND (next_attempt_at IS NULL OR next_attempt_at <= $1::timestamptz))
						OR (status = 'sending' AND lease_expires_at <= $1::timestamptz AND attempt_count < max_attempts))
					${channel ? 'AND channel = $5' : ''}
				ORDER BY send_time, id
				LIMIT $2
				${lock}
			)
			UPDATE ${M} m SET status = 'sending', lease_owner = $3, lease_expires_at = $4::timestamptz,
				attempt_count = m.attempt_count + 1, next_attempt_at = NULL, updated_at = $1::timestamptz
			WHERE m.id = ANY(ARRAY(SELECT id FROM due))
			RETURNING row_to_json(m.*)::text AS j`,
			params,
		);
		const rows = fromJson<MessageRow>(claimed.rows);
		this.#wrote(rows.length);
		return rows.map(toMessage).sort((a, b) => (a.sendTime < b.sendTime ? -1 : a.sendTime > b.sendTime ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	}

	async complete(id: string, report: AttemptReport): Promise<ScheduledMessage> {
		if (!isPlainObject(report)) throw new InvalidQueueInputError([{ field: 'report', message: `must be an object (got ${describe(report)})` }]);
		const [result] = await this.#completeMany([{ ...report, id }], '');
		if (!result!.ok) throw result!.error;
		return result!.message;
	}

	async completeMany(items: CompleteItem[]): Promise<BatchResult[]> {
		if (!Array.isArray(items)) throw new InvalidQueueInputError([{ field: 'items', message: `must be a list of { id, …report } (got ${describe(items)})` }]);
		return this.#completeMany(items, 'items');
	}

	async #completeMany(items: CompleteItem[], prefix: string): Promise<BatchResult[]> {
		if (items.length === 0) return [];
		const issues = new Issues();
		const seen = new Set<string>();
		const reports = items.map((item, i) => {
			const at = prefix ? `${prefix}[${i}]` : '';
			if (!isPlainObject(item)) {
				issues.add(at || 'report', `must be an object (got ${describe(item)})`);
				return undefined;
			}
			if (prefix) {
				if (typeof item.id !== 'string' || item.id === '') issues.add(`${at}.id`, 'is required: the id of a claimed message');
				else if (seen.has(item.id)) issues.add(`${at}.id`, 'appears twice in the batch; report each message once');
				seen.add(item.id);
			}
			return this.#readReport(item, at, issues);
		});
		issues.throwIfAny();
		const now = this.#now();
		const valid = items.map((item, i) => ({ id: item.id, report: reports[i]! })).filter((x) => isUuid(x.id));
		// The per-message reports travel as ONE JSON parameter read by jsonb_to_recordset: cheaper for
		// the server than eleven parallel arrays through unnest (measured: about a millisecond of a
		// batch of 50 on the embedded store).
		const records = valid.map(({ id, report: r }) => ({
			id,
			// Log row ids are made here: gen_random_uuid() inside the embedded store costs more than the
			// rest of the insert (measured: a tenth of a whole claim + complete batch).
			attempt_id: globalThis.crypto.randomUUID(),
			worker_id: r.workerId,
			provider: r.provider,
			external_id: r.externalId,
			channel: r.channel,
			attempted_at: r.attemptedAt?.toISOString() ?? null,
			cost: r.cost,
			cost_currency: r.costCurrency,
			response_time_ms: r.responseTimeMs === null ? null : Math.round(r.responseTimeMs),
			fallback_reason: r.fallbackReason,
			metadata: r.metadata,
		}));
		const earlier = valid.flatMap(({ id, report: r }) => earlierRecords(id, r));
		// The later ids of multi-part sends (none for single-id sends: the row holds the first id).
		const extraIds = valid.flatMap(({ id, report: r }) => r.extraIds.map((external_id) => ({ message_id: id, external_id })));
		// Orphan delivery events (a provider's callback faster than this report) are applied and removed
		// in the same statement. The embedded store knows whether it holds any (one process owns it), and
		// runs the plain statement while it holds none; PostgreSQL may get orphans from any process, so
		// there the statement always looks (an InitPlan EXISTS on the orphan table skips the rest while
		// it is empty).
		const epoch = this.#orphanEpoch;
		const reconcile = valid.length > 0 && (await this.#mayHaveOrphans());
		const params: unknown[] = [JSON.stringify(records), now.toISOString()];
		if (earlier.length) params.push(JSON.stringify(earlier));
		if (extraIds.length) params.push(JSON.stringify(extraIds));
		const completed = valid.length
			? await this.#db().query<JsonRow>(completeSql(reconcile, earlier.length > 0, extraIds.length ? `$${params.length}` : null), params)
			: { rows: [] as JsonRow[] };
		let rows = fromJson<MessageRow & { orphans_applied?: boolean }>(completed.rows);
		this.#wrote(rows.length * 2 + earlier.length + extraIds.length);
		if (rows.some((r) => r.orphans_applied)) this.#orphans = undefined; // some were removed: look again next time
		// Embedded store: recordEvents kept an orphan between this call's decision and its statement (it
		// waited for PGlite's connection behind that transaction). Apply what the plain statement could
		// not see now, through recordEvents' own path; rare, so a second transaction is fine here.
		const extraOf = new Map<string, string[]>();
		for (const { message_id, external_id } of extraIds) extraOf.set(message_id, [...(extraOf.get(message_id) ?? []), external_id]);
		const late = !reconcile && this.#orphanEpoch !== epoch ? rows.filter((r) => r.external_id !== null || extraOf.has(r.id)) : [];
		if (late.length) {
			const lateIds = late.flatMap((r) => [...(r.external_id !== null ? [r.external_id] : []), ...(extraOf.get(r.id) ?? [])]);
			const written = await this.#db().transaction((tx) => this.#applyEvents(tx, lateIds, [], [], now));
			this.#wrote(written);
			if (written) {
				const again = await this.#db().query<JsonRow>(`SELECT ${JSON_M} FROM ${M} WHERE id = ANY($1::uuid[])`, [late.map((r) => r.id)]);
				const fresh = new Map(fromJson<MessageRow>(again.rows).map((r) => [r.id, r]));
				rows = rows.map((r) => fresh.get(r.id) ?? r);
			}
		}
		const done = new Map(rows.map((r) => [r.id, r]));
		const failed = items.filter((item) => !done.has(item.id));
		const why = await this.#whyNot(
			failed.map((f) => f.id),
			'sent',
			'complete',
		);
		return items.map((item, i) => {
			const row = done.get(item.id);
			if (row) return { id: item.id, ok: true as const, message: toMessage(row) };
			return { id: item.id, ok: false as const, error: why(item.id, reports[i]!.workerId) };
		});
	}

	async fail(id: string, report: FailureReport): Promise<ScheduledMessage> {
		if (!isPlainObject(report)) {
			throw new InvalidQueueInputError([{ field: 'report', message: `must be { error: { code?, message }, retryable, … } (got ${describe(report)})` }]);
		}
		const issues = new Issues();
		const base = this.#readReport(report, '', issues);
		let errorCode: string | null = null;
		let errorMessage = '';
		if (!isPlainObject(report.error)) issues.add('error', `is required: { code?, message } describing the failure (got ${describe(report.error)})`);
		else {
			errorCode = readOptionalString(report.error.code, 'error.code', issues);
			errorMessage = readRequiredText(report.error.message, 'error.message', issues, 'what went wrong');
		}
		if (typeof report.retryable !== 'boolean') issues.add('retryable', `is required: true (may succeed later) or false (permanent) (got ${describe(report.retryable)})`);
		if (report.retry !== undefined && !isPlainObject(report.retry)) issues.add('retry', `must be a retry policy object (got ${describe(report.retry)})`);
		issues.throwIfAny();
		const now = this.#now();

		return this.#locked(id, async (row, tx) => {
			const from = row.status as QueueStatus;
			if (from !== 'sending' || row.lease_owner !== base.workerId) {
				const last = await tx.query<{ last_worker: string | null }>(`SELECT ${LAST_WORKER_SQL} FROM ${M} m WHERE m.id = $1`, [id]);
				throw this.#notHeld({ ...row, last_worker: last.rows[0]?.last_worker ?? null }, base.workerId, 'failed', 'fail');
			}
			assertTransition(id, from, 'failed', 'fail');
			// The message's own max attempts (set at enqueue) unless this failure overrides the policy.
			const policy = resolveRetryPolicy(report.retry, { ...this.options.retry, maxAttempts: Number(row.max_attempts) });
			const decision = decideRetry(policy, Number(row.attempt_count), report.retryable, this.options.random);
			const to: QueueStatus = decision.retry ? 'approved' : 'dead';
			assertTransition(id, 'failed', to, 'fail');
			const nextAttemptAt = decision.retry ? new Date(now.getTime() + Math.round(decision.delaySeconds * 1000)).toISOString() : null;
			const { rows } = await tx.query<JsonRow>(
				`WITH upd AS (
					UPDATE ${M} SET status = $2, next_attempt_at = $3::timestamptz, error_code = $4, error_message = $5,
						processed_time = CASE WHEN $2 = 'dead' THEN $6::timestamptz ELSE processed_time END,
						lease_owner = NULL, lease_expires_at = NULL, updated_at = $6::timestamptz
					WHERE id = $1 RETURNING *
				),
				ins AS (
					INSERT INTO ${A} (id, message_id, attempt_number, channel, provider, recipient, attempted_at, success, status, external_id,
						error_code, error_message, retryable, cost, cost_currency, response_time_ms, fallback_reason, metadata, worker_id, created_at)
					SELECT $18::uuid, upd.id, upd.attempt_count, coalesce($7, upd.channel), $8, upd.recipient, coalesce($9::timestamptz, $6::timestamptz), false, 'failed', $10,
						$4, $5, $11, $12::numeric, $13, $14::int, $15, $16::text::jsonb, $17, $6::timestamptz
					FROM upd
				)${base.earlier.length ? `, ${earlierInsertSql('$19', '$6::timestamptz')}` : ''}
				SELECT row_to_json(upd.*)::text AS j FROM upd`,
				[
					id,
					to,
					nextAttemptAt,
					errorCode,
					errorMessage,
					now.toISOString(),
					base.channel,
					base.provider,
					base.attemptedAt?.toISOString() ?? null,
					base.externalId,
					report.retryable,
					base.cost === null ? null : String(base.cost),
					base.costCurrency,
					base.responseTimeMs === null ? null : Math.round(base.responseTimeMs),
					base.fallbackReason,
					JSON.stringify(base.metadata),
					base.workerId,
					globalThis.crypto.randomUUID(),
					...(base.earlier.length ? [JSON.stringify(earlierRecords(id, base))] : []),
				],
			);
			this.#wrote(2 + base.earlier.length);
			return toMessage(fromJson<MessageRow>(rows)[0]!);
		});
	}

	async releaseExpiredLeases(): Promise<number> {
		return this.#releaseExpired(this.#db(), this.#now());
	}

	/**
	 * See ScheduleQueue.requeueUndelivered. One transaction: the qualifying rows are selected oldest
	 * send first and locked (`FOR UPDATE SKIP LOCKED` on PostgreSQL, as claimDue: a row another
	 * transaction holds — being claimed, or getting a delivery event — is left for the next run; the
	 * embedded store runs one transaction at a time), each gets its fallback address (requeue.ts) or
	 * is skipped with the reason, then one statement moves them with their log rows, and the id table
	 * keeps their provider ids (marked handed back) so late delivery events still find them.
	 *
	 * "Undelivered" is `sent` with no failure reported (error_code is NULL: complete clears it, only a
	 * delivery failure event sets it on a sent message); a reported failure is left as it is.
	 * The selection reads the (status, send_time, id) index for status `sent` and filters by channel
	 * and processed_time: no index of its own, which would cost every complete an index entry.
	 * Skipped messages stay `sent`: the selection pages on past them (keyset on processed_time, id)
	 * until `limit` messages moved or none are left, so they never starve the others.
	 */
	async requeueUndelivered(options: RequeueUndeliveredOptions): Promise<RequeueResult> {
		const o = readRequeueOptions(options);
		const now = this.#now();
		const at = now.toISOString();
		const cutoff = new Date(now.getTime() - o.olderThanMinutes * 60_000).toISOString();
		const reason = requeueReason(o);
		const lock = this.client.kind === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
		const { moved, skipped } = await this.#db().transaction(async (tx) => {
			const moves: Array<{ row: MessageRow; recipient: string }> = [];
			const skipped: RequeueSkipped[] = [];
			let after: { time: string; id: string } | null = null;
			while (moves.length < o.limit) {
				const want = o.limit - moves.length;
				const params: unknown[] = [o.channel, cutoff, want];
				if (after) params.push(after.time, after.id);
				const page: MessageRow[] = fromJson<MessageRow>(
					(
						await tx.query<JsonRow>(
							`SELECT ${JSON_M} FROM ${M}
							WHERE status IN (${REQUEUE_FROM}) AND channel = $1 AND processed_time < $2::timestamptz AND error_code IS NULL
								${after ? 'AND (processed_time, id) > ($4::timestamptz, $5::uuid)' : ''}
							ORDER BY processed_time, id
							LIMIT $3
							${lock}`,
							params,
						)
					).rows,
				);
				for (const row of page) {
					const target = requeueTarget(row, o.fallbackChannel);
					if ('reason' in target) skipped.push({ id: row.id, channel: row.channel, recipient: row.recipient, reason: target.reason });
					else moves.push({ row, recipient: target.recipient });
				}
				const last: MessageRow | undefined = page[page.length - 1];
				if (page.length < want || !last) break;
				after = { time: String(last.processed_time), id: last.id };
			}
			if (moves.length === 0) return { moved: [] as MessageRow[], skipped };
			const minutes = o.olderThanMinutes === 1 ? '1 minute' : `${o.olderThanMinutes} minutes`;
			const errorMessage = `not delivered ${minutes} after it was sent on ${o.channel}; handed back to ${o.fallbackChannel}`;
			const records = moves.map(({ row, recipient }) => ({
				id: row.id,
				log_id: globalThis.crypto.randomUUID(),
				recipient,
				old_channel: row.channel,
				old_recipient: row.recipient,
				old_provider: row.provider,
				old_external_id: row.external_id,
			}));
			// The message waits on the fallback channel, due at once, with no current send: its provider
			// and id move to the id table (below). The log row is the old send's channel, provider,
			// recipient and id, with why it was handed back.
			const { rows } = await tx.query<JsonRow>(
				`WITH r AS (
					SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS r(id uuid, log_id uuid, recipient text, old_channel text, old_recipient text,
						old_provider text, old_external_id text)
				),
				upd AS (
					UPDATE ${M} m SET status = 'approved', channel = $2, recipient = r.recipient, provider = NULL, external_id = NULL,
						next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
						error_code = 'UNDELIVERED', error_message = $3, updated_at = $4::timestamptz
					FROM r WHERE m.id = r.id AND m.status IN (${REQUEUE_FROM})
					RETURNING m.*
				),
				ins AS (
					INSERT INTO ${A} (id, message_id, attempt_number, channel, provider, recipient, attempted_at, success, status, external_id,
						error_code, error_message, fallback_reason, metadata, worker_id, created_at)
					SELECT r.log_id, upd.id, upd.attempt_count, r.old_channel, r.old_provider, r.old_recipient, $4::timestamptz, false, 'undelivered', r.old_external_id,
						'UNDELIVERED', $3, $5, jsonb_build_object('handedBackTo', $2::text, 'newRecipient', r.recipient, 'olderThanMinutes', $6::float8, 'by', $7::text),
						NULL, $4::timestamptz
					FROM upd JOIN r ON r.id = upd.id
				)
				SELECT row_to_json(upd.*)::text AS j FROM upd`,
				[JSON.stringify(records), o.fallbackChannel, errorMessage, at, reason, o.olderThanMinutes, o.by],
			);
			const movedRows = fromJson<MessageRow>(rows);
			const ids = movedRows.map((r) => r.id);
			// Every provider id of the handed-back sends (the rows' own, and the later parts already in
			// the table) is marked handed back: a late event for one of them is then told apart from
			// the fallback send's own events (events.ts, applyHandedBack).
			await tx.query(`UPDATE ${X} SET handed_back = true WHERE message_id = ANY($1::uuid[]) AND NOT handed_back`, [ids]);
			const own = records.filter((r) => r.old_external_id !== null && ids.includes(r.id));
			if (own.length) {
				await tx.query(
					`INSERT INTO ${X} (external_id, message_id, provider, channel, recipient, handed_back, created_at)
					SELECT r.external_id, r.message_id, r.provider, r.channel, r.recipient, true, $2::timestamptz
					FROM jsonb_to_recordset($1::text::jsonb) AS r(external_id text, message_id uuid, provider text, channel text, recipient text)
					ON CONFLICT (external_id, message_id) DO UPDATE SET provider = excluded.provider, channel = excluded.channel,
						recipient = excluded.recipient, handed_back = true`,
					[
						JSON.stringify(own.map((r) => ({ external_id: r.old_external_id, message_id: r.id, provider: r.old_provider, channel: r.old_channel, recipient: r.old_recipient }))),
						at,
					],
				);
			}
			const order = new Map(moves.map((m, i) => [m.row.id, i]));
			movedRows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
			return { moved: movedRows, skipped };
		});
		this.#wrote(moved.length * 3);
		return { moved: moved.map(toMessage), skipped };
	}

	/**
	 * sending + expired lease → approved (due again, at once) while attempts remain, else → dead with
	 * LEASE_EXPIRED. (claimDue does the dead part itself and re-claims the others directly.)
	 */
	async #releaseExpired(db: SqlExecutor, now: Date): Promise<number> {
		const { rowCount } = await db.query(
			`UPDATE ${M} SET
				status = CASE WHEN attempt_count >= max_attempts THEN 'dead' ELSE 'approved' END,
				processed_time = CASE WHEN attempt_count >= max_attempts THEN $1::timestamptz ELSE processed_time END,
				next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
				error_code = 'LEASE_EXPIRED', error_message = 'lease expired', updated_at = $1::timestamptz
			WHERE status = 'sending' AND lease_expires_at <= $1::timestamptz`,
			[now.toISOString()],
		);
		this.#wrote(rowCount);
		return rowCount;
	}

	/** Why complete/fail did not apply to these ids: one query, one typed error per id. */
	async #whyNot(ids: string[], to: QueueStatus, operation: QueueOperation): Promise<(id: string, workerId: string) => Error> {
		const valid = ids.filter(isUuid);
		const { rows } = valid.length
			? await this.#db().query<HolderRow>(`SELECT m.id, m.status, m.lease_owner, m.attempt_count, ${LAST_WORKER_SQL} FROM ${M} m WHERE m.id = ANY($1::uuid[])`, [valid])
			: { rows: [] as HolderRow[] };
		const byId = new Map(rows.map((r) => [r.id, r]));
		return (id, workerId) => {
			const row = byId.get(id);
			if (!row) return new MessageNotFoundError(String(id));
			return this.#notHeld(row, workerId, to, operation);
		};
	}

	/**
	 * The error for reporting an outcome on a message this worker does not hold. A lost lease when the
	 * message is waiting again or held by another worker — or was claimed before and finished by
	 * another worker (the caller is a late former owner); an illegal transition otherwise (never
	 * claimed, or this worker already reported its outcome).
	 */
	#notHeld(row: HolderRow, workerId: string, to: QueueStatus, operation: QueueOperation): Error {
		const status = row.status as QueueStatus;
		const finishedByAnother = Number(row.attempt_count) > 0 && row.last_worker !== null && row.last_worker !== workerId;
		if (status === 'approved' || status === 'sending' || finishedByAnother) return new LeaseLostError(row.id, workerId, row.lease_owner, status);
		return new IllegalTransitionError(row.id, status, to, TRANSITIONS[status], operation, appliesTo(operation, to));
	}

	#readReport(report: Record<string, unknown>, prefix: string, issues: Issues): NormalizedReport {
		const f = (name: string): string => (prefix ? `${prefix}.${name}` : name);
		const workerId =
			report.workerId === undefined || report.workerId === null
				? this.options.workerId
				: readRequiredText(report.workerId, f('workerId'), issues, 'the worker id used to claim the message');
		const channel = report.channel === undefined || report.channel === null ? null : readChannel(report.channel, f('channel'), issues);
		const ids = readExternalIds(report.externalIds, f('externalIds'), issues);
		const externalId = readOptionalString(report.externalId, f('externalId'), issues) ?? ids[0] ?? null;
		return {
			workerId,
			channel,
			provider: readOptionalString(report.provider, f('provider'), issues),
			externalId,
			extraIds: ids.filter((id) => id !== externalId),
			responseTimeMs: readNonNegativeNumber(report.responseTimeMs, f('responseTimeMs'), issues),
			cost: readNonNegativeNumber(report.cost, f('cost'), issues),
			costCurrency: readOptionalString(report.costCurrency, f('costCurrency'), issues),
			fallbackReason: readOptionalString(report.fallbackReason, f('fallbackReason'), issues),
			metadata: readMetadata(report.metadata, f('metadata'), issues),
			attemptedAt: readDate(report.attemptedAt, f('attemptedAt'), issues) ?? null,
			earlier: readEarlierAttempts(report.earlierAttempts, f('earlierAttempts'), issues),
		};
	}

	// ---------------------------------------------------------------------------------------------
	// stats / purge / close

	async stats(options: { from: string | Date; to: string | Date; channel?: string }): Promise<ChannelStats[]> {
		if (!isPlainObject(options)) throw new InvalidQueueInputError([{ field: 'options', message: `must be { from, to, channel? } (got ${describe(options)})` }]);
		const issues = new Issues();
		const from = readDate(options.from, 'from', issues);
		const to = readDate(options.to, 'to', issues);
		if (!from && options.from === undefined) issues.add('from', 'is required: the start of the period (ISO 8601)');
		if (!to && options.to === undefined) issues.add('to', 'is required: the end of the period (ISO 8601, inclusive)');
		if (from && to && from > to) issues.add('to', 'must not be before from');
		const channel = options.channel === undefined || options.channel === null ? null : readOptionalString(options.channel, 'channel', issues);
		issues.throwIfAny();
		const params: unknown[] = [from!.toISOString(), to!.toISOString()];
		if (channel) params.push(channel);
		const { rows } = await this.#db().query<{
			channel: string;
			total: number;
			ok: number;
			avg_ms: string | number | null;
			cost: string | number | null;
			fallbacks: number;
		}>(
			`SELECT channel, count(*)::int AS total, count(*) FILTER (WHERE success)::int AS ok,
				avg(response_time_ms)::float8 AS avg_ms, coalesce(sum(cost), 0)::text AS cost,
				count(*) FILTER (WHERE fallback_reason IS NOT NULL)::int AS fallbacks
			FROM ${A}
			WHERE attempted_at >= $1::timestamptz AND attempted_at <= $2::timestamptz ${channel ? 'AND channel = $3' : ''}
			GROUP BY channel ORDER BY channel`,
			params,
		);
		const period = { startDate: from!.toISOString(), endDate: to!.toISOString() };
		const result = rows.map((r) => {
			const total = Number(r.total);
			const ok = Number(r.ok);
			return {
				channel: r.channel,
				totalAttempts: total,
				successfulAttempts: ok,
				failedAttempts: total - ok,
				successRate: total ? Math.round((ok * 1000) / total) / 10 : 0,
				averageResponseTimeMs: r.avg_ms === null ? null : Math.round(Number(r.avg_ms)),
				totalCost: Number(r.cost),
				fallbackCount: Number(r.fallbacks),
				period,
			};
		});
		// Asked about one channel: answer for it even when it had no attempts.
		if (channel && result.length === 0) {
			result.push({ channel, totalAttempts: 0, successfulAttempts: 0, failedAttempts: 0, successRate: 0, averageResponseTimeMs: null, totalCost: 0, fallbackCount: 0, period });
		}
		return result;
	}

	async purgeLog(options: { olderThanDays: number }): Promise<number> {
		const days = isPlainObject(options) ? options.olderThanDays : undefined;
		if (typeof days !== 'number' || !Number.isFinite(days) || days < 0) {
			throw new InvalidQueueInputError([{ field: 'olderThanDays', message: `must be a number of days ≥ 0 (got ${describe(days)})` }]);
		}
		const cutoff = new Date(this.#now().getTime() - days * 86_400_000);
		const { rowCount } = await this.#db().query(`DELETE FROM ${A} WHERE attempted_at < $1::timestamptz`, [cutoff.toISOString()]);
		this.#wrote(rowCount);
		return rowCount;
	}

	close(): Promise<void> {
		this.#closing ??= (async () => {
			this.#closed = true;
			await this.#maintenance;
			try {
				await this.client.close();
			} finally {
				await this.options.onClose?.();
			}
		})();
		return this.#closing;
	}
}

/** AttemptReport.externalIds: a list of non-empty provider ids; repeats are dropped, the order kept. */
function readExternalIds(value: unknown, field: string, issues: Issues): string[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) {
		issues.add(field, `must be a list of provider message ids, e.g. ["wamid.1", "wamid.2"] (got ${describe(value)})`);
		return [];
	}
	if (value.length > MAX_EXTERNAL_IDS) {
		issues.add(field, `may hold at most ${MAX_EXTERNAL_IDS} ids (got ${value.length})`);
		return [];
	}
	const ids: string[] = [];
	value.forEach((id, i) => {
		if (typeof id !== 'string' || id.trim() === '') issues.add(`${field}[${i}]`, `must be a provider message id (non-empty text) (got ${describe(id)})`);
		else if (id.includes('\0')) issues.add(`${field}[${i}]`, 'contains a NUL character (\\u0000), which the database cannot store; remove it');
		else if (!ids.includes(id)) ids.push(id);
	});
	return ids;
}

function readEarlierAttempts(value: unknown, field: string, issues: Issues): NormalizedEarlier[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) {
		issues.add(field, `must be a list of earlier attempts (got ${describe(value)})`);
		return [];
	}
	if (value.length > MAX_EARLIER_ATTEMPTS) {
		issues.add(field, `may hold at most ${MAX_EARLIER_ATTEMPTS} attempts (got ${value.length})`);
		return [];
	}
	return value.map((item, i): NormalizedEarlier => {
		const f = (name: string): string => `${field}[${i}].${name}`;
		if (!isPlainObject(item)) {
			issues.add(`${field}[${i}]`, `must be an object (got ${describe(item)})`);
			return { provider: null, channel: null, externalId: null, responseTimeMs: null, cost: null, costCurrency: null, fallbackReason: null, metadata: {}, attemptedAt: null, success: false, errorCode: null, errorMessage: null, retryable: null };
		}
		if (item.success !== undefined && typeof item.success !== 'boolean') issues.add(f('success'), `must be true or false (got ${describe(item.success)})`);
		const success = item.success === true;
		if (item.retryable !== undefined && item.retryable !== null && typeof item.retryable !== 'boolean') issues.add(f('retryable'), `must be true or false (got ${describe(item.retryable)})`);
		let errorCode: string | null = null;
		let errorMessage: string | null = null;
		if (item.error !== undefined && item.error !== null) {
			if (!isPlainObject(item.error)) issues.add(f('error'), `must be { code?, message } (got ${describe(item.error)})`);
			else {
				errorCode = readOptionalString(item.error.code, f('error.code'), issues);
				errorMessage = readRequiredText(item.error.message, f('error.message'), issues, 'what went wrong');
			}
		} else if (!success) issues.add(f('error'), 'is required for a failed attempt: { code?, message }');
		return {
			provider: readOptionalString(item.provider, f('provider'), issues),
			channel: item.channel === undefined || item.channel === null ? null : readChannel(item.channel, f('channel'), issues),
			externalId: readOptionalString(item.externalId, f('externalId'), issues),
			responseTimeMs: readNonNegativeNumber(item.responseTimeMs, f('responseTimeMs'), issues),
			cost: readNonNegativeNumber(item.cost, f('cost'), issues),
			costCurrency: readOptionalString(item.costCurrency, f('costCurrency'), issues),
			fallbackReason: readOptionalString(item.fallbackReason, f('fallbackReason'), issues),
			metadata: readMetadata(item.metadata, f('metadata'), issues),
			attemptedAt: readDate(item.attemptedAt, f('attemptedAt'), issues) ?? null,
			success,
			errorCode,
			errorMessage,
			retryable: typeof item.retryable === 'boolean' ? item.retryable : null,
		};
	});
}

/**
 * The SqlClient behind a queue opened by openQueue (undefined for anything else). For tests and
 * maintenance tooling that need to look at the tables directly; not part of the library API.
 */
export function internalSqlClient(queue: ScheduleQueue): SqlClient | undefined {
	return queue instanceof QueueStore ? queue.sqlClient : undefined;
}
