/**
 * normalize(request): what a platform POSTed (or GETs, for handshakes) → universal messages and
 * delivery events, in the order the platform sent them.
 *
 * Detection never guesses: exactly one adapter must claim the request, otherwise the caller gets an
 * UnrecognizedRequestError (listing every platform tried and why it did not match) or an
 * AmbiguousRequestError. Adapter bugs are wrapped so callers only ever see SwitchboardErrors.
 */
import { AmbiguousRequestError, InvalidMappingError, PayloadMismatchError, SwitchboardError, UnknownPlatformError, UnrecognizedRequestError } from './errors';
import { createCustomAdapter, type CustomMapping } from './platforms/custom';
import { PLATFORMS, PLATFORM_IDS, findPlatform } from './platforms/registry';
import type { Handshake, NormalizeOutput, PlatformAdapter } from './platforms/types';
import { parseRequest, type InboundRequest, type ParsedRequest } from './request';
import type { DeliveryEvent, Message } from './schema/message';

export interface NormalizeOptions {
	/** Force a platform instead of auto-detecting (same as request.platform). */
	platform?: string;
	/** Attach each platform payload as `raw` (default true). */
	keepRaw?: boolean;
	/** Clock for messages that carry no timestamp (injected for tests). */
	now?: () => Date;
	/** User-defined formats (seed 004), tried by name and, when they declare `detect`, by shape. */
	customMappings?: readonly CustomMapping[];
}

export interface NormalizeResult {
	/** The platform whose adapter read the request. */
	platform: string;
	messages: Message[];
	events: DeliveryEvent[];
	handshake?: Handshake;
}

const BUILT_IN = PLATFORMS.filter((p) => p.normalize);

function adaptersFor(options: NormalizeOptions): readonly PlatformAdapter[] {
	if (!options.customMappings || options.customMappings.length === 0) return BUILT_IN;
	const custom = options.customMappings.map((mapping) => createCustomAdapter(mapping));
	const seen = new Set<string>();
	for (const adapter of custom) {
		if (seen.has(adapter.id)) {
			throw new InvalidMappingError('platform', `two custom mappings are both named "${adapter.id}"`, 'Give each custom mapping its own platform name.');
		}
		seen.add(adapter.id);
	}
	return [...BUILT_IN, ...custom];
}

function pick(request: ParsedRequest, explicit: string | undefined, adapters: readonly PlatformAdapter[]): PlatformAdapter {
	if (explicit) {
		const found = adapters.find((a) => a.id === explicit) ?? findPlatform(explicit);
		if (!found || !found.normalize) throw new UnknownPlatformError(explicit, adapters.map((a) => a.id));
		return found;
	}
	const tried: Array<{ platform: string; reason: string }> = [];
	const matches: PlatformAdapter[] = [];
	for (const adapter of adapters) {
		if (!adapter.detect) {
			tried.push({ platform: adapter.id, reason: 'only used when named explicitly' });
			continue;
		}
		const detection = adapter.detect(request);
		if (detection.match) matches.push(adapter);
		else tried.push({ platform: adapter.id, reason: detection.reason });
	}
	if (matches.length === 1) return matches[0]!;
	if (matches.length > 1) throw new AmbiguousRequestError(matches.map((m) => m.id));
	throw new UnrecognizedRequestError(tried);
}

export function normalize(request: InboundRequest, options: NormalizeOptions = {}): NormalizeResult {
	const parsed = parseRequest(request);
	const adapters = adaptersFor(options);
	const adapter = pick(parsed, options.platform ?? request.platform, adapters);
	let output: NormalizeOutput;
	try {
		output = adapter.normalize!(parsed, { keepRaw: options.keepRaw ?? true, now: options.now ?? (() => new Date()) });
	} catch (error) {
		if (error instanceof SwitchboardError) throw error;
		// An adapter bug on an odd payload: still a typed error for the caller, with the cause kept.
		const wrapped = new PayloadMismatchError(adapter.id, '(unknown)', `a readable payload (${(error as Error)?.message ?? String(error)})`);
		(wrapped as { cause?: unknown }).cause = error;
		throw wrapped;
	}
	return { platform: adapter.id, ...output };
}

export { PLATFORM_IDS };
