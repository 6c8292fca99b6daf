/**
 * Typed errors of the core. Host shells map them (n8n: NodeOperationError with the `description`,
 * Node-RED: done(err)); callers can switch on `code` without parsing messages.
 *
 * Contract: the core never throws anything else for bad input. A bug is still a plain Error, and the
 * fuzz tests exist to find those.
 */
export type SwitchboardErrorCode =
	| 'UNRECOGNIZED_REQUEST'
	| 'AMBIGUOUS_REQUEST'
	| 'UNKNOWN_PLATFORM'
	| 'MALFORMED_BODY'
	| 'PAYLOAD_MISMATCH'
	| 'INVALID_MESSAGE'
	| 'INVALID_MAPPING'
	| 'RENDER_FAILED'
	// Schedule Queue
	| 'INVALID_QUEUE_INPUT'
	| 'ILLEGAL_TRANSITION'
	| 'MESSAGE_NOT_FOUND'
	| 'LEASE_LOST'
	| 'STORE_LOCKED'
	| 'QUEUE_STORE_ERROR'
	// Channel Send
	| 'INVALID_PROVIDER_CONFIG'
	| 'INVALID_SEND_OPTIONS'
	| 'PROVIDER_ERROR'
	| 'NO_ROUTE';

export class SwitchboardError extends Error {
	readonly code: SwitchboardErrorCode;
	/** What to do about it, in words an analyst can follow. */
	readonly hint?: string;

	constructor(code: SwitchboardErrorCode, message: string, hint?: string) {
		super(message);
		this.name = 'SwitchboardError';
		this.code = code;
		this.hint = hint;
	}

	/** One-line description for host UIs: the message plus the hint. */
	get description(): string {
		return this.hint ? `${this.message} — ${this.hint}` : this.message;
	}
}

/** The request matched no platform (or matched none confidently). */
export class UnrecognizedRequestError extends SwitchboardError {
	readonly tried: ReadonlyArray<{ platform: string; reason: string }>;
	constructor(tried: ReadonlyArray<{ platform: string; reason: string }>) {
		super(
			'UNRECOGNIZED_REQUEST',
			`Could not tell which platform sent this request. Tried: ${tried.map((t) => `${t.platform} (${t.reason})`).join('; ')}`,
			'Set the platform explicitly, or check that the whole webhook body and headers are passed in.',
		);
		this.name = 'UnrecognizedRequestError';
		this.tried = tried;
	}
}

/** More than one platform claims the request: we refuse to guess. */
export class AmbiguousRequestError extends SwitchboardError {
	readonly candidates: readonly string[];
	constructor(candidates: readonly string[]) {
		super(
			'AMBIGUOUS_REQUEST',
			`This request looks like more than one platform: ${candidates.join(', ')}`,
			'Set the platform explicitly so the right adapter is used.',
		);
		this.name = 'AmbiguousRequestError';
		this.candidates = candidates;
	}
}

export class UnknownPlatformError extends SwitchboardError {
	constructor(platform: string, known: readonly string[]) {
		super('UNKNOWN_PLATFORM', `Unknown platform "${platform}"`, `Use one of: ${known.join(', ')}.`);
		this.name = 'UnknownPlatformError';
	}
}

/** The body could not be read at all (not JSON, not form-encoded, empty where content is required). */
export class MalformedBodyError extends SwitchboardError {
	constructor(message: string, hint = 'Pass the request body exactly as received (string, Buffer or parsed JSON).') {
		super('MALFORMED_BODY', message, hint);
		this.name = 'MalformedBodyError';
	}
}

/**
 * The body parsed, but its shape does not match what the platform documents. `path` is the JSON path
 * (e.g. `entry[0].changes[0].value.messages[1].timestamp`) of the first thing that did not match.
 */
export class PayloadMismatchError extends SwitchboardError {
	readonly platform: string;
	readonly path: string;
	constructor(platform: string, path: string, expected: string) {
		super(
			'PAYLOAD_MISMATCH',
			`${platform} payload does not match the documented shape at ${path || '(root)'}: expected ${expected}`,
			'Check that the request comes from this platform unmodified; set the platform explicitly if auto-detection picked the wrong one.',
		);
		this.name = 'PayloadMismatchError';
		this.platform = platform;
		this.path = path;
	}
}

