import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { connect, login, logout, openHub, tokenStatus, type Connection, type ConnectionSource, type TokenStatus } from '../index.js';
import { RestSqlError } from '../errors/index.js';
import { optionsMarkdown, optionsText } from '../options/index.js';
import { didYouMean } from '../util/did-you-mean.js';
import type { Logger } from '../util/logger.js';
import { escapeMessage } from '../util/terminal.js';
import { renderError } from './errors.js';
import { cliLoginOptions, type LoginFlags } from './login-ui.js';
import { progressLine } from './progress.js';
import { FORMATS, createFormatter, type Format, type Write } from './format.js';
import { SERVE_DEFAULTS, runServe, serveSettings, type ServeFlags } from './serve.js';

/** Where the CLI reads and writes; injected so tests can run it in-process. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

interface ConnFlags extends LoginFlags {
  quiet?: boolean;
  connect?: string;
  connectFile?: string;
  dsn?: string;
  odbcIni?: string;
}

function withConnOptions(cmd: Command): Command {
  return cmd
    .option('-c, --connect <string>', 'connection string, e.g. "RestSamplePath=https://api.example.com/v1/items" (or env RESTSQL_CONNECT); other users can see it in `ps`, so put secrets in --connect-file or RESTSQL_CONNECT')
    .option('--connect-file <file>', 'read the connection string from FILE (keep it mode 0600): secrets stay out of `ps` and shell history')
    .option('--dsn <name>', 'data source name to read from odbc.ini')
    .option('--odbc-ini <file>', 'odbc.ini file to read the DSN from (default $ODBCINI, ~/.odbc.ini, /etc/odbc.ini)')
    .option('--no-browser', 'OAuth login without opening a browser: print the URL, then wait for the redirect or for the redirected URL pasted on stdin')
    .option('--device', 'OAuth login with the device authorization grant (RFC 8628), for machines without a browser')
    .option('-q, --quiet', 'no progress line while pages are fetched');
}

/** Messages may quote API data: control characters are escaped before they reach the terminal. */
function stderrLogger(io: CliIo): Logger {
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
function connectionSource(flags: ConnFlags, io: CliIo, signal: AbortSignal, stdinFree: boolean, overrides?: Record<string, string>): [string | undefined, ConnectionSource] {
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

function describeExpiry(at: number | undefined, now = Date.now()): string {
  if (at === undefined) return 'unknown (the server did not say)';
  const mins = Math.round((at - now) / 60_000);
  const when = new Date(at).toISOString();
  return at <= now ? `${when} (expired; it is refreshed on next use)` : `${when} (in ${mins < 120 ? `${mins} min` : `${Math.round(mins / 60)} h`})`;
}

function statusRows(s: TokenStatus): { field: string; value: string }[] {
  return [
    { field: 'cached', value: s.cached ? 'yes' : 'no (the next command logs in)' },
    ...(s.cached ? [{ field: 'expires', value: describeExpiry(s.expiresAt) }] : []),
    ...(s.cached ? [{ field: 'scope', value: s.scope ?? '(as requested)' }] : []),
    ...(s.cached ? [{ field: 'refresh token', value: s.hasRefreshToken ? 'yes' : 'no (a new login when the access token expires)' }] : []),
    { field: 'client', value: s.clientId },
    { field: 'token endpoint', value: s.tokenEndpoint },
  ];
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

function sqlFrom(args: string[], file: string | undefined, io: CliIo): Promise<string> | string {
  if (args.length > 0 && file) throw new RestSqlError('USAGE', 'Give the SQL as an argument or with --file, not both.', { hint: 'Drop one of them.' });
  if (file) {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new RestSqlError('USAGE', `Cannot read SQL file ${file}: ${(e as Error).message}`, { hint: 'Check the path given to --file.' });
    }
  }
  if (args.length > 0) return args.join(' ');
  if (io.stdin.isTTY) throw new RestSqlError('USAGE', 'No SQL given.', { hint: 'Pass the SQL as an argument, with --file FILE, or on standard input.' });
  return readAll(io.stdin);
}

/** A sink for results: --output FILE or stdout. Returns the writer and a function that flushes and closes. */
function outputSink(file: string | undefined, io: CliIo): { write: Write; done: () => Promise<void> } {
  if (!file) return { write: (t) => void io.stdout.write(t), done: async () => {} };
  const stream = createWriteStream(file, { mode: 0o644 });
  let failure: Error | undefined;
  stream.on('error', (e) => (failure = e));
  return {
    write: (t) => void stream.write(t),
    done: () =>
      new Promise<void>((resolve, reject) => {
        stream.end(() => (failure ? reject(new RestSqlError('USAGE', `Cannot write ${file}: ${failure.message}`, { hint: 'Check the --output path.' })) : resolve()));
      }),
  };
}

function formatOption(): Option {
  return new Option('-f, --format <format>', 'output format').choices(FORMATS as unknown as string[]).default('table');
}

type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
const STOP_STATUS: Readonly<Record<StopSignal, number>> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
const STOP_SIGNALS = Object.keys(STOP_STATUS) as StopSignal[];

type RunDemo = (io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv; interactive?: boolean }) => Promise<void>;

/** Where the compiled demo sits in a clone: dist/examples/demo/run.js, next to dist/src. */
const DEMO_RUN = new URL('../../examples/demo/run.js', import.meta.url);

/**
 * `restsql demo` runs examples/demo, which only a clone has: its OAuth server is oidc-provider, a
 * development dependency, so the published package (dist/src) ships neither. Loaded by URL, not by
 * a literal import, because nothing in src/ may depend on files outside it (docs/architecture.md).
 */
async function loadDemo(): Promise<RunDemo> {
  if (!existsSync(fileURLToPath(DEMO_RUN))) {
    throw new RestSqlError('USAGE', 'restsql demo runs from a clone of the restsql repository, not from an installed package: its local OAuth server (oidc-provider) is a development dependency, which the package does not include.', {
      hint: 'In a clone of the repository: npm install && npm run demo',
    });
  }
  return ((await import(DEMO_RUN.href)) as { runDemo: RunDemo }).runDemo;
}

/** Runs the CLI; returns the exit status (0 ok, 1 query/remote, 2 usage/config, 3 auth; errors/codes.ts). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const abort = new AbortController();
  let active: Connection | undefined;
  // SIGINT (Ctrl-C), SIGTERM and SIGHUP stop the work the same way (spooled pages go at exit);
  // the status is 128 + the signal's number, as a shell reports it.
  let stoppedBy: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    stoppedBy ??= signal;
    abort.abort();
    active?.interrupt();
  };
  for (const s of STOP_SIGNALS) process.once(s, onSignal);
  const use = async <T>(flags: ConnFlags, fn: (c: Connection, clearProgress: () => void) => Promise<T>, overrides?: Record<string, string>, stdinFree = true): Promise<T> => {
    const progress = progressLine(io.stderr, !flags.quiet);
    const [connectionString, source] = connectionSource(flags, io, abort.signal, stdinFree, overrides);
    const conn = await connect(connectionString, { ...source, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) });
    const clear = progress.clear;
    active = conn;
    try {
      return await fn(conn, clear);
    } finally {
      clear();
      active = undefined;
      await conn.close();
    }
  };

  const program = new Command('restsql')
    .description('Query REST/JSON APIs with SQL.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  withConnOptions(program.command('query'))
    .description('run SQL and print the result')
    .argument('[sql...]', 'SQL text (else --file, else standard input)')
    .addOption(formatOption())
    .option('-o, --output <file>', 'write the result to FILE instead of standard output')
    .option('--file <file>', 'read the SQL from FILE')
    .action(async (args: string[], flags: ConnFlags & { format: Format; output?: string; file?: string }) => {
      const sql = await sqlFrom(args, flags.file, io);
      const stdinFree = args.length > 0 || flags.file !== undefined;
      await use(flags, async (conn, clearProgress) => {
        const sink = outputSink(flags.output, io);
        // Rows are printed with this connection's secrets masked (an API may echo a credential).
        const out = { write: (t: string) => sink.write(conn.redact(t)), done: sink.done };
        if ((await conn.statementCount(sql)) === 1) {
          // One statement, run once: streamed, so csv/json/ndjson never hold the whole result. The
          // stream's first batch always comes (it carries the columns), rows or not.
          const f = createFormatter(flags.format, out.write);
          let begun = false;
          for await (const batch of conn.stream(sql)) {
            if (!begun) {
              clearProgress();
              f.begin(batch.columns);
            }
            begun = true;
            f.rows(batch.rows);
          }
          f.end();
        } else {
          const results = await conn.queryAll(sql);
          clearProgress();
          for (const r of results) {
            const f = createFormatter(flags.format, out.write);
            f.begin(r.columns);
            f.rows(r.rows);
            f.end();
          }
        }
        await out.done();
      }, undefined, stdinFree);
    });

  withConnOptions(program.command('tables'))
    .description('list the tables')
    .addOption(formatOption())
    .action(async (flags: ConnFlags & { format: Format }) => {
      await use(flags, async (conn) => {
        const rows = (await conn.tables()).map((t) => ({ name: t.name, parent: t.parent, columns: t.columns.length, endpoint: t.endpoint }));
        const f = createFormatter(flags.format, (s) => void io.stdout.write(s));
        f.begin([
          { name: 'name', type: 'VARCHAR' },
          { name: 'parent', type: 'VARCHAR' },
          { name: 'columns', type: 'INTEGER' },
          { name: 'endpoint', type: 'VARCHAR' },
        ]);
        f.rows(rows);
        f.end();
      });
    });

  withConnOptions(program.command('describe'))
    .description('list the columns of a table')
    .argument('<table>', 'table name')
    .addOption(formatOption())
    .action(async (name: string, flags: ConnFlags & { format: Format }) => {
      await use(flags, async (conn) => {
        const tables = await conn.tables();
        const t = tables.find((x) => x.name.toLowerCase() === name.toLowerCase());
        if (!t) {
          throw new RestSqlError('QUERY_UNKNOWN_TABLE', `No table named '${name}'.${didYouMean(name, tables.map((x) => x.name))}`, {
            hint: 'Run `restsql tables` to list the tables.',
            details: { table: name },
          });
        }
        const f = createFormatter(flags.format, (s) => void io.stdout.write(s));
        f.begin([
          { name: 'column', type: 'VARCHAR' },
          { name: 'type', type: 'VARCHAR' },
          { name: 'key', type: 'BOOLEAN' },
        ]);
        f.rows(t.columns.map((c) => ({ column: c.name, type: c.type, key: c.key })));
        f.end();
      });
    });

  withConnOptions(program.command('sample'))
    .description('print the model (.rest): inferred from one endpoint URL, or, without one, the connection\'s resolved model')
    .argument('[url]', 'endpoint URL (relative to HostName when not absolute)')
    .option('--table <name>', 'table name (default: the last path segment)')
    .action(async (url: string | undefined, flags: ConnFlags & { table?: string }) => {
      if (url === undefined && flags.table) throw new RestSqlError('USAGE', '--table needs a URL to sample.', { hint: 'restsql sample URL --table NAME' });
      // Without a URL, the connection's own model: a model file as restsql resolved it (sampled entries filled in).
      const overrides: Record<string, string> | undefined = url === undefined ? undefined : { RestSamplePath: url, ...(flags.table ? { Table: flags.table } : {}) };
      await use(flags, async (conn) => void io.stdout.write(conn.restModel()), overrides);
    });

  withConnOptions(program.command('login'))
    .description('log in now (OAuth): open the browser (or --no-browser, --device) and cache the tokens')
    .action(async (flags: ConnFlags) => {
      const status = await login(...connectionSource(flags, io, abort.signal, true));
      io.stderr.write(`restsql: tokens cached; access token expires ${describeExpiry(status.expiresAt)}.\n`);
    });

  withConnOptions(program.command('logout'))
    .description('forget the cached OAuth tokens, revoking them at the server when it supports revocation (RFC 7009)')
    .action(async (flags: ConnFlags) => {
      const r = await logout(...connectionSource(flags, io, abort.signal, true));
      const revoked = r.revoked ? ' and revoked at the server' : r.revocationAdvertised ? ' (the server did not confirm revocation)' : ' (the server advertises no revocation endpoint)';
      io.stderr.write(r.removed ? `restsql: logged out: cached tokens removed${revoked}.\n` : 'restsql: no tokens were cached for this connection.\n');
    });

  withConnOptions(program.command('token'))
    .description('show the cached OAuth token: expiry, scopes, refresh token (never the token itself)')
    .addOption(formatOption())
    .action(async (flags: ConnFlags & { format: Format }) => {
      const status = await tokenStatus(...connectionSource(flags, io, abort.signal, true));
      const f = createFormatter(flags.format, (t) => void io.stdout.write(t));
      if (flags.format === 'table') {
        f.begin([
          { name: 'field', type: 'VARCHAR' },
          { name: 'value', type: 'VARCHAR' },
        ]);
        f.rows(statusRows(status));
      } else {
        f.begin([
          { name: 'cached', type: 'BOOLEAN' },
          { name: 'expires_at', type: 'VARCHAR' },
          { name: 'scope', type: 'VARCHAR' },
          { name: 'refresh_token', type: 'BOOLEAN' },
          { name: 'client_id', type: 'VARCHAR' },
          { name: 'token_endpoint', type: 'VARCHAR' },
        ]);
        f.rows([{ cached: status.cached, expires_at: status.expiresAt === undefined ? null : new Date(status.expiresAt).toISOString(), scope: status.scope ?? null, refresh_token: status.hasRefreshToken, client_id: status.clientId, token_endpoint: status.tokenEndpoint }]);
      }
      f.end();
    });

  withConnOptions(program.command('serve'))
    .description('serve the tables over the PostgreSQL wire protocol (psql, ODBC, JDBC, Python, BI tools) until SIGINT or SIGTERM')
    .option('--host <address>', 'address to listen on; anything but loopback requires TLS', SERVE_DEFAULTS.host)
    .option('--port <port>', 'TCP port (0 picks a free one)', SERVE_DEFAULTS.port)
    .option('--password-file <file>', 'read the password clients must give from FILE (mode 0600); else RESTSQL_SERVE_PASSWORD; else one is generated and printed once')
    .option('--auth <method>', 'password method: scram-sha-256, md5 or password (cleartext)', SERVE_DEFAULTS.auth)
    .option('--tls-cert <file>', 'PEM certificate for TLS (with --tls-key); default: a self-signed one kept in $RESTSQL_HOME/tls')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--no-tls', 'answer SSLRequest with N (loopback only)')
    .option('--max-sessions <n>', 'sessions at once; more are refused (SQLSTATE 53300)', SERVE_DEFAULTS.maxSessions)
    .option('--max-message-size <bytes>', 'largest protocol message a client may send', SERVE_DEFAULTS.maxMessageSize)
    .option('--startup-timeout <seconds>', 'time a client has to start TLS and log in', SERVE_DEFAULTS.startupTimeout)
    .option('--idle-timeout <seconds>', 'close sessions idle this long (0: never)', SERVE_DEFAULTS.idleTimeout)
    .action(async (flags: ConnFlags & ServeFlags) => {
      const settings = serveSettings(flags);
      const [connectionString, source] = connectionSource(flags, io, abort.signal, true);
      const hub = await openHub(connectionString, source);
      // A signal is serve's normal end: it stops cleanly and exits 0.
      await runServe(settings, hub, io, abort.signal);
    });

  program
    .command('options')
    .description('list every connection option with its documentation')
    .option('--markdown', 'print docs/options.md')
    .action((flags: { markdown?: boolean }) => {
      io.stdout.write(flags.markdown ? optionsMarkdown() : optionsText());
    });

  program
    .command('demo')
    .description('run the embedded end-to-end demo: a local OAuth server guarding a local REST API')
    .option('--interactive', 'log in yourself in your browser instead of the scripted stand-in')
    .action(async (flags: { interactive?: boolean }) => {
      const runDemo = await loadDemo();
      await runDemo({ stdout: io.stdout, stderr: io.stderr, env: io.env, interactive: flags.interactive === true });
    });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version "errors" are successes; anything else commander rejects is a usage error.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (abort.signal.aborted) {
      io.stderr.write(stoppedBy === 'SIGINT' || !stoppedBy ? 'restsql: cancelled\n' : `restsql: stopped by ${stoppedBy}\n`);
      return 128 + STOP_STATUS[stoppedBy ?? 'SIGINT'];
    }
    const { text, status } = renderError(e, io.env);
    io.stderr.write(text);
    return status;
  } finally {
    for (const s of STOP_SIGNALS) process.removeListener(s, onSignal);
  }
}
