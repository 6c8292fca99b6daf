/**
 * Issue 6 scale check: 10,000 approved, due SMS messages drained by the "Scheduled messages processor"
 * template (flows/node-red/scheduled-messages-processor.json, flows/n8n/scheduled-messages-processor.json)
 * inside a real Node-RED 5 and a real n8n 2.41.1, against an unlimited fake provider, and the same
 * 10,000 through the core directly (Claim Due batch 50 → sendClaimed) in this process, in the same run.
 *
 * Setup, outside the timed part:
 *  - one embedded store (PGlite folder) seeded with 10,000 approved messages whose send time has come
 *    (openQueue + enqueueMany in chunks of 500, then closed), copied once per run so every run starts
 *    from the same store. SMS only (the sms route: Twilio, Vonage as fallback); each body is a realistic,
 *    distinct ~150-character reminder, each recipient a distinct number;
 *  - per run, a fresh fake Twilio API on 127.0.0.1 on its own thread of this process (startFake below:
 *    201 at once, no rate limit, no latency). Every provider account of the template points at it;
 *    any request that is not a Twilio send (a retry, a Vonage fallback) shows up as an extra request;
 *  - the template file as it is, with only what the issue-6 contract lets tests rewrite: the store
 *    folder, provider base URLs and credentials — plus ONE setting: the providers' documented rate limits
 *    are switched off in Channel Send (Node-RED: rateLimits "off"; n8n: Options → Disable Rate Limits).
 *    Left on, Twilio's documented per-sender limit (1/s for a US long code, 100/s for a short code) would
 *    be measured instead of the host. Concurrency and retries stay as the template sets them; the
 *    core run uses the template's concurrency too.
 *
 * Runs:
 *  - core: claimDue({ batchSize: 50 }) → sendClaimed(...) until nothing is due, in this process;
 *  - Node-RED 5 (bench/webhook.bench.ts startNodeRed, our nodes from dist): the flow deployed over the
 *    admin API, run once with POST /inject/processor-tick; done when the fake has accepted all messages
 *    (the store cannot be read while Node-RED holds it), then Node-RED is stopped (it finishes what it
 *    was reporting) and the store is read;
 *  - n8n 2.41.1 (test/support/n8n-server.ts startN8n: package installed, credentials and the workflow
 *    imported with the CLI): the server is stopped again and the workflow is run by `n8n execute
 *    --id=SbScheduledProcessor` in its own process (the template's Manual Trigger); done when it exits.
 *
 * Printed per run: total time (core: the loop; Node-RED: from the inject to the last message reaching
 * the provider; n8n: the `execute` process from spawn to exit, so n8n's own boot and shutdown are in
 * it), the send window (first to last message reaching the provider) and messages/s over it, its ratio
 * to the core's, and the peak memory of the host process: VmHWM from /proc/<pid>/status, VmRSS sampled
 * every 100 ms (max), and the max sampled RSS of the host process with its children (n8n's task
 * runner). For the core run the host process is this bench process (it also holds the fake
 * provider's thread); its peak is reset (/proc/self/clear_refs) before the run.
 * "All sent once" is MET when the fake accepted exactly one request per message (distinct bodies and
 * recipients, no other request) and the store holds every message `sent` with exactly one log row.
 * No target ratio is given by the issue: the numbers are printed. Never fails on a number.
 *
 * Alone: `node_modules/.bin/node --import tsx bench/run.ts templates` (after `npm run build`).
 * SWITCHBOARD_BENCH_TEMPLATE_MESSAGES=<n> runs with fewer messages.
 */
import { spawn } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { ATTEMPTS_TABLE, MESSAGES_TABLE, openQueue, type EnqueueInput } from '../core/queue';
import { internalSqlClient } from '../core/queue/store';
import { PROVIDERS } from '../core/providers/registry';
import { sendClaimed, type ChannelRoute, type SendOptions } from '../core/send';
import { TWILIO_TEST_SID } from '../test/support/fakes/twilio';
import { VONAGE_TEST_KEY, VONAGE_TEST_SECRET } from '../test/support/fakes/vonage';
import { SENDGRID_TEST_KEY } from '../test/support/fakes/sendgrid';
import { BREVO_TEST_KEY } from '../test/support/fakes/brevo';
import { TELEGRAM_BOT_TOKEN } from '../test/support/fakes/telegram';
import { table } from './measure';
import { startNodeRed, type NodeRedServer } from './webhook.bench';

const PACKAGE_ROOT = join(__dirname, '..');
const FLOWS = join(PACKAGE_ROOT, 'flows');
const NODE_RED_TEMPLATE = join(FLOWS, 'node-red', 'scheduled-messages-processor.json');
const N8N_TEMPLATE = join(FLOWS, 'n8n', 'scheduled-messages-processor.json');
const N8N_WORKFLOW_ID = 'SbScheduledProcessor';

