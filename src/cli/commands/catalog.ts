/** `restsql tables` and `restsql describe`: the tables and a table's columns. */
import { writeFile } from 'node:fs/promises';
import { RestSqlError } from '../../errors/index.js';
import { useConnection, type ConnFlags } from '../connect.js';
import { openFormatter, type Format } from '../format.js';
import type { CliContext } from '../io.js';
import { outputOptions, type OutputFlags } from '../output-options.js';
import { findTable, tableList } from '../table-list.js';

export interface ListFlags extends ConnFlags, OutputFlags {
  format: Format;
}

export async function runTables(ctx: CliContext, flags: ListFlags): Promise<void> {
  const look = outputOptions(flags, ctx.io);
  await useConnection(ctx, flags, async (conn) => {
    const list = tableList(await conn.tables());
    const f = await openFormatter(flags.format, (s) => void ctx.io.stdout.write(conn.redact(s)), { ...look, redact: (s) => conn.redact(s) });
    f.begin(list.columns);
    f.rows(list.rows);
    f.end();
  });
}

export interface DescribeFlags extends ListFlags {
  output?: string;
}

/** Writes `text` to `file` (--output), or to standard output without one. */
export async function writeOutput(ctx: CliContext, file: string | undefined, text: string): Promise<void> {
  if (file === undefined) {
    ctx.io.stdout.write(text);
    return;
  }
  try {
    await writeFile(file, text, { mode: 0o644 });
  } catch (e) {
    throw new RestSqlError('USAGE', `Cannot write ${file}: ${(e as Error).message}`, { hint: 'Check the --output path.', details: { file } });
  }
}

export async function runDescribe(ctx: CliContext, name: string | undefined, flags: DescribeFlags): Promise<void> {
  if (name === undefined) {
    throw new RestSqlError('USAGE', 'Name the table to describe.', {
      hint: 'restsql describe TABLE lists its columns (restsql tables lists the tables); restsql describe --erd draws every table.',
    });
  }
  const look = outputOptions(flags, ctx.io);
  await useConnection(ctx, flags, async (conn) => {
    const t = findTable(await conn.tables(), name);
    // Printed with this connection's secrets masked, to standard output as it comes, or to --output at the end.
    let text = '';
    const f = await openFormatter(flags.format, (s) => void (flags.output === undefined ? ctx.io.stdout.write(conn.redact(s)) : (text += s)), { ...look, redact: (s) => conn.redact(s) });
    f.begin([
      { name: 'column', type: 'VARCHAR' },
      { name: 'type', type: 'VARCHAR' },
      { name: 'key', type: 'BOOLEAN' },
    ]);
    f.rows(t.columns.map((c) => ({ column: c.name, type: c.type, key: c.key })));
    f.end();
    if (flags.output !== undefined) await writeOutput(ctx, flags.output, conn.redact(text));
  });
}

export async function runSample(ctx: CliContext, url: string | undefined, flags: ConnFlags & { table?: string }): Promise<void> {
  if (url === undefined && flags.table) throw new RestSqlError('USAGE', '--table needs a URL to sample.', { hint: 'restsql sample URL --table NAME' });
  // Without a URL, the connection's own model: a model file as restsql resolved it (sampled entries filled in).
  const overrides: Record<string, string> | undefined = url === undefined ? undefined : { RestSamplePath: url, ...(flags.table ? { Table: flags.table } : {}) };
  await useConnection(ctx, flags, async (conn) => void ctx.io.stdout.write(conn.restModel()), overrides ? { overrides } : {});
}
