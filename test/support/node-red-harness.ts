/**
 * Runs our Node-RED nodes inside the real Node-RED runtime, 4 and 5, in-process, through
 * node-red-node-test-helper. One helper instance per runtime (`new NodeTestHelper()` +
 * `init(require.resolve(<runtime>))`), so the same test body runs against both in one process: the
 * `node-red-4` alias has its own @node-red/* tree, so the two runtimes share no module state.
 *
 * Nodes are loaded from the compiled tree (dist/, as package.json's `node-red.nodes` lists them), never
 * from sources, so these tests see what users install. Build first (`npm test` does).
 *
 * What the helper does not exercise (package.json, the editor .html, examples): see
 * test/e2e/node-red-server.test.ts, which runs a real server on the packed tarball.
 *
 * Usage:
 *   forEachRuntime('my node', (nr) => {
 *     it('does X', async () => {
 *       await nr.load(['universal-message-normalize'], [
 *         { id: 'n1', type: 'universal-message-normalize', wires: [['h1']] },
 *         { id: 'h1', type: 'helper' },
 *       ], { n1: { verifyToken: '…' } });            // credentials by node id
 *       const out = nr.collect('h1', 2);               // exactly 2 messages arriving at h1
 *       nr.receive('n1', { payload: … });
 *       const messages = await out;
 *       nr.statuses('n1');                             // every status n1 set, constructor included
 *     });
 *   });
 * Catch, Status and Complete nodes work as in a real flow (the helper loads them); other core nodes come
 * from `nr.coreNode('network/21-httpin.js')`; `load(…, { http: true })` serves `http in` routes at
 * `nr.httpUrl(path)`; `nr.admin()` is supertest on the admin app (endpoints on RED.httpAdmin).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, describe } from 'node:test';

export const PACKAGE_ROOT = join(__dirname, '..', '..');

export interface NodeRedRuntime {
	/** Short id used in test names and for filtering (SWITCHBOARD_NODE_RED=nr4). */
	id: 'nr4' | 'nr5';
	label: string;
	/** The npm (alias) name it is installed under in devDependencies. */
	module: string;
}

export const RUNTIMES: readonly NodeRedRuntime[] = [
	{ id: 'nr4', label: 'Node-RED 4', module: 'node-red-4' },
	{ id: 'nr5', label: 'Node-RED 5', module: 'node-red' },
];

/** A node of a test flow, as the editor would export it. */
export interface FlowNode {
	id: string;
	type: string;
	z?: string;
	name?: string;
	wires?: string[][];
	[key: string]: unknown;
}

export type Message = Record<string, unknown>;
export type Credentials = Record<string, Record<string, string>>;

/** The runtime's view of a deployed node (only what tests use). */
export interface RuntimeNode {
	id: string;
	type: string;
	receive(msg: Message): void;
	on(event: string, listener: (...args: never[]) => void): void;
	removeListener(event: string, listener: (...args: never[]) => void): void;
	credentials?: Record<string, unknown>;
}

type NodeModuleFn = (RED: Record<string, unknown>) => unknown;

interface TestHelper {
	init(runtimePath: string, userSettings?: Record<string, unknown>): void;
	load(nodes: NodeModuleFn[], flow: FlowNode[], credentials?: Credentials): Promise<void>;
	unload(): Promise<void>;
	getNode(id: string): RuntimeNode | null;
	request(): SuperTest;
	_RED: { version(): string };
	_events: { on(event: string, listener: (e: { id: string; status: NodeStatus }) => void): void; removeListener(event: string, listener: (...args: never[]) => void): void };
}

export interface NodeStatus {
	fill?: string;
	shape?: string;
	text?: string;
}

interface SuperTestRequest extends PromiseLike<{ status: number; body: unknown; text: string; headers: Record<string, string> }> {
	set(name: string, value: string): SuperTestRequest;
	send(body: unknown): SuperTestRequest;
}
interface SuperTest {
	get(path: string): SuperTestRequest;
	post(path: string): SuperTestRequest;
}

/** package.json `node-red.nodes`: set name → compiled file. */
export function packageNodeRedNodes(): Record<string, string> {
	const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { 'node-red'?: { nodes?: Record<string, string> } };
	return pkg['node-red']?.nodes ?? {};
}

