/**
 * Everything one connection string opens that sessions share: the model, the authenticated HTTP
 * client, the one locked-down database and the load cache. The library's `connect()` gives a hub
 * with one session (a Connection that owns it); `restsql serve` gives each client session a
 * Connection of its own on one hub, so tables fetched for one session serve the others within
 * CacheTTL.
 */
import type { Redactor } from '../errors/index.js';
import type { HttpClient } from '../http/contract.js';
import { writeRestModel } from '../model/rest-writer.js';
import type { ResolvedModel } from '../model/types.js';
import type { Logger } from '../util/logger.js';
import { Connection, type SessionHost } from './connection.js';
import type { Database } from './database.js';
import { createSession } from './duckdb.js';
import type { LoadCache } from './load-cache.js';

export class Hub implements SessionHost {
  #closed = false;
  readonly #sessions = new Set<Connection>();

  /** @internal use openHub() or connect(). */
  constructor(
    readonly model: ResolvedModel,
    readonly db: Database,
    readonly cache: LoadCache,
    readonly http: HttpClient,
    readonly logger: Logger,
    readonly redactor: Redactor,
    private readonly closeAuth: () => Promise<void>,
  ) {}

  /** A new session: a Connection with a DuckDB connection of its own, sharing this hub's tables. */
  async session(ownsHub = false): Promise<Connection> {
    const engine = await createSession(this.db);
    const conn = new Connection(this, engine, ownsHub);
    this.#sessions.add(conn);
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
