/**
 * The query tool: one SQL statement over the API tables, with a row limit (`truncated` says when
 * rows were left out) and a deadline (Connection.interrupt: DuckDB stops, fetches are aborted).
 * Read-only unless the server runs with --allow-writes: the statement's type is read from DuckDB's
 * prepare before anything runs (only SELECT and EXPLAIN pass), and it runs through
 * Connection.open's read-only mode, which refuses writes to API tables, procedures that write,
 * REFRESH MAP and EXPLAIN ANALYZE of a statement that changes state, as a READ ONLY transaction of
 * `restsql serve` does.
 */
import { z } from 'zod';
import { duckdb } from '../engine/duckdb-api.js';
import { rowObjects, type JsonValue, type ResultColumn } from '../engine/values.js';
import { RestSqlError } from '../errors/index.js';
import type { Connection } from '../engine/connection.js';
import type { ConnectionGate } from './connection-gate.js';
import { csvText } from './csv-text.js';
import type { McpLimits } from './limits.js';
import { guarded, textResult } from './tool-result.js';
import type { ToolDef } from './tool.js';

/** DuckDB StatementTypes a read-only server runs: SELECT 1, EXPLAIN 4, RELATION 22. */
const READ_TYPES: ReadonlySet<number> = new Set([1, 4, 22]);

export interface QueryOutput {
  readonly columns: ResultColumn[];
  readonly rows: Record<string, JsonValue>[];
  readonly row_count: number;
  readonly truncated: boolean;
  /** Rows changed by a write (--allow-writes); absent for reads. */
  readonly rows_changed?: number;
}

function readOnlyError(what: string): RestSqlError {
  return new RestSqlError('READ_ONLY', `restsql mcp runs read-only: ${what} is refused.`, {
    hint: 'Query with SELECT. To let MCP clients write, start the server with --allow-writes (writes go to the API as INSERT, UPDATE and DELETE do in restsql query).',
  });
}

/** Runs `sql` (one statement) on `conn`, reading at most `maxRows` rows. */
export async function runStatement(conn: Connection, sql: string, maxRows: number, allowWrites: boolean): Promise<QueryOutput> {
  const count = await conn.statementCount(sql);
  if (count > 1) {
    throw new RestSqlError('QUERY_NOT_ALLOWED', `The query holds ${count} statements; the query tool runs one at a time.`, { hint: 'Send each statement in a call of its own.', details: { statements: count } });
  }
  if (!allowWrites) {
    // The statement's type from DuckDB's prepare: nothing runs, nothing is fetched.
    const shape = await conn.describe(sql);
    if (!READ_TYPES.has(shape.statementType)) throw readOnlyError('a statement that is not a SELECT');
  }
  const open = await conn.open(sql, undefined, { readOnly: !allowWrites }).catch((e: unknown) => {
    // The engine's read-only refusals speak to a PostgreSQL client (BEGIN ...); an MCP client's fix is the server's flag.
    if (e instanceof RestSqlError && e.code === 'READ_ONLY' && !allowWrites) throw readOnlyError(e.message.replace(/^cannot execute (.*) in a read-only transaction.*$/s, '$1'));
    throw e;
  });
  if (!allowWrites && !READ_TYPES.has(open.statementType)) throw readOnlyError('a statement that is not a SELECT');
  const columns = open.resultColumns;
  const rows: Record<string, JsonValue>[] = [];
  let truncated = false;
  for (let chunk = await open.next(); chunk; chunk = await open.next()) {
    const batch = rowObjects(chunk.convertRows(duckdb.JsonDuckDBValueConverter), columns);
    const room = maxRows - rows.length;
    if (batch.length > room) {
      rows.push(...batch.slice(0, room));
      // The rest is not read: the statement's result is dropped when the next one starts.
      truncated = true;
      break;
    }
    rows.push(...batch);
  }
  const wrote = columns.length === 0 || open.rowsChanged > 0;
  return { columns, rows, row_count: rows.length, truncated, ...(wrote ? { rows_changed: open.rowsChanged } : {}) };
}

/** The query's answer as text: CSV, then a line saying how many rows and whether some were left out. */
export function queryText(out: QueryOutput, maxRows: number): string {
  if (out.columns.length === 0) return `OK, ${out.rows_changed ?? 0} row(s) changed\n`;
  const csv = csvText(out.columns.map((c) => c.name), out.rows);
  const tail = out.truncated ? `(${out.row_count} rows shown; more were left out at the limit of ${maxRows}: add a LIMIT or a WHERE, or raise max_rows)` : `(${out.row_count} row${out.row_count === 1 ? '' : 's'})`;
  return `${csv}${tail}\n`;
}

export function queryTool(gate: ConnectionGate, limits: McpLimits, allowWrites: boolean) {
  const conn = gate.connection;
  const redact = conn.redact.bind(conn);
  const input = {
    sql: z.string().min(1).max(1_000_000).describe('one SQL statement (DuckDB dialect) over the tables list_tables names'),
    max_rows: z.number().int().min(1).optional().describe(`rows to return at most (default ${limits.defaultRows}; the server caps it at ${limits.maxRows})`),
    timeout_seconds: z.number().min(0.001).optional().describe(`seconds the query may run, its API fetches included (default and cap ${limits.timeoutSeconds})`),
  };
  const def: ToolDef<typeof input> = {
    name: 'query',
    config: {
      title: 'Run SQL',
      description:
        `Runs one SQL statement (DuckDB's dialect) over the API's tables and returns the rows as CSV text and as structured content (columns with their types, rows as objects, row_count, truncated). The tables are fetched from the API when a statement reads them; filters on the API's filter columns and LIMIT fetch less. ${allowWrites ? 'INSERT, UPDATE and DELETE on API tables are sent to the API.' : 'Read-only: only SELECT (and EXPLAIN, CALL of read-only procedures) runs.'} At most max_rows rows come back; truncated says when more were left out.`,
      inputSchema: input,
      outputSchema: {
        columns: z.array(z.object({ name: z.string(), type: z.string() })),
        rows: z.array(z.record(z.string(), z.unknown())),
        row_count: z.number().int(),
        truncated: z.boolean(),
        rows_changed: z.number().int().optional(),
      },
      annotations: { readOnlyHint: !allowWrites, destructiveHint: allowWrites, idempotentHint: !allowWrites, openWorldHint: true },
    },
    handler: (args) =>
      guarded(redact, async () => {
        const maxRows = Math.min(args.max_rows ?? limits.defaultRows, limits.maxRows);
        const seconds = Math.min(args.timeout_seconds ?? limits.timeoutSeconds, limits.timeoutSeconds);
        const out = await gate.withDeadline(seconds, (c) => runStatement(c, args.sql, maxRows, allowWrites));
        return textResult(queryText(out, maxRows), redact, { ...out });
      }),
  };
  return def;
}
