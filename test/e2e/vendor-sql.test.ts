/**
 * SQL written for DataDirect's Autonomous REST Connector runs unchanged, through the real CLI
 * against a loopback API and through `restsql serve` with node-postgres: the schema name
 * AUTOREST, `AUTOREST."_CONFIGURATION"` with its CONTENT column,
 * `INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS`, and each kind of ODBC/JDBC escape sequence
 * ({fn}, {d}, {t}, {ts}, {oj}, {escape}, {call}), with their errors.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { runCli } from '../support/cli.js';
import { items, startFixtureApi, type FixtureApi } from '../support/fixture-api.js';
import { serveFixture, type Served } from '../support/serve.js';

const DATA = items();
let api: FixtureApi;
let conn: string;

before(async () => {
  api = await startFixtureApi(DATA);
  conn = `RestSamplePath=${api.baseUrl}/plain/items;Table=customers`;
});
after(() => api.close());

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const r = await runCli(['query', '-c', conn, '--format', 'json', sql]);
  assert.equal(r.code, 0, `${sql}\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

test('CLI: AUTOREST.customers, autorest.customers and "AUTOREST"."customers" are the API table, with the same requests', async () => {
  const sql = (t: string) => `SELECT id, name FROM ${t} WHERE status = 'closed' ORDER BY id`;
  const mark = api.requests.length;
  const want = await query(sql('customers'));
  const wantRequests = api.requests.slice(mark).map((r) => r.url);
  assert.deepEqual(
    want,
    DATA.filter((d) => d.status === 'closed').map((d) => ({ id: d.id, name: d.name })),
  );
  for (const t of ['AUTOREST.customers', 'autorest.customers', '"AUTOREST"."customers"', 'AUTOREST.CUSTOMERS']) {
    const before_ = api.requests.length;
    assert.deepEqual(await query(sql(t)), want, t);
    assert.deepEqual(
      api.requests.slice(before_).map((r) => r.url),
      wantRequests,
      t,
    );
  }
  // A child table too, and nothing can be made in the schema.
  assert.deepEqual(await query('SELECT count(*)::INTEGER AS n FROM AUTOREST.tags'), [{ n: DATA.reduce((n, d) => n + d.tags.length, 0) }]);
  const refused = await runCli(['query', '-c', conn, 'CREATE TABLE AUTOREST.mine (x INTEGER)']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /error\[QUERY_NOT_ALLOWED\].*autorest/i);
});

test('CLI: AUTOREST."_CONFIGURATION" holds the model as .rest text in CONTENT', async () => {
  const rows = await query('SELECT CONTENT, configuration FROM AUTOREST."_CONFIGURATION"');
  assert.equal(rows.length, 1);
  const content = String(rows[0]!.content);
  assert.equal(content, rows[0]!.configuration);
  // The model restsql sampled: the table, its endpoint and its columns, as `restsql sample` prints it.
  const sample = await runCli(['sample', `${api.baseUrl}/plain/items`, '--table', 'customers']);
  assert.equal(sample.code, 0, sample.stderr);
  assert.equal(content.trim(), sample.stdout.trim());
  assert.match(content, /"customers"/);
  assert.match(content, /\/plain\/items/);
});

test('CLI: INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS has the documented columns, filled from sampling', async () => {
  for (const name of ['INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS', 'information_schema.system_sampling_status', '"INFORMATION_SCHEMA"."SYSTEM_SAMPLING_STATUS"', 'AUTOREST.SYSTEM_SAMPLING_STATUS']) {
    const r = await runCli(['query', '-c', conn, '--format', 'json', `SELECT * FROM ${name}`]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(rows[0]!), ['endpoint_name', 'message', 'sample_uri', 'success', 'http_status', 'primary_key_candidates'], name);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.endpoint_name, 'customers');
    assert.equal(rows[0]!.success, true);
    assert.equal(rows[0]!.http_status, 200);
    assert.equal(rows[0]!.sample_uri, `${api.baseUrl}/plain/items`);
    assert.match(String(rows[0]!.primary_key_candidates), /\bid\b/);
  }
  // restsql's own table keeps working.
  assert.deepEqual(await query('SELECT name, success FROM sampling_status'), [{ name: 'customers', success: true }]);
});

test('CLI: every kind of escape over an API table ({fn} nested, {d}, {t}, {ts}, {oj}, {escape})', async () => {
  const rows = await query(`SELECT c.id, {fn UCASE({fn LEFT(c.name, 4)})} AS pre, {fn DAYOFWEEK(c.created)} AS dow,
      {fn TIMESTAMPDIFF(SQL_TSI_DAY, {ts '2024-01-01 00:00:00'}, c.created)} AS days, {fn CONCAT(c.address_city, '!')} AS city, t.tags
    FROM {oj AUTOREST.customers c LEFT OUTER JOIN AUTOREST.tags t ON t.customers_id = c.id AND t.position = 0}
    WHERE c.created >= {d '2024-01-02'} AND c.name LIKE 'item\\_1%' {escape '\\'} AND CAST(c.created AS TIME) = {t '10:00:00'}
    ORDER BY c.id`);
  const want = DATA.filter((d) => d.created >= '2024-01-02' && d.name.startsWith('item-1')).map((d) => {
    const created = new Date(d.created);
    return { id: d.id, pre: d.name.slice(0, 4).toUpperCase(), dow: created.getUTCDay() + 1, days: Math.round((created.getTime() - Date.UTC(2024, 0, 1)) / 86_400_000), city: `${d.address.city}!`, tags: d.tags[0] };
  });
  assert.ok(want.length > 3);
  // LIKE 'item\_1%' with \ as escape matches item_1..., which no name has (they are item-NN): the escape took effect.
  assert.deepEqual(rows, []);
  const dashed = await query(`SELECT c.id, {fn UCASE({fn LEFT(c.name, 4)})} AS pre, {fn DAYOFWEEK(c.created)} AS dow,
      {fn TIMESTAMPDIFF(SQL_TSI_DAY, {ts '2024-01-01 00:00:00'}, c.created)} AS days, {fn CONCAT(c.address_city, '!')} AS city, t.tags
    FROM {oj AUTOREST.customers c LEFT OUTER JOIN AUTOREST.tags t ON t.customers_id = c.id AND t.position = 0}
    WHERE c.created >= {d '2024-01-02'} AND c.name LIKE 'item-1%' {escape '\\'} AND CAST(c.created AS TIME) = {t '10:00:00'}
    ORDER BY c.id`);
  assert.deepEqual(dashed, want);
  // Escape text inside literals and comments is data.
  assert.deepEqual(await query("SELECT '{fn UCASE(x)}' AS s /* {d 'not a date'} */"), [{ s: '{fn UCASE(x)}' }]);
});

