import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { InvalidProviderConfigError, ProviderError } from '../../../core/errors';
import { whatsappProvider, type WhatsAppConfig } from '../../../core/providers/whatsapp';
import { mapWhatsAppError } from '../../../core/providers/whatsapp/map-whatsapp-error';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import type { ProviderContext } from '../../../core/providers/types';
import { parseMessage, render } from '../../../core/render';
import type { MessageInput } from '../../../core/schema/message';
import { fixtureJson } from '../../support/fixtures';
import { MetaFake, graphError } from '../../support/fakes/meta';
import { outboundMessages } from '../../support/platform-test-kit';

const TOKEN = 'EAAGtestWhatsAppAccessToken1234567890abcdef';
const APP_SECRET = 'wa-app-secret-0123456789';
const PHONE_ID = '106540352242922';
const TO = '447700900321';
const NOW = new Date('2026-06-01T08:00:00.000Z');

const fake = new MetaFake({ whatsapp: { accessToken: TOKEN, phoneNumberId: PHONE_ID } });
const outbound = outboundMessages({ id: 'out-1', channel: 'whatsapp', provider: 'whatsapp', conversation: { id: TO, type: 'direct' } });

let config: WhatsAppConfig;
const context = (extra: Partial<ProviderContext> = {}): ProviderContext => ({ http: undiciHttpClient, now: () => NOW, timeoutMs: 2_000, baseUrl: fake.url, ...extra });

async function send(message: MessageInput, ctx = context(), cfg = config) {
	const rendered = render(message, 'whatsapp', whatsappProvider.renderOptions(cfg, 'whatsapp'));
	return whatsappProvider.send({ message: parseMessage(message), payloads: rendered.payloads, config: cfg, to: TO }, ctx);
}

/** Every error seen in this file, checked for secrets at the end. */
const seen: ProviderError[] = [];
async function sendError(message: MessageInput, ctx = context(), cfg = config): Promise<ProviderError> {
	try {
		await send(message, ctx, cfg);
	} catch (error) {
		assert.ok(error instanceof ProviderError, `expected ProviderError, got ${String(error)}`);
		seen.push(error);
		return error;
	}
	assert.fail('expected the send to fail');
}

const text = outbound([{ type: 'text', text: 'Your order 48213 shipped.' }]);

before(async () => {
	await fake.start();
	config = whatsappProvider.parseConfig({ accessToken: ` ${TOKEN} `, phoneNumberId: PHONE_ID, appSecret: APP_SECRET });
});
after(() => fake.stop());
beforeEach(() => fake.reset());

