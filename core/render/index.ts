/**
 * render(message, platform): a universal message → the request bodies that platform's send API
 * expects, plus an explicit list of what had to be degraded or dropped on the way.
 */
import { InvalidMessageError, RenderError, SwitchboardError, UnknownPlatformError } from '../errors';
import { createCustomAdapter, type CustomMapping } from '../platforms/custom';
import { PLATFORMS, findPlatform } from '../platforms/registry';
import type { Degradation, PlatformAdapter, RenderOptions, RenderOutput } from '../platforms/types';
import { messageSchema, type Message } from '../schema/message';
import { formatPath } from '../platforms/shared/vendor';
import { degradeParts } from './degrade';

export const RENDER_PLATFORM_IDS: readonly string[] = PLATFORMS.filter((p) => p.render).map((p) => p.id);

/** Validates a universal message (applying defaults); throws InvalidMessageError naming each bad field. */
export function parseMessage(value: unknown): Message {
	const result = messageSchema.safeParse(value);
	if (result.success) return result.data;
	throw new InvalidMessageError(result.error.issues.map((i) => ({ path: formatPath('', i.path), message: i.message })));
}

export interface RenderCallOptions extends RenderOptions {
	/** A custom mapping to render into, instead of a built-in platform. */
	customMapping?: CustomMapping;
}

function resolve(platform: string, options: RenderCallOptions): PlatformAdapter {
	if (options.customMapping && options.customMapping.platform === platform) return createCustomAdapter(options.customMapping);
	const adapter = findPlatform(platform);
	if (!adapter || !adapter.render) throw new UnknownPlatformError(platform, RENDER_PLATFORM_IDS);
	return adapter;
}

export function render(message: unknown, platform: string, options: RenderCallOptions = {}): RenderOutput {
	const adapter = resolve(platform, options);
	const valid = parseMessage(message);
	const degraded = adapter.renderCapabilities
		? degradeParts(valid.parts, adapter.renderCapabilities)
		: { parts: valid.parts, origin: valid.parts.map((_, i) => i), degradations: [] };
	if (degraded.parts.length === 0) {
		throw new RenderError(
			adapter.id,
			`nothing in this message can be sent (${degraded.degradations.map((d) => `${d.from} → ${d.to}: ${d.reason}`).join('; ')})`,
			'Add a text part, or choose a platform that supports this content.',
		);
	}
	const degradations: Degradation[] = [...degraded.degradations];
	const report = (d: Omit<Degradation, 'partIndex'> & { partIndex?: number }) =>
		degradations.push({ ...d, partIndex: d.partIndex === undefined ? -1 : (degraded.origin[d.partIndex] ?? -1) });
	try {
		const payloads = adapter.render!({ ...valid, parts: degraded.parts }, options, report);
		return { platform: adapter.id, payloads, degradations };
	} catch (error) {
		if (error instanceof SwitchboardError) throw error;
		throw new RenderError(adapter.id, (error as Error)?.message ?? String(error));
	}
}
