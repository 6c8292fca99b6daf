/**
 * The declarative custom-format adapter (seed 004), tested through the public entry points:
 * normalize(request, { customMappings }) and render(message, platform, { customMapping }).
 *
 * The two provider formats here (Scala360-like batches, Knry-like single messages) are invented but
 * plausible; docs/custom-mapping.md shows the same payloads and mappings as worked examples.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
	AmbiguousRequestError,
	InvalidMappingError,
	MalformedBodyError,
	PayloadMismatchError,
	RenderError,
	UnknownPlatformError,
	UnrecognizedRequestError,
} from '../../../core/errors';
import { normalize } from '../../../core/normalize';
import { createCustomAdapter, parseCustomMapping, type CustomMapping } from '../../../core/platforms/custom';
import { findPlatform } from '../../../core/platforms/registry';
import type { PlatformPayload } from '../../../core/platforms/types';
import { render } from '../../../core/render';
import { parseRequest, type InboundRequest } from '../../../core/request';
import { messageSchema, MESSAGE_SCHEMA_ID, type Message, type Part } from '../../../core/schema/message';
import { arbMessage } from '../../support/arbitraries';
import { fixtureRequest } from '../../support/fixtures';
import { assertDetectsExactly, assertValidOutput, expectMismatch, jsonRequest, outboundMessages } from '../../support/platform-test-kit';

const NOW = new Date('2026-01-02T03:04:05.000Z');
const now = () => NOW;

// ---------------------------------------------------------------------------------------------------
// Scala360-like: a batch envelope with messages and delivery statuses in one POST.

const scalaMapping = {
	platform: 'scala360',
	name: 'Scala360 WhatsApp',
	channel: 'whatsapp',
	detect: { path: 'source', equals: 'scala360' },
	messages: 'data.messages',
	fields: {
		providerMessageId: 'id',
		'sender.id': 'contact.phone',
		'sender.name': 'contact.name',
		'conversation.id': 'contact.phone',
		'conversation.type': '=direct',
		'recipient.id': '$.account.channel_number',
		timestamp: 'sent_at',
		text: 'message.text',
		'media.url': 'message.media.url',
		'media.kind': 'message.type',
		'media.mimeType': 'message.media.mime',
		'media.caption': 'message.media.caption',
		'media.filename': 'message.media.filename',
		replyTo: 'context.id',
	},
	values: { 'media.kind': { picture: 'image', doc: 'document', voicenote: 'voice' } },
	metadata: { campaign: 'meta.campaign_id', account: '$.account.id' },
	events: {
		path: 'data.statuses',
		fields: {
			providerMessageId: 'message_id',
			status: 'state',
			timestamp: 'ts',
			recipient: 'to',
			'error.code': 'err.code',
			'error.message': 'err.text',
		},
		values: { status: { DELIVERED: 'delivered', SEEN: 'read', REJECTED: 'failed' } },
	},
} satisfies CustomMapping;

function scalaBody() {
	return {
		source: 'scala360',
		event: 'webhook.batch',
		account: { id: 'acc_7781', channel_number: '+5215550001111' },
		data: {
			messages: [
				{
					id: 's360-msg-0001',
					sent_at: '2026-05-28T14:31:02Z',
					contact: { phone: '+5215512345678', name: 'Lucía Fernández', locale: 'es_MX' },
					message: { type: 'text', text: 'Hola, ¿mi pedido ya salió?' },
					meta: { campaign_id: 'cmp_42', agent: null },
				},
				{
					id: 's360-msg-0002',
					sent_at: 1779981069,
					contact: { phone: '+5215512345678', name: 'Lucía Fernández' },
					message: {
						type: 'picture',
						media: { url: 'https://media.scala360.example/f/9a1.jpg', mime: 'image/jpeg', caption: 'Así llegó la caja' },
					},
					context: { id: 's360-msg-0001' },
				},
				{
					id: 's360-msg-0003',
					sent_at: '1779981075',
					contact: { phone: '+5215587654321' },
					message: {
						type: 'doc',
						media: { url: 'https://media.scala360.example/f/factura.pdf', mime: 'application/pdf', filename: 'factura.pdf' },
					},
				},
			],
			statuses: [
				{ message_id: 's360-out-9001', state: 'DELIVERED', ts: 1779981300, to: '+5215512345678' },
				{ message_id: 's360-out-9002', state: 'REJECTED', ts: 1779981300123, to: '+5215512345678', err: { code: 470, text: 'Re-engagement window expired' } },
				{ message_id: 's360-out-9003', state: 'ON_HOLD', to: '+5215512345678' },
			],
		},
	};
}


// ---------------------------------------------------------------------------------------------------
// Knry-like: one message (or one status) per POST, told apart by "type"; identified by a header.

const knryMapping = {
	platform: 'knry',
	channel: 'whatsapp',
	detect: { header: 'X-Knry-Account' },
	fields: {
		providerMessageId: 'msg_uid',
		'sender.id': 'from',
		'sender.name': ['from_name', 'profile.display_name'],
		'recipient.id': 'to',
		'conversation.id': 'chat.id',
		'conversation.type': 'chat.kind',
		timestamp: 'created',
		text: 'body',
		'media.url': 'attachment.link',
		'media.kind': 'attachment.kind',
		'media.mimeType': 'attachment.mime',
		'media.caption': 'attachment.caption',
		'location.latitude': 'location.lat',
		'location.longitude': 'location.lng',
		'location.name': 'location.label',
		'interactive.id': 'button.payload',
		'interactive.title': 'button.label',
		replyTo: 'quoted_uid',
	},
	values: {
		'media.kind': { photo: 'image', clip: 'video', voice_note: 'voice', file: 'document' },
		'conversation.type': { private: 'direct', group: 'group' },
	},
	metadata: { tags: 'tags' },
	events: {
		when: { path: 'type', equals: 'status' },
		fields: {
			providerMessageId: 'ref',
			status: 'status',
			timestamp: 'at',
			recipient: 'recipient',
			'error.code': 'error.code',
			'error.message': 'error.detail',
			'error.retryable': 'error.retry',
		},
		values: { status: { seen: 'read', sent_to_carrier: 'sent', undeliverable: 'failed' } },
	},
} satisfies CustomMapping;

const KNRY_HEADERS = { 'X-Knry-Account': 'acct_mx_01' };

const knryText = {
	type: 'message',
	msg_uid: 'knry_01HZY8K2V9',
	from: 5215512345678,
	from_name: 'Lucía Fernández',
	to: '5215550001111',
	chat: { id: 'c_5215512345678', kind: 'private' },
	created: 1779981062,
	body: 'Quiero cambiar la dirección de entrega',
	attachment: null,
	quoted_uid: null,
	button: null,
	tags: ['vip', 'mx'],
	knry_internal: { shard: 7 },
};

/** A Knry message without text, to which each test adds its content. */
const { body: _text, ...knryNoText } = knryText;

function normalizeScala(request: InboundRequest = jsonRequest(scalaBody()), keepRaw = true) {
	return normalize(request, { customMappings: [scalaMapping], now, keepRaw });
}

function normalizeKnry(body: unknown, keepRaw = true) {
	return normalize(jsonRequest(body, KNRY_HEADERS), { customMappings: [knryMapping], now, keepRaw });
}


// ---------------------------------------------------------------------------------------------------

