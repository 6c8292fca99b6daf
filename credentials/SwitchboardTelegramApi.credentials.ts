/**
 * Switchboard Telegram: a Telegram bot, by its token from @BotFather. Telegram puts the token in the
 * URL (/bot<token>/<method>), so there is no header to add: the Channel Send node hands the token to
 * telegraf's client. "Test" calls getMe; the Base URL, when set, replaces api.telegram.org (a local
 * Bot API server).
 */
import type { ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { telegramProvider } from '../core/providers/telegram';
import { credentialProperties } from '../nodes/n8n/shared/credentials';

export class SwitchboardTelegramApi implements ICredentialType {
	name = 'switchboardTelegramApi';

	displayName = 'Switchboard Telegram API';

	icon: Icon = 'file:switchboard.svg';

	// An HTTP URL, as community credentials need; the camelCase rule is for credentials inside n8n's own repository.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased
	documentationUrl = 'https://core.telegram.org/bots/api';

	properties: INodeProperties[] = credentialProperties(telegramProvider.credentialFields);

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl || "https://api.telegram.org"}}',
			url: '=/bot{{$credentials.botToken}}/getMe',
			method: 'POST',
		},
	};
}
