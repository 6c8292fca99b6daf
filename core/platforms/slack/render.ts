/**
 * Universal message → Slack Web API bodies (providers.md §6.1).
 *
 * Content parts become Block Kit blocks of one chat.postMessage (a new call only past Slack's 50
 * blocks, or around a reaction so the order holds): text → section (plain_text, or mrkdwn converted
 * from markdown), image → image block (URL, or slack_file for a Slack file id), buttons → actions
 * block (value = button id, url buttons), list → static_select, card → section with fields and an
 * image accessory plus its buttons. `text` is always set: Slack shows it in notifications and to
 * clients without blocks, and it is what other apps read as the message text.
 * Reactions → reactions.add {channel, timestamp, name}. The thread is conversation.threadId, else
 * the replyTo message (Slack replies are thread replies).
 *
 * Variant "webhook" (incoming webhook): the same body without `channel`; reactions cannot be sent.
 */
import type { ButtonsPart, CardPart, ListPart, Message } from '../../schema/message';
import { markdownToSlack, escapeSlack } from '../shared/markdown';
import { splitLines } from '../shared/text';
import type { Degradation, PlatformPayload, RenderCapabilities, RenderOptions } from '../types';
import { emojiToSlackName } from './emoji';

type Report = (d: Omit<Degradation, 'partIndex'> & { partIndex?: number }) => void;
type Body = Record<string, unknown>;

const SECTION_LIMIT = 3000;
const BLOCK_LIMIT = 50;
const BUTTON_TEXT_LIMIT = 75;
const OPTION_VALUE_LIMIT = 150;
const FIELD_LIMIT = 10;

export const slackCapabilities: RenderCapabilities = {
	parts: new Set(['text', 'media', 'buttons', 'list', 'card', 'reaction']),
	textFormats: new Set(['plain', 'markdown']),
	maxButtons: 25,
	buttonActions: new Set(['reply', 'url']),
	maxListRows: 100,
	mediaKinds: new Set(['image']),
};

function plain(text: string, max = BUTTON_TEXT_LIMIT): Body {
	return { type: 'plain_text', text: text.length > max ? `${text.slice(0, max - 1)}…` : text, emoji: true };
}

