import type { PlatformAdapter } from '../types';

// Placeholder until this adapter is written: registered so the list of platforms is complete.
export const instagramAdapter: PlatformAdapter = {
	id: 'instagram',
	name: 'Instagram Direct',
	channel: 'instagram',
};
