/**
 * `npm run bench`, scenario k: the catalog of `restsql serve` (issue 14), what pg_catalog and
 * information_schema statements cost next to a real PostgreSQL 15.
 *
 *   k1 routing, in this process (src/server/catalog/route.ts): mentionsCatalog() on statements
 *      over API tables (what every user query pays), routeStatement() (libpg-query parse + walk) on
 *      psql's catalog statements, and loadParser() once (in fresh Node processes).
 *   k2 restsql serve in this process, over a loopback API (nested object, array -> child table):
 *      the first catalog statement (it starts the catalog: PGlite in a worker thread) and the
 *      process's memory before and after; then, after warm-ups, latencies of psql's `\dt`, each
 *      statement of psql's `\d items`, pgjdbc's getColumns and an API-table query, through
 *      node-postgres, alternating restsql and PostgreSQL; then the whole catalog corpus
 *      (test/data/catalog-corpus/*.json) once, and the slowest statements timed again.
 *   k3 where restsql's time goes: the time spent in Catalog.execute/describe (the worker round
 *      trips) per statement (k2's "in catalog"), and the same protocol messages sent to a PGlite in
 *      this thread, without the worker: the statement alone, and with the transaction around it.
 *
 * The API and its model are the wire tests' (test/support/serve.ts), so the corpus's OID
 * placeholders resolve and oracle-schema.sql is its PostgreSQL twin. PostgreSQL 15
 * (/usr/lib/postgresql/15/bin, Debian `postgresql-15`) is started on loopback by the tests' own
 * starter (test/support/postgres.ts) and prepared as the corpus test prepares it; without it
 * restsql is measured alone. Both servers ask for a SCRAM-SHA-256 password; clients log in as the
 * same user to the same database name. Prints tables and writes bench/results-catalog.json.
 *
 * Environment: BENCH_CATALOG_RUNS (50, at least 30) timed runs per statement after 3 warm-ups.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { openHub } from '../src/index.js';
import { Catalog } from '../src/server/catalog/catalog.js';
import { extendedMessages, hasError, queryMessage, readBackend } from '../src/server/catalog/pg-messages.js';
import { mentionsCatalog, routeStatement } from '../src/server/catalog/route.js';
import { startServer, type RunningServer } from '../src/server/server.js';
import { CLIENT_DATABASE, CLIENT_USER, prepareOracle } from '../test/support/catalog-corpus.js';
import { PG_BIN, startPostgres, type Postgres } from '../test/support/postgres.js';
import { startWireApi, wireModel, type WireApi } from '../test/support/serve.js';

const RUNS = Math.max(30, Number(process.env.BENCH_CATALOG_RUNS ?? 50));
const WARMUPS = 3;
/** Runs of each of the slowest corpus statements, timed again after the corpus pass. */
const RETIME_RUNS = 15;
// The oracle's login role and database (test/support/catalog-corpus.ts makes them), used on both sides.
const USER = CLIENT_USER;
const DATABASE = CLIENT_DATABASE;

export interface CatalogBenchOptions {
  /** The repository root (where test/data and bench/ are). */
  readonly root: string;
}

// --- Numbers -----------------------------------------------------------------------------------------

interface Stats {
  readonly median: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

function stats(xs: readonly number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { median: round(at(0.5)), p95: round(at(0.95)), min: round(s[0]!), max: round(s[s.length - 1]!), n: s.length };
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

const MB = 1024 * 1024;
let exposedGc: (() => void) | undefined;
/** A full garbage collection (gc() exposed on first use, so importing this file changes nothing). */
function gc(): void {
  if (!exposedGc) {
    setFlagsFromString('--expose-gc');
    exposedGc = runInNewContext('gc') as () => void;
  }
  exposedGc();
}

interface Memory {
  readonly rssMb: number;
  /** This (main) thread's V8 heap; a worker's is not in it. */
  readonly mainHeapMb: number;
  /**
   * Resident memory of each WebAssembly memory in the process (Linux: read from /proc/self/smaps),
   * largest first: PGlite's (the catalog's PostgreSQL, in the worker) and libpg-query's (the parser).
   */
  readonly wasmMemoriesMb: number[];
}

async function memory(): Promise<Memory> {
  gc();
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const m = process.memoryUsage();
  return { rssMb: round(m.rss / MB, 1), mainHeapMb: round(m.heapTotal / MB, 1), wasmMemoriesMb: wasmMemories() };
}

/**
 * V8 reserves each 32-bit WebAssembly memory with guard pages: the memory's pages (an anonymous
 * read-write mapping) followed by gigabytes of inaccessible address space. Their resident sizes
 * are the memories' RSS, whichever thread owns them.
 */
function wasmMemories(): number[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return [];
  }
  const maps: { start: bigint; end: bigint; perm: string; name: string; rssKb: number }[] = [];
  for (const line of text.split('\n')) {
    const h = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (h) maps.push({ start: BigInt(`0x${h[1]}`), end: BigInt(`0x${h[2]}`), perm: h[3]!, name: h[4]!, rssKb: 0 });
    else {
      const r = /^Rss:\s+(\d+) kB/.exec(line);
      if (r && maps.length > 0) maps[maps.length - 1]!.rssKb = Number(r[1]);
    }
  }
  const out: number[] = [];
  for (let i = 0; i + 1 < maps.length; i++) {
    const [m, next] = [maps[i]!, maps[i + 1]!];
    if (m.perm === 'rw-p' && m.name === '' && next.perm === '---p' && next.name === '' && next.start === m.end && next.end - next.start >= 4n * 1024n * 1024n * 1024n) out.push(round(m.rssKb / 1024, 1));
  }
  // Memories nothing has touched yet (undici's HTTP parser, for one) are left out.
  return out.filter((x) => x > 0).sort((a, b) => b - a);
}

// --- The corpus ----------------------------------------------------------------------------------------

interface CorpusEntry {
  readonly id: string;
  readonly client: string;
  readonly action: string;
  readonly sql: string;
  /** Present when the client sent the statement with the extended protocol. */
  readonly params?: readonly (string | null)[];
}

function loadCorpus(root: string): CorpusEntry[] {
  const dir = join(root, 'test', 'data', 'catalog-corpus');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'differences.json')
    .sort()
    .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CorpusEntry[]);
}

