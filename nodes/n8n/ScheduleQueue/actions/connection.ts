/**
 * Where the queue lives, from the node's Store parameters and credentials, and the connection test of
 * the "Switchboard PostgreSQL" credential.
 *
 *  - Embedded (default): a PGlite database in the n8n user folder, zero configuration.
 *  - PostgreSQL through n8n's built-in "Postgres" credential (host, port, database, user, password,
 *    SSL) or through our "Switchboard PostgreSQL" credential (one connection string, e.g. Supabase).
 *
 * Every connection also yields its secrets (password, connection string) so the node can redact them
 * from any message it shows.
 */
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, ICredentialsDecrypted, IExecuteFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import type { QueueConnection } from '../../../../core/queue';
import { ParameterError, optionalString, redact } from './shared';

export type StoreType = 'embedded' | 'postgres';
/** Credential type names the node accepts for PostgreSQL. */
export const BUILT_IN_POSTGRES_CREDENTIAL = 'postgres';
export const SWITCHBOARD_POSTGRES_CREDENTIAL = 'switchboardPostgres';
export type PostgresCredentialType = typeof BUILT_IN_POSTGRES_CREDENTIAL | typeof SWITCHBOARD_POSTGRES_CREDENTIAL;

/** Name of the credential test method (`testedBy` in the node's credentials). */
export const CONNECTION_TEST = 'switchboardPostgresConnectionTest';

export interface ResolvedConnection {
	connection: QueueConnection;
	/** Values to redact from every message shown to the user. */
	secrets: string[];
	/** For messages: where the store is, without secrets (folder, or user@host:port/database). */
	label: string;
}

/** Connection-string parameters that decide SSL; removed when the credential's SSL setting overrides them. */
const SSL_URL_PARAMS = ['sslmode', 'ssl', 'sslcert', 'sslkey', 'sslrootcert', 'uselibpqcompat'];

