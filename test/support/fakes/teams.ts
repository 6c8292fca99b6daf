/**
 * A fake for the Teams provider (providers.md §5): on ONE server, like the provider's Base URL
 * expects (core/providers/teams/token.ts),
 *
 *   POST /{tenant}/oauth2/v2.0/token                                  Microsoft identity platform, client credentials
 *   POST /v1.0/chats/{chat-id}/messages                               Microsoft Graph (201 chatMessage)
 *   POST /v1.0/teams/{team-id}/channels/{channel-id}/messages[/{id}/replies]
 *   POST /workflows/{id}/triggers/manual/paths/invoke?…&sig=…         Power Automate Workflows webhook (202)
 *
 * with the real error shapes: AADSTS token errors, Graph `{error:{code,message,innerError}}`, and
 * the Logic Apps signature error. Graph accepts only tokens this fake issued and has not revoked.
 */
import { FakeServer, type FakeReply, type RecordedRequest } from './server';

export interface TeamsFakeOptions {
	tenantId: string;
	clientId: string;
	clientSecret: string;
	/** The workflow's `sig` query value. */
	workflowSig: string;
	/** Token lifetime in seconds (Entra: 3599). */
	expiresIn?: number;
}

/** A Graph error reply: `{error:{code,message,innerError}}`. */
export function graphApiError(status: number, code: string, message: string, headers?: Record<string, string>): FakeReply {
	return {
		status,
		headers,
		body: { error: { code, message, innerError: { date: '2026-06-01T08:00:00', 'request-id': 'a1b2c3d4-0000-4000-8000-000000000001', 'client-request-id': 'a1b2c3d4-0000-4000-8000-000000000002' } } },
	};
}

/** An Entra token error reply (`AADSTS…`). */
export function aadError(status: number, error: string, code: number, description: string): FakeReply {
	return {
		status,
		body: {
			error,
			error_description: `AADSTS${code}: ${description}\r\nTrace ID: 0c9a1f2e-0000-4000-8000-000000000000\r\nCorrelation ID: 5d6e7f80-0000-4000-8000-000000000000\r\nTimestamp: 2026-06-01 08:00:00Z`,
			error_codes: [code],
			timestamp: '2026-06-01 08:00:00Z',
			trace_id: '0c9a1f2e-0000-4000-8000-000000000000',
			correlation_id: '5d6e7f80-0000-4000-8000-000000000000',
			error_uri: `https://login.microsoftonline.com/error?code=${code}`,
		},
	};
}

export const WORKFLOW_PATH = '/workflows/4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f/triggers/manual/paths/invoke';

export class TeamsFake extends FakeServer {
	readonly options: TeamsFakeOptions;
	/** Tokens issued, in order; revoke() empties the valid set. */
	readonly issued: string[];
	readonly #valid: Set<string>;

	constructor(options: TeamsFakeOptions) {
		const issued: string[] = [];
		const valid = new Set<string>();
		let messageId = 1779979900000;
		let tokenNumber = 0;
		const bearer = (request: RecordedRequest) => (request.headers.authorization ?? '').replace(/^Bearer /, '');
		const graphPost = (request: RecordedRequest): FakeReply => {
			if (!valid.has(bearer(request))) return graphApiError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
			const body = request.json as { body?: { contentType?: unknown; content?: unknown } } | undefined;
			if (typeof body?.body?.content !== 'string') return graphApiError(400, 'BadRequest', 'Missing body content');
			const id = String(++messageId);
			const parts = request.path.split('/').map(decodeURIComponent);
			const channel = parts[2] === 'teams' ? { teamId: parts[3], channelId: parts[5] } : null;
			return {
				status: 201,
				body: {
					'@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#chats/messages/$entity',
					id,
					replyToId: request.path.endsWith('/replies') ? parts[7] : null,
					etag: id,
					messageType: 'message',
					createdDateTime: '2026-06-01T08:00:00.000Z',
					chatId: channel ? null : parts[3],
					channelIdentity: channel,
					importance: 'normal',
					body: body.body,
					from: { application: null, device: null, user: { id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', displayName: 'Migration', userIdentityType: 'aadUser' } },
					attachments: [],
					mentions: [],
					reactions: [],
				},
			};
		};
		super([
			{
				method: 'POST',
				path: /^\/[^/]+\/oauth2\/v2\.0\/token$/,
				handler: (request) => {
					const tenant = decodeURIComponent(request.path.split('/')[1]!);
					if (tenant !== options.tenantId) {
						return aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
					}
					const form = request.form ?? new URLSearchParams();
					if (form.get('grant_type') !== 'client_credentials') return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
					if (form.get('client_id') !== options.clientId) {
						return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory.`);
					}
					if (form.get('client_secret') !== options.clientSecret) {
						return aadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${options.clientId}'.`);
					}
					if (!/\/\.default$/.test(form.get('scope') ?? '')) return aadError(400, 'invalid_scope', 1002012, 'The provided value for scope is not valid.');
					const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake-${++tokenNumber}.sig`;
					issued.push(token);
					valid.add(token);
					const expires = options.expiresIn ?? 3599;
					return { status: 200, body: { token_type: 'Bearer', expires_in: expires, ext_expires_in: expires, access_token: token } };
				},
			},
			{ method: 'POST', path: /^\/v1\.0\/chats\/[^/]+\/messages$/, handler: graphPost },
			{ method: 'POST', path: /^\/v1\.0\/teams\/[^/]+\/channels\/[^/]+\/messages(\/[^/]+\/replies)?$/, handler: graphPost },
			{
				method: 'POST',
				path: /^\/workflows\/[^/]+\/triggers\/manual\/paths\/invoke$/,
				handler: (request) => {
					if (request.query.get('sig') !== options.workflowSig) {
						return {
							status: 401,
							body: {
								error: {
									code: 'DirectApiInvalidAuthorizationSignature',
									message: "The provided authorization signature for the request to 'workflow trigger' is not valid.",
								},
							},
						};
					}
					const body = request.json as { type?: unknown; attachments?: unknown } | undefined;
					if (body?.type !== 'message' || !Array.isArray(body.attachments)) {
						return { status: 400, body: { error: { code: 'TriggerInputSchemaMismatch', message: "The input body for trigger 'manual' of type 'Request' did not match its schema definition." } } };
					}
					return { status: 202, headers: { 'x-ms-workflow-run-id': `08584${String(issued.length).padStart(3, '0')}${request.receivedAt}CU00` } };
				},
			},
		]);
		this.options = options;
		this.issued = issued;
		this.#valid = valid;
	}

	/** A workflow URL on this fake, with the given sig (default: the valid one). */
	workflowUrl(sig = this.options.workflowSig): string {
		return `${this.url}${WORKFLOW_PATH}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`;
	}

	/** Forgets recorded requests, scripted answers and the list of issued tokens (they stay valid). */
	override reset(): void {
		super.reset();
		this.issued.length = 0;
	}

	/** Every issued token stops working (revoked before expiry). */
	revoke(): void {
		this.#valid.clear();
	}

	get tokenRequests(): RecordedRequest[] {
		return this.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token'));
	}

	get graphRequests(): RecordedRequest[] {
		return this.requests.filter((r) => r.path.startsWith('/v1.0/'));
	}
}
