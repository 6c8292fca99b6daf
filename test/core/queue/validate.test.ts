/**
 * Input shapes the queue accepts: plain objects from another realm (a Node-RED function node runs in its
 * own vm context) are plain objects; class instances, dates and arrays are not.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { openQueue } from '../../../core/queue';
import { isPlainObject } from '../../../core/queue/validate';

test('isPlainObject: this realm, another realm, null prototype — yes; dates, arrays, class instances — no', () => {
	assert.equal(isPlainObject({ a: 1 }), true);
	assert.equal(isPlainObject(Object.create(null)), true);
	assert.equal(isPlainObject(runInNewContext('({ a: 1 })')), true);
	assert.equal(isPlainObject(new Date()), false);
	assert.equal(isPlainObject(runInNewContext('new Date()')), false);
	assert.equal(isPlainObject([]), false);
	assert.equal(isPlainObject(runInNewContext('[1]')), false);
	assert.equal(isPlainObject(new (class Thing {})()), false);
	assert.equal(isPlainObject(new Map()), false);
});

test('enqueue accepts a message built in another realm (as a Node-RED function node builds it)', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'switchboard-validate-'));
	const queue = await openQueue({ connection: { kind: 'embedded', dataDir: dir } });
	try {
		const input = runInNewContext(`({ channel: 'sms', recipient: '+14255550100', body: 'Hello', metadata: { sessionId: 's-1' } })`);
		const { message, created } = await queue.enqueue(input);
		assert.equal(created, true);
		assert.equal(message.status, 'draft');
		assert.deepEqual(message.metadata, { sessionId: 's-1' });
	} finally {
		await queue.close();
		rmSync(dir, { recursive: true, force: true });
	}
});
