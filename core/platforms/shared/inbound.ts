/**
 * Building universal inbound messages on the normalize hot path without `compact` (which walks every
 * key of every object it copies): fields are set only when defined, objects are built once.
 *
 * Used by the Telegram, Slack, Teams and Google Chat adapters. (WhatsApp, Messenger, Twilio and Vonage
 * build their messages with their own field order, which their outputs keep.)
 */
import { MESSAGE_SCHEMA_ID, type Channel, type Conversation, type Message, type Part, type Participant } from '../../schema/message';
import type { Json } from '../../util/object';
import { messageId } from './ids';

/** Sets `target[key]` only when `value` is defined, keeping absent fields absent. */
export function setDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
	if (value !== undefined) target[key] = value;
}

/**
 * A vendor's byte count as the universal `size`, or undefined when it cannot be one (negative, fractional,
 * or past 2^53 where a JSON number stops being exact). Sizes are advisory, so a bad one is dropped rather
 * than failing the whole message.
 */
export function byteSize(value: number | undefined): number | undefined {
	return value !== undefined && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

export interface InboundFields {
	/** Provider-side identity of the message; the Switchboard id is `<platform>:<this>`. */
	id: string;
	conversation: Conversation;
	sender?: Participant;
	recipients?: Participant[];
	timestamp: string;
	parts: Part[];
	replyTo?: Message['replyTo'];
	providerMessageId?: string;
	metadata: Json;
}

export function inboundMessage(platform: string, channel: Channel, fields: InboundFields, keepRaw: boolean, raw: unknown): Message {
	const message: Message = {
		schema: MESSAGE_SCHEMA_ID,
		id: messageId(platform, fields.id),
		channel,
		provider: platform,
		direction: 'inbound',
		conversation: fields.conversation,
		recipients: fields.recipients ?? [],
		timestamp: fields.timestamp,
		parts: fields.parts,
		metadata: fields.metadata,
	};
	if (fields.sender !== undefined) message.sender = fields.sender;
	if (fields.replyTo !== undefined) message.replyTo = fields.replyTo;
	if (fields.providerMessageId !== undefined) message.providerMessageId = fields.providerMessageId;
	if (keepRaw) message.raw = raw;
	return message;
}
