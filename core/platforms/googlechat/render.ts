/**
 * Universal message → Google Chat Message bodies (providers.md §7.1, §7.2):
 * `{text, cardsV2: [{cardId, card: {header, sections: [{widgets}]}}], thread: {name} | {threadKey}}`.
 *
 * Text parts join into `text` (markdown converted to Chat's *bold* _italic_ ~strike~ <url|label>);
 * cards, buttons and images become cardsV2 entries (textParagraph / decoratedText / buttonList /
 * image widgets). A reply button is `onClick.action {function: <id>, parameters: [{key: "id", value:
 * <id>}]}`, which normalize reads back from CARD_CLICKED as that id.
 *
 * Variants: "api" (default) → endpoint `v1/spaces/…/messages`; "webhook" → endpoint `webhook` (the
 * caller's incoming-webhook URL; the query to append is included). The body is the same, except that
 * webhook messages belong to no app, so reply buttons are listed as text there. Threads: a thread
 * resource name goes in thread.name, anything else is a threadKey; replies use
 * messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD. Reactions (api only) are
 * `POST v1/{message}/reactions {emoji: {unicode}}` — Google allows that with user authentication only.
 */
import { buttonsToText } from '../../render/degrade';
import type { Button, Message } from '../../schema/message';
import { escapeHtml, markdownToGoogleChat } from '../shared/markdown';
import type { Degradation, PlatformPayload, RenderCapabilities, RenderOptions } from '../types';
import { RenderError } from '../../errors';

type Report = (d: Omit<Degradation, 'partIndex'> & { partIndex?: number }) => void;
type Body = Record<string, unknown>;

export const googleChatCapabilities: RenderCapabilities = {
	parts: new Set(['text', 'media', 'buttons', 'card', 'reaction']),
	textFormats: new Set(['plain', 'markdown']),
	buttonActions: new Set(['reply', 'url']),
	mediaKinds: new Set(['image']),
};

const REPLY_OPTION = 'messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD';

function spaceName(recipient: string): string {
	return recipient.startsWith('spaces/') ? recipient : `spaces/${recipient}`;
}

/** `spaces/S/messages/T.M` → `spaces/S/threads/T` (how Chat names a threaded message's thread). */
function threadOfMessage(name: string): string | undefined {
	const m = /^(spaces\/[^/]+)\/messages\/([^./]+)\.[^/]+$/.exec(name);
	return m ? `${m[1]}/threads/${m[2]}` : undefined;
}

