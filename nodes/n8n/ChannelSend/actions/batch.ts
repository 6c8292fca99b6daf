/**
 * Sends the items of one execution: up to Concurrency at once (the engine's rate limits apply on top,
 * shared by every execution of this process), each item paired with its result. An item fails on its
 * own — a message that does not validate, a send that failed on every route — and the others go on;
 * without "Continue On Fail", no new item is started after a failure and the node stops with the
 * first failed item's error.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { ScheduleQueue } from '../../../../core/queue';
import { sendClaimed, sendMessage, type SendResult } from '../../../../core/send';
import { SwitchboardError } from '../../../../core/errors';
import { redact, withPairedItem } from '../../shared/errors';
import { itemMessage } from './input';
import type { SendSetup } from './parameters';

/** Every route failed: the item's error, carrying the result (attempts, classification) for the error item. */
export class SendFailedError extends SwitchboardError {
	readonly result: SendResult;
	constructor(result: SendResult) {
		const error = result.error;
		const tried = [...new Set(result.attempts.map((a) => a.provider))].join(', ');
		super(
			'PROVIDER_ERROR',
			error?.message ?? 'The message could not be sent',
			`${result.attempts.length} attempt(s) through ${tried || 'no provider'} failed (${error?.category ?? 'unknown'}${error?.retryable ? ', may work later' : ', permanent'}). The attempts are in the error item when "On Error" is set to continue.`,
		);
		this.name = 'SendFailedError';
		this.result = result;
	}
}

export interface BatchContext {
	setup: SendSetup;
	dryRun: boolean;
	/** Set when claimed messages are completed/failed in their queue. */
	queue?: { queue: ScheduleQueue; workerId: string };
}

export type Outcome = { ok: true; item: INodeExecutionData } | { ok: false; error: unknown };

/** The result as item JSON (plain JSON already), secrets redacted as a last defence. */
export function resultJson(result: SendResult, secrets: readonly string[]): IDataObject {
	const json = result as unknown as IDataObject;
	if (!secrets.length) return json;
	return JSON.parse(redact(JSON.stringify(json), secrets.map((s) => JSON.stringify(s).slice(1, -1)))) as IDataObject;
}

/** A failed send as an error item: { error, code, hint } like every Switchboard error item, plus the result's fields. */
export function failedItemJson(error: SendFailedError, secrets: readonly string[]): IDataObject {
	const result = resultJson(error.result, secrets);
	const final = error.result.error;
	return {
		...result,
		error: redact(error.message, secrets),
		code: final?.code ?? error.code,
		hint: error.hint ? redact(error.hint, secrets) : null,
		category: final?.category ?? 'unknown',
		retryable: final?.retryable ?? false,
		retryAfterMs: final?.retryAfterMs ?? null,
	};
}

async function sendItem(this: IExecuteFunctions, context: BatchContext, itemIndex: number, item: INodeExecutionData): Promise<INodeExecutionData> {
	const { message, claimed } = itemMessage.call(this, itemIndex, item);
	if (claimed && context.queue && !context.dryRun) {
		const [outcome] = await sendClaimed(context.queue.queue, [claimed], { ...context.setup.options, workerId: context.queue.workerId });
		const json = resultJson(outcome!.result, context.setup.secrets);
		json.messageId = claimed.id;
		json.queueStatus = outcome!.queueStatus;
		if (outcome!.queueError) json.queueError = outcome!.queueError;
		// Recorded in the queue (to be retried or given up): a result, not a node error.
		return withPairedItem(json, itemIndex);
	}
	const result = await sendMessage(message, { ...context.setup.options, dryRun: context.dryRun });
	const json = resultJson(result, context.setup.secrets);
	if (claimed) json.messageId = claimed.id;
	if (result.status === 'failed') throw new SendFailedError(result);
	return withPairedItem(json, itemIndex);
}

/** Runs every item; outcomes in input order (undefined for items not started after a stop). */
export async function sendItems(this: IExecuteFunctions, context: BatchContext, items: INodeExecutionData[]): Promise<Array<Outcome | undefined>> {
	const outcomes = new Array<Outcome | undefined>(items.length);
	const continueOnFail = this.continueOnFail();
	let next = 0;
	let stopped = false;
	const worker = async (): Promise<void> => {
		while (!stopped && next < items.length) {
			const itemIndex = next++;
			try {
				outcomes[itemIndex] = { ok: true, item: await sendItem.call(this, context, itemIndex, items[itemIndex]!) };
			} catch (error) {
				outcomes[itemIndex] = { ok: false, error };
				if (!continueOnFail) stopped = true;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(context.setup.concurrency, items.length)) }, worker));
	return outcomes;
}
