import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MalformedBodyError, RenderError } from '../../../core/errors';
import { normalize } from '../../../core/normalize';
import { detectGoogleChat, googleChatAdapter } from '../../../core/platforms/googlechat';
import { markdownToGoogleChat } from '../../../core/platforms/shared/markdown';
import { render } from '../../../core/render';
import { parseRequest, type InboundRequest } from '../../../core/request';
import { MESSAGE_SCHEMA_ID, type Message, type MessageInput, type Part } from '../../../core/schema/message';
import { arbMessage } from '../../support/arbitraries';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureRequest } from '../../support/fixtures';
import { deliverGoogleChat, SENDER_APP } from '../../support/inbound/googlechat';
import { assertDetectsExactly, only, roundTrip, assertFieldCorruptionTyped, jsonRequest, mismatchOf, normalizeFixture, onlyMessage, type Json } from '../../support/platform-test-kit';

const NOW = new Date('2026-06-01T08:00:00.000Z');
const opts = { now: () => NOW };
const CHAT_FIXTURES = fixtureNames().filter((f) => f.startsWith('googlechat-event-'));

const messageEvent = fixtureJson<Json & { message: Json; space: Json; user: Json }>('googlechat-event-message.json');
const ana = { id: 'users/112233445566778899001', name: 'Ana Silva', email: 'ana.silva@example.com' };

const one = (request: InboundRequest, platform?: string): Message => onlyMessage(request, 'googlechat', { ...opts, platform });

const expectMismatch = mismatchOf('googlechat');

describe('googlechat normalize: fixtures', () => {
	it('every event fixture auto-detects and reads the same from bytes, string and object', () => {
		assert.equal(CHAT_FIXTURES.length, 3);
		for (const name of CHAT_FIXTURES) {
			const fromBytes = normalizeFixture(name, 'googlechat', opts);
			assert.equal(fromBytes.messages.length, 1);
			assert.deepEqual(fromBytes.messages[0]!.raw, fixtureJson(name));
		}
	});

	it('MESSAGE: argumentText without the @mention, thread, space and sender', () => {
		const m = one(fixtureRequest('googlechat-event-message.json'));
		assert.equal(m.schema, MESSAGE_SCHEMA_ID);
		assert.equal(m.id, 'googlechat:spaces/AAQAexampleSp/messages/ExAmPlEmSg1.ExAmPlEmSg1');
		assert.equal(m.providerMessageId, 'spaces/AAQAexampleSp/messages/ExAmPlEmSg1.ExAmPlEmSg1');
		assert.equal(m.channel, 'googlechat');
		assert.equal(m.provider, 'googlechat');
		assert.equal(m.direction, 'inbound');
		assert.deepEqual(m.conversation, { id: 'spaces/AAQAexampleSp', type: 'channel', threadId: 'spaces/AAQAexampleSp/threads/ExAmPlEmSg1', name: 'Ops' });
		assert.deepEqual(m.sender, ana);
		assert.equal(m.timestamp, '2026-05-28T15:01:02.345Z');
		assert.deepEqual(m.parts, [{ type: 'text', text: 'status 48213', format: 'plain' }]);
		assert.equal(m.metadata.eventType, 'MESSAGE');
		assert.equal(m.metadata.eventTime, '2026-05-28T15:01:02.345678Z');
		assert.equal(m.metadata.spaceType, 'SPACE');
		assert.equal(m.metadata.argumentText, ' status 48213');
		assert.equal(m.metadata.fullText, '@Acme Notifier status 48213');
		assert.equal(m.metadata.userLocale, 'en');
		assert.equal(m.metadata.timeZone, 'Europe/Lisbon');
		assert.deepEqual(m.metadata.annotations, messageEvent.message.annotations);
		assert.equal(m.metadata.envelope, 'chat');
	});

	it('ADDED_TO_SPACE → system bot_added', () => {
		const m = one(fixtureRequest('googlechat-event-added-to-space.json'));
		assert.equal(m.id, 'googlechat:ADDED_TO_SPACE:spaces/AAQAexampleSp:2026-05-28T14:59:00.000000Z');
		assert.equal(m.providerMessageId, undefined);
		assert.deepEqual(m.parts, [{ type: 'system', event: 'bot_added', data: { space: 'spaces/AAQAexampleSp', spaceType: 'SPACE' } }]);
		assert.deepEqual(m.sender, ana);
		assert.deepEqual(m.conversation, { id: 'spaces/AAQAexampleSp', type: 'channel', name: 'Ops' });
		assert.equal(m.timestamp, '2026-05-28T14:59:00.000Z');
	});

	it('REMOVED_FROM_SPACE → system bot_removed', () => {
		const m = one(fixtureRequest('googlechat-event-removed-from-space.json'));
		assert.equal(m.id, 'googlechat:REMOVED_FROM_SPACE:spaces/AAQAexampleSp:2026-05-28T18:00:00.000000Z');
		assert.deepEqual(m.parts, [{ type: 'system', event: 'bot_removed', data: { space: 'spaces/AAQAexampleSp', spaceType: 'SPACE' } }]);
		assert.deepEqual(m.sender, ana);
		assert.equal(m.timestamp, '2026-05-28T18:00:00.000Z');
	});
});

