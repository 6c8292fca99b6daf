/**
 * SendOptions → a checked, defaults-filled plan (every route's provider resolved, every account's
 * credentials parsed). Everything here runs before anything is sent, so a bad option or credential
 * throws a typed error naming the field (InvalidSendOptionsError `routes[0].providers[1].provider`,
 * InvalidProviderConfigError `accountSid`) and nothing leaves the process.
 */
import { InvalidQueueInputError, InvalidSendOptionsError } from '../errors';
import type { AnyProvider, HttpClient, RateLimitRule } from '../providers/types';
import { resolveRetryPolicy } from '../queue/retry';
import type { RetryPolicy } from '../queue/types';
import { CHANNELS, type Channel } from '../schema/message';
import { defaultRateLimitStore, ruleProblem } from './rate-limit';
import type { RateLimitOptions, RateLimitStore, SendOptions } from './types';

/** Send-time retry defaults: retries happen while the send waits, so seconds, not the queue's minutes. */
export const DEFAULT_SEND_RETRY_POLICY: Readonly<RetryPolicy> = {
	strategy: 'exponential',
	initialDelaySeconds: 1,
	maxDelaySeconds: 30,
	jitter: 0.2,
	maxAttempts: 3,
};
export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Upper bound on concurrency: more sockets than this only hides a missing rate limit. */
export const MAX_CONCURRENCY = 1000;

export interface ResolvedAccount {
	provider: AnyProvider;
	/** Parsed (provider.parseConfig) credentials. */
	config: unknown;
	/** label ?? provider id: how messages (fallback reasons) name the account. */
	name: string;
	/** The account's label when the options gave one (results show it beside the provider id). */
	label: string | null;
	/** Credential values of `password` fields, scrubbed from any error text as a last defence. */
	secrets: string[];
	/** Identity for the 'provider' rate-limit scope (hashed before use as a key). */
	credentialIdentity: string;
	/** Where this account sits in the options, for messages (`routes[0].providers[1]`). */
	where: string;
}

export interface ResolvedRoute {
	channel: Channel;
	accounts: ResolvedAccount[];
	failoverChannel?: Channel;
}

