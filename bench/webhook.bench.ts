/**
 * Issue 5 target: a real Node-RED on 127.0.0.1 receives 1,000 signed webhook posts per second for 10
 * seconds; so does a real n8n (runN8n: the Delivery Webhook trigger, store updates only); every event
 * ends up in the store, none twice.
 *
 * Setup, outside the timed part:
 *  - an embedded store (PGlite folder) holding N = rate × seconds scheduled messages that were sent
 *    (claimed and completed with external id `SMbench…`, as Channel Send records a Twilio send);
 *  - a Node-RED 5 server (node_modules/node-red/red.js, its own process, Node 24) loading our node sets
 *    from the built tree (settings.nodesDir → dist/nodes/node-red), with a flow deployed over the admin
 *    API: delivery-webhook on POST /switchboard/bench, platform twilio, a Twilio account holding the
 *    auth token, the store above;
 *  - N distinct Twilio status callbacks (MessageStatus=delivered for message i), each signed
 *    (X-Twilio-Signature over the exact URL + sorted form params), built before the clock starts.
 *
 * Timed part: an open-loop schedule (post i is due at start + i / rate) over an undici Pool of 128
 * keep-alive connections (providers deliver callbacks over many parallel connections); a bounded number
 * in flight (if the server falls behind, posts wait and the achieved rate drops; nothing is dropped).
 * Latency is per post, from dispatch to the full answer. The achieved rate is answered posts over the
 * whole run including the drain at the end; MET when ≥ 0.95 × target with no failed post and the
 * store check passes.
 *
 * Afterwards Node-RED is stopped (the store is closed and unlocked) and the store is opened here:
 * every message must be `delivered` and every event must be recorded exactly once. The rate target
 * is printed MET / NOT MET; tests never check it (test/node-red/delivery-webhook.test.ts runs the same
 * flow for ~1 s at a low rate and checks "every event exactly once").
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { openQueue, type ScheduleQueue } from '../core/queue';
import { EVENTS_TABLE } from '../core/queue/migrations';
import { internalSqlClient } from '../core/queue/store';
import { waitFor } from '../test/support/net';
import { startNodeRedServer } from '../test/support/node-red-server';
import { table } from './measure';


export const BENCH_TWILIO_TOKEN = 'bench_twilio_auth_token_0123456789';
export const BENCH_PATH = '/switchboard/bench';
const TARGET_RATE = 1000;
const SECONDS = 10;
const CONNECTIONS = 128;
/** Achieved rate (answered posts over the whole run, drain included) counted as reaching the target, as issue 4's bench. */
const RATE_TARGET = 0.95;
const MAX_IN_FLIGHT = 512;

// ---------------------------------------------------------------------------------------------------
// Shared with test/node-red/delivery-webhook.test.ts

/** The provider message id of message i (what Channel Send recorded as external id). */
export const benchSid = (run: string, i: number): string => `SMbench${run}${String(i).padStart(6, '0')}`;

/** A Twilio status callback body (form-encoded, as Twilio posts it). */
export function twilioStatusBody(sid: string, status: string, to = '+14255550177'): string {
	return new URLSearchParams({
		SmsSid: sid,
		SmsStatus: status,
		MessageStatus: status,
		To: to,
		MessageSid: sid,
		AccountSid: 'ACa1b2c3d4e5f60718293a4b5c6d7e8f90',
		From: '+15005550123',
		ApiVersion: '2010-04-01',
	}).toString();
}

