/**
 * Complete: the message was handed to the provider (seed 000 "Log to messages_log, update status =
 * 'sent', set processedTime = utcNow()"). Writes the delivery-log row and marks the message sent, in
 * one transaction, and releases its lease.
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { ScheduleQueue } from '../../../../core/queue';
import { attemptDetailsProperty, attemptReport } from './attempt';
import { messageIdParameter, messageIdProperty, optionalString, toItemJson, withPairedItem } from './shared';

const properties: INodeProperties[] = [
	messageIdProperty('mark as sent'),
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'string',
		default: '={{ $json.provider }}',
		placeholder: 'e.g. sendgrid',
		description: 'Provider that sent the message (sendgrid, twilio, whatsapp…), as the send step reports it',
	},
	{
		displayName: 'External Message ID',
		name: 'externalId',
		type: 'string',
		default: '={{ $json.externalId }}',
		placeholder: 'e.g. SM123',
		description: "The provider's ID for the sent message (Twilio SID, WhatsApp wamid…), used to match delivery receipts later",
	},
	attemptDetailsProperty(),
];

export const description = updateDisplayOptions({ show: { operation: ['complete'] } }, properties);

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = messageIdParameter.call(this, itemIndex);
	const report = attemptReport.call(this, itemIndex);
	const externalId = optionalString(this.getNodeParameter('externalId', itemIndex, ''));
	if (externalId) report.externalId = externalId;
	const message = await queue.complete(id, report);
	return [withPairedItem(toItemJson(message), itemIndex)];
}