/** The OIDs of a server's user relations by `pg_class:<schema>.<name>`, the corpus's placeholder names. */
const USER_OIDS_SQL = `SELECT c.oid::text AS oid, 'pg_class:' || n.nspname || '.' || c.relname AS symbol FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid >= 16384`;

function withOids(sql: string, oids: ReadonlyMap<string, string>): string {
  return sql.replace(/\{\{oid:([^}]+)\}\}/g, (_m, symbol: string) => {
    const oid = oids.get(symbol);
    if (oid === undefined) throw new Error(`the server has no ${symbol} (corpus placeholder)`);
    return oid;
  });
}


// --- Clients ------------------------------------------------------------------------------------------

/** Every value as the text the server sent: the client's parsing costs the same on both sides. */
const RAW_TYPES = { getTypeParser: () => (value: string) => value };

interface Target {
  readonly label: 'restsql' | 'PostgreSQL';
  readonly client: pg.Client;
  /** pg_class:<schema>.<name> -> OID on this server. */
  oids: Map<string, string>;
}

async function connectTo(label: Target['label'], port: number, password: string): Promise<Target> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, database: DATABASE, password, types: RAW_TYPES, query_timeout: 60_000 });
  await client.connect();
  return { label, client, oids: new Map() };
}

async function lookUpOids(t: Target): Promise<void> {
  const r = await t.client.query<{ oid: string; symbol: string }>(USER_OIDS_SQL);
  t.oids = new Map(r.rows.map((x) => [x.symbol, x.oid]));
}

interface Statement {
  readonly id: string;
  readonly sql: string;
  /** Sent with the extended protocol (Parse/Bind/Describe/Execute/Sync), as pgjdbc and postgres.js do. */
  readonly extended: boolean;
}

/** Runs one statement; returns its wall time in ms and the rows it returned (all results of a multi-statement query). */
async function timed(t: Target, s: Statement): Promise<{ ms: number; rows: number }> {
  const text = withOids(s.sql, t.oids);
  const t0 = performance.now();
  const r = (await t.client.query({ text, rowMode: 'array', ...(s.extended ? { queryMode: 'extended' } : {}) } as pg.QueryConfig)) as unknown as pg.QueryResult | pg.QueryResult[];
  const ms = performance.now() - t0;
  return { ms, rows: (Array.isArray(r) ? r : [r]).reduce((n, x) => n + (x.rows?.length ?? 0), 0) };
}

/** Time spent in the catalog's execute() and describe() (the worker round trips), summed since the last reset. */
const inCatalog = { ms: 0, calls: 0, instance: undefined as Catalog | undefined, worker: undefined as Worker | undefined };

/** The catalog worker's event loop active time so far, ms (NaN before it exists): its busy time, read from this thread. */
function workerBusyMs(): number {
  return inCatalog.worker ? inCatalog.worker.performance.eventLoopUtilization().active : Number.NaN;
}

/**
 * Wraps Catalog's two public statement methods to add their time to `inCatalog`, and finds the
 * worker (bench code only). Returns the function that puts the originals back.
 */
function instrumentCatalog(): () => void {
  // The catalog's worker is the one that is sent `run` messages (catalog-worker.ts).
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
    if ((message as { type?: unknown } | null)?.type === 'run') inCatalog.worker = this;
    return (post as (...a: unknown[]) => void).call(this, message, ...rest);
  };
  const proto = Catalog.prototype as unknown as Record<'execute' | 'describe', (...a: unknown[]) => Promise<unknown>>;
  const originals = { execute: proto.execute, describe: proto.describe };
  for (const name of ['execute', 'describe'] as const) {
    const original = originals[name];
    proto[name] = async function (this: Catalog, ...args: unknown[]) {
      inCatalog.instance = this;
      const t0 = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        inCatalog.ms += performance.now() - t0;
        inCatalog.calls++;
      }
    };
  }
  return () => {
    Worker.prototype.postMessage = post;
    Object.assign(proto, originals);
  };
}

// --- k1: routing ----------------------------------------------------------------------------------------

