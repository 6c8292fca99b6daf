/**
 * What every Schedule Queue operation shares: reading per-item parameters (ids, times, JSON),
 * turning queue rows into items, and turning failures into what n8n shows (a NodeOperationError with
 * the item index and the hint) or, with "Continue On Fail", into an item { error, code, hint }.
 *
 * Secrets: the connection's password and connection string are redacted from every message that
 * leaves the node (pg and the core do not put them in messages, but a driver's URL parse error or a
 * future message must not be able to leak them either).
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { isRecord } from '../../../../core/util/object';
import { ParameterError } from '../../shared/errors';

export { isRecord };

export { INVALID_PARAMETER, ParameterError, errorItemJson, redact, toNodeError, withPairedItem, type ErrorItemJson } from '../../shared/errors';


/** A queue row (or stats row) as item JSON: it is plain JSON already (ISO strings, nulls, records). */
export function toItemJson(value: object): IDataObject {
	return value as IDataObject;
}

// ---------------------------------------------------------------------------------------------------
// Reading parameters

/** A string parameter's value, trimmed; empty, null and undefined (an expression that found nothing) → undefined. */
export function optionalString(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return undefined;
}

export function requiredString(value: unknown, field: string, hint: string): string {
	const text = optionalString(value);
	if (text === undefined) {
		if (value !== undefined && value !== null && value !== '') {
			throw new ParameterError(`"${field}" must be text, but it is ${describeValue(value)}`, hint);
		}
		throw new ParameterError(`"${field}" is empty`, hint);
	}
	return text;
}

function describeValue(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (isRecord(value)) return 'an object';
	return `a ${typeof value}`;
}

/** The Message ID parameter, the same in every per-message operation: the id Enqueue, Claim Due and List output. */
export function messageIdProperty(action: string): INodeProperties {
	return {
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		default: '={{ $json.id }}',
		required: true,
		description: `ID of the scheduled message to ${action}. The default takes the ID of the incoming item, as Enqueue, Claim Due, Get and List output it.`,
	};
}

/** The Message ID parameter of an item: every per-message operation reads it the same way. */
export function messageIdParameter(this: IExecuteFunctions, itemIndex: number): string {
	return requiredString(
		this.getNodeParameter('messageId', itemIndex),
		'Message ID',
		'Map the id of the scheduled message, e.g. {{ $json.id }} after Claim Due, Enqueue or List.',
	);
}

/** A JSON parameter: an object from an expression, or JSON text. Empty → undefined. */
export function jsonObjectParameter(value: unknown, field: string): Record<string, unknown> | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (isRecord(value)) return value;
	if (typeof value === 'string') {
		let parsed: unknown;
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw new ParameterError(`"${field}" is not valid JSON: ${(error as Error).message}`, `Write a JSON object, e.g. {"campaign": "spring"}, or map an object with an expression.`);
		}
		if (isRecord(parsed)) return parsed;
		if (parsed === null) return undefined;
		throw new ParameterError(`"${field}" must be a JSON object, but it is ${describeValue(parsed)}`, 'Wrap the values in an object, e.g. {"key": "value"}.');
	}
	throw new ParameterError(`"${field}" must be a JSON object, but it is ${describeValue(value)}`, 'Map an object, or write one as JSON.');
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;

/** Offset of `timeZone` from UTC at instant `utcMs`, in ms (positive east of Greenwich). */
function zoneOffsetMs(utcMs: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(utcMs));
	const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
	const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
	return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * A point in time from a parameter, as ISO 8601 UTC. Accepts ISO strings with an offset, Dates,
 * Luxon DateTimes ($now, $today from expressions) and epoch milliseconds. A date-time without an
 * offset — what n8n's date picker produces — is read in the workflow's time zone, as n8n's own
 * nodes read it.
 */
export function dateTimeParameter(value: unknown, field: string, timeZone: string): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	let date: Date | undefined;
	if (value instanceof Date) date = value;
	else if (typeof value === 'number') date = new Date(value);
	else if (isRecord(value) && typeof (value as { toISO?: unknown }).toISO === 'function') {
		const iso = (value as { toISO: () => string | null }).toISO();
		if (iso) date = new Date(iso);
	} else if (typeof value === 'string') {
		const text = value.trim();
		const local = LOCAL_DATE_TIME.exec(text);
		if (local) {
			const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0'] = local;
			const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0').slice(0, 3)));
			// The zone's offset at the wall time, corrected once for a DST change in between.
			let utc = wall - zoneOffsetMs(wall, timeZone);
			utc = wall - zoneOffsetMs(utc, timeZone);
			date = new Date(utc);
		} else {
			date = new Date(text);
		}
	}
	if (!date || Number.isNaN(date.getTime())) {
		throw new ParameterError(
			`"${field}" is not a date and time: ${typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : describeValue(value)}`,
			'Use ISO 8601 (e.g. 2026-05-28T14:30:00Z), pick a date, or map one with an expression such as {{ $now.plus({ hours: 1 }) }}.',
		);
	}
	return date.toISOString();
}

export function numberParameter(value: unknown, field: string, { min, max, integer }: { min?: number; max?: number; integer?: boolean }): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number)) {
		throw new ParameterError(`"${field}" must be a number`, 'Enter a number, or map one with an expression.');
	}
	if (integer && !Number.isInteger(number)) throw new ParameterError(`"${field}" must be a whole number, not ${number}`, 'Enter a whole number.');
	if (min !== undefined && number < min) throw new ParameterError(`"${field}" must be at least ${min}, not ${number}`, `Enter ${min} or more.`);
	if (max !== undefined && number > max) throw new ParameterError(`"${field}" must be at most ${max}, not ${number}`, `Enter ${max} or less.`);
	return number;
}

