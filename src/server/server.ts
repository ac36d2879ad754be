/**
 * `restsql serve`: a PostgreSQL-wire listener in front of one hub (engine/hub.ts). Each client
 * connection is a Session (session.ts) with a Connection of its own on the hub's shared database.
 * The server hands out BackendKeyData, routes CancelRequests to their session, caps sessions, and
 * on close tells every session (FATAL 57P01) before closing the hub (its spool folder goes).
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { RestSqlError } from '../errors/index.js';
import { isLoopback } from '../util/loopback.js';
import type { Hub } from '../engine/hub.js';
import { PasswordGate, type PasswordMethod } from './password-gate.js';
import { Session, type SessionLimits } from './session.js';
import { Catalog } from './catalog/catalog.js';
import type { DescribeTables } from './catalog/catalog-schema.js';
import { INFO_TABLE_NAMES } from '../engine/info-tables.js';
import { ident } from '../engine/sql-text.js';
import { pgTypeOf } from './types/index.js';

export interface ServeOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly password: string;
  readonly method: PasswordMethod;
  /** PEM certificate and key for TLS (answering SSLRequest with 'S'); undefined answers 'N'. */
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly maxSessions: number;
  readonly limits: SessionLimits;
  /** The server_version reported to clients. */
  readonly serverVersion: string;
  /** One line per event (session start and end, failed logins): never a password. */
  readonly log: (line: string) => void;
}

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** Sessions open now (logged in). */
  readonly sessions: number;
  /** Tells every session, closes them, stops listening, closes the hub. */
  close(): Promise<void>;
}

/** Loopback addresses: a server bound to anything else must use TLS. */
export { isLoopback };

/** Starts listening; resolves once it does. */
export async function startServer(hub: Hub, opts: ServeOptions): Promise<RunningServer> {
  if (!isLoopback(opts.host) && !opts.tls) {
    throw new RestSqlError('CONFIG_CONFLICT', `restsql serve binds ${opts.host}, which is not a loopback address, so it requires TLS; TLS is off.`, {
      hint: 'Drop --no-tls (a self-signed certificate is made in $RESTSQL_HOME), or give --tls-cert and --tls-key, or bind 127.0.0.1.',
      details: { option: '--host' },
    });
  }
  const catalog = new Catalog({ model: hub.model, infoTables: INFO_TABLE_NAMES, describe: describeThrough(hub), serverVersion: opts.serverVersion, log: opts.log });
  const gate = new PasswordGate(opts.password, opts.method);
  const secureContext: SecureContext | undefined = opts.tls ? createSecureContext({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }) : undefined;
  const sessions = new Map<number, { session: Session; secret: number }>();
  const sockets = new Set<Socket>();
  /** Each session's run, settled when its socket has closed and its connection is closed. */
  const runs = new Set<Promise<void>>();
  let admitted = 0;
  // Process ids: random start, then counting (they only name sessions for CancelRequest and logs).
  let nextPid = randomInt(10_000, 1_000_000);
  let closing = false;

  const cancel = (pid: number, secret: number) => {
    const entry = sessions.get(pid);
    const a = Buffer.alloc(4);
    const b = Buffer.alloc(4);
    a.writeInt32BE(secret | 0);
    b.writeInt32BE((entry?.secret ?? ~secret) | 0);
    // Constant-time: a wrong key tells nothing about the right one.
    if (!entry || !timingSafeEqual(a, b)) {
      opts.log(`cancel request for session ${pid} refused (unknown session or wrong key)`);
      return;
    }
    entry.session.cancel();
  };

  // allowHalfOpen: a client that sends its last query and shuts down its side still gets the
  // answer (PostgreSQL answers, then closes); the session ends the socket when it is done.
  const server: Server = createServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    // Connections not logged in yet are bounded too (a flood of half-open startups).
    if (sockets.size >= opts.maxSessions * 2 + 16) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    const pid = nextPid++;
    const secret = randomInt(-0x80000000, 0x7fffffff);
    const session = new Session(socket, {
      connect: () => hub.session(),
      catalog,
      passwords: gate,
      ...(secureContext ? { tls: secureContext } : {}),
      tlsRequired: !isLoopback(opts.host),
      limits: opts.limits,
      serverVersion: opts.serverVersion,
      log: opts.log,
      processId: pid,
      secretKey: secret,
      cancel,
      admit: () => {
        if (admitted >= opts.maxSessions) return false;
        admitted++;
        return true;
      },
    });
    sessions.set(pid, { session, secret });
    const run = session.run().finally(() => {
      sessions.delete(pid);
      sockets.delete(socket);
      runs.delete(run);
      if (session.admitted) admitted--;
    });
    runs.add(run);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new RestSqlError('CONFIG_INVALID_VALUE', `restsql serve cannot listen on ${opts.host}:${opts.port}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : e.message}.`, {
          hint: e.code === 'EADDRINUSE' ? 'Choose another --port (PostgreSQL itself usually has 5432).' : 'Check --host and --port.',
          details: { option: '--port' },
          cause: e,
        }),
      ),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    host: opts.host,
    port,
    get sessions() {
      return admitted;
    },
    async close() {
      if (closing) return;
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const { session } of sessions.values()) session.terminate();
      // Sessions close their connections as their sockets end; a client that does not read its
      // FATAL within 5 s is cut off.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...runs]), new Promise<void>((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
      await Promise.allSettled([...runs]);
      await closed;
      await catalog.close();
      await hub.close();
    },
  };
}

/** Each table's columns as a session describes `SELECT *` from it (DuckDB's prepare: nothing is fetched). */
function describeThrough(hub: Hub): DescribeTables {
  return async (names) => {
    const conn = await hub.session();
    try {
      const out = new Map<string, { name: string; type: ReturnType<typeof pgTypeOf> }[]>();
      for (const name of names) {
        const shape = await conn.describe(`SELECT * FROM ${ident(name)}`);
        out.set(name, shape.columns.map((c) => ({ name: c.name, type: pgTypeOf(c.type) })));
      }
      return out;
    } finally {
      await conn.close();
    }
  };
}
