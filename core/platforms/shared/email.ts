/**
 * What the transactional-email adapters (SendGrid and Brevo) share. Inbound: the event-webhook body,
 * one event or a batch. Outbound, pieces every email render needs: addresses, the subject, the
 * text/plain + text/html bodies built from text parts, template parameters and the reply headers,
 * all pure functions of the universal message.
 *
 * Contract shared by the email renders:
 * - the sender is `options.from` (`a@b.example` or `Name <a@b.example>`); email has no default sender,
 *   so a missing one is a RenderError naming `from`;
 * - the subject is `message.metadata.subject` (a string); without it a RenderError names
 *   `metadata.subject`, unless a template part is sent (templates define their own subject);
 * - the recipient follows the render rule (`options.to ?? recipients[0].id ?? conversation.id`) and
 *   must be an email address;
 * - a reply (`message.replyTo.messageId`, a Message-ID) becomes In-Reply-To/References headers, which
 *   is how mail clients thread a reply.
 */
import { MalformedBodyError, PayloadMismatchError, RenderError } from '../../errors';
import { htmlToPlain, markdownToPlain } from '../../render/degrade';
import type { ParsedRequest } from '../../request';
import type { DeliveryEvent, Message, TemplatePart, TextPart } from '../../schema/message';
import { isRecord } from '../../util/object';
import type { NormalizeOutput, RenderOptions } from '../types';

/**
 * An event-webhook body: one event object, or an array of them (SendGrid's batches, a Brevo replay)
 * converted in order. `convert` gets each event with its JSON path (`[i]` in an array, '' alone).
 */
export function convertEventBatch(
	request: ParsedRequest,
	names: { platform: string; webhook: string; expected: string },
	convert: (value: unknown, path: string) => DeliveryEvent,
): NormalizeOutput {
	if (request.bodyKind === 'empty') throw new MalformedBodyError(`The ${names.webhook} body is empty`);
	const body = request.body;
	if (Array.isArray(body)) {
		const events: DeliveryEvent[] = new Array(body.length);
		for (let i = 0; i < body.length; i += 1) events[i] = convert(body[i], `[${i}]`);
		return { messages: [], events };
	}
	if (isRecord(body)) return { messages: [], events: [convert(body, '')] };
	throw new PayloadMismatchError(names.platform, '', names.expected);
}

export interface EmailAddress {
	email: string;
	name?: string;
}

/** `Name <a@b.example>` or a bare `a@b.example`. */
export function parseAddress(value: string): EmailAddress {
	const trimmed = value.trim();
	const open = trimmed.lastIndexOf('<');
	if (open >= 0 && trimmed.endsWith('>')) {
		const name = trimmed.slice(0, open).trim().replace(/^"(.*)"$/, '$1');
		const email = trimmed.slice(open + 1, -1).trim();
		return name ? { email, name } : { email };
	}
	return { email: trimmed };
}

function isEmail(value: string): boolean {
	const at = value.indexOf('@');
	return at > 0 && at < value.length - 1 && !/\s/.test(value);
}

export function emailSender(platform: string, options: RenderOptions): EmailAddress {
	if (!options.from) {
		throw new RenderError(platform, 'the sender `from` is missing', 'Set the from option to a verified sender address, e.g. "Acme <no-reply@acme.example>".');
	}
	const sender = parseAddress(options.from);
	if (!isEmail(sender.email)) {
		throw new RenderError(platform, `the sender \`from\` "${options.from}" is not an email address`, 'Use "name@domain" or "Name <name@domain>".');
	}
	return sender;
}

export function emailRecipient(platform: string, message: Message, options: RenderOptions): EmailAddress {
	const first = message.recipients[0];
	const value = options.to ?? first?.id ?? message.conversation.id;
	const address = parseAddress(value);
	if (!isEmail(address.email)) {
		throw new RenderError(platform, `the recipient "${value}" is not an email address`, 'Set the to option, or recipients[0].id, to an email address.');
	}
	if (!address.name && options.to === undefined && first?.name) address.name = first.name;
	return address;
}

export function emailSubject(platform: string, message: Message, hasTemplate: boolean): string | undefined {
	const subject = message.metadata.subject;
	if (typeof subject === 'string' && subject !== '') return subject;
	if (hasTemplate) return undefined;
	throw new RenderError(platform, 'the email subject `metadata.subject` is missing', 'Set metadata.subject on the message (or send a template that defines the subject).');
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function inlineMarkdown(escaped: string): string {
	return escaped
		.replace(/`([^`]+)`/g, '<code>$1</code>')
		.replace(/\[([^\]]+)\]\(((?:https?:|mailto:)[^)\s]+)\)/g, '<a href="$2">$1</a>')
		.replace(/(\*\*|__)(.+?)\1/g, '<strong>$2</strong>')
		.replace(/(^|[^*\w])[*_]([^*_\n]+)[*_](?=[^*\w]|$)/g, '$1<em>$2</em>')
		.replace(/~~(.+?)~~/g, '<del>$1</del>');
}

/**
 * A small, safe markdown → HTML: the text is HTML-escaped first, then headings, emphasis, code, links
 * (http/https/mailto only) and paragraphs are marked up. Anything fancier stays as literal text.
 */
export function markdownToHtml(markdown: string): string {
	return markdown
		.split(/\n{2,}/)
		.map((block) => {
			const escaped = escapeHtml(block.trim());
			const heading = /^(#{1,6})\s+(.*)$/.exec(escaped);
			if (heading && !escaped.includes('\n')) {
				const level = heading[1]!.length;
				return `<h${level}>${inlineMarkdown(heading[2]!)}</h${level}>`;
			}
			return `<p>${inlineMarkdown(escaped).replace(/\n/g, '<br>')}</p>`;
		})
		.filter((block) => block !== '<p></p>')
		.join('\n');
}

export interface EmailBody {
	/** Always present: the text/plain alternative (empty when the message has no text). */
	text: string;
	/** Only when some text part is markdown or HTML. */
	html?: string;
}

/** Text parts in order → one text/plain body, plus text/html when any part has formatting. */
export function emailBody(parts: readonly TextPart[]): EmailBody {
	const rich = parts.some((p) => p.format !== 'plain');
	const plain: string[] = [];
	const html: string[] = [];
	for (const part of parts) {
		if (part.format === 'html') {
			plain.push(htmlToPlain(part.text));
			html.push(part.text);
		} else if (part.format === 'markdown') {
			plain.push(markdownToPlain(part.text));
			if (rich) html.push(markdownToHtml(part.text));
		} else {
			plain.push(part.text);
			if (rich) html.push(`<p>${escapeHtml(part.text).replace(/\n/g, '<br>')}</p>`);
		}
	}
	const text = plain.join('\n\n');
	return rich ? { text, html: html.join('\n') } : { text };
}

/** Template parameters by name, or by position `1`..`n` for unnamed ones. */
export function templateData(part: TemplatePart): Record<string, string> {
	const data: Record<string, string> = {};
	let position = 0;
	for (const parameter of part.parameters) {
		if (parameter.name) data[parameter.name] = parameter.value;
		else data[String((position += 1))] = parameter.value;
	}
	return data;
}

/** In-Reply-To/References for a reply, the Message-ID in angle brackets as RFC 5322 writes it. */
export function replyHeaders(message: Message): Record<string, string> | undefined {
	const id = message.replyTo?.messageId;
	if (!id) return undefined;
	const bracketed = id.startsWith('<') ? id : `<${id}>`;
	return { 'In-Reply-To': bracketed, References: bracketed };
}
