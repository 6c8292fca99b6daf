/**
 * Test-only: what Vonage POSTs to the receiving application's inbound URL when a message rendered for
 * the Messages API reaches a Vonage-hosted recipient — the §9.2 inbound webhook built from the outbound
 * body (same channel, message_type and content object; `from`/`to` as sent).
 */
import type { PlatformPayload } from '../../../core/platforms/types';
import type { InboundRequest } from '../../../core/request';

let counter = 0;

function uuid(): string {
	counter += 1;
	return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One inbound webhook request per outbound payload, in order. */
export function deliverVonage(payloads: readonly PlatformPayload[], timestamp = '2026-05-28T15:30:00Z'): InboundRequest[] {
	return payloads.map((payload) => {
		const out = payload.body;
		const type = out.message_type;
		if (typeof type !== 'string') throw new Error('deliverVonage: message_type missing');
		const inbound: Record<string, unknown> = {
			channel: out.channel,
			message_uuid: uuid(),
			to: out.to,
			from: out.from,
			timestamp,
		};
		if (out.channel === 'whatsapp') inbound.profile = { name: 'Round Trip' };
		if (type === 'custom') {
			const custom = out.custom;
			if (!isRecord(custom) || custom.type !== 'location' || !isRecord(custom.location)) {
				throw new Error('deliverVonage: only custom locations arrive as an inbound message type');
			}
			const { latitude, longitude, name, address } = custom.location;
			inbound.message_type = 'location';
			inbound.location = { lat: latitude, long: longitude, name, address };
		} else if (type === 'template') {
			throw new Error('deliverVonage: a template is rendered by WhatsApp; the test double cannot deliver it');
		} else {
			inbound.message_type = type;
			inbound[type] = out[type];
		}
		if (isRecord(out.context)) inbound.context = { message_uuid: out.context.message_uuid, message_from: out.to };
		return {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: Buffer.from(JSON.stringify(inbound), 'utf8'),
		};
	});
}
