/**
 * Model files (RestConfigFile) end to end on the real DuckDB against a local fixture API: the
 * DataDirect grammar, every paging style, filter pushdown, path choice, #http actions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, isRestSqlError, type Connection } from '../../src/index.js';
import { items, startFixtureApi, type FixtureApi } from '../support/fixture-api.js';

const DATA = items();
let api: FixtureApi;
const dir = mkdtempSync(join(tmpdir(), 'restsql-model-'));
let n = 0;

before(async () => {
  api = await startFixtureApi(DATA);
});
after(async () => {
  await api.close();
});

function modelFile(text: string): string {
  const file = join(dir, `m${++n}.rest`);
  writeFileSync(file, text);
  return file;
}

async function open(model: string, extra = ''): Promise<Connection> {
  return connect(`RestConfigFile=${modelFile(model)};HostName=${api.baseUrl}${extra ? `;${extra}` : ''}`);
}

async function rows(conn: Connection, sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.query(sql)).rows;
}

const ITEMS_MODEL = `{
  // Offset paging, a nested object, an object array and a scalar array, filter columns.
  "items": {
    "#path": "/offset/items /data",
    "#maximumPageSize": 10,
    "#pageSizeParameter": "limit",
    "#rowOffsetParameter": "offset",
    "id": "Integer,#key",
    "name": "VarChar(50)",
    "status": {"#type": "VarChar", "#eq": "status"},
    "created": {"#type": "Timestamp", "#ge": "since"},
    "price": "Double",
    "address": {"city": "VarChar", "zip<postcode>": "VarChar"},
    "tags[]": "VarChar",
    "orders[]": {"order_id": "VarChar", "qty": "Integer"},
  },
}`;

test('offset paging, nested object, object and scalar array child tables: joins and aggregates are right, every page fetched', async () => {
  const conn = await open(ITEMS_MODEL);
  try {
    const before = api.requests.length;
    assert.deepEqual(await rows(conn, 'SELECT count(*)::INTEGER AS n, sum(price) AS total FROM items'), [{ n: 23, total: DATA.reduce((s, x) => s + x.price, 0) }]);
    assert.deepEqual(api.requests.slice(before).map((r) => r.url), ['/offset/items?limit=10&offset=0', '/offset/items?limit=10&offset=10', '/offset/items?limit=10&offset=20']);
    // Child tables come with the same fetch: no more requests.
    const qty = await rows(conn, 'SELECT i.address_city AS city, sum(o.qty)::INTEGER AS qty FROM items i JOIN orders o ON o.items_id = i.id GROUP BY 1 ORDER BY 1');
    const expected = new Map<string, number>();
    for (const it of DATA) for (const o of it.orders) expected.set(it.address.city, (expected.get(it.address.city) ?? 0) + o.qty);
    assert.deepEqual(qty, [...expected].sort().map(([city, q]) => ({ city, qty: q })));
    const tags = await rows(conn, "SELECT tags, count(*)::INTEGER AS n FROM tags WHERE tags = 'even' GROUP BY 1");
    assert.deepEqual(tags, [{ tags: 'even', n: DATA.filter((x) => x.tags.includes('even')).length }]);
    assert.deepEqual(await rows(conn, 'SELECT postcode FROM items WHERE id = 1'), [{ postcode: '02100' }]);
    assert.equal(api.requests.length, before + 3, 'later queries reuse the loaded pages');
  } finally {
    await conn.close();
  }
});

test('WHERE on filter columns is sent as request parameters on every page, and DuckDB still checks the rows', async () => {
  const conn = await open(ITEMS_MODEL);
  try {
    const before = api.requests.length;
    const open_ = await rows(conn, "SELECT id FROM items WHERE status = 'open' AND created >= '2024-01-20' ORDER BY id");
    const want = DATA.filter((x) => x.status === 'open' && x.created >= '2024-01-20').map((x) => ({ id: x.id }));
    assert.deepEqual(open_, want);
    const sent = api.requests.slice(before).map((r) => new URL(r.url, 'http://x').searchParams);
    assert.ok(sent.length >= 1);
    for (const q of sent) {
      assert.equal(q.get('status'), 'open');
      assert.equal(q.get('since'), '2024-01-20');
    }
    // A different filter fetches again; an unfiltered query then loads everything.
    assert.equal((await rows(conn, "SELECT count(*)::INTEGER AS n FROM items WHERE status = 'closed'"))[0]!.n, DATA.filter((x) => x.status === 'closed').length);
    assert.equal((await rows(conn, 'SELECT count(*)::INTEGER AS n FROM items'))[0]!.n, 23);
  } finally {
    await conn.close();
  }
});

test('a plain LIMIT stops paging early; only the tables a query names are fetched', async () => {
  const conn = await open(ITEMS_MODEL.replace(/,\s*\}\s*$/, ', "other": {"#path": "/plain/items", "id": "Integer,#key"}}'));
  try {
    const before = api.requests.length;
    assert.equal((await rows(conn, 'SELECT * FROM items LIMIT 4')).length, 4);
    assert.deepEqual(api.requests.slice(before).map((r) => r.url), ['/offset/items?limit=10&offset=0']);
    const plainBefore = api.paths('/plain/items').length;
    await rows(conn, 'SELECT count(*) FROM items');
    assert.equal(api.paths('/plain/items').length, plainBefore, 'the other table was not fetched');
  } finally {
    await conn.close();
  }
});

const STYLES: { name: string; table: string; prefix: string; expectPaths: number }[] = [
  { name: 'page number with total pages (concurrent)', prefix: '/page/items', expectPaths: 5, table: `{"#path": "/page/items /results", "#maximumPageSize": 5, "#pageSizeParameter": "per_page", "#pageNumberParameter": "page", "#firstPageNumber": 1, "#totalPagesElement": "meta/total_pages", "id": "Integer,#key"}` },
  { name: 'row offset from 1 with total rows', prefix: '/offset1/items', expectPaths: 3, table: `{"#path": "/offset1/items /values", "#maximumPageSize": 10, "#pageSizeParameter": "maxResults", "#rowOffsetParameter": "startAt", "#firstRowNumber": 1, "#totalRowsElement": "total", "id": "Integer,#key"}` },
  { name: 'a template parameter {OFFSET}/{LIMIT}', prefix: '/template/items', expectPaths: 3, table: `{"#path": "/template/items", "#maximumPageSize": 10, "#rowOffsetParameter": "locator=start:{OFFSET},count:{LIMIT}", "id": "Integer,#key"}` },
  { name: 'has-more element', prefix: '/hasmore/items', expectPaths: 5, table: `{"#path": "/hasmore/items /items", "#maximumPageSize": 5, "#rowOffsetParameter": "offset", "#hasMoreElement": "has_more", "id": "Integer,#key"}` },
  { name: 'next-page token in the body', prefix: '/token/items', expectPaths: 4, table: `{"#path": "/token/items /data", "#nextPageElement": "paging/next_cursor", "#nextPageParameter": "cursor", "id": "Integer,#key"}` },
  { name: 'next-page URL in the body', prefix: '/nexturl/items', expectPaths: 3, table: `{"#path": "/nexturl/items /data", "#nextPageElement": "next", "id": "Integer,#key"}` },
  { name: 'next-page token in a response header', prefix: '/header/items', expectPaths: 3, table: `{"#path": "/header/items", "#nextPageResponseHeader": "X-Next-Page", "#nextPageParameter": "token", "id": "Integer,#key"}` },
  { name: 'Link header (rel="next")', prefix: '/link/items', expectPaths: 4, table: `{"#path": "/link/items", "#nextPageResponseHeader": "Link", "id": "Integer,#key"}` },
];

for (const s of STYLES) {
  test(`paging: ${s.name} fetches every page once`, async () => {
    const conn = await open(`{"t": ${s.table}}`);
    try {
      const before = api.paths(s.prefix).length;
      assert.deepEqual(await rows(conn, 'SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d, min(id) AS lo, max(id) AS hi FROM t'), [{ n: 23, d: 23, lo: 1, hi: 23 }]);
      const fetched = api.paths(s.prefix).slice(before);
      assert.equal(fetched.length, s.expectPaths, fetched.join('\n'));
      assert.equal(new Set(fetched).size, fetched.length, 'no page twice');
    } finally {
      await conn.close();
    }
  });
}

test('paging stops at MaxPages with a clear error, not a short result', async () => {
  const conn = await open(`{"t": ${STYLES[4]!.table}}`, 'MaxPages=2');
  try {
    await assert.rejects(conn.query('SELECT * FROM t'), (e: unknown) => isRestSqlError(e) && e.code === 'DATA_TOO_MANY_PAGES' && /MaxPages=2/.test(e.message));
    assert.equal((await conn.query('SELECT 1 AS x')).rows[0]!.x, 1, 'the connection stays usable');
  } finally {
    await conn.close();
  }
});

test('an array of #path is chosen by WHERE: a path parameter from = or IN (one request per value), else the list', async () => {
  const conn = await open(`{"item": {"#path": ["/items/{id}", "/plain/items"], "id": "Integer,#key", "name": "VarChar", "address": {"city": "VarChar"}}}`);
  try {
    const before = api.requests.length;
    assert.deepEqual(await rows(conn, 'SELECT id, name FROM item WHERE id = 5'), [{ id: 5, name: 'item-05' }]);
    assert.deepEqual(api.requests.slice(before).map((r) => r.url), ['/items/5']);
    assert.deepEqual(await rows(conn, 'SELECT id FROM item WHERE id IN (2, 3) ORDER BY id'), [{ id: 2 }, { id: 3 }]);
    assert.deepEqual(api.requests.slice(before + 1).map((r) => r.url).sort(), ['/items/2', '/items/3']);
    assert.equal((await rows(conn, 'SELECT count(*)::INTEGER AS n FROM item'))[0]!.n, 23);
    assert.equal(api.requests.at(-1)!.url, '/plain/items');
  } finally {
    await conn.close();
  }
});

test('virtual #mandatory columns: missing from WHERE is a clear error; given, they are sent and fill the column', async () => {
  const conn = await open(`{"search": {"#path": "/plain/items", "id": "Integer,#key", "name": "VarChar", "q": {"#type": "VarChar", "#virtual": true, "#queryParameter": "q", "#mandatory": true}}}`);
  try {
    await assert.rejects(conn.query('SELECT * FROM search'), (e: unknown) => isRestSqlError(e) && e.code === 'QUERY_MISSING_FILTER' && /'q'/.test(e.message) && /WHERE q =/.test(e.hint ?? ''));
    assert.deepEqual(await rows(conn, "SELECT id, q FROM search WHERE q = 'item-1' ORDER BY id"), DATA.filter((x) => x.name.includes('item-1')).map((x) => ({ id: x.id, q: 'item-1' })));
    assert.equal(api.requests.at(-1)!.url, '/plain/items?q=item-1');
  } finally {
    await conn.close();
  }
});

test('#headers (model and table), #post bodies, #fieldListParameter and #in reach the request', async () => {
  const conn = await open(`{
    "#headers": {"X-Api-Version": "3"},
    "hits": {"#path": "POST /search /hits", "#post": {"status": "open"}, "#headers": {"X-Trace": "t1"}, "id": "Integer,#key", "status": "VarChar"},
    "picked": {"#path": "/plain/items", "#fieldListParameter": "fields", "id": {"#type": "Integer", "#key": true, "#in": "ids"}, "name": "VarChar", "address": {"city": "VarChar"}}
  }`);
  try {
    assert.deepEqual(await rows(conn, 'SELECT DISTINCT status FROM hits'), [{ status: 'open' }]);
    const post = api.requests.at(-1)!;
    assert.equal(post.method, 'POST');
    assert.deepEqual(JSON.parse(post.body), { status: 'open' });
    assert.equal(post.headers['x-api-version'], '3');
    assert.equal(post.headers['x-trace'], 't1');
    assert.deepEqual(await rows(conn, 'SELECT id FROM picked WHERE id IN (4, 7) ORDER BY id'), [{ id: 4 }, { id: 7 }]);
    const q = new URL(api.requests.at(-1)!.url, 'http://x').searchParams;
    assert.equal(q.get('ids'), '4,7');
    assert.equal(q.get('fields'), 'id,name,address');
    assert.equal(api.requests.at(-1)!.headers['x-api-version'], '3');
  } finally {
    await conn.close();
  }
});

test('URL-only entries are sampled; sampling_status and _configuration describe the resolved model', async () => {
  const conn = await open(`{"plain": "/plain/items", "broken": "/empty", "typed": {"#path": "/offset/items /data", "#maximumPageSize": 10, "#rowOffsetParameter": "offset", "id": "Integer,#key"}}`, 'SamplingFailureTolerance=1');
  try {
    const status = await rows(conn, 'SELECT name, success, http_status, key_candidates FROM sampling_status ORDER BY name');
    assert.deepEqual(status, [
      { name: 'broken', success: false, http_status: null, key_candidates: '' },
      { name: 'plain', success: true, http_status: 200, key_candidates: 'id' },
    ]);
    const tables = (await conn.tables()).map((t) => t.name);
    assert.deepEqual(tables, ['plain', 'tags', 'orders', 'typed']);
    assert.equal((await rows(conn, 'SELECT count(*)::INTEGER AS n FROM plain'))[0]!.n, 23);
    const config = String((await rows(conn, 'SELECT configuration FROM _configuration'))[0]!.configuration);
    const parsed = JSON.parse(config) as Record<string, Record<string, unknown>>;
    assert.equal(parsed.typed!['#maximumPageSize'], 10);
    assert.equal(parsed.typed!['#rowOffsetParameter'], 'offset');
    assert.equal(parsed.plain!.id, 'Integer,#key');
  } finally {
    await conn.close();
  }
});
