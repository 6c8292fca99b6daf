/**
 * Schedule Queue (n8n): the thin n8n shell around the core's Schedule Queue (core/queue). Scheduled
 * messages that people review, a processor that claims what is approved and due, retries, and a log
 * of every attempt — the Power Automate "scheduled messages" process of seed 000 as n8n steps.
 *
 * The store is embedded by default (nothing to set up); PostgreSQL through n8n's own Postgres
 * credential or a Switchboard PostgreSQL connection string. Defaults make the processor step one
 * node: Claim Due, batch 50, lease 300 s. All logic lives in the core; this file only describes the
 * node, and ./actions holds one file per operation.
 *
 * Approval Links / Approval Request (docs/approval.md) use the "Switchboard Approval Links" credential
 * (signing secret, public URL of the approval page, link lifetime), asked for only by those two.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { APPROVAL_CREDENTIAL, APPROVAL_OPERATIONS } from './actions/approval';
import * as approvalLinks from './actions/approvalLinks.operation';
import * as approvalRequest from './actions/approvalRequest.operation';
import * as approve from './actions/approve.operation';
import * as claimDue from './actions/claimDue.operation';
import * as complete from './actions/complete.operation';
import { BUILT_IN_POSTGRES_CREDENTIAL, CONNECTION_TEST, SWITCHBOARD_POSTGRES_CREDENTIAL, credentialTest } from './actions/connection';
import * as enqueue from './actions/enqueue.operation';
import * as fail from './actions/fail.operation';
import * as get from './actions/get.operation';
import * as list from './actions/list.operation';
import * as purgeLog from './actions/purgeLog.operation';
import * as reject from './actions/reject.operation';
import * as releaseExpiredLeases from './actions/releaseExpiredLeases.operation';
import * as requeueUndelivered from './actions/requeueUndelivered.operation';
import * as reschedule from './actions/reschedule.operation';
import { router } from './actions/router';
import * as stats from './actions/stats.operation';
import { storeProperties } from './actions/store';

export class ScheduleQueue implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Schedule Queue',
		name: 'scheduleQueue',
		icon: 'file:switchboard.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Scheduled messages with approvals, due-time claiming, retries and a delivery log',
		defaults: {
			name: 'Schedule Queue',
		},
		inputs: ['main'],
		outputs: ['main'],
		credentials: [
			{
				name: BUILT_IN_POSTGRES_CREDENTIAL,
				required: true,
				displayOptions: { show: { storeType: ['postgres'], postgresCredential: [BUILT_IN_POSTGRES_CREDENTIAL] } },
			},
			{
				name: SWITCHBOARD_POSTGRES_CREDENTIAL,
				required: true,
				testedBy: CONNECTION_TEST,
				displayOptions: { show: { storeType: ['postgres'], postgresCredential: [SWITCHBOARD_POSTGRES_CREDENTIAL] } },
			},
			{
				name: APPROVAL_CREDENTIAL,
				required: true,
				displayOptions: { show: { operation: [...APPROVAL_OPERATIONS] } },
			},
		],
		properties: [
			...storeProperties,
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Approval Links',
						value: 'approvalLinks',
						description:
							'Make the reviewers\' digest: the drafts with signed, expiring approve / reject links, as one email-ready item (subject, text, HTML)',
						action: 'Make approval links for drafts',
					},
					{
						name: 'Approval Request',
						value: 'approvalRequest',
						description:
							'Answer the approval page behind a Webhook: confirmation page on GET, the decision on POST, the list of drafts without a link',
						action: 'Answer an approval page request',
					},
					{
						name: 'Approve',
						value: 'approve',
						description: 'Approve a draft so it is sent at its send time (status "revised" in Dynamics)',
						action: 'Approve a message',
					},
					{
						name: 'Claim Due',
						value: 'claimDue',
						description:
							'Take the approved messages whose send time has come, for sending (replaces "List rows where status = revised and sendTime <= utcNow()")',
						action: 'Claim due messages',
					},
					{
						name: 'Complete',
						value: 'complete',
						description: 'Mark a claimed message as sent and log the attempt (replaces "Log to messages_log, update status = sent")',
						action: 'Mark a message as sent',
					},
					{
						name: 'Enqueue',
						value: 'enqueue',
						description: 'Schedule a new message, as a draft for review or pre-approved (replaces "Create scheduled email")',
						action: 'Enqueue a message',
					},
					{
						name: 'Fail',
						value: 'fail',
						description: 'Log a failed attempt and schedule a retry, or give the message up when it cannot succeed',
						action: 'Mark a message as failed',
					},
					{
						name: 'Get',
						value: 'get',
						description: 'Get one message with all its delivery attempts',
						action: 'Get a message',
					},
					{
						name: 'Hand Back Undelivered',
						value: 'requeueUndelivered',
						description:
							'Send messages on a fallback channel when no delivery report came N minutes after sending (e.g. WhatsApp → SMS)',
						action: 'Hand back undelivered messages',
					},
					{
						name: 'List',
						value: 'list',
						description: 'List messages by status, channel, session, client or send time (the review queue)',
						action: 'List messages',
					},
					{
						name: 'Purge Log',
						value: 'purgeLog',
						description: 'Delete delivery-log rows older than a number of days (data retention)',
						action: 'Purge old log rows',
					},
					{
						name: 'Reject',
						value: 'reject',
						description: 'Cancel a message that should not be sent (status "cancelled" in Dynamics)',
						action: 'Reject a message',
					},
					{
						name: 'Release Expired Leases',
						value: 'releaseExpiredLeases',
						description: 'Put messages back in the queue whose run stopped before reporting Complete or Fail',
						action: 'Release expired leases',
					},
					{
						name: 'Reschedule',
						value: 'reschedule',
						description: 'Change when a waiting message is sent',
						action: 'Reschedule a message',
					},
					{
						name: 'Stats',
						value: 'stats',
						description: 'Attempts, success rate, response time, cost and fallbacks per channel over a period',
						action: 'Get delivery statistics',
					},
				],
				default: 'claimDue',
			},
			...claimDue.description,
			...approvalLinks.description,
			...approvalRequest.description,
			...enqueue.description,
			...approve.description,
			...reject.description,
			...reschedule.description,
			...get.description,
			...list.description,
			...complete.description,
			...fail.description,
			...releaseExpiredLeases.description,
			...requeueUndelivered.description,
			...stats.description,
			...purgeLog.description,
		],
	};

	methods = {
		credentialTest: {
			[CONNECTION_TEST]: credentialTest,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