/** Statements over API tables, as users and BI tools send them: none has a catalog word. */
const API_STATEMENTS = [
  'SELECT count(*) FROM items',
  "SELECT id, name, price FROM items WHERE region = 'north' ORDER BY price DESC LIMIT 10",
  'SELECT i.name, t.tags FROM items i JOIN tags t ON t.items_id = i.id WHERE i.price > $1',
  'SELECT address_city, count(*) AS n, avg(price) AS avg_price FROM items GROUP BY address_city ORDER BY n DESC',
  'SELECT * FROM big WHERE active AND created >= TIMESTAMP \'2024-01-05\' AND score BETWEEN 10 AND 500 ORDER BY score DESC LIMIT 100',
  // A long generated query (a BI tool's): about 1.5 KB.
  `WITH recent AS (SELECT id, name, score, active, created FROM big WHERE created >= DATE '2024-01-10'), ranked AS (SELECT r.*, row_number() OVER (PARTITION BY active ORDER BY score DESC) AS rn FROM recent r) SELECT ${Array.from({ length: 24 }, (_x, k) => `sum(CASE WHEN rn % 24 = ${k} THEN score ELSE 0 END) AS bucket_${k}`).join(', ')} FROM ranked WHERE rn <= 500`,
];

/** ns per call of f(x), the median of 5 batches of about 25 ms each. */
function nsPerCall(f: (x: string) => unknown, x: string): number {
  let sink = 0;
  let n = 1000;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) if (f(x)) sink++;
    const ms = performance.now() - t0;
    if (ms >= 25) break;
    n = Math.ceil(n * Math.min(10, 30 / Math.max(ms, 1)));
  }
  const batches: number[] = [];
  for (let b = 0; b < 5; b++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) if (f(x)) sink++;
    batches.push(((performance.now() - t0) * 1e6) / n);
  }
  if (sink < 0) console.log(sink);
  return median(batches);
}

/** loadParser() in fresh Node processes (the first call in a process pays it): ms, median of 3. */
async function loadParserMs(root: string): Promise<number[]> {
  const route = pathToFileURL(join(root, 'dist', 'src', 'server', 'catalog', 'route.js')).href;
  const script = `const { loadParser } = await import(${JSON.stringify(route)}); const t0 = performance.now(); await loadParser(); console.log(performance.now() - t0);`;
  const out: number[] = [];
  for (let i = 0; i < 3; i++) {
    const stdout = await new Promise<string>((resolve, reject) => execFile(process.execPath, ['--input-type=module', '-e', script], (e, o) => (e ? reject(e) : resolve(o))));
    out.push(Number(stdout.trim()));
  }
  return out;
}

interface RoutingResult {
  loadParserMs: { median: number; runs: number[] };
  mentionsCatalog: { statement: string; chars: number; ns: number }[];
  routeStatement: { id: string; chars: number; route: string; us: number; parseUs: number }[];
}

async function routing(root: string, corpus: readonly CorpusEntry[], apiTables: ReadonlySet<string>): Promise<RoutingResult> {
  const loads = await loadParserMs(root);
  const { loadParser } = await import('../src/server/catalog/route.js');
  await loadParser();
  const lq = await import('libpg-query');
  await lq.loadModule();
  const mentions = API_STATEMENTS.map((statement) => {
    if (mentionsCatalog(statement)) throw new Error(`mentionsCatalog() is true for an API statement: ${statement}`);
    return { statement: statement.length > 70 ? `${statement.slice(0, 67)}...` : statement, chars: statement.length, ns: round(nsPerCall(mentionsCatalog, statement), 1) };
  });
  // As Catalog.route asks: restsql's tables, unqualified or in public/restsql/main/temp.
  const isApiTable = (schema: string | undefined, name: string) => (schema === undefined || ['public', 'restsql', 'main', 'temp'].includes(schema)) && apiTables.has(name.toLowerCase());
  const fakeOids = (sql: string) => sql.replace(/\{\{oid:[^}]+\}\}/g, '16390');
  const routed = corpus
    .filter((e) => e.client.startsWith('psql'))
    .map((e) => {
      const sql = fakeOids(e.sql);
      const route = routeStatement(sql, isApiTable).route;
      return { id: e.id, chars: sql.length, route, us: round(nsPerCall((s) => routeStatement(s, isApiTable), sql) / 1000, 1), parseUs: round(nsPerCall((s) => lq.parseSync(s), sql) / 1000, 1) };
    });
  return { loadParserMs: { median: round(median(loads), 1), runs: loads.map((x) => round(x, 1)) }, mentionsCatalog: mentions, routeStatement: routed };
}

// --- k3: the catalog's steps in PGlite, without the worker ------------------------------------------

/** The settings a session applies to each catalog statement (catalog.ts CATALOG_SETTINGS), with psql's values. */
const SESSION_SETTINGS: readonly [string, string][] = [
  ['search_path', '"$user", public'],
  ['DateStyle', 'ISO, MDY'],
  ['IntervalStyle', 'postgres'],
  ['TimeZone', 'UTC'],
  ['extra_float_digits', '1'],
  ['bytea_output', 'hex'],
  ['application_name', 'psql'],
  ['statement_timeout', '0'],
  ['lock_timeout', '0'],
  ['idle_in_transaction_session_timeout', '0'],
];
/** Runs of everything in k3 before timing: PGlite's WebAssembly is compiled in tiers, the optimized code comes later. */
const PGLITE_WARMUPS = 30;

interface PgliteRow {
  key: string;
  label: string;
  /** The statement's messages alone (Parse, Bind, Describe, Execute, Sync, one at a time). */
  statement: { median: number; p95: number };
  /** What the worker runs for one catalog statement: the envelope's BEGIN step, the statement, ROLLBACK. */
  steps: { median: number; p95: number };
}

interface PgliteResult {
  startMs: number;
  rows: PgliteRow[];
}

