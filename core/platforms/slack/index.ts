import type { PlatformAdapter } from '../types';

// Placeholder until this adapter is written: registered so the list of platforms is complete.
export const slackAdapter: PlatformAdapter = {
	id: 'slack',
	name: 'Slack (Events API and interactivity)',
	channel: 'slack',
};
