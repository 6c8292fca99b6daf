/**
 * Webhook signature / auth verification (issue 5) against the shared fixtures: every fixture with an
 * entry in _signatures.json verifies with the TEST-ONLY secrets listed there (SendGrid with the
 * verification key in `_signatures.json → sendgrid._keys`, which the fixtures were signed with); then,
 * per fixture, one changed body byte, a wrong secret, each missing header and (for the timestamped
 * schemes) a stale timestamp fail, and no reason ever carries a secret or a signature.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyWebhook, verificationSupport, VERIFIABLE_PLATFORMS, UNVERIFIABLE_PLATFORMS } from '../../../core/webhooks/verify';
import type { WebhookRequest, WebhookSecrets } from '../../../core/webhooks/types';
import { FIXTURE_DIR, TEST_SECRETS, fixtureBytes } from '../../support/fixtures';

type Entry = Record<string, unknown>;
const SIGNATURES = JSON.parse(readFileSync(join(FIXTURE_DIR, '_signatures.json'), 'utf8')) as Record<string, Record<string, Entry>>;
const SENDGRID_KEYS = SIGNATURES.sendgrid!._keys as Record<string, string>;
const SENDGRID_PUBLIC_KEY = Object.entries(SENDGRID_KEYS).find(([k]) => k.startsWith('verification_key_base64_der'))![1];
const SENDGRID_PRIVATE_KEY = Object.entries(SENDGRID_KEYS).find(([k]) => k.startsWith('test_private_key_pem'))![1];

const FIXED = TEST_SECRETS.fixed_timestamp;
const WINDOW = 300;
const AT_FIXED = { now: new Date(FIXED * 1000), replayWindowSeconds: WINDOW };
const STALE = { now: new Date((FIXED + WINDOW + 1) * 1000), replayWindowSeconds: WINDOW };
const EARLY = { now: new Date((FIXED - WINDOW - 1) * 1000), replayWindowSeconds: WINDOW };
const EDGE = { now: new Date((FIXED + WINDOW) * 1000), replayWindowSeconds: WINDOW };

const BREVO = { username: 'brevo-hook-user', password: 'brevo-hook-pass-9f31', token: 'brevo-hook-bearer-token-77aa' };

const SECRETS: WebhookSecrets = {
	twilio: { authToken: TEST_SECRETS.twilio_auth_token },
	sendgrid: { verificationKey: SENDGRID_PUBLIC_KEY },
	meta: { appSecret: TEST_SECRETS.meta_app_secret },
	slack: { signingSecret: TEST_SECRETS.slack_signing_secret },
	telegram: { secretToken: TEST_SECRETS.telegram_secret_token },
	brevo: BREVO,
	vonage: { signatureSecret: TEST_SECRETS.vonage_signature_secret },
};

/** Strings that must never appear in a reason. */
const SECRET_STRINGS = [
	TEST_SECRETS.twilio_auth_token,
	TEST_SECRETS.slack_signing_secret,
	TEST_SECRETS.meta_app_secret,
	TEST_SECRETS.telegram_secret_token,
	TEST_SECRETS.vonage_signature_secret,
	SENDGRID_PUBLIC_KEY.slice(30, 70),
	BREVO.username,
	BREVO.password,
	BREVO.token,
];
const reasons: string[] = [];
const signatureValues: string[] = [];

interface Case {
	name: string;
	platform: string;
	url: string;
	/** The signature / auth headers, lower-cased, without Content-Type. */
	auth: Record<string, string>;
	contentType: string;
	timestamped: boolean;
}

function platformOf(group: string, name: string): string {
	return group === 'meta' ? name.split('-')[0]! : group;
}

const CASES: Case[] = [];
for (const [group, entries] of Object.entries(SIGNATURES)) {
	if (group === '_about' || group === 'secrets') continue;
	for (const [name, entry] of Object.entries(entries)) {
		if (name.startsWith('_')) continue;
		const platform = platformOf(group, name);
		const auth: Record<string, string> = {};
		for (const [k, v] of Object.entries(entry)) {
			if (typeof v !== 'string' || k === 'url' || k.toLowerCase() === 'content-type') continue;
			auth[k.toLowerCase()] = v;
			signatureValues.push(v);
		}
		CASES.push({
			name,
			platform,
			url: typeof entry.url === 'string' ? entry.url : `https://hooks.example.test/${platform}`,
			auth,
			contentType: name.endsWith('.txt') ? 'application/x-www-form-urlencoded' : 'application/json',
			timestamped: platform === 'slack' || platform === 'sendgrid' || platform === 'vonage',
		});
	}
}

