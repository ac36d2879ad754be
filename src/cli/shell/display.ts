/**
 * How the shell prints a result: the one place it calls the CLI's formatter (cli/format.ts),
 * with the shell's settings (format, expanded display) and the terminal's width. The text is
 * built whole, so the REPL can tell whether it needs a pager.
 */
import type { JsonValue, ResultColumn } from '../../engine/values.js';
import { createFormatter, type Format, type FormatOptions } from '../format.js';
import type { ExpandedMode } from './meta-commands.js';

export interface DisplaySettings {
  format: Format;
  expanded: ExpandedMode;
}

/** Where the text goes: a terminal (and how wide), or a pipe or file. */
export interface DisplayTarget {
  readonly terminal: boolean;
  readonly columns?: number;
  /** Masks secrets in each cell before it is measured and cut (Connection.redact). */
  readonly redact?: (text: string) => string;
}

export interface ResultLike {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly Record<string, JsonValue>[];
}

/** The options the formatter gets for `settings` on `target`. */
export function formatOptions(settings: DisplaySettings, target: DisplayTarget): FormatOptions {
  return {
    expanded: settings.expanded === 'auto' ? 'auto' : settings.expanded === 'on',
    terminal: target.terminal,
    ...(target.terminal && target.columns ? { maxWidth: target.columns } : {}),
    ...(target.redact ? { redact: target.redact } : {}),
  };
}

/**
 * The text of one result. A statement with no result columns (CREATE, SET, ...) prints `OK` in
 * the table format and nothing in the others.
 */
export function renderResult(result: ResultLike, settings: DisplaySettings, target: DisplayTarget): string {
  if (result.columns.length === 0) return settings.format === 'table' ? 'OK\n' : '';
  let text = '';
  const f = createFormatter(settings.format, (t) => void (text += t), formatOptions(settings, target));
  f.begin(result.columns);
  f.rows(result.rows);
  f.end();
  return text;
}
