/**
 * `npm run bench`, scenario w: the PostgreSQL wire. The same 500,000-row table is served by
 * `restsql serve` (already loaded into its cache) and by a real PostgreSQL 15 this bench starts on
 * loopback, and read three ways, alternating restsql and PostgreSQL, after one warm-up each:
 *
 *   w1 `psql -X -q -c "COPY (SELECT * FROM t) TO STDOUT" | wc -l` (text format; the whole process)
 *   w2 node-postgres `client.query('SELECT * FROM t')`, every row in memory as pg keeps it (a
 *      child Node process per run; only the query is timed)
 *   w3 pgjdbc, autocommit off, fetchSize 10,000, every column of every row read with getObject
 *      (a JVM per run; timed inside the program, so JVM start is not counted)
 *
 * Both servers ask for a SCRAM-SHA-256 password (PostgreSQL 15 auth-password), so logins cost the
 * same. Then where restsql's time goes: the same result walked in this process one stage at a
 * time (DuckDB chunks, chunk.getColumns(), the text encoders, DataRow / COPY framing, socket
 * writes to a discarding peer), the cost of each column, what-if prototypes of faster ways (bench
 * code only), and a CPU profile of the server during one run of each path. The machine may be
 * busy: in-process stages report CPU time next to wall time.
 * Prints tables and writes bench/results-wire.json. Needs /usr/lib/postgresql/15 (Debian
 * `postgresql-15`), psql and a JDK with /usr/share/java/postgresql.jar; what is missing is skipped
 * and said so. Run as root, PostgreSQL runs as the `postgres` user (it refuses to run as root).
 *
 * Environment: BENCH_WIRE_ROWS (500000), BENCH_WIRE_RUNS (5, at least 5), BENCH_WIRE_PROFILE=0 to
 * skip the breakdown and the profile, BENCH_WIRE_PROFILE_DIR to keep the .cpuprofile files.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { Session as InspectorSession } from 'node:inspector/promises';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openHub, type Hub } from '../src/index.js';
import type { Connection } from '../src/engine/connection.js';
import { startServer, type RunningServer } from '../src/server/server.js';
import * as be from '../src/server/protocol/backend.js';
import { MessageBatch, type DataRowValue } from '../src/server/protocol/message-batch.js';
import { classify } from '../src/server/sql/command.js';
import { copyRowFormatter } from '../src/server/sql/copy-format.js';
import { textEncoder, type Encoder, type NonNullValue } from '../src/server/types/index.js';
import { dateText, timeOfDayText, timestampWriter } from '../src/server/types/datetime-text.js';
import { float8Text } from '../src/server/types/float-text.js';

const SELF = fileURLToPath(import.meta.url);
const ROWS = Number(process.env.BENCH_WIRE_ROWS ?? 500_000);
const PAGE = 5000;
const PG_BIN = '/usr/lib/postgresql/15/bin';
const JDBC_JAR = '/usr/share/java/postgresql.jar';
const CITIES = ['Oslo', 'Lima', 'Pune', 'Kyiv', 'Accra'];
const COPY_SQL = 'COPY (SELECT * FROM t) TO STDOUT';
const DAY0 = Date.UTC(2024, 0, 1);
/** Runs of each in-process stage and prototype (after one warm-up). */
const STAGE_RUNS = 5;

// --- The data --------------------------------------------------------------------------------------

interface Rec {
  id: number;
  name: string;
  email: string | null;
  active: boolean;
  score: number;
  created: string;
  city: string | null;
}

/** Record i (1-based): a flat row both servers hold alike; some NULLs, some non-ASCII, fractional seconds. */
function rec(i: number): Rec {
  return {
    id: i,
    name: i % 10 === 0 ? `Zoë ${i}` : `user ${i}`,
    email: i % 97 === 0 ? null : `u${i}@example.com`,
    active: i % 3 !== 0,
    score: ((i * 7919) % 100_003) / 100,
    created: new Date(DAY0 + i * 37_001).toISOString().slice(0, 23),
    city: i % 50 === 0 ? null : CITIES[i % 5]!,
  };
}

/** What every client must see: rows, the sum of id, and how many values are not NULL. */
function expected(rows: number): { rows: number; sumId: number; nonNull: number } {
  let nulls = 0;
  for (let i = 1; i <= rows; i++) nulls += (i % 97 === 0 ? 1 : 0) + (i % 50 === 0 ? 1 : 0);
  return { rows, sumId: (rows * (rows + 1)) / 2, nonNull: rows * 7 - nulls };
}

