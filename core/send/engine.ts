/**
 * The send engine: one universal message → its route's providers, in order, with retries, rate
 * limits, the WhatsApp 24-hour-window rule, provider fallback and channel failover. Every attempt
 * is reported; provider failures never throw (they end in a `failed` SendResult). See
 * docs/channel-send.md for the rules in prose.
 */
import { InvalidSendOptionsError, NoRouteError, ProviderError, SwitchboardError } from '../errors';
import type { Degradation, PlatformPayload } from '../platforms/types';
import { undiciHttpClient } from '../providers/shared/http';
import type { ProviderContext, ProviderSuccess, RateLimitRule } from '../providers/types';
import { decideRetry } from '../queue/retry';
import { parseMessage, render } from '../render';
import type { Channel, Message, Part } from '../schema/message';
import { scrub, type ResolvedAccount, type ResolvedRoute, type SendPlan } from './options';
import { rateLimitKey } from './rate-limit';
import type { SendAttempt, SendResult } from './types';

/**
 * Channels with a customer-service window where a template is the only thing that may be sent
 * outside it: a `template` part in a message for these channels is the out-of-window alternative,
 * not content to send alongside the rest.
 */
export const WINDOW_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['whatsapp', 'messenger', 'instagram']);

/** Which content goes first on a channel, and which (template-only) goes when the window is closed. */
export interface ContentPlan {
	normal: Message;
	/** Template parts only; null when there is no separate out-of-window alternative. */
	outsideWindow: Message | null;
}

export function contentFor(message: Message, channel: Channel): ContentPlan {
	const onChannel: Message = message.channel === channel ? message : { ...message, channel };
	if (!WINDOW_CHANNELS.has(channel)) return { normal: onChannel, outsideWindow: null };
	const templates = onChannel.parts.filter((p: Part) => p.type === 'template');
	const others = onChannel.parts.filter((p: Part) => p.type !== 'template');
	if (templates.length === 0 || others.length === 0) return { normal: onChannel, outsideWindow: null };
	return { normal: { ...onChannel, parts: others }, outsideWindow: { ...onChannel, parts: templates } };
}

/**
 * The recipient address on `channel`:
 *   1. message.metadata.failover.<channel>.to (text) — explicit, wins always except on the message's own channel;
 *   2. on the message's own channel: recipients[0].id, else conversation.id;
 *   3. a recipient with `channel: "<channel>"` → its id;
 *   4. sms/mms/whatsapp: the first recipient's `phone`; email: the first recipient's `email`.
 * Null when none (channel failover is then refused).
 */
export function recipientFor(message: Message, channel: Channel): string | null {
	if (channel === message.channel) return message.recipients[0]?.id ?? message.conversation.id;
	const failover = (message.metadata as { failover?: unknown }).failover;
	const explicit = typeof failover === 'object' && failover !== null ? (failover as Record<string, { to?: unknown } | undefined>)[channel]?.to : undefined;
	if (typeof explicit === 'string' && explicit.trim() !== '') return explicit.trim();
	const tagged = message.recipients.find((r) => (r as { channel?: unknown }).channel === channel);
	if (tagged) return tagged.id;
	if (channel === 'sms' || channel === 'mms' || channel === 'whatsapp') {
		const phone = message.recipients.find((r) => typeof r.phone === 'string' && r.phone.trim() !== '')?.phone;
		if (phone) return phone.trim();
	}
	if (channel === 'email') {
		const email = message.recipients.find((r) => typeof r.email === 'string' && r.email.trim() !== '')?.email;
		if (email) return email.trim();
	}
	return null;
}

interface Rendered {
	payloads: PlatformPayload[];
	degradations: Degradation[];
}

function renderFor(account: ResolvedAccount, message: Message, channel: Channel, to: string): Rendered {
	const options = account.provider.renderOptions(account.config, channel);
	const out = render(message, account.provider.platform, { ...options, to });
	return { payloads: out.payloads, degradations: out.degradations };
}

/** A message checked and ready to send: everything that can fail before sending has been tried. */
export interface PreparedMessage {
	message: Message;
	channel: Channel;
	route: ResolvedRoute;
	to: string;
	accounts: ResolvedAccount[];
	/** The first candidate's render (the dry-run preview; reused by the first attempt). */
	first: Rendered;
	content: ContentPlan;
}

