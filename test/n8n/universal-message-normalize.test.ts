/**
 * Universal Message Normalize through n8n's real engine (n8n-core WorkflowExecute, the package loaded
 * from dist by PackageDirectoryLoader): items shaped exactly like the n8n Webhook node's output go in,
 * and what comes out is checked field by field against the provider fixtures, and against the core's
 * own `normalize` of the same request (the node must add nothing and lose nothing).
 *
 * Needs a built dist (`npm test` builds first).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IDataObject, INodeExecutionData, INodeParameters, INodePropertyOptions, INodeType } from 'n8n-workflow';
import { PLATFORMS, RENDER_PLATFORM_IDS, findPlatform, normalize, type InboundRequest } from '../../core';
import { fixtureBytes, fixtureJson, fixtureRequest, fixtureSignature } from '../support/fixtures';
import { START_NODE_NAME, jsonItems, loadPackage, runNode, runWorkflow, type SingleNodeResult } from '../support/n8n-harness';

const NODE = 'universalMessageNormalize';

// ---------------------------------------------------------------------------------------------------
// Items as the n8n Webhook node (v2) emits them: { headers, params, query, body, webhookUrl, executionMode }
// with lower-cased header names (Node's http server), JSON bodies parsed, form bodies parsed into a
// record, and, with the "Raw Body" option, the exact bytes in binary field "data".

function formRecord(text: string): IDataObject {
	const out: IDataObject = {};
	for (const [key, value] of new URLSearchParams(text)) {
		const existing = out[key];
		if (existing === undefined) out[key] = value;
		else out[key] = Array.isArray(existing) ? [...(existing as string[]), value] : [existing as string, value];
	}
	return out;
}

function webhookHeaders(name: string, bytes: Buffer): IDataObject {
	const headers: IDataObject = {
		host: 'hooks.example.test',
		'user-agent': 'provider-webhooks/1.0',
		'content-type': name.endsWith('.txt') ? 'application/x-www-form-urlencoded' : 'application/json',
		'content-length': String(bytes.length),
	};
	for (const [key, value] of Object.entries(fixtureSignature(name))) if (key !== 'url') headers[key.toLowerCase()] = value;
	return headers;
}

function webhookItem(name: string, options: { rawBody?: boolean; body?: unknown } = {}): INodeExecutionData {
	const bytes = fixtureBytes(name);
	const parsed = name.endsWith('.txt') ? formRecord(bytes.toString('utf8')) : JSON.parse(bytes.toString('utf8'));
	const item: INodeExecutionData = {
		json: {
			headers: webhookHeaders(name, bytes),
			params: {},
			query: {},
			body: (options.body ?? parsed) as IDataObject,
			webhookUrl: 'https://n8n.example.test/webhook/inbound',
			executionMode: 'production',
		},
	};
	if (options.rawBody) {
		item.binary = { data: { data: bytes.toString('base64'), mimeType: String(item.json.headers && (item.json.headers as IDataObject)['content-type']) } };
	}
	return item;
}

/** The Meta verification GET as the Webhook node emits it: no body, the hub.* parameters in query. */
function verificationItem(): INodeExecutionData {
	const line = fixtureBytes('whatsapp-verification-get.txt').toString('utf8').split('\n')[0]!;
	const url = new URL(line.split(' ')[1]!, 'https://hooks.example.test');
	return {
		json: {
			headers: { host: url.host, 'user-agent': 'facebookexternalua' },
			params: {},
			query: Object.fromEntries(url.searchParams),
			body: {},
			webhookUrl: 'https://n8n.example.test/webhook/inbound',
			executionMode: 'production',
		},
	};
}

function normalizeNode(input: INodeExecutionData[], parameters: INodeParameters = {}, continueOnFail = false): Promise<SingleNodeResult> {
	return runNode({ nodeType: NODE, parameters: { operation: 'normalize', ...parameters }, input, continueOnFail });
}

/** The core's own answer for the same request (raw bytes as a webhook endpoint receives them). */
function coreResult(name: string, keepRaw = true) {
	return normalize(fixtureRequest(name), { keepRaw });
}

/** n8n copies item JSON between nodes; compare as JSON. */
function plain(value: unknown): unknown {
	return JSON.parse(JSON.stringify(value));
}

const unixIso = (seconds: string | number) => new Date(Number(seconds) * 1000).toISOString();

