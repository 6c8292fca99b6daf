/**
 * Host-side queue plumbing (nodes/shared/queue-host.ts): the default store folder per host, the lock
 * file that keeps a second PROCESS out of an embedded store (real child processes), taking over the
 * lock of a crashed process, and the per-process registry that shares one open queue between nodes
 * with reference-counted close.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { QueueStoreError, StoreLockedError } from '../../../core/errors';
import type { QueueConnection } from '../../../core/queue';
import { internalSqlClient } from '../../../core/queue/store';
import { rateLimitStoreFor } from '../../../core/send';
import {
	closeAllQueues,
	defaultStoreFolder,
	FileStoreLock,
	leaseCount,
	leaseQueue,
	LOCK_FILE_NAME,
	n8nUserFolder,
	resolveStoreFolder,
	storeKey,
} from '../../../nodes/shared/queue-host';

const ROOT = resolve(__dirname, '..', '..', '..');
const HOST_MODULE = join(ROOT, 'nodes', 'shared', 'queue-host.ts');
const scratch = mkdtempSync(join(tmpdir(), 'switchboard-queue-host-'));
after(async () => {
	await closeAllQueues();
	rmSync(scratch, { recursive: true, force: true });
});

let template: Promise<string> | undefined;
let folders = 0;
/** A new store folder: a copy of one initialised PGlite folder (initialising takes seconds). */
async function storeFolder(): Promise<string> {
	template ??= (async () => {
		const dir = join(scratch, 'template');
		await (await PGlite.create(dir)).close();
		return dir;
	})();
	const folder = join(scratch, `store-${++folders}`);
	cpSync(await template, folder, { recursive: true });
	return folder;
}

/** Runs `code` in a child Node process (TypeScript through tsx) and returns its last stdout line as JSON. */
function child(code: string): { pid: number; result: Promise<unknown>; kill: () => void; stdout: () => string } {
	const proc = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	let err = '';
	proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
	proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
	const result = new Promise<unknown>((resolvePromise, reject) => {
		proc.on('exit', (status, signal) => {
			const last = out.trim().split('\n').pop();
			if (!last) reject(new Error(`child exited (${status ?? signal}) without output: ${err}`));
			else resolvePromise(JSON.parse(last));
		});
	});
	return { pid: proc.pid!, result, kill: () => proc.kill('SIGKILL'), stdout: () => out };
}

const openInChild = (folder: string): string => `
	const { leaseQueue } = require(${JSON.stringify(HOST_MODULE)});
	leaseQueue({ kind: 'embedded', dataDir: ${JSON.stringify(folder)} }).then(
		async (lease) => {
			const page = await lease.queue.list();
			await lease.release();
			console.log(JSON.stringify({ ok: true, recipients: page.items.map((m) => m.recipient) }));
		},
		(e) => console.log(JSON.stringify({ ok: false, name: e.name, code: e.code, folder: e.folder, pid: e.pid, message: e.message, hint: e.hint })),
	);`;

describe('store folders', () => {
	test('n8n: switchboard/queue in the n8n user folder ($N8N_USER_FOLDER/.n8n, else ~/.n8n)', () => {
		assert.equal(n8nUserFolder({ N8N_USER_FOLDER: '/srv/n8n', HOME: '/home/x' }), '/srv/n8n/.n8n');
		assert.equal(n8nUserFolder({ HOME: '/home/x' }), '/home/x/.n8n');
		assert.equal(defaultStoreFolder('n8n', '/srv/n8n/.n8n'), '/srv/n8n/.n8n/switchboard/queue');
		assert.equal(defaultStoreFolder('n8n'), join(n8nUserFolder(), 'switchboard', 'queue'));
	});

	test('Node-RED: switchboard/queue in the userDir (~/.node-red by default)', () => {
		assert.equal(defaultStoreFolder('node-red', '/data'), '/data/switchboard/queue');
		assert.equal(defaultStoreFolder('node-red'), join(homedir(), '.node-red', 'switchboard', 'queue'));
	});

	test('a typed folder: empty → default, ~ → home, relative → inside the user folder, absolute as is', () => {
		assert.equal(resolveStoreFolder('node-red', '  ', '/data'), '/data/switchboard/queue');
		assert.equal(resolveStoreFolder('node-red', '~/queues/a', '/data'), join(homedir(), 'queues', 'a'));
		assert.equal(resolveStoreFolder('node-red', 'queues/a', '/data'), '/data/queues/a');
		assert.equal(resolveStoreFolder('n8n', '/var/lib/q/', '/srv/.n8n'), '/var/lib/q');
	});
});

