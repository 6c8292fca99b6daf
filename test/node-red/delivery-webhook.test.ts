/**
 * Delivery Webhook (issue 5) inside the real Node-RED runtime, 4 and 5 (test/support/node-red-harness.ts),
 * its route served on 127.0.0.1 (`load(…, { http: true })`) and called over real HTTP with the byte-exact
 * provider fixtures and the signature headers recorded for them (test/fixtures/providers/_signatures.json,
 * TEST-ONLY secrets).
 *
 * Node sets come from package.json (dist) once delivery-webhook is listed there; until then every set —
 * the store and provider accounts included, so they share one core and one queue registry — from the
 * TypeScript sources (the runner registers tsx).
 *
 * Expected values come from the fixtures (message ids, statuses, the challenge) and from what the test
 * put in the store, never from the node's own answers about itself.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { openQueue, type ScheduleQueue } from '../../core/queue';
import { benchSid, postAtRate, seedSentMessages, signedPosts, webhookFlow, webhookFlowCredentials } from '../../bench/webhook.bench';
import { fixtureBytes, fixtureSignature, TEST_SECRETS } from '../support/fixtures';
import { PACKAGE_ROOT, forEachRuntime, ourNodeModule, packageNodeRedNodes, type Credentials, type FlowNode, type NodeRedHarness } from '../support/node-red-harness';

const WEBHOOK = 'delivery-webhook';
const PROVIDER_SET = 'switchboard-provider';
const STORE = 'switchboard-store';

type NodeModuleFn = (RED: Record<string, unknown>) => unknown;

/** nr.collect, its rejection handled until awaited (a failed test must not leave an unhandled one behind). */
function collect(nr: NodeRedHarness, id: string, count: number, options?: { timeoutMs?: number; settleMs?: number }): Promise<Array<Record<string, unknown>>> {
	const promise = nr.collect(id, count, options);
	promise.catch(() => undefined);
	return promise;
}

function setModule(name: string): NodeModuleFn {
	if (packageNodeRedNodes()[WEBHOOK]) return ourNodeModule(name);
	return require(join(PACKAGE_ROOT, 'nodes', 'node-red', `${name}.ts`)) as NodeModuleFn;
}
const SETS = (): NodeModuleFn[] => [PROVIDER_SET, STORE, WEBHOOK].map(setModule);

/** The express app the runtime gives nodes (RED.httpNode), captured for the "routes removed" test. */
function captureHttpNode(into: { app?: (req: unknown, res: unknown) => void }): NodeModuleFn {
	return (RED) => {
		into.app = RED.httpNode as typeof into.app;
	};
}

