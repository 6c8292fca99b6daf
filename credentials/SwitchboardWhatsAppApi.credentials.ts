/**
 * Switchboard WhatsApp: the WhatsApp Cloud API (Meta Graph), authenticated with a system-user or
 * business access token (Bearer). "Test" reads the sending phone number
 * (GET /{API Version}/{Phone Number ID}), which proves both the token and the number ID; the Base
 * URL, when set, replaces graph.facebook.com.
 */
import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { whatsappProvider } from '../core/providers/whatsapp';
import { credentialProperties } from '../nodes/n8n/shared/credentials';

export class SwitchboardWhatsAppApi implements ICredentialType {
	name = 'switchboardWhatsAppApi';

	displayName = 'Switchboard WhatsApp API';

	icon: Icon = 'file:switchboard.svg';

	// An HTTP URL, as community credentials need; the camelCase rule is for credentials inside n8n's own repository.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://developers.facebook.com/docs/whatsapp/cloud-api/get-started';

	properties: INodeProperties[] = credentialProperties(whatsappProvider.credentialFields);

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
			baseURL: '={{$credentials.baseUrl || "https://graph.facebook.com"}}',
			url: '=/{{$credentials.apiVersion || "v21.0"}}/{{$credentials.phoneNumberId}}',
			method: 'GET',
		},
	};
}