/** The API restsql loads from: pages of PAGE records, offset paging with a total, built per request. */
async function startApi(rows: number) {
  let requests = 0;
  const server = createHttpServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Math.min(Number(url.searchParams.get('limit') ?? PAGE), PAGE);
    const data: Rec[] = [];
    for (let i = offset + 1; i <= Math.min(rows, offset + limit); i++) data.push(rec(i));
    const body = Buffer.from(JSON.stringify({ total: rows, data }));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const MODEL = (base: string) =>
  JSON.stringify({
    t: { '#path': `${base}/t /data`, '#maximumPageSize': PAGE, '#pageSizeParameter': 'limit', '#rowOffsetParameter': 'offset', '#totalRowsElement': 'total', id: 'Integer,#key', name: 'VarChar', email: 'VarChar', active: 'Boolean', score: 'Double', created: 'Timestamp', city: 'VarChar' },
  });

// --- Processes -------------------------------------------------------------------------------------

interface Target {
  readonly label: 'restsql' | 'PostgreSQL';
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

function conninfo(t: Target): string {
  return `host=127.0.0.1 port=${t.port} user=${t.user} dbname=${t.database} sslmode=disable`;
}

function has(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

/** Runs a command to its end; rejects with its stderr when it fails. */
function exec(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: AsyncIterable<string>; stdout?: 'collect' | 'ignore' } = {}): Promise<{ ms: number; out: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: [opts.input ? 'pipe' : 'ignore', opts.stdout === 'ignore' ? 'ignore' : 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? signal}: ${err.trim()}`));
      else resolve({ ms, out });
    });
    if (opts.input) {
      const stdin = child.stdin!;
      stdin.on('error', () => undefined);
      void (async () => {
        for await (const s of opts.input!) if (!stdin.write(s)) await new Promise((r) => stdin.once('drain', r));
        stdin.end();
      })().catch(reject);
    }
  });
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// --- PostgreSQL ------------------------------------------------------------------------------------

interface Postgres {
  readonly target: Target;
  readonly version: string;
  /** Stops the server and removes its directory; synchronous, so it also runs on Ctrl-C. */
  stop(): void;
}

/**
 * initdb into a temp directory and start postgres on 127.0.0.1 (fsync off, shared_buffers
 * 256MB), as the `postgres` user when this runs as root. The password file and the sockets live
 * next to the data directory, all owned by the user the server runs as.
 */
async function startPostgres(password: string): Promise<Postgres> {
  const asRoot = process.getuid?.() === 0;
  const as = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  const base = mkdtempSync(join(tmpdir(), 'restsql-wire-pg-'));
  const data = join(base, 'data');
  const pwfile = join(base, 'pw');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as (install the Debian postgresql package)');
    chownSync(base, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  let child: ChildProcess | undefined;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (child && child.exitCode === null) {
      const [cmd, args] = as(join(PG_BIN, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30']);
      const r = spawnSync(cmd, args, { stdio: 'ignore' });
      if (r.status !== 0 && child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(base, { recursive: true, force: true });
  };
  try {
    const [icmd, iargs] = as(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale']);
    await exec(icmd, iargs);
    const port = await freePort();
    const [pcmd, pargs] = as(join(PG_BIN, 'postgres'), ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', base, '-c', 'fsync=off', '-c', 'shared_buffers=256MB']);
    child = spawn(pcmd, pargs, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-4000)));
    const target: Target = { label: 'PostgreSQL', port, user: 'postgres', database: 'postgres' };
    const env = { PGPASSWORD: password };
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`postgres exited ${child.exitCode}: ${log.trim()}`);
      try {
        const v = await exec('psql', ['-X', '-q', '-A', '-t', '-c', 'SHOW server_version', conninfo(target)], { env });
        return { target, version: v.out.trim(), stop };
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 60 s: ${(e as Error).message}; its log: ${log.trim()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (e) {
    stop();
    throw e;
  }
}

/** CREATE TABLE t like restsql's, COPY the same records in through psql, VACUUM ANALYZE. */
async function loadPostgres(t: Target, password: string, rows: number): Promise<void> {
  const env = { PGPASSWORD: password };
  await exec('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', 'CREATE TABLE t (id integer PRIMARY KEY, name text, email text, active boolean, score double precision, created timestamp, city text)', conninfo(t)], { env });
  async function* tsv(): AsyncIterable<string> {
    for (let start = 1; start <= rows; start += 10_000) {
      let s = '';
      for (let i = start; i < Math.min(rows + 1, start + 10_000); i++) {
        const r = rec(i);
        s += `${r.id}\t${r.name}\t${r.email ?? '\\N'}\t${r.active ? 't' : 'f'}\t${r.score}\t${r.created.replace('T', ' ')}\t${r.city ?? '\\N'}\n`;
      }
      yield s;
    }
  }
  await exec('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', 'COPY t FROM STDIN', conninfo(t)], { env, input: tsv() });
  await exec('psql', ['-X', '-q', '-c', 'VACUUM ANALYZE t', conninfo(t)], { env });
}

// --- The three clients -----------------------------------------------------------------------------

interface ClientRun {
  ms: number;
  rows: number;
  sumId: number;
  nonNull: number;
  /** restsql runs: this process's CPU time during the run (the server's; the client is another process). */
  cpu?: number;
}

/** w1: psql's COPY to a pipe into `wc -l`: the whole client process is timed, lines counted as they stream. */
async function copyRun(t: Target, password: string): Promise<ClientRun> {
  const script = `set -o pipefail; psql -X -q -v ON_ERROR_STOP=1 -c "${COPY_SQL}" "${conninfo(t)}" | wc -l`;
  const r = await exec('bash', ['-c', script], { env: { PGPASSWORD: password } });
  return { ms: r.ms, rows: Number(r.out.trim()), sumId: NaN, nonNull: NaN };
}

/** Per column, the sum of a 32-bit FNV-1a of each value: equal sums mean equal columns, whatever the row order. */
interface CopyDigest {
  lines: number;
  columns: number[];
}

/** psql's COPY output read here, untimed (the warm-up): lines counted and each column hashed as it streams. */
function copyDigest(t: Target, password: string): Promise<CopyDigest> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', COPY_SQL, conninfo(t)], { env: { ...process.env, PGPASSWORD: password }, stdio: ['ignore', 'pipe', 'pipe'] });
    const digest: CopyDigest = { lines: 0, columns: [] };
    let carry = '';
    let err = '';
    const line = (l: string) => {
      digest.lines++;
      const cells = l.split('\t');
      for (let c = 0; c < cells.length; c++) digest.columns[c] = (digest.columns[c] ?? 0) + fnv1a(cells[c]!);
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const parts = (carry + d).split('\n');
      carry = parts.pop()!;
      for (const p of parts) line(p);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (carry) line(carry);
      if (code !== 0) reject(new Error(`psql COPY against ${t.label} exited ${code}: ${err.trim()}`));
      else resolve(digest);
    });
  });
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** w2: a child Node process runs node-postgres (this file with `pg-client`); it prints its ClientRun. */
async function pgRun(t: Target, password: string): Promise<ClientRun> {
  const r = await exec(process.execPath, [SELF, 'pg-client', JSON.stringify({ port: t.port, user: t.user, database: t.database })], { env: { BENCH_PASSWORD: password } });
  return JSON.parse(r.out) as ClientRun;
}

/** The child side of w2: connect (untimed), time the query, then count what arrived. */
async function pgClientMain(): Promise<void> {
  const where = JSON.parse(process.argv[3]!) as { port: number; user: string; database: string };
  const client = new pg.Client({ host: '127.0.0.1', port: where.port, user: where.user, database: where.database, password: process.env['BENCH_PASSWORD'] ?? '' });
  await client.connect();
  const t0 = performance.now();
  const result = await client.query<Record<string, unknown>>('SELECT * FROM t');
  const ms = performance.now() - t0;
  let sumId = 0;
  let nonNull = 0;
  for (const row of result.rows) {
    sumId += row['id'] as number;
    for (const k in row) if (row[k] !== null) nonNull++;
  }
  await client.end();
  process.stdout.write(`${JSON.stringify({ ms, rows: result.rows.length, sumId, nonNull })}\n`);
}

const JAVA = `import java.sql.*;
import java.util.Properties;

/** restsql wire bench (w3): SELECT * FROM t with fetchSize 10000, every column read with getObject. */
public class WireBench {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", args[1]);
    p.setProperty("password", System.getenv("BENCH_PASSWORD"));
    p.setProperty("sslmode", "disable");
    try (Connection c = DriverManager.getConnection(args[0], p)) {
      c.setAutoCommit(false);
      long rows = 0, sumId = 0, nonNull = 0;
      long t0 = System.nanoTime();
      try (Statement s = c.createStatement()) {
        s.setFetchSize(10000);
        try (ResultSet rs = s.executeQuery("SELECT * FROM t")) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            rows++;
            for (int i = 1; i <= n; i++) {
              Object o = rs.getObject(i);
              if (o != null) {
                nonNull++;
                if (i == 1) sumId += ((Number) o).longValue();
              }
            }
          }
        }
      }
      long t1 = System.nanoTime();
      c.commit();
      System.out.println("{\\"ms\\":" + ((t1 - t0) / 1e6) + ",\\"rows\\":" + rows + ",\\"sumId\\":" + sumId + ",\\"nonNull\\":" + nonNull + "}");
    }
  }
}
`;

/** Compiles WireBench.java into `dir`. */
async function compileJava(dir: string): Promise<void> {
  writeFileSync(join(dir, 'WireBench.java'), JAVA);
  await exec('javac', ['-cp', JDBC_JAR, '-d', dir, join(dir, 'WireBench.java')]);
}

/** w3: one JVM per run. */
async function jdbcRun(dir: string, t: Target, password: string): Promise<ClientRun> {
  const r = await exec('java', ['-cp', `${dir}:${JDBC_JAR}`, 'WireBench', `jdbc:postgresql://127.0.0.1:${t.port}/${t.database}`, t.user], { env: { BENCH_PASSWORD: password } });
  return JSON.parse(r.out) as ClientRun;
}