describe('custom mapping: Scala360-like batches', () => {
	test('auto-detects and reads every message and status, in order, field by field', () => {
		const result = normalizeScala();
		assert.equal(result.platform, 'scala360');
		assertValidOutput(result);
		assert.equal(result.messages.length, 3);
		assert.equal(result.events.length, 3);

		const [first, second, third] = result.messages as [Message, Message, Message];
		assert.equal(first.schema, MESSAGE_SCHEMA_ID);
		assert.equal(first.id, 'scala360:s360-msg-0001');
		assert.equal(first.providerMessageId, 's360-msg-0001');
		assert.equal(first.provider, 'scala360');
		assert.equal(first.channel, 'whatsapp');
		assert.equal(first.direction, 'inbound');
		assert.deepEqual(first.sender, { id: '+5215512345678', name: 'Lucía Fernández' });
		assert.deepEqual(first.conversation, { id: '+5215512345678', type: 'direct' });
		assert.deepEqual(first.recipients, [{ id: '+5215550001111' }]);
		assert.equal(first.timestamp, '2026-05-28T14:31:02.000Z');
		assert.deepEqual(first.parts, [{ type: 'text', text: 'Hola, ¿mi pedido ya salió?', format: 'plain' }]);
		assert.deepEqual(first.metadata, { campaign: 'cmp_42', account: 'acc_7781' });
		assert.equal(first.replyTo, undefined);
		assert.equal(first.raw, scalaBodyRawMessage(0, first.raw));

		assert.equal(second.id, 'scala360:s360-msg-0002');
		assert.equal(second.timestamp, '2026-05-28T15:11:09.000Z'); // unix seconds
		assert.deepEqual(second.parts, [
			{ type: 'media', kind: 'image', url: 'https://media.scala360.example/f/9a1.jpg', mimeType: 'image/jpeg', caption: 'Así llegó la caja' },
		]);
		assert.deepEqual(second.replyTo, { messageId: 's360-msg-0001' });
		assert.deepEqual(second.metadata, { account: 'acc_7781' });

		assert.equal(third.timestamp, '2026-05-28T15:11:15.000Z'); // unix seconds as a digit string
		assert.deepEqual(third.sender, { id: '+5215587654321' });
		assert.deepEqual(third.conversation, { id: '+5215587654321', type: 'direct' });
		assert.deepEqual(third.parts, [
			{ type: 'media', kind: 'document', url: 'https://media.scala360.example/f/factura.pdf', mimeType: 'application/pdf', filename: 'factura.pdf' },
		]);

		const [delivered, rejected, onHold] = result.events;
		assert.equal(delivered!.providerMessageId, 's360-out-9001');
		assert.equal(delivered!.status, 'delivered');
		assert.equal(delivered!.providerStatus, 'DELIVERED');
		assert.equal(delivered!.timestamp, '2026-05-28T15:15:00.000Z');
		assert.equal(delivered!.recipient, '+5215512345678');
		assert.equal(delivered!.error, undefined);
		assert.equal(delivered!.channel, 'whatsapp');
		assert.equal(delivered!.provider, 'scala360');
		assert.match(delivered!.id, /^scala360:[0-9a-f]{32}$/);

		assert.equal(rejected!.status, 'failed');
		assert.equal(rejected!.providerStatus, 'REJECTED');
		assert.equal(rejected!.timestamp, '2026-05-28T15:15:00.123Z'); // milliseconds
		assert.deepEqual(rejected!.error, { code: '470', message: 'Re-engagement window expired' });

		// Not in the vocabulary nor in values.status: unknown, the provider's word kept.
		assert.equal(onHold!.status, 'unknown');
		assert.equal(onHold!.providerStatus, 'ON_HOLD');
		assert.equal(onHold!.timestamp, NOW.toISOString()); // no timestamp sent → the injected clock
		assert.notEqual(onHold!.id, delivered!.id);
	});

	test('the same body as bytes, as a string and as a parsed object gives the same result', () => {
		const fromBytes = normalizeScala();
		const fromString = normalizeScala({ body: JSON.stringify(scalaBody()) });
		const fromObject = normalizeScala({ body: scalaBody() });
		assert.deepEqual(fromString, fromBytes);
		assert.deepEqual(fromObject, fromBytes);
	});

	test('event ids are stable across re-deliveries, message ids come from the provider id', () => {
		const a = normalizeScala();
		const b = normalizeScala({ body: scalaBody() });
		assert.deepEqual(
			a.events.map((e) => e.id),
			b.events.map((e) => e.id),
		);
		assert.equal(new Set(a.events.map((e) => e.id)).size, 3);
	});

	test('keepRaw: false leaves raw out; keepRaw keeps the provider object itself', () => {
		const without = normalizeScala(undefined, false);
		assert.equal('raw' in without.messages[0]!, false);
		assert.equal('raw' in without.events[0]!, false);
		const body = scalaBody();
		const withRaw = normalizeScala({ body });
		assert.equal(withRaw.messages[1]!.raw, body.data.messages[1]);
		assert.equal(withRaw.events[2]!.raw, body.data.statuses[2]);
	});

	test('a body with only statuses (no messages list) gives only events; an empty list gives none', () => {
		const body = scalaBody() as { data: Record<string, unknown> };
		delete body.data.messages;
		const onlyEvents = normalizeScala({ body });
		assert.equal(onlyEvents.messages.length, 0);
		assert.deepEqual(
			onlyEvents.events.map((e) => e.providerMessageId),
			['s360-out-9001', 's360-out-9002', 's360-out-9003'],
		);
		const empty = normalizeScala({ body: { source: 'scala360', data: { messages: [] } } });
		assert.deepEqual([empty.messages.length, empty.events.length], [0, 0]);
	});

	test('unknown extra fields everywhere are accepted and kept in raw', () => {
		const body = scalaBody() as ReturnType<typeof scalaBody> & { extra: unknown };
		body.extra = { nested: [1, 2, 3] };
		(body.data.messages[0] as Record<string, unknown>).surprise = { deep: true };
		const result = normalizeScala({ body });
		assert.equal(result.messages.length, 3);
		assert.deepEqual((result.messages[0]!.raw as Record<string, unknown>).surprise, { deep: true });
	});
});

/** The raw of a message is the very object of the payload (identity is checked elsewhere). */
function scalaBodyRawMessage(index: number, raw: unknown): unknown {
	assert.deepEqual(raw, scalaBody().data.messages[index]);
	return raw;
}

