/**
 * What every Switchboard Node-RED node does the same way: read the webhook request out of a message
 * the `http in` node produced, turn core errors into what Catch nodes and the status line show, read
 * the custom-mapping field, and serve the platform list to the editor.
 */
import {
	InvalidMappingError,
	PLATFORMS,
	QueueStoreError,
	isSwitchboardError,
	type CustomMapping,
	type HeaderBag,
	type InboundRequest,
} from '../../../core';
import type { QueueConnection } from '../../../core/queue';
import { defaultStoreFolder, leaseQueue as leaseSharedQueue, resolveStoreFolder, type QueueLease } from '../../shared/queue-host';
import type { Node, NodeAPI, NodeMessage, NodeStatus } from './node-red';

export type { QueueLease };

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function isBytes(value: unknown): value is Buffer | string {
	return Buffer.isBuffer(value) || typeof value === 'string';
}

export interface RequestSource {
	request: InboundRequest;
	/** True when the headers came from `msg.headers` (not `msg.req`), so outputs should not carry them on. */
	headersFromMessage: boolean;
}

/**
 * The webhook request carried by a message. `http in` puts the parsed body in `msg.payload` (object for
 * JSON and forms, string for text, Buffer when "Do not parse request body" is ticked) and the request
 * itself in `msg.req`; anything else may put headers in `msg.headers`. A GET (Meta's subscribe
 * handshake) has no body: `http in` puts the query there, and it is read from `msg.req.query` instead.
 */
export function requestFromMessage(msg: NodeMessage): RequestSource {
	const req = isRecord(msg.req) ? msg.req : undefined;
	const method = typeof req?.method === 'string' && req.method ? req.method.toUpperCase() : 'POST';
	const reqHeaders = isRecord(req?.headers) ? (req.headers as HeaderBag) : undefined;
	const msgHeaders = !reqHeaders && isRecord(msg.headers) ? (msg.headers as HeaderBag) : undefined;
	const query = isRecord(req?.query) ? (req.query as HeaderBag) : undefined;

	let body: unknown;
	if (method === 'GET' || method === 'HEAD') body = undefined;
	else if (isBytes(msg.payload)) body = msg.payload;
	// Exact bytes beat a re-parsed object when a body parser kept them (express `verify` hooks do).
	else if (req && isBytes(req.rawBody)) body = req.rawBody;
	else body = msg.payload;

	return {
		request: { method, body, headers: reqHeaders ?? msgHeaders, query },
		headersFromMessage: msgHeaders !== undefined,
	};
}

