import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, RestSqlError, type Connection } from '../../../src/index.js';
import { startDemoApi, type DemoApi } from '../../../examples/demo/api-server.js';

let api: DemoApi;
let conn: Connection;

before(async () => {
  api = await startDemoApi();
  conn = await connect(`RestSamplePath=${api.baseUrl}/v1/customers`);
});
after(async () => {
  await conn.close();
  await api.close();
});

test('sampling fetched once; the first query reuses that response', async () => {
  const { rows } = await conn.query('SELECT count(*) AS n FROM customers');
  assert.deepEqual(rows, [{ n: 12 }]);
  assert.equal(api.requests.filter((r) => r.startsWith('GET /v1/customers')).length, 1);
});

test('typed values: numbers, booleans, ISO timestamps, dates, NULL, text zip codes', async () => {
  const { rows, columns } = await conn.query('SELECT id, active, balance, signup_date, last_login, address_zip FROM customers WHERE id IN (101, 105) ORDER BY id');
  assert.deepEqual(columns.map((c) => `${c.name}:${c.type}`), ['id:INTEGER', 'active:BOOLEAN', 'balance:DOUBLE', 'signup_date:DATE', 'last_login:TIMESTAMP', 'address_zip:VARCHAR']);
  assert.deepEqual(rows[0], { id: 101, active: true, balance: 0, signup_date: '2025-01-01', last_login: '2026-11-01T08:15:00', address_zip: '02134' });
  assert.equal(rows[1]!.last_login, null);
});

test('joins across child tables agree with the source data', async () => {
  const { rows } = await conn.query(`
    SELECT c.id, count(i.sku) AS lines, sum(i.qty) AS units
    FROM customers c JOIN orders o ON o.customers_id = c.id
    JOIN items i ON i.orders_customers_id = o.customers_id AND i.orders_position = o.position
    GROUP BY c.id ORDER BY c.id`);
  const { customers } = await import('../../../examples/demo/data.js');
  const expected = customers()
    .filter((c) => c.orders.length > 0)
    .map((c) => ({ id: c.id, lines: c.orders.reduce((n, o) => n + o.items.length, 0), units: c.orders.reduce((n, o) => n + o.items.reduce((m, i) => m + i.qty, 0), 0) }));
  assert.deepEqual(rows, expected);
});

test('a failed query leaves the connection usable', async () => {
  await assert.rejects(conn.query('SELEC 1'), (e: unknown) => e instanceof RestSqlError && e.code === 'QUERY_SYNTAX' && /LINE 1/.test(e.message));
  await assert.rejects(conn.query('SELECT nope FROM customers'), (e: unknown) => e instanceof RestSqlError && e.code === 'QUERY_UNKNOWN_COLUMN');
  await assert.rejects(conn.query('SELECT * FROM custmers'), (e: unknown) => e instanceof RestSqlError && e.code === 'QUERY_UNKNOWN_TABLE' && /customers/.test(e.message));
  assert.deepEqual((await conn.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
});

test('the engine is locked down: no files, no extensions, no settings', async () => {
  for (const sql of ["SELECT * FROM read_text('/etc/passwd')", "COPY customers TO '/tmp/restsql-leak.csv'", 'INSTALL httpfs', "SET enable_external_access = true", "ATTACH '/tmp/x.db'"]) {
    await assert.rejects(conn.query(sql), (e: unknown) => e instanceof RestSqlError && e.code === 'QUERY_NOT_ALLOWED', sql);
  }
});

test('parameters and streaming', async () => {
  assert.deepEqual((await conn.query('SELECT name FROM customers WHERE id = $1', [103])).rows, [{ name: 'Alan Turing' }]);
  let n = 0;
  for await (const batch of conn.stream('SELECT * FROM range(5000) t(i)')) n += batch.rows.length;
  assert.equal(n, 5000);
});

test('tables() describes parents, children and keys', async () => {
  const tables = await conn.tables();
  assert.deepEqual(tables.map((t) => `${t.name}<${t.parent ?? ''}`), ['customers<', 'tags<customers', 'orders<customers', 'items<orders']);
  assert.deepEqual(tables[1]!.columns.map((c) => c.name), ['customers_id', 'position', 'tags']);
  // parentKey: which columns link a child's rows to their parent row, and the parent columns they hold.
  assert.deepEqual(tables[0]!.parentKey, []);
  assert.deepEqual(tables[1]!.parentKey, [{ column: 'customers_id', parentColumn: 'id' }]);
  assert.deepEqual(tables[3]!.parentKey, [
    { column: 'orders_customers_id', parentColumn: 'customers_id' },
    { column: 'orders_position', parentColumn: 'position' },
  ]);
});

test('AuthHeader + SecurityToken go on every request; a 401 is an authentication error', async () => {
  const c = await connect(`RestSamplePath=${api.baseUrl}/v1/secure;AuthHeader=X-Tenant;SecurityToken=acme`);
  assert.equal((await c.query('SELECT count(*) AS n FROM secure')).rows[0]!.n, 2);
  await c.close();
  await assert.rejects(connect(`RestSamplePath=${api.baseUrl}/v1/secure`), (e: unknown) => e instanceof RestSqlError && e.code === 'AUTH_FAILED' && e.exitStatus === 3);
});

test('HealthURI is probed at connect', async () => {
  const before = api.requests.length;
  const c = await connect(`HostName=${api.baseUrl};RestSamplePath=/v1/things;HealthURI=/v1/empty`);
  await c.close();
  assert.deepEqual(api.requests.slice(before), ['GET /v1/empty', 'GET /v1/things']);
  await assert.rejects(connect(`HostName=${api.baseUrl};RestSamplePath=/v1/things;HealthURI=/v1/teapot`), (e: unknown) => e instanceof RestSqlError && e.code === 'HTTP_STATUS');
});

test('a closed connection says so', async () => {
  const c = await connect(`RestSamplePath=${api.baseUrl}/v1/things`);
  await c.close();
  await assert.rejects(c.query('SELECT 1'), (e: unknown) => e instanceof RestSqlError && e.code === 'CONNECTION_CLOSED');
});
