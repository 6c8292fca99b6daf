/**
 * Universal message → WhatsApp Cloud API `POST /{phone-number-id}/messages` bodies (providers.md §4.1).
 *
 * One body per part, in order. Every body carries `messaging_product`, `recipient_type` and `to`;
 * the reply reference (`context.message_id`) goes on the first body that can quote. Parts arrive
 * already degraded to `whatsappRenderCapabilities`; what the API still cannot take (too-long titles,
 * a caption on audio, url buttons mixed with reply buttons…) is adjusted here and reported.
 */
import type {
	Button,
	ButtonsPart,
	Contact,
	ContactsPart,
	ListPart,
	LocationPart,
	MediaPart,
	Message,
	Part,
	ReactionPart,
	TemplatePart,
	TextPart,
} from '../../schema/message';
import { compact } from '../../util/object';
import type { Degradation, PlatformPayload, RenderCapabilities, RenderOptions } from '../types';
import { containsUrl } from '../shared/meta';
import { clip, splitText } from '../shared/text';
import { markdownToWhatsApp } from './convert-markdown';

export const WHATSAPP_LIMITS = {
	text: 4096,
	caption: 1024,
	interactiveBody: 1024,
	buttonTitle: 20,
	listButton: 20,
	rowTitle: 24,
	rowDescription: 72,
	sectionTitle: 24,
	rowId: 200,
	buttonId: 256,
	ctaDisplayText: 20,
} as const;

export const whatsappRenderCapabilities: RenderCapabilities = {
	parts: new Set(['text', 'media', 'location', 'contacts', 'buttons', 'list', 'template', 'reaction']),
	// Markdown is converted to WhatsApp markup here; HTML has no counterpart and is made plain first.
	textFormats: new Set(['plain', 'markdown']),
	maxButtons: 3,
	// `url` is the single-button cta_url message; there are no call buttons outside templates.
	buttonActions: new Set(['reply', 'url']),
	maxListRows: 10,
	mediaKinds: new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker']),
};

type Report = (d: Omit<Degradation, 'partIndex'> & { partIndex?: number }) => void;
type Body = Record<string, unknown>;

const DEFAULT_BUTTONS_BODY = 'Choose an option:';

export function renderWhatsApp(message: Message, options: RenderOptions, report: Report): PlatformPayload[] {
	const to = options.to ?? message.recipients[0]?.id ?? message.conversation.id;
	const bodies: Body[] = [];
	let replyPending = message.replyTo?.messageId;

	const push = (content: Body, quotable = true) => {
		const body: Body = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
		if (replyPending !== undefined && quotable) {
			body.context = { message_id: replyPending };
			replyPending = undefined;
		}
		bodies.push(Object.assign(body, content));
	};

	message.parts.forEach((part, index) => renderPart(part, index, push, report));

	if (replyPending !== undefined) {
		report({ from: 'replyTo', to: 'dropped', reason: 'no message in this send can quote another (reactions cannot)' });
	}
	return bodies.map((body) => ({ endpoint: 'messages', contentType: 'application/json', body }));
}

type Push = (content: Body, quotable?: boolean) => void;

function renderPart(part: Part, index: number, push: Push, report: Report): void {
	switch (part.type) {
		case 'text':
			return renderText(part, index, push, report);
		case 'media':
			return renderMedia(part, index, push, report);
		case 'location':
			return renderLocation(part, index, push, report);
		case 'contacts':
			return renderContacts(part, push);
		case 'buttons':
			return renderButtons(part, index, push, report);
		case 'list':
			return renderList(part, index, push, report);
		case 'template':
			return renderTemplate(part, index, push, report);
		case 'reaction':
			return renderReaction(part, push);
		default:
			// degrade.ts leaves only the declared kinds; anything else is a contract break, not content.
			report({ partIndex: index, from: part.type, to: 'dropped', reason: 'WhatsApp cannot send this part kind' });
	}
}

function pushText(text: string, index: number, push: Push, report: Report): void {
	const chunks = splitText(text, WHATSAPP_LIMITS.text);
	if (chunks.length > 1) {
		report({ partIndex: index, from: 'text', to: 'text', reason: `text longer than ${WHATSAPP_LIMITS.text} characters split into ${chunks.length} messages` });
	}
	for (const chunk of chunks) {
		push({ type: 'text', text: containsUrl(chunk) ? { body: chunk, preview_url: true } : { body: chunk } });
	}
}

function renderText(part: TextPart, index: number, push: Push, report: Report): void {
	const text = part.format === 'markdown' ? markdownToWhatsApp(part.text) : part.text;
	if (text === '') {
		report({ partIndex: index, from: 'text', to: 'dropped', reason: 'WhatsApp cannot send an empty text' });
		return;
	}
	pushText(text, index, push, report);
}

// ---------------------------------------------------------------------------------------------------
// Media, location, contacts

const CAPTIONED = new Set(['image', 'video', 'document']);

