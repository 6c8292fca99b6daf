/**
 * The five n8n templates of flows/n8n/ end to end in a real n8n 2.41.1 (Node 24) with the built
 * package installed, against fake providers on 127.0.0.1 (test/support/fakes). ONE server for all:
 * every template imported with `n8n import:workflow` (startN8n), the webhook ones published, the
 * credentials imported under the contract ids with `baseUrl` at the fakes, and every Schedule Queue /
 * Channel Send / Delivery Webhook node pointed at one embedded store in a temp folder.
 *
 * The embedded store is single-process (lock file) and the server keeps it open while it runs (the
 * Delivery Webhook opens it at activation; Schedule Queue keeps it open 30 min idle). So:
 *  1. before the server starts, the store is seeded from here (openQueue, then closed);
 *  2. with the server up: the webhook templates are driven over HTTP (session fulfilled, approval
 *     page, delivery status callback, inbound → processor → reply), checked through their answers
 *     and the fakes;
 *  3. after the server stopped: the Manual-Trigger paths run with `n8n execute` (processor twice,
 *     daily summary, reviewers' digest) in the same user folder, and the store is read from here.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { signApprovalToken } from '../../core/approval';
import { openQueue, type MessageWithAttempts, type ScheduleQueue } from '../../core/queue';
import { twilioSignature, twilioStatusBody } from '../../bench/webhook.bench';
import { FakeServer, type RecordedRequest } from '../support/fakes/server';
import { MetaFake } from '../support/fakes/meta';
import { SENDGRID_TEST_KEY, SendgridFake } from '../support/fakes/sendgrid';
import { TELEGRAM_BOT_TOKEN, TelegramFake } from '../support/fakes/telegram';
import { TWILIO_TEST_SID, TWILIO_TEST_TOKEN, TwilioFake, twilioError } from '../support/fakes/twilio';
import { VONAGE_TEST_KEY, VONAGE_TEST_SECRET, VonageFake } from '../support/fakes/vonage';
import { fixtureBytes } from '../support/fixtures';
import { startN8n, type N8nServerHandle } from '../support/n8n-server';
import {
	TEMPLATE_IDS,
	executeWorkflow,
	loadTemplate,
	nodeOutput,
	nodeRuns,
	storeNodes,
	templateCredentials,
	templateNode,
	withStoreFolder,
	type TemplateName,
	type TemplateWorkflow,
} from '../support/n8n-templates-kit';
import { waitFor } from '../support/net';
import { PACKAGE_ROOT } from '../support/pack';

const ARTIFACTS = join(PACKAGE_ROOT, 'test-artifacts');
const APPROVAL_SECRET = 'switchboard-e2e-approval-secret-0123456789abcdef';
const WHATSAPP = { accessToken: 'EAAWhatsAppTemplateTestToken0123456789', phoneNumberId: '106540352242922' };
const SENDER = { twilio: '+15005550006', email: 'no-reply@acme.example' };
const PROCESSOR_REPLY = 'Order 48213 ships tomorrow.';

const twilio = new TwilioFake();
const vonage = new VonageFake();
const sendgrid = new SendgridFake();
const telegram = new TelegramFake();
const meta = new MetaFake({ whatsapp: WHATSAPP });
/** The third-party processor of template 5: answers every universal message with { text }. */
const processor = new FakeServer([{ method: 'POST', path: /^\/switchboard\/inbound$/, handler: () => ({ status: 200, body: { text: PROCESSOR_REPLY } }) }]);
const fakes = [twilio, vonage, sendgrid, telegram, meta, processor];

const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();
const fetchT = (url: string, init: RequestInit = {}, ms = 30_000) => fetch(url, { ...init, signal: AbortSignal.timeout(ms) });

/** What the store holds before the server starts (ids by role). */
interface Seeded {
	/** Approved and due: the processor must send each exactly once. */
	due: Record<'sms' | 'smsFailing' | 'email' | 'telegram' | 'whatsapp', string>;
	/** 50 more approved due emails: with the 6 others, more than one batch of 50 (the "More Due?" loop). */
	bulk: string[];
	drafts: string[];
	future: string;
	cancelled: string;
	/** Sent earlier through Twilio with this SID (for the status callback). */
	sent: { id: string; sid: string };
}

