/**
 * Microsoft Teams, in one of two modes (credential field `mode`, render variant of the same name):
 *
 * - graph (providers.md §5.1): a client-credentials token (./token.ts), then
 *   `POST {graph}/v1.0/{endpoint}` where the renderer's endpoint is `chats/{id}/messages`,
 *   `teams/{t}/channels/{c}/messages` or `…/messages/{id}/replies`. 201 `{id}` → `sent`.
 *   Caveat: Microsoft Graph accepts application (client-credentials) tokens for these posts only when
 *   importing messages into a team in migration mode; for live chats Graph answers 401/403
 *   "…allowed in application-only context only for import purposes", classified `config` with a
 *   hint to use Workflows. With a Base URL, both the token request and the Graph call go there
 *   (see ./token.ts).
 * - workflows (§5.3): `POST {workflowUrl}` with the rendered Adaptive Card message. 202 Accepted with
 *   an empty body: the flow runs later and its failures show only in the flow's run history. The
 *   id is the `x-ms-workflow-run-id` response header when present (Logic Apps / Power Automate
 *   send it for request triggers), else a generated `workflows:<uuid>` — an id of ours, not Microsoft's.
 *   The URL's `sig` parameter is the secret: the URL is never quoted in errors. With a Base URL,
 *   the request goes to the Base URL with the workflow URL's path and query (tests, proxies).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod/v4';
import { InvalidProviderConfigError, ProviderError } from '../../errors';
import type { PlatformPayload, RenderOptions } from '../../platforms/types';
import { callProvider, isRetryableCategory, joinUrl, parseJsonBody, parseRetryAfter } from '../shared/http';
import { baseUrlField, httpUrl, optionalBaseUrl, resolveBase } from '../shared/config';
import { GRAPH_TEXT, graphRedactor, optionalString, redact, requiredString, unreadableSuccess, type ErrorClass } from '../shared/graph';
import { sendInOrder } from '../shared/send';
import type { CredentialField, HttpResponse, ProviderContext, ProviderDefinition, ProviderSuccess, RateLimitRule, SendInput } from '../types';
import { APP_ONLY_PATTERN, mapTeamsGraphError, mapTeamsWorkflowError } from './map-teams-error';
import { GRAPH_BASE, forgetGraphToken, graphToken, tokenEndpoint, type ClientCredentials } from './token';

const NAME = 'Microsoft Teams';

export type TeamsConfig =
	| { mode: 'graph'; tenantId: string; clientId: string; clientSecret: string; baseUrl?: string }
	| { mode: 'workflows'; workflowUrl: string; baseUrl?: string };

const credentialFields: readonly CredentialField[] = [
	{
		name: 'mode',
		displayName: 'Mode',
		type: 'options',
		required: true,
		default: 'graph',
		description: 'How messages reach Teams: Microsoft Graph with an app registration, or a Teams Workflows webhook (Power Automate).',
		options: [
			{
				name: 'Microsoft Graph',
				value: 'graph',
				description:
					'Post to chats and channels with an app registration (client credentials). Graph accepts app tokens for posting only when importing into a team in migration mode; for live messages use Workflows.',
			},
			{ name: 'Workflows Webhook', value: 'workflows', description: 'Post an Adaptive Card to the URL of a flow started by "When a Teams webhook request is received".' },
		],
	},
	{
		name: 'tenantId',
		displayName: 'Tenant ID',
		type: 'string',
		required: false,
		placeholder: '8f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
		description: 'Graph mode: the Directory (tenant) ID (Microsoft Entra admin center → Overview), or the tenant domain (contoso.onmicrosoft.com).',
	},
	{
		name: 'clientId',
		displayName: 'Client ID',
		type: 'string',
		required: false,
		placeholder: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
		description: 'Graph mode: the Application (client) ID of the app registration (Entra admin center → App registrations).',
	},
	{
		name: 'clientSecret',
		displayName: 'Client Secret',
		type: 'password',
		required: false,
		description:
			'Graph mode: a client secret Value of the app registration (Certificates & secrets; the Value, not the Secret ID). ' +
			'The app needs Graph application permissions and admin consent; note that Graph lets app tokens post chat/channel messages only for migration (Teamwork.Migrate.All).',
	},
	{
		name: 'workflowUrl',
		displayName: 'Workflow URL',
		type: 'password',
		required: false,
		placeholder: 'https://prod-00.westeurope.logic.azure.com/workflows/…/triggers/manual/paths/invoke?…&sig=…',
		description:
			'Workflows mode: the HTTP POST URL of the flow’s "When a Teams webhook request is received" trigger (Teams → channel → Workflows). Its sig= part is a secret.',
	},
	baseUrlField,
];

const rateLimits: readonly RateLimitRule[] = [
	{
		scope: 'recipient',
		perSecond: 7,
		burst: 7,
		description: 'About 7 messages/second per chat or channel thread (Teams: 7 per 1 s, 8 per 2 s, 60 per 30 s, 1800 per hour) → HTTP 429.',
	},
	{ scope: 'provider', perSecond: 50, burst: 50, description: 'About 50 requests/second per app per tenant (Teams) → HTTP 429 with Retry-After.' },
];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)+|common|organizations)$/i;

function parseConfig(raw: Record<string, unknown>): TeamsConfig {
	const mode = optionalString(NAME, raw, 'mode') ?? 'graph';
	const baseUrl = optionalBaseUrl(NAME, raw, { text: GRAPH_TEXT });
	const base = baseUrl === undefined ? {} : { baseUrl };
	if (mode === 'workflows') {
		const value = requiredString(NAME, raw, 'workflowUrl', 'Copy the HTTP POST URL from the flow’s "When a Teams webhook request is received" trigger.');
		return { mode, workflowUrl: httpUrl(NAME, 'workflowUrl', value, { secret: true }), ...base };
	}
	if (mode !== 'graph') throw new InvalidProviderConfigError(NAME, 'mode', `must be "graph" or "workflows" (got "${mode.slice(0, 20)}")`);
	const tenantId = requiredString(NAME, raw, 'tenantId', 'Graph mode needs the Directory (tenant) ID from the Entra admin center.');
	if (!TENANT.test(tenantId)) {
		throw new InvalidProviderConfigError(NAME, 'tenantId', 'must be the tenant GUID or its domain (contoso.onmicrosoft.com)', 'Copy the Directory (tenant) ID from Entra admin center → Overview.');
	}
	const clientId = requiredString(NAME, raw, 'clientId', 'Graph mode needs the Application (client) ID of the app registration.');
	if (!GUID.test(clientId)) throw new InvalidProviderConfigError(NAME, 'clientId', 'must be the Application (client) ID, a GUID', 'Copy it from App registrations → Overview.');
	const clientSecret = requiredString(NAME, raw, 'clientSecret', 'Graph mode needs a client secret Value (App registrations → Certificates & secrets).');
	return { mode, tenantId, clientId, clientSecret, ...base };
}

/** The values that must never appear anywhere: the secret, the whole workflow URL and its sig. */
function secretsOf(config: TeamsConfig): string[] {
	if (config.mode === 'graph') return [config.clientSecret];
	const out = [config.workflowUrl];
	try {
		const sig = new URL(config.workflowUrl).searchParams.get('sig');
		if (sig) out.push(sig);
	} catch {
		// parseConfig checked the URL
	}
	return out;
}

