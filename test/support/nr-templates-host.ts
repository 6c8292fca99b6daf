/**
 * A real Node-RED 5 server for the flow templates of flows/node-red/ (issue 6), with what tests of whole
 * flows need on top of test/support/node-red-server.ts:
 *  - settings: `debugMaxLength` large enough for whole digests and
 *    summaries, a credential secret (credentials deployed inline land encrypted in flows_cred.json and
 *    survive a restart), logging at info so the log names what was deployed and every node error;
 *  - the editor's own comms WebSocket (/comms), subscribed to `debug` and `status/#`: what each debug
 *    node shows (and every node warning / error, which Node-RED also sends there), and each node's
 *    status line — so a test can wait for "the run summary appeared" and check that a deploy left no
 *    node in an error state;
 *  - `deploy()` (POST /flows, full) followed by `checkDeploy()`, and `inject(id)` (POST /inject/<id>).
 *
 * The server runs in its own process group and is always stopped with it; an embedded store can be
 * opened by the test process only while the server is stopped (a lock file says so), so tests seed
 * before `start` and inspect after `stop`. Restarting on the same user directory brings the deployed
 * flows back from flows.json.
 *
 * Template helpers: `loadTemplate(name)` reads flows/node-red/<name>.json; `prepare()` rewrites node
 * properties by id and adds credentials inline the way the editor posts them; `merge()` puts several
 * templates in one deploy (their shared config nodes — switchboard-store, provider-* — are identical
 * in every file and kept once).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './net';
import { startNodeRedServer } from './node-red-server';
import { PACKAGE_ROOT } from './pack';

export type FlowNode = Record<string, unknown> & { id: string; type: string; z?: string; wires?: string[][] };

export interface DebugMessage {
	/** The debug node (or, for node warnings and errors, the node that raised them). */
	id: string;
	name?: string;
	/** 20 = error, 30 = warning for log messages; absent for debug nodes. */
	level?: number;
	format?: string;
	/** The shown value: parsed JSON for objects and arrays, the text otherwise. */
	value: unknown;
	raw: Record<string, unknown>;
}

export interface NodeStatus {
	fill?: string;
	shape?: string;
	text?: string;
}

export interface TemplatesServer {
	readonly base: string;
	readonly userDir: string;
	log(): string;
	/** Everything the debug sidebar received since start (or since `clearDebug`). */
	readonly debug: DebugMessage[];
	/** The last status line of each node, by id. */
	readonly statuses: Map<string, NodeStatus>;
	clearDebug(): void;
	deploy(flows: FlowNode[]): Promise<void>;
	/**
	 * Every node type known, no error in the log since the last deploy, and (unless `onlyLog`) no node
	 * warning / error in the debug sidebar and no red status line.
	 */
	checkDeploy(flows: FlowNode[], options?: { onlyLog?: boolean }): Promise<void>;
	inject(id: string): Promise<void>;
	/** Resolves with the first debug message (since `from`) that `match` accepts. */
	waitForDebug(match: (m: DebugMessage) => boolean, what: string, timeoutMs?: number, from?: number): Promise<DebugMessage>;
	stop(): Promise<void>;
}

const API_HEADERS = { Accept: 'application/json', 'Node-RED-API-Version': 'v2' };
const REQUEST_TIMEOUT_MS = 15_000;


export function loadTemplate(name: string): FlowNode[] {
	return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'flows', 'node-red', `${name}.json`), 'utf8')) as FlowNode[];
}

/** Copies `flow` with `props[id]` merged into node `id` and `credentials[id]` added inline (as the editor deploys them). */
export function prepare(flow: FlowNode[], props: Record<string, Record<string, unknown>>, credentials: Record<string, Record<string, string>> = {}): FlowNode[] {
	for (const id of [...Object.keys(props), ...Object.keys(credentials)]) {
		if (!flow.some((n) => n.id === id)) throw new Error(`prepare: no node "${id}" in the flow`);
	}
	return flow.map((n) => ({ ...n, ...(props[n.id] ?? {}), ...(credentials[n.id] ? { credentials: credentials[n.id] } : {}) }));
}

/** Several flows as one deploy; nodes with the same id (the shared config nodes) are kept once and must be identical. */
export function merge(...flows: FlowNode[][]): FlowNode[] {
	const out = new Map<string, FlowNode>();
	for (const flow of flows) {
		for (const n of flow) {
			const before = out.get(n.id);
			if (before && JSON.stringify(before) !== JSON.stringify(n)) throw new Error(`merge: node "${n.id}" differs between templates`);
			out.set(n.id, n);
		}
	}
	return [...out.values()];
}

function decode(raw: Record<string, unknown>): DebugMessage {
	const format = typeof raw.format === 'string' ? raw.format : undefined;
	let value: unknown = raw.msg;
	if (typeof value === 'string' && format && (format === 'Object' || format.startsWith('array') || format.startsWith('Array') || format === 'object')) {
		try {
			value = JSON.parse(value);
		} catch {
			// shown as text
		}
	}
	return {
		id: String(raw.id ?? ''),
		...(typeof raw.name === 'string' ? { name: raw.name } : {}),
		...(typeof raw.level === 'number' ? { level: raw.level } : {}),
		...(format ? { format } : {}),
		value,
		raw,
	};
}

