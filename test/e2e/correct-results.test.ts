/**
 * Correct results, always (issue: no query may silently return wrong rows): each case was a wrong
 * answer with exit 0, now through the real CLI against a loopback API.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { startHttpServer } from '../support/loopback-server.js';
import { ownSpoolFolders, tempDir } from '../support/temp-dir.js';

const dir = tempDir(after, 'restsql-correct-');
let base = '';
const seen: string[] = [];
let close: () => Promise<void> = async () => {};

const USERS = Array.from({ length: 20 }, (_x, i) => ({ id: i + 1, name: `u${i + 1}`, active: i % 5 !== 0, region: ['north', 'south'][i % 2] }));
// Integers a double cannot hold, written exactly as an API would send them.
const BIG_TEXT = `[{"id": 1, "big": 1234567890123456008, "neg": -9223372036854774999, "huge": 123456789012345678901234567890, "exp": 1.0e20, "frac": 2.0},
 {"id": 2, "big": 9007199254740993, "neg": -1, "huge": 1, "exp": 3, "frac": 2.5}]`;
const BIG_ROWS = [
  { id: 1, b: '1234567890123456008' },
  { id: 2, b: '9007199254740993' },
];
const QUOTES: Record<string, Record<string, { close: string }>> = {
  MSFT: { '2024-01-02': { close: '370.87' }, '2024-01-03': { close: '370.60' } },
  PRGS: { '2024-01-02': { close: '53.10' }, '2024-01-03': { close: '52.40' }, '2024-01-04': { close: '52.95' } },
};

function send(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

before(async () => {
  const server = await startHttpServer((req: IncomingMessage, res) => {
    seen.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const q = url.searchParams;
    if (url.pathname === '/users') {
      // The API's contract: active=true|false filters exactly; any other value matches nothing.
      const a = q.get('active');
      return send(res, USERS.filter((u) => a === null || String(u.active) === a));
    }
    if (url.pathname === '/big') {
      // Filters b exactly, by its digits.
      const b = q.get('b');
      return send(res, b === null ? BIG_TEXT : `[${BIG_ROWS.filter((r) => r.b === b).map((r) => `{"id": ${r.id}, "b": ${r.b}}`).join(', ')}]`);
    }
    if (url.pathname === '/paged') {
      const offset = Number(q.get('offset') ?? 0);
      const region = q.get('region');
      const rows = USERS.filter((u) => region === null || u.region === region);
      return send(res, { total: rows.length, data: rows.slice(offset, offset + Number(q.get('limit') ?? 5)) });
    }
    if (url.pathname === '/text') return send(res, '[{"id": 1, "n": "42", "pid": 5}]');
    if (url.pathname === '/query') {
      const symbol = q.get('symbol') ?? '';
      return send(res, { 'Meta Data': { symbol }, 'Time Series (Daily)': QUOTES[symbol] ?? {} });
    }
    send(res, { error: 'no route' }, 404);
  });
  base = server.url;
  close = () => server.close();
});
after(async () => {
  await close();
  assert.deepEqual(ownSpoolFolders(), [], 'every connection closed: no spool folder of this process is left');
});

let n = 0;
function model(text: string): string {
  const file = join(dir, `m${++n}.rest`);
  writeFileSync(file, text);
  return file;
}

const USERS_MODEL = () => model(`{"users": {"#path": "${base}/users", "id": "Integer,#key", "name": "VarChar", "active": {"#type": "Boolean", "#eq": "active"}, "region": "VarChar"}}`);

test('a pushed boolean is sent as true/false (was active=t: 0 rows), and FilterPushdown=0 sends nothing and gives the same rows', async () => {
  const file = USERS_MODEL();
  const before_ = seen.length;
  const on = await runCli(['query', '-c', `RestConfigFile=${file}`, '--format', 'csv', 'SELECT count(*) AS n FROM users WHERE active = true']);
  assert.equal(on.code, 0, on.stderr);
  assert.equal(on.stdout, `n\n${USERS.filter((u) => u.active).length}\n`);
  assert.deepEqual(seen.slice(before_), ['/users?active=true']);
  const mark = seen.length;
  const off = await runCli(['query', '-c', `RestConfigFile=${file};FilterPushdown=0`, '--format', 'json', "SELECT count(*) AS n FROM users WHERE active = 'false'"]);
  assert.equal(off.code, 0, off.stderr);
  assert.deepEqual(JSON.parse(off.stdout), [{ n: USERS.filter((u) => !u.active).length }]);
  assert.deepEqual(seen.slice(mark), ['/users']);
});

test('integers keep every digit: sampled and declared, bulk and row by row, json and csv; 1.0e20 is DOUBLE; a value past the declared type is DATA_TYPE_MISMATCH naming it', async () => {
  const want = [
    { id: 1, big: '1234567890123456008', neg: '-9223372036854774999', huge: '123456789012345678901234567890' },
    { id: 2, big: '9007199254740993', neg: -1, huge: 1 },
  ];
  const sql = 'SELECT id, big, neg, huge FROM big ORDER BY id';
  const sampled = await runCli(['query', '-c', `RestSamplePath=${base}/big`, '--format', 'json', sql]);
  assert.equal(sampled.code, 0, sampled.stderr);
  assert.deepEqual(JSON.parse(sampled.stdout), want);
  const described = await runCli(['describe', '-c', `RestSamplePath=${base}/big`, '--format', 'csv', 'big']);
  assert.match(described.stdout, /big,BIGINT/);
  assert.match(described.stdout, /huge,HUGEINT/);
  assert.match(described.stdout, /exp,DOUBLE/);
  assert.match(described.stdout, /frac,DOUBLE/);
  const file = model(`{"big": {"#path": "${base}/big", "id": "Integer,#key", "big": "BigInt", "neg": "BigInt", "huge": "HugeInt", "exp": "Double"}}`);
  for (const bulk of ['1', '0']) {
    const r = await runCli(['query', '-c', `RestConfigFile=${file};BulkLoad=${bulk}`, '--format', 'csv', sql]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'id,big,neg,huge\n1,1234567890123456008,-9223372036854774999,123456789012345678901234567890\n2,9007199254740993,-1,1\n', `BulkLoad=${bulk}`);
  }
  const tooBig = model(`{"big": {"#path": "${base}/big", "id": "Integer,#key", "huge": "BigInt"}}`);
  for (const bulk of ['1', '0']) {
    const r = await runCli(['query', '-c', `RestConfigFile=${tooBig};BulkLoad=${bulk}`, 'SELECT * FROM big']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error\[DATA_TYPE_MISMATCH\]: Table big, column huge \(BIGINT\): record 1 of http:\/\/127\.0\.0\.1:\d+\/big has 123456789012345678901234567890, which is not a BIGINT/);
    assert.doesNotMatch(r.stderr, /INTERNAL/);
  }
  const notInt = model(`{"big": {"#path": "${base}/big", "id": "Integer,#key", "frac": "BigInt"}}`);
  const r = await runCli(['query', '-c', `RestConfigFile=${notInt}`, 'SELECT * FROM big']);
  assert.equal(r.code, 1, 'bulk loading must not round 2.5 into a BIGINT');
  assert.match(r.stderr, /column frac \(BIGINT\): record 2 of .* has 2\.5/);
});

const QUOTES_MODEL = () =>
  model(`{"daily": {
  "#path": "${base}/query",
  "symbol": {"#type": "VarChar(16),#key", "#virtual": true, "#default": "MSFT", "#eq": "symbol"},
  "Meta Data": {"symbol<meta_symbol>": "VarChar"},
  "Time Series (Daily){Date}": {"close": "Double"}
}}`);

test("a child table filtered by its parent's key reaches the parent's request (was: the default symbol, 0 rows)", async () => {
  const file = QUOTES_MODEL();
  const tables = await runCli(['describe', '-c', `RestConfigFile=${file}`, '--format', 'csv', 'daily_TimeSeries']);
  assert.equal(tables.code, 0, tables.stderr);
  assert.match(tables.stdout, /daily_symbol,VARCHAR,true/);
  const mark = seen.length;
  const r = await runCli(['query', '-c', `RestConfigFile=${file}`, '--format', 'csv', "SELECT key, close FROM daily_TimeSeries WHERE daily_symbol = 'PRGS' ORDER BY key"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'key,close\n2024-01-02,53.1\n2024-01-03,52.4\n2024-01-04,52.95\n');
  assert.deepEqual(seen.slice(mark), ['/query?symbol=PRGS']);
  // Joins through the parent keep working, the condition on either side.
  for (const where of ["d.symbol = 'PRGS'", "t.daily_symbol = 'PRGS'"]) {
    const j = await runCli(['query', '-c', `RestConfigFile=${file}`, '--format', 'csv', `SELECT d.meta_symbol, count(*) AS n FROM daily d JOIN daily_TimeSeries t ON t.daily_symbol = d.symbol WHERE ${where} GROUP BY 1`]);
    assert.equal(j.code, 0, j.stderr);
    assert.equal(j.stdout, 'meta_symbol,n\nPRGS,3\n', where);
  }
  // No condition: the default.
  const d = await runCli(['query', '-c', `RestConfigFile=${file}`, '--format', 'csv', 'SELECT count(*) AS n FROM daily_TimeSeries']);
  assert.equal(d.stdout, 'n\n2\n');
});

test('writes and DDL on API tables without write directives are refused and change nothing; a statement without rows runs once', async () => {
  const file = USERS_MODEL();
  // Writes reach the API or fail: this table has no #insert, #update or #delete.
  const writes = ["INSERT INTO users VALUES (99, 'x', true, 'west')", "UPDATE users SET name = 'x' WHERE id = 1", 'DELETE FROM users'];
  for (const sql of writes) {
    const r = await runCli(['query', '-c', `RestConfigFile=${file}`, sql]);
    assert.equal(r.code, 1, sql);
    assert.match(r.stderr, /error\[WRITE_NOT_ENABLED\]: (INSERT|UPDATE|DELETE) on users: the model file's entry for users has no #(insert|update|delete)/, sql);
  }
  const cases = [
    'DROP VIEW users',
    'DROP TABLE users',
    'ALTER VIEW users RENAME TO u2',
    'CREATE OR REPLACE VIEW users AS SELECT 1 AS id',
    'CREATE OR REPLACE TABLE users AS SELECT 1 AS id',
    // Shadowing an API table with an object of one's own name is a change of it too.
    'CREATE TEMP TABLE users AS SELECT 1 AS id',
    'CREATE TEMP VIEW users AS SELECT 1 AS id',
  ];
  for (const sql of cases) {
    const r = await runCli(['query', '-c', `RestConfigFile=${file}`, sql]);
    assert.equal(r.code, 1, sql);
    assert.match(r.stderr, /error\[READ_ONLY\]: 'users' is an API table/, sql);
  }
  // In one connection: a refused write leaves the table as the API has it, and the connection usable.
  const conn = await connect(`RestConfigFile=${file}`);
  try {
    for (const sql of cases) await assert.rejects(conn.query(sql), (e: unknown) => (e as { code?: string }).code === 'READ_ONLY', sql);
    for (const sql of writes) await assert.rejects(conn.query(sql), (e: unknown) => (e as { code?: string }).code === 'WRITE_NOT_ENABLED', sql);
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n, max(name) AS m FROM users')).rows, [{ n: 20, m: 'u9' }]);
    // A temp table of one's own is writable.
    await conn.query('CREATE TEMP TABLE mine AS SELECT * FROM users WHERE id <= 3; DELETE FROM mine WHERE id = 1');
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM mine')).rows, [{ n: 2 }]);
  } finally {
    await conn.close();
  }
  const once = await runCli(['query', '-c', `RestConfigFile=${file}`, 'CREATE TABLE t(a int)']);
  assert.equal(once.code, 0, once.stderr);
  assert.doesNotMatch(once.stderr, /already exists/);
});

test('every statement sees its API tables: scripts, CREATE TABLE AS, SET VARIABLE, PIVOT; a stale narrowed copy is never reused', async () => {
  const file = USERS_MODEL();
  const c = ['-c', `RestConfigFile=${file}`, '--format', 'csv'];
  const script = await runCli(['query', ...c, 'CREATE TEMP TABLE x AS SELECT * FROM users; SELECT count(*) AS n FROM x']);
  assert.equal(script.code, 0, script.stderr);
  assert.match(script.stdout, /n\n20\n$/);
  const variable = await runCli(['query', ...c, 'SET VARIABLE v = 1; SELECT count(*) + getvariable(\'v\') AS n FROM users']);
  assert.equal(variable.code, 0, variable.stderr);
  assert.match(variable.stdout, /n\n21\n$/);
  const pivot = await runCli(['query', ...c, 'PIVOT (SELECT region FROM users) ON region USING count(*)']);
  assert.equal(pivot.code, 0, pivot.stderr);
  assert.match(pivot.stdout, /north,south\n10,10\n$/);
  const txn = await runCli(['query', ...c, 'BEGIN; CREATE TEMP TABLE y AS SELECT * FROM users; SELECT count(*) AS n FROM y; COMMIT']);
  assert.equal(txn.code, 0, txn.stderr);
  assert.match(txn.stdout, /n\n20\n/);
  // Dynamic SQL the text does not name: fetched when DuckDB reads it; inside a transaction (which
  // that failed read has aborted) a clear error, never 0 rows.
  const dynamic = "SELECT * FROM query('SELECT count(*) AS n FROM us' || 'ers')";
  const outside = await runCli(['query', ...c, dynamic]);
  assert.equal(outside.code, 0, outside.stderr);
  assert.equal(outside.stdout, 'n\n20\n');
  const inside = await runCli(['query', ...c, `BEGIN; ${dynamic}; COMMIT`]);
  assert.equal(inside.code, 1);
  assert.match(inside.stderr, /error\[QUERY_TABLES_UNKNOWN\]: The statement reads API table 'users'/);
  const conn = await connect(`RestConfigFile=${file}`);
  try {
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM users WHERE active = false')).rows, [{ n: 4 }]);
    // The narrowed copy served that statement only: PIVOT (whose tables the planner cannot see) fetches all.
    assert.deepEqual((await conn.query('PIVOT (SELECT active FROM users) ON active USING count(*)')).rows, [{ false: 4, true: 16 }]);
    // A second reference in a subquery keeps the condition in DuckDB.
    assert.deepEqual((await conn.query('SELECT (SELECT count(*) FROM users)::INTEGER AS total, count(*)::INTEGER AS n FROM users WHERE active = false')).rows, [{ total: 20, n: 4 }]);
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM users a, users b WHERE a.active = false')).rows, [{ n: 80 }]);
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM users a JOIN users b ON a.id = b.id WHERE a.active = false')).rows, [{ n: 4 }]);
  } finally {
    await conn.close();
  }
});

const PAGED_MODEL = (extra = '') => model(`{"users": {"#path": "${base}/paged /data", "#maximumPageSize": 5, "#pageSizeParameter": "limit", "#rowOffsetParameter": "offset", "#totalRowsElement": "total", "id": "Integer,#key", "name": "VarChar", "active": "Boolean", "region": {"#type": "VarChar", "#eq": "region"${extra}}}}`);

test('review regressions: exact big constants, unfetched tables in any shape, LIMIT only for bare columns, query_table holds narrowing', async () => {
  const big = model(`{"big": {"#path": "${base}/big", "id": "Integer,#key", "b": {"#type": "BigInt", "#eq": "b"}}}`);
  const mark = seen.length;
  const r = await runCli(['query', '-c', `RestConfigFile=${big}`, '--format', 'csv', 'SELECT id FROM big WHERE b = 9007199254740993']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'id\n2\n');
  assert.deepEqual(seen.slice(mark), ['/big?b=9007199254740993']);

  const conn = await connect(`RestConfigFile=${PAGED_MODEL()}`);
  try {
    // A WHERE on a column of an unfetched table could fold to false without reading it.
    assert.deepEqual((await conn.query("SELECT count(*)::INTEGER AS n FROM query_table('users') WHERE id > 0")).rows, [{ n: 20 }]);
    assert.deepEqual((await conn.query("SELECT count(*)::INTEGER AS n FROM users u WHERE u.region = 'north' AND (SELECT count(*) FROM query_table('users')) = 20")).rows, [{ n: 10 }]);
    // LIMIT may stop paging only when the select list is bare columns.
    assert.deepEqual((await conn.query('SELECT region FROM users GROUP BY ALL ORDER BY 1 LIMIT 5')).rows, [{ region: 'north' }, { region: 'south' }]);
    assert.deepEqual((await conn.query('SELECT count_if(id > 0)::INTEGER AS n FROM users LIMIT 1')).rows, [{ n: 20 }]);
    assert.deepEqual((await conn.query('SELECT unnest(CASE WHEN id > 18 THEN [id] ELSE [] END) AS x FROM users LIMIT 3')).rows, [{ x: 19 }, { x: 20 }]);
  } finally {
    await conn.close();
  }
});

test('review regressions: virtual conditions restsql cannot read are errors, parameters are read; a #default never answers in place of a held condition', async () => {
  const quotes = QUOTES_MODEL();
  const cte = await runCli(['query', '-c', `RestConfigFile=${quotes}`, "WITH x AS (SELECT * FROM daily WHERE symbol = 'PRGS') SELECT count(*) FROM x"]);
  assert.equal(cte.code, 1);
  assert.match(cte.stderr, /error\[QUERY_MISSING_FILTER\]: 'symbol' of table 'daily' is a virtual column/);
  const script = await runCli(['query', '-c', `RestConfigFile=${quotes}`, "CREATE TEMP TABLE x AS SELECT * FROM daily WHERE symbol = 'PRGS'; SELECT count(*) FROM x"]);
  assert.equal(script.code, 1);
  assert.match(script.stderr, /QUERY_MISSING_FILTER/);
  const conn = await connect(`RestConfigFile=${quotes}`);
  try {
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM daily_TimeSeries WHERE daily_symbol = $1', ['PRGS'])).rows, [{ n: 3 }]);
  } finally {
    await conn.close();
  }

  const defaulted = PAGED_MODEL(', "#default": "north"');
  const c2 = await connect(`RestConfigFile=${defaulted}`);
  try {
    assert.deepEqual((await c2.query('SELECT count(*)::INTEGER AS n FROM users')).rows, [{ n: 10 }], 'the default says what the table is');
    assert.deepEqual((await c2.query("SELECT count(*)::INTEGER AS n FROM users WHERE region = 'south'")).rows, [{ n: 10 }], 'not answered from the default-narrowed rows');
    await assert.rejects(c2.query("SELECT count(*) AS n FROM users WHERE region = 'south' AND id IN (SELECT id FROM users)"), (e: unknown) => (e as { code?: string }).code === 'QUERY_MISSING_FILTER');
  } finally {
    await c2.close();
  }
  const off = await runCli(['query', '-c', `RestConfigFile=${defaulted};FilterPushdown=0`, "SELECT count(*) FROM users WHERE region = 'south'"]);
  assert.equal(off.code, 1);
  assert.match(off.stderr, /sends #default for 'region'/);
});

test('a condition on a virtual column that restsql cannot send (IN a subquery, a function of the column) is an error or the right rows, never the #default\'s rows', async () => {
  const conn = await connect(`RestConfigFile=${QUOTES_MODEL()}`);
  try {
    const cases: [string, number][] = [
      // Right answers: PRGS has one daily row and 3 quotes.
      ["SELECT count(*)::INTEGER AS n FROM daily WHERE symbol IN (SELECT 'PRGS')", 1],
      ["SELECT count(*)::INTEGER AS n FROM daily_TimeSeries WHERE daily_symbol IN (SELECT 'PRGS')", 3],
      ["SELECT count(*)::INTEGER AS n FROM daily_TimeSeries WHERE upper(daily_symbol) = 'PRGS'", 3],
    ];
    for (const [sql, n] of cases) {
      const got = await conn.query(sql).then(
        (r) => r.rows,
        (e: unknown) => (e as { code?: string }).code,
      );
      assert.ok(got === 'QUERY_MISSING_FILTER' || JSON.stringify(got) === JSON.stringify([{ n }]), `${sql}: ${JSON.stringify(got)} (the #default MSFT was fetched and filtered to nothing)`);
    }
  } finally {
    await conn.close();
  }
});

test('review regressions: transactions (bulk loads never abort them; a ROLLBACK never leaves restsql believing in rows it undid); integer text fills Integer columns', async () => {
  const conn = await connect(`RestConfigFile=${PAGED_MODEL()}`);
  try {
    await conn.query('CREATE TEMP TABLE mine(x INTEGER)');
    await conn.query('BEGIN');
    await conn.query('INSERT INTO mine VALUES (1), (2)');
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM users')).rows, [{ n: 20 }]);
    await conn.query('COMMIT');
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM mine')).rows, [{ n: 2 }]);
    assert.deepEqual((await conn.query("SELECT count(*)::INTEGER AS n FROM users WHERE region = 'north'")).rows, [{ n: 10 }]);
    await conn.query('BEGIN');
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM users')).rows, [{ n: 20 }]);
    await conn.query('ROLLBACK');
    assert.deepEqual((await conn.query('SELECT count(*)::INTEGER AS n FROM users')).rows, [{ n: 20 }]);
    assert.deepEqual((await conn.query("SELECT count(*)::INTEGER AS n FROM users WHERE region = 'south'")).rows, [{ n: 10 }]);
  } finally {
    await conn.close();
  }
  const text = model(`{"t": {"#path": "${base}/text", "id": "Integer,#key", "n": "Integer", "pid": {"#type": "Integer", "#virtual": true, "#eq": "pid"}}}`);
  const r = await runCli(['query', '-c', `RestConfigFile=${text}`, '--format', 'csv', 'SELECT n, pid FROM t WHERE pid = 5']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'n,pid\n42,5\n');
});
