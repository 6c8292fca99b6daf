/**
 * The Schedule Queue contract (seeds 000, 001, 003): scheduled messages that people review, a
 * processor that claims what is approved and due, and a log of every delivery attempt.
 *
 * One implementation (core/queue/store.ts) runs the same SQL on the embedded PGlite store and on
 * PostgreSQL; both host shells and the library call only this interface. Times are injected
 * (`QueueOptions.now`) so claiming, leases and retries are testable without sleeping.
 */
import type { Channel, DeliveryEvent, MessageInput } from '../schema/message';
import type { EventOutcome } from '../webhooks/types';

/**
 * Lifecycle: draft → approved → sending → sent → delivered → read; draft|approved → cancelled;
 * sending → failed → approved (retry, with next_attempt_at) | dead. `revised` (seed 000) is accepted
 * wherever a status is read from a caller and stored as `approved`.
 */
export const QUEUE_STATUSES = ['draft', 'approved', 'sending', 'sent', 'delivered', 'read', 'failed', 'cancelled', 'dead'] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

/** What a caller (or a flow) gives to create a scheduled message. */
export interface EnqueueInput {
	/** The channel (seed 000 `message_type`): email, sms, whatsapp, telegram, teams… */
	channel: Channel;
	/** Email address, phone number, chat id… */
	recipient: string;
	/** When to send (ISO 8601 or Date). Defaults to now. */
	sendTime?: string | Date;
	subject?: string;
	body?: string;
	template?: string;
	sessionId?: string;
	clientId?: string;
	/** Initial status: `draft` (default, needs approval) or `approved`/`revised` (pre-approved). */
	status?: 'draft' | 'approved' | 'revised';
	/** A full universal message to send instead of subject/body (rich content). */
	message?: MessageInput;
	/** A repeat enqueue with the same key is a no-op that returns the existing row. */
	idempotencyKey?: string;
	/** Overrides the queue's default max attempts for this message. */
	maxAttempts?: number;
	metadata?: Record<string, unknown>;
}

export interface ScheduledMessage {
	id: string;
	sessionId: string | null;
	clientId: string | null;
	channel: string;
	recipient: string;
	subject: string | null;
	body: string | null;
	template: string | null;
	/** ISO 8601 UTC. */
	sendTime: string;
	status: QueueStatus;
	createdAt: string;
	updatedAt: string;
	processedTime: string | null;
	errorCode: string | null;
	errorMessage: string | null;
	metadata: Record<string, unknown>;
	/** The universal message to send, when one was given (else build one from subject/body). */
	message: Record<string, unknown> | null;
	approvedBy: string | null;
	approvedAt: string | null;
	approvalNote: string | null;
	rejectedBy: string | null;
	rejectedAt: string | null;
	rejectionReason: string | null;
	/** Who moved the send time last, and when (reschedule). */
	rescheduledBy: string | null;
	rescheduledAt: string | null;
	attemptCount: number;
	maxAttempts: number;
	nextAttemptAt: string | null;
	leaseOwner: string | null;
	leaseExpiresAt: string | null;
	idempotencyKey: string | null;
	/** Provider and external id of the successful send. */
	provider: string | null;
	externalId: string | null;
	/** When the provider reported delivery / reading (recordDelivery). */
	deliveredAt: string | null;
	readAt: string | null;
}

/** One row of the delivery log (seed 003 MessageDeliveryAttempts + seed 000 messages_log). */
export interface DeliveryAttempt {
	id: string;
	messageId: string;
	attemptNumber: number;
	channel: string;
	provider: string | null;
	recipient: string;
	/** ISO 8601 UTC. */
	attemptedAt: string;
	success: boolean;
	/** sent | failed (later: delivered, read… from delivery webhooks). */
	status: string;
	externalId: string | null;
	errorCode: string | null;
	errorMessage: string | null;
	retryable: boolean | null;
	cost: number | null;
	costCurrency: string | null;
	responseTimeMs: number | null;
	/** Why a fallback provider/channel was used: primary_failed, provider_unavailable, rate_limit_exceeded, cost_threshold, quality_threshold. */
	fallbackReason: string | null;
	metadata: Record<string, unknown>;
	/** The worker that made the attempt (its claim's worker id). */
	workerId: string | null;
}

