/**
 * Values written as text (CSV fields, XML text and attributes) as sampling sees them: the same
 * kinds a JSON value has, decided by the text alone. Integers as JSON writes them (no leading
 * zero, no plus sign, no spaces) are integers, keeping every digit; numbers with a fraction or an
 * exponent are doubles; true and false (any case) are booleans; an empty text is NULL; anything
 * else is a string, which sampling may still read as a date, timestamp or UUID. So a zip code
 * "02134" or an id "007" stays VARCHAR: a number type would lose its leading zero.
 *
 * Loading reads the same texts as strings and converts them by these same rules (extract/convert.ts,
 * `text` mode), so a value is never turned into a number and back, and a page loads the same
 * whether bulk-loaded or row by row: "02134" in an INTEGER column is an error, never 2134.
 */
import { JsonFloat } from '../util/json.js';

/** Integer text as JSON writes it: no leading zero, no plus sign, no spaces. */
export const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;
/** Number text as JSON writes it (RFC 8259): no leading zero, no bare `.5` or `1.`, no spaces. */
export const NUMBER_TEXT = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
/** Boolean text: true or false, in any case. */
export const BOOLEAN_TEXT = /^(true|false)$/i;

/** A text as sampling reads it: null, boolean, number or bigint, JsonFloat, or the string. */
export function sampledText(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return null;
  if (INTEGER_TEXT.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  if (NUMBER_TEXT.test(text)) return new JsonFloat(Number(text));
  if (BOOLEAN_TEXT.test(text)) return text.toLowerCase() === 'true';
  return text;
}

/** A tree of texts (objects, arrays, strings, nulls) as sampling reads it. */
export function sampledTree(value: unknown): unknown {
  if (typeof value === 'string') return sampledText(value);
  if (Array.isArray(value)) return value.map(sampledTree);
  if (value !== null && typeof value === 'object') {
    // No prototype: a member named __proto__ or constructor is data like any other.
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = sampledTree(v);
    return out;
  }
  return value;
}
