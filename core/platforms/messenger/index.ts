/**
 * Facebook Messenger (Messenger Platform, `object: "page"` webhooks, `POST /me/messages`).
 *
 * A bare verification GET (`hub.mode=subscribe…`) is claimed by the WhatsApp adapter only, because
 * the query is identical for all Meta products and detection must never be ambiguous; this adapter
 * answers it when the platform is named explicitly.
 */
import type { ParsedRequest } from '../../request';
import type { Detection, NormalizeContext, NormalizeOutput, PlatformAdapter } from '../types';
import { META_OBJECTS, detectMetaObject, isMetaSubscribeRequest, readMetaHandshake } from '../shared/meta';
import { normalizeMessagingPlatform, type MessagingFlavor } from './normalize';
import { messagingCapabilities, renderMessagingPlatform, type SendFlavor } from './render';

const flavor: MessagingFlavor = { platform: 'messenger', channel: 'messenger', object: META_OBJECTS.messenger, entryIdKey: 'page_id' };

const sendFlavor: SendFlavor = {
	platform: 'messenger',
	textLimit: 2000,
	buttonActions: new Set(['reply', 'url', 'call']),
	reactions: 'emoji',
};

function detect(request: ParsedRequest): Detection {
	if (isMetaSubscribeRequest(request)) {
		return { match: false, reason: 'a Meta verification GET is answered by whatsapp; set platform "messenger" to answer it here' };
	}
	return detectMetaObject(request, META_OBJECTS.messenger);
}

function normalize(request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	const handshake = readMetaHandshake('messenger', request);
	if (handshake) return { messages: [], events: [], handshake };
	return normalizeMessagingPlatform(flavor, request, context);
}

export const messengerAdapter: PlatformAdapter = {
	id: 'messenger',
	name: 'Facebook Messenger',
	channel: 'messenger',
	detect,
	normalize,
	renderCapabilities: messagingCapabilities(sendFlavor, ['image', 'video', 'audio', 'voice', 'document']),
	render: (message, options, report) => renderMessagingPlatform(sendFlavor, message, options, report),
};
