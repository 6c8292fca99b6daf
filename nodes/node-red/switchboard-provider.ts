/**
 * Node-RED provider accounts: one configuration node type per sending provider ("switchboard-twilio",
 * "switchboard-telegram"…), all registered here from the core's provider list (core/providers/registry.ts),
 * so a new provider gets its config node without touching this file.
 *
 * Each type's fields are the provider's `credentialFields`: secrets (`password` fields) are the node's
 * `credentials`, which Node-RED stores encrypted in flows_cred.json and never in the flow file; the
 * other fields (sender number, account SID, API version, mode, base URL…) are plain node properties.
 * Channel Send reads an account with `providerAccount()`.
 *
 * Admin endpoints (on RED.httpAdmin):
 *  - GET  switchboard/providers → every provider's name, channels, documentation link, fields (with
 *    their labels and descriptions) and documented rate limits; the editor builds its forms' labels,
 *    tooltips and tips from it. No values, no secrets.
 *  - POST switchboard/providers/<id>/verify (permission "switchboard-<id>.write") → runs the provider's
 *    `verifyCredentials` (its cheapest authenticated read) with the values being edited; a password
 *    left unchanged in the dialog ("__PWRD__") is taken from the deployed node's stored credentials.
 *    Answers { ok: true, account } or { ok: false, error: { code, category, message } }; never a
 *    secret (messages are scrubbed of every secret value as a second line of defence).
 */
import { isSwitchboardError } from '../../core';
import type { ProviderAccount } from '../../core/send/types';
import { PROVIDERS } from '../../core/providers/registry';
import { undiciHttpClient } from '../../core/providers/shared/http';
import type { AnyProvider, CredentialField } from '../../core/providers/types';
import type { CredentialsDefinition, Node, NodeAPI, NodeDef } from './shared/node-red';

/** Config node type of a provider: "switchboard-<id>". */
const PROVIDER_NODE_PREFIX = 'switchboard-';
const providerNodeType = (providerId: string): string => `${PROVIDER_NODE_PREFIX}${providerId}`;

const PROVIDERS_ENDPOINT = '/switchboard/providers';
/** How long the Test button waits for the provider. */
const VERIFY_TIMEOUT_MS = 15_000;
/** What the editor sends for a password it did not change. */
const UNCHANGED_PASSWORD = '__PWRD__';

const isSecretField = (field: CredentialField): boolean => field.type === 'password';

/** What a provider config node offers the nodes that use it (Channel Send). */
interface ProviderConfigNode extends Node {
	readonly providerId: string;
	/** The account as the send engine takes it: provider id, raw values (properties + decrypted secrets), label. */
	providerAccount(): ProviderAccount;
	/** What `parseConfig` said about the values at deploy (undefined: fine), so users see it before sending. */
	readonly configError?: Error;
}

function isProviderConfigNode(value: unknown): value is ProviderConfigNode {
	return typeof value === 'object' && value !== null && typeof (value as ProviderConfigNode).providerAccount === 'function';
}

/** Node-RED's `credentials` declaration of a provider: its password fields. */
function credentialsDefinition(provider: AnyProvider): CredentialsDefinition {
	const out: CredentialsDefinition = {};
	for (const field of provider.credentialFields) if (isSecretField(field)) out[field.name] = { type: 'password' };
	return out;
}

function present(value: unknown): boolean {
	return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}

/**
 * The values handed to the provider: node properties for plain fields, credentials for secrets.
 * Empty values are left out, so the provider applies its own defaults (API version, mode…).
 */
function accountValues(provider: AnyProvider, properties: Record<string, unknown>, credentials: Record<string, unknown>): Record<string, unknown> {
	const values: Record<string, unknown> = {};
	for (const field of provider.credentialFields) {
		const value = isSecretField(field) ? credentials[field.name] : properties[field.name];
		if (present(value)) values[field.name] = typeof value === 'string' && !isSecretField(field) ? value.trim() : value;
	}
	return values;
}

/** Every secret value (long enough to be worth hiding), to scrub from anything shown to a user. */
function secretsOf(provider: AnyProvider, values: Record<string, unknown>): string[] {
	return provider.credentialFields
		.filter(isSecretField)
		.map((f) => values[f.name])
		.filter((v): v is string => typeof v === 'string' && v.trim().length >= 4);
}

function scrub(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) out = out.split(secret).join('•••');
	return out;
}

/** A provider and its fields as the editor shows them (no values). */
function providerCatalog(): Array<Record<string, unknown>> {
	return PROVIDERS.map((p) => ({
		id: p.id,
		type: providerNodeType(p.id),
		name: p.name,
		channels: [...p.channels],
		documentationUrl: p.documentationUrl,
		fields: p.credentialFields.map((f) => ({ ...f, secret: isSecretField(f) })),
		rateLimits: p.rateLimits.map((r) => ({ ...r })),
	}));
}

interface AdminRequest {
	body?: unknown;
	on?(event: string, listener: (chunk?: unknown) => void): void;
}
interface AdminResponse {
	json(body: unknown): void;
	status?(code: number): AdminResponse;
}
type AdminHandler = (req: AdminRequest, res: AdminResponse, next: () => void) => void;
interface AdminApp {
	get(path: string, ...handlers: AdminHandler[]): void;
	post(path: string, ...handlers: AdminHandler[]): void;
}