function requestFor(c: Case, overrides: Partial<WebhookRequest> = {}): WebhookRequest {
	return {
		method: 'POST',
		url: c.url,
		headers: { 'content-type': c.contentType, ...c.auth },
		rawBody: fixtureBytes(c.name),
		...overrides,
	};
}

function expectOk(result: ReturnType<typeof verifyWebhook>, label: string): void {
	assert.deepEqual(result, { ok: true }, `${label}: ${result.ok ? '' : result.reason}`);
}

function expectFail(result: ReturnType<typeof verifyWebhook>, label: string, status: 401 | 400 = 401): string {
	assert.equal(result.ok, false, `${label} should fail`);
	if (result.ok) return '';
	assert.equal(result.status, status, `${label}: status (${result.reason})`);
	assert.ok(result.reason.length > 0, `${label}: a reason`);
	reasons.push(result.reason);
	return result.reason;
}

/** One byte of the body changed: an alphanumeric byte near the middle, swapped for another. */
function changeOneByte(body: Buffer): Buffer {
	const copy = Buffer.from(body);
	for (let i = Math.floor(copy.length / 2); i < copy.length; i++) {
		const ch = String.fromCharCode(copy[i]!);
		if (/[A-Za-z0-9]/.test(ch)) {
			copy[i] = ch === 'a' ? 0x62 : 0x61;
			return copy;
		}
	}
	throw new Error('no alphanumeric byte to change');
}

function wrongSecrets(platform: string): WebhookSecrets {
	switch (platform) {
		case 'twilio':
			return { ...SECRETS, twilio: { authToken: `${TEST_SECRETS.twilio_auth_token}x` } };
		case 'sendgrid': {
			const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
			return { ...SECRETS, sendgrid: { verificationKey: other } };
		}
		case 'whatsapp':
		case 'messenger':
		case 'instagram':
			return { ...SECRETS, meta: { appSecret: `${TEST_SECRETS.meta_app_secret}x` } };
		case 'slack':
			return { ...SECRETS, slack: { signingSecret: `${TEST_SECRETS.slack_signing_secret}x` } };
		case 'telegram':
			return { ...SECRETS, telegram: { secretToken: `${TEST_SECRETS.telegram_secret_token}x` } };
		case 'vonage':
			return { ...SECRETS, vonage: { signatureSecret: `${TEST_SECRETS.vonage_signature_secret}x` } };
		default:
			throw new Error(`no wrong secret for ${platform}`);
	}
}

function withoutSecret(platform: string): WebhookSecrets {
	const copy: WebhookSecrets = { ...SECRETS };
	const key = ['whatsapp', 'messenger', 'instagram'].includes(platform) ? 'meta' : (platform as keyof WebhookSecrets);
	delete copy[key];
	return copy;
}

