/**
 * Input checks for every queue operation. Pure: they return normalised values or throw an
 * InvalidQueueInputError whose fields are named the way the caller wrote them (`sendTime`,
 * `inputs[3].message.parts[0].text`), so a flow author can find the bad field without reading code.
 */
import { InvalidMessageError, InvalidQueueInputError } from '../errors';
import { parseMessage } from '../render';
import { CHANNELS, type Channel, type Message } from '../schema/message';
import { MAX_ATTEMPTS_LIMIT } from './retry';
import type { QueueStatus } from './types';
import { lookupTable } from '../util/object';

export interface Issue {
	field: string;
	message: string;
}

/** Collects issues; `fail()` throws them all at once. */
export class Issues {
	readonly list: Issue[] = [];
	add(field: string, message: string): void {
		this.list.push({ field, message });
	}
	get empty(): boolean {
		return this.list.length === 0;
	}
	throwIfAny(hint?: string): void {
		if (this.list.length) throw new InvalidQueueInputError(this.list, hint);
	}
}

/**
 * A plain object: `{…}` or `Object.create(null)`, from THIS realm or another one. Node-RED runs function
 * nodes in their own vm context, so the objects they build have that context's Object.prototype (whose
 * own prototype is null, like ours); comparing with our Object.prototype refused them.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const proto: unknown = Object.getPrototypeOf(value);
	return proto === null || Object.getPrototypeOf(proto) === null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: unknown): value is string {
	return typeof value === 'string' && UUID.test(value);
}

function join(prefix: string, field: string): string {
	return prefix ? `${prefix}.${field}` : field;
}

/** A date given as an ISO 8601 string or a Date; undefined when absent. */
export function readDate(value: unknown, field: string, issues: Issues): Date | undefined {
	if (value === undefined || value === null) return undefined;
	if (value instanceof Date) {
		if (Number.isNaN(value.getTime())) issues.add(field, 'is an invalid Date');
		else return value;
		return undefined;
	}
	if (typeof value === 'string' && value.trim() !== '') {
		const date = new Date(value.trim());
		if (!Number.isNaN(date.getTime())) return date;
	}
	issues.add(field, `must be an ISO 8601 date-time such as 2026-05-28T14:30:00Z (got ${describe(value)})`);
	return undefined;
}

/** PostgreSQL text and jsonb cannot hold the NUL character; the database would refuse the whole statement. */
const NUL_HINT = 'contains a NUL character (\\u0000), which the database cannot store; remove it';

/** Whether any string (or key) inside a JSON-like value holds a NUL character. */
function containsNul(value: unknown): boolean {
	if (typeof value === 'string') return value.includes('\0');
	if (Array.isArray(value)) return value.some(containsNul);
	if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, v]) => key.includes('\0') || containsNul(v));
	return false;
}

export function readOptionalString(value: unknown, field: string, issues: Issues): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value !== 'string') {
		issues.add(field, `must be text (got ${describe(value)})`);
		return null;
	}
	if (value.includes('\0')) issues.add(field, NUL_HINT);
	return value;
}

export function readRequiredText(value: unknown, field: string, issues: Issues, what: string): string {
	if (typeof value !== 'string' || value.trim() === '') {
		issues.add(field, `is required: ${what} (got ${describe(value)})`);
		return '';
	}
	if (value.includes('\0')) issues.add(field, NUL_HINT);
	return value.trim();
}

export function readMetadata(value: unknown, field: string, issues: Issues): Record<string, unknown> {
	if (value === undefined || value === null) return {};
	if (!isPlainObject(value)) {
		issues.add(field, `must be an object of key/value pairs (got ${describe(value)})`);
		return {};
	}
	try {
		JSON.stringify(value);
		if (containsNul(value)) issues.add(field, NUL_HINT);
	} catch (error) {
		issues.add(field, `cannot be stored as JSON (${(error as Error).message})`);
	}
	return value;
}

export function readNonNegativeNumber(value: unknown, field: string, issues: Issues): number | null {
	if (value === undefined || value === null) return null;
	if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
	issues.add(field, `must be a number ≥ 0 (got ${describe(value)})`);
	return null;
}

export function readIntegerInRange(value: unknown, field: string, issues: Issues, min: number, max: number, fallback: number): number {
	if (value === undefined || value === null) return fallback;
	if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
	issues.add(field, `must be a whole number from ${min} to ${max} (got ${describe(value)})`);
	return fallback;
}

export function readChannel(value: unknown, field: string, issues: Issues): Channel {
	if (typeof value === 'string' && (CHANNELS as readonly string[]).includes(value)) return value as Channel;
	issues.add(field, `must be one of ${CHANNELS.join(', ')} (got ${describe(value)})`);
	return 'custom';
}

export function describe(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}…"` : JSON.stringify(value);
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	if (Array.isArray(value)) return 'a list';
	if (value instanceof Date) return 'a Date';
	return `a ${typeof value}`;
}

// ---------------------------------------------------------------------------------------------------
// enqueue

const ENQUEUE_FIELDS = [
	'channel',
	'recipient',
	'sendTime',
	'subject',
	'body',
	'template',
	'sessionId',
	'clientId',
	'status',
	'message',
	'idempotencyKey',
	'maxAttempts',
	'metadata',
] as const;

