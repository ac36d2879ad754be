/**
 * Model files (RestConfigFile) end to end on the real DuckDB against a local fixture API: the
 * DataDirect grammar, every paging style, filter pushdown, path choice, #http actions.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, isRestSqlError, type Connection } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { items, startFixtureApi, type FixtureApi } from '../support/fixture-api.js';
import { ownSpoolFolders, tempDir } from '../support/temp-dir.js';

const DATA = items();
let api: FixtureApi;
const dir = tempDir(after, 'restsql-model-');
let n = 0;

before(async () => {
  api = await startFixtureApi(DATA);
});
after(async () => {
  await api?.close();
  assert.deepEqual(ownSpoolFolders(), [], 'every connection closed: no spool folder of this process is left');
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
      // Timestamps go as ISO 8601 in UTC, the instant DuckDB compares.
      assert.equal(q.get('since'), '2024-01-20T00:00:00Z');
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

/** One table per #http rule set, over /plain/items with programmable failures. */
async function httpCase(rules: string, query: string, extra = 'WSRetryCount=3'): Promise<{ result?: Record<string, unknown>[]; error?: unknown; requests: number }> {
  const key = `k${++n}`;
  const conn = await open(`{"t": {"#path": "/plain/items?${query}&key=${key}", ${rules ? `"#http": ${rules},` : ''} "id": "Integer,#key"}}`, extra);
  try {
    const result = await rows(conn, 'SELECT count(*)::INTEGER AS n FROM t');
    return { result, requests: api.requests.filter((r) => r.url.includes(`key=${key}`)).length };
  } catch (error) {
    return { error, requests: api.requests.filter((r) => r.url.includes(`key=${key}`)).length };
  } finally {
    await conn.close();
  }
}

