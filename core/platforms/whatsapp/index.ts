import type { PlatformAdapter } from '../types';

// Placeholder until this adapter is written: registered so the list of platforms is complete.
export const whatsappAdapter: PlatformAdapter = {
	id: 'whatsapp',
	name: 'WhatsApp Cloud API',
	channel: 'whatsapp',
};
