/**
 * The shipped JSON Schema is generated from the zod schema (never written by hand). The build writes
 * it to dist/schema/; `universalJsonSchema()` gives the same document at run time.
 */
import { z } from 'zod/v4';
import { deliveryEventSchema, messageSchema, MESSAGE_SCHEMA_ID, EVENT_SCHEMA_ID } from './message';

export const JSON_SCHEMA_BASE = 'https://switchboard-msg.github.io/schema';

export function messageJsonSchema(): Record<string, unknown> {
	return {
		$id: `${JSON_SCHEMA_BASE}/${MESSAGE_SCHEMA_ID.replace('/', '-')}.json`,
		...z.toJSONSchema(messageSchema, { io: 'input', unrepresentable: 'any' }),
	};
}

export function eventJsonSchema(): Record<string, unknown> {
	return {
		$id: `${JSON_SCHEMA_BASE}/${EVENT_SCHEMA_ID.replace('/', '-')}.json`,
		...z.toJSONSchema(deliveryEventSchema, { io: 'input', unrepresentable: 'any' }),
	};
}
