/**
 * Channel Send and the provider account config nodes (switchboard-<provider>) inside the real Node-RED
 * runtime, 4 and 5 (test/support/node-red-harness.ts). Providers are local fakes speaking the real
 * APIs (test/support/fakes/*): Twilio through its official SDK, Telegram through telegraf's client.
 *
 * Our node sets are loaded as package.json lists them (dist/, what users install) once they are
 * listed there; until then, from the TypeScript sources (the runner registers tsx). The store config
 * node always comes from dist, as Schedule Queue's tests load it.
 *
 * Expected values come from what the test sends (recipients, tokens, the route order), never from
 * the node's own answers about itself.
 */
import assert from 'node:assert/strict';
import { createDecipheriv, createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { MESSAGE_SCHEMA_ID } from '../../core';
import { openQueue, type ScheduledMessage } from '../../core/queue';
import { PROVIDERS } from '../../core/providers/registry';
import { TelegramFake, TELEGRAM_BOT_TOKEN } from '../support/fakes/telegram';
import { TwilioFake, TWILIO_TEST_SID, TWILIO_TEST_TOKEN } from '../support/fakes/twilio';
import {
	PACKAGE_ROOT,
	forEachRuntime,
	ourNodeModule,
	packageNodeRedNodes,
	type Credentials,
	type FlowNode,
	type Message,
	type NodeRedHarness,
} from '../support/node-red-harness';

const SEND = 'channel-send';
const PROVIDER_SET = 'switchboard-provider';
const STORE = 'switchboard-store';

type NodeModuleFn = (RED: Record<string, unknown>) => unknown;

/**
 * Our set by name: from package.json (dist) once Channel Send is listed there, else every set —
 * the store included, so it opens the queue with the same core — from the TypeScript sources.
 */
function setModule(name: string): NodeModuleFn {
	if (packageNodeRedNodes()[SEND]) return ourNodeModule(name);
	return require(join(PACKAGE_ROOT, 'nodes', 'node-red', `${name}.ts`)) as NodeModuleFn;
}
const modules = (...names: string[]): NodeModuleFn[] => names.map(setModule);

const scratch: string[] = [];
after(() => {
	for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
	const dir = mkdtempSync(join(tmpdir(), 'switchboard-nr-send-'));
	scratch.push(dir);
	return dir;
}

// ---------------------------------------------------------------------------------------------------
// Fakes and messages

let twilio: TwilioFake;
let telegram: TelegramFake;
before(async () => {
	twilio = await new TwilioFake().start();
	telegram = await new TelegramFake().start();
});
after(async () => {
	await twilio.stop();
	await telegram.stop();
});
afterEach(() => {
	twilio.requests.length = 0;
	twilio.accepted.length = 0;
	telegram.requests.length = 0;
	telegram.blocked.clear();
});

const SENDER = '+15005550006';
function sms(to: string, text: string, id = `sms-${to}`): Record<string, unknown> {
	return {
		schema: MESSAGE_SCHEMA_ID,
		id,
		channel: 'sms',
		provider: 'twilio',
		direction: 'outbound',
		conversation: { id: to, type: 'direct' },
		recipients: [{ id: to }],
		timestamp: '2026-05-28T14:31:02.000Z',
		parts: [{ type: 'text', text }],
	};
}
function tg(chatId: string, text: string): Record<string, unknown> {
	return { ...sms(chatId, text, `tg-${chatId}`), channel: 'telegram', provider: 'telegram' };
}

// ---------------------------------------------------------------------------------------------------
// Flows

const twilioAccount = (id: string, name?: string): FlowNode => ({ id, type: 'switchboard-twilio', name: name ?? '', accountSid: TWILIO_TEST_SID, from: SENDER, baseUrl: twilio.url });
const telegramAccount = (id: string): FlowNode => ({ id, type: 'switchboard-telegram', name: '', baseUrl: telegram.url });

/** channel-send `s` wired to `out`, Catch and Complete watching it, plus the accounts. */
function flow(send: Record<string, unknown>, extra: FlowNode[] = []): FlowNode[] {
	return [
		{ id: 's', type: SEND, retryStrategy: 'none', rateLimits: 'documented', wires: [['out']], ...send } as FlowNode,
		{ id: 'out', type: 'helper' },
		{ id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
		{ id: 'errors', type: 'helper' },
		{ id: 'complete', type: 'complete', scope: ['s'], uncaught: false, wires: [['completed']] },
		{ id: 'completed', type: 'helper' },
		...extra,
	];
}

const WRONG_TWILIO_TOKEN = 'wrong_token_0000000000000000000';
/** Credentials by node id (a fresh copy per load: the runtime cleans up the object it is given). */
const CREDS_SOURCE: Credentials = {
	tw: { authToken: TWILIO_TEST_TOKEN },
	twBad: { authToken: WRONG_TWILIO_TOKEN },
	tg: { botToken: TELEGRAM_BOT_TOKEN },
};
const creds = (): Credentials => structuredClone(CREDS_SOURCE);

/** Sends msg to `s`; resolves with what reached the output and the Catch node once `s` called done(). */
async function run(nr: NodeRedHarness, msg: Message, timeoutMs = 15_000): Promise<{ out: Message[]; errors: Message[] }> {
	const out: Message[] = [];
	const errors: Message[] = [];
	const onOut = (m: Message) => out.push(m);
	const onErr = (m: Message) => errors.push(m);
	nr.node('out').on('input', onOut as (...args: never[]) => void);
	nr.node('errors').on('input', onErr as (...args: never[]) => void);
	try {
		const finished = new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('channel-send did not finish')), timeoutMs);
			const onDone = () => {
				clearTimeout(timer);
				resolve();
			};
			nr.node('completed').on('input', onDone);
			// A failure calls done(err): Catch instead of Complete.
			nr.node('errors').on('input', () => setTimeout(onDone, 50));
		});
		nr.receive('s', msg);
		await finished;
		await new Promise((r) => setTimeout(r, 100));
		return { out, errors };
	} finally {
		nr.node('out').removeListener('input', onOut as (...args: never[]) => void);
		nr.node('errors').removeListener('input', onErr as (...args: never[]) => void);
	}
}