test('#http actions: OK, ZERO_ROWS, RETRY_AFTER, RETRY_ONCE, RETRY_FIXED, RETRY_GOOGLE, RETRY_AWS, FAIL with #message, first match wins', async () => {
  const ok = await httpCase('[{"#code": 203, "#action": "OK"}]', 'fail=203&times=1');
  assert.deepEqual([ok.result, ok.requests], [[{ n: 23 }], 1]);

  const zero = await httpCase('[{"#code": 404, "#action": "ZERO_ROWS"}]', 'fail=404&times=1');
  assert.deepEqual([zero.result, zero.requests], [[{ n: 0 }], 1]);

  const after = await httpCase('[{"#code": 429, "#action": "RETRY_AFTER"}]', 'fail=429&times=2&retryAfter=0');
  assert.deepEqual([after.result, after.requests], [[{ n: 23 }], 3]);
  const afterTooMany = await httpCase('[{"#code": 429, "#action": "RETRY_AFTER"}]', 'fail=429&times=5&retryAfter=0', 'WSRetryCount=2');
  assert.ok(isRestSqlError(afterTooMany.error) && afterTooMany.error.code === 'HTTP_RATE_LIMITED', String(afterTooMany.error));
  assert.equal(afterTooMany.requests, 3, 'WSRetryCount bounds the retries');

  const once = await httpCase('[{"#code": 500, "#action": "RETRY_ONCE"}]', 'fail=500&times=1');
  assert.deepEqual([once.result, once.requests], [[{ n: 23 }], 2]);
  const onceFails = await httpCase('[{"#code": 500, "#action": "RETRY_ONCE"}]', 'fail=500&times=2');
  assert.ok(isRestSqlError(onceFails.error) && onceFails.error.code === 'HTTP_STATUS');
  assert.equal(onceFails.requests, 2);

  const fixed = await httpCase('[{"#code": 502, "#action": "RETRY_FIXED"}]', 'fail=502&times=1');
  assert.deepEqual([fixed.result, fixed.requests], [[{ n: 23 }], 2]);
  const google = await httpCase('[{"#code": 503, "#action": "RETRY_GOOGLE"}]', 'fail=503&times=2');
  assert.deepEqual([google.result, google.requests], [[{ n: 23 }], 3]);
  const aws = await httpCase('[{"#code": 503, "#action": "RETRY_AWS"}]', 'fail=503&times=2');
  assert.deepEqual([aws.result, aws.requests], [[{ n: 23 }], 3]);

  const failed = await httpCase('[{"#code": 418, "#action": "FAIL", "#message": "The teapot is out of tea."}]', 'fail=418&times=1');
  assert.ok(isRestSqlError(failed.error) && /answered 418: The teapot is out of tea\./.test(failed.error.message), String(failed.error));

  // First match wins: the #match rule for "quota" retries, the general 400 rule fails.
  const rules = '[{"#code": 400, "#match": "quota", "#action": "RETRY_ONCE"}, {"#code": 400, "#action": "FAIL", "#message": "bad request"}]';
  const matched = await httpCase(rules, 'fail=400&times=1&detail=quota');
  assert.deepEqual([matched.result, matched.requests], [[{ n: 23 }], 2]);
  const unmatched = await httpCase(rules, 'fail=400&times=1&detail=other');
  assert.ok(isRestSqlError(unmatched.error) && /bad request/.test(unmatched.error.message));
  assert.equal(unmatched.requests, 1);

  // A status the rules do not list fails, saying how to list it; defaults apply without #http.
  const unlisted = await httpCase('[{"#code": 404, "#action": "ZERO_ROWS"}]', 'fail=409&times=1');
  assert.ok(isRestSqlError(unlisted.error) && /#http rules have no entry for 409/.test(unlisted.error.hint ?? ''));
  const defaults404 = await httpCase('', 'fail=404&times=1');
  assert.deepEqual(defaults404.result, [{ n: 0 }], 'DataDirect default: 404 is ZERO_ROWS');
  const defaults503 = await httpCase('', 'fail=503&times=1');
  assert.deepEqual([defaults503.result, defaults503.requests], [[{ n: 23 }], 2], 'DataDirect default: 503 is RETRY_AFTER');
});

const BAD: { what: string; model: string; at: string; message: RegExp; hint?: RegExp }[] = [
  { what: 'invalid JSON', model: '{\n  "t": "/plain/items"\n  "u": "/x"\n}', at: '3:3', message: /not valid JSON: CommaExpected/ },
  { what: 'unknown top-level key', model: '{\n  "#maximumPagesize": 10,\n  "#hedaers": {},\n  "t": "/plain/items"\n}', at: '3:3', message: /unknown key '#hedaers' in the model file\. Did you mean #headers\?/ },
  { what: 'unknown table key', model: '{"t": {\n  "#path": "/plain/items",\n  "#pageSizeParamter": "limit"}}', at: '3:3', message: /unknown key '#pageSizeParamter' in table 't'\. Did you mean #pageSizeParameter\?/ },
  { what: 'unknown type', model: '{"t": {"#path": "/plain/items",\n "id": "Integr,#key"}}', at: '2:8', message: /unknown type 'Integr'\. Did you mean integer\?/ },
  { what: 'unknown column flag', model: '{"t": {"#path": "/plain/items", "id": "Integer,#kee"}}', at: '1:39', message: /unknown column flag '#kee'/ },
  { what: 'unknown column key', model: '{"t": {"#path": "/plain/items", "id": {"#type": "Integer", "#greater": "x"}}}', at: '1:60', message: /unknown key '#greater' in column 'id'/ },
  { what: 'missing #path', model: '{"t": {"id": "Integer"}}', at: '1:2', message: /table 't' has no "#path"/ },
  { what: 'paging without a page size', model: '{"t": {"#path": "/plain/items", "#rowOffsetParameter": "offset"}}', at: '1:33', message: /need #maximumPageSize/ },
  { what: 'bad #http action', model: '{"#http": [{"#code": 404, "#action": "ZERO_ROW"}], "t": "/plain/items"}', at: '1:38', message: /unknown #action 'ZERO_ROW'\. Did you mean ZERO_ROWS\?/ },
  { what: 'bad #http code', model: '{"#http": [{"#code": 99, "#action": "OK"}], "t": "/plain/items"}', at: '1:22', message: /#code 99 is not an HTTP status code/ },
  { what: 'no tables', model: '{"#headers": {}}', at: '1:1', message: /defines no table/ },
  { what: 'not an object', model: '[1, 2]', at: '1:1', message: /must be a JSON object of tables/ },
];

test('bad model files: one clear error naming file:line:column, exit 2 from the CLI', async () => {
  for (const b of BAD) {
    const file = modelFile(b.model);
    await assert.rejects(connect(`RestConfigFile=${file};HostName=${api.baseUrl}`), (e: unknown) => {
      assert.ok(isRestSqlError(e), b.what);
      assert.equal(e.code, 'MODEL_INVALID', `${b.what}: ${e.message}`);
      assert.ok(e.message.startsWith(`${file}:${b.at}: `), `${b.what}: ${e.message}`);
      assert.match(e.message, b.message, b.what);
      assert.ok((e.hint ?? '').length > 0, b.what);
      return true;
    });
  }
  const relative = modelFile('{"t": "/plain/items"}');
  await assert.rejects(connect(`RestConfigFile=${relative}`), (e: unknown) => isRestSqlError(e) && /1:7: #path '\/plain\/items' is relative and no host is set/.test(e.message) && /HostName/.test(e.hint ?? ''));
  await assert.rejects(connect(`RestConfigFile=${join(dir, 'missing.rest')}`), (e: unknown) => isRestSqlError(e) && e.code === 'MODEL_FILE_NOT_FOUND');
  const cli = await runCli(['query', '-c', `RestConfigFile=${modelFile(BAD[1]!.model)};HostName=${api.baseUrl}`, 'SELECT 1']);
  assert.equal(cli.code, 2);
  assert.match(cli.stderr, /^restsql: error\[MODEL_INVALID\]: .*\.rest:3:3: unknown key '#hedaers'/);
  assert.match(cli.stderr, /\nhint: /);
});

test('maps (field<name:KeyType> and field{KeyType}) become child tables with one row per member', async () => {
  const conn = await open(`{"inv": {"#path": "/plain/items", "id": "Integer,#key", "stock<warehouse:VarChar>": "Integer"},
    "inv2": {"#path": "/plain/items", "id": "Integer,#key", "stock<stock2>{VarChar}": "Integer"}}`).catch((e: unknown) => e);
  // "stock<stock2>{VarChar}" is not valid (a rename and a map at once): the error names it.
  assert.ok(isRestSqlError(conn) && conn.code === 'MODEL_INVALID', String(conn));
  const ok = await open(`{"inv": {"#path": "/plain/items", "id": "Integer,#key", "stock<warehouse:VarChar>": "Integer"},
    "inv2": {"#path": "/plain/items?x=1", "id": "Integer,#key", "stock{VarChar}": "Integer"}}`, 'QualifyNormalizedNames=1');
  try {
    const want = new Map<string, number>();
    for (const it of DATA) for (const [w, u] of Object.entries(it.stock)) want.set(w, (want.get(w) ?? 0) + u);
    const got = await rows(ok, 'SELECT warehouse, sum(stock)::INTEGER AS units FROM inv_stock GROUP BY 1 ORDER BY 1');
    assert.deepEqual(got, [...want].sort().map(([warehouse, units]) => ({ warehouse, units })));
    const cols = (await ok.tables()).find((t) => t.name === 'inv_stock')!.columns.map((c) => c.name);
    assert.deepEqual(cols, ['inv_id', 'position', 'warehouse', 'stock']);
    const viaKey = await rows(ok, "SELECT count(*)::INTEGER AS n FROM inv2_stock WHERE key = 'w3'");
    assert.deepEqual(viaKey, [{ n: DATA.filter((x) => 'w3' in x.stock).length }]);
  } finally {
    await ok.close();
  }
});

test('CLI: a model file through --connect and a DSN; `restsql sample` prints the resolved model', async () => {
  const file = modelFile(ITEMS_MODEL);
  const conn = `RestConfigFile=${file};HostName=${api.baseUrl}`;
  const q = await runCli(['query', '-c', conn, '--format', 'csv', "SELECT i.id, count(t.tags) AS tags FROM items i LEFT JOIN tags t ON t.items_id = i.id WHERE i.status = 'closed' GROUP BY 1 ORDER BY 1 LIMIT 3"]);
  assert.equal(q.code, 0, q.stderr);
  const closed = DATA.filter((x) => x.status === 'closed').slice(0, 3);
  assert.equal(q.stdout, ['id,tags', ...closed.map((x) => `${x.id},${x.tags.length}`)].join('\n') + '\n');
  const ini = join(dir, 'odbc.ini');
  writeFileSync(ini, `[Items]\nDriver=restsql\nRestConfigFile=${file}\nHostName=${api.baseUrl}\n`);
  const t = await runCli(['tables', '--dsn', 'Items', '--odbc-ini', ini, '--format', 'csv']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /^name,parent,columns,endpoint\nitems,,7,.*\/offset\/items\ntags,items,3,.*\norders,items,4,/);
  const s = await runCli(['sample', '-c', conn]);
  assert.equal(s.code, 0, s.stderr);
  const model = JSON.parse(s.stdout) as Record<string, Record<string, unknown>>;
  assert.equal(model.items!['#rowOffsetParameter'], 'offset');
  assert.deepEqual(model.items!.status, { '#type': 'VarChar', '#eq': 'status' });
  assert.deepEqual(model.items!['orders[]'], { order_id: 'VarChar', qty: 'Integer' });
});

test('#postParameter puts a WHERE value into the POST body', async () => {
  const conn = await open(`{"hits": {"#path": "POST /search /hits", "#post": {"limit": 100}, "id": "Integer,#key", "status": {"#type": "VarChar", "#postParameter": "status"}}}`);
  try {
    assert.deepEqual(await rows(conn, "SELECT DISTINCT status FROM hits WHERE status = 'closed'"), [{ status: 'closed' }]);
    const sent = api.requests.at(-1)!;
    assert.equal(sent.method, 'POST');
    assert.deepEqual(JSON.parse(sent.body), { limit: 100, status: 'closed' });
    assert.equal((await rows(conn, 'SELECT count(*)::INTEGER AS n FROM hits'))[0]!.n, 23, 'without the condition, the #post body alone');
    assert.deepEqual(JSON.parse(api.requests.at(-1)!.body), { limit: 100 });
  } finally {
    await conn.close();
  }
});

test('CacheTTL: loaded rows answer later queries until they expire; progress is reported per page', async (t) => {
  // The clock the cache reads (Date) moves only when the test says: no waiting for a real second.
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const file = modelFile(ITEMS_MODEL);
  const seen: number[] = [];
  const conn = await connect(`RestConfigFile=${file};HostName=${api.baseUrl};CacheTTL=1`, { onProgress: (p) => seen.push(p.pages) });
  try {
    const count = () => api.paths('/offset/items').length;
    const before = count();
    await conn.query('SELECT count(*) FROM items');
    assert.equal(count(), before + 3);
    assert.deepEqual(seen, [1, 2, 3]);
    await conn.query('SELECT count(*) FROM items');
    assert.equal(count(), before + 3, 'within the TTL: no request');
    t.mock.timers.tick(999);
    await conn.query('SELECT count(*) FROM items');
    assert.equal(count(), before + 3, '1 ms before the TTL ends: no request');
    t.mock.timers.tick(1);
    await conn.query('SELECT count(*) FROM items');
    assert.equal(count(), before + 6, 'after the TTL: fetched again');
  } finally {
    await conn.close();
  }
});

const FULL_COLUMNS = `"id": "Integer,#key", "name": "VarChar", "status": "VarChar", "created": "Timestamp", "price": "Double", "address": {"city": "VarChar", "zip": "VarChar"}, "tags[]": "VarChar", "orders[]": {"order_id": "VarChar", "qty": "Integer"}`;

test('pages known in advance load in one pass through DuckDB (spooled), with the same rows as row-by-row loading', async () => {
  // With a total, every page is known after the first: fetched concurrently, spooled, bulk-loaded.
  const model = `{"t": {"#path": "/offset1/items /values", "#maximumPageSize": 5, "#pageSizeParameter": "maxResults", "#rowOffsetParameter": "startAt", "#firstRowNumber": 1, "#totalRowsElement": "total", ${FULL_COLUMNS}}}`;
  const bulk = await open(model);
  const rowwise = await open(model, 'BulkLoad=0');
  try {
    const queries = [
      'SELECT * FROM t ORDER BY id',
      'SELECT * FROM tags ORDER BY t_id, position',
      'SELECT * FROM orders ORDER BY t_id, position',
    ];
    for (const q of queries) assert.deepEqual(await rows(bulk, q), await rows(rowwise, q), q);
    const first = (await rows(bulk, 'SELECT id, created, address_zip FROM t WHERE id = 1'))[0]!;
    assert.deepEqual(first, { id: 1, created: '2024-01-01T10:00:00', address_zip: '02100' });
    assert.equal((await rows(bulk, 'SELECT count(*)::INTEGER AS n FROM t'))[0]!.n, 23);
  } finally {
    await bulk.close();
    await rowwise.close();
  }
});

test('every paging style spools (sequential ones too): same rows, row ids and requests as row by row', async () => {
  // Each page's token, has-more flag or record count is read from the raw page without parsing it.
  const styles: Record<string, string> = {
    token: '"#path": "/token/items /data", "#nextPageElement": "paging/next_cursor", "#nextPageParameter": "cursor"',
    nexturl: '"#path": "/nexturl/items /data", "#nextPageElement": "next"',
    header: '"#path": "/header/items", "#nextPageResponseHeader": "X-Next-Page", "#nextPageParameter": "token"',
    link: '"#path": "/link/items", "#nextPageResponseHeader": "Link"',
    hasmore: '"#path": "/hasmore/items /items", "#maximumPageSize": 5, "#rowOffsetParameter": "offset", "#hasMoreElement": "has_more"',
    offset: '"#path": "/offset/items /data", "#maximumPageSize": 5, "#pageSizeParameter": "limit", "#rowOffsetParameter": "offset"',
    // With a total: the pages come concurrently, in any order, and are still numbered in page order.
    total: '"#path": "/offset1/items /values", "#maximumPageSize": 3, "#pageSizeParameter": "maxResults", "#rowOffsetParameter": "startAt", "#firstRowNumber": 1, "#totalRowsElement": "total"',
    pages: '"#path": "/page/items /results", "#maximumPageSize": 2, "#pageSizeParameter": "per_page", "#pageNumberParameter": "page", "#firstPageNumber": 1, "#totalPagesElement": "meta/total_pages"',
  };
  // No #key: generated row ids link the child tables, so page order must survive spooling.
  const columns = FULL_COLUMNS.replace('"Integer,#key"', '"Integer"');
  for (const [style, paging] of Object.entries(styles)) {
    const model = `{"t": {${paging}, ${columns}}}`;
    const before = api.requests.length;
    const debug: string[] = [];
    const logger = { debug: (m: string) => debug.push(m), info() {}, warn() {} };
    const bulk = await connect(`RestConfigFile=${modelFile(model)};HostName=${api.baseUrl}`, { logger });
    const rowwise = await open(model, 'BulkLoad=0');
    try {
      const queries = ['SELECT * FROM t ORDER BY rowid', 'SELECT * FROM tags ORDER BY ALL', 'SELECT * FROM orders ORDER BY ALL'];
      const got = [];
      for (const q of queries) got.push(await rows(bulk, q));
      const bulkRequests = api.requests.length - before;
      for (const [i, q] of queries.entries()) assert.deepEqual(got[i], await rows(rowwise, q), `${style}: ${q}`);
      assert.equal(got[0]!.length, 23, `${style}: every item`);
      assert.deepEqual(got[0]!.map((r) => r.rowid), Array.from({ length: 23 }, (_x, i) => i + 1), `${style}: row ids in page order`);
      assert.equal(bulkRequests * 2, api.requests.length - before, `${style}: the same requests both ways`);
      assert.ok(debug.some((m) => /spooled page\(s\) loaded by DuckDB/.test(m)), `${style}: loaded by DuckDB`);
    } finally {
      await bulk.close();
      await rowwise.close();
    }
  }
});

test('a bulk-loaded child table waits until a query names it, then loads from the spooled pages without new requests', async () => {
  const model = `{"t": {"#path": "/offset1/items /values", "#maximumPageSize": 5, "#pageSizeParameter": "maxResults", "#rowOffsetParameter": "startAt", "#firstRowNumber": 1, "#totalRowsElement": "total", ${FULL_COLUMNS}}}`;
  const debug: string[] = [];
  const conn = await connect(`RestConfigFile=${modelFile(model)};HostName=${api.baseUrl}`, { logger: { debug: (m) => debug.push(m), info() {}, warn() {} } });
  const rowwise = await open(model, 'BulkLoad=0');
  // Spooled pages live in <spool folder>/pages/; only this process's folders count (other test
  // processes spool in the same temporary folder at the same time).
  const spoolFolders = () =>
    ownSpoolFolders()
      .filter((d) => existsSync(join(d, 'pages')))
      .flatMap((d) => readdirSync(join(d, 'pages')).map((x) => join(d, 'pages', x)));
  const foldersBefore = new Set(spoolFolders());
  try {
    assert.equal((await rows(conn, 'SELECT count(*)::INTEGER AS n FROM t'))[0]!.n, 23);
    assert.ok(debug.some((m) => /tags, orders when first queried/.test(m)), debug.join('\n'));
    const kept = spoolFolders().filter((f) => !foldersBefore.has(f));
    assert.equal(kept.length, 1, 'the spooled pages are kept for the child tables');
    const tagsQuery = 'SELECT * FROM tags ORDER BY t_id, position';
    const ordersQuery = 'SELECT o.* FROM orders o JOIN t ON t.id = o.t_id ORDER BY 1, 2';
    const want = [await rows(rowwise, tagsQuery), await rows(rowwise, ordersQuery)];
    const requests = api.requests.length;
    assert.deepEqual(await rows(conn, tagsQuery), want[0]);
    assert.ok(existsSync(kept[0]!), 'orders still waits, so the pages stay');
    assert.deepEqual(await rows(conn, ordersQuery), want[1]);
    assert.ok(want[1]!.length > 0);
    assert.equal(api.requests.length, requests, 'no request for the child tables');
    assert.equal(existsSync(kept[0]!), false, 'every child table loaded: the spooled pages are gone');
  } finally {
    await conn.close();
    await rowwise.close();
  }
});

test('every table a query reads is fetched, also where DuckDB\'s getTableNames answers nothing (x.* with ORDER BY 1, 2)', async () => {
  const conn = await open(`{"t": {"#path": "/offset1/items /values", "#maximumPageSize": 5, "#pageSizeParameter": "maxResults", "#rowOffsetParameter": "startAt", "#firstRowNumber": 1, "#totalRowsElement": "total", "id": "Integer,#key", "name": "VarChar"}}`);
  try {
    const got = await rows(conn, 'SELECT x.* FROM t x ORDER BY 1, 2');
    assert.equal(got.length, 23);
    assert.deepEqual(got[0], { id: 1, name: 'item-01' });
  } finally {
    await conn.close();
  }
});

test('a deferred child table DuckDB cannot read as declared is loaded again row by row, which names the bad value', async () => {
  // tags hold strings; declaring them Integer fails only when the child table is loaded.
  const conn = await open(`{"t": {"#path": "/offset1/items /values", "#maximumPageSize": 5, "#pageSizeParameter": "maxResults", "#rowOffsetParameter": "startAt", "#firstRowNumber": 1, "#totalRowsElement": "total", "id": "Integer,#key", "tags[]": "Integer"}}`);
  try {
    assert.equal((await rows(conn, 'SELECT count(*)::INTEGER AS n FROM t'))[0]!.n, 23);
    await assert.rejects(conn.query('SELECT * FROM tags'), (e: unknown) => isRestSqlError(e) && e.code === 'DATA_TYPE_MISMATCH' && /tags/.test(e.message));
    assert.equal((await conn.query('SELECT 1 AS x')).rows[0]!.x, 1, 'the connection is still usable');
  } finally {
    await conn.close();
  }
});

test('a spooled load DuckDB cannot read as declared falls back to row by row, which names the bad value', async () => {
  const conn = await open(`{"t": {"#path": "/offset1/items /values", "#maximumPageSize": 5, "#rowOffsetParameter": "startAt", "#firstRowNumber": 1, "#totalRowsElement": "total", "id": "Integer,#key", "name": "Integer"}}`);
  try {
    await assert.rejects(conn.query('SELECT * FROM t'), (e: unknown) => isRestSqlError(e) && e.code === 'DATA_TYPE_MISMATCH' && /column name \(INTEGER\): record 1 of http:\/\/127\.0\.0\.1:\d+\/offset1\/items\?startAt=1 has "item-01", which is not a INTEGER/.test(e.message));
    assert.equal((await conn.query('SELECT 1 AS x')).rows[0]!.x, 1);
  } finally {
    await conn.close();
  }
});

test('sweep: every filtering query on the fixture API gives the same rows with FilterPushdown on and off', async () => {
  const queries = [
    "SELECT id FROM items WHERE status = 'open' AND created >= '2024-01-20' ORDER BY id",
    "SELECT id FROM items WHERE status IN ('open', 'closed') AND created >= TIMESTAMP '2024-01-05 10:00:00' ORDER BY id",
    "SELECT id FROM items WHERE created >= DATE '2024-01-10' AND status <> 'open' ORDER BY id",
    "SELECT i.id, count(t.tags) AS tags FROM items i LEFT JOIN tags t ON t.items_id = i.id WHERE i.status = 'closed' GROUP BY 1 ORDER BY 1",
    "SELECT o.order_id, o.qty FROM orders o JOIN items i ON o.items_id = i.id WHERE i.status = 'open' ORDER BY 1",
    "SELECT (SELECT count(*) FROM items) AS total, count(*) AS n FROM items WHERE status = 'open'",
    "SELECT count(*) AS n FROM items a, items b WHERE a.status = 'closed'",
    "SELECT count(*) AS n FROM items WHERE status = 'open' OR created >= '2024-01-20'",
    "SELECT id FROM items WHERE status = 'Open' ORDER BY id",
    "SELECT id FROM items WHERE created > '2024-01-20T10:00:00+02:00' ORDER BY id",
  ];
  const on = await open(ITEMS_MODEL);
  const off = await open(ITEMS_MODEL, 'FilterPushdown=0');
  try {
    for (const sql of queries) assert.deepEqual(await rows(on, sql), await rows(off, sql), sql);
  } finally {
    await on.close();
    await off.close();
  }
});
