/**
 * Runs the chosen operation item by item against one open queue: a lease on the per-process
 * registry's queue for the node's store, taken once per execution and given back at the end. Every output item is paired with the input item it came from. A failing item either
 * stops the node with an error naming the item (itemIndex) and what to do (the hint), or, with
 * "Continue On Fail", becomes an item { error, code, hint } and the other items go on.
 *
 * Approval Links is the one operation that runs once for all items (one digest, paired with every
 * input item); its failure under "Continue On Fail" is one error item.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { ScheduleQueue } from '../../../../core/queue';
import type { QueueLease } from '../../../shared/queue-host';
import { APPROVAL_CREDENTIAL, APPROVAL_OPERATIONS } from './approval';
import * as approvalLinks from './approvalLinks.operation';
import * as approvalRequest from './approvalRequest.operation';
import * as approve from './approve.operation';
import * as claimDue from './claimDue.operation';
import * as complete from './complete.operation';
import * as enqueue from './enqueue.operation';
import * as fail from './fail.operation';
import * as get from './get.operation';
import * as list from './list.operation';
import * as purgeLog from './purgeLog.operation';
import * as reject from './reject.operation';
import * as releaseExpiredLeases from './releaseExpiredLeases.operation';
import * as requeueUndelivered from './requeueUndelivered.operation';
import * as reschedule from './reschedule.operation';
import * as stats from './stats.operation';
import { ParameterError, errorItemJson, toNodeError, withPairedItem } from './shared';
import { openStore, resolveStore } from './store';

export type ScheduleQueueOperation =
	| 'approvalLinks'
	| 'approvalRequest'
	| 'approve'
	| 'claimDue'
	| 'complete'
	| 'enqueue'
	| 'fail'
	| 'get'
	| 'list'
	| 'purgeLog'
	| 'reject'
	| 'releaseExpiredLeases'
	| 'requeueUndelivered'
	| 'reschedule'
	| 'stats';

type Execute = (this: IExecuteFunctions, queue: ScheduleQueue, itemIndex: number, item: INodeExecutionData) => Promise<INodeExecutionData[]>;

type ExecuteAll = (this: IExecuteFunctions, queue: ScheduleQueue, items: INodeExecutionData[]) => Promise<INodeExecutionData[]>;

/** Operations that run once for all input items. */
const batchOperations: Partial<Record<ScheduleQueueOperation, ExecuteAll>> = {
	approvalLinks: approvalLinks.execute,
};

const operations: Record<Exclude<ScheduleQueueOperation, 'approvalLinks'>, Execute> = {
	approvalRequest: approvalRequest.execute,
	approve: approve.execute,
	claimDue: claimDue.execute,
	complete: complete.execute,
	enqueue: enqueue.execute,
	fail: fail.execute,
	get: get.execute,
	list: list.execute,
	purgeLog: purgeLog.execute,
	reject: reject.execute,
	releaseExpiredLeases: releaseExpiredLeases.execute,
	requeueUndelivered: requeueUndelivered.execute,
	reschedule: reschedule.execute,
	stats: stats.execute,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as ScheduleQueueOperation;
	const runAll = batchOperations[operation];
	const run = operations[operation as Exclude<ScheduleQueueOperation, 'approvalLinks'>];

	let lease: QueueLease;
	let secrets: readonly string[] = [];
	try {
		if (!run && !runAll) {
			throw new ParameterError(`The operation "${String(operation)}" is not supported`, `Choose one of: ${[...Object.keys(batchOperations), ...Object.keys(operations)].join(', ')}.`);
		}
		const store = await resolveStore.call(this);
		secrets = [...store.secrets, ...(await approvalSecrets.call(this, operation))];
		lease = await openStore(store);
	} catch (error) {
		// No store, no item can be processed: each item carries the error, or the node stops.
		if (this.continueOnFail()) return [items.map((_, itemIndex) => withPairedItem(errorItemJson(error, secrets), itemIndex))];
		throw toNodeError.call(this, error, undefined, secrets);
	}

	const returnData: INodeExecutionData[] = [];
	try {
		if (runAll) {
			try {
				return [await runAll.call(this, lease.queue, items)];
			} catch (error) {
				if (this.continueOnFail()) return [[{ json: errorItemJson(error, secrets), pairedItem: items.map((_, item) => ({ item })) }]];
				throw toNodeError.call(this, error, undefined, secrets);
			}
		}
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				returnData.push(...(await run!.call(this, lease.queue, itemIndex, items[itemIndex]!)));
			} catch (error) {
				if (this.continueOnFail()) {
					returnData.push(withPairedItem(errorItemJson(error, secrets), itemIndex));
					continue;
				}
				throw toNodeError.call(this, error, itemIndex, secrets);
			}
		}
	} finally {
		await lease.release();
	}
	return [returnData];
}

/** The approval signing secret, to redact from messages (never in them by design; this is the safety net). */
async function approvalSecrets(this: IExecuteFunctions, operation: ScheduleQueueOperation): Promise<string[]> {
	if (!(APPROVAL_OPERATIONS as readonly string[]).includes(operation)) return [];
	try {
		const data = await this.getCredentials(APPROVAL_CREDENTIAL);
		return typeof data.signingSecret === 'string' && data.signingSecret.length >= 8 ? [data.signingSecret] : [];
	} catch {
		return []; // a missing credential is reported by the operation itself
	}
}
