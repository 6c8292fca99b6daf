/**
 * Reschedule: moves a message's send time (the "Set sendTime" step of seed 000, done again). Allowed
 * while the message waits (draft or approved); the change and who made it are recorded.
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { ScheduleQueue } from '../../../../core/queue';
import { dateTimeParameter, messageIdParameter, messageIdProperty, optionalString, ParameterError, toItemJson, withPairedItem } from './shared';

const properties: INodeProperties[] = [
	messageIdProperty('reschedule'),
	{
		displayName: 'New Send Time',
		name: 'newSendTime',
		type: 'string',
		default: '={{ $json.sendTime }}',
		required: true,
		placeholder: 'e.g. 2026-05-28T14:30:00Z',
		description:
			'When the message should be sent instead: ISO 8601, or an expression such as {{ $now.plus({ days: 1 }) }}. Without a time zone offset it is read in the workflow time zone.',
	},
	{
		displayName: 'Changed By',
		name: 'changedBy',
		type: 'string',
		default: '',
		placeholder: 'e.g. dana.ortiz@example.com',
		description: 'Who moved the message, kept for the audit trail',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['reschedule'] } }, properties);

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = messageIdParameter.call(this, itemIndex);
	const sendTime = dateTimeParameter(this.getNodeParameter('newSendTime', itemIndex), 'New Send Time', this.getTimezone());
	if (!sendTime) throw new ParameterError('"New Send Time" is empty', 'Enter the new send time, e.g. 2026-05-28T14:30:00Z, or map it with an expression.');
	const by = optionalString(this.getNodeParameter('changedBy', itemIndex, ''));
	const message = await queue.reschedule(id, sendTime, by ? { by } : undefined);
	return [withPairedItem(toItemJson(message), itemIndex)];
}
