/**
 * The Schedule Queue's lifecycle, as data and pure functions (no I/O). Every operation asks this
 * module whether its status change is legal BEFORE it writes, and the batch SQL statements (claim,
 * complete, lease release) take their "from" statuses from here, so the database never holds a status
 * change the machine does not allow.
 *
 *   draft ──approve──▶ approved ──claim──▶ sending ──complete──▶ sent ──▶ delivered ──▶ read
 *     │                   │                                         └────────────────────────▲
 *     └──reject──▶ cancelled ◀──reject──┘
 *
 *   sending ──fail──▶ failed ──▶ approved   (retryable, attempts left: due again at next_attempt_at)
 *                            └─▶ dead       (permanent, or attempts used up)
 *   sending ──lease expired──▶ approved (due again) | dead (attempts used up) | sending (re-claimed)
 *   sent ──requeueUndelivered──▶ approved (on the fallback channel) ──late delivery of the old send──▶ delivered | read
 *
 * Each edge names the operations that may take it: approving a `sending` message is illegal even
 * though a lease release may move `sending` to `approved`. `failed` is the moment between a failed
 * attempt and the retry decision: `fail` checks both steps (sending → failed, failed → approved | dead)
 * and stores the outcome. Seed 000's `revised` is accepted as a synonym of `approved` wherever a
 * caller gives a status, and is never stored.
 */
import { IllegalTransitionError, InvalidQueueInputError } from '../errors';
import { QUEUE_STATUSES, type QueueStatus } from './types';

/** The operations that change a status (queue methods, plus the lease expiry they perform). */
export type QueueOperation = 'approve' | 'reject' | 'claim' | 'complete' | 'fail' | 'release' | 'recordDelivery' | 'requeueUndelivered' | 'lateDelivery';

export interface Edge {
	from: QueueStatus;
	to: QueueStatus;
	by: readonly QueueOperation[];
}

export const EDGES: readonly Edge[] = [
	{ from: 'draft', to: 'approved', by: ['approve'] },
	{ from: 'draft', to: 'cancelled', by: ['reject'] },
	{ from: 'approved', to: 'cancelled', by: ['reject'] },
	{ from: 'approved', to: 'sending', by: ['claim'] },
	// A lease expired without an outcome: another worker takes the message over.
	{ from: 'sending', to: 'sending', by: ['claim'] },
	{ from: 'sending', to: 'sent', by: ['complete'] },
	{ from: 'sending', to: 'failed', by: ['fail'] },
	{ from: 'failed', to: 'approved', by: ['fail'] },
	{ from: 'failed', to: 'dead', by: ['fail'] },
	// A lease expired without an outcome: due again while attempts remain, else dead. claimDue retires
	// exhausted ones too, so it never has to skip them again.
	{ from: 'sending', to: 'approved', by: ['release'] },
	{ from: 'sending', to: 'dead', by: ['release', 'claim'] },
	{ from: 'sent', to: 'delivered', by: ['recordDelivery'] },
	{ from: 'sent', to: 'read', by: ['recordDelivery'] },
	{ from: 'delivered', to: 'read', by: ['recordDelivery'] },
	// Issue 5, "not delivered after N minutes → fallback": an accepted message that was never reported
	// delivered is sent again on another channel (requeueUndelivered).
	{ from: 'sent', to: 'approved', by: ['requeueUndelivered'] },
	// A delivery report for the handed-back send arrives before the fallback send succeeded: the
	// message did arrive, so it is not sent again (delivery events only, never recordDelivery(id)).
	{ from: 'approved', to: 'delivered', by: ['lateDelivery'] },
	{ from: 'approved', to: 'read', by: ['lateDelivery'] },
];

/** Status → the statuses it may become (by any operation). Final statuses map to []. */
export const TRANSITIONS: Readonly<Record<QueueStatus, readonly QueueStatus[]>> = (() => {
	const table = {} as Record<QueueStatus, QueueStatus[]>;
	for (const status of QUEUE_STATUSES) table[status] = EDGES.filter((e) => e.from === status).map((e) => e.to);
	return table;
})();

/** Statuses nothing can change. */
export const FINAL_STATUSES: readonly QueueStatus[] = QUEUE_STATUSES.filter((s) => TRANSITIONS[s].length === 0);

/** Statuses a caller may give (filters, enqueue): the stored ones plus seed 000's `revised`. */
export type StatusInput = QueueStatus | 'revised';

export function isQueueStatus(value: unknown): value is QueueStatus {
	return typeof value === 'string' && (QUEUE_STATUSES as readonly string[]).includes(value);
}

/**
 * A caller's status as stored: `revised` → `approved`; anything unknown is an InvalidQueueInputError
 * naming `field`.
 */
export function normalizeStatus(value: unknown, field = 'status'): QueueStatus {
	if (value === 'revised') return 'approved';
	if (isQueueStatus(value)) return value;
	throw new InvalidQueueInputError([{ field, message: `unknown status ${JSON.stringify(value)}; use one of ${[...QUEUE_STATUSES, 'revised'].join(', ')}` }]);
}

/** Is from → to legal at all (optionally: through this operation)? */
export function canTransition(from: QueueStatus, to: QueueStatus, operation?: QueueOperation): boolean {
	return EDGES.some((e) => e.from === from && e.to === to && (!operation || e.by.includes(operation)));
}

/** The statuses an operation applies to. */
export function appliesTo(operation: QueueOperation, to?: QueueStatus): QueueStatus[] {
	return QUEUE_STATUSES.filter((from) => EDGES.some((e) => e.from === from && e.by.includes(operation) && (!to || e.to === to)));
}

/**
 * Throws IllegalTransitionError — naming from, to, what `from` may become and where the operation
 * applies — unless `operation` may move a message from `from` to `to`.
 */
export function assertTransition(messageId: string, from: QueueStatus, to: QueueStatus, operation: QueueOperation): void {
	if (!canTransition(from, to, operation)) {
		throw new IllegalTransitionError(messageId, from, to, TRANSITIONS[from], operation, appliesTo(operation, to));
	}
}

/** Every status `operation` may move to `to` (for the WHERE clauses of batch statements). */
export function sourcesOf(to: QueueStatus, operation?: QueueOperation): QueueStatus[] {
	return QUEUE_STATUSES.filter((from) => canTransition(from, to, operation));
}

/**
 * Reschedule keeps the status and moves the send time: allowed only while a person can still change
 * their mind about the message (before a worker claimed it).
 */
export const RESCHEDULABLE: readonly QueueStatus[] = ['draft', 'approved'];

export function assertReschedulable(messageId: string, from: QueueStatus): void {
	if (!RESCHEDULABLE.includes(from)) {
		throw new IllegalTransitionError(messageId, from, from, TRANSITIONS[from], 'reschedule', RESCHEDULABLE);
	}
}