// --- Where restsql's time goes ---------------------------------------------------------------------

/**
 * The server's work for SELECT * FROM t, rebuilt here stage by stage with the same modules the
 * session uses (session.ts #runEngine and #copyOut): each stage adds one step, so the differences
 * are each step's cost. `sink` is a socket to a process that discards what it reads.
 */
type Stage = 'fetch' | 'columns' | 'encode' | 'dataRow' | 'dataRow+socket' | 'copy' | 'copy+socket';
const STAGES: readonly Stage[] = ['fetch', 'columns', 'encode', 'dataRow', 'dataRow+socket', 'copy', 'copy+socket'];

async function stage(conn: Connection, s: Stage, sink: Socket): Promise<{ ms: number; rows: number; bytes: number }> {
  const copyOptions = classify(COPY_SQL);
  if (copyOptions.kind !== 'copyOut') throw new Error(`${COPY_SQL} was not classified as COPY TO STDOUT`);
  const t0 = performance.now();
  const open = await conn.open('SELECT * FROM t');
  const encoders = open.columns.map((c) => textEncoder(c.type, { timeZone: 'UTC' })) as Encoder[];
  const format = copyRowFormatter(copyOptions.options, open.columns.map((c) => c.name));
  const values: (string | null)[] = new Array<string | null>(encoders.length);
  const batch = new MessageBatch();
  let rows = 0;
  let bytes = 0;
  let queued: Buffer[] = [];
  let queuedBytes = 0;
  const write = async (b: Buffer, force = false) => {
    bytes += b.length;
    if (!s.endsWith('+socket')) return;
    queued.push(b);
    queuedBytes += b.length;
    if (queuedBytes < 256 * 1024 && !force) return;
    const data = queued.length === 1 ? queued[0]! : Buffer.concat(queued, queuedBytes);
    queued = [];
    queuedBytes = 0;
    if (!sink.write(data)) await new Promise((r) => sink.once('drain', r));
  };
  for (;;) {
    const chunk = await open.next();
    if (!chunk) break;
    const n = chunk.rowCount;
    rows += n;
    if (s === 'fetch') continue;
    const columns = chunk.getColumns();
    if (s === 'columns') continue;
    if (s.startsWith('copy')) {
      const lines: string[] = [];
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < encoders.length; c++) {
          const v = columns[c]![r];
          values[c] = v === null || v === undefined ? null : encoders[c]!(v as NonNullValue);
        }
        lines.push(format(values));
      }
      await write(be.copyData(lines.join('')));
      continue;
    }
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < encoders.length; c++) {
        const v = columns[c]![r];
        values[c] = v === null || v === undefined ? null : encoders[c]!(v as NonNullValue);
      }
      if (s !== 'encode') batch.addDataRow(values as DataRowValue[]);
    }
    if (s !== 'encode') await write(batch.take());
  }
  await write(Buffer.alloc(0), true);
  return { ms: performance.now() - t0, rows, bytes };
}

/** A child process on loopback that reads and drops everything: the socket-write stage's peer. */
async function startSink(): Promise<{ socket: Socket; close: () => void }> {
  const child = spawn(process.execPath, ['-e', "const s=require('net').createServer(c=>c.resume()).listen(0,'127.0.0.1',()=>console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').once('data', (d: string) => resolve(Number(d.trim())));
    child.once('error', reject);
  });
  const socket = netConnect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  return {
    socket,
    close: () => {
      socket.destroy();
      child.kill();
    },
  };
}

interface StageResult {
  stage: Stage;
  /** Wall time. */
  median: number;
  min: number;
  max: number;
  /** This process's CPU time (all threads: DuckDB's and GC's too), median: steadier than wall time on a busy machine. */
  cpu: number;
  /** This stage's CPU median less the stage it builds on. */
  added: number;
  bytes: number;
}

/** Runs `fn`, adding the process CPU time it took (user + system, ms). */
async function withCpu<T extends object>(fn: () => Promise<T>): Promise<T & { cpu: number }> {
  const c0 = process.cpuUsage();
  const r = await fn();
  const c = process.cpuUsage(c0);
  return { ...r, cpu: (c.user + c.system) / 1000 };
}

interface WhatIf {
  name: string;
  median: number;
  min: number;
  max: number;
  cpu: number;
  bytes: number;
}

