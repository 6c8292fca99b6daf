#!/usr/bin/env node
/**
 * `npm run demo` (README's first command): the Power Automate replacement running on this machine.
 *
 * Starts Node-RED 5 on 127.0.0.1 with this package loaded in place (settings.nodesDir = the package
 * folder), the embedded queue store, and the five flow templates of examples/ deployed together:
 * scheduled messages processor, create on session fulfilled, review and approve, delivery status, inbound
 * to processor — plus a small "message log" page. Providers are FAKES served by this script on 127.0.0.1
 * (Twilio, Vonage, SendGrid, Telegram, WhatsApp answer like the real APIs, nothing leaves the machine;
 * each request they get is printed here), and so is the "external processor" of the inbound template.
 * A handful of sample scheduled messages is put in the store first: 4 approved and due (SMS, email,
 * Telegram, WhatsApp) and 2 drafts. Then it prints the editor URL and what to click to see a message
 * approved, sent, delivered and logged, and runs until Ctrl-C (then stops Node-RED cleanly).
 *
 *   npm run demo                  interactive, as above
 *   npm run demo -- --check       the whole story headless — a session event creates a draft, the
 *                                 reviewers' digest is emailed, its approve link is confirmed, the
 *                                 processor sends what is due (retries, fallback), a signed Twilio status
 *                                 callback marks the SMS delivered, the daily summary is emailed, an
 *                                 inbound Telegram message goes to the processor and its reply back —
 *                                 then Node-RED stops and the store is read; exit 0 when all of it held
 *
 * Port: $PORT, else 1880; a busy port falls back to a free one. User directory: .cache/demo (gitignored;
 * $DEMO_USER_DIR overrides it), a fresh temporary one under .cache for --check. Each start re-deploys
 * the template tabs (other tabs made in the demo's editor are kept) and starts the demo store afresh.
 *
 * Needs the build (`npm run demo` builds first) and node_modules. Node-RED 5 needs Node ≥ 22.9: the
 * project installs Node 24 as node_modules/.bin/node, used when this runs on older Node.
 */
import { spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const HOST = '127.0.0.1';
const CHECK = process.argv.includes('--check');
const API_HEADERS = { Accept: 'application/json', 'Node-RED-API-Version': 'v2' };
const REQUEST_TIMEOUT_MS = 15_000;
const START_TIMEOUT_MS = 60_000;

const TEMPLATES = ['scheduled-messages-processor', 'create-on-session-fulfilled', 'review-and-approve', 'delivery-status', 'inbound-to-processor'];
const LOG_TAB = 'sb-demo-log-tab';

/** The demo's fake accounts (the fakes accept them; they are not secrets of anything). */
const ACCOUNTS = {
	twilio: { props: { accountSid: 'AC0123456789abcdef0123456789abcdef', from: '+15005550006' }, credentials: { authToken: 'demo_twilio_auth_token_0123456789' } },
	vonage: { props: { apiKey: 'demo1234', from: '447700900000' }, credentials: { apiSecret: 'demo-vonage-secret' } },
	sendgrid: { props: { fromEmail: 'no-reply@example.com' }, credentials: { apiKey: 'SG.demo-key.0123456789' } },
	telegram: { props: {}, credentials: { botToken: '7012345678:AAdemoBotToken0123456789', secretToken: 'demo-telegram-secret-42' } },
	whatsapp: { props: { phoneNumberId: '109876543210987' }, credentials: { accessToken: 'demo-whatsapp-access-token', appSecret: 'demo-meta-app-secret', verifyToken: 'demo-verify-token' } },
};
const APPROVAL_SECRET = 'switchboard-demo-approval-secret-0123456789abcdef';

/** The sample scheduled messages (seed 000's table): due and approved, and drafts waiting for review. */
const SMS = { channel: 'sms', recipient: '+447700900123', body: 'Your appointment is confirmed for Tuesday 10:00.' };
const SAMPLES = [
	{ key: 'demo-sms', status: 'approved', due: true, ...SMS },
	{ key: 'demo-email', status: 'approved', due: true, channel: 'email', recipient: 'ana@example.com', subject: 'Your session summary', body: '<p>Thank you for <b>today</b>. Your next steps are attached to your account.</p>' },
	{ key: 'demo-telegram', status: 'approved', due: true, channel: 'telegram', recipient: '123456789', body: 'See you next week!' },
	{ key: 'demo-whatsapp', status: 'approved', due: true, channel: 'whatsapp', recipient: '447700900321', body: 'Your order has shipped.' },
	{ key: 'demo-draft-sms', status: 'draft', due: true, channel: 'sms', recipient: '+447700900456', body: 'Your follow-up call is booked for Friday 09:30.' },
	{ key: 'demo-draft-email', status: 'draft', due: false, channel: 'email', recipient: 'ben@example.com', subject: 'Next month', body: 'A reminder for next month.' },
];

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
		const probe = createNetServer();
		probe.once('error', () => resolve(false));
		probe.listen(port, HOST, () => probe.close(() => resolve(true)));
	});
}