/** X-Twilio-Signature: base64 HMAC-SHA1 over the URL + every form param name+value, names sorted. */
export function twilioSignature(token: string, url: string, body: string): string {
	const params = [...new URLSearchParams(body)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	let data = url;
	for (const [name, value] of params) data += name + value;
	return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

export interface SignedPost {
	sid: string;
	body: string;
	headers: Record<string, string>;
}

/** The signed status callbacks: one per message, all distinct. */
export function signedPosts(url: string, sids: string[], status = 'delivered'): SignedPost[] {
	return sids.map((sid) => {
		const body = twilioStatusBody(sid, status);
		return {
			sid,
			body,
			headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(BENCH_TWILIO_TOKEN, url, body) },
		};
	});
}

/**
 * The flow: delivery-webhook (Twilio, verified) on `path`, the Twilio account, the store; outputs go to
 * `eventsTo` / `messagesTo` when given (tests wire helper nodes there).
 */
export function webhookFlow(options: { path: string; storeFolder: string; tab?: string; eventsTo?: string; messagesTo?: string }): Array<Record<string, unknown>> {
	const z = options.tab;
	return [
		{
			id: 'bench-webhook',
			type: 'delivery-webhook',
			...(z ? { z } : {}),
			name: '',
			path: options.path,
			platform: 'twilio',
			twilio: 'bench-twilio',
			verify: true,
			publicUrl: '',
			store: 'bench-store',
			maxBodyKb: 1024,
			x: 200,
			y: 100,
			wires: [options.eventsTo ? [options.eventsTo] : [], options.messagesTo ? [options.messagesTo] : []],
		},
		{ id: 'bench-twilio', type: 'switchboard-twilio', name: 'bench twilio', accountSid: 'ACa1b2c3d4e5f60718293a4b5c6d7e8f90', from: '+15005550123' },
		{ id: 'bench-store', type: 'switchboard-store', name: 'bench store', storeType: 'embedded', folder: options.storeFolder },
	];
}

/** Credentials of that flow, by node id. */
export const webhookFlowCredentials = (): Record<string, Record<string, string>> => ({ 'bench-twilio': { authToken: BENCH_TWILIO_TOKEN } });

/**
 * Puts `sids.length` messages into the queue as Channel Send leaves them after a successful Twilio
 * send: approved, claimed, completed with provider twilio and external id = sid. Returns their ids by sid.
 */
export async function seedSentMessages(queue: ScheduleQueue, sids: string[]): Promise<Map<string, string>> {
	const ids = new Map<string, string>();
	const CHUNK = 500;
	for (let start = 0; start < sids.length; start += CHUNK) {
		const part = sids.slice(start, start + CHUNK);
		const created = await queue.enqueueMany(
			part.map((sid, k) => ({ channel: 'sms' as const, recipient: `+1425555${String((start + k) % 10000).padStart(4, '0')}`, body: 'bench', status: 'approved' as const, idempotencyKey: `bench-${sid}` })),
		);
		const bySid = new Map<string, string>();
		created.forEach((c, k) => bySid.set(c.message.id, part[k]!));
		const claimed = await queue.claimDue({ batchSize: part.length, workerId: 'bench-seeder' });
		const results = await queue.completeMany(claimed.map((m) => ({ id: m.id, workerId: 'bench-seeder', provider: 'twilio', channel: 'sms', externalId: bySid.get(m.id)! })));
		for (const r of results) {
			if (!r.ok) throw r.error;
			ids.set(bySid.get(r.id)!, r.id);
		}
		if (results.length !== part.length) throw new Error(`seeding: claimed ${results.length} of ${part.length}`);
	}
	return ids;
}

export interface StoreCheck {
	messages: number;
	delivered: number;
	notDelivered: string[];
	/** Rows in the store's delivery-event log about these messages, and how many of them repeat a message. */
	eventRows: number | null;
	duplicatedEvents: number | null;
}

/**
 * What the store holds after the run: each message's status, and — through the queue's own SQL client
 * when the store has a delivery-event table — how many event rows each message has.
 */
export async function checkStore(queue: ScheduleQueue, ids: Map<string, string>): Promise<StoreCheck> {
	const wanted = new Set(ids.values());
	const seen = new Set<string>();
	let cursor: string | undefined;
	do {
		const page = await queue.list({ status: ['delivered', 'read'], limit: 1000, ...(cursor ? { cursor } : {}) });
		for (const row of page.items) if (wanted.has(row.id)) seen.add(row.id);
		cursor = page.nextCursor;
	} while (cursor);
	const notDelivered: string[] = [];
	for (const [sid, id] of ids) {
		if (seen.has(id)) continue;
		if (notDelivered.length < 5) notDelivered.push(`${sid}: ${(await queue.get(id))?.status ?? 'missing'}`);
		else notDelivered.push(sid);
	}
	const counted = await eventRowCounts(queue, [...ids.keys()]);
	return { messages: ids.size, delivered: seen.size, notDelivered, eventRows: counted?.rows ?? null, duplicatedEvents: counted?.duplicates ?? null };
}

/**
 * The store's delivery-event log (switchboard_delivery_events, one row per distinct provider event):
 * rows about these provider message ids, and how many of those repeat a message id (each message got
 * exactly one event, so any repeat is an event stored twice).
 */
async function eventRowCounts(queue: ScheduleQueue, sids: string[]): Promise<{ rows: number; duplicates: number } | undefined> {
	const sql = internalSqlClient(queue);
	if (!sql) return undefined;
	const { rows } = await sql.query<{ n: number; d: number }>(
		`SELECT count(*)::int AS n, count(DISTINCT provider_message_id)::int AS d FROM ${EVENTS_TABLE} WHERE provider_message_id = ANY($1::text[])`,
		[sids],
	);
	const n = rows[0]?.n ?? 0;
	return { rows: n, duplicates: n - (rows[0]?.d ?? 0) };
}

// ---------------------------------------------------------------------------------------------------
// Load generation

export interface LoadResult {
	sent: number;
	ok: number;
	failed: Array<{ status: number | string; body: string }>;
	elapsedSeconds: number;
	latenciesMs: number[];
}

/**
 * Posts every `posts[i]` to `url` at `rate` per second (post i due at start + i / rate), over a
 * keep-alive pool, at most `maxInFlight` at once. Waits for every answer.
 */
export async function postAtRate(url: string, posts: SignedPost[], rate: number, options: { connections?: number; maxInFlight?: number } = {}): Promise<LoadResult> {
	const target = new URL(url);
	const pool = new Pool(target.origin, { connections: options.connections ?? CONNECTIONS, pipelining: 1, keepAliveTimeout: 30_000 });
	const maxInFlight = options.maxInFlight ?? MAX_IN_FLIGHT;
	const path = target.pathname + target.search;
	const latencies = new Array<number>(posts.length);
	const failed: LoadResult['failed'] = [];
	let ok = 0;
	let inFlight = 0;
	let next = 0;
	let wake: (() => void) | undefined;
	const start = performance.now();
	const all: Array<Promise<void>> = [];
	const one = async (i: number): Promise<void> => {
		const post = posts[i]!;
		const t0 = performance.now();
		try {
			const res = await pool.request({ method: 'POST', path, headers: post.headers, body: post.body });
			const text = await res.body.text();
			latencies[i] = performance.now() - t0;
			if (res.statusCode === 200) ok++;
			else failed.push({ status: res.statusCode, body: text.slice(0, 200) });
		} catch (error) {
			latencies[i] = performance.now() - t0;
			failed.push({ status: (error as Error).name, body: (error as Error).message });
		} finally {
			inFlight--;
			wake?.();
		}
	};
	try {
		while (next < posts.length) {
			const due = Math.min(posts.length, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
			while (next < due && inFlight < maxInFlight) {
				inFlight++;
				all.push(one(next++));
			}
			if (next >= posts.length) break;
			// Sleep until the next post is due, or a slot frees up when the cap was reached.
			const dueAt = start + (next / rate) * 1000;
			await new Promise<void>((resolve) => {
				const timer = setTimeout(done, Math.max(0, Math.min(5, dueAt - performance.now())));
				function done() {
					clearTimeout(timer);
					wake = undefined;
					resolve();
				}
				if (inFlight >= maxInFlight) wake = done;
			});
		}
		await Promise.all(all);
	} finally {
		await pool.close();
	}
	return { sent: posts.length, ok, failed, elapsedSeconds: (performance.now() - start) / 1000, latenciesMs: latencies };
}

export function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return NaN;
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank]!;
}

