/**
 * The Schedule Queue contract: ONE suite, run against every store (embedded.test.ts: PGlite in a temp
 * folder; postgres.test.ts: a real PostgreSQL server). `queueContract(target)` registers the tests.
 *
 * One queue is opened per test file and shared (opening PGlite takes seconds); every test starts from
 * empty tables and a reset clock. The clock and the random source are injected, so leases, retry
 * delays and jitter are exact and nothing sleeps. Expected results (which transitions are legal, how
 * long a retry waits, what the stats add up to) are written out here independently of the
 * implementation, so a wrong table in the code cannot make its own test pass.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import fc from 'fast-check';
import {
	IllegalTransitionError,
	InvalidQueueInputError,
	LeaseLostError,
	MessageNotFoundError,
	QueueStoreError,
} from '../../../core/errors';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, openQueue, QUEUE_STATUSES } from '../../../core/queue';
import type { EnqueueInput, QueueConnection, QueueOptions, QueueStatus, RetryPolicy, ScheduledMessage, ScheduleQueue } from '../../../core/queue';
import type { SqlClient } from '../../../core/queue/sql/client';
import { internalSqlClient } from '../../../core/queue/store';
import { deliveryEventsContract } from './events-contract';
import { undeliveredContract } from './undelivered-contract';

export interface ContractTarget {
	kind: 'embedded' | 'postgres';
	/** Opens a queue on this test file's shared store (called once, in the suite's `before`). */
	open(options: Omit<QueueOptions, 'connection'>): Promise<ScheduleQueue>;
	/** A connection to a new, empty store that nobody has opened yet (reopen and migration tests). */
	freshConnection(): Promise<QueueConnection>;
	/** Whether several queues may be open on one store at once (PostgreSQL yes; an embedded store serves one). */
	concurrentOpen: boolean;
}

const BASE = Date.parse('2026-03-02T09:00:00.000Z');
const at = (seconds: number): string => new Date(BASE + seconds * 1000).toISOString();

/** The clock every queue of the suite reads. */
class TestClock {
	#ms = BASE;
	now(): Date {
		return new Date(this.#ms);
	}
	set(ms: number): void {
		this.#ms = ms;
	}
	advance(seconds: number): void {
		this.#ms += seconds * 1000;
	}
}

/** The suite's queue-wide retry policy: seed 003's exponential backoff, with jitter to test. */
const RETRY: RetryPolicy = { strategy: 'exponential', initialDelaySeconds: 60, maxDelaySeconds: 3600, jitter: 0.5, maxAttempts: 3 };

/** What each status may become, written out from the issue (not read from the implementation). */
const ALLOWED: Record<QueueStatus, QueueStatus[]> = {
	draft: ['approved', 'cancelled'],
	// delivered / read: a late delivery report of a send handed back to a fallback channel (issue 5).
	approved: ['sending', 'cancelled', 'delivered', 'read'],
	sending: ['sent', 'failed', 'approved', 'dead', 'sending'],
	// approved: handed back to a fallback channel, not delivered after N minutes (requeueUndelivered).
	sent: ['delivered', 'read', 'approved'],
	delivered: ['read'],
	read: [],
	failed: ['approved', 'dead'],
	cancelled: [],
	dead: [],
};

async function rejectsWith<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E, check?: (error: E) => void): Promise<E> {
	let caught: unknown;
	try {
		await promise;
	} catch (error) {
		caught = error;
	}
	assert.ok(caught instanceof type, `expected ${type.name}, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : `no error (${String(caught)})`}`);
	check?.(caught);
	return caught;
}

function sorted<T>(values: readonly T[]): T[] {
	return [...values].sort();
}

export function queueContract(target: ContractTarget): void {
	// A suite of its own, so its hooks (closing the shared queue) run before the test file's own
	// `after` hooks (stopping the server, deleting folders).
	describe(`Schedule Queue contract (${target.kind})`, () => contract(target));
}