async function choosePort() {
	const wanted = Number(process.env.PORT || 1880);
	if (Number.isInteger(wanted) && wanted > 0 && (await portIsFree(wanted))) return wanted;
	const port = await new Promise((resolve, reject) => {
		const probe = createNetServer();
		probe.once('error', reject);
		probe.listen(0, HOST, () => {
			const { port: free } = probe.address();
			probe.close(() => resolve(free));
		});
	});
	console.log(`Port ${wanted} is busy; using ${port} instead.`);
	return port;
}

const request = (url, init = {}) => fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(check, what, timeoutMs = 30_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			const value = await check();
			if (value) return value;
		} catch {
			// not yet
		}
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(150);
	}
}

// ---------------------------------------------------------------------------------------------------
// Fake providers and the fake external processor, in this process

/** Twilio's message SID for a send: derived from recipient and text, so the demo can print the status callback before the send happens. */
const twilioSid = (to, body) => `SM${createHash('sha256').update(`${to}\n${body}`).digest('hex').slice(0, 32)}`;

function startFakes(onRequest) {
	const received = [];
	let telegramId = 100;
	const server = createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const text = Buffer.concat(chunks).toString('utf8');
			const path = new URL(req.url ?? '/', 'http://fake').pathname;
			const json = (status, body, headers = {}) => {
				res.writeHead(status, { 'content-type': 'application/json', ...headers });
				res.end(JSON.stringify(body));
			};
			let parsed;
			try {
				parsed = text ? JSON.parse(text) : undefined;
			} catch {
				parsed = undefined;
			}
			const record = (provider, to, content, extra = {}) => {
				const entry = { provider, to: String(to), content: String(content ?? ''), path, body: parsed ?? text, ...extra };
				received.push(entry);
				onRequest(entry);
				return entry;
			};
			if (req.method === 'POST' && /^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.test(path)) {
				const form = new URLSearchParams(text);
				const sid = twilioSid(form.get('To'), form.get('Body'));
				record('twilio', form.get('To'), form.get('Body'), { id: sid });
				const now = new Date().toUTCString().replace('GMT', '+0000');
				return json(201, {
					account_sid: ACCOUNTS.twilio.props.accountSid,
					api_version: '2010-04-01',
					body: form.get('Body') ?? '',
					date_created: now,
					date_sent: null,
					date_updated: now,
					direction: 'outbound-api',
					error_code: null,
					error_message: null,
					from: form.get('From'),
					messaging_service_sid: null,
					num_media: '0',
					num_segments: '1',
					price: null,
					price_unit: 'USD',
					sid,
					status: 'queued',
					subresource_uris: {},
					to: form.get('To'),
					uri: `/2010-04-01/Accounts/${ACCOUNTS.twilio.props.accountSid}/Messages/${sid}.json`,
				});
			}
			if (req.method === 'POST' && path === '/v1/messages') {
				const id = randomUUID();
				record('vonage', parsed?.to, parsed?.text, { id });
				return json(202, { message_uuid: id });
			}
			if (req.method === 'POST' && path === '/v3/mail/send') {
				const id = randomBytes(11).toString('base64url');
				const to = parsed?.personalizations?.[0]?.to?.[0]?.email;
				record('sendgrid', to, parsed?.subject, { id, html: (parsed?.content ?? []).map((c) => c.value).join('\n') });
				res.writeHead(202, { 'x-message-id': id });
				return res.end();
			}
			const bot = /^\/bot[^/]+\/(\w+)$/.exec(path);
			if (req.method === 'POST' && bot) {
				const id = telegramId++;
				record('telegram', parsed?.chat_id, parsed?.text, { id: `${parsed?.chat_id}:${id}`, method: bot[1] });
				return json(200, { ok: true, result: { message_id: id, chat: { id: Number(parsed?.chat_id) || 0, type: 'private' }, date: Math.floor(Date.now() / 1000), text: parsed?.text } });
			}
			if (req.method === 'POST' && /^\/v\d+\.\d+\/\d+\/messages$/.test(path)) {
				const id = `wamid.DEMO${randomBytes(12).toString('hex')}`;
				record('whatsapp', parsed?.to, parsed?.text?.body, { id });
				return json(200, { messaging_product: 'whatsapp', contacts: [{ input: parsed?.to, wa_id: parsed?.to }], messages: [{ id }] });
			}
			if (req.method === 'POST' && path === '/processor') {
				// The external processor of the inbound template: it answers every universal message with a text.
				const said = parsed?.parts?.find((p) => p.type === 'text')?.text ?? '';
				record('processor', parsed?.conversation?.id, said, { channel: parsed?.channel });
				return json(200, { text: `Thanks! You wrote: "${said}". A colleague will get back to you today.` });
			}
			json(404, { error: `demo fake: no route for ${req.method} ${path}` });
		});
	});
	return new Promise((resolve) => server.listen(0, HOST, () => resolve({ server, received, url: `http://${HOST}:${server.address().port}` })));
}

