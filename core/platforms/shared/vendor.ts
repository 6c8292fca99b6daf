/**
 * Partial zod schemas for vendor payloads: each adapter declares only the fields it reads, as
 * `z.looseObject`, so unknown extra fields pass through untouched. A mismatch becomes a
 * PayloadMismatchError that names the platform and the exact JSON path.
 *
 * Fast path: a zod safeParse of a webhook object costs about as much as JSON.parse of the whole body,
 * which alone breaks the normalize throughput target (≥ 0.5× the parse-only rate). So each schema is
 * compiled once (`vendorSchema`) into a plain predicate over the same rules; a value that passes is
 * used as is, and only a value that fails goes through `parseVendor`, which either accepts it
 * (coercing, e.g. a numeric id to a string) or throws the PayloadMismatchError naming the JSON path.
 *
 * The zod schema stays the single definition of a shape. The compiler understands the subset the
 * adapters use (objects, optional, nullable, string with min/max length, number with int/bounds,
 * boolean, literal, array, record, union, unknown); anything else compiles to "never fast" so zod
 * decides. Contract: a predicate may only be stricter than the schema, never looser. Schemas with
 * defaults or transforms are outside the subset (their parse result differs from the input), unless
 * declared with `passThrough` (below) for the inputs they leave unchanged.
 */
import type { z } from 'zod/v4';
import { PayloadMismatchError } from '../../errors';

export function formatPath(base: string, path: ReadonlyArray<PropertyKey>): string {
	let out = base;
	for (const key of path) {
		if (typeof key === 'number') out += `[${key}]`;
		else out += out === '' ? String(key) : `.${String(key)}`;
	}
	return out;
}

function expected(issue: z.core.$ZodIssue): string {
	switch (issue.code) {
		case 'invalid_type':
			return `${issue.expected}`;
		case 'invalid_value':
			return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
		case 'too_small':
			return `at least ${String(issue.minimum)} ${issue.origin === 'array' ? 'item(s)' : ''}`.trim();
		case 'invalid_union':
			return 'one of the documented variants';
		default:
			return issue.message;
	}
}

/** Validates `value` against a partial vendor schema; returns the parsed value or throws. */
export function parseVendor<S extends z.ZodType>(platform: string, schema: S, value: unknown, basePath = ''): z.output<S> {
	const result = schema.safeParse(value);
	if (result.success) return result.data;
	const issue = result.error.issues[0]!;
	throw new PayloadMismatchError(platform, formatPath(basePath, issue.path), expected(issue));
}

// ---------------------------------------------------------------------------------------------------
// Compiled guards

type Guard = (value: unknown) => boolean;

interface DefLike {
	type: string;
	shape?: Record<string, SchemaLike>;
	catchall?: SchemaLike;
	innerType?: SchemaLike;
	options?: SchemaLike[];
	element?: SchemaLike;
	keyType?: SchemaLike;
	valueType?: SchemaLike;
	values?: unknown[];
	checks?: Array<{ _zod: { def: { check: string; format?: string; minimum?: number; maximum?: number; value?: number; inclusive?: boolean } } }>;
}
interface SchemaLike {
	_zod: { def: DefLike };
}

/** Coercing schemas and the part of their input they return unchanged (see `passThrough`). */
const PASS_THROUGH = new WeakMap<object, SchemaLike>();

/**
 * Declares that `schema` (which coerces, so the compiler cannot look inside it) returns every value
 * `unchanged` accepts exactly as given: e.g. a Graph id `union([string().min(1), number()])
 * .transform(String)` leaves non-empty strings as they are. Guards then check `unchanged` in its place;
 * values outside it (a numeric id) still go through zod, which coerces them. `unchanged` must accept
 * only values the schema accepts and returns equal — the guard property tests check exactly that.
 */