describe('every signed fixture verifies, and each tampering fails', () => {
	test('the fixture set covers every signing scheme', () => {
		const platforms = new Set(CASES.map((c) => c.platform));
		for (const p of ['twilio', 'sendgrid', 'whatsapp', 'messenger', 'instagram', 'slack', 'telegram', 'vonage']) assert.ok(platforms.has(p), p);
		assert.ok(CASES.length >= 65, `found ${CASES.length} signed fixtures`);
	});

	for (const c of CASES) {
		describe(c.name, () => {
			test('verifies with the listed secrets', () => {
				expectOk(verifyWebhook(c.platform, requestFor(c), SECRETS, AT_FIXED), c.name);
				if (c.timestamped) expectOk(verifyWebhook(c.platform, requestFor(c), SECRETS, EDGE), `${c.name} at the window's edge`);
			});

			test('one changed body byte fails', () => {
				if (c.platform === 'telegram') {
					// The secret token is static: it authenticates the sender, not the bytes (providers.md §3.5).
					expectOk(verifyWebhook(c.platform, requestFor(c, { rawBody: changeOneByte(fixtureBytes(c.name)) }), SECRETS, AT_FIXED), c.name);
					return;
				}
				expectFail(verifyWebhook(c.platform, requestFor(c, { rawBody: changeOneByte(fixtureBytes(c.name)) }), SECRETS, AT_FIXED), c.name);
			});

			test('a wrong secret fails', () => {
				expectFail(verifyWebhook(c.platform, requestFor(c), wrongSecrets(c.platform), AT_FIXED), c.name);
			});

			test('a missing secret fails with the documented reason', () => {
				const reason = expectFail(verifyWebhook(c.platform, requestFor(c), withoutSecret(c.platform), AT_FIXED), c.name);
				assert.ok(reason.startsWith(`no ${c.platform} webhook secret configured: `), reason);
			});

			for (const name of Object.keys(c.auth)) {
				test(`a missing ${name} header fails`, () => {
					const headers: Record<string, string> = { 'content-type': c.contentType, ...c.auth };
					delete headers[name];
					if (name === 'x-hub-signature') {
						// The legacy SHA-1 header is not needed (nor trusted on its own): SHA-256 carries the proof.
						expectOk(verifyWebhook(c.platform, requestFor(c, { headers }), SECRETS, AT_FIXED), `${c.name} without ${name}`);
						return;
					}
					const reason = expectFail(verifyWebhook(c.platform, requestFor(c, { headers }), SECRETS, AT_FIXED), `${c.name} without ${name}`);
					assert.match(reason, /missing/i);
				});
			}

			if (c.timestamped) {
				test('a stale timestamp fails (now = fixed + window + 1 s), and one from the future too', () => {
					assert.match(expectFail(verifyWebhook(c.platform, requestFor(c), SECRETS, STALE), `${c.name} stale`), /replay window/);
					assert.match(expectFail(verifyWebhook(c.platform, requestFor(c), SECRETS, EARLY), `${c.name} early`), /replay window/);
				});
			}
		});
	}
});

