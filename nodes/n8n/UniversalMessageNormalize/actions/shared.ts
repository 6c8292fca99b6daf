/**
 * What both operations of the node share: reading values out of an item by a property path, and
 * turning any failure into what n8n shows (a NodeOperationError) or, with "Continue On Fail", into an
 * error item. Core errors are SwitchboardErrors: their `code` and `hint` reach the user unchanged.
 */
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { toNodeError as toSwitchboardNodeError } from '../../shared/errors';

export { errorItemJson, withPairedItem, type ErrorItemJson } from '../../shared/errors';

/**
 * Reads `path` from an object. Dot notation for nested properties (`data.body`), as n8n's own
 * "Property Name" fields accept; a key that itself contains dots is found when it exists as written.
 */
export function readPath(source: unknown, path: string): unknown {
	if (source === null || typeof source !== 'object') return undefined;
	const record = source as Record<string, unknown>;
	if (path in record) return record[path];
	let current: unknown = source;
	for (const key of path.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** The error n8n shows for item `itemIndex`; a NodeOperationError raised by the node itself keeps its own words. */
export function toNodeError(this: IExecuteFunctions, error: unknown, itemIndex: number): NodeOperationError {
	if (error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	return toSwitchboardNodeError.call(this, error, itemIndex);
}
