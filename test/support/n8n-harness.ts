/**
 * Runs this package's n8n nodes through n8n's own engine, in-process (n8n-core + n8n-workflow, no
 * server): the package is loaded from the built `dist` exactly as n8n loads a community package
 * (PackageDirectoryLoader reads package.json's `n8n` field), a real `Workflow` is built, and
 * `WorkflowExecute.processRunExecutionData` runs it. Results come from the `workflowExecuteAfter`
 * hook, the same place n8n's own node test harness reads them.
 *
 * Our nodes are not triggers, so each run starts at a test-only "Start" node (defined here) that
 * emits the given input items; the node under test is connected after it.
 *
 * Generic for every node of the package (Normalize, Schedule Queue, Channel Send, Delivery Webhook):
 *   const { items, error } = await runNode({ nodeType: 'universalMessageNormalize', parameters, input });
 * and, for nodes with credentials, `credentials: { switchboardTwilioApi: { accountSid: '…' } }`.
 */
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentials,
	ICredentialsHelper,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRun,
	IConnections,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WorkflowExecuteMode,
	ExecutionError,
} from 'n8n-workflow';
import { PACKAGE_NAME, PACKAGE_ROOT } from './pack';

// n8n-core reads these when it is first loaded (InstanceSettings writes a config file into the user
// folder): point it at a temp folder so tests never touch ~/.n8n.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'switchboard-n8n-harness-'));
process.env.N8N_ENCRYPTION_KEY ??= 'switchboard-test-encryption-key-0123456789';
process.env.N8N_DIAGNOSTICS_ENABLED ??= 'false';
// The engine logs every node error with its stack; tests assert errors themselves. N8N_LOG_LEVEL=debug shows all.
process.env.N8N_LOG_LEVEL ??= 'silent';

type N8nCore = typeof import('n8n-core');
type N8nWorkflow = typeof import('n8n-workflow');

function n8nCore(): N8nCore {
	// Loaded lazily so the environment above is in place first.
	return require('n8n-core') as N8nCore;
}
function n8nWorkflow(): N8nWorkflow {
	return require('n8n-workflow') as N8nWorkflow;
}

/** Node type name of the harness's Start node. */
export const START_NODE_TYPE = 'switchboardHarness.start';
export const START_NODE_NAME = 'Start';

/** Emits its input unchanged: the execution stack is seeded with the test's items at this node. */
class HarnessStart implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Start',
		name: 'start',
		group: ['input'],
		version: 1,
		description: 'Emits the items the test gives it',
		defaults: { name: START_NODE_NAME },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

// ---------------------------------------------------------------------------------------------------
// Loading the package

export interface LoadedPackage {
	packageName: string;
	/** Node types by full name (`<package name>.<node name>`), plus the harness Start node. */
	nodeTypes: Map<string, INodeType | IVersionedNodeType>;
	credentialTypes: Map<string, ICredentialType>;
	/** Node names listed as supporting each credential type (n8n infers these while loading). */
	supportedNodes: Map<string, string[]>;
}

const loaded = new Map<string, Promise<LoadedPackage>>();

/**
 * The engine runs the built dist, not the sources: say so when a source is newer than its build, so
 * a stale dist is not mistaken for a bug (colleagues edit the core while tests run).
 */
function warnIfDistStale(packageRoot: string): void {
	const stale: string[] = [];
	const walk = (dir: string) => {
		if (!existsSync(join(packageRoot, dir))) return;
		for (const entry of readdirSync(join(packageRoot, dir), { withFileTypes: true })) {
			const rel = join(dir, entry.name);
			if (entry.isDirectory()) walk(rel);
			else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
				const built = join(packageRoot, 'dist', rel.replace(/\.ts$/, '.js'));
				if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(packageRoot, rel)).mtimeMs) stale.push(rel);
			}
		}
	};
	for (const dir of ['core', join('nodes', 'n8n'), 'credentials']) walk(dir);
	if (stale.length) console.warn(`[n8n harness] dist is older than ${stale.length} source file(s) (e.g. ${stale.slice(0, 3).join(', ')}): run \`npm run build\``);
}