const BULK = 50;
const bulkRecipient = (i: number) => `reader-${String(i).padStart(2, '0')}@example.net`;
const RECIPIENTS = { sms: '+14255550177', smsFailing: '+14255550188', email: 'dana.ortiz@example.net', telegram: '123456789', whatsapp: '+14255550199' } as const;

async function seed(queue: ScheduleQueue): Promise<Seeded> {
	// First the "already sent" message (claimed and completed as Channel Send records a Twilio send),
	// before anything else is due, so its claim takes nothing else.
	const sid = 'SMe2e0template0000000000000000001';
	const sentMessage = await queue.enqueue({ channel: 'sms', recipient: '+14255550111', body: 'Sent yesterday', status: 'approved', sendTime: minutes(-60) });
	const claimed = await queue.claimDue({ workerId: 'e2e-seeder' });
	assert.deepEqual(claimed.map((m) => m.id), [sentMessage.message.id]);
	await queue.complete(sentMessage.message.id, { workerId: 'e2e-seeder', provider: 'twilio', channel: 'sms', externalId: sid });

	const past = minutes(-5);
	const approved = async (channel: 'sms' | 'email' | 'telegram' | 'whatsapp', recipient: string, extra: { subject?: string } = {}) =>
		(await queue.enqueue({ channel, recipient, body: `Your session summary (${channel})`, status: 'approved', sendTime: past, ...extra })).message.id;
	const due = {
		sms: await approved('sms', RECIPIENTS.sms),
		smsFailing: await approved('sms', RECIPIENTS.smsFailing),
		email: await approved('email', RECIPIENTS.email, { subject: 'Your session summary' }),
		telegram: await approved('telegram', RECIPIENTS.telegram),
		whatsapp: await approved('whatsapp', RECIPIENTS.whatsapp),
	};
	const bulk = (
		await queue.enqueueMany(Array.from({ length: BULK }, (_, i) => ({ channel: 'email' as const, recipient: bulkRecipient(i), subject: 'Newsletter', body: `Bulk message ${i}`, status: 'approved' as const, sendTime: past })))
	).map((r) => r.message.id);
	const drafts = [
		(await queue.enqueue({ channel: 'sms', recipient: '+14255550122', body: 'Draft, due but not approved', status: 'draft', sendTime: past })).message.id,
		(await queue.enqueue({ channel: 'email', recipient: 'lee@example.net', subject: 'Draft', body: 'Draft, not approved', status: 'draft', sendTime: past })).message.id,
	];
	const future = (await queue.enqueue({ channel: 'sms', recipient: '+14255550133', body: 'Approved, due tomorrow', status: 'approved', sendTime: minutes(24 * 60) })).message.id;
	const toCancel = (await queue.enqueue({ channel: 'sms', recipient: '+14255550144', body: 'Cancelled', status: 'draft', sendTime: past })).message.id;
	await queue.reject(toCancel, { by: 'e2e reviewer', reason: 'wrong client' });
	return { due, bulk, drafts, future, cancelled: toCancel, sent: { id: sentMessage.message.id, sid } };
}

/** Every template, store folder rewritten, processor URL at the fake. */
function templates(storeFolder: string): TemplateWorkflow[] {
	return (Object.keys(TEMPLATE_IDS) as TemplateName[]).map((name) => {
		const workflow = withStoreFolder(loadTemplate(name), storeFolder);
		if (name === 'inbound-to-processor') templateNode(workflow, 'Ask the Processor').parameters.url = `${processor.url}/switchboard/inbound`;
		return workflow;
	});
}

/** Posts of our sends per fake, since the last reset. */
const twilioSends = () => twilio.requests.filter((r) => r.method === 'POST' && /Messages\.json$/.test(r.path));
const vonageSends = () => vonage.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages');
const sendgridSends = () => sendgrid.requests.filter((r) => r.method === 'POST' && r.path === '/v3/mail/send');
const telegramSends = () => telegram.calls('sendMessage');
const whatsappSends = () => meta.sends;
const allSends = (): RecordedRequest[] => [...twilioSends(), ...vonageSends(), ...sendgridSends(), ...telegramSends(), ...whatsappSends()];

