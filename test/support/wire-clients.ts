/**
 * Real PostgreSQL clients for the `restsql serve` end-to-end tests: psql (libpq), isql with
 * psqlODBC, pgjdbc through a small Java program, Python scripts (test/support/python), run as
 * child processes against 127.0.0.1.
 *
 * Every wait has a deadline (a hung client fails the test with what it printed so far, and is
 * killed), children get a minimal environment (no PG* variables, HOME in a temporary folder, so
 * neither ~/.pgpass nor ~/.postgresql/root.crt nor ~/.odbc.ini of the machine changes what a test
 * sees), and a missing client program fails with the Debian package that provides it.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { within } from './deadline.js';
import { ROOT } from './cli.js';

/** Generous: a loaded CI machine starts a JVM slowly. A healthy run ends far sooner. */
export const CLIENT_DEADLINE_MS = 90_000;

export const PSQL = '/usr/bin/psql';
export const ISQL = '/usr/bin/isql';
export const PSQLODBC = '/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so';
export const PGJDBC = '/usr/share/java/postgresql.jar';
/** util-linux's `script`: runs psql on a pseudo-terminal, where psql is interactive (Ctrl-C). */
export const SCRIPT = '/usr/bin/script';

/**
 * Fails with a clear message when a client the tests drive is not installed. Nothing is skipped:
 * CI installs these packages, and a test that silently skips proves nothing.
 */
export function requireProgram(path: string, debianPackage: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new Error(`${path} is missing: install the Debian package ${debianPackage} (apt-get install ${debianPackage}); these end-to-end tests drive the real client.`);
  }
}

/** A child's environment: UTF-8 locale, a private HOME, nothing from the user's PG*, ODBC*, JAVA* variables. */
export function clientEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TMPDIR: home, ...extra };
}

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running child whose output the test can wait for. */
export class Child {
  readonly proc: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly finished: Promise<Finished>;
  readonly #what: string;
  #changed: (() => void)[] = [];

