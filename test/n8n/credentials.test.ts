/**
 * The provider credentials (credentials/Switchboard<Provider>Api.credentials.ts) in n8n's real engine:
 *
 *  - every credential's fields are the core's credentialFields (passwords masked, Base URL last) and
 *    the Channel Send node offers each one when its provider is chosen;
 *  - every declarative `test` request runs the way n8n's credential dialog runs it: a temporary
 *    declarative node whose only property routes the test request (n8n's CredentialsTester does the
 *    same), executed by n8n-core's WorkflowExecute/RoutingNode with the credential's `authenticate`,
 *    against the provider's fake server — good credentials pass, a wrong secret fails;
 *  - Teams and Google Chat, which have no declarative test, are tested by the node (testedBy) through
 *    the core's verifyCredentials.
 *
 * The credentials and the node are loaded from the sources (tsx) and given to the harness as extra
 * types: package.json lists the built ones only once the lead adds them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ICredentialDataDecryptedObject, ICredentialTestRequest, ICredentialType, IDataObject, INodeProperties, INodeType } from 'n8n-workflow';
import { SwitchboardBrevoApi } from '../../credentials/SwitchboardBrevoApi.credentials';
import { SwitchboardGoogleChatApi } from '../../credentials/SwitchboardGoogleChatApi.credentials';
import { SwitchboardInstagramApi } from '../../credentials/SwitchboardInstagramApi.credentials';
import { SwitchboardMessengerApi } from '../../credentials/SwitchboardMessengerApi.credentials';
import { SwitchboardSendGridApi } from '../../credentials/SwitchboardSendGridApi.credentials';
import { SwitchboardSlackApi } from '../../credentials/SwitchboardSlackApi.credentials';
import { SwitchboardTeamsApi } from '../../credentials/SwitchboardTeamsApi.credentials';
import { SwitchboardTelegramApi } from '../../credentials/SwitchboardTelegramApi.credentials';
import { SwitchboardTwilioApi } from '../../credentials/SwitchboardTwilioApi.credentials';
import { SwitchboardVonageApi } from '../../credentials/SwitchboardVonageApi.credentials';
import { SwitchboardWhatsAppApi } from '../../credentials/SwitchboardWhatsAppApi.credentials';
import { findProvider } from '../../core/providers/registry';
import { PROVIDER_CREDENTIALS, PROVIDER_CREDENTIAL_TEST, providerCredentialDescriptions } from '../../nodes/n8n/ChannelSend/actions/providers';
import { runNode } from '../support/n8n-harness';
import { BREVO_TEST_KEY, BrevoFake } from '../support/fakes/brevo';
import { MetaFake } from '../support/fakes/meta';
import { SENDGRID_TEST_KEY, SendgridFake } from '../support/fakes/sendgrid';
import { SLACK_BOT_TOKEN, SlackFake } from '../support/fakes/slack';
import { TeamsFake, WORKFLOW_PATH } from '../support/fakes/teams';
import { TELEGRAM_BOT_TOKEN, TelegramFake } from '../support/fakes/telegram';
import { TWILIO_TEST_SID, TWILIO_TEST_TOKEN, TwilioFake } from '../support/fakes/twilio';
import { VONAGE_TEST_KEY, VONAGE_TEST_SECRET, VonageFake } from '../support/fakes/vonage';

// `…/ChannelSend.node` would resolve to ChannelSend.node.json (the codex file) at run time: name the source.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ChannelSend } = require('../../nodes/n8n/ChannelSend/ChannelSend.node.ts') as typeof import('../../nodes/n8n/ChannelSend/ChannelSend.node');

const CREDENTIALS: ICredentialType[] = [
	new SwitchboardTwilioApi(),
	new SwitchboardVonageApi(),
	new SwitchboardSendGridApi(),
	new SwitchboardBrevoApi(),
	new SwitchboardWhatsAppApi(),
	new SwitchboardTelegramApi(),
	new SwitchboardSlackApi(),
	new SwitchboardTeamsApi(),
	new SwitchboardGoogleChatApi(),
	new SwitchboardMessengerApi(),
	new SwitchboardInstagramApi(),
];
const byName = new Map(CREDENTIALS.map((c) => [c.name, c]));

const META = {
	whatsapp: { accessToken: 'EAAWhatsAppTestToken0123456789', phoneNumberId: '106540352242922' },
	messenger: { pageAccessToken: 'EAAPageTestToken0123456789abcdef', pageId: '104251231234567' },
	instagram: { accessToken: 'IGQVJInstagramTestToken0123456789', igUserId: '17841400000000001' },
};
const TEAMS = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '0f3b5c6d-1a2b-4c3d-8e9f-0a1b2c3d4e5f', clientSecret: 'teams~client~secret~0123456789', workflowSig: 'sigValue0123456789abcdef' };

const twilio = new TwilioFake();
const vonage = new VonageFake();
const sendgrid = new SendgridFake();
const brevo = new BrevoFake();
const meta = new MetaFake(META);
const telegram = new TelegramFake();
const slack = new SlackFake();
const teams = new TeamsFake(TEAMS);
const fakes = [twilio, vonage, sendgrid, brevo, meta, telegram, slack, teams];
before(async () => {
	await Promise.all(fakes.map((f) => f.start()));
});
after(async () => {
	await Promise.all(fakes.map((f) => f.stop()));
});

/** Good credential values per type, each pointing at its fake; `wrong` names the secret to spoil. */
const CASE_TYPES = ['switchboardTwilioApi', 'switchboardVonageApi', 'switchboardSendGridApi', 'switchboardBrevoApi', 'switchboardWhatsAppApi', 'switchboardTelegramApi', 'switchboardSlackApi', 'switchboardMessengerApi', 'switchboardInstagramApi'];

