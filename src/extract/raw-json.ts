/**
 * Finding a member in a raw JSON body without parsing it: the byte range of the value at a path
 * of object keys. Bulk loading spools just the record array of each page, so DuckDB can read
 * records directly (`format='array'`) instead of whole-page structs it must unnest: measured on
 * 200 pages x 2,500 records, 0.6 s against 1.9 s. Scanning is a byte loop with no allocation,
 * about 10x cheaper than JSON.parse on the same bytes.
 *
 * It checks structure (strings, brackets, separators), not every token; what it lets through,
 * DuckDB or JSON.parse rejects later.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** The body is not well-formed JSON; `offset` is where that was noticed. */
export class MalformedJsonError extends Error {
  constructor(readonly offset: number) {
    super(`malformed JSON near byte ${offset}`);
  }
}

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(buf: Uint8Array, i: number): number {
  while (isSpace(buf[i])) i++;
  return i;
}

/** `i` is at an opening quote; returns the index after the closing one. */
function endOfString(buf: Uint8Array, i: number): number {
  const n = buf.length;
  for (let j = i + 1; j < n; j++) {
    const c = buf[j];
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  throw new MalformedJsonError(i);
}

/** `i` is at the first byte of a value; returns the index after it. */
function endOfValue(buf: Uint8Array, i: number): number {
  const n = buf.length;
  const first = buf[i];
  if (first === QUOTE) return endOfString(buf, i);
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0;
    for (let j = i; j < n; j++) {
      const c = buf[j];
      if (c === QUOTE) {
        // Inline string skip: this loop runs over every byte of a page's records.
        for (j++; j < n; j++) {
          const d = buf[j];
          if (d === BACKSLASH) j++;
          else if (d === QUOTE) break;
        }
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (--depth === 0) return j + 1;
      }
    }
    throw new MalformedJsonError(i);
  }
  // A number, true, false or null: up to the next separator.
  let j = i;
  while (j < n) {
    const c = buf[j];
    if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isSpace(c)) break;
    j++;
  }
  if (j === i) throw new MalformedJsonError(i);
  return j;
}

function keyAt(buf: Uint8Array, start: number, end: number): string {
  const raw = Buffer.from(buf.buffer, buf.byteOffset + start, end - start);
  // Escapes in a key are rare; JSON.parse decodes them exactly.
  return raw.includes(BACKSLASH) ? (JSON.parse(raw.toString('utf8')) as string) : raw.toString('utf8', 1, raw.length - 1);
}

/** The value of member `key` of the object at `i` (the last one when a key repeats, as JSON.parse). */
function memberOf(buf: Uint8Array, i: number, key: string): ByteRange | undefined {
  let found: ByteRange | undefined;
  i = skipSpace(buf, i + 1);
  if (buf[i] === CLOSE_OBJECT) return undefined;
  for (;;) {
    if (buf[i] !== QUOTE) throw new MalformedJsonError(i);
    const keyStart = i;
    i = endOfString(buf, i);
    const name = keyAt(buf, keyStart, i);
    i = skipSpace(buf, i);
    if (buf[i] !== COLON) throw new MalformedJsonError(i);
    const start = skipSpace(buf, i + 1);
    i = endOfValue(buf, start);
    if (name === key) found = { start, end: i };
    i = skipSpace(buf, i);
    if (buf[i] === COMMA) i = skipSpace(buf, i + 1);
    else if (buf[i] === CLOSE_OBJECT) return found;
    else throw new MalformedJsonError(i);
  }
}

/**
 * The byte range of the value at `path` (object keys from the top), or undefined when a member on
 * the path is missing or not an object (as valueAt on the parsed body). Throws MalformedJsonError.
 */
export function locateJsonValue(buf: Uint8Array, path: readonly string[]): ByteRange | undefined {
  let i = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  i = skipSpace(buf, i);
  if (!startsValue(buf[i])) throw new MalformedJsonError(i);
  let range: ByteRange = { start: i, end: -1 };
  for (const key of path) {
    if (buf[range.start] !== OPEN_OBJECT) return undefined;
    const member = memberOf(buf, range.start, key);
    if (!member) return undefined;
    range = member;
  }
  if (range.end < 0) range = { start: range.start, end: endOfValue(buf, range.start) };
  return range;
}

/** Whether `c` can begin a JSON value (an HTML error page, say, cannot). */
function startsValue(c: number | undefined): boolean {
  if (c === undefined) return false;
  return c === OPEN_OBJECT || c === OPEN_ARRAY || c === QUOTE || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
}
