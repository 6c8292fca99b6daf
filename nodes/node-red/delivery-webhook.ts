/**
 * Node-RED "Delivery Webhook" (issue 5): an endpoint node. It registers its own POST and GET route on
 * RED.httpNode (the path set in the node), reads the request body as RAW bytes, hands the request to
 * the core's `handleWebhook` (core/webhooks) and answers with what the core says (`result.response`):
 * 200 for accepted deliveries and handshakes, 401 on a missing / bad signature, 413 when too large.
 * Accepted delivery events go to output 1, inbound messages arriving on the same endpoint to output 2,
 * one Node-RED message each, after the HTTP answer.
 *
 * Why an endpoint node and not `http in` + `http response`:
 *  - Signatures are over the exact bytes the provider sent. `http in` parses JSON and forms by default
 *    (re-serialising never gives the same bytes back: Meta escapes `/` and non-ASCII, SendGrid's and
 *    Slack's spacing…). Its "Do not parse request body" option (Node-RED ≥ 4.1) does keep the bytes,
 *    so the composition is possible there, but it is one checkbox away from silently breaking every
 *    signature, it reads any size of body before anything can refuse it, and the flow must route the
 *    core's 401/413/200 answers and Meta's hub.challenge back to an `http response` node itself.
 *  - Twilio signs the URL it called (scheme, host, port, path, query). Behind a proxy the URL Node-RED
 *    sees is not that one; the node rebuilds it from its "Public URL" setting.
 * Here the bytes are captured by a middleware at the top of the root express app (see "Raw body
 * capture" below: in a real server the admin app's JSON/form parsers run before RED.httpNode's routes
 * whenever both share the root "/"), with the size limit applied while reading (a larger body is
 * refused with 413 without being buffered whole).
 *
 * Routes are registered on one express Route object per node and removed by identity on close (the
 * way core's `http in` removes its routes, but without touching another node's route on the same path).
 * `settings.httpNodeMiddleware` runs first, as for `http in` (authentication, logging…).
 *
 * Secrets: from the provider account config nodes (`switchboard-<provider>`, switchboard-provider.ts),
 * their `webhookOnly` fields (Meta app secret / verify token, SendGrid verification key, Slack signing
 * secret, Telegram secret token, Brevo webhook token, Vonage signature secret) plus Twilio's auth
 * token, which Twilio signs with. Verification can be switched off only explicitly; the status line
 * then says so in yellow.
 *
 * Store: with a `switchboard-store` config node, the core applies each event to the Schedule Queue
 * (forward-only, de-duplicated, orphans kept) BEFORE the answer, so a store failure answers 503 and the
 * provider retries later (the store is idempotent). Without one, events are only emitted.
 */
import { handleWebhook, type HandleWebhookOptions } from '../../core/webhooks';
import { webhookSecretsFrom } from '../../core/webhooks/secrets';
import type { EventOutcome, WebhookRequest, WebhookResult } from '../../core/webhooks/types';
import type { DeliveryEvent } from '../../core/schema/message';
import type { ScheduleQueue } from '../../core/queue';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from './shared/node-red';
import { EventBatcher } from '../shared/event-batcher';
import { configOption, errorStatus, isRecord, plural, registerPlatformsEndpoint, releaseLeaseOnClose, storeNodeOf, type QueueLease, type QueueNodeAPI } from './shared/host';

const NODE_TYPE = 'delivery-webhook';
const DEFAULT_PATH = '/switchboard/webhook';
/** The core's default; the node's setting is in KiB. */
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** The status line is updated at most this often (one update per request would flood the editor at 1,000/s). */
const STATUS_EVERY_MS = 500;
/** At most one warning about refused requests in the log per this interval (a flood must not flood the log). */
const WARN_EVERY_MS = 60_000;
/** How long closing waits for requests in flight (store writes) before letting Node-RED go on. */
const CLOSE_WAIT_MS = 10_000;

/**
 * The account config fields of this node: node property → provider config node type. The provider
 * ids are the platform ids whose callbacks those accounts verify.
 */
const ACCOUNT_PROVIDERS = ['twilio', 'sendgrid', 'whatsapp', 'messenger', 'instagram', 'slack', 'telegram', 'brevo', 'vonage'] as const;
type AccountProvider = (typeof ACCOUNT_PROVIDERS)[number];

