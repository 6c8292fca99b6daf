import type { PlatformAdapter } from '../types';

// Placeholder until this adapter is written: registered so the list of platforms is complete.
export const brevoAdapter: PlatformAdapter = {
	id: 'brevo',
	name: 'Brevo (email)',
	channel: 'email',
};
