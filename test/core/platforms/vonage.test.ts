import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MalformedBodyError, RenderError } from '../../../core/errors';
import { normalize } from '../../../core/normalize';
import { detectVonage } from '../../../core/platforms/vonage';
import { mapVonageStatus } from '../../../core/platforms/vonage/map-vonage-status';
import { render } from '../../../core/render';
import { parseRequest, type InboundRequest } from '../../../core/request';
import { type DeliveryEvent, type Message, type Part } from '../../../core/schema/message';
import { arbMessage } from '../../support/arbitraries';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureRequest, fixtureSignature } from '../../support/fixtures';
import { deliverVonage } from '../../support/inbound/vonage';
import { JSON_HEADERS, roundTrip, assertDetectsExactly, assertTruncationsTyped, assertWrongTypesTyped, carriedContent as content, jsonRequest as json, mismatchOf, normalizeFixture, onlyEvent as onlyEventOf, onlyMessage as onlyMessageOf, outboundMessages } from '../../support/platform-test-kit';

const NOW = '2026-05-28T16:00:00.000Z';
const now = () => new Date(NOW);
const VONAGE_FIXTURES = fixtureNames().filter((n) => n.startsWith('vonage-'));

const onlyMessage = (request: InboundRequest): Message => onlyMessageOf(request, 'vonage', { now });
const onlyEvent = (name: string): DeliveryEvent => onlyEventOf(fixtureRequest(name), 'vonage', { now });
const mismatch = mismatchOf('vonage');

const INBOUND = {
	channel: 'whatsapp',
	message_uuid: 'cccccccc-dddd-4eee-8fff-0123456789ab',
	to: '447700900000',
	from: '447700900321',
	timestamp: '2026-05-28T15:22:00.123Z',
	profile: { name: 'Priya Natarajan' },
};

const outbound = outboundMessages({ id: 'msg_1', channel: 'whatsapp', provider: 'vonage', conversation: { id: '+447700900321', type: 'direct' } });

describe('vonage fixtures', () => {
	it('has the six Vonage fixtures', () => assert.equal(VONAGE_FIXTURES.length, 6));

	for (const name of VONAGE_FIXTURES) {
		it(`${name}: auto-detected from bytes, string and parsed JSON alike, and schema-valid`, () => {
			const fromBytes = normalizeFixture(name, 'vonage', { now });
			assert.equal(fromBytes.messages.length + fromBytes.events.length, 1);
		});
	}

	it('detect() claims exactly the Vonage fixtures', () => {
		assertDetectsExactly(detectVonage, (name) => name.startsWith('vonage-'));
	});

	it('detect() also recognises the signed JWT (iss Vonage) alone, and no other issuer', () => {
		const authorization = fixtureSignature('vonage-inbound-sms-text.json').Authorization!;
		assert.ok(authorization.startsWith('Bearer '));
		assert.equal(detectVonage(parseRequest({ body: { anything: 1 }, headers: { Authorization: authorization } })).match, true);
		const foreign = `Bearer x.${Buffer.from(JSON.stringify({ iss: 'https://api.botframework.com' })).toString('base64url')}.y`;
		const miss = detectVonage(parseRequest({ body: { anything: 1 }, headers: { Authorization: foreign } }));
		assert.equal(miss.match, false);
		assert.match(miss.match ? '' : miss.reason, /message_uuid/);
		assert.equal(detectVonage(parseRequest({ body: { a: 1 }, headers: { Authorization: 'Bearer not-a-jwt' } })).match, false);
	});
});

