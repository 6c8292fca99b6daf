/**
 * Test-only: wraps Messenger Platform Send API bodies the way Meta delivers them to a webhook — an
 * `{object, entry:[{messaging:[…]}]}` envelope with one `messaging` item per body. By default the
 * item is what a receiving Page/account sees (sender = the sending side); with `echo: true` it is the
 * sending Page's own echo (`is_echo`, sender = Page, recipient = the person).
 *
 * Shared by Instagram (`object: "instagram"`), which delivers the same shapes.
 */
import type { PlatformPayload } from '../../../core/platforms/types';
import type { InboundRequest } from '../../../core/request';

export interface MessagingDeliverOptions {
	object?: 'page' | 'instagram';
	/** Id of the sending side (PSID/IGSID as the receiver sees it, or the Page when echoing). */
	senderId?: string;
	pageId?: string;
	echo?: boolean;
	/** Unix milliseconds of the first item; each further item is one second later. */
	timestamp?: number;
	bodyAs?: 'buffer' | 'string' | 'object';
}

type Json = Record<string, unknown>;

export function messagingItem(body: Json, index: number, options: MessagingDeliverOptions = {}): Json {
	const pageId = options.pageId ?? '100200300400500';
	const to = String((body.recipient as Json).id);
	const sender = options.echo ? pageId : (options.senderId ?? '7654321098765432');
	const recipient = options.echo ? to : pageId;
	const item: Json = { sender: { id: sender }, recipient: { id: recipient }, timestamp: (options.timestamp ?? 1779982000000) + index * 1000 };
	if (body.sender_action === 'react' || body.sender_action === 'unreact') {
		const payload = body.payload as Json;
		item.reaction = compact({
			mid: payload.message_id,
			action: body.sender_action,
			emoji: payload.reaction === 'love' ? '❤️' : payload.reaction,
			reaction: payload.reaction === 'love' ? 'love' : 'other',
		});
		return item;
	}
	const sent = body.message as Json;
	const message: Json = { mid: `m_roundtrip${index}` };
	if (options.echo) message.is_echo = true;
	if (sent.text !== undefined) message.text = sent.text;
	const attachment = sent.attachment as Json | undefined;
	if (attachment) {
		const payload = attachment.payload as Json;
		message.attachments = [
			attachment.type === 'template'
				? { type: 'template', payload }
				: { type: attachment.type, payload: { url: payload.url ?? `https://cdn.example.test/attachment/${String(payload.attachment_id)}` } },
		];
	}
	item.message = message;
	return item;
}

function compact(value: Json): Json {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

export function deliverMessaging(payloads: readonly PlatformPayload[], options: MessagingDeliverOptions = {}): InboundRequest {
	const envelope = {
		object: options.object ?? 'page',
		entry: [
			{
				id: options.pageId ?? '100200300400500',
				time: (options.timestamp ?? 1779982000000) + 500,
				messaging: payloads.map((p, i) => messagingItem(p.body, i, options)),
			},
		],
	};
	const json = JSON.stringify(envelope);
	const body = options.bodyAs === 'object' ? envelope : options.bodyAs === 'string' ? json : Buffer.from(json, 'utf8');
	return { method: 'POST', headers: { 'content-type': 'application/json' }, body };
}

export function deliverMessenger(payloads: readonly PlatformPayload[], options: Omit<MessagingDeliverOptions, 'object'> = {}): InboundRequest {
	return deliverMessaging(payloads, { ...options, object: 'page' });
}
