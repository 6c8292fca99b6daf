/**
 * What every platform test needs, once: building requests, normalizing a fixture and checking the
 * output against the universal schema, asserting typed errors with their JSON path, detection over
 * every fixture, and the corruption fuzzers that prove bad input only ever ends in a SwitchboardError.
 * Each helper asserts everything it is handed; tests add their field-by-field checks on top.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MalformedBodyError, PayloadMismatchError, SwitchboardError } from '../../core/errors';
import { normalize, type NormalizeOptions, type NormalizeResult } from '../../core/normalize';
import type { Detection, NormalizeOutput, PlatformPayload } from '../../core/platforms/types';
import { render, type RenderCallOptions } from '../../core/render';
import { parseRequest, type InboundRequest, type ParsedRequest } from '../../core/request';
import { MESSAGE_SCHEMA_ID, deliveryEventSchema, messageSchema, type DeliveryEvent, type Message, type MessageInput, type Part, type Participant } from '../../core/schema/message';
import { fixtureNames, fixtureRequest } from './fixtures';

export type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------
// Requests

export const JSON_HEADERS = { 'content-type': 'application/json' };
export const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

/** A JSON webhook POST, the body as the bytes a server receives. */
export function jsonRequest(body: unknown, headers: Record<string, string> = {}): InboundRequest {
	return { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: Buffer.from(JSON.stringify(body)) };
}

/** A form-encoded webhook POST; an array value repeats its key (Twilio MediaUrl style). */
export function formRequest(fields: Record<string, string | string[]>): InboundRequest {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
	return { method: 'POST', headers: FORM_HEADERS, body: Buffer.from(params.toString()) };
}

// ---------------------------------------------------------------------------------------------------
// Output checks

export function assertValidMessage(message: Message): void {
	const result = messageSchema.safeParse(message);
	assert.ok(result.success, `message invalid: ${JSON.stringify(result.error?.issues)}`);
}

export function assertValidEvent(event: DeliveryEvent): void {
	const result = deliveryEventSchema.safeParse(event);
	assert.ok(result.success, `event invalid: ${JSON.stringify(result.error?.issues)}`);
}

/** Every message and event validates against the universal schemas. */
export function assertValidOutput(output: Pick<NormalizeOutput, 'messages' | 'events'>): void {
	output.messages.forEach(assertValidMessage);
	output.events.forEach(assertValidEvent);
}

export function only<T>(items: readonly T[]): T {
	assert.equal(items.length, 1, `expected exactly one item, got ${items.length}`);
	return items[0]!;
}

/** normalize(), read by `platform`, every output schema-valid. */
export function normalizeValid(request: InboundRequest, platform: string, options: NormalizeOptions = {}): NormalizeResult {
	const result = normalize(request, options);
	assert.equal(result.platform, platform);
	assertValidOutput(result);
	return result;
}

/** The one message of a request that yields exactly one message (no events, no handshake). */
export function onlyMessage(request: InboundRequest, platform: string, options: NormalizeOptions = {}): Message {
	const result = normalizeValid(request, platform, options);
	assert.equal(result.events.length, 0);
	assert.equal(result.handshake, undefined);
	return only(result.messages);
}

/** The one delivery event of a request that yields exactly one event (no messages). */
export function onlyEvent(request: InboundRequest, platform: string, options: NormalizeOptions = {}): DeliveryEvent {
	const result = normalizeValid(request, platform, options);
	assert.equal(result.messages.length, 0);
	return only(result.events);
}

/** The common envelope of a message someone sent in a direct conversation, field by field. */
export function assertInboundFrom(
	message: Message,
	expected: { platform: string; providerMessageId: string; sender: Participant; recipients: Participant[]; timestamp: string; metadata: Json },
): void {
	assert.equal(message.schema, MESSAGE_SCHEMA_ID);
	assert.equal(message.id, `${expected.platform}:${expected.providerMessageId}`);
	assert.equal(message.providerMessageId, expected.providerMessageId);
	assert.equal(message.channel, expected.platform);
	assert.equal(message.provider, expected.platform);
	assert.equal(message.direction, 'inbound');
	assert.deepEqual(message.conversation, { id: expected.sender.id, type: 'direct' });
	assert.deepEqual(message.sender, expected.sender);
	assert.deepEqual(message.recipients, expected.recipients);
	assert.equal(message.timestamp, expected.timestamp);
	for (const [key, value] of Object.entries(expected.metadata)) assert.deepEqual(message.metadata[key], value, `metadata.${key}`);
}

/**
 * A fixture read from its bytes (auto-detected), validated, and read the same when the body arrives as
 * a string or as an already-parsed object. Returns the result from the bytes.
 */
export function normalizeFixture(name: string, platform: string, options: NormalizeOptions = {}): NormalizeResult {
	const fromBytes = normalizeValid(fixtureRequest(name), platform, options);
	assert.deepEqual(normalize(fixtureRequest(name, { asString: true }), options), fromBytes, `${name} as a string`);
	assert.deepEqual(normalize(fixtureRequest(name, { parsed: true }), options), fromBytes, `${name} parsed`);
	return fromBytes;
}

