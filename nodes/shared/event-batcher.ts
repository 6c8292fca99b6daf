/**
 * Coalesces the store writes of concurrent webhook requests (both hosts' Delivery Webhook nodes).
 *
 * While one store transaction runs, the events of the requests arriving meanwhile wait and go together
 * in the next one (at most MAX_BATCH_EVENTS), each request getting back the outcomes of its own events.
 * Before a transaction starts the batcher yields to the event loop once (setImmediate), then waits (at
 * most MAX_LINGER_MS) while other requests are still being read or verified (`arrive()` … `leave()`).
 * Without that pause every transaction would carry a single request: Node drains microtasks after each
 * socket's callback, and the embedded store (PGlite, WebAssembly on the main thread) runs a whole
 * transaction inside that drain, so the next socket's request would only be read after it. A lone
 * request waits one event-loop turn; under load one transaction carries many requests (each costs
 * about as much as a small batch).
 *
 * A batch is one transaction: if it fails, every request in it gets the error (and answers 503) and
 * nothing of it was written, so the providers' retries are applied once. Within a batch, a repeat of an
 * event is a duplicate of its first occurrence, exactly as across separate calls.
 *
 * A batch is written through the queue handle of its first request (each request holds its own lease
 * on the shared queue until it is answered, so that queue is open). Requests name their store
 * (`storeKey`): only requests of the same store go in one batch (a node whose settings changed while
 * requests were in flight writes each to its own store).
 */
import type { ScheduleQueue } from '../../core/queue';
import type { DeliveryEvent } from '../../core/schema/message';
import type { EventOutcome } from '../../core/webhooks/types';

/** Most events one store transaction takes when requests are coalesced. */
export const MAX_BATCH_EVENTS = 1000;
/** Longest a store write waits for requests still being read / verified to join it. */
export const MAX_LINGER_MS = 5;
/**
 * A write that starts within this long after the previous one ended is "under load": it lingers
 * MAX_LINGER_MS even when no request is known to be on its way. In n8n a request only becomes known
 * when the node's webhook() runs, after n8n's own per-request work (workflow lookup, credentials), so
 * `arriving` is mostly zero there even at hundreds of requests per second; lingering while busy lets
 * the next requests join (group commit) at the cost of at most MAX_LINGER_MS of latency.
 */
export const BUSY_WITHIN_MS = 20;

type EventRecorder = Pick<ScheduleQueue, 'recordEvents'>;

interface Waiting {
	queue: EventRecorder;
	store: string;
	events: DeliveryEvent[];
	resolve(outcomes: EventOutcome[]): void;
	reject(error: unknown): void;
}

const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export class EventBatcher {
	#arriving = 0;
	#waiting: Waiting[] = [];
	#running = false;
	#lastWriteEnded = -Infinity;

	/** Requests between arrival and their store write (or their answer, when they write nothing). */
	get arriving(): number {
		return this.#arriving;
	}

	/** A request arrived: returns its idempotent `leave`, to call when it hands its events over or is answered. */
	arrive(): () => void {
		this.#arriving++;
		let counted = true;
		return () => {
			if (!counted) return;
			counted = false;
			this.#arriving--;
		};
	}

	/** Records `events` through `queue` (of the store `store`), in one transaction with the other requests waiting now. */
	record(queue: EventRecorder, events: DeliveryEvent[], store = ''): Promise<EventOutcome[]> {
		return new Promise<EventOutcome[]>((resolve, reject) => {
			this.#waiting.push({ queue, store, events, resolve, reject });
			void this.#flush();
		});
	}

	async #flush(): Promise<void> {
		if (this.#running || this.#waiting.length === 0) return;
		this.#running = true;
		// Let the I/O callbacks already due run first (other sockets' requests: read, verified, handed
		// over in the same turn), then wait for requests still being read or verified (bounded).
		await nextTurn();
		const now = performance.now();
		const lingerUntil = now + MAX_LINGER_MS;
		const busy = now - this.#lastWriteEnded < BUSY_WITHIN_MS;
		while ((this.#arriving > 0 || busy) && performance.now() < lingerUntil && this.#waitingEvents() < MAX_BATCH_EVENTS) {
			if (busy && this.#arriving === 0) await new Promise<void>((resolve) => setTimeout(resolve, 1));
			else await nextTurn();
		}
		const store = this.#waiting[0]!.store;
		let count = 0;
		const batch: Waiting[] = [];
		const rest: Waiting[] = [];
		let full = false;
		for (const w of this.#waiting) {
			// In arrival order: once the batch is full, later requests of the store wait for the next one.
			if (!full && w.store === store && (batch.length === 0 || count + w.events.length <= MAX_BATCH_EVENTS)) {
				batch.push(w);
				count += w.events.length;
			} else {
				if (w.store === store) full = true;
				rest.push(w);
			}
		}
		this.#waiting = rest;
		try {
			const outcomes = await batch[0]!.queue.recordEvents(batch.flatMap((w) => w.events));
			let at = 0;
			for (const w of batch) {
				w.resolve(outcomes.slice(at, at + w.events.length));
				at += w.events.length;
			}
		} catch (error) {
			for (const w of batch) w.reject(error);
		} finally {
			this.#lastWriteEnded = performance.now();
			this.#running = false;
			void this.#flush();
		}
	}

	#waitingEvents(): number {
		return this.#waiting.reduce((n, w) => n + w.events.length, 0);
	}
}
