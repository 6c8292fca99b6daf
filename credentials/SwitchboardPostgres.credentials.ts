/**
 * Switchboard PostgreSQL: a PostgreSQL server reached by one connection string (Supabase, Neon, RDS,
 * a self-hosted server) for the Schedule Queue. n8n's built-in "Postgres" credential (host, port,
 * user…) works too; this one exists because hosted databases hand out a connection string.
 *
 * A database cannot be tested with an HTTP request, so there is no `test` here: the Schedule Queue
 * node declares `testedBy: 'switchboardPostgresConnectionTest'`, which connects with `pg` and runs
 * `select 1` (nodes/n8n/ScheduleQueue/actions/connection.ts).
 */
import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

export class SwitchboardPostgres implements ICredentialType {
	name = 'switchboardPostgres';

	displayName = 'Switchboard PostgreSQL';

	icon: Icon = 'file:switchboard.svg';

	// An HTTP URL, as community credentials need (cred-class-field-documentation-url-not-http-url); the
	// camelCase rule is for credentials inside n8n's own repository, and no URL can satisfy both.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://github.com/switchboard-msg/n8n-nodes-switchboard#schedule-queue';

	properties: INodeProperties[] = [
		{
			displayName: 'Connection String',
			name: 'connectionString',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'e.g. postgresql://postgres.abcdefgh:password@aws-0-eu-west-1.pooler.supabase.com:5432/postgres',
			description:
				'The database URL, as your provider shows it (Supabase: Project Settings → Database → Connection string, "Session pooler" or "Direct connection"; the "Transaction pooler" on port 6543 is not suitable for a queue)',
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: [
				{
					name: 'As in the Connection String',
					value: 'connectionString',
					description: 'Use the sslmode of the connection string (no sslmode: no SSL)',
				},
				{
					name: 'Disable',
					value: 'disable',
					description: 'Connect without SSL (local servers only)',
				},
				{
					name: 'Require',
					value: 'require',
					description: 'Encrypt and verify the server certificate against the trusted authorities',
				},
				{
					name: 'Require, Allow Self-Signed Certificate',
					value: 'requireNoVerify',
					description:
						'Encrypt, but accept a certificate the system does not trust (e.g. Supabase without its CA installed). Traffic is encrypted, the server is not authenticated.',
				},
			],
			default: 'connectionString',
			description: 'Whether and how the connection is encrypted. Overrides any sslmode in the connection string, except for the first choice.',
		},
		{
			displayName: 'Max Connections',
			name: 'maxConnections',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: 5,
			description: 'How many connections this n8n process may open to the database at once (per credential)',
		},
	];
}
