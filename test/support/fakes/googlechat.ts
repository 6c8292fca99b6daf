/**
 * A fake Google Chat (providers.md §7) plus the Google OAuth token endpoint, on one server:
 *
 * - `POST /token` — the JWT bearer grant: checks grant_type, the RS256 signature against the service
 *   account's public key, `iss`, `aud` (this endpoint's URL), `scope` and `exp`; answers
 *   `{access_token: "ya29.…", expires_in: 3599, token_type: "Bearer"}` or RFC 6749 errors
 *   (`invalid_grant` "Invalid JWT Signature.").
 * - `POST /v1/spaces/{space}/messages` — either an incoming webhook (`?key=…&token=…`) or the Chat
 *   API (`Authorization: Bearer <issued token>`). Answers the created Message
 *   (`name: spaces/…/messages/….…`, sender, createTime, thread, space). Wrong key → 400
 *   INVALID_ARGUMENT with reason API_KEY_INVALID; wrong webhook token → 401 UNAUTHENTICATED; wrong or
 *   missing bearer → 401 UNAUTHENTICATED; unknown space → 404 NOT_FOUND.
 * - `POST /v1/spaces/{space}/messages/{message}/reactions` — creates a Reaction.
 * 429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, resets and hangs are scripted with `next(…)`.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { FakeServer, type FakeReply, type RecordedRequest } from './server';

export const CHAT_SPACE = 'spaces/AAAAbCdEfG0';
export const WEBHOOK_KEY = 'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI';
export const WEBHOOK_TOKEN = 'Xq7kZ2b9wPmN4rTeYvBc1dLsHgJfA8uQoIx3ECy5Wk0%3D';
export const SERVICE_ACCOUNT_EMAIL = 'switchboard-chat@acme-chat-app.iam.gserviceaccount.com';

/** A Google API error body, as Chat sends it. */
export function googleError(code: number, status: string, message: string, details?: unknown[]): FakeReply {
	return { status: code, body: { error: { code, message, status, ...(details ? { details } : {}) } } };
}

export class GoogleChatFake extends FakeServer {
	readonly spaces = new Set([CHAT_SPACE]);
	readonly issued = new Set<string>();
	#publicKey: KeyObject | undefined;
	#n = 0;

	constructor(publicKeyPem?: string) {
		let self: GoogleChatFake | undefined;
		super([
			{ method: 'POST', path: /^\/token$/, handler: (r) => self!.#token(r) },
			{ method: 'POST', path: /^\/v1\/spaces\/[^/]+\/messages$/, handler: (r) => self!.#message(r) },
			{ method: 'POST', path: /^\/v1\/spaces\/[^/]+\/messages\/[^/]+\/reactions$/, handler: (r) => self!.#reaction(r) },
		]);
		self = this;
		if (publicKeyPem) this.#publicKey = createPublicKey(publicKeyPem);
	}

	get tokenUri(): string {
		return `${this.url}/token`;
	}

	/** The webhook URL of CHAT_SPACE on this fake (`key` / `token` replaceable). */
	webhookUrl(key = WEBHOOK_KEY, token = WEBHOOK_TOKEN, space = CHAT_SPACE): string {
		return `${this.url}/v1/${space}/messages?key=${key}&token=${token}`;
	}

	override reset(): void {
		super.reset();
		this.issued.clear();
		this.#n = 0;
	}

	#token(request: RecordedRequest): FakeReply {
		const form = request.form ?? new URLSearchParams();
		if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return tokenError('unsupported_grant_type', 'Invalid grant_type');
		const parts = (form.get('assertion') ?? '').split('.');
		if (parts.length !== 3 || !this.#publicKey) return tokenError('invalid_grant', 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.');
		const [header, claims, signature] = parts as [string, string, string];
		const good = verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), this.#publicKey, Buffer.from(signature, 'base64url'));
		if (!good) return tokenError('invalid_grant', 'Invalid JWT Signature.');
		const h = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
		const c = JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>;
		if (h.alg !== 'RS256') return tokenError('invalid_grant', 'Invalid JWT: unsupported algorithm');
		if (c.iss !== SERVICE_ACCOUNT_EMAIL) return tokenError('invalid_grant', 'Invalid grant: account not found');
		if (c.aud !== this.tokenUri) return tokenError('invalid_grant', 'Invalid JWT: audience mismatch');
		if (c.scope !== 'https://www.googleapis.com/auth/chat.bot') return tokenError('invalid_scope', 'Invalid OAuth scope');
		if (typeof c.iat !== 'number' || typeof c.exp !== 'number' || c.exp - c.iat > 3600 || c.exp <= c.iat) {
			return tokenError('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
		}
		this.#n += 1;
		const token = `ya29.c.fake-access-token-${this.#n}`;
		this.issued.add(token);
		return { status: 200, body: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
	}

	/** null when the request may post into `space`, else the error to answer. */
	#authorise(request: RecordedRequest, space: string): FakeReply | null {
		const key = request.query.get('key');
		if (key !== null) {
			if (key !== WEBHOOK_KEY) {
				return googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
					{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'chat.googleapis.com' } },
				]);
			}
			if (request.query.get('token') !== decodeURIComponent(WEBHOOK_TOKEN) || space !== CHAT_SPACE) {
				return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
			}
			return null;
		}
		const auth = request.headers.authorization ?? '';
		if (!auth.startsWith('Bearer ') || !this.issued.has(auth.slice(7))) {
			return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
		}
		return null;
	}

	#message(request: RecordedRequest): FakeReply {
		const space = request.path.slice('/v1/'.length, -'/messages'.length);
		const denied = this.#authorise(request, space);
		if (denied) return denied;
		if (!this.spaces.has(space)) return googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
		const body = (request.json ?? {}) as Record<string, unknown>;
		if (body.text === undefined && body.cardsV2 === undefined) return googleError(400, 'INVALID_ARGUMENT', 'Message cannot be empty. Discarding empty message.');
		this.#n += 1;
		const id = `Qy7uV${this.#n}aBcD`;
		const thread = body.thread as { name?: string; threadKey?: string } | undefined;
		return {
			status: 200,
			body: {
				name: `${space}/messages/${id}.${id}`,
				sender: { name: 'users/114022495153014004089', type: 'BOT' },
				createTime: '2026-06-01T08:00:00.123456Z',
				...(body.text !== undefined ? { text: body.text, formattedText: body.text } : {}),
				...(body.cardsV2 !== undefined ? { cardsV2: body.cardsV2 } : {}),
				thread: { name: thread?.name ?? `${space}/threads/${id}` },
				space: { name: space, type: 'ROOM', spaceType: 'SPACE' },
			},
		};
	}

	#reaction(request: RecordedRequest): FakeReply {
		const match = /^\/v1\/(spaces\/[^/]+)\/messages\/([^/]+)\/reactions$/.exec(request.path)!;
		const denied = this.#authorise(request, match[1]!);
		if (denied) return denied;
		const emoji = ((request.json ?? {}) as { emoji?: unknown }).emoji;
		if (!emoji) return googleError(400, 'INVALID_ARGUMENT', 'Invalid reaction');
		this.#n += 1;
		return { status: 200, body: { name: `${match[1]}/messages/${match[2]}/reactions/r${this.#n}`, user: { name: 'users/app', type: 'BOT' }, emoji } };
	}
}

function tokenError(error: string, description: string): FakeReply {
	return { status: 400, body: { error, error_description: description } };
}
