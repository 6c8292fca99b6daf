/**
 * Universal Message Normalize inside the real Node-RED runtime, 4 and 5 (test/support/node-red-harness.ts),
 * loaded from dist as users get it. Provider fixtures are handed over the way `http in` delivers them
 * (parsed JSON or form object in msg.payload, the request in msg.req), and once through real `http in` /
 * `http response` nodes over HTTP.
 *
 * Expected values come from the fixtures themselves; where a test checks that the shell passes the
 * core's result through untouched, the oracle is the compiled core (dist/core) the node itself uses.
 *
 * Tests that need a platform adapter still being written are marked `todo` naming it (they run, but do
 * not fail the suite) until the adapter has `normalize` / `render`; see `waitsFor`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import * as core from '../../dist/core';
import { fixtureBytes, fixtureJson, fixtureSignature } from '../support/fixtures';
import { forEachRuntime, PACKAGE_ROOT, type FlowNode, type Message, type NodeRedHarness } from '../support/node-red-harness';

const TYPE = 'universal-message-normalize';

// ---------------------------------------------------------------------------------------------------
// What the test depends on

type Need = { normalize?: string[]; render?: string[]; custom?: boolean };

function customAdapterReady(): boolean {
	try {
		return typeof core.createCustomAdapter(SCALA_MAPPING as core.CustomMapping).normalize === 'function';
	} catch {
		return false;
	}
}

/** `{ todo }` naming each adapter this test needs that is still a placeholder; `{}` once all exist. */
function waitsFor(need: Need): { todo?: string } {
	const missing = [
		...(need.normalize ?? []).filter((id) => typeof core.findPlatform(id)?.normalize !== 'function').map((id) => `${id} normalize`),
		...(need.render ?? []).filter((id) => typeof core.findPlatform(id)?.render !== 'function').map((id) => `${id} render`),
		...(need.custom && !customAdapterReady() ? ['custom mapping adapter'] : []),
	];
	return missing.length ? { todo: `waits for the ${missing.join(', ')} adapter(s)` } : {};
}

// ---------------------------------------------------------------------------------------------------
// Requests as `http in` hands them over

