import { RestSqlError } from '../../errors/index.js';

/**
 * A session TimeZone as PostgreSQL reads the setting: what `timestamptz` values are shown in and
 * what a `timestamptz` literal without an offset means. PostgreSQL 15 datatype-datetime
 * (8.5.3 Time Zones) and runtime-config-client (TimeZone).
 */
export interface TimeZone {
  /** The setting as given (for messages). */
  readonly name: string;
  /** True for a zone that is UTC at every instant (lets encoders skip the offset lookup). */
  readonly isUtc: boolean;
  /** Seconds east of Greenwich in effect at an instant (seconds since 1970-01-01 00:00:00 UTC). */
  offsetAt(epochSeconds: number): number;
  /**
   * The UTC instant of a wall-clock time in this zone (both in seconds since the epoch). A time in
   * a spring-forward gap or a fall-back overlap gets the smaller of the two offsets around the
   * transition, as PostgreSQL does (PostgreSQL 15 datetime-invalid-input: a nonexistent time takes
   * the offset before the jump forward, an ambiguous one the offset after the jump back).
   */
  toUtc(localSeconds: number): number;
}

const UTC_NAMES = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'z', 'zulu', 'universal', 'etc/universal', 'etc/zulu', 'uct', 'etc/uct', 'greenwich', 'etc/greenwich']);

/** JS Dates reach ±8.64e15 ms (year ±275760); offsets past that are taken at the edge. */
const MAX_DATE_SECONDS = 8.64e12;

function fixedZone(name: string, offset: number): TimeZone {
  return { name, isUtc: offset === 0, offsetAt: () => offset, toUtc: (local) => local - offset };
}

/** `UTC+5`, `GMT-05:30`, `+05:30`, `<-03>+03`: POSIX offsets, hours WEST of Greenwich. */
const POSIX_FIXED = /^(?:[A-Za-z]{3,}|<[^>]*>)?([+-]?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?$/;
/** `-3`, `5.5`: a bare number, hours EAST of Greenwich (PostgreSQL's check_timezone reads it so). */
const NUMERIC_HOURS = /^[+-]?\d+(?:\.\d+)?$/;

const cache = new Map<string, TimeZone>();

/**
 * The zone of a TimeZone setting: an IANA name (`Europe/Paris`, `UTC`, case-insensitive, from
 * Node's ICU time zone data), a POSIX fixed offset (`UTC+5` is five hours west, as in
 * PostgreSQL), or a number of hours east (`-3`). Offsets before 1970 follow Node's tz data, which
 * can differ from the server's tz data where zones were merged (`Europe/Amsterdam` before 1940).
 */
export function timeZone(name: string): TimeZone {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const zone = resolve(name);
  if (cache.size > 64) cache.clear();
  cache.set(name, zone);
  return zone;
}

function resolve(name: string): TimeZone {
  const trimmed = name.trim();
  if (UTC_NAMES.has(trimmed.toLowerCase())) return fixedZone(name, 0);
  if (NUMERIC_HOURS.test(trimmed)) {
    const hours = Number(trimmed);
    if (Math.abs(hours) < 16) return fixedZone(name, Math.round(hours * 3600));
  }
  const posix = POSIX_FIXED.exec(trimmed);
  if (posix !== null) {
    const west = Number(posix[2]) * 3600 + Number(posix[3] ?? 0) * 60 + Number(posix[4] ?? 0);
    if (west < 16 * 3600) return fixedZone(name, posix[1] === '-' ? west : -west);
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: trimmed, timeZoneName: 'longOffset', year: 'numeric' });
  } catch (cause) {
    throw new RestSqlError('SETTING_INVALID_VALUE', `invalid value for parameter "TimeZone": "${name}"`, {
      hint: "Use an IANA time zone name such as 'UTC' or 'Europe/Paris', or a fixed offset such as 'UTC+5' (POSIX: hours west of Greenwich).",
      cause,
    });
  }
  if (format.resolvedOptions().timeZone === 'UTC') return fixedZone(name, 0);
  return intlZone(name, format);
}

/** `GMT`, `GMT+05:30`, `GMT-04:56:02` (longOffset) to seconds east. */
function parseLongOffset(text: string): number {
  const m = /([+-])(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  if (m === null) return 0;
  const s = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -s : s;
}

/** Offsets are looked up per quarter hour and cached: no zone has changed offset twice inside one. */
const BUCKET = 900;

function intlZone(name: string, format: Intl.DateTimeFormat): TimeZone {
  const exact = (seconds: number): number => {
    const clamped = Math.min(Math.max(seconds, -MAX_DATE_SECONDS), MAX_DATE_SECONDS);
    for (const part of format.formatToParts(Math.floor(clamped) * 1000)) if (part.type === 'timeZoneName') return parseLongOffset(part.value);
    return 0;
  };
  const buckets = new Map<number, number>();
  const offsetAt = (seconds: number): number => {
    const b = Math.floor(seconds / BUCKET);
    const known = buckets.get(b);
    if (known !== undefined) return known;
    const start = exact(b * BUCKET);
    if (start !== exact(b * BUCKET + BUCKET - 1)) return exact(seconds); // a transition inside
    if (buckets.size > 4096) buckets.clear();
    buckets.set(b, start);
    return start;
  };
  const toUtc = (local: number): number => {
    const candidates = new Set([offsetAt(local - 86400), offsetAt(local), offsetAt(local + 86400)]);
    let valid = Infinity;
    let any = Infinity;
    for (const o of candidates) {
      any = Math.min(any, o);
      if (offsetAt(local - o) === o) valid = Math.min(valid, o);
    }
    return local - (valid === Infinity ? any : valid);
  };
  return { name, isUtc: false, offsetAt, toUtc };
}

/**
 * An offset as PostgreSQL prints it after a time (EncodeTimezone): `+00`, `+05:30`, `-04:56:02`;
 * with `alwaysMinutes` (the JSON/XSD form) `+00:00`.
 */
export function offsetText(offsetSeconds: number, alwaysMinutes = false): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const abs = Math.abs(offsetSeconds);
  const h = Math.floor(abs / 3600);
  const m = Math.floor(abs / 60) % 60;
  const s = abs % 60;
  let out = sign + (h < 10 ? '0' : '') + h;
  if (m !== 0 || s !== 0 || alwaysMinutes) out += (m < 10 ? ':0' : ':') + m;
  if (s !== 0) out += (s < 10 ? ':0' : ':') + s;
  return out;
}