describe('whatsapp provider: sending', () => {
	it('text: POST /{version}/{phone-number-id}/messages with the Bearer token → wamid, queued', async () => {
		const result = await send(text);
		assert.equal(fake.requests.length, 1);
		const request = fake.requests[0]!;
		assert.equal(request.method, 'POST');
		assert.equal(request.path, `/v21.0/${PHONE_ID}/messages`);
		assert.equal(request.query.toString(), '');
		assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
		assert.match(request.headers['content-type']!, /application\/json/);
		assert.deepEqual(request.json, { messaging_product: 'whatsapp', recipient_type: 'individual', to: TO, type: 'text', text: { body: 'Your order 48213 shipped.' } });
		assert.match(result.externalId, /^wamid\./);
		assert.deepEqual(result.externalIds, [result.externalId]);
		assert.equal(result.status, 'queued');
	});

	it('reply + image + buttons: one request per payload, in order; the reply context on the first; all ids kept', async () => {
		const message = outbound(
			[
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/box.jpg', caption: 'Your box' },
				{ type: 'buttons', text: 'Confirm the delivery slot?', buttons: [{ id: 'confirm_7731', title: 'Confirm' }, { id: 'later', title: 'Later' }] },
			],
			{ replyTo: { messageId: 'wamid.PREVIOUS' } },
		);
		const result = await send(message);
		assert.equal(fake.sends.length, 2);
		const [image, buttons] = fake.sends.map((r) => r.json as Record<string, unknown>);
		assert.deepEqual(image!.context, { message_id: 'wamid.PREVIOUS' });
		assert.deepEqual(image!.image, { link: 'https://cdn.example.test/box.jpg', caption: 'Your box' });
		assert.equal(buttons!.context, undefined);
		assert.deepEqual((buttons!.interactive as { action: unknown }).action, {
			buttons: [
				{ type: 'reply', reply: { id: 'confirm_7731', title: 'Confirm' } },
				{ type: 'reply', reply: { id: 'later', title: 'Later' } },
			],
		});
		assert.deepEqual(result.externalIds, fake.sentIds);
		assert.equal(result.externalId, fake.sentIds[0]);
	});

	it('list and template bodies reach the API as rendered', async () => {
		await send(
			outbound([
				{ type: 'list', text: 'Pick a slot', buttonText: 'Slots', sections: [{ rows: [{ id: 'slot_thu_14', title: 'Thu 14:00' }] }] },
				{ type: 'template', name: 'order_update', language: 'en_GB', parameters: [{ component: 'body', value: 'Priya' }] },
			]),
		);
		const [list, template] = fake.sends.map((r) => r.json as Record<string, Record<string, unknown>>);
		assert.equal(list!.type, 'interactive');
		assert.equal(list!.interactive!.type, 'list');
		assert.deepEqual(template!.template, { name: 'order_update', language: { code: 'en_GB' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Priya' }] }] });
	});

	it('apiVersion and the credential Base URL are used when the context has no base URL', async () => {
		const cfg = whatsappProvider.parseConfig({ accessToken: TOKEN, phoneNumberId: PHONE_ID, apiVersion: '22', baseUrl: `${fake.url}/` });
		assert.equal(cfg.apiVersion, 'v22.0');
		await send(text, context({ baseUrl: undefined }), cfg);
		assert.equal(fake.requests[0]!.path, `/v22.0/${PHONE_ID}/messages`);
	});
});

describe('whatsapp provider: errors', () => {
	const cases: Array<[string, ReturnType<typeof graphError>, string, boolean]> = [
		['131047 outside the 24-hour window', graphError(131047, 'Re-engagement message'), 'window', false],
		['130429 throughput', { status: 400, body: fixtureJson('whatsapp-error-130429.json') }, 'rate_limited', true],
		['80007 WABA rate limit', graphError(80007, 'Rate limit issues'), 'rate_limited', true],
		['4 app rate limit', graphError(4, 'Application request limit reached'), 'rate_limited', true],
		['131016 service unavailable', graphError(131016, 'Service unavailable', { status: 503 }), 'transient', true],
		['1 unknown', graphError(1, 'An unknown error occurred', { status: 500 }), 'transient', true],
		['2 temporarily unavailable', graphError(2, 'Service temporarily unavailable'), 'transient', true],
		['131000 something went wrong', graphError(131000, 'Something went wrong', { status: 500 }), 'transient', true],
		['131026 undeliverable', graphError(131026, 'Message Undeliverable.'), 'recipient', false],
		['131050 opted out of marketing', graphError(131050, 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages.'), 'recipient', false],
		['133010 number not registered', graphError(133010, 'Phone number Not Registered'), 'config', false],
		['132001 template does not exist', graphError(132001, 'Template name does not exist in the translation'), 'content', false],
		['132000 parameter count mismatch', graphError(132000, 'Number of parameters does not match'), 'content', false],
		['132016 template disabled', graphError(132016, 'Template is disabled'), 'content', false],
		['100 invalid parameter', graphError(100, 'Invalid parameter'), 'content', false],
		['10 permission denied', graphError(10, 'Application does not have permission for this action', { status: 403 }), 'auth', false],
		['200 permissions', graphError(200, 'Requires whatsapp_business_messaging permission', { status: 403 }), 'auth', false],
		['131031 account locked', graphError(131031, 'Business Account locked'), 'config', false],
		['368 blocked for policy', graphError(368, 'Temporarily blocked for policies violations'), 'config', false],
		['HTML gateway error 502', { status: 502, body: '<html><body>Bad Gateway</body></html>' }, 'transient', true],
		['unknown code with 400', graphError(999999, 'Something new'), 'unknown', false],
	];
	for (const [name, reply, category, retryable] of cases) {
		it(`${name} → ${category}`, async () => {
			fake.next(reply);
			const error = await sendError(text);
			assert.equal(error.category, category);
			assert.equal(error.retryable, retryable);
			assert.equal(error.provider, 'WhatsApp Cloud API');
			assert.equal(error.httpStatus, reply.status);
			const body = reply.body as { error?: { code?: number } } | string;
			assert.equal(error.providerCode, String(typeof body === 'object' && body.error ? body.error.code : reply.status));
		});
	}

	it('the error message quotes Meta (code, subcode, details, fbtrace_id) and the window error says what to do', async () => {
		fake.next(graphError(131047, 'Re-engagement message', { subcode: 2494010, details: 'Message failed to send because more than 24 hours have passed' }));
		const error = await sendError(text);
		assert.match(error.message, /\(#131047\) Re-engagement message/);
		assert.match(error.message, /subcode 2494010/);
		assert.match(error.message, /24 hours have passed/);
		assert.match(error.message, /fbtrace_id AbCdEf/);
		assert.match(error.hint!, /template/);
	});

	it('HTTP 429 with Retry-After → rate_limited with retryAfterMs', async () => {
		fake.next(graphError(130429, 'Rate limit hit', { status: 429, headers: { 'retry-after': '7' } }));
		const error = await sendError(text);
		assert.equal(error.category, 'rate_limited');
		assert.equal(error.retryAfterMs, 7_000);
		fake.next({ status: 429, headers: { 'retry-after': 'Mon, 01 Jun 2026 08:00:30 GMT' }, body: '' });
		const dated = await sendError(text);
		assert.equal(dated.category, 'rate_limited');
		assert.equal(dated.retryAfterMs, 30_000);
	});

	it('131056 pair rate limit → rate_limited, waits the 6 s pair interval; the BUC header wins when present', async () => {
		fake.next(graphError(131056, '(Business Account, Consumer Account) pair rate limit hit'));
		const pair = await sendError(text);
		assert.equal(pair.category, 'rate_limited');
		assert.equal(pair.retryAfterMs, 6_000);
		fake.next(graphError(80007, 'Rate limit issues', { headers: { 'x-business-use-case-usage': JSON.stringify({ '102290129340398': [{ type: 'whatsapp', call_count: 100, estimated_time_to_regain_access: 3 }] }) } }));
		const buc = await sendError(text);
		assert.equal(buc.retryAfterMs, 180_000);
	});

	it('a wrong token gets Graph\'s real 401 (code 190) → auth, and the token is not in the error', async () => {
		const cfg = whatsappProvider.parseConfig({ accessToken: 'EAAGwrongTokenValue0000000000', phoneNumberId: PHONE_ID });
		const error = await sendError(text, context(), cfg);
		assert.equal(error.category, 'auth');
		assert.equal(error.providerCode, '190');
		assert.equal(error.httpStatus, 401);
		assert.ok(!error.description.includes('EAAGwrongTokenValue0000000000'));
	});

	it('a slow answer past timeoutMs → transient, retryable', async () => {
		fake.next({ status: 200, body: { messages: [{ id: 'wamid.late' }] }, delayMs: 600 });
		const error = await sendError(text, context({ timeoutMs: 150 }));
		assert.equal(error.category, 'transient');
		assert.equal(error.retryable, true);
		assert.match(error.message, /timeout/);
	});

	it('a connection reset → transient, retryable', async () => {
		fake.next({ reset: true });
		const error = await sendError(text);
		assert.equal(error.category, 'transient');
		assert.equal(error.retryable, true);
	});

	it('a 200 without messages[].id → unknown, not retryable (it may have been sent)', async () => {
		fake.next({ status: 200, body: { messaging_product: 'whatsapp' } });
		const error = await sendError(text);
		assert.equal(error.category, 'unknown');
		assert.equal(error.retryable, false);
		fake.next({ status: 200, body: 'not json' });
		assert.equal((await sendError(text)).category, 'unknown');
	});

	it('a failure after earlier payloads went out names what was already sent', async () => {
		fake.next(graphError(131026, 'Message Undeliverable.'), (r) => (r.json as { type?: string }).type === 'interactive');
		const error = await sendError(outbound([{ type: 'text', text: 'First' }, { type: 'buttons', text: 'Then', buttons: [{ id: 'a', title: 'A' }] }]));
		assert.equal(error.category, 'recipient');
		assert.match(error.message, /request 2 of 2 failed; already sent: wamid\./);
	});
});

describe('whatsapp provider: config and verify', () => {
	const bad = (raw: Record<string, unknown>, field: string) => {
		assert.throws(
			() => whatsappProvider.parseConfig(raw),
			(error: unknown) => error instanceof InvalidProviderConfigError && error.field === field && !error.description.includes(TOKEN),
		);
	};
	it('required fields, id shape, version and base URL are checked, naming the field', () => {
		bad({ phoneNumberId: PHONE_ID }, 'accessToken');
		bad({ accessToken: '  ', phoneNumberId: PHONE_ID }, 'accessToken');
		bad({ accessToken: TOKEN }, 'phoneNumberId');
		bad({ accessToken: TOKEN, phoneNumberId: '+1 555 0001234' }, 'phoneNumberId');
		bad({ accessToken: TOKEN, phoneNumberId: PHONE_ID, apiVersion: 'latest' }, 'apiVersion');
		bad({ accessToken: TOKEN, phoneNumberId: PHONE_ID, baseUrl: 'graph.facebook.com' }, 'baseUrl');
		bad({ accessToken: TOKEN, phoneNumberId: PHONE_ID, baseUrl: 'ftp://x.test' }, 'baseUrl');
		assert.equal(whatsappProvider.parseConfig({ accessToken: TOKEN, phoneNumberId: PHONE_ID, apiVersion: '' }).apiVersion, 'v21.0');
	});

	it('static parts: fields (baseUrl last), 80/s per number, sender key', () => {
		assert.deepEqual(
			whatsappProvider.credentialFields.map((f) => [f.name, f.type, f.required, f.webhookOnly ?? false]),
			[
				['accessToken', 'password', true, false],
				['phoneNumberId', 'string', true, false],
				['apiVersion', 'string', false, false],
				['appSecret', 'password', false, true],
				['verifyToken', 'password', false, true],
				['baseUrl', 'string', false, false],
			],
		);
		assert.deepEqual(whatsappProvider.rateLimits.map((r) => [r.scope, r.perSecond]), [['sender', 80]]);
		assert.equal(whatsappProvider.senderKey(config, 'whatsapp'), PHONE_ID);
	});

	it('a phone number id the token cannot see (100/33) → config', async () => {
		const cfg = whatsappProvider.parseConfig({ accessToken: TOKEN, phoneNumberId: '999000999000' });
		const error = await sendError(text, context(), cfg);
		assert.equal(error.category, 'config');
		assert.equal(error.providerCode, '100');
		await assert.rejects(whatsappProvider.verifyCredentials(cfg, context()), (e: unknown) => e instanceof ProviderError && e.category === 'config');
	});

	it('verifyCredentials: GET /{version}/{phone-number-id} with the token → the number; a wrong token → auth', async () => {
		assert.deepEqual(await whatsappProvider.verifyCredentials(config, context()), { account: 'Acme Support (+1 555-000-1234)' });
		const request = fake.requests[0]!;
		assert.equal(request.method, 'GET');
		assert.equal(request.path, `/v21.0/${PHONE_ID}`);
		assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
		const wrong = whatsappProvider.parseConfig({ accessToken: 'EAAGanotherWrongToken99999', phoneNumberId: PHONE_ID });
		await assert.rejects(whatsappProvider.verifyCredentials(wrong, context()), (error: unknown) => {
			assert.ok(error instanceof ProviderError);
			seen.push(error);
			return error.category === 'auth' && !error.description.includes('EAAGanotherWrongToken99999');
		});
	});
});

describe('whatsapp error mapping (pure)', () => {
	it('code decides; without a code, the status; 429 always rate_limited', () => {
		assert.equal(mapWhatsAppError({ code: 131047 }, 400).category, 'window');
		assert.equal(mapWhatsAppError({ code: 190 }, 401).category, 'auth');
		assert.equal(mapWhatsAppError({ code: 132015 }, 400).category, 'content');
		assert.equal(mapWhatsAppError(undefined, 429).category, 'rate_limited');
		assert.equal(mapWhatsAppError(undefined, 503).category, 'transient');
		assert.equal(mapWhatsAppError(undefined, 401).category, 'auth');
		assert.equal(mapWhatsAppError(undefined, 400).category, 'unknown');
		assert.equal(mapWhatsAppError({ code: 12345678 }, 429).category, 'rate_limited');
	});
});

describe('whatsapp provider: secrets', () => {
	it('no error message or hint seen in this file contains the token or the app secret', () => {
		assert.ok(seen.length > 20);
		for (const error of seen) {
			for (const secret of [TOKEN, APP_SECRET]) assert.ok(!`${error.description} ${error.providerCode}`.includes(secret), error.description);
		}
	});
});
