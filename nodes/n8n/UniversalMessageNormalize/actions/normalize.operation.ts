/**
 * Normalize: what a messaging platform POSTed to an n8n Webhook node → universal messages and
 * delivery events. The shell only finds the request inside the item (preferring the raw body bytes
 * when the Webhook node kept them, so signatures computed over those bytes still hold) and hands it
 * to the core's `normalize`.
 */
import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodePropertyOptions,
} from 'n8n-workflow';
import {
	InvalidMappingError,
	MalformedBodyError,
	PLATFORMS,
	normalize,
	type CustomMapping,
	type HeaderBag,
	type InboundRequest,
	type NormalizeResult,
} from '../../../../core';
import { isRecord, readPath, withPairedItem } from './shared';

/** Platform option value that means "use the platform named in the Custom Mapping option". */
export const CUSTOM_MAPPING_PLATFORM = 'customMapping';
export const AUTO_DETECT_PLATFORM = 'auto';

/** Built from the core's registry, so a new adapter appears here without touching the node. */
function platformOptions(): INodePropertyOptions[] {
	const platforms = PLATFORMS.map((p) => ({ name: p.name, value: p.id, description: `Read the request as ${p.name}` })).sort((a, b) =>
		a.name.localeCompare(b.name),
	);
	return [
		{
			name: 'Auto-Detect',
			value: AUTO_DETECT_PLATFORM,
			description: 'Recognise the platform from the headers and the body shape; fails rather than guesses when unsure',
		},
		...platforms,
		{
			name: 'Custom Mapping',
			value: CUSTOM_MAPPING_PLATFORM,
			description: 'Read the request with the Custom Mapping given under Options (for formats such as Scala360)',
		},
	];
}

const properties: INodeProperties[] = [
	{
		displayName:
			'Connect a Webhook node before this one (turn on its "Raw Body" option so signed requests are read byte for byte). Each message and each delivery status comes out as its own item; a platform verification request (Meta, Slack) comes out as one item with "handshake.response" to send back with a Respond to Webhook node.',
		name: 'normalizeNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Input',
		name: 'inputMode',
		type: 'options',
		options: [
			{
				name: 'JSON Property',
				value: 'property',
				description: 'The body is in a property of the item (an object or JSON text), for example after a Set, Code or queue node',
			},
			{
				name: 'Webhook Node Output',
				value: 'webhook',
				description:
					'The item exactly as a Webhook node emits it: headers, query and body. When the Webhook node\'s "Raw Body" option is on, the original bytes are used.',
			},
		],
		default: 'webhook',
		description: 'Where the platform request is in the incoming item',
	},
	{
		displayName: 'Body Property',
		name: 'bodyProperty',
		type: 'string',
		default: 'body',
		required: true,
		placeholder: 'e.g. data.payload',
		description: 'Name of the property holding the request body. Use dot notation for nested properties.',
		displayOptions: { show: { inputMode: ['property'] } },
	},
	{
		displayName: 'Headers Property',
		name: 'headersProperty',
		type: 'string',
		default: '',
		placeholder: 'e.g. headers',
		description:
			'Name of the property holding the request headers, if you have them. Some platforms are only recognised by their headers; without them, set the Platform explicitly.',
		displayOptions: { show: { inputMode: ['property'] } },
	},
	{
		displayName: 'Platform',
		name: 'platform',
		type: 'options',
		options: platformOptions(),
		default: AUTO_DETECT_PLATFORM,
		description: 'Which platform sent the request. Auto-Detect works for every supported platform.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Custom Mapping',
				name: 'customMapping',
				type: 'json',
				default: '{\n  "platform": "scala360"\n}',
				description:
					'A declarative mapping for a format Switchboard does not know yet: where the sender, conversation, text and media are in the body. Used when Platform is Custom Mapping, and tried by shape with Auto-Detect when it declares "detect".',
			},
			{
				displayName: 'Keep Raw Payload',
				name: 'keepRaw',
				type: 'boolean',
				default: true,
				description: 'Whether to keep what the platform sent for each message or event in its "raw" field',
			},
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				options: [
					{
						name: 'One Item per Message or Event',
						value: 'split',
						description:
							'Each message and each delivery event becomes its own item (messages first, then events, each in the order sent). Their "schema" field tells them apart.',
					},
					{
						name: 'One Item With All',
						value: 'all',
						description: 'One item per request: platform, messages, events and handshake',
					},
				],
				default: 'split',
				description: 'How to emit what one request contains (platforms batch several messages or status reports)',
			},
			{
				displayName: 'Raw Body Binary Field',
				name: 'rawBodyBinaryField',
				type: 'string',
				default: 'data',
				description:
					'Binary field where the Webhook node puts the raw body ("data" unless you changed it). Used when present, so the exact bytes the platform signed are read.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { operation: ['normalize'] } }, properties);

interface NormalizeNodeOptions {
	customMapping?: string | IDataObject;
	keepRaw?: boolean;
	output?: 'split' | 'all';
	rawBodyBinaryField?: string;
}

function parseCustomMapping(value: string | IDataObject | undefined): CustomMapping | undefined {
	if (value === undefined || value === '') return undefined;
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw new InvalidMappingError('(json)', `is not valid JSON: ${(error as Error).message}`, 'Paste the mapping as a JSON object.');
		}
	}
	if (!isRecord(parsed)) throw new InvalidMappingError('(json)', 'must be a JSON object', 'Write the mapping as { "platform": "…", … }.');
	if (typeof parsed.platform !== 'string' || parsed.platform === '') {
		throw new InvalidMappingError('platform', 'is required', 'Name the format, e.g. "platform": "scala360".');
	}
	return parsed as CustomMapping;
}