interface DeliveryWebhookNodeDef extends NodeDef {
	path?: string;
	platform?: string;
	verify?: boolean | string;
	publicUrl?: string;
	store?: string;
	maxBodyKb?: number | string;
}

/** What a provider config node offers (switchboard-provider.ts). */
interface ProviderAccountNode {
	providerId: string;
	providerAccount(): { provider: string; config: Record<string, unknown>; label?: string };
}
function isProviderAccountNode(value: unknown): value is ProviderAccountNode {
	return isRecord(value) && typeof (value as unknown as ProviderAccountNode).providerAccount === 'function';
}

/** "/x/y" from what was typed ("x/y", "/x/y/"). */
function routePath(value: unknown): string {
	let path = configOption(value) ?? DEFAULT_PATH;
	if (!path.startsWith('/')) path = `/${path}`;
	if (path.length > 1) path = path.replace(/\/+$/, '');
	return path;
}

/**
 * The URL the provider called, as it saw it (Twilio signs it exactly). Without a public URL: the
 * request's own scheme (express honours `trust proxy`), Host header, path and query. With one that is
 * just an origin (https://hooks.example.com[:port]): that origin + the request's path and query. With
 * one that has a path: that URL is the endpoint as typed in the provider's console, + the request's
 * query (for proxies that rewrite the path).
 */
function providerUrl(publicUrl: string | undefined, req: { protocol?: string; headers: Record<string, unknown>; originalUrl?: string; url?: string }): string {
	const original = req.originalUrl ?? req.url ?? '/';
	if (publicUrl) {
		const base = new URL(publicUrl);
		if (base.pathname === '/' || base.pathname === '') return `${base.origin}${original}`;
		const q = original.indexOf('?');
		return `${base.origin}${base.pathname}${q >= 0 ? original.slice(q) : ''}`;
	}
	const host = typeof req.headers.host === 'string' ? req.headers.host : '127.0.0.1';
	return `${req.protocol ?? 'http'}://${host}${original}`;
}

// ---------------------------------------------------------------------------------------------------
// express, as far as this node uses it (Node-RED 4 and 5 ship express 4)

interface HttpRequest extends NodeJS.ReadableStream {
	method: string;
	headers: Record<string, string | string[] | undefined>;
	protocol?: string;
	originalUrl?: string;
	url?: string;
	body?: unknown;
	rawBody?: unknown;
	readableEnded?: boolean;
	_body?: boolean;
	destroy?(): void;
}
interface HttpResponse {
	status(code: number): HttpResponse;
	set(name: string, value: string): HttpResponse;
	send(body: string): void;
	headersSent?: boolean;
	on(event: string, listener: () => void): void;
}
type Handler = (req: HttpRequest, res: HttpResponse, next: (err?: unknown) => void) => void;
interface ExpressRoute {
	get(...handlers: Handler[]): ExpressRoute;
	post(...handlers: Handler[]): ExpressRoute;
}
interface ExpressLayer {
	route?: unknown;
	handle?: unknown;
}
interface ExpressApp {
	route(path: string): ExpressRoute;
	use(handler: Handler): void;
	path?(): string;
	parent?: ExpressApp;
	_router?: { stack: ExpressLayer[] };
	router?: { stack: ExpressLayer[] };
}

interface WebhookNodeAPI extends QueueNodeAPI {
	httpNode?: ExpressApp;
	settings?: QueueNodeAPI['settings'] & { httpNodeRoot?: unknown; httpNodeMiddleware?: unknown };
}

const stackOf = (app: ExpressApp): ExpressLayer[] | undefined => (app._router ?? app.router)?.stack;

/** Removes exactly `route` from the app's router (not other routes on the same path). */
function removeRoute(app: ExpressApp, route: ExpressRoute): void {
	const stack = stackOf(app);
	if (!stack) return;
	for (let i = stack.length - 1; i >= 0; i--) if (stack[i]!.route === route) stack.splice(i, 1);
}

class BodyTooLarge extends Error {}

/**
 * Reads the request stream: the exact bytes, up to `limit`. A declared Content-Length above the limit
 * is refused before reading anything; a body that grows past it while streaming stops being kept.
 */