describe('the n8n templates in a real n8n 2.41.1', { timeout: 20 * 60_000 }, () => {
	let dir: string;
	let storeFolder: string;
	let seeded: Seeded;
	let server: N8nServerHandle | undefined;
	let cookie: string;
	let workflows: TemplateWorkflow[];
	const byId = (id: string) => workflows.find((w) => w.id === id)!;
	const webhookUrl = (workflowId: string, node: string) => `${server!.baseUrl}/webhook/${templateNode(byId(workflowId), node).webhookId}/webhook`;
	const approvalUrl = () => `${server!.baseUrl}/webhook/switchboard/approval`;
	let sessionDraft: { id: string; sendTime: string };
	let rejectedDraft: string;

	before(async () => {
		await Promise.all(fakes.map((f) => f.start()));
		dir = mkdtempSync(join(tmpdir(), 'switchboard-n8n-templates-'));
		storeFolder = join(dir, 'store');
		const queue = await openQueue({ connection: { kind: 'embedded', dataDir: storeFolder } });
		try {
			seeded = await seed(queue);
		} finally {
			await queue.close();
		}
		workflows = templates(storeFolder);
		mkdirSync(ARTIFACTS, { recursive: true });
		server = await startN8n({
			logLevel: 'info',
			logFile: join(ARTIFACTS, 'n8n-templates-server.log'),
			credentials: templateCredentials(
				{ twilio: twilio.url, vonage: vonage.url, sendgrid: sendgrid.url, telegram: telegram.url, whatsapp: meta.url },
				{
					twilio: { accountSid: TWILIO_TEST_SID, authToken: TWILIO_TEST_TOKEN, from: SENDER.twilio },
					vonage: { apiKey: VONAGE_TEST_KEY, apiSecret: VONAGE_TEST_SECRET, from: '15005550006' },
					sendgrid: { apiKey: SENDGRID_TEST_KEY, fromEmail: SENDER.email },
					telegram: { botToken: TELEGRAM_BOT_TOKEN },
					whatsapp: WHATSAPP,
					// The server's port is chosen by startN8n: the real base URL is imported after it stops (digest test).
					approval: { signingSecret: APPROVAL_SECRET, baseUrl: 'http://127.0.0.1/webhook/switchboard/approval' },
				},
			),
			workflows,
			publish: [TEMPLATE_IDS['create-on-session-fulfilled'], TEMPLATE_IDS['review-and-approve'], TEMPLATE_IDS['delivery-status'], TEMPLATE_IDS['inbound-to-processor']],
		});
		cookie = await server.ownerCookie();
		// Published webhooks are registered once activation is done.
		await waitFor(async () => (await fetchT(webhookUrl('SbInboundProcessor', 'Receive Inbound Message'), { method: 'POST', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 5000)).status === 401, 60_000, 'the inbound webhook');
		await waitFor(async () => (await fetchT(webhookUrl('SbDeliveryStatus', 'Receive Delivery Reports'), { method: 'POST', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 5000)).status === 401, 60_000, 'the delivery webhook');
	});

	after(async () => {
		if (server) {
			writeFileSync(join(ARTIFACTS, 'n8n-templates-server.log'), server.log());
			await server.dispose();
		}
		await Promise.all(fakes.map((f) => f.stop()));
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	test('every template imported as shipped: its nodes, node types and credential types are known to the server', async () => {
		const nodeTypes = (await (await fetchT(`${server!.baseUrl}/types/nodes.json`, { headers: { cookie } })).json()) as Array<{ name: string; version: number | number[] }>;
		const credentialTypes = (await (await fetchT(`${server!.baseUrl}/types/credentials.json`, { headers: { cookie } })).json()) as Array<{ name: string }>;
		for (const template of workflows) {
			const response = await fetchT(`${server!.baseUrl}/rest/workflows/${template.id}`, { headers: { cookie } });
			assert.equal(response.status, 200, `${template.id} is in the server's database`);
			const stored = ((await response.json()) as { data: { id: string; name: string; active: boolean; nodes: Array<{ name: string; type: string; typeVersion: number; credentials?: Record<string, { id: string }> }> } }).data;
			assert.equal(stored.name, template.name);
			assert.deepEqual(stored.nodes.map((n) => n.name).sort(), template.nodes.map((n) => n.name).sort(), `${template.id}: every node imported`);
			for (const node of stored.nodes) {
				const known = nodeTypes.filter((t) => t.name === node.type);
				assert.ok(known.length > 0, `${template.id} / ${node.name}: node type ${node.type} is installed`);
				assert.ok(known.some((t) => (Array.isArray(t.version) ? t.version : [t.version]).includes(node.typeVersion)), `${template.id} / ${node.name}: ${node.type} has version ${node.typeVersion}`);
				for (const [type, ref] of Object.entries(node.credentials ?? {})) {
					assert.ok(credentialTypes.some((t) => t.name === type), `${template.id} / ${node.name}: credential type ${type} is installed`);
					assert.match(ref.id, /^sb[A-Z]\w+$/, 'credentials are referenced by the contract ids');
				}
			}
			// Active = published (the webhook templates), and activation raised nothing.
			assert.equal(stored.active, template.id !== TEMPLATE_IDS['scheduled-messages-processor'], `${template.id} active`);
		}
		const problems = server!
			.log()
			.split('\n')
			.filter((line) => /could not be activated|Problem with execution|There was a problem activating|Unrecognized node type|Cannot find module/i.test(line));
		assert.deepEqual(problems, []);
	});

	test('the templates carry no secret: only credential references, and the store nodes say "embedded"', () => {
		for (const name of Object.keys(TEMPLATE_IDS) as TemplateName[]) {
			const text = JSON.stringify(loadTemplate(name));
			for (const secret of [TWILIO_TEST_TOKEN, VONAGE_TEST_SECRET, SENDGRID_TEST_KEY, TELEGRAM_BOT_TOKEN, WHATSAPP.accessToken, APPROVAL_SECRET]) assert.ok(!text.includes(secret));
			assert.doesNotMatch(text, /"(authToken|apiSecret|apiKey|botToken|accessToken|signingSecret|password|connectionString)"/);
			const workflow = loadTemplate(name);
			assert.equal(workflow.id, TEMPLATE_IDS[name]);
			for (const node of storeNodes(workflow)) assert.deepEqual(node.parameters.storeOptions, {}, `${name} / ${node.name}: the default store (tests rewrite storeOptions.storeFolder)`);
		}
	});

	test('session fulfilled: the event becomes a draft sent at the session end; the same event again creates nothing', async () => {
		const url = `${server!.baseUrl}/webhook/switchboard/session-fulfilled`;
		const endTime = minutes(-10);
		const event = { sessionId: 'sess-e2e-1', clientId: 'client-42', status: 'fulfilled', endTime, channel: 'email', recipient: 'sam.lee@example.net', subject: 'Thanks for today', body: 'Here is your session summary.' };
		const first = await fetchT(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
		const created = (await first.json()) as Record<string, unknown>;
		assert.equal(first.status, 201, JSON.stringify(created));
		assert.equal(created.status, 'draft');
		assert.equal(created.sendTime, endTime);
		assert.equal(created.created, true);
		assert.equal(created.sessionId, 'sess-e2e-1');
		assert.match(String(created.id), /\S/);
		sessionDraft = { id: String(created.id), sendTime: endTime };

		const again = await fetchT(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
		const existing = (await again.json()) as Record<string, unknown>;
		assert.equal(again.status, 200, JSON.stringify(existing));
		assert.equal(existing.id, sessionDraft.id, 'the same message, not a second one');
		assert.equal(existing.created, false);

		const other = await fetchT(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...event, sessionId: 'sess-e2e-2', status: 'cancelled' }) });
		assert.equal(other.status, 202);
		assert.equal(((await other.json()) as { ignored?: boolean }).ignored, true);

		// A second session, to be rejected through its link below.
		const second = await fetchT(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...event, sessionId: 'sess-e2e-3', recipient: 'kim@example.net' }) });
		assert.equal(second.status, 201);
		rejectedDraft = String(((await second.json()) as { id: string }).id);
	});

	test('review and approve: a GET on a link only shows a confirmation page; the POST approves; expired or tampered links are refused', async () => {
		assert.ok(sessionDraft, 'the session test created a draft');
		const exp = Math.floor(Date.now() / 1000) + 3600;
		const link = (token: string) => `${approvalUrl()}?token=${encodeURIComponent(token)}`;
		const approveToken = signApprovalToken({ m: sessionDraft.id, a: 'approve', exp, by: 'reviewer@example.com' }, APPROVAL_SECRET);

		const listed = async () => await (await fetchT(approvalUrl())).text();
		assert.ok((await listed()).includes(sessionDraft.id) || (await listed()).includes('sam.lee@example.net'), 'the list page shows the draft');

		const page = await fetchT(link(approveToken));
		const html = await page.text();
		assert.equal(page.status, 200, html.slice(0, 500));
		assert.match(page.headers.get('content-type') ?? '', /text\/html/);
		assert.match(html, /<form[^>]*method="post"/i, 'a confirmation form');
		// Opened three more times (a mail scanner, a preview): still a draft, still on the list.
		for (let i = 0; i < 3; i++) assert.equal((await fetchT(link(approveToken))).status, 200);
		assert.ok((await listed()).includes('sam.lee@example.net'), 'a GET changed nothing: the message is still a draft');

		// The confirmation form, posted back as the browser would.
		const fields = new URLSearchParams();
		for (const match of html.matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
			const name = /name="([^"]*)"/.exec(match[0])?.[1];
			const value = /value="([^"]*)"/.exec(match[0])?.[1] ?? '';
			if (name) fields.append(name, value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
		}
		assert.ok(fields.get('token'), 'the form carries the token');
		const approved = await fetchT(approvalUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() });
		const approvedHtml = await approved.text();
		assert.equal(approved.status, 200, approvedHtml.slice(0, 500));
		assert.match(approvedHtml, /approved/i);
		assert.ok(!(await listed()).includes('sam.lee@example.net'), 'no longer a draft');

		// The same link again: already decided.
		const again = await fetchT(approvalUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() });
		assert.equal(again.status, 409);

		// Reject the second session's draft with its reject link.
		const rejectFields = new URLSearchParams({ token: signApprovalToken({ m: rejectedDraft, a: 'reject', exp }, APPROVAL_SECRET), confirm: 'yes' });
		const rejected = await fetchT(approvalUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: rejectFields.toString() });
		assert.equal(rejected.status, 200, (await rejected.text()).slice(0, 500));

		// Expired (GET and POST) and tampered links change nothing.
		const [draftA] = seeded.drafts;
		const expired = signApprovalToken({ m: draftA!, a: 'approve', exp: Math.floor(Date.now() / 1000) - 60 }, APPROVAL_SECRET);
		assert.equal((await fetchT(link(expired))).status, 410);
		assert.equal((await fetchT(approvalUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: expired, confirm: 'yes' }).toString() })).status, 410);
		const good = signApprovalToken({ m: draftA!, a: 'approve', exp }, APPROVAL_SECRET);
		const tampered = `${good.slice(0, -2)}${good.endsWith('AA') ? 'BB' : 'AA'}`;
		assert.equal((await fetchT(link(tampered))).status, 403);
		assert.equal((await fetchT(approvalUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: tampered, confirm: 'yes' }).toString() })).status, 403);
		const otherSecret = signApprovalToken({ m: draftA!, a: 'approve', exp }, 'another-secret-of-at-least-32-characters!!');
		assert.equal((await fetchT(approvalUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: otherSecret, confirm: 'yes' }).toString() })).status, 403);
		assert.ok((await listed()).includes('lee@example.net'), 'the seeded draft is still a draft');
	});

	test('delivery status: a signed Twilio status callback marks the sent message delivered; a forged one is refused', async () => {
		const url = webhookUrl('SbDeliveryStatus', 'Receive Delivery Reports');
		const body = twilioStatusBody(seeded.sent.sid, 'delivered', '+14255550111');
		const forged = await fetchT(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature('not-the-token', url, body) }, body });
		assert.equal(forged.status, 401);
		const ok = await fetchT(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TWILIO_TEST_TOKEN, url, body) }, body });
		assert.equal(ok.status, 200, await ok.text());
		// The execution the event started (status change → "Delivered or Read").
		await waitFor(async () => {
			const list = await fetchT(`${server!.baseUrl}/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: 'SbDeliveryStatus' }))}`, { headers: { cookie } });
			const data = ((await list.json()) as { data: { results: Array<{ status: string }> } }).data;
			return data.results.some((e) => e.status === 'success');
		}, 30_000, 'a successful delivery-status execution');
	});

	test('inbound to processor: a signed inbound SMS reaches the processor as a universal message; its reply goes back by SMS', async () => {
		twilio.reset();
		const url = webhookUrl('SbInboundProcessor', 'Receive Inbound Message');
		const body = fixtureBytes('twilio-inbound-sms-text.txt').toString('utf8');
		const response = await fetchT(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TWILIO_TEST_TOKEN, url, body) }, body });
		assert.equal(response.status, 200, await response.text());
		await waitFor(async () => twilioSends().length > 0, 30_000, 'the reply at the Twilio fake');
		assert.equal(processor.requests.length, 1);
		const universal = processor.requests[0]!.json as Record<string, unknown>;
		assert.equal(universal.schema, 'switchboard.message/v1');
		assert.equal(universal.channel, 'sms');
		assert.equal(universal.direction, 'inbound');
		assert.deepEqual(universal.parts, [{ type: 'text', text: 'STATUS order 48213 please', format: 'plain' }]);
		const [reply] = twilioSends();
		assert.equal(reply!.form!.get('To'), '+14255550177', 'back to the sender');
		assert.equal(reply!.form!.get('From'), SENDER.twilio);
		assert.equal(reply!.form!.get('Body'), PROCESSOR_REPLY);
		assert.equal(twilioSends().length, 1);
	});

	describe('with the server stopped: the Manual-Trigger paths through `n8n execute`, the store read from here', () => {
		before(async () => {
			await server!.stop();
			for (const fake of fakes) fake.reset();
		});

		test('processor: exactly the due approved messages are sent, each once, with a retry then Vonage fallback for the failing number', async () => {
			// Twilio fails for one recipient (provider down) on every try: 3 tries, then Vonage.
			for (let i = 0; i < 3; i++) twilio.next(twilioError(503, 20503, 'Service Unavailable'), (r) => r.form?.get('To') === RECIPIENTS.smsFailing);
			const run = await executeWorkflow(server!, TEMPLATE_IDS['scheduled-messages-processor']);
			const summary = nodeOutput(run, 'Run Summary')[0]!;
			// 5 seeded + 50 bulk + the session draft approved through its link: a full batch of 50, then 6.
			const due = 5 + BULK + 1;
			assert.deepEqual(
				{ claimed: summary.claimed, sent: summary.sent, retryLater: summary.retryLater, givenUp: summary.givenUp, batches: summary.batches },
				{ claimed: due, sent: due, retryLater: 0, givenUp: 0, batches: 2 },
				JSON.stringify(summary),
			);
			assert.equal(nodeRuns(run, 'Claim Due Messages'), 2, 'a full batch loops back to Claim Due once; the second (6) ends the run');
			assert.deepEqual(nodeOutput(run, 'Count This Batch', 0, 0).map((c) => c.claimed), [50]);
			assert.deepEqual(nodeOutput(run, 'Count This Batch', 0, 1).map((c) => c.claimed), [due - 50]);

			const twilioTo = twilioSends().map((r) => r.form!.get('To'));
			assert.deepEqual(twilioTo.filter((to) => to === RECIPIENTS.sms), [RECIPIENTS.sms], 'the SMS went out once');
			assert.equal(twilioTo.filter((to) => to === RECIPIENTS.smsFailing).length, 3, 'Twilio tried the failing number 3 times');
			assert.deepEqual(vonageSends().map((r) => (r.json as { to: string }).to), [RECIPIENTS.smsFailing.slice(1)], 'then Vonage took it');
			const mailedTo = sendgridSends().map((r) => (r.json as { personalizations: Array<{ to: Array<{ email: string }> }> }).personalizations[0]!.to[0]!.email);
			assert.deepEqual(mailedTo.sort(), ['dana.ortiz@example.net', 'sam.lee@example.net', ...Array.from({ length: BULK }, (_, i) => bulkRecipient(i))].sort(), 'every email once');
			assert.deepEqual(telegramSends().map((r) => String((r.json as { chat_id: unknown }).chat_id)), [RECIPIENTS.telegram]);
			assert.deepEqual(whatsappSends().map((r) => (r.json as { to: string }).to.replace(/^\+/, '')), [RECIPIENTS.whatsapp.slice(1)]);
			assert.equal(allSends().length, 1 + 3 + 1 + (2 + BULK) + 1 + 1, 'nothing else was sent: no draft, future, cancelled or rejected message');
		});

		test('processor: the store shows one log row per attempt, drafts / future / cancelled untouched', async () => {
			const queue = await openQueue({ connection: { kind: 'embedded', dataDir: storeFolder } });
			try {
				const get = async (id: string) => (await queue.get(id)) as MessageWithAttempts;
				for (const role of ['sms', 'email', 'telegram', 'whatsapp'] as const) {
					const message = await get(seeded.due[role]);
					assert.equal(message.status, 'sent', role);
					assert.equal(message.attempts.length, 1, `${role}: one attempt in the log`);
					assert.equal(message.attempts[0]!.success, true);
					assert.ok(message.externalId, `${role}: the provider's id is kept`);
				}
				const failing = await get(seeded.due.smsFailing);
				assert.equal(failing.status, 'sent');
				assert.equal(failing.provider, 'vonage');
				assert.deepEqual(failing.attempts.map((a) => [a.provider, a.success]), [['twilio', false], ['twilio', false], ['twilio', false], ['vonage', true]], 'retries, then the fallback, in the log');
				assert.equal(failing.attempts[0]!.errorCode, '20503');

				for (const id of seeded.bulk) {
					const message = await get(id);
					assert.equal(message.status, 'sent');
					assert.equal(message.attempts.length, 1);
				}
				const session = await get(sessionDraft.id);
				assert.equal(session.status, 'sent');
				assert.equal(session.sessionId, 'sess-e2e-1');
				assert.equal(session.sendTime, sessionDraft.sendTime);
				assert.equal(session.approvedBy, 'reviewer@example.com');
				assert.equal(session.attempts.length, 1);
				assert.equal((await get(rejectedDraft)).status, 'cancelled');

				for (const id of seeded.drafts) {
					const draft = await get(id);
					assert.equal(draft.status, 'draft');
					assert.equal(draft.attempts.length, 0);
				}
				const future = await get(seeded.future);
				assert.equal(future.status, 'approved');
				assert.equal(future.attempts.length, 0);
				const cancelled = await get(seeded.cancelled);
				assert.equal(cancelled.status, 'cancelled');
				assert.equal(cancelled.attempts.length, 0);

				const sent = await get(seeded.sent.id);
				assert.equal(sent.status, 'delivered', 'the status callback was recorded');
				assert.ok(sent.deliveredAt);
				// The session event sent twice made one message.
				assert.equal((await queue.list({ sessionId: 'sess-e2e-1' })).items.length, 1);
			} finally {
				await queue.close();
			}
		});

		test('processor run twice: nothing is sent twice', async () => {
			for (const fake of fakes) fake.reset();
			const run = await executeWorkflow(server!, TEMPLATE_IDS['scheduled-messages-processor']);
			assert.deepEqual(allSends(), [], 'no request reached a provider');
			const summary = nodeOutput(run, 'Run Summary')[0]!;
			assert.equal(summary.claimed, 0);
			assert.equal(summary.batches, 0);
			assert.equal(nodeRuns(run, 'Send Through Its Channel'), 0);
		});

		test('delivery status, daily summary: the Stats path emails the counts of the last 24 hours', async () => {
			for (const fake of fakes) fake.reset();
			const run = await executeWorkflow(server!, TEMPLATE_IDS['delivery-status']);
			const queue = await openQueue({ connection: { kind: 'embedded', dataDir: storeFolder } });
			let expected: Awaited<ReturnType<ScheduleQueue['stats']>>;
			try {
				expected = await queue.stats({ from: minutes(-24 * 60), to: minutes(1) });
			} finally {
				await queue.close();
			}
			const stats = nodeOutput(run, 'Stats of the Last 24 Hours');
			assert.deepEqual(
				stats.map((s) => [s.channel, s.totalAttempts, s.successfulAttempts, s.failedAttempts, s.fallbackCount]).sort(),
				expected.map((s) => [s.channel, s.totalAttempts, s.successfulAttempts, s.failedAttempts, s.fallbackCount]).sort(),
			);
			const sms = expected.find((s) => s.channel === 'sms')!;
			// sms: the seeded Twilio send, the inbound reply is not queued, the SMS, 3 failed Twilio tries + Vonage.
			assert.equal(sms.failedAttempts, 3);
			const mails = sendgridSends();
			assert.equal(mails.length, 1, 'one summary email');
			const mail = mails[0]!.json as { subject: string; personalizations: Array<{ to: Array<{ email: string }> }>; content: Array<{ type: string; value: string }> };
			const totalAttempts = expected.reduce((sum, s) => sum + s.totalAttempts, 0);
			const totalOk = expected.reduce((sum, s) => sum + s.successfulAttempts, 0);
			assert.equal(mail.subject, `Switchboard: ${totalOk} of ${totalAttempts} send attempts succeeded (last 24 h)`);
			assert.equal(mail.personalizations[0]!.to[0]!.email, 'ops@example.com');
			const text = mail.content.find((c) => c.type === 'text/plain')?.value ?? '';
			for (const row of expected) assert.ok(text.includes(`${row.channel}: ${row.totalAttempts} attempts, ${row.successfulAttempts} ok, ${row.failedAttempts} failed`), `${row.channel} line in:\n${text}`);
		});

		test('review and approve, digest: the reviewers get one email listing the drafts with working links', async () => {
			for (const fake of fakes) fake.reset();
			// The approval page's public URL, now that the server's port is known.
			const file = join(dir, 'approval-credential.json');
			writeFileSync(file, JSON.stringify(templateCredentials({}, {
				approval: { signingSecret: APPROVAL_SECRET, baseUrl: approvalUrl() },
			} as Parameters<typeof templateCredentials>[1])));
			await server!.cli(['import:credentials', `--input=${file}`]);
			const run = await executeWorkflow(server!, TEMPLATE_IDS['review-and-approve']);
			const digest = nodeOutput(run, 'List Drafts With Approval Links')[0]!;
			const links = digest.links as Array<{ id: string; approveUrl: string; rejectUrl: string }>;
			assert.deepEqual(links.map((l) => l.id).sort(), [...seeded.drafts].sort(), 'exactly the drafts that are left');
			for (const l of links) assert.ok(l.approveUrl.startsWith(`${approvalUrl()}?`), l.approveUrl);
			const mails = sendgridSends();
			assert.equal(mails.length, 1);
			const mail = mails[0]!.json as { subject: string; personalizations: Array<{ to: Array<{ email: string }> }>; content: Array<{ type: string; value: string }> };
			assert.equal(mail.personalizations[0]!.to[0]!.email, 'reviewers@example.com');
			assert.equal(mail.subject, digest.subject);
			const html = mail.content.find((c) => c.type === 'text/html')?.value ?? '';
			for (const l of links) assert.ok(html.includes(l.approveUrl.replace(/&/g, '&amp;')) || html.includes(l.approveUrl), 'the email carries each approve link');
		});
	});
});

