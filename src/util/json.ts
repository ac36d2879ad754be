/**
 * JSON text with every integer digit kept (DESIGN.md "JSON to tables": integers past 2^53 are
 * exact end to end). JSON.parse turns 1234567890123456008 into 1234567890123456000; here an
 * integer that a double cannot hold exactly becomes a bigint. JSON.parse stays the fast path: the
 * exact parser (lossless-json) runs only when the text has a run of 16 or more digits, the
 * shortest an integer past 2^53 can be.
 */
import { parse as losslessParse, stringify as losslessStringify } from 'lossless-json';

const INTEGER_TEXT = /^-?\d+$/;
const LONG_DIGITS = /\d{16}/;

/** A JSON number written with a fraction or an exponent (`1.0`, `1e20`): sampling infers DOUBLE for it. */
export class JsonFloat {
  constructor(readonly value: number) {}
}

function exactNumber(text: string): number | bigint {
  if (!INTEGER_TEXT.test(text)) return Number(text);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** Parses JSON; integers beyond 2^53 arrive as bigints, everything else as JSON.parse gives it. */
export function parseJson(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text) as unknown;
  return losslessParse(text, null, exactNumber);
}

/**
 * Parses JSON for type inference: as parseJson, and numbers written with a fraction or an
 * exponent arrive as JsonFloat, so `1.0` and `1.0e20` are told apart from integers.
 */
export function parseJsonForSampling(text: string): unknown {
  return losslessParse(text, null, (t) => (INTEGER_TEXT.test(t) ? exactNumber(t) : new JsonFloat(Number(t))));
}

/** JSON text of a value that may hold bigints (written as plain integers) or JsonFloats. */
export function stringifyJson(value: unknown): string {
  return losslessStringify(value, (_k: string, v: unknown) => (v instanceof JsonFloat ? v.value : v)) ?? 'null';
}
