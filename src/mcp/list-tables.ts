/** The list_tables tool: every table of the connection, with its parent (child tables) and its number of columns. */
import { z } from 'zod';
import type { ConnectionGate } from './connection-gate.js';
import { csvText } from './csv-text.js';
import { guarded, textResult } from './tool-result.js';
import type { ToolDef } from './tool.js';

export function listTablesTool(gate: ConnectionGate): ToolDef {
  const conn = gate.connection;
  return {
    name: 'list_tables',
    config: {
      title: 'List tables',
      description: 'Lists the SQL tables of this REST API connection: each table\'s name, its parent table (for a child table made from an array in the parent\'s records; join on the columns describe_table lists) and its number of columns. Call describe_table for the columns.',
      inputSchema: {},
      outputSchema: {
        tables: z.array(z.object({ name: z.string(), parent: z.string().nullable(), columns: z.number().int() })),
      },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    handler: () =>
      guarded(conn.redact.bind(conn), async () => {
        const tables = (await gate.run((c) => c.tables())).map((t) => ({ name: t.name, parent: t.parent, columns: t.columns.length }));
        return textResult(csvText(['name', 'parent', 'columns'], tables), conn.redact.bind(conn), { tables });
      }),
  };
}