const MESSAGES = Math.max(1, Number(process.env.SWITCHBOARD_BENCH_TEMPLATE_MESSAGES ?? 10_000) || 10_000);
const BATCH = 50;
const SEED_CHUNK = 500;
const TWILIO_TOKEN = 'bench_twilio_auth_token_0123456789';
/** A run that has not finished by then is reported as not finished. */
const RUN_TIMEOUT_MS = 240_000;
/** Nothing reached the provider for this long: the host stopped sending. */
const STALL_MS = 60_000;
const SAMPLE_MS = 100;

// ---------------------------------------------------------------------------------------------------
// Messages and store

const FIRST_NAMES = ['Amelia', 'Oliver', 'Isla', 'George', 'Ava', 'Noah', 'Mia', 'Leo', 'Freya', 'Arthur', 'Grace', 'Jack', 'Sofia', 'Harry', 'Lily', 'Oscar'];
const COACHES = ['Dr. Patel', 'Sam Reid', 'Dr. Okafor', 'Jo Martins', 'Dr. Lindqvist', 'Chris Nakamura'];
const TOPICS = ['goal review', 'nutrition plan', 'sleep check-in', 'progress review', 'physio follow-up', 'career coaching'];

/** Message i: a distinct recipient and a distinct, realistic follow-up text (~150 characters). */
export function benchMessage(i: number, sendTime: Date): EnqueueInput {
	const name = FIRST_NAMES[i % FIRST_NAMES.length]!;
	const coach = COACHES[i % COACHES.length]!;
	const topic = TOPICS[(i >> 4) % TOPICS.length]!;
	const ref = `SB-${String(i).padStart(6, '0')}`;
	return {
		channel: 'sms',
		recipient: `+1555${String(i).padStart(7, '0')}`,
		body: `Hi ${name}, thanks for your ${topic} with ${coach} today. Your notes and next steps: https://acme.example/s/${ref.toLowerCase()} Reply STOP to opt out. Ref ${ref}`,
		sendTime,
		status: 'approved',
		sessionId: `session-${i}`,
		clientId: `client-${i % 997}`,
		idempotencyKey: `bench-templates:${i}`,
	};
}

/** Seeds `folder` with MESSAGES approved messages due now (send times in the last hour, oldest first). */
async function seedStore(folder: string): Promise<{ bodies: Set<string> }> {
	const queue = await openQueue({ connection: { kind: 'embedded', dataDir: folder } });
	const bodies = new Set<string>();
	try {
		const start = Date.now() - 3_600_000;
		for (let from = 0; from < MESSAGES; from += SEED_CHUNK) {
			const inputs: EnqueueInput[] = [];
			for (let i = from; i < Math.min(MESSAGES, from + SEED_CHUNK); i++) {
				const input = benchMessage(i, new Date(start + i));
				bodies.add(input.body!);
				inputs.push(input);
			}
			const created = await queue.enqueueMany(inputs);
			if (created.some((c) => !c.created)) throw new Error('seeding: a message already existed');
		}
	} finally {
		await queue.close();
	}
	return { bodies };
}

export interface StoreCheck {
	byStatus: Record<string, number>;
	logRows: number;
	loggedMessages: number;
	failedLogRows: number;
}

