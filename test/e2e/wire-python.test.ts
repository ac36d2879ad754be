/**
 * `restsql serve` against Python's PostgreSQL drivers as applications use them: psycopg2 (libpq,
 * client-side interpolation), psycopg 3 (server-side parameters, prepared statements, binary
 * results and parameters) and SQLAlchemy's postgresql+psycopg2 dialect.
 *
 * The scripts in test/support/python/ print JSON lines (one per check) that these tests parse and
 * assert. They run under Debian's /usr/bin/python3, which sees the Debian packages
 * python3-psycopg2, python3-psycopg and python3-sqlalchemy. A check that cancels a statement
 * prints {"event": "cancel-ready"} and waits for a line on its stdin: the test sends it once the
 * statement's request has reached the (held) API, so the cancel always lands mid-statement.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { within } from '../support/deadline.js';
import { serveFixture, TYPED_ROWS, type Served } from '../support/serve.js';

const PYTHON = '/usr/bin/python3';
const SCRIPTS = fileURLToPath(new URL('../../../test/support/python/', import.meta.url));
/** Generous: a loaded machine is slow, and each wait ends as soon as its event comes. */
const DEADLINE = 60_000;

/**
 * Whether Debian's python3 can import `module`; the reason it cannot otherwise. Under CI a missing
 * package fails the tests (a skip there would hide a missing install step); elsewhere they skip.
 */
