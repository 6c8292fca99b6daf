/**
 * Delivery events → the Schedule Queue (issue 5): recordEvents and the orphan reconcile in
 * complete/completeMany. Registered from contract.ts, so it runs on PGlite (embedded.test.ts) and on
 * PostgreSQL (postgres.test.ts) with the contract's shared queue and clock.
 *
 * Expected results are written out here from the rules (docs/delivery-events.md), not read from
 * core/queue/events.ts: max-rank status (sent < delivered < read; opened/clicked = read), failures
 * recorded without moving the status, earliest delivered/read times, duplicates and orphans.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import fc from 'fast-check';
import { InvalidQueueInputError } from '../../../core/errors';
import type { ScheduledMessage, ScheduleQueue } from '../../../core/queue';
import type { SqlClient } from '../../../core/queue/sql/client';
import type { DeliveryEvent, DeliveryStatus } from '../../../core/schema/message';
import type { EventOutcome } from '../../../core/webhooks/types';

export interface EventsContext {
	kind: 'embedded' | 'postgres';
	queue(): ScheduleQueue;
	sql(): SqlClient;
	now(): Date;
}

const T0 = Date.parse('2026-03-02T09:10:00.000Z');
const ts = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

let serial = 0;

/** A universal delivery event as normalize makes them. */
function ev(providerMessageId: string, status: DeliveryStatus, seconds: number, extra: Partial<DeliveryEvent> = {}): DeliveryEvent {
	const provider = extra.provider ?? 'twilio';
	return {
		schema: 'switchboard.event/v1',
		id: `${provider}:${providerMessageId}:${status}:${seconds}:${extra.providerEventId ?? ''}`,
		channel: 'sms',
		provider,
		providerMessageId,
		status,
		providerStatus: status,
		timestamp: ts(seconds),
		metadata: {},
		...extra,
	} as DeliveryEvent;
}

/** Final status from a set of events, written out from the rules. */
function expectedStatus(statuses: Iterable<DeliveryStatus>): 'sent' | 'delivered' | 'read' {
	const set = new Set(statuses);
	if (set.has('read') || set.has('opened') || set.has('clicked')) return 'read';
	if (set.has('delivered')) return 'delivered';
	return 'sent';
}

