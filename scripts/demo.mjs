#!/usr/bin/env node
/**
 * `npm run demo` (README's first command): starts Node-RED 5 on 127.0.0.1 with this package loaded in
 * place (settings.nodesDir = the package folder, so a rebuild is all it takes to try a change), deploys
 * the example flow (examples/normalize-webhook.json), prints the editor URL and a curl command that
 * posts a sample WhatsApp webhook to it, and runs until Ctrl-C, then stops Node-RED cleanly.
 *
 *   npm run demo                  interactive, as above
 *   npm run demo -- --check       start, post the sample, print the normalized result, stop; exit 0/1
 *
 * Port: $PORT, else 1880; a busy port falls back to a free one. User directory: .cache/demo (gitignored;
 * $DEMO_USER_DIR overrides it), a fresh temporary one under .cache for --check. Each start re-deploys
 * the example tab; other tabs made in the demo's editor are kept.
 *
 * Needs the build (`npm run demo` builds first) and node_modules (`npm install`). Node-RED 5 needs
 * Node ≥ 22.9: the project installs Node 24 as node_modules/.bin/node, used when this runs on older Node.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';
const CHECK = process.argv.includes('--check');
const EXAMPLE = join(ROOT, 'examples', 'normalize-webhook.json');
const SAMPLE = join(ROOT, 'test', 'fixtures', 'providers', 'whatsapp-message-text.json');
const INBOUND = '/switchboard/inbound';
const API_HEADERS = { Accept: 'application/json', 'Node-RED-API-Version': 'v2' };
const REQUEST_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 60_000;

function fail(message) {
	console.error(`demo: ${message}`);
	process.exit(1);
}

function nodeBinary() {
	const [major, minor] = process.versions.node.split('.').map(Number);
	if (major > 22 || (major === 22 && minor >= 9)) return process.execPath;
	const local = join(ROOT, 'node_modules', '.bin', 'node');
	if (existsSync(local)) return local;
	fail(`Node-RED 5 needs Node ≥ 22.9 (this is ${process.version}) and node_modules/.bin/node is missing: run \`npm install\`.`);
}

function portIsFree(port) {
	return new Promise((resolve) => {
		const probe = createServer();
		probe.once('error', () => resolve(false));
		probe.listen(port, HOST, () => probe.close(() => resolve(true)));
	});
}

async function choosePort() {
	const wanted = Number(process.env.PORT || 1880);
	if (Number.isInteger(wanted) && wanted > 0 && (await portIsFree(wanted))) return wanted;
	const port = await new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, HOST, () => {
			const { port: free } = probe.address();
			probe.close(() => resolve(free));
		});
	});
	console.log(`Port ${wanted} is busy; using ${port} instead.`);
	return port;
}

const request = (url, init = {}) => fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

async function waitForServer(base, child, output) {
	const deadline = Date.now() + START_TIMEOUT_MS;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`Node-RED exited with code ${child.exitCode}:\n${output()}`);
		try {
			if ((await request(`${base}/settings`, { headers: API_HEADERS })).ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`Node-RED did not answer within ${START_TIMEOUT_MS / 1000} s:\n${output()}`);
}

/** Deploys the example on its own tab, replacing an earlier copy and keeping every other tab. */
async function deployExample(base) {
	const example = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
	const tab = example[0].z;
	const current = await request(`${base}/flows`, { headers: API_HEADERS });
	if (!current.ok) throw new Error(`GET /flows answered ${current.status}`);
	const { flows } = await current.json();
	const kept = flows.filter((n) => n.id !== tab && n.z !== tab);
	const deployed = await request(`${base}/flows`, {
		method: 'POST',
		headers: { ...API_HEADERS, 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
		body: JSON.stringify({ flows: [...kept, { id: tab, type: 'tab', label: 'Switchboard example', info: '' }, ...example] }),
	});
	if (!deployed.ok) throw new Error(`POST /flows answered ${deployed.status}: ${await deployed.text()}`);
}

/** Posts the sample until the flow's route answers (it appears once the deployed flow has started). */
async function postSample(base) {
	const deadline = Date.now() + REQUEST_TIMEOUT_MS;
	for (;;) {
		const res = await request(`${base}${INBOUND}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: readFileSync(SAMPLE),
		});
		if (res.status !== 404 || Date.now() > deadline) return res;
		await new Promise((r) => setTimeout(r, 100));
	}
}

function stop(child) {
	return new Promise((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) return resolve();
		const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
		child.once('exit', () => {
			clearTimeout(timer);
			resolve();
		});
		// Node-RED stops its flows on SIGINT, as on Ctrl-C in its own terminal.
		child.kill('SIGINT');
	});
}

async function main() {
	const redJs = join(ROOT, 'node_modules', 'node-red', 'red.js');
	if (!existsSync(redJs)) fail('node_modules/node-red is missing: run `npm install` first.');
	if (!existsSync(join(ROOT, 'dist', 'nodes', 'node-red', 'universal-message-normalize.js')) || !existsSync(EXAMPLE)) {
		fail('the package is not built: run `npm run demo` (it builds first) or `npm run build`.');
	}
	const redVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'node-red', 'package.json'), 'utf8')).version;

	mkdirSync(join(ROOT, '.cache'), { recursive: true });
	const userDir = CHECK ? mkdtempSync(join(ROOT, '.cache', 'demo-check-')) : process.env.DEMO_USER_DIR || join(ROOT, '.cache', 'demo');
	mkdirSync(userDir, { recursive: true });
	const port = await choosePort();
	const base = `http://${HOST}:${port}`;
	const settings = join(userDir, 'settings.js');
	writeFileSync(
		settings,
		`// Written by scripts/demo.mjs on every start.\nmodule.exports = ${JSON.stringify(
			{
				uiHost: HOST,
				uiPort: port,
				userDir,
				// The package itself, in place: Node-RED reads its package.json "node-red" field and examples/.
				nodesDir: [ROOT],
				flowFile: 'flows.json',
				credentialSecret: 'switchboard-demo-only',
				logging: { console: { level: CHECK ? 'info' : 'warn', metrics: false, audit: false } },
				diagnostics: { enabled: false, ui: false },
				telemetry: { enabled: false },
				editorTheme: { tours: false },
			},
			null,
			2,
		)};\n`,
	);

	let output = '';
	const child = spawn(nodeBinary(), [redJs, '--settings', settings, '--userDir', userDir], {
		cwd: userDir,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	for (const stream of [child.stdout, child.stderr]) {
		stream.on('data', (chunk) => {
			const text = chunk.toString('utf8');
			output += text;
			// Interactive: Node-RED's warnings and errors show in this terminal.
			if (!CHECK) process.stdout.write(text.replace(/^(?=.)/gm, 'node-red | '));
		});
	}

	let stopping = false;
	const shutdown = async (code) => {
		if (stopping) return;
		stopping = true;
		await stop(child);
		if (CHECK) rmSync(userDir, { recursive: true, force: true });
		process.exit(code);
	};
	process.on('SIGINT', () => {
		if (!CHECK) console.log('\nStopping Node-RED…');
		void shutdown(0);
	});
	process.on('SIGTERM', () => void shutdown(0));
	child.on('exit', (code, signal) => {
		if (stopping) return;
		console.error(`demo: Node-RED stopped unexpectedly (${signal ?? `exit code ${code}`}).`);
		if (CHECK) console.error(output);
		void shutdown(1);
	});

	try {
		const started = Date.now();
		await waitForServer(base, child, () => output);
		await deployExample(base);
		if (CHECK) {
			const res = await postSample(base);
			const text = await res.text();
			if (res.status !== 200) throw new Error(`POST ${INBOUND} answered ${res.status}: ${text}`);
			const result = JSON.parse(text);
			const sent = JSON.parse(readFileSync(SAMPLE, 'utf8')).entry[0].changes[0].value.messages[0];
			const message = result.messages?.[0];
			console.log(`Node-RED ${redVersion} answered on ${base} after ${Date.now() - started} ms.`);
			console.log(`POST ${INBOUND} with ${SAMPLE} →`);
			console.log(JSON.stringify(result, null, 2));
			const ok =
				result.platform === 'whatsapp' &&
				result.messages.length === 1 &&
				message.providerMessageId === sent.id &&
				message.parts?.[0]?.text === sent.text.body;
			console.log(ok ? 'demo check passed: the sample came back as a universal WhatsApp message.' : 'demo check FAILED: unexpected result.');
			await shutdown(ok ? 0 : 1);
			return;
		}
		console.log('');
		console.log(`Switchboard demo: Node-RED ${redVersion} with this package loaded in place (${userDir}).`);
		console.log('');
		console.log(`  Editor:  ${base}/   (tab "Switchboard example"; click the inject button of`);
		console.log('           "Sample WhatsApp text message" and open the debug sidebar)');
		console.log(`  Webhook: ${base}${INBOUND}`);
		console.log('');
		console.log('  Post a sample WhatsApp webhook and get the universal message back:');
		console.log('');
		console.log(`  curl -s -X POST ${base}${INBOUND} -H 'Content-Type: application/json' --data-binary @'${SAMPLE}'`);
		console.log('');
		console.log('Press Ctrl-C to stop.');
	} catch (error) {
		console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
		await shutdown(1);
	}
}

await main();
