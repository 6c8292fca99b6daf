/**
 * Node-RED "Channel Send": a thin shell around the core send engine (core/send). Each input message
 * carries one universal message, an array of them, or scheduled messages claimed by a Schedule Queue
 * node; the node sends them through the routes configured in the editor (per channel: provider
 * accounts in order — primary, then fallbacks — and an optional failover channel), with the editor's
 * retry strategy, rate limits, timeout and dry-run setting. The help text
 * (locales/en-US/channel-send.html) documents every msg property read and written here.
 *
 *  - Provider accounts are `switchboard-<provider>` config nodes (switchboard-provider.ts): their
 *    secrets are Node-RED credentials, encrypted at rest; they are read once at deploy.
 *  - Output: msg.payload = the SendResult (or the array of them, in input order); progress on the
 *    status line ("sent 40/120"). A failed send goes to Catch nodes naming the message, with its
 *    result on msg.payload (see `reportFailures`).
 *  - "Complete in Schedule Queue": claimed rows are completed (sent) or failed (retry / dead) in the
 *    queue with every attempt written to its log, through a `switchboard-store` config node or the
 *    embedded default store — the same shared queue Schedule Queue nodes use. With a PostgreSQL store
 *    the rate-limit buckets live in PostgreSQL too, so the limits hold across Node-RED instances.
 *  - On close the node stops starting new sends (retry and rate-limit waits end at once), lets the
 *    sends in flight finish, and gives its queue lease back.
 */
import { InvalidSendOptionsError, isSwitchboardError } from '../../core';
import type { RetryPolicy, RetryStrategyName, ScheduledMessage, ScheduleQueue } from '../../core/queue';
import { internalSqlClient } from '../../core/queue/store';
import {
	isClaimedRow,
	messageFromRow,
	rateLimitStoreFor,
	sendClaimed,
	sendMany,
	sendMessage,
	type ChannelRoute,
	type RateLimitRule,
	type RateLimitStore,
	type SendOptions,
	type SendResult,
} from '../../core/send';
import { CHANNELS, type Channel } from '../../core/schema/message';
import type { Node, NodeAPI, NodeDef, NodeDone, NodeMessage, NodeSend, NodeStatus } from './shared/node-red';
import { configOption, errorStatus, isRecord, leaseDefaultQueue, plural, releaseLeaseOnClose, storeNodeOf, toNodeRedError, type QueueLease, type QueueNodeAPI } from './shared/host';
import type { ProviderNode } from './switchboard-provider';

const NODE_TYPE = 'channel-send';
const STRATEGIES: readonly RetryStrategyName[] = ['none', 'linear', 'exponential'];
/** How often (at most) the status line is updated during a batch. */
const PROGRESS_EVERY_MS = 200;
/** How long closing waits for sends in flight before letting Node-RED go on. Below Node-RED's 15 s. */
const CLOSE_WAIT_MS = 10_000;

interface RouteSetting {
	channel?: unknown;
	providers?: unknown;
	failoverChannel?: unknown;
}

interface ChannelSendNodeDef extends NodeDef {
	routes?: RouteSetting[] | string;
	retryStrategy?: string;
	initialDelay?: number | string;
	maxDelay?: number | string;
	jitter?: number | string;
	maxAttempts?: number | string;
	rateLimits?: string;
	rateLimitRules?: string;
	concurrency?: number | string;
	timeout?: number | string;
	dryRun?: boolean | string;
	completeInQueue?: boolean | string;
	store?: string;
}

/** Everything read from the editor, checked once at deploy. */
interface Settings {
	routes: ChannelRoute[];
	retry: RetryPolicy;
	rateLimitsMode: 'documented' | 'custom' | 'off';
	overrides: Record<string, RateLimitRule[]>;
	concurrency: number;
	timeoutMs: number;
	dryRun: boolean;
	completeInQueue: boolean;
}

const bad = (field: string, problem: string, hint?: string): InvalidSendOptionsError =>
	new InvalidSendOptionsError(`node setting "${field}"`, problem, hint ?? `Open the node and fix "${field}".`);

