/**
 * The formats for programs: csv, json and ndjson. They write each batch of rows as it comes (a
 * result is never held whole) and keep the data exact: JSON escapes control characters itself;
 * a CSV field holds them as they are, quoted.
 */
import type { JsonValue, ResultColumn } from '../engine/values.js';
import { valueText } from './cells.js';

type Row = Record<string, JsonValue>;

export interface DataFormatter {
  begin(columns: readonly ResultColumn[]): void;
  rows(rows: readonly Row[]): void;
  end(): void;
}

export function ndjsonFormatter(write: (text: string) => void): DataFormatter {
  return { begin: () => {}, rows: (rs) => rs.forEach((r) => write(JSON.stringify(r) + '\n')), end: () => {} };
}

export function jsonFormatter(write: (text: string) => void): DataFormatter {
  let first = true;
  return {
    begin: () => write('['),
    rows: (rs) => {
      for (const r of rs) {
        write((first ? '\n' : ',\n') + JSON.stringify(r));
        first = false;
      }
    },
    end: () => write(first ? ']\n' : '\n]\n'),
  };
}

/**
 * One CSV field (RFC 4180 quoting). NULL is `nullText` unquoted (default: an empty field); a
 * string that would read back as NULL (empty, or equal to `nullText`) is quoted, as PostgreSQL's
 * COPY ... CSV does, so NULL and '' stay apart.
 */
export function csvField(v: JsonValue | undefined, nullText: string): string {
  if (v === null || v === undefined) return nullText;
  const s = valueText(v);
  return quoted(s, s === nullText);
}

function quoted(s: string, always: boolean): string {
  return always || /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** CSV with a header line; lines end with `eol` (LF unless --crlf). */
export function csvFormatter(write: (text: string) => void, nullText: string, eol: '\n' | '\r\n'): DataFormatter {
  let columns: readonly ResultColumn[] = [];
  return {
    begin: (c) => {
      columns = c;
      write(c.map((col) => quoted(col.name, false)).join(',') + eol);
    },
    rows: (rs) => {
      for (const r of rs) write(columns.map((c) => csvField(r[c.name], nullText)).join(',') + eol);
    },
    end: () => {},
  };
}
