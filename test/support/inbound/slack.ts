/**
 * Test-only: what another Slack app subscribed to the channel receives when Switchboard's rendered
 * Web API calls run — an Events API `event_callback` per call: chat.postMessage → a `message` event
 * from a bot user (text = the fallback `text` as Slack stores it, blocks as sent, thread_ts),
 * reactions.add → `reaction_added`.
 */
import type { PlatformPayload } from '../../../core/platforms/types';
import type { InboundRequest } from '../../../core/request';

type Json = Record<string, unknown>;

export interface SlackDeliverOptions {
	/** Unix seconds of the first message ts. */
	firstTs?: number;
	channelType?: 'channel' | 'im' | 'mpim' | 'group';
}

export const SENDER_BOT_USER = 'U0SENDERBOT';
export const SENDER_BOT_ID = 'B0SENDERBOT';

export function deliverSlack(payloads: readonly PlatformPayload[], options: SlackDeliverOptions = {}): InboundRequest[] {
	let seconds = options.firstTs ?? 1779982000;
	let n = 0;
	return payloads.map((payload) => {
		const body = payload.body;
		const ts = `${seconds++}.000${String(100 + n).padStart(3, '0')}`;
		n += 1;
		const channel = String(body.channel ?? 'C0CHANNEL01');
		let event: Json;
		if (payload.endpoint === 'chat.postMessage') {
			event = {
				type: 'message',
				user: SENDER_BOT_USER,
				bot_id: SENDER_BOT_ID,
				app_id: 'A0SENDER01',
				text: body.text,
				ts,
				channel,
				event_ts: ts,
				channel_type: options.channelType ?? (channel.startsWith('D') ? 'im' : 'channel'),
				...(body.blocks !== undefined ? { blocks: body.blocks } : {}),
				...(body.thread_ts !== undefined ? { thread_ts: body.thread_ts, parent_user_id: 'U0HUMAN001' } : {}),
				bot_profile: { id: SENDER_BOT_ID, name: 'Acme Notifier', app_id: 'A0SENDER01' },
			};
		} else if (payload.endpoint === 'reactions.add') {
			event = { type: 'reaction_added', user: SENDER_BOT_USER, reaction: body.name, item: { type: 'message', channel, ts: body.timestamp }, item_user: 'U0HUMAN001', event_ts: ts };
		} else {
			throw new Error(`deliverSlack: ${payload.endpoint} is not simulated`);
		}
		const envelope = {
			token: 'legacyVerificationTokenXyz',
			team_id: 'T0EXAMPLE1',
			api_app_id: 'A0RECEIVER1',
			event,
			type: 'event_callback',
			event_id: `Ev0DELIVER${n}`,
			event_time: Math.floor(Number(ts)),
			authorizations: [{ enterprise_id: null, team_id: 'T0EXAMPLE1', user_id: 'U0RECEIVER', is_bot: true, is_enterprise_install: false }],
		};
		return { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(envelope)) };
	});
}
