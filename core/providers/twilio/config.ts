/**
 * Twilio credential values → a checked TwilioConfig, and the per-sender-type rate limits
 * (providers.md §1.7, §10). Pure: no SDK here, so the registry can load it cheaply.
 */
import { InvalidProviderConfigError } from '../../errors';
import type { Channel } from '../../schema/message';
import { baseUrlField, optionalBaseUrl, optionalText, requiredText } from '../shared/config';
import type { CredentialField, RateLimitRule } from '../types';

export const TWILIO_PROVIDER_NAME = 'Twilio';

export interface TwilioConfig {
	/** `AC…` account SID: the Basic-auth user and part of every API path. */
	accountSid: string;
	/** Basic-auth password; also signs webhooks (Delivery Webhook). Never echoed. */
	authToken: string;
	/** Default sender: E.164 number, short code, alphanumeric sender id, or `whatsapp:+…`. */
	from?: string;
	/** `MG…` Messaging Service; used when `from` is empty (Twilio then picks the sender). */
	messagingServiceSid?: string;
	/** API base instead of https://api.twilio.com (regional endpoint, test server). */
	baseUrl?: string;
}

export const twilioCredentialFields: readonly CredentialField[] = [
	{
		name: 'accountSid',
		displayName: 'Account SID',
		type: 'string',
		required: true,
		placeholder: 'AC0123456789abcdef0123456789abcdef',
		description: 'Starts with AC. Twilio Console → Account Info (the dashboard home page).',
	},
	{
		name: 'authToken',
		displayName: 'Auth Token',
		type: 'password',
		required: true,
		description:
			'Twilio Console → Account Info → Auth Token. Used to send, and to check the signature of Twilio webhooks (delivery reports, inbound messages).',
	},
	{
		name: 'from',
		displayName: 'From (Default Sender)',
		type: 'string',
		required: false,
		placeholder: '+15005550006',
		description:
			'Your Twilio number in international format (+1…), a short code, an alphanumeric sender id, or whatsapp:+… for a WhatsApp sender. The same number is used for SMS and WhatsApp (the whatsapp: prefix is added or removed per channel). Leave empty to let the Messaging Service pick.',
	},
	{
		name: 'messagingServiceSid',
		displayName: 'Messaging Service SID',
		type: 'string',
		required: false,
		placeholder: 'MG0123456789abcdef0123456789abcdef',
		description: 'Starts with MG. Twilio Console → Messaging → Services. Used when From is empty; one of From or Messaging Service SID is required.',
	},
	{ ...baseUrlField, description: 'Leave empty for the public API. Set for a regional endpoint (e.g. https://api.dublin.ie1.twilio.com) or a test server.' },
];

const SID = /^[0-9a-f]{32}$/i;
/** E.164 number, short code (3–8 digits), or alphanumeric sender id (≤ 11 characters, at least one letter). */
const SENDER = /^(?:\+[1-9]\d{6,14}|\d{3,8}|(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11})$/;

export function parseTwilioConfig(value: Record<string, unknown>): TwilioConfig {
	const accountSid = requiredText(TWILIO_PROVIDER_NAME, value, 'accountSid');
	if (!accountSid.startsWith('AC') || !SID.test(accountSid.slice(2))) {
		throw new InvalidProviderConfigError(
			TWILIO_PROVIDER_NAME,
			'accountSid',
			'must be AC followed by 32 hexadecimal characters',
			'Copy the Account SID from the Twilio Console (not an API key SID starting with SK).',
		);
	}
	const authToken = requiredText(TWILIO_PROVIDER_NAME, value, 'authToken');
	const from = optionalText(TWILIO_PROVIDER_NAME, value, 'from');
	if (from !== undefined && !SENDER.test(from.replace(/^whatsapp:/, ''))) {
		throw new InvalidProviderConfigError(
			TWILIO_PROVIDER_NAME,
			'from',
			'is not a phone number, short code or sender id',
			'Use the number in international format (+15005550006), a short code (12345), an alphanumeric sender id, or whatsapp:+15005550006.',
		);
	}
	const messagingServiceSid = optionalText(TWILIO_PROVIDER_NAME, value, 'messagingServiceSid');
	if (messagingServiceSid !== undefined && (!messagingServiceSid.startsWith('MG') || !SID.test(messagingServiceSid.slice(2)))) {
		throw new InvalidProviderConfigError(TWILIO_PROVIDER_NAME, 'messagingServiceSid', 'must be MG followed by 32 hexadecimal characters');
	}
	if (from === undefined && messagingServiceSid === undefined) {
		throw new InvalidProviderConfigError(
			TWILIO_PROVIDER_NAME,
			'from',
			'is required when no Messaging Service SID is set',
			'Twilio needs a sender: fill in From (your Twilio number) or Messaging Service SID.',
		);
	}
	const baseUrl = optionalBaseUrl(TWILIO_PROVIDER_NAME, value, { bare: true, hint: 'Use a full URL such as https://api.example.com, or leave it empty for the public API.' });
	return { accountSid, authToken, ...(from && { from }), ...(messagingServiceSid && { messagingServiceSid }), ...(baseUrl && { baseUrl }) };
}

