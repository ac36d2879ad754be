/**
 * Routines through the library against a loopback API (src/engine/routines/, the Connection
 * hook, the hub's installRoutines): the model file's functions in every session, reading API
 * tables only after fetching them (in a transaction too) without disabling pushdown for
 * statements that do not call them; CALL of procedures, functions and DuckDB's table functions,
 * with bound parameters, the escapes, and each statement entry (queryAll, open, stream,
 * describe); routines a session defines, replaces and drops, for itself only and until REFRESH
 * MAP; and every error with its code.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, isRestSqlError, openHub, type Connection } from '../../src/index.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

const ORDERS = [
  { id: 1, customer_id: 5, status: 'open', total: 10.5 },
  { id: 2, customer_id: 5, status: 'closed', total: 3 },
  { id: 3, customer_id: 6, status: 'open', total: 1.25 },
];

let api: Listening<Server>;
const seen: string[] = [];
const dir = tempDir(after, 'restsql-routines-');

before(async () => {
  api = await startHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    seen.push(url);
    res.setHeader('content-type', 'application/json');
    const one = /^\/orders\/(\d+)$/.exec(url);
    if (one) return res.end(JSON.stringify(ORDERS.find((o) => o.id === Number(one[1])) ?? {}));
    if (url === '/orders') return res.end(JSON.stringify(ORDERS));
    res.statusCode = 404;
    res.end('{}');
  });
});
after(() => api.close());

const ROUTINES = [
  "CREATE FUNCTION fullName(first VARCHAR(50), last VARCHAR(50)) RETURNS VARCHAR(101) DETERMINISTIC RETURNS NULL ON NULL INPUT LANGUAGE SQL SPECIFIC fullName1 RETURN first || ' ' || last",
  "CREATE FUNCTION openOrders(cust INTEGER) RETURNS TABLE (id INTEGER, total DOUBLE) READS SQL DATA RETURN TABLE (SELECT id, total FROM orders WHERE customer_id = cust AND status = 'open')",
  'CREATE FUNCTION orderCount(cust INTEGER) RETURNS INTEGER RETURN (SELECT count(*) FROM orders WHERE customer_id = cust)',
  "CREATE PROCEDURE logOrder(IN k INTEGER, IN note VARCHAR(40)) MODIFIES SQL DATA BEGIN ATOMIC INSERT INTO log SELECT id, note FROM orders WHERE id = k; INSERT INTO log VALUES (k * 100, note || '!'); END",
  'CREATE PROCEDURE logOf(IN k INTEGER) READS SQL DATA SELECT id, note FROM log WHERE id >= k ORDER BY id',
  'CREATE PROCEDURE broken() BEGIN ATOMIC SELECT 1; SELECT nosuch FROM orders; END',
  'CREATE PROCEDURE forever(IN n INTEGER) CALL forever(n + 1)',
];

function modelFile(routines: readonly string[] = ROUTINES, key = 'routines'): string {
  const file = join(dir, `m${Math.random().toString(36).slice(2)}.rest`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        '#hostname': api.url,
        orders: { '#path': ['/orders/{id}', '/orders'], id: 'Integer,#key', customer_id: 'Integer', status: 'VarChar', total: 'Double' },
        [key]: routines,
      },
      null,
      2,
    ),
  );
  return file;
}

async function withConn<T>(fn: (c: Connection) => Promise<T>, extra = '', file = modelFile()): Promise<T> {
  const c = await connect(`RestConfigFile=${file}${extra}`);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

const rowsOf = async (c: Connection, sql: string, params?: unknown[]) => (await c.query(sql, params)).rows;

function rejectsWith(code: string, message: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(isRestSqlError(e), String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    assert.ok(typeof e.hint === 'string' && e.hint.length > 0);
    return true;
  };
}

test("the model file's functions: scalar and table ones in every session; a table function's API table is fetched before it is read, in a transaction too", async () => {
  await withConn(async (c) => {
    assert.deepEqual(await rowsOf(c, "SELECT fullName('Ada', 'Lovelace') AS n, fullName(NULL, 'x') AS m"), [{ n: 'Ada Lovelace', m: null }]);
    const mark = seen.length;
    assert.deepEqual(await rowsOf(c, 'SELECT * FROM openOrders(5)'), [{ id: 1, total: 10.5 }]);
    assert.deepEqual(seen.slice(mark), ['/orders'], 'the whole table: the condition is inside the function');
    assert.deepEqual(await rowsOf(c, 'SELECT orderCount(5) AS n'), [{ n: 2 }]);
  });
  // A new connection (nothing fetched yet), the function's first read inside a transaction.
  await withConn(async (c) => {
    const mark = seen.length;
    const results = await c.queryAll('BEGIN; SELECT * FROM openOrders(6); SELECT orderCount(6) AS n; COMMIT');
    assert.deepEqual(results[1]!.rows, [{ id: 3, total: 1.25 }]);
    assert.deepEqual(results[2]!.rows, [{ n: 1 }]);
    assert.ok(seen.slice(mark).includes('/orders'));
  });
  // The functions are there for InitializationString already.
  await withConn(async (c) => assert.deepEqual(await rowsOf(c, 'SELECT * FROM init'), [{ n: 'a b' }]), ";InitializationString=CREATE TEMP TABLE init AS SELECT fullName('a', 'b') AS n");
});

test('pushdown still narrows statements that name no function or view of the session; one that names a function or view reading the table fetches all of it', async () => {
  await withConn(async (c) => {
    let mark = seen.length;
    assert.deepEqual(await rowsOf(c, 'SELECT id, status FROM orders WHERE id = 2'), [{ id: 2, status: 'closed' }]);
    assert.deepEqual(seen.slice(mark), ['/orders/2']);
    mark = seen.length;
    // orderCount reads orders too: rows narrowed to id = 2 would give it a wrong count.
    assert.deepEqual(await rowsOf(c, 'SELECT id, orderCount(5) AS n FROM orders WHERE id = 2'), [{ id: 2, n: 2 }]);
    assert.deepEqual(seen.slice(mark), ['/orders']);
  });
  // The same for a view of the user's own: held only for a statement that names it.
  await withConn(async (c) => {
    await c.query('CREATE TEMP VIEW fives AS SELECT * FROM orders WHERE customer_id = 5');
    const mark = seen.length;
    assert.deepEqual(await rowsOf(c, 'SELECT id FROM orders WHERE id = 3'), [{ id: 3 }]);
    assert.deepEqual(seen.slice(mark), ['/orders/3']);
    // Narrowed to /orders/3, the view would count no order of customer 5 (the whole table is cached from CREATE VIEW).
    assert.deepEqual(await rowsOf(c, 'SELECT id, (SELECT count(*)::INTEGER FROM fives) AS n FROM orders WHERE id = 3'), [{ id: 3, n: 2 }]);
  });
});

test('CALL: a procedure runs its statements in order; the result is its last SELECT, else a status row with the rows changed', async () => {
  await withConn(async (c) => {
    await c.query('CREATE TEMP TABLE log (id INTEGER, note VARCHAR)');
    const [r] = await c.queryAll("CALL logOrder(1, 'first')");
    assert.deepEqual(r!.rows, [{ status: 'CALL logOrder: 2 statements run, 2 rows changed', statements: 2, rows_changed: 2 }]);
    assert.equal(r!.rowsChanged, 2);
    assert.deepEqual(await rowsOf(c, 'CALL logOf(0)'), [{ id: 1, note: 'first' }, { id: 100, note: 'first!' }]);
    // Bound parameters, $n and ?, are evaluated as the parameters' types.
    await c.query('CALL logOrder($1, $2)', ['3', 'third']);
    await c.query('CALL logOrder(?, ?)', [2, 'second']);
    assert.deepEqual(await rowsOf(c, 'CALL logOf(?)', [200]), [{ id: 200, note: 'second!' }, { id: 300, note: 'third!' }]);
    // The ODBC/JDBC escapes, any case; {?= call} is a function's value.
    assert.deepEqual(await rowsOf(c, '{call logOf(300)}'), [{ id: 300, note: 'third!' }]);
    assert.deepEqual(await rowsOf(c, "{?= CALL fullName('x', 'y')}"), [{ "fullname('x', 'y')": 'x y' }]);
    // CALL of a function; of DuckDB's own table function.
    assert.deepEqual(await rowsOf(c, "CALL fullName('x', 'y')"), [{ fullName: 'x y' }]);
    assert.deepEqual(await rowsOf(c, 'CALL openOrders(5)'), [{ id: 1, total: 10.5 }]);
    assert.equal((await rowsOf(c, 'CALL pragma_version()')).length, 1);
    // A script with CALLs: each statement's result.
    const results = await c.queryAll("SELECT 1 AS a; CALL logOf(300); CALL logOrder(1, 'again')");
    assert.deepEqual(results.map((x) => x.rows.length), [1, 1, 1]);
    assert.equal(results[2]!.rows[0]!.status, 'CALL logOrder: 2 statements run, 2 rows changed');
  });
});

test('CALL through open(), stream() and describe() (the entries restsql serve and the CLI use)', async () => {
  await withConn(async (c) => {
    await c.query('CREATE TEMP TABLE log (id INTEGER, note VARCHAR)');
    const shape = await c.describe('CALL logOrder($1, $2)');
    assert.deepEqual([shape.statementType, shape.params.map((t) => t?.toString()), shape.columns.map((x) => x.name)], [19, ['INTEGER', 'VARCHAR'], ['status', 'statements', 'rows_changed']]);
    assert.equal((await rowsOf(c, 'SELECT count(*)::INTEGER AS n FROM log'))[0]!.n, 0, 'describe runs nothing');
    const open = await c.open('CALL logOrder($1, $2)', [1, 'o']);
    assert.equal(open.statementType, 19);
    assert.equal(open.rowsChanged, 2);
    const chunk = await open.next();
    assert.equal(chunk?.rowCount, 1);
    assert.equal(await open.next(), undefined);
    const batches = [];
    for await (const b of c.stream('CALL logOf($1)', [0])) batches.push(...b.rows);
    assert.deepEqual(batches, [{ id: 1, note: 'o' }, { id: 100, note: 'o!' }]);
    const described = await c.describe('CALL logOf(1)');
    assert.deepEqual(described.columns.map((x) => [x.name, x.type.toString()]), [['id', 'INTEGER'], ['note', 'VARCHAR']]);
    assert.deepEqual((await c.describe("CREATE PROCEDURE p2() SELECT 1")).statementType, 7);
    await assert.rejects(c.describe('CALL nosuch()'), rejectsWith('ROUTINE_UNKNOWN', /CALL nosuch/));
  });
});

test("a session's own routines: CREATE FUNCTION/PROCEDURE in DataDirect's syntax, OR REPLACE, DROP; for that session only; REFRESH MAP ends them; DuckDB's CREATE FUNCTION ... AS is DuckDB's", async () => {
  const file = modelFile();
  const hub = await openHub(`RestConfigFile=${file}`);
  try {
    const [a, b] = [await hub.session(), await hub.session()];
    const results = await a.queryAll(`CREATE FUNCTION twice(x INTEGER) RETURNS INTEGER RETURN x * 2;
      CREATE PROCEDURE total(IN cust INTEGER) BEGIN ATOMIC SELECT sum(total) AS total FROM orders WHERE customer_id = cust; END;
      SELECT twice(21) AS t; CALL total(5)`);
    assert.deepEqual(results.map((r) => r.rows), [[], [], [{ t: 42 }], [{ total: 13.5 }]]);
    assert.deepEqual(results[0]!.columns.map((x) => x.name), ['Count'], 'as DuckDB answers a CREATE');
    await assert.rejects(b.query('SELECT twice(1)'), /twice/);
    await assert.rejects(b.query('CALL total(5)'), rejectsWith('ROUTINE_UNKNOWN', /CALL total: no procedure or function/));
    await assert.rejects(a.query('CREATE FUNCTION twice(x INTEGER) RETURNS INTEGER RETURN x'), rejectsWith('ROUTINE_DUPLICATE', /'twice' already exists in this session/));
    await a.query('CREATE OR REPLACE FUNCTION twice(x INTEGER) RETURNS INTEGER RETURN x * 3');
    assert.deepEqual(await rowsOf(a, 'SELECT twice(2) AS t'), [{ t: 6 }]);
    // A scalar function replaced by a table function, and a function by a procedure.
    await a.query('CREATE OR REPLACE FUNCTION twice(x INTEGER) RETURNS TABLE (t INTEGER) RETURN TABLE (SELECT x * 4)');
    assert.deepEqual(await rowsOf(a, 'SELECT * FROM twice(2)'), [{ t: 8 }]);
    await a.query('CREATE OR REPLACE PROCEDURE twice(IN x INTEGER) SELECT x * 5 AS t');
    assert.deepEqual(await rowsOf(a, 'CALL twice(2)'), [{ t: 10 }]);
    await assert.rejects(a.query('SELECT * FROM twice(2)'), /twice/);
    await a.query('DROP PROCEDURE twice');
    await assert.rejects(a.query('CALL twice(2)'), rejectsWith('ROUTINE_UNKNOWN', /twice/));
    await a.query('DROP ROUTINE IF EXISTS twice');
    await assert.rejects(a.query('DROP FUNCTION total'), (e: unknown) => isRestSqlError(e) && e.code !== 'ROUTINE_UNKNOWN' ? true : assert.fail(String(e)));
    await assert.rejects(a.query('DROP PROCEDURE nosuch'), rejectsWith('ROUTINE_UNKNOWN', /DROP PROCEDURE nosuch: no procedure of that name in this session/));
    await assert.rejects(a.query('DROP PROCEDURE logOf'), rejectsWith('QUERY_NOT_ALLOWED', /'logOf' is defined in the model file/));
    await assert.rejects(a.query('CREATE PROCEDURE logOf() SELECT 1'), rejectsWith('ROUTINE_DUPLICATE', /'logOf' is defined in the model file \(.*\.rest:\d+\)/));
    await assert.rejects(a.query('CREATE FUNCTION upper(x VARCHAR) RETURNS VARCHAR RETURN x'), rejectsWith('ROUTINE_INVALID', /'upper' is the name of a DuckDB function/));
    // DuckDB's own syntax is DuckDB's, as before.
    await a.query('CREATE FUNCTION plus1(a) AS a + 1');
    await a.query('CREATE MACRO plus2(a) AS a + 2');
    assert.deepEqual(await rowsOf(a, 'SELECT plus1(1) AS x, plus2(1) AS y'), [{ x: 2, y: 3 }]);
    await a.query('DROP FUNCTION plus1');
  } finally {
    await hub.close();
  }
  // REFRESH MAP gives the session a new engine: its own routines end with it, the model file's stay.
  await withConn(async (c) => {
    await c.query('CREATE PROCEDURE mine() SELECT 1 AS x');
    await c.query('CREATE FUNCTION mineFn() RETURNS INTEGER RETURN 2');
    await c.query('REFRESH MAP');
    await assert.rejects(c.query('CALL mine()'), rejectsWith('ROUTINE_UNKNOWN', /mine/));
    await assert.rejects(c.query('SELECT mineFn()'), /mineFn/i);
    await c.query('CREATE FUNCTION mineFn() RETURNS INTEGER RETURN 3');
    assert.deepEqual(await rowsOf(c, "SELECT mineFn() AS m, fullName('a', 'b') AS n"), [{ m: 3, n: 'a b' }]);
  }, '', file);
});

test('errors: unknown routine, argument count and value, a failing statement named, nesting without end, a definition refused before any statement of its script runs', async () => {
  await withConn(async (c) => {
    await assert.rejects(c.query('CALL nosuch(1)'), rejectsWith('ROUTINE_UNKNOWN', /CALL nosuch: no procedure or function of that name\. Routines defined: fullName, openOrders, orderCount, logOrder, logOf, broken, forever\./));
    await assert.rejects(c.query('{call nosuch}'), rejectsWith('ROUTINE_UNKNOWN', /CALL nosuch/));
    await assert.rejects(c.query('CALL logOrder(1)'), rejectsWith('ROUTINE_ARGUMENTS', /procedure logOrder takes 2 arguments, not 1: logOrder\(k INTEGER, note VARCHAR\(40\)\)/));
    await assert.rejects(c.query('CALL fullName()'), rejectsWith('ROUTINE_ARGUMENTS', /function fullName takes 2 arguments, not 0/));
    await assert.rejects(c.query("CALL logOf('many')"), rejectsWith('ROUTINE_ARGUMENT_VALUE', /CALL logOf: an argument does not convert to its parameter's type \(logOf\(k INTEGER\)\)/));
    await assert.rejects(c.query('CALL broken()'), rejectsWith('QUERY_UNKNOWN_COLUMN', /^CALL broken, statement 2 of 2: .*nosuch/));
    await assert.rejects(c.query('CALL forever(1)'), rejectsWith('ROUTINE_NESTING', /more than 32 deep/));
    // The connection is fine afterwards, and nesting counts from zero again.
    assert.deepEqual(await rowsOf(c, "SELECT fullName('a', 'b') AS n"), [{ n: 'a b' }]);
    await assert.rejects(c.query('CALL forever(1)'), rejectsWith('ROUTINE_NESTING', /more than 32 deep/));
    const script = 'CREATE TEMP TABLE z (x INTEGER); CREATE PROCEDURE bad() BEGIN ATOMIC DECLARE y INT; END';
    await assert.rejects(c.query(script), (e: unknown) => {
      assert.ok(isRestSqlError(e) && e.code === 'ROUTINE_UNSUPPORTED', String(e));
      assert.equal(e.details.construct, 'DECLARE');
      assert.equal(e.details.position, script.indexOf('DECLARE') + 1, 'the position in the whole text');
      return true;
    });
    await assert.rejects(c.query('SELECT * FROM z'), /z/, 'nothing of the script ran');
  });
});

test("the model file's routines at connect: a function named like DuckDB's, or one DuckDB cannot make, fails naming the entry's line; #routines is the same key", async () => {
  await assert.rejects(connect(`RestConfigFile=${modelFile(['CREATE FUNCTION ok() RETURNS INT RETURN 1', 'CREATE FUNCTION length(x VARCHAR) RETURNS INT RETURN 1'])}`), rejectsWith('MODEL_INVALID', /\.rest:\d+:\d+: routine 'length': 'length' is the name of a DuckDB function/));
  await assert.rejects(connect(`RestConfigFile=${modelFile(['CREATE FUNCTION f() RETURNS TABLE (a INT) RETURN TABLE (SELECT nosuch FROM orders)'])}`), rejectsWith('MODEL_INVALID', /\.rest:\d+:\d+: routine 'f' cannot be made: .*nosuch/));
  // A table function using one defined after it is made after it.
  const file = modelFile(['CREATE FUNCTION outer_t() RETURNS TABLE (a INT) RETURN TABLE (SELECT a + 1 FROM inner_t())', 'CREATE FUNCTION inner_t() RETURNS TABLE (a INT) RETURN TABLE (SELECT 1)'], '#routines');
  await withConn(async (c) => assert.deepEqual(await rowsOf(c, 'SELECT * FROM outer_t()'), [{ a: 2 }]), '', file);
});
