/**
 * Channel Send through n8n's real engine (n8n-core WorkflowExecute, credentials from the harness's
 * credentials helper), sending to fake provider servers on 127.0.0.1 with the official SDKs really
 * talking HTTP: Twilio (twilio SDK) for SMS and WhatsApp, Telegram (telegraf's client), WhatsApp
 * Cloud API (undici). Covers sending a batch, provider fallback, dry run, Continue On Fail error
 * items, pairedItem, and completing claimed Schedule Queue messages with the attempts in the log
 * (embedded store in a temp folder).
 *
 * The node and credentials are loaded from the sources (tsx) as extra types of the harness, until the
 * lead lists the built ones in package.json.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ICredentialType, IDataObject, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';
import { SwitchboardTelegramApi } from '../../credentials/SwitchboardTelegramApi.credentials';
import { SwitchboardTwilioApi } from '../../credentials/SwitchboardTwilioApi.credentials';
import { SwitchboardWhatsAppApi } from '../../credentials/SwitchboardWhatsAppApi.credentials';
import { PROCESS_WORKER_ID } from '../../nodes/n8n/ScheduleQueue/actions/store';
import { closeAllQueues, leaseQueue } from '../../nodes/shared/queue-host';
import { runNode, type CredentialsMap, type SingleNodeResult } from '../support/n8n-harness';
import { MetaFake, graphError } from '../support/fakes/meta';
import { TELEGRAM_BOT_TOKEN, TelegramFake } from '../support/fakes/telegram';
import { TWILIO_TEST_SID, TWILIO_TEST_TOKEN, TwilioFake } from '../support/fakes/twilio';

// `…/ChannelSend.node` would resolve to ChannelSend.node.json (the codex file) at run time: name the source.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ChannelSend } = require('../../nodes/n8n/ChannelSend/ChannelSend.node.ts') as typeof import('../../nodes/n8n/ChannelSend/ChannelSend.node');

const NODE_TYPE = 'switchboardSource.channelSend';
const extraNodeTypes: Record<string, INodeType> = { [NODE_TYPE]: new ChannelSend() };
const extraCredentialTypes: ICredentialType[] = [new SwitchboardTwilioApi(), new SwitchboardTelegramApi(), new SwitchboardWhatsAppApi()];

const WHATSAPP = { accessToken: 'EAAWhatsAppTestToken0123456789', phoneNumberId: '106540352242922' };
const twilio = new TwilioFake();
const telegram = new TelegramFake();
const meta = new MetaFake({ whatsapp: WHATSAPP });

before(async () => {
	await Promise.all([twilio.start(), telegram.start(), meta.start()]);
});
after(async () => {
	await closeAllQueues();
	await Promise.all([twilio.stop(), telegram.stop(), meta.stop()]);
});
beforeEach(() => {
	twilio.reset();
	telegram.reset();
	meta.reset();
});

function credentials(): CredentialsMap {
	return {
		switchboardTwilioApi: { accountSid: TWILIO_TEST_SID, authToken: TWILIO_TEST_TOKEN, from: '+15005550006', messagingServiceSid: '', baseUrl: twilio.url },
		switchboardTelegramApi: { botToken: TELEGRAM_BOT_TOKEN, secretToken: '', baseUrl: telegram.url },
		switchboardWhatsAppApi: { ...WHATSAPP, apiVersion: 'v21.0', baseUrl: meta.url },
	};
}

let counter = 0;
function message(channel: string, to: string, text: string, extra: IDataObject = {}): IDataObject {
	return {
		schema: 'switchboard.message/v1',
		id: `out-${++counter}`,
		channel,
		provider: 'switchboard',
		direction: 'outbound',
		conversation: { id: to, type: 'direct' },
		recipients: [{ id: to }],
		timestamp: new Date().toISOString(),
		parts: [{ type: 'text', text }],
		metadata: {},
		...extra,
	};
}

interface SendRun {
	parameters: INodeParameters;
	input: INodeExecutionData[];
	continueOnFail?: boolean;
}

function channelSend({ parameters, input, continueOnFail }: SendRun): Promise<SingleNodeResult> {
	return runNode({
		nodeType: NODE_TYPE,
		parameters: { providers: ['twilio', 'telegram'], retryStrategy: 'none', sendOptions: { disableRateLimits: true, timeoutSeconds: 5 }, ...parameters },
		input,
		credentials: credentials(),
		continueOnFail,
		extraNodeTypes,
		extraCredentialTypes,
	});
}

async function ok(run: SendRun): Promise<IDataObject[]> {
	const result = await channelSend(run);
	assert.equal(result.error, undefined, `the node failed: ${result.error?.message} — ${String(result.error?.description)}`);
	return result.items.map((i) => i.json);
}

/** Messages the Twilio fake received in this test (its `accepted` list spans the file). */
function twilioSent(): URLSearchParams[] {
	return twilio.requests.filter((r) => r.method === 'POST' && r.form).map((r) => r.form!);
}

