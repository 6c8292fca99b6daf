/**
 * The one interface every platform adapter implements. An adapter lives in its own folder under
 * core/platforms/<id>/ and is registered once in ../registry.ts. Adapters are pure: no I/O, no clock
 * except the injected one, no host imports.
 */
import type { Channel, DeliveryEvent, Message, PartType } from '../schema/message';
import type { ParsedRequest } from '../request';

export interface NormalizeContext {
	/** Attach the platform's own payload to each message/event as `raw`. */
	keepRaw: boolean;
	/** Injected clock, used only when the platform sends no timestamp. */
	now: () => Date;
}

/** A verification request (Meta hub.challenge GET, Slack url_verification): answer it, emit nothing. */
export interface Handshake {
	platform: string;
	kind: 'meta_subscribe' | 'slack_url_verification';
	challenge: string;
	/** Meta sends the verify token the admin typed; the caller compares it with its own. */
	verifyToken?: string;
	/** What to answer with, ready for an HTTP response node. */
	response: { status: number; contentType: string; body: string };
}

export interface NormalizeOutput {
	messages: Message[];
	events: DeliveryEvent[];
	handshake?: Handshake;
}

export type Detection = { match: true } | { match: false; reason: string };

export interface RenderOptions {
	/** Overrides the recipient taken from the message (recipients[0], else conversation.id). */
	to?: string;
	/** Sender address/number/id where the platform puts it in the body (email from, SMS From). */
	from?: string;
	/** Platform-specific variant, e.g. teams: "bot" | "graph" | "workflows"; googlechat: "api" | "webhook". */
	variant?: string;
}

/** One request body the platform's send API expects. Mixed content may need several, in order. */
export interface PlatformPayload {
	/** The API method/endpoint this body is for, e.g. "sendPhoto", "messages", "chat.postMessage". */
	endpoint: string;
	contentType: 'application/json' | 'application/x-www-form-urlencoded';
	body: Record<string, unknown>;
}

export interface Degradation {
	/** Index of the part in the message as given. */
	partIndex: number;
	from: PartType | string;
	/** What it became: another part type, "text", or "dropped". */
	to: PartType | 'dropped' | string;
	reason: string;
}

export interface RenderOutput {
	platform: string;
	payloads: PlatformPayload[];
	degradations: Degradation[];
}

export type TextFormat = 'plain' | 'markdown' | 'html';

/** What a platform shows natively; everything else is degraded by core/render/degrade.ts first. */
export interface RenderCapabilities {
	parts: ReadonlySet<PartType>;
	textFormats: ReadonlySet<TextFormat>;
	/** Reply buttons one message can carry natively (WhatsApp 3); more become a list or text. */
	maxButtons?: number;
	/** Button actions the platform has (reply, url, call). */
	buttonActions?: ReadonlySet<'reply' | 'url' | 'call'>;
	maxListRows?: number;
	maxQuickReplies?: number;
	mediaKinds?: ReadonlySet<string>;
}

export interface PlatformAdapter {
	/** Stable id used in `platform` options and in message `provider` (e.g. "whatsapp"). */
	readonly id: string;
	/** Name shown to people (e.g. "WhatsApp Cloud API"). */
	readonly name: string;
	/** Channel of messages this adapter produces unless the payload says otherwise. */
	readonly channel: Channel;
	/** Cheap, side-effect-free check of headers and body shape. Never throws. */
	detect?(request: ParsedRequest): Detection;
	/** Inbound: the request → universal messages/events. Throws typed SwitchboardErrors only. */
	normalize?(request: ParsedRequest, context: NormalizeContext): NormalizeOutput;
	/** Outbound: capabilities used to degrade parts before `render` sees them. */
	readonly renderCapabilities?: RenderCapabilities;
	/**
	 * Outbound: builds the send API bodies. Receives the message with parts already degraded to
	 * `renderCapabilities`; reports any further loss through `degrade`.
	 */
	render?(message: Message, options: RenderOptions, report: (d: Omit<Degradation, 'partIndex'> & { partIndex?: number }) => void): PlatformPayload[];
}
