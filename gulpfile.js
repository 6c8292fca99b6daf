/**
 * Build step after tsc: everything that is not TypeScript goes beside the compiled files.
 *  - n8n icons (nodes/n8n/** svg/png) and credential icons
 *  - Node-RED editor .html, locales/ and icons/ beside the compiled runtime .js
 *  - flows/node-red/*.json → examples/ (Node-RED's import menu reads examples/ at the package root)
 *  - the JSON Schema of the universal format, generated from the zod schema → dist/schema/
 */
const { src, dest, parallel, series } = require('gulp');
const fs = require('node:fs');
const path = require('node:path');

function n8nAssets() {
	return src(['nodes/**/*.{svg,png}', 'nodes/n8n/**/*.node.json', 'credentials/**/*.{svg,png}'], { base: '.', encoding: false, allowEmpty: true }).pipe(dest('dist'));
}

function nodeRedAssets() {
	return src(['nodes/node-red/**/*.html', 'nodes/node-red/**/locales/**/*', 'nodes/node-red/**/icons/**/*'], {
		base: '.',
		encoding: false,
		allowEmpty: true,
	}).pipe(dest('dist'));
}

function examples() {
	return src('flows/node-red/*.json', { allowEmpty: true }).pipe(dest('examples'));
}

async function jsonSchema() {
	const { messageJsonSchema, eventJsonSchema } = require('./dist/core/schema/json-schema.js');
	const out = path.join(__dirname, 'dist', 'schema');
	fs.mkdirSync(out, { recursive: true });
	fs.writeFileSync(path.join(out, 'switchboard.message.v1.json'), JSON.stringify(messageJsonSchema(), null, 2) + '\n');
	fs.writeFileSync(path.join(out, 'switchboard.event.v1.json'), JSON.stringify(eventJsonSchema(), null, 2) + '\n');
}

exports.build = series(parallel(n8nAssets, nodeRedAssets, examples), jsonSchema);
exports.default = exports.build;
