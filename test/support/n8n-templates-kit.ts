/**
 * The n8n workflow templates of flows/n8n/ as tests and benchmarks use them: read a template, point
 * its Schedule Queue / Channel Send / Delivery Webhook nodes at a store folder (and any other
 * parameter), the credentials the templates reference (ids sbTwilio, sbVonage, sbSendGrid, sbTelegram,
 * sbWhatsApp, sbApproval) with their `baseUrl` at fake servers, and `n8n execute` of an imported
 * workflow — run with its own task-runner broker port, so it also works while a server started by
 * test/support/n8n-server.ts is up — with the run data parsed from its `--rawOutput`.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { N8nCredential, N8nServerHandle } from './n8n-server';
import { freePort } from './net';
import { PACKAGE_NAME, PACKAGE_ROOT } from './pack';

const run = promisify(execFile);

export const TEMPLATE_DIR = join(PACKAGE_ROOT, 'flows', 'n8n');

/** Basename (without .json) → workflow id, as the issue-6 contract fixes them. */
export const TEMPLATE_IDS = {
	'scheduled-messages-processor': 'SbScheduledProcessor',
	'create-on-session-fulfilled': 'SbSessionFulfilled',
	'review-and-approve': 'SbReviewApprove',
	'delivery-status': 'SbDeliveryStatus',
	'inbound-to-processor': 'SbInboundProcessor',
} as const;
export type TemplateName = keyof typeof TEMPLATE_IDS;

export interface TemplateNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	[key: string]: unknown;
}

export interface TemplateWorkflow {
	id: string;
	name: string;
	nodes: TemplateNode[];
	connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }>;
	[key: string]: unknown;
}

export function loadTemplate(name: TemplateName): TemplateWorkflow {
	return JSON.parse(readFileSync(join(TEMPLATE_DIR, `${name}.json`), 'utf8')) as TemplateWorkflow;
}

export function templateNode(workflow: TemplateWorkflow, name: string): TemplateNode {
	const node = workflow.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`${workflow.id} has no node "${name}" (it has: ${workflow.nodes.map((n) => n.name).join(', ')})`);
	return node;
}

/** Nodes of our package whose parameters name an embedded store (Schedule Queue, Channel Send completing in the queue, Delivery Webhook updating it). */
export function storeNodes(workflow: TemplateWorkflow): TemplateNode[] {
	return workflow.nodes.filter((n) => n.type.startsWith(`${PACKAGE_NAME}.`) && n.parameters.storeType === 'embedded');
}

/** A copy of the template with every embedded store at `folder`. */
export function withStoreFolder(workflow: TemplateWorkflow, folder: string): TemplateWorkflow {
	const copy = structuredClone(workflow);
	for (const node of storeNodes(copy)) node.parameters.storeOptions = { ...((node.parameters.storeOptions as object) ?? {}), storeFolder: folder };
	return copy;
}

/** Where the fakes listen (their `url`), per provider; missing ones get no credential. */
export interface FakeUrls {
	twilio?: string;
	vonage?: string;
	sendgrid?: string;
	telegram?: string;
	whatsapp?: string;
}

export interface TemplateCredentialValues {
	twilio: { accountSid: string; authToken: string; from: string };
	vonage: { apiKey: string; apiSecret: string; from: string };
	sendgrid: { apiKey: string; fromEmail: string };
	telegram: { botToken: string };
	whatsapp: { accessToken: string; phoneNumberId: string };
	approval: { signingSecret: string; baseUrl: string; linkTtlHours?: number };
}

