import type { PlatformAdapter } from '../types';

// Placeholder until this adapter is written: registered so the list of platforms is complete.
export const messengerAdapter: PlatformAdapter = {
	id: 'messenger',
	name: 'Facebook Messenger',
	channel: 'messenger',
};
