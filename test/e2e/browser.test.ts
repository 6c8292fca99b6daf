/**
 * Browser checks: the package's editor UI in both hosts, as a person opens it, in Debian's Chromium
 * (/usr/bin/chromium) driven by playwright-core. Missing Chromium fails the file with the apt-get line.
 *
 * Node-RED 5: a real server with the package loaded in place (test/support/browser.ts says why not the
 * bench's loose-file loading); every example flow (flows/node-red/*.json, globbed now, so templates added
 * later are covered) is deployed alone over the admin API with its ids kept, the editor is (re)loaded, and
 * for every node of ours in it — flow nodes and config nodes (switchboard-store, switchboard-<provider>) —
 * its edit dialog is opened (RED.editor.edit / RED.editor.editConfig, what a double-click does), waited for,
 * checked (every property the node type declares in `defaults` and `credentials` has its input in the form,
 * and the form has no raw i18n keys), screenshot to test-artifacts/browser/node-red-<type>-<id>.png (a config
 * node id several templates share, e.g. `switchboard-store`, gets `--<template>` after the first) and cancelled.
 *
 * n8n 2.41.1: a real server (test/support/n8n-server.ts) with the scheduled-messages processor template
 * (flows/n8n/scheduled-messages-processor.json) imported together with placeholder credentials for every
 * credential it references; the owner's session cookie goes into the browser; /workflow/SbScheduledProcessor
 * is opened, every node of ours on the canvas is double-clicked, its parameter panel (NDV) waited for and
 * checked (it shows the node's name and renders parameter inputs), screenshot to
 * test-artifacts/browser/n8n-<node name>.png and closed.
 *
 * n8n boots in the background while the Node-RED session runs (the file takes ~1–2 minutes in all).
 *
 * Both sessions collect every console message of level error and every uncaught page error from the first
 * page load to the end; each must end with none (the failure lists them, with the step they happened in).
 * Nothing is allow-listed today: neither editor logs errors of its own in these sessions.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BROWSER_ARTIFACTS, deployFlows, launchChromium, safeName, startNodeRedEditor, trackRequests, watchPage, type NodeRedEditorServer, type PageWatch } from '../support/browser';
import { startN8n, type N8nCredential, type N8nServerHandle } from '../support/n8n-server';
import { PACKAGE_NAME, PACKAGE_ROOT } from '../support/pack';

const NODE_RED_FLOWS = join(PACKAGE_ROOT, 'flows', 'node-red');
const N8N_PROCESSOR = join(PACKAGE_ROOT, 'flows', 'n8n', 'scheduled-messages-processor.json');
const N8N_WORKFLOW_ID = 'SbScheduledProcessor';
const VIEWPORT = { width: 1440, height: 1000 };
// Generous: the e2e suite runs two files at once on 2 cores, and a loaded machine renders slowly.
const UI_TIMEOUT_MS = 60_000;

type FlowNode = Record<string, unknown> & { id: string; type: string; z?: string };

// Browser-side globals used inside page.evaluate / waitForFunction callbacks (they run in Chromium). The
// test program is compiled without the DOM lib, so what is used is declared here, for this file alone.
interface PageElement {
	id: string;
	textContent: string | null;
	parentElement: PageElement | null;
	offsetParent: unknown;
	getAttribute(name: string): string | null;
	querySelectorAll(selector: string): Iterable<PageElement>;
}
interface EditorNode {
	id: string;
	type: string;
	z?: string;
	_def: { category?: string; defaults?: Record<string, unknown>; credentials?: Record<string, unknown> };
}
declare const window: {
	RED?: {
		nodes?: { node(id: string): EditorNode | undefined };
		editor: { edit(node: EditorNode): void; editConfig(name: string, type: string, id: string): void };
		workspaces: { show(id: string): void };
	};
};
declare const document: { querySelector(selector: string): PageElement | null; createTreeWalker(root: PageElement, what: number): { nextNode(): PageElement | null } };
declare const NodeFilter: { SHOW_TEXT: number };

let browser: Browser | undefined;
/** n8n boots (CLI imports + start, ~30–60 s) while the Node-RED session runs; its suite awaits it. */
let n8nBoot: Promise<N8nBoot> | undefined;