describe('custom mapping: Knry-like single messages', () => {
	test('text message: numbers become text ids, value tables translate, metadata copies', () => {
		const result = normalizeKnry(knryText);
		assert.equal(result.platform, 'knry');
		assertValidOutput(result);
		assert.equal(result.events.length, 0);
		const [m] = result.messages as [Message];
		assert.equal(m.id, 'knry:knry_01HZY8K2V9');
		assert.deepEqual(m.sender, { id: '5215512345678', name: 'Lucía Fernández' });
		assert.deepEqual(m.recipients, [{ id: '5215550001111' }]);
		assert.deepEqual(m.conversation, { id: 'c_5215512345678', type: 'direct' });
		assert.equal(m.timestamp, '2026-05-28T15:11:02.000Z');
		assert.deepEqual(m.parts, [{ type: 'text', text: 'Quiero cambiar la dirección de entrega', format: 'plain' }]);
		assert.deepEqual(m.metadata, { tags: ['vip', 'mx'] });
		assert.equal(m.replyTo, undefined);
	});

	test('photo with caption, replying to a message; a second name path is tried when the first is missing', () => {
		const body = {
			type: 'message',
			msg_uid: 'knry_02',
			from: '5215512345678',
			profile: { display_name: 'Lucy' },
			chat: { id: 'g_889', kind: 'group' },
			created: 1779981300123,
			attachment: { kind: 'photo', link: 'https://files.knry.example/a/77.jpg', mime: 'image/jpeg', caption: 'Foto del paquete' },
			quoted_uid: 'knry_01HZY8K2V9',
		};
		const [m] = normalizeKnry(body).messages as [Message];
		assert.deepEqual(m.sender, { id: '5215512345678', name: 'Lucy' });
		assert.deepEqual(m.conversation, { id: 'g_889', type: 'group' });
		assert.equal(m.timestamp, '2026-05-28T15:15:00.123Z');
		assert.deepEqual(m.parts, [
			{ type: 'media', kind: 'image', url: 'https://files.knry.example/a/77.jpg', mimeType: 'image/jpeg', caption: 'Foto del paquete' },
		]);
		assert.deepEqual(m.replyTo, { messageId: 'knry_01HZY8K2V9' });
		assert.deepEqual(m.recipients, []);
	});

	test('a button press is one interactive_reply part (the repeated title is not a second text part)', () => {
		const body = { ...knryText, msg_uid: 'knry_03', body: 'Sí, confirmar', button: { payload: 'confirm_yes', label: 'Sí, confirmar' } };
		const [m] = normalizeKnry(body).messages as [Message];
		assert.deepEqual(m.parts, [{ type: 'interactive_reply', id: 'confirm_yes', title: 'Sí, confirmar', source: 'button' }]);
	});

	test('text different from the button title is kept as its own part, before the choice', () => {
		const body = { ...knryText, msg_uid: 'knry_03b', body: 'ok', button: { payload: 'confirm_yes', label: 'Sí' } };
		const [m] = normalizeKnry(body).messages as [Message];
		assert.deepEqual(
			m.parts.map((p) => p.type),
			['text', 'interactive_reply'],
		);
	});

	test('location', () => {
		const body = { ...knryNoText, msg_uid: 'knry_04', location: { lat: 19.4326, lng: '-99.1332', label: 'Oficina' } };
		const [m] = normalizeKnry(body).messages as [Message];
		assert.deepEqual(m.parts, [{ type: 'location', latitude: 19.4326, longitude: -99.1332, name: 'Oficina' }]);
	});

	test('a media kind that is neither universal nor in the table becomes an unsupported part holding the original', () => {
		const body = { ...knryNoText, msg_uid: 'knry_05', attachment: { kind: 'hologram', link: 'https://files.knry.example/h/1.holo' } };
		const [m] = normalizeKnry(body).messages as [Message];
		assert.equal(m.parts.length, 1);
		const part = m.parts[0] as Extract<Part, { type: 'unsupported' }>;
		assert.equal(part.type, 'unsupported');
		assert.equal(part.platformType, 'hologram');
		assert.match(part.reason!, /values\["media\.kind"\]/);
		assert.deepEqual(part.original, body);
	});

	test('a universal kind word works without a table entry (case-insensitive)', () => {
		const body = { ...knryNoText, msg_uid: 'knry_06', attachment: { kind: 'AUDIO', link: 'https://files.knry.example/a.ogg' } };
		const [m] = normalizeKnry(body).messages as [Message];
		assert.deepEqual(m.parts, [{ type: 'media', kind: 'audio', url: 'https://files.knry.example/a.ogg' }]);
	});

	test('status bodies are recognised by events.when and read as delivery events', () => {
		const seen = { type: 'status', ref: 'knry_out_5531', status: 'seen', at: '2026-05-28T08:35:00-06:00', recipient: '5215512345678' };
		const result = normalizeKnry(seen);
		assertValidOutput(result);
		assert.equal(result.messages.length, 0);
		const [event] = result.events;
		assert.equal(event!.providerMessageId, 'knry_out_5531');
		assert.equal(event!.status, 'read');
		assert.equal(event!.providerStatus, 'seen');
		assert.equal(event!.timestamp, '2026-05-28T14:35:00.000Z');
		assert.equal(event!.recipient, '5215512345678');

		const failed = { type: 'status', ref: 'knry_out_5532', status: 'undeliverable', at: 1779981305, error: { code: 'E1002', detail: 'Number not on WhatsApp', retry: 'false' } };
		const [f] = normalizeKnry(failed).events;
		assert.equal(f!.status, 'failed');
		assert.deepEqual(f!.error, { code: 'E1002', message: 'Number not on WhatsApp', retryable: false });
		assert.equal(f!.timestamp, '2026-05-28T15:15:05.000Z');

		// A vocabulary word the table does not list still maps (case-insensitively).
		assert.equal(normalizeKnry({ ...seen, status: 'Delivered' }).events[0]!.status, 'delivered');
	});

	test('a status-only format: events without fields', () => {
		const receipts = {
			platform: 'receipts',
			detect: { header: 'x-receipt-source' },
			events: { path: 'receipts', fields: { providerMessageId: 'msg', status: '=delivered', timestamp: 'when', providerEventId: 'rid' } },
		} satisfies CustomMapping;
		const request = jsonRequest({ receipts: [{ msg: 'o-1', when: 1779981300, rid: 'r-1' }, { msg: 'o-2', rid: 'r-2' }] }, { 'X-Receipt-Source': 'hub' });
		const result = normalize(request, { customMappings: [receipts], now });
		assertValidOutput(result);
		assert.equal(result.messages.length, 0);
		assert.deepEqual(
			result.events.map((e) => [e.id, e.providerMessageId, e.status, e.providerStatus, e.timestamp, e.providerEventId]),
			[
				['receipts:r-1', 'o-1', 'delivered', 'delivered', '2026-05-28T15:15:00.000Z', 'r-1'],
				['receipts:r-2', 'o-2', 'delivered', 'delivered', NOW.toISOString(), 'r-2'],
			],
		);
		mismatch(() => normalize(jsonRequest({ other: 1 }, { 'X-Receipt-Source': 'hub' }), { customMappings: [receipts] }), 'receipts', /status reports at "receipts"/, 'receipts');
		assert.throws(() => render(outbound([{ type: 'text', text: 'x', format: 'plain' }]), 'receipts', { customMapping: receipts }), RenderError);
	});

	test('a list body is a batch of messages, kept in order', () => {
		const batch = [knryText, { ...knryText, msg_uid: 'knry_b2', body: 'segundo' }, { ...knryText, msg_uid: 'knry_b3', body: 'tercero' }];
		const result = normalizeKnry(batch);
		assert.deepEqual(
			result.messages.map((m) => m.providerMessageId),
			['knry_01HZY8K2V9', 'knry_b2', 'knry_b3'],
		);
	});

	test('form-encoded bodies work with the same paths', () => {
		const request: InboundRequest = {
			body: 'msg_uid=knry_f1&from=5215512345678&body=Hola+desde+un+formulario&created=2026-05-28T14%3A31%3A02Z',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...KNRY_HEADERS },
		};
		const [m] = normalize(request, { customMappings: [knryMapping], now }).messages as [Message];
		assert.equal(m.providerMessageId, 'knry_f1');
		assert.deepEqual(m.parts, [{ type: 'text', text: 'Hola desde un formulario', format: 'plain' }]);
		assert.equal(m.timestamp, '2026-05-28T14:31:02.000Z');
	});

	test('no timestamp and no provider id: the clock, and a stable id derived from the content', () => {
		const body = { from: '5215512345678', body: 'sin id' };
		const a = normalizeKnry(body).messages[0]!;
		const b = normalizeKnry({ ...body }).messages[0]!;
		assert.equal(a.timestamp, NOW.toISOString());
		assert.match(a.id, /^knry:[0-9a-f]{32}$/);
		assert.equal(a.id, b.id);
		assert.notEqual(normalizeKnry({ ...body, body: 'otro' }).messages[0]!.id, a.id);
		assert.equal(a.providerMessageId, undefined);
	});

	test('missingContent: "keep" turns a message without mapped content into an unsupported part', () => {
		const mapping = { ...knryMapping, platform: 'knry_keep', missingContent: 'keep' } satisfies CustomMapping;
		const body = { msg_uid: 'knry_sticker', from: '521', sticker_pack: 'cats', sticker_id: 9 };
		const [m] = normalize(jsonRequest(body), { platform: 'knry_keep', customMappings: [mapping], now }).messages as [Message];
		assert.equal(m.parts.length, 1);
		const part = m.parts[0] as Extract<Part, { type: 'unsupported' }>;
		assert.equal(part.type, 'unsupported');
		assert.deepEqual(part.original, body);
		assert.match(part.reason!, /text at "body"/);
		assert.equal(messageSchema.safeParse(m).success, true);
	});
});

