/**
 * Outbound direction of a custom mapping: a universal message → objects in the provider's own format,
 * written through the same `fields` paths the mapping reads (seed 004: hand a reply back to Scala360
 * in Scala360's shape). One payload per content part, in order; each payload also carries the
 * addressing fields (sender, conversation, recipient), the timestamp and the metadata; the first one
 * carries providerMessageId and replyTo. Fixed values ("=direct") are never written.
 *
 * Parts reach this function already degraded to `customRenderCapabilities(mapping)`; whatever the
 * mapping still cannot hold (a caption with no caption path, a media kind with no kind path) is
 * reported, never dropped silently.
 */
import { RenderError } from '../../errors';
import type { Message, Part } from '../../schema/message';
import type { Degradation, PlatformPayload, RenderCapabilities, RenderOptions, TextFormat } from '../types';
import type { MessageField } from './fields';
import type { CompiledMapping, Source } from './mapping';
import { setAt, type CompiledPath } from './paths';

type Report = (d: Omit<Degradation, 'partIndex'> & { partIndex?: number }) => void;

/**
 * The path a field is written to: the first of its paths; none for fixed values or unmapped fields.
 * A "$." path is read from the envelope around a batch, which a rendered message does not have; when
 * the body is the message (no `messages` path) it is the same place as the message itself.
 */
function target(source: Source | undefined, mapping: CompiledMapping): CompiledPath | undefined {
	const path = source?.kind === 'paths' ? source.paths[0] : undefined;
	return path && path.root && mapping.messages !== undefined ? undefined : path;
}

export function customRenderCapabilities(mapping: CompiledMapping): RenderCapabilities {
	const fields = mapping.fields ?? {};
	const parts = new Set<Part['type']>();
	if (target(fields.text, mapping)) parts.add('text');
	if (target(fields['media.url'], mapping) || target(fields['media.id'], mapping)) parts.add('media');
	if (target(fields['location.latitude'], mapping) && target(fields['location.longitude'], mapping)) parts.add('location');
	if (target(fields['interactive.id'], mapping)) parts.add('interactive_reply');
	const textFormats = new Set<TextFormat>(['plain']);
	const format = fields['text.format'];
	if (format?.kind === 'paths') {
		textFormats.add('markdown');
		textFormats.add('html');
	} else if (format?.kind === 'const') {
		textFormats.add(format.value as TextFormat);
	}
	const kind = fields['media.kind'];
	return {
		parts,
		textFormats,
		// A fixed kind ("=image") can only carry that kind; other media degrade to a link.
		mediaKinds: kind?.kind === 'const' ? new Set([kind.value]) : undefined,
	};
}

class PayloadWriter {
	readonly body: Record<string, unknown> = {};
	constructor(
		private readonly mapping: CompiledMapping,
		private readonly report: Report,
		private readonly partIndex: number | undefined,
	) {}

	/** Writes `value` where `field` is mapped; false when the mapping has nowhere to put it. */
	write(field: MessageField, value: unknown): boolean {
		const source = this.mapping.fields?.[field];
		// A fixed value is never written: it is what the provider implies (customRenderCapabilities
		// already limits a fixed media kind or text format to that value).
		if (source?.kind === 'const') return true;
		const path = target(source, this.mapping);
		if (!path) return false;
		if (value === undefined) return true;
		const blocked = setAt(this.body, path.segments, value);
		if (blocked !== undefined) {
			this.report({
				partIndex: this.partIndex,
				from: field,
				to: 'dropped',
				reason: `"${path.display}" cannot be written because "${blocked || '(root)'}" already holds another field's value; give ${field} a path of its own`,
			});
		}
		return true;
	}

	/** Universal vocabulary word → the provider's word, via the mapping's table when it has one. */
	writeWord(field: MessageField, universal: string | undefined): boolean {
		if (universal === undefined) return this.write(field, undefined);
		return this.write(field, this.mapping.values[field]?.reverse.get(universal) ?? universal);
	}

	/** Metadata values are copied: a content field written inside one must not change the message. */
	writePath(path: CompiledPath, value: unknown): void {
		if (value !== undefined) setAt(this.body, path.segments, typeof value === 'object' && value !== null ? structuredClone(value) : value);
	}
}

