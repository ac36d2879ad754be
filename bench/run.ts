/**
 * `npm run bench`: end-to-end `restsql query` runs (process start to last row printed) against
 * fixture APIs on loopback, next to the floor (a bare fetch + JSON.parse script), alternating, at
 * least 3 runs each. Prints tables and writes bench/results.json. Scenarios:
 *   a  bulk: 200 pages x 2,500 records (nested object, scalar-array child table), offset paging with a total
 *   a0 the same with BulkLoad=0: pages parsed in Node and appended (the path for what bulk loading cannot take)
 *   b  next-token paging (pages one after another)
 *   c  a parent joined with its child table
 *   d  a second query on the same connection (cache hit; library)
 *   e  a selective query whose WHERE is sent to the API (pushdown)
 *   w  the PostgreSQL wire: restsql serve next to a real PostgreSQL 15 (wire.ts; bench/results-wire.json)
 *   k  the catalog (pg_catalog, information_schema) of restsql serve next to a real PostgreSQL 15
 *      (catalog.ts; bench/results-catalog.json)
 *   s  start-up: --help and queries that fetch nothing, whole processes next to `node -e 0`
 *      (startup.ts; bench/results-startup.json)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../src/index.js';
import { runCatalog } from './catalog.js';
import { runStartup } from './startup.js';
import { runWire } from './wire.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const PAGES = Number(process.env.BENCH_PAGES ?? 200);
const PAGE_SIZE = Number(process.env.BENCH_PAGE_SIZE ?? 2500);
const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
const ROWS = PAGES * PAGE_SIZE;
/** BENCH_SCENARIOS=a (or b,c...) runs only those; the floor always runs with (a). */
const ONLY = new Set((process.env.BENCH_SCENARIOS ?? 'a,b,c,d,e,w,k,s').toLowerCase().split(',').map((x) => x.trim()));
const CITIES = ['Oslo', 'Lima', 'Pune', 'Kyiv', 'Accra'];
/** The scenarios of this file (w is wire.ts's, k catalog.ts's, s startup.ts's, run first, before this file's API takes memory). */
const OWN = ['a', 'b', 'c', 'd', 'e'];
if (ONLY.has('w') && !(await runWire({ root: ROOT }))) process.exitCode = 1;
if (ONLY.has('k') && !(await runCatalog({ root: ROOT }))) process.exitCode = 1;
if (ONLY.has('s') && !(await runStartup({ root: ROOT }))) process.exitCode = 1;
if (!OWN.some((s) => ONLY.has(s))) process.exit();

function record(i: number) {
  return { id: i, name: `user ${i}`, email: `u${i}@example.com`, active: i % 3 !== 0, score: ((i * 7) % 1000) / 10, created: `2024-0${(i % 9) + 1}-1${i % 10}T08:00:00Z`, address: { city: CITIES[i % 5], zip: `0${1000 + (i % 9000)}`, geo: { lat: (i % 180) - 90, lng: (i % 360) - 180 } }, tags: i % 2 ? ['a', 'b'] : ['c'] };
}

