/**
 * Universal message → Vonage Messages API bodies (`POST /v1/messages`, providers.md §9.2), one per part,
 * in order. Every body carries `client_ref` = the Switchboard message id, which Vonage echoes in each
 * status webhook, so reports can be matched back to the message.
 *
 * The channel comes from `options.variant` when it names a Vonage channel (sms, mms, whatsapp,
 * messenger, viber_service, rcs), else from the message's channel. What each channel can carry differs
 * (SMS is text only; WhatsApp adds locations, reply buttons, lists and templates through `custom`
 * Meta objects), so parts are narrowed per channel and every loss is reported.
 *
 * `from` is required by the API for every channel: a missing `options.from` is a RenderError rather than
 * a 422 later. Phone numbers lose their leading `+` (Vonage takes E.164 digits only).
 */
import { RenderError } from '../../errors';
import { degradeParts } from '../../render/degrade';
import type { ButtonsPart, ListPart, MediaPart, Message, TemplatePart } from '../../schema/message';
import { compact } from '../../util/object';
import type { Degradation, PlatformPayload, RenderCapabilities, RenderOptions } from '../types';
import { VONAGE } from './normalize';

export const VONAGE_ENDPOINT = 'v1/messages';
const CLIENT_REF_MAX = 100;

type VonageChannel = 'sms' | 'mms' | 'whatsapp' | 'messenger' | 'viber_service' | 'rcs';
type Report = (d: Omit<Degradation, 'partIndex'> & { partIndex?: number }) => void;

const PLAIN = new Set(['plain'] as const);

/** What at least one Vonage channel sends natively (WhatsApp has the most); narrowed per channel. */
export const vonageCapabilities: RenderCapabilities = {
	parts: new Set(['text', 'media', 'location', 'buttons', 'list', 'template']),
	textFormats: PLAIN,
	maxButtons: 3,
	buttonActions: new Set(['reply']),
	maxListRows: 10,
	mediaKinds: new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker']),
};

const CHANNEL_CAPABILITIES: Readonly<Record<VonageChannel, RenderCapabilities>> = {
	sms: { parts: new Set(['text']), textFormats: PLAIN },
	mms: { parts: new Set(['text', 'media']), textFormats: PLAIN, mediaKinds: new Set(['image', 'video', 'audio', 'voice']) },
	whatsapp: vonageCapabilities,
	messenger: { parts: new Set(['text', 'media']), textFormats: PLAIN, mediaKinds: new Set(['image', 'video', 'audio', 'voice', 'document']) },
	viber_service: { parts: new Set(['text', 'media']), textFormats: PLAIN, mediaKinds: new Set(['image', 'video', 'document']) },
	rcs: { parts: new Set(['text', 'media']), textFormats: PLAIN, mediaKinds: new Set(['image', 'video', 'document']) },
};

const FROM_UNIVERSAL: Readonly<Record<string, VonageChannel>> = {
	sms: 'sms',
	mms: 'mms',
	whatsapp: 'whatsapp',
	messenger: 'messenger',
	viber: 'viber_service',
	rcs: 'rcs',
};

function channelFor(message: Message, options: RenderOptions): VonageChannel {
	const variant = options.variant;
	if (variant && Object.hasOwn(CHANNEL_CAPABILITIES, variant)) return variant as VonageChannel;
	const channel = FROM_UNIVERSAL[message.channel];
	if (channel) return channel;
	throw new RenderError(
		VONAGE,
		`channel "${message.channel}" is not a Vonage Messages channel`,
		'Set the message channel to sms, mms, whatsapp, messenger, viber or rcs (or the variant option to a Vonage channel name).',
	);
}

function address(channel: VonageChannel, value: string): string {
	return channel !== 'messenger' && value.startsWith('+') ? value.slice(1) : value;
}

/** WhatsApp's length limits on button/row titles: cut to fit and say so, instead of a 400 later. */
function fit(value: string, max: number, what: string, partIndex: number, report: Report): string {
	const chars = Array.from(value);
	if (chars.length <= max) return value;
	report({ partIndex, from: what, to: what, reason: `"${value}" cut to WhatsApp's ${max} characters` });
	return chars.slice(0, max).join('');
}

function mediaContent(part: MediaPart, url: string): { type: string; content: Record<string, unknown>; captionLeft?: string } {
	const caption = part.caption || undefined;
	switch (part.kind) {
		case 'image':
			return { type: 'image', content: compact({ url, caption }) };
		case 'video':
			return { type: 'video', content: compact({ url, caption }) };
		case 'audio':
		case 'voice':
			return { type: 'audio', content: { url }, captionLeft: caption };
		case 'sticker':
			return { type: 'sticker', content: { url }, captionLeft: caption };
		case 'document':
			return { type: 'file', content: compact({ url, caption, name: part.filename }) };
	}
}

