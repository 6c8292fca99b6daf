import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { InvalidProviderConfigError, ProviderError } from '../../../core/errors';
import { brevoProvider, type BrevoConfig } from '../../../core/providers/brevo';
import { brevoErrorCategory, brevoRetryAfterMs, mapBrevoError } from '../../../core/providers/brevo/map-brevo-error';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import type { HttpRequest, ProviderContext } from '../../../core/providers/types';
import { parseMessage, render } from '../../../core/render';
import { BREVO_TEST_KEY, BrevoFake, brevoError } from '../../support/fakes/brevo';
import { outboundMessages } from '../../support/platform-test-kit';

const NOW = new Date('2026-05-28T16:00:00.000Z');
const WRONG_KEY = 'xkeysib-wrong-secret-value-0123456789abcdef';

const email = outboundMessages({
	id: 'msg_42',
	channel: 'email',
	provider: 'brevo',
	conversation: { id: 'dana.ortiz@example.net', type: 'direct' },
	recipients: [{ id: 'dana.ortiz@example.net', name: 'Dana' }],
	metadata: { subject: 'Your order shipped' },
});

function config(overrides: Record<string, unknown> = {}): BrevoConfig {
	return brevoProvider.parseConfig({ apiKey: BREVO_TEST_KEY, fromEmail: 'no-reply@acme.example', fromName: 'Acme', ...overrides });
}

describe('brevo provider: definition and config', () => {
	it('has the fixed id, channel, platform and credential fields (baseUrl last)', () => {
		assert.equal(brevoProvider.id, 'brevo');
		assert.deepEqual(brevoProvider.channels, ['email']);
		assert.equal(brevoProvider.platform, 'brevo');
		assert.deepEqual(
			brevoProvider.credentialFields.map((f) => [f.name, f.type, f.required, f.webhookOnly ?? false]),
			[
				['apiKey', 'password', true, false],
				['fromEmail', 'string', true, false],
				['fromName', 'string', false, false],
				['webhookUsername', 'string', false, true],
				['webhookToken', 'password', false, true],
				['baseUrl', 'string', false, false],
			],
		);
		assert.equal(brevoProvider.credentialFields.at(-1)!.displayName, 'Base URL');
		for (const rule of brevoProvider.rateLimits) assert.ok(rule.perSecond > 0 && rule.burst > 0 && rule.description.length > 0);
	});

	it('parseConfig / renderOptions / senderKey', () => {
		assert.deepEqual(config({ webhookUsername: ' hooks ', webhookToken: ' tok ', baseUrl: 'https://api.brevo.com/' }), {
			apiKey: BREVO_TEST_KEY,
			fromEmail: 'no-reply@acme.example',
			fromName: 'Acme',
			webhookUsername: 'hooks',
			webhookToken: 'tok',
			baseUrl: 'https://api.brevo.com',
		});
		assert.deepEqual(brevoProvider.renderOptions(config(), 'email'), { from: 'Acme <no-reply@acme.example>' });
		assert.equal(brevoProvider.senderKey(config(), 'email'), 'no-reply@acme.example');
	});

	const bad: Array<[string, Record<string, unknown>, string]> = [
		['missing apiKey', { fromEmail: 'a@b.example' }, 'apiKey'],
		['apiKey not text', { apiKey: 12345, fromEmail: 'a@b.example' }, 'apiKey'],
		['apiKey with a newline inside', { apiKey: 'xkeysib-abc\ndef', fromEmail: 'a@b.example' }, 'apiKey'],
		['missing fromEmail', { apiKey: BREVO_TEST_KEY, fromEmail: '' }, 'fromEmail'],
		['bad fromEmail', { apiKey: BREVO_TEST_KEY, fromEmail: 'a@@b' }, 'fromEmail'],
		['bad baseUrl', { apiKey: BREVO_TEST_KEY, fromEmail: 'a@b.example', baseUrl: 'not a url' }, 'baseUrl'],
	];
	for (const [what, value, field] of bad) {
		it(`parseConfig: ${what} → InvalidProviderConfigError naming ${field}`, () => {
			assert.throws(
				() => brevoProvider.parseConfig(value),
				(e: unknown) => e instanceof InvalidProviderConfigError && e.field === field && !e.description.includes(BREVO_TEST_KEY) && !e.description.includes('abc\ndef'),
			);
		});
	}
});

