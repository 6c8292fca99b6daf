/**
 * The custom mapping: a JSON document a business analyst writes in the node settings to teach
 * Switchboard a provider's own format (seed 004: Scala360, Knry…) without code.
 *
 * `customMappingSchema` is the single definition: the structure is checked by zod, and every rule that
 * needs the whole mapping (known field names, path syntax, required fields, value tables) runs in its
 * `superRefine`, so one `safeParse` reports everything. Each issue message is written for the analyst
 * as "what is wrong — how to fix it"; `parseCustomMapping` turns the first one into an
 * InvalidMappingError whose `field` names the mapping setting (e.g. `fields.sender.id`).
 *
 * `compileMapping` then pre-splits every path once, so reading a payload does no string work.
 */
import { z } from 'zod/v4';
import { InvalidMappingError } from '../../errors';
import { CHANNELS } from '../../schema/message';
import { PLATFORM_IDS } from '../registry';
import { formatPath } from '../shared/vendor';
import { CONTENT_FIELDS, EVENT_FIELDS, MESSAGE_FIELDS, suggest, type EventField, type FieldSpec, type MessageField } from './fields';
import { parsePath, type CompiledPath } from './paths';

// ---------------------------------------------------------------------------------------------------
// Structure

function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
	return `${typeof value} ${String(value)}`;
}

const PATH_EXAMPLE = '"message.text"';

const pathText = (what: string, example: string) =>
	z.string({
		error: (issue) =>
			issue.input === undefined
				? `is missing — add ${what}, e.g. ${example}`
				: `is ${kindOf(issue.input)}, not a path — write a path in quotes, e.g. ${example}`,
	});

/** A field source: a path, a list of paths tried in order, or "=constant". */
const sourceSchema = z.union([z.string(), z.array(pathText('a path', PATH_EXAMPLE)).min(1)], {
	error: (issue) =>
		`is ${kindOf(issue.input)}, not a path — write a path such as ${PATH_EXAMPLE}, a list of paths tried in order, or "=value" for a fixed value`,
});

const sourceRecord = (what: string, example: string) =>
	z.record(z.string(), sourceSchema, {
		error: (issue) => `is ${kindOf(issue.input)}, not an object — write ${what} pairs like ${example}`,
	});

const conditionSchema = z.strictObject(
	{
		path: z.string({ error: (issue) => `is ${kindOf(issue.input)}, not a path — write a path in quotes, e.g. "source"` }).optional(),
		header: z.string({ error: (issue) => `is ${kindOf(issue.input)}, not a header name — write it in quotes, e.g. "x-scala-signature"` }).optional(),
		equals: z
			.union([z.string(), z.number(), z.boolean()], {
				error: (issue) => `is ${kindOf(issue.input)} — compare with a text, a number or true/false, e.g. "scala360"`,
			})
			.optional(),
	},
	{ error: (issue) => `is ${kindOf(issue.input)}, not a condition — write it like {"path": "source", "equals": "scala360"}` },
);

const conditionsSchema = z.union([conditionSchema, z.array(conditionSchema).min(1)], {
	error: (issue) =>
		`is ${kindOf(issue.input)}, not a condition — write it like {"path": "source", "equals": "scala360"}, or a list of them (all must hold)`,
});

const valueTables = z.record(
	z.string(),
	z.record(z.string(), z.string({ error: (issue) => `is ${kindOf(issue.input)}, not a universal value — write it in quotes, e.g. "image"` }), {
		error: (issue) => `is ${kindOf(issue.input)}, not a translation table — write it like {"picture": "image", "doc": "document"}`,
	}),
	{ error: (issue) => `is ${kindOf(issue.input)}, not an object — write tables like {"media.kind": {"picture": "image"}}` },
);

