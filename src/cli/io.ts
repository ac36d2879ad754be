import type { Connection } from '../engine/connection.js';

/** Where the CLI reads and writes; injected so tests can run it in-process. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

/**
 * What a command's implementation gets from main(): the streams, the signal that SIGINT, SIGTERM
 * and SIGHUP abort, and `track`, which tells main() the connection a signal must interrupt.
 * `takeInterrupts` lets a command (the shell) take SIGINT itself: while a handler is set, main()
 * asks it first, and a handler returning true keeps the command running. `setExitStatus` gives
 * the status of a command that reported its own failure (the shell stopping at an error).
 */
export interface CliContext {
  readonly io: CliIo;
  readonly signal: AbortSignal;
  track(conn: Connection | undefined): void;
  takeInterrupts?(handler: (() => boolean) | undefined): void;
  setExitStatus?(status: number): void;
}