describe('googlechat normalize: event variants', () => {
	it('space types: DIRECT_MESSAGE / DM → direct, GROUP_CHAT → group', () => {
		const dmSpace = { name: 'spaces/DMabc', type: 'DM', spaceType: 'DIRECT_MESSAGE', singleUserBotDm: true };
		const dm = one(jsonRequest({ ...messageEvent, space: dmSpace, message: { ...messageEvent.message, space: dmSpace, text: 'help', argumentText: 'help' } }));
		assert.deepEqual(dm.conversation, { id: 'spaces/DMabc', type: 'direct', threadId: 'spaces/AAQAexampleSp/threads/ExAmPlEmSg1' });
		assert.deepEqual(dm.parts, [{ type: 'text', text: 'help', format: 'plain' }]);
		assert.equal(dm.metadata.argumentText, undefined);
		const legacyDm = one(jsonRequest({ ...messageEvent, space: { name: 'spaces/DMold', type: 'DM' } }));
		assert.equal(legacyDm.conversation.type, 'direct');
		const group = one(jsonRequest({ ...messageEvent, space: { name: 'spaces/G1', spaceType: 'GROUP_CHAT' } }));
		assert.equal(group.conversation.type, 'group');
	});

	it('attachments → media parts; slash commands in metadata; quoted message → replyTo', () => {
		const attachment = [
			{ name: 'spaces/AAQAexampleSp/messages/M1/attachments/A1', contentName: 'seal.jpg', contentType: 'image/jpeg', downloadUri: 'https://chat.google.com/api/get_attachment_url?x=1', thumbnailUri: 'https://t', source: 'UPLOADED_CONTENT', attachmentDataRef: { resourceName: 'ATTACH_RES_1' } },
			{ name: 'spaces/AAQAexampleSp/messages/M1/attachments/A2', contentName: 'plan.pdf', contentType: 'application/pdf', source: 'DRIVE_FILE', driveDataRef: { driveFileId: '1AbCdrive' } },
			{ contentName: 'mystery' },
		];
		const m = one(
			jsonRequest({
				...messageEvent,
				message: { ...messageEvent.message, text: '/report now', argumentText: 'now', attachment, slashCommand: { commandId: '3' }, quotedMessageMetadata: { name: 'spaces/AAQAexampleSp/messages/Q1.Q1', lastUpdateTime: '2026-05-28T14:00:00Z' } },
			}),
		);
		assert.deepEqual(m.parts, [
			{ type: 'text', text: 'now', format: 'plain' },
			{ type: 'media', kind: 'image', url: 'https://chat.google.com/api/get_attachment_url?x=1', mediaId: 'ATTACH_RES_1', mimeType: 'image/jpeg', filename: 'seal.jpg' },
			{ type: 'media', kind: 'document', mediaId: '1AbCdrive', mimeType: 'application/pdf', filename: 'plan.pdf' },
			{ type: 'unsupported', platformType: 'attachment', reason: 'an attachment without a download link or resource name', original: { contentName: 'mystery' } },
		]);
		assert.deepEqual(m.metadata.slashCommand, { commandId: '3' });
		assert.deepEqual(m.replyTo, { messageId: 'spaces/AAQAexampleSp/messages/Q1.Q1' });
	});

	it('a message with only cards is kept whole as unsupported', () => {
		const message = { name: 'spaces/AAQAexampleSp/messages/C1.C1', sender: messageEvent.user, createTime: '2026-05-28T15:05:00Z', cardsV2: [{ cardId: 'c', card: {} }], space: messageEvent.space };
		const m = one(jsonRequest({ ...messageEvent, message }));
		assert.deepEqual(m.parts, [{ type: 'unsupported', platformType: 'message', reason: 'a message without text or attachments', original: message }]);
		assert.equal(m.timestamp, '2026-05-28T15:05:00.000Z');
	});

	it('ADDED_TO_SPACE through an @mention carries the message too', () => {
		const m = one(jsonRequest({ ...messageEvent, type: 'ADDED_TO_SPACE' }));
		assert.deepEqual(m.parts, [
			{ type: 'system', event: 'bot_added', data: { space: 'spaces/AAQAexampleSp', spaceType: 'SPACE' } },
			{ type: 'text', text: 'status 48213', format: 'plain' },
		]);
		assert.equal(m.providerMessageId, 'spaces/AAQAexampleSp/messages/ExAmPlEmSg1.ExAmPlEmSg1');
	});

	it('CARD_CLICKED → interactive_reply: the id parameter, else the action method', () => {
		const base = { ...messageEvent, type: 'CARD_CLICKED', eventTime: '2026-05-28T15:10:00.5Z' };
		const ours = one(jsonRequest({ ...base, action: { actionMethodName: 'approve', parameters: [{ key: 'id', value: 'approve:REQ-5521' }, { key: 'extra', value: '1' }] } }));
		assert.deepEqual(ours.parts, [{ type: 'interactive_reply', id: 'approve:REQ-5521', source: 'card_action' }]);
		assert.equal(ours.metadata.actionMethodName, 'approve');
		assert.deepEqual(ours.metadata.actionParameters, { id: 'approve:REQ-5521', extra: '1' });
		assert.deepEqual(ours.replyTo, { messageId: 'spaces/AAQAexampleSp/messages/ExAmPlEmSg1.ExAmPlEmSg1', senderId: 'users/112233445566778899001' });
		assert.equal(ours.id, 'googlechat:CARD_CLICKED:spaces/AAQAexampleSp/messages/ExAmPlEmSg1.ExAmPlEmSg1:2026-05-28T15:10:00.5Z');
		assert.equal(ours.timestamp, '2026-05-28T15:10:00.500Z');
		assert.deepEqual(ours.sender, ana);

		const theirs = one(jsonRequest({ ...base, action: { actionMethodName: 'approveRelease', parameters: [{ key: 'requestId', value: 'REQ-5521' }] } }));
		assert.deepEqual(theirs.parts, [{ type: 'interactive_reply', id: 'approveRelease', source: 'card_action' }]);
		assert.deepEqual(theirs.metadata.actionParameters, { requestId: 'REQ-5521' });

		const common = one(jsonRequest({ ...base, common: { invokedFunction: 'snooze', parameters: { minutes: '10' } } }));
		assert.deepEqual(common.parts, [{ type: 'interactive_reply', id: 'snooze', source: 'card_action' }]);
		assert.deepEqual(common.metadata.actionParameters, { minutes: '10' });
	});

	it('other event types → unsupported part holding the event', () => {
		const body = { type: 'WIDGET_UPDATED', eventTime: '2026-05-28T15:11:00Z', user: messageEvent.user, space: messageEvent.space, common: { invokedFunction: 'autocomplete' } };
		const m = one(jsonRequest(body));
		assert.deepEqual(m.parts, [{ type: 'unsupported', platformType: 'WIDGET_UPDATED', reason: 'Google Chat WIDGET_UPDATED events are not mapped', original: body }]);
		assert.equal(m.timestamp, '2026-05-28T15:11:00.000Z');
	});

	it('Workspace add-on envelope: message, added, removed, button clicked and unknown payloads', () => {
		const common = { hostApp: 'CHAT', userLocale: 'en', timeZone: { id: 'Europe/Lisbon', offset: 3600000 } };
		const chat = { user: messageEvent.user, eventTime: '2026-05-28T15:20:00.250Z' };
		const msg = one(jsonRequest({ commonEventObject: common, authorizationEventObject: { userOAuthToken: 'x' }, chat: { ...chat, messagePayload: { message: messageEvent.message, space: messageEvent.space } } }));
		assert.deepEqual(msg.parts, [{ type: 'text', text: 'status 48213', format: 'plain' }]);
		assert.equal(msg.providerMessageId, 'spaces/AAQAexampleSp/messages/ExAmPlEmSg1.ExAmPlEmSg1');
		assert.deepEqual(msg.conversation, { id: 'spaces/AAQAexampleSp', type: 'channel', threadId: 'spaces/AAQAexampleSp/threads/ExAmPlEmSg1', name: 'Ops' });
		assert.equal(msg.metadata.envelope, 'addon');
		assert.equal(msg.metadata.eventType, 'MESSAGE');
		assert.equal(msg.metadata.timeZone, 'Europe/Lisbon');

		const added = one(jsonRequest({ commonEventObject: common, chat: { ...chat, addedToSpacePayload: { space: messageEvent.space, interactionAdd: false } } }));
		assert.deepEqual(added.parts, [{ type: 'system', event: 'bot_added', data: { space: 'spaces/AAQAexampleSp', spaceType: 'SPACE' } }]);
		assert.equal(added.timestamp, '2026-05-28T15:20:00.250Z');

		const removed = one(jsonRequest({ commonEventObject: common, chat: { ...chat, removedFromSpacePayload: { space: messageEvent.space } } }));
		assert.equal((removed.parts[0] as Extract<Part, { type: 'system' }>).event, 'bot_removed');

		const clicked = one(jsonRequest({ commonEventObject: { ...common, invokedFunction: 'approve', parameters: { id: 'approve:REQ-5521' } }, chat: { ...chat, buttonClickedPayload: { message: messageEvent.message, space: messageEvent.space } } }));
		assert.deepEqual(clicked.parts, [{ type: 'interactive_reply', id: 'approve:REQ-5521', source: 'card_action' }]);
		assert.equal(clicked.metadata.actionMethodName, 'approve');

		const unknownBody = { commonEventObject: common, chat: { ...chat, dialogPayload: { space: messageEvent.space } } };
		const unknown = one(jsonRequest(unknownBody));
		assert.equal((unknown.parts[0] as Extract<Part, { type: 'unsupported' }>).platformType, 'dialogPayload');
	});

	it('unknown extra fields are accepted', () => {
		const m = one(jsonRequest({ ...messageEvent, future: 1, message: { ...messageEvent.message, newField: { a: 1 }, sender: { ...messageEvent.user, extra: true } } }));
		assert.deepEqual(m.parts, [{ type: 'text', text: 'status 48213', format: 'plain' }]);
	});
});