// ---------------------------------------------------------------------------------------------------

describe('custom mapping: detection', () => {
	test('detect is optional: without it the mapping works when named, and is listed as such when guessing', () => {
		const { detect: _unused, ...named } = scalaMapping;
		const result = normalize({ body: scalaBody(), platform: 'scala360' }, { customMappings: [named], now });
		assert.equal(result.messages.length, 3);
		assert.throws(
			() => normalize({ body: scalaBody() }, { customMappings: [named] }),
			(error: unknown) =>
				error instanceof UnrecognizedRequestError &&
				error.tried.some((t) => t.platform === 'scala360' && t.reason === 'only used when named explicitly'),
		);
	});

	test('a body that does not match gives UnrecognizedRequestError saying why', () => {
		const body = { ...scalaBody(), source: 'other-provider' };
		assert.throws(
			() => normalize(jsonRequest(body), { customMappings: [scalaMapping, knryMapping] }),
			(error: unknown) => {
				assert.ok(error instanceof UnrecognizedRequestError);
				const scala = error.tried.find((t) => t.platform === 'scala360');
				const knry = error.tried.find((t) => t.platform === 'knry');
				assert.equal(scala?.reason, '"source" is "other-provider", not "scala360"');
				assert.equal(knry?.reason, 'no x-knry-account header');
				assert.match(error.message, /scala360 \("source" is "other-provider", not "scala360"\)/);
				return true;
			},
		);
		assert.throws(
			() => normalize(jsonRequest({ hello: 'world' }), { customMappings: [scalaMapping] }),
			(error: unknown) => error instanceof UnrecognizedRequestError && error.tried.some((t) => t.reason === 'no "source" in the body'),
		);
	});

	test('header equals and several conditions (all must hold)', () => {
		const mapping = {
			...knryMapping,
			platform: 'knry_mx',
			detect: [{ header: 'x-knry-account', equals: 'acct_mx_01' }, { path: 'msg_uid' }],
		} satisfies CustomMapping;
		const adapter = createCustomAdapter(mapping);
		const matches = (body: unknown, headers: Record<string, string>) =>
			adapter.detect!(parseRequest({ body, headers: { 'content-type': 'application/json', ...headers } }));
		assert.deepEqual(matches(knryText, { 'X-Knry-Account': 'acct_mx_01' }), { match: true });
		assert.deepEqual(matches(knryText, { 'X-Knry-Account': 'acct_co_02' }), { match: false, reason: 'header x-knry-account is not "acct_mx_01"' });
		assert.deepEqual(matches({ from: '1' }, { 'X-Knry-Account': 'acct_mx_01' }), { match: false, reason: 'no "msg_uid" in the body' });
	});

	test('equals compares as text: "360" matches the number 360', () => {
		const adapter = createCustomAdapter({ ...scalaMapping, platform: 'numeric', detect: { path: 'version', equals: '360' } });
		assert.deepEqual(adapter.detect!(parseRequest({ body: { version: 360 } })), { match: true });
		assert.equal(adapter.detect!(parseRequest({ body: { version: 361 } })).match, false);
		assert.equal(adapter.detect!(parseRequest({ body: 'plain text, not json' })).match, false);
	});

	test('the example mappings claim none of the provider fixtures', () => {
		for (const adapter of [createCustomAdapter(scalaMapping), createCustomAdapter(knryMapping)]) assertDetectsExactly(adapter.detect!, () => false);
	});

	test('two mappings that both match are refused as ambiguous, not guessed', () => {
		const twin = { ...scalaMapping, platform: 'scala360_copy' } satisfies CustomMapping;
		assert.throws(
			() => normalize(jsonRequest(scalaBody()), { customMappings: [scalaMapping, twin] }),
			(error: unknown) => error instanceof AmbiguousRequestError && error.candidates.join() === 'scala360,scala360_copy',
		);
	});

	const lookalike = {
		platform: 'meta_lookalike',
		detect: { path: 'object', equals: 'whatsapp_business_account' },
		messages: 'entry[0].changes[0].value.messages',
		fields: { 'sender.id': 'from', text: 'text.body', providerMessageId: 'id', timestamp: 'timestamp' },
	} satisfies CustomMapping;

	test('a mapping whose detect matches a WhatsApp body does match it (precondition of the next test)', () => {
		const request = parseRequest(fixtureRequest('whatsapp-message-text.json'));
		assert.deepEqual(createCustomAdapter(lookalike).detect!(request), { match: true });
		const result = normalize(fixtureRequest('whatsapp-message-text.json'), { platform: 'meta_lookalike', customMappings: [lookalike] });
		assert.equal(result.messages[0]!.sender!.id, '447700900321');
		assert.equal(result.messages[0]!.timestamp, new Date(1779981200 * 1000).toISOString());
	});

	test(
		'…and next to the built-in WhatsApp adapter it is reported as ambiguous',
		{ skip: findPlatform('whatsapp')?.detect ? false : 'the built-in whatsapp adapter has no detect yet' },
		() => {
			assert.throws(
				() => normalize(fixtureRequest('whatsapp-message-text.json'), { customMappings: [lookalike] }),
				(error: unknown) =>
					error instanceof AmbiguousRequestError && error.candidates.includes('whatsapp') && error.candidates.includes('meta_lookalike'),
			);
		},
	);

	test('an unknown platform name lists the custom ones too', () => {
		assert.throws(
			() => normalize({ body: {}, platform: 'scala36' }, { customMappings: [scalaMapping] }),
			(error: unknown) => error instanceof UnknownPlatformError && /scala360/.test(error.description),
		);
	});
});

// ---------------------------------------------------------------------------------------------------

type Mutation = (m: Record<string, unknown>) => unknown;

function withFields(extra: Record<string, unknown>, drop: string[] = []): Mutation {
	return (m) => {
		const fields: Record<string, unknown> = { ...(m.fields as Record<string, unknown>), ...extra };
		for (const d of drop) delete fields[d];
		return { ...m, fields };
	};
}