async function whatIfs(hub: Hub, runs: number): Promise<{ prototypes: WhatIf[]; columns: ColumnCost[]; castMismatches: Record<string, { differ: number; example?: string }> }> {
  const conn = await hub.session();
  const sink = await startSink();
  try {
    const cases: [string, () => Promise<{ ms: number; rows: number; bytes: number }>][] = [
      ['vectors read column by column, VARCHAR bytes copied (no getColumns)', () => directDataRows(conn, 'SELECT * FROM t')],
      ['the same, TIMESTAMP text in Number arithmetic (no BigInt)', () => directDataRows(conn, 'SELECT * FROM t', { numberTimestamps: true })],
      ['the same + socket writes to the discarding peer', () => directDataRows(conn, 'SELECT * FROM t', { sink: sink.socket, numberTimestamps: true })],
      ['DuckDB casts to text in SQL, then getColumns + MessageBatch', () => castDataRows(conn)],
      ['DuckDB casts to text in SQL, VARCHAR bytes copied', () => directDataRows(conn, CAST_SQL)],
      ['COPY: DuckDB writes each line in SQL, bytes copied', () => copyFromSql(conn, COPY_LINE_SQL)],
      ['COPY: DuckDB joins lines per 2,048 rows (string_agg), bytes copied', () => copyFromSql(conn, COPY_BLOCK_SQL)],
    ];
    const prototypes: WhatIf[] = [];
    for (const [name, fn] of cases) {
      await fn();
      const times: number[] = [];
      const cpu: number[] = [];
      let bytes = 0;
      for (let i = 0; i < runs; i++) {
        const r = await withCpu(fn);
        if (r.rows !== ROWS) throw new Error(`${name} saw ${r.rows} rows, not ${ROWS}`);
        times.push(r.ms);
        cpu.push(r.cpu);
        bytes = r.bytes;
      }
      const st = stats(times);
      prototypes.push({ name, median: round(st.median), min: round(st.min), max: round(st.max), cpu: round(stats(cpu).median), bytes });
    }
    return { prototypes, columns: await columnCosts(conn), castMismatches: await castMismatches(conn) };
  } finally {
    sink.close();
    await conn.close();
  }
}

async function breakdown(hub: Hub, runs: number): Promise<StageResult[]> {
  const conn = await hub.session();
  const sink = await startSink();
  try {
    const times = new Map<Stage, number[]>(STAGES.map((s) => [s, []]));
    const cpu = new Map<Stage, number[]>(STAGES.map((s) => [s, []]));
    const bytes = new Map<Stage, number>();
    for (const s of STAGES) await stage(conn, s, sink.socket); // warm-up (JIT)
    for (let i = 0; i < runs; i++) {
      for (const s of STAGES) {
        const r = await withCpu(() => stage(conn, s, sink.socket));
        if (r.rows !== ROWS) throw new Error(`stage ${s} saw ${r.rows} rows, not ${ROWS}`);
        times.get(s)!.push(r.ms);
        cpu.get(s)!.push(r.cpu);
        bytes.set(s, r.bytes);
      }
    }
    const base: Record<Stage, Stage | undefined> = { fetch: undefined, columns: 'fetch', encode: 'columns', dataRow: 'encode', 'dataRow+socket': 'dataRow', copy: 'encode', 'copy+socket': 'copy' };
    const med = (s: Stage) => stats(cpu.get(s)!).median;
    return STAGES.map((s) => ({ stage: s, ...stats(times.get(s)!), cpu: med(s), added: med(s) - (base[s] ? med(base[s]!) : 0), bytes: bytes.get(s) ?? 0 }));
  } finally {
    sink.close();
    await conn.close();
  }
}

/** Per column of t: chunk.getColumnValues (value conversion) and the text encoder, summed over the result. */
interface ColumnCost {
  column: string;
  type: string;
  convertMs: number;
  encodeMs: number;
}

async function columnCosts(conn: Connection): Promise<ColumnCost[]> {
  const open = await conn.open('SELECT * FROM t');
  const encoders = open.columns.map((c) => textEncoder(c.type, { timeZone: 'UTC' })) as Encoder[];
  const costs = open.columns.map((c) => ({ column: c.name, type: c.type.toString(), convertMs: 0, encodeMs: 0 }));
  let sink = 0;
  for (;;) {
    const chunk = await open.next();
    if (!chunk) break;
    for (let c = 0; c < costs.length; c++) {
      const t0 = performance.now();
      const values = chunk.getColumnValues(c);
      const t1 = performance.now();
      const enc = encoders[c]!;
      for (let r = 0; r < values.length; r++) {
        const v = values[r];
        if (v !== null && v !== undefined) sink += enc(v as NonNullValue).length;
      }
      costs[c]!.convertMs += t1 - t0;
      costs[c]!.encodeMs += performance.now() - t1;
    }
  }
  if (sink === 0) throw new Error('no values encoded');
  return costs.map((c) => ({ ...c, convertMs: round(c.convertMs), encodeMs: round(c.encodeMs) }));
}

/**
 * What-if prototypes (bench-only, not restsql's code): how fast DataRows could be made if the
 * server read DuckDB's vectors itself instead of chunk.getColumns(), one column at a time (each
 * loop sees one vector type, so V8 keeps it monomorphic): numbers straight from the typed arrays,
 * VARCHAR bytes copied as they are (no TextDecoder and no re-encoding), the ASCII text of numbers
 * and timestamps copied char by char, rows assembled in one growing buffer.
 */
const requireCjs = createRequire(import.meta.url);
const accessors = requireCjs('@duckdb/node-api/lib/vectors/dataAccessors.js') as { getStringBytes(dv: DataView, offset: number): Uint8Array };
interface RawVector {
  readonly items?: Int32Array | Float64Array | BigInt64Array;
  readonly dataView?: DataView;
  readonly validity: { itemValid(i: number): boolean };
}
const TYPE = { BOOLEAN: 1, INTEGER: 4, DOUBLE: 11, TIMESTAMP: 12, VARCHAR: 17 } as const;

/** t's columns cast to PostgreSQL's text by DuckDB, as far as its casts agree (see castMismatches). */
const CAST_SQL = `SELECT id::VARCHAR AS id, name, email, CASE WHEN active THEN 't' ELSE 'f' END AS active, score::VARCHAR AS score, created::VARCHAR AS created, city FROM t`;

/** A TIMESTAMP's text from the two Int32 halves of its microseconds, in Number arithmetic (exact below 2^53 µs, years 1685 to 2255). */
function numberTimestampWriter(): (lo: number, hi: number) => string {
  let lastDay = NaN;
  let lastDate = '';
  return (lo, hi) => {
    const us = hi * 4294967296 + (lo >>> 0);
    const days = Math.floor(us / 86_400_000_000);
    if (days !== lastDay) {
      lastDay = days;
      lastDate = dateText(days);
    }
    return `${lastDate} ${timeOfDayText(us - days * 86_400_000_000)}`;
  };
}