const graphErrorSchema = z.object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }) });

function responseError(response: HttpResponse, klass: ErrorClass, code: string | undefined, message: string | undefined, context: ProviderContext, secrets: string[]) {
	const retryable = isRetryableCategory(klass.category);
	const what = message ?? (response.body.trim() === '' ? `HTTP ${response.status}` : `HTTP ${response.status}: ${response.body.trim().slice(0, 200)}`);
	return new ProviderError({
		provider: NAME,
		category: klass.category,
		retryable,
		message: redact(code ? `${code}: ${what}` : what, secrets),
		providerCode: code ?? response.status,
		httpStatus: response.status,
		retryAfterMs: retryable ? parseRetryAfter(response.headers['retry-after'], context.now()) : null,
		hint: klass.hint,
	});
}

function readError(response: HttpResponse): { code?: string; message?: string } {
	const parsed = graphErrorSchema.safeParse(parseJsonBody(response.body));
	return parsed.success ? parsed.data.error : {};
}

async function call(context: ProviderContext, secrets: string[], req: Parameters<typeof callProvider>[2]): Promise<HttpResponse> {
	return callProvider(NAME, context, req, graphRedactor(secrets));
}

// ---------------------------------------------------------------------------------------------------
// Graph

const createdSchema = z.object({ id: z.string().min(1) });

