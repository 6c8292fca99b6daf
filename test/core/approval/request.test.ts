/**
 * handleApprovalRequest against a REAL embedded Schedule Queue (PGlite in a temp folder): opening a
 * link (GET, HEAD) changes nothing; the confirmation POST approves or rejects, once; a second POST is
 * a 409 page; expired links are 410, altered or foreign ones 403, unknown messages 404, other methods
 * 405; the list page lists drafts only, with working buttons, and escapes what it shows. The queue's
 * state is read back through the queue itself after every request.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { approvalLinks, draftsForDigest, handleApprovalRequest, openQueue, signApprovalToken, type ApprovalRequestOptions, type ApprovalResponse, type ScheduledMessage, type ScheduleQueue } from '../../../core';

const SECRET = 'Zt8mQ2xV0pL6rN4bW1yC7dF3gH5jK9sA0eU2iO4';
const BASE = 'https://approvals.example.net/webhook/switchboard/approval';
let clock = Date.parse('2026-05-28T12:00:00Z');
const now = () => new Date(clock);

let dir = '';
let queue: ScheduleQueue;
before(async () => {
	dir = mkdtempSync(join(tmpdir(), 'switchboard-approval-'));
	queue = await openQueue({ connection: { kind: 'embedded', dataDir: join(dir, 'queue') }, now });
});
after(async () => {
	await queue?.close();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
async function enqueueDraft(extra: Record<string, unknown> = {}): Promise<ScheduledMessage> {
	counter++;
	const { message } = await queue.enqueue({
		channel: 'email',
		recipient: `client${counter}@example.net`,
		subject: `Session summary ${counter}`,
		body: `Thank you for today's session (${counter}).`,
		sendTime: '2026-06-01T09:00:00Z',
		...extra,
	});
	return message;
}

function options(extra: Partial<ApprovalRequestOptions> = {}): ApprovalRequestOptions {
	return { queue, secret: SECRET, baseUrl: BASE, now, ...extra };
}

/** The token of a digest link for `message`. */
function linkToken(message: ScheduledMessage, action: 'approve' | 'reject', extra: { by?: string; ttlMs?: number } = {}): string {
	const digest = approvalLinks([message], { baseUrl: BASE, secret: SECRET, now: now(), ...extra });
	const url = action === 'approve' ? digest.links[0]!.approveUrl : digest.links[0]!.rejectUrl;
	return new URL(url).searchParams.get('token')!;
}

async function statusOf(id: string): Promise<string | undefined> {
	return (await queue.get(id))?.status;
}

/** The values of every hidden `token` field of a page's forms. */
function formTokens(page: ApprovalResponse): string[] {
	return [...page.body.matchAll(/<input type="hidden" name="token" value="([^"]+)">/g)].map((m) => m[1]!);
}