/** The credentials the templates reference, by their contract ids, `baseUrl` at the fakes. */
export function templateCredentials(urls: FakeUrls, values: TemplateCredentialValues): N8nCredential[] {
	const list: N8nCredential[] = [];
	if (urls.twilio) list.push({ id: 'sbTwilio', name: 'Switchboard Twilio', type: 'switchboardTwilioApi', data: { ...values.twilio, messagingServiceSid: '', baseUrl: urls.twilio } });
	if (urls.vonage) list.push({ id: 'sbVonage', name: 'Switchboard Vonage', type: 'switchboardVonageApi', data: { ...values.vonage, baseUrl: urls.vonage } });
	if (urls.sendgrid) list.push({ id: 'sbSendGrid', name: 'Switchboard SendGrid', type: 'switchboardSendGridApi', data: { ...values.sendgrid, baseUrl: urls.sendgrid } });
	if (urls.telegram) list.push({ id: 'sbTelegram', name: 'Switchboard Telegram', type: 'switchboardTelegramApi', data: { ...values.telegram, secretToken: '', baseUrl: urls.telegram } });
	if (urls.whatsapp) list.push({ id: 'sbWhatsApp', name: 'Switchboard WhatsApp', type: 'switchboardWhatsAppApi', data: { ...values.whatsapp, apiVersion: 'v21.0', baseUrl: urls.whatsapp } });
	list.push({ id: 'sbApproval', name: 'Switchboard Approval Links', type: 'switchboardApprovalApi', data: { linkTtlHours: 72, ...values.approval } });
	return list;
}

/** n8n's run data of one execution, as `execute --rawOutput` prints it. */
export interface N8nRunData {
	finished?: boolean;
	status?: string;
	data: {
		resultData: {
			error?: { message?: string; description?: string };
			runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> }; error?: { message?: string } }>>;
		};
	};
}

/** Items a node output in a run (output `output`, run `runIndex`; -1 = its last run). */
export function nodeOutput(runData: N8nRunData, node: string, output = 0, runIndex = -1): Array<Record<string, unknown>> {
	const runs = runData.data.resultData.runData[node];
	if (!runs?.length) return [];
	const task = runs[runIndex < 0 ? runs.length + runIndex : runIndex];
	return (task?.data?.main?.[output] ?? []).map((item) => item.json);
}

/** How many times a node ran in an execution. */
export function nodeRuns(runData: N8nRunData, node: string): number {
	return runData.data.resultData.runData[node]?.length ?? 0;
}

/**
 * `n8n execute --id=<id> --rawOutput` against the server's user folder (database, credentials,
 * installed package), with a broker port of its own so a running server is not disturbed. The
 * workflow starts at its Manual Trigger (n8n's CLI needs one). Log level info: below it the CLI prints no run data either. Resolves with the run data; rejects
 * with the CLI's output when the execution failed.
 */
export async function executeWorkflow(server: N8nServerHandle, id: string, timeoutMs = 180_000): Promise<N8nRunData> {
	const env = { ...server.env, N8N_RUNNERS_BROKER_PORT: String(await freePort()), N8N_LOG_LEVEL: 'info' };
	let stdout: string;
	try {
		({ stdout } = await run(process.execPath, [server.bin, 'execute', `--id=${id}`, '--rawOutput'], { env, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }));
	} catch (error) {
		const e = error as { stdout?: string; stderr?: string; message: string };
		throw new Error(`n8n execute --id=${id} failed: ${e.message}\n${(e.stdout ?? '').slice(-4000)}\n${(e.stderr ?? '').slice(-4000)}`);
	}
	// Log lines may come before and after the run data (n8n logs its shutdown, and warnings under load):
	// the run data is the pretty-printed JSON from the first line that starts with "{" to the first line
	// "}" after it that closes a parseable document.
	const lines = stdout.split('\n');
	const start = lines.findIndex((line) => line.startsWith('{'));
	if (start < 0) throw new Error(`n8n execute --id=${id} printed no run data:\n${stdout.slice(-4000)}`);
	for (let end = start; end < lines.length; end++) {
		if (!lines[end]!.startsWith('}')) continue;
		try {
			return JSON.parse(lines.slice(start, end + 1).join('\n')) as N8nRunData;
		} catch {
			// not the closing brace of the document yet
		}
	}
	throw new Error(`n8n execute --id=${id} printed no parseable run data:\n${stdout.slice(-4000)}`);
}