export function passThrough<S extends z.ZodType>(schema: S, unchanged: z.ZodType): S {
	PASS_THROUGH.set(schema, unchanged as unknown as SchemaLike);
	return schema;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compileChecks(def: DefLike, kind: 'string' | 'number'): Guard[] | undefined {
	const out: Guard[] = [];
	for (const check of def.checks ?? []) {
		const c = check._zod.def;
		if (kind === 'string' && c.check === 'min_length' && c.minimum !== undefined) {
			const min = c.minimum;
			out.push((v) => (v as string).length >= min);
		} else if (kind === 'string' && c.check === 'max_length' && c.maximum !== undefined) {
			const max = c.maximum;
			out.push((v) => (v as string).length <= max);
		} else if (kind === 'number' && c.check === 'number_format' && (c.format === 'safeint' || c.format === 'int32' || c.format === 'uint32')) {
			out.push(c.format === 'safeint' ? (v) => Number.isSafeInteger(v) : c.format === 'int32' ? (v) => Number.isInteger(v) && (v as number) >= -2147483648 && (v as number) <= 2147483647 : (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 4294967295);
		} else if (kind === 'number' && (c.check === 'greater_than' || c.check === 'less_than') && typeof c.value === 'number') {
			const bound = c.value;
			const inclusive = c.inclusive === true;
			out.push(c.check === 'greater_than' ? (v) => (inclusive ? (v as number) >= bound : (v as number) > bound) : (v) => (inclusive ? (v as number) <= bound : (v as number) < bound));
		} else {
			return undefined;
		}
	}
	return out;
}

/** A predicate equivalent to (or stricter than) `schema`, or undefined when the schema is outside the subset. */
export function compileGuard(schema: SchemaLike): Guard | undefined {
	const fast = PASS_THROUGH.get(schema);
	if (fast) return compileGuard(fast);
	const def = schema._zod.def;
	switch (def.type) {
		case 'unknown':
		case 'any':
			return () => true;
		case 'string': {
			const checks = compileChecks(def, 'string');
			if (!checks) return undefined;
			if (checks.length === 0) return (v) => typeof v === 'string';
			return (v) => typeof v === 'string' && checks.every((c) => c(v));
		}
		case 'number': {
			const checks = compileChecks(def, 'number');
			if (!checks) return undefined;
			if (checks.length === 0) return (v) => typeof v === 'number' && Number.isFinite(v);
			return (v) => typeof v === 'number' && Number.isFinite(v) && checks.every((c) => c(v));
		}
		case 'boolean':
			return (v) => typeof v === 'boolean';
		case 'literal': {
			const values = def.values ?? [];
			return (v) => values.includes(v);
		}
		case 'optional': {
			const inner = def.innerType ? compileGuard(def.innerType) : undefined;
			return inner ? (v) => v === undefined || inner(v) : undefined;
		}
		case 'nullable': {
			const inner = def.innerType ? compileGuard(def.innerType) : undefined;
			return inner ? (v) => v === null || inner(v) : undefined;
		}
		case 'array': {
			const element = def.element ? compileGuard(def.element) : undefined;
			if (!element) return undefined;
			return (v) => {
				if (!Array.isArray(v)) return false;
				for (let i = 0; i < v.length; i += 1) if (!element(v[i])) return false;
				return true;
			};
		}
		case 'record': {
			const key = def.keyType?._zod.def.type;
			const value = def.valueType ? compileGuard(def.valueType) : undefined;
			if (key !== 'string' || !value) return undefined;
			return (v) => {
				if (!isPlainObject(v)) return false;
				for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k) && !value(v[k])) return false;
				return true;
			};
		}
		case 'union': {
			const options = (def.options ?? []).map(compileGuard);
			if (options.some((o) => o === undefined)) return undefined;
			const guards = options as Guard[];
			return (v) => guards.some((g) => g(v));
		}
		case 'object': {
			// Unknown keys: loose (catchall unknown) and stripping objects both accept them.
			const catchall = def.catchall?._zod.def.type;
			if (catchall !== undefined && catchall !== 'unknown' && catchall !== 'any') return undefined;
			const entries: Array<[string, Guard]> = [];
			for (const key of Object.keys(def.shape ?? {})) {
				const guard = compileGuard(def.shape![key]!);
				if (!guard) return undefined;
				entries.push([key, guard]);
			}
			return (v) => {
				if (!isPlainObject(v)) return false;
				for (let i = 0; i < entries.length; i += 1) {
					const [key, guard] = entries[i]!;
					if (!guard(v[key])) return false;
				}
				return true;
			};
		}
		default:
			return undefined;
	}
}

/**
 * The same rules generated as one JavaScript function (one call per nested object instead of one
 * closure per field — several times faster). Returns undefined outside the subset, or where code
 * generation is not allowed (a CSP without unsafe-eval); the closure version is used then.
 */
