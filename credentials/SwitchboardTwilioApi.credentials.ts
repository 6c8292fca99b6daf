/**
 * Switchboard Twilio: SMS, MMS and WhatsApp through Twilio's Messaging API. The fields come from the
 * core's provider description (core/providers/twilio), so the n8n credential and Node-RED's config
 * node ask for the same values. "Test" reads the account (GET /2010-04-01/Accounts/{AccountSid}.json,
 * HTTP Basic with the Account SID and Auth Token); the Base URL, when set, replaces api.twilio.com.
 */
import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { twilioProvider } from '../core/providers/twilio';
import { credentialProperties } from '../nodes/n8n/shared/credentials';

export class SwitchboardTwilioApi implements ICredentialType {
	name = 'switchboardTwilioApi';

	displayName = 'Switchboard Twilio API';

	icon: Icon = 'file:switchboard.svg';

	// An HTTP URL, as community credentials need; the camelCase rule is for credentials inside n8n's own repository.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://www.twilio.com/docs/messaging/api/message-resource';

	properties: INodeProperties[] = credentialProperties(twilioProvider.credentialFields);

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			auth: {
				username: '={{$credentials.accountSid}}',
				password: '={{$credentials.authToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl || "https://api.twilio.com"}}',
			url: '=/2010-04-01/Accounts/{{$credentials.accountSid}}.json',
			method: 'GET',
		},
	};
}
