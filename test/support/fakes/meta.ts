/**
 * A fake Meta Graph API for the WhatsApp Cloud API, Messenger and Instagram Direct providers
 * (providers.md §4, §8): one server, the real paths under /{version}/…, Bearer token checks with
 * Graph's real 401 (code 190), Graph error envelopes, and real-shaped ids (wamid.…, m_…).
 *
 *   POST /{v}/{phone-number-id}/messages   WhatsApp (body has messaging_product "whatsapp")
 *   POST /{v}/{ig-user-id}/messages        Instagram (Instagram Login)
 *   POST /{v}/me/messages                  Messenger (Page token), Instagram (Facebook Login)
 *   GET  /{v}/{phone-number-id}            WhatsApp phone number
 *   GET  /{v}/me                           the Page (Messenger) or the Instagram user
 *
 * Tokens are optional in the options: a product without one is not served (401).
 */
import { randomBytes } from 'node:crypto';
import { FakeServer, type FakeReply, type RecordedRequest } from './server';

export interface MetaFakeOptions {
	whatsapp?: { accessToken: string; phoneNumberId: string; displayPhoneNumber?: string; verifiedName?: string };
	messenger?: { pageAccessToken: string; pageId: string; pageName?: string };
	instagram?: { accessToken: string; igUserId: string; username?: string };
}

/** A Graph error reply as Meta sends it: `{error:{message:"(#code) …", type, code, error_subcode?, fbtrace_id}}`. */
export function graphError(code: number, message: string, options: { subcode?: number; status?: number; headers?: Record<string, string>; details?: string } = {}): FakeReply {
	const error: Record<string, unknown> = { message: `(#${code}) ${message}`, type: 'OAuthException', code };
	if (options.subcode !== undefined) error.error_subcode = options.subcode;
	if (options.details !== undefined) error.error_data = { messaging_product: 'whatsapp', details: options.details };
	error.fbtrace_id = 'AbCdEfGhIjKlMnOpQrStUv1';
	return { status: options.status ?? 400, headers: options.headers, body: { error } };
}

const INVALID_TOKEN: FakeReply = {
	status: 401,
	body: { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: 'AzBadTokenTrace000001' } },
};

type Who = { product: 'whatsapp' } | { product: 'messenger' } | { product: 'instagram' };

export class MetaFake extends FakeServer {
	readonly options: MetaFakeOptions;
	/** Ids handed out, in order. */
	readonly sentIds: string[];

	constructor(options: MetaFakeOptions) {
		const sentIds: string[] = [];
		const who = (request: RecordedRequest): Who | undefined => {
			const auth = request.headers.authorization ?? '';
			const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : (request.query.get('access_token') ?? '');
			if (token === '') return undefined;
			if (options.whatsapp && token === options.whatsapp.accessToken) return { product: 'whatsapp' };
			if (options.messenger && token === options.messenger.pageAccessToken) return { product: 'messenger' };
			if (options.instagram && token === options.instagram.accessToken) return { product: 'instagram' };
			return undefined;
		};
		const id = (prefix: string) => {
			const value = `${prefix}${randomBytes(24).toString('base64url')}`;
			sentIds.push(value);
			return value;
		};

		const sendMessaging = (request: RecordedRequest, recipientPrefix: string): FakeReply => {
			const body = request.json as { recipient?: { id?: unknown }; message?: unknown; sender_action?: unknown } | undefined;
			if (typeof body?.recipient?.id !== 'string') return graphError(100, 'The parameter recipient is required');
			if (body.message === undefined && body.sender_action === undefined) return graphError(100, 'param message must be non-empty.');
			if (body.sender_action !== undefined) return { status: 200, body: { recipient_id: body.recipient.id } };
			return { status: 200, body: { recipient_id: body.recipient.id, message_id: id(recipientPrefix) } };
		};

		super([
			{
				method: 'POST',
				path: /^\/v\d+\.\d+\/me\/messages$/,
				handler: (request) => {
					const caller = who(request);
					if (!caller || caller.product === 'whatsapp') return INVALID_TOKEN;
					return sendMessaging(request, caller.product === 'messenger' ? 'm_' : 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE');
				},
			},
			{
				method: 'POST',
				path: /^\/v\d+\.\d+\/\d+\/messages$/,
				handler: (request) => {
					const caller = who(request);
					const objectId = request.path.split('/')[2];
					if (!caller) return INVALID_TOKEN;
					if (caller.product === 'whatsapp') {
						if (objectId !== options.whatsapp!.phoneNumberId) {
							return graphError(100, `Unsupported post request. Object with ID '${objectId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { subcode: 33 });
						}
						const body = request.json as { messaging_product?: unknown; to?: unknown; type?: unknown } | undefined;
						if (body?.messaging_product !== 'whatsapp') return graphError(100, 'The parameter messaging_product is required.');
						if (typeof body.to !== 'string' || typeof body.type !== 'string') return graphError(100, 'Invalid parameter');
						return {
							status: 200,
							body: { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to.replace(/^\+/, '') }], messages: [{ id: id('wamid.HBgM'), message_status: 'accepted' }] },
						};
					}
					if (caller.product === 'instagram' && objectId === options.instagram!.igUserId) return sendMessaging(request, 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE');
					return graphError(100, `Unsupported post request. Object with ID '${objectId}' does not exist.`, { subcode: 33 });
				},
			},
			{
				method: 'GET',
				path: /^\/v\d+\.\d+\/me$/,
				handler: (request) => {
					const caller = who(request);
					if (!caller || caller.product === 'whatsapp') return INVALID_TOKEN;
					if (caller.product === 'messenger') return { status: 200, body: { id: options.messenger!.pageId, name: options.messenger!.pageName ?? 'Acme Support' } };
					return { status: 200, body: { user_id: options.instagram!.igUserId, username: options.instagram!.username ?? 'acme.shop', id: '7311111111111111' } };
				},
			},
			{
				method: 'GET',
				path: /^\/v\d+\.\d+\/\d+$/,
				handler: (request) => {
					const caller = who(request);
					if (!caller || caller.product !== 'whatsapp') return INVALID_TOKEN;
					const objectId = request.path.split('/')[2];
					if (objectId !== options.whatsapp!.phoneNumberId) return graphError(100, `Unsupported get request. Object with ID '${objectId}' does not exist.`, { subcode: 33 });
					return {
						status: 200,
						body: { verified_name: options.whatsapp!.verifiedName ?? 'Acme Support', display_phone_number: options.whatsapp!.displayPhoneNumber ?? '+1 555-000-1234', id: objectId },
					};
				},
			},
		]);
		this.options = options;
		this.sentIds = sentIds;
	}

	override reset(): void {
		super.reset();
		this.sentIds.length = 0;
	}

	/** Requests that reached a send endpoint. */
	get sends(): RecordedRequest[] {
		return this.requests.filter((r) => r.method === 'POST' && /\/messages$/.test(r.path));
	}
}
