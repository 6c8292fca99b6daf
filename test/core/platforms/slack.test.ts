import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MalformedBodyError } from '../../../core/errors';
import { normalize } from '../../../core/normalize';
import { detectSlack, slackAdapter } from '../../../core/platforms/slack';
import { emojiToSlackName, slackNameToEmoji } from '../../../core/platforms/slack/emoji';
import { slackTsToIso } from '../../../core/platforms/slack/normalize';
import { markdownToSlack } from '../../../core/platforms/shared/markdown';
import { render } from '../../../core/render';
import { slackTs } from '../../../core/platforms/slack/render';
import { parseRequest, type InboundRequest } from '../../../core/request';
import { MESSAGE_SCHEMA_ID, type Message, type MessageInput, type Part } from '../../../core/schema/message';
import { arbMessage } from '../../support/arbitraries';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureRequest } from '../../support/fixtures';
import { deliverSlack, SENDER_BOT_ID, SENDER_BOT_USER } from '../../support/inbound/slack';
import { assertDetectsExactly, only, roundTrip, assertFieldCorruptionTyped, formRequest, jsonRequest, mismatchOf, normalizeFixture, onlyMessage, type Json } from '../../support/platform-test-kit';

const NOW = new Date('2026-06-01T08:00:00.000Z');
const opts = { now: () => NOW };
const SLACK_FIXTURES = fixtureNames().filter((f) => f.startsWith('slack-'));

const one = (request: InboundRequest, platform?: string): Message => onlyMessage(request, 'slack', { ...opts, platform });

/** An event_callback envelope around `event`, like the fixtures. */
function envelope(event: Json, extra: Json = {}): InboundRequest {
	const base = fixtureJson<Json>('slack-event-message-channel.json');
	return jsonRequest({ ...base, event, event_id: 'Ev0TEST', event_time: 1779981900, ...extra });
}

function blockActions(payload: Json): InboundRequest {
	const base = JSON.parse(new URLSearchParams(fixtureBytes('slack-interactivity-block-actions.txt').toString('utf8')).get('payload')!) as Json;
	return formRequest({ payload: JSON.stringify({ ...base, ...payload }) });
}

const expectMismatch = mismatchOf('slack');

describe('slack normalize: fixtures', () => {
	it('every fixture auto-detects and reads the same from bytes, string and parsed body', () => {
		assert.equal(SLACK_FIXTURES.length, 6);
		for (const name of SLACK_FIXTURES) normalizeFixture(name, 'slack', opts);
	});

	it('url_verification → handshake answering the challenge as text/plain, no messages', () => {
		const result = normalize(fixtureRequest('slack-event-url-verification.json'), opts);
		assert.deepEqual(result.messages, []);
		assert.deepEqual(result.events, []);
		const challenge = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P';
		assert.deepEqual(result.handshake, {
			platform: 'slack',
			kind: 'slack_url_verification',
			challenge,
			response: { status: 200, contentType: 'text/plain', body: challenge },
		});
	});

	it('channel message: ts as id, channel conversation, blocks and event id in metadata', () => {
		const m = one(fixtureRequest('slack-event-message-channel.json'));
		assert.equal(m.schema, MESSAGE_SCHEMA_ID);
		assert.equal(m.id, 'slack:1779981300.000200');
		assert.equal(m.providerMessageId, '1779981300.000200');
		assert.equal(m.channel, 'slack');
		assert.equal(m.provider, 'slack');
		assert.equal(m.direction, 'inbound');
		assert.deepEqual(m.conversation, { id: 'C0CHANNEL01', type: 'channel' });
		assert.deepEqual(m.sender, { id: 'U0HUMAN001' });
		assert.equal(m.timestamp, '2026-05-28T15:15:00.000Z');
		assert.deepEqual(m.parts, [{ type: 'text', text: 'is the 14:00 deploy still on?', format: 'plain' }]);
		assert.equal(m.metadata.eventId, 'Ev0EXAMPLE001');
		assert.equal(m.metadata.eventType, 'message');
		assert.equal(m.metadata.eventTime, 1779981300);
		assert.equal(m.metadata.teamId, 'T0EXAMPLE1');
		assert.equal(m.metadata.apiAppId, 'A0EXAMPLE1');
		assert.equal(m.metadata.botUserId, 'U0BOTUSER1');
		assert.equal(m.metadata.clientMsgId, '3f8b1c2e-6a5d-4e7f-9a0b-1c2d3e4f5a6b');
		assert.deepEqual(m.metadata.blocks, fixtureJson<{ event: { blocks: unknown } }>('slack-event-message-channel.json').event.blocks);
		assert.deepEqual(m.raw, fixtureJson('slack-event-message-channel.json'));
	});

	it('im message → direct conversation', () => {
		const m = one(fixtureRequest('slack-event-message-im.json'));
		assert.equal(m.id, 'slack:1779981360.000300');
		assert.deepEqual(m.conversation, { id: 'D0DMCHAN001', type: 'direct' });
		assert.deepEqual(m.sender, { id: 'U0HUMAN001' });
		assert.equal(m.timestamp, '2026-05-28T15:16:00.000Z');
		assert.deepEqual(m.parts, [{ type: 'text', text: 'help', format: 'plain' }]);
		assert.equal(m.metadata.eventId, 'Ev0EXAMPLE002');
	});

	it('app_mention: conversation type from the channel id, mention flag', () => {
		const m = one(fixtureRequest('slack-event-app-mention.json'));
		assert.equal(m.id, 'slack:1779981480.000500');
		assert.deepEqual(m.conversation, { id: 'C0CHANNEL01', type: 'channel' });
		assert.deepEqual(m.parts, [{ type: 'text', text: '<@U0BOTUSER1> page on-call', format: 'plain' }]);
		// .000500 is half a millisecond: truncated, not rounded up.
		assert.equal(m.timestamp, '2026-05-28T15:18:00.000Z');
		assert.equal(m.metadata.eventType, 'app_mention');
		assert.equal(m.metadata.mention, true);
	});

	it('bot_message: the bot as sender', () => {
		const m = one(fixtureRequest('slack-event-message-bot-message.json'));
		assert.deepEqual(m.sender, { id: 'B0OTHERBOT1', name: 'backup-bot', isBot: true });
		assert.deepEqual(m.parts, [{ type: 'text', text: 'Nightly backup OK', format: 'plain' }]);
		assert.equal(m.metadata.subtype, 'bot_message');
		assert.equal(m.metadata.botId, 'B0OTHERBOT1');
		assert.equal(m.timestamp, '2026-05-28T15:20:00.000Z');
	});

	it('block_actions button → interactive_reply; response_url and trigger_id in metadata', () => {
		const m = one(fixtureRequest('slack-interactivity-block-actions.txt'));
		assert.equal(m.id, 'slack:action:1779981705.1234567890.abcdef0123456789');
		assert.deepEqual(m.parts, [{ type: 'interactive_reply', id: 'REQ-5521', title: 'Approve', source: 'button' }]);
		assert.deepEqual(m.sender, { id: 'U0HUMAN001', name: 'ana.silva', handle: 'ana.silva' });
		assert.deepEqual(m.conversation, { id: 'C0CHANNEL01', type: 'channel', name: 'ops' });
		assert.deepEqual(m.replyTo, { messageId: '1779981700.000800' });
		assert.equal(m.timestamp, '2026-05-28T15:21:45.000Z');
		assert.equal(m.metadata.responseUrl, 'https://hooks.slack.com/actions/T0EXAMPLE1/1234567890/ExAmPlErEsPoNsEuRl');
		assert.equal(m.metadata.triggerId, '1779981705.1234567890.abcdef0123456789');
		assert.equal(m.metadata.actionTs, '1779981705.000900');
		assert.deepEqual(m.metadata.actions, [{ actionId: 'approve_release', blockId: 'rel_5521', type: 'button', value: 'REQ-5521' }]);
		assert.equal(m.metadata.interactionType, 'block_actions');
	});
});

