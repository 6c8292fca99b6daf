import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MalformedBodyError, RenderError } from '../../../core/errors';
import { normalize, type NormalizeResult } from '../../../core/normalize';
import { messengerAdapter } from '../../../core/platforms/messenger';
import { mapMessengerStatus } from '../../../core/platforms/messenger/map-messenger-status';
import { isoFromMetaTime } from '../../../core/platforms/shared/meta';
import { splitText } from '../../../core/platforms/shared/text';
import { render } from '../../../core/render';
import { parseRequest, type InboundRequest } from '../../../core/request';
import { type Message, type MessageInput } from '../../../core/schema/message';
import { arbMessage } from '../../support/arbitraries';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureRequest } from '../../support/fixtures';
import { deliverMessenger } from '../../support/inbound/messenger';
import { DELETE, JSON_HEADERS, assertDetectsExactly, assertInboundFrom, assertPathCorruptionTyped, assertValidMessage, assertValidOutput, mismatchOf, normalizeFixture, normalizeValid, only, outboundMessages, textAndMedia as content, withCaptionsAsText as expectedContent, type Json } from '../../support/platform-test-kit';

const NOW = new Date('2026-06-01T09:00:00.000Z');
const now = () => NOW;

const INBOUND_FIXTURES = fixtureNames().filter((f) => f.startsWith('messenger-webhook-'));
const PSID = '6543210987654321';
const PAGE = '100200300400500';

const fixture = (name: string): NormalizeResult => normalizeValid(fixtureRequest(name), 'messenger', { now });

function firstItem(name: string): unknown {
	return fixtureJson<{ entry: Array<{ messaging: unknown[] }> }>(name).entry[0]!.messaging[0];
}

function assertFromCustomer(message: Message, mid: string, timestamp: string): void {
	assertInboundFrom(message, { platform: 'messenger', providerMessageId: mid, sender: { id: PSID }, recipients: [{ id: PAGE }], timestamp, metadata: { page_id: PAGE } });
}

function page(messaging: unknown[], extra: Json = {}): Json {
	return { object: 'page', entry: [{ id: PAGE, time: 1779982000500, messaging, ...extra }] };
}

function item(event: Json, timestamp = 1779982000123): Json {
	return { sender: { id: PSID }, recipient: { id: PAGE }, timestamp, ...event };
}

function run(body: unknown, options: { platform?: string } = {}): NormalizeResult {
	const result = normalize({ body, headers: JSON_HEADERS }, { now, ...options });
	assertValidOutput(result);
	return result;
}

function runMessage(message: Json): Message {
	return only(run(page([item({ message: { mid: 'm_synthetic', ...message } })])).messages);
}

const mismatchAt = mismatchOf('messenger');

function adapterNormalize(request: InboundRequest) {
	return messengerAdapter.normalize!(parseRequest(request), { keepRaw: true, now });
}

// =====================================================================================================

