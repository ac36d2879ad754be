/**
 * An open restsql connection (the public Connection of src/index.ts): one session on a hub
 * (engine/hub.ts). Statements run in the session's engine once the hub's load cache has fetched
 * the API tables they read. Every statement enters here (the CLI, the library and `restsql
 * serve` alike) and has its ODBC/JDBC escapes rewritten first (engine/odbc-escapes.ts).
 */
import { toRestSqlError, RestSqlError } from '../errors/index.js';
import { parentLinks, tablesOf, type ColumnType, type ResolvedModel, type TableDef } from '../model/types.js';
import type { Redactor } from '../errors/index.js';
import type { HttpClient } from '../http/contract.js';
import { splitStatements } from '../sql/split.js';
import type { Logger } from '../util/logger.js';
import type { Engine, FetchTable, OpenStatement, Params, StatementResult, StatementShape } from './duckdb.js';
import type { LoadCache } from './load-cache.js';
import { literal } from './sql-text.js';
import { rewriteEscapes } from './odbc-escapes.js';
import { RoutineSession } from './routines/session.js';
import type { JsonValue, ResultColumn } from './values.js';
import { bindLiterals } from './write/bind-literals.js';
import { afterWrite, describeWrite, runWrite, writeTarget, type WriteDone, type WriteSettings } from './write/write-runner.js';
import { readWriteStatement, writeVerb, type WriteStatement } from './write/write-statement.js';
import { assertReadOnly } from './read-only.js';

export type { ConnectOptions } from './connect-options.js';

export interface QueryResult {
  readonly columns: ResultColumn[];
  readonly rows: Record<string, JsonValue>[];
}

export interface TableInfo {
  readonly name: string;
  /** The table whose rows this child table's rows belong to. */
  readonly parent: string | null;
  readonly endpoint: string;
  readonly columns: readonly { name: string; type: ColumnType; key: boolean }[];
  /**
   * For a child table, the columns that link each row to its parent row: each column copying part
   * of the parent's key, with the parent's column it holds, in key order (`orders_id` holds the
   * parent's `id`; `JOIN parent p ON c.orders_id = p.id`). Empty for a root table.
   */
  readonly parentKey: readonly { column: string; parentColumn: string }[];
}

/** What a Connection needs of the hub it is a session of (engine/hub.ts). */
export interface SessionHost {
  readonly model: ResolvedModel;
  readonly cache: LoadCache;
  readonly redactor: Redactor;
  /** The model as .rest text, secrets masked. */
  restModel(): string;
  /** One more endpoint of the connection's API (only its own origins) sampled, as .rest text, secrets masked; `signal` cancels it. */
  sampleEndpoint(url: string, table?: string, signal?: AbortSignal): Promise<string>;
  /** QueryTimeout in seconds (0 or less: none): how long one statement may run, its fetches included. */
  readonly queryTimeout?: number;
  /** Sends the writes of INSERT, UPDATE and DELETE on API tables. */
  readonly http: HttpClient;
  readonly logger: Logger;
  /** AllowFullTableWrites, WriteBatchSize, TransactionMode. */
  readonly writeSettings: WriteSettings;
  /** The session closed. */
  detach(conn: Connection): void;
  /** REFRESH MAP: a new model, database and cache; `engine` is ended and the session's new engine returned. */
  refresh(engine: Engine): Promise<Engine>;
  close(): Promise<void>;
}

/**
 * REFRESH MAP (DataDirect's SQL extension), case-insensitive, alone or as the first statement of
 * a script: the statement and the rest of the script.
 */
const REFRESH_MAP = /^\s*refresh\s+map\s*(?:;|$)/i;

function splitRefresh(sql: string): { refresh: boolean; rest: string } {
  const m = REFRESH_MAP.exec(sql);
  return m ? { refresh: true, rest: sql.slice(m[0].length) } : { refresh: false, rest: sql };
}

