import type { JsonValue, ResultColumn } from '../engine/values.js';
import { escapeControls } from '../util/terminal.js';

export const FORMATS = ['table', 'csv', 'json', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

type Row = Record<string, JsonValue>;
export type Write = (text: string) => void;

/** Text of one cell for table and CSV output. */
function text(v: JsonValue): string {
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function csvField(v: JsonValue): string {
  const s = text(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Writes result rows as they come (batches), so csv/json/ndjson never hold the whole result.
 * `table` collects rows to align columns, as it is meant for people, and escapes control
 * characters (a terminal would obey them). csv, json and ndjson are for programs: the data stays
 * exact (JSON escapes controls itself; a CSV field holds them as they are).
 */
export interface Formatter {
  begin(columns: readonly ResultColumn[]): void;
  rows(rows: readonly Row[]): void;
  end(): void;
}

const MAX_CELL = 40;

export function createFormatter(format: Format, write: Write): Formatter {
  let columns: readonly ResultColumn[] = [];
  switch (format) {
    case 'ndjson':
      return { begin: (c) => void (columns = c), rows: (rs) => rs.forEach((r) => write(JSON.stringify(r) + '\n')), end: () => {} };
    case 'json': {
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
    case 'csv':
      return {
        begin: (c) => {
          columns = c;
          write(c.map((col) => csvField(col.name)).join(',') + '\r\n');
        },
        rows: (rs) => rs.forEach((r) => write(columns.map((c) => csvField(r[c.name] ?? null)).join(',') + '\r\n')),
        end: () => {},
      };
    case 'table': {
      const all: Row[] = [];
      return {
        begin: (c) => void (columns = c),
        rows: (rs) => {
          for (const r of rs) all.push(r);
        },
        end: () => write(renderTable(columns, all)),
      };
    }
    default: {
      const never: never = format;
      throw new Error(`unhandled format ${String(never)}`);
    }
  }
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|DOUBLE|FLOAT|REAL|DECIMAL.*)$/;

/** One line of text for a terminal: line breaks shown as `\n`, other control characters as `\x1b`. */
function clip(s: string): string {
  const one = escapeControls(s.replace(/\r?\n/g, '\\n'));
  return one.length > MAX_CELL ? one.slice(0, MAX_CELL - 1) + '…' : one;
}

/** An aligned table for people: numbers right-aligned, NULL shown, wide cells truncated, a row count. */
export function renderTable(columns: readonly ResultColumn[], rows: readonly Row[]): string {
  if (columns.length === 0) return `(${rows.length} row${rows.length === 1 ? '' : 's'})\n`;
  const names = columns.map((c) => escapeControls(c.name));
  const cells = rows.map((r) => columns.map((c) => (r[c.name] === null ? 'NULL' : clip(text(r[c.name] ?? null)))));
  // No spread of the rows into Math.max: argument lists overflow the stack at ~125,000 rows.
  const widths = names.map((n) => n.length);
  for (const row of cells) for (let i = 0; i < row.length; i++) if (row[i]!.length > widths[i]!) widths[i] = row[i]!.length;
  const right = columns.map((c) => NUMERIC.test(c.type));
  const line = (vals: string[]) => vals.map((v, i) => (right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ').trimEnd();
  const out = [line(names), widths.map((w) => '-'.repeat(w)).join('-+-')];
  for (const row of cells) out.push(line(row));
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return out.join('\n') + '\n';
}