/** Called inside tests: the fakes' URLs exist once they started. */
function credentialCases(): Array<{ type: string; good: ICredentialDataDecryptedObject; wrong: string; path: RegExp }> {
	return [
		{ type: 'switchboardTwilioApi', good: { accountSid: TWILIO_TEST_SID, authToken: TWILIO_TEST_TOKEN, from: '+15005550006', baseUrl: twilio.url }, wrong: 'authToken', path: /^\/2010-04-01\/Accounts\/AC[0-9a-f]+\.json$/ },
		{ type: 'switchboardVonageApi', good: { apiKey: VONAGE_TEST_KEY, apiSecret: VONAGE_TEST_SECRET, from: '447700900000', baseUrl: vonage.url }, wrong: 'apiSecret', path: /^\/account\/get-balance$/ },
		{ type: 'switchboardSendGridApi', good: { apiKey: SENDGRID_TEST_KEY, fromEmail: 'noreply@example.com', baseUrl: sendgrid.url }, wrong: 'apiKey', path: /^\/v3\/scopes$/ },
		{ type: 'switchboardBrevoApi', good: { apiKey: BREVO_TEST_KEY, fromEmail: 'noreply@example.com', baseUrl: brevo.url }, wrong: 'apiKey', path: /^\/v3\/account$/ },
		{ type: 'switchboardWhatsAppApi', good: { ...META.whatsapp, apiVersion: 'v21.0', baseUrl: meta.url }, wrong: 'accessToken', path: /^\/v21\.0\/106540352242922$/ },
		{ type: 'switchboardTelegramApi', good: { botToken: TELEGRAM_BOT_TOKEN, baseUrl: telegram.url }, wrong: 'botToken', path: /^\/bot[^/]+\/getMe$/ },
		{ type: 'switchboardSlackApi', good: { botToken: SLACK_BOT_TOKEN, baseUrl: `${slack.url}/api` }, wrong: 'botToken', path: /^\/api\/auth\.test$/ },
		{ type: 'switchboardMessengerApi', good: { ...META.messenger, apiVersion: 'v21.0', baseUrl: meta.url }, wrong: 'pageAccessToken', path: /^\/v21\.0\/me$/ },
		{ type: 'switchboardInstagramApi', good: { ...META.instagram, apiVersion: 'v21.0', baseUrl: meta.url }, wrong: 'accessToken', path: /^\/v21\.0\/me$/ },
	];
}