describe('slack normalize: event variants', () => {
	const base = { type: 'message', user: 'U0HUMAN001', ts: '1779981900.000100', channel: 'C0CHANNEL01', event_ts: '1779981900.000100', channel_type: 'channel' };

	it('thread reply → threadId; mpim/group → group; entities decoded', () => {
		const reply = one(envelope({ ...base, text: 'a &lt;b&gt; &amp; c', thread_ts: '1779981300.000200', parent_user_id: 'U0X' }));
		assert.deepEqual(reply.conversation, { id: 'C0CHANNEL01', type: 'channel', threadId: '1779981300.000200' });
		assert.deepEqual(reply.parts, [{ type: 'text', text: 'a <b> & c', format: 'plain' }]);
		assert.equal(one(envelope({ ...base, text: 'x', channel: 'G0MPIM', channel_type: 'mpim' })).conversation.type, 'group');
		assert.equal(one(envelope({ ...base, text: 'x', channel: 'G0PRIV', channel_type: 'group' })).conversation.type, 'group');
		// A thread parent (thread_ts === ts) is not "in" a thread.
		assert.equal(one(envelope({ ...base, text: 'x', thread_ts: base.ts })).conversation.threadId, undefined);
	});

	it('an edited message carries edited, editedAt and editedBy', () => {
		const m = one(envelope({ ...base, text: 'fixed', edited: { user: 'U0HUMAN001', ts: '1779981950.000000' } }));
		assert.equal(m.metadata.edited, true);
		assert.equal(m.metadata.editedAt, '2026-05-28T15:25:50.000Z');
		assert.equal(m.metadata.editedBy, 'U0HUMAN001');
	});

	it('file_share → text plus media parts from files[]', () => {
		const files = [
			{ id: 'F0IMG', name: 'seal.jpg', title: 'Broken seal', mimetype: 'image/jpeg', filetype: 'jpg', size: 90321, url_private: 'https://files.slack.com/files-pri/T-F0IMG/seal.jpg', url_private_download: 'https://files.slack.com/files-pri/T-F0IMG/download/seal.jpg' },
			{ id: 'F0PDF', name: 'invoice.pdf', title: 'invoice.pdf', mimetype: 'application/pdf', size: 48213, url_private: 'https://files.slack.com/files-pri/T-F0PDF/invoice.pdf' },
			{ id: 'F0AUD', name: 'clip.webm', mimetype: 'audio/webm', subtype: 'slack_audio', url_private: 'https://files.slack.com/a.webm' },
			{ id: 'F0GONE', mode: 'tombstone' },
		];
		const m = one(envelope({ ...base, subtype: 'file_share', text: 'see attached', files }));
		assert.deepEqual(m.parts, [
			{ type: 'text', text: 'see attached', format: 'plain' },
			{ type: 'media', kind: 'image', url: 'https://files.slack.com/files-pri/T-F0IMG/download/seal.jpg', mediaId: 'F0IMG', mimeType: 'image/jpeg', filename: 'seal.jpg', caption: 'Broken seal', size: 90321 },
			{ type: 'media', kind: 'document', url: 'https://files.slack.com/files-pri/T-F0PDF/invoice.pdf', mediaId: 'F0PDF', mimeType: 'application/pdf', filename: 'invoice.pdf', size: 48213 },
			{ type: 'media', kind: 'voice', url: 'https://files.slack.com/a.webm', mediaId: 'F0AUD', mimeType: 'audio/webm', filename: 'clip.webm' },
			{ type: 'unsupported', platformType: 'file.tombstone', reason: 'the file details are not in the event (call files.info)', original: files[3] },
		]);
		assert.equal(m.metadata.subtype, 'file_share');
	});

	it('message_changed and message_deleted → system parts with data', () => {
		const changed = one(
			envelope({
				type: 'message',
				subtype: 'message_changed',
				hidden: true,
				channel: 'C0CHANNEL01',
				ts: '1779981950.000200',
				event_ts: '1779981950.000200',
				channel_type: 'channel',
				message: { type: 'message', user: 'U0HUMAN001', text: 'is the 15:00 deploy still on?', ts: '1779981300.000200', edited: { user: 'U0HUMAN001', ts: '1779981950.000000' } },
				previous_message: { type: 'message', user: 'U0HUMAN001', text: 'is the 14:00 deploy still on?', ts: '1779981300.000200' },
			}),
		);
		assert.equal(changed.providerMessageId, '1779981950.000200');
		assert.deepEqual(changed.sender, { id: 'U0HUMAN001' });
		assert.equal(changed.parts.length, 1);
		const system = changed.parts[0] as Extract<Part, { type: 'system' }>;
		assert.equal(system.event, 'message_edited');
		assert.equal(system.text, 'is the 15:00 deploy still on?');
		assert.equal(system.data!.messageTs, '1779981300.000200');
		assert.equal((system.data!.previousMessage as Json).text, 'is the 14:00 deploy still on?');
		assert.equal(changed.metadata.editedMessageTs, '1779981300.000200');

		const deleted = one(envelope({ type: 'message', subtype: 'message_deleted', hidden: true, channel: 'C0CHANNEL01', ts: '1779981960.000300', deleted_ts: '1779981300.000200', event_ts: '1779981960.000300', channel_type: 'channel', previous_message: { text: 'old' } }));
		assert.deepEqual(deleted.parts, [{ type: 'system', event: 'message_deleted', data: { deletedTs: '1779981300.000200', previousMessage: { text: 'old' } } }]);
		assert.equal(deleted.sender, undefined);
	});

	it('thread_broadcast, channel_join, unknown subtypes and text-less messages', () => {
		const broadcast = one(envelope({ ...base, subtype: 'thread_broadcast', text: 'also in channel', thread_ts: '1779981300.000200' }));
		assert.deepEqual(broadcast.parts, [{ type: 'text', text: 'also in channel', format: 'plain' }]);
		assert.equal(broadcast.metadata.threadBroadcast, true);

		const join = one(envelope({ ...base, subtype: 'channel_join', text: '<@U0NEW> has joined the channel', user: 'U0NEW', inviter: 'U0HUMAN001' }));
		assert.deepEqual(join.parts, [{ type: 'system', event: 'member_joined', text: '<@U0NEW> has joined the channel', data: { subtype: 'channel_join', user: 'U0NEW', inviter: 'U0HUMAN001' } }]);

		const odd = envelope({ ...base, subtype: 'huddle_thread', text: 'huddle' });
		const oddMessage = one(odd);
		assert.equal(oddMessage.parts[0]!.type, 'unsupported');
		assert.equal((oddMessage.parts[0] as Extract<Part, { type: 'unsupported' }>).platformType, 'message.huddle_thread');

		const blocksOnly = one(envelope({ ...base, text: '', blocks: [{ type: 'divider' }], bot_id: 'B0X' }));
		assert.equal(blocksOnly.parts[0]!.type, 'unsupported');
		assert.deepEqual(blocksOnly.sender, { id: 'U0HUMAN001', isBot: true });
	});

	it('reaction_added / reaction_removed → reaction parts', () => {
		const event = { type: 'reaction_added', user: 'U0HUMAN001', reaction: 'thumbsup', item: { type: 'message', channel: 'C0CHANNEL01', ts: '1779981300.000200' }, item_user: 'U0BOTUSER1', event_ts: '1779981990.000500' };
		const added = one(envelope(event));
		assert.equal(added.id, 'slack:Ev0TEST');
		assert.equal(added.providerMessageId, undefined);
		assert.deepEqual(added.parts, [{ type: 'reaction', emoji: '👍', targetMessageId: '1779981300.000200' }]);
		assert.deepEqual(added.conversation, { id: 'C0CHANNEL01', type: 'channel' });
		assert.deepEqual(added.sender, { id: 'U0HUMAN001' });
		assert.equal(added.timestamp, '2026-05-28T15:26:30.000Z');
		assert.equal(added.metadata.reactionName, 'thumbsup');
		assert.equal(added.metadata.itemUser, 'U0BOTUSER1');

		const removed = one(envelope({ ...event, type: 'reaction_removed', reaction: 'party_parrot' }));
		assert.deepEqual(removed.parts, [{ type: 'reaction', emoji: '', targetMessageId: '1779981300.000200' }]);
		assert.equal(removed.metadata.reactionName, 'party_parrot');
		assert.equal(slackNameToEmoji('party_parrot'), ':party_parrot:');
		assert.equal(slackNameToEmoji('+1::skin-tone-3'), '👍');

		const onFile = one(envelope({ ...event, item: { type: 'file', file: 'F0X' } }));
		assert.equal(onFile.parts[0]!.type, 'unsupported');
	});

	it('member_joined_channel → system; other events → unsupported part holding the event', () => {
		const joined = one(envelope({ type: 'member_joined_channel', user: 'U0NEW', channel: 'C0CHANNEL01', channel_type: 'C', team: 'T0EXAMPLE1', event_ts: '1779982000.000100' }));
		assert.deepEqual(joined.parts, [{ type: 'system', event: 'member_joined', data: { user: 'U0NEW', channelType: 'C' } }]);
		assert.deepEqual(joined.conversation, { id: 'C0CHANNEL01', type: 'channel' });

		const home = { type: 'app_home_opened', user: 'U0HUMAN001', channel: 'D0DMCHAN001', tab: 'home', event_ts: '1779982010.000100' };
		const m = one(envelope(home));
		assert.deepEqual(m.parts, [{ type: 'unsupported', platformType: 'app_home_opened', reason: 'Slack app_home_opened events are not mapped', original: home }]);
		assert.deepEqual(m.conversation, { id: 'D0DMCHAN001', type: 'direct' });
		assert.equal(m.id, 'slack:Ev0TEST');
	});

	it('app_rate_limited → unsupported, never empty', () => {
		const body = { token: 'x', type: 'app_rate_limited', team_id: 'T0EXAMPLE1', minute_rate_limited: 1779981960, api_app_id: 'A0EXAMPLE1' };
		const m = one(jsonRequest(body));
		assert.deepEqual(m.parts, [{ type: 'unsupported', platformType: 'app_rate_limited', reason: 'Slack app_rate_limited requests are not mapped', original: body }]);
		assert.equal(m.timestamp, NOW.toISOString());
	});

	it('block_actions menus → interactive_reply source list, one per selection', () => {
		const option = (value: string, text: string) => ({ text: { type: 'plain_text', text }, value });
		const m = one(
			blockActions({
				actions: [
					{ type: 'static_select', action_id: 'slot', block_id: 'b1', selected_option: option('slot_14', '14:00–16:00'), action_ts: '1779981705.000900' },
					{ type: 'multi_static_select', action_id: 'tags', block_id: 'b2', selected_options: [option('a', 'A'), option('b', 'B')] },
					{ type: 'users_select', action_id: 'who', block_id: 'b3', selected_user: 'U0OTHER' },
					{ type: 'datepicker', action_id: 'day', block_id: 'b4', selected_date: '2026-06-02' },
					{ type: 'plain_text_input', action_id: 'note', block_id: 'b5' },
				],
			}),
		);
		assert.deepEqual(m.parts, [
			{ type: 'interactive_reply', id: 'slot_14', title: '14:00–16:00', source: 'list' },
			{ type: 'interactive_reply', id: 'a', title: 'A', source: 'list' },
			{ type: 'interactive_reply', id: 'b', title: 'B', source: 'list' },
			{ type: 'interactive_reply', id: 'U0OTHER', source: 'list' },
			{ type: 'interactive_reply', id: '2026-06-02', source: 'card_action' },
			{ type: 'unsupported', platformType: 'action.plain_text_input', reason: 'an action without a value', original: { type: 'plain_text_input', action_id: 'note', block_id: 'b5' } },
		]);
	});

	it('block_actions button without value falls back to action_id; a parsed payload object works too', () => {
		const m = one(blockActions({ actions: [{ type: 'button', action_id: 'open_modal', block_id: 'b', text: { type: 'plain_text', text: 'Open' }, action_ts: '1779981705.000900' }] }));
		assert.deepEqual(m.parts, [{ type: 'interactive_reply', id: 'open_modal', title: 'Open', source: 'button' }]);
		const payload = JSON.parse(new URLSearchParams(fixtureBytes('slack-interactivity-block-actions.txt').toString('utf8')).get('payload')!);
		const fromObject = one({ body: { payload }, headers: { 'content-type': 'application/json' } });
		assert.deepEqual(fromObject.parts, [{ type: 'interactive_reply', id: 'REQ-5521', title: 'Approve', source: 'button' }]);
	});

	it('other interactivity types → unsupported part holding the payload', () => {
		const payload = { type: 'view_submission', team: { id: 'T0EXAMPLE1' }, user: { id: 'U0HUMAN001' }, api_app_id: 'A0EXAMPLE1', trigger_id: '123.456.abc', view: { id: 'V0', state: { values: {} } } };
		const m = one(formRequest({ payload: JSON.stringify(payload) }));
		assert.deepEqual(m.parts, [{ type: 'unsupported', platformType: 'view_submission', reason: 'Slack view_submission interactions are not mapped', original: payload }]);
		assert.deepEqual(m.conversation, { id: 'U0HUMAN001', type: 'direct' });
		assert.equal(m.metadata.triggerId, '123.456.abc');
	});

	it('slash command → text message with command metadata', () => {
		const m = one(
			formRequest({
				token: 'x',
				team_id: 'T0EXAMPLE1',
				team_domain: 'acme',
				channel_id: 'C0CHANNEL01',
				channel_name: 'ops',
				user_id: 'U0HUMAN001',
				user_name: 'ana.silva',
				command: '/deploy',
				text: 'payments-api 2026.05.28',
				api_app_id: 'A0EXAMPLE1',
				response_url: 'https://hooks.slack.com/commands/T0/1/x',
				trigger_id: '1779.22.ab',
			}),
		);
		assert.deepEqual(m.parts, [{ type: 'text', text: '/deploy payments-api 2026.05.28', format: 'plain' }]);
		assert.deepEqual(m.conversation, { id: 'C0CHANNEL01', type: 'channel', name: 'ops' });
		assert.deepEqual(m.sender, { id: 'U0HUMAN001', handle: 'ana.silva' });
		assert.equal(m.metadata.command, '/deploy');
		assert.equal(m.metadata.commandArgs, 'payments-api 2026.05.28');
		assert.equal(m.metadata.responseUrl, 'https://hooks.slack.com/commands/T0/1/x');
		assert.equal(m.timestamp, NOW.toISOString());
	});

	it('unknown extra fields are accepted', () => {
		const body = fixtureJson<Json>('slack-event-message-im.json');
		const m = one(jsonRequest({ ...body, brand_new: { a: 1 }, event: { ...(body.event as Json), future: [1], user_profile: { real_name: 'Ana Silva', name: 'ana.silva' } } }));
		assert.deepEqual(m.sender, { id: 'U0HUMAN001', name: 'Ana Silva', handle: 'ana.silva' });
		assert.deepEqual(m.parts, [{ type: 'text', text: 'help', format: 'plain' }]);
	});

	it('slack ts → ISO: microseconds truncated to milliseconds', () => {
		assert.equal(slackTsToIso('1779981480.000500'), '2026-05-28T15:18:00.000Z');
		assert.equal(slackTsToIso('1779981480.123999'), '2026-05-28T15:18:00.123Z');
		assert.equal(slackTsToIso('1779981480'), '2026-05-28T15:18:00.000Z');
		assert.equal(slackTsToIso('soon'), undefined);
	});
});

