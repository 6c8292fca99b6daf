/**
 * Node-RED "switchboard-store": the configuration node that says where the Schedule Queue lives.
 *
 *  - Embedded (default): a PGlite database in a folder, default `<userDir>/switchboard/queue`; a
 *    relative folder is taken from the user directory. One process per folder (a lock file says so).
 *  - PostgreSQL: a connection string, or host / port / database / user / password, all held in the
 *    node's credentials so Node-RED stores them encrypted (flows_cred.json), never in the flow file;
 *    SSL off / on with certificate check / on without.
 *
 * The store opens nothing by itself. Nodes using it call `acquireQueue()` when they first need the
 * queue and get a lease on the one queue the process shares for this connection (the registry in
 * nodes/shared/queue-host.ts counts the leases and closes the queue when the last is released).
 * When the store itself closes (redeploy, stop), it waits for the leases it handed out to be given
 * back — their nodes finish running operations first — and releases whatever is left after a bound,
 * so the queue is always closed with its store.
 *
 * Approval links (docs/approval.md): the store also holds what the Schedule Queue's "approval links"
 * and "approval request" operations need — the signing secret (credential `approvalSecret`, encrypted
 * like the passwords), the public URL of the approval page (`approvalBaseUrl`) and the link lifetime
 * in hours (`approvalTtlHours`, default 72). Schedule Queue nodes read them through
 * `approvalSettings()`; the secret is checked (≥ 32 characters) where it is used.
 */
import { InvalidQueueInputError, QueueStoreError } from '../../core';
import type { QueueConnection } from '../../core/queue';
import type { Node, NodeAPI, NodeDef } from './shared/node-red';
import { configOption, embeddedFolder, leaseQueue, nodeRedUserDir, type QueueLease, type QueueNodeAPI, type QueueStoreNode } from './shared/host';

const NODE_TYPE = 'switchboard-store';

/**
 * How long closing waits for the nodes using the store to give their leases back before releasing
 * them itself. Below Node-RED's own close timeout (15 s), so the store closes in time.
 */
const CLOSE_WAIT_MS = 10_000;

type SslMode = 'off' | 'verify' | 'no-verify';

interface StoreNodeDef extends NodeDef {
	approvalBaseUrl?: string;
	approvalTtlHours?: number | string;
	storeType?: string;
	folder?: string;
	ssl?: string;
	maxConnections?: number | string;
}

function problem(field: string, message: string, hint: string): InvalidQueueInputError {
	return new InvalidQueueInputError([{ field: `store setting "${field}"`, message }], hint);
}

/** The connection this store describes, or the error that keeps it from being used (reported on use). */
function storeConnection(config: StoreNodeDef, credentials: Record<string, string | undefined>, userDir: string | undefined): QueueConnection {
	const type = config.storeType ?? 'embedded';
	if (type === 'embedded') return { kind: 'embedded', dataDir: embeddedFolder(userDir, configOption(config.folder)) };
	if (type !== 'postgres') throw problem('Store', `must be embedded or postgres (got ${JSON.stringify(type)})`, 'Open the store configuration and choose a store type.');

	const connectionString = configOption(credentials.connectionString);
	const host = configOption(credentials.host);
	if (!connectionString && !host) {
		throw problem('Connection', 'is empty, and so is Host', 'Open the store configuration and give a PostgreSQL connection string (postgres://user:password@host:5432/database) or the host and database.');
	}
	const ssl = (configOption(config.ssl) ?? 'off') as SslMode;
	if (!['off', 'verify', 'no-verify'].includes(ssl)) throw problem('SSL', `must be off, verify or no-verify (got ${JSON.stringify(ssl)})`, 'Choose an SSL setting.');
	const connection: QueueConnection = { kind: 'postgres' };
	if (connectionString) connection.connectionString = connectionString;
	else {
		connection.host = host;
		const port = configOption(credentials.port);
		if (port !== undefined) {
			const n = Number(port);
			if (!Number.isInteger(n) || n < 1 || n > 65535) throw problem('Port', `must be a port number from 1 to 65535 (got ${JSON.stringify(port)})`, 'Fix the port (PostgreSQL listens on 5432 by default).');
			connection.port = n;
		}
		const database = configOption(credentials.database);
		const user = configOption(credentials.user);
		// A password may legitimately be spaces: only "not given" is left out.
		const password = credentials.password;
		if (database) connection.database = database;
		if (user) connection.user = user;
		if (password !== undefined && password !== '') connection.password = password;
	}
	if (ssl === 'verify') connection.ssl = true;
	else if (ssl === 'no-verify') connection.ssl = { rejectUnauthorized: false };
	const pool = config.maxConnections;
	if (pool !== undefined && pool !== null && String(pool).trim() !== '') {
		const n = Number(pool);
		if (!Number.isInteger(n) || n < 1) throw problem('Pool size', `must be a whole number ≥ 1 (got ${JSON.stringify(pool)})`, 'Give the number of connections per Node-RED process (default 5).');
		connection.maxConnections = n;
	}
	return connection;
}

