/**
 * A real PostgreSQL 15 for tests: initdb into a fresh temporary folder and `postgres` on 127.0.0.1
 * and a free port, the approach of bench/wire.ts made reusable. Used as the oracle that restsql
 * serve's catalog answers are compared with, and by the script that captures the catalog SQL real
 * clients send (test/support/capture-catalog-corpus.ts).
 *
 * - Debian's binaries (/usr/lib/postgresql/15/bin, package `postgresql`); missing ones fail with
 *   the package to install, never a skip.
 * - PostgreSQL refuses to run as root: when this process is root the server runs as the OS user
 *   `postgres` (the folder is chowned to it); otherwise as this process's own user.
 * - Locale: LC_COLLATE C, LC_CTYPE C.UTF-8, UTF8, messages in English (C), time zone UTC: what the
 *   catalog rows of `pg_database` and `SHOW` say on both sides of the comparison.
 * - Loopback only: listen_addresses 127.0.0.1, the Unix socket inside the private folder; TCP logins
 *   need a SCRAM-SHA-256 password (the superuser's is random, per server).
 * - Every wait has a deadline; nothing synchronous runs while the server does (the test may run a
 *   server of its own in this process). stop() ends the server and removes the folder.
 * - `logStatements`: log_statement=all into JSON log files (jsonlog), read back by statements():
 *   the SQL every client sent, with its parameters, in order.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { chown, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
const START_DEADLINE_MS = 60_000;
const STOP_DEADLINE_MS = 30_000;

export interface PostgresOptions {
  /** log_statement=all into jsonlog files that statements() reads. */
  readonly logStatements?: boolean;
  /** Extra server settings (`-c name=value`). */
  readonly settings?: Readonly<Record<string, string | number>>;
}

/** One statement the server logged: what a client sent, as it sent it. */
export interface LoggedStatement {
  /** The backend's process id (one per connection) and its n-th logged line. */
  readonly pid: number;
  readonly line: number;
  readonly user: string;
  readonly database: string;
  readonly applicationName: string;
  /** `simple` (Query message), `execute` (extended protocol Execute). */
  readonly kind: 'simple' | 'execute';
  readonly sql: string;
  /** The Bind parameters in text (null for NULL), for `execute`. */
  readonly params: (string | null)[];
}

export interface Postgres {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The superuser `postgres`'s password (TCP logins need one). */
  readonly password: string;
  /** SHOW server_version, e.g. `15.18 (Debian 15.18-0+deb12u1)`. */
  readonly version: string;
  /** A libpq connection string (sslmode=disable; the password goes in PGPASSWORD). */
  conninfo(user?: string, dbname?: string): string;
  /** Runs `sql` (one or more statements, simple protocol) as the superuser in `dbname`. */
  exec(sql: string, dbname?: string): Promise<pg.QueryResult[]>;
  /** The statements logged so far (logStatements only), in log order. */
  statements(): Promise<LoggedStatement[]>;
  /** Ends the server (fast shutdown, then SIGKILL after a deadline) and removes its folder. */
  stop(): Promise<void>;
}

function requireFile(path: string, debianPackage: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${path} is missing: install the Debian package ${debianPackage} (apt-get install ${debianPackage}); the catalog tests compare restsql with a real PostgreSQL 15.`);
  }
}

/** The uid and gid to run PostgreSQL as: `postgres` when this process is root, else none (this user). */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  const entry = passwd.split('\n').map((l) => l.split(':')).find((f) => f[0] === 'postgres');
  if (!entry) throw new Error('running as root, but there is no `postgres` OS user to run PostgreSQL as (PostgreSQL refuses to run as root): install the Debian package postgresql (apt-get install postgresql), which creates it.');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', resolve);
  });
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Runs a program to its end (as `user` when given); rejects with its output when it fails or overruns `ms`. */
function runAs(user: { uid: number; gid: number } | undefined, cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}) });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-8000)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} ${signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, not done within ${ms} ms` : ''})` : `exited ${code}`}: ${out.trim()}`));
    });
  });
}

/** Parses a jsonlog line's statement message (`statement: ...`, `execute <name>: ...`) and its parameters detail. */
function loggedStatement(entry: Record<string, unknown>): LoggedStatement | undefined {
  const message = typeof entry['message'] === 'string' ? entry['message'] : '';
  let kind: LoggedStatement['kind'];
  let sql: string;
  const exec = /^execute [^:]*: /.exec(message);
  if (message.startsWith('statement: ')) {
    kind = 'simple';
    sql = message.slice('statement: '.length);
  } else if (exec) {
    kind = 'execute';
    sql = message.slice(exec[0].length);
  } else return undefined;
  const detail = typeof entry['detail'] === 'string' ? entry['detail'] : '';
  return {
    pid: Number(entry['pid']),
    line: Number(entry['line_num']),
    user: String(entry['user'] ?? ''),
    database: String(entry['dbname'] ?? ''),
    applicationName: String(entry['application_name'] ?? ''),
    kind,
    sql,
    params: detail.startsWith('parameters: ') ? parseParameters(detail.slice('parameters: '.length)) : [],
  };
}