// ---------------------------------------------------------------------------------------------------
// A real Node-RED server

export interface NodeRedServer {
	base: string;
	/** The server process id (for memory readings). */
	pid: number | undefined;
	log(): string;
	stop(): Promise<void>;
}

/** Node-RED 5 (red.js) on 127.0.0.1 with our node sets from dist (test/support/node-red-server.ts). */
export async function startNodeRed(userDir: string): Promise<NodeRedServer> {
	return await startNodeRedServer({ userDir, settings: { credentialSecret: 'switchboard-bench-credential-secret' } });
}

/** Deploys `flow` (credentials inline on the nodes, as the editor posts them) and waits until `path` answers. */
export async function deployFlow(base: string, flow: Array<Record<string, unknown>>, credentials: Record<string, Record<string, string>>, path: string): Promise<void> {
	const tab = { id: 'bench-tab', type: 'tab', label: 'delivery webhook bench' };
	const nodes = flow.map((n) => ({ ...n, ...(n.wires !== undefined ? { z: 'bench-tab' } : {}), ...(credentials[n.id as string] ? { credentials: credentials[n.id as string] } : {}) }));
	const res = await fetch(`${base}/flows`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': 'full' },
		body: JSON.stringify({ flows: [tab, ...nodes] }),
		signal: AbortSignal.timeout(15_000),
	});
	if (!res.ok) throw new Error(`deploy failed: ${res.status} ${await res.text()}`);
	// An unsigned post answers 401 once the route exists (404 before).
	await waitFor(async () => (await fetch(`${base}${path}`, { method: 'POST', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, signal: AbortSignal.timeout(2000) })).status === 401, 30_000, `the webhook route ${path}`);
}

// ---------------------------------------------------------------------------------------------------