describe('brevo provider: sending to a fake Brevo API over real HTTP', () => {
	const fake = new BrevoFake({ templates: [12] });
	let context: ProviderContext;
	before(async () => {
		await fake.start();
		context = { http: undiciHttpClient, now: () => NOW, timeoutMs: 2_000, baseUrl: fake.url };
	});
	after(() => fake.stop());
	beforeEach(() => fake.reset());

	async function send(message: unknown, cfg = config(), ctx: Partial<ProviderContext> = {}) {
		const rendered = render(message, 'brevo', brevoProvider.renderOptions(cfg, 'email'));
		const result = await brevoProvider.send({ message: parseMessage(message), payloads: rendered.payloads, config: cfg, to: 'dana.ortiz@example.net' }, { ...context, ...ctx });
		return { rendered, result };
	}

	async function sendError(message: unknown, cfg = config(), ctx: Partial<ProviderContext> = {}): Promise<ProviderError> {
		try {
			await send(message, cfg, ctx);
		} catch (error) {
			assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
			for (const secret of [BREVO_TEST_KEY, WRONG_KEY]) {
				assert.ok(!error.message.includes(secret) && !(error.hint ?? '').includes(secret) && !JSON.stringify(error).includes(secret), 'secret leaked');
			}
			return error;
		}
		throw new Error('expected the send to fail');
	}

	it('plain text: POST /v3/smtp/email with the api-key header and the rendered body; 201 {messageId} → queued', async () => {
		const { rendered, result } = await send(email([{ type: 'text', text: 'Hi Dana,' }, { type: 'text', text: 'It is on its way.' }]));
		assert.equal(fake.requests.length, 1);
		const req = fake.requests[0]!;
		assert.equal(req.method, 'POST');
		assert.equal(req.path, '/v3/smtp/email');
		assert.equal(req.headers['api-key'], BREVO_TEST_KEY);
		assert.equal(req.headers.accept, 'application/json');
		assert.equal(req.headers['content-type'], 'application/json');
		assert.equal(req.headers.authorization, undefined);
		assert.deepEqual(req.json, rendered.payloads[0]!.body);
		const body = req.json as Record<string, unknown>;
		assert.deepEqual(body.sender, { email: 'no-reply@acme.example', name: 'Acme' });
		assert.deepEqual(body.to, [{ email: 'dana.ortiz@example.net', name: 'Dana' }]);
		assert.equal(body.subject, 'Your order shipped');
		assert.equal(body.textContent, 'Hi Dana,\n\nIt is on its way.');
		assert.deepEqual(body.headers, { 'X-Mailin-custom': 'msg_42' });
		const id = fake.accepted[0]!.messageId;
		assert.match(id, /^<\d+\.\d+@smtp-relay\.mailin\.fr>$/);
		assert.deepEqual(result, { externalId: id, externalIds: [id], status: 'queued' });
	});

	it('HTML: htmlContent and textContent', async () => {
		await send(email([{ type: 'text', text: '<p>Hello <b>Dana</b></p>', format: 'html' }]));
		const body = fake.requests[0]!.json as Record<string, unknown>;
		assert.equal(body.htmlContent, '<p>Hello <b>Dana</b></p>');
		assert.equal(body.textContent, 'Hello Dana');
	});

	it('media by URL → attachment [{url, name}] (Brevo fetches it); caption into the body', async () => {
		const { rendered } = await send(
			email([
				{ type: 'text', text: 'Your invoice:' },
				{ type: 'media', kind: 'document', url: 'https://cdn.example.test/inv.pdf', filename: 'invoice.pdf', caption: 'Invoice 48213' },
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/p.png' },
			]),
		);
		const body = fake.requests[0]!.json as Record<string, unknown>;
		assert.deepEqual(body.attachment, [{ url: 'https://cdn.example.test/inv.pdf', name: 'invoice.pdf' }, { url: 'https://cdn.example.test/p.png' }]);
		assert.equal(body.textContent, 'Your invoice:\n\nInvoice 48213');
		assert.deepEqual(rendered.degradations.map((d) => [d.from, d.to]), [['media', 'attachment']]);
	});

	it('template → templateId (number) + params, no subject needed', async () => {
		await send(email([{ type: 'template', name: '12', parameters: [{ name: 'first_name', value: 'Dana' }, { name: 'order', value: 'A-1001' }] }], { metadata: {} }));
		const body = fake.requests[0]!.json as Record<string, unknown>;
		assert.equal(body.templateId, 12);
		assert.deepEqual(body.params, { first_name: 'Dana', order: 'A-1001' });
		assert.equal(body.subject, undefined);
		assert.equal(fake.accepted.length, 1);
	});

	it('reply → In-Reply-To/References in the mail headers, beside X-Mailin-custom', async () => {
		await send(email([{ type: 'text', text: 'Re' }], { replyTo: { messageId: 'abc@mail.example.com' } }));
		assert.deepEqual((fake.requests[0]!.json as { headers: unknown }).headers, {
			'X-Mailin-custom': 'msg_42',
			'In-Reply-To': '<abc@mail.example.com>',
			References: '<abc@mail.example.com>',
		});
	});

	it('the credential base URL (with a path prefix) when the context has none; the public API by default', async () => {
		const seen: string[] = [];
		const recording = (req: HttpRequest) => {
			seen.push(req.url);
			return undiciHttpClient({ ...req, url: req.url.replace('https://api.brevo.com', fake.url) });
		};
		await send(email([{ type: 'text', text: 'x' }]), config(), { baseUrl: undefined, http: recording });
		await send(email([{ type: 'text', text: 'x' }]), config({ baseUrl: 'https://api.brevo.com/' }), { baseUrl: undefined, http: recording });
		assert.deepEqual(seen, ['https://api.brevo.com/v3/smtp/email', 'https://api.brevo.com/v3/smtp/email']);
	});

	it('wrong key → 401 unauthorized: auth, not retryable, key not in the message', async () => {
		const e = await sendError(email([{ type: 'text', text: 'x' }]), config({ apiKey: WRONG_KEY }));
		assert.equal(fake.requests[0]!.headers['api-key'], WRONG_KEY);
		assert.deepEqual([e.category, e.retryable, e.httpStatus, e.providerCode], ['auth', false, 401, 'unauthorized']);
		assert.match(e.message, /Key not found/);
	});

	it('403 permission_denied (IP not allow-listed) → auth, hint names the IP allow-list', async () => {
		fake.next(brevoError(403, 'permission_denied', 'Unable to send email. Your IP address is not authorised.'));
		const e = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([e.category, e.retryable, e.providerCode], ['auth', false, 'permission_denied']);
		assert.match(e.hint ?? '', /Authorised IPs/);
	});

	it('402 not_enough_credits and account_under_validation → config', async () => {
		fake.next(brevoError(402, 'not_enough_credits', 'Not enough credits'));
		const a = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([a.category, a.retryable, a.httpStatus, a.providerCode], ['config', false, 402, 'not_enough_credits']);
		fake.next(brevoError(403, 'account_under_validation', 'Your account is under validation'));
		const b = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([b.category, b.providerCode], ['config', 'account_under_validation']);
	});

	it('sender not valid (invalid_parameter about the sender) → config', async () => {
		const e = await sendError(email([{ type: 'text', text: 'x' }]), config({ fromEmail: 'someone@acme.example' }));
		assert.deepEqual([e.category, e.retryable, e.providerCode, e.httpStatus], ['config', false, 'invalid_parameter', 400]);
	});

	it('invalid recipient (invalid_parameter "email is not valid in to") → recipient', async () => {
		const e = await sendError(email([{ type: 'text', text: 'x' }], { recipients: [{ id: 'dana@localhost' }], conversation: { id: 'dana@localhost', type: 'direct' } }));
		assert.deepEqual([e.category, e.retryable, e.providerCode], ['recipient', false, 'invalid_parameter']);
	});

	it('missing_parameter / invalid_parameter on the content → content', async () => {
		fake.next(brevoError(400, 'missing_parameter', 'subject is missing'));
		const a = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([a.category, a.retryable, a.providerCode], ['content', false, 'missing_parameter']);
		fake.next(brevoError(400, 'invalid_parameter', 'attachment url is not valid'));
		const b = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([b.category, b.providerCode], ['content', 'invalid_parameter']);
	});

	it('unknown template (404 document_not_found) → content', async () => {
		const e = await sendError(email([{ type: 'template', name: '99' }], { metadata: {} }));
		assert.deepEqual([e.category, e.retryable, e.httpStatus, e.providerCode], ['content', false, 404, 'document_not_found']);
	});

	it('429 with x-sib-ratelimit-reset → rate_limited + retryAfterMs', async () => {
		fake.next(brevoError(429, 'too_many_requests', 'Too many requests', { 'x-sib-ratelimit-limit': '1000', 'x-sib-ratelimit-remaining': '0', 'x-sib-ratelimit-reset': '3' }));
		const e = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([e.category, e.retryable, e.httpStatus, e.retryAfterMs], ['rate_limited', true, 429, 3000]);
	});

	it('429 without any header → rate_limited, retryAfterMs null (the retry policy decides)', async () => {
		fake.next({ status: 429, body: '' });
		const e = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([e.category, e.retryAfterMs, e.providerCode], ['rate_limited', null, '429']);
	});

	it('500 JSON and 502 HTML → transient, retryable', async () => {
		fake.next(brevoError(500, 'internal_error', 'Internal server error'));
		const a = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([a.category, a.retryable], ['transient', true]);
		fake.next({ status: 502, body: '<html>Bad Gateway</html>' });
		const b = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([b.category, b.retryable, b.providerCode], ['transient', true, '502']);
	});

	it('no answer within timeoutMs → transient', async () => {
		fake.next({ hang: true });
		const started = Date.now();
		const e = await sendError(email([{ type: 'text', text: 'x' }]), config(), { timeoutMs: 200 });
		assert.ok(Date.now() - started < 1_500);
		assert.deepEqual([e.category, e.retryable], ['transient', true]);
	});

	it('slow answer past timeoutMs → transient', async () => {
		fake.next({ status: 201, body: { messageId: '<late@x>' }, delayMs: 600 });
		const e = await sendError(email([{ type: 'text', text: 'x' }]), config(), { timeoutMs: 150 });
		assert.deepEqual([e.category, e.retryable], ['transient', true]);
	});

	it('connection reset → transient', async () => {
		fake.next({ reset: true });
		const e = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([e.category, e.retryable], ['transient', true]);
	});

	it('2xx without a messageId → unknown, not retryable', async () => {
		fake.next({ status: 201, body: '<html>ok</html>' });
		const e = await sendError(email([{ type: 'text', text: 'x' }]));
		assert.deepEqual([e.category, e.retryable, e.httpStatus], ['unknown', false, 201]);
	});

	it('verifyCredentials: GET /v3/account with the api-key header; names the account', async () => {
		assert.deepEqual(await brevoProvider.verifyCredentials(config(), context), { account: 'Acme (ops@acme.example)' });
		assert.equal(fake.requests[0]!.method, 'GET');
		assert.equal(fake.requests[0]!.path, '/v3/account');
		assert.equal(fake.requests[0]!.headers['api-key'], BREVO_TEST_KEY);
	});

	it('verifyCredentials: wrong key → auth without the key in the message; reset → transient', async () => {
		await assert.rejects(brevoProvider.verifyCredentials(config({ apiKey: WRONG_KEY }), context), (e: unknown) => {
			assert.ok(e instanceof ProviderError);
			assert.deepEqual([e.category, e.providerCode], ['auth', 'unauthorized']);
			assert.ok(!e.description.includes(WRONG_KEY));
			return true;
		});
		fake.next({ reset: true });
		await assert.rejects(brevoProvider.verifyCredentials(config(), context), (e: unknown) => e instanceof ProviderError && e.category === 'transient');
	});
});

