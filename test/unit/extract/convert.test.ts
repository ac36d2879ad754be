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
