import { RestSqlError, redactUrl } from '../errors/index.js';
import { INT128_MAX, INT128_MIN, INT64_MAX, INT64_MIN, TIMESTAMP_RE, UUID_RE, isIsoDate, validDate } from '../model/infer.js';
import type { ColumnDef } from '../model/types.js';
import { JsonFloat, stringifyJson } from '../util/json.js';
import { BOOLEAN_TEXT, INTEGER_TEXT as STRICT_INTEGER_TEXT, NUMBER_TEXT as STRICT_NUMBER_TEXT } from './text-value.js';

/** A value ready for the loader: the JS form the DuckDB appender takes for the column's type. */
export type CellValue = null | boolean | number | bigint | string;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * An ISO 8601 timestamp as DuckDB's TIMESTAMP text (UTC when the input carries a zone, as is;
 * fractions kept to the microsecond, DuckDB's precision).
 */
export function normalizeTimestamp(s: string): string {
  return timestampText(s) ?? s;
}

/** One pass for loading: the TIMESTAMP text of an ISO 8601 string, or undefined when it is not one. */
function timestampText(s: string): string | undefined {
  const m = TIMESTAMP_RE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec = '00', frac = '', zone] = m as unknown as string[];
  if (!validDate(y!, mo!, d!) || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return undefined;
  const micros = frac ? '.' + frac.slice(0, 6) : '';
  if (!zone || zone === 'Z' || zone === 'z' || /^[+-]00(:?00)?$/.test(zone)) {
    return `${y}-${mo}-${d} ${h}:${mi}:${sec}${micros}`;
  }
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  const t = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec)) - offsetMinutes * 60_000);
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}${micros}`;
}

function mismatch(table: string, column: ColumnDef, value: unknown, row: number, url: string | undefined): RestSqlError {
  const shown = stringifyJson(value).slice(0, 80);
  const where = url ? ` of ${redactUrl(url)}` : '';
  const range = (column.type === 'INTEGER' || column.type === 'BIGINT' || column.type === 'HUGEINT') && (typeof value === 'bigint' || typeof value === 'number') ? ` (out of ${column.type}'s range)` : '';
  return new RestSqlError('DATA_TYPE_MISMATCH', `Table ${table}, column ${column.name} (${column.type}): record ${row}${where} has ${shown}, which is not a ${column.type}${range}.`, {
    hint: `The endpoint returned a value unlike the sampled or declared ones. Declare the column with a type that holds it (${range ? 'HugeInt, Double, ' : ''}VarChar or JSON) in a model file.`,
    details: { table, column: column.name, type: column.type, record: row, value: shown, ...(url ? { url: redactUrl(url) } : {}) },
  });
}

const NUMERIC_TEXT = /^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const INTEGER_TEXT = /^\s*-?\d+\s*$/;

/**
 * An integer value as a bigint within [min, max], else undefined. A number past 2^53 can only
 * have been written with a fraction or an exponent (integer text that long arrives as a bigint,
 * util/json.ts), and its double may be a rounded value: it is refused rather than stored wrong.
 */
function integerIn(value: unknown, min: bigint, max: bigint): bigint | undefined {
  const b = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : undefined;
  return b !== undefined && b >= min && b <= max ? b : undefined;
}

/**
 * Converts one JSON value for `column`, or throws DATA_TYPE_MISMATCH. Declared (model-file) types
 * meet APIs that send numbers and booleans as text, and WHERE values arrive as text: numeric text
 * fills numeric columns and "true"/"false" boolean ones.
 *
 * `text`: the value was written as text (a CSV field, XML text or attribute), where every value is
 * a string. It converts by the rules sampling types such text with (text-value.ts), as bulk
 * loading does: integers as JSON writes them, JSON's number grammar, true/false. Anything else
 * ("02134", "007", " 42", ".5", "1.") is a mismatch, never a changed value: sampling keeps such
 * text VARCHAR, and a column typed from other pages must not silently drop a leading zero.
 */
export function convertCell(value: unknown, column: ColumnDef, table: string, row: number, url?: string, text = false): CellValue {
  if (value === null || value === undefined) return null;
  if (value instanceof JsonFloat) value = value.value;
  if (typeof value === 'string' && value !== '') {
    const integer = column.type === 'INTEGER' || column.type === 'BIGINT' || column.type === 'HUGEINT';
    if (text) {
      if (integer && STRICT_INTEGER_TEXT.test(value)) value = BigInt(value);
      else if (column.type === 'DOUBLE' && STRICT_NUMBER_TEXT.test(value)) value = Number(value);
      else if (column.type === 'BOOLEAN' && BOOLEAN_TEXT.test(value)) value = value.toLowerCase() === 'true';
    }
    // Integer text keeps every digit; other numeric text only fills DOUBLE columns.
    else if (integer && INTEGER_TEXT.test(value)) value = BigInt(value.trim());
    else if (column.type === 'DOUBLE' && NUMERIC_TEXT.test(value)) value = Number(value);
    else if (column.type === 'BOOLEAN' && BOOLEAN_TEXT.test(value)) value = value.toLowerCase() === 'true';
  }
  switch (column.type) {
    case 'JSON':
      return stringifyJson(value);
    case 'VARCHAR':
      if (typeof value === 'string') return value;
      if (typeof value === 'object') return stringifyJson(value);
      return String(value);
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      break;
    case 'INTEGER':
      // Every INTEGER within range is a plain number (no bigint on this hot path).
      if (typeof value === 'number' && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647) return value;
      // Integer text ("42", a virtual column's WHERE value) arrives as a bigint.
      if (typeof value === 'bigint' && value >= -2147483648n && value <= 2147483647n) return Number(value);
      break;
    case 'BIGINT': {
      const b = integerIn(value, INT64_MIN, INT64_MAX);
      if (b !== undefined) return b;
      break;
    }
    case 'HUGEINT': {
      const b = integerIn(value, INT128_MIN, INT128_MAX);
      if (b !== undefined) return b;
      break;
    }
    case 'DOUBLE':
      if (typeof value === 'number') return value;
      // Past 2^53 a DOUBLE column holds the nearest double, as declared.
      if (typeof value === 'bigint') return Number(value);
      break;
    case 'TIMESTAMP':
      if (typeof value === 'string') {
        const t = timestampText(value);
        if (t !== undefined) return t;
        if (isIsoDate(value)) return `${value} 00:00:00`;
      }
      break;
    case 'DATE':
      if (typeof value === 'string' && isIsoDate(value)) return value;
      break;
    case 'UUID':
      if (typeof value === 'string' && UUID_RE.test(value)) return value;
      break;
    default: {
      const never: never = column.type;
      throw new Error(`unhandled column type ${String(never)}`);
    }
  }
  throw mismatch(table, column, value, row, url);
}
