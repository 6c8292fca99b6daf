/**
 * Switchboard Instagram: Instagram Direct through the Instagram API with Instagram Login, with the access
 * token of the Instagram professional account (Bearer). "Test" reads the account the token belongs
 * to (GET /{API Version}/me); the Base URL, when set, replaces graph.instagram.com
 * (https://graph.facebook.com for an app using Facebook Login with a Page token).
 */
import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { instagramProvider } from '../core/providers/instagram';
import { credentialProperties } from '../nodes/n8n/shared/credentials';

export class SwitchboardInstagramApi implements ICredentialType {
	name = 'switchboardInstagramApi';

	displayName = 'Switchboard Instagram API';

	icon: Icon = 'file:switchboard.svg';

	// An HTTP URL, as community credentials need; the camelCase rule is for credentials inside n8n's own repository.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/messaging-api';

	properties: INodeProperties[] = credentialProperties(instagramProvider.credentialFields);

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl || "https://graph.instagram.com"}}',
			url: '=/{{$credentials.apiVersion || "v21.0"}}/me',
			method: 'GET',
		},
	};
}
