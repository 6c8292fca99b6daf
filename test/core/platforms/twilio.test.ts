import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MalformedBodyError, RenderError } from '../../../core/errors';
import { normalize } from '../../../core/normalize';
import { detectTwilio } from '../../../core/platforms/twilio';
import { mapTwilioStatus } from '../../../core/platforms/twilio/map-twilio-status';
import { splitBody } from '../../../core/platforms/twilio/render';
import { render } from '../../../core/render';
import { parseRequest } from '../../../core/request';
import { type DeliveryEvent, type Message, type Part } from '../../../core/schema/message';
import { arbMessage } from '../../support/arbitraries';
import { fixtureBytes, fixtureNames, fixtureRequest } from '../../support/fixtures';
import { contentTypeOf, deliverTwilio } from '../../support/inbound/twilio';
import { FORM_HEADERS as FORM, roundTrip, assertDetectsExactly, assertTruncationsTyped, assertTypedOutcome, carriedContent as content, formRequest as form, mismatchOf, normalizeFixture, onlyEvent as onlyEventOf, onlyMessage as onlyMessageOf, outboundMessages } from '../../support/platform-test-kit';

const NOW = '2026-05-28T16:00:00.000Z';
const now = () => new Date(NOW);

const TWILIO_FIXTURES = fixtureNames().filter((n) => n.startsWith('twilio-'));

const onlyMessage = (name: string): Message => onlyMessageOf(fixtureRequest(name), 'twilio', { now });

function onlyEvent(name: string, headers: Record<string, string> = {}): DeliveryEvent {
	const request = fixtureRequest(name);
	return onlyEventOf({ ...request, headers: { ...request.headers, ...headers } }, 'twilio', { now });
}

const INBOUND_BASE = {
	MessageSid: 'SM00000000000000000000000000000001',
	AccountSid: 'ACa1b2c3d4e5f60718293a4b5c6d7e8f90',
	From: '+14255550177',
	To: '+15005550123',
	SmsStatus: 'received',
	ApiVersion: '2010-04-01',
};

const mismatch = mismatchOf('twilio');

const outbound = outboundMessages({ id: 'msg_1', channel: 'sms', provider: 'twilio', conversation: { id: '+447700900321', type: 'direct' } });

describe('twilio fixtures', () => {
	it('has the eleven Twilio fixtures', () => {
		assert.equal(TWILIO_FIXTURES.length, 11);
	});

	for (const name of TWILIO_FIXTURES) {
		it(`${name}: auto-detected from bytes, string and parsed record alike, and schema-valid`, () => {
			const fromBytes = normalizeFixture(name, 'twilio', { now });
			assert.equal(fromBytes.messages.length + fromBytes.events.length, 1);
		});
	}

	it('detect() claims exactly the Twilio fixtures', () => {
		assertDetectsExactly(detectTwilio, (name) => name.startsWith('twilio-'));
	});

	it('detect() matches on the signature header alone, and explains a miss', () => {
		assert.equal(detectTwilio(parseRequest({ body: 'Foo=1', headers: { 'X-Twilio-Signature': 'abc=' } })).match, true);
		const miss = detectTwilio(parseRequest({ body: { AccountSid: 'XX1', MessageSid: 'SM1' } }));
		assert.equal(miss.match, false);
		assert.match(miss.match ? '' : miss.reason, /AccountSid/);
		// SendGrid's signature header is not Twilio Messaging.
		assert.equal(detectTwilio(parseRequest({ body: [], headers: { 'X-Twilio-Email-Event-Webhook-Signature': 'x' } })).match, false);
	});
});

