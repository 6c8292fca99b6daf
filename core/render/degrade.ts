/**
 * Explicit degradation: when a target platform lacks a part kind, turn the part into the richest
 * thing the platform has, and say so. The chains are fixed and documented in the README:
 *
 *   buttons (too many / unsupported) → list → numbered text
 *   quick_replies → buttons → list → numbered text
 *   list (unsupported / too many rows) → buttons (if few enough) → numbered text
 *   card → text (+ image media, + buttons degraded in turn)
 *   location → text with a map link          contacts → text
 *   media (kind unsupported) → text with its link (or dropped when there is no link)
 *   order, interactive_reply → text           template, reaction, system, unsupported → dropped
 *   markdown/html text → plain text when the platform has no such formatting
 *
 * Every step appends a Degradation naming the original part index, so nothing is lost silently.
 */
import type {
	Button,
	ButtonsPart,
	CardPart,
	Contact,
	ListPart,
	Part,
	PartType,
	TextPart,
} from '../schema/message';
import type { Degradation, RenderCapabilities } from '../platforms/types';

export interface DegradedParts {
	parts: Part[];
	/** origin[i] = index of the original part that degraded part i came from. */
	origin: number[];
	degradations: Degradation[];
}

export function mapLink(latitude: number, longitude: number): string {
	return `https://maps.google.com/?q=${latitude},${longitude}`;
}

export function buttonsToText(text: string | undefined, buttons: readonly Pick<Button, 'title' | 'url' | 'phone' | 'action'>[]): string {
	const lines = buttons.map((b, i) => {
		const target = b.action === 'url' && b.url ? ` (${b.url})` : b.action === 'call' && b.phone ? ` (${b.phone})` : '';
		return `${i + 1}. ${b.title}${target}`;
	});
	return [text, ...lines].filter((l) => l !== undefined && l !== '').join('\n');
}

export function listToText(part: Pick<ListPart, 'text' | 'sections'>): string {
	const lines: string[] = [];
	if (part.text) lines.push(part.text);
	let n = 0;
	for (const section of part.sections) {
		if (section.title && part.sections.length > 1) lines.push(section.title);
		for (const row of section.rows) {
			n += 1;
			lines.push(`${n}. ${row.title}${row.description ? ` — ${row.description}` : ''}`);
		}
	}
	return lines.join('\n');
}

export function contactToText(contact: Contact): string {
	const details = [
		...contact.phones.map((p) => p.phone),
		...contact.emails.map((e) => e.email),
		...(contact.organization ? [contact.organization] : []),
	];
	return details.length ? `${contact.name.formatted}: ${details.join(', ')}` : contact.name.formatted;
}

export function cardToText(card: Pick<CardPart, 'title' | 'subtitle' | 'text' | 'fields'>): string {
	return [
		card.title,
		card.subtitle,
		card.text,
		...card.fields.map((f) => `${f.label}: ${f.value}`),
	]
		.filter((l): l is string => typeof l === 'string' && l !== '')
		.join('\n');
}

/** Light, lossy markdown → plain text: keeps the words and link targets, drops the markup. */
export function markdownToPlain(text: string): string {
	return text
		.replace(/!\[([^\]]*)\]\(([^)]+)\)/g, '$1 ($2)')
		.replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
		.replace(/(\*\*|__)(.+?)\1/g, '$2')
		.replace(/(^|[^*\w])[*_]([^*_\n]+)[*_](?=[^*\w]|$)/g, '$1$2')
		.replace(/~~(.+?)~~/g, '$1')
		.replace(/`{1,3}([^`]*)`{1,3}/g, '$1')
		.replace(/^#{1,6}\s+/gm, '');
}

/** HTML → plain text: line breaks for block ends, entities decoded, tags dropped. */
export function htmlToPlain(html: string): string {
	return html
		.replace(/<br\s*\/?>/gi, '\n')
		.replace(/<\/(p|div|li|h[1-6]|tr)>/gi, '\n')
		.replace(/<a\s[^>]*href="([^"]*)"[^>]*>(.*?)<\/a>/gi, '$2 ($1)')
		.replace(/<[^>]+>/g, '')
		.replace(/&nbsp;/g, ' ')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, "'")
		.replace(/&amp;/g, '&')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

const text = (value: string): TextPart => ({ type: 'text', text: value, format: 'plain' });

/**
 * Degrades every part the platform cannot show natively. Pure; the input is not modified.
 */
export function degradeParts(parts: readonly Part[], caps: RenderCapabilities): DegradedParts {
	const out: DegradedParts = { parts: [], origin: [], degradations: [] };
	parts.forEach((part, index) => {
		const emit = (p: Part) => {
			out.parts.push(p);
			out.origin.push(index);
		};
		const note = (from: PartType | string, to: string, reason: string) =>
			out.degradations.push({ partIndex: index, from, to, reason });
		degradeOne(part, caps, emit, note);
	});
	return out;
}

type Emit = (part: Part) => void;
type Note = (from: PartType | string, to: string, reason: string) => void;

function has(caps: RenderCapabilities, type: PartType): boolean {
	return caps.parts.has(type);
}

function degradeButtons(part: ButtonsPart, caps: RenderCapabilities, emit: Emit, note: Note): void {
	const actions = caps.buttonActions ?? new Set(['reply', 'url', 'call']);
	const max = caps.maxButtons ?? Infinity;
	const allActionsOk = part.buttons.every((b) => actions.has(b.action));
	if (has(caps, 'buttons') && part.buttons.length <= max && allActionsOk) return emit(part);

	const allReply = part.buttons.every((b) => b.action === 'reply');
	const why = !has(caps, 'buttons')
		? 'platform has no buttons'
		: !allActionsOk
			? 'platform lacks some button actions'
			: `${part.buttons.length} buttons exceed the platform's ${max}`;
	if (allReply && has(caps, 'list') && part.buttons.length <= (caps.maxListRows ?? Infinity)) {
		note('buttons', 'list', why);
		return emit({
			type: 'list',
			text: part.text,
			buttonText: 'Choose',
			sections: [{ rows: part.buttons.map((b, i) => ({ id: b.id ?? String(i + 1), title: b.title })) }],
		});
	}
	note('buttons', 'text', `${why}; shown as a numbered list`);
	emitText(buttonsToText(part.text, part.buttons), caps, emit);
}