// ---------------------------------------------------------------------------------------------------
// Typed errors

/** `fn` throws a PayloadMismatchError of `platform` naming `path` (and saying `expected`, when given). */
export function expectMismatch(fn: () => unknown, platform: string, path: string, expected?: RegExp): void {
	assert.throws(fn, (error: unknown) => {
		assert.ok(error instanceof PayloadMismatchError, `expected PayloadMismatchError, got ${String(error)}`);
		assert.equal(error.platform, platform);
		assert.equal(error.path, path);
		if (expected) assert.match(error.message, expected);
		return true;
	});
}

/** `expectMismatch` bound to one platform, for a test file's many path checks. */
export function mismatchOf(platform: string): (fn: () => unknown, path: string) => void {
	return (fn, path) => expectMismatch(fn, platform, path);
}

export interface OutcomeRules {
	/** Only PayloadMismatchError or MalformedBodyError may escape (not any SwitchboardError). */
	shapeErrorsOnly?: boolean;
	/** Only PayloadMismatchError may escape. */
	mismatchOnly?: boolean;
}

/**
 * Bad input ends in schema-valid output or a typed error, never a TypeError; a PayloadMismatchError
 * names a real path (`(unknown)` is what core/normalize writes when it had to wrap an adapter bug).
 */
export function assertTypedOutcome(run: () => Pick<NormalizeOutput, 'messages' | 'events'>, label: string, rules: OutcomeRules = {}): void {
	let output: Pick<NormalizeOutput, 'messages' | 'events'>;
	try {
		output = run();
	} catch (error) {
		assert.ok(error instanceof SwitchboardError, `${label}: ${String(error)}`);
		if (rules.mismatchOnly) assert.ok(error instanceof PayloadMismatchError, `${label}: ${String(error)}`);
		if (rules.shapeErrorsOnly) assert.ok(error instanceof PayloadMismatchError || error instanceof MalformedBodyError, `${label}: ${error.code}`);
		if (error instanceof PayloadMismatchError) assert.notEqual(error.path, '(unknown)', `${label}: adapter bug ${String(error)}`);
		return;
	}
	for (const m of output.messages) assert.ok(messageSchema.safeParse(m).success, `${label}: ${JSON.stringify(messageSchema.safeParse(m).error?.issues)}`);
	for (const e of output.events) assert.ok(deliveryEventSchema.safeParse(e).success, `${label}: ${JSON.stringify(deliveryEventSchema.safeParse(e).error?.issues)}`);
}

/** Every prefix of every fixture's bytes, normalized by the named platform. */
export function assertTruncationsTyped(names: readonly string[], bytesOf: (name: string) => Buffer, run: (body: Buffer) => NormalizeResult, rules: OutcomeRules = {}): void {
	for (const name of names) {
		const bytes = bytesOf(name);
		for (let n = 0; n <= bytes.length; n += 1) assertTypedOutcome(() => run(bytes.subarray(0, n)), `${name}[0..${n}]`, rules);
	}
}

/** Each top-level field of `base` set to each of `values` in turn. */
export function assertWrongTypesTyped(base: Json, values: readonly unknown[], run: (body: Json) => NormalizeResult): void {
	for (const key of Object.keys(base)) {
		for (const value of values) assertTypedOutcome(() => run({ ...base, [key]: value }), `${key}=${JSON.stringify(value)}`, { mismatchOnly: true });
	}
}

// ---------------------------------------------------------------------------------------------------
// Detection

/** Runs `detect` over every provider fixture: it claims exactly the ones `claims` names. */
export function assertDetectsExactly(detect: (request: ParsedRequest) => Detection, claims: (name: string) => boolean): void {
	const names = fixtureNames();
	assert.ok(names.length > 50, 'the provider fixtures are all there');
	for (const name of names) assert.equal(detect(parseRequest(fixtureRequest(name))).match, claims(name), name);
}

// ---------------------------------------------------------------------------------------------------
// Corruption fuzzers

export type JsonPath = Array<string | number>;

/** Marks a field for removal in `setAt`. */
export const DELETE = Symbol('delete');

/** Every path into `value` (object keys and array indexes), parents before children. */
export function collectPaths(value: unknown, prefix: JsonPath = []): JsonPath[] {
	const out: JsonPath[] = [];
	if (Array.isArray(value)) value.forEach((v, i) => out.push([...prefix, i], ...collectPaths(v, [...prefix, i])));
	else if (value && typeof value === 'object') {
		for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...collectPaths(v, [...prefix, k]));
	}
	return out;
}

/** Sets (or with DELETE removes) the value at `path` in place; returns `root`. */
export function setAt(root: unknown, path: JsonPath, value: unknown): unknown {
	let node = root as Record<string | number, unknown>;
	for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
	const last = path[path.length - 1]!;
	if (value === DELETE) {
		if (Array.isArray(node)) node.splice(Number(last), 1);
		else delete node[last];
	} else node[last] = value;
	return root;
}

