/**
 * Reads the set-up once (providers, credentials, routes, retries, rate limits), opens the Schedule
 * Queue store when claimed messages are to be completed there, runs the operation over all items, and
 * turns each item's outcome into an output item paired with its input — or, for a failed item, into
 * an error item { error, code, hint, … } under "Continue On Fail", else a NodeOperationError naming
 * the item. Secrets of every chosen credential are redacted from anything shown.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { QueueLease } from '../../../shared/queue-host';
import { ParameterError, errorItemJson, toNodeError, withPairedItem } from '../../shared/errors';
import { rateLimitStoreFor } from '../../../../core/send';
import { openStore, resolveStore } from '../../ScheduleQueue/actions/store';
import { SendFailedError, failedItemJson, type BatchContext, type Outcome } from './batch';
import * as dryRun from './dryRun.operation';
import { readSendSetup } from './parameters';
import { queueWorkerId } from './queue';
import * as send from './send.operation';

export type ChannelSendOperation = 'send' | 'dryRun';

type Execute = (this: IExecuteFunctions, context: Omit<BatchContext, 'dryRun'>, items: INodeExecutionData[]) => Promise<Array<Outcome | undefined>>;

const operations: Record<ChannelSendOperation, Execute> = {
	send: send.execute,
	dryRun: dryRun.execute,
};

function errorJson(error: unknown, secrets: readonly string[]) {
	return error instanceof SendFailedError ? failedItemJson(error, secrets) : errorItemJson(error, secrets);
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as ChannelSendOperation;
	const run = operations[operation];

	let secrets: readonly string[] = [];
	let lease: QueueLease | undefined;
	let context: Omit<BatchContext, 'dryRun'>;
	try {
		if (!run) throw new ParameterError(`The operation "${String(operation)}" is not supported`, `Choose one of: ${Object.keys(operations).join(', ')}.`);
		const setup = await readSendSetup.call(this);
		secrets = setup.secrets;
		context = { setup };
		if (operation === 'send' && this.getNodeParameter('completeInQueue', 0, false) === true) {
			const store = await resolveStore.call(this);
			secrets = [...secrets, ...store.secrets];
			context.setup = { ...setup, secrets: [...secrets] };
			lease = await openStore(store);
			context.queue = { queue: lease.queue, workerId: queueWorkerId.call(this) };
			// Several n8n workers share a PostgreSQL queue: their rate limits must add up to one limit.
			if (store.connection.kind === 'postgres' && !setup.options.rateLimits?.disabled && !setup.options.rateLimits?.store) {
				context.setup = { ...context.setup, options: { ...setup.options, rateLimits: { ...setup.options.rateLimits, store: rateLimitStoreFor(lease.queue) } } };
			}
		}
	} catch (error) {
		await lease?.release();
		// Without a set-up no item can be sent: each item carries the error, or the node stops.
		if (this.continueOnFail()) return [items.map((_, itemIndex) => withPairedItem(errorItemJson(error, secrets), itemIndex))];
		throw toNodeError.call(this, error, undefined, secrets);
	}

	let outcomes: Array<Outcome | undefined>;
	try {
		outcomes = await run.call(this, context, items);
	} finally {
		await lease?.release();
	}

	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const outcome = outcomes[itemIndex];
		if (!outcome) continue; // not started: an earlier item stopped the node
		if (outcome.ok) {
			returnData.push(outcome.item);
			continue;
		}
		if (this.continueOnFail()) {
			returnData.push(withPairedItem(errorJson(outcome.error, secrets), itemIndex));
			continue;
		}
		throw toNodeError.call(this, outcome.error, itemIndex, secrets);
	}
	return [returnData];
}