function emitText(value: string, caps: RenderCapabilities, emit: Emit): void {
	if (has(caps, 'text') && value !== '') emit(text(value));
}

function degradeOne(part: Part, caps: RenderCapabilities, emit: Emit, note: Note): void {
	switch (part.type) {
		case 'text': {
			if (caps.textFormats.has(part.format)) return emit(part);
			const plain = part.format === 'html' ? htmlToPlain(part.text) : markdownToPlain(part.text);
			note(`text/${part.format}`, 'text/plain', `platform has no ${part.format} formatting`);
			return emit(text(plain));
		}
		case 'media': {
			if (has(caps, 'media') && (!caps.mediaKinds || caps.mediaKinds.has(part.kind))) return emit(part);
			const reason = has(caps, 'media') ? `platform cannot send ${part.kind} media` : 'platform has no media';
			if (part.url) {
				note('media', 'text', `${reason}; sent as a link`);
				return emitText([part.caption, part.url].filter(Boolean).join('\n'), caps, emit);
			}
			note('media', 'dropped', `${reason} and the part has no URL to link to`);
			return;
		}
		case 'location': {
			if (has(caps, 'location')) return emit(part);
			note('location', 'text', 'platform has no location messages; sent as a map link');
			const label = [part.name, part.address].filter(Boolean).join(', ');
			return emitText([label, mapLink(part.latitude, part.longitude)].filter(Boolean).join('\n'), caps, emit);
		}
		case 'contacts': {
			if (has(caps, 'contacts')) return emit(part);
			note('contacts', 'text', 'platform has no contact cards');
			return emitText(part.contacts.map(contactToText).join('\n'), caps, emit);
		}
		case 'buttons':
			return degradeButtons(part, caps, emit, note);
		case 'quick_replies': {
			if (has(caps, 'quick_replies') && part.options.length <= (caps.maxQuickReplies ?? Infinity)) return emit(part);
			note('quick_replies', 'buttons', 'platform has no quick replies (or too many options)');
			return degradeButtons(
				{ type: 'buttons', text: part.text, buttons: part.options.map((o) => ({ id: o.id, title: o.title, action: 'reply' })) },
				caps,
				emit,
				note,
			);
		}
		case 'list': {
			const rows = part.sections.flatMap((s) => s.rows);
			if (has(caps, 'list') && rows.length <= (caps.maxListRows ?? Infinity)) return emit(part);
			if (has(caps, 'buttons') && rows.length <= (caps.maxButtons ?? Infinity)) {
				note('list', 'buttons', 'platform has no lists (or too many rows)');
				return emit({ type: 'buttons', text: part.text, buttons: rows.map((r) => ({ id: r.id, title: r.title, action: 'reply' })) });
			}
			note('list', 'text', 'platform has no lists (or too many rows); shown as a numbered list');
			return emitText(listToText(part), caps, emit);
		}
		case 'card': {
			if (has(caps, 'card')) return emit(part);
			note('card', 'text', 'platform has no cards');
			if (part.imageUrl) degradeOne({ type: 'media', kind: 'image', url: part.imageUrl }, caps, emit, note);
			const body = cardToText(part);
			if (part.buttons.length) return degradeButtons({ type: 'buttons', text: body || undefined, buttons: part.buttons }, caps, emit, note);
			return emitText(body, caps, emit);
		}
		case 'template': {
			if (has(caps, 'template')) return emit(part);
			note('template', 'dropped', 'platform has no provider templates; put the text in a text part');
			return;
		}
		case 'reaction': {
			if (has(caps, 'reaction')) return emit(part);
			note('reaction', 'dropped', 'platform cannot send reactions');
			return;
		}
		case 'interactive_reply': {
			if (has(caps, 'interactive_reply')) return emit(part);
			note('interactive_reply', 'text', 'a choice is sent as its title');
			return emitText(part.title ?? part.id, caps, emit);
		}
		case 'order': {
			if (has(caps, 'order')) return emit(part);
			note('order', 'text', 'platform has no order messages');
			const lines = part.items.map(
				(i) => `${i.quantity} × ${i.productId}${i.price !== undefined ? ` @ ${i.price}${i.currency ? ` ${i.currency}` : ''}` : ''}`,
			);
			return emitText([part.text, ...lines].filter(Boolean).join('\n'), caps, emit);
		}
		case 'system': {
			if (has(caps, 'system')) return emit(part);
			note('system', 'dropped', 'conversation events are not sent');
			return;
		}
		case 'unsupported': {
			note('unsupported', 'dropped', 'content of an unsupported kind cannot be sent');
			return;
		}
		default: {
			const never: never = part;
			note(String((never as { type?: unknown }).type), 'dropped', 'unknown part type');
		}
	}
}
