/**
 * The parameters Send and Dry Run share — where the message is, which providers are set up, the
 * route of each channel, retries, rate limits — and how they become the core's SendOptions
 * (core/send/types.ts). Everything is read once per execution (item 0): a run sends a batch with one
 * routing set-up.
 *
 * Routes: a channel without a route of its own goes through every chosen provider that can carry
 * it, in the order of "Providers"; a route set under "Routes" fixes the primary, the fallbacks and
 * the failover channel of its channel.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { RetryPolicy, RetryStrategyName } from '../../../../core/queue';
import type { RateLimitRule } from '../../../../core/providers/types';
import type { ChannelRoute, ProviderAccount, SendOptions } from '../../../../core/send';
import type { Channel } from '../../../../core/schema/message';
import { ParameterError } from '../../shared/errors';
import { PROVIDER_CREDENTIALS, loadAccounts, providerDefinition, providerOptions, type LoadedAccount } from './providers';

/** Channels some provider can send on, in the order the node lists them. */
export const SENDABLE_CHANNELS: ReadonlyArray<{ name: string; value: Channel }> = [
	{ name: 'Email', value: 'email' },
	{ name: 'Google Chat', value: 'googlechat' },
	{ name: 'Instagram', value: 'instagram' },
	{ name: 'Messenger', value: 'messenger' },
	{ name: 'Microsoft Teams', value: 'teams' },
	{ name: 'MMS', value: 'mms' },
	{ name: 'Slack', value: 'slack' },
	{ name: 'SMS', value: 'sms' },
	{ name: 'Telegram', value: 'telegram' },
	{ name: 'WhatsApp', value: 'whatsapp' },
];

const providerChoices = providerOptions();

