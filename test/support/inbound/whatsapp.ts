/**
 * Test-only: wraps WhatsApp send-API bodies the way Meta would deliver them to the receiving
 * business's webhook — a `whatsapp_business_account` envelope whose `messages[]` carry `from`, `id`,
 * `timestamp`, `type` and the content object. Used by the round-trip property
 * normalize(deliver(render(m))).
 *
 * Media sent by link arrive with a media id (Meta re-hosts them) plus the `url` field newer deliveries
 * include; interactive and template bodies never arrive as such (the receiver sees a button tap
 * later), so they are refused here rather than invented.
 */
import type { PlatformPayload } from '../../../core/platforms/types';
import type { InboundRequest } from '../../../core/request';

export interface WhatsAppDeliverOptions {
	/** wa_id of the sender as the receiver sees it. */
	from?: string;
	name?: string;
	phoneNumberId?: string;
	/** Unix seconds of the first message; each further message is one second later. */
	timestamp?: number;
	/** Hand the body over as a Buffer (default), a string, or an already-parsed object. */
	bodyAs?: 'buffer' | 'string' | 'object';
}

const MEDIA = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const MIME: Record<string, string> = {
	image: 'image/jpeg',
	video: 'video/mp4',
	audio: 'audio/mpeg',
	document: 'application/pdf',
	sticker: 'image/webp',
};

type Json = Record<string, unknown>;

export function whatsappInboundMessage(body: Json, index: number, options: WhatsAppDeliverOptions = {}): Json {
	const type = body.type as string;
	const message: Json = {
		from: options.from ?? '15550009999',
		id: `wamid.roundtrip${index}`,
		timestamp: String((options.timestamp ?? 1779981200) + index),
		type,
	};
	const context = body.context as Json | undefined;
	if (context?.message_id) message.context = { from: String(body.to), id: context.message_id };
	const content = body[type] as Json;
	if (MEDIA.has(type)) {
		const media: Json = { mime_type: MIME[type], sha256: 'c2hhMjU2LXJvdW5kdHJpcA==', id: content.id ?? `media${index}` };
		if (content.link !== undefined) media.url = content.link;
		if (content.caption !== undefined) media.caption = content.caption;
		if (content.filename !== undefined) media.filename = content.filename;
		message[type] = media;
	} else if (type === 'text') {
		message.text = { body: (content as Json).body };
	} else if (type === 'location' || type === 'contacts' || type === 'reaction') {
		message[type] = content;
	} else {
		throw new Error(`a ${type} message is not delivered to the receiver as such`);
	}
	return message;
}

export function deliverWhatsApp(payloads: readonly PlatformPayload[], options: WhatsAppDeliverOptions = {}): InboundRequest {
	const to = String(payloads[0]?.body.to ?? '15550001234').replace(/^\+/, '');
	const envelope = {
		object: 'whatsapp_business_account',
		entry: [
			{
				id: '104857600123456',
				changes: [
					{
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: to, phone_number_id: options.phoneNumberId ?? '109876543210987' },
							contacts: [{ profile: { name: options.name ?? 'Round Trip' }, wa_id: options.from ?? '15550009999' }],
							messages: payloads.map((p, i) => whatsappInboundMessage(p.body, i, options)),
						},
						field: 'messages',
					},
				],
			},
		],
	};
	const json = JSON.stringify(envelope);
	const body = options.bodyAs === 'object' ? envelope : options.bodyAs === 'string' ? json : Buffer.from(json, 'utf8');
	return { method: 'POST', headers: { 'content-type': 'application/json' }, body };
}
