/**
 * The persisted relational map (model/map-store.ts): what sampling infers survives a write and a
 * read exactly (a property over random records, seeded: RESTSQL_FC_SEED replays a failure);
 * every field is validated on reading; writes are atomic, private, and never replace a file that
 * is not a map.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { isRestSqlError } from '../../../src/errors/index.js';
import { mapFileFor, readMap, writeMap, type StoredMap } from '../../../src/model/map-store.js';
import { inferTable } from '../../../src/model/sampler.js';
import { tempDir } from '../../support/temp-dir.js';

const dir = tempDir(after, 'restsql-map-store-');
let n = 0;
const file = () => join(dir, `m${++n}.json`);

const PAGING = { firstRowNumber: 0, firstPageNumber: 1, maximumPageSize: 50, rowOffsetParameter: { name: 'offset', value: '{OFFSET}' }, nextPageElement: ['links', 'next'] };

function sample(records: unknown[], qualifyNames: 0 | 1 | 2 = 0): StoredMap {
  const table = inferTable('items', records, { qualifyNames, maxColumns: 50 });
  return {
    fingerprint: 'f'.repeat(64),
    source: '/models/api.rest',
    tables: [{ entry: 'items', jsonRoot: ['data'], table, paging: PAGING }],
    sampling: [
      { table: 'items', uri: 'https://api.example.com/items', success: true, httpStatus: 200, message: '3 records sampled', keyCandidates: 'id' },
      { table: 'broken', uri: 'https://api.example.com/broken', success: false, httpStatus: null, message: 'refused', keyCandidates: '' },
    ],
  };
}

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.string({ maxLength: 8 }),
    fc.constantFrom('2024-01-02T03:04:05Z', '2024-02-29', '6f1c5c66-2b8e-4a8f-9d2e-7f1e0c7d5a10'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c d', 'e.f', 'id'), tie('value'), { maxKeys: 3 }),
  ),
}));

test('what sampling infers (nested objects, arrays of arrays, maps of any shape) reads back exactly', () => {
  const seed = Number(process.env.RESTSQL_FC_SEED ?? 20260515);
  fc.assert(
    fc.property(fc.array(fc.dictionary(fc.constantFrom('id', 'name', 'tags', 'address', 'orders', 'x y'), jsonValue.value, { minKeys: 1, maxKeys: 5 }), { minLength: 1, maxLength: 6 }), fc.constantFrom(0, 1, 2), (records, q) => {
        const map = sample(records, q as 0 | 1 | 2);
        const f = file();
        writeMap(f, map);
        assert.deepEqual(readMap(f), { version: 1, ...map });
      }),
    { seed, numRuns: 150, endOnFailure: true },
  );
});

test('no file: undefined; written files are 0600 and leave no temporary file behind', () => {
  const sub = join(dir, `sub${++n}`, 'deeper');
  const f = join(sub, 'map.json');
  assert.equal(readMap(f), undefined);
  writeMap(f, sample([{ id: 1 }]));
  writeMap(f, sample([{ id: 2, name: 'x' }]));
  assert.equal(statSync(f).mode & 0o777, 0o600);
  assert.equal(statSync(sub).mode & 0o777, 0o700);
  assert.deepEqual(readdirSync(sub), ['map.json']);
});

/** Each edit of a good map file and the words its MODEL_MAP_INVALID message must hold. */
const TAMPERED: [string, (text: string) => string, RegExp][] = [
  ['truncated', (t) => t.slice(0, t.length - 20), /is corrupt/],
  ['another version', (t) => t.replace('"version": 1', '"version": 2'), /version 2/],
  ['unknown column type', (t) => t.replace('"type": "INTEGER"', '"type": "TEXT"'), /'TEXT' is not a column type/],
  ['unknown column source', (t) => t.replace('"source": "json"', '"source": "file"'), /not a column source/],
  ['a filter on a sampled column', (t) => t.replace('"key": true,', '"key": true, "filter": {"ops": {}, "mandatory": true},'), /has a filter/],
  ['an unknown member', (t) => t.replace('"entry": "items"', '"entry": "items", "url": "https://evil.example"'), /unknown member 'url'/],
  ['a key that is not a boolean', (t) => t.replace('"key": true', '"key": "yes"'), /is not true or false/],
  ['tables not a list', (t) => t.replace(/"tables": \[/, '"tables": {"x": [').replace(/\],\n "sampling"/, ']},\n "sampling"'), /tables is not a list/],
  ['a column named twice', (t) => t.replace('"name": "name"', '"name": "id"'), /names 'id' twice/],
  ['an empty table name', (t) => t.replace('"name": "items"', '"name": ""'), /is empty/],
  ['a fractional http status', (t) => t.replace('"httpStatus": 200', '"httpStatus": 200.5'), /not a whole number/],
];

