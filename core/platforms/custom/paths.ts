/**
 * Field paths of custom mappings: `contact.phone`, `data.messages[0].text`, `meta["x.y"]`.
 *
 * A path is read inside the current message (or status report); a leading `$.` reads it from the
 * whole body instead (an account id on the envelope of a batch). Paths are parsed once when the mapping is compiled (createCustomAdapter) into segments; reading and
 * writing a payload then walks the segments without any string work. Reading only sees own properties,
 * so a path can never reach `Object.prototype`, and `__proto__` is refused as a name so rendering can
 * never change a prototype.
 */
import { isRecord } from '../../util/object';

export type Segment = string | number;

export interface CompiledPath {
	readonly segments: readonly Segment[];
	/** Written with a leading "$.": read from the whole body instead of from the current message. */
	readonly root: boolean;
	/** The path as the analyst wrote it (normalised), used to name places in error messages. */
	readonly display: string;
}

export const PATH_HINT = 'use dots between names and [0] for list items, e.g. "contact.phone" or "messages[0].text"';

export type PathParse = { ok: true; path: CompiledPath } | { ok: false; problem: string; hint: string };

function fail(problem: string, hint: string = PATH_HINT): PathParse {
	return { ok: false, problem, hint };
}

/** Renders segments back to the path syntax (names with special characters are quoted). */
export function formatSegments(segments: readonly Segment[]): string {
	let out = '';
	for (const segment of segments) {
		if (typeof segment === 'number') out += `[${segment}]`;
		else if (segment === '' || /[.[\]"]/.test(segment) || segment.trim() !== segment) out += `[${JSON.stringify(segment)}]`;
		else out += out === '' ? segment : `.${segment}`;
	}
	return out;
}

/** Joins a payload location (`data.messages[2]`) and a path inside it (`message.text`). */
export function joinPath(base: string, path: string): string {
	if (base === '') return path;
	if (path === '') return base;
	return path.startsWith('[') ? `${base}${path}` : `${base}.${path}`;
}

/**
 * Parses the path syntax. Grammar: a first name or `[n]`, then any number of `.name`, `[n]` or
 * `["any name"]`. Names cannot be empty, cannot start or end with spaces and cannot contain `.[]"`
 * (quote them with `["…"]` instead).
 */
export function parsePath(source: string): PathParse {
	const shown = JSON.stringify(source);
	if (source.trim() === '') return fail('the path is empty', 'write where the value is in the payload, e.g. "contact.phone"');
	if (source.trim() !== source) return fail(`path ${shown} starts or ends with spaces`, 'remove the spaces');
	if (source === '$') return { ok: true, path: { segments: [], root: true, display: '' } };
	if (source.startsWith('$')) {
		if (source[1] !== '.' && source[1] !== '[') {
			return fail(`path ${shown} is not valid`, 'after "$" write "." and the path from the top of the body, e.g. "$.account.id" (for a name starting with "$", write ["$name"])');
		}
		const restSource = source[1] === '.' ? source.slice(2) : source.slice(1);
		const rest = parsePath(restSource);
		if (rest.ok) return { ok: true, path: { ...rest.path, root: true } };
		return { ...rest, problem: rest.problem.replace(JSON.stringify(restSource), shown) };
	}
	const segments: Segment[] = [];
	let i = 0;
	let expectName = true; // at the start, and right after a dot
	while (i < source.length) {
		const ch = source[i]!;
		if (ch === '[') {
			if (expectName && segments.length > 0) return fail(`path ${shown} is not valid: "[" right after a dot`);
			const close = source.indexOf(']', i);
			if (source[i + 1] === '"') {
				const end = findClosingQuote(source, i + 2);
				if (end < 0 || source[end + 1] !== ']') return fail(`path ${shown} is not valid: a quoted name must look like ["name"]`);
				let name: string;
				try {
					name = JSON.parse(source.slice(i + 1, end + 1)) as string;
				} catch {
					return fail(`path ${shown} is not valid: bad escape inside ["…"]`);
				}
				if (name === '__proto__') return fail(`path ${shown} uses the reserved name "__proto__"`, 'payload paths cannot use this name');
				segments.push(name);
				i = end + 2;
			} else {
				if (close < 0) return fail(`path ${shown} is not valid: "[" is never closed`);
				const inner = source.slice(i + 1, close);
				if (inner === '*' || inner === '') {
					return fail(
						`path ${shown} is not valid: [${inner}] is not supported`,
						'point "messages" (or "events.path") at the list, and map fields with paths inside one item',
					);
				}
				if (!/^\d+$/.test(inner)) {
					return fail(`path ${shown} is not valid: [${inner}] is not a list position`, 'write [0], [1]… for list items, or ["name"] for a name with special characters');
				}
				segments.push(Number(inner));
				i = close + 1;
			}
			expectName = false;
			continue;
		}
		if (ch === '.') {
			if (expectName) return fail(`path ${shown} is not valid`);
			expectName = true;
			i += 1;
			continue;
		}
		if (ch === ']' || ch === '"') return fail(`path ${shown} is not valid: unexpected ${ch}`);
		if (!expectName) return fail(`path ${shown} is not valid: put a dot before "${source.slice(i)}"`);
		let end = i;
		while (end < source.length && source[end] !== '.' && source[end] !== '[' && source[end] !== ']' && source[end] !== '"') end += 1;
		const name = source.slice(i, end);
		if (name.trim() !== name) return fail(`path ${shown} is not valid: spaces around "${name.trim()}"`, 'remove the spaces around the dots');
		if (name === '__proto__') return fail(`path ${shown} uses the reserved name "__proto__"`, 'payload paths cannot use this name');
		segments.push(name);
		expectName = false;
		i = end;
	}
	if (expectName) return fail(`path ${shown} is not valid: it ends with a dot`);
	return { ok: true, path: { segments, root: false, display: formatSegments(segments) } };
}

function findClosingQuote(source: string, from: number): number {
	for (let i = from; i < source.length; i += 1) {
		if (source[i] === '\\') i += 1;
		else if (source[i] === '"') return i;
	}
	return -1;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Reads the value at `segments`; undefined when any step is missing or of the wrong kind. */
export function getAt(root: unknown, segments: readonly Segment[]): unknown {
	let current = root;
	for (let i = 0; i < segments.length; i += 1) {
		const segment = segments[i]!;
		if (typeof segment === 'number') {
			if (!Array.isArray(current)) return undefined;
			current = current[segment];
		} else {
			if (!isRecord(current) || !hasOwn.call(current, segment)) return undefined;
			current = current[segment];
		}
	}
	return current;
}

/**
 * Writes `value` at `segments`, creating objects (or lists, before a `[n]`) on the way. Returns the
 * display path of the step that blocked the write when something that is not an object is already
 * there (two mapped paths overlap, e.g. `message` and `message.text`), otherwise undefined.
 */
export function setAt(root: Record<string, unknown>, segments: readonly Segment[], value: unknown): string | undefined {
	let current: Record<string, unknown> | unknown[] = root;
	for (let i = 0; i < segments.length; i += 1) {
		const segment = segments[i]!;
		const last = i === segments.length - 1;
		const container = current as Record<string | number, unknown>;
		if (typeof segment === 'number' ? !Array.isArray(current) : Array.isArray(current)) return formatSegments(segments.slice(0, i));
		if (last) {
			container[segment] = value;
			return undefined;
		}
		let next = container[segment];
		if (next === undefined) {
			next = typeof segments[i + 1] === 'number' ? [] : {};
			container[segment] = next;
		} else if (typeof next !== 'object' || next === null) {
			return formatSegments(segments.slice(0, i + 1));
		}
		current = next as Record<string, unknown> | unknown[];
	}
	return undefined;
}