function buttonsContent(part: ButtonsPart, partIndex: number, report: Report): Record<string, unknown> {
	return {
		type: 'interactive',
		interactive: {
			type: 'button',
			body: { text: part.text || part.buttons.map((b) => b.title).join(' / ') },
			action: {
				buttons: part.buttons.map((b, i) => ({
					type: 'reply',
					reply: { id: b.id ?? String(i + 1), title: fit(b.title, 20, 'buttons', partIndex, report) },
				})),
			},
		},
	};
}

function listContent(part: ListPart, partIndex: number, report: Report): Record<string, unknown> {
	return {
		type: 'interactive',
		interactive: {
			type: 'list',
			body: { text: part.text || part.sections.flatMap((s) => s.rows.map((r) => r.title)).join(' / ') },
			action: {
				button: fit(part.buttonText || 'Choose', 20, 'list', partIndex, report),
				sections: part.sections.map((section) =>
					compact({
						title: section.title,
						rows: section.rows.map((row) =>
							compact({ id: row.id, title: fit(row.title, 24, 'list', partIndex, report), description: row.description }),
						),
					}),
				),
			},
		},
	};
}

/** Vonage's `template` message takes the body parameters in order; others cannot be expressed there. */
function templateContent(part: TemplatePart, partIndex: number, report: Report): Record<string, unknown> {
	const body = part.parameters.filter((p) => p.component === 'body');
	if (body.length < part.parameters.length) {
		report({
			partIndex,
			from: 'template',
			to: 'template',
			reason: 'Vonage template messages take body parameters only; header/button/footer parameters were left out',
		});
	}
	return {
		template: { name: part.name, parameters: body.map((p) => p.value) },
		whatsapp: { policy: 'deterministic', locale: part.language ?? 'en_US' },
	};
}

export function renderVonage(message: Message, options: RenderOptions, report: Report): PlatformPayload[] {
	const channel = channelFor(message, options);
	if (!options.from) {
		throw new RenderError(VONAGE, 'the sender `from` is missing', 'Set the from option to your Vonage number, sender id or channel id.');
	}
	const recipient = options.to ?? message.recipients[0]?.id ?? message.conversation.id;
	let clientRef = message.id;
	if (clientRef.length > CLIENT_REF_MAX) {
		clientRef = clientRef.slice(0, CLIENT_REF_MAX);
		report({ from: 'id', to: 'client_ref', reason: `message id cut to Vonage's ${CLIENT_REF_MAX}-character client_ref` });
	}
	const base = { channel, to: address(channel, recipient), from: address(channel, options.from) };

	const narrowed = degradeParts(message.parts, CHANNEL_CAPABILITIES[channel]);
	for (const d of narrowed.degradations) report({ ...d, reason: `${d.reason} (Vonage ${channel})` });

	const payloads: PlatformPayload[] = [];
	const send = (messageType: string, content: Record<string, unknown>) => {
		payloads.push({
			endpoint: VONAGE_ENDPOINT,
			contentType: 'application/json',
			body: { ...base, message_type: messageType, ...content, client_ref: clientRef },
		});
	};

	narrowed.parts.forEach((part, j) => {
		const partIndex = narrowed.origin[j]!;
		switch (part.type) {
			case 'text':
				return send('text', { text: part.text });
			case 'media': {
				if (!part.url) {
					return report({ partIndex, from: 'media', to: 'dropped', reason: 'Vonage sends media by URL and this part only has a mediaId' });
				}
				const media = mediaContent(part, part.url);
				send(media.type, { [media.type]: media.content });
				if (media.captionLeft) {
					report({ partIndex, from: 'media', to: 'text', reason: `Vonage ${media.type} messages have no caption; the caption follows as text` });
					send('text', { text: media.captionLeft });
				}
				return;
			}
			case 'location':
				return send('custom', {
					custom: {
						type: 'location',
						location: compact({ latitude: part.latitude, longitude: part.longitude, name: part.name, address: part.address }),
					},
				});
			case 'buttons':
				return send('custom', { custom: buttonsContent(part, partIndex, report) });
			case 'list':
				return send('custom', { custom: listContent(part, partIndex, report) });
			case 'template':
				return send('template', templateContent(part, partIndex, report));
			default:
				return report({ partIndex, from: part.type, to: 'dropped', reason: `Vonage ${channel} cannot send ${part.type} content` });
		}
	});

	if (message.replyTo) {
		const first = payloads[0];
		if (channel === 'whatsapp' && first) first.body.context = { message_uuid: message.replyTo.messageId };
		else report({ from: 'replyTo', to: 'dropped', reason: `Vonage ${channel} messages cannot quote an earlier message` });
	}
	if (payloads.length === 0) {
		throw new RenderError(VONAGE, 'nothing in this message can be sent', 'Add a text part or a media part with a URL.');
	}
	return payloads;
}
