/**
 * Render: a universal message → the request bodies the chosen platform's send API expects, plus the
 * list of what had to be degraded (e.g. four buttons on WhatsApp become a list). Sends nothing: a
 * later HTTP Request (or Switchboard send) node posts the payloads.
 */
import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodePropertyOptions,
} from 'n8n-workflow';
import { RENDER_PLATFORM_IDS, findPlatform, render, type RenderCallOptions } from '../../../../core';
import { readPath, withPairedItem } from './shared';

/** Every platform that can render, named as its adapter names it (from the core's registry). */
function renderPlatformOptions(): INodePropertyOptions[] {
	return RENDER_PLATFORM_IDS.map((id) => {
		const name = findPlatform(id)?.name ?? id;
		return { name, value: id, description: `Build the request bodies of the ${name} send API` };
	}).sort((a, b) => a.name.localeCompare(b.name));
}

const renderPlatforms = renderPlatformOptions();

const properties: INodeProperties[] = [
	{
		displayName:
			'Connect a node that outputs universal messages (schema "switchboard.message/v1"), e.g. Normalize or a Set node. Nothing is sent: each item comes out with "payloads" (the request bodies to post, in order, e.g. with an HTTP Request node) and "degradations" (what the platform cannot show and what it became).',
		name: 'renderNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Message Source',
		name: 'messageSource',
		type: 'options',
		options: [
			{
				name: 'JSON Property',
				value: 'property',
				description: 'The universal message is in a property of the item',
			},
			{
				name: 'Whole Item',
				value: 'item',
				description: 'The item itself is the universal message, e.g. the output of a Normalize operation or a queue node',
			},
		],
		default: 'item',
		description: 'Where the universal message (schema switchboard.message/v1) is in the incoming item',
	},
	{
		displayName: 'Message Property',
		name: 'messageProperty',
		type: 'string',
		default: 'message',
		required: true,
		placeholder: 'e.g. message',
		description: 'Name of the property holding the universal message. Use dot notation for nested properties.',
		displayOptions: { show: { messageSource: ['property'] } },
	},
	{
		displayName: 'Platform',
		name: 'renderPlatform',
		type: 'options',
		options: renderPlatforms,
		// A literal, as n8n's linter wants; the node tests check it is one of the options.
		default: 'whatsapp',
		required: true,
		description: 'Platform whose send API the payloads are for',
	},
	{
		displayName: 'Options',
		name: 'renderOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'From',
				name: 'from',
				type: 'string',
				default: '',
				placeholder: 'e.g. +15005550006',
				description: 'Sender address or number, for platforms that put it in the body (email from, SMS From)',
			},
			{
				displayName: 'To',
				name: 'to',
				type: 'string',
				default: '',
				placeholder: 'e.g. +14155550123',
				description: "Recipient to send to instead of the message's first recipient (or its conversation)",
			},
			{
				displayName: 'Variant',
				name: 'variant',
				type: 'string',
				default: '',
				placeholder: 'e.g. graph',
				description:
					'API variant where a platform has several: Microsoft Teams "bot", "graph" or "workflows"; Google Chat "api" or "webhook". Leave empty for the default.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { operation: ['render'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, item: INodeExecutionData): Promise<INodeExecutionData[]> {
	const source = this.getNodeParameter('messageSource', itemIndex) as 'item' | 'property';
	const message = source === 'property' ? readPath(item.json, this.getNodeParameter('messageProperty', itemIndex) as string) : item.json;
	const platform = this.getNodeParameter('renderPlatform', itemIndex) as string;
	const raw = this.getNodeParameter('renderOptions', itemIndex, {}) as { from?: string; to?: string; variant?: string };

	const options: RenderCallOptions = {};
	if (raw.to) options.to = raw.to;
	if (raw.from) options.from = raw.from;
	if (raw.variant) options.variant = raw.variant;

	const output = render(message, platform, options);
	return [
		withPairedItem(
			{
				platform: output.platform,
				payloads: output.payloads as unknown as IDataObject[],
				degradations: output.degradations as unknown as IDataObject[],
			},
			itemIndex,
		),
	];
}