export const sharedProperties: INodeProperties[] = [
	{
		displayName: 'Message Source',
		name: 'messageSource',
		type: 'options',
		options: [
			{
				name: 'Whole Item',
				value: 'item',
				description:
					'The item is the message: a universal message (e.g. from Normalize), or a scheduled message that a Schedule Queue node claimed (recognised by its ID, channel, recipient and status "sending")',
			},
			{
				name: 'JSON Property',
				value: 'property',
				description: 'The message is in a property of the item',
			},
		],
		default: 'item',
		description: 'Where the message to send is in each incoming item',
	},
	{
		displayName: 'Message Property',
		name: 'messageProperty',
		type: 'string',
		default: 'message',
		required: true,
		placeholder: 'e.g. message',
		description: 'Name of the property holding the message. Use dot notation for nested properties.',
		displayOptions: { show: { messageSource: ['property'] } },
	},
	{
		displayName: 'Providers',
		name: 'providers',
		type: 'multiOptions',
		options: providerChoices,
		default: [],
		required: true,
		description:
			'The provider accounts you have set up: pick each one and its credential. A message goes through the providers that can carry its channel, in this order, unless a route below says otherwise.',
	},
	{
		displayName: 'Routes',
		name: 'routes',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add route',
		default: {},
		description: 'Per channel: which provider goes first, which ones take over when it fails, and which channel to try when all of them failed',
		options: [
			{
				displayName: 'Route',
				name: 'route',
				values: [
					{
						displayName: 'Channel',
						name: 'channel',
						type: 'options',
						options: [...SENDABLE_CHANNELS],
						default: 'sms',
						description: 'The channel this route is for (the message\'s own channel, or the channel chosen under Options)',
					},
					{
						displayName: 'Primary Provider',
						name: 'primary',
						type: 'options',
						options: providerChoices,
						default: 'twilio',
						description: 'Provider tried first. It must also be chosen under Providers, with its credential.',
					},
					{
						displayName: 'Fallback Providers',
						name: 'fallbacks',
						type: 'multiOptions',
						options: providerChoices,
						default: [],
						description:
							'Providers tried, in this order, when the primary failed for good (permanent error, or retries used up). Leave empty for no fallback.',
					},
					{
						displayName: 'Failover Channel',
						name: 'failoverChannel',
						type: 'options',
						options: [{ name: 'None', value: '' }, ...SENDABLE_CHANNELS],
						default: '',
						description:
							'When every provider of this channel failed, send the message again on this channel (e.g. WhatsApp → SMS), re-rendered for it. That channel needs providers too.',
					},
				],
			},
		],
	},
	{
		displayName: 'Retry Strategy',
		name: 'retryStrategy',
		type: 'options',
		options: [
			{
				name: 'Exponential',
				value: 'exponential',
				description: 'Wait Initial Delay, then twice as long after each failure: 1 s, 2 s, 4 s…',
			},
			{
				name: 'Linear',
				value: 'linear',
				description: 'Wait Initial Delay times the attempt number: 1 s, 2 s, 3 s…',
			},
			{
				name: 'None',
				value: 'none',
				description: 'Do not retry a provider: go to the next fallback at once',
			},
		],
		default: 'exponential',
		description:
			'How a provider is retried after an error that may pass (timeout, connection lost, provider down, rate limit). Permanent errors (bad number, blocked, wrong credentials) are never retried.',
	},
	{
		displayName: 'Initial Delay (Seconds)',
		name: 'initialDelaySeconds',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 1,
		description: 'Wait before the first retry. A provider that says how long to wait (Retry-After) is obeyed instead.',
		displayOptions: { show: { retryStrategy: ['linear', 'exponential'] } },
	},
	{
		displayName: 'Max Delay (Seconds)',
		name: 'maxDelaySeconds',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 30,
		description: 'No wait between retries is longer than this',
		displayOptions: { show: { retryStrategy: ['linear', 'exponential'] } },
	},
	{
		displayName: 'Jitter',
		name: 'jitter',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
		default: 0.2,
		description: 'Randomness added to each wait so that many messages do not retry at the same moment: 0 = none, 0.2 = up to 20% shorter',
		displayOptions: { show: { retryStrategy: ['linear', 'exponential'] } },
	},
	{
		displayName: 'Max Attempts per Provider',
		name: 'maxAttempts',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 20 },
		default: 3,
		description: 'Attempts with one provider (the first included) before its fallback takes over',
		displayOptions: { show: { retryStrategy: ['linear', 'exponential'] } },
	},
	{
		displayName: 'Options',
		name: 'sendOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 1000 },
				default: 10,
				description: 'How many messages are sent at the same time. Rate limits still apply on top.',
			},
			{
				displayName: 'Disable Rate Limits',
				name: 'disableRateLimits',
				type: 'boolean',
				default: false,
				description:
					"Whether to ignore the providers' documented limits (e.g. Telegram 30 messages/s, 1 per chat per second; WhatsApp 80/s per number). Only for private gateways and test servers.",
			},
			{
				displayName: 'Only Provider',
				name: 'onlyProvider',
				type: 'options',
				options: [{ name: 'Any (Follow the Route)', value: '' }, ...providerChoices],
				default: '',
				description: 'Send through this provider only, without fallbacks (e.g. to test one account)',
			},
			{
				displayName: 'Rate Limits',
				name: 'rateLimits',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add limit',
				default: {},
				description:
					"Replace a provider's documented limits with your own (e.g. a Twilio toll-free number allowed 25 messages/s). All limits of a provider listed here replace all its defaults.",
				options: [
					{
						displayName: 'Limit',
						name: 'limit',
						values: [
							{
								displayName: 'Provider',
								name: 'provider',
								type: 'options',
								options: providerChoices,
								default: 'twilio',
								description: 'Provider whose limits this replaces',
							},
							{
								displayName: 'Applies To',
								name: 'scope',
								type: 'options',
								options: [
									{ name: 'Whole Account', value: 'provider', description: 'All messages sent with the credential' },
									{ name: 'Each Recipient', value: 'recipient', description: 'Messages to one chat, number or address' },
									{ name: 'Each Sender', value: 'sender', description: 'Messages from one number, bot or account' },
								],
								default: 'sender',
								description: 'What one limit counts',
							},
							{
								displayName: 'Messages per Second',
								name: 'perSecond',
								type: 'number',
								typeOptions: { minValue: 0.001, numberPrecision: 3 },
								default: 1,
								description: 'Sustained rate (0.5 = one message every 2 seconds)',
							},
							{
								displayName: 'Burst',
								name: 'burst',
								type: 'number',
								typeOptions: { minValue: 1 },
								default: 1,
								description: 'How many may go at once after a quiet period',
							},
						],
					},
				],
			},
			{
				displayName: 'Send On Channel',
				name: 'channel',
				type: 'options',
				options: [{ name: "The Message's Own Channel", value: '' }, ...SENDABLE_CHANNELS],
				default: '',
				description: 'Send every message on this channel instead of its own (the message is rendered for it)',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 600 },
				default: 30,
				description: 'How long one request to a provider may take before it counts as failed (and may be retried)',
			},
		],
	},
];

