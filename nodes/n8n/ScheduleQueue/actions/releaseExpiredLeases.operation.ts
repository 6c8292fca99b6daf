/**
 * Release Expired Leases: recovery after a crash. Messages a run claimed but never completed or
 * failed (n8n restarted, the workflow stopped) become due again once their lease has expired. Claim
 * Due does this too; a separate step is for a maintenance schedule or a dashboard count.
 */
import { updateDisplayOptions, type INodeExecutionData, type INodeProperties, type IExecuteFunctions } from 'n8n-workflow';
import type { ScheduleQueue } from '../../../../core/queue';
import { withPairedItem } from './shared';

const properties: INodeProperties[] = [
	{
		displayName:
			'Messages stuck in "sending" because a run stopped before Complete or Fail go back to the queue once their lease has expired. Outputs one item: { released }.',
		name: 'releaseNotice',
		type: 'notice',
		default: '',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['releaseExpiredLeases'] } }, properties);

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number): Promise<INodeExecutionData[]> {
	const released = await queue.releaseExpiredLeases();
	return [withPairedItem({ released }, itemIndex)];
}
