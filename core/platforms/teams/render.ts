/**
 * Universal message → Microsoft Teams bodies, in one of three variants (options.variant):
 *
 * - "bot" (default), Bot Framework (providers.md §5.2): message activities
 *   `{type:'message', text, textFormat, attachments, replyToId}` for
 *   `POST {serviceUrl}v3/conversations/{id}/activities[/{replyToId}]` — the endpoint is that path
 *   relative to the serviceUrl the inbound activity carried (metadata.serviceUrl). Cards, buttons and
 *   lists are Adaptive Cards (buttons: Action.Submit with data {id}, read back by normalize as that
 *   id; lists: an Input.ChoiceSet named "id" so the choice submits as {id}); images are attachments.
 *   A text after an attachment starts a new activity so the order is kept.
 * - "graph", Microsoft Graph chatMessage (§5.1): `{body:{contentType, content}, attachments}` where each
 *   card's `content` is a JSON string referenced by `<attachment id>` in the HTML body. Posted as a
 *   user, so Action.Submit would reach no bot: reply buttons and lists are listed as text instead.
 * - "workflows", a Teams Workflows webhook (§5.3): one `{type:'message', attachments:[Adaptive Card
 *   1.4]}`; text becomes TextBlocks. The flow's card cannot submit either (reply buttons → text).
 */
import { buttonsToText, htmlToPlain, listToText } from '../../render/degrade';
import { RenderError } from '../../errors';
import type { Button, MediaPart, Message, Part, TextPart } from '../../schema/message';
import { escapeHtml, markdownToHtml } from '../shared/markdown';
import type { Degradation, PlatformPayload, RenderCapabilities, RenderOptions } from '../types';

type Report = (d: Omit<Degradation, 'partIndex'> & { partIndex?: number }) => void;
type Body = Record<string, unknown>;

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

export const teamsCapabilities: RenderCapabilities = {
	parts: new Set(['text', 'media', 'buttons', 'list', 'card']),
	textFormats: new Set(['plain', 'markdown', 'html']),
	// Teams shows at most six actions on a card.
	maxButtons: 6,
	buttonActions: new Set(['reply', 'url']),
	maxListRows: 100,
	mediaKinds: new Set(['image']),
};

export type TeamsVariant = 'bot' | 'graph' | 'workflows';

function variantOf(options: RenderOptions): TeamsVariant {
	const v = options.variant ?? 'bot';
	if (v === 'bot' || v === 'graph' || v === 'workflows') return v;
	throw new RenderError('teams', `unknown variant "${v}"`, 'Use variant "bot" (default), "graph" or "workflows".');
}

function adaptiveCard(body: Body[], actions: Body[], version: string): Body {
	return { type: 'AdaptiveCard', $schema: CARD_SCHEMA, version, body, ...(actions.length ? { actions } : {}) };
}

const textBlock = (text: string, extra: Body = {}): Body => ({ type: 'TextBlock', text, wrap: true, ...extra });