test('every tampered field is MODEL_MAP_INVALID naming SchemaMap, with ForceNew as the fix', () => {
  const good = file();
  writeMap(good, sample([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]));
  const text = readFileSync(good, 'utf8');
  for (const [what, edit, words] of TAMPERED) {
    const f = file();
    const edited = edit(text);
    assert.notEqual(edited, text, `${what}: the edit applies`);
    writeFileSync(f, edited);
    assert.throws(
      () => readMap(f),
      (e: unknown) => isRestSqlError(e) && e.code === 'MODEL_MAP_INVALID' && e.message.startsWith(`SchemaMap: ${f} `) && words.test(e.message) && /CreateMap=ForceNew/.test(e.hint ?? '') && e.details.option === 'SchemaMap',
      what,
    );
  }
});

test('a file that is not a map is neither read nor replaced; a folder or a symbolic link is not a map file', () => {
  const foreign = file();
  writeFileSync(foreign, '{"name": "my settings"}\n');
  const isForeign = (e: unknown) => isRestSqlError(e) && e.code === 'MODEL_MAP_INVALID' && /is not a restsql map/.test(e.message) && !/ForceNew/.test(e.hint ?? '');
  assert.throws(() => readMap(foreign), isForeign);
  assert.throws(() => writeMap(foreign, sample([{ id: 1 }])), isForeign);
  assert.equal(readFileSync(foreign, 'utf8'), '{"name": "my settings"}\n');
  const folder = join(dir, `folder${++n}`);
  mkdirSync(folder);
  assert.throws(() => readMap(folder), /is not a regular file/);
  const target = file();
  writeMap(target, sample([{ id: 1 }]));
  const link = join(dir, `link${++n}.json`);
  symlinkSync(target, link);
  assert.throws(() => readMap(link), /is not a regular file/);
});

test('a folder that cannot be made is MODEL_MAP_WRITE naming SchemaMap', () => {
  // A regular file where a folder should be: even root cannot make a folder under it.
  const plain = file();
  writeFileSync(plain, 'x');
  assert.throws(
    () => writeMap(join(plain, 'sub', 'map.json'), sample([{ id: 1 }])),
    (e: unknown) => isRestSqlError(e) && e.code === 'MODEL_MAP_WRITE' && e.details.option === 'SchemaMap' && /CreateMap=Session/.test(e.hint ?? '') && /ENOTDIR/.test(e.message),
  );
});

test('mapFileFor: a folder gets one file per source; any other path is the file itself', () => {
  const folder = join(dir, `maps${++n}`);
  mkdirSync(folder);
  const a = mapFileFor(folder, '/unused', 'api', 'identity-a');
  const b = mapFileFor(folder, '/unused', 'api', 'identity-b');
  assert.notEqual(a, b);
  assert.match(a, new RegExp(`^${folder}/api-[0-9a-f]{16}\\.json$`));
  assert.equal(mapFileFor(`${folder}/new/`, '/unused', 'x y', 'i'), mapFileFor(`${folder}/new/`, '/other', 'x y', 'i'));
  assert.match(mapFileFor(`${folder}/new/`, '/unused', 'x y', 'i'), /\/new\/x_y-[0-9a-f]{16}\.json$/);
  assert.equal(mapFileFor(join(folder, 'mine.map'), '/unused', 'api', 'i'), join(folder, 'mine.map'));
  assert.match(mapFileFor(undefined, join(folder, 'default'), 'api', 'i'), new RegExp(`^${folder}/default/api-`));
});
