import type { DuckDBConnection, DuckDBDataChunk, DuckDBPreparedStatement, DuckDBResult, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { RestSqlError } from '../errors/index.js';
import type { TableDef } from '../model/types.js';
import { parseJson } from '../util/json.js';
import { createDatabase, SQL_TYPE, TABLE_SCHEMAS, type Database, type GenerationOwner } from './database.js';
import { duckdb } from './duckdb-api.js';
import { sqlError } from './sql-error.js';
import { resultColumns, rowObjects, type JsonValue, type ResultColumn } from './values.js';
import { ident, literal } from './sql-text.js';
import { tokens } from '../sql/lexer.js';
import { splitStatements } from '../sql/split.js';
import { EXPLAIN_TYPE, readExplain, unreadableExplain } from './read-only.js';

const { JsonDuckDBValueConverter, VARCHAR } = duckdb;

export type { BulkLoader } from './database.js';

export interface StatementResult {
  readonly columns: ResultColumn[];
  readonly rows: Record<string, JsonValue>[];
  /** Rows changed, for statements that change rows. */
  readonly rowsChanged: number;
}

/** Asked for by a statement that reads an API table not fetched for it; fetches and loads it. */
export type FetchTable = (table: string) => Promise<void>;

const UNFETCHED = /restsql:unfetched:([A-Za-z0-9_]+)/;
// DuckDB's refusals of INSERT, UPDATE and DELETE on a view (API tables are views).
const WRITE_REFUSED = /already exists|is not an table|Can only update base table|Can only delete from base table|Can only insert into base table|trying to (drop|replace with) type|is not a table/i;
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
 * The text of each of the `count` statements DuckDB extracted from `sql`, by restsql's splitter
 * (sql/split.ts); [] when the two do not agree on the count (each EXPLAIN is then refused).
 */
function statementTexts(sql: string, count: number): string[] {
  try {
    const parts = splitStatements(sql);
    return parts.length === count ? parts.map((p) => p.sql) : [];
  } catch {
    return [];
  }
}

/** A statement's shape, known without running it. */
export interface StatementShape {
  /** DuckDB's StatementType. */
  readonly statementType: number;
  /** Each `$n`'s type as DuckDB infers it from the statement; undefined where it cannot (`SELECT $1`: bound as text). */
  readonly params: readonly (DuckDBType | undefined)[];
  readonly columns: readonly { readonly name: string; readonly type: DuckDBType }[];
}

/** A statement running in the engine: its columns and its result, chunk by chunk. */
export interface OpenStatement {
  readonly statementType: number;
  readonly columns: readonly { readonly name: string; readonly type: DuckDBType }[];
  /** The columns as the library reports them (deduplicated names, DuckDB type names). */
  readonly resultColumns: ResultColumn[];
  /** Rows changed (INSERT, UPDATE, DELETE), else 0. */
  readonly rowsChanged: number;
  /** The next chunk of rows (about 2048), or undefined at the end. */
  next(): Promise<DuckDBDataChunk | undefined>;
}

/** Values bound to `$1`, `$2`, ...: plain JS values, or DuckDB values with their types. */
export type Params = readonly unknown[] | { readonly values: readonly DuckDBValue[]; readonly types: readonly (DuckDBType | undefined)[] };

/**
 * One session's view of the database (docs/architecture.md "Contracts"): a DuckDB connection of
 * its own on the shared, locked-down database (engine/database.ts).
 *
 * API tables are temporary views of the session's own, each showing one generation of loaded rows
 * only while they are fetched for the statement at hand; otherwise it raises
 * `restsql:unfetched:<table>` when read, so a statement restsql did not see reading a table never
 * runs on an empty or stale copy: the engine fetches the table (`FetchTable`) and runs the
 * statement again. Views also make DuckDB itself refuse INSERT, UPDATE and DELETE on API tables;
 * statements that change the catalog are checked not to have touched them.
 */
export interface Engine {
  readonly database: Database;
  /** Registers an API table (the database's, once) and makes its view in this session (unfetched). */
  createTable(table: TableDef): Promise<void>;
  /** Points the views of `tables` at generation `gen`'s rows (the session holds `gen` meanwhile). */
  show(tables: readonly string[], gen: number): Promise<void>;
  /** Makes reading `tables` raise until they are fetched (shown) again. */
  hide(tables: readonly string[]): Promise<void>;
  /** The generation `table`'s view shows, if it shows one. */
  shown(table: string): number | undefined;
  /** Whether the user has a transaction open (BEGIN without COMMIT or ROLLBACK yet). */
  inTransaction(): Promise<boolean>;
  /** Changes with every BEGIN, COMMIT and ROLLBACK: loads made inside a transaction hold only until it ends. */
  transactionEpoch(): number;
  /** Whether this session sees the rows of `tables` in generation `gen` (inside a transaction, only loads committed before it began). */
  sees(gen: number, tables: readonly string[]): Promise<boolean>;
  /** Drops generations made inside this session's transactions (see Database.newGeneration), for `newGeneration(session.owner)`. */
  readonly owner: GenerationOwner;
  /** Runs the drops handed to `owner` so far: between statements, on the session's own connection. */
  flushDrops(): Promise<void>;
  /** Loads a generation on this session's own connection, inside its user's transaction (the rows are this session's alone). */
  loadHere(gen: number, tables: readonly TableDef[], fill: Parameters<Database['load']>[2]): Promise<Map<string, number>>;
  /**
   * The session has views or macros of its own (they may read API tables where the planner cannot
   * see); with `sql`, only those the text names count (a view or macro is read only by a
   * statement naming it, or naming a view or macro that reads it).
   */
  hasUserObjects(sql?: string): Promise<boolean>;
  /** DuckDB's getTableNames for `sql` (empty when it does not parse; running it reports why). */
  tableNames(sql: string): string[];
  /** DuckDB's parse tree of `sql` (json_serialize_sql), or undefined when it is not one SELECT. */
  serialize(sql: string): Promise<unknown>;
  /** How many statements `sql` holds (0 when it does not parse; running it reports why). */
  statementCount(sql: string): Promise<number>;
  /** The parameter and result types of one statement, without running it (nothing is fetched). */
  describe(sql: string): Promise<StatementShape>;
  run(sql: string, params?: Params, fetch?: FetchTable): Promise<StatementResult[]>;
  /** Runs one statement and yields its rows chunk by chunk (about 2048 rows each), never all at once; at least one batch (the columns), even without rows. */
  stream(sql: string, params?: Params, fetch?: FetchTable): AsyncGenerator<{ columns: ResultColumn[]; rows: Record<string, JsonValue>[] }>;
  /** Runs one statement; its rows are read chunk by chunk (typed DuckDB values). */
  open(sql: string, params?: Params, fetch?: FetchTable): Promise<OpenStatement>;
  interrupt(): void;
  /** Closes the session (and the database, when the session owns it). */
  close(): Promise<void>;
}
/** An engine on a database of its own (the library's and the CLI's connection): closing it closes the database. */
export async function createEngine(): Promise<Engine> {
  const db = await createDatabase();
  try {
    return await createSession(db, true);
  } catch (e) {
    await db.close();
    throw e;
  }
}

/**
 * A session on `db`: its own DuckDB connection, with a view per API table (unfetched) and the
 * pinned tables shown. `ownsDatabase`: closing the session closes the database.
 */
export async function createSession(db: Database, ownsDatabase = false): Promise<Engine> {
  const conn = await db.connect();
  const store = db.storeSchema;
  // A user statement prepares, binds and starts only while no pages sit in the load folder.
  const asReader = <T>(fn: () => Promise<T>): Promise<T> => db.read(fn);
  const apiTables = db.tables;
  /** The generation each table's view shows (absent: unfetched). */
  const shownGen = new Map<string, number>();
  let closed = false;

  const viewName = (name: string) => ident(name);

  /**
   * A view that raises when read: every column and the row itself depend on error(), so no
   * optimisation (a WHERE on a constant column folded to false, say) answers from it without
   * raising. Reading no row of it (LIMIT 0, WHERE false) is the one answer it gives, and a right one.
   */
  const unfetchedView = (t: TableDef) => {
    const raise = `error(${literal(`restsql:unfetched:${t.name}`)})`;
    return `CREATE OR REPLACE TEMP VIEW ${viewName(t.name)} AS SELECT ${t.columns.map((c) => `CAST(${raise} AS ${SQL_TYPE[c.type]}) AS ${ident(c.name)}`).join(', ')} FROM range(1) WHERE ${raise} IS NULL`;
  };

  const hide = async (names: readonly string[]) => {
    for (const name of names) {
      const key = name.toLowerCase();
      const t = apiTables.get(key);
      if (!t) continue;
      const old = shownGen.get(key);
      if (old === undefined && viewsMade.has(key)) continue;
      await conn.run(unfetchedView(t));
      viewsMade.add(key);
      shownGen.delete(key);
      if (old !== undefined) db.release(old);
    }
  };

  const show = async (names: readonly string[], gen: number) => {
    for (const name of names) {
      const key = name.toLowerCase();
      const t = apiTables.get(key);
      if (!t) continue;
      const old = shownGen.get(key);
      if (old === gen) continue;
      db.retain(gen);
      try {
        await conn.run(`CREATE OR REPLACE TEMP VIEW ${viewName(t.name)} AS SELECT * FROM ${db.storageName(t.name, gen)}`);
      } catch (e) {
        db.release(gen);
        throw e;
      }
      viewsMade.add(key);
      shownGen.set(key, gen);
      if (old !== undefined) db.release(old);
    }
  };
  const viewsMade = new Set<string>();
  /**
   * Makes the views (unfetched) of API tables defined since this session made its own (another
   * session's createTable): a statement naming one meets restsql's view, `public.<table>`
   * included, not DuckDB's missing table. A count compared per statement, nothing more, once
   * every table has its view.
   */
  const viewsForNewTables = async () => {
    if (viewsMade.size >= apiTables.size) return;
    try {
      await hide([...apiTables.keys()].filter((k) => !viewsMade.has(k)));
    } catch {
      // A failed transaction runs nothing: the statement itself reports it.
    }
  };
  /** Drops of generations made in this session's transactions, run between statements. */
  let pendingDrops: string[] = [];
  const owner: GenerationOwner = {
    drop(statements) {
      if (closed) db.runAdmin(statements);
      else pendingDrops.push(...statements);
    },
  };

  // Counts BEGIN/COMMIT/ROLLBACK statements (see transactionEpoch).
  let txEpoch = 0;
  /**
   * After COMMIT or ROLLBACK: a ROLLBACK undid the view changes made inside the transaction, so
   * what this session knows of its views is forgotten: every API table is made unfetched anew
   * (pinned ones shown again).
   */
  const transactionStatement = async () => {
    txEpoch++;
    // A BEGIN leaves a transaction open; COMMIT and ROLLBACK do not (asked of DuckDB: a script's
    // text does not say which of its statements this was).
    if (await inTransaction()) return;
    for (const key of [...apiTables.keys()]) {
      const old = shownGen.get(key);
      shownGen.delete(key);
      viewsMade.delete(key);
      if (old !== undefined) db.release(old);
    }
    try {
      await hide([...apiTables.keys()]);
      for (const [name, gen] of db.pinned) await show([name], gen);
    } catch {
      // The transaction is still open (a COMMIT that failed): the next statement reports it.
    }
  };

  /**
   * What a statement changing the catalog must leave as it was, by key: `t:<name>`, every
   * catalog object named like an API table (the views restsql made, and nothing of the same name
   * elsewhere); `s:<schema>`, the schemas restsql's shared views live in (TABLE_SCHEMAS, in any
   * database) and every other object in them (tables, views, macros, sequences, types, indexes,
   * comments), which no user statement may create, change or drop.
   */
  const snapshot = async (): Promise<Map<string, string>> => {
    const names = [...apiTables.keys()].map(literal).join(', ') || "''";
    const schemas = TABLE_SCHEMAS.map(literal).join(', ');
    const key = (name: string) => `CASE WHEN lower(${name}) IN (${names}) THEN 't:' || lower(${name}) ELSE 's:' || lower(schema_name) END`;
    const ours = (name: string) => `(lower(${name}) IN (${names}) OR lower(schema_name) IN (${schemas}))`;
    const inSchemas = `lower(schema_name) IN (${schemas})`;
    const at = `database_name || '.' || schema_name || '.'`;
    const r = await conn.runAndReadAll(
      `SELECT k, string_agg(d, chr(10) ORDER BY d) FROM (
        SELECT ${key('table_name')} AS k, ${at} || table_name || ':' || coalesce(comment, '') AS d FROM duckdb_tables() WHERE ${ours('table_name')} AND schema_name <> '${store}'
        UNION ALL SELECT ${key('view_name')}, ${at} || view_name || ':' || sql || coalesce(comment, '') FROM duckdb_views() WHERE NOT internal AND ${ours('view_name')}
        UNION ALL SELECT ${key('table_name')}, ${at} || table_name || '.' || column_name || ':' || comment FROM duckdb_columns() WHERE comment IS NOT NULL AND ${ours('table_name')} AND schema_name <> '${store}'
        UNION ALL SELECT 's:' || lower(schema_name), database_name || '.' || schema_name || ':' || coalesce(comment, '') FROM duckdb_schemas() WHERE ${inSchemas}
        UNION ALL SELECT 's:' || lower(schema_name), ${at} || function_name || ':' || function_type FROM duckdb_functions() WHERE NOT internal AND ${inSchemas}
        UNION ALL SELECT 's:' || lower(schema_name), ${at} || sequence_name FROM duckdb_sequences() WHERE ${inSchemas}
        UNION ALL SELECT 's:' || lower(schema_name), ${at} || type_name FROM duckdb_types() WHERE NOT internal AND ${inSchemas}
        UNION ALL SELECT 's:' || lower(schema_name), ${at} || index_name FROM duckdb_indexes() WHERE ${inSchemas}
      ) GROUP BY 1`,
    );
    return new Map(r.getRows().map(([k, d]) => [String(k), String(d)]));
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
    new RestSqlError('READ_ONLY', `'${table}' is an API table: DDL on it, and writes in a form restsql does not send to the API, are refused; restsql never changes its local copy only.`, {
      hint: `INSERT, UPDATE and DELETE reach the API when the model file gives the table #insert, #update or #delete (docs/sql.md "Writes"); to change a copy, make your own: CREATE TEMP TABLE my_${table} AS SELECT * FROM ${ident(table)}.`,
      details: { table },
    });

  const schemaRefused = (schema: string) =>
    new RestSqlError('QUERY_NOT_ALLOWED', `Schema '${schema}' holds restsql's ${schema === 'public' ? 'API tables' : schema === 'restsql' ? 'own tables' : 'tables under the name DataDirect\'s driver gives their schema'}: objects cannot be created, changed or dropped in it.`, {
      hint: 'Create tables and views of your own as TEMP ones (CREATE TEMP TABLE mine AS ...).',
      details: { schema },
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
    const before = await snapshot();
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
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => after.get(k) !== before.get(k)).sort();
    if (changed.length > 0) {
      // A changed API table is reported as such (READ_ONLY); anything else there, by its schema.
      const table = changed.find((k) => k.startsWith('t:'));
      const err = table ? readOnly(apiTables.get(table.slice(2))?.name ?? table.slice(2)) : schemaRefused(changed[0]!.slice(2));
      if (own) {
        await conn.run('ROLLBACK');
        throw err;
      }
      // Inside the user's transaction: it is made to fail, so nothing of it can commit and no
      // statement runs in it until the user's ROLLBACK, which undoes the change (as PostgreSQL
      // leaves a transaction after an error; a client's transaction state stays right).
      await conn.run(`SELECT error('restsql: the transaction is aborted')`).catch(() => undefined);
      throw new RestSqlError(err.code, `${err.message} Your transaction is aborted: ROLLBACK it.`, { hint: err.hint ?? '', details: err.details });
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

  /**
   * refuseType, and of the statement EXPLAIN ANALYZE in `sql` (the prepared statement's own text)
   * would run too (ANALYZE runs it: `EXPLAIN ANALYZE PREPARE ...` is a PREPARE). An EXPLAIN whose
   * text is unknown (undefined) or unreadable is refused.
   */
  const refuseTypes = async (prepared: DuckDBPreparedStatement, sql: string | undefined) => {
    refuseType(prepared);
    let text = sql;
    for (let type = prepared.statementType, depth = 0; type === EXPLAIN_TYPE; depth++) {
      const explained = text === undefined || depth >= 8 ? undefined : readExplain(text);
      if (explained === undefined) throw unreadableExplain('QUERY_NOT_ALLOWED');
      if (!explained.analyze) return;
      const inner = explained.inner;
      const p = await conn.prepare(inner);
      try {
        refuseType(p);
        type = p.statementType;
      } finally {
        p.destroySync();
      }
      text = inner;
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

  const bind = (prepared: DuckDBPreparedStatement, params: Params | undefined) => {
    if (!params) return;
    if (Array.isArray(params)) {
      if (params.length > 0) prepared.bind(params as DuckDBValue[]);
      return;
    }
    const typed = params as Exclude<Params, readonly unknown[]>;
    if (typed.values.length > 0) prepared.bind(typed.values as DuckDBValue[], typed.types as DuckDBType[]);
  };
  const hasParams = (params: Params | undefined) => params !== undefined && (Array.isArray(params) ? params.length > 0 : (params as Exclude<Params, readonly unknown[]>).values.length > 0);

  const columnsOf = (r: { columnCount: number; columnName(i: number): string; columnType(i: number): DuckDBType }) =>
    Array.from({ length: r.columnCount }, (_, i) => ({ name: r.columnName(i), type: r.columnType(i) }));

  /** Prepares and runs one statement (retrying once per unfetched table), returning its DuckDB result. */
  const openResult = async (sql: string, params: Params | undefined, fetch: FetchTable | undefined): Promise<{ result: DuckDBResult; first: DuckDBDataChunk | null; statementType: number }> => {
    return withTables(
      () => asReader(async () => {
        const prepared = await conn.prepare(sql);
        await refuseTypes(prepared, sql);
        bind(prepared, params);
        const statementType = prepared.statementType;
        if (statementType === TRANSACTION) {
          try {
            const result = await prepared.run();
            return { result, first: await result.fetchChunk(), statementType };
          } finally {
            await transactionStatement();
          }
        }
        if (CATALOG_CHANGES.has(statementType)) {
          const result = await guarded(() => prepared.run(), sql);
          return { result, first: await result.fetchChunk(), statementType };
        }
        // The first chunk is read here: a table not fetched for the statement shows up by then.
        const result = await prepared.stream();
        return { result, first: await result.fetchChunk(), statementType };
      }),
      sql,
      fetch,
    );
  };

  /** The statement's parameter and result types, from DuckDB's prepare (see Engine.describe). */
  const describeNow = async (sql: string): Promise<StatementShape> => {
    const prepared = await conn.prepare(sql);
    try {
      await refuseTypes(prepared, sql);
      const params = Array.from({ length: prepared.parameterCount }, (_, i) => (prepared.parameterTypeId(i + 1) === 0 ? undefined : prepared.parameterType(i + 1)));
      const statementType = prepared.statementType;
      if (params.every((t) => t !== undefined) || statementType !== 1) return { statementType, params, columns: columnsOf(prepared) };
      // A parameter DuckDB cannot type leaves the result's types open until it is bound: bound
      // as text, the statement over no rows tells them. LIMIT 0 reads no row, so an API
      // table not fetched yet answers empty and nothing is fetched.
      const probe = await conn.prepare(`SELECT * FROM (${sql}) AS restsql_describe LIMIT 0`);
      try {
        // A text value, not NULL: DuckDB types a bound NULL as INTEGER whatever type is given.
        probe.bind(
          params.map((t) => (t === undefined ? '' : null)),
          params.map((t) => t ?? VARCHAR),
        );
        const reader = await probe.runAndReadAll();
        return { statementType, params, columns: columnsOf({ columnCount: reader.columnCount, columnName: (i) => reader.columnName(i), columnType: (i) => reader.columnType(i) }) };
      } finally {
        probe.destroySync();
      }
    } finally {
      prepared.destroySync();
    }
  };

  const session: Engine = {
    database: db,
    async createTable(table) {
      ensureOpen();
      await db.defineTable(table);
      viewsMade.delete(table.name.toLowerCase());
      await hide([table.name]);
    },
    show(names, gen) {
      ensureOpen();
      return show(names, gen);
    },
    hide(names) {
      ensureOpen();
      return hide(names);
    },
    shown: (table) => shownGen.get(table.toLowerCase()),
    inTransaction() {
      ensureOpen();
      return inTransaction();
    },
    transactionEpoch: () => txEpoch,
    owner,
    async flushDrops() {
      if (closed || pendingDrops.length === 0) return;
      const todo = pendingDrops;
      pendingDrops = [];
      const failed: string[] = [];
      // In a failed transaction nothing runs: they wait for a later statement.
      for (const sql of todo) await conn.run(sql).catch(() => failed.push(sql));
      pendingDrops.push(...failed);
    },
    async sees(gen, tables) {
      ensureOpen();
      if (tables.length === 0) return true;
      const r = await conn.runAndReadAll(db.loadedIn(gen, tables));
      return Number(r.getRows()[0]?.[0] ?? 0) === new Set(tables.map((t) => t.toLowerCase())).size;
    },
    loadHere(gen, tables, fill) {
      ensureOpen();
      return db.load(gen, tables, fill, undefined, conn);
    },
    async hasUserObjects(sql) {
      ensureOpen();
      const api = [...apiTables.keys()].map(literal).join(', ') || "''";
      const r = await conn.runAndReadAll(
        `SELECT view_name FROM duckdb_views() WHERE NOT internal AND lower(view_name) NOT IN (${api}) UNION ALL SELECT function_name FROM duckdb_functions() WHERE NOT internal AND function_type IN ('macro', 'table_macro')`,
      );
      const names = r.getRows().map(([name]) => String(name).toLowerCase());
      if (sql === undefined || names.length === 0) return names.length > 0;
      // The names the statement writes, as identifiers (a quoted "a""b" is a"b); text that does not lex counts as naming them all.
      const written = new Set<string>();
      try {
        for (const t of tokens(sql)) if (t.kind === 'word' || t.kind === 'quotedIdent') written.add(t.value.toLowerCase());
      } catch {
        return true;
      }
      return names.some((name) => written.has(name));
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

    async describe(sql) {
      ensureOpen();
      refuseStore(sql);
      await viewsForNewTables();
      try {
        return await asReader(() => describeNow(sql));
      } catch (e) {
        if (e instanceof RestSqlError) throw e;
        throw sqlError(e, sql);
      }
    },

    async run(sql, params, fetch) {
      ensureOpen();
      refuseStore(sql);
      await viewsForNewTables();
      const out: StatementResult[] = [];
      // `text`: the statement's own text, for what an EXPLAIN ANALYZE runs (undefined: unknown, and an EXPLAIN is refused).
      const one = (prepare: () => Promise<DuckDBPreparedStatement>, text: string | undefined): Promise<StatementResult> => asReader(() => oneNow(prepare, text));
      const oneNow = async (prepare: () => Promise<DuckDBPreparedStatement>, text: string | undefined): Promise<StatementResult> => {
        const prepared = await prepare();
        await refuseTypes(prepared, text);
        const read = async () => {
          const reader = await prepared.runAndReadAll();
          const columns = resultColumns(reader);
          return { columns, rows: rowObjects(reader.getRowsJson(), columns), rowsChanged: reader.rowsChanged };
        };
        if (prepared.statementType === TRANSACTION) {
          try {
            return await read();
          } finally {
            await transactionStatement();
          }
        }
        return CATALOG_CHANGES.has(prepared.statementType) ? guarded(read, sql) : read();
      };
      try {
        if (hasParams(params)) {
          out.push(
            await withTables(
              () =>
                one(async () => {
                  const p = await conn.prepare(sql);
                  bind(p, params);
                  return p;
                }, sql),
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
        const texts = count === 1 ? [sql] : statementTexts(sql, count);
        for (let i = 0; i < count; i++) {
          let tries = 0;
          out.push(
            await withTables(
              () =>
                one(async () => {
                  if (tries++ > 0) current = await conn.extractStatements(sql);
                  return current.prepare(i);
                }, texts[i]),
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

    async open(sql, params, fetch) {
      ensureOpen();
      refuseStore(sql);
      await viewsForNewTables();
      let opened: Awaited<ReturnType<typeof openResult>>;
      try {
        opened = await openResult(sql, params, fetch);
      } catch (e) {
        if (e instanceof RestSqlError) throw e;
        throw sqlError(e, sql);
      }
      const { result, statementType } = opened;
      let pending: DuckDBDataChunk | null | undefined = opened.first;
      let done = false;
      return {
        statementType,
        columns: columnsOf({ columnCount: result.columnCount, columnName: (i) => result.columnName(i), columnType: (i) => result.columnType(i) }),
        resultColumns: resultColumns(result),
        rowsChanged: statementType === TRANSACTION || CATALOG_CHANGES.has(statementType) || statementType === 2 || statementType === 3 || statementType === 5 ? result.rowsChanged : 0,
        async next() {
          if (done) return undefined;
          let chunk: DuckDBDataChunk | null;
          if (pending !== undefined) {
            chunk = pending;
            pending = undefined;
          } else {
            try {
              chunk = await result.fetchChunk();
            } catch (e) {
              done = true;
              throw sqlError(e, sql);
            }
          }
          if (!chunk || chunk.rowCount === 0) {
            done = true;
            return undefined;
          }
          return chunk;
        },
      };
    },

    async *stream(sql, params, fetch) {
      const open = await session.open(sql, params, fetch);
      const columns = open.resultColumns;
      let chunk = await open.next();
      yield { columns, rows: chunk ? rowObjects(chunk.convertRows(JsonDuckDBValueConverter), columns) : [] };
      while (chunk) {
        chunk = await open.next();
        if (chunk) yield { columns, rows: rowObjects(chunk.convertRows(JsonDuckDBValueConverter), columns) };
      }
    },

    interrupt() {
      if (!closed) conn.interrupt();
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const gen of shownGen.values()) db.release(gen);
      shownGen.clear();
      try {
        db.disconnect(conn);
      } finally {
        // Tables of this session's committed transactions are visible to the database's own connection now.
        if (pendingDrops.length > 0) db.runAdmin(pendingDrops);
        pendingDrops = [];
        if (ownsDatabase) await db.close();
      }
    },
  };
  await hide([...apiTables.keys()]);
  for (const [name, gen] of db.pinned) await show([name], gen);
  return session;
}
