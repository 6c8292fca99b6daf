import type { PlatformAdapter } from '../types';

// Placeholder until this adapter is written: registered so the list of platforms is complete.
export const googleChatAdapter: PlatformAdapter = {
	id: 'googlechat',
	name: 'Google Chat',
	channel: 'googlechat',
};