/** The result REFRESH MAP answers with: one row, run by DuckDB like any SELECT. */
function refreshSummary(model: ResolvedModel): string {
  const tables = model.endpoints.flatMap((e) => tablesOf(e.table)).length;
  const failed = (model.sampling ?? []).filter((s) => !s.success).length;
  const status = `map refreshed: ${tables} table${tables === 1 ? '' : 's'}${failed > 0 ? `, ${failed} endpoint${failed === 1 ? '' : 's'} failed (see sampling_status)` : ''}`;
  return `SELECT ${literal(status)} AS status, ${tables}::INTEGER AS tables, ${failed}::INTEGER AS failed_endpoints`;
}

/** Plain values of `params` for the planner (typed DuckDB values it cannot read count as unknown). */
function plainParams(params: Params | undefined): readonly unknown[] {
  if (!params) return [];
  return Array.isArray(params) ? params : (params as Exclude<Params, readonly unknown[]>).values;
}

/** A cheap test: could `text` hold a statement that writes (before splitting it)? */
const MAY_WRITE = /\b(?:insert|update|delete|merge|truncate)\b/i;

/** An OpenStatement with no rows (a write without RETURNING). */
function noRows(done: WriteDone): OpenStatement {
  return { statementType: done.statementType, columns: [], resultColumns: [], rowsChanged: done.rowsChanged, next: () => Promise.resolve(undefined) };
}

/** An open restsql connection: the model, a session of the engine, and the hub's HTTP client and cache. */
export class Connection {
  readonly #hub: SessionHost;
  /** The session's DuckDB connection (a new one after REFRESH MAP). */
  #engine: Engine;
  /** A REFRESH MAP under way: statements wait for it before they touch the engine. */
  #refreshing: Promise<void> | undefined;
  /** Closing this connection closes the hub (the library's and the CLI's connection own theirs). */
  readonly #ownsHub: boolean;
  /** Aborts the fetches of the statement running now (interrupt). */
  #running: AbortController | undefined;
  /** Statements still running: close() interrupts them and waits (closing DuckDB under one crashes the process). */
  readonly #inFlight = new Set<Promise<void>>();
  #closed = false;
  /** CALL, and routines the session defines (engine/routines/session.ts): they run their statements through this connection. */
  readonly #routines: RoutineSession;

