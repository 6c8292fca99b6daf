/**
 * Enqueue: creates a scheduled message (seed 000 "Create scheduled email": copy the session's data into
 * a scheduled message, send time = session end, status = draft). Either the whole incoming item is the
 * message (fields channel, recipient, sendTime, subject, body, template, sessionId, clientId,
 * idempotencyKey, message, metadata — the seed's snake_case column names are read too), or each field
 * is mapped below. With an idempotency key, enqueuing the same key again changes nothing and returns
 * the existing message (`created: false`), so a re-run of the workflow does not schedule twice.
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { EnqueueInput, ScheduleQueue } from '../../../../core/queue';
import { CHANNELS } from '../../../../core';
import {
	dateTimeParameter,
	isRecord,
	jsonObjectParameter,
	numberParameter,
	optionalString,
	ParameterError,
	requiredString,
	toItemJson,
	withPairedItem,
} from './shared';

type InitialStatus = 'draft' | 'approved';

const properties: INodeProperties[] = [
	{
		displayName: 'Message Source',
		name: 'enqueueSource',
		type: 'options',
		options: [
			{
				name: 'Fields Below',
				value: 'fields',
				description: 'Map each field of the message (the defaults read the same-named fields of the item)',
			},
			{
				name: 'Whole Item',
				value: 'item',
				description:
					'The item is the message: channel, recipient, sendTime, subject, body, template, sessionId, clientId, idempotencyKey, message, metadata (seed 000 column names such as message_type and send_time work too)',
			},
		],
		default: 'fields',
		description: 'Where the scheduled message comes from',
	},
	{
		displayName: 'Channel',
		name: 'channel',
		type: 'string',
		default: '={{ $json.channel }}',
		required: true,
		placeholder: 'e.g. email',
		description: `How the message is sent (seed 000 "message_type"): ${CHANNELS.join(', ')}`,
		displayOptions: { show: { enqueueSource: ['fields'] } },
	},
	{
		displayName: 'Recipient',
		name: 'recipient',
		type: 'string',
		default: '={{ $json.recipient }}',
		required: true,
		placeholder: 'e.g. dana.ortiz@example.net',
		description: 'Email address, phone number (E.164, e.g. +447700900321), chat ID…',
		displayOptions: { show: { enqueueSource: ['fields'] } },
	},
	{
		displayName: 'Send Time',
		name: 'sendTime',
		type: 'string',
		default: '={{ $json.sendTime }}',
		placeholder: 'e.g. 2026-05-28T14:30:00Z',
		description:
			'When to send: ISO 8601, or an expression that reads the session end time. Empty: as soon as it is approved. Without a time zone offset it is read in the workflow time zone.',
		displayOptions: { show: { enqueueSource: ['fields'] } },
	},
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		default: '={{ $json.subject }}',
		placeholder: 'e.g. Your session summary',
		description: 'Subject line (email); empty for other channels',
		displayOptions: { show: { enqueueSource: ['fields'] } },
	},
	{
		displayName: 'Body',
		name: 'body',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '={{ $json.body }}',
		description: 'Message content. For rich content (buttons, images) use Universal Message under Additional Fields.',
		displayOptions: { show: { enqueueSource: ['fields'] } },
	},
	{
		displayName: 'Status',
		name: 'initialStatus',
		type: 'options',
		options: [
			{
				name: 'Approved',
				value: 'approved',
				description: 'Send without review once the send time comes',
			},
			{
				name: 'Draft (Needs Approval)',
				value: 'draft',
				description: 'Wait for an Approve before it can be sent',
			},
		],
		default: 'draft',
		description:
			'Status of the new message. With Whole Item, a "status" field of the item (draft, approved or revised) wins over this.',
	},
	{
		displayName: 'Additional Fields',
		name: 'enqueueFields',
		type: 'collection',
		placeholder: 'Add field',
		default: {},
		displayOptions: { show: { enqueueSource: ['fields'] } },
		options: [
			{
				displayName: 'Client ID',
				name: 'clientId',
				type: 'string',
				default: '={{ $json.clientId }}',
				description: 'Client identifier (seed 000 "client_id")',
			},
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '={{ $json.idempotencyKey }}',
				description:
					'A key unique to this message (e.g. session ID + template). Enqueuing the same key again returns the existing message instead of scheduling a second one.',
			},
			{
				displayName: 'Max Attempts',
				name: 'maxAttempts',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 100 },
				default: 3,
				description:
					"Send attempts before this message is given up (dead). Used when a Fail node's Max Attempts is 0, and when a run stopped without reporting (expired leases).",
			},
			{
				displayName: 'Metadata',
				name: 'metadata',
				type: 'json',
				default: '{}',
				description: 'Anything else to keep with the message, as a JSON object',
			},
			{
				displayName: 'Session ID',
				name: 'sessionId',
				type: 'string',
				default: '={{ $json.sessionId }}',
				description: 'The client session the message belongs to (seed 000 "session_id")',
			},
			{
				displayName: 'Template',
				name: 'template',
				type: 'string',
				default: '={{ $json.template }}',
				description: 'Template name used for the message',
			},
			{
				displayName: 'Universal Message',
				name: 'message',
				type: 'json',
				default: '={{ $json.message }}',
				description: 'A full universal message (switchboard.message/v1) to send instead of subject and body, for rich content such as buttons or images',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { operation: ['enqueue'] } }, properties);

/** The first of `keys` that the item has (camelCase first, then the seed's column name). */
function field(json: Record<string, unknown>, ...keys: string[]): unknown {
	for (const key of keys) if (json[key] !== undefined && json[key] !== null && json[key] !== '') return json[key];
	return undefined;
}

