/**
 * Twilio `X-Twilio-Signature` (providers.md §1.6, after twilio-node `webhooks.ts`).
 *
 * signature = base64(HMAC-SHA1(authToken, url + params)) where
 * - url is the full URL Twilio called (scheme, host, optional port, path, query string), exactly;
 * - params, for form-encoded bodies, is every body parameter name + value, names sorted by code unit,
 *   a repeated name contributing each distinct value in sorted order; nothing for GET (params are in
 *   the URL);
 * - JSON bodies: Twilio appends `bodySHA256=<hex sha256(raw body)>` to the URL and signs the URL alone;
 *   the hash is then compared with the raw body separately.
 *
 * URL leniency, as twilio-node: the URL as given, plus the same URL with the scheme's default port
 * added (when it has none) or removed (when it has exactly that port), each also in WHATWG-normalised
 * form (`new URL().toString()`, which is what twilio-node signs). A different port, path or query does
 * not verify. (twilio-node's removePort strips any port; only the default one is dropped here.)
 */
import { createHash, createHmac } from 'node:crypto';
import type { WebhookRequest, WebhookSecrets } from '../types';
import { OK, badRequest, bytesEqual, header, missingSecret, present, unauthorized, type VerifyResult } from './shared';

const HEADER = 'X-Twilio-Signature';

export function verifyTwilio(request: WebhookRequest, secrets: WebhookSecrets): VerifyResult {
	const token = secrets.twilio?.authToken;
	if (!present(token)) return missingSecret('twilio', 'set the account Auth Token in the Twilio credential');
	const signature = header(request, HEADER);
	if (!present(signature)) return unauthorized(`missing ${HEADER} header`);

	let parsed: URL;
	try {
		parsed = new URL(request.url);
	} catch {
		return badRequest('twilio signature cannot be checked: the request URL is not an absolute URL');
	}
	const candidates = urlCandidates(request.url);
	const bodyHash = parsed.searchParams.get('bodySHA256');
	const presented = Buffer.from(signature.trim(), 'utf8');

	if (bodyHash !== null) {
		// JSON body: the URL (which carries the body hash) is signed with no parameters.
		if (!candidates.some((url) => bytesEqual(presented, sign(token, url)))) {
			return unauthorized(`${HEADER} does not match the request URL (twilio auth token)`);
		}
		const actual = Buffer.from(createHash('sha256').update(request.rawBody).digest('hex'), 'utf8');
		if (!bytesEqual(Buffer.from(bodyHash.toLowerCase(), 'utf8'), actual)) {
			return unauthorized('twilio bodySHA256 in the URL does not match the raw body');
		}
		return OK;
	}

	const params = request.method.toUpperCase() === 'GET' ? '' : formParams(request.rawBody);
	if (!candidates.some((url) => bytesEqual(presented, sign(token, url + params)))) {
		return unauthorized(`${HEADER} does not match the request URL and form parameters (twilio auth token)`);
	}
	return OK;
}

function sign(token: string, data: string): Buffer {
	return Buffer.from(createHmac('sha1', token).update(data, 'utf8').digest('base64'), 'utf8');
}

/** name + value for every parameter, names sorted, repeated names' distinct values sorted. */
export function formParams(rawBody: Buffer): string {
	const byName = new Map<string, string[]>();
	for (const [name, value] of new URLSearchParams(rawBody.toString('utf8'))) {
		const values = byName.get(name);
		if (values) values.push(value);
		else byName.set(name, [value]);
	}
	let out = '';
	for (const name of [...byName.keys()].sort()) {
		const values = byName.get(name)!;
		const distinct = values.length === 1 ? values : [...new Set(values)].sort();
		for (const value of distinct) out += name + value;
	}
	return out;
}

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** The URL as given, with / without the scheme's default port, and their WHATWG-normalised forms. */
export function urlCandidates(url: string): string[] {
	const out = new Set<string>([url]);
	const match = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s.exec(url);
	if (match) {
		const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
		const defaultPort = DEFAULT_PORT[scheme.slice(0, -2).toLowerCase()];
		if (defaultPort) {
			const portMatch = /^(.*?)(?::(\d*))?$/s.exec(authority)!;
			const hostPart = portMatch[1]!;
			const port = portMatch[2];
			// An IPv6 literal's colons sit inside brackets; the port regex above only takes digits after the last ':'.
			if (port === undefined || port === '') out.add(`${scheme}${hostPart}:${defaultPort}${rest}`);
			else if (port === defaultPort) out.add(`${scheme}${hostPart}${rest}`);
		}
	}
	for (const candidate of [...out]) {
		try {
			out.add(new URL(candidate).toString());
		} catch {
			// keep the string forms only
		}
	}
	return [...out];
}
