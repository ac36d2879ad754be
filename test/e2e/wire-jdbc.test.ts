/**
 * `restsql serve` with pgjdbc (the PostgreSQL JDBC driver Debian ships), through
 * test/support/java/WireClient.java compiled once per run: a Statement, a PreparedStatement run
 * past prepareThreshold (named server-side statements, binary results), setFetchSize in a
 * transaction (PortalSuspended), getSQLState of errors, ResultSetMetaData, Statement.cancel()
 * from another thread, and sslmode=require.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { serveFixture, type Served } from '../support/serve.js';
import { tempDir } from '../support/temp-dir.js';
import { compileWireClient, until, wireClient } from '../support/wire-clients.js';

const home = tempDir(after, 'restsql-jdbc-');
const classes = tempDir(after, 'restsql-jdbc-classes-');
const BIG_ROWS = 50;
let classpath: string;
let served: Served;

before(async () => {
  // javac missing fails here, saying which package to install (CI installs default-jdk-headless).
  [classpath, served] = await Promise.all([compileWireClient(classes, home), serveFixture({ bigRows: BIG_ROWS })]);
});
after(() => served?.close());

/** Runs WireClient's scenarios against `s`; the lines it printed (it must end with "done"). */
async function scenarios(s: Served, sslmode: string, ...names: string[]): Promise<string[]> {
  const child = wireClient(classpath, [String(s.port), sslmode, ...names], { home, password: s.password });
  child.proc.stdin.end();
  const r = await child.exit();
  assert.equal(r.code, 0, `WireClient ${names.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.at(-1), 'done', r.stdout);
  return lines.slice(0, -1);
}

/** Lines starting with `prefix `, without it. */
const section = (lines: readonly string[], prefix: string) => lines.filter((l) => l.startsWith(`${prefix} `)).map((l) => l.slice(prefix.length + 1));

/** The typed rows as WireClient's typedRow prints them from pgjdbc's getters (text or binary results alike). */
const TYPED = [
  '1|9007199254740993|12.5|true|2024-01-02 03:04:05.123456|2024-02-29|6f1c5c66-2b8e-4a8f-9d2e-7f1e0c7d5a10|plain',
  '2|-42|-0.25|false|1999-12-31 23:59:59.0|1970-01-01|00000000-0000-0000-0000-000000000000|tab\\there "quoted", new\\nline \\ back',
  '3|0|1.0E21|null|null|null|null|héllo wörld 日本語 🎉',
];

test('pgjdbc: a Statement over an API table gives its rows', async () => {
  const lines = await scenarios(served, 'disable', 'query');
  assert.deepEqual(section(lines, 'query'), ['1|item-1|south|1.5|Boston', '2|item-2|north|3.0|Austin', '3|item-3|south|4.5|Boston', 'application_name WireClient']);
});

test('pgjdbc: a PreparedStatement with int, long, string, timestamp, BigDecimal and boolean parameters gives the same rows in all 10 runs, past prepareThreshold', async () => {
  const lines = await scenarios(served, 'disable', 'prepared');
  const echo = section(lines, 'echo');
  const filter = section(lines, 'filter');
  assert.equal(echo.length, 10, lines.join('\n'));
  assert.equal(filter.length, 20, lines.join('\n'));
  for (let run = 1; run <= 10; run++) {
    // From the 5th run pgjdbc uses a named server-side statement (it reports it from the 4th on:
    // that execution counts towards the threshold) and binary results for these types.
    const serverPrepared = run >= 4;
    assert.equal(echo[run - 1], `${run} ${serverPrepared} 42|9223372036854775806|HÉLLO WÖRLD|2024-02-29 23:59:59.123456|24691357802469.134|true`, `run ${run}`);
    // ok = true is filtered out (ok <> true), NULL kept: rows 2 and 3.
    assert.deepEqual(filter.slice(2 * (run - 1), 2 * run), [`${run} ${serverPrepared} ${TYPED[1]}`, `${run} ${serverPrepared} ${TYPED[2]}`], `run ${run}`);
  }
});

test('pgjdbc: setFetchSize(3) in a transaction reads every row of big in order, 3 per round trip', async () => {
  const lines = await scenarios(served, 'disable', 'fetch');
  const expected = Array.from({ length: BIG_ROWS }, (_, k) => {
    const i = k + 1;
    return `${i}|name-${i}|${(i * 7) % 1000}.5|${i % 3 === 0}|2024-01-${String((i % 28) + 1).padStart(2, '0')} 10:00:00.0`;
  });
  assert.deepEqual(section(lines, 'fetch'), [...expected, `count ${BIG_ROWS}`]);
});

test('pgjdbc: getSQLState is 42P01, 42703, 42601 and the connection works after each; in a transaction 25P02 until rollback', async () => {
  const lines = await scenarios(served, 'disable', 'errors');
  assert.deepEqual(lines, [
    'error table 42P01',
    'after table 42',
    'error column 42703',
    'after column 42',
    'error syntax 42601',
    'after syntax 42',
    'error prepared 42P01',
    'after prepared 42',
    'error in-transaction 42P01',
    'error aborted 25P02',
    'after rollback 42',
  ]);
});

test('pgjdbc: ResultSetMetaData column types of the typed table', async () => {
  const lines = await scenarios(served, 'disable', 'meta');
  // What pgjdbc makes of PostgreSQL's type OIDs (bool is Types.BIT in pgjdbc, as against PostgreSQL).
  assert.deepEqual(section(lines, 'meta').filter((l) => !l.startsWith('row ')), [
    'id INTEGER int4 java.lang.Integer',
    'big BIGINT int8 java.lang.Long',
    'amount DOUBLE float8 java.lang.Double',
    'ok BIT bool java.lang.Boolean',
    'created TIMESTAMP timestamp java.sql.Timestamp',
    'day DATE date java.sql.Date',
    'uid OTHER uuid java.util.UUID',
    'label VARCHAR varchar java.lang.String',
    'note OTHER json org.postgresql.util.PGobject',
  ]);
  assert.deepEqual(section(lines, 'meta row'), TYPED);
});

test('pgjdbc: Statement.cancel() from another thread ends the running statement with 57014, and the connection works after', async (t) => {
  // A server of its own: the hub keeps loaded tables (CacheTTL), so `slow` must not be loaded yet.
  const s = await serveFixture();
  t.after(() => s.close());
  const release = s.api.holdSlow();
  t.after(release);
  const child = wireClient(classpath, [String(s.port), 'disable', 'cancel'], { home, password: s.password });
  t.after(() => child.kill());
  await child.waitFor('the statement started', (out) => out.includes('cancel running\n'));
  await until('the API saw /slow', () => s.api.seen.includes('/slow'));
  child.write('cancel\n');
  child.proc.stdin.end();
  const r = await child.exit();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l !== '' && l !== 'cancel sent');
  assert.deepEqual(lines, ['cancel running', 'cancel state 57014 ERROR: canceling statement due to user request', 'after cancel 42', 'done']);
});

test('pgjdbc: sslmode=require against a server with TLS', async (t) => {
  const tls = await serveFixture({ tls: true });
  t.after(() => tls.close());
  const lines = await scenarios(tls, 'require', 'tls');
  assert.deepEqual(lines, ['tls 20|item-9']);
  assert.ok(tls.log.some((l) => /session \d+ from 127\.0\.0\.1:\d+: user="tester" .*\(TLS\)$/.test(l)), tls.log.join('\n'));
  // And the same client refuses a plain connection when it asked for TLS and the server has none.
  const plain = wireClient(classpath, [String(served.port), 'require', 'tls'], { home, password: served.password });
  plain.proc.stdin.end();
  const r = await plain.exit();
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /^FAIL .*(SSL|ssl)/m);
});
