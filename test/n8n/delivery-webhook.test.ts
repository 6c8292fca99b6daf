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
 * Packaging: the checkout is compiled (tsc) straight into `<n8n user folder>/.n8n/nodes/node_modules/
 * <package>`, with package.json's `n8n.nodes` plus this node (until package.json lists it) and the
 * checkout's node_modules linked for dependencies — what `npm install <tarball>` produces, without the
 * network. n8n is the cached install of scripts/hosts/n8n.mjs.
 *
 * The workflow: Delivery Webhook (auto-detect; Twilio, WhatsApp and Telegram credentials; Public URL
 * set to the URL the Twilio fixtures were signed for) → output 1 "Delivery Events" → HTTP Request to a
 * local sink /events; output 2 "Inbound Messages" → HTTP Request to /messages.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { leaseQueue, closeAllQueues } from '../../nodes/shared/queue-host';
import { openQueue } from '../../core/queue';
import { TEST_SECRETS, fixtureBytes, fixtureSignature } from '../support/fixtures';
import { freePort, waitFor } from '../support/net';
import { PACKAGE_NAME, PACKAGE_ROOT } from '../support/pack';

const run = promisify(execFile);
const NODE_PATH = 'dist/nodes/n8n/DeliveryWebhook/DeliveryWebhook.node.js';
const WEBHOOK_ID = '5d1e7c0a-8b4f-4e2a-9c3d-7f6e5a4b3c21';
const WORKFLOW_ID = 'SwitchboardDeliveryWh1';
const ENCRYPTION_KEY = 'switchboard-e2e-encryption-key-0123456789';
const VERIFY_TOKEN = 'local-verify-token-123';
const TWILIO_PUBLIC_URL = 'https://hooks.example.test/twilio/status';
const MAX_BODY = 65_536;

/** Compiles the checkout into an installed-package folder n8n loads as a community package. */
function installPackage(nodesDir: string): void {
	const target = join(nodesDir, 'node_modules', ...PACKAGE_NAME.split('/'));
	mkdirSync(target, { recursive: true });
	// Type errors elsewhere in a checkout under work do not stop tsc from emitting; a missing node file does.
	const tsc = spawnSync(join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(PACKAGE_ROOT, 'tsconfig.json'), '--outDir', join(target, 'dist')], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
	if (tsc.status !== 0) console.log(`[delivery-webhook e2e] tsc reported:\n${tsc.stdout}`);
	if (!existsSync(join(target, NODE_PATH))) throw new Error(`tsc did not emit ${NODE_PATH}:\n${tsc.stdout}${tsc.stderr}`);
	// What gulp copies: icons and codex files beside the compiled nodes/credentials.
	const copyAssets = (dir: string) => {
		for (const entry of readdirSync(join(PACKAGE_ROOT, dir), { withFileTypes: true })) {
			const rel = join(dir, entry.name);
			if (entry.isDirectory()) copyAssets(rel);
			else if (/\.(svg|png)$/.test(entry.name) || (rel.startsWith(join('nodes', 'n8n')) && entry.name.endsWith('.node.json'))) {
				mkdirSync(dirname(join(target, 'dist', rel)), { recursive: true });
				copyFileSync(join(PACKAGE_ROOT, rel), join(target, 'dist', rel));
			}
		}
	};
	copyAssets('nodes');
	copyAssets('credentials');
	const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] }; scripts?: unknown };
	if (!pkg.n8n.nodes.includes(NODE_PATH)) pkg.n8n.nodes.push(NODE_PATH);
	delete pkg.scripts;
	writeFileSync(join(target, 'package.json'), JSON.stringify(pkg, null, 2));
	symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(target, 'node_modules'), 'dir');
	writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: `file:${relative(nodesDir, target)}` } }, null, 2));
}

function n8nEnv(userFolder: string, port: number, brokerPort: number): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) if (process.env[key]) env[key] = process.env[key];
	return {
		...env,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_SECURE_COOKIE: 'false',
		DB_TYPE: 'sqlite',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
	};
}