describe('googlechat normalize: errors', () => {
	it('truncated or empty bodies → MalformedBodyError', () => {
		const bytes = fixtureBytes('googlechat-event-message.json');
		assert.throws(() => normalize({ body: bytes.subarray(0, bytes.length - 5), headers: { 'content-type': 'application/json' } }), MalformedBodyError);
		assert.throws(() => normalize({ body: '', headers: {} }, { platform: 'googlechat' }), MalformedBodyError);
	});

	it('shape mismatches name the JSON path', () => {
		const named = (body: unknown) => () => normalize(jsonRequest(body), { platform: 'googlechat' });
		expectMismatch(named({ ...messageEvent, type: undefined }), 'type');
		expectMismatch(named({ ...messageEvent, space: { name: 5 } }), 'space.name');
		expectMismatch(named({ ...messageEvent, message: { ...messageEvent.message, name: undefined } }), 'message.name');
		expectMismatch(named({ ...messageEvent, message: { ...messageEvent.message, attachment: [{ contentType: 7 }] } }), 'message.attachment[0].contentType');
		expectMismatch(named({ type: 'MESSAGE', eventTime: '2026-05-28T15:01:02Z' }), 'space');
		expectMismatch(named({ type: 'MESSAGE', space: messageEvent.space }), 'message');
		expectMismatch(named({ ...messageEvent, type: 'CARD_CLICKED', action: { actionMethodName: 'x', parameters: [{ key: 'id', value: 3 }] } }), 'action.parameters[0].value');
		expectMismatch(named({ commonEventObject: {}, chat: { messagePayload: { message: { text: 'x' }, space: messageEvent.space } } }), 'chat.messagePayload.message.name');
		expectMismatch(named({ commonEventObject: {}, chat: { user: { name: 1 }, messagePayload: {} } }), 'chat.user.name');
		expectMismatch(named([messageEvent]), '');
	});

	it('random corruption yields messages or typed errors, never a TypeError', () => {
		const bodies = CHAT_FIXTURES.map((f) => fixtureJson<Json>(f));
		bodies.push({ commonEventObject: { hostApp: 'CHAT' }, chat: { user: messageEvent.user, eventTime: '2026-05-28T15:20:00Z', messagePayload: { message: messageEvent.message, space: messageEvent.space } } });
		assertFieldCorruptionTyped({ bodies, run: (body) => normalize(jsonRequest(body), { ...opts, platform: 'googlechat' }), numRuns: 500 });
	});
});

