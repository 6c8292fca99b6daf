#!/usr/bin/env node
/**
 * The test command README and .ci/run use (`npm test` builds, lints, then runs this).
 * Runs every test file with Node's own test runner (TypeScript through tsx), one process per file.
 * Suites: core (pure), n8n (real engine in-process), node-red (real runtime, 4 and 5), e2e (real
 * servers from the packed tarball). `node scripts/run-tests.mjs core n8n` runs only those suites.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const SUITES = ['core', 'n8n', 'node-red', 'e2e'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const suites = wanted.length ? wanted : SUITES;

function testFiles(dir) {
	const abs = join(root, 'test', dir);
	if (!existsSync(abs)) return [];
	const out = [];
	for (const entry of readdirSync(abs, { withFileTypes: true })) {
		const rel = join('test', dir, entry.name);
		if (entry.isDirectory()) out.push(...testFiles(join(dir, entry.name)));
		else if (entry.name.endsWith('.test.ts')) out.push(rel);
	}
	return out.sort();
}

const files = suites.flatMap((suite) => {
	if (!SUITES.includes(suite)) {
		console.error(`Unknown suite "${suite}". Use: ${SUITES.join(', ')}`);
		process.exit(2);
	}
	return testFiles(suite);
});
if (files.length === 0) {
	console.error('No test files found.');
	process.exit(1);
}

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
	console.error(`Tests need Node 24 (found ${process.version}); run them through npm so node_modules/.bin/node is used.`);
	process.exit(1);
}

const result = spawnSync(
	process.execPath,
	['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=900000', ...files],
	{ cwd: root, stdio: 'inherit', env: { ...process.env, SWITCHBOARD_TEST: '1' } },
);
process.exit(result.status ?? 1);
