/**
 * Everything one connection string opens that sessions share: the model, the authenticated HTTP
 * client, the one locked-down database and the load cache. The library's `connect()` gives a hub
 * with one session (a Connection that owns it); `restsql serve` gives each client session a
 * Connection of its own on one hub, so tables fetched for one session serve the others within
 * CacheTTL.
 *
 * REFRESH MAP (engine/relational-map.ts) replaces the model, the database and the load cache at
 * once: only for a hub with one session (the library's and the CLI's connection), since the
 * sessions of `restsql serve` share them with statements and a catalog built on the old model.
 */
import { RestSqlError, toRestSqlError, type Redactor } from '../errors/index.js';
import type { HttpClient } from '../http/contract.js';
import { writeRestModel } from '../model/rest-writer.js';
import type { ResolvedModel } from '../model/types.js';
import type { Logger } from '../util/logger.js';
import { Connection, type SessionHost } from './connection.js';
import type { EndpointSampler } from './endpoint-sample.js';
import { rewriteEscapes } from './odbc-escapes.js';
import type { Database } from './database.js';
import { createSession, type Engine } from './duckdb.js';
import type { LoadCache } from './load-cache.js';
import { DEFAULT_WRITE_SETTINGS, type WriteSettings } from './write/write-runner.js';
import { installRoutines } from './routines/install.js';

/** Per-session settings from the connection options. */
export interface SessionSettings {
  /** QueryTimeout in seconds; 0 or less: none. */
  readonly queryTimeout?: number;
  /** InitializationString: statements run at the start of every session. */
  readonly initializationString?: string;
  /** AllowFullTableWrites, WriteBatchSize, TransactionMode. */
  readonly writes?: WriteSettings;
}

/** What a refresh replaces together: the model, the database its tables are defined in, and the cache of their rows. */
export interface HubState {
  readonly model: ResolvedModel;
  readonly db: Database;
  readonly cache: LoadCache;
}

/** A failed InitializationString, named as the option at fault. */
function initializationFailed(e: unknown): RestSqlError {
  const err = toRestSqlError(e);
  return new RestSqlError(err.code, `InitializationString failed: ${err.message}`, { ...(err.hint !== undefined ? { hint: err.hint } : {}), details: { ...err.details, option: 'InitializationString' }, cause: e });
}

export class Hub implements SessionHost {
  #closed = false;
  readonly #sessions = new Set<Connection>();
  #state: HubState;

  /** @internal use openHub() or connect(). */
  constructor(
    state: HubState,
    readonly http: HttpClient,
    readonly logger: Logger,
    readonly redactor: Redactor,
    private readonly closeAuth: () => Promise<void>,
    /** Builds a new state from the model file (or RestSamplePath) sampled again: REFRESH MAP. */
    private readonly rebuild?: () => Promise<HubState>,
    readonly settings: SessionSettings = {},
    /** Samples another endpoint of the API (Connection.sampleEndpoint). */
    private readonly sampler?: EndpointSampler,
  ) {
    this.#state = state;
  }

  get model(): ResolvedModel {
    return this.#state.model;
  }

  get db(): Database {
    return this.#state.db;
  }

  get cache(): LoadCache {
    return this.#state.cache;
  }

  /**
   * REFRESH MAP for the hub's one session: builds the new model, database and cache (a failure
   * leaves everything as it was), ends `engine` (the session's old DuckDB connection) and returns
   * the session's new one. The old cached rows go with the old database.
   */
  async refresh(engine: Engine): Promise<Engine> {
    if (this.#sessions.size > 1 || !this.rebuild) {
      throw new RestSqlError('MAP_REFRESH_SHARED', 'REFRESH MAP is not available on a session that shares its map with other sessions (restsql serve).', {
        hint: 'Restart restsql serve to sample again, or run REFRESH MAP through restsql query or a connection of your own.',
      });
    }
    const next = await this.rebuild();
    let fresh: Engine | undefined;
    try {
      fresh = await createSession(next.db);
      await installRoutines(fresh, next.model.routines);
      // The new session gets the connection's InitializationString, as every session does.
      if (this.settings.initializationString !== undefined) {
        const session = fresh;
        try {
          const sql = rewriteEscapes(this.settings.initializationString);
          await next.cache.prepare(session, sql);
          await session.run(sql, undefined, (t) => next.cache.fetchTable(session, t));
        } catch (e) {
          throw initializationFailed(e);
        }
      }
    } catch (e) {
      await fresh?.close().catch(() => undefined);
      await next.cache.close();
      await next.db.close();
      throw e;
    }
    const old = this.#state;
    this.#state = next;
    old.cache.endSession(engine);
    await engine.close();
    await old.cache.close();
    await old.db.close();
    return fresh;
  }

  get writeSettings(): WriteSettings {
    return this.settings.writes ?? DEFAULT_WRITE_SETTINGS;
  }

  get queryTimeout(): number {
    return this.settings.queryTimeout ?? 0;
  }

  /**
   * A new session: a Connection with a DuckDB connection of its own, sharing this hub's tables.
   * InitializationString runs first; when it fails, the session is closed and the error thrown.
   */
  async session(ownsHub = false): Promise<Connection> {
    const engine = await createSession(this.db);
    const conn = new Connection(this, engine, ownsHub);
    this.#sessions.add(conn);
    // The model file's functions, in every session.
    await installRoutines(engine, this.model.routines).catch(async (e: unknown) => {
      await conn.close().catch(() => undefined);
      throw e;
    });
    if (this.settings.initializationString !== undefined) {
      try {
        await conn.queryAll(this.settings.initializationString);
      } catch (e) {
        // The hub stays open for the caller to close (a connection that owns it closes it).
        await conn.close().catch(() => undefined);
        throw initializationFailed(e);
      }
    }
    return conn;
  }

  /** @internal a session closed. */
  detach(conn: Connection): void {
    this.#sessions.delete(conn);
  }

  /** The model as .rest text, secrets masked. */
  restModel(): string {
    return this.redactor.text(writeRestModel(this.model));
  }

  /** One more endpoint of the API sampled, as .rest text (secrets masked); only the API's own origins. `signal` cancels it. */
  sampleEndpoint(url: string, table?: string, signal?: AbortSignal): Promise<string> {
    if (!this.sampler) {
      return Promise.reject(new RestSqlError('CONFIG_UNSUPPORTED', 'This connection cannot sample endpoints.', { hint: 'Open the connection with connect() or openHub().' }));
    }
    return this.sampler(url, table, this.model, signal);
  }

  /** Closes every session, the database (its spool folder goes), the HTTP client and the authenticator. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#sessions) await s.close().catch(() => undefined);
    await this.cache.close();
    await this.db.close();
    await this.http.close();
    await this.closeAuth();
  }
}