function spoil(value: unknown): string {
	const text = String(value);
	// Keep the shape (Telegram's <id>:<secret>) so the fake answers 401, not 404.
	return text.includes(':') ? `${text.split(':')[0]}:WrongSecret0000000000000000000000000` : `${text.slice(0, 4)}wrong0000000000000000`;
}

/**
 * What n8n's credential dialog does for a declarative test (packages/cli CredentialsTester): a node
 * type whose one property routes `test.request`, run with the credential attached; then the test's
 * `rules` against the response body. Returns { status, message } like INodeCredentialTestResult.
 */
async function runCredentialTest(type: ICredentialType, data: ICredentialDataDecryptedObject): Promise<{ status: 'OK' | 'Error'; message: string; body?: IDataObject }> {
	const test = type.test as ICredentialTestRequest;
	const tester: INodeType = {
		description: {
			displayName: 'Credential Tester',
			name: 'credentialTester',
			group: ['transform'],
			version: 1,
			description: 'Runs a credential test request',
			defaults: { name: 'Credential Tester' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: type.name, required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: test.request }, default: '' }],
		},
	};
	const result = await runNode({
		nodeType: 'switchboardTest.credentialTester',
		parameters: {},
		input: [{ json: {} }],
		credentials: { [type.name]: data },
		extraNodeTypes: { 'switchboardTest.credentialTester': tester },
		extraCredentialTypes: CREDENTIALS,
	});
	if (result.error) return { status: 'Error', message: result.error.message };
	const body = result.items[0]?.json ?? {};
	for (const rule of test.rules ?? []) {
		if (rule.type === 'responseSuccessBody' && body[rule.properties.key] === rule.properties.value) return { status: 'Error', message: rule.properties.message, body };
	}
	return { status: 'OK', message: 'Connection successful!', body };
}

describe('Provider credentials: fields from the core', () => {
	test('one credential type per provider, with the core credentialFields (passwords masked, Base URL last)', () => {
		assert.equal(CREDENTIALS.length, PROVIDER_CREDENTIALS.length);
		for (const { id, credential } of PROVIDER_CREDENTIALS) {
			const type = byName.get(credential);
			assert.ok(type, `credential ${credential}`);
			const provider = findProvider(id)!;
			assert.match(type.displayName, / API$/);
			assert.deepEqual(
				type.properties.map((p) => p.name),
				provider.credentialFields.map((f) => f.name),
				`${credential} shows the fields of ${id}`,
			);
			assert.equal(type.properties.at(-1)?.name, 'baseUrl');
			for (const field of provider.credentialFields) {
				const property: INodeProperties = type.properties.find((p) => p.name === field.name)!;
				assert.equal(property.typeOptions?.password === true, field.type === 'password', `${credential}.${field.name} masked iff a secret`);
				assert.equal(property.required === true, field.required, `${credential}.${field.name} required`);
				if (field.webhookOnly) assert.match(property.description ?? '', /Delivery Webhook/);
			}
			// Declarative test where one request can prove the credential; else the node's test.
			const testedByNode = credential === 'switchboardTeamsApi' || credential === 'switchboardGoogleChatApi';
			assert.equal(type.test === undefined, testedByNode, `${credential}: test request or testedBy`);
		}
	});

	test('Channel Send offers each credential when its provider is chosen; Teams and Google Chat are tested by the node', () => {
		const node = new ChannelSend();
		const declared = (node.description.credentials ?? []).filter((c) => byName.has(c.name));
		assert.deepEqual(declared, providerCredentialDescriptions());
		assert.equal(typeof node.methods.credentialTest[PROVIDER_CREDENTIAL_TEST], 'function');
	});

	test('mode-dependent fields are shown only in their mode (Teams, Google Chat)', () => {
		const teamsType = byName.get('switchboardTeamsApi')!;
		assert.deepEqual(teamsType.properties.find((p) => p.name === 'clientSecret')?.displayOptions, { show: { mode: ['graph'] } });
		assert.deepEqual(teamsType.properties.find((p) => p.name === 'workflowUrl')?.displayOptions, { show: { mode: ['workflows'] } });
		const chatType = byName.get('switchboardGoogleChatApi')!;
		assert.deepEqual(chatType.properties.find((p) => p.name === 'webhookUrl')?.displayOptions, { show: { mode: ['webhook'] } });
	});
});