export function prepareMessage(value: unknown, plan: SendPlan): PreparedMessage {
	const message = parseMessage(value);
	const channel = plan.channel ?? message.channel;
	const route = plan.routes.get(channel);
	if (!route) throw new NoRouteError(channel, [...plan.routes.keys()]);
	const accounts = accountsOf(route, plan);
	// An explicit channel override keeps the message's recipient when no address for that channel is given.
	const to = recipientFor(message, channel) ?? message.recipients[0]?.id ?? message.conversation.id;
	const content = contentFor(message, channel);
	const first = renderFor(accounts[0]!, content.normal, channel, to);
	return { message, channel, route, to, accounts, first, content };
}

function accountsOf(route: ResolvedRoute, plan: SendPlan): ResolvedAccount[] {
	if (plan.provider === undefined) return route.accounts;
	const only = route.accounts.find((a) => a.provider.id === plan.provider);
	if (!only) {
		throw new InvalidSendOptionsError(
			'provider',
			`is "${plan.provider}", which has no account in the ${route.channel} route (it has: ${route.accounts.map((a) => a.provider.id).join(', ')})`,
			`Add a ${plan.provider} account to the ${route.channel} route, or clear the provider override.`,
		);
	}
	return [only];
}

type FinalError = NonNullable<SendResult['error']>;

export async function sendPrepared(prepared: PreparedMessage, plan: SendPlan): Promise<SendResult> {
	if (plan.dryRun) {
		return {
			status: 'dry_run',
			channel: prepared.channel,
			provider: prepared.accounts[0]!.provider.id,
			account: prepared.accounts[0]!.label,
			externalId: null,
			externalIds: [],
			attempts: [],
			degradations: prepared.first.degradations,
			error: null,
			preview: { provider: prepared.accounts[0]!.provider.id, channel: prepared.channel, to: prepared.to, payloads: prepared.first.payloads },
		};
	}
	const attempts: SendAttempt[] = [];
	let lastError: FinalError | null = null;
	let degradations: Degradation[] = prepared.first.degradations;
	let stage: { channel: Channel; route: ResolvedRoute; accounts: ResolvedAccount[]; to: string; content: ContentPlan; reason: string | null } = {
		channel: prepared.channel,
		route: prepared.route,
		accounts: prepared.accounts,
		to: prepared.to,
		content: prepared.content,
		reason: null,
	};
	const visited = new Set<Channel>();

	for (;;) {
		visited.add(stage.channel);
		let enterReason = stage.reason;
		let windowClosed = false;
		for (let a = 0; a < stage.accounts.length && !windowClosed; a++) {
			const account = stage.accounts[a]!;
			let content = stage.content.normal;
			let reason = enterReason;
			let providerAttempts = 0;
			// Payloads of this content already accepted by this provider: a retry resumes after them, so
			// a failure on the second of three calls never sends the first one twice.
			let delivered = emptyDelivery();
			for (;;) {
				let rendered: Rendered;
				try {
					rendered =
						stage.channel === prepared.channel && a === 0 && content === prepared.content.normal ? prepared.first : renderFor(account, content, stage.channel, stage.to);
				} catch (error) {
					const failure = asProviderError(account, error, plan);
					attempts.push(attemptOf(attempts.length + 1, account, stage.channel, plan.now(), 0, null, failure, reason));
					lastError = finalErrorOf(failure, plan);
					break;
				}
				degradations = rendered.degradations;
				await waitForRateLimits(account, stage.channel, stage.to, rendered.payloads.length - delivered.count, plan);
				const startedAt = plan.now();
				providerAttempts++;
				try {
					// One call per payload (text, then image…): the engine, not the provider, knows which went out.
					for (let p = delivered.count; p < rendered.payloads.length; p++) {
						const part = await account.provider.send({ message: content, payloads: [rendered.payloads[p]!], config: account.config, to: stage.to }, contextFor(account, plan));
						delivered = addDelivery(delivered, part);
					}
					const success = deliveredSuccess(delivered);
					attempts.push(attemptOf(attempts.length + 1, account, stage.channel, startedAt, elapsed(startedAt, plan), success, null, reason));
					return {
						status: success.status,
						channel: stage.channel,
						provider: account.provider.id,
						account: account.label,
						externalId: success.externalId,
						externalIds: success.externalIds,
						attempts,
						degradations,
						error: null,
						preview: null,
					};
				} catch (error) {
					const failure = asProviderError(account, error, plan);
					attempts.push(attemptOf(attempts.length + 1, account, stage.channel, startedAt, elapsed(startedAt, plan), null, failure, reason));
					lastError = finalErrorOf(failure, plan);
					if (failure.category === 'window') {
						if (content !== stage.content.outsideWindow && stage.content.outsideWindow) {
							// Outside the 24-hour window: the template is the alternative; send it now, same provider.
							content = stage.content.outsideWindow;
							reason = 'outside_window_template';
							delivered = emptyDelivery();
							continue;
						}
						// The window belongs to the conversation, not to the provider: other providers of this
						// channel would be refused the same way. Channel failover may still apply.
						lastError = {
							...lastError,
							retryable: false,
							message: stage.content.outsideWindow
								? `${lastError.message} (the template was refused too)`
								: `${lastError.message} — outside the 24-hour customer-service window and the message has no template part to send instead`,
						};
						windowClosed = true;
						break;
					}
					const decision = decideRetry(plan.retry, providerAttempts, failure.retryable, plan.random);
					if (decision.retry) {
						const waitMs = Math.max(Math.round(decision.delaySeconds * 1000), failure.retryAfterMs ?? 0);
						// A Retry-After longer than the retry cap is not waited for in-process: fall back instead
						// (the error keeps retryAfterMs, so a queue can schedule the next try).
						if (failure.retryAfterMs === null || failure.retryAfterMs <= plan.retry.maxDelaySeconds * 1000) {
							await plan.sleep(waitMs);
							continue;
						}
					}
					break;
				}
			}
			const code = lastError?.code ?? lastError?.category ?? 'error';
			enterReason = `${a === 0 && stage.reason === null ? 'primary_failed' : 'fallback_failed'}: ${account.name} ${code}`;
		}
		// Every provider of this channel failed: channel failover.
		const next = plan.provider === undefined ? stage.route.failoverChannel : undefined;
		if (!next || visited.has(next)) break;
		const nextRoute = plan.routes.get(next)!;
		const to = recipientFor(prepared.message, next);
		if (to === null) {
			lastError = {
				...(lastError ?? { code: null, category: 'config', retryable: false, retryAfterMs: null }),
				message: `${lastError?.message ?? `every ${stage.channel} provider failed`}; failover to ${next} refused: the message has no ${next} address (set message.metadata.failover.${next}.to, or add a recipient with channel "${next}")`,
			};
			break;
		}
		const code = lastError?.code ?? lastError?.category ?? 'error';
		stage = { channel: next, route: nextRoute, accounts: nextRoute.accounts, to, content: contentFor(prepared.message, next), reason: `channel_failover: ${stage.channel} → ${next} (${code})` };
	}

	return {
		status: 'failed',
		channel: attempts[attempts.length - 1]?.channel ?? prepared.channel,
		provider: null,
		account: null,
		externalId: null,
		externalIds: [],
		attempts,
		degradations,
		error: lastError ?? { code: null, category: 'unknown', message: 'nothing was sent', retryable: false, retryAfterMs: null },
		preview: null,
	};
}

