/**
 * Twilio provider against a fake Twilio REST API on 127.0.0.1, with the official `twilio` SDK really
 * talking HTTP to it (client.api.baseUrl → the fake; Basic auth checked by the fake).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { InvalidProviderConfigError, ProviderError } from '../../../core/errors';
import { twilioProvider, type TwilioConfig } from '../../../core/providers/twilio';
import { twilioCodeCategory, mapTwilioError } from '../../../core/providers/twilio/map-twilio-error';
import { twilioSenderType, twilioRateLimitsFor } from '../../../core/providers/twilio/config';
import { toCreateParams } from '../../../core/providers/twilio/client';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import type { ProviderContext } from '../../../core/providers/types';
import { parseMessage, render } from '../../../core/render';
import type { Channel } from '../../../core/schema/message';
import { outboundMessages } from '../../support/platform-test-kit';
import { TWILIO_TEST_SID, TWILIO_TEST_TOKEN, TwilioFake, twilioError } from '../../support/fakes/twilio';

const FROM = '+15005550006';
const TO = '+447700900321';
const SERVICE = 'MG0f1e2d3c4b5a69788796a5b4c3d2e1f0';

const outbound = outboundMessages({ id: 'msg_1', channel: 'sms', provider: 'twilio', conversation: { id: TO, type: 'direct' } });

let fake: TwilioFake;
before(async () => {
	fake = await new TwilioFake().start();
});
after(async () => {
	await fake.stop();
});
beforeEach(() => {
	fake.reset();
	fake.accepted.length = 0;
	fake.price = undefined;
	fake.accountStatus = 'active';
});

function context(overrides: Partial<ProviderContext> = {}): ProviderContext {
	return { http: undiciHttpClient, now: () => new Date('2026-05-28T14:31:02Z'), timeoutMs: 2000, baseUrl: fake.url, ...overrides };
}

function config(overrides: Record<string, unknown> = {}): TwilioConfig {
	return twilioProvider.parseConfig({ accountSid: TWILIO_TEST_SID, authToken: TWILIO_TEST_TOKEN, from: FROM, ...overrides });
}

/** Renders like the engine does (provider.renderOptions + to) and sends through the provider. */
async function send(parts: Parameters<typeof outbound>[0], options: { channel?: Channel; cfg?: TwilioConfig; ctx?: ProviderContext; to?: string } = {}) {
	const channel = options.channel ?? 'sms';
	const cfg = options.cfg ?? config();
	const message = parseMessage(outbound(parts, { channel }));
	const to = options.to ?? TO;
	const rendered = render(message, twilioProvider.platform, { ...twilioProvider.renderOptions(cfg, channel), to });
	const result = await twilioProvider.send({ message, payloads: rendered.payloads, config: cfg, to }, options.ctx ?? context());
	return { result, rendered };
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

function assertNoSecret(error: unknown): void {
	const basic = Buffer.from(`${TWILIO_TEST_SID}:${TWILIO_TEST_TOKEN}`).toString('base64');
	const text = `${(error as Error).message} ${(error as { hint?: string }).hint ?? ''} ${(error as { description?: string }).description ?? ''} ${JSON.stringify(error)}`;
	assert.ok(!text.includes(TWILIO_TEST_TOKEN), `auth token leaked: ${text}`);
	assert.ok(!text.includes(basic), `basic auth leaked: ${text}`);
}

const TEXT = [{ type: 'text' as const, text: 'Your order 48213 has shipped' }];

describe('twilio provider: definition and config', () => {
	it('has the fixed id, channels, platform and credential fields (baseUrl last)', () => {
		assert.equal(twilioProvider.id, 'twilio');
		assert.deepEqual(twilioProvider.channels, ['sms', 'mms', 'whatsapp']);
		assert.equal(twilioProvider.platform, 'twilio');
		assert.deepEqual(
			twilioProvider.credentialFields.map((f) => [f.name, f.type, f.required]),
			[
				['accountSid', 'string', true],
				['authToken', 'password', true],
				['from', 'string', false],
				['messagingServiceSid', 'string', false],
				['baseUrl', 'string', false],
			],
		);
		assert.ok(twilioProvider.rateLimits.length > 0 && twilioProvider.rateLimits.every((r) => r.description.length > 20));
	});

	it('trims values and keeps the optional ones only when set', () => {
		assert.deepEqual(twilioProvider.parseConfig({ accountSid: ` ${TWILIO_TEST_SID} `, authToken: ` ${TWILIO_TEST_TOKEN}`, from: FROM, messagingServiceSid: '', baseUrl: '' }), {
			accountSid: TWILIO_TEST_SID,
			authToken: TWILIO_TEST_TOKEN,
			from: FROM,
		});
	});

	const bad: Array<[string, Record<string, unknown>]> = [
		['accountSid', { accountSid: '' }],
		['accountSid', { accountSid: 'SKa1b2c3d4e5f60718293a4b5c6d7e8f90' }],
		['accountSid', { accountSid: 'AC123' }],
		['authToken', { authToken: '   ' }],
		['authToken', { authToken: 42 }],
		['from', { from: 'not a number!' }],
		['from', { from: undefined, messagingServiceSid: undefined }],
		['messagingServiceSid', { messagingServiceSid: 'MG1' }],
		['baseUrl', { baseUrl: 'ftp://127.0.0.1' }],
		['baseUrl', { baseUrl: 'not a url' }],
		['baseUrl', { baseUrl: 'https://user:pw@api.twilio.com' }],
	];
	for (const [field, overrides] of bad) {
		it(`bad ${field} (${JSON.stringify(overrides)}) → InvalidProviderConfigError naming it, no secret`, () => {
			assert.throws(
				() => twilioProvider.parseConfig({ accountSid: TWILIO_TEST_SID, authToken: TWILIO_TEST_TOKEN, from: FROM, ...overrides }),
				(error: unknown) => {
					assert.ok(error instanceof InvalidProviderConfigError);
					assert.equal(error.field, field);
					assert.ok(!error.description.includes(TWILIO_TEST_TOKEN));
					return true;
				},
			);
		});
	}

	it('render options: From per channel (whatsapp: added for WhatsApp, removed for SMS), else the Messaging Service', () => {
		const wa = config({ from: `whatsapp:${FROM}` });
		assert.equal(twilioProvider.renderOptions(wa, 'sms').from, FROM);
		assert.equal(twilioProvider.renderOptions(wa, 'whatsapp').from, `whatsapp:${FROM}`);
		assert.equal(twilioProvider.renderOptions(config(), 'whatsapp').from, FROM); // render adds the prefix
		assert.equal(twilioProvider.senderKey(config(), 'whatsapp'), `whatsapp:${FROM}`);
		assert.equal(twilioProvider.senderKey(config(), 'sms'), FROM);
		const service = config({ from: undefined, messagingServiceSid: SERVICE });
		assert.equal(twilioProvider.renderOptions(service, 'sms').from, SERVICE);
		assert.equal(twilioProvider.senderKey(service, 'sms'), SERVICE);
	});

	it('rate limits by sender shape: long code 1/s, toll-free 3/s, short code 100/s, WhatsApp 80/s', () => {
		assert.equal(twilioSenderType('+14255550177', 'sms'), 'us_long_code');
		assert.equal(twilioSenderType('+18005550123', 'sms'), 'toll_free');
		assert.equal(twilioSenderType('+18885550123', 'mms'), 'toll_free');
		assert.equal(twilioSenderType('12345', 'sms'), 'short_code');
		assert.equal(twilioSenderType('+447700900000', 'sms'), 'intl_long_code');
		assert.equal(twilioSenderType('AcmeCo', 'sms'), 'alphanumeric');
		assert.equal(twilioSenderType(SERVICE, 'sms'), 'messaging_service');
		assert.equal(twilioSenderType('+14255550177', 'whatsapp'), 'whatsapp');
		const rate = (from: string, channel: Channel) => twilioRateLimitsFor(config({ from }), channel).map((r) => [r.scope, r.perSecond]);
		assert.deepEqual(rate('+14255550177', 'sms'), [['sender', 1]]);
		assert.deepEqual(rate('+18445550123', 'sms'), [['sender', 3]]);
		assert.deepEqual(rate('54321', 'sms'), [['sender', 100]]);
		assert.deepEqual(rate('+14255550177', 'whatsapp'), [['sender', 80]]);
		assert.deepEqual(twilioProvider.rateLimitsFor(config({ from: 'whatsapp:+14255550177' }), 'whatsapp').map((r) => r.perSecond), [80]);
	});
});

describe('twilio provider: sending through the SDK to the fake', () => {
	it('SMS text → POST Messages.json with Basic auth and the form body; SID as externalId, status queued', async () => {
		const { result } = await send(TEXT);
		assert.equal(fake.requests.length, 1);
		const request = fake.requests[0]!;
		assert.equal(request.method, 'POST');
		assert.equal(request.path, `/2010-04-01/Accounts/${TWILIO_TEST_SID}/Messages.json`);
		assert.equal(request.headers.authorization, `Basic ${Buffer.from(`${TWILIO_TEST_SID}:${TWILIO_TEST_TOKEN}`).toString('base64')}`);
		assert.match(request.headers['content-type'] ?? '', /application\/x-www-form-urlencoded/);
		assert.match(request.headers['user-agent'] ?? '', /twilio-node/);
		assert.deepEqual(Object.fromEntries(request.form!), { To: TO, From: FROM, Body: 'Your order 48213 has shipped' });
		assert.match(result.externalId, /^SM[0-9a-f]{32}$/);
		assert.deepEqual(result, { externalId: fake.accepted[0]!.sid, externalIds: [fake.accepted[0]!.sid], status: 'queued' });
	});

	it('WhatsApp text → whatsapp: on To and From', async () => {
		const { result } = await send(TEXT, { channel: 'whatsapp' });
		const form = fake.requests[0]!.form!;
		assert.equal(form.get('To'), `whatsapp:${TO}`);
		assert.equal(form.get('From'), `whatsapp:${FROM}`);
		assert.equal(form.get('Body'), TEXT[0]!.text);
		assert.equal(result.status, 'queued');
	});

	it('MMS media → repeated MediaUrl keys on the wire; MM… SID', async () => {
		const { result, rendered } = await send(
			[
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/a.jpg' },
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/b.jpg' },
			],
			{ channel: 'mms' },
		);
		assert.equal(rendered.payloads.length, 1);
		const request = fake.requests[0]!;
		assert.deepEqual(request.form!.getAll('MediaUrl'), ['https://cdn.example.test/a.jpg', 'https://cdn.example.test/b.jpg']);
		assert.match(request.body, /MediaUrl=https%3A%2F%2Fcdn\.example\.test%2Fa\.jpg&MediaUrl=https%3A%2F%2Fcdn\.example\.test%2Fb\.jpg/);
		assert.match(result.externalId, /^MM[0-9a-f]{32}$/);
	});

	it('WhatsApp text + image with caption → two API calls in order, every SID returned', async () => {
		const { result } = await send(
			[
				{ type: 'text', text: 'Here is your receipt' },
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/r.jpg', caption: 'Receipt' },
			],
			{ channel: 'whatsapp' },
		);
		assert.equal(fake.requests.length, 2);
		assert.equal(fake.requests[0]!.form!.get('Body'), 'Here is your receipt');
		assert.deepEqual(Object.fromEntries(fake.requests[1]!.form!), { To: `whatsapp:${TO}`, From: `whatsapp:${FROM}`, Body: 'Receipt', MediaUrl: 'https://cdn.example.test/r.jpg' });
		assert.deepEqual(result.externalIds, fake.accepted.map((a) => a.sid));
		assert.equal(result.externalId, result.externalIds[0]);
	});

	it('WhatsApp location → PersistentAction geo: on the wire', async () => {
		await send([{ type: 'location', latitude: 51.5, longitude: -0.12, name: 'Camden store' }], { channel: 'whatsapp' });
		assert.deepEqual(fake.requests[0]!.form!.getAll('PersistentAction'), ['geo:51.5,-0.12|Camden store']);
	});

	it('template → ContentSid + ContentVariables (JSON string)', async () => {
		await send([{ type: 'template', name: 'HXb5b62575e6e4ff6129ad7c8efe1f983e', parameters: [{ value: 'Priya' }, { value: 'Thu 14:00' }] }], { channel: 'whatsapp' });
		const form = fake.requests[0]!.form!;
		assert.equal(form.get('ContentSid'), 'HXb5b62575e6e4ff6129ad7c8efe1f983e');
		assert.equal(form.get('ContentVariables'), '{"1":"Priya","2":"Thu 14:00"}');
		assert.equal(form.get('Body'), null);
	});

	it('Messaging Service credential → MessagingServiceSid instead of From', async () => {
		await send(TEXT, { cfg: config({ from: undefined, messagingServiceSid: SERVICE }) });
		const form = fake.requests[0]!.form!;
		assert.equal(form.get('MessagingServiceSid'), SERVICE);
		assert.equal(form.get('From'), null);
	});

	it('price/price_unit in the answer → cost (absolute amount, upper-case currency)', async () => {
		fake.price = { price: '-0.00750', unit: 'usd' };
		const { result } = await send(TEXT);
		assert.deepEqual(result.cost, { amount: 0.0075, currency: 'USD' });
	});

	it('the credential Base URL is used when the context has none', async () => {
		await send(TEXT, { cfg: config({ baseUrl: fake.url }), ctx: context({ baseUrl: undefined }) });
		assert.equal(fake.requests.length, 1);
	});

	it('a field the SDK cannot express is refused loudly, not dropped', () => {
		assert.throws(() => toCreateParams({ endpoint: 'Messages.json', contentType: 'application/x-www-form-urlencoded', body: { To: TO, Bogus: 'x' } }), /Bogus/);
		assert.deepEqual(toCreateParams({ endpoint: 'Messages.json', contentType: 'application/x-www-form-urlencoded', body: { To: TO, MediaUrl: 'https://x.test/a' } }), {
			to: TO,
			mediaUrl: ['https://x.test/a'],
		});
	});
});

describe('twilio provider: errors', () => {
	it('400 / 21211 (Twilio magic invalid number) → recipient, permanent, code kept', async () => {
		const error = await sendError(TEXT, { to: '+15005550001' });
		assert.equal(error.category, 'recipient');
		assert.equal(error.retryable, false);
		assert.equal(error.providerCode, '21211');
		assert.equal(error.httpStatus, 400);
		assert.match(error.message, /not a valid phone number/);
	});

	it('21614 not mobile and 21610 unsubscribed → recipient', async () => {
		assert.equal((await sendError(TEXT, { to: '+15005550009' })).providerCode, '21614');
		const stop = await sendError(TEXT, { to: '+15005550004' });
		assert.equal(stop.category, 'recipient');
		assert.equal(stop.providerCode, '21610');
	});

	it('63016 outside the WhatsApp window → window, permanent', async () => {
		fake.next(twilioError(400, 63016, 'Failed to send freeform message because you are outside the allowed window. Please use a Template.'));
		const error = await sendError(TEXT, { channel: 'whatsapp' });
		assert.equal(error.category, 'window');
		assert.equal(error.retryable, false);
		assert.equal(error.providerCode, '63016');
	});

	it('wrong auth token → 401 / 20003 → auth; the token is in no message', async () => {
		const error = await sendError(TEXT, { cfg: config({ authToken: 'wrong_token_value_abcdef' }) });
		assert.equal(error.category, 'auth');
		assert.equal(error.retryable, false);
		assert.equal(error.providerCode, '20003');
		assert.equal(error.httpStatus, 401);
		assert.ok(!error.description.includes('wrong_token_value_abcdef'));
	});

	it('a body that echoes the token is redacted', async () => {
		fake.next(twilioError(400, 21606, `The From number is not valid for token ${TWILIO_TEST_TOKEN}`));
		const error = await sendError(TEXT);
		assert.equal(error.category, 'config');
		assert.match(error.message, /\[redacted\]/);
	});

	it('429 with Retry-After → rate_limited with retryAfterMs (no SDK auto-retry)', async () => {
		fake.next(twilioError(429, 20429, 'Too Many Requests', { 'retry-after': '7' }));
		const error = await sendError(TEXT);
		assert.equal(error.category, 'rate_limited');
		assert.equal(error.retryable, true);
		assert.equal(error.retryAfterMs, 7000);
		assert.equal(error.providerCode, '20429');
		assert.equal(fake.requests.length, 1, 'the SDK must not retry on its own');
	});

	it('429 with an HTTP-date Retry-After and no Twilio body → rate_limited', async () => {
		fake.next({ status: 429, headers: { 'retry-after': 'Thu, 28 May 2026 14:31:05 GMT' }, body: 'slow down' });
		const error = await sendError(TEXT);
		assert.equal(error.category, 'rate_limited');
		assert.equal(error.retryAfterMs, 3000);
		assert.equal(error.providerCode, '429');
	});

	it('503 → transient, retryable', async () => {
		fake.next({ status: 503, body: '<html>Service Unavailable</html>' });
		const error = await sendError(TEXT);
		assert.equal(error.category, 'transient');
		assert.equal(error.retryable, true);
		assert.equal(error.httpStatus, 503);
	});

	it('a slow answer past timeoutMs → transient TIMEOUT', async () => {
		fake.next({ hang: true });
		const started = Date.now();
		const error = await sendError(TEXT, { ctx: context({ timeoutMs: 300 }) });
		assert.equal(error.category, 'transient');
		assert.equal(error.retryable, true);
		assert.equal(error.providerCode, 'TIMEOUT');
		assert.ok(Date.now() - started < 2000);
	});

	it('a connection reset → transient', async () => {
		fake.next({ reset: true });
		const error = await sendError(TEXT);
		assert.equal(error.category, 'transient');
		assert.equal(error.retryable, true);
		assert.match(error.providerCode ?? '', /ECONNRESET|socket hang up|NETWORK/i);
	});

	it('201 with a body that is not JSON → unknown, not a crash', async () => {
		fake.next({ status: 201, body: 'created?' });
		const error = await sendError(TEXT);
		assert.equal(error.category, 'unknown');
		assert.equal(error.retryable, false);
	});

	it('201 JSON without a sid → unknown', async () => {
		fake.next({ status: 201, body: { status: 'queued' } });
		const error = await sendError(TEXT);
		assert.equal(error.category, 'unknown');
	});

	it('a failure after earlier parts went out names the SIDs already sent', async () => {
		fake.next(twilioError(503, 20500, 'Internal Server Error'), (r) => r.form?.get('Body') === 'Receipt');
		const error = await sendError(
			[
				{ type: 'text', text: 'first' },
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/r.jpg', caption: 'Receipt' },
			],
			{ channel: 'whatsapp' },
		);
		assert.equal(error.category, 'transient');
		assert.match(error.message, new RegExp(`after 1 of 2 parts were sent \\(${fake.accepted[0]!.sid}\\)`));
	});

	it('nothing listening → transient connection error', async () => {
		const error = await sendError(TEXT, { ctx: context({ baseUrl: 'http://127.0.0.1:1' }) });
		assert.equal(error.category, 'transient');
		assert.equal(error.providerCode, 'ECONNREFUSED');
	});

	it('code table (§0.2): recipient / window / content / rate / auth / config; unknown codes fall back to the status', () => {
		const cases: Array<[number, string]> = [
			[21211, 'recipient'],
			[21614, 'recipient'],
			[21610, 'recipient'],
			[30005, 'recipient'],
			[30006, 'recipient'],
			[63003, 'recipient'],
			[63024, 'recipient'],
			[63016, 'window'],
			[21617, 'content'],
			[30007, 'content'],
			[63018, 'rate_limited'],
			[20429, 'rate_limited'],
			[20003, 'auth'],
			[21606, 'config'],
			[21408, 'config'],
			[30034, 'config'],
		];
		for (const [code, category] of cases) assert.equal(twilioCodeCategory(code), category, String(code));
		assert.equal(twilioCodeCategory(99999), undefined);
		assert.equal(mapTwilioError({ httpStatus: 400, code: 99999 }).category, 'content');
		assert.equal(mapTwilioError({ httpStatus: 502, code: 21211 }).category, 'transient');
		assert.equal(mapTwilioError({ httpStatus: 429, code: null }).retryable, true);
		assert.equal(mapTwilioError({ httpStatus: 403, code: null }).category, 'auth');
	});
});

describe('twilio provider: verifyCredentials (GET Account)', () => {
	it('OK → the account friendly name; GET /2010-04-01/Accounts/{sid}.json with Basic auth', async () => {
		const result = await twilioProvider.verifyCredentials(config(), context());
		assert.deepEqual(result, { account: 'Acme Notifications' });
		assert.equal(fake.requests[0]!.method, 'GET');
		assert.equal(fake.requests[0]!.path, `/2010-04-01/Accounts/${TWILIO_TEST_SID}.json`);
	});

	it('wrong token → auth ProviderError without the token', async () => {
		await assert.rejects(twilioProvider.verifyCredentials(config({ authToken: 'another_wrong_token_123' }), context()), (error: unknown) => {
			assert.ok(error instanceof ProviderError);
			assert.equal(error.category, 'auth');
			assert.equal(error.providerCode, '20003');
			assert.ok(!JSON.stringify({ m: error.message, h: error.hint }).includes('another_wrong_token_123'));
			return true;
		});
	});

	it('suspended account → config', async () => {
		fake.accountStatus = 'suspended';
		await assert.rejects(twilioProvider.verifyCredentials(config(), context()), (error: unknown) => error instanceof ProviderError && error.category === 'config');
	});

	it('timeout → transient', async () => {
		fake.next({ hang: true });
		await assert.rejects(twilioProvider.verifyCredentials(config(), context({ timeoutMs: 300 })), (error: unknown) => error instanceof ProviderError && error.category === 'transient');
	});
});
