/**
 * Delivery events (switchboard.event/v1) → the Schedule Queue: the pure part of recordEvents —
 * validation, de-duplication keys, matching rule and the forward-only fold. The store
 * (store.ts) does the I/O; complete/completeMany apply orphans with the same rules written in SQL
 * (ORPHAN_FOLD_SQL below), so both paths end in the same state. See docs/delivery-events.md.
 *
 * Rules:
 * - Status moves forward only: sent < delivered < read. `delivered` → delivered; `read`, `opened`
 *   and `clicked` (email engagement: an open pixel or a click is the email's read receipt) → read.
 *   Everything else (queued, sent, deferred, complained, unsubscribed, unknown) changes no status.
 * - `failed` / `bounced` never move the status back (a message the provider accepted stays `sent`,
 *   which keeps it open for a fallback send): the first delivery failure is written to the message's
 *   error_code / error_message and, while the message is still `sent`, to its attempt row's status.
 * - delivered_at / read_at are the earliest time reported; a late event that fills or moves one back
 *   counts as applied.
 * The final status is the highest-ranked event's, whatever order the events arrive in.
 * - A message with several provider ids (a multi-part send: WhatsApp text + image) folds the events
 *   of all its ids into its one status by these same rules, as if they were events of one id: part 1
 *   `read` and part 2 `failed` end `read`, with part 2's failure in error_code (the first failure is
 *   kept; the attempt row's status shows the failure only while the message is still `sent`).
 * - Ids of a send handed back to a fallback channel (requeueUndelivered) follow applyHandedBack.
 */
import { deliveryEventSchema, type DeliveryEvent, type DeliveryStatus } from '../schema/message';
import type { EventOutcome } from '../webhooks/types';
import { canTransition } from './state-machine';
import type { QueueStatus } from './types';
import { describe, Issues } from './validate';

/** Most events one recordEvents call takes (a 1 MiB webhook body holds a few thousand at most). */
export const MAX_EVENTS_PER_CALL = 10_000;

/** The status an event moves a message to, when it moves it. */
export const EVENT_TARGET: Readonly<Partial<Record<DeliveryStatus, 'delivered' | 'read'>>> = {
	delivered: 'delivered',
	read: 'read',
	opened: 'read',
	clicked: 'read',
};

/** Delivery failures: recorded, never a status change. */
export const FAILURE_EVENTS: readonly DeliveryStatus[] = ['failed', 'bounced'];

const RANK: Partial<Record<QueueStatus, number>> = { sent: 1, delivered: 2, read: 3 };

/** One checked event, with what the store writes for it. */
export interface EventRecord {
	index: number;
	event: DeliveryEvent;
	key: string;
	/** The message-level error a failure writes (null for other events). */
	errorCode: string | null;
	errorMessage: string | null;
}

/**
 * The de-duplication key: the provider's event id when it gives one (sg_event_id, Twilio's
 * idempotency token…), else the event's `id` — which normalize derives from the provider's own
 * identity of the event (message id + status word + the provider's time where it sends one; for
 * Twilio, which sends no event time, without the time of receipt, so a redelivered callback has the
 * same key). Scoped by provider.
 */
export function eventKey(event: DeliveryEvent): string {
	return event.providerEventId ? JSON.stringify(['e', event.provider, event.providerEventId]) : JSON.stringify(['i', event.provider, event.id]);
}

/** The error a failure event writes on the message: the provider's code, else DELIVERY_FAILED / DELIVERY_BOUNCED. */
export function failureOf(event: DeliveryEvent): { code: string; message: string } | null {
	if (!FAILURE_EVENTS.includes(event.status)) return null;
	const detail = event.error?.message ? `: ${event.error.message}` : '';
	return {
		code: event.error?.code ?? `DELIVERY_${event.status.toUpperCase()}`,
		message: `${event.provider} reported "${event.providerStatus}" (${event.status})${detail}`,
	};
}

function hasNul(value: unknown): boolean {
	if (typeof value === 'string') return value.includes('\0');
	if (Array.isArray(value)) return value.some(hasNul);
	if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\0') || hasNul(v));
	return false;
}

