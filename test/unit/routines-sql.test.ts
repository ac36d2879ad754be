/**
 * Routines as DuckDB SQL (src/engine/routines/routine-sql.ts, script.ts): the macros functions
 * become, run in a real DuckDB session (types, NULL on NULL input, result columns cast and
 * renamed); parameters written into bodies only where they stand for themselves; scripts split
 * with BEGIN ATOMIC kept whole; CALL and DROP read.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEngine, type Engine } from '../../src/engine/duckdb.js';
import { callSummarySql, functionCallSql, macroSql, returnsRows, substituteParams, typedLiteral } from '../../src/engine/routines/routine-sql.js';
import { routineTables } from '../../src/engine/routines/routine-tables.js';
import { callForm, dropForm, splitScript } from '../../src/engine/routines/script.js';
import { parseRoutine } from '../../src/model/routine-parse.js';
import type { FunctionDef } from '../../src/model/types.js';

let engine: Engine;
before(async () => {
  engine = await createEngine();
});
after(() => engine.close());

const fn = (src: string) => parseRoutine(src) as FunctionDef;

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const r = await engine.run(sql);
  return r[r.length - 1]!.rows;
}

test('macroSql: a scalar function is a typed macro, NULL on NULL input when it says so; a table function casts and renames its columns', () => {
  assert.equal(
    macroSql(fn("CREATE FUNCTION fullName(first VARCHAR(50), last VARCHAR(50)) RETURNS VARCHAR(101) RETURNS NULL ON NULL INPUT RETURN first || ' ' || last")),
    `CREATE TEMP MACRO "fullName"("first", "last") AS CASE WHEN "first" IS NULL OR "last" IS NULL THEN CAST(NULL AS VARCHAR) ELSE CAST((CAST("first" AS VARCHAR) || ' ' || CAST("last" AS VARCHAR)\n) AS VARCHAR) END`,
  );
  assert.equal(
    macroSql(fn('CREATE FUNCTION t(c INTEGER) RETURNS TABLE (id INTEGER, total DOUBLE) RETURN TABLE (SELECT id, total FROM orders WHERE orders.c = c)'), true),
    `CREATE OR REPLACE TEMP MACRO "t"("c") AS TABLE SELECT CAST(restsql_c1 AS INTEGER) AS "id", CAST(restsql_c2 AS DOUBLE) AS "total" FROM (SELECT id, total FROM orders WHERE orders.c = CAST("c" AS INTEGER)\n) AS restsql_routine(restsql_c1, restsql_c2)`,
  );
  assert.equal(functionCallSql(fn('CREATE FUNCTION f(a INT) RETURNS INT RETURN a'), ['1 + 1']), 'SELECT "f"(1 + 1) AS "f"');
  assert.equal(functionCallSql(fn('CREATE FUNCTION g() RETURNS TABLE (a INT) RETURN TABLE (SELECT 1)'), []), 'SELECT * FROM "g"()');
});

test('substituteParams: a parameter is replaced where it stands alone, not qualified, called, aliased, typed, named as an argument, or inside literals and comments', () => {
  const p = new Map([['id', '<ID>'], ['date', '<D>']]);
  const cases: [string, string][] = [
    ['SELECT id FROM t WHERE t.id = id', 'SELECT <ID> FROM t WHERE t.id = <ID>'],
    ['SELECT ID, "id", "Id" FROM t', 'SELECT <ID>, <ID>, <ID> FROM t'],
    ['SELECT id.x, id(1), x AS id, x::date, f(id := 1), f(id => 2)', 'SELECT id.x, id(1), x AS id, x::date, f(id := 1), f(id => 2)'],
    ["SELECT 'id', $$id$$, E'id' -- id\n, /* id */ date", "SELECT 'id', $$id$$, E'id' -- id\n, /* id */ <D>"],
    ['SELECT CAST(x AS date), id+1, -id', 'SELECT CAST(x AS date), <ID>+1, -<ID>'],
    ['SELECT idx, my_id, id2', 'SELECT idx, my_id, id2'],
  ];
  for (const [input, want] of cases) assert.equal(substituteParams(input, p), want, input);
  assert.equal(substituteParams('SELECT id', new Map()), 'SELECT id');
});