function mappingError(mutate: Mutation, base: CustomMapping = scalaMapping): InvalidMappingError {
	const input = mutate(structuredClone(base) as unknown as Record<string, unknown>);
	try {
		createCustomAdapter(input as CustomMapping);
	} catch (error) {
		assert.ok(error instanceof InvalidMappingError, `expected InvalidMappingError, got ${String(error)}`);
		assert.equal(error.code, 'INVALID_MAPPING');
		// Through normalize too: the same error reaches the caller.
		assert.throws(() => normalize(jsonRequest(scalaBody()), { customMappings: [input as CustomMapping] }), InvalidMappingError);
		return error;
	}
	assert.fail(`mapping was accepted: ${JSON.stringify(input)}`);
}

describe('custom mapping: every class of mapping error names the setting and the fix', () => {
	const cases: Array<{ name: string; mutate: Mutation; field: string; message: RegExp; hint?: RegExp }> = [
		// path syntax
		{ name: 'double dot', mutate: withFields({ 'sender.id': 'contact..phone' }), field: 'fields.sender.id', message: /path "contact\.\.phone" is not valid/, hint: /use dots between names and \[0\] for list items/ },
		{ name: 'trailing dot', mutate: withFields({ text: 'message.' }), field: 'fields.text', message: /ends with a dot/ },
		{ name: 'wildcard', mutate: withFields({ text: 'messages[*].text' }), field: 'fields.text', message: /\[\*\] is not supported/, hint: /point "messages"/ },
		{ name: 'non-numeric index', mutate: withFields({ text: 'message[first]' }), field: 'fields.text', message: /\[first\] is not a list position/, hint: /\["name"\]/ },
		{ name: 'unclosed bracket', mutate: withFields({ text: 'items[0' }), field: 'fields.text', message: /never closed/ },
		{ name: 'spaces', mutate: withFields({ text: 'message. text' }), field: 'fields.text', message: /spaces around "text"/ },
		{ name: 'empty path', mutate: withFields({ text: '' }), field: 'fields.text', message: /the path is empty/ },
		{ name: 'bad path in a fallback list', mutate: withFields({ 'sender.name': ['contact.name', 'profile..name'] }), field: 'fields.sender.name[1]', message: /profile\.\.name/ },
		{ name: '"$" not followed by a dot', mutate: (m) => ({ ...m, messages: '$data.messages' }), field: 'messages', message: /"\$data\.messages" is not valid/, hint: /"\$\.account\.id"/ },
		{ name: 'bad detect path', mutate: (m) => ({ ...m, detect: { path: 'a..b' } }), field: 'detect.path', message: /"a\.\.b"/ },
		{ name: 'bad events path', mutate: (m) => ({ ...m, events: { ...(m.events as object), path: 'data.[0]' } }), field: 'events.path', message: /is not valid/ },
		{ name: '__proto__', mutate: withFields({ text: 'a.__proto__.b' }), field: 'fields.text', message: /reserved name "__proto__"/ },
		// unknown names, with the closest valid one
		{ name: 'unknown field, near miss', mutate: withFields({ 'sender.phone_number': 'contact.phone' }), field: 'fields.sender.phone_number', message: /"sender\.phone_number" is not a universal field/, hint: /did you mean "sender\.phone"\?/ },
		{ name: 'unknown field, typo', mutate: withFields({ 'conversaton.id': 'contact.phone' }), field: 'fields.conversaton.id', message: /not a universal field/, hint: /did you mean "conversation\.id"\?/ },
		{ name: 'unknown field, common alias', mutate: withFields({ from: 'contact.phone' }), field: 'fields.from', message: /not a universal field/, hint: /did you mean "sender\.id"\?/ },
		{ name: 'status field among message fields', mutate: withFields({ status: 'state' }), field: 'fields.status', message: /does not belong here/, hint: /move it to events\.fields/ },
		{ name: 'unknown event field', mutate: (m) => ({ ...m, events: { ...(m.events as Record<string, unknown>), fields: { ...((m.events as Record<string, Record<string, unknown>>).fields), stauts: 'x' } } }), field: 'events.fields.stauts', message: /not a universal field/, hint: /did you mean "status"\?/ },
		{ name: 'unknown top-level setting', mutate: (m) => ({ ...m, feilds: {} }), field: 'feilds', message: /unknown setting "feilds"/, hint: /did you mean "fields"\?/ },
		{ name: 'universal field at top level', mutate: (m) => ({ ...m, text: 'message.text' }), field: 'text', message: /unknown setting "text"/, hint: /put it inside "fields"/ },
		{ name: 'unknown key in detect', mutate: (m) => ({ ...m, detect: { path: 'source', equal: 'scala360' } }), field: 'detect.equal', message: /unknown setting "equal"/, hint: /did you mean "equals"\?/ },
		{ name: 'channel typo', mutate: (m) => ({ ...m, channel: 'whatsap' }), field: 'channel', message: /"whatsap" is not a channel/, hint: /did you mean "whatsapp"\?/ },
		// required fields
		{ name: 'missing sender.id', mutate: withFields({}, ['sender.id']), field: 'fields.sender.id', message: /sender\.id is required/, hint: /add "sender\.id": "<path>"/ },
		{ name: 'no content field', mutate: withFields({}, ['text', 'media.url']), field: 'fields', message: /no content field is mapped/, hint: /"text", "media\.url"/ },
		{ name: 'no fields at all', mutate: (m) => ({ platform: m.platform }), field: 'fields', message: /is missing/, hint: /"sender\.id"/ },
		{ name: 'missing platform', mutate: (m) => ({ ...m, platform: undefined }), field: 'platform', message: /is missing/, hint: /"scala360"/ },
		{ name: 'half a location', mutate: withFields({ 'location.latitude': 'loc.lat' }), field: 'fields.location.longitude', message: /needs both/ },
		{ name: 'events without status', mutate: (m) => ({ ...m, events: { path: 'statuses', fields: { providerMessageId: 'id' } } }), field: 'events.fields.status', message: /status is required/ },
		{ name: 'events that cannot be told from messages', mutate: (m) => ({ ...m, messages: undefined, events: { fields: { providerMessageId: 'id', status: 'state' } } }), field: 'events', message: /cannot tell a status report from a message/, hint: /"when"/ },
		// wrong types
		{ name: 'number as path', mutate: withFields({ text: 5 }), field: 'fields.text', message: /is number 5, not a path/, hint: /a path such as "message\.text", a list of paths tried in order, or "=value"/ },
		{ name: 'empty path list', mutate: withFields({ text: [] }), field: 'fields.text', message: /is an empty list, not a path/ },
		{ name: 'number inside a path list', mutate: withFields({ text: ['message.text', 3] }), field: 'fields.text[1]', message: /is number 3, not a path/, hint: /in quotes/ },
		{ name: 'fields as a list', mutate: (m) => ({ ...m, fields: ['sender.id'] }), field: 'fields', message: /is a list, not an object/, hint: /universal field → path pairs/ },
		{ name: 'detect as a string', mutate: (m) => ({ ...m, detect: 'source' }), field: 'detect', message: /is the text "source", not a condition/, hint: /\{"path": "source", "equals": "scala360"\}/ },
		{ name: 'detect equals an object', mutate: (m) => ({ ...m, detect: { path: 'source', equals: { a: 1 } } }), field: 'detect.equals', message: /is an object/, hint: /a text, a number or true\/false/ },
		{ name: 'detect with both path and header', mutate: (m) => ({ ...m, detect: { path: 'source', header: 'x-a' } }), field: 'detect', message: /exactly one of "path" or "header"/ },
		{ name: 'table value not a string', mutate: (m) => ({ ...m, values: { 'media.kind': { picture: 1 } } }), field: 'values.media.kind.picture', message: /is number 1, not a universal value/ },
		{ name: 'mapping not an object', mutate: () => [], field: '(mapping)', message: /is an empty list, not a mapping/, hint: /JSON object/ },
		{ name: 'mapping is broken JSON text', mutate: () => '{"platform": "x",', field: '(mapping)', message: /is not valid JSON/ },
		{ name: 'missingContent option', mutate: (m) => ({ ...m, missingContent: 'ignore' }), field: 'missingContent', message: /"ignore" is not an option/, hint: /"keep"/ },
		// values tables and constants
		{ name: 'table target outside the vocabulary', mutate: (m) => ({ ...m, values: { 'media.kind': { picture: 'photo' } } }), field: 'values.media.kind.picture', message: /"photo" is not a valid media\.kind/, hint: /image, video, audio, voice, document, sticker/ },
		{ name: 'table for an unmapped field', mutate: (m) => ({ ...m, values: { 'interactive.source': { btn: 'button' } } }), field: 'values.interactive.source', message: /interactive\.source is not in fields/ },
		{ name: 'table for a free-text field', mutate: (m) => ({ ...m, values: { text: { a: 'b' } } }), field: 'values.text', message: /"text" has no translation table/ },
		{ name: 'status table outside events', mutate: (m) => ({ ...m, values: { status: { SEEN: 'read' } } }), field: 'values.status', message: /"status" translates status reports/, hint: /move this table to events\.values/ },
		{ name: 'event status table target', mutate: (m) => ({ ...m, events: { ...(m.events as object), values: { status: { SEEN: 'seen' } } } }), field: 'events.values.status.SEEN', message: /"seen" is not a valid status/ },
		{ name: 'constant outside the vocabulary', mutate: withFields({ 'conversation.type': '=dm' }), field: 'fields.conversation.type', message: /"dm" is not a valid conversation\.type/, hint: /direct, group, channel, thread/ },
		{ name: 'constant near the vocabulary', mutate: withFields({ 'conversation.type': '=Direct' }), field: 'fields.conversation.type', message: /not a valid/, hint: /did you mean "=direct"\?/ },
		{ name: 'constant for a payload-only field', mutate: withFields({ timestamp: '=2026-01-01' }), field: 'fields.timestamp', message: /timestamp cannot be a fixed value/ },
		{ name: 'empty constant', mutate: withFields({ 'sender.name': '=' }), field: 'fields.sender.name', message: /fixed value after "=" is empty/ },
		{ name: 'constant of the wrong type', mutate: (m) => ({ ...m, events: { ...(m.events as Record<string, unknown>), fields: { ...((m.events as Record<string, Record<string, unknown>>).fields), 'error.retryable': '=maybe' } } }), field: 'events.fields.error.retryable', message: /is not true or false/ },
		// platform name
		{ name: 'platform with capitals and spaces', mutate: (m) => ({ ...m, platform: 'Scala 360' }), field: 'platform', message: /"Scala 360" is not a valid name/, hint: /"scala_360"/ },
		{ name: 'platform of a built-in', mutate: (m) => ({ ...m, platform: 'whatsapp' }), field: 'platform', message: /is a built-in platform/, hint: /"whatsapp_custom"/ },
	];

	for (const c of cases) {
		test(c.name, () => {
			const error = mappingError(c.mutate);
			assert.equal(error.field, c.field);
			assert.match(error.message, c.message);
			assert.ok(error.message.startsWith(`Custom mapping field "${c.field}": `), error.message);
			if (c.hint) assert.match(error.hint ?? '', c.hint);
			assert.match(error.description, / — /);
		});
	}

	test('the example from the brief reads as one line for the analyst', () => {
		const error = mappingError(withFields({ 'sender.id': 'contact..phone' }));
		assert.equal(
			error.description,
			'Custom mapping field "fields.sender.id": path "contact..phone" is not valid — use dots between names and [0] for list items, e.g. "contact.phone" or "messages[0].text"',
		);
	});

	test('several problems: the first is named and the rest counted', () => {
		const error = mappingError(withFields({ text: 'a..b', 'sender.name': 'c..d' }));
		assert.equal(error.field, 'fields.sender.name');
		assert.match(error.message, /\(1 more problem after this one\)/);
	});

	test('a valid mapping is accepted as an object or as JSON text (what a node setting holds)', () => {
		const fromText = createCustomAdapter(JSON.stringify(scalaMapping));
		assert.equal(fromText.id, 'scala360');
		assert.equal(fromText.name, 'Scala360 WhatsApp');
		assert.equal(fromText.channel, 'whatsapp');
		const parsed = parseCustomMapping(JSON.stringify(knryMapping));
		assert.equal(parsed.platform, 'knry');
		// Compiled once: the same content gives the same adapter.
		assert.equal(createCustomAdapter(structuredClone(scalaMapping)), createCustomAdapter(scalaMapping));
	});

	test('quoted names and "$." paths are valid', () => {
		const mapping = {
			platform: 'quoted',
			fields: { 'sender.id': '["user.id"]', text: 'payload["text body"]', 'recipient.id': '$.to' },
		} satisfies CustomMapping;
		const [m] = normalize({ body: { 'user.id': 'u1', payload: { 'text body': 'hi' }, to: 'bot' }, platform: 'quoted' }, { customMappings: [mapping], now })
			.messages as [Message];
		assert.deepEqual(m.sender, { id: 'u1' });
		assert.deepEqual(m.recipients, [{ id: 'bot' }]);
		assert.deepEqual(m.parts, [{ type: 'text', text: 'hi', format: 'plain' }]);
	});
});