/** A fixture with one path of it replaced (or deleted), chosen at random. */
export function assertPathCorruptionTyped(options: {
	bodies: readonly unknown[];
	replacements: readonly unknown[];
	run: (body: unknown) => Pick<NormalizeOutput, 'messages' | 'events'>;
	numRuns: number;
}): void {
	const paths = options.bodies.map((body) => collectPaths(body));
	fc.assert(
		fc.property(fc.nat(options.bodies.length - 1), fc.nat(), fc.constantFrom<unknown>(...options.replacements), (which, at, value) => {
			const list = paths[which]!;
			const path = list[at % list.length]!;
			const body = setAt(structuredClone(options.bodies[which]), path, value);
			assertTypedOutcome(() => options.run(body), `${path.join('.')} = ${JSON.stringify(value)}`);
		}),
		{ numRuns: options.numRuns },
	);
}

/** Junk put in place of a field by `assertFieldCorruptionTyped`. */
export const JUNK = fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.boolean(), fc.constant([]), fc.constant({}));

/** Replaces one field of one object somewhere in `body` (in place) per edit. */
export function replaceFields(body: unknown, edits: ReadonlyArray<readonly [number, unknown]>): void {
	for (const [at, value] of edits) {
		const objects: Json[] = [];
		const walk = (v: unknown) => {
			if (v && typeof v === 'object') {
				if (!Array.isArray(v)) objects.push(v as Json);
				for (const child of Object.values(v)) walk(child);
			}
		};
		walk(body);
		const target = objects[at % objects.length]!;
		const keys = Object.keys(target);
		if (keys.length) target[keys[at % keys.length]!] = value;
	}
}

/** A fixture with one to four fields anywhere in it replaced by junk. */
export function assertFieldCorruptionTyped(options: {
	bodies: readonly Json[];
	junk?: fc.Arbitrary<unknown>;
	run: (body: Json) => Pick<NormalizeOutput, 'messages' | 'events'>;
	numRuns: number;
}): void {
	fc.assert(
		fc.property(fc.integer({ min: 0, max: options.bodies.length - 1 }), fc.array(fc.tuple(fc.nat(), options.junk ?? JUNK), { minLength: 1, maxLength: 4 }), (index, edits) => {
			const body = structuredClone(options.bodies[index]!);
			replaceFields(body, edits);
			assertTypedOutcome(() => options.run(body), JSON.stringify(edits));
		}),
		{ numRuns: options.numRuns },
	);
}

// ---------------------------------------------------------------------------------------------------
// Outbound messages and round trips

/** Builds outbound universal messages with a test file's defaults (ids, channel, recipient). */
export function outboundMessages(defaults: Omit<Partial<MessageInput>, 'parts'> & Pick<MessageInput, 'id' | 'channel' | 'provider' | 'conversation'>) {
	return (parts: MessageInput['parts'], extra: Partial<MessageInput> = {}): MessageInput => ({
		schema: MESSAGE_SCHEMA_ID,
		direction: 'outbound',
		recipients: [{ id: defaults.conversation.id }],
		timestamp: '2026-05-28T14:31:02.000Z',
		...defaults,
		parts,
		...extra,
	});
}

/**
 * render → deliver (the rendered bodies wrapped the way the platform delivers them to a receiving bot)
 * → normalize: nothing degraded on the way out, every request read back by `platform`, every message
 * schema-valid. Returns the messages that arrived, in order.
 */
export function roundTrip(
	message: Message,
	platform: string,
	deliver: (payloads: PlatformPayload[]) => InboundRequest[],
	options: { render?: RenderCallOptions; normalize?: NormalizeOptions } = {},
): Message[] {
	const rendered = render(message, platform, options.render);
	assert.deepEqual(rendered.degradations, []);
	const received = deliver(rendered.payloads).flatMap((request) => normalizeValid(request, platform, options.normalize).messages);
	return received;
}

/** What of a part survives render → deliver → normalize on SMS-like channels (Twilio, Vonage). */
export function carriedContent(p: Part): unknown {
	switch (p.type) {
		case 'text':
			return { type: p.type, text: p.text };
		case 'media':
			return { type: p.type, kind: p.kind, url: p.url, caption: p.caption };
		case 'location':
			return { type: p.type, latitude: p.latitude + 0, longitude: p.longitude + 0 };
		default:
			return p;
	}
}

/** Text and media as they come back from Messenger/Instagram, where a caption is a text of its own. */
export function textAndMedia(part: Part): unknown {
	if (part.type === 'text') return { type: 'text', text: part.text };
	if (part.type === 'media') return { type: 'media', kind: part.kind, url: part.url };
	return part;
}

/** After render → deliver → normalize on Messenger/Instagram: a caption comes back as its own text part, after the media. */
export function withCaptionsAsText(part: Part): unknown[] {
	if (part.type === 'text') return [{ type: 'text', text: part.text }];
	if (part.type === 'media') {
		const media = { type: 'media', kind: part.kind, url: part.url };
		return part.caption ? [media, { type: 'text', text: part.caption }] : [media];
	}
	return [part];
}
