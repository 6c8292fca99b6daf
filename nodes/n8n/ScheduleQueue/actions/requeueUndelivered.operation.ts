/**
 * Requeue Undelivered ("Hand Back Undelivered"): issue 5's "not delivered after N minutes → hand back
 * to Channel Send's fallback". Messages on a channel that are still "sent" — the provider accepted
 * them, but no delivered, read or failure report came — more than N minutes after they were sent go
 * back to the queue on the fallback channel, due at once, with a log row each; the next Claim Due
 * hands them to Channel Send, which sends them through the fallback channel's route. Outputs one
 * item: { moved, skipped } (skipped: messages without an address on the fallback channel, with why).
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { RequeueUndeliveredOptions, ScheduleQueue } from '../../../../core/queue';
import { CHANNELS } from '../../../../core/schema/message';
import { numberParameter, optionalString, requiredString, toItemJson, withPairedItem } from './shared';

const channelOptions = [...CHANNELS].sort().map((channel) => ({ name: channel, value: channel }));

const properties: INodeProperties[] = [
	{
		displayName:
			'Run it on a schedule (e.g. every 5 minutes). Between phone channels (SMS, MMS, WhatsApp) the number is kept; email ↔ phone needs the other address in the message (metadata.failover.<channel>.to), else the message is skipped with the reason. A delivery report of the old send that arrives before the fallback was sent marks the message delivered instead.',
		name: 'requeueUndeliveredNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Channel',
		name: 'undeliveredChannel',
		type: 'options',
		options: channelOptions,
		default: 'whatsapp',
		description: 'The channel whose undelivered messages are handed back',
	},
	{
		displayName: 'Not Delivered After (Minutes)',
		name: 'undeliveredMinutes',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 10,
		description: 'Hand back messages still "sent" (no delivered, read or failure report) this many minutes after they were sent',
	},
	{
		displayName: 'Fallback Channel',
		name: 'fallbackChannel',
		type: 'options',
		options: channelOptions,
		default: 'sms',
		description: "The channel to send them on instead: Channel Send uses this channel's route. Must differ from Channel.",
	},
	{
		displayName: 'Options',
		name: 'requeueOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Handed Back By',
				name: 'by',
				type: 'string',
				default: '',
				placeholder: 'e.g. fallback-schedule',
				description: 'Who or which schedule handed them back, kept in the log row',
			},
			{
				displayName: 'Max Messages',
				name: 'maxMessages',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 1000 },
				default: 100,
				description: 'Max number of messages to move in one run, oldest send first',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { operation: ['requeueUndelivered'] } }, properties);

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('requeueOptions', itemIndex, {}) as { by?: string; maxMessages?: number };
	const request: RequeueUndeliveredOptions = {
		channel: requiredString(this.getNodeParameter('undeliveredChannel', itemIndex), 'Channel', 'Choose the channel whose undelivered messages are handed back, e.g. whatsapp.'),
		olderThanMinutes: numberParameter(this.getNodeParameter('undeliveredMinutes', itemIndex), 'Not Delivered After (Minutes)', { min: 1 }),
		fallbackChannel: requiredString(this.getNodeParameter('fallbackChannel', itemIndex), 'Fallback Channel', 'Choose the channel to send them on instead, e.g. sms.'),
	};
	if (options.maxMessages !== undefined) request.limit = numberParameter(options.maxMessages, 'Max Messages', { min: 1, max: 1000, integer: true });
	const by = optionalString(options.by);
	if (by) request.by = by;
	const result = await queue.requeueUndelivered(request);
	return [withPairedItem(toItemJson(result), itemIndex)];
}