function isChannel(value: unknown): value is Channel {
	return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

function numberSetting(value: unknown, field: string, fallback: number, range: { min: number; max?: number; integer?: boolean }): number {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return fallback;
	const n = typeof value === 'number' ? value : Number(String(value).trim());
	const problem =
		!Number.isFinite(n) ? 'is not a number'
		: range.integer && !Number.isInteger(n) ? 'must be a whole number'
		: n < range.min ? `must be at least ${range.min}`
		: range.max !== undefined && n > range.max ? `must be at most ${range.max}`
		: undefined;
	if (problem) throw bad(field, `${problem} (got ${JSON.stringify(value)})`);
	return n;
}

const flag = (value: unknown): boolean => value === true || value === 'true';

/** The route list as saved by the editor (an array; JSON text is accepted from hand-written flows). */
function routeSettings(value: unknown): RouteSetting[] {
	if (value === undefined || value === null || value === '') return [];
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value) as unknown;
		} catch {
			throw bad('Routes', 'is not valid JSON');
		}
	}
	if (!Array.isArray(parsed)) throw bad('Routes', 'must be a list of routes');
	return parsed as RouteSetting[];
}

/** Rules per provider id, from the "custom" rate-limit JSON; every rule needs a description for the core, one is filled in. */
function overridesSetting(text: unknown): Record<string, RateLimitRule[]> {
	if (typeof text !== 'string' || text.trim() === '') return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw bad('Rate limits', `is not valid JSON: ${(error as Error).message}`, 'Fix the JSON, e.g. {"telegram": [{"scope": "sender", "perSecond": 20, "burst": 20}]}.');
	}
	if (!isRecord(parsed)) throw bad('Rate limits', 'must be an object of rules by provider id, e.g. {"telegram": [{"scope": "sender", "perSecond": 20, "burst": 20}]}');
	const out: Record<string, RateLimitRule[]> = {};
	for (const [provider, rules] of Object.entries(parsed)) {
		if (!Array.isArray(rules)) throw bad('Rate limits', `"${provider}" must be a list of rules`);
		out[provider] = rules.map((r) => (isRecord(r) ? ({ description: 'set in the Channel Send node', ...r } as unknown as RateLimitRule) : (r as RateLimitRule)));
	}
	return out;
}

interface ProviderNodeAPI extends QueueNodeAPI {
	nodes: QueueNodeAPI['nodes'] & { getNode(id: string): unknown };
}

function isProviderNode(value: unknown): value is ProviderNode {
	return typeof value === 'object' && value !== null && typeof (value as ProviderNode).providerAccount === 'function';
}

/** Routes with their accounts read from the provider config nodes (their decrypted credentials). */
function routesOf(RED: ProviderNodeAPI, settings: RouteSetting[]): ChannelRoute[] {
	const seen = new Set<string>();
	return settings.map((route, i) => {
		const where = `Routes, row ${i + 1}`;
		if (!isChannel(route.channel)) throw bad(where, `has no valid channel (got ${JSON.stringify(route.channel)}); use one of ${CHANNELS.join(', ')}`);
		if (seen.has(route.channel)) throw bad(where, `repeats the channel "${route.channel}": one route per channel`);
		seen.add(route.channel);
		const ids = Array.isArray(route.providers) ? route.providers.filter((id): id is string => typeof id === 'string' && id !== '') : [];
		if (ids.length === 0) throw bad(where, `(${route.channel}) has no provider account`, 'Add at least one provider account to every route.');
		const providers = ids.map((id, p) => {
			const found = RED.nodes.getNode(id);
			if (!isProviderNode(found)) {
				throw bad(where, `(${route.channel}) names provider account ${p + 1} ("${id}"), which is not deployed`, 'Choose the account again (it was deleted or disabled), then deploy.');
			}
			if (found.configError) throw found.configError;
			return found.providerAccount();
		});
		const failover = route.failoverChannel;
		const out: ChannelRoute = { channel: route.channel, providers };
		if (failover !== undefined && failover !== null && failover !== '') {
			if (!isChannel(failover)) throw bad(where, `has an unknown failover channel ${JSON.stringify(failover)}`);
			out.failoverChannel = failover;
		}
		return out;
	});
}