test('in DuckDB: arguments convert to the parameter types, results to the declared type; NULL on NULL input; a body may end with a comment', async () => {
  const defs = [
    "CREATE FUNCTION fullName(first VARCHAR(50), last VARCHAR(50)) RETURNS VARCHAR(101) RETURNS NULL ON NULL INPUT RETURN first || ' ' || last",
    'CREATE FUNCTION addOne(x INTEGER) RETURNS BIGINT RETURN x + 1 -- the next one',
    'CREATE FUNCTION third(x DECIMAL(10,4)) RETURNS DECIMAL(6,2) CALLED ON NULL INPUT RETURN coalesce(x, 3) / 3',
    "CREATE FUNCTION pairs(n INTEGER) RETURNS TABLE (k INTEGER, v DOUBLE) RETURN TABLE (SELECT i, i || '.5' FROM range(n) r(i))",
    'CREATE FUNCTION pairsOrNone(n INTEGER) RETURNS TABLE (k INTEGER) RETURNS NULL ON NULL INPUT RETURN TABLE (SELECT 1)',
  ];
  for (const d of defs) await engine.run(macroSql(fn(d)));
  assert.deepEqual(await rows("SELECT fullName('Ada', 'Lovelace') AS a, fullName(NULL, 'x') AS b, fullName('x', NULL) AS c"), [{ a: 'Ada Lovelace', b: null, c: null }]);
  // '41' is read as the INTEGER parameter says, so + is arithmetic.
  assert.deepEqual(await rows("SELECT addOne('41') AS n, typeof(addOne(1)) AS t"), [{ n: 42, t: 'BIGINT' }]);
  assert.deepEqual(await rows('SELECT CAST(third(1) AS VARCHAR) AS a, CAST(third(NULL) AS VARCHAR) AS b, typeof(third(1)) AS t'), [{ a: '0.33', b: '1.00', t: 'DECIMAL(6,2)' }]);
  assert.deepEqual(await rows('SELECT * FROM pairs(2)'), [{ k: 0, v: 0.5 }, { k: 1, v: 1.5 }]);
  assert.deepEqual(await rows('SELECT typeof(k) AS a, typeof(v) AS b FROM pairs(1)'), [{ a: 'INTEGER', b: 'DOUBLE' }]);
  assert.deepEqual(await rows('SELECT count(*)::INTEGER AS n FROM pairsOrNone(NULL)'), [{ n: 0 }]);
  assert.deepEqual(await rows('SELECT count(*)::INTEGER AS n FROM pairsOrNone(1)'), [{ n: 1 }]);
  // A query with fewer columns than RETURNS TABLE declares is DuckDB's error when the function is made.
  await assert.rejects(engine.run(macroSql(fn('CREATE FUNCTION short() RETURNS TABLE (a INT, b INT) RETURN TABLE (SELECT 1)'))), /columns/);
});

test('typedLiteral and callSummarySql are SQL DuckDB reads back exactly', async () => {
  assert.deepEqual(await rows(`SELECT ${typedLiteral("it's", 'VARCHAR')} AS s, ${typedLiteral(null, 'INTEGER')} AS n, ${typedLiteral('12.50', 'DECIMAL(5,2)')} AS d, ${typedLiteral('\\x00\\xFF', 'BLOB')} = '\\x00\\xFF'::BLOB AS b`), [{ s: "it's", n: null, d: 12.5, b: true }]);
  assert.deepEqual(await rows(callSummarySql("o'k", 2, 1)), [{ status: "CALL o'k: 2 statements run, 1 row changed", statements: 2, rows_changed: 1 }]);
});

test('returnsRows: queries, CALL and writes with RETURNING return rows; other statements do not', () => {
  for (const s of ['SELECT 1', ' with x as (select 1) select * from x', 'VALUES (1)', 'FROM t', '(SELECT 1)', 'CALL p()', 'SHOW TABLES', 'DESCRIBE t', "INSERT INTO t VALUES (1) RETURNING *", 'DELETE FROM t RETURNING id']) assert.equal(returnsRows(s), true, s);
  for (const s of ['INSERT INTO t VALUES (1)', 'UPDATE t SET returning_x = 1', "UPDATE t SET x = 'RETURNING'", 'INSERT INTO t SELECT * FROM (SELECT 1 RETURNING)', 'CREATE TEMP TABLE t AS SELECT 1', '']) assert.equal(returnsRows(s), false, s);
});