function paired(items: INodeExecutionData[]): number[] {
	return items.map((item) => (item.pairedItem as { item: number }).item);
}

const secrets = [TWILIO_TEST_TOKEN, TELEGRAM_BOT_TOKEN, TELEGRAM_BOT_TOKEN.split(':')[1]!, WHATSAPP.accessToken];
function assertNoSecrets(value: unknown): void {
	const text = JSON.stringify(value);
	for (const secret of secrets) assert.ok(!text.includes(secret), 'no credential secret in the output');
}

describe('Channel Send (n8n engine): sending', () => {
	test('a batch goes out through Twilio (SMS) and Telegram, one result per item, paired with its input', async () => {
		const result = await channelSend({
			parameters: {},
			input: [{ json: message('sms', '+14255550177', 'Your appointment is tomorrow at 10:00') }, { json: message('telegram', '123456789', 'Build 4812 passed') }],
		});
		assert.equal(result.error, undefined, result.error?.message);
		assert.deepEqual(paired(result.items), [0, 1]);
		const [sms, chat] = result.items.map((i) => i.json);
		assert.equal(sms!.status, 'queued');
		assert.equal(sms!.provider, 'twilio');
		assert.match(String(sms!.externalId), /^SM[0-9a-f]{32}$/);
		assert.equal((sms!.attempts as unknown[]).length, 1);
		assert.equal(chat!.status, 'sent');
		assert.equal(chat!.provider, 'telegram');
		assert.equal(chat!.externalId, '123456789:4121', 'chat id and message id');

		assert.equal(twilioSent().length, 1);
		assert.equal(twilioSent()[0]!.get('To'), '+14255550177');
		assert.equal(twilioSent()[0]!.get('From'), '+15005550006');
		assert.equal(twilioSent()[0]!.get('Body'), 'Your appointment is tomorrow at 10:00');
		const sent = telegram.calls('sendMessage');
		assert.equal(sent.length, 1);
		assert.equal((sent[0]!.json as IDataObject).text, 'Build 4812 passed');
		assertNoSecrets(result.items);
	});

	test('a message in a property of the item (Message Source: JSON Property)', async () => {
		const [out] = await ok({ parameters: { messageSource: 'property', messageProperty: 'data.message' }, input: [{ json: { data: { message: message('telegram', '123456789', 'Nested') } } }] });
		assert.equal(out!.status, 'sent');
		assert.equal(telegram.calls('sendMessage').length, 1);
	});

	test('fallback: WhatsApp Cloud API fails (503, retries off) and Twilio WhatsApp takes over', async () => {
		meta.next({ status: 503, body: { error: { message: 'Service temporarily unavailable', type: 'OAuthException', code: 2, fbtrace_id: 'Trace1' } } });
		const [out] = await ok({
			parameters: {
				providers: ['whatsapp', 'twilio'],
				routes: { route: [{ channel: 'whatsapp', primary: 'whatsapp', fallbacks: ['twilio'], failoverChannel: '' }] },
			},
			input: [{ json: message('whatsapp', '+447700900321', 'Your order has shipped') }],
		});
		assert.equal(out!.provider, 'twilio', JSON.stringify(out));
		assert.equal(out!.status, 'queued');
		const attempts = out!.attempts as IDataObject[];
		assert.deepEqual(
			attempts.map((a) => [a.provider, a.success]),
			[
				['whatsapp', false],
				['twilio', true],
			],
		);
		assert.match(String(attempts[1]!.fallbackReason), /^primary_failed/);
		assert.equal(meta.requests.length, 1);
		assert.equal(twilioSent().length, 1);
		assert.match(String(twilioSent()[0]!.get('To')), /^whatsapp:\+447700900321$/);
	});

	test('fallback after a permanent error of the primary (WhatsApp: recipient not on WhatsApp → Twilio)', async () => {
		meta.next(graphError(131026, 'Message undeliverable', { status: 400 }));
		const [out] = await ok({
			parameters: { providers: ['whatsapp', 'twilio'], retryStrategy: 'exponential', initialDelaySeconds: 0, maxDelaySeconds: 0, jitter: 0, maxAttempts: 3 },
			input: [{ json: message('whatsapp', '+447700900321', 'Hello') }],
		});
		// The permanent error is not retried with the same provider.
		assert.equal(meta.requests.length, 1);
		assert.equal(out!.provider, 'twilio', JSON.stringify(out));
	});

	test('Dry Run: checks and renders, returns the preview, and sends nothing', async () => {
		const result = await channelSend({
			parameters: { operation: 'dryRun' },
			input: [{ json: message('sms', '+14255550177', 'Preview me') }, { json: message('telegram', '123456789', 'And me') }],
		});
		assert.equal(result.error, undefined, result.error?.message);
		assert.deepEqual(paired(result.items), [0, 1]);
		for (const item of result.items) {
			assert.equal(item.json.status, 'dry_run');
			assert.deepEqual(item.json.attempts, []);
		}
		const preview = result.items[0]!.json.preview as IDataObject;
		assert.equal(preview.provider, 'twilio');
		assert.equal(preview.to, '+14255550177');
		assert.ok(Array.isArray(preview.payloads) && preview.payloads.length === 1);
		assert.equal(twilio.requests.length + telegram.requests.length + meta.requests.length, 0, 'nothing left the process');
	});
});