/** What the store holds after a run (opened here, so the host must be stopped). */
async function readStore(folder: string): Promise<StoreCheck> {
	const queue = await openQueue({ connection: { kind: 'embedded', dataDir: folder } });
	try {
		const sql = internalSqlClient(queue);
		if (!sql) throw new Error('the embedded store has no SQL client');
		const statuses = await sql.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM ${MESSAGES_TABLE} GROUP BY status`);
		const log = await sql.query<{ n: number; d: number; f: number }>(
			`SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS d, count(*) FILTER (WHERE NOT success)::int AS f FROM ${ATTEMPTS_TABLE}`,
		);
		const byStatus: Record<string, number> = {};
		for (const row of statuses.rows) byStatus[row.status] = row.n;
		return { byStatus, logRows: log.rows[0]?.n ?? 0, loggedMessages: log.rows[0]?.d ?? 0, failedLogRows: log.rows[0]?.f ?? 0 };
	} finally {
		await queue.close();
	}
}

// ---------------------------------------------------------------------------------------------------
// The fake provider and the accounts pointing at it

/** Values for every provider account a template may name (the fake checks Twilio's; the others must never be called). */
const BENCH_ACCOUNTS: Record<string, Record<string, string>> = {
	twilio: { accountSid: TWILIO_TEST_SID, authToken: TWILIO_TOKEN, from: '+15005550006' },
	vonage: { apiKey: VONAGE_TEST_KEY, apiSecret: VONAGE_TEST_SECRET, from: 'Acme' },
	sendgrid: { apiKey: SENDGRID_TEST_KEY, fromEmail: 'reminders@acme.example', fromName: 'Acme' },
	brevo: { apiKey: BREVO_TEST_KEY, fromEmail: 'reminders@acme.example', fromName: 'Acme' },
	telegram: { botToken: TELEGRAM_BOT_TOKEN },
	whatsapp: { accessToken: 'EAAGbenchAccessToken0123456789abcdef', phoneNumberId: '106540352242922' },
};

/** An account's values for `providerId`: the known ones above, else a placeholder for each required field. */
function accountValues(providerId: string): Record<string, string> {
	const known = BENCH_ACCOUNTS[providerId];
	if (known) return { ...known };
	const provider = PROVIDERS.find((p) => p.id === providerId);
	const out: Record<string, string> = {};
	for (const field of provider?.credentialFields ?? []) {
		if (field.required) out[field.name] = field.default !== undefined ? String(field.default) : `bench-${field.name}-0123456789`;
	}
	return out;
}

const isSecret = (providerId: string, field: string): boolean => PROVIDERS.find((p) => p.id === providerId)?.credentialFields.some((f) => f.name === field && f.type === 'password') ?? false;

/**
 * The unlimited fake provider: Twilio's Messages API (POST /2010-04-01/Accounts/{sid}/Messages.json,
 * Basic auth, form body) answering 201 at once with Twilio's body, on its own thread (a worker), so it
 * takes no time from whatever runs in this process (the core run). Counters live in shared memory;
 * the bodies and recipients of accepted messages are fetched once at the end. Every other request
 * (another path, another provider's API, bad auth) is counted and answered 404/401.
 * Same answers as test/support/fakes/twilio.ts, without recording whole requests.
 */
const FAKE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createServer } = require('node:http');
const { randomBytes } = require('node:crypto');
const counts = new Int32Array(workerData.counts);
const times = new Float64Array(workerData.times);
const expected = 'Basic ' + Buffer.from(workerData.accountSid + ':' + workerData.authToken).toString('base64');
const path = '/2010-04-01/Accounts/' + workerData.accountSid + '/Messages.json';
const bodies = [];
const recipients = [];
const server = createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const now = Date.now();
		if (Atomics.add(counts, 1, 1) === 0) times[0] = now;
		times[1] = now;
		const answer = (status, body) => {
			const text = JSON.stringify(body);
			res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
			res.end(text);
		};
		if (req.method !== 'POST' || (req.url || '').split('?')[0] !== path) return answer(404, { code: 20404, message: 'fake: not a Twilio send', status: 404 });
		if (req.headers.authorization !== expected) return answer(401, { code: 20003, message: 'Authenticate', status: 401 });
		const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
		const to = form.get('To') || '';
		const text = form.get('Body') || '';
		bodies.push(text);
		recipients.push(to);
		Atomics.add(counts, 0, 1);
		const sid = 'SM' + randomBytes(16).toString('hex');
		const date = new Date(now).toUTCString().replace('GMT', '+0000');
		answer(201, {
			account_sid: workerData.accountSid, api_version: '2010-04-01', body: text, date_created: date, date_sent: null, date_updated: date,
			direction: 'outbound-api', error_code: null, error_message: null, from: form.get('From'), messaging_service_sid: form.get('MessagingServiceSid'),
			num_media: '0', num_segments: '1', price: null, price_unit: 'USD', sid, status: 'queued', subresource_uris: {}, to,
			uri: '/2010-04-01/Accounts/' + workerData.accountSid + '/Messages/' + sid + '.json',
		});
	});
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
	if (m === 'details') parentPort.postMessage({ bodies, recipients });
	if (m === 'stop') { server.closeAllConnections(); server.close(() => process.exit(0)); }
});
`;

interface FakeCheck {
	accepted: number;
	requests: number;
	distinctBodies: number;
	distinctRecipients: number;
	unknownBodies: number;
	firstAt: number;
	lastAt: number;
}

const EMPTY_CHECK: FakeCheck = { accepted: 0, requests: 0, distinctBodies: 0, distinctRecipients: 0, unknownBodies: 0, firstAt: NaN, lastAt: NaN };

interface Fake {
	url: string;
	accepted(): number;
	requests(): number;
	check(bodies: Set<string>): Promise<FakeCheck>;
	stop(): Promise<void>;
}

async function startFake(): Promise<Fake> {
	const counts = new Int32Array(new SharedArrayBuffer(8));
	const times = new Float64Array(new SharedArrayBuffer(16));
	const worker = new Worker(FAKE_WORKER, { eval: true, workerData: { counts: counts.buffer, times: times.buffer, accountSid: TWILIO_TEST_SID, authToken: TWILIO_TOKEN } });
	const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
	const port = await new Promise<number>((resolve, reject) => {
		worker.once('message', (m: { port: number }) => resolve(m.port));
		worker.once('error', reject);
	});
	const snapshot = (): FakeCheck => ({
		accepted: Atomics.load(counts, 0),
		requests: Atomics.load(counts, 1),
		distinctBodies: 0,
		distinctRecipients: 0,
		unknownBodies: 0,
		firstAt: Atomics.load(counts, 1) ? times[0]! : NaN,
		lastAt: Atomics.load(counts, 1) ? times[1]! : NaN,
	});
	let last: FakeCheck | undefined;
	return {
		url: `http://127.0.0.1:${port}`,
		accepted: () => Atomics.load(counts, 0),
		requests: () => Atomics.load(counts, 1),
		async check(bodies) {
			if (last) return last;
			const details = await new Promise<{ bodies: string[]; recipients: string[] }>((resolve) => {
				worker.once('message', resolve);
				worker.postMessage('details');
			});
			return {
				...snapshot(),
				distinctBodies: new Set(details.bodies).size,
				distinctRecipients: new Set(details.recipients).size,
				unknownBodies: details.bodies.filter((b) => !bodies.has(b)).length,
			};
		},
		async stop() {
			last = snapshot();
			worker.postMessage('stop');
			await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
			await worker.terminate();
		},
	};
}

/** Waits until the fake accepted `n` messages; stops early when nothing arrives for STALL_MS or `stop()` says so. */
async function waitForAccepted(fake: Fake, n: number, stop: () => string | undefined): Promise<string | undefined> {
	const deadline = Date.now() + RUN_TIMEOUT_MS;
	let count = -1;
	let changedAt = Date.now();
	while (fake.accepted() < n) {
		const reason = stop();
		if (reason) return reason;
		if (fake.requests() !== count) {
			count = fake.requests();
			changedAt = Date.now();
		}
		if (Date.now() - changedAt > STALL_MS) return `nothing reached the provider for ${STALL_MS / 1000} s (${fake.accepted()} accepted)`;
		if (Date.now() > deadline) return `not finished after ${RUN_TIMEOUT_MS / 1000} s (${fake.accepted()} accepted)`;
		await new Promise((r) => setTimeout(r, 50));
	}
	return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Memory of a process (Linux /proc)

interface Memory {
	/** VmHWM: the kernel's peak resident set, last read while the process was alive (kB). */
	hwmKb: number;
	/** Max VmRSS sampled every 100 ms (kB). */
	maxRssKb: number;
	/** Max sampled VmRSS of the process plus its descendants (kB). */
	maxTreeKb: number;
}

function statusKb(pid: number, key: 'VmRSS' | 'VmHWM'): number | undefined {
	try {
		const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) : undefined;
	} catch {
		return undefined;
	}
}

function childrenOf(pid: number): number[] {
	const out: number[] = [];
	try {
		for (const task of readdirSync(`/proc/${pid}/task`)) {
			const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
			if (text) out.push(...text.split(/\s+/).map(Number));
		}
	} catch {
		// gone, or no children file
	}
	return out;
}

function treeRssKb(pid: number, depth = 0): number {
	const own = statusKb(pid, 'VmRSS') ?? 0;
	if (depth > 4) return own;
	return own + childrenOf(pid).reduce((sum, child) => sum + treeRssKb(child, depth + 1), 0);
}

/** Samples `pid` every SAMPLE_MS until stopped. */
function sampleMemory(pid: number): { stop(): Memory } {
	const memory: Memory = { hwmKb: 0, maxRssKb: 0, maxTreeKb: 0 };
	const sample = () => {
		const hwm = statusKb(pid, 'VmHWM');
		if (hwm === undefined) return;
		memory.hwmKb = Math.max(memory.hwmKb, hwm);
		memory.maxRssKb = Math.max(memory.maxRssKb, statusKb(pid, 'VmRSS') ?? 0);
		memory.maxTreeKb = Math.max(memory.maxTreeKb, treeRssKb(pid));
	};
	sample();
	const timer = setInterval(sample, SAMPLE_MS);
	return {
		stop() {
			sample();
			clearInterval(timer);
			return memory;
		},
	};
}

// ---------------------------------------------------------------------------------------------------
// Results

interface RunResult {
	host: string;
	/** Why the run did not finish (it is still reported with what was measured). */
	problem?: string;
	totalMs: number;
	totalNote: string;
	fake: FakeCheck;
	store?: StoreCheck;
	memory?: Memory;
	note?: string;
}

function allSentOnce(r: RunResult): { ok: boolean; why: string[] } {
	const why: string[] = [];
	if (r.problem) why.push(r.problem);
	if (r.fake.accepted !== MESSAGES) why.push(`provider accepted ${r.fake.accepted} of ${MESSAGES}`);
	if (r.fake.requests !== r.fake.accepted) why.push(`${r.fake.requests - r.fake.accepted} other provider requests (retries, fallbacks)`);
	if (r.fake.distinctBodies !== r.fake.accepted || r.fake.distinctRecipients !== r.fake.accepted) {
		why.push(`${r.fake.accepted - r.fake.distinctBodies} bodies / ${r.fake.accepted - r.fake.distinctRecipients} recipients sent more than once`);
	}
	if (r.fake.unknownBodies) why.push(`${r.fake.unknownBodies} bodies not in the store`);
	if (!r.store) why.push('store not read');
	else {
		const sent = r.store.byStatus.sent ?? 0;
		if (sent !== MESSAGES) why.push(`store: ${sent} sent of ${MESSAGES} (${JSON.stringify(r.store.byStatus)})`);
		if (r.store.logRows !== MESSAGES || r.store.loggedMessages !== MESSAGES) why.push(`store log: ${r.store.logRows} rows for ${r.store.loggedMessages} messages`);
		if (r.store.failedLogRows) why.push(`store log: ${r.store.failedLogRows} failed attempts`);
	}
	return { ok: why.length === 0, why };
}

const mb = (kb: number | undefined): string => (kb ? `${(kb / 1024).toFixed(0)} MB` : '-');

function describe(results: RunResult[]): string {
	const rate = (r: RunResult): number => (r.fake.accepted > 1 ? (r.fake.accepted - 1) / ((r.fake.lastAt - r.fake.firstAt) / 1000) : NaN);
	const core = results.find((r) => r.host.startsWith('core'));
	const coreRate = core ? rate(core) : NaN;
	const rows = results.map((r) => ({
		host: r.host,
		sent: `${r.fake.accepted}/${MESSAGES}`,
		'total s': (r.totalMs / 1000).toFixed(1),
		'send window s': Number.isFinite(r.fake.lastAt - r.fake.firstAt) ? ((r.fake.lastAt - r.fake.firstAt) / 1000).toFixed(1) : '-',
		'messages/s': Number.isFinite(rate(r)) ? rate(r).toFixed(0) : '-',
		'vs core': Number.isFinite(rate(r) / coreRate) ? (rate(r) / coreRate).toFixed(2) : '-',
		'peak RSS (VmHWM)': mb(r.memory?.hwmKb),
		'max sampled RSS': mb(r.memory?.maxRssKb),
		'with children': mb(r.memory?.maxTreeKb),
		'all sent once': allSentOnce(r).ok ? 'MET' : 'NOT MET',
	}));
	const lines = [
		`${MESSAGES.toLocaleString('en-US')} approved, due SMS messages (distinct recipients and bodies) → the processor template (Claim Due batch ${BATCH} → Channel Send, completing in the queue → More due?) → an unlimited fake Twilio on 127.0.0.1 (201 at once).`,
		'',
		table(rows),
		'',
		'messages/s = messages over the send window (first to last message reaching the provider); "vs core" = that rate / the core run\'s.',
	];
	for (const r of results) {
		lines.push(`${r.host}: total = ${r.totalNote}.${r.note ? ` ${r.note}` : ''}`);
		const verdict = allSentOnce(r);
		lines.push(
			`  all sent once: ${verdict.ok ? 'MET' : 'NOT MET'} — provider: ${r.fake.accepted} accepted, ${r.fake.requests} requests, ${r.fake.distinctBodies} distinct bodies, ${r.fake.distinctRecipients} distinct recipients; ` +
				(r.store ? `store: ${JSON.stringify(r.store.byStatus)}, ${r.store.logRows} log rows for ${r.store.loggedMessages} messages` : 'store: not read') +
				(verdict.ok ? '' : `; ${verdict.why.join('; ')}`),
		);
	}
	return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// The template settings the core run copies

interface TemplateSettings {
	concurrency: number;
	retry: SendOptions['retry'];
}

function nodeRedChannelSend(flow: Array<Record<string, unknown>>): Record<string, unknown> | undefined {
	return flow.find((n) => n.type === 'channel-send');
}

function templateSettings(): TemplateSettings {
	const fallback: TemplateSettings = { concurrency: 10, retry: undefined };
	if (!existsSync(NODE_RED_TEMPLATE)) return fallback;
	const send = nodeRedChannelSend(JSON.parse(readFileSync(NODE_RED_TEMPLATE, 'utf8')) as Array<Record<string, unknown>>);
	if (!send) return fallback;
	const num = (v: unknown, d: number) => (v === undefined || v === '' || !Number.isFinite(Number(v)) ? d : Number(v));
	return {
		concurrency: num(send.concurrency, 10),
		retry: {
			strategy: (typeof send.retryStrategy === 'string' && send.retryStrategy ? send.retryStrategy : 'exponential') as 'exponential',
			initialDelaySeconds: num(send.initialDelay, 1),
			maxDelaySeconds: num(send.maxDelay, 30),
			jitter: num(send.jitter, 0.2),
			maxAttempts: num(send.maxAttempts, 3),
		},
	};
}

// ---------------------------------------------------------------------------------------------------
// Core directly

async function runCore(seedFolder: string, dir: string, bodies: Set<string>, settings: TemplateSettings): Promise<RunResult> {
	const folder = join(dir, 'store-core');
	cpSync(seedFolder, folder, { recursive: true });
	const fake = await startFake();
	const result: RunResult = { host: 'core (sendClaimed, this process)', totalMs: NaN, totalNote: 'Claim Due + sendClaimed loop until nothing is due', fake: EMPTY_CHECK };
	try {
		const queue = await openQueue({ connection: { kind: 'embedded', dataDir: folder } });
		const routes: ChannelRoute[] = [
			{
				channel: 'sms',
				providers: [
					{ provider: 'twilio', config: { ...accountValues('twilio'), baseUrl: fake.url } },
					{ provider: 'vonage', config: { ...accountValues('vonage'), baseUrl: fake.url } },
				],
			},
		];
		const options: SendOptions & { workerId: string } = { routes, retry: settings.retry, rateLimits: { disabled: true, concurrency: settings.concurrency }, workerId: 'bench-core' };
		let reset = false;
		try {
			writeFileSync('/proc/self/clear_refs', '5');
			reset = true;
		} catch {
			// not allowed: VmHWM then covers the whole bench process
		}
		const sampler = sampleMemory(process.pid);
		const started = Date.now();
		try {
			for (;;) {
				const claimed = await queue.claimDue({ batchSize: BATCH, workerId: 'bench-core' });
				if (claimed.length === 0) break;
				await sendClaimed(queue, claimed, options);
			}
			result.totalMs = Date.now() - started;
		} finally {
			result.memory = sampler.stop();
			await queue.close();
		}
		result.note = `Concurrency ${settings.concurrency} (the template's). Memory: this bench process (PGlite, the tsx loader and the fake provider's thread included)${reset ? ', peak reset before the run' : ', peak since the bench started'}.`;
		result.fake = await fake.check(bodies);
		result.store = await readStore(folder);
	} catch (error) {
		result.problem = `FAILED: ${(error as Error).message.split('\n')[0]}`;
		result.fake = await fake.check(bodies);
	} finally {
		await fake.stop();
	}
	return result;
}

// ---------------------------------------------------------------------------------------------------
// Node-RED 5

const PROVIDER_NODE_TYPES = new Map(PROVIDERS.map((p) => [`switchboard-${p.id}`, p.id]));

/**
 * The template with the store folder, provider base URLs and credentials set, and documented rate
 * limits off. Store and provider config nodes are found by type (the contract names their ids
 * switchboard-store and provider-<id>; any id works here).
 */
export function nodeRedBenchFlow(
	template: Array<Record<string, unknown>>,
	storeFolder: string,
	fakeUrl: string,
): { flow: Array<Record<string, unknown>>; credentials: Record<string, Record<string, string>>; renamed: string[] } {
	const credentials: Record<string, Record<string, string>> = {};
	const { flow: fixed, renamed } = renameSelfReferencingConfigNodes(template);
	const flow = fixed.map((original) => {
		const node = { ...original };
		const id = String(node.id);
		const type = String(node.type);
		if (type === 'switchboard-store') {
			node.storeType = 'embedded';
			node.folder = storeFolder;
		}
		const providerId = PROVIDER_NODE_TYPES.get(type);
		if (providerId) {
			node.baseUrl = fakeUrl;
			for (const [field, value] of Object.entries(accountValues(providerId))) {
				if (isSecret(providerId, field)) (credentials[id] ??= {})[field] = value;
				else node[field] = value;
			}
		}
		if (type === 'channel-send') node.rateLimits = 'off';
		return node;
	});
	return { flow, credentials, renamed };
}

/**
 * Node-RED starts a config node only after every config node one of its property values names, so a
 * config node with a property equal to its own id — e.g. id "switchboard-store" of type
 * "switchboard-store" — never starts ("Circular config node dependency detected") and nothing using
 * it works. Such ids are renamed (and every reference to them) so the run can go on; the report says so.
 */
function renameSelfReferencingConfigNodes(template: Array<Record<string, unknown>>): { flow: Array<Record<string, unknown>>; renamed: string[] } {
	const isConfig = (n: Record<string, unknown>) => n.type !== 'tab' && n.type !== 'subflow' && n.type !== 'group' && n.wires === undefined;
	const renames = new Map<string, string>();
	for (const node of template) {
		if (!isConfig(node)) continue;
		const id = String(node.id);
		if (Object.entries(node).some(([key, value]) => key !== 'id' && value === id)) renames.set(id, `${id}-config-node`);
	}
	if (renames.size === 0) return { flow: template, renamed: [] };
	const swap = (value: unknown): unknown =>
		typeof value === 'string' ? (renames.get(value) ?? value)
		: Array.isArray(value) ? value.map(swap)
		: value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swap(v)]))
		: value;
	const flow = template.map((node) => Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === 'type' || key === 'func' || key === 'info' ? value : swap(value)])));
	return { flow, renamed: [...renames].map(([from, to]) => `${from} → ${to}`) };
}