/** Seed 000 column names people copy from their existing table → the field to use instead. */
const FIELD_ALIASES: Record<string, string> = lookupTable({
	send_time: 'sendTime',
	message_type: 'channel',
	messageType: 'channel',
	session_id: 'sessionId',
	client_id: 'clientId',
	idempotency_key: 'idempotencyKey',
	max_attempts: 'maxAttempts',
	to: 'recipient',
});

/** An EnqueueInput after validation, ready to insert. */
export interface NormalizedEnqueue {
	channel: Channel;
	recipient: string;
	sendTime: Date;
	subject: string | null;
	body: string | null;
	template: string | null;
	sessionId: string | null;
	clientId: string | null;
	status: QueueStatus;
	message: Message | null;
	idempotencyKey: string | null;
	maxAttempts: number;
	metadata: Record<string, unknown>;
}

/**
 * Checks one EnqueueInput (at `prefix`, e.g. `inputs[3]`), adding every problem to `issues`.
 * Unknown fields are refused: a misspelt `send_time` would otherwise silently send at once.
 */
export function readEnqueueInput(value: unknown, prefix: string, issues: Issues, now: Date, defaultMaxAttempts: number): NormalizedEnqueue | undefined {
	if (!isPlainObject(value)) {
		issues.add(prefix || '(input)', `must be an object with channel, recipient and sendTime (got ${describe(value)})`);
		return undefined;
	}
	for (const [key, v] of Object.entries(value)) {
		if (v === undefined || (ENQUEUE_FIELDS as readonly string[]).includes(key)) continue;
		const alias = FIELD_ALIASES[key];
		issues.add(join(prefix, key), alias ? `unknown field; use "${alias}"` : `unknown field; known fields are ${ENQUEUE_FIELDS.join(', ')}`);
	}
	const channel = readChannel(value.channel, join(prefix, 'channel'), issues);
	const recipient = readRequiredText(value.recipient, join(prefix, 'recipient'), issues, 'the email address, phone number or chat id to send to');
	const sendTime = value.sendTime === undefined || value.sendTime === null ? now : readDate(value.sendTime, join(prefix, 'sendTime'), issues) ?? now;

	let status: QueueStatus = 'draft';
	if (value.status !== undefined && value.status !== null) {
		if (value.status === 'draft' || value.status === 'approved') status = value.status;
		else if (value.status === 'revised') status = 'approved';
		else issues.add(join(prefix, 'status'), `a new message must start as draft (needs approval) or approved/revised (pre-approved) (got ${describe(value.status)})`);
	}

	let message: Message | null = null;
	if (value.message !== undefined && value.message !== null) {
		try {
			message = parseMessage(value.message);
			if (containsNul(message)) issues.add(join(prefix, 'message'), NUL_HINT);
			if (message.channel !== channel && typeof value.channel === 'string') {
				issues.add(join(prefix, 'message.channel'), `is "${message.channel}" but the scheduled message's channel is "${value.channel}"; make them the same`);
			}
		} catch (error) {
			if (!(error instanceof InvalidMessageError)) throw error;
			for (const issue of error.issues) issues.add(join(prefix, issue.path ? `message.${issue.path}` : 'message'), issue.message);
		}
	}

	let idempotencyKey: string | null = null;
	if (value.idempotencyKey !== undefined && value.idempotencyKey !== null) {
		if (typeof value.idempotencyKey === 'string' && value.idempotencyKey.trim() !== '') idempotencyKey = value.idempotencyKey;
		else issues.add(join(prefix, 'idempotencyKey'), `must be non-empty text (got ${describe(value.idempotencyKey)})`);
	}

	return {
		channel,
		recipient,
		sendTime,
		subject: readOptionalString(value.subject, join(prefix, 'subject'), issues),
		body: readOptionalString(value.body, join(prefix, 'body'), issues),
		template: readOptionalString(value.template, join(prefix, 'template'), issues),
		sessionId: readOptionalString(value.sessionId, join(prefix, 'sessionId'), issues),
		clientId: readOptionalString(value.clientId, join(prefix, 'clientId'), issues),
		status,
		message,
		idempotencyKey,
		maxAttempts: readIntegerInRange(value.maxAttempts, join(prefix, 'maxAttempts'), issues, 1, MAX_ATTEMPTS_LIMIT, defaultMaxAttempts),
		metadata: readMetadata(value.metadata, join(prefix, 'metadata'), issues),
	};
}

/** The `by` of approve / reject: who did it. */
export function readActor(value: unknown, required: boolean, operation: string): { by: string | null; reason: string | null } {
	const issues = new Issues();
	if (!isPlainObject(value)) {
		if (required || (value !== undefined && value !== null)) {
			issues.add('by', `is required: who does the ${operation} (a user name, email or id) — pass { by: "…" }`);
			issues.throwIfAny();
		}
		return { by: null, reason: null };
	}
	const by = required
		? readRequiredText(value.by, 'by', issues, `who does the ${operation} (a user name, email or id)`)
		: readOptionalString(value.by, 'by', issues);
	const reason = readOptionalString(value.reason, 'reason', issues);
	issues.throwIfAny();
	return { by: by || null, reason };
}
