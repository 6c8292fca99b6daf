/**
 * The ends of a send that several providers share: sending payloads in order and saying which ones
 * already went out when a later one fails (a retry of the whole message would repeat those), and the
 * result of the chat providers whose reactions create no message.
 */
import { ProviderError } from '../../errors';
import type { ProviderSuccess } from '../types';
import { rewordError } from './redact';

/** `error.message` without the "<provider>: " prefix ProviderError adds. */
export function bareMessage(error: ProviderError): string {
	return error.message.replace(`${error.provider}: `, '');
}

/**
 * Sends payloads one after the other and collects the ids. When a later one fails, the error says
 * which ones already went out (a retry of the whole message would send those again).
 */
export async function sendInOrder<P>(provider: string, payloads: readonly P[], sendOne: (payload: P, index: number) => Promise<string>): Promise<string[]> {
	if (payloads.length === 0) {
		throw new ProviderError({ provider, category: 'content', retryable: false, message: 'nothing to send (the message rendered to no request)' });
	}
	const ids: string[] = [];
	for (const [index, payload] of payloads.entries()) {
		try {
			ids.push(await sendOne(payload, index));
		} catch (error) {
			if (!(error instanceof ProviderError) || ids.length === 0) throw error;
			throw rewordError(error, `${bareMessage(error)} — request ${index + 1} of ${payloads.length} failed; already sent: ${ids.join(', ')}`);
		}
	}
	return ids;
}

/**
 * The failure of a later part of a multi-part message (Twilio, Vonage), naming the parts that went
 * out; the failure itself when none did.
 */
export function afterPartialSend(failure: ProviderError, ids: readonly string[], total: number): ProviderError {
	if (ids.length === 0) return failure;
	return rewordError(failure, `${bareMessage(failure)} — after ${ids.length} of ${total} parts were sent (${ids.join(', ')})`);
}

/**
 * The result of a chat provider (Telegram, Slack, Google Chat): the created messages' ids, or — when
 * the send was only reactions, which create no message — the reacted-to message. Status `sent`: these
 * APIs have no delivery receipts. `calls` names the API's calls for the empty case.
 */
export function chatResult(provider: string, ids: readonly string[], reacted: string | undefined, calls: string): ProviderSuccess {
	const externalId = ids[0] ?? reacted;
	if (externalId === undefined) {
		throw new ProviderError({ provider, category: 'content', retryable: false, message: `nothing to send (the message rendered to no ${calls})` });
	}
	return { externalId, externalIds: ids.length ? [...ids] : [externalId], status: 'sent' };
}
