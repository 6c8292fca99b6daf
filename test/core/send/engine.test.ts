/**
 * The send engine against test providers over real HTTP (FakeSendApi on 127.0.0.1): routing,
 * fallback order, retries and their delays (injected clock + sleep), Retry-After, channel failover
 * with re-rendering, the 24-hour-window template rule, dry-run, concurrency, progress, typed errors
 * and the secrets scan.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { InvalidMessageError, InvalidProviderConfigError, InvalidSendOptionsError, NoRouteError } from '../../../core/errors';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import type { HttpClient } from '../../../core/providers/types';
import { InMemoryRateLimitStore, sendMany, sendMessage, type SendOptions } from '../../../core/send';
import { errorReply, fakeTime, FakeSendApi, smsMessage, testProvider } from './support';

const SECRET_A = 'sk_alpha_0123456789secret';
const SECRET_B = 'sk_beta_9876543210secret';
const SECRET_W = 'EAAG_whatsapp_token_secret_42';

const alpha = testProvider('alpha');
const beta = testProvider('beta', { cost: true });
const wa = testProvider('wa', { channels: ['whatsapp'], platform: 'whatsapp', status: 'sent' });
const PROVIDERS = [alpha, beta, wa];

let fa: FakeSendApi;
let fb: FakeSendApi;
let fw: FakeSendApi;
before(async () => {
	fa = await new FakeSendApi({ token: SECRET_A }).start();
	fb = await new FakeSendApi({ token: SECRET_B }).start();
	fw = await new FakeSendApi({ token: SECRET_W }).start();
});
after(async () => {
	await Promise.all([fa.stop(), fb.stop(), fw.stop()]);
});
beforeEach(() => {
	fa.reset();
	fb.reset();
	fw.reset();
});

function options(extra: Partial<SendOptions> = {}, time = fakeTime()): SendOptions {
	return {
		providers: PROVIDERS,
		http: undiciHttpClient,
		now: time.now,
		sleep: time.sleep,
		random: () => 0,
		retry: { jitter: 0 },
		rateLimits: { store: new InMemoryRateLimitStore() },
		routes: [
			{
				channel: 'sms',
				providers: [
					{ provider: 'alpha', config: { token: SECRET_A, from: '+15550009999', baseUrl: fa.url } },
					{ provider: 'beta', config: { token: SECRET_B, from: '+15550008888', baseUrl: fb.url } },
				],
			},
			{ channel: 'whatsapp', providers: [{ provider: 'wa', config: { token: SECRET_W, from: '+15550007777', baseUrl: fw.url } }], failoverChannel: 'sms' },
		],
		...extra,
	};
}

const waMessage = (parts: unknown[], extra: Record<string, unknown> = {}) =>
	smsMessage({ channel: 'whatsapp', parts: parts as never, conversation: { id: '15550001111', type: 'direct' }, recipients: [{ id: '15550001111' }], ...extra });
const TEMPLATE = { type: 'template', name: 'appointment_reminder', language: 'en_US', parameters: [{ component: 'body', value: 'Tuesday' }] };

describe('routing, fallback and retries', () => {
	test('the primary provider sends; the result names it with the external id', async () => {
		const result = await sendMessage(smsMessage(), options());
		assert.equal(result.status, 'queued');
		assert.equal(result.provider, 'alpha');
		assert.equal(result.externalId, 'msg-1');
		assert.equal(result.attempts.length, 1);
		assert.equal(result.attempts[0]!.fallbackReason, null);
		assert.equal(fa.sends.length, 1);
		assert.equal(fb.sends.length, 0);
		assert.equal(fa.sends[0]!.headers.authorization, `Bearer ${SECRET_A}`);
		assert.deepEqual((fa.sends[0]!.json as { body: unknown }).body, { To: '+15550001111', From: '+15550009999', Body: 'Hello there' });
	});

	test('a permanent error is not retried: the next provider is tried with the reason', async () => {
		fa.next(errorReply(400, '21211', { category: 'recipient' }));
		const time = fakeTime();
		const result = await sendMessage(smsMessage(), options({}, time));
		assert.equal(result.status, 'queued');
		assert.equal(result.provider, 'beta');
		assert.deepEqual(
			result.attempts.map((a) => [a.number, a.provider, a.success, a.errorCode, a.errorCategory, a.retryable, a.fallbackReason]),
			[
				[1, 'alpha', false, '21211', 'recipient', false, null],
				[2, 'beta', true, null, null, null, 'primary_failed: alpha 21211'],
			],
		);
		assert.deepEqual(result.attempts[1]!.cost, { amount: 0.0075, currency: 'USD' });
		assert.deepEqual(time.sleeps, [], 'nothing waited');
		assert.equal(fa.sends.length, 1);
	});

	test('retryable errors retry the same provider with the policy delays (exponential 1 s, 2 s)', async () => {
		fa.next(errorReply(503, 'unavailable')).next(errorReply(502, 'bad_gateway'));
		const time = fakeTime();
		const result = await sendMessage(smsMessage(), options({}, time));
		assert.equal(result.provider, 'alpha');
		assert.deepEqual(time.sleeps, [1000, 2000]);
		assert.deepEqual(
			result.attempts.map((a) => [a.provider, a.success, a.errorCode, a.retryable]),
			[
				['alpha', false, 'unavailable', true],
				['alpha', false, 'bad_gateway', true],
				['alpha', true, null, null],
			],
		);
		assert.deepEqual(
			result.attempts.map((a) => a.startedAt),
			['2026-06-01T10:00:00.000Z', '2026-06-01T10:00:01.000Z', '2026-06-01T10:00:03.000Z'],
			'attempts start after each delay',
		);
	});

	test('linear strategy, cap and jitter shape the delays', async () => {
		fa.next(errorReply(503, 'a')).next(errorReply(503, 'b')).next(errorReply(503, 'c'));
		const time = fakeTime();
		await sendMessage(
			smsMessage(),
			options({ retry: { strategy: 'linear', initialDelaySeconds: 2, maxDelaySeconds: 3, jitter: 0.5, maxAttempts: 4 }, random: () => 1 }, time),
		);
		// linear 2, 4→cap 3, 6→cap 3; jitter 0.5 with random 1 halves each.
		assert.deepEqual(time.sleeps, [1000, 1500, 1500]);
	});

	test('Retry-After is honoured when longer than the policy delay', async () => {
		fa.next(errorReply(429, 'too_many', { retryAfter: '7' }));
		const time = fakeTime();
		const result = await sendMessage(smsMessage(), options({}, time));
		assert.deepEqual(time.sleeps, [7000]);
		assert.deepEqual(
			result.attempts.map((a) => [a.provider, a.errorCategory]),
			[
				['alpha', 'rate_limited'],
				['alpha', null],
			],
		);
	});

	test('a Retry-After beyond the retry cap is not waited for: the next provider is used', async () => {
		fa.next(errorReply(429, 'too_many', { retryAfter: '3600' }));
		const time = fakeTime();
		const result = await sendMessage(smsMessage(), options({}, time));
		assert.deepEqual(time.sleeps, []);
		assert.equal(result.provider, 'beta');
		assert.equal(result.attempts[1]!.fallbackReason, 'primary_failed: alpha too_many');
	});

	test('after max attempts on the primary the fallback is tried; when all fail the result is failed and retryable', async () => {
		for (let i = 0; i < 3; i++) fa.next(errorReply(503, 'down'));
		for (let i = 0; i < 3; i++) fb.next(errorReply(500, 'oops'));
		const time = fakeTime();
		const result = await sendMessage(smsMessage(), options({}, time));
		assert.equal(result.status, 'failed');
		assert.equal(result.provider, null);
		assert.deepEqual(
			result.attempts.map((a) => `${a.number}:${a.provider}:${a.errorCode}:${a.fallbackReason}`),
			['1:alpha:down:null', '2:alpha:down:null', '3:alpha:down:null', '4:beta:oops:primary_failed: alpha down', '5:beta:oops:primary_failed: alpha down', '6:beta:oops:primary_failed: alpha down'],
		);
		assert.deepEqual(time.sleeps, [1000, 2000, 1000, 2000]);
		assert.deepEqual(result.error, { code: 'oops', category: 'transient', message: 'beta: failed with oops', retryable: true, retryAfterMs: null });
	});

	test('options.provider uses only that provider (no fallback)', async () => {
		fb.next(errorReply(400, 'bad', { category: 'content' }));
		const result = await sendMessage(smsMessage(), options({ provider: 'beta' }));
		assert.equal(result.status, 'failed');
		assert.deepEqual(
			result.attempts.map((a) => a.provider),
			['beta'],
		);
		assert.equal(fa.sends.length, 0);
	});

	test('a connection reset is transient and retried', async () => {
		fa.next({ reset: true });
		const time = fakeTime();
		const result = await sendMessage(smsMessage(), options({}, time));
		assert.equal(result.provider, 'alpha');
		assert.equal(result.attempts[0]!.errorCategory, 'transient');
		assert.deepEqual(time.sleeps, [1000]);
	});

	test('the strategy none never retries', async () => {
		fa.next(errorReply(503, 'down'));
		const time = fakeTime();
		const result = await sendMessage(smsMessage(), options({ retry: { strategy: 'none' } }, time));
		assert.equal(result.provider, 'beta');
		assert.deepEqual(time.sleeps, []);
	});
});

describe('channel failover', () => {
	test('every whatsapp provider failed: re-rendered for sms to the failover address', async () => {
		fw.next(errorReply(400, '131026', { category: 'recipient' }));
		const message = waMessage([{ type: 'text', text: 'Your order shipped' }], { metadata: { failover: { sms: { to: '+15552223333' } } } });
		const result = await sendMessage(message, options());
		assert.equal(result.status, 'queued');
		assert.equal(result.channel, 'sms');
		assert.equal(result.provider, 'alpha');
		assert.deepEqual(
			result.attempts.map((a) => [a.channel, a.provider, a.fallbackReason]),
			[
				['whatsapp', 'wa', null],
				['sms', 'alpha', 'channel_failover: whatsapp → sms (131026)'],
			],
		);
		// WhatsApp got a Cloud API body; the failover an SMS (Twilio-platform) body to the other address.
		assert.equal((fw.sends[0]!.json as { body: { messaging_product: string } }).body.messaging_product, 'whatsapp');
		assert.deepEqual((fa.sends[0]!.json as { body: unknown }).body, { To: '+15552223333', From: '+15550009999', Body: 'Your order shipped' });
	});

	test('a recipient with the phone field is used when no explicit address is given', async () => {
		fw.next(errorReply(500, 'down')).next(errorReply(500, 'down')).next(errorReply(500, 'down'));
		const message = waMessage([{ type: 'text', text: 'hi' }], { recipients: [{ id: '15550001111', phone: '+15550001111' }] });
		const result = await sendMessage(message, options());
		assert.equal(result.channel, 'sms');
		assert.equal((fa.sends[0]!.json as { to: string }).to, '+15550001111');
	});

	test('failover is refused clearly when the message has no address for the other channel', async () => {
		fw.next(errorReply(400, '131026', { category: 'recipient' }));
		const result = await sendMessage(waMessage([{ type: 'text', text: 'hi' }]), options());
		assert.equal(result.status, 'failed');
		assert.equal(result.attempts.length, 1);
		assert.match(result.error!.message, /failover to sms refused: the message has no sms address \(set message\.metadata\.failover\.sms\.to/);
		assert.equal(fa.sends.length, 0);
	});
});

describe('WhatsApp 24-hour window', () => {
	test('window open: the non-template parts are sent, the template is held back', async () => {
		const result = await sendMessage(waMessage([{ type: 'text', text: 'Your table is ready' }, TEMPLATE]), options());
		assert.equal(result.status, 'sent');
		assert.equal(fw.sends.length, 1);
		assert.equal((fw.sends[0]!.json as { body: { type: string } }).body.type, 'text');
	});

	test('window closed: the template alone is sent at once to the same provider', async () => {
		fw.next(errorReply(400, '131047', { category: 'window', message: 'Re-engagement message' }));
		const time = fakeTime();
		const result = await sendMessage(waMessage([{ type: 'text', text: 'Your table is ready' }, TEMPLATE]), options({}, time));
		assert.equal(result.status, 'sent');
		assert.deepEqual(time.sleeps, []);
		assert.deepEqual(
			result.attempts.map((a) => [a.provider, a.errorCode, a.errorCategory, a.fallbackReason]),
			[
				['wa', '131047', 'window', null],
				['wa', null, null, 'outside_window_template'],
			],
		);
		const second = fw.sends[1]!.json as { body: { type: string; template: { name: string } } };
		assert.equal(second.body.type, 'template');
		assert.equal(second.body.template.name, 'appointment_reminder');
		assert.equal(fw.sends.length, 2);
	});

	test('window closed and no template: failed permanently with that reason', async () => {
		fw.next(errorReply(400, '131047', { category: 'window' }));
		const result = await sendMessage(waMessage([{ type: 'text', text: 'hello' }]), options({ routes: options().routes.map((r) => ({ ...r, failoverChannel: undefined })) }));
		assert.equal(result.status, 'failed');
		assert.equal(result.error!.category, 'window');
		assert.equal(result.error!.retryable, false);
		assert.match(result.error!.message, /outside the 24-hour customer-service window and the message has no template part/);
		assert.equal(fw.sends.length, 1);
	});

	test('a template-only message is sent as it is', async () => {
		await sendMessage(waMessage([TEMPLATE]), options());
		assert.equal((fw.sends[0]!.json as { body: { type: string } }).body.type, 'template');
	});
});

describe('dry-run', () => {
	test('validates, renders and returns the preview; nothing is sent and the http client is never called', async () => {
		let calls = 0;
		const spy: HttpClient = async (req) => {
			calls++;
			return undiciHttpClient(req);
		};
		const result = await sendMessage(smsMessage(), options({ dryRun: true, http: spy }));
		assert.equal(result.status, 'dry_run');
		assert.deepEqual(result.attempts, []);
		assert.deepEqual(result.preview, {
			provider: 'alpha',
			channel: 'sms',
			to: '+15550001111',
			payloads: [{ endpoint: 'Messages.json', contentType: 'application/x-www-form-urlencoded', body: { To: '+15550001111', From: '+15550009999', Body: 'Hello there' } }],
		});
		const many = await sendMany([smsMessage(), smsMessage()], options({ dryRun: true, http: spy }));
		assert.deepEqual(
			many.map((r) => r.status),
			['dry_run', 'dry_run'],
		);
		assert.equal(calls, 0);
		assert.equal(fa.requests.length + fb.requests.length + fw.requests.length, 0);
	});

	test('a dry run still validates configs and the message', async () => {
		await assert.rejects(sendMessage(smsMessage(), options({ dryRun: true, routes: [{ channel: 'sms', providers: [{ provider: 'alpha', config: { from: '+1' } }] }] })), InvalidProviderConfigError);
		await assert.rejects(sendMessage({ ...smsMessage(), parts: [] }, options({ dryRun: true })), InvalidMessageError);
		assert.equal(fa.requests.length, 0);
	});
});

describe('sendMany', () => {
	test('results in input order, at most `concurrency` in flight, progress after each', async () => {
		const slow = await new FakeSendApi({ token: SECRET_A, latencyMs: () => 10 + Math.floor(Math.random() * 30) }).start();
		try {
			let inFlight = 0;
			let maxInFlight = 0;
			const http: HttpClient = async (req) => {
				inFlight++;
				maxInFlight = Math.max(maxInFlight, inFlight);
				try {
					return await undiciHttpClient(req);
				} finally {
					inFlight--;
				}
			};
			const progress: Array<[number, number]> = [];
			const messages = Array.from({ length: 20 }, (_, i) => smsMessage({ recipients: [{ id: `+1555000${String(i).padStart(4, '0')}` }] }));
			const results = await sendMany(messages, {
				...options({ http, now: () => new Date(), sleep: undefined, rateLimits: { concurrency: 3, store: new InMemoryRateLimitStore() } }),
				routes: [{ channel: 'sms', providers: [{ provider: 'alpha', config: { token: SECRET_A, from: '+15550009999', baseUrl: slow.url } }] }],
				onProgress: (done, total) => progress.push([done, total]),
			});
			assert.equal(maxInFlight, 3);
			assert.deepEqual(
				progress,
				Array.from({ length: 20 }, (_, i) => [i + 1, 20]),
			);
			// Each result's external id is the one the fake gave to that message's recipient.
			const idByTo = new Map<string, string>();
			slow.sends.forEach((r, i) => idByTo.set((r.json as { to: string }).to, `msg-${i + 1}`));
			assert.deepEqual(
				results.map((r) => r.externalId),
				messages.map((m) => idByTo.get(m.recipients![0]!.id)),
			);
		} finally {
			await slow.stop();
		}
	});

	test('a bad message anywhere throws before any message is sent, naming its index', async () => {
		await assert.rejects(sendMany([smsMessage(), { ...smsMessage(), parts: [] }], options()), (e: unknown) => e instanceof InvalidMessageError && /^messages\[1\]/.test(e.message));
		assert.equal(fa.requests.length, 0);
	});
});

describe('rate limits in the engine', () => {
	test('a sender rule spaces the sends (token bucket, fake clock)', async () => {
		const limited = testProvider('alpha', { rateLimits: [{ scope: 'sender', perSecond: 2, burst: 1, description: 'test' }] });
		const time = fakeTime();
		const results = await sendMany([smsMessage(), smsMessage(), smsMessage()], options({ providers: [limited, beta, wa], rateLimits: { concurrency: 1, store: new InMemoryRateLimitStore() } }, time));
		assert.deepEqual(time.sleeps, [500, 500]);
		assert.deepEqual(
			results.map((r) => r.attempts[0]!.startedAt),
			['2026-06-01T10:00:00.000Z', '2026-06-01T10:00:00.500Z', '2026-06-01T10:00:01.000Z'],
		);
	});

	test('overrides replace the defaults and disabled turns limits off', async () => {
		const limited = testProvider('alpha', { rateLimits: [{ scope: 'provider', perSecond: 1, burst: 1, description: 'test' }] });
		const time = fakeTime();
		await sendMany(
			[smsMessage(), smsMessage()],
			options({ providers: [limited, beta, wa], rateLimits: { concurrency: 1, store: new InMemoryRateLimitStore(), overrides: { alpha: [{ scope: 'provider', perSecond: 4, burst: 1, description: 'x' }] } } }, time),
		);
		assert.deepEqual(time.sleeps, [250]);
		const time2 = fakeTime();
		await sendMany([smsMessage(), smsMessage()], options({ providers: [limited, beta, wa], rateLimits: { concurrency: 1, disabled: true, store: new InMemoryRateLimitStore() } }, time2));
		assert.deepEqual(time2.sleeps, []);
	});
});

describe('typed errors before anything is sent', () => {
	test('no route for the channel', async () => {
		await assert.rejects(sendMessage(smsMessage({ channel: 'telegram' }), options()), (e: unknown) => {
			assert.ok(e instanceof NoRouteError);
			assert.equal(e.channel, 'telegram');
			assert.match(e.message, /routes exist for: sms, whatsapp/);
			return true;
		});
	});

	const bad: Array<[string, Partial<SendOptions>, string]> = [
		['unknown provider', { routes: [{ channel: 'sms', providers: [{ provider: 'nope', config: {} }] }] }, 'routes[0].providers[0].provider'],
		['provider without the channel', { routes: [{ channel: 'sms', providers: [{ provider: 'wa', config: { token: 'x', from: 'y' } }] }] }, 'routes[0].providers[0].provider'],
		['empty providers', { routes: [{ channel: 'sms', providers: [] }] }, 'routes[0].providers'],
		['failover without a route', { routes: [{ channel: 'sms', providers: [{ provider: 'alpha', config: { token: 'x', from: 'y' } }], failoverChannel: 'email' }] }, 'routes[0].failoverChannel'],
		['jitter', { retry: { jitter: 2 } }, 'retry.jitter'],
		['concurrency', { rateLimits: { concurrency: 0 } }, 'rateLimits.concurrency'],
		['override rule', { rateLimits: { overrides: { alpha: [{ scope: 'provider', perSecond: 0, burst: 1, description: '' }] } } }, 'rateLimits.overrides.alpha[0]'],
		['timeout', { timeoutMs: -1 }, 'timeoutMs'],
		['channel', { channel: 'pigeon' as never }, 'channel'],
		['provider override not in route', { provider: 'wa' }, 'provider'],
	];
	for (const [name, extra, field] of bad) {
		test(`InvalidSendOptionsError names ${field} (${name})`, async () => {
			await assert.rejects(sendMessage(smsMessage(), options(extra)), (e: unknown) => {
				assert.ok(e instanceof InvalidSendOptionsError, String(e));
				assert.equal(e.field, field);
				return true;
			});
		});
	}

	test('every account of the route is validated up front (a bad fallback credential throws; nothing sent)', async () => {
		const opts = options();
		opts.routes[0]!.providers[1]!.config = { token: SECRET_B };
		await assert.rejects(sendMessage(smsMessage(), opts), (e: unknown) => {
			assert.ok(e instanceof InvalidProviderConfigError);
			assert.equal(e.field, 'from');
			return true;
		});
		assert.equal(fa.requests.length, 0);
	});
});

describe('secrets', () => {
	test('results, attempts and errors never contain credential values, even when a provider echoes them', async () => {
		fa.next(errorReply(401, 'bad_token', { message: `token ${SECRET_A} is not valid` }));
		fb.next(errorReply(500, 'x', { message: `upstream said Bearer ${SECRET_B}` }))
			.next(errorReply(500, 'x', { message: `upstream said Bearer ${SECRET_B}` }))
			.next(errorReply(500, 'x', { message: `upstream said Bearer ${SECRET_B}` }));
		fw.next(errorReply(400, '131047', { category: 'window', message: `window ${SECRET_W}` }));
		const failed = await sendMessage(smsMessage(), options());
		const waFailed = await sendMessage(waMessage([{ type: 'text', text: 'x' }]), options());
		const dry = await sendMessage(smsMessage(), options({ dryRun: true }));
		const text = JSON.stringify([failed, waFailed, dry]);
		assert.equal(failed.status, 'failed');
		assert.match(failed.attempts[0]!.errorMessage!, /\[redacted\]/);
		for (const secret of [SECRET_A, SECRET_B, SECRET_W]) assert.ok(!text.includes(secret), `result contains ${secret.slice(0, 6)}…`);
		// Config errors name the field, never the value.
		await assert.rejects(sendMessage(smsMessage(), options({ routes: [{ channel: 'sms', providers: [{ provider: 'alpha', config: { token: SECRET_A, from: ' ' } }] }] })), (e: unknown) => {
			assert.ok(!JSON.stringify({ m: (e as Error).message, h: (e as { hint?: string }).hint }).includes(SECRET_A));
			return true;
		});
	});
});
