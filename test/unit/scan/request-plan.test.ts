/**
 * The request plan on its own (no network): from a table's model-file entry and a query's WHERE
 * conditions to the requests that fetch it. Which #path is chosen, path parameters (encoded as
 * one segment; `.` and `..` refused), operator columns as URI parameters, headers and POST body
 * members, `#in` lists (never split by a comma inside a value), one request per value where
 * only one fits, `#default`s and `#mandatory`, and what the plan says about reuse.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestSqlError } from '../../../src/errors/index.js';
import type { Condition, SqlConstant } from '../../../src/model/condition.js';
import { parseModelFile } from '../../../src/model/model-file.js';
import type { EndpointDef } from '../../../src/model/types.js';
import { planRequests, type RequestPlan } from '../../../src/scan/request-plan.js';

const HOST = 'https://api.test';

/** The endpoint of the model file's first table, as restsql builds it from the parsed file. */
function endpoint(model: Record<string, unknown>): EndpointDef {
  const t = parseModelFile(JSON.stringify(model), 'test.rest', { hostName: HOST, qualifyNames: 0 }).tables[0]!;
  const first = t.paths[0]!;
  assert.ok(t.table, 'the test model declares its columns');
  return {
    url: first.url,
    method: first.method,
    jsonRoot: t.jsonRoot,
    table: t.table,
    paths: t.paths,
    headers: t.headers,
    ...(t.paging ? { paging: t.paging } : {}),
    ...(t.postBody !== undefined ? { postBody: t.postBody } : {}),
    ...(t.fieldListParameter ? { fieldListParameter: t.fieldListParameter } : {}),
  };
}

const str = (text: string): SqlConstant => ({ kind: 'string', text });
const num = (text: string): SqlConstant => ({ kind: 'number', text });
const where = (column: string, op: Condition['op'], values: SqlConstant[], table = 'items'): Condition => ({ table, alias: table, column, op, values });

const urls = (p: RequestPlan) => p.requests.map((r) => r.url);

const ITEMS = {
  items: {
    '#path': '/v1/items',
    id: { '#type': 'Integer', '#key': true, '#in': 'ids' },
    name: 'VarChar',
    status: { '#type': 'VarChar', '#eq': 'status', '#ne': 'not_status' },
    created: { '#type': 'Timestamp', '#ge': 'since', '#lt': 'before' },
    price: { '#type': 'Double', '#gt': 'min_price' },
  },
};

test('no condition: one request to the path, the full table (complete, reusable)', () => {
  const p = planRequests(endpoint(ITEMS), []);
  assert.deepEqual(urls(p), [`${HOST}/v1/items`]);
  assert.equal(p.requests[0]!.method, 'GET');
  assert.equal(p.complete, true);
  assert.equal(p.reusesComplete, true);
  assert.deepEqual(p.defaulted, []);
  assert.equal(p.limit, undefined);
});

