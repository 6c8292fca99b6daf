/**
 * Schedule Queue through n8n's real engine (n8n-core WorkflowExecute, the package loaded from dist by
 * PackageDirectoryLoader): the Power Automate process of seed 000 as node runs — enqueue a draft,
 * approve it, claim what is due, report the send, read the log — on the embedded store (a PGlite
 * folder per suite under a temp dir), and on a real PostgreSQL server started for this file through
 * both credential kinds (n8n's built-in Postgres credential and our connection-string credential),
 * plus the credential's connection test with good and bad credentials.
 *
 * Needs a built dist (`npm test` builds first).
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ICredentialDataDecryptedObject, IDataObject, INodeCredentialTestResult, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';
import { jsonItems, loadPackage, runNode, type CredentialsMap, type SingleNodeResult } from '../support/n8n-harness';
import { PACKAGE_ROOT } from '../support/pack';
import { freePort, waitFor } from '../support/net';
import { usePostgres, type PostgresCluster } from '../support/postgres';

const NODE = 'scheduleQueue';
const CREDENTIAL_TEST = 'switchboardPostgresConnectionTest';

/** Every queue the node opened lives in the dist's per-process registry (the engine runs dist): close them all at the end. */
async function closeOpenQueues(): Promise<void> {
	const host = require(join(PACKAGE_ROOT, 'dist', 'nodes', 'shared', 'queue-host.js')) as typeof import('../../nodes/shared/queue-host');
	await host.closeAllQueues();
}
// Registered before usePostgres(), so the pools are closed before the server stops.
after(closeOpenQueues);

const root = mkdtempSync(join(tmpdir(), 'switchboard-n8n-queue-'));

/**
 * An embedded store in a folder of its own. Creating one costs a few seconds (PGlite initialises a
 * database cluster), so suites share a store and keep out of each other's way by channel, client or
 * message id wherever they claim or count.
 */
function embeddedStore(name: string): INodeParameters {
	return { storeType: 'embedded', storeOptions: { storeFolder: join(root, name) } };
}

interface QueueRun {
	store: INodeParameters;
	parameters: INodeParameters;
	input?: INodeExecutionData[];
	credentials?: CredentialsMap;
	continueOnFail?: boolean;
	timezone?: string;
}

function queueNode({ store, parameters, input = jsonItems({}), credentials, continueOnFail, timezone }: QueueRun): Promise<SingleNodeResult> {
	return runNode({
		nodeType: NODE,
		parameters: { ...store, ...parameters },
		input,
		credentials,
		continueOnFail,
		...(timezone ? { settings: { timezone } } : {}),
	});
}

/** Runs the node and fails the test with the node's own error when it stopped. */
async function ok(run: QueueRun): Promise<IDataObject[]> {
	const result = await queueNode(run);
	assert.equal(result.error, undefined, `the node failed: ${result.error?.message} — ${String(result.error?.description)}`);
	return result.items.map((item) => item.json);
}