test('CLI: malformed escapes and calls of unknown procedures are errors with a code (and the SQL position)', async () => {
  const cases: [string, string, RegExp][] = [
    ['SELECT {fn NOPE(1)} FROM customers', 'QUERY_BAD_ESCAPE', /NOPE.*position 12/],
    ["SELECT {d '2024-02-30'}", 'QUERY_BAD_ESCAPE', /2024-02-30.*not a date.*position 11/],
    ['SELECT {fn UCASE(name) FROM customers', 'QUERY_BAD_ESCAPE', /not closed|where '}' should close/],
    ["SELECT {fn LEFT('abc')}", 'QUERY_BAD_ESCAPE', /takes 2 arguments/],
    ['{call refresh_all(1)}', 'ROUTINE_UNKNOWN', /CALL refresh_all: no procedure or function of that name/],
    ['{call (1)}', 'QUERY_BAD_ESCAPE', /needs the name of a routine.*position 1/],
  ];
  for (const [sql, code, message] of cases) {
    const r = await runCli(['query', '-c', conn, sql]);
    assert.equal(r.code, 1, sql);
    assert.match(r.stderr, new RegExp(`error\\[${code}\\]`), `${sql}: ${r.stderr}`);
    assert.match(r.stderr, message, sql);
  }
});

test('serve: escapes and INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS through node-postgres; mixing it with the catalog is refused', async () => {
  const fx: Served = await serveFixture({ bigRows: 10 });
  const c = new pg.Client({ host: fx.host, port: fx.port, user: 'tester', password: fx.password, database: 'restsql', connectionTimeoutMillis: 60_000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    const plain = (await c.query('SELECT id, name FROM items ORDER BY id LIMIT 3')).rows;
    const escaped = (await c.query('SELECT id, {fn UCASE(name)} AS up, {fn LCASE({fn LEFT(name, 2)})} AS pre FROM AUTOREST.items ORDER BY id LIMIT 3')).rows;
    assert.ok(plain.length > 0);
    assert.deepEqual(
      escaped,
      plain.map((r) => ({ id: r.id, up: String(r.name).toUpperCase(), pre: String(r.name).slice(0, 2).toLowerCase() })),
    );
    // Extended protocol: a parameter inside an escape stays one parameter.
    assert.deepEqual((await c.query({ text: "SELECT {fn LEFT($1::VARCHAR, 2)} AS l, {ts '2024-01-31 13:45:00'} AS ts", values: ['hello'] })).rows.map((r) => r.l), ['he']);
    const status = await c.query('SELECT * FROM INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS ORDER BY endpoint_name');
    assert.deepEqual(
      status.fields.map((f) => f.name),
      ['endpoint_name', 'message', 'sample_uri', 'success', 'http_status', 'primary_key_candidates'],
    );
    assert.ok(status.rows.some((r) => r.endpoint_name === 'items' && r.success === true), JSON.stringify(status.rows));
    // The catalog still answers information_schema's own relations.
    assert.ok((await c.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'items'")).rows[0].n >= 1);
    await assert.rejects(c.query('SELECT * FROM information_schema.system_sampling_status s JOIN information_schema.tables t ON t.table_name = s.endpoint_name'), (e: unknown) => (e as { code?: string }).code === '0A000' && /system_sampling_status/.test((e as Error).message));
    // An escape error carries its SQLSTATE and position.
    await assert.rejects(c.query('SELECT {fn NOPE(1)}'), (e: unknown) => (e as { code?: string }).code === '42601' && (e as { position?: string }).position === '12');
  } finally {
    await c.end().catch(() => undefined);
    await fx.close();
  }
});