/** `complete`: whether the plan says it fetches the full table (left out where it does not matter). */
const OPERATORS: { name: string; conditions: Condition[]; query: Record<string, string>; complete?: boolean }[] = [
  { name: 'equality on an #eq column', conditions: [where('status', 'eq', [str('open')])], query: { status: 'open' }, complete: false },
  { name: 'an operator the column maps (#ne)', conditions: [where('status', 'ne', [str('open')])], query: { not_status: 'open' }, complete: false },
  { name: 'a timestamp as ISO 8601 in UTC', conditions: [where('created', 'ge', [{ kind: 'timestamp', text: '2024-01-20 10:00:00' }])], query: { since: '2024-01-20T10:00:00Z' }, complete: false },
  { name: 'a date string compared with a timestamp column', conditions: [where('created', 'lt', [str('2024-02-01')])], query: { before: '2024-02-01T00:00:00Z' }, complete: false },
  { name: 'a double', conditions: [where('price', 'gt', [num('2.50')])], query: { min_price: '2.5' }, complete: false },
  { name: 'several columns at once', conditions: [where('status', 'eq', [str('closed')]), where('created', 'ge', [str('2024-01-01')])], query: { status: 'closed', since: '2024-01-01T00:00:00Z' }, complete: false },
  // Not sent: DuckDB filters alone, and the fetch is the full table.
  { name: 'an operator the column does not map (#gt on status)', conditions: [where('status', 'gt', [str('a')])], query: {} },
  { name: 'a column without any filter', conditions: [where('name', 'eq', [str('x')])], query: {}, complete: true },
  { name: 'a value the column type cannot take', conditions: [where('price', 'gt', [str('cheap')])], query: {}, complete: true },
  { name: 'an integer past the column type (INTEGER)', conditions: [where('id', 'in', [num('4'), num('99999999999')])], query: {}, complete: true },
  { name: 'a decimal with a zero fraction on an integer column is the integer', conditions: [where('id', 'in', [num('4.00'), num('7')])], query: { ids: '4,7' }, complete: false },
  { name: 'a condition on another table', conditions: [where('status', 'eq', [str('open')], 'other')], query: {}, complete: true },
  { name: 'a column the table does not have', conditions: [where('colour', 'eq', [str('red')])], query: {}, complete: true },
];

for (const c of OPERATORS) {
  test(`URI parameters: ${c.name}`, () => {
    const p = planRequests(endpoint(ITEMS), c.conditions);
    assert.equal(p.requests.length, 1);
    const url = new URL(p.requests[0]!.url);
    assert.equal(url.pathname, '/v1/items');
    assert.deepEqual(Object.fromEntries(url.searchParams), c.query);
    if (c.complete !== undefined) assert.equal(p.complete, c.complete);
  });
}

test('#in: one parameter carries the list; a value holding a comma never goes in a comma list', () => {
  const e = endpoint(ITEMS);
  const listed = planRequests(e, [where('id', 'in', [num('4'), num('7'), num('4')])]);
  assert.deepEqual(urls(listed), [`${HOST}/v1/items?ids=4%2C7`], 'duplicates go once');
  // A VarChar column with #in and #eq: values with commas go one request each through #eq.
  const names = endpoint({ items: { '#path': '/v1/items', id: 'Integer,#key', name: { '#type': 'VarChar', '#eq': 'name', '#in': 'names' } } });
  assert.deepEqual(urls(planRequests(names, [where('name', 'in', [str('a'), str('b')])])), [`${HOST}/v1/items?names=a%2Cb`]);
  const split = planRequests(names, [where('name', 'in', [str('Smith, J'), str('Doe')])]);
  assert.deepEqual(split.requests.map((r) => new URL(r.url).searchParams.get('name')), ['Smith, J', 'Doe']);
  assert.ok(split.requests.every((r) => !new URL(r.url).searchParams.has('names')));
  // With #in only, a list with a comma inside cannot be sent at all: nothing is sent, and the
  // fetch is not taken for the full table.
  const inOnly = endpoint({ items: { '#path': '/v1/items', id: 'Integer,#key', name: { '#type': 'VarChar', '#in': 'names' } } });
  const unsent = planRequests(inOnly, [where('name', 'in', [str('Smith, J'), str('Doe')])]);
  assert.deepEqual(urls(unsent), [`${HOST}/v1/items`]);
  assert.equal(unsent.complete, false);
});

test('equality with several values (IN, or a = 1 AND a = 2 through aliases) on an #eq column without #in: one request per value', () => {
  const e = endpoint(ITEMS);
  const p = planRequests(e, [where('status', 'in', [str('open'), str('closed')])]);
  assert.deepEqual(p.requests.map((r) => new URL(r.url).searchParams.get('status')), ['open', 'closed']);
  const both = planRequests(e, [where('status', 'eq', [str('open')]), where('status', 'eq', [str('closed')])]);
  assert.deepEqual(both.requests.map((r) => new URL(r.url).searchParams.get('status')), ['open', 'closed'], 'the union: DuckDB decides');
});

