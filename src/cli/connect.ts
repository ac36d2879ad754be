/**
 * How a CLI command gets its connection: the connection flags (--connect, --connect-file, --dsn,
 * --odbc-ini, --no-browser, --device, --quiet) become connect()'s arguments, and useConnection
 * opens one for the length of a command. Loaded only by commands that connect (it loads the
 * library, and with it DuckDB).
 */
import { readFileSync } from 'node:fs';
import { connect, type Connection, type ConnectionSource } from '../index.js';
import { RestSqlError } from '../errors/index.js';
import type { Logger } from '../util/logger.js';
import { escapeMessage } from '../util/terminal.js';
import type { CliContext, CliIo } from './io.js';
import { cliLoginOptions, type LoginFlags } from './login-ui.js';
import { progressLine } from './progress.js';

export interface ConnFlags extends LoginFlags {
  quiet?: boolean;
  connect?: string;
  connectFile?: string;
  dsn?: string;
  odbcIni?: string;
}

/** Messages may quote API data: control characters are escaped before they reach the terminal. */
export function stderrLogger(io: CliIo): Logger {
  const debug = io.env.RESTSQL_DEBUG === '1';
  return {
    debug: (m) => {
      // Milliseconds since the process started: where the time goes, at a glance.
      if (debug) io.stderr.write(`restsql: debug: ${escapeMessage(m)} (+${Math.round(performance.now())} ms)\n`);
    },
    info: (m) => io.stderr.write(`restsql: ${escapeMessage(m)}\n`),
    warn: (m) => io.stderr.write(`restsql: warning: ${escapeMessage(m)}\n`),
  };
}

/** The connection string and the connect() options for a command's flags. */
export function connectionSource(flags: ConnFlags, io: CliIo, signal: AbortSignal, stdinFree: boolean, overrides?: Record<string, string>): [string | undefined, ConnectionSource] {
  if (flags.connect !== undefined && flags.connectFile !== undefined) {
    throw new RestSqlError('USAGE', 'Give the connection string with --connect or --connect-file, not both.', { hint: 'Drop one of them.' });
  }
  const connectionString = flags.connectFile !== undefined ? readConnectFile(flags.connectFile) : (flags.connect ?? io.env.RESTSQL_CONNECT);
  if (connectionString === undefined && flags.dsn === undefined && overrides === undefined) {
    throw new RestSqlError('USAGE', 'No connection given.', {
      hint: 'Pass --connect "RestSamplePath=https://...", --connect-file FILE or --dsn NAME, or set RESTSQL_CONNECT.',
    });
  }
  return [
    connectionString,
    {
      ...(flags.dsn ? { dsn: flags.dsn } : {}),
      ...(flags.odbcIni ? { odbcIni: flags.odbcIni } : {}),
      ...(overrides ? { overrides } : {}),
      env: io.env,
      signal,
      logger: stderrLogger(io),
      ...cliLoginOptions(flags, io, stdinFree),
    },
  ];
}

/** The connection string in FILE; line breaks separate options like `;` (a trailing newline is dropped). */
function readConnectFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RestSqlError('USAGE', `Cannot read the connection file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}.`, { hint: 'Check the path given to --connect-file.' });
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).join(';');
}

/**
 * Opens a connection for the flags, runs `fn` on it and closes it. A fetch progress line shows on
 * a terminal's stderr (unless --quiet) until `clearProgress` or the end. `stdinFree`: standard
 * input is not the SQL, so a login may read a pasted redirect URL from it.
 */
export async function useConnection<T>(
  ctx: CliContext,
  flags: ConnFlags,
  fn: (c: Connection, clearProgress: () => void) => Promise<T>,
  opts: { overrides?: Record<string, string>; stdinFree?: boolean } = {},
): Promise<T> {
  const progress = progressLine(ctx.io.stderr, !flags.quiet);
  const [connectionString, source] = connectionSource(flags, ctx.io, ctx.signal, opts.stdinFree ?? true, opts.overrides);
  const conn = await connect(connectionString, { ...source, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) });
  ctx.track(conn);
  try {
    return await fn(conn, progress.clear);
  } finally {
    progress.clear();
    ctx.track(undefined);
    await conn.close();
  }
}