describe('Channel Send (n8n engine): failures', () => {
	test('Continue On Fail: a refused recipient becomes an error item with the provider code; the other items are sent', async () => {
		const result = await channelSend({
			continueOnFail: true,
			parameters: {},
			input: [
				{ json: message('sms', '+15005550001', 'Bad number') },
				{ json: message('sms', '+14255550177', 'Good number') },
				{ json: { not: 'a message' } },
			],
		});
		assert.equal(result.error, undefined);
		assert.deepEqual(paired(result.items), [0, 1, 2]);
		const [bad, good, invalid] = result.items.map((i) => i.json);
		assert.equal(bad!.status, 'failed');
		assert.equal(bad!.code, '21211');
		assert.equal(bad!.category, 'recipient');
		assert.equal(bad!.retryable, false);
		assert.match(String(bad!.error), /not a valid phone number/);
		assert.equal((bad!.attempts as unknown[]).length, 1, 'a permanent error is not retried');
		assert.equal(good!.status, 'queued');
		assert.equal(invalid!.code, 'INVALID_MESSAGE');
		assert.equal(typeof invalid!.error, 'string');
		assertNoSecrets(result.items);
	});

	test('without Continue On Fail the node stops with an error naming the item', async () => {
		const result = await channelSend({
			parameters: { sendOptions: { disableRateLimits: true, concurrency: 1 } },
			input: [{ json: message('sms', '+14255550177', 'First') }, { json: message('sms', '+15005550004', 'Opted out') }, { json: message('sms', '+14255550178', 'Third') }],
		});
		assert.ok(result.error, 'the node failed');
		assert.match(result.error!.message, /unsubscribed/);
		assert.equal((result.error as unknown as { context: { itemIndex: number } }).context.itemIndex, 1);
		assert.equal(twilioSent().length, 2, 'the first two were tried; no item is started after the failure');
		assert.equal(twilioSent().filter((f) => f.get('Body') === 'Third').length, 0, 'the was sent; no item is started after the failure');
		assertNoSecrets({ message: result.error!.message, description: result.error!.description });
	});

	test('a provider used in a route but not chosen under Providers is a parameter error', async () => {
		const result = await channelSend({
			parameters: { providers: ['telegram'], routes: { route: [{ channel: 'sms', primary: 'twilio', fallbacks: [] }] } },
			input: [{ json: message('sms', '+14255550177', 'x') }],
		});
		assert.ok(result.error);
		assert.match(result.error!.message, /Twilio.*not chosen under Providers/);
	});
});