describe('messenger: fixtures', () => {
	it('auto-detects every webhook fixture, from a Buffer, a string and a parsed object alike', () => {
		assert.equal(INBOUND_FIXTURES.length, 6);
		for (const name of INBOUND_FIXTURES) {
			const fromBuffer = normalizeFixture(name, 'messenger', { now });
			assert.equal(fromBuffer.messages.length + fromBuffer.events.length, 1, name);
		}
	});

	it('text', () => {
		const message = only(fixture('messenger-webhook-message-text.json').messages);
		assertFromCustomer(message, 'm_ExAmPlEmId0001-AbCdEf', '2026-05-28T15:26:40.123Z');
		assert.deepEqual(message.parts, [{ type: 'text', text: 'Do you ship to Ireland?', format: 'plain' }]);
		assert.equal(message.replyTo, undefined);
		assert.deepEqual(message.raw, firstItem('messenger-webhook-message-text.json'));
	});

	it('quick reply → interactive_reply (quick_reply) with the text as title', () => {
		const message = only(fixture('messenger-webhook-message-quick-reply.json').messages);
		assertFromCustomer(message, 'm_ExAmPlEmId0002-AbCdEf', '2026-05-28T15:26:50.123Z');
		assert.deepEqual(message.parts, [{ type: 'interactive_reply', id: 'SHIPPING_IE_YES', title: 'Yes', source: 'quick_reply' }]);
	});

	it('image attachment → media by url', () => {
		const message = only(fixture('messenger-webhook-message-attachment-image.json').messages);
		assertFromCustomer(message, 'm_ExAmPlEmId0003-AbCdEf', '2026-05-28T15:27:00.123Z');
		assert.deepEqual(message.parts, [{ type: 'media', kind: 'image', url: 'https://scontent.xx.fbcdn.example/v/t1.15752-9/example.jpg' }]);
	});

	it('echo → outbound, sender = Page, conversation = the person', () => {
		const message = only(fixture('messenger-webhook-message-echo.json').messages);
		assert.equal(message.id, 'messenger:m_ExAmPlEeChO0005-AbCdEf');
		assert.equal(message.providerMessageId, 'm_ExAmPlEeChO0005-AbCdEf');
		assert.equal(message.direction, 'outbound');
		assert.deepEqual(message.conversation, { id: PSID, type: 'direct' });
		assert.deepEqual(message.sender, { id: PAGE });
		assert.deepEqual(message.recipients, [{ id: PSID }]);
		assert.equal(message.timestamp, '2026-05-28T15:27:20.123Z');
		assert.deepEqual(message.parts, [{ type: 'text', text: 'We ship to Ireland in 3-5 days.', format: 'plain' }]);
		assert.equal(message.metadata.app_id, '1234567890123456');
		assert.equal(message.metadata.metadata, 'order:48213');
	});

	it('postback → interactive_reply (postback) with title and payload', () => {
		const message = only(fixture('messenger-webhook-postback.json').messages);
		assertFromCustomer(message, 'm_ExAmPlEpOsTbAcK06', '2026-05-28T15:27:30.123Z');
		assert.deepEqual(message.parts, [{ type: 'interactive_reply', id: 'GET_STARTED', title: 'Get Started', source: 'postback' }]);
	});

	it('delivery → one delivered event per mid, watermark in metadata', () => {
		const event = only(fixture('messenger-webhook-delivery.json').events);
		assert.equal(event.providerMessageId, 'm_ExAmPlEeChO0005-AbCdEf');
		assert.equal(event.status, 'delivered');
		assert.equal(event.providerStatus, 'delivery');
		assert.equal(event.timestamp, '2026-05-28T15:27:25.123Z');
		assert.equal(event.recipient, PSID);
		assert.equal(event.channel, 'messenger');
		assert.equal(event.metadata.watermark, 1779982041000);
		assert.equal(event.metadata.watermark_timestamp, '2026-05-28T15:27:21.000Z');
		assert.equal(event.metadata.page_id, PAGE);
		assert.match(event.id, /^messenger:[0-9a-f]{32}$/);
		assert.equal(only(fixture('messenger-webhook-delivery.json').events).id, event.id);
	});
});

describe('messenger: detection', () => {
	it('claims exactly the Messenger webhook fixtures', () => {
		assertDetectsExactly(messengerAdapter.detect!, (name) => INBOUND_FIXTURES.includes(name));
	});

	it('leaves the bare verification GET to whatsapp, saying so, and answers it when named', () => {
		const detection = messengerAdapter.detect!(parseRequest(fixtureRequest('whatsapp-verification-get.txt')));
		assert.equal(detection.match, false);
		if (!detection.match) assert.match(detection.reason, /whatsapp/);
		const result = normalize(fixtureRequest('whatsapp-verification-get.txt'), { platform: 'messenger' });
		assert.deepEqual(result.handshake, {
			platform: 'messenger',
			kind: 'meta_subscribe',
			challenge: '1158201444',
			verifyToken: 'local-verify-token-123',
			response: { status: 200, contentType: 'text/plain', body: '1158201444' },
		});
	});

	it('never throws on odd bodies', () => {
		for (const body of [undefined, '', 'a=b', '[]', 'null', '{"object":"instagram","entry":[]}', '{"object":"page"}', '{"object":"page","entry":{}}']) {
			assert.equal(messengerAdapter.detect!(parseRequest({ body })).match, false);
		}
	});
});

