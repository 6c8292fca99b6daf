/**
 * Test-only: the message activity a Teams bot receives when another bot's rendered activity is
 * posted into the conversation — the outbound activity (text, textFormat, attachments, replyToId)
 * wrapped with what the Bot Framework service adds: id, timestamp, serviceUrl, channelId, from,
 * recipient and the full conversation.
 */
import type { PlatformPayload } from '../../../core/platforms/types';
import type { InboundRequest } from '../../../core/request';

type Json = Record<string, unknown>;

export const SERVICE_URL = 'https://smba.trafficmanager.net/emea/8f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b/';
export const SENDER_BOT = { id: '28:aaaabbbb-0000-4000-8000-000000000001', name: 'Acme Notifier' };
export const RECEIVER_BOT = { id: '28:ccccdddd-0000-4000-8000-000000000002', name: 'Receiver Bot' };
const TENANT = '8f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

export function deliverTeams(payloads: readonly PlatformPayload[], options: { firstId?: number; timestamp?: string } = {}): InboundRequest[] {
	let id = options.firstId ?? 1779979300000;
	return payloads.map((payload) => {
		if (!payload.endpoint.startsWith('v3/conversations/')) throw new Error(`deliverTeams: ${payload.endpoint} is not a Bot Framework activity`);
		const sent = payload.body;
		const conversation = (sent.conversation as Json | undefined) ?? {};
		const activity: Json = {
			...sent,
			id: String(id++),
			timestamp: options.timestamp ?? '2026-05-28T14:55:00.1234567Z',
			serviceUrl: SERVICE_URL,
			channelId: 'msteams',
			from: SENDER_BOT,
			recipient: RECEIVER_BOT,
			conversation: { conversationType: 'personal', tenantId: TENANT, ...conversation },
			channelData: { tenant: { id: TENANT } },
		};
		return { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer test' }, body: Buffer.from(JSON.stringify(activity)) };
	});
}
