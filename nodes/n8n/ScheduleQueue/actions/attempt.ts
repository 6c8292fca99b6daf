/**
 * The attempt details Complete and Fail both report to the delivery log (seed 003
 * MessageDeliveryAttempts: provider, channel, response time, cost, fallback reason, metadata) and the
 * lease owner check. One definition, shown by both operations.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { AttemptReport } from '../../../../core/queue';
import { dateTimeParameter, jsonObjectParameter, numberParameter, optionalString } from './shared';

export const FALLBACK_REASONS = [
	{ name: 'Cost Threshold', value: 'cost_threshold' },
	{ name: 'Primary Failed', value: 'primary_failed' },
	{ name: 'Provider Unavailable', value: 'provider_unavailable' },
	{ name: 'Quality Threshold', value: 'quality_threshold' },
	{ name: 'Rate Limit Exceeded', value: 'rate_limit_exceeded' },
];

/** The "Attempt Details" collection: everything optional about the attempt. */
export function attemptDetailsProperty(): INodeProperties {
	return {
		displayName: 'Attempt Details',
		name: 'attemptDetails',
		type: 'collection',
		placeholder: 'Add detail',
		default: {},
		options: [
			{
				displayName: 'Attempted At',
				name: 'attemptedAt',
				type: 'dateTime',
				default: '',
				description: 'When the send started. Empty: now.',
			},
			{
				displayName: 'Channel Used',
				name: 'channel',
				type: 'string',
				default: '',
				placeholder: 'e.g. sms',
				description: "Channel the attempt went through, when a fallback used another one than the message's",
			},
			{
				displayName: 'Cost',
				name: 'cost',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 6 },
				default: 0,
				description: 'What the provider charged for this attempt',
			},
			{
				displayName: 'Cost Currency',
				name: 'costCurrency',
				type: 'string',
				default: '',
				placeholder: 'e.g. USD',
				description: 'Currency of the cost (ISO 4217)',
			},
			{
				displayName: 'Fallback Reason',
				name: 'fallbackReason',
				type: 'options',
				options: FALLBACK_REASONS,
				default: 'primary_failed',
				description: 'Why a fallback provider or channel was used, when one was (counted as fallbacks in Stats)',
			},
			{
				displayName: 'Metadata',
				name: 'metadata',
				type: 'json',
				default: '{}',
				description: 'Anything else to keep with the attempt (e.g. the provider response), as a JSON object',
			},
			{
				displayName: 'Response Time (Ms)',
				name: 'responseTimeMs',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'How long the provider took to answer, in milliseconds',
			},
			{
				displayName: 'Worker ID',
				name: 'workerId',
				type: 'string',
				default: '',
				description:
					'The Worker ID that Claim Due used, if it was given one. Empty: the ID of this n8n process (what Claim Due uses by default). The report is refused when that worker no longer holds the lease (it expired and another run took the message).',
			},
		],
	};
}

interface AttemptDetails {
	attemptedAt?: unknown;
	channel?: unknown;
	cost?: unknown;
	costCurrency?: unknown;
	fallbackReason?: unknown;
	metadata?: unknown;
	responseTimeMs?: unknown;
	workerId?: unknown;
}

/** The attempt report from the "Provider" parameter and the "Attempt Details" collection. */
export function attemptReport(this: IExecuteFunctions, itemIndex: number): AttemptReport {
	const report: AttemptReport = {};
	const provider = optionalString(this.getNodeParameter('provider', itemIndex, ''));
	if (provider) report.provider = provider;
	const details = this.getNodeParameter('attemptDetails', itemIndex, {}) as AttemptDetails;
	for (const key of ['channel', 'costCurrency', 'fallbackReason', 'workerId'] as const) {
		const value = optionalString(details[key]);
		if (value !== undefined) report[key] = value;
	}
	if (details.cost !== undefined && details.cost !== '') report.cost = numberParameter(details.cost, 'Cost', { min: 0 });
	if (details.responseTimeMs !== undefined && details.responseTimeMs !== '') {
		report.responseTimeMs = numberParameter(details.responseTimeMs, 'Response Time (Ms)', { min: 0 });
	}
	const attemptedAt = dateTimeParameter(details.attemptedAt, 'Attempted At', this.getTimezone());
	if (attemptedAt) report.attemptedAt = attemptedAt;
	const metadata = jsonObjectParameter(details.metadata, 'Metadata');
	if (metadata && Object.keys(metadata).length > 0) report.metadata = metadata;
	return report;
}
