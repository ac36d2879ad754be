/**
 * Routines end to end: a model file with DataDirect's `routines` (scalar and table functions,
 * procedures) against a loopback API, through the real CLI (functions reading API tables fetch
 * them, a procedure of two statements, CALL with arguments and bound parameters, the {call}
 * escape, a session's own function and procedure, the errors with their codes and exit status)
 * and through `restsql serve` with node-postgres (a BEGIN ATOMIC definition in a simple query,
 * CALL with $n parameters in the extended protocol).
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { openHub } from '../../src/index.js';
import { startServer } from '../../src/server/server.js';
import { runCli } from '../support/cli.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

const ORDERS = [
  { id: 1, customer_id: 5, status: 'open', total: 10.5 },
  { id: 2, customer_id: 5, status: 'closed', total: 3 },
  { id: 3, customer_id: 6, status: 'open', total: 1.25 },
];

const dir = tempDir(after, 'restsql-routines-e2e-');
let api: Listening<Server>;
const seen: string[] = [];
let model = '';
let conn = '';

const ROUTINES = [
  "CREATE FUNCTION fullName(first VARCHAR(50), last VARCHAR(50)) RETURNS VARCHAR(101) DETERMINISTIC RETURNS NULL ON NULL INPUT LANGUAGE SQL SPECIFIC fullName1 RETURN first || ' ' || last",
  "CREATE FUNCTION openOrders(cust INTEGER) RETURNS TABLE (id INTEGER, total DOUBLE) READS SQL DATA RETURN TABLE (SELECT id, total FROM orders WHERE customer_id = cust AND status = 'open')",
  "CREATE PROCEDURE logOrder(IN k INTEGER, IN note VARCHAR(40)) MODIFIES SQL DATA BEGIN ATOMIC INSERT INTO log SELECT id, note FROM orders WHERE id = k; INSERT INTO log VALUES (k * 100, note || '!'); END",
  'CREATE PROCEDURE logOf(IN k INTEGER) READS SQL DATA SELECT id, note FROM log WHERE id >= k ORDER BY id',
];

before(async () => {
  api = await startHttpServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.url === '/orders') return res.end(JSON.stringify(ORDERS));
    res.statusCode = 404;
    res.end('{}');
  });
  model = join(dir, 'shop.rest');
  writeFileSync(
    model,
    JSON.stringify(
      {
        '#hostname': api.url,
        orders: { '#path': '/orders', id: 'Integer,#key', customer_id: 'Integer', status: 'VarChar', total: 'Double' },
        routines: ROUTINES,
      },
      null,
      2,
    ),
  );
  conn = `RestConfigFile=${model}`;
});
after(() => api.close());

async function csv(sql: string): Promise<{ code: number; lines: string[]; stderr: string }> {
  const r = await runCli(['query', '-c', conn, '--format', 'csv', sql]);
  return { code: r.code, lines: r.stdout.split(/\r?\n/).filter((l) => l !== ''), stderr: r.stderr };
}

test('CLI: a scalar function, and a table function that reads an API table (the API gets the request)', async () => {
  const scalar = await csv("SELECT fullName('Ada', 'Lovelace') AS n, fullName(NULL, 'x') IS NULL AS null_in");
  assert.equal(scalar.code, 0, scalar.stderr);
  assert.deepEqual(scalar.lines, ['n,null_in', 'Ada Lovelace,true']);
  const mark = seen.length;
  const table = await csv('SELECT * FROM openOrders(5) ORDER BY id');
  assert.equal(table.code, 0, table.stderr);
  assert.deepEqual(table.lines, ['id,total', '1,10.5']);
  assert.deepEqual(seen.slice(mark), ['/orders']);
});

test('CLI: a procedure of two statements, CALL with arguments, the {call} escape, and the rows of a procedure ending in a SELECT', async () => {
  const r = await csv("CREATE TEMP TABLE log (id INTEGER, note VARCHAR); CALL logOrder(1, 'first'); {call logOrder(3, 'third')}; CALL logOf(2)");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines, [
    'Count',
    'status,statements,rows_changed',
    '"CALL logOrder: 2 statements run, 2 rows changed",2,2',
    'status,statements,rows_changed',
    '"CALL logOrder: 2 statements run, 2 rows changed",2,2',
    'id,note',
    '3,third',
    '100,first!',
    '300,third!',
  ]);
});

test("CLI: a session's own function and procedure in DataDirect's syntax, defined and called in one script", async () => {
  const r = await csv(`CREATE FUNCTION twice(x INTEGER) RETURNS INTEGER RETURN x * 2;
    CREATE PROCEDURE spend(IN cust INTEGER) BEGIN ATOMIC SELECT cust AS customer, sum(total) AS spent FROM orders WHERE customer_id = cust; END;
    SELECT twice(21) AS t;
    CALL spend(5)`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines, ['Count', 'Count', 't', '42', 'customer,spent', '5,13.5']);
  // Another run is another session: they are gone.
  const again = await csv('SELECT twice(1)');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /twice/);
});

test('CLI: errors have a code and exit status 1 (unknown routine, argument count, compound statement); a bad model-file routine is exit 2 with its line', async () => {
  const cases: [string, string, RegExp][] = [
    ['CALL nosuch(1)', 'ROUTINE_UNKNOWN', /CALL nosuch: no procedure or function of that name\. Routines defined: fullName, openOrders, logOrder, logOf\./],
    ['{call nosuch}', 'ROUTINE_UNKNOWN', /CALL nosuch/],
    ['CALL logOrder(1)', 'ROUTINE_ARGUMENTS', /procedure logOrder takes 2 arguments, not 1/],
    ["CALL logOf('x')", 'ROUTINE_ARGUMENT_VALUE', /logOf\(k INTEGER\)/],
    ['CREATE PROCEDURE p() BEGIN ATOMIC DECLARE x INT; END', 'ROUTINE_UNSUPPORTED', /routine 'p': DECLARE is a compound statement/],
    ['CREATE FUNCTION f() RETURNS INT LANGUAGE JAVA EXTERNAL NAME \'C.m\'', 'ROUTINE_UNSUPPORTED', /LANGUAGE JAVA/],
  ];
  for (const [sql, code, message] of cases) {
    const r = await runCli(['query', '-c', conn, sql]);
    assert.equal(r.code, 1, `${sql}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`error\\[${code}\\]`), sql);
    assert.match(r.stderr, message, sql);
    assert.match(r.stderr, /hint: /, sql);
  }
  const bad = join(dir, 'bad.rest');
  writeFileSync(bad, `{\n  "orders": "${api.url}/orders",\n  "#routines": [\n    "CREATE PROCEDURE p(OUT x INTEGER) SELECT 1"\n  ]\n}`);
  const r = await runCli(['query', '-c', `RestConfigFile=${bad}`, 'SELECT 1']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /error\[CONFIG_UNSUPPORTED\].*bad\.rest:4:25: routine 'p': OUT parameter 'x'/);
});

test('serve: node-postgres calls functions with $n, defines a procedure with BEGIN ATOMIC in a simple query, and CALLs it with parameters', async () => {
  const hub = await openHub(conn);
  const server = await startServer(hub, {
    host: '127.0.0.1',
    port: 0,
    password: 'routines-pw',
    method: 'scram-sha-256',
    maxSessions: 4,
    limits: { maxMessageBytes: 1024 * 1024, startupTimeoutMs: 10_000, idleTimeoutMs: 0, highWaterMark: 64 * 1024 },
    serverVersion: '15.18 (restsql test)',
    log: () => undefined,
  });
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'tester', password: 'routines-pw', database: 'restsql', connectionTimeoutMillis: 60_000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    assert.deepEqual((await c.query({ text: 'SELECT fullName($1, $2) AS n', values: ['Grace', 'Hopper'] })).rows, [{ n: 'Grace Hopper' }]);
    assert.deepEqual((await c.query('SELECT * FROM openOrders(6)')).rows, [{ id: 3, total: 1.25 }]);
    await c.query('CREATE TEMP TABLE log (id INTEGER, note VARCHAR)');
    const made = await c.query("CREATE PROCEDURE addTwo(IN k INTEGER) BEGIN ATOMIC INSERT INTO log VALUES (k, 'a'); INSERT INTO log VALUES (k + 1, 'b'); END");
    assert.equal(made.command, 'CREATE');
    const called = await c.query({ text: 'CALL addTwo($1)', values: [7] });
    assert.deepEqual(called.rows, [{ status: 'CALL addTwo: 2 statements run, 2 rows changed', statements: 2, rows_changed: '2' }]);
    assert.deepEqual((await c.query({ text: '{call logOf($1)}', values: [7] })).rows, [{ id: 7, note: 'a' }, { id: 8, note: 'b' }]);
    await assert.rejects(c.query({ text: 'CALL addTwo($1, $2)', values: [1, 2] }), (e: { code?: string; message?: string }) => e.code === '42883' && /takes 1 argument, not 2/.test(e.message ?? ''));
  } finally {
    await c.end().catch(() => undefined);
    await server.close();
    await hub.close();
  }
});
