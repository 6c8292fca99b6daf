/** Timestamps in the universal format are ISO 8601 UTC strings; platforms send many other forms. */

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** Unix seconds (number or digit string, fractions allowed: Slack "1779981700.000900") → ISO UTC. */
export function fromUnixSeconds(value: number | string): string | undefined {
	const seconds = typeof value === 'number' ? value : Number(value);
	if (!Number.isFinite(seconds) || seconds < 0) return undefined;
	const date = new Date(Math.round(seconds * 1000));
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function fromUnixMillis(value: number | string): string | undefined {
	const ms = typeof value === 'number' ? value : Number(value);
	if (!Number.isFinite(ms) || ms < 0) return undefined;
	const date = new Date(ms);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Any date string Date can read (ISO with offset, RFC 2822) → ISO UTC. */
export function fromDateString(value: string): string | undefined {
	if (ISO_UTC.test(value)) return value.length === 20 ? value.replace('Z', '.000Z') : new Date(value).toISOString();
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * Best effort for user-mapped fields: numbers below 10^11 are seconds, above are milliseconds;
 * digit strings likewise; anything else is parsed as a date string.
 */
export function toIsoTimestamp(value: unknown): string | undefined {
	if (typeof value === 'number') return value < 1e11 ? fromUnixSeconds(value) : fromUnixMillis(value);
	if (typeof value === 'string') {
		if (/^\d+(\.\d+)?$/.test(value)) return toIsoTimestamp(Number(value));
		return fromDateString(value);
	}
	if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
	return undefined;
}
