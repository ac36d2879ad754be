/**
 * Which format a response is read as, and reading a non-JSON body into the JSON shape the rest of
 * restsql maps to tables (DataDirect reads JSON, XML and CSV responses, telling them apart by
 * themselves; CData's drivers do the same by Content-Type). A table's `#format` (or the
 * ResponseFormat option) wins; else the Content-Type decides; else a body starting with `<` is
 * XML; else JSON, as DataDirect assumes.
 */
import { TextDecoder } from 'node:util';
import { RestSqlError } from '../errors/index.js';
import type { FormatDef, ResponseFormat } from '../model/types.js';
import { columnNames, countCsvRecords, csvParse, dialectOf, parseCsv, type CsvDialect } from './csv.js';
import { parseNdjson } from './ndjson.js';
import { sampledTree } from './text-value.js';
import { detectXmlRoot, parseXml } from './xml.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonl', 'application/jsonlines', 'application/x-jsonlines', 'application/json-seq', 'application/jsonlines+json']);
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/comma-separated-values', 'text/x-csv', 'application/x-csv', 'text/tab-separated-values']);
const XML_TYPES = new Set(['application/xml', 'text/xml']);
/** Types that say nothing about the body: it is looked at. */
const UNTYPED = new Set(['', 'text/plain', 'application/octet-stream', 'binary/octet-stream']);

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The media type of Content-Type, in lower case, without parameters. */
export function mediaType(headers: Headers): string {
  return (header(headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The charset parameter of Content-Type, if any. */
export function charsetOf(headers: Headers): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(header(headers, 'content-type') ?? '');
  return m?.[1];
}

/** The format a response is read as (see the file comment); `body` is looked at only when the type says nothing. */
export function responseFormat(def: FormatDef | undefined, headers: Headers, body?: Uint8Array): ResponseFormat {
  if (def?.format) return def.format;
  const type = mediaType(headers);
  if (NDJSON_TYPES.has(type)) return 'ndjson';
  if (CSV_TYPES.has(type)) return 'csv';
  if (XML_TYPES.has(type) || type.endsWith('+xml')) return 'xml';
  if (UNTYPED.has(type) && body) {
    for (const b of body.subarray(0, 1024)) {
      if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0xef || b === 0xbb || b === 0xbf) continue;
      return b === 0x3c ? 'xml' : 'json';
    }
  }
  return 'json';
}

/** The encoding an XML declaration names (`<?xml version="1.0" encoding="ISO-8859-1"?>`). */
function xmlDeclared(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  return /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1];
}

/**
 * A body as text: a byte order mark decides (UTF-8, UTF-16 LE or BE), else the table's
 * `#encoding`, else the Content-Type charset, else (XML) the declaration's encoding, else UTF-8.
 */
export function decodeText(bytes: Uint8Array, headers: Headers, def: FormatDef | undefined, format: ResponseFormat): string {
  let label: string | undefined;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) label = 'utf-8';
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be';
  else label = def?.encoding ?? charsetOf(headers) ?? (format === 'xml' ? xmlDeclared(bytes) : undefined) ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    throw new RestSqlError('HTTP_MALFORMED_BODY', `the response's text encoding '${label}' is not one restsql can read.`, {
      hint: 'Set "#encoding" for the table to the encoding the API really uses (utf-8, utf-16le, latin1, ...).',
      details: { format, encoding: label },
    });
  }
  // The decoder drops a byte order mark that matches its encoding.
  return decoder.decode(bytes);
}

export interface DecodedBody {
  readonly format: ResponseFormat;
  /** The body as loading reads it: records (JSON Lines, CSV) or the document (XML), texts as strings. */
  readonly body: unknown;
  /** The body as sampling reads it (numbers as written, texts typed); only when asked for. */
  readonly sampled?: unknown;
  /** Where the records are, when the format decides it (XML: detected; the others: the body itself). */
  readonly root: readonly string[];
  /** CSV: the columns in field order and the dialect. */
  readonly csv?: { readonly columns: readonly string[]; readonly dialect: CsvDialect };
}

/** Reads a JSON Lines, CSV or XML body (JSON goes through util/json as always). */
export function decodeBody(format: Exclude<ResponseFormat, 'json'>, bytes: Uint8Array, headers: Headers, def: FormatDef | undefined, sampling: boolean): DecodedBody {
  const text = decodeText(bytes, headers, def, format);
  switch (format) {
    case 'ndjson':
      return { format, body: parseNdjson(text), ...(sampling ? { sampled: parseNdjson(text, true) } : {}), root: [] };
    case 'csv': {
      const parsed = parseCsv(text, def);
      const csv = { columns: parsed.columns, dialect: parsed.dialect };
      return { format, body: parsed.records, ...(sampling ? { sampled: parseCsv(text, def, true).records } : {}), root: [], csv };
    }
    case 'xml': {
      const doc = parseXml(text);
      return { format, body: doc, ...(sampling ? { sampled: sampledTree(doc) } : {}), root: detectXmlRoot(doc) };
    }
    default: {
      const never: never = format;
      throw new Error(`unhandled format ${String(never)}`);
    }
  }
}

/**
 * A CSV page as bulk loading spools it: UTF-8 text without a byte order mark (transcoded only when
 * the page is in another encoding), its columns (the header row, parsed alone) and dialect, and
 * how many records it holds (counted, not parsed).
 */
export function csvSpoolPage(raw: Buffer, headers: Headers, def: FormatDef | undefined): { pieces: Buffer[]; columns: string[]; dialect: CsvDialect; count: number } {
  const bom = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf;
  const declared = def?.encoding ?? charsetOf(headers);
  const utf8 = !(raw[0] === 0xff && raw[1] === 0xfe) && !(raw[0] === 0xfe && raw[1] === 0xff) && (bom || declared === undefined || /^utf-?8$/i.test(declared));
  const bytes = utf8 ? (bom ? raw.subarray(3) : raw) : Buffer.from(decodeText(raw, headers, def, 'csv'), 'utf8');
  const head = bytes.subarray(0, 65536).toString('utf8');
  const dialect = dialectOf(head, def);
  let first: string[] = [];
  try {
    first = (csvParse().parse(head, { delimiter: dialect.delimiter, quote: dialect.quote, escape: dialect.quote, to_line: 1, relax_column_count: true }) as string[][])[0] ?? [];
  } catch {
    // A header row that does not parse: the page loads row by row, which names the error.
  }
  const columns = dialect.headerRow ? columnNames(first) : first.map((_f, i) => `column${i + 1}`);
  return { pieces: [bytes], columns, dialect, count: countCsvRecords(bytes, dialect) };
}