function lowerCase(headers: Record<string, string>): Record<string, string> {
	return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/**
 * The msg `http in` produces for a POSTed fixture: body-parser's JSON object or urlencoded object in
 * payload (or the raw bytes with "Do not parse request body"), Node's lower-cased headers in req.
 */
function httpInMessage(name: string, body: 'parsed' | 'buffer' | 'string' = 'parsed'): Message {
	const bytes = fixtureBytes(name);
	const isForm = name.endsWith('.txt');
	const headers = lowerCase({ 'Content-Type': isForm ? 'application/x-www-form-urlencoded' : 'application/json', ...fixtureSignature(name) });
	delete headers.url;
	const text = bytes.toString('utf8');
	const payload =
		body === 'buffer' ? bytes : body === 'string' ? text : isForm ? Object.fromEntries(new URLSearchParams(text)) : (JSON.parse(text) as unknown);
	return { _msgid: `m-${name}`, payload, req: { method: 'POST', headers, query: {}, body: payload } };
}

/** Meta's subscribe GET as `http in` (method GET) delivers it: the query in payload and in req.query. */
function verificationMessage(verifyToken = 'local-verify-token-123', challenge = '1158201444'): Message {
	const query = { 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken, 'hub.challenge': challenge };
	return { _msgid: 'm-verify', payload: query, req: { method: 'GET', headers: { host: 'hooks.example.test' }, query } };
}

const iso = (unixSeconds: string | number) => new Date(Number(unixSeconds) * 1000).toISOString();

interface WhatsAppEnvelope {
	object: string;
	entry: Array<{ id: string; changes: Array<{ field: string; value: WhatsAppValue }> }>;
}
interface WhatsAppValue {
	contacts?: Array<{ profile?: { name?: string }; wa_id: string }>;
	messages?: Array<{ from: string; id: string; timestamp: string; type: string; text?: { body: string } }>;
	statuses?: Array<{ id: string; status: string; timestamp: string; recipient_id: string }>;
	[key: string]: unknown;
}
const whatsapp = (name: string) => fixtureJson<WhatsAppEnvelope>(name);
const waValue = (name: string) => whatsapp(name).entry[0]!.changes[0]!.value;

// ---------------------------------------------------------------------------------------------------
// Flows

/** normalize node n1 → helper out; Catch (scoped to n1) → helper errors; Status (n1) → helper statuses. */
function flow(config: Record<string, unknown> = {}): FlowNode[] {
	return [
		{ id: 'n1', type: TYPE, name: 'under test', wires: [['out']], ...config },
		{ id: 'out', type: 'helper' },
		{ id: 'catch-n1', type: 'catch', scope: ['n1'], uncaught: false, wires: [['errors']] },
		{ id: 'errors', type: 'helper' },
		{ id: 'status-n1', type: 'status', scope: ['n1'], wires: [['statuses']] },
		{ id: 'statuses', type: 'helper' },
	];
}

/** What a Status node reports: the node's status plus its source. */
type Status = { fill: string; shape: string; text: string; source?: unknown };

async function run(nr: NodeRedHarness, msg: Message, count: number, config: Record<string, unknown> = {}, credentials = {}) {
	await nr.load([TYPE], flow(config), credentials);
	const out = nr.collect('out', count);
	const status = nr.collect('statuses', 1);
	nr.receive('n1', msg);
	return { out: await out, status: (await status)[0]!.status as Status };
}

/** Sends `msg`, expects nothing on the output and one error at the Catch node; returns msg.error and status. */
async function runFailing(nr: NodeRedHarness, msg: Message, config: Record<string, unknown> = {}) {
	await nr.load([TYPE], flow(config));
	const errors = nr.collect('errors', 1);
	const status = nr.collect('statuses', 1);
	const silent = nr.silent('out', 300);
	nr.receive('n1', msg);
	const [caught] = await errors;
	assert.equal(await silent, true, 'nothing must be sent on the output when normalize fails');
	return {
		error: caught!.error as { message: string; code?: string; source: { id: string; type: string } },
		status: (await status)[0]!.status as Status,
	};
}

/** Deploys `config` and returns the status n1 set while starting (none: an empty object). */
async function deployStatusOf(nr: NodeRedHarness, config: Record<string, unknown>): Promise<Status> {
	await nr.load([TYPE], flow(config));
	return (nr.statuses('n1')[0] ?? {}) as Status;
}

const payloadOf = (m: Message) => m.payload as Record<string, unknown> & { parts: Array<Record<string, unknown>> };

const SCALA_MAPPING = {
	platform: 'scala360',
	channel: 'whatsapp',
	detect: { path: 'source', equals: 'scala360' },
	messages: 'data.messages',
	fields: {
		providerMessageId: 'id',
		'sender.id': 'contact.phone',
		'sender.name': 'contact.name',
		text: 'message.text',
		timestamp: 'sent_at',
	},
};
const SCALA_BODY = {
	source: 'scala360',
	data: {
		messages: [
			{ id: 'sc-1', contact: { phone: '+5491155550001', name: 'Lucía' }, message: { text: 'Hola' }, sent_at: '2026-05-28T14:31:02.000Z' },
			{ id: 'sc-2', contact: { phone: '+5491155550002', name: 'Tomás' }, message: { text: '¿Hay turno?' }, sent_at: '2026-05-28T14:32:10.000Z' },
		],
	},
};

function outboundText(text: string, to = '447700900321', provider = 'whatsapp'): Record<string, unknown> {
	return {
		schema: core.MESSAGE_SCHEMA_ID,
		id: 'out-1',
		channel: provider === 'telegram' ? 'telegram' : 'whatsapp',
		provider,
		direction: 'outbound',
		conversation: { id: to, type: 'direct' },
		timestamp: '2026-05-28T14:31:02.000Z',
		parts: [{ type: 'text', text }],
	};
}

// ---------------------------------------------------------------------------------------------------

forEachRuntime('Universal Message Normalize', (nr) => {
	it('loads from dist, registers its type and serves the platform list to the editor', async () => {
		await nr.load([TYPE], flow());
		assert.equal(nr.node('n1').type, TYPE);
		const res = await nr.admin().get('/switchboard/platforms');
		assert.equal(res.status, 200);
		const platforms = (res.body as { platforms: Array<{ id: string; normalize: boolean; render: boolean }> }).platforms;
		assert.deepEqual(
			platforms.map((p) => p.id),
			core.PLATFORM_IDS,
		);
		for (const p of platforms) {
			assert.equal(p.normalize, typeof core.findPlatform(p.id)!.normalize === 'function', `${p.id}.normalize`);
			assert.equal(p.render, typeof core.findPlatform(p.id)!.render === 'function', `${p.id}.render`);
		}
	});

	it('WhatsApp text webhook from http in → one universal message with the fixture’s fields', waitsFor({ normalize: ['whatsapp'] }), async () => {
		const name = 'whatsapp-message-text.json';
		const msg = httpInMessage(name);
		const { out, status } = await run(nr, msg, 1);
		const value = waValue(name);
		const sent = value.messages![0]!;
		const m = payloadOf(out[0]!);
		assert.equal(m.schema, 'switchboard.message/v1');
		assert.equal(m.provider, 'whatsapp');
		assert.equal(m.channel, 'whatsapp');
		assert.equal(m.direction, 'inbound');
		assert.equal(m.providerMessageId, sent.id);
		assert.equal(m.id, `whatsapp:${sent.id}`);
		assert.equal(m.timestamp, iso(sent.timestamp));
		assert.deepEqual(m.conversation, { id: sent.from, type: 'direct' });
		assert.equal((m.sender as Record<string, unknown>).id, sent.from);
		assert.equal((m.sender as Record<string, unknown>).name, value.contacts![0]!.profile!.name);
		assert.deepEqual(m.parts, [{ type: 'text', text: sent.text!.body, format: 'plain' }]);
		assert.notEqual(m.raw, undefined, 'keep raw is on by default');
		assert.deepEqual(out[0]!.switchboard, { platform: 'whatsapp', kind: 'message', index: 0, count: 1 });
		// The rest of the msg travels on: http response needs req/res.
		assert.deepEqual(out[0]!.req, msg.req);
		assert.equal(out[0]!._msgid, msg._msgid);
		// The shell adds nothing: what the core makes of the same request, unchanged.
		const direct = core.normalize({ body: fixtureBytes(name), headers: (msg.req as { headers: Record<string, string> }).headers });
		assert.deepEqual(m, direct.messages[0]);
		assert.deepEqual(status, { fill: 'green', shape: 'dot', text: '1 message, 0 events (whatsapp)', source: status.source });
	});

	it('clears its status when the flow stops (close)', waitsFor({ normalize: ['whatsapp'] }), async () => {
		await run(nr, httpInMessage('whatsapp-message-text.json'), 1);
		assert.equal(nr.statuses('n1').at(-1)?.text, '1 message, 0 events (whatsapp)');
		await nr.unload();
		assert.deepEqual(nr.statuses('n1').at(-1), {});
	});

	it('the same webhook as raw bytes (Do not parse request body) or as text gives the same message', waitsFor({ normalize: ['whatsapp'] }), async () => {
		const name = 'whatsapp-message-text.json';
		const parsed = (await run(nr, httpInMessage(name, 'parsed'), 1)).out[0]!.payload;
		const buffer = (await run(nr, httpInMessage(name, 'buffer'), 1)).out[0]!.payload;
		const text = (await run(nr, httpInMessage(name, 'string'), 1)).out[0]!.payload;
		assert.deepEqual(buffer, parsed);
		assert.deepEqual(text, parsed);
	});

	it('a batch comes out as one msg per message, then one per event, in the order sent', waitsFor({ normalize: ['whatsapp'] }), async () => {
		// One delivery: three messages in one change, then two status changes (Meta batches like this).
		const envelope = whatsapp('whatsapp-message-text.json');
		const value = envelope.entry[0]!.changes[0]!.value;
		value.messages = [
			...waValue('whatsapp-message-text.json').messages!,
			...waValue('whatsapp-message-image.json').messages!,
			...waValue('whatsapp-message-location.json').messages!,
		];
		const statusChanges = ['whatsapp-status-sent.json', 'whatsapp-status-read.json'].map((f) => whatsapp(f).entry[0]!.changes[0]!);
		envelope.entry[0]!.changes.push(...statusChanges);
		const msg = { payload: envelope, req: { method: 'POST', headers: { 'content-type': 'application/json' }, query: {} } };
		const { out, status } = await run(nr, msg, 5);
		assert.deepEqual(
			out.map((o) => (o.switchboard as { kind: string }).kind),
			['message', 'message', 'message', 'event', 'event'],
		);
		assert.deepEqual(
			out.map((o) => payloadOf(o).providerMessageId),
			[...value.messages.map((m) => m.id), ...statusChanges.map((c) => c.value.statuses![0]!.id)],
		);
		assert.deepEqual(
			out.slice(3).map((o) => payloadOf(o).providerStatus),
			statusChanges.map((c) => c.value.statuses![0]!.status),
		);
		assert.deepEqual(
			out.map((o) => o.switchboard),
			[0, 1, 2, 3, 4].map((index) => ({ platform: 'whatsapp', kind: index < 3 ? 'message' : 'event', index, count: 5 })),
		);
		assert.equal(status.text, '3 messages, 2 events (whatsapp)');
	});

	it('output mode "one message with all": exactly one msg with {platform, messages, events}', waitsFor({ normalize: ['whatsapp'] }), async () => {
		const envelope = whatsapp('whatsapp-message-text.json');
		envelope.entry[0]!.changes.push(whatsapp('whatsapp-status-delivered.json').entry[0]!.changes[0]!);
		const msg = { payload: envelope, req: { method: 'POST', headers: { 'content-type': 'application/json' }, query: {} } };
		const { out, status } = await run(nr, msg, 1, { outputMode: 'all' });
		const payload = out[0]!.payload as { platform: string; messages: Array<Record<string, unknown>>; events: Array<Record<string, unknown>> };
		assert.deepEqual(Object.keys(payload).sort(), ['events', 'messages', 'platform']);
		assert.equal(payload.platform, 'whatsapp');
		assert.deepEqual(
			payload.messages.map((m) => m.providerMessageId),
			[waValue('whatsapp-message-text.json').messages![0]!.id],
		);
		assert.deepEqual(
			payload.events.map((e) => [e.providerMessageId, e.status]),
			[[waValue('whatsapp-status-delivered.json').statuses![0]!.id, 'delivered']],
		);
		assert.deepEqual(out[0]!.switchboard, { platform: 'whatsapp', kind: 'all', count: 2 });
		assert.equal(status.text, '1 message, 1 event (whatsapp)');
	});

	it('SendGrid’s event array → one msg per event, in array order', waitsFor({ normalize: ['sendgrid'] }), async () => {
		const files = ['processed', 'delivered', 'open', 'click', 'bounce', 'dropped', 'spamreport', 'unsubscribe', 'blocked'].map((e) => `sendgrid-event-${e}.json`);
		const events = files.flatMap((f) => fixtureJson<Array<{ sg_event_id: string; sg_message_id: string; event: string; email: string }>>(f));
		const msg = { payload: events, req: { method: 'POST', headers: { 'content-type': 'application/json' }, query: {} } };
		const { out, status } = await run(nr, msg, events.length);
		assert.equal(out.length, events.length);
		out.forEach((o, i) => {
			const e = payloadOf(o);
			assert.equal(e.schema, 'switchboard.event/v1');
			assert.equal(e.provider, 'sendgrid');
			assert.equal(e.providerEventId, events[i]!.sg_event_id, `event ${i} in order`);
			assert.equal(e.providerStatus, events[i]!.event);
			assert.equal(e.recipient, events[i]!.email);
			assert.deepEqual(o.switchboard, { platform: 'sendgrid', kind: 'event', index: i, count: events.length });
		});
		assert.equal(status.text, `0 messages, ${events.length} events (sendgrid)`);
	});

	it('Twilio form body (parsed by http in) → an SMS message with From, Body and MessageSid', waitsFor({ normalize: ['twilio'] }), async () => {
		const name = 'twilio-inbound-sms-text.txt';
		const form = Object.fromEntries(new URLSearchParams(fixtureBytes(name).toString('utf8')));
		const { out } = await run(nr, httpInMessage(name), 1);
		const m = payloadOf(out[0]!);
		assert.equal(m.provider, 'twilio');
		assert.equal(m.channel, 'sms');
		assert.equal(m.providerMessageId, form.MessageSid);
		assert.equal((m.sender as Record<string, unknown>).id, form.From);
		assert.equal(m.parts[0]!.text, form.Body);
	});

	it('headers from msg.headers (no msg.req) are used, and not passed on to an http response', waitsFor({ normalize: ['twilio'] }), async () => {
		const name = 'twilio-inbound-sms-text.txt';
		const form = Object.fromEntries(new URLSearchParams(fixtureBytes(name).toString('utf8')));
		const msg = { payload: fixtureBytes(name).toString('utf8'), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, topic: 'sms' };
		const { out } = await run(nr, msg, 1);
		assert.equal(payloadOf(out[0]!).providerMessageId, form.MessageSid);
		assert.equal('headers' in out[0]!, false);
		assert.equal(out[0]!.topic, 'sms', 'other properties travel on');
	});

	it('keep raw off → no raw on the message', waitsFor({ normalize: ['whatsapp'] }), async () => {
		const { out } = await run(nr, httpInMessage('whatsapp-message-text.json'), 1, { keepRaw: false });
		assert.equal('raw' in payloadOf(out[0]!), false);
	});

	it('Meta verification GET → challenge with statusCode 200 and content type, for http response', waitsFor({ normalize: ['whatsapp'] }), async () => {
		const { out, status } = await run(nr, verificationMessage('local-verify-token-123', '1158201444'), 1);
		assert.equal(out[0]!.payload, '1158201444');
		assert.equal(out[0]!.statusCode, 200);
		assert.deepEqual(out[0]!.headers, { 'content-type': 'text/plain' });
		assert.deepEqual(out[0]!.switchboard, {
			platform: 'whatsapp',
			kind: 'handshake',
			handshake: { kind: 'meta_subscribe', challenge: '1158201444', accepted: true },
		});
		assert.equal(status.text, 'whatsapp handshake answered');
	});

	it('with a verify token credential: the matching token is answered 200, another one 403', waitsFor({ normalize: ['whatsapp'] }), async () => {
		const credentials = { n1: { verifyToken: 'local-verify-token-123' } };
		const ok = await run(nr, verificationMessage('local-verify-token-123', '42'), 1, {}, credentials);
		assert.equal(ok.out[0]!.statusCode, 200);
		assert.equal(ok.out[0]!.payload, '42');
		const bad = await run(nr, verificationMessage('someone-else', '43'), 1, {}, credentials);
		assert.equal(bad.out[0]!.statusCode, 403);
		assert.notEqual(bad.out[0]!.payload, '43', 'the challenge must not be echoed');
		assert.equal((bad.out[0]!.switchboard as { handshake: { accepted: boolean } }).handshake.accepted, false);
		assert.deepEqual(bad.status, { fill: 'yellow', shape: 'dot', text: 'whatsapp handshake refused: verify token mismatch', source: bad.status.source });
	});

	it('Slack url_verification → challenge answer for http response, in either output mode', waitsFor({ normalize: ['slack'] }), async () => {
		const name = 'slack-event-url-verification.json';
		const challenge = fixtureJson<{ challenge: string }>(name).challenge;
		for (const outputMode of ['each', 'all']) {
			const { out } = await run(nr, httpInMessage(name), 1, { outputMode });
			assert.equal(out[0]!.statusCode, 200);
			const payload = out[0]!.payload;
			// Slack accepts the challenge as plain text or as {"challenge": …}.
			const answered = typeof payload === 'string' && payload.startsWith('{') ? (JSON.parse(payload) as { challenge: string }).challenge : payload;
			assert.equal(answered, challenge);
			assert.equal(typeof (out[0]!.headers as Record<string, string>)['content-type'], 'string');
			assert.equal((out[0]!.switchboard as { kind: string }).kind, 'handshake');
		}
	});

	it('a truncated JSON body → Catch gets MalformedBodyError with its hint and code; status shows it', async () => {
		const truncated = fixtureBytes('whatsapp-message-text.json').subarray(0, 120);
		const msg = { payload: truncated, req: { method: 'POST', headers: { 'content-type': 'application/json' }, query: {} } };
		const { error, status } = await runFailing(nr, msg);
		assert.equal(error.code, 'MALFORMED_BODY');
		assert.match(error.message, /^MalformedBodyError: The request body is not valid JSON: .+ — The body may be truncated/);
		assert.deepEqual([error.source.id, error.source.type], ['n1', TYPE]);
		assert.equal(status.fill, 'red');
		assert.equal(status.shape, 'ring');
		assert.match(status.text, /^MALFORMED_BODY: The request body is not valid JSON/);
		assert.ok(status.text.length <= 64, 'status text is kept short');
	});

	it('a JSON body no platform claims → UnrecognizedRequestError listing what was tried', async () => {
		const msg = { payload: { hello: 'world' }, req: { method: 'POST', headers: { 'content-type': 'application/json' }, query: {} } };
		const { error, status } = await runFailing(nr, msg);
		assert.equal(error.code, 'UNRECOGNIZED_REQUEST');
		assert.match(error.message, /^UnrecognizedRequestError: Could not tell which platform sent this request\. Tried: /);
		const tried = core.PLATFORMS.filter((p) => typeof p.normalize === 'function').map((p) => p.id);
		assert.ok(tried.length > 0);
		for (const id of tried) assert.ok(error.message.includes(`${id} (`), `lists ${id} as tried`);
		assert.match(error.message, / — Set the platform explicitly/);
		assert.match(status.text, /^UNRECOGNIZED_REQUEST: /);
	});

	it('a WhatsApp payload with a broken field → PayloadMismatchError naming the JSON path', waitsFor({ normalize: ['whatsapp'] }), async () => {
		const envelope = whatsapp('whatsapp-message-text.json') as unknown as { entry: Array<{ changes: Array<{ value: { messages: unknown[] } }> }> };
		envelope.entry[0]!.changes[0]!.value.messages[0] = 'not a message';
		const msg = { payload: envelope, req: { method: 'POST', headers: { 'content-type': 'application/json' }, query: {} } };
		const { error } = await runFailing(nr, msg);
		assert.equal(error.code, 'PAYLOAD_MISMATCH');
		assert.match(error.message, /^PayloadMismatchError: whatsapp payload does not match the documented shape at entry\[0\]\.changes\[0\]\.value\.messages\[0\]/);
	});

	it('msg.platform overrides the configured platform', waitsFor({ normalize: ['whatsapp'] }), async () => {
		const config = { platform: 'no-such-platform' };
		const failing = await runFailing(nr, httpInMessage('whatsapp-message-text.json'), config);
		assert.equal(failing.error.code, 'UNKNOWN_PLATFORM');
		assert.match(failing.error.message, /Unknown platform "no-such-platform"/);
		const { out } = await run(nr, { ...httpInMessage('whatsapp-message-text.json'), platform: 'whatsapp' }, 1, config);
		assert.equal(payloadOf(out[0]!).provider, 'whatsapp');
	});

	it('custom mapping: a JSON syntax error fails every message with INVALID_MAPPING, and shows on deploy', async () => {
		const shown = await deployStatusOf(nr, { customMapping: '{"platform": "scala360",' });
		assert.equal(shown.fill, 'red');
		assert.match(shown.text, /^INVALID_MAPPING: Custom mapping field "\(json\)": is not valid J/);
		const errors = nr.collect('errors', 1);
		nr.receive('n1', httpInMessage('whatsapp-message-text.json'));
		const error = (await errors)[0]!.error as { code: string; message: string };
		assert.equal(error.code, 'INVALID_MAPPING');
		assert.match(error.message, /^InvalidMappingError: Custom mapping field "\(json\)": is not valid JSON/);
	});

	it('custom mapping: one the core rejects (valid JSON, wrong structure) shows on deploy and fails each message', waitsFor({ custom: true }), async () => {
		const mapping = { platform: 'scala360' };
		let expected = '';
		try {
			core.createCustomAdapter(mapping as core.CustomMapping);
		} catch (error) {
			expected = (error as core.SwitchboardError).message;
		}
		assert.notEqual(expected, '', 'the core rejects a mapping without fields');
		const shown = await deployStatusOf(nr, { customMapping: JSON.stringify(mapping) });
		assert.equal(shown.fill, 'red');
		assert.ok(`INVALID_MAPPING: ${expected}`.startsWith(shown.text.replace(/…$/, '')), shown.text);
		const errors = nr.collect('errors', 1);
		nr.receive('n1', httpInMessage('whatsapp-message-text.json'));
		const error = (await errors)[0]!.error as { code: string; message: string };
		assert.equal(error.code, 'INVALID_MAPPING');
		assert.ok(error.message.startsWith(`InvalidMappingError: ${expected}`), error.message);
	});

	it('custom mapping: the parsed mapping reaches the core, by detection and when chosen', waitsFor({ custom: true }), async () => {
		const msg = { payload: SCALA_BODY, req: { method: 'POST', headers: { 'content-type': 'application/json' }, query: {} } };
		for (const platform of ['auto', 'custom']) {
			const { out, status } = await run(nr, msg, 2, { platform, customMapping: JSON.stringify(SCALA_MAPPING) });
			out.forEach((o, i) => {
				const sent = SCALA_BODY.data.messages[i]!;
				const m = payloadOf(o);
				assert.equal(m.provider, 'scala360');
				assert.equal(m.providerMessageId, sent.id);
				assert.equal((m.sender as Record<string, unknown>).id, sent.contact.phone);
				assert.equal((m.sender as Record<string, unknown>).name, sent.contact.name);
				assert.equal(m.timestamp, sent.sent_at);
				assert.equal(m.parts[0]!.text, sent.message.text);
				assert.deepEqual(o.switchboard, { platform: 'scala360', kind: 'message', index: i, count: 2 });
			});
			assert.equal(status.text, '2 messages, 0 events (scala360)');
		}
	});

	it('custom mapping chosen but left empty → INVALID_MAPPING saying so', async () => {
		const { error } = await runFailing(nr, httpInMessage('whatsapp-message-text.json'), { platform: 'custom' });
		assert.equal(error.code, 'INVALID_MAPPING');
		assert.match(error.message, /is empty, but the platform is set to "custom mapping"/);
	});

	it('render: a universal message → {platform, payloads, degradations}; config to/platform, msg overrides', waitsFor({ render: ['whatsapp'] }), async () => {
		const message = outboundText('Your order 48213 has shipped');
		const config = { operation: 'render', platform: 'whatsapp' };
		const { out, status } = await run(nr, { payload: message, topic: 'order' }, 1, config);
		const result = out[0]!.payload as { platform: string; payloads: Array<{ endpoint: string; body: Record<string, unknown> }>; degradations: unknown[] };
		assert.deepEqual(Object.keys(result).sort(), ['degradations', 'payloads', 'platform']);
		assert.equal(result.platform, 'whatsapp');
		assert.equal(result.payloads.length, 1);
		assert.equal(result.payloads[0]!.body.messaging_product, 'whatsapp');
		assert.equal(result.payloads[0]!.body.to, '447700900321');
		assert.equal(result.payloads[0]!.body.type, 'text');
		assert.equal((result.payloads[0]!.body.text as { body: string }).body, 'Your order 48213 has shipped');
		assert.deepEqual(result.degradations, []);
		assert.equal(out[0]!.topic, 'order');
		assert.equal(status.text, '1 payload (whatsapp)');

		const configured = await run(nr, { payload: message }, 1, { ...config, to: '15550001111' });
		assert.equal((configured.out[0]!.payload as typeof result).payloads[0]!.body.to, '15550001111');
		const overridden = await run(nr, { payload: message, to: '15550002222' }, 1, { ...config, to: '15550001111' });
		assert.equal((overridden.out[0]!.payload as typeof result).payloads[0]!.body.to, '15550002222');
	});

	it('render: msg.platform renders for another platform; "auto" uses the message’s provider', waitsFor({ render: ['whatsapp', 'telegram'] }), async () => {
		const message = outboundText('Hello', '123456789');
		const telegram = await run(nr, { payload: message, platform: 'telegram' }, 1, { operation: 'render', platform: 'whatsapp' });
		const result = telegram.out[0]!.payload as { platform: string; payloads: Array<{ body: Record<string, unknown> }> };
		assert.equal(result.platform, 'telegram');
		assert.equal(String(result.payloads[0]!.body.chat_id), '123456789');
		assert.equal(result.payloads[0]!.body.text, 'Hello');
		const auto = await run(nr, { payload: outboundText('Hello', '123456789', 'telegram') }, 1, { operation: 'render', platform: 'auto' });
		assert.equal((auto.out[0]!.payload as typeof result).platform, 'telegram');
	});

	it('render: degradations are reported and counted on the status', waitsFor({ render: ['whatsapp'] }), async () => {
		const message = {
			...outboundText('Pick a slot'),
			parts: [
				{
					type: 'buttons',
					text: 'Pick a slot',
					buttons: ['Mon', 'Tue', 'Wed', 'Thu'].map((d) => ({ id: d.toLowerCase(), title: d, action: 'reply' })),
				},
			],
		};
		const { out, status } = await run(nr, { payload: message }, 1, { operation: 'render', platform: 'whatsapp' });
		const result = out[0]!.payload as core.RenderOutput;
		assert.deepEqual(result, core.render(message, 'whatsapp'));
		assert.ok(result.degradations.length > 0, 'four reply buttons do not fit WhatsApp’s three');
		assert.equal(result.degradations[0]!.from, 'buttons');
		const n = result.payloads.length;
		assert.equal(status.text, `${n} payload${n === 1 ? '' : 's'}, ${result.degradations.length} degraded (whatsapp)`);
	});

	it('render: an invalid universal message → Catch gets InvalidMessageError naming the field', waitsFor({ render: ['whatsapp'] }), async () => {
		const { error, status } = await runFailing(nr, { payload: { ...outboundText('x'), parts: [] } }, { operation: 'render', platform: 'whatsapp' });
		assert.equal(error.code, 'INVALID_MESSAGE');
		assert.match(error.message, /^InvalidMessageError: Invalid universal message: parts: /);
		assert.match(status.text, /^INVALID_MESSAGE: /);
	});

	it('render with "auto" and no provider on the message → UNKNOWN_PLATFORM', async () => {
		const { error } = await runFailing(nr, { payload: { parts: [{ type: 'text', text: 'x' }] } }, { operation: 'render', platform: 'auto' });
		assert.equal(error.code, 'UNKNOWN_PLATFORM');
		assert.match(error.message, /Unknown platform "\(not set\)"/);
	});

	it('behind real http in / http response nodes: POST is answered with the normalized JSON, GET with the challenge', waitsFor({ normalize: ['whatsapp'] }), async () => {
		const httpFlow: FlowNode[] = [
			{ id: 'in-post', type: 'http in', url: '/switchboard/inbound', method: 'post', upload: false, skipBodyParsing: false, wires: [['n1']] },
			{ id: 'in-get', type: 'http in', url: '/switchboard/inbound', method: 'get', upload: false, wires: [['n1']] },
			{ id: 'n1', type: TYPE, outputMode: 'all', wires: [['reply']] },
			{ id: 'reply', type: 'http response', statusCode: '', headers: {} },
		];
		await nr.load([TYPE, nr.coreNode('network/21-httpin.js')], httpFlow, {}, { http: true });
		const name = 'whatsapp-message-text.json';
		const posted = await fetch(nr.httpUrl('/switchboard/inbound'), {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...fixtureSignature(name) },
			body: fixtureBytes(name),
			signal: AbortSignal.timeout(5000),
		});
		assert.equal(posted.status, 200);
		const body = (await posted.json()) as { platform: string; messages: Array<Record<string, unknown>>; events: unknown[] };
		assert.equal(body.platform, 'whatsapp');
		assert.deepEqual(
			body.messages.map((m) => [m.providerMessageId, (m.parts as Array<{ text: string }>)[0]!.text]),
			[[waValue(name).messages![0]!.id, waValue(name).messages![0]!.text!.body]],
		);
		assert.deepEqual(body.events, []);

		const query = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': 'local-verify-token-123', 'hub.challenge': '1158201444' });
		const verified = await fetch(nr.httpUrl(`/switchboard/inbound?${query}`), { signal: AbortSignal.timeout(5000) });
		assert.equal(verified.status, 200);
		assert.match(verified.headers.get('content-type') ?? '', /^text\/plain/);
		assert.equal(await verified.text(), '1158201444');
	});

	it('the shipped example flow runs: its inject sample is a real fixture and comes out normalized', waitsFor({ normalize: ['whatsapp'] }), async () => {
		const example = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'examples', 'normalize-webhook.json'), 'utf8')) as FlowNode[];
		const inject = example.find((n) => n.type === 'inject')!;
		assert.deepEqual(JSON.parse(inject.payload as string), fixtureJson('whatsapp-message-text.json'));
		const tab = { id: example[0]!.z!, type: 'tab', label: 'example' };
		await nr.load(
			[
				TYPE,
				nr.coreNode('network/21-httpin.js'),
				nr.coreNode('common/20-inject.js'),
				nr.coreNode('common/21-debug.js'),
				nr.coreNode('common/90-comment.js'),
			],
			[tab, ...example],
			{},
			{ http: true },
		);
		const debug = (inject.wires as string[][])[0]!.map((id) => example.find((n) => n.id === id)!).flatMap((n) => (n.wires as string[][])[0]!)[0]!;
		const seen = nr.collect(debug, 1);
		nr.receive(inject.id, {});
		const m = payloadOf((await seen)[0]!);
		assert.equal(m.provider, 'whatsapp');
		assert.equal(m.parts[0]!.text, waValue('whatsapp-message-text.json').messages![0]!.text!.body);

		const posted = await fetch(nr.httpUrl('/switchboard/inbound'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: fixtureBytes('whatsapp-status-read.json'),
			signal: AbortSignal.timeout(5000),
		});
		assert.equal(posted.status, 200);
		const body = (await posted.json()) as { events: Array<{ providerMessageId: string; status: string }> };
		assert.deepEqual(
			body.events.map((e) => [e.providerMessageId, e.status]),
			[[waValue('whatsapp-status-read.json').statuses![0]!.id, 'read']],
		);
	});
});
