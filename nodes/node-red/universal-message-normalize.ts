/**
 * Node-RED "Universal Message Normalize": a thin shell around the core's normalize() and render().
 *
 *  - normalize: a webhook request (as `http in` delivers it) → universal messages and delivery events,
 *    one output message each (default) or one message holding them all; a verification handshake
 *    becomes a message an `http response` node answers the platform with.
 *  - render: a universal message → the platform send-API bodies and what had to be degraded.
 *
 * Everything about platforms lives in the core; this file reads config, maps msg properties in and out,
 * and maps errors to done(err) and the status line. The help text (locales/en-US) documents each msg
 * property this file reads or writes.
 */
import {
	InvalidMappingError,
	UnknownPlatformError,
	RENDER_PLATFORM_IDS,
	createCustomAdapter,
	normalize,
	render,
	type CustomMapping,
	type NormalizeResult,
	type RenderCallOptions,
} from '../../core';
import type { Node, NodeAPI, NodeDef, NodeDone, NodeMessage, NodeSend, NodeStatus } from './shared/node-red';
import {
	configOption,
	errorStatus,
	isRecord,
	messageOption,
	parseCustomMapping,
	plural,
	registerPlatformsEndpoint,
	requestFromMessage,
	toNodeRedError,
} from './shared/host';

const NODE_TYPE = 'universal-message-normalize';

/** Platform value meaning "the custom mapping's own platform name". */
const CUSTOM = 'custom';
const AUTO = 'auto';

type Operation = 'normalize' | 'render';
type OutputMode = 'each' | 'all';

interface NormalizeNodeDef extends NodeDef {
	operation?: Operation;
	platform?: string;
	keepRaw?: boolean;
	customMapping?: string;
	outputMode?: OutputMode;
	to?: string;
	from?: string;
	variant?: string;
}

interface Settings {
	operation: Operation;
	platform: string;
	keepRaw: boolean;
	outputMode: OutputMode;
	to?: string;
	from?: string;
	variant?: string;
	mapping?: CustomMapping;
	mappingError?: Error;
}

/** The mapping checked once at deploy (the core's own validation), so a bad one shows on the status right away. */
function checkMapping(parsed: { mapping?: CustomMapping; error?: Error }): { mapping?: CustomMapping; error?: Error } {
	if (parsed.error || parsed.mapping === undefined) return parsed;
	try {
		createCustomAdapter(parsed.mapping);
		return parsed;
	} catch (error) {
		return { mapping: parsed.mapping, error: error instanceof Error ? error : new Error(String(error)) };
	}
}

function readSettings(config: NormalizeNodeDef): Settings {
	const parsed = checkMapping(parseCustomMapping(config.customMapping));
	return {
		operation: config.operation === 'render' ? 'render' : 'normalize',
		platform: configOption(config.platform) ?? AUTO,
		// Older saved nodes have no keepRaw: the default is on.
		keepRaw: config.keepRaw !== false,
		outputMode: config.outputMode === 'all' ? 'all' : 'each',
		to: configOption(config.to),
		from: configOption(config.from),
		variant: configOption(config.variant),
		mapping: parsed.mapping,
		mappingError: parsed.error,
	};
}

/** Resolves the "custom" choice to the mapping's platform name; "auto" means detect (normalize only). */
function chosenPlatform(value: string, settings: Settings): string | undefined {
	if (value === AUTO) return undefined;
	if (value !== CUSTOM) return value;
	const name = isRecord(settings.mapping) ? settings.mapping.platform : undefined;
	if (typeof name === 'string' && name !== '') return name;
	if (settings.mapping === undefined) {
		throw new InvalidMappingError('(json)', 'is empty, but the platform is set to "custom mapping"', 'Paste the mapping JSON into the node, or choose a platform.');
	}
	// Let the core's mapping validation say what is wrong with it.
	return CUSTOM;
}

/**
 * Meta's subscribe handshake carries the verify token the admin typed in the app dashboard. With a token
 * configured, a mismatch is answered 403 instead of echoing the challenge (an unverified subscription).
 */
function handshakeRejected(result: NormalizeResult, verifyToken: string | undefined): boolean {
	const handshake = result.handshake;
	return !!handshake && !!verifyToken && handshake.kind === 'meta_subscribe' && handshake.verifyToken !== verifyToken;
}

