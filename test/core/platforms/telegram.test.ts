import assert from 'node:assert/strict';
import { z } from 'zod/v4';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MalformedBodyError } from '../../../core/errors';
import { normalize } from '../../../core/normalize';
import { telegramAdapter, detectTelegram } from '../../../core/platforms/telegram';
import { compileGuard, generateGuard, passThrough, readVendor, vendorSchema } from '../../../core/platforms/shared/vendor';
import { htmlToTelegram } from '../../../core/platforms/telegram/html';
import { fromDateString } from '../../../core/util/time';
import { escapeMarkdownV2, markdownToTelegramV2 } from '../../../core/platforms/shared/markdown';
import { splitLines } from '../../../core/platforms/shared/text';
import { CALLBACK_DATA_LIMIT, parseMessageRef, truncateBytes } from '../../../core/platforms/telegram/render';
import { render } from '../../../core/render';
import { parseRequest, type InboundRequest } from '../../../core/request';
import { MESSAGE_SCHEMA_ID, type Message, type MessageInput, type Part } from '../../../core/schema/message';
import { arbMessage } from '../../support/arbitraries';
import { fixtureBytes, fixtureJson, fixtureNames, fixtureRequest } from '../../support/fixtures';
import { deliverTelegram, SENDER_BOT } from '../../support/inbound/telegram';
import { assertDetectsExactly, roundTrip, assertFieldCorruptionTyped, expectMismatch as expectMismatchOf, jsonRequest, normalizeFixture, onlyMessage } from '../../support/platform-test-kit';

const NOW = new Date('2026-06-01T08:00:00.000Z');
const opts = { now: () => NOW };

const TELEGRAM_FIXTURES = fixtureNames().filter((f) => f.startsWith('telegram-update-'));

const one = (request: InboundRequest, platform?: string): Message => onlyMessage(request, 'telegram', { ...opts, platform });

function update(extra: Record<string, unknown>, id = 913000200): InboundRequest {
	return jsonRequest({ update_id: id, ...extra });
}

const marta = { id: 582913377, is_bot: false, first_name: 'Marta', last_name: 'Kowalska', username: 'marta_k' };
const privateChat = { id: 582913377, first_name: 'Marta', last_name: 'Kowalska', username: 'marta_k', type: 'private' };
const supergroup = { id: -1001234567890, title: 'Ops Team', type: 'supergroup', is_forum: true };

const expectMismatch = (fn: () => unknown, path: string) => expectMismatchOf(fn, 'telegram', path);

describe('telegram normalize: fixtures', () => {
	it('every update fixture auto-detects, validates, and reads the same from bytes, string and object', () => {
		assert.equal(TELEGRAM_FIXTURES.length, 7);
		for (const name of TELEGRAM_FIXTURES) {
			const fromBytes = normalizeFixture(name, 'telegram', opts);
			assert.equal(fromBytes.messages.length, 1, name);
			assert.deepEqual(fromBytes.messages[0]!.raw, fixtureJson(name), `${name} raw`);
		}
	});

	it('text message with a bot command', () => {
		const m = one(fixtureRequest('telegram-update-message-text.json'));
		assert.equal(m.schema, MESSAGE_SCHEMA_ID);
		assert.equal(m.id, 'telegram:582913377:4101');
		assert.equal(m.providerMessageId, '582913377:4101');
		assert.equal(m.channel, 'telegram');
		assert.equal(m.provider, 'telegram');
		assert.equal(m.direction, 'inbound');
		assert.deepEqual(m.conversation, { id: '582913377', type: 'direct', name: 'Marta Kowalska' });
		assert.deepEqual(m.sender, { id: '582913377', name: 'Marta Kowalska', handle: 'marta_k', isBot: false });
		assert.equal(m.timestamp, '2026-05-28T14:53:21.000Z');
		assert.deepEqual(m.parts, [{ type: 'text', text: '/start ref_spring26', format: 'plain' }]);
		assert.equal(m.replyTo, undefined);
		assert.equal(m.metadata.updateId, 913000101);
		assert.equal(m.metadata.updateType, 'message');
		assert.equal(m.metadata.messageId, 4101);
		assert.equal(m.metadata.chatType, 'private');
		assert.deepEqual(m.metadata.entities, [{ offset: 0, length: 6, type: 'bot_command' }]);
		assert.equal(m.metadata.command, '/start');
		assert.equal(m.metadata.commandArgs, 'ref_spring26');
		assert.equal(m.metadata.edited, undefined);
	});

	it('photo: largest size, file_id, caption, size', () => {
		const m = one(fixtureRequest('telegram-update-message-photo.json'));
		assert.equal(m.providerMessageId, '582913377:4102');
		assert.equal(m.timestamp, '2026-05-28T14:54:20.000Z');
		assert.deepEqual(m.parts, [{ type: 'media', kind: 'image', mediaId: 'AgACAgQAAxkBAAIQBmZ0p-large', caption: 'Broken seal on the package', size: 90321 }]);
		// An empty caption_entities list adds nothing.
		assert.equal(m.metadata.captionEntities, undefined);
	});

	it('document: mime type, filename, size, caption', () => {
		const m = one(fixtureRequest('telegram-update-message-document.json'));
		assert.equal(m.id, 'telegram:582913377:4103');
		assert.equal(m.timestamp, '2026-05-28T14:55:20.000Z');
		assert.deepEqual(m.parts, [
			{
				type: 'media',
				kind: 'document',
				mediaId: 'BQACAgQAAxkBAAIQB2Z0doc',
				mimeType: 'application/pdf',
				filename: 'invoice-2026-05.pdf',
				caption: 'Invoice for May',
				size: 48213,
			},
		]);
	});

	it('location keeps coordinates; accuracy goes to metadata', () => {
		const m = one(fixtureRequest('telegram-update-message-location.json'));
		assert.equal(m.timestamp, '2026-05-28T14:56:20.000Z');
		assert.deepEqual(m.parts, [{ type: 'location', latitude: 52.229676, longitude: 21.012229 }]);
		assert.equal(m.metadata.horizontalAccuracy, 12.5);
	});

	it('contact → contacts part; reply_to_message → replyTo', () => {
		const m = one(fixtureRequest('telegram-update-message-contact.json'));
		assert.equal(m.timestamp, '2026-05-28T14:57:20.000Z');
		assert.deepEqual(m.parts, [
			{
				type: 'contacts',
				contacts: [
					{
						name: { formatted: 'Marta Kowalska', first: 'Marta', last: 'Kowalska' },
						phones: [{ phone: '+48555010203' }],
						emails: [],
						urls: [],
						userId: '582913377',
					},
				],
			},
		]);
		assert.deepEqual(m.replyTo, { messageId: '582913377:4090', senderId: '7012345678' });
	});

	it('sticker → media sticker, emoji and set in metadata', () => {
		const m = one(fixtureRequest('telegram-update-message-sticker.json'));
		assert.deepEqual(m.parts, [{ type: 'media', kind: 'sticker', mediaId: 'CAACAgIAAxkBAAIQCGZ0stk', size: 23040 }]);
		assert.deepEqual(m.metadata.sticker, { emoji: '👍', setName: 'ExampleStickerSet', type: 'regular', isAnimated: false, isVideo: false });
	});

	it('callback query → interactive_reply with the pressed button title, replyTo the keyboard message', () => {
		const m = one(fixtureRequest('telegram-update-callback-query.json'));
		assert.equal(m.id, 'telegram:update:913000110');
		assert.equal(m.providerMessageId, undefined);
		assert.deepEqual(m.parts, [{ type: 'interactive_reply', id: 'slot:confirm:7731', title: 'Confirm', source: 'button' }]);
		assert.deepEqual(m.sender, { id: '582913377', name: 'Marta Kowalska', handle: 'marta_k', isBot: false });
		assert.deepEqual(m.conversation, { id: '582913377', type: 'direct', name: 'Marta Kowalska' });
		assert.deepEqual(m.replyTo, { messageId: '582913377:4120', senderId: '7012345678' });
		// The query has no time of its own: the injected clock.
		assert.equal(m.timestamp, NOW.toISOString());
		assert.equal(m.metadata.callbackQueryId, '2503771928374651234');
		assert.equal(m.metadata.chatInstance, '-4820017766554433221');
		assert.equal(m.metadata.updateType, 'callback_query');
	});

	it('keepRaw: false leaves raw out', () => {
		const result = normalize(fixtureRequest('telegram-update-message-text.json'), { ...opts, keepRaw: false });
		assert.equal('raw' in result.messages[0]!, false);
	});
});

