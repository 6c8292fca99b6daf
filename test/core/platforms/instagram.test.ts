import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MalformedBodyError } from '../../../core/errors';
import { normalize, type NormalizeResult } from '../../../core/normalize';
import { instagramAdapter } from '../../../core/platforms/instagram';
import { render } from '../../../core/render';
import { parseRequest } from '../../../core/request';
import { type Message } from '../../../core/schema/message';
import { arbMessage } from '../../support/arbitraries';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureRequest } from '../../support/fixtures';
import { deliverInstagram } from '../../support/inbound/instagram';
import { JSON_HEADERS, assertDetectsExactly, assertInboundFrom, assertTypedOutcome, assertValidMessage, assertValidOutput, expectMismatch, normalizeFixture, normalizeValid, only, outboundMessages, textAndMedia as content, withCaptionsAsText as expectedContent, type Json } from '../../support/platform-test-kit';

const NOW = new Date('2026-06-01T09:00:00.000Z');
const now = () => NOW;

const INBOUND_FIXTURES = fixtureNames().filter((f) => f.startsWith('instagram-webhook-'));
const IGSID = '987654321098765';
const IG_ID = '17841400000000001';
const mid = (n: string) => `aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAxOjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI1OTc4ODk3NzI4NjU1NjA${n}`;

const fixture = (name: string): NormalizeResult => normalizeValid(fixtureRequest(name), 'instagram', { now });

function assertFromCustomer(message: Message, id: string, timestamp: string): void {
	assertInboundFrom(message, { platform: 'instagram', providerMessageId: id, sender: { id: IGSID }, recipients: [{ id: IG_ID }], timestamp, metadata: { ig_id: IG_ID } });
}

function ig(messaging: unknown[]): Json {
	return { object: 'instagram', entry: [{ time: 1779983000150, id: IG_ID, messaging }] };
}

function item(event: Json): Json {
	return { sender: { id: IGSID }, recipient: { id: IG_ID }, timestamp: 1779983000000, ...event };
}

function run(body: unknown, options: { platform?: string } = {}): NormalizeResult {
	const result = normalize({ body, headers: JSON_HEADERS }, { now, ...options });
	assertValidOutput(result);
	return result;
}

function runMessage(message: Json): Message {
	return only(run(ig([item({ message: { mid: 'aWdf_synthetic', ...message } })])).messages);
}

// =====================================================================================================

describe('instagram: fixtures', () => {
	it('auto-detects every webhook fixture, from a Buffer, a string and a parsed object alike', () => {
		assert.equal(INBOUND_FIXTURES.length, 4);
		for (const name of INBOUND_FIXTURES) {
			const fromBuffer = normalizeFixture(name, 'instagram', { now });
			assert.equal(fromBuffer.messages.length + fromBuffer.events.length, 1, name);
		}
	});

	it('text', () => {
		const message = only(fixture('instagram-webhook-message-text.json').messages);
		assertFromCustomer(message, mid('wMQ'), '2026-05-28T15:43:20.000Z');
		assert.deepEqual(message.parts, [{ type: 'text', text: 'Is the linen shirt back in stock?', format: 'plain' }]);
		assert.deepEqual(message.raw, fixtureJson<{ entry: Array<{ messaging: unknown[] }> }>('instagram-webhook-message-text.json').entry[0]!.messaging[0]);
	});

	it('image', () => {
		const message = only(fixture('instagram-webhook-message-image.json').messages);
		assertFromCustomer(message, mid('wMw'), '2026-05-28T15:43:40.000Z');
		assert.deepEqual(message.parts, [{ type: 'media', kind: 'image', url: 'https://lookaside.fbsbx.example/ig_messaging_cdn/?asset_id=1800&signature=def' }]);
	});

	it('postback', () => {
		const message = only(fixture('instagram-webhook-postback.json').messages);
		assertFromCustomer(message, mid('wNA'), '2026-05-28T15:44:10.000Z');
		assert.deepEqual(message.parts, [{ type: 'interactive_reply', id: 'TRACK_ORDER', title: 'Track my order', source: 'postback' }]);
	});

	it('read {mid} → read event about that message', () => {
		const event = only(fixture('instagram-webhook-read.json').events);
		assert.equal(event.providerMessageId, mid('5OQ'));
		assert.equal(event.status, 'read');
		assert.equal(event.providerStatus, 'read');
		assert.equal(event.timestamp, '2026-05-28T15:44:00.000Z');
		assert.equal(event.recipient, IGSID);
		assert.equal(event.channel, 'instagram');
		assert.equal(event.provider, 'instagram');
		assert.equal(event.metadata.ig_id, IG_ID);
		assert.equal(event.metadata.watermark, undefined);
	});
});