interface Result {
	status: string;
	channel: string;
	provider: string | null;
	account: string | null;
	externalId: string | null;
	attempts: Array<{ provider: string; account: string | null; success: boolean; errorCode: string | null; fallbackReason: string | null }>;
	error: { code: string | null; category: string; message: string } | null;
	preview: { provider: string; to: string; payloads: unknown[] } | null;
	id?: string;
	queue?: { status: string };
}

function nodeExists(nr: NodeRedHarness, id: string): boolean {
	try {
		nr.node(id);
		return true;
	} catch {
		return false;
	}
}

/** Everything a runtime put out (messages, statuses, errors) must not contain `secrets`. */
function assertNoSecrets(what: unknown, secrets: string[] = [TWILIO_TEST_TOKEN, WRONG_TWILIO_TOKEN, TELEGRAM_BOT_TOKEN]): void {
	const text = JSON.stringify(what);
	for (const secret of secrets) assert.ok(!text.includes(secret), `a secret leaked: ${text.slice(0, 300)}`);
}

// ---------------------------------------------------------------------------------------------------

forEachRuntime('Channel Send node', (nr) => {
	it('sends an SMS through Twilio (official SDK) and falls back in route order: a bad primary, then the backup', async () => {
		await nr.load(
			modules(PROVIDER_SET, SEND),
			flow({ routes: [{ channel: 'sms', providers: ['twBad', 'tw'] }] }, [twilioAccount('twBad', 'Twilio primary'), twilioAccount('tw', 'Twilio backup')]),
			creds(),
		);
		const { out, errors } = await run(nr, { payload: sms('+447700900123', 'Your code is 4821'), topic: 'keep' });
		assert.deepEqual(errors, []);
		assert.equal(out.length, 1);
		const result = out[0]!.payload as Result;
		assert.equal(result.status, 'queued');
		// provider is the provider id (what the delivery log keeps); account is the config node's name.
		assert.equal(result.provider, 'twilio');
		assert.equal(result.account, 'Twilio backup');
		assert.deepEqual(
			result.attempts.map((a) => [a.provider, a.account, a.success]),
			[['twilio', 'Twilio primary', false], ['twilio', 'Twilio backup', true]],
		);
		assert.equal(result.attempts[0]!.errorCode, '20003', 'the provider\'s own code is kept');
		assert.match(result.attempts[1]!.fallbackReason ?? '', /^primary_failed/);
		// The fake saw the primary's wrong credentials first, then the backup's accepted request.
		const auths = twilio.requests.map((r) => Buffer.from((r.headers.authorization ?? '').replace('Basic ', ''), 'base64').toString().split(':')[1]);
		assert.deepEqual(auths, [WRONG_TWILIO_TOKEN, TWILIO_TEST_TOKEN]);
		assert.equal(twilio.accepted.length, 1);
		assert.equal(twilio.accepted[0]!.form.get('To'), '+447700900123');
		assert.equal(twilio.accepted[0]!.form.get('From'), SENDER);
		assert.equal(twilio.accepted[0]!.form.get('Body'), 'Your code is 4821');
		assert.equal(result.externalId, twilio.accepted[0]!.sid);
		assert.equal(out[0]!.topic, 'keep');
		assert.equal(nr.statuses('s').at(-1)?.text, 'queued (Twilio backup)');
		assertNoSecrets([out, errors, nr.statuses('s')]);
	});

	it('a batch to Telegram: results in order, progress on the status line ("sent n/3")', async () => {
		await nr.load(modules(PROVIDER_SET, SEND), flow({ routes: [{ channel: 'telegram', providers: ['tg'] }] }, [telegramAccount('tg')]), creds());
		const chats = ['100200301', '100200302', '100200303'];
		const { out, errors } = await run(nr, { payload: chats.map((c, i) => tg(c, `Reminder ${i}`)) });
		assert.deepEqual(errors, []);
		const results = out[0]!.payload as Result[];
		assert.deepEqual(results.map((r) => r.status), ['sent', 'sent', 'sent']);
		const sent = telegram.calls('sendMessage').map((r) => r.json as { chat_id: unknown; text: string });
		assert.deepEqual(sent.map((b) => String(b.chat_id)).sort(), [...chats].sort());
		assert.deepEqual(out[0]!.switchboard, { operation: 'send', count: 3, sent: 3, failed: 0, dryRun: 0 });
		const texts = nr.statuses('s').map((s) => s.text);
		assert.equal(texts[0], 'sending 0/3');
		assert.ok(texts.includes('sent 3/3'), `progress reached 3/3: ${texts.join(' | ')}`);
		assert.equal(texts.at(-1), 'sent 3 of 3');
		assert.ok(telegram.requests.every((r) => r.path.startsWith(`/bot${TELEGRAM_BOT_TOKEN}/`)), 'the bot token authenticates the calls');
		assertNoSecrets([out, nr.statuses('s')]);
	});

	it('dry run sends nothing and returns exactly what would be sent; msg.dryRun=false overrides the node', async () => {
		await nr.load(
			modules(PROVIDER_SET, SEND),
			flow({ dryRun: true, routes: [{ channel: 'sms', providers: ['tw'] }, { channel: 'telegram', providers: ['tg'] }] }, [twilioAccount('tw'), telegramAccount('tg')]),
			creds(),
		);
		const { out } = await run(nr, { payload: [sms('+447700900124', 'Dry one'), tg('100200304', 'Dry two')] });
		const results = out[0]!.payload as Result[];
		assert.deepEqual(results.map((r) => [r.status, r.preview?.provider, r.preview?.to]), [['dry_run', 'twilio', '+447700900124'], ['dry_run', 'telegram', '100200304']]);
		assert.ok(JSON.stringify(results[0]!.preview!.payloads).includes('Dry one'));
		assert.equal(twilio.requests.length + telegram.requests.length, 0, 'nothing left the process');
		assert.equal(nr.statuses('s').at(-1)?.text, 'dry run 2 of 2');

		const real = await run(nr, { payload: sms('+447700900124', 'Now for real'), dryRun: false });
		assert.equal((real.out[0]!.payload as Result).status, 'queued');
		assert.equal(twilio.accepted.length, 1);
	});

	it('a permanent failure goes to Catch naming the message, with the result on msg; nothing is sent on', async () => {
		await nr.load(modules(PROVIDER_SET, SEND), flow({ routes: [{ channel: 'telegram', providers: ['tg'] }] }, [telegramAccount('tg')]), creds());
		telegram.blocked.add('100200399');
		const { out, errors } = await run(nr, { payload: tg('100200399', 'You there?') });
		assert.deepEqual(out, []);
		assert.equal(errors.length, 1);
		const caught = errors[0]!;
		const error = caught.error as { message: string; source: { id: string } };
		assert.equal(error.source.id, 's');
		assert.match(error.message, /tg-100200399/, 'names the message');
		assert.match(error.message, /100200399/);
		const result = caught.payload as Result;
		assert.equal(result.status, 'failed');
		assert.equal(result.error?.category, 'recipient');
		assert.equal(nr.statuses('s').at(-1)?.fill, 'red');

		// In a batch, the output still carries every result, and Catch gets the failed one on its own.
		const batch = await run(nr, { payload: [tg('100200305', 'ok'), tg('100200399', 'blocked')] });
		assert.deepEqual((batch.out[0]!.payload as Result[]).map((r) => r.status), ['sent', 'failed']);
		assert.equal(batch.errors.length, 1);
		assert.equal((batch.errors[0]!.payload as Result).status, 'failed');
		assert.equal((batch.errors[0]!.switchboard as { index: number }).index, 1);
		assertNoSecrets([out, errors, batch]);
	});

	it('bad routes show at deploy and fail every message with a typed error', async () => {
		await nr.load(modules(PROVIDER_SET, SEND), flow({ routes: [{ channel: 'sms', providers: ['nope'] }] }), creds());
		assert.equal(nr.statuses('s')[0]?.fill, 'red');
		const { out, errors } = await run(nr, { payload: sms('+447700900125', 'x') });
		assert.deepEqual(out, []);
		assert.equal((errors[0]!.error as { code?: string }).code, 'INVALID_SEND_OPTIONS');
		assert.match((errors[0]!.error as { message: string }).message, /not deployed/);
	});

	it('provider secrets are encrypted credentials, never in the flow; the Test endpoint answers without leaking them', async () => {
		await nr.load(modules(PROVIDER_SET, SEND), flow({ routes: [{ channel: 'sms', providers: ['tw'] }] }, [twilioAccount('tw')]), creds());
		const runtimeDir = dirname(require.resolve(`${nr.runtime.module}/package.json`));
		const nodesApi = require(require.resolve('@node-red/runtime/lib/nodes', { paths: [runtimeDir] })) as {
			getFlows(): { flows: FlowNode[] };
			setFlows(config: FlowNode[], credentials: unknown, type: string): Promise<unknown>;
		};
		const credentials = require(require.resolve('@node-red/runtime/lib/nodes/credentials', { paths: [runtimeDir] })) as {
			export(): Promise<Record<string, unknown>>;
			setKey(key: string | null): void;
		};
		// What `credentialSecret` in settings.js does (the test helper keeps settings unavailable, which turns it off).
		credentials.setKey('channel-send-test-key');
		after(() => credentials.setKey(null));
		// Deploy as the editor does: the credentials travel inline with the node.
		const deployed = nodesApi.getFlows().flows.map((n) => (n.id === 'tw' ? { ...n, credentials: { authToken: TWILIO_TEST_TOKEN } } : n));
		await nodesApi.setFlows(deployed, null, 'full');
		for (let i = 0; i < 100 && !nodeExists(nr, 'completed'); i++) await new Promise((r) => setTimeout(r, 20));
		assertNoSecrets(nodesApi.getFlows().flows, [TWILIO_TEST_TOKEN]);
		// What the deploy saved to flows_cred.json (marked dirty again so export encrypts the cache anew).
		credentials.setKey('channel-send-test-key');
		const saved = await credentials.export();
		assert.deepEqual(Object.keys(saved), ['$'], 'credentials are stored encrypted');
		assertNoSecrets(saved, [TWILIO_TEST_TOKEN]);
		const cipher = String(saved.$);
		const decipher = createDecipheriv('aes-256-ctr', createHash('sha256').update('channel-send-test-key').digest(), Buffer.from(cipher.slice(0, 32), 'hex'));
		const plain = JSON.parse(decipher.update(cipher.slice(32), 'base64', 'utf8') + decipher.final('utf8')) as Record<string, Record<string, string>>;
		assert.equal(plain.tw?.authToken, TWILIO_TEST_TOKEN);
		// The redeployed account still sends.
		const { out } = await run(nr, { payload: sms('+447700900126', 'after redeploy') });
		assert.equal((out[0]!.payload as Result).status, 'queued');

		// The provider list the editor reads: every provider, its fields, no values.
		const list = await nr.admin().get('/switchboard/providers');
		assert.equal(list.status, 200);
		const providers = (list.body as { providers: Array<{ id: string; type: string; fields: Array<{ name: string; secret: boolean }> }> }).providers;
		assert.deepEqual(providers.map((p) => p.id), PROVIDERS.map((p) => p.id));
		assert.ok(providers.find((p) => p.id === 'twilio')!.fields.find((f) => f.name === 'authToken')!.secret);
		assertNoSecrets(list.text);

		// Test: with the values typed in the dialog; with the stored secret ("__PWRD__"); with a wrong one.
		const verify = (body: unknown) => nr.admin().post('/switchboard/providers/twilio/verify').send(body);
		const typed = await verify({ config: { accountSid: TWILIO_TEST_SID, from: SENDER, baseUrl: twilio.url }, credentials: { authToken: TWILIO_TEST_TOKEN } });
		assert.equal((typed.body as { ok: boolean }).ok, true, typed.text);
		const stored = await verify({ id: 'tw', config: { accountSid: TWILIO_TEST_SID, from: SENDER, baseUrl: twilio.url }, credentials: { authToken: '__PWRD__' } });
		assert.equal((stored.body as { ok: boolean }).ok, true, stored.text);
		const wrong = await verify({ id: 'tw', config: { accountSid: TWILIO_TEST_SID, from: SENDER, baseUrl: twilio.url }, credentials: { authToken: 'not_the_token_123456789' } });
		const answer = wrong.body as { ok: boolean; error: { code: string; category: string; message: string } };
		assert.equal(answer.ok, false);
		assert.equal(answer.error.code, '20003');
		assert.equal(answer.error.category, 'auth');
		for (const r of [typed, stored, wrong]) assertNoSecrets(r.text, [TWILIO_TEST_TOKEN, 'not_the_token_123456789']);
		const requested = twilio.requests.filter((r) => r.method === 'GET').length;
		assert.equal(requested, 3, 'each Test made one read-only call');

		// Telegram's Test: getMe with the bot token, and a wrong token.
		const tgOk = await nr.admin().post('/switchboard/providers/telegram/verify').send({ config: { baseUrl: telegram.url }, credentials: { botToken: TELEGRAM_BOT_TOKEN } });
		assert.equal((tgOk.body as { ok: boolean }).ok, true, tgOk.text);
		const wrongBot = '7012345678:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
		const tgBad = await nr.admin().post('/switchboard/providers/telegram/verify').send({ config: { baseUrl: telegram.url }, credentials: { botToken: wrongBot } });
		assert.equal((tgBad.body as { ok: boolean }).ok, false);
		assertNoSecrets([tgOk.text, tgBad.text], [TELEGRAM_BOT_TOKEN, wrongBot]);
	});

	it('complete in Schedule Queue: claimed rows are sent, then marked sent / dead in the embedded store with the attempt', async () => {
		const folder = join(tempDir(), 'store');
		const queue = await openQueue({ connection: { kind: 'embedded', dataDir: folder } });
		const rows: ScheduledMessage[] = [];
		try {
			for (const [i, to] of ['+447700900127', '+15005550001'].entries()) {
				const { message } = await queue.enqueue({ channel: 'sms', recipient: to, body: `Appointment ${i} confirmed`, sendTime: '2024-01-01T09:00:00.000Z', status: 'approved' });
				rows.push(message);
			}
			const claimed = await queue.claimDue({ batchSize: 10, workerId: 'nr-worker-1' });
			assert.equal(claimed.length, 2);
			rows.splice(0, rows.length, ...rows.map((r) => claimed.find((c) => c.id === r.id)!));
		} finally {
			await queue.close();
		}
		await nr.load(
			modules(PROVIDER_SET, SEND, STORE),
			flow({ completeInQueue: true, store: 'store', routes: [{ channel: 'sms', providers: ['tw'] }] }, [twilioAccount('tw'), { id: 'store', type: STORE, storeType: 'embedded', folder }]),
			creds(),
		);
		const { out, errors } = await run(nr, { payload: rows }, 60_000);
		const results = out[0]!.payload as Result[];
		assert.deepEqual(results.map((r) => [r.id, r.status, r.queue?.status]), [[rows[0]!.id, 'queued', 'sent'], [rows[1]!.id, 'failed', 'dead']]);
		assert.equal(errors.length, 1, 'the failed row is reported to Catch');
		assert.match((errors[0]!.error as { message: string }).message, new RegExp(rows[1]!.id));
		await nr.unload();

		const reopened = await openQueue({ connection: { kind: 'embedded', dataDir: folder } });
		try {
			const sent = await reopened.get(rows[0]!.id);
			assert.equal(sent?.status, 'sent');
			assert.equal(sent?.provider, 'twilio');
			assert.equal(sent?.externalId, twilio.accepted[0]!.sid);
			assert.deepEqual(sent?.attempts.map((a) => [a.success, a.provider, a.externalId]), [[true, 'twilio', twilio.accepted[0]!.sid]]);
			const dead = await reopened.get(rows[1]!.id);
			assert.equal(dead?.status, 'dead');
			assert.equal(dead?.attempts[0]?.errorCode, '21211');
		} finally {
			await reopened.close();
		}
	});

	it('the example flow loads and dry-runs its sample message', async () => {
		const example = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'flows', 'node-red', 'channel-send.json'), 'utf8')) as FlowNode[];
		const accounts = example.filter((n) => n.type.startsWith('switchboard-') && n.type !== STORE);
		assert.ok(accounts.length >= 1);
		const credentials: Credentials = {};
		for (const account of accounts) credentials[account.id] = account.type === 'switchboard-telegram' ? { botToken: TELEGRAM_BOT_TOKEN } : { authToken: TWILIO_TEST_TOKEN };
		const sends = example.filter((n) => n.type === SEND);
		assert.equal(sends.length, 1);
		await nr.load(
			[...modules(PROVIDER_SET, SEND), nr.coreNode('common/20-inject.js'), nr.coreNode('function/10-function.js'), nr.coreNode('common/21-debug.js'), nr.coreNode('common/90-comment.js')],
			example,
			credentials,
		);
		const send = sends[0]!;
		assert.ok(!nr.statuses(send.id).some((s) => s.fill === 'red'), `no setup error: ${JSON.stringify(nr.statuses(send.id))}`);
		const debug = example.find((n) => n.type === 'debug' && (send.wires ?? [])[0]?.includes(n.id));
		assert.ok(debug, 'the send node is wired to a debug node');
		const got = new Promise<Message>((resolve) => nr.node(debug.id).on('input', resolve as (...args: never[]) => void));
		const inject = example.find((n) => n.type === 'inject')!;
		nr.receive(inject.id, { payload: Date.now() });
		const msg = await got;
		const named = (type: string) => accounts.find((a) => a.type === type)!.name;
		assert.deepEqual(
			(msg.payload as Result[]).map((r) => [r.status, r.preview?.provider, r.account]),
			[
				['dry_run', 'twilio', named('switchboard-twilio')],
				['dry_run', 'telegram', named('switchboard-telegram')],
			],
		);
		assert.equal(twilio.requests.length + telegram.requests.length, 0);
	});
});