describe('map-brevo-error (pure)', () => {
	it('every documented code', () => {
		const cases: Array<[string | null, number, string, string]> = [
			['unauthorized', 401, 'Key not found', 'auth'],
			['permission_denied', 403, 'x', 'auth'],
			['not_enough_credits', 402, 'x', 'config'],
			['account_under_validation', 403, 'x', 'config'],
			['invalid_parameter', 400, 'email is not valid in to', 'recipient'],
			['invalid_parameter', 400, 'Invalid email address passed in cc', 'recipient'],
			['invalid_parameter', 400, 'valid sender email required', 'config'],
			['invalid_parameter', 400, 'Unable to process the template', 'content'],
			['missing_parameter', 400, 'htmlContent is missing', 'content'],
			['out_of_range', 400, 'x', 'content'],
			['duplicate_parameter', 400, 'x', 'content'],
			['bad_request', 400, 'x', 'content'],
			['unprocessable_entity', 422, 'x', 'content'],
			['document_not_found', 404, 'Template ID does not exist', 'content'],
			['method_not_allowed', 405, 'x', 'config'],
			['not_acceptable', 406, 'x', 'config'],
			['duplicate_request', 400, 'x', 'unknown'],
			['too_many_requests', 429, 'x', 'rate_limited'],
			[null, 503, '', 'transient'],
			[null, 404, '', 'config'],
			[null, 401, '', 'auth'],
			['brand_new_code', 400, 'x', 'content'],
			[null, 302, '', 'unknown'],
		];
		for (const [code, status, message, category] of cases) assert.equal(brevoErrorCategory(code, status, message), category, `${code} ${status} ${message}`);
	});

	it('retry-after from Retry-After or x-sib-ratelimit-reset; redaction of echoed keys', () => {
		assert.equal(brevoRetryAfterMs({ 'retry-after': '2', 'x-sib-ratelimit-reset': '9' }, NOW), 2000);
		assert.equal(brevoRetryAfterMs({ 'x-sib-ratelimit-reset': '9' }, NOW), 9000);
		assert.equal(brevoRetryAfterMs({}, NOW), null);
		const e = mapBrevoError({ status: 401, body: { code: 'unauthorized', message: `Key ${BREVO_TEST_KEY} not found` }, headers: {}, now: NOW, secrets: [BREVO_TEST_KEY] });
		assert.ok(!e.message.includes(BREVO_TEST_KEY));
		assert.equal(e.retryAfterMs, null);
	});
});
