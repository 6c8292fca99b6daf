/**
 * approvalLinks: the reviewers' digest. For each draft, an approve and a reject link
 * (`<baseUrl>?token=…`, signed and expiring), and the whole list as a ready email: subject, plain
 * text and HTML. Opening a link shows a confirmation page (handleApprovalRequest); only the button on
 * that page changes the message.
 */
import { InvalidQueueInputError } from '../errors';
import type { ScheduleQueue, ScheduledMessage } from '../queue/types';
import { escapeHtml, previewOf, readableTime } from './html';
import { DEFAULT_TTL_MS, MAX_TTL_MS, assertApprovalSecret, signApprovalToken, type ApprovalAction, type SecretCheck } from './tokens';

export type Clock = Date | number | (() => Date);

export interface ApprovalLinksOptions {
	/** The public URL of the approval page (the n8n Webhook / Node-RED http in URL), http(s). */
	baseUrl: string;
	/** Signing secret, at least 32 characters. */
	secret: string;
	/** How long the links stay valid (default 72 hours, at most 366 days). */
	ttlMs?: number;
	/** The current time (injected clock; default: the system clock). */
	now?: Clock;
	/** The reviewer the links are for: recorded as "approved by" / "rejected by". Default: "approval link". */
	by?: string;
	/** How the host names the secret and base URL fields, for error messages. */
	secretField?: string;
	secretHint?: string;
	baseUrlField?: string;
	/** True when more drafts are waiting than are listed (the digest says so and links the list page). */
	more?: boolean;
}

export interface ApprovalLink {
	id: string;
	recipient: string;
	channel: string;
	/** ISO 8601 UTC. */
	sendTime: string;
	/** Subject and body, one line, at most 140 characters. */
	preview: string;
	approveUrl: string;
	rejectUrl: string;
	/** ISO 8601 UTC: the links are refused from this time on. */
	expiresAt: string;
}

/** The digest item: ready to send to reviewers (email subject, text and HTML body). */
export interface ApprovalDigest {
	count: number;
	subject: string;
	text: string;
	html: string;
	links: ApprovalLink[];
	/** The list-and-approve page (the base URL without a token). */
	listUrl: string;
	/** More drafts are waiting than the digest lists. */
	more: boolean;
}

/** The clock's time in ms; a bad clock is a caller bug worth a clear error. */
export function clockMs(now: Clock | undefined): number {
	const value = now === undefined ? new Date() : typeof now === 'function' ? now() : now;
	const ms = value instanceof Date ? value.getTime() : value;
	if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new InvalidQueueInputError([{ field: 'now', message: 'must be a Date, epoch milliseconds or a function returning a Date' }]);
	return ms;
}

/** Checks the base URL (absolute http or https, no fragment) and returns it parsed. */
export function readBaseUrl(value: unknown, field = 'baseUrl'): URL {
	const hint = `Set "${field}" to the public address of the approval page, e.g. https://n8n.example.com/webhook/switchboard/approval (the Webhook / http in node's URL as reviewers reach it).`;
	if (typeof value !== 'string' || value.trim() === '') throw new InvalidQueueInputError([{ field, message: 'is empty: links need the public URL of the approval page' }], hint);
	let url: URL;
	try {
		url = new URL(value.trim());
	} catch {
		throw new InvalidQueueInputError([{ field, message: `is not an absolute URL (got ${JSON.stringify(value.slice(0, 80))})` }], hint);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidQueueInputError([{ field, message: `must start with https:// or http:// (got ${url.protocol})` }], hint);
	if (url.hash) throw new InvalidQueueInputError([{ field, message: 'must not contain a #fragment' }], hint);
	url.searchParams.delete('token');
	return url;
}

/** `<baseUrl>?token=<token>`, keeping any query the base URL has. */
export function linkUrl(base: URL, token: string): string {
	const url = new URL(base.href);
	url.searchParams.set('token', token);
	return url.href;
}

export function readTtl(ttlMs: unknown, field = 'ttlMs'): number {
	if (ttlMs === undefined || ttlMs === null) return DEFAULT_TTL_MS;
	if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs < 60_000 || ttlMs > MAX_TTL_MS) {
		throw new InvalidQueueInputError(
			[{ field, message: `must be between 1 minute and 366 days (got ${JSON.stringify(ttlMs)})` }],
			'Give how long the links stay valid, e.g. 72 hours.',
		);
	}
	return Math.floor(ttlMs);
}

export function readReviewer(by: unknown): string | undefined {
	if (by === undefined || by === null) return undefined;
	if (typeof by !== 'string') throw new InvalidQueueInputError([{ field: 'by', message: 'must be text (the reviewer’s name or email)' }]);
	const trimmed = by.trim();
	if (trimmed === '') return undefined;
	if (trimmed.length > 320) throw new InvalidQueueInputError([{ field: 'by', message: 'must be at most 320 characters' }]);
	return trimmed;
}

