/**
 * CSV responses (RFC 4180, with the variations APIs send): a header row names the columns (unless
 * the table says there is none), each further row is a record. The delimiter (`,` `;` tab `|`) is
 * detected from the header row unless set; quoting is RFC 4180's (a quote inside a quoted field
 * is written twice). Parsing is csv-parse's; every row must have as many fields as the header
 * (a short or long row is an error naming its line, never a shifted column).
 *
 * Records are objects keyed by header name, with the fields as text (empty field: null): loading
 * converts the texts to the column types (extract/convert.ts), sampling types them first
 * (text-value.ts).
 */
import { lazyRequire } from '../util/lazy-require.js';
import { RestSqlError } from '../errors/index.js';
import type { FormatDef } from '../model/types.js';
import { sampledText } from './text-value.js';

/** csv-parse, loaded when a CSV response is first read. */
export const csvParse = lazyRequire<typeof import('csv-parse/sync')>('csv-parse/sync');

export interface CsvDialect {
  readonly delimiter: string;
  readonly quote: string;
  readonly headerRow: boolean;
}

export interface ParsedCsv {
  readonly records: Record<string, unknown>[];
  /** Column names in field order (header names made unique, or column1...). */
  readonly columns: readonly string[];
  readonly dialect: CsvDialect;
}

const CANDIDATES = [',', ';', '\t', '|'];

/** The first row's text (up to its line end outside quotes), at most 64 KiB of it. */
function firstRow(text: string, quote: string): string {
  let inQuote = false;
  const n = Math.min(text.length, 65536);
  for (let i = 0; i < n; i++) {
    const c = text[i];
    if (c === quote) inQuote = !inQuote;
    else if (!inQuote && (c === '\n' || c === '\r')) return text.slice(0, i);
  }
  return text.slice(0, n);
}

/** The delimiter the header row uses most, outside quotes (`,` when it has none of them). */
export function detectDelimiter(text: string, quote = '"'): string {
  const row = firstRow(text, quote);
  const counts = new Map<string, number>(CANDIDATES.map((c) => [c, 0]));
  let inQuote = false;
  for (const c of row) {
    if (c === quote) inQuote = !inQuote;
    else if (!inQuote && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ',';
  for (const c of CANDIDATES) if (counts.get(c)! > counts.get(best)!) best = c;
  return best;
}

export function dialectOf(text: string, def: FormatDef | undefined): CsvDialect {
  const quote = def?.quote ?? '"';
  return { delimiter: def?.delimiter ?? detectDelimiter(text, quote), quote, headerRow: def?.headerRow ?? true };
}

/** Header names as record keys: trimmed, an empty one as column<N>, a repeated one with _2, _3. */
export function columnNames(header: readonly string[]): string[] {
  const seen = new Set<string>();
  return header.map((raw, i) => {
    const base = raw.trim() || `column${i + 1}`;
    let name = base;
    for (let k = 2; seen.has(name.toLowerCase()); k++) name = `${base}_${k}`;
    seen.add(name.toLowerCase());
    return name;
  });
}

function malformed(e: Error & { code?: string; lines?: number; column?: number | string }): RestSqlError {
  const line = typeof e.lines === 'number' ? e.lines : undefined;
  const field = typeof e.column === 'number' ? e.column + 1 : undefined;
  const reason = e.message.replace(/\s*at line \d+.*$/s, '').replace(/ on line \d+$/, '');
  return new RestSqlError('HTTP_MALFORMED_BODY', `the CSV body breaks${line ? ` at line ${line}` : ''}${field ? `, field ${field}` : ''}: ${reason}.`, {
    hint: 'Check the delimiter and quoting ("#delimiter", "#quote" on the table); every row needs as many fields as the header row. If the endpoint does not return CSV, set "#format" for the table.',
    details: { format: 'csv', ...(line ? { line } : {}), ...(field ? { field } : {}), ...(e.code ? { reason: e.code } : {}) },
  });
}

/** Parses a CSV body; `sampling` types the fields as sampling reads them. */
export function parseCsv(text: string, def?: FormatDef, sampling = false): ParsedCsv {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const dialect = dialectOf(body, def);
  let rows: string[][];
  try {
    rows = csvParse().parse(body, { delimiter: dialect.delimiter, quote: dialect.quote, escape: dialect.quote, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (e) {
    throw malformed(e as Error);
  }
  if (rows.length === 0) return { records: [], columns: [], dialect };
  const columns = dialect.headerRow ? columnNames(rows[0]!) : rows[0]!.map((_f, i) => `column${i + 1}`);
  const records: Record<string, unknown>[] = [];
  for (let r = dialect.headerRow ? 1 : 0; r < rows.length; r++) {
    const row = rows[r]!;
    // No prototype: a column named __proto__ or constructor is data like any other.
    const record = Object.create(null) as Record<string, unknown>;
    for (let i = 0; i < columns.length; i++) {
      const v = row[i] ?? '';
      record[columns[i]!] = sampling ? sampledText(v) : v === '' ? null : v;
    }
    records.push(record);
  }
  return { records, columns, dialect };
}

/**
 * How many records a CSV page holds, counted without parsing (bulk loading): line ends outside
 * quotes, less the header row, blank lines not counted.
 */
export function countCsvRecords(raw: Buffer, dialect: CsvDialect): number {
  const q = dialect.quote.charCodeAt(0);
  let inQuote = false;
  let rows = 0;
  let content = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === q) {
      inQuote = !inQuote;
      content = true;
    } else if (!inQuote && c === 0x0a) {
      if (content) rows++;
      content = false;
    } else if (c !== 0x0d) content = true;
  }
  if (content) rows++;
  return Math.max(0, rows - (dialect.headerRow ? 1 : 0));
}
