/**
 * The Schedule Queue contract on a real PostgreSQL server (a throwaway cluster for this file: see
 * test/support/postgres.ts), one database per store, plus what only a server has: connecting by
 * fields, and clear errors when the server cannot be reached.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidQueueInputError, QueueStoreError } from '../../../core/errors';
import { openQueue, type QueueConnection } from '../../../core/queue';
import { internalSqlClient } from '../../../core/queue/store';
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

	test('statements are prepared once per connection; preparedStatements: false (transaction poolers) prepares none and works the same', async () => {
		for (const preparedStatements of [undefined, false]) {
			const db = await pg().createDatabase();
			// One connection, so the session the queue uses is the one asked about.
			const queue = await openQueue({ connection: { kind: 'postgres', connectionString: db.connectionString, maxConnections: 1, preparedStatements } });
			try {
				await queue.enqueueMany(['+1', '+2'].map((recipient) => ({ channel: 'sms', recipient, status: 'approved' as const, sendTime: new Date(Date.now() - 1000) })));
				const prepared = async () => (await internalSqlClient(queue)!.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map((r) => r.name);
				const afterRound: string[][] = [];
				for (let round = 0; round < 2; round++) {
					const [claimed] = await queue.claimDue({ workerId: 'w', batchSize: 1 });
					assert.ok(claimed);
					assert.equal((await queue.complete(claimed.id, { workerId: 'w', externalId: `SM${round}` })).status, 'sent');
					afterRound.push(await prepared());
				}
				if (preparedStatements === false) assert.deepEqual(afterRound, [[], []]);
				else {
					assert.ok(afterRound[0]!.length >= 3, `enqueue, claim and complete are prepared (got ${afterRound[0]!.join(', ')})`);
					assert.ok(afterRound[0]!.every((n) => /^switchboard_\d+$/.test(n)));
					assert.deepEqual(afterRound[1], afterRound[0], 'the second round ran the statements prepared by the first');
				}
			} finally {
				await queue.close();
			}
		}
		await assert.rejects(
			openQueue({ connection: { kind: 'postgres', connectionString: 'postgres://x@127.0.0.1/db', preparedStatements: 'no' as never } }),
			(error: unknown) => error instanceof InvalidQueueInputError && error.field === 'connection.preparedStatements',
		);
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
