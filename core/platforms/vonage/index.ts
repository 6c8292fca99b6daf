import type { PlatformAdapter } from '../types';

// Placeholder until this adapter is written: registered so the list of platforms is complete.
export const vonageAdapter: PlatformAdapter = {
	id: 'vonage',
	name: 'Vonage Messages API',
	channel: 'sms',
};
