/**
 * A real Node-RED 5 server (node_modules/node-red/red.js on Node 24) on 127.0.0.1, in its own process
 * group, for tests and benchmarks. One start for every harness that needs a server:
 *  - `load: 'nodes'` (default): our node sets from dist/nodes/node-red as a nodesDir. Node-RED treats
 *    loose files like its own nodes and does not load their locales/ (labels show as keys): fine for
 *    flows driven over HTTP;
 *  - `load: 'module'`: the package folder itself as a nodesDir, so Node-RED loads it as a module, with its
 *    message catalogues and examples — what the editor needs (browser checks).
 * Settings are merged over quiet defaults (no telemetry, no projects, no tours, no online catalogue).
 * test/e2e/node-red-server.test.ts keeps its own start: it installs the packed tarball instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor } from './net';
import { PACKAGE_ROOT } from './pack';

/** Node 24 for Node-RED 5 (needs ≥ 22.9): this process's node when new enough, else the project's. */
export function nodeRedNodeBinary(): string {
	const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
	if (major > 22 || (major === 22 && minor >= 9)) return process.execPath;
	return join(PACKAGE_ROOT, 'node_modules', '.bin', 'node');
}

export interface NodeRedServerOptions {
	userDir: string;
	/** How our package is loaded (see the header). */
	load?: 'nodes' | 'module';
	/** Console log level (default warn). */
	logLevel?: string;
	/** Settings merged over the defaults (editorTheme is merged one level deep). */
	settings?: Record<string, unknown>;
}

export interface NodeRedServerHandle {
	base: string;
	port: number;
	/** The server process id (the process group leader). */
	pid: number | undefined;
	log(): string;
	/** Rejects when the server exits (for racing against waits). */
	exited: Promise<never>;
	stop(): Promise<void>;
}

function checkBuilt(load: 'nodes' | 'module'): string {
	const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
	for (const file of Object.values(pkg['node-red'].nodes)) {
		if (!existsSync(join(PACKAGE_ROOT, file))) throw new Error(`${file} is not built: run \`npm run build\``);
	}
	return load === 'module' ? PACKAGE_ROOT : join(PACKAGE_ROOT, 'dist', 'nodes', 'node-red');
}

/** Starts Node-RED; resolves once its admin API answers. */
export async function startNodeRedServer(options: NodeRedServerOptions): Promise<NodeRedServerHandle> {
	const { userDir } = options;
	const nodesDir = checkBuilt(options.load ?? 'nodes');
	if (!existsSync(join(userDir, 'package.json'))) writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'switchboard-node-red', version: '0.0.1', private: true }));
	const port = await freePort();
	const extra = options.settings ?? {};
	const settings = {
		uiHost: '127.0.0.1',
		uiPort: port,
		userDir,
		nodesDir: [nodesDir],
		flowFile: 'flows.json',
		credentialSecret: 'switchboard-test-credential-secret',
		logging: { console: { level: options.logLevel ?? 'warn', metrics: false, audit: false } },
		diagnostics: { enabled: false, ui: false },
		telemetry: { enabled: false },
		...extra,
		// No welcome tour over the dialogs; no online palette catalogue (no network here).
		editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] }, ...((extra.editorTheme as Record<string, unknown> | undefined) ?? {}) },
	};
	const settingsFile = join(userDir, 'settings.js');
	writeFileSync(settingsFile, `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
	let logText = '';
	const child: ChildProcess = spawn(nodeRedNodeBinary(), [join(PACKAGE_ROOT, 'node_modules', 'node-red', 'red.js'), '--settings', settingsFile, '--userDir', userDir], {
		cwd: userDir,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { PATH: process.env.PATH, HOME: userDir },
	});
	for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => (logText += chunk.toString('utf8')));
	const running = () => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
	const killGroup = (signal: NodeJS.Signals) => {
		if (!running()) return;
		try {
			process.kill(-child.pid!, signal);
		} catch {
			// already gone
		}
	};
	// Never leave a server behind, also when the runner ends this process.
	const onExit = () => killGroup('SIGKILL');
	process.once('exit', onExit);
	const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`Node-RED exited with ${code}:\n${logText}`))));
	exited.catch(() => undefined);
	const base = `http://127.0.0.1:${port}`;
	const stop = async (): Promise<void> => {
		process.removeListener('exit', onExit);
		if (!running()) return;
		const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
		killGroup('SIGTERM');
		const timer = setTimeout(() => killGroup('SIGKILL'), 20_000);
		await gone;
		clearTimeout(timer);
	};
	try {
		await Promise.race([waitFor(async () => (await fetch(`${base}/settings`, { signal: AbortSignal.timeout(2000) })).ok, 60_000, 'Node-RED admin API'), exited]);
	} catch (error) {
		await stop();
		throw error;
	}
	return { base, port, pid: child.pid, log: () => logText, exited, stop };
}