describe('telegram normalize: update and content variants', () => {
	it('edited_message: metadata.edited and the edit time; timestamp stays the send time', () => {
		const m = one(update({ edited_message: { message_id: 50, from: marta, chat: privateChat, date: 1779980000, edit_date: 1779980090, text: 'fixed typo' } }));
		assert.equal(m.id, 'telegram:582913377:50:edit:1779980090');
		assert.equal(m.providerMessageId, '582913377:50');
		assert.equal(m.timestamp, '2026-05-28T14:53:20.000Z');
		assert.equal(m.metadata.edited, true);
		assert.equal(m.metadata.editedAt, '2026-05-28T14:54:50.000Z');
		assert.equal(m.metadata.updateType, 'edited_message');
		assert.deepEqual(m.parts, [{ type: 'text', text: 'fixed typo', format: 'plain' }]);
	});

	it('channel_post: channel conversation, the channel as sender', () => {
		const channel = { id: -1009876543210, title: 'Acme News', username: 'acmenews', type: 'channel' };
		const m = one(update({ channel_post: { message_id: 7, sender_chat: channel, chat: channel, date: 1779980000, text: 'Release out', author_signature: 'Ana' } }));
		assert.deepEqual(m.conversation, { id: '-1009876543210', type: 'channel', name: 'Acme News' });
		assert.deepEqual(m.sender, { id: '-1009876543210', name: 'Acme News', handle: 'acmenews' });
		assert.equal(m.providerMessageId, '-1009876543210:7');
		assert.equal(m.metadata.authorSignature, 'Ana');
		assert.equal(m.metadata.updateType, 'channel_post');
	});

	it('edited_channel_post is marked edited', () => {
		const channel = { id: -1009876543210, title: 'Acme News', type: 'channel' };
		const m = one(update({ edited_channel_post: { message_id: 7, chat: channel, date: 1779980000, edit_date: 1779980100, text: 'Release out!' } }));
		assert.equal(m.metadata.edited, true);
		assert.equal(m.metadata.editedAt, '2026-05-28T14:55:00.000Z');
		// No sender_chat and no from: the chat itself.
		assert.deepEqual(m.sender, { id: '-1009876543210', name: 'Acme News' });
	});

	it('forum topic message: thread conversation; the topic anchor is not a reply', () => {
		const m = one(
			update({
				message: {
					message_id: 120,
					message_thread_id: 77,
					is_topic_message: true,
					from: marta,
					chat: supergroup,
					date: 1779980000,
					text: 'in topic',
					reply_to_message: { message_id: 77, chat: supergroup, date: 1779970000, forum_topic_created: { name: 'Deploys', icon_color: 7322096 } },
				},
			}),
		);
		assert.deepEqual(m.conversation, { id: '-1001234567890', type: 'thread', threadId: '77', name: 'Ops Team' });
		assert.equal(m.replyTo, undefined);
	});

	it('group reply outside topics: group conversation, threadId without thread type, replyTo set', () => {
		const group = { id: -400123, title: 'Family', type: 'group' };
		const m = one(
			update({
				message: {
					message_id: 9,
					message_thread_id: 5,
					from: marta,
					chat: group,
					date: 1779980000,
					text: 'yes',
					reply_to_message: { message_id: 5, from: { id: 42, is_bot: false, first_name: 'Jo' }, chat: group, date: 1779979000, text: 'dinner?' },
				},
			}),
		);
		assert.deepEqual(m.conversation, { id: '-400123', type: 'group', threadId: '5', name: 'Family' });
		assert.deepEqual(m.replyTo, { messageId: '-400123:5', senderId: '42' });
	});

	it('video, voice, audio, animation, video_note', () => {
		const base = { message_id: 1, from: marta, chat: privateChat, date: 1779980000 };
		const video = one(update({ message: { ...base, video: { file_id: 'VID', file_unique_id: 'u', width: 640, height: 480, duration: 3, mime_type: 'video/mp4', file_size: 5000 }, caption: 'clip' } }));
		assert.deepEqual(video.parts, [{ type: 'media', kind: 'video', mediaId: 'VID', mimeType: 'video/mp4', caption: 'clip', size: 5000 }]);
		const voice = one(update({ message: { ...base, voice: { file_id: 'VOI', file_unique_id: 'u', duration: 2, mime_type: 'audio/ogg' } } }));
		assert.deepEqual(voice.parts, [{ type: 'media', kind: 'voice', mediaId: 'VOI', mimeType: 'audio/ogg' }]);
		const audio = one(update({ message: { ...base, audio: { file_id: 'AUD', file_unique_id: 'u', duration: 200, file_name: 'song.mp3', mime_type: 'audio/mpeg' } } }));
		assert.deepEqual(audio.parts, [{ type: 'media', kind: 'audio', mediaId: 'AUD', mimeType: 'audio/mpeg', filename: 'song.mp3' }]);
		const gif = one(
			update({
				message: {
					...base,
					animation: { file_id: 'ANI', file_unique_id: 'u', width: 1, height: 1, duration: 1, mime_type: 'video/mp4' },
					document: { file_id: 'ANI', file_unique_id: 'u', mime_type: 'video/mp4' },
				},
			}),
		);
		assert.deepEqual(gif.parts, [{ type: 'media', kind: 'video', mediaId: 'ANI', mimeType: 'video/mp4' }]);
		assert.equal(gif.metadata.animation, true);
		const note = one(update({ message: { ...base, video_note: { file_id: 'VN', file_unique_id: 'u', length: 240, duration: 5 } } }));
		assert.deepEqual(note.parts, [{ type: 'media', kind: 'video', mediaId: 'VN' }]);
		assert.equal(note.metadata.videoNote, true);
	});

	it('a file_size that is not an exact byte count (past 2^53, negative, fractional) is dropped, not a schema failure', () => {
		const base = { message_id: 1, from: marta, chat: privateChat, date: 1779980000 };
		for (const file_size of [2 ** 53, -1, 1.5]) {
			const doc = one(update({ message: { ...base, document: { file_id: 'DOC', file_unique_id: 'u', file_size } } }));
			assert.deepEqual(doc.parts, [{ type: 'media', kind: 'document', mediaId: 'DOC' }], `file_size ${file_size}`);
		}
	});

	it('venue → location with name and address', () => {
		const m = one(
			update({
				message: {
					message_id: 3,
					from: marta,
					chat: privateChat,
					date: 1779980000,
					location: { latitude: 52.23, longitude: 21.01 },
					venue: { location: { latitude: 52.23, longitude: 21.01 }, title: 'Palace of Culture', address: 'plac Defilad 1', foursquare_id: '4b0' },
				},
			}),
		);
		assert.deepEqual(m.parts, [{ type: 'location', latitude: 52.23, longitude: 21.01, name: 'Palace of Culture', address: 'plac Defilad 1' }]);
		assert.equal(m.metadata.foursquareId, '4b0');
	});

	it('contact with a vCard: extra phones, emails and organisation read from it', () => {
		const vcard = 'BEGIN:VCARD\nVERSION:3.0\nFN:Jan Nowak\nTEL;TYPE=CELL:+48 555 010 204\nTEL;TYPE=WORK:+48225550000\nEMAIL;TYPE=INTERNET:jan@example.com\nORG:Acme;Logistics\nEND:VCARD';
		const m = one(update({ message: { message_id: 4, from: marta, chat: privateChat, date: 1779980000, contact: { phone_number: '+48555010204', first_name: 'Jan', last_name: 'Nowak', vcard } } }));
		assert.deepEqual(m.parts, [
			{
				type: 'contacts',
				contacts: [
					{
						name: { formatted: 'Jan Nowak', first: 'Jan', last: 'Nowak' },
						phones: [{ phone: '+48555010204' }, { phone: '+48225550000', type: 'work' }],
						emails: [{ email: 'jan@example.com', type: 'internet' }],
						urls: [],
						organization: 'Acme, Logistics',
						vcard,
					},
				],
			},
		]);
	});

	it('album items keep media_group_id; forwarded messages keep forward_origin', () => {
		const origin = { type: 'user', sender_user: { id: 1, is_bot: false, first_name: 'X' }, date: 1779900000 };
		const m = one(
			update({
				message: { message_id: 5, from: marta, chat: privateChat, date: 1779980000, media_group_id: '1357', photo: [{ file_id: 'P1', file_unique_id: 'p', width: 1, height: 1 }], forward_origin: origin },
			}),
		);
		assert.equal(m.metadata.mediaGroupId, '1357');
		assert.deepEqual(m.metadata.forwardOrigin, origin);
		assert.deepEqual(m.parts, [{ type: 'media', kind: 'image', mediaId: 'P1' }]);
	});

	it('service messages → system parts', () => {
		const added = one(update({ message: { message_id: 6, from: marta, chat: supergroup, date: 1779980000, new_chat_members: [{ id: 99, is_bot: false, first_name: 'Neo' }] } }));
		assert.deepEqual(added.parts, [{ type: 'system', event: 'member_added', data: { new_chat_members: [{ id: 99, is_bot: false, first_name: 'Neo' }] } }]);
		const title = one(update({ message: { message_id: 7, from: marta, chat: supergroup, date: 1779980000, new_chat_title: 'Ops 2' } }));
		assert.deepEqual(title.parts, [{ type: 'system', event: 'title_changed', text: 'Ops 2', data: { new_chat_title: 'Ops 2' } }]);
	});

	it('unmapped content (poll, dice) → unsupported part holding it', () => {
		const poll = { id: 'p1', question: 'Lunch?', options: [{ text: 'Yes', voter_count: 0 }], total_voter_count: 0, is_closed: false, is_anonymous: true, type: 'regular', allows_multiple_answers: false };
		const m = one(update({ message: { message_id: 8, from: marta, chat: privateChat, date: 1779980000, poll } }));
		assert.deepEqual(m.parts, [{ type: 'unsupported', platformType: 'poll', reason: 'Telegram poll content is not mapped', original: poll }]);
		const dice = one(update({ message: { message_id: 9, from: marta, chat: privateChat, date: 1779980000, dice: { emoji: '🎲', value: 4 } } }));
		assert.equal(dice.parts[0]!.type, 'unsupported');
		assert.equal((dice.parts[0] as Extract<Part, { type: 'unsupported' }>).platformType, 'dice');
	});

	it('message_reaction → reaction parts; empty new_reaction = removed; custom emoji unsupported', () => {
		const base = { chat: supergroup, message_id: 4120, user: marta, date: 1779980500, old_reaction: [] };
		const added = one(update({ message_reaction: { ...base, new_reaction: [{ type: 'emoji', emoji: '👍' }, { type: 'emoji', emoji: '🔥' }] } }, 913000301));
		assert.equal(added.id, 'telegram:update:913000301');
		assert.deepEqual(added.parts, [
			{ type: 'reaction', emoji: '👍', targetMessageId: '-1001234567890:4120' },
			{ type: 'reaction', emoji: '🔥', targetMessageId: '-1001234567890:4120' },
		]);
		assert.equal(added.timestamp, '2026-05-28T15:01:40.000Z');
		assert.deepEqual(added.sender, { id: '582913377', name: 'Marta Kowalska', handle: 'marta_k', isBot: false });
		assert.deepEqual(added.conversation, { id: '-1001234567890', type: 'group', name: 'Ops Team' });

		const removed = one(update({ message_reaction: { ...base, old_reaction: [{ type: 'emoji', emoji: '👍' }], new_reaction: [] } }));
		assert.deepEqual(removed.parts, [{ type: 'reaction', emoji: '', targetMessageId: '-1001234567890:4120' }]);
		assert.deepEqual(removed.metadata.oldReaction, [{ type: 'emoji', emoji: '👍' }]);

		const custom = one(update({ message_reaction: { ...base, actor_chat: supergroup, user: undefined, new_reaction: [{ type: 'custom_emoji', custom_emoji_id: '5368' }] } }));
		assert.deepEqual(custom.parts, [{ type: 'unsupported', platformType: 'reaction.custom_emoji', reason: 'only emoji reactions map to a reaction part', original: { type: 'custom_emoji', custom_emoji_id: '5368' } }]);
		assert.deepEqual(custom.sender, { id: '-1001234567890', name: 'Ops Team' });
	});

	it('message_reaction_count and inline_query → unsupported parts, never empty', () => {
		const count = { chat: supergroup, message_id: 4120, date: 1779980600, reactions: [{ type: { type: 'emoji', emoji: '👍' }, total_count: 3 }] };
		const m = one(update({ message_reaction_count: count }, 913000401));
		assert.deepEqual(m.parts, [{ type: 'unsupported', platformType: 'message_reaction_count', reason: 'Telegram message_reaction_count updates are not mapped', original: count }]);
		assert.deepEqual(m.conversation, { id: '-1001234567890', type: 'group', name: 'Ops Team' });
		assert.equal(m.timestamp, '2026-05-28T15:03:20.000Z');

		const query = { id: 'iq1', from: marta, query: 'pizza', offset: '' };
		const q = one(update({ inline_query: query }, 913000402));
		assert.deepEqual(q.parts, [{ type: 'unsupported', platformType: 'inline_query', reason: 'Telegram inline_query updates are not mapped', original: query }]);
		assert.deepEqual(q.conversation, { id: '582913377', type: 'direct' });
		assert.deepEqual(q.sender, { id: '582913377', name: 'Marta Kowalska', handle: 'marta_k', isBot: false });
		assert.equal(q.timestamp, NOW.toISOString());
		assert.equal(q.id, 'telegram:update:913000402');
	});

	it('my_chat_member: the bot added to / removed from a group → system parts', () => {
		const bot = { id: 7012345678, is_bot: true, first_name: 'Acme Notifier' };
		const add = one(
			update({ my_chat_member: { chat: supergroup, from: marta, date: 1779980000, old_chat_member: { status: 'left', user: bot }, new_chat_member: { status: 'member', user: bot } } }),
		);
		assert.deepEqual(add.parts, [{ type: 'system', event: 'bot_added', data: { user: bot, oldStatus: 'left', newStatus: 'member' } }]);
		const kick = one(
			update({ my_chat_member: { chat: supergroup, from: marta, date: 1779980000, old_chat_member: { status: 'administrator', user: bot }, new_chat_member: { status: 'kicked', user: bot, until_date: 0 } } }),
		);
		assert.equal((kick.parts[0] as Extract<Part, { type: 'system' }>).event, 'bot_removed');
	});

	it('batches: an array of Updates and a getUpdates response come out all, in order', () => {
		const a = fixtureJson<Record<string, unknown>>('telegram-update-message-text.json');
		const b = fixtureJson<Record<string, unknown>>('telegram-update-message-photo.json');
		const c = fixtureJson<Record<string, unknown>>('telegram-update-callback-query.json');
		const fromArray = normalize(jsonRequest([a, b, c]), opts);
		assert.equal(fromArray.platform, 'telegram');
		assert.deepEqual(
			fromArray.messages.map((m) => m.id),
			['telegram:582913377:4101', 'telegram:582913377:4102', 'telegram:update:913000110'],
		);
		const fromResponse = normalize(jsonRequest({ ok: true, result: [b, a] }), opts);
		assert.deepEqual(
			fromResponse.messages.map((m) => m.metadata.updateId),
			[913000102, 913000101],
		);
		assert.deepEqual(normalize(jsonRequest({ ok: true, result: [] }), { ...opts, platform: 'telegram' }).messages, []);
	});

	it('unknown extra fields are accepted everywhere', () => {
		const body = fixtureJson<Record<string, Record<string, unknown>>>('telegram-update-message-text.json');
		const extended = {
			...body,
			future_field: { x: 1 },
			message: { ...body.message, brand_new: true, chat: { ...(body.message!.chat as object), more: [1, 2] }, from: { ...(body.message!.from as object), is_premium: true } },
		};
		const m = one(jsonRequest(extended));
		assert.deepEqual(m.parts, [{ type: 'text', text: '/start ref_spring26', format: 'plain' }]);
		assert.equal(m.id, 'telegram:582913377:4101');
	});
});