function normalizeOutputs(msg: NodeMessage, result: NormalizeResult, settings: Settings, dropHeaders: boolean, rejected: boolean): NodeMessage[] {
	const base: NodeMessage = { ...msg };
	// Headers read as the request's headers must not travel on: an `http response` node would send them back.
	if (dropHeaders) delete base.headers;

	if (result.handshake) {
		const { response, kind, challenge } = result.handshake;
		return [
			{
				...base,
				payload: rejected ? 'Forbidden: verify token mismatch' : response.body,
				statusCode: rejected ? 403 : response.status,
				headers: { 'content-type': rejected ? 'text/plain' : response.contentType },
				switchboard: { platform: result.platform, kind: 'handshake', handshake: { kind, challenge, accepted: !rejected } },
			},
		];
	}
	const count = result.messages.length + result.events.length;
	if (settings.outputMode === 'all') {
		return [
			{
				...base,
				payload: { platform: result.platform, messages: result.messages, events: result.events },
				switchboard: { platform: result.platform, kind: 'all', count },
			},
		];
	}
	const out: NodeMessage[] = [];
	for (const message of result.messages) {
		out.push({ ...base, payload: message, switchboard: { platform: result.platform, kind: 'message', index: out.length, count } });
	}
	for (const event of result.events) {
		out.push({ ...base, payload: event, switchboard: { platform: result.platform, kind: 'event', index: out.length, count } });
	}
	return out;
}

function normalizeStatus(result: NormalizeResult, rejected: boolean): NodeStatus {
	if (rejected) return { fill: 'yellow', shape: 'dot', text: `${result.platform} handshake refused: verify token mismatch` };
	if (result.handshake) return { fill: 'green', shape: 'dot', text: `${result.platform} handshake answered` };
	const text = `${plural(result.messages.length, 'message', 'messages')}, ${plural(result.events.length, 'event', 'events')} (${result.platform})`;
	return { fill: 'green', shape: 'dot', text };
}

export = function register(RED: NodeAPI): void {
	registerPlatformsEndpoint(RED);

	function UniversalMessageNormalizeNode(this: Node, config: NodeDef): void {
		RED.nodes.createNode(this, config);
		const node = this;
		const settings = readSettings(config as NormalizeNodeDef);
		if (settings.mappingError) node.status(errorStatus(settings.mappingError));

		const verifyToken = configOption(node.credentials?.verifyToken);

		function runNormalize(msg: NodeMessage, send: NodeSend): NodeStatus {
			const { request, headersFromMessage } = requestFromMessage(msg);
			const result = normalize(request, {
				platform: chosenPlatform(messageOption(msg, 'platform') ?? settings.platform, settings),
				keepRaw: settings.keepRaw,
				customMappings: settings.mapping !== undefined ? [settings.mapping] : [],
			});
			const rejected = handshakeRejected(result, verifyToken);
			if (rejected) node.warn(`Refused a ${result.platform} subscribe handshake: its verify token does not match this node's`);
			const outputs = normalizeOutputs(msg, result, settings, headersFromMessage, rejected);
			if (outputs.length > 0) send([outputs]);
			return normalizeStatus(result, rejected);
		}

		function runRender(msg: NodeMessage, send: NodeSend): NodeStatus {
			const payload = msg.payload;
			// "auto" renders back to the platform the message names (a reply goes out where it came from).
			const fallback = isRecord(payload) && typeof payload.provider === 'string' ? payload.provider : undefined;
			const requested = messageOption(msg, 'platform') ?? settings.platform;
			const platform = requested === AUTO ? fallback : chosenPlatform(requested, settings);
			if (!platform) throw new UnknownPlatformError('(not set)', RENDER_PLATFORM_IDS);
			const options: RenderCallOptions = {
				to: messageOption(msg, 'to') ?? settings.to,
				from: messageOption(msg, 'from') ?? settings.from,
				variant: messageOption(msg, 'variant') ?? settings.variant,
				customMapping: settings.mapping,
			};
			const output = render(payload, platform, options);
			send({ ...msg, payload: output });
			const degraded = output.degradations.length ? `, ${output.degradations.length} degraded` : '';
			return { fill: 'green', shape: 'dot', text: `${plural(output.payloads.length, 'payload', 'payloads')}${degraded} (${output.platform})` };
		}

		node.on('input', (msg: NodeMessage, send: NodeSend, done: NodeDone) => {
			try {
				if (settings.mappingError) throw settings.mappingError;
				node.status(settings.operation === 'render' ? runRender(msg, send) : runNormalize(msg, send));
				done();
			} catch (error) {
				node.status(errorStatus(error));
				done(toNodeRedError(error));
			}
		});

		node.on('close', (_removed: boolean, done: () => void) => {
			node.status({});
			done();
		});
	}

	RED.nodes.registerType(NODE_TYPE, UniversalMessageNormalizeNode, { credentials: { verifyToken: { type: 'password' } } });
};