describe('Channel Send (n8n engine): Complete in Schedule Queue', () => {
	test('claimed messages are sent, then completed or failed in the queue with the attempts in the log', async () => {
		const folder = join(mkdtempSync(join(tmpdir(), 'switchboard-n8n-send-')), 'queue');
		const lease = await leaseQueue({ kind: 'embedded', dataDir: folder }, { workerId: PROCESS_WORKER_ID });
		try {
			const past = new Date(Date.now() - 60_000).toISOString();
			await lease.queue.enqueue({ channel: 'sms', recipient: '+14255550177', body: 'Reminder: session at 10:00', sendTime: past, status: 'approved' });
			await lease.queue.enqueue({ channel: 'sms', recipient: '+15005550001', body: 'To a bad number', sendTime: past, status: 'approved' });
			const claimed = await lease.queue.claimDue({ workerId: PROCESS_WORKER_ID });
			assert.equal(claimed.length, 2);

			const result = await channelSend({
				// Retries on, as a processor would run: a transient failure is retried before the row is reported.
				parameters: { completeInQueue: true, storeType: 'embedded', storeOptions: { storeFolder: folder }, retryStrategy: 'linear', initialDelaySeconds: 0, maxDelaySeconds: 0, jitter: 0, maxAttempts: 2 },
				input: claimed.map((row) => ({ json: row as unknown as IDataObject })),
			});
			assert.equal(result.error, undefined, result.error?.message);
			assert.deepEqual(paired(result.items), [0, 1]);
			const byRecipient = new Map(claimed.map((row, i) => [row.recipient, { row, out: result.items[i]!.json }]));

			const good = byRecipient.get('+14255550177')!;
			assert.equal(good.out.status, 'queued', JSON.stringify(good.out));
			assert.equal(good.out.status, 'queued');
			assert.equal(good.out.queueStatus, 'sent');
			assert.equal(good.out.messageId, good.row.id);
			const sent = (await lease.queue.get(good.row.id))!;
			assert.equal(sent.status, 'sent');
			assert.equal(sent.provider, 'twilio');
			assert.equal(sent.externalId, good.out.externalId);
			// One log row per attempt of the send (a retry after a reset included), in order.
			const attempts = good.out.attempts as IDataObject[];
			assert.deepEqual(
				sent.attempts.map((a) => [a.provider, a.success, a.errorCode]),
				attempts.map((a) => [a.provider, a.success, a.success ? null : a.errorCode]),
			);
			assert.equal(sent.attempts.at(-1)!.success, true);

			const bad = byRecipient.get('+15005550001')!;
			assert.equal(bad.out.status, 'failed');
			assert.equal(bad.out.queueStatus, 'dead', 'a permanent error gives the message up');
			const dead = (await lease.queue.get(bad.row.id))!;
			assert.equal(dead.status, 'dead');
			// The last logged attempt is the one that decided (a reset before it would be logged too).
			assert.ok(dead.attempts.every((a) => !a.success));
			assert.equal(dead.attempts.at(-1)!.errorCode, '21211');
			assert.equal(dead.attempts.at(-1)!.retryable, false);
			assertNoSecrets(dead);
			assertNoSecrets(sent);
		} finally {
			await lease.release();
		}
	});

	test('a claimed message is recognised without the queue option too (just sent, queue untouched)', async () => {
		const row = { id: 'a1b2', channel: 'telegram', recipient: '123456789', status: 'sending', subject: null, body: 'From the queue', template: null, message: null, metadata: {} };
		const [out] = await ok({ parameters: {}, input: [{ json: row }] });
		assert.equal(out!.status, 'sent');
		assert.equal(out!.messageId, 'a1b2');
		assert.equal((telegram.calls('sendMessage')[0]!.json as IDataObject).text, 'From the queue');
	});
});
