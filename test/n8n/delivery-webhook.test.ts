/**
 * The Delivery Webhook trigger on a REAL n8n 2.41.1 server (Node 24), called over HTTP on 127.0.0.1.
 *
 * Why the server and not the in-process harness: a trigger's webhooks only exist on a server — n8n
 * registers the POST and GET paths, reads the raw body (`req.rawBody`), calls the node's `webhook()`
 * with the real request/response, and starts an execution with the items it returns. This test proves
 * that whole path: signed provider callbacks are answered as the provider expects and reach the two
 * outputs; a forged signature gets 401 and starts nothing; Meta's GET handshake is answered; the size
 * limit holds; and (when the Schedule Queue can record events) a Twilio "delivered" callback moves a
 * sent message in the embedded store to delivered.
 *
 * The server, with the built package installed, is test/support/n8n-server.ts (`npm test` builds first).
 *
 * The workflow: Delivery Webhook (auto-detect; Twilio, WhatsApp and Telegram credentials; Public URL
 * set to the URL the Twilio fixtures were signed for) → output 1 "Delivery Events" → HTTP Request to a
 * local sink /events; output 2 "Inbound Messages" → HTTP Request to /messages. A second trigger
 * (Twilio only, "Start the Workflow For" = no delivery events) → /quiet: it updates the store and
 * starts no execution.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { leaseQueue, closeAllQueues, LOCK_FILE_NAME } from '../../nodes/shared/queue-host';
import { openQueue, type ScheduleQueue } from '../../core/queue';
import { twilioSignature, twilioStatusBody } from '../../bench/webhook.bench';
import { TEST_SECRETS, fixtureBytes, fixtureSignature } from '../support/fixtures';
import { waitFor } from '../support/net';
import { startN8n, type N8nServerHandle } from '../support/n8n-server';
import { PACKAGE_NAME } from '../support/pack';

const WEBHOOK_ID = '5d1e7c0a-8b4f-4e2a-9c3d-7f6e5a4b3c21';
const QUIET_WEBHOOK_ID = '5d1e7c0a-8b4f-4e2a-9c3d-7f6e5a4b3c22';
const WORKFLOW_ID = 'SwitchboardDeliveryWh1';
const QUIET_SID = 'SM0000000000000000000000000000quiet';
const VERIFY_TOKEN = 'local-verify-token-123';
const TWILIO_PUBLIC_URL = 'https://hooks.example.test/twilio/status';
const MAX_BODY = 65_536;

/** Collects the JSON bodies the workflow's HTTP Request nodes post, by path. */
class Sink {
	readonly received: Record<string, Array<Record<string, unknown>>> = { '/events': [], '/messages': [], '/quiet': [] };
	private server?: Server;
	port = 0;

	async start(): Promise<void> {
		this.server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const path = (req.url ?? '').split('?')[0]!;
				try {
					(this.received[path] ??= []).push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
				} catch {
					(this.received[path] ??= []).push({ unparsable: Buffer.concat(chunks).toString('utf8') });
				}
				res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		const address = this.server.address();
		this.port = typeof address === 'object' && address ? address.port : 0;
	}

	count(): number {
		return Object.values(this.received).reduce((n, items) => n + items.length, 0);
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}
}

function sinkRequest(name: string, id: string, url: string, x: number, y: number) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [x, y],
		parameters: { method: 'POST', url, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify($json) }}', options: {} },
	};
}

