/**
 * Delivery Webhook (n8n trigger): the endpoint providers call back with delivery reports (sent,
 * delivered, read, opened, clicked, bounced, failed…) and inbound messages. A thin shell around the
 * core's handleWebhook (core/webhooks): this file reads the raw request n8n kept, the node's settings
 * and credentials, answers the HTTP request itself, and emits the items.
 *
 *  - One production URL, `<WEBHOOK_URL>/webhook/<webhook id>/webhook`: POST for callbacks, GET for Meta's
 *    subscription handshake (both registered, same path).
 *  - Signatures are checked on the raw body bytes n8n keeps (`req.rawBody`), before anything is emitted.
 *    A bad signature is answered 401 and starts no execution; verification can only be switched off
 *    explicitly, and the node then shows a warning.
 *  - With "Update Schedule Queue" on, the events are applied to the Schedule Queue (forward-only,
 *    de-duplicated, orphans kept) BEFORE the provider is answered, so a 200 means "recorded"; a store
 *    failure is answered 503 and the provider retries later.
 *  - Output 1: delivery events (switchboard.event/v1), each with `outcome` (applied / unchanged /
 *    duplicate / orphaned) when the queue was updated. Output 2: inbound messages (switchboard/v1).
 */
import { NodeOperationError } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHookFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { handleWebhook } from '../../../core/webhooks';
import type { EventOutcome, WebhookRequest, WebhookResult } from '../../../core/webhooks/types';
import type { DeliveryEvent, DeliveryStatus } from '../../../core/schema/message';
import type { ScheduleQueue } from '../../../core/queue';
import { EventBatcher } from '../../shared/event-batcher';
import { storeKey, type QueueLease } from '../../shared/queue-host';
import { redact } from '../shared/errors';
import { BUILT_IN_POSTGRES_CREDENTIAL, SWITCHBOARD_POSTGRES_CREDENTIAL, type ResolvedConnection } from '../ScheduleQueue/actions/connection';
import { openStore, resolveStoreFrom, storeProperties } from '../ScheduleQueue/actions/store';
import { WEBHOOK_CREDENTIALS, WEBHOOK_PLATFORM_IDS, secretValues, secretsFromCredentials, type WebhookPlatform } from './actions/secrets';

const PLATFORM_OPTIONS = [
	{ name: 'Auto-Detect (From the Signature Header)', value: 'auto', description: 'One URL for several providers: each request is checked with the scheme of the signature header it carries' },
	{ name: 'Brevo', value: 'brevo', description: 'Transactional email events (Bearer token set on the Brevo webhook)' },
	{ name: 'Instagram Direct', value: 'instagram', description: 'Instagram messaging webhooks (X-Hub-Signature-256)' },
	{ name: 'Messenger', value: 'messenger', description: 'Facebook Messenger webhooks (X-Hub-Signature-256)' },
	{ name: 'SendGrid', value: 'sendgrid', description: 'Signed Event Webhook (ECDSA)' },
	{ name: 'Slack', value: 'slack', description: 'Events API and interactivity (v0 signature, 5-minute window)' },
	{ name: 'Telegram', value: 'telegram', description: 'Bot updates (X-Telegram-Bot-Api-Secret-Token)' },
	{ name: 'Twilio', value: 'twilio', description: 'Status callbacks and inbound SMS / WhatsApp (X-Twilio-Signature)' },
	{ name: 'Vonage', value: 'vonage', description: 'Messages API status and inbound webhooks (signed JWT)' },
	{ name: 'WhatsApp Cloud API', value: 'whatsapp', description: 'Meta webhooks (X-Hub-Signature-256) and the GET verification' },
];

const EMIT_OPTIONS = [
	{ name: 'Every Delivery Event', value: 'all', description: 'One item per event on output 1' },
	{
		name: 'Status Changes Only',
		value: 'changed',
		description: 'Only events that moved a message forward in the Schedule Queue, or whose message is not known yet; repeats and late events start nothing. Needs "Update Schedule Queue".',
	},
	{ name: 'Problems Only', value: 'problems', description: 'Only failed, bounced, complained and unsubscribed events: for alerting flows' },
	{
		name: 'No Delivery Events (Queue Only)',
		value: 'none',
		description: 'Delivery events only update the Schedule Queue and start no execution: for high volumes, where every execution costs',
	},
];

const PROBLEM_STATUSES: ReadonlySet<DeliveryStatus> = new Set<DeliveryStatus>(['failed', 'bounced', 'complained', 'unsubscribed']);

