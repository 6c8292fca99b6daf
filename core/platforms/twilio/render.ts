/**
 * Universal message → Twilio Messages API form bodies (providers.md §1.1), one per API call, in order.
 *
 * One part = one Twilio message, so each comes back from the recipient's side as it was sent:
 * - text → `Body`. Twilio refuses a Body over 1600 characters (21617), so longer texts are split into
 *   several messages at whitespace (reported), never truncated.
 * - media → `MediaUrl` with its caption as `Body` (WhatsApp shows it as the caption). MMS packs
 *   consecutive caption-less media into one message (≤ 10 URLs); WhatsApp takes one medium per message.
 * - location (WhatsApp) → `PersistentAction: geo:<lat>,<long>|<label>` with the label (or a map link)
 *   as Body. SMS/MMS get the map link as text.
 * - template → `ContentSid` (the `HX…` Content SID is the template name) + `ContentVariables`, a JSON
 *   string keyed by parameter name, or by position 1..n for unnamed parameters.
 *
 * Which channel: a `whatsapp:` address or channel whatsapp → WhatsApp (both To and From get the prefix);
 * channel mms → MMS; anything else → plain SMS, which carries text only: media become links, etc.
 * `options.from` starting with `MG` is a Messaging Service and goes out as MessagingServiceSid; without
 * any `from` the sending node must add From or MessagingServiceSid (Twilio needs one of them).
 */
import { RenderError } from '../../errors';
import { degradeParts, mapLink } from '../../render/degrade';
import type { Message, TemplatePart } from '../../schema/message';
import type { Degradation, PlatformPayload, RenderCapabilities, RenderOptions } from '../types';
import { TWILIO } from './normalize';

export const TWILIO_MAX_BODY = 1600;
export const TWILIO_MAX_MEDIA = 10;
export const TWILIO_ENDPOINT = 'Messages.json';

type TwilioChannel = 'sms' | 'mms' | 'whatsapp';

const MEDIA_KINDS = new Set(['image', 'video', 'audio', 'voice', 'document']);
const PLAIN = new Set(['plain'] as const);

/** What at least one Twilio channel sends natively; `render` narrows it per channel. */
export const twilioCapabilities: RenderCapabilities = {
	parts: new Set(['text', 'media', 'location', 'template']),
	textFormats: PLAIN,
	mediaKinds: MEDIA_KINDS,
};

const CHANNEL_CAPABILITIES: Readonly<Record<TwilioChannel, RenderCapabilities>> = {
	sms: { parts: new Set(['text', 'template']), textFormats: PLAIN },
	mms: { parts: new Set(['text', 'media', 'template']), textFormats: PLAIN, mediaKinds: MEDIA_KINDS },
	whatsapp: twilioCapabilities,
};

type Report = (d: Omit<Degradation, 'partIndex'> & { partIndex?: number }) => void;

function channelFor(message: Message, to: string): TwilioChannel {
	if (to.startsWith('whatsapp:') || message.channel === 'whatsapp') return 'whatsapp';
	return message.channel === 'mms' ? 'mms' : 'sms';
}

function address(channel: TwilioChannel, value: string): string {
	return channel === 'whatsapp' && !value.startsWith('whatsapp:') ? `whatsapp:${value}` : value;
}

/**
 * Splits at the last whitespace inside each window of `max` code points (hard cut when there is none
 * in the second half), so joining the pieces gives back the text exactly.
 */
export function splitBody(text: string, max = TWILIO_MAX_BODY): string[] {
	if (text.length <= max) return [text];
	const chars = Array.from(text);
	if (chars.length <= max) return [text];
	const pieces: string[] = [];
	let start = 0;
	while (chars.length - start > max) {
		let end = start + max;
		for (let i = end - 1; i > start + max / 2; i -= 1) {
			const c = chars[i]!;
			if (c === ' ' || c === '\n' || c === '\t') {
				end = i + 1;
				break;
			}
		}
		pieces.push(chars.slice(start, end).join(''));
		start = end;
	}
	pieces.push(chars.slice(start).join(''));
	return pieces;
}