/** Pages are built once and served from memory, so the API costs nothing measurable. */
async function startApi() {
  const pages: Buffer[] = [];
  for (let p = 0; p < PAGES; p++) {
    const data = Array.from({ length: PAGE_SIZE }, (_x, k) => record(p * PAGE_SIZE + k + 1));
    pages.push(Buffer.from(JSON.stringify({ total: ROWS, next: p + 1 < PAGES ? `c${p + 1}` : null, data })));
  }
  const bytes = pages.reduce((s, b) => s + b.length, 0);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let page: Buffer | undefined;
    if (url.searchParams.has('cursor')) page = pages[Number(url.searchParams.get('cursor')!.slice(1))];
    else if (url.pathname === '/tokens') page = pages[0];
    else if (url.searchParams.has('city')) {
      // Pushdown: the API filters itself (one city, from the first 10 pages' records).
      const city = url.searchParams.get('city');
      const data = Array.from({ length: 10 * PAGE_SIZE }, (_x, k) => record(k + 1)).filter((r) => r.address.city === city);
      page = Buffer.from(JSON.stringify({ total: data.length, data }));
    } else page = pages[Math.floor(Number(url.searchParams.get('offset') ?? 0) / PAGE_SIZE)];
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': page?.length ?? 2 });
    res.end(page ?? '{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bytes, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const COLUMNS = `"id": "Integer,#key", "name": "VarChar", "email": "VarChar", "active": "Boolean", "score": "Double", "created": "Timestamp", "address": {"city": {"#type": "VarChar", "#eq": "city"}, "zip": "VarChar", "geo": {"lat": "Double", "lng": "Double"}}, "tags[]": "VarChar"`;
const MODEL = (base: string) => ({
  users: `{"#path": "${base}/users /data", "#maximumPageSize": ${PAGE_SIZE}, "#pageSizeParameter": "limit", "#rowOffsetParameter": "offset", "#totalRowsElement": "total", ${COLUMNS}}`,
  tokens: `{"#path": "${base}/tokens /data", "#nextPageElement": "next", "#nextPageParameter": "cursor", ${COLUMNS}}`,
  filtered: `{"#path": "${base}/filtered /data", ${COLUMNS}}`,
});

interface Sample {
  ms: number;
  rssMb: number;
  out: string;
}

function run(cmd: string[], env: NodeJS.ProcessEnv = {}): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, cmd, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${cmd.join(' ')} exited ${code}: ${err}`));
      const kb = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(err)?.[1] ?? 0);
      resolve({ ms, rssMb: kb / 1024, out });
    });
  });
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

const api = await startApi();
const dir = join(tmpdir(), `restsql-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });
const models = MODEL(api.base);
const modelFile = join(dir, 'bench.rest');
writeFileSync(modelFile, `{"users": ${models.users}, "tokens": ${models.tokens}, "filtered": ${models.filtered}}`);
const conn = `RestConfigFile=${modelFile}`;
const CLI = join(ROOT, 'dist', 'bench', 'cli-rss.js');
const FLOOR = join(ROOT, 'dist', 'bench', 'floor.js');
const expectedScore = Array.from({ length: ROWS }, (_x, i) => ((i + 1) * 7) % 1000).reduce((s, x) => s + x, 0) / 10;

interface Row { scenario: string; median: number; min: number; max: number; rowsPerSec: number; mbPerSec: number; peakRssMb: number; floorMedian?: number; ratio?: number; check: string }
const rows: Row[] = [];
const mb = api.bytes / 1e6;

