/**
 * core/util/time.ts: the one timestamp formatter every adapter uses on the normalize hot path, and
 * the readers built on it. Date#toISOString is the reference throughout.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromDateString, fromUnixMillis, fromUnixSeconds, isoFromMillis, toIsoTimestamp } from '../../core/util/time';

/** The largest time Date can hold (ECMA-262 TimeClip). */
const DATE_LIMIT = 8.64e15;

describe('isoFromMillis', () => {
	it('writes exactly what Date#toISOString writes, for every time from 1970 to the end of Date', () => {
		fc.assert(
			fc.property(
				fc.oneof(
					fc.integer({ min: 0, max: 253402300799999 }),
					fc.integer({ min: 0, max: 4102444800000 }),
					fc.integer({ min: 253402300800000, max: DATE_LIMIT }),
					fc.double({ min: 0, max: 4102444800000, noNaN: true }),
				),
				(ms) => {
					assert.equal(isoFromMillis(ms), new Date(Math.round(ms)).toISOString(), String(ms));
				},
			),
			{ numRuns: 5000 },
		);
		// Leap days, century rules, the last fast millisecond and the first six-digit year.
		for (const ms of [0, 951782400000, 951868800000, 4107542400000, 253402300799999, 253402300800000, DATE_LIMIT]) {
			assert.equal(isoFromMillis(ms), new Date(ms).toISOString(), String(ms));
		}
		assert.equal(isoFromMillis(1.5), '1970-01-01T00:00:00.002Z', 'fractions round to the millisecond');
		for (const notATime of [-1, -0.6, Number.NaN, Infinity, -Infinity, DATE_LIMIT + 1]) assert.equal(isoFromMillis(notATime), undefined, String(notATime));
	});
});

describe('unix times', () => {
	it('seconds round to the millisecond, milliseconds cut their fraction, as before', () => {
		assert.equal(fromUnixSeconds(1779981700.0009), '2026-05-28T15:21:40.001Z');
		assert.equal(fromUnixSeconds('1779981700.000900'), '2026-05-28T15:21:40.001Z');
		assert.equal(fromUnixSeconds(1779981700), '2026-05-28T15:21:40.000Z');
		assert.equal(fromUnixMillis(1779981700999.9), '2026-05-28T15:21:40.999Z');
		assert.equal(fromUnixMillis('1779981700123'), '2026-05-28T15:21:40.123Z');
		assert.equal(fromUnixSeconds(253402300800), '+010000-01-01T00:00:00.000Z');
		for (const bad of [-1, Number.NaN, Infinity, 8.64e12 + 1, 'soon']) assert.equal(fromUnixSeconds(bad), undefined, String(bad));
		for (const bad of [-1, Number.NaN, DATE_LIMIT + 1, 'soon']) assert.equal(fromUnixMillis(bad), undefined, String(bad));
	});

	it('toIsoTimestamp tells seconds from milliseconds at 10^11 and reads digit strings and dates', () => {
		assert.equal(toIsoTimestamp(1779981700), '2026-05-28T15:21:40.000Z');
		assert.equal(toIsoTimestamp(1779981700123), '2026-05-28T15:21:40.123Z');
		assert.equal(toIsoTimestamp('1779981700.5'), '2026-05-28T15:21:40.500Z');
		assert.equal(toIsoTimestamp('2026-05-28T17:21:40+02:00'), '2026-05-28T15:21:40.000Z');
		assert.equal(toIsoTimestamp(new Date('2026-05-28T15:21:40.250Z')), '2026-05-28T15:21:40.250Z');
		for (const bad of [null, {}, true, new Date(Number.NaN), 'soon']) assert.equal(toIsoTimestamp(bad), undefined);
	});
});

describe('fromDateString', () => {
	it('agrees with Date on every real instant, whatever the fraction digits', () => {
		fc.assert(
			fc.property(fc.date({ min: new Date(0), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 9 }), (date, digits) => {
				const iso = date.toISOString();
				const fraction = digits === 0 ? '' : `.${iso.slice(20, 23)}${'7'.repeat(Math.max(0, digits - 3))}`.slice(0, digits + 1);
				const value = `${iso.slice(0, 19)}${fraction}Z`;
				assert.equal(fromDateString(value), new Date(value).toISOString(), value);
			}),
			{ numRuns: 2000 },
		);
	});

	it('refuses calendar dates and times that do not exist, in every length (it used to echo or throw)', () => {
		for (const value of [
			'2026-13-01T00:00:00Z',
			'2026-13-01T00:00:00.000Z',
			'2026-00-10T00:00:00Z',
			'2026-05-00T00:00:00Z',
			'2026-05-32T00:00:00Z',
			'2026-02-30T00:00:00Z',
			'2026-02-30T00:00:00.123Z',
			'2026-02-29T00:00:00Z',
			'1900-02-29T00:00:00Z',
			'2026-04-31T12:00:00Z',
			'2026-05-28T23:60:00Z',
			'2026-05-28T23:59:60Z',
			'2026-05-28T25:00:00Z',
		]) {
			assert.equal(fromDateString(value), undefined, value);
		}
		assert.equal(fromDateString('2024-02-29T00:00:00Z'), '2024-02-29T00:00:00.000Z');
		assert.equal(fromDateString('2000-02-29T23:59:59Z'), '2000-02-29T23:59:59.000Z');
		assert.equal(fromDateString('2026-04-30T12:00:00Z'), '2026-04-30T12:00:00.000Z');
		// ISO 8601's end-of-day midnight is read the way Date reads it.
		assert.equal(fromDateString('2026-05-28T24:00:00Z'), '2026-05-29T00:00:00.000Z');
	});

	it('reads offsets, RFC 2822 and fractions the way Date does; nonsense is undefined', () => {
		assert.equal(fromDateString('2026-05-28T14:31:02Z'), '2026-05-28T14:31:02.000Z');
		assert.equal(fromDateString('2026-05-28T14:31:02.1Z'), '2026-05-28T14:31:02.100Z');
		assert.equal(fromDateString('2026-05-28T14:40:11.4460000Z'), '2026-05-28T14:40:11.446Z');
		assert.equal(fromDateString('2026-05-28T14:31:02.123-07:00'), '2026-05-28T21:31:02.123Z');
		assert.equal(fromDateString('Thu, 28 May 2026 14:31:02 +0200'), '2026-05-28T12:31:02.000Z');
		for (const value of ['', 'soon', '2026-05-28T14:31:02.Z', '2026-05-28T14:31:02xZ']) assert.equal(fromDateString(value), undefined, value);
	});
});

it('an empty timestamp field is no time, not the 1970 epoch', () => {
	assert.equal(fromUnixSeconds(''), undefined);
	assert.equal(fromUnixSeconds('  '), undefined);
	assert.equal(fromUnixMillis(''), undefined);
	assert.equal(fromUnixSeconds('1779981700'), '2026-05-28T15:21:40.000Z');
});
