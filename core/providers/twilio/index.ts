/**
 * Twilio Programmable Messaging (SMS, MMS, WhatsApp) through the official `twilio` SDK
 * (providers.md §1). Render platform `twilio` builds the form bodies; ./client.ts maps them onto
 * `client.messages.create(...)` with the SDK pointed at `context.baseUrl` when given.
 *
 * Rate limits depend on the kind of sender (long code, toll-free, short code, WhatsApp), which only
 * the config tells: `rateLimitsFor(config, channel)` picks the rule by the sender's shape
 * (./config.ts, `twilioSenderType`). The static `rateLimits` is the most conservative of them,
 * for an engine that reads only the static list.
 */
import type { Channel } from '../../schema/message';
import type { ProviderDefinition, RateLimitRule } from '../types';
import { sendTwilio, verifyTwilio } from './client';
import { parseTwilioConfig, twilioCredentialFields, twilioRateLimitsFor, twilioSender, twilioSenderKey, type TwilioConfig } from './config';

export type { TwilioConfig } from './config';
export { mapTwilioError, twilioCodeCategory } from './map-twilio-error';
export { twilioSenderType, twilioSenderRule, twilioRateLimitsFor } from './config';

export const twilioProvider: ProviderDefinition<TwilioConfig> & {
	/** The limits for this sender on this channel (by sender type); prefer it over `rateLimits` when present. */
	rateLimitsFor(config: TwilioConfig, channel: Channel): readonly RateLimitRule[];
} = {
	id: 'twilio',
	name: 'Twilio',
	channels: ['sms', 'mms', 'whatsapp'],
	platform: 'twilio',
	documentationUrl: 'https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource',
	credentialFields: twilioCredentialFields,
	rateLimits: [
		{
			scope: 'sender',
			perSecond: 1,
			burst: 1,
			description:
				'Per sender, by kind of sender: US/Canada long code 1/s, toll-free 3/s, short code 100/s, WhatsApp 80/s, other long codes and alphanumeric ids 10/s (Twilio counts message segments). When the kind is not known, the long-code limit (1/s) applies. Twilio also limits concurrent API requests per account (429 / 20429, retried).',
		},
	],
	parseConfig: parseTwilioConfig,
	renderOptions: (config, channel) => ({ from: twilioSender(config, channel) }),
	senderKey: twilioSenderKey,
	rateLimitsFor: twilioRateLimitsFor,
	send: sendTwilio,
	verifyCredentials: verifyTwilio,
};
