/**
 * Switchboard Google Chat: an incoming webhook URL of a space, or a Chat app's service account (JSON
 * key) for the Chat API. A webhook URL cannot be read without posting to the space, and the Chat API
 * needs a signed token exchange first, so "Test" is done by the Channel Send node (testedBy) through
 * the core's verifyCredentials: the URL's shape (webhook) or the token exchange (API).
 */
import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { googleChatProvider } from '../core/providers/googlechat';
import { credentialProperties } from '../nodes/n8n/shared/credentials';

export class SwitchboardGoogleChatApi implements ICredentialType {
	name = 'switchboardGoogleChatApi';

	displayName = 'Switchboard Google Chat API';

	icon: Icon = 'file:switchboard.svg';

	// An HTTP URL, as community credentials need; the camelCase rule is for credentials inside n8n's own repository.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://developers.google.com/workspace/chat/quickstart/webhooks';

	properties: INodeProperties[] = credentialProperties(googleChatProvider.credentialFields, {
		displayOptions: { webhookUrl: { show: { mode: ['webhook'] } }, serviceAccountJson: { show: { mode: ['api'] } } },
	});
}