// ---------------------------------------------------------------------------------------------------
// Store, flows

async function seedStore(storeFolder) {
	rmSync(storeFolder, { recursive: true, force: true });
	const { openQueue } = require(join(ROOT, 'dist', 'core', 'queue', 'index.js'));
	const queue = await openQueue({ connection: { kind: 'embedded', dataDir: storeFolder } });
	try {
		const now = Date.now();
		const ids = {};
		for (const s of SAMPLES) {
			const { message } = await queue.enqueue({
				channel: s.channel,
				recipient: s.recipient,
				body: s.body,
				...(s.subject ? { subject: s.subject } : {}),
				status: s.status,
				sendTime: new Date(s.due ? now - 5 * 60_000 : now + 30 * 24 * 3_600_000).toISOString(),
				idempotencyKey: s.key,
				metadata: { source: 'demo' },
			});
			ids[s.key] = message.id;
		}
		return ids;
	} finally {
		await queue.close();
	}
}

/** The five templates as shipped (examples/), with the store, the fake providers and the fake processor filled in; shared config nodes once. */
function templateFlows({ base, storeFolder, fakeUrl }) {
	const nodes = new Map();
	for (const name of TEMPLATES) {
		const file = join(ROOT, 'examples', `${name}.json`);
		if (!existsSync(file)) fail(`${file} is missing: run \`npm run build\`.`);
		for (const node of JSON.parse(readFileSync(file, 'utf8'))) nodes.set(node.id, node);
	}
	return [...nodes.values()].map((original) => {
		const node = { ...original };
		if (node.type === 'switchboard-store') {
			Object.assign(node, { storeType: 'embedded', folder: storeFolder, approvalBaseUrl: `${base}/switchboard/approval`, approvalTtlHours: 72 });
			node.credentials = { approvalSecret: APPROVAL_SECRET };
		}
		const provider = node.type.startsWith('switchboard-') ? ACCOUNTS[node.type.slice('switchboard-'.length)] : undefined;
		if (provider) {
			Object.assign(node, provider.props, { baseUrl: fakeUrl });
			node.credentials = { ...provider.credentials };
		}
		if (node.id === 'processor-http') node.url = `${fakeUrl}/processor`;
		return node;
	});
}

