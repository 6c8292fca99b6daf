/**
 * requeueUndelivered (issue 5, "not delivered after N minutes → hand back to Channel Send's
 * fallback"): the pure part — its options, and the address a message gets on the fallback channel.
 * The store (store.ts) selects, locks and moves the messages.
 *
 * The address follows Channel Send's channel failover (docs/channel-send.md, "Channel failover"),
 * read from the scheduled row the way messageFromRow builds the message from it:
 *   1. `failover.<fallback>.to` in the row's universal message's metadata, else in the row's metadata;
 *   2. a recipient of the row's message with `channel: "<fallback>"` → its id;
 *   3. phone → phone (sms, mms, whatsapp): the row's own number (without a `whatsapp:` prefix when
 *      it leaves WhatsApp, so Twilio does not send it as WhatsApp again);
 *   4. sms / mms / whatsapp: the first `phone` of the message's recipients; email: the first `email`.
 * None → the message is skipped with the reason (an email address cannot receive an SMS), and stays
 * `sent`; the other messages of the batch still move.
 */
import type { Channel } from '../schema/message';
import { describe, isPlainObject, Issues, readChannel, readIntegerInRange, readOptionalString } from './validate';

export const DEFAULT_REQUEUE_LIMIT = 100;
export const MAX_REQUEUE_LIMIT = 1000;
/** A year: a longer wait is surely a mistake (hours given as minutes…). */
export const MAX_UNDELIVERED_MINUTES = 525_600;

const PHONE_CHANNELS: ReadonlySet<string> = new Set(['sms', 'mms', 'whatsapp']);

export interface NormalizedRequeue {
	channel: Channel;
	fallbackChannel: Channel;
	olderThanMinutes: number;
	limit: number;
	by: string | null;
}

/** Checks requeueUndelivered's options; every problem at once, named by field, with the fix. */
export function readRequeueOptions(value: unknown): NormalizedRequeue {
	const issues = new Issues();
	if (!isPlainObject(value)) {
		issues.add('options', `must be { channel, olderThanMinutes, fallbackChannel, limit?, by? } (got ${describe(value)})`);
		issues.throwIfAny();
	}
	const options = value as Record<string, unknown>;
	const known = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
	if (!known(options.channel)) issues.add('channel', 'is required: the channel whose undelivered messages are handed back, e.g. whatsapp');
	const channel = known(options.channel) ? readChannel(options.channel, 'channel', issues) : 'custom';
	if (!known(options.fallbackChannel)) issues.add('fallbackChannel', 'is required: the channel to send them on instead, e.g. sms');
	const fallbackChannel = known(options.fallbackChannel) ? readChannel(options.fallbackChannel, 'fallbackChannel', issues) : 'custom';
	if (known(options.channel) && options.channel === options.fallbackChannel) {
		issues.add('fallbackChannel', `must differ from channel (both are ${describe(options.channel)}): name the channel to send undelivered messages on instead, e.g. sms`);
	}
	const minutes = options.olderThanMinutes;
	let olderThanMinutes = 0;
	if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes < 1 || minutes > MAX_UNDELIVERED_MINUTES) {
		issues.add(
			'olderThanMinutes',
			`must be a number of minutes from 1 to ${MAX_UNDELIVERED_MINUTES} (got ${describe(minutes)}): how long after the send a message without a delivery report is handed back, e.g. 10`,
		);
	} else olderThanMinutes = minutes;
	const limit = readIntegerInRange(options.limit, 'limit', issues, 1, MAX_REQUEUE_LIMIT, DEFAULT_REQUEUE_LIMIT);
	const by = readOptionalString(options.by, 'by', issues);
	issues.throwIfAny('Nothing was moved: fix the fields listed.');
	return { channel, fallbackChannel, olderThanMinutes, limit, by: by && by.trim() !== '' ? by.trim() : null };
}

/** The row fields the address rule reads. */
export interface RequeueRow {
	channel: string;
	recipient: string;
	metadata: unknown;
	message: unknown;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

function failoverTo(metadata: unknown, channel: string): string | null {
	if (!isPlainObject(metadata) || !isPlainObject(metadata.failover)) return null;
	const entry = metadata.failover[channel];
	return isPlainObject(entry) ? text(entry.to) : null;
}

function kindOf(channel: string): string {
	if (PHONE_CHANNELS.has(channel)) return 'a phone number';
	if (channel === 'email') return 'an email address';
	return `a ${channel} id`;
}

/** The recipient on `fallback` (see the header), or why there is none. */
export function requeueTarget(row: RequeueRow, fallback: string): { recipient: string } | { reason: string } {
	const message = isPlainObject(row.message) ? row.message : null;
	const explicit = failoverTo(message?.metadata, fallback) ?? failoverTo(row.metadata, fallback);
	if (explicit) return { recipient: explicit };
	const recipients = message && Array.isArray(message.recipients) ? message.recipients.filter(isPlainObject) : [];
	const tagged = recipients.find((r) => r.channel === fallback && text(r.id));
	if (tagged) return { recipient: text(tagged.id)! };
	if (PHONE_CHANNELS.has(fallback)) {
		if (PHONE_CHANNELS.has(row.channel)) {
			const number = fallback === 'whatsapp' ? row.recipient : row.recipient.replace(/^whatsapp:/i, '');
			if (text(number)) return { recipient: number.trim() };
		}
		const phone = recipients.map((r) => text(r.phone)).find((p) => p !== null);
		if (phone) return { recipient: phone };
	}
	if (fallback === 'email') {
		const email = recipients.map((r) => text(r.email)).find((e) => e !== null);
		if (email) return { recipient: email };
	}
	return {
		reason:
			`no ${fallback} address: the recipient ${JSON.stringify(row.recipient)} is ${kindOf(row.channel)} (${row.channel}) and the message carries no ${fallback} address; ` +
			`enqueue it with metadata.failover.${fallback}.to, or a recipient with channel "${fallback}" in its message`,
	};
}

/** For the log row: `undelivered_after: 10m whatsapp → sms`. */
export function requeueReason(options: NormalizedRequeue): string {
	const m = options.olderThanMinutes;
	const span = Number.isInteger(m) ? `${m}m` : `${Math.round(m * 60)}s`;
	return `undelivered_after: ${span} ${options.channel} → ${options.fallbackChannel}`;
}