function renderMedia(part: MediaPart, index: number, push: Push, report: Report): void {
	let type: string = part.kind;
	if (part.kind === 'voice') {
		type = 'audio';
		report({ partIndex: index, from: 'media/voice', to: 'media/audio', reason: 'the send API has no voice-note type; sent as audio' });
	}
	// An uploaded media id is preferred over a link: Meta does not have to fetch it again.
	const media: Body = part.mediaId !== undefined ? { id: part.mediaId } : { link: part.url };
	let captionAfter: string | undefined;
	if (part.caption !== undefined && part.caption !== '') {
		if (CAPTIONED.has(type)) {
			media.caption = clip(part.caption, WHATSAPP_LIMITS.caption);
			if (media.caption !== part.caption) {
				captionAfter = part.caption.slice((media.caption as string).length).trimStart();
				report({ partIndex: index, from: 'media.caption', to: 'text', reason: `caption longer than ${WHATSAPP_LIMITS.caption} characters; the rest is sent as text` });
			}
		} else {
			captionAfter = part.caption;
			report({ partIndex: index, from: 'media.caption', to: 'text', reason: `WhatsApp ${type} messages have no caption; sent as a text message after it` });
		}
	}
	if (type === 'document' && part.filename !== undefined) media.filename = part.filename;
	push({ type, [type]: media });
	if (captionAfter) pushText(captionAfter, index, push, report);
}

function renderLocation(part: LocationPart, index: number, push: Push, report: Report): void {
	push({ type: 'location', location: compact({ latitude: part.latitude, longitude: part.longitude, name: part.name, address: part.address }) });
	if (part.url !== undefined) {
		report({ partIndex: index, from: 'location.url', to: 'dropped', reason: 'WhatsApp location messages carry no URL' });
	}
}

function toWhatsAppContact(contact: Contact): Body {
	// Meta rejects a name with only formatted_name: one of first/last/… is required alongside it.
	const hasComponent = contact.name.first !== undefined || contact.name.last !== undefined;
	const name = compact({
		formatted_name: contact.name.formatted,
		first_name: hasComponent ? contact.name.first : contact.name.formatted,
		last_name: contact.name.last,
	});
	const out: Body = { name };
	if (contact.phones.length) out.phones = contact.phones.map((p) => compact({ phone: p.phone, type: p.type, wa_id: p.waId }));
	if (contact.emails.length) out.emails = contact.emails.map((e) => compact({ email: e.email, type: e.type }));
	if (contact.organization !== undefined) out.org = { company: contact.organization };
	if (contact.urls.length) out.urls = contact.urls.map((url) => ({ url }));
	if (contact.birthday !== undefined) out.birthday = contact.birthday;
	if (Array.isArray(contact.addresses)) out.addresses = contact.addresses;
	return out;
}

function renderContacts(part: ContactsPart, push: Push): void {
	push({ type: 'contacts', contacts: part.contacts.map(toWhatsAppContact) });
}

// ---------------------------------------------------------------------------------------------------
// Interactive

function clipped(value: string, max: number, index: number, what: string, report: Report, from: string): string {
	const out = clip(value, max);
	if (out !== value) report({ partIndex: index, from, to: from, reason: `${what} cut to WhatsApp's ${max} characters` });
	return out;
}

function bodyText(text: string | undefined, fallback: string, index: number, report: Report, from: string): string {
	if (text !== undefined && text !== '') return clipped(text, WHATSAPP_LIMITS.interactiveBody, index, 'body text', report, from);
	report({ partIndex: index, from, to: from, reason: `WhatsApp interactive messages need body text; used "${fallback}"` });
	return fallback;
}

function renderButtons(part: ButtonsPart, index: number, push: Push, report: Report): void {
	const reply = part.buttons.filter((b) => b.action === 'reply');
	const links = part.buttons.filter((b) => b.action === 'url' && b.url !== undefined);
	const rest = part.buttons.filter((b) => !reply.includes(b) && !links.includes(b));
	if (rest.length) {
		report({ partIndex: index, from: 'buttons', to: 'dropped', reason: `${rest.length} button(s) without a usable action (a url button needs a url)` });
	}

	// A single link button is WhatsApp's cta_url message.
	if (reply.length === 0 && links.length === 1) {
		const link = links[0]!;
		push({
			type: 'interactive',
			interactive: {
				type: 'cta_url',
				body: { text: bodyText(part.text, link.title, index, report, 'buttons') },
				action: {
					name: 'cta_url',
					parameters: { display_text: clipped(link.title, WHATSAPP_LIMITS.ctaDisplayText, index, 'button title', report, 'buttons'), url: link.url },
				},
			},
		});
		return;
	}

	// Reply buttons cannot share a message with links: the links go into the body text instead.
	let text = part.text;
	if (links.length) {
		const lines = links.map((b) => `${b.title}: ${b.url}`);
		text = [text, ...lines].filter((l) => l !== undefined && l !== '').join('\n');
		report({
			partIndex: index,
			from: 'buttons',
			to: 'text',
			reason: reply.length ? 'WhatsApp cannot mix url and reply buttons; links added to the text' : 'WhatsApp has one url button per message; links sent as text',
		});
	}
	if (reply.length === 0) {
		if (text) pushText(text, index, push, report);
		return;
	}
	push({
		type: 'interactive',
		interactive: {
			type: 'button',
			body: { text: bodyText(text, DEFAULT_BUTTONS_BODY, index, report, 'buttons') },
			action: { buttons: reply.map((b) => replyButton(b, index, report)) },
		},
	});
}

