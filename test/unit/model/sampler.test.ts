import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inferTable } from '../../../src/model/sampler.js';
import { columnTypeFor, kindOf } from '../../../src/model/infer.js';
import { detectJsonRoot } from '../../../src/model/json-root.js';
import { tablesOf, type TableDef } from '../../../src/model/types.js';

const cols = (t: TableDef) => t.columns.map((c) => `${c.name}:${c.type}${c.key ? '*' : ''}`);

test('nested objects flatten, arrays become child tables with parent key and position', () => {
  const t = inferTable('users', [
    { id: 1, name: 'a', address: { city: 'X', zip: '02134', geo: { lat: 1.5 } }, tags: ['x', 'y'], orders: [{ n: 1, items: [{ sku: 'a' }] }] },
    { id: 2, name: 'b', address: { city: 'Y', zip: '10001', geo: { lat: 2 } }, tags: [], orders: [] },
  ], { qualifyNames: 0 });
  assert.deepEqual(cols(t), ['id:INTEGER*', 'name:VARCHAR', 'address_city:VARCHAR', 'address_zip:VARCHAR', 'address_geo_lat:DOUBLE']);
  const [tags, orders] = t.children;
  assert.deepEqual(cols(tags!), ['users_id:INTEGER*', 'position:INTEGER*', 'tags:VARCHAR']);
  assert.deepEqual(cols(orders!), ['users_id:INTEGER*', 'position:INTEGER*', 'n:INTEGER']);
  assert.deepEqual(cols(orders!.children[0]!), ['orders_users_id:INTEGER*', 'orders_position:INTEGER*', 'position:INTEGER*', 'sku:VARCHAR']);
});

test('types: integers, bigints, doubles, booleans, timestamps, dates, UUIDs, strings, JSON for mixes', () => {
  const t = inferTable('t', [
    { i: 1, b: 3_000_000_000, d: 1, f: true, ts: '2024-01-02T03:04:05Z', dt: '2024-01-02', u: '123e4567-e89b-12d3-a456-426614174000', s: 'x', zip: '01234', mix: 1, nested: [[1]], n: null },
    { i: 2, b: 1, d: 2.5, f: false, ts: '2024-01-02', dt: '2024-02-29', u: '223e4567-e89b-12d3-a456-426614174000', s: '12', zip: '99999', mix: 'one', nested: [[2, 3]], n: null },
  ], { qualifyNames: 0 });
  assert.deepEqual(cols(t), ['i:INTEGER*', 'b:BIGINT', 'd:DOUBLE', 'f:BOOLEAN', 'ts:TIMESTAMP', 'dt:DATE', 'u:UUID', 's:VARCHAR', 'zip:VARCHAR', 'mix:JSON', 'n:VARCHAR']);
  assert.deepEqual(cols(t.children[0]!), ['t_i:INTEGER*', 'position:INTEGER*', 'nested:JSON']);
});

test('invalid calendar dates are plain strings', () => {
  assert.equal(kindOf('2024-02-30'), 'string');
  assert.equal(kindOf('2023-02-29'), 'string');
  assert.equal(kindOf('2024-13-01T00:00:00Z'), 'string');
  assert.equal(columnTypeFor(new Set(['null'])), 'VARCHAR');
});

test('key: first unique non-null integer or short string; else a generated rowid', () => {
  assert.deepEqual(cols(inferTable('t', [{ a: 1.5, code: 'x', id: 1 }, { a: 2.5, code: 'y', id: 1 }], { qualifyNames: 0 })), ['a:DOUBLE', 'code:VARCHAR*', 'id:INTEGER']);
  assert.deepEqual(cols(inferTable('t', [{ v: 1 }, { v: 1 }], { qualifyNames: 0 })), ['rowid:BIGINT*', 'v:INTEGER']);
  assert.deepEqual(cols(inferTable('t', [{ v: 1 }, { v: null }], { qualifyNames: 0 })), ['rowid:BIGINT*', 'v:INTEGER']);
  assert.deepEqual(cols(inferTable('t', [{ rowid: 1.5 }], { qualifyNames: 0 })), ['rowid_1:BIGINT*', 'rowid:DOUBLE']);
  assert.deepEqual(cols(inferTable('t', [{ long: 'x'.repeat(65) }, { long: 'y'.repeat(65) }], { qualifyNames: 0 })), ['rowid:BIGINT*', 'long:VARCHAR']);
});

test('QualifyNormalizedNames 0/1/2 and name clashes', () => {
  const recs = [{ id: 1, profile: { tags: ['a'] }, items: [{ tags: ['b'] }] }];
  const names = (q: 0 | 1 | 2) => tablesOf(inferTable('users', recs, { qualifyNames: q })).map((t) => t.name);
  assert.deepEqual(names(0), ['users', 'tags', 'items', 'tags_1']);
  assert.deepEqual(names(1), ['users', 'users_tags', 'users_items', 'users_items_tags']);
  assert.deepEqual(names(2), ['users', 'users_profile_tags', 'users_items', 'users_items_tags']);
  const clash = inferTable('t', [{ a_b: 1, a: { b: 2 }, 'we!rd name': 3, Name: 'x', name: 'y' }], { qualifyNames: 0 });
  assert.deepEqual(clash.columns.map((c) => c.name), ['a_b', 'a_b_1', 'we_rd_name', 'Name', 'name_1']);
});

test('scalar records and json roots', () => {
  assert.deepEqual(cols(inferTable('t', ['a', 'b'], { qualifyNames: 0 })), ['rowid:BIGINT*', 'value:VARCHAR']);
  assert.deepEqual(detectJsonRoot([1]), []);
  assert.deepEqual(detectJsonRoot({ data: [{}], total: 1, meta: { page: 1 } }), ['data']);
  assert.deepEqual(detectJsonRoot({ result: { items: [{}], count: 1 } }), ['result', 'items']);
  assert.deepEqual(detectJsonRoot({ a: [1], b: [2] }), []);
  assert.deepEqual(detectJsonRoot({ id: 1, name: 'single' }), []);
  // HAL: the _links object is passed over; a single resource with links stays one record.
  assert.deepEqual(detectJsonRoot({ _embedded: { items: [{}] }, _links: { next: { href: '/x?page=2' } } }), ['_embedded', 'items']);
  assert.deepEqual(detectJsonRoot({ id: 1, _links: { self: { href: '/x/1' } } }), []);
});
