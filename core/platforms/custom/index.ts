/**
 * The declarative custom-format adapter (seed 004): a provider's own JSON format, described by a
 * business analyst as a mapping (field paths → universal fields), becomes a PlatformAdapter like the
 * built-in ones — detected by shape when the mapping says how, normalized, and rendered back.
 *
 * The mapping is user input: `createCustomAdapter` validates it strictly (InvalidMappingError naming
 * the setting and the fix) and compiles its paths once. normalize() builds adapters per call, so the
 * compiled adapter is cached by the mapping's content.
 *
 * User documentation: docs/custom-mapping.md.
 */
import { InvalidMappingError } from '../../errors';
import type { PlatformAdapter } from '../types';
import { compileMapping, parseCustomMapping, type CompiledMapping, type CustomMapping } from './mapping';
import { detectCustom, normalizeCustom } from './normalize';
import { customRenderCapabilities, renderCustom } from './render';

export { customMappingSchema, parseCustomMapping, type CustomMapping } from './mapping';
export { MESSAGE_FIELDS, EVENT_FIELDS } from './fields';

function adapterFor(mapping: CompiledMapping): PlatformAdapter {
	const adapter: PlatformAdapter = {
		id: mapping.platform,
		name: mapping.name,
		channel: mapping.channel,
		normalize: (request, context) => normalizeCustom(mapping, request, context),
		renderCapabilities: customRenderCapabilities(mapping),
		render: (message, options, report) => renderCustom(mapping, message, options, report),
	};
	// Without `detect` the mapping is only used when its platform is named explicitly.
	if (mapping.detect.length > 0) return { ...adapter, detect: (request) => detectCustom(mapping, request) };
	return adapter;
}

const CACHE_LIMIT = 64;
const cache = new Map<string, PlatformAdapter>();
/** Hosts that keep one mapping object (Node-RED node config) skip even the JSON key. */
const byObject = new WeakMap<object, PlatformAdapter>();

function cacheKey(mapping: unknown): string | undefined {
	if (typeof mapping === 'string') return mapping;
	try {
		return JSON.stringify(mapping);
	} catch {
		return undefined; // cycles, BigInt: validation reports the problem
	}
}

/**
 * A PlatformAdapter for a custom mapping, given as an object or as its JSON text. Throws
 * InvalidMappingError when the mapping is wrong. Treat the mapping as read-only once passed in.
 */
export function createCustomAdapter(mapping: CustomMapping | string): PlatformAdapter {
	const isObject = typeof mapping === 'object' && mapping !== null;
	const same = isObject ? byObject.get(mapping) : undefined;
	if (same) return same;
	const adapter = createUncached(mapping);
	if (isObject) byObject.set(mapping, adapter);
	return adapter;
}

function createUncached(mapping: CustomMapping | string): PlatformAdapter {
	const key = cacheKey(mapping);
	const cached = key === undefined ? undefined : cache.get(key);
	if (cached) return cached;
	if (mapping === null || mapping === undefined) {
		throw new InvalidMappingError('(mapping)', 'is empty', 'write the mapping as a JSON object, see docs/custom-mapping.md');
	}
	const adapter = adapterFor(compileMapping(parseCustomMapping(mapping)));
	if (key !== undefined) {
		if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
		cache.set(key, adapter);
	}
	return adapter;
}