function readStream(req: HttpRequest, limit: number): Promise<Buffer> {
	const declared = Number(req.headers['content-length']);
	if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge());
	return new Promise<Buffer>((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let settled = false;
		const onData = (chunk: Buffer | string) => {
			const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
			size += buf.length;
			if (size > limit) {
				settled = true;
				req.removeListener('data', onData);
				reject(new BodyTooLarge());
				return;
			}
			chunks.push(buf);
		};
		req.on('data', onData);
		req.on('end', () => {
			if (!settled) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
		});
		req.on('error', (error: Error) => {
			if (!settled) {
				settled = true;
				reject(error);
			}
		});
	});
}

// ---------------------------------------------------------------------------------------------------
// Raw body capture
//
// In a Node-RED server the admin app and the HTTP-node app are usually mounted on the same root ("/"),
// admin first, and the admin app parses JSON and form bodies for every request that passes through it
// — before any route of RED.httpNode runs. So the bytes must be taken before that, at the top of the
// root express app, exactly as core's `http in` does for its "Do not parse request body" routes
// (rawBodyCapture in 21-httpin.js). One capture middleware per root app reads the body of POSTs to our
// registered paths (size limit applied while reading) and marks the request as parsed (`_body`), so
// body parsers after it leave it alone.

const CAPTURED = Symbol.for('switchboard.deliveryWebhook.rawBody');
type Captured = { body: Buffer } | { tooLarge: true } | { error: Error };
type CapturingRequest = HttpRequest & { [CAPTURED]?: Promise<Captured> };

/** Registered paths (as the root app sees them, normalised) → their body limit. */
const capturedRoutes = new Map<string, number>();
const capturingApps = new WeakSet<object>();

/** Case-insensitive, no repeated or trailing slash: express's default (non-strict) route matching. */
function routeKey(pathname: string): string {
	return pathname.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1').toLowerCase();
}

function rootApp(app: ExpressApp): ExpressApp {
	return app.parent ? rootApp(app.parent) : app;
}

function installCapture(app: ExpressApp): void {
	const root = rootApp(app);
	if (capturingApps.has(root) || typeof root.use !== 'function') return;
	capturingApps.add(root);
	const capture: Handler = (req, _res, next) => {
		if (req.method !== 'POST' || req._body || req.readableEnded) return next();
		let pathname = req.url ?? '/';
		const q = pathname.indexOf('?');
		if (q >= 0) pathname = pathname.slice(0, q);
		const limit = capturedRoutes.get(routeKey(pathname));
		if (limit === undefined) return next();
		const request = req as CapturingRequest;
		req._body = true;
		request[CAPTURED] = readStream(req, limit).then(
			(body) => ({ body }),
			(error: unknown) => (error instanceof BodyTooLarge ? { tooLarge: true as const } : { error: error as Error }),
		);
		next();
	};
	root.use(capture);
	// First in the stack, before the admin app's body parsers (Node-RED's own http-in does the same).
	const stack = stackOf(root);
	if (stack) {
		const i = stack.findIndex((layer) => layer.handle === capture);
		if (i > 0) stack.unshift(stack.splice(i, 1)[0]!);
	}
}

/** The route as the root app sees it: the HTTP-node app's mount path + the node's path. */
function mountedPath(app: ExpressApp, path: string): string {
	const mount = typeof app.path === 'function' ? app.path() : '';
	return routeKey(`${mount}/${path}`);
}

/**
 * The request body as bytes: captured at the root, else read here (nothing read it yet), else the
 * bytes a middleware kept (a Buffer, or `req.rawBody`). A body some parser consumed without keeping
 * its bytes cannot be verified: that is an error, never a silent re-serialisation.
 */
async function rawBody(req: HttpRequest, limit: number): Promise<Buffer> {
	const captured = await (req as CapturingRequest)[CAPTURED];
	if (captured) {
		if ('body' in captured) return captured.body;
		if ('tooLarge' in captured) throw new BodyTooLarge();
		throw captured.error;
	}
	if (!(req.readableEnded || req._body)) return readStream(req, limit);
	if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
	if (Buffer.isBuffer(req.body)) return req.body;
	if (typeof req.body === 'string') return Buffer.from(req.body, 'utf8');
	throw new Error('another middleware parsed the request body before this node and did not keep its bytes, which signatures are computed over: check settings.httpNodeMiddleware');
}

function headersOf(req: HttpRequest): Record<string, string | string[] | undefined> {
	// Node lower-cases incoming header names already; copy so nothing downstream mutates the request.
	return { ...req.headers };
}

type StoreQueue = ScheduleQueue;