/** A universal message (or event) failed schema validation. */
export class InvalidMessageError extends SwitchboardError {
	readonly issues: ReadonlyArray<{ path: string; message: string }>;
	constructor(issues: ReadonlyArray<{ path: string; message: string }>, what = 'message') {
		const first = issues[0];
		super(
			'INVALID_MESSAGE',
			`Invalid universal ${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
			first ? `Fix the field "${first.path || '(root)'}" and try again.` : undefined,
		);
		this.name = 'InvalidMessageError';
		this.issues = issues;
	}
}

/** A user-written custom mapping is itself wrong (bad path syntax, missing required field). */
export class InvalidMappingError extends SwitchboardError {
	readonly field: string;
	constructor(field: string, message: string, hint?: string) {
		super('INVALID_MAPPING', `Custom mapping field "${field}": ${message}`, hint);
		this.name = 'InvalidMappingError';
		this.field = field;
	}
}

export class RenderError extends SwitchboardError {
	readonly platform: string;
	constructor(platform: string, message: string, hint?: string) {
		super('RENDER_FAILED', `Cannot render for ${platform}: ${message}`, hint);
		this.name = 'RenderError';
		this.platform = platform;
	}
}

/**
 * Input to a Schedule Queue operation is wrong. `field` names the first bad field the way the caller
 * wrote it (`sendTime`, `inputs[3].message.parts[0].text`, `retry.jitter`); `issues` lists all of them.
 */
export class InvalidQueueInputError extends SwitchboardError {
	readonly field: string;
	readonly issues: ReadonlyArray<{ field: string; message: string }>;
	constructor(issues: ReadonlyArray<{ field: string; message: string }>, hint?: string) {
		const first = issues[0] ?? { field: '(input)', message: 'invalid' };
		super(
			'INVALID_QUEUE_INPUT',
			`Invalid queue input: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
			hint ?? `Fix the field "${first.field}" and try again.`,
		);
		this.name = 'InvalidQueueInputError';
		this.field = first.field;
		this.issues = issues;
	}
}

/**
 * A status change the queue's state machine does not allow (e.g. approving a sent message). Raised
 * before anything is written: the message is unchanged.
 */
export class IllegalTransitionError extends SwitchboardError {
	readonly messageId: string;
	readonly from: string;
	readonly to: string;
	/** The statuses `from` may become (by any operation); [] when `from` is final. */
	readonly allowed: readonly string[];
	/** The operation that was refused (approve, reject, complete…), when known. */
	readonly operation?: string;
	/** The statuses that operation applies to (approve: draft). */
	readonly appliesTo?: readonly string[];
	constructor(messageId: string, from: string, to: string, allowed: readonly string[], operation?: string, appliesTo?: readonly string[]) {
		const where = appliesTo?.length ? `; ${operation} applies only to ${appliesTo.map((s) => `"${s}"`).join(' or ')} messages` : '';
		super(
			'ILLEGAL_TRANSITION',
			`${operation ? `Cannot ${operation} message ${messageId}` : `Message ${messageId}`}: status "${from}" cannot change to "${to}"${where}`,
			allowed.length
				? `From "${from}" a message can only become: ${allowed.join(', ')}. Check the message's status (get) before acting on it.`
				: `"${from}" is final: nothing can change it. Enqueue a new message instead.`,
		);
		this.name = 'IllegalTransitionError';
		this.messageId = messageId;
		this.from = from;
		this.to = to;
		this.allowed = allowed;
		this.operation = operation;
		this.appliesTo = appliesTo;
	}
}

export class MessageNotFoundError extends SwitchboardError {
	readonly messageId: string;
	constructor(messageId: string) {
		super('MESSAGE_NOT_FOUND', `No scheduled message with id "${messageId}"`, 'Use the id returned by enqueue, claim due or list (a UUID).');
		this.name = 'MessageNotFoundError';
		this.messageId = messageId;
	}
}

/**
 * A worker reported the outcome of a message it no longer holds: its lease expired and the message
 * was released or claimed by another worker. Nothing is written, so the message is not sent twice
 * under the other worker's lease.
 */
export class LeaseLostError extends SwitchboardError {
	readonly messageId: string;
	readonly workerId: string;
	/** Who holds it now (null: nobody; it is waiting to be claimed again). */
	readonly currentOwner: string | null;
	readonly status: string;
	constructor(messageId: string, workerId: string, currentOwner: string | null, status: string) {
		super(
			'LEASE_LOST',
			`Worker "${workerId}" does not hold the lease on message ${messageId} (status "${status}", ${currentOwner ? `leased by "${currentOwner}"` : 'not leased'})`,
			'The lease expired before the outcome was reported. Use a lease longer than the slowest send (Lease Seconds), and report with the worker id that claimed the message.',
		);
		this.name = 'LeaseLostError';
		this.messageId = messageId;
		this.workerId = workerId;
		this.currentOwner = currentOwner;
		this.status = status;
	}
}