export async function startTemplatesServer(userDir: string): Promise<TemplatesServer> {
	const host = await startNodeRedServer({
		userDir,
		logLevel: 'info',
		settings: { credentialSecret: 'switchboard-templates-e2e-secret', debugMaxLength: 200_000 },
	});
	const { base, port } = host;
	let deployedAt = 0;
	const stop = async (): Promise<void> => {
		socket?.close();
		await host.stop();
	};

	let socket: WebSocket | undefined;
	const debug: DebugMessage[] = [];
	const statuses = new Map<string, NodeStatus>();
	const waiters = new Set<() => void>();
	try {
		socket = new WebSocket(`ws://127.0.0.1:${port}/comms`);
		await new Promise<void>((resolve, reject) => {
			socket!.addEventListener('open', () => resolve(), { once: true });
			socket!.addEventListener('error', () => reject(new Error('comms WebSocket failed to open')), { once: true });
		});
		socket.addEventListener('message', (event: MessageEvent) => {
			let packets: unknown;
			try {
				packets = JSON.parse(String(event.data));
			} catch {
				return;
			}
			for (const p of Array.isArray(packets) ? packets : [packets]) {
				const { topic, data } = (p ?? {}) as { topic?: string; data?: unknown };
				if (topic === 'debug' && data && typeof data === 'object') debug.push(decode(data as Record<string, unknown>));
				else if (typeof topic === 'string' && topic.startsWith('status/')) statuses.set(topic.slice('status/'.length), (data ?? {}) as NodeStatus);
			}
			for (const wake of [...waiters]) wake();
		});
		socket.send(JSON.stringify({ subscribe: 'debug' }));
		socket.send(JSON.stringify({ subscribe: 'status/#' }));
	} catch (error) {
		await stop();
		throw error;
	}

	const api = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

	const server: TemplatesServer = {
		base,
		userDir,
		log: () => host.log(),
		debug,
		statuses,
		clearDebug: () => void debug.splice(0, debug.length),
		async deploy(flows) {
			deployedAt = host.log().length;
			const res = await api('/flows', {
				method: 'POST',
				headers: { ...API_HEADERS, 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
				body: JSON.stringify({ flows }),
			});
			if (!res.ok) throw new Error(`deploy failed: ${res.status} ${await res.text()}`);
			await waitFor(async () => /Started flows/.test(host.log().slice(deployedAt)), 30_000, `the flows to start after the deploy. Log:\n${host.log().slice(-3000)}`);
		},
		async checkDeploy(flows, options = {}) {
			// Node types: every node of the flow is a type the server knows.
			const sets = (await (await api('/nodes', { headers: API_HEADERS })).json()) as Array<{ types: string[]; enabled: boolean; err?: unknown }>;
			const known = new Set(sets.filter((s) => s.enabled && !s.err).flatMap((s) => s.types));
			const builtIn = new Set(['tab', 'group', 'subflow', 'junction']);
			const unknown = [...new Set(flows.map((n) => n.type))].filter((t) => !builtIn.has(t) && !known.has(t));
			if (unknown.length) throw new Error(`unknown node types: ${unknown.join(', ')}`);
			// Give nodes a moment to report (status lines and warnings come right after the start).
			await new Promise((r) => setTimeout(r, 750));
			const ids = new Set(flows.map((n) => n.id));
			const problems: string[] = [];
			if (!options.onlyLog) {
				for (const m of debug) if (m.level !== undefined && m.level <= 30 && ids.has(m.id)) problems.push(`${m.level === 20 ? 'error' : 'warning'} from ${m.id}: ${JSON.stringify(m.value)}`);
				for (const [id, status] of statuses) if (ids.has(id) && status.fill === 'red') problems.push(`red status on ${id}: ${status.text}`);
			}
			const since = host.log().slice(deployedAt);
			for (const line of since.split('\n')) if (/\[error\]|^\s*Error:|missing types|Waiting for missing/i.test(line)) problems.push(`log: ${line}`);
			if (problems.length) throw new Error(`the deploy left node errors:\n${problems.join('\n')}`);
		},
		async inject(id) {
			const res = await api(`/inject/${encodeURIComponent(id)}`, { method: 'POST', headers: API_HEADERS });
			if (res.status !== 200) throw new Error(`POST /inject/${id} answered ${res.status}: ${await res.text()}`);
		},
		async waitForDebug(match, what, timeoutMs = 30_000, from = 0) {
			const find = () => debug.slice(from).find(match);
			const now = find();
			if (now) return now;
			return new Promise<DebugMessage>((resolve, reject) => {
				const wake = () => {
					const found = find();
					if (!found) return;
					cleanup();
					resolve(found);
				};
				const timer = setTimeout(() => {
					cleanup();
					reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. Debug so far:\n${debug.map((m) => `${m.id} ${m.name ?? ''}: ${JSON.stringify(m.value).slice(0, 300)}`).join('\n')}\nLog:\n${host.log().slice(-3000)}`));
				}, timeoutMs);
				const cleanup = () => {
					clearTimeout(timer);
					waiters.delete(wake);
				};
				waiters.add(wake);
			});
		},
		stop,
	};
	return server;
}