/**
 * The sender for a channel, as the render step puts it in the body: the From number (the
 * `whatsapp:` prefix added by render for WhatsApp, removed here for SMS/MMS so one credential serves
 * both), else the Messaging Service SID (render turns an `MG…` from into MessagingServiceSid).
 * From wins when both are set: it is the sender the admin named, and per-sender limits need it.
 */
export function twilioSender(config: TwilioConfig, channel: Channel): string {
	if (config.from) return channel === 'whatsapp' ? config.from : config.from.replace(/^whatsapp:/, '');
	return config.messagingServiceSid!;
}

export function twilioSenderKey(config: TwilioConfig, channel: Channel): string {
	const sender = twilioSender(config, channel);
	return channel === 'whatsapp' && !sender.startsWith('whatsapp:') && !sender.startsWith('MG') ? `whatsapp:${sender}` : sender;
}

export type TwilioSenderType = 'whatsapp' | 'short_code' | 'toll_free' | 'us_long_code' | 'intl_long_code' | 'alphanumeric' | 'messaging_service';

/** North American toll-free area codes (NANP). */
const TOLL_FREE = /^\+1(800|833|844|855|866|877|888)\d{7}$/;

/**
 * What kind of sender this is, from its shape alone (Twilio's API does not say without an extra
 * lookup call). Heuristic, in order:
 * - the WhatsApp channel or a `whatsapp:` address → whatsapp;
 * - `MG…` → messaging_service (the pool's size is unknown here);
 * - 3–8 digits without `+` → short_code;
 * - `+1` and a toll-free area code (800, 833, 844, 855, 866, 877, 888) → toll_free;
 * - other `+1` numbers → us_long_code (10DLC / Canadian long code);
 * - other `+` numbers → intl_long_code;
 * - anything with a letter → alphanumeric sender id.
 */
export function twilioSenderType(sender: string, channel: Channel): TwilioSenderType {
	if (channel === 'whatsapp' || sender.startsWith('whatsapp:')) return 'whatsapp';
	if (sender.startsWith('MG')) return 'messaging_service';
	if (/^\d{3,8}$/.test(sender)) return 'short_code';
	if (TOLL_FREE.test(sender)) return 'toll_free';
	if (sender.startsWith('+1')) return 'us_long_code';
	if (sender.startsWith('+')) return 'intl_long_code';
	return 'alphanumeric';
}

const ACCOUNT_NOTE =
	'Twilio also limits concurrent API requests per account (HTTP 429 / error 20429, handled as rate_limited and retried); keep the Channel Send concurrency modest (the default 10 is well within it).';

/** Default per-sender limit by sender type (providers.md §1.7, §10). Twilio counts message segments; we count API calls. */
export function twilioSenderRule(type: TwilioSenderType): RateLimitRule {
	switch (type) {
		case 'whatsapp':
			return { scope: 'sender', perSecond: 80, burst: 80, description: `WhatsApp sender via Twilio: 80 messages/s by default (Meta's per-number limit). ${ACCOUNT_NOTE}` };
		case 'short_code':
			return { scope: 'sender', perSecond: 100, burst: 100, description: `Short code: about 100 message segments/s (older Twilio docs: 30). ${ACCOUNT_NOTE}` };
		case 'toll_free':
			return {
				scope: 'sender',
				perSecond: 3,
				burst: 3,
				description: `US/Canada toll-free number: 3 message segments/s by default (25–150/s on request: raise it here if Twilio raised yours). ${ACCOUNT_NOTE}`,
			};
		case 'intl_long_code':
			return { scope: 'sender', perSecond: 10, burst: 10, description: `Non-US long code: about 10 message segments/s. ${ACCOUNT_NOTE}` };
		case 'alphanumeric':
			return { scope: 'sender', perSecond: 10, burst: 10, description: `Alphanumeric sender id: about 10 message segments/s, like an international long code [verify]. ${ACCOUNT_NOTE}` };
		case 'messaging_service':
			return {
				scope: 'sender',
				perSecond: 1,
				burst: 1,
				description: `Messaging Service: Twilio spreads messages over the service's senders and queues the excess; the pool size is unknown here, so the single-long-code limit (1/s) applies — raise it to the sum of your senders' limits. ${ACCOUNT_NOTE}`,
			};
		case 'us_long_code':
		default:
			return {
				scope: 'sender',
				perSecond: 1,
				burst: 1,
				description: `US/Canada long code (10DLC): 1 message segment/s (the historic default; your A2P campaign tier may allow more — raise it here). ${ACCOUNT_NOTE}`,
			};
	}
}

/** The limits for this credential on this channel: one per-sender rule chosen by the sender's shape. */
export function twilioRateLimitsFor(config: TwilioConfig, channel: Channel): readonly RateLimitRule[] {
	return [twilioSenderRule(twilioSenderType(twilioSender(config, channel), channel))];
}