// ---------------------------------------------------------------------------------------------------
// The editor files, checked against the core (no runtime needed)

describe('provider config nodes: editor and help', () => {
	const html = readFileSync(join(PACKAGE_ROOT, 'nodes', 'node-red', 'switchboard-provider.html'), 'utf8');
	const help = readFileSync(join(PACKAGE_ROOT, 'nodes', 'node-red', 'locales', 'en-US', 'switchboard-provider.html'), 'utf8');

	it('declares every provider\'s fields exactly as the core defines them (names, secret or not, required, default)', () => {
		const start = html.indexOf('var PROVIDERS = ');
		const end = html.indexOf('};', start);
		// eslint-disable-next-line @typescript-eslint/no-implied-eval
		const declared = new Function(`${html.slice(start, end + 2)} return PROVIDERS;`)() as Record<string, { fields: Array<[string, string, number, string?]> }>;
		assert.deepEqual(Object.keys(declared), PROVIDERS.map((p) => p.id));
		for (const provider of PROVIDERS) {
			const expected = provider.credentialFields.map((f) => {
				const kind = f.type === 'password' ? 'p' : f.type === 'options' ? `o:${(f.options ?? []).map((o) => o.value).join('|')}` : 's';
				const row: [string, string, number, string?] = [f.name, kind, f.required ? 1 : 0];
				if (f.default !== undefined && f.type !== 'password') row.push(String(f.default));
				return row;
			});
			assert.deepEqual(declared[provider.id]!.fields, expected, provider.id);
		}
	});

	it('has an edit template and a help text naming every field, for every provider type', () => {
		for (const provider of PROVIDERS) {
			const type = `switchboard-${provider.id}`;
			assert.ok(html.includes(`data-template-name="${type}"`), `${type} template`);
			const start = help.indexOf(`data-help-name="${type}"`);
			assert.ok(start >= 0, `${type} help`);
			const text = help.slice(start, help.indexOf('</script>', start));
			for (const field of provider.credentialFields) assert.ok(text.includes(`<code>${field.name}</code>`), `${type} help names ${field.name}`);
		}
	});

	it('locale files parse', () => {
		for (const name of ['channel-send.json', 'switchboard-provider.json']) {
			const path = join(PACKAGE_ROOT, 'nodes', 'node-red', 'locales', 'en-US', name);
			assert.ok(existsSync(path));
			JSON.parse(readFileSync(path, 'utf8'));
		}
	});

	it('every provider type has its palette label and a label per field, worded as the core names the field', () => {
		const catalog = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'nodes', 'node-red', 'locales', 'en-US', 'switchboard-provider.json'), 'utf8')) as Record<
			string,
			{ paletteLabel?: string; label?: Record<string, string> }
		>;
		for (const provider of PROVIDERS) {
			const entry = catalog[`switchboard-${provider.id}`];
			assert.ok(entry, `switchboard-${provider.id} is in the catalog`);
			assert.equal(entry.paletteLabel, `${provider.name} account`);
			assert.deepEqual(entry.label, { name: 'Name', ...Object.fromEntries(provider.credentialFields.map((f) => [f.name, f.displayName])) });
		}
	});
});