/** One column of a chunk as DataRow-ready values: ASCII strings, UTF-8 bytes, or null. */
function columnValues(v: RawVector, typeId: number, n: number, numberTimestamps: boolean): (string | Uint8Array | null)[] {
  const out = new Array<string | Uint8Array | null>(n);
  const valid = v.validity;
  switch (typeId) {
    case TYPE.INTEGER: {
      const items = v.items as Int32Array;
      for (let r = 0; r < n; r++) out[r] = valid.itemValid(r) ? String(items[r]) : null;
      break;
    }
    case TYPE.DOUBLE: {
      const items = v.items as Float64Array;
      for (let r = 0; r < n; r++) out[r] = valid.itemValid(r) ? float8Text(items[r]!) : null;
      break;
    }
    case TYPE.TIMESTAMP: {
      const items = v.items as BigInt64Array;
      if (numberTimestamps) {
        const halves = new Int32Array(items.buffer, items.byteOffset, 2 * n);
        const write = numberTimestampWriter();
        for (let r = 0; r < n; r++) out[r] = valid.itemValid(r) ? write(halves[2 * r]!, halves[2 * r + 1]!) : null;
      } else {
        const write = timestampWriter(' ');
        for (let r = 0; r < n; r++) out[r] = valid.itemValid(r) ? write(items[r]!) : null;
      }
      break;
    }
    case TYPE.BOOLEAN: {
      const dv = v.dataView!;
      for (let r = 0; r < n; r++) out[r] = valid.itemValid(r) ? (dv.getUint8(r) ? 't' : 'f') : null;
      break;
    }
    case TYPE.VARCHAR: {
      const dv = v.dataView!;
      for (let r = 0; r < n; r++) out[r] = valid.itemValid(r) ? accessors.getStringBytes(dv, r * 16) : null;
      break;
    }
    default:
      throw new Error(`the direct prototype does not handle type id ${typeId}`);
  }
  return out;
}

async function directDataRows(conn: Connection, sql: string, o: { sink?: Socket; numberTimestamps?: boolean } = {}): Promise<{ ms: number; rows: number; bytes: number }> {
  const t0 = performance.now();
  const open = await conn.open(sql);
  const ids = open.columns.map((c) => c.type.typeId as number);
  const n = ids.length;
  let buf = Buffer.allocUnsafe(1 << 20);
  let rows = 0;
  let bytes = 0;
  for (;;) {
    const chunk = await open.next();
    if (!chunk) break;
    const count = chunk.rowCount;
    rows += count;
    const columns = ids.map((id, c) => columnValues(chunk.getColumnVector(c) as unknown as RawVector, id, count, o.numberTimestamps ?? false));
    let len = 0;
    for (let r = 0; r < count; r++) {
      if (len + 4096 > buf.length) {
        const next = Buffer.allocUnsafe(2 * buf.length);
        buf.copy(next, 0, 0, len);
        buf = next;
      }
      const start = len;
      buf[start] = 0x44; // 'D'
      buf.writeInt16BE(n, start + 5);
      let at = start + 7;
      for (let c = 0; c < n; c++) {
        const v = columns[c]![r]!;
        if (v === null) {
          buf.writeInt32BE(-1, at);
          at += 4;
          continue;
        }
        const size = v.length;
        if (typeof v === 'string') for (let k = 0; k < size; k++) buf[at + 4 + k] = v.charCodeAt(k);
        else buf.set(v, at + 4);
        buf.writeInt32BE(size, at);
        at += 4 + size;
      }
      buf.writeInt32BE(at - start - 1, start + 1);
      len = at;
    }
    bytes += len;
    if (o.sink) {
      if (!o.sink.write(buf.subarray(0, len))) await new Promise((r) => o.sink!.once('drain', r));
      buf = Buffer.allocUnsafe(buf.length);
    }
  }
  return { ms: performance.now() - t0, rows, bytes };
}

/** A text column's COPY text in DuckDB SQL: backslash, tab, newline and carriage return escaped, NULL as \N. */
const esc = (col: string) => `coalesce(replace(replace(replace(replace(${col}, '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), chr(13), '\\r'), '\\N')`;
/** One COPY text line per row, written by DuckDB (score through its cast, which prints 935.0 where PostgreSQL prints 935). */
const COPY_LINE_SQL = `SELECT id::VARCHAR || chr(9) || ${esc('name')} || chr(9) || ${esc('email')} || chr(9) || CASE WHEN active THEN 't' ELSE 'f' END || chr(9) || coalesce(score::VARCHAR, '\\N') || chr(9) || coalesce(created::VARCHAR, '\\N') || chr(9) || ${esc('city')} || chr(10) AS line FROM t`;
/** The same lines joined by DuckDB into one VARCHAR per 2,048 rows, in order. */
const COPY_BLOCK_SQL = `SELECT string_agg(line, '' ORDER BY n) AS block FROM (SELECT line, row_number() OVER () - 1 AS n FROM (${COPY_LINE_SQL})) GROUP BY n // 2048 ORDER BY n // 2048`;

/** CopyData messages from a one-VARCHAR-column result, its bytes copied from the vector as they are. */
async function copyFromSql(conn: Connection, sql: string): Promise<{ ms: number; rows: number; bytes: number }> {
  const t0 = performance.now();
  const open = await conn.open(sql);
  let rows = 0;
  let bytes = 0;
  for (;;) {
    const chunk = await open.next();
    if (!chunk) break;
    const v = chunk.getColumnVector(0) as unknown as RawVector;
    const parts: Uint8Array[] = [];
    let size = 0;
    for (let r = 0; r < chunk.rowCount; r++) {
      const b = accessors.getStringBytes(v.dataView!, r * 16);
      parts.push(b);
      size += b.length;
    }
    const out = Buffer.allocUnsafe(5 + size);
    out[0] = 0x64; // 'd'
    out.writeInt32BE(4 + size, 1);
    let o = 5;
    for (const b of parts) {
      out.set(b, o);
      o += b.length;
    }
    for (let i = 5; i < out.length; i++) if (out[i] === 10) rows++;
    bytes += out.length;
  }
  return { ms: performance.now() - t0, rows, bytes };
}

/** The same DataRows through getColumns() and MessageBatch, from DuckDB's casts to text. */
async function castDataRows(conn: Connection): Promise<{ ms: number; rows: number; bytes: number }> {
  const t0 = performance.now();
  const open = await conn.open(CAST_SQL);
  const batch = new MessageBatch();
  const values: DataRowValue[] = new Array<DataRowValue>(open.columns.length);
  let rows = 0;
  let bytes = 0;
  for (;;) {
    const chunk = await open.next();
    if (!chunk) break;
    const columns = chunk.getColumns();
    for (let r = 0; r < chunk.rowCount; r++) {
      for (let c = 0; c < values.length; c++) values[c] = (columns[c]![r] as string | null) ?? null;
      batch.addDataRow(values);
    }
    rows += chunk.rowCount;
    bytes += batch.take().length;
  }
  return { ms: performance.now() - t0, rows, bytes };
}

