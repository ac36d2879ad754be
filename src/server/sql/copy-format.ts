import { RestSqlError } from '../../errors/index.js';
import type { CopyOptions } from './copy-command.js';

/**
 * Rows as COPY TO writes them (PostgreSQL 15 sql-copy, "File Formats"; copyto.c
 * CopyAttributeOutText and CopyAttributeOutCSV), one line per row ended by a newline. Values
 * arrive as the text the server would send for them (NULL as null).
 *
 * Text format: values separated by the delimiter, NULL as the NULL string (written as is), and in
 * a value a backslash before each backslash and delimiter, and \b \f \n \r \t \v for those six
 * control characters; other characters as they are.
 *
 * CSV format: NULL as the NULL string unquoted; a value is quoted when FORCE_QUOTE names its
 * column, when it equals the NULL string (so an empty string and NULL differ), when it holds the
 * delimiter, the quote, a carriage return or a line feed, or, in a one-column COPY, when it is
 * `\.` (which would read back as the end-of-data marker). Inside quotes the quote and the escape
 * character are each preceded by the escape character.
 *
 * `columns` are the result's column names: FORCE_QUOTE names are looked up in them.
 */
export function copyRowFormatter(options: CopyOptions, columns: readonly string[] = []): (values: readonly (string | null)[]) => string {
  if (options.format === 'binary') throw binaryRefused();
  if (options.format === 'text') {
    return (values) => values.map((v) => (v === null ? options.null : textValue(v, options.delimiter))).join(options.delimiter) + '\n';
  }
  const forced = forcedColumns(options, columns);
  return (values) => {
    const single = values.length === 1;
    return values.map((v, i) => (v === null ? options.null : csvValue(v, options, forced(i), single))).join(options.delimiter) + '\n';
  };
}

/** The HEADER line: the column names, escaped (text) or quoted (csv) like values but never forced. */
export function copyHeader(names: readonly string[], options: CopyOptions): string {
  if (options.format === 'binary') throw binaryRefused();
  const single = names.length === 1;
  return names.map((n) => (options.format === 'text' ? textValue(n, options.delimiter) : csvValue(n, options, false, single))).join(options.delimiter) + '\n';
}

function binaryRefused(): RestSqlError {
  return new RestSqlError('SERVER_UNSUPPORTED', 'restsql serve does not write COPY BINARY', { hint: 'Use COPY ... TO STDOUT (FORMAT csv) or the default text format.' });
}

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

function textValue(v: string, delimiter: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    let replacement: string | undefined;
    if (c.charCodeAt(0) < 0x20) replacement = TEXT_ESCAPES[c] ?? (c === delimiter ? `\\${c}` : undefined);
    else if (c === '\\' || c === delimiter) replacement = `\\${c}`;
    if (replacement !== undefined) {
      out += v.slice(from, i) + replacement;
      from = i + 1;
    }
  }
  return from === 0 ? v : out + v.slice(from);
}

function csvValue(v: string, o: CopyOptions, forced: boolean, single: boolean): string {
  let quote = forced || v === o.null;
  if (!quote) {
    if (single && v === '\\.') quote = true;
    else {
      for (let i = 0; i < v.length && !quote; i++) {
        const c = v[i];
        quote = c === o.delimiter || c === o.quote || c === '\n' || c === '\r';
      }
    }
  }
  if (!quote) return v;
  let out = o.quote;
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    if (c === o.quote || c === o.escape) out += o.escape;
    out += c;
  }
  return out + o.quote;
}

/** Which columns FORCE_QUOTE forces, by index; a name not among the columns is an error, as in PostgreSQL. */
function forcedColumns(options: CopyOptions, columns: readonly string[]): (index: number) => boolean {
  const fq = options.forceQuote;
  if (fq === '*') return () => true;
  const indices = new Set<number>();
  for (const name of fq) {
    const i = columns.indexOf(name);
    if (i < 0) {
      throw new RestSqlError('QUERY_UNKNOWN_COLUMN', `column "${name}" does not exist`, {
        details: { column: name },
        hint: `FORCE_QUOTE names columns of the COPY's result: ${columns.map((c) => `"${c}"`).join(', ') || 'none'}.`,
      });
    }
    indices.add(i);
  }
  return (i) => indices.has(i);
}
