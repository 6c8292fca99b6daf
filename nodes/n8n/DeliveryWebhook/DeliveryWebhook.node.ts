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
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { handleWebhook } from '../../../core/webhooks';
import type { EventOutcome, WebhookRequest, WebhookResult } from '../../../core/webhooks/types';
import type { DeliveryEvent } from '../../../core/schema/message';
import type { ScheduleQueue } from '../../../core/queue';
import { resolveStoreFolder, type QueueLease } from '../../shared/queue-host';
import { redact } from '../shared/errors';
import { BUILT_IN_POSTGRES_CREDENTIAL, SWITCHBOARD_POSTGRES_CREDENTIAL, builtInPostgresConnection, switchboardPostgresConnection, type ResolvedConnection } from '../ScheduleQueue/actions/connection';
import { openStore, storeProperties } from '../ScheduleQueue/actions/store';
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

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const platform = this.getNodeParameter('platform', 'auto') as string;
		const verify = this.getNodeParameter('verifySignatures', true) as boolean;
		const updateQueue = this.getNodeParameter('updateQueue', true) as boolean;
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

		// The store is opened only when a verified request carries events (not for handshakes or 401s).
		let lease: QueueLease | undefined;
		let storeSecrets: string[] = [];
		const lazyQueue = {
			recordEvents: async (events: DeliveryEvent[]): Promise<EventOutcome[]> => {
				const store = await resolveStore.call(this);
				storeSecrets = store.secrets;
				lease = await openStore(store);
				const queue = lease.queue as ScheduleQueue & { recordEvents?: (events: DeliveryEvent[]) => Promise<EventOutcome[]> };
				if (typeof queue.recordEvents !== 'function') throw new NodeOperationError(this.getNode(), 'this version of the Schedule Queue cannot record delivery events');
				return await queue.recordEvents(events);
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
			await lease?.release().catch(() => undefined);
		}

		send(res, result.response);
		if (!result.accepted) {
			const reason = redact(result.reason ?? 'refused', [...storeSecrets, ...secretValues(secrets)]);
			this.logger.warn(`Delivery Webhook refused a ${result.platform ?? 'request'} (HTTP ${result.response.status}): ${reason}`);
			return { noWebhookResponse: true };
		}
		if (result.unverified) this.logger.warn('Delivery Webhook: signature verification is switched off for this endpoint');
		if (result.events.length === 0 && result.messages.length === 0) return { noWebhookResponse: true };

		const events: INodeExecutionData[] = result.events.map((event, index) => ({
			json: { ...(event as unknown as IDataObject), ...(result.outcomes[index] ? { outcome: result.outcomes[index] } : {}), ...(result.unverified ? { unverified: true } : {}) },
		}));
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
async function resolveStore(this: IWebhookFunctions): Promise<ResolvedConnection> {
	const storeType = this.getNodeParameter('storeType', 'embedded') as string;
	if (storeType === 'postgres') {
		const credentialType = this.getNodeParameter('postgresCredential', BUILT_IN_POSTGRES_CREDENTIAL) as string;
		const data = (await this.getCredentials(credentialType)) as ICredentialDataDecryptedObject;
		return credentialType === BUILT_IN_POSTGRES_CREDENTIAL ? builtInPostgresConnection(data) : switchboardPostgresConnection(data);
	}
	const storeOptions = this.getNodeParameter('storeOptions', {}) as { storeFolder?: unknown };
	const folder = typeof storeOptions.storeFolder === 'string' ? storeOptions.storeFolder : undefined;
	const dataDir = resolveStoreFolder('n8n', folder);
	return { connection: { kind: 'embedded', dataDir }, secrets: [], label: dataDir };
}