function replyButton(button: Button, index: number, report: Report): Body {
	return {
		type: 'reply',
		reply: {
			id: clip(button.id ?? button.title, WHATSAPP_LIMITS.buttonId),
			title: clipped(button.title, WHATSAPP_LIMITS.buttonTitle, index, 'button title', report, 'buttons'),
		},
	};
}

function renderList(part: ListPart, index: number, push: Push, report: Report): void {
	const many = part.sections.length > 1;
	const sections = part.sections.map((section, s) => {
		let title = section.title;
		if (many && (title === undefined || title === '')) {
			title = `Section ${s + 1}`;
			report({ partIndex: index, from: 'list', to: 'list', reason: 'WhatsApp needs a title on every section of a multi-section list' });
		}
		return compact({
			title: title === undefined ? undefined : clipped(title, WHATSAPP_LIMITS.sectionTitle, index, 'section title', report, 'list'),
			rows: section.rows.map((row) =>
				compact({
					id: clip(row.id, WHATSAPP_LIMITS.rowId),
					title: clipped(row.title, WHATSAPP_LIMITS.rowTitle, index, 'row title', report, 'list'),
					description: row.description === undefined ? undefined : clipped(row.description, WHATSAPP_LIMITS.rowDescription, index, 'row description', report, 'list'),
				}),
			),
		});
	});
	push({
		type: 'interactive',
		interactive: {
			type: 'list',
			body: { text: bodyText(part.text, DEFAULT_BUTTONS_BODY, index, report, 'list') },
			action: { button: clipped(part.buttonText || 'Choose', WHATSAPP_LIMITS.listButton, index, 'list button text', report, 'list'), sections },
		},
	});
}

// ---------------------------------------------------------------------------------------------------
// Template, reaction

const HEADER_MEDIA = new Set(['image', 'video', 'document']);

/**
 * Template components from the part's parameters (providers.md §4.1). Parameters are text unless
 * they say otherwise through two optional extra fields the universal format lets through:
 * `type` ('image' | 'video' | 'document' on a header: the value is the media link) and `subType`
 * on a button ('quick_reply', the default, takes a payload; 'url' takes the URL suffix as text).
 */
function renderTemplate(part: TemplatePart, index: number, push: Push, report: Report): void {
	const header: Body[] = [];
	const body: Body[] = [];
	const buttons = new Map<number, { subType: string; parameters: Body[] }>();
	let nextButton = 0;
	for (const parameter of part.parameters) {
		const extra = parameter as Record<string, unknown>;
		switch (parameter.component) {
			case 'header': {
				const mediaType = typeof extra.type === 'string' && HEADER_MEDIA.has(extra.type) ? extra.type : undefined;
				header.push(mediaType ? { type: mediaType, [mediaType]: { link: parameter.value } } : { type: 'text', text: parameter.value });
				break;
			}
			case 'body':
				body.push(compact({ type: 'text', text: parameter.value, parameter_name: parameter.name }));
				break;
			case 'button': {
				const at = parameter.index ?? nextButton;
				nextButton = Math.max(nextButton, at + 1);
				const subType = typeof extra.subType === 'string' ? extra.subType : 'quick_reply';
				const entry = buttons.get(at) ?? { subType, parameters: [] };
				entry.parameters.push(
					subType === 'quick_reply'
						? { type: 'payload', payload: parameter.value }
						: subType === 'copy_code'
							? { type: 'coupon_code', coupon_code: parameter.value }
							: { type: 'text', text: parameter.value },
				);
				buttons.set(at, entry);
				break;
			}
			case 'footer':
				report({ partIndex: index, from: 'template.footer', to: 'dropped', reason: 'WhatsApp template footers take no parameters' });
				break;
		}
	}
	const components: Body[] = [];
	if (header.length) components.push({ type: 'header', parameters: header });
	if (body.length) components.push({ type: 'body', parameters: body });
	for (const [at, button] of [...buttons.entries()].sort((a, b) => a[0] - b[0])) {
		components.push({ type: 'button', sub_type: button.subType, index: String(at), parameters: button.parameters });
	}
	let language = part.language;
	if (language === undefined || language === '') {
		language = 'en_US';
		report({ partIndex: index, from: 'template', to: 'template', reason: 'no template language given; used en_US' });
	}
	const template: Body = { name: part.name, language: { code: language } };
	if (components.length) template.components = components;
	push({ type: 'template', template });
}

function renderReaction(part: ReactionPart, push: Push): void {
	push({ type: 'reaction', reaction: { message_id: part.targetMessageId, emoji: part.emoji } }, false);
}
