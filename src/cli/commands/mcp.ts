/**
 * `restsql mcp`: a Model Context Protocol server on one connection (the connection flags, DSN,
 * model file and token cache of every other command). Over stdio by default: standard output
 * carries the protocol and nothing else, logs go to stderr, and the server ends when the client
 * closes standard input. With --http, the Streamable HTTP transport on loopback with a bearer
 * token (RESTSQL_MCP_TOKEN, --token-file, else generated and printed once on stderr). SIGINT and
 * SIGTERM stop it cleanly (exit 0).
 */
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { RestSqlError } from '../../errors/index.js';
import { ConnectionGate } from '../../mcp/connection-gate.js';
import { checkLoopbackHost, startMcpHttp, type RunningMcpHttp } from '../../mcp/http.js';
import { DEFAULT_MCP_LIMITS, SYSTEM_CLOCK, type McpLimits } from '../../mcp/limits.js';
import { createMcpServer, type McpSettings } from '../../mcp/server.js';
import { MCP_TOKEN_ENV, resolveMcpToken } from '../../mcp/token.js';
import { escapeMessage } from '../../util/terminal.js';
import { useConnection, type ConnFlags } from '../connect.js';
import { integerFlag } from '../integer-flag.js';
import type { CliContext } from '../io.js';
import type { McpFlags } from '../mcp-flags.js';

const integer = (flag: string, text: string, min: number, max: number): number => integerFlag(flag, text, min, max, 100);

/** The flags checked and read before anything is opened (a bad flag must not cost a login). */
export function mcpSettings(flags: McpFlags): McpSettings & { port: number } {
  const maxRows = integer('--max-rows', flags.maxRows, 1, 1_000_000);
  const limits: McpLimits = {
    ...DEFAULT_MCP_LIMITS,
    maxRows,
    defaultRows: Math.min(DEFAULT_MCP_LIMITS.defaultRows, maxRows),
    timeoutSeconds: integer('--timeout', flags.timeout, 1, 86_400),
    // At most a week: Node's timers hold up to 24.8 days.
    sessionIdleSeconds: integer('--session-idle-timeout', flags.sessionIdleTimeout, 0, 604_800),
  };
  const port = integer('--port', flags.port, 0, 65535);
  if (flags.http) checkLoopbackHost(flags.host);
  if (!flags.http && flags.tokenFile !== undefined) throw new RestSqlError('USAGE', '--token-file is for --http: over stdio the client that started the server is the only one.', { hint: 'Add --http, or drop --token-file.' });
  return { limits, allowWrites: flags.allowWrites === true, port };
}

/** Resolves when `signal` aborts or `other` settles. */
function until(signal: AbortSignal, other?: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
    other?.then(() => resolve(), () => resolve());
  });
}

export async function runMcpCommand(ctx: CliContext, flags: ConnFlags & McpFlags): Promise<void> {
  const settings = mcpSettings(flags);
  const log = (line: string) => void ctx.io.stderr.write(`restsql mcp: ${escapeMessage(line)}\n`);
  // The token before the connection: a bad --token-file must not cost a login.
  const token = flags.http ? resolveMcpToken({ env: ctx.io.env, ...(flags.tokenFile !== undefined ? { tokenFile: flags.tokenFile } : {}) }) : undefined;
  // Over stdio, standard input is the protocol: a login may not read a pasted URL from it. No progress line either.
  await useConnection(
    ctx,
    { ...flags, quiet: true },
    async (conn) => {
      const gate = new ConnectionGate(conn, SYSTEM_CLOCK);
      const served: McpSettings = { ...settings, log };
      if (!flags.http || token === undefined) {
        const server = createMcpServer(gate, served);
        const transport = new StdioServerTransport(ctx.io.stdin as Readable, ctx.io.stdout as Writable, { maxBufferSize: settings.limits.maxBodyBytes });
        // The client closed standard input, or the transport gave up (a message over the size bound).
        const ended = new Promise<void>((resolve) => {
          ctx.io.stdin.once('end', () => resolve());
          ctx.io.stdin.once('close', () => resolve());
          server.server.onclose = () => resolve();
          if ((ctx.io.stdin as Readable).readableEnded) resolve();
        });
        server.server.onerror = (e) => log(`protocol error: ${e.message}`);
        await server.connect(transport);
        log(`serving ${(await conn.tables()).length} table(s) over stdio${settings.allowWrites ? ' (writes allowed)' : ' (read-only)'}`);
        await until(ctx.signal, ended);
        await server.close();
        // The transport only pauses standard input; unread bytes (a refused message) would keep the process alive.
        (ctx.io.stdin as Readable).destroy();
        log('stopped');
        return;
      }
      let running: RunningMcpHttp | undefined;
      try {
        running = await startMcpHttp({ host: flags.host, port: settings.port, token: token.token, limits: settings.limits, newServer: () => createMcpServer(gate, served), log });
        log(`listening on ${running.url} (Streamable HTTP; ${settings.allowWrites ? 'writes allowed' : 'read-only'}; at most ${settings.limits.maxSessions} sessions, ${settings.limits.sessionIdleSeconds > 0 ? `each closed after ${settings.limits.sessionIdleSeconds} s idle` : 'kept until their client ends them'})`);
        if (token.source === 'generated') {
          // Printed once, here: it is kept nowhere.
          ctx.io.stderr.write(`restsql mcp: token (generated; set ${MCP_TOKEN_ENV} or --token-file to choose one): ${token.token}\n`);
        } else {
          log(`token from ${token.source === 'env' ? MCP_TOKEN_ENV : flags.tokenFile}`);
        }
        await until(ctx.signal);
        log(`stopping (${running.sessions} session(s) open)`);
      } finally {
        await running?.close();
      }
      log('stopped');
    },
    { stdinFree: flags.http === true },
  );
}
