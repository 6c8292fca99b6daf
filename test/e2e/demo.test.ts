/**
 * README's first command works: scripts/demo.mjs (what `npm run demo` runs after building) starts
 * Node-RED 5 with the package loaded in place and the example flow deployed.
 *
 *  - `--check` posts the sample itself, prints the normalized result and exits 0;
 *  - the interactive mode prints an editor URL that serves the editor and a curl command whose URL and
 *    sample file, posted as the command says, come back normalized; SIGINT (Ctrl-C) stops Node-RED and
 *    the demo exits 0 with the port closed.
 *
 * Runs on the built tree (`npm test` builds first). Ports are free ones (PORT), the interactive run uses
 * a temporary user directory (DEMO_USER_DIR) so a developer's own .cache/demo is left alone.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fixtureJson } from '../support/fixtures';
import { freePort } from '../support/net';
import { PACKAGE_ROOT } from '../support/pack';

const DEMO = join(PACKAGE_ROOT, 'scripts', 'demo.mjs');
const TIMEOUT_MS = 60_000;

interface WhatsAppText {
	entry: Array<{ changes: Array<{ value: { messages: Array<{ id: string; from: string; text: { body: string } }> } }> }>;
}
const sample = fixtureJson<WhatsAppText>('whatsapp-message-text.json').entry[0]!.changes[0]!.value.messages[0]!;

function startDemo(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
	let output = '';
	const child = spawn(process.execPath, [DEMO, ...args], {
		cwd: PACKAGE_ROOT,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
	child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	return { child, output: () => output, exited };
}

function within<T>(promise: Promise<T>, ms: number, what: string, output: () => string): Promise<T> {
	let timer: NodeJS.Timeout;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms. Output:\n${output()}`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('npm run demo (scripts/demo.mjs)', () => {
	const running: ChildProcess[] = [];
	const dirs: string[] = [];
	after(() => {
		for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
	});

	test('--check starts Node-RED, posts the sample, prints the normalized message and exits 0', async (t) => {
		const started = Date.now();
		const demo = startDemo(['--check'], { PORT: String(await freePort()) });
		running.push(demo.child);
		const code = await within(demo.exited, TIMEOUT_MS, 'demo --check exiting', demo.output);
		t.diagnostic(`demo --check: ${Date.now() - started} ms`);
		const out = demo.output();
		assert.equal(code, 0, out);
		assert.match(out, /demo check passed/);
		// The printed result is the flow's HTTP answer: one universal message for the sample.
		const json = out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1);
		const result = JSON.parse(json) as { platform: string; messages: Array<{ providerMessageId: string; sender: { id: string }; parts: Array<{ text: string }> }> };
		assert.equal(result.platform, 'whatsapp');
		assert.deepEqual(
			result.messages.map((m) => [m.providerMessageId, m.sender.id, m.parts[0]!.text]),
			[[sample.id, sample.from, sample.text.body]],
		);
	});

	test('interactive: the printed editor URL and curl command work, and Ctrl-C stops it cleanly', async (t) => {
		const port = await freePort();
		const userDir = mkdtempSync(join(tmpdir(), 'switchboard-demo-'));
		dirs.push(userDir);
		const started = Date.now();
		const demo = startDemo([], { PORT: String(port), DEMO_USER_DIR: userDir });
		running.push(demo.child);
		await within(
			new Promise<void>((resolve) => {
				const poll = setInterval(() => {
					if (/Press Ctrl-C to stop\./.test(demo.output())) {
						clearInterval(poll);
						resolve();
					}
				}, 100);
			}),
			TIMEOUT_MS,
			'the demo printing its instructions',
			demo.output,
		);
		t.diagnostic(`demo ready: ${Date.now() - started} ms`);
		const out = demo.output();

		const editor = /Editor:\s+(http:\/\/\S+)/.exec(out)?.[1];
		assert.equal(editor, `http://127.0.0.1:${port}/`, out);
		const page = await fetch(editor!, { signal: AbortSignal.timeout(10_000) });
		assert.equal(page.status, 200);
		assert.match(await page.text(), /Node-RED/);

		// Run the printed curl command's request: same method, URL, header and body file.
		const curl = /^\s*(curl .+)$/m.exec(out)?.[1];
		assert.ok(curl, `a curl command is printed:\n${out}`);
		const url = /-X POST (\S+)/.exec(curl!)?.[1];
		const contentType = /-H '([^:]+): ([^']+)'/.exec(curl!);
		const file = /--data-binary @'([^']+)'/.exec(curl!)?.[1];
		assert.ok(url && contentType && file, curl);
		const res = await fetch(url!, {
			method: 'POST',
			headers: { [contentType![1]!]: contentType![2]! },
			body: readFileSync(file!),
			signal: AbortSignal.timeout(10_000),
		});
		assert.equal(res.status, 200);
		const body = (await res.json()) as { platform: string; messages: Array<{ providerMessageId: string; parts: Array<{ text: string }> }> };
		assert.equal(body.platform, 'whatsapp');
		assert.deepEqual(
			body.messages.map((m) => [m.providerMessageId, m.parts[0]!.text]),
			[[sample.id, sample.text.body]],
		);

		// Ctrl-C: the demo stops Node-RED and exits 0; nothing listens on the port afterwards.
		demo.child.kill('SIGINT');
		const code = await within(demo.exited, 15_000, 'the demo exiting after SIGINT', demo.output);
		assert.equal(code, 0, demo.output());
		await assert.rejects(fetch(editor!, { signal: AbortSignal.timeout(2000) }), 'Node-RED is stopped');
	});
});
