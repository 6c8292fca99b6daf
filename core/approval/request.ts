/**
 * handleApprovalRequest: the approval page behind the links of the digest. One HTTP endpoint (an n8n
 * Webhook or a Node-RED `http in`, GET and POST) answers:
 *
 *   GET  ?token=…            confirmation page: the message and a form that POSTs the token back
 *   POST token, confirm=yes  the decision: queue.approve / queue.reject, then the result page
 *   GET  (no token)          the list-and-approve page: the drafts, each with Approve / Reject buttons
 *                            (forms POSTing freshly signed tokens)
 *
 * Nothing changes on GET or HEAD: mail scanners, link previews and prefetchers open links, so only the
 * POST from the page's button acts. Bad or altered tokens get 403, expired ones 410, messages already
 * decided 409, unknown messages 404, other methods 405 — each a small page, never a stack trace.
 * Store failures are thrown: the host reports them as its errors.
 */
import { IllegalTransitionError, InvalidQueueInputError, MessageNotFoundError } from '../errors';
import { parseForm } from '../request';
import type { ScheduledMessage, ScheduleQueue } from '../queue/types';
import { escapeHtml, hidden, messageText, previewOf, readableTime, renderPage } from './html';
import { clockMs, readBaseUrl, readReviewer, readTtl, tokenFor, type Clock } from './links';
import { assertApprovalSecret, verifyApprovalToken, type ApprovalAction, type ApprovalClaims, type SecretCheck } from './tokens';

/** The HTTP request as the host hands it over. Values may be strings or arrays (repeated keys). */
export interface ApprovalHttpRequest {
	/** GET, HEAD or POST (anything else: 405). Default GET. */
	method?: string;
	/** The parsed query string. */
	query?: unknown;
	/** The parsed form body (object), or the raw body (string / Buffer, form-encoded or JSON). */
	body?: unknown;
	headers?: unknown;
}

export interface ApprovalRequestOptions {
	queue: Pick<ScheduleQueue, 'get' | 'list' | 'approve' | 'reject'>;
	/** Signing secret, at least 32 characters. */
	secret: string;
	/** The public URL of this page: links back to the list. Optional (pages then link relatively). */
	baseUrl?: string;
	/** The current time (injected clock; default: the system clock). */
	now?: Clock;
	/**
	 * Who decides when the token names nobody (the list page's tokens are signed with it). Default
	 * "approval link".
	 */
	by?: string;
	/** Lifetime of the tokens the list page signs (default 72 hours). */
	ttlMs?: number;
	/** Serve the list-and-approve page on a GET without token (default true); false → 404 page. */
	listPage?: boolean;
	/** How the host names the secret / base URL fields, for error messages. */
	secretField?: string;
	secretHint?: string;
	baseUrlField?: string;
}

export type ApprovalPageKind =
	| 'confirm'
	| 'done'
	| 'list'
	| 'invalid'
	| 'expired'
	| 'conflict'
	| 'not_found'
	| 'bad_request'
	| 'method_not_allowed';

export interface ApprovalDecision {
	id: string;
	decision: 'approved' | 'rejected';
	by: string;
	/** The message as it is now. */
	result: ScheduledMessage;
}

export interface ApprovalResponse {
	statusCode: number;
	contentType: 'text/html; charset=utf-8';
	/** Headers to send with the page (content type, no caching, no indexing, no framing). */
	headers: Record<string, string>;
	body: string;
	/** Which page this is (for flows and logs). */
	page: ApprovalPageKind;
	/** Present only when this request approved or rejected a message. */
	action?: ApprovalDecision;
}

/** Who decides when neither the token nor the host names anybody. */
export const DEFAULT_APPROVER = 'approval link';
/** How many drafts the list page shows. */
export const LIST_PAGE_SIZE = 100;
const MAX_REASON = 1000;
const MAX_BODY_SHOWN = 4000;
const CONTENT_TYPE = 'text/html; charset=utf-8' as const;

function respond(statusCode: number, page: ApprovalPageKind, title: string, content: string, method: string, extraHeaders: Record<string, string> = {}): ApprovalResponse {
	return {
		statusCode,
		contentType: CONTENT_TYPE,
		headers: {
			'content-type': CONTENT_TYPE,
			'cache-control': 'no-store',
			'x-robots-tag': 'noindex, nofollow',
			'referrer-policy': 'no-referrer',
			'x-frame-options': 'DENY',
			'x-content-type-options': 'nosniff',
			'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
			...extraHeaders,
		},
		body: method === 'HEAD' ? '' : renderPage(title, content),
		page,
	};
}

