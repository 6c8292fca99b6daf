/**
 * Approval Links: the reviewers' digest. For the drafts waiting for approval (all of them, or the IDs
 * given), one item `{ count, subject, text, html, links: [{ id, recipient, channel, sendTime, preview,
 * approveUrl, rejectUrl, expiresAt }], listUrl, more, skipped }` — ready to send to reviewers by email
 * (Channel Send, or any mail node) or Teams. Each link opens the approval page (Approval Request); only
 * its confirmation button changes the message. Runs once for all input items.
 */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { approvalLinks, draftsForDigest } from '../../../../core';
import type { ScheduleQueue } from '../../../../core/queue';
import { BASE_URL_FIELD, SECRET_FIELD, SECRET_HINT, approvalSettings } from './approval';
import { ParameterError, isRecord, numberParameter, optionalString, toItemJson } from './shared';

/** Most drafts one digest lists. */
const MAX_LINKS = 1000;

const properties: INodeProperties[] = [
	{
		displayName: 'Drafts',
		name: 'approvalScope',
		type: 'options',
		options: [
			{ name: 'All Drafts', value: 'all', description: 'Every message waiting for approval, earliest send time first' },
			{ name: 'Given IDs', value: 'ids', description: 'Only the drafts whose IDs the input items give' },
		],
		default: 'all',
		description: 'Which drafts the digest lists',
	},
	{
		displayName: 'Message IDs',
		name: 'approvalIds',
		type: 'string',
		default: '={{ $json.id }}',
		description: 'ID(s) of the drafts, from every input item together: one ID, several separated by commas, or a list. Messages that are no longer drafts are left out (see "skipped").',
		displayOptions: { show: { approvalScope: ['ids'] } },
	},
	{
		displayName: 'Limit',
		name: 'approvalLimit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_LINKS },
		default: 100,
		description: 'Max number of results to return',
		displayOptions: { show: { approvalScope: ['all'] } },
	},
	{
		displayName: 'Reviewer',
		name: 'reviewer',
		type: 'string',
		default: '',
		placeholder: 'e.g. dana.ortiz@example.com',
		description: 'Who the links are for: recorded as "approved by" / "rejected by" when a link is used. Empty: "approval link".',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['approvalLinks'] } }, properties);

/** IDs from a parameter value: text (comma-separated), a list, or an item with `id`. */
function idsOf(value: unknown, itemIndex: number): string[] {
	if (value === undefined || value === null || value === '') return [];
	if (Array.isArray(value)) return value.flatMap((v) => idsOf(v, itemIndex));
	if (isRecord(value) && typeof value.id === 'string') return [value.id.trim()];
	if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
	throw new ParameterError(`"Message IDs" of item ${itemIndex} must be text or a list of IDs`, 'Map the draft IDs, e.g. {{ $json.id }} after List, or type them separated by commas.');
}

export async function execute(this: IExecuteFunctions, queue: ScheduleQueue, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const settings = await approvalSettings.call(this);
	const scope = this.getNodeParameter('approvalScope', 0, 'all') as 'all' | 'ids';
	const reviewer = optionalString(this.getNodeParameter('reviewer', 0, ''));

	let selection: { ids: string[] } | { limit: number };
	if (scope === 'ids') {
		const ids = [...new Set(items.flatMap((_, i) => idsOf(this.getNodeParameter('approvalIds', i, ''), i)))];
		if (ids.length > MAX_LINKS) throw new ParameterError(`${ids.length} message IDs were given; one digest lists at most ${MAX_LINKS}`, 'Split the drafts over several digests.');
		selection = { ids };
	} else {
		selection = { limit: numberParameter(this.getNodeParameter('approvalLimit', 0, 100), 'Limit', { min: 1, max: MAX_LINKS, integer: true }) };
	}
	const { drafts, skipped, more } = await draftsForDigest(queue, selection);

	const digest = approvalLinks(drafts, {
		baseUrl: settings.baseUrl,
		secret: settings.secret,
		ttlMs: settings.ttlMs,
		now: new Date(),
		more,
		secretField: SECRET_FIELD,
		secretHint: SECRET_HINT,
		baseUrlField: BASE_URL_FIELD,
		...(reviewer ? { by: reviewer } : {}),
	});
	return [{ json: toItemJson({ ...digest, skipped }), pairedItem: items.map((_, item) => ({ item })) }];
}
