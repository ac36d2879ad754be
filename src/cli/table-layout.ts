/**
 * The aligned table for people (`--format table`): a header, a rule, one line per row, a row
 * count. Columns are as wide as their widest cell, measured in terminal columns
 * (display-width.ts); numbers are right-aligned. With a `maxWidth` (a terminal's width, or
 * --max-width), a table wider than that has its widest columns narrowed, fairly, down to
 * MIN_COLUMN_WIDTH, and cells cut to fit end in '…'. Without one nothing is cut.
 */
import type { JsonValue, ResultColumn } from '../engine/values.js';
import { cellText, displayText, isNumeric } from './cells.js';
import { displayWidth, padToWidth, truncateToWidth } from './display-width.js';

type Row = Record<string, JsonValue>;

/** No column is narrowed below this many columns (a narrower one keeps its own width). */
export const MIN_COLUMN_WIDTH = 5;
/** Between two columns: ' | '. */
export const SEPARATOR_WIDTH = 3;

/** What renderTable and renderExpanded need to know besides the data. */
export interface LayoutOptions {
  /** Total line width; undefined (or 0) = no limit. */
  readonly maxWidth?: number | undefined;
  /** Text for NULL (already one line). */
  readonly nullText: string;
  /** The output is a terminal (bidirectional controls are escaped too). */
  readonly terminal: boolean;
  /** Masks secrets in a cell or a column name before it is measured and cut. */
  readonly redact?: ((text: string) => string) | undefined;
}

/** The cells of a result as display text, with each column's natural width (header included). */
export interface TableCells {
  readonly names: string[];
  readonly cells: string[][];
  readonly widths: number[];
}

export function tableCells(columns: readonly ResultColumn[], rows: readonly Row[], o: LayoutOptions): TableCells {
  const names = columns.map((c) => displayText(o.redact ? o.redact(c.name) : c.name, o.terminal));
  const cells = rows.map((r) => columns.map((c) => cellText(r[c.name], o.nullText, o.terminal, o.redact)));
  // No spread of the rows into Math.max: argument lists overflow the stack at ~125,000 rows.
  const widths = names.map(displayWidth);
  for (const row of cells) {
    for (let i = 0; i < row.length; i++) {
      const w = displayWidth(row[i]!);
      if (w > widths[i]!) widths[i] = w;
    }
  }
  return { names, cells, widths };
}

/** The width of a table's lines with these column widths. */
export function tableWidth(widths: readonly number[]): number {
  return widths.reduce((a, b) => a + b, 0) + SEPARATOR_WIDTH * Math.max(0, widths.length - 1);
}

/**
 * Column widths that fit `budget` columns in all: unchanged when they fit; else every column
 * wider than a cap C is cut to C, with C as large as fits (the widest columns lose the most, the
 * narrow ones nothing), the columns left over handed out one each to the widest. No column goes
 * below min(its width, MIN_COLUMN_WIDTH); when even that does not fit, those minimums.
 */
export function fitWidths(natural: readonly number[], budget: number): number[] {
  const total = natural.reduce((a, b) => a + b, 0);
  if (total <= budget) return [...natural];
  const floor = natural.map((w) => Math.min(w, MIN_COLUMN_WIDTH));
  const capped = (cap: number) => natural.map((w, i) => Math.max(floor[i]!, Math.min(w, cap)));
  const sum = (ws: readonly number[]) => ws.reduce((a, b) => a + b, 0);
  if (sum(floor) >= budget) return floor;
  // The largest cap that fits (binary search; sum(capped(cap)) grows with cap).
  let lo = MIN_COLUMN_WIDTH;
  let hi = Math.max(...natural);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sum(capped(mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const widths = capped(lo);
  let spare = budget - sum(widths);
  const order = natural.map((w, i) => ({ w, i })).filter(({ w, i }) => w > widths[i]!).sort((a, b) => b.w - a.w || a.i - b.i);
  for (const { i } of order) {
    if (spare <= 0) break;
    widths[i]!++;
    spare--;
  }
  return widths;
}

const rowCount = (n: number) => `(${n} row${n === 1 ? '' : 's'})`;

/** The table's text, ending in a line break. */
export function renderTable(columns: readonly ResultColumn[], rows: readonly Row[], o: LayoutOptions, cells: TableCells = tableCells(columns, rows, o)): string {
  if (columns.length === 0) return rowCount(rows.length) + '\n';
  const limit = o.maxWidth !== undefined && o.maxWidth > 0 ? o.maxWidth : undefined;
  const widths = limit === undefined ? cells.widths : fitWidths(cells.widths, limit - SEPARATOR_WIDTH * (columns.length - 1));
  const right = columns.map(isNumeric);
  const line = (vals: readonly string[]) =>
    vals
      .map((v, i) => padToWidth(truncateToWidth(v, widths[i]!), widths[i]!, right[i] ? 'right' : 'left'))
      .join(' | ')
      .trimEnd();
  const out = [line(cells.names), widths.map((w) => '-'.repeat(w)).join('-+-')];
  for (const row of cells.cells) out.push(line(row));
  out.push(rowCount(rows.length));
  return out.join('\n') + '\n';
}