describe('slack normalize: errors', () => {
	it('truncated JSON and broken interactivity payloads → MalformedBodyError', () => {
		const bytes = fixtureBytes('slack-event-message-channel.json');
		assert.throws(() => normalize({ body: bytes.subarray(0, bytes.length - 10), headers: { 'content-type': 'application/json' } }), MalformedBodyError);
		const form = fixtureBytes('slack-interactivity-block-actions.txt').toString('utf8');
		assert.throws(() => normalize({ body: form.slice(0, form.length - 40), headers: { 'content-type': 'application/x-www-form-urlencoded' } }), MalformedBodyError);
		assert.throws(() => normalize({ body: '', headers: {} }, { platform: 'slack' }), MalformedBodyError);
	});

	it('shape mismatches name the JSON path', () => {
		const named = (request: InboundRequest) => () => normalize(request, { platform: 'slack' });
		expectMismatch(named(jsonRequest({ type: 'url_verification' })), 'challenge');
		expectMismatch(named(jsonRequest({ token: 'x' })), 'type');
		expectMismatch(named(envelope({ type: 'message', user: 'U', text: 'x', ts: '1.2' })), 'event.channel');
		expectMismatch(named(envelope({ type: 'message', user: 'U', text: 'x', ts: 1779981300.0002, channel: 'C' })), 'event.ts');
		expectMismatch(named(envelope({ type: 'message', channel: 'C', ts: '1.2', files: [{ name: 'x' }] })), 'event.files[0].id');
		expectMismatch(named(envelope({ type: 'reaction_added', user: 'U', item: { type: 'message' }, event_ts: '1.2' })), 'event.reaction');
		expectMismatch(named(jsonRequest({ type: 'event_callback', event: 'nope' })), 'event');
		expectMismatch(named(blockActions({ actions: [{ type: 'button', value: 'x' }] })), 'payload.actions[0].action_id');
		expectMismatch(named(blockActions({ user: undefined })), 'payload.user');
		expectMismatch(named(formRequest({ payload: '{"user":{"id":"U"}}' })), 'payload.type');
		expectMismatch(named(formRequest({ payload: '[1,2]' })), 'payload');
		expectMismatch(named(formRequest({ command: '/x', channel_id: 'C' })), 'user_id');
		expectMismatch(named(jsonRequest([1, 2])), '');
	});

	it('random corruption of every fixture yields messages or typed errors, never a TypeError', () => {
		assertFieldCorruptionTyped({
			bodies: SLACK_FIXTURES.filter((f) => f.endsWith('.json')).map((f) => fixtureJson<Json>(f)),
			run: (body) => normalize(jsonRequest(body), { ...opts, platform: 'slack' }),
			numRuns: 500,
		});
	});
});