describe('messenger: events beyond the fixtures', () => {
	it('delivery without mids → one event keyed by the watermark', () => {
		const event = only(run(page([item({ delivery: { watermark: 1779982041000 } })])).events);
		assert.equal(event.providerMessageId, 'watermark:1779982041000');
		assert.equal(event.status, 'delivered');
		assert.equal(event.metadata.watermark, 1779982041000);
		assert.equal(event.metadata.watermark_timestamp, '2026-05-28T15:27:21.000Z');
	});

	it('delivery with several mids → several events, in order', () => {
		const events = run(page([item({ delivery: { mids: ['m_1', 'm_2', 'm_3'], watermark: 1779982041000 } })])).events;
		assert.deepEqual(
			events.map((e) => [e.providerMessageId, e.status]),
			[
				['m_1', 'delivered'],
				['m_2', 'delivered'],
				['m_3', 'delivered'],
			],
		);
		assert.equal(new Set(events.map((e) => e.id)).size, 3);
	});

	it('read (watermark) → read event', () => {
		const event = only(run(page([item({ read: { watermark: 1779982042000 } })])).events);
		assert.equal(event.providerMessageId, 'watermark:1779982042000');
		assert.equal(event.status, 'read');
		assert.equal(event.providerStatus, 'read');
		assert.equal(event.recipient, PSID);
		assert.equal(event.metadata.watermark_timestamp, '2026-05-28T15:27:22.000Z');
		assert.equal(mapMessengerStatus('delivery'), 'delivered');
		assert.equal(mapMessengerStatus('read'), 'read');
		assert.equal(mapMessengerStatus('opened'), 'unknown');
	});

	it('reaction → reaction part; unreact → empty emoji; named reaction without emoji → its emoji', () => {
		const reacted = only(run(page([item({ reaction: { mid: 'm_target', action: 'react', reaction: 'love', emoji: '❤️' } })])).messages);
		assert.deepEqual(reacted.parts, [{ type: 'reaction', emoji: '❤️', targetMessageId: 'm_target' }]);
		assert.equal(reacted.metadata.reaction, 'love');
		assert.equal(reacted.providerMessageId, undefined);
		assert.match(reacted.id, /^messenger:[0-9a-f]{32}$/);
		const removed = only(run(page([item({ reaction: { mid: 'm_target', action: 'unreact', reaction: 'love' } })])).messages);
		assert.deepEqual(removed.parts, [{ type: 'reaction', emoji: '', targetMessageId: 'm_target' }]);
		assert.notEqual(removed.id, reacted.id);
		const named = only(run(page([item({ reaction: { mid: 'm_target', action: 'react', reaction: 'wow' } })])).messages);
		assert.deepEqual(named.parts, [{ type: 'reaction', emoji: '😮', targetMessageId: 'm_target' }]);
	});

	it('attachments: video, audio, file (title as filename), sticker, location, fallback link', () => {
		const message = runMessage({
			attachments: [
				{ type: 'video', payload: { url: 'https://cdn.example.test/v.mp4' } },
				{ type: 'audio', payload: { url: 'https://cdn.example.test/a.mp4' } },
				{ type: 'file', title: 'invoice.pdf', payload: { url: 'https://cdn.example.test/f.pdf' } },
				{ type: 'image', payload: { url: 'https://cdn.example.test/thumb.png', sticker_id: 369239263222822 } },
				{ type: 'location', title: 'Depot', url: 'https://maps.example.test', payload: { coordinates: { lat: 53.34, long: -6.26 } } },
				{ type: 'fallback', title: 'Our blog', url: 'https://blog.example.test/post', payload: null },
			],
		});
		assert.deepEqual(message.parts, [
			{ type: 'media', kind: 'video', url: 'https://cdn.example.test/v.mp4' },
			{ type: 'media', kind: 'audio', url: 'https://cdn.example.test/a.mp4' },
			{ type: 'media', kind: 'document', url: 'https://cdn.example.test/f.pdf', filename: 'invoice.pdf' },
			{ type: 'media', kind: 'sticker', url: 'https://cdn.example.test/thumb.png' },
			{ type: 'location', latitude: 53.34, longitude: -6.26, name: 'Depot', url: 'https://maps.example.test' },
			{ type: 'text', text: 'Our blog\nhttps://blog.example.test/post', format: 'plain' },
		]);
	});

	it('text with attachments keeps both, text first; unknown attachment types → unsupported', () => {
		const share = { type: 'ig_reel', payload: { reel_video_id: '1', url: 'https://cdn.example.test/reel' } };
		const message = runMessage({ text: 'look', attachments: [share] });
		assert.deepEqual(message.parts, [
			{ type: 'text', text: 'look', format: 'plain' },
			{ type: 'unsupported', platformType: 'ig_reel', reason: 'messenger attachment type "ig_reel" is not mapped', original: share },
		]);
	});

	it('echoed templates map back to buttons and cards', () => {
		const message = only(
			run(
				page([
					{
						sender: { id: PAGE },
						recipient: { id: PSID },
						timestamp: 1779982000123,
						message: {
							mid: 'm_echo_tpl',
							is_echo: true,
							app_id: 1234,
							attachments: [
								{
									type: 'template',
									payload: {
										template_type: 'button',
										text: 'What next?',
										buttons: [
											{ type: 'postback', title: 'Track', payload: 'TRACK' },
											{ type: 'web_url', title: 'Site', url: 'https://example.test' },
											{ type: 'phone_number', title: 'Call', payload: '+441234' },
										],
									},
								},
								{
									type: 'template',
									payload: { template_type: 'generic', elements: [{ title: 'Shirt', subtitle: '£45', image_url: 'https://cdn.example.test/s.jpg', buttons: [{ type: 'postback', title: 'Buy', payload: 'BUY' }] }] },
								},
								{ type: 'template', payload: { template_type: 'receipt', order_number: '1' } },
							],
						},
					},
				]),
			).messages,
		);
		assert.equal(message.direction, 'outbound');
		assert.deepEqual(message.parts.slice(0, 2), [
			{
				type: 'buttons',
				text: 'What next?',
				buttons: [
					{ id: 'TRACK', title: 'Track', action: 'reply' },
					{ title: 'Site', action: 'url', url: 'https://example.test' },
					{ title: 'Call', action: 'call', phone: '+441234' },
				],
			},
			{ type: 'card', title: 'Shirt', subtitle: '£45', imageUrl: 'https://cdn.example.test/s.jpg', fields: [], buttons: [{ id: 'BUY', title: 'Buy', action: 'reply' }] },
		]);
		assert.equal(message.parts[2]!.type, 'unsupported');
		assert.equal((message.parts[2] as { platformType: string }).platformType, 'template');
	});

	it('reply_to → replyTo; referral → metadata', () => {
		const message = runMessage({ text: 'this one', reply_to: { mid: 'm_earlier' }, referral: { ref: 'ad-1', source: 'ADS' } });
		assert.deepEqual(message.replyTo, { messageId: 'm_earlier' });
		assert.deepEqual(message.metadata.referral, { ref: 'ad-1', source: 'ADS' });
	});

	it('a message with neither text nor attachments → unsupported, not dropped', () => {
		const message = runMessage({ commands: [{ name: 'flights' }] });
		assert.deepEqual(message.parts, [{ type: 'unsupported', platformType: 'message', reason: 'message without text or attachments', original: { mid: 'm_synthetic', commands: [{ name: 'flights' }] } }]);
	});

	it('postback without mid gets a stable derived id; referral kept', () => {
		const body = page([item({ postback: { title: 'Start', payload: 'START', referral: { ref: 'qr1', source: 'SHORTLINK' } } })]);
		const message = only(run(body).messages);
		assert.equal(message.providerMessageId, undefined);
		assert.match(message.id, /^messenger:[0-9a-f]{32}$/);
		assert.equal(only(run(body).messages).id, message.id);
		assert.deepEqual(message.metadata.referral, { ref: 'qr1', source: 'SHORTLINK' });
		assert.deepEqual(message.parts, [{ type: 'interactive_reply', id: 'START', title: 'Start', source: 'postback' }]);
	});

	it('conversation events → system parts; unknown events → unsupported', () => {
		const result = run(
			page([
				item({ optin: { type: 'notification_messages', payload: 'P', notification_messages_token: 'tok' } }),
				item({ message_edit: { mid: 'm_1', text: 'fixed typo', num_edit: 1 } }),
				item({ pass_thread_control: { new_owner_app_id: '123', metadata: 'x' } }),
				item({ brand_new_event: { a: 1 } }),
			]),
		);
		assert.deepEqual(
			result.messages.map((m) => m.parts[0]),
			[
				{ type: 'system', event: 'optin', data: { type: 'notification_messages', payload: 'P', notification_messages_token: 'tok' } },
				{ type: 'system', event: 'message_edited', text: 'fixed typo', data: { mid: 'm_1', text: 'fixed typo', num_edit: 1 } },
				{ type: 'system', event: 'pass_thread_control', data: { new_owner_app_id: '123', metadata: 'x' } },
				{ type: 'unsupported', platformType: 'messaging', reason: 'messenger webhook event not mapped', original: item({ brand_new_event: { a: 1 } }) },
			],
		);
	});

	it('standby[] is read like messaging[], flagged in metadata', () => {
		const message = only(run({ object: 'page', entry: [{ id: PAGE, time: 1, standby: [item({ message: { mid: 'm_sb', text: 'hello' } })] }] }).messages);
		assert.equal(message.metadata.standby, true);
		assert.deepEqual(message.parts, [{ type: 'text', text: 'hello', format: 'plain' }]);
	});

	it('changes[] (feed) → unsupported message holding the value', () => {
		const value = { item: 'comment', verb: 'add', message: 'Nice!' };
		const message = only(run({ object: 'page', entry: [{ id: PAGE, time: 1779982000500, changes: [{ field: 'feed', value }] }] }).messages);
		assert.deepEqual(message.parts, [{ type: 'unsupported', platformType: 'feed', reason: '"feed" change notifications are not conversations', original: value }]);
		assert.equal(message.timestamp, '2026-05-28T15:26:40.500Z');
		assert.deepEqual(message.conversation, { id: PAGE, type: 'channel' });
	});

	it('several entries and items come out all, in order, messages and events apart', () => {
		const body = {
			object: 'page',
			entry: [
				{ id: PAGE, time: 1, messaging: [item({ message: { mid: 'm_a', text: 'a' } }), item({ delivery: { mids: ['m_out'], watermark: 5 } }), item({ message: { mid: 'm_b', text: 'b' } })] },
				{ id: '200', time: 2, messaging: [item({ read: { watermark: 6 } }), item({ postback: { mid: 'm_c', title: 'C', payload: 'C' } })] },
			],
		};
		const result = run(body);
		assert.deepEqual(result.messages.map((m) => [m.providerMessageId, m.metadata.page_id]), [
			['m_a', PAGE],
			['m_b', PAGE],
			['m_c', '200'],
		]);
		assert.deepEqual(result.events.map((e) => [e.providerMessageId, e.status]), [
			['m_out', 'delivered'],
			['watermark:6', 'read'],
		]);
	});

	it('timestamps: milliseconds as documented, seconds recognised, entry time or the clock as fallback', () => {
		assert.equal(only(run(page([item({ message: { mid: 'm1', text: 'x' } }, 1779982000)])).messages).timestamp, '2026-05-28T15:26:40.000Z');
		const noTime = run({ object: 'page', entry: [{ id: PAGE, time: 1779982000500, messaging: [{ sender: { id: PSID }, recipient: { id: PAGE }, message: { mid: 'm2', text: 'x' } }] }] });
		assert.equal(only(noTime.messages).timestamp, '2026-05-28T15:26:40.500Z');
		const none = run({ object: 'page', entry: [{ id: PAGE, messaging: [{ sender: { id: PSID }, recipient: { id: PAGE }, message: { mid: 'm3', text: 'x' } }] }] });
		assert.equal(only(none.messages).timestamp, '2026-06-01T09:00:00.000Z');
	});

	it('accepts unknown extra fields at every level', () => {
		const body = fixtureJson<Json & { entry: Array<Json & { messaging: Array<Json & { message: Json }> }> }>('messenger-webhook-message-text.json');
		body.extra = true;
		body.entry[0]!.extra = [1];
		body.entry[0]!.messaging[0]!.extra = { a: 1 };
		body.entry[0]!.messaging[0]!.message.nlp = { entities: {} };
		const message = only(run(body).messages);
		assert.deepEqual(message.parts, [{ type: 'text', text: 'Do you ship to Ireland?', format: 'plain' }]);
		assert.deepEqual(((message.raw as Json).message as Json).nlp, { entities: {} });
	});
});