const eventsSchema = z.strictObject(
	{
		path: pathText('the path of the status list', '"statuses"').optional(),
		when: conditionsSchema.optional(),
		fields: sourceRecord('status fields', '{"providerMessageId": "id", "status": "state"}'),
		values: valueTables.optional(),
		metadata: sourceRecord('extra fields', '{"campaign": "meta.campaign_id"}').optional(),
	},
	{ error: (issue) => `is ${kindOf(issue.input)}, not an object — write it like {"path": "statuses", "fields": {"providerMessageId": "id", "status": "state"}}` },
);

const CHANNEL_LIST = CHANNELS.join(', ');

const baseSchema = z.strictObject(
	{
		platform: z.string({
			error: (issue) =>
				issue.input === undefined
					? 'is missing — name this format in lowercase, e.g. "scala360"'
					: `is ${kindOf(issue.input)}, not a name — write it in quotes, e.g. "scala360"`,
		}),
		name: z.string({ error: (issue) => `is ${kindOf(issue.input)}, not a text — write it in quotes, e.g. "Scala360 WhatsApp"` }).optional(),
		channel: z
			.enum(CHANNELS, {
				error: (issue) => {
					const near = typeof issue.input === 'string' ? suggest(issue.input, CHANNELS) : undefined;
					return `${kindOf(issue.input)} is not a channel — ${near ? `did you mean "${near}"? ` : ''}use one of ${CHANNEL_LIST}, or leave it out for "custom"`;
				},
			})
			.optional(),
		detect: conditionsSchema.optional(),
		messages: pathText('the path of the message list', '"data.messages"').optional(),
		missingContent: z
			.enum(['error', 'keep'], { error: (issue) => `${kindOf(issue.input)} is not an option — use "error" (default) or "keep"` })
			.optional(),
		fields: sourceRecord('universal field → path', '{"sender.id": "contact.phone", "text": "message.text"}').optional(),
		values: valueTables.optional(),
		metadata: sourceRecord('extra fields', '{"campaign": "meta.campaign_id"}').optional(),
		events: eventsSchema.optional(),
	},
	{ error: (issue) => `is ${kindOf(issue.input)}, not a mapping — write the mapping as a JSON object like {"platform": "scala360", "fields": {…}}` },
);

type BaseMapping = z.output<typeof baseSchema>;
type Condition = z.output<typeof conditionSchema>;

export const MAPPING_KEYS = Object.keys(baseSchema.shape);
export const EVENT_KEYS = Object.keys(eventsSchema.shape);
export const CONDITION_KEYS = Object.keys(conditionSchema.shape);

// ---------------------------------------------------------------------------------------------------
// Rules that need the whole mapping

type Ctx = z.RefinementCtx<BaseMapping>;
type IssuePath = Array<string | number>;

const PLATFORM_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

function add(ctx: Ctx, path: IssuePath, message: string): void {
	ctx.addIssue({ code: 'custom', path, message });
}

function asList<T>(value: T | T[] | undefined): T[] {
	return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function checkPath(ctx: Ctx, path: IssuePath, source: string): void {
	const parsed = parsePath(source);
	if (!parsed.ok) add(ctx, path, `${parsed.problem} — ${parsed.hint}`);
}

function checkConditions(ctx: Ctx, path: IssuePath, conditions: Condition | Condition[] | undefined): void {
	const list = asList(conditions);
	list.forEach((condition, i) => {
		const at = Array.isArray(conditions) ? [...path, i] : path;
		if ((condition.path === undefined) === (condition.header === undefined)) {
			add(ctx, at, 'needs exactly one of "path" or "header" — e.g. {"path": "source", "equals": "scala360"}');
		} else if (condition.path !== undefined) {
			checkPath(ctx, [...at, 'path'], condition.path);
		} else if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(condition.header!)) {
			add(ctx, [...at, 'header'], `${JSON.stringify(condition.header)} is not a header name — write it like "x-scala-signature"`);
		}
	});
}

function describeVocabulary(spec: FieldSpec): string {
	return (spec.vocabulary ?? []).join(', ');
}