interface PGliteRaw {
  exec(sql: string): Promise<unknown>;
  query<T>(sql: string): Promise<{ rows: T[] }>;
  execProtocolRaw(message: Uint8Array, options?: { syncToFs?: boolean }): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * PGlite in this thread holding oracle-schema.sql, sent the same protocol messages catalog.ts
 * composes and catalog-worker.ts sends (one at a time, each reply copied): the statement alone, and
 * the three steps of a catalog statement (BEGIN READ ONLY + SET LOCAL ROLE + the session's
 * settings; the statement; ROLLBACK). What the worker adds is the difference from the
 * time restsql spends in Catalog.execute/describe.
 */
async function pgliteDirect(root: string, rows: readonly { key: string; label: string; statements: readonly Statement[] }[]): Promise<PgliteResult> {
  const { PGlite } = await import('@electric-sql/pglite');
  const t0 = performance.now();
  const db = (await PGlite.create()) as unknown as PGliteRaw;
  await db.exec(readFileSync(join(root, 'test', 'data', 'catalog-corpus', 'oracle-schema.sql'), 'utf8'));
  await db.exec(`CREATE ROLE ${USER} LOGIN`);
  const startMs = performance.now() - t0;
  const oids = new Map((await db.query<{ oid: string; symbol: string }>(USER_OIDS_SQL)).rows.map((r) => [r.symbol, r.oid]));
  const settings = SESSION_SETTINGS.map(([n, v]) => `pg_catalog.set_config('${n}', '${v.replaceAll("'", "''")}', true)`).join(', ');
  const begin = queryMessage([`BEGIN READ ONLY`, `SET LOCAL ROLE ${USER}`, `SELECT ${settings}`].join(';\n'));
  const rollback = queryMessage('ROLLBACK');
  const send = async (messages: readonly Uint8Array[]) => {
    for (const m of messages) {
      const reply = (await db.execProtocolRaw(m, { syncToFs: false })).slice();
      if (hasError(reply)) throw new Error(`PGlite: ${readBackend(reply).error?.message ?? 'an error'}`);
    }
  };
  try {
    const prepared = rows.map((row) => ({ row, messages: row.statements.map((s) => extendedMessages({ sql: withOids(s.sql, oids), paramOids: [], bind: { values: [], paramFormats: [], resultFormats: [] } })) }));
    const out: PgliteRow[] = [];
    const alone = prepared.map(() => [] as number[]);
    const inSteps = prepared.map(() => [] as number[]);
    for (let i = 0; i < PGLITE_WARMUPS + RUNS; i++) {
      for (const [k, p] of prepared.entries()) {
        let a = 0;
        let b = 0;
        for (const messages of p.messages) {
          let t = performance.now();
          await send(messages);
          a += performance.now() - t;
          t = performance.now();
          await send([begin]);
          await send(messages);
          await send([rollback]);
          b += performance.now() - t;
        }
        if (i >= PGLITE_WARMUPS) {
          alone[k]!.push(a);
          inSteps[k]!.push(b);
        }
      }
    }
    for (const [k, p] of prepared.entries()) {
      const a = stats(alone[k]!);
      const b = stats(inSteps[k]!);
      out.push({ key: p.row.key, label: p.row.label, statement: { median: a.median, p95: a.p95 }, steps: { median: b.median, p95: b.p95 } });
    }
    return { startMs: round(startMs, 1), rows: out };
  } finally {
    await db.close();
  }
}

// --- The scenario ---------------------------------------------------------------------------------------

interface LatencyRow {
  key: string;
  label: string;
  statements: number;
  restsql: Stats;
  /** Of restsql's median: time inside Catalog.execute/describe (the worker round trips), ms. */
  restsqlInCatalog?: number;
  /** The catalog worker's event loop active time per run (mean), ms. */
  workerBusy?: number;
  postgres?: Stats;
  ratio?: number;
  rows: { restsql: number; postgres?: number };
}

interface CorpusRun {
  id: string;
  extended: boolean;
  restsql?: number;
  postgres?: number;
  error?: string;
}

/**
 * Runs scenario k; prints its tables and writes bench/results-catalog.json. Returns false when a
 * check failed (a statement failed, or gave other row counts than PostgreSQL's where they must agree).
 */
export async function runCatalog(o: CatalogBenchOptions): Promise<boolean> {
  const password = randomBytes(12).toString('base64url');
  const missing: string[] = [];
  const hasPostgres = existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'postgres'));
  if (!hasPostgres) missing.push(`PostgreSQL 15 (${PG_BIN}/initdb and postgres, Debian postgresql-15): restsql is measured alone, no ratios`);
  for (const m of missing) console.log(`\n!!! catalog bench: MISSING ${m}\n`);

  const corpus = loadCorpus(o.root);
  const byId = new Map(corpus.map((e) => [e.id, e]));
  const entry = (id: string, extended = byId.get(id)?.params !== undefined): Statement => {
    const e = byId.get(id);
    if (!e) throw new Error(`no corpus entry ${id}`);
    return { id, sql: e.sql, extended };
  };
  const dItems = corpus.filter((e) => /^psql-d-items-\d+$/.test(e.id)).map((e) => entry(e.id));
  const rowsToTime: { key: string; label: string; statements: Statement[]; sameRows: boolean }[] = [
    { key: 'floor', label: 'SELECT pg_catalog.current_database() (a catalog statement that reads nothing)', statements: [{ id: 'current_database', sql: 'SELECT pg_catalog.current_database()', extended: false }], sameRows: true },
    { key: 'dt', label: 'psql \\dt', statements: [entry('psql-dt')], sameRows: true },
    { key: 'd-items', label: `psql \\d items (its ${dItems.length} statements, one after another)`, statements: dItems, sameRows: true },
    { key: 'getColumns', label: 'pgjdbc getColumns(null, "public", "types", "%"), extended protocol as pgjdbc sends it', statements: [entry('pgjdbc-getColumns-types', true)], sameRows: true },
    { key: 'getColumns-simple', label: 'the same getColumns query as a simple query', statements: [entry('pgjdbc-getColumns-types', false)], sameRows: true },
    // PostgreSQL's items table is empty: this row is a contrast, not a comparison.
    { key: 'api-count', label: 'SELECT count(*) FROM items (restsql: API table, cached; PostgreSQL: its empty twin)', statements: [{ id: 'api-count', sql: 'SELECT count(*) FROM items', extended: false }], sameRows: false },
  ];
  // Each statement of \d items on its own, too (the same runs, split).
  const perStatementKeys = dItems.map((s) => s.id);

  const work = mkdtempSync(join(tmpdir(), 'restsql-catalog-'));
  let pgServer: Postgres | undefined;
  let server: RunningServer | undefined;
  let api: WireApi | undefined;
  const targets: Target[] = [];
  const cleanup = () => rmSync(work, { recursive: true, force: true });
  const onSignal = (sig: NodeJS.Signals) => {
    console.error(`\ncatalog bench: ${sig}, stopping PostgreSQL and removing ${work}`);
    cleanup();
    void (pgServer?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanup);

  let ok = true;
  let uninstrument = () => {};
  const problems: string[] = [];
  const log: string[] = [];
  const result: Record<string, unknown> = {};
  const t0 = performance.now();
  try {
    // PostgreSQL first, so its initdb does not share the CPUs with restsql's measurements.
    if (hasPostgres) {
      const t = performance.now();
      pgServer = await startPostgres();
      await prepareOracle(pgServer, password);
      await pgServer.exec('VACUUM ANALYZE', DATABASE);
      console.log(`catalog bench: PostgreSQL ${pgServer.version} on 127.0.0.1:${pgServer.port} with oracle-schema.sql, ready in ${Math.round(performance.now() - t)} ms (not timed below)`);
    }

    // restsql serve over the API, in this process.
    uninstrument = instrumentCatalog();
    api = await startWireApi();
    const model = join(work, 'catalog.rest');
    writeFileSync(model, wireModel(api));
    const hub = await openHub(`RestConfigFile=${model};CacheTTL=3600`);
    server = await startServer(hub, {
      host: '127.0.0.1',
      port: 0,
      password,
      method: 'scram-sha-256',
      maxSessions: 16,
      limits: { maxMessageBytes: 16 * 1024 * 1024, startupTimeoutMs: 30_000, idleTimeoutMs: 0, highWaterMark: 256 * 1024 },
      serverVersion: '15.18 (restsql bench)',
      log: (l) => log.push(l),
    });
    const restsql = await connectTo('restsql', server.port, password);
    targets.push(restsql);

    // The first query over an API table loads it; then the memory with no catalog yet.
    const countSql: Statement = { id: 'api-count', sql: 'SELECT count(*) FROM items', extended: false };
    const firstApi = await timed(restsql, countSql);
    const before = await memory();
    // The first catalog statement: loads PostgreSQL's parser, describes the tables through DuckDB,
    // starts the worker, PGlite and the schema, makes the login role, then runs \dt.
    const first = await timed(restsql, entry('psql-dt'));
    const afterFirst = await memory();
    const second = await timed(restsql, entry('psql-dt'));
    const started = log.map((l) => /catalog started in (\d+) ms/.exec(l)).find((m) => m);
    console.log(`catalog bench: first API query (loads items) ${Math.round(firstApi.ms)} ms; first catalog statement (\\dt, starts the catalog) ${Math.round(first.ms)} ms (the catalog says it started in ${started?.[1] ?? '?'} ms); the second \\dt ${round(second.ms, 1)} ms`);

    if (pgServer) targets.push(await connectTo('PostgreSQL', pgServer.port, password));
    for (const t of targets) await lookUpOids(t);
    for (const name of ['pg_class:public.items', 'pg_class:public.types', 'pg_class:public.tags']) {
      for (const t of targets) if (!t.oids.has(name)) throw new Error(`${t.label} has no ${name}`);
    }

    // Latencies: warm-ups, then RUNS runs, restsql and PostgreSQL alternating (which goes first alternates too).
    const samples = new Map<string, Map<string, number[]>>();
    const inCat = new Map<string, number[]>();
    const busy = new Map<string, number[]>();
    const rowCounts = new Map<string, Map<string, number>>();
    const keys = [...rowsToTime.map((r) => r.key), ...perStatementKeys];
    for (const k of keys) {
      samples.set(k, new Map(targets.map((t) => [t.label, []])));
      rowCounts.set(k, new Map());
      inCat.set(k, []);
      busy.set(k, []);
    }
    for (let i = 0; i < WARMUPS + RUNS; i++) {
      for (const row of rowsToTime) {
        const order = i % 2 === 0 ? targets : [...targets].reverse();
        for (const t of order) {
          let total = 0;
          let rows = 0;
          inCatalog.ms = 0;
          const busyAtStart = workerBusyMs();
          for (const s of row.statements) {
            const catalogBefore = inCatalog.ms;
            const busyBefore = workerBusyMs();
            const r = await timed(t, s);
            total += r.ms;
            rows += r.rows;
            if (row.key === 'd-items' && i >= WARMUPS) {
              samples.get(s.id)!.get(t.label)!.push(r.ms);
              rowCounts.get(s.id)!.set(t.label, r.rows);
              if (t === restsql) {
                inCat.get(s.id)!.push(inCatalog.ms - catalogBefore);
                busy.get(s.id)!.push(workerBusyMs() - busyBefore);
              }
            }
          }
          if (i < WARMUPS) continue;
          samples.get(row.key)!.get(t.label)!.push(total);
          rowCounts.get(row.key)!.set(t.label, rows);
          if (t === restsql) {
            inCat.get(row.key)!.push(inCatalog.ms);
            busy.get(row.key)!.push(workerBusyMs() - busyAtStart);
          }
        }
      }
    }
    const afterWarm = await memory();
    const latency: LatencyRow[] = keys.map((key) => {
      const spec = rowsToTime.find((r) => r.key === key);
      const label = spec?.label ?? `  ${key}: ${byId.get(key)!.sql.replace(/\s+/g, ' ').slice(0, 60)}...`;
      const r = stats(samples.get(key)!.get('restsql')!);
      const p = pgServer ? stats(samples.get(key)!.get('PostgreSQL')!) : undefined;
      const counts = rowCounts.get(key)!;
      const sameRows = spec ? spec.sameRows : true;
      if (p && sameRows && counts.get('restsql') !== counts.get('PostgreSQL')) problems.push(`${key}: restsql returned ${counts.get('restsql')} rows, PostgreSQL ${counts.get('PostgreSQL')}`);
      return {
        key,
        label,
        statements: spec?.statements.length ?? 1,
        restsql: r,
        restsqlInCatalog: round(median(inCat.get(key)!)),
        workerBusy: round(busy.get(key)!.reduce((a, b) => a + b, 0) / busy.get(key)!.length),
        ...(p ? { postgres: p, ratio: round(r.median / p.median, 2) } : {}),
        rows: { restsql: counts.get('restsql') ?? 0, ...(p ? { postgres: counts.get('PostgreSQL') ?? 0 } : {}) },
      };
    });

    // The whole corpus once, each statement on restsql and PostgreSQL in turn, as its client sent it.
    const corpusRuns: CorpusRun[] = [];
    for (const e of corpus) {
      const s: Statement = { id: e.id, sql: e.sql, extended: e.params !== undefined };
      const run: CorpusRun = { id: e.id, extended: s.extended };
      for (const t of targets) {
        try {
          const r = await timed(t, s);
          run[t.label === 'restsql' ? 'restsql' : 'postgres'] = r.ms;
        } catch (err) {
          run.error = `${run.error ? `${run.error}; ` : ''}${t.label}: ${(err as Error).message}`;
        }
      }
      if (run.error) problems.push(`corpus ${e.id}: ${run.error}`);
      corpusRuns.push(run);
    }
    const okRuns = corpusRuns.filter((r) => r.restsql !== undefined && (!pgServer || r.postgres !== undefined));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const rTimes = okRuns.map((r) => r.restsql!);
    const pTimes = okRuns.map((r) => r.postgres ?? 0);
    const corpusSummary = {
      statements: corpus.length,
      extendedProtocol: corpusRuns.filter((r) => r.extended).length,
      failed: corpusRuns.length - okRuns.length,
      restsql: { totalMs: round(sum(rTimes), 1), medianMs: round(median(rTimes)), maxMs: round(Math.max(...rTimes)) },
      ...(pgServer ? { postgres: { totalMs: round(sum(pTimes), 1), medianMs: round(median(pTimes)), maxMs: round(Math.max(...pTimes)) }, ratio: round(sum(rTimes) / sum(pTimes), 2) } : {}),
      // Medians by protocol: an extended-protocol catalog statement is two catalog round trips in restsql (Describe at Parse, then Execute).
      byProtocol: Object.fromEntries(
        (['simple', 'extended'] as const).map((p) => {
          const xs = okRuns.filter((r) => r.extended === (p === 'extended'));
          return [p, { statements: xs.length, restsqlMedianMs: round(median(xs.map((r) => r.restsql!))), ...(pgServer ? { postgresMedianMs: round(median(xs.map((r) => r.postgres!))) } : {}) }];
        }),
      ),
    };
    // The slowest statements (by restsql's time, and by the ratio), timed again.
    const slowIds = new Set([...okRuns].sort((a, b) => b.restsql! - a.restsql!).slice(0, 5).map((r) => r.id));
    if (pgServer) for (const r of [...okRuns].sort((a, b) => b.restsql! / b.postgres! - a.restsql! / a.postgres!).slice(0, 3)) slowIds.add(r.id);
    const slowest: { id: string; action: string; extended: boolean; restsql: Stats; restsqlInCatalog: number; postgres?: Stats; ratio?: number }[] = [];
    for (const id of slowIds) {
      const e = byId.get(id)!;
      const s: Statement = { id, sql: e.sql, extended: e.params !== undefined };
      const xs = new Map<string, number[]>(targets.map((t) => [t.label, []]));
      const cat: number[] = [];
      for (let i = 0; i < RETIME_RUNS; i++) {
        for (const t of i % 2 === 0 ? targets : [...targets].reverse()) {
          inCatalog.ms = 0;
          xs.get(t.label)!.push((await timed(t, s)).ms);
          if (t === restsql) cat.push(inCatalog.ms);
        }
      }
      const r = stats(xs.get('restsql')!);
      const p = pgServer ? stats(xs.get('PostgreSQL')!) : undefined;
      slowest.push({ id, action: e.action, extended: s.extended, restsql: r, restsqlInCatalog: round(median(cat)), ...(p ? { postgres: p, ratio: round(r.median / p.median, 2) } : {}) });
    }
    slowest.sort((a, b) => b.restsql.median - a.restsql.median);

    // The worker's share: what the process gives back when the catalog (its worker) stops.
    const beforeStop = await memory();
    await inCatalog.instance?.close();
    await new Promise((r) => setTimeout(r, 500));
    const afterStop = await memory();
    const memoryResult = {
      beforeCatalog: before,
      afterFirstCatalogStatement: afterFirst,
      afterTimedRuns: afterWarm,
      beforeCatalogStopped: beforeStop,
      afterCatalogStopped: afterStop,
      catalogAddedMb: round(afterWarm.rssMb - before.rssMb, 1),
      // PGlite's WebAssembly memory (the largest; libpg-query's is the other one, about 1 MB resident).
      pgliteMemoryMb: round((afterWarm.wasmMemoriesMb[0] ?? 0), 1),
      mainHeapAddedMb: round(afterWarm.mainHeapMb - before.mainHeapMb, 1),
      releasedWhenWorkerStoppedMb: round(beforeStop.rssMb - afterStop.rssMb, 1),
    };
    for (const t of targets) await t.client.end().catch(() => undefined);
    targets.length = 0;
    await server.close();
    server = undefined;
    await api.close();
    api = undefined;

    // k1 and k3 after the server: the first catalog statement above paid for the parser's loading.
    const tables = new Set(['types', 'items', 'tags', 'slow', 'big', '_configuration', 'sampling_status']);
    const routed = await routing(o.root, corpus, tables);
    for (const r of routed.routeStatement) if (r.route !== 'catalog') problems.push(`routeStatement sent ${r.id} to ${r.route}`);
    const direct = await pgliteDirect(o.root, [...rowsToTime.filter((r) => r.key !== 'api-count' && r.key !== 'getColumns'), ...dItems.map((s) => ({ key: s.id, label: `  ${s.id}`, statements: [s] }))]);

    Object.assign(result, {
      serve: { firstApiQueryMs: round(firstApi.ms, 1), firstCatalogStatementMs: round(first.ms, 1), catalogStartLoggedMs: started ? Number(started[1]) : undefined, secondCatalogStatementMs: round(second.ms, 2), memory: memoryResult },
      latency,
      corpus: { ...corpusSummary, slowest, runs: corpusRuns.map((r) => ({ ...r, ...(r.restsql !== undefined ? { restsql: round(r.restsql) } : {}), ...(r.postgres !== undefined ? { postgres: round(r.postgres) } : {}) })) },
      routing: routed,
      pgliteDirect: direct,
    });
    printAll(result as unknown as Printable, pgServer !== undefined);
  } finally {
    uninstrument();
    for (const t of targets) await t.client.end().catch(() => undefined);
    await server?.close();
    await api?.close();
    await pgServer?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', cleanup);
    cleanup();
  }

  if (problems.length > 0) {
    ok = false;
    console.log(`\ncatalog bench: WRONG:\n  ${problems.join('\n  ')}`);
  }
  for (const m of missing) console.log(`!!! catalog bench: MISSING ${m}`);
  const file = join(o.root, 'bench', 'results-catalog.json');
  const cpu = cpus();
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: `${cpu.length} x ${cpu[0]?.model ?? '?'}`, postgres: pgServer?.version, runs: RUNS, warmups: WARMUPS, benchSeconds: round((performance.now() - t0) / 1000, 1), missing, problems, ...result }, null, 2)}\n`,
  );
  console.log(`\nsaved ${file}`);
  return ok;
}

// --- Printing ----------------------------------------------------------------------------------------------

interface Printable {
  serve: { firstApiQueryMs: number; firstCatalogStatementMs: number; catalogStartLoggedMs?: number; secondCatalogStatementMs: number; memory: Record<string, Memory | number> };
  latency: LatencyRow[];
  corpus: { statements: number; extendedProtocol: number; failed: number; byProtocol: Record<string, { statements: number; restsqlMedianMs: number; postgresMedianMs?: number }>; restsql: { totalMs: number; medianMs: number; maxMs: number }; postgres?: { totalMs: number; medianMs: number; maxMs: number }; ratio?: number; slowest: { id: string; action: string; extended: boolean; restsql: Stats; restsqlInCatalog: number; postgres?: Stats; ratio?: number }[] };
  routing: RoutingResult;
  pgliteDirect: PgliteResult;
}

function table(header: string[], lines: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-+-'));
  for (const l of lines) console.log(fmt(l));
}

const ms = (x: number | undefined, digits = 2) => (x === undefined ? '-' : x.toFixed(digits));

function printAll(r: Printable, withPostgres: boolean): void {
  const m = r.serve.memory as Record<string, Memory> & Record<string, number>;
  console.log(`\nrestsql catalog bench (k), Node ${process.version}, ${RUNS} runs after ${WARMUPS} warm-ups${withPostgres ? ', restsql and PostgreSQL alternating' : ''}; ms`);
  console.log(`\nk2 the catalog's start: first catalog statement (psql \\dt) ${Math.round(r.serve.firstCatalogStatementMs)} ms (catalog start logged: ${r.serve.catalogStartLoggedMs ?? '?'} ms), the next one ${ms(r.serve.secondCatalogStatementMs)} ms`);
  table(
    ['process memory (after gc)', 'RSS MB', 'main heap MB', 'WebAssembly memories, resident MB'],
    (['beforeCatalog', 'afterFirstCatalogStatement', 'afterTimedRuns', 'beforeCatalogStopped', 'afterCatalogStopped'] as const).map((k) => [k, String(m[k]!.rssMb), String(m[k]!.mainHeapMb), m[k]!.wasmMemoriesMb.join(' + ') || '-']),
  );
  console.log(`  the catalog added ${m['catalogAddedMb']} MB of RSS (this thread's heap ${m['mainHeapAddedMb']} MB of it; PGlite's WebAssembly memory ${m['pgliteMemoryMb']} MB); stopping the worker gave back ${m['releasedWhenWorkerStoppedMb']} MB`);

  console.log(`\nk2 latency through node-postgres (client in this process)${withPostgres ? '' : ' (no PostgreSQL: restsql alone)'}; "in catalog" = restsql's time inside Catalog.execute/describe (the worker round trips, median); "worker busy" = the catalog worker's event loop active time (mean)\n`);
  table(
    ['statement', 'restsql med', 'p95', 'in catalog', 'worker busy', 'PostgreSQL med', 'p95', 'x PG', 'rows'],
    r.latency.map((l) => [l.label, ms(l.restsql.median), ms(l.restsql.p95), ms(l.restsqlInCatalog), ms(l.workerBusy), ms(l.postgres?.median), ms(l.postgres?.p95), l.ratio !== undefined ? String(l.ratio) : '-', `${l.rows.restsql}${l.rows.postgres !== undefined ? `/${l.rows.postgres}` : ''}`]),
  );

  const c = r.corpus;
  console.log(`\nk2 the whole corpus once: ${c.statements} statements (${c.extendedProtocol} with the extended protocol), ${c.failed} failed`);
  table(
    ['server', 'total ms', 'median ms', 'max ms'],
    [['restsql', ms(c.restsql.totalMs, 1), ms(c.restsql.medianMs), ms(c.restsql.maxMs)], ...(c.postgres ? [['PostgreSQL', ms(c.postgres.totalMs, 1), ms(c.postgres.medianMs), ms(c.postgres.maxMs)]] : [])],
  );
  if (c.ratio !== undefined) console.log(`  restsql / PostgreSQL: ${c.ratio}`);
  for (const [p, x] of Object.entries(c.byProtocol)) console.log(`  ${p} protocol: ${x.statements} statements, median restsql ${ms(x.restsqlMedianMs)} ms${x.postgresMedianMs !== undefined ? `, PostgreSQL ${ms(x.postgresMedianMs)} ms` : ''}`);
  console.log(`\nthe slowest corpus statements, timed again (${RETIME_RUNS} runs each)\n`);
  table(
    ['corpus id', 'restsql med', 'in catalog', 'PostgreSQL med', 'x PG', 'protocol'],
    c.slowest.map((s) => [s.id, ms(s.restsql.median), ms(s.restsqlInCatalog), ms(s.postgres?.median), s.ratio !== undefined ? String(s.ratio) : '-', s.extended ? 'extended' : 'simple']),
  );

  const rt = r.routing;
  console.log(`\nk1 routing (in process): loadParser() once ${rt.loadParserMs.median} ms (fresh processes: ${rt.loadParserMs.runs.join(', ')})\n`);
  table(['mentionsCatalog(): statement over API tables', 'chars', 'ns'], rt.mentionsCatalog.map((x) => [x.statement, String(x.chars), String(x.ns)]));
  const us = rt.routeStatement.map((x) => x.us);
  const parse = rt.routeStatement.map((x) => x.parseUs);
  console.log('');
  const pick = rt.routeStatement.filter((x) => x.id === 'psql-dt' || /^psql-d-items-\d+$/.test(x.id));
  table(['routeStatement(): psql statement', 'chars', 'route', 'us', 'of which parse us'], pick.map((x) => [x.id, String(x.chars), x.route, String(x.us), String(x.parseUs)]));
  console.log(`  all ${us.length} psql corpus statements: routeStatement median ${round(median(us), 1)} us (max ${Math.max(...us)}), parse alone median ${round(median(parse), 1)} us`);

  const d = r.pgliteDirect;
  console.log(`\nk3 the catalog's protocol messages sent to PGlite in this thread (no worker; PGlite started with the schema in ${Math.round(d.startMs)} ms, ${PGLITE_WARMUPS} warm-ups): the statement alone, and the worker's three steps (BEGIN READ ONLY + role + 10 settings; the statement; ROLLBACK), next to restsql's time in Catalog.execute (k2)\n`);
  const inCat = new Map(r.latency.map((l) => [l.key, l.restsqlInCatalog]));
  const native = new Map(r.latency.map((l) => [l.key, l.postgres?.median]));
  const busy = new Map(r.latency.map((l) => [l.key, l.workerBusy]));
  table(
    ['statement', 'PGlite alone', 'p95', '3 steps', 'p95', 'k2 worker busy', 'k2 in catalog', 'k2 PostgreSQL 15'],
    d.rows.map((x) => [x.label, ms(x.statement.median), ms(x.statement.p95), ms(x.steps.median), ms(x.steps.p95), ms(busy.get(x.key)), ms(inCat.get(x.key)), ms(native.get(x.key))]),
  );
}
