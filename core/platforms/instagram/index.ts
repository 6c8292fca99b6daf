/**
 * Instagram Direct through the Messenger Platform (`object: "instagram"` webhooks, `POST /me/messages`
 * with a Page token or `/{ig-user-id}/messages` with an Instagram-Login token — same body).
 *
 * Conservative on send: button and generic templates only with postback/web_url buttons (no call
 * buttons), text-only quick replies, 1000-character texts, image/video/audio/file (PDF) attachments,
 * and only the "love" reaction. Everything else is degraded before or reported during render.
 *
 * A bare verification GET is claimed by the WhatsApp adapter only (see ../messenger/index.ts); this
 * adapter answers it when the platform is named explicitly.
 */
import type { ParsedRequest } from '../../request';
import type { Detection, NormalizeContext, NormalizeOutput, PlatformAdapter } from '../types';
import { META_OBJECTS, detectMetaObject, isMetaSubscribeRequest, readMetaHandshake } from '../shared/meta';
import { normalizeMessagingPlatform, type MessagingFlavor } from '../messenger/normalize';
import { messagingCapabilities, renderMessagingPlatform, type SendFlavor } from '../messenger/render';

const flavor: MessagingFlavor = { platform: 'instagram', channel: 'instagram', object: META_OBJECTS.instagram, entryIdKey: 'ig_id' };

const sendFlavor: SendFlavor = {
	platform: 'instagram',
	textLimit: 1000,
	buttonActions: new Set(['reply', 'url']),
	reactions: 'love',
};

function detect(request: ParsedRequest): Detection {
	if (isMetaSubscribeRequest(request)) {
		return { match: false, reason: 'a Meta verification GET is answered by whatsapp; set platform "instagram" to answer it here' };
	}
	return detectMetaObject(request, META_OBJECTS.instagram);
}

function normalize(request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	const handshake = readMetaHandshake('instagram', request);
	if (handshake) return { messages: [], events: [], handshake };
	return normalizeMessagingPlatform(flavor, request, context);
}

export const instagramAdapter: PlatformAdapter = {
	id: 'instagram',
	name: 'Instagram Direct',
	channel: 'instagram',
	detect,
	normalize,
	renderCapabilities: messagingCapabilities(sendFlavor, ['image', 'video', 'audio', 'voice', 'document']),
	render: (message, options, report) => renderMessagingPlatform(sendFlavor, message, options, report),
};