function readSettings(RED: ProviderNodeAPI, def: ChannelSendNodeDef): Settings {
	const strategy = def.retryStrategy === undefined || def.retryStrategy === '' ? 'exponential' : def.retryStrategy;
	if (!(STRATEGIES as readonly string[]).includes(strategy)) throw bad('Retry', `must be one of ${STRATEGIES.join(', ')} (got ${JSON.stringify(strategy)})`);
	const mode = def.rateLimits === undefined || def.rateLimits === '' ? 'documented' : def.rateLimits;
	if (!['documented', 'custom', 'off'].includes(mode)) throw bad('Rate limits', `must be documented, custom or off (got ${JSON.stringify(mode)})`);
	const routes = routesOf(RED, routeSettings(def.routes));
	if (routes.length === 0) throw bad('Routes', 'is empty', 'Add a route: a channel and the provider accounts that send it.');
	return {
		routes,
		retry: {
			strategy: strategy as RetryStrategyName,
			initialDelaySeconds: numberSetting(def.initialDelay, 'Initial delay (s)', 1, { min: 0 }),
			maxDelaySeconds: numberSetting(def.maxDelay, 'Max delay (s)', 30, { min: 0 }),
			jitter: numberSetting(def.jitter, 'Jitter', 0.2, { min: 0, max: 1 }),
			maxAttempts: numberSetting(def.maxAttempts, 'Max attempts', 3, { min: 1, max: 100, integer: true }),
		},
		rateLimitsMode: mode as Settings['rateLimitsMode'],
		overrides: mode === 'custom' ? overridesSetting(def.rateLimitRules) : {},
		concurrency: numberSetting(def.concurrency, 'Concurrency', 10, { min: 1, max: 1000, integer: true }),
		timeoutMs: numberSetting(def.timeout, 'Timeout (s)', 30, { min: 1, max: 600 }) * 1000,
		dryRun: flag(def.dryRun),
		completeInQueue: flag(def.completeInQueue),
	};
}

// ---------------------------------------------------------------------------------------------------
// Reading the message

type Input = { kind: 'messages'; items: unknown[]; batch: boolean } | { kind: 'claimed'; items: ScheduledMessage[]; batch: boolean };

function inputOf(msg: NodeMessage): Input {
	const payload = msg.payload;
	const batch = Array.isArray(payload);
	const items: unknown[] = batch ? (payload as unknown[]) : [payload];
	if (!batch && !isRecord(payload)) {
		throw new InvalidSendOptionsError(
			'msg.payload',
			`must be a universal message, an array of them, or scheduled messages from Schedule Queue's Claim due (got ${payload === undefined ? 'nothing' : typeof payload})`,
			'Build the message with the Universal Message node (render/normalize) or a function node, or wire Schedule Queue (Claim due) into this node.',
		);
	}
	const claimed = items.filter(isClaimedRow).length;
	if (claimed > 0 && claimed < items.length) {
		throw new InvalidSendOptionsError('msg.payload', `mixes ${claimed} claimed scheduled messages with ${items.length - claimed} other items`, 'Send claimed rows and universal messages in separate messages.');
	}
	return claimed > 0 ? { kind: 'claimed', items: items as ScheduledMessage[], batch } : { kind: 'messages', items, batch };
}

function overrideText(msg: NodeMessage, key: 'channel' | 'provider'): string | undefined {
	const value = msg[key];
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string') throw new InvalidSendOptionsError(`msg.${key}`, `must be text (got ${typeof value})`);
	return value.trim();
}

function dryRunOf(msg: NodeMessage, fallback: boolean): boolean {
	const value = msg.dryRun;
	if (value === undefined || value === null) return fallback;
	if (typeof value !== 'boolean') throw new InvalidSendOptionsError('msg.dryRun', `must be true or false (got ${JSON.stringify(value)})`);
	return value;
}

/** How a message is named in errors: its scheduled id, else its own id, else its place in the batch, plus the recipient. */
function nameOf(item: unknown, index: number, batch: boolean, result: SendResult): string {
	const where = batch ? `msg.payload[${index}]` : 'the message';
	const rec = isRecord(item) ? item : {};
	const to = result.preview?.to ?? (typeof rec.recipient === 'string' ? rec.recipient : undefined);
	const id = typeof rec.id === 'string' ? rec.id : undefined;
	return `${id ? `${where} (id ${id}${to ? `, to ${to}` : ''})` : `${where}${to ? ` (to ${to})` : ''}`}`;
}