describe('messenger: bad input', () => {
	it('truncated or garbage bodies → MalformedBodyError', () => {
		const bytes = fixtureBytes('messenger-webhook-message-text.json');
		assert.throws(() => normalize({ body: bytes.subarray(0, 40), headers: { 'content-type': 'application/json' } }), MalformedBodyError);
		assert.throws(() => normalize({ body: 'garbage' }, { platform: 'messenger' }), MalformedBodyError);
		assert.throws(() => normalize({ body: undefined }, { platform: 'messenger' }), MalformedBodyError);
	});

	it('shape problems name the JSON path', () => {
		mismatchAt(() => run({ object: 'instagram', entry: [] }, { platform: 'messenger' }), 'object');
		mismatchAt(() => run({ object: 'page', entry: [{ id: PAGE, messaging: {} }] }), 'entry[0].messaging');
		mismatchAt(() => run(page([item({ message: { text: 'no mid' } })])), 'entry[0].messaging[0].message.mid');
		mismatchAt(() => run(page([{ recipient: { id: PAGE }, timestamp: 1, message: { mid: 'm', text: 'x' } }])), 'entry[0].messaging[0].sender.id');
		mismatchAt(() => run(page([item({ message: { mid: 'm', text: 'x' } }), item({ message: { mid: 'm2', attachments: [{ payload: { url: 'u' } }] } })])), 'entry[0].messaging[1].message.attachments[0].type');
		mismatchAt(() => run(page([item({ delivery: { mids: ['m', 7], watermark: 1 } })])), 'entry[0].messaging[0].delivery.mids[1]');
		mismatchAt(() => run(page([item({ delivery: {} })])), 'entry[0].messaging[0].delivery.mids');
		mismatchAt(() => run(page([item({ message: { mid: 'm', text: 'x' } }, -5)])), 'entry[0].messaging[0].timestamp');
		mismatchAt(() => run(page([{ ...item({ message: { mid: 'm', text: 'x' } }), timestamp: 'soon' }])), 'entry[0].messaging[0].timestamp');
		mismatchAt(() => run(page([item({ postback: { title: 7 } })])), 'entry[0].messaging[0].postback.title');
	});

	it('random corruption never escapes as anything but a SwitchboardError with a path', () => {
		assertPathCorruptionTyped({
			bodies: INBOUND_FIXTURES.map((name) => fixtureJson<unknown>(name)),
			replacements: [DELETE, null, 42, -1, 'x', '', [], {}, true, [{}]],
			run: (body) => adapterNormalize({ body, headers: JSON_HEADERS }),
			numRuns: 400,
		});
	});
});

