/**
 * Expanded display (psql's `\x`): each row as a block headed `-[ RECORD 1 ]----`, then one
 * `column | value` line per column, for rows too wide to read across. With a `maxWidth`, values
 * (and, on a very narrow screen, column names) are cut to fit with '…'; without one nothing is.
 */
import type { JsonValue, ResultColumn } from '../engine/values.js';
import { cellText, displayText } from './cells.js';
import { displayWidth, padToWidth, truncateToWidth } from './display-width.js';
import { MIN_COLUMN_WIDTH, SEPARATOR_WIDTH, type LayoutOptions } from './table-layout.js';

type Row = Record<string, JsonValue>;

/** The narrowest a value gets before column names are narrowed instead. */
const MIN_VALUE_WIDTH = 10;

export function renderExpanded(columns: readonly ResultColumn[], rows: readonly Row[], o: LayoutOptions): string {
  const count = `(${rows.length} row${rows.length === 1 ? '' : 's'})`;
  if (columns.length === 0) return count + '\n';
  const limit = o.maxWidth !== undefined && o.maxWidth > 0 ? o.maxWidth : undefined;
  const names = columns.map((c) => displayText(o.redact ? o.redact(c.name) : c.name, o.terminal));
  let nameWidth = Math.max(...names.map(displayWidth));
  if (limit !== undefined && limit - SEPARATOR_WIDTH - nameWidth < MIN_VALUE_WIDTH) {
    nameWidth = Math.min(nameWidth, Math.max(MIN_COLUMN_WIDTH, limit - SEPARATOR_WIDTH - MIN_VALUE_WIDTH));
  }
  const valueWidth = limit === undefined ? Infinity : Math.max(1, limit - SEPARATOR_WIDTH - nameWidth);
  const shownNames = names.map((n) => padToWidth(truncateToWidth(n, nameWidth), nameWidth, 'left'));
  const blocks = rows.map((r) => columns.map((c) => truncateToWidth(cellText(r[c.name], o.nullText, o.terminal, o.redact), valueWidth)));
  // As psql: every record's rule as wide as the widest line of the result (within the limit).
  let widest = 0;
  for (const values of blocks) for (const v of values) widest = Math.max(widest, displayWidth(v));
  widest += nameWidth + SEPARATOR_WIDTH;
  const out: string[] = [];
  blocks.forEach((values, index) => {
    const label = `-[ RECORD ${index + 1} ]`;
    const ruleWidth = Math.max(label.length, limit === undefined ? widest : Math.min(widest, limit));
    out.push(label + '-'.repeat(ruleWidth - label.length));
    values.forEach((v, i) => out.push(`${shownNames[i]} | ${v}`.trimEnd()));
  });
  out.push(count);
  return out.join('\n') + '\n';
}
