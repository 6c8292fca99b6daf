/**
 * Test-only: the MESSAGE event a Chat app in the space receives when another app's rendered message
 * is created there — the Message body (text, cardsV2, thread) as Google stores it, wrapped in the
 * HTTP endpoint app event with the space, the sending app as sender, and a generated resource name.
 * Apps only receive messages that mention them; the text is delivered as sent, with argumentText
 * equal to it (no mention to strip).
 */
import type { PlatformPayload } from '../../../core/platforms/types';
import type { InboundRequest } from '../../../core/request';

type Json = Record<string, unknown>;

export const SENDER_APP = { name: 'users/app-sender', displayName: 'Acme Notifier', type: 'BOT' };

function spaceOf(endpoint: string): string {
	const m = /^v1\/(spaces\/[^/?]+)\/messages/.exec(endpoint);
	return m ? m[1]! : 'spaces/AAQAwebhook';
}

export function deliverGoogleChat(payloads: readonly PlatformPayload[], options: { eventTime?: string } = {}): InboundRequest[] {
	let n = 1;
	return payloads.map((payload) => {
		if (payload.endpoint.includes('/reactions')) throw new Error('deliverGoogleChat: reactions are not delivered to apps');
		const body = payload.body;
		const space = { name: spaceOf(payload.endpoint), type: 'ROOM', spaceType: 'SPACE', displayName: 'Ops' };
		const id = `Dlv${n}`;
		n += 1;
		const thread = body.thread as Json | undefined;
		const time = options.eventTime ?? '2026-05-28T15:30:00.123456Z';
		const message: Json = {
			name: `${space.name}/messages/${id}.${id}`,
			sender: SENDER_APP,
			createTime: time,
			...(body.text !== undefined ? { text: body.text, argumentText: body.text, formattedText: body.text } : {}),
			...(body.cardsV2 !== undefined ? { cardsV2: body.cardsV2 } : {}),
			thread: { name: typeof thread?.name === 'string' ? thread.name : `${space.name}/threads/${id}`, ...(thread?.threadKey !== undefined ? { threadKey: thread.threadKey } : {}) },
			space: { name: space.name, type: space.type, spaceType: space.spaceType },
		};
		const event = { type: 'MESSAGE', eventTime: time, message, user: SENDER_APP, space, common: { hostApp: 'CHAT' } };
		return { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer test' }, body: Buffer.from(JSON.stringify(event)) };
	});
}
