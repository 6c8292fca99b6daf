/**
 * Inbound direction of a custom mapping: a provider's own JSON → universal messages and delivery
 * events. Pure functions over a CompiledMapping (paths already split), so the per-message cost is a
 * few property walks per mapped field.
 *
 * Error contract: a shape problem is a PayloadMismatchError naming the platform and the full path in
 * the payload (`data.messages[2].message.text`), never a TypeError.
 */
import { MalformedBodyError, PayloadMismatchError } from '../../errors';
import type { ParsedRequest } from '../../request';
import {
	EVENT_SCHEMA_ID,
	MESSAGE_SCHEMA_ID,
	type DeliveryEvent,
	type MediaKind,
	type Message,
	type Part,
} from '../../schema/message';
import { isRecord, str, num, type Json, lookupTable } from '../../util/object';
import { toIsoTimestamp } from '../../util/time';
import { eventId, messageId } from '../shared/ids';
import { byteSize } from '../shared/inbound';
import type { Detection, NormalizeContext, NormalizeOutput } from '../types';
import { CONTENT_FIELDS, CONVERSATION_TYPES, MESSAGE_FIELDS, type FieldSpec } from './fields';
import type { CompiledCondition, CompiledEvents, CompiledMapping, Source, ValueTable } from './mapping';
import { mapCustomStatus } from './map-custom-status';
import { getAt, joinPath, type CompiledPath } from './paths';

// ---------------------------------------------------------------------------------------------------
// Detection

function describe(value: unknown): string {
	if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return Array.isArray(value) ? 'a list' : 'an object';
}

function same(actual: unknown, expected: string | number | boolean): boolean {
	if (actual === expected) return true;
	// Compared as text: an analyst writing "equals": "360" means the number 360 too.
	return (typeof actual === 'string' || typeof actual === 'number' || typeof actual === 'boolean') && String(actual) === String(expected);
}

/** undefined when the condition holds, otherwise why not (shown in "Tried: …"). */
export function conditionFails(condition: CompiledCondition, body: unknown, headers: Record<string, string>): string | undefined {
	if (condition.kind === 'header') {
		const value = headers[condition.name];
		if (value === undefined) return `no ${condition.name} header`;
		if (condition.equals !== undefined && !same(value, condition.equals)) return `header ${condition.name} is not ${describe(condition.equals)}`;
		return undefined;
	}
	const value = getAt(body, condition.path.segments);
	if (value === undefined || value === null) return `no "${condition.path.display}" in the body`;
	if (condition.equals !== undefined && !same(value, condition.equals)) {
		return `"${condition.path.display}" is ${describe(value)}, not ${describe(condition.equals)}`;
	}
	return undefined;
}

export function detectCustom(mapping: CompiledMapping, request: ParsedRequest): Detection {
	if (request.bodyKind !== 'json' && request.bodyKind !== 'form') return { match: false, reason: 'the body is not JSON' };
	for (const condition of mapping.detect) {
		const reason = conditionFails(condition, request.body, request.headers);
		if (reason !== undefined) return { match: false, reason };
	}
	return { match: true };
}

// ---------------------------------------------------------------------------------------------------
// Reading mapped fields

interface Found {
	value: unknown;
	/** The path it was found at; undefined for a fixed value. Turned into a payload path only on error. */
	path: CompiledPath | undefined;
}

function firstPath(source: Source): string {
	return source.kind === 'paths' ? source.paths[0]!.display : '';
}

/** Translates a provider word through the mapping's table, else accepts the universal word itself. */
function translate(raw: string, table: ValueTable | undefined, vocabulary: readonly string[]): string | undefined {
	const fromTable = table?.exact.get(raw) ?? table?.lower.get(raw.toLowerCase());
	if (fromTable !== undefined) return fromTable;
	const lower = raw.toLowerCase();
	return vocabulary.includes(lower) ? lower : undefined;
}

/** Reads one item (a message or a status object) at `base` in the payload. */
class ItemReader {
	constructor(
		readonly platform: string,
		readonly body: unknown,
		readonly item: Json,
		readonly base: string,
	) {}

	where(path: CompiledPath | undefined): string {
		if (path === undefined) return this.base;
		return path.root ? path.display : joinPath(this.base, path.display);
	}

	mismatch(at: CompiledPath | undefined, expected: string): PayloadMismatchError {
		return new PayloadMismatchError(this.platform, this.where(at), expected);
	}

