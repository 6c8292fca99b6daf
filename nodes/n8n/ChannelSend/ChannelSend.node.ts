/**
 * Channel Send (n8n): the thin n8n shell around the core's send engine (core/send). Each item's
 * message — a universal message, or a scheduled message claimed by the Schedule Queue — goes out
 * through the provider chosen for its channel, with retries, fallback providers, channel failover,
 * the providers' documented rate limits and a concurrency limit; Dry Run shows what would be sent.
 * One credential per provider (credentials/Switchboard<Provider>Api.credentials.ts). All logic lives
 * in the core; ./actions holds the parameters, one file per operation, and the router.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { BUILT_IN_POSTGRES_CREDENTIAL, CONNECTION_TEST, SWITCHBOARD_POSTGRES_CREDENTIAL, credentialTest as postgresCredentialTest } from '../ScheduleQueue/actions/connection';
import * as dryRun from './actions/dryRun.operation';
import { sharedProperties } from './actions/parameters';
import { PROVIDER_CREDENTIAL_TEST, credentialTest } from './actions/providers';
import { router } from './actions/router';
import * as send from './actions/send.operation';

export class ChannelSend implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Channel Send',
		name: 'channelSend',
		icon: 'file:switchboard.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] === "dryRun" ? "Dry run" : "Send"}}',
		description: 'Send messages by email, SMS, WhatsApp, Telegram, Slack, Teams and more, with fallback providers, retries and rate limits',
		defaults: {
			name: 'Channel Send',
		},
		inputs: ['main'],
		outputs: ['main'],
		credentials: [
			// One credential per chosen provider (the list is literal for n8n's linter; actions/providers.ts checks it matches).
			{
				name: 'switchboardTwilioApi',
				required: true,
				displayOptions: { show: { providers: ['twilio'] } },
			},
			{
				name: 'switchboardVonageApi',
				required: true,
				displayOptions: { show: { providers: ['vonage'] } },
			},
			{
				name: 'switchboardSendGridApi',
				required: true,
				displayOptions: { show: { providers: ['sendgrid'] } },
			},
			{
				name: 'switchboardBrevoApi',
				required: true,
				displayOptions: { show: { providers: ['brevo'] } },
			},
			{
				name: 'switchboardWhatsAppApi',
				required: true,
				displayOptions: { show: { providers: ['whatsapp'] } },
			},
			{
				name: 'switchboardTelegramApi',
				required: true,
				displayOptions: { show: { providers: ['telegram'] } },
			},
			{
				name: 'switchboardSlackApi',
				required: true,
				displayOptions: { show: { providers: ['slack'] } },
			},
			{
				name: 'switchboardTeamsApi',
				required: true,
				testedBy: PROVIDER_CREDENTIAL_TEST,
				displayOptions: { show: { providers: ['teams'] } },
			},
			{
				name: 'switchboardGoogleChatApi',
				required: true,
				testedBy: PROVIDER_CREDENTIAL_TEST,
				displayOptions: { show: { providers: ['googlechat'] } },
			},
			{
				name: 'switchboardMessengerApi',
				required: true,
				displayOptions: { show: { providers: ['messenger'] } },
			},
			{
				name: 'switchboardInstagramApi',
				required: true,
				displayOptions: { show: { providers: ['instagram'] } },
			},
			{
				name: BUILT_IN_POSTGRES_CREDENTIAL,
				required: true,
				displayOptions: { show: { operation: ['send'], completeInQueue: [true], storeType: ['postgres'], postgresCredential: [BUILT_IN_POSTGRES_CREDENTIAL] } },
			},
			{
				name: SWITCHBOARD_POSTGRES_CREDENTIAL,
				required: true,
				testedBy: CONNECTION_TEST,
				displayOptions: { show: { operation: ['send'], completeInQueue: [true], storeType: ['postgres'], postgresCredential: [SWITCHBOARD_POSTGRES_CREDENTIAL] } },
			},
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Dry Run',
						value: 'dryRun',
						description: 'Check and render each message and show exactly what would be sent, without sending anything',
						action: 'Preview what would be sent',
					},
					{
						name: 'Send',
						value: 'send',
						description: 'Send each message through the provider of its channel, with fallbacks and retries',
						action: 'Send a message',
					},
				],
				default: 'send',
			},
			...dryRun.description,
			...sharedProperties,
			...send.description,
		],
	};

	methods = {
		credentialTest: {
			[PROVIDER_CREDENTIAL_TEST]: credentialTest,
			[CONNECTION_TEST]: postgresCredentialTest,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
