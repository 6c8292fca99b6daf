/**
 * Google Chat: HTTP endpoint app events in (providers.md §7.3, Chat app and Workspace add-on
 * envelopes); Chat API / incoming webhook Message bodies out (§7.1, §7.2).
 */
import type { ParsedRequest } from '../../request';
import { isRecord } from '../../util/object';
import type { Detection, PlatformAdapter } from '../types';
import { convertGoogleChatRequest } from './normalize';
import { googleChatCapabilities, renderGoogleChat } from './render';

function isSpaceName(value: unknown): boolean {
	return typeof value === 'string' && value.startsWith('spaces/');
}

/**
 * A Chat app event has an upper-case `type` and names its space (`spaces/…`), directly or through
 * its message; an add-on event has `chat` with a `…Payload` (or user + eventTime) beside
 * `commonEventObject`. An outbound Message body (text/cardsV2/thread) has no event type.
 */
export function detectGoogleChat(request: ParsedRequest): Detection {
	const body = request.body;
	if (request.bodyKind === 'json' && isRecord(body)) {
		if (typeof body.type === 'string') {
			const space = isRecord(body.space) ? body.space.name : undefined;
			const message = isRecord(body.message) ? body.message : undefined;
			if (isSpaceName(space) || (message && (isSpaceName(message.name) || (isRecord(message.space) && isSpaceName(message.space.name))))) return { match: true };
		}
		const chat = body.chat;
		if (isRecord(chat) && (isRecord(body.commonEventObject) || Object.keys(chat).some((k) => k.endsWith('Payload')))) return { match: true };
	}
	return { match: false, reason: 'no Chat event naming a space (spaces/…) and no add-on event with chat.*Payload' };
}

export const googleChatAdapter: PlatformAdapter = {
	id: 'googlechat',
	name: 'Google Chat',
	channel: 'googlechat',
	detect: detectGoogleChat,
	normalize: convertGoogleChatRequest,
	renderCapabilities: googleChatCapabilities,
	render: renderGoogleChat,
};
