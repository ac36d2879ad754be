import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ElementKeySyntaxError, parseElementKey, type ElementKey } from '../../../src/model/element-key.js';

const READ: [string, ElementKey][] = [
  ['id', { field: 'id', shape: { kind: 'plain' } }],
  ['Meta Data', { field: 'Meta Data', shape: { kind: 'plain' } }],
  ['2. Symbol', { field: '2. Symbol', shape: { kind: 'plain' } }],
  ['@odata.etag', { field: '@odata.etag', shape: { kind: 'plain' } }],
  ['zip<postcode>', { field: 'zip', sqlName: 'postcode', shape: { kind: 'plain' } }],
  ['businesssearch<businesssearchroot>', { field: 'businesssearch', sqlName: 'businesssearchroot', shape: { kind: 'plain' } }],
  ['tags[]', { field: 'tags', shape: { kind: 'array' } }],
  ['businesses<businesssearch>[]', { field: 'businesses', sqlName: 'businesssearch', shape: { kind: 'array' } }],
  ['identities<ContactIdentities>[2]', { field: 'identities', sqlName: 'ContactIdentities', shape: { kind: 'positions', count: 2 } }],
  ['allAccessibleTeamIds[1]', { field: 'allAccessibleTeamIds', shape: { kind: 'positions', count: 1 } }],
  ['Time Series (5min){Timestamp(0)}', { field: 'Time Series (5min)', shape: { kind: 'map', keyType: 'Timestamp(0)' } }],
  ['Time Series (Daily){Date}', { field: 'Time Series (Daily)', shape: { kind: 'map', keyType: 'Date' } }],
  ['Weekly Time Series{ Date }', { field: 'Weekly Time Series', shape: { kind: 'map', keyType: 'Date' } }],
  ['rates{Decimal(10, 2)}', { field: 'rates', shape: { kind: 'map', keyType: 'Decimal(10, 2)' } }],
  ['stock<warehouse:VarChar>', { field: 'stock', shape: { kind: 'map', keyName: 'warehouse', keyType: 'VarChar' } }],
  ['Time Series (5min)<at:Timestamp(0)>', { field: 'Time Series (5min)', shape: { kind: 'map', keyName: 'at', keyType: 'Timestamp(0)' } }],
  ['a (b) [c] d', { field: 'a (b) [c] d', shape: { kind: 'plain' } }],
  ['x<y', { field: 'x<y', shape: { kind: 'plain' } }],
];

for (const [raw, want] of READ) {
  test(`element key ${JSON.stringify(raw)}`, () => {
    assert.deepEqual(parseElementKey(raw), want);
  });
}

const BAD: [string, RegExp][] = [
  ['a]', /no '\['/],
  ['a[x]', /write \[\] for a child table or \[N\]/],
  ['a[0]', /1 to 1000/],
  ['a[1001]', /1 to 1000/],
  ['a{}', /not a key type/],
  ['a{Timestamp(0}', /not a key type/],
  ['a{Var Char}', /not a key type/],
  ['a<>', /empty '<>'/],
  ['a<:Date>', /field<key_name:KeyType>/],
  ['a<k:Date>[]', /holds no ':'/],
  ['a<t>{Date}', /renames a map/],
  ['[]', /no field name/],
  ['<x>', /no field name/],
  ['{Date}', /no field name/],
];

for (const [raw, want] of BAD) {
  test(`element key ${JSON.stringify(raw)} is an error`, () => {
    assert.throws(() => parseElementKey(raw), (e: unknown) => e instanceof ElementKeySyntaxError && want.test(e.message));
  });
}
