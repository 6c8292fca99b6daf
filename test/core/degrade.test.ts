import { test } from 'node:test';
import assert from 'node:assert/strict';
import { degradeParts, htmlToPlain, markdownToPlain } from '../../core/render/degrade';
import type { RenderCapabilities } from '../../core/platforms/types';
import type { Part } from '../../core/schema/message';

const whatsappLike: RenderCapabilities = {
	parts: new Set(['text', 'media', 'location', 'contacts', 'buttons', 'list', 'template', 'reaction']),
	textFormats: new Set(['plain', 'markdown']),
	maxButtons: 3,
	buttonActions: new Set(['reply']),
	maxListRows: 10,
};
const smsLike: RenderCapabilities = { parts: new Set(['text']), textFormats: new Set(['plain']) };

const buttons = (n: number): Part => ({
	type: 'buttons',
	text: 'Pick a slot',
	buttons: Array.from({ length: n }, (_, i) => ({ id: `slot_${i + 1}`, title: `Slot ${i + 1}`, action: 'reply' as const })),
});

test('up to the platform maximum, buttons stay buttons', () => {
	const out = degradeParts([buttons(3)], whatsappLike);
	assert.deepEqual(out.parts, [buttons(3)]);
	assert.deepEqual(out.degradations, []);
});

test('4+ buttons become a list, 11+ become numbered text — each reported', () => {
	const list = degradeParts([buttons(4)], whatsappLike);
	assert.equal(list.parts[0]!.type, 'list');
	assert.deepEqual(
		list.parts[0]!.type === 'list' ? list.parts[0]!.sections[0]!.rows.map((r) => r.id) : [],
		['slot_1', 'slot_2', 'slot_3', 'slot_4'],
	);
	assert.deepEqual(list.degradations, [{ partIndex: 0, from: 'buttons', to: 'list', reason: "4 buttons exceed the platform's 3" }]);

	const text = degradeParts([buttons(11)], whatsappLike);
	assert.equal(text.parts.length, 1);
	assert.equal(text.parts[0]!.type, 'text');
	assert.match(text.parts[0]!.type === 'text' ? text.parts[0]!.text : '', /^Pick a slot\n1\. Slot 1\n2\. Slot 2\n[\s\S]*11\. Slot 11$/);
	assert.equal(text.degradations[0]!.to, 'text');
});

test('location becomes a map link, card becomes text, on a text-only platform', () => {
	const out = degradeParts(
		[
			{ type: 'location', latitude: 51.539, longitude: -0.142, name: 'Camden office' },
			{ type: 'card', title: 'Order 48213', text: 'Shipped', fields: [{ label: 'ETA', value: 'Thu' }], buttons: [{ title: 'Track', action: 'url', url: 'https://t.test/48213' }] },
		],
		smsLike,
	);
	assert.deepEqual(
		out.parts.map((p) => (p.type === 'text' ? p.text : p.type)),
		['Camden office\nhttps://maps.google.com/?q=51.539,-0.142', 'Order 48213\nShipped\nETA: Thu\n1. Track (https://t.test/48213)'],
	);
	assert.deepEqual(out.origin, [0, 1]);
	assert.deepEqual(
		out.degradations.map((d) => [d.partIndex, d.from, d.to]),
		[
			[0, 'location', 'text'],
			[1, 'card', 'text'],
			[1, 'buttons', 'text'],
		],
	);
});

test('what cannot be expressed at all is dropped and reported, never silently', () => {
	const out = degradeParts(
		[
			{ type: 'reaction', emoji: '👍', targetMessageId: 'x' },
			{ type: 'template', name: 'order_update', parameters: [] },
			{ type: 'media', kind: 'image', mediaId: 'only-an-id' },
			{ type: 'unsupported', original: {} },
		],
		smsLike,
	);
	assert.deepEqual(out.parts, []);
	assert.deepEqual(out.degradations.map((d) => [d.partIndex, d.to]), [
		[0, 'dropped'],
		[1, 'dropped'],
		[2, 'dropped'],
		[3, 'dropped'],
	]);
});

test('quick replies fall back through buttons and list; markdown and html fall back to plain', () => {
	const out = degradeParts([{ type: 'quick_replies', text: 'OK?', options: [{ id: 'y', title: 'Yes' }, { id: 'n', title: 'No' }] }], whatsappLike);
	assert.equal(out.parts[0]!.type, 'buttons');
	assert.equal(markdownToPlain('**Bold** and _it_ [link](https://x.test) `code`'), 'Bold and it link (https://x.test) code');
	assert.equal(htmlToPlain('<p>Hello <b>Ana</b></p><p>See <a href="https://x.test">this</a> &amp; more</p>'), 'Hello Ana\nSee this (https://x.test) & more');
	const html = degradeParts([{ type: 'text', text: '<b>Hi</b>', format: 'html' }], smsLike);
	assert.deepEqual(html.parts, [{ type: 'text', text: 'Hi', format: 'plain' }]);
	assert.deepEqual(html.degradations[0], { partIndex: 0, from: 'text/html', to: 'text/plain', reason: 'platform has no html formatting' });
});

test('the input is not modified', () => {
	const parts: Part[] = [buttons(5)];
	const copy = structuredClone(parts);
	degradeParts(parts, smsLike);
	assert.deepEqual(parts, copy);
});
