import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MalformedBodyError } from '../../../core/errors';
import { normalize, type NormalizeResult } from '../../../core/normalize';
import { instagramAdapter } from '../../../core/platforms/instagram';
import { messengerAdapter } from '../../../core/platforms/messenger';
import { whatsappAdapter } from '../../../core/platforms/whatsapp';
import { markdownToWhatsApp } from '../../../core/platforms/whatsapp/convert-markdown';
import { mapWhatsAppStatus, whatsappErrorRetryable } from '../../../core/platforms/whatsapp/map-whatsapp-status';
import { render } from '../../../core/render';
import { parseRequest, type InboundRequest } from '../../../core/request';
import { type DeliveryEvent, type Message, type Part } from '../../../core/schema/message';
import { arbMessage } from '../../support/arbitraries';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureRequest } from '../../support/fixtures';
import { deliverWhatsApp } from '../../support/inbound/whatsapp';
import { DELETE, JSON_HEADERS, assertDetectsExactly, assertInboundFrom, assertPathCorruptionTyped, assertValidMessage, assertValidOutput, mismatchOf, normalizeFixture, normalizeValid, only, outboundMessages, type Json } from '../../support/platform-test-kit';

const NOW = new Date('2026-06-01T09:00:00.000Z');
const now = () => NOW;

const INBOUND_FIXTURES = fixtureNames().filter((f) => /^whatsapp-(message|status)-.*\.json$/.test(f) || f === 'whatsapp-verification-get.txt');
const PAYLOAD_FIXTURES = INBOUND_FIXTURES.filter((f) => f.endsWith('.json'));

const CUSTOMER = '447700900321';
const BUSINESS = { id: '109876543210987', phone: '+15550001234' };
const VALUE_METADATA = { phone_number_id: '109876543210987', display_phone_number: '15550001234', waba_id: '104857600123456' };

const fixture = (name: string): NormalizeResult => normalizeValid(fixtureRequest(name), 'whatsapp', { now });

/** The common shape every message fixture shares: Priya writing to the business number. */
function assertFromPriya(message: Message, wamid: string, timestamp: string): void {
	assertInboundFrom(message, {
		platform: 'whatsapp',
		providerMessageId: wamid,
		sender: { id: CUSTOMER, name: 'Priya Natarajan', phone: '+447700900321' },
		recipients: [BUSINESS],
		timestamp,
		metadata: VALUE_METADATA,
	});
}

const wamid = (n: string) => `wamid.HBgMNDQ3NzAwOTAwMzIxFQIAEhggQ0ZBQTEyMzQ1Njc4OUFCQ0RFRjAxMjM0NTY3ODkwMDA${n}AA==`;

/** A `whatsapp_business_account` envelope around one change value. */
function envelope(value: Json, field = 'messages'): Json {
	return { object: 'whatsapp_business_account', entry: [{ id: '104857600123456', changes: [{ value, field }] }] };
}

function messagesValue(messages: unknown[], contacts: unknown[] = [{ profile: { name: 'Priya Natarajan' }, wa_id: CUSTOMER }]): Json {
	return {
		messaging_product: 'whatsapp',
		metadata: { display_phone_number: '15550001234', phone_number_id: '109876543210987' },
		contacts,
		messages,
	};
}

function inbound(message: Json): Json {
	return { from: CUSTOMER, id: 'wamid.synthetic1', timestamp: '1779981200', ...message };
}

function run(body: unknown, options: { platform?: string; keepRaw?: boolean } = {}): NormalizeResult {
	const result = normalize({ body, headers: JSON_HEADERS }, { now, ...options });
	assertValidOutput(result);
	return result;
}

function runOne(message: Json, contacts?: unknown[]): Message {
	return only(run(envelope(messagesValue([message], contacts))).messages);
}

function statusOf(status: Json): DeliveryEvent {
	return only(
		run(
			envelope({
				messaging_product: 'whatsapp',
				metadata: { display_phone_number: '15550001234', phone_number_id: '109876543210987' },
				statuses: [{ id: 'wamid.status1', timestamp: '1779981730', recipient_id: CUSTOMER, ...status }],
			}),
		).events,
	);
}

/** Calls the adapter directly so an adapter bug surfaces as itself, not wrapped by core/normalize. */
function adapterNormalize(request: InboundRequest) {
	return whatsappAdapter.normalize!(parseRequest(request), { keepRaw: true, now });
}

const mismatchAt = mismatchOf('whatsapp');

// =====================================================================================================

