/**
 * End to end on a real n8n 2.41.1 server (Node 24), with the package installed the way production
 * installs community packages: `npm pack` of the built tree, `npm install <tarball>` into
 * $N8N_USER_FOLDER/.n8n/nodes, then n8n started headless on 127.0.0.1.
 *
 * Proves, for every node and credential listed in package.json's `n8n` field (read here, so nodes
 * added later are checked without touching this file):
 *  - the server loaded it: listed in /types/nodes.json or /types/credentials.json (owner set up over
 *    the REST API, then logged in), with the package's type prefix, display name and a served icon;
 *  - nothing about the package failed in the server log, and the loader reports the right counts.
 * And that a Webhook → Universal Message Normalize workflow (imported and published with the n8n
 * CLI) answers real HTTP webhooks: WhatsApp JSON (raw body bytes) and a Twilio form post.
 *
 * The n8n install is cached outside the checkout by scripts/hosts/n8n.mjs (2–4 min the first time).
 * The server is always stopped (process group killed), also when a test fails.
 */
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { normalize } from '../../core';
import { fixtureBytes, fixtureRequest, fixtureSignature } from '../support/fixtures';
import { freePort, waitFor } from '../support/net';
import { PACKAGE_NAME, PACKAGE_ROOT, packPackage } from '../support/pack';
import { N8N_OWNER, n8nEnv as baseN8nEnv } from '../support/n8n-server';

const run = promisify(execFile);
const OWNER = N8N_OWNER;
const WEBHOOK_PATH = 'switchboard-e2e-normalize';
const ARTIFACTS = join(PACKAGE_ROOT, 'test-artifacts');

interface PackageJson {
	name: string;
	n8n: { nodes?: string[]; credentials?: string[] };
}

interface Expected {
	path: string;
	/** The type name n8n registers: `<package name>.<description name>`. */
	type: string;
	displayName: string;
}

/** What package.json promises, read from the built files themselves (class name = file name). */
function expectedFromPackageJson(): { nodes: Expected[]; credentials: Expected[] } {
	const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;
	const load = (path: string) => {
		const className = basename(path).split('.')[0]!;
		const Class = (require(join(PACKAGE_ROOT, path)) as Record<string, new () => unknown>)[className];
		assert.ok(Class, `${path} exports a class ${className} (n8n derives the class name from the file name)`);
		return new Class();
	};
	return {
		nodes: (pkg.n8n.nodes ?? []).map((path) => {
			const node = load(path) as { description: { name: string; displayName: string } };
			return { path, type: `${pkg.name}.${node.description.name}`, displayName: node.description.displayName };
		}),
		credentials: (pkg.n8n.credentials ?? []).map((path) => {
			const credential = load(path) as { name: string; displayName: string };
			return { path, type: credential.name, displayName: credential.displayName };
		}),
	};
}

/** n8nEnv with the package loader reporting what it loaded ("Loaded all credentials and nodes from …"). */
const n8nEnv = (userFolder: string, port: number, brokerPort: number): NodeJS.ProcessEnv => baseN8nEnv(userFolder, port, brokerPort, 'debug');

class N8nServer {
	readonly log: string[] = [];
	private child?: ChildProcess;
	private file?: WriteStream;
	exited = false;

