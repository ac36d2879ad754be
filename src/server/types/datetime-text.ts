import { offsetText, type TimeZone } from './time-zone.js';

/**
 * Dates, times and timestamps written as PostgreSQL 15 prints them with DateStyle 'ISO, MDY'
 * (PostgreSQL 15 datatype-datetime, 8.5.2 Date/Time Output): `2024-01-02 03:04:05.5`, a four-digit
 * (or longer) year, the fraction without trailing zeros and left out when zero, ` BC` after
 * everything for years before 1 AD, `infinity` and `-infinity`. The calendar is the proleptic
 * Gregorian one both DuckDB and PostgreSQL use.
 */

/** DuckDB's infinite DATE (days) and TIMESTAMP (in its unit) are ±(2^31-1) and ±(2^63-1). */
export const DATE_POS_INF = 2147483647;
export const DATE_NEG_INF = -2147483647;
export const TS_POS_INF = 9223372036854775807n;
export const TS_NEG_INF = -9223372036854775807n;

export const MICROS_PER_SECOND = 1000000n;
export const MICROS_PER_DAY = 86400000000n;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Year-month-day of a day number (days since 1970-01-01), after H. Hinnant's civil_from_days. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** The day number of a proleptic Gregorian date (astronomical year: 0 is 1 BC), days_from_civil. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `2024-01-02`, or `0044-03-15` with `bc` set for 44 BC (astronomical year -43). */
function ymd(days: number): { text: string; bc: boolean } {
  const { year, month, day } = civilFromDays(days);
  const bc = year <= 0;
  const y = bc ? 1 - year : year;
  const ys = y >= 1000 ? String(y) : y >= 100 ? `0${y}` : y >= 10 ? `00${y}` : `000${y}`;
  return { text: `${ys}-${pad2(month)}-${pad2(day)}`, bc };
}

/** A DATE (days since 1970-01-01) as PostgreSQL prints it: `2024-01-02`, `0044-03-15 BC`, `infinity`. */
export function dateText(days: number): string {
  if (days === DATE_POS_INF) return 'infinity';
  if (days === DATE_NEG_INF) return '-infinity';
  const { text, bc } = ymd(days);
  return bc ? `${text} BC` : text;
}

/** `.5`, `.123456`, or nothing: the fraction of a second with its trailing zeros dropped. */
export function fractionText(micros: number): string {
  if (micros === 0) return '';
  let s = String(micros);
  s = '000000'.slice(s.length) + s;
  let end = 6;
  while (s.charCodeAt(end - 1) === 48) end--;
  return `.${s.slice(0, end)}`;
}

/** `HH:MM:SS[.ffffff]` of microseconds since midnight (0 to 24:00:00 inclusive). */
export function timeOfDayText(micros: number): string {
  const secs = Math.floor(micros / 1e6);
  const frac = micros - secs * 1e6;
  return `${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}${fractionText(frac)}`;
}

/** A TIME with time zone: `12:00:00+05:30` (offset in seconds east). */
export function timeTzText(micros: number, offsetSeconds: number): string {
  return timeOfDayText(micros) + offsetText(offsetSeconds);
}

/**
 * Microseconds since the epoch to a closure-friendly writer of timestamps: `sep` is ' ' for the
 * text format and 'T' inside JSON (PostgreSQL's to_json writes XSD timestamps). The last day's text
 * is remembered, since a column's timestamps usually share days with their neighbours.
 */
export function timestampWriter(sep: ' ' | 'T'): (micros: bigint) => string {
  let lastDay = NaN;
  let lastYmd = { text: '', bc: false };
  return (micros) => {
    if (micros === TS_POS_INF) return 'infinity';
    if (micros === TS_NEG_INF) return '-infinity';
    let days = micros / MICROS_PER_DAY;
    let rest = micros - days * MICROS_PER_DAY;
    if (rest < 0n) {
      days -= 1n;
      rest += MICROS_PER_DAY;
    }
    const d = Number(days);
    if (d !== lastDay) {
      lastDay = d;
      lastYmd = ymd(d);
    }
    const t = timeOfDayText(Number(rest));
    return lastYmd.bc ? `${lastYmd.text}${sep}${t} BC` : `${lastYmd.text}${sep}${t}`;
  };
}

/**
 * TIMESTAMP WITH TIME ZONE (microseconds since the epoch, UTC) in a session zone:
 * `2024-01-02 08:34:05.123+05:30`, `0044-03-14 19:03:58-04:56:02 BC`. With `json`, the XSD form
 * to_json writes: `2024-01-02T08:34:05.123+05:30`, `+00:00`.
 */
export function timestampTzWriter(zone: TimeZone, json: boolean): (micros: bigint) => string {
  const local = timestampWriter(json ? 'T' : ' ');
  const utcSuffix = json ? '+00:00' : '+00';
  if (zone.isUtc) {
    return (micros) => {
      if (micros === TS_POS_INF || micros === TS_NEG_INF) return local(micros);
      const s = local(micros);
      return s.endsWith(' BC') ? `${s.slice(0, -3)}${utcSuffix} BC` : s + utcSuffix;
    };
  }
  return (micros) => {
    if (micros === TS_POS_INF || micros === TS_NEG_INF) return local(micros);
    const seconds = Number(micros / MICROS_PER_SECOND) - (micros < 0n && micros % MICROS_PER_SECOND !== 0n ? 1 : 0);
    const offset = zone.offsetAt(seconds);
    const s = local(micros + BigInt(offset) * MICROS_PER_SECOND);
    const o = offsetText(offset, json);
    return s.endsWith(' BC') ? `${s.slice(0, -3)}${o} BC` : s + o;
  };
}
