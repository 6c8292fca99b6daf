/**
 * Timestamps in the universal format are ISO 8601 UTC strings; platforms send many other forms.
 *
 * Every adapter formats a timestamp per message on the normalize hot path, and `Date#toISOString`
 * costs about a third of parsing a small webhook body. So the common cases are formatted here by
 * arithmetic and lookup tables, giving exactly the strings Date would (a property test holds the two
 * together); anything unusual is handed to Date.
 */

const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** 10000-01-01T00:00:00Z: from here on Date writes six-digit years (`+010000-…`). */
const FAST_LIMIT = 253402300800000;
/** The last millisecond Date can represent (ECMA-262 TimeClip). */
const DATE_LIMIT = 8.64e15;
const DAY = 86400000;

// The date half changes once a day and batches share their day: the prefix of the last day seen is
// kept (a cache of one entry, so results never depend on call order).
let lastDay = -1;
let lastPrefix = '';

/** `YYYY-MM-DDT` for days since 1970-01-01 (Howard Hinnant's civil_from_days). */
function datePrefix(days: number): string {
	if (days === lastDay) return lastPrefix;
	const z = days + 719468;
	const era = Math.floor(z / 146097);
	const doe = z - era * 146097;
	const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
	const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
	const mp = Math.floor((5 * doy + 2) / 153);
	const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
	const month = mp < 10 ? mp + 3 : mp - 9;
	const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
	lastPrefix = `${String(year).padStart(4, '0')}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T`;
	lastDay = days;
	return lastPrefix;
}

/**
 * Milliseconds since the epoch → ISO 8601 UTC, the string `new Date(ms).toISOString()` gives.
 * Fractions are rounded to the millisecond. Undefined for what is not a time at or after 1970
 * (negative, NaN, beyond what Date can hold).
 */
export function isoFromMillis(ms: number): string | undefined {
	if (!(ms >= 0)) return undefined;
	const t = Math.round(ms);
	if (t >= FAST_LIMIT) return t <= DATE_LIMIT ? new Date(t).toISOString() : undefined;
	const days = Math.floor(t / DAY);
	let rest = t - days * DAY;
	const hours = Math.floor(rest / 3600000);
	rest -= hours * 3600000;
	const minutes = Math.floor(rest / 60000);
	rest -= minutes * 60000;
	const seconds = Math.floor(rest / 1000);
	return `${datePrefix(days)}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}Z`;
}

/** Unix seconds (number or digit string, fractions allowed: Slack "1779981700.000900") → ISO UTC, rounded to the millisecond. */
export function fromUnixSeconds(value: number | string): string | undefined {
	// Number('') is 0: an empty field is no time, not 1970.
	const seconds = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
	if (!Number.isFinite(seconds) || seconds < 0) return undefined;
	return isoFromMillis(Math.round(seconds * 1000));
}

/** Unix milliseconds (number or digit string) → ISO UTC; fractions are cut off, as Date does. */
export function fromUnixMillis(value: number | string): string | undefined {
	const ms = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
	if (!Number.isFinite(ms) || ms < 0) return undefined;
	return isoFromMillis(Math.trunc(ms));
}

function digits(value: string, from: number, to: number): boolean {
	for (let i = from; i < to; i += 1) {
		const c = value.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return true;
}

function twoDigits(value: string, at: number): number {
	return (value.charCodeAt(at) - 48) * 10 + value.charCodeAt(at + 1) - 48;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
	if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
	return MONTH_DAYS[month - 1]!;
}

/**
 * Any date string Date can read (ISO with offset, RFC 2822) → ISO UTC; undefined when it is not a date.
 *
 * The form most platforms send, `YYYY-MM-DDTHH:MM:SS[.fraction]Z` with any number of fraction digits
 * (Teams sends 7, Google Chat 6), is read without Date and cut to milliseconds as Date does. In that
 * form the calendar date must exist: Date would roll `2026-02-30` over to March and reject month 13;
 * both are refused here. A time Date reads differently (`24:00:00`, the end of the day) goes to Date.
 */
export function fromDateString(value: string): string | undefined {
	const n = value.length;
	if (
		n >= 20 &&
		value.charCodeAt(n - 1) === 90 /* Z */ &&
		value[4] === '-' &&
		value[7] === '-' &&
		value[10] === 'T' &&
		value[13] === ':' &&
		value[16] === ':' &&
		digits(value, 0, 4) &&
		digits(value, 5, 7) &&
		digits(value, 8, 10) &&
		digits(value, 11, 13) &&
		digits(value, 14, 16) &&
		digits(value, 17, 19) &&
		(n === 20 || (value[19] === '.' && n > 21 && digits(value, 20, n - 1)))
	) {
		const month = twoDigits(value, 5);
		const day = twoDigits(value, 8);
		if (month < 1 || month > 12 || day < 1 || day > daysInMonth(Number(value.slice(0, 4)), month)) return undefined;
		if (twoDigits(value, 11) < 24 && twoDigits(value, 14) < 60 && twoDigits(value, 17) < 60) {
			if (n === 20) return `${value.slice(0, 19)}.000Z`;
			return `${value.slice(0, 19)}.${value.slice(20, Math.min(23, n - 1)).padEnd(3, '0')}Z`;
		}
	}
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
