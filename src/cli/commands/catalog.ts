/** `restsql tables` and `restsql describe`: the tables and a table's columns. */
import { RestSqlError } from '../../errors/index.js';
import { didYouMean } from '../../util/did-you-mean.js';
import { useConnection, type ConnFlags } from '../connect.js';
import { createFormatter, type Format } from '../format.js';
import type { CliContext } from '../io.js';

export interface ListFlags extends ConnFlags {
  format: Format;
}

export async function runTables(ctx: CliContext, flags: ListFlags): Promise<void> {
  await useConnection(ctx, flags, async (conn) => {
    const rows = (await conn.tables()).map((t) => ({ name: t.name, parent: t.parent, columns: t.columns.length, endpoint: t.endpoint }));
    const f = createFormatter(flags.format, (s) => void ctx.io.stdout.write(s));
    f.begin([
      { name: 'name', type: 'VARCHAR' },
      { name: 'parent', type: 'VARCHAR' },
      { name: 'columns', type: 'INTEGER' },
      { name: 'endpoint', type: 'VARCHAR' },
    ]);
    f.rows(rows);
    f.end();
  });
}

export async function runDescribe(ctx: CliContext, name: string, flags: ListFlags): Promise<void> {
  await useConnection(ctx, flags, async (conn) => {
    const tables = await conn.tables();
    const t = tables.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!t) {
      throw new RestSqlError('QUERY_UNKNOWN_TABLE', `No table named '${name}'.${didYouMean(name, tables.map((x) => x.name))}`, {
        hint: 'Run `restsql tables` to list the tables.',
        details: { table: name },
      });
    }
    const f = createFormatter(flags.format, (s) => void ctx.io.stdout.write(s));
    f.begin([
      { name: 'column', type: 'VARCHAR' },
      { name: 'type', type: 'VARCHAR' },
      { name: 'key', type: 'BOOLEAN' },
    ]);
    f.rows(t.columns.map((c) => ({ column: c.name, type: c.type, key: c.key })));
    f.end();
  });
}

export async function runSample(ctx: CliContext, url: string | undefined, flags: ConnFlags & { table?: string }): Promise<void> {
  if (url === undefined && flags.table) throw new RestSqlError('USAGE', '--table needs a URL to sample.', { hint: 'restsql sample URL --table NAME' });
  // Without a URL, the connection's own model: a model file as restsql resolved it (sampled entries filled in).
  const overrides: Record<string, string> | undefined = url === undefined ? undefined : { RestSamplePath: url, ...(flags.table ? { Table: flags.table } : {}) };
  await useConnection(ctx, flags, async (conn) => void ctx.io.stdout.write(conn.restModel()), overrides ? { overrides } : {});
}