describe('twilio', () => {
	const inbound = CASES.find((c) => c.name === 'twilio-inbound-sms-text.txt')!;

	test('the default port may be added or dropped; a different port, scheme, path or query fails', () => {
		const ok = ['https://hooks.example.test:443/twilio/inbound'];
		const bad = [
			'https://hooks.example.test:8443/twilio/inbound',
			'http://hooks.example.test/twilio/inbound',
			'https://hooks.example.test/twilio/inbound?x=1',
			'https://hooks.example.test/twilio/inbound/',
			'https://hooks.example.test/twilio/status',
			'https://other.example.test/twilio/inbound',
		];
		for (const url of ok) expectOk(verifyWebhook('twilio', requestFor(inbound, { url }), SECRETS, AT_FIXED), url);
		for (const url of bad) expectFail(verifyWebhook('twilio', requestFor(inbound, { url }), SECRETS, AT_FIXED), url);
	});

	test('a URL signed with its default port verifies without it, and a signed query must be kept', () => {
		const token = 'tok-ports';
		const body = 'MessageSid=SM1&MessageStatus=delivered';
		const sign = (url: string) => createHmac('sha1', token).update(`${url}MessageSidSM1MessageStatusdelivered`).digest('base64');
		const secrets = { twilio: { authToken: token } };
		const req = (url: string, signedUrl: string): WebhookRequest => ({
			method: 'POST',
			url,
			headers: { 'x-twilio-signature': sign(signedUrl) },
			rawBody: Buffer.from(body),
		});
		expectOk(verifyWebhook('twilio', req('https://h.test/cb?a=1', 'https://h.test:443/cb?a=1'), secrets, AT_FIXED), 'drop :443');
		expectOk(verifyWebhook('twilio', req('http://h.test:80/cb', 'http://h.test/cb'), secrets, AT_FIXED), 'drop :80');
		expectOk(verifyWebhook('twilio', req('http://h.test:8080/cb', 'http://h.test:8080/cb'), secrets, AT_FIXED), 'own port');
		expectFail(verifyWebhook('twilio', req('http://h.test:8081/cb', 'http://h.test:8080/cb'), secrets, AT_FIXED), 'other port');
		expectFail(verifyWebhook('twilio', req('http://h.test/cb', 'http://h.test:8080/cb'), secrets, AT_FIXED), 'port dropped');
		expectFail(verifyWebhook('twilio', req('https://h.test/cb', 'https://h.test/cb?a=1'), secrets, AT_FIXED), 'query dropped');
		expectFail(verifyWebhook('twilio', req('https://h.test/cb?a=2', 'https://h.test/cb?a=1'), secrets, AT_FIXED), 'query changed');
	});

	test("Twilio's documented form vector (providers.md §1.6)", () => {
		const body = new URLSearchParams({ CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' }).toString();
		const request: WebhookRequest = {
			method: 'POST',
			url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
			headers: { 'x-twilio-signature': '0/KCTR6DLpKmkAf8muzZqo1nDgQ=' },
			rawBody: Buffer.from(body),
		};
		expectOk(verifyWebhook('twilio', request, { twilio: { authToken: '12345' } }, AT_FIXED), 'doc vector');
		expectFail(verifyWebhook('twilio', { ...request, url: 'https://mycompany.com/myapp.php?foo=1&bar=3' }, { twilio: { authToken: '12345' } }, AT_FIXED), 'doc vector, query changed');
	});

	test('repeated form names: distinct values sorted, each appended with its name', () => {
		const token = 'tok-repeat';
		const url = 'https://h.test/cb';
		const signature = createHmac('sha1', token).update(`${url}Ax1Bb1Bb2`).digest('base64');
		const rawBody = Buffer.from('Bb=2&Ax=1&Bb=1&Bb=2');
		expectOk(verifyWebhook('twilio', { method: 'POST', url, headers: { 'x-twilio-signature': signature }, rawBody }, { twilio: { authToken: token } }, AT_FIXED), 'repeated');
	});

	test('JSON bodies: the URL carries bodySHA256 and is signed alone; the hash must match the raw body', () => {
		const token = 'tok-json';
		const rawBody = Buffer.from('{"CallSid":"CA1234567890ABCDE","Caller":"+12349013030"}');
		const url = `https://h.test/cb?bodySHA256=${createHash('sha256').update(rawBody).digest('hex')}`;
		const headers = { 'x-twilio-signature': createHmac('sha1', token).update(url).digest('base64'), 'content-type': 'application/json' };
		const secrets = { twilio: { authToken: token } };
		expectOk(verifyWebhook('twilio', { method: 'POST', url, headers, rawBody }, secrets, AT_FIXED), 'json');
		expectFail(verifyWebhook('twilio', { method: 'POST', url, headers, rawBody: changeOneByte(rawBody) }, secrets, AT_FIXED), 'json body changed');
		expectFail(verifyWebhook('twilio', { method: 'POST', url: url.replace('h.test', 'h.test:8443'), headers, rawBody }, secrets, AT_FIXED), 'json other port');
		expectFail(verifyWebhook('twilio', { method: 'POST', url, headers, rawBody }, { twilio: { authToken: 'nope' } }, AT_FIXED), 'json wrong token');
	});

	test('a relative URL is a host configuration error (400)', () => {
		expectFail(verifyWebhook('twilio', requestFor(inbound, { url: '/twilio/inbound' }), SECRETS, AT_FIXED), 'relative', 400);
	});
});

describe('sendgrid', () => {
	const delivered = CASES.find((c) => c.name === 'sendgrid-event-delivered.json')!;

	test('the verification key is also accepted as PEM', () => {
		const pem = `-----BEGIN PUBLIC KEY-----\n${SENDGRID_PUBLIC_KEY.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
		expectOk(verifyWebhook('sendgrid', requestFor(delivered), { sendgrid: { verificationKey: pem } }, AT_FIXED), 'pem');
	});

	test('a body signed here with the test private key (what the fake server does) verifies; the timestamp is part of the signature', () => {
		const rawBody = Buffer.from('[{"email":"a@example.test","event":"delivered","sg_message_id":"m1","timestamp":1779981700}]\r\n');
		const ts = String(FIXED);
		const signature = cryptoSign('sha256', Buffer.concat([Buffer.from(ts), rawBody]), SENDGRID_PRIVATE_KEY).toString('base64');
		const headers = { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': ts };
		expectOk(verifyWebhook('sendgrid', { method: 'POST', url: 'https://h.test/sg', headers, rawBody }, SECRETS, AT_FIXED), 'self-signed');
		const shifted = { ...headers, 'x-twilio-email-event-webhook-timestamp': String(FIXED + 1) };
		expectFail(verifyWebhook('sendgrid', { method: 'POST', url: 'https://h.test/sg', headers: shifted, rawBody }, SECRETS, AT_FIXED), 'timestamp changed');
	});

	test('a key that is not P-256 (or not a key) is refused', () => {
		const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
		const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
		for (const verificationKey of [p384, rsa, 'not a key']) {
			assert.match(expectFail(verifyWebhook('sendgrid', requestFor(delivered), { sendgrid: { verificationKey } }, AT_FIXED), 'bad key'), /P-256/);
		}
	});

	test('a garbage signature or timestamp fails', () => {
		const bad = { ...delivered.auth, 'x-twilio-email-event-webhook-signature': 'AAAA' };
		expectFail(verifyWebhook('sendgrid', requestFor(delivered, { headers: bad }), SECRETS, AT_FIXED), 'garbage sig');
		const badTs = { ...delivered.auth, 'x-twilio-email-event-webhook-timestamp': 'yesterday' };
		expectFail(verifyWebhook('sendgrid', requestFor(delivered, { headers: badTs }), SECRETS, AT_FIXED), 'garbage ts');
	});
});

describe('meta', () => {
	const text = CASES.find((c) => c.name === 'whatsapp-message-text.json')!;

	test('the legacy sha1 header alone is not enough; a malformed header fails', () => {
		const headers = { 'x-hub-signature': text.auth['x-hub-signature']! };
		assert.match(expectFail(verifyWebhook('whatsapp', requestFor(text, { headers }), SECRETS, AT_FIXED), 'sha1 only'), /missing X-Hub-Signature-256/);
		const raw = text.auth['x-hub-signature-256']!.slice('sha256='.length);
		expectFail(verifyWebhook('whatsapp', requestFor(text, { headers: { 'x-hub-signature-256': raw } }), SECRETS, AT_FIXED), 'no prefix');
	});

	test('the GET subscription handshake is verified by its hub.verify_token (whatsapp-verification-get.txt)', () => {
		const line = fixtureBytes('whatsapp-verification-get.txt').toString('utf8').split('\n')[0]!;
		const target = line.split(' ')[1]!;
		const get = (url: string): WebhookRequest => ({ method: 'GET', url, headers: { host: 'hooks.example.test' }, rawBody: Buffer.alloc(0) });
		const url = `https://hooks.example.test${target}`;
		const token = new URL(url).searchParams.get('hub.verify_token')!;
		const secrets = { meta: { appSecret: TEST_SECRETS.meta_app_secret, verifyToken: token } };
		for (const platform of ['whatsapp', 'messenger', 'instagram']) expectOk(verifyWebhook(platform, get(url), secrets, AT_FIXED), platform);
		expectOk(verifyWebhook('whatsapp', get(target), secrets, AT_FIXED), 'relative URL');
		const wrong = { meta: { appSecret: TEST_SECRETS.meta_app_secret, verifyToken: `${token}x` } };
		const reason = expectFail(verifyWebhook('whatsapp', get(url), wrong, AT_FIXED), 'wrong verify token');
		assert.ok(!reason.includes(token));
		assert.match(expectFail(verifyWebhook('whatsapp', get(url), { meta: { appSecret: 'x' } }, AT_FIXED), 'no verify token'), /^no whatsapp webhook secret configured: /);
		expectFail(verifyWebhook('whatsapp', get(url.replace(/hub\.verify_token=[^&]*&/, '')), secrets, AT_FIXED), 'token missing');
		expectFail(verifyWebhook('whatsapp', get('https://hooks.example.test/webhooks/whatsapp'), secrets, AT_FIXED), 'plain GET');
	});

	test('header names are matched case-insensitively and upper-case hex is accepted', () => {
		const headers = { 'X-Hub-Signature-256': `sha256=${text.auth['x-hub-signature-256']!.slice(7).toUpperCase()}` };
		expectOk(verifyWebhook('whatsapp', requestFor(text, { headers }), SECRETS, AT_FIXED), 'upper');
	});
});

describe('slack', () => {
	const channel = CASES.find((c) => c.name === 'slack-event-message-channel.json')!;

	test('a changed timestamp header breaks the signature even inside the window', () => {
		const headers = { ...channel.auth, 'x-slack-request-timestamp': String(FIXED + 1) };
		assert.match(expectFail(verifyWebhook('slack', requestFor(channel, { headers }), SECRETS, AT_FIXED), 'ts changed'), /does not match/);
	});

	test('the window comes from the options', () => {
		const wide = { now: STALE.now, replayWindowSeconds: WINDOW + 10 };
		expectOk(verifyWebhook('slack', requestFor(channel), SECRETS, wide), 'wider window');
	});
});

describe('vonage', () => {
	const secret = TEST_SECRETS.vonage_signature_secret;
	const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
	function jwt(claims: Record<string, unknown>, options: { alg?: string; key?: string } = {}): string {
		const head = b64({ alg: options.alg ?? 'HS256', typ: 'JWT' });
		const body = b64(claims);
		return `${head}.${body}.${createHmac('sha256', options.key ?? secret).update(`${head}.${body}`).digest('base64url')}`;
	}
	const rawBody = Buffer.from('{"message_uuid":"u1","status":"delivered"}');
	const hash = createHash('sha256').update(rawBody).digest('hex');
	const req = (token: string): WebhookRequest => ({ method: 'POST', url: 'https://h.test/v', headers: { authorization: `Bearer ${token}` }, rawBody });

	test('a JWT made here verifies; iat is optional', () => {
		expectOk(verifyWebhook('vonage', req(jwt({ iat: FIXED, payload_hash: hash })), SECRETS, AT_FIXED), 'with iat');
		expectOk(verifyWebhook('vonage', req(jwt({ payload_hash: hash })), SECRETS, AT_FIXED), 'without iat');
	});

	test('alg none / RS256, a foreign key, a wrong or absent payload_hash, an expired token fail', () => {
		const head = b64({ alg: 'none', typ: 'JWT' });
		expectFail(verifyWebhook('vonage', req(`${head}.${b64({ payload_hash: hash })}.`), SECRETS, AT_FIXED), 'alg none');
		expectFail(verifyWebhook('vonage', req(jwt({ payload_hash: hash }, { alg: 'RS256' })), SECRETS, AT_FIXED), 'alg RS256');
		expectFail(verifyWebhook('vonage', req(jwt({ payload_hash: hash }, { key: 'other' })), SECRETS, AT_FIXED), 'other key');
		expectFail(verifyWebhook('vonage', req(jwt({ payload_hash: '0'.repeat(64) })), SECRETS, AT_FIXED), 'wrong hash');
		expectFail(verifyWebhook('vonage', req(jwt({ iat: FIXED })), SECRETS, AT_FIXED), 'no hash');
		expectFail(verifyWebhook('vonage', req(jwt({ payload_hash: hash, exp: FIXED - 1 })), SECRETS, AT_FIXED), 'expired');
		expectFail(verifyWebhook('vonage', req('not-a-jwt'), SECRETS, AT_FIXED), 'not a jwt');
		const basic: WebhookRequest = { ...req('x'), headers: { authorization: 'Basic dXNlcjpwYXNz' } };
		expectFail(verifyWebhook('vonage', basic, SECRETS, AT_FIXED), 'basic');
	});
});

describe('brevo', () => {
	const body = fixtureBytes('brevo-webhook-delivered.json');
	const req = (authorization?: string): WebhookRequest => ({
		method: 'POST',
		url: 'https://h.test/brevo',
		headers: authorization === undefined ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', authorization },
		rawBody: body,
	});
	const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

	test('Basic and Bearer credentials that match verify', () => {
		expectOk(verifyWebhook('brevo', req(basic(BREVO.username, BREVO.password)), SECRETS, AT_FIXED), 'basic');
		expectOk(verifyWebhook('brevo', req(`Bearer ${BREVO.token}`), SECRETS, AT_FIXED), 'bearer');
		expectOk(verifyWebhook('brevo', req(`bearer ${BREVO.token}`), SECRETS, AT_FIXED), 'bearer, lower-case scheme');
	});

	test('wrong user, wrong password, wrong token, a missing header, another scheme fail', () => {
		expectFail(verifyWebhook('brevo', req(basic('someone', BREVO.password)), SECRETS, AT_FIXED), 'user');
		expectFail(verifyWebhook('brevo', req(basic(BREVO.username, 'nope')), SECRETS, AT_FIXED), 'password');
		expectFail(verifyWebhook('brevo', req(`Bearer ${BREVO.token}x`), SECRETS, AT_FIXED), 'token');
		assert.match(expectFail(verifyWebhook('brevo', req(), SECRETS, AT_FIXED), 'missing'), /missing Authorization/);
		expectFail(verifyWebhook('brevo', req(`Digest ${BREVO.token}`), SECRETS, AT_FIXED), 'digest');
		expectFail(verifyWebhook('brevo', req('Basic bm9jb2xvbg=='), SECRETS, AT_FIXED), 'no colon');
	});

	test('only the configured kind is accepted', () => {
		const tokenOnly = { brevo: { token: BREVO.token } };
		expectFail(verifyWebhook('brevo', req(basic(BREVO.username, BREVO.password)), tokenOnly, AT_FIXED), 'basic vs token-only');
		const basicOnly = { brevo: { username: BREVO.username, password: BREVO.password } };
		expectFail(verifyWebhook('brevo', req(`Bearer ${BREVO.token}`), basicOnly, AT_FIXED), 'bearer vs basic-only');
		// An empty token does not count as configured, so an empty bearer never passes.
		expectFail(verifyWebhook('brevo', req('Bearer '), { brevo: { token: '' } }, AT_FIXED), 'empty config');
	});

	test('nothing configured is a missing secret', () => {
		assert.match(expectFail(verifyWebhook('brevo', req(`Bearer ${BREVO.token}`), {}, AT_FIXED), 'none'), /^no brevo webhook secret configured: /);
	});
});

describe('telegram', () => {
	test('a prefix or extension of the token fails', () => {
		const c = CASES.find((x) => x.platform === 'telegram')!;
		for (const value of [TEST_SECRETS.telegram_secret_token.slice(0, -1), `${TEST_SECRETS.telegram_secret_token}0`, '']) {
			expectFail(verifyWebhook('telegram', requestFor(c, { headers: { 'x-telegram-bot-api-secret-token': value } }), SECRETS, AT_FIXED), `token ${value.length}`);
		}
	});
});

describe('platforms without a scheme', () => {
	test('teams and googlechat are refused with a reason that says why (their JWT keys live on the internet)', () => {
		for (const platform of ['teams', 'googlechat']) {
			const request: WebhookRequest = {
				method: 'POST',
				url: `https://h.test/${platform}`,
				headers: { authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln' },
				rawBody: fixtureBytes(platform === 'teams' ? 'teams-activity-message-personal.json' : 'googlechat-event-message.json'),
			};
			const reason = expectFail(verifyWebhook(platform, request, SECRETS, AT_FIXED), platform);
			assert.match(reason, /cannot be verified here/);
			assert.match(reason, /switch verification off/);
			assert.equal(verificationSupport(platform), 'unverifiable');
		}
		assert.deepEqual([...UNVERIFIABLE_PLATFORMS].sort(), ['googlechat', 'teams']);
	});

	test('custom and unknown platforms get 400', () => {
		for (const platform of ['custom', 'nope']) {
			expectFail(verifyWebhook(platform, { method: 'POST', url: 'https://h.test/x', headers: {}, rawBody: Buffer.alloc(0) }, SECRETS, AT_FIXED), platform, 400);
			assert.equal(verificationSupport(platform), 'none');
		}
		assert.deepEqual([...VERIFIABLE_PLATFORMS].sort(), ['brevo', 'instagram', 'messenger', 'sendgrid', 'slack', 'telegram', 'twilio', 'vonage', 'whatsapp']);
	});
});

test('no reason contains a secret or a signature (checked over every failure above)', () => {
	assert.ok(reasons.length > 300, `collected ${reasons.length} reasons`);
	const forbidden = [...SECRET_STRINGS, ...signatureValues.flatMap((v) => [v, v.replace(/^(sha256=|sha1=|v0=|Bearer )/, '').slice(0, 24)])];
	for (const reason of reasons) {
		for (const secret of forbidden) assert.ok(!reason.includes(secret), `reason "${reason}" contains a secret or signature`);
	}
});
