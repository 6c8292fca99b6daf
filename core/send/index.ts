/**
 * Channel Send: sendMessage / sendMany. Options and credentials are checked, and every message is
 * validated and rendered for its first candidate, before anything is sent; then each message goes
 * through its route (engine.ts). Provider failures come back as `failed` results, never as throws.
 *
 *   const result = await sendMessage(message, { routes: [{ channel: 'sms', providers: [{ provider: 'twilio', config }] }] });
 */
import { InvalidSendOptionsError } from '../errors';
import { prepareMessage, sendPrepared } from './engine';
import { planFor } from './plan';
import type { SendOptions, SendResult } from './types';

export * from './types';
export type { RateLimitRule, AnyProvider, HttpClient } from '../providers/types';
export { InMemoryRateLimitStore, defaultRateLimitStore, rateLimitKey } from './rate-limit';
export { DEFAULT_SEND_RETRY_POLICY, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, MAX_CONCURRENCY } from './options';
export { WINDOW_CHANNELS, contentFor, recipientFor } from './engine';
export { planFor } from './plan';
export { sendClaimed, messageFromRow, isClaimedRow, type ClaimedSendResult } from './queue';
export { PostgresRateLimitStore, rateLimitStoreFor } from './pg-rate-limit';

export interface SendManyOptions extends SendOptions {
	/** Called after each message finished (sent or failed), with how many are done. */
	onProgress?: (done: number, total: number) => void;
}

export async function sendMessage(message: unknown, options: SendOptions): Promise<SendResult> {
	const plan = await planFor(options);
	return sendPrepared(prepareMessage(message, plan), plan);
}

/**
 * Sends a batch: results in input order, at most `rateLimits.concurrency` (default 10) in flight.
 * Every message is validated and rendered first, so a bad message throws (naming its index) before
 * any message is sent.
 */
export async function sendMany(messages: unknown[], options: SendManyOptions): Promise<SendResult[]> {
	if (!Array.isArray(messages)) throw new InvalidSendOptionsError('messages', 'must be a list of universal messages');
	if (options?.onProgress !== undefined && typeof options.onProgress !== 'function') throw new InvalidSendOptionsError('onProgress', 'must be a function');
	const plan = await planFor(options);
	const prepared = messages.map((message, index) => {
		try {
			return prepareMessage(message, plan);
		} catch (error) {
			if (error instanceof Error && messages.length > 1) error.message = `messages[${index}]: ${error.message}`;
			throw error;
		}
	});
	const results = new Array<SendResult>(prepared.length);
	let nextIndex = 0;
	let done = 0;
	const worker = async (): Promise<void> => {
		while (nextIndex < prepared.length) {
			const index = nextIndex++;
			results[index] = await sendPrepared(prepared[index]!, plan);
			done++;
			options.onProgress?.(done, prepared.length);
		}
	};
	await Promise.all(Array.from({ length: Math.min(plan.concurrency, prepared.length) }, worker));
	return results;
}