	constructor(
		readonly bin: string,
		readonly env: NodeJS.ProcessEnv,
		readonly port: number,
		readonly logPath: string,
	) {}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	start(): void {
		this.file = createWriteStream(this.logPath);
		// Own process group, so stop() reaches the task runner n8n spawns as well.
		const child = spawn(process.execPath, [this.bin, 'start'], { env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		this.child = child;
		const keep = (chunk: Buffer) => {
			this.file?.write(chunk);
			this.log.push(...chunk.toString('utf8').split('\n'));
		};
		child.stdout!.on('data', keep);
		child.stderr!.on('data', keep);
		child.on('exit', () => (this.exited = true));
		// Never leave a server behind: also when the test runner ends this process (timeout, Ctrl-C).
		process.once('exit', () => this.killGroup('SIGKILL'));
		for (const signal of ['SIGINT', 'SIGTERM'] as const) {
			process.once(signal, () => {
				this.killGroup('SIGKILL');
				process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
			});
		}
	}

	private killGroup(signal: NodeJS.Signals): void {
		if (!this.child?.pid || this.exited) return;
		try {
			process.kill(-this.child.pid, signal);
		} catch {
			// already gone
		}
	}

	async stop(): Promise<void> {
		if (!this.child) return;
		this.killGroup('SIGTERM');
		const deadline = Date.now() + 20_000;
		while (!this.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
		if (!this.exited) this.killGroup('SIGKILL');
		this.file?.end();
	}

	text(): string {
		return this.log.join('\n');
	}
}

async function fetchWithTimeout(url: string, init: RequestInit = {}, timeoutMs = 15_000): Promise<Response> {
	return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

/** Webhook (POST, raw body kept, answer with the last node's items) → Universal Message Normalize. */
function webhookWorkflow(id: string) {
	return {
		id,
		name: 'Switchboard e2e: webhook → normalize',
		active: false,
		nodes: [
			{
				id: 'b0f7a7d5-1d8e-4c57-9d63-5c3f1b0e0001',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'c5a1e3f0-2b7d-4e8a-9f10-5c3f1b0e0002',
				parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'lastNode', responseData: 'allEntries', options: { rawBody: true } },
			},
			{
				id: 'b0f7a7d5-1d8e-4c57-9d63-5c3f1b0e0003',
				name: 'Universal Message Normalize',
				type: `${PACKAGE_NAME}.universalMessageNormalize`,
				typeVersion: 1,
				position: [220, 0],
				parameters: { operation: 'normalize', options: { keepRaw: false } },
			},
		],
		connections: { Webhook: { main: [[{ node: 'Universal Message Normalize', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

describe('n8n 2.41.1 server with the packed package installed', { timeout: 25 * 60_000 }, () => {
	const timings: Record<string, number> = {};
	let server: N8nServer | undefined;
	let userFolder: string;
	let cookie = '';
	const expected = expectedFromPackageJson();

	before(async () => {
		let t = Date.now();
		const { ensureN8n } = (await import(pathToFileURL(join(PACKAGE_ROOT, 'scripts', 'hosts', 'n8n.mjs')).href)) as {
			ensureN8n: (o?: { log?: (line: string) => void }) => Promise<{ bin: string; installedNow: boolean; installMs: number }>;
		};
		const host = await ensureN8n({ log: (line) => console.log(line) });
		timings[host.installedNow ? 'n8n install (uncached)' : 'n8n install (cached)'] = host.installMs;

		t = Date.now();
		const tarball = packPackage();
		userFolder = mkdtempSync(join(tmpdir(), 'switchboard-n8n-e2e-'));
		const nodesDir = join(userFolder, '.n8n', 'nodes');
		mkdirSync(nodesDir, { recursive: true });
		writeFileSync(join(nodesDir, 'package.json'), `${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2)}\n`);
		// What n8n's community package installer does: npm install into ~/.n8n/nodes, production deps only.
		await run('npm', ['install', tarball, '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
			cwd: nodesDir,
			env: { ...process.env, npm_config_update_notifier: 'false' },
			timeout: 5 * 60_000,
		});
		rmSync(tarball, { force: true });
		timings['pack + npm install tarball'] = Date.now() - t;

		const port = await freePort();
		const brokerPort = await freePort();
		const env = n8nEnv(userFolder, port, brokerPort);

		// A workflow that uses the node, imported and published before the server starts.
		t = Date.now();
		const workflowFile = join(userFolder, 'workflow.json');
		writeFileSync(workflowFile, JSON.stringify(webhookWorkflow('SwitchboardE2eWf1')));
		await run(process.execPath, [host.bin, 'import:workflow', `--input=${workflowFile}`], { env, timeout: 120_000 });
		await run(process.execPath, [host.bin, 'publish:workflow', '--id=SwitchboardE2eWf1'], { env, timeout: 120_000 });
		timings['import + publish workflow (CLI)'] = Date.now() - t;

		mkdirSync(ARTIFACTS, { recursive: true });
		server = new N8nServer(host.bin, env, port, join(ARTIFACTS, `n8n-server-${port}.log`));
		t = Date.now();
		server.start();
		await waitFor(
			async () => {
				if (server!.exited) throw new Error(`n8n exited during start-up; log: ${server!.logPath}`);
				return (await fetchWithTimeout(`${server!.baseUrl}/healthz/readiness`, {}, 2000)).ok;
			},
			180_000,
			'n8n /healthz/readiness',
		).catch((error: Error) => {
			if (server!.exited) throw new Error(`n8n exited during start-up:\n${server!.log.slice(-60).join('\n')}`);
			throw error;
		});
		timings['server start → ready'] = Date.now() - t;

		const setup = await fetchWithTimeout(`${server.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(OWNER),
		});
		assert.equal(setup.status, 200, `owner setup: ${await setup.clone().text()}`);
		cookie = (setup.headers.getSetCookie().find((c) => c.startsWith('n8n-auth=')) ?? '').split(';')[0]!;
		assert.ok(cookie, 'owner setup returns the n8n-auth cookie');
	});

	after(async () => {
		await server?.stop();
		if (userFolder) rmSync(userFolder, { recursive: true, force: true });
		console.log(`n8n e2e timings (ms): ${JSON.stringify(timings)}`);
	});

	test('every node in package.json is listed by the server with our package prefix, name and icon', async () => {
		assert.ok(expected.nodes.length > 0, 'package.json lists n8n nodes');
		const response = await fetchWithTimeout(`${server!.baseUrl}/types/nodes.json`, { headers: { cookie } });
		assert.equal(response.status, 200);
		const types = (await response.json()) as Array<{ name: string; displayName: string; iconUrl?: string | { light: string }; version: number | number[] }>;
		assert.ok(types.some((t) => t.name === 'n8n-nodes-base.webhook'), 'the list is the full node list (sanity)');
		for (const node of expected.nodes) {
			const listed = types.filter((t) => t.name === node.type);
			assert.ok(listed.length >= 1, `${node.type} (${node.path}) is listed by the server`);
			assert.equal(listed[0]!.displayName, node.displayName);
			const iconUrl = typeof listed[0]!.iconUrl === 'string' ? listed[0]!.iconUrl : listed[0]!.iconUrl?.light;
			assert.ok(iconUrl, `${node.type} has an icon`);
			const icon = await fetchWithTimeout(`${server!.baseUrl}/${iconUrl}`, { headers: { cookie } });
			assert.equal(icon.status, 200, `icon ${iconUrl} is served`);
			assert.match(await icon.text(), /<svg[\s>]/);
		}
		// Nothing from our package that package.json does not declare.
		const ours = types.filter((t) => t.name.startsWith(`${PACKAGE_NAME}.`)).map((t) => t.name);
		assert.deepEqual([...new Set(ours)].sort(), expected.nodes.map((n) => n.type).sort());
	});

	test('every credential in package.json is listed by the server', async () => {
		const response = await fetchWithTimeout(`${server!.baseUrl}/types/credentials.json`, { headers: { cookie } });
		assert.equal(response.status, 200);
		const types = (await response.json()) as Array<{ name: string; displayName: string }>;
		assert.ok(types.some((t) => t.name === 'httpBasicAuth'), 'the list is the full credential list (sanity)');
		for (const credential of expected.credentials) {
			const listed = types.find((t) => t.name === credential.type);
			assert.ok(listed, `credential ${credential.type} (${credential.path}) is listed by the server`);
			assert.equal(listed.displayName, credential.displayName);
		}
	});

	test('the server log shows the package loaded with the declared counts and no load errors', () => {
		const log = server!.text();
		const loaded = log.split('\n').find((line) => line.includes(`Loaded all credentials and nodes from ${PACKAGE_NAME}`));
		assert.ok(loaded, `the loader reports loading ${PACKAGE_NAME} (see ${server!.logPath})`);
		assert.match(loaded, new RegExp(`"?credentials"?:\\s*${expected.credentials.length}\\b`));
		assert.match(loaded, new RegExp(`"?nodes"?:\\s*${expected.nodes.length}\\b`));
		const problems = log
			.split('\n')
			.filter((line) => line.includes(PACKAGE_NAME) || line.includes('n8n-nodes-switchboard'))
			.filter((line) => /error|fail|could not|unrecognized|cannot|invalid/i.test(line));
		assert.deepEqual(problems, [], `no load problems of our package in ${server!.logPath}`);
	});

	test('a published Webhook → Normalize workflow answers a real WhatsApp webhook (raw body bytes)', async () => {
		const name = 'whatsapp-message-text.json';
		const headers: Record<string, string> = { 'content-type': 'application/json' };
		for (const [key, value] of Object.entries(fixtureSignature(name))) if (key !== 'url') headers[key] = value;
		const response = await fetchWithTimeout(`${server!.baseUrl}/webhook/${WEBHOOK_PATH}`, { method: 'POST', headers, body: new Uint8Array(fixtureBytes(name)) }, 30_000);
		const text = await response.text();
		assert.equal(response.status, 200, text);
		const expectedMessages = JSON.parse(JSON.stringify(normalize(fixtureRequest(name), { keepRaw: false }).messages));
		assert.deepEqual(JSON.parse(text), expectedMessages);
	});

	test('the same workflow reads a Twilio form post as n8n parses it', async () => {
		const name = 'twilio-inbound-whatsapp-image.txt';
		const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
		for (const [key, value] of Object.entries(fixtureSignature(name))) if (key !== 'url') headers[key] = value;
		const response = await fetchWithTimeout(`${server!.baseUrl}/webhook/${WEBHOOK_PATH}`, { method: 'POST', headers, body: new Uint8Array(fixtureBytes(name)) }, 30_000);
		const text = await response.text();
		assert.equal(response.status, 200, text);
		const messages = JSON.parse(text) as Array<Record<string, unknown>>;
		assert.equal(messages.length, 1);
		const { timestamp, ...served } = messages[0]!;
		const { timestamp: _clock, ...core } = JSON.parse(JSON.stringify(normalize(fixtureRequest(name), { keepRaw: false }).messages[0])) as Record<string, unknown>;
		// Twilio inbound messages carry no time: everything but the clock-based timestamp must match.
		assert.deepEqual(served, core);
		assert.equal(served.provider, 'twilio');
		assert.match(String(timestamp), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
	});
});
