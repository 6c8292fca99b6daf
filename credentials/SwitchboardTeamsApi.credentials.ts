/**
 * Switchboard Microsoft Teams: either an Entra ID app posting through Microsoft Graph (OAuth2 client
 * credentials: tenant, client id, client secret) or a Teams Workflows webhook URL. Graph needs a token
 * exchange before any call, and a Workflows URL cannot be read without posting to the chat, so "Test"
 * is done by the Channel Send node (testedBy): it asks the token endpoint for a token (Graph) or checks
 * the URL's shape (Workflows) through the core's verifyCredentials.
 */
import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { teamsProvider } from '../core/providers/teams';
import { credentialProperties } from '../nodes/n8n/shared/credentials';

const graph = { show: { mode: ['graph'] } };
const workflows = { show: { mode: ['workflows'] } };

export class SwitchboardTeamsApi implements ICredentialType {
	name = 'switchboardTeamsApi';

	displayName = 'Switchboard Microsoft Teams API';

	icon: Icon = 'file:switchboard.svg';

	// An HTTP URL, as community credentials need; the camelCase rule is for credentials inside n8n's own repository.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://learn.microsoft.com/en-us/graph/api/chatmessage-post';

	properties: INodeProperties[] = credentialProperties(teamsProvider.credentialFields, {
		displayOptions: { tenantId: graph, clientId: graph, clientSecret: graph, workflowUrl: workflows },
	});
}