describe('slack detect', () => {
	it('claims exactly the Slack fixtures', () => {
		assertDetectsExactly(detectSlack, (name) => name.startsWith('slack-'));
	});

	it('recognises slash commands and signed requests, not other forms', () => {
		assert.equal(detectSlack(parseRequest(formRequest({ command: '/deploy', team_id: 'T', channel_id: 'C', user_id: 'U' }))).match, true);
		assert.equal(detectSlack(parseRequest({ ...jsonRequest({ anything: 1 }), headers: { 'content-type': 'application/json', 'x-slack-signature': 'v0=ab' } })).match, true);
		assert.deepEqual(detectSlack(parseRequest(formRequest({ payload: 'not json' }))), {
			match: false,
			reason: 'no X-Slack-Signature header, Events API envelope, interactivity payload or slash command',
		});
	});
});

// ---------------------------------------------------------------------------------------------------
// Render

function outbound(parts: MessageInput['parts'], extra: Partial<MessageInput> = {}): MessageInput {
	return {
		schema: MESSAGE_SCHEMA_ID,
		id: 'out-1',
		channel: 'slack',
		provider: 'slack',
		direction: 'outbound',
		conversation: { id: 'C0CHANNEL01', type: 'channel' },
		timestamp: '2026-05-28T14:31:02.000Z',
		parts,
		...extra,
	};
}

