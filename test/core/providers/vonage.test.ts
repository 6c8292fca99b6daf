/**
 * Vonage provider against a fake Vonage API on 127.0.0.1 (Messages API + Account API), over real HTTP
 * with undici (`undiciHttpClient`). Basic auth is checked by the fake.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { InvalidProviderConfigError, ProviderError } from '../../../core/errors';
import { accountBase, mapVonageError, vonageCodeCategory, vonageErrorCode, vonageProvider, type VonageConfig } from '../../../core/providers/vonage';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import type { ProviderContext } from '../../../core/providers/types';
import { parseMessage, render } from '../../../core/render';
import type { Channel } from '../../../core/schema/message';
import { fixtureBytes } from '../../support/fixtures';
import { outboundMessages } from '../../support/platform-test-kit';
import { VONAGE_TEST_KEY, VONAGE_TEST_SECRET, VonageFake, vonageProblem } from '../../support/fakes/vonage';

const FROM = '447700900000';
const TO = '+447700900321';

const outbound = outboundMessages({ id: 'msg_1', channel: 'sms', provider: 'vonage', conversation: { id: TO, type: 'direct' } });

let fake: VonageFake;
before(async () => {
	fake = await new VonageFake().start();
});
after(async () => {
	await fake.stop();
});
beforeEach(() => {
	fake.reset();
	fake.accepted.length = 0;
});

function context(overrides: Partial<ProviderContext> = {}): ProviderContext {
	return { http: undiciHttpClient, now: () => new Date('2026-05-28T14:31:02Z'), timeoutMs: 2000, baseUrl: fake.url, ...overrides };
}

function config(overrides: Record<string, unknown> = {}): VonageConfig {
	return vonageProvider.parseConfig({ apiKey: VONAGE_TEST_KEY, apiSecret: VONAGE_TEST_SECRET, from: FROM, ...overrides });
}

const BASIC = `Basic ${Buffer.from(`${VONAGE_TEST_KEY}:${VONAGE_TEST_SECRET}`).toString('base64')}`;

async function send(parts: Parameters<typeof outbound>[0], options: { channel?: Channel; cfg?: VonageConfig; ctx?: ProviderContext; to?: string; extra?: Record<string, unknown> } = {}) {
	const channel = options.channel ?? 'sms';
	const cfg = options.cfg ?? config();
	const message = parseMessage(outbound(parts, { channel, ...options.extra }));
	const to = options.to ?? TO;
	const rendered = render(message, vonageProvider.platform, { ...vonageProvider.renderOptions(cfg, channel), to });
	const result = await vonageProvider.send({ message, payloads: rendered.payloads, config: cfg, to }, options.ctx ?? context());
	return { result, rendered };
}

function assertNoSecret(error: unknown): void {
	const text = `${(error as Error).message} ${(error as { hint?: string }).hint ?? ''} ${JSON.stringify(error)}`;
	assert.ok(!text.includes(VONAGE_TEST_SECRET), `secret leaked: ${text}`);
	assert.ok(!text.includes(BASIC.slice(6)), `basic auth leaked: ${text}`);
}

async function sendError(parts: Parameters<typeof outbound>[0], options: Parameters<typeof send>[1] = {}): Promise<ProviderError> {
	try {
		await send(parts, options);
	} catch (error) {
		assert.ok(error instanceof ProviderError, `expected ProviderError, got ${String(error)}`);
		assertNoSecret(error);
		return error;
	}
	assert.fail('expected the send to fail');
}

const TEXT = [{ type: 'text' as const, text: 'Your order 48213 has shipped' }];

describe('vonage provider: definition and config', () => {
	it('has the fixed id, channels, platform and credential fields (baseUrl last)', () => {
		assert.equal(vonageProvider.id, 'vonage');
		assert.deepEqual(vonageProvider.channels, ['sms', 'mms', 'whatsapp']);
		assert.equal(vonageProvider.platform, 'vonage');
		assert.deepEqual(
			vonageProvider.credentialFields.map((f) => [f.name, f.type, f.required, f.webhookOnly ?? false]),
			[
				['apiKey', 'string', true, false],
				['apiSecret', 'password', true, false],
				['from', 'string', true, false],
				['signatureSecret', 'password', false, true],
				['baseUrl', 'string', false, false],
			],
		);
		assert.deepEqual(vonageProvider.rateLimits.map((r) => [r.scope, r.perSecond]), [['provider', 30]]);
		assert.match(vonageProvider.rateLimits[0]!.description, /\[verify/);
		assert.deepEqual(vonageProvider.rateLimitsFor(config(), 'whatsapp').map((r) => [r.scope, r.perSecond]), [['provider', 30], ['sender', 80]]);
		assert.deepEqual(vonageProvider.rateLimitsFor(config(), 'sms').map((r) => [r.scope, r.perSecond]), [['provider', 30]]);
	});

	const bad: Array<[string, Record<string, unknown>]> = [
		['apiKey', { apiKey: '' }],
		['apiKey', { apiKey: 'ab:cd' }],
		['apiSecret', { apiSecret: undefined }],
		['apiSecret', { apiSecret: 12345 }],
		['from', { from: ' ' }],
		['from', { from: 'Acme Company Ltd' }],
		['baseUrl', { baseUrl: 'api.nexmo.com' }],
		['baseUrl', { baseUrl: 'https://api.nexmo.com/?x=1' }],
	];
	for (const [field, overrides] of bad) {
		it(`bad ${field} (${JSON.stringify(overrides)}) → InvalidProviderConfigError naming it`, () => {
			assert.throws(
				() => vonageProvider.parseConfig({ apiKey: VONAGE_TEST_KEY, apiSecret: VONAGE_TEST_SECRET, from: FROM, ...overrides }),
				(error: unknown) => error instanceof InvalidProviderConfigError && error.field === field && !error.description.includes(VONAGE_TEST_SECRET),
			);
		});
	}

	it('render options carry the sender and the channel as variant; sender key per channel', () => {
		assert.deepEqual(vonageProvider.renderOptions(config(), 'whatsapp'), { from: FROM, variant: 'whatsapp' });
		assert.equal(vonageProvider.senderKey(config({ from: `+${FROM}` }), 'sms'), `sms:${FROM}`);
	});
});

describe('vonage provider: sending over HTTP to the fake', () => {
	it('SMS text → POST /v1/messages, Basic auth, JSON body; 202 message_uuid → externalId, queued', async () => {
		const { result } = await send(TEXT);
		const request = fake.requests[0]!;
		assert.equal(request.method, 'POST');
		assert.equal(request.path, '/v1/messages');
		assert.equal(request.headers.authorization, BASIC);
		assert.match(request.headers['content-type'] ?? '', /application\/json/);
		assert.deepEqual(request.json, { channel: 'sms', to: '447700900321', from: FROM, message_type: 'text', text: TEXT[0]!.text, client_ref: 'msg_1' });
		assert.deepEqual(result, { externalId: fake.accepted[0]!.uuid, externalIds: [fake.accepted[0]!.uuid], status: 'queued' });
	});

	it('WhatsApp text + image → two calls in order, every uuid returned', async () => {
		const { result } = await send(
			[
				{ type: 'text', text: 'Here is your receipt' },
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/r.jpg', caption: 'Receipt' },
			],
			{ channel: 'whatsapp' },
		);
		assert.equal(fake.requests.length, 2);
		assert.equal((fake.requests[0]!.json as { channel: string }).channel, 'whatsapp');
		assert.deepEqual((fake.requests[1]!.json as { image: unknown }).image, { url: 'https://cdn.example.test/r.jpg', caption: 'Receipt' });
		assert.deepEqual(result.externalIds, fake.accepted.map((a) => a.uuid));
	});

	it('MMS image → message_type image', async () => {
		await send([{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg' }], { channel: 'mms' });
		assert.deepEqual(fake.requests[0]!.json, {
			channel: 'mms',
			to: '447700900321',
			from: FROM,
			message_type: 'image',
			image: { url: 'https://cdn.example.test/a.jpg' },
			client_ref: 'msg_1',
		});
	});

	it('WhatsApp buttons → custom interactive; reply → context.message_uuid', async () => {
		await send([{ type: 'buttons', text: 'Confirm?', buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }] }], {
			channel: 'whatsapp',
			extra: { replyTo: { messageId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' } },
		});
		const body = fake.requests[0]!.json as { message_type: string; custom: { type: string }; context: unknown };
		assert.equal(body.message_type, 'custom');
		assert.equal(body.custom.type, 'interactive');
		assert.deepEqual(body.context, { message_uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' });
	});

	it('WhatsApp template → message_type template with the body parameters', async () => {
		await send([{ type: 'template', name: 'order_update', language: 'en_GB', parameters: [{ component: 'body', value: 'Priya' }] }], { channel: 'whatsapp' });
		const body = fake.requests[0]!.json as Record<string, unknown>;
		assert.equal(body.message_type, 'template');
		assert.deepEqual(body.template, { name: 'order_update', parameters: ['Priya'] });
	});
});

describe('vonage provider: errors', () => {
	it('wrong secret → 401 → auth, the secret is in no message', async () => {
		const error = await sendError(TEXT, { cfg: config({ apiSecret: 'Wrong-Secret-123' }) });
		assert.equal(error.category, 'auth');
		assert.equal(error.retryable, false);
		assert.equal(error.httpStatus, 401);
		assert.equal(error.providerCode, 'unauthorized');
		assert.ok(!error.description.includes('Wrong-Secret-123'));
	});

	it('402 low balance → config', async () => {
		fake.next(vonageProblem(402, 'low-balance', 'Low balance', 'This request could not be performed due to your account balance being low.'));
		const error = await sendError(TEXT);
		assert.equal(error.category, 'config');
		assert.equal(error.retryable, false);
		assert.equal(error.providerCode, 'low-balance');
	});

	it('422 invalid `to` (the fake validates) → recipient', async () => {
		const error = await sendError(TEXT, { to: '+0123' });
		assert.equal(error.httpStatus, 422);
		assert.equal(error.category, 'recipient');
		assert.equal(error.providerCode, '1020');
	});

	it('422 about the text → content', async () => {
		const error = await sendError([{ type: 'text', text: 'x'.repeat(1001) }]);
		assert.equal(error.category, 'content');
		assert.equal(error.retryable, false);
	});

	it('422 outside the WhatsApp window (#1340) → window', async () => {
		fake.next(vonageProblem(422, '1340', '1340', 'Outside of the allowed window'));
		const error = await sendError(TEXT, { channel: 'whatsapp' });
		assert.equal(error.category, 'window');
		assert.equal(error.providerCode, '1340');
	});

	it('429 #1000 with Retry-After → rate_limited with retryAfterMs', async () => {
		fake.next(vonageProblem(429, '1000', 'Throttled', 'You have exceeded the submission capacity allowed on this account.', {}, { 'retry-after': '2' }));
		const error = await sendError(TEXT);
		assert.equal(error.category, 'rate_limited');
		assert.equal(error.retryable, true);
		assert.equal(error.retryAfterMs, 2000);
		assert.equal(error.providerCode, '1000');
	});

	it('429 #1010 (as providers.md names it) is still rate_limited: the status wins', async () => {
		fake.next(vonageProblem(429, '1010', 'Rate Limit Hit', 'Please wait, then retry your request'));
		const error = await sendError(TEXT);
		assert.equal(error.category, 'rate_limited');
		assert.equal(error.retryAfterMs, null);
	});

	it('503 → transient', async () => {
		fake.next({ status: 503, body: '<html>upstream unavailable</html>' });
		const error = await sendError(TEXT);
		assert.equal(error.category, 'transient');
		assert.equal(error.retryable, true);
		assert.equal(error.providerCode, '503');
	});

	it('slow answer past timeoutMs → transient TIMEOUT', async () => {
		fake.next({ status: 202, body: { message_uuid: 'late' }, delayMs: 1500 });
		const error = await sendError(TEXT, { ctx: context({ timeoutMs: 300 }) });
		assert.equal(error.category, 'transient');
		assert.equal(error.providerCode, 'TIMEOUT');
	});

	it('connection reset → transient', async () => {
		fake.next({ reset: true });
		const error = await sendError(TEXT);
		assert.equal(error.category, 'transient');
		assert.equal(error.retryable, true);
	});

	it('202 without message_uuid → unknown, not a crash', async () => {
		fake.next({ status: 202, body: 'accepted' });
		const error = await sendError(TEXT);
		assert.equal(error.category, 'unknown');
		assert.equal(error.retryable, false);
	});

	it('a failure after earlier parts went out names the uuids already sent', async () => {
		fake.next({ status: 500, body: {} }, (r) => (r.json as { message_type?: string })?.message_type === 'image');
		const error = await sendError(
			[
				{ type: 'text', text: 'first' },
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/r.jpg' },
			],
			{ channel: 'whatsapp' },
		);
		assert.match(error.message, new RegExp(`after 1 of 2 parts were sent \\(${fake.accepted[0]!.uuid}\\)`));
	});

	it('a problem body that echoes the secret is redacted', async () => {
		fake.next(vonageProblem(400, '1020', 'Invalid params', `api_secret=${VONAGE_TEST_SECRET} is odd`));
		const error = await sendError(TEXT);
		assert.match(error.message, /\[redacted\]/);
	});

	it('code table and text rules', () => {
		assert.equal(vonageErrorCode({ type: 'https://developer.nexmo.com/api-errors/messages-olympus#1120' }), '1120');
		assert.equal(vonageErrorCode({ type: 'https://developer.nexmo.com/api-errors#unauthorized' }), 'unauthorized');
		assert.equal(vonageCodeCategory('1000'), 'rate_limited');
		assert.equal(vonageCodeCategory('1050'), 'recipient');
		assert.equal(vonageCodeCategory('1120'), 'config');
		assert.equal(vonageCodeCategory('1022'), 'content');
		assert.equal(vonageCodeCategory('9999'), undefined);
		const problem = (body: unknown, status = 422) => mapVonageError({ httpStatus: status, body: JSON.stringify(body) });
		assert.equal(problem({ title: 'Invalid recipient', detail: 'The destination number is not on WhatsApp' }).category, 'recipient');
		assert.equal(problem({ title: 'Bad request', detail: 'The message is outside the 24-hour customer care window' }).category, 'window');
		assert.equal(problem({ title: 'Invalid params', invalid_parameters: [{ name: 'to', reason: 'bad' }] }).category, 'recipient');
		assert.equal(problem({ title: 'Invalid params', invalid_parameters: [{ name: 'text', reason: 'too long' }] }).category, 'content');
		assert.equal(mapVonageError({ httpStatus: 401, body: '' }).category, 'auth');
		assert.equal(mapVonageError({ httpStatus: 502, body: 'oops' }).category, 'transient');
	});

	it('the rejected-status fixture error (#1340, numeric title) classifies as window', () => {
		const status = JSON.parse(fixtureBytes('vonage-status-rejected.json').toString('utf8')) as { error: unknown };
		assert.equal(mapVonageError({ httpStatus: 422, body: JSON.stringify(status.error) }).category, 'window');
	});
});

describe('vonage provider: verifyCredentials (GET /account/get-balance, Basic auth)', () => {
	it('OK → the API key; the secret never goes in the URL', async () => {
		assert.deepEqual(await vonageProvider.verifyCredentials(config(), context()), { account: VONAGE_TEST_KEY });
		const request = fake.requests[0]!;
		assert.equal(request.method, 'GET');
		assert.equal(request.path, '/account/get-balance');
		assert.equal(request.headers.authorization, BASIC);
		assert.ok(!request.url.includes(VONAGE_TEST_SECRET));
	});

	it('wrong secret → auth, without the secret', async () => {
		await assert.rejects(vonageProvider.verifyCredentials(config({ apiSecret: 'Another-Wrong-1' }), context()), (error: unknown) => {
			assert.ok(error instanceof ProviderError);
			assert.equal(error.category, 'auth');
			assert.ok(!error.description.includes('Another-Wrong-1'));
			return true;
		});
	});

	it('reset → transient; unreadable 200 → unknown', async () => {
		fake.next({ reset: true });
		await assert.rejects(vonageProvider.verifyCredentials(config(), context()), (error: unknown) => error instanceof ProviderError && error.category === 'transient');
		fake.next({ status: 200, body: '<html>login</html>' });
		await assert.rejects(vonageProvider.verifyCredentials(config(), context()), (error: unknown) => error instanceof ProviderError && error.category === 'unknown');
	});

	it('which host answers the check: rest.nexmo.com for Vonage hosts, the base URL itself for anything else', () => {
		assert.equal(accountBase(config(), undefined), 'https://rest.nexmo.com');
		assert.equal(accountBase(config({ baseUrl: 'https://api-eu.vonage.com' }), undefined), 'https://rest.nexmo.com');
		assert.equal(accountBase(config(), 'https://api.nexmo.com'), 'https://rest.nexmo.com');
		assert.equal(accountBase(config(), 'http://127.0.0.1:3090/'), 'http://127.0.0.1:3090');
		assert.equal(accountBase(config({ baseUrl: 'https://proxy.acme.example/vonage' }), undefined), 'https://proxy.acme.example/vonage');
	});
});
