/**
 * Slack Web API with the injected HTTP client (providers.md §6; no Slack SDK is in the package list).
 * The render platform `slack` produces `chat.postMessage` bodies (Block Kit blocks plus the `text`
 * fallback, `thread_ts` for replies) and `reactions.add` bodies; each is POSTed as JSON to
 * `{base}/{method}` (base: `context.baseUrl`, else the credential's Base URL, else
 * https://slack.com/api) with `Authorization: Bearer <bot token>`.
 *
 * Slack answers HTTP 200 with `{ok: false, error}` for most failures, HTTP 429 + Retry-After when
 * rate limited: both go through ./map-slack-error.ts.
 *
 * Ids: a Slack message is identified by its channel and `ts` (ts alone is unique only inside a
 * channel), so the external id is `<channel id>:<ts>` (e.g. `C0CHANNEL01:1779981700.000900`), with
 * the channel Slack answers with (a DM sent to a user id answers with the D… channel). A reaction
 * creates no message: it adds no id, and a send that was only reactions reports the reacted-to
 * message (`<channel>:<timestamp>`). `reactions.add` answering `already_reacted` counts as success (a
 * retry of a reaction that went through). Status is always `sent`: Slack has no delivery receipts.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod/v4';
import { InvalidProviderConfigError, ProviderError } from '../../errors';
import { CHAT_TEXT, optionalBaseUrl, optionalText, requiredText, resolveBase } from '../shared/config';
import { callProvider, isRetryableCategory, joinUrl, parseJsonBody, parseRetryAfter } from '../shared/http';
import { redactSecrets, type RedactionRules } from '../shared/redact';
import { chatResult } from '../shared/send';
import type { HttpResponse, ProviderContext, ProviderDefinition, ProviderSuccess } from '../types';
import { mapSlackError, slackErrorHint } from './map-slack-error';

const PROVIDER = 'Slack';
export const SLACK_API_BASE = 'https://slack.com/api';

export interface SlackConfig {
	botToken: string;
	/** Only for verifying incoming requests (X-Slack-Signature). */
	signingSecret?: string;
	baseUrl?: string;
}

const METHODS = new Set(['chat.postMessage', 'reactions.add']);

const envelopeSchema = z.looseObject({ ok: z.boolean(), error: z.string().optional() });
const postedSchema = z.looseObject({ ok: z.literal(true), channel: z.string().min(1), ts: z.string().min(1) });
const authSchema = z.looseObject({ ok: z.literal(true), team: z.string().optional(), user: z.string().optional(), user_id: z.string().optional(), team_id: z.string().optional() });

/** Any Slack token (xoxb-, xoxp-, …) by its shape, and the bot token itself. */
const SLACK_REDACTION: RedactionRules = { mask: '<redacted>', minLength: 1, patterns: [[/xox[a-z]-[A-Za-z0-9-]+/g, 'xox?-<redacted>']] };

export function redactSlack(message: string, botToken: string): string {
	return redactSecrets(message, [botToken], SLACK_REDACTION);
}

function base(config: SlackConfig, context: ProviderContext): string {
	return resolveBase(context, config.baseUrl, SLACK_API_BASE);
}

function slackError(code: string, status: number, response: HttpResponse, context: ProviderContext, botToken: string): ProviderError {
	const category = mapSlackError(code, status);
	return new ProviderError({
		provider: PROVIDER,
		category,
		retryable: isRetryableCategory(category),
		message: redactSlack(code, botToken),
		providerCode: code,
		httpStatus: status,
		retryAfterMs: parseRetryAfter(response.headers['retry-after'], context.now()),
		hint: slackErrorHint(category, code),
	});
}

