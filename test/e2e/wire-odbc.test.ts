/**
 * `restsql serve` with unixODBC's isql and psqlODBC (the Unicode driver, which speaks through
 * libpq): a DSN in a private odbc.ini, rows back, an error's SQLSTATE, the statements psqlODBC
 * sends at connect time (all must succeed as on PostgreSQL), a wrong password, and a DSN with
 * SSLmode=require against a server with TLS.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { serveFixture, type Served } from '../support/serve.js';
import { tempDir } from '../support/temp-dir.js';
import { clientEnv, ISQL, odbcConfig, PSQLODBC, requireProgram, run } from '../support/wire-clients.js';

const home = tempDir(after, 'restsql-odbc-');
let served: Served;
let tls: Served;
let env: NodeJS.ProcessEnv;

before(async () => {
  requireProgram(ISQL, 'unixodbc');
  requireProgram(PSQLODBC, 'odbc-postgresql');
  served = await serveFixture();
  tls = await serveFixture({ tls: true });
  env = clientEnv(home, odbcConfig(join(home, 'odbc'), { restsql: dsn(served.port, 'disable'), 'restsql-tls': dsn(tls.port, 'require') }));
});
after(async () => {
  await served?.close();
  await tls?.close();
});

const dsn = (port: number, sslmode: string) => ({ Servername: '127.0.0.1', Port: port, Database: 'restsql', Username: 'tester', SSLmode: sslmode });

/** isql -v -b -d, DSN user password, one statement per line on stdin. */
const isql = (name: string, statements: readonly string[], password = served.password, withEnv = env) => run(ISQL, ['-v', '-b', '-d,', name, 'tester', password], { env: withEnv, stdin: `${statements.join('\n')}\n` });

test('isql + psqlODBC: rows of an API table come back, typed values as psqlODBC converts them', async () => {
  const r = await isql('restsql', ['SELECT id, name, region, price FROM items WHERE id <= 3 ORDER BY id']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '1,item-1,south,1.5\n2,item-2,north,3\n3,item-3,south,4.5\n');
  // psqlODBC maps bool to a character 1/0 (BoolsAsChar) and uuid to SQL_GUID (printed upper case),
  // as it does against PostgreSQL: what matters is that the type OIDs told it so.
  const t = await isql('restsql', ['SELECT id, big, amount, ok, created, day, uid, label FROM types ORDER BY id']);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(
    t.stdout,
    [
      '1,9007199254740993,12.5,1,2024-01-02 03:04:05.123456,2024-02-29,6F1C5C66-2B8E-4A8F-9D2E-7F1E0C7D5A10,plain',
      '2,-42,-0.25,0,1999-12-31 23:59:59,1970-01-01,00000000-0000-0000-0000-000000000000,tab\there "quoted", new\nline \\ back',
      '3,0,1e+21,,,,,héllo wörld 日本語 🎉',
      '',
    ].join('\n'),
  );
});

test('isql + psqlODBC: an error reports its SQLSTATE ([42P01], [42703]) and the next statement works', async () => {
  const r = await isql('restsql', ['SELECT * FROM nope', 'SELECT count(*) FROM items', 'SELECT nope FROM types', 'SELECT 7']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^\[42P01\]ERROR: .*nope/);
  assert.ok(lines.includes('20'), r.stdout);
  assert.ok(lines.some((l) => /^\[42703\]ERROR: .*nope/.test(l)), r.stdout);
  assert.equal(lines.at(-2), '7', r.stdout);
  assert.equal(r.stderr.match(/Could not SQLExecute/g)?.length, 2, r.stderr);
});

test('isql + psqlODBC: the statements psqlODBC sends at connect succeed (SET DateStyle, extra_float_digits, SHOW, the lo type lookup)', async () => {
  // A DSN of its own with psqlODBC's CommLog on, so the log holds this one connection.
  const logDir = join(home, 'odbc-log');
  const logged = clientEnv(home, odbcConfig(join(home, 'odbc-logged'), { logged: dsn(served.port, 'disable') }, { commLogDir: logDir }));
  const r = await isql('logged', ['SELECT 1'], served.password, logged);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '1\n');
  // psqlODBC's CommLog: each statement it sends, then libpq's result status and command tag.
  const logs = readdirSync(logDir).filter((f) => f.startsWith('psqlodbc_'));
  assert.ok(logs.length > 0, `no psqlODBC log in ${logDir}`);
  const log = logs.map((f) => readFileSync(join(logDir, f), 'utf8')).join('\n');
  assert.match(log, /PQsendQuery: \S+ 'SET DateStyle = 'ISO';SET extra_float_digits = 2;show transaction_isolation'\n\tok: - 'C' - SET\n\tok: - 'C' - SET\n\tnFields: 1\n\tfieldname='transaction_isolation'[^\n]*\n\tok: - 'T' - SHOW\n/);
  // PostgreSQL answers this with no rows when the lo extension is absent; an error here would make
  // psqlODBC log it and carry on with large objects unknown.
  assert.match(log, /PQsendQuery: \S+ 'select oid, typbasetype from pg_type where typname = 'lo''\n\tok: - 'T' - SELECT 0\n/);
  assert.doesNotMatch(log, /ERROR|FATAL|failed/i);
});

test('isql + psqlODBC: a wrong password fails to connect with 28P01\'s message, and the server log has no password', async () => {
  const wrong = 'odbc-wrong-Pa55';
  const before = served.log.length;
  const r = await isql('restsql', ['SELECT 1'], wrong);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /password authentication failed for user "tester"/);
  assert.match(r.stderr, /Could not SQLConnect/);
  const lines = served.log.slice(before).join('\n');
  assert.match(lines, /login failed for user "tester"/);
  assert.ok(!lines.includes(wrong), lines);
});

test('isql + psqlODBC: a DSN with SSLmode=require against a server with TLS', async () => {
  const before = tls.log.length;
  const r = await isql('restsql-tls', ['SELECT count(*), min(name) FROM items', "SELECT label FROM types WHERE id = 3"], tls.password);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '20,item-1\nhéllo wörld 日本語 🎉\n');
  assert.ok(tls.log.slice(before).some((l) => /session \d+ from 127\.0\.0\.1:\d+: user="tester" .*\(TLS\)$/.test(l)), tls.log.join('\n'));
});

/**
 * psqlODBC's UseDeclareFetch=1 (a common setting for big results) reads through a cursor: it
 * sends `BEGIN;declare "SQL_CUR..." cursor with hold for SELECT ...;fetch 7 in "SQL_CUR..."` and
 * more FETCHes, then CLOSE. restsql serve answers them itself (DuckDB has no cursors).
 */
test('isql + psqlODBC: UseDeclareFetch=1 (DECLARE CURSOR WITH HOLD, FETCH 7) reads every row', async () => {
  const declared = clientEnv(home, odbcConfig(join(home, 'odbc-declare'), { declare: { ...dsn(served.port, 'disable'), UseDeclareFetch: 1, Fetch: 7 } }));
  const r = await isql('declare', ['SELECT id FROM big WHERE id <= 25 ORDER BY id'], served.password, declared);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, Array.from({ length: 25 }, (_, i) => `${i + 1}\n`).join(''), r.stdout + r.stderr);
});
