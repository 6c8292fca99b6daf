/**
 * SendOptions → SendPlan with the provider list resolved (options.providers, else the registry).
 */
import { InvalidSendOptionsError } from '../errors';
import type { AnyProvider } from '../providers/types';
import { resolvePlan, type SendPlan } from './options';
import type { SendOptions } from './types';

/** Registered providers by default; loaded on first use so the engine does not pull every SDK in at import. */
async function providersOf(options: SendOptions): Promise<readonly AnyProvider[]> {
	if (options && options.providers !== undefined) {
		if (!Array.isArray(options.providers)) throw new InvalidSendOptionsError('providers', 'must be a list of provider definitions');
		return options.providers;
	}
	const { PROVIDERS } = await import('../providers/registry');
	return PROVIDERS;
}

export async function planFor(options: SendOptions): Promise<SendPlan> {
	return resolvePlan(options, await providersOf(options));
}