describe('twilio inbound messages', () => {
	it('SMS text', () => {
		const m = onlyMessage('twilio-inbound-sms-text.txt');
		assert.equal(m.id, 'twilio:SM3c9e1f0a7b2d4c6e8f0a1b2c3d4e5f6a');
		assert.equal(m.providerMessageId, 'SM3c9e1f0a7b2d4c6e8f0a1b2c3d4e5f6a');
		assert.equal(m.channel, 'sms');
		assert.equal(m.provider, 'twilio');
		assert.equal(m.direction, 'inbound');
		assert.deepEqual(m.sender, { id: '+14255550177', phone: '+14255550177' });
		assert.deepEqual(m.conversation, { id: '+14255550177', type: 'direct' });
		assert.deepEqual(m.recipients, [{ id: '+15005550123', phone: '+15005550123' }]);
		assert.equal(m.timestamp, NOW);
		assert.deepEqual(m.parts, [{ type: 'text', text: 'STATUS order 48213 please', format: 'plain' }]);
		assert.equal(m.replyTo, undefined);
		assert.equal(m.metadata.accountSid, 'ACa1b2c3d4e5f60718293a4b5c6d7e8f90');
		assert.equal(m.metadata.messagingServiceSid, 'MG0f1e2d3c4b5a69788796a5b4c3d2e1f0');
		assert.equal(m.metadata.numSegments, 1);
		assert.deepEqual(m.metadata.fromGeo, { city: 'SEATTLE', state: 'WA', zip: '98101', country: 'US' });
		assert.deepEqual(m.metadata.toGeo, { state: 'CA', country: 'US' });
		assert.equal((m.raw as Record<string, string>).Body, 'STATUS order 48213 please');
	});

	it('WhatsApp text: prefix stripped, WaId and ProfileName on the sender', () => {
		const m = onlyMessage('twilio-inbound-whatsapp-text.txt');
		assert.equal(m.channel, 'whatsapp');
		assert.equal(m.providerMessageId, 'SM0a1b2c3d4e5f60718293a4b5c6d7e8f9');
		assert.deepEqual(m.sender, { id: '+447700900321', name: 'Priya Natarajan', phone: '+447700900321', waId: '447700900321' });
		assert.deepEqual(m.conversation, { id: '+447700900321', type: 'direct' });
		assert.deepEqual(m.recipients, [{ id: '+15005550123', phone: '+15005550123' }]);
		assert.deepEqual(m.parts, [{ type: 'text', text: 'Hi, is the Camden store open on Sunday?', format: 'plain' }]);
		assert.equal(m.metadata.messageType, 'text');
		assert.equal(m.metadata.forwarded, false);
		assert.equal(m.metadata.frequentlyForwarded, false);
		assert.equal(m.metadata.referral, undefined, 'ReferralNumMedia=0 alone is not a referral');
		assert.equal(m.timestamp, NOW);
	});

	it('WhatsApp image: Body is the caption of the one medium', () => {
		const m = onlyMessage('twilio-inbound-whatsapp-image.txt');
		assert.equal(m.channel, 'whatsapp');
		assert.equal(m.providerMessageId, 'MM5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b');
		assert.deepEqual(m.parts, [
			{
				type: 'media',
				kind: 'image',
				url: 'https://api.twilio.com/2010-04-01/Accounts/ACa1b2c3d4e5f60718293a4b5c6d7e8f90/Messages/MM5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b/Media/ME0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e',
				mediaId: 'ME0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e',
				mimeType: 'image/jpeg',
				caption: 'Damaged on arrival',
			},
		]);
		assert.equal(m.sender?.name, 'Priya Natarajan');
	});

	it('WhatsApp button reply: interactive_reply, no duplicate text, replyTo from OriginalRepliedMessageSid', () => {
		const m = onlyMessage('twilio-inbound-whatsapp-button.txt');
		assert.deepEqual(m.parts, [{ type: 'interactive_reply', id: 'appt_7731_reschedule', title: 'Reschedule', source: 'button' }]);
		assert.deepEqual(m.replyTo, { messageId: 'MM2b3c4d5e6f708192a3b4c5d6e7f8091a', senderId: '+15005550123' });
		assert.equal(m.metadata.messageType, 'interactive');
		assert.equal(m.channel, 'whatsapp');
	});

	it('WhatsApp reply with context', () => {
		const m = onlyMessage('twilio-inbound-whatsapp-reply-context.txt');
		assert.deepEqual(m.parts, [{ type: 'text', text: 'Yes, that one', format: 'plain' }]);
		assert.deepEqual(m.replyTo, { messageId: 'SM4c5d6e7f8091a2b3c4d5e6f708192a3b', senderId: '+15005550123' });
		assert.equal(m.id, 'twilio:SM8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d');
	});

	it('MMS with two media: channel mms, Body as its own text before the media, kinds from content types', () => {
		const result = normalize(
			form({
				...INBOUND_BASE,
				MessageSid: 'MM00000000000000000000000000000002',
				Body: 'Two files',
				NumMedia: '2',
				MediaUrl0: 'https://api.twilio.com/x/Media/ME1',
				MediaContentType0: 'video/mp4',
				MediaUrl1: 'https://api.twilio.com/x/Media/ME2',
				MediaContentType1: 'application/pdf',
			}),
			{ now },
		);
		const m = result.messages[0]!;
		assert.equal(m.channel, 'mms');
		assert.deepEqual(m.parts, [
			{ type: 'text', text: 'Two files', format: 'plain' },
			{ type: 'media', kind: 'video', url: 'https://api.twilio.com/x/Media/ME1', mediaId: 'ME1', mimeType: 'video/mp4' },
			{ type: 'media', kind: 'document', url: 'https://api.twilio.com/x/Media/ME2', mediaId: 'ME2', mimeType: 'application/pdf' },
		]);
	});

	it('WhatsApp location, audio and sticker kinds', () => {
		const location = normalize(
			form({
				...INBOUND_BASE,
				From: 'whatsapp:+447700900321',
				To: 'whatsapp:+15005550123',
				Body: '',
				NumMedia: '0',
				MessageType: 'location',
				Latitude: '51.5390',
				Longitude: '-0.1426',
				Label: 'Camden store',
				Address: '1 High St, London',
			}),
			{ now },
		).messages[0]!;
		assert.deepEqual(location.parts, [{ type: 'location', latitude: 51.539, longitude: -0.1426, name: 'Camden store', address: '1 High St, London' }]);
		const sticker = normalize(
			form({ ...INBOUND_BASE, From: 'whatsapp:+447700900321', NumMedia: '1', MessageType: 'sticker', MediaUrl0: 'https://x.test/a', MediaContentType0: 'image/webp' }),
			{ now },
		).messages[0]!;
		assert.deepEqual(sticker.parts, [{ type: 'media', kind: 'sticker', url: 'https://x.test/a', mimeType: 'image/webp' }]);
		const audio = normalize(form({ ...INBOUND_BASE, NumMedia: '1', MediaUrl0: 'https://x.test/v', MediaContentType0: 'audio/ogg' }), { now }).messages[0]!;
		assert.equal((audio.parts[0] as Extract<Part, { type: 'media' }>).kind, 'audio');
	});

	it('referral, ChannelMetadata and unknown extra fields are accepted and kept', () => {
		const m = normalize(
			form({
				...INBOUND_BASE,
				From: 'whatsapp:+447700900321',
				Body: 'Hi from the ad',
				NumMedia: '0',
				ReferralNumMedia: '0',
				ReferralSourceId: '1234',
				ReferralSourceType: 'ad',
				ReferralCtwaClid: 'clid_1',
				ChannelMetadata: '{"type":"whatsapp","data":{"context":{}}}',
				SomethingTwilioAddsNextYear: 'yes',
			}),
			{ now },
		).messages[0]!;
		assert.deepEqual(m.metadata.referral, { numMedia: 0, sourceId: '1234', sourceType: 'ad', ctwaClid: 'clid_1' });
		assert.deepEqual(m.metadata.channelMetadata, { type: 'whatsapp', data: { context: {} } });
		assert.deepEqual(m.parts, [{ type: 'text', text: 'Hi from the ad', format: 'plain' }]);
		assert.equal((m.raw as Record<string, string>).SomethingTwilioAddsNextYear, 'yes');
	});

	it('a message with nothing mappable keeps the form in an unsupported part', () => {
		const m = normalize(form({ ...INBOUND_BASE, Body: '', NumMedia: '0', MessageType: 'reaction' }), { now }).messages[0]!;
		assert.equal(m.parts.length, 1);
		const part = m.parts[0] as Extract<Part, { type: 'unsupported' }>;
		assert.equal(part.type, 'unsupported');
		assert.equal(part.platformType, 'reaction');
		assert.equal((part.original as Record<string, string>).MessageSid, INBOUND_BASE.MessageSid);
	});

	it('keepRaw: false leaves raw out', () => {
		const m = normalize(fixtureRequest('twilio-inbound-sms-text.txt'), { now, keepRaw: false }).messages[0]!;
		assert.equal('raw' in m, false);
	});
});

