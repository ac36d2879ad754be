import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBResult, DuckDBValue } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestSqlError } from '../errors/index.js';
import type { Row } from '../extract/flatten.js';
import type { ColumnType, TableDef } from '../model/types.js';
import type { BulkInsert, BulkJsonPlan } from './bulk-json.js';
import { parseJson } from '../util/json.js';
import { sqlError } from './sql-error.js';
import { SPOOL_PREFIX, sweepSpools } from './spool-sweep.js';
import { resultColumns, rowObjects, type JsonValue, type ResultColumn } from './values.js';
import { ident, literal } from './sql-text.js';

// require, not import: the package is CommonJS, and importing it makes Node lex its sources for
// named exports first (0.11 s of every start-up, measured).
const { DuckDBInstance, JsonDuckDBValueConverter } = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');

export interface StatementResult {
  readonly columns: ResultColumn[];
  readonly rows: Record<string, JsonValue>[];
  /** Rows changed, for statements that change rows. */
  readonly rowsChanged: number;
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

/** Asked for by a statement that reads an API table not fetched for it; fetches and loads it. */
export type FetchTable = (table: string) => Promise<void>;

const UNFETCHED = /restsql:unfetched:([A-Za-z0-9_]+)/;
// DuckDB's refusals of INSERT, UPDATE and DELETE on a view (API tables are views).
const WRITE_REFUSED = /is not an table|Can only update base table|Can only delete from base table|Can only insert into base table|trying to (drop|replace with) type|is not a table/i;
const WRITE_TARGET = /\b(?:UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|INSERT\s+(?:OR\s+\w+\s+)?INTO|DROP\s+(?:TABLE|VIEW)(?:\s+IF\s+EXISTS)?|ALTER\s+(?:TABLE|VIEW)(?:\s+IF\s+EXISTS)?|CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(?:TABLE|VIEW)(?:\s+IF\s+NOT\s+EXISTS)?|COPY)\s+((?:"[^"]*"|[\w$]+)(?:\.(?:"[^"]*"|[\w$]+))*)/gi;
// Statement types that change the catalog (DuckDB's StatementType: CREATE 7, ALTER 9, DROP 15, MULTI 27).
const CATALOG_CHANGES = new Set([7, 9, 15, 27]);
// DuckDB's StatementType TRANSACTION (BEGIN, COMMIT, ROLLBACK).
const TRANSACTION = 10;
/**
 * DuckDB's StatementTypes refused for user SQL: each writes or loads files (COPY, EXPORT,
 * ATTACH, INSTALL/LOAD, COPY FROM DATABASE), even inside the folders DuckDB may use, or hides the
 * statement it runs (PREPARE, EXECUTE: an EXECUTE of a prepared COPY reports EXECUTE).
 */
const REFUSED_STATEMENTS: ReadonlyMap<number, string> = new Map([
  [6, 'PREPARE'],
  [8, 'EXECUTE'],
  [11, 'COPY'],
  [16, 'EXPORT DATABASE'],
  [21, 'INSTALL and LOAD'],
  [25, 'ATTACH'],
  [28, 'COPY FROM DATABASE'],
]);

/**
 * The SQL engine (docs/architecture.md "Contracts"): one embedded DuckDB, locked down.
 *
 * API tables are views. Their rows live in a private schema (its name holds a random token, and a
 * statement naming it is refused), and each view shows them only while they are fetched for the
 * statement at hand; otherwise it raises `restsql:unfetched:<table>` when read, so a statement
 * restsql did not see reading a table never runs on an empty or stale copy: the engine fetches the
 * table (`FetchTable`) and runs the statement again. Views also make DuckDB itself refuse
 * INSERT, UPDATE and DELETE on API tables; statements that change the catalog are checked not to
 * have touched them.
 */