/** Where DuckDB's casts to VARCHAR print other text than PostgreSQL (the encoders): counts and a first example. */
async function castMismatches(conn: Connection): Promise<Record<string, { differ: number; example?: string }>> {
  const open = await conn.open('SELECT score, score::VARCHAR AS s, created, created::VARCHAR AS c FROM t');
  const enc = open.columns.map((c) => textEncoder(c.type, { timeZone: 'UTC' })) as Encoder[];
  const out: Record<string, { differ: number; example?: string }> = { score: { differ: 0 }, created: { differ: 0 } };
  for (;;) {
    const chunk = await open.next();
    if (!chunk) break;
    const cols = chunk.getColumns();
    for (let r = 0; r < chunk.rowCount; r++) {
      for (const [name, a, b] of [['score', 0, 1], ['created', 2, 3]] as const) {
        const v = cols[a]![r];
        if (v === null || v === undefined) continue;
        const pgText = enc[a]!(v as NonNullValue);
        const duck = cols[b]![r] as string;
        if (pgText !== duck) {
          const o = out[name]!;
          o.differ++;
          o.example ??= `PostgreSQL ${pgText}, DuckDB ${duck}`;
        }
      }
    }
  }
  return out;
}

/** What a profile's self time is spent on, by where the function lives. */
type Category = 'idle (waiting for client/socket/DuckDB)' | 'GC' | 'DuckDB node-api (getColumns, value objects, fetch calls)' | 'encoders (src/server/types)' | 'MessageBatch / backend messages' | 'COPY formatting' | 'session loop' | 'socket writes (node:net, streams)' | 'engine (src/engine)' | 'native/other (program)' | 'other JS';

function categoryOf(url: string, fn: string): Category | undefined {
  if (fn === '(idle)') return 'idle (waiting for client/socket/DuckDB)';
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)') return 'native/other (program)';
  // A native function or a Node internal (Buffer.write, TextDecoder): its caller's category.
  if (!url || fn === '(root)') return undefined;
  if (url.includes('@duckdb')) return 'DuckDB node-api (getColumns, value objects, fetch calls)';
  if (url.includes('/server/types/')) return 'encoders (src/server/types)';
  if (url.includes('/server/protocol/')) return 'MessageBatch / backend messages';
  if (url.includes('copy-format')) return 'COPY formatting';
  if (url.includes('/server/')) return 'session loop';
  if (url.includes('/engine/')) return 'engine (src/engine)';
  if (url.startsWith('node:net') || url.startsWith('node:internal/stream') || url.startsWith('node:stream')) return 'socket writes (node:net, streams)';
  if (url.startsWith('node:')) return undefined;
  return 'other JS';
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Self time per category, a native frame counted with the JS function that called it. */
function summarize(profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }): { wallMs: number; byCategory: Record<string, number>; top: { fn: string; ms: number }[] } {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const cat = new Map<number, Category>();
  const categorize = (id: number): Category => {
    const known = cat.get(id);
    if (known) return known;
    const n = byId.get(id)!;
    const p = parent.get(id);
    const c = categoryOf(n.callFrame.url, n.callFrame.functionName) ?? (p !== undefined ? categorize(p) : 'other JS');
    cat.set(id, c);
    return c;
  };
  const byCategory: Record<string, number> = {};
  const byFn = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let wall = 0;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time before sample i; it is charged to sample i-1's function.
    const ms = (deltas[i + 1] ?? 0) / 1000;
    const id = samples[i]!;
    wall += ms;
    const c = categorize(id);
    byCategory[c] = (byCategory[c] ?? 0) + ms;
    const n = byId.get(id)!;
    const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(dist|node_modules)\//, '')}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + ms);
  }
  const top = [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([fn, ms]) => ({ fn, ms: round(ms) }));
  for (const k of Object.keys(byCategory)) byCategory[k] = round(byCategory[k]!);
  return { wallMs: round(wall), byCategory, top };
}

async function profiled<T>(inspector: InspectorSession, name: string, fn: () => Promise<T>): Promise<{ result: T; summary: ReturnType<typeof summarize> }> {
  await inspector.post('Profiler.setSamplingInterval', { interval: 250 });
  await inspector.post('Profiler.start');
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await fn() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const { profile } = (await inspector.post('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] } };
  if (!outcome.ok) throw outcome.error;
  const result = outcome.value;
  const dir = process.env.BENCH_WIRE_PROFILE_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `restsql-${name}.cpuprofile`), JSON.stringify(profile));
  }
  return { result, summary: summarize(profile) };
}

// --- The scenario ----------------------------------------------------------------------------------

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export interface WireResult {
  scenario: string;
  restsql?: { median: number; min: number; max: number };
  postgres?: { median: number; min: number; max: number };
  /** restsql median / PostgreSQL median. */
  ratio?: number;
  restsqlRowsPerSec?: number;
  /** restsql server CPU per run (this process: its main thread, DuckDB's threads, GC), median. */
  restsqlCpuMs?: number;
  postgresRowsPerSec?: number;
  check: string;
  note: string;
}

export interface WireOptions {
  /** Where bench/results-wire.json goes (the repository root). */
  readonly root: string;
}

/**
 * Runs scenario w; prints its tables and writes bench/results-wire.json. Returns false when a
 * check failed (wrong row counts or values), true otherwise, also when parts were skipped.
 */
