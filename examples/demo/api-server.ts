import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { customers } from './data.js';

export interface DemoApi {
  readonly baseUrl: string;
  /** Requests received, as "METHOD path?query". */
  readonly requests: string[];
  /** Headers of each request received, in the same order. */
  readonly headers: Record<string, string | string[] | undefined>[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A small REST API on 127.0.0.1 (ephemeral port) with realistic nested JSON:
 * - GET /v1/customers        a bare array of customers (nested address, tags, orders with items)
 * - GET /v1/things           an envelope {"data":[...],"total":n}
 * - GET /v1/teapot           418 with a JSON error; GET /v1/html: an HTML page; GET /v1/empty: []
 * - GET /v1/secure           401 unless the X-Tenant header is "acme"
 * - GET /v1/slow?ms=N        the customers, after N milliseconds
 * With `verifyToken`, every route needs `Authorization: Bearer <valid token>` (RFC 6750).
 */
export async function startDemoApi(options: { port?: number; host?: string; verifyToken?: (token: string) => Promise<boolean> } = {}): Promise<DemoApi> {
  const requests: string[] = [];
  const headers: DemoApi['headers'][number][] = [];
  const data = customers();
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    headers.push({ ...req.headers });
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (options.verifyToken) {
      // RFC 6750 §3: a missing or bad bearer token gets 401 with WWW-Authenticate.
      const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
      if (!m || !(await options.verifyToken(m[1]!).catch(() => false))) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Bearer error="invalid_token"` });
        res.end(JSON.stringify({ error: 'invalid_token', message: 'a valid bearer token is required' }));
        return;
      }
    }
    switch (url.pathname) {
      case '/v1/customers':
        return send(res, 200, data);
      case '/v1/things':
        return send(res, 200, {
          data: [
            { sku: 'A-001', title: 'Widget', price: 9.5, dims: { w: 10, h: 2 }, colors: ['red', 'blue'] },
            { sku: 'A-002', title: 'Gadget', price: 24, dims: { w: 4, h: 4 }, colors: [] },
            { sku: 'A-003', title: 'Gizmo', price: 3.75, dims: { w: 1, h: 1 }, colors: ['green'] },
          ],
          total: 3,
        });
      case '/v1/secure':
        return req.headers['x-tenant'] === 'acme' ? send(res, 200, data.slice(0, 2)) : send(res, 401, { error: 'unauthorized', message: 'tenant header required' });
      case '/v1/slow': {
        const timer = setTimeout(() => send(res, 200, data), Number(url.searchParams.get('ms') ?? '1000'));
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case '/v1/empty':
        return send(res, 200, []);
      case '/v1/teapot':
        return send(res, 418, { error: 'teapot', message: 'I am a teapot' });
      case '/v1/html':
        return send(res, 200, '<html><body>Hello</body></html>', 'text/html');
      default:
        return send(res, 404, { message: `No route ${url.pathname}` });
    }
  };
  const server: Server = createServer((req, res) => void handler(req, res));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${host}:${port}`,
    requests,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