/** The Error handed to Catch for one failed send: the code of the provider's error when known, and the reason. */
function sendFailure(item: unknown, index: number, batch: boolean, result: SendResult): Error {
	const e = result.error;
	const tried = plural(result.attempts.length, 'attempt', 'attempts');
	const error = new Error(`Sending ${nameOf(item, index, batch, result)} on ${result.channel} failed after ${tried}: ${e?.message ?? 'unknown error'}`) as Error & {
		code?: string;
		providerCode?: string | null;
		category?: string;
		retryable?: boolean;
	};
	error.name = 'SendFailedError';
	error.code = 'PROVIDER_ERROR';
	error.providerCode = e?.code ?? null;
	if (e) {
		error.category = e.category;
		error.retryable = e.retryable;
	}
	return error;
}

// ---------------------------------------------------------------------------------------------------
// Claimed scheduled messages

/** What the queue said about a claimed row after the send (absent when the queue was not asked). */
interface QueueOutcome {
	status: string;
	error?: { code?: string; message: string };
}

/**
 * Claimed rows → send. With a queue, the engine's sendClaimed completes or fails each row with every
 * attempt in the log, as the worker that claimed it (rows are grouped by lease owner, so rows from
 * several Claim Due nodes can come in one array). Without one, the rows' messages are just sent.
 */
async function sendClaimedRows(
	rows: ScheduledMessage[],
	options: SendOptions,
	progress: (done: number, total: number) => void,
	queue: ScheduleQueue | undefined,
): Promise<{ results: SendResult[]; outcomes: Array<QueueOutcome | undefined> }> {
	if (!queue) {
		const now = new Date();
		const results = await sendMany(rows.map((row) => messageFromRow(row, now)), { ...options, onProgress: progress });
		return { results, outcomes: rows.map(() => undefined) };
	}
	const results = new Array<SendResult>(rows.length);
	const outcomes = new Array<QueueOutcome | undefined>(rows.length);
	const groups = new Map<string, number[]>();
	for (const [i, row] of rows.entries()) {
		const owner = row.leaseOwner ?? '';
		groups.set(owner, [...(groups.get(owner) ?? []), i]);
	}
	let finishedBefore = 0;
	for (const [owner, indexes] of groups) {
		const claimed = await sendClaimed(
			queue,
			indexes.map((i) => rows[i]!),
			{ ...options, ...(owner ? { workerId: owner } : {}), onProgress: (done) => progress(finishedBefore + done, rows.length) },
		);
		for (const [k, c] of claimed.entries()) {
			const i = indexes[k]!;
			results[i] = c.result;
			outcomes[i] = options.dryRun ? undefined : { status: c.queueStatus, ...(c.queueError ? { error: c.queueError } : {}) };
		}
		finishedBefore += indexes.length;
	}
	return { results, outcomes };
}

/** A claimed row's result: the SendResult plus what a Schedule Queue Complete/Fail node reads (id, leaseOwner) and the queue outcome. */
function withRow(result: SendResult, row: ScheduledMessage, outcome: QueueOutcome | undefined): Record<string, unknown> {
	return { ...result, id: row.id, leaseOwner: row.leaseOwner, ...(outcome ? { queue: outcome } : {}) };
}

/** The Error for a claimed row the queue refused to complete or fail (LEASE_LOST…): its code, naming the row. */
function queueFailure(row: ScheduledMessage, problem: { code?: string; message: string }): Error {
	const error = new Error(`Recording scheduled message ${row.id} in the queue failed: ${problem.message}`) as Error & { code?: string };
	error.name = 'QueueRecordError';
	if (problem.code) error.code = problem.code;
	return error;
}

// ---------------------------------------------------------------------------------------------------

/** Raised inside the engine's waits once the node is closing, so a batch stops promptly. */
class StoppedError extends Error {
	constructor() {
		super('Channel Send stopped: the flow was stopped or redeployed while sending');
		this.name = 'StoppedError';
	}
}

function counts(results: readonly SendResult[]): { sent: number; failed: number; dryRun: number } {
	let sent = 0;
	let failed = 0;
	let dryRun = 0;
	for (const r of results) {
		if (r.status === 'failed') failed++;
		else if (r.status === 'dry_run') dryRun++;
		else sent++;
	}
	return { sent, failed, dryRun };
}