export async function runWire(o: WireOptions): Promise<boolean> {
  const runs = Math.max(5, Number(process.env.BENCH_WIRE_RUNS ?? 5));
  const profile = process.env.BENCH_WIRE_PROFILE !== '0';
  const password = randomBytes(12).toString('base64url');
  const missing: string[] = [];
  const hasPsql = has('psql');
  if (!hasPsql) missing.push('psql (Debian postgresql-client): the COPY path (w1) and loading PostgreSQL are skipped');
  const hasPostgres = existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'postgres')) && hasPsql;
  if (!hasPostgres) missing.push(`PostgreSQL 15 (${PG_BIN}/initdb and postgres, Debian postgresql-15, and psql): restsql is measured alone, no ratios`);
  const hasJava = has('java', ['-version']) && has('javac', ['-version']) && existsSync(JDBC_JAR);
  if (!hasJava) missing.push(`java, javac (a JDK) and ${JDBC_JAR} (Debian libpostgresql-jdbc-java): the pgjdbc path (w3) is skipped`);
  for (const m of missing) console.log(`\n!!! wire bench: MISSING ${m}\n`);

  const work = mkdtempSync(join(tmpdir(), 'restsql-wire-'));
  let pgServer: Postgres | undefined;
  let server: RunningServer | undefined;
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  const cleanup = () => {
    pgServer?.stop();
    rmSync(work, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    console.error(`\nwire bench: ${sig}, stopping PostgreSQL and removing ${work}`);
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanup);

  const results: WireResult[] = [];
  const want = expected(ROWS);
  let ok = true;
  const extra: Record<string, unknown> = {};
  try {
    // restsql: the API, the model, the hub and the server, then the table loaded once.
    api = await startApi(ROWS);
    const model = join(work, 'wire.rest');
    writeFileSync(model, MODEL(api.base));
    const hub = await openHub(`RestConfigFile=${model};CacheTTL=3600`);
    server = await startServer(hub, {
      host: '127.0.0.1',
      port: 0,
      password,
      method: 'scram-sha-256',
      maxSessions: 16,
      limits: { maxMessageBytes: 16 * 1024 * 1024, startupTimeoutMs: 30_000, idleTimeoutMs: 0, highWaterMark: 256 * 1024 },
      serverVersion: '15.0 (restsql bench)',
      log: () => {},
    });
    const restsql: Target = { label: 'restsql', port: server.port, user: 'bench', database: 'restsql' };
    const tLoad = performance.now();
    const warm = new pg.Client({ host: '127.0.0.1', port: restsql.port, user: restsql.user, database: restsql.database, password });
    await warm.connect();
    const count = await warm.query<{ n: string }>('SELECT count(*) AS n FROM t');
    await warm.end();
    const loadMs = performance.now() - tLoad;
    if (Number(count.rows[0]?.n) !== ROWS) throw new Error(`restsql loaded ${count.rows[0]?.n} rows, not ${ROWS}`);
    const requestsAfterLoad = api.requests;
    console.log(`wire bench: restsql loaded ${ROWS} rows from ${requestsAfterLoad} API pages in ${Math.round(loadMs)} ms (not timed below)`);

    if (hasPostgres) {
      const t0 = performance.now();
      pgServer = await startPostgres(password);
      await loadPostgres(pgServer.target, password, ROWS);
      console.log(`wire bench: PostgreSQL ${pgServer.version} on 127.0.0.1:${pgServer.target.port}, ${ROWS} rows loaded in ${Math.round(performance.now() - t0)} ms (not timed below)`);
    }
    const targets: Target[] = [restsql, ...(pgServer ? [pgServer.target] : [])];
    if (hasJava) await compileJava(work);

    // Each path: one warm-up per server, then runs alternating restsql and PostgreSQL.
    const paths: { scenario: string; key: string; enabled: boolean; run: (t: Target) => Promise<ClientRun>; counts: boolean }[] = [
      { scenario: 'w1: psql COPY (SELECT * FROM t) TO STDOUT | wc -l', key: 'copy', enabled: hasPsql, run: (t) => copyRun(t, password), counts: false },
      { scenario: "w2: node-postgres query('SELECT * FROM t')", key: 'pg', enabled: true, run: (t) => pgRun(t, password), counts: true },
      { scenario: 'w3: pgjdbc fetchSize 10000, getObject each column', key: 'jdbc', enabled: hasJava, run: (t) => jdbcRun(work, t, password), counts: true },
    ];
    const samples = new Map<string, Map<string, ClientRun[]>>();
    for (const p of paths) {
      if (!p.enabled) {
        results.push({ scenario: p.scenario, check: 'SKIPPED', note: 'missing client (see above)' });
        continue;
      }
      const per = new Map<string, ClientRun[]>(targets.map((t) => [t.label, []]));
      samples.set(p.key, per);
      let check = 'ok';
      const problems: string[] = [];
      // Warm-up; for COPY it also compares the two outputs value by value (order aside).
      if (p.key === 'copy') {
        const digests = await Promise.all(targets.map((t) => copyDigest(t, password)));
        for (const [i, d] of digests.entries()) if (d.lines !== ROWS) problems.push(`${targets[i]!.label} COPY gave ${d.lines} lines`);
        if (digests.length === 2) {
          const names = ['id', 'name', 'email', 'active', 'score', 'created', 'city'];
          const differ = names.filter((_n, c) => digests[0]!.columns[c] !== digests[1]!.columns[c]);
          if (differ.length > 0) problems.push(`COPY text differs from PostgreSQL's in column(s) ${differ.join(', ')}`);
        }
      } else {
        for (const t of targets) await p.run(t);
      }
      for (let i = 0; i < runs; i++) for (const t of targets) per.get(t.label)!.push(t === restsql ? await withCpu(() => p.run(t)) : await p.run(t));
      for (const [label, xs] of per) {
        for (const x of xs) {
          if (x.rows !== want.rows) problems.push(`${label}: ${x.rows} rows`);
          else if (p.counts && (x.sumId !== want.sumId || x.nonNull !== want.nonNull)) problems.push(`${label}: sum(id) ${x.sumId}, ${x.nonNull} values not NULL (want ${want.sumId}, ${want.nonNull})`);
        }
      }
      if (problems.length > 0) {
        check = 'WRONG';
        ok = false;
        console.log(`wire bench: ${p.scenario}: ${[...new Set(problems)].join('; ')}`);
      }
      const r = stats(per.get('restsql')!.map((x) => x.ms));
      const q = per.has('PostgreSQL') ? stats(per.get('PostgreSQL')!.map((x) => x.ms)) : undefined;
      results.push({
        scenario: p.scenario,
        restsql: { median: round(r.median), min: round(r.min), max: round(r.max) },
        ...(q ? { postgres: { median: round(q.median), min: round(q.min), max: round(q.max) }, ratio: round(r.median / q.median, 2), postgresRowsPerSec: Math.round(ROWS / (q.median / 1000)) } : {}),
        restsqlRowsPerSec: Math.round(ROWS / (r.median / 1000)),
        restsqlCpuMs: round(stats(per.get('restsql')!.map((x) => x.cpu ?? 0)).median),
        check,
        note: q ? (r.median <= q.median ? 'restsql within 1.0x' : '') : 'no PostgreSQL to compare with',
      });
    }
    if (api.requests !== requestsAfterLoad) {
      ok = false;
      console.log(`wire bench: WRONG: restsql called the API ${api.requests - requestsAfterLoad} more times after the load; the timed runs were not served from the cache`);
      for (const r of results) if (r.check === 'ok') r.check = 'WRONG (API called)';
    }

    // Where restsql's time goes.
    if (profile) {
      const stages = await breakdown(hub, STAGE_RUNS);
      extra['stages'] = stages.map((s) => ({ ...s, median: round(s.median), min: round(s.min), max: round(s.max), cpu: round(s.cpu), added: round(s.added) }));
      const what = await whatIfs(hub, STAGE_RUNS);
      extra['columns'] = what.columns;
      extra['prototypes'] = what.prototypes;
      extra['castMismatches'] = what.castMismatches;
      const inspector = new InspectorSession();
      inspector.connect();
      await inspector.post('Profiler.enable');
      const profiles: Record<string, ReturnType<typeof summarize> & { clientMs: number }> = {};
      try {
        for (const p of paths) {
          if (!p.enabled) continue;
          const { result, summary } = await profiled(inspector, p.key, () => p.run(restsql));
          profiles[p.key] = { ...summary, clientMs: round(result.ms) };
          const row = results.find((r) => r.scenario === p.scenario)!;
          if (row.note === '') row.note = whereTimeGoes(summary, result.ms);
        }
      } finally {
        await inspector.post('Profiler.disable');
        inspector.disconnect();
      }
      extra['profiles'] = profiles;
      printStages(stages);
      printWhatIfs(what);
      printProfiles(profiles);
    }
    for (const r of results) if (r.note === '') r.note = 'restsql slower (BENCH_WIRE_PROFILE=0: no profile taken)';
  } finally {
    await server?.close();
    await api?.close();
    pgServer?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', cleanup);
    cleanup();
  }

  printResults(results, runs);
  for (const m of missing) console.log(`!!! wire bench: MISSING ${m}`);
  const file = join(o.root, 'bench', 'results-wire.json');
  const javaVersion = hasJava ? (spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0] ?? '') : undefined;
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, postgres: pgServer?.version, java: javaVersion, pgjdbc: hasJava ? JDBC_JAR : undefined, rows: ROWS, runs, missing, results, ...extra }, null, 2)}\n`,
  );
  console.log(`\nsaved ${file}`);
  return ok;
}

/** The note for a path where restsql is slower: the server's busiest categories in its profiled run. */
function whereTimeGoes(s: ReturnType<typeof summarize>, clientMs: number): string {
  const idleKey = 'idle (waiting for client/socket/DuckDB)';
  const busy = s.wallMs - (s.byCategory[idleKey] ?? 0);
  const parts = Object.entries(s.byCategory)
    .filter(([k]) => k !== idleKey)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, ms]) => `${k.replace(/ \(.*\)$/, '')} ${Math.round(ms)}`);
  return `server thread busy ${Math.round(busy)} of ${Math.round(clientMs)} ms: ${parts.join(', ')}`;
}

function table(header: string[], lines: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-+-'));
  for (const l of lines) console.log(fmt(l));
}

function printResults(results: WireResult[], runs: number): void {
  console.log(`\nrestsql wire bench: ${ROWS} rows x 7 columns, ${runs} runs each after a warm-up, restsql and PostgreSQL alternating, Node ${process.version}; server CPU = restsql's process CPU per run, ms\n`);
  const ms = (x: { median: number } | undefined) => (x ? String(Math.round(x.median)) : '-');
  const range = (x: { min: number; max: number } | undefined) => (x ? `${Math.round(x.min)}-${Math.round(x.max)}` : '-');
  table(
    ['scenario', 'restsql ms', 'min-max', 'server CPU', 'PostgreSQL ms', 'min-max', 'x PG', 'restsql rows/s', 'PG rows/s', 'check', 'note'],
    results.map((r) => [r.scenario, ms(r.restsql), range(r.restsql), r.restsqlCpuMs !== undefined ? String(Math.round(r.restsqlCpuMs)) : '-', ms(r.postgres), range(r.postgres), r.ratio !== undefined ? String(r.ratio) : '-', r.restsqlRowsPerSec ? String(r.restsqlRowsPerSec) : '-', r.postgresRowsPerSec ? String(r.postgresRowsPerSec) : '-', r.check, r.note]),
  );
}

