import { JsonFloat } from '../util/json.js';
import type { ColumnType } from './types.js';

/** What one sampled JSON value looks like. */
export type ValueKind = 'null' | 'boolean' | 'int32' | 'int64' | 'int128' | 'bignum' | 'double' | 'timestamp' | 'date' | 'uuid' | 'string' | 'object' | 'array';

// ISO 8601 as APIs write it: date, 'T' or space, time with optional fraction and zone.
export const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const INT128_MIN = -(2n ** 127n);
export const INT128_MAX = 2n ** 127n - 1n;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar date (no Date object: this runs for every timestamp cell loaded). */
export function validDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS[month - 1]! + (leap ? 1 : 0);
}

export function isIsoTimestamp(s: string): boolean {
  const m = TIMESTAMP_RE.exec(s);
  if (!m) return false;
  const [, y, mo, d, h, mi, sec] = m as unknown as string[];
  return validDate(y!, mo!, d!) && Number(h) < 24 && Number(mi) < 60 && (sec === undefined || Number(sec) < 60);
}

export function isIsoDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  return m !== null && validDate(m[1]!, m[2]!, m[3]!);
}

export function kindOf(value: unknown): ValueKind {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return 'double';
    return value >= -2147483648 && value <= 2147483647 ? 'int32' : 'int64';
  }
  // Integers past 2^53 (util/json.ts keeps their digits) and numbers written as 1.0 or 1e20.
  if (typeof value === 'bigint') return value >= INT64_MIN && value <= INT64_MAX ? 'int64' : value >= INT128_MIN && value <= INT128_MAX ? 'int128' : 'bignum';
  if (value instanceof JsonFloat) return 'double';
  if (typeof value === 'string') {
    // Only the string's own form decides: numeric-looking strings (zip codes, ids with leading
    // zeros) stay strings: a wrong type would lose the leading zero.
    if (isIsoDate(value)) return 'date';
    if (isIsoTimestamp(value)) return 'timestamp';
    if (UUID_RE.test(value)) return 'uuid';
    return 'string';
  }
  if (Array.isArray(value)) return 'array';
  return 'object';
}

/**
 * The column type for a set of scalar kinds seen in a sample (README.md "How JSON becomes tables"):
 * integers widen to BIGINT, HUGEINT, then DOUBLE when fractions are mixed in; integers past
 * HUGEINT's 38 digits give JSON (exact, where DOUBLE would drop digits); dates with timestamps
 * give TIMESTAMP; strings of mixed forms give VARCHAR; anything else mixed (numbers with strings,
 * booleans with numbers) gives JSON, which keeps every value exactly.
 */
export function columnTypeFor(kinds: ReadonlySet<ValueKind>): ColumnType {
  const k = new Set(kinds);
  k.delete('null');
  if (k.size === 0) return 'VARCHAR';
  if (k.has('object') || k.has('array')) return 'JSON';
  const only = (...allowed: ValueKind[]) => [...k].every((x) => allowed.includes(x));
  if (only('boolean')) return 'BOOLEAN';
  if (only('int32')) return 'INTEGER';
  if (only('int32', 'int64')) return 'BIGINT';
  if (only('int32', 'int64', 'int128')) return 'HUGEINT';
  if (only('int32', 'int64', 'int128', 'double')) return 'DOUBLE';
  if (only('date')) return 'DATE';
  if (only('date', 'timestamp')) return 'TIMESTAMP';
  if (only('uuid')) return 'UUID';
  if (only('date', 'timestamp', 'uuid', 'string')) return 'VARCHAR';
  return 'JSON';
}