/** One of our node modules, as Node-RED would require it from the compiled tree. */
export function ourNodeModule(setName: string): NodeModuleFn {
	const file = packageNodeRedNodes()[setName];
	if (!file) throw new Error(`package.json "node-red.nodes" has no "${setName}"`);
	const abs = join(PACKAGE_ROOT, file);
	if (!existsSync(abs)) throw new Error(`${file} is not built: run \`npm run build\` first`);
	return require(abs) as NodeModuleFn;
}

function runtimesWanted(): readonly NodeRedRuntime[] {
	const only = process.env.SWITCHBOARD_NODE_RED;
	return only ? RUNTIMES.filter((r) => only.split(',').includes(r.id)) : RUNTIMES;
}

export const TEST_TAB = 'flow-under-test';

/**
 * Lays a test flow out as the editor would: nodes without `z` go on one tab, and wired nodes (and
 * `helper` nodes) without a position get one. To the runtime a node without x/y is a config node, and
 * config nodes are started in a different way (a Catch or Status node among them is not a real one).
 * Flows that bring their own tab are left alone; config nodes (no `wires`) keep having no position.
 */
export function onTab(flow: FlowNode[]): FlowNode[] {
	if (flow.some((n) => n.type === 'tab')) return flow;
	const placed = flow.map((n, i) => {
		const out = n.z === undefined ? { ...n, z: TEST_TAB } : { ...n };
		if ((n.wires !== undefined || n.type === 'helper') && (n.x === undefined || n.y === undefined)) Object.assign(out, { x: 100, y: 40 * (i + 1) });
		return out;
	});
	return [{ id: TEST_TAB, type: 'tab', label: 'flow under test' }, ...placed];
}

export interface LoadOptions {
	/** Serve the flow's `http in` routes on 127.0.0.1 (see `httpUrl`). */
	http?: boolean;
	/** Extra runtime settings (merged over the helper's defaults). */
	settings?: Record<string, unknown>;
}

export class NodeRedHarness {
	readonly runtime: NodeRedRuntime;
	private readonly helper: TestHelper;
	private readonly runtimeDir: string;
	private server?: Server;
	private port = 0;
	private loaded = false;
	private statusLog: Array<{ id: string; status: NodeStatus }> = [];
	private readonly onStatus = (e: { id: string; status: NodeStatus }) => {
		this.statusLog.push({ id: e.id, status: e.status });
	};

	constructor(runtime: NodeRedRuntime) {
		this.runtime = runtime;
		const entry = require.resolve(runtime.module);
		this.runtimeDir = dirname(require.resolve(`${runtime.module}/package.json`));
		const { NodeTestHelper } = require('node-red-node-test-helper') as { NodeTestHelper: new () => TestHelper };
		this.helper = new NodeTestHelper();
		this.helper.init(entry);
	}

	/** The running runtime's version, e.g. "4.1.15". */
	get version(): string {
		return this.helper._RED.version();
	}

	/**
	 * A core node module of THIS runtime (e.g. 'network/21-httpin.js', 'function/10-change.js'), for flows
	 * that use core nodes besides catch/status/complete (which the helper loads by itself).
	 */
	coreNode(file: string): NodeModuleFn {
		const nodesPkg = require.resolve('@node-red/nodes/package.json', { paths: [this.runtimeDir] });
		return require(join(dirname(nodesPkg), 'core', file)) as NodeModuleFn;
	}

	/**
	 * Deploys `flow` with the given node modules: our own by set name (from package.json), or module
	 * functions (core nodes via `coreNode`). Credentials are keyed by node id. Nodes without `z` are
	 * put on a tab (see `onTab`).
	 */
	async load(nodes: Array<string | NodeModuleFn>, flow: FlowNode[], credentials: Credentials = {}, options: LoadOptions = {}): Promise<void> {
		if (this.loaded) await this.unload();
		if (options.settings) this.helper.init(require.resolve(this.runtime.module), options.settings);
		let httpNode: ((req: unknown, res: unknown) => void) | undefined;
		const modules = nodes.map((n) => (typeof n === 'string' ? ourNodeModule(n) : n));
		if (options.http) {
			// The helper gives nodes an express app for http-in routes but does not serve it: a module of
			// our own captures it from the RED object every module receives, and we serve it.
			modules.unshift((RED) => {
				httpNode = RED.httpNode as typeof httpNode;
			});
		}
		// Every status any node sets, from its constructor on (a Status node would miss those).
		this.statusLog = [];
		this.helper._events.on('node-status', this.onStatus);
		await this.helper.load(modules, onTab(flow), credentials);
		this.loaded = true;
		if (options.http) {
			if (!httpNode) throw new Error('the runtime gave no httpNode app');
			const app = httpNode;
			this.server = createServer((req, res) => app(req, res));
			await new Promise<void>((resolve, reject) => {
				this.server!.once('error', reject);
				this.server!.listen(0, '127.0.0.1', () => resolve());
			});
			this.port = (this.server.address() as AddressInfo).port;
		}
	}