describe('vonage inbound messages', () => {
	it('SMS text with keyword and price', () => {
		const m = onlyMessage(fixtureRequest('vonage-inbound-sms-text.json'));
		assert.equal(m.id, 'vonage:aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab');
		assert.equal(m.providerMessageId, 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab');
		assert.equal(m.channel, 'sms');
		assert.equal(m.provider, 'vonage');
		assert.equal(m.direction, 'inbound');
		assert.deepEqual(m.sender, { id: '447700900999', phone: '+447700900999' });
		assert.deepEqual(m.conversation, { id: '447700900999', type: 'direct' });
		assert.deepEqual(m.recipients, [{ id: '447700900000', phone: '+447700900000' }]);
		assert.equal(m.timestamp, '2026-05-28T15:20:00.000Z');
		assert.deepEqual(m.parts, [{ type: 'text', text: 'STOP', format: 'plain' }]);
		assert.deepEqual(m.metadata, { messageType: 'text', smsKeyword: 'STOP', smsNumMessages: 1, price: '0.0057', currency: 'EUR' });
		assert.deepEqual(m.raw, fixtureJson('vonage-inbound-sms-text.json'));
	});

	it('WhatsApp text with profile name', () => {
		const m = onlyMessage(fixtureRequest('vonage-inbound-whatsapp-text.json'));
		assert.equal(m.channel, 'whatsapp');
		assert.deepEqual(m.sender, { id: '447700900321', name: 'Priya Natarajan', phone: '+447700900321' });
		assert.deepEqual(m.parts, [{ type: 'text', text: 'Where is my parcel?', format: 'plain' }]);
		assert.equal(m.timestamp, '2026-05-28T15:21:00.000Z');
		assert.equal(m.metadata.contextStatus, 'none');
		assert.equal(m.replyTo, undefined);
	});

	it('media types map to media parts', () => {
		const cases: Array<[string, Record<string, unknown>, Part]> = [
			['image', { url: 'https://x.test/i.jpg', caption: 'Box' }, { type: 'media', kind: 'image', url: 'https://x.test/i.jpg', caption: 'Box' }],
			['video', { url: 'https://x.test/v.mp4' }, { type: 'media', kind: 'video', url: 'https://x.test/v.mp4' }],
			['audio', { url: 'https://x.test/a.ogg' }, { type: 'media', kind: 'audio', url: 'https://x.test/a.ogg' }],
			['file', { url: 'https://x.test/f.pdf', caption: 'Invoice', name: 'inv.pdf' }, { type: 'media', kind: 'document', url: 'https://x.test/f.pdf', caption: 'Invoice', filename: 'inv.pdf' }],
			['sticker', { url: 'https://x.test/s.webp' }, { type: 'media', kind: 'sticker', url: 'https://x.test/s.webp' }],
			['vcard', { url: 'https://x.test/c.vcf' }, { type: 'media', kind: 'document', url: 'https://x.test/c.vcf', mimeType: 'text/vcard' }],
		];
		for (const [type, content, part] of cases) {
			const m = onlyMessage(json({ ...INBOUND, message_type: type, [type]: content }));
			assert.deepEqual(m.parts, [part], type);
			assert.equal(m.timestamp, '2026-05-28T15:22:00.123Z');
		}
	});

	it('location, reply (button and list row), template button', () => {
		const location = onlyMessage(json({ ...INBOUND, message_type: 'location', location: { lat: 51.539, long: -0.1426, name: 'Camden', address: '1 High St' } }));
		assert.deepEqual(location.parts, [{ type: 'location', latitude: 51.539, longitude: -0.1426, name: 'Camden', address: '1 High St' }]);
		const button = onlyMessage(json({ ...INBOUND, message_type: 'reply', reply: { id: 'yes', title: 'Yes' } }));
		assert.deepEqual(button.parts, [{ type: 'interactive_reply', id: 'yes', title: 'Yes', source: 'button' }]);
		const row = onlyMessage(json({ ...INBOUND, message_type: 'reply', reply: { id: 'r1', title: 'Camden', description: 'Open till 6' } }));
		assert.deepEqual(row.parts, [{ type: 'interactive_reply', id: 'r1', title: 'Camden', description: 'Open till 6', source: 'list' }]);
		const quick = onlyMessage(json({ ...INBOUND, message_type: 'button', button: { payload: 'STOP_PROMOS', text: 'Stop promotions' } }));
		assert.deepEqual(quick.parts, [{ type: 'interactive_reply', id: 'STOP_PROMOS', title: 'Stop promotions', source: 'button' }]);
	});

	it('context → replyTo; other channels; unknown types kept as unsupported; extra fields accepted', () => {
		const reply = onlyMessage(
			json({ ...INBOUND, message_type: 'text', text: 'That one', context: { message_uuid: 'eeeeeeee-ffff-4aaa-8bbb-0123456789ab', message_from: '447700900000' }, brand_new_field: { x: 1 } }),
		);
		assert.deepEqual(reply.replyTo, { messageId: 'eeeeeeee-ffff-4aaa-8bbb-0123456789ab', senderId: '447700900000' });
		assert.equal((reply.raw as Record<string, unknown>).brand_new_field !== undefined, true);
		const viber = onlyMessage(json({ ...INBOUND, channel: 'viber_service', message_type: 'text', text: 'hi' }));
		assert.equal(viber.channel, 'viber');
		const messenger = onlyMessage(json({ ...INBOUND, channel: 'messenger', from: '1234567890123456', message_type: 'text', text: 'hi' }));
		assert.equal(messenger.channel, 'messenger');
		assert.deepEqual(messenger.sender, { id: '1234567890123456', name: 'Priya Natarajan' }, 'a PSID is not a phone number');
		const future = onlyMessage(json({ ...INBOUND, channel: 'carrier_pigeon', message_type: 'order', order: { catalog_id: 'c1' } }));
		assert.equal(future.channel, 'custom');
		assert.equal(future.metadata.vonageChannel, 'carrier_pigeon');
		assert.deepEqual(future.parts, [{ type: 'unsupported', platformType: 'order', reason: 'Vonage message_type "order" is not mapped', original: { catalog_id: 'c1' } }]);
	});

	it('no timestamp → the injected clock', () => {
		const { timestamp: _t, ...rest } = INBOUND;
		assert.equal(onlyMessage(json({ ...rest, message_type: 'text', text: 'x' })).timestamp, NOW);
	});
});

describe('vonage status webhooks', () => {
	const cases: Array<[string, string, DeliveryEvent['status']]> = [
		['vonage-status-submitted.json', 'submitted', 'sent'],
		['vonage-status-delivered.json', 'delivered', 'delivered'],
		['vonage-status-read.json', 'read', 'read'],
		['vonage-status-rejected.json', 'rejected', 'failed'],
	];
	for (const [name, providerStatus, status] of cases) {
		it(`${name} → ${status}`, () => {
			const e = onlyEvent(name);
			assert.equal(e.status, status);
			assert.equal(e.providerStatus, providerStatus);
			assert.equal(e.providerMessageId, 'eeeeeeee-ffff-4aaa-8bbb-0123456789ab');
			assert.equal(e.channel, 'whatsapp');
			assert.equal(e.provider, 'vonage');
			assert.equal(e.recipient, '447700900321');
			assert.equal(e.timestamp, '2026-05-28T15:25:00.000Z');
			assert.equal(e.metadata.clientRef, 'ntf_8e1f');
			assert.equal(e.metadata.from, '447700900000');
			assert.match(e.id, /^vonage:[0-9a-f]{32}$/);
		});
	}

	it('delivered carries the price; ids differ per status and repeat per re-delivery', () => {
		const delivered = onlyEvent('vonage-status-delivered.json');
		assert.equal(delivered.metadata.price, '0.0147');
		assert.equal(delivered.metadata.currency, 'EUR');
		assert.equal(delivered.error, undefined);
		assert.equal(delivered.id, onlyEvent('vonage-status-delivered.json').id);
		assert.notEqual(delivered.id, onlyEvent('vonage-status-read.json').id);
	});

	it('rejected: error code from title, detail as message, type and instance kept', () => {
		assert.deepEqual(onlyEvent('vonage-status-rejected.json').error, {
			code: '1340',
			message: 'Outside of the allowed window',
			type: 'https://developer.nexmo.com/api-errors/messages-olympus#1340',
			instance: '7f3a1c2e-0000-4000-8000-00000000e001',
		});
	});

	it('undeliverable, throttling codes, a code only in the type URL, unknown words', () => {
		const base = fixtureJson<Record<string, unknown>>('vonage-status-rejected.json');
		const status = (extra: Record<string, unknown>) => normalize(json({ ...base, ...extra }), { now }).events[0]!;
		assert.equal(status({ status: 'undeliverable' }).status, 'failed');
		assert.equal(status({ error: { type: 'https://developer.nexmo.com/api-errors/messages-olympus#1010', title: '1010', detail: 'Rate Limit Hit' } }).error?.retryable, true);
		assert.equal(status({ error: { type: 'https://developer.nexmo.com/api-errors/messages-olympus#1360' } }).error?.code, '1360');
		const odd = status({ status: 'accepted', error: undefined });
		assert.equal(odd.status, 'unknown');
		assert.equal(odd.providerStatus, 'accepted');
		for (const [word, mapped] of [['submitted', 'sent'], ['delivered', 'delivered'], ['read', 'read'], ['rejected', 'failed'], ['undeliverable', 'failed'], ['x', 'unknown']] as const) {
			assert.equal(mapVonageStatus(word), mapped);
		}
	});

	it('a batch (array) of statuses and messages comes out whole and in order', () => {
		const bodies = ['vonage-status-submitted.json', 'vonage-inbound-sms-text.json', 'vonage-status-delivered.json', 'vonage-inbound-whatsapp-text.json', 'vonage-status-read.json'].map(
			(n) => fixtureJson(n),
		);
		const result = normalize(json(bodies), { now });
		assert.equal(result.platform, 'vonage');
		assert.deepEqual(result.events.map((e) => e.providerStatus), ['submitted', 'delivered', 'read']);
		assert.deepEqual(result.messages.map((m) => m.providerMessageId), ['aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab', 'bbbbbbbb-cccc-4ddd-8eee-0123456789ab']);
	});
});

describe('vonage malformed input', () => {
	it('truncated JSON → MalformedBodyError; empty → MalformedBodyError', () => {
		const bytes = fixtureBytes('vonage-status-delivered.json');
		assert.throws(() => normalize({ body: bytes.subarray(0, 40), headers: JSON_HEADERS }, { platform: 'vonage', now }), MalformedBodyError);
		assert.throws(() => normalize({ body: '', headers: JSON_HEADERS }, { platform: 'vonage', now }), MalformedBodyError);
	});

	it('shape problems name the path', () => {
		const { message_uuid: _u, ...noUuid } = INBOUND;
		mismatch(() => normalize(json({ ...noUuid, message_type: 'text', text: 'x' }), { platform: 'vonage', now }), 'message_uuid');
		mismatch(() => normalize(json({ ...INBOUND, message_type: 'image', image: { caption: 'no url' } }), { now }), 'image.url');
		mismatch(() => normalize(json({ ...INBOUND, message_type: 'text' }), { now }), 'text');
		mismatch(() => normalize(json({ ...INBOUND, message_type: 'location', location: { lat: 'north', long: 1 } }), { now }), 'location.lat');
		mismatch(() => normalize(json({ ...INBOUND, message_type: 'text', text: 'x', timestamp: 'yesterday' }), { now }), 'timestamp');
		mismatch(() => normalize(json({ ...INBOUND, message_type: 'text', text: 'x', profile: 'Priya' }), { now }), 'profile');
		mismatch(() => normalize(json({ message_uuid: 'u', channel: 'sms' }), { now }), 'message_type');
		mismatch(() => normalize(json([fixtureJson('vonage-status-read.json'), { ...fixtureJson<object>('vonage-status-read.json'), status: 7 }]), { now }), '[1].status');
		mismatch(() => normalize(json([fixtureJson('vonage-status-read.json'), 'x']), { now }), '[1]');
		mismatch(() => normalize(json('just a string'), { platform: 'vonage', now }), '');
	});

	it('every truncation of every fixture normalizes or fails with a typed error', () => {
		assertTruncationsTyped(VONAGE_FIXTURES, fixtureBytes, (body) => normalize({ body, headers: JSON_HEADERS }, { platform: 'vonage', now }));
	});

	it('fields of the wrong type anywhere give a typed error, never a crash', () => {
		const base = fixtureJson<Record<string, unknown>>('vonage-status-rejected.json');
		assertWrongTypesTyped(base, [null, 42, 'x', [], {}], (body) => normalize(json(body), { platform: 'vonage', now }));
	});
});

describe('vonage render', () => {
	const from = { from: '+447700900000' };

	it('SMS text: one v1/messages body, + stripped, client_ref = message id', () => {
		const out = render(outbound([{ type: 'text', text: 'Your parcel is out for delivery' }], { channel: 'sms' }), 'vonage', from);
		assert.deepEqual(out.payloads, [
			{
				endpoint: 'v1/messages',
				contentType: 'application/json',
				body: { channel: 'sms', to: '447700900321', from: '447700900000', message_type: 'text', text: 'Your parcel is out for delivery', client_ref: 'msg_1' },
			},
		]);
		assert.deepEqual(out.degradations, []);
	});

	it('alphanumeric sender, options.to and variant override', () => {
		const out = render(outbound([{ type: 'text', text: 'x' }]), 'vonage', { from: 'AcmeCo', to: '+15550001111', variant: 'sms' });
		assert.deepEqual(out.payloads[0]!.body, { channel: 'sms', to: '15550001111', from: 'AcmeCo', message_type: 'text', text: 'x', client_ref: 'msg_1' });
	});

	it('WhatsApp media: image/video with caption, audio caption follows as text, document as file', () => {
		const out = render(
			outbound([
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg', caption: 'Front' },
				{ type: 'media', kind: 'video', url: 'https://cdn.example.test/v.mp4' },
				{ type: 'media', kind: 'audio', url: 'https://cdn.example.test/a.mp3', caption: 'Listen' },
				{ type: 'media', kind: 'document', url: 'https://cdn.example.test/i.pdf', caption: 'Invoice', filename: 'invoice.pdf' },
			]),
			'vonage',
			from,
		);
		const bodies = out.payloads.map((p) => {
			const { channel, to, from: sender, client_ref, ...rest } = p.body;
			assert.deepEqual([channel, to, sender, client_ref], ['whatsapp', '447700900321', '447700900000', 'msg_1']);
			return rest;
		});
		assert.deepEqual(bodies, [
			{ message_type: 'image', image: { url: 'https://cdn.example.test/a.jpg', caption: 'Front' } },
			{ message_type: 'video', video: { url: 'https://cdn.example.test/v.mp4' } },
			{ message_type: 'audio', audio: { url: 'https://cdn.example.test/a.mp3' } },
			{ message_type: 'text', text: 'Listen' },
			{ message_type: 'file', file: { url: 'https://cdn.example.test/i.pdf', caption: 'Invoice', name: 'invoice.pdf' } },
		]);
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [[2, 'media', 'text']]);
	});

	it('SMS narrows: media → link text, location → map link, buttons → numbered text, all reported', () => {
		const out = render(
			outbound(
				[
					{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg' },
					{ type: 'location', latitude: 51.5, longitude: -0.1 },
					{ type: 'buttons', text: 'OK?', buttons: [{ id: 'y', title: 'Yes' }] },
				],
				{ channel: 'sms' },
			),
			'vonage',
			from,
		);
		assert.deepEqual(out.payloads.map((p) => p.body.text), ['https://cdn.example.test/a.jpg', 'https://maps.google.com/?q=51.5,-0.1', 'OK?\n1. Yes']);
		assert.deepEqual(out.payloads.map((p) => p.body.message_type), ['text', 'text', 'text']);
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[
				[0, 'media', 'text'],
				[1, 'location', 'text'],
				[2, 'buttons', 'text'],
			],
		);
	});

	it('WhatsApp location and reply buttons as custom Meta objects', () => {
		const out = render(
			outbound([
				{ type: 'location', latitude: 51.539, longitude: -0.1426, name: 'Camden', address: '1 High St' },
				{ type: 'buttons', text: 'Confirm?', buttons: [{ id: 'y', title: 'Yes' }, { title: 'No' }] },
			]),
			'vonage',
			from,
		);
		assert.deepEqual(out.payloads[0]!.body.message_type, 'custom');
		assert.deepEqual(out.payloads[0]!.body.custom, { type: 'location', location: { latitude: 51.539, longitude: -0.1426, name: 'Camden', address: '1 High St' } });
		assert.deepEqual(out.payloads[1]!.body.custom, {
			type: 'interactive',
			interactive: {
				type: 'button',
				body: { text: 'Confirm?' },
				action: {
					buttons: [
						{ type: 'reply', reply: { id: 'y', title: 'Yes' } },
						{ type: 'reply', reply: { id: '2', title: 'No' } },
					],
				},
			},
		});
		assert.deepEqual(out.degradations, []);
	});

	it('4+ buttons on WhatsApp → list (degrade.ts); 11+ → numbered text; long titles cut and reported', () => {
		const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `b${i}`, title: `Option ${i}` }));
		const list = render(outbound([{ type: 'buttons', text: 'Pick', buttons: buttons(4) }]), 'vonage', from);
		assert.deepEqual(list.payloads[0]!.body.custom, {
			type: 'interactive',
			interactive: {
				type: 'list',
				body: { text: 'Pick' },
				action: { button: 'Choose', sections: [{ rows: buttons(4).map((b) => ({ id: b.id, title: b.title })) }] },
			},
		});
		assert.deepEqual(list.degradations.map((d) => [d.from, d.to]), [['buttons', 'list']]);
		const text = render(outbound([{ type: 'buttons', text: 'Pick', buttons: buttons(11) }]), 'vonage', from);
		assert.equal(text.payloads[0]!.body.message_type, 'text');
		assert.match(text.payloads[0]!.body.text as string, /^Pick\n1\. Option 0\n/);
		const long = render(outbound([{ type: 'buttons', text: 'Pick', buttons: [{ id: 'l', title: 'A very long button title indeed' }] }]), 'vonage', from);
		const reply = ((long.payloads[0]!.body.custom as { interactive: { action: { buttons: Array<{ reply: { title: string } }> } } }).interactive.action.buttons[0]!).reply;
		assert.equal(reply.title, 'A very long button t');
		assert.equal(long.degradations.length, 1);
	});

	it('template: body parameters in order, other components reported', () => {
		const out = render(
			outbound([
				{
					type: 'template',
					name: 'order_update',
					language: 'en_GB',
					parameters: [{ value: 'Priya' }, { component: 'header', value: 'img' }, { value: '48213' }],
				},
			]),
			'vonage',
			from,
		);
		const { template, whatsapp, message_type } = out.payloads[0]!.body;
		assert.equal(message_type, 'template');
		assert.deepEqual(template, { name: 'order_update', parameters: ['Priya', '48213'] });
		assert.deepEqual(whatsapp, { policy: 'deterministic', locale: 'en_GB' });
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [[0, 'template', 'template']]);
	});

	it('replyTo: context on WhatsApp, reported elsewhere', () => {
		const wa = render(outbound([{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }], { replyTo: { messageId: 'uuid-1' } }), 'vonage', from);
		assert.deepEqual(wa.payloads[0]!.body.context, { message_uuid: 'uuid-1' });
		assert.equal(wa.payloads[1]!.body.context, undefined);
		const sms = render(outbound([{ type: 'text', text: 'a' }], { channel: 'sms', replyTo: { messageId: 'uuid-1' } }), 'vonage', from);
		assert.equal(sms.payloads[0]!.body.context, undefined);
		assert.deepEqual(sms.degradations.map((d) => [d.from, d.to]), [['replyTo', 'dropped']]);
	});

	it('RenderErrors: missing from, channel Vonage does not have, nothing sendable', () => {
		assert.throws(() => render(outbound([{ type: 'text', text: 'x' }]), 'vonage', {}), (e: unknown) => e instanceof RenderError && /`from`/.test(e.message));
		assert.throws(() => render(outbound([{ type: 'text', text: 'x' }], { channel: 'telegram' }), 'vonage', from), (e: unknown) => e instanceof RenderError && /telegram/.test(e.message));
		assert.throws(() => render(outbound([{ type: 'media', kind: 'image', mediaId: 'm1' }]), 'vonage', from), RenderError);
	});

	it('a client_ref longer than 100 characters is cut and reported', () => {
		const out = render(outbound([{ type: 'text', text: 'x' }], { id: 'i'.repeat(120) }), 'vonage', from);
		assert.equal(out.payloads[0]!.body.client_ref, 'i'.repeat(100));
		assert.deepEqual(out.degradations.map((d) => [d.from, d.to]), [['id', 'client_ref']]);
	});
});

describe('vonage round trip: normalize(deliver(render(m)))', () => {
	const check = (m: Message) => {
		const messages = roundTrip(m, 'vonage', deliverVonage, { render: { from: '447700900000' }, normalize: { now } });
		assert.deepEqual(messages.flatMap((n) => n.parts).map(content), m.parts.map(content));
		for (const n of messages) {
			assert.equal(n.channel, m.channel);
			assert.equal(n.sender?.id, '447700900000');
			assert.equal(n.recipients[0]?.id, m.recipients[0]!.id.replace(/^\+/, ''));
		}
	};

	it('SMS text', () => {
		fc.assert(fc.property(arbMessage('sms', 'vonage', ['text']), check), { numRuns: 150 });
	});

	it('WhatsApp text + image/video/audio/document + location', () => {
		fc.assert(fc.property(arbMessage('whatsapp', 'vonage', ['text', 'media', 'location']), check), { numRuns: 200 });
	});

	it('MMS text + media', () => {
		const mmsKinds = (m: Message) => m.parts.every((p) => p.type !== 'media' || p.kind !== 'document');
		fc.assert(fc.property(arbMessage('mms', 'vonage', ['text', 'media']).filter(mmsKinds), check), { numRuns: 100 });
	});
});