/** Loads the package at `packageRoot` (default: this repository, which must be built) once per process. */
export function loadPackage(packageRoot: string = PACKAGE_ROOT): Promise<LoadedPackage> {
	let promise = loaded.get(packageRoot);
	if (!promise) {
		promise = (async () => {
			warnIfDistStale(packageRoot);
			const loader = new (n8nCore().PackageDirectoryLoader)(packageRoot);
			await loader.loadAll();
			const nodeTypes = new Map<string, INodeType | IVersionedNodeType>();
			for (const [name, { type }] of Object.entries(loader.nodeTypes)) nodeTypes.set(`${loader.packageName}.${name}`, type);
			nodeTypes.set(START_NODE_TYPE, new HarnessStart());
			const credentialTypes = new Map<string, ICredentialType>();
			for (const [name, { type }] of Object.entries(loader.credentialTypes)) credentialTypes.set(name, type);
			const supportedNodes = new Map<string, string[]>();
			for (const [name, known] of Object.entries(loader.known.credentials)) {
				supportedNodes.set(name, (known.supportedNodes ?? []).map((n) => `${loader.packageName}.${n}`));
			}
			return { packageName: loader.packageName, nodeTypes, credentialTypes, supportedNodes };
		})();
		loaded.set(packageRoot, promise);
	}
	return promise;
}