/** `$1 = 'a''b', $2 = NULL` (PostgreSQL's errdetail for Bind parameters) -> ["a'b", null]. */
export function parseParameters(text: string): (string | null)[] {
  const out: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    const head = /^\$(\d+) = /.exec(text.slice(i));
    if (!head) throw new Error(`cannot read the logged parameters at ${JSON.stringify(text.slice(i, i + 40))}`);
    if (Number(head[1]) !== out.length + 1) throw new Error(`logged parameters out of order: ${text}`);
    i += head[0].length;
    if (text.startsWith('NULL', i)) {
      out.push(null);
      i += 4;
    } else if (text[i] === "'") {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf("'", i);
        if (q < 0) throw new Error(`unterminated logged parameter: ${text}`);
        value += text.slice(i, q);
        if (text[q + 1] === "'") {
          value += "'";
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(value);
    } else throw new Error(`cannot read the logged parameters at ${JSON.stringify(text.slice(i, i + 40))}`);
    if (text.startsWith(', ', i)) i += 2;
  }
  return out;
}

/** initdb and start a PostgreSQL 15 on 127.0.0.1; see the file comment. */
export async function startPostgres(o: PostgresOptions = {}): Promise<Postgres> {
  requireFile(join(PG_BIN, 'initdb'), 'postgresql');
  requireFile(join(PG_BIN, 'postgres'), 'postgresql');
  const user = await serverUser();
  const password = randomBytes(18).toString('base64url');
  const base = await mkdtemp(join(tmpdir(), 'restsql-oracle-pg-'));
  const data = join(base, 'data');
  const logDir = join(base, 'log');
  const pwfile = join(base, 'pw');
  // The server's environment: nothing of ours (PG* variables, the user's locale) leaks in.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TZ: 'UTC', HOME: base };
  let child: ReturnType<typeof spawn> | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  let serverLog = '';

  const stop = () =>
    (stopping ??= (async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, the server exits.
        child.kill('SIGINT');
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_DEADLINE_MS)));
        if ((await Promise.race([exited, late])) === 'late') {
          child.kill('SIGKILL');
          await exited;
        }
        clearTimeout(timer);
      }
      await rm(base, { recursive: true, force: true, maxRetries: 5 });
    })());

  try {
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) {
      await chown(base, user.uid, user.gid);
      await chown(pwfile, user.uid, user.gid);
    }
    await runAs(user, join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--lc-collate=C', '--lc-messages=C', '--no-sync'], env, START_DEADLINE_MS);
    const port = await freePort();
    const settings: Record<string, string | number> = {
      listen_addresses: '127.0.0.1',
      port,
      unix_socket_directories: base,
      fsync: 'off',
      TimeZone: 'UTC',
      log_timezone: 'UTC',
      ...(o.logStatements ? { logging_collector: 'on', log_destination: 'jsonlog', log_directory: logDir, log_statement: 'all', log_parameter_max_length: -1 } : {}),
      ...o.settings,
    };
    child = spawn(join(PG_BIN, 'postgres'), ['-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])], { env, stdio: ['ignore', 'ignore', 'pipe'], ...(user ?? {}) });
    const proc = child;
    exited = new Promise((r) => proc.once('close', () => r()));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (serverLog = (serverLog + d).slice(-8000)));
    const spawnFailed = new Promise<never>((_r, reject) => proc.once('error', reject));
    spawnFailed.catch(() => undefined);

    const connect = (dbname = 'postgres') => new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: dbname, connectionTimeoutMillis: 5000 });
    const deadline = Date.now() + START_DEADLINE_MS;
    let version = '';
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`postgres exited ${proc.exitCode ?? proc.signalCode} while starting: ${serverLog.trim()}`);
      const c = connect();
      try {
        await Promise.race([c.connect(), spawnFailed]);
        version = String((await c.query('SHOW server_version')).rows[0]?.server_version ?? '');
        await c.end();
        break;
      } catch (e) {
        await c.end().catch(() => undefined);
        if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${START_DEADLINE_MS} ms (${(e as Error).message}); its output: ${serverLog.trim()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    return {
      host: '127.0.0.1',
      port,
      password,
      version,
      conninfo: (u = 'postgres', dbname = 'postgres') => `host=127.0.0.1 port=${port} user=${u} dbname=${dbname} sslmode=disable`,
      async exec(sql, dbname = 'postgres') {
        const c = connect(dbname);
        await c.connect();
        try {
          const r = (await c.query(sql)) as pg.QueryResult | pg.QueryResult[];
          return Array.isArray(r) ? r : [r];
        } finally {
          await c.end();
        }
      },
      async statements() {
        if (!o.logStatements) throw new Error('startPostgres({ logStatements: true }) to read the statements');
        const files = (await readdir(logDir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
        const out: LoggedStatement[] = [];
        for (const f of files) {
          for (const line of (await readFile(join(logDir, f), 'utf8')).split('\n')) {
            if (!line.trim()) continue;
            const s = loggedStatement(JSON.parse(line) as Record<string, unknown>);
            if (s) out.push(s);
          }
        }
        return out;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