	missing(source: Source, expected: string): PayloadMismatchError {
		return this.mismatch(source.kind === 'paths' ? source.paths[0]! : undefined, expected);
	}

	/** The first of the source's paths that holds a value (null counts as missing), or the fixed value. */
	find(source: Source | undefined): Found | undefined {
		if (source === undefined) return undefined;
		if (source.kind === 'const') return { value: source.value, path: undefined };
		for (const path of source.paths) {
			const value = getAt(path.root ? this.body : this.item, path.segments);
			if (value !== undefined && value !== null) return { value, path };
		}
		return undefined;
	}

	/** Text (numbers become digits). Empty text counts as missing. */
	string(source: Source | undefined, field: string): string | undefined {
		const found = this.find(source);
		if (!found) return undefined;
		const value = str(found.value);
		if (value === undefined) throw this.mismatch(found.path, `text or a number for ${field}, not ${describe(found.value)}`);
		return value === '' ? undefined : value;
	}

	number(source: Source | undefined, field: string, min: number, max: number): number | undefined {
		const found = this.find(source);
		if (!found) return undefined;
		const value = num(found.value);
		if (value === undefined || value < min || value > max) throw this.mismatch(found.path, `a number between ${min} and ${max} for ${field}`);
		return value;
	}

	size(source: Source | undefined): number | undefined {
		const found = this.find(source);
		if (!found) return undefined;
		const value = num(found.value);
		if (value === undefined || byteSize(value) === undefined) throw this.mismatch(found.path, 'a whole number of bytes (0 to 2^53−1) for media.size');
		return value;
	}

	boolean(source: Source | undefined, field: string): boolean | undefined {
		const found = this.find(source);
		if (!found) return undefined;
		const value = found.value;
		if (value === true || value === 'true') return true;
		if (value === false || value === 'false') return false;
		throw this.mismatch(found.path, `true or false for ${field}`);
	}

	timestamp(source: Source | undefined, field: string): { iso: string; raw: string } | undefined {
		const found = this.find(source);
		if (!found) return undefined;
		const iso = toIsoTimestamp(found.value);
		if (iso === undefined) throw this.mismatch(found.path, `a date for ${field} (ISO 8601 such as 2026-05-28T14:31:02Z, unix seconds or milliseconds)`);
		return { iso, raw: String(found.value) };
	}

	/** A word of a closed vocabulary: `value` is undefined when neither the table nor the vocabulary knows `raw`. */
	word(source: Source | undefined, field: string, spec: FieldSpec, table: ValueTable | undefined): { raw: string; value?: string; path: CompiledPath | undefined } | undefined {
		const found = this.find(source);
		if (!found) return undefined;
		const raw = str(found.value);
		if (raw === undefined) throw this.mismatch(found.path, `a word for ${field}, not ${describe(found.value)}`);
		return { raw, value: translate(raw, table, spec.vocabulary ?? []), path: found.path };
	}

	/** A word that must translate: otherwise the analyst must extend the table. */
	requiredWord(source: Source | undefined, field: string, spec: FieldSpec, table: ValueTable | undefined): string | undefined {
		const word = this.word(source, field, spec, table);
		if (!word) return undefined;
		if (word.value === undefined) {
			throw this.mismatch(
				word.path,
				`one of ${(spec.vocabulary ?? []).join(', ')} for ${field}, not ${JSON.stringify(word.raw)} (add it to the mapping's values["${field}"] table)`,
			);
		}
		return word.value;
	}

	metadata(entries: ReadonlyArray<readonly [string, Source]>): Record<string, unknown> {
		const out: Record<string, unknown> = {};
		for (const [key, source] of entries) {
			const found = this.find(source);
			if (found) out[key] = found.value;
		}
		return out;
	}
}

// ---------------------------------------------------------------------------------------------------
// Where the messages and status reports are in the body

interface Item {
	value: Json;
	/** Where it is in the payload, e.g. `data.messages[2]` ('' for the body itself). */
	base: string;
}