before(async () => {
	rmSync(BROWSER_ARTIFACTS, { recursive: true, force: true });
	mkdirSync(BROWSER_ARTIFACTS, { recursive: true });
	browser = await launchChromium();
	n8nBoot = bootN8n();
	n8nBoot.catch(() => undefined); // reported by the n8n suite
});

after(async () => {
	await browser?.close();
	const boot = await n8nBoot?.catch(() => undefined);
	await boot?.server.dispose();
	if (boot) rmSync(boot.storeFolder, { recursive: true, force: true });
});

/** Screenshots with CSS animations / transitions finished (trays and panels slide in). */
const shoot = (page: Page, name: string) => page.screenshot({ path: join(BROWSER_ARTIFACTS, name), animations: 'disabled' });

describe('Node-RED 5 editor: every node of ours in every example flow opens its edit dialog cleanly', () => {
	let userDir = '';
	let server: NodeRedEditorServer | undefined;
	let context: BrowserContext | undefined;
	let page: Page;
	let watch: PageWatch;
	let network: ReturnType<typeof trackRequests>;
	/** Types our module registers, as the running server lists them. */
	let ourTypes = new Set<string>();
	/** Top-level keys of our message catalogues (node types and node set names): "channel-send.label.x" is raw. */
	let catalogueKeys: string[] = [];
	const opened: string[] = [];
	/** Screenshot names taken (config nodes such as `switchboard-store` share ids across templates). */
	const shots = new Set<string>();

	before(async () => {
		userDir = mkdtempSync(join(tmpdir(), 'switchboard-browser-node-red-'));
		server = await startNodeRedEditor(userDir);
		const res = await fetch(`${server.base}/nodes`, { headers: { Accept: 'application/json', 'Node-RED-API-Version': 'v2' }, signal: AbortSignal.timeout(10_000) });
		const sets = (await res.json()) as Array<{ module: string; name: string; types: string[]; err?: unknown }>;
		const ours = sets.filter((s) => s.module === PACKAGE_NAME);
		assert.ok(ours.length > 0, `Node-RED did not load ${PACKAGE_NAME}:\n${server.log()}`);
		for (const set of ours) assert.equal(set.err, undefined, `node set ${set.types.join(', ')} failed to load: ${String(set.err)}`);
		ourTypes = new Set(ours.flatMap((s) => s.types));
		catalogueKeys = [...new Set([...ourTypes, ...ours.map((s) => s.name)])];
		context = await browser!.newContext({ viewport: VIEWPORT });
		page = await context.newPage();
		watch = watchPage(page);
		network = trackRequests(page);
	});

	after(async () => {
		await context?.close();
		await server?.stop();
		if (userDir) rmSync(userDir, { recursive: true, force: true });
	});

	const files = readdirSync(NODE_RED_FLOWS)
		.filter((f) => f.endsWith('.json'))
		.sort();

	test('the example flows folder has flows', () => {
		assert.ok(files.length > 0, `no flows in ${NODE_RED_FLOWS}`);
	});

	for (const file of files) {
		test(`flows/node-red/${file}: each of our nodes' edit dialog renders its form`, async () => {
			const flow = JSON.parse(readFileSync(join(NODE_RED_FLOWS, file), 'utf8')) as FlowNode[];
			assert.ok(Array.isArray(flow), `${file} is a Node-RED flow export (an array of nodes)`);
			// A flow exported without its tab (the editor's "selected nodes" export) imports into a tab of the
			// user's; the admin API needs that tab, so it gets one, under the id its nodes name.
			const tabs = new Set(flow.filter((n) => n.type === 'tab').map((n) => n.id));
			const missingTabs = [...new Set(flow.map((n) => n.z).filter((z): z is string => typeof z === 'string' && z !== '' && !tabs.has(z)))].filter(
				(z) => !flow.some((n) => n.id === z),
			);
			const deployed = [...missingTabs.map((z) => ({ id: z, type: 'tab', label: file })), ...flow];
			watch.step(`${file}: deploy + load`);
			await deployFlows(server!.base, deployed);
			await page.goto(`${server!.base}/`, { waitUntil: 'load' });
			const ids = flow.filter((n) => n.type !== 'tab').map((n) => n.id);
			await page.waitForFunction(
				(wanted: string[]) => {
					const nodes = window.RED?.nodes;
					return !!nodes?.node && wanted.every((id) => nodes.node(id));
				},
				ids,
				{ timeout: UI_TIMEOUT_MS },
			);

			const ours = flow.filter((n) => ourTypes.has(n.type));
			assert.ok(ours.length > 0, `${file} has none of our nodes (${[...ourTypes].join(', ')})`);
			for (const node of ours) {
				watch.step(`${file}: ${node.type} ${node.id}`);
				const dialog = await openNodeRedDialog(page, node.id, catalogueKeys, network);
				// The screenshot first: when a check below fails, it shows the dialog as it was.
				let shot = `node-red-${safeName(node.type)}-${safeName(node.id)}`;
				if (shots.has(shot)) shot += `--${safeName(file.replace(/\.json$/, ''))}`;
				shots.add(shot);
				await shoot(page, `${shot}.png`);
				assert.ok(dialog.properties.length > 0, `${node.type}: the editor knows no properties of it`);
				assert.ok(dialog.inputs.length > 0, `${node.type} ${node.id}: the edit dialog rendered no form inputs`);
				const missing = dialog.properties.filter((p) => !dialog.inputs.some((id) => id === `${dialog.prefix}-${p}` || id.startsWith(`${dialog.prefix}-${p}-`)));
				assert.deepEqual(missing, [], `${node.type} ${node.id}: properties without an input in the dialog (inputs: ${dialog.inputs.join(', ')})`);
				assert.deepEqual(dialog.rawKeys, [], `${node.type} ${node.id}: untranslated i18n keys in the dialog`);
				await page.click(dialog.config ? '#node-config-dialog-cancel' : '#node-dialog-cancel');
				await page.locator('.red-ui-tray').first().waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
				opened.push(`${node.type} ${node.id}`);
			}
			assert.equal(watch.problems.length, 0, `console errors / page errors so far:\n${watch.report()}`);
		});
	}

	test('the whole editor session logged no console error and no page error', (t) => {
		t.diagnostic(`dialogs opened: ${opened.length} (${opened.join('; ')})`);
		assert.ok(opened.length > 0, 'no dialog was opened');
		assert.deepEqual(watch.problems, [], `console errors / page errors in the Node-RED editor:\n${watch.report()}`);
	});
});

