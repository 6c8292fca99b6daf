/**
 * sendClaimed: claimed Schedule Queue rows → universal messages → the engine → complete/fail with
 * every attempt in the delivery log (embedded store in a temp folder; test providers over HTTP).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { openQueue, type ScheduleQueue } from '../../../core/queue';
import { internalSqlClient } from '../../../core/queue/store';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import { InMemoryRateLimitStore, isClaimedRow, messageFromRow, sendClaimed, type SendOptions } from '../../../core/send';
import { errorReply, fakeTime, FakeSendApi, testProvider } from './support';

const SECRET_A = 'sk_alpha_queue_secret_1';
const SECRET_B = 'sk_beta_queue_secret_2';
const dir = mkdtempSync(join(tmpdir(), 'switchboard-send-queue-'));
let queue: ScheduleQueue;
let fa: FakeSendApi;
let fb: FakeSendApi;
const time = fakeTime(Date.parse('2026-06-01T10:00:00.000Z'));

before(async () => {
	queue = await openQueue({ connection: { kind: 'embedded', dataDir: dir }, now: time.now, random: () => 0, workerId: 'proc-1' });
	fa = await new FakeSendApi({ token: SECRET_A }).start();
	fb = await new FakeSendApi({ token: SECRET_B }).start();
});
after(async () => {
	await queue?.close();
	await Promise.all([fa?.stop(), fb?.stop()]);
	rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
	fa.reset();
	fb.reset();
	const sql = internalSqlClient(queue)!;
	await sql.query('DELETE FROM switchboard_delivery_attempts');
	await sql.query('DELETE FROM switchboard_scheduled_messages');
});

const options = (extra: Partial<SendOptions> = {}): SendOptions => ({
	providers: [testProvider('alpha'), testProvider('beta', { channels: ['sms', 'email'], platform: 'twilio' })],
	http: undiciHttpClient,
	now: time.now,
	sleep: time.sleep,
	random: () => 0,
	retry: { jitter: 0, maxAttempts: 2 },
	rateLimits: { store: new InMemoryRateLimitStore() },
	routes: [
		{
			channel: 'sms',
			providers: [
				{ provider: 'alpha', config: { token: SECRET_A, from: '+15550009999', baseUrl: fa.url } },
				{ provider: 'beta', config: { token: SECRET_B, from: '+15550008888', baseUrl: fb.url } },
			],
		},
	],
	...extra,
});

describe('sendClaimed', () => {
	test('sends each claimed row, completes it and logs every attempt (retries and fallback included)', async () => {
		// Distinct send times: claims come in send-time order (ties by random id), and the test names rows by position.
		await queue.enqueue({ channel: 'sms', recipient: '+15550000001', body: 'first', status: 'approved', sendTime: new Date(time.now().getTime() - 1000) });
		await queue.enqueue({ channel: 'sms', recipient: '+15550000002', body: 'second', status: 'approved', sendTime: time.now() });
		const claimed = await queue.claimDue({ workerId: 'proc-1' });
		// The first row: alpha 503 twice (retry, exhausted) → beta.
		fa.next(errorReply(503, 'down'), (r) => (r.json as { to: string }).to === '+15550000001').next(errorReply(503, 'down'), (r) => (r.json as { to: string }).to === '+15550000001');
		const results = await sendClaimed(queue, claimed, { ...options(), workerId: 'proc-1' });
		assert.deepEqual(
			results.map((r) => [r.queueStatus, r.result.status, r.result.provider]),
			[
				['sent', 'queued', 'beta'],
				['sent', 'queued', 'alpha'],
			],
		);
		const first = (await queue.get(claimed[0]!.id))!;
		assert.equal(first.status, 'sent');
		assert.equal(first.provider, 'beta');
		assert.equal(first.externalId, results[0]!.result.externalId);
		assert.deepEqual(
			first.attempts.map((a) => [a.provider, a.success, a.errorCode, a.retryable, a.fallbackReason, a.metadata.sendAttempt]),
			[
				['alpha', false, 'down', true, null, 1],
				['alpha', false, 'down', true, null, 2],
				['beta', true, null, null, 'primary_failed: alpha down', 3],
			],
		);
		assert.deepEqual((fb.sends[0]!.json as { body: unknown }).body, { To: '+15550000001', From: '+15550008888', Body: 'first' });
		const text = JSON.stringify([results, await queue.get(claimed[0]!.id), await queue.get(claimed[1]!.id)]);
		for (const secret of [SECRET_A, SECRET_B]) assert.ok(!text.includes(secret));
	});

	test('a permanent failure on every provider makes the row dead with all attempts logged', async () => {
		await queue.enqueue({ channel: 'sms', recipient: '+15550000003', body: 'x', status: 'approved', sendTime: time.now() });
		const claimed = await queue.claimDue({ workerId: 'proc-1' });
		fa.next(errorReply(400, '21211', { category: 'recipient' }));
		fb.next(errorReply(400, '21211', { category: 'recipient' }));
		const [r] = await sendClaimed(queue, claimed, { ...options(), workerId: 'proc-1' });
		assert.equal(r!.queueStatus, 'dead');
		const row = (await queue.get(claimed[0]!.id))!;
		assert.equal(row.errorCode, '21211');
		assert.deepEqual(
			row.attempts.map((a) => [a.provider, a.success]),
			[
				['alpha', false],
				['beta', false],
			],
		);
	});

	test('a retryable failure schedules the next try (approved again)', async () => {
		await queue.enqueue({ channel: 'sms', recipient: '+15550000004', body: 'x', status: 'approved', sendTime: time.now() });
		const claimed = await queue.claimDue({ workerId: 'proc-1' });
		for (let i = 0; i < 2; i++) fa.next(errorReply(503, 'down'));
		for (let i = 0; i < 2; i++) fb.next(errorReply(503, 'down'));
		const [r] = await sendClaimed(queue, claimed, { ...options(), workerId: 'proc-1' });
		assert.equal(r!.queueStatus, 'approved');
		assert.equal((await queue.get(claimed[0]!.id))!.attempts.length, 4);
	});

	test('a row with a full universal message uses it, with the row\'s recipient', async () => {
		await queue.enqueue({
			channel: 'sms',
			recipient: '+15550000005',
			status: 'approved',
			sendTime: time.now(),
			message: {
				schema: 'switchboard.message/v1',
				id: 'm-5',
				channel: 'sms',
				provider: 'switchboard',
				direction: 'outbound',
				conversation: { id: '+15550000005', type: 'direct' },
				timestamp: '2026-06-01T09:00:00.000Z',
				parts: [{ type: 'text', text: 'rich hello' }],
			},
		});
		const claimed = await queue.claimDue({ workerId: 'proc-1' });
		await sendClaimed(queue, claimed, { ...options(), workerId: 'proc-1' });
		assert.deepEqual((fa.sends[0]!.json as { body: unknown }).body, { To: '+15550000005', From: '+15550009999', Body: 'rich hello' });
	});

	test('a dry run touches neither the providers nor the queue', async () => {
		await queue.enqueue({ channel: 'sms', recipient: '+15550000006', body: 'x', status: 'approved', sendTime: time.now() });
		const claimed = await queue.claimDue({ workerId: 'proc-1' });
		const [r] = await sendClaimed(queue, claimed, { ...options({ dryRun: true }), workerId: 'proc-1' });
		assert.equal(r!.result.status, 'dry_run');
		assert.equal(r!.queueStatus, 'sending');
		const row = (await queue.get(claimed[0]!.id))!;
		assert.equal(row.status, 'sending');
		assert.equal(row.attempts.length, 0);
		assert.equal(fa.requests.length + fb.requests.length, 0);
	});

	test('a row that cannot be sent (no content for its channel route) fails alone', async () => {
		await queue.enqueue({ channel: 'telegram', recipient: '123', body: 'x', status: 'approved', sendTime: time.now() });
		await queue.enqueue({ channel: 'sms', recipient: '+15550000007', body: 'ok', status: 'approved', sendTime: time.now() });
		const claimed = await queue.claimDue({ workerId: 'proc-1' });
		const results = await sendClaimed(queue, claimed, { ...options(), workerId: 'proc-1' });
		const byChannel = Object.fromEntries(results.map((r) => [r.result.channel, r]));
		assert.equal(byChannel.telegram!.result.error!.code, 'NO_ROUTE');
		assert.equal(byChannel.telegram!.queueStatus, 'approved', 'no route is retryable: an admin may add it');
		assert.equal(byChannel.sms!.queueStatus, 'sent');
	});
});

describe('messageFromRow', () => {
	test('subject/body/template → parts and metadata', () => {
		const message = messageFromRow(
			{
				id: '00000000-0000-4000-8000-000000000001',
				channel: 'email',
				recipient: 'ann@example.com',
				subject: 'Hi',
				body: 'Body text',
				template: 'd-123',
				metadata: { templateLanguage: 'en', templateParameters: [{ component: 'body', value: 'x' }], failover: { sms: { to: '+1555' } } },
				message: null,
			} as never,
			new Date('2026-06-01T10:00:00.000Z'),
		);
		assert.deepEqual(message.parts, [
			{ type: 'template', name: 'd-123', language: 'en', parameters: [{ component: 'body', value: 'x' }] },
			{ type: 'text', text: 'Body text', format: 'plain' },
		]);
		assert.deepEqual(message.metadata, { queueMessageId: '00000000-0000-4000-8000-000000000001', subject: 'Hi', failover: { sms: { to: '+1555' } } });
		// The address also sits in the field channel failover reads for its channel.
		assert.deepEqual(message.recipients, [{ id: 'ann@example.com', email: 'ann@example.com' }]);
	});

	test('an HTML body is an html text part; a phone row gets phone, session and client in metadata', () => {
		const message = messageFromRow(
			{
				id: '00000000-0000-4000-8000-000000000002',
				channel: 'whatsapp',
				recipient: 'whatsapp:+15550001111',
				subject: null,
				body: '<p>Your <b>appointment</b> is tomorrow</p>',
				template: null,
				sessionId: 'S-1',
				clientId: 'C-9',
				metadata: {},
				message: null,
			} as never,
			new Date('2026-06-01T10:00:00.000Z'),
		);
		assert.deepEqual(message.parts, [{ type: 'text', text: '<p>Your <b>appointment</b> is tomorrow</p>', format: 'html' }]);
		assert.deepEqual(message.recipients, [{ id: 'whatsapp:+15550001111', phone: '+15550001111' }]);
		assert.deepEqual(message.metadata, { queueMessageId: '00000000-0000-4000-8000-000000000002', sessionId: 'S-1', clientId: 'C-9' });
	});

	test('isClaimedRow: a row Claim Due returned, not a universal message or a row in another status', () => {
		const row = { id: 'x', channel: 'sms', recipient: '+1', status: 'sending' };
		assert.equal(isClaimedRow(row), true);
		assert.equal(isClaimedRow({ ...row, status: 'approved' }), false);
		assert.equal(isClaimedRow({ ...row, schema: 'switchboard.message/v1' }), false);
		assert.equal(isClaimedRow({ ...row, recipient: 1 }), false);
		assert.equal(isClaimedRow(null), false);
	});
});