/** A page listing every scheduled message with its status, and one per message with its delivery log. */
function logFlow(storeId) {
	const z = LOG_TAB;
	const fn = (id, name, code, x, y, wires) => ({ id, type: 'function', z, name, func: code, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], x, y, wires });
	const style =
		"'<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:14px}th{background:#f4f4f4}</style>'";
	const queue = (id, name, operation, x, y, wires) => ({ id, type: 'schedule-queue', z, name, store: storeId, operation, pageSize: 100, listStatus: '', listOutput: 'page', x, y, wires });
	return [
		{ id: z, type: 'tab', label: 'Switchboard demo: message log', disabled: false, info: 'Demo only: /switchboard/demo/messages lists every scheduled message; each links to its delivery log.' },
		{ id: 'sb-demo-list-in', type: 'http in', z, name: 'GET /switchboard/demo/messages', url: '/switchboard/demo/messages', method: 'get', upload: false, skipBodyParsing: false, swaggerDoc: '', x: 190, y: 80, wires: [['sb-demo-list']] },
		queue('sb-demo-list', 'List the messages', 'list', 420, 80, [['sb-demo-list-page']]),
		fn(
			'sb-demo-list-page',
			'Render the list',
			`const esc = (v) => String(v === null || v === undefined ? '' : v).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const rows = (msg.payload.items || []).map((m) => '<tr><td><a href="messages/' + esc(m.id) + '">' + esc(m.id.slice(0, 8)) + '</a></td><td>' + esc(m.channel) + '</td><td>' + esc(m.recipient) + '</td><td class="status">' + esc(m.status) + '</td><td>' + esc(m.sendTime) + '</td><td>' + esc(m.provider) + '</td><td>' + esc(m.externalId) + '</td></tr>').join('');
msg.headers = { 'content-type': 'text/html; charset=utf-8' };
msg.payload = '<!doctype html><title>Scheduled messages</title>' + ${style} + '<h1>Scheduled messages</h1><table><tr><th>Id</th><th>Channel</th><th>Recipient</th><th>Status</th><th>Send time</th><th>Provider</th><th>Provider message id</th></tr>' + rows + '</table>';
return msg;`,
			640,
			80,
			[['sb-demo-response']],
		),
		{ id: 'sb-demo-get-in', type: 'http in', z, name: 'GET /switchboard/demo/messages/:id', url: '/switchboard/demo/messages/:id', method: 'get', upload: false, skipBodyParsing: false, swaggerDoc: '', x: 200, y: 160, wires: [['sb-demo-id']] },
		fn('sb-demo-id', 'The id from the URL', 'msg.payload = { id: msg.req.params.id };\nreturn msg;', 420, 160, [['sb-demo-get']]),
		queue('sb-demo-get', 'Get the message and its log', 'get', 640, 160, [['sb-demo-get-page']]),
		fn(
			'sb-demo-get-page',
			'Render the delivery log',
			`const esc = (v) => String(v === null || v === undefined ? '' : v).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
msg.headers = { 'content-type': 'text/html; charset=utf-8' };
const m = msg.payload;
if (!m) { msg.statusCode = 404; msg.payload = 'No such message'; return msg; }
const attempts = (m.attempts || []).map((a) => '<tr><td>' + a.attemptNumber + '</td><td>' + esc(a.attemptedAt) + '</td><td>' + esc(a.provider) + '</td><td>' + (a.success ? 'sent' : 'failed') + '</td><td>' + esc(a.externalId) + '</td><td>' + esc(a.errorMessage) + '</td><td>' + esc(a.fallbackReason) + '</td><td>' + esc(a.responseTimeMs) + '</td></tr>').join('');
msg.payload = '<!doctype html><title>Message ' + esc(m.id) + '</title>' + ${style} +
  '<p><a href="../messages">All messages</a></p><h1>' + esc(m.channel) + ' to ' + esc(m.recipient) + '</h1>' +
  '<p>Status: <b class="status">' + esc(m.status) + '</b>. Send time ' + esc(m.sendTime) + '. Processed ' + esc(m.processedTime) + '. Delivered ' + esc(m.deliveredAt) + '. Approved by ' + esc(m.approvedBy) + '.</p>' +
  '<p>' + esc(m.subject) + ' ' + esc(m.body) + '</p>' +
  '<h2>Delivery log (messages_log)</h2><table><tr><th>#</th><th>At</th><th>Provider</th><th>Result</th><th>Provider message id</th><th>Error</th><th>Fallback reason</th><th>ms</th></tr>' + attempts + '</table>';
return msg;`,
			870,
			160,
			[['sb-demo-response']],
		),
		{ id: 'sb-demo-response', type: 'http response', z, name: '', statusCode: '', headers: {}, x: 1080, y: 120, wires: [] },
	];
}

