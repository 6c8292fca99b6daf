/** Small helpers for reading loosely-typed vendor JSON without `any`. */

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

export function num(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
	return undefined;
}

/** Copies only the defined values: keeps optional fields absent instead of `undefined`. */
export function compact<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(value)) if (value[key] !== undefined) out[key] = value[key];
	return out as { [K in keyof T]: Exclude<T[K], undefined> };
}

/**
 * A constant lookup table keyed by outside input (a vendor's status word, a tag name, a field name):
 * without a prototype, so `table["valueOf"]` is undefined and `"toString" in table` is false instead
 * of reaching Object.prototype.
 */
export function lookupTable<T>(entries: Readonly<Record<string, T>>): Readonly<Record<string, T>> {
	return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
