/**
 * The core is host-free: it must run the same inside n8n, inside Node-RED and as a plain library.
 * This reads every import (static, dynamic, require) of every file under core/ and the library entry,
 * and fails on a host package, on the file system, or on reading the environment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const FORBIDDEN_MODULES = [/^n8n-workflow(\/|$)/, /^n8n-core(\/|$)/, /^n8n-nodes-base(\/|$)/, /^@n8n\//, /^node-red(\/|$)/, /^@node-red\//, /^(node:)?fs(\/|$)/, /^(node:)?fs\/promises$/];

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sourceFiles(path);
		return name.endsWith('.ts') ? [path] : [];
	});
}

/** Every module specifier a file imports, however it imports it. */
export function importsOf(source: string): string[] {
	const specs: string[] = [];
	const patterns = [
		/\bimport\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/g,
		/\bexport\s+(?:type\s+)?[^'";]*?\s+from\s+['"]([^'"]+)['"]/g,
		/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
		/\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
	];
	for (const pattern of patterns) for (const match of source.matchAll(pattern)) specs.push(match[1]!);
	return specs;
}

function violations(file: string): string[] {
	const source = readFileSync(file, 'utf8');
	const found: string[] = [];
	for (const spec of importsOf(source)) {
		if (FORBIDDEN_MODULES.some((re) => re.test(spec))) found.push(`imports "${spec}"`);
	}
	if (/\bprocess\s*\.\s*env\b|\bprocess\s*\[\s*['"]env['"]\s*\]/.test(source)) found.push('reads process.env');
	return found;
}

test('the core and the library entry import no host package, no fs and read no process.env', () => {
	const files = [...sourceFiles(join(ROOT, 'core')), join(ROOT, 'index.ts')];
	assert.ok(files.length > 20, `expected the whole core, found ${files.length} files`);
	const problems = files.flatMap((f) => violations(f).map((v) => `${relative(ROOT, f)} ${v}`));
	assert.deepEqual(problems, []);
});

test('the boundary check itself catches each forbidden import form', () => {
	const samples = [
		"import { NodeOperationError } from 'n8n-workflow';",
		"import type { INodeType } from 'n8n-workflow';",
		"const RED = require('node-red');",
		"import { readFileSync } from 'node:fs';",
		"import * as fs from 'fs';",
		"const p = await import('fs/promises');",
		"export { x } from 'n8n-core';",
		'const key = process.env.SECRET;',
		"const key = process['env'];",
	];
	for (const sample of samples) {
		const specs = importsOf(sample);
		const flagged =
			specs.some((s) => FORBIDDEN_MODULES.some((re) => re.test(s))) || /\bprocess\s*\.\s*env\b|\bprocess\s*\[\s*['"]env['"]\s*\]/.test(sample);
		assert.ok(flagged, `not caught: ${sample}`);
	}
	assert.deepEqual(importsOf("import { z } from 'zod/v4';\nimport { createHash } from 'node:crypto';"), ['zod/v4', 'node:crypto']);
});