/** Deploys the demo flows, replacing earlier copies of their tabs and config nodes and keeping every other tab. */
async function deploy(base, flows) {
	const current = await request(`${base}/flows`, { headers: API_HEADERS });
	if (!current.ok) throw new Error(`GET /flows answered ${current.status}`);
	const { flows: existing } = await current.json();
	const ours = new Set(flows.map((n) => n.id));
	const tabs = new Set(flows.filter((n) => n.type === 'tab').map((n) => n.id));
	const kept = existing.filter((n) => !ours.has(n.id) && !tabs.has(n.z));
	const deployed = await request(`${base}/flows`, {
		method: 'POST',
		headers: { ...API_HEADERS, 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
		body: JSON.stringify({ flows: [...kept, ...flows] }),
	});
	if (!deployed.ok) throw new Error(`POST /flows answered ${deployed.status}: ${await deployed.text()}`);
	// The flows' routes appear once they have started.
	await until(async () => (await request(`${base}/switchboard/demo/messages`)).status === 200, 'the deployed flows to start');
}

/** X-Twilio-Signature: base64 HMAC-SHA1 over the URL + every form param name+value, names sorted. */
function twilioSignature(token, url, body) {
	const params = [...new URLSearchParams(body)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	let data = url;
	for (const [name, value] of params) data += name + value;
	return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

function statusCallback(base, sid) {
	const url = `${base}/switchboard/webhook`;
	const body = new URLSearchParams({
		MessageSid: sid,
		SmsSid: sid,
		MessageStatus: 'delivered',
		SmsStatus: 'delivered',
		To: SMS.recipient,
		From: ACCOUNTS.twilio.props.from,
		AccountSid: ACCOUNTS.twilio.props.accountSid,
		ApiVersion: '2010-04-01',
	}).toString();
	return { url, body, signature: twilioSignature(ACCOUNTS.twilio.credentials.authToken, url, body) };
}

function approvalLink(base, messageId) {
	const { signApprovalToken } = require(join(ROOT, 'dist', 'core', 'approval', 'index.js'));
	const token = signApprovalToken({ m: messageId, a: 'approve', exp: Math.floor(Date.now() / 1000) + 72 * 3600, by: 'demo reviewer' }, APPROVAL_SECRET);
	return `${base}/switchboard/approval?token=${token}`;
}

const inject = async (base, id) => {
	const res = await request(`${base}/inject/${id}`, { method: 'POST', headers: API_HEADERS });
	if (res.status !== 200) throw new Error(`POST /inject/${id} answered ${res.status}`);
};

function stop(child) {
	return new Promise((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) return resolve();
		const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
		child.once('exit', () => {
			clearTimeout(timer);
			resolve();
		});
		// Node-RED closes its nodes (and the store) on SIGINT, as on Ctrl-C in its own terminal.
		child.kill('SIGINT');
	});
}

// ---------------------------------------------------------------------------------------------------
// The headless story (--check)

async function story(base, fakes, ids, say) {
	const before = (provider) => fakes.received.filter((r) => r.provider === provider).length;
	const newOf = (provider, from) => fakes.received.filter((r) => r.provider === provider).slice(from);

	// 1. A client session is fulfilled → a draft scheduled message at its end time.
	const session = { sessionId: 'S-DEMO-1', clientId: 'C-DEMO', status: 'fulfilled', endTime: new Date(Date.now() - 60_000).toISOString(), channel: 'telegram', recipient: '555000111', body: 'Thanks for your session today!' };
	const created = await request(`${base}/switchboard/session-fulfilled`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(session) });
	const draft = await created.json();
	if (created.status !== 201 || draft.status !== 'draft') throw new Error(`session event: ${created.status} ${JSON.stringify(draft)}`);
	say(`1. POST /switchboard/session-fulfilled → ${created.status}: draft ${draft.id} (send time ${draft.sendTime})`);

	// 2. The reviewers' digest: emailed with signed approve / reject links for every draft.
	const mails = before('sendgrid');
	await inject(base, 'approval-digest-tick');
	const digest = await until(() => newOf('sendgrid', mails).find((m) => m.to === 'reviewers@example.com'), 'the digest email');
	const links = [...digest.html.matchAll(/href="([^"]*token=[^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
	const claimsOf = (link) => JSON.parse(Buffer.from(new URL(link).searchParams.get('token').split('.')[0], 'base64url').toString('utf8'));
	const approveLink = links.find((l) => claimsOf(l).m === draft.id && claimsOf(l).a === 'approve');
	if (!approveLink) throw new Error(`the digest has no approve link for ${draft.id}:\n${digest.html}`);
	say(`2. digest emailed to reviewers@example.com with ${new Set(links.map((l) => claimsOf(l).m)).size} drafts' approve / reject links`);

	// 3. Opening the link shows a confirmation page; only its POST approves.
	const page = await request(approveLink);
	const html = await page.text();
	const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2].replace(/&amp;/g, '&').replace(/&quot;/g, '"')]));
	if (page.status !== 200 || !fields.token) throw new Error(`approval link: ${page.status} without a confirmation form`);
	const decided = await request(`${base}/switchboard/approval`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
	if (decided.status !== 200 || !/Approved/.test(await decided.text())) throw new Error(`approving: ${decided.status}`);
	say(`3. GET approve link → ${page.status} confirmation page; POST → ${decided.status} approved`);

	// 4. The processor run sends what is approved and due (the 4 samples and the approved draft).
	const sends = fakes.received.length;
	await inject(base, 'processor-tick');
	const expected = [SMS.recipient, 'ana@example.com', '123456789', '447700900321', session.recipient];
	await until(() => expected.every((to) => fakes.received.slice(sends).some((r) => r.to === to)), 'the processor run to reach every provider');
	say(`4. processor run: ${expected.length} messages sent — ${fakes.received.slice(sends).filter((r) => r.provider !== 'processor').map((r) => `${r.provider} → ${r.to}`).join(', ')}`);

	// 5. Twilio reports the SMS delivered (signed status callback).
	const callback = statusCallback(base, twilioSid(SMS.recipient, SMS.body));
	const delivered = await request(callback.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': callback.signature }, body: callback.body });
	if (delivered.status !== 200) throw new Error(`status callback: ${delivered.status} ${await delivered.text()}`);
	say(`5. signed Twilio status callback (delivered) → ${delivered.status}`);

	// 6. The daily summary from the delivery log.
	const mails2 = before('sendgrid');
	await inject(base, 'daily-summary-tick');
	const summary = await until(() => newOf('sendgrid', mails2).find((m) => m.to === 'ops@example.com'), 'the daily summary email');
	const summaryLine = /(\d+) delivery attempts: (\d+) sent/.exec(summary.html);
	if (!summaryLine || Number(summaryLine[2]) < expected.length) throw new Error(`daily summary: ${summary.html}`);
	say(`6. daily summary emailed to ops@example.com: "${summaryLine[0]}"`);

	// 7. An inbound Telegram message → the external processor (universal message) → its reply, on Telegram.
	const telegramBefore = before('telegram');
	const update = { update_id: 900001, message: { message_id: 77, from: { id: 424242, is_bot: false, first_name: 'Marta' }, chat: { id: 424242, first_name: 'Marta', type: 'private' }, date: Math.floor(Date.now() / 1000), text: 'Can I move my appointment?' } };
	const inbound = await request(`${base}/switchboard/chat`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': ACCOUNTS.telegram.credentials.secretToken },
		body: JSON.stringify(update),
	});
	if (inbound.status !== 200) throw new Error(`inbound Telegram update: ${inbound.status}`);
	const reply = await until(() => newOf('telegram', telegramBefore).find((r) => r.to === '424242'), 'the reply on Telegram');
	say(`7. inbound Telegram message → processor → reply sent to chat 424242: "${reply.content}"`);

	// 8. The message log page.
	const log = await request(`${base}/switchboard/demo/messages`);
	if (log.status !== 200) throw new Error(`message log page: ${log.status}`);
	say(`8. GET /switchboard/demo/messages → ${log.status}`);
	return { draftId: draft.id };
}

