/**
 * The in-process n8n harness itself (test/support/n8n-harness.ts), which every node of the package is
 * tested with: credentials reach nodes through n8n's own getCredentials / httpRequestWithAuthentication
 * (declarative `generic` and function `authenticate` blocks both applied), errors and multi-node
 * workflows come back per node. A test-only credential type and node stand in for the ones later
 * issues add; they call a local HTTP server that echoes what it received.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject, IHttpRequestOptions, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { START_NODE_NAME, jsonItems, loadPackage, runNode, runWorkflow } from '../support/n8n-harness';

class ProbeGenericApi implements ICredentialType {
	name = 'probeGenericApi';
	displayName = 'Probe Generic API';
	properties = [
		{ displayName: 'API Key', name: 'apiKey', type: 'string' as const, typeOptions: { password: true }, default: '' },
		{ displayName: 'Account', name: 'account', type: 'string' as const, default: '' },
	];
	authenticate = {
		type: 'generic' as const,
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.apiKey}}' },
			qs: { account: '={{ $credentials.account }}' },
		},
	};
}

class ProbeFunctionApi implements ICredentialType {
	name = 'probeFunctionApi';
	displayName = 'Probe Function API';
	properties = [{ displayName: 'Token', name: 'token', type: 'string' as const, typeOptions: { password: true }, default: '' }];
	authenticate = async (credentials: ICredentialDataDecryptedObject, options: IHttpRequestOptions): Promise<IHttpRequestOptions> => ({
		...options,
		headers: { ...(options.headers ?? {}), 'X-Probe-Token': `fn:${String(credentials.token)}` },
	});
}

/** Reads its credential and calls the echo server with it, as a Channel Send node would. */
class ProbeCaller implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Probe Caller',
		name: 'probeCaller',
		group: ['output'],
		version: 1,
		description: 'Calls a URL with a credential',
		defaults: { name: 'Probe Caller' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [
			{ name: 'probeGenericApi', required: false },
			{ name: 'probeFunctionApi', required: false },
		],
		properties: [
			{ displayName: 'Credential', name: 'credential', type: 'string', default: 'probeGenericApi' },
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < this.getInputData().length; i++) {
			const credential = this.getNodeParameter('credential', i) as string;
			const data = await this.getCredentials(credential);
			const response = (await this.helpers.httpRequestWithAuthentication.call(this, credential, {
				method: 'POST',
				url: this.getNodeParameter('url', i) as string,
				body: { item: i },
				json: true,
			})) as IDataObject;
			out.push({ json: { credentialKeys: Object.keys(data).sort(), response }, pairedItem: { item: i } });
		}
		return [out];
	}
}

describe('n8n harness', () => {
	let server: Server;
	let url = '';

	before(async () => {
		server = createServer((req, res) => {
			let body = '';
			req.on('data', (c: Buffer) => (body += c.toString()));
			req.on('end', () => {
				res.setHeader('content-type', 'application/json');
				res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body ? JSON.parse(body) : null }));
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
	});

	after(() => new Promise<void>((resolve) => server.close(() => resolve())));

	const extra = {
		extraNodeTypes: { 'probe.probeCaller': new ProbeCaller() },
		extraCredentialTypes: [new ProbeGenericApi(), new ProbeFunctionApi()],
	};

	test('loads the package from dist by its package.json n8n field', async () => {
		const pkg = await loadPackage();
		assert.equal(pkg.packageName, '@switchboard-msg/n8n-nodes-switchboard');
		assert.ok(pkg.nodeTypes.has('@switchboard-msg/n8n-nodes-switchboard.universalMessageNormalize'));
	});

	test('a declarative (generic) authenticate block is applied with the given credential data', async () => {
		const result = await runNode({
			nodeType: 'probe.probeCaller',
			parameters: { credential: 'probeGenericApi', url },
			input: jsonItems({ a: 1 }, { a: 2 }),
			credentials: { probeGenericApi: { apiKey: 'key-123', account: 'acct 7' } },
			...extra,
		});
		assert.equal(result.error, undefined, result.error?.message);
		assert.equal(result.items.length, 2);
		result.items.forEach((item, i) => {
			const response = item.json.response as { method: string; url: string; headers: IDataObject; body: IDataObject };
			assert.deepEqual(item.json.credentialKeys, ['account', 'apiKey']);
			assert.equal(response.method, 'POST');
			assert.equal(response.headers.authorization, 'Bearer key-123');
			assert.equal(new URL(response.url, 'http://x').searchParams.get('account'), 'acct 7');
			assert.deepEqual(response.body, { item: i });
			assert.deepEqual(item.pairedItem, { item: i });
		});
	});

	test('a function authenticate is called; missing credentials fail the node with a clear message', async () => {
		const ok = await runNode({
			nodeType: 'probe.probeCaller',
			parameters: { credential: 'probeFunctionApi', url },
			input: jsonItems({}),
			credentials: { probeFunctionApi: { token: 't-9' } },
			...extra,
		});
		assert.equal(ok.error, undefined, ok.error?.message);
		assert.equal((ok.items[0]!.json.response as { headers: IDataObject }).headers['x-probe-token'], 'fn:t-9');

		const missing = await runNode({ nodeType: 'probe.probeCaller', parameters: { credential: 'probeFunctionApi', url }, input: jsonItems({}), ...extra });
		assert.ok(missing.error, 'the node fails without credentials');
		assert.match(missing.error.message, /credentials/, 'n8n says which credential is missing');
		assert.equal(missing.workflow.status, 'error');
	});

	test('multi-node workflows: every node is reported, in execution order', async () => {
		const run = await runWorkflow({
			nodes: [
				{ name: 'Call', type: 'probe.probeCaller', parameters: { credential: 'probeGenericApi', url } },
				{ name: 'Call Again', type: 'probe.probeCaller', parameters: { credential: 'probeFunctionApi', url } },
			],
			connections: {
				[START_NODE_NAME]: { main: [[{ node: 'Call', type: 'main', index: 0 }]] },
				Call: { main: [[{ node: 'Call Again', type: 'main', index: 0 }]] },
			},
			input: jsonItems({ n: 1 }),
			credentials: { probeGenericApi: { apiKey: 'k', account: 'a' }, probeFunctionApi: { token: 't' } },
			...extra,
		});
		assert.equal(run.status, 'success');
		assert.deepEqual(run.executionOrder, [START_NODE_NAME, 'Call', 'Call Again']);
		assert.deepEqual(run.nodes[START_NODE_NAME]!.items.map((i) => i.json), [{ n: 1 }]);
		assert.equal(run.nodes['Call Again']!.items.length, 1);
		assert.equal(run.nodes['Call Again']!.runs, 1);
	});
});
