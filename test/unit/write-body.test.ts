/**
 * From rows back to what the API takes (src/engine/write/write-body.ts): which columns a write
 * may send, the JSON record with flattened columns nested again and child rows inline, values in
 * the API's forms (every digit of big integers, ISO 8601 UTC timestamps, JSON as JSON), and the
 * write URL with its placeholders filled. The tables come from a real model file.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRestSqlError } from '../../src/errors/index.js';
import { parseModelFile } from '../../src/model/model-file.js';
import type { ColumnDef, TableDef, WriteDef } from '../../src/model/types.js';
import { stringifyJson } from '../../src/util/json.js';
import { inlineChildren, placeholderColumns, recordColumn, recordOf, writableColumn, writeUrl } from '../../src/engine/write/write-body.js';

const HOST = 'http://127.0.0.1:9';
const parsed = parseModelFile(
  JSON.stringify({
    things: {
      '#path': `${HOST}/things/{region}`,
      '#insert': `POST ${HOST}/things/{region}`,
      '#update': `PATCH ${HOST}/things/{region}/{id}?v={version}`,
      '#delete': `${HOST}/things/{nope}`,
      id: 'BigInt,#key',
      region: { '#type': 'VarChar', '#virtual': true },
      version: 'Integer',
      name: 'VarChar',
      meta: 'Json',
      at: 'Timestamp',
      day: 'Date',
      ok: 'Boolean',
      price: 'Double',
      big: 'HugeInt',
      u: 'Uuid',
      a: { b: { c: 'VarChar' } },
      'pts[2]': 'Integer',
      'lines[]': { sku: 'VarChar', qty: 'Integer', dim: { w: 'Double' } },
      'labels[]': 'VarChar',
      'rates{VarChar}': 'Double',
      created: 'Timestamp,#readonly',
    },
  }),
  't.rest',
  { qualifyNames: 0 },
);
const things = parsed.tables[0]!.table!;
const writes = parsed.tables[0]!.writes as WriteDef;
const col = (name: string): ColumnDef => things.columns.find((c) => c.name === name)!;
const child = (name: string): TableDef => things.children.find((c) => c.name === name)!;

test('record columns are the JSON ones; writable ones are not #readonly; restsql-made and virtual columns are neither', () => {
  assert.deepEqual(
    things.columns.filter(recordColumn).map((c) => c.name),
    ['id', 'version', 'name', 'meta', 'at', 'day', 'ok', 'price', 'big', 'u', 'a_b_c', 'pts_1', 'pts_2', 'created'],
  );
  assert.deepEqual(
    things.columns.filter(writableColumn).map((c) => c.name),
    ['id', 'version', 'name', 'meta', 'at', 'day', 'ok', 'price', 'big', 'u', 'a_b_c', 'pts_1', 'pts_2'],
  );
  assert.equal(recordColumn(col('region')), false);
  for (const c of child('lines').columns) assert.equal(recordColumn(c), c.source === 'json', c.name);
});

test('inline children: arrays of records and scalar arrays, not maps', () => {
  assert.deepEqual(
    inlineChildren(things).map((c) => c.name),
    ['lines', 'labels'],
  );
});

test('recordOf: columns nested by their paths (objects and array positions), values in the API\'s forms', () => {
  const row = {
    id: '9223372036854775807',
    version: 3,
    name: 'n "quoted"',
    meta: '{"n": 9007199254740993, "f": 1.10, "s": "x", "l": [true, null]}',
    at: '2026-12-03T10:00:00.25',
    day: '2026-12-03',
    ok: false,
    price: 1.5,
    big: '-170141183460469231731687303715884105728',
    u: '0b1f2e7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
    a_b_c: 'deep',
    pts_1: 1,
    pts_2: null,
    region: 'eu',
  };
  const body = recordOf(things, row, things.columns.filter(writableColumn), []);
  assert.equal(
    stringifyJson(body),
    '{"id":9223372036854775807,"version":3,"name":"n \\"quoted\\"","meta":{"n":9007199254740993,"f":1.1,"s":"x","l":[true,null]},"at":"2026-12-03T10:00:00.25Z","day":"2026-12-03","ok":false,"price":1.5,"big":-170141183460469231731687303715884105728,"u":"0b1f2e7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b","a":{"b":{"c":"deep"}},"pts":[1,null]}',
  );
});

test('recordOf: only the columns asked for, a column absent from the row is left out, NULL is sent as null', () => {
  assert.deepEqual(recordOf(things, { name: null, a_b_c: 'x', price: 2 }, [col('name'), col('a_b_c'), col('version')], []), { name: null, a: { b: { c: 'x' } } });
  assert.deepEqual(recordOf(things, {}, [], []), {});
});

test('recordOf: JSON column values are sent as the JSON they are (a string stays a string), and must be JSON', () => {
  const meta = (value: string): string => stringifyJson(recordOf(things, { meta: value }, [col('meta')], []));
  assert.equal(meta('"hello"'), '{"meta":"hello"}');
  assert.equal(meta('"[1]"'), '{"meta":"[1]"}');
  assert.equal(meta('12345678901234567890'), '{"meta":12345678901234567890}');
  assert.equal(meta('null'), '{"meta":null}');
  assert.throws(
    () => recordOf(things, { meta: '{not json' }, [col('meta')], []),
    (e: unknown) => isRestSqlError(e) && e.code === 'DATA_TYPE_MISMATCH' && /JSON column 'meta'/.test(e.message),
  );
});

test('recordOf: child rows inline, by the child table\'s column names, nested by their paths; links and positions dropped', () => {
  const row = { name: 'p', lines: '[{"sku": "a", "qty": 2, "dim_w": 0.5}, {"SKU": "b", "things_id": 7, "position": 1}]', labels: '["x", {"labels": "y"}]' };
  const body = recordOf(things, row, [col('name')], [child('lines'), child('labels')]);
  assert.deepEqual(body, { name: 'p', lines: [{ sku: 'a', qty: 2, dim: { w: 0.5 } }, { sku: 'b' }], labels: ['x', 'y'] });
  // NULL: the array is not sent.
  assert.deepEqual(recordOf(things, { lines: null }, [], [child('lines')]), {});
  // Big integers in child rows keep their digits.
  assert.equal(stringifyJson(recordOf(things, { lines: '[{"qty": 12345678901234567890}]' }, [], [child('lines')])), '{"lines":[{"qty":12345678901234567890}]}');
});

test('recordOf: child rows that are not an array of objects of the child\'s columns are refused', () => {
  const cases: [string, string, RegExp][] = [
    ['{"sku": "a"}', 'DATA_TYPE_MISMATCH', /must be a JSON array of lines rows/],
    ['[1, 2]', 'DATA_TYPE_MISMATCH', /must be an object of lines columns/],
    ['[{"colour": "red"}]', 'QUERY_UNKNOWN_COLUMN', /'colour' in 'lines' is not a column of lines/],
    ['[{"sku": ', 'DATA_TYPE_MISMATCH', /'lines' is not JSON/],
  ];
  for (const [value, code, message] of cases) {
    assert.throws(
      () => recordOf(things, { lines: value }, [], [child('lines')]),
      (e: unknown) => isRestSqlError(e) && e.code === code && message.test(e.message) && (e.hint ?? '') !== '',
      value,
    );
  }
});

test('writeUrl: placeholders filled from the row (any column, virtual too; case-insensitive), percent-encoded', () => {
  assert.equal(writeUrl(things, writes.insert!, { region: 'eu west/1' }, 'insert'), `${HOST}/things/eu%20west%2F1`);
  assert.equal(writeUrl(things, writes.update!, { REGION: 'us', id: '9223372036854775807', version: 2 }, 'update'), `${HOST}/things/us/9223372036854775807?v=2`);
  const stamped = { ...writes.update!, url: `${HOST}/at/{at}/{ok}/{meta}`, params: ['at', 'ok', 'meta'] };
  assert.equal(writeUrl(things, stamped, { at: '2026-12-03T10:00:00', ok: true, meta: { a: 1 } }, 'update'), `${HOST}/at/2026-12-03T10%3A00%3A00Z/true/${encodeURIComponent('{"a":1}')}`);
});

test('writeUrl: a row without a value for a placeholder is WRITE_NULL_KEY naming the column', () => {
  for (const [kind, row] of [
    ['insert', {}],
    ['update', { region: 'eu', id: null, version: 1 }],
  ] as const) {
    const op = kind === 'insert' ? writes.insert! : writes.update!;
    assert.throws(
      () => writeUrl(things, op, row, kind),
      (e: unknown) => isRestSqlError(e) && e.code === 'WRITE_NULL_KEY' && /the row has no value for '(region|id)'/.test(e.message) && (e.details as { table: string }).table === 'things',
      kind,
    );
  }
});

test('placeholderColumns: the columns the URL names, a placeholder that is not a column refused', () => {
  assert.deepEqual(
    placeholderColumns(things, writes.update!, 'update').map((c) => c.name),
    ['region', 'id', 'version'],
  );
  assert.throws(
    () => placeholderColumns(things, writes.delete!, 'delete'),
    (e: unknown) => isRestSqlError(e) && e.code === 'WRITE_NOT_ENABLED' && /#delete of things has the placeholder \{nope\}/.test(e.message),
  );
});
