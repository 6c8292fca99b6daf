/**
 * handleWebhook (core/webhooks/index.ts): the one call the Delivery Webhook hosts make per request.
 * Signed fixtures (test/fixtures/providers, signatures from _signatures.json made with TEST-ONLY
 * secrets) are accepted and normalized; a changed byte, a wrong secret, a stale timestamp or a missing
 * header → 401 with nothing emitted and nothing written; handshakes are answered; the size limit and
 * "verification off" behave as documented; with a real embedded Schedule Queue, a delivery event moves
 * a sent message forward.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { normalize } from '../../../core/normalize';
import { openQueue, type ScheduleQueue } from '../../../core/queue';
import { QueueStore } from '../../../core/queue/store';
import type { DeliveryEvent } from '../../../core/schema/message';
import { detectPlatformFromHeaders, handleWebhook } from '../../../core/webhooks';
import type { EventOutcome, WebhookRequest, WebhookSecrets } from '../../../core/webhooks/types';
import { FIXTURE_DIR, TEST_SECRETS, fixtureBytes, fixtureNames, fixtureRequest, fixtureSignature } from '../../support/fixtures';

const signatures = JSON.parse(readFileSync(join(FIXTURE_DIR, '_signatures.json'), 'utf8')) as Record<string, Record<string, unknown>>;
const SENDGRID_KEY = Object.entries((signatures.sendgrid!._keys ?? {}) as Record<string, string>).find(([k]) => k.startsWith('verification_key'))![1];
const NOW = new Date(TEST_SECRETS.fixed_timestamp * 1000 + 5_000);
const now = () => NOW;
const BREVO_TOKEN = 'test-brevo-webhook-token-0123';
const META_VERIFY_TOKEN = 'local-verify-token-123';

const SECRETS: WebhookSecrets = {
	twilio: { authToken: TEST_SECRETS.twilio_auth_token },
	sendgrid: { verificationKey: SENDGRID_KEY },
	meta: { appSecret: TEST_SECRETS.meta_app_secret, verifyToken: META_VERIFY_TOKEN },
	slack: { signingSecret: TEST_SECRETS.slack_signing_secret },
	telegram: { secretToken: TEST_SECRETS.telegram_secret_token },
	brevo: { token: BREVO_TOKEN },
	vonage: { signatureSecret: TEST_SECRETS.vonage_signature_secret },
};

const DEFAULT_URL = 'https://hooks.example.test/switchboard/webhook';

/** The WebhookRequest a host builds for a fixture: raw bytes, lower-case headers, the URL the provider called. */
function webhookRequest(name: string, overrides: { body?: Buffer; headers?: Record<string, string> } = {}): WebhookRequest {
	const headers: Record<string, string> = { 'content-type': name.endsWith('.txt') ? 'application/x-www-form-urlencoded' : 'application/json' };
	let url = DEFAULT_URL;
	for (const [key, value] of Object.entries(fixtureSignature(name))) {
		if (key === 'url') url = value;
		else headers[key.toLowerCase()] = value;
	}
	if (name.startsWith('brevo-')) headers.authorization = `Bearer ${BREVO_TOKEN}`;
	return { method: 'POST', url, headers: { ...headers, ...(overrides.headers ?? {}) }, rawBody: overrides.body ?? fixtureBytes(name) };
}

/** Fixtures that carry a signature in _signatures.json, plus Brevo's (auth header made here). */
function signedFixtures(): string[] {
	return fixtureNames().filter((name) => Object.keys(fixtureSignature(name)).length > 0 || name.startsWith('brevo-webhook-'));
}

function flipByte(bytes: Buffer): Buffer {
	const copy = Buffer.from(bytes);
	// A byte inside the body that keeps it parseable: change a digit or a letter.
	for (let i = Math.floor(copy.length / 2); i < copy.length; i++) {
		const c = copy[i]!;
		if (c >= 0x30 && c <= 0x38) {
			copy[i] = c + 1;
			return copy;
		}
		if (c >= 0x61 && c <= 0x79) {
			copy[i] = c + 1;
			return copy;
		}
	}
	copy[copy.length - 2] = copy[copy.length - 2]! ^ 1;
	return copy;
}

/** A queue double that only records what it was asked to write. */
function spyQueue(outcome: EventOutcome = 'applied'): { queue: ScheduleQueue; calls: DeliveryEvent[][] } {
	const calls: DeliveryEvent[][] = [];
	const queue = {
		async recordEvents(events: DeliveryEvent[]): Promise<EventOutcome[]> {
			calls.push(events);
			return events.map(() => outcome);
		},
	} as unknown as ScheduleQueue;
	return { queue, calls };
}