/** Checks one `field: source` entry; `specs` is MESSAGE_FIELDS or EVENT_FIELDS. */
function checkSource(
	ctx: Ctx,
	path: IssuePath,
	field: string,
	spec: FieldSpec,
	source: string | string[],
	table: Record<string, string> | undefined,
): void {
	if (typeof source === 'string' && source.startsWith('=')) {
		const constant = source.slice(1);
		if (spec.payloadOnly) {
			add(ctx, path, `${field} cannot be a fixed value — map it to a path in the payload (a leading "=" means a fixed value; to read a name starting with "=" write ["=name"])`);
			return;
		}
		if (constant === '') {
			add(ctx, path, 'the fixed value after "=" is empty — write the value, e.g. "=direct"');
			return;
		}
		if (spec.type === 'word') {
			const universal = table?.[constant] ?? constant;
			if (!spec.vocabulary!.includes(universal)) {
				const near = suggest(universal, spec.vocabulary!);
				add(ctx, path, `"${universal}" is not a valid ${field} — ${near ? `did you mean "=${near}"? ` : ''}use one of ${describeVocabulary(spec)}`);
			}
		} else if ((spec.type === 'number' || spec.type === 'integer') && !Number.isFinite(Number(constant))) {
			add(ctx, path, `${JSON.stringify(constant)} is not a number — write a number after "=", e.g. "=1"`);
		} else if (spec.type === 'boolean' && constant !== 'true' && constant !== 'false') {
			add(ctx, path, `${JSON.stringify(constant)} is not true or false — write "=true" or "=false"`);
		}
		return;
	}
	if (Array.isArray(source)) source.forEach((p, i) => checkPath(ctx, [...path, i], p));
	else checkPath(ctx, path, source);
}

function checkFieldRecord(
	ctx: Ctx,
	where: IssuePath,
	fields: Record<string, string | string[]>,
	specs: Record<string, FieldSpec>,
	otherSpecs: Record<string, FieldSpec>,
	otherWhere: string,
	tables: Record<string, Record<string, string>> | undefined,
): void {
	const names = Object.keys(specs);
	for (const [field, source] of Object.entries(fields)) {
		const spec = specs[field];
		if (!spec) {
			const near = suggest(field, names);
			if (!near && otherSpecs[field]) {
				add(ctx, [...where, field], `"${field}" does not belong here — move it to ${otherWhere}`);
				continue;
			}
			add(ctx, [...where, field], `"${field}" is not a universal field — ${near ? `did you mean "${near}"?` : `use one of ${names.join(', ')}`}`);
			continue;
		}
		checkSource(ctx, [...where, field], field, spec, source, tables?.[field]);
	}
	for (const field of names) {
		if (specs[field]!.required && fields[field] === undefined) {
			add(ctx, [...where, field], `${field} is required — add "${field}": "<path>" (${specs[field]!.description})`);
		}
	}
}

function checkTables(
	ctx: Ctx,
	where: IssuePath,
	tables: Record<string, Record<string, string>> | undefined,
	fields: Record<string, unknown> | undefined,
	fieldsWhere: string,
	specs: Record<string, FieldSpec>,
	otherSpecs: Record<string, FieldSpec>,
	otherWhere: string,
): void {
	if (!tables) return;
	const translatable = Object.keys(specs).filter((f) => specs[f]!.type === 'word');
	for (const [field, table] of Object.entries(tables)) {
		const spec = specs[field];
		if (!spec || spec.type !== 'word') {
			const belongs = otherSpecs[field]?.type === 'word';
			const near = suggest(field, translatable);
			add(
				ctx,
				[...where, field],
				belongs
					? `"${field}" translates status reports — move this table to ${otherWhere}`
					: `"${field}" has no translation table — ${near ? `did you mean "${near}"? ` : ''}tables exist for ${translatable.join(', ')}`,
			);
			continue;
		}
		if (!fields || fields[field] === undefined) {
			add(ctx, [...where, field], `${field} is not in ${fieldsWhere} — add "${field}": "<path>" there, or remove this table`);
			continue;
		}
		for (const [providerValue, universal] of Object.entries(table)) {
			if (!spec.vocabulary!.includes(universal)) {
				const near = suggest(universal, spec.vocabulary!);
				add(
					ctx,
					[...where, field, providerValue],
					`"${universal}" is not a valid ${field} — ${near ? `did you mean "${near}"? ` : ''}use one of ${describeVocabulary(spec)}`,
				);
			}
		}
	}
}

