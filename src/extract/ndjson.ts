/**
 * JSON Lines / NDJSON (and RFC 7464 JSON text sequences): one JSON value per line, each a record.
 * Blank lines are skipped, CRLF line ends are fine, a record separator (0x1E) starting a line is
 * dropped. A line that does not parse is HTTP_MALFORMED_BODY with its line and column.
 */
import { parse, type ParseError } from 'jsonc-parser';
import { RestSqlError } from '../errors/index.js';
import { parseJson, parseJsonForSampling } from '../util/json.js';

/** Where a line stops being JSON, as a 1-based column (jsonc-parser in strict mode finds it; V8's message may not say). */
function columnOf(line: string): number | undefined {
  const errors: ParseError[] = [];
  parse(line, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return errors.length > 0 ? errors[0]!.offset + 1 : undefined;
}

/** The records of a JSON Lines body; `sampling` reads numbers as written (parseJsonForSampling). */
export function parseNdjson(text: string, sampling = false): unknown[] {
  const records: unknown[] = [];
  const parse = sampling ? parseJsonForSampling : parseJson;
  let start = 0;
  let line = 0;
  const n = text.length;
  while (start <= n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    line++;
    let s = text.slice(start, end);
    if (s.charCodeAt(0) === 0x1e) s = s.slice(1);
    if (line === 1 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    if (s.trim() !== '') {
      try {
        records.push(parse(s));
      } catch (e) {
        if (e instanceof RestSqlError) throw new RestSqlError(e.code, `line ${line}: ${e.message}`, { ...(e.hint ? { hint: e.hint } : {}), details: { ...e.details, line } });
        const reason = (e as Error).message.split('\n')[0]!;
        const column = columnOf(s);
        throw new RestSqlError('HTTP_MALFORMED_BODY', `the JSON Lines body breaks at line ${line}${column ? `, column ${column}` : ''}: ${reason}.`, {
          hint: 'Each line must be one complete JSON value. If the endpoint returns one JSON document, set "#format": "json" for the table (or ResponseFormat=json).',
          details: { format: 'ndjson', line, ...(column ? { column } : {}) },
        });
      }
    }
    start = end + 1;
  }
  return records;
}

/**
 * A JSON Lines page as one JSON array, for bulk loading: the non-blank lines joined with commas,
 * never parsed (a line that is not JSON makes DuckDB's reader fail, and the page then loads row
 * by row, which names the line). Returns the pieces to write and how many records there are.
 */
export function ndjsonAsArray(raw: Buffer): { pieces: Buffer[]; count: number } {
  const pieces: Buffer[] = [Buffer.from('[')];
  let count = 0;
  let start = 0;
  const n = raw.length;
  while (start < n) {
    let end = raw.indexOf(0x0a, start);
    if (end < 0) end = n;
    let a = start;
    let b = end;
    if (a === 0 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) a = 3;
    if (raw[a] === 0x1e) a++;
    while (a < b && isSpace(raw[a]!)) a++;
    while (b > a && isSpace(raw[b - 1]!)) b--;
    if (b > a) {
      if (count > 0) pieces.push(Buffer.from(','));
      pieces.push(raw.subarray(a, b));
      count++;
    }
    start = end + 1;
  }
  pieces.push(Buffer.from(']'));
  return { pieces, count };
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
