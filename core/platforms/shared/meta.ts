/**
 * What WhatsApp Cloud API, Messenger and Instagram Direct share because they are all Meta webhooks
 * and Graph send APIs:
 *
 * - the envelope `{object, entry: [...]}` where `object` names the product
 *   (`whatsapp_business_account`, `page`, `instagram`);
 * - the subscription handshake: a GET with `hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`
 *   answered with the bare challenge (providers.md §4.5, §8.3);
 * - Graph error codes that mean the same thing on every product;
 * - the length limits the send APIs enforce, applied without splitting emoji in half.
 */
import { z } from 'zod/v4';
import { MalformedBodyError, PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import type { Detection, Handshake } from '../types';
import { isRecord } from '../../util/object';
import { parseVendor } from './vendor';

export const META_OBJECTS = {
	whatsapp: 'whatsapp_business_account',
	messenger: 'page',
	instagram: 'instagram',
} as const;

// ---------------------------------------------------------------------------------------------------
// Verification handshake

/**
 * A subscription handshake: `hub.mode=subscribe` and a challenge in the query, no body. The method
 * is GET; a request whose host did not pass the method (parseRequest then assumes POST) still counts
 * when the body is empty, because Meta never POSTs an empty body.
 */
export function isMetaSubscribeRequest(request: ParsedRequest): boolean {
	const query = request.query;
	if (query['hub.mode'] !== 'subscribe') return false;
	const challenge = query['hub.challenge'];
	if (typeof challenge !== 'string' || challenge === '') return false;
	return request.method === 'GET' || request.bodyKind === 'empty';
}

/** True when the query carries Meta's `hub.*` parameters at all (complete or not). */
export function hasMetaHubQuery(request: ParsedRequest): boolean {
	return request.query['hub.mode'] !== undefined || request.query['hub.challenge'] !== undefined;
}

/**
 * The handshake answer. The verify token is handed back, not checked: the caller owns the token it
 * typed into the Meta dashboard and answers 403 when they differ.
 */
export function metaHandshake(platform: string, request: ParsedRequest): Handshake {
	const challenge = request.query['hub.challenge'];
	if (request.query['hub.mode'] !== 'subscribe') {
		throw new PayloadMismatchError(platform, 'query["hub.mode"]', '"subscribe"');
	}
	if (typeof challenge !== 'string' || challenge === '') {
		throw new PayloadMismatchError(platform, 'query["hub.challenge"]', 'the challenge to echo back');
	}
	const verifyToken = request.query['hub.verify_token'];
	return {
		platform,
		kind: 'meta_subscribe',
		challenge,
		...(verifyToken !== undefined ? { verifyToken } : {}),
		response: { status: 200, contentType: 'text/plain', body: challenge },
	};
}

/**
 * The handshake when the request is one, else undefined. A body-less request with incomplete
 * `hub.*` parameters is a broken handshake (PayloadMismatchError naming the query parameter), not an
 * empty webhook.
 */
export function readMetaHandshake(platform: string, request: ParsedRequest): Handshake | undefined {
	if (isMetaSubscribeRequest(request)) return metaHandshake(platform, request);
	if (request.bodyKind === 'empty' && hasMetaHubQuery(request)) return metaHandshake(platform, request);
	return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Envelope

/**
 * Cheap detection on the envelope's `object`. An array of envelopes (how some Meta docs print
 * examples, and what a batching proxy may forward) is accepted when its first item matches.
 */
export function detectMetaObject(request: ParsedRequest, object: string): Detection {
	if (request.bodyKind !== 'json') return { match: false, reason: `not a JSON body with object "${object}"` };
	const body = Array.isArray(request.body) ? request.body[0] : request.body;
	if (!isRecord(body)) return { match: false, reason: `body is not a Meta webhook object` };
	if (body.object !== object) {
		return { match: false, reason: body.object === undefined ? 'no Meta "object" field' : `object is not "${object}"` };
	}
	if (!Array.isArray(body.entry)) return { match: false, reason: `object "${object}" without an entry array` };
	return { match: true };
}

// Built once per object: zod schemas are costly to construct, cheap to run.
const envelopeSchemas = new Map<string, z.ZodType<{ object: string; entry: unknown[] }>>();
function envelopeSchemaFor(object: string): z.ZodType<{ object: string; entry: unknown[] }> {
	let schema = envelopeSchemas.get(object);
	if (!schema) {
		schema = z.looseObject({ object: z.literal(object), entry: z.array(z.unknown()) });
		envelopeSchemas.set(object, schema);
	}
	return schema;
}

export interface MetaEntryRef {
	/** The entry as sent (not a parsed copy), so adapters can keep it as `raw`. */
	entry: unknown;
	/** JSON path of the entry, e.g. `entry[0]` or `[1].entry[0]` for an array of envelopes. */
	path: string;
}

/**
 * Checks the envelope (object + entry array, nothing deeper) and lists its entries in order. Each
 * adapter then validates an entry with its own partial schema, so nothing is validated twice.
 */
export function metaEntries(platform: string, object: string, request: ParsedRequest): MetaEntryRef[] {
	if (request.bodyKind === 'empty') {
		throw new MalformedBodyError(
			`The ${platform} webhook request has no body`,
			'Pass the POSTed JSON body; a verification GET needs hub.mode=subscribe and hub.challenge in the query.',
		);
	}
	if (request.bodyKind !== 'json') {
		throw new MalformedBodyError(`The ${platform} webhook body is not JSON (${request.bodyKind} received)`);
	}
	const out: MetaEntryRef[] = [];
	if (Array.isArray(request.body)) {
		for (let i = 0; i < request.body.length; i += 1) collectEntries(platform, object, request.body[i], `[${i}]`, out);
	} else {
		collectEntries(platform, object, request.body, '', out);
	}
	return out;
}

function collectEntries(platform: string, object: string, value: unknown, base: string, out: MetaEntryRef[]): void {
	const entries =
		isRecord(value) && value.object === object && Array.isArray(value.entry)
			? value.entry
			: parseVendor(platform, envelopeSchemaFor(object), value, base).entry;
	const prefix = base === '' ? 'entry' : `${base}.entry`;
	for (let i = 0; i < entries.length; i += 1) out.push({ entry: entries[i], path: `${prefix}[${i}]` });
}

// ---------------------------------------------------------------------------------------------------
// Vendor value helpers

/** Graph ids and timestamps are documented as strings but arrive as numbers from re-serialising proxies. */
export const graphId = z.union([z.string().min(1), z.number()]).transform((v) => String(v));

/** A unix timestamp as Meta sends it: seconds (WhatsApp, a digit string) or milliseconds (Messenger, a number). */
export const graphTimestamp = z.union([z.string().min(1), z.number().nonnegative()]);

/**
 * Reads a vendor object through a fast guard first. The guard accepts only values the schema would
 * accept unchanged (plain typeof checks, no copies); anything else goes through `parseVendor`, which
 * either accepts it (coercing, e.g. a numeric id to a string) or throws with the exact JSON path. The
 * schema stays the contract; the guard keeps normalize close to JSON.parse speed.
 */
export function readVendor<S extends z.ZodType>(
	platform: string,
	schema: S,
	guard: (value: unknown) => value is z.output<S>,
	value: unknown,
	path: string,
): z.output<S> {
	return guard(value) ? value : parseVendor(platform, schema, value, path);
}

// Guard building blocks: each is at least as strict as its zod counterpart above.
export const isObject = isRecord;
export function optString(value: unknown): boolean {
	return value === undefined || typeof value === 'string';
}
export function optBoolean(value: unknown): boolean {
	return value === undefined || typeof value === 'boolean';
}
/** Matches `graphId.optional()` without coercion: absent or a non-empty string. */
export function optId(value: unknown): boolean {
	return value === undefined || (typeof value === 'string' && value !== '');
}
export function nonEmptyString(value: unknown): value is string {
	return typeof value === 'string' && value !== '';
}
/** Matches `graphTimestamp.optional()`. */
export function optTimestamp(value: unknown): boolean {
	return value === undefined || (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
}
export function optArray(value: unknown): boolean {
	return value === undefined || Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------
// Timestamps

/**
 * Unix milliseconds → ISO 8601 UTC, by arithmetic (civil-from-days) and lookup tables rather than
 * `Date#toISOString`, which costs a large share of parsing a small webhook body. The date prefix of
 * the last day seen is reused (batches share a day). Years after 9999 fall back to Date. Returns
 * undefined for values that are not a time.
 */
export function isoFromMillis(ms: number): string | undefined {
	if (!Number.isFinite(ms) || ms < 0) return undefined;
	const t = Math.round(ms);
	if (t > 253402300799999) return new Date(t).toISOString();
	const days = Math.floor(t / 86400000);
	let rest = t - days * 86400000;
	const hours = Math.floor(rest / 3600000);
	rest -= hours * 3600000;
	const minutes = Math.floor(rest / 60000);
	rest -= minutes * 60000;
	const seconds = Math.floor(rest / 1000);
	return `${datePrefix(days)}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}Z`;
}

const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let lastDay = -1;
let lastPrefix = '';

/** `YYYY-MM-DDT` for days since 1970-01-01 (Howard Hinnant's civil_from_days). */
function datePrefix(days: number): string {
	if (days === lastDay) return lastPrefix;
	const z = days + 719468;
	const era = Math.floor(z / 146097);
	const doe = z - era * 146097;
	const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
	const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
	const mp = Math.floor((5 * doy + 2) / 153);
	const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
	const month = mp < 10 ? mp + 3 : mp - 9;
	const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
	lastPrefix = `${String(year).padStart(4, '0')}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T`;
	lastDay = days;
	return lastPrefix;
}

/** A Meta timestamp (number or digit string) in seconds → ISO; undefined when it is not one. */
export function isoFromSeconds(value: string | number): string | undefined {
	const seconds = typeof value === 'number' ? value : value === '' ? Number.NaN : Number(value);
	return isoFromMillis(seconds * 1000);
}

/**
 * A Messenger Platform timestamp: documented in milliseconds, but values below 10^11 can only be
 * seconds (year 5138 in ms), which some Instagram deliveries use.
 */
export function isoFromMetaTime(value: string | number): string | undefined {
	const n = typeof value === 'number' ? value : value === '' ? Number.NaN : Number(value);
	return isoFromMillis(n < 1e11 ? n * 1000 : n);
}

// ---------------------------------------------------------------------------------------------------
// Graph errors (providers.md §0.2, §4.3, §8.2)

/**
 * Whether sending again may succeed, for Graph codes that mean the same on every Meta product.
 * `undefined` when the code gives no hint either way.
 */
export function graphErrorRetryable(code: number): boolean | undefined {
	switch (code) {
		case 1: // unknown error
		case 2: // service temporarily unavailable
		case 4: // app-level call rate limit
		case 17: // user-level call rate limit
		case 32: // page-level call rate limit
		case 613: // call rate limit (Messenger send)
		case 1200: // temporary send failure (Messenger)
		case 80007: // WABA rate limit
			return true;
		case 0: // auth exception
		case 3: // capability
		case 10: // permission denied / outside the messaging window
		case 100: // invalid parameter
		case 190: // access token expired
		case 368: // temporarily blocked for policy violations
		case 551: // this person isn't available right now
			return false;
		default:
			if (code >= 200 && code <= 299) return false; // permission errors
			return undefined;
	}
}

// ---------------------------------------------------------------------------------------------------
// Send-API text limits

/** Cuts `text` to at most `max` UTF-16 units without leaving half of a surrogate pair. */
export function clip(text: string, max: number): string {
	if (text.length <= max) return text;
	let end = max;
	const code = text.charCodeAt(end - 1);
	if (code >= 0xd800 && code <= 0xdbff) end -= 1;
	return text.slice(0, end);
}

/**
 * Splits text longer than the API allows into several messages, preferring a line break, then a
 * space, in the second half of each chunk; never splits a surrogate pair.
 */
export function splitText(text: string, max: number): string[] {
	if (text.length <= max) return [text];
	const chunks: string[] = [];
	let rest = text;
	while (rest.length > max) {
		const window = clip(rest, max);
		let cut = window.lastIndexOf('\n');
		if (cut < max / 2) cut = window.lastIndexOf(' ');
		if (cut < max / 2) cut = window.length;
		chunks.push(rest.slice(0, cut));
		rest = rest.slice(cut);
		if (rest.startsWith('\n') || rest.startsWith(' ')) rest = rest.slice(1);
	}
	if (rest !== '') chunks.push(rest);
	return chunks;
}

/** The send APIs turn on link previews per message; a cheap check instead of a URL regex. */
export function containsUrl(text: string): boolean {
	return text.includes('https://') || text.includes('http://');
}
