/**
 * `restsql describe --erd [mermaid|dot|svg] [TABLE]`: the tables (every one, or TABLE with the
 * tables above and below it) with their columns, keys and child-to-parent links, as Mermaid, DOT
 * or SVG.
 */
import { RestSqlError } from '../../errors/index.js';
import type { TableInfo } from '../../index.js';
import { useConnection, type ConnFlags } from '../connect.js';
import { erdDot } from '../erd/dot.js';
import { erdMermaid } from '../erd/mermaid.js';
import { renderSvg } from '../erd/svg.js';
import { ERD_FORMATS, isErdFormat, maskedTables, relatedTables, type ErdFormat } from '../erd/tables.js';
import type { CliContext } from '../io.js';
import { findTable } from '../table-list.js';
import { writeOutput } from './catalog.js';

const DRAW: Readonly<Record<ErdFormat, (tables: readonly TableInfo[]) => string | Promise<string>>> = {
  mermaid: erdMermaid,
  dot: erdDot,
  svg: (tables) => renderSvg(erdDot(tables)),
};

export interface ErdFlags extends ConnFlags {
  /** `--erd` alone is `true`; `--erd WORD` is the word. */
  erd: string | true;
  output?: string;
  /** Whether --format was given (it shapes the column list, not a diagram). */
  formatGiven?: boolean;
}

/**
 * The diagram's format and table from `--erd [WORD] [TABLE]`. `--erd` takes an optional value, so
 * in `describe --erd orders` the table name arrives as the value: a word that is not a format is
 * the table.
 */
export function erdRequest(erd: string | true, table: string | undefined): { format: ErdFormat; table: string | undefined } {
  if (erd === true) return { format: 'mermaid', table };
  const word = erd.toLowerCase();
  if (isErdFormat(word)) return { format: word, table };
  if (table === undefined) return { format: 'mermaid', table: erd };
  throw new RestSqlError('USAGE', `--erd draws ${ERD_FORMATS.join(', ')}, not '${erd}'.`, {
    hint: `restsql describe ${table} --erd svg -o ${table}.svg`,
    details: { erd },
  });
}

export async function runErd(ctx: CliContext, name: string | undefined, flags: ErdFlags): Promise<void> {
  if (flags.formatGiven) {
    throw new RestSqlError('USAGE', '--format shapes the column list, not a diagram.', { hint: 'Drop --format, and choose the diagram with --erd mermaid, --erd dot or --erd svg.' });
  }
  const { format, table } = erdRequest(flags.erd, name);
  await useConnection(ctx, flags, async (conn) => {
    const all = await conn.tables();
    const shown = table === undefined ? all : relatedTables(all, findTable(all, table));
    // Names pass through the redactor before they are laid out, and the text again after.
    const tables = maskedTables(shown, (s) => conn.redact(s));
    const text = await DRAW[format](tables);
    await writeOutput(ctx, flags.output, conn.redact(text));
  });
}
