import { civilFromDays, daysFromCivil, MICROS_PER_DAY } from './datetime-text.js';
import { trimPgSpace } from './pg-space.js';

/**
 * Reading date, time and timestamp parameters in the ISO 8601 forms clients send (PostgreSQL 15
 * datatype-datetime, 8.5.1 Date/Time Input): `2024-01-02`, `2024-01-02 03:04:05.123456`,
 * `2024-01-02T03:04:05Z`, `... +05:30`, `... BC`, `infinity`, `-infinity`, `epoch`. PostgreSQL
 * reads many more spellings (`Jan 2 2024`, `1/2/2024`, `now`); those are refused with a message
 * that shows the accepted form rather than read in a way that might differ from PostgreSQL.
 */

/** A wall-clock timestamp: microseconds since 1970-01-01 00:00 of its own clock, and the offset written with it (seconds east), if any. */
export interface WallClock {
  readonly micros: bigint;
  readonly offset: number | undefined;
}

export type Parsed<T> = T | 'infinity' | '-infinity' | { readonly error: string };

const ZONE = '(Z|UTC|GMT|[+-]\\d{1,2}(?::?\\d{2}(?::?\\d{2})?)?)';
const TIME = '(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d*))?)?';
const TIMESTAMP_RE = new RegExp(`^(\\d{4,})-(\\d{1,2})-(\\d{1,2})(?:(?:[Tt]|\\s+)${TIME})?\\s*${ZONE}?\\s*(BC|AD)?$`, 'i');
const TIME_RE = new RegExp(`^${TIME}\\s*${ZONE}?$`, 'i');

/** Seconds east of a written zone (`Z`, `+05:30`, `-0800`, `+5`). */
function zoneSeconds(text: string): number {
  if (/^(z|utc|gmt)$/i.test(text)) return 0;
  const digits = text.slice(1).replace(/:/g, '');
  // +H, +HH, +HHMM, +HHMMSS (a one-digit hour only alone)
  const h = digits.length <= 2 ? Number(digits) : Number(digits.slice(0, digits.length % 2 === 0 ? 2 : 1));
  const rest = digits.length <= 2 ? '' : digits.slice(digits.length % 2 === 0 ? 2 : 1);
  const s = h * 3600 + Number(rest.slice(0, 2) || 0) * 60 + Number(rest.slice(2, 4) || 0);
  return text[0] === '-' ? -s : s;
}

/** C's rint: to the nearest integer, ties to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The microseconds of a fraction of a second, rounded as PostgreSQL rounds it: the fraction read
 * as a double, times 10^6, to the nearest integer (`.1234565` is 123456, `.1234575` is 123458).
 */
function fractionMicros(digits: string | undefined): number {
  if (digits === undefined || digits === '') return 0;
  if (digits.length <= 6) return Number(digits.padEnd(6, '0'));
  return rint(Number(`0.${digits}`) * 1e6);
}

/** Microseconds since midnight of h:m:s.f, or an error message. 24:00:00 is allowed, as in PostgreSQL. */
function timeOfDay(h: string, m: string, s: string | undefined, f: string | undefined): number | { error: string } {
  const hour = Number(h);
  const minute = Number(m);
  const second = s === undefined ? 0 : Number(s);
  const frac = fractionMicros(f);
  if (minute > 59 || second > 60 || hour > 24 || (hour === 24 && (minute > 0 || second > 0 || frac > 0))) return { error: 'date/time field value out of range' };
  return ((hour * 60 + minute) * 60 + second) * 1e6 + frac;
}

const SPECIAL: Readonly<Record<string, 'infinity' | '-infinity' | 'epoch'>> = { infinity: 'infinity', '+infinity': 'infinity', '-infinity': '-infinity', epoch: 'epoch' };

/** A timestamp's wall clock and the offset written with it, if any. */
export function parseTimestampText(text: string): Parsed<WallClock> {
  const t = trimPgSpace(text);
  const special = SPECIAL[t.toLowerCase()];
  if (special === 'epoch') return { micros: 0n, offset: 0 };
  if (special !== undefined) return special;
  const m = TIMESTAMP_RE.exec(t);
  if (m === null) return { error: 'invalid input syntax' };
  const days = dayNumber(m[1]!, m[2]!, m[3]!, m[9]);
  if (typeof days !== 'number') return days;
  let tod = 0;
  if (m[4] !== undefined) {
    const r = timeOfDay(m[4], m[5]!, m[6], m[7]);
    if (typeof r !== 'number') return r;
    tod = r;
  }
  return { micros: BigInt(days) * MICROS_PER_DAY + BigInt(tod), offset: m[8] === undefined ? undefined : zoneSeconds(m[8]) };
}

/** A date's day number (days since 1970-01-01); a time after the date is read and dropped, as PostgreSQL's date input does. */
export function parseDateText(text: string): Parsed<number> {
  const r = parseTimestampText(text);
  if (typeof r === 'string' || 'error' in r) return r;
  return Number((r.micros - (((r.micros % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY)) / MICROS_PER_DAY);
}

function dayNumber(y: string, mo: string, d: string, era: string | undefined): number | { error: string } {
  let year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year === 0) return { error: 'date/time field value out of range' };
  if (era !== undefined && era.toUpperCase() === 'BC') year = 1 - year;
  if (month < 1 || month > 12 || day < 1 || day > 31) return { error: 'date/time field value out of range' };
  const days = daysFromCivil(year, month, day);
  if (civilFromDays(days).day !== day) return { error: 'date/time field value out of range' };
  return days;
}

/** A time of day with its written offset (time and timetz). */
export function parseTimeText(text: string): { micros: number; offset: number | undefined } | { error: string } {
  const m = TIME_RE.exec(trimPgSpace(text));
  if (m === null) return { error: 'invalid input syntax' };
  const tod = timeOfDay(m[1]!, m[2]!, m[3], m[4]);
  if (typeof tod !== 'number') return tod;
  return { micros: tod, offset: m[5] === undefined ? undefined : zoneSeconds(m[5]) };
}
