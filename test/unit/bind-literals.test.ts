/**
 * Bound parameters written into a write statement as literals (src/engine/write/bind-literals.ts):
 * each JavaScript value as the DuckDB literal that means it, typed values (restsql serve) cast to
 * their type, `$n` and `?` found by the lexer only (never inside strings, identifiers, comments or
 * dollar quotes), and a parameter without a value refused with its position.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRestSqlError } from '../../src/errors/index.js';
import { bindLiterals } from '../../src/engine/write/bind-literals.js';
import type { Params } from '../../src/engine/duckdb.js';

test('plain values become literals of their kind', () => {
  const cases: [unknown, string][] = [
    [null, 'NULL'],
    [undefined, 'NULL'],
    [true, 'TRUE'],
    [false, 'FALSE'],
    [0, '(0)'],
    [-42, '(-42)'],
    [1.5, '(1.5::DOUBLE)'],
    [-1e-7, '(-1e-7::DOUBLE)'],
    [Number.NaN, "'NaN'::DOUBLE"],
    [Number.POSITIVE_INFINITY, "'Infinity'::DOUBLE"],
    [12345678901234567890n, '(12345678901234567890)'],
    ['plain', "'plain'"],
    ["it's", "'it''s'"],
    ['$1 ? -- /*', "'$1 ? -- /*'"],
    ['', "''"],
    [new Date('2026-12-03T10:00:00.250Z'), "'2026-12-03T10:00:00.250Z'::TIMESTAMP"],
    [new Uint8Array([0, 255, 16]), "from_hex('00ff10')"],
    [{ a: [1, "b'c"] }, `'{"a":[1,"b''c"]}'::JSON`],
    [[1, 2], "'[1,2]'::JSON"],
  ];
  for (const [value, literal] of cases) assert.equal(bindLiterals('SELECT $1', [value]), `SELECT ${literal}`, String(value));
});

test('$n by number (reused, any order) and ? in order; markers in strings, identifiers, comments and dollar quotes stay', () => {
  assert.equal(bindLiterals('VALUES ($2, $1, $2)', ['a', 'b']), "VALUES ('b', 'a', 'b')");
  assert.equal(bindLiterals('VALUES (?, ?, ?)', [1, 2, 3]), 'VALUES ((1), (2), (3))');
  // A negative number after a minus is not a comment: `1-$1` with -2 is `1-(-2)`.
  assert.equal(bindLiterals('SELECT 1-$1', [-2]), 'SELECT 1-(-2)');
  assert.equal(bindLiterals('SELECT $1::INTEGER + $1', [7]), 'SELECT (7)::INTEGER + (7)');
  const sql = `INSERT INTO t (a, "$1", b) VALUES ($1, '$1 ?', $$ ? $2 $$) -- ? $1\n/* $1 ? */ RETURNING ?`;
  assert.equal(bindLiterals(sql, [9]), `INSERT INTO t (a, "$1", b) VALUES ((9), '$1 ?', $$ ? $2 $$) -- ? $1\n/* $1 ? */ RETURNING (9)`);
  assert.equal(bindLiterals('SELECT 1', undefined), 'SELECT 1');
  // More values than markers: the others are not used.
  assert.equal(bindLiterals('SELECT $1', [1, 2]), 'SELECT (1)');
});

test('typed values (restsql serve) are cast to their type; NULL keeps its type', () => {
  const type = (name: string): { toString(): string } => ({ toString: () => name });
  const params = { values: ['5', null, new Date('2026-01-02T03:04:05.000Z'), new Uint8Array([1]), 5], types: [type('INTEGER'), type('VARCHAR'), type('TIMESTAMP'), type('BLOB'), undefined] } as unknown as Params;
  assert.equal(
    bindLiterals('VALUES ($1, $2, $3, $4, $5)', params),
    "VALUES (CAST('5' AS INTEGER), CAST(NULL AS VARCHAR), CAST('2026-01-02T03:04:05.000Z' AS TIMESTAMP), CAST(from_hex('01') AS BLOB), (5))",
  );
});

test('a parameter without a value is QUERY_BAD_PARAMETER at its position', () => {
  const cases: [string, unknown[], string, RegExp][] = [
    ['INSERT INTO t VALUES ($1, $2)', [1], '$2', /parameter \$2 but 1 value was bound/],
    ['INSERT INTO t VALUES (?, ?)', [1], '?)', /parameter \$2 but 1 value was bound/],
    ["SELECT 'é', $3", [], '$3', /parameter \$3 but 0 values were bound/],
  ];
  for (const [sql, values, at, message] of cases) {
    assert.throws(
      () => bindLiterals(sql, values),
      (e: unknown) => isRestSqlError(e) && e.code === 'QUERY_BAD_PARAMETER' && message.test(e.message) && (e.details as { position: number }).position === sql.lastIndexOf(at) + 1,
      sql,
    );
  }
});
