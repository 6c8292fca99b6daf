/**
 * The one list of platforms. Adding a platform = a new folder beside this file + one line here.
 * Order matters only for error messages (what was tried is listed in this order); detection never
 * depends on it because an ambiguous match is refused.
 */
import type { PlatformAdapter } from './types';
import { brevoAdapter } from './brevo';
import { googleChatAdapter } from './googlechat';
import { instagramAdapter } from './instagram';
import { messengerAdapter } from './messenger';
import { sendgridAdapter } from './sendgrid';
import { slackAdapter } from './slack';
import { teamsAdapter } from './teams';
import { telegramAdapter } from './telegram';
import { twilioAdapter } from './twilio';
import { vonageAdapter } from './vonage';
import { whatsappAdapter } from './whatsapp';

export const PLATFORMS: readonly PlatformAdapter[] = [
	whatsappAdapter,
	twilioAdapter,
	telegramAdapter,
	slackAdapter,
	teamsAdapter,
	googleChatAdapter,
	messengerAdapter,
	instagramAdapter,
	vonageAdapter,
	sendgridAdapter,
	brevoAdapter,
];

const byId = new Map(PLATFORMS.map((p) => [p.id, p]));

export function findPlatform(id: string): PlatformAdapter | undefined {
	return byId.get(id);
}

export const PLATFORM_IDS: readonly string[] = PLATFORMS.map((p) => p.id);