class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly types: Map<string, INodeType | IVersionedNodeType>) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types.get(nodeType);
		if (!type) throw new Error(`Unknown node type "${nodeType}". Known: ${[...this.types.keys()].join(', ')}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return n8nWorkflow().NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

// ---------------------------------------------------------------------------------------------------
// Credentials

/** Credential data by credential type name, e.g. { switchboardTwilioApi: { accountSid, authToken } }. */
export type CredentialsMap = Record<string, ICredentialDataDecryptedObject>;

/**
 * Replaces `{{ $credentials.x }}` (dot/bracket paths) in a declarative `authenticate` value. n8n
 * resolves these with its expression engine inside the server's CredentialsHelper; a bare helper
 * does not, so the harness does the subset credentials use.
 */
function resolveCredentialExpression(value: unknown, credentials: ICredentialDataDecryptedObject): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	const template = value.slice(1);
	const lookup = (path: string): unknown => {
		let current: unknown = credentials;
		for (const key of path.replace(/\[["']?([^\]"']+)["']?\]/g, '.$1').split('.').filter(Boolean)) {
			if (current === null || typeof current !== 'object') return undefined;
			current = (current as IDataObject)[key];
		}
		return current;
	};
	const whole = /^\{\{\s*\$credentials((?:\.[\w$]+|\[[^\]]+\])+)\s*\}\}$/.exec(template);
	if (whole) return lookup(whole[1]!);
	return template.replace(/\{\{\s*\$credentials((?:\.[\w$]+|\[[^\]]+\])+)\s*\}\}/g, (_, path: string) => String(lookup(path) ?? ''));
}

function resolveDeep(value: unknown, credentials: ICredentialDataDecryptedObject): unknown {
	if (Array.isArray(value)) return value.map((v) => resolveDeep(v, credentials));
	if (value !== null && typeof value === 'object') {
		const out: IDataObject = {};
		for (const [k, v] of Object.entries(value)) out[k] = resolveDeep(v, credentials) as IDataObject[string];
		return out;
	}
	return resolveCredentialExpression(value, credentials);
}

export class HarnessCredentialsHelper implements ICredentialsHelper {
	constructor(
		private readonly data: CredentialsMap,
		private readonly types: Pick<LoadedPackage, 'credentialTypes' | 'supportedNodes'>,
	) {}

	private type(name: string): ICredentialType | undefined {
		return this.types.credentialTypes.get(name);
	}

	getParentTypes(name: string): string[] {
		const parents = this.type(name)?.extends ?? [];
		return parents.flatMap((p) => [p, ...this.getParentTypes(p)]);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const type = this.type(credentialType) as (ICredentialType & { restrictToSupportedNodes?: boolean }) | undefined;
		if (!type?.restrictToSupportedNodes) return true;
		return (this.types.supportedNodes.get(credentialType) ?? []).includes(nodeType);
	}

	async authenticate(credentials: ICredentialDataDecryptedObject, typeName: string, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const authenticate = this.type(typeName)?.authenticate;
		if (!authenticate) return requestOptions;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate.type !== 'generic') return requestOptions;
		const props = resolveDeep(authenticate.properties, credentials) as IDataObject;
		const out: IHttpRequestOptions = { ...requestOptions };
		if (props.headers) out.headers = { ...(out.headers ?? {}), ...(props.headers as IDataObject) };
		if (props.qs) out.qs = { ...(out.qs ?? {}), ...(props.qs as IDataObject) };
		if (props.body) out.body = { ...((out.body as IDataObject | undefined) ?? {}), ...(props.body as IDataObject) };
		if (props.auth) out.auth = props.auth as IHttpRequestOptions['auth'];
		return out;
	}

	async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const core = n8nCore();
		const credentials = new core.Credentials({ id: nodeCredentials.id, name: nodeCredentials.name }, type);
		await credentials.setData(this.lookup(type));
		return credentials;
	}

	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, _nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentialDataDecryptedObject> {
		return this.lookup(type);
	}

	private lookup(type: string): ICredentialDataDecryptedObject {
		const data = this.data[type];
		if (!data) throw new Error(`The test gave no credentials of type "${type}"`);
		return structuredClone(data);
	}

	async updateCredentials(_nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.data[type] = data;
	}

	async updateCredentialsOauthTokenData(_nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.data[type] = { ...(this.data[type] ?? {}), ...data };
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.type(type)?.properties ?? [];
	}
}

// ---------------------------------------------------------------------------------------------------
// Running

export interface NodeRunResult {
	/** Items of every output of the node's last run (outputs[0] is the main output). */
	outputs: INodeExecutionData[][];
	/** Items of output 0. */
	items: INodeExecutionData[];
	/** The error the node stopped with (a NodeOperationError for our nodes), if it failed. */
	error?: ExecutionError;
	/** How many times the node ran. */
	runs: number;
}

export interface WorkflowRunResult {
	run: IRun;
	status: IRun['status'];
	/** Per node name, what its last run produced. */
	nodes: Record<string, NodeRunResult>;
	/** The execution-level error (set when a node failed and stopped the workflow). */
	error?: ExecutionError;
	/** Node names in the order they finished. */
	executionOrder: string[];
}

export interface WorkflowSpec {
	/** Nodes besides the Start node; types may be short (`universalMessageNormalize`) or full. */
	nodes: Array<Omit<INode, 'id' | 'position' | 'typeVersion'> & Partial<Pick<INode, 'id' | 'position' | 'typeVersion'>>>;
	/** Connections as in workflow JSON; use START_NODE_NAME for the Start node. */
	connections: IConnections;
	/** Items the Start node emits. */
	input: INodeExecutionData[];
	credentials?: CredentialsMap;
	mode?: WorkflowExecuteMode;
	settings?: IWorkflowSettings;
	packageRoot?: string;
	/** Test-only node types (by full type name) and credential types, beside the package's own. */
	extraNodeTypes?: Record<string, INodeType | IVersionedNodeType>;
	extraCredentialTypes?: ICredentialType[];
}

export interface RunNodeOptions {
	/** Short (`universalMessageNormalize`) or full (`@scope/n8n-nodes-x.universalMessageNormalize`). */
	nodeType: string;
	parameters: INodeParameters;
	input: INodeExecutionData[];
	credentials?: CredentialsMap;
	/** Sets the node's "On Error" to "Continue (using regular output)", i.e. this.continueOnFail(). */
	continueOnFail?: boolean;
	typeVersion?: number;
	nodeName?: string;
	mode?: WorkflowExecuteMode;
	settings?: IWorkflowSettings;
	packageRoot?: string;
	extraNodeTypes?: Record<string, INodeType | IVersionedNodeType>;
	extraCredentialTypes?: ICredentialType[];
}

/** Items from plain JSON objects. */
export function jsonItems(...objects: IDataObject[]): INodeExecutionData[] {
	return objects.map((json) => ({ json }));
}

function fullType(pkg: LoadedPackage, type: string): string {
	if (pkg.nodeTypes.has(type)) return type;
	const full = `${pkg.packageName}.${type}`;
	if (pkg.nodeTypes.has(full)) return full;
	throw new Error(`Node type "${type}" is not in ${pkg.packageName} (built dist?). Known: ${[...pkg.nodeTypes.keys()].join(', ')}`);
}

let executionCounter = 0;

/** Runs a small workflow: Start (emitting `input`) → the given nodes, wired by `connections`. */
export async function runWorkflow(spec: WorkflowSpec): Promise<WorkflowRunResult> {
	const loadedPkg = await loadPackage(spec.packageRoot);
	const pkg: LoadedPackage = {
		...loadedPkg,
		nodeTypes: new Map([...loadedPkg.nodeTypes, ...Object.entries(spec.extraNodeTypes ?? {})]),
		credentialTypes: new Map([...loadedPkg.credentialTypes, ...(spec.extraCredentialTypes ?? []).map((c) => [c.name, c] as const)]),
	};
	const { Workflow, NodeHelpers, createRunExecutionData } = n8nWorkflow();
	const core = n8nCore();
	const nodeTypes = new HarnessNodeTypes(pkg.nodeTypes);
	const credentials = { ...(spec.credentials ?? {}) };

	const start: INode = { id: 'harness-start', name: START_NODE_NAME, type: START_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: {} };
	const nodes: INode[] = [start];
	spec.nodes.forEach((n, i) => {
		const type = fullType(pkg, n.type);
		const nodeType = nodeTypes.getByNameAndVersion(type, n.typeVersion);
		const typeVersion = n.typeVersion ?? (Array.isArray(nodeType.description.version) ? nodeType.description.version.at(-1)! : nodeType.description.version);
		// Attach every given credential the node type declares, as the editor would after selection.
		const declared = nodeType.description.credentials ?? [];
		const nodeCredentials: INode['credentials'] = { ...(n.credentials ?? {}) };
		for (const { name } of declared) if (credentials[name] && !nodeCredentials[name]) nodeCredentials[name] = { id: `${name}-id`, name: `${name} (test)` };
		const node: INode = { ...n, id: n.id ?? `harness-node-${i}`, type, typeVersion, position: n.position ?? [200 * (i + 1), 0] };
		if (Object.keys(nodeCredentials).length) node.credentials = nodeCredentials;
		// Fill in parameter defaults the way the editor stores a node.
		node.parameters = NodeHelpers.getNodeParameters(nodeType.description.properties, n.parameters, true, false, node, nodeType.description) ?? n.parameters;
		nodes.push(node);
	});

	const workflow = new Workflow({
		id: 'switchboard-harness',
		name: 'Switchboard harness',
		nodes,
		connections: spec.connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1', ...(spec.settings ?? {}) },
	});

	const mode: WorkflowExecuteMode = spec.mode ?? 'manual';
	const executionId = `harness-${++executionCounter}`;
	const workflowData = { id: workflow.id, name: workflow.name, nodes, connections: spec.connections, active: false, settings: workflow.settings, isArchived: false, createdAt: new Date(), updatedAt: new Date(), activeVersionId: null } as const;
	const hooks = new core.ExecutionLifecycleHooks(mode, executionId, workflowData as never);
	const executionOrder: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		executionOrder.push(nodeName);
	});
	let finished!: (run: IRun) => void;
	const done = new Promise<IRun>((resolve) => (finished = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => finished(run));

	const unavailable = (what: string) => () => {
		throw new Error(`The n8n harness does not provide ${what}`);
	};
	const additionalData = {
		credentialsHelper: new HarnessCredentialsHelper(credentials, pkg),
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		executeWorkflow: unavailable('sub-workflows'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => undefined,
		startRunnerTask: unavailable('task runners (Code node)'),
	} as unknown as IWorkflowExecuteAdditionalData;

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: start, data: { main: [spec.input] }, source: null }],
		},
	});
	const execute = new core.WorkflowExecute(additionalData, mode, runExecutionData);
	const returned = await execute.processRunExecutionData(workflow);
	// The hook has normally run by now; fall back to the returned run if it never fires.
	let timer: NodeJS.Timeout | undefined;
	const run = await Promise.race([done, new Promise<IRun>((resolve) => (timer = setTimeout(() => resolve(returned), 5_000)))]);
	clearTimeout(timer);

	const results: Record<string, NodeRunResult> = {};
	for (const [name, tasks] of Object.entries(run.data.resultData.runData)) {
		const last = tasks.at(-1);
		const outputs = (last?.data?.main ?? []).map((items) => items ?? []);
		results[name] = { outputs, items: outputs[0] ?? [], error: last?.error, runs: tasks.length };
	}
	return { run, status: run.status, nodes: results, error: run.data.resultData.error, executionOrder };
}

export interface SingleNodeResult extends NodeRunResult {
	workflow: WorkflowRunResult;
}

/** Start → one node of this package. Returns that node's output items and error. */
export async function runNode(options: RunNodeOptions): Promise<SingleNodeResult> {
	const name = options.nodeName ?? 'Node Under Test';
	const workflow = await runWorkflow({
		nodes: [
			{
				name,
				type: options.nodeType,
				typeVersion: options.typeVersion,
				parameters: options.parameters,
				...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			},
		],
		connections: { [START_NODE_NAME]: { main: [[{ node: name, type: 'main', index: 0 }]] } },
		input: options.input,
		credentials: options.credentials,
		mode: options.mode,
		settings: options.settings,
		packageRoot: options.packageRoot,
		extraNodeTypes: options.extraNodeTypes,
		extraCredentialTypes: options.extraCredentialTypes,
	});
	const node = workflow.nodes[name];
	if (!node) {
		const startError = workflow.nodes[START_NODE_NAME]?.error ?? workflow.error;
		throw new Error(`"${name}" did not run${startError ? `: ${startError.message}` : ''} (status ${workflow.status})`);
	}
	return { ...node, workflow };
}

export { PACKAGE_NAME };
