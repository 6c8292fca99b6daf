/**
 * The one list of sending providers. Adding a provider = a new folder beside this file + one line
 * here (and, for the hosts, its credential: see docs/adding-a-provider.md).
 */
import type { AnyProvider } from './types';
import { brevoProvider } from './brevo';
import { googleChatProvider } from './googlechat';
import { instagramProvider } from './instagram';
import { messengerProvider } from './messenger';
import { sendgridProvider } from './sendgrid';
import { slackProvider } from './slack';
import { teamsProvider } from './teams';
import { telegramProvider } from './telegram';
import { twilioProvider } from './twilio';
import { vonageProvider } from './vonage';
import { whatsappProvider } from './whatsapp';

export const PROVIDERS: readonly AnyProvider[] = [
	twilioProvider,
	vonageProvider,
	sendgridProvider,
	brevoProvider,
	whatsappProvider,
	telegramProvider,
	slackProvider,
	teamsProvider,
	googleChatProvider,
	messengerProvider,
	instagramProvider,
];

const byId = new Map(PROVIDERS.map((p) => [p.id, p]));

export function findProvider(id: string): AnyProvider | undefined {
	return byId.get(id);
}

export const PROVIDER_IDS: readonly string[] = PROVIDERS.map((p) => p.id);
