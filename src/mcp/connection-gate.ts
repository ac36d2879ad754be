/**
 * The one Connection every tool (and, over HTTP, every MCP session) shares. A Connection is one
 * DuckDB session that runs one statement at a time, and `interrupt()` cancels whatever runs on it,
 * so tool calls take turns here: a deadline then interrupts its own work and nobody else's.
 *
 * A turn ends early when its tool call is cancelled: server.ts runs each call's handler inside
 * `forCall(signal)` with the SDK's signal for that request (the client's notifications/cancelled,
 * or its transport closing), and every turn the handler takes is stopped by it, so a client that
 * gives up on a call frees the connection for the next one.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { RestSqlError } from '../errors/index.js';
import type { Connection } from '../engine/connection.js';
import type { Clock } from './limits.js';

/** What a turn does, as its deadline's error names it. */
export interface TurnKind {
  /** The subject of the error's sentence: "The query", "Sampling the endpoint". */
  readonly what: string;
  /** What to do about a timeout. */
  readonly hint: string;
}

export const QUERY_TURN: TurnKind = Object.freeze({
  what: 'The query',
  hint: "Fetch less (filter on the API's filter columns, add a LIMIT), or raise timeout_seconds up to the server's --timeout.",
});

export const SAMPLE_TURN: TurnKind = Object.freeze({
  what: 'Sampling the endpoint',
  hint: "Check that the API answers that URL, or raise timeout_seconds up to the server's --timeout.",
});

export class ConnectionGate {
  readonly #conn: Connection;
  readonly #clock: Clock;
  #tail: Promise<unknown> = Promise.resolve();
  /** The signal of the tool call the code runs for (forCall). */
  readonly #call = new AsyncLocalStorage<AbortSignal>();

  constructor(conn: Connection, clock: Clock) {
    this.#conn = conn;
    this.#clock = clock;
  }

  get connection(): Connection {
    return this.#conn;
  }

  /** Runs a tool call's `handler`: the turns it takes end (ABORTED) when `signal` aborts. */
  forCall<T>(signal: AbortSignal, handler: () => T): T {
    return this.#call.run(signal, handler);
  }

  /** Runs `fn` once the calls before it have ended, with no deadline; its failure does not stop the ones after it. */
  run<T>(fn: (conn: Connection, signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.withDeadline(0, fn);
  }

  /**
   * Runs `fn` in its turn with a deadline of `seconds` (0: none): past it the connection is
   * interrupted (DuckDB stops, the statement's fetches are aborted), the signal `fn` gets aborts
   * (for work that is no statement, such as Connection.sampleEndpoint), and the call fails with
   * QUERY_TIMEOUT, whatever error the interrupted work reports. The tool call's cancel does the
   * same and fails it with ABORTED; a call cancelled before its turn does not run.
   */
  withDeadline<T>(seconds: number, fn: (conn: Connection, signal: AbortSignal) => Promise<T>, kind: TurnKind = QUERY_TURN): Promise<T> {
    const cancel = this.#call.getStore();
    const turn = this.#tail.then(() => this.#turn(seconds, fn, kind, cancel));
    this.#tail = turn.catch(() => undefined);
    return turn;
  }

  async #turn<T>(seconds: number, fn: (conn: Connection, signal: AbortSignal) => Promise<T>, kind: TurnKind, cancel: AbortSignal | undefined): Promise<T> {
    if (cancel?.aborted) throw cancelledError(kind);
    const conn = this.#conn;
    const stopper = new AbortController();
    const stop = (reason: RestSqlError) => {
      if (stopper.signal.aborted) return;
      stopper.abort(reason);
      conn.interrupt();
    };
    let expired = false;
    const handle = seconds > 0
      ? this.#clock.setTimeout(() => {
          expired = true;
          stop(timeoutError(seconds, kind));
        }, seconds * 1000)
      : undefined;
    const onCancel = () => stop(cancelledError(kind));
    cancel?.addEventListener('abort', onCancel, { once: true });
    try {
      return await fn(conn, stopper.signal);
    } catch (e) {
      if (expired) throw timeoutError(seconds, kind, e);
      if (cancel?.aborted) throw cancelledError(kind, e);
      throw e;
    } finally {
      if (handle !== undefined) this.#clock.clearTimeout(handle);
      cancel?.removeEventListener('abort', onCancel);
    }
  }
}

function timeoutError(seconds: number, kind: TurnKind, cause?: unknown): RestSqlError {
  return new RestSqlError('QUERY_TIMEOUT', `${kind.what} ran longer than ${seconds} s and was cancelled.`, {
    hint: kind.hint,
    details: { seconds },
    ...(cause !== undefined ? { cause } : {}),
  });
}

function cancelledError(kind: TurnKind, cause?: unknown): RestSqlError {
  return new RestSqlError('ABORTED', `${kind.what} was cancelled by the client.`, {
    hint: 'Call the tool again when you want its result.',
    ...(cause !== undefined ? { cause } : {}),
  });
}