interface NodeRedDialog {
	config: boolean;
	/** node-input or node-config-input. */
	prefix: string;
	/** ids of the form's inputs (its own template; Node-RED's appearance / footer controls left out). */
	inputs: string[];
	/** Properties the node type declares (defaults + credentials), `name` included. */
	properties: string[];
	/** Visible texts / placeholders in the form that are keys of our message catalogues ("channel-send.label.x"). */
	rawKeys: string[];
}

/** Opens the edit dialog of node `id` as a double-click does, waits until its form is rendered, describes it. */
async function openNodeRedDialog(page: Page, id: string, catalogueKeys: string[], network: ReturnType<typeof trackRequests>): Promise<NodeRedDialog> {
	const config = await page.evaluate((nodeId: string) => {
		const RED = window.RED!;
		const node = RED.nodes!.node(nodeId)!;
		if (node._def.category === 'config') {
			RED.editor.editConfig('', node.type, node.id);
			return true;
		}
		RED.workspaces.show(node.z!);
		RED.editor.edit(node);
		return false;
	}, id);
	const prefix = config ? 'node-config-input' : 'node-input';
	const form = config ? '#node-config-dialog-edit-form' : '#dialog-form';
	await page.locator(`${form} [id^="${prefix}-"]`).first().waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
	await page.locator(config ? '#node-config-dialog-cancel' : '#node-dialog-cancel').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
	// Dialogs fill parts of themselves from the runtime (provider catalogue, platform list): let those land.
	await network.idle(UI_TIMEOUT_MS);
	return await page.evaluate(
		({ nodeId, formSelector, inputPrefix, keys }: { nodeId: string; formSelector: string; inputPrefix: string; keys: string[] }) => {
			const node = window.RED!.nodes!.node(nodeId)!;
			const generic = new Set([`${inputPrefix}-show-label`, `${inputPrefix}-node-disabled`]);
			const formEl = document.querySelector(formSelector)!;
			const inputs = [...formEl.querySelectorAll(`[id^="${inputPrefix}-"]`)].map((e) => e.id).filter((i) => !generic.has(i));
			const properties = [...Object.keys(node._def.defaults ?? {}), ...Object.keys(node._def.credentials ?? {})];
			// (No named functions in here: tsx would wrap them in a `__name` helper the page does not have.)
			const texts: string[] = [];
			const candidates: string[] = [];
			const walker = document.createTreeWalker(formEl, NodeFilter.SHOW_TEXT);
			for (let n = walker.nextNode(); n; n = walker.nextNode()) {
				const text = (n.textContent ?? '').trim();
				if (text && (n.parentElement?.offsetParent ?? null) !== null) candidates.push(text);
			}
			for (const el of formEl.querySelectorAll('[placeholder]')) {
				candidates.push(el.getAttribute('placeholder') ?? '');
			}
			for (const text of candidates) {
				if (/^[a-z][\w-]*(\.[\w-]+)+$/.test(text) && keys.some((k) => text.startsWith(`${k}.`))) texts.push(text);
			}
			return { config: inputPrefix === 'node-config-input', prefix: inputPrefix, inputs, properties, rawKeys: texts };
		},
		{ nodeId: id, formSelector: form, inputPrefix: prefix, keys: catalogueKeys },
	);
}

