/**
 * Switchboard Messenger: Facebook Messenger's Send API with a Page access token (Bearer). "Test" reads
 * the Page the token belongs to (GET /{API Version}/me); the Base URL, when set, replaces
 * graph.facebook.com.
 */
import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { messengerProvider } from '../core/providers/messenger';
import { credentialProperties } from '../nodes/n8n/shared/credentials';

export class SwitchboardMessengerApi implements ICredentialType {
	name = 'switchboardMessengerApi';

	displayName = 'Switchboard Messenger API';

	icon: Icon = 'file:switchboard.svg';

	// An HTTP URL, as community credentials need; the camelCase rule is for credentials inside n8n's own repository.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://developers.facebook.com/docs/messenger-platform/reference/send-api';

	properties: INodeProperties[] = credentialProperties(messengerProvider.credentialFields);

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.pageAccessToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl || "https://graph.facebook.com"}}',
			url: '=/{{$credentials.apiVersion || "v21.0"}}/me',
			method: 'GET',
		},
	};
}
