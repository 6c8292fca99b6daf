import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { InvalidProviderConfigError, ProviderError } from '../../../core/errors';
import { sendgridProvider, type SendgridConfig } from '../../../core/providers/sendgrid';
import { mapSendgridError, sendgridErrorKind, sendgridFailure, sendgridRetryAfterMs } from '../../../core/providers/sendgrid/map-sendgrid-error';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import type { ProviderContext } from '../../../core/providers/types';
import { render } from '../../../core/render';
import { parseMessage } from '../../../core/render';
import { SENDGRID_TEST_KEY, SendgridFake, sendgridErrors } from '../../support/fakes/sendgrid';
import { outboundMessages } from '../../support/platform-test-kit';

const NOW = new Date('2026-05-28T16:00:00.000Z');
const WRONG_KEY = 'SG.wrong-secret-value.0123456789abcdef';

const email = outboundMessages({
	id: 'msg_42',
	channel: 'email',
	provider: 'sendgrid',
	conversation: { id: 'dana.ortiz@example.net', type: 'direct' },
	recipients: [{ id: 'dana.ortiz@example.net', name: 'Dana' }],
	metadata: { subject: 'Reset your password' },
});

function config(overrides: Record<string, unknown> = {}): SendgridConfig {
	return sendgridProvider.parseConfig({ apiKey: SENDGRID_TEST_KEY, fromEmail: 'no-reply@acme.example', fromName: 'Acme', ...overrides });
}

describe('sendgrid provider: definition and config', () => {
	it('has the fixed id, channel, platform and credential fields (baseUrl last)', () => {
		assert.equal(sendgridProvider.id, 'sendgrid');
		assert.deepEqual(sendgridProvider.channels, ['email']);
		assert.equal(sendgridProvider.platform, 'sendgrid');
		assert.deepEqual(
			sendgridProvider.credentialFields.map((f) => [f.name, f.type, f.required, f.webhookOnly ?? false]),
			[
				['apiKey', 'password', true, false],
				['fromEmail', 'string', true, false],
				['fromName', 'string', false, false],
				['webhookVerificationKey', 'password', false, true],
				['baseUrl', 'string', false, false],
			],
		);
		assert.equal(sendgridProvider.credentialFields.at(-1)!.displayName, 'Base URL');
		assert.ok(sendgridProvider.rateLimits.length > 0);
		for (const rule of sendgridProvider.rateLimits) assert.ok(rule.perSecond > 0 && rule.burst > 0 && rule.description.length > 0);
	});

	it('parseConfig trims and keeps optional fields; renderOptions puts the credential sender in `from`', () => {
		const c = sendgridProvider.parseConfig({ apiKey: `  ${SENDGRID_TEST_KEY} `, fromEmail: ' no-reply@acme.example ', fromName: '', baseUrl: 'https://api.eu.sendgrid.com/' });
		assert.deepEqual(c, { apiKey: SENDGRID_TEST_KEY, fromEmail: 'no-reply@acme.example', baseUrl: 'https://api.eu.sendgrid.com' });
		assert.deepEqual(sendgridProvider.renderOptions(c, 'email'), { from: 'no-reply@acme.example' });
		assert.deepEqual(sendgridProvider.renderOptions(config(), 'email'), { from: 'Acme <no-reply@acme.example>' });
		assert.equal(sendgridProvider.senderKey(config({ fromEmail: 'No-Reply@Acme.example' }), 'email'), 'no-reply@acme.example');
	});

	const bad: Array<[string, Record<string, unknown>, string]> = [
		['missing apiKey', { fromEmail: 'a@b.example' }, 'apiKey'],
		['blank apiKey', { apiKey: '   ', fromEmail: 'a@b.example' }, 'apiKey'],
		['apiKey with spaces', { apiKey: 'SG.abc def', fromEmail: 'a@b.example' }, 'apiKey'],
		['missing fromEmail', { apiKey: SENDGRID_TEST_KEY }, 'fromEmail'],
		['fromEmail with a name', { apiKey: SENDGRID_TEST_KEY, fromEmail: 'Acme <a@b.example>' }, 'fromEmail'],
		['fromEmail not an address', { apiKey: SENDGRID_TEST_KEY, fromEmail: 'acme' }, 'fromEmail'],
		['fromName not text', { apiKey: SENDGRID_TEST_KEY, fromEmail: 'a@b.example', fromName: 42 }, 'fromName'],
		['baseUrl not a URL', { apiKey: SENDGRID_TEST_KEY, fromEmail: 'a@b.example', baseUrl: 'api.sendgrid.com' }, 'baseUrl'],
		['baseUrl ftp', { apiKey: SENDGRID_TEST_KEY, fromEmail: 'a@b.example', baseUrl: 'ftp://x.example' }, 'baseUrl'],
		['baseUrl with a query', { apiKey: SENDGRID_TEST_KEY, fromEmail: 'a@b.example', baseUrl: 'https://x.example/?k=1' }, 'baseUrl'],
	];
	for (const [what, value, field] of bad) {
		it(`parseConfig: ${what} → InvalidProviderConfigError naming ${field}, no secret in it`, () => {
			assert.throws(
				() => sendgridProvider.parseConfig(value),
				(e: unknown) => {
					assert.ok(e instanceof InvalidProviderConfigError);
					assert.equal(e.field, field);
					assert.ok(!e.description.includes(SENDGRID_TEST_KEY) && !e.description.includes('abc def'));
					return true;
				},
			);
		});
	}
});

