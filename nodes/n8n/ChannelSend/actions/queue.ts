/**
 * "Complete in Schedule Queue": a claimed scheduled message is marked sent (Complete) or failed (Fail:
 * retried later per the message's retry policy, or dead) in the queue it came from, with the send's
 * attempts in the delivery log — what the processor template otherwise does with two more nodes.
 *
 * The store is chosen exactly as in the Schedule Queue node (same parameters, same shared open
 * queue per process: nodes/shared/queue-host.ts), and reports carry this process's worker id, the
 * one Claim Due used by default.
 *
 * Sending and reporting are the core's sendClaimed: one delivery-log row per attempt (retries and
 * fallbacks included), written with the outcome in one statement.
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { PROCESS_WORKER_ID, storeProperties } from '../../ScheduleQueue/actions/store';

export const queueProperties: INodeProperties[] = [
	{
		displayName: 'Complete in Schedule Queue',
		name: 'completeInQueue',
		type: 'boolean',
		default: false,
		description:
			'Whether to mark scheduled messages claimed by a Schedule Queue node as sent or failed in their queue, with every attempt in the delivery log. A failed message is then retried later by the queue (or given up) and comes out with status "failed" instead of stopping the workflow. Other items are just sent.',
	},
	...updateDisplayOptions({ show: { completeInQueue: [true] } }, storeProperties),
	{
		displayName: 'Queue Worker ID',
		name: 'queueWorkerId',
		type: 'string',
		default: '',
		placeholder: 'e.g. n8n-main',
		description: 'The Worker ID the Claim Due step used, if it was given one. Empty: the ID of this n8n process (what Claim Due uses by default).',
		displayOptions: { show: { completeInQueue: [true] } },
	},
];

export function queueWorkerId(this: IExecuteFunctions): string {
	const value = this.getNodeParameter('queueWorkerId', 0, '');
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : PROCESS_WORKER_ID;
}
