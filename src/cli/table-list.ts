/**
 * The tables as the CLI lists them (`restsql tables`, the shell's `\dt`) and finding one by name
 * (`restsql describe`, `describe --erd`, the shell's `\d`).
 */
import type { TableInfo } from '../engine/connection.js';
import type { JsonValue, ResultColumn } from '../engine/values.js';
import { RestSqlError } from '../errors/index.js';
import { didYouMean } from '../util/did-you-mean.js';

/** One row per table: its name, parent, column count and endpoint. */
export function tableList(tables: readonly TableInfo[]): { columns: ResultColumn[]; rows: Record<string, JsonValue>[] } {
  return {
    columns: [
      { name: 'name', type: 'VARCHAR' },
      { name: 'parent', type: 'VARCHAR' },
      { name: 'columns', type: 'INTEGER' },
      { name: 'endpoint', type: 'VARCHAR' },
    ],
    rows: tables.map((t) => ({ name: t.name, parent: t.parent, columns: t.columns.length, endpoint: t.endpoint })),
  };
}

/** The table named `name` (case-insensitively), or QUERY_UNKNOWN_TABLE naming the closest one; `hint` says how to list them. */
export function findTable(tables: readonly TableInfo[], name: string, hint = 'Run `restsql tables` to list the tables.'): TableInfo {
  const t = tables.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (t) return t;
  throw new RestSqlError('QUERY_UNKNOWN_TABLE', `No table named '${name}'.${didYouMean(name, tables.map((x) => x.name))}`, {
    hint,
    details: { table: name },
  });
}
