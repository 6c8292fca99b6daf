/**
 * Approval Request: the approval page behind the links. Put it after a Webhook node (HTTP methods GET
 * and POST, "Respond: Using 'Respond to Webhook' Node") and answer with a Respond to Webhook node
 * (Respond With: Text, Response Body {{ $json.body }}, Response Code {{ $json.statusCode }}, header
 * Content-Type {{ $json.contentType }}).
 *
 * Input: the Webhook node's item — `query`, `body`, `headers` (the Webhook node does not output the
 * HTTP method: the "Method" parameter's default expression says POST when the body carries a token,
 * GET otherwise). Output: `{ statusCode, contentType, headers, body, page, action? }`; `action` is there
 * only when this request approved or rejected a message: `{ id, decision: "approved" | "rejected", by,
 * result }`. GET (a link opened, a link preview, a mail scanner) never changes anything.
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { handleApprovalRequest } from '../../../../core';
import type { ScheduleQueue } from '../../../../core/queue';
import { BASE_URL_FIELD, SECRET_FIELD, SECRET_HINT, approvalSettings } from './approval';
import { optionalString, toItemJson, withPairedItem } from './shared';

/** The Method parameter's default: POST when the form body carries a token, else GET. */
export const METHOD_DEFAULT = '={{ $json.body && $json.body.token ? "POST" : "GET" }}';

const properties: INodeProperties[] = [
	{
		displayName: 'Method',
		name: 'requestMethod',
		type: 'string',
		default: METHOD_DEFAULT,
		description:
			'HTTP method of the request. The Webhook node does not output it, so the default says POST when the body carries a token (the confirmation button) and GET otherwise (a link opened). Only a POST changes anything.',
	},
	{
		displayName: 'Approver',
		name: 'approver',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.headers["x-forwarded-user"] }}',
		description:
			'Who decides when the link names nobody (links made without a Reviewer, and the buttons of the list page). Empty: "approval link".',
	},
	{
		displayName: 'Options',
		name: 'approvalOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'List Page',
				name: 'listPage',
				type: 'boolean',
				default: true,
				description:
					'Whether a request without a token shows the drafts with Approve / Reject buttons. Anyone who can open the URL can then decide: protect the Webhook (authentication) or turn this off.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { operation: ['approvalRequest'] } }, properties);

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number, item: INodeExecutionData): Promise<INodeExecutionData[]> {
	const settings = await approvalSettings.call(this);
	const method = optionalString(this.getNodeParameter('requestMethod', itemIndex, 'GET')) ?? 'GET';
	const approver = optionalString(this.getNodeParameter('approver', itemIndex, ''));
	const options = this.getNodeParameter('approvalOptions', itemIndex, {}) as { listPage?: boolean };
	const json = item.json;
	const response = await handleApprovalRequest(
		{ method, query: json.query, body: json.body, headers: json.headers },
		{
			queue,
			secret: settings.secret,
			baseUrl: settings.baseUrl || undefined,
			ttlMs: settings.ttlMs,
			now: new Date(),
			listPage: options.listPage !== false,
			secretField: SECRET_FIELD,
			secretHint: SECRET_HINT,
			baseUrlField: BASE_URL_FIELD,
			...(approver ? { by: approver } : {}),
		},
	);
	return [withPairedItem(toItemJson(response), itemIndex)];
}
