/**
 * The restsql CLI: the commands and their flags (commander), signals and exit statuses. Each
 * command's implementation is loaded when that command runs (`import()` in its action), so
 * `restsql --help` and a usage error load neither DuckDB, nor undici, nor the OAuth modules.
 */
import type { Connection } from '../engine/connection.js';
import { renderError } from './errors.js';
import type { CliContext, CliIo } from './io.js';
import type { ConnFlags } from './connect.js';
import { FORMATS, type Format, type OutputFlags } from './output-options.js';
import { MCP_DEFAULTS, type McpFlags } from './mcp-flags.js';
import { SERVE_DEFAULTS, type ServeFlags } from './serve-flags.js';
import { escapeControls } from '../util/terminal.js';

export type { CliIo } from './io.js';

import { Command, CommanderError, Option } from './commander.js';

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

function formatOption(): Option {
  return new Option('-f, --format <format>', 'output format').choices(FORMATS as unknown as string[]).default('table');
}

/** --format and how the output looks (parsed by output-options.ts outputOptions; docs/output.md). */
function withOutputOptions(cmd: Command): Command {
  return cmd
    .addOption(formatOption())
    .option('--max-width <n>', 'table: fit lines in N columns, cutting wide cells with … (default: the terminal\'s width on a terminal, no limit into a file or pipe; 0: no limit)')
    .option('--null <text>', 'how NULL shows (default: NULL in a table, an empty field in csv)')
    .option('--crlf', 'csv: end lines with CRLF instead of LF')
    .option('-x, --expanded', 'table: one block of "column | value" lines per row (psql\'s \\x)');
}

/**
 * A usage error as one line and a hint: `restsql: error: unknown option '--fromat' (Did you
 * mean --format?)` then `Try 'restsql query --help'.`, instead of the whole help.
 */
function usageError(message: string, command: string): string {
  const text = escapeControls(message.trim().replace(/^error:\s*/, '').replace(/\r?\n+/g, ' '));
  return `restsql: error: ${text}\nTry '${command} --help'.\n`;
}

type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
const STOP_STATUS: Readonly<Record<StopSignal, number>> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
const STOP_SIGNALS = Object.keys(STOP_STATUS) as StopSignal[];

