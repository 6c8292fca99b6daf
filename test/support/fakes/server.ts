/**
 * The base of every fake provider server: a real HTTP server on 127.0.0.1 (free port) that records
 * each request (method, path, headers, raw body) and answers through a route table. Tests script
 * behaviour per call with `next(...)`: a canned error, a 429 with Retry-After, a slow answer, or a
 * connection reset — then the fake goes back to its normal (successful) answers.
 *
 * Provider fakes (test/support/fakes/<provider>.ts) add the provider's routes and answer shapes on top.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
	method: string;
	/** Path with query string, as received. */
	url: string;
	path: string;
	query: URLSearchParams;
	headers: Record<string, string>;
	body: string;
	/** JSON body when it parses, else undefined. */
	json: unknown;
	/** Form body when the content type is form-encoded. */
	form?: URLSearchParams;
	receivedAt: number;
}

export interface FakeReply {
	status: number;
	headers?: Record<string, string>;
	body?: unknown;
	/** Answer after this long (slow provider, timeouts). */
	delayMs?: number;
}

/** What a scripted call does instead of the route's normal answer. */
export type Scripted = FakeReply | { reset: true } | { hang: true };

export type RouteHandler = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface Route {
	method: string;
	/** Matched against the path (no query). */
	path: RegExp;
	handler: RouteHandler;
}

export class FakeServer {
	readonly requests: RecordedRequest[] = [];
	#server: Server | undefined;
	#script: Array<{ match?: (r: RecordedRequest) => boolean; action: Scripted }> = [];
	#sockets = new Set<import('node:net').Socket>();

	constructor(private readonly routes: Route[]) {}

	get url(): string {
		const address = this.#server?.address() as AddressInfo | null;
		if (!address) throw new Error('fake server not started');
		return `http://127.0.0.1:${address.port}`;
	}

	async start(): Promise<this> {
		this.#server = createServer((req, res) => void this.#handle(req, res));
		// Real provider APIs keep idle connections open far longer than Node's default 5 s; with the
		// default, a client reusing a kept-alive socket just as the fake closes it sees ECONNRESET.
		this.#server.keepAliveTimeout = 60_000;
		this.#server.on('connection', (socket) => {
			this.#sockets.add(socket);
			socket.on('close', () => this.#sockets.delete(socket));
		});
		await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
		return this;
	}

	async stop(): Promise<void> {
		for (const socket of this.#sockets) socket.destroy();
		await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
	}

	/** The next matching request gets `action` instead of the normal answer (queued in order). */
	next(action: Scripted, match?: (r: RecordedRequest) => boolean): this {
		this.#script.push({ action, match });
		return this;
	}

	/** Forget recorded requests and scripted answers. */
	reset(): void {
		this.requests.length = 0;
		this.#script.length = 0;
	}

	async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const body = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url ?? '/', 'http://fake');
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
		let json: unknown;
		try {
			json = body ? JSON.parse(body) : undefined;
		} catch {
			json = undefined;
		}
		const recorded: RecordedRequest = {
			method: req.method ?? 'GET',
			url: req.url ?? '/',
			path: url.pathname,
			query: url.searchParams,
			headers,
			body,
			json,
			form: (headers['content-type'] ?? '').includes('application/x-www-form-urlencoded') ? new URLSearchParams(body) : undefined,
			receivedAt: Date.now(),
		};
		this.requests.push(recorded);

		const scriptedIndex = this.#script.findIndex((s) => !s.match || s.match(recorded));
		if (scriptedIndex >= 0) {
			const [{ action }] = this.#script.splice(scriptedIndex, 1) as [{ action: Scripted }];
			if ('reset' in action) return void req.socket.destroy();
			if ('hang' in action) return; // never answers; the client's timeout decides
			return this.#reply(res, action);
		}
		const route = this.routes.find((r) => r.method === recorded.method && r.path.test(recorded.path));
		if (!route) return this.#reply(res, { status: 404, body: { error: `fake: no route for ${recorded.method} ${recorded.path}` } });
		try {
			return this.#reply(res, await route.handler(recorded));
		} catch (error) {
			return this.#reply(res, { status: 500, body: { error: `fake handler failed: ${(error as Error).message}` } });
		}
	}

	async #reply(res: ServerResponse, reply: FakeReply): Promise<void> {
		if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
		if (res.destroyed) return;
		const isText = typeof reply.body === 'string';
		const payload = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
		res.writeHead(reply.status, {
			...(reply.body === undefined ? {} : { 'content-type': isText ? 'text/plain' : 'application/json' }),
			...reply.headers,
		});
		res.end(payload);
	}
}
