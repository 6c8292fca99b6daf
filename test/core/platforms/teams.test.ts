import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MalformedBodyError, RenderError } from '../../../core/errors';
import { normalize } from '../../../core/normalize';
import { detectTeams, teamsAdapter } from '../../../core/platforms/teams';
import { submitId } from '../../../core/platforms/teams/normalize';
import { render } from '../../../core/render';
import { type InboundRequest } from '../../../core/request';
import { MESSAGE_SCHEMA_ID, type Message, type MessageInput, type Part } from '../../../core/schema/message';
import { arbMessage } from '../../support/arbitraries';
import { fixtureBytes, fixtureJson, fixtureRequest } from '../../support/fixtures';
import { deliverTeams, RECEIVER_BOT, SENDER_BOT, SERVICE_URL } from '../../support/inbound/teams';
import { assertDetectsExactly, only, roundTrip, assertFieldCorruptionTyped, jsonRequest, mismatchOf, normalizeFixture, onlyMessage, type Json } from '../../support/platform-test-kit';

const NOW = new Date('2026-06-01T08:00:00.000Z');
const opts = { now: () => NOW };
const TEAMS_INBOUND = ['teams-activity-conversation-update-installed.json', 'teams-activity-message-personal.json'];
const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

const personal = fixtureJson<Json>('teams-activity-message-personal.json');
const BOT_ID = '28:2c7e9f10-1111-4a4a-9b9b-123456789abc';
const TENANT = '8f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

function activity(extra: Json): InboundRequest {
	return jsonRequest({ ...personal, ...extra });
}

const one = (request: InboundRequest, platform?: string): Message => onlyMessage(request, 'teams', { ...opts, platform });

const expectMismatch = mismatchOf('teams');

