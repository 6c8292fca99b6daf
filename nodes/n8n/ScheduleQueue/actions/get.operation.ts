/**
 * Get: one scheduled message with every delivery attempt logged for it (seed 003's "Get Delivery
 * Attempts for a Message"), e.g. to show a reviewer what happened. An unknown ID is an error.
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { ScheduleQueue } from '../../../../core/queue';
import { MessageNotFoundError } from '../../../../core';
import { messageIdParameter, messageIdProperty, toItemJson, withPairedItem } from './shared';

const properties: INodeProperties[] = [messageIdProperty('read')];

export const description = updateDisplayOptions({ show: { operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = messageIdParameter.call(this, itemIndex);
	const message = await queue.get(id);
	if (!message) throw new MessageNotFoundError(id);
	return [withPairedItem(toItemJson(message), itemIndex)];
}