function headerBag(value: unknown): HeaderBag | undefined {
	return isRecord(value) ? (value as HeaderBag) : undefined;
}

/**
 * The raw body bytes the Webhook node stored, if any. n8n 2.x keeps them in `binary` (separate
 * binary mode) or, in combined mode with external storage, as a reference under `json._files`.
 */
async function rawBody(
	this: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	field: string,
): Promise<{ bytes: Buffer; mimeType?: string } | undefined> {
	if (!field) return undefined;
	const binary = item.binary?.[field];
	if (binary) return { bytes: await this.helpers.getBinaryDataBuffer(itemIndex, field), mimeType: binary.mimeType };
	const files = item.json._files;
	const reference = isRecord(files) ? files[field] : undefined;
	if (isRecord(reference) && typeof reference.mimeType === 'string') {
		// n8n 2.x accepts the binary reference itself (combined binary mode only exists there).
		return { bytes: await this.helpers.getBinaryDataBuffer(itemIndex, reference as never), mimeType: reference.mimeType };
	}
	return undefined;
}

function isEmptyBody(body: unknown): boolean {
	return body === undefined || body === null || body === '' || (isRecord(body) && Object.keys(body).length === 0);
}

/** The InboundRequest hidden in one item, as configured. */
async function requestFromItem(this: IExecuteFunctions, item: INodeExecutionData, itemIndex: number, rawField: string): Promise<InboundRequest> {
	const inputMode = this.getNodeParameter('inputMode', itemIndex) as 'webhook' | 'property';
	const json = item.json;
	const raw = await rawBody.call(this, item, itemIndex, rawField);

	let body: unknown;
	let headers: HeaderBag | undefined;
	let query: HeaderBag | undefined;
	if (inputMode === 'property') {
		const bodyProperty = this.getNodeParameter('bodyProperty', itemIndex) as string;
		const headersProperty = this.getNodeParameter('headersProperty', itemIndex, '') as string;
		body = readPath(json, bodyProperty);
		if (body === undefined && raw === undefined) {
			throw new MalformedBodyError(
				`The item has no property "${bodyProperty}"`,
				'Set "Body Property" to the property that holds the platform request body.',
			);
		}
		headers = headersProperty ? headerBag(readPath(json, headersProperty)) : undefined;
	} else {
		if (!('body' in json) && !('headers' in json) && !('query' in json) && raw === undefined) {
			throw new MalformedBodyError(
				'The item does not look like Webhook node output (no body, headers or query)',
				'Connect a Webhook node before this node, or set Input to "JSON Property" and name the property that holds the body.',
			);
		}
		body = json.body;
		headers = headerBag(json.headers);
		query = headerBag(json.query);
	}
	if (raw !== undefined && raw.bytes.length > 0) {
		body = raw.bytes;
		// Without headers the stored MIME type still tells JSON from form data.
		if (raw.mimeType && !Object.keys(headers ?? {}).some((k) => k.toLowerCase() === 'content-type')) {
			headers = { ...(headers ?? {}), 'content-type': raw.mimeType };
		}
	} else if (isEmptyBody(body)) {
		body = undefined;
	}

	// The Webhook node does not output the HTTP method. A request without a body is what the
	// verification GETs (Meta hub.challenge) look like; everything else platforms send is a POST.
	const method = typeof json.method === 'string' ? json.method : body === undefined ? 'GET' : 'POST';
	return { body, headers, query, method };
}

function outputItems(result: NormalizeResult, mode: 'split' | 'all', itemIndex: number): INodeExecutionData[] {
	if (mode === 'all') {
		const json: IDataObject = { platform: result.platform, messages: result.messages as IDataObject[], events: result.events as IDataObject[] };
		if (result.handshake) json.handshake = result.handshake as unknown as IDataObject;
		return [withPairedItem(json, itemIndex)];
	}
	if (result.handshake) return [withPairedItem({ handshake: result.handshake as unknown as IDataObject }, itemIndex)];
	return [
		...result.messages.map((message) => withPairedItem(message as IDataObject, itemIndex)),
		...result.events.map((event) => withPairedItem(event as IDataObject, itemIndex)),
	];
}

export async function execute(this: IExecuteFunctions, itemIndex: number, item: INodeExecutionData): Promise<INodeExecutionData[]> {
	const platformParam = this.getNodeParameter('platform', itemIndex) as string;
	const options = this.getNodeParameter('options', itemIndex, {}) as NormalizeNodeOptions;
	const mapping = parseCustomMapping(options.customMapping);

	let platform: string | undefined;
	if (platformParam === CUSTOM_MAPPING_PLATFORM) {
		if (!mapping) {
			throw new InvalidMappingError('(json)', 'is missing', 'Platform is "Custom Mapping": add the Custom Mapping option with your mapping.');
		}
		platform = mapping.platform;
	} else if (platformParam !== AUTO_DETECT_PLATFORM) {
		platform = platformParam;
	}

	const request = await requestFromItem.call(this, item, itemIndex, options.rawBodyBinaryField ?? 'data');
	const result = normalize(request, {
		platform,
		keepRaw: options.keepRaw ?? true,
		customMappings: mapping ? [mapping] : undefined,
	});
	return outputItems(result, options.output ?? 'split', itemIndex);
}
