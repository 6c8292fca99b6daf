import type { PlatformAdapter } from '../types';

// Placeholder: the declarative custom-format adapter (seed 004) replaces this.
export interface CustomMapping {
	platform: string;
	[key: string]: unknown;
}

export function createCustomAdapter(mapping: CustomMapping): PlatformAdapter {
	return { id: mapping.platform, name: mapping.platform, channel: 'custom' };
}
