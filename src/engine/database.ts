/**
 * The one locked-down DuckDB database behind a connection, or behind every session of
 * `restsql serve`: the instance, its private folder, and the API tables' loaded rows.
 *
 * Loaded rows live in a private schema (its name holds a random token, and a statement naming it
 * is refused), one set of storage tables per **generation**: each load of an endpoint fills new
 * tables (`g<N>_<table>`) on a connection of its own, outside any user's transaction, and commits
 * them. Sessions see rows through views of their own (engine/duckdb.ts) that point at one
 * generation; a generation is dropped once nothing points at it (the load cache holds the current
 * one, each session the one its views show). So a reload never changes rows under a statement
 * that is running, and one session's slow fetch never holds another's queries.
 *
 * Clients of the PostgreSQL face qualify table names: each API table is also a shared view
 * `public.<table>` (restsql's info tables `restsql.<table>`) that reads `temp.main.<table>`,
 * which DuckDB resolves when a statement runs, to the temporary view of the session running it.
 * So `public.items` is exactly `items`, with no rewriting of SQL text. SQL written for
 * DataDirect's driver names every table in its schema `AUTOREST`: each table, API or info, is
 * also the shared view `autorest.<table>`, made the same way.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestSqlError } from '../errors/index.js';
import type { Row } from '../extract/flatten.js';
import type { ColumnType, TableDef } from '../model/types.js';
import type { BulkInsert, BulkJsonPlan } from './bulk-json.js';
import { duckdb } from './duckdb-api.js';
import { removeSpoolFolder, SPOOL_PREFIX, sweepSpools } from './spool-sweep.js';
import { ident, literal } from './sql-text.js';

const { DuckDBInstance: Instance } = duckdb;

export const SQL_TYPE: Readonly<Record<ColumnType, string>> = {
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

/** `"name" TYPE, ...`: the column list of a table holding `columns`' rows (CREATE TABLE). */
export function columnDefinitions(columns: readonly { readonly name: string; readonly type: ColumnType }[]): string {
  return columns.map((c) => `${ident(c.name)} ${SQL_TYPE[c.type]}`).join(', ');
}

/**
 * Loads record files (JSON arrays in the spool folder, in page order) by `plan` in one
 * transaction: the root table, and the child tables `children` names (lower case; all when
 * absent). Returns the number of records. Throws when DuckDB cannot read them as planned
 * (nothing is loaded then).
 */
export type BulkLoader = (plan: BulkJsonPlan, files: readonly string[], rowidBase: number, children?: ReadonlySet<string>) => Promise<number>;

/**
 * The schemas the PostgreSQL face shows (docs/sql.md "Table names"): API tables in `public`,
 * restsql's own info tables (`_configuration`, `sampling_status`) in `restsql`.
 */
export type TableSchema = 'public' | 'restsql';