async function runNodeRed(seedFolder: string, dir: string, bodies: Set<string>): Promise<RunResult> {
	const folder = join(dir, 'store-node-red');
	const userDir = join(dir, 'node-red');
	cpSync(seedFolder, folder, { recursive: true });
	mkdirSync(userDir, { recursive: true });
	writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'switchboard-bench-templates', version: '0.0.1', private: true }));
	const fake = await startFake();
	const result: RunResult = { host: 'Node-RED 5', totalMs: NaN, totalNote: 'POST /inject/processor-tick until the last message reached the provider', fake: EMPTY_CHECK };
	let server: NodeRedServer | undefined;
	let sampler: { stop(): Memory } | undefined;
	try {
		if (!existsSync(NODE_RED_TEMPLATE)) throw new Error(`${NODE_RED_TEMPLATE} is missing`);
		const template = JSON.parse(readFileSync(NODE_RED_TEMPLATE, 'utf8')) as Array<Record<string, unknown>>;
		const { flow, credentials, renamed } = nodeRedBenchFlow(template, folder, fake.url);
		if (renamed.length) {
			result.note =
				`TEMPLATE DEFECT worked around: config node id(s) ${renamed.join(', ')} renamed for this run — Node-RED refuses a config node whose id equals one of its own property values (here its type): "Circular config node dependency detected", and nothing using it starts.`;
		}
		server = await startNodeRed(userDir);
		const pid = server.pid;
		const res = await fetch(`${server.base}/flows`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': 'full' },
			body: JSON.stringify({ flows: flow.map((n) => (credentials[String(n.id)] ? { ...n, credentials: credentials[String(n.id)] } : n)) }),
			signal: AbortSignal.timeout(30_000),
		});
		if (!res.ok) throw new Error(`deploy failed: ${res.status} ${await res.text()}`);
		if (pid) sampler = sampleMemory(pid);
		// The deploy answers before every node has started; the inject endpoint answers 404 (and runs
		// nothing) until the inject node exists, so it is retried until it answers 200 (one run).
		let started = Date.now();
		for (let tries = 0; ; tries++) {
			started = Date.now();
			const tick = await fetch(`${server.base}/inject/processor-tick`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
			if (tick.ok) break;
			if (tick.status !== 404 || tries >= 150) throw new Error(`POST /inject/processor-tick answered ${tick.status}: ${await tick.text()}`);
			await new Promise((r) => setTimeout(r, 200));
		}
		const problem = await waitForAccepted(fake, MESSAGES, () => undefined);
		result.fake = await fake.check(bodies);
		result.totalMs = (Number.isFinite(result.fake.lastAt) ? result.fake.lastAt : Date.now()) - started;
		if (problem) result.problem = `${problem}\nNode-RED log (end):\n${server.log().slice(-2000)}`;
		if (!pid) result.note = `${result.note ?? ''} Node-RED process not found in /proc: no memory figures.`.trim();
		// Let the last batch's reports reach the store, then stop (Node-RED closes the store).
		await new Promise((r) => setTimeout(r, 1000));
		result.memory = sampler?.stop();
		sampler = undefined;
		await server.stop();
		server = undefined;
		result.fake = await fake.check(bodies);
		result.store = await readStore(folder);
	} catch (error) {
		result.problem = `FAILED: ${(error as Error).message}${server ? `\nNode-RED log (end):\n${server.log().slice(-2000)}` : ''}`;
		result.fake = await fake.check(bodies);
	} finally {
		sampler?.stop();
		await server?.stop();
		await fake.stop();
	}
	return result;
}