function pairedIndexes(items: INodeExecutionData[]): number[] {
	return items.map((item) => {
		const paired = item.pairedItem;
		assert.ok(paired && typeof paired === 'object' && !Array.isArray(paired), 'every item is paired with one input item');
		return paired.item;
	});
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function emailInput(n: number, extra: IDataObject = {}): INodeExecutionData[] {
	return Array.from({ length: n }, (_, i) =>
		({
			json: {
				channel: 'email',
				recipient: `client${i}@example.net`,
				subject: `Session summary ${i}`,
				body: `Thank you for today's session (${i}).`,
				sendTime: minutesAgo(30 - i),
				sessionId: `session-${i}`,
				...extra,
			},
		}) satisfies INodeExecutionData,
	);
}

// ---------------------------------------------------------------------------------------------------

describe('Schedule Queue (n8n engine): node description and defaults', () => {
	test('a new node is the processor step: Claim Due, batch 50, lease 300 s, embedded store', async () => {
		const pkg = await loadPackage();
		const type = pkg.nodeTypes.get(`${pkg.packageName}.${NODE}`) as INodeType;
		assert.ok(type, 'the node is loaded from package.json by n8n');
		const defaults = NodeHelpers.getNodeParameters(type.description.properties, {}, true, false, null, type.description) ?? {};
		assert.equal(defaults.operation, 'claimDue');
		assert.equal(defaults.batchSize, 50);
		assert.equal(defaults.leaseSeconds, 300);
		assert.equal(defaults.storeType, 'embedded');
		// Credentials only when PostgreSQL is chosen; ours has the programmatic connection test.
		const credentials = type.description.credentials ?? [];
		assert.deepEqual(
			credentials.map((c) => c.name),
			['postgres', 'switchboardPostgres', 'switchboardApprovalApi'],
		);
		// The approval credential is asked for only by the two approval operations.
		assert.deepEqual(credentials.find((c) => c.name === 'switchboardApprovalApi')?.displayOptions, { show: { operation: ['approvalLinks', 'approvalRequest'] } });
		assert.equal(credentials.find((c) => c.name === 'switchboardPostgres')?.testedBy, CREDENTIAL_TEST);
		assert.equal(typeof type.methods?.credentialTest?.[CREDENTIAL_TEST], 'function');
		assert.ok(pkg.credentialTypes.has('switchboardPostgres'), 'the credential is loaded from package.json');
		// Channel Send ("Complete in Schedule Queue") and Delivery Webhook ("Update Schedule Queue") take it too.
		assert.deepEqual(pkg.supportedNodes.get('switchboardPostgres'), [`${pkg.packageName}.${NODE}`, `${pkg.packageName}.channelSend`, `${pkg.packageName}.deliveryWebhook`]);
	});

	test('with no parameters at all, it claims due messages from the embedded store in the n8n user folder', async () => {
		const defaultFolder = join(process.env.N8N_USER_FOLDER!, '.n8n', 'switchboard', 'queue');
		// Two approved, due messages and one draft, enqueued into the default store.
		await ok({ store: {}, parameters: { operation: 'enqueue', initialStatus: 'approved' }, input: emailInput(2) });
		await ok({ store: {}, parameters: { operation: 'enqueue' }, input: emailInput(1) });
		assert.ok(existsSync(defaultFolder), `the default store is ${defaultFolder}`);

		const result = await runNode({ nodeType: NODE, parameters: {}, input: jsonItems({ tick: 1 }) });
		assert.equal(result.error, undefined);
		assert.equal(result.items.length, 2, 'one item per claimed message; the draft waits for approval');
		for (const item of result.items) assert.equal(item.json.status, 'sending');
		assert.deepEqual(pairedIndexes(result.items), [0, 0]);
	});
});

const mainStore = embeddedStore('main');

describe('Schedule Queue (n8n engine): the seed 000 process on the embedded store', () => {
	const store = mainStore;

	test('enqueue → approve → claim due → complete → get shows the attempt', async () => {
		const enqueued = await queueNode({ store, parameters: { operation: 'enqueue', enqueueFields: { sessionId: '={{ $json.sessionId }}' } }, input: emailInput(2) });
		assert.equal(enqueued.error, undefined);
		assert.deepEqual(pairedIndexes(enqueued.items), [0, 1]);
		const drafts = enqueued.items.map((i) => i.json);
		for (const [i, draft] of drafts.entries()) {
			assert.equal(draft.status, 'draft');
			assert.equal(draft.created, true);
			assert.equal(draft.channel, 'email');
			assert.equal(draft.recipient, `client${i}@example.net`);
			assert.equal(draft.subject, `Session summary ${i}`);
			assert.equal(draft.sessionId, `session-${i}`);
			assert.equal(typeof draft.id, 'string');
		}

		// Drafts are not due: nothing claimed → no items, and the rest of a flow would not run.
		const early = await queueNode({ store, parameters: {} });
		assert.equal(early.error, undefined);
		assert.equal(early.items.length, 0);

		const approved = await ok({ store, parameters: { operation: 'approve', approvedBy: 'dana.ortiz@example.com', approvalNote: 'checked' }, input: jsonItems(...drafts) });
		for (const message of approved) {
			assert.equal(message.status, 'approved');
			assert.equal(message.approvedBy, 'dana.ortiz@example.com');
			assert.equal(message.approvalNote, 'checked');
			assert.equal(typeof message.approvedAt, 'string');
		}

		const claimed = await queueNode({ store, parameters: { operation: 'claimDue' } });
		assert.equal(claimed.error, undefined);
		assert.deepEqual(
			claimed.items.map((i) => i.json.id),
			drafts.map((d) => d.id),
			'both, oldest send time first',
		);
		for (const item of claimed.items) {
			assert.equal(item.json.status, 'sending');
			assert.equal(item.json.attemptCount, 1);
			assert.equal(typeof item.json.leaseExpiresAt, 'string');
		}
		// A second processor run while the lease lasts gets nothing.
		assert.equal((await ok({ store, parameters: {} })).length, 0);

		// The send step's output: the claimed message plus what the provider answered.
		const sent = claimed.items.map((item, i) => ({ ...item.json, provider: 'sendgrid', externalId: `sg-${i}` }));
		const completed = await ok({
			store,
			parameters: { operation: 'complete', attemptDetails: { responseTimeMs: 120, cost: 0.001, costCurrency: 'USD' } },
			input: jsonItems(...sent),
		});
		for (const [i, message] of completed.entries()) {
			assert.equal(message.status, 'sent');
			assert.equal(message.provider, 'sendgrid');
			assert.equal(message.externalId, `sg-${i}`);
			assert.equal(typeof message.processedTime, 'string');
			assert.equal(message.leaseOwner, null);
		}

		const [got] = await ok({ store, parameters: { operation: 'get', messageId: String(drafts[1]!.id) } });
		assert.equal(got!.status, 'sent');
		const attempts = got!.attempts as IDataObject[];
		assert.equal(attempts.length, 1);
		assert.equal(attempts[0]!.attemptNumber, 1);
		assert.equal(attempts[0]!.success, true);
		assert.equal(attempts[0]!.provider, 'sendgrid');
		assert.equal(attempts[0]!.externalId, 'sg-1');
		assert.equal(attempts[0]!.responseTimeMs, 120);
		assert.equal(attempts[0]!.channel, 'email');
	});

	test('reject records who and why; approving a rejected message is a NodeOperationError naming the item, and writes nothing', async () => {
		const [a, b] = await ok({ store, parameters: { operation: 'enqueue' }, input: emailInput(2, { sendTime: minutesAgo(1) }) });
		const [rejected] = await ok({ store, parameters: { operation: 'reject', rejectedBy: 'sam@example.com', rejectionReason: 'Wrong recipient' }, input: jsonItems(b!) });
		assert.equal(rejected!.status, 'cancelled');
		assert.equal(rejected!.rejectedBy, 'sam@example.com');
		assert.equal(rejected!.rejectionReason, 'Wrong recipient');

		const result = await queueNode({ store, parameters: { operation: 'approve', approvedBy: 'dana' }, input: jsonItems(a!, b!) });
		assert.ok(result.error, 'the node stops');
		assert.equal(result.error.name, 'NodeOperationError');
		assert.equal((result.error.context as IDataObject).itemIndex, 1, 'the second item failed');
		assert.equal((result.error.context as IDataObject).code, 'ILLEGAL_TRANSITION');
		assert.match(result.error.message, /cancelled/);
		assert.match(String(result.error.description), /final/);

		const [after] = await ok({ store, parameters: { operation: 'get', messageId: String(b!.id) } });
		assert.equal(after!.status, 'cancelled', 'the illegal change wrote nothing');
		assert.equal(after!.approvedBy, null);
	});

	test('Continue On Fail: each bad item becomes { error, code, hint } paired with its input; the good ones go on', async () => {
		const [draft, other] = await ok({ store, parameters: { operation: 'enqueue' }, input: emailInput(2, { sendTime: minutesAgo(1) }) });
		await ok({ store, parameters: { operation: 'reject', rejectedBy: 'sam' }, input: jsonItems(other!) });
		const result = await queueNode({
			store,
			parameters: { operation: 'approve', approvedBy: '={{ $json.who }}' },
			input: jsonItems({ id: draft!.id, who: 'dana' }, { id: '00000000-0000-4000-8000-000000000000', who: 'dana' }, { id: other!.id, who: 'dana' }, { id: draft!.id }),
			continueOnFail: true,
		});
		assert.equal(result.error, undefined);
		assert.deepEqual(pairedIndexes(result.items), [0, 1, 2, 3]);
		const [good, missing, illegal, noApprover] = result.items.map((i) => i.json);
		assert.equal(good!.status, 'approved');
		assert.equal(missing!.code, 'MESSAGE_NOT_FOUND');
		assert.match(String(missing!.error), /00000000-0000-4000-8000-000000000000/);
		assert.equal(typeof missing!.hint, 'string');
		assert.equal(illegal!.code, 'ILLEGAL_TRANSITION');
		assert.equal(noApprover!.code, 'INVALID_PARAMETER');
		assert.match(String(noApprover!.error), /Approved By/);
		assert.match(String(noApprover!.hint), /who approves/);
	});

	test('Enqueue from the whole item (seed column names too); an idempotency key makes a repeat a no-op', async () => {
		const row = {
			message_type: 'sms',
			recipient: '+447700900321',
			body: 'Your appointment is tomorrow at 10:00',
			send_time: '2030-01-15T09:00:00Z',
			session_id: 'S-77',
			client_id: 'C-12',
			template: 'reminder',
			status: 'revised',
			idempotencyKey: 'S-77:reminder',
			metadata: { campaign: 'spring' },
		};
		const [first] = await ok({ store, parameters: { operation: 'enqueue', enqueueSource: 'item' }, input: jsonItems(row) });
		assert.equal(first!.created, true);
		assert.equal(first!.channel, 'sms');
		assert.equal(first!.status, 'approved', '"revised" is stored as approved');
		assert.equal(first!.sendTime, '2030-01-15T09:00:00.000Z');
		assert.equal(first!.sessionId, 'S-77');
		assert.equal(first!.clientId, 'C-12');
		assert.equal(first!.template, 'reminder');
		assert.deepEqual(first!.metadata, { campaign: 'spring' });

		const [again] = await ok({ store, parameters: { operation: 'enqueue', enqueueSource: 'item' }, input: jsonItems({ ...row, body: 'changed' }) });
		assert.equal(again!.created, false);
		assert.equal(again!.id, first!.id);
		assert.equal(again!.body, row.body, 'the existing message is returned unchanged');

		const missing = await queueNode({ store, parameters: { operation: 'enqueue', enqueueSource: 'item' }, input: jsonItems({ channel: 'sms' }) });
		assert.equal(missing.error?.name, 'NodeOperationError');
		assert.match(missing.error!.message, /recipient/);
		assert.match(String(missing.error!.description), /recipient/);
	});

	test('Reschedule reads a time without offset in the workflow time zone', async () => {
		const [draft] = await ok({ store, parameters: { operation: 'enqueue' }, input: emailInput(1, { sendTime: '2030-03-01T10:00:00Z' }) });
		const [moved] = await ok({
			store,
			parameters: { operation: 'reschedule', newSendTime: '2030-06-01T09:00:00', changedBy: 'dana' },
			input: jsonItems(draft!),
			timezone: 'Europe/Berlin',
		});
		assert.equal(moved!.sendTime, '2030-06-01T07:00:00.000Z', '09:00 in Berlin (CEST, UTC+2)');
		const bad = await queueNode({ store, parameters: { operation: 'reschedule', newSendTime: 'next tuesday' }, input: jsonItems(draft!) });
		assert.equal(bad.error?.name, 'NodeOperationError');
		assert.match(bad.error!.message, /New Send Time/);
	});
});

describe('Schedule Queue (n8n engine): List pages through the cursor', () => {
	const store = mainStore;

	test('Return All reads every page; Limit stops early; filters apply', async () => {
		const input = emailInput(7, { clientId: 'paging' });
		const enqueued = await ok({ store, parameters: { operation: 'enqueue', enqueueFields: { clientId: '={{ $json.clientId }}' } }, input });
		await ok({ store, parameters: { operation: 'enqueue' }, input: emailInput(2, { channel: 'sms', recipient: '+15550001111' }) });
		const ids = enqueued.map((m) => m.id);

		// Page size 3: 7 messages need three queries; a node that did not follow the cursor would return 3.
		const all = await queueNode({ store, parameters: { operation: 'list', returnAll: true, listFilters: { clientId: 'paging' }, listOptions: { pageSize: 3 } } });
		assert.equal(all.error, undefined);
		assert.deepEqual(
			all.items.map((i) => i.json.id),
			ids,
			'every message, in send-time order',
		);
		assert.deepEqual(pairedIndexes(all.items), Array(7).fill(0));

		const limited = await ok({ store, parameters: { operation: 'list', limit: 5, listFilters: { clientId: 'paging' }, listOptions: { pageSize: 2 } } });
		assert.deepEqual(
			limited.map((m) => m.id),
			ids.slice(0, 5),
		);

		// The whole-item test's SMS is approved: only this suite's two drafts match.
		const sms = await ok({ store, parameters: { operation: 'list', returnAll: true, listFilters: { channel: 'sms', status: ['draft'] } } });
		assert.equal(sms.length, 2);
		assert.ok(sms.every((m) => m.channel === 'sms'));
		const none = await ok({ store, parameters: { operation: 'list', returnAll: true, listFilters: { clientId: 'paging', status: ['sent'] } } });
		assert.equal(none.length, 0);
	});
});

describe('Schedule Queue (n8n engine): failures, retries, stats and the log', () => {
	const store = embeddedStore('retries');

	async function claimOne(): Promise<IDataObject> {
		const claimed = await ok({ store, parameters: { operation: 'claimDue', batchSize: 1 } });
		assert.equal(claimed.length, 1, 'one message is due');
		return claimed[0]!;
	}

	test('Fail with retry: approved again after the computed delay; then attempts run out → dead; the log has both', async () => {
		const [message] = await ok({ store, parameters: { operation: 'enqueue', initialStatus: 'approved' }, input: emailInput(1, { channel: 'sms', recipient: '+15550002222' }) });

		// First failure: exponential from 60 s, no jitter → next attempt exactly 60 s after the failure.
		const claimed = await claimOne();
		assert.equal(claimed.id, message!.id);
		const [retrying] = await ok({
			store,
			parameters: { operation: 'fail', retryStrategy: 'exponential', initialDelaySeconds: 60, jitter: 0, maxAttempts: 2 },
			// What a send step with "On Error: Continue" outputs, plus the message id.
			input: jsonItems({ id: claimed.id, error: { message: 'Provider timeout' }, code: 'ETIMEDOUT', provider: 'twilio' }),
		});
		assert.equal(retrying!.status, 'approved');
		assert.equal(retrying!.attemptCount, 1);
		assert.equal(retrying!.errorMessage, 'Provider timeout');
		assert.equal(retrying!.errorCode, 'ETIMEDOUT');
		assert.equal(Date.parse(String(retrying!.nextAttemptAt)) - Date.parse(String(retrying!.updatedAt)), 60_000);
		assert.equal((await ok({ store, parameters: {} })).length, 0, 'not due again before the next attempt time');
	});

	test('Fail: retry with no delay is due again at once; the last allowed attempt failing makes it dead', async () => {
		const [message] = await ok({ store, parameters: { operation: 'enqueue', initialStatus: 'approved' }, input: emailInput(1, { channel: 'whatsapp', recipient: '+15550003333' }) });
		const failParameters = { operation: 'fail', errorMessage: 'HTTP 503', retryStrategy: 'linear', initialDelaySeconds: 0, maxAttempts: 2 };

		const claimAll = async () => (await ok({ store, parameters: { operation: 'claimDue' } })).filter((m) => m.id === message!.id);
		let [claimed] = await claimAll();
		assert.ok(claimed, 'claimed once');
		const [first] = await ok({ store, parameters: failParameters, input: jsonItems(claimed!) });
		assert.equal(first!.status, 'approved');
		[claimed] = await claimAll();
		assert.ok(claimed, 'due again at once');
		assert.equal(claimed!.attemptCount, 2);
		const [second] = await ok({ store, parameters: failParameters, input: jsonItems(claimed!) });
		assert.equal(second!.status, 'dead', 'attempts exhausted');

		const [got] = await ok({ store, parameters: { operation: 'get' }, input: jsonItems({ id: message!.id }) });
		const attempts = got!.attempts as IDataObject[];
		assert.deepEqual(
			attempts.map((a) => [a.attemptNumber, a.success, a.errorMessage]),
			[
				[1, false, 'HTTP 503'],
				[2, false, 'HTTP 503'],
			],
		);
	});

	test('Fail, not retryable → dead at once', async () => {
		const [message] = await ok({ store, parameters: { operation: 'enqueue', initialStatus: 'approved' }, input: emailInput(1, { channel: 'telegram', recipient: '123456' }) });
		const claimed = (await ok({ store, parameters: { operation: 'claimDue' } })).find((m) => m.id === message!.id);
		assert.ok(claimed);
		const [dead] = await ok({ store, parameters: { operation: 'fail', errorMessage: 'chat not found', errorCode: '400', retryable: false }, input: jsonItems(claimed!) });
		assert.equal(dead!.status, 'dead');
		assert.equal(dead!.nextAttemptAt, null);
	});

	test('Stats per channel over a period; Purge Log removes old attempts only', async () => {
		const [mail, old] = await ok({
			store,
			parameters: { operation: 'enqueue', initialStatus: 'approved' },
			input: [...emailInput(1, { channel: 'googlechat', recipient: 'spaces/AAA' }), ...emailInput(1, { channel: 'rcs', recipient: '+15550004444' })],
		});
		for (const channel of ['googlechat', 'rcs']) {
			assert.equal((await ok({ store, parameters: { claimOptions: { channel } } })).length, 1, `the ${channel} message is claimed`);
		}
		await ok({
			store,
			parameters: { operation: 'complete', provider: 'google', externalId: 'gc-9', attemptDetails: { responseTimeMs: 200, cost: 0.5, costCurrency: 'USD', fallbackReason: 'primary_failed' } },
			input: jsonItems({ id: mail!.id }),
		});
		// An attempt dated 10 days ago: outside the default period, and old enough to purge.
		await ok({
			store,
			parameters: { operation: 'fail', errorMessage: 'carrier rejected', retryable: false, provider: 'twilio', attemptDetails: { responseTimeMs: 100, attemptedAt: new Date(Date.now() - 10 * 86_400_000).toISOString() } },
			input: jsonItems({ id: old!.id }),
		});

		// Default period: the last 7 days until now (expressions).
		const [chat, ...more] = await ok({ store, parameters: { operation: 'stats', statsChannel: 'googlechat' } });
		assert.equal(more.length, 0);
		assert.equal(chat!.channel, 'googlechat');
		assert.equal(chat!.totalAttempts, 1);
		assert.equal(chat!.successfulAttempts, 1);
		assert.equal(chat!.failedAttempts, 0);
		assert.equal(chat!.successRate, 100);
		assert.equal(chat!.averageResponseTimeMs, 200);
		assert.equal(chat!.totalCost, 0.5);
		assert.equal(chat!.fallbackCount, 1);
		const [quiet] = await ok({ store, parameters: { operation: 'stats', statsChannel: 'rcs' } });
		assert.equal(quiet!.totalAttempts, 0, 'the old attempt is outside the default period (a channel asked for is answered even when quiet)');

		const wide = { periodFrom: minutesAgo(30 * 24 * 60), periodTo: minutesAgo(-60) };
		const [rcs] = await ok({ store, parameters: { operation: 'stats', ...wide, statsChannel: 'rcs' } });
		assert.equal(rcs!.totalAttempts, 1);
		assert.equal(rcs!.failedAttempts, 1);
		assert.equal(rcs!.successRate, 0);
		const channels = (await ok({ store, parameters: { operation: 'stats', ...wide } })).map((r) => r.channel);
		for (const channel of ['googlechat', 'rcs', 'sms', 'whatsapp', 'telegram']) assert.ok(channels.includes(channel), `one item per channel with attempts: ${channel}`);

		const [purged] = await ok({ store, parameters: { operation: 'purgeLog', olderThanDays: 5 } });
		assert.equal(purged!.purged, 1, 'only the 10-day-old attempt');
		const [got] = await ok({ store, parameters: { operation: 'get', messageId: String(old!.id) } });
		assert.equal((got!.attempts as IDataObject[]).length, 0);
		assert.equal(got!.status, 'dead', 'the message itself stays');
		assert.equal((await ok({ store, parameters: { operation: 'stats', ...wide, statsChannel: 'googlechat' } }))[0]!.totalAttempts, 1, 'recent attempts stay');
	});

	test('Release Expired Leases puts a message whose run stopped back in the queue', async () => {
		const [message] = await ok({ store, parameters: { operation: 'enqueue', initialStatus: 'approved' }, input: emailInput(1, { channel: 'webchat', recipient: 'visitor-1' }) });
		const [claimed] = await ok({ store, parameters: { operation: 'claimDue', leaseSeconds: 1, claimOptions: { channel: 'webchat' } } });
		assert.equal(claimed!.id, message!.id);
		// The run "crashed": nobody reports. Once the lease has expired, the message is released.
		let released = 0;
		await waitFor(
			async () => {
				const [out] = await ok({ store, parameters: { operation: 'releaseExpiredLeases' } });
				released += Number(out!.released);
				return released > 0;
			},
			30_000,
			'the lease to expire',
		);
		assert.equal(released, 1);
		const [got] = await ok({ store, parameters: { operation: 'get', messageId: String(message!.id) } });
		assert.equal(got!.status, 'approved');
		assert.equal(got!.leaseOwner, null);
		assert.equal((await ok({ store, parameters: { claimOptions: { channel: 'webchat' } } })).length, 1, 'claimable again');
	});
});

// ---------------------------------------------------------------------------------------------------
// PostgreSQL: both credential kinds and the credential test

const PASSWORD = 'S3cret-Pa55word!';
const pg = usePostgres({ settings: { hba_file: hbaFile() } });

/** pg_hba.conf: the maintenance user by trust (the cluster helper), everyone else by password. */
function hbaFile(): string {
	const dir = mkdtempSync(join(tmpdir(), 'switchboard-hba-'));
	chmodSync(dir, 0o755);
	const file = join(dir, 'pg_hba.conf');
	writeFileSync(
		file,
		['local all postgres trust', 'host all postgres 127.0.0.1/32 trust', 'local all all scram-sha-256', 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'),
	);
	chmodSync(file, 0o644);
	return file;
}

describe('Schedule Queue (n8n engine): PostgreSQL', () => {
	let cluster: PostgresCluster;
	let database: string;
	let builtIn: ICredentialDataDecryptedObject;
	let connectionString: string;
	const postgresStore = (credential: 'postgres' | 'switchboardPostgres'): INodeParameters => ({ storeType: 'postgres', postgresCredential: credential });

	before(async () => {
		cluster = pg();
		database = (await cluster.createDatabase()).name;
		await cluster.query(`CREATE ROLE switchboard LOGIN PASSWORD '${PASSWORD}'`);
		await cluster.query(`ALTER DATABASE "${database}" OWNER TO switchboard`);
		builtIn = { host: '127.0.0.1', port: cluster.port, database, user: 'switchboard', password: PASSWORD, ssl: 'disable', allowUnauthorizedCerts: false, maxConnections: 100, sshTunnel: false };
		connectionString = `postgresql://switchboard:${encodeURIComponent(PASSWORD)}@127.0.0.1:${cluster.port}/${database}`;
	});

	test("n8n's built-in Postgres credential: enqueue, claim, complete — the rows are in the server", async () => {
		const credentials = { postgres: builtIn };
		const store = postgresStore('postgres');
		const [message] = await ok({ store, credentials, parameters: { operation: 'enqueue', initialStatus: 'approved' }, input: emailInput(1) });
		const claimed = await ok({ store, credentials, parameters: {} });
		assert.deepEqual(
			claimed.map((m) => m.id),
			[message!.id],
		);
		await ok({ store, credentials, parameters: { operation: 'complete', provider: 'sendgrid', externalId: 'pg-1' }, input: jsonItems(claimed[0]!) });
		const tables = await cluster.query<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`, [], database);
		assert.ok(tables[0]!.n >= 2, 'the queue created its tables in the credential\'s database');
		const [got] = await ok({ store, credentials, parameters: { operation: 'get', messageId: String(message!.id) } });
		assert.equal(got!.status, 'sent');
		assert.equal((got!.attempts as IDataObject[])[0]!.externalId, 'pg-1');
	});

	test('the connection-string credential reaches the same queue', async () => {
		const credentials = { switchboardPostgres: { connectionString, ssl: 'disable', maxConnections: 3 } };
		const store = postgresStore('switchboardPostgres');
		const [message] = await ok({ store, credentials, parameters: { operation: 'enqueue', idempotencyKey: 'x' }, input: emailInput(1, { recipient: 'via-url@example.net' }) });
		const listed = await ok({ store: postgresStore('postgres'), credentials: { postgres: builtIn }, parameters: { operation: 'list', returnAll: true, listFilters: { recipient: 'via-url@example.net' } } });
		assert.deepEqual(
			listed.map((m) => m.id),
			[message!.id],
		);
		const sentBefore = await ok({ store, credentials, parameters: { operation: 'list', returnAll: true, listFilters: { status: ['sent'] } } });
		assert.equal(sentBefore.length, 1, 'and sees what the built-in credential wrote');
	});

	test('a wrong password stops the node with a clear error that never shows the secret', async () => {
		const wrong = 'Wr0ng-Secret-Value';
		const byFields = await queueNode({ store: postgresStore('postgres'), credentials: { postgres: { ...builtIn, password: wrong } }, parameters: { operation: 'list' } });
		assert.equal(byFields.error?.name, 'NodeOperationError');
		assert.match(byFields.error!.message, /authentication failed|password/i);
		const byUrl = await queueNode({
			store: postgresStore('switchboardPostgres'),
			credentials: { switchboardPostgres: { connectionString: connectionString.replace(encodeURIComponent(PASSWORD), wrong), ssl: 'disable' } },
			parameters: { operation: 'list' },
			continueOnFail: true,
		});
		assert.equal(byUrl.error, undefined);
		assert.equal(byUrl.items.length, 1);
		for (const shown of [JSON.stringify(byFields.error), byFields.error!.message, String(byFields.error!.description), JSON.stringify(byUrl.items[0]!.json)]) {
			assert.ok(!shown.includes(wrong), `no password in: ${shown}`);
			assert.ok(!shown.includes(PASSWORD));
		}
	});

	test('Hand Back Undelivered: a WhatsApp message still "sent" after N minutes goes back to the queue on SMS; a bad setting names the field', async () => {
		const credentials = { postgres: builtIn };
		const store = postgresStore('postgres');
		const [message] = await ok({
			store,
			credentials,
			parameters: { operation: 'enqueue', initialStatus: 'approved' },
			input: jsonItems({ channel: 'whatsapp', recipient: 'whatsapp:+15550007777', body: 'Your appointment is tomorrow', sendTime: minutesAgo(30) }),
		});
		const [claimed] = await ok({ store, credentials, parameters: { operation: 'claimDue', claimOptions: { channel: 'whatsapp' } } });
		assert.equal(claimed!.id, message!.id);
		await ok({ store, credentials, parameters: { operation: 'complete', provider: 'whatsapp', externalId: 'wamid.n8n-1' }, input: jsonItems(claimed!) });
		const handBack = { operation: 'requeueUndelivered', undeliveredChannel: 'whatsapp', undeliveredMinutes: 10, fallbackChannel: 'sms', requeueOptions: { by: 'fallback-schedule' } };
		const [early] = await ok({ store, credentials, parameters: handBack });
		assert.deepEqual([early!.moved, early!.skipped], [[], []], 'sent just now: not yet');

		// Sent 15 minutes ago, and no delivery report came.
		await cluster.query(`UPDATE switchboard_scheduled_messages SET processed_time = now() - interval '15 minutes' WHERE id = $1`, [message!.id], database);
		const [result] = await ok({ store, credentials, parameters: handBack });
		const moved = result!.moved as IDataObject[];
		assert.deepEqual(
			moved.map((m) => [m.id, m.status, m.channel, m.recipient, m.errorCode]),
			[[message!.id, 'approved', 'sms', '+15550007777', 'UNDELIVERED']],
		);
		assert.deepEqual(result!.skipped, []);
		const [got] = await ok({ store, credentials, parameters: { operation: 'get', messageId: String(message!.id) } });
		const log = (got!.attempts as IDataObject[]).at(-1)!;
		assert.deepEqual([log.status, log.channel, log.externalId, log.fallbackReason], ['undelivered', 'whatsapp', 'wamid.n8n-1', 'undelivered_after: 10m whatsapp → sms']);
		const [again] = await ok({ store, credentials, parameters: { operation: 'claimDue', claimOptions: { channel: 'sms' } } });
		assert.deepEqual([again!.id, again!.channel], [message!.id, 'sms'], 'the next Claim Due hands it to the SMS route');

		const refused = await queueNode({ store, credentials, parameters: { ...handBack, fallbackChannel: 'whatsapp' } });
		assert.equal(refused.error?.name, 'NodeOperationError');
		assert.match(`${refused.error!.message} ${String(refused.error!.description)}`, /fallbackChannel.*must differ from channel/);
	});

	test('the credential test connects with pg: OK for good credentials; host, password and database problems explained', async () => {
		const pkg = await loadPackage();
		const type = pkg.nodeTypes.get(`${pkg.packageName}.${NODE}`) as INodeType;
		const testFn = type.methods!.credentialTest![CREDENTIAL_TEST]!;
		const check = (type: string, data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> =>
			testFn.call({} as never, { id: 'c1', name: 'test', type, data });

		const good = await check('switchboardPostgres', { connectionString, ssl: 'disable' });
		assert.equal(good.status, 'OK', good.message);
		assert.ok(!good.message.includes(PASSWORD));
		assert.equal((await check('postgres', builtIn)).status, 'OK', 'the built-in credential shape works too');

		const cases: Array<[string, ICredentialDataDecryptedObject, RegExp]> = [
			['wrong password', { connectionString: connectionString.replace(encodeURIComponent(PASSWORD), 'nope-nope'), ssl: 'disable' }, /Authentication failed for user "switchboard"/],
			['missing database', { connectionString: connectionString.replace(`/${database}`, '/no_such_db'), ssl: 'disable' }, /database "no_such_db" does not exist/],
			['nothing listening', { connectionString: connectionString.replace(`:${cluster.port}/`, `:${await freePort()}/`), ssl: 'disable' }, /Cannot reach the database/],
			['not a URL', { connectionString: 'host=localhost dbname=x', ssl: 'disable' }, /does not start with postgresql:\/\//],
		];
		for (const [what, data, expected] of cases) {
			const result = await check('switchboardPostgres', data);
			assert.equal(result.status, 'Error', what);
			assert.match(result.message, expected, what);
			assert.ok(!result.message.includes('nope-nope') && !result.message.includes(PASSWORD), `${what}: no secret in "${result.message}"`);
		}
	});
});

// ---------------------------------------------------------------------------------------------------

describe('Schedule Queue (n8n engine): approval links and the approval page', () => {
	const store = embeddedStore('approval');
	const BASE = 'https://n8n.example.com/webhook/switchboard/approval';
	const approval = { switchboardApprovalApi: { signingSecret: 'n8n-approval-secret-0123456789-abcdefghij', baseUrl: BASE, linkTtlHours: 72 } };
	/** The credential type as n8n loads it (until package.json lists it, from dist directly). */
	const credentialType = () => {
		const { SwitchboardApprovalApi } = require(join(PACKAGE_ROOT, 'dist', 'credentials', 'SwitchboardApprovalApi.credentials.js')) as typeof import('../../credentials/SwitchboardApprovalApi.credentials');
		return new SwitchboardApprovalApi();
	};
	/** The item n8n's Webhook node (v2) outputs: no method field. */
	const webhookItem = (query: IDataObject, body: IDataObject) => jsonItems({ headers: { host: 'n8n.example.com', 'content-type': 'application/x-www-form-urlencoded' }, params: {}, query, body, webhookUrl: BASE, executionMode: 'production' });

	test('Approval Links makes one digest item of the drafts; Approval Request shows on GET and decides only on POST', async () => {
		const type = credentialType();
		assert.equal(type.name, 'switchboardApprovalApi');
		assert.deepEqual(type.properties.map((p) => [p.name, p.default]), [['signingSecret', ''], ['baseUrl', ''], ['linkTtlHours', 72]]);
		assert.equal((type as { test?: unknown }).test, undefined, 'no remote API: no test request');

		const drafts = await ok({ store, parameters: { operation: 'enqueue' }, input: emailInput(2, { clientId: 'approval-client' }) });
		await ok({ store, parameters: { operation: 'enqueue', initialStatus: 'approved' }, input: emailInput(1, { clientId: 'approval-client', sessionId: 'approved-one' }) });

		// Two input items (e.g. from a trigger and a merge): still one digest, paired with both.
		const result = await queueNode({ store, parameters: { operation: 'approvalLinks', reviewer: 'dana.ortiz@example.com' }, input: jsonItems({ tick: 1 }, { tick: 2 }), credentials: approval });
		assert.equal(result.error, undefined, result.error?.message);
		assert.equal(result.items.length, 1);
		assert.deepEqual(result.items[0]!.pairedItem, [{ item: 0 }, { item: 1 }]);
		const digest = result.items[0]!.json as unknown as { count: number; subject: string; html: string; text: string; links: Array<Record<string, string>> };
		assert.deepEqual(digest.links.map((l) => l.id).sort(), drafts.map((d) => d.id as string).sort(), 'exactly the drafts');
		assert.equal(digest.count, 2);
		assert.equal(digest.subject, '2 messages waiting for approval');
		for (const link of digest.links) {
			assert.deepEqual(Object.keys(link).sort(), ['approveUrl', 'channel', 'expiresAt', 'id', 'preview', 'recipient', 'rejectUrl', 'sendTime']);
			assert.ok(link.approveUrl!.startsWith(`${BASE}?token=`) && link.rejectUrl!.startsWith(`${BASE}?token=`));
			assert.ok(digest.html.includes(link.approveUrl!.replace(/&/g, '&amp;')) && digest.text.includes(link.rejectUrl!));
			const hoursAhead = (Date.parse(link.expiresAt!) - Date.now()) / 3_600_000;
			assert.ok(hoursAhead > 71.9 && hoursAhead <= 72, `links expire after the credential's 72 hours (${hoursAhead})`);
		}

		const target = digest.links.find((l) => l.id === drafts[0]!.id)!;
		const token = new URL(target.approveUrl!).searchParams.get('token')!;
		// GET (the reviewer opens the link): the confirmation page; the Method default says GET.
		const opened = await ok({ store, parameters: { operation: 'approvalRequest' }, input: webhookItem({ token }, {}), credentials: approval });
		assert.deepEqual([opened[0]!.statusCode, opened[0]!.contentType, opened[0]!.page, opened[0]!.action], [200, 'text/html; charset=utf-8', 'confirm', undefined]);
		assert.match(opened[0]!.body as string, /Approve this message\?/);
		const [stillDraft] = await ok({ store, parameters: { operation: 'get', messageId: target.id } });
		assert.equal(stillDraft!.status, 'draft', 'opening the link changed nothing');

		// POST (the confirmation button): the form body carries the token, so the Method default says POST.
		const posted = await ok({ store, parameters: { operation: 'approvalRequest' }, input: webhookItem({}, { token, confirm: 'yes' }), credentials: approval });
		const action = posted[0]!.action as IDataObject;
		assert.deepEqual([posted[0]!.statusCode, posted[0]!.page, action.id, action.decision, action.by], [200, 'done', target.id, 'approved', 'dana.ortiz@example.com']);
		const [approved] = await ok({ store, parameters: { operation: 'get', messageId: target.id } });
		assert.deepEqual([approved!.status, approved!.approvedBy], ['approved', 'dana.ortiz@example.com']);

		const again = await ok({ store, parameters: { operation: 'approvalRequest' }, input: webhookItem({}, { token, confirm: 'yes' }), credentials: approval });
		assert.deepEqual([again[0]!.statusCode, again[0]!.page], [409, 'conflict']);
		// The list page (no token): the remaining draft only.
		const list = await ok({ store, parameters: { operation: 'approvalRequest' }, input: webhookItem({}, {}), credentials: approval });
		assert.equal(list[0]!.page, 'list');
		const other = drafts[1]!;
		assert.match(list[0]!.body as string, new RegExp(String(other.recipient).replace(/\./g, '\\.')));
		assert.doesNotMatch(list[0]!.body as string, new RegExp(String(target.recipient).replace(/\./g, '\\.')));
	});

	test('a short signing secret stops the node with an error naming signingSecret and the fix; a forged link is a 403 page', async () => {
		const short = { switchboardApprovalApi: { ...approval.switchboardApprovalApi, signingSecret: 'too-short-secret' } };
		const refused = await queueNode({ store, parameters: { operation: 'approvalLinks' }, credentials: short });
		assert.equal(refused.error?.name, 'NodeOperationError');
		const text = `${refused.error!.message} ${String(refused.error!.description)}`;
		assert.match(text, /signingSecret: is too short \(16 characters\)/);
		assert.match(text, /Switchboard Approval Links credential/);
		assert.ok(!text.includes('too-short-secret'), 'the secret itself is never shown');

		const forged = await ok({ store, parameters: { operation: 'approvalRequest', requestMethod: 'GET' }, input: webhookItem({ token: 'eyJtIjoieCJ9.c2lnbmF0dXJl' }, {}), credentials: approval });
		assert.deepEqual([forged[0]!.statusCode, forged[0]!.page], [403, 'invalid']);
	});
});
