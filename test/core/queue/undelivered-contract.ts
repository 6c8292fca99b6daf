/**
 * Issue 5, the store rules that finish it: every provider message id of a multi-part send matches its
 * message (recordEvents and the orphan reconcile of complete / completeMany), and requeueUndelivered
 * ("not delivered after N minutes → hand back to Channel Send's fallback"). Registered from
 * contract.ts, so it runs on PGlite (embedded.test.ts) and on PostgreSQL (postgres.test.ts) with the
 * contract's shared queue and injected clock.
 *
 * Expected results are written out from the rules in docs/delivery-events.md ("Multi-part sends",
 * "Undelivered fallback"), not read from the implementation.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { InvalidQueueInputError } from '../../../core/errors';
import type { EnqueueInput, ScheduledMessage, ScheduleQueue } from '../../../core/queue';
import type { SqlClient } from '../../../core/queue/sql/client';
import type { DeliveryEvent, DeliveryStatus } from '../../../core/schema/message';

export interface UndeliveredContext {
	kind: 'embedded' | 'postgres';
	queue(): ScheduleQueue;
	sql(): SqlClient;
	now(): Date;
	advance(seconds: number): void;
}

let serial = 0;

export function undeliveredContract(ctx: UndeliveredContext): void {
	const q = (): ScheduleQueue => ctx.queue();
	const iso = (offsetSeconds = 0): string => new Date(ctx.now().getTime() + offsetSeconds * 1000).toISOString();

	/** A universal delivery event as normalize makes them, at the clock's time. */
	function ev(providerMessageId: string, status: DeliveryStatus, provider = 'whatsapp', extra: Partial<DeliveryEvent> = {}): DeliveryEvent {
		return {
			schema: 'switchboard.event/v1',
			id: `${provider}:${providerMessageId}:${status}:${++serial}`,
			channel: provider === 'whatsapp' ? 'whatsapp' : 'sms',
			provider,
			providerMessageId,
			status,
			providerStatus: status,
			timestamp: iso(),
			metadata: {},
			...extra,
		} as DeliveryEvent;
	}

	async function sending(input: Partial<EnqueueInput> = {}): Promise<ScheduledMessage> {
		const { message } = await q().enqueue({ channel: 'whatsapp', recipient: 'whatsapp:+15550001111', body: 'hi', status: 'approved', sendTime: iso(-1), ...input } as EnqueueInput);
		const claimed = await q().claimDue({ workerId: 'uw', batchSize: 1000 });
		const mine = claimed.find((c) => c.id === message.id);
		assert.ok(mine, 'claimed');
		return mine;
	}
	async function idTable(): Promise<Array<{ external_id: string; message_id: string; provider: string | null; handed_back: boolean }>> {
		return (await ctx.sql().query<{ external_id: string; message_id: string; provider: string | null; handed_back: boolean }>('SELECT external_id, message_id, provider, handed_back FROM switchboard_message_external_ids ORDER BY external_id')).rows;
	}
	async function orphans(): Promise<unknown[]> {
		return (await ctx.sql().query('SELECT provider_message_id FROM switchboard_orphan_events ORDER BY 1')).rows.map((r) => r.provider_message_id);
	}
	async function snapshot(): Promise<unknown> {
		const tables = ['switchboard_scheduled_messages', 'switchboard_delivery_attempts', 'switchboard_message_external_ids'];
		return Promise.all(tables.map(async (t) => (await ctx.sql().query(`SELECT * FROM ${t} ORDER BY 1, 2`)).rows));
	}
	async function invalid(promise: Promise<unknown>): Promise<InvalidQueueInputError> {
		let caught: unknown;
		try {
			await promise;
		} catch (error) {
			caught = error;
		}
		assert.ok(caught instanceof InvalidQueueInputError, `expected InvalidQueueInputError, got ${String(caught)}`);
		return caught;
	}

	beforeEach(async () => {
		for (const table of ['switchboard_message_external_ids', 'switchboard_delivery_events', 'switchboard_orphan_events']) await ctx.sql().query(`DELETE FROM ${table}`);
	});

	describe('multi-part sends: every provider message id matches its message', () => {
		test('an event for the 2nd id applies; all parts fold into one forward-only status (read + failed → read, failure kept)', async () => {
			const m = await sending();
			const sent = await q().complete(m.id, { workerId: 'uw', provider: 'whatsapp', externalIds: ['wamid.t1', 'wamid.t2'] });
			assert.deepEqual([sent.status, sent.externalId], ['sent', 'wamid.t1'], 'externalId defaults to the first id');
			assert.deepEqual(
				(await idTable()).map((r) => [r.external_id, r.message_id, r.provider, r.handed_back]),
				[['wamid.t2', m.id, 'whatsapp', false]],
				'only the later id is kept in the table: the row holds the first',
			);
			ctx.advance(5);
			assert.deepEqual(await q().recordEvents([ev('wamid.t2', 'delivered')]), ['applied']);
			let got = (await q().get(m.id))!;
			assert.deepEqual([got.status, got.deliveredAt, got.attempts.at(-1)!.status], ['delivered', iso(), 'delivered']);
			ctx.advance(5);
			assert.deepEqual(await q().recordEvents([ev('wamid.t1', 'read'), ev('wamid.t2', 'failed', 'whatsapp', { error: { code: '131026', message: 'undeliverable' } })]), ['applied', 'applied']);
			got = (await q().get(m.id))!;
			assert.deepEqual([got.status, got.readAt, got.errorCode], ['read', iso(), '131026']);
			// Another provider's event for the same id is not this message.
			assert.deepEqual(await q().recordEvents([ev('wamid.t2', 'delivered', 'twilio')]), ['orphaned']);
			// list finds the message by any of its ids.
			assert.deepEqual(
				(await q().list({ externalId: 'wamid.t2' })).items.map((x) => x.id),
				[m.id],
			);
		});

		test('a single-id send writes nothing to the id table (also when externalIds repeats the one id)', async () => {
			const a = await sending();
			const b = await sending();
			await q().complete(a.id, { workerId: 'uw', provider: 'whatsapp', externalId: 'wamid.s1' });
			await q().complete(b.id, { workerId: 'uw', provider: 'whatsapp', externalId: 'wamid.s2', externalIds: ['wamid.s2', 'wamid.s2'] });
			assert.deepEqual(await idTable(), []);
			assert.deepEqual(await q().recordEvents([ev('wamid.s2', 'delivered')]), ['applied']);
		});

		test('an orphan of the 2nd id is reconciled by complete; completeMany reconciles each message\'s ids, single and multi-part', async () => {
			const m = await sending();
			assert.deepEqual(await q().recordEvents([ev('wamid.o2', 'read'), ev('wamid.o9', 'delivered')]), ['orphaned', 'orphaned']);
			const done = await q().complete(m.id, { workerId: 'uw', provider: 'whatsapp', externalId: 'wamid.o1', externalIds: ['wamid.o1', 'wamid.o2'] });
			assert.deepEqual([done.status, done.readAt], ['read', iso()]);
			assert.deepEqual(await orphans(), ['wamid.o9'], 'the reconciled orphan is removed, the other stays');

			const a = await sending();
			const b = await sending();
			ctx.advance(3);
			assert.deepEqual(await q().recordEvents([ev('wamid.p2', 'delivered'), ev('wamid.q1', 'read')]), ['orphaned', 'orphaned']);
			const results = await q().completeMany([
				{ id: a.id, workerId: 'uw', provider: 'whatsapp', externalIds: ['wamid.p1', 'wamid.p2', 'wamid.p3'] },
				{ id: b.id, workerId: 'uw', provider: 'whatsapp', externalId: 'wamid.q1' },
			]);
			assert.deepEqual(
				results.map((r) => (r.ok ? [r.message.status, r.message.externalId] : r.error.message)),
				[
					['delivered', 'wamid.p1'],
					['read', 'wamid.q1'],
				],
			);
			assert.deepEqual(await orphans(), ['wamid.o9']);
			assert.deepEqual(
				(await idTable()).filter((r) => r.message_id === a.id).map((r) => r.external_id),
				['wamid.p2', 'wamid.p3'],
			);
			// The 3rd id matches as well.
			assert.deepEqual(await q().recordEvents([ev('wamid.p3', 'read')]), ['applied']);
			assert.equal((await q().get(a.id))!.status, 'read');
		});

		test('externalIds is checked: a list of non-empty ids, named by index; nothing written', async () => {
			const m = await sending();
			const before = await snapshot();
			assert.equal((await invalid(q().complete(m.id, { workerId: 'uw', externalIds: 'wamid.1' as never }))).field, 'externalIds');
			const e = await invalid(q().complete(m.id, { workerId: 'uw', externalIds: ['wamid.1', '', 3 as never] }));
			assert.deepEqual(
				e.issues.map((i) => i.field),
				['externalIds[1]', 'externalIds[2]'],
			);
			assert.equal((await invalid(q().completeMany([{ id: m.id, workerId: 'uw', externalIds: ['ok', 'bad\0'] }]))).field, 'items[0].externalIds[1]');
			assert.deepEqual(await snapshot(), before);
		});
	});

	describe('requeueUndelivered', () => {
		/** A whatsapp message completed now with `ids` (first = the row's). */
		async function sentNow(ids: string[], input: Partial<EnqueueInput> = {}, provider = 'whatsapp'): Promise<ScheduledMessage> {
			const m = await sending(input);
			return q().complete(m.id, { workerId: 'uw', provider, externalIds: ids });
		}

		test('only `sent` messages of that channel older than N minutes move: delivered, read, failed, younger and other channels stay', async () => {
			const old = await sentNow(['wamid.r1']);
			const delivered = await sentNow(['wamid.r2']);
			const read = await sentNow(['wamid.r3']);
			const failed = await sentNow(['wamid.r4']);
			const sms = await sentNow(['SMr5'], { channel: 'sms', recipient: '+15550002222' }, 'twilio');
			await q().recordEvents([ev('wamid.r2', 'delivered'), ev('wamid.r3', 'read'), ev('wamid.r4', 'failed', 'whatsapp', { error: { code: '131026' } })]);
			ctx.advance(6 * 60);
			const young = await sentNow(['wamid.r6']);
			ctx.advance(4 * 60); // old… are now exactly 10 minutes old: not older than 10
			assert.deepEqual(await q().requeueUndelivered({ channel: 'whatsapp', olderThanMinutes: 10, fallbackChannel: 'sms' }), { moved: [], skipped: [] });
			ctx.advance(1);
			const before = new Map(await Promise.all([delivered, read, failed, sms, young].map(async (m) => [m.id, await q().get(m.id)] as const)));

			const { moved, skipped } = await q().requeueUndelivered({ channel: 'whatsapp', olderThanMinutes: 10, fallbackChannel: 'sms', by: 'sweeper' });
			assert.deepEqual(skipped, []);
			assert.deepEqual(
				moved.map((m) => [m.id, m.status, m.channel, m.recipient, m.provider, m.externalId, m.errorCode, m.nextAttemptAt]),
				[[old.id, 'approved', 'sms', '+15550001111', null, null, 'UNDELIVERED', null]],
				'whatsapp → sms keeps the number, without the whatsapp: prefix',
			);
			assert.match(moved[0]!.errorMessage ?? '', /not delivered 10 minutes after it was sent on whatsapp; handed back to sms/);
			for (const [id, was] of before) assert.deepEqual(await q().get(id), was, 'untouched');

			// The log row says why, on the old send's channel, provider, recipient and id.
			const log = (await q().get(old.id))!.attempts.at(-1)!;
			assert.deepEqual(
				[log.status, log.success, log.channel, log.provider, log.recipient, log.externalId, log.errorCode, log.fallbackReason, log.attemptedAt, log.metadata.by],
				['undelivered', false, 'whatsapp', 'whatsapp', 'whatsapp:+15550001111', 'wamid.r1', 'UNDELIVERED', 'undelivered_after: 10m whatsapp → sms', iso(), 'sweeper'],
			);
			assert.deepEqual(
				(await idTable()).filter((r) => r.message_id === old.id).map((r) => [r.external_id, r.provider, r.handed_back]),
				[['wamid.r1', 'whatsapp', true]],
			);

			// Visible to claimDue on the fallback channel, at once.
			assert.deepEqual(await q().claimDue({ workerId: 'uw', channel: 'whatsapp' }), []);
			const claimed = await q().claimDue({ workerId: 'uw', channel: 'sms' });
			assert.deepEqual(
				claimed.map((c) => [c.id, c.channel, c.recipient, c.attemptCount]),
				[[old.id, 'sms', '+15550001111', 2]],
			);
			// Nothing left to hand back.
			assert.deepEqual((await q().requeueUndelivered({ channel: 'whatsapp', olderThanMinutes: 10, fallbackChannel: 'sms' })).moved, []);
		});

		test('a late delivered of the old id after the fallback was sent is logged only; the fallback send keeps its status', async () => {
			const m = await sentNow(['wamid.l1', 'wamid.l2']);
			ctx.advance(11 * 60);
			await q().requeueUndelivered({ channel: 'whatsapp', olderThanMinutes: 10, fallbackChannel: 'sms' });
			assert.deepEqual(
				(await idTable()).map((r) => [r.external_id, r.handed_back]),
				[
					['wamid.l1', true],
					['wamid.l2', true],
				],
				'every id of the handed-back send is marked',
			);
			const [claimed] = await q().claimDue({ workerId: 'uw', channel: 'sms' });
			assert.equal(claimed!.id, m.id);
			const resent = await q().complete(m.id, { workerId: 'uw', provider: 'twilio', externalId: 'SMl-new', channel: 'sms' });
			assert.deepEqual([resent.status, resent.channel, resent.provider, resent.externalId, resent.errorCode], ['sent', 'sms', 'twilio', 'SMl-new', null]);
			ctx.advance(5);
			assert.deepEqual(await q().recordEvents([ev('wamid.l1', 'delivered'), ev('wamid.l2', 'read')]), ['unchanged', 'unchanged']);
			let got = (await q().get(m.id))!;
			assert.deepEqual([got.status, got.channel, got.deliveredAt], ['sent', 'sms', null]);
			const logged = (await ctx.sql().query<{ n: number }>(`SELECT count(*)::int AS n FROM switchboard_delivery_events WHERE provider_message_id IN ('wamid.l1', 'wamid.l2')`)).rows[0]!.n;
			assert.equal(Number(logged), 2, 'both late events are in the event log');
			// The fallback send's own receipts apply as usual.
			assert.deepEqual(await q().recordEvents([ev('SMl-new', 'delivered', 'twilio')]), ['applied']);
			got = (await q().get(m.id))!;
			assert.deepEqual([got.status, got.attempts.at(-1)!.status, got.attempts.at(-1)!.externalId], ['delivered', 'delivered', 'SMl-new']);
		});

		test('a late delivered of the old id before the fallback was sent marks it delivered on its old channel: the fallback is not sent', async () => {
			const m = await sentNow(['wamid.e1', 'wamid.e2']);
			ctx.advance(20 * 60);
			const [moved] = (await q().requeueUndelivered({ channel: 'whatsapp', olderThanMinutes: 15, fallbackChannel: 'sms' })).moved;
			assert.equal(moved!.id, m.id);
			ctx.advance(30);
			// The 2nd part's receipt: the message arrived after all.
			assert.deepEqual(await q().recordEvents([ev('wamid.e2', 'delivered')]), ['applied']);
			let got = (await q().get(m.id))!;
			assert.deepEqual(
				[got.status, got.channel, got.recipient, got.provider, got.externalId, got.deliveredAt, got.errorCode, got.errorMessage],
				['delivered', 'whatsapp', 'whatsapp:+15550001111', 'whatsapp', 'wamid.e2', iso(), null, null],
			);
			assert.deepEqual(await q().claimDue({ workerId: 'uw', channel: 'sms' }), [], 'nothing to send on the fallback');
			// The whatsapp send's attempt row follows; then a read of the 1st part moves it on (forward only).
			assert.equal(got.attempts.find((a) => a.success)!.status, 'delivered');
			ctx.advance(30);
			assert.deepEqual(await q().recordEvents([ev('wamid.e1', 'read')]), ['unchanged'], 'the other handed-back id: the message is no longer waiting');
			assert.deepEqual(await q().recordEvents([ev('wamid.e2', 'read')]), ['applied'], 'its restored id is the current send again');
			got = (await q().get(m.id))!;
			assert.deepEqual([got.status, got.readAt], ['read', iso()]);
			// A failure report of a handed-back send changes nothing.
			const other = await sentNow(['wamid.e3']);
			ctx.advance(20 * 60);
			await q().requeueUndelivered({ channel: 'whatsapp', olderThanMinutes: 15, fallbackChannel: 'sms' });
			const waiting = (await q().get(other.id))!;
			assert.deepEqual(await q().recordEvents([ev('wamid.e3', 'failed', 'whatsapp', { error: { code: '131026' } })]), ['unchanged']);
			assert.deepEqual(await q().get(other.id), waiting);
		});

		test('the fallback address: phone ↔ phone keeps the number; email ↔ phone needs the other address, else the message is skipped with the reason and the others move', async () => {
			const email = await sentNow(['sg-a1'], { channel: 'email', recipient: 'ann@example.com' }, 'sendgrid');
			ctx.advance(1);
			const emailWithPhone = await sentNow(['sg-a2'], { channel: 'email', recipient: 'bo@example.com', metadata: { failover: { sms: { to: '+15550003333' } } } }, 'sendgrid');
			ctx.advance(1);
			const emailWithRecipient = await sentNow(
				['sg-a3'],
				{
					channel: 'email',
					recipient: 'cy@example.com',
					message: {
						schema: 'switchboard.message/v1',
						id: 'x-3',
						channel: 'email',
						provider: 'switchboard',
						direction: 'outbound',
						conversation: { id: 'cy@example.com', type: 'direct' },
						recipients: [{ id: 'cy@example.com', phone: '+15550004444' }],
						timestamp: iso(),
						parts: [{ type: 'text', text: 'hi' }],
						metadata: {},
					},
				} as Partial<EnqueueInput>,
				'sendgrid',
			);
			ctx.advance(20 * 60);
			// limit 1: the unmovable oldest message does not use up the batch.
			const first = await q().requeueUndelivered({ channel: 'email', olderThanMinutes: 10, fallbackChannel: 'sms', limit: 1 });
			assert.deepEqual(
				first.moved.map((m) => [m.id, m.channel, m.recipient]),
				[[emailWithPhone.id, 'sms', '+15550003333']],
			);
			assert.deepEqual(
				first.skipped.map((s) => [s.id, s.channel, s.recipient]),
				[[email.id, 'email', 'ann@example.com']],
			);
			assert.match(first.skipped[0]!.reason, /no sms address: the recipient "ann@example.com" is an email address \(email\).*metadata\.failover\.sms\.to/);
			const second = await q().requeueUndelivered({ channel: 'email', olderThanMinutes: 10, fallbackChannel: 'sms' });
			assert.deepEqual(
				second.moved.map((m) => [m.id, m.recipient]),
				[[emailWithRecipient.id, '+15550004444']],
			);
			assert.deepEqual(
				second.skipped.map((s) => s.id),
				[email.id],
			);
			assert.equal((await q().get(email.id))!.status, 'sent', 'a skipped message stays sent');

			// sms → whatsapp keeps the number; sms → telegram has no address.
			const sms = await sentNow(['SMa4'], { channel: 'sms', recipient: '+15550005555' }, 'twilio');
			ctx.advance(20 * 60);
			const tg = await q().requeueUndelivered({ channel: 'sms', olderThanMinutes: 10, fallbackChannel: 'telegram' });
			assert.deepEqual([tg.moved, tg.skipped.map((s) => s.id)], [[], [sms.id]]);
			assert.match(tg.skipped[0]!.reason, /no telegram address/);
			const wa = await q().requeueUndelivered({ channel: 'sms', olderThanMinutes: 10, fallbackChannel: 'whatsapp' });
			assert.deepEqual(
				wa.moved.map((m) => [m.id, m.channel, m.recipient]),
				[[sms.id, 'whatsapp', '+15550005555']],
			);
		});

		test('invalid options are refused naming the field and the fix; nothing is moved', async () => {
			await sentNow(['wamid.v1']);
			ctx.advance(60 * 60);
			const before = await snapshot();
			const bad = async (options: unknown, field: string, pattern: RegExp): Promise<void> => {
				const error = await invalid(q().requeueUndelivered(options as never));
				const issue = error.issues.find((i) => i.field === field);
				assert.ok(issue, `${field} in ${JSON.stringify(error.issues)}`);
				assert.match(issue.message, pattern);
			};
			await bad({ channel: 'whatsap', olderThanMinutes: 10, fallbackChannel: 'sms' }, 'channel', /must be one of email, sms, mms, whatsapp/);
			await bad({ channel: 'whatsapp', olderThanMinutes: 10, fallbackChannel: 'carrier-pigeon' }, 'fallbackChannel', /must be one of/);
			await bad({ channel: 'whatsapp', olderThanMinutes: 10 }, 'fallbackChannel', /is required: the channel to send them on instead/);
			await bad({ channel: 'whatsapp', olderThanMinutes: 10, fallbackChannel: 'whatsapp' }, 'fallbackChannel', /must differ from channel/);
			await bad({ channel: 'whatsapp', olderThanMinutes: 0, fallbackChannel: 'sms' }, 'olderThanMinutes', /from 1 to .*e\.g\. 10/);
			await bad({ channel: 'whatsapp', olderThanMinutes: '10', fallbackChannel: 'sms' }, 'olderThanMinutes', /number of minutes/);
			await bad({ channel: 'whatsapp', olderThanMinutes: 10, fallbackChannel: 'sms', limit: 0 }, 'limit', /whole number from 1 to 1000/);
			await bad('whatsapp', 'options', /channel, olderThanMinutes, fallbackChannel/);
			assert.deepEqual(await snapshot(), before);
		});

		if (ctx.kind === 'postgres') {
			test('PostgreSQL: a message another transaction holds (being claimed, getting an event) is left for the next run', async () => {
				const held = await sentNow(['wamid.k1']);
				ctx.advance(1);
				const free = await sentNow(['wamid.k2']);
				ctx.advance(20 * 60);
				let locked!: () => void;
				const isLocked = new Promise<void>((resolve) => (locked = resolve));
				let release!: () => void;
				const released = new Promise<void>((resolve) => (release = resolve));
				const holder = ctx.sql().transaction(async (tx) => {
					await tx.query('SELECT 1 FROM switchboard_scheduled_messages WHERE id = $1 FOR UPDATE', [held.id]);
					locked();
					await released;
				});
				await isLocked;
				try {
					const { moved } = await q().requeueUndelivered({ channel: 'whatsapp', olderThanMinutes: 10, fallbackChannel: 'sms' });
					assert.deepEqual(
						moved.map((m) => m.id),
						[free.id],
					);
				} finally {
					release();
					await holder;
				}
				assert.deepEqual(
					(await q().requeueUndelivered({ channel: 'whatsapp', olderThanMinutes: 10, fallbackChannel: 'sms' })).moved.map((m) => m.id),
					[held.id],
				);
			});
		}
	});
}