describe('handleWebhook: signed fixtures', () => {
	const names = signedFixtures();

	test('the fixture set covers every verified provider', () => {
		const platforms = new Set(names.map((n) => n.split('-')[0]));
		for (const p of ['twilio', 'sendgrid', 'whatsapp', 'messenger', 'instagram', 'slack', 'telegram', 'brevo', 'vonage']) assert.ok(platforms.has(p), `fixtures for ${p}`);
		assert.ok(names.length >= 60, `${names.length} signed fixtures`);
	});

	for (const name of names) {
		test(`${name}: accepted with the platform detected from its headers, same output as normalize()`, async () => {
			const { queue, calls } = spyQueue();
			const result = await handleWebhook(webhookRequest(name), { secrets: SECRETS, now, queue });
			assert.equal(result.reason, null);
			assert.equal(result.accepted, true);
			assert.equal(result.unverified, false);
			const expected = normalize(fixtureRequest(name), { now });
			assert.equal(result.platform, expected.platform);
			if (expected.handshake) {
				assert.deepEqual(result.response, expected.handshake.response);
				assert.equal(calls.length, 0);
				return;
			}
			assert.equal(result.response.status, 200);
			assert.deepEqual(JSON.parse(JSON.stringify(result.events)), JSON.parse(JSON.stringify(expected.events)));
			assert.deepEqual(JSON.parse(JSON.stringify(result.messages)), JSON.parse(JSON.stringify(expected.messages)));
			assert.equal(result.events.length + result.messages.length > 0, true, 'something is emitted');
			assert.deepEqual(result.outcomes, result.events.map(() => 'applied'));
			assert.equal(calls.length, result.events.length > 0 ? 1 : 0, 'the store is called once per request with events');
		});

		test(`${name}: one changed byte → 401, nothing emitted, nothing written`, async () => {
			const { queue, calls } = spyQueue();
			const request = webhookRequest(name);
			const result = await handleWebhook({ ...request, rawBody: flipByte(request.rawBody) }, { secrets: SECRETS, now, queue });
			if (name.startsWith('telegram-') || name.startsWith('brevo-')) {
				// A static secret header / bearer token does not cover the body: a changed byte still verifies.
				assert.equal(result.accepted, true);
				return;
			}
			assert.equal(result.response.status, 401, result.reason ?? '');
			assert.equal(result.accepted, false);
			assert.deepEqual([result.events, result.messages, result.outcomes], [[], [], []]);
			assert.equal(calls.length, 0);
			assert.ok(result.reason && result.reason.length > 0);
		});
	}

	test('a wrong secret fails for every scheme', async () => {
		const wrong: WebhookSecrets = {
			twilio: { authToken: 'wrong-token' },
			sendgrid: { verificationKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEBtzsk8eciZGGdqskSd/MaU8eXc5bmqIGWvaKEdm3Do3qUWOfYuBmY/eTGhnzrwTCgcwaquxM9N6AOHMusLPwFA==' },
			meta: { appSecret: 'wrong-app-secret' },
			slack: { signingSecret: 'wrong-signing-secret' },
			telegram: { secretToken: 'wrong-secret-token' },
			brevo: { token: 'wrong-brevo-token' },
			vonage: { signatureSecret: 'wrong-vonage-signature-secret-0123456789' },
		};
		for (const name of ['twilio-status-delivered.txt', 'sendgrid-event-delivered.json', 'whatsapp-status-read.json', 'messenger-webhook-delivery.json', 'slack-event-message-im.json', 'telegram-update-message-text.json', 'brevo-webhook-delivered.json', 'vonage-status-delivered.json']) {
			const { queue, calls } = spyQueue();
			const result = await handleWebhook(webhookRequest(name), { secrets: wrong, now, queue });
			assert.equal(result.response.status, 401, `${name}: ${result.reason}`);
			assert.equal(result.accepted, false);
			assert.equal(result.events.length + result.messages.length, 0);
			assert.equal(calls.length, 0);
			for (const secret of Object.values(wrong).flatMap((s) => Object.values(s as object))) assert.ok(!result.reason!.includes(String(secret)), 'the reason never holds a secret');
		}
	});

	test('no secret configured for the detected platform → 401', async () => {
		const result = await handleWebhook(webhookRequest('twilio-status-delivered.txt'), { secrets: { telegram: SECRETS.telegram! }, now });
		assert.equal(result.response.status, 401);
		assert.match(result.reason!, /twilio/);
	});

	test('stale timestamps (Slack, SendGrid, Vonage) are outside the replay window → 401', async () => {
		const late = () => new Date(TEST_SECRETS.fixed_timestamp * 1000 + 301_000);
		for (const name of ['slack-event-message-im.json', 'sendgrid-event-delivered.json', 'vonage-status-delivered.json']) {
			const result = await handleWebhook(webhookRequest(name), { secrets: SECRETS, now: late });
			assert.equal(result.response.status, 401, name);
			assert.equal(result.accepted, false);
			const wide = await handleWebhook(webhookRequest(name), { secrets: SECRETS, now: late, replayWindowSeconds: 600 });
			assert.equal(wide.accepted, true, `${name} within a 600 s window: ${wide.reason}`);
		}
	});

	test('a request without any signature header → 401 (the body alone never picks the scheme)', async () => {
		const request = webhookRequest('twilio-status-delivered.txt');
		delete request.headers['x-twilio-signature'];
		const result = await handleWebhook(request, { secrets: SECRETS, now });
		assert.equal(result.response.status, 401);
		assert.equal(result.platform, null);
		assert.deepEqual(result.events, []);
	});

	test('a Telegram body with a valid Telegram secret but forced to the endpoint platform "twilio" → 401', async () => {
		const result = await handleWebhook(webhookRequest('telegram-update-message-text.json'), { platform: 'twilio', secrets: SECRETS, now });
		assert.equal(result.response.status, 401);
		assert.equal(result.platform, 'twilio');
	});

	test('a body of one platform signed with another platform\'s header is read as the signed platform only', async () => {
		// Valid Telegram secret header, but a Twilio form body: verified as Telegram, then read as Telegram → 400.
		const request = webhookRequest('twilio-status-delivered.txt', { headers: { 'x-telegram-bot-api-secret-token': TEST_SECRETS.telegram_secret_token } });
		delete request.headers['x-twilio-signature'];
		const { queue, calls } = spyQueue();
		const result = await handleWebhook(request, { secrets: SECRETS, now, queue });
		assert.equal(result.accepted, false);
		assert.equal(result.response.status, 400);
		assert.equal(calls.length, 0);
	});

	test('an explicit platform verifies with that scheme', async () => {
		const result = await handleWebhook(webhookRequest('whatsapp-status-delivered.json'), { platform: 'whatsapp', secrets: SECRETS, now });
		assert.equal(result.accepted, true);
		assert.equal(result.events[0]!.status, 'delivered');
		const messenger = await handleWebhook(webhookRequest('messenger-webhook-delivery.json'), { platform: 'messenger', secrets: SECRETS, now });
		assert.equal(messenger.accepted, true);
		assert.equal(messenger.platform, 'messenger');
	});
});

describe('handleWebhook: handshakes', () => {
	const get = (query: string): WebhookRequest => ({ method: 'GET', url: `https://hooks.example.test/webhooks/whatsapp?${query}`, headers: { host: 'hooks.example.test' }, rawBody: Buffer.alloc(0) });

	test('Meta GET with the configured verify token → 200 with the bare challenge', async () => {
		const result = await handleWebhook(get('hub.mode=subscribe&hub.verify_token=local-verify-token-123&hub.challenge=1158201444'), { secrets: SECRETS, now });
		assert.deepEqual(result.response, { status: 200, contentType: 'text/plain; charset=utf-8', body: '1158201444' });
		assert.equal(result.accepted, true);
		assert.equal(result.platform, 'whatsapp');
		assert.deepEqual([result.events, result.messages], [[], []]);
	});

	test('the same through an endpoint set to messenger or instagram', async () => {
		for (const platform of ['messenger', 'instagram']) {
			const result = await handleWebhook(get('hub.mode=subscribe&hub.verify_token=local-verify-token-123&hub.challenge=42'), { platform, secrets: SECRETS, now });
			assert.equal(result.response.body, '42');
			assert.equal(result.platform, platform);
		}
	});

	test('Meta GET with a wrong verify token → 403, or with no verify token configured → 403', async () => {
		const wrong = await handleWebhook(get('hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444'), { secrets: SECRETS, now });
		assert.equal(wrong.response.status, 403);
		assert.equal(wrong.accepted, false);
		assert.ok(!wrong.response.body.includes('1158201444'));
		const none = await handleWebhook(get('hub.mode=subscribe&hub.verify_token=local-verify-token-123&hub.challenge=1'), { secrets: { meta: { appSecret: 'x' } }, now });
		assert.equal(none.response.status, 403);
	});

	test('Meta GET with verification off and no token configured is answered, flagged unverified', async () => {
		const result = await handleWebhook(get('hub.mode=subscribe&hub.verify_token=anything&hub.challenge=7'), { secrets: {}, verify: false, now });
		assert.equal(result.response.body, '7');
		assert.equal(result.unverified, true);
	});

	test('Slack url_verification is answered only after its signature verified', async () => {
		const ok = await handleWebhook(webhookRequest('slack-event-url-verification.json'), { secrets: SECRETS, now });
		assert.equal(ok.response.status, 200);
		assert.match(ok.response.body, /3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P/);
		assert.equal(ok.platform, 'slack');
		assert.deepEqual([ok.events, ok.messages], [[], []]);

		const forged = await handleWebhook(webhookRequest('slack-event-url-verification.json', { headers: { 'x-slack-signature': 'v0=' + '0'.repeat(64) } }), { secrets: SECRETS, now });
		assert.equal(forged.response.status, 401);
		assert.ok(!forged.response.body.includes('3eZbrw'));
	});
});

describe('handleWebhook: limits, verification off, answers', () => {
	test('a body over maxBodyBytes → 413 before anything is read', async () => {
		const { queue, calls } = spyQueue();
		const request = webhookRequest('whatsapp-status-delivered.json');
		const result = await handleWebhook(request, { secrets: SECRETS, now, queue, maxBodyBytes: request.rawBody.length - 1 });
		assert.equal(result.response.status, 413);
		assert.equal(result.accepted, false);
		assert.equal(calls.length, 0);
		const exact = await handleWebhook(request, { secrets: SECRETS, now, maxBodyBytes: request.rawBody.length });
		assert.equal(exact.accepted, true);
		const big = await handleWebhook({ ...request, rawBody: Buffer.alloc(1024 * 1024 + 1, 0x20) }, { secrets: SECRETS, now });
		assert.equal(big.response.status, 413, 'default limit 1 MiB');
	});

	test('verification switched off: accepted without any header, flagged unverified; platform from the body', async () => {
		const request = webhookRequest('twilio-status-delivered.txt');
		delete request.headers['x-twilio-signature'];
		const result = await handleWebhook(request, { secrets: {}, verify: false, now });
		assert.equal(result.accepted, true);
		assert.equal(result.unverified, true);
		assert.equal(result.platform, 'twilio');
		assert.equal(result.events[0]!.status, 'delivered');
		const forged = await handleWebhook(webhookRequest('whatsapp-status-read.json', { headers: { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } }), { secrets: SECRETS, verify: false, now });
		assert.equal(forged.accepted, true, 'a bad signature is not checked when verification is off');
		assert.equal(forged.unverified, true);
	});

	test('each provider gets the answer it expects', async () => {
		const twilio = await handleWebhook(webhookRequest('twilio-inbound-sms-text.txt'), { secrets: SECRETS, now });
		assert.equal(twilio.response.status, 200);
		assert.match(twilio.response.contentType, /^text\/xml/);
		assert.match(twilio.response.body, /<Response\/>$/);
		assert.equal(twilio.messages.length, 1);
		const slack = await handleWebhook(webhookRequest('slack-event-message-im.json'), { secrets: SECRETS, now });
		assert.deepEqual([slack.response.status, slack.response.body], [200, '']);
		const telegram = await handleWebhook(webhookRequest('telegram-update-message-text.json'), { secrets: SECRETS, now });
		assert.deepEqual([telegram.response.status, telegram.response.body], [200, '']);
		const meta = await handleWebhook(webhookRequest('whatsapp-status-sent.json'), { secrets: SECRETS, now });
		assert.deepEqual([meta.response.status, meta.response.body], [200, 'OK']);
	});

	test('a queue that cannot record events → 503 and nothing emitted (the provider retries)', async () => {
		const result = await handleWebhook(webhookRequest('whatsapp-status-delivered.json'), { secrets: SECRETS, now, queue: {} as ScheduleQueue });
		assert.equal(result.response.status, 503);
		assert.equal(result.accepted, false);
		assert.deepEqual(result.events, []);
		const failing = {
			async recordEvents() {
				throw new Error('disk full');
			},
		} as unknown as ScheduleQueue;
		const broken = await handleWebhook(webhookRequest('whatsapp-status-delivered.json'), { secrets: SECRETS, now, queue: failing });
		assert.equal(broken.response.status, 503);
		assert.match(broken.reason!, /disk full/);
	});

	test('headers alone name the platform', () => {
		const at = (headers: Record<string, string>, method = 'POST', url = DEFAULT_URL) => detectPlatformFromHeaders({ method, url, headers });
		assert.equal(at({ 'x-twilio-signature': 'x' }), 'twilio');
		assert.equal(at({ 'x-twilio-email-event-webhook-signature': 'x' }), 'sendgrid');
		assert.equal(at({ 'x-hub-signature-256': 'sha256=x' }), 'whatsapp');
		assert.equal(at({ 'x-slack-signature': 'v0=x' }), 'slack');
		assert.equal(at({ 'x-telegram-bot-api-secret-token': 'x' }), 'telegram');
		assert.equal(at({ authorization: 'Basic dXNlcjpwYXNz' }), 'brevo');
		assert.equal(at({ authorization: 'Bearer opaque-token' }), 'brevo');
		assert.equal(at({ authorization: String(fixtureSignature('vonage-status-read.json').Authorization) }), 'vonage');
		assert.equal(at({}, 'GET', `${DEFAULT_URL}?hub.mode=subscribe&hub.challenge=1`), 'whatsapp');
		assert.equal(at({ 'content-type': 'application/json' }), undefined);
	});
});

describe('handleWebhook with a real embedded Schedule Queue', () => {
	const dirs: string[] = [];
	after(() => {
		for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
	});

	async function sentMessage(queue: ScheduleQueue, externalId: string, channel: 'sms' | 'whatsapp' | 'email' = 'sms') {
		const { message } = await queue.enqueue({ channel, recipient: '+14255550177', body: 'Your appointment is tomorrow', status: 'approved', sendTime: new Date(NOW.getTime() - 60_000) });
		const claimed = await queue.claimDue({});
		assert.equal(claimed[0]?.id, message.id);
		return await queue.complete(message.id, { provider: 'twilio', externalId });
	}

	test('a signed Twilio "delivered" callback moves the sent message to delivered; a forged one writes nothing', async (t) => {
		if (typeof (QueueStore.prototype as { recordEvents?: unknown }).recordEvents !== 'function') {
			t.skip('the Schedule Queue has no recordEvents yet');
			return;
		}
		const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-webhook-queue-'));
		dirs.push(dataDir);
		const queue = await openQueue({ connection: { kind: 'embedded', dataDir }, now });
		try {
			const body = fixtureBytes('twilio-status-delivered.txt').toString('utf8');
			const sid = new URLSearchParams(body).get('MessageSid')!;
			const sent = await sentMessage(queue, sid);
			assert.equal(sent.status, 'sent');

			const forged = await handleWebhook(webhookRequest('twilio-status-delivered.txt', { headers: { 'x-twilio-signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' } }), { secrets: SECRETS, now, queue });
			assert.equal(forged.response.status, 401);
			assert.equal((await queue.get(sent.id))!.status, 'sent', 'a forged callback writes nothing');

			const result = await handleWebhook(webhookRequest('twilio-status-delivered.txt'), { secrets: SECRETS, now, queue });
			assert.equal(result.accepted, true, result.reason ?? '');
			assert.deepEqual(result.outcomes, ['applied']);
			assert.equal((await queue.get(sent.id))!.status, 'delivered');

			const again = await handleWebhook(webhookRequest('twilio-status-delivered.txt'), { secrets: SECRETS, now, queue });
			assert.equal(again.accepted, true);
			assert.notDeepEqual(again.outcomes, ['applied'], 'the same callback twice is not applied twice');
			assert.equal((await queue.get(sent.id))!.status, 'delivered');

			const late = await handleWebhook(webhookRequest('twilio-status-sent.txt'), { secrets: SECRETS, now, queue });
			assert.equal(late.accepted, true);
			assert.equal((await queue.get(sent.id))!.status, 'delivered', 'a late "sent" changes nothing');
		} finally {
			await queue.close();
		}
	});

	test('a WhatsApp "read" status for a message nobody sent is kept as an orphan', async (t) => {
		const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-webhook-orphan-'));
		dirs.push(dataDir);
		if (typeof (QueueStore.prototype as { recordEvents?: unknown }).recordEvents !== 'function') {
			t.skip('the Schedule Queue has no recordEvents yet');
			return;
		}
		const queue = await openQueue({ connection: { kind: 'embedded', dataDir }, now });
		try {
			const result = await handleWebhook(webhookRequest('whatsapp-status-read.json'), { secrets: SECRETS, now, queue });
			assert.equal(result.accepted, true, result.reason ?? '');
			assert.deepEqual(result.outcomes, ['orphaned']);
		} finally {
			await queue.close();
		}
	});
});
