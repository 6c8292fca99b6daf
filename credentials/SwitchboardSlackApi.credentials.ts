/**
 * Switchboard Slack: a Slack app's bot token (xoxb-…), sent as a Bearer token. Slack answers HTTP 200
 * with {"ok": false} for a bad token, so "Test" (POST auth.test) also checks the body. The Base URL,
 * when set, replaces https://slack.com/api (e.g. a GovSlack host).
 */
import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { slackProvider } from '../core/providers/slack';
import { credentialProperties } from '../nodes/n8n/shared/credentials';

export class SwitchboardSlackApi implements ICredentialType {
	name = 'switchboardSlackApi';

	displayName = 'Switchboard Slack API';

	icon: Icon = 'file:switchboard.svg';

	// An HTTP URL, as community credentials need; the camelCase rule is for credentials inside n8n's own repository.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://api.slack.com/methods/chat.postMessage';

	properties: INodeProperties[] = credentialProperties(slackProvider.credentialFields);

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.botToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl || "https://slack.com/api"}}',
			url: '/auth.test',
			method: 'POST',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'ok',
					value: false,
					message: 'Slack refused the bot token (check that it starts with xoxb- and that the app is installed in the workspace)',
				},
			},
		],
	};
}
