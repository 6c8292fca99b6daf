/**
 * The package as users get it: `npm pack` of the built tree (dist must be built; `npm test` builds
 * first). End-to-end tests install this tarball into real hosts instead of pointing them at sources.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PACKAGE_ROOT = join(__dirname, '..', '..');
export const PACKAGE_NAME = '@switchboard-msg/n8n-nodes-switchboard';

/** Packs into a fresh temp folder and returns the tarball's absolute path. */
export function packPackage(): string {
	const out = mkdtempSync(join(tmpdir(), 'switchboard-pack-'));
	// --ignore-scripts: `prepare` would rebuild; the test command has built dist already.
	execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', out], { cwd: PACKAGE_ROOT, stdio: 'pipe' });
	const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'));
	if (!tgz) throw new Error(`npm pack wrote no tarball into ${out}`);
	return join(out, tgz);
}