const plainSection = (text: string) => ({ type: 'section', text: { type: 'plain_text', text, emoji: true } });
const button = (text: string, rest: Json) => ({ type: 'button', text: { type: 'plain_text', text, emoji: true }, ...rest });

describe('slack render', () => {
	it('a reply to, or reaction on, a message Channel Send sent (external id "<channel>:<ts>") uses its ts', () => {
		const out = render(
			outbound([{ type: 'text', text: 'Thanks' }, { type: 'reaction', emoji: '👍', targetMessageId: 'C0CHANNEL01:1779981300.000200' }], { replyTo: { messageId: 'C0CHANNEL01:1779981300.000200' } }),
			'slack',
		);
		assert.equal(out.payloads[0]!.body.thread_ts, '1779981300.000200');
		assert.equal(out.payloads[1]!.body.timestamp, '1779981300.000200');
		// A bare ts, and ids that only look prefixed, are left as they are.
		assert.equal(slackTs('1779981300.000200'), '1779981300.000200');
		assert.equal(slackTs('X0:1.2'), 'X0:1.2');
	});

	it('plain text → plain_text section, escaped fallback text', () => {
		const out = render(outbound([{ type: 'text', text: 'Deploy 812 is live & 1 < 2' }]), 'slack');
		assert.deepEqual(out.payloads, [
			{
				endpoint: 'chat.postMessage',
				contentType: 'application/json',
				body: { channel: 'C0CHANNEL01', text: 'Deploy 812 is live &amp; 1 &lt; 2', blocks: [plainSection('Deploy 812 is live & 1 < 2')] },
			},
		]);
		assert.deepEqual(out.degradations, []);
	});

	it('markdown → mrkdwn section', () => {
		const cases: Array<[string, string]> = [
			['**Deploy** _812_ is ~~down~~ live', '*Deploy* _812_ is ~down~ live'],
			['see [the runbook](https://wiki.example.test/run?a=1&b=2)', 'see <https://wiki.example.test/run?a=1&amp;b=2|the runbook>'],
			['# Incident\n- api <degraded>\n1. page on-call', '*Incident*\n• api &lt;degraded&gt;\n1. page on-call'],
			['`x & y` and ```\nblock <b>\n```', '`x &amp; y` and ```\nblock &lt;b&gt;\n```'],
			['<https://status.example.test>', '<https://status.example.test>'],
		];
		for (const [source, expected] of cases) {
			assert.equal(markdownToSlack(source), expected, source);
		}
		const out = render(outbound([{ type: 'text', text: '**Build** passed', format: 'markdown' }]), 'slack');
		assert.deepEqual(out.payloads[0]!.body, { channel: 'C0CHANNEL01', text: '*Build* passed', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Build* passed' } }] });
	});

	it('html text degrades to plain (Slack has no HTML)', () => {
		const out = render(outbound([{ type: 'text', text: '<b>Hi</b> there', format: 'html' }]), 'slack');
		assert.deepEqual(out.payloads[0]!.body.blocks, [plainSection('Hi there')]);
		assert.deepEqual(out.degradations, [{ partIndex: 0, from: 'text/html', to: 'text/plain', reason: 'platform has no html formatting' }]);
	});

	it('image → image block (URL or slack_file); other media become links', () => {
		const out = render(
			outbound([
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/seal.jpg', caption: 'Broken seal' },
				{ type: 'media', kind: 'image', mediaId: 'F0IMG' },
				{ type: 'media', kind: 'document', url: 'https://cdn.example.test/i.pdf', caption: 'Invoice' },
				{ type: 'media', kind: 'video', mediaId: 'V1' },
			]),
			'slack',
		);
		assert.deepEqual(out.payloads[0]!.body.blocks, [
			{ type: 'image', image_url: 'https://cdn.example.test/seal.jpg', alt_text: 'Broken seal', title: { type: 'plain_text', text: 'Broken seal', emoji: true } },
			{ type: 'image', slack_file: { id: 'F0IMG' }, alt_text: 'image' },
			plainSection('Invoice\nhttps://cdn.example.test/i.pdf'),
		]);
		assert.equal(out.payloads[0]!.body.text, 'Broken seal\nInvoice\nhttps://cdn.example.test/i.pdf');
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[
				[2, 'media', 'text'],
				[3, 'media', 'dropped'],
			],
		);
	});

	it('buttons → actions block (value = id, url buttons); fallback text always set', () => {
		const out = render(outbound([{ type: 'buttons', text: 'Approve release 2026.05.28?', buttons: [{ id: 'REQ-5521', title: 'Approve' }, { title: 'Open', action: 'url', url: 'https://deploy.example.test/REQ-5521' }] }]), 'slack');
		assert.deepEqual(out.payloads[0]!.body, {
			channel: 'C0CHANNEL01',
			text: 'Approve release 2026.05.28?',
			blocks: [
				plainSection('Approve release 2026.05.28?'),
				{ type: 'actions', elements: [button('Approve', { value: 'REQ-5521', action_id: 'REQ-5521' }), button('Open', { url: 'https://deploy.example.test/REQ-5521', action_id: 'link_0_1' })] },
			],
		});
		const bare = render(outbound([{ type: 'buttons', buttons: [{ id: 'a', title: 'Yes' }, { id: 'a', title: 'Also yes' }] }]), 'slack');
		assert.equal(bare.payloads[0]!.body.text, 'Yes | Also yes');
		// action_id must be unique in a message: a repeated id gets a positional one.
		assert.deepEqual(
			((bare.payloads[0]!.body.blocks as Json[])[0]!.elements as Json[]).map((e) => e.action_id),
			['a', 'button_0_1'],
		);
	});

	it('26+ buttons become a static_select; lists render as static_select with option groups', () => {
		const many = render(outbound([{ type: 'buttons', text: 'Pick', buttons: Array.from({ length: 26 }, (_, i) => ({ id: `b${i}`, title: `B${i}` })) }]), 'slack');
		const select = ((many.payloads[0]!.body.blocks as Json[])[1]!.elements as Json[])[0]!;
		assert.equal(select.type, 'static_select');
		assert.equal((select.options as Json[]).length, 26);
		assert.deepEqual(many.degradations, [{ partIndex: 0, from: 'buttons', to: 'list', reason: "26 buttons exceed the platform's 25" }]);

		const list = render(
			outbound([
				{
					type: 'list',
					text: 'Choose a slot',
					buttonText: 'Slots',
					sections: [
						{ title: 'Morning', rows: [{ id: 'm1', title: '08:00', description: 'early' }] },
						{ title: 'Evening', rows: [{ id: 'e1', title: '18:00' }] },
					],
				},
			]),
			'slack',
		);
		assert.deepEqual(list.payloads[0]!.body.blocks, [
			plainSection('Choose a slot'),
			{
				type: 'actions',
				elements: [
					{
						type: 'static_select',
						placeholder: { type: 'plain_text', text: 'Slots', emoji: true },
						action_id: 'list_0',
						option_groups: [
							{ label: { type: 'plain_text', text: 'Morning', emoji: true }, options: [{ text: { type: 'plain_text', text: '08:00', emoji: true }, value: 'm1', description: { type: 'plain_text', text: 'early', emoji: true } }] },
							{ label: { type: 'plain_text', text: 'Evening', emoji: true }, options: [{ text: { type: 'plain_text', text: '18:00', emoji: true }, value: 'e1' }] },
						],
					},
				],
			},
		]);
	});

	it('card → section with fields and image accessory, then its buttons', () => {
		const out = render(
			outbound([{ type: 'card', title: 'Release 2026.05.28', subtitle: 'Requested by Ana Silva', fields: [{ label: 'Service', value: 'payments-api' }], imageUrl: 'https://x.test/logo.png', buttons: [{ id: 'approve', title: 'Approve' }] }]),
			'slack',
		);
		assert.deepEqual(out.payloads[0]!.body.blocks, [
			{
				type: 'section',
				text: { type: 'mrkdwn', text: '*Release 2026.05.28*\nRequested by Ana Silva' },
				fields: [{ type: 'mrkdwn', text: '*Service*\npayments-api' }],
				accessory: { type: 'image', image_url: 'https://x.test/logo.png', alt_text: 'Release 2026.05.28' },
			},
			{ type: 'actions', elements: [button('Approve', { value: 'approve', action_id: 'approve' })] },
		]);
		assert.equal(out.payloads[0]!.body.text, 'Release 2026.05.28 — Requested by Ana Silva');
	});

	it('reactions → reactions.add with the Slack name; unknown emoji and removals are reported', () => {
		const out = render(
			outbound([
				{ type: 'text', text: 'ack' },
				{ type: 'reaction', emoji: '👍', targetMessageId: '1779981300.000200' },
				{ type: 'reaction', emoji: ':party_parrot:', targetMessageId: '1779981300.000200' },
				{ type: 'reaction', emoji: '🦜', targetMessageId: '1779981300.000200' },
				{ type: 'reaction', emoji: '', targetMessageId: '1779981300.000200' },
			]),
			'slack',
		);
		assert.deepEqual(
			out.payloads.map((p) => [p.endpoint, p.body.name ?? p.body.text]),
			[
				['chat.postMessage', 'ack'],
				['reactions.add', '+1'],
				['reactions.add', 'party_parrot'],
			],
		);
		assert.deepEqual(out.payloads[1]!.body, { channel: 'C0CHANNEL01', timestamp: '1779981300.000200', name: '+1' });
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[
				[3, 'reaction', 'dropped'],
				[4, 'reaction', 'dropped'],
			],
		);
		assert.equal(emojiToSlackName('❤'), 'heart');
		assert.equal(emojiToSlackName('thumbsup'), 'thumbsup');
	});

	it('thread: conversation.threadId, else replyTo; options.to and recipients pick the channel', () => {
		const threaded = render(outbound([{ type: 'text', text: 'x' }], { conversation: { id: 'C0CHANNEL01', type: 'channel', threadId: '1779981300.000200' }, replyTo: { messageId: '1779981999.000100' } }), 'slack');
		assert.equal(threaded.payloads[0]!.body.thread_ts, '1779981300.000200');
		const reply = render(outbound([{ type: 'text', text: 'x' }], { replyTo: { messageId: '1779981999.000100' } }), 'slack');
		assert.equal(reply.payloads[0]!.body.thread_ts, '1779981999.000100');
		assert.equal(render(outbound([{ type: 'text', text: 'x' }], { recipients: [{ id: 'U0HUMAN001' }] }), 'slack').payloads[0]!.body.channel, 'U0HUMAN001');
		assert.equal(render(outbound([{ type: 'text', text: 'x' }]), 'slack', { to: 'D0DMCHAN001' }).payloads[0]!.body.channel, 'D0DMCHAN001');
	});

	it('variant webhook: no channel, endpoint incoming-webhook, reactions reported', () => {
		const out = render(outbound([{ type: 'text', text: 'hi' }, { type: 'reaction', emoji: '👍', targetMessageId: '1.2' }]), 'slack', { variant: 'webhook' });
		assert.deepEqual(out.payloads, [{ endpoint: 'incoming-webhook', contentType: 'application/json', body: { text: 'hi', blocks: [plainSection('hi')] } }]);
		assert.equal(out.degradations[0]!.from, 'reaction');
	});

	it('more than 50 blocks split into several messages, each with fallback text', () => {
		const parts = Array.from({ length: 55 }, (_, i) => ({ type: 'text' as const, text: `line ${i}` }));
		const out = render(outbound(parts), 'slack');
		assert.deepEqual(
			out.payloads.map((p) => (p.body.blocks as unknown[]).length),
			[50, 5],
		);
		assert.equal(out.payloads[1]!.body.text, 'line 50\nline 51\nline 52\nline 53\nline 54');
	});

	it('location and contacts degrade to text', () => {
		const out = render(outbound([{ type: 'location', latitude: 52.2, longitude: 21, name: 'Office' }, { type: 'contacts', contacts: [{ name: { formatted: 'Ana' }, phones: [{ phone: '+351911000111' }] }] }]), 'slack');
		assert.deepEqual(out.payloads[0]!.body.blocks, [plainSection('Office\nhttps://maps.google.com/?q=52.2,21'), plainSection('Ana: +351911000111')]);
		assert.deepEqual(
			out.degradations.map((d) => d.from),
			['location', 'contacts'],
		);
	});

	it('declares what Block Kit expresses natively', () => {
		const caps = slackAdapter.renderCapabilities!;
		assert.deepEqual([...caps.parts].sort(), ['buttons', 'card', 'list', 'media', 'reaction', 'text']);
		assert.equal(caps.maxButtons, 25);
		assert.deepEqual([...caps.mediaKinds!], ['image']);
	});
});

