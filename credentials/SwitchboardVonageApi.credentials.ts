/**
 * Switchboard Vonage: SMS, MMS and WhatsApp through the Vonage Messages API, authenticated with the
 * account's API key and secret (HTTP Basic). "Test" reads the account balance
 * (GET /account/get-balance), a read that needs valid credentials and costs nothing; a Base URL on
 * vonage.com / nexmo.com (a Messages region) keeps the global Account API host; any other (a proxy, a
 * test server) replaces it.
 */
import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { vonageProvider } from '../core/providers/vonage';
import { credentialProperties } from '../nodes/n8n/shared/credentials';

export class SwitchboardVonageApi implements ICredentialType {
	name = 'switchboardVonageApi';

	displayName = 'Switchboard Vonage API';

	icon: Icon = 'file:switchboard.svg';

	// An HTTP URL, as community credentials need; the camelCase rule is for credentials inside n8n's own repository.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://developer.vonage.com/en/messages/overview';

	properties: INodeProperties[] = credentialProperties(vonageProvider.credentialFields);

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			auth: {
				username: '={{$credentials.apiKey}}',
				password: '={{$credentials.apiSecret}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			// The Account API has one global host: a regional Messages host (api-eu.vonage.com…) is not used for it, a proxy or test server is.
			baseURL:
				'={{ $credentials.baseUrl && !$credentials.baseUrl.includes("vonage.com") && !$credentials.baseUrl.includes("nexmo.com") ? $credentials.baseUrl : "https://rest.nexmo.com" }}',
			url: '/account/get-balance',
			method: 'GET',
		},
	};
}
