import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { InvalidProviderConfigError, ProviderError } from '../../../core/errors';
import { teamsProvider, type TeamsConfig } from '../../../core/providers/teams';
import { clearTeamsTokenCache, tokenEndpoint } from '../../../core/providers/teams/token';
import { undiciHttpClient } from '../../../core/providers/shared/http';
import type { ProviderContext } from '../../../core/providers/types';
import { parseMessage, render } from '../../../core/render';
import type { MessageInput } from '../../../core/schema/message';
import { TeamsFake, WORKFLOW_PATH, aadError, graphApiError } from '../../support/fakes/teams';
import { outboundMessages } from '../../support/platform-test-kit';

const TENANT = '8f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const CLIENT_ID = '2c7e9f10-1111-4a4a-9b9b-123456789abc';
const SECRET = 'Qx8Q~teamsClientSecretValue.0123456789abcd';
const SIG = 'AbCdEfSignature0123456789_xyzSIGvalue';
const CHAT = '19:example_chat@unq.gbl.spaces';
const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

const fake = new TeamsFake({ tenantId: TENANT, clientId: CLIENT_ID, clientSecret: SECRET, workflowSig: SIG });
const outbound = outboundMessages({ id: 'out-1', channel: 'teams', provider: 'teams', conversation: { id: CHAT, type: 'group' } });

let clock = Date.parse('2026-06-01T08:00:00.000Z');
let graph: TeamsConfig;
let workflows: TeamsConfig;
const context = (extra: Partial<ProviderContext> = {}): ProviderContext => ({ http: undiciHttpClient, now: () => new Date(clock), timeoutMs: 2_000, baseUrl: fake.url, ...extra });

function send(message: MessageInput, cfg: TeamsConfig = graph, ctx = context()) {
	const rendered = render(message, 'teams', teamsProvider.renderOptions(cfg, 'teams'));
	return teamsProvider.send({ message: parseMessage(message), payloads: rendered.payloads, config: cfg, to: CHAT }, ctx);
}

const seen: ProviderError[] = [];
async function sendError(message: MessageInput, cfg: TeamsConfig = graph, ctx = context()): Promise<ProviderError> {
	try {
		await send(message, cfg, ctx);
	} catch (error) {
		assert.ok(error instanceof ProviderError, `expected ProviderError, got ${String(error)}`);
		seen.push(error);
		return error;
	}
	assert.fail('expected the send to fail');
}

const text = outbound([{ type: 'text', text: 'Deployment 812 is live' }]);
const isGraph = (r: { path: string }) => r.path.startsWith('/v1.0/');
const isWorkflow = (r: { path: string }) => r.path === WORKFLOW_PATH;

before(async () => {
	await fake.start();
	graph = teamsProvider.parseConfig({ mode: 'graph', tenantId: TENANT, clientId: CLIENT_ID, clientSecret: SECRET });
	workflows = teamsProvider.parseConfig({ mode: 'workflows', workflowUrl: fake.workflowUrl() });
});
after(() => fake.stop());
beforeEach(() => {
	fake.reset();
	clearTeamsTokenCache();
	clock = Date.parse('2026-06-01T08:00:00.000Z');
});

