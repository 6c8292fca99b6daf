/**
 * Issue 4: secrets never appear in node output, error messages, logs or the delivery log. The worst
 * case for every provider at once: an API that answers every request with an error ECHOING what it
 * received — the URL (Telegram puts the token there), every header (Authorization, api-key) and the
 * body. Each provider sends through the real engine and through sendClaimed into a real queue; the
 * result, every attempt, every error text and both queue tables are scanned for each secret value,
 * and for the exact credential-bearing header values and URLs the fake saw.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openQueue, type ScheduleQueue } from '../../../core/queue';
import { internalSqlClient } from '../../../core/queue/store';
import { PROVIDERS } from '../../../core/providers/registry';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import { InMemoryRateLimitStore, sendClaimed, sendMessage, type SendOptions } from '../../../core/send';
import { MESSAGE_SCHEMA_ID, type Channel } from '../../../core/schema/message';
import { FakeServer, type RecordedRequest } from '../../support/fakes/server';

let echo: FakeServer;
let dir: string;
let queue: ScheduleQueue;

before(async () => {
	// Answers everything with 401 and the request it received, like a careless gateway would.
	const mirror = (r: RecordedRequest) => ({ status: 401, body: { error: { message: `rejected ${r.method} ${r.url}`, headers: r.headers, body: r.body }, echo: r.url } });
	echo = await new FakeServer(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((method) => ({ method, path: /.*/, handler: mirror }))).start();
	dir = mkdtempSync(join(tmpdir(), 'switchboard-secrets-'));
	queue = await openQueue({ connection: { kind: 'embedded', dataDir: join(dir, 'queue') } });
});
after(async () => {
	await queue?.close();
	await echo?.stop();
	rmSync(dir, { recursive: true, force: true });
});

const serviceAccountKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A valid credential per provider whose secret values are unique, recognisable strings. */
function accountFor(id: string, base: string): { config: Record<string, unknown>; to: string; channel: Channel; secrets: string[] } {
	const s = (name: string) => `s3cr3t${id}${name}Zq7`;
	switch (id) {
		case 'twilio':
			return { config: { accountSid: `AC${'1'.repeat(32)}`, authToken: s('token'), from: '+15550009999', baseUrl: base }, to: '+15550001111', channel: 'sms', secrets: [s('token')] };
		case 'vonage':
			return { config: { apiKey: 'abcd1234', apiSecret: s('secret'), from: '15550009999', baseUrl: base }, to: '15550001111', channel: 'sms', secrets: [s('secret')] };
		case 'sendgrid':
			return { config: { apiKey: `SG.${s('key')}`, fromEmail: 'ops@example.com', baseUrl: base }, to: 'ann@example.com', channel: 'email', secrets: [`SG.${s('key')}`] };
		case 'brevo':
			return { config: { apiKey: `xkeysib-${s('key')}`, fromEmail: 'ops@example.com', baseUrl: base }, to: 'ann@example.com', channel: 'email', secrets: [`xkeysib-${s('key')}`] };
		case 'whatsapp':
			return { config: { accessToken: s('token'), phoneNumberId: '123456789012345', baseUrl: base }, to: '15550001111', channel: 'whatsapp', secrets: [s('token')] };
		case 'telegram':
			return { config: { botToken: `123456789:${s('token')}`, baseUrl: base }, to: '987654321', channel: 'telegram', secrets: [`123456789:${s('token')}`, s('token')] };
		case 'slack':
			return { config: { botToken: `xoxb-${s('token')}`, baseUrl: base }, to: 'C0123456789', channel: 'slack', secrets: [`xoxb-${s('token')}`] };
		case 'teams':
			return {
				config: { mode: 'graph', tenantId: '11111111-1111-4111-8111-111111111111', clientId: '22222222-2222-4222-8222-222222222222', clientSecret: s('secret'), baseUrl: base },
				to: '19:chat@thread.v2',
				channel: 'teams',
				secrets: [s('secret')],
			};
		case 'googlechat': {
			const json = JSON.stringify({ type: 'service_account', client_email: 'bot@project.iam.gserviceaccount.com', private_key: serviceAccountKey, token_uri: `${base}/token` });
			return { config: { mode: 'api', serviceAccountJson: json, baseUrl: base }, to: 'spaces/AAAA', channel: 'googlechat', secrets: [json, serviceAccountKey.split('\n')[1]!] };
		}
		case 'messenger':
			return { config: { pageAccessToken: s('token'), pageId: '1234567890', baseUrl: base }, to: '24680135790', channel: 'messenger', secrets: [s('token')] };
		case 'instagram':
			return { config: { accessToken: s('token'), igUserId: '17841400000000000', baseUrl: base }, to: '13579246801', channel: 'instagram', secrets: [s('token')] };
		default:
			throw new Error(`no test account for provider "${id}": add one here`);
	}
}

