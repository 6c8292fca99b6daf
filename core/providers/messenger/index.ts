/**
 * Facebook Messenger through the Messenger Platform Send API (providers.md §8):
 * `POST {base}/{version}/me/messages` with the Page access token ("me" is the page the token
 * belongs to). The token goes in `Authorization: Bearer`, never in the URL (see ./send-api.ts).
 * A 200 is Meta's final word for the send (`sent`); delivery and read come by webhook.
 */
import { z } from 'zod/v4';
import { ProviderError } from '../../errors';
import type { RenderOptions } from '../../platforms/types';
import { parseJsonBody } from '../shared/http';
import { baseUrlField, resolveBase } from '../shared/config';
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
import { mapMessengerError } from './map-messenger-error';
import { sendApiMessage } from './send-api';

const NAME = 'Facebook Messenger';

export interface MessengerConfig extends MetaOptionalConfig {
	pageAccessToken: string;
	pageId: string;
	apiVersion: string;
}

const credentialFields: readonly CredentialField[] = [
	{
		name: 'pageAccessToken',
		displayName: 'Page Access Token',
		type: 'password',
		required: true,
		description:
			'The Page access token with pages_messaging permission (Meta app → Messenger → Messenger API Settings → Generate token, or a System User token for the page).',
	},
	{
		name: 'pageId',
		displayName: 'Page ID',
		type: 'string',
		required: true,
		placeholder: '104123456789012',
		description: 'The numeric id of the Facebook Page that sends (Page → About → Page transparency, or the Messenger API Settings).',
	},
	graphVersionField,
	metaAppSecretField,
	metaVerifyTokenField,
	baseUrlField,
];

const rateLimits: readonly RateLimitRule[] = [
	{
		scope: 'sender',
		perSecond: 300,
		burst: 300,
		description:
			'Send API: about 300 calls/second per Page for text, links and reactions (10/s for audio and video attachments) → errors 613 / 4 / 32. ' +
			'Meta also caps each Page at 200 × engaged users calls per rolling 24 h, which is not pre-applied.',
	},
];

function parseConfig(raw: Record<string, unknown>): MessengerConfig {
	return {
		pageAccessToken: requiredString(NAME, raw, 'pageAccessToken', 'Paste the Page access token from the Meta app (Messenger API Settings).'),
		pageId: graphObjectId(NAME, raw, 'pageId', 'the Page (About → Page transparency) or the Messenger API Settings'),
		apiVersion: graphVersion(NAME, raw),
		...parseMetaOptional(NAME, raw),
	};
}

const callOf = (config: MessengerConfig): GraphCall => ({
	provider: NAME,
	token: config.pageAccessToken,
	classify: mapMessengerError,
	secrets: [config.pageAccessToken, config.appSecret, config.verifyToken],
});

async function send(input: SendInput<MessengerConfig>, context: ProviderContext): Promise<ProviderSuccess> {
	const { config } = input;
	const base = resolveBase(context, config.baseUrl, META_GRAPH_BASE);
	const ids = await sendInOrder(NAME, input.payloads, (payload) => sendApiMessage(callOf(config), context, graphUrl(base, config.apiVersion, payload.endpoint), payload.body));
	return { externalId: ids[0]!, externalIds: ids, status: 'sent' };
}

const meSchema = z.object({ id: z.string().min(1), name: z.string().optional() });

async function verifyCredentials(config: MessengerConfig, context: ProviderContext): Promise<{ account?: string }> {
	const url = `${graphUrl(resolveBase(context, config.baseUrl, META_GRAPH_BASE), config.apiVersion, 'me')}?fields=id,name`;
	const response = await graphRequest(callOf(config), context, 'GET', url);
	const parsed = meSchema.safeParse(parseJsonBody(response.body));
	if (!parsed.success) throw unreadableSuccess(NAME, response, '{"id":"…","name":"…"}');
	if (parsed.data.id !== config.pageId) {
		// A user token, or a token of another page: sends would go out as someone else (or fail).
		throw new ProviderError({
			provider: NAME,
			category: 'config',
			retryable: false,
			message: `the access token belongs to ${parsed.data.name ? `"${parsed.data.name}" ` : ''}(id ${parsed.data.id}), not to the Page ${config.pageId}`,
			hint: 'Use the Page access token of the page named in "Page ID" (not a user token), or correct the Page ID.',
		});
	}
	return { account: parsed.data.name ? `${parsed.data.name} (${parsed.data.id})` : parsed.data.id };
}

export const messengerProvider: ProviderDefinition<MessengerConfig> = {
	id: 'messenger',
	name: NAME,
	channels: ['messenger'],
	platform: 'messenger',
	documentationUrl: 'https://developers.facebook.com/docs/messenger-platform/send-messages',
	credentialFields,
	rateLimits,
	parseConfig,
	// messaging_type RESPONSE (the renderer's default); the recipient (PSID) goes in the body.
	renderOptions: (): RenderOptions => ({}),
	senderKey: (config: MessengerConfig) => config.pageId,
	send,
	verifyCredentials,
};