const scratch: string[] = [];
after(() => {
	for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
function tempDir(prefix = 'switchboard-nr-webhook-'): string {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	scratch.push(dir);
	return dir;
}

/** An empty migrated store, created once; tests copy it (creating one takes seconds). */
let template = '';
before(async () => {
	template = join(tempDir('switchboard-nr-webhook-template-'), 'store');
	const queue = await openQueue({ connection: { kind: 'embedded', dataDir: template } });
	await queue.close();
});
function storeCopy(): string {
	const folder = join(tempDir(), 'store');
	cpSync(template, folder, { recursive: true });
	return folder;
}

// ---------------------------------------------------------------------------------------------------
// Flows

const META_VERIFY_TOKEN = 'local-verify-token-123';

/** The webhook node `w` (outputs to helpers `events` and `inbound`) plus the accounts it names. */
function flow(webhook: Record<string, unknown>, extra: FlowNode[] = []): FlowNode[] {
	return [
		{ id: 'w', type: WEBHOOK, path: '/hooks', platform: 'auto', verify: true, publicUrl: '', maxBodyKb: 1024, wires: [['events'], ['inbound']], ...webhook } as FlowNode,
		{ id: 'events', type: 'helper' },
		{ id: 'inbound', type: 'helper' },
		{ id: 'tw', type: 'switchboard-twilio', name: '', accountSid: 'ACa1b2c3d4e5f60718293a4b5c6d7e8f90', from: '+15005550123' },
		{ id: 'wa', type: 'switchboard-whatsapp', name: '', phoneNumberId: '109876543210987' },
		{ id: 'tg', type: 'switchboard-telegram', name: '' },
		...extra,
	];
}
const CREDS_SOURCE: Credentials = {
	tw: { authToken: TEST_SECRETS.twilio_auth_token },
	wa: { accessToken: 'test-wa-access-token', appSecret: TEST_SECRETS.meta_app_secret, verifyToken: META_VERIFY_TOKEN },
	tg: { botToken: '123456:test-bot-token', secretToken: TEST_SECRETS.telegram_secret_token },
};
const creds = (): Credentials => structuredClone(CREDS_SOURCE);

const ACCOUNTS = { twilio: 'tw', whatsapp: 'wa', telegram: 'tg' };

async function deploy(nr: NodeRedHarness, webhook: Record<string, unknown>, extra: FlowNode[] = [], modules: NodeModuleFn[] = []): Promise<void> {
	await nr.load([...modules, ...SETS()], flow({ ...ACCOUNTS, ...webhook }, extra), creds(), { http: true });
}

/** Posts a fixture's exact bytes with its recorded signature headers (minus the URL entry). */
async function postFixture(nr: NodeRedHarness, path: string, name: string, change?: (body: Buffer) => Buffer): Promise<{ status: number; body: string; contentType: string }> {
	const headers: Record<string, string> = { 'content-type': name.endsWith('.txt') ? 'application/x-www-form-urlencoded' : 'application/json' };
	for (const [k, v] of Object.entries(fixtureSignature(name))) if (k !== 'url' && k.toLowerCase() !== 'content-type') headers[k] = v;
	const bytes = change ? change(fixtureBytes(name)) : fixtureBytes(name);
	const res = await fetch(nr.httpUrl(path), { method: 'POST', headers, body: bytes, signal: AbortSignal.timeout(10_000) });
	return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

interface EventPayload {
	schema: string;
	providerMessageId: string;
	status: string;
	provider: string;
}

// ---------------------------------------------------------------------------------------------------

forEachRuntime('Delivery Webhook node', (nr) => {
	it('accepts signed Twilio (public URL), WhatsApp and Telegram posts: events on output 1, inbound messages on output 2', async () => {
		// Twilio signed https://hooks.example.test/twilio/status: the node is reached on 127.0.0.1 and
		// rebuilds the URL from its public URL (an origin), as behind a proxy.
		await deploy(nr, { path: '/twilio/status', publicUrl: 'https://hooks.example.test' });
		const twilioEvent = collect(nr, 'events', 1);
		const twilio = await postFixture(nr, '/twilio/status', 'twilio-status-delivered.txt');
		assert.equal(twilio.status, 200, twilio.body);
		assert.match(twilio.contentType, /xml/);
		const [tw] = await twilioEvent;
		const event = tw!.payload as EventPayload;
		assert.equal(event.schema, 'switchboard.event/v1');
		assert.equal(event.providerMessageId, 'SM9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e');
		assert.equal(event.status, 'delivered');
		assert.equal(tw!.topic, 'delivered');
		assert.deepEqual((tw!.switchboard as Record<string, unknown>).platform, 'twilio');

		// Same node, auto-detect: a WhatsApp status and a WhatsApp message, a Telegram update.
		const waEvent = collect(nr, 'events', 1);
		assert.equal((await postFixture(nr, '/twilio/status', 'whatsapp-status-read.json')).status, 200);
		const [wa] = await waEvent;
		assert.equal((wa!.payload as EventPayload).status, 'read');
		assert.match((wa!.payload as EventPayload).providerMessageId, /^wamid\./);

		const inbound = collect(nr, 'inbound', 2);
		assert.equal((await postFixture(nr, '/twilio/status', 'whatsapp-message-text.json')).status, 200);
		assert.equal((await postFixture(nr, '/twilio/status', 'telegram-update-message-text.json')).status, 200);
		const messages = await inbound;
		assert.deepEqual(
			messages.map((m) => [(m.payload as { schema: string }).schema, (m.switchboard as { platform: string }).platform]),
			[
				['switchboard.message/v1', 'whatsapp'],
				['switchboard.message/v1', 'telegram'],
			],
		);
		assert.ok(await nr.silent('events'), 'inbound messages do not reach the events output');
	});

	it('refuses a changed byte, a wrong secret and a missing signature with 401 and emits nothing', async () => {
		await deploy(nr, { path: '/hooks', publicUrl: 'https://hooks.example.test/twilio/status' }, [], []);
		const quietEvents = nr.silent('events', 600);
		const quietInbound = nr.silent('inbound', 600);
		// One byte changed in the body.
		const changed = await postFixture(nr, '/hooks', 'whatsapp-status-delivered.json', (b) => {
			const copy = Buffer.from(b);
			copy[copy.indexOf('delivered')] = 'D'.charCodeAt(0);
			return copy;
		});
		assert.equal(changed.status, 401);
		// A wrong Telegram secret token.
		const telegramWrong = await fetch(nr.httpUrl('/hooks'), {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'not-the-secret' },
			body: fixtureBytes('telegram-update-message-text.json'),
		});
		assert.equal(telegramWrong.status, 401);
		const unsigned = await fetch(nr.httpUrl('/hooks'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: fixtureBytes('whatsapp-status-delivered.json') });
		assert.equal(unsigned.status, 401);
		assert.ok(await quietEvents, 'no event emitted');
		assert.ok(await quietInbound, 'no message emitted');
		// …while the same endpoint accepts the untouched fixtures.
		const ok = collect(nr, 'events', 1);
		assert.equal((await postFixture(nr, '/hooks', 'twilio-status-delivered.txt')).status, 200);
		await ok;
		await new Promise((r) => setTimeout(r, 700));
		const last = nr.statuses('w').at(-1)!;
		assert.match(last.text ?? '', /1 event/);
		assert.match(last.text ?? '', /3 rejected/);
	});

	it('answers Meta’s GET verification handshake with the challenge, and 403 for a wrong verify token', async () => {
		await deploy(nr, { path: '/webhooks/whatsapp', platform: 'whatsapp' });
		const ok = await fetch(nr.httpUrl('/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=local-verify-token-123&hub.challenge=1158201444'));
		assert.equal(ok.status, 200);
		assert.equal(await ok.text(), '1158201444');
		assert.match(ok.headers.get('content-type') ?? '', /text\/plain/);
		const wrong = await fetch(nr.httpUrl('/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444'));
		assert.equal(wrong.status, 403);
		assert.notEqual(await wrong.text(), '1158201444');
	});

	it('refuses a body over the size limit with 413', async () => {
		await deploy(nr, { path: '/hooks', maxBodyKb: 1 });
		const res = await fetch(nr.httpUrl('/hooks'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TEST_SECRETS.telegram_secret_token }, body: JSON.stringify({ update_id: 1, pad: 'x'.repeat(4096) }) });
		assert.equal(res.status, 413);
		assert.ok(await nr.silent('inbound'));
	});

	it('with verification switched off: accepts unsigned posts and shows a yellow warning status', async () => {
		await deploy(nr, { path: '/open', verify: false });
		const first = nr.statuses('w').at(-1)!;
		assert.equal(first.fill, 'yellow');
		assert.match(first.text ?? '', /verification OFF/i);
		const got = collect(nr, 'events', 1);
		const res = await fetch(nr.httpUrl('/open'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: fixtureBytes('whatsapp-status-delivered.json') });
		assert.equal(res.status, 200);
		const [msg] = await got;
		assert.equal((msg!.switchboard as { unverified: boolean }).unverified, true);
		await new Promise((r) => setTimeout(r, 700));
		const last = nr.statuses('w').at(-1)!;
		assert.equal(last.fill, 'yellow');
		assert.match(last.text ?? '', /verification OFF.*1 event/i);
	});

	it('removes its routes on close (and only its own)', async () => {
		const captured: { app?: (req: unknown, res: unknown) => void } = {};
		await deploy(nr, { path: '/gone' }, [], [captureHttpNode(captured)]);
		assert.equal((await fetch(nr.httpUrl('/gone'), { method: 'POST', body: '{}' })).status, 401, 'served while deployed');
		const app = captured.app as unknown as { _router: { stack: Array<{ route?: { path: string } }> } };
		assert.ok(app._router.stack.some((l) => l.route?.path === '/gone'));
		await nr.unload();
		assert.ok(!app._router.stack.some((l) => l.route?.path === '/gone'), 'the route is gone from the app');
		// The same app, served again: the path is no longer answered by the node.
		const server = createServer((req, res) => captured.app!(req, res));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const port = (server.address() as AddressInfo).port;
			const after = await fetch(`http://127.0.0.1:${port}/gone`, { method: 'POST', body: '{}' });
			assert.equal(after.status, 404);
			const get = await fetch(`http://127.0.0.1:${port}/gone?hub.mode=subscribe&hub.challenge=1`);
			assert.equal(get.status, 404);
		} finally {
			server.closeAllConnections();
			await new Promise((r) => server.close(r));
		}
	});

	it('with an embedded store: a sent message becomes delivered; a repeat is a duplicate, a late sent unchanged, an unknown id orphaned', async () => {
		const folder = storeCopy();
		const sid = 'SM9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e';
		let queue: ScheduleQueue = await openQueue({ connection: { kind: 'embedded', dataDir: folder } });
		const ids = await seedSentMessages(queue, [sid]);
		await queue.close();

		await deploy(nr, { path: '/twilio/status', publicUrl: 'https://hooks.example.test', store: 'store' }, [{ id: 'store', type: STORE, name: '', storeType: 'embedded', folder }]);
		const got = collect(nr, 'events', 4, { timeoutMs: 15_000 });
		for (const fixture of ['twilio-status-delivered.txt', 'twilio-status-delivered.txt', 'twilio-status-sent.txt', 'twilio-status-whatsapp-delivered.txt']) {
			const res = await postFixture(nr, '/twilio/status', fixture);
			assert.equal(res.status, 200, `${fixture}: ${res.body}`);
		}
		const outcomes = (await got).map((m) => (m.switchboard as { outcome?: string }).outcome);
		// delivered → applied; the same callback again → duplicate; a late "sent" → unchanged; another
		// message id nothing in the store has → orphaned.
		assert.deepEqual(outcomes, ['applied', 'duplicate', 'unchanged', 'orphaned']);
		await nr.unload();

		queue = await openQueue({ connection: { kind: 'embedded', dataDir: folder } });
		try {
			const row = await queue.get(ids.get(sid)!);
			assert.equal(row?.status, 'delivered');
			assert.ok(row?.deliveredAt);
		} finally {
			await queue.close();
		}
	});

	it('load, lightly: ~1 s of distinct signed status posts at 100/s, every event lands in the store exactly once', async () => {
		const folder = storeCopy();
		const run = `t${Date.now().toString(36)}`;
		const sids = Array.from({ length: 100 }, (_, i) => benchSid(run, i));
		let queue: ScheduleQueue = await openQueue({ connection: { kind: 'embedded', dataDir: folder } });
		const ids = await seedSentMessages(queue, sids);
		await queue.close();

		const flowNodes = webhookFlow({ path: '/switchboard/bench', storeFolder: folder, eventsTo: 'events' }) as FlowNode[];
		await nr.load(SETS(), [...flowNodes, { id: 'events', type: 'helper' }], webhookFlowCredentials(), { http: true });
		const url = nr.httpUrl('/switchboard/bench');
		const got = collect(nr, 'events', sids.length, { timeoutMs: 20_000, settleMs: 300 });
		const load = await postAtRate(url, signedPosts(url, sids), 100, { connections: 8 });
		assert.deepEqual(load.failed, []);
		assert.equal(load.ok, sids.length);
		const emitted = await got;
		const outcomes = emitted.map((m) => (m.switchboard as { outcome?: string }).outcome);
		assert.deepEqual(new Set(outcomes), new Set(['applied']), 'every event applied, none duplicate or orphaned');
		assert.equal(new Set(emitted.map((m) => (m.payload as EventPayload).providerMessageId)).size, sids.length, 'each message id once');
		await nr.unload();

		queue = await openQueue({ connection: { kind: 'embedded', dataDir: folder } });
		try {
			const page = await queue.list({ status: 'delivered', limit: 1000 });
			assert.deepEqual(new Set(page.items.map((m) => m.id)), new Set(ids.values()));
			// Posting them all again changes nothing: every one is a duplicate.
		} finally {
			await queue.close();
		}
	});
});
