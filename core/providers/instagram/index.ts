/**
 * Instagram Direct through the Instagram messaging Send API (providers.md §8.1), the Messenger
 * Platform's call with Instagram's host and id:
 *
 * - Instagram API with Instagram Login (the default): `POST https://graph.instagram.com/{version}/{igUserId}/messages`
 *   with the Instagram user access token.
 * - Facebook Login apps (a Page access token of the Page linked to the Instagram account): set Base URL
 *   to https://graph.facebook.com; the call is then `POST /{version}/me/messages` ("me" = the Page),
 *   the endpoint the renderer names.
 *
 * Bodies come from the `instagram` render platform (Messenger's renderer with Instagram's limits).
 * The token goes in `Authorization: Bearer`, never in the URL. A 200 is final (`sent`).
 */
import { z } from 'zod/v4';
import type { RenderOptions } from '../../platforms/types';
import { parseJsonBody } from '../shared/http';
import { baseUrlField, resolveBase } from '../shared/config';
import {
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
import { sendApiMessage } from '../messenger/send-api';
import { mapInstagramError } from './map-instagram-error';

const NAME = 'Instagram Direct';
export const INSTAGRAM_GRAPH_BASE = 'https://graph.instagram.com';

export interface InstagramConfig extends MetaOptionalConfig {
	accessToken: string;
	igUserId: string;
	apiVersion: string;
}

const credentialFields: readonly CredentialField[] = [
	{
		name: 'accessToken',
		displayName: 'Access Token',
		type: 'password',
		required: true,
		description:
			'An Instagram user access token with instagram_business_manage_messages (Meta app → Instagram → API setup with Instagram login → Generate token). ' +
			'For a Facebook Login app, paste the Page access token of the linked Page and set Base URL to https://graph.facebook.com.',
	},
	{
		name: 'igUserId',
		displayName: 'Instagram Account ID',
		type: 'string',
		required: true,
		placeholder: '17841400000000000',
		description: 'The numeric id of the Instagram professional account that sends (shown next to the account in the app’s Instagram API setup; the "user_id" of GET /me).',
	},
	graphVersionField,
	{
		...metaAppSecretField,
		description: 'The app secret that signs incoming webhooks (X-Hub-Signature-256): the Instagram app secret for Instagram Login apps, else the Meta app secret.',
	},
	metaVerifyTokenField,
	baseUrlField,
];

const rateLimits: readonly RateLimitRule[] = [
	{
		scope: 'sender',
		perSecond: 300,
		burst: 300,
		description:
			'Send API: about 300 calls/second per Instagram professional account for text, links and reactions (10/s for audio and video) → errors 613 / 4 / 32. ' +
			'The 200 × engaged users calls per 24 h cap is not pre-applied.',
	},
];

function parseConfig(raw: Record<string, unknown>): InstagramConfig {
	return {
		accessToken: requiredString(NAME, raw, 'accessToken', 'Paste the Instagram user access token (or a Page access token for Facebook Login apps).'),
		igUserId: graphObjectId(NAME, raw, 'igUserId', 'the app’s Instagram API setup (the account id, "user_id" of GET /me)'),
		apiVersion: graphVersion(NAME, raw),
		...parseMetaOptional(NAME, raw),
	};
}

const callOf = (config: InstagramConfig): GraphCall => ({
	provider: NAME,
	token: config.accessToken,
	classify: mapInstagramError,
	secrets: [config.accessToken, config.appSecret, config.verifyToken],
});

/** Facebook Login: the Page token's "me" is the Page, so the renderer's `me/messages` is right there. */
function isFacebookGraph(base: string): boolean {
	try {
		return new URL(base).hostname === 'graph.facebook.com';
	} catch {
		return false;
	}
}

async function send(input: SendInput<InstagramConfig>, context: ProviderContext): Promise<ProviderSuccess> {
	const { config } = input;
	const base = resolveBase(context, config.baseUrl, INSTAGRAM_GRAPH_BASE);
	const facebook = isFacebookGraph(base);
	const ids = await sendInOrder(NAME, input.payloads, (payload) => {
		const path = facebook || payload.endpoint !== 'me/messages' ? payload.endpoint : `${encodeURIComponent(config.igUserId)}/messages`;
		return sendApiMessage(callOf(config), context, graphUrl(base, config.apiVersion, path), payload.body);
	});
	return { externalId: ids[0]!, externalIds: ids, status: 'sent' };
}

const meSchema = z.object({ id: z.string().optional(), user_id: z.union([z.string(), z.number()]).optional(), username: z.string().optional(), name: z.string().optional() });

async function verifyCredentials(config: InstagramConfig, context: ProviderContext): Promise<{ account?: string }> {
	const base = resolveBase(context, config.baseUrl, INSTAGRAM_GRAPH_BASE);
	const fields = isFacebookGraph(base) ? 'id,name' : 'user_id,username';
	const response = await graphRequest(callOf(config), context, 'GET', `${graphUrl(base, config.apiVersion, 'me')}?fields=${fields}`);
	const parsed = meSchema.safeParse(parseJsonBody(response.body));
	if (!parsed.success) throw unreadableSuccess(NAME, response, '{"user_id":"…","username":"…"}');
	const { username, name, user_id: userId, id } = parsed.data;
	const label = username ? `@${username}` : name;
	const number = userId === undefined ? id : String(userId);
	const account = label && number ? `${label} (${number})` : (label ?? number);
	return account === undefined ? {} : { account };
}

export const instagramProvider: ProviderDefinition<InstagramConfig> = {
	id: 'instagram',
	name: NAME,
	channels: ['instagram'],
	platform: 'instagram',
	documentationUrl: 'https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api',
	credentialFields,
	rateLimits,
	parseConfig,
	renderOptions: (): RenderOptions => ({}),
	senderKey: (config: InstagramConfig) => config.igUserId,
	send,
	verifyCredentials,
};