export function generateGuard(schema: SchemaLike): Guard | undefined {
	const helpers: string[] = [];
	const expr = (node: SchemaLike, x: string): string | undefined => {
		const fast = PASS_THROUGH.get(node);
		if (fast) return expr(fast, x);
		const def = node._zod.def;
		switch (def.type) {
			case 'unknown':
			case 'any':
				return 'true';
			case 'string': {
				let out = `typeof ${x} === "string"`;
				for (const check of def.checks ?? []) {
					const c = check._zod.def;
					if (c.check === 'min_length' && typeof c.minimum === 'number') out += ` && ${x}.length >= ${c.minimum}`;
					else if (c.check === 'max_length' && typeof c.maximum === 'number') out += ` && ${x}.length <= ${c.maximum}`;
					else return undefined;
				}
				return `(${out})`;
			}
			case 'number': {
				let out = `typeof ${x} === "number" && Number.isFinite(${x})`;
				for (const check of def.checks ?? []) {
					const c = check._zod.def;
					if (c.check === 'number_format' && c.format === 'safeint') out += ` && Number.isSafeInteger(${x})`;
					else if ((c.check === 'greater_than' || c.check === 'less_than') && typeof c.value === 'number' && Number.isFinite(c.value)) {
						out += ` && ${x} ${c.check === 'greater_than' ? '>' : '<'}${c.inclusive ? '=' : ''} ${c.value}`;
					} else return undefined;
				}
				return `(${out})`;
			}
			case 'boolean':
				return `(typeof ${x} === "boolean")`;
			case 'literal': {
				const values = def.values ?? [];
				if (values.length === 0 || !values.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) return undefined;
				return `(${values.map((v) => `${x} === ${JSON.stringify(v)}`).join(' || ')})`;
			}
			case 'optional':
			case 'nullable': {
				const inner = def.innerType ? expr(def.innerType, x) : undefined;
				return inner ? `(${x} === ${def.type === 'optional' ? 'undefined' : 'null'} || ${inner})` : undefined;
			}
			case 'union': {
				const options = (def.options ?? []).map((o) => expr(o, x));
				if (options.length === 0 || options.some((o) => o === undefined)) return undefined;
				return `(${options.join(' || ')})`;
			}
			case 'array': {
				const element = def.element ? expr(def.element, 'e') : undefined;
				if (!element) return undefined;
				// Items validated later, one by one with their own path (`z.array(z.unknown())`): no loop.
				if (element === 'true') return `Array.isArray(${x})`;
				const name = `g${helpers.length}`;
				helpers.push('');
				helpers[Number(name.slice(1))] = `function ${name}(v) { if (!Array.isArray(v)) return false; for (let i = 0; i < v.length; i++) { const e = v[i]; if (!${element}) return false; } return true; }`;
				return `${name}(${x})`;
			}
			case 'record': {
				const value = def.valueType && def.keyType?._zod.def.type === 'string' ? expr(def.valueType, 'e') : undefined;
				if (!value) return undefined;
				const name = `g${helpers.length}`;
				helpers.push('');
				helpers[Number(name.slice(1))] = `function ${name}(v) { if (typeof v !== "object" || v === null || Array.isArray(v)) return false; for (const k in v) { if (!Object.prototype.hasOwnProperty.call(v, k)) continue; const e = v[k]; if (!${value}) return false; } return true; }`;
				return `${name}(${x})`;
			}
			case 'object': {
				const catchall = def.catchall?._zod.def.type;
				if (catchall !== undefined && catchall !== 'unknown' && catchall !== 'any') return undefined;
				const name = `g${helpers.length}`;
				helpers.push('');
				const checks: string[] = [];
				for (const key of Object.keys(def.shape ?? {})) {
					const check = expr(def.shape![key]!, `v[${JSON.stringify(key)}]`);
					if (!check) return undefined;
					checks.push(check);
				}
				helpers[Number(name.slice(1))] = `function ${name}(v) { if (typeof v !== "object" || v === null || Array.isArray(v)) return false; return ${checks.length ? checks.join(' && ') : 'true'}; }`;
				return `${name}(${x})`;
			}
			default:
				return undefined;
		}
	};
	const root = expr(schema, 'value');
	if (!root) return undefined;
	try {
		// eslint-disable-next-line @typescript-eslint/no-implied-eval
		return new Function(`${helpers.join('\n')}\nreturn function guard(value) { return ${root}; };`)() as Guard;
	} catch {
		return undefined;
	}
}

export interface VendorSchema<S extends z.ZodType> {
	schema: S;
	guard: Guard;
}

/** Compiles once, at module load. */
export function vendorSchema<S extends z.ZodType>(schema: S): VendorSchema<S> {
	const node = schema as unknown as SchemaLike;
	const guard = generateGuard(node) ?? compileGuard(node) ?? (() => false);
	return { schema, guard };
}

/** `parseVendor` with the compiled fast path: the input itself when it passes, else zod's verdict. */
export function readVendor<S extends z.ZodType>(platform: string, vendor: VendorSchema<S>, value: unknown, path = ''): z.output<S> {
	if (vendor.guard(value)) return value as z.output<S>;
	return parseVendor(platform, vendor.schema, value, path);
}
