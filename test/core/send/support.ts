/**
 * Test-only providers for the send engine: a small JSON API ("POST /v1/send", bearer token) served
 * by a FakeServer on 127.0.0.1, and a ProviderDefinition that talks to it over the injected
 * HttpClient. They render for real platforms (twilio, whatsapp, sendgrid), so the engine's render
 * path is the real one; only the wire format is ours.
 *
 * The fake answers { id } on success. Errors are scripted with fake.next(errorReply(...)); the
 * provider maps { error: { code, category } } + status to a ProviderError the way real providers do.
 */
import { InvalidProviderConfigError, ProviderError, type ProviderErrorCategory } from '../../../core/errors';
import { callProvider, isRetryableCategory, parseJsonBody, parseRetryAfter } from '../../../core/providers/shared/http';
import type { ProviderDefinition, RateLimitRule } from '../../../core/providers/types';
import type { Channel, MessageInput } from '../../../core/schema/message';
import { FakeServer, type FakeReply, type RecordedRequest } from '../../support/fakes/server';

export interface TestConfig {
	token: string;
	from: string;
	baseUrl?: string;
}

export class FakeSendApi extends FakeServer {
	#count = 0;
	constructor(opts: { latencyMs?: () => number; token?: string } = {}) {
		super([
			{
				method: 'POST',
				path: /^\/v1\/send$/,
				handler: (req: RecordedRequest): FakeReply => {
					if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) return { status: 401, body: { error: { code: 'bad_token', message: 'invalid token' } } };
					this.#count++;
					return { status: 200, body: { id: `msg-${this.#count}` }, delayMs: opts.latencyMs?.() };
				},
			},
		]);
	}
	/** Requests that reached /v1/send. */
	get sends(): RecordedRequest[] {
		return this.requests.filter((r) => r.path === '/v1/send');
	}
}

export function errorReply(status: number, code: string, extra: { retryAfter?: string; category?: ProviderErrorCategory; message?: string } = {}): FakeReply {
	return {
		status,
		headers: extra.retryAfter ? { 'retry-after': extra.retryAfter } : {},
		body: { error: { code, category: extra.category, message: extra.message ?? `failed with ${code}` } },
	};
}

function categoryOf(status: number, given: unknown): ProviderErrorCategory {
	if (typeof given === 'string') return given as ProviderErrorCategory;
	if (status === 429) return 'rate_limited';
	if (status >= 500) return 'transient';
	if (status === 401 || status === 403) return 'auth';
	return 'content';
}

export function testProvider(
	id: string,
	options: { channels?: Channel[]; platform?: string; rateLimits?: RateLimitRule[]; status?: 'queued' | 'sent'; cost?: boolean } = {},
): ProviderDefinition<TestConfig> {
	return {
		id,
		name: `Test ${id}`,
		channels: options.channels ?? ['sms', 'mms', 'whatsapp'],
		platform: options.platform ?? 'twilio',
		documentationUrl: 'https://example.invalid/docs',
		credentialFields: [
			{ name: 'token', displayName: 'Token', type: 'password', required: true, description: 'API token' },
			{ name: 'from', displayName: 'From', type: 'string', required: true, description: 'Sender' },
			{ name: 'baseUrl', displayName: 'Base URL', type: 'string', required: false, description: 'test server' },
		],
		rateLimits: options.rateLimits ?? [],
		parseConfig(value) {
			const token = typeof value.token === 'string' ? value.token.trim() : '';
			if (!token) throw new InvalidProviderConfigError(`Test ${id}`, 'token', 'is required');
			const from = typeof value.from === 'string' ? value.from.trim() : '';
			if (!from) throw new InvalidProviderConfigError(`Test ${id}`, 'from', 'is required');
			const baseUrl = typeof value.baseUrl === 'string' && value.baseUrl.trim() ? value.baseUrl.trim() : undefined;
			if (baseUrl && !/^https?:\/\//.test(baseUrl)) throw new InvalidProviderConfigError(`Test ${id}`, 'baseUrl', 'must be an http(s) URL');
			return { token, from, baseUrl };
		},
		renderOptions(config) {
			return { from: config.from };
		},
		senderKey(config) {
			return config.from;
		},
		async send(input, context) {
			const ids: string[] = [];
			for (const payload of input.payloads) {
				const response = await callProvider(id, context, {
					method: 'POST',
					url: `${context.baseUrl ?? 'https://api.example.invalid'}/v1/send`,
					headers: { authorization: `Bearer ${input.config.token}`, 'content-type': 'application/json' },
					body: JSON.stringify({ to: input.to, endpoint: payload.endpoint, body: payload.body }),
				});
				const json = parseJsonBody(response.body) as { id?: string; error?: { code?: string; category?: string; message?: string } } | undefined;
				if (response.status >= 400) {
					const category = categoryOf(response.status, json?.error?.category);
					throw new ProviderError({
						provider: id,
						category,
						retryable: isRetryableCategory(category),
						message: json?.error?.message ?? `HTTP ${response.status}`,
						providerCode: json?.error?.code ?? response.status,
						httpStatus: response.status,
						retryAfterMs: parseRetryAfter(response.headers['retry-after'], context.now()),
					});
				}
				if (!json?.id) throw new ProviderError({ provider: id, category: 'unknown', retryable: false, message: 'unreadable success body' });
				ids.push(json.id);
			}
			return { externalId: ids[0]!, externalIds: ids, status: options.status ?? 'queued', ...(options.cost ? { cost: { amount: 0.0075, currency: 'USD' } } : {}) };
		},
		async verifyCredentials() {
			return {};
		},
	};
}

let counter = 0;
export function smsMessage(overrides: Partial<MessageInput> = {}): MessageInput {
	counter++;
	return {
		schema: 'switchboard.message/v1',
		id: `out-${counter}`,
		channel: 'sms',
		provider: 'switchboard',
		direction: 'outbound',
		conversation: { id: '+15550001111', type: 'direct' },
		recipients: [{ id: '+15550001111' }],
		timestamp: '2026-05-28T14:31:02.000Z',
		parts: [{ type: 'text', text: 'Hello there' }],
		...overrides,
	};
}

/** A fake clock + sleep: sleeping advances the clock and records the delay. */
export function fakeTime(start = Date.parse('2026-06-01T10:00:00.000Z')) {
	let t = start;
	const sleeps: number[] = [];
	return {
		now: () => new Date(t),
		sleep: async (ms: number) => {
			sleeps.push(ms);
			t += ms;
		},
		advance: (ms: number) => {
			t += ms;
		},
		sleeps,
	};
}