describe('whatsapp: fixtures', () => {
	it('auto-detects every inbound fixture, from a Buffer, a string and a parsed object alike', () => {
		assert.equal(PAYLOAD_FIXTURES.length, 16);
		for (const name of PAYLOAD_FIXTURES) {
			const fromBuffer = normalizeFixture(name, 'whatsapp', { now });
			assert.equal(fromBuffer.messages.length + fromBuffer.events.length, 1, name);
		}
	});

	it('text', () => {
		const message = only(fixture('whatsapp-message-text.json').messages);
		assertFromPriya(message, wamid('1'), '2026-05-28T15:13:20.000Z');
		assert.deepEqual(message.parts, [{ type: 'text', text: "Hello, I'd like to change my delivery address", format: 'plain' }]);
		assert.equal(message.replyTo, undefined);
		const raw = fixtureJson<{ entry: [{ changes: [{ value: { messages: unknown[] } }] }] }>('whatsapp-message-text.json');
		assert.deepEqual(message.raw, raw.entry[0].changes[0].value.messages[0]);
	});

	it('text replying to an earlier message → replyTo', () => {
		const message = only(fixture('whatsapp-message-text-reply-context.json').messages);
		assertFromPriya(message, wamid('4'), '2026-05-28T15:13:50.000Z');
		assert.deepEqual(message.parts, [{ type: 'text', text: 'Yes, Thursday works', format: 'plain' }]);
		assert.deepEqual(message.replyTo, { messageId: wamid('3'), senderId: '15550001234' });
	});

	it('text from a click-to-WhatsApp ad → metadata.referral', () => {
		const message = only(fixture('whatsapp-message-text-referral.json').messages);
		assertFromPriya(message, wamid('5'), '2026-05-28T15:14:00.000Z');
		assert.deepEqual(message.parts, [{ type: 'text', text: 'Can I get more info on this?', format: 'plain' }]);
		const referral = message.metadata.referral as Json;
		assert.equal(referral.source_id, '120210000000000001');
		assert.equal(referral.source_type, 'ad');
		assert.equal(referral.headline, 'Spring sale: 20% off');
		assert.equal(referral.ctwa_clid, 'ARAkEXAMPLEctwaCLID0001');
	});

	it('image with caption', () => {
		const message = only(fixture('whatsapp-message-image.json').messages);
		assertFromPriya(message, wamid('6'), '2026-05-28T15:14:20.000Z');
		assert.deepEqual(message.parts, [
			{
				type: 'media',
				kind: 'image',
				mediaId: '1234567890123401',
				mimeType: 'image/jpeg',
				sha256: 'pQ0iqmR0Pq2s9q1n3vYzB1c8t3XxHn6b7m8r4o2kLw0=',
				caption: 'Photo of the damaged box',
			},
		]);
	});

	it('document with filename and caption', () => {
		const message = only(fixture('whatsapp-message-document.json').messages);
		assertFromPriya(message, wamid('7'), '2026-05-28T15:14:50.000Z');
		assert.deepEqual(message.parts, [
			{
				type: 'media',
				kind: 'document',
				mediaId: '1234567890123402',
				mimeType: 'application/pdf',
				sha256: 'b3Jm0xExAmPlEsHa256VaLuE0fThEdOcUmEnT00aa=',
				caption: 'Signed form',
				filename: 'consent-form.pdf',
			},
		]);
	});

	it('audio with voice: true → kind voice', () => {
		const message = only(fixture('whatsapp-message-audio-voice.json').messages);
		assertFromPriya(message, wamid('8'), '2026-05-28T15:15:20.000Z');
		assert.deepEqual(message.parts, [
			{
				type: 'media',
				kind: 'voice',
				mediaId: '1234567890123403',
				mimeType: 'audio/ogg; codecs=opus',
				sha256: 'dm9pY2VOb3RlU2hhMjU2RXhhbXBsZVZhbHVlMDAwMDA=',
			},
		]);
	});

	it('sticker (animated flag in metadata)', () => {
		const message = only(fixture('whatsapp-message-sticker.json').messages);
		assertFromPriya(message, wamid('10'), '2026-05-28T15:16:20.000Z');
		assert.deepEqual(message.parts, [
			{ type: 'media', kind: 'sticker', mediaId: '1234567890123405', mimeType: 'image/webp', sha256: 'c3RpY2tlclNoYTI1NkV4YW1wbGVWYWx1ZTAwMDAwMDA=' },
		]);
		assert.equal(message.metadata.animated, false);
	});

	it('location', () => {
		const message = only(fixture('whatsapp-message-location.json').messages);
		assertFromPriya(message, wamid('11'), '2026-05-28T15:16:50.000Z');
		assert.deepEqual(message.parts, [
			{
				type: 'location',
				latitude: 51.5390261,
				longitude: -0.1425516,
				name: 'Camden Depot',
				address: '12 Example Road, London NW1',
				url: 'https://maps.example.com/?q=51.539,-0.142',
			},
		]);
	});

	it('interactive button_reply → interactive_reply (button)', () => {
		const message = only(fixture('whatsapp-message-interactive-button-reply.json').messages);
		assertFromPriya(message, wamid('14'), '2026-05-28T15:17:50.000Z');
		assert.deepEqual(message.parts, [{ type: 'interactive_reply', id: 'confirm_7731', title: 'Confirm', source: 'button' }]);
		assert.deepEqual(message.replyTo, { messageId: wamid('13'), senderId: '15550001234' });
	});

	it('template quick-reply tap (type button) → interactive_reply with the payload as id', () => {
		const message = only(fixture('whatsapp-message-button.json').messages);
		assertFromPriya(message, wamid('18'), '2026-05-28T15:18:50.000Z');
		assert.deepEqual(message.parts, [{ type: 'interactive_reply', id: 'STOP_PROMOS', title: 'Stop promotions', source: 'button' }]);
		assert.equal(message.replyTo?.messageId, wamid('17'));
	});

	it('reaction', () => {
		const message = only(fixture('whatsapp-message-reaction.json').messages);
		assertFromPriya(message, wamid('19'), '2026-05-28T15:19:20.000Z');
		assert.deepEqual(message.parts, [{ type: 'reaction', emoji: '❤️', targetMessageId: wamid('3') }]);
	});

	it('unsupported → unsupported part holding the errors', () => {
		const message = only(fixture('whatsapp-message-unsupported.json').messages);
		assertFromPriya(message, wamid('21'), '2026-05-28T15:20:20.000Z');
		const part = only(message.parts);
		assert.equal(part.type, 'unsupported');
		if (part.type !== 'unsupported') return;
		assert.equal(part.platformType, 'unsupported');
		assert.match(part.reason ?? '', /131051/);
		const original = part.original as { errors: Array<{ code: number; title: string; error_data: { details: string } }> };
		assert.equal(original.errors[0]!.code, 131051);
		assert.equal(original.errors[0]!.title, 'Message type unknown');
		assert.equal(original.errors[0]!.error_data.details, 'Message type is currently not supported.');
	});

	it('status sent, with conversation and pricing in metadata', () => {
		const event = only(fixture('whatsapp-status-sent.json').events);
		assert.equal(event.providerMessageId, wamid('30'));
		assert.equal(event.status, 'sent');
		assert.equal(event.providerStatus, 'sent');
		assert.equal(event.timestamp, '2026-05-28T15:22:10.000Z');
		assert.equal(event.recipient, CUSTOMER);
		assert.equal(event.error, undefined);
		assert.equal(event.channel, 'whatsapp');
		assert.match(event.id, /^whatsapp:[0-9a-f]{32}$/);
		assert.deepEqual(event.metadata.conversation, { id: 'c0ffee00c0ffee00c0ffee00c0ffee00', expiration_timestamp: '1780067600', origin: { type: 'utility' } });
		assert.deepEqual(event.metadata.pricing, { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' });
		assert.equal(event.metadata.phone_number_id, '109876543210987');
	});

	it('status delivered and read; the three statuses of one wamid get distinct, stable ids', () => {
		const delivered = only(fixture('whatsapp-status-delivered.json').events);
		assert.equal(delivered.status, 'delivered');
		assert.equal(delivered.providerStatus, 'delivered');
		assert.equal(delivered.providerMessageId, wamid('30'));
		assert.equal(delivered.timestamp, '2026-05-28T15:22:10.000Z');
		assert.equal(delivered.recipient, CUSTOMER);
		const read = only(fixture('whatsapp-status-read.json').events);
		assert.equal(read.status, 'read');
		assert.equal(read.providerMessageId, wamid('30'));
		assert.equal(read.metadata.pricing, undefined);
		const sent = only(fixture('whatsapp-status-sent.json').events);
		assert.equal(new Set([sent.id, delivered.id, read.id]).size, 3);
		assert.equal(only(fixture('whatsapp-status-read.json').events).id, read.id);
	});

	it('status failed 131047 → failed, not retryable, with code/title/message', () => {
		const event = only(fixture('whatsapp-status-failed-131047.json').events);
		assert.equal(event.providerMessageId, wamid('31'));
		assert.equal(event.status, 'failed');
		assert.equal(event.providerStatus, 'failed');
		assert.equal(event.timestamp, '2026-05-28T15:22:11.000Z');
		assert.equal(event.recipient, CUSTOMER);
		assert.equal(event.error?.code, '131047');
		assert.equal(event.error?.message, 'Re-engagement message');
		assert.equal(event.error?.title, 'Re-engagement message');
		assert.equal(event.error?.retryable, false);
		assert.match(String(event.error?.details), /more than 24 hours/);
	});

	it('keepRaw: false leaves raw out', () => {
		const result = normalize(fixtureRequest('whatsapp-message-text.json'), { now, keepRaw: false });
		assert.equal(only(result.messages).raw, undefined);
		const status = normalize(fixtureRequest('whatsapp-status-sent.json'), { now, keepRaw: false });
		assert.equal(only(status.events).raw, undefined);
	});
});

describe('whatsapp: verification handshake', () => {
	it('the verification GET fixture → handshake echoing the challenge, nothing else', () => {
		const result = normalize(fixtureRequest('whatsapp-verification-get.txt'));
		assert.equal(result.platform, 'whatsapp');
		assert.deepEqual(result.messages, []);
		assert.deepEqual(result.events, []);
		assert.deepEqual(result.handshake, {
			platform: 'whatsapp',
			kind: 'meta_subscribe',
			challenge: '1158201444',
			verifyToken: 'local-verify-token-123',
			response: { status: 200, contentType: 'text/plain', body: '1158201444' },
		});
	});

	it('only whatsapp claims a bare hub.challenge GET; messenger and instagram answer it when named', () => {
		const request = parseRequest(fixtureRequest('whatsapp-verification-get.txt'));
		assert.equal(whatsappAdapter.detect!(request).match, true);
		assert.equal(messengerAdapter.detect!(request).match, false);
		assert.equal(instagramAdapter.detect!(request).match, false);
		for (const platform of ['messenger', 'instagram']) {
			const result = normalize(fixtureRequest('whatsapp-verification-get.txt'), { platform });
			assert.equal(result.platform, platform);
			assert.equal(result.handshake?.platform, platform);
			assert.equal(result.handshake?.challenge, '1158201444');
			assert.equal(result.handshake?.response.body, '1158201444');
		}
	});

	it('a host that does not pass the method still gets the handshake (empty body)', () => {
		const result = normalize({ body: '', query: { 'hub.mode': 'subscribe', 'hub.challenge': '42', 'hub.verify_token': 't' } });
		assert.equal(result.handshake?.challenge, '42');
		assert.equal(result.handshake?.verifyToken, 't');
	});

	it('an incomplete handshake names the missing query parameter', () => {
		mismatchAt(() => normalize({ method: 'GET', body: undefined, query: { 'hub.mode': 'subscribe' } }, { platform: 'whatsapp' }), 'query["hub.challenge"]');
		mismatchAt(
			() => normalize({ method: 'GET', body: undefined, query: { 'hub.mode': 'unsubscribe', 'hub.challenge': '1' } }, { platform: 'whatsapp' }),
			'query["hub.mode"]',
		);
		assert.equal(whatsappAdapter.detect!(parseRequest({ method: 'GET', body: undefined, query: { 'hub.mode': 'subscribe' } })).match, false);
	});
});

describe('whatsapp: detection', () => {
	it('claims exactly the WhatsApp webhook fixtures and the verification GET', () => {
		assertDetectsExactly(whatsappAdapter.detect!, (name) => INBOUND_FIXTURES.includes(name));
	});

	it('never throws, and explains why it did not match', () => {
		for (const body of [undefined, '', 'x=1', '[]', '[1]', 'null', '{"object":"page","entry":[]}', '{"object":"whatsapp_business_account"}', 42]) {
			const detection = whatsappAdapter.detect!(parseRequest({ body: typeof body === 'number' ? { n: body } : body }));
			assert.equal(detection.match, false);
			if (!detection.match) assert.ok(detection.reason.length > 0);
		}
	});

	it('accepts an array of envelopes (as some Meta docs print them)', () => {
		const body = [envelope(messagesValue([inbound({ type: 'text', text: { body: 'one' } })])), envelope(messagesValue([inbound({ id: 'wamid.two', type: 'text', text: { body: 'two' } })]))];
		const result = run(body);
		assert.deepEqual(
			result.messages.map((m) => (m.parts[0] as { text: string }).text),
			['one', 'two'],
		);
	});
});

describe('whatsapp: message types beyond the fixtures', () => {
	it('video, and media arriving with a url', () => {
		const message = runOne(inbound({ type: 'video', video: { id: '777', mime_type: 'video/mp4', sha256: 'abc', caption: 'Unboxing', url: 'https://lookaside.example/777' } }));
		assert.deepEqual(message.parts, [
			{ type: 'media', kind: 'video', mediaId: '777', url: 'https://lookaside.example/777', mimeType: 'video/mp4', sha256: 'abc', caption: 'Unboxing' },
		]);
	});

	it('plain audio stays audio', () => {
		const message = runOne(inbound({ type: 'audio', audio: { id: '778', mime_type: 'audio/mpeg', voice: false } }));
		assert.equal((message.parts[0] as { kind: string }).kind, 'audio');
	});

	it('contacts → contacts part with names, phones (wa_id), emails, org, urls, birthday', () => {
		const message = runOne(
			inbound({
				type: 'contacts',
				contacts: [
					{
						name: { formatted_name: 'Ana Lima', first_name: 'Ana', last_name: 'Lima' },
						phones: [{ phone: '+44 7700 900123', type: 'CELL', wa_id: '447700900123' }],
						emails: [{ email: 'ana@example.test', type: 'WORK' }],
						org: { company: 'Lima Ltd', title: 'CEO' },
						urls: [{ url: 'https://lima.example.test', type: 'WORK' }],
						birthday: '1990-04-01',
					},
					{ name: { first_name: 'Bo' }, phones: [{ wa_id: '447700900124' }] },
				],
			}),
		);
		const part = only(message.parts);
		assert.equal(part.type, 'contacts');
		if (part.type !== 'contacts') return;
		assert.deepEqual(part.contacts[0], {
			name: { formatted: 'Ana Lima', first: 'Ana', last: 'Lima' },
			phones: [{ phone: '+44 7700 900123', type: 'CELL', waId: '447700900123' }],
			emails: [{ email: 'ana@example.test', type: 'WORK' }],
			urls: ['https://lima.example.test'],
			organization: 'Lima Ltd',
			birthday: '1990-04-01',
		});
		assert.equal(part.contacts[1]!.name.formatted, 'Bo');
		assert.deepEqual(part.contacts[1]!.phones, [{ phone: '+447700900124', waId: '447700900124' }]);
	});

	it('interactive list_reply → interactive_reply (list) with description', () => {
		const message = runOne(
			inbound({ type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'slot_thu_14', title: 'Thu 14:00', description: 'Camden depot' } } }),
		);
		assert.deepEqual(message.parts, [{ type: 'interactive_reply', id: 'slot_thu_14', title: 'Thu 14:00', description: 'Camden depot', source: 'list' }]);
	});

	it('interactive nfm_reply (Flow) → unsupported with the JSON kept, decoded in metadata', () => {
		const interactive = { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: '{"flow_token":"t1","size":"M"}' } };
		const message = runOne(inbound({ type: 'interactive', interactive }));
		assert.deepEqual(message.parts, [{ type: 'unsupported', platformType: 'nfm_reply', reason: 'WhatsApp Flow response (response_json kept in original)', original: interactive }]);
		assert.deepEqual(message.metadata.flow_response, { flow_token: 't1', size: 'M' });
	});

	it('unknown interactive type → unsupported', () => {
		const interactive = { type: 'call_permission_reply', call_permission_reply: { response: 'accept' } };
		const part = only(runOne(inbound({ type: 'interactive', interactive })).parts);
		assert.equal(part.type, 'unsupported');
		assert.equal((part as { platformType: string }).platformType, 'interactive.call_permission_reply');
		assert.deepEqual((part as { original: unknown }).original, interactive);
	});

	it('reaction with the emoji removed → empty emoji', () => {
		const message = runOne(inbound({ type: 'reaction', reaction: { message_id: 'wamid.target' } }));
		assert.deepEqual(message.parts, [{ type: 'reaction', emoji: '', targetMessageId: 'wamid.target' }]);
		const cleared = runOne(inbound({ type: 'reaction', reaction: { message_id: 'wamid.target', emoji: '' } }));
		assert.deepEqual(cleared.parts, [{ type: 'reaction', emoji: '', targetMessageId: 'wamid.target' }]);
	});

	it('order → order part', () => {
		const message = runOne(
			inbound({
				type: 'order',
				order: {
					catalog_id: '5551234',
					text: 'Please gift wrap',
					product_items: [
						{ product_retailer_id: 'SKU-1', quantity: 2, item_price: 12.5, currency: 'GBP' },
						{ product_retailer_id: 'SKU-2', quantity: '1', item_price: '3', currency: 'GBP' },
					],
				},
			}),
		);
		assert.deepEqual(message.parts, [
			{
				type: 'order',
				catalogId: '5551234',
				text: 'Please gift wrap',
				items: [
					{ productId: 'SKU-1', quantity: 2, price: 12.5, currency: 'GBP' },
					{ productId: 'SKU-2', quantity: 1, price: 3, currency: 'GBP' },
				],
			},
		]);
	});

	it('system user_changed_number → system part', () => {
		const system = { body: 'User A changed from 447700900321 to 447700900999', new_wa_id: '447700900999', type: 'user_changed_number' };
		const message = runOne(inbound({ type: 'system', system }));
		assert.deepEqual(message.parts, [{ type: 'system', event: 'user_changed_number', text: system.body, data: system }]);
	});

	it('request_welcome → system part; unknown types → unsupported with the payload', () => {
		assert.deepEqual(runOne(inbound({ type: 'request_welcome' })).parts, [{ type: 'system', event: 'request_welcome' }]);
		const part = only(runOne(inbound({ type: 'ephemeral', ephemeral: { ttl: 5 } })).parts);
		assert.deepEqual(part, { type: 'unsupported', platformType: 'ephemeral', reason: 'WhatsApp message type "ephemeral" is not mapped', original: { ttl: 5 } });
	});

	it('unsupported with unsupported.type names what it was', () => {
		const errors = [{ code: 131051, title: 'Message type unknown' }];
		const part = only(runOne(inbound({ type: 'unsupported', errors, unsupported: { type: 'poll_creation' } })).parts);
		assert.deepEqual(part, {
			type: 'unsupported',
			platformType: 'poll_creation',
			reason: '131051: Message type unknown',
			original: { errors, unsupported: { type: 'poll_creation' } },
		});
	});

	it('forwarded flags and referred product go to metadata; no replyTo without a context id', () => {
		const message = runOne(
			inbound({ type: 'text', text: { body: 'fwd' }, context: { forwarded: true, frequently_forwarded: true } }),
		);
		assert.equal(message.metadata.forwarded, true);
		assert.equal(message.metadata.frequently_forwarded, true);
		assert.equal(message.replyTo, undefined);
		const enquiry = runOne(
			inbound({ type: 'text', text: { body: 'Is this in stock?' }, context: { from: '15550001234', id: 'wamid.product', referred_product: { catalog_id: 'c1', product_retailer_id: 'SKU-1' } } }),
		);
		assert.deepEqual(enquiry.metadata.referred_product, { catalog_id: 'c1', product_retailer_id: 'SKU-1' });
		assert.deepEqual(enquiry.replyTo, { messageId: 'wamid.product', senderId: '15550001234' });
	});

	it('BSUID: without `from`, from_user_id identifies the customer (name from contacts[].user_id)', () => {
		const message = runOne(
			{ from_user_id: 'GB.1234567890', id: 'wamid.bsuid', timestamp: '1779981200', type: 'text', text: { body: 'hi' } },
			[{ profile: { name: 'Sam' }, user_id: 'GB.1234567890' }],
		);
		assert.deepEqual(message.conversation, { id: 'GB.1234567890', type: 'direct' });
		assert.deepEqual(message.sender, { id: 'GB.1234567890', name: 'Sam' });
		assert.equal(message.metadata.user_id, 'GB.1234567890');
	});

	it('BSUID: a contact that also has a wa_id gives the id to reply to', () => {
		const message = runOne(
			{ from_user_id: 'GB.1234567890', id: 'wamid.bsuid2', timestamp: '1779981200', type: 'text', text: { body: 'hi' } },
			[
				{ profile: { name: 'Other' }, wa_id: '447700900555', user_id: 'GB.999' },
				{ profile: { name: 'Sam' }, wa_id: '447700900556', user_id: 'GB.1234567890' },
			],
		);
		assert.deepEqual(message.conversation, { id: '447700900556', type: 'direct' });
		assert.deepEqual(message.sender, { id: '447700900556', name: 'Sam', phone: '+447700900556' });
		assert.equal(message.metadata.user_id, 'GB.1234567890');
	});

	it('with from present, the BSUID is kept as metadata.user_id', () => {
		const message = runOne(inbound({ from_user_id: 'GB.1', type: 'text', text: { body: 'hi' } }), [
			{ profile: { name: 'Priya' }, wa_id: CUSTOMER, user_id: 'GB.1' },
		]);
		assert.equal(message.conversation.id, CUSTOMER);
		assert.equal(message.metadata.user_id, 'GB.1');
	});

	it('a lone contact for someone else does not lend its name to the sender', () => {
		const message = runOne(inbound({ type: 'text', text: { body: 'hi' } }), [{ profile: { name: 'Not Priya' }, wa_id: '447700900999' }]);
		assert.deepEqual(message.sender, { id: CUSTOMER, phone: '+447700900321' });
	});

	it('no timestamp → the injected clock', () => {
		const message = runOne({ from: CUSTOMER, id: 'wamid.nots', type: 'text', text: { body: 'x' } });
		assert.equal(message.timestamp, '2026-06-01T09:00:00.000Z');
	});

	it('coexistence echoes (smb_message_echoes) → outbound messages to the customer', () => {
		const value = {
			messaging_product: 'whatsapp',
			metadata: { display_phone_number: '15550001234', phone_number_id: '109876543210987' },
			message_echoes: [{ from: '15550001234', to: CUSTOMER, id: 'wamid.echo1', timestamp: '1779981300', type: 'text', text: { body: 'Sent from the app' } }],
		};
		const message = only(run(envelope(value, 'smb_message_echoes')).messages);
		assert.equal(message.direction, 'outbound');
		assert.deepEqual(message.conversation, { id: CUSTOMER, type: 'direct' });
		assert.deepEqual(message.sender, BUSINESS);
		assert.deepEqual(message.recipients, [{ id: CUSTOMER, phone: '+447700900321' }]);
		assert.equal(message.metadata.field, 'smb_message_echoes');
		assert.equal(message.timestamp, '2026-05-28T15:15:00.000Z');
	});
});

