/**
 * The one Connection every tool (and, over HTTP, every MCP session) shares. A Connection is one
 * DuckDB session that runs one statement at a time, and `interrupt()` cancels whatever runs on it,
 * so tool calls take turns here: a deadline then interrupts its own statement and nobody else's.
 */
import { RestSqlError } from '../errors/index.js';
import type { Connection } from '../engine/connection.js';
import type { Clock } from './limits.js';

export class ConnectionGate {
  readonly #conn: Connection;
  readonly #clock: Clock;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(conn: Connection, clock: Clock) {
    this.#conn = conn;
    this.#clock = clock;
  }

  get connection(): Connection {
    return this.#conn;
  }

  /** Runs `fn` once the calls before it have ended; its failure does not stop the ones after it. */
  run<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    const turn = this.#tail.then(() => fn(this.#conn));
    this.#tail = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Runs `fn` in its turn with a deadline of `seconds` (0: none): past it the connection is
   * interrupted (DuckDB stops, fetches in flight are aborted) and the call fails with
   * QUERY_TIMEOUT, whatever error the interrupted work reports.
   */
  withDeadline<T>(seconds: number, fn: (conn: Connection) => Promise<T>): Promise<T> {
    return this.run(async (conn) => {
      let expired = false;
      const handle = seconds > 0
        ? this.#clock.setTimeout(() => {
            expired = true;
            conn.interrupt();
          }, seconds * 1000)
        : undefined;
      try {
        return await fn(conn);
      } catch (e) {
        if (expired) throw timeoutError(seconds, e);
        throw e;
      } finally {
        if (handle !== undefined) this.#clock.clearTimeout(handle);
      }
    });
  }
}

function timeoutError(seconds: number, cause: unknown): RestSqlError {
  return new RestSqlError('QUERY_TIMEOUT', `The query ran longer than ${seconds} s and was cancelled.`, {
    hint: 'Fetch less (filter on the API\'s filter columns, add a LIMIT), or raise timeout_seconds up to the server\'s --timeout.',
    details: { seconds },
    cause,
  });
}
