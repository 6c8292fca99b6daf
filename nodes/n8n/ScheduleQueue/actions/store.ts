/**
 * The Store parameters of the node and the open queue behind them. Host-side sharing lives in
 * nodes/shared/queue-host.ts: the default embedded folder, the lock that keeps a second process out
 * of an embedded store, and the per-process registry through which every Schedule Queue node (and
 * every run) with the same store uses one open queue.
 */
import { hostname } from 'node:os';
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { leaseQueue, resolveStoreFolder, type QueueLease } from '../../../shared/queue-host';
import {
	BUILT_IN_POSTGRES_CREDENTIAL,
	SWITCHBOARD_POSTGRES_CREDENTIAL,
	executeParameterSource,
	postgresConnectionOfNode,
	readStoreParameters,
	type StoreParameterSource,
	type ResolvedConnection,
} from './connection';

export const storeProperties: INodeProperties[] = [
	{
		displayName: 'Store',
		name: 'storeType',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Embedded (Default)',
				value: 'embedded',
				description: 'A database inside n8n\'s own folder: nothing to set up. For one n8n instance (not queue mode with several workers).',
			},
			{
				name: 'PostgreSQL',
				value: 'postgres',
				description: 'Your PostgreSQL or Supabase database: for several workers or n8n instances, and to see the tables from other tools',
			},
		],
		default: 'embedded',
		description: 'Where the scheduled messages and the delivery log are kept. Every Schedule Queue node of a process must point at the same store.',
	},
	{
		displayName: 'PostgreSQL Credential',
		name: 'postgresCredential',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Postgres (Built-In Credential)',
				value: BUILT_IN_POSTGRES_CREDENTIAL,
				description: "The Postgres credential that comes with n8n: host, port, database, user, password",
			},
			{
				name: 'Switchboard PostgreSQL (Connection String)',
				value: SWITCHBOARD_POSTGRES_CREDENTIAL,
				description: 'One connection string, as Supabase, Neon or RDS show it',
			},
		],
		default: BUILT_IN_POSTGRES_CREDENTIAL,
		description: 'Which kind of credential holds the database connection',
		displayOptions: { show: { storeType: ['postgres'] } },
	},
	{
		displayName: 'Store Options',
		name: 'storeOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { storeType: ['embedded'] } },
		options: [
			{
				displayName: 'Store Folder',
				name: 'storeFolder',
				type: 'string',
				default: '',
				placeholder: 'e.g. /data/switchboard/queue',
				description:
					'Folder of the embedded database, created when missing. Empty: "switchboard/queue" in the n8n user folder (~/.n8n). Only one n8n process can use a folder at a time.',
			},
		],
	},
];

/**
 * Worker ID of this n8n process: what Claim Due records as the lease owner and what Complete / Fail
 * check, unless the node names another. Stable for the life of the process, so a queue reopened
 * between the Claim Due and the Complete of one execution still recognises its own leases.
 */
export const PROCESS_WORKER_ID = `n8n-${hostname()}-${process.pid}`;

/**
 * How long an embedded store stays open after the last execution using it: a processor scheduled every
 * few minutes (or every 15, as in seed 000) then never reopens it. PostgreSQL pools still close at once
 * (the registry now keys them by every setting, password included, so an edited credential never reuses
 * a pool; keeping them open between runs is not done yet).
 */
const EMBEDDED_IDLE_CLOSE_MS = 30 * 60_000;

/** The store the node's parameters name, with its secrets (read before anything can fail with them in a message). */
export async function resolveStore(this: IExecuteFunctions): Promise<ResolvedConnection> {
	return await resolveStoreFrom(executeParameterSource(this));
}

/** The store named by the Store parameters of any node (Schedule Queue, Channel Send, Delivery Webhook). */
export async function resolveStoreFrom(source: StoreParameterSource): Promise<ResolvedConnection> {
	const parameters = readStoreParameters(source);
	if (parameters.storeType === 'postgres') return await postgresConnectionOfNode(source, parameters.postgresCredential);
	const dataDir = resolveStoreFolder('n8n', parameters.storeFolder);
	return { connection: { kind: 'embedded', dataDir }, secrets: [], label: dataDir };
}

/**
 * A lease on the open queue of that store, shared by every node and execution of this process
 * (nodes/shared/queue-host.ts; embedded stores get their lock file there). Release it when the
 * execution is done.
 */
export async function openStore(store: ResolvedConnection): Promise<QueueLease> {
	return await leaseQueue(store.connection, {
		workerId: PROCESS_WORKER_ID,
		idleCloseMs: store.connection.kind === 'embedded' ? EMBEDDED_IDLE_CLOSE_MS : 0,
	});
}
