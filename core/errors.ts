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
	| 'RENDER_FAILED';

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

export function isSwitchboardError(value: unknown): value is SwitchboardError {
	return value instanceof SwitchboardError;
}