function pathOf(path: ReadonlyArray<PropertyKey>): string {
	return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** Checks every event (all problems at once, named `events[i].field`); throws InvalidQueueInputError. */
export function readEvents(value: unknown): EventRecord[] {
	const issues = new Issues();
	if (!Array.isArray(value)) {
		issues.add('events', `must be a list of delivery events (switchboard.event/v1) (got ${describe(value)})`);
		issues.throwIfAny();
	}
	const list = value as unknown[];
	if (list.length > MAX_EVENTS_PER_CALL) {
		issues.add('events', `may hold at most ${MAX_EVENTS_PER_CALL} events per call (got ${list.length}); split the batch`);
		issues.throwIfAny();
	}
	const records: EventRecord[] = [];
	list.forEach((item, index) => {
		const parsed = deliveryEventSchema.safeParse(item);
		if (!parsed.success) {
			for (const issue of parsed.error.issues) issues.add(`events[${index}]${pathOf(issue.path)}`, issue.message);
			return;
		}
		const event = parsed.data as DeliveryEvent;
		// PostgreSQL text and jsonb cannot hold NUL: name the field instead of failing the statement.
		const { raw: _raw, ...stored } = event;
		for (const [field, v] of Object.entries(stored)) {
			if (hasNul(v)) issues.add(`events[${index}].${field}`, 'contains a NUL character (\\u0000), which the database cannot store');
		}
		const failure = failureOf(event);
		records.push({ index, event, key: eventKey(event), errorCode: failure?.code ?? null, errorMessage: failure?.message ?? null });
	});
	issues.throwIfAny('Nothing was recorded: fix the events listed and send the whole batch again.');
	return records;
}

/**
 * Does a message (its recorded provider) match an event's provider? The provider column holds what
 * Channel Send recorded: the provider id, which is the platform id normalize puts on events (twilio,
 * whatsapp, sendgrid…). Compared case-insensitively; a message recorded without a provider matches
 * any (its external id alone identifies it).
 */
export function providerMatches(messageProvider: string | null, eventProvider: string): boolean {
	return messageProvider === null || messageProvider.toLowerCase() === eventProvider.toLowerCase();
}

/** A matched message as the fold sees it (times as epoch ms). */
export interface MessageState {
	id: string;
	status: QueueStatus;
	channel: string;
	recipient: string;
	/** The row's provider and external id: the current send's (null after a hand-back, until the fallback is sent). */
	provider: string | null;
	externalId: string | null;
	/** A late delivery of a handed-back send put that send's channel, recipient, provider and id back on the row. */
	restored: boolean;
	deliveredAt: number | null;
	readAt: number | null;
	errorCode: string | null;
	errorMessage: string | null;
	/** Something to write. */
	dirty: boolean;
	/** The attempt row's new status, when it changes. */
	attemptStatus: string | null;
	/** The delivery failure to add to the attempt row (first one). */
	attemptError: { code: string; message: string } | null;
}

/**
 * Applies one event to a message's state (mutating it); returns whether anything changed. Status
 * changes go through the state machine (`recordDelivery` edges); one it does not allow is skipped.
 */
export function applyEvent(state: MessageState, record: Pick<EventRecord, 'event' | 'errorCode' | 'errorMessage'>): boolean {
	const { event } = record;
	const at = Date.parse(event.timestamp);
	let changed = false;
	const target = EVENT_TARGET[event.status];
	if (target && (RANK[target] ?? 0) > (RANK[state.status] ?? Infinity) && canTransition(state.status, target, 'recordDelivery')) {
		state.status = target;
		state.attemptStatus = target;
		changed = true;
	}
	if (target === 'delivered' && (state.deliveredAt === null || at < state.deliveredAt)) {
		state.deliveredAt = at;
		changed = true;
	}
	if (target === 'read' && (state.readAt === null || at < state.readAt)) {
		state.readAt = at;
		changed = true;
	}
	if (record.errorCode !== null && state.errorCode === null) {
		state.errorCode = record.errorCode;
		state.errorMessage = record.errorMessage;
		state.attemptError = { code: record.errorCode, message: record.errorMessage ?? '' };
		if (state.status === 'sent') state.attemptStatus = event.status;
		changed = true;
	}
	if (changed) state.dirty = true;
	return changed;
}

/** Where a handed-back provider id was sent (the id table's row). */
export interface HandedBackSend {
	externalId: string;
	provider: string | null;
	channel: string;
	recipient: string | null;
}

/**
 * An event for the id of a send that requeueUndelivered handed back to a fallback channel. Forward
 * only, and the fallback send wins:
 * - while the message is `approved` (the fallback has not been sent, or its send failed and waits for
 *   a retry), a `delivered` / `read` (opened, clicked) means the message arrived after all: it moves to
 *   delivered / read (state machine: `lateDelivery`) with that send's channel, recipient, provider and
 *   id back on the row, its times filled and the hand-back's UNDELIVERED error cleared, so claimDue no
 *   longer takes it and the fallback is not sent;
 * - once the fallback send is under way or done (sending, sent, delivered, read, dead…), and for any
 *   other event (failures, queued…), nothing changes on the message: the event is in the event log
 *   (switchboard_delivery_events) only.
 */
export function applyHandedBack(state: MessageState, record: Pick<EventRecord, 'event' | 'errorCode' | 'errorMessage'>, send: HandedBackSend): boolean {
	const target = EVENT_TARGET[record.event.status];
	if (!target || state.status !== 'approved' || !canTransition('approved', target, 'lateDelivery')) return false;
	const at = Date.parse(record.event.timestamp);
	state.status = target;
	state.attemptStatus = target;
	state.channel = send.channel;
	if (send.recipient !== null) state.recipient = send.recipient;
	state.provider = send.provider;
	state.externalId = send.externalId;
	state.restored = true;
	state.errorCode = null;
	state.errorMessage = null;
	if (target === 'delivered') state.deliveredAt = state.deliveredAt === null ? at : Math.min(state.deliveredAt, at);
	else state.readAt = state.readAt === null ? at : Math.min(state.readAt, at);
	state.dirty = true;
	return true;
}

export function outcomeOf(changed: boolean): EventOutcome {
	return changed ? 'applied' : 'unchanged';
}

/**
 * The same fold in SQL, for complete/completeMany: the orphans of each completed report `r`
 * (matched on external id and provider as above), aggregated: highest rank, earliest delivered / read
 * time, first failure (in arrival order). `gate` keeps the join from running at all while the orphan
 * table is empty. With `extraIds`, the statement has an `ids` CTE (message_id, external_id) of the
 * reports' later provider ids, whose orphans are folded in too.
 */
export function orphanFoldSql(orphansTable: string, extraIds = false): string {
	const readish = `('read', 'opened', 'clicked')`;
	const failures = `(${FAILURE_EVENTS.map((s) => `'${s}'`).join(', ')})`;
	const first = (column: string) => `(array_agg(x.${column} ORDER BY x.received_at, x.event_key) FILTER (WHERE x.status IN ${failures}))[1]`;
	return `SELECT r.id,
			max(CASE WHEN x.status = 'delivered' THEN 2 WHEN x.status IN ${readish} THEN 3 ELSE 1 END) AS rank,
			min(x.occurred_at) FILTER (WHERE x.status = 'delivered') AS delivered_at,
			min(x.occurred_at) FILTER (WHERE x.status IN ${readish}) AS read_at,
			${first('status')} AS fail_status,
			${first('error_code')} AS error_code,
			${first('error_message')} AS error_message
		FROM r ${
			extraIds
				? // A multi-part send: the orphans of every id of the report (the `ids` CTE: its later ids).
					`JOIN LATERAL (SELECT r.external_id AS pmid UNION ALL SELECT i.external_id FROM ids i WHERE i.message_id = r.id) p ON true
		JOIN ${orphansTable} x ON x.provider_message_id = p.pmid`
				: `JOIN ${orphansTable} x ON x.provider_message_id = r.external_id`
		} AND (r.provider IS NULL OR lower(x.provider) = lower(r.provider))
		WHERE EXISTS (SELECT 1 FROM ${orphansTable})
		GROUP BY r.id`;
}