interface RouteValues {
	channel?: string;
	primary?: string;
	fallbacks?: string[];
	failoverChannel?: string;
}

interface LimitValues {
	provider?: string;
	scope?: RateLimitRule['scope'];
	perSecond?: number;
	burst?: number;
}

interface OptionValues {
	concurrency?: number;
	disableRateLimits?: boolean;
	onlyProvider?: string;
	rateLimits?: { limit?: LimitValues[] };
	channel?: string;
	timeoutSeconds?: number;
}

export interface SendSetup {
	options: SendOptions;
	/** Every secret of every chosen credential, to redact from anything shown. */
	secrets: string[];
	concurrency: number;
}

function providerName(id: string): string {
	return PROVIDER_CREDENTIALS.some((p) => p.id === id) ? providerDefinition(id).name : id;
}

function channelName(channel: string): string {
	return SENDABLE_CHANNELS.find((c) => c.value === channel)?.name ?? channel;
}

function finiteNumber(value: unknown, field: string, min: number, max = Number.POSITIVE_INFINITY): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number) || number < min || number > max) {
		throw new ParameterError(`"${field}" must be a number from ${min}${Number.isFinite(max) ? ` to ${max}` : ''}`, `Set "${field}" to a number, e.g. ${min === 0 ? 1 : min}.`);
	}
	return number;
}

/** The routes: the ones set under "Routes", then one per remaining channel through every chosen provider that carries it. */
export function buildRoutes(providerIds: readonly string[], routeValues: readonly RouteValues[], accounts: Map<string, LoadedAccount>): ChannelRoute[] {
	const accountOf = (id: string, where: string): ProviderAccount => {
		const account = accounts.get(id);
		if (!account) {
			throw new ParameterError(
				`${where} uses ${providerName(id)}, which is not chosen under Providers`,
				`Add ${providerName(id)} to Providers and pick its credential, or choose another provider in the route.`,
			);
		}
		return { provider: id, config: account.config };
	};
	const routes: ChannelRoute[] = [];
	const seen = new Set<string>();
	for (const values of routeValues) {
		const channel = values.channel as Channel | undefined;
		if (!channel) continue;
		const where = `The ${channelName(channel)} route`;
		if (seen.has(channel)) throw new ParameterError(`There are two routes for ${channelName(channel)}`, 'Keep one route per channel and list its other providers as fallbacks.');
		seen.add(channel);
		if (!values.primary) throw new ParameterError(`${where} has no primary provider`, 'Choose the provider to try first.');
		const order = [values.primary, ...(values.fallbacks ?? []).filter((id) => id !== values.primary)];
		for (const id of order) {
			const provider = providerDefinition(id);
			if (!provider.channels.includes(channel)) {
				throw new ParameterError(`${where} uses ${provider.name}, which cannot send ${channelName(channel)} (it sends ${provider.channels.join(', ')})`, `Choose a provider that sends ${channelName(channel)}.`);
			}
		}
		routes.push({
			channel,
			providers: [...new Set(order)].map((id) => accountOf(id, where)),
			...(values.failoverChannel ? { failoverChannel: values.failoverChannel as Channel } : {}),
		});
	}
	// Every other channel a chosen provider carries: the chosen providers in the order of "Providers".
	const automatic = new Map<Channel, string[]>();
	for (const id of providerIds) {
		for (const channel of providerDefinition(id).channels) {
			if (seen.has(channel)) continue;
			automatic.set(channel, [...(automatic.get(channel) ?? []), id]);
		}
	}
	for (const [channel, ids] of automatic) routes.push({ channel, providers: ids.map((id) => accountOf(id, `The ${channelName(channel)} route`)) });
	// A failover channel without providers is caught by the engine too; say it in the node's words first.
	for (const route of routes) {
		if (route.failoverChannel && !routes.some((r) => r.channel === route.failoverChannel)) {
			throw new ParameterError(
				`The ${channelName(route.channel)} route fails over to ${channelName(route.failoverChannel)}, but no chosen provider sends ${channelName(route.failoverChannel)}`,
				`Add a provider for ${channelName(route.failoverChannel)} under Providers, or remove the failover channel.`,
			);
		}
	}
	return routes;
}