const BY_ID = { item: { '#path': ['/v1/items/{id}', '/v1/items'], id: 'Integer,#key', name: 'VarChar' } };

test('an array of #path: the first whose parameters the conditions give', () => {
  const e = endpoint(BY_ID);
  const one = planRequests(e, [where('id', 'eq', [num('5')], 'item')]);
  assert.deepEqual(urls(one), [`${HOST}/v1/items/5`]);
  assert.equal(one.complete, false);
  assert.equal(one.reusesComplete, false, 'a path parameter narrows what the rows are');
  const several = planRequests(e, [where('id', 'in', [num('2'), num('3')], 'item')]);
  assert.deepEqual(urls(several), [`${HOST}/v1/items/2`, `${HOST}/v1/items/3`]);
  const none = planRequests(e, []);
  assert.deepEqual(urls(none), [`${HOST}/v1/items`]);
  assert.equal(none.complete, true);
  // Not a path parameter's condition: the list path, DuckDB filters.
  assert.deepEqual(urls(planRequests(e, [where('id', 'gt', [num('5')], 'item')])), [`${HOST}/v1/items`]);
});

test('a path that needs a parameter the query does not give is QUERY_MISSING_FILTER naming it', () => {
  const e = endpoint({ item: { '#path': '/v1/items/{id}', id: 'Integer,#key' } });
  assert.throws(
    () => planRequests(e, []),
    (err: unknown) => err instanceof RestSqlError && err.code === 'QUERY_MISSING_FILTER' && /can only be fetched with WHERE id = \.\.\./.test(err.message),
  );
});

const SEGMENTS: { value: string; path: string }[] = [
  { value: 'abc', path: '/v1/users/abc/orders' },
  { value: 'a b', path: '/v1/users/a%20b/orders' },
  // Whatever the value holds, it stays one segment of this path.
  { value: 'a/../b', path: '/v1/users/a%2F..%2Fb/orders' },
  { value: '../admin', path: '/v1/users/..%2Fadmin/orders' },
  { value: '?x=1#f', path: '/v1/users/%3Fx%3D1%23f/orders' },
  { value: '%2e%2e', path: '/v1/users/%252e%252e/orders' },
  { value: '...', path: '/v1/users/.../orders' },
];

const USERS = { orders: { '#path': '/v1/users/{user}/orders', user: { '#type': 'VarChar', '#virtual': true }, order_id: 'VarChar,#key' } };

for (const c of SEGMENTS) {
  test(`a path parameter's value is one encoded segment: ${JSON.stringify(c.value)}`, () => {
    const p = planRequests(endpoint(USERS), [where('user', 'eq', [str(c.value)], 'orders')]);
    assert.equal(p.requests.length, 1);
    assert.equal(p.requests[0]!.url, `${HOST}${c.path}`);
    // What an HTTP client would request: the path does not move.
    assert.equal(new URL(p.requests[0]!.url).pathname, c.path);
    assert.deepEqual(p.requests[0]!.virtuals, { user: c.value }, 'the rows carry the value they were asked with');
  });
}

for (const value of ['.', '..']) {
  test(`a path parameter of ${JSON.stringify(value)} is refused (URL parsers resolve it, encoded or not)`, () => {
    assert.throws(
      () => planRequests(endpoint(USERS), [where('user', 'eq', [str(value)], 'orders')]),
      (err: unknown) => err instanceof RestSqlError && err.code === 'QUERY_MISSING_FILTER' && err.message.includes(`'${value}' cannot be sent as path parameter {user}`),
    );
    // Also as one value of several.
    assert.throws(() => planRequests(endpoint(USERS), [where('user', 'in', [str('ann'), str(value)], 'orders')]), RestSqlError);
  });
}

