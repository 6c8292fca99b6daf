/**
 * WhatsApp Cloud API (Meta Graph, providers.md §4): `POST {base}/{version}/{phone-number-id}/messages`
 * with the access token as a Bearer header, one request per rendered payload. No SDK: Meta's Node
 * SDK is archived (§4.7), so the injected HTTP client (undici) does it.
 *
 * A 200 only means Meta accepted the message (`message_status: accepted`); sent/delivered/read come
 * by status webhook, so the result is `queued`. Errors are classified by the Graph error code
 * (./map-whatsapp-error.ts); 131047 is the 24-hour window (only a template may be sent).
 */
import { z } from 'zod/v4';
import type { Channel } from '../../schema/message';
import type { PlatformPayload, RenderOptions } from '../../platforms/types';
import { baseUrlField, resolveBase } from '../shared/config';
import { parseJsonBody } from '../shared/http';
import {
	META_GRAPH_BASE,
	graphObjectId,
	graphRequest,
	graphUrl,
	graphVersion,
	graphVersionField,
	metaAppSecretField,
	metaVerifyTokenField,
	parseMetaOptional,
	requiredString,
	unreadableSuccess,
	type GraphCall,
	type MetaOptionalConfig,
} from '../shared/graph';
import { sendInOrder } from '../shared/send';
import type { CredentialField, ProviderContext, ProviderDefinition, ProviderSuccess, RateLimitRule, SendInput } from '../types';
import { mapWhatsAppError } from './map-whatsapp-error';

const NAME = 'WhatsApp Cloud API';

/** appSecret and verifyToken: webhook verification only (Delivery Webhook). */
export interface WhatsAppConfig extends MetaOptionalConfig {
	accessToken: string;
	phoneNumberId: string;
	apiVersion: string;
}

const credentialFields: readonly CredentialField[] = [
	{
		name: 'accessToken',
		displayName: 'Access Token',
		type: 'password',
		required: true,
		description:
			'A System User access token with whatsapp_business_messaging permission (Business Settings → Users → System users → Generate token). Temporary tokens from the API Setup page expire after 24 hours.',
	},
	{
		name: 'phoneNumberId',
		displayName: 'Phone Number ID',
		type: 'string',
		required: true,
		placeholder: '106540352242922',
		description: 'The id of the sending business phone number (WhatsApp Manager → API Setup / Phone numbers), not the phone number itself.',
	},
	graphVersionField,
	metaAppSecretField,
	metaVerifyTokenField,
	baseUrlField,
];

const rateLimits: readonly RateLimitRule[] = [
	{
		scope: 'sender',
		perSecond: 80,
		burst: 80,
		description:
			'80 messages/second per business phone number (Meta default; eligible numbers are upgraded to 1000, coexistence numbers have 20) → error 130429. ' +
			'Meta also limits each customer to about 1 message every 6 s with bursts allowed (error 131056, retried after 6 s); that pair limit is not pre-applied.',
	},
];

function parseConfig(raw: Record<string, unknown>): WhatsAppConfig {
	return {
		accessToken: requiredString(NAME, raw, 'accessToken', 'Paste a System User access token with the whatsapp_business_messaging permission.'),
		phoneNumberId: graphObjectId(NAME, raw, 'phoneNumberId', 'WhatsApp Manager → API Setup (Phone number ID)'),
		apiVersion: graphVersion(NAME, raw),
		...parseMetaOptional(NAME, raw),
	};
}

/** Partial (providers.md §4.2): only the id is read. */
const sendResponseSchema = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) });

const callOf = (config: WhatsAppConfig): GraphCall => ({
	provider: NAME,
	token: config.accessToken,
	classify: mapWhatsAppError,
	secrets: [config.accessToken, config.appSecret, config.verifyToken],
});

async function sendOne(payload: PlatformPayload, config: WhatsAppConfig, context: ProviderContext): Promise<string> {
	const url = graphUrl(resolveBase(context, config.baseUrl, META_GRAPH_BASE), config.apiVersion, `${encodeURIComponent(config.phoneNumberId)}/${payload.endpoint}`);
	const response = await graphRequest(callOf(config), context, 'POST', url, payload.body);
	const parsed = sendResponseSchema.safeParse(parseJsonBody(response.body));
	if (!parsed.success) throw unreadableSuccess(NAME, response, '{"messages":[{"id":"wamid…"}]}');
	return parsed.data.messages[0]!.id;
}

async function send(input: SendInput<WhatsAppConfig>, context: ProviderContext): Promise<ProviderSuccess> {
	const ids = await sendInOrder(NAME, input.payloads, (payload) => sendOne(payload, input.config, context));
	return { externalId: ids[0]!, externalIds: ids, status: 'queued' };
}

const phoneNumberSchema = z.object({ id: z.string().optional(), display_phone_number: z.string().optional(), verified_name: z.string().optional() });

async function verifyCredentials(config: WhatsAppConfig, context: ProviderContext): Promise<{ account?: string }> {
	const base = resolveBase(context, config.baseUrl, META_GRAPH_BASE);
	const url = `${graphUrl(base, config.apiVersion, encodeURIComponent(config.phoneNumberId))}?fields=display_phone_number,verified_name`;
	const response = await graphRequest(callOf(config), context, 'GET', url);
	const parsed = phoneNumberSchema.safeParse(parseJsonBody(response.body));
	if (!parsed.success) throw unreadableSuccess(NAME, response, 'the phone number object');
	const { verified_name: name, display_phone_number: number } = parsed.data;
	const account = name && number ? `${name} (${number})` : (number ?? name ?? parsed.data.id);
	return account === undefined ? {} : { account };
}

export const whatsappProvider: ProviderDefinition<WhatsAppConfig> = {
	id: 'whatsapp',
	name: NAME,
	channels: ['whatsapp'],
	platform: 'whatsapp',
	documentationUrl: 'https://developers.facebook.com/docs/whatsapp/cloud-api/get-started',
	credentialFields,
	rateLimits,
	parseConfig,
	// The recipient goes in the body (`to`); the sender is the phone number id in the URL.
	renderOptions: (_config: WhatsAppConfig, _channel: Channel): RenderOptions => ({}),
	senderKey: (config: WhatsAppConfig) => config.phoneNumberId,
	send,
	verifyCredentials,
};