// -------------------------------------------------------------------------------------------------

interface N8nWorkflow {
	id: string;
	nodes: Array<{ name: string; type: string; parameters?: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> }>;
	[key: string]: unknown;
}

/** The processor template with its embedded stores pointed at `storeFolder` (as every test rewrites it). */
function processorWorkflow(storeFolder: string): N8nWorkflow {
	assert.ok(existsSync(N8N_PROCESSOR), `${N8N_PROCESSOR} is missing (issue 6 contract: the scheduled-messages processor template)`);
	const workflow = JSON.parse(readFileSync(N8N_PROCESSOR, 'utf8')) as N8nWorkflow;
	assert.equal(workflow.id, N8N_WORKFLOW_ID, 'the processor template keeps its workflow id');
	for (const node of workflow.nodes) {
		const options = node.parameters?.storeOptions as Record<string, unknown> | undefined;
		if (node.type.startsWith(`${PACKAGE_NAME}.`) && options && 'storeFolder' in options) options.storeFolder = storeFolder;
	}
	return workflow;
}

/** A placeholder credential (no secret of anyone's) for each credential the workflow references. */
function placeholderCredentials(workflow: N8nWorkflow): N8nCredential[] {
	const byId = new Map<string, N8nCredential>();
	for (const node of workflow.nodes) {
		for (const [type, ref] of Object.entries(node.credentials ?? {})) {
			if (!byId.has(ref.id)) byId.set(ref.id, { id: ref.id, name: ref.name, type, data: { baseUrl: 'http://127.0.0.1:9/', placeholder: 'browser-check' } });
		}
	}
	return [...byId.values()];
}

