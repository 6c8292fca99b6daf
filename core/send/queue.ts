/**
 * Channel Send over messages claimed from the Schedule Queue: build the universal message from each
 * row, send it, then complete or fail it in the queue with EVERY attempt in the delivery log (the
 * earlier ones through AttemptReport.earlierAttempts, in the same statement as the outcome). The
 * processor template then only claims and calls this.
 *
 * Row → message (docs/channel-send.md, "Scheduled rows"):
 * - `row.message` present: that message, with the row's channel, and the row's recipient as the first
 *   recipient's id (the reviewed columns win; the recipient's other fields, such as `phone` for
 *   failover, are kept). `metadata.failover` of the row is used when the message has none.
 * - otherwise: a text part from `body`, a template part from `template` (language from
 *   `metadata.templateLanguage`, parameters from `metadata.templateParameters`), `subject` as
 *   `metadata.subject` (email), the recipient as conversation and recipient, `metadata.failover` copied.
 * Per-row problems (no content, an invalid message, no route) fail that row only; option and
 * credential errors throw before anything is sent. A dry run touches neither providers nor the queue.
 */
import { MESSAGE_SCHEMA_ID, type MessageInput, type Part } from '../schema/message';
import { SwitchboardError } from '../errors';
import type { EarlierAttempt, ScheduledMessage, ScheduleQueue } from '../queue/types';
import { prepareMessage, sendPrepared } from './engine';
import { planFor } from './plan';
import type { SendAttempt, SendOptions, SendResult } from './types';

