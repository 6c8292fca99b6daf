/**
 * Switchboard Approval Links: the secret that signs the approve / reject links the Schedule Queue's
 * "Approval Links" operation sends to reviewers, the public URL of the approval page ("Approval
 * Request" behind a Webhook node), and how long links stay valid. See docs/approval.md.
 *
 * There is no remote API behind this credential — the secret only signs and checks links inside n8n —
 * so it has no `test` request: nothing could be called to test it. The Schedule Queue node checks the
 * secret (at least 32 characters) and the URL each time it uses them, and names the field to fix.
 */
import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

export class SwitchboardApprovalApi implements ICredentialType {
	name = 'switchboardApprovalApi';

	// The name says what it holds: there is no remote API behind it (see above), so no "API" suffix.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-display-name-missing-api
	displayName = 'Switchboard Approval Links';

	icon: Icon = 'file:switchboard.svg';

	// An HTTP URL, as community credentials need; the camelCase rule is for credentials inside n8n's own repository.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://github.com/switchboard-msg/n8n-nodes-switchboard/blob/main/docs/approval.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Signing Secret',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'e.g. the output of: openssl rand -base64 48',
			description:
				'A random text of at least 32 characters that signs the approval links. Anyone who has it can make links, so keep it here only. Changing it makes every link already sent invalid.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. https://n8n.example.com/webhook/switchboard/approval',
			description:
				"The public address of the approval page: the production URL of the Webhook node in front of the Schedule Queue's Approval Request operation, as reviewers reach it",
		},
		{
			displayName: 'Link Lifetime (Hours)',
			name: 'linkTtlHours',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 8784 },
			default: 72,
			description: 'How long approve / reject links stay valid after the digest is made. An expired link shows a "link expired" page and changes nothing.',
		},
	];
}