/** Adapters still being written elsewhere are placeholders without `normalize`: their tests wait. */
function waitsOn(platform: string): false | string {
	return findPlatform(platform)?.normalize ? false : `waits on the ${platform} adapter (still a placeholder)`;
}

type WhatsAppEnvelope = {
	entry: Array<{ changes: Array<{ value: { messages?: Array<Record<string, unknown>>; statuses?: Array<Record<string, unknown>>; contacts?: Array<{ profile: { name: string } }> } }> }>;
};

// ---------------------------------------------------------------------------------------------------

describe('Universal Message Normalize (n8n engine): normalize', () => {
	test('WhatsApp text from a Webhook item (parsed body) → one universal message, field by field', async () => {
		const name = 'whatsapp-message-text.json';
		const source = fixtureJson<WhatsAppEnvelope>(name).entry[0]!.changes[0]!.value;
		const sent = source.messages![0]! as { id: string; from: string; timestamp: string; text: { body: string } };

		const { items, error } = await normalizeNode([webhookItem(name)]);
		assert.equal(error, undefined);
		assert.equal(items.length, 1);
		const message = items[0]!.json;
		assert.equal(message.schema, 'switchboard.message/v1');
		assert.equal(message.id, `whatsapp:${sent.id}`);
		assert.equal(message.provider, 'whatsapp');
		assert.equal(message.channel, 'whatsapp');
		assert.equal(message.direction, 'inbound');
		assert.equal(message.providerMessageId, sent.id);
		assert.equal((message.sender as IDataObject).id, sent.from);
		assert.equal((message.sender as IDataObject).name, source.contacts![0]!.profile.name);
		assert.deepEqual(message.conversation, { id: sent.from, type: 'direct' });
		assert.equal(message.timestamp, unixIso(sent.timestamp));
		assert.deepEqual(message.parts, [{ type: 'text', text: sent.text.body, format: 'plain' }]);
		assert.deepEqual(message.raw, sent, 'Keep Raw Payload defaults to on and keeps the platform object unchanged');
		assert.deepEqual(items[0]!.pairedItem, { item: 0 });
		// The shell adds nothing and loses nothing.
		assert.deepEqual(items.map((i) => i.json), plain(coreResult(name).messages));
	});

	test('Raw Body option: the binary bytes are read, and win over a re-serialised json.body', async () => {
		const name = 'whatsapp-message-text.json';
		const sent = fixtureJson<WhatsAppEnvelope>(name).entry[0]!.changes[0]!.value.messages![0]! as { text: { body: string } };
		// Only the bytes carry the body (the Webhook node's binary mode leaves json.body empty).
		const onlyBytes = await normalizeNode([webhookItem(name, { rawBody: true, body: {} })]);
		assert.equal(onlyBytes.error, undefined);
		assert.equal((onlyBytes.items[0]!.json.parts as IDataObject[])[0]!.text, sent.text.body);

		// Both present and different: what was signed (the bytes) is what is read.
		const tampered = fixtureJson<WhatsAppEnvelope>(name);
		(tampered.entry[0]!.changes[0]!.value.messages![0]! as { text: { body: string } }).text.body = 'edited after parsing';
		const both = await normalizeNode([webhookItem(name, { rawBody: true, body: tampered })]);
		assert.equal((both.items[0]!.json.parts as IDataObject[])[0]!.text, sent.text.body);
		assert.deepEqual(both.items.map((i) => i.json), plain(coreResult(name).messages));
	});

	test('WhatsApp failed status → one delivery event with status, provider status, error code and retryability', async () => {
		const name = 'whatsapp-status-failed-131047.json';
		const status = fixtureJson<WhatsAppEnvelope>(name).entry[0]!.changes[0]!.value.statuses![0]! as {
			id: string;
			status: string;
			timestamp: string;
			recipient_id: string;
			errors: Array<{ code: number; message: string }>;
		};
		const { items, error } = await normalizeNode([webhookItem(name, { rawBody: true })]);
		assert.equal(error, undefined);
		assert.equal(items.length, 1);
		const event = items[0]!.json;
		assert.equal(event.schema, 'switchboard.event/v1');
		assert.equal(event.provider, 'whatsapp');
		assert.equal(event.providerMessageId, status.id);
		assert.equal(event.status, 'failed');
		assert.equal(event.providerStatus, status.status);
		assert.equal(event.timestamp, unixIso(status.timestamp));
		assert.equal(event.recipient, status.recipient_id);
		assert.equal((event.error as IDataObject).code, String(status.errors[0]!.code));
		assert.equal((event.error as IDataObject).message, status.errors[0]!.message);
		assert.equal((event.error as IDataObject).retryable, false, '131047 needs a template, not a retry (providers.md 0.2)');
		assert.deepEqual(items[0]!.pairedItem, { item: 0 });
	});

	test('Twilio form bodies (parsed and raw) → message with media, and a status event', async () => {
		const name = 'twilio-inbound-whatsapp-image.txt';
		const form = formRecord(fixtureBytes(name).toString('utf8'));
		for (const rawBody of [false, true]) {
			const { items, error } = await normalizeNode([webhookItem(name, { rawBody })]);
			assert.equal(error, undefined);
			assert.equal(items.length, 1);
			const message = items[0]!.json;
			assert.equal(message.schema, 'switchboard.message/v1');
			assert.equal(message.provider, 'twilio');
			assert.equal(message.channel, 'whatsapp');
			assert.equal(message.providerMessageId, form.MessageSid);
			assert.equal((message.sender as IDataObject).id, String(form.From).replace('whatsapp:', ''));
			assert.equal((message.sender as IDataObject).name, form.ProfileName);
			const media = (message.parts as IDataObject[])[0]!;
			assert.equal(media.type, 'media');
			assert.equal(media.kind, 'image');
			assert.equal(media.url, form.MediaUrl0);
			assert.equal(media.mimeType, form.MediaContentType0);
			assert.equal(media.caption, form.Body);
		}

		const statusName = 'twilio-status-undelivered-30003.txt';
		const statusForm = formRecord(fixtureBytes(statusName).toString('utf8'));
		const before = Date.now();
		const { items } = await normalizeNode([webhookItem(statusName)]);
		assert.equal(items.length, 1);
		const event = items[0]!.json;
		assert.equal(event.schema, 'switchboard.event/v1');
		assert.equal(event.providerMessageId, statusForm.MessageSid);
		assert.equal(event.status, 'failed');
		assert.equal(event.providerStatus, statusForm.MessageStatus);
		assert.equal(event.recipient, statusForm.To);
		assert.equal((event.error as IDataObject).code, statusForm.ErrorCode);
		// Twilio status callbacks carry no time: the node's clock is used.
		const at = Date.parse(String(event.timestamp));
		assert.ok(at >= before - 1000 && at <= Date.now() + 1000, `timestamp ${String(event.timestamp)} is now`);
	});

	test('a Meta delivery with two messages and a status → three items in order (messages, then events)', async () => {
		const envelope = fixtureJson<WhatsAppEnvelope>('whatsapp-message-text.json');
		const image = fixtureJson<WhatsAppEnvelope>('whatsapp-message-image.json').entry[0]!.changes[0]!.value.messages![0]!;
		const status = fixtureJson<WhatsAppEnvelope>('whatsapp-status-read.json').entry[0]!.changes[0]!.value.statuses![0]!;
		const value = envelope.entry[0]!.changes[0]!.value;
		value.messages!.push(image);
		value.statuses = [status];
		const { items, error } = await normalizeNode([{ json: { headers: { 'content-type': 'application/json' }, params: {}, query: {}, body: envelope as unknown as IDataObject } }]);
		assert.equal(error, undefined);
		assert.deepEqual(
			items.map((i) => [i.json.schema, i.json.providerMessageId]),
			[
				['switchboard.message/v1', value.messages![0]!.id],
				['switchboard.message/v1', image.id],
				['switchboard.event/v1', status.id],
			],
		);
		assert.equal((items[1]!.json.parts as IDataObject[])[0]!.kind, 'image');
		assert.equal(items[2]!.json.status, 'read');
		assert.ok(items.every((i) => (i.pairedItem as { item: number }).item === 0));
	});

	test('several input items → outputs in input order, each paired with its own item', async () => {
		const { items, error } = await normalizeNode([
			webhookItem('twilio-inbound-sms-text.txt'),
			webhookItem('whatsapp-message-text.json', { rawBody: true }),
			webhookItem('whatsapp-status-delivered.json'),
		]);
		assert.equal(error, undefined);
		assert.deepEqual(
			items.map((i) => [i.json.provider, i.json.schema, (i.pairedItem as { item: number }).item]),
			[
				['twilio', 'switchboard.message/v1', 0],
				['whatsapp', 'switchboard.message/v1', 1],
				['whatsapp', 'switchboard.event/v1', 2],
			],
		);
	});

	test('Meta verification GET → one handshake item with the answer to send', async () => {
		const item = verificationItem();
		const query = item.json.query as Record<string, string>;
		const { items, error } = await normalizeNode([item]);
		assert.equal(error, undefined);
		assert.equal(items.length, 1);
		assert.deepEqual(items[0]!.json, {
			handshake: {
				platform: 'whatsapp',
				kind: 'meta_subscribe',
				challenge: query['hub.challenge'],
				verifyToken: query['hub.verify_token'],
				response: { status: 200, contentType: 'text/plain', body: query['hub.challenge'] },
			},
		});
		assert.deepEqual(items[0]!.pairedItem, { item: 0 });
	});

	test('SendGrid: an array of N events → N items, in the order sent', { skip: waitsOn('sendgrid') }, async () => {
		const files = ['processed', 'delivered', 'open', 'click', 'bounce', 'spamreport', 'unsubscribe'].map((e) => `sendgrid-event-${e}.json`);
		const events = files.flatMap((f) => fixtureJson<Array<Record<string, unknown>>>(f));
		const expectedStatus: Record<string, string> = {
			processed: 'queued',
			delivered: 'delivered',
			open: 'opened',
			click: 'clicked',
			bounce: 'bounced',
			spamreport: 'complained',
			unsubscribe: 'unsubscribed',
		};
		const { items, error } = await normalizeNode([
			{ json: { headers: { 'content-type': 'application/json' }, params: {}, query: {}, body: events as unknown as IDataObject } },
		]);
		assert.equal(error, undefined);
		assert.equal(items.length, events.length);
		items.forEach((item, i) => {
			const sent = events[i]!;
			assert.equal(item.json.schema, 'switchboard.event/v1');
			assert.equal(item.json.provider, 'sendgrid');
			assert.equal(item.json.providerEventId, sent.sg_event_id);
			assert.equal(item.json.providerStatus, sent.event);
			assert.equal(item.json.status, expectedStatus[String(sent.event)] ?? (sent.type === 'blocked' ? 'failed' : 'bounced'));
			assert.equal(item.json.recipient, sent.email);
			assert.equal(item.json.timestamp, unixIso(sent.timestamp as number));
			assert.ok(String(sent.sg_message_id).startsWith(String(item.json.providerMessageId).split('.')[0]!));
			assert.deepEqual(item.pairedItem, { item: 0 });
		});
	});

	test('Telegram text update (raw body) → one message', { skip: waitsOn('telegram') }, async () => {
		const name = 'telegram-update-message-text.json';
		const update = fixtureJson<{ message: { message_id: number; date: number; text: string; from: { id: number; username: string }; chat: { id: number } } }>(name);
		const { items, error } = await normalizeNode([webhookItem(name, { rawBody: true })]);
		assert.equal(error, undefined);
		assert.equal(items.length, 1);
		const message = items[0]!.json;
		assert.equal(message.provider, 'telegram');
		assert.equal((message.sender as IDataObject).id, String(update.message.from.id));
		assert.equal((message.sender as IDataObject).handle, update.message.from.username);
		assert.equal((message.conversation as IDataObject).id, String(update.message.chat.id));
		assert.equal((message.conversation as IDataObject).type, 'direct');
		assert.equal(message.timestamp, unixIso(update.message.date));
		assert.equal((message.parts as IDataObject[])[0]!.text, update.message.text);
		assert.ok(String(message.providerMessageId).includes(String(update.message.message_id)));
		assert.deepEqual(items.map((i) => i.json), plain(coreResult(name).messages));
	});

	test('Slack url_verification → handshake item echoing the challenge', { skip: waitsOn('slack') }, async () => {
		const name = 'slack-event-url-verification.json';
		const body = fixtureJson<{ challenge: string }>(name);
		const { items, error } = await normalizeNode([webhookItem(name)]);
		assert.equal(error, undefined);
		assert.equal(items.length, 1);
		const handshake = items[0]!.json.handshake as IDataObject;
		assert.equal(handshake.platform, 'slack');
		assert.equal(handshake.kind, 'slack_url_verification');
		assert.equal(handshake.challenge, body.challenge);
		assert.equal((handshake.response as IDataObject).status, 200);
		assert.ok(String((handshake.response as IDataObject).body).includes(body.challenge));
	});

	test('Output "One Item With All" → one item per request with platform, messages and events', async () => {
		const name = 'whatsapp-status-read.json';
		const { items } = await normalizeNode([webhookItem(name), webhookItem('twilio-inbound-sms-text.txt')], { options: { output: 'all' } });
		assert.equal(items.length, 2);
		const core = coreResult(name);
		assert.deepEqual(items[0]!.json, plain({ platform: 'whatsapp', messages: [], events: core.events }));
		assert.equal(items[1]!.json.platform, 'twilio');
		assert.equal((items[1]!.json.messages as IDataObject[]).length, 1);
		assert.deepEqual(items[1]!.json.events, []);
		assert.deepEqual(
			items.map((i) => i.pairedItem),
			[{ item: 0 }, { item: 1 }],
		);
	});

	test('Keep Raw Payload off → no raw field', async () => {
		const { items } = await normalizeNode([webhookItem('whatsapp-message-text.json')], { options: { keepRaw: false } });
		assert.equal(items.length, 1);
		assert.equal('raw' in items[0]!.json, false);
		assert.deepEqual(items[0]!.json, plain(coreResult('whatsapp-message-text.json', false).messages[0]));
	});

	test('Input "JSON Property": body as JSON text in a nested property, headers from another', async () => {
		const name = 'whatsapp-message-text.json';
		const item = { json: { event: { payload: fixtureBytes(name).toString('utf8') }, meta: { headers: { 'Content-Type': 'application/json' } } } };
		const { items, error } = await normalizeNode([item], { inputMode: 'property', bodyProperty: 'event.payload', headersProperty: 'meta.headers' });
		assert.equal(error, undefined);
		assert.deepEqual(items.map((i) => i.json), plain(coreResult(name).messages));
	});

	test('explicit Platform: the named adapter is used; the wrong one fails with its JSON path', async () => {
		const name = 'whatsapp-message-text.json';
		const right = await normalizeNode([{ json: { body: fixtureJson(name) as IDataObject } }], { platform: 'whatsapp' });
		assert.equal(right.items[0]!.json.provider, 'whatsapp');

		const wrong = await normalizeNode([webhookItem(name)], { platform: 'twilio' });
		assert.equal(wrong.items.length, 0);
		assert.equal(wrong.error?.name, 'NodeOperationError');
		assert.equal((wrong.error?.context as IDataObject).code, 'PAYLOAD_MISMATCH');
		assert.match(wrong.error!.message, /^twilio payload does not match/);
	});

	test('garbage → NodeOperationError naming the failing item, with the core hint as description', async () => {
		const garbage: INodeExecutionData = { json: { headers: { 'content-type': 'application/json' }, params: {}, query: {}, body: { hello: 'world' } } };
		const { items, error, workflow } = await normalizeNode([webhookItem('whatsapp-message-text.json'), garbage]);
		assert.equal(workflow.status, 'error');
		assert.equal(items.length, 0);
		assert.ok(error);
		assert.equal(error.name, 'NodeOperationError');
		assert.equal((error.context as IDataObject).itemIndex, 1);
		assert.equal((error.context as IDataObject).code, 'UNRECOGNIZED_REQUEST');
		assert.match(error.message, /^Could not tell which platform sent this request\. Tried: whatsapp \(/);
		assert.equal(error.description, 'Set the platform explicitly, or check that the whole webhook body and headers are passed in.');

		// Truncated raw bytes: unreadable body, not a crash.
		const bytes = fixtureBytes('whatsapp-message-text.json');
		const truncated: INodeExecutionData = {
			json: { headers: { 'content-type': 'application/json' }, params: {}, query: {}, body: {} },
			binary: { data: { data: bytes.subarray(0, 120).toString('base64'), mimeType: 'application/json' } },
		};
		const broken = await normalizeNode([truncated]);
		assert.equal(broken.error?.name, 'NodeOperationError');
		assert.equal((broken.error?.context as IDataObject).itemIndex, 0);
		assert.equal((broken.error?.context as IDataObject).code, 'MALFORMED_BODY');
		assert.match(broken.error!.message, /^The request body is not valid JSON/);

		// Not Webhook output at all.
		const notWebhook = await normalizeNode(jsonItems({ text: 'hi' }));
		assert.equal((notWebhook.error?.context as IDataObject).code, 'MALFORMED_BODY');
		assert.match(String(notWebhook.error?.description), /Connect a Webhook node/);
	});

	test('Continue On Fail → an error item { error, code, hint } paired with the failing input; the rest still flows', async () => {
		const garbage: INodeExecutionData = { json: { headers: {}, params: {}, query: {}, body: { hello: 'world' } } };
		const { items, error } = await normalizeNode([garbage, webhookItem('whatsapp-message-text.json')], {}, true);
		assert.equal(error, undefined);
		assert.equal(items.length, 2);
		assert.deepEqual(items[0]!.pairedItem, { item: 0 });
		assert.equal(items[0]!.json.code, 'UNRECOGNIZED_REQUEST');
		assert.match(String(items[0]!.json.error), /^Could not tell which platform sent this request/);
		assert.equal(items[0]!.json.hint, 'Set the platform explicitly, or check that the whole webhook body and headers are passed in.');
		assert.deepEqual(Object.keys(items[0]!.json).sort(), ['code', 'error', 'hint']);
		assert.equal(items[1]!.json.schema, 'switchboard.message/v1');
		assert.deepEqual(items[1]!.pairedItem, { item: 1 });
	});

	test('Custom Mapping: bad JSON and a missing mapping are INVALID_MAPPING errors', async () => {
		const item = webhookItem('whatsapp-message-text.json');
		const badJson = await normalizeNode([item], { options: { customMapping: '{ "platform": ' } });
		assert.equal((badJson.error?.context as IDataObject).code, 'INVALID_MAPPING');
		assert.match(badJson.error!.message, /is not valid JSON/);

		const noPlatform = await normalizeNode([item], { options: { customMapping: '{ "fields": {} }' } });
		assert.equal((noPlatform.error?.context as IDataObject).code, 'INVALID_MAPPING');
		assert.match(noPlatform.error!.message, /"platform": is required/);

		const missing = await normalizeNode([item], { platform: 'customMapping' });
		assert.equal((missing.error?.context as IDataObject).code, 'INVALID_MAPPING');
		assert.match(String(missing.error?.description), /add the Custom Mapping option/);
	});

	test('Custom Mapping is passed through to the core as one CustomMapping (Scala360-style body)', { skip: customAdapterPending() }, async () => {
		const scala = {
			event: 'message',
			message: { id: 'S360-000172', from: '+5215512345678', text: 'Hola, necesito ayuda', ts: 1779981200 },
		};
		const mapping = {
			platform: 'scala360',
			channel: 'whatsapp' as const,
			fields: {
				providerMessageId: 'message.id',
				'sender.id': 'message.from',
				text: 'message.text',
				timestamp: 'message.ts',
			},
		};
		const { items, error } = await normalizeNode([{ json: { headers: { 'content-type': 'application/json' }, params: {}, query: {}, body: scala } }], {
			platform: 'customMapping',
			options: { customMapping: JSON.stringify(mapping) },
		});
		assert.equal(error, undefined, error?.message);
		assert.equal(items.length, 1);
		const message = items[0]!.json;
		assert.equal(message.schema, 'switchboard.message/v1');
		assert.equal(message.provider, 'scala360');
		assert.equal(message.providerMessageId, scala.message.id);
		assert.equal((message.sender as IDataObject).id, scala.message.from);
		assert.equal(message.timestamp, unixIso(scala.message.ts));
		assert.equal((message.parts as IDataObject[])[0]!.text, scala.message.text);
		// Same answer as the core given the same mapping.
		const core = normalize({ body: scala, headers: { 'content-type': 'application/json' } } as InboundRequest, { platform: 'scala360', customMappings: [mapping] });
		assert.deepEqual(items.map((i) => i.json), plain(core.messages));
	});
});

function customAdapterPending(): false | string {
	// The placeholder custom adapter has no normalize: the mapping cannot be read yet.
	try {
		const adapter = (require('../../core') as typeof import('../../core')).createCustomAdapter({ platform: 'probe', fields: {} });
		return adapter.normalize ? false : 'waits on the custom mapping adapter (still a placeholder)';
	} catch {
		return false;
	}
}

// ---------------------------------------------------------------------------------------------------

describe('Universal Message Normalize (n8n engine): render', () => {
	const outbound = {
		schema: 'switchboard.message/v1',
		id: 'msg-48213',
		channel: 'whatsapp',
		provider: 'whatsapp',
		direction: 'outbound',
		conversation: { id: '447700900321', type: 'direct' },
		recipients: [{ id: '447700900321' }],
		timestamp: '2026-05-28T14:31:02.000Z',
		parts: [{ type: 'text', text: 'Your order 48213 has shipped' }],
	};
	const slots = [1, 2, 3, 4].map((i) => ({ id: `slot_${i}`, title: `Thu ${12 + i}:00` }));
	const withButtons = { ...outbound, parts: [{ type: 'buttons', text: 'Pick a delivery slot', buttons: slots }] };

	const renderNode = (input: INodeExecutionData[], parameters: INodeParameters, continueOnFail = false) =>
		runNode({ nodeType: NODE, parameters: { operation: 'render', ...parameters }, input, continueOnFail });

	test('WhatsApp text: the Cloud API body, no degradations', { skip: !RENDER_PLATFORM_IDS.includes('whatsapp') && 'waits on the whatsapp adapter' }, async () => {
		const { items, error } = await renderNode(jsonItems(outbound), { renderPlatform: 'whatsapp' });
		assert.equal(error, undefined);
		assert.equal(items.length, 1);
		assert.deepEqual(items[0]!.json, {
			platform: 'whatsapp',
			payloads: [
				{
					endpoint: 'messages',
					contentType: 'application/json',
					body: { messaging_product: 'whatsapp', recipient_type: 'individual', to: '447700900321', type: 'text', text: { body: outbound.parts[0]!.text } },
				},
			],
			degradations: [],
		});
		assert.deepEqual(items[0]!.pairedItem, { item: 0 });
	});

	test('WhatsApp with four reply buttons → an interactive list, and the degradation is reported', { skip: !RENDER_PLATFORM_IDS.includes('whatsapp') && 'waits on the whatsapp adapter' }, async () => {
		const { items } = await renderNode(jsonItems(withButtons), { renderPlatform: 'whatsapp' });
		const output = items[0]!.json as { payloads: Array<{ body: { to: string; type: string; interactive: { type: string; body: { text: string }; action: { sections: Array<{ rows: Array<{ id: string; title: string }> }> } } } }>; degradations: IDataObject[] };
		assert.equal(output.payloads.length, 1);
		const body = output.payloads[0]!.body;
		assert.equal(body.type, 'interactive');
		assert.equal(body.interactive.type, 'list');
		assert.equal(body.interactive.body.text, 'Pick a delivery slot');
		assert.deepEqual(
			body.interactive.action.sections.flatMap((s) => s.rows.map((r) => ({ id: r.id, title: r.title }))),
			slots,
		);
		assert.equal(output.degradations.length, 1);
		assert.equal(output.degradations[0]!.partIndex, 0);
		assert.equal(output.degradations[0]!.from, 'buttons');
		assert.equal(output.degradations[0]!.to, 'list');
	});

	test('Twilio SMS: buttons become numbered text; To and From options fill the form body', { skip: !RENDER_PLATFORM_IDS.includes('twilio') && 'waits on the twilio adapter' }, async () => {
		const sms = { ...withButtons, channel: 'sms', provider: 'twilio', conversation: { id: '+447700900321', type: 'direct' }, recipients: [{ id: '+447700900321' }] };
		const { items } = await renderNode([{ json: { message: sms } }], {
			renderPlatform: 'twilio',
			messageSource: 'property',
			messageProperty: 'message',
			renderOptions: { to: '+447700900999', from: '+15005550123' },
		});
		const output = items[0]!.json as { platform: string; payloads: Array<{ contentType: string; body: Record<string, string> }>; degradations: IDataObject[] };
		assert.equal(output.platform, 'twilio');
		assert.equal(output.payloads.length, 1);
		assert.equal(output.payloads[0]!.contentType, 'application/x-www-form-urlencoded');
		assert.equal(output.payloads[0]!.body.To, '+447700900999');
		assert.equal(output.payloads[0]!.body.From, '+15005550123');
		assert.equal(output.payloads[0]!.body.Body, ['Pick a delivery slot', ...slots.map((s, i) => `${i + 1}. ${s.title}`)].join('\n'));
		assert.deepEqual(
			output.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[[0, 'buttons', 'text']],
		);
	});

	test('an invalid message → NodeOperationError naming the field; Continue On Fail → error item', async () => {
		const bad = { ...outbound, parts: [] };
		const failed = await renderNode(jsonItems(outbound, bad), { renderPlatform: RENDER_PLATFORM_IDS[0] ?? 'whatsapp' });
		assert.equal(failed.error?.name, 'NodeOperationError');
		assert.equal((failed.error?.context as IDataObject).itemIndex, 1);
		assert.equal((failed.error?.context as IDataObject).code, 'INVALID_MESSAGE');
		assert.match(failed.error!.message, /parts/);

		const continued = await renderNode(jsonItems(bad), { renderPlatform: RENDER_PLATFORM_IDS[0] ?? 'whatsapp' }, true);
		assert.equal(continued.items.length, 1);
		assert.equal(continued.items[0]!.json.code, 'INVALID_MESSAGE');
		assert.deepEqual(continued.items[0]!.pairedItem, { item: 0 });
	});

	test('Normalize → Render in one workflow: a WhatsApp inbound message answered through Twilio', { skip: !RENDER_PLATFORM_IDS.includes('twilio') && 'waits on the twilio adapter' }, async () => {
		const name = 'whatsapp-message-text.json';
		const sent = fixtureJson<WhatsAppEnvelope>(name).entry[0]!.changes[0]!.value.messages![0]! as { from: string; text: { body: string } };
		const run = await runWorkflow({
			nodes: [
				{ name: 'Normalize', type: NODE, parameters: { operation: 'normalize' } },
				// An inbound message's recipient is the business number: the reply goes to its sender,
				// set with an n8n expression as an analyst would.
				{
					name: 'Render',
					type: NODE,
					parameters: { operation: 'render', renderPlatform: 'twilio', renderOptions: { to: '={{ $json.sender.phone }}', from: '+15005550123' } },
				},
			],
			connections: {
				[START_NODE_NAME]: { main: [[{ node: 'Normalize', type: 'main', index: 0 }]] },
				Normalize: { main: [[{ node: 'Render', type: 'main', index: 0 }]] },
			},
			input: [webhookItem(name, { rawBody: true })],
		});
		assert.equal(run.status, 'success');
		assert.deepEqual(run.executionOrder, [START_NODE_NAME, 'Normalize', 'Render']);
		const rendered = run.nodes.Render!.items[0]!.json as { payloads: Array<{ body: Record<string, string> }> };
		assert.equal(rendered.payloads[0]!.body.Body, sent.text.body);
		assert.equal(rendered.payloads[0]!.body.To, `whatsapp:+${sent.from}`, 'replies to the sender, on WhatsApp');
		assert.equal(rendered.payloads[0]!.body.From, 'whatsapp:+15005550123');
		assert.deepEqual(run.nodes.Render!.items[0]!.pairedItem, { item: 0 });
	});
});

// ---------------------------------------------------------------------------------------------------

describe('Universal Message Normalize (n8n engine): node description', () => {
	test('Platform options come from the core registry, with the adapters\' display names', async () => {
		const pkg = await loadPackage();
		const type = pkg.nodeTypes.get(`${pkg.packageName}.${NODE}`) as INodeType;
		const properties = type.description.properties;
		const platform = properties.find((p) => p.name === 'platform')!;
		const options = platform.options as INodePropertyOptions[];
		assert.equal(platform.default, 'auto');
		assert.deepEqual(options[0]!.value, 'auto');
		assert.deepEqual(options.at(-1)!.value, 'customMapping');
		const listed = options.slice(1, -1);
		assert.deepEqual(
			listed.map((o) => o.value).sort(),
			PLATFORMS.map((p) => p.id).sort(),
		);
		for (const option of listed) assert.equal(option.name, findPlatform(String(option.value))!.name);

		const renderPlatform = properties.find((p) => p.name === 'renderPlatform')!;
		assert.deepEqual(
			(renderPlatform.options as INodePropertyOptions[]).map((o) => o.value).sort(),
			[...RENDER_PLATFORM_IDS].sort(),
		);
	});
});