export interface ClaimedSendResult {
	id: string;
	result: SendResult;
	/** The row's status after reporting (sent, approved = retry scheduled, dead), or `sending` after a dry run; `unreported` when the queue refused the report. */
	queueStatus: string;
	/** Why the queue refused the report (LeaseLostError: the lease expired and another worker took over). */
	queueError?: { code: string; message: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A row as Claim Due returns it (id, channel, recipient, status `sending`) and not a universal
 * message: how both hosts tell claimed rows from messages in their input.
 */
export function isClaimedRow(value: unknown): value is ScheduledMessage {
	return (
		isObject(value) &&
		typeof value.id === 'string' &&
		typeof value.channel === 'string' &&
		typeof value.recipient === 'string' &&
		value.status === 'sending' &&
		value.schema !== MESSAGE_SCHEMA_ID
	);
}

/** Markup in a body written by hand (seed 000's emails are HTML). */
const HTML = /<\/?[a-z][\s\S]*>/i;
const PHONE_CHANNELS = new Set(['sms', 'mms', 'whatsapp']);

/** The universal message a scheduled row stands for (see the header). Throws nothing: validation happens when it is sent. */
export function messageFromRow(row: ScheduledMessage, now: Date): MessageInput {
	const rowMetadata = isObject(row.metadata) ? row.metadata : {};
	const failover = rowMetadata.failover;
	if (row.message) {
		const message = row.message as Record<string, unknown>;
		const recipients = Array.isArray(message.recipients) ? (message.recipients as Array<Record<string, unknown>>) : [];
		const first = isObject(recipients[0]) ? recipients[0] : {};
		const metadata = isObject(message.metadata) ? message.metadata : {};
		return {
			...(message as MessageInput),
			channel: row.channel as MessageInput['channel'],
			recipients: [{ ...first, id: row.recipient }, ...recipients.slice(1)] as MessageInput['recipients'],
			metadata: failover !== undefined && metadata.failover === undefined ? { ...metadata, failover } : metadata,
		};
	}
	const parts: Part[] = [];
	if (row.template) {
		const language = rowMetadata.templateLanguage;
		const parameters = rowMetadata.templateParameters;
		parts.push({
			type: 'template',
			name: row.template,
			...(typeof language === 'string' ? { language } : {}),
			parameters: Array.isArray(parameters) ? (parameters as Extract<Part, { type: 'template' }>['parameters']) : [],
		} as Part);
	}
	if (row.body) parts.push({ type: 'text', text: row.body, format: HTML.test(row.body) ? 'html' : 'plain' } as Part);
	// The address in the field failover reads for its channel (an SMS number can fail over to WhatsApp).
	const recipient: Record<string, unknown> = { id: row.recipient };
	if (row.channel === 'email') recipient.email = row.recipient;
	if (PHONE_CHANNELS.has(row.channel)) recipient.phone = row.recipient.replace(/^whatsapp:/, '');
	return {
		schema: MESSAGE_SCHEMA_ID,
		id: `queue:${row.id}`,
		channel: row.channel as MessageInput['channel'],
		provider: 'switchboard',
		direction: 'outbound',
		conversation: { id: row.recipient, type: 'direct' },
		recipients: [recipient] as MessageInput['recipients'],
		timestamp: now.toISOString(),
		parts,
		metadata: {
			queueMessageId: row.id,
			...(row.subject ? { subject: row.subject } : {}),
			...(row.sessionId ? { sessionId: row.sessionId } : {}),
			...(row.clientId ? { clientId: row.clientId } : {}),
			...(failover !== undefined ? { failover } : {}),
		},
	};
}

function earlierOf(attempt: SendAttempt): EarlierAttempt {
	return {
		provider: attempt.provider,
		channel: attempt.channel,
		attemptedAt: attempt.startedAt,
		responseTimeMs: attempt.responseTimeMs,
		success: attempt.success,
		...(attempt.externalId ? { externalId: attempt.externalId } : {}),
		...(attempt.success ? {} : { error: { ...(attempt.errorCode ? { code: attempt.errorCode } : {}), message: attempt.errorMessage ?? 'failed' } }),
		...(attempt.retryable === null ? {} : { retryable: attempt.retryable }),
		...(attempt.fallbackReason ? { fallbackReason: attempt.fallbackReason } : {}),
		...(attempt.cost ? { cost: attempt.cost.amount, costCurrency: attempt.cost.currency } : {}),
		metadata: { sendAttempt: attempt.number, ...(attempt.errorCategory ? { errorCategory: attempt.errorCategory } : {}) },
	};
}

/** A result for a row that could not be sent at all (bad content, no route). */
function notSent(channel: string, error: SwitchboardError | Error): SendResult {
	const code = error instanceof SwitchboardError ? error.code : 'SEND_FAILED';
	return {
		status: 'failed',
		channel: channel as SendResult['channel'],
		provider: null,
		account: null,
		externalId: null,
		externalIds: [],
		attempts: [],
		degradations: [],
		error: { code, category: code === 'NO_ROUTE' ? 'config' : 'content', message: error.message, retryable: code === 'NO_ROUTE', retryAfterMs: null },
		preview: null,
	};
}

export async function sendClaimed(
	queue: ScheduleQueue,
	claimed: ScheduledMessage[],
	options: SendOptions & { workerId?: string; onProgress?: (done: number, total: number) => void },
): Promise<ClaimedSendResult[]> {
	const plan = await planFor(options);
	const workerId = options.workerId;
	const out = new Array<ClaimedSendResult>(claimed.length);
	let next = 0;
	let done = 0;

	const one = async (row: ScheduledMessage): Promise<ClaimedSendResult> => {
		let result: SendResult;
		try {
			result = await sendPrepared(prepareMessage(messageFromRow(row, plan.now()), plan), plan);
		} catch (error) {
			// Option/credential errors were thrown by planFor already; what is left concerns this row.
			if (!(error instanceof SwitchboardError)) throw error;
			result = notSent(row.channel, error);
		}
		if (plan.dryRun) return { id: row.id, result, queueStatus: row.status };
		try {
			const attempts = result.attempts;
			const last = attempts[attempts.length - 1];
			const earlierAttempts = attempts.slice(0, -1).map(earlierOf);
			const report = {
				...(workerId ? { workerId } : {}),
				...(last
					? {
							provider: last.provider,
							channel: last.channel,
							attemptedAt: last.startedAt,
							responseTimeMs: last.responseTimeMs,
							...(last.fallbackReason ? { fallbackReason: last.fallbackReason } : {}),
							...(last.cost ? { cost: last.cost.amount, costCurrency: last.cost.currency } : {}),
							metadata: { sendAttempt: last.number, ...(last.errorCategory ? { errorCategory: last.errorCategory } : {}) },
						}
					: {}),
				...(earlierAttempts.length ? { earlierAttempts } : {}),
			};
			if (result.status === 'sent' || result.status === 'queued') {
				const sent = await queue.complete(row.id, {
					...report,
					...(result.externalId ? { externalId: result.externalId } : {}),
					...(result.externalIds.length > 1 ? { externalIds: result.externalIds } : {}),
					metadata: { ...(report.metadata ?? {}), externalIds: result.externalIds },
				});
				return { id: row.id, result, queueStatus: sent.status };
			}
			const error = result.error!;
			const failed = await queue.fail(row.id, {
				...report,
				error: { ...(error.code ? { code: error.code } : {}), message: error.message },
				retryable: error.retryable,
			});
			return { id: row.id, result, queueStatus: failed.status };
		} catch (error) {
			if (!(error instanceof SwitchboardError)) throw error;
			return { id: row.id, result, queueStatus: 'unreported', queueError: { code: error.code, message: error.message } };
		}
	};

	const worker = async (): Promise<void> => {
		while (next < claimed.length) {
			const index = next++;
			out[index] = await one(claimed[index]!);
			done++;
			options.onProgress?.(done, claimed.length);
		}
	};
	await Promise.all(Array.from({ length: Math.min(plan.concurrency, claimed.length) }, worker));
	return out;
}