/** Whether an event starts an execution under the node's "Start the Workflow For" setting. */
function emits(emit: string, event: DeliveryEvent, outcome: EventOutcome | undefined): boolean {
	switch (emit) {
		case 'none':
			return false;
		case 'problems':
			return PROBLEM_STATUSES.has(event.status);
		case 'changed':
			// Without the queue there is no outcome to judge by: every event is news.
			return outcome === undefined || outcome === 'applied' || outcome === 'orphaned';
		default:
			return true;
	}
}

/**
 * Per trigger node (workflow id + node id): the batcher coalescing the store writes of its concurrent
 * requests (nodes/shared/event-batcher.ts), and the lease taken at activation, which keeps an embedded
 * store open while the workflow is active (opening PGlite takes seconds: the first callback after a
 * start would otherwise wait that long, over Slack's 3-second limit).
 */
const batchers = new Map<string, EventBatcher>();
const activationLeases = new Map<string, QueueLease>();

function triggerKey(context: IWebhookFunctions | IHookFunctions): string {
	const mode = context.getMode?.() === 'manual' ? 'test' : 'production';
	return `${context.getWorkflow().id ?? ''}:${context.getNode().id}:${mode}`;
}

/** The Schedule Queue node's Store parameters, shown when "Update Schedule Queue" is on. */
function queueStoreProperties(): INodeProperties[] {
	return storeProperties.map((property) => ({
		...property,
		displayOptions: { ...(property.displayOptions ?? {}), show: { ...(property.displayOptions?.show ?? {}), updateQueue: [true] } },
	}));
}