test('IN lists on path parameters multiply; more than 200 requests is refused', () => {
  const two = endpoint({ t: { '#path': '/v1/{a}/{b}', a: { '#type': 'VarChar', '#virtual': true }, b: { '#type': 'VarChar', '#virtual': true }, id: 'Integer,#key' } });
  const vals = (n: number) => Array.from({ length: n }, (_x, i) => str(`v${i}`));
  const four = planRequests(two, [where('a', 'in', vals(2), 't'), where('b', 'in', vals(2), 't')]);
  assert.deepEqual(urls(four), [`${HOST}/v1/v0/v0`, `${HOST}/v1/v0/v1`, `${HOST}/v1/v1/v0`, `${HOST}/v1/v1/v1`]);
  assert.deepEqual(four.requests.map((r) => r.virtuals), [{ a: 'v0', b: 'v0' }, { a: 'v0', b: 'v1' }, { a: 'v1', b: 'v0' }, { a: 'v1', b: 'v1' }]);
  assert.equal(planRequests(two, [where('a', 'in', vals(10), 't'), where('b', 'in', vals(20), 't')]).requests.length, 200);
  assert.throws(
    () => planRequests(two, [where('a', 'in', vals(15), 't'), where('b', 'in', vals(15), 't')]),
    (err: unknown) => err instanceof RestSqlError && err.code === 'QUERY_MISSING_FILTER' && /would need 225 requests \(at most 200\)/.test(err.message),
  );
});

const QUOTES = { daily: { '#path': '/query', symbol: { '#type': 'VarChar', '#key': true, '#virtual': true, '#default': 'MSFT', '#eq': 'symbol' }, close: 'Double' } };

test('#default: sent when the query gives no value, and listed as defaulted', () => {
  const e = endpoint(QUOTES);
  const d = planRequests(e, []);
  assert.deepEqual(urls(d), [`${HOST}/query?symbol=MSFT`]);
  assert.deepEqual(d.defaulted, ['symbol']);
  assert.deepEqual(d.requests[0]!.virtuals, { symbol: 'MSFT' });
  const given = planRequests(e, [where('symbol', 'eq', [str('PRGS')], 'daily')]);
  assert.deepEqual(urls(given), [`${HOST}/query?symbol=PRGS`]);
  assert.deepEqual(given.defaulted, []);
  assert.notEqual(given.key, d.key, 'a different fetch');
  assert.equal(given.reusesComplete, false, 'a virtual column was constrained');
});

test('a #default on a column that is not virtual narrows the rows: the fetch is not the full table', () => {
  const e = endpoint({ users: { '#path': '/users', id: 'Integer,#key', region: { '#type': 'VarChar', '#eq': 'region', '#default': 'north' } } });
  const p = planRequests(e, []);
  assert.deepEqual(urls(p), [`${HOST}/users?region=north`]);
  assert.deepEqual(p.defaulted, ['region']);
  assert.equal(p.complete, false);
});

test('#mandatory: no value and no default is QUERY_MISSING_FILTER naming the column; a value satisfies it', () => {
  const e = endpoint({ search: { '#path': '/search', id: 'Integer,#key', q: { '#type': 'VarChar', '#virtual': true, '#queryParameter': 'q', '#mandatory': true } } });
  assert.throws(
    () => planRequests(e, []),
    (err: unknown) => err instanceof RestSqlError && err.code === 'QUERY_MISSING_FILTER' && /needs a WHERE condition on 'q'/.test(err.message) && /WHERE q =/.test(err.hint ?? ''),
  );
  const p = planRequests(e, [where('q', 'eq', [str('item-1')], 'search')]);
  assert.deepEqual(urls(p), [`${HOST}/search?q=item-1`]);
  assert.deepEqual(p.requests[0]!.virtuals, { q: 'item-1' });
});

