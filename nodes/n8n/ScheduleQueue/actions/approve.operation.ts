/**
 * Approve: the reviewer's decision to send (Dynamics "Approve messages → status = 'revised'"). A draft
 * becomes approved and is sent once its send time comes; who approved it, when and the note are kept.
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { ScheduleQueue } from '../../../../core/queue';
import { messageIdParameter, messageIdProperty, optionalString, requiredString, toItemJson, withPairedItem } from './shared';

const properties: INodeProperties[] = [
	messageIdProperty('approve'),
	{
		displayName: 'Approved By',
		name: 'approvedBy',
		type: 'string',
		default: '={{ $json.approvedBy }}',
		required: true,
		placeholder: 'e.g. dana.ortiz@example.com',
		description: 'Who approved the message (name, email or user ID), kept on the message for the audit trail',
	},
	{
		displayName: 'Note',
		name: 'approvalNote',
		type: 'string',
		default: '',
		placeholder: 'e.g. Checked with the client',
		description: 'Optional comment kept with the approval',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['approve'] } }, properties);

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = messageIdParameter.call(this, itemIndex);
	const by = requiredString(this.getNodeParameter('approvedBy', itemIndex), 'Approved By', 'Say who approves, e.g. map {{ $json.approvedBy }} from the review form, or type a name.');
	const reason = optionalString(this.getNodeParameter('approvalNote', itemIndex, ''));
	const message = await queue.approve(id, reason ? { by, reason } : { by });
	return [withPairedItem(toItemJson(message), itemIndex)];
}
