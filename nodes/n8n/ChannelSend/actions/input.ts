/**
 * What each incoming item asks to send: a universal message, or a scheduled message that a Schedule
 * Queue node claimed (Claim Due outputs rows with an id, channel, recipient and status "sending").
 * A claimed row carries the universal message it was enqueued with, or only subject/body/template
 * (seed 000's scheduled emails and SMS): the core's messageFromRow makes the universal message.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { ScheduledMessage } from '../../../../core/queue';
import { isClaimedRow, messageFromRow } from '../../../../core/send';
import { isRecord } from '../../../../core/util/object';
import { ParameterError } from '../../shared/errors';

export interface ItemMessage {
	/** What goes to the send engine. */
	message: unknown;
	/** Set when the item is a claimed scheduled message. */
	claimed?: ScheduledMessage;
}

function readPath(source: unknown, path: string): unknown {
	if (!isRecord(source)) return undefined;
	if (path in source) return source[path];
	let current: unknown = source;
	for (const key of path.split('.')) {
		if (!isRecord(current)) return undefined;
		current = current[key];
	}
	return current;
}

/** The message of item `itemIndex`, per the Message Source parameters. */
export function itemMessage(this: IExecuteFunctions, itemIndex: number, item: INodeExecutionData): ItemMessage {
	const source = this.getNodeParameter('messageSource', itemIndex, 'item') as 'item' | 'property';
	let value: unknown = item.json;
	if (source === 'property') {
		const path = String(this.getNodeParameter('messageProperty', itemIndex, 'message') ?? '').trim();
		if (!path) throw new ParameterError('"Message Property" is empty', 'Name the property that holds the message, e.g. message.');
		value = readPath(item.json, path);
		if (value === undefined) {
			throw new ParameterError(`The item has no property "${path}"`, 'Check the property name (dot notation for nested properties), or choose Message Source "Whole Item".');
		}
	}
	if (isClaimedRow(value)) return { message: messageFromRow(value, new Date()), claimed: value };
	return { message: value };
}