describe('twilio status callbacks', () => {
	const cases: Array<[string, string, DeliveryEvent['status'], DeliveryEvent['channel'], string]> = [
		['twilio-status-queued.txt', 'queued', 'queued', 'sms', 'SM9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e'],
		['twilio-status-sent.txt', 'sent', 'sent', 'sms', 'SM9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e'],
		['twilio-status-delivered.txt', 'delivered', 'delivered', 'sms', 'SM9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e'],
		['twilio-status-undelivered-30003.txt', 'undelivered', 'failed', 'sms', 'SM9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e'],
		['twilio-status-whatsapp-delivered.txt', 'delivered', 'delivered', 'whatsapp', 'SM2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b'],
		['twilio-status-whatsapp-failed-63016.txt', 'failed', 'failed', 'whatsapp', 'SM3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c'],
	];
	for (const [name, providerStatus, status, channel, sid] of cases) {
		it(`${name} → ${status}`, () => {
			const e = onlyEvent(name);
			assert.equal(e.status, status);
			assert.equal(e.providerStatus, providerStatus);
			assert.equal(e.channel, channel);
			assert.equal(e.providerMessageId, sid);
			assert.equal(e.provider, 'twilio');
			assert.equal(e.timestamp, NOW, 'Twilio sends no time: the injected clock is used');
			assert.equal(e.providerEventId, undefined);
			assert.match(e.id, /^twilio:[0-9a-f]{32}$/);
		});
	}

	it('SMS delivered: recipient, RawDlrDoneDate and service in metadata, no error', () => {
		const e = onlyEvent('twilio-status-delivered.txt');
		assert.equal(e.recipient, '+14255550177');
		assert.equal(e.error, undefined);
		assert.equal(e.metadata.rawDlrDoneDate, '2605281432');
		assert.equal(e.metadata.messagingServiceSid, 'MG0f1e2d3c4b5a69788796a5b4c3d2e1f0');
		assert.equal(e.metadata.accountSid, 'ACa1b2c3d4e5f60718293a4b5c6d7e8f90');
		assert.equal(e.metadata.from, '+15005550123');
	});

	it('undelivered 30003: error code, known message, retryable', () => {
		const e = onlyEvent('twilio-status-undelivered-30003.txt');
		assert.deepEqual(e.error, { code: '30003', message: 'Unreachable destination handset', retryable: true });
		assert.equal(e.metadata.rawDlrDoneDate, '2605281433');
	});

	it('WhatsApp failed 63016: ChannelStatusMessage as the message, not retryable, prefix stripped', () => {
		const e = onlyEvent('twilio-status-whatsapp-failed-63016.txt');
		assert.deepEqual(e.error, {
			code: '63016',
			message: 'Failed to send freeform message because you are outside the allowed window.',
			retryable: false,
		});
		assert.equal(e.recipient, '+447700900321');
		assert.equal(e.metadata.channelPrefix, 'whatsapp');
		assert.equal(e.metadata.channelInstallSid, 'XE11223344556677889900aabbccddeeff');
	});

	it('event ids are stable across re-deliveries and differ between statuses', () => {
		assert.equal(onlyEvent('twilio-status-sent.txt').id, onlyEvent('twilio-status-sent.txt').id);
		assert.notEqual(onlyEvent('twilio-status-sent.txt').id, onlyEvent('twilio-status-delivered.txt').id);
	});

	it('I-Twilio-Idempotency-Token becomes the provider event id', () => {
		const e = onlyEvent('twilio-status-sent.txt', { 'I-Twilio-Idempotency-Token': 'c0ffee-42' });
		assert.equal(e.providerEventId, 'c0ffee-42');
		assert.equal(e.id, 'twilio:c0ffee-42');
	});

	it('EventType READ, canceled, MMS SIDs, unknown words', () => {
		const status = (fields: Record<string, string>) =>
			normalize(form({ MessageSid: 'SM1', AccountSid: 'AC1', To: '+1', From: '+2', ...fields }), { now }).events[0]!;
		const read = status({ MessageStatus: 'read', EventType: 'READ', ChannelPrefix: 'whatsapp' });
		assert.equal(read.status, 'read');
		assert.equal(read.channel, 'whatsapp');
		assert.equal(read.metadata.eventType, 'READ');
		const canceled = status({ MessageStatus: 'canceled' });
		assert.equal(canceled.status, 'failed');
		assert.deepEqual(canceled.error, { message: 'The message was canceled before it was sent' });
		assert.equal(status({ MessageSid: 'MM1', MessageStatus: 'delivered' }).channel, 'mms');
		const partial = status({ MessageStatus: 'partially_delivered' });
		assert.equal(partial.status, 'unknown');
		assert.equal(partial.providerStatus, 'partially_delivered');
		const other = status({ MessageStatus: 'failed', ErrorCode: '99999' });
		assert.deepEqual(other.error, { code: '99999' }, 'an unknown code gets no invented message or retry hint');
		const optOut = status({ MessageStatus: 'failed', ErrorCode: '21610' });
		assert.equal(optOut.error?.retryable, false);
		assert.equal(status({ MessageStatus: 'undelivered', ErrorCode: '30001' }).error?.retryable, true);
		for (const code of ['21211', '30005', '30006', '30007']) assert.equal(status({ MessageStatus: 'failed', ErrorCode: code }).error?.retryable, false, code);
		// Old accounts send only SmsStatus.
		assert.equal(status({ SmsStatus: 'sent' }).status, 'sent');
	});

	it('mapTwilioStatus covers the documented status enum', () => {
		const expected: Record<string, DeliveryEvent['status']> = {
			accepted: 'queued',
			scheduled: 'queued',
			queued: 'queued',
			sending: 'sent',
			sent: 'sent',
			delivered: 'delivered',
			read: 'read',
			undelivered: 'failed',
			failed: 'failed',
			canceled: 'failed',
			partially_delivered: 'unknown',
			receiving: 'unknown',
			received: 'unknown',
		};
		for (const [word, status] of Object.entries(expected)) assert.equal(mapTwilioStatus(word), status, word);
		assert.equal(mapTwilioStatus('delivered', 'READ'), 'read');
	});
});