describe('googlechat detect', () => {
	it('claims exactly the Google Chat event fixtures (not the outbound Message body)', () => {
		assertDetectsExactly(detectGoogleChat, (name) => name.startsWith('googlechat-event-'));
	});

	it('claims add-on events', () => {
		assert.equal(detectGoogleChat(parseRequest(jsonRequest({ commonEventObject: { hostApp: 'CHAT' }, chat: { messagePayload: {} } }))).match, true);
	});
});

// ---------------------------------------------------------------------------------------------------
// Render

function outbound(parts: MessageInput['parts'], extra: Partial<MessageInput> = {}): MessageInput {
	return {
		schema: MESSAGE_SCHEMA_ID,
		id: 'out-1',
		channel: 'googlechat',
		provider: 'googlechat',
		direction: 'outbound',
		conversation: { id: 'spaces/AAQAexampleSp', type: 'channel' },
		timestamp: '2026-05-28T14:31:02.000Z',
		parts,
		...extra,
	};
}

const API = 'v1/spaces/AAQAexampleSp/messages';
const THREADED = `${API}?messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD`;

describe('googlechat render', () => {
	it('matches the cardsV2 fixture (text, header, decoratedText, buttonList, threadKey)', () => {
		const fixture = fixtureJson<Json & { cardsV2: Array<Json & { card: Json }> }>('googlechat-outbound-message-cardsv2.json');
		const out = render(
			outbound(
				[
					{ type: 'text', text: 'Release REQ-5521 needs approval' },
					{
						type: 'card',
						id: 'release-5521',
						title: 'Release 2026.05.28',
						subtitle: 'Requested by Ana Silva',
						fields: [{ label: 'Service', value: 'payments-api' }],
						buttons: [
							{ id: 'approveRelease', title: 'Approve' },
							{ title: 'Open', action: 'url', url: 'https://deploy.example.com/REQ-5521' },
						],
					},
				],
				{ conversation: { id: 'spaces/AAQAexampleSp', type: 'channel', threadId: 'release-REQ-5521' } },
			),
			'googlechat',
		);
		assert.equal(out.payloads.length, 1);
		assert.equal(out.payloads[0]!.endpoint, THREADED);
		// Identical except the action's parameters: Switchboard sends the button id as `id` so a click reads back as it.
		const expected = structuredClone(fixture);
		const buttons = ((((expected.cardsV2[0]!.card.sections as Json[])[0]!.widgets as Json[])[1]!.buttonList as Json).buttons as Array<{ onClick: { action?: Json } }>);
		buttons[0]!.onClick.action!.parameters = [{ key: 'id', value: 'approveRelease' }];
		assert.deepEqual(out.payloads[0]!.body, expected);
		assert.deepEqual(out.degradations, []);
	});

	it('text: parts join with newlines; markdown becomes Chat formatting', () => {
		assert.equal(markdownToGoogleChat('**Deploy** _812_ ~~down~~ see [runbook](https://wiki.example.test/r)'), '*Deploy* _812_ ~down~ see <https://wiki.example.test/r|runbook>');
		const out = render(outbound([{ type: 'text', text: 'a < b' }, { type: 'text', text: '**done**', format: 'markdown' }]), 'googlechat');
		assert.deepEqual(out.payloads, [{ endpoint: API, contentType: 'application/json', body: { text: 'a < b\n*done*' } }]);
		const html = render(outbound([{ type: 'text', text: '<b>x</b>', format: 'html' }]), 'googlechat');
		assert.deepEqual(html.payloads[0]!.body, { text: 'x' });
		assert.deepEqual(html.degradations, [{ partIndex: 0, from: 'text/html', to: 'text/plain', reason: 'platform has no html formatting' }]);
	});

	it('images and buttons as cards; card text is HTML-escaped; lists become buttons', () => {
		const out = render(
			outbound([
				{ type: 'media', kind: 'image', url: 'https://x.test/chart.png', caption: 'p95 < 200ms' },
				{ type: 'media', kind: 'image', mediaId: 'no-url' },
				{ type: 'buttons', text: 'Ship it?', buttons: [{ id: 'ship', title: 'Ship' }] },
				{ type: 'list', text: 'Slot', sections: [{ rows: [{ id: 'm', title: 'Morning' }] }] },
				{ type: 'card', subtitle: 'no title', text: 'body & more' },
			]),
			'googlechat',
		);
		assert.deepEqual(out.payloads[0]!.body.cardsV2, [
			{ cardId: 'card-1', card: { sections: [{ widgets: [{ image: { imageUrl: 'https://x.test/chart.png', altText: 'p95 < 200ms' } }, { textParagraph: { text: 'p95 &lt; 200ms' } }] }] } },
			{ cardId: 'card-2', card: { sections: [{ widgets: [{ textParagraph: { text: 'Ship it?' } }, { buttonList: { buttons: [{ text: 'Ship', onClick: { action: { function: 'ship', parameters: [{ key: 'id', value: 'ship' }] } } }] } }] }] } },
			{ cardId: 'card-3', card: { sections: [{ widgets: [{ textParagraph: { text: 'Slot' } }, { buttonList: { buttons: [{ text: 'Morning', onClick: { action: { function: 'm', parameters: [{ key: 'id', value: 'm' }] } } }] } }] }] } },
			{ cardId: 'card-4', card: { sections: [{ widgets: [{ textParagraph: { text: 'no title' } }, { textParagraph: { text: 'body &amp; more' } }] }] } },
		]);
		assert.equal(out.payloads[0]!.body.text, undefined);
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			// Degrade's notes come first, then what render reported.
			[
				[3, 'list', 'buttons'],
				[1, 'media', 'dropped'],
			],
		);
	});

	it('webhook variant: same body, webhook endpoint with the thread query; reply buttons listed as text; no reactions', () => {
		const out = render(
			outbound(
				[
					{ type: 'text', text: 'Incident' },
					{ type: 'buttons', buttons: [{ id: 'ack', title: 'Ack' }, { title: 'Status', action: 'url', url: 'https://status.example.test' }] },
					{ type: 'reaction', emoji: '👍', targetMessageId: 'spaces/AAQAexampleSp/messages/M.M' },
				],
				{ conversation: { id: 'spaces/AAQAexampleSp', type: 'channel', threadId: 'inc-5521' } },
			),
			'googlechat',
			{ variant: 'webhook' },
		);
		assert.deepEqual(out.payloads, [
			{
				endpoint: 'webhook?messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD&threadKey=inc-5521',
				contentType: 'application/json',
				body: {
					text: 'Incident',
					cardsV2: [{ cardId: 'card-1', card: { sections: [{ widgets: [{ textParagraph: { text: '1. Ack' } }, { buttonList: { buttons: [{ text: 'Status', onClick: { openLink: { url: 'https://status.example.test' } } }] } }] }] } }],
					thread: { threadKey: 'inc-5521' },
				},
			},
		]);
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[
				[1, 'buttons', 'text'],
				[2, 'reaction', 'dropped'],
			],
		);
	});

	it('reactions (api) → a reactions call after the message; removals and foreign ids reported', () => {
		const out = render(
			outbound([
				{ type: 'text', text: 'ok' },
				{ type: 'reaction', emoji: '👍', targetMessageId: 'spaces/AAQAexampleSp/messages/ExAmPlEmSg1.ExAmPlEmSg1' },
				{ type: 'reaction', emoji: '', targetMessageId: 'spaces/AAQAexampleSp/messages/X.X' },
				{ type: 'reaction', emoji: '👍', targetMessageId: 'wamid.1' },
			]),
			'googlechat',
		);
		assert.deepEqual(out.payloads, [
			{ endpoint: API, contentType: 'application/json', body: { text: 'ok' } },
			{ endpoint: 'v1/spaces/AAQAexampleSp/messages/ExAmPlEmSg1.ExAmPlEmSg1/reactions', contentType: 'application/json', body: { emoji: { unicode: '👍' } } },
		]);
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.to]),
			[
				[2, 'dropped'],
				[3, 'dropped'],
			],
		);
	});

	it('threads: resource names go in thread.name; replyTo finds its thread; the space prefix is added', () => {
		const named = render(outbound([{ type: 'text', text: 'x' }], { conversation: { id: 'spaces/AAQAexampleSp', type: 'channel', threadId: 'spaces/AAQAexampleSp/threads/T1' } }), 'googlechat');
		assert.deepEqual(named.payloads[0]!.body.thread, { name: 'spaces/AAQAexampleSp/threads/T1' });
		const reply = render(outbound([{ type: 'text', text: 'x' }], { replyTo: { messageId: 'spaces/AAQAexampleSp/messages/ExAmPlEmSg1.ExAmPlEmSg1' } }), 'googlechat');
		assert.deepEqual(reply.payloads[0]!.body.thread, { name: 'spaces/AAQAexampleSp/threads/ExAmPlEmSg1' });
		assert.equal(reply.payloads[0]!.endpoint, THREADED);
		const lost = render(outbound([{ type: 'text', text: 'x' }], { replyTo: { messageId: 'abc' } }), 'googlechat');
		assert.equal(lost.payloads[0]!.body.thread, undefined);
		assert.equal(lost.degradations[0]!.from, 'replyTo');
		assert.equal(render(outbound([{ type: 'text', text: 'x' }]), 'googlechat', { to: 'BBBspace' }).payloads[0]!.endpoint, 'v1/spaces/BBBspace/messages');
	});

	it('location and contacts become text; unknown variants are refused; capabilities', () => {
		const out = render(outbound([{ type: 'location', latitude: 38.7, longitude: -9.1, name: 'Lisbon office' }]), 'googlechat');
		assert.deepEqual(out.payloads[0]!.body, { text: 'Lisbon office\nhttps://maps.google.com/?q=38.7,-9.1' });
		assert.throws(() => render(outbound([{ type: 'text', text: 'x' }]), 'googlechat', { variant: 'sms' }), RenderError);
		assert.deepEqual([...googleChatAdapter.renderCapabilities!.parts].sort(), ['buttons', 'card', 'media', 'reaction', 'text']);
	});
});

