/**
 * Switchboard Brevo: transactional email through Brevo (ex-Sendinblue), authenticated with an API key
 * in the `api-key` header. "Test" reads the account (GET /v3/account); the Base URL, when set,
 * replaces api.brevo.com.
 */
import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { brevoProvider } from '../core/providers/brevo';
import { credentialProperties } from '../nodes/n8n/shared/credentials';

export class SwitchboardBrevoApi implements ICredentialType {
	name = 'switchboardBrevoApi';

	displayName = 'Switchboard Brevo API';

	icon: Icon = 'file:switchboard.svg';

	// An HTTP URL, as community credentials need; the camelCase rule is for credentials inside n8n's own repository.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://developers.brevo.com/docs/getting-started';

	properties: INodeProperties[] = credentialProperties(brevoProvider.credentialFields);

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'api-key': '={{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl || "https://api.brevo.com"}}',
			url: '/v3/account',
			method: 'GET',
			headers: { accept: 'application/json' },
		},
	};
}
