/**
 * TLS alerts a server sends after the handshake, kept so the request can report them. In TLS 1.3
 * the client's side of the handshake is over before the server checks the client certificate; a
 * server that wants one then sends an alert ("certificate required") and closes. undici reports
 * that request as "other side closed" (the close replaces the socket's error), which would send
 * the user looking at the network instead of at KeyStore. The sockets of every pool are watched
 * here, and a request that failed that way asks whether its origin sent an alert during its try.
 */
import type { buildConnector, Dispatcher, Pool } from 'undici';
import { lazyRequire } from '../util/lazy-require.js';

type Connector = buildConnector.connector;

/** undici, loaded when the first pool is made (by the first request). */
const undici = lazyRequire<typeof import('undici')>('undici');

export interface TlsAlerts {
  /** A `factory` for undici's Agent, ProxyAgent and EnvHttpProxyAgent: pools whose sockets are watched. */
  readonly factory: (origin: string | URL, opts: object) => Dispatcher;
  /** `connect` with its sockets watched, for `origin`'s pool. */
  readonly watch: (origin: string, connect: Connector) => Connector;
  /** The TLS alert `origin` sent at or after `since` (ms since the epoch), if any. */
  since(origin: string, since: number): NodeJS.ErrnoException | undefined;
}

/** Whether a socket error is a TLS alert or failure (OpenSSL's codes, and Node's TLS ones). */
function isTlsError(e: NodeJS.ErrnoException): boolean {
  return /^ERR_(SSL|TLS)_/.test(e.code ?? '');
}

export function createTlsAlerts(now: () => number = Date.now): TlsAlerts {
  // One entry per origin, the latest: as many as the origins the connection may reach.
  const latest = new Map<string, { error: NodeJS.ErrnoException; at: number }>();
  const watch = (origin: string, connect: Connector): Connector => (opts, callback) =>
    connect(opts, (err, socket) => {
      socket?.on('error', (e: NodeJS.ErrnoException) => {
        if (isTlsError(e)) latest.set(origin, { error: e, at: now() });
      });
      // undici's callback is typed as two overloads (error, or socket); it takes either.
      (callback as (e: Error | null, s: typeof socket) => void)(err, socket);
    });
  return {
    watch,
    factory(origin, opts) {
      const key = new URL(String(origin)).origin;
      const o = opts as Pool.Options;
      const { buildConnector, Pool } = undici();
      const connect = typeof o.connect === 'function' ? o.connect : buildConnector({ ...(o.connect ?? {}) });
      return new Pool(origin, { ...o, connect: watch(key, connect) }) as Dispatcher;
    },
    since(origin, since) {
      const hit = latest.get(new URL(origin).origin);
      return hit && hit.at >= since ? hit.error : undefined;
    },
  };
}