try {
  // (a) bulk, alternating with the floor; (a0) the same with BulkLoad=0, the JSON.parse + Appender path.
  if (ONLY.has('a')) {
    const a: Sample[] = [];
    const a0: Sample[] = [];
    const floor: Sample[] = [];
    const sql = 'SELECT count(*) AS n, sum(score) AS s, count(DISTINCT address_city) AS cities FROM users';
    for (let i = 0; i < RUNS; i++) {
      floor.push(await run([FLOOR, `${api.base}/users`, String(PAGES), String(PAGE_SIZE)]));
      a.push(await run([CLI, 'query', '-c', conn, '--format', 'csv', sql]));
    }
    for (let i = 0; i < RUNS; i++) a0.push(await run([CLI, 'query', '-c', `${conn};BulkLoad=0`, '--format', 'csv', sql]));
    const okOut = (out: string) => {
      const [n, s, cities] = out.trim().split('\r\n')[1]!.split(',');
      return Number(n) === ROWS && Math.abs(Number(s) - expectedScore) < 1e-6 * expectedScore && Number(cities) === 5;
    };
    const okA = okOut(a[0]!.out) && floor[0]!.out.startsWith(`${ROWS} `);
    const sa = stats(a.map((x) => x.ms));
    const sa0 = stats(a0.map((x) => x.ms));
    const sf = stats(floor.map((x) => x.ms));
    const ratio = (x: number) => Math.round((x / sf.median) * 100) / 100;
    rows.push({ scenario: 'floor: fetch (concurrency 8) + JSON.parse', ...sf, rowsPerSec: Math.round(ROWS / (sf.median / 1000)), mbPerSec: Math.round(mb / (sf.median / 1000)), peakRssMb: Math.round(Math.max(...floor.map((x) => x.rssMb))), check: okA ? 'ok' : 'WRONG' });
    rows.push({ scenario: `a: bulk offset paging, ${PAGES} x ${PAGE_SIZE}`, ...sa, rowsPerSec: Math.round(ROWS / (sa.median / 1000)), mbPerSec: Math.round(mb / (sa.median / 1000)), peakRssMb: Math.round(Math.max(...a.map((x) => x.rssMb))), floorMedian: Math.round(sf.median), ratio: ratio(sa.median), check: okA ? 'ok' : 'WRONG' });
    rows.push({ scenario: 'a0: (a) with BulkLoad=0 (JSON.parse + Appender)', ...sa0, rowsPerSec: Math.round(ROWS / (sa0.median / 1000)), mbPerSec: Math.round(mb / (sa0.median / 1000)), peakRssMb: Math.round(Math.max(...a0.map((x) => x.rssMb))), floorMedian: Math.round(sf.median), ratio: ratio(sa0.median), check: okOut(a0[0]!.out) ? 'ok' : 'WRONG' });
  }

  // (b) next-token paging and (c) join with the child table, through the CLI.
  const b: Sample[] = [];
  const c: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (ONLY.has('b')) b.push(await run([CLI, 'query', '-c', conn, '--format', 'csv', 'SELECT count(*) AS n FROM tokens']));
    if (ONLY.has('c')) c.push(await run([CLI, 'query', '-c', conn, '--format', 'csv', 'SELECT t.tags, count(*) AS n FROM users u JOIN tags t ON t.users_id = u.id GROUP BY 1 ORDER BY 1']));
  }
  const okB = b.length > 0 && b[0]!.out.trim().endsWith(`\r\n${ROWS}`);
  const okC = c.length > 0 && c[0]!.out.trim() === ['tags,n', `a,${ROWS / 2}`, `b,${ROWS / 2}`, `c,${ROWS / 2}`].join('\r\n');
  for (const [name, xs, ok] of [['b: next-token paging (sequential)', b, okB], ['c: parent joined with its child table', c, okC]] as const) {
    if (xs.length === 0) continue;
    const st = stats(xs.map((x) => x.ms));
    rows.push({ scenario: name, ...st, rowsPerSec: Math.round(ROWS / (st.median / 1000)), mbPerSec: Math.round(mb / (st.median / 1000)), peakRssMb: Math.round(Math.max(...xs.map((x) => x.rssMb))), check: ok ? 'ok' : 'WRONG' });
  }

  // (d) cache hit and (e) pushdown, in-process through the library.
  if (ONLY.has('d') || ONLY.has('e')) {
  const d: number[] = [];
  const e: number[] = [];
  let okD = true;
  let okE = true;
  for (let i = 0; i < RUNS; i++) {
    const lib = await connect(conn);
    try {
      await lib.query('SELECT count(*) FROM users');
      const t0 = performance.now();
      const r = await lib.query('SELECT count(*)::INTEGER AS n FROM users WHERE active');
      d.push(performance.now() - t0);
      okD &&= r.rows[0]!.n === Array.from({ length: ROWS }, (_x, k) => (k + 1) % 3 !== 0).filter(Boolean).length;
      const t1 = performance.now();
      const f = await lib.query("SELECT count(*)::INTEGER AS n FROM filtered WHERE address_city = 'Lima'");
      e.push(performance.now() - t1);
      okE &&= f.rows[0]!.n === (10 * PAGE_SIZE) / 5;
    } finally {
      await lib.close();
    }
  }
  const sd = stats(d);
  const se = stats(e);
  rows.push({ scenario: 'd: second query, same connection (cache hit)', ...sd, rowsPerSec: Math.round(ROWS / (sd.median / 1000)), mbPerSec: 0, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), check: okD ? 'ok' : 'WRONG' });
  rows.push({ scenario: "e: WHERE city = 'Lima' sent to the API (pushdown)", ...se, rowsPerSec: Math.round(((10 * PAGE_SIZE) / 5) / (se.median / 1000)), mbPerSec: 0, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), check: okE ? 'ok' : 'WRONG' });
  }
} finally {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
}

const header = ['scenario', 'median ms', 'min', 'max', 'rows/s', 'MB/s', 'peak RSS MB', 'x floor', 'check'];
const lines = rows.map((r) => [r.scenario, String(Math.round(r.median)), String(Math.round(r.min)), String(Math.round(r.max)), String(r.rowsPerSec), r.mbPerSec ? String(r.mbPerSec) : '', String(r.peakRssMb), r.ratio !== undefined ? String(r.ratio) : '', r.check]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
console.log(`restsql bench: ${PAGES} pages x ${PAGE_SIZE} records (${Math.round(api.bytes / 1e6)} MB of JSON), ${RUNS} runs each, Node ${process.version}\n`);
console.log(fmt(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-+-'));
for (const l of lines) console.log(fmt(l));
// Only a full run replaces the saved results.
const file = join(ROOT, 'bench', OWN.every((s) => ONLY.has(s)) ? 'results.json' : 'results-partial.json');
writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, pages: PAGES, pageSize: PAGE_SIZE, jsonBytes: api.bytes, runs: RUNS, results: rows }, null, 2) + '\n');
console.log(`\nsaved ${file}`);
if (rows.some((r) => r.check !== 'ok')) process.exitCode = 1;
