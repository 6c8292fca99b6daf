/**
 * The Schedule Queue contract on a real PostgreSQL server (a throwaway cluster for this file: see
 * test/support/postgres.ts), one database per store, plus what only a server has: connecting by
 * fields, and clear errors when the server cannot be reached.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QueueStoreError } from '../../../core/errors';
import { openQueue, type QueueConnection } from '../../../core/queue';
import { freePort } from '../../support/net';
import { usePostgres } from '../../support/postgres';
import { queueContract } from './contract';

const pg = usePostgres();

queueContract({
	kind: 'postgres',
	concurrentOpen: true,
	async open(options) {
		const db = await pg().createDatabase();
		return openQueue({ ...options, connection: { kind: 'postgres', connectionString: db.connectionString } });
	},
	async freshConnection(): Promise<QueueConnection> {
		const db = await pg().createDatabase();
		return { kind: 'postgres', connectionString: db.connectionString };
	},
});

describe('PostgreSQL connections', () => {
	test('host, port, database and user work as well as a connection string', async () => {
		const db = await pg().createDatabase();
		const queue = await openQueue({ connection: { kind: 'postgres', host: db.host, port: db.port, database: db.name, user: db.user, maxConnections: 2 } });
		try {
			const { message } = await queue.enqueue({ channel: 'sms', recipient: '+1' });
			const rows = await pg().query<{ id: string }>('SELECT id FROM switchboard_scheduled_messages', [], db.name);
			assert.deepEqual(
				rows.map((r) => r.id),
				[message.id],
			);
		} finally {
			await queue.close();
		}
	});

	test('an unreachable server is a QueueStoreError that names it, hides the password and says what to check', async () => {
		const port = await freePort();
		let caught: unknown;
		try {
			await openQueue({ connection: { kind: 'postgres', connectionString: `postgres://app:s3cret-pass@127.0.0.1:${port}/queue` } });
		} catch (error) {
			caught = error;
		}
		assert.ok(caught instanceof QueueStoreError, String(caught));
		assert.match(caught.message, new RegExp(`127\\.0\\.0\\.1:${port}/queue`));
		assert.doesNotMatch(caught.message, /s3cret-pass/);
		assert.match(caught.hint ?? '', /host, port, database, user, password/);
		assert.equal(caught.code, 'QUEUE_STORE_ERROR');
	});

	test('a missing database is a QueueStoreError too', async () => {
		await assert.rejects(openQueue({ connection: { kind: 'postgres', connectionString: pg().connectionString('no_such_database') } }), (error: unknown) => {
			assert.ok(error instanceof QueueStoreError);
			assert.match(error.message, /no_such_database/);
			return true;
		});
	});
});