describe('shared Meta helpers', () => {
	it('isoFromMetaTime: milliseconds as documented, seconds below 10^11, each exactly as Date writes it', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), fc.integer({ min: 100_000_000_000, max: 253402300799999 }), (seconds, ms) => {
				assert.equal(isoFromMetaTime(seconds), new Date(seconds * 1000).toISOString());
				assert.equal(isoFromMetaTime(String(seconds)), new Date(seconds * 1000).toISOString());
				assert.equal(isoFromMetaTime(ms), new Date(ms).toISOString());
			}),
			{ numRuns: 2000 },
		);
		for (const ms of [951782400000, 951868800000, 4107542400000, 253402300799999, 253402300800000]) assert.equal(isoFromMetaTime(ms), new Date(ms).toISOString());
		assert.equal(isoFromMetaTime(-1), undefined);
		assert.equal(isoFromMetaTime(Number.NaN), undefined);
		assert.equal(isoFromMetaTime(1e20), undefined, 'beyond Date: not a time (was a RangeError)');
		assert.equal(isoFromMetaTime('abc'), undefined);
		assert.equal(isoFromMetaTime(''), undefined);
	});

	it('splitText prefers line breaks and spaces and never splits a surrogate pair', () => {
		assert.deepEqual(splitText('short', 10), ['short']);
		assert.deepEqual(splitText('aaaa bbbb cccc', 10), ['aaaa bbbb', 'cccc']);
		assert.deepEqual(splitText('aaaaaa\nbbbb cccc', 10), ['aaaaaa', 'bbbb cccc']);
		const emoji = `${'a'.repeat(9)}👍${'b'.repeat(5)}`;
		const chunks = splitText(emoji, 10);
		assert.equal(chunks.join(''), emoji);
		assert.ok(chunks.every((c) => !/[\uD800-\uDBFF]$/.test(c)));
	});
});

