/**
 * Universal `html` text → the HTML Telegram accepts with parse_mode "HTML"
 * (core.telegram.org/bots/api#html-style). Telegram rejects the whole message ("can't parse
 * entities") on any tag it does not know, an unclosed or misnested tag, a bare `<`/`&`, or a named
 * entity other than &lt; &gt; &amp; &quot;. So this is a sanitiser, not a passthrough:
 *
 * - allowed tags are kept with only their allowed attributes, everything re-quoted and re-escaped;
 * - block tags become line breaks (br, p, div, li, headings…); headings become bold; list items get "• ";
 * - other tags are dropped, their text kept (script/style/head content dropped entirely);
 * - tags are balanced with a stack: stray closers vanish, unclosed tags are closed at the end;
 * - `code`/`pre` may not contain other entities, `a` may not contain `a`: nested tags there are dropped;
 * - bare `<`, `>`, `&` are escaped; named entities Telegram lacks are decoded to their character.
 *
 * Newlines in the text are kept as written: Telegram shows them, and people writing Telegram HTML
 * rely on them since Telegram has no <br>.
 */
import { escapeHtml } from '../shared/markdown';
import { lookupTable } from '../../util/object';

type Allowed = 'b' | 'i' | 'u' | 's' | 'a' | 'code' | 'pre' | 'blockquote' | 'tg-spoiler' | 'tg-emoji';

/** Source tag → the Telegram tag it becomes. */
const INLINE_TAGS: Readonly<Record<string, Allowed>> = lookupTable({
	b: 'b',
	strong: 'b',
	i: 'i',
	em: 'i',
	u: 'u',
	ins: 'u',
	s: 's',
	strike: 's',
	del: 's',
	a: 'a',
	code: 'code',
	pre: 'pre',
	blockquote: 'blockquote',
	'tg-spoiler': 'tg-spoiler',
	'tg-emoji': 'tg-emoji',
});

const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** Tags whose end (and start, when text precedes) is a line break. */
const BLOCKS = new Set(['p', 'div', 'section', 'article', 'header', 'footer', 'ul', 'ol', 'table', 'tr', 'dl', 'dt', 'dd', 'hr']);
const SKIP_CONTENT = new Set(['script', 'style', 'head', 'title', 'template']);

const NAMED_ENTITIES: Readonly<Record<string, string>> = lookupTable({
	nbsp: '\u00a0',
	apos: "'",
	copy: '©',
	reg: '®',
	trade: '™',
	hellip: '…',
	mdash: '—',
	ndash: '–',
	laquo: '«',
	raquo: '»',
	lsquo: '‘',
	rsquo: '’',
	ldquo: '“',
	rdquo: '”',
	bull: '•',
	middot: '·',
	euro: '€',
	pound: '£',
	yen: '¥',
	deg: '°',
	times: '×',
	divide: '÷',
});
const KEPT_ENTITIES = new Set(['lt', 'gt', 'amp', 'quot']);

function attribute(attrs: string, name: string): string | undefined {
	const re = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i');
	const m = re.exec(attrs);
	if (!m) return undefined;
	return decodeEntities(m[1] ?? m[2] ?? m[3] ?? '');
}

/** Entities inside an attribute value, decoded so the value can be re-escaped once. */
function decodeEntities(value: string): string {
	return value.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
		if (name[0] === '#') {
			const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
			return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
		}
		const lower = name.toLowerCase();
		if (lower === 'lt') return '<';
		if (lower === 'gt') return '>';
		if (lower === 'amp') return '&';
		if (lower === 'quot') return '"';
		return NAMED_ENTITIES[lower] ?? whole;
	});
}