function register(RED: NodeAPI): void {
	const red = RED as WebhookNodeAPI;
	registerPlatformsEndpoint(RED);

	function DeliveryWebhookNode(this: Node, config: NodeDef): void {
		RED.nodes.createNode(this, config);
		const node = this;
		const def = config as DeliveryWebhookNodeDef;

		const path = routePath(def.path);
		const platform = configOption(def.platform) && def.platform !== 'auto' ? configOption(def.platform) : undefined;
		const verify = !(def.verify === false || def.verify === 'false');
		const publicUrl = configOption(def.publicUrl);
		const maxKb = Number(def.maxBodyKb);
		const maxBodyBytes = Number.isFinite(maxKb) && maxKb > 0 ? Math.floor(maxKb * 1024) : DEFAULT_MAX_BODY_BYTES;

		let setupError: Error | undefined;
		if (publicUrl) {
			try {
				const u = new URL(publicUrl);
				if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('not http(s)');
			} catch {
				setupError = new Error(`Public URL ${JSON.stringify(publicUrl)} is not an http(s) URL`);
			}
		}

		// Accounts: read once at deploy, like Channel Send.
		const accounts: Partial<Record<AccountProvider, Record<string, unknown>>> = {};
		for (const provider of ACCOUNT_PROVIDERS) {
			const id = def[provider];
			if (typeof id !== 'string' || id === '' || id === '_ADD_') continue;
			const found = red.nodes.getNode(id);
			if (isProviderAccountNode(found)) accounts[provider] = found.providerAccount().config;
			else if (!setupError) setupError = new Error(`The ${provider} account this node uses is not deployed: open the node, choose the account again, deploy`);
		}
		const secrets = webhookSecretsFrom(accounts, platform);
		const store = storeNodeOf(red, def.store);
		if (store.error && !setupError) setupError = store.error;

		// ----- store lease (opened on the first request that needs it)
		let lease: Promise<QueueLease> | undefined;
		/** Store writes of concurrent requests go together (nodes/shared/event-batcher.ts). */
		const batcher = new EventBatcher();
		function queue(): Promise<StoreQueue> | undefined {
			if (!store.node) return undefined;
			if (!lease) {
				const opening = store.node.acquireQueue();
				lease = opening;
				opening.catch(() => {
					if (lease === opening) lease = undefined;
				});
			}
			return lease.then((l) => l.queue);
		}

		// ----- status: counts, throttled
		const counts = { events: 0, messages: 0, rejected: 0, failed: 0 };
		let statusTimer: NodeJS.Timeout | undefined;
		let lastError: unknown;
		function statusNow(): NodeStatus {
			if (setupError) return errorStatus(setupError);
			const parts = [plural(counts.events, 'event', 'events')];
			if (counts.messages) parts.push(plural(counts.messages, 'inbound', 'inbound'));
			if (counts.rejected) parts.push(`${counts.rejected} rejected`);
			if (counts.failed) parts.push(`${counts.failed} failed`);
			if (!verify) return { fill: 'yellow', shape: 'ring', text: `verification OFF · ${parts.join(', ')}` };
			if (counts.failed && lastError) return { fill: 'red', shape: 'dot', text: `${parts.join(', ')}` };
			return { fill: counts.rejected ? 'yellow' : 'green', shape: 'dot', text: `${path} · ${parts.join(', ')}` };
		}
		function showStatus(): void {
			if (statusTimer) return;
			statusTimer = setTimeout(() => {
				statusTimer = undefined;
				node.status(statusNow());
			}, STATUS_EVERY_MS);
		}

		let lastWarn = 0;
		let unwarned = 0;
		function warnRefused(reason: string | null, status: number): void {
			unwarned++;
			const now = Date.now();
			if (now - lastWarn < WARN_EVERY_MS) return;
			lastWarn = now;
			node.warn(`Refused a webhook request on ${path} (HTTP ${status}): ${reason ?? 'no reason given'}${unwarned > 1 ? ` (${unwarned} refused since the last warning)` : ''}`);
			unwarned = 0;
		}

		// ----- one request
		const running = new Set<Promise<void>>();
		let closing = false;

		async function handle(req: HttpRequest, res: HttpResponse, leave: () => void): Promise<void> {
			if (setupError) {
				res.status(503).set('Content-Type', 'text/plain; charset=utf-8').send('webhook endpoint not configured');
				return;
			}
			let body: Buffer;
			try {
				body = req.method === 'GET' || req.method === 'HEAD' ? Buffer.alloc(0) : await rawBody(req, maxBodyBytes);
			} catch (error) {
				if (!(error instanceof BodyTooLarge)) throw error;
				// One byte over the limit: the core answers 413 with its own wording, nothing parsed.
				body = Buffer.alloc(maxBodyBytes + 1);
				res.set('Connection', 'close');
			}
			const request: WebhookRequest = { method: req.method.toUpperCase(), url: providerUrl(publicUrl, req as never), headers: headersOf(req), rawBody: body };
			const options: HandleWebhookOptions = { secrets, verify, maxBodyBytes, ...(platform ? { platform } : {}) };
			const q = queue();
			let result: WebhookResult;
			if (q) {
				// This request counts as arriving until it hands its events to the store (or is answered).
				const shared = await q;
				options.queue = Object.assign(Object.create(shared) as StoreQueue, {
					recordEvents: (events: DeliveryEvent[]) => {
						leave();
						return batcher.record(shared, events);
					},
				});
			}
			try {
				result = await handleWebhook(request, options);
			} finally {
				leave();
			}

			res.status(result.response.status).set('Content-Type', result.response.contentType).send(result.response.body);
			if (!result.accepted) {
				counts.rejected++;
				warnRefused(result.reason, result.response.status);
				showStatus();
				return;
			}
			counts.events += result.events.length;
			counts.messages += result.messages.length;
			showStatus();
			const base = { platform: result.platform, unverified: result.unverified };
			result.events.forEach((event, index) => {
				const outcome = result.outcomes[index];
				node.send([{ payload: event, topic: event.status, switchboard: { ...base, kind: 'event', index, count: result.events.length, ...(outcome ? { outcome } : {}) } }, null]);
			});
			result.messages.forEach((message, index) => {
				node.send([null, { payload: message, switchboard: { ...base, kind: 'message', index, count: result.messages.length } } as NodeMessage]);
			});
		}

		const onRequest: Handler = (req, res) => {
			if (closing) {
				res.status(503).set('Content-Type', 'text/plain; charset=utf-8').send('endpoint closing');
				return;
			}
			const leave = batcher.arrive();
			const run = handle(req, res, leave).catch((error: unknown) => {
				counts.failed++;
				lastError = error;
				showStatus();
				node.error(`Webhook request on ${path} failed: ${(error as Error).message ?? String(error)}`);
				// 500: the provider retries later; the store is idempotent, so a retry is safe.
				if (!res.headersSent) res.status(500).set('Content-Type', 'text/plain; charset=utf-8').send('internal error');
			});
			running.add(run);
			void run.finally(() => {
				leave();
				running.delete(run);
			});
		};

		// ----- routes
		const app = red.httpNode;
		let route: ExpressRoute | undefined;
		let mounted: string | undefined;
		if (red.settings?.httpNodeRoot === false || !app || typeof app.route !== 'function') {
			node.warn('HTTP endpoints are disabled in this Node-RED (httpNodeRoot: false): the webhook is not served');
			node.status({ fill: 'red', shape: 'ring', text: 'HTTP endpoints disabled' });
		} else {
			const configured = red.settings?.httpNodeMiddleware;
			const middleware: Handler[] = typeof configured === 'function' ? [configured as Handler] : Array.isArray(configured) ? (configured as Handler[]) : [];
			mounted = mountedPath(app, path);
			capturedRoutes.set(mounted, maxBodyBytes);
			installCapture(app);
			route = app.route(path);
			route.get(...middleware, onRequest);
			route.post(...middleware, onRequest);
			node.status(statusNow());
		}

		node.on('close', (_removed: boolean, done: () => void) => {
			closing = true;
			if (app && route) removeRoute(app, route);
			if (mounted !== undefined && capturedRoutes.get(mounted) === maxBodyBytes) capturedRoutes.delete(mounted);
			if (statusTimer) clearTimeout(statusTimer);
			statusTimer = undefined;
			releaseLeaseOnClose(
				node,
				running,
				() => {
					const held = lease;
					lease = undefined;
					return held;
				},
				done,
				CLOSE_WAIT_MS,
			);
		});
	}

	RED.nodes.registerType(NODE_TYPE, DeliveryWebhookNode);
}

export = register;