// =====================================================================================================
// Render

const outbound = outboundMessages({ id: 'out-1', channel: 'messenger', provider: 'messenger', conversation: { id: PSID, type: 'direct' } });

const BASE = { recipient: { id: PSID }, messaging_type: 'RESPONSE' };

describe('messenger: render', () => {
	it('text → me/messages with recipient and messaging_type RESPONSE', () => {
		const out = render(outbound([{ type: 'text', text: 'Do you ship to Ireland? Yes.' }]), 'messenger');
		assert.deepEqual(out.payloads, [{ endpoint: 'me/messages', contentType: 'application/json', body: { ...BASE, message: { text: 'Do you ship to Ireland? Yes.' } } }]);
		assert.deepEqual(out.degradations, []);
	});

	it('variant → messaging_type UPDATE or MESSAGE_TAG + tag; anything else is refused', () => {
		const message = outbound([{ type: 'text', text: 'Update' }]);
		assert.equal(render(message, 'messenger', { variant: 'UPDATE' }).payloads[0]!.body.messaging_type, 'UPDATE');
		const tagged = render(message, 'messenger', { variant: 'MESSAGE_TAG:HUMAN_AGENT' }).payloads[0]!.body;
		assert.equal(tagged.messaging_type, 'MESSAGE_TAG');
		assert.equal(tagged.tag, 'HUMAN_AGENT');
		assert.throws(() => render(message, 'messenger', { variant: 'PROMO' }), RenderError);
		assert.throws(() => render(message, 'messenger', { variant: 'MESSAGE_TAG:' }), RenderError);
	});

	it('recipient: options.to, else recipients[0], else conversation.id', () => {
		const message = outbound([{ type: 'text', text: 'hi' }]);
		assert.deepEqual(render(message, 'messenger', { to: '111' }).payloads[0]!.body.recipient, { id: '111' });
		assert.deepEqual(render({ ...message, recipients: [{ id: '222' }] }, 'messenger').payloads[0]!.body.recipient, { id: '222' });
		assert.deepEqual(render({ ...message, recipients: [] }, 'messenger').payloads[0]!.body.recipient, { id: PSID });
	});

	it('media by url (reusable) or attachment id; document → file; caption → a following text, reported', () => {
		const out = render(
			outbound([
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg', caption: 'The box' },
				{ type: 'media', kind: 'document', mediaId: '998877' },
				{ type: 'media', kind: 'voice', url: 'https://cdn.example.test/v.m4a' },
			]),
			'messenger',
		);
		assert.deepEqual(
			out.payloads.map((p) => p.body.message),
			[
				{ attachment: { type: 'image', payload: { url: 'https://cdn.example.test/a.jpg', is_reusable: true } } },
				{ text: 'The box' },
				{ attachment: { type: 'file', payload: { attachment_id: '998877' } } },
				{ attachment: { type: 'audio', payload: { url: 'https://cdn.example.test/v.m4a', is_reusable: true } } },
			],
		);
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [
			[0, 'media.caption', 'text'],
			[2, 'media/voice', 'media/audio'],
		]);
	});

	it('stickers have no attachment type: sent as a link (degrade.ts)', () => {
		const out = render(outbound([{ type: 'media', kind: 'sticker', url: 'https://cdn.example.test/s.webp' }]), 'messenger');
		assert.deepEqual(out.payloads[0]!.body.message, { text: 'https://cdn.example.test/s.webp' });
		assert.deepEqual(out.degradations.map((d) => [d.from, d.to]), [['media', 'text']]);
	});

	it('quick replies (≤13) with payloads and images; 14 → numbered text', () => {
		const out = render(
			outbound([{ type: 'quick_replies', text: 'Ship to Ireland?', options: [{ id: 'SHIPPING_IE_YES', title: 'Yes' }, { id: 'NO', title: 'No', imageUrl: 'https://cdn.example.test/no.png' }] }]),
			'messenger',
		);
		assert.deepEqual(out.payloads[0]!.body, {
			...BASE,
			message: {
				text: 'Ship to Ireland?',
				quick_replies: [
					{ content_type: 'text', title: 'Yes', payload: 'SHIPPING_IE_YES' },
					{ content_type: 'text', title: 'No', payload: 'NO', image_url: 'https://cdn.example.test/no.png' },
				],
			},
		});
		const many = render(outbound([{ type: 'quick_replies', text: 'Pick', options: Array.from({ length: 14 }, (_, i) => ({ id: `o${i}`, title: `O${i}` })) }]), 'messenger');
		assert.equal(many.payloads.length, 1);
		assert.match((many.payloads[0]!.body.message as Json).text as string, /^Pick\n1\. O0\n/);
		assert.deepEqual(many.degradations.map((d) => [d.from, d.to]), [
			['quick_replies', 'buttons'],
			['buttons', 'text'],
		]);
	});

	it('buttons → button template with postback, web_url and phone_number buttons', () => {
		const out = render(
			outbound([
				{
					type: 'buttons',
					text: 'What next?',
					buttons: [
						{ id: 'TRACK', title: 'Track my order' },
						{ title: 'Website', action: 'url', url: 'https://example.test' },
						{ title: 'Call us', action: 'call', phone: '+441234567890' },
					],
				},
			]),
			'messenger',
		);
		assert.deepEqual(out.payloads[0]!.body.message, {
			attachment: {
				type: 'template',
				payload: {
					template_type: 'button',
					text: 'What next?',
					buttons: [
						{ type: 'postback', title: 'Track my order', payload: 'TRACK' },
						{ type: 'web_url', url: 'https://example.test', title: 'Website' },
						{ type: 'phone_number', title: 'Call us', payload: '+441234567890' },
					],
				},
			},
		});
		assert.deepEqual(out.degradations, []);
	});

	it('4+ buttons (no lists on Messenger) → numbered text; a list of up to 3 rows → buttons', () => {
		const four = render(outbound([{ type: 'buttons', text: 'Pick', buttons: Array.from({ length: 4 }, (_, i) => ({ id: `b${i}`, title: `B${i}` })) }]), 'messenger');
		assert.deepEqual(four.payloads[0]!.body.message, { text: 'Pick\n1. B0\n2. B1\n3. B2\n4. B3' });
		assert.deepEqual(four.degradations.map((d) => [d.from, d.to]), [['buttons', 'text']]);
		const list = render(outbound([{ type: 'list', text: 'Slot?', sections: [{ rows: [{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }] }] }]), 'messenger');
		assert.equal(((list.payloads[0]!.body.message as Json).attachment as Json).type, 'template');
		assert.deepEqual(list.degradations.map((d) => [d.from, d.to]), [['list', 'buttons']]);
	});

	it('card → generic template; long text goes first as text; a bare title → text', () => {
		const out = render(
			outbound([{ type: 'card', title: 'Linen shirt', subtitle: '£45', imageUrl: 'https://cdn.example.test/s.jpg', fields: [{ label: 'Size', value: 'M' }], buttons: [{ id: 'BUY', title: 'Buy' }, { title: 'Details', action: 'url', url: 'https://shop.example.test/s' }] }]),
			'messenger',
		);
		assert.deepEqual(out.payloads[0]!.body.message, {
			attachment: {
				type: 'template',
				payload: {
					template_type: 'generic',
					elements: [
						{
							title: 'Linen shirt',
							subtitle: '£45\nSize: M',
							image_url: 'https://cdn.example.test/s.jpg',
							buttons: [
								{ type: 'postback', title: 'Buy', payload: 'BUY' },
								{ type: 'web_url', url: 'https://shop.example.test/s', title: 'Details' },
							],
						},
					],
				},
			},
		});
		assert.deepEqual(out.degradations, []);

		const long = render(outbound([{ type: 'card', title: 'T', text: 'x'.repeat(100), imageUrl: 'https://cdn.example.test/i.jpg' }]), 'messenger');
		assert.deepEqual(long.payloads[0]!.body.message, { text: 'x'.repeat(100) });
		const element = (((long.payloads[1]!.body.message as Json).attachment as Json).payload as { elements: Json[] }).elements[0]!;
		assert.equal(element.subtitle, 'x'.repeat(80));
		assert.deepEqual(long.degradations.map((d) => [d.from, d.to]), [['card', 'text']]);

		const bare = render(outbound([{ type: 'card', title: 'Only a title' }]), 'messenger');
		assert.deepEqual(bare.payloads[0]!.body.message, { text: 'Only a title' });
		assert.deepEqual(bare.degradations.map((d) => [d.from, d.to]), [['card', 'text']]);
	});

	it('reaction → sender_action react/unreact (no messaging_type)', () => {
		const out = render(outbound([{ type: 'reaction', emoji: '😊', targetMessageId: 'm_in' }, { type: 'reaction', emoji: '', targetMessageId: 'm_in' }]), 'messenger');
		assert.deepEqual(
			out.payloads.map((p) => p.body),
			[
				{ recipient: { id: PSID }, sender_action: 'react', payload: { message_id: 'm_in', reaction: '😊' } },
				{ recipient: { id: PSID }, sender_action: 'unreact', payload: { message_id: 'm_in' } },
			],
		);
	});

	it('replyTo is reported as dropped; markdown made plain; location → map link text', () => {
		const out = render(
			outbound([{ type: 'text', format: 'markdown', text: '**Hi** there' }, { type: 'location', latitude: 53.34, longitude: -6.26, name: 'Depot' }], { replyTo: { messageId: 'm_in' } }),
			'messenger',
		);
		assert.deepEqual(out.payloads.map((p) => p.body.message), [{ text: 'Hi there' }, { text: 'Depot\nhttps://maps.google.com/?q=53.34,-6.26' }]);
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [
			[0, 'text/markdown', 'text/plain'],
			[1, 'location', 'text'],
			[-1, 'replyTo', 'dropped'],
		]);
	});

	it('text over 2000 characters is split and reported; a template-only message cannot be sent', () => {
		const out = render(outbound([{ type: 'text', text: `${'a'.repeat(1500)} ${'b'.repeat(1000)}` }]), 'messenger');
		assert.deepEqual(out.payloads.map((p) => ((p.body.message as Json).text as string).length), [1500, 1000]);
		assert.match(out.degradations[0]!.reason, /split into 2 messages/);
		assert.throws(() => render(outbound([{ type: 'template', name: 'x' }]), 'messenger'), RenderError);
	});
});

