/**
 * Reject: the reviewer's decision not to send (Dynamics "Reject messages → status = 'cancelled'").
 * Works on drafts and approved messages that have not started sending; who, when and why are kept.
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { ScheduleQueue } from '../../../../core/queue';
import { messageIdParameter, messageIdProperty, optionalString, requiredString, toItemJson, withPairedItem } from './shared';

const properties: INodeProperties[] = [
	messageIdProperty('reject'),
	{
		displayName: 'Rejected By',
		name: 'rejectedBy',
		type: 'string',
		default: '={{ $json.rejectedBy }}',
		required: true,
		placeholder: 'e.g. dana.ortiz@example.com',
		description: 'Who rejected the message (name, email or user ID), kept on the message for the audit trail',
	},
	{
		displayName: 'Reason',
		name: 'rejectionReason',
		type: 'string',
		default: '={{ $json.reason }}',
		placeholder: 'e.g. Wrong recipient',
		description: 'Why the message is not sent, kept on the message',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['reject'] } }, properties);

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = messageIdParameter.call(this, itemIndex);
	const by = requiredString(this.getNodeParameter('rejectedBy', itemIndex), 'Rejected By', 'Say who rejects, e.g. map {{ $json.rejectedBy }} from the review form, or type a name.');
	const reason = optionalString(this.getNodeParameter('rejectionReason', itemIndex, ''));
	const message = await queue.reject(id, reason ? { by, reason } : { by });
	return [withPairedItem(toItemJson(message), itemIndex)];
}