function message(channel: Channel, to: string) {
	return {
		schema: MESSAGE_SCHEMA_ID,
		id: `test:${channel}`,
		channel,
		provider: 'switchboard',
		direction: 'outbound' as const,
		conversation: { id: to, type: 'direct' as const },
		recipients: [{ id: to }],
		timestamp: '2026-11-22T10:00:00.000Z',
		parts: [{ type: 'text' as const, text: 'Your appointment is tomorrow at 10:00' }],
		metadata: channel === 'email' ? { subject: 'Appointment' } : {},
	};
}

/** Credential-bearing values the fake actually received: auth headers, and URLs that hold a secret. */
function sentCredentials(requests: RecordedRequest[], secrets: string[]): string[] {
	const out: string[] = [];
	for (const r of requests) {
		for (const name of ['authorization', 'api-key', 'x-api-key']) if (r.headers[name]) out.push(r.headers[name]!.replace(/^(Basic|Bearer) /i, ''));
		if (secrets.some((s) => decodeURIComponent(r.url).includes(s))) out.push(r.url);
	}
	return out;
}

function assertClean(text: string, values: string[], where: string): void {
	for (const value of values) {
		assert.ok(!text.includes(value), `${where} contains a secret (${value.slice(0, 12)}…)`);
		const encoded = encodeURIComponent(value);
		if (encoded !== value) assert.ok(!text.includes(encoded), `${where} contains a URL-encoded secret`);
	}
}

describe('no provider leaks a secret, even when its API echoes the request back', () => {
	test('every registered provider has a test account here', () => {
		for (const provider of PROVIDERS) assert.doesNotThrow(() => accountFor(provider.id, echo.url), provider.id);
	});

	for (const provider of PROVIDERS) {
		test(`${provider.id}: result, attempts, errors and the delivery log`, async () => {
			echo.reset();
			const account = accountFor(provider.id, echo.url);
			const options: SendOptions = {
				routes: [{ channel: account.channel, providers: [{ provider: provider.id, config: account.config }] }],
				http: undiciHttpClient,
				timeoutMs: 5000,
				retry: { strategy: 'none' },
				rateLimits: { store: new InMemoryRateLimitStore(), disabled: true },
			};
			const result = await sendMessage(message(account.channel, account.to), options);
			assert.equal(result.status, 'failed', JSON.stringify(result.error));
			assert.ok(echo.requests.length > 0, 'the provider reached the echoing API');
			const values = [...account.secrets, ...sentCredentials(echo.requests, account.secrets)];
			assertClean(JSON.stringify(result), values, 'the send result');

			// The same send for a claimed row: the queue's tables hold what the log shows.
			const { message: row } = await queue.enqueue({ channel: account.channel, recipient: account.to, body: 'Reminder', subject: 'Appointment', status: 'approved', sendTime: new Date(Date.now() - 1000) });
			const claimed = (await queue.claimDue({ workerId: 'secrets-test', batchSize: 1000 })).filter((m) => m.id === row.id);
			const [outcome] = await sendClaimed(queue, claimed, { ...options, workerId: 'secrets-test' });
			assert.equal(outcome!.result.status, 'failed');
			const sql = internalSqlClient(queue)!;
			const tables = await Promise.all([
				sql.query('SELECT * FROM switchboard_scheduled_messages WHERE id = $1', [row.id]),
				sql.query('SELECT * FROM switchboard_delivery_attempts WHERE message_id = $1', [row.id]),
			]);
			assert.ok(tables[1].rows.length > 0, 'the attempt was logged');
			const more = [...values, ...sentCredentials(echo.requests, account.secrets)];
			assertClean(JSON.stringify([outcome, tables.map((t) => t.rows)]), more, 'the queue row, the delivery log or the claimed result');
		});
	}
});