function assertPage(page: ApprovalResponse, statusCode: number, kind: string): void {
	assert.equal(page.statusCode, statusCode, `status of the ${kind} page`);
	assert.equal(page.page, kind);
	assert.equal(page.contentType, 'text/html; charset=utf-8');
	assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
	assert.equal(page.headers['cache-control'], 'no-store');
	if (page.body) {
		assert.match(page.body, /^<!DOCTYPE html>/);
		assert.match(page.body, /<meta name="robots" content="noindex/);
		assert.doesNotMatch(page.body, /<(script|link|img|iframe|object|embed)\b/i, 'self-contained: no scripts, no external assets');
		assert.doesNotMatch(page.body, /(href|src|action)="https?:\/\/(?!approvals\.example\.net)/, 'no links off the page');
	}
}

describe('handleApprovalRequest on a real embedded queue', () => {
	test('GET with a link shows the confirmation page and changes nothing; HEAD neither', async () => {
		const message = await enqueueDraft();
		const token = linkToken(message, 'approve', { by: 'dana.ortiz@example.net' });
		for (let i = 0; i < 3; i++) {
			const page = await handleApprovalRequest({ method: 'GET', query: { token } }, options());
			assertPage(page, 200, 'confirm');
			assert.equal(page.action, undefined);
			assert.match(page.body, /Approve this message\?/);
			assert.match(page.body, new RegExp(message.recipient.replace(/\./g, '\\.')));
			assert.match(page.body, /<form method="post">/);
			assert.deepEqual(formTokens(page), [token], 'the form posts the same token back');
			assert.match(page.body, /<input type="hidden" name="confirm" value="yes">/);
		}
		const head = await handleApprovalRequest({ method: 'HEAD', query: { token } }, options());
		assert.equal(head.statusCode, 200);
		assert.equal(head.body, '');
		assert.equal(await statusOf(message.id), 'draft', 'opening a link (or previewing it) never decides');
		// A POST of the token without confirm=yes (a bare form replay) only shows the page again.
		const bare = await handleApprovalRequest({ method: 'POST', body: { token } }, options());
		assertPage(bare, 200, 'confirm');
		assert.equal(await statusOf(message.id), 'draft');
	});

	test('POST token + confirm=yes approves once, as the reviewer named in the link; the second POST is 409', async () => {
		const message = await enqueueDraft();
		const token = linkToken(message, 'approve', { by: 'dana.ortiz@example.net' });
		// The form body as a browser sends it (form-encoded text), with a note.
		const done = await handleApprovalRequest(
			{ method: 'POST', body: `token=${encodeURIComponent(token)}&confirm=yes&reason=Checked+with+the+client`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
			options(),
		);
		assertPage(done, 200, 'done');
		assert.deepEqual([done.action?.id, done.action?.decision, done.action?.by], [message.id, 'approved', 'dana.ortiz@example.net']);
		assert.match(done.body, /Approved/);
		const stored = await queue.get(message.id);
		assert.deepEqual([stored?.status, stored?.approvedBy, stored?.approvalNote, stored?.approvedAt], ['approved', 'dana.ortiz@example.net', 'Checked with the client', new Date(clock).toISOString()]);
		assert.equal(done.action?.result.status, 'approved');

		const again = await handleApprovalRequest({ method: 'POST', body: { token, confirm: 'yes' } }, options());
		assertPage(again, 409, 'conflict');
		assert.equal(again.action, undefined);
		assert.match(again.body, /already decided/);
		assert.match(again.body, /approved by dana\.ortiz@example\.net/);
		// The reject link of the same digest is now 409 too (first decision wins), on GET and POST.
		const rejectToken = linkToken(message, 'reject');
		assertPage(await handleApprovalRequest({ method: 'GET', query: { token: rejectToken } }, options()), 409, 'conflict');
		assertPage(await handleApprovalRequest({ method: 'POST', body: { token: rejectToken, confirm: 'yes' } }, options()), 409, 'conflict');
		assert.equal(await statusOf(message.id), 'approved');
	});

	test('reject: the message is cancelled with the reason; without a reviewer in the link, the host\'s "by" or "approval link" is recorded', async () => {
		const a = await enqueueDraft();
		const done = await handleApprovalRequest({ method: 'POST', body: { token: linkToken(a, 'reject'), confirm: 'yes', reason: 'Wrong client' } }, options());
		assertPage(done, 200, 'done');
		assert.equal(done.action?.decision, 'rejected');
		const stored = await queue.get(a.id);
		assert.deepEqual([stored?.status, stored?.rejectedBy, stored?.rejectionReason], ['cancelled', 'approval link', 'Wrong client']);

		const b = await enqueueDraft();
		const byHost = await handleApprovalRequest({ method: 'POST', body: { token: linkToken(b, 'approve'), confirm: 'yes' } }, options({ by: 'sso:lee' }));
		assert.equal(byHost.action?.by, 'sso:lee');
		assert.equal((await queue.get(b.id))?.approvedBy, 'sso:lee');
		// A rejected message's approve link: 409, and it stays cancelled.
		assertPage(await handleApprovalRequest({ method: 'POST', body: { token: linkToken(a, 'approve'), confirm: 'yes' } }, options()), 409, 'conflict');
		assert.equal(await statusOf(a.id), 'cancelled');
	});

	test('an expired link is a 410 page and a tampered or foreign one a 403 page, with no form; nothing changes', async () => {
		const message = await enqueueDraft();
		const token = linkToken(message, 'approve', { ttlMs: 60 * 60_000 });
		clock += 60 * 60_000;
		try {
			for (const request of [{ method: 'GET', query: { token } }, { method: 'POST', body: { token, confirm: 'yes' } }]) {
				const page = await handleApprovalRequest(request, options());
				assertPage(page, 410, 'expired');
				assert.match(page.body, /expired/);
				assert.deepEqual(formTokens(page), []);
			}
		} finally {
			clock -= 60 * 60_000;
		}
		const fresh = linkToken(message, 'approve');
		const last = fresh.at(-1) === 'A' ? 'B' : 'A';
		const forged = signApprovalToken({ m: message.id, a: 'approve', exp: Math.floor(clock / 1000) + 600 }, 'an-attacker-secret-that-is-long-enough!!');
		for (const bad of [`${fresh.slice(0, -1)}${last}`, forged, 'not-a-token']) {
			for (const request of [{ method: 'GET', query: { token: bad } }, { method: 'POST', body: { token: bad, confirm: 'yes' } }]) {
				const page = await handleApprovalRequest(request, options());
				assertPage(page, 403, 'invalid');
				assert.deepEqual(formTokens(page), []);
			}
		}
		assert.equal(await statusOf(message.id), 'draft');
	});

	test('a valid link to a message that does not exist is a 404 page; POST without a token 400; PUT 405', async () => {
		const ghost = signApprovalToken({ m: '11111111-2222-4333-8444-555555555555', a: 'approve', exp: Math.floor(clock / 1000) + 600 }, SECRET);
		assertPage(await handleApprovalRequest({ method: 'GET', query: { token: ghost } }, options()), 404, 'not_found');
		assertPage(await handleApprovalRequest({ method: 'POST', body: { token: ghost, confirm: 'yes' } }, options()), 404, 'not_found');
		const notUuid = signApprovalToken({ m: 'not-a-uuid', a: 'reject', exp: Math.floor(clock / 1000) + 600 }, SECRET);
		assertPage(await handleApprovalRequest({ method: 'POST', body: { token: notUuid, confirm: 'yes' } }, options()), 404, 'not_found');
		assertPage(await handleApprovalRequest({ method: 'POST', body: {} }, options()), 400, 'bad_request');
		const put = await handleApprovalRequest({ method: 'PUT', body: { token: ghost, confirm: 'yes' } }, options());
		assertPage(put, 405, 'method_not_allowed');
		assert.equal(put.headers.allow, 'GET, HEAD, POST');
	});

	test('the list page lists drafts only, escapes them, and its buttons work (and only on POST)', async () => {
		const hostile = await enqueueDraft({ recipient: '"><script>alert(1)</script>@x.net', subject: '<img src=x onerror=alert(2)>', body: 'Fish & <b>chips</b>' });
		const decided = await enqueueDraft({ recipient: 'already-approved@example.net' });
		await queue.approve(decided.id, { by: 'someone' });
		const page = await handleApprovalRequest({ method: 'GET', query: {} }, options({ by: 'list-reviewer' }));
		assertPage(page, 200, 'list');
		assert.doesNotMatch(page.body, /already-approved@example\.net/, 'only drafts are listed');
		assert.doesNotMatch(page.body, /<script>alert|<img src=x|<b>chips/);
		assert.match(page.body, /&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;@x\.net/);
		assert.match(page.body, /Fish &amp; &lt;b&gt;chips&lt;\/b&gt;/);
		const drafts = (await queue.list({ status: 'draft', limit: 1000 })).items;
		const tokens = formTokens(page);
		assert.equal(tokens.length, drafts.length * 2, 'an Approve and a Reject form per draft');
		assert.equal(await statusOf(hostile.id), 'draft', 'the list page itself changes nothing');

		// Its Reject button for the hostile draft: a fresh token for that message and that decision.
		const index = drafts.findIndex((d) => d.id === hostile.id);
		const rejectToken = tokens[index * 2 + 1]!;
		const done = await handleApprovalRequest({ method: 'POST', body: { token: rejectToken, confirm: 'yes' } }, options());
		assert.deepEqual([done.statusCode, done.action?.id, done.action?.decision, done.action?.by], [200, hostile.id, 'rejected', 'list-reviewer']);
		assert.equal(await statusOf(hostile.id), 'cancelled');
		const after = await handleApprovalRequest({ method: 'GET', query: {} }, options());
		assert.equal(formTokens(after).length, (drafts.length - 1) * 2, 'a decided draft leaves the list');

		// Turned off, the page is a 404 without any draft on it.
		const off = await handleApprovalRequest({ method: 'GET' }, options({ listPage: false }));
		assertPage(off, 404, 'not_found');
		assert.deepEqual(formTokens(off), []);
	});

	test('the secret is checked before anything is read', async () => {
		await assert.rejects(handleApprovalRequest({ method: 'GET', query: {} }, options({ secret: 'short', secretField: 'approvalSecret' })), /approvalSecret: is too short \(5 characters\)/);
	});
});

describe('draftsForDigest', () => {
	test('given ids: drafts kept in order, others skipped with their status or "not found"', async () => {
		const draft = await enqueueDraft();
		const approved = await enqueueDraft();
		await queue.approve(approved.id, { by: 'lead@example.net' });
		const missing = '00000000-0000-4000-8000-000000000000';
		const picked = await draftsForDigest(queue, { ids: [draft.id, approved.id, missing] });
		assert.deepEqual(picked.drafts.map((m) => m.id), [draft.id]);
		assert.deepEqual(picked.skipped, [
			{ id: approved.id, reason: 'status is approved' },
			{ id: missing, reason: 'not found' },
		]);
		assert.equal(picked.more, false);
		assert.equal('attempts' in picked.drafts[0]!, false, 'rows as list() gives them, without the attempts');
	});

	test('a limit: the first drafts only, and whether more are waiting', async () => {
		await enqueueDraft();
		await enqueueDraft();
		const all = await queue.list({ status: 'draft', limit: 1000 });
		const first = await draftsForDigest(queue, { limit: 1 });
		assert.equal(first.drafts.length, 1);
		assert.equal(first.drafts[0]!.status, 'draft');
		assert.equal(first.more, all.items.length > 1);
		const every = await draftsForDigest(queue, { limit: 1000 });
		assert.equal(every.drafts.length, all.items.length);
		assert.equal(every.more, false);
	});
});
