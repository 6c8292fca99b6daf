/**
 * Partial zod schemas for vendor payloads: each adapter declares only the fields it reads, as
 * `z.looseObject`, so unknown extra fields pass through untouched. A mismatch becomes a
 * PayloadMismatchError that names the platform and the exact JSON path.
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
