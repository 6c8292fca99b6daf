/**
 * README's first command works: scripts/demo.mjs (what `npm run demo` runs after building) starts
 * Node-RED 5 with the package loaded in place, the five flow templates deployed against fake providers
 * served by the script itself, and sample scheduled messages in the embedded store.
 *
 *  - `--check` runs the whole story headless (session event → draft, digest → approve link confirmed,
 *    processor run, signed status callback, daily summary, inbound message → processor → reply), then
 *    reads the store after stopping Node-RED, and exits 0 only when every step held;
 *  - the interactive mode prints an editor URL that serves the editor, an approval link whose page
 *    changes nothing until its form is posted, a curl command (signed Twilio status callback) that marks
 *    the SMS delivered once it was sent, and a message log page that shows all of it; SIGINT (Ctrl-C)
 *    stops Node-RED and the demo exits 0 with the port closed.
 *
 * Runs on the built tree (`npm test` builds first). Ports are free ones (PORT); the interactive run uses
 * a temporary user directory (DEMO_USER_DIR) so a developer's own .cache/demo is left alone.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, waitFor } from '../support/net';
import { PACKAGE_ROOT } from '../support/pack';

const DEMO = join(PACKAGE_ROOT, 'scripts', 'demo.mjs');
const TIMEOUT_MS = 90_000;
const REQUEST_TIMEOUT_MS = 10_000;

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

const get = (url: string) => fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

/** The status the message log page shows for a recipient (its row's status cell). */
async function statusOn(logUrl: string, recipient: string): Promise<string | undefined> {
	const html = await (await get(logUrl)).text();
	for (const row of html.split('<tr>')) if (row.includes(`<td>${recipient}</td>`)) return /<td class="status">([^<]*)<\/td>/.exec(row)?.[1];
	return undefined;
}

