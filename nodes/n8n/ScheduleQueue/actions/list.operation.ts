/**
 * List: the review queue and reports (Dynamics "List rows" / "Review scheduled messages queue").
 * Filters by status, channel, session, client, recipient and send-time window; one item per message,
 * in send-time order. Rows are read page by page through the store's cursor — Return All keeps
 * reading pages until the last one — so a long queue is never loaded in one query.
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { QUEUE_STATUSES, type ListFilter, type QueueStatus, type ScheduleQueue } from '../../../../core/queue';
import { dateTimeParameter, numberParameter, optionalString, toItemJson, withPairedItem } from './shared';

/** Largest page the store serves (core ListFilter.limit). */
const MAX_PAGE = 1000;

const STATUS_LABELS: Record<QueueStatus, string> = {
	draft: 'Draft',
	approved: 'Approved (Revised)',
	sending: 'Sending',
	sent: 'Sent',
	delivered: 'Delivered',
	read: 'Read',
	failed: 'Failed',
	cancelled: 'Cancelled',
	dead: 'Dead',
};

const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'listFilters',
		type: 'collection',
		placeholder: 'Add filter',
		default: {},
		options: [
			{
				displayName: 'Channel',
				name: 'channel',
				type: 'string',
				default: '',
				placeholder: 'e.g. email',
				description: 'Only messages of this channel',
			},
			{
				displayName: 'Client ID',
				name: 'clientId',
				type: 'string',
				default: '',
				description: 'Only messages of this client',
			},
			{
				displayName: 'Recipient',
				name: 'recipient',
				type: 'string',
				default: '',
				description: 'Only messages to this recipient',
			},
			{
				displayName: 'Send Time From',
				name: 'sendFrom',
				type: 'dateTime',
				default: '',
				description: 'Only messages due at or after this time',
			},
			{
				displayName: 'Send Time To',
				name: 'sendTo',
				type: 'dateTime',
				default: '',
				description: 'Only messages due before this time',
			},
			{
				displayName: 'Session ID',
				name: 'sessionId',
				type: 'string',
				default: '',
				description: 'Only messages of this client session',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				options: QUEUE_STATUSES.map((status) => ({ name: STATUS_LABELS[status], value: status })),
				default: [],
				description: 'Only messages in one of these statuses (e.g. Draft for the review queue)',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'listOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_PAGE },
				default: 100,
				description: 'How many rows each database query reads. Return All and large limits read page after page.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { operation: ['list'] } }, properties);

interface ListFilters {
	channel?: string;
	clientId?: string;
	recipient?: string;
	sendFrom?: string;
	sendTo?: string;
	sessionId?: string;
	status?: QueueStatus[];
}

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex) as boolean;
	const limit = returnAll ? Infinity : numberParameter(this.getNodeParameter('limit', itemIndex), 'Limit', { min: 1, integer: true });
	const filters = this.getNodeParameter('listFilters', itemIndex, {}) as ListFilters;
	const options = this.getNodeParameter('listOptions', itemIndex, {}) as { pageSize?: number };
	const pageSize = numberParameter(options.pageSize ?? 100, 'Page Size', { min: 1, max: MAX_PAGE, integer: true });
	const timeZone = this.getTimezone();

	const filter: ListFilter = {};
	for (const key of ['channel', 'clientId', 'recipient', 'sessionId'] as const) {
		const value = optionalString(filters[key]);
		if (value !== undefined) filter[key] = value;
	}
	if (filters.status?.length) filter.status = filters.status;
	const sendFrom = dateTimeParameter(filters.sendFrom, 'Send Time From', timeZone);
	if (sendFrom) filter.sendFrom = sendFrom;
	const sendTo = dateTimeParameter(filters.sendTo, 'Send Time To', timeZone);
	if (sendTo) filter.sendTo = sendTo;

	const out: INodeExecutionData[] = [];
	let cursor: string | undefined;
	do {
		const page = await queue.list({ ...filter, limit: Math.min(pageSize, limit - out.length), ...(cursor ? { cursor } : {}) });
		for (const message of page.items) out.push(withPairedItem(toItemJson(message), itemIndex));
		cursor = page.nextCursor;
	} while (cursor && out.length < limit);
	return out;
}
