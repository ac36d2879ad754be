/**
 * An open restsql connection (the public Connection of src/index.ts): statements run in the
 * engine once the load cache has fetched the API tables they read.
 */
import type { Redactor } from '../errors/index.js';
import { toRestSqlError, RestSqlError } from '../errors/index.js';
import type { HttpClient } from '../http/contract.js';
import { writeRestModel } from '../model/rest-writer.js';
import type { PrefetchedPage } from '../model/sample-source.js';
import { tablesOf, type ColumnType, type EndpointDef, type ResolvedModel } from '../model/types.js';
import type { Logger } from '../util/logger.js';
import type { Engine, StatementResult } from './duckdb.js';
import { LoadCache, type ScanLimits } from './load-cache.js';
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

/** An open restsql connection: the model, the engine and the HTTP client behind `connect()`. */
export class Connection {
  readonly model: ResolvedModel;
  readonly #engine: Engine;
  readonly #http: HttpClient;
  readonly #redactor: Redactor;
  readonly #cache: LoadCache;
  #closed = false;

  /** @internal use connect(). */
  constructor(model: ResolvedModel, engine: Engine, http: HttpClient, logger: Logger, redactor: Redactor, prefetched: Map<EndpointDef, PrefetchedPage>, private readonly closeAuth: () => Promise<void>, limits: ScanLimits) {
    this.model = model;
    this.#redactor = redactor;
    this.#engine = engine;
    this.#http = http;
    this.#cache = new LoadCache(model, engine, http, logger, prefetched, limits);
  }

  #ensureOpen(): void {
    if (this.#closed) throw new RestSqlError('CONNECTION_CLOSED', 'The connection is closed.', { hint: 'Open a new connection with connect().' });
  }

  /** Runs every statement in `sql`; returns each statement's result. */
  async queryAll(sql: string, params?: readonly unknown[]): Promise<StatementResult[]> {
    this.#ensureOpen();
    try {
      await this.#cache.prepare(sql, params);
      return await this.#engine.run(sql, params, (t) => this.#cache.fetchTable(t));
    } catch (e) {
      throw this.#redactor.error(toRestSqlError(e));
    }
  }

  /** Runs `sql` (the last statement's result is returned). `params` bind `$1`, `$2`, ... or `?`. */
  async query(sql: string, params?: readonly unknown[]): Promise<QueryResult> {
    const results = await this.queryAll(sql, params);
    const last = results[results.length - 1];
    return { columns: last?.columns ?? [], rows: last?.rows ?? [] };
  }

  /** Runs one statement and yields its rows in batches. */
  async *stream(sql: string, params?: readonly unknown[]): AsyncGenerator<QueryResult> {
    this.#ensureOpen();
    try {
      await this.#cache.prepare(sql, params);
      yield* this.#engine.stream(sql, params, (t) => this.#cache.fetchTable(t));
    } catch (e) {
      throw this.#redactor.error(toRestSqlError(e));
    }
  }

  /** How many statements `sql` holds (0 when it does not parse). */
  async statementCount(sql: string): Promise<number> {
    this.#ensureOpen();
    return this.#engine.statementCount(sql);
  }

  async tables(): Promise<TableInfo[]> {
    this.#ensureOpen();
    return this.model.endpoints.flatMap((e) =>
      tablesOf(e.table).map((t) => ({
        name: t.name,
        parent: t.parent ?? null,
        endpoint: this.#redactor.url(e.url),
        columns: t.columns.map((c) => ({ name: c.name, type: c.type, key: c.key })),
      })),
    );
  }

  /**
   * The model as .rest text (DataDirect model-file syntax), safe to print: URL user-info,
   * credential-like query parameters and this connection's secrets are masked (`***`).
   */
  restModel(): string {
    return this.#redactor.text(writeRestModel(this.model));
  }

  /** `text` with this connection's secrets (every form they travel in) masked: for printing data. */
  redact(text: string): string {
    return this.#redactor.scrub(text);
  }

  /** Cancels the running query, if any. */
  interrupt(): void {
    this.#engine.interrupt();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#engine.close();
    await this.#http.close();
    await this.closeAuth();
  }
}
