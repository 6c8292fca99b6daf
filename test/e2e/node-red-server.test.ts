/**
 * End to end on a real Node-RED 5 server (Node 24), with the package installed the way users install
 * it: `npm pack` of the built tree, `npm install <tarball>` into a fresh user directory, then
 * `node-red/red.js` started on 127.0.0.1 with its own settings file.
 *
 * Proves, for every node set listed in package.json's `node-red.nodes` (read here, so nodes added later
 * are checked without touching this file):
 *  - the server loaded it from the installed package: listed by GET /nodes, enabled, no `err`, module
 *    and version right; its editor template and help are served (GET /nodes as HTML), its labels
 *    (GET /locales/…), its icon, and the platform list the editor asks for;
 *  - the example flows ship: GET /library/examples/flows/<module> lists them, and each is served as is.
 * And that the example flow, deployed over the admin API, answers real webhooks on /switchboard/inbound:
 * a WhatsApp JSON post with the normalized result and Meta's verification GET with the challenge.
 *
 * The server is always stopped (its process group is killed), also when a test fails; its log goes to
 * test-artifacts/node-red-server.log. Every request has a timeout.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { fixtureBytes, fixtureJson, fixtureSignature } from '../support/fixtures';
import { freePort, waitFor } from '../support/net';
import { PACKAGE_NAME, PACKAGE_ROOT, packPackage } from '../support/pack';

const run = promisify(execFile);
const ARTIFACTS = join(PACKAGE_ROOT, 'test-artifacts');
const REQUEST_TIMEOUT_MS = 10_000;
const API_HEADERS = { Accept: 'application/json', 'Node-RED-API-Version': 'v2' };

interface PackageJson {
	name: string;
	version: string;
	'node-red': { nodes: Record<string, string> };
}
const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;

interface NodeSet {
	id: string;
	name: string;
	module: string;
	version: string;
	types: string[];
	enabled: boolean;
	err?: unknown;
}

/** Node 24 for Node-RED 5 (needs ≥ 22.9): the test runner's own node when new enough, else the project's. */
function nodeBinary(): string {
	const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
	if (major > 22 || (major === 22 && minor >= 9)) return process.execPath;
	return join(PACKAGE_ROOT, 'node_modules', '.bin', 'node');
}

/** Timings show in the test report (hooks get a suite or test context; both report diagnostics). */
function note(t: object, message: string): void {
	if ('diagnostic' in t && typeof t.diagnostic === 'function') (t.diagnostic as (m: string) => void)(message);
}

function exampleFiles(): string[] {
	return readdirSync(join(PACKAGE_ROOT, 'flows', 'node-red')).filter((f) => f.endsWith('.json'));
}

