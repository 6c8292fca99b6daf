/**
 * The providers Channel Send can use, each with its n8n credential type, and what the node does with
 * them: read the chosen credentials into ProviderAccounts for the core's send engine, and test the
 * credentials that cannot be tested with one declarative request (Teams, Google Chat).
 *
 * The provider list, names and channels come from the core's registry (core/providers/registry.ts):
 * adding a provider there + one line here + its credential file is all the n8n side needs.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IExecuteFunctions,
	INodeCredentialDescription,
	INodeCredentialTestResult,
	INodePropertyOptions,
} from 'n8n-workflow';
import { findProvider } from '../../../../core/providers/registry';
import { undiciHttpClient } from '../../../../core/providers/shared/http';
import type { AnyProvider } from '../../../../core/providers/types';
import { credentialConfig, credentialSecrets } from '../../shared/credentials';
import { errorItemJson, redact } from '../../shared/errors';

/** Provider id → n8n credential type name, in the order the node lists them. */
export const PROVIDER_CREDENTIALS: ReadonlyArray<{ id: string; credential: string }> = [
	{ id: 'twilio', credential: 'switchboardTwilioApi' },
	{ id: 'vonage', credential: 'switchboardVonageApi' },
	{ id: 'sendgrid', credential: 'switchboardSendGridApi' },
	{ id: 'brevo', credential: 'switchboardBrevoApi' },
	{ id: 'whatsapp', credential: 'switchboardWhatsAppApi' },
	{ id: 'telegram', credential: 'switchboardTelegramApi' },
	{ id: 'slack', credential: 'switchboardSlackApi' },
	{ id: 'teams', credential: 'switchboardTeamsApi' },
	{ id: 'googlechat', credential: 'switchboardGoogleChatApi' },
	{ id: 'messenger', credential: 'switchboardMessengerApi' },
	{ id: 'instagram', credential: 'switchboardInstagramApi' },
];

/** Name of the node's credential test for credentials without a declarative `test` (see credentialTest). */
export const PROVIDER_CREDENTIAL_TEST = 'switchboardProviderCredentialTest';

/** Credentials whose `test` cannot be one HTTP request: a token exchange first (Graph, service account), or a URL that only accepts posts. */
const TESTED_BY_NODE = new Set(['switchboardTeamsApi', 'switchboardGoogleChatApi']);

export function providerDefinition(id: string): AnyProvider {
	const provider = findProvider(id);
	if (!provider) throw new Error(`Unknown provider "${id}"`);
	return provider;
}

export function credentialTypeOf(providerId: string): string {
	const entry = PROVIDER_CREDENTIALS.find((p) => p.id === providerId);
	if (!entry) throw new Error(`Unknown provider "${providerId}"`);
	return entry.credential;
}

/** The "Providers" choices: "Twilio" — "Sends SMS, MMS, WhatsApp". */
export function providerOptions(): INodePropertyOptions[] {
	return PROVIDER_CREDENTIALS.map(({ id }) => {
		const provider = providerDefinition(id);
		return { name: provider.name, value: id, description: `Sends ${provider.channels.join(', ')}` };
	}).sort((a, b) => a.name.localeCompare(b.name));
}

/** One credential slot per provider, shown when the provider is chosen under "Providers". */
export function providerCredentialDescriptions(): INodeCredentialDescription[] {
	return PROVIDER_CREDENTIALS.map(({ id, credential }) => ({
		name: credential,
		required: true,
		...(TESTED_BY_NODE.has(credential) ? { testedBy: PROVIDER_CREDENTIAL_TEST } : {}),
		displayOptions: { show: { providers: [id] } },
	}));
}

export interface LoadedAccount {
	provider: AnyProvider;
	config: Record<string, unknown>;
	/** The credential's Base URL, when set (regional endpoint, test server). */
	baseUrl?: string;
	secrets: string[];
}

/** The credential of every chosen provider, read once per execution. */
export async function loadAccounts(this: IExecuteFunctions, providerIds: readonly string[]): Promise<Map<string, LoadedAccount>> {
	const accounts = new Map<string, LoadedAccount>();
	for (const id of providerIds) {
		const provider = providerDefinition(id);
		const data = await this.getCredentials(credentialTypeOf(id));
		accounts.set(id, accountOf(provider, data));
	}
	return accounts;
}

function accountOf(provider: AnyProvider, data: ICredentialDataDecryptedObject): LoadedAccount {
	const config = credentialConfig(data);
	const baseUrl = typeof config.baseUrl === 'string' ? config.baseUrl.trim() : undefined;
	return { provider, config, ...(baseUrl ? { baseUrl } : {}), secrets: credentialSecrets(provider.credentialFields, data) };
}

/** The provider whose credential type this is. */
function providerOfCredential(type: string): AnyProvider | undefined {
	const entry = PROVIDER_CREDENTIALS.find((p) => p.credential === type);
	return entry ? findProvider(entry.id) : undefined;
}

/**
 * `methods.credentialTest` of the node: the core's verifyCredentials (Teams: a Graph token request, or
 * the Workflows URL's shape; Google Chat: the service-account token exchange, or the webhook URL's
 * shape). Never throws; never puts a secret in the message.
 */
export async function testProviderCredential(credential: ICredentialsDecrypted, timeoutMs = 15_000): Promise<INodeCredentialTestResult> {
	const provider = providerOfCredential(credential.type);
	if (!provider) return { status: 'Error', message: `Not a Switchboard provider credential: ${credential.type}` };
	const account = accountOf(provider, credential.data ?? {});
	try {
		const config = provider.parseConfig(account.config);
		const { account: who } = await provider.verifyCredentials(config, {
			http: undiciHttpClient,
			now: () => new Date(),
			timeoutMs,
			...(account.baseUrl ? { baseUrl: account.baseUrl } : {}),
		});
		return { status: 'OK', message: who ? `Connected to ${provider.name} as ${redact(who, account.secrets)}` : `${provider.name} accepted the credentials` };
	} catch (error) {
		const { error: message, hint } = errorItemJson(error, account.secrets);
		return { status: 'Error', message: hint ? `${message}. ${hint}` : message };
	}
}

export async function credentialTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return await testProviderCredential(credential);
}