/** What a provider accepted so far for one content: ids in order, statuses, and prices. */
interface Delivery {
	count: number;
	externalIds: string[];
	queued: boolean;
	costs: Array<ProviderSuccess['cost']>;
}

function emptyDelivery(): Delivery {
	return { count: 0, externalIds: [], queued: false, costs: [] };
}

function addDelivery(delivery: Delivery, part: ProviderSuccess): Delivery {
	return {
		count: delivery.count + 1,
		externalIds: [...delivery.externalIds, ...(part.externalIds.length ? part.externalIds : [part.externalId])],
		queued: delivery.queued || part.status === 'queued',
		costs: [...delivery.costs, part.cost],
	};
}

/** The calls of one message as one success: the first id names it; a price only when every call had one, in one currency. */
function deliveredSuccess(delivery: Delivery): ProviderSuccess {
	const prices = delivery.costs.filter((c): c is NonNullable<ProviderSuccess['cost']> => c !== undefined);
	const currencies = new Set(prices.map((c) => c.currency));
	const cost =
		prices.length === delivery.costs.length && prices.length > 0 && currencies.size === 1
			? { amount: Math.round(prices.reduce((sum, c) => sum + c.amount, 0) * 1e6) / 1e6, currency: prices[0]!.currency }
			: undefined;
	return { externalId: delivery.externalIds[0] ?? '', externalIds: delivery.externalIds, status: delivery.queued ? 'queued' : 'sent', ...(cost ? { cost } : {}) };
}

