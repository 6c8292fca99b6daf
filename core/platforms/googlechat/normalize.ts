/**
 * Google Chat interaction events for HTTP endpoint apps (providers.md §7.3) → universal messages.
 *
 * Two envelopes carry the same events:
 * - the Chat app event `{type: MESSAGE | ADDED_TO_SPACE | REMOVED_FROM_SPACE | CARD_CLICKED | …,
 *   eventTime, message?, user, space, action?, common}`;
 * - the Workspace add-on event `{commonEventObject, authorizationEventObject, chat: {user, eventTime,
 *   messagePayload | addedToSpacePayload | removedFromSpacePayload | buttonClickedPayload | …}}`,
 *   read here as the equivalent Chat app event (paths in errors still name the add-on fields).
 *
 * MESSAGE → text (argumentText — the text without the app's @mention — when it has any, else text)
 * plus attachments as media; ADDED_TO_SPACE / REMOVED_FROM_SPACE → system bot_added / bot_removed;
 * CARD_CLICKED → interactive_reply (source card_action): the id is the action's `id` parameter
 * (what Switchboard's own buttons send, see render.ts), else the action method name.
 * Ids: messages use their resource name (`spaces/…/messages/…`) as provider message id; other events
 * are identified by type, space/message and eventTime (stable when Google redelivers).
 */
