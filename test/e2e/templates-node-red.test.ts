/**
 * The five Node-RED flow templates (flows/node-red/, issue 6) end to end in a real Node-RED 5 server
 * (Node 24, our node sets from dist), against the fake providers of test/support/fakes on 127.0.0.1.
 *
 * Each template is deployed through the admin API as it ships, with only what the contract lets a test
 * rewrite: the store folder (config node switchboard-queue-store, its folder) and approval URL, the provider accounts' base URLs
 * and plain account fields (the fakes' account SID, sender, phone number id), the processor URL
 * (processor-http.url); secrets are added inline at deploy, as the editor posts them. Every deploy is
 * checked: all node types known, no node warning or error, no red status line, no error in the log.
 *
 * The store is the embedded one (the default users get). An embedded store belongs to one process, so
 * the test seeds it before the server starts and reads it after the server stops:
 *
 *  Phase A — processor. Seed 61 approved due messages (sms ×3, email ×2 + 52 bulk emails, telegram ×2,
 *  whatsapp ×2: more than one claim batch of 50), 3 drafts, 2 future approved ones and 1 cancelled one; the Twilio fake fails every call for one SMS
 *  recipient (503). Start, deploy, POST /inject/processor-tick, wait for the run summary; inject again
 *  (the summary says nothing was due). Then stop and read the store: each due approved message reached
 *  its provider exactly once and is `sent` with one log row — except the failing SMS: three Twilio
 *  attempts, then Vonage with a fallback reason, four rows; drafts, future and cancelled untouched.
 *
 *  Phase B — the other four templates, deployed one after the other next to the processor (so all five
 *  run together, sharing their store and accounts): session events (create / repeat / not fulfilled),
 *  the approval digest and page (GET changes nothing, POST decides, expired / tampered refused), a
 *  signed Twilio status callback and the daily summary, an inbound Telegram update through a fake
 *  processor and back. Then stop and read the store again.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { signApprovalToken } from '../../core/approval';
import { openQueue, type ChannelStats, type ScheduleQueue } from '../../core/queue';
import { twilioSignature, twilioStatusBody } from '../../bench/webhook.bench';
import { fixtureBytes, fixtureSignature, TEST_SECRETS } from '../support/fixtures';
import { MetaFake } from '../support/fakes/meta';
import { SENDGRID_TEST_KEY, SendgridFake } from '../support/fakes/sendgrid';
import { TELEGRAM_BOT_TOKEN, TelegramFake } from '../support/fakes/telegram';
import { TWILIO_TEST_SID, TWILIO_TEST_TOKEN, TwilioFake, twilioError } from '../support/fakes/twilio';
import { VONAGE_TEST_KEY, VONAGE_TEST_SECRET, VonageFake } from '../support/fakes/vonage';
import { waitFor } from '../support/net';
import { loadTemplate, merge, prepare, startTemplatesServer, type DebugMessage, type FlowNode, type TemplatesServer } from '../support/nr-templates-host';

const REQUEST_TIMEOUT_MS = 15_000;
const APPROVAL_SECRET = 'templates-e2e-approval-secret-0123456789abcdef';
const WHATSAPP = { accessToken: 'EAAtemplatesE2Etoken0123456789', phoneNumberId: '106540352242922' };
const FAILING_SMS = '+447700900999';
/** Bulk emails due besides the 9 named messages: 61 in all, two batches of the processor's 50. */
const BULK = 52;
const DUE = 9 + BULK;
const TEMPLATE_NAMES = ['scheduled-messages-processor', 'create-on-session-fulfilled', 'review-and-approve', 'delivery-status', 'inbound-to-processor'];

interface Seeded {
	due: Array<{ id: string; channel: string; recipient: string }>;
	drafts: string[];
	future: string[];
	cancelled: string;
}

const request = (url: string, init: RequestInit = {}) => fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

/** The hidden inputs of the first form on a page (the confirmation page's POST). */
function formFields(html: string): Record<string, string> {
	const form = /<form[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html)?.[1] ?? '';
	const out: Record<string, string> = {};
	for (const input of form.matchAll(/<input[^>]*>/gi)) {
		const name = /name="([^"]*)"/.exec(input[0])?.[1];
		const value = /value="([^"]*)"/.exec(input[0])?.[1];
		if (name !== undefined) out[name] = (value ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
	}
	return out;
}

