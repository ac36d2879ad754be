import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertCell, normalizeTimestamp } from '../../../src/extract/convert.js';
import { RestSqlError } from '../../../src/errors/index.js';
import type { ColumnDef, ColumnType } from '../../../src/model/types.js';

const col = (type: ColumnType): ColumnDef => ({ name: 'c', path: ['c'], type, key: false, source: 'json' });

test('timestamps: zones converted to UTC, fractions kept to microseconds, naive kept', () => {
  assert.equal(normalizeTimestamp('2024-01-02T03:04:05Z'), '2024-01-02 03:04:05');
  assert.equal(normalizeTimestamp('2024-01-02T03:04:05+02:00'), '2024-01-02 01:04:05');
  assert.equal(normalizeTimestamp('2024-01-01T23:30:00-0130'), '2024-01-02 01:00:00');
  assert.equal(normalizeTimestamp('2024-01-02 03:04:05.123456789'), '2024-01-02 03:04:05.123456');
  assert.equal(normalizeTimestamp('2024-01-02T03:04'), '2024-01-02 03:04:00');
});

test('cells convert per column type; a value unlike the type is a clear error', () => {
  assert.equal(convertCell(5, col('BIGINT'), 't', 1), 5n);
  assert.equal(convertCell({ a: [1] }, col('JSON'), 't', 1), '{"a":[1]}');
  assert.equal(convertCell('2024-01-02', col('TIMESTAMP'), 't', 1), '2024-01-02 00:00:00');
  assert.equal(convertCell(null, col('INTEGER'), 't', 1), null);
  assert.throws(() => convertCell('abc', col('INTEGER'), 'users', 7), (e: unknown) => e instanceof RestSqlError && e.code === 'DATA_TYPE_MISMATCH' && /users, column c \(INTEGER\): record 7/.test(e.message));
  assert.throws(() => convertCell(3_000_000_000, col('INTEGER'), 't', 1), RestSqlError);
});

test('text (CSV, XML) converts by sampling\'s rules, as bulk loading does: a leading zero, padding or a bare point is a mismatch, never a changed value', () => {
  const ok: [string, ColumnType, unknown][] = [
    ['12345', 'INTEGER', 12345],
    ['-7', 'INTEGER', -7],
    ['0', 'BIGINT', 0n],
    ['12345678901234567890', 'HUGEINT', 12345678901234567890n],
    ['1.5', 'DOUBLE', 1.5],
    ['-0.25e2', 'DOUBLE', -25],
    ['12', 'DOUBLE', 12],
    ['TRUE', 'BOOLEAN', true],
    ['false', 'BOOLEAN', false],
    ['02134', 'VARCHAR', '02134'],
    ['2024-01-02', 'DATE', '2024-01-02'],
    ['2024-01-02T03:04:05+02:00', 'TIMESTAMP', '2024-01-02 01:04:05'],
  ];
  for (const [text, type, expected] of ok) assert.equal(convertCell(text, col(type), 't', 1, undefined, true), expected, `${text} as ${type}`);
  const refused: [string, ColumnType][] = [
    ['02134', 'INTEGER'],
    ['007', 'BIGINT'],
    ['+1', 'HUGEINT'],
    [' 42 ', 'INTEGER'],
    ['1.0', 'INTEGER'],
    ['.5', 'DOUBLE'],
    ['1.', 'DOUBLE'],
    [' 1.5', 'DOUBLE'],
    ['01.5', 'DOUBLE'],
    ['yes', 'BOOLEAN'],
    ['2024-02-30', 'DATE'],
  ];
  for (const [text, type] of refused) {
    assert.throws(
      () => convertCell(text, col(type), 'zips', 3, 'http://127.0.0.1/z?page=2', true),
      (e: unknown) => e instanceof RestSqlError && e.code === 'DATA_TYPE_MISMATCH' && e.message.includes(`record 3 of http://127.0.0.1/z?page=2 has ${JSON.stringify(text)}`),
      `${JSON.stringify(text)} as ${type}`,
    );
  }
  // JSON strings keep the lenient reading declared types rely on (APIs sending numbers as text, WHERE values).
  assert.equal(convertCell(' 42 ', col('INTEGER'), 't', 1), 42);
  assert.equal(convertCell('.5', col('DOUBLE'), 't', 1), 0.5);
});