// ---------------------------------------------------------------------------------------------------

function mismatch(fn: () => unknown, path: string, expected?: RegExp, platform = 'scala360'): void {
	expectMismatch(fn, platform, path, expected);
}

describe('custom mapping: payloads that do not match name the path', () => {
	test('a message without any mapped content names the platform and the path of the content', () => {
		const body = scalaBody();
		(body.data.messages[2] as Record<string, unknown>).message = { type: 'sticker', sticker: { id: 'st_1' } };
		mismatch(() => normalizeScala({ body }), 'data.messages[2].message.text', /text at "message\.text", or media\.url at "message\.media\.url"/);
	});

	test('missing sender, bad timestamp, non-text id', () => {
		const noSender = scalaBody();
		delete (noSender.data.messages[1] as Record<string, unknown>).contact;
		mismatch(() => normalizeScala({ body: noSender }), 'data.messages[1].contact.phone', /sender id/);

		const badTime = scalaBody();
		(badTime.data.messages[0] as Record<string, unknown>).sent_at = 'yesterday-ish';
		mismatch(() => normalizeScala({ body: badTime }), 'data.messages[0].sent_at', /a date for timestamp/);

		const objectId = scalaBody();
		(objectId.data.messages[0] as Record<string, unknown>).id = { nested: true };
		mismatch(() => normalizeScala({ body: objectId }), 'data.messages[0].id', /text or a number for providerMessageId/);
	});

	test('the messages path holding the wrong thing', () => {
		mismatch(() => normalizeScala({ body: { source: 'scala360', data: { messages: 'none' } } }), 'data.messages', /a list of messages/);
		mismatch(() => normalizeScala({ body: { source: 'scala360', data: { messages: [scalaBody().data.messages[0], 42] } } }), 'data.messages[1]', /a message object/);
		mismatch(() => normalizeScala({ body: { source: 'scala360', data: {} } }), 'data.messages', /a list of messages, or status reports at "data\.statuses"/);
	});

	test('statuses: missing id or status word', () => {
		const body = scalaBody();
		delete (body.data.statuses[1] as Record<string, unknown>).message_id;
		mismatch(() => normalizeScala({ body }), 'data.statuses[1].message_id', /id of the message the status is about/);
		const noState = scalaBody();
		delete (noState.data.statuses[0] as Record<string, unknown>).state;
		mismatch(() => normalizeScala({ body: noState }), 'data.statuses[0].state', /the status word/);
	});

	test('values outside the mapping: conversation type, location range, boolean', () => {
		mismatch(() => normalizeKnry({ ...knryText, chat: { id: 'c1', kind: 'broadcast' } }), 'chat.kind', /one of direct, group, channel, thread.*values\["conversation\.type"\]/, 'knry');
		mismatch(() => normalizeKnry({ ...knryNoText, location: { lat: 123, lng: 0 } }), 'location.lat', /between -90 and 90/, 'knry');
		mismatch(() => normalizeKnry({ ...knryNoText, location: { lat: 12 } }), 'location.lng', /longitude/, 'knry');
		mismatch(() => normalizeKnry({ type: 'status', ref: 'r', status: 'seen', error: { retry: 'perhaps' } }), 'error.retry', /true or false/, 'knry');
	});

	test('truncated, garbage and empty bodies', () => {
		const text = JSON.stringify(scalaBody());
		assert.throws(() => normalizeScala({ body: text.slice(0, text.length / 2), platform: 'scala360' }), MalformedBodyError);
		assert.throws(() => normalizeScala({ body: '', platform: 'scala360' }), MalformedBodyError);
		assert.throws(() => normalizeScala({ body: 'hello there', platform: 'scala360' }), MalformedBodyError);
		mismatch(() => normalizeScala({ body: '42', platform: 'scala360', headers: { 'content-type': 'application/json' } }), '', /a JSON object or list/);
		// Garbage that parses: every mapped path simply is not there.
		mismatch(() => normalizeScala({ body: { source: 'scala360', data: [1, 2] } }), 'data.messages', /a list of messages/);
	});

	test('fuzz: random JSON under a matching envelope only ever throws SwitchboardErrors', () => {
		fc.assert(
			fc.property(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 3 }), (messages, statuses) => {
				try {
					normalizeScala({ body: { source: 'scala360', data: { messages, statuses } } });
				} catch (error) {
					assert.ok(error instanceof PayloadMismatchError || error instanceof MalformedBodyError, String(error));
				}
			}),
			{ numRuns: 300 },
		);
	});
});