/** A string option from the message, when it is a non-empty string (msg.platform, msg.to…). */
export function messageOption(msg: NodeMessage, key: string): string | undefined {
	const value = msg[key];
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A string option from the node's configuration, undefined when left empty. */
export function configOption(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * The custom-mapping field (JSON text) → the value handed to the core as one CustomMapping. Only the
 * JSON syntax is checked here: the core's mapping schema is the one place that validates the structure
 * (and words its errors for the analyst). A syntax error is kept to report on every message, so the
 * node still deploys and the problem shows on its status and in Catch nodes.
 */
export function parseCustomMapping(text: unknown): { mapping?: CustomMapping; error?: InvalidMappingError } {
	if (typeof text !== 'string' || text.trim() === '') return {};
	try {
		return { mapping: JSON.parse(text) as CustomMapping };
	} catch (error) {
		return {
			error: new InvalidMappingError('(json)', `is not valid JSON: ${(error as Error).message}`, 'Fix the JSON in the node’s Custom mapping field.'),
		};
	}
}

/**
 * What `done(err)` gets. A SwitchboardError becomes an Error whose message is its description (message
 * and hint) and whose own `code` Node-RED copies to `msg.error.code`, so a Catch node sees
 * "PayloadMismatchError: … — Check that…" and can switch on the code. Anything else passes unchanged.
 */
export function toNodeRedError(error: unknown): Error {
	if (isSwitchboardError(error)) {
		const out = new Error(error.description) as Error & { code?: string };
		out.name = error.name;
		out.code = error.code;
		// Keep where it was thrown (Catch nodes copy the stack), under the new first line.
		if (error.stack) out.stack = `${out.name}: ${out.message}${error.stack.slice(error.stack.indexOf('\n    at '))}`;
		return out;
	}
	return error instanceof Error ? error : new Error(String(error));
}

const STATUS_TEXT_MAX = 64;

export function errorStatus(error: unknown): NodeStatus {
	const text = isSwitchboardError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
	return { fill: 'red', shape: 'ring', text: text.length > STATUS_TEXT_MAX ? `${text.slice(0, STATUS_TEXT_MAX - 1)}…` : text };
}

export function plural(count: number, one: string, many: string): string {
	return `${count} ${count === 1 ? one : many}`;
}

export interface PlatformListEntry {
	id: string;
	name: string;
	channel: string;
	normalize: boolean;
	render: boolean;
}

/** Every registered platform and what it can do; the editor builds its platform menus from this. */
export function platformList(): PlatformListEntry[] {
	return PLATFORMS.map((p) => ({
		id: p.id,
		name: p.name,
		channel: p.channel,
		normalize: typeof p.normalize === 'function',
		render: typeof p.render === 'function',
	}));
}

export const PLATFORMS_ENDPOINT = '/switchboard/platforms';
const servedBy = new WeakSet<object>();

/**
 * GET <httpAdminRoot>/switchboard/platforms → { platforms: [...] }, read-protected like the rest of the
 * admin API. Every Switchboard node calls this; it registers once per admin app.
 */
export function registerPlatformsEndpoint(RED: NodeAPI): void {
	const app = RED.httpAdmin;
	if (!app || servedBy.has(app)) return;
	servedBy.add(app);
	const guard = RED.auth?.needsPermission('switchboard.read');
	const handler = (_req: unknown, res: { json(body: unknown): void }) => res.json({ platforms: platformList() });
	if (guard) app.get(PLATFORMS_ENDPOINT, guard, handler);
	else app.get(PLATFORMS_ENDPOINT, handler);
}

// ---------------------------------------------------------------------------------------------------
// Schedule Queue: the store config node and the shared queue

/** The runtime API as the queue nodes use it: config nodes by id, and the settings (userDir). */
export interface QueueNodeAPI extends NodeAPI {
	nodes: NodeAPI['nodes'] & { getNode(id: string): unknown };
	settings?: { userDir?: unknown };
}

/** What a `switchboard-store` config node offers the nodes that use it. */
export interface QueueStoreNode extends Node {
	/** A lease on the store's shared queue (opened on first use); give it back with release(). */
	acquireQueue(): Promise<QueueLease>;
}

function isQueueStoreNode(value: unknown): value is QueueStoreNode {
	return typeof value === 'object' && value !== null && typeof (value as QueueStoreNode).acquireQueue === 'function';
}

/** Node-RED's user directory as the runtime was started with it (undefined: Node-RED's default). */
export function nodeRedUserDir(RED: QueueNodeAPI): string | undefined {
	const dir = RED.settings?.userDir;
	return typeof dir === 'string' && dir.trim() !== '' ? dir : undefined;
}

/** The embedded store's folder: the one typed (relative → inside userDir), else `<userDir>/switchboard/queue`. */
export function embeddedFolder(userDir: string | undefined, folder: string | undefined): string {
	return resolveStoreFolder('node-red', folder, userDir);
}

/** A lease on the process-wide shared queue of `connection` (nodes/shared/queue-host.ts). */
export function leaseQueue(connection: QueueConnection): Promise<QueueLease> {
	return leaseSharedQueue(connection);
}

/** A lease on the embedded store nodes use when no store is configured: `<userDir>/switchboard/queue`. */
export function leaseDefaultQueue(RED: QueueNodeAPI): Promise<QueueLease> {
	return leaseSharedQueue({ kind: 'embedded', dataDir: defaultStoreFolder('node-red', nodeRedUserDir(RED)) });
}

/**
 * The store config node a node names, if any. A store that is named but not running (deleted,
 * disabled, not of our type) is an error: quietly using the default store instead would split the
 * data between two stores.
 */
export function storeNodeOf(RED: QueueNodeAPI, id: unknown): { node?: QueueStoreNode; error?: QueueStoreError } {
	if (typeof id !== 'string' || id === '' || id === '_ADD_') return {};
	const found = RED.nodes.getNode(id);
	if (isQueueStoreNode(found)) return { node: found };
	return {
		error: new QueueStoreError(
			`The store configuration "${id}" this node uses is not deployed`,
			'Open the node and choose a store (or none, for the embedded default), then deploy.',
		),
	};
}

/**
 * The close of a node that holds a queue lease: let the operations still running finish on the open
 * queue (at most `waitMs` when given — sends and webhook answers must not hold a redeploy forever),
 * then give the lease back (the queue closes when its last user releases it), clear the status, done().
 * `takeLease` returns the node's lease and forgets it, so nothing can use it afterwards.
 */
export function releaseLeaseOnClose(
	node: Node,
	running: ReadonlySet<Promise<unknown>>,
	takeLease: () => Promise<QueueLease> | undefined,
	done: () => void,
	waitMs?: number,
): void {
	const settled = Promise.allSettled([...running]);
	const waited = waitMs === undefined ? settled : Promise.race([settled, new Promise<void>((resolve) => setTimeout(resolve, waitMs).unref())]);
	void waited
		.then(async () => {
			const held = takeLease();
			if (held) await (await held.catch(() => undefined))?.release();
		})
		.catch((error: unknown) => node.warn(`Closing the queue store: ${(error as Error).message}`))
		.finally(() => {
			node.status({});
			done();
		});
}