describe('twilio malformed input', () => {
	it('empty body → MalformedBodyError', () => {
		assert.throws(() => normalize({ body: '', headers: FORM }, { platform: 'twilio', now }), MalformedBodyError);
	});

	it('JSON array instead of a form → PayloadMismatchError at the root', () => {
		mismatch(() => normalize({ body: '[1,2]', headers: { 'Content-Type': 'application/json' } }, { platform: 'twilio', now }), '');
	});

	it('missing From on an inbound message names From', () => {
		const { From: _from, ...rest } = INBOUND_BASE;
		mismatch(() => normalize(form({ ...rest, Body: 'x' }), { now }), 'From');
	});

	it('NumMedia larger than the media sent names the missing MediaUrl', () => {
		mismatch(() => normalize(form({ ...INBOUND_BASE, NumMedia: '2', MediaUrl0: 'https://x.test/a', MediaContentType0: 'image/png' }), { now }), 'MediaUrl1');
	});

	it('bad numbers name their field', () => {
		mismatch(() => normalize(form({ ...INBOUND_BASE, NumMedia: 'two' }), { now }), 'NumMedia');
		mismatch(() => normalize(form({ ...INBOUND_BASE, Latitude: 'north', Longitude: '1' }), { now }), 'Latitude');
		mismatch(() => normalize(form({ ...INBOUND_BASE, Latitude: '10' }), { now }), 'Longitude');
	});

	it('a declared field sent twice (array) is a mismatch on that field', () => {
		mismatch(() => normalize(form({ ...INBOUND_BASE, Body: ['a', 'b'] }), { now }), 'Body');
	});

	it('neither a message nor a status → names MessageStatus', () => {
		mismatch(() => normalize({ body: 'Foo=1&Bar=2', headers: FORM }, { platform: 'twilio', now }), 'MessageStatus');
	});

	it('every truncation of every fixture either normalizes or fails with a typed error (never a TypeError)', () => {
		assertTruncationsTyped(TWILIO_FIXTURES, fixtureBytes, (body) => normalize({ body, headers: FORM }, { platform: 'twilio', now }), { shapeErrorsOnly: true });
	});

	it('garbage bytes do not crash', () => {
		for (const body of ['%%%', '=&=&', '\u0000\u0001\u0002', 'a=%E0%A4%A', '{"not":"a form"}']) {
			assert.throws(() => normalize({ body, headers: FORM }, { platform: 'twilio', now }), `accepted ${body}`);
			assertTypedOutcome(() => normalize({ body, headers: FORM }, { platform: 'twilio', now }), body, { shapeErrorsOnly: true });
		}
	});
});