describe('telegram normalize: errors', () => {
	it('truncated bytes → MalformedBodyError', () => {
		const bytes = fixtureBytes('telegram-update-message-text.json');
		for (const cut of [1, 20, Math.floor(bytes.length / 2), bytes.length - 3]) {
			assert.throws(() => normalize({ body: bytes.subarray(0, cut), headers: { 'content-type': 'application/json' } }), MalformedBodyError);
		}
	});

	it('empty and non-JSON bodies → MalformedBodyError when telegram is named', () => {
		assert.throws(() => normalize({ body: '', headers: {} }, { platform: 'telegram' }), MalformedBodyError);
		assert.throws(() => normalize({ body: 'hello world', headers: { 'content-type': 'text/plain' } }, { platform: 'telegram' }), MalformedBodyError);
	});

	it('shape mismatches name the JSON path', () => {
		const named = (body: unknown) => () => normalize(jsonRequest(body), { platform: 'telegram' });
		expectMismatch(named({ update_id: 'x', message: {} }), 'update_id');
		expectMismatch(named({ update_id: 1 }), '');
		expectMismatch(named({ update_id: 1, message: { message_id: 1, date: 1 } }), 'message.chat');
		expectMismatch(named({ update_id: 1, message: { message_id: 1, date: 1, chat: { id: 1 } } }), 'message.chat.type');
		expectMismatch(named({ update_id: 1, message: { message_id: 1.5, date: 1, chat: privateChat } }), 'message.message_id');
		expectMismatch(named({ update_id: 1, message: { message_id: 1, date: 1, chat: privateChat, photo: [{ file_id: 'a' }, { file_id: 3 }] } }), 'message.photo[1].file_id');
		expectMismatch(named({ update_id: 1, edited_message: { message_id: 1, date: 'yesterday', chat: privateChat } }), 'edited_message.date');
		expectMismatch(named({ update_id: 1, callback_query: { id: 'q', from: { id: 'me' } } }), 'callback_query.from.id');
		expectMismatch(named({ update_id: 1, message_reaction: { chat: privateChat, message_id: 1, date: 1, old_reaction: [], new_reaction: [{ emoji: 'x' }] } }), 'message_reaction.new_reaction[0].type');
		expectMismatch(named([fixtureJson('telegram-update-message-text.json'), { update_id: 2, message: { message_id: 2, date: 1 } }]), '[1].message.chat');
		expectMismatch(named({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }), 'ok');
		expectMismatch(named('"just a string"'), '');
		expectMismatch(named(42), '');
	});

	it('random corruption of every fixture yields a message or a typed error, never a TypeError', () => {
		assertFieldCorruptionTyped({
			bodies: TELEGRAM_FIXTURES.map((f) => fixtureJson<Record<string, unknown>>(f)),
			junk: fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }), fc.constant({})),
			run: (body) => normalize(jsonRequest(body), { ...opts, platform: 'telegram' }),
			numRuns: 500,
		});
	});
});