export type RetryStrategyName = 'none' | 'linear' | 'exponential';

/** Seed 003: none / linear / exponential, with initial delay, cap, jitter and max attempts. */
export interface RetryPolicy {
	strategy: RetryStrategyName;
	initialDelaySeconds: number;
	maxDelaySeconds: number;
	/** 0 = none, 1 = full jitter; the delay is drawn from [delay × (1 − jitter), delay]. */
	jitter: number;
	maxAttempts: number;
}

export interface ActorInput {
	/** Who did it (user name / email / id); required for approve and reject. */
	by: string;
	/** Why (rejection reason, approval note). */
	reason?: string;
}

export interface ListFilter {
	status?: QueueStatus | 'revised' | Array<QueueStatus | 'revised'>;
	channel?: string;
	sessionId?: string;
	clientId?: string;
	recipient?: string;
	/** The provider's id of the sent message (to find it from a delivery webhook). */
	externalId?: string;
	/** send_time ≥ from / < to (ISO). */
	sendFrom?: string | Date;
	sendTo?: string | Date;
	/** Page size (default 50, max 1000). */
	limit?: number;
	/** Opaque cursor from the previous page's `nextCursor`. */
	cursor?: string;
}

export interface Page<T> {
	items: T[];
	/** Absent on the last page. */
	nextCursor?: string;
}

export interface ClaimOptions {
	/** Default 50. */
	batchSize?: number;
	/** Default 300 s: how long the claimer owns the messages before they may be claimed again. */
	leaseSeconds?: number;
	/** Identifies the worker holding the lease; default: a per-queue random id. */
	workerId?: string;
	/** Only this channel. */
	channel?: string;
}

/** The outcome of one send attempt, as Channel Send (or a flow) reports it. */
export interface AttemptReport {
	/** The worker that claimed the message; the call is refused if its lease was lost. */
	workerId?: string;
	provider?: string;
	channel?: string;
	externalId?: string;
	/**
	 * Every provider message id of this send, in order, when it made several provider calls (WhatsApp
	 * text + image → two ids; Channel Send's `SendResult.externalIds`). Delivery events for any of
	 * them match the message (docs/delivery-events.md, "Multi-part sends"). `externalId` defaults to
	 * the first; the others are kept in the queue's id table only when there is more than one id.
	 * At most MAX_EXTERNAL_IDS.
	 */
	externalIds?: string[];
	responseTimeMs?: number;
	cost?: number;
	costCurrency?: string;
	fallbackReason?: string;
	metadata?: Record<string, unknown>;
	/** When the attempt started (default: now). */
	attemptedAt?: string | Date;
	/**
	 * Attempts made earlier in the same claim, before this outcome (Channel Send's retries, fallback
	 * providers, channel failover), oldest first. Each becomes its own log row in the same statement
	 * (same attempt number: the claim's), written only when the outcome itself is written. Give
	 * `attemptedAt` so the log orders them before the final attempt.
	 */
	earlierAttempts?: EarlierAttempt[];
}

/** One earlier attempt of the same claim (see AttemptReport.earlierAttempts). */
export interface EarlierAttempt {
	provider?: string;
	channel?: string;
	externalId?: string;
	responseTimeMs?: number;
	cost?: number;
	costCurrency?: string;
	fallbackReason?: string;
	metadata?: Record<string, unknown>;
	attemptedAt?: string | Date;
	/** Default false: earlier attempts are the failed ones. */
	success?: boolean;
	/** Required when success is false. */
	error?: { code?: string; message: string };
	retryable?: boolean;
}

/** Most earlier attempts one report may carry. */
export const MAX_EARLIER_ATTEMPTS = 100;

/** Most provider message ids one report may carry (AttemptReport.externalIds). */
export const MAX_EXTERNAL_IDS = 100;

export interface FailureReport extends AttemptReport {
	error: { code?: string; message: string };
	/** false = permanent (dead at once); true = retry per the policy while attempts remain. */
	retryable: boolean;
	/** Overrides the queue's retry policy for this failure. */
	retry?: Partial<RetryPolicy>;
}

export interface ChannelStats {
	channel: string;
	totalAttempts: number;
	successfulAttempts: number;
	failedAttempts: number;
	/** Percent, 0–100, one decimal. */
	successRate: number;
	averageResponseTimeMs: number | null;
	totalCost: number;
	fallbackCount: number;
	period: { startDate: string; endDate: string };
}

