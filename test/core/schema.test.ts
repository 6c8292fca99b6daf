import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	DELIVERY_STATUSES,
	MESSAGE_SCHEMA_ID,
	PART_TYPES,
	deliveryEventSchema,
	messageSchema,
	partSchema,
} from '../../core/schema/message';
import { eventJsonSchema, messageJsonSchema } from '../../core/schema/json-schema';
import { parseMessage } from '../../core/render';
import { InvalidMessageError } from '../../core/errors';

const base = {
	schema: MESSAGE_SCHEMA_ID,
	id: 'm1',
	channel: 'whatsapp',
	provider: 'whatsapp',
	direction: 'outbound',
	conversation: { id: '447700900321', type: 'direct' },
	timestamp: '2026-05-28T14:31:02.000Z',
	parts: [{ type: 'text', text: 'Hi' }],
};

test('a minimal message gets its documented defaults', () => {
	const m = parseMessage(base);
	assert.equal(m.parts[0]!.type, 'text');
	assert.deepEqual(m.parts[0], { type: 'text', text: 'Hi', format: 'plain' });
	assert.deepEqual(m.recipients, []);
	assert.deepEqual(m.metadata, {});
});

test('unknown fields survive validation at every level (forward compatible)', () => {
	const m = parseMessage({ ...base, futureField: 1, conversation: { ...base.conversation, extra: 'x' }, parts: [{ type: 'text', text: 'a', style: 'bold' }] });
	assert.equal((m as Record<string, unknown>).futureField, 1);
	assert.equal((m.conversation as Record<string, unknown>).extra, 'x');
	assert.equal((m.parts[0] as Record<string, unknown>).style, 'bold');
});

test('invalid messages name each bad field', () => {
	assert.throws(
		() => parseMessage({ ...base, timestamp: '28/05/2026', parts: [] }),
		(error: unknown) => {
			assert.ok(error instanceof InvalidMessageError);
			const paths = error.issues.map((i) => i.path);
			assert.ok(paths.includes('timestamp'), paths.join());
			assert.ok(paths.includes('parts'), paths.join());
			assert.match(error.message, /timestamp: must be an ISO 8601 UTC timestamp/);
			return true;
		},
	);
	assert.throws(() => parseMessage({ ...base, parts: [{ type: 'media', kind: 'image' }] }), /parts\[0\]\.url: a media part needs a url or a mediaId/);
	assert.throws(() => parseMessage({ ...base, parts: [{ type: 'hologram' }] }), /parts\[0\]/);
	assert.throws(() => parseMessage({ ...base, timestamp: '2026-05-28T14:31:02+02:00' }), /timestamp/);
});

test('every part kind named in the contract exists in the schema', () => {
	const required = ['text', 'media', 'location', 'contacts', 'buttons', 'quick_replies', 'list', 'card', 'template', 'reaction', 'interactive_reply', 'order', 'unsupported'];
	for (const kind of required) assert.ok((PART_TYPES as readonly string[]).includes(kind), kind);
	const samples: unknown[] = [
		{ type: 'text', text: 'x', format: 'markdown' },
		{ type: 'media', kind: 'voice', mediaId: 'abc', mimeType: 'audio/ogg', size: 10 },
		{ type: 'location', latitude: 51.5, longitude: -0.14, name: 'Office' },
		{ type: 'contacts', contacts: [{ name: { formatted: 'Ana' }, phones: [{ phone: '+1' }] }] },
		{ type: 'buttons', text: 'Pick', buttons: [{ id: 'a', title: 'A' }, { title: 'Site', action: 'url', url: 'https://x.test' }] },
		{ type: 'quick_replies', options: [{ id: 'y', title: 'Yes' }] },
		{ type: 'list', sections: [{ rows: [{ id: 'r', title: 'Row' }] }] },
		{ type: 'card', title: 'T' },
		{ type: 'template', name: 'order_update', language: 'en_US', parameters: [{ value: 'Priya' }] },
		{ type: 'reaction', emoji: '', targetMessageId: 'wamid.1' },
		{ type: 'interactive_reply', id: 'confirm', source: 'button' },
		{ type: 'order', items: [{ productId: 'sku', quantity: 2 }] },
		{ type: 'system', event: 'member_added' },
		{ type: 'unsupported', original: { anything: true } },
	];
	for (const sample of samples) assert.ok(partSchema.safeParse(sample).success, JSON.stringify(sample));
	assert.equal(samples.length, PART_TYPES.length);
});

test('delivery events use the closed status vocabulary', () => {
	assert.deepEqual([...DELIVERY_STATUSES], ['queued', 'sent', 'delivered', 'read', 'failed', 'bounced', 'deferred', 'opened', 'clicked', 'complained', 'unsubscribed', 'unknown']);
	const event = {
		schema: 'switchboard.event/v1',
		id: 'e1',
		channel: 'email',
		provider: 'sendgrid',
		providerMessageId: 'abc',
		status: 'bounced',
		providerStatus: 'bounce',
		timestamp: '2026-05-28T14:31:02.000Z',
		error: { code: '550', message: 'mailbox unavailable', retryable: false },
	};
	assert.ok(deliveryEventSchema.safeParse(event).success);
	assert.equal(deliveryEventSchema.safeParse({ ...event, status: 'arrived' }).success, false);
});

test('the JSON Schema is generated from the zod schema and shipped in dist/schema', () => {
	const generated = messageJsonSchema();
	assert.equal((generated.properties as Record<string, { const?: string }>).schema!.const, MESSAGE_SCHEMA_ID);
	const required = generated.required as string[];
	for (const field of ['schema', 'id', 'channel', 'provider', 'direction', 'conversation', 'timestamp', 'parts']) assert.ok(required.includes(field), field);
	const parts = (generated.properties as Record<string, { items?: { oneOf?: unknown[]; anyOf?: unknown[] } }>).parts!.items!;
	assert.equal((parts.oneOf ?? parts.anyOf)!.length, PART_TYPES.length);

	const shipped = join(__dirname, '..', '..', 'dist', 'schema', 'switchboard.message.v1.json');
	if (existsSync(shipped)) {
		assert.deepEqual(JSON.parse(readFileSync(shipped, 'utf8')), JSON.parse(JSON.stringify(generated)));
		const shippedEvent = JSON.parse(readFileSync(join(__dirname, '..', '..', 'dist', 'schema', 'switchboard.event.v1.json'), 'utf8'));
		assert.deepEqual(shippedEvent, JSON.parse(JSON.stringify(eventJsonSchema())));
	} else if (process.env.SWITCHBOARD_TEST) {
		assert.fail('dist/schema is missing: the build must generate it');
	}
});

test('zod output and the declared types agree with what the schema accepts', () => {
	const parsed = messageSchema.parse(base);
	// The parsed message is itself valid input (defaults are idempotent).
	assert.deepEqual(messageSchema.parse(parsed), parsed);
});