// =====================================================================================================
// Round trip

describe('messenger: round trip', () => {
	it('normalize(deliver(render(m))) keeps text and media (captions as text)', () => {
		fc.assert(
			fc.property(arbMessage('messenger', 'messenger', ['text', 'media']), fc.boolean(), (message, echo) => {
				const rendered = render(message, 'messenger');
				const result = normalize(deliverMessenger(rendered.payloads, { echo }));
				assert.equal(result.platform, 'messenger');
				result.messages.forEach(assertValidMessage);
				assert.deepEqual(result.messages.flatMap((m) => m.parts).map(content), message.parts.flatMap(expectedContent));
				for (const m of result.messages) {
					assert.equal(m.direction, echo ? 'outbound' : 'inbound');
					assert.equal(m.conversation.id, echo ? message.recipients[0]!.id : '7654321098765432');
				}
			}),
			{ numRuns: 150 },
		);
	});

	it('reactions survive the trip', () => {
		const rendered = render(outbound([{ type: 'reaction', emoji: '😊', targetMessageId: 'm_in' }]), 'messenger');
		const message = only(normalize(deliverMessenger(rendered.payloads, { bodyAs: 'string' })).messages);
		assert.deepEqual(message.parts, [{ type: 'reaction', emoji: '😊', targetMessageId: 'm_in' }]);
	});

	it('echoed button templates come back as buttons', () => {
		const parts: MessageInput['parts'] = [{ type: 'buttons', text: 'Next?', buttons: [{ id: 'T', title: 'Track', action: 'reply' }, { title: 'Site', action: 'url', url: 'https://example.test' }] }];
		const rendered = render(outbound(parts), 'messenger');
		const message = only(normalize(deliverMessenger(rendered.payloads, { echo: true })).messages);
		assert.deepEqual(message.parts, parts);
	});
});