function listAt(platform: string, value: unknown, base: string, what: string): Item[] | undefined {
	if (value === undefined || value === null) return undefined;
	if (isRecord(value)) return [{ value, base }];
	if (!Array.isArray(value)) throw new PayloadMismatchError(platform, base, `a list of ${what} (or one ${what.replace(/s$/, '')} object)`);
	const items: Item[] = new Array(value.length);
	for (let i = 0; i < value.length; i += 1) {
		const entry: unknown = value[i];
		const at = `${base}[${i}]`;
		if (!isRecord(entry)) throw new PayloadMismatchError(platform, at, `a ${what.replace(/s$/, '')} object, not ${describe(entry)}`);
		items[i] = { value: entry, base: at };
	}
	return items;
}

function eventItems(mapping: CompiledMapping, events: CompiledEvents, request: ParsedRequest): Item[] | undefined {
	for (const condition of events.when) if (conditionFails(condition, request.body, request.headers) !== undefined) return undefined;
	if (events.path) return listAt(mapping.platform, getAt(request.body, events.path.segments), events.path.display, 'status reports');
	return listAt(mapping.platform, request.body, '', 'status reports');
}

function readBody(mapping: CompiledMapping, request: ParsedRequest): void {
	if (request.bodyKind === 'empty') throw new MalformedBodyError(`The request body is empty; ${mapping.platform} expects a JSON body`);
	if (request.bodyKind === 'text') {
		throw new MalformedBodyError(`The request body is neither JSON nor form data; ${mapping.platform} expects a JSON body`);
	}
	if (!isRecord(request.body) && !Array.isArray(request.body)) {
		throw new PayloadMismatchError(mapping.platform, '', `a JSON object or list, not ${describe(request.body)}`);
	}
}

// ---------------------------------------------------------------------------------------------------
// Messages

const MEDIA_EXTENSIONS: Record<string, MediaKind> = lookupTable({
	jpg: 'image',
	jpeg: 'image',
	png: 'image',
	gif: 'image',
	webp: 'image',
	mp4: 'video',
	mov: 'video',
	'3gp': 'video',
	mp3: 'audio',
	m4a: 'audio',
	aac: 'audio',
	wav: 'audio',
	ogg: 'audio',
	opus: 'audio',
	amr: 'audio',
});

