/**
 * An HTTP CONNECT proxy on loopback for tests: records each tunnel (its target and the
 * Proxy-Authorization it came with), refuses tunnels without the expected credentials (407) when
 * `authorization` is given, and pipes the rest through. Plain (non-CONNECT) requests get 405.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { listenLoopback, type Listening } from './loopback-server.js';

export interface Tunnel {
  /** `host:port` the client asked for. */
  readonly target: string;
  readonly auth: string | undefined;
}

export async function startConnectProxy(o: { authorization?: string } = {}): Promise<Listening<ReturnType<typeof createServer>> & { tunnels: Tunnel[] }> {
  const tunnels: Tunnel[] = [];
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const auth = req.headers['proxy-authorization'];
    tunnels.push({ target: req.url ?? '', auth });
    if (o.authorization !== undefined && auth !== o.authorization) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return { ...(await listenLoopback(server)), tunnels };
}