export interface Engine {
  createTable(table: TableDef): Promise<void>;
  /** The name bulk inserts write to for an API table (its private storage). */
  storageName(table: string): string;
  /** Shows the loaded rows of `tables` (true) or makes reading them raise until fetched (false). */
  setAvailable(tables: readonly string[], available: boolean): Promise<void>;
  /** Empties `tables` (made unavailable), then fills them through `fill`; on failure they are left empty. */
  load(tables: readonly TableDef[], fill: (append: (table: TableDef, row: Row) => void, bulk: BulkLoader) => Promise<void>): Promise<Map<string, number>>;
  /** Runs bulk inserts on record files later (a child table loaded when first named), in one transaction. */
  insertSpooled(inserts: readonly BulkInsert[], files: readonly string[], rowidBase: number): Promise<void>;
  /**
   * A private folder (0700) for spooled pages, removed on close and at exit. User SQL cannot read
   * it: insertSpooled moves its files into DuckDB's load folder for the INSERT only.
   */
  readonly spoolDir: string;
  /** Whether the user has a transaction open (BEGIN without COMMIT or ROLLBACK yet). */
  inTransaction(): Promise<boolean>;
  /** Changes with every BEGIN, COMMIT and ROLLBACK: loads made inside a transaction hold only until it ends. */
  transactionEpoch(): number;
  /** The session has views or macros of its own (they may read API tables where the planner cannot see). */
  hasUserObjects(): Promise<boolean>;
  /** DuckDB's getTableNames for `sql` (empty when it does not parse; running it reports why). */
  tableNames(sql: string): string[];
  /** DuckDB's parse tree of `sql` (json_serialize_sql), or undefined when it is not one SELECT. */
  serialize(sql: string): Promise<unknown>;
  /** How many statements `sql` holds (0 when it does not parse; running it reports why). */
  statementCount(sql: string): Promise<number>;
  run(sql: string, params?: readonly unknown[], fetch?: FetchTable): Promise<StatementResult[]>;
  /** Runs one statement and yields its rows chunk by chunk (about 2048 rows each), never all at once; at least one batch (the columns), even without rows. */
  stream(sql: string, params?: readonly unknown[], fetch?: FetchTable): AsyncGenerator<{ columns: ResultColumn[]; rows: Record<string, JsonValue>[] }>;
  interrupt(): void;
  close(): void;
}

const LIVE_SPOOLS = new Set<string>();
let exitHook: (() => void) | undefined;
let swept = false;

/**
 * An in-memory DuckDB that never touches the network or the file system on behalf of user SQL:
 * extension auto-install/auto-load off at creation, then external access disabled and the
 * configuration locked (docs/security.md "User SQL touches no file and no network").
 *
 * Its private folder (0700, `restsql-spool-<pid>-XXXXXX` in the temporary folder) holds:
 * - `pages/` (`spoolDir`): spooled API pages, which DuckDB may not read;
 * - `load/`: the one folder DuckDB may read, empty except while restsql's own bulk INSERT runs
 *   (the pages are moved in for it and out again; user statements wait meanwhile);
 * - `duckdb-tmp/`: DuckDB's temporary directory (its spill files; by default `.tmp` under the
 *   working directory, which DuckDB then allows reading and writing).
 * User statements that write or load files (COPY, EXPORT, ATTACH, INSTALL/LOAD) are refused.
 */
