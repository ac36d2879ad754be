import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestSqlError } from '../errors/index.js';
import type { Row } from '../extract/flatten.js';
import type { ColumnType, TableDef } from '../model/types.js';
import type { BulkInsert, BulkJsonPlan } from './bulk-json.js';
import { sqlError } from './sql-error.js';
import { resultColumns, rowObjects, type JsonValue, type ResultColumn } from './values.js';

// require, not import: the package is CommonJS, and importing it makes Node lex its sources for
// named exports first (0.11 s of every start-up, measured).
const { DuckDBInstance, JsonDuckDBValueConverter } = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');

export interface StatementResult {
  readonly columns: ResultColumn[];
  readonly rows: Record<string, JsonValue>[];
  /** Rows changed, for statements that change rows. */
  readonly rowsChanged: number;
}

/** Quotes an identifier for DuckDB. */
export function ident(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}

const SQL_TYPE: Readonly<Record<ColumnType, string>> = {
  INTEGER: 'INTEGER',
  BIGINT: 'BIGINT',
  HUGEINT: 'HUGEINT',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  UUID: 'UUID',
  VARCHAR: 'VARCHAR',
  JSON: 'JSON',
};

/**
 * Loads record files (JSON arrays in the spool folder, in page order) by `plan` in one
 * transaction: the root table, and the child tables `children` names (lower case; all when
 * absent). Returns the number of records. Throws when DuckDB cannot read them as planned
 * (nothing is loaded then).
 */
export type BulkLoader = (plan: BulkJsonPlan, files: readonly string[], rowidBase: number, children?: ReadonlySet<string>) => Promise<number>;

/** The SQL engine (DESIGN.md `Engine`): one embedded DuckDB, locked down. */
export interface Engine {
  createTable(table: TableDef): Promise<void>;
  /** Empties `tables`, then fills them through `fill`; on failure they are left empty. */
  load(tables: readonly TableDef[], fill: (append: (table: TableDef, row: Row) => void, bulk: BulkLoader) => Promise<void>): Promise<Map<string, number>>;
  /** Runs bulk inserts on record files later (a child table loaded when first named), in one transaction. */
  insertSpooled(inserts: readonly BulkInsert[], files: readonly string[], rowidBase: number): Promise<void>;
  /** A private folder (0700) DuckDB may read spooled pages from; removed on close and at exit. */
  readonly spoolDir: string;
  /** DuckDB's getTableNames for `sql` (empty when it does not parse; running it reports why). */
  tableNames(sql: string): string[];
  /** DuckDB's parse tree of `sql` (json_serialize_sql), or undefined when it is not one SELECT. */
  serialize(sql: string): Promise<unknown>;
  /** How many statements `sql` holds (0 when it does not parse; running it reports why). */
  statementCount(sql: string): Promise<number>;
  run(sql: string, params?: readonly unknown[]): Promise<StatementResult[]>;
  /** Runs one statement and yields its rows chunk by chunk (about 2048 rows each), never all at once. */
  stream(sql: string, params?: readonly unknown[]): AsyncGenerator<{ columns: ResultColumn[]; rows: Record<string, JsonValue>[] }>;
  interrupt(): void;
  close(): void;
}

const LIVE_SPOOLS = new Set<string>();
let exitHook: (() => void) | undefined;

/**
 * An in-memory DuckDB that never touches the network or the file system on behalf of user SQL:
 * extension auto-install/auto-load off at creation, then external access disabled and the
 * configuration locked (../shared/recipes/duckdb-and-sql-clients.md "Lockdown").
 */
