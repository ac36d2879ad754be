import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertReadOnly, readExplain, readOnlyRefusal } from '../../../src/engine/read-only.js';
import { isRestSqlError } from '../../../src/errors/index.js';

test('readExplain: the statement EXPLAIN ANALYZE runs, in every spelling and after empty statements; plain EXPLAIN; undefined (refused) when it does not read as EXPLAIN', () => {
  const cases: [string, string | false | undefined][] = [
    ['EXPLAIN ANALYZE CREATE TABLE t (a INT)', 'CREATE TABLE t (a INT)'],
    ['explain analyse select 1', 'select 1'],
    ['EXPLAIN VERBOSE ANALYZE DROP TABLE t', 'DROP TABLE t'],
    ['EXPLAIN (ANALYZE, FORMAT json) INSERT INTO t VALUES (1)', 'INSERT INTO t VALUES (1)'],
    ['EXPLAIN (FORMAT (json), ANALYZE false) DELETE FROM t', 'DELETE FROM t'],
    ['/* x */ EXPLAIN -- y\n ANALYZE\n  CREATE MACRO f(x) AS 1', 'CREATE MACRO f(x) AS 1'],
    [";EXPLAIN ANALYZE CREATE MACRO lower(x) AS 'pwned'", "CREATE MACRO lower(x) AS 'pwned'"],
    [';; /* c */ ; EXPLAIN ANALYZE CREATE TEMP TABLE t AS SELECT 1', 'CREATE TEMP TABLE t AS SELECT 1'],
    ['EXPLAIN SELECT 1', false],
    [';EXPLAIN SELECT 1', false],
    ['EXPLAIN (FORMAT json) CREATE TABLE t (a INT)', false],
    ["SELECT 'EXPLAIN ANALYZE CREATE'", undefined],
    ['EXPLAIN ANALYZE', undefined],
    ["EXPLAIN ANALYZE 'unterminated", undefined],
  ];
  for (const [sql, inner] of cases) {
    const e = readExplain(sql);
    assert.deepEqual(e, inner === undefined ? undefined : inner === false ? { analyze: false } : { analyze: true, inner }, sql);
  }
});

test('assertReadOnly: refuses by type, through EXPLAIN ANALYZE, and an EXPLAIN it cannot read', async () => {
  // A stand-in for DuckDB's prepare: the type by the first word after any empty statements.
  const TYPES: Record<string, number> = { select: 1, explain: 4, create: 7, insert: 2 };
  const typeOf = async (sql: string) => TYPES[/^[\s;]*(\w+)/.exec(sql.toLowerCase())?.[1] ?? ''] ?? 0;
  await assertReadOnly('select 1', typeOf);
  await assertReadOnly('explain create table t (a int)', typeOf);
  await assertReadOnly('explain analyze select 1', typeOf);
  for (const sql of ['create table t (a int)', ';explain analyze create table t (a int)', "explain analyze 'x"]) {
    await assert.rejects(assertReadOnly(sql, typeOf), (e: unknown) => isRestSqlError(e) && e.code === 'READ_ONLY', sql);
  }
});

test('readOnlyRefusal: statement types that change state are READ_ONLY (SQLSTATE 25006 by code); reads are not', () => {
  for (const [type, word] of [[2, 'INSERT'], [3, 'UPDATE'], [5, 'DELETE'], [7, 'CREATE'], [9, 'ALTER'], [14, 'CREATE FUNCTION'], [15, 'DROP'], [30, 'MERGE']] as const) {
    const e = readOnlyRefusal(type);
    assert.equal(e?.code, 'READ_ONLY');
    assert.equal(e?.message, `cannot execute ${word} in a read-only transaction`);
  }
  for (const type of [1, 4, 10, 17, 20, 22]) assert.equal(readOnlyRefusal(type), undefined, String(type));
});
