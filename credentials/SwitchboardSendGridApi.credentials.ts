/**
 * Switchboard SendGrid: email through Twilio SendGrid's v3 Mail Send API, authenticated with an API
 * key (Bearer). "Test" lists the key's scopes (GET /v3/scopes), which any valid key may read; the
 * Base URL, when set, replaces api.sendgrid.com (e.g. the EU data-residency host).
 */
import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { sendgridProvider } from '../core/providers/sendgrid';
import { credentialProperties } from '../nodes/n8n/shared/credentials';

export class SwitchboardSendGridApi implements ICredentialType {
	name = 'switchboardSendGridApi';

	displayName = 'Switchboard SendGrid API';

	icon: Icon = 'file:switchboard.svg';

	// An HTTP URL, as community credentials need; the camelCase rule is for credentials inside n8n's own repository.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://www.twilio.com/docs/sendgrid/for-developers/sending-email/api-getting-started';

	properties: INodeProperties[] = credentialProperties(sendgridProvider.credentialFields);

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl || "https://api.sendgrid.com"}}',
			url: '/v3/scopes',
			method: 'GET',
		},
	};
}