describe('lock file', () => {
	test('holds the pid while acquired, refuses a second holder in this process, and is removed on release', async () => {
		const folder = join(scratch, 'lock-basic');
		const lock = new FileStoreLock(folder);
		await lock.acquire();
		const content = JSON.parse(readFileSync(join(folder, LOCK_FILE_NAME), 'utf8')) as { pid: number };
		assert.equal(content.pid, process.pid);
		await assert.rejects(new FileStoreLock(folder).acquire(), (e: unknown) => e instanceof StoreLockedError && e.pid === process.pid && e.folder === folder);
		await lock.release();
		assert.equal(existsSync(join(folder, LOCK_FILE_NAME)), false);
		await lock.release();
	});

	test('a live process holding the lock → StoreLockedError naming the folder, the pid and the fix; the file stays', async () => {
		const folder = join(scratch, 'lock-live');
		mkdirSync(folder, { recursive: true });
		// Our parent process is certainly alive.
		writeFileSync(join(folder, LOCK_FILE_NAME), JSON.stringify({ pid: process.ppid, host: '', since: '' }));
		const error = await new FileStoreLock(folder).acquire().then(
			() => undefined,
			(e: unknown) => e,
		);
		assert.ok(error instanceof StoreLockedError);
		assert.equal(error.code, 'STORE_LOCKED');
		assert.equal(error.folder, folder);
		assert.equal(error.pid, process.ppid);
		assert.match(error.message, new RegExp(`process ${process.ppid}`));
		assert.match(error.message, new RegExp(folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
		assert.match(error.hint ?? '', /use PostgreSQL to share the queue between processes/);
		assert.ok(existsSync(join(folder, LOCK_FILE_NAME)));
	});

	test('a lock left by a dead process, by an earlier life of our own pid, or unreadable is taken over', async () => {
		const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
		const deadPid = Number(dead.stdout);
		for (const [name, content] of [
			['dead-pid', JSON.stringify({ pid: deadPid, host: '', since: '' })],
			['bare-dead-pid', String(deadPid)],
			['own-pid-stale', JSON.stringify({ pid: process.pid, host: '', since: '' })],
			['garbage', 'not a lock'],
		] as const) {
			const folder = join(scratch, `lock-${name}`);
			mkdirSync(folder, { recursive: true });
			writeFileSync(join(folder, LOCK_FILE_NAME), content);
			const lock = new FileStoreLock(folder);
			await lock.acquire();
			assert.equal((JSON.parse(readFileSync(join(folder, LOCK_FILE_NAME), 'utf8')) as { pid: number }).pid, process.pid, name);
			await lock.release();
		}
	});
});

describe('a lease handle', () => {
	test('is the queue to the core (its SQL client, shared rate limits) and close() gives only the lease back', async () => {
		const connection: QueueConnection = { kind: 'embedded', dataDir: await storeFolder() };
		const first = await leaseQueue(connection);
		const second = await leaseQueue(connection);
		try {
			assert.ok(internalSqlClient(first.queue), 'the handle reaches the store\'s SQL client');
			const store = rateLimitStoreFor(first.queue);
			assert.equal(await store.take('k', { scope: 'provider', perSecond: 1, burst: 1, description: '' }, new Date()), 0);
			await first.queue.close();
			assert.equal(leaseCount(connection), 1, 'close() released one lease');
			await second.queue.enqueue({ channel: 'sms', recipient: '+1' });
			assert.equal((await second.queue.list()).items.length, 1, 'the store stays open for the other lease');
		} finally {
			await second.release();
		}
		assert.equal(leaseCount(connection), 0);
	});
});

describe('one process per embedded store', () => {
	test('a second process opening the same folder gets StoreLockedError, and the first keeps working', async () => {
		const folder = await storeFolder();
		const connection: QueueConnection = { kind: 'embedded', dataDir: folder };
		const lease = await leaseQueue(connection);
		try {
			await lease.queue.enqueue({ channel: 'sms', recipient: '+1 before' });
			const refused = (await child(openInChild(folder)).result) as { ok: boolean; name: string; code: string; folder: string; pid: number; hint: string };
			assert.equal(refused.ok, false);
			assert.deepEqual([refused.name, refused.code, refused.folder, refused.pid], ['StoreLockedError', 'STORE_LOCKED', folder, process.pid]);
			assert.match(refused.hint, /use PostgreSQL to share the queue between processes/);
			// The first process is unaffected.
			await lease.queue.enqueue({ channel: 'sms', recipient: '+1 after' });
			assert.deepEqual(
				(await lease.queue.list()).items.map((m) => m.recipient).sort(),
				['+1 after', '+1 before'],
			);
		} finally {
			await lease.release();
		}
		// Once the first process has closed it, another process may open it and sees the data.
		const opened = (await child(openInChild(folder)).result) as { ok: boolean; recipients: string[] };
		assert.deepEqual(opened, { ok: true, recipients: opened.recipients });
		assert.deepEqual(opened.recipients.sort(), ['+1 after', '+1 before']);
	});

	test('a process killed while holding the store leaves a lock that the next opener takes over', async () => {
		const folder = await storeFolder();
		const holder = child(`
			const { FileStoreLock } = require(${JSON.stringify(HOST_MODULE)});
			new FileStoreLock(${JSON.stringify(folder)}).acquire().then(() => { console.log(JSON.stringify({ locked: process.pid })); setInterval(() => {}, 1000); });`);
		const deadline = Date.now() + 60_000;
		while (!holder.stdout().includes('locked') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
		assert.equal((JSON.parse(readFileSync(join(folder, LOCK_FILE_NAME), 'utf8')) as { pid: number }).pid, holder.pid);
		await assert.rejects(leaseQueue({ kind: 'embedded', dataDir: folder }), StoreLockedError);
		holder.kill();
		await holder.result.catch(() => undefined);
		const lease = await leaseQueue({ kind: 'embedded', dataDir: folder });
		try {
			assert.equal((await lease.queue.enqueue({ channel: 'sms', recipient: '+1' })).created, true);
		} finally {
			await lease.release();
		}
	});
});

describe('per-process registry', () => {
	test('nodes using one store share one open queue; the last release closes it and frees the lock', async () => {
		const folder = await storeFolder();
		const connection: QueueConnection = { kind: 'embedded', dataDir: folder };
		const [a, b] = await Promise.all([leaseQueue(connection), leaseQueue({ kind: 'embedded', dataDir: `${folder}/` })]);
		assert.equal(leaseCount(connection), 2);
		const { message } = await a.queue.enqueue({ channel: 'email', recipient: 'x@example.net' });
		assert.equal((await b.queue.get(message.id))?.id, message.id);

		await a.queue.close(); // a lease's close() releases it
		await a.release(); // idempotent
		assert.equal(leaseCount(connection), 1);
		assert.equal((await b.queue.get(message.id))?.id, message.id, 'still open for the other user');
		assert.ok(existsSync(join(folder, LOCK_FILE_NAME)));

		await b.release();
		assert.equal(leaseCount(connection), 0);
		assert.equal(existsSync(join(folder, LOCK_FILE_NAME)), false, 'closed: lock released');
		await assert.rejects(b.queue.list(), QueueStoreError);

		const c = await leaseQueue(connection);
		try {
			assert.equal((await c.queue.get(message.id))?.id, message.id, 'reopened with the data');
		} finally {
			await c.release();
		}
	});

	test('with an idle delay the queue stays open after the last release and is reused; closeAllQueues closes it', async () => {
		const folder = await storeFolder();
		const connection: QueueConnection = { kind: 'embedded', dataDir: folder };
		const first = await leaseQueue(connection, { idleCloseMs: 60_000 });
		await first.release();
		assert.ok(existsSync(join(folder, LOCK_FILE_NAME)), 'still open');
		const second = await leaseQueue(connection, { idleCloseMs: 60_000 });
		assert.equal(leaseCount(connection), 1);
		await second.queue.enqueue({ channel: 'sms', recipient: '+1' });
		await second.release();
		await closeAllQueues();
		assert.equal(existsSync(join(folder, LOCK_FILE_NAME)), false);
	});

	test('a failed open is not remembered: the next lease tries again', async () => {
		const folder = join(scratch, 'registry-retry');
		mkdirSync(folder, { recursive: true });
		writeFileSync(join(folder, LOCK_FILE_NAME), JSON.stringify({ pid: process.ppid, host: '', since: '' }));
		const connection: QueueConnection = { kind: 'embedded', dataDir: folder };
		await assert.rejects(leaseQueue(connection), StoreLockedError);
		assert.equal(leaseCount(connection), 0);
		rmSync(folder, { recursive: true, force: true });
		cpSync(await storeFolder(), folder, { recursive: true });
		const lease = await leaseQueue(connection);
		await lease.release();
	});

	test('store keys: one pool only for identical settings (password and TLS included); passwords never appear', () => {
		const url = 'postgres://app:secret@db.example:5432/queue?sslmode=require';
		const a = storeKey({ kind: 'postgres', connectionString: url });
		assert.equal(a, storeKey({ kind: 'postgres', connectionString: url }));
		assert.match(a, /^postgres:app@db\.example:5432\/queue#[0-9a-f]{16}$/);
		assert.doesNotMatch(a, /secret/);
		// A different (e.g. wrong or edited) password must never share a pool opened with the right one.
		assert.notEqual(a, storeKey({ kind: 'postgres', connectionString: 'postgres://app:other@db.example:5432/queue?sslmode=require' }));
		assert.notEqual(a, storeKey({ kind: 'postgres', connectionString: url, ssl: { rejectUnauthorized: false } }));
		assert.notEqual(a, storeKey({ kind: 'postgres', connectionString: 'postgres://app:secret@db.example:5432/other' }));
		const byFields = { kind: 'postgres' as const, host: 'db.example', port: 5432, database: 'queue', user: 'app', password: 'secret' };
		assert.match(storeKey(byFields), /^postgres:app@db\.example:5432\/queue#[0-9a-f]{16}$/);
		assert.notEqual(storeKey(byFields), storeKey({ ...byFields, password: 'changed' }));
		assert.equal(storeKey({ kind: 'embedded', dataDir: '/a/b/../c' }), 'embedded:/a/c');
	});
});