test('#header: the value goes in the header; one a header cannot carry is not sent, and is an error for a virtual column', () => {
  const e = endpoint({
    t: {
      '#path': '/t',
      '#headers': { 'X-Api-Version': '3' },
      id: 'Integer,#key',
      tenant: { '#type': 'VarChar', '#header': 'X-Tenant' },
      region: { '#type': 'VarChar', '#virtual': true, '#header': 'X-Region' },
    },
  });
  const p = planRequests(e, [where('tenant', 'eq', [str('acme')], 't'), where('region', 'eq', [str('eu')], 't')]);
  assert.deepEqual(p.requests[0]!.headers, { 'X-Api-Version': '3', 'X-Tenant': 'acme', 'X-Region': 'eu' });
  assert.equal(p.requests[0]!.url, `${HOST}/t`);
  const bad = planRequests(e, [where('tenant', 'eq', [str('a\r\nX-Injected: 1')], 't')]);
  assert.deepEqual(bad.requests[0]!.headers, { 'X-Api-Version': '3' });
  assert.throws(
    () => planRequests(e, [where('region', 'eq', [str('\u20ac')], 't')]),
    (err: unknown) => err instanceof RestSqlError && err.code === 'QUERY_MISSING_FILTER' && /X-Region header/.test(err.message),
  );
});

test('#post and #postParameter: a POST body with the value at its (nested) member, numbers exact, booleans as booleans', () => {
  const e = endpoint({
    hits: {
      '#path': 'POST /search /hits',
      '#post': { limit: 100, filter: { kind: 'x' } },
      id: { '#type': 'BigInt', '#key': true, '#postParameter': 'filter/id' },
      active: { '#type': 'Boolean', '#postParameter': 'active' },
    },
  });
  const none = planRequests(e, []);
  assert.equal(none.requests[0]!.method, 'POST');
  assert.deepEqual(JSON.parse(none.requests[0]!.body!), { limit: 100, filter: { kind: 'x' } });
  const p = planRequests(e, [where('id', 'eq', [num('1234567890123456789')], 'hits'), where('active', 'eq', [{ kind: 'boolean', text: 't' }], 'hits')]);
  const body = p.requests[0]!.body!;
  assert.match(body, /"id":1234567890123456789\b/, 'every digit (past 2^53), as a JSON number');
  assert.deepEqual(JSON.parse(body.replace('1234567890123456789', '1')), { limit: 100, filter: { kind: 'x', id: 1 }, active: true });
  // The model's #post is not changed by one query's values.
  assert.deepEqual(JSON.parse(planRequests(e, []).requests[0]!.body!), { limit: 100, filter: { kind: 'x' } });
});

test('a #postParameter value makes a GET path a POST', () => {
  const e = endpoint({ t: { '#path': '/t', id: 'Integer,#key', status: { '#type': 'VarChar', '#postParameter': 'status' } } });
  assert.equal(planRequests(e, []).requests[0]!.method, 'GET');
  const p = planRequests(e, [where('status', 'eq', [str('open')], 't')]);
  assert.equal(p.requests[0]!.method, 'POST');
  assert.deepEqual(JSON.parse(p.requests[0]!.body!), { status: 'open' });
});

test('#fieldListParameter lists the top-level members the columns read', () => {
  const e = endpoint({ picked: { '#path': '/v1/items?x=1', '#fieldListParameter': 'fields', id: 'Integer,#key', name: 'VarChar', address: { city: 'VarChar', zip: 'VarChar' } } });
  assert.deepEqual(urls(planRequests(e, [])), [`${HOST}/v1/items?x=1&fields=id%2Cname%2Caddress`]);
});

test('LIMIT: carried in the plan; a limited fetch is never taken for the full table', () => {
  const e = endpoint(ITEMS);
  const p = planRequests(e, [], 4);
  assert.equal(p.limit, 4);
  assert.equal(p.complete, false);
  assert.notEqual(p.key, planRequests(e, []).key);
});

test('the plan key: the same conditions give the same key, other values another', () => {
  const e = endpoint(ITEMS);
  const a = planRequests(e, [where('status', 'eq', [str('open')])]);
  assert.equal(planRequests(e, [where('status', 'eq', [str('open')])]).key, a.key);
  assert.notEqual(planRequests(e, [where('status', 'eq', [str('closed')])]).key, a.key);
  // A condition that is not sent fetches the same as none.
  assert.equal(planRequests(e, [where('name', 'eq', [str('x')])]).key, planRequests(e, []).key);
});
