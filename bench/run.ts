/**
 * `npm run bench`: paging and loading through the real stack (HTTP client, paginator, flattener,
 * DuckDB) against a local API that adds a fixed latency per page, as a remote API would. Prints a
 * table and saves the numbers as JSON in bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../src/index.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 50_000);
const PAGE = 500;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);

function record(i: number) {
  return { id: i, name: `user ${i}`, email: `u${i}@example.com`, active: i % 3 !== 0, score: (i * 7) % 1000 / 10, created: `2024-0${(i % 9) + 1}-1${i % 10}T08:00:00Z`, address: { city: ['Oslo', 'Lima', 'Pune'][i % 3], zip: `0${1000 + (i % 9000)}` }, tags: i % 2 ? ['a', 'b'] : ['c'] };
}

async function startServer() {
  const data = Array.from({ length: ROWS }, (_x, i) => record(i + 1));
  const pages = new Map<number, string>();
  const counter = { requests: 0 };
  const server = createServer((req, res) => {
    counter.requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const offset = Number(url.searchParams.get('offset') ?? url.searchParams.get('cursor') ?? 0);
    let body = pages.get(offset);
    if (!body) {
      const slice = data.slice(offset, offset + PAGE);
      const next = offset + PAGE < ROWS ? offset + PAGE : null;
      body = JSON.stringify({ total: ROWS, next, data: slice });
      pages.set(offset, body);
    }
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    }, LATENCY_MS);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counter, close: () => new Promise<void>((r) => server.close(() => r())) };
}

interface Result {
  case: string;
  pages: number;
  rows: number;
  ms: number;
  rowsPerSecond: number;
}

async function time(name: string, model: string, sql: string, options: string, server: Awaited<ReturnType<typeof startServer>>, dir: string): Promise<Result> {
  const base = server.base;
  const file = join(dir, `${name.replace(/\W+/g, '-')}.rest`);
  writeFileSync(file, model);
  const conn = await connect(`RestConfigFile=${file};HostName=${base};${options}`);
  try {
    const before = server.counter.requests;
    const t0 = performance.now();
    const r = await conn.query(sql);
    const ms = performance.now() - t0;
    // Rows fetched: the count the query returns, or the rows it returned.
    const rows = r.rows.length === 1 && r.columns.length === 1 ? Number(Object.values(r.rows[0]!)[0]) : r.rows.length;
    return { case: name, pages: server.counter.requests - before, rows, ms: Math.round(ms), rowsPerSecond: Math.round((rows / ms) * 1000) };
  } finally {
    await conn.close();
  }
}

const offsetModel = `{"users": {"#path": "/users /data", "#maximumPageSize": ${PAGE}, "#pageSizeParameter": "limit", "#rowOffsetParameter": "offset", "#totalRowsElement": "total",
  "id": "Integer,#key", "name": "VarChar", "email": "VarChar", "active": "Boolean", "score": "Double", "created": "Timestamp", "address": {"city": "VarChar", "zip": "VarChar"}, "tags[]": "VarChar"}}`;
const tokenModel = offsetModel.replace(/"#rowOffsetParameter": "offset", "#totalRowsElement": "total"/, '"#nextPageElement": "next", "#nextPageParameter": "cursor"');

const server = await startServer();
const dir = join(tmpdir(), `restsql-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });
const results: Result[] = [];
try {
  const count = 'SELECT count(*) FROM users';
  results.push(await time('offset paging, sequential (PageConcurrency=1)', offsetModel, count, 'PageConcurrency=1', server, dir));
  results.push(await time('offset paging, concurrent (PageConcurrency=4)', offsetModel, count, 'PageConcurrency=4', server, dir));
  results.push(await time('offset paging, concurrent (PageConcurrency=8)', offsetModel, count, 'PageConcurrency=8', server, dir));
  results.push(await time('next-token paging (sequential by nature)', tokenModel, count, '', server, dir));
  results.push(await time('child table join after load (tags)', offsetModel, 'SELECT count(*) FROM users u JOIN tags t ON t.users_id = u.id', 'PageConcurrency=4', server, dir));
  results.push(await time('SELECT * ... LIMIT 10 stops after the first page', offsetModel, 'SELECT * FROM users LIMIT 10', '', server, dir));
  results.push(await time('WHERE on a non-filter column fetches everything', offsetModel, "SELECT count(*) FROM users WHERE address_city = 'Oslo'", 'PageConcurrency=4', server, dir));
} finally {
  await server.close();
}

const header = ['case', 'requests', 'rows', 'ms', 'rows/s'];
const lines = results.map((r) => [r.case, String(r.pages), String(r.rows), String(r.ms), String(r.rowsPerSecond)]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
console.log(`restsql bench: ${ROWS} rows, ${PAGE} per page, ${LATENCY_MS} ms latency per page, Node ${process.version}\n`);
console.log(fmt(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-+-'));
for (const l of lines) console.log(fmt(l));
const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
mkdirSync(out, { recursive: true });
const file = join(out, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, rows: ROWS, pageSize: PAGE, latencyMs: LATENCY_MS, results }, null, 2) + '\n');
console.log(`\nsaved ${file}`);