function stringField(data: ICredentialDataDecryptedObject, key: string): string | undefined {
	const value = data[key];
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The secrets inside a connection string: the whole string and its password, raw and decoded. */
function connectionStringSecrets(connectionString: string): string[] {
	const secrets = [connectionString];
	const match = /^[a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:([^@/?#]*)@/i.exec(connectionString);
	if (match?.[1]) {
		secrets.push(match[1]);
		try {
			secrets.push(decodeURIComponent(match[1]));
		} catch {
			// not percent-encoded: the raw form is enough
		}
	}
	return secrets;
}

/** host:port/database of a connection string, for messages (never the user's password). */
function describeConnectionString(connectionString: string): { host?: string; port?: number; database?: string; user?: string; label: string } {
	try {
		const url = new URL(connectionString);
		const host = url.hostname || undefined;
		const port = url.port ? Number(url.port) : 5432;
		const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
		const user = url.username ? decodeURIComponent(url.username) : undefined;
		return { host, port, database, user, label: `${user ? `${user}@` : ''}${host ?? 'localhost'}:${port}/${database ?? ''}` };
	} catch {
		return { label: 'the database of the connection string' };
	}
}

/**
 * Our credential as a QueueConnection. SSL: "As in the Connection String" leaves the string alone;
 * any other choice removes the string's ssl parameters, because pg lets the string override `ssl`.
 */
export function switchboardPostgresConnection(data: ICredentialDataDecryptedObject): ResolvedConnection {
	const raw = stringField(data, 'connectionString')?.trim();
	if (!raw) {
		throw new ParameterError(
			'The Switchboard PostgreSQL credential has no connection string',
			'Open the credential and paste the database URL, e.g. postgresql://user:password@host:5432/postgres.',
		);
	}
	if (!/^postgres(ql)?:\/\//i.test(raw)) {
		throw new ParameterError(
			'The connection string of the Switchboard PostgreSQL credential does not start with postgresql://',
			'Use the URL form your provider shows, e.g. postgresql://user:password@host:5432/postgres.',
		);
	}
	const ssl = typeof data.ssl === 'string' ? data.ssl : 'connectionString';
	let connectionString = raw;
	let sslOption: boolean | { rejectUnauthorized: boolean } | undefined;
	if (ssl !== 'connectionString') {
		const url = new URL(raw);
		for (const param of SSL_URL_PARAMS) url.searchParams.delete(param);
		connectionString = url.toString();
		sslOption = ssl === 'disable' ? false : ssl === 'requireNoVerify' ? { rejectUnauthorized: false } : true;
	}
	const maxConnections = typeof data.maxConnections === 'number' && data.maxConnections >= 1 ? Math.floor(data.maxConnections) : undefined;
	const connection: QueueConnection = {
		kind: 'postgres',
		connectionString,
		...(sslOption === undefined ? {} : { ssl: sslOption }),
		...(maxConnections ? { maxConnections } : {}),
	};
	return {
		connection,
		secrets: connectionStringSecrets(raw),
		label: describeConnectionString(raw).label,
	};
}

/**
 * n8n's built-in Postgres credential as a QueueConnection, read as n8n's own Postgres node reads it:
 * SSL on unless "disable"; "Ignore SSL Issues" accepts any certificate. Its SSH tunnel is not
 * supported (the queue keeps a pool of connections of its own).
 */
export function builtInPostgresConnection(data: ICredentialDataDecryptedObject): ResolvedConnection {
	if (data.sshTunnel === true) {
		throw new ParameterError(
			'The Postgres credential uses an SSH tunnel, which the Schedule Queue does not support',
			'Make the database reachable directly (or through a tunnel started outside n8n) and turn "SSH Tunnel" off, or use a Switchboard PostgreSQL credential.',
		);
	}
	const host = stringField(data, 'host') ?? 'localhost';
	const port = typeof data.port === 'number' ? data.port : Number(data.port ?? 5432) || 5432;
	const database = stringField(data, 'database') ?? 'postgres';
	const user = stringField(data, 'user') ?? 'postgres';
	const password = stringField(data, 'password');
	const sslMode = stringField(data, 'ssl') ?? 'disable';
	const ssl: boolean | { rejectUnauthorized: boolean } = data.allowUnauthorizedCerts === true ? { rejectUnauthorized: false } : sslMode !== 'disable';
	const connection: QueueConnection = { kind: 'postgres', host, port, database, user, ssl, ...(password ? { password } : {}) };
	return {
		connection,
		secrets: password ? [password] : [],
		label: `${user}@${host}:${port}/${database}`,
	};
}

// ---------------------------------------------------------------------------------------------------
// Credential test

interface PgErrorLike {
	code?: string;
	message?: string;
}

/** Words an analyst can act on for what `pg` reports when connecting. */
function explainConnectError(error: unknown, where: { host?: string; port?: number; database?: string; user?: string }): string {
	const { code, message = String(error) } = (error ?? {}) as PgErrorLike;
	const address = `${where.host ?? 'localhost'}:${where.port ?? 5432}`;
	switch (code) {
		case 'ECONNREFUSED':
			return `Cannot reach the database at ${address}: nothing accepts connections there. Check the host and port, and that the server is running and lets n8n in (firewall, allowed IPs).`;
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return `The host "${where.host ?? ''}" was not found. Check its spelling in the credential.`;
		case 'ETIMEDOUT':
		case 'EHOSTUNREACH':
		case 'ENETUNREACH':
			return `Cannot reach the database at ${address}: no answer. Check the host and port, and that the server lets n8n in (firewall, allowed IPs).`;
		case '28P01':
		case '28000':
			return `Authentication failed for user "${where.user ?? ''}": the server refused the user name or password. Check both in the credential (Supabase pooler users look like postgres.<project ref>).`;
		case '3D000':
			return `The database "${where.database ?? ''}" does not exist on ${address}. Check the database name in the credential.`;
		case '53300':
			return `The database at ${address} has no free connections left. Lower "Max Connections" or close other clients.`;
		default:
			break;
	}
	if (/timeout/i.test(message)) return `Cannot reach the database at ${address}: no answer within the time limit. Check the host and port, and the firewall.`;
	if (/self[- ]signed certificate|unable to verify|certificate/i.test(message)) {
		return `The server's SSL certificate is not trusted (${message}). Install its CA for Node.js (NODE_EXTRA_CA_CERTS), or choose SSL "Require, Allow Self-Signed Certificate".`;
	}
	if (/does not support SSL/i.test(message)) return `The server does not accept SSL connections. Set SSL to "Disable" (or remove sslmode from the connection string).`;
	return `Could not connect to the database at ${address}: ${message}`;
}

/**
 * Connects once with `pg`, runs `select 1` and disconnects. Returns what n8n shows in the credential
 * dialog; never throws, never puts a secret in the message.
 */
export async function testPostgresConnection(type: string, data: ICredentialDataDecryptedObject, timeoutMs = 10_000): Promise<INodeCredentialTestResult> {
	let resolved: ResolvedConnection;
	try {
		resolved = type === BUILT_IN_POSTGRES_CREDENTIAL ? builtInPostgresConnection(data) : switchboardPostgresConnection(data);
	} catch (error) {
		return { status: 'Error', message: error instanceof Error ? error.message : String(error) };
	}
	const connection = resolved.connection;
	if (connection.kind !== 'postgres') return { status: 'Error', message: 'Not a PostgreSQL connection' };
	const where = connection.connectionString ? describeConnectionString(connection.connectionString) : connection;

	const { Client } = await import('pg');
	const client = new Client({
		connectionString: connection.connectionString,
		host: connection.host,
		port: connection.port,
		database: connection.database,
		user: connection.user,
		password: connection.password,
		ssl: connection.ssl,
		connectionTimeoutMillis: timeoutMs,
		query_timeout: timeoutMs,
		application_name: 'switchboard-connection-test',
	});
	// A connection dropped after connect emits 'error' on the client; the awaited calls report it.
	client.on('error', () => undefined);
	try {
		await client.connect();
		await client.query('select 1');
		return { status: 'OK', message: `Connected to ${resolved.label}` };
	} catch (error) {
		return { status: 'Error', message: redact(explainConnectError(error, where), resolved.secrets) };
	} finally {
		await client.end().catch(() => undefined);
	}
}

/** `methods.credentialTest` entry of the node: n8n calls it from the credential dialog's "Test". */
export async function credentialTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return await testPostgresConnection(credential.type, credential.data ?? {});
}

// ---------------------------------------------------------------------------------------------------
// From the node's parameters

export interface StoreParameters {
	storeType: StoreType;
	/** Absolute folder of the embedded store, or undefined for the default. */
	storeFolder?: string;
	postgresCredential: PostgresCredentialType;
}

/**
 * How a node reads its Store parameters and credentials. The execute context names a parameter with
 * an item index, webhook and hook contexts (the Delivery Webhook trigger) without one: each node
 * builds a source from its own context, and one reading serves both.
 */
export interface StoreParameterSource {
	parameter(name: string, fallback?: unknown): unknown;
	credentials(type: string): Promise<ICredentialDataDecryptedObject>;
}

/** The source of an execute context (parameters of item 0: the Store parameters take no expressions). */
export function executeParameterSource(context: IExecuteFunctions): StoreParameterSource {
	return {
		parameter: (name, fallback) => (fallback === undefined ? context.getNodeParameter(name, 0) : context.getNodeParameter(name, 0, fallback)),
		credentials: async (type) => await context.getCredentials(type),
	};
}

export function readStoreParameters(source: StoreParameterSource): StoreParameters {
	const storeType = source.parameter('storeType') as StoreType;
	const postgresCredential = storeType === 'postgres' ? (source.parameter('postgresCredential') as PostgresCredentialType) : BUILT_IN_POSTGRES_CREDENTIAL;
	const storeOptions = storeType === 'embedded' ? (source.parameter('storeOptions', {}) as { storeFolder?: unknown }) : {};
	const storeFolder = optionalString(storeOptions.storeFolder);
	return { storeType, postgresCredential, ...(storeFolder ? { storeFolder } : {}) };
}

/** The PostgreSQL connection of the node's chosen credential. */
export async function postgresConnectionOfNode(source: StoreParameterSource, credentialType: PostgresCredentialType): Promise<ResolvedConnection> {
	const data = await source.credentials(credentialType);
	return credentialType === BUILT_IN_POSTGRES_CREDENTIAL ? builtInPostgresConnection(data) : switchboardPostgresConnection(data);
}