describe('twilio render', () => {
	const from = { from: '+15005550123' };

	it('SMS text → one form body for Messages.json', () => {
		const out = render(outbound([{ type: 'text', text: 'Your order shipped' }]), 'twilio', from);
		assert.equal(out.platform, 'twilio');
		assert.deepEqual(out.payloads, [
			{
				endpoint: 'Messages.json',
				contentType: 'application/x-www-form-urlencoded',
				body: { To: '+447700900321', From: '+15005550123', Body: 'Your order shipped' },
			},
		]);
		assert.deepEqual(out.degradations, []);
	});

	it('recipient precedence: options.to, then recipients[0], then conversation.id', () => {
		const parts = [{ type: 'text' as const, text: 'x' }];
		assert.equal(render(outbound(parts), 'twilio', { ...from, to: '+19999' }).payloads[0]!.body.To, '+19999');
		assert.equal(render(outbound(parts, { recipients: [{ id: '+18888' }] }), 'twilio', from).payloads[0]!.body.To, '+18888');
		assert.equal(render(outbound(parts, { recipients: [] }), 'twilio', from).payloads[0]!.body.To, '+447700900321');
	});

	it('a Messaging Service SID goes out as MessagingServiceSid; no from → no From', () => {
		const parts = [{ type: 'text' as const, text: 'x' }];
		assert.deepEqual(render(outbound(parts), 'twilio', { from: 'MG0f1e2d3c4b5a69788796a5b4c3d2e1f0' }).payloads[0]!.body, {
			To: '+447700900321',
			MessagingServiceSid: 'MG0f1e2d3c4b5a69788796a5b4c3d2e1f0',
			Body: 'x',
		});
		assert.deepEqual(render(outbound(parts), 'twilio').payloads[0]!.body, { To: '+447700900321', Body: 'x' });
	});

	it('WhatsApp: prefixes on To/From, media with caption → Body + MediaUrl, one medium per message', () => {
		const out = render(
			outbound(
				[
					{ type: 'text', text: 'Here are the photos' },
					{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg', caption: 'Front' },
					{ type: 'media', kind: 'document', url: 'https://cdn.example.test/b.pdf' },
				],
				{ channel: 'whatsapp' },
			),
			'twilio',
			from,
		);
		assert.deepEqual(
			out.payloads.map((p) => p.body),
			[
				{ To: 'whatsapp:+447700900321', From: 'whatsapp:+15005550123', Body: 'Here are the photos' },
				{ To: 'whatsapp:+447700900321', From: 'whatsapp:+15005550123', Body: 'Front', MediaUrl: ['https://cdn.example.test/a.jpg'] },
				{ To: 'whatsapp:+447700900321', From: 'whatsapp:+15005550123', MediaUrl: ['https://cdn.example.test/b.pdf'] },
			],
		);
		assert.deepEqual(out.degradations, []);
	});

	it('an already prefixed recipient makes it WhatsApp whatever the channel', () => {
		const out = render(outbound([{ type: 'text', text: 'x' }]), 'twilio', { to: 'whatsapp:+447700900321', from: 'whatsapp:+15005550123' });
		assert.deepEqual(out.payloads[0]!.body, { To: 'whatsapp:+447700900321', From: 'whatsapp:+15005550123', Body: 'x' });
	});

	it('MMS packs caption-less media up to 10 per message', () => {
		const media = Array.from({ length: 11 }, (_, i) => ({ type: 'media' as const, kind: 'image' as const, url: `https://cdn.example.test/${i}.jpg` }));
		const out = render(outbound(media, { channel: 'mms' }), 'twilio', from);
		assert.equal(out.payloads.length, 2);
		assert.deepEqual(out.payloads[0]!.body.MediaUrl, media.slice(0, 10).map((m) => m.url));
		assert.deepEqual(out.payloads[1]!.body.MediaUrl, [media[10]!.url]);
		assert.equal(out.payloads[0]!.body.Body, undefined);
	});

	it('SMS has no media: a media part becomes its link, reported', () => {
		const out = render(outbound([{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg', caption: 'Receipt' }]), 'twilio', from);
		assert.deepEqual(out.payloads.map((p) => p.body.Body), ['Receipt\nhttps://cdn.example.test/a.jpg']);
		assert.equal(out.payloads[0]!.body.MediaUrl, undefined);
		assert.equal(out.degradations.length, 1);
		assert.equal(out.degradations[0]!.partIndex, 0);
		assert.equal(out.degradations[0]!.from, 'media');
		assert.equal(out.degradations[0]!.to, 'text');
	});

	it('buttons become numbered text (degrade.ts), reported', () => {
		const out = render(
			outbound(
				[
					{ type: 'text', text: 'Hello' },
					{ type: 'buttons', text: 'Confirm?', buttons: [{ id: 'y', title: 'Yes' }, { id: 'n', title: 'No' }] },
				],
				{ channel: 'whatsapp' },
			),
			'twilio',
			from,
		);
		assert.deepEqual(out.payloads.map((p) => p.body.Body), ['Hello', 'Confirm?\n1. Yes\n2. No']);
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[[1, 'buttons', 'text']],
		);
	});

	it('location: WhatsApp PersistentAction geo; SMS a map link, reported', () => {
		const location = { type: 'location' as const, latitude: 51.539, longitude: -0.1426, name: 'Camden store' };
		const wa = render(outbound([location], { channel: 'whatsapp' }), 'twilio', from);
		assert.deepEqual(wa.payloads[0]!.body, {
			To: 'whatsapp:+447700900321',
			From: 'whatsapp:+15005550123',
			Body: 'Camden store',
			PersistentAction: ['geo:51.539,-0.1426|Camden store'],
		});
		assert.deepEqual(wa.degradations, []);
		const sms = render(outbound([location]), 'twilio', from);
		assert.equal(sms.payloads[0]!.body.Body, 'Camden store\nhttps://maps.google.com/?q=51.539,-0.1426');
		assert.deepEqual(sms.degradations.map((d) => [d.partIndex, d.from, d.to]), [[0, 'location', 'text']]);
	});

	it('template → ContentSid + ContentVariables (positions and names)', () => {
		const out = render(
			outbound(
				[
					{
						type: 'template',
						name: 'HXb5b62575e6e4ff6129ad7c8efe1f983e',
						parameters: [{ value: 'Priya' }, { value: 'Thu 14:00' }, { name: 'store', value: 'Camden' }],
					},
				],
				{ channel: 'whatsapp' },
			),
			'twilio',
			from,
		);
		assert.deepEqual(out.payloads[0]!.body, {
			To: 'whatsapp:+447700900321',
			From: 'whatsapp:+15005550123',
			ContentSid: 'HXb5b62575e6e4ff6129ad7c8efe1f983e',
			ContentVariables: '{"1":"Priya","2":"Thu 14:00","store":"Camden"}',
		});
		const bare = render(outbound([{ type: 'template', name: 'HX1' }]), 'twilio', from);
		assert.deepEqual(bare.payloads[0]!.body, { To: '+447700900321', From: '+15005550123', ContentSid: 'HX1' });
	});

	it('a template name that is not a Content SID is a RenderError naming the part', () => {
		assert.throws(
			() => render(outbound([{ type: 'template', name: 'order_update' }]), 'twilio', from),
			(error: unknown) => error instanceof RenderError && /parts\[0\]\.name/.test(error.message) && /HX/.test(error.description),
		);
	});

	it('a Body over 1600 characters is split at whitespace into several messages, reported', () => {
		const words = Array.from({ length: 500 }, (_, i) => `word${i}`).join(' ');
		const out = render(outbound([{ type: 'text', text: words }]), 'twilio', from);
		const bodies = out.payloads.map((p) => p.body.Body as string);
		assert.ok(bodies.length >= 2);
		assert.equal(bodies.join(''), words);
		for (const body of bodies) assert.ok(Array.from(body).length <= 1600);
		for (const body of bodies.slice(0, -1)) assert.ok(body.endsWith(' '), 'cut after a space');
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [[0, 'text', 'text']]);
		assert.match(out.degradations[0]!.reason, /1600/);
	});

	it('splitBody never cuts a surrogate pair and hard-cuts text without spaces', () => {
		const emoji = '😀'.repeat(1700);
		const pieces = splitBody(emoji);
		assert.deepEqual(pieces.map((p) => Array.from(p).length), [1600, 100]);
		assert.equal(pieces.join(''), emoji);
		assert.deepEqual(splitBody('short'), ['short']);
	});

	it('markdown becomes plain text; replyTo and reactions are reported, not silently lost', () => {
		const out = render(
			outbound(
				[
					{ type: 'text', text: 'This is **important**', format: 'markdown' },
					{ type: 'reaction', emoji: '👍', targetMessageId: 'SM1' },
				],
				{ replyTo: { messageId: 'SM0' } },
			),
			'twilio',
			from,
		);
		assert.deepEqual(out.payloads.map((p) => p.body.Body), ['This is important']);
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[
				[0, 'text/markdown', 'text/plain'],
				[1, 'reaction', 'dropped'],
				[-1, 'replyTo', 'dropped'],
			],
		);
	});

	it('media with only a mediaId cannot be sent: reported, and alone it is a RenderError', () => {
		const out = render(
			outbound([{ type: 'text', text: 'hi' }, { type: 'media', kind: 'image', mediaId: 'ME1' }], { channel: 'whatsapp' }),
			'twilio',
			from,
		);
		assert.equal(out.payloads.length, 1);
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [[1, 'media', 'dropped']]);
		assert.throws(() => render(outbound([{ type: 'media', kind: 'image', mediaId: 'ME1' }], { channel: 'whatsapp' }), 'twilio', from), RenderError);
	});
});

describe('twilio round trip: normalize(deliver(render(m)))', () => {
	const EXTENSION: Record<string, string> = { image: 'jpg', video: 'mp4', audio: 'mp3', document: 'pdf' };
	/** Give each media URL the extension of its kind, as a real file server would serve it. */
	const withExtensions = (m: Message): Message => ({
		...m,
		parts: m.parts.map((p) => (p.type === 'media' && p.url ? { ...p, url: p.url.replace(/\.jpg$/, `.${EXTENSION[p.kind]}`) } : p)),
	});
	const check = (m: Message, channel: Message['channel']) => {
		const messages = roundTrip(m, 'twilio', deliverTwilio, { render: { from: '+15005550123' }, normalize: { now } });
		assert.deepEqual(messages.flatMap((n) => n.parts).map(content), m.parts.map(content));
		for (const n of messages) {
			assert.equal(n.channel, channel);
			assert.equal(n.sender?.id, '+15005550123');
			assert.equal(n.recipients[0]?.id, m.recipients[0]!.id);
			for (const p of n.parts) if (p.type === 'media') assert.equal(p.mimeType, contentTypeOf(p.url!));
		}
	};

	it('SMS text', () => {
		fc.assert(fc.property(arbMessage('sms', 'twilio', ['text']), (m) => check(m, 'sms')), { numRuns: 150 });
	});

	it('WhatsApp text + media + location', () => {
		fc.assert(
			fc.property(arbMessage('whatsapp', 'twilio', ['text', 'media', 'location']).map(withExtensions), (m) => check(m, 'whatsapp')),
			{ numRuns: 200 },
		);
	});

	it('MMS text + media (caption-less media packed together come back one by one)', () => {
		fc.assert(
			fc.property(arbMessage('mms', 'twilio', ['text', 'media']).map(withExtensions), (m) => {
				const out = render(m, 'twilio', { from: '+15005550123' });
				const parts = deliverTwilio(out.payloads).flatMap((request) => normalize(request, { now }).messages.flatMap((n) => n.parts));
				assert.deepEqual(parts.map(content), m.parts.map(content));
			}),
			{ numRuns: 150 },
		);
	});
});