/** Default link lifetime, hours. */
const DEFAULT_APPROVAL_TTL_HOURS = 72;
/** Longest link lifetime, hours (366 days). */
const MAX_APPROVAL_TTL_HOURS = 8784;

/** What the approval operations read from the store (see approvalSettings()). */
interface ApprovalStoreSettings {
	/** The signing secret (credential `approvalSecret`); undefined when not set. */
	secret: string | undefined;
	/** Public URL of the approval page; undefined when not set. */
	baseUrl: string | undefined;
	/** Link lifetime in ms. */
	ttlMs: number;
}

/** The approval settings of a store's configuration; a bad lifetime is an error naming the setting. */
function approvalSettingsOf(config: StoreNodeDef, credentials: Record<string, string | undefined>): ApprovalStoreSettings {
	const raw = config.approvalTtlHours;
	let hours = DEFAULT_APPROVAL_TTL_HOURS;
	if (raw !== undefined && raw !== null && String(raw).trim() !== '') {
		hours = Number(raw);
		if (!Number.isFinite(hours) || hours <= 0 || hours > MAX_APPROVAL_TTL_HOURS) {
			throw problem('Link lifetime (hours)', `must be a number of hours from 1 to ${MAX_APPROVAL_TTL_HOURS} (got ${JSON.stringify(raw)})`, 'Open the store configuration and give how long approval links stay valid (default 72).');
		}
	}
	const secret = credentials.approvalSecret;
	return {
		secret: typeof secret === 'string' && secret !== '' ? secret : undefined,
		baseUrl: configOption(config.approvalBaseUrl),
		ttlMs: Math.max(60_000, Math.round(hours * 3_600_000)),
	};
}

function register(RED: NodeAPI): void {
	const red = RED as QueueNodeAPI;

	function SwitchboardStoreNode(this: QueueStoreNode & ApprovalStore, config: NodeDef): void {
		RED.nodes.createNode(this, config);
		const node = this;
		node.approvalSettings = () => approvalSettingsOf(config as StoreNodeDef, node.credentials ?? {});
		let connection: QueueConnection | undefined;
		let setupError: Error | undefined;
		try {
			connection = storeConnection(config as StoreNodeDef, node.credentials ?? {}, nodeRedUserDir(red));
		} catch (error) {
			setupError = error as Error;
		}

		const issued = new Set<QueueLease>();
		let closing = false;
		let allReturned: (() => void) | undefined;

		node.acquireQueue = async (): Promise<QueueLease> => {
			if (setupError) throw setupError;
			if (closing || !connection) throw new QueueStoreError(`The store "${node.name || node.id}" is closing`, 'Send the message again once the flows have restarted.');
			const lease = await leaseQueue(connection);
			let released = false;
			const tracked: QueueLease = {
				queue: lease.queue,
				release: async () => {
					if (released) return;
					released = true;
					issued.delete(tracked);
					try {
						await lease.release();
					} finally {
						if (issued.size === 0) allReturned?.();
					}
				},
			};
			issued.add(tracked);
			return tracked;
		};

		node.on('close', (_removed: boolean, done: () => void) => {
			closing = true;
			const waitForUsers =
				issued.size === 0
					? Promise.resolve()
					: new Promise<void>((resolve) => {
							const timer = setTimeout(resolve, CLOSE_WAIT_MS);
							allReturned = () => {
								clearTimeout(timer);
								resolve();
							};
						});
			void waitForUsers
				.then(() => Promise.allSettled([...issued].map((lease) => lease.release())))
				.then((results) => {
					for (const r of results) if (r.status === 'rejected') node.warn(`Closing the queue store: ${(r.reason as Error).message}`);
				})
				.finally(() => done());
		});
	}

	RED.nodes.registerType(NODE_TYPE, SwitchboardStoreNode as (this: Node, def: NodeDef) => void, {
		credentials: {
			connectionString: { type: 'password' },
			host: { type: 'text' },
			port: { type: 'text' },
			database: { type: 'text' },
			user: { type: 'text' },
			password: { type: 'password' },
			approvalSecret: { type: 'password' },
		},
	});
}

/** A store node that can hand its approval settings to the Schedule Queue nodes. */
interface ApprovalStore {
	approvalSettings(): ApprovalStoreSettings;
}

// A Node-RED node module exports only its register function; the types Schedule Queue uses ride along.
// eslint-disable-next-line @typescript-eslint/no-namespace
namespace register {
	export type ApprovalSettings = ApprovalStoreSettings;
	export type ApprovalStoreNode = QueueStoreNode & ApprovalStore;
}

export = register;