import { z } from 'zod/v4';
import { MalformedBodyError, PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import { type Conversation, type MediaKind, type Message, type Part, type Participant } from '../../schema/message';
import { compact, isRecord, type Json } from '../../util/object';
import { fromDateString } from '../../util/time';
import { inboundMessage, setDefined } from '../shared/inbound';
import { readVendor, vendorSchema } from '../shared/vendor';
import type { NormalizeContext, NormalizeOutput } from '../types';

export const GOOGLE_CHAT = 'googlechat';

const userSchema = z.looseObject({
	name: z.string().min(1),
	displayName: z.string().optional(),
	email: z.string().optional(),
	type: z.string().optional(),
});
type ChatUser = z.output<typeof userSchema>;

const spaceObject = z.looseObject({
	name: z.string().min(1),
	type: z.string().optional(),
	spaceType: z.string().optional(),
	displayName: z.string().optional(),
	singleUserBotDm: z.boolean().optional(),
});
const spaceSchema = vendorSchema(spaceObject);
type ChatSpace = z.output<typeof spaceObject>;

const attachmentSchema = z.looseObject({
	name: z.string().optional(),
	contentName: z.string().optional(),
	contentType: z.string().optional(),
	downloadUri: z.string().optional(),
	source: z.string().optional(),
	attachmentDataRef: z.looseObject({ resourceName: z.string().optional() }).optional(),
	driveDataRef: z.looseObject({ driveFileId: z.string().optional() }).optional(),
});

const messageSchema = vendorSchema(z.looseObject({
	name: z.string().min(1),
	sender: userSchema.optional(),
	createTime: z.string().optional(),
	text: z.string().optional(),
	argumentText: z.string().optional(),
	thread: z.looseObject({ name: z.string().min(1).optional(), threadKey: z.string().optional() }).optional(),
	space: spaceObject.optional(),
	attachment: z.array(attachmentSchema).optional(),
	quotedMessageMetadata: z.looseObject({ name: z.string().min(1) }).optional(),
}));
type ChatMessage = z.output<typeof messageSchema.schema>;

const eventSchema = vendorSchema(z.looseObject({
	type: z.string(),
	eventTime: z.string().optional(),
	user: userSchema.optional(),
	space: spaceObject.optional(),
	action: z
		.looseObject({
			actionMethodName: z.string().optional(),
			parameters: z.array(z.looseObject({ key: z.string(), value: z.string() })).optional(),
		})
		.optional(),
}));

const addOnSchema = vendorSchema(z.looseObject({
	commonEventObject: z
		.looseObject({ invokedFunction: z.string().optional(), parameters: z.record(z.string(), z.string()).optional(), userLocale: z.string().optional() })
		.optional(),
	chat: z.looseObject({ user: userSchema.optional(), eventTime: z.string().optional() }),
}));

/** One event read from either envelope. */
interface ChatEvent {
	type: string;
	eventTime?: string;
	user?: ChatUser;
	space?: unknown;
	message?: unknown;
	action?: { method?: string; parameters: Record<string, string> };
	paths: { space: string; message: string };
	metadata: Json;
}

export function googleChatConversationType(space: ChatSpace): Conversation['type'] {
	switch (space.spaceType) {
		case 'DIRECT_MESSAGE':
			return 'direct';
		case 'GROUP_CHAT':
			return 'group';
		case 'SPACE':
			return 'channel';
		default:
			break;
	}
	if (space.singleUserBotDm) return 'direct';
	switch (space.type) {
		case 'DM':
			return 'direct';
		case 'ROOM':
			return 'channel';
		default:
			return 'channel';
	}
}

function participant(user: ChatUser): Participant {
	const p: Participant = { id: user.name };
	setDefined(p, 'name', user.displayName);
	setDefined(p, 'email', user.email);
	if (user.type === 'BOT') p.isBot = true;
	return p;
}

function mediaKind(contentType: string | undefined): MediaKind {
	if (!contentType) return 'document';
	if (contentType.startsWith('image/')) return 'image';
	if (contentType.startsWith('video/')) return 'video';
	if (contentType.startsWith('audio/')) return 'audio';
	return 'document';
}

function messageParts(m: ChatMessage, raw: Json, metadata: Json): Part[] {
	const parts: Part[] = [];
	const argument = m.argumentText?.trim();
	const text = argument || m.text;
	if (text !== undefined && text !== '') parts.push({ type: 'text', text, format: 'plain' });
	if (m.argumentText !== undefined && m.argumentText !== m.text) {
		metadata.argumentText = m.argumentText;
		if (m.text !== undefined) metadata.fullText = m.text;
	}
	(m.attachment ?? []).forEach((a, i) => {
		const mediaId = a.attachmentDataRef?.resourceName ?? a.driveDataRef?.driveFileId ?? a.name;
		if (a.downloadUri === undefined && mediaId === undefined) {
			parts.push({ type: 'unsupported', platformType: 'attachment', reason: 'an attachment without a download link or resource name', original: (raw.attachment as unknown[])[i] });
			return;
		}
		parts.push(
			compact({
				type: 'media' as const,
				kind: mediaKind(a.contentType),
				url: a.downloadUri,
				mediaId,
				mimeType: a.contentType,
				filename: a.contentName,
			}),
		);
	});
	for (const key of ['annotations', 'slashCommand', 'matchedUrl', 'cardsV2', 'cards'] as const) {
		if (raw[key] !== undefined) metadata[key] = raw[key];
	}
	if (parts.length === 0) parts.push({ type: 'unsupported', platformType: 'message', reason: 'a message without text or attachments', original: raw });
	return parts;
}

function readChatAppEvent(body: Json): ChatEvent {
	const e = readVendor(GOOGLE_CHAT, eventSchema, body);
	const common = isRecord(body.common) ? body.common : undefined;
	const parameters: Record<string, string> = {};
	for (const p of e.action?.parameters ?? []) parameters[p.key] = p.value;
	if (common && isRecord(common.parameters)) {
		for (const [k, v] of Object.entries(common.parameters)) if (typeof v === 'string' && parameters[k] === undefined) parameters[k] = v;
	}
	const method = e.action?.actionMethodName ?? (common && typeof common.invokedFunction === 'string' ? common.invokedFunction : undefined);
	return {
		type: e.type,
		eventTime: e.eventTime,
		user: e.user,
		space: body.space,
		message: body.message,
		action: method !== undefined || Object.keys(parameters).length > 0 ? { method, parameters } : undefined,
		paths: { space: 'space', message: 'message' },
		metadata: chatAppMetadata(body, common),
	};
}

function chatAppMetadata(body: Json, common: Json | undefined): Json {
	const metadata: Json = { envelope: 'chat' };
	if (common) {
		if (typeof common.userLocale === 'string') metadata.userLocale = common.userLocale;
		if (isRecord(common.timeZone) && typeof common.timeZone.id === 'string') metadata.timeZone = common.timeZone.id;
		setDefined(metadata, 'formInputs', common.formInputs);
	}
	if (typeof body.configCompleteRedirectUrl === 'string') metadata.configCompleteRedirectUrl = body.configCompleteRedirectUrl;
	return metadata;
}

/** Add-on payload field → the Chat app event type it stands for. */
const ADD_ON_PAYLOADS: ReadonlyArray<readonly [string, string]> = [
	['messagePayload', 'MESSAGE'],
	['addedToSpacePayload', 'ADDED_TO_SPACE'],
	['removedFromSpacePayload', 'REMOVED_FROM_SPACE'],
	['buttonClickedPayload', 'CARD_CLICKED'],
	['appCommandPayload', 'APP_COMMAND'],
	['widgetUpdatedPayload', 'WIDGET_UPDATED'],
];

function readAddOnEvent(body: Json): ChatEvent {
	const e = readVendor(GOOGLE_CHAT, addOnSchema, body);
	const chat = body.chat as Json;
	let type = 'UNKNOWN';
	let payloadKey: string | undefined;
	for (const [key, eventType] of ADD_ON_PAYLOADS) {
		if (isRecord(chat[key])) {
			type = eventType;
			payloadKey = key;
			break;
		}
	}
	if (payloadKey === undefined) {
		payloadKey = Object.keys(chat).find((k) => k.endsWith('Payload') && isRecord(chat[k]));
		if (payloadKey) type = payloadKey;
	}
	const payload = payloadKey ? (chat[payloadKey] as Json) : {};
	const common = e.commonEventObject;
	const parameters: Record<string, string> = { ...(common?.parameters ?? {}) };
	const rawCommon = isRecord(body.commonEventObject) ? body.commonEventObject : undefined;
	return {
		type,
		eventTime: e.chat.eventTime,
		user: e.chat.user,
		space: payload.space ?? (isRecord(payload.message) ? payload.message.space : undefined),
		message: payload.message,
		action: type === 'CARD_CLICKED' ? { method: common?.invokedFunction, parameters } : undefined,
		paths: { space: `chat.${payloadKey ?? ''}.space`, message: `chat.${payloadKey ?? ''}.message` },
		metadata: compact({
			envelope: 'addon',
			userLocale: common?.userLocale,
			timeZone: rawCommon && isRecord(rawCommon.timeZone) && typeof rawCommon.timeZone.id === 'string' ? rawCommon.timeZone.id : undefined,
			formInputs: rawCommon?.formInputs,
			appCommandMetadata: isRecord(payload.appCommandMetadata) ? payload.appCommandMetadata : undefined,
			configCompleteRedirectUri: typeof payload.configCompleteRedirectUri === 'string' ? payload.configCompleteRedirectUri : undefined,
		}),
	};
}

export function convertGoogleChatEvent(body: Json, context: NormalizeContext): Message {
	const event = isRecord(body.chat) && body.type === undefined ? readAddOnEvent(body) : readChatAppEvent(body);
	const message = event.message !== undefined ? readVendor(GOOGLE_CHAT, messageSchema, event.message, event.paths.message) : undefined;
	const rawMessage = message ? (event.message as Json) : undefined;
	const spaceValue = event.space ?? rawMessage?.space;
	if (spaceValue === undefined) throw new PayloadMismatchError(GOOGLE_CHAT, event.paths.space, 'the space the event happened in (object with name)');
	const space = readVendor(GOOGLE_CHAT, spaceSchema, spaceValue, event.space !== undefined ? event.paths.space : `${event.paths.message}.space`);

	const metadata: Json = { eventType: event.type, ...event.metadata };
	if (event.eventTime !== undefined) metadata.eventTime = event.eventTime;
	metadata.spaceType = space.spaceType ?? space.type;

	const parts: Part[] = [];
	let providerMessageId: string | undefined;
	let replyTo: Message['replyTo'];
	switch (event.type) {
		case 'MESSAGE':
		case 'APP_COMMAND':
			if (!message) throw new PayloadMismatchError(GOOGLE_CHAT, event.paths.message, 'the message (object)');
			parts.push(...messageParts(message, rawMessage!, metadata));
			providerMessageId = message.name;
			break;
		case 'ADDED_TO_SPACE':
			parts.push({ type: 'system', event: 'bot_added', data: compact({ space: space.name, spaceType: space.spaceType ?? space.type }) });
			// Added by @mentioning the app in a message: the message comes along.
			if (message) {
				parts.push(...messageParts(message, rawMessage!, metadata));
				providerMessageId = message.name;
			}
			break;
		case 'REMOVED_FROM_SPACE':
			parts.push({ type: 'system', event: 'bot_removed', data: compact({ space: space.name, spaceType: space.spaceType ?? space.type }) });
			break;
		case 'CARD_CLICKED': {
			const action = event.action;
			const id = action?.parameters.id ?? action?.method;
			if (id === undefined) {
				parts.push({ type: 'unsupported', platformType: 'CARD_CLICKED', reason: 'a card click without an action method or parameters', original: body });
			} else {
				parts.push({ type: 'interactive_reply', id, source: 'card_action' });
			}
			if (action) {
				if (action.method !== undefined) metadata.actionMethodName = action.method;
				metadata.actionParameters = action.parameters;
			}
			if (message) replyTo = compact({ messageId: message.name, senderId: message.sender?.name });
			break;
		}
		default:
			parts.push({ type: 'unsupported', platformType: event.type, reason: `Google Chat ${event.type} events are not mapped`, original: body });
	}
	if (message?.quotedMessageMetadata && replyTo === undefined) replyTo = { messageId: message.quotedMessageMetadata.name };

	const sender = message?.sender && event.type !== 'CARD_CLICKED' ? message.sender : event.user;
	const time = message?.createTime && providerMessageId ? message.createTime : event.eventTime;
	const timestamp = (time !== undefined ? fromDateString(time) : undefined) ?? context.now().toISOString();
	const id = providerMessageId ?? `${event.type}:${message?.name ?? space.name}:${event.eventTime ?? timestamp}`;
	const conversation: Conversation = { id: space.name, type: googleChatConversationType(space) };
	setDefined(conversation, 'threadId', message?.thread?.name);
	setDefined(conversation, 'name', space.displayName);
	return inboundMessage(
		GOOGLE_CHAT,
		'googlechat',
		{ id, conversation, sender: sender ? participant(sender) : undefined, timestamp, parts, replyTo, providerMessageId, metadata },
		context.keepRaw,
		body,
	);
}

export function convertGoogleChatRequest(request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	if (request.bodyKind === 'empty') throw new MalformedBodyError('The Google Chat event body is empty');
	if (request.bodyKind === 'text') throw new MalformedBodyError('The Google Chat event body is not JSON');
	const body = request.body;
	if (!isRecord(body)) throw new PayloadMismatchError(GOOGLE_CHAT, '', 'a Google Chat event (JSON object)');
	return { messages: [convertGoogleChatEvent(body, context)], events: [] };
}
