/**
 * Values written as text (CSV fields, XML text and attributes) as sampling sees them: the same
 * kinds a JSON value has, decided by the text alone. Integers as JSON writes them (no leading
 * zero, no plus sign, no spaces) are integers, keeping every digit; numbers with a fraction or an
 * exponent are doubles; true and false (any case) are booleans; an empty text is NULL; anything
 * else is a string, which sampling may still read as a date, timestamp or UUID. So a zip code
 * "02134" or an id "007" stays VARCHAR: a number type would lose its leading zero.
 *
 * Loading reads the same texts as strings (extract/convert.ts takes integer, numeric and boolean
 * text into columns of those types), so a value is never turned into a number and back.
 */
import { JsonFloat } from '../util/json.js';

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** A text as sampling reads it: null, boolean, number or bigint, JsonFloat, or the string. */
export function sampledText(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return null;
  if (INTEGER.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  if (NUMBER.test(text)) return new JsonFloat(Number(text));
  const lower = text.length <= 5 ? text.toLowerCase() : '';
  if (lower === 'true' || lower === 'false') return lower === 'true';
  return text;
}

/** A tree of texts (objects, arrays, strings, nulls) as sampling reads it. */
export function sampledTree(value: unknown): unknown {
  if (typeof value === 'string') return sampledText(value);
  if (Array.isArray(value)) return value.map(sampledTree);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = sampledTree(v);
    return out;
  }
  return value;
}