export interface Database {
  /**
   * Registers an API table's shape: sessions make a temporary view of that name, and the shared
   * views `<schema>.<table>` and `autorest.<table>` read the view of the session that runs the statement.
   */
  defineTable(table: TableDef, schema?: TableSchema): Promise<void>;
  /** The API tables, by lower-case name. */
  readonly tables: ReadonlyMap<string, TableDef>;
  /** The schema each API table is also named in, by lower-case name. */
  readonly schemas: ReadonlyMap<string, TableSchema>;
  /** The lower-case storage schema name (statements naming it are refused). */
  readonly storeSchema: string;
  /** A new DuckDB connection (a session's own). */
  connect(): Promise<DuckDBConnection>;
  /** Closes a connection connect() gave (once; the database closes those still open when it closes). */
  disconnect(conn: DuckDBConnection): void;
  /** Tables every session shows at one generation for good (restsql's info tables). */
  readonly pinned: ReadonlyMap<string, number>;
  pin(table: string, gen: number): void;
  /**
   * A new generation number for one load; held (retained once) until released. `owner`: the
   * generation is made inside a session's transaction, where only that session's connection sees
   * its tables, so dropping them is handed to the owner (it runs the statements at a safe point).
   */
  newGeneration(owner?: GenerationOwner): number;
  /** Runs statements on the database's own connection (after a session closed: its leftovers). */
  runAdmin(statements: readonly string[]): void;
  /** The qualified storage table of `table` in generation `gen`. */
  storageName(table: string, gen: number): string;
  /** One more holder of `gen` (a session's view, the load cache's current rows). */
  retain(gen: number): void;
  /** One holder fewer; the generation's tables are dropped when none is left. */
  release(gen: number): void;
  /**
   * Creates `tables` in generation `gen` and fills them through `fill` on a connection of the
   * load's own, outside any user's transaction; then the tables not in `later()` (asked once the
   * fill is done: child tables left for later) are marked loaded (see `loadedIn`). With `here` (a session's own
   * connection, inside its user's transaction), the load runs there instead, row by row, and is
   * that session's alone. On failure nothing of it is shown and the error is thrown.
   */
  load(gen: number, tables: readonly TableDef[], fill: (append: (table: TableDef, row: Row) => void, bulk: BulkLoader) => Promise<void>, later?: () => ReadonlySet<string>, here?: DuckDBConnection): Promise<Map<string, number>>;
  /**
   * Runs bulk inserts on record files later (a child table loaded when first named): every batch
   * (one per request of the plan) in one transaction, marking those tables loaded in `gen` in it,
   * so a failure leaves none of their rows and a transaction that sees the mark sees them all.
   */
  insertSpooled(gen: number, inserts: readonly BulkInsert[], batches: readonly { readonly files: readonly string[]; readonly rowidBase: number }[]): Promise<void>;
  /**
   * SQL counting the tables of `names` whose rows in `gen` are committed as a session sees them:
   * a session inside a transaction sees only what was committed before it began.
   */
  loadedIn(gen: number, names: readonly string[]): string;
  /**
   * A private folder (0700) for spooled pages, removed on close and at exit. User SQL cannot read
   * it: insertSpooled moves its files into DuckDB's load folder for the INSERT only.
   */
  readonly spoolDir: string;
  /**
   * Runs a user statement's preparing, binding and start (`fn`) while no pages sit in the load
   * folder: DuckDB reads files when it binds (read_json's glob), so nothing of a user's statement
   * may bind while restsql's own bulk INSERT has pages there.
   */
  read<T>(fn: () => Promise<T>): Promise<T>;
  /** Closes every connection and the instance (after the drops under way), and removes the private folder. */
  close(): Promise<void>;
}

/** Drops a generation's tables where they are visible (see Database.newGeneration). */
export interface GenerationOwner {
  drop(statements: readonly string[]): void;
}

/**
 * The schema DataDirect's driver shows every table in (`AUTOREST.customers`,
 * `AUTOREST."_CONFIGURATION"`): each table is also named there, whatever its own schema.
 */
export const VENDOR_SCHEMA = 'autorest';

/** The schemas restsql's shared views live in; no user statement may change anything in them. */
export const TABLE_SCHEMAS: readonly string[] = ['public', 'restsql', VENDOR_SCHEMA];

const LIVE_SPOOLS = new Set<string>();
let exitHook: (() => void) | undefined;
let swept = false;

/**
 * An in-memory DuckDB that never touches the network or the file system on behalf of user SQL:
 * extension auto-install/auto-load off at creation, then external access disabled and the
 * configuration locked (docs/security.md "User SQL touches no file and no network"); these
 * settings are global, so every session's connection has them.
 *
 * Its private folder (0700, `restsql-spool-<pid>-XXXXXX` in the temporary folder) holds:
 * - `pages/` (`spoolDir`): spooled API pages, which DuckDB may not read;
 * - `load/`: the one folder DuckDB may read, empty except while restsql's own bulk INSERT runs
 *   (the pages are moved in for it and out again; user statements wait meanwhile, in every session);
 * - `duckdb-tmp/`: DuckDB's temporary directory (its spill files; by default `.tmp` under the
 *   working directory, which DuckDB then allows reading and writing).
 */