describe('sendgrid provider: sending through @sendgrid/mail to a fake v3 API', () => {
	const fake = new SendgridFake();
	let context: ProviderContext;
	before(async () => {
		await fake.start();
		context = { http: undiciHttpClient, now: () => NOW, timeoutMs: 2_000, baseUrl: fake.url };
	});
	after(() => fake.stop());
	beforeEach(() => fake.reset());

	async function send(message: unknown, cfg = config(), ctx: Partial<ProviderContext> = {}) {
		const rendered = render(message, 'sendgrid', sendgridProvider.renderOptions(cfg, 'email'));
		const result = await sendgridProvider.send({ message: parseMessage(message), payloads: rendered.payloads, config: cfg, to: 'dana.ortiz@example.net' }, { ...context, ...ctx });
		return { rendered, result };
	}

	async function sendError(message: unknown, cfg = config(), ctx: Partial<ProviderContext> = {}): Promise<ProviderError> {
		try {
			await send(message, cfg, ctx);
		} catch (error) {
			assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
			for (const secret of [SENDGRID_TEST_KEY, WRONG_KEY]) {
				assert.ok(!error.message.includes(secret) && !(error.hint ?? '').includes(secret) && !JSON.stringify(error).includes(secret), 'secret leaked');
			}
			return error;
		}
		throw new Error('expected the send to fail');
	}

	it('plain text: POST /v3/mail/send with Bearer auth, the rendered body as is; 202 + X-Message-Id → queued', async () => {
		const { rendered, result } = await send(email([{ type: 'text', text: 'Hi Dana,' }, { type: 'text', text: 'Click the link.' }]));
		assert.equal(fake.requests.length, 1);
		const req = fake.requests[0]!;
		assert.equal(req.method, 'POST');
		assert.equal(req.path, '/v3/mail/send');
		assert.equal(req.headers.authorization, `Bearer ${SENDGRID_TEST_KEY}`);
		assert.match(req.headers['user-agent'] ?? '', /^sendgrid\//);
		assert.match(req.headers['content-type'] ?? '', /application\/json/);
		assert.deepEqual(req.json, rendered.payloads[0]!.body);
		assert.deepEqual((req.json as { from: unknown }).from, { email: 'no-reply@acme.example', name: 'Acme' });
		assert.deepEqual((req.json as { content: unknown }).content, [{ type: 'text/plain', value: 'Hi Dana,\n\nClick the link.' }]);
		assert.deepEqual(result, { externalId: fake.accepted[0]!.messageId, externalIds: [fake.accepted[0]!.messageId], status: 'queued' });
	});

	it('markdown/HTML: text/plain then text/html', async () => {
		await send(email([{ type: 'text', text: '**Bold** news', format: 'markdown' }, { type: 'text', text: '<p>Hi</p>', format: 'html' }]));
		const content = (fake.requests[0]!.json as { content: Array<{ type: string }> }).content;
		assert.deepEqual(content.map((c) => c.type), ['text/plain', 'text/html']);
	});

	it('media by URL: sent as a link in the body (SendGrid attachments need base64), reported by render', async () => {
		const { rendered } = await send(email([{ type: 'text', text: 'Your invoice:' }, { type: 'media', kind: 'document', url: 'https://cdn.example.test/inv.pdf', filename: 'inv.pdf' }]));
		const body = fake.requests[0]!.json as { content: Array<{ value: string }>; attachments?: unknown };
		assert.match(body.content[0]!.value, /https:\/\/cdn\.example\.test\/inv\.pdf/);
		assert.equal(body.attachments, undefined);
		assert.deepEqual(rendered.degradations.map((d) => [d.from, d.to]), [['media', 'text']]);
	});

	it('dynamic template: template_id + personalizations[0].dynamic_template_data, no subject', async () => {
		await send(email([{ type: 'template', name: 'd-0123456789abcdef0123456789abcdef', parameters: [{ name: 'first_name', value: 'Dana' }] }], { metadata: {} }));
		const body = fake.requests[0]!.json as Record<string, unknown>;
		assert.equal(body.template_id, 'd-0123456789abcdef0123456789abcdef');
		assert.deepEqual(body.personalizations, [{ to: [{ email: 'dana.ortiz@example.net', name: 'Dana' }], dynamic_template_data: { first_name: 'Dana' } }]);
		assert.equal(body.subject, undefined);
	});

	it('reply: In-Reply-To/References go in the mail headers only, never on the HTTP request (why send() is not used)', async () => {
		await send(email([{ type: 'text', text: 'Re' }], { replyTo: { messageId: 'abc@mail.example.com' } }));
		const req = fake.requests[0]!;
		assert.deepEqual((req.json as { headers: unknown }).headers, { 'In-Reply-To': '<abc@mail.example.com>', References: '<abc@mail.example.com>' });
		assert.equal(req.headers['in-reply-to'], undefined);
		assert.equal(req.headers.references, undefined);
	});

	it('several credentials at once: each call uses its own key and base URL; the module singleton is untouched', async () => {
		const other = await new SendgridFake({ apiKey: 'SG.other-account.key', verifiedSenders: ['news@other.example'] }).start();
		try {
			const cfgB = config({ apiKey: 'SG.other-account.key', fromEmail: 'news@other.example' });
			await Promise.all([
				send(email([{ type: 'text', text: 'A' }])),
				send(email([{ type: 'text', text: 'B' }]), cfgB, { baseUrl: other.url }),
				send(email([{ type: 'text', text: 'A2' }])),
			]);
			assert.deepEqual(fake.requests.map((r) => r.headers.authorization), [`Bearer ${SENDGRID_TEST_KEY}`, `Bearer ${SENDGRID_TEST_KEY}`]);
			assert.deepEqual(other.requests.map((r) => r.headers.authorization), ['Bearer SG.other-account.key']);
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const singleton = require('@sendgrid/mail') as { client: { auth: string; defaultRequest: { baseUrl: string } } };
			assert.equal(singleton.client.auth, '');
			assert.equal(singleton.client.defaultRequest.baseUrl, 'https://api.sendgrid.com/');
		} finally {
			await other.stop();
		}
	});

	it('base URL from the credential (with a trailing slash) when the context has none', async () => {
		const result = await send(email([{ type: 'text', text: 'x' }]), config({ baseUrl: `${fake.url}/` }), { baseUrl: undefined });
		assert.equal(fake.requests[0]!.path, '/v3/mail/send');
		assert.equal(result.result.status, 'queued');
	});

	it('wrong API key → 401 auth, not retryable, key not in the message', async () => {
		const e = await sendError(email([{ type: 'text', text: 'x' }]), config({ apiKey: WRONG_KEY }));
		assert.equal(fake.requests[0]!.headers.authorization, `Bearer ${WRONG_KEY}`);
		assert.deepEqual([e.category, e.retryable, e.httpStatus, e.providerCode], ['auth', false, 401, '401']);
		assert.match(e.message, /authorization grant is invalid/);
	});

	it('unverified From → 403 config (sender settings)', async () => {
		const e = await sendError(email([{ type: 'text', text: 'x' }]), config({ fromEmail: 'someone@acme.example' }));
		assert.deepEqual([e.category, e.retryable, e.httpStatus], ['config', false, 403]);
		assert.match(e.message, /from: The from address does not match a verified Sender Identity/);
		assert.match(e.hint ?? '', /Sender Authentication/);
	});

	it('403 without a sender field (missing permission) → auth', async () => {
		fake.next(sendgridErrors(403, [{ message: 'access forbidden', field: null }]));
		const e = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([e.category, e.retryable], ['auth', false]);
	});

	it('401 "Maximum credits exceeded" → config (plan quota), not auth', async () => {
		fake.next(sendgridErrors(401, [{ message: 'Maximum credits exceeded', field: null }]));
		const e = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([e.category, e.retryable], ['config', false]);
	});

	it('invalid recipient address (400 on personalizations.0.to.0.email) → recipient', async () => {
		const e = await sendError(email([{ type: 'text', text: 'x' }], { recipients: [{ id: 'dana@localhost' }], conversation: { id: 'dana@localhost', type: 'direct' } }));
		assert.deepEqual([e.category, e.retryable, e.httpStatus, e.providerCode], ['recipient', false, 400, '400']);
		assert.match(e.message, /personalizations\.0\.to\.0\.email/);
	});

	it('400 on another field (template_id) → content', async () => {
		fake.next(sendgridErrors(400, [{ message: 'The template_id must be a valid GUID', field: 'template_id', id: 'invalid_template_id' }]));
		const e = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([e.category, e.retryable, e.providerCode], ['content', false, 'invalid_template_id']);
	});

	it('413 too large → content, not retryable', async () => {
		fake.next(sendgridErrors(413, [{ message: 'Request Entity Too Large', field: null }]));
		const e = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([e.category, e.retryable, e.httpStatus], ['content', false, 413]);
	});

	it('429 with X-RateLimit-Reset (Unix seconds) → rate_limited, retryAfterMs until the reset', async () => {
		const reset = String(NOW.getTime() / 1000 + 7);
		fake.next(sendgridErrors(429, [{ message: 'too many requests', field: null }], { 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }));
		const e = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([e.category, e.retryable, e.httpStatus, e.retryAfterMs], ['rate_limited', true, 429, 7000]);
	});

	it('429 with Retry-After → that delay', async () => {
		fake.next(sendgridErrors(429, [{ message: 'too many requests', field: null }], { 'retry-after': '3' }));
		const e = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.equal(e.retryAfterMs, 3000);
	});

	it('500 and a 503 HTML gateway page → transient, retryable', async () => {
		fake.next(sendgridErrors(500, [{ message: 'internal error', field: null }]));
		const a = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([a.category, a.retryable, a.httpStatus], ['transient', true, 500]);
		fake.next({ status: 503, body: '<html><body>Service Unavailable</body></html>' });
		const b = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([b.category, b.retryable, b.httpStatus, b.providerCode], ['transient', true, 503, '503']);
	});

	it('no answer within timeoutMs → transient TIMEOUT', async () => {
		fake.next({ hang: true });
		const started = Date.now();
		const e = await sendError(email([{ type: 'text', text: 'x' }]), config(), { timeoutMs: 200 });
		assert.ok(Date.now() - started < 1_500);
		assert.deepEqual([e.category, e.retryable, e.providerCode], ['transient', true, 'TIMEOUT']);
		assert.match(e.message, /timeout/);
	});

	it('a slow answer past timeoutMs → transient', async () => {
		fake.next({ status: 202, headers: { 'x-message-id': 'late' }, delayMs: 600 });
		const e = await sendError(email([{ type: 'text', text: 'x' }]), config(), { timeoutMs: 150 });
		assert.deepEqual([e.category, e.retryable], ['transient', true]);
	});

	it('connection reset → transient ECONNRESET', async () => {
		fake.next({ reset: true });
		const e = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([e.category, e.retryable, e.providerCode], ['transient', true, 'ECONNRESET']);
	});

	it('connection refused → transient', async () => {
		const e = await sendError(email([{ type: 'text', text: 'x' }]), config(), { baseUrl: 'http://127.0.0.1:9' });
		assert.deepEqual([e.category, e.retryable, e.providerCode], ['transient', true, 'ECONNREFUSED']);
	});

	it('202 without X-Message-Id → unknown, not retryable (the mail may have gone)', async () => {
		fake.next({ status: 202 });
		const e = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([e.category, e.retryable, e.httpStatus], ['unknown', false, 202]);
	});

	it('verifyCredentials: GET /v3/scopes with Bearer auth', async () => {
		assert.deepEqual(await sendgridProvider.verifyCredentials(config(), context), {});
		assert.equal(fake.requests[0]!.method, 'GET');
		assert.equal(fake.requests[0]!.path, '/v3/scopes');
		assert.equal(fake.requests[0]!.headers.authorization, `Bearer ${SENDGRID_TEST_KEY}`);
	});

	it('verifyCredentials: wrong key → auth; a key without mail.send → auth missing_scope', async () => {
		await assert.rejects(sendgridProvider.verifyCredentials(config({ apiKey: WRONG_KEY }), context), (e: unknown) => {
			assert.ok(e instanceof ProviderError);
			assert.deepEqual([e.category, e.httpStatus], ['auth', 401]);
			assert.ok(!e.description.includes(WRONG_KEY));
			return true;
		});
		fake.scopes = ['scopes.read'];
		try {
			await assert.rejects(sendgridProvider.verifyCredentials(config(), context), (e: unknown) => {
				assert.ok(e instanceof ProviderError);
				assert.deepEqual([e.category, e.providerCode], ['auth', 'missing_scope']);
				return true;
			});
		} finally {
			fake.scopes = ['mail.send', 'scopes.read', 'user.profile.read'];
		}
	});

	it('verifyCredentials: timeout → transient', async () => {
		fake.next({ hang: true });
		await assert.rejects(sendgridProvider.verifyCredentials(config(), { ...context, timeoutMs: 150 }), (e: unknown) => e instanceof ProviderError && e.category === 'transient');
	});
});

describe('map-sendgrid-error (pure)', () => {
	it('classifies by status and field', () => {
		const kinds = (status: number, field: string | null, message = 'x') => sendgridErrorKind(status, [{ message, field, id: null }]);
		assert.equal(kinds(400, 'personalizations.0.cc.1.email'), 'recipient');
		assert.equal(kinds(400, 'personalizations[0].bcc'), 'recipient');
		assert.equal(kinds(400, 'from.email'), 'sender');
		assert.equal(kinds(400, 'reply_to'), 'sender');
		assert.equal(kinds(400, 'content.0.value'), 'content');
		assert.equal(kinds(400, 'tokens'), 'content');
		assert.equal(kinds(403, null, 'The from address does not match a verified Sender Identity.'), 'sender');
		assert.equal(kinds(404, null), 'not_found');
		assert.equal(kinds(408, null), 'server');
		assert.equal(kinds(502, null), 'server');
		assert.equal(kinds(418, null), 'other');
	});

	it('an unreadable body still gives a classified error with the status as code', () => {
		const e = mapSendgridError({ status: 401, body: 'nope', headers: {}, now: NOW });
		assert.deepEqual([e.category, e.providerCode, e.message], ['auth', '401', 'SendGrid: HTTP 401']);
		const u = mapSendgridError({ status: 418, body: undefined, headers: {}, now: NOW });
		assert.deepEqual([u.category, u.retryable], ['unknown', false]);
	});

	it('redacts secrets that a body echoes', () => {
		const e = mapSendgridError({ status: 400, body: { errors: [{ message: `bad key ${SENDGRID_TEST_KEY}`, field: null }] }, headers: {}, now: NOW, secrets: [SENDGRID_TEST_KEY] });
		assert.ok(!e.message.includes(SENDGRID_TEST_KEY));
		assert.match(e.message, /\[redacted\]/);
	});

	it('retry-after: Retry-After wins, then X-RateLimit-Reset as a time or (small) a delta; past resets → 0', () => {
		assert.equal(sendgridRetryAfterMs({ 'retry-after': '2', 'x-ratelimit-reset': '999999999999' }, NOW), 2000);
		assert.equal(sendgridRetryAfterMs({ 'x-ratelimit-reset': String(NOW.getTime() / 1000 + 60) }, NOW), 60_000);
		assert.equal(sendgridRetryAfterMs({ 'x-ratelimit-reset': '5' }, NOW), 5000);
		assert.equal(sendgridRetryAfterMs({ 'x-ratelimit-reset': String(NOW.getTime() / 1000 - 60) }, NOW), 0);
		assert.equal(sendgridRetryAfterMs({}, NOW), null);
	});

	it('SDK failures: a ResponseError-shaped error and axios codes', () => {
		const re = sendgridFailure({ code: 429, message: 'Too Many Requests', response: { headers: { 'Retry-After': '1' }, body: { errors: [] } } }, NOW, []);
		assert.deepEqual([re.category, re.retryAfterMs], ['rate_limited', 1000]);
		assert.equal(sendgridFailure({ code: 'ECONNABORTED', message: 'timeout of 5ms exceeded', config: { headers: { Authorization: 'Bearer SG.x' } } }, NOW, []).providerCode, 'TIMEOUT');
		const net = sendgridFailure({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND api.sendgrid.com' }, NOW, []);
		assert.deepEqual([net.category, net.providerCode], ['transient', 'ENOTFOUND']);
		const odd = sendgridFailure({ code: 'ERR_BAD_RESPONSE', response: { status: 302, data: '', headers: {} } }, NOW, []);
		assert.deepEqual([odd.category, odd.httpStatus], ['unknown', 302]);
	});
});
