/**
 * Garbage, truncated and mutated inputs: normalize may refuse them, but only with a typed
 * SwitchboardError — never a TypeError, never an uncaught crash — and whatever it returns is valid
 * universal output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalize } from '../../core/normalize';
import { SwitchboardError } from '../../core/errors';
import { PLATFORM_IDS } from '../../core/platforms/registry';
import { deliveryEventSchema, messageSchema } from '../../core/schema/message';
import type { InboundRequest } from '../../core/request';
import { fixtureBytes, fixtureNames, fixtureRequest } from '../support/fixtures';

/**
 * CI runs a fresh random sample each time (fast-check prints the seed and path of any failure, so a
 * failure is reproducible). SWITCHBOARD_FUZZ_SCALE=50 runs fifty times as many cases for a deeper hunt.
 */
const scale = Math.max(1, Number(process.env.SWITCHBOARD_FUZZ_SCALE ?? 1) || 1);
const runs = (n: number) => n * scale;

function outcome(request: InboundRequest, platform?: string): 'ok' | 'typed-error' {
	try {
		const result = normalize(request, platform ? { platform } : {});
		for (const m of result.messages) {
			const check = messageSchema.safeParse(m);
			if (!check.success) throw new Error(`invalid message from ${result.platform}: ${JSON.stringify(check.error.issues)}`);
		}
		for (const e of result.events) {
			const check = deliveryEventSchema.safeParse(e);
			if (!check.success) throw new Error(`invalid event from ${result.platform}: ${JSON.stringify(check.error.issues)}`);
		}
		return 'ok';
	} catch (error) {
		if (error instanceof SwitchboardError) {
			assert.ok(error.message.length > 0);
			return 'typed-error';
		}
		throw error;
	}
}

const webhookFixtures = fixtureNames().filter((n) => !/-(response|error|outbound|graph-chatmessage-created|workflows-webhook|verification-get)/.test(n));

test('random bytes and random JSON never escape as untyped errors (auto-detect and every platform)', () => {
	fc.assert(
		fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), fc.string(), fc.jsonValue(), fc.anything()), fc.constantFrom(undefined, ...PLATFORM_IDS), (body, platform) => {
			outcome({ body, headers: { 'content-type': 'application/json' } }, platform);
			outcome({ body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, platform);
		}),
		{ numRuns: runs(600) },
	);
});

test('every fixture truncated anywhere gives output or a typed error', () => {
	for (const name of webhookFixtures) {
		const bytes = fixtureBytes(name);
		const headers = fixtureRequest(name).headers;
		fc.assert(
			fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.constantFrom(undefined, ...PLATFORM_IDS), (cut, platform) => {
				outcome({ body: bytes.subarray(0, cut), headers }, platform);
			}),
			{ numRuns: runs(60) },
		);
	}
});

/** Replaces the value at one random path of a JSON document with a random value. */
function mutate(doc: unknown, pick: number, replacement: unknown): unknown {
	const paths: Array<Array<string | number>> = [];
	const walk = (value: unknown, path: Array<string | number>) => {
		paths.push(path);
		if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
		else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
	};
	walk(doc, []);
	const target = paths[pick % paths.length]!;
	if (target.length === 0) return replacement;
	const copy = structuredClone(doc) as Record<string | number, unknown>;
	let cursor = copy;
	for (const key of target.slice(0, -1)) cursor = cursor[key] as Record<string | number, unknown>;
	cursor[target[target.length - 1]!] = replacement;
	return copy;
}

test('every JSON fixture with one field replaced by a random value gives output or a typed error', () => {
	for (const name of webhookFixtures.filter((n) => n.endsWith('.json'))) {
		const doc = JSON.parse(fixtureBytes(name).toString('utf8'));
		const headers = fixtureRequest(name).headers;
		fc.assert(
			fc.property(fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(null), fc.constant(undefined)), (pick, replacement) => {
				const body = mutate(doc, pick, replacement);
				outcome({ body, headers });
				outcome({ body: JSON.stringify(body) ?? '', headers });
			}),
			{ numRuns: runs(80) },
		);
	}
});

/**
 * Every string in every fixture replaced by a name Object.prototype has, by "" and by " ": lookups of
 * vendor words in constant tables must not reach the prototype ("valueOf" as a Vonage channel once
 * became a function), and an empty id must not become an empty universal id (an empty Vonage `to`
 * once did). Deterministic, so it never depends on the random sample.
 */
test('prototype names and empty strings in any field give output or a typed error', () => {
	const names = ['valueOf', 'toString', 'constructor', '__proto__', 'hasOwnProperty', 'isPrototypeOf', '', ' '];
	let cases = 0;
	for (const name of webhookFixtures.filter((n) => n.endsWith('.json'))) {
		const doc = JSON.parse(fixtureBytes(name).toString('utf8'));
		const headers = fixtureRequest(name).headers;
		const stringPaths: Array<Array<string | number>> = [];
		const walk = (value: unknown, path: Array<string | number>) => {
			if (typeof value === 'string') stringPaths.push(path);
			else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
			else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
		};
		walk(doc, []);
		for (const path of stringPaths) {
			for (const replacement of names) {
				const copy = structuredClone(doc) as Record<string | number, unknown>;
				let cursor = copy;
				for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string | number, unknown>;
				cursor[path[path.length - 1]!] = replacement;
				outcome({ body: JSON.stringify(copy), headers });
				cases++;
			}
		}
	}
	// Form-encoded fixtures (Twilio): every field, the same names.
	for (const name of fixtureNames().filter((n) => n.endsWith('.txt'))) {
		const text = fixtureBytes(name).toString('utf8');
		const headers = fixtureRequest(name).headers;
		for (const key of new Set(new URLSearchParams(text).keys())) {
			for (const replacement of names) {
				const form = new URLSearchParams(text);
				form.set(key, replacement);
				outcome({ body: form.toString(), headers });
				cases++;
			}
		}
	}
	assert.ok(cases > 1000, `ran ${cases} cases`);
});