describe('npm run demo (scripts/demo.mjs)', () => {
	const running: ChildProcess[] = [];
	const dirs: string[] = [];
	after(() => {
		for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
	});

	test('--check runs the whole story headless and exits 0: approved, sent, delivered, logged', async (t) => {
		const started = Date.now();
		const demo = startDemo(['--check'], { PORT: String(await freePort()) });
		running.push(demo.child);
		const code = await within(demo.exited, TIMEOUT_MS, 'demo --check exiting', demo.output);
		t.diagnostic(`demo --check: ${Date.now() - started} ms`);
		const out = demo.output();
		assert.equal(code, 0, out);
		assert.match(out, /demo check passed: approved, sent, delivered and logged\./);
		assert.match(out, /the five templates deployed/);
		// Each step of the story, in order.
		const steps = [
			/1\. POST \/switchboard\/session-fulfilled → 201: draft [0-9a-f-]{36}/,
			/2\. digest emailed to reviewers@example\.com with 3 drafts' approve \/ reject links/,
			/3\. GET approve link → 200 confirmation page; POST → 200 approved/,
			/4\. processor run: 5 messages sent — /,
			/5\. signed Twilio status callback \(delivered\) → 200/,
			/6\. daily summary emailed to ops@example\.com: "5 delivery attempts: 5 sent"/,
			/7\. inbound Telegram message → processor → reply sent to chat 424242/,
			/8\. GET \/switchboard\/demo\/messages → 200/,
		];
		let at = 0;
		for (const step of steps) {
			const match = step.exec(out.slice(at));
			assert.ok(match, `step ${step} in order:\n${out}`);
			at += match.index + match[0].length;
		}
		// What the store said after Node-RED stopped.
		assert.match(out, /ok {2}SMS to \+447700900123: delivered \(1 log row, twilio SM[0-9a-f]{32}\)/);
		assert.match(out, /ok {2}the session draft, approved through its link: sent \(1 log row, telegram /);
		assert.match(out, /ok {2}the SMS draft nobody approved: draft \(0 log rows\)/);
		assert.doesNotMatch(out, /BAD/);
	});

	test('interactive: editor, approval link, send, signed status callback and message log work as printed; Ctrl-C stops it', async (t) => {
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
		const base = `http://127.0.0.1:${port}`;

		const editor = /Editor:\s+(http:\/\/\S+)/.exec(out)?.[1];
		assert.equal(editor, `${base}/`, out);
		const page = await get(editor!);
		assert.equal(page.status, 200);
		assert.match(await page.text(), /Node-RED/);

		const logUrl = /Logged — every message, its status and its delivery log: (\S+)/.exec(out)?.[1];
		assert.equal(logUrl, `${base}/switchboard/demo/messages`, out);
		assert.equal(await statusOn(logUrl!, '+447700900456'), 'draft');
		assert.equal(await statusOn(logUrl!, '+447700900123'), 'approved');

		// 1. The approval link: a confirmation page; nothing changes until its form is posted.
		const link = /Approve — open this approval link[^\n]*\n\s+(http:\/\/\S+)/.exec(out)?.[1];
		assert.ok(link?.startsWith(`${base}/switchboard/approval?token=`), out);
		const confirm = await get(link!);
		assert.equal(confirm.status, 200);
		const form = await confirm.text();
		assert.equal(await statusOn(logUrl!, '+447700900456'), 'draft', 'opening the link changed nothing');
		const fields = Object.fromEntries([...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
		const approved = await fetch(`${base}/switchboard/approval`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(fields).toString(),
			signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
		});
		assert.equal(approved.status, 200);
		assert.equal(await statusOn(logUrl!, '+447700900456'), 'approved');

		// 2. "Click the button of Every 15 minutes": the processor sends what is approved and due.
		const tick = await fetch(`${base}/inject/processor-tick`, { method: 'POST', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
		assert.equal(tick.status, 200);
		await waitFor(async () => (await statusOn(logUrl!, '+447700900456')) === 'sent' && (await statusOn(logUrl!, '+447700900123')) === 'sent', 30_000, 'the processor run');
		assert.match(demo.output(), /fake twilio ← \+447700900123: Your appointment is confirmed/);
		assert.match(demo.output(), /fake twilio ← \+447700900456/);

		// 3. The printed curl command: same method, URL, headers and body.
		const curl = /^\s*(curl .+)$/m.exec(out)?.[1];
		assert.ok(curl, `a curl command is printed:\n${out}`);
		const url = /-X POST (\S+)/.exec(curl!)?.[1];
		const headers = Object.fromEntries([...curl!.matchAll(/-H '([^:]+): ([^']+)'/g)].map((m) => [m[1]!, m[2]!]));
		const data = /--data '([^']+)'/.exec(curl!)?.[1];
		assert.ok(url && data && headers['X-Twilio-Signature'], curl);
		const delivered = await fetch(url!, { method: 'POST', headers, body: data, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
		assert.equal(delivered.status, 200, await delivered.clone().text());
		assert.equal(await statusOn(logUrl!, '+447700900123'), 'delivered');

		// 4. Logged: the message's own page shows its delivery log.
		const list = await (await get(logUrl!)).text();
		const row = list.split('<tr>').find((r) => r.includes('<td>+447700900123</td>'))!;
		const detail = await get(new URL(/href="([^"]+)"/.exec(row)![1]!, logUrl).toString());
		assert.equal(detail.status, 200);
		const detailHtml = await detail.text();
		assert.match(detailHtml, /Status: <b class="status">delivered<\/b>/);
		assert.match(detailHtml, /<td>1<\/td><td>[^<]+<\/td><td>twilio<\/td><td>sent<\/td><td>SM[0-9a-f]{32}<\/td>/);

		// Ctrl-C: the demo stops Node-RED and exits 0; nothing listens on the port afterwards.
		demo.child.kill('SIGINT');
		const code = await within(demo.exited, 20_000, 'the demo exiting after SIGINT', demo.output);
		assert.equal(code, 0, demo.output());
		await assert.rejects(fetch(editor!, { signal: AbortSignal.timeout(2000) }), 'Node-RED is stopped');
	});
});
