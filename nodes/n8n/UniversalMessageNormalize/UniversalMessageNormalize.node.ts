/**
 * Universal Message Normalize (n8n): the thin n8n shell around the host-free core. Normalize turns a
 * platform's webhook request into universal messages/events; Render turns a universal message into
 * a platform's send-API bodies. All logic lives in ../../../core; this file only describes the node.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import * as normalize from './actions/normalize.operation';
import * as render from './actions/render.operation';
import { router } from './actions/router';

export class UniversalMessageNormalize implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Universal Message Normalize',
		name: 'universalMessageNormalize',
		icon: 'file:switchboard.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] === "render" ? "Render for " + $parameter["renderPlatform"] : "Normalize " + $parameter["platform"]}}',
		description: 'Turn any chat platform webhook into one universal message format, and universal messages into any platform send request',
		defaults: {
			name: 'Universal Message Normalize',
		},
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Normalize',
						value: 'normalize',
						description: 'Turn a platform webhook request (e.g. from a Webhook node) into universal messages and delivery events',
						action: 'Normalize a platform request',
					},
					{
						name: 'Render',
						value: 'render',
						description: 'Turn a universal message into the request bodies of a platform send API',
						action: 'Render a message for a platform',
					},
				],
				default: 'normalize',
			},
			...normalize.description,
			...render.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
