/**
 * JSON text with every integer digit kept (an invariant: integers past 2^53 are
 * exact end to end). JSON.parse turns 1234567890123456008 into 1234567890123456000; here an
 * integer that a double cannot hold exactly becomes a bigint. JSON.parse stays the fast path: the
 * exact parser (lossless-json) runs only when a number in the text has a run of 16 or more digits,
 * the shortest an integer past 2^53 can be (found by the same pass that checks the nesting depth).
 */
import { parse as losslessParse, stringify as losslessStringify } from 'lossless-json';
import { RestSqlError } from '../errors/restsql-error.js';

/**
 * How deeply objects and arrays may nest in JSON from an API. JSON.parse copes with any depth,
 * but lossless-json, stringifyJson and the walkers that sample and flatten records recurse once
 * per level: a 10,000-deep body would overflow the stack (INTERNAL). Real APIs nest a few dozen
 * levels at most.
 */
const JSON_MAX_DEPTH = 512;

/**
 * Throws HTTP_TOO_LARGE when `text` nests deeper than JSON_MAX_DEPTH, and tells whether a number
 * in it has a run of 16 or more digits (an integer past 2^53 may need the exact parser). One pass
 * over the characters with no allocation; strings are skipped, so brackets and digits inside them
 * do not count. Callers that know the URL add it to the error.
 */
function checkJsonDepth(text: string, max = JSON_MAX_DEPTH): boolean {
  let depth = 0;
  let digits = 0;
  let long = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (++digits >= 16) long = true;
      continue;
    }
    digits = 0;
    if (c === 0x22) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) {
        throw new RestSqlError('HTTP_TOO_LARGE', `the JSON nests objects and arrays more than ${max} levels deep (at character ${i + 1}).`, {
          hint: `restsql reads JSON nested up to ${max} levels; ask the API for a flatter representation, or select fewer fields.`,
          details: { limit: max, offset: i },
        });
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return long;
}

const INTEGER_TEXT = /^-?\d+$/;

/** A JSON number written with a fraction or an exponent (`1.0`, `1e20`): sampling infers DOUBLE for it. */
export class JsonFloat {
  constructor(readonly value: number) {}
}

function exactNumber(text: string): number | bigint {
  if (!INTEGER_TEXT.test(text)) return Number(text);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/**
 * Parses JSON; integers beyond 2^53 arrive as bigints, everything else as JSON.parse gives it.
 * Nesting deeper than JSON_MAX_DEPTH is an HTTP_TOO_LARGE RestSqlError.
 */
export function parseJson(text: string): unknown {
  if (!checkJsonDepth(text)) return JSON.parse(text) as unknown;
  return losslessParse(text, null, exactNumber);
}

/**
 * Parses JSON for type inference: as parseJson, and numbers written with a fraction or an
 * exponent arrive as JsonFloat, so `1.0` and `1.0e20` are told apart from integers.
 */
export function parseJsonForSampling(text: string): unknown {
  checkJsonDepth(text);
  return losslessParse(text, null, (t) => (INTEGER_TEXT.test(t) ? exactNumber(t) : new JsonFloat(Number(t))));
}

/** JSON text of a value that may hold bigints (written as plain integers) or JsonFloats. */
export function stringifyJson(value: unknown): string {
  return losslessStringify(value, (_k: string, v: unknown) => (v instanceof JsonFloat ? v.value : v)) ?? 'null';
}