function printStages(stages: StageResult[]): void {
  console.log(`\nrestsql server work for SELECT * FROM t (${ROWS} rows), stage by stage in this process (medians of ${STAGE_RUNS}; "adds" = this stage's CPU less the one it builds on)\n`);
  table(
    ['stage', 'wall ms', 'CPU ms', 'adds CPU ms', 'MB out', 'what it adds'],
    stages.map((s) => [
      s.stage,
      String(Math.round(s.median)),
      String(Math.round(s.cpu)),
      String(Math.round(s.added)),
      s.bytes ? (s.bytes / 1e6).toFixed(1) : '',
      {
        fetch: 'DuckDB: open the statement, fetch every chunk (result.fetchChunk)',
        columns: 'chunk.getColumns(): DuckDB vectors to JS values',
        encode: 'text encoders (src/server/types) per value',
        dataRow: 'MessageBatch.addDataRow per row (DataRow framing, UTF-8 write)',
        'dataRow+socket': 'socket writes of 256 KiB to a discarding loopback peer',
        copy: 'COPY text lines (copyRowFormatter, join) and CopyData, instead of DataRow',
        'copy+socket': 'socket writes of the CopyData',
      }[s.stage],
    ]),
  );
}

function printWhatIfs(w: Awaited<ReturnType<typeof whatIfs>>): void {
  console.log('\nper column, summed over the result: chunk.getColumnValues (DuckDB vector to JS values) and the text encoder\n');
  table(['column', 'type', 'convert ms', 'encode ms'], w.columns.map((c) => [c.column, c.type, String(Math.round(c.convertMs)), String(Math.round(c.encodeMs))]));
  console.log(`\nwhat-if prototypes in this bench (not restsql code): DataRows for SELECT * FROM t made other ways (medians of ${STAGE_RUNS}; compare with the stages above)\n`);
  table(['prototype', 'wall ms', 'CPU ms', 'MB out'], w.prototypes.map((p) => [p.name, String(Math.round(p.median)), String(Math.round(p.cpu)), (p.bytes / 1e6).toFixed(1)]));
  for (const [k, v] of Object.entries(w.castMismatches)) console.log(`  DuckDB's ${k}::VARCHAR differs from PostgreSQL's text in ${v.differ} of ${ROWS} rows${v.example ? ` (e.g. ${v.example})` : ''}`);
}

function printProfiles(profiles: Record<string, ReturnType<typeof summarize> & { clientMs: number }>): void {
  for (const [key, p] of Object.entries(profiles)) {
    console.log(`\nrestsql server thread during one ${key} run: the client measured ${Math.round(p.clientMs)} ms; ${Math.round(p.wallMs)} ms profiled, client process start and login included; self time by category, native calls and Node internals counted with their JS caller (V8 inlines small functions into their callers, so "session loop" holds some encoder and node-api work)`);
    const cats = Object.entries(p.byCategory).sort((a, b) => b[1] - a[1]);
    table(['category', 'ms', '%'], cats.map(([k, ms]) => [k, String(Math.round(ms)), String(Math.round((100 * ms) / p.wallMs))]));
      console.log(`  top functions (ms): ${p.top.filter((t) => !t.fn.startsWith('(idle)')).slice(0, 10).map((t) => `${t.fn} ${Math.round(t.ms)}`).join('; ')}`);
  }
}

// This file is also the node-postgres child of w2.
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url && process.argv[2] === 'pg-client') {
  await pgClientMain();
}