// ---------------------------------------------------------------------------------------------------
// Reading the request

function headerValue(headers: unknown, name: string): string | undefined {
	if (typeof headers !== 'object' || headers === null) return undefined;
	for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
		if (key.toLowerCase() !== name) continue;
		if (typeof value === 'string') return value;
		if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
	}
	return undefined;
}

/** A body or query as a record of fields, whatever form it came in. */
function fieldsOf(bag: unknown, contentType = ''): Record<string, unknown> {
	if (bag === undefined || bag === null) return {};
	let value = bag;
	if (value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
	if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return {};
		if (/json/i.test(contentType) || text.startsWith('{')) {
			try {
				const parsed: unknown = JSON.parse(text);
				return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
			} catch {
				return {};
			}
		}
		return parseForm(text);
	}
	return typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function field(fields: Record<string, unknown>, name: string): string | undefined {
	if (!Object.prototype.hasOwnProperty.call(fields, name)) return undefined;
	const value = fields[name];
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Pages

interface Context {
	method: string;
	options: ApprovalRequestOptions;
	check: SecretCheck;
	nowMs: number;
	/** Where the list page is: the base URL, or this path without its query. */
	listHref: string;
}

const ACTION_WORDS: Record<ApprovalAction, { verb: string; button: string; noteLabel: string; done: string }> = {
	approve: { verb: 'Approve', button: 'Approve', noteLabel: 'Note (optional)', done: 'Approved' },
	reject: { verb: 'Reject', button: 'Reject — do not send', noteLabel: 'Reason (optional)', done: 'Rejected' },
};

function details(message: ScheduledMessage): string {
	const rows: Array<[string, string]> = [
		['To', escapeHtml(message.recipient)],
		['Channel', escapeHtml(message.channel)],
		['Send time', escapeHtml(readableTime(message.sendTime))],
		['Status', escapeHtml(message.status)],
	];
	if (message.subject) rows.push(['Subject', escapeHtml(message.subject)]);
	const body = messageText(message);
	const shown = body.length > MAX_BODY_SHOWN ? `${body.slice(0, MAX_BODY_SHOWN)}…` : body;
	rows.push(['Message', `<p class="body">${escapeHtml(shown) || '(no text)'}</p>`]);
	return `<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function listLink(ctx: Context): string {
	return ctx.options.listPage === false ? '' : `<p class="note"><a href="${escapeHtml(ctx.listHref)}">All drafts waiting for approval</a></p>`;
}

function invalidPage(ctx: Context): ApprovalResponse {
	return respond(
		403,
		'invalid',
		'Link not valid',
		`<h1 class="bad">This approval link is not valid</h1><p>It may have been cut short or changed (some mail programs break long links), or it was made with another secret. Nothing was changed.</p><p>Open the link from the original message again, or ask for a new digest.</p>${listLink(ctx)}`,
		ctx.method,
	);
}

function expiredPage(ctx: Context, claims: ApprovalClaims | undefined): ApprovalResponse {
	const when = claims ? ` on ${escapeHtml(readableTime(new Date(claims.exp * 1000).toISOString()))}` : '';
	return respond(410, 'expired', 'Link expired', `<h1 class="bad">This approval link has expired</h1><p>It stopped working${when}. Nothing was changed.</p><p>Ask for a new digest, or decide on the list of drafts.</p>${listLink(ctx)}`, ctx.method);
}

function notFoundPage(ctx: Context, id: string): ApprovalResponse {
	return respond(404, 'not_found', 'Message not found', `<h1 class="bad">Message not found</h1><p>There is no scheduled message <code>${escapeHtml(id)}</code> (it may have been deleted). Nothing was changed.</p>${listLink(ctx)}`, ctx.method);
}

function decidedText(message: ScheduledMessage): string {
	if (message.status === 'cancelled') {
		return `It was rejected${message.rejectedBy ? ` by ${escapeHtml(message.rejectedBy)}` : ''}${message.rejectedAt ? ` on ${escapeHtml(readableTime(message.rejectedAt))}` : ''}: it will not be sent.`;
	}
	const approved = message.approvedBy ? `It was approved by ${escapeHtml(message.approvedBy)}${message.approvedAt ? ` on ${escapeHtml(readableTime(message.approvedAt))}` : ''}. ` : '';
	return `${approved}Its status is now <b>${escapeHtml(message.status)}</b>.`;
}

function conflictPage(ctx: Context, message: ScheduledMessage): ApprovalResponse {
	return respond(
		409,
		'conflict',
		'Already decided',
		`<h1>This message was already decided</h1><p>${decidedText(message)} Nothing was changed.</p>${details(message)}${listLink(ctx)}`,
		ctx.method,
	);
}

function confirmPage(ctx: Context, message: ScheduledMessage, claims: ApprovalClaims, token: string): ApprovalResponse {
	const words = ACTION_WORDS[claims.a];
	const who = claims.by ? `<p class="note">For ${escapeHtml(claims.by)}. ` : '<p class="note">';
	const content = [
		`<h1>${words.verb} this message?</h1>`,
		details(message),
		'<form method="post">',
		hidden('token', token),
		hidden('confirm', 'yes'),
		`<label for="reason">${words.noteLabel}</label><textarea id="reason" name="reason" maxlength="${MAX_REASON}"></textarea>`,
		`<button type="submit" class="${claims.a}">${escapeHtml(words.button)}</button>`,
		'</form>',
		`${who}This link works until ${escapeHtml(readableTime(new Date(claims.exp * 1000).toISOString()))}. Nothing changes until you press the button.</p>`,
		listLink(ctx),
	].join('\n');
	return respond(200, 'confirm', `${words.verb} message`, content, ctx.method);
}

function donePage(ctx: Context, decision: ApprovalDecision): ApprovalResponse {
	const m = decision.result;
	const text =
		decision.decision === 'approved'
			? `<h1 class="ok">Approved</h1><p>The message to ${escapeHtml(m.recipient)} will be sent by ${escapeHtml(m.channel)} at ${escapeHtml(readableTime(m.sendTime))}.</p>`
			: `<h1 class="bad">Rejected</h1><p>The message to ${escapeHtml(m.recipient)} will not be sent.</p>`;
	const response = respond(200, 'done', decision.decision === 'approved' ? 'Approved' : 'Rejected', `${text}${details(m)}${listLink(ctx)}`, ctx.method);
	response.action = decision;
	return response;
}

async function listPage(ctx: Context): Promise<ApprovalResponse> {
	const { options } = ctx;
	if (options.listPage === false) {
		return respond(404, 'not_found', 'No approval link', '<h1>No approval link given</h1><p>Open an approve or reject link from your digest.</p>', ctx.method);
	}
	const page = await options.queue.list({ status: 'draft', limit: LIST_PAGE_SIZE });
	const exp = Math.floor((ctx.nowMs + readTtl(options.ttlMs)) / 1000);
	const by = readReviewer(options.by);
	const form = (id: string, action: ApprovalAction) =>
		`<form method="post">${hidden('token', tokenFor(id, action, exp, options.secret, by, ctx.check))}${hidden('confirm', 'yes')}<button type="submit" class="${action}">${ACTION_WORDS[action].verb}</button></form>`;
	const rows = page.items
		.map(
			(m) =>
				`<tr><td>${escapeHtml(m.recipient)}<div class="note">${escapeHtml(m.channel)}</div></td><td>${escapeHtml(readableTime(m.sendTime))}</td><td>${escapeHtml(previewOf(m))}</td><td>${form(m.id, 'approve')}${form(m.id, 'reject')}</td></tr>`,
		)
		.join('\n');
	const count = page.items.length;
	const content = [
		'<h1>Drafts waiting for approval</h1>',
		count === 0
			? '<p>Nothing is waiting for approval.</p>'
			: `<p>${count} draft${count === 1 ? '' : 's'}${page.nextCursor ? ` (the first ${LIST_PAGE_SIZE}; more are waiting)` : ''}, earliest send time first. A button decides at once.</p>`,
		count ? `<table><thead><tr><th>To</th><th>Send time</th><th>Message</th><th></th></tr></thead><tbody>${rows}</tbody></table>` : '',
	].join('\n');
	return respond(200, 'list', 'Drafts waiting for approval', content, ctx.method);
}

// ---------------------------------------------------------------------------------------------------

/** The message a token names, or the page that says why there is none to decide on. */
async function draftFor(ctx: Context, claims: ApprovalClaims): Promise<{ message: ScheduledMessage } | { response: ApprovalResponse }> {
	let message: ScheduledMessage | null;
	try {
		message = await ctx.options.queue.get(claims.m);
	} catch (error) {
		if (error instanceof MessageNotFoundError) return { response: notFoundPage(ctx, claims.m) };
		throw error;
	}
	if (!message) return { response: notFoundPage(ctx, claims.m) };
	if (message.status !== 'draft') return { response: conflictPage(ctx, message) };
	return { message };
}

/**
 * Answers one request to the approval page. Only a POST with a valid token and `confirm=yes` changes
 * anything (one approve or reject through the queue); everything else only reads.
 */
export async function handleApprovalRequest(request: ApprovalHttpRequest, options: ApprovalRequestOptions): Promise<ApprovalResponse> {
	if (typeof options !== 'object' || options === null || typeof options.queue !== 'object' || options.queue === null) {
		throw new InvalidQueueInputError([{ field: 'options.queue', message: 'is required: the Schedule Queue the decisions go to' }]);
	}
	const check: SecretCheck = { field: options.secretField ?? 'secret', ...(options.secretHint ? { hint: options.secretHint } : {}) };
	assertApprovalSecret(options.secret, check);
	const base = options.baseUrl === undefined || options.baseUrl === '' ? undefined : readBaseUrl(options.baseUrl, options.baseUrlField ?? 'baseUrl');
	const req = typeof request === 'object' && request !== null ? request : {};
	const method = typeof req.method === 'string' && req.method.trim() !== '' ? req.method.trim().toUpperCase() : 'GET';
	const ctx: Context = { method, options, check, nowMs: clockMs(options.now), listHref: base ? base.href : '?' };

	if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
		return respond(405, 'method_not_allowed', 'Method not allowed', `<h1>Method not allowed</h1><p>This page answers GET and POST only.</p>`, method, { allow: 'GET, HEAD, POST' });
	}
	const query = fieldsOf(req.query);

	if (method === 'GET' || method === 'HEAD') {
		const token = field(query, 'token');
		if (token === undefined) return await listPage(ctx);
		const verified = verifyApprovalToken(token, options.secret, ctx.nowMs);
		if (!verified.ok) return verified.reason === 'expired' ? expiredPage(ctx, verified.claims) : invalidPage(ctx);
		const found = await draftFor(ctx, verified.claims);
		return 'response' in found ? found.response : confirmPage(ctx, found.message, verified.claims, token);
	}

	// POST
	const body = fieldsOf(req.body, headerValue(req.headers, 'content-type'));
	const token = field(body, 'token') ?? field(query, 'token');
	if (token === undefined) {
		return respond(400, 'bad_request', 'No approval token', `<h1>No approval token</h1><p>Use the buttons of the approval page. Nothing was changed.</p>${listLink(ctx)}`, method);
	}
	const verified = verifyApprovalToken(token, options.secret, ctx.nowMs);
	if (!verified.ok) return verified.reason === 'expired' ? expiredPage(ctx, verified.claims) : invalidPage(ctx);
	const claims = verified.claims;
	const found = await draftFor(ctx, claims);
	if ('response' in found) return found.response;
	// Not confirmed (a bare POST of the token): show the confirmation page instead of acting.
	if (field(body, 'confirm')?.toLowerCase() !== 'yes') return confirmPage(ctx, found.message, claims, token);

	const by = claims.by ?? readReviewer(options.by) ?? DEFAULT_APPROVER;
	const reasonText = field(body, 'reason');
	const reason = reasonText === undefined ? undefined : reasonText.slice(0, MAX_REASON);
	let result: ScheduledMessage;
	try {
		const actor = reason ? { by, reason } : { by };
		result = claims.a === 'approve' ? await options.queue.approve(claims.m, actor) : await options.queue.reject(claims.m, actor);
	} catch (error) {
		// Decided by someone else between the read and the write (or deleted).
		if (error instanceof IllegalTransitionError) {
			const now = await options.queue.get(claims.m);
			if (now) return conflictPage(ctx, now);
		}
		if (error instanceof MessageNotFoundError || error instanceof IllegalTransitionError) return notFoundPage(ctx, claims.m);
		throw error;
	}
	return donePage(ctx, { id: claims.m, decision: claims.a === 'approve' ? 'approved' : 'rejected', by, result });
}
