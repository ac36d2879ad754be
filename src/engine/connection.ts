/**
 * An open restsql connection (the public Connection of src/index.ts): one session on a hub
 * (engine/hub.ts). Statements run in the session's engine once the hub's load cache has fetched
 * the API tables they read. Every statement enters here (the CLI, the library and `restsql
 * serve` alike) and has its ODBC/JDBC escapes rewritten first (engine/odbc-escapes.ts).
 */
import { toRestSqlError, RestSqlError } from '../errors/index.js';
import { tablesOf, type ColumnType, type ResolvedModel } from '../model/types.js';
import type { Redactor } from '../errors/index.js';
import type { Engine, OpenStatement, Params, StatementResult, StatementShape } from './duckdb.js';
import type { LoadCache } from './load-cache.js';
import { rewriteEscapes } from './odbc-escapes.js';
import type { JsonValue, ResultColumn } from './values.js';

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
}

/** What a Connection needs of the hub it is a session of (engine/hub.ts). */
export interface SessionHost {
  readonly model: ResolvedModel;
  readonly cache: LoadCache;
  readonly redactor: Redactor;
  /** The model as .rest text, secrets masked. */
  restModel(): string;
  /** The session closed. */
  detach(conn: Connection): void;
  close(): Promise<void>;
}

/** Plain values of `params` for the planner (typed DuckDB values it cannot read count as unknown). */
function plainParams(params: Params | undefined): readonly unknown[] {
  if (!params) return [];
  return Array.isArray(params) ? params : (params as Exclude<Params, readonly unknown[]>).values;
}

/** An open restsql connection: the model, a session of the engine, and the hub's HTTP client and cache. */
export class Connection {
  readonly model: ResolvedModel;
  readonly #hub: SessionHost;
  readonly #engine: Engine;
  /** Closing this connection closes the hub (the library's and the CLI's connection own theirs). */
  readonly #ownsHub: boolean;
  /** Aborts the fetches of the statement running now (interrupt). */
  #running: AbortController | undefined;
  /** Statements still running: close() interrupts them and waits (closing DuckDB under one crashes the process). */
  readonly #inFlight = new Set<Promise<void>>();
  #closed = false;

  /** @internal use connect(). */
  constructor(hub: SessionHost, engine: Engine, ownsHub: boolean) {
    this.model = hub.model;
    this.#hub = hub;
    this.#engine = engine;
    this.#ownsHub = ownsHub;
  }

  #ensureOpen(): void {
    if (this.#closed) throw new RestSqlError('CONNECTION_CLOSED', 'The connection is closed.', { hint: 'Open a new connection with connect().' });
  }

  /** Runs `fn` as the running statement: interrupt() aborts its fetches; close() waits for it. */
  async #statement<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.#running = controller;
    const work = fn(controller.signal);
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight.add(settled);
    try {
      return await work;
    } catch (e) {
      throw this.#hub.redactor.error(controller.signal.aborted ? aborted(e) : toRestSqlError(e));
    } finally {
      this.#inFlight.delete(settled);
      if (this.#running === controller) this.#running = undefined;
    }
  }

  /** Runs every statement in `sql`; returns each statement's result. */
  async queryAll(text: string, params?: Params): Promise<StatementResult[]> {
    this.#ensureOpen();
    return this.#statement(async (signal) => {
      const sql = rewriteEscapes(text);
      await this.#hub.cache.prepare(this.#engine, sql, plainParams(params), signal);
      return this.#engine.run(sql, params, (t) => this.#hub.cache.fetchTable(this.#engine, t, signal));
    });
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
    let sql: string;
    try {
      sql = rewriteEscapes(text);
    } catch (e) {
      throw this.#hub.redactor.error(toRestSqlError(e));
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
  async open(text: string, params?: Params): Promise<OpenStatement> {
    this.#ensureOpen();
    return this.#statement(async (signal) => {
      const sql = rewriteEscapes(text);
      await this.#hub.cache.prepare(this.#engine, sql, plainParams(params), signal);
      return this.#engine.open(sql, params, (t) => this.#hub.cache.fetchTable(this.#engine, t, signal));
    });
  }

  /** The parameter and result types of one statement, without running it: nothing is fetched. */
  async describe(sql: string): Promise<StatementShape> {
    this.#ensureOpen();
    try {
      return await this.#engine.describe(rewriteEscapes(sql));
    } catch (e) {
      throw this.#hub.redactor.error(toRestSqlError(e));
    }
  }

  /** How many statements `sql` holds (0 when it does not parse). */
  async statementCount(sql: string): Promise<number> {
    this.#ensureOpen();
    let rewritten: string;
    try {
      rewritten = rewriteEscapes(sql);
    } catch {
      // Running it reports the escape's error.
      return 0;
    }
    return this.#engine.statementCount(rewritten);
  }

  async tables(): Promise<TableInfo[]> {
    this.#ensureOpen();
    return this.model.endpoints.flatMap((e) =>
      tablesOf(e.table).map((t) => ({
        name: t.name,
        parent: t.parent ?? null,
        endpoint: this.#hub.redactor.url(e.url),
        columns: t.columns.map((c) => ({ name: c.name, type: c.type, key: c.key })),
      })),
    );
  }

  /**
   * The model as .rest text (DataDirect model-file syntax), safe to print: URL user-info,
   * credential-like query parameters and this connection's secrets are masked (`***`).
   */
  restModel(): string {
    return this.#hub.restModel();
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