function retryPolicy(this: IExecuteFunctions): Partial<RetryPolicy> {
	const strategy = this.getNodeParameter('retryStrategy', 0, 'exponential') as RetryStrategyName;
	if (strategy === 'none') return { strategy, maxAttempts: 1 };
	return {
		strategy,
		initialDelaySeconds: finiteNumber(this.getNodeParameter('initialDelaySeconds', 0, 1), 'Initial Delay (Seconds)', 0),
		maxDelaySeconds: finiteNumber(this.getNodeParameter('maxDelaySeconds', 0, 30), 'Max Delay (Seconds)', 0),
		jitter: finiteNumber(this.getNodeParameter('jitter', 0, 0.2), 'Jitter', 0, 1),
		maxAttempts: Math.floor(finiteNumber(this.getNodeParameter('maxAttempts', 0, 3), 'Max Attempts per Provider', 1, 20)),
	};
}

function rateLimitOverrides(limits: readonly LimitValues[]): Record<string, RateLimitRule[]> {
	const overrides: Record<string, RateLimitRule[]> = {};
	for (const limit of limits) {
		if (!limit.provider) continue;
		const perSecond = finiteNumber(limit.perSecond, 'Messages per Second', 0.001);
		const burst = Math.floor(finiteNumber(limit.burst ?? 1, 'Burst', 1));
		const scope = limit.scope ?? 'sender';
		(overrides[limit.provider] ??= []).push({ scope, perSecond, burst, description: `Set in the node: ${perSecond}/s per ${scope}, burst ${burst}` });
	}
	return overrides;
}

/** The node's parameters and credentials as SendOptions (without dryRun, which the operation decides). */
export async function readSendSetup(this: IExecuteFunctions): Promise<SendSetup> {
	const providerIds = [...new Set((this.getNodeParameter('providers', 0, []) as string[]) ?? [])];
	if (providerIds.length === 0) {
		throw new ParameterError('No provider is chosen', 'Choose at least one provider under Providers (e.g. Twilio for SMS) and pick its credential.');
	}
	const accounts = await loadAccounts.call(this, providerIds);
	const routeValues = ((this.getNodeParameter('routes', 0, {}) as { route?: RouteValues[] }).route ?? []) as RouteValues[];
	const routes = buildRoutes(providerIds, routeValues, accounts);
	const values = this.getNodeParameter('sendOptions', 0, {}) as OptionValues;

	const concurrency = Math.floor(finiteNumber(values.concurrency ?? 10, 'Concurrency', 1, 1000));
	const overrides = rateLimitOverrides(values.rateLimits?.limit ?? []);
	const baseUrls: Record<string, string> = {};
	for (const [id, account] of accounts) if (account.baseUrl) baseUrls[id] = account.baseUrl;

	const options: SendOptions = {
		routes,
		retry: retryPolicy.call(this),
		rateLimits: {
			concurrency,
			...(Object.keys(overrides).length ? { overrides } : {}),
			...(values.disableRateLimits ? { disabled: true } : {}),
		},
		timeoutMs: Math.round(finiteNumber(values.timeoutSeconds ?? 30, 'Timeout (Seconds)', 1, 600) * 1000),
		...(values.channel ? { channel: values.channel as Channel } : {}),
		...(values.onlyProvider ? { provider: values.onlyProvider } : {}),
		...(Object.keys(baseUrls).length ? { baseUrls } : {}),
	};
	const secrets = [...accounts.values()].flatMap((a) => a.secrets);
	return { options, secrets, concurrency };
}
