/**
 * The output flags (--format, --max-width, --null, --crlf, -x/--expanded) as data for main.ts,
 * and their parsing into FormatOptions. Light: main.ts imports it at start-up, so it loads
 * neither the formatters nor string-width.
 */
import { RestSqlError } from '../errors/index.js';
import type { CliIo } from './io.js';

export const FORMATS = ['table', 'csv', 'json', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

/** How the output should look (docs/output.md); the CLI builds it from its flags with outputOptions. Re-exported by format.ts. */
export interface FormatOptions {
  /** Total line width of the table format; undefined (or 0) = no limit, nothing is cut. */
  maxWidth?: number;
  /** Table format only: one block per row (`true`), or only when the table would not fit maxWidth (`'auto'`). */
  expanded?: boolean | 'auto';
  /** How NULL shows: default 'NULL' in the table format, '' (an empty field) in csv. json and ndjson write null. */
  nullText?: string;
  /** The output is a terminal: the table format then also escapes bidirectional controls (U+202E...). */
  terminal?: boolean;
  /** CSV line ends (default LF). */
  csvEol?: '\n' | '\r\n';
  /**
   * Masks secrets in a text (Connection.redact). The table format masks each cell before it is
   * measured and cut, so a cut never leaves part of a secret and masked columns stay aligned;
   * callers still mask the whole output (csv and json are not laid out).
   */
  redact?: (text: string) => string;
}

/** The output flags as commander gives them. */
export interface OutputFlags {
  maxWidth?: string;
  null?: string;
  crlf?: boolean;
  expanded?: boolean;
  /** -o FILE: the output is then not the terminal. */
  output?: string;
}

/** Columns assumed for a terminal that does not say how wide it is. */
const DEFAULT_COLUMNS = 80;

/**
 * FormatOptions for a command's flags. On a terminal (stdout is a TTY and there is no -o FILE)
 * the table fits the terminal's width unless --max-width says otherwise; into a file or a pipe
 * nothing is cut unless --max-width asks. --max-width 0 means no limit.
 */
export function outputOptions(flags: OutputFlags, io: Pick<CliIo, 'stdout' | 'env'>): FormatOptions {
  const terminal = flags.output === undefined && io.stdout.isTTY === true;
  let maxWidth: number | undefined;
  if (flags.maxWidth !== undefined) {
    maxWidth = parseMaxWidth(flags.maxWidth);
  } else if (terminal) {
    maxWidth = io.stdout.columns ?? (Number(io.env.COLUMNS) > 0 ? Number(io.env.COLUMNS) : DEFAULT_COLUMNS);
  }
  return {
    terminal,
    ...(maxWidth !== undefined && maxWidth > 0 ? { maxWidth } : {}),
    ...(flags.null !== undefined ? { nullText: flags.null } : {}),
    ...(flags.crlf ? { csvEol: '\r\n' as const } : {}),
    ...(flags.expanded ? { expanded: true } : {}),
  };
}

function parseMaxWidth(text: string): number {
  if (!/^\d{1,6}$/.test(text.trim())) {
    throw new RestSqlError('USAGE', `--max-width takes a whole number of columns, not '${text}'.`, {
      hint: 'Give --max-width N (for example 100), or --max-width 0 for no limit.',
      details: { flag: '--max-width', value: text },
    });
  }
  return Number(text.trim());
}
