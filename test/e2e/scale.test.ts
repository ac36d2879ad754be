/**
 * Scale and hostile-data tests through the real CLI: large results, wide and ragged JSON,
 * control characters from the API. Loopback only.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.js';

/** Path to [status, body]: bodies built once, served as they are. */
const routes = new Map<string, [number, string]>();
let server: Server;
let base: string;

before(async () => {
  server = createServer((req, res) => {
    const hit = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (!hit) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    const [status, body] = hit;
    res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'text/html' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const conn = (path: string, extra = '') => `RestSamplePath=${base}${path};${extra}`;

test('--format table renders 200,000 rows (no stack overflow from spreading rows)', async () => {
  routes.set('/many', [200, JSON.stringify(Array.from({ length: 200_000 }, (_, i) => ({ id: i, v: i % 7 })))]);
  const r = await runCli(['query', '-c', conn('/many'), '-f', 'table', 'SELECT id, v FROM many']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(200000 rows\)\n$/);
  assert.match(r.stdout, /^ *199999 \| 2$/m);
});
