/**
 * Vonage Messages API (SMS, MMS, WhatsApp) over the injected HTTP client (providers.md §9.2). The
 * `vonage` render platform builds one JSON body per part; ./client.ts posts them to /v1/messages.
 *
 * Rate limits: an account-wide rule (about 30 requests/s, [verify]) and, on WhatsApp, 80/s per
 * sender. `rateLimitsFor(config, channel)` gives the rules for a channel; the static `rateLimits` is
 * the account rule alone, for an engine that reads only the static list.
 */
import type { Channel } from '../../schema/message';
import type { ProviderDefinition, RateLimitRule } from '../types';
import { sendVonage, verifyVonage } from './client';
import { parseVonageConfig, VONAGE_ACCOUNT_RULE, vonageCredentialFields, vonageRateLimitsFor, vonageSenderKey, type VonageConfig } from './config';

export type { VonageConfig } from './config';
export { accountBase, messagesBase, vonageRateLimitsFor } from './config';
export { mapVonageError, vonageCodeCategory, vonageErrorCode } from './map-vonage-error';

export const vonageProvider: ProviderDefinition<VonageConfig> & {
	/** The limits for this sender on this channel; prefer it over `rateLimits` when present. */
	rateLimitsFor(config: VonageConfig, channel: Channel): readonly RateLimitRule[];
} = {
	id: 'vonage',
	name: 'Vonage',
	channels: ['sms', 'mms', 'whatsapp'],
	platform: 'vonage',
	documentationUrl: 'https://developer.vonage.com/en/api/messages',
	credentialFields: vonageCredentialFields,
	rateLimits: [VONAGE_ACCOUNT_RULE],
	parseConfig: parseVonageConfig,
	// The variant names the Vonage channel the body is for (render falls back to the message's channel).
	renderOptions: (config, channel) => ({ from: config.from, variant: channel }),
	senderKey: vonageSenderKey,
	rateLimitsFor: vonageRateLimitsFor,
	send: sendVonage,
	verifyCredentials: verifyVonage,
};
