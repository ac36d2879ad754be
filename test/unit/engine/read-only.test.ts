import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzedStatement, readOnlyRefusal } from '../../../src/engine/read-only.js';

test('analyzedStatement: the statement EXPLAIN ANALYZE runs, in every spelling; undefined for plain EXPLAIN and others', () => {
  const cases: [string, string | undefined][] = [
    ['EXPLAIN ANALYZE CREATE TABLE t (a INT)', 'CREATE TABLE t (a INT)'],
    ['explain analyse select 1', 'select 1'],
    ['EXPLAIN VERBOSE ANALYZE DROP TABLE t', 'DROP TABLE t'],
    ['EXPLAIN (ANALYZE, FORMAT json) INSERT INTO t VALUES (1)', 'INSERT INTO t VALUES (1)'],
    ['EXPLAIN (FORMAT (json), ANALYZE false) DELETE FROM t', 'DELETE FROM t'],
    ['/* x */ EXPLAIN -- y\n ANALYZE\n  CREATE MACRO f(x) AS 1', 'CREATE MACRO f(x) AS 1'],
    ['EXPLAIN ANALYZE EXPLAIN ANALYZE CREATE SEQUENCE s', 'EXPLAIN ANALYZE CREATE SEQUENCE s'],
    ['EXPLAIN SELECT 1', undefined],
    ['EXPLAIN (FORMAT json) CREATE TABLE t (a INT)', undefined],
    ["SELECT 'EXPLAIN ANALYZE CREATE'", undefined],
    ['EXPLAIN ANALYZE', undefined],
    ["EXPLAIN ANALYZE 'unterminated", undefined],
  ];
  for (const [sql, inner] of cases) assert.equal(analyzedStatement(sql), inner, sql);
});

test('readOnlyRefusal: statement types that change state are READ_ONLY (SQLSTATE 25006 by code); reads are not', () => {
  for (const [type, word] of [[2, 'INSERT'], [3, 'UPDATE'], [5, 'DELETE'], [7, 'CREATE'], [9, 'ALTER'], [14, 'CREATE FUNCTION'], [15, 'DROP'], [30, 'MERGE']] as const) {
    const e = readOnlyRefusal(type);
    assert.equal(e?.code, 'READ_ONLY');
    assert.equal(e?.message, `cannot execute ${word} in a read-only transaction`);
  }
  for (const type of [1, 4, 10, 17, 20, 22]) assert.equal(readOnlyRefusal(type), undefined, String(type));
});
