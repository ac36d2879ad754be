/**
 * What `restsql mcp` bounds, and the clock its deadlines run on (injected, so tests need no real
 * waits). The flags (--max-rows, --timeout) set the caps; a tool call may ask for less, never more.
 */

export interface McpLimits {
  /** Rows a query returns when the call gives no max_rows. */
  readonly defaultRows: number;
  /** The most rows a query returns (--max-rows); a larger max_rows is lowered to it. */
  readonly maxRows: number;
  /** Seconds a query (its fetches included) may run (--timeout); a call's timeout_seconds may only lower it. */
  readonly timeoutSeconds: number;
  /** Largest request body the HTTP transport reads (bytes); larger ones get 413. */
  readonly maxBodyBytes: number;
  /** MCP sessions the HTTP transport keeps at once; an initialize beyond them gets 503. */
  readonly maxSessions: number;
  /**
   * Seconds an HTTP session may sit idle (no request in flight, none begun) before it is closed and
   * its place freed (--session-idle-timeout); 0: never. A client that crashed without DELETE
   * would otherwise hold its place until the server stops.
   */
  readonly sessionIdleSeconds: number;
  /** Most array elements and object members in one tool call's arguments. */
  readonly maxToolInputElements: number;
}

export const DEFAULT_MCP_LIMITS: McpLimits = Object.freeze({
  defaultRows: 1000,
  maxRows: 10_000,
  timeoutSeconds: 60,
  maxBodyBytes: 1024 * 1024,
  maxSessions: 32,
  sessionIdleSeconds: 1800,
  maxToolInputElements: 1000,
});

/** A timer source: Node's by default; tests pass one they advance by hand. */
export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_CLOCK: Clock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
