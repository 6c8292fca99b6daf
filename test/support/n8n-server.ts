/**
 * A real n8n 2.41.1 server (Node 24) for tests and benchmarks: the cached install of
 * scripts/hosts/n8n.mjs, a throwaway user folder, this checkout's BUILT package installed the way n8n
 * installs community packages (`<user folder>/.n8n/nodes/node_modules/<package>`, dependencies resolved
 * through a link to the checkout's node_modules — what `npm install <tarball>` produces, without the
 * network), credentials and workflows imported with the n8n CLI before the server starts, chosen
 * workflows published (active), the server on 127.0.0.1 in its own process group.
 *
 * `dist` must be built (`npm test` and `npm run bench` build first). test/e2e/n8n-server.test.ts keeps
 * installing the packed tarball with npm instead, to prove the published package itself loads.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { freePort, waitFor } from './net';
import { PACKAGE_NAME, PACKAGE_ROOT } from './pack';

const run = promisify(execFile);
export const N8N_ENCRYPTION_KEY = 'switchboard-e2e-encryption-key-0123456789';
export const N8N_OWNER = { email: 'owner@switchboard.test', firstName: 'Test', lastName: 'Owner', password: 'Switchboard-e2e-1' };

/** Environment of a headless n8n on 127.0.0.1: SQLite, no telemetry, community packages on. */
export function n8nEnv(userFolder: string, port: number, brokerPort: number, logLevel = 'info'): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	// Only what a server needs from our environment; nothing of the test runner's settings.
	for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) if (process.env[key]) env[key] = process.env[key];
	return {
		...env,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_SECURE_COOKIE: 'false',
		DB_TYPE: 'sqlite',
		N8N_LOG_LEVEL: logLevel,
		N8N_LOG_OUTPUT: 'console',
	};
}

/** Installs the built package (dist, package.json, README, examples) into `<userFolder>/.n8n/nodes`. */
export function installBuiltPackage(userFolder: string): string {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const target = join(nodesDir, 'node_modules', ...PACKAGE_NAME.split('/'));
	const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] }; scripts?: unknown; devDependencies?: unknown };
	for (const path of pkg.n8n.nodes) {
		if (!existsSync(join(PACKAGE_ROOT, path))) throw new Error(`${path} is not built: run \`npm run build\``);
	}
	mkdirSync(target, { recursive: true });
	cpSync(join(PACKAGE_ROOT, 'dist'), join(target, 'dist'), { recursive: true });
	delete pkg.scripts;
	delete pkg.devDependencies;
	writeFileSync(join(target, 'package.json'), JSON.stringify(pkg, null, 2));
	symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(target, 'node_modules'), 'dir');
	writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: `file:./node_modules/${PACKAGE_NAME}` } }, null, 2));
	return target;
}

export interface N8nCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface StartN8nOptions {
	/** Credentials imported with `n8n import:credentials` (encrypted by n8n with N8N_ENCRYPTION_KEY). */
	credentials?: N8nCredential[];
	/** Workflow JSON documents imported with `n8n import:workflow`. */
	workflows?: Array<Record<string, unknown>>;
	/** Ids of imported workflows to publish (make active) before the server starts. */
	publish?: string[];
	/** Extra environment for the server and the CLI. */
	env?: NodeJS.ProcessEnv;
	logLevel?: string;
	/** Where the server log is written as well (kept as a test artifact). */
	logFile?: string;
	/** Install the built package (default true). */
	installPackage?: boolean;
}

export interface N8nServerHandle {
	baseUrl: string;
	userFolder: string;
	env: NodeJS.ProcessEnv;
	bin: string;
	/** The server's output so far. */
	log(): string;
	/** Runs an n8n CLI command against the same user folder (e.g. `execute --id=…`). */
	cli(args: string[], timeoutMs?: number): Promise<{ stdout: string; stderr: string }>;
	/** Logs in as the owner (set up on first call) and returns the n8n-auth cookie. */
	ownerCookie(): Promise<string>;
	/** Stops the server (process group: the task runner too). Idempotent. */
	stop(): Promise<void>;
	/** Stops it and deletes its user folder. */
	dispose(): Promise<void>;
	readonly exited: boolean;
}