describe('teams provider, graph mode: sending', () => {
	it('text to a chat: a client-credentials token, then POST /v1.0/chats/{id}/messages with it → 201 id, sent', async () => {
		const result = await send(text);
		assert.equal(fake.requests.length, 2);
		const [token, post] = fake.requests;
		assert.equal(token!.path, `/${TENANT}/oauth2/v2.0/token`);
		assert.equal(token!.form!.get('grant_type'), 'client_credentials');
		assert.equal(token!.form!.get('client_id'), CLIENT_ID);
		assert.equal(token!.form!.get('client_secret'), SECRET);
		assert.equal(token!.form!.get('scope'), 'https://graph.microsoft.com/.default');
		assert.equal(post!.path, `/v1.0/chats/${encodeURIComponent(CHAT)}/messages`);
		assert.equal(post!.headers.authorization, `Bearer ${fake.issued[0]}`);
		assert.deepEqual(post!.json, { body: { contentType: 'text', content: 'Deployment 812 is live' } });
		assert.match(result.externalId, /^\d{13}$/);
		assert.deepEqual(result.externalIds, [result.externalId]);
		assert.equal(result.status, 'sent');
	});

	it('buttons and an image become Adaptive Card attachments (content as a JSON string)', async () => {
		await send(
			outbound([
				{ type: 'text', text: 'Release **approved**', format: 'markdown' },
				{ type: 'media', kind: 'image', url: 'https://cdn.example.test/chart.png' },
				{ type: 'buttons', text: 'Open', buttons: [{ title: 'Pipeline', action: 'url', url: 'https://ci.example.test/812' }] },
			]),
		);
		const body = fake.graphRequests[0]!.json as { body: { contentType: string; content: string }; attachments: Array<{ id: string; contentType: string; content: string }> };
		assert.equal(body.body.contentType, 'html');
		assert.match(body.body.content, /<attachment id="1"><\/attachment>/);
		assert.equal(body.attachments.length, 2);
		assert.ok(body.attachments.every((a) => a.contentType === ADAPTIVE && typeof a.content === 'string'));
		assert.equal((JSON.parse(body.attachments[1]!.content) as { actions: Array<{ type: string }> }).actions[0]!.type, 'Action.OpenUrl');
	});

	it('a reply in a channel thread: POST /v1.0/teams/{t}/channels/{c}/messages/{id}/replies', async () => {
		const channel = outboundMessages({ id: 'out-2', channel: 'teams', provider: 'teams', conversation: { id: '19:abcDEF@thread.tacv2', type: 'channel' } });
		const message = channel([{ type: 'text', text: 'Rolled back' }], { replyTo: { messageId: '1779979000000' }, metadata: { teamId: 'team-1' } });
		const rendered = render(message, 'teams', { variant: 'graph' });
		await teamsProvider.send({ message: parseMessage(message), payloads: rendered.payloads, config: graph, to: '19:abcDEF@thread.tacv2' }, context());
		assert.equal(fake.graphRequests[0]!.path, `/v1.0/teams/team-1/channels/${encodeURIComponent('19:abcDEF@thread.tacv2')}/messages/1779979000000/replies`);
	});
});

