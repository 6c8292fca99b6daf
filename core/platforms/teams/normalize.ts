/**
 * Microsoft Teams Bot Framework activities (providers.md §5.2) → universal messages.
 *
 * One activity per POST. A flow that wants to answer needs `serviceUrl` and the conversation id, so
 * both (and a Bot Framework ConversationReference built from the activity) are kept in metadata.
 *
 * - message: text (the bot's own <at>mention</at> stripped using `entities`; other mentions become
 *   "@Name"); attachments: Adaptive/hero/thumbnail cards → card part (best effort, the card JSON stays
 *   in metadata.attachments), file download info → media document, images → media image; an
 *   Action.Submit click (`value`, usually without text) → interactive_reply source card_action.
 * - messageUpdate → the message again with metadata.edited; messageDelete → system message_deleted.
 * - conversationUpdate / installationUpdate → system parts; messageReaction → reaction parts.
 * - invoke and anything else → unsupported (invokes need a synchronous answer the flow must give).
 *
 * Ids: the activity id is the provider message id (what replyToId takes).
 */
import { z } from 'zod/v4';
import { MalformedBodyError, PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import { type Button, type CardPart, type Conversation, type Message, type Part, type Participant } from '../../schema/message';
import { compact, isRecord, type Json, lookupTable } from '../../util/object';
import { fromDateString } from '../../util/time';
import { inboundMessage, setDefined } from '../shared/inbound';
import { readVendor, vendorSchema } from '../shared/vendor';
import type { NormalizeContext, NormalizeOutput } from '../types';

export const TEAMS = 'teams';

const accountSchema = z.looseObject({ id: z.string().min(1), name: z.string().optional(), aadObjectId: z.string().optional(), role: z.string().optional() });

const activitySchema = vendorSchema(z.looseObject({
	type: z.string(),
	id: z.string().min(1).optional(),
	timestamp: z.string().optional(),
	serviceUrl: z.string().optional(),
	channelId: z.string().optional(),
	from: accountSchema.optional(),
	recipient: accountSchema.optional(),
	conversation: z.looseObject({
		id: z.string().min(1),
		conversationType: z.string().optional(),
		tenantId: z.string().optional(),
		isGroup: z.boolean().optional(),
		name: z.string().optional(),
	}),
	text: z.string().optional(),
	textFormat: z.string().optional(),
	replyToId: z.string().min(1).optional(),
	attachments: z.array(z.looseObject({ contentType: z.string(), contentUrl: z.string().nullable().optional(), name: z.string().nullable().optional() })).optional(),
	entities: z.array(z.looseObject({ type: z.string() })).optional(),
	membersAdded: z.array(accountSchema).optional(),
	membersRemoved: z.array(accountSchema).optional(),
	reactionsAdded: z.array(z.looseObject({ type: z.string() })).optional(),
	reactionsRemoved: z.array(z.looseObject({ type: z.string() })).optional(),
	name: z.string().optional(),
	action: z.string().optional(),
	locale: z.string().optional(),
}));
type Activity = z.output<typeof activitySchema.schema>;

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
const HERO = 'application/vnd.microsoft.card.hero';
const THUMBNAIL = 'application/vnd.microsoft.card.thumbnail';
const FILE_DOWNLOAD = 'application/vnd.microsoft.teams.file.download.info';

/** Teams reaction types (the ones the client offers) → emoji. */
const REACTION_EMOJI: Readonly<Record<string, string>> = lookupTable({
	like: '👍',
	heart: '❤️',
	laugh: '😆',
	surprised: '😮',
	sad: '😢',
	angry: '😠',
});

export function teamsReactionEmoji(type: string): string {
	return REACTION_EMOJI[type] ?? type;
}

export function teamsConversationType(conversationType: string | undefined, isGroup: boolean | undefined): Conversation['type'] {
	switch (conversationType) {
		case 'personal':
			return 'direct';
		case 'groupChat':
			return 'group';
		case 'channel':
			return 'channel';
		default:
			return isGroup ? 'group' : 'direct';
	}
}

const FILE_TYPES: Readonly<Record<string, string>> = lookupTable({
	pdf: 'application/pdf',
	txt: 'text/plain',
	csv: 'text/csv',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	zip: 'application/zip',
});

function str(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

function participant(account: z.output<typeof accountSchema>): Participant {
	const p: Participant = { id: account.id };
	setDefined(p, 'name', account.name);
	// Bot accounts are "28:<app id>" and Bot Framework marks them role "bot".
	if (account.role === 'bot' || account.id.startsWith('28:')) p.isBot = true;
	return p;
}

/** Strips the bot's own mention; other `<at>Name</at>` mentions read as "@Name". */
function cleanText(text: string, activity: Activity, raw: Json, metadata: Json): string {
	if (!text.includes('<at')) return text;
	let out = text;
	const botId = activity.recipient?.id;
	const mentions: Json[] = [];
	const entities = Array.isArray(raw.entities) ? raw.entities : [];
	for (const entity of entities) {
		if (!isRecord(entity) || entity.type !== 'mention' || typeof entity.text !== 'string' || entity.text === '') continue;
		const mentioned = isRecord(entity.mentioned) ? entity.mentioned : {};
		if (botId !== undefined && mentioned.id === botId) {
			out = out.replace(entity.text, '');
			metadata.botMentioned = true;
		} else {
			const name = str(mentioned.name) ?? entity.text.replace(/<\/?at>/g, '');
			out = out.replace(entity.text, `@${name}`);
			mentions.push(compact({ id: str(mentioned.id), name }));
		}
	}
	if (mentions.length) metadata.mentions = mentions;
	return out.replace(/ {2,}/g, ' ').trim();
}

/** Texts of an Adaptive Card's TextBlocks/RichTextBlocks and facts, depth first. */
function collectCard(elements: unknown, texts: string[], fields: CardPart['fields'], images: string[]): void {
	if (!Array.isArray(elements)) return;
	for (const element of elements) {
		if (!isRecord(element)) continue;
		switch (element.type) {
			case 'TextBlock':
				if (typeof element.text === 'string' && element.text !== '') texts.push(element.text);
				break;
			case 'RichTextBlock':
				if (Array.isArray(element.inlines)) {
					const line = element.inlines.map((i) => (typeof i === 'string' ? i : isRecord(i) && typeof i.text === 'string' ? i.text : '')).join('');
					if (line !== '') texts.push(line);
				}
				break;
			case 'FactSet':
				if (Array.isArray(element.facts)) {
					for (const fact of element.facts) {
						if (isRecord(fact) && typeof fact.title === 'string' && typeof fact.value === 'string') fields.push({ label: fact.title, value: fact.value });
					}
				}
				break;
			case 'Image':
				if (typeof element.url === 'string') images.push(element.url);
				break;
			default:
				break;
		}
		collectCard(element.items, texts, fields, images);
		collectCard(element.columns, texts, fields, images);
		collectCard(element.body, texts, fields, images);
	}
}

function cardButtons(actions: unknown): Button[] {
	if (!Array.isArray(actions)) return [];
	const out: Button[] = [];
	for (const action of actions) {
		if (!isRecord(action)) continue;
		const title = str(action.title);
		if (!title) continue;
		if ((action.type === 'Action.OpenUrl' || action.type === 'openUrl') && typeof (action.url ?? action.value) === 'string') {
			out.push({ title, action: 'url', url: String(action.url ?? action.value) });
		} else if (action.type === 'Action.Submit' || action.type === 'Action.Execute' || action.type === 'imBack' || action.type === 'messageBack' || action.type === 'postBack') {
			out.push({ title, action: 'reply', id: submitId(action.data ?? action.value) ?? title });
		}
	}
	return out;
}

/**
 * What a card action's data identifies. Switchboard's own cards submit `{id}` (see render.ts), which
 * reads back as that id; any other data is identified by its JSON.
 */
export function submitId(data: unknown): string | undefined {
	if (data === undefined || data === null) return undefined;
	if (typeof data === 'string') return data;
	if (isRecord(data)) {
		const keys = Object.keys(data).filter((k) => k !== 'msteams');
		if (keys.length === 1 && keys[0] === 'id' && typeof data.id === 'string') return data.id;
	}
	return JSON.stringify(data);
}

function cardPart(contentType: string, content: Json): CardPart | undefined {
	if (contentType === ADAPTIVE) {
		const texts: string[] = [];
		const fields: CardPart['fields'] = [];
		const images: string[] = [];
		collectCard(content.body, texts, fields, images);
		const buttons = cardButtons(content.actions);
		if (texts.length === 0 && fields.length === 0 && images.length === 0 && buttons.length === 0) return undefined;
		return compact({
			type: 'card' as const,
			title: texts[0],
			text: texts.length > 1 ? texts.slice(1).join('\n') : undefined,
			imageUrl: images[0],
			fields,
			buttons,
		});
	}
	// Hero and thumbnail cards.
	const image = Array.isArray(content.images) && isRecord(content.images[0]) ? str(content.images[0].url) : undefined;
	const buttons = cardButtons(content.buttons);
	const title = str(content.title);
	const subtitle = str(content.subtitle);
	const text = str(content.text);
	if (!title && !subtitle && !text && !image && buttons.length === 0) return undefined;
	return compact({ type: 'card' as const, title, subtitle, text, imageUrl: image, fields: [], buttons });
}

function attachmentParts(attachments: NonNullable<Activity['attachments']>, rawAttachments: unknown[], hasText: boolean): Part[] {
	const parts: Part[] = [];
	attachments.forEach((attachment, i) => {
		const raw = rawAttachments[i] as Json;
		const content = isRecord(raw.content) ? raw.content : undefined;
		const type = attachment.contentType;
		if ((type === ADAPTIVE || type === HERO || type === THUMBNAIL) && content) {
			const card = cardPart(type, content);
			if (card) {
				parts.push(card);
				return;
			}
		} else if (type === FILE_DOWNLOAD && content && typeof content.downloadUrl === 'string') {
			const fileType = str(content.fileType)?.toLowerCase();
			parts.push(
				compact({
					type: 'media' as const,
					kind: 'document' as const,
					url: content.downloadUrl,
					mediaId: str(content.uniqueId),
					filename: attachment.name ?? undefined,
					mimeType: fileType ? FILE_TYPES[fileType] : undefined,
				}),
			);
			return;
		} else if (type === 'text/html') {
			// Teams repeats a formatted message's text as HTML: only content when there is no text.
			if (hasText) return;
			if (typeof raw.content === 'string' && raw.content !== '') {
				parts.push({ type: 'text', text: raw.content, format: 'html' });
				return;
			}
		} else if (type.startsWith('image/') && attachment.contentUrl) {
			parts.push(compact({ type: 'media' as const, kind: 'image' as const, url: attachment.contentUrl, mimeType: type, filename: attachment.name ?? undefined }));
			return;
		} else if ((type.startsWith('video/') || type.startsWith('audio/') || type.startsWith('application/')) && attachment.contentUrl && !type.startsWith('application/vnd.microsoft')) {
			const kind = type.startsWith('video/') ? 'video' : type.startsWith('audio/') ? 'audio' : 'document';
			parts.push(compact({ type: 'media' as const, kind, url: attachment.contentUrl, mimeType: type, filename: attachment.name ?? undefined }));
			return;
		}
		parts.push({ type: 'unsupported', platformType: type, reason: 'Teams attachment not mapped', original: raw });
	});
	return parts;
}

function conversationOf(activity: Activity): Conversation {
	const id = activity.conversation.id;
	const conversation: Conversation = { id, type: teamsConversationType(activity.conversation.conversationType, activity.conversation.isGroup) };
	// Channel thread replies address the conversation as "<channel>;messageid=<root message id>".
	const marker = id.indexOf(';messageid=');
	if (marker >= 0) conversation.threadId = id.slice(marker + ';messageid='.length);
	setDefined(conversation, 'name', activity.conversation.name);
	return conversation;
}

function activityMetadata(activity: Activity, raw: Json): Json {
	const channelData = isRecord(raw.channelData) ? raw.channelData : undefined;
	const tenantId = activity.conversation.tenantId ?? (channelData && isRecord(channelData.tenant) ? str(channelData.tenant.id) : undefined);
	const metadata: Json = { activityType: activity.type };
	setDefined(metadata, 'activityId', activity.id);
	setDefined(metadata, 'serviceUrl', activity.serviceUrl);
	setDefined(metadata, 'channelId', activity.channelId);
	setDefined(metadata, 'tenantId', tenantId);
	setDefined(metadata, 'conversationType', activity.conversation.conversationType);
	if (channelData) {
		if (isRecord(channelData.team)) {
			setDefined(metadata, 'teamId', str(channelData.team.id));
			setDefined(metadata, 'teamName', str(channelData.team.name));
		}
		if (isRecord(channelData.channel)) {
			setDefined(metadata, 'teamsChannelId', str(channelData.channel.id));
			setDefined(metadata, 'channelName', str(channelData.channel.name));
		}
		setDefined(metadata, 'eventType', str(channelData.eventType));
	}
	setDefined(metadata, 'locale', activity.locale);
	setDefined(metadata, 'localTimestamp', str(raw.localTimestamp));
	setDefined(metadata, 'aadObjectId', activity.from?.aadObjectId);

	// What botbuilder's continueConversation / a proactive send needs.
	const conversation: Json = { id: activity.conversation.id };
	setDefined(conversation, 'conversationType', activity.conversation.conversationType);
	setDefined(conversation, 'tenantId', tenantId);
	setDefined(conversation, 'isGroup', activity.conversation.isGroup);
	const reference: Json = {};
	setDefined(reference, 'activityId', activity.id);
	if (activity.from) {
		const user: Json = { id: activity.from.id };
		setDefined(user, 'name', activity.from.name);
		setDefined(user, 'aadObjectId', activity.from.aadObjectId);
		reference.user = user;
	}
	if (activity.recipient) {
		const bot: Json = { id: activity.recipient.id };
		setDefined(bot, 'name', activity.recipient.name);
		reference.bot = bot;
	}
	reference.conversation = conversation;
	setDefined(reference, 'channelId', activity.channelId);
	setDefined(reference, 'serviceUrl', activity.serviceUrl);
	setDefined(reference, 'locale', activity.locale);
	metadata.conversationReference = reference;
	return metadata;
}

function systemFromMembers(activity: Activity, raw: Json): Part[] {
	const botId = activity.recipient?.id;
	const parts: Part[] = [];
	const members = (list: Json[] | undefined) => (list ?? []).map((m) => compact({ id: str(m.id), name: str(m.name), aadObjectId: str(m.aadObjectId) }));
	const added = Array.isArray(raw.membersAdded) ? (raw.membersAdded as Json[]) : undefined;
	const removed = Array.isArray(raw.membersRemoved) ? (raw.membersRemoved as Json[]) : undefined;
	if (added?.length) {
		const bot = added.some((m) => m.id === botId);
		const others = added.filter((m) => m.id !== botId);
		if (bot) parts.push({ type: 'system', event: 'bot_added', data: { members: members(added.filter((m) => m.id === botId)) } });
		if (others.length) parts.push({ type: 'system', event: 'member_added', data: { members: members(others) } });
	}
	if (removed?.length) {
		const bot = removed.some((m) => m.id === botId);
		const others = removed.filter((m) => m.id !== botId);
		if (bot) parts.push({ type: 'system', event: 'bot_removed', data: { members: members(removed.filter((m) => m.id === botId)) } });
		if (others.length) parts.push({ type: 'system', event: 'member_removed', data: { members: members(others) } });
	}
	const channelData = isRecord(raw.channelData) ? raw.channelData : undefined;
	const eventType = channelData ? str(channelData.eventType) : undefined;
	if (parts.length === 0) {
		parts.push(compact({ type: 'system' as const, event: eventType ?? 'conversation_update', data: compact({ channelData, topicName: str(raw.topicName) }) }));
	}
	return parts;
}

function messageParts(activity: Activity, raw: Json, metadata: Json): Part[] {
	const parts: Part[] = [];
	const text = activity.text !== undefined ? cleanText(activity.text, activity, raw, metadata) : '';
	if (text !== '') {
		const format = activity.textFormat === 'markdown' ? 'markdown' : activity.textFormat === 'xml' ? 'html' : 'plain';
		parts.push({ type: 'text', text, format });
	}
	if (activity.attachments?.length) {
		parts.push(...attachmentParts(activity.attachments, raw.attachments as unknown[], text !== ''));
		metadata.attachments = raw.attachments;
	}
	// An Action.Submit click: the card's data (merged with its inputs) arrives as `value`.
	if (raw.value !== undefined && raw.value !== null) {
		const id = submitId(raw.value)!;
		const title = isRecord(raw.value) ? str(raw.value.title) : undefined;
		parts.push(compact({ type: 'interactive_reply' as const, id, title, source: 'card_action' as const }));
		metadata.value = raw.value;
	}
	return parts;
}

function partsFor(activity: Activity, raw: Json, metadata: Json): Part[] {
	switch (activity.type) {
		case 'message':
			return messageParts(activity, raw, metadata);
		case 'messageUpdate':
			metadata.edited = true;
			return messageParts(activity, raw, metadata);
		case 'messageDelete':
			return [{ type: 'system', event: 'message_deleted', data: compact({ messageId: activity.id, eventType: metadata.eventType }) }];
		case 'conversationUpdate':
			return systemFromMembers(activity, raw);
		case 'installationUpdate':
			return [
				compact({
					type: 'system' as const,
					event: activity.action?.startsWith('remove') ? 'app_uninstalled' : 'app_installed',
					data: compact({ action: activity.action }),
				}),
			];
		case 'messageReaction': {
			const target = activity.replyToId ?? '';
			const parts: Part[] = [];
			for (const r of activity.reactionsAdded ?? []) parts.push({ type: 'reaction', emoji: teamsReactionEmoji(r.type), targetMessageId: target });
			if (activity.reactionsRemoved?.length) {
				// The universal format marks a removal with an empty emoji; which one is in metadata.
				parts.push({ type: 'reaction', emoji: '', targetMessageId: target });
				metadata.reactionsRemoved = activity.reactionsRemoved.map((r) => r.type);
			}
			return parts;
		}
		case 'invoke':
			metadata.invokeName = activity.name;
			return [{ type: 'unsupported', platformType: `invoke${activity.name ? `:${activity.name}` : ''}`, reason: 'invoke activities need a synchronous invoke response', original: raw }];
		default:
			return [];
	}
}

export function convertTeamsActivity(raw: unknown, path: string, context: NormalizeContext): Message {
	const activity = readVendor(TEAMS, activitySchema, raw, path);
	const rawActivity = raw as Json;
	if (activity.type === 'messageReaction' && !activity.replyToId) {
		throw new PayloadMismatchError(TEAMS, path ? `${path}.replyToId` : 'replyToId', 'the id of the message reacted to (string)');
	}
	const metadata = activityMetadata(activity, rawActivity);
	let parts = partsFor(activity, rawActivity, metadata);
	if (parts.length === 0) {
		parts = [{ type: 'unsupported', platformType: activity.type, reason: `nothing mappable in this ${activity.type} activity`, original: raw }];
	}
	const timestamp = (activity.timestamp !== undefined ? fromDateString(activity.timestamp) : undefined) ?? context.now().toISOString();
	const providerId = activity.id;
	const id = providerId ?? `${activity.conversation.id}:${activity.type}:${activity.timestamp ?? timestamp}`;
	// Reactions, edits and membership changes are not the message they are about (Teams reuses the
	// message's id): their Switchboard id says what happened, so de-duplication keeps them apart.
	const isContent = activity.type === 'message' || activity.type === 'messageUpdate';
	const switchboardId = activity.type === 'message' ? id : activity.type === 'messageUpdate' ? `messageUpdate:${id}:${timestamp}` : `${activity.type}:${id}`;
	return inboundMessage(
		TEAMS,
		'teams',
		{
			id: switchboardId,
			conversation: conversationOf(activity),
			sender: activity.from ? participant(activity.from) : undefined,
			recipients: activity.recipient ? [participant(activity.recipient)] : [],
			timestamp,
			parts,
			replyTo: activity.replyToId && activity.type !== 'messageReaction' ? { messageId: activity.replyToId } : undefined,
			providerMessageId: isContent ? providerId : undefined,
			metadata,
		},
		context.keepRaw,
		raw,
	);
}

export function convertTeamsRequest(request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	if (request.bodyKind === 'empty') throw new MalformedBodyError('The Teams activity body is empty');
	if (request.bodyKind === 'text') throw new MalformedBodyError('The Teams activity body is not JSON');
	const body = request.body;
	if (Array.isArray(body)) return { messages: body.map((activity, i) => convertTeamsActivity(activity, `[${i}]`, context)), events: [] };
	if (!isRecord(body)) throw new PayloadMismatchError(TEAMS, '', 'a Bot Framework activity (JSON object)');
	return { messages: [convertTeamsActivity(body, '', context)], events: [] };
}