const tokenOf = (url: string): string => new URL(url).searchParams.get('token') ?? '';

/** The message ids the list-and-approve page offers buttons for (read from its signed tokens' claims). */
function listedIds(html: string): string[] {
	const ids = new Set<string>();
	for (const match of html.matchAll(/name="token"[^>]*value="([^"]+)"/g)) {
		const claims = JSON.parse(Buffer.from(match[1]!.split('.')[0]!, 'base64url').toString('utf8')) as { m: string };
		ids.add(claims.m);
	}
	return [...ids];
}

describe('Node-RED 5: the five flow templates end to end', () => {
	const dir = mkdtempSync(join(tmpdir(), 'switchboard-nr-templates-'));
	const storeFolder = join(dir, 'store');
	const userDir = join(dir, 'node-red');
	const twilio = new TwilioFake();
	const vonage = new VonageFake();
	const sendgrid = new SendgridFake();
	const telegram = new TelegramFake();
	const meta = new MetaFake({ whatsapp: WHATSAPP });
	const processorCalls: Array<Record<string, unknown>> = [];
	let processorServer: Server | undefined;
	let processorUrl = '';
	let server: TemplatesServer | undefined;
	const seeded: Seeded = { due: [], drafts: [], future: [], cancelled: '' };
	let statsAfterProcessor: ChannelStats[] = [];

	/** Every template as deployed here: the test's rewrites and the secrets inline. */
	function template(name: string): FlowNode[] {
		const flow = loadTemplate(name);
		const present = <T>(byId: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(byId).filter(([id]) => flow.some((n) => n.id === id)));
		const props: Record<string, Record<string, unknown>> = {
			'switchboard-queue-store': { folder: storeFolder, approvalBaseUrl: `${server!.base}/switchboard/approval` },
			'provider-twilio': { accountSid: TWILIO_TEST_SID, baseUrl: twilio.url },
			'provider-vonage': { apiKey: VONAGE_TEST_KEY, baseUrl: vonage.url },
			'provider-sendgrid': { fromEmail: 'no-reply@acme.example', baseUrl: sendgrid.url },
			'provider-telegram': { baseUrl: telegram.url },
			'provider-whatsapp': { phoneNumberId: WHATSAPP.phoneNumberId, baseUrl: meta.url },
			'processor-http': { url: processorUrl },
		};
		const credentials: Record<string, Record<string, string>> = {
			'switchboard-queue-store': { approvalSecret: APPROVAL_SECRET },
			'provider-twilio': { authToken: TWILIO_TEST_TOKEN },
			'provider-vonage': { apiSecret: VONAGE_TEST_SECRET },
			'provider-sendgrid': { apiKey: SENDGRID_TEST_KEY },
			'provider-telegram': { botToken: TELEGRAM_BOT_TOKEN, secretToken: TEST_SECRETS.telegram_secret_token },
			'provider-whatsapp': { accessToken: WHATSAPP.accessToken },
		};
		return prepare(flow, present(props), present(credentials));
	}

	async function withQueue<T>(use: (queue: ScheduleQueue) => Promise<T>): Promise<T> {
		await stop(); // the embedded store is read only while Node-RED is stopped
		const queue = await openQueue({ connection: { kind: 'embedded', dataDir: storeFolder } });
		try {
			return await use(queue);
		} finally {
			await queue.close();
		}
	}

	async function start(): Promise<TemplatesServer> {
		const { mkdirSync } = await import('node:fs');
		mkdirSync(userDir, { recursive: true });
		// A test that failed half-way left its server running: stop it first (it holds the store's lock).
		await stop();
		server = await startTemplatesServer(userDir);
		return server;
	}

	async function stop(): Promise<void> {
		const s = server;
		server = undefined;
		await s?.stop();
	}

	/** Deploys `flows`, then checks the deploy left no node error; the log is attached to a failure. */
	async function deploy(flows: FlowNode[]): Promise<void> {
		const s = server!;
		try {
			await s.deploy(flows);
			await s.checkDeploy(flows);
		} catch (error) {
			throw new Error(`${(error as Error).message}\nNode-RED log (end):\n${s.log().slice(-4000)}`);
		}
	}

	const summaryOf = (m: DebugMessage) => m.value as { claimed: number; sent: number; retrying: number; dead: number; fallbacks: number; batches: number; text: string };

	before(async () => {
		await Promise.all([twilio.start(), vonage.start(), sendgrid.start(), telegram.start(), meta.start()]);
		processorServer = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
				processorCalls.push(body);
				const parts = (body.parts as Array<{ text?: string }> | undefined) ?? [];
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ text: `Thanks, we got "${parts[0]?.text ?? ''}".` }));
			});
		});
		await new Promise<void>((resolve) => processorServer!.listen(0, '127.0.0.1', resolve));
		const address = processorServer.address();
		processorUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/switchboard/process`;

		// The Twilio fake fails every call for one recipient: the processor must retry, then fall back to Vonage.
		for (let i = 0; i < 3; i++) twilio.next(twilioError(503, 20500, 'Service Unavailable'), (r) => r.form?.get('To') === FAILING_SMS);

		const now = Date.now();
		const past = new Date(now - 10 * 60_000).toISOString();
		const later = new Date(now + 2 * 3_600_000).toISOString();
		await withQueue(async (queue) => {
			const due: Array<{ channel: 'sms' | 'email' | 'telegram' | 'whatsapp'; recipient: string; body: string; subject?: string }> = [
				{ channel: 'sms' as const, recipient: '+447700900101', body: 'Your appointment is confirmed for Tuesday 10:00.' },
				{ channel: 'sms' as const, recipient: '+447700900102', body: 'Reminder: bring your documents.' },
				{ channel: 'sms' as const, recipient: FAILING_SMS, body: 'This one needs the fallback provider.' },
				{ channel: 'email' as const, recipient: 'ana@example.com', subject: 'Your session summary', body: '<p>Thank you for <b>today</b>.</p>' },
				{ channel: 'email' as const, recipient: 'ben@example.com', subject: 'Next steps', body: 'Here is what happens next.' },
				{ channel: 'telegram' as const, recipient: '582913377', body: 'See you next week!' },
				{ channel: 'telegram' as const, recipient: '582913378', body: 'Your report is ready.' },
				{ channel: 'whatsapp' as const, recipient: '447700900321', body: 'Your order has shipped.' },
				{ channel: 'whatsapp' as const, recipient: '447700900322', body: 'Your booking is confirmed.' },
			];
			// More than one batch (50) is due: "More due?" must claim again within the same run.
			for (let i = 0; i < BULK; i++) due.push({ channel: 'email' as const, recipient: `bulk${i}@example.com`, subject: `Newsletter ${i}`, body: `Bulk message ${i}.` });
			const created = await queue.enqueueMany(due.map((m, i) => ({ ...m, sendTime: past, status: 'approved' as const, idempotencyKey: `due-${i}` })));
			seeded.due = created.map((c) => ({ id: c.message.id, channel: c.message.channel, recipient: c.message.recipient }));
			const drafts = await queue.enqueueMany([
				{ channel: 'sms', recipient: '+447700900201', body: 'Draft: your follow-up call is booked.', sendTime: past, status: 'draft' },
				{ channel: 'email', recipient: 'cleo@example.com', subject: 'Draft summary', body: 'Draft body', sendTime: past, status: 'draft' },
				{ channel: 'telegram', recipient: '582913379', body: 'Draft: thanks for joining.', sendTime: past, status: 'draft' },
			]);
			seeded.drafts = drafts.map((c) => c.message.id);
			const future = await queue.enqueueMany([
				{ channel: 'sms', recipient: '+447700900301', body: 'Future: reminder for next month.', sendTime: later, status: 'approved' },
				{ channel: 'email', recipient: 'dan@example.com', subject: 'Later', body: 'Later body', sendTime: later, status: 'approved' },
			]);
			seeded.future = future.map((c) => c.message.id);
			const cancelled = await queue.enqueue({ channel: 'sms', recipient: '+447700900401', body: 'Cancelled before sending.', sendTime: past, status: 'approved' });
			await queue.reject(cancelled.message.id, { by: 'reviewer@example.com', reason: 'client asked' });
			seeded.cancelled = cancelled.message.id;
		});
	});

	after(async () => {
		await stop();
		await Promise.all([twilio.stop(), vonage.stop(), sendgrid.stop(), telegram.stop(), meta.stop()]);
		await new Promise<void>((resolve) => (processorServer ? processorServer.close(() => resolve()) : resolve()));
		rmSync(dir, { recursive: true, force: true });
	});

	test('as shipped (placeholders, no secrets) the five templates deploy together: node types known, flows start, no error in the log', async () => {
		const s = await start();
		const shipped = merge(...TEMPLATE_NAMES.map(loadTemplate));
		for (const node of shipped) assert.equal(node.credentials, undefined, `${node.id} carries no credentials`);
		assert.deepEqual(
			shipped.filter((n) => n.type === 'tab').map((n) => n.id).length,
			TEMPLATE_NAMES.length,
			'one tab per template',
		);
		await s.deploy(shipped);
		try {
			await s.checkDeploy(shipped, { onlyLog: true });
		} catch (error) {
			throw new Error(`${(error as Error).message}\nNode-RED log (end):\n${s.log().slice(-4000)}`);
		}
		// Until the accounts are filled in, the nodes that need them say so on their status line (not silently).
		await waitFor(async () => s.statuses.get('sb-proc-send')?.fill === 'red', 10_000, 'Channel Send reporting the empty accounts');
		// The default store folder of the shipped store (under the user directory) is not the test's seeded one.
		await stop();
		rmSync(join(userDir, 'flows.json'), { force: true });
	});

	// -------------------------------------------------------------------------------------------------
	// Phase A: the scheduled messages processor

	test('processor: one run sends exactly the due approved messages, with retries then fallback; a second run sends nothing', async (t) => {
		const s = await start();
		await deploy(template('scheduled-messages-processor'));

		const started = Date.now();
		await s.inject('processor-tick');
		const first = summaryOf(await s.waitForDebug((m) => m.id === 'sb-proc-summary-debug', 'the first run summary', 60_000));
		t.diagnostic(`first run: ${Date.now() - started} ms — ${first.text}`);
		assert.equal(first.claimed, DUE, first.text);
		assert.equal(first.batches, 2, first.text);
		assert.equal(first.sent, DUE, first.text);
		assert.equal(first.retrying + first.dead, 0, first.text);
		assert.equal(first.fallbacks, 1, first.text);

		// Each due approved message reached its provider exactly once.
		const twilioTo = twilio.accepted.map((a) => a.form.get('To'));
		assert.deepEqual(twilioTo.sort(), ['+447700900101', '+447700900102']);
		assert.equal(twilio.requests.filter((r) => r.form?.get('To') === FAILING_SMS).length, 3, 'three Twilio attempts for the failing recipient');
		assert.deepEqual(vonage.accepted.map((a) => a.body.to), [FAILING_SMS.slice(1)]);
		const emailed = sendgrid.accepted.map((a) => (a.body.personalizations as Array<{ to: Array<{ email: string }> }>)[0]!.to[0]!.email);
		assert.deepEqual(emailed.filter((e) => !e.startsWith('bulk')).sort(), ['ana@example.com', 'ben@example.com']);
		assert.equal(emailed.filter((e) => e.startsWith('bulk')).length, BULK);
		assert.equal(new Set(emailed).size, emailed.length, 'no email sent twice');
		assert.deepEqual(telegram.calls('sendMessage').map((r) => String((r.json as { chat_id: unknown }).chat_id)).sort(), ['582913377', '582913378']);
		assert.deepEqual(meta.sends.map((r) => (r.json as { to: string }).to).sort(), ['447700900321', '447700900322']);

		// A second run: nothing is due any more, nothing is sent again.
		const counts = [twilio.requests.length, vonage.requests.length, sendgrid.requests.length, telegram.requests.length, meta.requests.length];
		const from = s.debug.length;
		await s.inject('processor-tick');
		const second = summaryOf(await s.waitForDebug((m) => m.id === 'sb-proc-summary-debug', 'the second run summary', 30_000, from));
		assert.equal(second.claimed, 0, second.text);
		assert.equal(second.text, 'Nothing due.');
		assert.deepEqual([twilio.requests.length, vonage.requests.length, sendgrid.requests.length, telegram.requests.length, meta.requests.length], counts, 'no provider was called again');
		await stop();

		await withQueue(async (queue) => {
			for (const due of seeded.due) {
				const row = await queue.get(due.id);
				assert.ok(row, due.id);
				assert.equal(row.status, 'sent', `${due.channel} ${due.recipient}`);
				assert.ok(row.processedTime, 'processed time set');
				assert.ok(row.externalId, 'provider message id kept for delivery reports');
				if (due.recipient === FAILING_SMS) {
					assert.equal(row.provider, 'vonage');
					assert.deepEqual(
						row.attempts.map((a) => [a.provider, a.success]),
						[
							['twilio', false],
							['twilio', false],
							['twilio', false],
							['vonage', true],
						],
					);
					assert.match(row.attempts[3]!.fallbackReason ?? '', /primary_failed/);
					assert.equal(row.attempts.slice(0, 3).every((a) => a.fallbackReason === null || a.fallbackReason === undefined), true);
				} else {
					assert.equal(row.attempts.length, 1, `one log row for ${due.channel} ${due.recipient}`);
					assert.equal(row.attempts[0]!.success, true);
					assert.equal(row.attempts[0]!.externalId, row.externalId);
				}
			}
			for (const id of seeded.drafts) {
				const row = (await queue.get(id))!;
				assert.equal(row.status, 'draft');
				assert.equal(row.attempts.length, 0);
			}
			for (const id of seeded.future) {
				const row = (await queue.get(id))!;
				assert.equal(row.status, 'approved');
				assert.equal(row.attempts.length, 0);
			}
			const cancelled = (await queue.get(seeded.cancelled))!;
			assert.equal(cancelled.status, 'cancelled');
			assert.equal(cancelled.attempts.length, 0);
			statsAfterProcessor = await queue.stats({ from: new Date(Date.now() - 24 * 3_600_000), to: new Date(Date.now() + 60_000) });
		});
		const attempts = statsAfterProcessor.reduce((n, s) => n + s.totalAttempts, 0);
		assert.equal(attempts, DUE - 1 + 4, 'one attempt per message, 4 for the failing SMS');
	});

	// -------------------------------------------------------------------------------------------------
	// Phase B: the other four templates, next to the processor

	test('create-on-session-fulfilled: a fulfilled session becomes one draft at its end time', async () => {
		const s = await start();
		await deploy(merge(template('scheduled-messages-processor'), template('create-on-session-fulfilled')));
		const url = `${s.base}/switchboard/session-fulfilled`;
		const endTime = new Date(Date.now() + 3 * 3_600_000).toISOString();
		const event = { sessionId: 'S-1001', clientId: 'C-7', status: 'fulfilled', endTime, channel: 'email', recipient: 'client@example.com', subject: 'Thank you', body: 'Thanks for the session.' };
		const post = (body: unknown) => request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

		const created = await post(event);
		assert.equal(created.status, 201, await created.clone().text());
		const first = (await created.json()) as { id: string; status: string; sendTime: string; created: boolean };
		assert.equal(first.status, 'draft');
		assert.equal(first.created, true);
		assert.equal(new Date(first.sendTime).toISOString(), endTime);

		const repeated = await post(event);
		assert.equal(repeated.status, 200);
		const second = (await repeated.json()) as { id: string; created: boolean };
		assert.deepEqual(second, { ...second, id: first.id, created: false });

		const ignored = await post({ ...event, sessionId: 'S-1002', status: 'scheduled' });
		assert.equal(ignored.status, 200);
		assert.equal(((await ignored.json()) as { ignored?: boolean }).ignored, true);

		const missing = await post({ ...event, sessionId: 'S-1003', recipient: '' });
		assert.equal(missing.status, 400);
		await stop();

		await withQueue(async (queue) => {
			const rows = (await queue.list({ sessionId: 'S-1001' })).items;
			assert.equal(rows.length, 1, 'one message for the session, however often the event came');
			assert.equal(rows[0]!.id, first.id);
			assert.equal(rows[0]!.status, 'draft');
			assert.equal(rows[0]!.sendTime, endTime);
			assert.equal(rows[0]!.clientId, 'C-7');
			assert.equal(rows[0]!.subject, 'Thank you');
			assert.equal((await queue.list({ sessionId: 'S-1002' })).items.length, 0, 'a session that is not fulfilled creates nothing');
			assert.equal((await queue.list({ sessionId: 'S-1003' })).items.length, 0);
			seeded.drafts.push(first.id);
		});
	});

	test('review-and-approve: digest with links; GET changes nothing, POST decides, expired and tampered links refused', async () => {
		const s = await start();
		await deploy(merge(template('scheduled-messages-processor'), template('create-on-session-fulfilled'), template('review-and-approve')));
		const [approveMe, rejectMe, expiredOne, untouched] = seeded.drafts as [string, string, string, string];

		const from = s.debug.length;
		sendgrid.reset();
		await s.inject('approval-digest-tick');
		const digest = (await s.waitForDebug((m) => m.id === 'sb-review-digest-debug', 'the approval digest', 30_000, from)).value as {
			count: number;
			links: Array<{ id: string; approveUrl: string; rejectUrl: string; expiresAt: string }>;
		};
		assert.equal(digest.count, 4);
		assert.deepEqual(digest.links.map((l) => l.id).sort(), [...seeded.drafts].sort());
		for (const link of digest.links) {
			assert.ok(link.approveUrl.startsWith(`${s.base}/switchboard/approval?`), link.approveUrl);
			assert.ok(Date.parse(link.expiresAt) > Date.now());
		}
		// The reviewers' email went out through SendGrid with every link in it.
		await waitFor(async () => sendgrid.accepted.length === 1, 15_000, 'the digest email');
		const mail = sendgrid.accepted[0]!.body as { personalizations: Array<{ to: Array<{ email: string }> }>; content: Array<{ type: string; value: string }> };
		assert.equal(mail.personalizations[0]!.to[0]!.email, 'reviewers@example.com');
		const html = mail.content.map((c) => c.value).join('\n');
		for (const link of digest.links) assert.ok(html.includes(tokenOf(link.approveUrl)) && html.includes(tokenOf(link.rejectUrl)), `the email has the links of ${link.id}`);

		const linkOf = (id: string) => digest.links.find((l) => l.id === id)!;
		const approval = `${s.base}/switchboard/approval`;
		const postForm = (fields: Record<string, string>) =>
			request(approval, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

		// GET on an approve link: a confirmation page with a form; nothing changes (the list page still lists it).
		const confirm = await request(linkOf(approveMe).approveUrl);
		assert.equal(confirm.status, 200);
		const confirmPage = await confirm.text();
		const fields = formFields(confirmPage);
		assert.equal(fields.token, tokenOf(linkOf(approveMe).approveUrl), 'the page posts the token back');
		const list = await request(approval);
		assert.equal(list.status, 200);
		assert.deepEqual(listedIds(await list.text()).sort(), [...seeded.drafts].sort(), 'after the GET every draft, the opened one too, is still on the list page');

		// POST: approved; a second POST of the same link is refused (already decided).
		const approved = await postForm(fields);
		assert.equal(approved.status, 200, await approved.clone().text());
		assert.equal((await postForm(fields)).status, 409);

		// Reject link: confirmation, then POST → cancelled.
		const rejectPage = await (await request(linkOf(rejectMe).rejectUrl)).text();
		assert.equal((await postForm(formFields(rejectPage))).status, 200);

		// Expired (genuinely signed, past expiry) and tampered links: refused on GET and on POST.
		const expired = signApprovalToken({ m: expiredOne, a: 'approve', exp: Math.floor(Date.now() / 1000) - 60 }, APPROVAL_SECRET);
		assert.equal((await request(`${approval}?token=${encodeURIComponent(expired)}`)).status, 410);
		assert.equal((await postForm({ token: expired, confirm: 'yes' })).status, 410);
		const good = tokenOf(linkOf(expiredOne).approveUrl);
		const [payload, signature] = good.split('.') as [string, string];
		const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
		const otherClaims = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), m: untouched }), 'utf8').toString('base64url');
		for (const tampered of [`${payload}.${flipped}`, `${otherClaims}.${signature}`]) {
			assert.equal((await request(`${approval}?token=${encodeURIComponent(tampered)}`)).status, 403);
			assert.equal((await postForm({ token: tampered, confirm: 'yes' })).status, 403);
		}
		await stop();

		await withQueue(async (queue) => {
			assert.equal((await queue.get(approveMe))!.status, 'approved');
			assert.equal((await queue.get(rejectMe))!.status, 'cancelled');
			assert.equal((await queue.get(expiredOne))!.status, 'draft', 'expired and tampered links changed nothing');
			assert.equal((await queue.get(untouched))!.status, 'draft');
		});
	});

	test('delivery-status: a signed Twilio status callback marks the message delivered; the daily summary has the counts', async () => {
		const s = await start();
		await deploy(merge(template('scheduled-messages-processor'), template('create-on-session-fulfilled'), template('review-and-approve'), template('delivery-status')));
		const sms = seeded.due.find((d) => d.recipient === '+447700900101')!;
		const sid = twilio.accepted.find((a) => a.form.get('To') === sms.recipient)!.sid;
		const url = `${s.base}/switchboard/webhook`;
		const body = twilioStatusBody(sid, 'delivered', sms.recipient);

		const unsigned = await request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
		assert.equal(unsigned.status, 401);
		const signed = await request(url, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TWILIO_TEST_TOKEN, url, body) },
			body,
		});
		assert.equal(signed.status, 200, await signed.clone().text());

		const from = s.debug.length;
		sendgrid.reset();
		await s.inject('daily-summary-tick');
		const summary = (await s.waitForDebug((m) => m.id === 'sb-delivery-summary-debug', 'the daily summary', 30_000, from)).value as {
			totals: { attempts: number; successful: number; failed: number; fallbacks: number };
			text: string;
		};
		const expected = statsAfterProcessor.reduce(
			(t, c) => ({ attempts: t.attempts + c.totalAttempts, successful: t.successful + c.successfulAttempts, failed: t.failed + c.failedAttempts, fallbacks: t.fallbacks + c.fallbackCount }),
			{ attempts: 0, successful: 0, failed: 0, fallbacks: 0 },
		);
		assert.deepEqual(
			{ attempts: summary.totals.attempts, successful: summary.totals.successful, failed: summary.totals.failed, fallbacks: summary.totals.fallbacks },
			expected,
		);
		assert.deepEqual(expected, { attempts: DUE + 3, successful: DUE, failed: 3, fallbacks: 1 });
		assert.ok(summary.text.includes(`${DUE + 3} delivery attempts: ${DUE} sent, 3 failed, 1 through a fallback provider`), summary.text);
		await waitFor(async () => sendgrid.accepted.length === 1, 15_000, 'the summary email');
		const mail = sendgrid.accepted[0]!.body as { personalizations: Array<{ to: Array<{ email: string }> }>; subject: string; content: Array<{ value: string }> };
		assert.equal(mail.personalizations[0]!.to[0]!.email, 'ops@example.com');
		assert.ok(mail.content.map((c) => c.value).join('\n').includes(`${DUE + 3} delivery attempts`));
		await stop();

		await withQueue(async (queue) => {
			const row = (await queue.get(sms.id))!;
			assert.equal(row.status, 'delivered');
			assert.ok(row.deliveredAt);
			// The other messages are where the processor left them.
			assert.equal((await queue.get(seeded.due.find((d) => d.recipient === '+447700900102')!.id))!.status, 'sent');
		});
	});

	test('inbound-to-processor: a signed Telegram update reaches the processor as a universal message; its reply goes back to the chat', async () => {
		const s = await start();
		const all = merge(
			template('scheduled-messages-processor'),
			template('create-on-session-fulfilled'),
			template('review-and-approve'),
			template('delivery-status'),
			template('inbound-to-processor'),
		);
		await deploy(all);
		assert.ok(
			all.filter((n) => n.type === 'websocket-client' || n.type === 'websocket in' || n.type === 'websocket out').every((n) => n.d === true),
			'the WebSocket variant ships disabled',
		);
		telegram.reset();
		const url = `${s.base}/switchboard/chat`;
		const name = 'telegram-update-message-text.json';

		const forged = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong-secret' }, body: fixtureBytes(name) });
		assert.equal(forged.status, 401);
		assert.equal(processorCalls.length, 0, 'a request that fails verification reaches no processor');

		const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...fixtureSignature(name) }, body: fixtureBytes(name) });
		assert.equal(res.status, 200);
		await waitFor(async () => telegram.calls('sendMessage').length === 1, 20_000, 'the reply on Telegram');

		assert.equal(processorCalls.length, 1);
		const handed = processorCalls[0] as { schema: string; channel: string; direction: string; conversation: { id: string }; parts: Array<{ type: string; text: string }> };
		assert.equal(handed.schema, 'switchboard.message/v1');
		assert.equal(handed.channel, 'telegram');
		assert.equal(handed.direction, 'inbound');
		assert.equal(handed.conversation.id, '582913377');
		assert.deepEqual(handed.parts.map((p) => [p.type, p.text]), [['text', '/start ref_spring26']]);

		const reply = telegram.calls('sendMessage')[0]!.json as { chat_id: number | string; text: string };
		assert.equal(String(reply.chat_id), '582913377', 'the reply goes to the same chat');
		assert.equal(reply.text, 'Thanks, we got "/start ref_spring26".');
		await stop();
	});
});
