/**
 * The contract every registered platform meets, checked over the whole registry and every provider
 * fixture (a shared suite in the style of vercel/chat's adapter contract tests). Platform-specific,
 * field-by-field assertions live in test/core/platforms/<id>.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalize } from '../../core/normalize';
import { render } from '../../core/render';
import { PLATFORMS } from '../../core/platforms/registry';
import { parseRequest } from '../../core/request';
import { MESSAGE_SCHEMA_ID, deliveryEventSchema, messageSchema } from '../../core/schema/message';
import { fixtureNames, fixtureRequest } from '../support/fixtures';

/** Which platform must claim each inbound fixture, by file-name prefix. */
const PREFIX_TO_PLATFORM: Record<string, string> = {
	whatsapp: 'whatsapp',
	messenger: 'messenger',
	instagram: 'instagram',
	twilio: 'twilio',
	vonage: 'vonage',
	sendgrid: 'sendgrid',
	brevo: 'brevo',
	telegram: 'telegram',
	slack: 'slack',
	teams: 'teams',
	googlechat: 'googlechat',
};

/** Fixtures that are not inbound webhooks (API responses, outbound bodies) — no adapter may claim them as inbound. */
const NOT_INBOUND = /-(response|error|send-response|outbound|graph-chatmessage-created|workflows-webhook)/;

const inbound = fixtureNames().filter((name) => !NOT_INBOUND.test(name));

test('every platform is registered once, with the fields the nodes show', () => {
	const ids = PLATFORMS.map((p) => p.id);
	assert.equal(new Set(ids).size, ids.length);
	for (const p of PLATFORMS) {
		assert.match(p.id, /^[a-z][a-z0-9]*$/);
		assert.ok(p.name.length > 3, p.id);
		assert.equal(typeof p.normalize, 'function', `${p.id} normalizes`);
		assert.equal(typeof p.detect, 'function', `${p.id} detects`);
	}
	for (const id of ['whatsapp', 'twilio', 'telegram', 'slack', 'teams', 'googlechat', 'messenger', 'instagram', 'vonage', 'sendgrid', 'brevo']) {
		assert.ok(ids.includes(id), id);
	}
});

for (const name of inbound) {
	const expected = PREFIX_TO_PLATFORM[name.split('-')[0]!];
	test(`${name}: detected as ${expected} only, and normalized to valid universal output`, () => {
		assert.ok(expected, `no platform for ${name}`);
		const request = fixtureRequest(name);
		const parsed = parseRequest(request);
		const claimed = PLATFORMS.filter((p) => p.detect?.(parsed).match).map((p) => p.id);
		assert.deepEqual(claimed, [expected]);

		// Some platforms (Twilio) send no timestamp: a fixed clock keeps the two runs comparable.
		const now = () => new Date('2026-05-28T14:31:02.000Z');
		const result = normalize(request, { now });
		assert.equal(result.platform, expected);
		const count = result.messages.length + result.events.length + (result.handshake ? 1 : 0);
		assert.ok(count > 0, 'a delivery never normalizes to nothing');
		for (const message of result.messages) {
			const check = messageSchema.safeParse(message);
			assert.ok(check.success, JSON.stringify(check.error?.issues));
			assert.equal(message.schema, MESSAGE_SCHEMA_ID);
			assert.equal(message.direction === 'inbound' || message.direction === 'outbound', true);
		}
		for (const event of result.events) {
			const check = deliveryEventSchema.safeParse(event);
			assert.ok(check.success, JSON.stringify(check.error?.issues));
		}
		// The same request as a string and as an already-parsed object gives the same result.
		const asString = normalize(fixtureRequest(name, { asString: true }), { now });
		assert.deepEqual(asString, result);
	});
}

test('non-inbound fixtures (API responses, outbound bodies) are not mistaken for webhooks', () => {
	for (const name of fixtureNames().filter((n) => NOT_INBOUND.test(n))) {
		const parsed = parseRequest(fixtureRequest(name));
		const claimed = PLATFORMS.filter((p) => p.detect?.(parsed).match).map((p) => p.id);
		assert.deepEqual(claimed, [], `${name} claimed by ${claimed.join(',')}`);
	}
});

test('raw is kept by default and left out on request', () => {
	const withRaw = normalize(fixtureRequest('telegram-update-message-text.json'));
	assert.ok(withRaw.messages[0]!.raw !== undefined);
	const without = normalize(fixtureRequest('telegram-update-message-text.json'), { keepRaw: false });
	assert.equal(without.messages[0]!.raw, undefined);
});

test('every platform with a send API renders a plain text message', () => {
	for (const adapter of PLATFORMS.filter((p) => p.render)) {
		const channel = adapter.channel;
		const to = channel === 'email' ? 'dana.ortiz@example.net' : '447700900321';
		const out = render(
			{
				schema: MESSAGE_SCHEMA_ID,
				id: 'contract-1',
				channel,
				provider: adapter.id,
				direction: 'outbound',
				conversation: { id: to, type: 'direct' },
				recipients: [{ id: to }],
				timestamp: '2026-05-28T14:31:02.000Z',
				parts: [{ type: 'text', text: 'Your order 48213 has shipped' }],
				metadata: { subject: 'Order update' },
			},
			adapter.id,
			{ from: channel === 'email' ? 'no-reply@example.com' : '447700900000' },
		);
		assert.equal(out.platform, adapter.id);
		assert.ok(out.payloads.length >= 1, adapter.id);
		assert.ok(JSON.stringify(out.payloads).includes('Your order 48213 has shipped'), `${adapter.id} carries the text`);
		assert.deepEqual(out.degradations, [], `${adapter.id} needs no degradation for plain text`);
	}
});
