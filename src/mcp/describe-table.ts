/**
 * The describe_table tool: a table's columns (type, key), the parent it belongs to with the join
 * columns, and its child tables with theirs. An unknown name is an error result naming it and the
 * tables whose names come closest.
 */
import { z } from 'zod';
import { RestSqlError } from '../errors/index.js';
import type { TableInfo } from '../engine/connection.js';
import type { ConnectionGate } from './connection-gate.js';
import { csvText } from './csv-text.js';
import { closeNames } from './close-names.js';
import { guarded, textResult } from './tool-result.js';
import type { ToolDef } from './tool.js';

const input = { table: z.string().min(1).max(1000).describe('the table name, as list_tables gives it (case-insensitive)') };

const link = z.array(z.object({ column: z.string(), parent_column: z.string() }));

/** The table named `name` (case-insensitively), or QUERY_UNKNOWN_TABLE listing the closest names. */
export function findTable(tables: readonly TableInfo[], name: string): TableInfo {
  const t = tables.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (t) return t;
  const near = closeNames(name, tables.map((x) => x.name));
  throw new RestSqlError('QUERY_UNKNOWN_TABLE', `No table named '${name}'.${near.length > 0 ? ` Close names: ${near.join(', ')}.` : ''}`, {
    hint: 'Call list_tables for the table names.',
    details: { table: name, close: near },
  });
}

export function describeTableTool(gate: ConnectionGate): ToolDef<typeof input> {
  const conn = gate.connection;
  const redact = conn.redact.bind(conn);
  return {
    name: 'describe_table',
    config: {
      title: 'Describe a table',
      description: 'Describes one table: its columns with their SQL types and whether each is part of the key; for a child table, its parent and the columns that join it to the parent (JOIN parent p ON child.column = p.parent_column); its child tables and how each joins back.',
      inputSchema: input,
      outputSchema: {
        table: z.string(),
        columns: z.array(z.object({ name: z.string(), type: z.string(), key: z.boolean() })),
        parent: z.object({ table: z.string(), join: link }).nullable(),
        children: z.array(z.object({ table: z.string(), join: link })),
      },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    handler: (args) =>
      guarded(redact, async () => {
        const tables = await gate.run((c) => c.tables());
        const t = findTable(tables, args.table);
        const joinOf = (x: TableInfo) => x.parentKey.map((k) => ({ column: k.column, parent_column: k.parentColumn }));
        const parent = t.parent === null ? null : { table: t.parent, join: joinOf(t) };
        const children = tables.filter((x) => x.parent !== null && x.parent.toLowerCase() === t.name.toLowerCase()).map((x) => ({ table: x.name, join: joinOf(x) }));
        const columns = t.columns.map((c) => ({ name: c.name, type: c.type, key: c.key }));
        const on = (child: string, parentTable: string, join: { column: string; parent_column: string }[]) => join.map((j) => `${child}.${j.column} = ${parentTable}.${j.parent_column}`).join(' AND ');
        const lines = [`table ${t.name}`, csvText(['name', 'type', 'key'], columns).trimEnd()];
        if (parent) lines.push(`parent: ${parent.table} (JOIN ${parent.table} ON ${on(t.name, parent.table, parent.join)})`);
        for (const c of children) lines.push(`child table: ${c.table} (JOIN ${c.table} ON ${on(c.table, t.name, c.join)})`);
        return textResult(lines.join('\n') + '\n', redact, { table: t.name, columns, parent, children });
      }),
  };
}
