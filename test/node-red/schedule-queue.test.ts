/**
 * Schedule Queue and its `switchboard-store` config node inside the real Node-RED runtime, 4 and 5
 * (test/support/node-red-harness.ts), loaded from dist as users get them. Each test deploys a flow
 * with its own user directory (a temp folder), so the embedded store lands in
 * `<userDir>/switchboard/queue`; the PostgreSQL tests use a throwaway cluster
 * (test/support/postgres.ts) reached through the config node's credentials.
 *
 * Every operation is driven the way a flow drives it: a message into the node, `msg.operation` and
 * `msg.payload` as documented in the help text; outputs, Catch and Complete nodes and the status
 * line are what is checked. Expected values come from the inputs the test sends (ids the node
 * returned, the retry settings configured), never from the queue's own answers about themselves.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { openQueue } from '../../dist/core/queue';
import { forEachRuntime, type Credentials, type FlowNode, type Message, type NodeRedHarness, type NodeStatus } from '../support/node-red-harness';
import { usePostgres } from '../support/postgres';

const QUEUE = 'schedule-queue';
const STORE = 'switchboard-store';
const SETS = [QUEUE, STORE];

const pg = usePostgres();

const scratch: string[] = [];
after(() => {
	for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
function tempDir(prefix = 'switchboard-nr-queue-'): string {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	scratch.push(dir);
	return dir;
}

/**
 * Creating an embedded store (PGlite's initdb in WASM) takes seconds; opening an existing one is
 * quick. One store is created (and migrated, then closed) once for the file, and tests that are not
 * about creating the store start from a copy of it: the node still opens, locks, migrates-if-needed
 * and closes it as usual. Tests about first use (folder creation, nothing opened before the first
 * message) start from nothing.
 */
let template = '';
before(async () => {
	template = join(tempDir('switchboard-nr-queue-template-'), 'store');
	const queue = await openQueue({ connection: { kind: 'embedded', dataDir: template } });
	await queue.close();
});

/** A user directory whose embedded store folders (relative to it; default the default store) already hold an empty queue. */
function seededUserDir(folders: string[] = [join('switchboard', 'queue')]): string {
	const userDir = tempDir();
	for (const folder of folders) {
		mkdirSync(join(userDir, folder, '..'), { recursive: true });
		cpSync(template, join(userDir, folder), { recursive: true });
	}
	return userDir;
}

// ---------------------------------------------------------------------------------------------------
// Flows

interface Row {
	id: string;
	status: string;
	channel: string;
	recipient: string;
	body: string | null;
	attemptCount: number;
	nextAttemptAt: string | null;
	approvedBy: string | null;
	approvalNote: string | null;
	rejectedBy: string | null;
	rejectionReason: string | null;
	provider: string | null;
	externalId: string | null;
	leaseOwner: string | null;
	errorCode: string | null;
	attempts?: Array<{ attemptNumber: number; success: boolean; provider: string | null; externalId: string | null; errorCode: string | null; errorMessage: string | null }>;
}
interface CaughtError {
	message: string;
	code?: string;
	source: { id: string; type: string };
}