describe('telegram detect', () => {
	it('claims exactly the Telegram update fixtures', () => {
		assertDetectsExactly(detectTelegram, (name) => name.startsWith('telegram-update-'));
	});

	it('does not claim a send-method response; explains why', () => {
		const detection = detectTelegram(parseRequest(fixtureRequest('telegram-response-sendmessage-ok.json')));
		assert.deepEqual(detection, { match: false, reason: 'no Update with an integer update_id' });
	});
});

// ---------------------------------------------------------------------------------------------------
// Render

function outbound(parts: MessageInput['parts'], extra: Partial<MessageInput> = {}): MessageInput {
	return {
		schema: MESSAGE_SCHEMA_ID,
		id: 'out-1',
		channel: 'telegram',
		provider: 'telegram',
		direction: 'outbound',
		conversation: { id: '582913377', type: 'direct' },
		timestamp: '2026-05-28T14:31:02.000Z',
		parts,
		...extra,
	};
}

/**
 * A checker for Telegram's MarkdownV2 rules (core.telegram.org/bots/api#markdownv2-style): every
 * special character outside code/URLs is escaped or a balanced entity marker; inside code only ` and
 * \ may appear escaped; inside (url) only ) and \.
 */
function checkMarkdownV2(text: string): string | undefined {
	const stack: string[] = [];
	let lineStart = true;
	for (let i = 0; i < text.length; ) {
		const c = text[i]!;
		const top = stack[stack.length - 1];
		if (c === '\\') {
			if (i + 1 >= text.length) return `trailing backslash at ${i}`;
			i += 2;
			lineStart = false;
			continue;
		}
		if (top === '```') {
			if (text.startsWith('```', i)) {
				stack.pop();
				i += 3;
			} else if (c === '`') return `unescaped backtick in pre at ${i}`;
			else i += 1;
			continue;
		}
		if (top === '`') {
			if (c === '`') stack.pop();
			else if (c === '\n') return `newline in inline code at ${i}`;
			i += 1;
			continue;
		}
		if (c === '\n') {
			lineStart = true;
			i += 1;
			continue;
		}
		if (text.startsWith('```', i)) {
			stack.push('```');
			i += 3;
			continue;
		}
		const toggle = (marker: string, width: number) => {
			if (stack.includes(marker)) {
				if (stack[stack.length - 1] !== marker) return `misnested ${marker} at ${i}`;
				stack.pop();
			} else stack.push(marker);
			i += width;
			return undefined;
		};
		let problem: string | undefined;
		switch (c) {
			case '`':
				stack.push('`');
				i += 1;
				break;
			case '*':
				problem = toggle('*', 1);
				break;
			case '_':
				problem = text[i + 1] === '_' ? toggle('__', 2) : toggle('_', 1);
				break;
			case '~':
				problem = toggle('~', 1);
				break;
			case '|':
				if (text[i + 1] !== '|') return `unescaped | at ${i}`;
				problem = toggle('||', 2);
				break;
			case '[':
				stack.push('[');
				i += 1;
				break;
			case ']': {
				if (top !== '[') return `unmatched ] at ${i}`;
				stack.pop();
				if (text[i + 1] !== '(') return `link without (url) at ${i}`;
				let j = i + 2;
				for (; j < text.length && text[j] !== ')'; j += 1) if (text[j] === '\\') j += 1;
				if (j >= text.length) return `unclosed url at ${i}`;
				i = j + 1;
				break;
			}
			case '>':
				if (!lineStart) return `unescaped > inside a line at ${i}`;
				i += 1;
				break;
			default:
				if ('()#+-={}.!'.includes(c)) return `unescaped ${c} at ${i}`;
				i += 1;
		}
		if (problem) return problem;
		lineStart = false;
	}
	return stack.length ? `unclosed ${stack.join(' ')}` : undefined;
}