describe('whatsapp: statuses', () => {
	it('maps every documented status word', () => {
		assert.equal(mapWhatsAppStatus('sent'), 'sent');
		assert.equal(mapWhatsAppStatus('delivered'), 'delivered');
		assert.equal(mapWhatsAppStatus('read'), 'read');
		assert.equal(mapWhatsAppStatus('played'), 'read');
		assert.equal(mapWhatsAppStatus('failed'), 'failed');
		assert.equal(mapWhatsAppStatus('deleted'), 'unknown');
		const played = statusOf({ status: 'played' });
		assert.equal(played.status, 'read');
		assert.equal(played.providerStatus, 'played');
		const odd = statusOf({ status: 'warning' });
		assert.equal(odd.status, 'unknown');
		assert.equal(odd.providerStatus, 'warning');
	});

	it('classifies failures as retryable from the code class', () => {
		for (const code of [130429, 131016, 1, 2, 4, 80007, 131000, 131056, 131049]) {
			const event = statusOf({ status: 'failed', errors: [{ code, title: 'Transient' }] });
			assert.equal(event.error?.code, String(code));
			assert.equal(event.error?.retryable, true, `code ${code}`);
		}
		for (const code of [131047, 131026, 131050, 132001, 132000, 131051, 190, 10, 100, 368, 133010, 131031]) {
			assert.equal(statusOf({ status: 'failed', errors: [{ code, title: 'Permanent' }] }).error?.retryable, false, `code ${code}`);
		}
		const unknown = statusOf({ status: 'failed', errors: [{ code: 987654, title: 'New code', message: 'Something new' }] });
		assert.equal(unknown.error?.retryable, undefined);
		assert.equal(unknown.error?.message, 'Something new');
		assert.equal(unknown.error?.title, 'New code');
		assert.equal(whatsappErrorRetryable(130429), true);
		assert.equal(whatsappErrorRetryable(131047), false);
	});

	it('recipient falls back to recipient_user_id (BSUID) and the callback data is kept', () => {
		const event = only(
			run(
				envelope({
					messaging_product: 'whatsapp',
					metadata: { display_phone_number: '15550001234', phone_number_id: '109876543210987' },
					statuses: [{ id: 'wamid.s', status: 'delivered', timestamp: '1779981730', recipient_user_id: 'GB.42', biz_opaque_callback_data: 'order-9' }],
				}),
			).events,
		);
		assert.equal(event.recipient, 'GB.42');
		assert.equal(event.metadata.biz_opaque_callback_data, 'order-9');
		assert.equal(event.metadata.recipient_user_id, 'GB.42');
	});
});