function contextFor(account: ResolvedAccount, plan: SendPlan): ProviderContext {
	const configured = (account.config as { baseUrl?: unknown } | null)?.baseUrl;
	const baseUrl = plan.baseUrls[account.provider.id] ?? (typeof configured === 'string' && configured !== '' ? configured : undefined);
	return { http: plan.http ?? undiciHttpClient, now: plan.now, timeoutMs: plan.timeoutMs, ...(baseUrl ? { baseUrl } : {}) };
}

function elapsed(startedAt: Date, plan: SendPlan): number {
	return Math.max(0, plan.now().getTime() - startedAt.getTime());
}

/** The rules that apply to an account (overrides replace the provider's defaults). */
export function rulesFor(account: ResolvedAccount, plan: SendPlan, channel: Channel): readonly RateLimitRule[] {
	if (plan.rateLimitsDisabled) return [];
	return plan.overrides[account.provider.id] ?? account.provider.rateLimitsFor?.(account.config, channel) ?? account.provider.rateLimits;
}

async function waitForRateLimits(account: ResolvedAccount, channel: Channel, to: string, calls: number, plan: SendPlan): Promise<void> {
	const rules = rulesFor(account, plan, channel);
	if (rules.length === 0) return;
	const sender = account.provider.senderKey(account.config, channel);
	let wait = 0;
	for (const rule of rules) {
		const identity = rule.scope === 'provider' ? account.credentialIdentity : rule.scope === 'sender' ? sender : `${sender}\u0000${to}`;
		const key = rateLimitKey(account.provider.id, rule.scope, identity);
		// One token per API call: a message rendered into several payloads makes several calls.
		for (let i = 0; i < Math.max(1, calls); i++) wait = Math.max(wait, await plan.store.take(key, rule, plan.now()));
	}
	if (wait > 0) await plan.sleep(wait);
}

/** Anything a provider (or a render for it) threw, as a classified ProviderError with secrets scrubbed. */
function asProviderError(account: ResolvedAccount, error: unknown, plan: SendPlan): ProviderError {
	const secrets = [...account.secrets, ...plan.secrets];
	if (error instanceof ProviderError) {
		const message = scrub(error.message, secrets);
		const hint = error.hint === undefined ? undefined : scrub(error.hint, secrets);
		if (message === error.message && hint === error.hint) return error;
		return new ProviderError({
			provider: error.provider,
			category: error.category,
			retryable: error.retryable,
			message: message.startsWith(`${error.provider}: `) ? message.slice(error.provider.length + 2) : message,
			providerCode: error.providerCode,
			httpStatus: error.httpStatus,
			retryAfterMs: error.retryAfterMs,
			hint,
		});
	}
	if (error instanceof SwitchboardError) {
		// A render problem for this provider (RenderError…): its content cannot go this way.
		return new ProviderError({ provider: account.provider.id, category: 'content', retryable: false, message: scrub(error.message, secrets), providerCode: error.code, hint: error.hint });
	}
	const text = error instanceof Error ? error.message || error.name : String(error);
	return new ProviderError({ provider: account.provider.id, category: 'unknown', retryable: false, message: `unexpected failure: ${scrub(text, secrets)}` });
}

function finalErrorOf(error: ProviderError, plan: SendPlan): FinalError {
	return { code: error.providerCode, category: error.category, message: scrub(error.message, plan.secrets), retryable: error.retryable, retryAfterMs: error.retryAfterMs };
}

function attemptOf(
	number: number,
	account: ResolvedAccount,
	channel: Channel,
	startedAt: Date,
	responseTimeMs: number,
	success: ProviderSuccess | null,
	error: ProviderError | null,
	fallbackReason: string | null,
): SendAttempt {
	return {
		number,
		provider: account.provider.id,
		account: account.label,
		channel,
		startedAt: startedAt.toISOString(),
		responseTimeMs,
		success: success !== null,
		externalId: success?.externalId ?? null,
		errorCode: error ? (error.providerCode ?? error.category) : null,
		errorMessage: error?.message ?? null,
		errorCategory: error?.category ?? null,
		retryable: error ? error.retryable : null,
		fallbackReason,
		cost: success?.cost ?? null,
	};
}
