/**
 * The Messenger Platform Send API call shared by Messenger and Instagram Direct (providers.md §8.1):
 * `POST {url}` with a JSON body and the token as `Authorization: Bearer` (documented as an
 * alternative to `?access_token=`; chosen so the token never appears in a URL, a log or an error).
 * 200 `{recipient_id, message_id}`; sender actions (reactions) answer without `message_id`.
 */
import { z } from 'zod/v4';
import { ProviderError } from '../../errors';
import { callProvider, parseJsonBody } from '../shared/http';
import { graphResponseError, redactError, unreadableSuccess, type GraphClassifier } from '../shared/graph';
import type { HttpResponse, ProviderContext } from '../types';

/** Partial: what the result reads. */
const sendResponseSchema = z.object({ recipient_id: z.string().optional(), message_id: z.string().min(1).optional() });

export interface GraphCall {
	provider: string;
	token: string;
	classify: GraphClassifier;
	/** Every secret of the credential, redacted from messages. */
	secrets: ReadonlyArray<string | undefined>;
}

export async function graphRequest(call: GraphCall, context: ProviderContext, method: 'GET' | 'POST', url: string, body?: unknown): Promise<HttpResponse> {
	const headers: Record<string, string> = { authorization: `Bearer ${call.token}`, accept: 'application/json' };
	if (body !== undefined) headers['content-type'] = 'application/json';
	const response = await callProvider(call.provider, context, { method, url, headers, body: body === undefined ? undefined : JSON.stringify(body) }).catch(
		(error: unknown) => {
			throw error instanceof ProviderError ? redactError(error, call.secrets) : error;
		},
	);
	if (response.status < 200 || response.status > 299) throw graphResponseError(call.provider, response, call.classify, context, call.secrets);
	return response;
}

/**
 * One Send API request → the message id. A sender action (reaction) has no message id of its own:
 * its id is `<recipient_id>:<action>:<target mid>` so the result still names what was done.
 */
export async function sendApiMessage(call: GraphCall, context: ProviderContext, url: string, body: Record<string, unknown>): Promise<string> {
	const response = await graphRequest(call, context, 'POST', url, body);
	const parsed = sendResponseSchema.safeParse(parseJsonBody(response.body));
	if (parsed.success && parsed.data.message_id !== undefined) return parsed.data.message_id;
	if (parsed.success && typeof body.sender_action === 'string') {
		const target = (body.payload as { message_id?: unknown } | undefined)?.message_id;
		return [parsed.data.recipient_id ?? 'recipient', body.sender_action, typeof target === 'string' ? target : undefined].filter(Boolean).join(':');
	}
	throw unreadableSuccess(call.provider, response, '{"recipient_id":"…","message_id":"m_…"}');
}
