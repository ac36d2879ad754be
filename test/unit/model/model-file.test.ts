import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { flattenRecords, newFlattenState, type Row } from '../../../src/extract/flatten.js';
import { parseModelFile } from '../../../src/model/model-file.js';
import { writeRestModel } from '../../../src/model/rest-writer.js';
import { inferTable } from '../../../src/model/sampler.js';
import { tablesOf, type TableDef } from '../../../src/model/types.js';

/** A compact, comparable description of a table tree. */
function describe(t: TableDef): string[] {
  const cols = t.columns.map((c) => `${c.name}:${c.type}${c.key ? '*' : ''}${c.source === 'json' ? '' : `(${c.source})`}${c.path.length ? `@${c.path.join('.')}` : ''}${c.filter ? `[${Object.entries(c.filter.ops).map(([k, v]) => `${k}=${v}`).join(',')}${c.filter.queryParameter ? `,qp=${c.filter.queryParameter}` : ''}${c.filter.mandatory ? ',mandatory' : ''}${c.filter.default !== undefined ? `,default=${c.filter.default}` : ''}]` : ''}`);
  return [`${t.name}${t.parent ? ` <- ${t.parent} @${t.arrayPath.join('.')}${t.map ? ' map' : ''}` : ''}: ${cols.join(' ')}`, ...t.children.flatMap(describe)];
}

function parse(text: string, q: 0 | 1 | 2 = 0) {
  return parseModelFile(text, 'golden.rest', { hostName: 'https://api.example.com/v1', qualifyNames: q });
}

/** Golden outputs, one per grammar feature. */
const GOLDEN: { feature: string; model: string; tables?: string[]; check?: (m: ReturnType<typeof parse>) => void; q?: 0 | 1 | 2 }[] = [
  { feature: 'type strings: sizes, #key, #readonly, date formats, case-insensitive names', model: '{"t": {"#path": "/t", "id": "INTEGER,#key", "name": "varchar(64)", "at": "Timestamp,#readonly,yyyy-MM-dd", "n": "bigint", "ok": "Boolean", "amt": "Decimal(10,2)", "doc": "json"}}', tables: ['t: id:INTEGER*@id name:VARCHAR@name at:TIMESTAMP@at n:BIGINT@n ok:BOOLEAN@ok amt:DOUBLE@amt doc:JSON@doc'] },
  { feature: 'no #key: a generated rowid', model: '{"t": {"#path": "/t", "name": "VarChar"}}', tables: ['t: rowid:BIGINT*(rowid) name:VARCHAR@name'] },
  { feature: 'nested objects flatten; json<sql> renames', model: '{"t": {"#path": "/t", "id": "Integer,#key", "address": {"city<town>": "VarChar", "geo": {"lat": "Double"}}}}', tables: ['t: id:INTEGER*@id town:VARCHAR@address.city address_geo_lat:DOUBLE@address.geo.lat'] },
  { feature: 'arrays of scalars and objects; nested arrays; a renamed child table', model: '{"t": {"#path": "/t", "id": "Integer,#key", "tags[]": "VarChar", "orders<t_orders>[]": {"no": "VarChar", "lines[]": {"qty": "Integer"}}}}', tables: ['t: id:INTEGER*@id', 'tags <- t @tags: t_id:INTEGER*(parent) position:INTEGER*(position) tags:VARCHAR', 't_orders <- t @orders: t_id:INTEGER*(parent) position:INTEGER*(position) no:VARCHAR@no', 'lines <- t_orders @lines: t_orders_t_id:INTEGER*(parent) t_orders_position:INTEGER*(parent) position:INTEGER*(position) qty:INTEGER@qty'] },
  { feature: 'QualifyNormalizedNames=1 and 2', q: 1, model: '{"t": {"#path": "/t", "id": "Integer,#key", "a": {"tags[]": "VarChar"}}}', tables: ['t: id:INTEGER*@id', 't_tags <- t @a.tags: t_id:INTEGER*(parent) position:INTEGER*(position) tags:VARCHAR'] },
  { feature: 'QualifyNormalizedNames=2 uses the full path', q: 2, model: '{"t": {"#path": "/t", "id": "Integer,#key", "a": {"tags[]": "VarChar"}}}', tables: ['t: id:INTEGER*@id', 't_a_tags <- t @a.tags: t_id:INTEGER*(parent) position:INTEGER*(position) tags:VARCHAR'] },
  { feature: 'maps field{KeyType} and field<name:KeyType>', model: '{"t": {"#path": "/t", "id": "Integer,#key", "rates{VarChar}": "Double", "stock<site:VarChar>": {"units": "Integer"}}}', tables: ['t: id:INTEGER*@id', 'rates <- t @rates map: t_id:INTEGER*(parent) position:INTEGER*(position) key:VARCHAR*(mapkey) rates:DOUBLE', 'stock <- t @stock map: t_id:INTEGER*(parent) position:INTEGER*(position) site:VARCHAR*(mapkey) units:INTEGER@units'] },
  { feature: 'column object form: operators, #queryParameter, #virtual, #default, #mandatory', model: '{"t": {"#path": "/t", "id": {"#type": "Integer", "#key": true, "#in": "ids"}, "created": {"#type": "Timestamp", "#ge": "since", "#lt": "until"}, "q": {"#type": "VarChar", "#virtual": true, "#queryParameter": "jql", "#mandatory": true}, "lang": {"#type": "VarChar", "#virtual": true, "#queryParameter": "lang", "#default": "en"}}}', tables: ['t: id:INTEGER*@id[in=ids] created:TIMESTAMP@created[ge=since,lt=until] q:VARCHAR(virtual)@q[,qp=jql,mandatory] lang:VARCHAR(virtual)@lang[,qp=lang,default=en]'] },
  { feature: 'path parameters become virtual columns; {name:sample}; arrays of paths; HostName', model: '{"t": {"#path": ["IDENTITY /users/{login:octocat}/repos /items", "GET https://other.example.com/repos"], "id": "Integer,#key"}}', tables: ['t: id:INTEGER*@id login:VARCHAR(virtual)[]'], check: (m) => {
    const t = m.tables[0]!;
    assert.deepEqual(t.paths.map((p) => [p.method, p.url, p.params, p.samples, p.jsonRoot]), [
      ['GET', 'https://api.example.com/v1/users/{login}/repos', ['login'], { login: 'octocat' }, ['items']],
      ['GET', 'https://other.example.com/repos', [], {}, undefined],
    ]);
    assert.deepEqual(t.jsonRoot, ['items']);
  } },
  { feature: 'paging keys (model defaults, table overrides, templates, numbers as strings)', model: '{"#maximumPageSize": "50", "#pageSizeParameter": "limit", "t": {"#path": "/t", "#rowOffsetParameter": "locator=start:{OFFSET},count:{LIMIT}", "#firstRowNumber": 1, "#totalRowsElement": "meta/total", "id": "Integer,#key"}, "u": {"#path": "/u", "#maximumPageSize": 10, "#nextPageElement": "links.next", "#nextPageParameter": "cursor", "#hasMoreElement": "has_more"}}', check: (m) => {
    assert.deepEqual(m.tables[0]!.paging, { firstRowNumber: 1, firstPageNumber: 0, maximumPageSize: 50, pageSizeParameter: { name: 'limit', value: '{LIMIT}' }, rowOffsetParameter: { name: 'locator', value: 'start:{OFFSET},count:{LIMIT}' }, totalRowsElement: ['meta', 'total'] });
    assert.deepEqual(m.tables[1]!.paging, { firstRowNumber: 0, firstPageNumber: 0, maximumPageSize: 10, pageSizeParameter: { name: 'limit', value: '{LIMIT}' }, nextPageElement: ['links', 'next'], nextPageParameter: { name: 'cursor', value: '{NEXT}' }, hasMoreElement: ['has_more'] });
    assert.equal(m.tables[1]!.table, undefined, 'no columns: sampled');
  } },
  { feature: '#headers, #post, #fieldListParameter, #http (model and table), #hostname, comments', model: '// a comment\n{"#hostname": "https://h.example.com/api", "#headers": {"Accept": "application/json"}, "#http": [{"#code": 404, "#action": "zero_rows"}],\n /* block */ "t": {"#path": "/search", "#post": {"q": [1, {"x": true}]}, "#headers": {"X-A": "1"}, "#fieldListParameter": "fields", "#http": [{"#code": 429, "#action": "RETRY_AFTER", "#match": "slow", "#message": "m", "#operation": "select"}], "id": "Integer,#key"},}', check: (m) => {
    const t = m.tables[0]!;
    assert.deepEqual(t.paths[0]!.url, 'https://h.example.com/api/search');
    assert.equal(t.paths[0]!.method, 'POST', '#post makes the request a POST');
    assert.deepEqual(t.postBody, { q: [1, { x: true }] });
    assert.deepEqual(t.headers, { Accept: 'application/json', 'X-A': '1' });
    assert.equal(t.fieldListParameter, 'fields');
    assert.deepEqual(t.http, [{ code: 429, action: 'RETRY_AFTER', match: 'slow', message: 'm', operation: 'SELECT' }]);
  } },
];