/** Runs the CLI; returns the exit status (0 ok, 1 query/remote, 2 usage/config, 3 auth; errors/codes.ts). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const abort = new AbortController();
  let active: Connection | undefined;
  // SIGINT (Ctrl-C), SIGTERM and SIGHUP stop the work the same way (spooled pages go at exit);
  // the status is 128 + the signal's number, as a shell reports it.
  let stoppedBy: StopSignal | undefined;
  // A command that takes SIGINT itself (the shell: Ctrl-C cancels a statement, not the command).
  let interrupts: (() => boolean) | undefined;
  let exitStatus = 0;
  const onSignal = (signal: StopSignal) => {
    if (signal === 'SIGINT' && interrupts?.()) {
      process.once(signal, onSignal);
      return;
    }
    stoppedBy ??= signal;
    abort.abort();
    active?.interrupt();
  };
  for (const s of STOP_SIGNALS) process.once(s, onSignal);
  const ctx: CliContext = {
    io,
    signal: abort.signal,
    track: (c) => void (active = c),
    takeInterrupts: (h) => void (interrupts = h),
    setExitStatus: (status) => void (exitStatus = status),
  };

  const program = new Command('restsql')
    .description('Query REST/JSON APIs with SQL.')
    .version('0.1.0')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: (s, write) => write(usageError(s, 'restsql')) });

  // Each command declared as it is needed: a command's own run declares that command alone; the
  // help, a usage error with no command and an unknown command (for its suggestion) declare them all.
  const commands: Record<string, () => void> = {
    query: () =>
      withOutputOptions(withConnOptions(program.command('query')))
        .description('run SQL and print the result')
        .argument('[sql...]', 'SQL text (else --file, else standard input)')
        .option('-o, --output <file>', 'write the result to FILE instead of standard output')
        .option('--file <file>', 'read the SQL from FILE')
        .action(async (args: string[], flags: ConnFlags & OutputFlags & { format: Format; output?: string; file?: string }) => {
          const { runQuery } = await import('./commands/query.js');
          await runQuery(ctx, args, flags);
        }),
    tables: () =>
      withOutputOptions(withConnOptions(program.command('tables')))
        .description('list the tables')
        .action(async (flags: ConnFlags & OutputFlags & { format: Format }) => {
          const { runTables } = await import('./commands/catalog.js');
          await runTables(ctx, flags);
        }),
    describe: () =>
      withOutputOptions(withConnOptions(program.command('describe')))
        .description('list the columns of a table; with --erd, draw the tables, their keys and child-to-parent links')
        .argument('[table]', 'table name (with --erd: draw it with the tables above and below it; without a name, every table)')
        .option('--erd [format]', 'entity-relationship diagram: mermaid (default; for Markdown), dot (Graphviz) or svg')
        .option('-o, --output <file>', 'write to FILE instead of standard output')
        .action(async (name: string | undefined, flags: ConnFlags & OutputFlags & { format: Format; erd?: string | true; output?: string }, cmd: Command) => {
          if (flags.erd === undefined) {
            const { runDescribe } = await import('./commands/catalog.js');
            await runDescribe(ctx, name, flags);
          } else {
            const { runErd } = await import('./commands/erd.js');
            await runErd(ctx, name, { ...flags, erd: flags.erd, formatGiven: cmd.getOptionValueSource('format') === 'cli' });
          }
        }),
    sample: () =>
      withConnOptions(program.command('sample'))
        .description('print the model (.rest): inferred from one endpoint URL, or, without one, the connection\'s resolved model')
        .argument('[url]', 'endpoint URL (relative to HostName when not absolute)')
        .option('--table <name>', 'table name (default: the last path segment)')
        .action(async (url: string | undefined, flags: ConnFlags & { table?: string }) => {
          const { runSample } = await import('./commands/catalog.js');
          await runSample(ctx, url, flags);
        }),
    login: () =>
      withConnOptions(program.command('login'))
        .description('log in now (OAuth): open the browser (or --no-browser, --device) and cache the tokens')
        .action(async (flags: ConnFlags) => {
          const { runLogin } = await import('./commands/token.js');
          await runLogin(ctx, flags);
        }),
    logout: () =>
      withConnOptions(program.command('logout'))
        .description('forget the cached OAuth tokens, revoking them at the server when it supports revocation (RFC 7009)')
        .action(async (flags: ConnFlags) => {
          const { runLogout } = await import('./commands/token.js');
          await runLogout(ctx, flags);
        }),
    token: () =>
      withConnOptions(program.command('token'))
        .description('show the cached OAuth token: expiry, scopes, refresh token (never the token itself)')
        .addOption(formatOption())
        .action(async (flags: ConnFlags & { format: Format }) => {
          const { runToken } = await import('./commands/token.js');
          await runToken(ctx, flags);
        }),
    serve: () =>
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
          const { runServeCommand } = await import('./commands/serve.js');
          await runServeCommand(ctx, flags);
        }),
    mcp: () =>
      withConnOptions(program.command('mcp'))
        .description('serve the tables to AI agents over the Model Context Protocol (stdio; --http for Streamable HTTP on loopback) until the client leaves, SIGINT or SIGTERM')
        .option('--http', 'Streamable HTTP on loopback instead of stdio; every request needs the bearer token')
        .option('--host <address>', 'loopback address to listen on with --http', MCP_DEFAULTS.host)
        .option('--port <port>', 'TCP port with --http (0 picks a free one)', MCP_DEFAULTS.port)
        .option('--token-file <file>', 'with --http: read the bearer token from FILE (mode 0600); else RESTSQL_MCP_TOKEN; else one is generated and printed once')
        .option('--allow-writes', 'let the query tool send INSERT, UPDATE and DELETE to the API (default: read-only)')
        .option('--max-rows <n>', 'the most rows a query may return; a call gets up to 1000 unless it asks for more (max_rows)', MCP_DEFAULTS.maxRows)
        .option('--timeout <seconds>', 'the longest a query (its fetches included) or an endpoint sample may run (a call may ask for less)', MCP_DEFAULTS.timeout)
        .option('--session-idle-timeout <seconds>', 'with --http: close a session idle this long (no request in flight), freeing its place; 0: never', MCP_DEFAULTS.sessionIdleTimeout)
        .action(async (flags: ConnFlags & McpFlags) => {
          const { runMcpCommand } = await import('./commands/mcp.js');
          await runMcpCommand(ctx, flags);
        }),
    shell: () =>
      withConnOptions(program.command('shell'))
        .description('interactive SQL on one connection: statements end with ;, tables fetched once are reused; \\? lists the meta-commands')
        .addOption(formatOption())
        .option('--continue-on-error', 'with standard input not a terminal (a script), go on after a failed statement instead of stopping with status 1')
        .action(async (flags: ConnFlags & { format: Format; continueOnError?: boolean }) => {
          const { runShell } = await import('./commands/shell.js');
          await runShell(ctx, flags);
        }),
    options: () =>
      program
        .command('options')
        .description('list every connection option with its documentation')
        .option('--markdown', 'print docs/options.md')
        .action(async (flags: { markdown?: boolean }) => {
          const { optionsMarkdown, optionsText } = await import('../options/index.js');
          io.stdout.write(flags.markdown ? optionsMarkdown() : optionsText());
        }),
    demo: () =>
      program
        .command('demo')
        .description('run the embedded end-to-end demo: a local OAuth server guarding a local REST API')
        .option('--interactive', 'log in yourself in your browser instead of the scripted stand-in')
        .action(async (flags: { interactive?: boolean }) => {
          const { runDemoCommand } = await import('./commands/demo.js');
          await runDemoCommand(ctx, flags);
        }),
  };
  const named = argv[0] !== undefined && Object.hasOwn(commands, argv[0]) ? argv[0] : undefined;
  for (const [name, declare] of Object.entries(commands)) if (named === undefined || name === named) declare();

  // Each command's usage errors point at its own help.
  for (const cmd of program.commands) cmd.configureOutput({ ...program.configureOutput(), outputError: (s, write) => write(usageError(s, `restsql ${cmd.name()}`)) });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exitStatus;
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