function openTag(tag: Allowed, attrs: string): string | undefined {
	switch (tag) {
		case 'a': {
			// Telegram refuses links it cannot open (javascript:, relative paths): keep just the text.
			const href = attribute(attrs, 'href')?.trim();
			return href && /^(https?:\/\/|tg:\/\/|mailto:)/i.test(href) ? `<a href="${escapeHtml(href)}">` : undefined;
		}
		case 'code': {
			const cls = attribute(attrs, 'class');
			return cls && /^language-[\w+#.-]+$/.test(cls) ? `<code class="${cls}">` : '<code>';
		}
		case 'blockquote':
			return /(?:^|\s)expandable(?:\s|=|$)/i.test(attrs) ? '<blockquote expandable>' : '<blockquote>';
		case 'tg-emoji': {
			const id = attribute(attrs, 'emoji-id');
			return id && /^\d+$/.test(id) ? `<tg-emoji emoji-id="${id}">` : undefined;
		}
		default:
			return `<${tag}>`;
	}
}

export function htmlToTelegram(source: string): string {
	let out = '';
	const stack: Allowed[] = [];
	let skipDepth = 0;
	let skipTag = '';
	/** Allowed tags that were dropped (nested in code, a in a…): their closers must vanish too. */
	const dropped: string[] = [];

	const inCode = () => stack.includes('code') || stack.includes('pre');
	const newline = () => {
		if (out !== '' && !out.endsWith('\n')) out += '\n';
	};
	const close = (tag: Allowed) => {
		const at = stack.lastIndexOf(tag);
		if (at < 0) return false;
		for (let k = stack.length - 1; k >= at; k -= 1) out += `</${stack[k]}>`;
		stack.length = at;
		return true;
	};

	const token = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<!DOCTYPE[^>]*>|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:"[^"]*"|'[^']*'|[^'">])*)>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);|[<>&]/g;
	let last = 0;
	for (let m = token.exec(source); m !== null; m = token.exec(source)) {
		const text = source.slice(last, m.index);
		last = m.index + m[0].length;
		if (skipDepth === 0) out += text;
		const whole = m[0];
		const tagName = m[2]?.toLowerCase();

		if (tagName !== undefined) {
			const closing = m[1] === '/';
			const attrs = m[3] ?? '';
			if (SKIP_CONTENT.has(tagName)) {
				if (!closing && !attrs.trim().endsWith('/')) {
					if (skipDepth === 0) skipTag = tagName;
					if (tagName === skipTag) skipDepth += 1;
				} else if (closing && tagName === skipTag && skipDepth > 0) skipDepth -= 1;
				continue;
			}
			if (skipDepth > 0) continue;
			const mapped = INLINE_TAGS[tagName];
			if (mapped) {
				if (closing) {
					const droppedAt = dropped.lastIndexOf(mapped);
					if (droppedAt >= 0 && !stack.includes(mapped)) dropped.splice(droppedAt, 1);
					else close(mapped);
					if (mapped === 'pre' || mapped === 'blockquote') newline();
					continue;
				}
				// Telegram: no entities inside code/pre except <code> directly in <pre>; no link in a link.
				const nestedInCode = inCode() && !(mapped === 'code' && stack[stack.length - 1] === 'pre');
				const opened = nestedInCode || (mapped === 'a' && stack.includes('a')) || stack.includes(mapped) ? undefined : openTag(mapped, attrs);
				if (opened === undefined) {
					dropped.push(mapped);
					continue;
				}
				if (mapped === 'pre' || mapped === 'blockquote') newline();
				out += opened;
				stack.push(mapped);
				continue;
			}
			if (inCode()) continue;
			if (tagName === 'br') {
				out += '\n';
			} else if (HEADINGS.has(tagName)) {
				if (closing) {
					close('b');
					out += '\n';
				} else {
					newline();
					if (!stack.includes('b')) {
						out += '<b>';
						stack.push('b');
					}
				}
			} else if (tagName === 'li') {
				if (closing) newline();
				else {
					newline();
					out += '• ';
				}
			} else if (tagName === 'p') {
				if (closing) out += '\n\n';
				else newline();
			} else if (BLOCKS.has(tagName)) {
				newline();
			} else if (tagName === 'img' && !closing) {
				const src = attribute(attrs, 'src');
				const alt = attribute(attrs, 'alt');
				if (src && !stack.includes('a')) out += `<a href="${escapeHtml(src)}">${escapeHtml(alt || src)}</a>`;
				else if (alt) out += escapeHtml(alt);
			} else if (tagName === 'td' || tagName === 'th') {
				if (closing) out += ' ';
			}
			continue;
		}
		if (skipDepth > 0) continue;
		const entity = m[4];
		if (entity !== undefined) {
			const lower = entity.toLowerCase();
			if (entity[0] === '#') {
				const decoded = decodeEntities(whole);
				out += decoded === whole ? whole.replace('&', '&amp;') : escapeHtml(decoded);
			} else if (KEPT_ENTITIES.has(lower)) out += `&${lower};`;
			else {
				const decoded = NAMED_ENTITIES[lower];
				out += decoded !== undefined ? decoded : `&amp;${entity};`;
			}
			continue;
		}
		// A bare <, > or & (or a comment/doctype, dropped).
		if (whole === '<') out += '&lt;';
		else if (whole === '>') out += '&gt;';
		else if (whole === '&') out += '&amp;';
	}
	if (skipDepth === 0) out += source.slice(last);
	for (let k = stack.length - 1; k >= 0; k -= 1) out += `</${stack[k]}>`;
	// Not String#trim: a leading &nbsp; the author wrote is content.
	return out.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}
