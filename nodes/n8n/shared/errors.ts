/**
 * How every Switchboard n8n node reports failures: a NodeOperationError carrying the item index, the
 * core's hint as its description and the error code in its context — or, under "Continue On Fail",
 * an item { error, code, hint } paired with its input. Secrets given by the caller (a connection's
 * password or URL) are redacted from every message that leaves the node.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { isSwitchboardError } from '../../../core';
import { isRecord } from '../../../core/util/object';

/** Code of errors about the node's own parameters (checked here before the queue is called). */
export const INVALID_PARAMETER = 'INVALID_PARAMETER';

/** A parameter is missing or malformed: names the parameter and says how to fix it. */
export class ParameterError extends Error {
	readonly code = INVALID_PARAMETER;
	readonly hint: string;
	constructor(message: string, hint: string) {
		super(message);
		this.name = 'ParameterError';
		this.hint = hint;
	}
}

export function withPairedItem(json: IDataObject, itemIndex: number): INodeExecutionData {
	return { json, pairedItem: { item: itemIndex } };
}

export interface ErrorItemJson extends IDataObject {
	error: string;
	code: string;
	hint: string | null;
}

/** Replaces every secret in `text` with "***" (longest first, so a password inside a URL goes too). */
export function redact(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of [...secrets].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length)) {
		out = out.split(secret).join('***');
	}
	return out;
}

interface ErrorParts {
	message: string;
	code: string;
	hint?: string;
}

function errorParts(error: unknown): ErrorParts {
	if (isSwitchboardError(error)) return { message: error.message, code: error.code, hint: error.hint };
	if (error instanceof ParameterError) return { message: error.message, code: error.code, hint: error.hint };
	if (error instanceof NodeOperationError) {
		return { message: error.message, code: 'UNEXPECTED', hint: typeof error.description === 'string' ? error.description : undefined };
	}
	const message = error instanceof Error ? error.message : String(error);
	const code = isRecord(error) && typeof error.code === 'string' ? error.code : 'UNEXPECTED';
	return { message, code };
}

export function errorItemJson(error: unknown, secrets: readonly string[] = []): ErrorItemJson {
	const { message, code, hint } = errorParts(error);
	return { error: redact(message, secrets), code, hint: hint === undefined ? null : redact(hint, secrets) };
}

/** The error n8n shows for item `itemIndex`: the message, the hint as its description, the code in its context. */
export function toNodeError(this: IExecuteFunctions, error: unknown, itemIndex: number | undefined, secrets: readonly string[] = []): NodeOperationError {
	const { message, code, hint } = errorParts(error);
	const safeMessage = redact(message, secrets);
	// A clean copy of the error, so neither its message, its stack nor a driver's `cause` can carry a secret.
	const cause = new Error(safeMessage);
	cause.name = error instanceof Error ? error.name : 'Error';
	if (error instanceof Error && error.stack) cause.stack = redact(error.stack, secrets);
	const nodeError = new NodeOperationError(this.getNode(), cause, {
		...(itemIndex === undefined ? {} : { itemIndex }),
		...(hint ? { description: redact(hint, secrets) } : {}),
	});
	// n8n swaps a message that mentions a Node.js error code (ENOENT, ECONNREFUSED…) for a generic
	// sentence; ours already says what failed and where, so it is kept.
	if (nodeError.message !== safeMessage) {
		nodeError.message = safeMessage;
		nodeError.messages = nodeError.messages.filter((m) => m !== safeMessage);
	}
	nodeError.context.code = code;
	return nodeError;
}