describe('Node-RED 5 server with the packed package installed', () => {
	let userDir = '';
	let tarballDir = '';
	let server: ChildProcess | undefined;
	let log: WriteStream | undefined;
	let base = '';
	let logText = '';

	const api = (path: string, init: RequestInit = {}) =>
		fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

	before(async (t) => {
		if (!existsSync(join(PACKAGE_ROOT, pkg['node-red'].nodes[Object.keys(pkg['node-red'].nodes)[0]!]!))) {
			throw new Error('dist is not built: run `npm run build` (npm test does) before the e2e tests');
		}
		let started = Date.now();
		const tarball = packPackage();
		tarballDir = join(tarball, '..');
		userDir = mkdtempSync(join(tmpdir(), 'switchboard-node-red-'));
		writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', version: '0.0.1', private: true }, null, 2));
		// Dependencies (zod) come from the npm cache when it has them; the registry answers otherwise.
		await run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--fetch-retries=1'], {
			cwd: userDir,
			timeout: 180_000,
		});
		note(t, `pack + npm install into the user directory: ${Date.now() - started} ms`);
		assert.ok(existsSync(join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'), 'package.json')), 'the package is installed');
		assert.equal(existsSync(join(userDir, 'node_modules', 'n8n-workflow')), false, 'the optional n8n peer is not pulled in');

		const port = await freePort();
		base = `http://127.0.0.1:${port}`;
		const settings = join(userDir, 'settings.js');
		writeFileSync(
			settings,
			`module.exports = ${JSON.stringify(
				{
					uiHost: '127.0.0.1',
					uiPort: port,
					userDir,
					flowFile: 'flows.json',
					credentialSecret: 'switchboard-e2e-credential-secret',
					logging: { console: { level: 'info', metrics: false, audit: false } },
					diagnostics: { enabled: false, ui: false },
					telemetry: { enabled: false },
					editorTheme: { projects: { enabled: false } },
				},
				null,
				2,
			)};\n`,
		);

		mkdirSync(ARTIFACTS, { recursive: true });
		log = createWriteStream(join(ARTIFACTS, 'node-red-server.log'));
		started = Date.now();
		server = spawn(nodeBinary(), [join(PACKAGE_ROOT, 'node_modules', 'node-red', 'red.js'), '--settings', settings, '--userDir', userDir], {
			cwd: userDir,
			// Its own process group, so the whole tree can be stopped at once.
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { PATH: process.env.PATH, HOME: userDir },
		});
		for (const stream of [server.stdout!, server.stderr!]) {
			stream.on('data', (chunk: Buffer) => {
				logText += chunk.toString('utf8');
				log?.write(chunk);
			});
		}
		const exited = new Promise<never>((_, reject) => server!.once('exit', (code) => reject(new Error(`Node-RED exited with ${code}:\n${logText}`))));
		await Promise.race([waitFor(async () => (await api('/settings', { headers: API_HEADERS })).ok, 30_000, 'Node-RED admin API'), exited]);
		note(t, `Node-RED ${JSON.parse(readFileSync(join(PACKAGE_ROOT, 'node_modules', 'node-red', 'package.json'), 'utf8')).version} on Node ${nodeBinary() === process.execPath ? process.version : '24 (node_modules/.bin)'}: start to first answer ${Date.now() - started} ms`);
	});

	after(async () => {
		if (server?.pid && server.exitCode === null) {
			const pid = server.pid;
			const gone = new Promise<void>((resolve) => server!.once('exit', () => resolve()));
			try {
				process.kill(-pid, 'SIGTERM');
			} catch {
				// already gone
			}
			const timer = setTimeout(() => {
				try {
					process.kill(-pid, 'SIGKILL');
				} catch {
					// already gone
				}
			}, 5000);
			await gone;
			clearTimeout(timer);
		}
		log?.end();
		if (userDir) rmSync(userDir, { recursive: true, force: true });
		if (tarballDir) rmSync(tarballDir, { recursive: true, force: true });
	});

	test('every node set in package.json "node-red.nodes" is loaded, enabled and without error', async () => {
		const res = await api('/nodes', { headers: API_HEADERS });
		assert.equal(res.status, 200);
		const sets = (await res.json()) as NodeSet[];
		const ours = sets.filter((s) => s.module === PACKAGE_NAME);
		assert.deepEqual(ours.map((s) => s.name).sort(), Object.keys(pkg['node-red'].nodes).sort(), 'exactly the sets package.json lists');
		for (const set of ours) {
			assert.equal(set.id, `${PACKAGE_NAME}/${set.name}`);
			assert.equal(set.enabled, true, `${set.id} enabled`);
			assert.equal(set.err, undefined, `${set.id} loaded without error: ${JSON.stringify(set.err)}`);
			assert.equal(set.version, pkg.version);
			assert.ok(set.types.length > 0, `${set.id} registers node types`);
		}
		assert.ok(!/\[error\].*switchboard/i.test(logText), 'no error about the package in the server log');
	});

	test('each node type’s editor template, help, labels and icon are served', async () => {
		const sets = (await (await api('/nodes', { headers: API_HEADERS })).json()) as NodeSet[];
		const html = await (await api('/nodes', { headers: { Accept: 'text/html', 'Node-RED-API-Version': 'v2' } })).text();
		for (const set of sets.filter((s) => s.module === PACKAGE_NAME)) {
			for (const type of set.types) {
				assert.ok(html.includes(`data-template-name="${type}"`), `${type}: editor template`);
				assert.ok(html.includes(`data-help-name="${type}"`), `${type}: help text`);
				assert.ok(html.includes(`RED.nodes.registerType("${type}"`), `${type}: editor definition`);
			}
			const labels = await api(`/locales/${set.id}?lng=en-US`, { headers: API_HEADERS });
			assert.equal(labels.status, 200);
			const catalog = (await labels.json()) as Record<string, { label?: Record<string, string> }>;
			for (const type of set.types) assert.equal(typeof catalog[type]?.label, 'object', `${type}: labels in locales/en-US`);
		}
		const icon = await api(`/icons/${PACKAGE_NAME}/switchboard.svg`);
		assert.equal(icon.status, 200);
		assert.match(icon.headers.get('content-type') ?? '', /svg/);
		assert.match(await icon.text(), /<svg/);
	});

	test('the editor’s platform list is served by the admin API', async () => {
		const res = await api('/switchboard/platforms', { headers: API_HEADERS });
		assert.equal(res.status, 200);
		const { platforms } = (await res.json()) as { platforms: Array<{ id: string; name: string }> };
		assert.ok(platforms.some((p) => p.id === 'whatsapp'));
		for (const p of platforms) assert.equal(typeof p.name, 'string');
	});

	test('the example flows are listed in the import menu and served unchanged', async () => {
		const root = await api('/library/examples/flows/', { headers: API_HEADERS });
		assert.equal(root.status, 200);
		const modules = (await root.json()) as string[];
		assert.ok(modules.includes(PACKAGE_NAME), `examples of ${PACKAGE_NAME} are listed (got ${modules.join(', ')})`);
		const mine = (await (await api(`/library/examples/flows/${PACKAGE_NAME}`, { headers: API_HEADERS })).json()) as Array<{ fn: string }>;
		assert.deepEqual(
			mine.map((e) => e.fn).sort(),
			exampleFiles().map((f) => f.replace(/\.json$/, '')).sort(),
		);
		for (const file of exampleFiles()) {
			const res = await api(`/library/examples/flows/${PACKAGE_NAME}/${file.replace(/\.json$/, '')}`, { headers: API_HEADERS });
			assert.equal(res.status, 200);
			assert.deepEqual(await res.json(), JSON.parse(readFileSync(join(PACKAGE_ROOT, 'flows', 'node-red', file), 'utf8')));
		}
	});

	test('the example flow, deployed over the admin API, normalizes a real WhatsApp webhook', async () => {
		const example = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'flows', 'node-red', 'normalize-webhook.json'), 'utf8')) as Array<{ z?: string }>;
		const flows = [{ id: example[0]!.z!, type: 'tab', label: 'Switchboard example' }, ...example];
		const started = Date.now();
		const deployed = await api('/flows', {
			method: 'POST',
			headers: { ...API_HEADERS, 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
			body: JSON.stringify({ flows }),
		});
		assert.equal(deployed.status, 200, await deployed.clone().text());
		const deployMs = Date.now() - started;

		const name = 'whatsapp-message-text.json';
		const sent = fixtureJson<{ entry: Array<{ changes: Array<{ value: { messages: Array<{ id: string; from: string; text: { body: string } }> } }> }> }>(name)
			.entry[0]!.changes[0]!.value.messages[0]!;
		// The route appears once the flow has started; retry briefly rather than assume.
		let res: Response | undefined;
		await waitFor(
			async () => {
				res = await api('/switchboard/inbound', {
					method: 'POST',
					headers: { 'Content-Type': 'application/json', ...fixtureSignature(name) },
					body: fixtureBytes(name),
				});
				return res.status !== 404;
			},
			10_000,
			'the example flow’s http in route',
		);
		assert.equal(res!.status, 200);
		const body = (await res!.json()) as {
			platform: string;
			messages: Array<{ schema: string; provider: string; providerMessageId: string; sender: { id: string }; parts: Array<{ type: string; text: string }> }>;
			events: unknown[];
		};
		assert.equal(body.platform, 'whatsapp');
		assert.equal(body.messages.length, 1);
		const m = body.messages[0]!;
		assert.equal(m.schema, 'switchboard.message/v1');
		assert.equal(m.provider, 'whatsapp');
		assert.equal(m.providerMessageId, sent.id);
		assert.equal(m.sender.id, sent.from);
		assert.deepEqual(m.parts.map((p) => [p.type, p.text]), [['text', sent.text.body]]);
		assert.deepEqual(body.events, []);

		const query = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': 'local-verify-token-123', 'hub.challenge': '1158201444' });
		const verified = await api(`/switchboard/inbound?${query}`);
		assert.equal(verified.status, 200);
		assert.equal(await verified.text(), '1158201444');

		// Deployed flows are saved in the user directory's flow file.
		const saved = JSON.parse(readFileSync(join(userDir, 'flows.json'), 'utf8')) as Array<{ type: string }>;
		assert.equal(saved.filter((n) => n.type === 'universal-message-normalize').length, 2);
		assert.ok(deployMs < 5000, `deploy took ${deployMs} ms`);
	});
});
