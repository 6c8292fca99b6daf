/**
 * WhatsApp Cloud API (Meta Graph): inbound `whatsapp_business_account` webhooks, the subscription
 * handshake, and send-API bodies.
 *
 * Detection of a bare verification GET: the query alone cannot tell WhatsApp from Messenger or
 * Instagram (Meta sends the same `hub.*` parameters to all three), and detection must never be
 * ambiguous. WhatsApp is the one adapter that claims it; the Messenger and Instagram adapters answer
 * it only when named explicitly. The answer (echo the challenge) is the same whichever adapter gives it.
 */
import type { ParsedRequest } from '../../request';
import type { Detection, NormalizeContext, NormalizeOutput, PlatformAdapter } from '../types';
import { META_OBJECTS, detectMetaObject, isMetaSubscribeRequest, readMetaHandshake } from '../shared/meta';
import { normalizeWhatsApp } from './normalize';
import { renderWhatsApp, whatsappRenderCapabilities } from './render';

function detect(request: ParsedRequest): Detection {
	if (isMetaSubscribeRequest(request)) return { match: true };
	return detectMetaObject(request, META_OBJECTS.whatsapp);
}

function normalize(request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	const handshake = readMetaHandshake('whatsapp', request);
	if (handshake) return { messages: [], events: [], handshake };
	return normalizeWhatsApp(request, context);
}

export const whatsappAdapter: PlatformAdapter = {
	id: 'whatsapp',
	name: 'WhatsApp Cloud API',
	channel: 'whatsapp',
	detect,
	normalize,
	renderCapabilities: whatsappRenderCapabilities,
	render: renderWhatsApp,
};