/** When the mapping has no media.kind (or the payload has none): from the MIME type, else the file name. */
function inferKind(mimeType: string | undefined, url: string | undefined): MediaKind {
	if (mimeType) {
		const top = mimeType.slice(0, mimeType.indexOf('/')).toLowerCase();
		if (top === 'image' || top === 'video' || top === 'audio') return top;
		return 'document';
	}
	if (url) {
		const path = url.split(/[?#]/, 1)[0]!;
		const dot = path.lastIndexOf('.');
		if (dot > path.lastIndexOf('/')) return MEDIA_EXTENSIONS[path.slice(dot + 1).toLowerCase()] ?? 'document';
	}
	return 'document';
}

function missingContent(mapping: CompiledMapping, fields: NonNullable<CompiledMapping['fields']>): string {
	const mapped = CONTENT_FIELDS.filter((f) => fields[f]?.kind === 'paths').map((f) => `${f} at "${firstPath(fields[f]!)}"`);
	return `message content (${mapped.join(', or ')})${mapping.missingContent === 'error' ? '; set "missingContent": "keep" to keep such messages as unsupported content' : ''}`;
}

function convertMessage(mapping: CompiledMapping, request: ParsedRequest, item: Item, context: NormalizeContext): Message {
	const fields = mapping.fields!;
	const values = mapping.values;
	const r = new ItemReader(mapping.platform, request.body, item.value, item.base);

	const senderId = r.string(fields['sender.id'], 'sender.id');
	if (senderId === undefined) throw r.missing(fields['sender.id']!, 'the sender id (fields "sender.id")');

	const parts: Part[] = [];
	const interactiveId = r.string(fields['interactive.id'], 'interactive.id');
	const interactiveTitle = r.string(fields['interactive.title'], 'interactive.title');
	const text = r.string(fields.text, 'text');
	// A button press often repeats its title as the text; the choice part already carries it.
	if (text !== undefined && !(interactiveId !== undefined && text === interactiveTitle)) {
		const format = r.requiredWord(fields['text.format'], 'text.format', MESSAGE_FIELDS['text.format'], values['text.format']) ?? 'plain';
		parts.push({ type: 'text', text, format: format as 'plain' | 'markdown' | 'html' });
	}

	const url = r.string(fields['media.url'], 'media.url');
	const mediaId = r.string(fields['media.id'], 'media.id');
	if (url !== undefined || mediaId !== undefined) {
		const mimeType = r.string(fields['media.mimeType'], 'media.mimeType');
		const kind = r.word(fields['media.kind'], 'media.kind', MESSAGE_FIELDS['media.kind'], values['media.kind']);
		if (kind && kind.value === undefined) {
			parts.push({
				type: 'unsupported',
				platformType: kind.raw,
				reason: `"${kind.raw}" is not a media kind Switchboard knows; add it to the mapping's values["media.kind"] table`,
				original: item.value,
			});
		} else {
			parts.push(
				compactPart({
					type: 'media',
					kind: (kind?.value as MediaKind | undefined) ?? inferKind(mimeType, url),
					url,
					mediaId,
					mimeType,
					filename: r.string(fields['media.filename'], 'media.filename'),
					caption: r.string(fields['media.caption'], 'media.caption'),
					size: r.size(fields['media.size']),
				}),
			);
		}
	}

	const latitude = r.number(fields['location.latitude'], 'location.latitude', -90, 90);
	const longitude = r.number(fields['location.longitude'], 'location.longitude', -180, 180);
	if (latitude !== undefined || longitude !== undefined) {
		if (latitude === undefined) throw r.missing(fields['location.latitude']!, 'the latitude that goes with the longitude');
		if (longitude === undefined) throw r.missing(fields['location.longitude']!, 'the longitude that goes with the latitude');
		parts.push(
			compactPart({
				type: 'location',
				latitude,
				longitude,
				name: r.string(fields['location.name'], 'location.name'),
				address: r.string(fields['location.address'], 'location.address'),
			}),
		);
	}

	if (interactiveId !== undefined) {
		const source = r.requiredWord(fields['interactive.source'], 'interactive.source', MESSAGE_FIELDS['interactive.source'], values['interactive.source']);
		parts.push(
			compactPart({
				type: 'interactive_reply',
				id: interactiveId,
				title: interactiveTitle,
				source: (source ?? 'button') as 'button',
			}),
		);
	}

	if (parts.length === 0) {
		const expected = missingContent(mapping, fields);
		const firstContent = CONTENT_FIELDS.find((f) => fields[f] !== undefined)!;
		if (mapping.missingContent === 'error') throw r.missing(fields[firstContent]!, expected);
		parts.push({ type: 'unsupported', reason: `none of the mapped content was found: ${expected}`, original: item.value });
	}

	const timestamp = r.timestamp(fields.timestamp, 'timestamp');
	const providerMessageId = r.string(fields.providerMessageId, 'providerMessageId');
	const conversationType = r.requiredWord(fields['conversation.type'], 'conversation.type', MESSAGE_FIELDS['conversation.type'], values['conversation.type']);
	const recipientId = r.string(fields['recipient.id'], 'recipient.id');
	const replyTo = r.string(fields.replyTo, 'replyTo');
	const id = providerMessageId
		? messageId(mapping.platform, providerMessageId)
		: // No provider id: derived from what identifies the message, so a re-delivery gets the same id.
			eventId(mapping.platform, undefined, senderId, timestamp?.raw, text, url ?? mediaId, latitude, longitude, interactiveId);

	const message: Message = {
		schema: MESSAGE_SCHEMA_ID,
		id,
		channel: mapping.channel,
		provider: mapping.platform,
		direction: 'inbound',
		conversation: compact({
			id: r.string(fields['conversation.id'], 'conversation.id') ?? senderId,
			type: (conversationType ?? 'direct') as (typeof CONVERSATION_TYPES)[number],
			threadId: r.string(fields['conversation.threadId'], 'conversation.threadId'),
			name: r.string(fields['conversation.name'], 'conversation.name'),
		}),
		sender: compact({
			id: senderId,
			name: r.string(fields['sender.name'], 'sender.name'),
			handle: r.string(fields['sender.handle'], 'sender.handle'),
			phone: r.string(fields['sender.phone'], 'sender.phone'),
			email: r.string(fields['sender.email'], 'sender.email'),
		}),
		recipients: recipientId === undefined ? [] : [compact({ id: recipientId, name: r.string(fields['recipient.name'], 'recipient.name') })],
		timestamp: timestamp?.iso ?? context.now().toISOString(),
		parts,
		metadata: r.metadata(mapping.metadata),
	};
	if (replyTo !== undefined) message.replyTo = { messageId: replyTo };
	if (providerMessageId !== undefined) message.providerMessageId = providerMessageId;
	if (context.keepRaw) message.raw = item.value;
	return message;
}

/** Drops undefined optional fields so messages stay clean (and `'x' in part` means present). */
function compact<T extends Record<string, unknown>>(value: T): T {
	// Copying beats `delete`, which turns the object into a slow dictionary.
	const out: Record<string, unknown> = {};
	for (const key in value) if (value[key] !== undefined) out[key] = value[key];
	return out as T;
}

function compactPart<T extends Part>(part: T): T {
	return compact(part as T & Record<string, unknown>);
}

// ---------------------------------------------------------------------------------------------------
// Status reports

function convertEvent(mapping: CompiledMapping, events: CompiledEvents, request: ParsedRequest, item: Item, context: NormalizeContext): DeliveryEvent {
	const fields = events.fields;
	const r = new ItemReader(mapping.platform, request.body, item.value, item.base);
	const providerMessageId = r.string(fields.providerMessageId, 'providerMessageId');
	if (providerMessageId === undefined) throw r.missing(fields.providerMessageId!, 'the id of the message the status is about (events.fields "providerMessageId")');
	const providerStatus = r.string(fields.status, 'status');
	if (providerStatus === undefined) throw r.missing(fields.status!, 'the status word (events.fields "status")');
	const table = events.values.status;
	const status = (table?.exact.get(providerStatus) ?? table?.lower.get(providerStatus.toLowerCase()) ?? mapCustomStatus(providerStatus)) as DeliveryEvent['status'];
	const timestamp = r.timestamp(fields.timestamp, 'timestamp');
	const providerEventId = r.string(fields.providerEventId, 'providerEventId');
	const error = compact({
		code: r.string(fields['error.code'], 'error.code'),
		message: r.string(fields['error.message'], 'error.message'),
		retryable: r.boolean(fields['error.retryable'], 'error.retryable'),
	});
	const event: DeliveryEvent = {
		schema: EVENT_SCHEMA_ID,
		id: eventId(mapping.platform, providerEventId, providerMessageId, providerStatus, timestamp?.raw),
		channel: mapping.channel,
		provider: mapping.platform,
		providerMessageId,
		status,
		providerStatus,
		timestamp: timestamp?.iso ?? context.now().toISOString(),
		metadata: r.metadata(events.metadata),
	};
	const recipient = r.string(fields.recipient, 'recipient');
	if (recipient !== undefined) event.recipient = recipient;
	if (Object.keys(error).length > 0) event.error = error;
	if (providerEventId !== undefined) event.providerEventId = providerEventId;
	if (context.keepRaw) event.raw = item.value;
	return event;
}

// ---------------------------------------------------------------------------------------------------

function displayOf(path: CompiledPath | undefined): string {
	return path ? path.display : '';
}

export function normalizeCustom(mapping: CompiledMapping, request: ParsedRequest, context: NormalizeContext): NormalizeOutput {
	readBody(mapping, request);
	const statusItems = mapping.events ? eventItems(mapping, mapping.events, request) : undefined;
	let messageItems: Item[] | undefined;
	if (mapping.fields) {
		if (mapping.messages) messageItems = listAt(mapping.platform, getAt(request.body, mapping.messages.segments), mapping.messages.display, 'messages');
		// Without a messages path the body is the message — unless it was a status report.
		else if (!statusItems) messageItems = listAt(mapping.platform, request.body, '', 'messages');
	}
	if (!messageItems && !statusItems) {
		const statusPlace = mapping.events
			? `status reports${mapping.events.path ? ` at "${mapping.events.path.display}"` : ''}${mapping.events.when.length ? ' (events.when did not match)' : ''}`
			: '';
		if (mapping.fields && mapping.messages) {
			throw new PayloadMismatchError(mapping.platform, mapping.messages.display, `a list of messages${statusPlace ? `, or ${statusPlace}` : ''}`);
		}
		throw new PayloadMismatchError(mapping.platform, displayOf(mapping.events?.path), statusPlace || 'a message');
	}
	const messages = messageItems ? messageItems.map((item) => convertMessage(mapping, request, item, context)) : [];
	const events = statusItems ? statusItems.map((item) => convertEvent(mapping, mapping.events!, request, item, context)) : [];
	return { messages, events };
}
