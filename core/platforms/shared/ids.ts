import * as crypto from 'node:crypto';

/** Switchboard ids of normalized messages: stable across repeats of the same provider message. */
export function messageId(platform: string, providerMessageId: string): string {
	return `${platform}:${providerMessageId}`;
}

/**
 * Event ids: the provider's event id when it sends one, otherwise a hash of what identifies the event,
 * so a re-delivered status callback yields the same id (used for de-duplication downstream).
 */
export function eventId(platform: string, providerEventId: string | undefined, ...identity: Array<string | number | undefined>): string {
	if (providerEventId) return `${platform}:${providerEventId}`;
	const key = identity.map((part) => (part === undefined ? '' : String(part))).join('\u0000');
	return `${platform}:${sha256Hex(key).slice(0, 32)}`;
}

// crypto.hash (Node ≥ 20.12) is a one-shot digest without the Hash object: about half the cost of
// createHash on these short keys, and every receipt without a provider event id pays it.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
function sha256Hex(data: string): string {
	return oneShot ? oneShot('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}
