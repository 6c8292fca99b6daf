/**
 * What both operations of the node share: reading values out of an item by a property path, and
 * turning any failure into what n8n shows (a NodeOperationError) or, with "Continue On Fail", into an
 * error item. Core errors are SwitchboardErrors: their `code` and `hint` reach the user unchanged.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { isSwitchboardError } from '../../../../core';

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

/** Error fields of an item produced under "Continue On Fail": the same words the thrown error has. */
export interface ErrorItemJson extends IDataObject {
	error: string;
	code: string;
	hint: string | null;
}

export function errorItemJson(error: unknown): ErrorItemJson {
	if (isSwitchboardError(error)) return { error: error.message, code: error.code, hint: error.hint ?? null };
	const message = error instanceof Error ? error.message : String(error);
	const description = error instanceof NodeOperationError && typeof error.description === 'string' ? error.description : null;
	return { error: message, code: 'UNEXPECTED', hint: description };
}

/** The error n8n shows for item `itemIndex`: message first, the core's hint as the description. */
export function toNodeError(this: IExecuteFunctions, error: unknown, itemIndex: number): NodeOperationError {
	if (error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	if (isSwitchboardError(error)) {
		const nodeError = new NodeOperationError(this.getNode(), error, { itemIndex, description: error.hint });
		nodeError.context.code = error.code;
		return nodeError;
	}
	return new NodeOperationError(this.getNode(), error instanceof Error ? error : String(error), { itemIndex });
}

export function withPairedItem(json: IDataObject, itemIndex: number): INodeExecutionData {
	return { json, pairedItem: { item: itemIndex } };
}