export interface SendPlan {
	routes: Map<Channel, ResolvedRoute>;
	retry: RetryPolicy;
	concurrency: number;
	store: RateLimitStore;
	rateLimitsDisabled: boolean;
	overrides: Record<string, readonly RateLimitRule[]>;
	dryRun: boolean;
	timeoutMs: number;
	channel?: Channel;
	provider?: string;
	baseUrls: Record<string, string>;
	http?: HttpClient;
	now: () => Date;
	sleep: (ms: number) => Promise<void>;
	random: () => number;
	/** Every secret of every account (for the final scrub). */
	secrets: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isChannel = (v: unknown): v is Channel => typeof v === 'string' && (CHANNELS as readonly string[]).includes(v);
const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'string' ? JSON.stringify(v) : typeof v);

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function resolvePlan(options: SendOptions, providers: readonly AnyProvider[]): SendPlan {
	if (!isObject(options)) throw new InvalidSendOptionsError('options', `must be { routes, … } (got ${describe(options)})`);
	for (const key of ['http', 'now', 'sleep', 'random'] as const) {
		if (options[key] !== undefined && typeof options[key] !== 'function') throw new InvalidSendOptionsError(key, `must be a function (got ${describe(options[key])})`);
	}
	if (options.channel !== undefined && !isChannel(options.channel)) {
		throw new InvalidSendOptionsError('channel', `must be one of ${CHANNELS.join(', ')} (got ${describe(options.channel)})`);
	}
	if (options.provider !== undefined && (typeof options.provider !== 'string' || options.provider.trim() === '')) {
		throw new InvalidSendOptionsError('provider', `must be a provider id (got ${describe(options.provider)})`);
	}
	if (options.timeoutMs !== undefined && (typeof options.timeoutMs !== 'number' || !Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)) {
		throw new InvalidSendOptionsError('timeoutMs', `must be a number of milliseconds > 0 (got ${describe(options.timeoutMs)})`);
	}
	if (options.dryRun !== undefined && typeof options.dryRun !== 'boolean') throw new InvalidSendOptionsError('dryRun', 'must be true or false');
	const baseUrls: Record<string, string> = {};
	if (options.baseUrls !== undefined) {
		if (!isObject(options.baseUrls)) throw new InvalidSendOptionsError('baseUrls', 'must map provider ids to URLs');
		for (const [id, url] of Object.entries(options.baseUrls)) {
			if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+/i.test(url)) throw new InvalidSendOptionsError(`baseUrls.${id}`, 'must be an http(s) URL');
			baseUrls[id] = url;
		}
	}

	let retry: RetryPolicy;
	if (options.retry !== undefined && !isObject(options.retry)) throw new InvalidSendOptionsError('retry', `must be a retry policy object (got ${describe(options.retry)})`);
	try {
		retry = resolveRetryPolicy(options.retry, DEFAULT_SEND_RETRY_POLICY, 'retry');
	} catch (error) {
		if (error instanceof InvalidQueueInputError) throw new InvalidSendOptionsError(error.field, error.issues[0]?.message ?? 'is invalid');
		throw error;
	}

	if (options.rateLimits !== undefined && !isObject(options.rateLimits)) {
		throw new InvalidSendOptionsError('rateLimits', `must be an object (got ${describe(options.rateLimits)})`);
	}
	const limits = options.rateLimits as RateLimitOptions | undefined;
	const concurrency: number = limits?.concurrency ?? DEFAULT_CONCURRENCY;
	if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
		throw new InvalidSendOptionsError('rateLimits.concurrency', `must be a whole number from 1 to ${MAX_CONCURRENCY} (got ${describe(concurrency)})`);
	}
	if (limits?.store !== undefined && (typeof limits.store !== 'object' || limits.store === null || typeof (limits.store as { take?: unknown }).take !== 'function')) {
		throw new InvalidSendOptionsError('rateLimits.store', 'must have a take(key, rule, now) method');
	}
	if (limits?.disabled !== undefined && typeof limits.disabled !== 'boolean') throw new InvalidSendOptionsError('rateLimits.disabled', 'must be true or false');
	const overrides: Record<string, readonly RateLimitRule[]> = {};
	if (limits?.overrides !== undefined) {
		if (!isObject(limits.overrides)) throw new InvalidSendOptionsError('rateLimits.overrides', 'must map provider ids to lists of rules');
		for (const [id, rules] of Object.entries(limits.overrides)) {
			if (!Array.isArray(rules)) throw new InvalidSendOptionsError(`rateLimits.overrides.${id}`, 'must be a list of rules');
			rules.forEach((rule, i) => {
				const problem = ruleProblem(rule);
				if (problem) throw new InvalidSendOptionsError(`rateLimits.overrides.${id}[${i}]`, problem);
			});
			overrides[id] = rules;
		}
	}

	const byId = new Map(providers.map((p) => [p.id, p]));
	if (!Array.isArray(options.routes)) throw new InvalidSendOptionsError('routes', `must be a list of routes (got ${describe(options.routes)})`, 'Add at least one route: a channel and its provider.');
	const routes = new Map<Channel, ResolvedRoute>();
	const secrets: string[] = [];
	options.routes.forEach((route, r) => {
		const at = `routes[${r}]`;
		if (!isObject(route)) throw new InvalidSendOptionsError(at, 'must be { channel, providers, failoverChannel? }');
		if (!isChannel(route.channel)) throw new InvalidSendOptionsError(`${at}.channel`, `must be one of ${CHANNELS.join(', ')} (got ${describe(route.channel)})`);
		if (routes.has(route.channel)) throw new InvalidSendOptionsError(`${at}.channel`, `repeats the ${route.channel} route`, 'Give each channel one route; list its fallbacks in that route.');
		if (route.failoverChannel !== undefined) {
			if (!isChannel(route.failoverChannel)) throw new InvalidSendOptionsError(`${at}.failoverChannel`, `must be a channel (got ${describe(route.failoverChannel)})`);
			if (route.failoverChannel === route.channel) throw new InvalidSendOptionsError(`${at}.failoverChannel`, 'must differ from the route\'s own channel');
		}
		if (!Array.isArray(route.providers) || route.providers.length === 0) {
			throw new InvalidSendOptionsError(`${at}.providers`, 'must list at least one provider account', `Choose the provider and credential for ${route.channel}.`);
		}
		const accounts = route.providers.map((account, a): ResolvedAccount => {
			const where = `${at}.providers[${a}]`;
			if (!isObject(account)) throw new InvalidSendOptionsError(where, 'must be { provider, config }');
			const provider = typeof account.provider === 'string' ? byId.get(account.provider) : undefined;
			if (!provider) {
				throw new InvalidSendOptionsError(`${where}.provider`, `is not a known provider (got ${describe(account.provider)})`, `Use one of: ${[...byId.keys()].join(', ')}.`);
			}
			if (!provider.channels.includes(route.channel)) {
				throw new InvalidSendOptionsError(`${where}.provider`, `${provider.name} cannot send on ${route.channel} (it sends ${provider.channels.join(', ')})`);
			}
			if (account.label !== undefined && (typeof account.label !== 'string' || account.label.trim() === '')) throw new InvalidSendOptionsError(`${where}.label`, 'must be non-empty text');
			if (!isObject(account.config)) throw new InvalidSendOptionsError(`${where}.config`, `must hold the ${provider.name} credential values`);
			const passwordFields = provider.credentialFields.filter((f) => f.type === 'password').map((f) => f.name);
			const accountSecrets = passwordFields.map((f) => account.config[f]).filter((v): v is string => typeof v === 'string' && v.trim().length >= 4);
			secrets.push(...accountSecrets);
			// Throws InvalidProviderConfigError naming the field (never the value).
			const config = provider.parseConfig(account.config);
			const sendingFields = provider.credentialFields.filter((f) => !f.webhookOnly).map((f) => f.name);
			const credentialIdentity = JSON.stringify(sendingFields.map((f) => account.config[f] ?? null));
			return { provider, config, name: account.label ?? provider.id, label: account.label ?? null, secrets: accountSecrets, credentialIdentity, where };
		});
		routes.set(route.channel, { channel: route.channel, accounts, failoverChannel: route.failoverChannel });
	});

	for (const route of routes.values()) {
		if (route.failoverChannel && !routes.has(route.failoverChannel)) {
			const r = options.routes.findIndex((x) => x.channel === route.channel);
			throw new InvalidSendOptionsError(`routes[${r}].failoverChannel`, `names ${route.failoverChannel}, which has no route`, `Add a route for ${route.failoverChannel}, or remove the failover.`);
		}
	}
	if (options.provider !== undefined && !byId.has(options.provider)) {
		throw new InvalidSendOptionsError('provider', `is not a known provider (got ${describe(options.provider)})`, `Use one of: ${[...byId.keys()].join(', ')}.`);
	}

	return {
		routes,
		retry,
		concurrency,
		store: limits?.store ?? defaultRateLimitStore,
		rateLimitsDisabled: limits?.disabled ?? false,
		overrides,
		dryRun: options.dryRun ?? false,
		timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
		channel: options.channel,
		provider: options.provider,
		baseUrls,
		http: options.http,
		now: options.now ?? (() => new Date()),
		sleep: options.sleep ?? defaultSleep,
		random: options.random ?? Math.random,
		secrets: [...new Set(secrets)].sort((a, b) => b.length - a.length),
	};
}

/** Replaces every known secret in `text` (a last defence: providers already redact). */
export function scrub(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
	return out;
}