function workflow(sinkPort: number, storeFolder: string, updateQueue: boolean) {
	return {
		id: WORKFLOW_ID,
		name: 'Switchboard e2e: Delivery Webhook',
		active: false,
		nodes: [
			{
				id: '7a0c2b1e-0000-4000-8000-000000000001',
				name: 'Delivery Webhook',
				type: `${PACKAGE_NAME}.deliveryWebhook`,
				typeVersion: 1,
				position: [0, 0],
				webhookId: WEBHOOK_ID,
				parameters: {
					platform: 'auto',
					verifySignatures: true,
					updateQueue,
					storeType: 'embedded',
					storeOptions: { storeFolder },
					options: { publicUrl: TWILIO_PUBLIC_URL, maxBodyBytes: MAX_BODY, keepRaw: false },
				},
				credentials: {
					switchboardTwilioApi: { id: 'sbDwTwilio01', name: 'Twilio (test)' },
					switchboardWhatsAppApi: { id: 'sbDwWhatsApp1', name: 'WhatsApp (test)' },
					switchboardTelegramApi: { id: 'sbDwTelegram1', name: 'Telegram (test)' },
				},
			},
			sinkRequest('Events Out', '7a0c2b1e-0000-4000-8000-000000000002', `http://127.0.0.1:${sinkPort}/events`, 260, -100),
			sinkRequest('Messages Out', '7a0c2b1e-0000-4000-8000-000000000003', `http://127.0.0.1:${sinkPort}/messages`, 260, 100),
			{
				id: '7a0c2b1e-0000-4000-8000-000000000004',
				name: 'Quiet Delivery Webhook',
				type: `${PACKAGE_NAME}.deliveryWebhook`,
				typeVersion: 1,
				position: [0, 300],
				webhookId: QUIET_WEBHOOK_ID,
				parameters: { platform: 'twilio', verifySignatures: true, updateQueue, emitEvents: 'none', storeType: 'embedded', storeOptions: { storeFolder }, options: { keepRaw: false } },
				credentials: { switchboardTwilioApi: { id: 'sbDwTwilio01', name: 'Twilio (test)' } },
			},
			sinkRequest('Quiet Out', '7a0c2b1e-0000-4000-8000-000000000005', `http://127.0.0.1:${sinkPort}/quiet`, 260, 300),
		],
		connections: {
			'Delivery Webhook': {
				main: [[{ node: 'Events Out', type: 'main', index: 0 }], [{ node: 'Messages Out', type: 'main', index: 0 }]],
			},
			'Quiet Delivery Webhook': {
				main: [[{ node: 'Quiet Out', type: 'main', index: 0 }], [{ node: 'Quiet Out', type: 'main', index: 0 }]],
			},
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

const CREDENTIALS = [
	{
		id: 'sbDwTwilio01',
		name: 'Twilio (test)',
		type: 'switchboardTwilioApi',
		data: { accountSid: 'ACa1b2c3d4e5f60718293a4b5c6d7e8f90', authToken: TEST_SECRETS.twilio_auth_token, from: '+15005550123' },
	},
	{
		id: 'sbDwWhatsApp1',
		name: 'WhatsApp (test)',
		type: 'switchboardWhatsAppApi',
		data: { accessToken: 'EAAtest', phoneNumberId: '109876543210987', appSecret: TEST_SECRETS.meta_app_secret, verifyToken: VERIFY_TOKEN },
	},
	{
		id: 'sbDwTelegram1',
		name: 'Telegram (test)',
		type: 'switchboardTelegramApi',
		data: { botToken: '123456789:AAHtestTokenForSwitchboardE2e', secretToken: TEST_SECRETS.telegram_secret_token },
	},
];

function signedHeaders(name: string): Record<string, string> {
	const headers: Record<string, string> = { 'content-type': name.endsWith('.txt') ? 'application/x-www-form-urlencoded' : 'application/json' };
	for (const [key, value] of Object.entries(fixtureSignature(name))) if (key !== 'url') headers[key] = value;
	return headers;
}

describe('Delivery Webhook on a real n8n 2.41.1 server', { timeout: 15 * 60_000 }, () => {
	let server: N8nServerHandle | undefined;
	let storeFolder = '';
	let baseUrl = '';
	let sentMessageId = '';
	let quietMessageId = '';
	let lockAtStart: { pid: number } | undefined;
	const sink = new Sink();
	const twilioSid = new URLSearchParams(fixtureBytes('twilio-status-delivered.txt').toString('utf8')).get('MessageSid')!;

	const url = (id = WEBHOOK_ID) => `${baseUrl}/webhook/${id}/webhook`;
	const post = (body: Buffer | string, headers: Record<string, string>, query = '', id = WEBHOOK_ID) =>
		fetch(`${url(id)}${query}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body), signal: AbortSignal.timeout(30_000) });
	/** Waits until the sink has `n` items in total (executions run after the answer). */
	const sinkReaches = (n: number) => waitFor(async () => sink.count() >= n, 30_000, `${n} items at the sink`);

	/** A message as Channel Send leaves it after a Twilio send: approved, claimed, completed with `sid`. */
	async function sentTwilioMessage(queue: ScheduleQueue, sid: string): Promise<string> {
		const { message } = await queue.enqueue({ channel: 'sms', recipient: '+14255550177', body: 'Your appointment is tomorrow', status: 'approved' });
		await queue.claimDue({ workerId: 'e2e' });
		await queue.complete(message.id, { workerId: 'e2e', provider: 'twilio', externalId: sid });
		return message.id;
	}

	before(async () => {
		await sink.start();
		const { mkdtempSync } = await import('node:fs');
		const { tmpdir } = await import('node:os');
		storeFolder = join(mkdtempSync(join(tmpdir(), 'switchboard-n8n-delivery-store-')), 'queue');
		const lease = await leaseQueue({ kind: 'embedded', dataDir: storeFolder });
		try {
			sentMessageId = await sentTwilioMessage(lease.queue, twilioSid);
			quietMessageId = await sentTwilioMessage(lease.queue, QUIET_SID);
		} finally {
			await lease.release();
		}
		server = await startN8n({ credentials: CREDENTIALS, workflows: [workflow(sink.port, storeFolder, true)], publish: [WORKFLOW_ID] });
		baseUrl = server.baseUrl;
		// The workflow is active once its webhook answers (a bare GET → 401 from our node instead of 404).
		await waitFor(async () => (await fetch(url(), { signal: AbortSignal.timeout(5000) })).status !== 404, 60_000, 'the Delivery Webhook registered');
		const lockFile = join(storeFolder, LOCK_FILE_NAME);
		if (existsSync(lockFile)) lockAtStart = JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number };
	});

	after(async () => {
		await server?.dispose();
		await sink.stop();
		await closeAllQueues();
	});

	test('activation opens the store before any callback (the lock file is n8n\'s)', () => {
		assert.ok(lockAtStart, 'the store folder is locked right after activation, before any request');
		assert.notEqual(lockAtStart.pid, process.pid);
	});

	test('the server loaded the node with no errors about our package', () => {
		const problems = server!.log().split('\n').filter((line) => line.includes('n8n-nodes-switchboard') && /error|fail|could not|invalid/i.test(line));
		assert.deepEqual(problems, []);
	});

	test('a forged Twilio signature → 401, no execution, nothing written', async () => {
		const before = sink.count();
		const response = await post(fixtureBytes('twilio-status-delivered.txt'), { ...signedHeaders('twilio-status-delivered.txt'), 'x-twilio-signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
		assert.equal(response.status, 401);
		assert.equal(await response.text(), 'Unauthorized');
		await new Promise((r) => setTimeout(r, 1500));
		assert.equal(sink.count(), before, 'no items emitted');
	});

	test('a signed Twilio "delivered" status callback → TwiML 200, one event on output 1 (applied to the queue)', async () => {
		const before = sink.count();
		const response = await post(fixtureBytes('twilio-status-delivered.txt'), signedHeaders('twilio-status-delivered.txt'));
		assert.equal(response.status, 200, await response.clone().text());
		assert.match(response.headers.get('content-type') ?? '', /^text\/xml/);
		assert.match(await response.text(), /<Response\/>$/);
		await sinkReaches(before + 1);
		const event = sink.received['/events']!.at(-1)!;
		assert.equal(event.schema, 'switchboard.event/v1');
		assert.equal(event.provider, 'twilio');
		assert.equal(event.status, 'delivered');
		assert.equal(event.providerMessageId, twilioSid);
		assert.equal(event.outcome, 'applied');
	});

	test('a signed WhatsApp inbound message → 200 OK, one message on output 2', async () => {
		const before = sink.received['/messages']!.length;
		const response = await post(fixtureBytes('whatsapp-message-text.json'), signedHeaders('whatsapp-message-text.json'));
		assert.equal(response.status, 200);
		assert.equal(await response.text(), 'OK');
		await waitFor(async () => sink.received['/messages']!.length > before, 30_000, 'the WhatsApp message at the sink');
		const message = sink.received['/messages']!.at(-1)!;
		assert.equal(message.schema, 'switchboard.message/v1');
		assert.equal(message.provider, 'whatsapp');
	});

	test('a Telegram update with the secret token → empty 200 and a message; a wrong token → 401', async () => {
		const before = sink.received['/messages']!.length;
		const ok = await post(fixtureBytes('telegram-update-message-text.json'), signedHeaders('telegram-update-message-text.json'));
		assert.equal(ok.status, 200);
		assert.equal(await ok.text(), '');
		await waitFor(async () => sink.received['/messages']!.length > before, 30_000, 'the Telegram message at the sink');
		assert.equal(sink.received['/messages']!.at(-1)!.provider, 'telegram');
		const wrong = await post(fixtureBytes('telegram-update-message-text.json'), { ...signedHeaders('telegram-update-message-text.json'), 'x-telegram-bot-api-secret-token': 'wrong' });
		assert.equal(wrong.status, 401);
	});

	test("Meta's GET verification: the challenge with the right verify token, 403 with a wrong one", async () => {
		const ok = await fetch(`${url()}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
		assert.equal(ok.status, 200);
		assert.equal(await ok.text(), '1158201444');
		const wrong = await fetch(`${url()}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`);
		assert.equal(wrong.status, 403);
		assert.ok(!(await wrong.text()).includes('1158201444'));
	});

	test('a body over the node\'s size limit → 413', async () => {
		const before = sink.count();
		const big = JSON.stringify({ object: 'whatsapp_business_account', entry: [], pad: 'x'.repeat(MAX_BODY) });
		const response = await post(big, { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' });
		assert.equal(response.status, 413);
		await new Promise((r) => setTimeout(r, 1000));
		assert.equal(sink.count(), before);
	});

	test('a signature header of a provider without credentials on the node → 401', async () => {
		const response = await post(fixtureBytes('slack-event-message-im.json'), signedHeaders('slack-event-message-im.json'));
		assert.equal(response.status, 401);
	});

	test('"Start the Workflow For: no delivery events" → the callback is applied and starts no execution', async () => {
		const quietUrl = url(QUIET_WEBHOOK_ID);
		const body = twilioStatusBody(QUIET_SID, 'delivered');
		const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TEST_SECRETS.twilio_auth_token, quietUrl, body) };
		const response = await post(body, headers, '', QUIET_WEBHOOK_ID);
		assert.equal(response.status, 200, await response.clone().text());
		// A forged one on the same endpoint is still refused.
		assert.equal((await post(body, { ...headers, 'x-twilio-signature': 'AAAA' }, '', QUIET_WEBHOOK_ID)).status, 401);
		await new Promise((r) => setTimeout(r, 1500));
		assert.equal(sink.received['/quiet']!.length, 0, 'no execution reached the sink');
	});

	test('after the server stops, the store shows both messages delivered', async () => {
		await server!.stop();
		const queue = await openQueue({ connection: { kind: 'embedded', dataDir: storeFolder } });
		try {
			assert.equal((await queue.get(sentMessageId))!.status, 'delivered');
			assert.equal((await queue.get(quietMessageId))!.status, 'delivered', 'the quiet endpoint updated the store');
		} finally {
			await queue.close();
		}
	});
});