/** Queue nodes (wired to `out`), plus a Catch and a Complete node watching the whole tab. */
function flow(queues: Array<Record<string, unknown>>, extra: FlowNode[] = []): FlowNode[] {
	return [
		...queues.map((q) => ({ type: QUEUE, wires: [['out']], ...q }) as FlowNode),
		{ id: 'out', type: 'helper' },
		{ id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
		{ id: 'errors', type: 'helper' },
		// A Complete node needs its nodes named (it has no "whole tab" scope).
		{ id: 'complete', type: 'complete', scope: queues.map((q) => q.id as string), uncaught: false, wires: [['completed']] },
		{ id: 'completed', type: 'helper' },
		...extra,
	];
}

async function deploy(nr: NodeRedHarness, userDir: string, queues: Array<Record<string, unknown>>, extra: FlowNode[] = [], credentials: Credentials = {}) {
	await nr.load(SETS, flow(queues, extra), credentials, { settings: { userDir } });
}

class Caught extends Error {
	constructor(readonly error: CaughtError) {
		super(`the node failed: ${error.code ?? ''} ${error.message}`);
	}
}

/** The next message arriving at helper `id`. */
function next(nr: NodeRedHarness, id: string, timeoutMs: number): { promise: Promise<Message>; cancel(): void } {
	const node = nr.node(id);
	let cancel = () => {};
	const promise = new Promise<Message>((resolve, reject) => {
		const timer = setTimeout(() => {
			node.removeListener('input', onInput);
			reject(new Error(`nothing reached ${id} within ${timeoutMs} ms`));
		}, timeoutMs);
		const onInput = (msg: Message) => {
			clearTimeout(timer);
			node.removeListener('input', onInput);
			resolve(msg);
		};
		cancel = () => {
			clearTimeout(timer);
			node.removeListener('input', onInput);
		};
		node.on('input', onInput as (...args: never[]) => void);
	});
	return { promise, cancel };
}

/**
 * Sends `msg` to queue node `target` and waits until the node called done(): via the Complete node
 * (success) or the Catch node (failure, thrown as `Caught`). Returns every message the node sent and
 * its status afterwards. The node sends before it calls done(), so its outputs arrive first; a short
 * settle catches anything extra.
 */
async function call(nr: NodeRedHarness, target: string, msg: Message, timeoutMs = 20_000): Promise<{ out: Message[]; status: NodeStatus }> {
	const outputs: Message[] = [];
	const outNode = nr.node('out');
	const onOut = (m: Message) => outputs.push(m);
	outNode.on('input', onOut as (...args: never[]) => void);
	const completed = next(nr, 'completed', timeoutMs);
	const caught = next(nr, 'errors', timeoutMs);
	try {
		nr.receive(target, msg);
		const winner = await Promise.race([completed.promise.then(() => undefined), caught.promise.then((m) => m.error as CaughtError)]);
		await new Promise((r) => setTimeout(r, 50));
		if (winner) throw new Caught(winner);
		return { out: outputs, status: nr.statuses(target).at(-1) ?? {} };
	} finally {
		completed.cancel();
		caught.cancel();
		outNode.removeListener('input', onOut as (...args: never[]) => void);
	}
}

/** One output expected: its payload. */
async function one<T = Row>(nr: NodeRedHarness, target: string, msg: Message): Promise<{ payload: T; msg: Message; status: NodeStatus }> {
	const { out, status } = await call(nr, target, msg);
	assert.equal(out.length, 1, `${target} sent ${out.length} messages for ${String(msg.operation ?? 'its operation')}, expected 1`);
	return { payload: out[0]!.payload as T, msg: out[0]!, status };
}

/** The call must fail: returns what the Catch node got; nothing may have been sent. */
async function fails(nr: NodeRedHarness, target: string, msg: Message): Promise<{ error: CaughtError; status: NodeStatus }> {
	const outputs: Message[] = [];
	const outNode = nr.node('out');
	const onOut = (m: Message) => outputs.push(m);
	outNode.on('input', onOut as (...args: never[]) => void);
	try {
		await call(nr, target, msg);
	} catch (error) {
		if (!(error instanceof Caught)) throw error;
		assert.deepEqual(outputs, [], 'nothing is sent when the operation fails');
		return { error: error.error, status: nr.statuses(target).at(-1) ?? {} };
	} finally {
		outNode.removeListener('input', onOut as (...args: never[]) => void);
	}
	assert.fail(`${String(msg.operation)} was expected to fail`);
}

const PAST = '2024-01-01T09:00:00.000Z';

function sms(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return { channel: 'sms', recipient: `+44770090${String(i).padStart(4, '0')}`, body: `Your appointment ${i} is confirmed`, sendTime: PAST, ...extra };
}

async function enqueue(nr: NodeRedHarness, target: string, inputs: Array<Record<string, unknown>>): Promise<Row[]> {
	const { payload } = await one<Row[]>(nr, target, { operation: 'enqueue', payload: inputs });
	return payload;
}

async function approve(nr: NodeRedHarness, target: string, ids: string[], by = 'dana.ortiz@example.net'): Promise<void> {
	for (const id of ids) await one(nr, target, { operation: 'approve', payload: { id, by } });
}

/** Claim due with the node's settings; returns the rows sent (one message each unless mode says otherwise). */
async function claim(nr: NodeRedHarness, target: string, payload: unknown = Date.now()): Promise<{ rows: Row[]; status: NodeStatus; out: Message[] }> {
	const { out, status } = await call(nr, target, { operation: 'claimDue', payload });
	return { rows: out.map((m) => m.payload as Row), status, out };
}

const sortedIds = (rows: Array<{ id: string }>) => rows.map((r) => r.id).sort();

// ---------------------------------------------------------------------------------------------------

forEachRuntime('Schedule Queue node', (nr) => {
	it('enqueue → approve → claim due ("claimed N") → complete → get shows the attempt', async () => {
		const userDir = seededUserDir();
		// The processor node keeps the editor default (Claim Due); the others are chosen per message.
		await deploy(nr, userDir, [{ id: 'q' }]);
		assert.equal(nr.statuses('q').length, 0, 'a healthy node shows no status before its first message');

		const { payload: rows, msg: enqueued, status: enqueueStatus } = await one<Row[]>(nr, 'q', { operation: 'enqueue', payload: [sms(1), sms(2), sms(3)], topic: 'keep me' });
		assert.equal(rows.length, 3);
		assert.deepEqual(rows.map((r) => [r.status, r.recipient, r.body]), [1, 2, 3].map((i) => ['draft', sms(i).recipient, sms(i).body]));
		assert.deepEqual(enqueued.switchboard, { operation: 'enqueue', count: 3, created: 3 });
		assert.equal(enqueued.topic, 'keep me', 'other msg properties pass through');
		assert.equal('operation' in enqueued, false, 'msg.operation is consumed, not passed on');
		assert.equal(enqueueStatus.text, 'enqueued 3');

		const [a, b, draft] = rows as [Row, Row, Row];
		const approved = await one(nr, 'q', { operation: 'approve', payload: { id: a.id, by: 'dana.ortiz@example.net', reason: 'checked' } });
		assert.deepEqual([approved.payload.id, approved.payload.status, approved.payload.approvedBy, approved.payload.approvalNote], [a.id, 'approved', 'dana.ortiz@example.net', 'checked']);
		assert.equal(approved.status.text, 'approved');
		// A plain-string payload is the id; "By" then comes from msg.payload… or fails (see below).
		await approve(nr, 'q', [b.id]);

		// An inject node's timestamp payload: claim due with the editor's defaults.
		const claimed = await claim(nr, 'q');
		assert.deepEqual(sortedIds(claimed.rows), [a.id, b.id].sort(), 'exactly the approved, due messages; the draft stays');
		for (const [index, m] of claimed.out.entries()) assert.deepEqual(m.switchboard, { operation: 'claimDue', index, count: 2 });
		for (const row of claimed.rows) {
			assert.equal(row.status, 'sending');
			assert.ok(row.leaseOwner, 'claimed rows carry their lease owner');
		}
		assert.equal(claimed.status.text, 'claimed 2');

		for (const [i, row] of claimed.rows.entries()) {
			const done = await one(nr, 'q', { operation: 'complete', payload: { id: row.id, provider: 'twilio', externalId: `SM${i}`, responseTimeMs: 120 + i, cost: 0.0075 } });
			assert.deepEqual([done.payload.status, done.payload.provider, done.payload.externalId], ['sent', 'twilio', `SM${i}`]);
			assert.equal(done.status.text, 'sent (twilio)');
		}

		const got = await one(nr, 'q', { operation: 'get', payload: a.id });
		const expectedExternal = `SM${claimed.rows.findIndex((r) => r.id === a.id)}`;
		assert.equal(got.payload.status, 'sent');
		assert.equal(got.payload.attempts?.length, 1);
		assert.deepEqual(
			got.payload.attempts!.map((t) => [t.attemptNumber, t.success, t.provider, t.externalId]),
			[[1, true, 'twilio', expectedExternal]],
		);
		assert.equal(got.status.text, 'sent, 1 attempt');
		assert.deepEqual(got.msg.switchboard, { operation: 'get', found: true });

		const untouched = await one(nr, 'q', { operation: 'get', payload: { id: draft.id } });
		assert.deepEqual([untouched.payload.status, untouched.payload.attempts?.length], ['draft', 0]);

		// Nothing due any more: nothing is sent, and the status says so.
		const again = await claim(nr, 'q');
		assert.equal(again.out.length, 0);
		assert.equal(again.status.text, 'claimed 0');
	});

	it('claim due in "one message with the array" mode, with batch size and channel from the editor', async () => {
		const userDir = seededUserDir();
		await deploy(nr, userDir, [{ id: 'q', claimOutput: 'all', batchSize: 2, claimChannel: 'sms' }]);
		const rows = await enqueue(nr, 'q', [sms(1, { status: 'approved' }), sms(2, { status: 'approved' }), sms(3, { status: 'approved' }), { channel: 'email', recipient: 'a@example.net', subject: 'Hi', body: 'x', sendTime: PAST, status: 'approved' }]);
		const smsIds = rows.filter((r) => r.channel === 'sms').map((r) => r.id);

		const first = await claim(nr, 'q');
		assert.equal(first.out.length, 1, 'one message for the whole batch');
		const batch = first.out[0]!.payload as Row[];
		assert.equal(batch.length, 2, 'batch size 2 from the editor');
		assert.deepEqual(first.out[0]!.switchboard, { operation: 'claimDue', count: 2 });
		const second = await claim(nr, 'q');
		const rest = second.out[0]!.payload as Row[];
		assert.deepEqual([...batch, ...rest].map((r) => r.id).sort(), smsIds.sort(), 'only the sms channel, each message once');
		assert.equal(second.status.text, 'claimed 1');

		// msg.payload overrides the editor's channel; nothing due on sms any more, the email is.
		assert.equal((await claim(nr, 'q')).out.length, 0, 'nothing is sent when none are due, also in array mode');
		const email = await claim(nr, 'q', { channel: 'email' });
		assert.deepEqual((email.out[0]!.payload as Row[]).map((r) => r.channel), ['email']);
	});

	it('complete reports as the worker that claimed (the row\'s leaseOwner); another worker is refused with LEASE_LOST', async () => {
		const userDir = seededUserDir();
		await deploy(nr, userDir, [
			{ id: 'claimer', workerId: 'night-shift', leaseSeconds: 600 },
			{ id: 'completer', operation: 'complete' },
		]);
		const [a, b] = await enqueue(nr, 'claimer', [sms(1, { status: 'approved' }), sms(2, { status: 'approved' })]);
		const claimed = await claim(nr, 'claimer');
		assert.deepEqual(claimed.rows.map((r) => r.leaseOwner), ['night-shift', 'night-shift'], 'the editor\'s worker id holds the lease');
		const rowA = claimed.rows.find((r) => r.id === a!.id)!;
		const rowB = claimed.rows.find((r) => r.id === b!.id)!;

		// Another worker's report is refused and nothing is written.
		const refused = await fails(nr, 'completer', { payload: { id: rowB.id, workerId: 'day-shift', provider: 'twilio' } });
		assert.equal(refused.error.code, 'LEASE_LOST');
		// The claimed message itself, with what the send added, goes straight into Complete.
		const sent = await one(nr, 'completer', { ...claimed.out[claimed.rows.indexOf(rowA)], payload: { ...rowA, provider: 'twilio', externalId: 'SM-a' } });
		assert.deepEqual([sent.payload.status, sent.payload.externalId], ['sent', 'SM-a']);
		const stillSending = await one(nr, 'completer', { operation: 'get', payload: rowB.id });
		assert.deepEqual([stillSending.payload.status, stillSending.payload.attempts?.length], ['sending', 0]);
	});

	it('reject records who and why, and a rejected message is never claimed', async () => {
		const userDir = seededUserDir();
		await deploy(nr, userDir, [{ id: 'q', actor: 'scheduler-bot' }]);
		const [draft, approved] = await enqueue(nr, 'q', [sms(1), sms(2, { status: 'approved' })]);
		const rejected = await one(nr, 'q', { operation: 'reject', payload: { id: draft!.id, by: 'priya.shah@example.net', reason: 'wrong client' } });
		assert.deepEqual(
			[rejected.payload.status, rejected.payload.rejectedBy, rejected.payload.rejectionReason],
			['cancelled', 'priya.shah@example.net', 'wrong client'],
		);
		assert.equal(rejected.status.text, 'rejected');
		// "cancel" is the same operation; "By" falls back to the node's setting.
		const cancelled = await one(nr, 'q', { operation: 'cancel', payload: approved!.id });
		assert.deepEqual([cancelled.payload.status, cancelled.payload.rejectedBy], ['cancelled', 'scheduler-bot']);
		assert.equal((await claim(nr, 'q')).out.length, 0);
	});

	it('an illegal transition reaches the Catch node with its code, and changes nothing', async () => {
		const userDir = seededUserDir();
		await deploy(nr, userDir, [{ id: 'q' }]);
		const [row] = await enqueue(nr, 'q', [sms(1, { status: 'approved' })]);
		const [claimed] = (await claim(nr, 'q')).rows;
		await one(nr, 'q', { operation: 'complete', payload: { id: claimed!.id, provider: 'twilio', externalId: 'SM1' } });

		const { error, status } = await fails(nr, 'q', { operation: 'approve', payload: { id: row!.id, by: 'dana.ortiz@example.net' } });
		assert.equal(error.code, 'ILLEGAL_TRANSITION');
		assert.match(error.message, /^IllegalTransitionError: .*"sent".*"approved"/);
		assert.deepEqual([error.source.id, error.source.type], ['q', QUEUE]);
		assert.equal(status.fill, 'red');
		assert.match(status.text ?? '', /^ILLEGAL_TRANSITION: /);
		assert.ok((status.text ?? '').length <= 64, 'status text is kept short');

		const after = await one(nr, 'q', { operation: 'get', payload: row!.id });
		assert.deepEqual([after.payload.status, after.payload.approvedBy, after.payload.attempts?.length], ['sent', null, 1], 'nothing was written');

		// Rejecting a message that is being sent is refused the same way.
		const [other] = await enqueue(nr, 'q', [sms(2, { status: 'approved' })]);
		await claim(nr, 'q');
		assert.equal((await fails(nr, 'q', { operation: 'reject', payload: { id: other!.id, by: 'x' } })).error.code, 'ILLEGAL_TRANSITION');
	});

	it('bad input names the msg property and the fix (INVALID_QUEUE_INPUT); unknown ids are MESSAGE_NOT_FOUND', async () => {
		const userDir = seededUserDir();
		await deploy(nr, userDir, [{ id: 'q' }]);
		const [row] = await enqueue(nr, 'q', [sms(1)]);

		const noBy = await fails(nr, 'q', { operation: 'approve', payload: { id: row!.id } });
		assert.equal(noBy.error.code, 'INVALID_QUEUE_INPUT');
		assert.match(noBy.error.message, /msg\.payload\.by/);

		const noId = await fails(nr, 'q', { operation: 'complete', payload: { provider: 'twilio' } });
		assert.equal(noId.error.code, 'INVALID_QUEUE_INPUT');
		assert.match(noId.error.message, /msg\.payload\.id/);

		const badOp = await fails(nr, 'q', { operation: 'send-everything', payload: {} });
		assert.equal(badOp.error.code, 'INVALID_QUEUE_INPUT');
		assert.match(badOp.error.message, /msg\.operation.*"send-everything".*claimDue/);

		const badEnqueue = await fails(nr, 'q', { operation: 'enqueue', payload: { channel: 'carrier-pigeon', recipient: 'x' } });
		assert.equal(badEnqueue.error.code, 'INVALID_QUEUE_INPUT');
		assert.match(badEnqueue.error.message, /channel/);

		const badPeriod = await fails(nr, 'q', { operation: 'stats', payload: { to: 'yesterday' } });
		assert.equal(badPeriod.error.code, 'INVALID_QUEUE_INPUT');
		assert.match(badPeriod.error.message, /msg\.payload\.to.*"yesterday"/);

		const missing = await fails(nr, 'q', { operation: 'approve', payload: { id: '00000000-0000-4000-8000-000000000000', by: 'x' } });
		assert.equal(missing.error.code, 'MESSAGE_NOT_FOUND');

		const none = await one(nr, 'q', { operation: 'get', payload: '00000000-0000-4000-8000-000000000000' });
		assert.equal(none.payload, null);
		assert.deepEqual(none.msg.switchboard, { operation: 'get', found: false });
		assert.equal(none.status.text, 'not found');
	});

	it('a bad editor setting shows at deploy and fails every message with its name', async () => {
		const userDir = tempDir();
		await deploy(nr, userDir, [{ id: 'q', batchSize: 'lots' }]);
		const deployed = nr.statuses('q');
		assert.equal(deployed.length, 1);
		assert.match(deployed[0]!.text ?? '', /^INVALID_QUEUE_INPUT: /);
		const { error } = await fails(nr, 'q', { payload: Date.now() });
		assert.equal(error.code, 'INVALID_QUEUE_INPUT');
		assert.match(error.message, /Batch size.*"lots"/);
		assert.equal(existsSync(join(userDir, 'switchboard')), false, 'a misconfigured node does not open the store');
	});

	it('list is paged: {items, nextCursor} lets a flow walk every page; row mode sends one message per row', async () => {
		const userDir = seededUserDir();
		await deploy(nr, userDir, [
			{ id: 'q', operation: 'list', pageSize: 3 },
			{ id: 'rows', operation: 'list', pageSize: 3, listOutput: 'row', listStatus: 'draft' },
		]);
		const created = await enqueue(nr, 'q', Array.from({ length: 7 }, (_, i) => sms(i)));
		const approvedOne = created[6]!;
		await approve(nr, 'q', [approvedOne.id]);

		// Walk every page the way a flow loops, while nextCursor is set: the second page is asked for
		// with {cursor}, the third by feeding the page itself back in.
		const seen: Row[] = [];
		const pageSizes: number[] = [];
		let cursor: string | undefined;
		let previous: unknown = Date.now();
		for (let guard = 0; guard < 10; guard++) {
			const input = guard === 1 ? { cursor } : previous;
			const { payload, msg, status } = await one<{ items: Row[]; nextCursor?: string }>(nr, 'q', { payload: input });
			previous = payload;
			seen.push(...payload.items);
			pageSizes.push(payload.items.length);
			assert.equal((msg.switchboard as { nextCursor?: string }).nextCursor, payload.nextCursor);
			assert.equal(status.text, `listed ${payload.items.length}${payload.nextCursor ? ', more' : ''}`);
			cursor = payload.nextCursor;
			if (!cursor) {
				assert.equal('nextCursor' in payload, false, 'the last page has no nextCursor');
				break;
			}
		}
		assert.deepEqual(pageSizes, [3, 3, 1]);
		assert.deepEqual(sortedIds(seen), sortedIds(created), 'every row once, none twice');

		// A filter in msg.payload; the page size from the editor still applies.
		const approvedOnly = await one<{ items: Row[]; nextCursor?: string }>(nr, 'q', { payload: { status: 'approved' } });
		assert.deepEqual(approvedOnly.payload.items.map((r) => r.id), [approvedOne.id]);
		assert.equal(approvedOnly.payload.nextCursor, undefined);

		// Row mode, status filter "draft" from the editor: one message per row of the first page.
		const { out } = await call(nr, 'rows', { payload: '' });
		assert.equal(out.length, 3);
		const nextCursor = (out[0]!.switchboard as { nextCursor?: string }).nextCursor;
		assert.ok(nextCursor, 'each row message carries the cursor of the next page');
		assert.deepEqual(out.map((m) => (m.switchboard as { index: number }).index), [0, 1, 2]);
		for (const m of out) assert.equal((m.payload as Row).status, 'draft');
		const page2 = await call(nr, 'rows', { payload: { cursor: nextCursor } });
		assert.equal(page2.out.length, 3);
		for (const m of page2.out) assert.equal((m.switchboard as { nextCursor?: string }).nextCursor, undefined, 'the last page: no cursor');
		const draftRows = [...out, ...page2.out].map((m) => m.payload as Row);
		assert.deepEqual(sortedIds(draftRows), sortedIds(created.slice(0, 6)), 'the six drafts, in two pages of 3');
	});

	it('fail retries per the editor strategy, then the message is dead; permanent errors are dead at once', async () => {
		const userDir = seededUserDir();
		await deploy(nr, userDir, [
			{ id: 'q', retryStrategy: 'linear', initialDelay: 90, maxDelay: 3600, jitter: 0, maxAttempts: 3 },
			// Immediate retries, two attempts in all: the second failure is the last.
			{ id: 'fast', operation: 'fail', retryStrategy: 'exponential', initialDelay: 0, jitter: 0, maxAttempts: 2 },
		]);
		const [slow, fast, permanent] = await enqueue(nr, 'q', [sms(1, { status: 'approved' }), sms(2, { status: 'approved' }), sms(3, { status: 'approved' })]);
		const claimed = (await claim(nr, 'q')).rows;
		assert.equal(claimed.length, 3);

		// Linear, 90 s, no jitter: the next attempt is 90 s after the failure.
		const before = Date.now();
		const retry = await one(nr, 'q', { operation: 'fail', payload: { id: slow!.id, error: { code: '30003', message: 'Unreachable destination handset' }, provider: 'twilio' } });
		const afterFail = Date.now();
		assert.deepEqual([retry.payload.status, retry.payload.attemptCount], ['approved', 1]);
		const nextAt = Date.parse(retry.payload.nextAttemptAt ?? '');
		assert.ok(nextAt >= before + 90_000 - 1000 && nextAt <= afterFail + 90_000 + 1000, `next attempt 90 s after the failure (got ${retry.payload.nextAttemptAt})`);
		assert.equal(retry.status.fill, 'yellow');
		assert.match(retry.status.text ?? '', /^retry 2 at \d{4}-\d\d-\d\dT/);

		// The error may also come from msg.error, as a Catch node delivers it.
		const first = await one(nr, 'fast', { payload: { id: fast!.id }, error: { message: 'provider timeout', code: 'ETIMEDOUT' } });
		assert.deepEqual([first.payload.status, first.payload.attemptCount], ['approved', 1]);
		const reclaimed = (await claim(nr, 'q')).rows;
		assert.deepEqual(reclaimed.map((r) => r.id), [fast!.id], 'due again at once (0 s delay); the 90 s one is not');
		const last = await one(nr, 'fast', { payload: { id: fast!.id, error: 'provider timeout again' } });
		assert.deepEqual([last.payload.status, last.payload.attemptCount], ['dead', 2]);
		assert.deepEqual([last.status.fill, last.status.text], ['red', 'dead after 2 attempts']);

		const dead = await one(nr, 'q', { operation: 'fail', payload: { id: permanent!.id, error: { code: '21211', message: 'Invalid To phone number' }, retryable: false } });
		assert.deepEqual([dead.payload.status, dead.payload.attemptCount], ['dead', 1]);

		const history = await one(nr, 'q', { operation: 'get', payload: fast!.id });
		assert.deepEqual(
			history.payload.attempts!.map((t) => [t.attemptNumber, t.success, t.errorCode, t.errorMessage]),
			[
				[1, false, 'ETIMEDOUT', 'provider timeout'],
				[2, false, null, 'provider timeout again'],
			],
		);
		// A dead message is final: failing it again is an illegal transition.
		assert.equal((await fails(nr, 'fast', { payload: { id: fast!.id, error: 'x' } })).error.code, 'ILLEGAL_TRANSITION');
	});

	it('msg.payload.retry overrides the editor policy: strategy none is dead after the first failure', async () => {
		const userDir = seededUserDir();
		await deploy(nr, userDir, [{ id: 'q' }]);
		const [row] = await enqueue(nr, 'q', [sms(1, { status: 'approved' })]);
		await claim(nr, 'q');
		const { payload } = await one(nr, 'q', { operation: 'fail', payload: { id: row!.id, error: 'bounced', retry: { strategy: 'none' } } });
		assert.deepEqual([payload.status, payload.attemptCount], ['dead', 1]);
	});

	it('stats per channel over a period: attempts, successes, failures, success rate, response time, cost', async () => {
		const userDir = seededUserDir();
		await deploy(nr, userDir, [{ id: 'q' }]);
		const rows = await enqueue(nr, 'q', [
			sms(1, { status: 'approved' }),
			sms(2, { status: 'approved' }),
			sms(3, { status: 'approved' }),
			{ channel: 'email', recipient: 'dana.ortiz@example.net', subject: 'Reminder', body: 'See you', sendTime: PAST, status: 'approved' },
		]);
		await claim(nr, 'q');
		const [s1, s2, s3, mail] = rows as [Row, Row, Row, Row];
		await one(nr, 'q', { operation: 'complete', payload: { id: s1.id, provider: 'twilio', externalId: 'SM1', responseTimeMs: 100, cost: 0.01 } });
		await one(nr, 'q', { operation: 'complete', payload: { id: s2.id, provider: 'vonage', externalId: 'V2', responseTimeMs: 300, cost: 0.02, fallbackReason: 'primary_failed' } });
		await one(nr, 'q', { operation: 'fail', payload: { id: s3.id, error: 'timeout', provider: 'twilio', responseTimeMs: 200 } });
		await one(nr, 'q', { operation: 'complete', payload: { id: mail.id, provider: 'sendgrid', externalId: 'sg-1', responseTimeMs: 50 } });

		const { payload: stats, status } = await one<Array<Record<string, unknown>>>(nr, 'q', { operation: 'stats', payload: Date.now() });
		const byChannel = Object.fromEntries(stats.map((s) => [s.channel, s]));
		assert.deepEqual(Object.keys(byChannel).sort(), ['email', 'sms']);
		const s = byChannel.sms!;
		assert.deepEqual(
			[s.totalAttempts, s.successfulAttempts, s.failedAttempts, s.successRate, s.averageResponseTimeMs, s.fallbackCount],
			[3, 2, 1, 66.7, 200, 1],
		);
		assert.ok(Math.abs((s.totalCost as number) - 0.03) < 1e-9, `sms cost 0.03 (got ${String(s.totalCost)})`);
		assert.deepEqual([byChannel.email!.totalAttempts, byChannel.email!.successRate], [1, 100]);
		assert.equal(status.text, '4 attempts, 2 channels');

		// A period that ends before anything happened, and a channel filter.
		const empty = await one<unknown[]>(nr, 'q', { operation: 'stats', payload: { from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' } });
		assert.deepEqual(empty.payload.filter((x) => (x as { totalAttempts: number }).totalAttempts > 0), []);
		const onlyEmail = await one<Array<{ channel: string }>>(nr, 'q', { operation: 'stats', payload: { channel: 'email' } });
		assert.deepEqual(onlyEmail.payload.map((x) => x.channel), ['email']);
	});

	it('enqueue with an idempotency key is a no-op the second time; reschedule moves a draft', async () => {
		const userDir = seededUserDir();
		await deploy(nr, userDir, [{ id: 'q', operation: 'enqueue', enqueueStatus: 'approved' }]);
		const first = await one(nr, 'q', { payload: sms(1, { idempotencyKey: 'session-42-reminder' }) });
		assert.deepEqual([first.payload.status, first.msg.switchboard], ['approved', { operation: 'enqueue', created: true }], 'the editor default status applies');
		const repeat = await one(nr, 'q', { payload: sms(1, { idempotencyKey: 'session-42-reminder', body: 'changed' }) });
		assert.equal(repeat.payload.id, first.payload.id);
		assert.deepEqual(repeat.msg.switchboard, { operation: 'enqueue', created: false });
		assert.equal(repeat.status.text, 'already queued');

		const draft = await one(nr, 'q', { payload: sms(2, { status: 'draft' }) });
		const moved = await one<Row & { sendTime: string }>(nr, 'q', { operation: 'reschedule', payload: { id: draft.payload.id, sendTime: '2030-05-01T08:00:00Z', by: 'dana' } });
		assert.equal(moved.payload.sendTime, '2030-05-01T08:00:00.000Z');
		assert.match(moved.status.text ?? '', /^rescheduled to 2030-05-01T08:00:00Z/);
	});

	it('the embedded default lives in <userDir>/switchboard/queue, survives a redeploy, and is closed on stop', async () => {
		const userDir = tempDir();
		await deploy(nr, userDir, [{ id: 'q' }]);
		assert.equal(existsSync(join(userDir, 'switchboard')), false, 'nothing is opened before the first message');
		const [row] = await enqueue(nr, 'q', [sms(1)]);
		assert.ok(readdirSync(join(userDir, 'switchboard', 'queue')).length > 0, 'the store is in the user directory');
		await nr.unload();
		// Stopped: the store was closed and its lock released, so a new deploy opens it again.
		await deploy(nr, userDir, [{ id: 'q' }]);
		const got = await one(nr, 'q', { operation: 'get', payload: row!.id });
		assert.deepEqual([got.payload.id, got.payload.status], [row!.id, 'draft']);
	});

	it('two schedule-queue nodes share one store config (embedded, custom folder) and the default node shares it too', async () => {
		const userDir = seededUserDir([join('queues', 'main'), join('switchboard', 'queue')]);
		const store = { id: 'store', type: STORE, name: 'shared', storeType: 'embedded', folder: 'queues/main' };
		const defaultFolder = { id: 'store-default', type: STORE, storeType: 'embedded', folder: join(userDir, 'switchboard', 'queue') };
		await deploy(
			nr,
			userDir,
			[
				{ id: 'intake', operation: 'enqueue', store: 'store' },
				{ id: 'processor', store: 'store' },
				{ id: 'plain' },
				{ id: 'explicit', store: 'store-default' },
			],
			[store, defaultFolder],
		);
		const { payload: row } = await one(nr, 'intake', { payload: sms(1) });
		await one(nr, 'processor', { operation: 'approve', payload: { id: row.id, by: 'dana' } });
		const claimed = await claim(nr, 'processor');
		assert.deepEqual(claimed.rows.map((r) => r.id), [row.id], 'the processor sees what the intake node enqueued');
		// The open store holds its lock file: a relative folder is taken from the user directory.
		assert.ok(existsSync(join(userDir, 'queues', 'main', 'switchboard.lock')), 'the store in <userDir>/queues/main is open');
		// The other store: nothing there.
		const elsewhere = await one<{ items: Row[] }>(nr, 'plain', { operation: 'list', payload: {} });
		assert.deepEqual(elsewhere.payload.items, []);

		// A node without a store and a store naming the default folder share one open queue (no lock
		// conflict inside one process).
		const [viaPlain] = await enqueue(nr, 'plain', [sms(2)]);
		const seen = await one(nr, 'explicit', { operation: 'get', payload: viaPlain!.id });
		assert.equal(seen.payload.id, viaPlain!.id);

		// Stopping the flows closes both stores (their locks are released) …
		await nr.unload();
		assert.equal(existsSync(join(userDir, 'queues', 'main', 'switchboard.lock')), false, 'the custom store was closed');
		assert.equal(existsSync(join(userDir, 'switchboard', 'queue', 'switchboard.lock')), false, 'the default store was closed');
		// … and after a redeploy the same store folder opens again with the data in it.
		await deploy(nr, userDir, [{ id: 'processor', store: 'store' }], [store]);
		const got = await one(nr, 'processor', { operation: 'get', payload: row.id });
		assert.equal(got.payload.status, 'sending');
	});

	it('a schedule-queue naming a store that is not deployed reports it instead of using another store', async () => {
		const userDir = tempDir();
		await deploy(nr, userDir, [{ id: 'q', store: 'no-such-store' }]);
		assert.match(nr.statuses('q')[0]?.text ?? '', /^QUEUE_STORE_ERROR: /);
		const { error } = await fails(nr, 'q', { payload: Date.now() });
		assert.equal(error.code, 'QUEUE_STORE_ERROR');
		assert.match(error.message, /no-such-store/);
		assert.equal(existsSync(join(userDir, 'switchboard')), false, 'the default store was not opened instead');
	});

	it('PostgreSQL store: connection string in the credentials, two nodes on one pool, rows in the database', async () => {
		const db = await pg().createDatabase();
		const userDir = tempDir();
		await deploy(
			nr,
			userDir,
			[
				{ id: 'intake', operation: 'enqueue', store: 'pg' },
				{ id: 'processor', store: 'pg', claimOutput: 'all' },
			],
			[{ id: 'pg', type: STORE, storeType: 'postgres', ssl: 'off' }],
			{ pg: { connectionString: db.connectionString } },
		);
		const { payload: rows } = await one<Row[]>(nr, 'intake', { payload: [sms(1, { status: 'approved' }), sms(2, { status: 'approved' })] });
		const claimed = await claim(nr, 'processor');
		assert.deepEqual(sortedIds(claimed.out[0]!.payload as Row[]), sortedIds(rows));
		const done = await one<Array<{ id: string; ok: boolean; message?: Row }>>(nr, 'processor', {
			operation: 'complete',
			payload: rows.map((r, i) => ({ id: r.id, provider: 'twilio', externalId: `SM-pg-${i}` })),
		});
		assert.deepEqual(done.payload.map((r) => [r.id, r.ok, r.message?.status]), rows.map((r) => [r.id, true, 'sent']));
		assert.equal(done.status.text, 'sent 2');
		assert.equal(existsSync(join(userDir, 'switchboard')), false, 'no embedded store was opened');

		// The rows are in PostgreSQL itself (read without the queue), with the delivery log.
		const stored = await pg().query<{ id: string; status: string; external_id: string; attempts: string }>(
			`SELECT m.id::text AS id, m.status, m.external_id, (SELECT count(*)::text FROM switchboard_delivery_attempts a WHERE a.message_id = m.id) AS attempts
			 FROM switchboard_scheduled_messages m ORDER BY m.external_id`,
			[],
			db.name,
		);
		assert.deepEqual(
			stored.map((r) => [r.status, r.external_id, r.attempts]),
			[
				['sent', 'SM-pg-0', '1'],
				['sent', 'SM-pg-1', '1'],
			],
		);
		assert.deepEqual(stored.map((r) => r.id).sort(), sortedIds(rows));
	});

	it('hand back undelivered: a WhatsApp message still "sent" after N minutes moves to SMS (editor defaults, msg.payload overrides); bad input names the field', async () => {
		const db = await pg().createDatabase();
		await deploy(
			nr,
			tempDir(),
			[
				{ id: 'q', store: 'pg', claimOutput: 'all' },
				{ id: 'handback', store: 'pg', operation: 'requeueUndelivered', undeliveredChannel: 'whatsapp', undeliveredMinutes: '10', fallbackChannel: 'sms', actor: 'fallback-flow' },
			],
			[{ id: 'pg', type: STORE, storeType: 'postgres', ssl: 'off' }],
			{ pg: { connectionString: db.connectionString } },
		);
		const [row] = await enqueue(nr, 'q', [{ channel: 'whatsapp', recipient: '+447700900555', body: 'Your order shipped', sendTime: PAST, status: 'approved' }]);
		const claimed = await claim(nr, 'q');
		assert.deepEqual(sortedIds(claimed.out[0]!.payload as Row[]), [row!.id]);
		// A two-part send (text + image): both provider ids are kept for delivery reports.
		await one(nr, 'q', { operation: 'complete', payload: { id: row!.id, provider: 'whatsapp', externalIds: ['wamid.nr-1', 'wamid.nr-2'] } });
		const early = await one<{ moved: Row[]; skipped: unknown[] }>(nr, 'handback', { payload: Date.now() });
		assert.deepEqual([early.payload.moved, early.payload.skipped, early.status.text], [[], [], 'handed back 0']);

		await pg().query(`UPDATE switchboard_scheduled_messages SET processed_time = now() - interval '15 minutes' WHERE id = $1`, [row!.id], db.name);
		const { payload, msg, status } = await one<{ moved: Row[]; skipped: unknown[] }>(nr, 'handback', { payload: Date.now() });
		assert.deepEqual(
			payload.moved.map((m) => [m.id, m.status, m.channel, m.recipient, m.externalId]),
			[[row!.id, 'approved', 'sms', '+447700900555', null]],
		);
		assert.deepEqual(msg.switchboard, { operation: 'requeueUndelivered', moved: 1, skipped: 0 });
		assert.equal(status.text, 'handed back 1');
		const ids = await pg().query<{ external_id: string; handed_back: boolean }>(
			`SELECT external_id, handed_back FROM switchboard_message_external_ids WHERE message_id = $1 ORDER BY external_id`,
			[row!.id],
			db.name,
		);
		assert.deepEqual(
			ids.map((r) => [r.external_id, r.handed_back]),
			[
				['wamid.nr-1', true],
				['wamid.nr-2', true],
			],
		);
		const log = await pg().query<{ status: string; fallback_reason: string; by: string }>(
			`SELECT status, fallback_reason, metadata->>'by' AS by FROM switchboard_delivery_attempts WHERE message_id = $1 AND NOT success`,
			[row!.id],
			db.name,
		);
		assert.deepEqual(log, [{ status: 'undelivered', fallback_reason: 'undelivered_after: 10m whatsapp → sms', by: 'fallback-flow' }]);
		const again = await claim(nr, 'q', { channel: 'sms' });
		assert.deepEqual(sortedIds(again.out[0]!.payload as Row[]), [row!.id], 'the next claim on sms takes it');

		const { error } = await fails(nr, 'handback', { payload: { fallbackChannel: 'whatsapp', olderThanMinutes: 0 } });
		assert.equal(error.code, 'INVALID_QUEUE_INPUT');
		assert.match(error.message, /fallbackChannel/);
		assert.match(error.message, /olderThanMinutes/);
	});

	it('PostgreSQL store from host / port / database / user fields; a bad database is QUEUE_STORE_ERROR without the password', async () => {
		const db = await pg().createDatabase();
		const userDir = tempDir();
		const store = { id: 'pg', type: STORE, storeType: 'postgres' };
		await deploy(nr, userDir, [{ id: 'q', store: 'pg' }], [store], {
			pg: { host: db.host, port: String(db.port), database: db.name, user: db.user, password: 'not-needed-with-trust' },
		});
		const [row] = await enqueue(nr, 'q', [sms(1)]);
		const got = await one(nr, 'q', { operation: 'get', payload: row!.id });
		assert.equal(got.payload.status, 'draft');

		await nr.unload();
		await deploy(nr, userDir, [{ id: 'q', store: 'pg' }], [store], {
			pg: { connectionString: `postgres://postgres:s3cret-pw-123@127.0.0.1:${db.port}/no_such_database` },
		});
		const { error } = await fails(nr, 'q', { payload: Date.now() });
		assert.equal(error.code, 'QUEUE_STORE_ERROR');
		assert.ok(!error.message.includes('s3cret-pw-123'), 'the password is not in the error');
		// The failed open is not cached: the next message tries again (and fails the same way).
		assert.equal((await fails(nr, 'q', { payload: Date.now() })).error.code, 'QUEUE_STORE_ERROR');
	});

	it('approval links: the digest from the store\'s secret and URL; behind real http in / http response, GET shows, only the POST decides', async () => {
		const userDir = seededUserDir();
		const APPROVAL_SECRET = 'node-red-approval-secret-0123456789-abcdef';
		const store = { id: 'store', type: STORE, storeType: 'embedded', approvalBaseUrl: '', approvalTtlHours: 24 };
		const httpNodes: FlowNode[] = [
			{ id: 'in-get', type: 'http in', url: '/switchboard/approval', method: 'get', upload: false, wires: [['page']] },
			{ id: 'in-post', type: 'http in', url: '/switchboard/approval', method: 'post', upload: false, wires: [['page']] },
			{ id: 'reply', type: 'http response', statusCode: '', headers: {} },
		];
		// The page's public address (behind a proxy, say); the test reaches the same path on the local server.
		const PUBLIC = 'https://reviews.example.net/switchboard/approval';
		await nr.load(
			[...SETS, nr.coreNode('network/21-httpin.js')],
			flow(
				[
					{ id: 'links', operation: 'approvalLinks', store: 'store', actor: 'dana.ortiz@example.net' },
					{ id: 'page', operation: 'approvalRequest', store: 'store', wires: [['reply']] },
				],
				[{ ...store, approvalBaseUrl: PUBLIC }, ...httpNodes],
			),
			{ store: { approvalSecret: APPROVAL_SECRET } },
			{ http: true, settings: { userDir } },
		);
		const BASE = nr.httpUrl('/switchboard/approval');
		const local = (url: string) => {
			assert.ok(url.startsWith(`${PUBLIC}?token=`), url);
			return BASE + url.slice(PUBLIC.length);
		};

		const [first, second] = await enqueue(nr, 'links', [sms(1), sms(2)]);
		const approvedAlready = (await enqueue(nr, 'links', [sms(3, { status: 'approved' })]))[0]!;
		const { payload: digest, msg: digestMsg, status } = await one<{ count: number; subject: string; html: string; text: string; links: Array<Record<string, string>>; skipped: unknown[] }>(nr, 'links', { payload: Date.now() });
		assert.deepEqual(digest.links.map((l) => l.id).sort(), sortedIds([first!, second!]), 'the drafts, not the approved message');
		assert.ok(!digest.links.some((l) => l.id === approvedAlready.id));
		assert.equal(digest.count, 2);
		assert.equal(digest.subject, '2 messages waiting for approval');
		assert.deepEqual(digestMsg.switchboard, { operation: 'approvalLinks', count: 2 });
		assert.equal(status.text, 'links for 2 drafts');
		const link = digest.links.find((l) => l.id === first!.id)!;
		const approveUrl = local(link.approveUrl!);
		const hoursAhead = (Date.parse(link.expiresAt!) - Date.now()) / 3_600_000;
		assert.ok(hoursAhead > 23.9 && hoursAhead <= 24, `the store's 24-hour lifetime (${hoursAhead})`);
		// Only the given ids: a non-draft is skipped and listed.
		const some = await one<{ count: number; skipped: Array<{ id: string; reason: string }> }>(nr, 'links', { payload: { ids: [first!.id, approvedAlready.id] } });
		assert.equal(some.payload.count, 1);
		assert.deepEqual(some.payload.skipped, [{ id: approvedAlready.id, reason: 'status is approved' }]);

		const statusOf = async (id: string) => (await one(nr, 'links', { operation: 'get', payload: id })).payload.status;
		// The reviewer opens the link (and a link preview does a HEAD): confirmation page, nothing changes.
		const opened = await fetch(approveUrl, { signal: AbortSignal.timeout(10_000) });
		assert.equal(opened.status, 200);
		assert.equal(opened.headers.get('content-type'), 'text/html; charset=utf-8');
		assert.equal(opened.headers.get('cache-control'), 'no-store');
		const confirmHtml = await opened.text();
		assert.match(confirmHtml, /Approve this message\?/);
		const formToken = /name="token" value="([^"]+)"/.exec(confirmHtml)?.[1];
		assert.equal(formToken, new URL(link.approveUrl!).searchParams.get('token'));
		const head = await fetch(approveUrl, { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
		assert.equal(head.status, 200);
		assert.equal(await statusOf(first!.id), 'draft');

		// The button: a form POST, parsed by http in into msg.payload.
		const post = () =>
			fetch(BASE, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ token: formToken!, confirm: 'yes', reason: 'Looks right' }).toString(),
				signal: AbortSignal.timeout(10_000),
			});
		const decided = await post();
		assert.equal(decided.status, 200);
		assert.match(await decided.text(), /Approved/);
		const row = (await one(nr, 'links', { operation: 'get', payload: first!.id })).payload;
		assert.deepEqual([row.status, row.approvedBy, row.approvalNote], ['approved', 'dana.ortiz@example.net', 'Looks right']);
		const again = await post();
		assert.equal(again.status, 409);
		await again.text();

		// The list page: the remaining draft only; a forged token: 403.
		const list = await fetch(BASE, { signal: AbortSignal.timeout(10_000) });
		const listHtml = await list.text();
		assert.equal(list.status, 200);
		assert.ok(listHtml.includes(second!.recipient) && !listHtml.includes(first!.recipient), 'only the remaining draft is listed');
		const forged = await fetch(`${BASE}?token=eyJtIjoieCJ9.c2lnbmF0dXJl`, { signal: AbortSignal.timeout(10_000) });
		assert.equal(forged.status, 403);
		await forged.text();
		assert.equal(await statusOf(second!.id), 'draft');
	});

	it('approval operations without a store secret (or without a store) fail naming approvalSecret / the store', async () => {
		const userDir = seededUserDir();
		await deploy(
			nr,
			userDir,
			[
				{ id: 'short', operation: 'approvalLinks', store: 'store' },
				{ id: 'none', operation: 'approvalLinks' },
			],
			[{ id: 'store', type: STORE, storeType: 'embedded', approvalBaseUrl: 'https://nodered.example.net/switchboard/approval' }],
			{ store: { approvalSecret: 'short-secret' } },
		);
		const { error } = await fails(nr, 'short', { payload: Date.now() });
		assert.equal(error.code, 'INVALID_QUEUE_INPUT');
		assert.match(error.message, /approvalSecret: is too short \(12 characters\)/);
		assert.match(error.message, /switchboard-store configuration/);
		assert.ok(!error.message.includes('short-secret'));
		const noStore = await fails(nr, 'none', { payload: Date.now() });
		assert.match(noStore.error.message, /approval links need a switchboard-store configuration/);
	});

	it('a PostgreSQL store without a connection is a clear error naming the setting', async () => {
		const userDir = tempDir();
		await deploy(nr, userDir, [{ id: 'q', store: 'pg' }], [{ id: 'pg', type: STORE, storeType: 'postgres' }]);
		const { error } = await fails(nr, 'q', { payload: Date.now() });
		assert.equal(error.code, 'INVALID_QUEUE_INPUT');
		assert.match(error.message, /Connection/);
	});
});
