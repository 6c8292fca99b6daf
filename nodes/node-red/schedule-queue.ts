/**
 * Node-RED "Schedule Queue": a thin shell around the core Schedule Queue (core/queue). Each input
 * message runs one queue operation — the one chosen in the editor (default: Claim Due, batch 50,
 * lease 300 s), or `msg.operation` — with its parameters read from `msg.payload` and the editor's
 * settings as defaults. The help text (locales/en-US/schedule-queue.html) documents every msg
 * property read and written here.
 *
 * The queue is opened lazily, on the first message, through a `switchboard-store` config node or,
 * without one, the embedded store in `<userDir>/switchboard/queue`. Every node in the process that
 * names the same store shares one open queue (nodes/shared/queue-host.ts keeps the registry); each
 * node holds its own reference and gives it back on close, after its running operations finished.
 *
 * Errors go to done(err) with the typed error's `code` (Catch nodes see msg.error.code) and to the
 * status line; nothing is sent for a failed operation.
 *
 * Approval links (docs/approval.md): "approval links" makes the reviewers' digest, "approval request"
 * answers the approval page behind an `http in` node (GET and POST) for an `http response` node. Both
 * read the signing secret, page URL and link lifetime from the `switchboard-store` config node.
 */
import { InvalidQueueInputError, approvalLinks, assertApprovalSecret, draftsForDigest, handleApprovalRequest, isSwitchboardError } from '../../core';
import type {
	ActorInput,
	AttemptReport,
	ChannelStats,
	ClaimOptions,
	CompleteItem,
	EnqueueInput,
	FailureReport,
	ListFilter,
	RequeueUndeliveredOptions,
	RetryPolicy,
	RetryStrategyName,
	ScheduledMessage,
	ScheduleQueue,
} from '../../core/queue';
import type { Node, NodeAPI, NodeDef, NodeDone, NodeMessage, NodeSend, NodeStatus } from './shared/node-red';
import type { ApprovalSettings, ApprovalStoreNode } from './switchboard-store';
import {
	configOption,
	errorStatus,
	isRecord,
	leaseDefaultQueue,
	plural,
	releaseLeaseOnClose,
	storeNodeOf,
	toNodeRedError,
	type QueueLease,
	type QueueNodeAPI,
} from './shared/host';

const NODE_TYPE = 'schedule-queue';

/** The operations, named as in the library API and the n8n node. */
const OPERATIONS = [
	'enqueue',
	'approve',
	'reject',
	'reschedule',
	'get',
	'list',
	'claimDue',
	'complete',
	'fail',
	'releaseExpiredLeases',
	'requeueUndelivered',
	'stats',
	'purgeLog',
	'approvalLinks',
	'approvalRequest',
] as const;
type Operation = (typeof OPERATIONS)[number];

/** msg.operation is matched without case, spaces, `-` or `_` ("claim due", "CLAIM_DUE"); these are extra names. */
const ALIASES: Readonly<Record<string, Operation>> = {
	cancel: 'reject',
	claim: 'claimDue',
	release: 'releaseExpiredLeases',
	releaseleases: 'releaseExpiredLeases',
	purge: 'purgeLog',
	requeue: 'requeueUndelivered',
	handback: 'requeueUndelivered',
	handbackundelivered: 'requeueUndelivered',
	links: 'approvalLinks',
	digest: 'approvalLinks',
	approvalpage: 'approvalRequest',
};

const STRATEGIES: readonly RetryStrategyName[] = ['none', 'linear', 'exponential'];

interface ScheduleQueueNodeDef extends NodeDef {
	store?: string;
	operation?: string;
	// Enqueue
	enqueueStatus?: string;
	// Approve / reject / reschedule
	actor?: string;
	// Claim Due
	batchSize?: number | string;
	leaseSeconds?: number | string;
	claimChannel?: string;
	workerId?: string;
	claimOutput?: string;
	// List
	pageSize?: number | string;
	listStatus?: string;
	listOutput?: string;
	// Fail
	retryStrategy?: string;
	initialDelay?: number | string;
	maxDelay?: number | string;
	jitter?: number | string;
	maxAttempts?: number | string;
	// Stats / purge
	statsHours?: number | string;
	retentionDays?: number | string;
	// Hand back undelivered
	undeliveredChannel?: string;
	undeliveredMinutes?: number | string;
	fallbackChannel?: string;
	// Approval request
	approvalListPage?: boolean | string;
}

