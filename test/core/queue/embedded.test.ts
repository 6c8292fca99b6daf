/**
 * The Schedule Queue contract on the embedded store: PGlite in a temp folder.
 *
 * Initialising a PGlite folder takes seconds, so it happens once per file: a freshly initialised
 * folder is kept as a template and every store the suite needs is a copy of it (the shared store of
 * the contract, and the fresh ones of the reopen tests). Copies of a closed PostgreSQL data folder are
 * ordinary, independent databases.
 */
import { PGlite } from '@electric-sql/pglite';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openQueue, type QueueConnection } from '../../../core/queue';
import { queueContract } from './contract';

const root = mkdtempSync(join(tmpdir(), 'switchboard-queue-embedded-'));
let template: Promise<string> | undefined;
let stores = 0;

/** A new, empty store folder (a copy of the initialised template). */
async function freshFolder(): Promise<string> {
	template ??= (async () => {
		const dir = join(root, 'template');
		const db = await PGlite.create(dir);
		await db.close();
		return dir;
	})();
	const folder = join(root, `store-${++stores}`);
	cpSync(await template, folder, { recursive: true });
	return folder;
}

queueContract({
	kind: 'embedded',
	concurrentOpen: false,
	async open(options) {
		return openQueue({ ...options, connection: { kind: 'embedded', dataDir: await freshFolder() } });
	},
	async freshConnection(): Promise<QueueConnection> {
		return { kind: 'embedded', dataDir: await freshFolder() };
	},
});

after(() => rmSync(root, { recursive: true, force: true }));