interface N8nBoot {
	server: N8nServerHandle;
	workflow: N8nWorkflow;
	storeFolder: string;
}

async function bootN8n(): Promise<N8nBoot> {
	const storeFolder = mkdtempSync(join(tmpdir(), 'switchboard-browser-n8n-store-'));
	try {
		const workflow = processorWorkflow(storeFolder);
		const server = await startN8n({ credentials: placeholderCredentials(workflow), workflows: [workflow], logFile: join(BROWSER_ARTIFACTS, 'n8n-server.log') });
		return { server, workflow, storeFolder };
	} catch (error) {
		rmSync(storeFolder, { recursive: true, force: true });
		throw error;
	}
}

describe('n8n 2.41.1 editor: every node of ours in the processor template opens its parameter panel cleanly', () => {
	let server: N8nServerHandle;
	let context: BrowserContext | undefined;
	let page: Page;
	let watch: PageWatch;
	let network: ReturnType<typeof trackRequests>;
	let workflow: N8nWorkflow;

	before(async () => {
		({ server, workflow } = await n8nBoot!);
		const cookie = await server.ownerCookie();
		const eq = cookie.indexOf('=');
		context = await browser!.newContext({ viewport: VIEWPORT });
		await context.addCookies([{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: server.baseUrl }]);
		page = await context.newPage();
		watch = watchPage(page);
		network = trackRequests(page);
	});

	after(async () => {
		await context?.close();
		// The server is disposed by the file's `after` (it was started there).
	});

	test(`/workflow/${N8N_WORKFLOW_ID}: each of our nodes' parameter panel renders its parameters`, async (t) => {
		const ours = workflow.nodes.filter((n) => n.type.startsWith(`${PACKAGE_NAME}.`)).map((n) => n.name);
		assert.ok(ours.length > 0, 'the processor template has none of our nodes');
		watch.step('open the workflow');
		await page.goto(`${server.baseUrl}/workflow/${N8N_WORKFLOW_ID}`, { waitUntil: 'load' });
		const canvasNodes = page.locator(`[data-test-id="canvas-node"][data-node-type^="${PACKAGE_NAME}."]`);
		await canvasNodes.nth(ours.length - 1).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
		const onCanvas = (await canvasNodes.evaluateAll((els) => els.map((e) => e.getAttribute('data-node-name') ?? ''))).sort();
		assert.deepEqual(onCanvas, [...ours].sort(), 'the canvas shows exactly the template\'s nodes of ours');
		await network.idle(UI_TIMEOUT_MS);
		await shoot(page, 'n8n-canvas.png');

		for (const name of ours) {
			watch.step(`NDV ${name}`);
			await page.locator(`[data-test-id="canvas-node"][data-node-name="${name.replace(/"/g, '\\"')}"]`).dblclick();
			const ndv = page.locator('[data-test-id="ndv"]');
			await ndv.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
			await ndv.locator('[data-test-id="node-parameters"] [data-test-id^="parameter-input-"]').first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
			await network.idle(UI_TIMEOUT_MS);
			const title = (await ndv.locator('[data-test-id="node-title-container"]').first().innerText()).trim();
			assert.ok(title.includes(name), `the open panel is ${name}'s (title: ${title})`);
			const parameters = await ndv.locator('[data-test-id="node-parameters"] [data-test-id^="parameter-input-"]').evaluateAll((els) =>
				[...new Set(els.map((e) => (e.getAttribute('data-test-id') ?? '').replace(/^parameter-input-/, '')))],
			);
			assert.ok(parameters.length > 0, `${name}: no parameter inputs rendered`);
			t.diagnostic(`${name}: ${parameters.join(', ')}`);
			await shoot(page, `n8n-${safeName(name)}.png`);
			await ndv.locator('[data-test-id="ndv-close-button"]').first().click();
			await ndv.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
		}
		assert.deepEqual(watch.problems, [], `console errors / page errors in the n8n editor:\n${watch.report()}`);
	});
});