export function renderGoogleChat(message: Message, options: RenderOptions, report: Report): PlatformPayload[] {
	const variant = options.variant ?? 'api';
	if (variant !== 'api' && variant !== 'webhook') {
		throw new RenderError('googlechat', `unknown variant "${variant}"`, 'Use variant "api" (default) or "webhook".');
	}
	const webhook = variant === 'webhook';
	const recipient = options.to ?? message.recipients[0]?.id ?? message.conversation.id;
	const space = spaceName(recipient);

	let thread: Body | undefined;
	const threadId = recipient === message.conversation.id ? message.conversation.threadId : undefined;
	if (threadId) thread = threadId.startsWith('spaces/') ? { name: threadId } : { threadKey: threadId };
	else if (message.replyTo) {
		const name = threadOfMessage(message.replyTo.messageId);
		if (name) thread = { name };
		else report({ from: 'replyTo', to: 'dropped', reason: `cannot tell the thread of "${message.replyTo.messageId}"; set conversation.threadId` });
	}

	const payloads: PlatformPayload[] = [];
	let texts: string[] = [];
	let cards: Body[] = [];
	let cardCount = 0;
	const flush = () => {
		if (texts.length === 0 && cards.length === 0) return;
		const body: Body = {};
		if (texts.length) body.text = texts.join('\n');
		if (cards.length) body.cardsV2 = cards;
		if (thread) body.thread = thread;
		const query = thread ? `?${REPLY_OPTION}${webhook && thread.threadKey ? `&threadKey=${encodeURIComponent(String(thread.threadKey))}` : ''}` : '';
		payloads.push({ endpoint: `${webhook ? 'webhook' : `v1/${space}/messages`}${query}`, contentType: 'application/json', body });
		texts = [];
		cards = [];
	};
	const addCard = (sections: Body[], header: Body | undefined, id: unknown) => {
		cardCount += 1;
		cards.push({ cardId: typeof id === 'string' && id !== '' ? id : `card-${cardCount}`, card: { ...(header ? { header } : {}), sections } });
	};
	const buttonWidgets = (buttons: readonly Button[], partIndex: number, from: string): Body[] => {
		const out: Body[] = [];
		const lost: Button[] = [];
		for (const b of buttons) {
			if (b.action === 'url' && b.url) out.push({ text: b.title, onClick: { openLink: { url: b.url } } });
			else if (b.action === 'reply' && !webhook) {
				const id = b.id ?? b.title;
				out.push({ text: b.title, onClick: { action: { function: id, parameters: [{ key: 'id', value: id }] } } });
			} else lost.push(b);
		}
		const widgets: Body[] = [];
		if (lost.length) {
			report({ partIndex, from, to: 'text', reason: webhook ? 'webhook messages belong to no app, so reply buttons cannot be answered; listed as text' : 'Google Chat has no call buttons; listed as text' });
			widgets.push({ textParagraph: { text: escapeHtml(buttonsToText(undefined, lost)) } });
		}
		if (out.length) widgets.push({ buttonList: { buttons: out } });
		return widgets;
	};

	message.parts.forEach((part, i) => {
		switch (part.type) {
			case 'text':
				if (part.text.trim() === '') return report({ partIndex: i, from: 'text', to: 'dropped', reason: 'empty text' });
				texts.push(part.format === 'markdown' ? markdownToGoogleChat(part.text) : part.text);
				return;
			case 'media':
				if (part.url === undefined) return report({ partIndex: i, from: 'media', to: 'dropped', reason: 'Google Chat cards show images by URL; this part has none' });
				addCard(
					[{ widgets: [{ image: { imageUrl: part.url, altText: part.caption ?? part.filename ?? 'image' } }, ...(part.caption ? [{ textParagraph: { text: escapeHtml(part.caption) } }] : [])] }],
					undefined,
					undefined,
				);
				return;
			case 'buttons': {
				const widgets: Body[] = part.text ? [{ textParagraph: { text: escapeHtml(part.text) } }] : [];
				widgets.push(...buttonWidgets(part.buttons, i, 'buttons'));
				addCard([{ widgets }], undefined, undefined);
				return;
			}
			case 'card': {
				const header = part.title ? { title: part.title, ...(part.subtitle ? { subtitle: part.subtitle } : {}) } : undefined;
				const widgets: Body[] = [];
				if (!part.title && part.subtitle) widgets.push({ textParagraph: { text: escapeHtml(part.subtitle) } });
				if (part.imageUrl) widgets.push({ image: { imageUrl: part.imageUrl, altText: part.title ?? 'image' } });
				if (part.text) widgets.push({ textParagraph: { text: escapeHtml(part.text) } });
				for (const f of part.fields) widgets.push({ decoratedText: { topLabel: f.label, text: escapeHtml(f.value) } });
				widgets.push(...buttonWidgets(part.buttons, i, 'card'));
				if (widgets.length === 0 && !header) return report({ partIndex: i, from: 'card', to: 'dropped', reason: 'the card is empty' });
				addCard(widgets.length ? [{ widgets }] : [{ widgets: [{ textParagraph: { text: escapeHtml(part.title ?? '') } }] }], header, (part as { id?: unknown }).id);
				return;
			}
			case 'reaction': {
				if (webhook) return report({ partIndex: i, from: 'reaction', to: 'dropped', reason: 'incoming webhooks cannot react' });
				if (part.emoji === '') return report({ partIndex: i, from: 'reaction', to: 'dropped', reason: 'removing a reaction needs the reaction resource name' });
				if (!part.targetMessageId.startsWith('spaces/')) {
					return report({ partIndex: i, from: 'reaction', to: 'dropped', reason: `"${part.targetMessageId}" is not a Chat message name (spaces/…/messages/…)` });
				}
				flush();
				payloads.push({ endpoint: `v1/${part.targetMessageId}/reactions`, contentType: 'application/json', body: { emoji: { unicode: part.emoji } } });
				return;
			}
			default:
				report({ partIndex: i, from: part.type, to: 'dropped', reason: 'not sendable on Google Chat' });
		}
	});
	flush();
	return payloads;
}