function contract(target: ContractTarget): void {
	const clock = new TestClock();
	let randomValue = 0;
	let queue: ScheduleQueue;
	let sql: SqlClient;

	before(async () => {
		queue = await target.open({ now: () => clock.now(), random: () => randomValue, retry: RETRY, workerId: 'default-worker' });
		const client = internalSqlClient(queue);
		assert.ok(client, 'openQueue returns the store implementation');
		sql = client;
	});
	after(async () => {
		await queue?.close();
	});
	beforeEach(async () => {
		await sql.query('DELETE FROM switchboard_delivery_attempts');
		await sql.query('DELETE FROM switchboard_scheduled_messages');
		clock.set(BASE);
		randomValue = 0;
	});

	/** Everything in both tables, for "nothing was written" checks. */
	async function snapshot(): Promise<unknown> {
		const messages = await sql.query('SELECT * FROM switchboard_scheduled_messages ORDER BY id');
		const attempts = await sql.query('SELECT * FROM switchboard_delivery_attempts ORDER BY id');
		return { messages: messages.rows, attempts: attempts.rows };
	}
	async function count(table: 'switchboard_scheduled_messages' | 'switchboard_delivery_attempts'): Promise<number> {
		const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
		return rows[0]!.n;
	}

	const sms = (extra: Partial<EnqueueInput> = {}): EnqueueInput => ({ channel: 'sms', recipient: '+15550001111', body: 'Your appointment is tomorrow', sendTime: at(-60), ...extra });
	async function enqueue(extra: Partial<EnqueueInput> = {}): Promise<ScheduledMessage> {
		return (await queue.enqueue(sms(extra))).message;
	}
	/** A message in `status`, built through the public operations (worker w1 holds `sending`). */
	async function inStatus(status: QueueStatus): Promise<ScheduledMessage> {
		switch (status) {
			case 'draft':
				return enqueue();
			case 'approved':
				return enqueue({ status: 'approved' });
			case 'sending': {
				const m = await enqueue({ status: 'approved' });
				const claimed = await queue.claimDue({ workerId: 'w1' });
				assert.deepEqual(
					claimed.map((c) => c.id),
					[m.id],
				);
				return claimed[0]!;
			}
			case 'sent':
				return queue.complete((await inStatus('sending')).id, { workerId: 'w1', provider: 'twilio', externalId: 'SM1' });
			case 'delivered':
				return queue.recordDelivery((await inStatus('sent')).id, { status: 'delivered' });
			case 'read':
				return queue.recordDelivery((await inStatus('sent')).id, { status: 'read' });
			case 'cancelled':
				return queue.reject((await inStatus('draft')).id, { by: 'ann' });
			case 'dead':
				return queue.fail((await inStatus('sending')).id, { workerId: 'w1', error: { message: 'invalid number' }, retryable: false });
			case 'failed':
				throw new Error('failed is never stored: fail() decides retry or dead in the same transaction');
		}
	}

	describe('enqueue', () => {
		test('text and JSON holding a NUL character (which PostgreSQL cannot store) are refused by field, nothing written', async () => {
			const before = await snapshot();
			await rejectsWith(
				queue.enqueueMany([sms({ body: 'a\0b' }), sms({ metadata: { note: { deep: ['x\0'] } } }), sms({ recipient: '+1\0' }), sms({ metadata: { ['k\0']: 1 } })]),
				InvalidQueueInputError,
				(e) => {
					assert.deepEqual(
						e.issues.map((i) => i.field),
						['inputs[0].body', 'inputs[1].metadata', 'inputs[2].recipient', 'inputs[3].metadata'],
					);
					assert.ok(e.issues.every((i) => /NUL character/.test(i.message)));
				},
			);
			assert.deepEqual(await snapshot(), before);
			const m = await inStatus('sending');
			await rejectsWith(queue.complete(m.id, { workerId: 'w1', externalId: 'SM\0' }), InvalidQueueInputError, (e) => assert.equal(e.field, 'externalId'));
			assert.equal((await queue.get(m.id))?.status, 'sending');
		});

		test('a new message is a draft due now by default, with every seed 000 field stored', async () => {
			clock.set(Date.parse('2031-07-01T12:00:00.000Z'));
			const { message, created } = await queue.enqueue({
				channel: 'email',
				recipient: ' dana@example.net ',
				subject: 'Session summary',
				body: 'Thanks for today',
				template: 'summary-v2',
				sessionId: 'S-17',
				clientId: 'C-9',
				metadata: { tenant: 'north', tags: ['a'] },
			});
			assert.equal(created, true);
			assert.match(message.id, /^[0-9a-f-]{36}$/);
			assert.deepEqual(
				{ ...message, id: '' },
				{
					id: '',
					sessionId: 'S-17',
					clientId: 'C-9',
					channel: 'email',
					recipient: 'dana@example.net',
					subject: 'Session summary',
					body: 'Thanks for today',
					template: 'summary-v2',
					sendTime: '2031-07-01T12:00:00.000Z',
					status: 'draft',
					createdAt: '2031-07-01T12:00:00.000Z',
					updatedAt: '2031-07-01T12:00:00.000Z',
					processedTime: null,
					errorCode: null,
					errorMessage: null,
					metadata: { tenant: 'north', tags: ['a'] },
					message: null,
					approvedBy: null,
					approvedAt: null,
					approvalNote: null,
					rejectedBy: null,
					rejectedAt: null,
					rejectionReason: null,
					rescheduledBy: null,
					rescheduledAt: null,
					attemptCount: 0,
					maxAttempts: 3,
					nextAttemptAt: null,
					leaseOwner: null,
					leaseExpiresAt: null,
					idempotencyKey: null,
					provider: null,
					externalId: null,
					deliveredAt: null,
					readAt: null,
				},
			);
			assert.deepEqual(await queue.get(message.id), { ...message, attempts: [] });
		});

		test('pre-approved messages: approved and seed 000 revised are both stored as approved', async () => {
			const a = await enqueue({ status: 'approved' });
			const r = await enqueue({ status: 'revised' });
			assert.equal(a.status, 'approved');
			assert.equal(r.status, 'approved');
			const page = await queue.list({ status: 'revised' });
			assert.deepEqual(sorted(page.items.map((m) => m.id)), sorted([a.id, r.id]));
		});

		test('a universal message is validated, stored with its defaults and returned', async () => {
			const message = {
				schema: 'switchboard.message/v1',
				id: 'out-1',
				channel: 'whatsapp',
				provider: 'whatsapp',
				direction: 'outbound',
				conversation: { id: '447700900321', type: 'direct' },
				timestamp: '2026-03-02T08:00:00.000Z',
				parts: [{ type: 'text', text: 'Hi *there*' }],
			} satisfies EnqueueInput['message'];
			const stored = await enqueue({ channel: 'whatsapp', recipient: '447700900321', message, sendTime: new Date(BASE + 3_600_000), maxAttempts: 5 });
			assert.equal(stored.sendTime, at(3600));
			assert.equal(stored.maxAttempts, 5);
			assert.deepEqual(stored.message, { ...message, parts: [{ type: 'text', text: 'Hi *there*', format: 'plain' }], recipients: [], metadata: {} });
		});

		test('an idempotency key makes a repeat a no-op that returns the existing row', async () => {
			const first = await queue.enqueue(sms({ idempotencyKey: 'session-17-summary' }));
			clock.advance(30);
			const again = await queue.enqueue(sms({ idempotencyKey: 'session-17-summary', body: 'a different body', recipient: '+15559999999' }));
			assert.equal(first.created, true);
			assert.equal(again.created, false);
			assert.deepEqual(again.message, first.message);
			assert.equal(await count('switchboard_scheduled_messages'), 1);
		});

		test('concurrent enqueues with one idempotency key create exactly one row', async () => {
			const results = await Promise.all(Array.from({ length: 8 }, (_, i) => queue.enqueue(sms({ idempotencyKey: 'race', body: `copy ${i}` }))));
			assert.equal(results.filter((r) => r.created).length, 1);
			assert.equal(new Set(results.map((r) => r.message.id)).size, 1);
			assert.equal(await count('switchboard_scheduled_messages'), 1);
		});

		test('enqueueMany keeps input order; a key repeated in the batch or already stored is not created twice', async () => {
			const existing = await enqueue({ idempotencyKey: 'k-old' });
			const results = await queue.enqueueMany([
				sms({ recipient: '+1000' }),
				sms({ recipient: '+2000', idempotencyKey: 'k-new' }),
				sms({ recipient: '+3000', idempotencyKey: 'k-old' }),
				sms({ recipient: '+4000', idempotencyKey: 'k-new' }),
				sms({ recipient: '+5000', channel: 'telegram' }),
			]);
			assert.deepEqual(
				results.map((r) => r.created),
				[true, true, false, false, true],
			);
			assert.deepEqual(
				results.map((r) => r.message.recipient),
				['+1000', '+2000', existing.recipient, '+2000', '+5000'],
			);
			assert.equal(results[2]!.message.id, existing.id);
			assert.equal(results[3]!.message.id, results[1]!.message.id);
			assert.equal(await count('switchboard_scheduled_messages'), 4);
			assert.deepEqual(await queue.enqueueMany([]), []);
		});

		test('enqueueMany is all-or-nothing: one bad input names its index and nothing is stored', async () => {
			const inputs = [sms(), sms(), sms(), sms({ sendTime: 'next tuesday' }), sms({ channel: 'pigeon' as never })];
			const error = await rejectsWith(queue.enqueueMany(inputs), InvalidQueueInputError);
			assert.equal(error.field, 'inputs[3].sendTime');
			assert.deepEqual(
				error.issues.map((i) => i.field),
				['inputs[3].sendTime', 'inputs[4].channel'],
			);
			assert.equal(await count('switchboard_scheduled_messages'), 0);
		});

		test('bad input is refused with the field named, and nothing is stored', async () => {
			const cases: Array<[unknown, string, RegExp]> = [
				[{ ...sms(), channel: 'pigeon' }, 'channel', /email, sms/],
				[{ ...sms(), channel: undefined }, 'channel', /one of/],
				[{ ...sms(), recipient: '   ' }, 'recipient', /required/],
				[{ ...sms(), sendTime: '2026-02-30T25:00:00Z' }, 'sendTime', /ISO 8601/],
				[{ ...sms(), sendTime: new Date(Number.NaN) }, 'sendTime', /invalid Date/],
				[{ ...sms(), status: 'sent' }, 'status', /draft/],
				[{ ...sms(), maxAttempts: 0 }, 'maxAttempts', /1 to 100/],
				[{ ...sms(), maxAttempts: 2.5 }, 'maxAttempts', /whole number/],
				[{ ...sms(), metadata: ['x'] }, 'metadata', /object/],
				[{ ...sms(), idempotencyKey: '' }, 'idempotencyKey', /non-empty/],
				[{ ...sms(), subject: 42 }, 'subject', /text/],
				[{ ...sms(), send_time: at(0) }, 'send_time', /use "sendTime"/],
				[{ ...sms(), message: { schema: 'switchboard.message/v1' } }, 'message.id', /./],
				[
					{
						...sms(),
						message: {
							schema: 'switchboard.message/v1',
							id: 'x',
							channel: 'telegram',
							provider: 'telegram',
							direction: 'outbound',
							conversation: { id: '1', type: 'direct' },
							timestamp: '2026-03-02T08:00:00.000Z',
							parts: [{ type: 'text', text: 'hi' }],
						},
					},
					'message.channel',
					/make them the same/,
				],
				['not an object', '(input)', /object/],
			];
			for (const [input, field, message] of cases) {
				const error = await rejectsWith(queue.enqueue(input as EnqueueInput), InvalidQueueInputError);
				assert.equal(error.field, field, `${JSON.stringify(input)} → ${error.message}`);
				assert.match(error.message, message);
				assert.equal(error.code, 'INVALID_QUEUE_INPUT');
			}
			assert.equal(await count('switchboard_scheduled_messages'), 0);
		});
	});

	describe('approve, reject, reschedule', () => {
		test('approve records who, when and the note; reject records who, when and why', async () => {
			const a = await enqueue();
			clock.advance(10);
			const approved = await queue.approve(a.id, { by: 'ann@clinic.example', reason: 'checked the dose' });
			assert.equal(approved.status, 'approved');
			assert.equal(approved.approvedBy, 'ann@clinic.example');
			assert.equal(approved.approvedAt, at(10));
			assert.equal(approved.approvalNote, 'checked the dose');
			assert.equal(approved.updatedAt, at(10));

			clock.advance(5);
			const rejected = await queue.reject(approved.id, { by: 'bob', reason: 'patient cancelled' });
			assert.equal(rejected.status, 'cancelled');
			assert.deepEqual([rejected.rejectedBy, rejected.rejectedAt, rejected.rejectionReason], ['bob', at(15), 'patient cancelled']);
			assert.equal(rejected.approvedBy, 'ann@clinic.example', 'the approval stays on record');

			const draft = await enqueue();
			const cancelled = await queue.reject(draft.id, { by: 'bob' });
			assert.equal(cancelled.status, 'cancelled');
			assert.equal(cancelled.rejectionReason, null);
		});

		test('approve and reject require who does it: the error names "by" and nothing changes', async () => {
			const m = await enqueue();
			const before = await snapshot();
			for (const call of [
				() => queue.approve(m.id, {} as never),
				() => queue.approve(m.id, { by: '  ' }),
				() => queue.approve(m.id, undefined as never),
				() => queue.reject(m.id, { reason: 'no' } as never),
			]) {
				const error = await rejectsWith(call(), InvalidQueueInputError);
				assert.equal(error.field, 'by');
			}
			assert.deepEqual(await snapshot(), before);
		});

		test('reschedule moves the send time of a draft or approved message and clears a pending retry time', async () => {
			const m = await enqueue();
			clock.advance(20);
			const moved = await queue.reschedule(m.id, '2026-03-05T10:00:00+01:00', { by: 'ann' });
			assert.equal(moved.sendTime, '2026-03-05T09:00:00.000Z');
			assert.equal(moved.status, 'draft');
			assert.deepEqual([moved.rescheduledBy, moved.rescheduledAt], ['ann', at(20)]);

			// An approved message waiting for a retry: the new time wins.
			const retried = await queue.fail((await inStatus('sending')).id, { workerId: 'w1', error: { message: 'timeout' }, retryable: true });
			assert.equal(retried.status, 'approved');
			assert.notEqual(retried.nextAttemptAt, null);
			const now = await queue.reschedule(retried.id, new Date(BASE));
			assert.equal(now.nextAttemptAt, null);
			assert.equal(now.rescheduledBy, null);
			await rejectsWith(queue.reschedule(m.id, 'soon'), InvalidQueueInputError, (e) => assert.equal(e.field, 'sendTime'));
			await rejectsWith(queue.reschedule(m.id, undefined as never), InvalidQueueInputError, (e) => assert.equal(e.field, 'sendTime'));
		});

		test('operations on an unknown id are MessageNotFoundError; get returns null', async () => {
			for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
				await rejectsWith(queue.approve(id, { by: 'ann' }), MessageNotFoundError, (e) => assert.equal(e.messageId, id));
				await rejectsWith(queue.reject(id, { by: 'ann' }), MessageNotFoundError);
				await rejectsWith(queue.reschedule(id, at(0)), MessageNotFoundError);
				await rejectsWith(queue.complete(id, {}), MessageNotFoundError);
				await rejectsWith(queue.fail(id, { error: { message: 'x' }, retryable: true }), MessageNotFoundError);
				await rejectsWith(queue.recordDelivery(id, { status: 'delivered' }), MessageNotFoundError);
				assert.equal(await queue.get(id), null);
			}
		});
	});

	describe('every transition', () => {
		type Op = 'approve' | 'reject' | 'reschedule' | 'complete' | 'failRetryable' | 'failPermanent' | 'delivered' | 'read';
		const run: Record<Op, (id: string) => Promise<ScheduledMessage>> = {
			approve: (id) => queue.approve(id, { by: 'ann' }),
			reject: (id) => queue.reject(id, { by: 'ann', reason: 'no' }),
			reschedule: (id) => queue.reschedule(id, at(600)),
			complete: (id) => queue.complete(id, { workerId: 'w1', provider: 'twilio' }),
			failRetryable: (id) => queue.fail(id, { workerId: 'w1', error: { message: 'timeout' }, retryable: true }),
			failPermanent: (id) => queue.fail(id, { workerId: 'w1', error: { message: 'invalid number' }, retryable: false }),
			delivered: (id) => queue.recordDelivery(id, { status: 'delivered' }),
			read: (id) => queue.recordDelivery(id, { status: 'read' }),
		};
		/** The status each operation aims for (reschedule keeps it). */
		const target: Record<Exclude<Op, 'reschedule'>, QueueStatus> = {
			approve: 'approved',
			reject: 'cancelled',
			complete: 'sent',
			failRetryable: 'failed',
			failPermanent: 'failed',
			delivered: 'delivered',
			read: 'read',
		};
		const I = 'illegal';
		const L = 'lease lost';
		const expected: Record<Exclude<QueueStatus, 'failed'>, Record<Op, QueueStatus | typeof I | typeof L>> = {
			draft: { approve: 'approved', reject: 'cancelled', reschedule: 'draft', complete: I, failRetryable: I, failPermanent: I, delivered: I, read: I },
			approved: { approve: I, reject: 'cancelled', reschedule: 'approved', complete: L, failRetryable: L, failPermanent: L, delivered: I, read: I },
			sending: { approve: I, reject: I, reschedule: I, complete: 'sent', failRetryable: 'approved', failPermanent: 'dead', delivered: I, read: I },
			sent: { approve: I, reject: I, reschedule: I, complete: I, failRetryable: I, failPermanent: I, delivered: 'delivered', read: 'read' },
			delivered: { approve: I, reject: I, reschedule: I, complete: I, failRetryable: I, failPermanent: I, delivered: I, read: 'read' },
			read: { approve: I, reject: I, reschedule: I, complete: I, failRetryable: I, failPermanent: I, delivered: I, read: I },
			cancelled: { approve: I, reject: I, reschedule: I, complete: I, failRetryable: I, failPermanent: I, delivered: I, read: I },
			dead: { approve: I, reject: I, reschedule: I, complete: I, failRetryable: I, failPermanent: I, delivered: I, read: I },
		};

		for (const [from, row] of Object.entries(expected) as Array<[Exclude<QueueStatus, 'failed'>, Record<Op, string>]>) {
			test(`from ${from}: legal operations move it, illegal ones are refused naming from, to and what is allowed, and write nothing`, async () => {
				for (const [op, outcome] of Object.entries(row) as Array<[Op, string]>) {
					await sql.query('DELETE FROM switchboard_delivery_attempts');
					await sql.query('DELETE FROM switchboard_scheduled_messages');
					const m = await inStatus(from);
					assert.equal(m.status, from);
					const before = await snapshot();
					if (outcome === I) {
						const to = op === 'reschedule' ? from : target[op];
						const error = await rejectsWith(run[op](m.id), IllegalTransitionError, (e) => {
							assert.equal(e.from, from, `${op} on ${from}`);
							assert.equal(e.to, to, `${op} on ${from}`);
							assert.deepEqual(sorted(e.allowed), sorted(ALLOWED[from]), `${op} on ${from}`);
							assert.equal(e.messageId, m.id);
						});
						assert.equal(error.code, 'ILLEGAL_TRANSITION');
						assert.deepEqual(await snapshot(), before, `${op} on ${from} wrote something`);
					} else if (outcome === L) {
						await rejectsWith(run[op](m.id), LeaseLostError, (e) => {
							assert.equal(e.status, from);
							assert.equal(e.workerId, 'w1');
						});
						assert.deepEqual(await snapshot(), before, `${op} on ${from} wrote something`);
					} else {
						const after = await run[op](m.id);
						assert.equal(after.status, outcome, `${op} on ${from}`);
						assert.equal((await queue.get(m.id))!.status, outcome);
					}
				}
			});
		}
	});

	describe('get and list', () => {
		test('get returns the message with its attempts in order', async () => {
			const m = await inStatus('sending');
			clock.advance(1);
			await queue.fail(m.id, { workerId: 'w1', error: { code: '30003', message: 'Unreachable' }, retryable: true, provider: 'twilio' });
			clock.advance(3600);
			await queue.claimDue({ workerId: 'w2' });
			clock.advance(2);
			await queue.complete(m.id, { workerId: 'w2', provider: 'vonage', externalId: 'V-1', fallbackReason: 'primary_failed' });
			const got = await queue.get(m.id);
			assert.ok(got);
			assert.equal(got.status, 'sent');
			assert.deepEqual(
				got.attempts.map((a) => [a.attemptNumber, a.success, a.status, a.provider, a.errorCode, a.workerId, a.fallbackReason, a.attemptedAt]),
				[
					[1, false, 'failed', 'twilio', '30003', 'w1', null, at(1)],
					[2, true, 'sent', 'vonage', null, 'w2', 'primary_failed', at(3603)],
				],
			);
			assert.ok(got.attempts.every((a) => a.messageId === m.id && a.recipient === m.recipient && a.channel === 'sms'));
		});

		test('list filters by status (with revised), channel, session, client, recipient, external id and send time', async () => {
			const a = await enqueue({ sessionId: 'S1', clientId: 'C1', sendTime: at(0) });
			const b = await enqueue({ channel: 'email', recipient: 'x@example.net', status: 'approved', sendTime: at(100) });
			const c = await enqueue({ sessionId: 'S2', clientId: 'C1', status: 'approved', sendTime: at(200) });
			const d = await queue.reject((await enqueue({ sendTime: at(300) })).id, { by: 'ann' });
			const ids = async (filter: Parameters<ScheduleQueue['list']>[0]): Promise<string[]> => sorted((await queue.list(filter)).items.map((m) => m.id));
			assert.deepEqual(await ids({}), sorted([a.id, b.id, c.id, d.id]));
			assert.deepEqual(await ids({ status: 'approved' }), sorted([b.id, c.id]));
			assert.deepEqual(await ids({ status: 'revised' }), sorted([b.id, c.id]));
			assert.deepEqual(await ids({ status: ['draft', 'cancelled'] }), sorted([a.id, d.id]));
			assert.deepEqual(await ids({ channel: 'email' }), [b.id]);
			assert.deepEqual(await ids({ sessionId: 'S1' }), [a.id]);
			assert.deepEqual(await ids({ clientId: 'C1' }), sorted([a.id, c.id]));
			assert.deepEqual(await ids({ recipient: 'x@example.net' }), [b.id]);
			assert.deepEqual(await ids({ sendFrom: at(100), sendTo: at(300) }), sorted([b.id, c.id]));
			assert.deepEqual(await ids({ clientId: 'C1', status: 'approved' }), [c.id]);
			clock.advance(300);
			await queue.claimDue({ workerId: 'w1', batchSize: 1 });
			await queue.complete(b.id, { workerId: 'w1', externalId: 'sg-123' });
			assert.deepEqual(await ids({ externalId: 'sg-123' }), [b.id]);
			await rejectsWith(queue.list({ status: 'pending' as never }), InvalidQueueInputError, (e) => assert.equal(e.field, 'status'));
			await rejectsWith(queue.list({ status: ['draft', 'nope' as never] }), InvalidQueueInputError, (e) => assert.equal(e.field, 'status[1]'));
			await rejectsWith(queue.list({ sendFrom: 'yesterday' }), InvalidQueueInputError, (e) => assert.equal(e.field, 'sendFrom'));
		});

		test('keyset paging walks every message once in (send time, id) order, ties included', async () => {
			// 23 messages on 9 distinct send times: many share a send time, so the id breaks ties.
			await queue.enqueueMany(Array.from({ length: 23 }, (_, i) => sms({ recipient: `+1${i}`, sendTime: at((i * 7) % 9) })));
			const all = (await sql.query<{ id: string; send_time: Date }>('SELECT id, send_time FROM switchboard_scheduled_messages ORDER BY send_time, id')).rows.map((r) => r.id);
			const seen: string[] = [];
			let cursor: string | undefined;
			let pages = 0;
			do {
				const page = await queue.list({ limit: 5, cursor });
				seen.push(...page.items.map((m) => m.id));
				cursor = page.nextCursor;
				pages++;
				assert.ok(page.items.length <= 5);
			} while (cursor);
			assert.equal(pages, 5);
			assert.deepEqual(seen, all);
			// The filter applies on every page.
			const drafts = await queue.list({ status: 'draft', limit: 20 });
			assert.equal(drafts.items.length, 20);
			const rest = await queue.list({ status: 'draft', limit: 20, cursor: drafts.nextCursor });
			assert.equal(rest.items.length, 3);
			assert.equal(rest.nextCursor, undefined);
		});

		test('paging over several statuses (or all) merges them in (send time, id) order, ties included', async () => {
			// Every stored status. Those made by inStatus share one send time (ties across statuses, broken
			// by id); drafts and approved ones move to future times that collide with each other (future, so
			// the claims inside inStatus take only their own message).
			const made: ScheduledMessage[] = [];
			for (const [i, status] of (['draft', 'approved', 'sending', 'sent', 'delivered', 'read', 'cancelled', 'dead'] as const).entries()) {
				const m = await inStatus(status);
				made.push(status === 'draft' || status === 'approved' ? await queue.reschedule(m.id, at(1000 + (i % 3)), { by: 'ann' }) : m);
			}
			await queue.enqueueMany(Array.from({ length: 9 }, (_, i) => sms({ recipient: `+3${i}`, sendTime: at(1000 + (i % 3)), status: i % 2 ? 'approved' : 'draft' })));
			const expected = async (statuses?: string[]) =>
				(
					await sql.query<{ id: string }>(
						`SELECT id FROM switchboard_scheduled_messages ${statuses ? 'WHERE status = ANY($1::text[])' : ''} ORDER BY send_time, id`,
						statuses ? [statuses] : [],
					)
				).rows.map((r) => r.id);
			const walk = async (filter: Parameters<ScheduleQueue['list']>[0]) => {
				const seen: string[] = [];
				let cursor: string | undefined;
				do {
					const page = await queue.list({ ...filter, limit: 4, cursor });
					assert.ok(page.items.length <= 4);
					seen.push(...page.items.map((m) => m.id));
					cursor = page.nextCursor;
				} while (cursor);
				return seen;
			};
			const everything = await expected();
			assert.equal(everything.length, 17);
			assert.deepEqual(await walk({}), everything);
			assert.deepEqual(await walk({ status: ['approved', 'draft'] }), await expected(['approved', 'draft']));
			assert.deepEqual(await walk({ status: ['sent', 'delivered', 'read', 'sending'] }), await expected(['sent', 'delivered', 'read', 'sending']));
			// A status named twice (revised is approved) is listed once.
			assert.deepEqual(await walk({ status: ['approved', 'revised'] }), await expected(['approved']));
			assert.ok(made.every((m) => everything.includes(m.id)));
			await rejectsWith(queue.list({ status: [] }), InvalidQueueInputError, (e) => {
				assert.equal(e.field, 'status');
				assert.match(e.message, /empty list/);
			});
		});

		test('a page holds 50 messages by default and at most 1000; bad limits and cursors name the field', async () => {
			await queue.enqueueMany(Array.from({ length: 51 }, (_, i) => sms({ recipient: `+2${i}` })));
			const first = await queue.list();
			assert.equal(first.items.length, 50);
			assert.ok(first.nextCursor);
			const second = await queue.list({ cursor: first.nextCursor });
			assert.equal(second.items.length, 1);
			assert.equal(second.nextCursor, undefined);
			assert.equal((await queue.list({ limit: 1000 })).items.length, 51);
			for (const limit of [0, 1001, 2.5]) await rejectsWith(queue.list({ limit }), InvalidQueueInputError, (e) => assert.equal(e.field, 'limit'));
			for (const cursor of ['garbage', Buffer.from('["x","y"]').toString('base64url')]) {
				await rejectsWith(queue.list({ cursor }), InvalidQueueInputError, (e) => assert.equal(e.field, 'cursor'));
			}
		});
	});

	describe('claimDue', () => {
		test('claims only approved messages that are due, oldest send time first, up to the batch size', async () => {
			await enqueue({ recipient: 'draft', sendTime: at(-500) });
			await enqueue({ recipient: 'future', status: 'approved', sendTime: at(1) });
			await queue.reject((await enqueue({ recipient: 'cancelled', status: 'approved', sendTime: at(-400) })).id, { by: 'ann' });
			const due = await queue.enqueueMany([
				sms({ recipient: 'c', status: 'approved', sendTime: at(-100) }),
				sms({ recipient: 'a', status: 'approved', sendTime: at(-300) }),
				sms({ recipient: 'now', status: 'approved', sendTime: at(0) }),
				sms({ recipient: 'b', status: 'revised', sendTime: at(-200) }),
			]);
			const first = await queue.claimDue({ batchSize: 3, workerId: 'w1', leaseSeconds: 120 });
			assert.deepEqual(
				first.map((m) => m.recipient),
				['a', 'b', 'c'],
			);
			for (const m of first) {
				assert.equal(m.status, 'sending');
				assert.equal(m.leaseOwner, 'w1');
				assert.equal(m.leaseExpiresAt, at(120));
				assert.equal(m.attemptCount, 1);
				assert.equal(m.updatedAt, at(0));
			}
			const second = await queue.claimDue({ batchSize: 3, workerId: 'w2' });
			assert.deepEqual(
				second.map((m) => m.recipient),
				['now'],
			);
			assert.equal(second[0]!.leaseExpiresAt, at(300), 'the default lease is 300 s');
			assert.deepEqual(await queue.claimDue({ workerId: 'w3' }), []);
			assert.equal(due.length, 4);
			clock.advance(1);
			assert.deepEqual(
				(await queue.claimDue({ workerId: 'w3' })).map((m) => m.recipient),
				['future'],
			);
		});

		test('ties on send time are claimed in id order, and the default batch is 50', async () => {
			await queue.enqueueMany(Array.from({ length: 55 }, (_, i) => sms({ recipient: `+3${i}`, status: 'approved', sendTime: at(-(i % 3)) })));
			const expectedOrder = (
				await sql.query<{ id: string }>('SELECT id FROM switchboard_scheduled_messages ORDER BY send_time, id')
			).rows.map((r) => r.id);
			const first = await queue.claimDue({ workerId: 'w1' });
			assert.equal(first.length, 50);
			assert.deepEqual(
				first.map((m) => m.id),
				expectedOrder.slice(0, 50),
			);
			const rest = await queue.claimDue({ workerId: 'w1', batchSize: 1000 });
			assert.deepEqual(
				rest.map((m) => m.id),
				expectedOrder.slice(50),
			);
		});

		test('the channel option claims one channel only', async () => {
			await enqueue({ status: 'approved', recipient: '+1' });
			const email = await enqueue({ status: 'approved', channel: 'email', recipient: 'a@example.net' });
			assert.deepEqual(
				(await queue.claimDue({ channel: 'email' })).map((m) => m.id),
				[email.id],
			);
		});

		test('a retry waits for its next attempt time', async () => {
			const m = await inStatus('sending');
			const failed = await queue.fail(m.id, { workerId: 'w1', error: { message: 'timeout' }, retryable: true });
			assert.equal(failed.nextAttemptAt, at(60));
			clock.advance(59.999);
			assert.deepEqual(await queue.claimDue(), []);
			clock.advance(0.001);
			assert.deepEqual(
				(await queue.claimDue()).map((c) => [c.id, c.attemptCount]),
				[[m.id, 2]],
			);
		});

		test('a live lease is never claimed by another worker; an expired one is, and the late owner is refused', async () => {
			const m = await enqueue({ status: 'approved' });
			const [mine] = await queue.claimDue({ workerId: 'w1', leaseSeconds: 60 });
			assert.equal(mine!.id, m.id);
			clock.advance(59);
			assert.deepEqual(await queue.claimDue({ workerId: 'w2' }), [], 'the lease is live');
			clock.advance(1);
			const [taken] = await queue.claimDue({ workerId: 'w2', leaseSeconds: 60 });
			assert.equal(taken!.id, m.id);
			assert.equal(taken!.leaseOwner, 'w2');
			assert.equal(taken!.attemptCount, 2);
			assert.equal(taken!.leaseExpiresAt, at(120));

			const before = await snapshot();
			await rejectsWith(queue.complete(m.id, { workerId: 'w1', provider: 'late' }), LeaseLostError, (e) => {
				assert.equal(e.currentOwner, 'w2');
				assert.equal(e.status, 'sending');
			});
			await rejectsWith(queue.fail(m.id, { workerId: 'w1', error: { message: 'x' }, retryable: true }), LeaseLostError);
			assert.deepEqual(await snapshot(), before, 'the late owner wrote nothing');

			const sent = await queue.complete(m.id, { workerId: 'w2', provider: 'twilio' });
			assert.equal(sent.status, 'sent');
			assert.equal((await queue.get(m.id))!.attempts.length, 1);

			// After the new owner finished it, the former owner's report is still a lost lease (not a
			// double send); the new owner reporting twice is an illegal sent → sent.
			const finished = await snapshot();
			await rejectsWith(queue.complete(m.id, { workerId: 'w1' }), LeaseLostError, (e) => assert.equal(e.status, 'sent'));
			await rejectsWith(queue.fail(m.id, { workerId: 'w1', error: { message: 'x' }, retryable: true }), LeaseLostError, (e) => assert.equal(e.status, 'sent'));
			await rejectsWith(queue.complete(m.id, { workerId: 'w2' }), IllegalTransitionError, (e) => assert.deepEqual([e.from, e.to], ['sent', 'sent']));
			assert.deepEqual(await snapshot(), finished);
		});

		test('an owner whose lease expired but was not taken over may still report', async () => {
			const m = await inStatus('sending');
			clock.advance(10_000);
			assert.equal((await queue.complete(m.id, { workerId: 'w1' })).status, 'sent');
		});

		test('an expired lease with no attempts left is retired as dead instead of claimed', async () => {
			const m = await enqueue({ status: 'approved', maxAttempts: 1 });
			await queue.claimDue({ workerId: 'w1', leaseSeconds: 30 });
			clock.advance(30);
			assert.deepEqual(await queue.claimDue({ workerId: 'w2' }), []);
			const dead = (await queue.get(m.id))!;
			assert.deepEqual([dead.status, dead.errorCode, dead.errorMessage, dead.leaseOwner, dead.processedTime], ['dead', 'LEASE_EXPIRED', 'lease expired', null, at(30)]);
		});

		test('parallel claims never hand out the same message twice', async () => {
			await queue.enqueueMany(Array.from({ length: 30 }, (_, i) => sms({ recipient: `+4${i}`, status: 'approved' })));
			const batches = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((workerId) => queue.claimDue({ workerId, batchSize: 10 })));
			const ids = batches.flat().map((m) => m.id);
			assert.equal(ids.length, 30);
			assert.equal(new Set(ids).size, 30);
			for (const [i, batch] of batches.entries()) assert.ok(batch.every((m) => m.leaseOwner === `w${i + 1}`));
		});

		test('bad claim options name the field', async () => {
			const cases: Array<[Parameters<ScheduleQueue['claimDue']>[0], string]> = [
				[{ batchSize: 0 }, 'batchSize'],
				[{ batchSize: 1001 }, 'batchSize'],
				[{ leaseSeconds: 0 }, 'leaseSeconds'],
				[{ leaseSeconds: -5 }, 'leaseSeconds'],
				[{ workerId: '' }, 'workerId'],
				[{ channel: 'fax' }, 'channel'],
			];
			for (const [options, field] of cases) await rejectsWith(queue.claimDue(options), InvalidQueueInputError, (e) => assert.equal(e.field, field));
		});
	});

	describe('complete', () => {
		test('writes the attempt to the log and marks the message sent with provider and external id', async () => {
			const m = await inStatus('sending');
			clock.advance(2);
			const sent = await queue.complete(m.id, {
				workerId: 'w1',
				provider: 'twilio',
				externalId: 'SM123',
				responseTimeMs: 250.4,
				cost: 0.0075,
				costCurrency: 'USD',
				fallbackReason: 'primary_failed',
				channel: 'mms',
				metadata: { segments: 1 },
				attemptedAt: at(1),
			});
			assert.deepEqual(
				[sent.status, sent.provider, sent.externalId, sent.processedTime, sent.leaseOwner, sent.leaseExpiresAt, sent.updatedAt],
				['sent', 'twilio', 'SM123', at(2), null, null, at(2)],
			);
			const [attempt, ...more] = (await queue.get(m.id))!.attempts;
			assert.equal(more.length, 0);
			assert.deepEqual(
				{ ...attempt!, id: '' },
				{
					id: '',
					messageId: m.id,
					attemptNumber: 1,
					channel: 'mms',
					provider: 'twilio',
					recipient: m.recipient,
					attemptedAt: at(1),
					success: true,
					status: 'sent',
					externalId: 'SM123',
					errorCode: null,
					errorMessage: null,
					retryable: null,
					cost: 0.0075,
					costCurrency: 'USD',
					responseTimeMs: 250,
					fallbackReason: 'primary_failed',
					metadata: { segments: 1 },
					workerId: 'w1',
				},
			);
		});

		test('the queue worker id is the default for claims and reports', async () => {
			const m = await enqueue({ status: 'approved' });
			const [claimed] = await queue.claimDue();
			assert.equal(claimed!.leaseOwner, 'default-worker');
			const sent = await queue.complete(m.id, {});
			assert.equal(sent.status, 'sent');
			assert.equal((await queue.get(m.id))!.attempts[0]!.attemptedAt, at(0), 'attemptedAt defaults to now');
		});

		test('completeMany reports each message on its own: done ones are written, refused ones are not', async () => {
			const [a, b, c] = await queue.enqueueMany([sms({ recipient: '+1', status: 'approved', sendTime: at(-3) }), sms({ recipient: '+2', status: 'approved', sendTime: at(-2) }), sms({ recipient: '+3', status: 'approved', sendTime: at(-1) })]).then((r) => r.map((x) => x.message));
			await queue.claimDue({ workerId: 'w1', batchSize: 2 });
			await queue.claimDue({ workerId: 'w2' });
			const draft = await enqueue();
			const results = await queue.completeMany([
				{ id: a!.id, workerId: 'w1', provider: 'p', externalId: 'e1' },
				{ id: c!.id, workerId: 'w1', provider: 'p' },
				{ id: '00000000-0000-4000-8000-000000000000', workerId: 'w1' },
				{ id: b!.id, workerId: 'w1', provider: 'p', externalId: 'e2' },
				{ id: draft.id, workerId: 'w1' },
			]);
			assert.deepEqual(
				results.map((r) => [r.id, r.ok]),
				[
					[a!.id, true],
					[c!.id, false],
					['00000000-0000-4000-8000-000000000000', false],
					[b!.id, true],
					[draft.id, false],
				],
			);
			const errors = results.map((r) => (r.ok ? undefined : r.error));
			assert.ok(errors[1] instanceof LeaseLostError && errors[1].currentOwner === 'w2');
			assert.ok(errors[2] instanceof MessageNotFoundError);
			assert.ok(errors[4] instanceof IllegalTransitionError && errors[4].from === 'draft' && errors[4].to === 'sent');
			assert.equal(results[3]!.ok && results[3]!.message.externalId, 'e2');
			assert.equal((await queue.get(c!.id))!.status, 'sending');
			assert.equal(await count('switchboard_delivery_attempts'), 2);
			assert.deepEqual(await queue.completeMany([]), []);
		});

		test('bad reports name the field and write nothing', async () => {
			const m = await inStatus('sending');
			const before = await snapshot();
			await rejectsWith(queue.complete(m.id, { workerId: 'w1', responseTimeMs: -1 }), InvalidQueueInputError, (e) => assert.equal(e.field, 'responseTimeMs'));
			await rejectsWith(queue.complete(m.id, { workerId: 'w1', channel: 'fax' as never }), InvalidQueueInputError, (e) => assert.equal(e.field, 'channel'));
			await rejectsWith(queue.complete(m.id, { workerId: 'w1', attemptedAt: 'then' }), InvalidQueueInputError, (e) => assert.equal(e.field, 'attemptedAt'));
			await rejectsWith(queue.completeMany([{ id: m.id, workerId: 'w1' }, { id: m.id, workerId: 'w1', cost: Number.NaN }]), InvalidQueueInputError, (e) =>
				assert.deepEqual(
					e.issues.map((i) => i.field),
					['items[1].id', 'items[1].cost'],
				),
			);
			assert.deepEqual(await snapshot(), before);
		});
	});

	describe('fail and retry', () => {
		test('retryable failures back off exponentially (60 s, 120 s) on the injected clock, then the message is dead', async () => {
			const m = await enqueue({ status: 'approved' });
			const delays: number[] = [];
			let current: ScheduledMessage = m;
			for (let attempt = 1; attempt <= 3; attempt++) {
				const [claimed] = await queue.claimDue({ workerId: 'w1' });
				assert.equal(claimed?.id, m.id, `attempt ${attempt} is claimed`);
				assert.equal(claimed!.attemptCount, attempt);
				clock.advance(1);
				current = await queue.fail(m.id, { workerId: 'w1', error: { code: 'TIMEOUT', message: `timeout ${attempt}` }, retryable: true, responseTimeMs: 5000 });
				if (current.status === 'approved') {
					const wait = (Date.parse(current.nextAttemptAt!) - clock.now().getTime()) / 1000;
					delays.push(wait);
					clock.advance(wait);
				}
			}
			assert.deepEqual(delays, [60, 120]);
			assert.equal(current.status, 'dead');
			assert.deepEqual([current.errorCode, current.errorMessage, current.nextAttemptAt, current.processedTime], ['TIMEOUT', 'timeout 3', null, clock.now().toISOString()]);
			const attempts = (await queue.get(m.id))!.attempts;
			assert.deepEqual(
				attempts.map((a) => [a.attemptNumber, a.success, a.status, a.retryable, a.errorMessage, a.responseTimeMs]),
				[
					[1, false, 'failed', true, 'timeout 1', 5000],
					[2, false, 'failed', true, 'timeout 2', 5000],
					[3, false, 'failed', true, 'timeout 3', 5000],
				],
			);
			assert.deepEqual(await queue.claimDue(), []);
		});

		test('jitter shortens the delay by up to its fraction, with the injected random source', async () => {
			randomValue = 1; // jitter 0.5 × random 1 → half the delay
			const m = await inStatus('sending');
			const failed = await queue.fail(m.id, { workerId: 'w1', error: { message: 'busy' }, retryable: true });
			assert.equal(failed.nextAttemptAt, at(30));
			randomValue = 0.5; // → 75 % of the delay
			clock.advance(30);
			await queue.claimDue({ workerId: 'w1' });
			assert.equal((await queue.fail(m.id, { workerId: 'w1', error: { message: 'busy' }, retryable: true })).nextAttemptAt, at(30 + 90));
		});

		test('a permanent failure is dead at once; the per-failure policy and per-message max attempts are honoured', async () => {
			const permanent = await inStatus('sending');
			const dead = await queue.fail(permanent.id, { workerId: 'w1', error: { code: '21211', message: 'invalid To number' }, retryable: false });
			assert.equal(dead.status, 'dead');
			assert.equal((await queue.get(permanent.id))!.attempts[0]!.retryable, false);

			await sql.query('DELETE FROM switchboard_delivery_attempts');
			await sql.query('DELETE FROM switchboard_scheduled_messages');
			const none = await inStatus('sending');
			assert.equal((await queue.fail(none.id, { workerId: 'w1', error: { message: 'x' }, retryable: true, retry: { strategy: 'none' } })).status, 'dead');

			const linear = await enqueue({ status: 'approved', maxAttempts: 5 });
			const delays: number[] = [];
			for (let i = 0; i < 4; i++) {
				await queue.claimDue({ workerId: 'w1' });
				const failed = await queue.fail(linear.id, { workerId: 'w1', error: { message: 'x' }, retryable: true, retry: { strategy: 'linear', jitter: 0 } });
				const wait = (Date.parse(failed.nextAttemptAt!) - clock.now().getTime()) / 1000;
				delays.push(wait);
				clock.advance(wait);
			}
			assert.deepEqual(delays, [60, 120, 180, 240], 'seed 003 linear backoff');
			await queue.claimDue({ workerId: 'w1' });
			assert.equal((await queue.fail(linear.id, { workerId: 'w1', error: { message: 'x' }, retryable: true })).status, 'dead', 'max attempts 5 reached');

			const once = await enqueue({ status: 'approved', maxAttempts: 1 });
			await queue.claimDue({ workerId: 'w1' });
			assert.equal((await queue.fail(once.id, { workerId: 'w1', error: { message: 'x' }, retryable: true })).status, 'dead');
		});

		test('the retry delay is capped', async () => {
			const m = await enqueue({ status: 'approved', maxAttempts: 10 });
			await queue.claimDue({ workerId: 'w1' });
			const failed = await queue.fail(m.id, { workerId: 'w1', error: { message: 'x' }, retryable: true, retry: { initialDelaySeconds: 5000, jitter: 0 } });
			assert.equal(failed.nextAttemptAt, at(3600));
		});

		test('bad failure reports name the field and write nothing', async () => {
			const m = await inStatus('sending');
			const before = await snapshot();
			const cases: Array<[unknown, string]> = [
				[{ workerId: 'w1', retryable: true }, 'error'],
				[{ workerId: 'w1', error: { message: '' }, retryable: true }, 'error.message'],
				[{ workerId: 'w1', error: { message: 'x' } }, 'retryable'],
				[{ workerId: 'w1', error: { message: 'x' }, retryable: 'yes' }, 'retryable'],
				[{ workerId: 'w1', error: { message: 'x' }, retryable: true, retry: { jitter: 2 } }, 'retry.jitter'],
				[{ workerId: 'w1', error: { message: 'x' }, retryable: true, retry: { strategy: 'fibonacci' } }, 'retry.strategy'],
				[{ workerId: 'w1', error: { message: 'x', code: 5 }, retryable: true }, 'error.code'],
			];
			for (const [report, field] of cases) {
				await rejectsWith(queue.fail(m.id, report as never), InvalidQueueInputError, (e) => assert.equal(e.field, field, JSON.stringify(report)));
			}
			assert.deepEqual(await snapshot(), before);
		});
	});

	describe('releaseExpiredLeases', () => {
		test('expired leases become due again, or dead when attempts are used up; live leases stay', async () => {
			const [a, b, c] = (
				await queue.enqueueMany([
					sms({ recipient: 'a', status: 'approved', sendTime: at(-3) }),
					sms({ recipient: 'b', status: 'approved', sendTime: at(-2), maxAttempts: 1 }),
					sms({ recipient: 'c', status: 'approved', sendTime: at(-1) }),
				])
			).map((r) => r.message);
			await queue.claimDue({ workerId: 'w1', batchSize: 2, leaseSeconds: 60 });
			clock.advance(30);
			await queue.claimDue({ workerId: 'w2', leaseSeconds: 60 });
			clock.advance(30);
			assert.equal(await queue.releaseExpiredLeases(), 2);
			const [ra, rb, rc] = await Promise.all([a, b, c].map((m) => queue.get(m!.id)));
			assert.deepEqual([ra!.status, ra!.leaseOwner, ra!.nextAttemptAt, ra!.errorMessage, ra!.attemptCount], ['approved', null, null, 'lease expired', 1]);
			assert.deepEqual([rb!.status, rb!.errorCode, rb!.processedTime], ['dead', 'LEASE_EXPIRED', at(60)]);
			assert.deepEqual([rc!.status, rc!.leaseOwner], ['sending', 'w2']);
			assert.equal(await queue.releaseExpiredLeases(), 0);
			const again = await queue.claimDue({ workerId: 'w3' });
			assert.deepEqual(
				again.map((m) => [m.id, m.attemptCount]),
				[[a!.id, 2]],
			);
			await rejectsWith(queue.complete(a!.id, { workerId: 'w1' }), LeaseLostError);
		});
	});

	describe('recordDelivery', () => {
		test('sent → delivered → read, with the times, and the successful attempt row follows', async () => {
			const m = await inStatus('sent');
			clock.advance(5);
			const delivered = await queue.recordDelivery(m.id, { status: 'delivered', at: at(4) });
			assert.deepEqual([delivered.status, delivered.deliveredAt, delivered.updatedAt], ['delivered', at(4), at(5)]);
			const read = await queue.recordDelivery(m.id, { status: 'read' });
			assert.deepEqual([read.status, read.readAt, read.deliveredAt], ['read', at(5), at(4)]);
			assert.deepEqual(
				(await queue.get(m.id))!.attempts.map((a) => a.status),
				['read'],
			);
			await rejectsWith(queue.recordDelivery(m.id, { status: 'sent' as never }), InvalidQueueInputError, (e) => assert.equal(e.field, 'status'));
		});
	});

	describe('earlier attempts of one claim (Channel Send)', () => {
		const earlier = [
			{ provider: 'twilio', channel: 'sms', attemptedAt: at(1), responseTimeMs: 120, error: { code: '30008', message: 'unknown error' }, retryable: true, metadata: { sendAttempt: 1 } },
			{ provider: 'vonage', channel: 'sms', attemptedAt: at(3), responseTimeMs: 80, error: { code: '1', message: 'throttled' }, retryable: true, fallbackReason: 'primary_failed: twilio 30008' },
		];

		test('complete logs every earlier attempt and the final one, in order, with the claim\'s attempt number', async () => {
			const m = await inStatus('sending');
			clock.advance(5);
			const sent = await queue.complete(m.id, { workerId: 'w1', provider: 'vonage', externalId: 'V1', attemptedAt: at(4), fallbackReason: 'primary_failed: twilio 30008', earlierAttempts: earlier });
			assert.equal(sent.status, 'sent');
			const attempts = (await queue.get(m.id))!.attempts;
			assert.deepEqual(
				attempts.map((a) => [a.attemptNumber, a.provider, a.success, a.status, a.errorCode, a.errorMessage, a.retryable, a.attemptedAt, a.fallbackReason, a.workerId, a.recipient]),
				[
					[1, 'twilio', false, 'failed', '30008', 'unknown error', true, at(1), null, 'w1', '+15550001111'],
					[1, 'vonage', false, 'failed', '1', 'throttled', true, at(3), 'primary_failed: twilio 30008', 'w1', '+15550001111'],
					[1, 'vonage', true, 'sent', null, null, null, at(4), 'primary_failed: twilio 30008', 'w1', '+15550001111'],
				],
			);
			assert.deepEqual(attempts[0]!.metadata, { sendAttempt: 1 });
			assert.equal(attempts[0]!.responseTimeMs, 120);
			const [stats] = await queue.stats({ from: at(0), to: at(10) });
			assert.deepEqual([stats!.totalAttempts, stats!.successfulAttempts, stats!.failedAttempts, stats!.fallbackCount], [3, 1, 2, 2]);
		});

		test('completeMany and fail log earlier attempts too', async () => {
			const a = await enqueue({ status: 'approved', recipient: '+15550000001' });
			const b = await enqueue({ status: 'approved', recipient: '+15550000002' });
			const c = await enqueue({ status: 'approved', recipient: '+15550000003' });
			await queue.claimDue({ workerId: 'w1' });
			const results = await queue.completeMany([
				{ id: a.id, workerId: 'w1', provider: 'vonage', earlierAttempts: [earlier[0]!] },
				{ id: b.id, workerId: 'w1', provider: 'twilio' },
			]);
			assert.deepEqual(
				results.map((r) => r.ok),
				[true, true],
			);
			assert.equal((await queue.get(a.id))!.attempts.length, 2);
			assert.equal((await queue.get(b.id))!.attempts.length, 1);
			const failed = await queue.fail(c.id, { workerId: 'w1', provider: 'vonage', error: { code: '1', message: 'throttled' }, retryable: false, attemptedAt: at(5), earlierAttempts: earlier });
			assert.equal(failed.status, 'dead');
			const attempts = (await queue.get(c.id))!.attempts;
			assert.deepEqual(
				attempts.map((x) => [x.provider, x.success, x.errorCode]),
				[
					['twilio', false, '30008'],
					['vonage', false, '1'],
					['vonage', false, '1'],
				],
			);
		});

		test('nothing is logged when the outcome is refused (lost lease), and bad earlier attempts name the field', async () => {
			const m = await inStatus('sending');
			const before = await snapshot();
			await rejectsWith(queue.complete(m.id, { workerId: 'intruder', provider: 'x', earlierAttempts: earlier }), LeaseLostError);
			await rejectsWith(queue.fail(m.id, { workerId: 'intruder', error: { message: 'x' }, retryable: true, earlierAttempts: earlier }), LeaseLostError);
			await rejectsWith(queue.complete(m.id, { workerId: 'w1', earlierAttempts: [{ provider: 'x' }] }), InvalidQueueInputError, (e) => {
				assert.equal(e.field, 'earlierAttempts[0].error');
			});
			await rejectsWith(queue.completeMany([{ id: m.id, workerId: 'w1', earlierAttempts: 'no' as never }]), InvalidQueueInputError, (e) => {
				assert.equal(e.field, 'items[0].earlierAttempts');
			});
			assert.deepEqual(await snapshot(), before);
		});
	});

	// Issue 5: delivery events and orphans, on the same shared queue and clock.
	deliveryEventsContract({ kind: target.kind, queue: () => queue, sql: () => sql, now: () => clock.now() });
	// Issue 5: multi-part provider ids and the undelivered fallback (requeueUndelivered).
	undeliveredContract({ kind: target.kind, queue: () => queue, sql: () => sql, now: () => clock.now(), advance: (seconds) => clock.advance(seconds) });

	describe('stats and purge', () => {
		async function attempt(channel: 'sms' | 'email', outcome: 'ok' | 'fail', extra: { responseTimeMs?: number; cost?: number; fallbackReason?: string; attemptedAt: string }): Promise<void> {
			const m = await enqueue({ channel, recipient: channel === 'email' ? 'x@example.net' : '+1', status: 'approved' });
			const [claimed] = await queue.claimDue({ workerId: 'w1', channel });
			assert.equal(claimed!.id, m.id);
			if (outcome === 'ok') await queue.complete(m.id, { workerId: 'w1', provider: 'p', ...extra });
			else await queue.fail(m.id, { workerId: 'w1', provider: 'p', error: { message: 'x' }, retryable: false, ...extra });
		}

		test('stats per channel over a period: attempts, successes, failures, success rate, response time, cost, fallbacks', async () => {
			await attempt('sms', 'ok', { responseTimeMs: 100, cost: 0.0075, attemptedAt: '2026-01-01T00:00:00.000Z' });
			await attempt('sms', 'ok', { responseTimeMs: 300, cost: 0.0075, fallbackReason: 'primary_failed', attemptedAt: '2026-01-15T12:00:00.000Z' });
			await attempt('sms', 'fail', { responseTimeMs: 5000, attemptedAt: '2026-01-31T23:59:59.000Z' });
			await attempt('email', 'ok', { responseTimeMs: 40, cost: 0.001, attemptedAt: '2026-01-20T00:00:00.000Z' });
			await attempt('email', 'ok', { attemptedAt: '2026-01-21T00:00:00.000Z' });
			await attempt('sms', 'ok', { responseTimeMs: 1, cost: 5, attemptedAt: '2026-02-01T00:00:00.000Z' }); // after the period
			await attempt('sms', 'ok', { responseTimeMs: 1, cost: 5, attemptedAt: '2025-12-31T23:59:59.999Z' }); // before it

			const period = { startDate: '2026-01-01T00:00:00.000Z', endDate: '2026-01-31T23:59:59.000Z' };
			const stats = await queue.stats({ from: period.startDate, to: period.endDate });
			assert.deepEqual(stats, [
				{ channel: 'email', totalAttempts: 2, successfulAttempts: 2, failedAttempts: 0, successRate: 100, averageResponseTimeMs: 40, totalCost: 0.001, fallbackCount: 0, period },
				{ channel: 'sms', totalAttempts: 3, successfulAttempts: 2, failedAttempts: 1, successRate: 66.7, averageResponseTimeMs: 1800, totalCost: 0.015, fallbackCount: 1, period },
			]);
			assert.deepEqual(await queue.stats({ from: new Date(period.startDate), to: period.endDate, channel: 'email' }), [stats[0]]);
			assert.deepEqual(await queue.stats({ from: period.startDate, to: period.endDate, channel: 'whatsapp' }), [
				{ channel: 'whatsapp', totalAttempts: 0, successfulAttempts: 0, failedAttempts: 0, successRate: 0, averageResponseTimeMs: null, totalCost: 0, fallbackCount: 0, period },
			]);
			await rejectsWith(queue.stats({ from: 'x', to: period.endDate }), InvalidQueueInputError, (e) => assert.equal(e.field, 'from'));
			await rejectsWith(queue.stats({ from: period.endDate, to: period.startDate }), InvalidQueueInputError, (e) => assert.equal(e.field, 'to'));
			await rejectsWith(queue.stats({ to: period.endDate } as never), InvalidQueueInputError, (e) => assert.equal(e.field, 'from'));
		});

		test('purgeLog deletes log rows older than the retention and keeps the messages', async () => {
			await attempt('sms', 'ok', { attemptedAt: at(-31 * 86_400) });
			await attempt('sms', 'ok', { attemptedAt: at(-30 * 86_400 - 1) });
			await attempt('sms', 'ok', { attemptedAt: at(-30 * 86_400 + 1) });
			await attempt('email', 'fail', { attemptedAt: at(-1) });
			assert.equal(await queue.purgeLog({ olderThanDays: 30 }), 2);
			assert.equal(await count('switchboard_delivery_attempts'), 2);
			assert.equal(await count('switchboard_scheduled_messages'), 4);
			assert.equal(await queue.purgeLog({ olderThanDays: 30 }), 0);
			assert.equal(await queue.purgeLog({ olderThanDays: 0 }), 2);
			for (const olderThanDays of [-1, Number.NaN, '30']) {
				await rejectsWith(queue.purgeLog({ olderThanDays } as never), InvalidQueueInputError, (e) => assert.equal(e.field, 'olderThanDays'));
			}
		});
	});

	describe('store', () => {
		test('a store keeps its messages across close and reopen, and its migrations are applied once', async () => {
			const connection = await target.freshConnection();
			const now = (): Date => clock.now();
			const first = await openQueue({ connection, now });
			const migrated = await internalSqlClient(first)!.query<{ version: number; applied_at: Date }>('SELECT version, applied_at FROM switchboard_schema_migrations ORDER BY version');
			assert.deepEqual(
				migrated.rows.map((r) => r.version),
				MIGRATIONS.map((m) => m.version),
			);
			const { message } = await first.enqueue(sms({ idempotencyKey: 'persist' }));
			const approved = await first.approve(message.id, { by: 'ann' });
			await first.close();
			await first.close();
			await rejectsWith(first.list(), QueueStoreError);

			clock.advance(60);
			const second = await openQueue({ connection, now });
			try {
				assert.deepEqual(await second.get(message.id), { ...approved, attempts: [] });
				const again = await internalSqlClient(second)!.query<{ version: number; applied_at: Date }>('SELECT version, applied_at FROM switchboard_schema_migrations ORDER BY version');
				assert.deepEqual(again.rows, migrated.rows, 'reopening applied nothing again');
				assert.equal((await second.enqueue(sms({ idempotencyKey: 'persist' }))).created, false);
			} finally {
				await second.close();
			}
		});

		test('several queues opening one new database at once apply the migrations exactly once', { skip: !target.concurrentOpen && 'an embedded store serves one process (see host-lock.test.ts)' }, async () => {
			const connection = await target.freshConnection();
			const queues = await Promise.all(Array.from({ length: 4 }, (_, i) => openQueue({ connection, workerId: `w${i}`, now: () => clock.now() })));
			try {
				const { rows } = await internalSqlClient(queues[0]!)!.query<{ version: number }>('SELECT version FROM switchboard_schema_migrations ORDER BY version');
				assert.deepEqual(
					rows.map((r) => r.version),
					MIGRATIONS.map((m) => m.version),
				);
				const { message } = await queues[1]!.enqueue(sms({ status: 'approved' }));
				assert.equal((await queues[2]!.get(message.id))?.id, message.id);
				assert.equal((await queues[3]!.claimDue())[0]?.leaseOwner, 'w3');
			} finally {
				await Promise.all(queues.map((q) => q.close()));
			}
		});

		test('a database migrated by a newer version is refused with a clear error', async () => {
			const connection = await target.freshConnection();
			const q = await openQueue({ connection });
			await internalSqlClient(q)!.query(`INSERT INTO switchboard_schema_migrations (version, name) VALUES (${LATEST_SCHEMA_VERSION + 1}, 'from the future')`);
			await q.close();
			await rejectsWith(openQueue({ connection }), QueueStoreError, (e) => {
				assert.match(e.message, new RegExp(`schema version ${LATEST_SCHEMA_VERSION + 1}`));
				assert.match(e.hint ?? '', /Upgrade/);
			});
		});

		test('the status column refuses anything outside the state machine', async () => {
			const m = await enqueue();
			await assert.rejects(sql.query(`UPDATE switchboard_scheduled_messages SET status = 'revised' WHERE id = $1`, [m.id]), /check/i);
			await assert.rejects(sql.query(`UPDATE switchboard_scheduled_messages SET status = 'sending' WHERE id = $1`, [m.id]), /check/i, 'sending needs a lease');
			assert.equal((await queue.get(m.id))!.status, 'draft');
		});
	});

	describe('state machine property', () => {
		test('random operation sequences never reach an illegal state, and the store always equals a model', async () => {
			await fc.assert(
				fc.asyncProperty(fc.array(actionArbitrary, { minLength: 10, maxLength: 40, size: 'max' }), async (actions) => {
					await sql.query('DELETE FROM switchboard_delivery_attempts');
					await sql.query('DELETE FROM switchboard_scheduled_messages');
					clock.set(BASE);
					randomValue = 0;
					const model = new Model();
					for (const action of actions) {
						const id = model.resolve(action);
						const expected = model.apply(action, clock.now().getTime(), id);
						const actual = await perform(action, model, id);
						assert.equal(actual, expected, `${JSON.stringify(action)}: expected ${expected}, got ${actual}`);
						await compare(model);
					}
				}),
				{ numRuns: 60 },
			);
		});

		type Action =
			| { kind: 'enqueue'; approved: boolean; maxAttempts: number; offset: number }
			| { kind: 'approve' | 'reject' | 'reschedule' | 'delivered' | 'read'; target: number; offset: number }
			| { kind: 'complete' | 'failRetryable' | 'failPermanent'; target: number | 'held'; worker: number }
			| { kind: 'claim'; worker: number; batch: number }
			| { kind: 'advance'; seconds: number }
			| { kind: 'release' };

		// Few messages and two workers, weighted towards claim / report, and short clock steps (retry
		// delays are 60 s, 120 s; leases 100 s): interesting interleavings come up often.
		const target = fc.nat({ max: 3 });
		const worker = fc.integer({ min: 0, max: 1 });
		const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
			{ weight: 3, arbitrary: fc.record({ kind: fc.constant('enqueue' as const), approved: fc.boolean(), maxAttempts: fc.integer({ min: 1, max: 3 }), offset: fc.integer({ min: -120, max: 120 }) }) },
			{ weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('approve' as const, 'reject' as const, 'reschedule' as const, 'delivered' as const, 'read' as const), target, offset: fc.integer({ min: -60, max: 60 }) }) },
			// 'held': the message this worker holds, as a real worker reports; a number: any message.
			{
				weight: 4,
				arbitrary: fc.record({ kind: fc.constantFrom('complete' as const, 'failRetryable' as const, 'failPermanent' as const), target: fc.oneof(fc.constant('held' as const), target), worker }),
			},
			{ weight: 4, arbitrary: fc.record({ kind: fc.constant('claim' as const), worker, batch: fc.integer({ min: 1, max: 3 }) }) },
			{ weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 71, max: 400 })) }) },
			{ weight: 1, arbitrary: fc.constant({ kind: 'release' as const }) },
		);

		interface ModelMessage {
			id: string;
			status: QueueStatus;
			attempts: number;
			max: number;
			sendTime: number;
			next: number | null;
			owner: string | null;
			expires: number | null;
			/** The worker of the last logged attempt (complete or fail). */
			lastWorker: string | null;
		}
		const LEASE = 100;
		type Outcome = 'ok' | 'illegal' | 'lease lost' | 'not found';

		/** The issue's rules, written independently of the implementation. */
		class Model {
			messages: ModelMessage[] = [];
			pendingEnqueue: Omit<ModelMessage, 'id'> | undefined;
			add(m: ModelMessage): void {
				this.messages.push(m);
			}
			/** The message an action is about (undefined: none yet), decided before it runs. */
			resolve(action: Action): string | undefined {
				if (!('target' in action)) return undefined;
				if (action.target === 'held' && 'worker' in action) {
					const held = this.messages.find((m) => m.status === 'sending' && m.owner === `w${action.worker}`);
					if (held) return held.id;
				}
				const index = typeof action.target === 'number' ? action.target : 0;
				return this.messages.length ? this.messages[index % this.messages.length]!.id : undefined;
			}
			apply(action: Action, now: number, id: string | undefined): Outcome {
				const worker = 'worker' in action ? `w${action.worker}` : '';
				switch (action.kind) {
					case 'enqueue':
						this.pendingEnqueue = {
							status: action.approved ? 'approved' : 'draft',
							attempts: 0,
							max: action.maxAttempts,
							sendTime: now + action.offset * 1000,
							next: null,
							owner: null,
							expires: null,
							lastWorker: null,
						};
						return 'ok';
					case 'advance':
					case 'release':
						if (action.kind === 'release') {
							for (const m of this.messages) {
								if (m.status === 'sending' && m.expires! <= now) Object.assign(m, { status: m.attempts >= m.max ? 'dead' : 'approved', owner: null, expires: null, next: null });
							}
						}
						return 'ok';
					case 'claim': {
						for (const m of this.messages) {
							if (m.status === 'sending' && m.expires! <= now && m.attempts >= m.max) Object.assign(m, { status: 'dead', owner: null, expires: null });
						}
						const due = this.messages
							.filter((m) => m.sendTime <= now && ((m.status === 'approved' && (m.next === null || m.next <= now)) || (m.status === 'sending' && m.expires! <= now && m.attempts < m.max)))
							.sort((a, b) => a.sendTime - b.sendTime || (a.id < b.id ? -1 : 1))
							.slice(0, action.batch);
						for (const m of due) Object.assign(m, { status: 'sending', owner: worker, expires: now + LEASE * 1000, attempts: m.attempts + 1, next: null });
						return 'ok';
					}
				}
				const m = this.messages.find((x) => x.id === id);
				if (!m) return 'not found';
				switch (action.kind) {
					case 'approve':
						if (m.status !== 'draft') return 'illegal';
						m.status = 'approved';
						return 'ok';
					case 'reject':
						if (m.status !== 'draft' && m.status !== 'approved') return 'illegal';
						m.status = 'cancelled';
						return 'ok';
					case 'reschedule':
						if (m.status !== 'draft' && m.status !== 'approved') return 'illegal';
						m.sendTime = now + action.offset * 1000;
						m.next = null;
						return 'ok';
					case 'delivered':
						if (m.status !== 'sent') return 'illegal';
						m.status = 'delivered';
						return 'ok';
					case 'read':
						if (m.status !== 'sent' && m.status !== 'delivered') return 'illegal';
						m.status = 'read';
						return 'ok';
					case 'complete':
					case 'failRetryable':
					case 'failPermanent': {
						if (m.status === 'sending' && m.owner === worker) {
							m.lastWorker = worker;
							if (action.kind === 'complete') Object.assign(m, { status: 'sent', owner: null, expires: null, next: null });
							else if (action.kind === 'failRetryable' && m.attempts < m.max) {
								// exponential from 60 s, random 0 → no jitter
								Object.assign(m, { status: 'approved', owner: null, expires: null, next: now + Math.min(60 * 2 ** (m.attempts - 1), 3600) * 1000 });
							} else Object.assign(m, { status: 'dead', owner: null, expires: null, next: null });
							return 'ok';
						}
						// Not held: a lost lease while it waits or another worker holds it, or when another
						// worker finished it after this one's lease ran out; otherwise illegal.
						const finishedByAnother = m.attempts > 0 && m.lastWorker !== null && m.lastWorker !== worker;
						return m.status === 'approved' || m.status === 'sending' || finishedByAnother ? 'lease lost' : 'illegal';
					}
				}
			}
		}

		async function perform(action: Action, model: Model, target: string | undefined): Promise<Outcome> {
			const classify = (error: unknown): Outcome => {
				if (error instanceof IllegalTransitionError) return 'illegal';
				if (error instanceof LeaseLostError) return 'lease lost';
				if (error instanceof MessageNotFoundError) return 'not found';
				throw error;
			};
			try {
				switch (action.kind) {
					case 'enqueue': {
						const { message } = await queue.enqueue(sms({ status: action.approved ? 'approved' : 'draft', maxAttempts: action.maxAttempts, sendTime: new Date(clock.now().getTime() + action.offset * 1000) }));
						model.add({ ...model.pendingEnqueue!, id: message.id });
						return 'ok';
					}
					case 'advance':
						clock.advance(action.seconds);
						return 'ok';
					case 'release':
						await queue.releaseExpiredLeases();
						return 'ok';
					case 'claim':
						await queue.claimDue({ workerId: `w${action.worker}`, batchSize: action.batch, leaseSeconds: LEASE });
						return 'ok';
				}
				const id = target ?? '00000000-0000-4000-8000-000000000000';
				const workerId = 'worker' in action ? `w${action.worker}` : '';
				switch (action.kind) {
					case 'approve':
						await queue.approve(id, { by: 'p' });
						break;
					case 'reject':
						await queue.reject(id, { by: 'p' });
						break;
					case 'reschedule':
						await queue.reschedule(id, new Date(clock.now().getTime() + action.offset * 1000));
						break;
					case 'delivered':
					case 'read':
						await queue.recordDelivery(id, { status: action.kind });
						break;
					case 'complete':
						await queue.complete(id, { workerId });
						break;
					case 'failRetryable':
					case 'failPermanent':
						await queue.fail(id, { workerId, error: { message: 'x' }, retryable: action.kind === 'failRetryable' });
						break;
				}
				return 'ok';
			} catch (error) {
				return classify(error);
			}
		}

		async function compare(model: Model): Promise<void> {
			const { rows } = await sql.query<{ id: string; status: string; attempt_count: number; next_attempt_at: Date | null; lease_owner: string | null; lease_expires_at: Date | null; send_time: Date }>(
				'SELECT id, status, attempt_count, next_attempt_at, lease_owner, lease_expires_at, send_time FROM switchboard_scheduled_messages ORDER BY id',
			);
			for (const row of rows) {
				assert.ok((QUEUE_STATUSES as readonly string[]).includes(row.status) && row.status !== 'failed', `stored status ${row.status}`);
				assert.ok(row.status !== 'sending' || (row.lease_owner && row.lease_expires_at), 'a sending message always has a lease');
			}
			const ms = (d: Date | null): number | null => (d === null ? null : new Date(d).getTime());
			assert.deepEqual(
				rows.map((r) => ({ id: r.id, status: r.status, attempts: Number(r.attempt_count), next: ms(r.next_attempt_at), owner: r.lease_owner, expires: ms(r.lease_expires_at), sendTime: ms(r.send_time) })),
				[...model.messages]
					.sort((a, b) => (a.id < b.id ? -1 : 1))
					.map((m) => ({ id: m.id, status: m.status, attempts: m.attempts, next: m.next, owner: m.owner, expires: m.expires, sendTime: m.sendTime })),
			);
		}
	});
}
