/**
 * Slack inbound (providers.md §6.2) → universal messages, or the url_verification handshake.
 *
 * Three request shapes reach one Slack endpoint:
 * - Events API JSON: `url_verification` (answered, nothing emitted) and `event_callback` envelopes
 *   carrying one event (`message` and its subtypes, `app_mention`, `reaction_added/removed`…);
 * - interactivity: form-encoded `payload=<JSON>` (`block_actions` when a button or menu is used);
 * - slash commands: form-encoded `command=/x&text=…&channel_id=…`.
 *
 * Ids: a message's provider id is its `ts` (Slack's message id; unique within a channel, and what
 * chat.postMessage takes as thread_ts). Events that are not messages (reactions, edits' notices,
 * button presses) are identified by the envelope's `event_id` or the interaction's `trigger_id`.
 *
 * Text is Slack's mrkdwn as sent (mentions `<@U…>`, links `<url|label>`), with the three entities
 * Slack escapes (&amp; &lt; &gt;) decoded; blocks are kept in metadata.
 */
import { z } from 'zod/v4';
import { MalformedBodyError, PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import { MESSAGE_SCHEMA_ID, type Conversation, type MediaKind, type Message, type Part, type Participant } from '../../schema/message';
import { compact, isRecord, type Json, lookupTable } from '../../util/object';
import { fromUnixSeconds, isoFromMillis } from '../../util/time';
import { messageId } from '../shared/ids';
import { byteSize, inboundMessage, setDefined } from '../shared/inbound';
import { readVendor, vendorSchema } from '../shared/vendor';
import type { Handshake, NormalizeContext, NormalizeOutput } from '../types';
import { slackNameToEmoji } from './emoji';

export const SLACK = 'slack';

const envelopeSchema = vendorSchema(z.looseObject({
	type: z.string(),
	team_id: z.string().optional(),
	api_app_id: z.string().optional(),
	event_id: z.string().optional(),
	event_time: z.number().optional(),
}));

const urlVerificationSchema = vendorSchema(z.looseObject({ type: z.literal('url_verification'), challenge: z.string().min(1) }));

const eventSchema = vendorSchema(z.looseObject({ type: z.string(), event_ts: z.string().optional() }));

const fileSchema = z.looseObject({
	id: z.string(),
	name: z.string().optional(),
	title: z.string().optional(),
	mimetype: z.string().optional(),
	filetype: z.string().optional(),
	size: z.number().optional(),
	url_private: z.string().optional(),
	url_private_download: z.string().optional(),
	mode: z.string().optional(),
	subtype: z.string().optional(),
});

const messageEventSchema = vendorSchema(z.looseObject({
	type: z.string(),
	subtype: z.string().optional(),
	channel: z.string().min(1),
	ts: z.string().min(1),
	user: z.string().min(1).optional(),
	bot_id: z.string().min(1).optional(),
	username: z.string().optional(),
	text: z.string().optional(),
	thread_ts: z.string().optional(),
	channel_type: z.string().optional(),
	files: z.array(fileSchema).optional(),
}));

const reactionEventSchema = vendorSchema(z.looseObject({
	type: z.string(),
	user: z.string().min(1),
	reaction: z.string().min(1),
	item: z.looseObject({ type: z.string(), channel: z.string().min(1).optional(), ts: z.string().min(1).optional() }),
	item_user: z.string().optional(),
	event_ts: z.string(),
}));

const changedMessageSchema = vendorSchema(z.looseObject({
	message: z.looseObject({ ts: z.string().min(1), text: z.string().optional(), user: z.string().min(1).optional(), bot_id: z.string().optional() }),
}));

const blockActionsSchema = vendorSchema(z.looseObject({
	type: z.string(),
	user: z.looseObject({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional(), team_id: z.string().optional() }),
	trigger_id: z.string().optional(),
	response_url: z.string().optional(),
	container: z
		.looseObject({ type: z.string().optional(), message_ts: z.string().min(1).optional(), thread_ts: z.string().min(1).optional(), channel_id: z.string().min(1).optional() })
		.optional(),
	channel: z.looseObject({ id: z.string().min(1), name: z.string().optional() }).optional(),
	team: z.looseObject({ id: z.string() }).nullable().optional(),
	actions: z.array(
		z.looseObject({
			type: z.string(),
			action_id: z.string().min(1),
			block_id: z.string().optional(),
			value: z.string().optional(),
			action_ts: z.string().optional(),
			text: z.looseObject({ text: z.string() }).optional(),
		}),
	),
}));

const slashCommandSchema = vendorSchema(z.looseObject({
	command: z.string(),
	text: z.string().optional(),
	user_id: z.string().min(1),
	user_name: z.string().optional(),
	channel_id: z.string().min(1),
	channel_name: z.string().optional(),
	team_id: z.string().optional(),
	trigger_id: z.string().optional(),
	response_url: z.string().optional(),
}));

// ---------------------------------------------------------------------------------------------------

/** &amp; &lt; &gt; are the only entities Slack puts in message text. */
export function decodeSlackText(text: string): string {
	if (!text.includes('&')) return text;
	return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Slack's channel_type when sent; otherwise the id prefix says it (C public, G private/mpim, D DM). */
export function slackConversationType(channelType: string | undefined, channel: string): Conversation['type'] {
	switch (channelType) {
		case 'im':
		case 'app_home':
			return 'direct';
		case 'mpim':
		case 'group':
			return 'group';
		case 'channel':
			return 'channel';
		default:
			return channel.startsWith('D') ? 'direct' : channel.startsWith('G') ? 'group' : 'channel';
	}
}

function nonEmptyString(value: unknown): value is string {
	return typeof value === 'string' && value !== '';
}

function base(id: string, context: NormalizeContext, raw: unknown): Pick<Message, 'schema' | 'id' | 'channel' | 'provider' | 'direction' | 'recipients'> & { raw?: unknown } {
	return {
		schema: MESSAGE_SCHEMA_ID,
		id,
		channel: 'slack',
		provider: SLACK,
		direction: 'inbound',
		recipients: [],
		...(context.keepRaw ? { raw } : {}),
	};
}

/**
 * A Slack ts ("1779981480.000500": seconds and microseconds) → ISO UTC, truncated to milliseconds
 * (rounding would move .000500 to .001; floating point would blur the digits).
 */
export function slackTsToIso(ts: string): string | undefined {
	const dot = ts.indexOf('.');
	const whole = dot < 0 ? ts : ts.slice(0, dot);
	const seconds = Number(whole);
	const millis = dot < 0 ? 0 : Number(ts.slice(dot + 1, dot + 4).padEnd(3, '0'));
	if (whole === '' || !Number.isSafeInteger(seconds) || !Number.isInteger(millis) || millis < 0) return fromUnixSeconds(ts);
	return isoFromMillis(seconds * 1000 + millis) ?? fromUnixSeconds(ts);
}

function tsTime(ts: string | undefined, context: NormalizeContext): string {
	return (ts !== undefined ? slackTsToIso(ts) : undefined) ?? context.now().toISOString();
}

function mediaKind(file: z.output<typeof fileSchema>): MediaKind {
	const mime = file.mimetype ?? '';
	if (file.subtype === 'slack_audio') return 'voice';
	if (mime.startsWith('image/')) return 'image';
	if (mime.startsWith('video/')) return 'video';
	if (mime.startsWith('audio/')) return 'audio';
	return 'document';
}

function fileParts(files: ReadonlyArray<z.output<typeof fileSchema>>, rawFiles: unknown[]): Part[] {
	return files.map((file, i): Part => {
		// Deleted files, files over the plan's limit, and Slack Connect files that need files.info.
		if (file.mode === 'tombstone' || file.mode === 'hidden_by_limit' || (file.url_private === undefined && file.mimetype === undefined)) {
			return { type: 'unsupported', platformType: `file.${file.mode ?? 'check_file_info'}`, reason: 'the file details are not in the event (call files.info)', original: rawFiles[i] };
		}
		return compact({
			type: 'media' as const,
			kind: mediaKind(file),
			url: file.url_private_download ?? file.url_private,
			mediaId: file.id,
			mimeType: file.mimetype,
			filename: file.name,
			caption: file.title && file.title !== file.name ? file.title : undefined,
			size: byteSize(file.size),
		});
	});
}

/** Envelope fields every message of an event_callback carries in metadata. */
function envelopeMetadata(envelope: z.output<typeof envelopeSchema.schema>, raw: Json, eventType: string): Json {
	const metadata: Json = {};
	setDefined(metadata, 'eventId', envelope.event_id);
	metadata.eventType = eventType;
	// Unix seconds, as sent.
	setDefined(metadata, 'eventTime', envelope.event_time);
	setDefined(metadata, 'teamId', envelope.team_id);
	setDefined(metadata, 'apiAppId', envelope.api_app_id);
	const authorizations = raw.authorizations;
	if (Array.isArray(authorizations) && isRecord(authorizations[0]) && typeof authorizations[0].user_id === 'string') {
		// The app's own bot user: compare with sender.id to ignore your own messages.
		metadata.botUserId = authorizations[0].user_id;
	}
	return metadata;
}

/** Subtypes that are conversation events rather than content. */
const SYSTEM_SUBTYPES: Readonly<Record<string, string>> = lookupTable({
	channel_join: 'member_joined',
	group_join: 'member_joined',
	channel_leave: 'member_left',
	group_leave: 'member_left',
	channel_topic: 'topic_changed',
	group_topic: 'topic_changed',
	channel_purpose: 'purpose_changed',
	group_purpose: 'purpose_changed',
	channel_name: 'name_changed',
	group_name: 'name_changed',
	channel_archive: 'archived',
	group_archive: 'archived',
	channel_unarchive: 'unarchived',
	group_unarchive: 'unarchived',
	pinned_item: 'message_pinned',
	unpinned_item: 'message_unpinned',
	channel_convert_to_private: 'converted_to_private',
	channel_convert_to_public: 'converted_to_public',
});

/** Subtypes whose event is an ordinary message with content. */
const CONTENT_SUBTYPES = new Set(['bot_message', 'file_share', 'thread_broadcast', 'me_message']);

function convertMessageEvent(raw: Json, path: string, meta: Json, context: NormalizeContext, rawEnvelope: unknown): Message {
	const e = readVendor(SLACK, messageEventSchema, raw, path);
	const metadata = meta;
	const conversation: Conversation = { id: e.channel, type: slackConversationType(e.channel_type, e.channel) };
	if (e.thread_ts !== undefined && e.thread_ts !== e.ts) conversation.threadId = e.thread_ts;
	const isBot = e.subtype === 'bot_message' || e.bot_id !== undefined;
	const senderId = e.user ?? e.bot_id;
	let sender: Participant | undefined;
	if (senderId !== undefined) {
		sender = { id: senderId };
		const profile = isRecord(raw.user_profile) ? raw.user_profile : isRecord(raw.bot_profile) ? raw.bot_profile : undefined;
		const name = e.username ?? (profile ? [profile.real_name, profile.display_name, profile.name].find(nonEmptyString) : undefined);
		setDefined(sender, 'name', name);
		if (profile && typeof profile.name === 'string') sender.handle = profile.name;
		if (isBot) sender.isBot = true;
	}
	if (e.subtype !== undefined) metadata.subtype = e.subtype;
	if (e.bot_id !== undefined) metadata.botId = e.bot_id;

	let parts: Part[];
	const providerMessageId = e.ts;
	const subtype = e.subtype;
	if (subtype === undefined || CONTENT_SUBTYPES.has(subtype)) {
		parts = [];
		if (e.text !== undefined && e.text !== '') parts.push({ type: 'text', text: decodeSlackText(e.text), format: 'plain' });
		if (e.files !== undefined) parts.push(...fileParts(e.files, raw.files as unknown[]));
		if (parts.length === 0) {
			parts.push({ type: 'unsupported', platformType: 'message', reason: 'a message without text or files (blocks/attachments only)', original: raw });
		}
		if (subtype === 'thread_broadcast') metadata.threadBroadcast = true;
	} else if (subtype === 'message_changed') {
		const changed = readVendor(SLACK, changedMessageSchema, raw, path);
		const rawChanged = raw.message as Json;
		metadata.editedMessageTs = changed.message.ts;
		parts = [
			compact({
				type: 'system' as const,
				event: 'message_edited',
				text: changed.message.text !== undefined ? decodeSlackText(changed.message.text) : undefined,
				data: compact({ messageTs: changed.message.ts, message: rawChanged, previousMessage: raw.previous_message }),
			}),
		];
		// providerMessageId stays the notice's own ts: the edited message's ts is data.messageTs.
	} else if (subtype === 'message_deleted') {
		const deletedTs = typeof raw.deleted_ts === 'string' ? raw.deleted_ts : undefined;
		setDefined(metadata, 'deletedMessageTs', deletedTs);
		parts = [{ type: 'system', event: 'message_deleted', data: compact({ deletedTs, previousMessage: raw.previous_message }) }];
	} else if (SYSTEM_SUBTYPES[subtype] !== undefined) {
		parts = [
			compact({
				type: 'system' as const,
				event: SYSTEM_SUBTYPES[subtype]!,
				text: e.text !== undefined ? decodeSlackText(e.text) : undefined,
				data: compact({ subtype, user: e.user, inviter: typeof raw.inviter === 'string' ? raw.inviter : undefined }),
			}),
		];
	} else {
		parts = [{ type: 'unsupported', platformType: `message.${subtype}`, reason: `Slack message subtype ${subtype} is not mapped`, original: raw }];
	}
	if (Array.isArray(raw.blocks)) metadata.blocks = raw.blocks;
	if (Array.isArray(raw.attachments)) metadata.attachments = raw.attachments;
	if (typeof raw.client_msg_id === 'string') metadata.clientMsgId = raw.client_msg_id;
	if (isRecord(raw.edited)) {
		metadata.edited = true;
		if (typeof raw.edited.ts === 'string') setDefined(metadata, 'editedAt', slackTsToIso(raw.edited.ts));
		if (nonEmptyString(raw.edited.user)) metadata.editedBy = raw.edited.user;
	}
	if (e.type === 'app_mention') metadata.mention = true;

	const sub = subtype === 'message_changed' ? (raw.message as Json) : undefined;
	const editor = sub && typeof sub.user === 'string' ? { id: sub.user } : undefined;
	return inboundMessage(
		SLACK,
		'slack',
		{ id: providerMessageId, conversation, sender: sender ?? editor, timestamp: tsTime(e.ts, context), parts, providerMessageId, metadata },
		context.keepRaw,
		rawEnvelope,
	);
}

function convertReactionEvent(raw: Json, path: string, meta: Json, context: NormalizeContext, rawEnvelope: unknown, eventId: string | undefined): Message {
	const e = readVendor(SLACK, reactionEventSchema, raw, path);
	const added = e.type === 'reaction_added';
	const target = e.item.ts;
	const metadata = meta;
	metadata.reactionName = e.reaction;
	metadata.itemType = e.item.type;
	if (e.item_user !== undefined) metadata.itemUser = e.item_user;
	const parts: Part[] =
		target !== undefined
			? [{ type: 'reaction', emoji: added ? slackNameToEmoji(e.reaction) : '', targetMessageId: target }]
			: [{ type: 'unsupported', platformType: `${e.type}.${e.item.type}`, reason: 'a reaction to a file, not a message', original: raw }];
	return compact({
		...base(messageId(SLACK, eventId ?? `reaction:${e.item.channel ?? ''}:${target ?? ''}:${e.user}:${e.reaction}:${e.event_ts}`), context, rawEnvelope),
		conversation: { id: e.item.channel ?? e.user, type: e.item.channel ? slackConversationType(undefined, e.item.channel) : 'direct' },
		sender: { id: e.user },
		timestamp: tsTime(e.event_ts, context),
		parts,
		metadata,
	}) as Message;
}

/** Membership events and anything unmapped: a system part or the event kept whole. */
function convertOtherEvent(raw: Json, type: string, meta: Json, context: NormalizeContext, rawEnvelope: unknown, eventId: string | undefined): Message {
	const channel = nonEmptyString(raw.channel) ? raw.channel : isRecord(raw.channel) && nonEmptyString(raw.channel.id) ? raw.channel.id : undefined;
	const user = nonEmptyString(raw.user) ? raw.user : isRecord(raw.user) && nonEmptyString(raw.user.id) ? raw.user.id : undefined;
	const ts = typeof raw.event_ts === 'string' ? raw.event_ts : typeof raw.ts === 'string' ? raw.ts : undefined;
	const membership = type === 'member_joined_channel' ? 'member_joined' : type === 'member_left_channel' ? 'member_left' : undefined;
	const part: Part = membership
		? { type: 'system', event: membership, data: compact({ user, channelType: raw.channel_type, inviter: raw.inviter }) }
		: { type: 'unsupported', platformType: type, reason: `Slack ${type} events are not mapped`, original: raw };
	return compact({
		...base(messageId(SLACK, eventId ?? `${type}:${channel ?? ''}:${user ?? ''}:${ts ?? ''}`), context, rawEnvelope),
		conversation: { id: channel ?? user ?? (nonEmptyString(meta.teamId) ? meta.teamId : 'unknown'), type: channel ? slackConversationType(undefined, channel) : 'direct' },
		sender: user ? { id: user } : undefined,
		timestamp: tsTime(ts, context),
		parts: [part],
		metadata: meta,
	}) as Message;
}

function convertEventCallback(body: Json, envelope: z.output<typeof envelopeSchema.schema>, context: NormalizeContext): Message {
	const event = readVendor(SLACK, eventSchema, body.event, 'event');
	const raw = body.event as Json;
	const meta = envelopeMetadata(envelope, body, event.type);
	switch (event.type) {
		case 'message':
		case 'app_mention':
			return convertMessageEvent(raw, 'event', meta, context, body);
		case 'reaction_added':
		case 'reaction_removed':
			return convertReactionEvent(raw, 'event', meta, context, body, envelope.event_id);
		default:
			return convertOtherEvent(raw, event.type, meta, context, body, envelope.event_id);
	}
}

// ---------------------------------------------------------------------------------------------------
// Interactivity and slash commands

/** Selection actions: the choice is in selected_option(s) / selected_user / selected_date…. */
function actionChoices(action: Json): Array<{ id: string; title?: string; source: 'button' | 'list' | 'card_action' }> {
	const optionText = (option: Json) => (isRecord(option.text) && typeof option.text.text === 'string' ? option.text.text : undefined);
	const type = typeof action.type === 'string' ? action.type : '';
	if (type === 'button') {
		const id = typeof action.value === 'string' ? action.value : String(action.action_id);
		return [compact({ id, title: isRecord(action.text) && typeof action.text.text === 'string' ? action.text.text : undefined, source: 'button' as const })];
	}
	if (isRecord(action.selected_option) && typeof action.selected_option.value === 'string') {
		return [compact({ id: action.selected_option.value, title: optionText(action.selected_option), source: 'list' as const })];
	}
	if (Array.isArray(action.selected_options)) {
		return action.selected_options
			.filter((o): o is Json => isRecord(o) && typeof o.value === 'string')
			.map((o) => compact({ id: o.value as string, title: optionText(o), source: 'list' as const }));
	}
	for (const key of ['selected_user', 'selected_conversation', 'selected_channel'] as const) {
		if (typeof action[key] === 'string') return [{ id: action[key] as string, source: 'list' }];
	}
	for (const key of ['selected_users', 'selected_conversations', 'selected_channels'] as const) {
		const list = action[key];
		if (Array.isArray(list)) return list.filter((v): v is string => typeof v === 'string').map((id) => ({ id, source: 'list' as const }));
	}
	for (const key of ['selected_date', 'selected_time', 'selected_date_time', 'value'] as const) {
		const value = action[key];
		if (typeof value === 'string' || typeof value === 'number') return [{ id: String(value), source: 'card_action' }];
	}
	return [];
}

function convertBlockActions(payload: Json, context: NormalizeContext): Message {
	const p = readVendor(SLACK, blockActionsSchema, payload, 'payload');
	const rawActions = payload.actions as Json[];
	const parts: Part[] = [];
	p.actions.forEach((_, i) => {
		const choices = actionChoices(rawActions[i]!);
		if (choices.length === 0) {
			parts.push({ type: 'unsupported', platformType: `action.${p.actions[i]!.type}`, reason: 'an action without a value', original: rawActions[i] });
			return;
		}
		for (const choice of choices) parts.push({ type: 'interactive_reply', ...choice });
	});
	if (parts.length === 0) parts.push({ type: 'unsupported', platformType: 'block_actions', reason: 'no actions in the payload', original: payload });
	const channelId = p.channel?.id ?? p.container?.channel_id;
	const messageTs = p.container?.message_ts;
	const message = isRecord(payload.message) ? payload.message : undefined;
	const threadTs = p.container?.thread_ts ?? (message && typeof message.thread_ts === 'string' && message.thread_ts !== messageTs ? message.thread_ts : undefined);
	const actionTs = p.actions[0]?.action_ts;
	const metadata: Json = compact({
		interactionType: p.type,
		responseUrl: p.response_url,
		triggerId: p.trigger_id,
		actionTs,
		actions: p.actions.map((a) => compact({ actionId: a.action_id, blockId: a.block_id, type: a.type, value: a.value })),
		teamId: p.team?.id ?? p.user.team_id,
		apiAppId: typeof payload.api_app_id === 'string' ? payload.api_app_id : undefined,
		containerType: p.container?.type,
		viewId: isRecord(payload.view) && typeof payload.view.id === 'string' ? payload.view.id : undefined,
	});
	return compact({
		...base(messageId(SLACK, `action:${p.trigger_id ?? `${channelId ?? p.user.id}:${actionTs ?? ''}`}`), context, payload),
		conversation: channelId
			? compact({ id: channelId, type: slackConversationType(undefined, channelId), threadId: threadTs, name: p.channel?.name })
			: { id: p.user.id, type: 'direct' as const },
		sender: compact({ id: p.user.id, name: p.user.name, handle: p.user.username }),
		timestamp: tsTime(actionTs, context),
		parts,
		replyTo: messageTs ? { messageId: messageTs } : undefined,
		metadata,
	}) as Message;
}

function convertOtherInteraction(payload: Json, type: string, context: NormalizeContext): Message {
	const user = isRecord(payload.user) && nonEmptyString(payload.user.id) ? payload.user : undefined;
	const channel = isRecord(payload.channel) && nonEmptyString(payload.channel.id) ? payload.channel.id : undefined;
	const trigger = typeof payload.trigger_id === 'string' ? payload.trigger_id : undefined;
	return compact({
		...base(messageId(SLACK, `interaction:${trigger ?? `${type}:${user?.id ?? ''}:${typeof payload.action_ts === 'string' ? payload.action_ts : ''}`}`), context, payload),
		conversation: { id: channel ?? (user ? (user.id as string) : 'unknown'), type: channel ? slackConversationType(undefined, channel) : ('direct' as const) },
		sender: user ? { id: user.id as string } : undefined,
		timestamp: tsTime(typeof payload.action_ts === 'string' ? payload.action_ts : undefined, context),
		parts: [{ type: 'unsupported' as const, platformType: type, reason: `Slack ${type} interactions are not mapped`, original: payload }],
		metadata: compact({ interactionType: type, triggerId: trigger, responseUrl: typeof payload.response_url === 'string' ? payload.response_url : undefined }),
	}) as Message;
}

function convertSlashCommand(form: Json, context: NormalizeContext): Message {
	const c = readVendor(SLACK, slashCommandSchema, form);
	const args = c.text ?? '';
	return compact({
		...base(messageId(SLACK, `command:${c.trigger_id ?? `${c.channel_id}:${c.user_id}:${c.command}`}`), context, form),
		conversation: compact({ id: c.channel_id, type: slackConversationType(c.channel_name === 'directmessage' ? 'im' : undefined, c.channel_id), name: c.channel_name }),
		sender: compact({ id: c.user_id, handle: c.user_name }),
		// Slash commands carry no time: the request arrives when the command is issued.
		timestamp: context.now().toISOString(),
		parts: [{ type: 'text' as const, text: args === '' ? c.command : `${c.command} ${args}`, format: 'plain' as const }],
		metadata: compact({ command: c.command, commandArgs: args === '' ? undefined : args, responseUrl: c.response_url, triggerId: c.trigger_id, teamId: c.team_id }),
	}) as Message;
}

/** The interactivity payload: `payload` is a JSON string inside the form. */
export function readInteractivityPayload(body: Json): Json {
	const text = body.payload;
	const value = Array.isArray(text) ? text[0] : text;
	if (isRecord(value)) return value;
	if (typeof value !== 'string') throw new PayloadMismatchError(SLACK, 'payload', 'a JSON string');
	let parsed: unknown;
	try {
		parsed = JSON.parse(value);
	} catch (error) {
		throw new MalformedBodyError(`The Slack interactivity payload is not valid JSON: ${(error as Error).message}`);
	}
	if (!isRecord(parsed)) throw new PayloadMismatchError(SLACK, 'payload', 'a JSON object');
	return parsed;
}

function handshake(challenge: string): Handshake {
	return {
		platform: SLACK,
		kind: 'slack_url_verification',
		challenge,
		response: { status: 200, contentType: 'text/plain', body: challenge },
	};
}

export function convertSlackRequest(request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	if (request.bodyKind === 'empty') throw new MalformedBodyError('The Slack request body is empty');
	if (request.bodyKind === 'text') throw new MalformedBodyError('The Slack request body is neither JSON nor form data');
	const body = request.body;
	if (!isRecord(body)) throw new PayloadMismatchError(SLACK, '', 'a Slack event (JSON object) or interactivity form');

	if (body.payload !== undefined) {
		const payload = readInteractivityPayload(body);
		const type = typeof payload.type === 'string' ? payload.type : undefined;
		if (type === undefined) throw new PayloadMismatchError(SLACK, 'payload.type', 'string');
		const message = type === 'block_actions' ? convertBlockActions(payload, context) : convertOtherInteraction(payload, type, context);
		return { messages: [message], events: [] };
	}
	if (typeof body.command === 'string' && body.type === undefined) return { messages: [convertSlashCommand(body, context)], events: [] };

	const envelope = readVendor(SLACK, envelopeSchema, body);
	switch (envelope.type) {
		case 'url_verification': {
			const verification = readVendor(SLACK, urlVerificationSchema, body);
			return { messages: [], events: [], handshake: handshake(verification.challenge) };
		}
		case 'event_callback':
			return { messages: [convertEventCallback(body, envelope, context)], events: [] };
		default:
			// app_rate_limited and future envelope types: kept whole, never an empty result.
			return {
				messages: [
					{
						...base(messageId(SLACK, `${envelope.type}:${envelope.team_id ?? ''}:${String(body.minute_rate_limited ?? envelope.event_time ?? '')}`), context, body),
						conversation: { id: envelope.team_id || 'unknown', type: 'channel' },
						timestamp: context.now().toISOString(),
						parts: [{ type: 'unsupported', platformType: envelope.type, reason: `Slack ${envelope.type} requests are not mapped`, original: body }],
						metadata: compact({ eventType: envelope.type, teamId: envelope.team_id, apiAppId: envelope.api_app_id }),
					},
				],
				events: [],
			};
	}
}
