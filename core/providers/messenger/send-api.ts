/**
 * The Messenger Platform Send API call shared by Messenger and Instagram Direct (providers.md §8.1):
 * `POST {url}` with a JSON body and the token as `Authorization: Bearer` (documented as an
 * alternative to `?access_token=`; chosen so the token never appears in a URL, a log or an error).
 * The request itself is `graphRequest` (../shared/graph.ts), which WhatsApp uses too.
 * 200 `{recipient_id, message_id}`; sender actions (reactions) answer without `message_id`.
 */
import { z } from 'zod/v4';
import { parseJsonBody } from '../shared/http';
import { graphRequest, unreadableSuccess, type GraphCall } from '../shared/graph';
import type { ProviderContext } from '../types';

/** Partial: what the result reads. */
const sendResponseSchema = z.object({ recipient_id: z.string().optional(), message_id: z.string().min(1).optional() });

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
