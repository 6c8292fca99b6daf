/**
 * Approval tokens (core/approval/tokens.ts) and the digest (core/approval/links.ts): a token verifies
 * only with the secret that signed it, unaltered, before its expiry; every single-byte change is
 * refused; short secrets are refused with the field named; links carry the token, the digest escapes
 * what it shows. Pure: injected clock, no store.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
	approvalLinks,
	assertApprovalSecret,
	InvalidQueueInputError,
	MIN_SECRET_LENGTH,
	signApprovalToken,
	verifyApprovalToken,
	type ApprovalClaims,
	type ScheduledMessage,
} from '../../../core';

const SECRET = 'k3Yq9v0Zr8Lp2Nw5Tt7Ab1Cd4Ef6Gh8Ij0Kl2Mn4';
const OTHER_SECRET = 'another-secret-of-enough-length-0123456789';
const NOW = Date.parse('2026-05-28T12:00:00Z');
const NOW_S = NOW / 1000;
const ID = '3f0c9a52-8d1e-4f7b-9a65-2c4e8b1d7f30';

function claims(extra: Partial<ApprovalClaims> = {}): ApprovalClaims {
	return { m: ID, a: 'approve', exp: NOW_S + 3600, ...extra };
}

describe('approval tokens', () => {
	test('a token verifies with its secret and carries its claims', () => {
		const token = signApprovalToken(claims({ by: 'dana.ortiz@example.net' }), SECRET);
		assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'base64url payload "." base64url signature');
		assert.deepEqual(verifyApprovalToken(token, SECRET, NOW), { ok: true, claims: { m: ID, a: 'approve', exp: NOW_S + 3600, by: 'dana.ortiz@example.net' } });
		const reject = signApprovalToken(claims({ a: 'reject' }), SECRET);
		assert.deepEqual(verifyApprovalToken(reject, SECRET, NOW), { ok: true, claims: { m: ID, a: 'reject', exp: NOW_S + 3600 } });
	});

	test('changing any single character of a token makes it invalid', () => {
		const token = signApprovalToken(claims({ by: 'dana' }), SECRET);
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
		let tried = 0;
		for (let i = 0; i < token.length; i++) {
			// Two substitutes per position: the next character of the alphabet and a far one.
			for (const shift of [1, 33]) {
				const at = alphabet.indexOf(token[i]!);
				const replacement = alphabet[(at + shift) % alphabet.length]!;
				const tampered = token.slice(0, i) + replacement + token.slice(i + 1);
				if (tampered === token) continue;
				tried++;
				const result = verifyApprovalToken(tampered, SECRET, NOW);
				assert.equal(result.ok, false, `changing character ${i} (${token[i]} → ${replacement}) must be refused`);
				assert.equal((result as { reason: string }).reason, 'invalid');
			}
		}
		assert.ok(tried >= token.length * 2 - 2);
		// Cut short (a mail program breaking a long link), extended, or with its parts swapped.
		for (const broken of [token.slice(0, -1), token.slice(1), `${token}A`, token.split('.').reverse().join('.'), token.replace('.', ''), `${token}.x`, '', ' ', 'a.b']) {
			assert.deepEqual(verifyApprovalToken(broken, SECRET, NOW), { ok: false, reason: 'invalid' }, JSON.stringify(broken));
		}
	});

	test('a payload re-signed with another secret, or claims edited and re-encoded, are refused', () => {
		const token = signApprovalToken(claims(), SECRET);
		assert.deepEqual(verifyApprovalToken(token, OTHER_SECRET, NOW), { ok: false, reason: 'invalid' });
		// Swap the decision in the payload but keep the original signature.
		const [payload, signature] = token.split('.') as [string, string];
		const edited = Buffer.from(JSON.stringify({ ...claims(), a: 'reject' })).toString('base64url');
		assert.notEqual(edited, payload);
		assert.deepEqual(verifyApprovalToken(`${edited}.${signature}`, SECRET, NOW), { ok: false, reason: 'invalid' });
		// A forger with another secret cannot make a token this secret accepts.
		assert.deepEqual(verifyApprovalToken(signApprovalToken(claims(), OTHER_SECRET), SECRET, NOW), { ok: false, reason: 'invalid' });
	});

	test('expiry: valid until the second before exp, expired from exp on; far-future expiries are not accepted', () => {
		const token = signApprovalToken(claims({ exp: NOW_S + 60 }), SECRET);
		assert.equal(verifyApprovalToken(token, SECRET, NOW + 59_999).ok, true);
		const atExpiry = verifyApprovalToken(token, SECRET, NOW + 60_000);
		assert.deepEqual(atExpiry, { ok: false, reason: 'expired', claims: claims({ exp: NOW_S + 60 }) });
		assert.equal((verifyApprovalToken(token, SECRET, NOW + 86_400_000) as { reason: string }).reason, 'expired');
		// Expiry is checked only after the signature: a forged expired token is "invalid", not "expired".
		assert.deepEqual(verifyApprovalToken(token, OTHER_SECRET, NOW + 60_000), { ok: false, reason: 'invalid' });
		// A token valid for longer than any link can be (more than 366 days ahead) is refused.
		const eternal = signApprovalToken(claims({ exp: NOW_S + 400 * 86_400 }), SECRET);
		assert.equal(verifyApprovalToken(eternal, SECRET, NOW).ok, false);
		assert.equal((verifyApprovalToken(eternal, SECRET, NOW) as { reason: string }).reason, 'invalid');
		const inAYear = signApprovalToken(claims({ exp: NOW_S + 365 * 86_400 }), SECRET);
		assert.equal(verifyApprovalToken(inAYear, SECRET, NOW).ok, true);
	});

	test('anything that is not a token is refused without throwing', () => {
		for (const value of [undefined, null, 42, {}, [], 'x'.repeat(5000), '....', 'é.é', '%%.%%']) {
			assert.deepEqual(verifyApprovalToken(value, SECRET, NOW), { ok: false, reason: 'invalid' });
		}
		// Signed, but claims that no link has (wrong action, extra keys): refused.
		const { createHmac } = require('node:crypto') as typeof import('node:crypto');
		const forge = (body: unknown) => {
			const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
			return `${payload}.${createHmac('sha256', SECRET).update(`switchboard-approval.v1.${payload}`).digest('base64url')}`;
		};
		assert.equal(verifyApprovalToken(forge(claims()), SECRET, NOW).ok, true, 'the forge helper signs like the core');
		assert.equal(verifyApprovalToken(forge({ ...claims(), a: 'delete' }), SECRET, NOW).ok, false);
		assert.equal(verifyApprovalToken(forge({ ...claims(), admin: true }), SECRET, NOW).ok, false);
		assert.equal(verifyApprovalToken(forge({ ...claims(), exp: '9999999999' }), SECRET, NOW).ok, false);
		assert.equal(verifyApprovalToken(forge([1, 2]), SECRET, NOW).ok, false);
	});

	test('a secret shorter than 32 characters is refused, naming the field and the fix, never the secret', () => {
		const short = 'tooShortSecret123';
		assert.throws(
			() => assertApprovalSecret(short, { field: 'signingSecret' }),
			(error: unknown) => {
				assert.ok(error instanceof InvalidQueueInputError);
				assert.equal(error.field, 'signingSecret');
				assert.match(error.message, /signingSecret: is too short \(17 characters\).*at least 32/);
				assert.match(error.hint ?? '', /openssl rand/);
				assert.doesNotMatch(error.description, new RegExp(short));
				return true;
			},
		);
		assert.throws(() => signApprovalToken(claims(), 'x'.repeat(MIN_SECRET_LENGTH - 1), { field: 'approvalSecret' }), /approvalSecret: is too short \(31 characters\)/);
		assert.throws(() => assertApprovalSecret('', { field: 'approvalSecret' }), /approvalSecret: is empty/);
		assert.throws(() => assertApprovalSecret(undefined), /secret: is empty/);
		assert.doesNotThrow(() => assertApprovalSecret('x'.repeat(MIN_SECRET_LENGTH)));
	});
});

function draft(i: number, extra: Partial<ScheduledMessage> = {}): ScheduledMessage {
	return {
		id: `00000000-0000-4000-8000-00000000000${i}`,
		sessionId: null,
		clientId: null,
		channel: 'email',
		recipient: `client${i}@example.net`,
		subject: `Session ${i}`,
		body: `Thank you for today (${i}).`,
		template: null,
		sendTime: '2026-06-01T09:00:00.000Z',
		status: 'draft',
		createdAt: '2026-05-28T10:00:00.000Z',
		updatedAt: '2026-05-28T10:00:00.000Z',
		processedTime: null,
		errorCode: null,
		errorMessage: null,
		metadata: {},
		message: null,
		approvedBy: null,
		approvedAt: null,
		approvalNote: null,
		rejectedBy: null,
		rejectedAt: null,
		rejectionReason: null,
		rescheduledBy: null,
		rescheduledAt: null,
		attemptCount: 0,
		maxAttempts: 3,
		nextAttemptAt: null,
		leaseOwner: null,
		leaseExpiresAt: null,
		idempotencyKey: null,
		provider: null,
		externalId: null,
		deliveredAt: null,
		readAt: null,
		...extra,
	};
}

describe('approvalLinks (the digest)', () => {
	const BASE = 'https://n8n.example.com/webhook/switchboard/approval';

	test('one approve and one reject link per draft, signed for the reviewer, expiring ttl from now', () => {
		const digest = approvalLinks([draft(1), draft(2)], { baseUrl: BASE, secret: SECRET, ttlMs: 72 * 3_600_000, now: new Date(NOW), by: 'dana@example.net' });
		assert.equal(digest.count, 2);
		assert.equal(digest.subject, '2 messages waiting for approval');
		assert.equal(digest.listUrl, BASE);
		assert.equal(digest.more, false);
		const expiresAt = new Date(NOW + 72 * 3_600_000).toISOString();
		for (const [i, link] of digest.links.entries()) {
			const message = draft(i + 1);
			assert.deepEqual(
				[link.id, link.recipient, link.channel, link.sendTime, link.expiresAt, link.preview],
				[message.id, message.recipient, 'email', message.sendTime, expiresAt, `Session ${i + 1} — Thank you for today (${i + 1}).`],
			);
			for (const [url, action] of [[link.approveUrl, 'approve'], [link.rejectUrl, 'reject']] as const) {
				assert.ok(url.startsWith(`${BASE}?token=`), url);
				const token = new URL(url).searchParams.get('token');
				assert.deepEqual(verifyApprovalToken(token, SECRET, NOW), { ok: true, claims: { m: message.id, a: action, exp: NOW_S + 72 * 3600, by: 'dana@example.net' } });
				assert.equal(verifyApprovalToken(token, SECRET, NOW + 72 * 3_600_000).ok, false, 'expired after the ttl');
				assert.ok(digest.text.includes(url) && digest.html.includes(url.replace(/&/g, '&amp;')), 'text and HTML carry the links');
			}
		}
		assert.match(digest.text, /client1@example\.net by email, 2026-06-01 09:00 UTC/);
	});

	test('a base URL with its own query keeps it; HTML in subjects and bodies is escaped in the digest', () => {
		const hostile = draft(1, { recipient: '"><img src=x onerror=alert(1)>@x.net', subject: '<script>alert("s")</script>', body: 'a & b <b>bold</b>' });
		const digest = approvalLinks([hostile], { baseUrl: 'https://example.org/hook?flow=review', secret: SECRET, now: NOW });
		const url = new URL(digest.links[0]!.approveUrl);
		assert.equal(url.searchParams.get('flow'), 'review');
		assert.ok(url.searchParams.get('token'));
		assert.doesNotMatch(digest.html, /<script>|<img src=x|<b>bold/);
		assert.match(digest.html, /&lt;script&gt;alert\(&quot;s&quot;\)&lt;\/script&gt;/);
		assert.match(digest.html, /a &amp; b &lt;b&gt;bold&lt;\/b&gt;/);
		assert.match(digest.html, /&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;@x\.net/);
	});

	test('no drafts: count 0 and a digest that says so; more → says more are waiting', () => {
		const empty = approvalLinks([], { baseUrl: BASE, secret: SECRET, now: NOW });
		assert.deepEqual([empty.count, empty.links, empty.subject], [0, [], 'No messages waiting for approval']);
		const more = approvalLinks([draft(1)], { baseUrl: BASE, secret: SECRET, now: NOW, more: true });
		assert.equal(more.subject, '1 message (and more) waiting for approval');
		assert.equal(more.more, true);
	});

	test('bad settings are refused with the field named', () => {
		assert.throws(() => approvalLinks([draft(1)], { baseUrl: BASE, secret: 'short', now: NOW, secretField: 'signingSecret' }), /signingSecret: is too short/);
		assert.throws(() => approvalLinks([draft(1)], { baseUrl: '', secret: SECRET, now: NOW, baseUrlField: 'approvalBaseUrl' }), /approvalBaseUrl: is empty/);
		assert.throws(() => approvalLinks([draft(1)], { baseUrl: '/webhook/approval', secret: SECRET, now: NOW }), /baseUrl: is not an absolute URL/);
		assert.throws(() => approvalLinks([draft(1)], { baseUrl: 'ftp://example.org/x', secret: SECRET, now: NOW }), /baseUrl: must start with https:\/\/ or http:\/\//);
		assert.throws(() => approvalLinks([draft(1)], { baseUrl: BASE, secret: SECRET, now: NOW, ttlMs: 0 }), /ttlMs: must be between 1 minute and 366 days/);
		assert.throws(() => approvalLinks([draft(1)], { baseUrl: BASE, secret: SECRET, now: NOW, ttlMs: 400 * 86_400_000 }), /ttlMs/);
	});
});