/** Collects the JSON bodies the workflow's HTTP Request nodes post, by path. */
class Sink {
	readonly received: Record<string, Array<Record<string, unknown>>> = { '/events': [], '/messages': [] };
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
		],
		connections: {
			'Delivery Webhook': {
				main: [[{ node: 'Events Out', type: 'main', index: 0 }], [{ node: 'Messages Out', type: 'main', index: 0 }]],
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
	let child: ChildProcess | undefined;
	let exited = false;
	const log: string[] = [];
	let userFolder = '';
	let storeFolder = '';
	let baseUrl = '';
	let storeSupported = false;
	let sentMessageId = '';
	const sink = new Sink();
	const twilioSid = new URLSearchParams(fixtureBytes('twilio-status-delivered.txt').toString('utf8')).get('MessageSid')!;

	const url = () => `${baseUrl}/webhook/${WEBHOOK_ID}/webhook`;
	const post = (body: Buffer | string, headers: Record<string, string>, query = '') =>
		fetch(`${url()}${query}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body), signal: AbortSignal.timeout(30_000) });
	/** Waits until the sink has `n` items in total (executions run after the answer). */
	const sinkReaches = (n: number) => waitFor(async () => sink.count() >= n, 30_000, `${n} items at the sink`);

	before(async () => {
		const { ensureN8n } = (await import(pathToFileURL(join(PACKAGE_ROOT, 'scripts', 'hosts', 'n8n.mjs')).href)) as {
			ensureN8n: (o?: { log?: (line: string) => void }) => Promise<{ bin: string }>;
		};
		const host = await ensureN8n({ log: (line) => console.log(line) });
		userFolder = mkdtempSync(join(tmpdir(), 'switchboard-n8n-delivery-'));
		storeFolder = join(userFolder, 'queue');
		installPackage(join(userFolder, '.n8n', 'nodes'));
		await sink.start();

		// A sent Twilio message in the store, for the callback to move forward (when the queue can record events).
		const lease = await leaseQueue({ kind: 'embedded', dataDir: storeFolder });
		try {
			storeSupported = typeof (lease.queue as { recordEvents?: unknown }).recordEvents === 'function';
			const { message } = await lease.queue.enqueue({ channel: 'sms', recipient: '+14255550177', body: 'Your appointment is tomorrow', status: 'approved' });
			await lease.queue.claimDue({ workerId: 'e2e' });
			await lease.queue.complete(message.id, { workerId: 'e2e', provider: 'twilio', externalId: twilioSid });
			sentMessageId = message.id;
		} finally {
			await lease.release();
		}
		if (!storeSupported) console.log('[delivery-webhook e2e] the shared queue handle has no recordEvents yet: running with "Update Schedule Queue" off');

		const port = await freePort();
		const env = n8nEnv(userFolder, port, await freePort());
		baseUrl = `http://127.0.0.1:${port}`;
		const credentialsFile = join(userFolder, 'credentials.json');
		writeFileSync(credentialsFile, JSON.stringify(CREDENTIALS));
		await run(process.execPath, [host.bin, 'import:credentials', `--input=${credentialsFile}`], { env, timeout: 120_000 });
		const workflowFile = join(userFolder, 'workflow.json');
		writeFileSync(workflowFile, JSON.stringify(workflow(sink.port, storeFolder, storeSupported)));
		await run(process.execPath, [host.bin, 'import:workflow', `--input=${workflowFile}`], { env, timeout: 120_000 });
		await run(process.execPath, [host.bin, 'publish:workflow', `--id=${WORKFLOW_ID}`], { env, timeout: 120_000 });

		child = spawn(process.execPath, [host.bin, 'start'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		const keep = (chunk: Buffer) => log.push(...chunk.toString('utf8').split('\n'));
		child.stdout!.on('data', keep);
		child.stderr!.on('data', keep);
		child.on('exit', () => (exited = true));
		process.once('exit', () => {
			if (child?.pid && !exited) process.kill(-child.pid, 'SIGKILL');
		});
		await waitFor(
			async () => {
				if (exited) throw new Error(`n8n exited during start-up:\n${log.slice(-40).join('\n')}`);
				return (await fetch(`${baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.ok === true;
			},
			180_000,
			'n8n /healthz/readiness',
		);
		// The workflow is active once its webhook answers (a bare GET → 401 from our node instead of 404).
		await waitFor(async () => (await fetch(url(), { signal: AbortSignal.timeout(5000) })).status !== 404, 60_000, 'the Delivery Webhook registered');
	});

	after(async () => {
		if (child?.pid && !exited) {
			process.kill(-child.pid, 'SIGTERM');
			const deadline = Date.now() + 20_000;
			while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
			if (!exited) process.kill(-child.pid, 'SIGKILL');
		}
		await sink.stop();
		await closeAllQueues();
		if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	});

	test('the server loaded the node with no errors about our package', () => {
		const problems = log.filter((line) => line.includes('n8n-nodes-switchboard') && /error|fail|could not|invalid/i.test(line));
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
		if (storeSupported) assert.equal(event.outcome, 'applied');
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

	test('after the server stops, the store shows the message delivered', async (t) => {
		if (!storeSupported) {
			t.skip('the shared queue handle has no recordEvents yet');
			return;
		}
		if (child?.pid && !exited) {
			process.kill(-child.pid, 'SIGTERM');
			const deadline = Date.now() + 20_000;
			while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
		}
		assert.ok(existsSync(storeFolder));
		const queue = await openQueue({ connection: { kind: 'embedded', dataDir: storeFolder } });
		try {
			assert.equal((await queue.get(sentMessageId))!.status, 'delivered');
		} finally {
			await queue.close();
		}
	});
});