const ALLOWED_HTML = /^<(\/)?(b|strong|i|em|u|ins|s|strike|del|code|pre|blockquote|tg-spoiler|tg-emoji|a)(\s+(href="[^"<>]*"|class="language-[\w+#.-]+"|expandable|emoji-id="\d+"))?>/;

/** A checker for Telegram's HTML rules: known tags only, balanced, no bare < > &, only its entities. */
function checkTelegramHtml(html: string): string | undefined {
	const stack: string[] = [];
	for (let i = 0; i < html.length; ) {
		const c = html[i]!;
		if (c === '<') {
			const m = ALLOWED_HTML.exec(html.slice(i));
			if (!m) return `bad tag at ${i}: ${html.slice(i, i + 20)}`;
			if (m[1]) {
				if (stack.pop() !== m[2]) return `misnested </${m[2]}> at ${i}`;
			} else stack.push(m[2]!);
			i += m[0].length;
			continue;
		}
		if (c === '>') return `bare > at ${i}`;
		if (c === '&') {
			const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(html.slice(i));
			if (!m) return `bad entity at ${i}`;
			i += m[0].length;
			continue;
		}
		i += 1;
	}
	return stack.length ? `unclosed ${stack.join(' ')}` : undefined;
}

describe('telegram render: text formatting', () => {
	it('plain text: sendMessage with chat_id as a number and no parse_mode', () => {
		const out = render(outbound([{ type: 'text', text: 'Your order 48213 has shipped.' }]), 'telegram');
		assert.deepEqual(out.payloads, [{ endpoint: 'sendMessage', contentType: 'application/json', body: { chat_id: 582913377, text: 'Your order 48213 has shipped.' } }]);
		assert.deepEqual(out.degradations, []);
	});

	it('markdown → MarkdownV2 with escaping', () => {
		const cases: Array<[string, string]> = [
			['**Order 48213** is _on its way_.', '*Order 48213* is _on its way_\\.'],
			['Price: 1.5 (approx) - 20% off! #deal', 'Price: 1\\.5 \\(approx\\) \\- 20% off\\! \\#deal'],
			['[Track it](https://t.example/a_(b)?x=1)', '[Track it](https://t.example/a_(b\\)?x=1)'],
			['use `a_b*c` and ~~old~~', 'use `a_b*c` and ~old~'],
			['snake_case_name stays', 'snake\\_case\\_name stays'],
			['**bold with _italic_ inside**', '*bold with _italic_ inside*'],
			['# Title\n- one\n- two\n1. first', '*Title*\n• one\n• two\n1\\. first'],
			['> quoted text.', '>quoted text\\.'],
			['```js\nconst a = `x` \\ 1;\n```', '```js\nconst a = \\`x\\` \\\\ 1;\n```'],
			['unclosed **bold and [link', 'unclosed \\*\\*bold and \\[link'],
			['back\\slash and \\*escaped\\*', 'back\\\\slash and \\*escaped\\*'],
			['*a*_b_', '_a_\r_b_'],
		];
		for (const [source, expected] of cases) {
			const out = render(outbound([{ type: 'text', text: source, format: 'markdown' }]), 'telegram');
			assert.deepEqual(out.payloads[0]!.body, { chat_id: 582913377, text: expected, parse_mode: 'MarkdownV2' }, source);
			assert.equal(checkMarkdownV2(expected), undefined, source);
		}
	});

	it('any markdown-ish input gives MarkdownV2 Telegram can parse', () => {
		const alphabet = fc.constantFrom(...'ab 1*_~`[]()#+-=|{}.!>\\\n:/'.split(''), '**', '__', '~~', '```', '](', 'http://x.y/');
		fc.assert(
			fc.property(fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')), (source) => {
				const converted = markdownToTelegramV2(source);
				assert.equal(checkMarkdownV2(converted), undefined, `${JSON.stringify(source)} → ${JSON.stringify(converted)}`);
			}),
			{ numRuns: 2000 },
		);
	});

	it('escapeMarkdownV2 escapes exactly the reserved characters', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 30 }), (s) => {
				const escaped = escapeMarkdownV2(s);
				assert.equal(escaped.replace(/\\(.)/gs, '$1'), s);
				assert.equal(checkMarkdownV2(escaped.replace(/\n/g, ' ')), undefined);
			}),
		);
	});

	it('html → the tags Telegram allows, escaped and balanced', () => {
		const cases: Array<[string, string]> = [
			['<b>Bold</b> & <i>italic</i> 1 < 2', '<b>Bold</b> &amp; <i>italic</i> 1 &lt; 2'],
			['<strong>x</strong><em>y</em><del>z</del><ins>w</ins>', '<b>x</b><i>y</i><s>z</s><u>w</u>'],
			['<p>one</p><p>two<br>three</p>', 'one\n\ntwo\nthree'],
			['<b>unclosed <i>nest</b> tail</i>', '<b>unclosed <i>nest</i></b> tail'],
			['<a href="https://x.test/?a=1&amp;b=2" target="_blank">link</a>', '<a href="https://x.test/?a=1&amp;b=2">link</a>'],
			['<a href="javascript:alert(1)">bad</a>', 'bad'],
			['<script>alert(1)</script>ok', 'ok'],
			['<div class="x">text</div><span style="c">s</span>', 'text\ns'],
			['<ul><li>a</li><li>b</li></ul>', '• a\n• b'],
			['<h1>Title</h1>body', '<b>Title</b>\nbody'],
			['<pre><code class="language-py">print(1 < 2)</code></pre>', '<pre><code class="language-py">print(1 &lt; 2)</code></pre>'],
			['<code>a <b>b</b></code>', '<code>a b</code>'],
			['&nbsp;&copy;&unknown;&#65;&#x42;&lt;', '\u00a0©&amp;unknown;AB&lt;'],
			['<tg-spoiler>secret</tg-spoiler>', '<tg-spoiler>secret</tg-spoiler>'],
		];
		for (const [source, expected] of cases) {
			const out = render(outbound([{ type: 'text', text: source, format: 'html' }]), 'telegram');
			assert.deepEqual(out.payloads[0]!.body, { chat_id: 582913377, text: expected, parse_mode: 'HTML' }, source);
			assert.equal(checkTelegramHtml(expected), undefined, source);
		}
	});

	it('any html-ish input gives HTML Telegram can parse', () => {
		const alphabet = fc.constantFrom('<b>', '</b>', '<i>', '</i>', '<a href="http://x/?a=1&b">', '</a>', '<code>', '</code>', '<pre>', '</pre>', '<p>', '</p>', '<br/>', '<x-y>', '<', '>', '&', '&amp;', '&bogus;', 'text', ' ', '"', "'", '<!-- c -->', '<span class="tg-spoiler">', '</span>', '<blockquote expandable>', '</blockquote>');
		fc.assert(
			fc.property(fc.array(alphabet, { maxLength: 25 }).map((a) => a.join('')), (source) => {
				const converted = htmlToTelegram(source);
				assert.equal(checkTelegramHtml(converted), undefined, `${JSON.stringify(source)} → ${JSON.stringify(converted)}`);
			}),
			{ numRuns: 2000 },
		);
	});

	it('text over 4096 characters is split at line ends', () => {
		const line = 'x'.repeat(3000);
		const out = render(outbound([{ type: 'text', text: `${line}\n${line}\n${line}` }]), 'telegram');
		assert.deepEqual(
			out.payloads.map((p) => (p.body.text as string).length),
			[3000, 3000, 3000],
		);
		assert.deepEqual(splitLines('y'.repeat(5000), 4096).map((s) => s.length), [4096, 904]);
		// Never splits an emoji.
		const emoji = splitLines(`${'a'.repeat(4095)}👍b`, 4096);
		assert.deepEqual(emoji, ['a'.repeat(4095), '👍b']);
	});

	it('empty text is reported, not sent', () => {
		const out = render(outbound([{ type: 'text', text: '   ' }, { type: 'text', text: 'ok' }]), 'telegram');
		assert.equal(out.payloads.length, 1);
		assert.deepEqual(out.degradations, [{ partIndex: 0, from: 'text', to: 'dropped', reason: 'Telegram cannot send an empty message' }]);
	});
});

