/**
 * What WhatsApp Cloud API, Messenger and Instagram Direct share because they are all Meta webhooks
 * and Graph send APIs:
 *
 * - the envelope `{object, entry: [...]}` where `object` names the product
 *   (`whatsapp_business_account`, `page`, `instagram`);
 * - the subscription handshake: a GET with `hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`
 *   answered with the bare challenge (providers.md §4.5, §8.3);
 * - Graph error codes that mean the same thing on every product.
 */
import { z } from 'zod/v4';
import { MalformedBodyError, PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import type { Detection, Handshake } from '../types';
import { isRecord } from '../../util/object';
import { fromUnixSeconds, isoFromMillis } from '../../util/time';
import { passThrough, readVendor, vendorSchema, type VendorSchema } from './vendor';

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

// Built once per object: zod schemas are costly to construct and compile, cheap to run.
type Envelope = VendorSchema<z.ZodType<{ object: string; entry: unknown[] }>>;
const envelopeSchemas = new Map<string, Envelope>();
function envelopeSchemaFor(object: string): Envelope {
	let schema = envelopeSchemas.get(object);
	if (!schema) {
		schema = vendorSchema(z.looseObject({ object: z.literal(object), entry: z.array(z.unknown()) }));
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
	const entries = readVendor(platform, envelopeSchemaFor(object), value, base).entry;
	const prefix = base === '' ? 'entry' : `${base}.entry`;
	for (let i = 0; i < entries.length; i += 1) out.push({ entry: entries[i], path: `${prefix}[${i}]` });
}

// ---------------------------------------------------------------------------------------------------
// Vendor value helpers

/**
 * Graph ids and timestamps are documented as strings but arrive as numbers from re-serialising
 * proxies. A non-empty string passes unchanged, so compiled guards (./vendor.ts) accept it as is and
 * only a number goes through zod to be turned into a string.
 */
export const graphId = passThrough(
	z.union([z.string().min(1), z.number()]).transform((v) => String(v)),
	z.string().min(1),
);

/** A unix timestamp as Meta sends it: seconds (WhatsApp, a digit string) or milliseconds (Messenger, a number). */
export const graphTimestamp = z.union([z.string().min(1), z.number().nonnegative()]);

// ---------------------------------------------------------------------------------------------------
// Timestamps (formatted by core/util/time.ts)

/** A Meta timestamp (number or digit string) in seconds → ISO; undefined when it is not one. */
export function isoFromSeconds(value: string | number): string | undefined {
	return value === '' ? undefined : fromUnixSeconds(value);
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
// Send APIs

/** The send APIs turn on link previews per message; a cheap check instead of a URL regex. */
export function containsUrl(text: string): boolean {
	return text.includes('https://') || text.includes('http://');
}