test('splitScript: statements at ;, except inside the BEGIN ATOMIC ... END of a CREATE (CASE ... END counted); undefined when the text does not lex', () => {
  const texts = (sql: string) => splitScript(sql)?.map((s) => s.text);
  assert.deepEqual(texts('SELECT 1; ; SELECT 2;'), ['SELECT 1', 'SELECT 2']);
  assert.deepEqual(texts("CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; SELECT CASE WHEN 1 THEN 2 END; END; CALL p(); SELECT ';'"), [
    'CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; SELECT CASE WHEN 1 THEN 2 END; END',
    'CALL p()',
    "SELECT ';'",
  ]);
  // BEGIN alone is a transaction; CASE ... END outside a routine does not hold a ;.
  assert.deepEqual(texts('BEGIN; SELECT CASE WHEN 1 THEN 2 END; COMMIT'), ['BEGIN', 'SELECT CASE WHEN 1 THEN 2 END', 'COMMIT']);
  assert.deepEqual(texts('CREATE PROCEDURE p() BEGIN ATOMIC BEGIN ATOMIC SELECT 1; END; SELECT 2; END; SELECT 3'), ['CREATE PROCEDURE p() BEGIN ATOMIC BEGIN ATOMIC SELECT 1; END; SELECT 2; END', 'SELECT 3']);
  assert.equal(splitScript("SELECT 'open"), undefined);
  assert.equal(splitScript('SELECT 1; SELECT 2')![1]!.start, 10);
});

test('callForm and dropForm read CALL and DROP of routines; anything else is left to DuckDB', () => {
  const call = (sql: string) => callForm(splitScript(sql)![0]!);
  assert.deepEqual(call('CALL p'), { name: 'p', args: [] });
  assert.deepEqual(call('call P()'), { name: 'P', args: [] });
  assert.deepEqual(call("CALL p(1, 'a,b', f(2, 3), [4, 5], $1, ?)"), { name: 'p', args: ['1', "'a,b'", 'f(2, 3)', '[4, 5]', '$1', '?'] });
  assert.deepEqual(call('CALL "My Proc"((SELECT max(x) FROM t))'), { name: 'My Proc', args: ['(SELECT max(x) FROM t)'] });
  for (const other of ['CALL s.p()', 'CALL p(1,)', 'CALL p(,1)', 'CALL p() x', 'CALL p(1', 'SELECT 1', 'CALL 1']) assert.equal(call(other), undefined, other);
  const drop = (sql: string) => dropForm(splitScript(sql)![0]!);
  assert.deepEqual(drop('DROP PROCEDURE p'), { kind: 'procedure', name: 'p', ifExists: false });
  assert.deepEqual(drop('drop function if exists "F"(INTEGER, VARCHAR) cascade'), { kind: 'function', name: 'F', ifExists: true });
  assert.deepEqual(drop('DROP ROUTINE r RESTRICT'), { kind: 'routine', name: 'r', ifExists: false });
  for (const other of ['DROP MACRO m', 'DROP TABLE t', 'DROP FUNCTION s.f', 'DROP PROCEDURE p q']) assert.equal(drop(other), undefined, other);
});

test('routineTables: the API tables each function names, through the functions it calls; procedures and unknown words do not count', () => {
  const defs = [
    'CREATE FUNCTION a() RETURNS INT RETURN (SELECT count(*) FROM Orders)',
    'CREATE FUNCTION b(x INT) RETURNS TABLE (n INT) RETURN TABLE (SELECT x + a() FROM "customers" JOIN elsewhere USING (id))',
    'CREATE FUNCTION c() RETURNS INT RETURN b(1) + c()',
    "CREATE FUNCTION d() RETURNS VARCHAR RETURN 'orders'",
    'CREATE PROCEDURE p() SELECT * FROM items',
  ].map((d) => parseRoutine(d));
  const got = routineTables(defs, new Set(['orders', 'customers', 'items']));
  assert.deepEqual(Object.fromEntries([...got].map(([k, v]) => [k, [...v].sort()])), { a: ['orders'], b: ['customers', 'orders'], c: ['customers', 'orders'], d: [] });
  assert.equal(routineTables(undefined, new Set(['orders'])).size, 0);
});