interface Settings {
	operation: Operation;
	enqueueStatus?: 'approved';
	actor?: string;
	batchSize: number;
	leaseSeconds: number;
	claimChannel?: string;
	workerId?: string;
	claimOutput: 'each' | 'all';
	pageSize: number;
	listStatus?: string[];
	listOutput: 'page' | 'row';
	retry: RetryPolicy;
	statsHours: number;
	retentionDays: number;
	undeliveredChannel?: string;
	undeliveredMinutes: number;
	fallbackChannel?: string;
	approvalListPage: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Reading the node's configuration

/** Collects every bad setting, so the deploy-time status names all of them at once. */
class SettingsReader {
	readonly issues: Array<{ field: string; message: string }> = [];

	number(value: unknown, field: string, fallback: number, range: { min: number; max?: number; integer?: boolean }): number {
		if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return fallback;
		const n = typeof value === 'number' ? value : Number(String(value).trim());
		const problem =
			!Number.isFinite(n) ? 'is not a number'
			: range.integer && !Number.isInteger(n) ? 'must be a whole number'
			: n < range.min ? `must be at least ${range.min}`
			: range.max !== undefined && n > range.max ? `must be at most ${range.max}`
			: undefined;
		if (problem) {
			this.issues.push({ field, message: `${problem} (got ${JSON.stringify(value)})` });
			return fallback;
		}
		return n;
	}