describe('instagram: detection', () => {
	it('claims exactly the Instagram webhook fixtures (not the verification GET)', () => {
		assertDetectsExactly(instagramAdapter.detect!, (name) => INBOUND_FIXTURES.includes(name));
	});

	it('answers the verification GET when named explicitly', () => {
		const result = normalize(fixtureRequest('whatsapp-verification-get.txt'), { platform: 'instagram' });
		assert.equal(result.platform, 'instagram');
		assert.equal(result.handshake?.kind, 'meta_subscribe');
		assert.equal(result.handshake?.platform, 'instagram');
		assert.equal(result.handshake?.response.body, '1158201444');
	});
});

describe('instagram: specifics', () => {
	it('reply_to.story → metadata.reply_to_story; reply_to.mid → replyTo', () => {
		const story = runMessage({ text: 'Love this!', reply_to: { story: { url: 'https://lookaside.example/story', id: '1790000000' } } });
		assert.deepEqual(story.metadata.reply_to_story, { url: 'https://lookaside.example/story', id: '1790000000' });
		assert.equal(story.replyTo, undefined);
		const reply = runMessage({ text: 'this', reply_to: { mid: 'aWdf_earlier' } });
		assert.deepEqual(reply.replyTo, { messageId: 'aWdf_earlier' });
	});

	it('is_deleted → system message_deleted; is_unsupported → unsupported part', () => {
		assert.deepEqual(runMessage({ is_deleted: true }).parts, [{ type: 'system', event: 'message_deleted', data: { mid: 'aWdf_synthetic' } }]);
		const unsupported = runMessage({ is_unsupported: true });
		assert.deepEqual(unsupported.parts, [
			{ type: 'unsupported', platformType: 'is_unsupported', reason: 'Instagram reported a message type its API does not deliver', original: { mid: 'aWdf_synthetic', is_unsupported: true } },
		]);
	});

	it('shares and story mentions are kept as unsupported; audio and files map to media', () => {
		const mention = { type: 'story_mention', payload: { url: 'https://lookaside.example/mention' } };
		const message = runMessage({
			attachments: [mention, { type: 'audio', payload: { url: 'https://cdn.example.test/voice.mp4' } }, { type: 'file', payload: { url: 'https://cdn.example.test/f.pdf' } }],
		});
		assert.deepEqual(message.parts, [
			{ type: 'unsupported', platformType: 'story_mention', reason: 'instagram attachment type "story_mention" is not mapped', original: mention },
			{ type: 'media', kind: 'audio', url: 'https://cdn.example.test/voice.mp4' },
			{ type: 'media', kind: 'document', url: 'https://cdn.example.test/f.pdf' },
		]);
	});

	it('reactions, batches in order, echoes', () => {
		const result = run(
			ig([
				item({ message: { mid: 'aWdf_1', text: 'one' } }),
				item({ reaction: { mid: 'aWdf_1', action: 'react', reaction: 'love', emoji: '❤' } }),
				item({ read: { mid: 'aWdf_out' } }),
				{ sender: { id: IG_ID }, recipient: { id: IGSID }, timestamp: 1779983001000, message: { mid: 'aWdf_2', is_echo: true, text: 'thanks' } },
			]),
		);
		assert.deepEqual(result.messages.map((m) => [m.direction, m.conversation.id, m.parts[0]!.type]), [
			['inbound', IGSID, 'text'],
			['inbound', IGSID, 'reaction'],
			['outbound', IGSID, 'text'],
		]);
		assert.deepEqual(result.messages[1]!.parts, [{ type: 'reaction', emoji: '❤', targetMessageId: 'aWdf_1' }]);
		assert.deepEqual(result.events.map((e) => [e.providerMessageId, e.status]), [['aWdf_out', 'read']]);
		assert.deepEqual(result.messages[2]!.sender, { id: IG_ID });
	});

	it('comment changes → unsupported message holding the change', () => {
		const value = { from: { id: '1', username: 'ana' }, media: { id: '2' }, id: '3', text: 'Nice' };
		const message = only(run({ object: 'instagram', entry: [{ id: IG_ID, time: 1779983000150, changes: [{ field: 'comments', value }] }] }).messages);
		assert.deepEqual(message.parts, [{ type: 'unsupported', platformType: 'comments', reason: '"comments" change notifications are not conversations', original: value }]);
		assert.equal(message.timestamp, '2026-05-28T15:43:20.150Z');
	});
});

