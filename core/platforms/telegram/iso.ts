/**
 * Timestamp formatting for the normalize hot path. `Date#toISOString` costs about a third of parsing
 * a small webhook body, and every message needs one; these give the same strings at roughly half the
 * cost. Outside the years 1970–9999 (or for anything unusual) they defer to core/util/time.ts.
 *
 * Shared by the Telegram, Slack, Teams and Google Chat adapters (a candidate for core/util/time.ts).
 */
import { fromDateString, fromUnixSeconds } from '../../util/time';

const TWO: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
const THREE: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

// The date half changes once a day: it is formatted by Date once and reused; the time half is
// plain arithmetic. (A cache of one entry, so the result never depends on call order.)
let cachedDay = -1;
let cachedPrefix = '';

/** Milliseconds since the epoch → `YYYY-MM-DDTHH:MM:SS.mmmZ` (undefined outside 1970–9999). */
export function isoFromMillis(ms: number): string | undefined {
	if (!(ms >= 0 && ms < 253402300800000) || !Number.isInteger(ms)) return undefined;
	const day = Math.floor(ms / 86400000);
	if (day !== cachedDay) {
		cachedPrefix = new Date(day * 86400000).toISOString().slice(0, 11);
		cachedDay = day;
	}
	let rest = ms - day * 86400000;
	const h = Math.floor(rest / 3600000);
	rest -= h * 3600000;
	const m = Math.floor(rest / 60000);
	rest -= m * 60000;
	const s = Math.floor(rest / 1000);
	return `${cachedPrefix}${TWO[h]}:${TWO[m]}:${TWO[s]}.${THREE[rest - s * 1000]}Z`;
}

/** Unix seconds (Telegram `date`) → ISO UTC. */
export function isoFromSeconds(seconds: number): string | undefined {
	if (Number.isInteger(seconds)) return isoFromMillis(seconds * 1000) ?? fromUnixSeconds(seconds);
	return fromUnixSeconds(seconds);
}

function digits(value: string, from: number, to: number): boolean {
	for (let i = from; i < to; i += 1) {
		const c = value.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return true;
}

/**
 * An ISO UTC string with any number of fraction digits (Teams sends 7, Google Chat 6) → the
 * millisecond form. Only plainly valid `…Z` strings take the fast path; the rest go through Date.
 */
export function isoFromUtcString(value: string): string | undefined {
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
		digits(value, 17, 19)
	) {
		const month = Number(value.slice(5, 7));
		const day = Number(value.slice(8, 10));
		const valid = month >= 1 && month <= 12 && day >= 1 && day <= 28 && Number(value.slice(11, 13)) < 24 && Number(value.slice(14, 16)) < 60 && Number(value.slice(17, 19)) < 60;
		if (valid && n === 20) return `${value.slice(0, 19)}.000Z`;
		if (valid && value[19] === '.' && n > 21 && digits(value, 20, n - 1)) {
			const fraction = value.slice(20, Math.min(23, n - 1));
			return `${value.slice(0, 19)}.${fraction.padEnd(3, '0')}Z`;
		}
	}
	return fromDateString(value);
}