export async function createEngine(): Promise<Engine> {
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    threads: '2',
  });
  const conn: DuckDBConnection = await instance.connect();
  // The only files DuckDB may read: pages restsql spools itself, in a private folder.
  let spoolDir: string;
  try {
    spoolDir = mkdtempSync(join(tmpdir(), 'restsql-spool-'));
  } catch (e) {
    instance.closeSync();
    throw new RestSqlError('TEMP_DIR_UNAVAILABLE', `The temporary folder ${tmpdir()} cannot be used for spooled pages (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, {
      hint: 'Set TMPDIR to a folder you can write to.',
      details: { dir: tmpdir() },
      cause: e,
    });
  }
  const removeSpool = () => {
    rmSync(spoolDir, { recursive: true, force: true });
    LIVE_SPOOLS.delete(spoolDir);
  };
  LIVE_SPOOLS.add(spoolDir);
  if (!exitHook) {
    // One hook for all engines: spool folders of connections still open go at exit (Ctrl-C included).
    exitHook = () => {
      for (const d of LIVE_SPOOLS) rmSync(d, { recursive: true, force: true });
    };
    process.once('exit', exitHook);
  }
  await conn.run(`SET allowed_directories=['${spoolDir.replaceAll("'", "''")}/']`);
  await conn.run('SET enable_external_access=false');
  await conn.run('SET lock_configuration=true');
  let closed = false;

  const ensureOpen = () => {
    if (closed) throw new RestSqlError('CONNECTION_CLOSED', 'The connection is closed.', { hint: 'Open a new connection with connect().' });
  };

  const serialize = async (sql: string): Promise<unknown> => {
    try {
      const r = await conn.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
      return JSON.parse(String(r.getRows()[0]?.[0] ?? 'null')) as unknown;
    } catch {
      return undefined;
    }
  };

  /** Runs `inserts` on `files` in one transaction; the rows each added. */
  const insertSpooled = async (inserts: readonly BulkInsert[], files: readonly string[], base: number): Promise<number[]> => {
    if (files.length === 0) return inserts.map(() => 0);
    const list = `[${files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ')}]`;
    await conn.run('BEGIN TRANSACTION');
    try {
      const added: number[] = [];
      for (const { sql } of inserts) added.push((await conn.run(sql.replace('{FILES}', list).replaceAll('{BASE}', String(base - 1)))).rowsChanged);
      await conn.run('COMMIT');
      return added;
    } catch (e) {
      await conn.run('ROLLBACK');
      throw e;
    }
  };

  return {
    async insertSpooled(inserts, files, base) {
      ensureOpen();
      await insertSpooled(inserts, files, base);
    },

    async createTable(table) {
      ensureOpen();
      const cols = table.columns.map((c) => `${ident(c.name)} ${SQL_TYPE[c.type]}`).join(', ');
      await conn.run(`CREATE OR REPLACE TABLE ${ident(table.name)} (${cols})`);
    },

    async load(tables, fill) {
      ensureOpen();
      for (const t of tables) await conn.run(`DELETE FROM ${ident(t.name)}`);
      const appenders = new Map<string, Awaited<ReturnType<DuckDBConnection['createAppender']>>>();
      for (const t of tables) appenders.set(t.name, await conn.createAppender(t.name));
      const counts = new Map<string, number>(tables.map((t) => [t.name, 0]));
      const bulk: BulkLoader = async (plan, files, base, children) => {
        const inserts = plan.inserts.filter((ins, i) => i === 0 || !children || children.has(ins.table.toLowerCase()));
        for (const ap of appenders.values()) ap.flushSync();
        const added = await insertSpooled(inserts, files, base);
        inserts.forEach(({ table }, i) => counts.set(table, (counts.get(table) ?? 0) + added[i]!));
        // The root's rows are the records.
        return added[0] ?? 0;
      };
      try {
        await fill((table, row) => {
          const ap = appenders.get(table.name);
          if (!ap) throw new Error(`no appender for ${table.name}`);
          table.columns.forEach((c, i) => appendCell(ap, c.type, row[i] ?? null));
          ap.endRow();
          counts.set(table.name, (counts.get(table.name) ?? 0) + 1);
        }, bulk);
        for (const ap of appenders.values()) ap.closeSync();
      } catch (e) {
        for (const ap of appenders.values()) {
          try {
            ap.closeSync();
          } catch {
            // Already failed; the DELETE below leaves the table empty either way.
          }
        }
        for (const t of tables) await conn.run(`DELETE FROM ${ident(t.name)}`);
        throw e;
      }
      return counts;
    },

    async serialize(sql) {
      ensureOpen();
      return serialize(sql);
    },

    tableNames(sql) {
      ensureOpen();
      try {
        return [...conn.getTableNames(sql, false)];
      } catch {
        // Unparseable SQL: running it will report the error with its position.
        return [];
      }
    },

    async statementCount(sql) {
      ensureOpen();
      try {
        return (await conn.extractStatements(sql)).count;
      } catch {
        return 0;
      }
    },

    async run(sql, params) {
      ensureOpen();
      const out: StatementResult[] = [];
      try {
        if (params && params.length > 0) {
          const reader = await conn.runAndReadAll(sql, params as DuckDBValue[]);
          const columns = resultColumns(reader);
          out.push({ columns, rows: rowObjects(reader.getRowsJson(), columns), rowsChanged: reader.rowsChanged });
          return out;
        }
        const extracted = await conn.extractStatements(sql);
        const count = extracted.count;
        if (count === 0) {
          throw new RestSqlError('QUERY_SYNTAX', 'The SQL text holds no statement.', { hint: 'Give a statement such as SELECT * FROM my_table.' });
        }
        for (let i = 0; i < count; i++) {
          const prepared = await extracted.prepare(i);
          const reader = await prepared.runAndReadAll();
          const columns = resultColumns(reader);
          out.push({ columns, rows: rowObjects(reader.getRowsJson(), columns), rowsChanged: reader.rowsChanged });
        }
        return out;
      } catch (e) {
        if (e instanceof RestSqlError) throw e;
        throw sqlError(e, sql);
      }
    },

    async *stream(sql, params) {
      ensureOpen();
      let result;
      try {
        result = await conn.stream(sql, params && params.length > 0 ? (params as DuckDBValue[]) : undefined);
      } catch (e) {
        throw sqlError(e, sql);
      }
      const columns = resultColumns(result);
      for (;;) {
        let chunk;
        try {
          chunk = await result.fetchChunk();
        } catch (e) {
          throw sqlError(e, sql);
        }
        if (!chunk || chunk.rowCount === 0) return;
        yield { columns, rows: rowObjects(chunk.convertRows(JsonDuckDBValueConverter), columns) };
      }
    },

    interrupt() {
      if (!closed) conn.interrupt();
    },

    spoolDir,

    close() {
      if (closed) return;
      closed = true;
      conn.closeSync();
      instance.closeSync();
      removeSpool();
    },
  };
}

type Appender = Awaited<ReturnType<DuckDBConnection['createAppender']>>;

/** Appends one converted cell. Text forms (timestamps, dates, UUIDs, JSON) are cast by DuckDB. */
function appendCell(ap: Appender, type: ColumnType, v: Row[number]): void {
  if (v === null) {
    ap.appendNull();
    return;
  }
  switch (type) {
    case 'INTEGER':
      ap.appendInteger(v as number);
      return;
    case 'BIGINT':
      ap.appendBigInt(typeof v === 'bigint' ? v : BigInt(v as number));
      return;
    case 'HUGEINT':
      ap.appendHugeInt(typeof v === 'bigint' ? v : BigInt(v as number));
      return;
    case 'DOUBLE':
      ap.appendDouble(v as number);
      return;
    case 'BOOLEAN':
      ap.appendBoolean(v as boolean);
      return;
    case 'TIMESTAMP':
    case 'DATE':
    case 'UUID':
    case 'VARCHAR':
    case 'JSON':
      ap.appendVarchar(String(v));
      return;
  }
}
