import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseForm, parseRequest } from '../../core/request';
import { MalformedBodyError } from '../../core/errors';

function viaUrlSearchParams(text: string): Record<string, string | string[]> {
	const out: Record<string, string | string[]> = {};
	for (const [k, v] of new URLSearchParams(text)) {
		const e = out[k];
		out[k] = e === undefined ? v : Array.isArray(e) ? [...e, v] : [e, v];
	}
	return out;
}

test('parseForm reads exactly what URLSearchParams reads, for any text', () => {
	const formChar = fc.constantFrom('a', 'B', '1', '=', '&', '+', '%', '%2', '%41', '%C3%A9', '%E2%82%AC', '%FF', '%C3', ' ', 'é', '😀', '[', ']');
	fc.assert(
		fc.property(fc.oneof(fc.string(), fc.array(formChar, { maxLength: 40 }).map((a) => a.join(''))), (text) => {
			assert.deepEqual(parseForm(text), viaUrlSearchParams(text));
		}),
		{ numRuns: 3000 },
	);
	assert.deepEqual(parseForm('MediaUrl=a&MediaUrl=b&Body=Hi+there%21&Empty=&Flag'), { MediaUrl: ['a', 'b'], Body: 'Hi there!', Empty: '', Flag: '' });
});

test('parseRequest reads bytes, strings and objects the same way and names bad JSON', () => {
	const json = '{"update_id":1}';
	const fromBytes = parseRequest({ body: Buffer.from(`\ufeff${json}`), headers: { 'Content-Type': 'application/json; charset=utf-8' } });
	assert.deepEqual(fromBytes.body, { update_id: 1 });
	assert.equal(fromBytes.bodyKind, 'json');
	assert.equal(fromBytes.contentType, 'application/json');
	const slice = Buffer.from(`xx${json}yy`).subarray(2, 2 + json.length);
	assert.deepEqual(parseRequest({ body: slice }).body, { update_id: 1 });
	assert.deepEqual(parseRequest({ body: { a: 1 }, method: 'post' }), {
		method: 'POST',
		headers: {},
		query: {},
		contentType: '',
		body: { a: 1 },
		bodyKind: 'json',
	});
	assert.equal(parseRequest({ body: '   ' }).bodyKind, 'empty');
	assert.deepEqual(parseRequest({ body: 'a=1&b=2' }).body, { a: '1', b: '2' });
	assert.deepEqual(parseRequest({ body: undefined, query: { 'hub.mode': ['subscribe'] }, headers: { 'X-Multi': ['a', 'b'] } }).headers, { 'x-multi': 'a, b' });
	assert.throws(() => parseRequest({ body: '{"truncated": ', headers: { 'content-type': 'application/json' } }), (e: unknown) => e instanceof MalformedBodyError && /not valid JSON/.test(e.message));
	assert.throws(() => parseRequest({ body: 42 }), MalformedBodyError);
	assert.throws(() => parseRequest(null as never), MalformedBodyError);
});
