import type { PlatformAdapter } from '../types';

// Placeholder until this adapter is written: registered so the list of platforms is complete.
export const twilioAdapter: PlatformAdapter = {
	id: 'twilio',
	name: 'Twilio (SMS, MMS, WhatsApp)',
	channel: 'sms',
};
