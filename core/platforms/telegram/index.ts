import type { PlatformAdapter } from '../types';

// Placeholder until this adapter is written: registered so the list of platforms is complete.
export const telegramAdapter: PlatformAdapter = {
	id: 'telegram',
	name: 'Telegram Bot API',
	channel: 'telegram',
};