async function postGraph(payload: PlatformPayload, config: Extract<TeamsConfig, { mode: 'graph' }>, context: ProviderContext): Promise<string> {
	const secrets = secretsOf(config);
	const graphBase = resolveBase(context, config.baseUrl, GRAPH_BASE);
	const endpoint = tokenEndpoint(graphBase, config.tenantId);
	const credentials: ClientCredentials = { tenantId: config.tenantId, clientId: config.clientId, clientSecret: config.clientSecret };
	const url = joinUrl(joinUrl(graphBase, 'v1.0'), payload.endpoint);
	const attempt = async (fresh: boolean) => {
		const { token, cached } = await graphToken(NAME, endpoint, credentials, context, { fresh });
		const response = await call(context, secrets, {
			method: 'POST',
			url,
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
			body: JSON.stringify(payload.body),
		});
		return { response, cached };
	};
	let { response, cached } = await attempt(false);
	if (response.status === 401 && cached && !APP_ONLY_PATTERN.test(readError(response).message ?? '')) {
		// A cached token revoked before its expiry: renew it once.
		forgetGraphToken(endpoint, credentials);
		({ response } = await attempt(true));
	}
	if (response.status < 200 || response.status > 299) {
		const { code, message } = readError(response);
		throw responseError(response, mapTeamsGraphError(code, message, response.status), code, message, context, secrets);
	}
	const parsed = createdSchema.safeParse(parseJsonBody(response.body));
	if (!parsed.success) throw unreadableSuccess(NAME, response, 'the created chatMessage {"id":"…"}');
	return parsed.data.id;
}

// ---------------------------------------------------------------------------------------------------
// Workflows

function workflowTarget(config: Extract<TeamsConfig, { mode: 'workflows' }>, context: ProviderContext): string {
	const base = context.baseUrl ?? config.baseUrl;
	if (base === undefined) return config.workflowUrl;
	const url = new URL(config.workflowUrl);
	return `${base.replace(/\/+$/, '')}${url.pathname}${url.search}`;
}

async function postWorkflow(payload: PlatformPayload, config: Extract<TeamsConfig, { mode: 'workflows' }>, context: ProviderContext): Promise<string> {
	const secrets = secretsOf(config);
	const response = await call(context, secrets, {
		method: 'POST',
		url: workflowTarget(config, context),
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(payload.body),
	});
	if (response.status < 200 || response.status > 299) {
		const { code, message } = readError(response);
		throw responseError(response, mapTeamsWorkflowError(code, response.status), code, message, context, secrets);
	}
	const runId = response.headers['x-ms-workflow-run-id'];
	return runId && runId.trim() !== '' ? runId.trim() : `workflows:${randomUUID()}`;
}

// ---------------------------------------------------------------------------------------------------

async function send(input: SendInput<TeamsConfig>, context: ProviderContext): Promise<ProviderSuccess> {
	const { config } = input;
	const ids = await sendInOrder(NAME, input.payloads, (payload) => (config.mode === 'graph' ? postGraph(payload, config, context) : postWorkflow(payload, config, context)));
	return { externalId: ids[0]!, externalIds: ids, status: 'sent' };
}

/**
 * Graph: a fresh token request proves tenant, client id and secret (not the posting permission —
 * only a post can). Workflows: nothing can be checked without posting a message, so only the URL's
 * shape (parseConfig) is checked and no request is made.
 */
async function verifyCredentials(config: TeamsConfig, context: ProviderContext): Promise<{ account?: string }> {
	if (config.mode === 'workflows') return { account: new URL(config.workflowUrl).host };
	const graphBase = resolveBase(context, config.baseUrl, GRAPH_BASE);
	await graphToken(NAME, tokenEndpoint(graphBase, config.tenantId), config, context, { fresh: true });
	return { account: `app ${config.clientId} in tenant ${config.tenantId}` };
}

export const teamsProvider: ProviderDefinition<TeamsConfig> = {
	id: 'teams',
	name: NAME,
	channels: ['teams'],
	platform: 'teams',
	documentationUrl: 'https://learn.microsoft.com/en-us/graph/api/chatmessage-post',
	credentialFields,
	rateLimits,
	parseConfig,
	renderOptions: (config: TeamsConfig): RenderOptions => ({ variant: config.mode }),
	// Graph: one app in one tenant; workflows: the flow (its URL without the sig query).
	senderKey: (config: TeamsConfig) => (config.mode === 'graph' ? `${config.tenantId}:${config.clientId}` : `${new URL(config.workflowUrl).host}${new URL(config.workflowUrl).pathname}`),
	send,
	verifyCredentials,
};
