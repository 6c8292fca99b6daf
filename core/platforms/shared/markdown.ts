/**
 * A small, forgiving reader for the markdown people write in universal `markdown` text parts
 * (CommonMark's everyday subset: **bold**, *italic* / _italic_, ~~strike~~, `code`, fenced code,
 * [links](url), # headings, > quotes, - and 1. lists), and writers for the dialects chat platforms
 * accept: Telegram MarkdownV2, Slack mrkdwn, Google Chat text and the HTML Teams/Graph take.
 *
 * Contract: every writer produces text the platform parses without error, whatever the input. Markup
 * that does not parse (an unclosed `**`, a `[` without `](…)`) is written as literal, escaped text
 * rather than guessed at. Block structure is read line by line, so emphasis never spans lines.
 *
 * Used by the Telegram, Slack, Teams and Google Chat renderers. Telegram's MarkdownV2 is the strictest
 * consumer (one unescaped `.` and the Bot API rejects the message), which is what the reader is built
 * for. WhatsApp (../whatsapp/convert-markdown.ts) and email (./email.ts) keep their own regex
 * converters: they read markdown differently (e.g. `a*b*c` stays literal there, emphasis here; email
 * links must be http/https/mailto), and their outputs are part of what those renders promise.
 */

export type Inline =
	| { type: 'text'; value: string }
	| { type: 'strong' | 'emphasis' | 'strike'; children: Inline[] }
	| { type: 'code'; value: string }
	| { type: 'link'; url: string; children: Inline[] }
	| { type: 'image'; url: string; alt: string };

export type Block =
	| { type: 'line'; children: Inline[] }
	| { type: 'heading'; level: number; children: Inline[] }
	| { type: 'quote'; children: Inline[] }
	| { type: 'bullet'; indent: string; children: Inline[] }
	| { type: 'ordered'; indent: string; number: string; children: Inline[] }
	| { type: 'code_block'; lang: string; value: string };

const ASCII_PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