	/** Base URL of the flow's `http in` routes (load with `{ http: true }`). */
	httpUrl(path = ''): string {
		if (!this.server) throw new Error('load the flow with { http: true } first');
		return `http://127.0.0.1:${this.port}${path}`;
	}

	/** supertest on the admin app (endpoints our nodes register on RED.httpAdmin). */
	admin(): SuperTest {
		return this.helper.request();
	}

	async unload(): Promise<void> {
		if (this.server) {
			const server = this.server;
			this.server = undefined;
			server.closeAllConnections?.();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
		if (this.loaded) {
			this.loaded = false;
			await this.helper.unload();
		}
		// After stopping, so what nodes do on 'close' is in statuses() until the next load.
		this.helper._events.removeListener('node-status', this.onStatus as (...args: never[]) => void);
	}

	/** Every status node `id` has set since the flow was loaded, oldest first (`{}` = cleared). */
	statuses(id: string): NodeStatus[] {
		return this.statusLog.filter((e) => e.id === id).map((e) => e.status);
	}

	node(id: string): RuntimeNode {
		const node = this.helper.getNode(id);
		if (!node) throw new Error(`no node "${id}" in the deployed flow`);
		return node;
	}

	/** Hands `msg` to a node's input, as a wire would. */
	receive(id: string, msg: Message): void {
		this.node(id).receive(msg);
	}

	/**
	 * The next `count` messages arriving at node `id` (a `helper` node), then waits `settleMs` more and
	 * fails if any further message arrives, so "exactly N" is checked, not "at least N".
	 */
	collect(id: string, count: number, options: { timeoutMs?: number; settleMs?: number } = {}): Promise<Message[]> {
		const { timeoutMs = 3000, settleMs = 100 } = options;
		const node = this.node(id);
		const got: Message[] = [];
		return new Promise((resolve, reject) => {
			let settle: NodeJS.Timeout | undefined;
			const finish = (error?: Error) => {
				clearTimeout(timer);
				clearTimeout(settle);
				node.removeListener('input', onInput);
				if (error) reject(error);
				else resolve(got);
			};
			const onInput = (msg: Message) => {
				got.push(msg);
				if (got.length > count) finish(new Error(`node ${id} received ${got.length} messages, expected ${count}`));
				else if (got.length === count) settle = setTimeout(() => finish(), settleMs);
			};
			const timer = setTimeout(
				() => finish(new Error(`node ${id} received ${got.length} of ${count} messages within ${timeoutMs} ms`)),
				timeoutMs,
			);
			node.on('input', onInput as (...args: never[]) => void);
		});
	}

	/** Resolves true if node `id` receives nothing for `ms` (for "no output on error"). */
	async silent(id: string, ms = 150): Promise<boolean> {
		const node = this.node(id);
		let received = false;
		const onInput = () => {
			received = true;
		};
		node.on('input', onInput);
		await new Promise((r) => setTimeout(r, ms));
		node.removeListener('input', onInput);
		return !received;
	}
}

/**
 * Declares `body` once per runtime (describe "<title> — Node-RED 4", "… — Node-RED 5"), each with its
 * own harness; flows are unloaded after every test. SWITCHBOARD_NODE_RED=nr4 (or nr5) runs just one.
 */
export function forEachRuntime(title: string, body: (nr: NodeRedHarness) => void): void {
	for (const runtime of runtimesWanted()) {
		describe(`${title} — ${runtime.label}`, () => {
			const nr = new NodeRedHarness(runtime);
			afterEach(() => nr.unload());
			body(nr);
		});
	}
}
