import { createHash } from 'node:crypto';

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
	const hash = createHash('sha256').update(identity.map((p) => (p === undefined ? '' : String(p))).join('\u0000')).digest('hex');
	return `${platform}:${hash.slice(0, 32)}`;
}