describe('Provider credentials: the "Test" request through n8n, against the fakes', () => {
	for (const name of CASE_TYPES) {
		test(`${name}: good credentials pass, a wrong secret fails`, async () => {
			const { good, wrong, path } = credentialCases().find((c) => c.type === name)!;
			const type = byName.get(name)!;
			const fake = fakes.find((f) => good.baseUrl && String(good.baseUrl).startsWith(f.url))!;
			fake.reset();
			const ok = await runCredentialTest(type, good);
			assert.equal(ok.status, 'OK', `${name}: ${ok.message}`);
			assert.equal(fake.requests.length, 1, 'one request');
			assert.match(fake.requests[0]!.path, path);

			fake.reset();
			const bad = await runCredentialTest(type, { ...good, [wrong]: spoil(good[wrong]) });
			assert.equal(bad.status, 'Error', `${name} with a wrong ${wrong} must fail`);
			// n8n's authenticated request tries once more after a 401 (to refresh pre-authentication): same request.
			assert.ok(fake.requests.length >= 1 && fake.requests.every((r) => path.test(r.path)));
			assert.ok(!bad.message.includes(String(good[wrong])), 'the good secret is not in the message');
		});
	}

	test('without a Base URL the test goes to the public API host', async () => {
		// Resolved by n8n's expression engine inside RoutingNode: check the expression shape instead of calling the internet.
		for (const type of CREDENTIALS) {
			const request = (type.test as ICredentialTestRequest | undefined)?.request;
			if (!request) continue;
			assert.match(String(request.baseURL), /\$credentials\.baseUrl/, `${type.name} honours baseUrl`);
			assert.match(String(request.baseURL), /"https:\/\/[a-z.]+(\/api)?"/, `${type.name} falls back to the public host`);
		}
	});
});

describe('Provider credentials: tested by the Channel Send node (no single request can prove them)', () => {
	const credentialTest = new ChannelSend().methods.credentialTest[PROVIDER_CREDENTIAL_TEST]!;
	const call = (type: string, data: ICredentialDataDecryptedObject) => credentialTest.call({} as never, { id: 'c1', name: 'test', type, data });

	test('Teams (Graph): the token request decides', async () => {
		teams.reset();
		const good = await call('switchboardTeamsApi', { mode: 'graph', tenantId: TEAMS.tenantId, clientId: TEAMS.clientId, clientSecret: TEAMS.clientSecret, baseUrl: teams.url });
		assert.equal(good.status, 'OK', good.message);
		assert.ok(teams.requests.length >= 1, 'a token was requested from the fake');
		const bad = await call('switchboardTeamsApi', { mode: 'graph', tenantId: TEAMS.tenantId, clientId: TEAMS.clientId, clientSecret: 'wrong~secret~000000000', baseUrl: teams.url });
		assert.equal(bad.status, 'Error');
		assert.ok(!bad.message.includes('wrong~secret~000000000'));
	});

	test('Teams (Workflows) and Google Chat (webhook): the URL is checked, nothing is posted', async () => {
		teams.reset();
		const workflow = await call('switchboardTeamsApi', { mode: 'workflows', workflowUrl: `${teams.url}${WORKFLOW_PATH}?api-version=1&sig=${TEAMS.workflowSig}` });
		assert.equal(workflow.status, 'OK', workflow.message);
		assert.equal(teams.requests.length, 0, 'nothing posted to the chat');
		const notUrl = await call('switchboardTeamsApi', { mode: 'workflows', workflowUrl: 'not a url' });
		assert.equal(notUrl.status, 'Error');

		const chat = await call('switchboardGoogleChatApi', { mode: 'webhook', webhookUrl: 'https://chat.googleapis.com/v1/spaces/AAAA1234/messages?key=KEY123&token=TOKEN456' });
		assert.equal(chat.status, 'OK', chat.message);
		const badChat = await call('switchboardGoogleChatApi', { mode: 'webhook', webhookUrl: 'ftp://example.com/x?token=TOKEN456' });
		assert.equal(badChat.status, 'Error');
		assert.ok(!badChat.message.includes('TOKEN456'), 'the webhook token is not echoed');
	});
});