/** After Node-RED stopped: the store says what the story did. */
async function checkStore(storeFolder, ids, draftId, say) {
	const { openQueue } = require(join(ROOT, 'dist', 'core', 'queue', 'index.js'));
	const queue = await openQueue({ connection: { kind: 'embedded', dataDir: storeFolder } });
	const problems = [];
	try {
		const expect = async (id, status, what) => {
			const row = await queue.get(id);
			const ok = row?.status === status;
			say(`   ${ok ? 'ok ' : 'BAD'} ${what}: ${row?.status ?? 'missing'} (${row?.attempts.length ?? 0} log row${row?.attempts.length === 1 ? '' : 's'}${row?.provider ? `, ${row.provider} ${row.externalId}` : ''})`);
			if (!ok) problems.push(`${what} is ${row?.status}, expected ${status}`);
			if (ok && ['sent', 'delivered'].includes(status) && row.attempts.length < 1) problems.push(`${what} has no log row`);
		};
		say('store after the run:');
		await expect(ids['demo-sms'], 'delivered', `SMS to ${SMS.recipient}`);
		await expect(ids['demo-email'], 'sent', 'email to ana@example.com');
		await expect(ids['demo-telegram'], 'sent', 'Telegram to 123456789');
		await expect(ids['demo-whatsapp'], 'sent', 'WhatsApp to 447700900321');
		await expect(draftId, 'sent', 'the session draft, approved through its link');
		await expect(ids['demo-draft-sms'], 'draft', 'the SMS draft nobody approved');
		await expect(ids['demo-draft-email'], 'draft', 'the email draft for next month');
	} finally {
		await queue.close();
	}
	return problems;
}