function checkMetadata(ctx: Ctx, where: IssuePath, metadata: Record<string, string | string[]> | undefined): void {
	for (const [key, source] of Object.entries(metadata ?? {})) {
		if (key.trim() === '') add(ctx, where, 'a metadata name is empty — name each extra field, e.g. "campaign"');
		else checkSource(ctx, [...where, key], key, { type: 'string', description: '' }, source, undefined);
	}
}

function checkMapping(mapping: BaseMapping, ctx: Ctx): void {
	if (!PLATFORM_NAME.test(mapping.platform)) {
		const fixed = mapping.platform.toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/^[^a-z]+/, '').slice(0, 40);
		add(
			ctx,
			['platform'],
			`${JSON.stringify(mapping.platform)} is not a valid name — use lowercase letters, digits, "-" or "_", starting with a letter${fixed ? ` (e.g. "${fixed}")` : ''}`,
		);
	} else if (PLATFORM_IDS.includes(mapping.platform)) {
		add(ctx, ['platform'], `"${mapping.platform}" is a built-in platform — choose another name, e.g. "${mapping.platform}_custom"`);
	}
	checkConditions(ctx, ['detect'], mapping.detect);
	if (mapping.messages !== undefined) checkPath(ctx, ['messages'], mapping.messages);

	if (mapping.fields) {
		checkFieldRecord(ctx, ['fields'], mapping.fields, MESSAGE_FIELDS, EVENT_FIELDS, 'events.fields', mapping.values);
		const fields = mapping.fields;
		if (!CONTENT_FIELDS.some((f) => fields[f] !== undefined)) {
			add(ctx, ['fields'], 'no content field is mapped — add at least one of "text", "media.url", "media.id", "location.latitude" or "interactive.id"');
		}
		const lat = fields['location.latitude'] !== undefined;
		const lng = fields['location.longitude'] !== undefined;
		if (lat !== lng) add(ctx, ['fields', lat ? 'location.longitude' : 'location.latitude'], 'a location needs both location.latitude and location.longitude — map both');
	} else if (!mapping.events) {
		add(ctx, ['fields'], 'is missing — map at least "sender.id" and one content field, e.g. {"sender.id": "contact.phone", "text": "message.text"}');
	} else if (mapping.messages !== undefined) {
		add(ctx, ['fields'], 'is missing but "messages" is set — add fields for the messages, or remove "messages" for a status-only format');
	}
	checkTables(ctx, ['values'], mapping.values, mapping.fields, 'fields', MESSAGE_FIELDS, EVENT_FIELDS, 'events.values');
	checkMetadata(ctx, ['metadata'], mapping.metadata);

	const events = mapping.events;
	if (events) {
		if (events.path !== undefined) checkPath(ctx, ['events', 'path'], events.path);
		checkConditions(ctx, ['events', 'when'], events.when);
		checkFieldRecord(ctx, ['events', 'fields'], events.fields, EVENT_FIELDS, MESSAGE_FIELDS, 'fields', events.values);
		checkTables(ctx, ['events', 'values'], events.values, events.fields, 'events.fields', EVENT_FIELDS, MESSAGE_FIELDS, 'values');
		checkMetadata(ctx, ['events', 'metadata'], events.metadata);
		if (mapping.fields && mapping.messages === undefined && events.path === undefined && events.when === undefined) {
			add(
				ctx,
				['events'],
				'cannot tell a status report from a message — add "path" (where the status list is) or "when" (a condition such as {"path": "type", "equals": "status"})',
			);
		}
	}
}

