import type { PlatformAdapter } from '../types';

// Placeholder until this adapter is written: registered so the list of platforms is complete.
export const sendgridAdapter: PlatformAdapter = {
	id: 'sendgrid',
	name: 'SendGrid (email)',
	channel: 'email',
};