export interface MessageWithAttempts extends ScheduledMessage {
	attempts: DeliveryAttempt[];
}

/** One message of a completeMany batch: which message, and the attempt's outcome. */
export interface CompleteItem extends AttemptReport {
	id: string;
}

/**
 * Per-message outcome of a batch call, in input order: `ok` with the updated message, or the typed
 * error (LeaseLostError, IllegalTransitionError, MessageNotFoundError) and nothing written for it.
 */
export type BatchResult = { id: string; ok: true; message: ScheduledMessage } | { id: string; ok: false; error: Error };

/** A provider's later report about a sent message (Delivery Webhook): sent → delivered → read. */
export interface DeliveryReport {
	status: 'delivered' | 'read';
	/** When it happened (default: now). */
	at?: string | Date;
}

/**
 * requeueUndelivered: messages on `channel` still `sent` (accepted, no delivered / read / failure
 * reported) more than `olderThanMinutes` after they were sent go back to `approved`, due at once,
 * on `fallbackChannel`.
 */
export interface RequeueUndeliveredOptions {
	/** The channel whose undelivered messages are handed back (e.g. whatsapp). */
	channel: string;
	/** Sent more than this many minutes ago (processed_time), at least 1. */
	olderThanMinutes: number;
	/** The channel to send them on instead (e.g. sms); must differ from `channel`. */
	fallbackChannel: string;
	/** Most messages moved by one call (default 100, max 1000). */
	limit?: number;
	/** Who (or which schedule) handed them back, kept in the log row. */
	by?: string;
}

/** A message requeueUndelivered did not move, and why (it stays `sent`). */
export interface RequeueSkipped {
	id: string;
	channel: string;
	recipient: string;
	/** E.g. `no sms address: the recipient "a@example.com" is an email address; set metadata.failover.sms.to …`. */
	reason: string;
}

export interface RequeueResult {
	/** The messages moved, as they are now (approved, on the fallback channel). */
	moved: ScheduledMessage[];
	/** Messages that qualified but have no address on the fallback channel. */
	skipped: RequeueSkipped[];
}

