/**
 * The output formats: `table` (and its expanded layout) for people, `csv`, `json` and `ndjson`
 * for programs. This module stays light (main.ts imports FORMATS from it): the table code loads
 * string-width only when a cell needs it (display-width.ts).
 */
import type { JsonValue, ResultColumn } from '../engine/values.js';
import { displayText } from './cells.js';
import { csvFormatter, jsonFormatter, ndjsonFormatter } from './data-formats.js';
import { loadDisplayWidth } from './display-width.js';
import { renderExpanded } from './expanded.js';
import { renderTable, tableCells, tableWidth, type LayoutOptions } from './table-layout.js';

export { FORMATS, type Format, type FormatOptions } from './output-options.js';
import type { Format, FormatOptions } from './output-options.js';

type Row = Record<string, JsonValue>;
export type Write = (text: string) => void;

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


/**
 * A formatter writing to `write`. The table format measures non-ASCII text with string-width,
 * which this synchronous function loads at the first such cell with require() (Node 20.19+);
 * use `openFormatter`, which loads it beforehand where needed, unless you know the runtime.
 */
export function createFormatter(format: Format, write: Write, options: FormatOptions = {}): Formatter {
  switch (format) {
    case 'ndjson':
      return ndjsonFormatter(write);
    case 'json':
      return jsonFormatter(write);
    case 'csv':
      return csvFormatter(write, options.nullText ?? '', options.csvEol ?? '\n');
    case 'table': {
      const layout: LayoutOptions = {
        maxWidth: options.maxWidth,
        nullText: displayText(options.nullText ?? 'NULL', options.terminal),
        terminal: options.terminal ?? false,
        redact: options.redact,
      };
      let columns: readonly ResultColumn[] = [];
      const all: Row[] = [];
      return {
        begin: (c) => void (columns = c),
        rows: (rs) => {
          for (const r of rs) all.push(r);
        },
        end: () => write(renderResult(columns, all, layout, options.expanded ?? false)),
      };
    }
    default: {
      const never: never = format;
      throw new Error(`unhandled format ${String(never)}`);
    }
  }
}

/** createFormatter, with string-width loaded first for the table format on a Node that cannot require() it. */
export async function openFormatter(format: Format, write: Write, options: FormatOptions = {}): Promise<Formatter> {
  if (format === 'table' && !(process.features as { require_module?: boolean }).require_module) await loadDisplayWidth();
  return createFormatter(format, write, options);
}

function renderResult(columns: readonly ResultColumn[], rows: readonly Row[], layout: LayoutOptions, expanded: boolean | 'auto'): string {
  if (expanded === true) return renderExpanded(columns, rows, layout);
  const cells = tableCells(columns, rows, layout);
  const limit = layout.maxWidth;
  if (expanded === 'auto' && limit !== undefined && limit > 0 && rows.length > 0 && tableWidth(cells.widths) > limit) return renderExpanded(columns, rows, layout);
  return renderTable(columns, rows, layout, cells);
}
