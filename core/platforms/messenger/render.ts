/**
 * Universal message → Messenger Platform Send API bodies (`POST /me/messages`, providers.md §8.1),
 * for Facebook Messenger and Instagram Direct. One body per part, in order; what differs between the
 * two is in `SendFlavor` (text length, button actions, reactions).
 *
 * Every message body carries `recipient.id` and `messaging_type`: RESPONSE by default, or what
 * `options.variant` says (`UPDATE`, `MESSAGE_TAG:<TAG>`, e.g. `MESSAGE_TAG:HUMAN_AGENT` for replies
 * after the 24-hour window). Reactions are sender actions, which take no messaging_type.
 */
import { RenderError } from '../../errors';
import { buttonsToText } from '../../render/degrade';
import type { Button, ButtonsPart, CardPart, MediaPart, Message, Part, QuickRepliesPart, ReactionPart, TextPart } from '../../schema/message';
import { compact } from '../../util/object';
import type { Degradation, PlatformPayload, RenderCapabilities, RenderOptions } from '../types';
import { clip, splitText } from '../shared/text';

export interface SendFlavor {
	platform: 'messenger' | 'instagram';
	/** Longest `message.text` the API accepts (Messenger 2000, Instagram 1000). */
	textLimit: number;
	buttonActions: ReadonlySet<'reply' | 'url' | 'call'>;
	/** Messenger reacts with any emoji; Instagram's send API only has the "love" reaction. */
	reactions: 'emoji' | 'love';
}

export const MESSENGER_LIMITS = {
	quickReplies: 13,
	quickReplyTitle: 20,
	quickReplyPayload: 1000,
	buttons: 3,
	buttonTitle: 20,
	buttonTemplateText: 640,
	cardTitle: 80,
	cardSubtitle: 80,
	postbackPayload: 1000,
} as const;

export function messagingCapabilities(flavor: SendFlavor, mediaKinds: readonly string[]): RenderCapabilities {
	return {
		parts: new Set(['text', 'media', 'quick_replies', 'buttons', 'card', 'reaction']),
		textFormats: new Set(['plain']),
		maxButtons: MESSENGER_LIMITS.buttons,
		buttonActions: flavor.buttonActions,
		maxQuickReplies: MESSENGER_LIMITS.quickReplies,
		mediaKinds: new Set(mediaKinds),
	};
}

type Report = (d: Omit<Degradation, 'partIndex'> & { partIndex?: number }) => void;
type Body = Record<string, unknown>;

const DEFAULT_CHOICE_TEXT = 'Choose an option:';

/** `options.variant` → messaging_type (+ tag). Anything else is refused rather than guessed. */
export function messagingType(platform: string, variant: string | undefined): Body {
	if (variant === undefined || variant.trim() === '') return { messaging_type: 'RESPONSE' };
	const value = variant.trim();
	const upper = value.toUpperCase();
	if (upper === 'RESPONSE' || upper === 'UPDATE') return { messaging_type: upper };
	if (upper.startsWith('MESSAGE_TAG:')) {
		const tag = upper.slice('MESSAGE_TAG:'.length).trim();
		if (tag !== '') return { messaging_type: 'MESSAGE_TAG', tag };
	}
	throw new RenderError(
		platform,
		`unknown variant "${variant}"`,
		'Use RESPONSE (default), UPDATE, or MESSAGE_TAG:<TAG> such as MESSAGE_TAG:HUMAN_AGENT.',
	);
}

interface Sink {
	flavor: SendFlavor;
	index: number;
	report: Report;
	message: (message: Body) => void;
	action: (body: Body) => void;
}

export function renderMessagingPlatform(flavor: SendFlavor, message: Message, options: RenderOptions, report: Report): PlatformPayload[] {
	const to = options.to ?? message.recipients[0]?.id ?? message.conversation.id;
	const type = messagingType(flavor.platform, options.variant);
	const bodies: Body[] = [];
	const sink = (index: number): Sink => ({
		flavor,
		index,
		report,
		message: (content) => bodies.push({ recipient: { id: to }, ...type, message: content }),
		action: (body) => bodies.push({ recipient: { id: to }, ...body }),
	});
	message.parts.forEach((part, index) => renderPart(part, sink(index)));
	if (message.replyTo) {
		report({ from: 'replyTo', to: 'dropped', reason: `the ${flavor.platform} Send API documents no reply reference; sent as a new message` });
	}
	return bodies.map((body) => ({ endpoint: 'me/messages', contentType: 'application/json', body }));
}