describe('telegram render: content', () => {
	it('each media kind by URL or file_id, with caption', () => {
		const cases: Array<[Part, string, string]> = [
			[{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg', caption: 'Look' }, 'sendPhoto', 'photo'],
			[{ type: 'media', kind: 'video', mediaId: 'BAACAgQ', caption: 'Clip' }, 'sendVideo', 'video'],
			[{ type: 'media', kind: 'audio', url: 'https://cdn.example.test/a.mp3', caption: 'Song' }, 'sendAudio', 'audio'],
			[{ type: 'media', kind: 'voice', mediaId: 'AwACAgQ' }, 'sendVoice', 'voice'],
			[{ type: 'media', kind: 'document', url: 'https://cdn.example.test/i.pdf', filename: 'i.pdf', caption: 'Invoice' }, 'sendDocument', 'document'],
			[{ type: 'media', kind: 'sticker', mediaId: 'CAACAgI' }, 'sendSticker', 'sticker'],
		];
		for (const [part, method, field] of cases) {
			const out = render(outbound([part]), 'telegram');
			const media = part as Extract<Part, { type: 'media' }>;
			const expected: Record<string, unknown> = { chat_id: 582913377, [field]: media.url ?? media.mediaId };
			if (media.caption) expected.caption = media.caption;
			assert.deepEqual(out.payloads, [{ endpoint: method, contentType: 'application/json', body: expected }], method);
			assert.deepEqual(out.degradations, []);
		}
	});

	it('a caption over 1024 characters and a sticker caption follow as a message (reported)', () => {
		const long = 'c'.repeat(1100);
		const out = render(outbound([{ type: 'media', kind: 'image', url: 'https://x.test/a.jpg', caption: long }, { type: 'media', kind: 'sticker', mediaId: 'STK', caption: 'hi' }]), 'telegram');
		assert.deepEqual(
			out.payloads.map((p) => [p.endpoint, p.body.caption, p.body.text]),
			[
				['sendPhoto', undefined, undefined],
				['sendMessage', undefined, long],
				['sendSticker', undefined, undefined],
				['sendMessage', undefined, 'hi'],
			],
		);
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[
				[0, 'media', 'text'],
				[1, 'media', 'text'],
			],
		);
	});

	it('2–10 consecutive photos/videos → one sendMediaGroup; an 11th starts a new call', () => {
		const photos: Part[] = Array.from({ length: 11 }, (_, i) => ({ type: 'media', kind: i % 2 ? 'video' : 'image', url: `https://x.test/${i}`, ...(i === 0 ? { caption: 'album' } : {}) }) as Part);
		const out = render(outbound(photos), 'telegram');
		assert.equal(out.payloads.length, 2);
		assert.equal(out.payloads[0]!.endpoint, 'sendMediaGroup');
		const media = out.payloads[0]!.body.media as Array<Record<string, unknown>>;
		assert.equal(media.length, 10);
		assert.deepEqual(media[0], { type: 'photo', media: 'https://x.test/0', caption: 'album' });
		assert.deepEqual(media[1], { type: 'video', media: 'https://x.test/1' });
		assert.deepEqual(out.payloads[1], { endpoint: 'sendPhoto', contentType: 'application/json', body: { chat_id: 582913377, photo: 'https://x.test/10' } });
	});

	it('location → sendLocation; with name and address → sendVenue; name alone is reported', () => {
		const out = render(
			outbound([
				{ type: 'location', latitude: 52.2297, longitude: 21.0122 },
				{ type: 'location', latitude: 52.2297, longitude: 21.0122, name: 'Office', address: 'Marszałkowska 1' },
				{ type: 'location', latitude: 1, longitude: 2, name: 'Somewhere' },
			]),
			'telegram',
		);
		assert.deepEqual(
			out.payloads.map((p) => [p.endpoint, p.body]),
			[
				['sendLocation', { chat_id: 582913377, latitude: 52.2297, longitude: 21.0122 }],
				['sendVenue', { chat_id: 582913377, latitude: 52.2297, longitude: 21.0122, title: 'Office', address: 'Marszałkowska 1' }],
				['sendLocation', { chat_id: 582913377, latitude: 1, longitude: 2 }],
			],
		);
		assert.deepEqual(out.degradations, [{ partIndex: 2, from: 'location', to: 'location', reason: 'Telegram venues need both a name and an address; the label was left out' }]);
	});

	it('contacts → one sendContact each; more details go in a vCard; no phone → text', () => {
		const out = render(
			outbound([
				{
					type: 'contacts',
					contacts: [
						{ name: { formatted: 'Ana Silva', first: 'Ana', last: 'Silva' }, phones: [{ phone: '+351911000111' }] },
						{ name: { formatted: 'Jan Nowak' }, phones: [{ phone: '+48555010204' }, { phone: '+48225550000', type: 'work' }], emails: [{ email: 'jan@example.com' }], organization: 'Acme' },
						{ name: { formatted: 'No Phone' }, emails: [{ email: 'np@example.com' }] },
					],
				},
			]),
			'telegram',
		);
		assert.deepEqual(out.payloads[0]!.body, { chat_id: 582913377, phone_number: '+351911000111', first_name: 'Ana', last_name: 'Silva' });
		assert.deepEqual(out.payloads[1]!.body, {
			chat_id: 582913377,
			phone_number: '+48555010204',
			first_name: 'Jan Nowak',
			vcard: 'BEGIN:VCARD\nVERSION:3.0\nN:;Jan Nowak;;;\nFN:Jan Nowak\nTEL:+48555010204\nTEL;TYPE=WORK:+48225550000\nEMAIL:jan@example.com\nORG:Acme\nEND:VCARD',
		});
		assert.deepEqual(out.payloads[2], { endpoint: 'sendMessage', contentType: 'application/json', body: { chat_id: 582913377, text: 'No Phone: np@example.com' } });
		assert.deepEqual(out.degradations, [{ partIndex: 0, from: 'contacts', to: 'text', reason: 'Telegram contacts need a phone number' }]);
	});

	it('buttons → inline keyboard; url buttons; text-less buttons ride on the previous message', () => {
		const out = render(
			outbound([
				{ type: 'buttons', text: 'Confirm delivery slot 14:00-16:00?', buttons: [{ id: 'slot:confirm:7731', title: 'Confirm' }, { title: 'Help', action: 'url', url: 'https://help.example.test' }] },
				{ type: 'media', kind: 'image', url: 'https://x.test/map.png' },
				{ type: 'buttons', buttons: [{ id: 'zoom', title: 'Zoom' }] },
			]),
			'telegram',
		);
		assert.deepEqual(out.payloads[0]!.body, {
			chat_id: 582913377,
			text: 'Confirm delivery slot 14:00-16:00?',
			reply_markup: { inline_keyboard: [[{ text: 'Confirm', callback_data: 'slot:confirm:7731' }], [{ text: 'Help', url: 'https://help.example.test' }]] },
		});
		assert.deepEqual(out.payloads[1]!.body, { chat_id: 582913377, photo: 'https://x.test/map.png', reply_markup: { inline_keyboard: [[{ text: 'Zoom', callback_data: 'zoom' }]] } });
		assert.equal(out.payloads.length, 2);
		assert.deepEqual(out.degradations, []);
	});

	it('callback_data over 64 bytes is cut and reported; a keyboard with nothing to ride on gets "Choose:"', () => {
		const id = `order:${'é'.repeat(40)}`;
		const out = render(outbound([{ type: 'buttons', buttons: [{ id, title: 'Pay' }] }]), 'telegram');
		const button = ((out.payloads[0]!.body.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> }).inline_keyboard[0]![0]!);
		assert.ok(Buffer.byteLength(button.callback_data) <= CALLBACK_DATA_LIMIT);
		assert.equal(button.callback_data, truncateBytes(id, 64));
		assert.equal(button.callback_data, `order:${'é'.repeat(29)}`);
		assert.equal(out.payloads[0]!.body.text, 'Choose:');
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[
				[0, 'buttons', 'buttons'],
				[0, 'buttons', 'buttons'],
			],
		);
		assert.match(out.degradations[0]!.reason, /cut to 64 bytes/);
	});

	it('call buttons and too many buttons degrade; lists become keyboards', () => {
		const call = render(outbound([{ type: 'buttons', text: 'Reach us', buttons: [{ title: 'Call', action: 'call', phone: '+48225550000' }] }]), 'telegram');
		assert.deepEqual(call.payloads[0]!.body, { chat_id: 582913377, text: 'Reach us\n1. Call (+48225550000)' });
		assert.equal(call.degradations[0]!.from, 'buttons');
		assert.equal(call.degradations[0]!.to, 'text');

		const list = render(outbound([{ type: 'list', text: 'Pick a slot', sections: [{ rows: [{ id: 'a', title: 'Morning' }, { id: 'b', title: 'Evening' }] }] }]), 'telegram');
		assert.deepEqual(list.payloads[0]!.body, {
			chat_id: 582913377,
			text: 'Pick a slot',
			reply_markup: { inline_keyboard: [[{ text: 'Morning', callback_data: 'a' }], [{ text: 'Evening', callback_data: 'b' }]] },
		});
		assert.deepEqual(list.degradations, [{ partIndex: 0, from: 'list', to: 'buttons', reason: 'platform has no lists (or too many rows)' }]);
	});

	it('reactions → setMessageReaction; removal; emoji Telegram refuses is reported', () => {
		const out = render(
			outbound([
				{ type: 'reaction', emoji: '❤️', targetMessageId: '582913377:4101' },
				{ type: 'reaction', emoji: '', targetMessageId: '4101' },
				{ type: 'reaction', emoji: '🦜', targetMessageId: '4101' },
				{ type: 'reaction', emoji: '👍', targetMessageId: 'wamid.xyz' },
			]),
			'telegram',
		);
		assert.deepEqual(out.payloads, [
			{ endpoint: 'setMessageReaction', contentType: 'application/json', body: { chat_id: 582913377, message_id: 4101, reaction: [{ type: 'emoji', emoji: '❤' }] } },
			{ endpoint: 'setMessageReaction', contentType: 'application/json', body: { chat_id: 582913377, message_id: 4101, reaction: [] } },
		]);
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[
				[2, 'reaction', 'dropped'],
				[3, 'reaction', 'dropped'],
			],
		);
	});

	it('replyTo → reply_parameters on the first call only; another chat adds chat_id; threadId → message_thread_id', () => {
		const out = render(
			outbound([{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }], {
				conversation: { id: '-1001234567890', type: 'thread', threadId: '77' },
				replyTo: { messageId: '-1009999:12' },
			}),
			'telegram',
		);
		assert.deepEqual(out.payloads[0]!.body, {
			chat_id: -1001234567890,
			message_thread_id: 77,
			text: 'one',
			reply_parameters: { message_id: 12, chat_id: -1009999, allow_sending_without_reply: true },
		});
		assert.deepEqual(out.payloads[1]!.body, { chat_id: -1001234567890, message_thread_id: 77, text: 'two' });

		const bad = render(outbound([{ type: 'text', text: 'x' }], { replyTo: { messageId: 'not-an-id' } }), 'telegram');
		assert.deepEqual(bad.payloads[0]!.body, { chat_id: 582913377, text: 'x' });
		assert.equal(bad.degradations[0]!.from, 'replyTo');
		assert.deepEqual(parseMessageRef('@channel:5'), { chat: '@channel', messageId: 5 });
	});

	it('recipient: options.to, then recipients[0], then the conversation; @usernames stay strings', () => {
		const message = outbound([{ type: 'text', text: 'hi' }], { recipients: [{ id: '111' }] });
		assert.equal(render(message, 'telegram').payloads[0]!.body.chat_id, 111);
		assert.equal(render(message, 'telegram', { to: '@acmenews' }).payloads[0]!.body.chat_id, '@acmenews');
		assert.equal(render(outbound([{ type: 'text', text: 'hi' }]), 'telegram').payloads[0]!.body.chat_id, 582913377);
	});

	it('kinds Telegram lacks degrade through the core chain (card, template, interactive_reply)', () => {
		const out = render(
			outbound([
				{ type: 'card', title: 'Release', text: 'Approve?', imageUrl: 'https://x.test/c.png', buttons: [{ id: 'ok', title: 'OK' }] },
				{ type: 'template', name: 'order_update' },
			]),
			'telegram',
		);
		assert.deepEqual(
			out.payloads.map((p) => p.endpoint),
			['sendPhoto', 'sendMessage'],
		);
		assert.deepEqual(out.payloads[1]!.body, { chat_id: 582913377, text: 'Release\nApprove?', reply_markup: { inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]] } });
		assert.deepEqual(
			out.degradations.map((d) => [d.partIndex, d.from, d.to]),
			[
				[0, 'card', 'text'],
				[1, 'template', 'dropped'],
			],
		);
	});

	it('declares what the Bot API expresses natively', () => {
		const caps = telegramAdapter.renderCapabilities!;
		assert.deepEqual([...caps.parts].sort(), ['buttons', 'contacts', 'location', 'media', 'reaction', 'text']);
		assert.deepEqual([...caps.textFormats].sort(), ['html', 'markdown', 'plain']);
		assert.deepEqual([...caps.buttonActions!].sort(), ['reply', 'url']);
	});
});