describe('instagram: bad input', () => {
	it('truncated → MalformedBodyError; wrong object or shapes → path', () => {
		const bytes = fixtureBytes('instagram-webhook-read.json');
		assert.throws(() => normalize({ body: bytes.subarray(0, 50), headers: { 'content-type': 'application/json' } }), MalformedBodyError);
		const at = (body: unknown, path: string) => expectMismatch(() => run(body, { platform: 'instagram' }), 'instagram', path);
		at({ object: 'page', entry: [] }, 'object');
		at(ig([item({ read: {} })]), 'entry[0].messaging[0].read.mid');
		at(ig([item({ message: { mid: '' } })]), 'entry[0].messaging[0].message.mid');
		at(ig([item({ message: { mid: 'm', reply_to: { story: { url: 5 } } } })]), 'entry[0].messaging[0].message.reply_to.story.url');
	});

	it('random corruption never escapes as anything but a SwitchboardError', () => {
		const bodies = INBOUND_FIXTURES.map((name) => fixtureJson<Json>(name));
		fc.assert(
			fc.property(fc.nat(bodies.length - 1), fc.constantFrom('sender', 'recipient', 'timestamp', 'message', 'read', 'postback'), fc.constantFrom<unknown>(null, 1, 'x', [], {}, true), (which, key, value) => {
				const body = structuredClone(bodies[which]!) as { entry: Array<{ messaging: Json[] }> };
				body.entry[0]!.messaging[0]![key] = value;
				assertTypedOutcome(() => instagramAdapter.normalize!(parseRequest({ body, headers: JSON_HEADERS }), { keepRaw: true, now }), `${key} = ${JSON.stringify(value)}`);
			}),
			{ numRuns: 200 },
		);
	});
});

// =====================================================================================================
// Render

const outbound = outboundMessages({ id: 'out-1', channel: 'instagram', provider: 'instagram', conversation: { id: IGSID, type: 'direct' } });