export async function createDatabase(): Promise<Database> {
  if (!swept) {
    swept = true;
    sweepSpools(tmpdir());
  }
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
    removeSpoolFolder(root);
    LIVE_SPOOLS.delete(root);
  };
  LIVE_SPOOLS.add(root);
  if (!exitHook) {
    // One hook for all databases: spool folders still open go at exit (Ctrl-C included).
    exitHook = () => {
      for (const d of LIVE_SPOOLS) removeSpoolFolder(d);
    };
    process.once('exit', exitHook);
  }
  const spoolDir = join(root, 'pages');
  const loadDir = join(root, 'load');
  let instance: DuckDBInstance;
  let admin: DuckDBConnection;
  try {
    mkdirSync(spoolDir, { mode: 0o700 });
    // Not listable (0300): restsql names the files it loads exactly, so a glob of user SQL over
    // it finds nothing even in a race (except for root, whom permissions do not stop; the gate
    // in read() does).
    mkdirSync(loadDir, { mode: 0o300 });
    instance = await Instance.create(':memory:', {
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
    admin = await instance.connect();
    await admin.run(`SET allowed_directories=[${literal(`${loadDir}/`)}]`);
    await admin.run('SET enable_external_access=false');
    // restsql's TIMESTAMP columns hold UTC: TIMESTAMPTZ values (literals, now(), restsql serve's
    // timestamptz parameters) convert to them in UTC, never in the process's local zone.
    await admin.run("SET GLOBAL TimeZone = 'UTC'");
    await admin.run('SET lock_configuration=true');
  } catch (e) {
    instance.closeSync();
    removeSpool();
    throw e;
  }
  const store = `restsql_store_${randomBytes(8).toString('hex')}`;
  await admin.run(`CREATE SCHEMA memory.${store}`);
  // One row per table and generation whose rows are in, written in the transaction that put them in.
  const marks = `memory.${store}.restsql_loaded`;
  await admin.run(`CREATE TABLE ${marks} (gen INTEGER, tbl VARCHAR)`);
  // The schemas clients qualify table names with (`public.items`, `restsql.sampling_status`, `autorest.items`).
  for (const schema of TABLE_SCHEMAS) await admin.run(`CREATE SCHEMA memory.${schema}`);
  // Fully qualified: a USE of another schema must not move where restsql's objects are.
  const storageName = (name: string, gen: number) => `memory.${store}.${ident(`g${gen}_${name}`)}`;
  const tables = new Map<string, TableDef>();
  const schemas = new Map<string, TableSchema>();
  const pinned = new Map<string, number>();
  /** Per generation: its holders and the tables made in it. */
  const generations = new Map<number, { holders: number; tables: Set<string>; owner?: GenerationOwner }>();
  let nextGeneration = 1;
  let closed = false;
  const connections = new Set<DuckDBConnection>();
  // A readers-writer gate between user statements (readers: from prepare, which binds and so may
  // read files, to their first rows) and restsql's own bulk INSERTs (the writer: pages sit in the
  // load folder meanwhile). No user statement of any session binds or starts while pages are
  // there, and pages go there only once no user statement is binding.
  let staging: Promise<void> | undefined;
  let readers = 0;
  let readersDone: (() => void) | undefined;
  const idle = async () => {
    while (staging) await staging;
  };
  const read = async <T>(fn: () => Promise<T>): Promise<T> => {
    await idle();
    readers++;
    try {
      return await fn();
    } finally {
      if (--readers === 0) readersDone?.();
    }
  };
  // Generations are dropped one at a time, in order, on the admin connection.
  let dropping: Promise<void> = Promise.resolve();

  const ensureOpen = () => {
    if (closed) throw new RestSqlError('CONNECTION_CLOSED', 'The connection is closed.', { hint: 'Open a new connection with connect().' });
  };

  const dropGeneration = (gen: number) => {
    const g = generations.get(gen);
    if (!g || closed) return;
    generations.delete(gen);
    const statements = [...[...g.tables].map((t) => `DROP TABLE IF EXISTS ${storageName(t, gen)}`), `DELETE FROM ${marks} WHERE gen = ${gen}`];
    if (g.owner) g.owner.drop(statements);
    else runAdmin(statements);
  };
  const runAdmin = (statements: readonly string[]) => {
    dropping = dropping.then(async () => {
      if (closed) return;
      for (const sql of statements) await admin.run(sql).catch(() => undefined);
    });
  };
  /** Runs `fn` on the admin connection after the drops queued before it; its errors are the caller's. */
  const onAdmin = <T>(fn: () => Promise<T>): Promise<T> => {
    const done = dropping.then(fn);
    dropping = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  };

  /**
   * Runs `inserts` on `files` on `conn`, in a transaction of their own unless `inside` one the
   * caller holds; the rows each added.
   */
  const insertSpooled = async (conn: DuckDBConnection, inserts: readonly BulkInsert[], files: readonly string[], base: number, inside: boolean): Promise<number[]> => {
    if (files.length === 0) return inserts.map(() => 0);
    await idle();
    let done!: () => void;
    staging = new Promise((r) => (done = r));
    // New user statements wait from now on; those binding finish first.
    while (readers > 0) await new Promise<void>((r) => (readersDone = r));
    readersDone = undefined;
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
      if (!inside) await conn.run('BEGIN TRANSACTION');
      try {
        const added: number[] = [];
        for (const { sql } of inserts) added.push((await conn.run(sql(list, base - 1))).rowsChanged);
        if (!inside) await conn.run('COMMIT');
        return added;
      } catch (e) {
        if (!inside) await conn.run('ROLLBACK');
        throw e;
      }
    } finally {
      try {
        for (const [from, to] of moved) renameSync(to, from);
        rmSync(stage, { recursive: true, force: true });
      } finally {
        staging = undefined;
        done();
      }
    }
  };

  /** A connection for one load, closed after it. */
  const withLoader = async <T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> => {
    ensureOpen();
    const conn = await instance.connect();
    connections.add(conn);
    try {
      return await fn(conn);
    } finally {
      connections.delete(conn);
      conn.closeSync();
    }
  };

  return {
    async defineTable(table, schema = 'public') {
      ensureOpen();
      const key = table.name.toLowerCase();
      // Another schema's view of an earlier definition goes (the table is named in one schema).
      const old = schemas.get(key);
      tables.set(key, table);
      schemas.set(key, schema);
      // DuckDB binds a view when it is made: the admin connection makes a temporary view of the
      // table's shape first, then drops it. Run by a session, the shared view reads that
      // session's own temporary view (engine/duckdb.ts), whichever generation it shows.
      const name = ident(table.name);
      await onAdmin(async () => {
        if (old !== undefined && old !== schema) await admin.run(`DROP VIEW IF EXISTS memory.${old}.${name}`);
        await admin.run(`CREATE OR REPLACE TEMP VIEW ${name} AS SELECT ${table.columns.map((c) => `CAST(NULL AS ${SQL_TYPE[c.type]}) AS ${ident(c.name)}`).join(', ')}`);
        try {
          await admin.run(`CREATE OR REPLACE VIEW memory.${schema}.${name} AS SELECT * FROM temp.main.${name}`);
          await admin.run(`CREATE OR REPLACE VIEW memory.${VENDOR_SCHEMA}.${name} AS SELECT * FROM temp.main.${name}`);
        } finally {
          await admin.run(`DROP VIEW temp.main.${name}`);
        }
      });
    },
    tables,
    schemas,
    storeSchema: store,
    pinned,
    pin(table, gen) {
      pinned.set(table, gen);
    },
    async connect() {
      ensureOpen();
      const conn = await instance.connect();
      connections.add(conn);
      return conn;
    },
    disconnect(conn) {
      if (!connections.delete(conn)) return;
      conn.closeSync();
    },
    newGeneration(owner) {
      const gen = nextGeneration++;
      generations.set(gen, { holders: 1, tables: new Set(), ...(owner ? { owner } : {}) });
      return gen;
    },
    runAdmin,
    storageName,
    retain(gen) {
      const g = generations.get(gen);
      if (!g) throw new Error(`generation ${gen} is gone`);
      g.holders++;
    },
    release(gen) {
      const g = generations.get(gen);
      if (!g) return;
      if (--g.holders <= 0) dropGeneration(gen);
    },

    async load(gen, defs, fill, later, here) {
      const g = generations.get(gen);
      if (!g) throw new Error(`generation ${gen} is gone`);
      const run = async (conn: DuckDBConnection) => {
        // Each step commits on its own (a bulk read DuckDB refuses must not undo the rows before
        // it: the scan then loads those pages row by row). The tables are marked loaded last, so a
        // session that sees the mark sees every row (see loadedIn); a failed load is never marked.
        for (const t of defs) {
          await conn.run(`CREATE TABLE ${storageName(t.name, gen)} (${columnDefinitions(t.columns)})`);
          g.tables.add(t.name);
        }
        const appenders = new Map<string, Appender>();
        for (const t of defs) appenders.set(t.name, await conn.createAppender(`g${gen}_${t.name}`, store, 'memory'));
        const counts = new Map<string, number>(defs.map((t) => [t.name, 0]));
        const bulk: BulkLoader = async (plan, files, base, children) => {
          // Bulk inserts commit on their own: never inside a user's transaction.
          if (here) throw new Error('bulk loads run on a connection of their own');
          const inserts = plan.inserts.filter((ins, i) => i === 0 || !children || children.has(ins.table.toLowerCase()));
          for (const ap of appenders.values()) ap.flushSync();
          const added = await insertSpooled(conn, inserts, files, base, false);
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
          // Flushes the last rows: an error here fails the load.
          for (const ap of appenders.values()) ap.closeSync();
        } catch (e) {
          for (const ap of appenders.values()) {
            try {
              ap.closeSync();
            } catch {
              // Already failed: the generation is released and dropped by the caller.
            }
          }
          throw e;
        }
        const waiting = later?.() ?? new Set<string>();
        const done = defs.filter((t) => !waiting.has(t.name.toLowerCase()));
        if (!here && done.length > 0) await conn.run(`INSERT INTO ${marks} VALUES ${done.map((t) => `(${gen}, ${literal(t.name)})`).join(', ')}`);
        return counts;
      };
      if (here) {
        ensureOpen();
        return run(here);
      }
      return withLoader(run);
    },

    async insertSpooled(gen, inserts, batches) {
      await withLoader(async (conn) => {
        await conn.run('BEGIN TRANSACTION');
        try {
          for (const b of batches) await insertSpooled(conn, inserts, b.files, b.rowidBase, true);
          await conn.run(`INSERT INTO ${marks} VALUES ${inserts.map((i) => `(${gen}, ${literal(i.table)})`).join(', ')}`);
          await conn.run('COMMIT');
        } catch (e) {
          await conn.run('ROLLBACK').catch(() => undefined);
          throw e;
        }
      });
    },
    loadedIn(gen, names) {
      return `SELECT count(DISTINCT lower(tbl)) FROM ${marks} WHERE gen = ${gen} AND lower(tbl) IN (${names.map((n) => literal(n.toLowerCase())).join(', ') || "''"})`;
    },

    spoolDir,
    read,

    async close() {
      if (closed) return;
      closed = true;
      await dropping;
      for (const c of connections) c.closeSync();
      admin.closeSync();
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