export function contentVariables(part: TemplatePart): string | undefined {
	if (part.parameters.length === 0) return undefined;
	const variables: Record<string, string> = {};
	let position = 0;
	for (const parameter of part.parameters) {
		if (parameter.name) variables[parameter.name] = parameter.value;
		else variables[String((position += 1))] = parameter.value;
	}
	return JSON.stringify(variables);
}

export function renderTwilio(message: Message, options: RenderOptions, report: Report): PlatformPayload[] {
	const recipient = options.to ?? message.recipients[0]?.id ?? message.conversation.id;
	const channel = channelFor(message, recipient);
	const base: Record<string, unknown> = { To: address(channel, recipient) };
	if (options.from) {
		if (options.from.startsWith('MG')) base.MessagingServiceSid = options.from;
		else base.From = address(channel, options.from);
	}

	// Parts arrive degraded to what any Twilio channel can do; narrow to this channel (SMS has no
	// media, only WhatsApp has locations). Indexes below are into message.parts, as `report` expects.
	const narrowed = degradeParts(message.parts, CHANNEL_CAPABILITIES[channel]);
	for (const d of narrowed.degradations) report({ ...d, reason: `${d.reason} (Twilio ${channel})` });

	const payloads: PlatformPayload[] = [];
	const send = (fields: Record<string, unknown>): Record<string, unknown> => {
		const body = { ...base, ...fields };
		payloads.push({ endpoint: TWILIO_ENDPOINT, contentType: 'application/x-www-form-urlencoded', body });
		return body;
	};
	const sendText = (text: string, partIndex: number) => {
		const pieces = splitBody(text);
		if (pieces.length > 1) {
			report({
				partIndex,
				from: 'text',
				to: 'text',
				reason: `${Array.from(text).length} characters exceed Twilio's ${TWILIO_MAX_BODY}-character Body; sent as ${pieces.length} messages`,
			});
		}
		for (const piece of pieces) send({ Body: piece });
	};
	// The open MMS message further caption-less media may join.
	let openMedia: string[] | undefined;

	narrowed.parts.forEach((part, j) => {
		const partIndex = narrowed.origin[j]!;
		if (part.type !== 'media') openMedia = undefined;
		switch (part.type) {
			case 'text':
				return sendText(part.text, partIndex);
			case 'media': {
				if (!part.url) {
					openMedia = undefined;
					return report({ partIndex, from: 'media', to: 'dropped', reason: 'Twilio sends media by public URL and this part only has a mediaId' });
				}
				const caption = part.caption || undefined;
				if (channel === 'mms' && caption === undefined && openMedia && openMedia.length < TWILIO_MAX_MEDIA) {
					openMedia.push(part.url);
					return;
				}
				const media = [part.url];
				if (caption !== undefined && Array.from(caption).length > TWILIO_MAX_BODY) {
					send({ MediaUrl: media });
					sendText(caption, partIndex);
					openMedia = undefined;
					return;
				}
				send(caption === undefined ? { MediaUrl: media } : { Body: caption, MediaUrl: media });
				openMedia = channel === 'mms' && caption === undefined ? media : undefined;
				return;
			}
			case 'location': {
				const label = part.name ?? part.address;
				const action = `geo:${part.latitude},${part.longitude}${label ? `|${label}` : ''}`;
				send({ Body: [part.name, part.address].filter(Boolean).join(', ') || mapLink(part.latitude, part.longitude), PersistentAction: [action] });
				return;
			}
			case 'template': {
				if (!part.name.startsWith('HX')) {
					throw new RenderError(
						TWILIO,
						`parts[${partIndex}].name "${part.name}" is not a Twilio Content SID`,
						'Use the Content template SID (HX…) as the template name.',
					);
				}
				const variables = contentVariables(part);
				send(variables === undefined ? { ContentSid: part.name } : { ContentSid: part.name, ContentVariables: variables });
				return;
			}
			default:
				return report({ partIndex, from: part.type, to: 'dropped', reason: `Twilio ${channel} cannot send ${part.type} content` });
		}
	});

	if (message.replyTo) {
		report({ from: 'replyTo', to: 'dropped', reason: 'the Twilio Messages API cannot quote an earlier message; sent without reply context' });
	}
	if (payloads.length === 0) {
		throw new RenderError(TWILIO, 'nothing in this message can be sent', 'Add a text part or a media part with a public URL.');
	}
	return payloads;
}