export const customMappingSchema = baseSchema.superRefine(checkMapping);

/** A mapping as the analyst writes it (JSON). */
export type CustomMapping = z.input<typeof customMappingSchema>;

// ---------------------------------------------------------------------------------------------------
// Issue → InvalidMappingError

type Issue = z.core.$ZodIssue;

/** For a failed union, the branch that got furthest explains the mistake better than the union. */
function unwrapUnion(issue: Issue): Issue {
	if (issue.code !== 'invalid_union') return issue;
	for (const branch of issue.errors) {
		const first = branch[0];
		if (first && first.path.length > 0) return unwrapUnion({ ...first, path: [...issue.path, ...first.path] } as Issue);
		if (first && first.code === 'unrecognized_keys') return { ...first, path: [...issue.path, ...first.path] } as Issue;
	}
	return issue;
}

function keysAllowedAt(path: ReadonlyArray<PropertyKey>): readonly string[] {
	if (path.length === 0) return MAPPING_KEYS;
	if (path.length === 1 && path[0] === 'events') return EVENT_KEYS;
	return CONDITION_KEYS;
}

export function issueToError(issues: readonly Issue[]): InvalidMappingError {
	const issue = unwrapUnion(issues[0]!);
	if (issue.code === 'unrecognized_keys') {
		const key = issue.keys[0]!;
		const allowed = keysAllowedAt(issue.path);
		const near = suggest(key, allowed);
		const inFields = issue.path.length === 0 && (MESSAGE_FIELDS as Record<string, unknown>)[key] !== undefined;
		return new InvalidMappingError(
			formatPath('', [...issue.path, key]),
			`unknown setting "${key}"`,
			inFields
				? `"${key}" is a universal field: put it inside "fields"`
				: near
					? `did you mean "${near}"? The settings here are: ${allowed.join(', ')}`
					: `the settings here are: ${allowed.join(', ')}`,
		);
	}
	const field = formatPath('', issue.path) || '(mapping)';
	const cut = issue.message.indexOf(' — ');
	const problem = cut < 0 ? issue.message : issue.message.slice(0, cut);
	const hint = cut < 0 ? undefined : issue.message.slice(cut + 3);
	const more = issues.length > 1 ? ` (${issues.length - 1} more problem${issues.length > 2 ? 's' : ''} after this one)` : '';
	return new InvalidMappingError(field, `${problem}${more}`, hint);
}

/** Validates a mapping (an object, or its JSON text); throws InvalidMappingError naming the setting. */
export function parseCustomMapping(input: unknown): BaseMapping {
	let value = input;
	if (typeof input === 'string') {
		try {
			value = JSON.parse(input);
		} catch (error) {
			throw new InvalidMappingError('(mapping)', `is not valid JSON (${(error as Error).message})`, 'check quotes, commas and braces, e.g. with a JSON validator');
		}
	}
	const result = customMappingSchema.safeParse(value);
	if (result.success) return result.data;
	throw issueToError(result.error.issues);
}

// ---------------------------------------------------------------------------------------------------
// Compiled form

export type Source = { readonly kind: 'const'; readonly value: string } | { readonly kind: 'paths'; readonly paths: readonly CompiledPath[] };

export interface ValueTable {
	readonly exact: ReadonlyMap<string, string>;
	readonly lower: ReadonlyMap<string, string>;
	/** universal value → first provider value that maps to it (used when rendering). */
	readonly reverse: ReadonlyMap<string, string>;
}

export type CompiledCondition =
	| { readonly kind: 'path'; readonly path: CompiledPath; readonly equals?: string | number | boolean }
	| { readonly kind: 'header'; readonly name: string; readonly equals?: string | number | boolean };

