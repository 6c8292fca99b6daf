/**
 * Runs the chosen operation item by item. A failing item either stops the node with an error that
 * names the item (itemIndex) and says what to do (the core's hint), or, with "Continue On Fail",
 * becomes an item { error, code, hint } paired with its input so the workflow can route it.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import * as normalize from './normalize.operation';
import * as render from './render.operation';
import { errorItemJson, toNodeError, withPairedItem } from './shared';

export type UniversalMessageOperation = 'normalize' | 'render';

const operations: Record<UniversalMessageOperation, typeof normalize.execute> = {
	normalize: normalize.execute,
	render: render.execute,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const returnData: INodeExecutionData[] = [];

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const operation = this.getNodeParameter('operation', itemIndex) as UniversalMessageOperation;
			const run = operations[operation];
			if (!run) throw new Error(`The operation "${String(operation)}" is not supported`);
			returnData.push(...(await run.call(this, itemIndex, items[itemIndex]!)));
		} catch (error) {
			if (this.continueOnFail()) {
				returnData.push(withPairedItem(errorItemJson(error), itemIndex));
				continue;
			}
			throw toNodeError.call(this, error, itemIndex);
		}
	}
	return [returnData];
}