// ---------------------------------------------------------------------------------------------------

async function main() {
	const redJs = join(ROOT, 'node_modules', 'node-red', 'red.js');
	if (!existsSync(redJs)) fail('node_modules/node-red is missing: run `npm install` first.');
	if (!existsSync(join(ROOT, 'dist', 'nodes', 'node-red', 'schedule-queue.js')) || !existsSync(join(ROOT, 'examples', `${TEMPLATES[0]}.json`))) {
		fail('the package is not built: run `npm run demo` (it builds first) or `npm run build`.');
	}
	const redVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'node-red', 'package.json'), 'utf8')).version;

	mkdirSync(join(ROOT, '.cache'), { recursive: true });
	const userDir = CHECK ? mkdtempSync(join(ROOT, '.cache', 'demo-check-')) : process.env.DEMO_USER_DIR || join(ROOT, '.cache', 'demo');
	mkdirSync(userDir, { recursive: true });
	const storeFolder = join(userDir, 'switchboard-demo-store');
	const port = await choosePort();
	const base = `http://${HOST}:${port}`;

	const fakes = await startFakes((r) => {
		if (!CHECK) console.log(`  fake ${r.provider} ← ${r.to}${r.content ? `: ${r.content.replace(/<[^>]+>/g, '').slice(0, 70)}` : ''}`);
	});
	const ids = await seedStore(storeFolder);

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
		env: { ...process.env, SWITCHBOARD_REVIEWERS: 'reviewers@example.com', SWITCHBOARD_OPS: 'ops@example.com' },
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
		await new Promise((r) => fakes.server.close(() => r()));
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
		await until(async () => child.exitCode === null && (await request(`${base}/settings`, { headers: API_HEADERS })).ok, 'Node-RED to answer', START_TIMEOUT_MS);
		const storeId = templateFlows({ base, storeFolder, fakeUrl: fakes.url }).find((n) => n.type === 'switchboard-store').id;
		await deploy(base, [...templateFlows({ base, storeFolder, fakeUrl: fakes.url }), ...logFlow(storeId)]);

		if (CHECK) {
			console.log(`Node-RED ${redVersion} on ${base}: the five templates deployed after ${Date.now() - started} ms; fake providers on ${fakes.url}.`);
			const say = (line) => console.log(line);
			let problems;
			try {
				const { draftId } = await story(base, fakes, ids, say);
				// The embedded store belongs to one process: stop Node-RED, then read it here.
				stopping = true;
				await stop(child);
				problems = await checkStore(storeFolder, ids, draftId, say);
			} catch (error) {
				problems = [error instanceof Error ? error.message : String(error)];
				console.error(output.slice(-4000));
			}
			console.log(problems.length === 0 ? 'demo check passed: approved, sent, delivered and logged.' : `demo check FAILED:\n- ${problems.join('\n- ')}`);
			stopping = false;
			await shutdown(problems.length === 0 ? 0 : 1);
			return;
		}

		const callback = statusCallback(base, twilioSid(SMS.recipient, SMS.body));
		const draftSms = SAMPLES.find((s) => s.key === 'demo-draft-sms');
		console.log('');
		console.log(`Switchboard demo: Node-RED ${redVersion} with this package loaded in place (${userDir}),`);
		console.log(`the five flow templates deployed, fake providers on ${fakes.url} (nothing leaves this machine).`);
		console.log('Sample scheduled messages: 4 approved and due (SMS, email, Telegram, WhatsApp), 2 drafts.');
		console.log('');
		console.log(`  Editor:  ${base}/`);
		console.log('');
		console.log(`  1. Approve — open this approval link for the draft SMS to ${draftSms.recipient} (a confirmation page; press Approve):`);
		console.log(`     ${approvalLink(base, ids['demo-draft-sms'])}`);
		console.log(`     or the list of drafts: ${base}/switchboard/approval`);
		console.log('     (the reviewers\' digest: tab "Switchboard: Review and approve", button of "Every weekday at 08:00")');
		console.log('  2. Send — tab "Switchboard: Scheduled messages processor", click the button of "Every 15 minutes".');
		console.log('     The debug sidebar shows the run summary; this terminal shows what each fake provider received.');
		console.log(`  3. Delivered — Twilio's status callback for the SMS to ${SMS.recipient} (signed, as Twilio signs it):`);
		console.log('');
		console.log(`  curl -s -X POST ${callback.url} -H 'Content-Type: application/x-www-form-urlencoded' -H 'X-Twilio-Signature: ${callback.signature}' --data '${callback.body}'`);
		console.log('');
		console.log(`  4. Logged — every message, its status and its delivery log: ${base}/switchboard/demo/messages`);
		console.log('');
		console.log('Press Ctrl-C to stop.');
	} catch (error) {
		console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
		if (CHECK) console.error(output.slice(-4000));
		await shutdown(1);
	}
}

await main();