// ---------------------------------------------------------------------------------------------------
// n8n 2.41.1

const PACKAGE_PREFIX = '@switchboard-msg/n8n-nodes-switchboard.';

/** n8n credential type → provider id ("switchboardSendGridApi" → "sendgrid"). */
const providerOfCredentialType = (type: string): string | undefined => /^switchboard(.+)Api$/.exec(type)?.[1]?.toLowerCase();

/** The template with the store folder set, documented rate limits off, and the credentials it references (→ the fake). */
export function n8nBenchWorkflow(template: Record<string, unknown>, storeFolder: string, fakeUrl: string): { workflow: Record<string, unknown>; credentials: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }> } {
	const credentials = new Map<string, { id: string; name: string; type: string; data: Record<string, unknown> }>();
	const nodes = (template.nodes as Array<Record<string, unknown>>).map((original) => {
		const parameters: Record<string, unknown> = { ...((original.parameters as Record<string, unknown>) ?? {}) };
		const node: Record<string, unknown> = { ...original, parameters };
		const type = String(node.type);
		if (type === `${PACKAGE_PREFIX}scheduleQueue` || type === `${PACKAGE_PREFIX}channelSend`) {
			if (parameters.storeType === undefined || parameters.storeType === 'embedded') {
				parameters.storeOptions = { ...((parameters.storeOptions as Record<string, unknown>) ?? {}), storeFolder };
			}
		}
		if (type === `${PACKAGE_PREFIX}channelSend`) parameters.sendOptions = { ...((parameters.sendOptions as Record<string, unknown>) ?? {}), disableRateLimits: true };
		for (const [credentialType, ref] of Object.entries((node.credentials as Record<string, { id: string; name: string }>) ?? {})) {
			const providerId = providerOfCredentialType(credentialType);
			if (!providerId || !PROVIDERS.some((p) => p.id === providerId)) continue;
			credentials.set(ref.id, { id: ref.id, name: ref.name, type: credentialType, data: { ...accountValues(providerId), baseUrl: fakeUrl } });
		}
		return node;
	});
	return { workflow: { ...template, nodes, active: false }, credentials: [...credentials.values()] };
}

