/**
 * Database rows → the public types. Both drivers return timestamptz as Date and jsonb parsed; numeric
 * arrives as text (pg) — these helpers accept either form so the adapters stay thin.
 */
import type { DeliveryAttempt, QueueStatus, ScheduledMessage } from './types';

export interface MessageRow {
	id: string;
	session_id: string | null;
	client_id: string | null;
	channel: string;
	recipient: string;
	subject: string | null;
	body: string | null;
	template: string | null;
	send_time: Date | string;
	status: string;
	created_at: Date | string;
	updated_at: Date | string;
	processed_time: Date | string | null;
	error_code: string | null;
	error_message: string | null;
	metadata: unknown;
	message: unknown;
	approved_by: string | null;
	approved_at: Date | string | null;
	approval_note: string | null;
	rejected_by: string | null;
	rejected_at: Date | string | null;
	rejection_reason: string | null;
	rescheduled_by: string | null;
	rescheduled_at: Date | string | null;
	attempt_count: number | string;
	max_attempts: number | string;
	next_attempt_at: Date | string | null;
	lease_owner: string | null;
	lease_expires_at: Date | string | null;
	idempotency_key: string | null;
	provider: string | null;
	external_id: string | null;
	delivered_at: Date | string | null;
	read_at: Date | string | null;
}

export interface AttemptRow {
	id: string;
	message_id: string;
	attempt_number: number | string;
	channel: string;
	provider: string | null;
	recipient: string;
	attempted_at: Date | string;
	success: boolean;
	status: string;
	external_id: string | null;
	error_code: string | null;
	error_message: string | null;
	retryable: boolean | null;
	cost: number | string | null;
	cost_currency: string | null;
	response_time_ms: number | string | null;
	fallback_reason: string | null;
	metadata: unknown;
	worker_id: string | null;
}

export function iso(value: Date | string): string {
	return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function isoOrNull(value: Date | string | null | undefined): string | null {
	return value === null || value === undefined ? null : iso(value);
}

function json(value: unknown): unknown {
	return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}

function record(value: unknown): Record<string, unknown> {
	const parsed = json(value);
	return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

function numberOrNull(value: number | string | null): number | null {
	return value === null ? null : Number(value);
}

export function toMessage(row: MessageRow): ScheduledMessage {
	const message = json(row.message);
	return {
		id: row.id,
		sessionId: row.session_id,
		clientId: row.client_id,
		channel: row.channel,
		recipient: row.recipient,
		subject: row.subject,
		body: row.body,
		template: row.template,
		sendTime: iso(row.send_time),
		status: row.status as QueueStatus,
		createdAt: iso(row.created_at),
		updatedAt: iso(row.updated_at),
		processedTime: isoOrNull(row.processed_time),
		errorCode: row.error_code,
		errorMessage: row.error_message,
		metadata: record(row.metadata),
		message: typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : null,
		approvedBy: row.approved_by,
		approvedAt: isoOrNull(row.approved_at),
		approvalNote: row.approval_note,
		rejectedBy: row.rejected_by,
		rejectedAt: isoOrNull(row.rejected_at),
		rejectionReason: row.rejection_reason,
		rescheduledBy: row.rescheduled_by,
		rescheduledAt: isoOrNull(row.rescheduled_at),
		attemptCount: Number(row.attempt_count),
		maxAttempts: Number(row.max_attempts),
		nextAttemptAt: isoOrNull(row.next_attempt_at),
		leaseOwner: row.lease_owner,
		leaseExpiresAt: isoOrNull(row.lease_expires_at),
		idempotencyKey: row.idempotency_key,
		provider: row.provider,
		externalId: row.external_id,
		deliveredAt: isoOrNull(row.delivered_at),
		readAt: isoOrNull(row.read_at),
	};
}

export function toAttempt(row: AttemptRow): DeliveryAttempt {
	return {
		id: row.id,
		messageId: row.message_id,
		attemptNumber: Number(row.attempt_number),
		channel: row.channel,
		provider: row.provider,
		recipient: row.recipient,
		attemptedAt: iso(row.attempted_at),
		success: row.success,
		status: row.status,
		externalId: row.external_id,
		errorCode: row.error_code,
		errorMessage: row.error_message,
		retryable: row.retryable,
		cost: numberOrNull(row.cost),
		costCurrency: row.cost_currency,
		responseTimeMs: numberOrNull(row.response_time_ms),
		fallbackReason: row.fallback_reason,
		metadata: record(row.metadata),
		workerId: row.worker_id,
	};
}

/** Keyset cursor for list(): the last row's (send_time, id), opaque to callers. */
export function encodeCursor(sendTime: string, id: string): string {
	return Buffer.from(JSON.stringify([sendTime, id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { sendTime: string; id: string } | undefined {
	try {
		const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
		if (!Array.isArray(value) || value.length !== 2) return undefined;
		const [sendTime, id] = value as unknown[];
		if (typeof sendTime !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(sendTime))) return undefined;
		return { sendTime, id };
	} catch {
		return undefined;
	}
}