  /** @internal use connect(). */
  constructor(hub: SessionHost, engine: Engine, ownsHub: boolean) {
    this.#hub = hub;
    this.#engine = engine;
    this.#ownsHub = ownsHub;
    this.#routines = new RoutineSession({
      model: () => this.model,
      engine: () => this.#engine,
      queryAll: (sql, params) => this.queryAll(sql, params),
      open: (sql, params) => this.open(sql, params),
      stream: (sql, params) => this.stream(sql, params),
      describe: (sql) => this.describe(sql),
      error: (e) => this.#hub.redactor.error(toRestSqlError(e)),
    });
  }

  /** The model this connection answers over (a new one after REFRESH MAP). */
  get model(): ResolvedModel {
    return this.#hub.model;
  }

  #ensureOpen(): void {
    if (this.#closed) throw new RestSqlError('CONNECTION_CLOSED', 'The connection is closed.', { hint: 'Open a new connection with connect().' });
  }

  /** Runs `fn` as the running statement: interrupt() aborts its fetches; close() waits for it. */
  async #statement<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // Past a REFRESH MAP under way; from here on the statement counts as running (no await until it is added).
    while (this.#refreshing) await this.#refreshing;
    this.#ensureOpen();
    const controller = new AbortController();
    this.#running = controller;
    const seconds = this.#hub.queryTimeout ?? 0;
    let timedOut: RestSqlError | undefined;
    const timer =
      seconds > 0
        ? setTimeout(() => {
            timedOut = new RestSqlError('QUERY_TIMEOUT', `The statement ran longer than QueryTimeout (${seconds} s) and was cancelled.`, {
              hint: 'Raise QueryTimeout (0 lifts it), or fetch less: filter on the API\'s filter columns or add a LIMIT.',
              details: { option: 'QueryTimeout', seconds },
            });
            controller.abort(timedOut);
            this.#engine.interrupt();
          }, seconds * 1000)
        : undefined;
    const work = fn(controller.signal);
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight.add(settled);
    try {
      return await work;
    } catch (e) {
      throw this.#hub.redactor.error(timedOut ?? (controller.signal.aborted ? aborted(e) : toRestSqlError(e)));
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(settled);
      if (this.#running === controller) this.#running = undefined;
    }
  }

  /** Runs every statement in `sql`; returns each statement's result. */
  async queryAll(text: string, params?: Params): Promise<StatementResult[]> {
    this.#ensureOpen();
    const { refresh, rest } = splitRefresh(text);
    if (refresh) {
      const summary = await this.#refreshMap();
      const first = await this.queryAll(summary);
      return rest.trim() === '' || /^[\s;]*$/.test(rest) ? first : [...first, ...(await this.queryAll(rest, params))];
    }
    const routine = this.#routines.intercept(text, params);
    if (routine) return routine.all();
    // A script that writes to an API table runs one statement at a time (each write is sent before the next statement).
    const script = params === undefined ? this.#writingScript(text) : undefined;
    if (script) {
      const out: StatementResult[] = [];
      for (const part of script) out.push(...(await this.queryAll(part)));
      return out;
    }
    return this.#statement(async (signal) => {
      const sql = rewriteEscapes(text);
      const write = this.#writeOf(sql, params);
      if (write) {
        const done = await this.#write(write, signal);
        if (!done.returning) return [{ columns: [{ name: 'Count', type: 'BIGINT' }], rows: [{ Count: done.rowsChanged }], rowsChanged: done.rowsChanged }];
        const results = await this.#returned(write, done, signal, (sql, fetch) => this.#engine.run(sql, undefined, fetch));
        return [{ ...results[results.length - 1]!, rowsChanged: done.rowsChanged }];
      }
      await this.#hub.cache.prepare(this.#engine, sql, plainParams(params), signal);
      return this.#engine.run(sql, params, (t) => this.#hub.cache.fetchTable(this.#engine, t, signal));
    });
  }

  /** `sql` as a write to an API table, its parameters written in as literals; undefined when it is not one. */
  #writeOf(sql: string, params: Params | undefined): { stmt: WriteStatement; sql: string } | undefined {
    if (writeVerb(sql) === undefined) return undefined;
    if (!readWriteStatement(sql, this.#isApiTable)) return undefined;
    const bound = bindLiterals(sql, params);
    return { stmt: readWriteStatement(bound, this.#isApiTable)!, sql: bound };
  }

  /** Runs `run` on RETURNING's SELECT, its API tables fetched first; an error says the write itself was sent. */
  async #returned<T>(write: { stmt: WriteStatement }, done: WriteDone, signal: AbortSignal, run: (sql: string, fetch: FetchTable) => Promise<T>): Promise<T> {
    try {
      await this.#hub.cache.prepare(this.#engine, done.returning!, [], signal);
      return await run(done.returning!, (t) => this.#hub.cache.fetchTable(this.#engine, t, signal));
    } catch (e) {
      throw afterWrite(e, write.stmt.kind, write.stmt.table, done.rowsChanged);
    }
  }

  /** Whether `name` is an API table of the model (the one a REFRESH MAP left). */
  readonly #isApiTable = (name: string): boolean => writeTarget(this.model, name) !== undefined;

  #write(write: { stmt: WriteStatement; sql: string }, signal: AbortSignal): Promise<WriteDone> {
    const hub = this.#hub;
    return runWrite({ engine: this.#engine, cache: hub.cache, http: hub.http, logger: hub.logger, model: hub.model, settings: hub.writeSettings, signal }, write.stmt, write.sql);
  }

  /** The statements of a script (two or more) of which one writes to an API table; undefined otherwise. */
  #writingScript(text: string): string[] | undefined {
    if (!MAY_WRITE.test(text)) return undefined;
    let parts: string[];
    try {
      parts = splitStatements(text).map((p) => p.sql);
    } catch {
      return undefined;
    }
    if (parts.length < 2) return undefined;
    const writes = (part: string): boolean => {
      try {
        return readWriteStatement(rewriteEscapes(part), this.#isApiTable) !== undefined;
      } catch {
        // A refused write form: running it alone reports why.
        return true;
      }
    };
    return parts.some(writes) ? parts : undefined;
  }

  /** Runs `sql` (the last statement's result is returned). `params` bind `$1`, `$2`, ... or `?`. */
  async query(sql: string, params?: readonly unknown[]): Promise<QueryResult> {
    const results = await this.queryAll(sql, params);
    const last = results[results.length - 1];
    return { columns: last?.columns ?? [], rows: last?.rows ?? [] };
  }

  /** Runs one statement and yields its rows in batches. */
  async *stream(text: string, params?: readonly unknown[]): AsyncGenerator<QueryResult> {
    this.#ensureOpen();
    const { refresh, rest } = splitRefresh(text);
    if (refresh) {
      const summary = await this.#refreshMap();
      yield* this.stream(/^[\s;]*$/.test(rest) ? summary : rest, params);
      return;
    }
    const routine = this.#routines.intercept(text, params);
    if (routine) return yield* routine.stream();
    while (this.#refreshing) await this.#refreshing;
    let sql: string;
    try {
      sql = rewriteEscapes(text);
    } catch (e) {
      throw this.#hub.redactor.error(toRestSqlError(e));
    }
    let write: { stmt: WriteStatement; sql: string } | undefined;
    try {
      write = this.#writeOf(sql, params);
    } catch (e) {
      throw this.#hub.redactor.error(toRestSqlError(e));
    }
    if (write) {
      const w = write;
      const done = await this.#statement((signal) => this.#write(w, signal));
      if (!done.returning) {
        yield { columns: [{ name: 'Count', type: 'BIGINT' }], rows: [{ Count: done.rowsChanged }] };
        return;
      }
      const returning = done.returning;
      // Its API tables fetched here; the rows are streamed below.
      await this.#statement((signal) => this.#returned(w, done, signal, () => Promise.resolve()));
      try {
        yield* this.#engine.stream(returning, undefined, (t) => this.#hub.cache.fetchTable(this.#engine, t));
      } catch (e) {
        throw this.#hub.redactor.error(afterWrite(e, w.stmt.kind, w.stmt.table, done.rowsChanged));
      }
      return;
    }
    const gen = this.#engine.stream(sql, params, (t) => this.#hub.cache.fetchTable(this.#engine, t));
    try {
      await this.#statement((signal) => this.#hub.cache.prepare(this.#engine, sql, plainParams(params), signal));
      yield* gen;
    } catch (e) {
      throw this.#hub.redactor.error(toRestSqlError(e));
    }
  }

  /**
   * Runs one statement: fetches the API tables it reads, then starts it; its rows are read
   * chunk by chunk (typed DuckDB values) from the result. interrupt() cancels it, fetches included.
   */
  async open(text: string, params?: Params, options: { readonly readOnly?: boolean } = {}): Promise<OpenStatement> {
    this.#ensureOpen();
    const { refresh, rest } = splitRefresh(text);
    if (refresh) {
      // REFRESH MAP samples the API again, drops every session's cached tables and may rewrite the persisted map.
      if (options.readOnly) throw this.#hub.redactor.error(new RestSqlError('READ_ONLY', 'cannot execute REFRESH MAP in a read-only transaction', { hint: 'BEGIN a transaction that is not READ ONLY.' }));
      const summary = await this.#refreshMap();
      return this.open(/^[\s;]*$/.test(rest) ? summary : rest, params, options);
    }
    const routine = this.#routines.intercept(text, params);
    if (routine) {
      // A procedure may write (to the API): a READ ONLY transaction refuses it before it runs.
      if (options.readOnly && routine.mayWrite((sql) => writeVerb(sql) !== undefined)) {
        throw this.#hub.redactor.error(new RestSqlError('READ_ONLY', 'cannot execute CALL, CREATE or DROP of a routine, or a write in a read-only transaction', { hint: 'BEGIN a transaction that is not READ ONLY.' }));
      }
      return routine.open();
    }
    return this.#statement(async (signal) => {
      const sql = rewriteEscapes(text);
      const write = this.#writeOf(sql, params);
      if (write) {
        if (options.readOnly) throw new RestSqlError('READ_ONLY', `cannot execute ${write.stmt.kind.toUpperCase()} in a read-only transaction`, { hint: 'BEGIN a transaction that is not READ ONLY.' });
        const done = await this.#write(write, signal);
        if (!done.returning) return noRows(done);
        const o = await this.#returned(write, done, signal, (sql, fetch) => this.#engine.open(sql, undefined, fetch));
        return { statementType: done.statementType, rowsChanged: done.rowsChanged, columns: o.columns, resultColumns: o.resultColumns, next: () => o.next() };
      }
      // Read-only: a statement that changes DuckDB's state (CREATE, a temp table's INSERT, EXPLAIN
      // ANALYZE of either) is refused before it runs, by its type from a prepare.
      if (options.readOnly) await assertReadOnly(sql, async (s) => (await this.#engine.describe(s)).statementType);
      await this.#hub.cache.prepare(this.#engine, sql, plainParams(params), signal);
      return this.#engine.open(sql, params, (t) => this.#hub.cache.fetchTable(this.#engine, t, signal));
    });
  }

  /** The parameter and result types of one statement, without running it: nothing is fetched. */
  async describe(sql: string): Promise<StatementShape> {
    this.#ensureOpen();
    try {
      while (this.#refreshing) await this.#refreshing;
      const { refresh, rest } = splitRefresh(sql);
      if (refresh) {
        // Nothing runs: the shape of REFRESH MAP's answer (the session must be one it may run in).
        this.#refreshAllowed();
        return await this.#engine.describe(/^[\s;]*$/.test(rest) ? refreshSummary(this.model) : rewriteEscapes(rest));
      }
      const routine = this.#routines.intercept(sql);
      if (routine) return await routine.describe();
      const rewritten = rewriteEscapes(sql);
      if (writeVerb(rewritten) !== undefined) {
        const stmt = readWriteStatement(rewritten, this.#isApiTable);
        if (stmt) return await describeWrite(this.#engine, this.model, stmt, rewritten);
      }
      return await this.#engine.describe(rewritten);
    } catch (e) {
      throw this.#hub.redactor.error(toRestSqlError(e));
    }
  }

  /** How many statements `sql` holds (0 when it does not parse). */
  async statementCount(sql: string): Promise<number> {
    this.#ensureOpen();
    const { refresh, rest } = splitRefresh(sql);
    const count = (text: string): Promise<number> => {
      let rewritten: string;
      try {
        rewritten = rewriteEscapes(text);
      } catch {
        // Running it reports the escape's error.
        return Promise.resolve(0);
      }
      return this.#engine.statementCount(rewritten);
    };
    if (!refresh) return count(sql);
    return /^[\s;]*$/.test(rest) ? 1 : 1 + (await count(rest));
  }

  /** Throws unless REFRESH MAP may run on this session: it owns its hub (not a session of restsql serve). */
  #refreshAllowed(): void {
    if (!this.#ownsHub) {
      throw new RestSqlError('MAP_REFRESH_SHARED', 'REFRESH MAP is not available on a session that shares its map with other sessions (restsql serve).', {
        hint: 'Restart restsql serve to sample again, or run REFRESH MAP through restsql query or a connection of your own.',
      });
    }
  }

  /**
   * REFRESH MAP: waits for the statements running on this connection, then the hub samples again
   * (the model file read anew), replaces the tables and drops every cached row, and persists the
   * map when CreateMap says so. Statements sent meanwhile wait for it. A failure changes nothing.
   * Returns the SELECT that reports it.
   */
  async #refreshMap(): Promise<string> {
    this.#refreshAllowed();
    while (this.#refreshing) await this.#refreshing;
    let done!: () => void;
    this.#refreshing = new Promise<void>((r) => (done = r));
    try {
      // Statements already running finish first (on the old tables); new ones wait at the gate.
      await Promise.all([...this.#inFlight]);
      this.#ensureOpen();
      if (await this.#engine.inTransaction()) {
        throw new RestSqlError('MAP_REFRESH_IN_TRANSACTION', 'REFRESH MAP cannot run inside a transaction: it replaces the tables the transaction reads.', {
          hint: 'COMMIT or ROLLBACK first, then run REFRESH MAP.',
        });
      }
      this.#ensureOpen();
      this.#engine = await this.#hub.refresh(this.#engine);
    } catch (e) {
      throw this.#hub.redactor.error(toRestSqlError(e));
    } finally {
      this.#refreshing = undefined;
      done();
    }
    return refreshSummary(this.model);
  }

  /**
   * Drops the API rows cached for this connection's hub (every table, CacheTTL or not), so the
   * next statement reading a table fetches it again. Refused inside a transaction, whose snapshot
   * holds the rows it read. Waits for the statements running on this connection.
   */
  async dropCache(): Promise<void> {
    this.#ensureOpen();
    await Promise.all([...this.#inFlight]);
    try {
      if (await this.#engine.inTransaction()) {
        throw new RestSqlError('CACHE_DROP_IN_TRANSACTION', 'The cached tables cannot be dropped inside a transaction: it reads the rows fetched for it.', {
          hint: 'COMMIT or ROLLBACK first, then drop the cache.',
        });
      }
      await this.#hub.cache.dropAll(this.#engine);
    } catch (e) {
      throw this.#hub.redactor.error(toRestSqlError(e));
    }
  }

  async tables(): Promise<TableInfo[]> {
    this.#ensureOpen();
    return this.model.endpoints.flatMap((e) => {
      const parents = new Map<TableDef, TableDef>();
      for (const t of tablesOf(e.table)) for (const c of t.children) parents.set(c, t);
      return tablesOf(e.table).map((t) => {
        const parent = parents.get(t);
        return {
          name: t.name,
          parent: t.parent ?? null,
          endpoint: this.#hub.redactor.url(e.url),
          columns: t.columns.map((c) => ({ name: c.name, type: c.type, key: c.key })),
          parentKey: parent ? parentLinks(parent, t) : [],
        };
      });
    });
  }

  /**
   * The model as .rest text (DataDirect model-file syntax), safe to print: URL user-info,
   * credential-like query parameters and this connection's secrets are masked (`***`).
   */
  restModel(): string {
    return this.#hub.restModel();
  }

  /**
   * Infers the model of one more endpoint of this connection's API, as `restsql sample URL` does,
   * through this connection's authenticated client: `url` is absolute or relative to HostName and
   * must be on the API's own origins (HostName, RestSamplePath, the model's endpoints), else
   * HTTP_ORIGIN_REFUSED before anything is sent. Returns the .rest text, secrets masked; the
   * connection's own tables do not change. It runs as no statement, so interrupt() does not stop
   * it: `signal` does (its request is aborted, ABORTED).
   */
  async sampleEndpoint(url: string, table?: string, signal?: AbortSignal): Promise<string> {
    this.#ensureOpen();
    try {
      return await this.#hub.sampleEndpoint(url, table, signal);
    } catch (e) {
      throw this.#hub.redactor.error(toRestSqlError(e));
    }
  }

  /** `text` with this connection's secrets (every form they travel in) masked: for printing data. */
  redact(text: string): string {
    return this.#hub.redactor.scrub(text);
  }

  /** Cancels the running statement, if any: DuckDB stops, and fetches in flight are aborted. */
  interrupt(): void {
    this.#running?.abort(new RestSqlError('ABORTED', 'The statement was cancelled.', { hint: 'Run it again when you want its result.' }));
    this.#engine.interrupt();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#running?.abort(new RestSqlError('ABORTED', 'The connection was closed.', { hint: 'Open a new connection with connect().' }));
    if (this.#inFlight.size > 0) {
      this.#engine.interrupt();
      await Promise.all([...this.#inFlight]);
    }
    // A REFRESH MAP under way ends first (it stops before replacing anything once it sees the
    // connection closed), so what it built is closed with the rest.
    while (this.#refreshing) await this.#refreshing;
    this.#hub.cache.endSession(this.#engine);
    await this.#engine.close();
    this.#hub.detach(this);
    if (this.#ownsHub) await this.#hub.close();
  }
}

/** The error of a statement whose fetch or run was cancelled. */
function aborted(e: unknown): RestSqlError {
  const err = toRestSqlError(e);
  if (err.code === 'ABORTED') return err;
  return new RestSqlError('ABORTED', 'The statement was cancelled.', { hint: 'Run it again when you want its result.', cause: e });
}
