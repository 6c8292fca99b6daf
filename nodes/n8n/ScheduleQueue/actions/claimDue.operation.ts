/**
 * Claim Due: the processor step. Takes up to Batch Size messages that are approved, whose send time
 * has come and whose next retry time (if any) has passed, marks them "sending" and leases them to
 * this run, in one transaction: no other run or worker gets the same message while the lease lasts.
 * One output item per claimed message; nothing due → no items (the rest of the flow does not run).
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { ClaimOptions, ScheduleQueue } from '../../../../core/queue';
import { numberParameter, optionalString, toItemJson, withPairedItem } from './shared';

const properties: INodeProperties[] = [
	{
		displayName:
			'Replaces the Power Automate step "List rows where status = revised and sendTime <= utcNow()". Each claimed message comes out as one item (status "sending"); send it, then report the outcome with a Schedule Queue node set to Complete or Fail.',
		name: 'claimDueNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Batch Size',
		name: 'batchSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1000 },
		default: 50,
		description: 'Max number of due messages to take in one run, oldest send time first (the messaging engine processes 50 per batch)',
	},
	{
		displayName: 'Lease Duration (Seconds)',
		name: 'leaseSeconds',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 86400 },
		default: 300,
		description:
			'How long this run owns the claimed messages. If the workflow stops before Complete or Fail, they become due again after this time (see Release Expired Leases). Make it longer than sending a whole batch takes.',
	},
	{
		displayName: 'Options',
		name: 'claimOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Only Channel',
				name: 'channel',
				type: 'string',
				default: '',
				placeholder: 'e.g. email',
				description: 'Claim only messages of this channel (e.g. one workflow per channel)',
			},
			{
				displayName: 'Worker ID',
				name: 'workerId',
				type: 'string',
				default: '',
				placeholder: 'e.g. n8n-main',
				description:
					'Name recorded as the lease owner. Empty: the ID of this n8n process. When set, give the same Worker ID to Complete and Fail (under Attempt Details).',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { operation: ['claimDue'] } }, properties);

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('claimOptions', itemIndex, {}) as { channel?: string; workerId?: string };
	const claim: ClaimOptions = {
		batchSize: numberParameter(this.getNodeParameter('batchSize', itemIndex), 'Batch Size', { min: 1, max: 1000, integer: true }),
		leaseSeconds: numberParameter(this.getNodeParameter('leaseSeconds', itemIndex), 'Lease Duration (Seconds)', { min: 1, max: 86400 }),
	};
	const channel = optionalString(options.channel);
	if (channel) claim.channel = channel;
	const workerId = optionalString(options.workerId);
	if (workerId) claim.workerId = workerId;
	const claimed = await queue.claimDue(claim);
	return claimed.map((message) => withPairedItem(toItemJson(message), itemIndex));
}