/** A token for one decision on one message, valid until `exp` (epoch seconds). */
export function tokenFor(id: string, action: ApprovalAction, exp: number, secret: string, by: string | undefined, check: SecretCheck): string {
	return signApprovalToken({ m: id, a: action, exp, ...(by ? { by } : {}) }, secret, check);
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The digest for `messages` (normally the drafts; the caller chooses). One approve and one reject
 * link per message, all expiring `ttlMs` from now. Pure: signs and formats, changes nothing.
 */
export function approvalLinks(messages: readonly ScheduledMessage[], options: ApprovalLinksOptions): ApprovalDigest {
	if (!Array.isArray(messages)) throw new InvalidQueueInputError([{ field: 'messages', message: 'must be a list of scheduled messages' }]);
	if (typeof options !== 'object' || options === null) throw new InvalidQueueInputError([{ field: 'options', message: 'must be { baseUrl, secret, ttlMs?, now? }' }]);
	const check: SecretCheck = { field: options.secretField ?? 'secret', ...(options.secretHint ? { hint: options.secretHint } : {}) };
	assertApprovalSecret(options.secret, check);
	const base = readBaseUrl(options.baseUrl, options.baseUrlField ?? 'baseUrl');
	const ttlMs = readTtl(options.ttlMs);
	const nowMs = clockMs(options.now);
	const by = readReviewer(options.by);
	const exp = Math.floor((nowMs + ttlMs) / 1000);
	const expiresAt = new Date(exp * 1000).toISOString();

	const links: ApprovalLink[] = messages.map((message, i) => {
		if (typeof message !== 'object' || message === null || typeof message.id !== 'string' || message.id === '') {
			throw new InvalidQueueInputError([{ field: `messages[${i}].id`, message: 'is missing: each message needs its id' }]);
		}
		return {
			id: message.id,
			recipient: String(message.recipient ?? ''),
			channel: String(message.channel ?? ''),
			sendTime: String(message.sendTime ?? ''),
			preview: previewOf(message),
			approveUrl: linkUrl(base, tokenFor(message.id, 'approve', exp, options.secret, by, check)),
			rejectUrl: linkUrl(base, tokenFor(message.id, 'reject', exp, options.secret, by, check)),
			expiresAt,
		};
	});

	const listUrl = base.href;
	const more = options.more === true;
	const count = links.length;
	const subject = count === 0 ? 'No messages waiting for approval' : `${plural(count, 'message', 'messages')}${more ? ' (and more)' : ''} waiting for approval`;
	const expiry = readableTime(expiresAt);

	const textLines: string[] = [subject, ''];
	links.forEach((link, i) => {
		textLines.push(
			`${i + 1}. To ${link.recipient} by ${link.channel}, ${readableTime(link.sendTime)}`,
			`   ${link.preview}`,
			`   Approve: ${link.approveUrl}`,
			`   Reject:  ${link.rejectUrl}`,
			'',
		);
	});
	if (count) textLines.push(`The links work until ${expiry}. Each opens a confirmation page; nothing changes until you confirm there.`);
	if (more) textLines.push('More drafts are waiting than this digest lists.');
	textLines.push(`All drafts: ${listUrl}`);
	const text = textLines.join('\n');

	const button = (href: string, label: string, color: string) =>
		`<a href="${escapeHtml(href)}" style="display:inline-block;padding:6px 14px;margin-right:8px;border-radius:6px;background:${color};color:#ffffff;text-decoration:none;font-weight:600">${label}</a>`;
	const rows = links
		.map(
			(link) =>
				`<tr><td style="padding:12px 0;border-top:1px solid #d0d7de">` +
				`<div><b>${escapeHtml(link.recipient)}</b> · ${escapeHtml(link.channel)} · ${escapeHtml(readableTime(link.sendTime))}</div>` +
				`<div style="color:#59636e;margin:4px 0 8px">${escapeHtml(link.preview)}</div>` +
				`${button(link.approveUrl, 'Approve', '#1f883d')}${button(link.rejectUrl, 'Reject', '#cf222e')}` +
				`</td></tr>`,
		)
		.join('');
	const html = [
		'<!DOCTYPE html><html><head><meta charset="utf-8"></head>',
		'<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif;font-size:15px;color:#1f2328">',
		`<h2 style="font-size:18px">${escapeHtml(subject)}</h2>`,
		count ? `<table style="border-collapse:collapse;width:100%;max-width:720px">${rows}</table>` : '<p>Nothing to review right now.</p>',
		count ? `<p style="color:#59636e;font-size:13px">The links work until ${escapeHtml(expiry)}. Each opens a confirmation page; nothing changes until you confirm there.</p>` : '',
		more ? '<p style="color:#59636e;font-size:13px">More drafts are waiting than this digest lists.</p>' : '',
		`<p style="font-size:13px"><a href="${escapeHtml(listUrl)}">All drafts waiting for approval</a></p>`,
		'</body></html>',
	].join('\n');

	return { count, subject, text, html, links, listUrl, more };
}

/** The drafts one digest lists, and the ids given that are not drafts (with why). */
export interface DigestDrafts {
	drafts: ScheduledMessage[];
	skipped: Array<{ id: string; reason: string }>;
	/** More drafts are waiting than `limit` listed (only when listing). */
	more: boolean;
}

/**
 * The drafts for a digest, as both hosts' "Approval Links" operation gathers them: the given ids (each
 * still a draft; the others skipped with their status), else the first `limit` drafts in send order.
 * The hosts check `ids` and `limit` against their own field names first.
 */
export async function draftsForDigest(queue: Pick<ScheduleQueue, 'get' | 'list'>, selection: { ids: readonly string[] } | { limit: number }): Promise<DigestDrafts> {
	if ('limit' in selection) {
		const page = await queue.list({ status: 'draft', limit: selection.limit });
		return { drafts: page.items, skipped: [], more: page.nextCursor !== undefined };
	}
	const drafts: ScheduledMessage[] = [];
	const skipped: DigestDrafts['skipped'] = [];
	for (const id of selection.ids) {
		const row = await queue.get(id);
		if (!row) skipped.push({ id, reason: 'not found' });
		else if (row.status !== 'draft') skipped.push({ id, reason: `status is ${row.status}` });
		else {
			const { attempts: _attempts, ...message } = row;
			void _attempts;
			drafts.push(message);
		}
	}
	return { drafts, skipped, more: false };
}
