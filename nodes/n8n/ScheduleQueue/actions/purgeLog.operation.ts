/**
 * Purge Log: data retention (seed 000 "Proper cleanup of old message logs"). Deletes delivery-log rows
 * older than the given number of days; the scheduled messages themselves stay.
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { ScheduleQueue } from '../../../../core/queue';
import { numberParameter, withPairedItem } from './shared';

const properties: INodeProperties[] = [
	{
		displayName: 'Older Than (Days)',
		name: 'olderThanDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 90,
		description: 'Delete delivery-log rows (attempts) older than this many days. Outputs one item: { purged }.',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['purgeLog'] } }, properties);

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number): Promise<INodeExecutionData[]> {
	const olderThanDays = numberParameter(this.getNodeParameter('olderThanDays', itemIndex), 'Older Than (Days)', { min: 1 });
	const purged = await queue.purgeLog({ olderThanDays });
	return [withPairedItem({ purged, olderThanDays }, itemIndex)];
}