/** POSTs one Web API call; resolves with the parsed `{ok: true, …}` body, or throws a classified ProviderError. */
async function callSlack(method: string, body: Record<string, unknown>, config: SlackConfig, context: ProviderContext): Promise<Record<string, unknown>> {
	const response = await callProvider(PROVIDER, context, {
		method: 'POST',
		url: joinUrl(base(config, context), method),
		headers: { authorization: `Bearer ${config.botToken}`, 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
		body: JSON.stringify(body),
	});
	const parsed = envelopeSchema.safeParse(parseJsonBody(response.body));
	if (response.status === 429) throw slackError(parsed.success ? (parsed.data.error ?? 'ratelimited') : 'ratelimited', 429, response, context, config.botToken);
	if (parsed.success && parsed.data.ok === false) throw slackError(parsed.data.error ?? `http_${response.status}`, response.status, response, context, config.botToken);
	if (response.status < 200 || response.status > 299) throw slackError(`http_${response.status}`, response.status, response, context, config.botToken);
	if (!parsed.success) {
		throw new ProviderError({
			provider: PROVIDER,
			category: 'unknown',
			retryable: false,
			message: `${method} answered HTTP ${response.status} with a body that is not a Web API response`,
			httpStatus: response.status,
			hint: 'Something other than the Slack Web API answered (a proxy?). Check the Base URL; the message may have been sent.',
		});
	}
	return parsed.data as Record<string, unknown>;
}

export const slackProvider: ProviderDefinition<SlackConfig> = {
	id: 'slack',
	name: 'Slack',
	channels: ['slack'],
	platform: 'slack',
	documentationUrl: 'https://api.slack.com/methods/chat.postMessage',
	credentialFields: [
		{
			name: 'botToken',
			displayName: 'Bot Token',
			type: 'password',
			required: true,
			description: 'Bot User OAuth Token (xoxb-…) from your app\'s OAuth & Permissions page; needs chat:write (and reactions:write for reactions).',
			placeholder: 'xoxb-…',
		},
		{
			name: 'signingSecret',
			displayName: 'Signing Secret',
			type: 'password',
			required: false,
			webhookOnly: true,
			description: 'Basic Information → App Credentials → Signing Secret. Used only to verify incoming Slack requests (X-Slack-Signature).',
		},
		{
			name: 'baseUrl',
			displayName: 'Base URL',
			type: 'string',
			required: false,
			description: 'Leave empty for the public API. Set for a regional endpoint or a test server.',
		},
	],
	rateLimits: [
		{
			scope: 'recipient',
			perSecond: 1,
			burst: 1,
			description: 'Slack: chat.postMessage allows about 1 message per second per channel (short bursts tolerated), under a workspace-wide ceiling.',
		},
	],

	parseConfig(value) {
		const botToken = requiredText(PROVIDER, value, 'botToken', 'Paste the Bot User OAuth Token (xoxb-…).', CHAT_TEXT);
		if (!/^xox[a-z]-[A-Za-z0-9-]+$/.test(botToken)) {
			throw new InvalidProviderConfigError(PROVIDER, 'botToken', 'does not look like a Slack OAuth token (xoxb-…)', 'Use the Bot User OAuth Token from OAuth & Permissions, not the signing secret or an app-level (xapp-) token.');
		}
		const config: SlackConfig = { botToken };
		const signingSecret = optionalText(PROVIDER, value, 'signingSecret', CHAT_TEXT);
		if (signingSecret !== undefined) config.signingSecret = signingSecret;
		const baseUrl = optionalBaseUrl(PROVIDER, value, { text: CHAT_TEXT, hint: 'Leave Base URL empty for the public API (https://slack.com/api), or enter a full URL.' });
		if (baseUrl !== undefined) config.baseUrl = baseUrl;
		return config;
	},

	renderOptions() {
		return {};
	},

	/** One bot token = one Slack app installation; a hash, never the token itself (keys may be stored). */
	senderKey(config) {
		return `slack:${createHash('sha256').update(config.botToken).digest('hex').slice(0, 16)}`;
	},

	async send(input, context): Promise<ProviderSuccess> {
		const ids: string[] = [];
		let reacted: string | undefined;
		for (const payload of input.payloads) {
			if (!METHODS.has(payload.endpoint)) {
				throw new ProviderError({
					provider: PROVIDER,
					category: 'config',
					retryable: false,
					message: `cannot send "${payload.endpoint}" payloads with a bot token`,
					hint: 'This provider posts with chat.postMessage; render for Slack without the webhook variant.',
				});
			}
			const target = `${String(payload.body.channel)}:${String(payload.body.timestamp)}`;
			let answer: Record<string, unknown>;
			try {
				answer = await callSlack(payload.endpoint, payload.body, input.config, context);
			} catch (error) {
				if (payload.endpoint === 'reactions.add' && error instanceof ProviderError && error.providerCode === 'already_reacted') {
					reacted ??= target;
					continue;
				}
				throw error;
			}
			if (payload.endpoint === 'reactions.add') {
				reacted ??= target;
				continue;
			}
			const posted = postedSchema.safeParse(answer);
			if (!posted.success) {
				throw new ProviderError({
					provider: PROVIDER,
					category: 'unknown',
					retryable: false,
					message: 'chat.postMessage succeeded but did not name the channel and ts of the message',
					hint: 'The message was probably sent; check the channel before sending again.',
				});
			}
			ids.push(`${posted.data.channel}:${posted.data.ts}`);
		}
		return chatResult(PROVIDER, ids, reacted, 'Web API call');
	},

	async verifyCredentials(config, context) {
		const answer = authSchema.safeParse(await callSlack('auth.test', {}, config, context));
		if (!answer.success) return {};
		const { user, team } = answer.data;
		return { account: user && team ? `${user} @ ${team}` : (user ?? team ?? answer.data.user_id) };
	},
};