function initialStatus(value: unknown, fallback: InitialStatus): EnqueueInput['status'] {
	if (value === undefined) return fallback;
	if (value === 'draft' || value === 'approved' || value === 'revised') return value;
	throw new ParameterError(
		`The item's "status" is ${JSON.stringify(value)}, which a new message cannot have`,
		'Use draft (needs approval), approved or revised, or remove the field and choose the Status in the node.',
	);
}

function fromItem(json: Record<string, unknown>, status: InitialStatus, timeZone: string): EnqueueInput {
	const input: EnqueueInput = {
		channel: requiredString(field(json, 'channel', 'message_type', 'messageType'), 'channel', 'Give the item a "channel" field (e.g. email, sms, whatsapp), or choose Message Source: Fields Below.') as EnqueueInput['channel'],
		recipient: requiredString(field(json, 'recipient'), 'recipient', 'Give the item a "recipient" field (email address, phone number, chat ID…), or choose Message Source: Fields Below.'),
		status: initialStatus(field(json, 'status'), status),
	};
	const sendTime = dateTimeParameter(field(json, 'sendTime', 'send_time'), 'sendTime', timeZone);
	if (sendTime) input.sendTime = sendTime;
	const text: Array<[keyof EnqueueInput, string[]]> = [
		['subject', ['subject']],
		['body', ['body']],
		['template', ['template']],
		['sessionId', ['sessionId', 'session_id']],
		['clientId', ['clientId', 'client_id']],
		['idempotencyKey', ['idempotencyKey', 'idempotency_key']],
	];
	for (const [key, names] of text) {
		const value = optionalString(field(json, ...names));
		if (value !== undefined) (input as unknown as Record<string, unknown>)[key] = value;
	}
	const maxAttempts = field(json, 'maxAttempts', 'max_attempts');
	if (maxAttempts !== undefined) input.maxAttempts = numberParameter(maxAttempts, 'maxAttempts', { min: 1, integer: true });
	const message = jsonObjectParameter(field(json, 'message'), 'message');
	if (message) input.message = message as EnqueueInput['message'];
	const metadata = jsonObjectParameter(field(json, 'metadata'), 'metadata');
	if (metadata) input.metadata = metadata;
	return input;
}

interface EnqueueFields {
	clientId?: unknown;
	idempotencyKey?: unknown;
	maxAttempts?: unknown;
	metadata?: unknown;
	sessionId?: unknown;
	template?: unknown;
	message?: unknown;
}

function fromFields(this: IExecuteFunctions, itemIndex: number, status: InitialStatus): EnqueueInput {
	const input: EnqueueInput = {
		channel: requiredString(this.getNodeParameter('channel', itemIndex), 'Channel', `Enter the channel (${CHANNELS.join(', ')}) or map it, e.g. {{ $json.channel }}.`) as EnqueueInput['channel'],
		recipient: requiredString(this.getNodeParameter('recipient', itemIndex), 'Recipient', 'Enter the recipient (email address, phone number, chat ID…) or map it, e.g. {{ $json.recipient }}.'),
		status,
	};
	const sendTime = dateTimeParameter(this.getNodeParameter('sendTime', itemIndex, ''), 'Send Time', this.getTimezone());
	if (sendTime) input.sendTime = sendTime;
	for (const key of ['subject', 'body'] as const) {
		const value = optionalString(this.getNodeParameter(key, itemIndex, ''));
		if (value !== undefined) input[key] = value;
	}
	const fields = this.getNodeParameter('enqueueFields', itemIndex, {}) as EnqueueFields;
	for (const key of ['template', 'sessionId', 'clientId', 'idempotencyKey'] as const) {
		const value = optionalString(fields[key]);
		if (value !== undefined) input[key] = value;
	}
	if (fields.maxAttempts !== undefined && fields.maxAttempts !== '') {
		input.maxAttempts = numberParameter(fields.maxAttempts, 'Max Attempts', { min: 1, integer: true });
	}
	const message = jsonObjectParameter(fields.message, 'Universal Message');
	if (message) input.message = message as EnqueueInput['message'];
	const metadata = jsonObjectParameter(fields.metadata, 'Metadata');
	if (metadata && Object.keys(metadata).length > 0) input.metadata = metadata;
	return input;
}

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number, item: INodeExecutionData): Promise<INodeExecutionData[]> {
	const source = this.getNodeParameter('enqueueSource', itemIndex) as 'fields' | 'item';
	const status = this.getNodeParameter('initialStatus', itemIndex) as InitialStatus;
	const input = source === 'item' ? fromItem(isRecord(item.json) ? item.json : {}, status, this.getTimezone()) : fromFields.call(this, itemIndex, status);
	const { message, created } = await queue.enqueue(input);
	return [withPairedItem({ ...toItemJson(message), created }, itemIndex)];
}