const channelConversation = { isGroup: true, conversationType: 'channel', tenantId: TENANT, id: '19:abcDEF@thread.tacv2;messageid=1779979000000', name: 'Releases' };
const channelData = { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2', name: 'Platform' }, channel: { id: '19:abcDEF@thread.tacv2', name: 'Releases' }, teamsChannelId: '19:abcDEF@thread.tacv2' };

describe('teams normalize: fixtures', () => {
	it('inbound activities auto-detect and read the same from bytes, string and object', () => {
		for (const name of TEAMS_INBOUND) {
			const fromBytes = normalizeFixture(name, 'teams', opts);
			assert.equal(fromBytes.messages.length, 1);
			assert.deepEqual(fromBytes.messages[0]!.raw, fixtureJson(name));
		}
	});

	it('personal message: ids, direct conversation, sender and the reply coordinates in metadata', () => {
		const m = one(fixtureRequest('teams-activity-message-personal.json'));
		assert.equal(m.schema, MESSAGE_SCHEMA_ID);
		assert.equal(m.id, 'teams:1779979211446');
		assert.equal(m.providerMessageId, '1779979211446');
		assert.equal(m.channel, 'teams');
		assert.equal(m.provider, 'teams');
		assert.equal(m.direction, 'inbound');
		assert.deepEqual(m.conversation, { id: 'a:1ExamplePersonalConversationId_xYz0123456789', type: 'direct' });
		assert.deepEqual(m.sender, { id: '29:1aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789-exampleUserId', name: 'Jonas Berg' });
		assert.deepEqual(m.recipients, [{ id: BOT_ID, name: 'Acme Notifier', isBot: true }]);
		// Seven fraction digits → milliseconds.
		assert.equal(m.timestamp, '2026-05-28T14:40:11.446Z');
		assert.deepEqual(m.parts, [{ type: 'text', text: 'status 48213', format: 'plain' }]);
		assert.equal(m.metadata.serviceUrl, 'https://smba.trafficmanager.net/emea/8f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b/');
		assert.equal(m.metadata.tenantId, TENANT);
		assert.equal(m.metadata.channelId, 'msteams');
		assert.equal(m.metadata.conversationType, 'personal');
		assert.equal(m.metadata.aadObjectId, '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
		assert.equal(m.metadata.locale, 'en-GB');
		assert.equal(m.metadata.localTimestamp, '2026-05-28T16:40:11.4460000+02:00');
		assert.deepEqual(m.metadata.conversationReference, {
			activityId: '1779979211446',
			user: { id: '29:1aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789-exampleUserId', name: 'Jonas Berg', aadObjectId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
			bot: { id: BOT_ID, name: 'Acme Notifier' },
			conversation: { id: 'a:1ExamplePersonalConversationId_xYz0123456789', conversationType: 'personal', tenantId: TENANT },
			channelId: 'msteams',
			serviceUrl: 'https://smba.trafficmanager.net/emea/8f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b/',
			locale: 'en-GB',
		});
	});

	it('conversationUpdate installing the bot → system bot_added', () => {
		const m = one(fixtureRequest('teams-activity-conversation-update-installed.json'));
		assert.equal(m.id, 'teams:conversationUpdate:f:exampleConversationUpdateId');
		assert.equal(m.providerMessageId, undefined);
		assert.deepEqual(m.parts, [{ type: 'system', event: 'bot_added', data: { members: [{ id: BOT_ID }] } }]);
		assert.deepEqual(m.sender, { id: '29:1aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789-exampleUserId', name: 'Jonas Berg' });
		assert.equal(m.timestamp, '2026-05-28T14:30:00.000Z');
		assert.equal(m.metadata.activityType, 'conversationUpdate');
		assert.equal(m.metadata.serviceUrl, 'https://smba.trafficmanager.net/emea/8f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b/');
	});
});

describe('teams normalize: activity variants', () => {
	it('channel message: the bot mention is stripped, other mentions read @Name, thread and team in metadata', () => {
		const m = one(
			activity({
				text: '<at>Acme Notifier</at> ask <at>Ana Silva</at> about 48213',
				conversation: channelConversation,
				channelData,
				entities: [
					{ type: 'mention', text: '<at>Acme Notifier</at>', mentioned: { id: BOT_ID, name: 'Acme Notifier' } },
					{ type: 'mention', text: '<at>Ana Silva</at>', mentioned: { id: '29:ana', name: 'Ana Silva' } },
					{ type: 'clientInfo', locale: 'en-GB' },
				],
			}),
		);
		assert.deepEqual(m.parts, [{ type: 'text', text: 'ask @Ana Silva about 48213', format: 'plain' }]);
		assert.deepEqual(m.conversation, { id: '19:abcDEF@thread.tacv2;messageid=1779979000000', type: 'channel', threadId: '1779979000000', name: 'Releases' });
		assert.equal(m.metadata.botMentioned, true);
		assert.deepEqual(m.metadata.mentions, [{ id: '29:ana', name: 'Ana Silva' }]);
		assert.equal(m.metadata.teamId, '19:team@thread.tacv2');
		assert.equal(m.metadata.teamName, 'Platform');
		assert.equal(m.metadata.channelName, 'Releases');
	});

	it('group chat and markdown/xml text formats', () => {
		const group = one(activity({ conversation: { id: '19:group@thread.v2', conversationType: 'groupChat', tenantId: TENANT, isGroup: true }, text: '**hi**', textFormat: 'markdown' }));
		assert.equal(group.conversation.type, 'group');
		assert.deepEqual(group.parts, [{ type: 'text', text: '**hi**', format: 'markdown' }]);
		assert.deepEqual(one(activity({ text: '<b>hi</b>', textFormat: 'xml' })).parts, [{ type: 'text', text: '<b>hi</b>', format: 'html' }]);
	});

	it('Action.Submit: {id} reads back as the id; other data as its JSON; title kept', () => {
		const ours = one(activity({ text: undefined, value: { id: 'approve' }, replyToId: '1779979100000' }));
		assert.deepEqual(ours.parts, [{ type: 'interactive_reply', id: 'approve', source: 'card_action' }]);
		assert.deepEqual(ours.replyTo, { messageId: '1779979100000' });
		assert.deepEqual(ours.metadata.value, { id: 'approve' });
		const theirs = one(activity({ text: undefined, value: { action: 'approve', requestId: 'REQ-5521', title: 'Approve' } }));
		assert.deepEqual(theirs.parts, [{ type: 'interactive_reply', id: '{"action":"approve","requestId":"REQ-5521","title":"Approve"}', title: 'Approve', source: 'card_action' }]);
		assert.equal(submitId({ id: 'x', msteams: { type: 'messageBack' } }), 'x');
		assert.equal(submitId('plain'), 'plain');
	});

	it('attachments: adaptive and hero cards → card parts, files → documents, images → media, unknown → unsupported', () => {
		const adaptive = fixtureJson<{ attachments: Json[] }>('teams-workflows-webhook-adaptive-card.json').attachments[0]!;
		const hero = { contentType: 'application/vnd.microsoft.card.hero', content: { title: 'Order 48213', subtitle: 'Shipped', text: 'Arrives Friday', images: [{ url: 'https://x.test/box.png' }], buttons: [{ type: 'openUrl', title: 'Track', value: 'https://t.example/48213' }, { type: 'imBack', title: 'Thanks', value: 'thanks' }] } };
		const file = { contentType: 'application/vnd.microsoft.teams.file.download.info', contentUrl: 'https://contoso.sharepoint.com/invoice.pdf', name: 'invoice.pdf', content: { downloadUrl: 'https://download.example/invoice.pdf?t=1', uniqueId: '1150D938-8870-4044-9F2C-5BBDEBA70C9D', fileType: 'pdf' } };
		const image = { contentType: 'image/png', contentUrl: 'https://smba.trafficmanager.net/emea/v3/attachments/0-a/views/original', name: 'screenshot.png' };
		const html = { contentType: 'text/html', content: '<div>status 48213</div>' };
		const odd = { contentType: 'application/vnd.microsoft.com.card.receipt', content: { title: 'r' } };
		const m = one(activity({ attachments: [adaptive, hero, file, image, html, odd] }));
		assert.deepEqual(m.parts, [
			{ type: 'text', text: 'status 48213', format: 'plain' },
			{
				type: 'card',
				title: 'Payment service degraded',
				fields: [
					{ label: 'Severity', value: 'SEV2' },
					{ label: 'Started', value: '2026-05-28 14:02 UTC' },
				],
				buttons: [{ title: 'Open incident', action: 'url', url: 'https://status.example.com/inc/5521' }],
			},
			{
				type: 'card',
				title: 'Order 48213',
				subtitle: 'Shipped',
				text: 'Arrives Friday',
				imageUrl: 'https://x.test/box.png',
				fields: [],
				buttons: [
					{ title: 'Track', action: 'url', url: 'https://t.example/48213' },
					{ title: 'Thanks', action: 'reply', id: 'thanks' },
				],
			},
			{ type: 'media', kind: 'document', url: 'https://download.example/invoice.pdf?t=1', mediaId: '1150D938-8870-4044-9F2C-5BBDEBA70C9D', filename: 'invoice.pdf', mimeType: 'application/pdf' },
			{ type: 'media', kind: 'image', url: 'https://smba.trafficmanager.net/emea/v3/attachments/0-a/views/original', mimeType: 'image/png', filename: 'screenshot.png' },
			{ type: 'unsupported', platformType: 'application/vnd.microsoft.com.card.receipt', reason: 'Teams attachment not mapped', original: odd },
		]);
		assert.deepEqual(m.metadata.attachments, [adaptive, hero, file, image, html, odd]);
		// Without text the HTML copy is the content.
		const htmlOnly = one(activity({ text: undefined, attachments: [html] }));
		assert.deepEqual(htmlOnly.parts, [{ type: 'text', text: '<div>status 48213</div>', format: 'html' }]);
		// A card with nothing readable is kept whole.
		const empty = { contentType: ADAPTIVE, content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Input.Text', id: 'x' }] } };
		assert.deepEqual(one(activity({ text: undefined, attachments: [empty] })).parts, [{ type: 'unsupported', platformType: ADAPTIVE, reason: 'Teams attachment not mapped', original: empty }]);
	});

	it('conversationUpdate: members added/removed; channel events', () => {
		const base = fixtureJson<Json>('teams-activity-conversation-update-installed.json');
		const joined = one(jsonRequest({ ...base, membersAdded: [{ id: '29:new', name: 'Neo' }], membersRemoved: [{ id: BOT_ID }] }));
		assert.deepEqual(joined.parts, [
			{ type: 'system', event: 'member_added', data: { members: [{ id: '29:new', name: 'Neo' }] } },
			{ type: 'system', event: 'bot_removed', data: { members: [{ id: BOT_ID }] } },
		]);
		const renamed = one(jsonRequest({ ...base, membersAdded: undefined, channelData: { ...channelData, eventType: 'channelRenamed' } }));
		assert.deepEqual(renamed.parts, [{ type: 'system', event: 'channelRenamed', data: { channelData: { ...channelData, eventType: 'channelRenamed' } } }]);
		assert.equal(renamed.metadata.eventType, 'channelRenamed');
	});

	it('messageReaction → reaction parts on replyToId', () => {
		const m = one(activity({ type: 'messageReaction', id: 'r1', text: undefined, replyToId: '1779979100000', reactionsAdded: [{ type: 'like' }, { type: 'heart' }, { type: 'yes' }] }));
		assert.equal(m.id, 'teams:messageReaction:r1');
		assert.deepEqual(m.parts, [
			{ type: 'reaction', emoji: '👍', targetMessageId: '1779979100000' },
			{ type: 'reaction', emoji: '❤️', targetMessageId: '1779979100000' },
			{ type: 'reaction', emoji: 'yes', targetMessageId: '1779979100000' },
		]);
		assert.equal(m.replyTo, undefined);
		const removed = one(activity({ type: 'messageReaction', id: 'r2', text: undefined, replyToId: '1779979100000', reactionsRemoved: [{ type: 'laugh' }] }));
		assert.deepEqual(removed.parts, [{ type: 'reaction', emoji: '', targetMessageId: '1779979100000' }]);
		assert.deepEqual(removed.metadata.reactionsRemoved, ['laugh']);
	});

	it('messageUpdate, messageDelete, installationUpdate, invoke, typing', () => {
		const edited = one(activity({ type: 'messageUpdate', text: 'status 48214', channelData: { eventType: 'editMessage', tenant: { id: TENANT } } }));
		assert.deepEqual(edited.parts, [{ type: 'text', text: 'status 48214', format: 'plain' }]);
		assert.equal(edited.metadata.edited, true);
		// The edit keeps the message's provider id but gets its own Switchboard id.
		assert.equal(edited.providerMessageId, '1779979211446');
		assert.equal(edited.id, 'teams:messageUpdate:1779979211446:2026-05-28T14:40:11.446Z');

		const deleted = one(activity({ type: 'messageDelete', text: undefined, channelData: { eventType: 'softDeleteMessage', tenant: { id: TENANT } } }));
		assert.deepEqual(deleted.parts, [{ type: 'system', event: 'message_deleted', data: { messageId: '1779979211446', eventType: 'softDeleteMessage' } }]);
		assert.equal(deleted.id, 'teams:messageDelete:1779979211446');

		const install = one(activity({ type: 'installationUpdate', action: 'add', text: undefined }));
		assert.deepEqual(install.parts, [{ type: 'system', event: 'app_installed', data: { action: 'add' } }]);
		assert.deepEqual(one(activity({ type: 'installationUpdate', action: 'remove-upgrade', text: undefined })).parts[0], { type: 'system', event: 'app_uninstalled', data: { action: 'remove-upgrade' } });

		const invokeBody = { ...personal, type: 'invoke', name: 'adaptiveCard/action', text: undefined, value: { action: { type: 'Action.Execute', verb: 'approve' } } };
		const invoke = one(jsonRequest(invokeBody));
		assert.equal(invoke.parts.length, 1);
		const part = invoke.parts[0] as Extract<Part, { type: 'unsupported' }>;
		assert.equal(part.platformType, 'invoke:adaptiveCard/action');
		assert.deepEqual(part.original, JSON.parse(JSON.stringify(invokeBody)));
		assert.equal(invoke.metadata.invokeName, 'adaptiveCard/action');

		const typing = one(activity({ type: 'typing', text: undefined }));
		assert.equal((typing.parts[0] as Extract<Part, { type: 'unsupported' }>).platformType, 'typing');
	});

	it('other Bot Framework channels are read when teams is named; an array of activities comes out in order', () => {
		const emulator = one(activity({ channelId: 'emulator', serviceUrl: 'http://localhost:3978' }), 'teams');
		assert.equal(emulator.metadata.channelId, 'emulator');
		const batch = normalize(jsonRequest([personal, { ...personal, id: '2', text: 'second' }]), { ...opts, platform: 'teams' });
		assert.deepEqual(
			batch.messages.map((m) => [m.id, (m.parts[0] as Extract<Part, { type: 'text' }>).text]),
			[
				['teams:1779979211446', 'status 48213'],
				['teams:2', 'second'],
			],
		);
	});

	it('unknown extra fields are accepted', () => {
		const m = one(activity({ brandNew: { a: 1 }, from: { ...(personal.from as Json), role: 'user', extra: true }, conversation: { ...(personal.conversation as Json), more: 1 } }));
		assert.deepEqual(m.parts, [{ type: 'text', text: 'status 48213', format: 'plain' }]);
	});
});

describe('teams normalize: errors', () => {
	it('truncated or empty bodies → MalformedBodyError', () => {
		const bytes = fixtureBytes('teams-activity-message-personal.json');
		assert.throws(() => normalize({ body: bytes.subarray(0, 100), headers: { 'content-type': 'application/json' } }), MalformedBodyError);
		assert.throws(() => normalize({ body: '', headers: {} }, { platform: 'teams' }), MalformedBodyError);
	});

	it('shape mismatches name the JSON path', () => {
		const named = (body: unknown) => () => normalize(jsonRequest(body), { platform: 'teams' });
		expectMismatch(named({ ...personal, conversation: undefined }), 'conversation');
		expectMismatch(named({ ...personal, conversation: { conversationType: 'personal' } }), 'conversation.id');
		expectMismatch(named({ ...personal, from: { id: 29 } }), 'from.id');
		expectMismatch(named({ ...personal, type: 7 }), 'type');
		expectMismatch(named({ ...personal, attachments: [{ content: {} }] }), 'attachments[0].contentType');
		expectMismatch(named({ ...personal, type: 'messageReaction', reactionsAdded: [{ type: 'like' }] }), 'replyToId');
		expectMismatch(named({ ...personal, type: 'messageReaction', replyToId: 'x', reactionsAdded: [{}] }), 'reactionsAdded[0].type');
		expectMismatch(named([personal, { ...personal, text: 5 }]), '[1].text');
		expectMismatch(named('text'), '');
	});

	it('random corruption yields messages or typed errors, never a TypeError', () => {
		const bodies = TEAMS_INBOUND.map((f) => fixtureJson<Json>(f));
		bodies.push({ ...personal, conversation: channelConversation, channelData, attachments: fixtureJson<{ attachments: Json[] }>('teams-workflows-webhook-adaptive-card.json').attachments, value: { id: 'x' } });
		assertFieldCorruptionTyped({ bodies, run: (body) => normalize(jsonRequest(body), { ...opts, platform: 'teams' }), numRuns: 500 });
	});
});

describe('teams detect', () => {
	it('claims exactly the inbound Teams activities (not outbound, Workflows or Graph bodies)', () => {
		assertDetectsExactly(detectTeams, (name) => TEAMS_INBOUND.includes(name));
	});
});

// ---------------------------------------------------------------------------------------------------
// Render

const CONVERSATION = 'a:1ExamplePersonalConversationId_xYz0123456789';

function outbound(parts: MessageInput['parts'], extra: Partial<MessageInput> = {}): MessageInput {
	return {
		schema: MESSAGE_SCHEMA_ID,
		id: 'out-1',
		channel: 'teams',
		provider: 'teams',
		direction: 'outbound',
		conversation: { id: CONVERSATION, type: 'direct' },
		timestamp: '2026-05-28T14:31:02.000Z',
		parts,
		...extra,
	};
}

const ENDPOINT = `v3/conversations/${encodeURIComponent(CONVERSATION)}/activities`;

/** Drops `wrap` (a rendering hint we always set) so cards compare with hand-written ones. */
function withoutWrap(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(withoutWrap);
	if (value && typeof value === 'object') {
		const out: Json = {};
		for (const [k, v] of Object.entries(value)) if (k !== 'wrap') out[k] = withoutWrap(v);
		return out;
	}
	return value;
}

describe('teams render: bot (Bot Framework activity)', () => {
	it('matches the proactive activity fixture: markdown text plus an Adaptive Card with Action.Submit', () => {
		const fixture = fixtureJson<Json & { attachments: Array<{ content: Json }> }>('teams-outbound-activity-proactive.json');
		const out = render(
			outbound(
				[
					{ type: 'text', text: 'Build **#812** finished', format: 'markdown' },
					{ type: 'buttons', text: 'Approve release 2026.05.28?', buttons: [{ id: 'approve:REQ-5521', title: 'Approve' }] },
				],
				{ metadata: { tenantId: TENANT } },
			),
			'teams',
		);
		assert.equal(out.payloads.length, 1);
		const [payload] = out.payloads;
		assert.equal(payload!.endpoint, ENDPOINT);
		const body = payload!.body as Json & { attachments: Array<{ contentType: string; content: Json }> };
		assert.equal(body.type, fixture.type);
		assert.equal(body.text, fixture.text);
		assert.equal(body.textFormat, fixture.textFormat);
		assert.deepEqual(body.conversation, fixture.conversation);
		const card = body.attachments[0]!;
		assert.equal(card.contentType, ADAPTIVE);
		const expected = fixture.attachments[0]!.content;
		assert.equal(card.content.type, expected.type);
		assert.equal(card.content.$schema, expected.$schema);
		assert.equal(card.content.version, expected.version);
		assert.deepEqual(card.content.body, [{ type: 'TextBlock', text: 'Approve release 2026.05.28?', wrap: true }]);
		// Same action type and title; Switchboard's data is {id} so the click reads back as the button id.
		assert.deepEqual(card.content.actions, [{ type: 'Action.Submit', title: 'Approve', data: { id: 'approve:REQ-5521' } }]);
		assert.deepEqual(out.degradations, []);
	});

	it('plain, markdown and html text; mixed formats join in the richest one', () => {
		const plain = render(outbound([{ type: 'text', text: 'a*b' }, { type: 'text', text: 'c' }]), 'teams');
		assert.deepEqual(plain.payloads[0]!.body, { type: 'message', text: 'a*b\n\nc', textFormat: 'plain', conversation: { id: CONVERSATION, conversationType: 'personal' } });
		const mixed = render(outbound([{ type: 'text', text: '**bold**', format: 'markdown' }, { type: 'text', text: '1*2 [x]' }]), 'teams');
		assert.equal(mixed.payloads[0]!.body.text, '**bold**\n\n1\\*2 \\[x\\]');
		assert.equal(mixed.payloads[0]!.body.textFormat, 'markdown');
		const html = render(outbound([{ type: 'text', text: '<b>Deploy</b>', format: 'html' }, { type: 'text', text: 'x < y', format: 'plain' }, { type: 'text', text: '_it_', format: 'markdown' }]), 'teams');
		assert.equal(html.payloads[0]!.body.text, '<b>Deploy</b><br><br>x &lt; y<br><br><i>it</i>');
		assert.equal(html.payloads[0]!.body.textFormat, 'xml');
	});

	it('images are attachments; a text after an attachment starts a new activity; replyTo on the first', () => {
		const out = render(
			outbound(
				[
					{ type: 'text', text: 'Before' },
					{ type: 'media', kind: 'image', url: 'https://cdn.example.test/chart.png', filename: 'chart.png' },
					{ type: 'text', text: 'After' },
					{ type: 'media', kind: 'image', mediaId: 'no-url' },
				],
				{ replyTo: { messageId: '1779979211446' } },
			),
			'teams',
		);
		assert.deepEqual(
			out.payloads.map((p) => [p.endpoint, p.body.text, p.body.replyToId, p.body.attachments]),
			[
				[`${ENDPOINT}/1779979211446`, 'Before', '1779979211446', [{ contentType: 'image/png', contentUrl: 'https://cdn.example.test/chart.png', name: 'chart.png' }]],
				[ENDPOINT, 'After', undefined, undefined],
			],
		);
		assert.deepEqual(out.degradations, [{ partIndex: 3, from: 'media', to: 'dropped', reason: 'Teams bots send images by URL; this part has none' }]);
	});

	it('cards, url buttons and lists as Adaptive Cards; 7+ buttons and unsupported kinds degrade', () => {
		const out = render(
			outbound([
				{ type: 'card', title: 'Payment service degraded', subtitle: 'payments-api', text: 'Since 14:02', imageUrl: 'https://x.test/i.png', fields: [{ label: 'Severity', value: 'SEV2' }], buttons: [{ title: 'Open incident', action: 'url', url: 'https://status.example.com/inc/5521' }] },
				{ type: 'list', text: 'Pick a slot', buttonText: 'Book', sections: [{ rows: [{ id: 'm', title: '08:00', description: 'morning' }, { id: 'e', title: '18:00' }] }] },
				{ type: 'buttons', text: 'Rate', buttons: Array.from({ length: 7 }, (_, i) => ({ id: `r${i}`, title: `${i}` })) },
				{ type: 'location', latitude: 52.2, longitude: 21 },
				{ type: 'reaction', emoji: '👍', targetMessageId: '1' },
			]),
			'teams',
		);
		const attachments = out.payloads[0]!.body.attachments as Array<{ content: Json }>;
		assert.deepEqual(attachments[0]!.content, {
			type: 'AdaptiveCard',
			$schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
			version: '1.5',
			body: [
				{ type: 'TextBlock', text: 'Payment service degraded', wrap: true, size: 'Medium', weight: 'Bolder' },
				{ type: 'TextBlock', text: 'payments-api', wrap: true, isSubtle: true, spacing: 'None' },
				{ type: 'Image', url: 'https://x.test/i.png', altText: 'Payment service degraded' },
				{ type: 'TextBlock', text: 'Since 14:02', wrap: true },
				{ type: 'FactSet', facts: [{ title: 'Severity', value: 'SEV2' }] },
			],
			actions: [{ type: 'Action.OpenUrl', title: 'Open incident', url: 'https://status.example.com/inc/5521' }],
		});
		assert.deepEqual(attachments[1]!.content.body, [
			{ type: 'TextBlock', text: 'Pick a slot', wrap: true },
			{ type: 'Input.ChoiceSet', id: 'id', style: 'compact', isRequired: true, placeholder: 'Book', choices: [{ title: '08:00 — morning', value: 'm' }, { title: '18:00', value: 'e' }] },
		]);
		assert.deepEqual(attachments[1]!.content.actions, [{ type: 'Action.Submit', title: 'Book' }]);
		// Seven reply buttons exceed Teams' six: the core turns them into a list (a ChoiceSet).
		assert.equal(((attachments[2]!.content.body as Json[])[1]!).type, 'Input.ChoiceSet');
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[
				[2, 'buttons', 'list'],
				[3, 'location', 'text'],
				[4, 'reaction', 'dropped'],
			],
		);
		// The map link is a text after the attachments: its own activity.
		assert.equal(out.payloads[1]!.body.text, 'https://maps.google.com/?q=52.2,21');
	});

	it('channel threads address "<channel>;messageid=<root>"; options.to overrides', () => {
		const out = render(outbound([{ type: 'text', text: 'x' }], { conversation: { id: '19:abcDEF@thread.tacv2', type: 'channel', threadId: '1779979000000' } }), 'teams');
		assert.equal(out.payloads[0]!.endpoint, `v3/conversations/${encodeURIComponent('19:abcDEF@thread.tacv2;messageid=1779979000000')}/activities`);
		assert.deepEqual(out.payloads[0]!.body.conversation, { id: '19:abcDEF@thread.tacv2;messageid=1779979000000', conversationType: 'channel' });
		const to = render(outbound([{ type: 'text', text: 'x' }]), 'teams', { to: 'a:other' });
		assert.deepEqual(to.payloads[0]!.body.conversation, { id: 'a:other' });
	});

	it('declares what Teams expresses natively; unknown variants are refused', () => {
		const caps = teamsAdapter.renderCapabilities!;
		assert.deepEqual([...caps.parts].sort(), ['buttons', 'card', 'list', 'media', 'text']);
		assert.equal(caps.maxButtons, 6);
		assert.throws(() => render(outbound([{ type: 'text', text: 'x' }]), 'teams', { variant: 'connector' }), RenderError);
	});
});

describe('teams render: graph (chatMessage)', () => {
	it('html body referencing card attachments whose content is a JSON string', () => {
		const out = render(
			outbound([
				{ type: 'text', text: 'Release **approved**', format: 'markdown' },
				{ type: 'card', title: 'Approved', fields: [{ label: 'By', value: 'Jonas' }] },
				{ type: 'buttons', text: 'Next?', buttons: [{ id: 'ship', title: 'Ship' }, { title: 'Docs', action: 'url', url: 'https://docs.example.test' }] },
			]),
			'teams',
			{ variant: 'graph' },
		);
		assert.equal(out.payloads.length, 1);
		assert.equal(out.payloads[0]!.endpoint, `chats/${encodeURIComponent(CONVERSATION)}/messages`);
		const body = out.payloads[0]!.body as { body: Json; attachments: Array<Json & { content: string }> };
		assert.deepEqual(body.body, { contentType: 'html', content: 'Release <b>approved</b><br><attachment id="1"></attachment><br><attachment id="2"></attachment>' });
		assert.deepEqual(
			body.attachments.map((a) => [a.id, a.contentType, a.contentUrl, typeof a.content]),
			[
				['1', ADAPTIVE, null, 'string'],
				['2', ADAPTIVE, null, 'string'],
			],
		);
		assert.deepEqual(JSON.parse(body.attachments[0]!.content), {
			type: 'AdaptiveCard',
			$schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
			version: '1.4',
			body: [
				{ type: 'TextBlock', text: 'Approved', wrap: true, size: 'Medium', weight: 'Bolder' },
				{ type: 'FactSet', facts: [{ title: 'By', value: 'Jonas' }] },
			],
		});
		// Posted as a user: a reply button would reach no bot, so it is listed as text (reported).
		const second = JSON.parse(body.attachments[1]!.content) as Json;
		assert.deepEqual(second.body, [
			{ type: 'TextBlock', text: 'Next?', wrap: true },
			{ type: 'TextBlock', text: '1. Ship', wrap: true },
		]);
		assert.deepEqual(second.actions, [{ type: 'Action.OpenUrl', title: 'Docs', url: 'https://docs.example.test' }]);
		assert.deepEqual(out.degradations, [{ partIndex: 2, from: 'buttons', to: 'text', reason: 'card clicks in this variant reach no bot; reply buttons listed as text' }]);
	});

	it('plain text only → contentType text; channel messages with a team id use the channel path and replies', () => {
		const plain = render(outbound([{ type: 'text', text: 'a < b' }]), 'teams', { variant: 'graph' });
		assert.deepEqual(plain.payloads[0]!.body, { body: { contentType: 'text', content: 'a < b' } });
		const channel = render(
			outbound([{ type: 'text', text: 'x' }], { conversation: { id: '19:abcDEF@thread.tacv2', type: 'channel', threadId: '1779979000000' }, metadata: { teamId: '19:team@thread.tacv2' } }),
			'teams',
			{ variant: 'graph' },
		);
		assert.equal(channel.payloads[0]!.endpoint, `teams/${encodeURIComponent('19:team@thread.tacv2')}/channels/${encodeURIComponent('19:abcDEF@thread.tacv2')}/messages/1779979000000/replies`);
		const chatReply = render(outbound([{ type: 'text', text: 'x' }], { replyTo: { messageId: '1' } }), 'teams', { variant: 'graph' });
		assert.equal(chatReply.degradations[0]!.from, 'replyTo');
	});
});

describe('teams render: workflows (webhook card)', () => {
	it('matches the Workflows fixture for a card with facts and a link', () => {
		const fixture = fixtureJson<Json>('teams-workflows-webhook-adaptive-card.json');
		const out = render(
			outbound([
				{
					type: 'card',
					title: 'Payment service degraded',
					fields: [
						{ label: 'Severity', value: 'SEV2' },
						{ label: 'Started', value: '2026-05-28 14:02 UTC' },
					],
					buttons: [{ title: 'Open incident', action: 'url', url: 'https://status.example.com/inc/5521' }],
				},
			]),
			'teams',
			{ variant: 'workflows' },
		);
		assert.deepEqual(out.payloads.map((p) => p.endpoint), ['workflows']);
		assert.deepEqual(withoutWrap(out.payloads[0]!.body), fixture);
		assert.deepEqual(out.degradations, []);
	});

	it('text becomes TextBlocks (html reported); reply buttons listed as text; images as Image elements', () => {
		const out = render(
			outbound([
				{ type: 'text', text: 'Deploy **812** done', format: 'markdown' },
				{ type: 'text', text: '<i>quiet</i>', format: 'html' },
				{ type: 'media', kind: 'image', url: 'https://x.test/graph.png', caption: 'Latency' },
				{ type: 'buttons', buttons: [{ id: 'ack', title: 'Acknowledge' }] },
			]),
			'teams',
			{ variant: 'workflows' },
		);
		const content = ((out.payloads[0]!.body.attachments as Json[])[0]!).content as Json;
		assert.equal(content.version, '1.4');
		assert.deepEqual(content.body, [
			{ type: 'TextBlock', text: 'Deploy **812** done', wrap: true },
			{ type: 'TextBlock', text: 'quiet', wrap: true },
			{ type: 'Image', url: 'https://x.test/graph.png', altText: 'Latency' },
			{ type: 'TextBlock', text: 'Latency', wrap: true, isSubtle: true },
			{ type: 'TextBlock', text: '1. Acknowledge', wrap: true },
		]);
		assert.equal(content.actions, undefined);
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[
				[1, 'text/html', 'text/plain'],
				[3, 'buttons', 'text'],
			],
		);
	});
});

describe('teams round trip', () => {
	it('normalize(deliver(render(m))) keeps the text', () => {
		fc.assert(
			fc.property(arbMessage('teams', 'teams', ['text']), (message) => {
				const m = only(roundTrip(message, 'teams', deliverTeams, { normalize: opts }));
				assert.deepEqual(m.sender, { id: SENDER_BOT.id, name: SENDER_BOT.name, isBot: true });
				assert.deepEqual(m.recipients, [{ id: RECEIVER_BOT.id, name: RECEIVER_BOT.name, isBot: true }]);
				assert.equal(m.conversation.id, message.recipients[0]!.id);
				assert.equal(m.metadata.serviceUrl, SERVICE_URL);
				assert.deepEqual(m.parts, [{ type: 'text', text: message.parts.map((p) => (p as Extract<Part, { type: 'text' }>).text).join('\n\n'), format: 'plain' }]);
			}),
			{ numRuns: 200 },
		);
	});

	it('a clicked Action.Submit of a rendered card reads back as the button id', () => {
		const payload = render(outbound([{ type: 'buttons', text: 'Approve?', buttons: [{ id: 'approve:REQ-5521', title: 'Approve' }] }]), 'teams').payloads[0]!;
		const card = (payload.body.attachments as Array<{ content: { actions: Json[] } }>)[0]!;
		const data = card.content.actions[0]!.data as Json;
		const click = one(jsonRequest({ ...personal, text: undefined, value: data, replyToId: '1779979300000' }));
		assert.deepEqual(click.parts, [{ type: 'interactive_reply', id: 'approve:REQ-5521', source: 'card_action' }]);
	});
});

describe('teams html safety', () => {
	it('never emits javascript: or data: links or images in generated HTML', async () => {
		const { markdownToHtml } = await import('../../../core/platforms/shared/markdown');
		const out = markdownToHtml('[click](javascript:alert(1)) ![x](data:image/png;base64,AAA) [ok](https://example.test/a)');
		assert.doesNotMatch(out, /javascript:|data:/);
		assert.match(out, /<a href="https:\/\/example\.test\/a">ok<\/a>/);
		assert.match(out, /click/);
	});
});
