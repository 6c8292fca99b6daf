/**
 * Send: each item's message goes out through its channel's route — the primary provider, retried per
 * the retry strategy, then the fallbacks, then the failover channel — and comes out as the result:
 * status (sent, queued, failed), provider, external id, every attempt and what the platform could not
 * show (degradations). Claimed scheduled messages can be completed or failed in their queue.
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { sendItems, type BatchContext, type Outcome } from './batch';
import { queueProperties } from './queue';

export const description = updateDisplayOptions({ show: { operation: ['send'] } }, queueProperties);

export async function execute(this: IExecuteFunctions, context: Omit<BatchContext, 'dryRun'>, items: INodeExecutionData[]): Promise<Array<Outcome | undefined>> {
	return await sendItems.call(this, { ...context, dryRun: false }, items);
}