export function renderSlack(message: Message, options: RenderOptions, report: Report): PlatformPayload[] {
	const webhook = options.variant === 'webhook';
	const recipient = options.to ?? message.recipients[0]?.id ?? message.conversation.id;
	const threadId = (recipient === message.conversation.id ? message.conversation.threadId : undefined) ?? message.replyTo?.messageId;
	const threadTs = threadId === undefined ? undefined : slackTs(threadId);
	const payloads: PlatformPayload[] = [];
	let blocks: Body[] = [];
	let fallback: string[] = [];
	const actionIds = new Set<string>();

	const flush = () => {
		if (blocks.length === 0) return;
		const text = fallback.filter((t) => t !== '').join('\n') || 'New message';
		const body: Body = webhook ? { text, blocks } : { channel: recipient, text, blocks };
		if (threadTs !== undefined) body.thread_ts = threadTs;
		payloads.push({ endpoint: webhook ? 'incoming-webhook' : 'chat.postMessage', contentType: 'application/json', body });
		blocks = [];
		fallback = [];
	};
	const add = (...more: Body[]) => {
		if (blocks.length + more.length > BLOCK_LIMIT) flush();
		blocks.push(...more);
	};
	const actionId = (wanted: string | undefined, fallbackId: string): string => {
		const candidate = wanted !== undefined && wanted !== '' && wanted.length <= 255 && !actionIds.has(wanted) ? wanted : fallbackId;
		actionIds.add(candidate);
		return candidate;
	};
	const textBlocks = (text: string, format: 'plain' | 'markdown'): Body[] =>
		format === 'markdown'
			? splitLines(markdownToSlack(text), SECTION_LIMIT).map((chunk) => ({ type: 'section', text: { type: 'mrkdwn', text: chunk } }))
			: splitLines(text, SECTION_LIMIT).map((chunk) => ({ type: 'section', text: { type: 'plain_text', text: chunk, emoji: true } }));

	const buttonElements = (buttons: ButtonsPart['buttons'], partIndex: number): Body[] => {
		const elements: Body[] = [];
		buttons.forEach((button, k) => {
			if (button.title.length > BUTTON_TEXT_LIMIT) {
				report({ partIndex, from: 'buttons', to: 'buttons', reason: `button title "${button.title}" cut to ${BUTTON_TEXT_LIMIT} characters` });
			}
			if (button.action === 'url' && button.url) {
				elements.push({ type: 'button', text: plain(button.title), url: button.url, action_id: actionId(button.id, `link_${partIndex}_${k}`) });
			} else if (button.action === 'call') {
				report({ partIndex, from: 'buttons', to: 'dropped', reason: `Slack has no call buttons ("${button.title}")` });
			} else {
				const value = button.id ?? button.title;
				elements.push({ type: 'button', text: plain(button.title), value: value.slice(0, 2000), action_id: actionId(button.id, `button_${partIndex}_${k}`) });
			}
		});
		return elements;
	};

	const renderButtons = (part: ButtonsPart, i: number) => {
		const elements = buttonElements(part.buttons, i);
		const out: Body[] = part.text ? textBlocks(part.text, 'plain') : [];
		if (elements.length) out.push({ type: 'actions', elements });
		add(...out);
		fallback.push(part.text ?? part.buttons.map((b) => b.title).join(' | '));
	};

	const renderList = (part: ListPart, i: number) => {
		const option = (row: ListPart['sections'][number]['rows'][number]): Body => {
			if (row.id.length > OPTION_VALUE_LIMIT) report({ partIndex: i, from: 'list', to: 'list', reason: `row id "${row.id}" cut to ${OPTION_VALUE_LIMIT} characters` });
			return { text: plain(row.title), value: row.id.slice(0, OPTION_VALUE_LIMIT), ...(row.description ? { description: plain(row.description) } : {}) };
		};
		const grouped = part.sections.length > 1 && part.sections.every((s) => s.title);
		const select: Body = {
			type: 'static_select',
			placeholder: plain(part.buttonText ?? 'Choose'),
			action_id: actionId(undefined, `list_${i}`),
			...(grouped
				? { option_groups: part.sections.map((s) => ({ label: plain(s.title!), options: s.rows.map(option) })) }
				: { options: part.sections.flatMap((s) => s.rows.map(option)) }),
		};
		add(...(part.text ? textBlocks(part.text, 'plain') : []), { type: 'actions', elements: [select] });
		fallback.push(part.text ?? part.buttonText ?? 'Choose an option');
	};

	const renderCard = (part: CardPart, i: number) => {
		const lines = [part.title ? `*${escapeSlack(part.title)}*` : undefined, part.subtitle ? escapeSlack(part.subtitle) : undefined, part.text ? escapeSlack(part.text) : undefined].filter(
			(l): l is string => l !== undefined,
		);
		const fields = part.fields.slice(0, FIELD_LIMIT).map((f) => ({ type: 'mrkdwn', text: `*${escapeSlack(f.label)}*\n${escapeSlack(f.value)}` }));
		for (const extra of part.fields.slice(FIELD_LIMIT)) lines.push(`*${escapeSlack(extra.label)}:* ${escapeSlack(extra.value)}`);
		if (part.fields.length > FIELD_LIMIT) report({ partIndex: i, from: 'card', to: 'card', reason: `Slack sections hold ${FIELD_LIMIT} fields; the rest were added to the text` });
		const out: Body[] = [];
		if (lines.length || fields.length) {
			const section: Body = { type: 'section' };
			if (lines.length) section.text = { type: 'mrkdwn', text: lines.join('\n').slice(0, SECTION_LIMIT) };
			if (fields.length) section.fields = fields;
			if (part.imageUrl) section.accessory = { type: 'image', image_url: part.imageUrl, alt_text: part.title ?? 'image' };
			out.push(section);
		} else if (part.imageUrl) {
			out.push({ type: 'image', image_url: part.imageUrl, alt_text: part.title ?? 'image' });
		}
		const elements = buttonElements(part.buttons, i);
		if (elements.length) out.push({ type: 'actions', elements });
		if (out.length === 0) {
			report({ partIndex: i, from: 'card', to: 'dropped', reason: 'the card is empty' });
			return;
		}
		add(...out);
		fallback.push([part.title, part.subtitle, part.text].filter(Boolean).join(' — '));
	};

	message.parts.forEach((part, i) => {
		switch (part.type) {
			case 'text':
				if (part.text.trim() === '') {
					report({ partIndex: i, from: 'text', to: 'dropped', reason: 'empty text' });
					return;
				}
				add(...textBlocks(part.text, part.format === 'markdown' ? 'markdown' : 'plain'));
				fallback.push(part.format === 'markdown' ? markdownToSlack(part.text) : escapeSlack(part.text));
				return;
			case 'media': {
				if (part.kind !== 'image') {
					report({ partIndex: i, from: 'media', to: 'dropped', reason: `Slack messages cannot carry ${part.kind} by URL` });
					return;
				}
				const alt = part.caption ?? part.filename ?? 'image';
				const image: Body = part.url !== undefined ? { type: 'image', image_url: part.url, alt_text: alt } : { type: 'image', slack_file: { id: part.mediaId }, alt_text: alt };
				if (part.caption) image.title = plain(part.caption, 2000);
				add(image);
				fallback.push(part.caption ? escapeSlack(part.caption) : '');
				return;
			}
			case 'buttons':
				return renderButtons(part, i);
			case 'list':
				return renderList(part, i);
			case 'card':
				return renderCard(part, i);
			case 'reaction': {
				if (webhook) {
					report({ partIndex: i, from: 'reaction', to: 'dropped', reason: 'incoming webhooks cannot add reactions' });
					return;
				}
				if (part.emoji === '') {
					report({ partIndex: i, from: 'reaction', to: 'dropped', reason: 'removing a reaction needs its name (reactions.remove)' });
					return;
				}
				const name = emojiToSlackName(part.emoji);
				if (name === undefined) {
					report({ partIndex: i, from: 'reaction', to: 'dropped', reason: `no Slack reaction name known for ${part.emoji}; use a :shortcode:` });
					return;
				}
				flush();
				payloads.push({
					endpoint: 'reactions.add',
					contentType: 'application/json',
					body: { channel: recipient, timestamp: slackTs(part.targetMessageId), name },
				});
				return;
			}
			default:
				report({ partIndex: i, from: part.type, to: 'dropped', reason: 'not sendable on Slack' });
		}
	});
	flush();
	return payloads;
}

/**
 * A message's `ts` from either form Switchboard uses: the bare ts, or `<channel>:<ts>` (Channel Send's
 * external id, so a reply to a message we sent threads under it).
 */
export function slackTs(id: string): string {
	const prefixed = /^[CDG][A-Z0-9]+:(\d+\.\d+)$/.exec(id);
	return prefixed ? prefixed[1]! : id;
}
