/**
 * Fail: the send did not work (seed 000 "mark_message_failed", seed 003 retry handling). Writes the
 * delivery-log row; then, if the error is retryable and attempts remain, the message goes back to
 * approved with a next-attempt time from the retry strategy, otherwise it becomes dead (given up).
 * Seed 003 strategies: none, linear (delay × attempt), exponential (delay × 2^(attempt−1)), capped at
 * Max Delay, with optional jitter.
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import type { FailureReport, RetryPolicy, RetryStrategyName, ScheduleQueue } from '../../../../core/queue';
import { attemptDetailsProperty, attemptReport } from './attempt';
import { isRecord, messageIdParameter, messageIdProperty, numberParameter, optionalString, requiredString, toItemJson, withPairedItem } from './shared';

const properties: INodeProperties[] = [
	messageIdProperty('mark as failed'),
	{
		displayName: 'Error Message',
		name: 'errorMessage',
		type: 'string',
		default: '={{ $json.error }}',
		required: true,
		placeholder: 'e.g. Provider timeout',
		description: 'What went wrong, kept in the delivery log. The default reads the "error" of an item that a node with "Continue On Fail" produced.',
	},
	{
		displayName: 'Error Code',
		name: 'errorCode',
		type: 'string',
		default: '={{ $json.code }}',
		placeholder: 'e.g. 21211',
		description: "The provider's error code, if any (grouped by in reports)",
	},
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'string',
		default: '={{ $json.provider }}',
		placeholder: 'e.g. twilio',
		description: 'Provider the attempt went through',
	},
	{
		displayName: 'Retryable',
		name: 'retryable',
		type: 'boolean',
		default: true,
		description:
			'Whether sending again may work (timeout, rate limit, provider down). Turn off for permanent errors (invalid recipient, blocked): the message is then dead at once.',
	},
	{
		displayName: 'Retry Strategy',
		name: 'retryStrategy',
		type: 'options',
		options: [
			{
				name: 'Exponential',
				value: 'exponential',
				description: 'Wait Initial Delay, then twice as long after each failure: 60 s, 120 s, 240 s…',
			},
			{
				name: 'Linear',
				value: 'linear',
				description: 'Wait Initial Delay times the attempt number: 60 s, 120 s, 180 s…',
			},
			{
				name: 'None',
				value: 'none',
				description: 'Do not retry: the message is dead after this failure',
			},
		],
		default: 'exponential',
		description: 'How long to wait before the next attempt',
		displayOptions: { show: { retryable: [true] } },
	},
	{
		displayName: 'Initial Delay (Seconds)',
		name: 'initialDelaySeconds',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 60,
		description: 'Wait before the first retry',
		displayOptions: { show: { retryable: [true], retryStrategy: ['linear', 'exponential'] } },
	},
	{
		displayName: 'Max Delay (Seconds)',
		name: 'maxDelaySeconds',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 3600,
		description: 'No wait is longer than this, however many attempts were made',
		displayOptions: { show: { retryable: [true], retryStrategy: ['linear', 'exponential'] } },
	},
	{
		displayName: 'Jitter',
		name: 'jitter',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
		default: 0.2,
		description:
			'Randomness added to each wait so many failed messages do not retry at the same moment: 0 = none, 0.2 = up to 20% shorter, 1 = anywhere between 0 and the full delay',
		displayOptions: { show: { retryable: [true], retryStrategy: ['linear', 'exponential'] } },
	},
	{
		displayName: 'Max Attempts',
		name: 'maxAttempts',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 100 },
		default: 3,
		description:
			"Attempts in total (the first send included) before the message is dead. 0: the message's own Max Attempts, set at Enqueue (default 3).",
		displayOptions: { show: { retryable: [true], retryStrategy: ['linear', 'exponential'] } },
	},
	attemptDetailsProperty(),
];

export const description = updateDisplayOptions({ show: { operation: ['fail'] } }, properties);

/** An error from an item may be text or an object (n8n's own Continue On Fail items carry { message }). */
function errorText(value: unknown): unknown {
	if (isRecord(value) && typeof value.message === 'string') return value.message;
	return value;
}

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = messageIdParameter.call(this, itemIndex);
	const message = requiredString(
		errorText(this.getNodeParameter('errorMessage', itemIndex)),
		'Error Message',
		'Say what went wrong, e.g. map {{ $json.error }} from the send step (with "On Error: Continue").',
	);
	const code = optionalString(this.getNodeParameter('errorCode', itemIndex, ''));
	const retryable = this.getNodeParameter('retryable', itemIndex) as boolean;
	const report: FailureReport = { ...attemptReport.call(this, itemIndex), error: code ? { code, message } : { message }, retryable };
	if (retryable) {
		const strategy = this.getNodeParameter('retryStrategy', itemIndex) as RetryStrategyName;
		const retry: Partial<RetryPolicy> = { strategy };
		if (strategy !== 'none') {
			retry.initialDelaySeconds = numberParameter(this.getNodeParameter('initialDelaySeconds', itemIndex), 'Initial Delay (Seconds)', { min: 0 });
			retry.maxDelaySeconds = numberParameter(this.getNodeParameter('maxDelaySeconds', itemIndex), 'Max Delay (Seconds)', { min: 0 });
			retry.jitter = numberParameter(this.getNodeParameter('jitter', itemIndex), 'Jitter', { min: 0, max: 1 });
			const maxAttempts = numberParameter(this.getNodeParameter('maxAttempts', itemIndex), 'Max Attempts', { min: 0, max: 100, integer: true });
			// 0 keeps the message's own limit (the queue uses it when the report does not override it).
			if (maxAttempts > 0) retry.maxAttempts = maxAttempts;
		}
		report.retry = retry;
	}
	const failed = await queue.fail(id, report);
	return [withPairedItem(toItemJson(failed), itemIndex)];
}