export interface WebhookBenchResult {
	host: string;
	rate: number;
	seconds: number;
	load: LoadResult;
	store: StoreCheck;
}

/** The Node-RED run: seed, start, deploy, post, stop, check. */
export async function runNodeRed(rate = TARGET_RATE, seconds = SECONDS): Promise<WebhookBenchResult> {
	const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-webhook-'));
	const storeFolder = join(dir, 'store');
	const userDir = join(dir, 'node-red');
	const run = Date.now().toString(36);
	const total = rate * seconds;
	const sids = Array.from({ length: total }, (_, i) => benchSid(run, i));
	let server: NodeRedServer | undefined;
	try {
		let queue = await openQueue({ connection: { kind: 'embedded', dataDir: storeFolder } });
		const ids = await seedSentMessages(queue, sids);
		await queue.close();

		const { mkdirSync } = await import('node:fs');
		mkdirSync(userDir, { recursive: true });
		writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'bench', version: '0.0.1', private: true }));
		server = await startNodeRed(userDir);
		const started = server;
		await deployFlow(server.base, webhookFlow({ path: BENCH_PATH, storeFolder, tab: 'bench-tab' }), webhookFlowCredentials(), BENCH_PATH).catch((error: Error) => {
			throw new Error(`${error.message}\nNode-RED log:\n${started.log().slice(-3000)}`);
		});
		const url = `${server.base}${BENCH_PATH}`;
		const posts = signedPosts(url, sids);
		// Warm-up is the store's first write: one extra message's worth is not needed; the route answered already.
		const load = await postAtRate(url, posts, rate);
		await server.stop();
		server = undefined;

		queue = await openQueue({ connection: { kind: 'embedded', dataDir: storeFolder } });
		try {
			return { host: 'Node-RED 5', rate, seconds, load, store: await checkStore(queue, ids) };
		} finally {
			await queue.close();
		}
	} finally {
		await server?.stop();
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * n8n 2.x evaluates expressions in isolated-vm isolates by default (N8N_EXPRESSION_ENGINE=vm, a pool of
 * one), and a webhook of any trigger node other than n8n's own Webhook node takes an isolate for the
 * whole request (live-webhooks.js webhookPhaseNeedsIsolate), which is disposed and rebuilt after each:
 * about 100 ms per request, one at a time — ~10 requests/s for every community trigger, whatever the
 * node does. The documented setting for a high-volume callback endpoint is the legacy engine
 * (README, "Delivery Webhook at high volume"); the bench measures that, and the default for comparison.
 */
export const N8N_FAST_WEBHOOKS_ENV: NodeJS.ProcessEnv = { N8N_EXPRESSION_ENGINE: 'legacy' };

const N8N_WEBHOOK_ID = '9b7c1f00-5e1d-4c1a-8f7e-0b3e5a1d2c01';
const N8N_WORKFLOW_ID = 'SwitchboardWebhookBench1';

/**
 * The n8n workflow: the Delivery Webhook trigger (Twilio, verified, embedded store) with "Start the
 * Workflow For" = no delivery events — callbacks only update the store, as a high-volume status
 * endpoint is set up (an execution per delivery receipt would be n8n's own cost, not the node's).
 */
function n8nWebhookWorkflow(storeFolder: string): Record<string, unknown> {
	return {
		id: N8N_WORKFLOW_ID,
		name: 'Switchboard bench: Delivery Webhook',
		active: false,
		nodes: [
			{
				id: '9b7c1f00-5e1d-4c1a-8f7e-0b3e5a1d2c02',
				name: 'Delivery Webhook',
				type: '@switchboard-msg/n8n-nodes-switchboard.deliveryWebhook',
				typeVersion: 1,
				position: [0, 0],
				webhookId: N8N_WEBHOOK_ID,
				parameters: { platform: 'twilio', verifySignatures: true, updateQueue: true, emitEvents: 'none', storeType: 'embedded', storeOptions: { storeFolder }, options: { keepRaw: false } },
				credentials: { switchboardTwilioApi: { id: 'sbBenchTwilio1', name: 'Twilio (bench)' } },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** The n8n run: seed, start n8n with the built package, post, stop, check. */
export async function runN8n(rate = TARGET_RATE, seconds = SECONDS, env: NodeJS.ProcessEnv = N8N_FAST_WEBHOOKS_ENV): Promise<WebhookBenchResult> {
	const { startN8n } = await import('../test/support/n8n-server');
	const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-webhook-n8n-'));
	const storeFolder = join(dir, 'store');
	const run = `n${Date.now().toString(36)}`;
	const sids = Array.from({ length: rate * seconds }, (_, i) => benchSid(run, i));
	let server: Awaited<ReturnType<typeof startN8n>> | undefined;
	try {
		let queue = await openQueue({ connection: { kind: 'embedded', dataDir: storeFolder } });
		const ids = await seedSentMessages(queue, sids);
		await queue.close();
		server = await startN8n({
			logLevel: 'warn',
			env,
			credentials: [{ id: 'sbBenchTwilio1', name: 'Twilio (bench)', type: 'switchboardTwilioApi', data: { accountSid: 'ACa1b2c3d4e5f60718293a4b5c6d7e8f90', authToken: BENCH_TWILIO_TOKEN, from: '+15005550123' } }],
			workflows: [n8nWebhookWorkflow(storeFolder)],
			publish: [N8N_WORKFLOW_ID],
		});
		const url = `${server.baseUrl}/webhook/${N8N_WEBHOOK_ID}/webhook`;
		await waitFor(async () => (await fetch(url, { method: 'POST', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, signal: AbortSignal.timeout(2000) })).status === 401, 60_000, 'the n8n webhook route');
		const load = await postAtRate(url, signedPosts(url, sids), rate);
		await server.stop();
		queue = await openQueue({ connection: { kind: 'embedded', dataDir: storeFolder } });
		try {
			return { host: `n8n 2.41.1 (${env.N8N_EXPRESSION_ENGINE ?? 'vm'} expressions)`, rate, seconds, load, store: await checkStore(queue, ids) };
		} finally {
			await queue.close();
		}
	} finally {
		await server?.dispose();
		rmSync(dir, { recursive: true, force: true });
	}
}

function describe(r: WebhookBenchResult): string {
	const sorted = r.load.latenciesMs.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
	const achieved = r.load.ok / r.load.elapsedSeconds;
	const rows = [
		{
			host: r.host,
			posts: r.load.sent,
			'200 OK': r.load.ok,
			failed: r.load.failed.length,
			'elapsed s': r.load.elapsedSeconds.toFixed(2),
			'achieved /s': achieved.toFixed(0),
			'p50 ms': percentile(sorted, 50).toFixed(1),
			'p95 ms': percentile(sorted, 95).toFixed(1),
			'p99 ms': percentile(sorted, 99).toFixed(1),
			'max ms': (sorted[sorted.length - 1] ?? NaN).toFixed(1),
		},
	];
	const everyEvent = r.store.delivered === r.store.messages;
	const noneTwice = r.store.duplicatedEvents === null ? null : r.store.duplicatedEvents === 0;
	const lines = [
		table(rows),
		'',
		`Store: ${r.store.delivered}/${r.store.messages} messages delivered${r.store.notDelivered.length ? ` (first missing: ${r.store.notDelivered.slice(0, 3).join('; ')})` : ''}; ` +
			(r.store.eventRows === null ? 'no delivery-event table found to count rows in' : `${r.store.eventRows} event rows, ${r.store.duplicatedEvents} duplicated`),
		r.load.failed.length ? `Failed posts (first 3): ${JSON.stringify(r.load.failed.slice(0, 3))}` : '',
		`Target ${r.rate}/s for ${r.seconds} s (achieved ≥ ${RATE_TARGET} × target, no failed post), every event in the store once: ${achieved >= r.rate * RATE_TARGET && r.load.failed.length === 0 && everyEvent && noneTwice !== false ? 'MET' : 'NOT MET'}` +
			` (achieved ${achieved.toFixed(0)}/s; every event stored: ${everyEvent ? 'yes' : 'NO'}; none twice: ${noneTwice === null ? 'not countable' : noneTwice ? 'yes' : 'NO'})`,
	];
	return lines.filter((l) => l !== '').join('\n');
}

export async function report(): Promise<string> {
	const out: string[] = [];
	try {
		out.push(describe(await runNodeRed()));
	} catch (error) {
		out.push(`Node-RED: FAILED to run — ${(error as Error).stack ?? String(error)}`);
	}
	out.push('');
	try {
		out.push(describe(await runN8n()));
	} catch (error) {
		out.push(`n8n: FAILED to run — ${(error as Error).stack ?? String(error)}`);
	}
	// n8n's default expression engine, for comparison: a short run (at ~10 requests/s the full target would take 17 minutes).
	out.push('', "n8n with its default expression engine (isolated-vm, one isolate per webhook request), 100/s for 3 s, for comparison:");
	try {
		out.push(describe(await runN8n(100, 3, {})));
	} catch (error) {
		out.push(`n8n (default engine): FAILED to run — ${(error as Error).stack ?? String(error)}`);
	}
	return out.join('\n');
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
