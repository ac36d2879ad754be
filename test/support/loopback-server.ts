/**
 * Servers for tests, on loopback only: listen on port 0 (the kernel picks a free port, so no
 * "find a free port, then bind it" race), hand back the port and URL, and close every
 * connection on `close()` so a test never waits for a keep-alive socket.
 */
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';

export type LoopbackHost = '127.0.0.1' | '::1';

export interface Listening<S extends NetServer> {
  readonly server: S;
  readonly port: number;
  /** `http://127.0.0.1:PORT` (or `http://[::1]:PORT`); the scheme is http even for a TLS server: replace it when you need https. */
  readonly url: string;
  /** Stops listening and destroys open connections; resolves when the server is closed. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts `server` listening on a free loopback port. */
export async function listenLoopback<S extends NetServer>(server: S, host: LoopbackHost = '127.0.0.1'): Promise<Listening<S>> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

/** An HTTP server with `handler`, listening on a free loopback port. */
export function startHttpServer(handler: RequestListener, host: LoopbackHost = '127.0.0.1'): Promise<Listening<HttpServer>> {
  return listenLoopback(createHttpServer(handler), host);
}