describe('teams provider, graph mode: token cache', () => {
	it('one token request for several sends; a new one once the token is near expiry (injected clock)', async () => {
		await send(text);
		await send(text);
		await send(text);
		assert.equal(fake.tokenRequests.length, 1);
		assert.equal(fake.graphRequests.length, 3);
		// 3599 s lifetime, renewed 5 minutes before: still cached at +3298 s, renewed at +3300 s.
		clock += 3_298_000;
		await send(text);
		assert.equal(fake.tokenRequests.length, 1);
		clock += 2_000;
		await send(text);
		assert.equal(fake.tokenRequests.length, 2);
		assert.equal(fake.graphRequests.at(-1)!.headers.authorization, `Bearer ${fake.issued[1]}`);
	});

	it('concurrent sends share one token request', async () => {
		await Promise.all([send(text), send(text), send(text), send(text)]);
		assert.equal(fake.tokenRequests.length, 1);
		assert.equal(fake.graphRequests.length, 4);
	});

	it('a cached token Graph refuses (revoked) is renewed once and the send succeeds', async () => {
		await send(text);
		fake.revoke();
		const result = await send(text);
		assert.equal(fake.tokenRequests.length, 2);
		assert.match(result.externalId, /^\d+$/);
	});

	it('different credentials do not share a token', async () => {
		await send(text);
		const other = teamsProvider.parseConfig({ mode: 'graph', tenantId: TENANT, clientId: CLIENT_ID, clientSecret: 'another-secret-value-0000' });
		const error = await sendError(text, other);
		assert.equal(error.category, 'auth');
		assert.equal(fake.tokenRequests.length, 2);
	});

	it('token endpoint: derived from the Base URL for test servers, national clouds get their login host', () => {
		assert.deepEqual(tokenEndpoint('http://127.0.0.1:1234', TENANT), { url: `http://127.0.0.1:1234/${TENANT}/oauth2/v2.0/token`, scope: 'https://graph.microsoft.com/.default' });
		assert.deepEqual(tokenEndpoint('https://graph.microsoft.com', TENANT), { url: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`, scope: 'https://graph.microsoft.com/.default' });
		assert.deepEqual(tokenEndpoint('https://graph.microsoft.us', TENANT), { url: `https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`, scope: 'https://graph.microsoft.us/.default' });
	});
});

describe('teams provider, graph mode: errors', () => {
	it('app-only posting refused (401/403 "…application-only context only for import purposes") → config with the Workflows hint, no token loop', async () => {
		for (const status of [401, 403]) {
			fake.reset();
			fake.next(graphApiError(status, status === 401 ? 'Unauthorized' : 'Forbidden', 'Message POST is allowed in application-only context only for import purposes. Refer to https://docs.microsoft.com/microsoftteams/platform/graph-api/import-messages/import-external-messages-to-teams for more details.'), isGraph);
			const error = await sendError(text);
			assert.equal(error.category, 'config');
			assert.equal(error.retryable, false);
			assert.match(error.hint!, /Workflows/);
			assert.ok(fake.tokenRequests.length <= 1);
		}
	});

	const cases: Array<[string, ReturnType<typeof graphApiError>, string, boolean]> = [
		['403 Forbidden (no permission)', graphApiError(403, 'Forbidden', 'Missing role permissions on the request.'), 'auth', false],
		['404 chat not found', graphApiError(404, 'NotFound', 'Resource not found'), 'recipient', false],
		['400 bad request', graphApiError(400, 'BadRequest', 'Invalid value for body.content'), 'content', false],
		['412 precondition failed', graphApiError(412, 'PreconditionFailed', 'Retry the request'), 'transient', true],
		['502 gateway', { status: 502, body: '<html>Bad Gateway</html>' }, 'transient', true],
	];
	for (const [name, reply, category, retryable] of cases) {
		it(`${name} → ${category}`, async () => {
			fake.next(reply, isGraph);
			const error = await sendError(text);
			assert.equal(error.category, category);
			assert.equal(error.retryable, retryable);
			assert.equal(error.httpStatus, reply.status);
		});
	}

	it('429 and 503 with Retry-After → rate_limited / transient with retryAfterMs; the Graph code is kept', async () => {
		fake.next(graphApiError(429, 'TooManyRequests', 'Too many requests', { 'retry-after': '4' }), isGraph);
		const limited = await sendError(text);
		assert.equal(limited.category, 'rate_limited');
		assert.equal(limited.retryAfterMs, 4_000);
		assert.equal(limited.providerCode, 'TooManyRequests');
		fake.next(graphApiError(503, 'ServiceNotAvailable', 'Service unavailable', { 'retry-after': '9' }), isGraph);
		const unavailable = await sendError(text);
		assert.equal(unavailable.category, 'transient');
		assert.equal(unavailable.retryAfterMs, 9_000);
	});

	it('token errors: a wrong secret → auth (AADSTS7000215); unknown tenant / client id → config; none quotes the secret', async () => {
		const wrongSecret = teamsProvider.parseConfig({ mode: 'graph', tenantId: TENANT, clientId: CLIENT_ID, clientSecret: 'Zz8Q~wrongSecretValue.000000000000' });
		const auth = await sendError(text, wrongSecret);
		assert.equal(auth.category, 'auth');
		assert.equal(auth.providerCode, 'AADSTS7000215');
		assert.equal(auth.httpStatus, 401);
		assert.match(auth.message, /invalid_client — AADSTS7000215: Invalid client secret provided/);
		assert.doesNotMatch(auth.message, /Trace ID/);
		assert.ok(!auth.description.includes('Zz8Q~wrongSecretValue.000000000000'));
		assert.equal(fake.graphRequests.length, 0);

		const wrongTenant = teamsProvider.parseConfig({ mode: 'graph', tenantId: 'aaaaaaaa-0000-4000-8000-000000000000', clientId: CLIENT_ID, clientSecret: SECRET });
		const tenant = await sendError(text, wrongTenant);
		assert.equal(tenant.category, 'config');
		assert.equal(tenant.providerCode, 'AADSTS90002');

		const wrongClient = teamsProvider.parseConfig({ mode: 'graph', tenantId: TENANT, clientId: 'bbbbbbbb-0000-4000-8000-000000000000', clientSecret: SECRET });
		assert.equal((await sendError(text, wrongClient)).category, 'config');
	});

	it('token endpoint 429 / timeout / reset → retryable', async () => {
		fake.next({ ...aadError(429, 'temporarily_unavailable', 50196, 'The server temporarily blocked this request.'), headers: { 'retry-after': '2' } });
		const limited = await sendError(text);
		assert.equal(limited.category, 'rate_limited');
		assert.equal(limited.retryAfterMs, 2_000);
		fake.next({ hang: true });
		assert.equal((await sendError(text, graph, context({ timeoutMs: 150 }))).category, 'transient');
		fake.next({ reset: true });
		const reset = await sendError(text);
		assert.equal(reset.category, 'transient');
		assert.equal(reset.retryable, true);
	});

	it('Graph post timeout and reset → transient', async () => {
		fake.next({ hang: true }, isGraph);
		assert.equal((await sendError(text, graph, context({ timeoutMs: 150 }))).category, 'transient');
		fake.next({ reset: true }, isGraph);
		assert.equal((await sendError(text)).retryable, true);
	});

	it('a 201 without an id → unknown', async () => {
		fake.next({ status: 201, body: { ok: true } }, isGraph);
		assert.equal((await sendError(text)).category, 'unknown');
	});
});

describe('teams provider, workflows mode', () => {
	it('POSTs the Adaptive Card message to the workflow URL (sig kept) → 202; the run id header is the external id', async () => {
		const result = await send(outbound([{ type: 'text', text: 'Build 812 passed' }, { type: 'buttons', buttons: [{ title: 'Open', action: 'url', url: 'https://ci.example.test/812' }] }]), workflows);
		assert.equal(fake.requests.length, 1);
		const request = fake.requests[0]!;
		assert.equal(request.path, WORKFLOW_PATH);
		assert.equal(request.query.get('sig'), SIG);
		assert.equal(request.headers.authorization, undefined);
		const body = request.json as { type: string; attachments: Array<{ contentType: string; content: { type: string; body: unknown[]; actions: unknown[] } }> };
		assert.equal(body.type, 'message');
		assert.equal(body.attachments[0]!.contentType, ADAPTIVE);
		assert.equal(body.attachments[0]!.content.type, 'AdaptiveCard');
		assert.match(result.externalId, /^08584/);
		assert.equal(result.status, 'sent');
	});

	it('without a run id header the id is a generated workflows:<uuid>', async () => {
		fake.next({ status: 202 });
		const result = await send(text, workflows);
		assert.match(result.externalId, /^workflows:[0-9a-f-]{36}$/);
	});

	it('a Base URL replaces the workflow URL\'s origin, keeping path and query', async () => {
		const elsewhere = teamsProvider.parseConfig({ mode: 'workflows', workflowUrl: `https://prod-00.westeurope.logic.azure.com:443${WORKFLOW_PATH}?api-version=2016-06-01&sig=${SIG}` });
		await send(text, elsewhere, context());
		assert.equal(fake.requests[0]!.path, WORKFLOW_PATH);
		assert.equal(fake.requests[0]!.query.get('sig'), SIG);
	});

	it('a wrong sig → auth, and neither the sig nor the URL appears in the error', async () => {
		const wrongSig = 'WrongSignatureValue0123456789';
		const cfg = teamsProvider.parseConfig({ mode: 'workflows', workflowUrl: fake.workflowUrl(wrongSig) });
		const error = await sendError(text, cfg);
		assert.equal(error.category, 'auth');
		assert.equal(error.providerCode, 'DirectApiInvalidAuthorizationSignature');
		assert.ok(!error.description.includes(wrongSig));
		assert.ok(!error.description.includes(fake.workflowUrl(wrongSig)));
	});

	const cases: Array<[string, { status: number; headers?: Record<string, string>; body?: unknown }, string, boolean, number | null]> = [
		['429 with Retry-After', { status: 429, headers: { 'retry-after': '20' }, body: { error: { code: 'WorkflowRequestsThrottled', message: 'Too many requests' } } }, 'rate_limited', true, 20_000],
		['404 (flow deleted)', { status: 404, body: { error: { code: 'WorkflowNotFound', message: 'The workflow could not be found.' } } }, 'config', false, null],
		['400 body refused', { status: 400, body: { error: { code: 'TriggerInputSchemaMismatch', message: 'The input body did not match its schema definition.' } } }, 'content', false, null],
		['409 flow off', { status: 409, body: { error: { code: 'WorkflowTriggerIsNotEnabled', message: 'The workflow is disabled.' } } }, 'config', false, null],
		['500', { status: 500, body: '' }, 'transient', true, null],
	];
	for (const [name, reply, category, retryable, retryAfterMs] of cases) {
		it(`${name} → ${category}`, async () => {
			fake.next(reply, isWorkflow);
			const error = await sendError(text, workflows);
			assert.equal(error.category, category);
			assert.equal(error.retryable, retryable);
			assert.equal(error.retryAfterMs, retryAfterMs);
		});
	}

	it('timeout and reset → transient, with the URL redacted', async () => {
		fake.next({ hang: true }, isWorkflow);
		const slow = await sendError(text, workflows, context({ timeoutMs: 150 }));
		assert.equal(slow.category, 'transient');
		fake.next({ reset: true }, isWorkflow);
		assert.equal((await sendError(text, workflows)).retryable, true);
	});
});

describe('teams provider: config and verify', () => {
	const bad = (raw: Record<string, unknown>, field: string) =>
		assert.throws(
			() => teamsProvider.parseConfig(raw),
			(e: unknown) => e instanceof InvalidProviderConfigError && e.field === field && !e.description.includes(SECRET) && !e.description.includes(SIG),
		);

	it('mode-dependent requirements and shapes, naming the field', () => {
		bad({ mode: 'bot' }, 'mode');
		bad({ mode: 'graph', clientId: CLIENT_ID, clientSecret: SECRET }, 'tenantId');
		bad({ mode: 'graph', tenantId: 'not a tenant!', clientId: CLIENT_ID, clientSecret: SECRET }, 'tenantId');
		bad({ mode: 'graph', tenantId: TENANT, clientSecret: SECRET }, 'clientId');
		bad({ mode: 'graph', tenantId: TENANT, clientId: 'my-app', clientSecret: SECRET }, 'clientId');
		bad({ mode: 'graph', tenantId: TENANT, clientId: CLIENT_ID }, 'clientSecret');
		bad({ mode: 'workflows' }, 'workflowUrl');
		bad({ mode: 'workflows', workflowUrl: `prod-00.logic.azure.com/x?sig=${SIG}` }, 'workflowUrl');
		bad({ mode: 'graph', tenantId: TENANT, clientId: CLIENT_ID, clientSecret: SECRET, baseUrl: 'nope' }, 'baseUrl');
		assert.equal(teamsProvider.parseConfig({ tenantId: 'contoso.onmicrosoft.com', clientId: CLIENT_ID, clientSecret: SECRET }).mode, 'graph');
	});

	it('static parts: fields in order (baseUrl last), limits per thread and per app, render variant and sender key', () => {
		assert.deepEqual(teamsProvider.credentialFields.map((f) => f.name), ['mode', 'tenantId', 'clientId', 'clientSecret', 'workflowUrl', 'baseUrl']);
		assert.match(teamsProvider.credentialFields.find((f) => f.name === 'clientSecret')!.description, /migration/);
		assert.deepEqual(teamsProvider.rateLimits.map((r) => [r.scope, r.perSecond]), [['recipient', 7], ['provider', 50]]);
		assert.deepEqual(teamsProvider.renderOptions(workflows, 'teams'), { variant: 'workflows' });
		assert.equal(teamsProvider.senderKey(graph, 'teams'), `${TENANT}:${CLIENT_ID}`);
		assert.ok(!teamsProvider.senderKey(workflows, 'teams').includes(SIG));
	});

	it('verifyCredentials: graph makes a token request (wrong secret → auth); workflows makes no request', async () => {
		assert.deepEqual(await teamsProvider.verifyCredentials(graph, context()), { account: `app ${CLIENT_ID} in tenant ${TENANT}` });
		assert.equal(fake.tokenRequests.length, 1);
		const wrong = teamsProvider.parseConfig({ mode: 'graph', tenantId: TENANT, clientId: CLIENT_ID, clientSecret: 'wrong-secret-value-123456' });
		await assert.rejects(teamsProvider.verifyCredentials(wrong, context()), (e: unknown) => {
			assert.ok(e instanceof ProviderError);
			seen.push(e);
			return e.category === 'auth' && !e.description.includes('wrong-secret-value-123456');
		});
		fake.reset();
		const account = await teamsProvider.verifyCredentials(workflows, context());
		assert.equal(fake.requests.length, 0);
		assert.ok(!JSON.stringify(account).includes(SIG));
	});
});

describe('teams provider: secrets', () => {
	it('no error message or hint contains the client secret, the workflow URL or its sig', () => {
		assert.ok(seen.length > 20);
		for (const error of seen) {
			for (const secret of [SECRET, SIG, fake.workflowUrl()]) assert.ok(!`${error.description} ${error.providerCode}`.includes(secret), error.description);
		}
	});
});
