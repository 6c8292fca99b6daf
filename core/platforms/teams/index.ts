import type { PlatformAdapter } from '../types';

// Placeholder until this adapter is written: registered so the list of platforms is complete.
export const teamsAdapter: PlatformAdapter = {
	id: 'teams',
	name: 'Microsoft Teams (Bot Framework)',
	channel: 'teams',
};