function renderPart(part: Part, sink: Sink): void {
	switch (part.type) {
		case 'text':
			return renderText(part, sink);
		case 'media':
			return renderMedia(part, sink);
		case 'quick_replies':
			return renderQuickReplies(part, sink);
		case 'buttons':
			return renderButtons(part, sink);
		case 'card':
			return renderCard(part, sink);
		case 'reaction':
			return renderReaction(part, sink);
		default:
			sink.report({ partIndex: sink.index, from: part.type, to: 'dropped', reason: `${sink.flavor.platform} cannot send this part kind` });
	}
}

function pushText(text: string, sink: Sink): void {
	const chunks = splitText(text, sink.flavor.textLimit);
	if (chunks.length > 1) {
		sink.report({
			partIndex: sink.index,
			from: 'text',
			to: 'text',
			reason: `text longer than ${sink.flavor.textLimit} characters split into ${chunks.length} messages`,
		});
	}
	for (const chunk of chunks) sink.message({ text: chunk });
}

function renderText(part: TextPart, sink: Sink): void {
	if (part.text === '') {
		sink.report({ partIndex: sink.index, from: 'text', to: 'dropped', reason: 'empty text cannot be sent' });
		return;
	}
	pushText(part.text, sink);
}

const ATTACHMENT_TYPES: Record<string, string> = { image: 'image', video: 'video', audio: 'audio', voice: 'audio', document: 'file' };

function renderMedia(part: MediaPart, sink: Sink): void {
	const type = ATTACHMENT_TYPES[part.kind];
	if (type === undefined) {
		// degrade.ts filters kinds by mediaKinds; a sticker or similar reaching here has no attachment type.
		sink.report({ partIndex: sink.index, from: `media/${part.kind}`, to: 'dropped', reason: `${sink.flavor.platform} has no ${part.kind} attachments` });
		return;
	}
	if (part.kind === 'voice') {
		sink.report({ partIndex: sink.index, from: 'media/voice', to: 'media/audio', reason: 'the Send API has no voice-note type; sent as audio' });
	}
	// An uploaded attachment id is reused as is; a URL is fetched by Meta (and may be reused later).
	const payload: Body = part.mediaId !== undefined ? { attachment_id: part.mediaId } : { url: part.url, is_reusable: true };
	sink.message({ attachment: { type, payload } });
	if (part.caption !== undefined && part.caption !== '') {
		sink.report({ partIndex: sink.index, from: 'media.caption', to: 'text', reason: 'attachments have no caption; sent as a text message after it' });
		pushText(part.caption, sink);
	}
}

function choiceText(text: string | undefined, limit: number, sink: Sink, from: string): string {
	if (text === undefined || text === '') {
		sink.report({ partIndex: sink.index, from, to: from, reason: `${sink.flavor.platform} needs text with the choices; used "${DEFAULT_CHOICE_TEXT}"` });
		return DEFAULT_CHOICE_TEXT;
	}
	const out = clip(text, limit);
	if (out !== text) sink.report({ partIndex: sink.index, from, to: from, reason: `text cut to ${limit} characters` });
	return out;
}

function title(value: string, limit: number, sink: Sink, from: string): string {
	const out = clip(value, limit);
	if (out !== value) sink.report({ partIndex: sink.index, from, to: from, reason: `title "${value}" cut to ${limit} characters` });
	return out;
}

function renderQuickReplies(part: QuickRepliesPart, sink: Sink): void {
	const dropImages = sink.flavor.platform === 'instagram' && part.options.some((o) => o.imageUrl !== undefined);
	if (dropImages) {
		sink.report({ partIndex: sink.index, from: 'quick_replies.imageUrl', to: 'dropped', reason: 'Instagram quick replies are text only' });
	}
	sink.message({
		text: choiceText(part.text, sink.flavor.textLimit, sink, 'quick_replies'),
		quick_replies: part.options.map((option) =>
			compact({
				content_type: 'text',
				title: title(option.title, MESSENGER_LIMITS.quickReplyTitle, sink, 'quick_replies'),
				payload: clip(option.id, MESSENGER_LIMITS.quickReplyPayload),
				image_url: dropImages ? undefined : option.imageUrl,
			}),
		),
	});
}