function finalStatus(results: readonly SendResult[]): NodeStatus {
	const { sent, failed, dryRun } = counts(results);
	if (results.length === 1) {
		const r = results[0]!;
		if (r.status === 'failed') return { fill: 'red', shape: 'ring', text: `failed: ${r.error?.code ?? r.error?.category ?? 'error'}`.slice(0, 64) };
		if (r.status === 'dry_run') return { fill: 'blue', shape: 'dot', text: `dry run (${r.account ?? r.provider ?? '?'})` };
		return { fill: 'green', shape: 'dot', text: `${r.status} (${r.account ?? r.provider ?? '?'})` };
	}
	const parts = [dryRun ? `dry run ${dryRun}` : `sent ${sent}`];
	if (dryRun && sent) parts.push(`sent ${sent}`);
	if (failed) parts.push(`failed ${failed}`);
	return { fill: failed ? (failed === results.length ? 'red' : 'yellow') : dryRun ? 'blue' : 'green', shape: 'dot', text: `${parts.join(', ')} of ${results.length}` };
}

function register(RED: NodeAPI): void {
	const red = RED as ProviderNodeAPI;

	function ChannelSendNode(this: Node, config: NodeDef): void {
		RED.nodes.createNode(this, config);
		const node = this;
		const def = config as ChannelSendNodeDef;
		let settings: Settings | undefined;
		let setupError: Error | undefined;
		try {
			settings = readSettings(red, def);
		} catch (error) {
			setupError = error as Error;
		}
		const store = storeNodeOf(red, def.store);
		if (!setupError && settings?.completeInQueue && store.error) setupError = store.error;
		if (setupError) node.status(errorStatus(setupError));

		let closing = false;
		const wakeOnClose = new Set<() => void>();
		/** The engine's waits (retry delays, rate limits): end at once with StoppedError when the node closes. */
		const sleep = (ms: number): Promise<void> =>
			new Promise<void>((resolve, reject) => {
				if (closing) return reject(new StoppedError());
				const wake = () => {
					clearTimeout(timer);
					wakeOnClose.delete(wake);
					reject(new StoppedError());
				};
				const timer = setTimeout(() => {
					wakeOnClose.delete(wake);
					resolve();
				}, ms);
				wakeOnClose.add(wake);
			});

		let lease: Promise<QueueLease> | undefined;
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

		/**
		 * The rate-limit buckets: with "Complete in Schedule Queue" on a PostgreSQL store, the buckets in
		 * that database (shared by every Node-RED instance using it); otherwise the engine's in-process
		 * store, shared by every Channel Send node of this process.
		 */
		let sharedBuckets: Promise<RateLimitStore | undefined> | undefined;
		function rateLimitStore(s: Settings): Promise<RateLimitStore | undefined> {
			if (!s.completeInQueue || s.rateLimitsMode === 'off') return Promise.resolve(undefined);
			if (!sharedBuckets) {
				const finding = queue().then((q) => {
					if (internalSqlClient(q)?.kind !== 'postgres') return undefined;
					return rateLimitStoreFor(q);
				});
				sharedBuckets = finding;
				// A store that failed to open is retried by the next message (and reported by this one).
				finding.catch(() => {
					if (sharedBuckets === finding) sharedBuckets = undefined;
				});
			}
			return sharedBuckets;
		}

		function optionsFor(s: Settings, msg: NodeMessage, dryRun: boolean, buckets: RateLimitStore | undefined): SendOptions {
			const channel = overrideText(msg, 'channel');
			const provider = overrideText(msg, 'provider');
			return {
				routes: s.routes,
				retry: s.retry,
				rateLimits: {
					concurrency: s.concurrency,
					...(s.rateLimitsMode === 'off' ? { disabled: true } : {}),
					...(s.rateLimitsMode === 'custom' ? { overrides: s.overrides } : {}),
					...(buckets ? { store: buckets } : {}),
				},
				dryRun,
				timeoutMs: s.timeoutMs,
				...(channel !== undefined ? { channel: channel as Channel } : {}),
				...(provider !== undefined ? { provider } : {}),
				sleep,
			};
		}

		async function handle(msg: NodeMessage, send: NodeSend, done: NodeDone): Promise<void> {
			if (setupError || !settings) throw setupError ?? new Error('not configured');
			if (closing) throw new StoppedError();
			const input = inputOf(msg);
			const dryRun = dryRunOf(msg, settings.dryRun);
			const options = optionsFor(settings, msg, dryRun, dryRun ? undefined : await rateLimitStore(settings));
			const total = input.items.length;

			let lastShown = 0;
			const progress = (finished: number, of: number): void => {
				// Throwing here ends the engine's batch loop after the sends in flight: nothing new starts once closing.
				if (closing) throw new StoppedError();
				const now = Date.now();
				if (of > 1 && (now - lastShown >= PROGRESS_EVERY_MS || finished === of)) {
					lastShown = now;
					node.status({ fill: 'blue', shape: 'dot', text: `${dryRun ? 'dry run' : 'sent'} ${finished}/${of}` });
				}
			};
			if (total > 1) node.status({ fill: 'blue', shape: 'ring', text: `${dryRun ? 'dry run' : 'sending'} 0/${total}` });

			let results: SendResult[];
			let outcomes: Array<QueueOutcome | undefined> = [];
			if (input.kind === 'claimed') {
				const complete = settings.completeInQueue && !dryRun;
				({ results, outcomes } = await sendClaimedRows(input.items, options, progress, complete ? await queue() : undefined));
			} else if (!input.batch) {
				results = [await sendMessage(input.items[0], options)];
			} else {
				results = total === 0 ? [] : await sendMany(input.items, { ...options, onProgress: progress });
			}

			const payload: unknown[] = input.kind === 'claimed' ? results.map((r, i) => withRow(r, input.items[i]!, outcomes[i])) : results;
			const { sent, failed, dryRun: previews } = counts(results);
			const switchboard = { operation: 'send', count: results.length, sent, failed, dryRun: previews, ...(input.kind === 'claimed' ? { claimed: true, completedInQueue: settings.completeInQueue && !dryRun } : {}) };
			const out: NodeMessage = { ...msg, payload: input.batch ? payload : payload[0], switchboard };
			node.status(finalStatus(results));

			// What goes to Catch nodes: each failed send, and each claimed row the queue refused to record.
			const problems: Array<{ i: number; error: Error }> = [];
			for (const [i, r] of results.entries()) {
				if (r.status === 'failed') problems.push({ i, error: sendFailure(input.items[i], i, input.batch, r) });
				const queueError = outcomes[i]?.error;
				if (queueError) problems.push({ i, error: queueFailure(input.items[i] as ScheduledMessage, queueError) });
			}
			if (!input.batch) {
				if (problems.length === 0) {
					send(out);
					done();
				} else {
					// Not sent on; the result stays on the message Catch nodes receive.
					msg.payload = out.payload;
					msg.switchboard = switchboard;
					done(problems[0]!.error);
				}
				return;
			}
			// A batch: every result goes out in order; each problem is also reported to Catch nodes on its
			// own message (that message's result in msg.payload, its place in msg.switchboard.index).
			send(out);
			const { payload: _all, switchboard: _meta, ...rest } = msg;
			void _all;
			void _meta;
			for (const { i, error } of problems) node.error(error, { ...rest, payload: payload[i], switchboard: { ...switchboard, index: i } });
			done();
		}

		const running = new Set<Promise<unknown>>();
		node.on('input', (msg: NodeMessage, send: NodeSend, done: NodeDone) => {
			const run = handle(msg, send, done).catch((error: unknown) => {
				node.status(errorStatus(error));
				done(toNodeRedError(error));
			});
			running.add(run);
			void run.finally(() => running.delete(run));
		});

		node.on('close', (_removed: boolean, done: () => void) => {
			closing = true;
			for (const wake of [...wakeOnClose]) wake();
			releaseLeaseOnClose(
				node,
				running,
				() => {
					const held = lease;
					lease = undefined;
					return held;
				},
				done,
				CLOSE_WAIT_MS,
			);
		});
	}

	RED.nodes.registerType(NODE_TYPE, ChannelSendNode);
}

export = register;