/** Another live process has the embedded store open; opening it twice would corrupt it. */
export class StoreLockedError extends SwitchboardError {
	readonly folder: string;
	readonly pid: number;
	readonly lockFile: string;
	constructor(folder: string, pid: number, lockFile: string, holder = `process ${pid}`) {
		super(
			'STORE_LOCKED',
			`The embedded queue store in "${folder}" is already open in ${holder} (lock file ${lockFile})`,
			'An embedded store serves one process: use PostgreSQL to share the queue between processes (several n8n workers, queue mode, several Node-RED instances), or give each process its own store folder. If that process is gone, delete the lock file.',
		);
		this.name = 'StoreLockedError';
		this.folder = folder;
		this.pid = pid;
		this.lockFile = lockFile;
	}
}

/** The store could not be opened or migrated (connection refused, bad credentials, a newer schema…). */
export class QueueStoreError extends SwitchboardError {
	override readonly cause?: unknown;
	constructor(message: string, hint?: string, cause?: unknown) {
		super('QUEUE_STORE_ERROR', message, hint);
		this.name = 'QueueStoreError';
		this.cause = cause;
	}
}

/**
 * A provider's credentials/settings are missing or wrong before anything was sent. `field` is the
 * credential field's name as the host shows it (`accountSid`, `apiKey`); never carries the secret.
 */
export class InvalidProviderConfigError extends SwitchboardError {
	readonly provider: string;
	readonly field: string;
	constructor(provider: string, field: string, problem: string, hint?: string) {
		super('INVALID_PROVIDER_CONFIG', `${provider} credentials: ${field} ${problem}`, hint ?? `Open the ${provider} credential and fix "${field}".`);
		this.name = 'InvalidProviderConfigError';
		this.provider = provider;
		this.field = field;
	}
}

/** Channel Send options (routes, retry, rate limits) are wrong; `field` names the option. */
export class InvalidSendOptionsError extends SwitchboardError {
	readonly field: string;
	constructor(field: string, problem: string, hint?: string) {
		super('INVALID_SEND_OPTIONS', `Channel Send option ${field} ${problem}`, hint ?? `Fix the option "${field}" in the node.`);
		this.name = 'InvalidSendOptionsError';
		this.field = field;
	}
}

/** No provider is configured for the message's channel (and no failover channel has one). */
export class NoRouteError extends SwitchboardError {
	readonly channel: string;
	constructor(channel: string, configured: readonly string[]) {
		super(
			'NO_ROUTE',
			`No provider is set up for the ${channel} channel${configured.length ? ` (routes exist for: ${configured.join(', ')})` : ''}`,
			`Add a route for ${channel}: choose its provider and credential in the node, or send the message on another channel.`,
		);
		this.name = 'NoRouteError';
		this.channel = channel;
	}
}

/**
 * Why a send failed, classified (providers.md §0.2). Retry decisions read `retryable` and
 * `retryAfterMs`; people read `message` and `hint`. `providerCode` is the provider's own code
 * (Twilio 21211, WhatsApp 131047, Slack "channel_not_found", HTTP status when there is none).
 * Messages never contain credentials: providers build them from response bodies and redact.
 */
export type ProviderErrorCategory =
	/** Timeouts, connection errors, 5xx: try again (maybe elsewhere). */
	| 'transient'
	/** 429 and the providers' throttling codes: wait retryAfterMs, then try again. */
	| 'rate_limited'
	/** Invalid, unreachable, unsubscribed or blocking recipient: never retry. */
	| 'recipient'
	/** The content is refused (too long, bad template, filtered): fix it, do not retry blindly. */
	| 'content'
	/** Outside the 24-hour customer-service window: only a template may be sent. */
	| 'window'
	/** Credentials wrong, expired or lacking permission: an admin must act. */
	| 'auth'
	/** Account or sender settings (unverified sender, no balance, wrong sender id). */
	| 'config'
	| 'unknown';

export class ProviderError extends SwitchboardError {
	readonly provider: string;
	readonly category: ProviderErrorCategory;
	readonly retryable: boolean;
	readonly providerCode: string | null;
	readonly httpStatus: number | null;
	readonly retryAfterMs: number | null;
	constructor(fields: {
		provider: string;
		category: ProviderErrorCategory;
		retryable: boolean;
		message: string;
		providerCode?: string | number | null;
		httpStatus?: number | null;
		retryAfterMs?: number | null;
		hint?: string;
	}) {
		super('PROVIDER_ERROR', `${fields.provider}: ${fields.message}`, fields.hint);
		this.name = 'ProviderError';
		this.provider = fields.provider;
		this.category = fields.category;
		this.retryable = fields.retryable;
		this.providerCode = fields.providerCode === undefined || fields.providerCode === null ? null : String(fields.providerCode);
		this.httpStatus = fields.httpStatus ?? null;
		this.retryAfterMs = fields.retryAfterMs ?? null;
	}
}

export function isSwitchboardError(value: unknown): value is SwitchboardError {
	return value instanceof SwitchboardError;
}