describe('whatsapp: batches, errors and other fields', () => {
	it('several entries, changes, messages and statuses all come out, in order', () => {
		const meta = { display_phone_number: '15550001234', phone_number_id: '109876543210987' };
		const body = {
			object: 'whatsapp_business_account',
			entry: [
				{
					id: 'waba1',
					changes: [
						{
							field: 'messages',
							value: {
								messaging_product: 'whatsapp',
								metadata: meta,
								contacts: [
									{ profile: { name: 'Priya' }, wa_id: CUSTOMER },
									{ profile: { name: 'Tom' }, wa_id: '447700900999' },
								],
								messages: [
									inbound({ id: 'wamid.a', type: 'text', text: { body: 'first' } }),
									{ from: '447700900999', id: 'wamid.b', timestamp: '1779981201', type: 'image', image: { id: 'm1', mime_type: 'image/png' } },
								],
							},
						},
						{
							field: 'messages',
							value: {
								messaging_product: 'whatsapp',
								metadata: meta,
								statuses: [
									{ id: 'wamid.x', status: 'sent', timestamp: '1779981300', recipient_id: CUSTOMER },
									{ id: 'wamid.x', status: 'delivered', timestamp: '1779981301', recipient_id: CUSTOMER },
								],
							},
						},
					],
				},
				{
					id: 'waba2',
					changes: [
						{
							field: 'messages',
							value: {
								messaging_product: 'whatsapp',
								metadata: { display_phone_number: '15550004321', phone_number_id: '222' },
								contacts: [{ profile: { name: 'Priya' }, wa_id: CUSTOMER }],
								messages: [inbound({ id: 'wamid.c', type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍' } })],
								statuses: [{ id: 'wamid.x', status: 'read', timestamp: '1779981302', recipient_id: CUSTOMER }],
							},
						},
					],
				},
			],
		};
		const result = run(body);
		assert.deepEqual(
			result.messages.map((m) => [m.providerMessageId, m.sender?.name, m.parts[0]!.type, m.metadata.waba_id, m.recipients[0]?.id]),
			[
				['wamid.a', 'Priya', 'text', 'waba1', '109876543210987'],
				['wamid.b', 'Tom', 'media', 'waba1', '109876543210987'],
				['wamid.c', 'Priya', 'reaction', 'waba2', '222'],
			],
		);
		assert.deepEqual(
			result.events.map((e) => [e.providerMessageId, e.status, e.timestamp]),
			[
				['wamid.x', 'sent', '2026-05-28T15:15:00.000Z'],
				['wamid.x', 'delivered', '2026-05-28T15:15:01.000Z'],
				['wamid.x', 'read', '2026-05-28T15:15:02.000Z'],
			],
		);
	});

	it('value-level errors (no message, no status) → one message with an unsupported part holding them', () => {
		const errors = [{ code: 131000, title: 'Something went wrong', message: 'Something went wrong', error_data: { details: 'Unable to deliver the message' } }];
		const result = run(envelope({ messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001234', phone_number_id: '109876543210987' }, errors }));
		assert.equal(result.events.length, 0);
		const message = only(result.messages);
		assert.deepEqual(message.parts, [{ type: 'unsupported', platformType: 'errors', reason: '131000: Something went wrong: Unable to deliver the message', original: errors }]);
		assert.deepEqual(message.conversation, { id: '109876543210987', type: 'channel' });
		assert.deepEqual(message.metadata.errors, errors);
		assert.equal(message.timestamp, '2026-06-01T09:00:00.000Z');
		assert.equal(message.sender, undefined);
	});

	it('account notifications (other fields) → a system part named after the field', () => {
		const value = { event: 'APPROVED', message_template_id: 12345, message_template_name: 'order_update', message_template_language: 'en_US' };
		const message = only(run(envelope(value, 'message_template_status_update')).messages);
		assert.deepEqual(message.parts, [{ type: 'system', event: 'message_template_status_update', data: value }]);
		assert.equal(message.metadata.field, 'message_template_status_update');
		assert.equal(message.metadata.waba_id, '104857600123456');
		assert.deepEqual(message.conversation, { id: '104857600123456', type: 'channel' });
	});

	it('a messages change with nothing in it yields nothing', () => {
		const result = run(envelope({ messaging_product: 'whatsapp', metadata: { display_phone_number: '1', phone_number_id: '2' } }));
		assert.deepEqual([result.messages, result.events], [[], []]);
	});

	it('accepts unknown extra fields at every level and ignores them', () => {
		const body = fixtureJson<Json>('whatsapp-message-image.json');
		const plain = run(body);
		const extended = structuredClone(body) as { entry: Array<Json & { changes: Array<Json & { value: Json & { messages: Json[] } }> }> } & Json;
		extended.api_version = 'v99';
		const entry = extended.entry[0]!;
		entry.time = 1779981260;
		const change = entry.changes[0]!;
		change.extra = { nested: true };
		change.value.brand_new = [1, 2, 3];
		const message = change.value.messages[0]!;
		message.from_parent_user_id = 'GB.ENT.1';
		(message.image as Json).width = 1024;
		(change.value.metadata as Json).extra = 'x';
		const result = run(extended);
		assert.deepEqual(result.messages[0]!.parts, plain.messages[0]!.parts);
		assert.equal(result.messages[0]!.id, plain.messages[0]!.id);
		assert.equal(result.messages[0]!.timestamp, plain.messages[0]!.timestamp);
		assert.equal(((result.messages[0]!.raw as Json).image as Json).width, 1024);
	});
});

describe('whatsapp: bad input', () => {
	const base = () => fixtureJson<{ entry: Array<{ changes: Array<{ value: Json & { messages: Json[] } }> }> } & Json>('whatsapp-message-text.json');

	it('truncated or garbage bytes → MalformedBodyError', () => {
		const bytes = fixtureBytes('whatsapp-message-text.json');
		for (const cut of [10, bytes.length / 2, bytes.length - 3]) {
			assert.throws(() => normalize({ body: bytes.subarray(0, Math.floor(cut)), headers: { 'content-type': 'application/json' } }), MalformedBodyError);
			assert.throws(() => normalize({ body: bytes.subarray(0, Math.floor(cut)) }, { platform: 'whatsapp' }), MalformedBodyError);
		}
		assert.throws(() => normalize({ body: 'not json at all' }, { platform: 'whatsapp' }), MalformedBodyError);
		assert.throws(() => normalize({ body: 'a=1&b=2' }, { platform: 'whatsapp' }), MalformedBodyError);
		assert.throws(() => normalize({ body: '' }, { platform: 'whatsapp' }), MalformedBodyError);
	});

	it('shape problems name the JSON path', () => {
		mismatchAt(() => run({ object: 'page', entry: [] }, { platform: 'whatsapp' }), 'object');
		mismatchAt(() => run({ object: 'whatsapp_business_account', entry: {} }, { platform: 'whatsapp' }), 'entry');
		mismatchAt(() => run({ object: 'whatsapp_business_account', entry: [{ id: '1' }] }), 'entry[0].changes');
		mismatchAt(() => run({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messages: 'x' } }] }] }), 'entry[0].changes[0].value.messages');

		const missingType = base();
		missingType.entry[0]!.changes[0]!.value.messages.push({ from: CUSTOMER, id: 'wamid.2', timestamp: '1779981201' });
		mismatchAt(() => run(missingType), 'entry[0].changes[0].value.messages[1].type');

		const badTime = base();
		badTime.entry[0]!.changes[0]!.value.messages[0]!.timestamp = 'yesterday';
		mismatchAt(() => run(badTime), 'entry[0].changes[0].value.messages[0].timestamp');

		const badBody = base();
		badBody.entry[0]!.changes[0]!.value.messages[0]!.text = { body: 7 };
		mismatchAt(() => run(badBody), 'entry[0].changes[0].value.messages[0].text.body');

		const noText = base();
		delete noText.entry[0]!.changes[0]!.value.messages[0]!.text;
		mismatchAt(() => run(noText), 'entry[0].changes[0].value.messages[0].text');

		const noSender = base();
		delete noSender.entry[0]!.changes[0]!.value.messages[0]!.from;
		noSender.entry[0]!.changes[0]!.value.contacts = [];
		mismatchAt(() => run(noSender), 'entry[0].changes[0].value.messages[0].from');

		mismatchAt(() => run(envelope(messagesValue([inbound({ type: 'image', image: { mime_type: 'image/png' } })]))), 'entry[0].changes[0].value.messages[0].image.id');
		mismatchAt(
			() => run(envelope(messagesValue([inbound({ type: 'location', location: { latitude: 123, longitude: 0 } })]))),
			'entry[0].changes[0].value.messages[0].location.latitude',
		);
		mismatchAt(
			() => run(envelope(messagesValue([inbound({ type: 'interactive', interactive: { type: 'button_reply' } })]))),
			'entry[0].changes[0].value.messages[0].interactive.button_reply',
		);
		mismatchAt(
			() => run(envelope({ statuses: [{ status: 'sent', timestamp: '1' }] })),
			'entry[0].changes[0].value.statuses[0].id',
		);
	});

	it('random corruption of any fixture field never escapes as anything but a SwitchboardError with a path', () => {
		assertPathCorruptionTyped({
			bodies: PAYLOAD_FIXTURES.map((name) => fixtureJson<unknown>(name)),
			replacements: [DELETE, null, 42, -1, 'x', '', [], {}, true, [{}], { id: 1 }],
			run: (body) => adapterNormalize({ body, headers: JSON_HEADERS }),
			numRuns: 400,
		});
	});
});

// =====================================================================================================
// Render

const outbound = outboundMessages({ id: 'out-1', channel: 'whatsapp', provider: 'whatsapp', conversation: { id: '447700900321', type: 'direct' } });

const ENVELOPE = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '447700900321' };