describe('instagram: render', () => {
	it('text → me/messages; split above 1000 characters', () => {
		const out = render(outbound([{ type: 'text', text: 'Back in stock!' }]), 'instagram');
		assert.deepEqual(out.payloads, [
			{ endpoint: 'me/messages', contentType: 'application/json', body: { recipient: { id: IGSID }, messaging_type: 'RESPONSE', message: { text: 'Back in stock!' } } },
		]);
		const long = render(outbound([{ type: 'text', text: `${'a'.repeat(900)} ${'b'.repeat(300)}` }]), 'instagram');
		assert.deepEqual(long.payloads.map((p) => ((p.body.message as Json).text as string).length), [900, 300]);
		assert.match(long.degradations[0]!.reason, /1000 characters/);
	});

	it('media: image, video, audio, file (PDF); stickers become links', () => {
		const out = render(
			outbound([
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg' },
				{ type: 'media', kind: 'document', url: 'https://cdn.example.test/f.pdf' },
				{ type: 'media', kind: 'sticker', url: 'https://cdn.example.test/s.webp' },
			]),
			'instagram',
		);
		assert.deepEqual(out.payloads.map((p) => p.body.message), [
			{ attachment: { type: 'image', payload: { url: 'https://cdn.example.test/a.jpg', is_reusable: true } } },
			{ attachment: { type: 'file', payload: { url: 'https://cdn.example.test/f.pdf', is_reusable: true } } },
			{ text: 'https://cdn.example.test/s.webp' },
		]);
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [[2, 'media', 'text']]);
	});

	it('quick replies are text only (images dropped and reported)', () => {
		const out = render(outbound([{ type: 'quick_replies', text: 'Size?', options: [{ id: 'S', title: 'Small', imageUrl: 'https://cdn.example.test/s.png' }, { id: 'M', title: 'Medium' }] }]), 'instagram');
		assert.deepEqual(out.payloads[0]!.body.message, {
			text: 'Size?',
			quick_replies: [
				{ content_type: 'text', title: 'Small', payload: 'S' },
				{ content_type: 'text', title: 'Medium', payload: 'M' },
			],
		});
		assert.deepEqual(out.degradations.map((d) => [d.from, d.to]), [['quick_replies.imageUrl', 'dropped']]);
	});

	it('button template with postback/web_url; a call button degrades the part to text', () => {
		const ok = render(outbound([{ type: 'buttons', text: 'Help?', buttons: [{ id: 'AGENT', title: 'Talk to us' }, { title: 'Website', action: 'url', url: 'https://example.test' }] }]), 'instagram');
		assert.deepEqual(ok.payloads[0]!.body.message, {
			attachment: {
				type: 'template',
				payload: {
					template_type: 'button',
					text: 'Help?',
					buttons: [
						{ type: 'postback', title: 'Talk to us', payload: 'AGENT' },
						{ type: 'web_url', url: 'https://example.test', title: 'Website' },
					],
				},
			},
		});
		const call = render(outbound([{ type: 'buttons', text: 'Help?', buttons: [{ title: 'Call', action: 'call', phone: '+441234' }] }]), 'instagram');
		assert.deepEqual(call.payloads[0]!.body.message, { text: 'Help?\n1. Call (+441234)' });
		assert.deepEqual(call.degradations.map((d) => [d.from, d.to]), [['buttons', 'text']]);
	});

	it('a card with a call button keeps the card and lists the call as text', () => {
		const out = render(outbound([{ type: 'card', title: 'Shop', subtitle: 'Open 9–5', buttons: [{ id: 'V', title: 'Visit' }, { title: 'Call', action: 'call', phone: '+441234' }] }]), 'instagram');
		const payload = ((out.payloads[0]!.body.message as Json).attachment as Json).payload as { template_type: string; elements: Json[] };
		assert.equal(payload.template_type, 'generic');
		assert.deepEqual(payload.elements[0], { title: 'Shop', subtitle: 'Open 9–5', buttons: [{ type: 'postback', title: 'Visit', payload: 'V' }] });
		assert.deepEqual(out.payloads[1]!.body.message, { text: '1. Call (+441234)' });
		assert.deepEqual(out.degradations.map((d) => [d.from, d.to]), [['card', 'text']]);
	});

	it('reactions are "love" only: a heart is sent as is, other emoji reported', () => {
		const out = render(outbound([{ type: 'reaction', emoji: '❤️', targetMessageId: 'aWdf_1' }, { type: 'reaction', emoji: '😂', targetMessageId: 'aWdf_2' }, { type: 'reaction', emoji: '', targetMessageId: 'aWdf_3' }]), 'instagram');
		assert.deepEqual(out.payloads.map((p) => p.body), [
			{ recipient: { id: IGSID }, sender_action: 'react', payload: { message_id: 'aWdf_1', reaction: 'love' } },
			{ recipient: { id: IGSID }, sender_action: 'react', payload: { message_id: 'aWdf_2', reaction: 'love' } },
			{ recipient: { id: IGSID }, sender_action: 'unreact', payload: { message_id: 'aWdf_3' } },
		]);
		assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.from, d.to]), [[1, 'reaction', 'reaction']]);
	});

	it('MESSAGE_TAG:HUMAN_AGENT variant', () => {
		const body = render(outbound([{ type: 'text', text: 'An agent will reply' }]), 'instagram', { variant: 'message_tag:human_agent' }).payloads[0]!.body;
		assert.equal(body.messaging_type, 'MESSAGE_TAG');
		assert.equal(body.tag, 'HUMAN_AGENT');
	});
});

// =====================================================================================================
// Round trip

describe('instagram: round trip', () => {
	it('normalize(deliver(render(m))) keeps text and media (captions as text)', () => {
		fc.assert(
			fc.property(arbMessage('instagram', 'instagram', ['text', 'media']), (message) => {
				const rendered = render(message, 'instagram');
				const result = normalize(deliverInstagram(rendered.payloads));
				assert.equal(result.platform, 'instagram');
				result.messages.forEach(assertValidMessage);
				assert.deepEqual(result.messages.flatMap((m) => m.parts).map(content), message.parts.flatMap(expectedContent));
				for (const m of result.messages) assert.equal(m.channel, 'instagram');
			}),
			{ numRuns: 150 },
		);
	});
});