/** The runtime API as these nodes use it. */
interface ProviderNodeAPI extends NodeAPI {
	nodes: NodeAPI['nodes'] & {
		getNode(id: string): unknown;
		getCredentials?(id: string): Record<string, unknown> | undefined;
	};
}

/** The JSON body of an admin request: parsed by Node-RED's body parser, or read here when none ran. */
async function jsonBody(req: AdminRequest): Promise<Record<string, unknown>> {
	if (req.body !== undefined && req.body !== null && typeof req.body === 'object') return req.body as Record<string, unknown>;
	if (!req.on) return {};
	const text = await new Promise<string>((resolve, reject) => {
		let data = '';
		req.on!('data', (chunk) => {
			data += String(chunk);
			if (data.length > 1_000_000) reject(new Error('request body too large'));
		});
		req.on!('end', () => resolve(data));
		req.on!('error', (e) => reject(e as Error));
	});
	if (text.trim() === '') return {};
	const parsed = JSON.parse(text) as unknown;
	return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

const asRecord = (value: unknown): Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * Runs the provider's verifyCredentials with the edited values. Secrets the editor did not change come
 * from the deployed node `nodeId` (its decrypted credentials); nothing else is read from the runtime.
 */
async function verifyAccount(
	RED: ProviderNodeAPI,
	provider: AnyProvider,
	body: Record<string, unknown>,
): Promise<{ ok: true; account: string | null } | { ok: false; error: { code: string | null; category: string | null; message: string } }> {
	const nodeId = typeof body.id === 'string' ? body.id : undefined;
	const properties = asRecord(body.config);
	const posted = asRecord(body.credentials);
	const stored = nodeId ? asRecord(RED.nodes.getCredentials?.(nodeId)) : {};
	const credentials: Record<string, unknown> = {};
	for (const field of provider.credentialFields.filter(isSecretField)) {
		const value = posted[field.name];
		credentials[field.name] = value === undefined || value === UNCHANGED_PASSWORD ? stored[field.name] : value;
	}
	const values = accountValues(provider, properties, credentials);
	const secrets = secretsOf(provider, values);
	try {
		const config: unknown = provider.parseConfig(values);
		const baseUrl = typeof values.baseUrl === 'string' ? values.baseUrl : undefined;
		const result = await provider.verifyCredentials(config, {
			http: undiciHttpClient,
			now: () => new Date(),
			timeoutMs: VERIFY_TIMEOUT_MS,
			...(baseUrl ? { baseUrl } : {}),
		});
		return { ok: true, account: result.account ? scrub(result.account, secrets) : null };
	} catch (error) {
		const e = error as Error & { code?: unknown; category?: unknown; providerCode?: unknown };
		const message = isSwitchboardError(error) ? error.description : e instanceof Error ? e.message : String(error);
		const code = typeof e.providerCode === 'string' && e.providerCode ? e.providerCode : typeof e.code === 'string' ? e.code : null;
		return {
			ok: false,
			error: { code: code === null ? null : scrub(code, secrets), category: typeof e.category === 'string' ? e.category : null, message: scrub(message, secrets) },
		};
	}
}

const servedBy = new WeakSet<object>();

function registerEndpoints(RED: ProviderNodeAPI): void {
	const app = RED.httpAdmin as unknown as AdminApp | undefined;
	if (!app || servedBy.has(app)) return;
	servedBy.add(app);
	const guard = (permission: string): AdminHandler[] => {
		const g = RED.auth?.needsPermission(permission) as unknown as AdminHandler | undefined;
		return g ? [g] : [];
	};
	app.get(PROVIDERS_ENDPOINT, ...guard('switchboard.read'), (_req, res) => res.json({ providers: providerCatalog() }));
	for (const provider of PROVIDERS) {
		app.post(`${PROVIDERS_ENDPOINT}/${provider.id}/verify`, ...guard(`${providerNodeType(provider.id)}.write`), (req, res) => {
			void jsonBody(req)
				.then((body) => verifyAccount(RED, provider, body))
				.then(
					(answer) => res.json(answer),
					(error: unknown) => {
						(res.status ? res.status(400) : res).json({ ok: false, error: { code: 'BAD_REQUEST', category: null, message: (error as Error).message } });
					},
				);
		});
	}
}

interface ProviderNodeDef extends NodeDef {
	[field: string]: unknown;
}

function register(RED: NodeAPI): void {
	const red = RED as ProviderNodeAPI;
	registerEndpoints(red);

	for (const provider of PROVIDERS) {
		const type = providerNodeType(provider.id);
		function ProviderNode(this: Node, config: NodeDef): void {
			RED.nodes.createNode(this, config);
			const node = this as Node & { providerId: string; providerAccount: () => ProviderAccount; configError?: Error };
			const def = config as ProviderNodeDef;
			node.providerId = provider.id;
			const values = (): Record<string, unknown> => accountValues(provider, def, node.credentials ?? {});
			node.providerAccount = () => ({ provider: provider.id, config: values(), ...(node.name ? { label: node.name } : {}) });
			try {
				provider.parseConfig(values());
			} catch (error) {
				node.configError = error as Error;
			}
		}
		RED.nodes.registerType(type, ProviderNode, { credentials: credentialsDefinition(provider) });
	}
}

// A Node-RED node module exports only its register function; the types Channel Send uses ride along.
// eslint-disable-next-line @typescript-eslint/no-namespace
namespace register {
	export type ProviderNode = ProviderConfigNode;
}

export = register;