describe('whatsapp: render', () => {
	it('text → one messages body; preview_url only when the text has a link', () => {
		const out = render(outbound([{ type: 'text', text: 'Your order has shipped' }, { type: 'text', text: 'Track it at https://t.example.test/48213' }]), 'whatsapp');
		assert.equal(out.platform, 'whatsapp');
		assert.deepEqual(out.payloads, [
			{ endpoint: 'messages', contentType: 'application/json', body: { ...ENVELOPE, type: 'text', text: { body: 'Your order has shipped' } } },
			{
				endpoint: 'messages',
				contentType: 'application/json',
				body: { ...ENVELOPE, type: 'text', text: { body: 'Track it at https://t.example.test/48213', preview_url: true } },
			},
		]);
		assert.deepEqual(out.degradations, []);
	});

	it('recipient: options.to, else recipients[0], else conversation.id', () => {
		const message = outbound([{ type: 'text', text: 'hi' }]);
		assert.equal(render(message, 'whatsapp', { to: '15550009999' }).payloads[0]!.body.to, '15550009999');
		assert.equal(render({ ...message, recipients: [{ id: '447700900111' }] }, 'whatsapp').payloads[0]!.body.to, '447700900111');
		assert.equal(render({ ...message, recipients: [] }, 'whatsapp').payloads[0]!.body.to, '447700900321');
	});

	it('replyTo → context.message_id on the first body only', () => {
		const out = render(outbound([{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }], { replyTo: { messageId: 'wamid.in' } }), 'whatsapp');
		assert.deepEqual(out.payloads[0]!.body.context, { message_id: 'wamid.in' });
		assert.equal(out.payloads[1]!.body.context, undefined);
	});

	it('markdown → WhatsApp markup; html → plain with a degradation', () => {
		const md = render(outbound([{ type: 'text', format: 'markdown', text: '**Bold**, *italic*, _also_, ~~gone~~ and `code` — [site](https://x.test)\n# Title\n* item' }]), 'whatsapp');
		assert.deepEqual(md.payloads[0]!.body.text, { body: '*Bold*, _italic_, _also_, ~gone~ and `code` — site (https://x.test)\n*Title*\n- item', preview_url: true });
		assert.deepEqual(md.degradations, []);
		const html = render(outbound([{ type: 'text', format: 'html', text: '<p>Hello <b>there</b></p>' }]), 'whatsapp');
		assert.deepEqual(html.payloads[0]!.body.text, { body: 'Hello there' });
		assert.deepEqual(html.degradations, [{ partIndex: 0, from: 'text/html', to: 'text/plain', reason: 'platform has no html formatting' }]);
	});

	it('markdown conversion leaves code alone', () => {
		assert.equal(markdownToWhatsApp('```\n**not bold**\n```'), '```\n**not bold**\n```');
		assert.equal(markdownToWhatsApp('a * b * c'), 'a * b * c');
		assert.equal(markdownToWhatsApp('__x__ and **y**'), '*x* and *y*');
	});

	it('text over 4096 characters is split, and the split is reported', () => {
		const long = `${'a'.repeat(4000)} ${'b'.repeat(1000)}`;
		const out = render(outbound([{ type: 'text', text: long }]), 'whatsapp');
		assert.deepEqual(
			out.payloads.map((p) => ((p.body.text as Json).body as string).length),
			[4000, 1000],
		);
		assert.equal(out.degradations[0]!.from, 'text');
		assert.match(out.degradations[0]!.reason, /split into 2 messages/);
	});

	it('media by link with caption, by id with filename', () => {
		const out = render(
			outbound([
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg', caption: 'Box' },
				{ type: 'media', kind: 'document', mediaId: '998877', filename: 'invoice.pdf', caption: 'Invoice' },
				{ type: 'media', kind: 'video', url: 'https://cdn.example.test/v.mp4', mediaId: '112233' },
				{ type: 'media', kind: 'sticker', mediaId: '445566' },
			]),
			'whatsapp',
		);
		assert.deepEqual(
			out.payloads.map((p) => p.body),
			[
				{ ...ENVELOPE, type: 'image', image: { link: 'https://cdn.example.test/a.jpg', caption: 'Box' } },
				{ ...ENVELOPE, type: 'document', document: { id: '998877', caption: 'Invoice', filename: 'invoice.pdf' } },
				{ ...ENVELOPE, type: 'video', video: { id: '112233' } },
				{ ...ENVELOPE, type: 'sticker', sticker: { id: '445566' } },
			],
		);
		assert.deepEqual(out.degradations, []);
	});

	it('audio caption → a text after it; voice → audio; both reported', () => {
		const out = render(
			outbound([
				{ type: 'media', kind: 'audio', url: 'https://cdn.example.test/a.mp3', caption: 'Listen' },
				{ type: 'media', kind: 'voice', mediaId: '123' },
			]),
			'whatsapp',
		);
		assert.deepEqual(
			out.payloads.map((p) => p.body),
			[
				{ ...ENVELOPE, type: 'audio', audio: { link: 'https://cdn.example.test/a.mp3' } },
				{ ...ENVELOPE, type: 'text', text: { body: 'Listen' } },
				{ ...ENVELOPE, type: 'audio', audio: { id: '123' } },
			],
		);
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[
				[0, 'media.caption', 'text'],
				[1, 'media/voice', 'media/audio'],
			],
		);
	});

	it('location (url reported as dropped) and contacts', () => {
		const out = render(
			outbound([
				{ type: 'location', latitude: 51.539, longitude: -0.142, name: 'Camden Depot', address: '12 Example Road', url: 'https://maps.example.test' },
				{
					type: 'contacts',
					contacts: [
						{ name: { formatted: 'Ana Lima' }, phones: [{ phone: '+447700900123', type: 'CELL', waId: '447700900123' }], emails: [{ email: 'ana@example.test' }], organization: 'Lima Ltd', urls: ['https://lima.example.test'], birthday: '1990-04-01' },
					],
				},
			]),
			'whatsapp',
		);
		assert.deepEqual(out.payloads[0]!.body, { ...ENVELOPE, type: 'location', location: { latitude: 51.539, longitude: -0.142, name: 'Camden Depot', address: '12 Example Road' } });
		assert.deepEqual(out.payloads[1]!.body, {
			...ENVELOPE,
			type: 'contacts',
			contacts: [
				{
					name: { formatted_name: 'Ana Lima', first_name: 'Ana Lima' },
					phones: [{ phone: '+447700900123', type: 'CELL', wa_id: '447700900123' }],
					emails: [{ email: 'ana@example.test' }],
					org: { company: 'Lima Ltd' },
					urls: [{ url: 'https://lima.example.test' }],
					birthday: '1990-04-01',
				},
			],
		});
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [[0, 'location.url', 'dropped']]);
	});

	it('up to 3 reply buttons → interactive button', () => {
		const out = render(
			outbound([
				{
					type: 'buttons',
					text: 'Confirm the slot?',
					buttons: [
						{ id: 'confirm_7731', title: 'Confirm' },
						{ id: 'change', title: 'Pick another time please' },
					],
				},
			]),
			'whatsapp',
		);
		assert.deepEqual(out.payloads[0]!.body, {
			...ENVELOPE,
			type: 'interactive',
			interactive: {
				type: 'button',
				body: { text: 'Confirm the slot?' },
				action: {
					buttons: [
						{ type: 'reply', reply: { id: 'confirm_7731', title: 'Confirm' } },
						{ type: 'reply', reply: { id: 'change', title: 'Pick another time pl' } },
					],
				},
			},
		});
		assert.deepEqual(out.degradations, [{ partIndex: 0, from: 'buttons', to: 'buttons', reason: "button title cut to WhatsApp's 20 characters" }]);
	});

	it('4–10 reply buttons → list; 11+ → numbered text; each reported', () => {
		const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `b${i + 1}`, title: `Option ${i + 1}` }));
		const four = render(outbound([{ type: 'buttons', text: 'Pick one', buttons: buttons(4) }]), 'whatsapp');
		const interactive = four.payloads[0]!.body.interactive as Json;
		assert.equal(interactive.type, 'list');
		assert.deepEqual(interactive.body, { text: 'Pick one' });
		assert.deepEqual(interactive.action, { button: 'Choose', sections: [{ rows: buttons(4).map((b) => ({ id: b.id, title: b.title })) }] });
		assert.deepEqual(four.degradations.map((d) => [d.from, d.to]), [['buttons', 'list']]);

		const eleven = render(outbound([{ type: 'buttons', text: 'Pick one', buttons: buttons(11) }]), 'whatsapp');
		assert.equal(eleven.payloads.length, 1);
		const text = (eleven.payloads[0]!.body.text as Json).body as string;
		assert.equal(text.split('\n')[0], 'Pick one');
		assert.equal(text.split('\n')[11], '11. Option 11');
		assert.deepEqual(eleven.degradations.map((d) => [d.from, d.to]), [['buttons', 'text']]);
	});

	it('a single url button → cta_url; url mixed with reply buttons → links in the body, reported', () => {
		const cta = render(outbound([{ type: 'buttons', text: 'Your parcel is on its way', buttons: [{ title: 'Track', action: 'url', url: 'https://t.example.test/1' }] }]), 'whatsapp');
		assert.deepEqual(cta.payloads[0]!.body.interactive, {
			type: 'cta_url',
			body: { text: 'Your parcel is on its way' },
			action: { name: 'cta_url', parameters: { display_text: 'Track', url: 'https://t.example.test/1' } },
		});
		assert.deepEqual(cta.degradations, []);

		const mixed = render(
			outbound([
				{
					type: 'buttons',
					text: 'Delivered?',
					buttons: [
						{ id: 'yes', title: 'Yes' },
						{ title: 'Help', action: 'url', url: 'https://help.example.test' },
					],
				},
			]),
			'whatsapp',
		);
		const interactive = mixed.payloads[0]!.body.interactive as Json;
		assert.equal(interactive.type, 'button');
		assert.deepEqual(interactive.body, { text: 'Delivered?\nHelp: https://help.example.test' });
		assert.deepEqual(interactive.action, { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }] });
		assert.deepEqual(mixed.degradations.map((d) => [d.from, d.to]), [['buttons', 'text']]);
	});

	it('buttons without text get a body (reported)', () => {
		const out = render(outbound([{ type: 'buttons', buttons: [{ id: 'a', title: 'A' }] }]), 'whatsapp');
		assert.deepEqual((out.payloads[0]!.body.interactive as Json).body, { text: 'Choose an option:' });
		assert.equal(out.degradations.length, 1);
	});

	it('list with sections, descriptions and a button label', () => {
		const out = render(
			outbound([
				{
					type: 'list',
					text: 'Pick a delivery slot',
					buttonText: 'Slots',
					sections: [
						{ title: 'Thursday', rows: [{ id: 'slot_thu_14', title: 'Thu 14:00', description: 'Camden depot' }] },
						{ rows: [{ id: 'slot_fri_10', title: 'Fri 10:00' }] },
					],
				},
			]),
			'whatsapp',
		);
		assert.deepEqual(out.payloads[0]!.body.interactive, {
			type: 'list',
			body: { text: 'Pick a delivery slot' },
			action: {
				button: 'Slots',
				sections: [
					{ title: 'Thursday', rows: [{ id: 'slot_thu_14', title: 'Thu 14:00', description: 'Camden depot' }] },
					{ title: 'Section 2', rows: [{ id: 'slot_fri_10', title: 'Fri 10:00' }] },
				],
			},
		});
		assert.deepEqual(out.degradations.map((d) => [d.from, d.to]), [['list', 'list']]);
	});

	it('quick replies → reply buttons; a card → image + buttons with the card text', () => {
		const qr = render(outbound([{ type: 'quick_replies', text: 'Size?', options: [{ id: 's', title: 'S' }, { id: 'm', title: 'M' }] }]), 'whatsapp');
		assert.equal((qr.payloads[0]!.body.interactive as Json).type, 'button');
		assert.deepEqual(qr.degradations.map((d) => [d.from, d.to]), [['quick_replies', 'buttons']]);

		const card = render(
			outbound([{ type: 'card', title: 'Linen shirt', subtitle: '£45', imageUrl: 'https://cdn.example.test/shirt.jpg', buttons: [{ id: 'buy', title: 'Buy' }] }]),
			'whatsapp',
		);
		assert.deepEqual(card.payloads.map((p) => p.body.type), ['image', 'interactive']);
		assert.deepEqual(card.payloads[0]!.body.image, { link: 'https://cdn.example.test/shirt.jpg' });
		assert.deepEqual((card.payloads[1]!.body.interactive as Json).body, { text: 'Linen shirt\n£45' });
		assert.deepEqual(card.degradations.map((d) => [d.from, d.to]), [['card', 'text']]);
	});

	it('template with header, named body, quick-reply and url button parameters', () => {
		const out = render(
			outbound([
				{
					type: 'template',
					name: 'order_update',
					language: 'en_GB',
					parameters: [
						{ component: 'header', value: 'https://cdn.example.test/h.jpg', type: 'image' },
						{ component: 'body', name: 'customer_name', value: 'Priya' },
						{ component: 'body', value: '48213' },
						{ component: 'button', index: 0, value: 'STOP_PROMOS' },
						{ component: 'button', index: 1, value: '48213', subType: 'url' },
						{ component: 'footer', value: 'ignored' },
					],
				},
			]),
			'whatsapp',
		);
		assert.deepEqual(out.payloads[0]!.body, {
			...ENVELOPE,
			type: 'template',
			template: {
				name: 'order_update',
				language: { code: 'en_GB' },
				components: [
					{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.test/h.jpg' } }] },
					{ type: 'body', parameters: [{ type: 'text', text: 'Priya', parameter_name: 'customer_name' }, { type: 'text', text: '48213' }] },
					{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP_PROMOS' }] },
					{ type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: '48213' }] },
				],
			},
		});
		assert.deepEqual(out.degradations.map((d) => [d.from, d.to]), [['template.footer', 'dropped']]);
	});

	it('template without parameters or language → en_US, no components, reported', () => {
		const out = render(outbound([{ type: 'template', name: 'hello_world' }]), 'whatsapp');
		assert.deepEqual(out.payloads[0]!.body.template, { name: 'hello_world', language: { code: 'en_US' } });
		assert.equal(out.degradations.length, 1);
	});

	it('reaction (also removal) never carries context', () => {
		const out = render(
			outbound([{ type: 'reaction', emoji: '👍', targetMessageId: 'wamid.in' }, { type: 'reaction', emoji: '', targetMessageId: 'wamid.in' }], { replyTo: { messageId: 'wamid.in' } }),
			'whatsapp',
		);
		assert.deepEqual(
			out.payloads.map((p) => p.body),
			[
				{ ...ENVELOPE, type: 'reaction', reaction: { message_id: 'wamid.in', emoji: '👍' } },
				{ ...ENVELOPE, type: 'reaction', reaction: { message_id: 'wamid.in', emoji: '' } },
			],
		);
		assert.deepEqual(out.degradations.map((d) => [d.from, d.to]), [['replyTo', 'dropped']]);
	});

	it('order and interactive_reply degrade to text; system is dropped', () => {
		const out = render(
			outbound([
				{ type: 'order', items: [{ productId: 'SKU-1', quantity: 2 }] },
				{ type: 'interactive_reply', id: 'yes', title: 'Yes', source: 'button' },
				{ type: 'system', event: 'member_added' },
			]),
			'whatsapp',
		);
		assert.deepEqual(out.payloads.map((p) => (p.body.text as Json).body), ['2 × SKU-1', 'Yes']);
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [
			[0, 'order', 'text'],
			[1, 'interactive_reply', 'text'],
			[2, 'system', 'dropped'],
		]);
	});
});