export function deliveryEventsContract(ctx: EventsContext): void {
	describe('delivery events (recordEvents)', () => {
		const q = (): ScheduleQueue => ctx.queue();
		beforeEach(async () => {
			await ctx.sql().query('DELETE FROM switchboard_delivery_events');
			await ctx.sql().query('DELETE FROM switchboard_orphan_events');
		});

		async function sending(extra: { channel?: 'sms' | 'email' } = {}): Promise<ScheduledMessage> {
			const { message } = await q().enqueue({ channel: extra.channel ?? 'sms', recipient: extra.channel === 'email' ? 'a@example.com' : '+15550001111', body: 'hi', status: 'approved', sendTime: new Date(ctx.now().getTime() - 1000) });
			const claimed = await q().claimDue({ workerId: 'ew', batchSize: 1000 });
			assert.ok(claimed.some((c) => c.id === message.id));
			return claimed.find((c) => c.id === message.id)!;
		}
		async function sent(provider: string | undefined, externalId: string, channel: 'sms' | 'email' = 'sms'): Promise<ScheduledMessage> {
			const m = await sending({ channel });
			return q().complete(m.id, { workerId: 'ew', ...(provider !== undefined ? { provider } : {}), externalId });
		}
		async function tableRows(table: 'switchboard_delivery_events' | 'switchboard_orphan_events'): Promise<Array<Record<string, unknown>>> {
			return (await ctx.sql().query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY event_key`)).rows;
		}
		async function snapshot(): Promise<unknown> {
			const tables = ['switchboard_scheduled_messages', 'switchboard_delivery_attempts', 'switchboard_delivery_events', 'switchboard_orphan_events'];
			return Promise.all(tables.map(async (t) => (await ctx.sql().query(`SELECT * FROM ${t} ORDER BY 1`)).rows));
		}

		test('status moves forward only: a late sent changes nothing, delivered then read, times and the attempt row follow', async () => {
			const m = await sent('twilio', 'SMa1');
			const outcomes = await q().recordEvents([ev('SMa1', 'queued', 0), ev('SMa1', 'sent', 1), ev('SMa1', 'delivered', 5)]);
			assert.deepEqual(outcomes, ['unchanged', 'unchanged', 'applied']);
			let got = (await q().get(m.id))!;
			assert.equal(got.status, 'delivered');
			assert.equal(got.deliveredAt, ts(5));
			assert.equal(got.attempts.at(-1)!.status, 'delivered');

			assert.deepEqual(await q().recordEvents([ev('SMa1', 'sent', 7)]), ['unchanged'], 'a late "sent" after "delivered"');
			assert.deepEqual(await q().recordEvents([ev('SMa1', 'read', 9)]), ['applied']);
			got = (await q().get(m.id))!;
			assert.deepEqual([got.status, got.deliveredAt, got.readAt, got.attempts.at(-1)!.status], ['read', ts(5), ts(9), 'read']);
			// A delivered event after read changes no status; an earlier delivery time is still recorded.
			assert.deepEqual(await q().recordEvents([ev('SMa1', 'delivered', 3, { id: 'twilio:other-delivered' })]), ['applied']);
			assert.deepEqual(await q().recordEvents([ev('SMa1', 'delivered', 8, { id: 'twilio:later-delivered' })]), ['unchanged']);
			got = (await q().get(m.id))!;
			assert.deepEqual([got.status, got.deliveredAt, got.readAt], ['read', ts(3), ts(9)]);
			// Every processed event is logged with what it said.
			assert.equal((await tableRows('switchboard_delivery_events')).length, 7);
		});

		test('a read receipt without a delivery receipt moves sent → read; a message recorded without provider or with another case matches', async () => {
			const a = await sent('Twilio', 'SMb1');
			const b = await sent(undefined, 'SMb2');
			assert.deepEqual(await q().recordEvents([ev('SMb1', 'read', 4), ev('SMb2', 'delivered', 4)]), ['applied', 'applied']);
			assert.equal((await q().get(a.id))!.status, 'read');
			assert.equal((await q().get(a.id))!.deliveredAt, null);
			assert.equal((await q().get(b.id))!.status, 'delivered');
		});

		test('the same external id under another provider is not this message: kept as an orphan', async () => {
			const m = await sent('twilio', 'X-1');
			assert.deepEqual(await q().recordEvents([ev('X-1', 'delivered', 4, { provider: 'sendgrid', channel: 'email' })]), ['orphaned']);
			assert.equal((await q().get(m.id))!.status, 'sent');
			assert.equal((await tableRows('switchboard_orphan_events')).length, 1);
		});

		test('duplicates: the same provider event (by provider event id, else by event id) is applied once, in one batch or later', async () => {
			const m = await sent('sendgrid', 'sg-1', 'email');
			const delivered = ev('sg-1', 'delivered', 5, { provider: 'sendgrid', channel: 'email', providerEventId: 'evt-1' });
			// Same provider event id, different envelope id: still the same event.
			const again = { ...delivered, id: 'sendgrid:something-else', timestamp: ts(6) };
			assert.deepEqual(await q().recordEvents([delivered, again, delivered]), ['applied', 'duplicate', 'duplicate']);
			const before = await snapshot();
			assert.deepEqual(await q().recordEvents([delivered, again]), ['duplicate', 'duplicate']);
			assert.deepEqual(await snapshot(), before, 'a duplicate changes nothing');
			// No provider event id: the event id decides.
			const open = ev('sg-1', 'opened', 9, { provider: 'sendgrid', channel: 'email' });
			assert.deepEqual(await q().recordEvents([open]), ['applied']);
			assert.deepEqual(await q().recordEvents([open]), ['duplicate']);
			assert.equal((await q().get(m.id))!.status, 'read');
		});

		test('email engagement: opened and clicked count as read; deferred, complaints and unknown words change nothing but are logged', async () => {
			const m = await sent('sendgrid', 'sg-2', 'email');
			const e = (status: DeliveryStatus, s: number) => ev('sg-2', status, s, { provider: 'sendgrid', channel: 'email' });
			assert.deepEqual(await q().recordEvents([e('queued', 0), e('deferred', 1), e('delivered', 2), e('clicked', 4), e('opened', 3), e('complained', 5), e('unknown', 6)]), [
				'unchanged',
				'unchanged',
				'applied',
				'applied',
				'applied', // the open came before the click: read_at moves back to it
				'unchanged',
				'unchanged',
			]);
			const got = (await q().get(m.id))!;
			assert.deepEqual([got.status, got.deliveredAt, got.readAt, got.errorCode], ['read', ts(2), ts(3), null]);
			const logged = await tableRows('switchboard_delivery_events');
			assert.deepEqual(logged.map((r) => r.status).sort(), ['clicked', 'complained', 'deferred', 'delivered', 'opened', 'queued', 'unknown']);
			assert.ok(logged.every((r) => r.provider_message_id === 'sg-2' && r.provider === 'sendgrid'));
		});

		test('a delivery failure after sent is recorded on the message and its attempt, and the status stays sent (final word of the provider, no move back)', async () => {
			const m = await sent('twilio', 'SMf1');
			const undelivered = ev('SMf1', 'failed', 6, { providerStatus: 'undelivered', error: { code: '30003', message: 'Unreachable destination handset', retryable: false } });
			assert.deepEqual(await q().recordEvents([ev('SMf1', 'sent', 1), undelivered]), ['unchanged', 'applied']);
			const got = (await q().get(m.id))!;
			assert.equal(got.status, 'sent');
			assert.equal(got.errorCode, '30003');
			assert.match(got.errorMessage ?? '', /undelivered.*Unreachable destination handset/);
			const attempt = got.attempts.at(-1)!;
			assert.deepEqual([attempt.success, attempt.status, attempt.errorCode], [true, 'failed', '30003']);
			// A second failure report keeps the first.
			assert.deepEqual(await q().recordEvents([ev('SMf1', 'failed', 7, { providerStatus: 'failed', error: { code: '30005' } })]), ['unchanged']);
			assert.equal((await q().get(m.id))!.errorCode, '30003');
			// A bounce without a code gets DELIVERY_BOUNCED.
			const e = await sent('sendgrid', 'sg-b', 'email');
			await q().recordEvents([ev('sg-b', 'bounced', 3, { provider: 'sendgrid', channel: 'email', providerStatus: 'bounce' })]);
			const bounced = (await q().get(e.id))!;
			assert.deepEqual([bounced.status, bounced.errorCode, bounced.attempts.at(-1)!.status], ['sent', 'DELIVERY_BOUNCED', 'bounced']);
		});

		test('orphans: events for an unknown id are kept, and applied by complete when Channel Send reports after a fast callback', async () => {
			const m = await sending();
			// The provider called back before Channel Send reported the id.
			const early = [ev('SMo1', 'sent', 1), ev('SMo1', 'delivered', 2)];
			assert.deepEqual(await q().recordEvents(early), ['orphaned', 'orphaned']);
			assert.equal((await tableRows('switchboard_orphan_events')).length, 2);
			assert.equal((await q().get(m.id))!.status, 'sending');
			const completed = await q().complete(m.id, { workerId: 'ew', provider: 'twilio', externalId: 'SMo1' });
			assert.deepEqual([completed.status, completed.deliveredAt, completed.externalId], ['delivered', ts(2), 'SMo1']);
			const got = (await q().get(m.id))!;
			assert.equal(got.attempts.at(-1)!.status, 'delivered');
			assert.deepEqual(await tableRows('switchboard_orphan_events'), [], 'reconciled orphans are removed');
			// The orphaned events were processed once: their repeats are duplicates.
			assert.deepEqual(await q().recordEvents(early), ['duplicate', 'duplicate']);
			assert.deepEqual(await q().recordEvents([ev('SMo1', 'read', 3)]), ['applied']);
			assert.equal((await q().get(m.id))!.status, 'read');
		});

		test('orphans: completeMany reconciles per message, a failure orphan is recorded, other providers\' orphans stay', async () => {
			const a = await sending();
			const b = await sending();
			const c = await sending();
			assert.deepEqual(
				await q().recordEvents([
					ev('SMm-a', 'read', 4),
					ev('SMm-b', 'failed', 3, { providerStatus: 'undelivered', error: { code: '30006' } }),
					ev('SMm-a', 'delivered', 2, { provider: 'vonage' }),
				]),
				['orphaned', 'orphaned', 'orphaned'],
			);
			const results = await q().completeMany([
				{ id: a.id, workerId: 'ew', provider: 'twilio', externalId: 'SMm-a' },
				{ id: b.id, workerId: 'ew', provider: 'twilio', externalId: 'SMm-b' },
				{ id: c.id, workerId: 'ew', provider: 'twilio', externalId: 'SMm-c' },
			]);
			assert.ok(results.every((r) => r.ok));
			const byId = new Map(results.map((r) => [r.id, r.ok ? r.message : null]));
			assert.deepEqual([byId.get(a.id)!.status, byId.get(a.id)!.readAt, byId.get(a.id)!.deliveredAt], ['read', ts(4), null]);
			assert.deepEqual([byId.get(b.id)!.status, byId.get(b.id)!.errorCode], ['sent', '30006']);
			assert.deepEqual([byId.get(c.id)!.status, byId.get(c.id)!.errorCode], ['sent', null]);
			assert.equal((await q().get(b.id))!.attempts.at(-1)!.status, 'failed');
			assert.equal((await q().get(c.id))!.attempts.at(-1)!.status, 'sent');
			const left = await tableRows('switchboard_orphan_events');
			assert.deepEqual(
				left.map((r) => [r.provider, r.provider_message_id]),
				[['vonage', 'SMm-a']],
			);
		});

		test('a complete refused for a lost lease reconciles nothing', async () => {
			const m = await sending();
			await q().recordEvents([ev('SMl1', 'delivered', 2)]);
			await assert.rejects(q().complete(m.id, { workerId: 'someone-else', provider: 'twilio', externalId: 'SMl1' }));
			assert.equal((await tableRows('switchboard_orphan_events')).length, 1);
			assert.equal((await q().get(m.id))!.status, 'sending');
		});

		test('race: a callback and Channel Send\'s report at the same time end in the right status; a stranded orphan is picked up by the next event', async () => {
			for (let round = 0; round < 8; round++) {
				const m = await sending();
				const id = `SMr${round}`;
				const record = () => q().recordEvents([ev(id, 'delivered', 2)]);
				const complete = () => q().complete(m.id, { workerId: 'ew', provider: 'twilio', externalId: id });
				// Both orders of starting the two calls.
				const [outcomes] = round % 2 ? await Promise.all([record(), complete()]) : (await Promise.all([complete(), record()])).reverse() as [EventOutcome[]];
				assert.ok(outcomes[0] === 'applied' || outcomes[0] === 'orphaned', String(outcomes[0]));
				if (ctx.kind === 'embedded') {
					// One process owns the embedded store: exact without any help.
					const now = (await q().get(m.id))!;
					assert.deepEqual([now.status, now.deliveredAt], ['delivered', ts(2)], `round ${round}, before the next event`);
				}
				// On PostgreSQL the two may run side by side; the next event for the message applies any
				// orphan neither transaction saw (docs/delivery-events.md, "Orphans").
				await q().recordEvents([ev(id, 'sent', 1)]);
				const got = (await q().get(m.id))!;
				assert.deepEqual([got.status, got.deliveredAt], ['delivered', ts(2)], `round ${round}`);
				assert.equal((await ctx.sql().query(`SELECT 1 FROM switchboard_orphan_events WHERE provider_message_id = $1`, [id])).rows.length, 0);
			}
		});

		test('invalid events are refused by index and field, nothing written', async () => {
			await sent('twilio', 'SMv1');
			const before = await snapshot();
			const bad = [ev('SMv1', 'delivered', 1), { ...ev('SMv1', 'read', 2), status: 'seen' }, { ...ev('SMv1', 'read', 3), providerMessageId: '' }, { ...ev('SMv1', 'read', 3), timestamp: 'yesterday' }];
			let caught: unknown;
			try {
				await q().recordEvents(bad as DeliveryEvent[]);
			} catch (error) {
				caught = error;
			}
			assert.ok(caught instanceof InvalidQueueInputError, String(caught));
			assert.deepEqual(
				caught.issues.map((i) => i.field),
				['events[1].status', 'events[2].providerMessageId', 'events[3].timestamp'],
			);
			assert.equal(caught.field, 'events[1].status');
			await assert.rejects(q().recordEvents('nope' as never), (e: unknown) => e instanceof InvalidQueueInputError && e.field === 'events');
			await assert.rejects(
				q().recordEvents([ev('SMv1', 'delivered', 1), ev('SMv1', 'read', 2, { providerMessageId: 'SM\0' })]),
				(e: unknown) => e instanceof InvalidQueueInputError && e.issues.some((i) => i.field === 'events[1].providerMessageId' && /NUL/.test(i.message)),
			);
			assert.deepEqual(await snapshot(), before);
			assert.deepEqual(await q().recordEvents([]), []);
		});

		test('purgeEvents deletes processed-event keys and orphans by age', async () => {
			await sent('twilio', 'SMp1');
			await q().recordEvents([ev('SMp1', 'delivered', 1), ev('SMunknown', 'delivered', 1)]);
			assert.deepEqual(await q().purgeEvents({ olderThanDays: 1 }), { events: 0, orphans: 0 });
			assert.deepEqual(await q().purgeEvents({ olderThanDays: 0 }), { events: 0, orphans: 0 }, 'received now: not older than now');
			await ctx.sql().query(`UPDATE switchboard_delivery_events SET received_at = received_at - interval '3 days'`);
			await ctx.sql().query(`UPDATE switchboard_orphan_events SET received_at = received_at - interval '3 days'`);
			assert.deepEqual(await q().purgeEvents({ olderThanDays: 2 }), { events: 2, orphans: 1 });
			// The key is gone: the same event is applied again (and changes nothing).
			assert.deepEqual(await q().recordEvents([ev('SMp1', 'delivered', 1)]), ['unchanged']);
			await assert.rejects(q().purgeEvents({ olderThanDays: -1 }), InvalidQueueInputError);
		});

		test('property: any order, duplicates and batching of a realistic event sequence (some before Channel Send reports) end in the max-rank status', async () => {
			const sequences: Array<{ provider: string; channel: 'sms' | 'email' | 'whatsapp'; statuses: DeliveryStatus[] }> = [
				{ provider: 'twilio', channel: 'sms', statuses: ['queued', 'sent', 'delivered'] },
				{ provider: 'twilio', channel: 'sms', statuses: ['queued', 'sent', 'failed'] },
				{ provider: 'whatsapp', channel: 'whatsapp', statuses: ['sent', 'delivered', 'read'] },
				{ provider: 'sendgrid', channel: 'email', statuses: ['queued', 'deferred', 'delivered', 'opened', 'clicked', 'clicked'] },
				{ provider: 'sendgrid', channel: 'email', statuses: ['queued', 'deferred', 'bounced'] },
				{ provider: 'vonage', channel: 'sms', statuses: ['sent', 'delivered', 'read'] },
			];
			await fc.assert(
				fc.asyncProperty(
					fc.integer({ min: 0, max: sequences.length - 1 }),
					fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
					fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 6 }),
					fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 12, maxLength: 12 }),
					fc.integer({ min: 0, max: 100 }),
					async (which, order, repeats, sizes, earlyPercent) => {
						const sequence = sequences[which]!;
						const pmid = `prop-${++serial}`;
						const events = sequence.statuses.map((status, i) =>
							ev(pmid, status, 10 * (i + 1), { provider: sequence.provider, channel: sequence.channel, providerEventId: `${pmid}-${i}`, ...(status === 'failed' || status === 'bounced' ? { error: { code: 'E1' } } : {}) }),
						);
						// A permutation (by random keys) plus repeats of some events.
						const shuffled = events.map((e, i) => ({ e, k: order[i]! })).sort((a, b) => a.k - b.k).map((x) => x.e);
						const arrivals = [...shuffled];
						for (const r of repeats) arrivals.splice(r % (arrivals.length + 1), 0, shuffled[r % shuffled.length]!);
						const m = await sending({ channel: sequence.channel === 'email' ? 'email' : 'sms' });
						const early = Math.floor((arrivals.length * earlyPercent) / 100);
						const outcomes: EventOutcome[] = [];
						let at = 0;
						let completed = false;
						for (const size of sizes) {
							if (at >= arrivals.length) break;
							if (!completed && at >= early) {
								await q().complete(m.id, { workerId: 'ew', provider: sequence.provider, externalId: pmid });
								completed = true;
							}
							const batch = arrivals.slice(at, at + size);
							at += batch.length;
							outcomes.push(...(await q().recordEvents(batch)));
						}
						if (at < arrivals.length) outcomes.push(...(await q().recordEvents(arrivals.slice(at))));
						if (!completed) await q().complete(m.id, { workerId: 'ew', provider: sequence.provider, externalId: pmid });

						const got = (await q().get(m.id))!;
						assert.equal(got.status, expectedStatus(sequence.statuses));
						const timeOf = (pred: (s: DeliveryStatus) => boolean): string | null => {
							const i = sequence.statuses.findIndex(pred);
							return i < 0 ? null : ts(10 * (i + 1));
						};
						assert.equal(got.deliveredAt, timeOf((s) => s === 'delivered'));
						assert.equal(got.readAt, timeOf((s) => s === 'read' || s === 'opened' || s === 'clicked'));
						assert.equal(got.errorCode, sequence.statuses.some((s) => s === 'failed' || s === 'bounced') ? 'E1' : null);
						assert.equal(got.attempts.at(-1)!.status, got.status === 'sent' && got.errorCode ? sequence.statuses.find((s) => s === 'failed' || s === 'bounced') : got.status);
						// Every event counted once: the repeats (and nothing else) are duplicates.
						assert.equal(outcomes.filter((o) => o === 'duplicate').length, arrivals.length - events.length);
						assert.ok(outcomes.every((o) => o !== 'orphaned') || early > 0);
						const left = await ctx.sql().query(`SELECT 1 FROM switchboard_orphan_events WHERE provider_message_id = $1`, [pmid]);
						assert.equal(left.rows.length, 0, 'no orphan left behind');
					},
				),
				{ numRuns: 40 },
			);
		});
	});
}