/** Markdown characters escaped so plain text shows as typed next to markdown text. */
function escapeMarkdown(text: string): string {
	return text.replace(/([\\`*_{}[\]()#+\-.!~|>])/g, '\\$1');
}

interface CardOut {
	body: Body[];
	actions: Body[];
}

/**
 * Adaptive Card elements for one part. `submit` = whether Action.Submit reaches someone (a bot);
 * without it, reply buttons and lists become text and are reported.
 */
function cardElements(part: Part, partIndex: number, submit: boolean, report: Report): CardOut | undefined {
	const actionsFor = (buttons: readonly Button[], out: CardOut) => {
		const lost: Button[] = [];
		for (const b of buttons) {
			if (b.action === 'url' && b.url) out.actions.push({ type: 'Action.OpenUrl', title: b.title, url: b.url });
			else if (b.action === 'reply' && submit) out.actions.push({ type: 'Action.Submit', title: b.title, data: { id: b.id ?? b.title } });
			else lost.push(b);
		}
		if (lost.length) {
			report({ partIndex, from: part.type, to: 'text', reason: submit ? 'Teams cards have no call buttons' : 'card clicks in this variant reach no bot; reply buttons listed as text' });
			out.body.push(textBlock(buttonsToText(undefined, lost)));
		}
	};
	switch (part.type) {
		case 'card': {
			const out: CardOut = { body: [], actions: [] };
			if (part.title) out.body.push(textBlock(part.title, { size: 'Medium', weight: 'Bolder' }));
			if (part.subtitle) out.body.push(textBlock(part.subtitle, { isSubtle: true, spacing: 'None' }));
			if (part.imageUrl) out.body.push({ type: 'Image', url: part.imageUrl, ...(part.title ? { altText: part.title } : {}) });
			if (part.text) out.body.push(textBlock(part.text));
			if (part.fields.length) out.body.push({ type: 'FactSet', facts: part.fields.map((f) => ({ title: f.label, value: f.value })) });
			actionsFor(part.buttons, out);
			return out;
		}
		case 'buttons': {
			const out: CardOut = { body: part.text ? [textBlock(part.text)] : [], actions: [] };
			actionsFor(part.buttons, out);
			return out;
		}
		case 'list': {
			if (!submit) {
				report({ partIndex, from: 'list', to: 'text', reason: 'card inputs in this variant reach no bot; the list is shown as text' });
				return { body: [textBlock(listToText(part))], actions: [] };
			}
			return {
				body: [
					...(part.text ? [textBlock(part.text)] : []),
					{
						type: 'Input.ChoiceSet',
						id: 'id',
						style: 'compact',
						isRequired: true,
						...(part.buttonText ? { placeholder: part.buttonText } : {}),
						choices: part.sections.flatMap((s) => s.rows.map((r) => ({ title: r.description ? `${r.title} — ${r.description}` : r.title, value: r.id }))),
					},
				],
				actions: [{ type: 'Action.Submit', title: part.buttonText ?? 'Submit' }],
			};
		}
		case 'media':
			return { body: [{ type: 'Image', url: part.url, ...(part.caption ? { altText: part.caption } : {}) }, ...(part.caption ? [textBlock(part.caption, { isSubtle: true })] : [])], actions: [] };
		default:
			return undefined;
	}
}

function guessImageType(part: MediaPart): string {
	if (part.mimeType) return part.mimeType;
	const ext = (part.url ?? part.filename ?? '').split('?')[0]!.split('.').pop()?.toLowerCase();
	if (ext === 'png') return 'image/png';
	if (ext === 'gif') return 'image/gif';
	if (ext === 'webp') return 'image/webp';
	return 'image/jpeg';
}

/** Text parts of one message as one text in one format: html wins over markdown over plain. */
function joinTexts(texts: readonly TextPart[], target: 'plain' | 'markdown' | 'html'): string {
	const pieces = texts.map((t) => {
		if (target === 'html') return t.format === 'html' ? t.text : t.format === 'markdown' ? markdownToHtml(t.text) : escapeHtml(t.text).replace(/\n/g, '<br>');
		if (target === 'markdown') return t.format === 'plain' ? escapeMarkdown(t.text) : t.text;
		return t.text;
	});
	return pieces.join(target === 'html' ? '<br><br>' : '\n\n');
}

function formatOf(texts: readonly TextPart[]): 'plain' | 'markdown' | 'html' {
	if (texts.some((t) => t.format === 'html')) return 'html';
	if (texts.some((t) => t.format === 'markdown')) return 'markdown';
	return 'plain';
}

const CONVERSATION_TYPES: Readonly<Record<string, string>> = { direct: 'personal', group: 'groupChat', channel: 'channel' };

function renderBot(message: Message, recipient: string, report: Report): PlatformPayload[] {
	const threadId = recipient === message.conversation.id ? message.conversation.threadId : undefined;
	const conversationId = threadId && !recipient.includes(';messageid=') ? `${recipient};messageid=${threadId}` : recipient;
	const activities: Array<{ texts: TextPart[]; attachments: Body[] }> = [];
	let current: { texts: TextPart[]; attachments: Body[] } | undefined;
	const next = () => {
		current = { texts: [], attachments: [] };
		activities.push(current);
		return current;
	};
	message.parts.forEach((part, i) => {
		if (part.type === 'text') {
			if (part.text.trim() === '') return report({ partIndex: i, from: 'text', to: 'dropped', reason: 'empty text' });
			const target = current && current.attachments.length === 0 ? current : next();
			target.texts.push(part);
			return;
		}
		if (part.type === 'media') {
			if (!part.url) return report({ partIndex: i, from: 'media', to: 'dropped', reason: 'Teams bots send images by URL; this part has none' });
			(current ?? next()).attachments.push({ contentType: guessImageType(part), contentUrl: part.url, ...(part.filename ? { name: part.filename } : {}) });
			return;
		}
		const card = cardElements(part, i, true, report);
		if (!card) return report({ partIndex: i, from: part.type, to: 'dropped', reason: 'not sendable on Teams' });
		(current ?? next()).attachments.push({ contentType: ADAPTIVE_CARD, content: adaptiveCard(card.body, card.actions, '1.5') });
	});
	const replyTo = message.replyTo?.messageId;
	// The conversation as a proactive activity names it; type and tenant when the message knows them.
	const conversation: Body = { id: conversationId };
	if (recipient === message.conversation.id) {
		const type = CONVERSATION_TYPES[message.conversation.type];
		if (type) conversation.conversationType = type;
	}
	if (typeof message.metadata.tenantId === 'string') conversation.tenantId = message.metadata.tenantId;
	return activities.map((a, k) => {
		const body: Body = { type: 'message' };
		if (a.texts.length) {
			const format = formatOf(a.texts);
			body.text = joinTexts(a.texts, format);
			body.textFormat = format === 'html' ? 'xml' : format;
		}
		if (a.attachments.length) body.attachments = a.attachments;
		body.conversation = conversation;
		const reply = k === 0 && replyTo !== undefined;
		if (reply) body.replyToId = replyTo;
		const endpoint = `v3/conversations/${encodeURIComponent(conversationId)}/activities${reply ? `/${encodeURIComponent(replyTo)}` : ''}`;
		return { endpoint, contentType: 'application/json' as const, body };
	});
}

function renderGraph(message: Message, recipient: string, report: Report): PlatformPayload[] {
	const texts: TextPart[] = [];
	const htmlPieces: string[] = [];
	const attachments: Body[] = [];
	message.parts.forEach((part, i) => {
		if (part.type === 'text') {
			if (part.text.trim() === '') return report({ partIndex: i, from: 'text', to: 'dropped', reason: 'empty text' });
			texts.push(part);
			htmlPieces.push(joinTexts([part], 'html'));
			return;
		}
		if (part.type === 'media' && !part.url) return report({ partIndex: i, from: 'media', to: 'dropped', reason: 'Graph cards show images by URL; this part has none' });
		const card = cardElements(part, i, false, report);
		if (!card) return report({ partIndex: i, from: part.type, to: 'dropped', reason: 'not sendable on Teams' });
		const id = String(attachments.length + 1);
		attachments.push({ id, contentType: ADAPTIVE_CARD, contentUrl: null, content: JSON.stringify(adaptiveCard(card.body, card.actions, '1.4')) });
		htmlPieces.push(`<attachment id="${id}"></attachment>`);
	});
	const html = attachments.length > 0 || formatOf(texts) !== 'plain';
	const body: Body = {
		body: html ? { contentType: 'html', content: htmlPieces.join('<br>') } : { contentType: 'text', content: texts.map((t) => t.text).join('\n\n') },
	};
	if (attachments.length) body.attachments = attachments;
	const teamId = typeof message.metadata.teamId === 'string' ? message.metadata.teamId : undefined;
	const channelId = recipient.split(';messageid=')[0]!;
	const root = (recipient === message.conversation.id ? message.conversation.threadId : undefined) ?? message.replyTo?.messageId;
	let endpoint: string;
	if (message.conversation.type === 'channel' && teamId) {
		endpoint = `teams/${encodeURIComponent(teamId)}/channels/${encodeURIComponent(channelId)}/messages${root ? `/${encodeURIComponent(root)}/replies` : ''}`;
	} else {
		endpoint = `chats/${encodeURIComponent(channelId)}/messages`;
		if (message.replyTo) report({ from: 'replyTo', to: 'dropped', reason: 'Graph chats have no replies; only channel messages can be answered in a thread (needs metadata.teamId)' });
	}
	return [{ endpoint, contentType: 'application/json', body }];
}

function renderWorkflows(message: Message, report: Report): PlatformPayload[] {
	const body: Body[] = [];
	const actions: Body[] = [];
	message.parts.forEach((part, i) => {
		if (part.type === 'text') {
			if (part.text.trim() === '') return report({ partIndex: i, from: 'text', to: 'dropped', reason: 'empty text' });
			let text = part.text;
			if (part.format === 'html') {
				report({ partIndex: i, from: 'text/html', to: 'text/plain', reason: 'Adaptive Card TextBlocks have no HTML' });
				text = htmlToPlain(text);
			}
			body.push(textBlock(text));
			return;
		}
		if (part.type === 'media' && !part.url) return report({ partIndex: i, from: 'media', to: 'dropped', reason: 'cards show images by URL; this part has none' });
		const card = cardElements(part, i, false, report);
		if (!card) return report({ partIndex: i, from: part.type, to: 'dropped', reason: 'not sendable to a Teams workflow' });
		body.push(...card.body);
		actions.push(...card.actions);
	});
	if (message.replyTo) report({ from: 'replyTo', to: 'dropped', reason: 'a workflow webhook posts where the flow says; it cannot reply to a message' });
	return [
		{
			endpoint: 'workflows',
			contentType: 'application/json',
			body: { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD, contentUrl: null, content: adaptiveCard(body, actions, '1.4') }] },
		},
	];
}

export function renderTeams(message: Message, options: RenderOptions, report: Report): PlatformPayload[] {
	const variant = variantOf(options);
	const recipient = options.to ?? message.recipients[0]?.id ?? message.conversation.id;
	if (variant === 'graph') return renderGraph(message, recipient, report);
	if (variant === 'workflows') return renderWorkflows(message, report);
	return renderBot(message, recipient, report);
}