for (const g of GOLDEN) {
  test(`model file grammar: ${g.feature}`, () => {
    const m = parse(g.model, g.q ?? 0);
    if (g.tables) assert.deepEqual(m.tables.flatMap((t) => (t.table ? describe(t.table) : [])), g.tables);
    g.check?.(m);
  });
}

// Property: a sampled table written as .rest and read back is the same table and flattens the same.
const key = fc.constantFrom('a', 'b', 'c', 'id', 'name', 'x_y');
const scalar = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.string({ unit: fc.constantFrom('x', 'y', ' '), maxLength: 4 }), fc.constant(null));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('object'), tie('array')),
  object: fc.dictionary(key, tie('value'), { maxKeys: 3 }),
  array: fc.array(tie('value'), { maxLength: 3 }),
}));
const records = fc.array(fc.dictionary(key, value, { maxKeys: 4 }), { minLength: 1, maxLength: 5 });

function rowsOf(table: TableDef, recs: unknown[]): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  flattenRecords(table, recs, newFlattenState(), (t, r) => out.set(t.name, [...(out.get(t.name) ?? []), r]));
  return out;
}

test('property: sample -> .rest -> model file reads back the same tables and the same rows', () => {
  fc.assert(
    fc.property(records, (recs) => {
      const sampled = inferTable('root', recs, { qualifyNames: 0 });
      // A table with no columns at all (only empty records) has nothing to write down.
      fc.pre(sampled.columns.some((c) => c.source === 'json') || sampled.children.length > 0);
      const text = writeRestModel({ endpoints: [{ url: 'https://api.example.com/v1/root', method: 'GET', jsonRoot: [], table: sampled }] });
      const back = parse(text).tables[0]!.table!;
      // Same tables (the writer puts columns before arrays, so sibling tables may come in another order).
      const shape = (t: TableDef) => describe(t).map((l) => l.replace(/@\S+/g, '')).sort();
      assert.deepEqual(shape(back), shape(sampled), text);
      assert.deepEqual(rowsOf(back, recs), rowsOf(sampled, recs));
    }),
    { numRuns: 300 },
  );
});