	choice<T extends string>(value: unknown, field: string, allowed: readonly T[], fallback: T): T {
		if (value === undefined || value === null || value === '') return fallback;
		if ((allowed as readonly unknown[]).includes(value)) return value as T;
		this.issues.push({ field, message: `must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})` });
		return fallback;
	}
}

function readSettings(config: ScheduleQueueNodeDef): { settings: Settings; error?: InvalidQueueInputError } {
	const read = new SettingsReader();
	let operation: Operation = 'claimDue';
	try {
		operation = operationOf(config.operation ?? 'claimDue', 'Operation');
	} catch (error) {
		read.issues.push(...(error as InvalidQueueInputError).issues);
	}
	const listStatus = configOption(config.listStatus)
		?.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
	const settings: Settings = {
		operation,
		enqueueStatus: config.enqueueStatus === 'approved' ? 'approved' : undefined,
		actor: configOption(config.actor),
		batchSize: read.number(config.batchSize, 'Batch size', 50, { min: 1, max: 1000, integer: true }),
		leaseSeconds: read.number(config.leaseSeconds, 'Lease (seconds)', 300, { min: 1, integer: true }),
		claimChannel: configOption(config.claimChannel),
		workerId: configOption(config.workerId),
		claimOutput: read.choice(config.claimOutput, 'Claim output', ['each', 'all'] as const, 'each'),
		pageSize: read.number(config.pageSize, 'Page size', 50, { min: 1, max: 1000, integer: true }),
		listStatus: listStatus && listStatus.length ? listStatus : undefined,
		listOutput: read.choice(config.listOutput, 'List output', ['page', 'row'] as const, 'page'),
		retry: {
			strategy: read.choice(config.retryStrategy, 'Retry strategy', STRATEGIES, 'exponential'),
			initialDelaySeconds: read.number(config.initialDelay, 'Initial delay (seconds)', 60, { min: 0 }),
			maxDelaySeconds: read.number(config.maxDelay, 'Max delay (seconds)', 3600, { min: 0 }),
			jitter: read.number(config.jitter, 'Jitter', 0.2, { min: 0, max: 1 }),
			maxAttempts: read.number(config.maxAttempts, 'Max attempts', 3, { min: 1, max: 100, integer: true }),
		},
		statsHours: read.number(config.statsHours, 'Stats period (hours)', 24, { min: 1 }),
		retentionDays: read.number(config.retentionDays, 'Keep log (days)', 90, { min: 1, integer: true }),
		undeliveredChannel: configOption(config.undeliveredChannel),
		undeliveredMinutes: read.number(config.undeliveredMinutes, 'Not delivered after (minutes)', 10, { min: 1 }),
		fallbackChannel: configOption(config.fallbackChannel),
		approvalListPage: config.approvalListPage !== false && config.approvalListPage !== 'false',
	};
	const error = read.issues.length
		? new InvalidQueueInputError(
				read.issues.map((i) => ({ field: `node setting "${i.field}"`, message: i.message })),
				`Open the node and fix "${read.issues[0]!.field}".`,
			)
		: undefined;
	return { settings, error };
}

/** The canonical operation for what an editor setting or msg.operation says. */
function operationOf(value: unknown, field: string): Operation {
	if (typeof value === 'string') {
		const key = value.replace(/[\s_-]+/g, '').toLowerCase();
		const found = OPERATIONS.find((op) => op.toLowerCase() === key) ?? ALIASES[key];
		if (found) return found;
	}
	throw new InvalidQueueInputError(
		[{ field, message: `unknown operation ${JSON.stringify(value)}` }],
		`Use one of: ${OPERATIONS.join(', ')}.`,
	);
}

// ---------------------------------------------------------------------------------------------------
// Reading msg.payload

function bad(field: string, message: string, hint?: string): InvalidQueueInputError {
	return new InvalidQueueInputError([{ field, message }], hint);
}

/** msg.payload as an object of parameters; anything else (an inject node's timestamp, '') means none. */
function params(msg: NodeMessage): Record<string, unknown> {
	return isRecord(msg.payload) ? msg.payload : {};
}

/** The message id: msg.payload.id, or msg.payload itself when it is a string. */
function messageId(msg: NodeMessage): string {
	const value = isRecord(msg.payload) ? msg.payload.id : msg.payload;
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	throw bad(
		isRecord(msg.payload) ? 'msg.payload.id' : 'msg.payload',
		value === undefined || value === '' ? 'is missing: no scheduled message id' : `must be a message id (text), got ${typeof value}`,
		'Set msg.payload to the id, or to an object with "id" — the id Enqueue, Claim Due or List output.',
	);
}

function optionalText(p: Record<string, unknown>, key: string): string | undefined {
	const value = p[key];
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string') throw bad(`msg.payload.${key}`, `must be text, got ${typeof value}`);
	return value;
}

function actor(p: Record<string, unknown>, settings: Settings, operation: Operation): ActorInput {
	const by = optionalText(p, 'by') ?? settings.actor;
	if (!by) {
		throw bad('msg.payload.by', `is missing: ${operation} records who did it`, 'Set msg.payload.by (a user name or email), or fill in "By" in the node.');
	}
	const reason = optionalText(p, 'reason');
	return reason === undefined ? { by } : { by, reason };
}

/** Report fields the payload may carry (complete and fail), passed to the core as given; it validates them. */
const REPORT_KEYS = ['workerId', 'provider', 'channel', 'externalId', 'externalIds', 'responseTimeMs', 'cost', 'costCurrency', 'fallbackReason', 'metadata', 'attemptedAt'] as const;

/**
 * The attempt's report from the payload. The worker defaults to the claimed row's own `leaseOwner`
 * when the payload is (or carries on) the row Claim Due sent — so a Complete or Fail node needs no
 * worker id of its own; if that lease has since been lost, the core refuses it (LEASE_LOST) — then to
 * the node's Worker id, then to the queue's.
 */
function attemptReport(p: Record<string, unknown>, settings: Settings): AttemptReport {
	const report: Record<string, unknown> = {};
	for (const key of REPORT_KEYS) if (p[key] !== undefined && p[key] !== null) report[key] = p[key];
	if (report.workerId === undefined) {
		const owner = typeof p.leaseOwner === 'string' && p.leaseOwner !== '' ? p.leaseOwner : settings.workerId;
		if (owner) report.workerId = owner;
	}
	return report as AttemptReport;
}

/**
 * The failure's error: msg.payload.error (text or {code, message}), else msg.error — what a Catch
 * node or a failed request puts there — so a Catch node can be wired straight into Fail.
 */
function failureError(msg: NodeMessage, p: Record<string, unknown>): FailureReport['error'] {
	const fromPayload = p.error !== undefined;
	const value = fromPayload ? p.error : msg.error;
	const field = fromPayload ? 'msg.payload.error' : 'msg.error';
	if (typeof value === 'string' && value.trim() !== '') return { message: value };
	if (isRecord(value) && typeof value.message === 'string' && value.message !== '') {
		const code = value.code;
		return code === undefined || code === null ? { message: value.message } : { code: String(code), message: value.message };
	}
	throw bad(
		field,
		value === undefined ? 'is missing: what went wrong' : 'must be text or an object with "message"',
		'Set msg.payload.error to the error text or {code, message}, or wire a Catch node (msg.error) into this node.',
	);
}

function retryOverride(p: Record<string, unknown>): Partial<RetryPolicy> {
	if (p.retry === undefined || p.retry === null) return {};
	if (!isRecord(p.retry)) throw bad('msg.payload.retry', 'must be an object such as {"strategy": "linear", "maxAttempts": 5}');
	return p.retry as Partial<RetryPolicy>;
}

// ---------------------------------------------------------------------------------------------------
// Running an operation

/** What one operation produced: output messages (in order) and the status line. */
interface Outcome {
	outputs: NodeMessage[];
	status: NodeStatus;
}

/** The status line after an operation that worked. */
const shown = (text: string, fill: NodeStatus['fill'] = 'green'): NodeStatus => ({ fill, shape: 'dot', text });

/**
 * An output message: the input's properties, the result in payload, what ran in msg.switchboard.
 * msg.operation is consumed here and not passed on, so the next Schedule Queue node in the flow (claim
 * due → send → complete) runs its own operation.
 */
function out(msg: NodeMessage, payload: unknown, switchboard: Record<string, unknown>): NodeMessage {
	const { operation: _consumed, ...rest } = msg;
	void _consumed;
	return { ...rest, payload, switchboard };
}

/** A per-item error of a batch call, as plain data a flow can switch on. */
function errorSummary(error: Error): { code?: string; message: string } {
	const code = (error as Error & { code?: unknown }).code;
	const message = isSwitchboardError(error) ? error.description : error.message;
	return typeof code === 'string' ? { code, message } : { message };
}

function shortTime(iso: string | null): string {
	return iso ? iso.replace(/\.\d+Z$/, 'Z') : '?';
}

// ---------------------------------------------------------------------------------------------------
// Approval links

const SECRET_FIELD = 'approvalSecret';
const SECRET_HINT =
	'Open the switchboard-store configuration this node uses and set "Approval secret" to a random text of at least 32 characters, e.g. the output of `openssl rand -base64 48`.';
const BASE_URL_FIELD = 'approvalBaseUrl';
/** Drafts a digest lists by default, and at most. */
const DEFAULT_DIGEST_SIZE = 100;
const MAX_DIGEST_SIZE = 1000;

/** The store's approval settings, with the secret checked; the approval operations need a store. */
type ApprovalSource = () => ApprovalSettings;

function checkedApproval(source: ApprovalSource | undefined): ApprovalSettings & { secret: string } {
	if (!source) {
		throw new InvalidQueueInputError(
			[{ field: 'node setting "Store"', message: 'is not set: approval links need a switchboard-store configuration (its approval secret and page URL)' }],
			'Open the node, choose (or add) a store, and fill in its Approval secret and Approval page URL.',
		);
	}
	const settings = source();
	assertApprovalSecret(settings.secret, { field: SECRET_FIELD, hint: SECRET_HINT });
	return settings as ApprovalSettings & { secret: string };
}

/** Message ids for "approval links": msg.payload.ids (list or comma-separated), or a list of ids / rows as the payload. */
function digestIds(msg: NodeMessage): string[] | undefined {
	const given = Array.isArray(msg.payload) ? msg.payload : isRecord(msg.payload) ? msg.payload.ids : undefined;
	if (given === undefined || given === null) return undefined;
	const list = typeof given === 'string' ? given.split(',') : Array.isArray(given) ? given : undefined;
	if (!list) throw bad('msg.payload.ids', 'must be a list of message ids, or ids separated by commas');
	const ids = list.map((v, i) => {
		const id = isRecord(v) ? v.id : v;
		if (typeof id !== 'string' || id.trim() === '') throw bad(`msg.payload.ids[${i}]`, 'must be a message id (text), or a row with "id"');
		return id.trim();
	});
	if (ids.length > MAX_DIGEST_SIZE) throw bad('msg.payload.ids', `has ${ids.length} ids; one digest lists at most ${MAX_DIGEST_SIZE}`);
	return [...new Set(ids)];
}

/** The HTTP request the `http in` node put on the message. Without msg.req it is a GET (reads only). */
function approvalHttpRequest(msg: NodeMessage): { method: string; query: unknown; body: unknown; headers: unknown } {
	const req = isRecord(msg.req) ? msg.req : {};
	const method = typeof req.method === 'string' && req.method !== '' ? req.method.toUpperCase() : 'GET';
	// `http in` puts the query in msg.payload on GET; the body only comes with a POST.
	const body = method === 'POST' ? msg.payload : undefined;
	return { method, query: req.query, body, headers: req.headers };
}

async function runApproval(queue: ScheduleQueue, operation: 'approvalLinks' | 'approvalRequest', msg: NodeMessage, settings: Settings, source: ApprovalSource | undefined): Promise<Outcome> {
	const approval = checkedApproval(source);
	const meta = { operation };
	if (operation === 'approvalLinks') {
		const p = params(msg);
		const ids = digestIds(msg);
		const by = optionalText(p, 'by') ?? settings.actor;
		let selection: { ids: string[] } | { limit: number };
		if (ids) selection = { ids };
		else {
			const limit = p.limit === undefined ? DEFAULT_DIGEST_SIZE : p.limit;
			if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_DIGEST_SIZE) {
				throw bad('msg.payload.limit', `must be a whole number from 1 to ${MAX_DIGEST_SIZE} (got ${JSON.stringify(limit)})`);
			}
			selection = { limit };
		}
		const { drafts, skipped, more } = await draftsForDigest(queue, selection);
		const digest = approvalLinks(drafts, {
			baseUrl: approval.baseUrl ?? '',
			secret: approval.secret,
			ttlMs: approval.ttlMs,
			now: new Date(),
			more,
			secretField: SECRET_FIELD,
			secretHint: SECRET_HINT,
			baseUrlField: BASE_URL_FIELD,
			...(by ? { by } : {}),
		});
		return {
			outputs: [out(msg, { ...digest, skipped }, { ...meta, count: digest.count })],
			status: shown(`links for ${plural(digest.count, 'draft', 'drafts')}${skipped.length ? `, ${skipped.length} skipped` : ''}`, digest.count ? 'green' : 'grey'),
		};
	}

