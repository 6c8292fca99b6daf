/**
 * Browser checks of the hosts' editors: Debian's Chromium (/usr/bin/chromium, `apt-get install chromium`)
 * driven by playwright-core, which never downloads a browser of its own.
 *
 *  - `launchChromium()` — headless Chromium, or an error that says how to install it (never a skip);
 *  - `watchPage(page)` — collects every console message of level `error` and every uncaught page error
 *    (with where it came from), so a test can assert the list is empty and show it when it is not;
 *  - `startNodeRedEditor(userDir)` — a real Node-RED 5 server for the editor (test/support/node-red-server.ts
 *    with `load: 'module'`): the package loaded IN PLACE as a module (settings.nodesDir = the package root,
 *    as scripts/demo.mjs does), which is what gives the editor the package's message catalogues (labels,
 *    tips); loaded as loose files from dist/nodes/node-red, Node-RED never looks for their locales/ and
 *    every label shows as its raw i18n key. The welcome tour is off (it covers the edit dialogs) and the
 *    palette manager's online catalogue is not fetched (no network here: its failed request would be a
 *    console error);
 *  - `deployFlows(base, flows)` — a full deployment over the admin API.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { startNodeRedServer } from './node-red-server';
import { PACKAGE_ROOT } from './pack';

export const CHROMIUM = '/usr/bin/chromium';
export const BROWSER_ARTIFACTS = join(PACKAGE_ROOT, 'test-artifacts', 'browser');

/** Debian's Chromium, headless. Fails (does not skip) when it is not installed. */
export async function launchChromium(): Promise<Browser> {
	if (!existsSync(CHROMIUM)) {
		throw new Error(`${CHROMIUM} is missing: the browser checks need Debian's Chromium — run \`apt-get update && apt-get install -y chromium\` (playwright-core never downloads a browser here).`);
	}
	return await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking'], timeout: 60_000 });
}

export interface PageProblem {
	kind: 'console.error' | 'pageerror';
	text: string;
	/** Script URL (and line) the message came from, when the browser knows it. */
	where: string;
	/** What the test was doing then (set with `watch.step(...)`). */
	step: string;
}

export interface PageWatch {
	problems: PageProblem[];
	/** Names what the page is doing now; every problem records it. */
	step(name: string): void;
	/** One line per problem, for assertion messages. */
	report(): string;
}

/**
 * Records console errors and page errors of `page` from now on. `ignore` takes problems that are known
 * and not ours (each caller documents why); everything else lands in `problems`.
 */
export function watchPage(page: Page, ignore: (problem: PageProblem) => boolean = () => false): PageWatch {
	let current = 'load';
	const problems: PageProblem[] = [];
	const add = (problem: PageProblem) => {
		if (!ignore(problem)) problems.push(problem);
	};
	page.on('console', (message: ConsoleMessage) => {
		if (message.type() !== 'error') return;
		const { url, lineNumber } = message.location();
		add({ kind: 'console.error', text: message.text(), where: url ? `${url}:${lineNumber}` : '', step: current });
	});
	page.on('pageerror', (error: Error) => {
		add({ kind: 'pageerror', text: `${error.name}: ${error.message}`, where: (error.stack ?? '').split('\n').slice(1, 3).map((l) => l.trim().replace(/^at /, '')).join(' | '), step: current });
	});
	return {
		problems,
		step: (name) => (current = name),
		report: () => problems.map((p) => `[${p.step}] ${p.kind}: ${p.text}${p.where ? ` (at ${p.where})` : ''}`).join('\n'),
	};
}

/**
 * Counts the page's requests in flight; `idle()` resolves once none has been for `quietMs` (at once
 * when nothing is loading — unlike Playwright's networkidle, which always waits 500 ms).
 */
export function trackRequests(page: Page): { idle(timeoutMs?: number, quietMs?: number): Promise<void> } {
	const inFlight = new Set<unknown>();
	let last = Date.now();
	page.on('request', (request) => {
		// Long-lived channels (server push) never finish: not "loading".
		if (['eventsource', 'websocket'].includes(request.resourceType()) || /\/push\b/.test(new URL(request.url()).pathname)) return;
		inFlight.add(request);
		last = Date.now();
	});
	const done = (request: unknown) => {
		inFlight.delete(request);
		last = Date.now();
	};
	page.on('requestfinished', done);
	page.on('requestfailed', done);
	return {
		async idle(timeoutMs = 30_000, quietMs = 100) {
			const deadline = Date.now() + timeoutMs;
			while (inFlight.size > 0 || Date.now() - last < quietMs) {
				if (Date.now() > deadline) throw new Error(`the page still had ${inFlight.size} request(s) in flight after ${timeoutMs} ms`);
				await new Promise((r) => setTimeout(r, 25));
			}
		},
	};
}

/** File-name-safe form of a node name or id. */
export function safeName(text: string): string {
	return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'node';
}

export interface NodeRedEditorServer {
	base: string;
	log(): string;
	stop(): Promise<void>;
}

/** A real Node-RED 5 on 127.0.0.1 with the package loaded in place as a module (see the header). */
export async function startNodeRedEditor(userDir: string): Promise<NodeRedEditorServer> {
	return await startNodeRedServer({ userDir, load: 'module', settings: { credentialSecret: 'switchboard-browser-credential-secret' } });
}

/** Replaces all flows with `flows` (a full deployment over the admin API). */
export async function deployFlows(base: string, flows: Array<Record<string, unknown>>): Promise<void> {
	const res = await fetch(`${base}/flows`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': 'full' },
		body: JSON.stringify({ flows }),
		signal: AbortSignal.timeout(15_000),
	});
	if (!res.ok) throw new Error(`deploy failed: ${res.status} ${await res.text()}`);
}