export interface ScheduleQueue {
	enqueue(input: EnqueueInput): Promise<{ message: ScheduledMessage; created: boolean }>;
	enqueueMany(inputs: EnqueueInput[]): Promise<Array<{ message: ScheduledMessage; created: boolean }>>;
	approve(id: string, actor: ActorInput): Promise<ScheduledMessage>;
	reject(id: string, actor: ActorInput): Promise<ScheduledMessage>;
	reschedule(id: string, sendTime: string | Date, actor?: Partial<ActorInput>): Promise<ScheduledMessage>;
	get(id: string): Promise<MessageWithAttempts | null>;
	list(filter?: ListFilter): Promise<Page<ScheduledMessage>>;
	/**
	 * Approved messages with send time ≤ now and next attempt ≤ now, plus sending ones whose lease
	 * expired (taken over), oldest send time first (then id): they become `sending` under this
	 * worker's lease and their attempt count goes up by one. Expired leases with no attempts left
	 * become `dead` instead.
	 */
	claimDue(options?: ClaimOptions): Promise<ScheduledMessage[]>;
	/**
	 * sending → sent, with the log row. Only the lease owner (report.workerId, default the queue's)
	 * may report, also after its lease expired as long as nobody took the message over; otherwise
	 * LeaseLostError and nothing is written.
	 */
	complete(id: string, report: AttemptReport): Promise<ScheduledMessage>;
	/**
	 * complete() for a whole claimed batch in one statement (the fast path for processors). Each item
	 * succeeds or fails on its own; a lost lease on one message does not block the others.
	 */
	completeMany(items: CompleteItem[]): Promise<BatchResult[]>;
	/**
	 * sending → failed → approved (retryable, attempts left: next attempt after the retry delay) or
	 * dead, with the log row. Same lease rule as complete().
	 */
	fail(id: string, report: FailureReport): Promise<ScheduledMessage>;
	/** sent → delivered → read, from a provider's delivery report; the successful attempt's log row follows. */
	recordDelivery(id: string, report: DeliveryReport): Promise<ScheduledMessage>;
	/**
	 * Applies universal delivery events (switchboard.event/v1, e.g. from normalize) in one transaction:
	 * each is matched to its message by provider + provider message id, moves the status forward only
	 * (sent < delivered < read; opened/clicked count as read), fills delivered_at / read_at and the
	 * successful attempt's log row, and records failures without moving the status back. A repeat of
	 * an event is a `duplicate`; an event for an unknown message id is kept as an `orphan` and applied
	 * when a message gets that id (complete/completeMany). One outcome per event, in order. Invalid
	 * events throw InvalidQueueInputError (naming `events[i].field`) and nothing is written.
	 * See docs/delivery-events.md.
	 */
	recordEvents(events: DeliveryEvent[]): Promise<EventOutcome[]>;
	/** Deletes processed-event keys and orphan events received more than `olderThanDays` ago; returns how many of each. */
	purgeEvents(options: { olderThanDays: number }): Promise<{ events: number; orphans: number }>;
	/**
	 * "Not delivered after N minutes → hand back to Channel Send's fallback" (issue 5): moves
	 * `sent` messages of `channel` sent more than `olderThanMinutes` ago back to `approved` (due now)
	 * on `fallbackChannel`, with a log row each (status `undelivered`, fallback_reason
	 * `undelivered_after: 10m whatsapp → sms`), in one transaction; the next claimDue hands them to
	 * Channel Send, which sends them through the fallback channel's route. Phone channels keep the
	 * number; a move that needs another kind of address (email ↔ phone, chat ids) uses the message's
	 * own address for that channel and is skipped, with the reason, when it has none. Delivery events
	 * for the old provider ids still match the message: before the fallback send succeeds a late
	 * `delivered` / `read` marks it delivered / read on its old channel (the fallback is not sent);
	 * after, it changes nothing. See docs/delivery-events.md, "Undelivered fallback".
	 */
	requeueUndelivered(options: RequeueUndeliveredOptions): Promise<RequeueResult>;
	/** sending + expired lease → approved (due at once) or dead (no attempts left, LEASE_EXPIRED); returns how many. */
	releaseExpiredLeases(): Promise<number>;
	/** Seed 003 statistics per channel over attempts with from ≤ attempted_at ≤ to (both inclusive). */
	stats(options: { from: string | Date; to: string | Date; channel?: string }): Promise<ChannelStats[]>;
	/** Deletes delivery-log rows attempted more than `olderThanDays` ago (the messages stay); returns how many. */
	purgeLog(options: { olderThanDays: number }): Promise<number>;
	close(): Promise<void>;
}

/**
 * Serialises access to an embedded store's folder across processes. The core cannot touch the file
 * system, so hosts inject it (nodes/shared/queue-host.ts implements it with a lock file).
 * `acquire` throws a clear error when another live process holds the store.
 */
export interface StoreLock {
	acquire(): Promise<void>;
	release(): Promise<void>;
}

export type QueueConnection =
	| {
			kind: 'embedded';
			/** Folder of the PGlite database (created when missing). Hosts default it to their user folder. */
			dataDir: string;
			lock?: StoreLock;
	  }
	| {
			kind: 'postgres';
			/** postgres://user:pass@host:5432/db?sslmode=require */
			connectionString?: string;
			host?: string;
			port?: number;
			database?: string;
			user?: string;
			password?: string;
			ssl?: boolean | { rejectUnauthorized?: boolean };
			/** Pool size per process (default 5). */
			maxConnections?: number;
			/**
			 * Run the queue's statements as named prepared statements, planned once per connection
			 * (default true). Set false behind a pooler in transaction mode (PgBouncer
			 * `pool_mode=transaction`, Supabase's pooler on port 6543), which cannot keep them.
			 */
			preparedStatements?: boolean;
	  };

export interface QueueOptions {
	connection: QueueConnection;
	/** Injected clock: every time the queue compares or records is read from here. */
	now?: () => Date;
	/** Injected randomness for retry jitter. */
	random?: () => number;
	/** Default retry policy (seed 003 defaults: exponential, 60 s initial, 3600 s cap, jitter 0.2, 3 attempts). */
	retry?: Partial<RetryPolicy>;
	/** Default worker id for claims (default: random per queue instance). */
	workerId?: string;
}