export class DeliveryWebhook implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Delivery Webhook',
		name: 'deliveryWebhook',
		icon: 'file:switchboard.svg',
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["platform"] === "auto" ? "Any provider" : $parameter["platform"]}}',
		description: 'Receive verified delivery reports and inbound messages from Twilio, SendGrid, WhatsApp, Slack, Telegram, Brevo, Vonage… and update the Schedule Queue',
		defaults: {
			name: 'Delivery Webhook',
		},
		// A trigger (group "trigger", webhooks) in a file named after its display name, like n8n's own
		// Webhook node; the linter takes every file not named *Trigger.node.ts for a regular node.
		// eslint-disable-next-line n8n-nodes-base/node-class-description-inputs-wrong-regular-node
		inputs: [],
		// Two outputs: delivery events, inbound messages.
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong
		outputs: ['main', 'main'],
		outputNames: ['Delivery Events', 'Inbound Messages'],
		credentials: [
			// The provider credentials hold the webhook secrets (their "Webhook only" fields).
			{ name: 'switchboardTwilioApi', required: false, displayOptions: { show: { platform: ['twilio', 'auto'] } } },
			{ name: 'switchboardSendGridApi', required: false, displayOptions: { show: { platform: ['sendgrid', 'auto'] } } },
			{ name: 'switchboardWhatsAppApi', required: false, displayOptions: { show: { platform: ['whatsapp', 'auto'] } } },
			{ name: 'switchboardMessengerApi', required: false, displayOptions: { show: { platform: ['messenger', 'auto'] } } },
			{ name: 'switchboardInstagramApi', required: false, displayOptions: { show: { platform: ['instagram', 'auto'] } } },
			{ name: 'switchboardSlackApi', required: false, displayOptions: { show: { platform: ['slack', 'auto'] } } },
			{ name: 'switchboardTelegramApi', required: false, displayOptions: { show: { platform: ['telegram', 'auto'] } } },
			{ name: 'switchboardBrevoApi', required: false, displayOptions: { show: { platform: ['brevo', 'auto'] } } },
			{ name: 'switchboardVonageApi', required: false, displayOptions: { show: { platform: ['vonage', 'auto'] } } },
			{
				name: BUILT_IN_POSTGRES_CREDENTIAL,
				required: true,
				displayOptions: { show: { updateQueue: [true], storeType: ['postgres'], postgresCredential: [BUILT_IN_POSTGRES_CREDENTIAL] } },
			},
			{
				name: SWITCHBOARD_POSTGRES_CREDENTIAL,
				required: true,
				displayOptions: { show: { updateQueue: [true], storeType: ['postgres'], postgresCredential: [SWITCHBOARD_POSTGRES_CREDENTIAL] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
			{
				name: 'setup',
				httpMethod: 'GET',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName:
					'Signature verification is OFF: anyone who knows this URL can post fake delivery reports and messages, and they will be emitted and written to the queue. Switch it back on in production.',
				name: 'verificationOffNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { verifySignatures: [false] } },
			},
			{
				displayName: 'Platform',
				name: 'platform',
				type: 'options',
				noDataExpression: true,
				options: PLATFORM_OPTIONS,
				default: 'auto',
				description: 'Which provider calls this URL. Attach that provider\'s Switchboard credential: its webhook fields (signing secret, auth token, app secret…) verify the requests.',
			},
			{
				displayName: 'Verify Signatures',
				name: 'verifySignatures',
				type: 'boolean',
				default: true,
				description: 'Whether to refuse (HTTP 401) every request whose signature or token does not match the credential. Only switch off for local tests.',
			},
			{
				displayName: 'Update Schedule Queue',
				name: 'updateQueue',
				type: 'boolean',
				default: true,
				description: 'Whether to apply the delivery events to the Schedule Queue: the message whose provider ID matches moves forward (sent → delivered → read), duplicates are ignored, unknown IDs are kept and matched later',
			},
			{
				displayName: 'Start the Workflow For',
				name: 'emitEvents',
				type: 'options',
				noDataExpression: true,
				options: EMIT_OPTIONS,
				default: 'all',
				description:
					'Which delivery events start an execution (output 1). Inbound messages always do (output 2). Every verified event is applied to the Schedule Queue whatever is chosen here.',
			},
			...queueStoreProperties(),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Include Raw Payload',
						name: 'keepRaw',
						type: 'boolean',
						default: true,
						description: 'Whether to keep the provider\'s own payload as "raw" on each event and message',
					},
					{
						displayName: 'Max Body Size (Bytes)',
						name: 'maxBodyBytes',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 1048576,
						description: 'Larger requests are refused with HTTP 413 before they are read',
					},
					{
						displayName: 'Public URL',
						name: 'publicUrl',
						type: 'string',
						default: '',
						placeholder: 'e.g. https://hooks.example.com/webhook/…/webhook',
						description:
							'The URL exactly as entered in Twilio, when n8n runs behind a proxy that changes it (Twilio signs the URL it calls). The request\'s query string is added when this URL has none. Empty: n8n\'s webhook URL.',
					},
					{
						displayName: 'Replay Window (Seconds)',
						name: 'replayWindowSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 300,
						description: 'How old a signed timestamp may be (Slack, SendGrid, Vonage)',
					},
				],
			},
		],
	};

	webhookMethods = {
		default: {
			// Nothing to register with a provider (the URL is entered in its console); activation is used to
			// open the store ahead of the first callback, and deactivation to give it back.
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				if (!(this.getNodeParameter('updateQueue', true) as boolean)) return true;
				const key = triggerKey(this);
				await activationLeases.get(key)?.release();
				activationLeases.delete(key);
				try {
					const store = await resolveStore.call(this);
					activationLeases.set(key, await openStore(store));
				} catch (error) {
					// Activation goes on: the first request opens the store (and answers 503 if it cannot).
					this.logger.warn(`Delivery Webhook: the store could not be opened at activation, the first request will try again: ${redact((error as Error).message, [])}`);
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				const key = triggerKey(this);
				const lease = activationLeases.get(key);
				activationLeases.delete(key);
				batchers.delete(key);
				await lease?.release();
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const platform = this.getNodeParameter('platform', 'auto') as string;
		const verify = this.getNodeParameter('verifySignatures', true) as boolean;
		const updateQueue = this.getNodeParameter('updateQueue', true) as boolean;
		const emit = this.getNodeParameter('emitEvents', 'all') as string;
		const options = this.getNodeParameter('options', {}) as IDataObject;

		// The secrets of every attached provider credential this endpoint may receive.
		const wanted = platform === 'auto' ? WEBHOOK_PLATFORM_IDS : WEBHOOK_PLATFORM_IDS.filter((id) => id === platform);
		const credentials: Partial<Record<WebhookPlatform, ICredentialDataDecryptedObject>> = {};
		for (const id of wanted) {
			try {
				credentials[id] = (await this.getCredentials(WEBHOOK_CREDENTIALS[id])) as ICredentialDataDecryptedObject;
			} catch {
				// Not attached: that provider's requests fail verification with "no secret configured".
			}
		}
		const secrets = secretsFromCredentials(credentials, platform);

		if (!req.rawBody && typeof (req as { readRawBody?: () => Promise<void> }).readRawBody === 'function') {
			await (req as unknown as { readRawBody: () => Promise<void> }).readRawBody();
		}
		const request: WebhookRequest = {
			method: req.method ?? 'POST',
			url: calledUrl.call(this, typeof options.publicUrl === 'string' ? options.publicUrl : ''),
			headers: req.headers as WebhookRequest['headers'],
			rawBody: Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.alloc(0),
		};

		// The store is opened only when a verified request carries events (not for handshakes or 401s);
		// requests arriving together share one store transaction.
		const key = triggerKey(this);
		let batcher = batchers.get(key);
		if (!batcher) batchers.set(key, (batcher = new EventBatcher()));
		const leave = batcher.arrive();
		let lease: QueueLease | undefined;
		let storeSecrets: string[] = [];
		const lazyQueue = {
			recordEvents: async (events: DeliveryEvent[]): Promise<EventOutcome[]> => {
				let store: ResolvedConnection;
				try {
					store = await resolveStore.call(this);
					storeSecrets = store.secrets;
					lease = await openStore(store);
				} finally {
					leave();
				}
				return await batcher.record(lease.queue, events, storeKey(store.connection));
			},
		} as unknown as ScheduleQueue;
		let result: WebhookResult;
		try {
			result = await handleWebhook(request, {
				...(platform !== 'auto' ? { platform } : {}),
				secrets,
				verify,
				keepRaw: options.keepRaw !== false,
				...(typeof options.maxBodyBytes === 'number' && options.maxBodyBytes > 0 ? { maxBodyBytes: options.maxBodyBytes } : {}),
				...(typeof options.replayWindowSeconds === 'number' && options.replayWindowSeconds > 0 ? { replayWindowSeconds: options.replayWindowSeconds } : {}),
				...(updateQueue ? { queue: lazyQueue } : {}),
			});
		} finally {
			leave();
			await lease?.release().catch(() => undefined);
		}

		send(res, result.response);
		if (!result.accepted) {
			const reason = redact(result.reason ?? 'refused', [...storeSecrets, ...secretValues(secrets)]);
			this.logger.warn(`Delivery Webhook refused a ${result.platform ?? 'request'} (HTTP ${result.response.status}): ${reason}`);
			return { noWebhookResponse: true };
		}
		if (result.unverified) this.logger.warn('Delivery Webhook: signature verification is switched off for this endpoint');

		const events: INodeExecutionData[] = [];
		result.events.forEach((event, index) => {
			const outcome = result.outcomes[index];
			if (!emits(emit, event, outcome)) return;
			events.push({ json: { ...(event as unknown as IDataObject), ...(outcome ? { outcome } : {}), ...(result.unverified ? { unverified: true } : {}) } });
		});
		// Nothing to emit: no execution (n8n starts none without workflowData).
		if (events.length === 0 && result.messages.length === 0) return { noWebhookResponse: true };

		const messages: INodeExecutionData[] = result.messages.map((message) => ({
			json: { ...(message as unknown as IDataObject), ...(result.unverified ? { unverified: true } : {}) },
		}));
		return { noWebhookResponse: true, workflowData: [events, messages] };
	}
}

/** Writes the core's answer on n8n's response object. */
function send(res: ReturnType<IWebhookFunctions['getResponseObject']>, response: WebhookResult['response']): void {
	if (res.headersSent) return;
	res.status(response.status);
	res.setHeader('Content-Type', response.contentType);
	res.end(response.body);
}

/**
 * The URL the provider called, as it saw it (Twilio signs it): the "Public URL" option when set, else
 * n8n's own webhook URL for this node (production or test, from WEBHOOK_URL), plus the raw query string
 * of the request as received.
 */
function calledUrl(this: IWebhookFunctions, publicUrl: string): string {
	const req = this.getRequestObject();
	const original = (req.originalUrl ?? req.url ?? '') as string;
	const q = original.indexOf('?');
	const search = q === -1 ? '' : original.slice(q);
	const configured = publicUrl.trim();
	if (configured) return configured.includes('?') ? configured : `${configured}${search}`;
	const base = (typeof this.getWebhookResourceUrl === 'function' ? this.getWebhookResourceUrl('default') : undefined) ?? this.getNodeWebhookUrl('default') ?? '';
	return `${base}${search}`;
}

/** The Store parameters (as the Schedule Queue node has them) → the connection and its secrets. */
async function resolveStore(this: IWebhookFunctions | IHookFunctions): Promise<ResolvedConnection> {
	return await resolveStoreFrom({
		parameter: (name, fallback) => this.getNodeParameter(name, fallback),
		credentials: async (type) => await this.getCredentials(type),
	});
}