// ---------------------------------------------------------------------------------------------------

const outbound = outboundMessages({
	id: 'out-1',
	channel: 'whatsapp',
	provider: 'scala360',
	conversation: { id: '+5215512345678', type: 'direct' },
	timestamp: '2026-05-28T14:40:00.000Z',
	metadata: {},
});

describe('custom mapping: render back into the provider format', () => {
	test('capabilities follow the mapping', () => {
		const scala = createCustomAdapter(scalaMapping).renderCapabilities!;
		assert.deepEqual([...scala.parts].sort(), ['media', 'text']);
		assert.deepEqual([...scala.textFormats], ['plain']);
		const knry = createCustomAdapter(knryMapping).renderCapabilities!;
		assert.deepEqual([...knry.parts].sort(), ['interactive_reply', 'location', 'media', 'text']);
		const fixedKind = createCustomAdapter({ ...scalaMapping, platform: 'fixed', fields: { ...scalaMapping.fields, 'media.kind': '=image' }, values: undefined });
		assert.deepEqual([...fixedKind.renderCapabilities!.mediaKinds!], ['image']);
	});

	test('text reply: the same paths, written into a new object; fixed values are not written', () => {
		const result = render(outbound([{ type: 'text', text: 'Sí, salió hoy', format: 'plain' }], { replyTo: { messageId: 's360-msg-0001' } }), 'scala360', {
			customMapping: scalaMapping,
		});
		assert.equal(result.platform, 'scala360');
		assert.deepEqual(result.degradations, []);
		assert.deepEqual(result.payloads, [
			{
				endpoint: 'scala360',
				contentType: 'application/json',
				body: {
					contact: { phone: '+5215512345678' },
					sent_at: '2026-05-28T14:40:00.000Z',
					context: { id: 's360-msg-0001' },
					message: { text: 'Sí, salió hoy' },
				},
			},
		]);
	});

	test('mixed content: one payload per part, in order; media kind through the table in reverse; replyTo on the first only', () => {
		const message = outbound(
			[
				{ type: 'text', text: 'Aquí está su factura', format: 'plain' },
				{ type: 'media', kind: 'document', url: 'https://cdn.example.test/f.pdf', mimeType: 'application/pdf', filename: 'f.pdf', caption: 'Factura' },
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/p.jpg' },
			],
			{ replyTo: { messageId: 'in-1' }, metadata: { campaign: 'cmp_9', unrelated: true } },
		);
		const { payloads, degradations } = render(message, 'scala360', { customMapping: scalaMapping, to: '+5215599990000' });
		assert.deepEqual(degradations, []);
		assert.equal(payloads.length, 3);
		assert.deepEqual(payloads[0]!.body, {
			contact: { phone: '+5215599990000' },
			sent_at: '2026-05-28T14:40:00.000Z',
			context: { id: 'in-1' },
			meta: { campaign_id: 'cmp_9' },
			message: { text: 'Aquí está su factura' },
		});
		assert.deepEqual(payloads[1]!.body, {
			contact: { phone: '+5215599990000' },
			sent_at: '2026-05-28T14:40:00.000Z',
			meta: { campaign_id: 'cmp_9' },
			message: { media: { url: 'https://cdn.example.test/f.pdf', mime: 'application/pdf', filename: 'f.pdf', caption: 'Factura' }, type: 'doc' },
		});
		assert.deepEqual((payloads[2]!.body.message as Record<string, unknown>).type, 'picture');
		assert.ok(payloads.every((p) => p.endpoint === 'scala360' && p.contentType === 'application/json'));
	});

	test('separate recipient and conversation paths; sender from options.from', () => {
		const message = outbound([{ type: 'text', text: 'hola', format: 'plain' }], {
			conversation: { id: 'g_889', type: 'group' },
			recipients: [{ id: '5215512345678', name: 'Lucía' }],
		});
		const [payload] = render(message, 'knry', { customMapping: knryMapping, from: '5215550001111' }).payloads;
		assert.deepEqual(payload!.body, {
			from: '5215550001111',
			chat: { id: 'g_889', kind: 'group' },
			to: '5215512345678',
			created: '2026-05-28T14:40:00.000Z',
			body: 'hola',
		});
	});

	test('what the mapping cannot hold is reported: degraded parts, missing caption/kind paths, no recipient path', () => {
		const minimal = { platform: 'minimal', fields: { 'sender.id': 'from', text: 'text', 'media.url': 'file' } } satisfies CustomMapping;
		const message = outbound([
			{ type: 'buttons', text: 'Elija', buttons: [{ id: 'a', title: 'Uno', action: 'reply' }, { id: 'b', title: 'Dos', action: 'reply' }] },
			{ type: 'media', kind: 'video', url: 'https://cdn.example.test/v.mp4', caption: 'Mire' },
			{ type: 'location', latitude: 19.43, longitude: -99.13, name: 'Oficina' },
		]);
		const { payloads, degradations } = render(message, 'minimal', { customMapping: minimal });
		assert.deepEqual(
			payloads.map((p) => p.body),
			[
				{ text: 'Elija\n1. Uno\n2. Dos' },
				{ file: 'https://cdn.example.test/v.mp4', text: 'Mire' },
				{ text: 'Oficina\nhttps://maps.google.com/?q=19.43,-99.13' },
			],
		);
		const summary = degradations.map((d) => `${d.partIndex}:${d.from}→${d.to}`);
		assert.deepEqual(summary, ['0:buttons→text', '2:location→text', '-1:recipient→dropped', '1:media.caption→text', '1:media→media']);
		assert.match(degradations.find((d) => d.from === 'media')!.reason, /no path for kind \(video\)/);
	});

	test('a mapping with no media path sends media as a link in the text (degrade.ts), and no text path drops text with a report', () => {
		const textOnly = { platform: 'textonly', fields: { 'sender.id': 'from', 'conversation.id': 'chat', text: 'msg' } } satisfies CustomMapping;
		const { payloads, degradations } = render(outbound([{ type: 'media', kind: 'image', url: 'https://cdn.example.test/i.jpg', caption: 'Foto' }]), 'textonly', { customMapping: textOnly });
		assert.deepEqual(payloads.map((p) => p.body), [{ chat: '+5215512345678', msg: 'Foto\nhttps://cdn.example.test/i.jpg' }]);
		assert.deepEqual(degradations.map((d) => `${d.from}→${d.to}`), ['media→text']);

		const mediaOnly = { platform: 'mediaonly', fields: { 'sender.id': 'from', 'conversation.id': 'chat', 'media.url': 'file' } } satisfies CustomMapping;
		const result = render(outbound([{ type: 'text', text: 'hola', format: 'plain' }, { type: 'media', kind: 'image', url: 'https://cdn.example.test/i.jpg' }]), 'mediaonly', { customMapping: mediaOnly });
		assert.deepEqual(result.payloads.map((p) => p.body), [{ chat: '+5215512345678', file: 'https://cdn.example.test/i.jpg' }]);
		assert.ok(result.degradations.some((d) => d.partIndex === 0 && d.from === 'text' && d.to === 'dropped'));
	});

	test('a mapping with only a provider file id: ids are written, a link-only media goes into the text', () => {
		const byId = { platform: 'byid', fields: { 'sender.id': 'from', 'conversation.id': 'to', text: 'text', 'media.id': 'file_id', 'media.kind': 'kind' } } satisfies CustomMapping;
		const { payloads, degradations } = render(
			outbound([
				{ type: 'media', kind: 'image', mediaId: 'F-77', url: 'https://cdn.example.test/i.jpg' },
				{ type: 'media', kind: 'video', url: 'https://cdn.example.test/v.mp4', caption: 'Mire' },
			]),
			'byid',
			{ customMapping: byId },
		);
		assert.deepEqual(payloads.map((p) => p.body), [
			{ to: '+5215512345678', file_id: 'F-77', kind: 'image' },
			{ to: '+5215512345678', text: 'Mire\nhttps://cdn.example.test/v.mp4' },
		]);
		assert.deepEqual(degradations.map((d) => `${d.partIndex}:${d.from}→${d.to}`), ['0:media→media', '1:media→text']);
		assert.match(degradations[0]!.reason, /no path for url/);
	});

	test('text formats: a mapped format path carries markdown both ways through its table', () => {
		const formatted = {
			platform: 'formatted',
			fields: { 'sender.id': 'from', 'conversation.id': 'to', text: 'text', 'text.format': 'fmt' },
			values: { 'text.format': { md: 'markdown', txt: 'plain' } },
		} satisfies CustomMapping;
		const [m] = normalize({ body: { from: 'u1', text: '*hola*', fmt: 'md' }, platform: 'formatted' }, { customMappings: [formatted], now }).messages as [Message];
		assert.deepEqual(m.parts, [{ type: 'text', text: '*hola*', format: 'markdown' }]);
		const { payloads, degradations } = render(outbound([{ type: 'text', text: '*hola*', format: 'markdown' }]), 'formatted', { customMapping: formatted });
		assert.deepEqual(degradations, []);
		assert.deepEqual(payloads[0]!.body, { to: '+5215512345678', text: '*hola*', fmt: 'md' });
		// Without a format path, markdown is flattened to plain text (and reported).
		const plainOnly = render(outbound([{ type: 'text', text: '**hola**', format: 'markdown' }]), 'scala360', { customMapping: scalaMapping });
		assert.equal((plainOnly.payloads[0]!.body.message as Record<string, unknown>).text, 'hola');
		assert.deepEqual(plainOnly.degradations.map((d) => `${d.from}→${d.to}`), ['text/markdown→text/plain']);
	});

	test('render resolves the mapping only for its own platform name', () => {
		assert.throws(() => render(outbound([{ type: 'text', text: 'x', format: 'plain' }]), 'knry', { customMapping: scalaMapping }), UnknownPlatformError);
	});
});

