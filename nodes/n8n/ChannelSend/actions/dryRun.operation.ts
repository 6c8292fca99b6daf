/**
 * Dry Run: everything Send checks — the message, the routes, the credentials' values, the rendering
 * for the first provider of the route — and, per item, exactly what would be sent (preview: provider,
 * channel, recipient, request bodies) and what would be degraded. Nothing leaves n8n and no queue is
 * touched.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { sendItems, type BatchContext, type Outcome } from './batch';

export const description: INodeProperties[] = [
	{
		displayName:
			'Nothing is sent: each item comes out with status "dry_run" and a preview of exactly what would be sent (provider, channel, recipient, request bodies), after the same checks as Send',
		name: 'dryRunNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['dryRun'] } },
	},
];

export async function execute(this: IExecuteFunctions, context: Omit<BatchContext, 'dryRun'>, items: INodeExecutionData[]): Promise<Array<Outcome | undefined>> {
	return await sendItems.call(this, { ...context, dryRun: true, queue: undefined }, items);
}