  constructor(command: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; cwd?: string }) {
    this.#what = `${command.split('/').pop()} ${args.join(' ').slice(0, 120)}`;
    this.proc = spawn(command, args, { env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.setEncoding('utf8');
    const notify = () => {
      const waiting = this.#changed;
      this.#changed = [];
      for (const w of waiting) w();
    };
    this.proc.stdout.on('data', (d: string) => {
      this.stdout += d;
      notify();
    });
    this.proc.stderr.on('data', (d: string) => {
      this.stderr += d;
      notify();
    });
    // stdin may be closed by a child that exits early; that is not the test's failure.
    this.proc.stdin.on('error', () => undefined);
    this.finished = new Promise<Finished>((resolve, reject) => {
      this.proc.on('error', reject);
      this.proc.on('close', (code, signal) => {
        notify();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
    this.finished.catch(() => undefined);
  }

  /** Resolves once `test(stdout, stderr)` holds; fails after `ms` with what the child printed. */
  async waitFor(what: string, test: (stdout: string, stderr: string) => boolean, ms = CLIENT_DEADLINE_MS): Promise<void> {
    let exited = false;
    void this.finished.then(() => (exited = true), () => (exited = true));
    await within(ms, () => `${this.#what}: ${what} (stdout so far: ${JSON.stringify(this.stdout)}, stderr: ${JSON.stringify(this.stderr)})`, (async () => {
      for (;;) {
        if (test(this.stdout, this.stderr)) return;
        if (exited) throw new Error(`${this.#what} exited before ${what} (stdout: ${JSON.stringify(this.stdout)}, stderr: ${JSON.stringify(this.stderr)})`);
        await new Promise<void>((r) => {
          this.#changed.push(r);
          void this.finished.then(() => r(), () => r());
        });
      }
    })());
  }

  /** Waits for the exit; kills the child and fails when it does not come within `ms`. */
  async exit(ms = CLIENT_DEADLINE_MS): Promise<Finished> {
    try {
      return await within(ms, () => `${this.#what} exited (stdout so far: ${JSON.stringify(this.stdout)}, stderr: ${JSON.stringify(this.stderr)})`, this.finished);
    } catch (e) {
      this.kill();
      throw e;
    }
  }

  write(text: string): void {
    this.proc.stdin.write(text);
  }

  /** Kills the child if it still runs (cleanup after a failed assertion). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
  }
}

/** Runs a program to its end with `stdin` as its input. */
export async function run(command: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; stdin?: string; cwd?: string; ms?: number }): Promise<Finished> {
  const child = new Child(command, args, opts);
  child.proc.stdin.end(opts.stdin ?? '');
  return child.exit(opts.ms);
}

// --- psql ----------------------------------------------------------------------------------------

/** psql's fixed options: no psqlrc (-X), connect timeout, and no pager. */
export function psqlEnv(home: string, password: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return clientEnv(home, { PGPASSWORD: password, PGCONNECT_TIMEOUT: '30', PAGER: '', PSQL_PAGER: '', ...extra });
}

/** psql with `conninfo` and `args` (after -X -P pager=off). */
export function psql(conninfo: string, args: readonly string[], opts: { home: string; password: string; env?: NodeJS.ProcessEnv; stdin?: string }): Promise<Finished> {
  return run(PSQL, ['-X', '-P', 'pager=off', '-d', conninfo, ...args], { env: psqlEnv(opts.home, opts.password, opts.env), ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}) });
}

/**
 * Interactive psql on a pseudo-terminal (`script -qfec`): psql then behaves as for a person at a
 * terminal, and a Ctrl-C byte written to the terminal makes the kernel send psql SIGINT. psql reading
 * a script (-f, or stdin that is not a terminal) instead stops the whole script after Ctrl-C (exit
 * status 3, psql's MainLoop), whatever the server; only the interactive psql goes on to the next
 * statement.
 */
export function interactivePsql(conninfo: string, args: readonly string[], opts: { home: string; password: string }): Child {
  const quoted = [PSQL, '-X', '-n', '-P', 'pager=off', '-d', conninfo, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  // exec: psql replaces the shell `script` starts, so the shell does not also get the terminal's SIGINT.
  return new Child(SCRIPT, ['-qfec', `exec ${quoted}`, '/dev/null'], { env: psqlEnv(opts.home, opts.password, { TERM: 'dumb', SHELL: '/bin/sh' }) });
}

// --- ODBC ----------------------------------------------------------------------------------------

/**
 * An odbcinst.ini naming psqlODBC and an odbc.ini with `dsns`, in `dir`; returns the environment
 * that makes unixODBC read only them (ODBCSYSINI, ODBCINI). With `commLogDir` psqlODBC logs every
 * statement it sends and the server's answer there, in psqlodbc_<program><user><pid>.log (the log
 * holds the password of the connection too: keep the folder temporary).
 */
export function odbcConfig(dir: string, dsns: Record<string, Record<string, string | number>>, opts: { commLogDir?: string } = {}): NodeJS.ProcessEnv {
  mkdirSync(dir, { recursive: true });
  const driver = ['[PostgreSQL Unicode]', 'Description=psqlODBC (Unicode)', `Driver=${PSQLODBC}`];
  if (opts.commLogDir) {
    // psqlODBC does not make the folder; without it, it logs nothing (and says nothing).
    mkdirSync(opts.commLogDir, { recursive: true });
    driver.push(`Logdir=${opts.commLogDir}`);
  }
  writeFileSync(join(dir, 'odbcinst.ini'), `${driver.join('\n')}\n`);
  // CommLog is read per DSN at connect (in odbcinst.ini it takes effect only after the connect).
  const log = opts.commLogDir ? ['CommLog=1'] : [];
  const ini = Object.entries(dsns).map(([name, keys]) => [`[${name}]`, 'Driver=PostgreSQL Unicode', ...Object.entries(keys).map(([k, v]) => `${k}=${v}`), ...log].join('\n'));
  const odbcIni = join(dir, 'odbc.ini');
  writeFileSync(odbcIni, `${ini.join('\n\n')}\n`);
  return { ODBCSYSINI: dir, ODBCINI: odbcIni };
}

// --- Java (pgjdbc) -------------------------------------------------------------------------------

/** Where test/support/java's sources are (the repository, not dist/: javac compiles them). */
export const JAVA_SOURCES = join(ROOT, 'test', 'support', 'java');

/**
 * Compiles WireClient.java against pgjdbc into `outDir`; returns the classpath to run it with.
 * Fails (never skips) when javac or pgjdbc are missing: CI installs both.
 */
export async function compileWireClient(outDir: string, home: string): Promise<string> {
  requireProgram('/usr/bin/javac', 'default-jdk-headless');
  requireProgram(PGJDBC, 'libpostgresql-jdbc-java');
  const r = await run('/usr/bin/javac', ['-encoding', 'UTF-8', '-d', outDir, '-cp', PGJDBC, join(JAVA_SOURCES, 'WireClient.java')], { env: clientEnv(home) });
  if (r.code !== 0) throw new Error(`javac failed (${r.code}): ${r.stderr}${r.stdout}`);
  return `${outDir}:${PGJDBC}`;
}

/** `java -cp <classpath> WireClient args...`, the password in WIRE_PASSWORD (never on the command line). */
export function wireClient(classpath: string, args: readonly string[], opts: { home: string; password: string }): Child {
  // user.home: pgjdbc looks for ~/.postgresql/root.crt there (Java takes it from the password
  // database, not $HOME). UTC: the timestamps pgjdbc sends and reads carry the JVM's zone.
  return new Child('/usr/bin/java', ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Duser.home=${opts.home}`, '-Duser.timezone=UTC', '-Dfile.encoding=UTF-8', '-cp', classpath, 'WireClient', ...args], {
    env: clientEnv(opts.home, { WIRE_PASSWORD: opts.password }),
  });
}

/** Resolves once `check()` holds, looking again every few milliseconds; fails after `ms` with `what`. */
export async function until(what: string | (() => string), check: () => boolean, ms = CLIENT_DEADLINE_MS): Promise<void> {
  let stop = false;
  try {
    await within(ms, what, (async () => {
      while (!stop && !check()) await new Promise((r) => setTimeout(r, 10));
    })());
  } finally {
    stop = true;
  }
}

// --- Python --------------------------------------------------------------------------------------

/** Debian's python3, which sees the Debian packages python3-psycopg2, python3-sqlalchemy, ... */
export const PYTHON = '/usr/bin/python3';
/** Where test/support/python's scripts are (the repository, not dist/). */
export const PYTHON_SCRIPTS = join(ROOT, 'test', 'support', 'python');

/** Fails (never skips) when Debian's python3 cannot import `modules` ("sqlalchemy, psycopg2"). */
export function requirePythonModules(modules: string, debianPackages: string): void {
  requireProgram(PYTHON, 'python3');
  const r = spawnSync(PYTHON, ['-c', `import ${modules}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${PYTHON} cannot import ${modules}: install the Debian packages ${debianPackages} (apt-get install ${debianPackages}); these end-to-end tests drive the real client.`);
}

/** What a check of a script raised (wire_common.describe_error). */
export interface PythonError {
  readonly type: string;
  readonly pgcode: string | null;
  readonly message: string;
}

/** The JSON lines a script printed (wire_common.check), by check name; its exit and stderr. */
export interface PythonRun {
  readonly checks: ReadonlyMap<string, Record<string, unknown> & { raised?: PythonError }>;
  readonly finished: Finished;
}

/**
 * Runs test/support/python/`script` to its end (no input), the password in PGPASSWORD (libpq reads
 * it), never on the command line; its {"check": ...} lines by name.
 */
export async function pythonChecks(script: string, args: readonly string[], opts: { home: string; password: string }): Promise<PythonRun> {
  const finished = await run(PYTHON, [join(PYTHON_SCRIPTS, script), ...args], { env: clientEnv(opts.home, { PGPASSWORD: opts.password, PGCONNECT_TIMEOUT: '30', PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1' }) });
  const checks = new Map<string, Record<string, unknown> & { raised?: PythonError }>();
  for (const line of finished.stdout.split('\n')) {
    if (!line.trim()) continue;
    const parsed = JSON.parse(line) as Record<string, unknown> & { check?: string; raised?: PythonError };
    if (typeof parsed.check === 'string') checks.set(parsed.check, parsed);
  }
  return { checks, finished };
}