export interface CompiledEvents {
	readonly path?: CompiledPath;
	readonly when: readonly CompiledCondition[];
	readonly fields: Readonly<Partial<Record<EventField, Source>>>;
	readonly values: Readonly<Partial<Record<EventField, ValueTable>>>;
	readonly metadata: ReadonlyArray<readonly [string, Source]>;
}

export interface CompiledMapping {
	readonly platform: string;
	readonly name: string;
	readonly channel: (typeof CHANNELS)[number];
	readonly detect: readonly CompiledCondition[];
	readonly messages?: CompiledPath;
	readonly missingContent: 'error' | 'keep';
	readonly fields?: Readonly<Partial<Record<MessageField, Source>>>;
	readonly values: Readonly<Partial<Record<MessageField, ValueTable>>>;
	readonly metadata: ReadonlyArray<readonly [string, Source]>;
	readonly events?: CompiledEvents;
}

function compilePath(source: string): CompiledPath {
	const parsed = parsePath(source);
	// The schema has already refused bad paths; this only guards against a mapping mutated since.
	if (!parsed.ok) throw new InvalidMappingError('(mapping)', parsed.problem, parsed.hint);
	return parsed.path;
}

function compileSource(source: string | string[]): Source {
	if (typeof source === 'string' && source.startsWith('=')) return { kind: 'const', value: source.slice(1) };
	return { kind: 'paths', paths: asList(source).map(compilePath) };
}

function compileRecord<K extends string>(record: Record<string, string | string[]>): Partial<Record<K, Source>> {
	const out: Partial<Record<K, Source>> = {};
	for (const [key, source] of Object.entries(record)) out[key as K] = compileSource(source);
	return out;
}

function compileTables<K extends string>(tables: Record<string, Record<string, string>> | undefined): Partial<Record<K, ValueTable>> {
	const out: Partial<Record<K, ValueTable>> = {};
	for (const [field, table] of Object.entries(tables ?? {})) {
		const exact = new Map<string, string>();
		const lower = new Map<string, string>();
		const reverse = new Map<string, string>();
		for (const [providerValue, universal] of Object.entries(table)) {
			exact.set(providerValue, universal);
			if (!lower.has(providerValue.toLowerCase())) lower.set(providerValue.toLowerCase(), universal);
			if (!reverse.has(universal)) reverse.set(universal, providerValue);
		}
		out[field as K] = { exact, lower, reverse };
	}
	return out;
}

function compileConditions(conditions: Condition | Condition[] | undefined): CompiledCondition[] {
	return asList(conditions).map((c) =>
		c.path !== undefined
			? { kind: 'path' as const, path: compilePath(c.path), equals: c.equals }
			: { kind: 'header' as const, name: c.header!.toLowerCase(), equals: c.equals },
	);
}

export function compileMapping(mapping: BaseMapping): CompiledMapping {
	return {
		platform: mapping.platform,
		name: mapping.name ?? mapping.platform,
		channel: mapping.channel ?? 'custom',
		detect: compileConditions(mapping.detect),
		messages: mapping.messages === undefined ? undefined : compilePath(mapping.messages),
		missingContent: mapping.missingContent ?? 'error',
		fields: mapping.fields ? compileRecord<MessageField>(mapping.fields) : undefined,
		values: compileTables<MessageField>(mapping.values),
		metadata: Object.entries(mapping.metadata ?? {}).map(([key, source]) => [key, compileSource(source)] as const),
		events: mapping.events
			? {
					path: mapping.events.path === undefined ? undefined : compilePath(mapping.events.path),
					when: compileConditions(mapping.events.when),
					fields: compileRecord<EventField>(mapping.events.fields),
					values: compileTables<EventField>(mapping.events.values),
					metadata: Object.entries(mapping.events.metadata ?? {}).map(([key, source]) => [key, compileSource(source)] as const),
				}
			: undefined,
	};
}