describe('slack round trip', () => {
	it('normalize(deliver(render(m))) keeps the text', () => {
		fc.assert(
			fc.property(arbMessage('slack', 'slack', ['text']), (message) => {
				const m = only(roundTrip(message, 'slack', deliverSlack, { normalize: opts }));
				assert.deepEqual(m.sender, { id: SENDER_BOT_USER, name: 'Acme Notifier', handle: 'Acme Notifier', isBot: true });
				assert.equal(m.metadata.botId, SENDER_BOT_ID);
				assert.equal(m.conversation.id, message.recipients[0]!.id);
				assert.deepEqual(m.parts, [{ type: 'text', text: message.parts.map((p) => (p as Extract<Part, { type: 'text' }>).text).join('\n'), format: 'plain' }]);
			}),
			{ numRuns: 200 },
		);
	});

	it('text with &, < and > survives; threads and reactions come back', () => {
		const message = outbound([{ type: 'text', text: 'a < b && c > d' }, { type: 'reaction', emoji: '🎉', targetMessageId: '1779981300.000200' }], { conversation: { id: 'C0CHANNEL01', type: 'channel', threadId: '1779981300.000200' } });
		const [text, reaction] = deliverSlack(render(message, 'slack').payloads).map((r) => normalize(r, opts).messages[0]!);
		assert.deepEqual(text!.parts, [{ type: 'text', text: 'a < b && c > d', format: 'plain' }]);
		assert.equal(text!.conversation.threadId, '1779981300.000200');
		assert.deepEqual(reaction!.parts, [{ type: 'reaction', emoji: '🎉', targetMessageId: '1779981300.000200' }]);
	});
});