	const response = await handleApprovalRequest(approvalHttpRequest(msg), {
		queue,
		secret: approval.secret,
		baseUrl: approval.baseUrl,
		ttlMs: approval.ttlMs,
		now: new Date(),
		listPage: settings.approvalListPage,
		secretField: SECRET_FIELD,
		secretHint: SECRET_HINT,
		baseUrlField: BASE_URL_FIELD,
		...(settings.actor ? { by: settings.actor } : {}),
	});
	const reply = out(msg, response.body, { ...meta, page: response.page, ...(response.action ? { action: response.action } : {}) });
	reply.statusCode = response.statusCode;
	reply.headers = { ...response.headers };
	const text = response.action ? `${response.action.decision} ${response.action.id.slice(0, 8)}` : `${response.statusCode} ${response.page}`;
	return { outputs: [reply], status: shown(text, response.action ? 'green' : response.statusCode >= 400 ? 'yellow' : 'grey') };
}

async function runOperation(queue: ScheduleQueue, operation: Operation, msg: NodeMessage, settings: Settings, approval?: ApprovalSource): Promise<Outcome> {
	if (operation === 'approvalLinks' || operation === 'approvalRequest') return await runApproval(queue, operation, msg, settings, approval);
	const p = params(msg);
	const meta = { operation };
	switch (operation) {
		case 'enqueue': {
			const withDefault = (input: unknown, field: string): EnqueueInput => {
				if (!isRecord(input)) throw bad(field, 'must be an object such as {"channel": "sms", "recipient": "+447700900123", "body": "…"}');
				return (settings.enqueueStatus && input.status === undefined ? { ...input, status: settings.enqueueStatus } : input) as unknown as EnqueueInput;
			};
			if (Array.isArray(msg.payload)) {
				const inputs = msg.payload.map((input, i) => withDefault(input, `msg.payload[${i}]`));
				const results = inputs.length ? await queue.enqueueMany(inputs) : [];
				const created = results.filter((r) => r.created).length;
				const repeats = results.length - created;
				return {
					outputs: [out(msg, results.map((r) => r.message), { ...meta, count: results.length, created })],
					status: shown(`enqueued ${created}${repeats ? `, ${repeats} already queued` : ''}`),
				};
			}
			const { message, created } = await queue.enqueue(withDefault(msg.payload, 'msg.payload'));
			return {
				outputs: [out(msg, message, { ...meta, created })],
				status: created ? shown('enqueued 1') : shown('already queued', 'yellow'),
			};
		}
		case 'approve': {
			const row = await queue.approve(messageId(msg), actor(p, settings, operation));
			return { outputs: [out(msg, row, meta)], status: shown('approved') };
		}
		case 'reject': {
			const row = await queue.reject(messageId(msg), actor(p, settings, operation));
			return { outputs: [out(msg, row, meta)], status: shown('rejected') };
		}
		case 'reschedule': {
			const id = messageId(msg);
			const sendTime = p.sendTime;
			if (!(typeof sendTime === 'string' && sendTime.trim() !== '') && !(sendTime instanceof Date)) {
				throw bad('msg.payload.sendTime', 'is missing: the new send time', 'Set msg.payload.sendTime to an ISO 8601 time, e.g. "2026-06-01T09:00:00Z".');
			}
			const by = optionalText(p, 'by') ?? settings.actor;
			const reason = optionalText(p, 'reason');
			const who: Partial<ActorInput> = {};
			if (by) who.by = by;
			if (reason) who.reason = reason;
			const row = await queue.reschedule(id, sendTime, who);
			return { outputs: [out(msg, row, meta)], status: shown(`rescheduled to ${shortTime(row.sendTime)}`) };
		}
		case 'get': {
			const row = await queue.get(messageId(msg));
			return {
				outputs: [out(msg, row, { ...meta, found: row !== null })],
				status: row ? shown(`${row.status}, ${plural(row.attempts.length, 'attempt', 'attempts')}`) : shown('not found', 'yellow'),
			};
		}
		case 'list': {
			// A page fed straight back in ({items, nextCursor}) asks for the next page.
			const { items: _items, nextCursor, ...given } = p;
			void _items;
			const filter: ListFilter = {
				limit: settings.pageSize,
				...(settings.listStatus ? { status: settings.listStatus as ListFilter['status'] } : {}),
				...(given as ListFilter),
			};
			if (filter.cursor === undefined && typeof nextCursor === 'string') filter.cursor = nextCursor;
			const page = await queue.list(filter);
			const more = page.nextCursor !== undefined;
			const status = shown(`listed ${page.items.length}${more ? ', more' : ''}`);
			const paging = { count: page.items.length, ...(more ? { nextCursor: page.nextCursor } : {}) };
			if (settings.listOutput === 'row') {
				return { outputs: page.items.map((row, index) => out(msg, row, { ...meta, index, ...paging })), status };
			}
			const payload = more ? { items: page.items, nextCursor: page.nextCursor } : { items: page.items };
			return { outputs: [out(msg, payload, { ...meta, ...paging })], status };
		}
		case 'claimDue': {
			const options: ClaimOptions = {
				batchSize: settings.batchSize,
				leaseSeconds: settings.leaseSeconds,
				...(settings.claimChannel ? { channel: settings.claimChannel } : {}),
				...(settings.workerId ? { workerId: settings.workerId } : {}),
				...(p as ClaimOptions),
			};
			const rows: ScheduledMessage[] = await queue.claimDue(options);
			const status = shown(`claimed ${rows.length}`, rows.length ? 'green' : 'grey');
			if (rows.length === 0) return { outputs: [], status };
			if (settings.claimOutput === 'all') return { outputs: [out(msg, rows, { ...meta, count: rows.length })], status };
			return { outputs: rows.map((row, index) => out(msg, row, { ...meta, index, count: rows.length })), status };
		}
		case 'complete': {
			if (Array.isArray(msg.payload)) {
				// A whole claimed batch in one call; each item succeeds or fails on its own.
				const items: CompleteItem[] = msg.payload.map((item, i) => {
					if (!isRecord(item)) throw bad(`msg.payload[${i}]`, 'must be an object with "id" (and provider, externalId…)');
					const id = item.id;
					if (typeof id !== 'string' || id.trim() === '') throw bad(`msg.payload[${i}].id`, 'is missing: no scheduled message id');
					return { ...attemptReport(item, settings), id: id.trim() };
				});
				const results = items.length ? await queue.completeMany(items) : [];
				const failed = results.filter((r) => !r.ok).length;
				const payload = results.map((r) => (r.ok ? r : { id: r.id, ok: false, error: errorSummary(r.error) }));
				return {
					outputs: [out(msg, payload, { ...meta, count: results.length, failed })],
					status: shown(`sent ${results.length - failed}${failed ? `, ${failed} refused` : ''}`, failed ? 'yellow' : 'green'),
				};
			}
			const row = await queue.complete(messageId(msg), attemptReport(p, settings));
			return { outputs: [out(msg, row, meta)], status: shown(row.provider ? `sent (${row.provider})` : 'sent') };
		}
		case 'fail': {
			const id = messageId(msg);
			const retryable = p.retryable === undefined ? true : p.retryable;
			if (typeof retryable !== 'boolean') throw bad('msg.payload.retryable', 'must be true or false');
			const report: FailureReport = {
				...attemptReport(p, settings),
				error: failureError(msg, p),
				retryable,
				retry: { ...settings.retry, ...retryOverride(p) },
			};
			const row = await queue.fail(id, report);
			const text =
				row.status === 'dead'
					? `dead after ${plural(row.attemptCount, 'attempt', 'attempts')}`
					: `retry ${row.attemptCount + 1} at ${shortTime(row.nextAttemptAt)}`;
			return { outputs: [out(msg, row, meta)], status: shown(text, row.status === 'dead' ? 'red' : 'yellow') };
		}
		case 'releaseExpiredLeases': {
			const released = await queue.releaseExpiredLeases();
			return { outputs: [out(msg, { released }, meta)], status: shown(`released ${released}`) };
		}
		case 'requeueUndelivered': {
			// The editor's settings are defaults; msg.payload.{channel, olderThanMinutes, fallbackChannel,
			// limit, by} override them. The core checks every field (names it, says the fix).
			const options = {
				...(settings.undeliveredChannel ? { channel: settings.undeliveredChannel } : {}),
				olderThanMinutes: settings.undeliveredMinutes,
				...(settings.fallbackChannel ? { fallbackChannel: settings.fallbackChannel } : {}),
				...(settings.actor ? { by: settings.actor } : {}),
				...Object.fromEntries(['channel', 'olderThanMinutes', 'fallbackChannel', 'limit', 'by'].filter((k) => p[k] !== undefined && p[k] !== null && p[k] !== '').map((k) => [k, p[k]])),
			} as RequeueUndeliveredOptions;
			const { moved, skipped } = await queue.requeueUndelivered(options);
			const text = `handed back ${moved.length}${skipped.length ? `, ${skipped.length} skipped` : ''}`;
			return {
				outputs: [out(msg, { moved, skipped }, { ...meta, moved: moved.length, skipped: skipped.length })],
				status: shown(text, skipped.length ? 'yellow' : moved.length ? 'green' : 'grey'),
			};
		}
		case 'stats': {
			const to = p.to ?? new Date();
			const toMs = to instanceof Date ? to.getTime() : typeof to === 'string' ? Date.parse(to) : Number.NaN;
			if (Number.isNaN(toMs)) throw bad('msg.payload.to', `must be an ISO 8601 time (got ${JSON.stringify(to)})`, 'Set msg.payload.to to e.g. "2026-06-01T00:00:00Z", or leave it out for now.');
			const from = p.from ?? new Date(toMs - settings.statsHours * 3_600_000);
			const channel = optionalText(p, 'channel');
			const stats: ChannelStats[] = await queue.stats({ from: from as string | Date, to: to as string | Date, ...(channel ? { channel } : {}) });
			const attempts = stats.reduce((sum, s) => sum + s.totalAttempts, 0);
			return {
				outputs: [out(msg, stats, meta)],
				status: shown(`${plural(attempts, 'attempt', 'attempts')}, ${plural(stats.length, 'channel', 'channels')}`),
			};
		}
		case 'purgeLog': {
			const olderThanDays = p.olderThanDays ?? settings.retentionDays;
			const purged = await queue.purgeLog({ olderThanDays: olderThanDays as number });
			return { outputs: [out(msg, { purged }, meta)], status: shown(`purged ${plural(purged, 'log row', 'log rows')}`) };
		}
	}
}