// ---------------------------------------------------------------------------------------------------
// Round trip

type Atom = { kind: string; [key: string]: unknown };

/** The content of parts as comparable atoms: one per text, media item, location and contact. */
function atoms(parts: readonly Part[], received: boolean): Atom[] {
	const out: Atom[] = [];
	for (const part of parts) {
		switch (part.type) {
			case 'text':
				out.push({ kind: 'text', text: part.text });
				break;
			case 'media':
				// Telegram answers a URL with a file_id: the sent value comes back as the media id.
				out.push({ kind: 'media', media: part.kind, ref: received ? part.mediaId : (part.url ?? part.mediaId), caption: part.caption });
				break;
			case 'location':
				// + 0: JSON has no -0, so a sent -0 arrives as 0.
				out.push({ kind: 'location', latitude: part.latitude + 0, longitude: part.longitude + 0 });
				break;
			case 'contacts':
				for (const c of part.contacts) out.push({ kind: 'contact', name: c.name.formatted, phones: c.phones.map((p) => p.phone) });
				break;
			default:
				out.push({ kind: part.type });
		}
	}
	return out;
}

describe('telegram round trip', () => {
	it('normalize(deliver(render(m))) keeps text, media, location and contacts', () => {
		fc.assert(
			fc.property(arbMessage('telegram', 'telegram', ['text', 'media', 'location', 'contacts']), (message) => {
				const received = roundTrip(message, 'telegram', deliverTelegram, { normalize: opts });
				for (const m of received) {
					assert.equal(m.sender?.id, String(SENDER_BOT.id));
					assert.equal(m.sender?.isBot, true);
				}
				assert.deepEqual(
					atoms(received.flatMap((m) => m.parts), true),
					atoms(message.parts, false),
				);
			}),
			{ numRuns: 200 },
		);
	});

	it('replies and reactions come back pointing at the same message', () => {
		const message = outbound([{ type: 'text', text: 'noted' }, { type: 'reaction', emoji: '👍', targetMessageId: '582913377:4101' }], { replyTo: { messageId: '582913377:4101' } });
		const received = deliverTelegram(render(message, 'telegram').payloads).map((r) => normalize(r, opts).messages[0]!);
		assert.equal(received[0]!.replyTo?.messageId, '582913377:4101');
		assert.deepEqual(received[1]!.parts, [{ type: 'reaction', emoji: '👍', targetMessageId: '582913377:4101' }]);
	});
});

