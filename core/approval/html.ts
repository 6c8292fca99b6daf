/**
 * The approval pages and the digest's HTML: small, self-contained (no scripts, no external assets, no
 * links off the page), with every value escaped. Pages also carry `noindex` and `no-referrer`, so a
 * link's token is neither indexed nor sent to another site.
 */
import type { ScheduledMessage } from '../queue/types';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text → HTML text or attribute value (quotes included). null / undefined → ''. */
export function escapeHtml(value: unknown): string {
	if (value === undefined || value === null) return '';
	return String(value).replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

/** "2026-06-01T09:00:00.000Z" → "2026-06-01 09:00 UTC" (what reviewers read). */
export function readableTime(iso: string | null | undefined): string {
	if (!iso) return '';
	const ms = Date.parse(iso);
	if (Number.isNaN(ms)) return String(iso);
	return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Collapses whitespace and cuts to `max` characters with an ellipsis. */
export function shorten(text: string, max: number): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** The readable text of a message: its body, else the text of its universal message's parts. */
export function messageText(message: Pick<ScheduledMessage, 'body' | 'message'>): string {
	if (message.body) return message.body;
	const parts = (message.message as { parts?: unknown } | null)?.parts;
	if (!Array.isArray(parts)) return '';
	const texts: string[] = [];
	for (const part of parts) {
		if (typeof part !== 'object' || part === null) continue;
		const p = part as Record<string, unknown>;
		if (typeof p.text === 'string' && p.text.trim() !== '') texts.push(p.text);
		else if (typeof p.caption === 'string' && p.caption.trim() !== '') texts.push(p.caption);
		else if (typeof p.name === 'string' && p.type === 'template') texts.push(`[template ${p.name}]`);
		else if (typeof p.type === 'string') texts.push(`[${p.type}]`);
	}
	return texts.join('\n');
}

/** Subject and body in one short line for lists and digests. */
export function previewOf(message: Pick<ScheduledMessage, 'subject' | 'body' | 'message'>, max = 140): string {
	const body = messageText(message);
	const text = message.subject ? (body ? `${message.subject} — ${body}` : message.subject) : body;
	return shorten(text, max) || '(no text)';
}

const STYLE = [
	'body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1f2328;background:#f6f8fa;margin:0;padding:24px}',
	'main{max-width:760px;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:24px}',
	'h1{font-size:22px;margin:0 0 12px}',
	'p{margin:8px 0}',
	'dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:16px 0}',
	'dt{color:#59636e}',
	'dd{margin:0;overflow-wrap:anywhere}',
	'.body{white-space:pre-wrap;background:#f6f8fa;border-radius:6px;padding:10px;margin:0}',
	'table{border-collapse:collapse;width:100%;margin-top:12px}',
	'th,td{text-align:left;vertical-align:top;border-top:1px solid #d0d7de;padding:8px 6px;overflow-wrap:anywhere}',
	'th{color:#59636e;font-weight:600}',
	'form{display:inline;margin:0}',
	'label{display:block;margin:12px 0 4px;color:#59636e}',
	'textarea{width:100%;box-sizing:border-box;min-height:60px;font:inherit}',
	'button{font:inherit;border:1px solid #d0d7de;border-radius:6px;padding:6px 14px;margin:4px 6px 0 0;cursor:pointer;background:#f6f8fa}',
	'button.approve{background:#1f883d;border-color:#1f883d;color:#fff}',
	'button.reject{background:#cf222e;border-color:#cf222e;color:#fff}',
	'.note{color:#59636e;font-size:13px}',
	'.ok{color:#1a7f37}.bad{color:#cf222e}',
].join('');

/** A whole page. `content` is HTML the caller built from escaped values. */
export function renderPage(title: string, content: string): string {
	return [
		'<!DOCTYPE html>',
		'<html lang="en"><head><meta charset="utf-8">',
		'<meta name="viewport" content="width=device-width, initial-scale=1">',
		'<meta name="robots" content="noindex, nofollow">',
		'<meta name="referrer" content="no-referrer">',
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'">`,
		`<title>${escapeHtml(title)}</title>`,
		`<style>${STYLE}</style>`,
		'</head><body><main>',
		content,
		'</main></body></html>',
	].join('\n');
}

/** Hidden form fields. */
export function hidden(name: string, value: string): string {
	return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}