function writeAddressing(mapping: CompiledMapping, message: Message, options: RenderOptions, out: PayloadWriter, first: boolean): void {
	// Order matters when two fields share a path (Scala360 maps sender.id and conversation.id to the
	// same contact.phone): the later write wins, so the recipient is written last.
	out.write('sender.id', options.from ?? message.sender?.id);
	out.write('sender.name', options.from === undefined ? message.sender?.name : undefined);
	out.write('conversation.id', options.to ?? message.conversation.id);
	out.writeWord('conversation.type', message.conversation.type);
	out.write('conversation.threadId', message.conversation.threadId);
	out.write('conversation.name', message.conversation.name);
	const recipient = message.recipients[0];
	out.write('recipient.id', options.to ?? recipient?.id ?? message.conversation.id);
	out.write('recipient.name', options.to === undefined ? recipient?.name : undefined);
	out.write('timestamp', message.timestamp);
	if (first) {
		out.write('providerMessageId', message.providerMessageId);
		out.write('replyTo', message.replyTo?.messageId);
	}
	for (const [key, source] of mapping.metadata) {
		const path = target(source, mapping);
		if (path) out.writePath(path, message.metadata[key]);
	}
}

/** Writes one part's content; false when nothing of it could be written (the payload is not sent). */
function writePart(part: Part, out: PayloadWriter, index: number, report: Report): boolean {
	const note = (from: string, to: string, reason: string) => {
		report({ partIndex: index, from, to, reason });
		return to !== 'dropped';
	};
	switch (part.type) {
		case 'text': {
			if (!out.write('text', part.text)) return note('text', 'dropped', 'the mapping has no path for text');
			out.writeWord('text.format', part.format);
			return true;
		}
		case 'media': {
			const placed = part.url !== undefined && out.write('media.url', part.url);
			const placedId = part.mediaId !== undefined && out.write('media.id', part.mediaId);
			if (!placed && !placedId) {
				// Mapped by provider file id only, and this media only has a link: send the link as text.
				if (part.url !== undefined && out.write('text', [part.caption, part.url].filter(Boolean).join('\n'))) {
					return note('media', 'text', 'the mapping has no path for media.url; sent as a link');
				}
				return note('media', 'dropped', part.url === undefined ? 'the media has no URL and the mapping has no path for media.id' : 'the mapping has no path for media.url');
			}
			const lost: string[] = [];
			if (part.url !== undefined && !placed) lost.push('url');
			if (!out.writeWord('media.kind', part.kind)) lost.push(`kind (${part.kind})`);
			if (part.mimeType !== undefined && !out.write('media.mimeType', part.mimeType)) lost.push('mimeType');
			if (part.filename !== undefined && !out.write('media.filename', part.filename)) lost.push('filename');
			if (part.size !== undefined && !out.write('media.size', part.size)) lost.push('size');
			if (part.caption !== undefined && !out.write('media.caption', part.caption)) {
				if (out.write('text', part.caption)) note('media.caption', 'text', 'the mapping has no path for media.caption; the caption is sent as the text');
				else lost.push('caption');
			}
			if (lost.length) note('media', 'media', `the mapping has no path for ${lost.join(', ')}; sent without it`);
			return true;
		}
		case 'location': {
			out.write('location.latitude', part.latitude);
			out.write('location.longitude', part.longitude);
			const lost = (['name', 'address'] as const).filter((k) => part[k] !== undefined && !out.write(`location.${k}`, part[k]));
			if (lost.length) note('location', 'location', `the mapping has no path for location ${lost.join(', ')}; sent without it`);
			return true;
		}
		case 'interactive_reply': {
			out.write('interactive.id', part.id);
			if (part.title !== undefined && !out.write('interactive.title', part.title)) note('interactive_reply', 'interactive_reply', 'the mapping has no path for interactive.title; sent without it');
			out.writeWord('interactive.source', part.source);
			return true;
		}
		default:
			// degradeParts only lets through what customRenderCapabilities declares.
			return note(part.type, 'dropped', `the mapping has no fields for ${part.type} content`);
	}
}

export function renderCustom(mapping: CompiledMapping, message: Message, options: RenderOptions, report: Report): PlatformPayload[] {
	const fields = mapping.fields ?? {};
	if (!target(fields['recipient.id'], mapping) && !target(fields['conversation.id'], mapping)) {
		report({ from: 'recipient', to: 'dropped', reason: 'the mapping has no path for recipient.id or conversation.id, so the payload does not say who it is for' });
	}
	const payloads: PlatformPayload[] = [];
	message.parts.forEach((part, index) => {
		const out = new PayloadWriter(mapping, report, index);
		writeAddressing(mapping, message, options, out, payloads.length === 0);
		if (writePart(part, out, index, report)) payloads.push({ endpoint: mapping.platform, contentType: 'application/json', body: out.body });
	});
	if (payloads.length === 0) {
		throw new RenderError(
			mapping.platform,
			'the mapping has no path for any content of this message',
			'add "text" (and "media.url") to the mapping\'s fields so replies can be written in this format',
		);
	}
	return payloads;
}