// ---------------------------------------------------------------------------------------------------
// Shared helpers the Telegram adapter was first to use (core/platforms/shared/vendor.ts, core/util/time.ts).

describe('fast vendor guards', () => {
	const schema = z.looseObject({
		id: z.number().int(),
		name: z.string().min(1).optional(),
		ratio: z.number().min(-1).max(1).optional(),
		kind: z.union([z.literal('a'), z.literal('b')]),
		chat: z.union([z.number(), z.string().min(1)]),
		flags: z.array(z.boolean()).optional(),
		tags: z.record(z.string(), z.string()).optional(),
		nested: z.looseObject({ x: z.string(), y: z.unknown() }).nullable().optional(),
		strip: z.object({ q: z.number() }).optional(),
	});
	const value = fc.record(
		{
			id: fc.oneof(fc.integer(), fc.double(), fc.constant(Number.NaN), fc.string()),
			name: fc.oneof(fc.string({ maxLength: 2 }), fc.integer(), fc.constant(undefined)),
			ratio: fc.oneof(fc.double({ min: -2, max: 2 }), fc.constant(undefined), fc.constant(Infinity)),
			kind: fc.constantFrom('a', 'b', 'c', 1),
			chat: fc.oneof(fc.integer(), fc.constantFrom('', 'x'), fc.constant(null)),
			flags: fc.oneof(fc.array(fc.oneof(fc.boolean(), fc.integer()), { maxLength: 3 }), fc.constant(undefined), fc.constant('x')),
			tags: fc.oneof(fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }), fc.constant(undefined), fc.constant([])),
			nested: fc.oneof(fc.constant(null), fc.constant(undefined), fc.record({ x: fc.oneof(fc.string(), fc.integer()), y: fc.anything() }), fc.constant('n')),
			strip: fc.oneof(fc.constant(undefined), fc.record({ q: fc.oneof(fc.integer(), fc.string()), extra: fc.anything() })),
			extra: fc.anything(),
		},
		{ requiredKeys: [] },
	);

	it('compiled and generated predicates agree with zod on every value', () => {
		const generated = generateGuard(schema as never)!;
		const compiled = compileGuard(schema as never)!;
		assert.equal(typeof generated, 'function');
		assert.equal(typeof compiled, 'function');
		fc.assert(
			fc.property(fc.oneof(value, fc.anything()), (v) => {
				const expected = schema.safeParse(v).success;
				assert.equal(generated(v), expected, JSON.stringify(v));
				assert.equal(compiled(v), expected, JSON.stringify(v));
			}),
			{ numRuns: 3000 },
		);
	});

	it('readVendor returns the value itself on the fast path and zod\'s error path otherwise', () => {
		const vendor = vendorSchema(schema);
		const ok = { id: 1, kind: 'a', chat: 5, extra: { keep: true } };
		assert.equal(readVendor('telegram', vendor, ok), ok);
		expectMismatch(() => readVendor('telegram', vendor, { ...ok, flags: [true, 'no'] }, 'message'), 'message.flags[1]');
	});

	it('schemas outside the subset never take the fast path', () => {
		const transformed = z.looseObject({ a: z.string().transform((s) => s.length) });
		assert.equal(generateGuard(transformed as never), undefined);
		assert.equal(compileGuard(transformed as never), undefined);
		const vendor = vendorSchema(transformed);
		assert.deepEqual(readVendor('telegram', vendor, { a: 'abc' }), { a: 3 });
	});

	it('a passThrough schema: the guard accepts only what zod returns unchanged, zod coerces the rest', () => {
		// Shaped like Meta's graphId: numbers are accepted by the schema and turned into strings.
		const id = passThrough(z.union([z.string().min(1), z.number()]).transform((v) => String(v)), z.string().min(1));
		const coerced = z.looseObject({ id, ref: id.optional(), kind: z.string() });
		const generated = generateGuard(coerced as never)!;
		const compiled = compileGuard(coerced as never)!;
		assert.equal(typeof generated, 'function');
		assert.equal(typeof compiled, 'function');
		const field = fc.oneof(fc.string({ maxLength: 2 }), fc.integer(), fc.double(), fc.constant(undefined), fc.constant(null), fc.boolean());
		fc.assert(
			fc.property(fc.record({ id: field, ref: field, kind: fc.oneof(fc.string(), fc.integer()), extra: fc.anything() }, { requiredKeys: [], noNullPrototype: true }), (v) => {
				const parsed = coerced.safeParse(v);
				for (const guard of [generated, compiled]) {
					if (!guard(v)) continue;
					assert.ok(parsed.success, `guard accepted what zod refuses: ${JSON.stringify(v)}`);
					assert.deepEqual(parsed.data, v, 'zod returns what the guard accepted unchanged');
				}
				if (parsed.success && typeof v.id === 'string' && (v.ref === undefined || typeof v.ref === 'string')) assert.equal(generated(v), true, JSON.stringify(v));
			}),
			{ numRuns: 3000 },
		);
		const vendor = vendorSchema(coerced);
		const fast = { id: 'wamid.1', kind: 'text' };
		assert.equal(readVendor('whatsapp', vendor, fast), fast);
		assert.deepEqual(readVendor('whatsapp', vendor, { id: 15550001234, kind: 'text' }), { id: '15550001234', kind: 'text' });
		expectMismatchOf(() => readVendor('whatsapp', vendor, { id: '', kind: 'text' }, 'entry[0]'), 'whatsapp', 'entry[0].id');
	});
});

describe('timestamp helpers', () => {
	it('any message date and edit date comes out as the exact ISO string Date gives', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 253402300799 }), fc.integer({ min: 1, max: 8.64e12 }), (date, editDate) => {
				const m = one(update({ edited_message: { message_id: 5, date, edit_date: editDate, chat: privateChat, from: marta, text: 'x' } }));
				assert.equal(m.timestamp, new Date(date * 1000).toISOString());
				assert.equal(m.metadata.editedAt, new Date(editDate * 1000).toISOString());
			}),
			{ numRuns: 300 },
		);
		// Beyond what Date can hold there is no time: the clock stands in, and no edit time is claimed.
		const far = one(update({ edited_message: { message_id: 5, date: 8.64e12 + 1, edit_date: 8.64e12 + 1, chat: privateChat, from: marta, text: 'x' } }));
		assert.equal(far.timestamp, NOW.toISOString());
		assert.equal(far.metadata.editedAt, undefined);
	});

	it('fromDateString keeps milliseconds of longer fractions and agrees with Date', () => {
		for (const value of ['2026-05-28T14:40:11.4460000Z', '2026-05-28T15:01:02.345678Z', '2026-05-28T14:59:00Z', '2026-05-28T14:40:11.4Z', '2026-05-31T23:59:59.9999999Z', '2026-05-28T16:40:11.4460000+02:00']) {
			assert.equal(fromDateString(value), new Date(value).toISOString(), value);
		}
		assert.equal(fromDateString('not a date'), undefined);
	});
});
