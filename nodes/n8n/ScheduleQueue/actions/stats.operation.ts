/**
 * Stats: delivery statistics per channel over a period (seed 003 "Get Channel Statistics"): attempts,
 * successes, failures, success rate, average response time, cost and fallback count. One item per
 * channel that had attempts in the period (or one item for the channel asked for).
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { ScheduleQueue } from '../../../../core/queue';
import { dateTimeParameter, optionalString, ParameterError, toItemJson, withPairedItem } from './shared';

const properties: INodeProperties[] = [
	{
		displayName: 'Period From',
		name: 'periodFrom',
		type: 'string',
		default: '={{ $now.minus({ days: 7 }).toISO() }}',
		required: true,
		placeholder: 'e.g. 2026-01-01T00:00:00Z',
		description: 'Start of the period (attempts at or after this time). The default is 7 days ago.',
	},
	{
		displayName: 'Period To',
		name: 'periodTo',
		type: 'string',
		default: '={{ $now.toISO() }}',
		required: true,
		placeholder: 'e.g. 2026-01-31T23:59:59Z',
		description: 'End of the period (attempts before this time). The default is now.',
	},
	{
		displayName: 'Channel',
		name: 'statsChannel',
		type: 'string',
		default: '',
		placeholder: 'e.g. sms',
		description: 'Only this channel: one item, also when it had no attempts. Empty: one item per channel that had attempts.',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['stats'] } }, properties);

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number): Promise<INodeExecutionData[]> {
	const timeZone = this.getTimezone();
	const from = dateTimeParameter(this.getNodeParameter('periodFrom', itemIndex), 'Period From', timeZone);
	const to = dateTimeParameter(this.getNodeParameter('periodTo', itemIndex), 'Period To', timeZone);
	if (!from || !to) throw new ParameterError(`"${from ? 'Period To' : 'Period From'}" is empty`, 'Enter both ends of the period, e.g. 2026-01-01T00:00:00Z.');
	if (from > to) throw new ParameterError(`"Period From" (${from}) is after "Period To" (${to})`, 'Swap the two dates.');
	const channel = optionalString(this.getNodeParameter('statsChannel', itemIndex, ''));
	const stats = await queue.stats(channel ? { from, to, channel } : { from, to });
	return stats.map((row) => withPairedItem(toItemJson(row), itemIndex));
}