export = function register(RED: NodeAPI): void {
	const red = RED as QueueNodeAPI;

	function ScheduleQueueNode(this: Node, config: NodeDef): void {
		RED.nodes.createNode(this, config);
		const node = this;
		const def = config as ScheduleQueueNodeDef;
		const { settings, error: settingsError } = readSettings(def);
		// A store named but not deployed (deleted, disabled) is reported, never silently replaced by the default.
		const store = storeNodeOf(red, def.store);
		const setupError = settingsError ?? store.error;
		if (setupError) node.status(errorStatus(setupError));

		let lease: Promise<QueueLease> | undefined;
		const running = new Set<Promise<unknown>>();

		/** The shared queue, opened on first use; a failed open is retried by the next message. */
		function queue(): Promise<ScheduleQueue> {
			if (!lease) {
				const opening = store.node ? store.node.acquireQueue() : leaseDefaultQueue(red);
				lease = opening;
				opening.catch(() => {
					if (lease === opening) lease = undefined;
				});
			}
			return lease.then((l) => l.queue);
		}

		async function handle(msg: NodeMessage, send: NodeSend): Promise<void> {
			if (setupError) throw setupError;
			const operation = msg.operation === undefined || msg.operation === null || msg.operation === '' ? settings.operation : operationOf(msg.operation, 'msg.operation');
			const approval = store.node && typeof (store.node as Partial<ApprovalStoreNode>).approvalSettings === 'function' ? () => (store.node as ApprovalStoreNode).approvalSettings() : undefined;
			const outcome = await runOperation(await queue(), operation, msg, settings, approval);
			if (outcome.outputs.length === 1) send(outcome.outputs[0]!);
			else if (outcome.outputs.length > 1) send([outcome.outputs]);
			node.status(outcome.status);
		}

		node.on('input', (msg: NodeMessage, send: NodeSend, done: NodeDone) => {
			const run = handle(msg, send).then(
				() => done(),
				(error: unknown) => {
					node.status(errorStatus(error));
					done(toNodeRedError(error));
				},
			);
			running.add(run);
			void run.finally(() => running.delete(run));
		});

		node.on('close', (_removed: boolean, done: () => void) => {
			releaseLeaseOnClose(node, running, () => {
				const held = lease;
				lease = undefined;
				return held;
			}, done);
		});
	}

	RED.nodes.registerType(NODE_TYPE, ScheduleQueueNode);
};