// ---------------------------------------------------------------------------------------------------
// Round trip: normalize(deliver(render(m))) keeps text and media content.

/** Scala360 delivering rendered bodies back inbound: the batch envelope, an id and the contact. */
function deliverScala(payloads: PlatformPayload[]): InboundRequest {
	return jsonRequest({
		source: 'scala360',
		account: { id: 'acc_7781', channel_number: '+5215550001111' },
		data: { messages: payloads.map((p, i) => ({ ...p.body, id: `rt-${i}` })) },
	});
}

/** Knry delivers one message per POST, stamping its id and the sender. */
function deliverKnry(payload: PlatformPayload, index: number): InboundRequest {
	return jsonRequest({ type: 'message', ...payload.body, msg_uid: `rt-${index}`, from: '5215512345678' }, KNRY_HEADERS);
}

function content(parts: readonly Part[]): unknown[] {
	return parts.map((p) => (p.type === 'text' ? { text: p.text } : p.type === 'media' ? { kind: p.kind, url: p.url, caption: p.caption } : p));
}

describe('custom mapping: round trip render → normalize', () => {
	test('Scala360 batch envelope: text and media (kind through the value table both ways)', () => {
		fc.assert(
			fc.property(arbMessage('whatsapp', 'scala360', ['text', 'media']), (message) => {
				const { payloads, degradations } = render(message, 'scala360', { customMapping: scalaMapping });
				assert.deepEqual(degradations, []);
				const result = normalize(deliverScala(payloads), { customMappings: [scalaMapping], now });
				assert.deepEqual(content(result.messages.flatMap((m) => m.parts)), content(message.parts));
				for (const m of result.messages) {
					assert.equal(m.conversation.id, message.conversation.id);
					assert.equal(m.timestamp, message.timestamp);
				}
			}),
			{ numRuns: 150 },
		);
	});

	test('Knry single messages: text and media', () => {
		fc.assert(
			fc.property(arbMessage('whatsapp', 'knry', ['text', 'media']), (message) => {
				const { payloads } = render(message, 'knry', { customMapping: knryMapping });
				const parts = payloads.flatMap((p, i) => normalize(deliverKnry(p, i), { customMappings: [knryMapping], now }).messages.flatMap((m) => m.parts));
				assert.deepEqual(content(parts), content(message.parts));
			}),
			{ numRuns: 150 },
		);
	});
});