/** Starts n8n with the package installed; resolves once /healthz/readiness answers. */
export async function startN8n(options: StartN8nOptions = {}): Promise<N8nServerHandle> {
	const { ensureN8n } = (await import(pathToFileURL(join(PACKAGE_ROOT, 'scripts', 'hosts', 'n8n.mjs')).href)) as {
		ensureN8n: (o?: { log?: (line: string) => void }) => Promise<{ bin: string }>;
	};
	const host = await ensureN8n({ log: (line) => console.log(line) });
	const userFolder = mkdtempSync(join(tmpdir(), 'switchboard-n8n-'));
	if (options.installPackage !== false) installBuiltPackage(userFolder);
	const port = await freePort();
	const env = { ...n8nEnv(userFolder, port, await freePort(), options.logLevel), ...(options.env ?? {}) };
	const cli = async (args: string[], timeoutMs = 120_000) => await run(process.execPath, [host.bin, ...args], { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });

	if (options.credentials?.length) {
		const file = join(userFolder, 'credentials.json');
		writeFileSync(file, JSON.stringify(options.credentials));
		await cli(['import:credentials', `--input=${file}`]);
	}
	for (const [index, workflow] of (options.workflows ?? []).entries()) {
		const file = join(userFolder, `workflow-${index}.json`);
		writeFileSync(file, JSON.stringify(workflow));
		await cli(['import:workflow', `--input=${file}`]);
	}
	for (const id of options.publish ?? []) await cli(['publish:workflow', `--id=${id}`]);

	const lines: string[] = [];
	let file: WriteStream | undefined;
	if (options.logFile) file = createWriteStream(options.logFile);
	const child: ChildProcess = spawn(process.execPath, [host.bin, 'start'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	let exited = false;
	const keep = (chunk: Buffer) => {
		file?.write(chunk);
		lines.push(...chunk.toString('utf8').split('\n'));
		if (lines.length > 20_000) lines.splice(0, lines.length - 20_000);
	};
	child.stdout!.on('data', keep);
	child.stderr!.on('data', keep);
	child.on('exit', () => (exited = true));
	const killGroup = (signal: NodeJS.Signals) => {
		if (!child.pid || exited) return;
		try {
			process.kill(-child.pid, signal);
		} catch {
			// already gone
		}
	};
	// Never leave a server behind, also when the runner ends this process.
	const onExit = () => killGroup('SIGKILL');
	process.once('exit', onExit);

	const baseUrl = `http://127.0.0.1:${port}`;
	let cookie = '';
	let stopping: Promise<void> | undefined;
	const handle: N8nServerHandle = {
		baseUrl,
		userFolder,
		env,
		bin: host.bin,
		log: () => lines.join('\n'),
		cli,
		get exited() {
			return exited;
		},
		async ownerCookie() {
			if (cookie) return cookie;
			const setup = await fetch(`${baseUrl}/rest/owner/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(N8N_OWNER), signal: AbortSignal.timeout(15_000) });
			let response = setup;
			if (!setup.ok) {
				response = await fetch(`${baseUrl}/rest/login`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ emailOrLdapLoginId: N8N_OWNER.email, password: N8N_OWNER.password }),
					signal: AbortSignal.timeout(15_000),
				});
				if (!response.ok) throw new Error(`n8n owner setup ${setup.status} and login ${response.status}: ${await response.text()}`);
			}
			cookie = (response.headers.getSetCookie().find((c) => c.startsWith('n8n-auth=')) ?? '').split(';')[0]!;
			if (!cookie) throw new Error('n8n returned no n8n-auth cookie');
			return cookie;
		},
		stop() {
			stopping ??= (async () => {
				killGroup('SIGTERM');
				const deadline = Date.now() + 20_000;
				while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
				if (!exited) killGroup('SIGKILL');
				process.removeListener('exit', onExit);
				await new Promise<void>((resolve) => (file ? file.end(resolve) : resolve()));
			})();
			return stopping;
		},
		async dispose() {
			await handle.stop();
			rmSync(userFolder, { recursive: true, force: true });
		},
	};
	try {
		await waitFor(
			async () => {
				// An exit ends the wait at once (waitFor swallows errors thrown here).
				if (exited) return true;
				return (await fetch(`${baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.ok === true;
			},
			180_000,
			'n8n /healthz/readiness',
		);
		if (exited) throw new Error('n8n exited during start-up');
	} catch (error) {
		await handle.dispose();
		throw new Error(`${(error as Error).message}\n${lines.slice(-60).join('\n')}`);
	}
	return handle;
}