/** A universal button → a Send API button, or undefined when this flavor cannot express it. */
function toSendButton(button: Button, sink: Sink, from: string): Body | undefined {
	if (!sink.flavor.buttonActions.has(button.action)) return undefined;
	const label = title(button.title, MESSENGER_LIMITS.buttonTitle, sink, from);
	switch (button.action) {
		case 'reply':
			return { type: 'postback', title: label, payload: clip(button.id ?? button.title, MESSENGER_LIMITS.postbackPayload) };
		case 'url':
			return button.url ? { type: 'web_url', url: button.url, title: label } : undefined;
		case 'call':
			return button.phone ? { type: 'phone_number', title: label, payload: button.phone } : undefined;
	}
}

/**
 * Splits buttons into the ones the template can carry (≤3, expressible) and the rest, which are sent
 * as a numbered text after the template and reported.
 */
function sendButtons(buttons: readonly Button[], sink: Sink, from: string): { native: Body[]; leftover: Button[] } {
	const native: Body[] = [];
	const leftover: Button[] = [];
	for (const button of buttons) {
		const rendered = native.length < MESSENGER_LIMITS.buttons ? toSendButton(button, sink, from) : undefined;
		if (rendered) native.push(rendered);
		else leftover.push(button);
	}
	if (leftover.length) {
		sink.report({
			partIndex: sink.index,
			from,
			to: 'text',
			reason: `${leftover.length} button(s) beyond ${MESSENGER_LIMITS.buttons} or without a usable action on ${sink.flavor.platform}; listed as text`,
		});
	}
	return { native, leftover };
}

function renderButtons(part: ButtonsPart, sink: Sink): void {
	const { native, leftover } = sendButtons(part.buttons, sink, 'buttons');
	if (native.length === 0) {
		pushText(buttonsToText(part.text, part.buttons), sink);
		return;
	}
	sink.message({
		attachment: {
			type: 'template',
			payload: { template_type: 'button', text: choiceText(part.text, MESSENGER_LIMITS.buttonTemplateText, sink, 'buttons'), buttons: native },
		},
	});
	if (leftover.length) pushText(buttonsToText(undefined, leftover), sink);
}

/**
 * A card is a one-element generic template. Its subtitle holds subtitle, text and fields; when they
 * do not fit the 80 characters, the full text goes first as a text message and the card keeps the cut.
 */
function renderCard(part: CardPart, sink: Sink): void {
	const lines = [part.subtitle, part.text, ...part.fields.map((f) => `${f.label}: ${f.value}`)].filter(
		(l): l is string => l !== undefined && l !== '',
	);
	let heading = part.title;
	if (heading === undefined || heading === '') heading = lines.shift();
	const { native, leftover } = sendButtons(part.buttons, sink, 'card');
	if (heading === undefined || (lines.length === 0 && part.imageUrl === undefined && native.length === 0)) {
		// Meta requires a title plus at least one more property: such a card is only text.
		sink.report({ partIndex: sink.index, from: 'card', to: 'text', reason: 'a generic template needs a title and something more' });
		const text = [heading, ...lines].filter(Boolean).join('\n');
		if (text) pushText(text, sink);
		if (leftover.length) pushText(buttonsToText(undefined, leftover), sink);
		return;
	}
	const full = lines.join('\n');
	const subtitle = full === '' ? undefined : clip(full, MESSENGER_LIMITS.cardSubtitle);
	if (subtitle !== undefined && subtitle !== full) {
		sink.report({ partIndex: sink.index, from: 'card', to: 'text', reason: `card text longer than ${MESSENGER_LIMITS.cardSubtitle} characters; sent in full as text first` });
		pushText(full, sink);
	}
	const element = compact({
		title: title(heading, MESSENGER_LIMITS.cardTitle, sink, 'card'),
		subtitle,
		image_url: part.imageUrl,
		buttons: native.length ? native : undefined,
	});
	sink.message({ attachment: { type: 'template', payload: { template_type: 'generic', elements: [element] } } });
	if (leftover.length) pushText(buttonsToText(undefined, leftover), sink);
}

const HEARTS = new Set(['❤️', '❤', '♥️', '♥', 'love']);

function renderReaction(part: ReactionPart, sink: Sink): void {
	if (part.emoji === '') {
		sink.action({ sender_action: 'unreact', payload: { message_id: part.targetMessageId } });
		return;
	}
	let reaction = part.emoji;
	if (sink.flavor.reactions === 'love') {
		if (!HEARTS.has(part.emoji)) {
			sink.report({ partIndex: sink.index, from: 'reaction', to: 'reaction', reason: `Instagram only sends the "love" reaction; ${part.emoji} sent as love` });
		}
		reaction = 'love';
	}
	sink.action({ sender_action: 'react', payload: { message_id: part.targetMessageId, reaction } });
}