// =====================================================================================================
// Round trip

/** What a part looks like after render → deliver → normalize: only the content that must survive. */
function content(part: Part): unknown {
	switch (part.type) {
		case 'text':
			return { type: 'text', text: part.text };
		case 'media':
			return { type: 'media', kind: part.kind, url: part.url, caption: part.caption };
		case 'location':
			// `+ 0` folds -0 into 0: JSON (the wire) has no negative zero.
			return { type: 'location', latitude: part.latitude + 0, longitude: part.longitude + 0 };
		case 'contacts':
			return { type: 'contacts', contacts: part.contacts.map((c) => ({ name: c.name.formatted, phones: c.phones.map((p) => p.phone) })) };
		case 'reaction':
			return { type: 'reaction', emoji: part.emoji, targetMessageId: part.targetMessageId };
		default:
			return part;
	}
}

describe('whatsapp: round trip', () => {
	it('normalize(deliver(render(m))) keeps text, media, location, contacts and reactions', () => {
		fc.assert(
			fc.property(arbMessage('whatsapp', 'whatsapp', ['text', 'media', 'location', 'contacts', 'reaction']), (message) => {
				const rendered = render(message, 'whatsapp');
				assert.deepEqual(rendered.degradations, []);
				const result = normalize(deliverWhatsApp(rendered.payloads));
				assert.equal(result.platform, 'whatsapp');
				assert.equal(result.messages.length, message.parts.length);
				result.messages.forEach(assertValidMessage);
				assert.deepEqual(
					result.messages.flatMap((m) => m.parts).map(content),
					message.parts.map(content),
				);
				for (const m of result.messages) assert.equal(m.conversation.id, '15550009999');
				assert.equal(result.messages[0]!.recipients[0]!.phone, `+${message.recipients[0]!.id.replace(/^\+/, '')}`);
			}),
			{ numRuns: 150 },
		);
	});

	it('the reply reference survives the trip', () => {
		const rendered = render(outbound([{ type: 'text', text: 'Yes' }], { replyTo: { messageId: 'wamid.original' } }), 'whatsapp');
		const message = only(normalize(deliverWhatsApp(rendered.payloads, { bodyAs: 'object' })).messages);
		assert.equal(message.replyTo?.messageId, 'wamid.original');
	});
});