function isSpace(ch: string | undefined): boolean {
	return ch === undefined || ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

function isWordChar(ch: string | undefined): boolean {
	if (ch === undefined) return false;
	const c = ch.charCodeAt(0);
	return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
}

function runLength(s: string, at: number, ch: string): number {
	let n = 0;
	while (s[at + n] === ch) n += 1;
	return n;
}

/** End (exclusive) of a code span opened by `k` backticks at `at`, or -1. */
function codeSpanEnd(s: string, at: number, k: number): number {
	let j = at + k;
	while (j < s.length) {
		if (s[j] === '`') {
			const r = runLength(s, j, '`');
			if (r === k) return j + r;
			j += r;
		} else j += 1;
	}
	return -1;
}

/**
 * Position of the closing delimiter for an opener of `k` × `ch` whose content starts at `from`, or -1.
 * Runs of the same character that cannot close are skipped whole (they belong to nested emphasis),
 * code spans and escapes are stepped over. A longer run closes with its last `k` characters, so
 * `**a *b***` reads as strong(a, em(b)).
 */
function findCloser(s: string, from: number, ch: string, k: number): number {
	let j = from;
	while (j < s.length) {
		const c = s[j];
		if (c === '\\') {
			j += 2;
			continue;
		}
		if (c === '`' && ch !== '`') {
			const r = runLength(s, j, '`');
			const end = codeSpanEnd(s, j, r);
			j = end < 0 ? j + r : end;
			continue;
		}
		if (c === ch) {
			const r = runLength(s, j, ch);
			const before = s[j - 1];
			const after = s[j + r];
			const canClose = r >= k && j > from && !isSpace(before) && (ch !== '_' || !isWordChar(after));
			if (canClose) return j + r - k;
			j += r;
			continue;
		}
		j += 1;
	}
	return -1;
}

/** `[text](url)` starting at `at` (the `[`): the parts and the end index, or undefined. */
function readLink(s: string, at: number): { text: string; url: string; end: number } | undefined {
	let depth = 0;
	let j = at;
	for (; j < s.length; j += 1) {
		const c = s[j];
		if (c === '\\') {
			j += 1;
			continue;
		}
		if (c === '[') depth += 1;
		else if (c === ']') {
			depth -= 1;
			if (depth === 0) break;
		}
	}
	if (j >= s.length || s[j + 1] !== '(') return undefined;
	const text = s.slice(at + 1, j);
	let k = j + 2;
	let parens = 1;
	const urlStart = k;
	for (; k < s.length; k += 1) {
		const c = s[k];
		if (c === '\\') {
			k += 1;
			continue;
		}
		if (c === '(') parens += 1;
		else if (c === ')') {
			parens -= 1;
			if (parens === 0) break;
		}
	}
	if (k >= s.length) return undefined;
	let target = s.slice(urlStart, k).trim();
	// An optional title: [t](url "title") — the title is not shown by chat platforms.
	const space = target.search(/\s/);
	if (space > 0) target = target.slice(0, space);
	if (target.startsWith('<') && target.endsWith('>')) target = target.slice(1, -1);
	if (target === '') return undefined;
	return { text, url: target, end: k + 1 };
}

export function parseInline(s: string): Inline[] {
	const out: Inline[] = [];
	let buf = '';
	const flush = () => {
		if (buf !== '') out.push({ type: 'text', value: buf });
		buf = '';
	};
	let i = 0;
	while (i < s.length) {
		const c = s[i]!;
		if (c === '\\' && i + 1 < s.length && ASCII_PUNCT.includes(s[i + 1]!)) {
			buf += s[i + 1];
			i += 2;
			continue;
		}
		if (c === '`') {
			const k = runLength(s, i, '`');
			const end = codeSpanEnd(s, i, k);
			if (end < 0) {
				buf += s.slice(i, i + k);
				i += k;
				continue;
			}
			let value = s.slice(i + k, end - k);
			if (value.length > 1 && value.startsWith(' ') && value.endsWith(' ') && value.trim() !== '') value = value.slice(1, -1);
			flush();
			out.push({ type: 'code', value });
			i = end;
			continue;
		}
		if ((c === '!' && s[i + 1] === '[') || c === '[') {
			const at = c === '!' ? i + 1 : i;
			const link = readLink(s, at);
			if (link) {
				flush();
				if (c === '!') out.push({ type: 'image', url: link.url, alt: link.text });
				else out.push({ type: 'link', url: link.url, children: parseInline(link.text) });
				i = link.end;
				continue;
			}
			buf += c;
			i += 1;
			continue;
		}
		if (c === '<') {
			const close = s.indexOf('>', i);
			const inner = close > 0 ? s.slice(i + 1, close) : '';
			if ((inner.startsWith('http://') || inner.startsWith('https://') || inner.startsWith('mailto:')) && !/\s/.test(inner)) {
				flush();
				out.push({ type: 'link', url: inner, children: [{ type: 'text', value: inner }] });
				i = close + 1;
				continue;
			}
			buf += c;
			i += 1;
			continue;
		}
		if (c === '~' && s[i + 1] === '~' && s[i + 2] !== '~' && !isSpace(s[i + 2])) {
			const end = s.indexOf('~~', i + 2);
			if (end > i + 2 && !isSpace(s[end - 1])) {
				flush();
				out.push({ type: 'strike', children: parseInline(s.slice(i + 2, end)) });
				i = end + 2;
				continue;
			}
		}
		if (c === '*' || c === '_') {
			const run = runLength(s, i, c);
			const after = s[i + run];
			const leftFlanking = !isSpace(after) && (c !== '_' || !isWordChar(s[i - 1]));
			if (leftFlanking && run <= 3) {
				const k = run === 1 ? 1 : 2;
				const start = i + k;
				const close = findCloser(s, start, c, k);
				if (close > start) {
					flush();
					out.push({ type: k === 2 ? 'strong' : 'emphasis', children: parseInline(s.slice(start, close)) });
					i = close + k;
					continue;
				}
			}
			buf += s.slice(i, i + run);
			i += run;
			continue;
		}
		buf += c;
		i += 1;
	}
	flush();
	return out;
}

/** Reads markdown into line-level blocks; fenced code blocks keep their lines verbatim. */
export function parseMarkdown(text: string): Block[] {
	const lines = text.replace(/\r\n?/g, '\n').split('\n');
	const blocks: Block[] = [];
	for (let i = 0; i < lines.length; i += 1) {
		const line = lines[i]!;
		const fence = /^\s*(```+|~~~+)\s*([\w+#.-]*)\s*$/.exec(line);
		if (fence) {
			const marker = fence[1]!;
			let j = i + 1;
			while (j < lines.length && !lines[j]!.trim().startsWith(marker)) j += 1;
			// A fence that is never closed is literal text, not a code block running to the end.
			if (j < lines.length) {
				blocks.push({ type: 'code_block', lang: fence[2] ?? '', value: lines.slice(i + 1, j).join('\n') });
				i = j;
				continue;
			}
		}
		const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
		if (heading) {
			blocks.push({ type: 'heading', level: heading[1]!.length, children: parseInline(heading[2]!) });
			continue;
		}
		const quote = /^\s{0,3}>\s?(.*)$/.exec(line);
		if (quote) {
			blocks.push({ type: 'quote', children: parseInline(quote[1]!) });
			continue;
		}
		const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
		if (bullet && !/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
			blocks.push({ type: 'bullet', indent: bullet[1]!, children: parseInline(bullet[2]!) });
			continue;
		}
		const ordered = /^(\s*)(\d{1,9})[.)]\s+(.*)$/.exec(line);
		if (ordered) {
			blocks.push({ type: 'ordered', indent: ordered[1]!, number: ordered[2]!, children: parseInline(ordered[3]!) });
			continue;
		}
		blocks.push({ type: 'line', children: parseInline(line) });
	}
	return blocks;
}

/** The words of inline content without markup (link targets dropped, image alt kept). */
export function inlineText(nodes: readonly Inline[]): string {
	let out = '';
	for (const node of nodes) {
		if (node.type === 'text' || node.type === 'code') out += node.value;
		else if (node.type === 'image') out += node.alt || node.url;
		else out += inlineText(node.children);
	}
	return out;
}

// ---------------------------------------------------------------------------------------------------
// Writers

interface Dialect {
	text(value: string): string;
	strong(inner: string): string;
	emphasis(inner: string): string;
	strike(inner: string): string;
	code(value: string): string;
	link(url: string, inner: Inline[], ctx: Ctx): string;
	image(url: string, alt: string): string;
	codeBlock(lang: string, value: string): string;
	heading(inner: string, level: number): string;
	quote(inner: string): string;
	bullet(indent: string, inner: string): string;
	ordered(indent: string, number: string, inner: string): string;
	join(lines: string[]): string;
	/** What goes between two adjacent inline pieces (Telegram needs a separator between `_a__b_`). */
	between?(left: string, right: string): string;
}

/** Formatting already open around the node: nested bold-in-bold would toggle bold off on some platforms. */
interface Ctx {
	strong: boolean;
	emphasis: boolean;
	strike: boolean;
}

const NO_CTX: Ctx = { strong: false, emphasis: false, strike: false };

function writeNode(node: Inline, d: Dialect, ctx: Ctx): string {
	switch (node.type) {
		case 'text':
			return d.text(node.value);
		case 'code':
			return d.code(node.value);
		case 'image':
			return d.image(node.url, node.alt);
		case 'link':
			return d.link(node.url, node.children, ctx);
		case 'strong': {
			const inner = writeInline(node.children, d, { ...ctx, strong: true });
			return ctx.strong ? inner : d.strong(inner);
		}
		case 'emphasis': {
			const inner = writeInline(node.children, d, { ...ctx, emphasis: true });
			return ctx.emphasis ? inner : d.emphasis(inner);
		}
		case 'strike': {
			const inner = writeInline(node.children, d, { ...ctx, strike: true });
			return ctx.strike ? inner : d.strike(inner);
		}
		default: {
			const never: never = node;
			return String(never);
		}
	}
}

function writeInline(nodes: readonly Inline[], d: Dialect, ctx: Ctx): string {
	let out = '';
	for (const node of nodes) {
		const piece = writeNode(node, d, ctx);
		out += d.between && out !== '' ? d.between(out, piece) + piece : piece;
	}
	return out;
}

function write(blocks: readonly Block[], d: Dialect): string {
	const lines: string[] = [];
	for (const block of blocks) {
		switch (block.type) {
			case 'line':
				lines.push(writeInline(block.children, d, NO_CTX));
				break;
			case 'heading':
				lines.push(d.heading(writeInline(block.children, d, { ...NO_CTX, strong: true }), block.level));
				break;
			case 'quote':
				lines.push(d.quote(writeInline(block.children, d, NO_CTX)));
				break;
			case 'bullet':
				lines.push(d.bullet(block.indent, writeInline(block.children, d, NO_CTX)));
				break;
			case 'ordered':
				lines.push(d.ordered(block.indent, block.number, writeInline(block.children, d, NO_CTX)));
				break;
			case 'code_block':
				lines.push(d.codeBlock(block.lang, block.value));
				break;
			default: {
				const never: never = block;
				void never;
			}
		}
	}
	return d.join(lines);
}

// Telegram MarkdownV2 (core.telegram.org/bots/api#markdownv2-style): every one of these characters
// must be escaped outside entities; inside `code`/```pre``` only ` and \; inside (url) only ) and \.
const TG_SPECIAL = new Set(['_', '*', '[', ']', '(', ')', '~', '`', '>', '#', '+', '-', '=', '|', '{', '}', '.', '!', '\\']);

export function escapeMarkdownV2(value: string): string {
	let out = '';
	for (const ch of value) out += TG_SPECIAL.has(ch) ? `\\${ch}` : ch;
	return out;
}

const escapeTgCode = (value: string) => value.replace(/[`\\]/g, '\\$&');
const escapeTgUrl = (value: string) => value.replace(/[)\\]/g, '\\$&');

const telegramV2: Dialect = {
	text: escapeMarkdownV2,
	strong: (inner) => `*${inner}*`,
	emphasis: (inner) => `_${inner}_`,
	strike: (inner) => `~${inner}~`,
	code: (value) => `\`${escapeTgCode(value)}\``,
	link: (url, inner, ctx) => `[${writeInline(inner, telegramV2, ctx) || escapeMarkdownV2(url)}](${escapeTgUrl(url)})`,
	image: (url, alt) => `[${escapeMarkdownV2(alt || url)}](${escapeTgUrl(url)})`,
	codeBlock: (lang, value) => `\`\`\`${lang.replace(/[^\w+#.-]/g, '')}\n${escapeTgCode(value)}\n\`\`\``,
	heading: (inner) => `*${inner}*`,
	quote: (inner) => `>${inner}`,
	bullet: (indent, inner) => `${indent}• ${inner}`,
	ordered: (indent, number, inner) => `${indent}${number}\\. ${inner}`,
	join: (lines) => lines.join('\n'),
	// `_a_` followed by `_b_` would read as `__` (underline): Telegram ignores a \r put between them.
	between: (left, right) => (right.startsWith('_') && endsWithMarker(left, '_') ? '\r' : ''),
};

/** True when `s` ends with an unescaped `ch` (an even number of backslashes before it). */
function endsWithMarker(s: string, ch: string): boolean {
	if (!s.endsWith(ch)) return false;
	let slashes = 0;
	for (let i = s.length - 2; i >= 0 && s[i] === '\\'; i -= 1) slashes += 1;
	return slashes % 2 === 0;
}

/** Markdown → Telegram MarkdownV2 (send with parse_mode "MarkdownV2"). */
export function markdownToTelegramV2(text: string): string {
	return write(parseMarkdown(text), telegramV2);
}

// Slack mrkdwn (api.slack.com/reference/surfaces/formatting): &, < and > are the only characters that
// must be escaped; links are <url|label>.
export function escapeSlack(value: string): string {
	return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const slackLabel = (value: string) => escapeSlack(value).replace(/\|/g, '¦');

const slackMrkdwn: Dialect = {
	text: escapeSlack,
	strong: (inner) => `*${inner}*`,
	emphasis: (inner) => `_${inner}_`,
	strike: (inner) => `~${inner}~`,
	code: (value) => `\`${escapeSlack(value)}\``,
	link: (url, inner) => {
		const label = inlineText(inner);
		return label && label !== url ? `<${escapeSlack(url)}|${slackLabel(label)}>` : `<${escapeSlack(url)}>`;
	},
	image: (url, alt) => (alt ? `<${escapeSlack(url)}|${slackLabel(alt)}>` : `<${escapeSlack(url)}>`),
	codeBlock: (_lang, value) => `\`\`\`\n${escapeSlack(value)}\n\`\`\``,
	heading: (inner) => `*${inner}*`,
	quote: (inner) => `>${inner}`,
	bullet: (indent, inner) => `${indent}• ${inner}`,
	ordered: (indent, number, inner) => `${indent}${number}. ${inner}`,
	join: (lines) => lines.join('\n'),
};

/** Markdown → Slack mrkdwn (**bold** → *bold*, [t](u) → <u|t>, &<> escaped). */
export function markdownToSlack(text: string): string {
	return write(parseMarkdown(text), slackMrkdwn);
}

// Google Chat text formatting (developers.google.com/workspace/chat/format-messages): the same
// markers as Slack, links as <url|label>; nothing is entity-escaped.
const googleChat: Dialect = {
	text: (value) => value,
	strong: (inner) => `*${inner}*`,
	emphasis: (inner) => `_${inner}_`,
	strike: (inner) => `~${inner}~`,
	code: (value) => `\`${value}\``,
	link: (url, inner) => {
		const label = inlineText(inner);
		return label && label !== url ? `<${url}|${label.replace(/[|>]/g, ' ')}>` : url;
	},
	image: (url, alt) => (alt ? `<${url}|${alt.replace(/[|>]/g, ' ')}>` : url),
	codeBlock: (_lang, value) => `\`\`\`\n${value}\n\`\`\``,
	heading: (inner) => `*${inner}*`,
	quote: (inner) => `> ${inner}`,
	bullet: (indent, inner) => `${indent}• ${inner}`,
	ordered: (indent, number, inner) => `${indent}${number}. ${inner}`,
	join: (lines) => lines.join('\n'),
};

export function markdownToGoogleChat(text: string): string {
	return write(parseMarkdown(text), googleChat);
}

export function escapeHtml(value: string): string {
	return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Links and images in generated HTML: only schemes a chat client can open safely (no javascript:, data:). */
const SAFE_URL = /^(https?:|mailto:|tel:)/i;

const html: Dialect = {
	text: escapeHtml,
	strong: (inner) => `<b>${inner}</b>`,
	emphasis: (inner) => `<i>${inner}</i>`,
	strike: (inner) => `<s>${inner}</s>`,
	code: (value) => `<code>${escapeHtml(value)}</code>`,
	link: (url, inner, ctx) => {
		const label = writeInline(inner, html, ctx) || escapeHtml(url);
		return SAFE_URL.test(url.trim()) ? `<a href="${escapeHtml(url)}">${label}</a>` : label;
	},
	image: (url, alt) => (/^https?:/i.test(url.trim()) ? `<img src="${escapeHtml(url)}" alt="${escapeHtml(alt)}">` : escapeHtml(alt)),
	codeBlock: (_lang, value) => `<pre>${escapeHtml(value)}</pre>`,
	heading: (inner, level) => `<h${Math.min(level, 3)}>${inner}</h${Math.min(level, 3)}>`,
	quote: (inner) => `<blockquote>${inner}</blockquote>`,
	bullet: (indent, inner) => `${'&nbsp;'.repeat(indent.length)}• ${inner}`,
	ordered: (indent, number, inner) => `${'&nbsp;'.repeat(indent.length)}${number}. ${inner}`,
	// Block elements end their own line; <br> only between inline lines.
	join: (lines) =>
		lines.reduce((acc, line, i) => {
			if (i === 0) return line;
			const prevBlock = /<\/(h\d|pre|blockquote)>$/.test(lines[i - 1]!);
			const block = /^<(h\d|pre|blockquote)>/.test(line);
			return acc + (prevBlock || block ? '' : '<br>') + line;
		}, ''),
};

/** Markdown → the HTML subset Teams renders (Graph chatMessage body, Bot Framework `xml` text). */
export function markdownToHtml(text: string): string {
	return write(parseMarkdown(text), html);
}