describe('googlechat round trip', () => {
	it('normalize(deliver(render(m))) keeps the text', () => {
		fc.assert(
			fc.property(arbMessage('googlechat', 'googlechat', ['text']), (message) => {
				const m = only(roundTrip(message, 'googlechat', deliverGoogleChat, { normalize: opts }));
				assert.deepEqual(m.sender, { id: SENDER_APP.name, name: SENDER_APP.displayName, isBot: true });
				assert.equal(m.conversation.id, `spaces/${message.recipients[0]!.id}`);
				assert.deepEqual(m.parts, [{ type: 'text', text: message.parts.map((p) => (p as Extract<Part, { type: 'text' }>).text).join('\n'), format: 'plain' }]);
			}),
			{ numRuns: 200 },
		);
	});

	it('a clicked button of a rendered card reads back as the button id, in the same thread', () => {
		const payload = render(outbound([{ type: 'buttons', text: 'Approve?', buttons: [{ id: 'approve:REQ-5521', title: 'Approve' }] }], { conversation: { id: 'spaces/AAQAexampleSp', type: 'channel', threadId: 'spaces/AAQAexampleSp/threads/T9' } }), 'googlechat').payloads[0]!;
		const delivered = JSON.parse(String(deliverGoogleChat([payload])[0]!.body)) as Json & { message: Json };
		const cards = payload.body.cardsV2 as Array<{ card: { sections: Array<{ widgets: Json[] }> } }>;
		const buttonList = cards[0]!.card.sections[0]!.widgets[1]!.buttonList as { buttons: Array<{ onClick: { action: { function: string; parameters: Array<{ key: string; value: string }> } } }> };
		const widgets = buttonList.buttons[0]!.onClick.action;
		const click = one(jsonRequest({ type: 'CARD_CLICKED', eventTime: '2026-05-28T15:40:00Z', message: delivered.message, user: messageEvent.user, space: delivered.space, action: { actionMethodName: widgets.function, parameters: widgets.parameters } }));
		assert.deepEqual(click.parts, [{ type: 'interactive_reply', id: 'approve:REQ-5521', source: 'card_action' }]);
		assert.equal(click.conversation.threadId, 'spaces/AAQAexampleSp/threads/T9');
	});
});