function missing(module: string, debianPackage: string): string | false {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed`;
  const r = spawnSync(PYTHON, ['-c', `import ${module}`], { encoding: 'utf8' });
  if (r.status === 0) return false;
  return `${PYTHON} cannot import ${module}: apt-get install ${debianPackage}`;
}

function skipUnless(module: string, debianPackage: string): { skip?: string } {
  const why = missing(module, debianPackage);
  if (!why) return {};
  if (process.env['CI']) assert.fail(`${why} (CI must install it)`);
  return { skip: why };
}

type Line = Record<string, unknown> & { check?: string; event?: string; raised?: PyError };
interface PyError {
  type: string;
  pgcode: string | null;
  message: string;
}
interface PyRun {
  readonly checks: Map<string, Line>;
  readonly stderr: string;
  readonly code: number | null;
}

/**
 * Runs a script to its end; `onEvent` answers its events (a line on stdin). The password goes in
 * PGPASSWORD (libpq reads it), never on the command line.
 */
async function runPython(fx: Served, script: string, args: string[], onEvent: (event: string) => Promise<void> = async () => undefined): Promise<PyRun> {
  const child = spawn(PYTHON, [SCRIPTS + script, ...args], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', PGPASSWORD: fx.password, PGCONNECT_TIMEOUT: '30', PYTHONIOENCODING: 'utf-8', LANG: 'C.UTF-8' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const checks = new Map<string, Line>();
  let stderr = '';
  let pending = '';
  const handlers: Promise<void>[] = [];
  const eventErrors: unknown[] = [];
  // The script may be gone when an answer is written (it failed): that is reported by its checks.
  child.stdin.on('error', () => undefined);
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!text.trim()) continue;
      const line = JSON.parse(text) as Line;
      if (line.event) {
        handlers.push(
          onEvent(line.event)
            .catch((e: unknown) => void eventErrors.push(e))
            .then(() => void child.stdin.write('go\n')),
        );
      } else if (line.check) checks.set(line.check, line);
    }
  });
  const code = await within(DEADLINE, () => `${script} to finish (stderr: ${stderr})`, new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  await Promise.all(handlers);
  if (eventErrors.length > 0) throw eventErrors[0];
  return { checks, stderr, code };
}

/** The result of check `name`, failing with the script's error and stderr if it has none. */
function result(run: PyRun, name: string): Line {
  const line = run.checks.get(name);
  assert.ok(line, `the script printed no "${name}" check (exit ${run.code}); stderr:\n${run.stderr}`);
  assert.equal(line.raised, undefined, `check "${name}" raised ${JSON.stringify(line.raised)}; stderr:\n${run.stderr}`);
  return line;
}

/** Resolves once the API has been asked for `path` `count` times in all. */
async function apiAsked(fx: Served, path: string, count: number): Promise<void> {
  await within(DEADLINE, () => `the API to be asked for ${path} (${count}x); it saw ${JSON.stringify(fx.api.seen)}`, (async () => {
    while (fx.api.seen.filter((p) => p.startsWith(path)).length < count) await new Promise((r) => setTimeout(r, 10));
  })());
}

/**
 * The answer to "cancel-ready": hold the slow table's API, and say go once its request arrived.
 * Returns the release function, for the test's finally.
 */
function cancelWhenSlowIsAsked(fx: Served): { onEvent: (event: string) => Promise<void>; release: () => void } {
  let release: () => void = () => undefined;
  const asked = fx.api.seen.filter((p) => p.startsWith('/slow')).length;
  release = fx.api.holdSlow();
  return {
    onEvent: async (event) => {
      assert.equal(event, 'cancel-ready');
      await apiAsked(fx, '/slow', asked + 1);
    },
    release: () => release(),
  };
}

/** TYPED_ROWS as psycopg gives them: [Python type, text]; `uuid` is what the driver makes of a uuid. */
function expectedTyped(uuidType: 'str' | 'UUID'): [string, string | null][][] {
  return TYPED_ROWS.map((r) => [
    ['int', String(r.id)],
    ['int', r.big],
    ['float', r.amount === 1e21 ? '1e+21' : String(r.amount)],
    // CAST(amount AS DECIMAL(30,2)): numeric, so Decimal; 1e21 as DuckDB's double has it.
    ['Decimal', r.amount === 1e21 ? '999999999999999916113.92' : r.amount.toFixed(2)],
    r.ok === null ? ['NoneType', null] : ['bool', r.ok ? 'True' : 'False'],
    r.created === null ? ['NoneType', null] : ['datetime', r.created],
    r.day === null ? ['NoneType', null] : ['date', r.day],
    r.uid === null ? ['NoneType', null] : [uuidType, r.uid],
    ['str', r.label],
    r.note === null ? ['NoneType', null] : ['dict', JSON.stringify(r.note).replace(/,/g, ', ').replace(/:/g, ': ')],
  ]);
}

/**
 * For a describe block: a fixture server and one run of a client script against it, whose slow
 * query is cancelled when the script asks for it (`py.fx`, `py.run` once `before` has run).
 */
function pythonRun(script: string): { fx: Served; run: PyRun } {
  const py = {} as { fx: Served; run: PyRun };
  let releaseSlow: () => void = () => undefined;
  before(async () => {
    py.fx = await serveFixture();
    const cancel = cancelWhenSlowIsAsked(py.fx);
    releaseSlow = cancel.release;
    py.run = await runPython(py.fx, script, [py.fx.conninfo('connect_timeout=30'), '--cancel'], cancel.onEvent);
  });
  after(async () => {
    releaseSlow();
    await py.fx?.close();
  });
  return py;
}

describe('psycopg2', { ...skipUnless('psycopg2', 'python3-psycopg2') }, () => {
  const py = pythonRun('psycopg2_client.py');

  test('connects (SCRAM through libpq) and sees the server version and settings', () => {
    const r = result(py.run, 'connect');
    assert.equal(r['server_version'], 150018);
    assert.equal(r['encoding'], 'UTF8');
    assert.deepEqual(r['status'], { server_version: '15.18 (restsql test)', client_encoding: 'UTF8', standard_conforming_strings: 'on', integer_datetimes: 'on', DateStyle: 'ISO, MDY' });
    assert.equal(r['ssl_in_use'], false);
    assert.equal(py.run.code, 0, py.run.stderr);
    assert.ok(py.run.checks.has('done'));
  });

  test("cursor.execute('... WHERE id = %s', (2,)): psycopg2 interpolates on the client and gets row 2", () => {
    const r = result(py.run, 'interpolation');
    assert.equal(r['sent'], 'SELECT id, label FROM types WHERE id = 2');
    assert.deepEqual(r['rows'], [[['int', '2'], ['str', TYPED_ROWS[1].label]]]);
    // A quote, a backslash and double quotes survive psycopg2's quoting (standard_conforming_strings on); None is NULL.
    assert.deepEqual(r['echo'], [[['str', 'it\'s \\ "quoted"'], ['NoneType', null]]]);
  });

  test('typed values come back as Python types: int, float, Decimal, bool, datetime, date, uuid as str, str, json as dict, None', () => {
    const r = result(py.run, 'types');
    assert.deepEqual(r['columns'], ['id', 'big', 'amount', 'exact', 'ok', 'created', 'day', 'uid', 'label', 'note']);
    assert.deepEqual(r['rows'], expectedTyped('str'));
  });

  test("an error's pgcode (42P01), 25P02 while the transaction is failed, and the connection usable after rollback()", () => {
    const r = result(py.run, 'error');
    assert.deepEqual({ type: (r['error'] as PyError).type, pgcode: (r['error'] as PyError).pgcode }, { type: 'UndefinedTable', pgcode: '42P01' });
    // psycopg2.extensions.TRANSACTION_STATUS_INERROR
    assert.equal(r['status_after_error'], 3);
    assert.deepEqual(r['in_failed'], { type: 'InFailedSqlTransaction', pgcode: '25P02', message: 'current transaction is aborted, commands ignored until end of transaction block' });
    assert.equal(r['after_rollback'], 42);
  });

  test('conn.cancel() from a thread during SELECT count(*) FROM slow: QueryCanceled (57014), then the next query works', () => {
    const r = result(py.run, 'cancel');
    assert.equal(r['unexpected_rows'], undefined, 'the statement was cancelled, not completed');
    assert.deepEqual(r['error'], { type: 'QueryCanceled', pgcode: '57014', message: 'canceling statement due to user request' });
    assert.equal(r['after'], 'plain');
  });
});

describe('psycopg2 over TLS (sslmode=require)', { ...skipUnless('psycopg2', 'python3-psycopg2') }, () => {
  test('libpq negotiates TLS with the server and runs the same checks', async () => {
    const fx = await serveFixture({ tls: true });
    try {
      const run = await runPython(fx, 'psycopg2_client.py', [fx.conninfo('connect_timeout=30')]);
      assert.equal(result(run, 'connect')['ssl_in_use'], true);
      assert.deepEqual(result(run, 'types')['rows'], expectedTyped('str'));
      assert.equal(run.code, 0, run.stderr);
    } finally {
      await fx.close();
    }
  });
});

describe('psycopg 3', { ...skipUnless('psycopg', 'python3-psycopg') }, () => {
  const py = pythonRun('psycopg3_client.py');

  test("server-side parameters: cur.execute('... WHERE id = %s', [2]) goes through Parse/Bind (two statements in it are refused as PostgreSQL refuses them)", () => {
    const r = result(py.run, 'server_params');
    assert.deepEqual(r['rows'], [[['int', '2'], ['str', TYPED_ROWS[1].label]]]);
    // The value is bound, never spliced into the SQL: %s and $1 inside it stay text.
    assert.deepEqual(r['echo'], [[['str', 'it\'s \\ "quoted" %s $1'], ['NoneType', null]]]);
    assert.deepEqual(r['multi'], { type: 'SyntaxError', pgcode: '42601', message: 'cannot insert multiple commands into a prepared statement' });
    assert.equal(py.run.code, 0, py.run.stderr);
  });

  test('prepare=True: the statement is prepared once on the server and executed six times with the right rows', () => {
    const r = result(py.run, 'prepared');
    const expected = [0, 1, 2, 3, 4, 5].map((i) => [[['int', String((i % 3) + 1)], ['str', TYPED_ROWS[i % 3]!.label]]]);
    assert.deepEqual(r['runs'], expected);
    if (r['prepared_names'] !== null) assert.equal((r['prepared_names'] as string[]).length, 1, 'one server-side prepared statement');
  });

  test('cursor(binary=True): every column arrives in binary and gives the same values as text mode', () => {
    const r = result(py.run, 'binary');
    assert.deepEqual(r['oids'], [23, 20, 701, 1700, 16, 1114, 1082, 2950, 1043, 114]);
    assert.deepEqual(r['binary_formats'], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(r['text'], expectedTyped('UUID'));
    assert.deepEqual(r['binary'], r['text']);
    assert.equal(r['same'], true);
  });

  test('Python ints sent as binary int2/int4/int8 parameters select the right rows', () => {
    const r = result(py.run, 'int_params') as Record<string, { rows?: unknown; oids?: number[]; error?: PyError }>;
    assert.deepEqual(r['int2_id']!.rows, [[['int', '2'], ['str', TYPED_ROWS[1].label]]]);
    assert.deepEqual(r['int8_big']!.rows, [[['int', '1']]]);
    assert.deepEqual(r['int8_negative']!.rows, [[['int', '2']]]);
    assert.deepEqual(r['auto_id']!.rows, [[['int', '3']]]);
  });

  test('an untyped SELECT %b takes the type psycopg declared for the parameter (int4, int2, int8), as PostgreSQL does', () => {
    const r = result(py.run, 'int_params') as Record<string, { rows?: unknown; oids?: number[]; error?: PyError }>;
    // PostgreSQL 15.18: SELECT $1 with $1 declared int4 in Parse is an int4 column (psycopg gives back an int).
    assert.deepEqual([r['int4_echo']!.oids, r['int4_echo']!.rows], [[23], [[['int', '40000']]]]);
    assert.deepEqual([r['int2_echo']!.oids, r['int2_echo']!.rows], [[21], [[['int', '-7']]]]);
    assert.deepEqual([r['int8_echo']!.oids, r['int8_echo']!.rows], [[20], [[['int', String(2 ** 40)]]]]);
  });

  test('conn.cancel() from a thread during SELECT count(*) FROM slow: QueryCanceled (57014), then the next query works', () => {
    const r = result(py.run, 'cancel');
    assert.equal(r['unexpected_rows'], undefined, 'the statement was cancelled, not completed');
    assert.deepEqual(r['error'], { type: 'QueryCanceled', pgcode: '57014', message: 'canceling statement due to user request' });
    assert.equal(r['after'], 'plain');
  });
});

describe('SQLAlchemy (postgresql+psycopg2)', { ...skipUnless('sqlalchemy, psycopg2', 'python3-sqlalchemy python3-psycopg2') }, () => {
  let fx: Served;
  let run: PyRun;
  before(async () => {
    fx = await serveFixture();
    run = await runPython(fx, 'sqlalchemy_client.py', [fx.host, String(fx.port)]);
  });
  after(async () => {
    await fx?.close();
  });

  test('the dialect\'s connect-time queries (current_schema(), show standard_conforming_strings, ...) and text() queries with bound, expanding parameters', () => {
    const r = result(run, 'dialect_queries');
    assert.deepEqual(r['rows'], [[['int', '2'], ['str', TYPED_ROWS[1].label]]]);
    assert.equal(r['count'], 25);
    assert.deepEqual(r['in_list'], [[['int', '1']], [['int', '3']]]);
    assert.equal(typeof r['default_schema'], 'string');
    assert.equal(run.code, 0, run.stderr);
  });

  // SQLAlchemy's first query, `select pg_catalog.version()`, is answered by the catalog: the
  // version it parses is server_version's.
  test('create_engine as is: select pg_catalog.version() at first connect parses as 15.18, then the same queries', () => {
    const r = result(run, 'connect');
    assert.deepEqual(r['rows'], [[['int', '2'], ['str', TYPED_ROWS[1].label]]]);
    assert.deepEqual(r['server_version_info'], [15, 18]);
  });
});