export async function createEngine(): Promise<Engine> {
  if (!swept) {
    swept = true;
    sweepSpools(tmpdir());
  }
  // The only files DuckDB may read: pages restsql spools itself, in a private folder.
  let root: string;
  try {
    root = mkdtempSync(join(tmpdir(), `${SPOOL_PREFIX}${process.pid}-`));
  } catch (e) {
    throw new RestSqlError('TEMP_DIR_UNAVAILABLE', `The temporary folder ${tmpdir()} cannot be used for spooled pages (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, {
      hint: 'Set TMPDIR to a folder you can write to.',
      details: { dir: tmpdir() },
      cause: e,
    });
  }
  const removeSpool = () => {
    rmSync(root, { recursive: true, force: true });
    LIVE_SPOOLS.delete(root);
  };
  LIVE_SPOOLS.add(root);
  if (!exitHook) {
    // One hook for all engines: spool folders of connections still open go at exit (Ctrl-C included).
    exitHook = () => {
      for (const d of LIVE_SPOOLS) rmSync(d, { recursive: true, force: true });
    };
    process.once('exit', exitHook);
  }
  const spoolDir = join(root, 'pages');
  const loadDir = join(root, 'load');
  let instance: Awaited<ReturnType<typeof DuckDBInstance.create>>;
  let conn: DuckDBConnection;
  try {
    mkdirSync(spoolDir, { mode: 0o700 });
    mkdirSync(loadDir, { mode: 0o700 });
    instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      threads: '2',
      // Set at creation: DuckDB adds its temporary directory to allowed_directories.
      temp_directory: join(root, 'duckdb-tmp'),
    });
  } catch (e) {
    removeSpool();
    throw e;
  }
  try {
    conn = await instance.connect();
    await conn.run(`SET allowed_directories=[${literal(`${loadDir}/`)}]`);
    await conn.run('SET enable_external_access=false');
    await conn.run('SET lock_configuration=true');
  } catch (e) {
    instance.closeSync();
    removeSpool();
    throw e;
  }
  // Set while pages sit in the load folder: user statements wait for it.
  let staging: Promise<void> | undefined;
  const idle = async () => {
    while (staging) await staging;
  };
  // API tables' rows: a schema no statement may name (its name is unguessable and refused).
  const store = `restsql_store_${randomBytes(8).toString('hex')}`;
  await conn.run(`CREATE SCHEMA memory.${store}`);
  // Fully qualified: a USE of another schema must not move where restsql's objects are.
  const storageName = (name: string) => `memory.${store}.${ident(name)}`;
  const viewName = (name: string) => `memory.main.${ident(name)}`;
  const apiTables = new Map<string, TableDef>();
  const availableNow = new Map<string, boolean>();
  let closed = false;
  let catalogSnapshot: Map<string, string> | undefined;
  // Counts BEGIN/COMMIT/ROLLBACK statements: a ROLLBACK undoes loads and view changes made inside
  // the transaction, so what restsql knows of them is forgotten at each (see transactionEpoch).
  let txEpoch = 0;
  const transactionStatement = () => {
    txEpoch++;
    availableNow.clear();
    catalogSnapshot = undefined;
  };

  const viewSql = (t: TableDef, available: boolean) =>
    available
      ? `CREATE OR REPLACE VIEW ${viewName(t.name)} AS SELECT * FROM ${storageName(t.name)}`
      : unfetchedView(t);

  /**
   * A view that raises when read: every column and the row itself depend on error(), so no
   * optimisation (a WHERE on a constant column folded to false, say) answers from it without
   * raising. Reading no row of it (LIMIT 0, WHERE false) is the one answer it gives, and a right one.
   */
  const unfetchedView = (t: TableDef) => {
    const raise = `error(${literal(`restsql:unfetched:${t.name}`)})`;
    return `CREATE OR REPLACE VIEW ${viewName(t.name)} AS SELECT ${t.columns.map((c) => `CAST(${raise} AS ${SQL_TYPE[c.type]}) AS ${ident(c.name)}`).join(', ')} FROM range(1) WHERE ${raise} IS NULL`;
  };

  const setAvailable = async (names: readonly string[], available: boolean) => {
    for (const name of names) {
      const t = apiTables.get(name.toLowerCase());
      if (!t || availableNow.get(t.name.toLowerCase()) === available) continue;
      await conn.run(viewSql(t, available));
      availableNow.set(t.name.toLowerCase(), available);
      catalogSnapshot = undefined;
    }
  };

  /**
   * Every catalog object named like an API table, per lower-case name: a statement changing the
   * catalog must leave each as it was (the view restsql made, and nothing of the same name elsewhere).
   */
  const snapshot = async (): Promise<Map<string, string>> => {
    const names = [...apiTables.keys()].map(literal).join(', ') || "''";
    const r = await conn.runAndReadAll(
      `SELECT lower(name), string_agg(d, chr(10) ORDER BY d) FROM (SELECT table_name AS name, database_name || '.' || schema_name AS d FROM duckdb_tables() WHERE lower(table_name) IN (${names}) AND schema_name <> '${store}' UNION ALL SELECT view_name, database_name || '.' || schema_name || ':' || sql FROM duckdb_views() WHERE NOT internal AND lower(view_name) IN (${names})) GROUP BY 1`,
    );
    return new Map(r.getRows().map(([name, d]) => [String(name), String(d)]));
  };

  const refuseStore = (sql: string) => {
    if (sql.toLowerCase().includes('restsql_store_')) {
      throw new RestSqlError('QUERY_NOT_ALLOWED', "The statement names restsql's private storage schema.", { hint: 'Query the API tables by their own names.' });
    }
  };

  /** An error of DuckDB's refusing a write to an API table, as READ_ONLY naming it. */
  const writeRefused = (e: unknown, sql: string): RestSqlError | undefined => {
    const message = e instanceof Error ? e.message : String(e);
    if (!WRITE_REFUSED.test(message)) return undefined;
    const targets = [...sql.matchAll(WRITE_TARGET)].map((m) => m[1]!.split('.').pop()!.replace(/^"|"$/g, '').replaceAll('""', '"')).filter((n) => apiTables.has(n.toLowerCase()));
    if (targets.length === 0) return undefined;
    return readOnly(targets[0]!);
  };

  const readOnly = (table: string) =>
    new RestSqlError('READ_ONLY', `'${table}' is an API table: INSERT, UPDATE, DELETE and DDL on it are refused, since restsql does not send writes to the API yet and will not change its local copy only.`, {
      hint: `Copy the rows into a table of your own first: CREATE TEMP TABLE my_${table} AS SELECT * FROM ${ident(table)}.`,
      details: { table },
    });

  /**
   * Whether an explicit transaction is open: in auto-commit each statement has a transaction id
   * of its own, inside one they share it (a failed BEGIN would abort the user's transaction).
   */
  const inTransaction = async (): Promise<boolean> => {
    const id = async () => String((await conn.runAndReadAll('SELECT txid_current()')).getRows()[0]?.[0]);
    try {
      return (await id()) === (await id());
    } catch {
      return true;
    }
  };

  /** Runs a statement that changes the catalog, undone (READ_ONLY) if it touched an API table. */
  const guarded = async <T>(run: () => Promise<T>, sql: string): Promise<T> => {
    catalogSnapshot ??= await snapshot();
    const before = catalogSnapshot;
    const own = !(await inTransaction());
    if (own) await conn.run('BEGIN TRANSACTION');
    let result: T;
    try {
      result = await run();
    } catch (e) {
      if (own) await conn.run('ROLLBACK');
      throw e;
    }
    const after = await snapshot();
    const changed = [...apiTables.values()].find((t) => after.get(t.name.toLowerCase()) !== before.get(t.name.toLowerCase()));
    if (changed) {
      await conn.run('ROLLBACK');
      const err = readOnly(changed.name);
      if (own) throw err;
      // The user's transaction is gone, with whatever restsql loaded in it.
      transactionStatement();
      throw new RestSqlError('READ_ONLY', `${err.message} Your transaction was rolled back.`, { hint: err.hint ?? '', details: err.details });
    }
    if (own) await conn.run('COMMIT');
    return result;
  };

  /**
   * Runs `attempt`; when it reads an API table not fetched for it, fetches the table and runs it
   * again (each table once). Inside an explicit transaction the failed read has aborted it, so
   * that is an error saying what to do.
   */
  const withTables = async <T>(attempt: () => Promise<T>, sql: string, fetch: FetchTable | undefined): Promise<T> => {
    const fetched = new Set<string>();
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        const table = UNFETCHED.exec(e instanceof Error ? e.message : String(e))?.[1];
        if (!table) throw writeRefused(e, sql) ?? e;
        const aborted = await transactionAborted();
        if (!fetch || fetched.has(table.toLowerCase()) || aborted) {
          throw new RestSqlError('QUERY_TABLES_UNKNOWN', `The statement reads API table '${table}', which restsql could not tell in advance${aborted ? ' inside a transaction (the failed read aborted it)' : fetch ? ' and could not fetch for it' : ''}, so it was not fetched; nothing ran on an empty copy.`, {
            hint: aborted ? `ROLLBACK, then run a query that names ${table} (SELECT count(*) FROM ${ident(table)}) before BEGIN, or run the statement outside the transaction.` : `Name ${table} in the statement's text (SELECT ... FROM ${ident(table)}).`,
            details: { table },
            cause: e,
          });
        }
        fetched.add(table.toLowerCase());
        await fetch(table);
      }
    }
  };

  const transactionAborted = async (): Promise<boolean> => {
    try {
      await conn.run('SELECT 1');
      return false;
    } catch {
      return true;
    }
  };

  const ensureOpen = () => {
    if (closed) throw new RestSqlError('CONNECTION_CLOSED', 'The connection is closed.', { hint: 'Open a new connection with connect().' });
  };

  const serialize = async (sql: string): Promise<unknown> => {
    try {
      const r = await conn.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
      // Exactly: a BIGINT constant past 2^53 must reach the request with every digit.
      return parseJson(String(r.getRows()[0]?.[0] ?? 'null'));
    } catch {
      return undefined;
    }
  };

  /** Runs `inserts` on `files` in one transaction; the rows each added. */
  const insertSpooled = async (inserts: readonly BulkInsert[], files: readonly string[], base: number): Promise<number[]> => {
    if (files.length === 0) return inserts.map(() => 0);
    await idle();
    let done!: () => void;
    staging = new Promise((r) => (done = r));
    // A fresh folder of an unguessable name; the files go back to the pages folder afterwards.
    const stage = join(loadDir, randomBytes(16).toString('hex'));
    const moved: [from: string, to: string][] = [];
    try {
      mkdirSync(stage, { mode: 0o700 });
      for (const [i, from] of files.entries()) {
        const to = join(stage, `${String(i).padStart(8, '0')}.json`);
        renameSync(from, to);
        moved.push([from, to]);
      }
      const list = `[${moved.map(([, f]) => literal(f)).join(', ')}]`;
      // Inside a user's transaction the connection loads row by row (Connection#load): a failed
      // bulk read there would abort it. Ours is the only transaction here.
      await conn.run('BEGIN TRANSACTION');
      try {
        const added: number[] = [];
        for (const { sql } of inserts) added.push((await conn.run(sql(list, base - 1))).rowsChanged);
        await conn.run('COMMIT');
        return added;
      } catch (e) {
        await conn.run('ROLLBACK');
        throw e;
      }
    } finally {
      for (const [from, to] of moved) renameSync(to, from);
      rmSync(stage, { recursive: true, force: true });
      staging = undefined;
      done();
    }
  };

  /** Refuses statements that write or load files (REFUSED_STATEMENTS). */
  const refuseType = (prepared: DuckDBPreparedStatement) => {
    const what = REFUSED_STATEMENTS.get(prepared.statementType);
    if (what !== undefined) {
      throw new RestSqlError('QUERY_NOT_ALLOWED', `${what} statements are not allowed: restsql answers SQL over its API tables and reads or writes no file for a query.`, {
        hint: 'Query the tables with SELECT; copy rows into a table of your own with CREATE TEMP TABLE ... AS SELECT.',
        details: { statement: what },
      });
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
      await conn.run(`CREATE OR REPLACE TABLE ${storageName(table.name)} (${cols})`);
      apiTables.set(table.name.toLowerCase(), table);
      availableNow.delete(table.name.toLowerCase());
      await setAvailable([table.name], false);
    },

    storageName,
    inTransaction() {
      ensureOpen();
      return inTransaction();
    },
    transactionEpoch: () => txEpoch,
    async hasUserObjects() {
      ensureOpen();
      const api = [...apiTables.keys()].map(literal).join(', ') || "''";
      const r = await conn.runAndReadAll(
        `SELECT (SELECT count(*) FROM duckdb_views() WHERE NOT internal AND lower(view_name) NOT IN (${api})) + (SELECT count(*) FROM duckdb_functions() WHERE NOT internal AND function_type IN ('macro', 'table_macro'))`,
      );
      return Number(r.getRows()[0]?.[0] ?? 0) > 0;
    },
    setAvailable(names, available) {
      ensureOpen();
      return setAvailable(names, available);
    },

    async load(tables, fill) {
      ensureOpen();
      await setAvailable(tables.map((t) => t.name), false);
      for (const t of tables) await conn.run(`DELETE FROM ${storageName(t.name)}`);
      const appenders = new Map<string, Awaited<ReturnType<DuckDBConnection['createAppender']>>>();
      for (const t of tables) appenders.set(t.name, await conn.createAppender(t.name, store, 'memory'));
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
        for (const t of tables) await conn.run(`DELETE FROM ${storageName(t.name)}`);
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

    async run(sql, params, fetch) {
      ensureOpen();
      refuseStore(sql);
      await idle();
      const out: StatementResult[] = [];
      const one = async (prepare: () => Promise<DuckDBPreparedStatement>): Promise<StatementResult> => {
        await idle();
        const prepared = await prepare();
        refuseType(prepared);
        const read = async () => {
          const reader = await prepared.runAndReadAll();
          const columns = resultColumns(reader);
          return { columns, rows: rowObjects(reader.getRowsJson(), columns), rowsChanged: reader.rowsChanged };
        };
        if (prepared.statementType === TRANSACTION) {
          try {
            return await read();
          } finally {
            transactionStatement();
          }
        }
        return CATALOG_CHANGES.has(prepared.statementType) ? guarded(read, sql) : read();
      };
      try {
        if (params && params.length > 0) {
          out.push(
            await withTables(
              () =>
                one(async () => {
                  const p = await conn.prepare(sql);
                  p.bind(params as DuckDBValue[]);
                  return p;
                }),
              sql,
              fetch,
            ),
          );
          return out;
        }
        const extracted = await conn.extractStatements(sql);
        const count = extracted.count;
        if (count === 0) {
          throw new RestSqlError('QUERY_SYNTAX', 'The SQL text holds no statement.', { hint: 'Give a statement such as SELECT * FROM my_table.' });
        }
        // Statement by statement: a retry after fetching a table runs this statement again, not the
        // ones before it. A statement extracted once can be prepared once: a retry extracts again,
        // and later statements come from that extraction (PIVOT's helper statements name a type
        // each extraction makes up anew).
        let current = extracted;
        for (let i = 0; i < count; i++) {
          let tries = 0;
          out.push(
            await withTables(
              () =>
                one(async () => {
                  if (tries++ > 0) current = await conn.extractStatements(sql);
                  return current.prepare(i);
                }),
              sql,
              fetch,
            ),
          );
        }
        return out;
      } catch (e) {
        if (e instanceof RestSqlError) throw e;
        throw sqlError(e, sql);
      }
    },

    async *stream(sql, params, fetch) {
      ensureOpen();
      refuseStore(sql);
      let result: DuckDBResult | undefined;
      let chunk: Awaited<ReturnType<DuckDBResult['fetchChunk']>> | undefined;
      let whole: StatementResult | undefined;
      try {
        await withTables(
          async () => {
            await idle();
            const prepared = await conn.prepare(sql);
            refuseType(prepared);
            if (params && params.length > 0) prepared.bind(params as DuckDBValue[]);
            if (CATALOG_CHANGES.has(prepared.statementType) || prepared.statementType === TRANSACTION) {
              const reader = prepared.statementType === TRANSACTION ? await prepared.runAndReadAll().finally(transactionStatement) : await guarded(() => prepared.runAndReadAll(), sql);
              const columns = resultColumns(reader);
              whole = { columns, rows: rowObjects(reader.getRowsJson(), columns), rowsChanged: reader.rowsChanged };
              return;
            }
            // The first chunk is read here: a table not fetched for the statement shows up by then.
            result = await prepared.stream();
            chunk = await result.fetchChunk();
          },
          sql,
          fetch,
        );
      } catch (e) {
        if (e instanceof RestSqlError) throw e;
        throw sqlError(e, sql);
      }
      if (whole) {
        yield { columns: whole.columns, rows: whole.rows };
        return;
      }
      const columns = resultColumns(result!);
      yield { columns, rows: chunk && chunk.rowCount > 0 ? rowObjects(chunk.convertRows(JsonDuckDBValueConverter), columns) : [] };
      for (;;) {
        if (!chunk || chunk.rowCount === 0) return;
        try {
          chunk = await result!.fetchChunk();
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
    default: {
      const never: never = type;
      throw new Error(`unhandled column type ${String(never)}`);
    }
  }
}
