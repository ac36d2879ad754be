/**
 * `restsql mcp --http`: the MCP Streamable HTTP transport (the SDK's) on a loopback address, at
 * path /mcp. In front of it: the request guard (Host and Origin loopback, bearer token), a bound on
 * request bodies (read here, so the transport never buffers more), and a bound on MCP sessions,
 * each with its own McpServer on the shared connection. A session idle for
 * limits.sessionIdleSeconds (no request in flight, an open SSE stream counting as one) is closed,
 * so clients that vanish without DELETE do not use up the places; a request naming it afterwards
 * is answered as for any unknown session (404: the client initializes anew, MCP 2025-06-18
 * Transports, Session Management). close() ends every session and stops.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { RestSqlError } from '../errors/index.js';
import { isLoopback } from '../util/loopback.js';
import { RequestGuard } from './guard.js';
import { SYSTEM_CLOCK, type Clock, type McpLimits } from './limits.js';

export const MCP_PATH = '/mcp';

export interface McpHttpOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly limits: McpLimits;
  /** A new MCP server (tools on the shared connection) for each session. */
  readonly newServer: () => McpServer;
  readonly log: (line: string) => void;
  /** The timers of the sessions' idle timeout (default: Node's). */
  readonly clock?: Clock;
}

export interface RunningMcpHttp {
  readonly host: string;
  readonly port: number;
  /** `http://HOST:PORT/mcp` */
  readonly url: string;
  /** MCP sessions open now. */
  readonly sessions: number;
  /** Ends every session, stops listening and drops open sockets. */
  close(): Promise<void>;
}

interface Session {
  readonly transport: StreamableHTTPServerTransport;
  readonly server: McpServer;
  /** Requests of this session in flight (an SSE stream stays in flight while it is open). */
  active: number;
  /** The idle timer, set while no request is in flight. */
  idle?: unknown;
}

/** A JSON-RPC error answer for a request the transport never saw (JSON-RPC 2.0 §5.1 codes). */
function refuse(res: ServerResponse, status: number, message: string, code = -32000, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers, connection: 'close' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

class BodyTooLarge extends Error {}

/** The request body, at most `max` bytes (a larger Content-Length or stream throws BodyTooLarge). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const holdsInitialize = (body: unknown): boolean => (Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body));

/** Refuses a listening address that is not loopback: the MCP server gives its connection's API to whoever holds the token. */
export function checkLoopbackHost(host: string): void {
  if (!isLoopback(host.replace(/^\[(.*)\]$/, '$1'))) {
    throw new RestSqlError('USAGE', `--host ${host} is not a loopback address; restsql mcp --http listens on this machine only (127.0.0.1, ::1 or localhost).`, {
      hint: 'Bind 127.0.0.1 (the default). To reach it from elsewhere, use an SSH tunnel, never a public address.',
      details: { option: '--host' },
    });
  }
}

export async function startMcpHttp(opts: McpHttpOptions): Promise<RunningMcpHttp> {
  checkLoopbackHost(opts.host);
  const guard = new RequestGuard(opts.token);
  const sessions = new Map<string, Session>();
  /** Sessions being set up (initialize received, id not yet given): they count against the cap. */
  let starting = 0;
  const sockets = new Set<Socket>();
  let closing = false;
  const clock = opts.clock ?? SYSTEM_CLOCK;
  const idleSeconds = opts.limits.sessionIdleSeconds;

  const stopIdle = (s: Session) => {
    if (s.idle !== undefined) clock.clearTimeout(s.idle);
    s.idle = undefined;
  };

  const endSession = async (id: string) => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    stopIdle(s);
    await s.server.close().catch(() => undefined);
  };

  /** Counts `res` as the session's request in flight until it closes; then, with none left, the idle timer runs. */
  const hold = (id: string, s: Session, res: ServerResponse) => {
    s.active++;
    stopIdle(s);
    res.once('close', () => {
      s.active--;
      if (s.active > 0 || idleSeconds <= 0 || sessions.get(id) !== s) return;
      s.idle = clock.setTimeout(() => {
        s.idle = undefined;
        if (s.active > 0 || sessions.get(id) !== s) return;
        void endSession(id).then(() => opts.log(`session ${id.slice(0, 8)} expired after ${idleSeconds} s idle (${sessions.size} open)`));
      }, idleSeconds * 1000);
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const refusal = guard.check(req.headers);
    if (refusal) return refuse(res, refusal.status, refusal.message, -32001, refusal.headers);
    if (path !== MCP_PATH) return refuse(res, 404, `Not found: the MCP endpoint is ${MCP_PATH}.`);
    if (closing) return refuse(res, 503, 'The server is shutting down.');
    let body: unknown;
    if (req.method === 'POST') {
      let raw: Buffer;
      try {
        raw = await readBody(req, opts.limits.maxBodyBytes);
      } catch (e) {
        if (e instanceof BodyTooLarge) return refuse(res, 413, `Payload too large: request bodies are limited to ${opts.limits.maxBodyBytes} bytes.`);
        throw e;
      }
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return refuse(res, 400, 'Parse error: the body is not JSON.', -32700);
      }
    }
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const s = sessions.get(id);
      if (!s) return refuse(res, 404, 'Session not found (ended, expired after being idle, or never opened): initialize a new session.', -32001);
      hold(id, s, res);
      return s.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !holdsInitialize(body)) return refuse(res, 400, 'Bad request: no Mcp-Session-Id; send initialize first.');
    if (sessions.size + starting >= opts.limits.maxSessions) {
      return refuse(res, 503, `Too many sessions: restsql mcp keeps at most ${opts.limits.maxSessions}; close one (DELETE ${MCP_PATH}) or restart the client.`);
    }
    starting++;
    let counted = true;
    const uncount = () => {
      if (counted) starting--;
      counted = false;
    };
    const server = opts.newServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => {
        uncount();
        const session: Session = { transport, server, active: 0 };
        sessions.set(sid, session);
        hold(sid, session, res);
        opts.log(`session ${sid.slice(0, 8)} opened (${sessions.size} open)`);
      },
      onsessionclosed: async (sid) => {
        await endSession(sid);
        opts.log(`session ${sid.slice(0, 8)} closed (${sessions.size} open)`);
      },
    });
    transport.onclose = () => {
      uncount();
      const sid = transport.sessionId;
      const s = sid !== undefined ? sessions.get(sid) : undefined;
      if (sid !== undefined && s?.transport === transport) {
        stopIdle(s);
        sessions.delete(sid);
      }
    };
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
      // An initialize that failed gave no session.
      if (transport.sessionId === undefined) {
        uncount();
        await server.close().catch(() => undefined);
      }
    }
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      opts.log(`request failed: ${(e as Error).message}`);
      refuse(res, 500, 'Internal error.', -32603);
    });
  });
  http.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (e: NodeJS.ErrnoException) =>
      reject(new RestSqlError('USAGE', `Cannot listen on ${opts.host}:${opts.port}: ${e.code ?? e.message}.`, { hint: e.code === 'EADDRINUSE' ? 'Choose another --port (0 picks a free one).' : 'Check --host and --port.', details: { option: '--port' }, cause: e })),
    );
    http.listen(opts.port, opts.host, () => resolve());
  });
  const address = http.address() as AddressInfo;
  const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    url: `http://${shownHost}:${address.port}${MCP_PATH}`,
    get sessions() {
      return sessions.size;
    },
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
        for (const id of [...sessions.keys()]) await endSession(id);
        // Open SSE streams and keep-alive sockets would hold close() forever.
        for (const s of sockets) s.destroy();
        await stopped;
      })();
      return closed;
    },
  };
}