async function runN8n(seedFolder: string, dir: string, bodies: Set<string>): Promise<RunResult> {
	const folder = join(dir, 'store-n8n');
	cpSync(seedFolder, folder, { recursive: true });
	const fake = await startFake();
	const result: RunResult = { host: 'n8n 2.41.1 (execute)', totalMs: NaN, totalNote: "the `n8n execute` process from spawn to exit (n8n's boot, the run, saving the execution and printing its data)", fake: EMPTY_CHECK };
	const { startN8n } = await import('../test/support/n8n-server');
	let server: Awaited<ReturnType<typeof startN8n>> | undefined;
	let sampler: { stop(): Memory } | undefined;
	try {
		if (!existsSync(N8N_TEMPLATE)) throw new Error(`${N8N_TEMPLATE} is missing`);
		const template = JSON.parse(readFileSync(N8N_TEMPLATE, 'utf8')) as Record<string, unknown>;
		const { workflow, credentials } = n8nBenchWorkflow(template, folder, fake.url);
		// Import the credentials and the workflow with the package installed; the run itself is `n8n execute`
		// in its own process, so the server is stopped again first (same user folder, same broker port).
		const setupStarted = Date.now();
		server = await startN8n({ logLevel: 'warn', credentials, workflows: [workflow] });
		await server.stop();
		const setupSeconds = (Date.now() - setupStarted) / 1000;
		const output = join(dir, 'n8n-execute-output.txt');
		const out = createWriteStream(output);
		const started = Date.now();
		const child = spawn(process.execPath, [server.bin, 'execute', `--id=${N8N_WORKFLOW_ID}`], { env: server.env, stdio: ['ignore', 'pipe', 'pipe'] });
		child.stdout.pipe(out);
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString('utf8');
			if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
		});
		const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
		if (child.pid) sampler = sampleMemory(child.pid);
		let code: number | null | undefined;
		void exited.then((c) => (code = c));
		const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS + 60_000);
		const problem = await waitForAccepted(fake, MESSAGES, () => (code !== undefined ? `n8n execute exited with ${code} after ${fake.accepted()} messages` : undefined));
		// Stalled or timed out: stop it (the exit code then says so).
		if (problem && code === undefined) child.kill('SIGKILL');
		code = await exited;
		clearTimeout(timer);
		result.totalMs = Date.now() - started;
		result.memory = sampler?.stop();
		sampler = undefined;
		await finished(out); // the pipe ends it when the process's stdout ends
		const size = statSync(output).size;
		result.note = `Exit code ${code}${size > 100_000 ? `; it printed ${(size / 1e6).toFixed(1)} MB of execution data` : ''}. Set-up before it (not timed: import with the CLI, server start and stop): ${setupSeconds.toFixed(0)} s.`;
		if (problem || code !== 0) {
			const head = readFileSync(output, 'utf8').slice(0, 1500);
			result.problem = `${problem ?? `n8n execute exited with ${code}`}\nstdout (start):\n${head}\nstderr (end):\n${stderr.slice(-2000)}`;
		}
		result.fake = await fake.check(bodies);
		result.store = await readStore(folder);
	} catch (error) {
		result.problem = `FAILED: ${(error as Error).message}`;
		result.fake = await fake.check(bodies);
	} finally {
		sampler?.stop();
		await server?.dispose();
		await fake.stop();
	}
	return result;
}

// ---------------------------------------------------------------------------------------------------

export async function report(): Promise<string> {
	const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-templates-'));
	try {
		const seedFolder = join(dir, 'store-seed');
		const seedStarted = Date.now();
		const { bodies } = await seedStore(seedFolder);
		const seeded = `Seeded ${MESSAGES.toLocaleString('en-US')} messages in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s (not timed below).`;
		const settings = templateSettings();
		const results: RunResult[] = [];
		results.push(await runCore(seedFolder, dir, bodies, settings));
		results.push(await runNodeRed(seedFolder, dir, bodies));
		results.push(await runN8n(seedFolder, dir, bodies));
		const problems = results.filter((r) => r.problem).map((r) => `${r.host}: ${r.problem}`);
		return [seeded, '', describe(results), ...(problems.length ? ['', ...problems] : [])].join('\n');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

if (require.main === module) {
	report().then(
		(text) => console.log(text),
		(error: unknown) => {
			console.error(error);
			process.exit(1);
		},
	);
}
