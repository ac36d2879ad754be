/**
 * Which engine answers a statement (src/server/catalog/route.ts): the catalog for statements that
 * read pg_catalog / information_schema or call catalog functions, DuckDB for everything else, an
 * error for statements that read both; set_config() calls a catalog statement makes.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { isRestSqlError } from '../../../src/errors/index.js';
import { loadParser, mentionsCatalog, routeStatement } from '../../../src/server/catalog/route.js';

const API = new Set(['items', 'tags', 'types', 'sampling_status', 'pg_stats_api']);
const isApi = (schema: string | undefined, name: string) => (schema === undefined || schema === 'public' || schema === 'restsql') && API.has(name.toLowerCase());
const route = (sql: string) => routeStatement(sql, isApi).route;

before(async () => {
  await loadParser();
});

test('psql, pgjdbc and SQLAlchemy catalog queries go to the catalog', () => {
  for (const sql of [
    `SELECT n.nspname as "Schema", c.relname as "Name" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname OPERATOR(pg_catalog.~) '^(items)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3;`,
    `SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c WHERE c.relnamespace = n.oid AND c.relname LIKE $1`,
    'select pg_catalog.version()',
    'select version()',
    'select current_schema()',
    'SELECT current_user',
    "select 'items'::regclass",
    'select * from information_schema.tables',
    'with t as (select oid from pg_type) select count(*) from t',
    'select 1 union all select count(*) from pg_namespace',
  ]) {
    assert.equal(route(sql), 'catalog', sql);
  }
});

test('statements over API tables, and statements PostgreSQL cannot parse, go to DuckDB', () => {
  for (const sql of [
    'select * from items',
    'select * from public.items where id = 1',
    'select version from items',
    "select * from items where name = current_setting('application_name')",
    'select current_user, * from items',
    'select * from pg_stats_api',
    'with pg_x as (select 1 as a) select * from pg_x',
    // DuckDB's own syntax: FROM-first, EXCLUDE.
    'from pg_class select relname',
    'select * exclude (relname) from pg_class',
    // Not one SELECT: DuckDB answers (or refuses) it as it always has.
    'create temp table x as select * from pg_class',
    'explain select * from pg_class',
    'select 1; select * from pg_class',
    'select 1',
    'select now()',
  ]) {
    assert.equal(route(sql), 'engine', sql);
  }
});

test('a statement that reads the catalog and an API table is refused with 0A000, naming both', () => {
  for (const [sql, names] of [
    ['select * from pg_class join items on true', ['pg_class', 'items']],
    ['select * from information_schema.tables t, public.tags', ['information_schema.tables', 'public.tags']],
    ['select (select count(*) from types), relname from pg_class', ['pg_class', 'types']],
    ['select * from pg_class where relname in (select name from mytemp)', ['pg_class', 'mytemp']],
  ] as const) {
    assert.throws(
      () => route(sql),
      (e: unknown) => isRestSqlError(e) && e.code === 'CATALOG_MIXED' && e.sqlState === '0A000' && names.every((n) => e.message.includes(n)),
      sql,
    );
  }
});

test("DataDirect's INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS is restsql's info table (DuckDB), and mixing it with the catalog is refused", () => {
  for (const sql of [
    'SELECT * FROM INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS',
    'select endpoint_name from information_schema.system_sampling_status where success',
    'SELECT * FROM "INFORMATION_SCHEMA"."SYSTEM_SAMPLING_STATUS"',
    'select s.endpoint_name, i.id from information_schema.system_sampling_status s join items i on true',
  ]) {
    assert.equal(route(sql), 'engine', sql);
  }
  // Its neighbours stay the catalog's.
  assert.equal(route('select * from information_schema.tables'), 'catalog');
  assert.equal(route('select * from information_schema.system_sampling'), 'catalog');
  for (const sql of ['select * from information_schema.system_sampling_status, information_schema.tables', 'select * from pg_class where relname in (select endpoint_name from INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS)']) {
    assert.throws(
      () => route(sql),
      (e: unknown) => isRestSqlError(e) && e.code === 'CATALOG_MIXED' && /system_sampling_status/i.test(e.message),
      sql,
    );
  }
});

test('the cheap test: no catalog word, no parse', () => {
  assert.equal(mentionsCatalog('select id, name, region from items where version = 3'), false);
  assert.equal(mentionsCatalog('select "user", oid from items'), false);
  assert.equal(mentionsCatalog('select version()'), true);
  assert.equal(mentionsCatalog('SELECT * FROM PG_CLASS'), true);
});

test('statements without a catalog word are never the catalog (property)', () => {
  const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/).filter((w) => !mentionsCatalog(w));
  const out = fc.check(
    fc.property(word, word, fc.integer({ min: 0, max: 1000 }), (table, column, n) => {
      const sql = `select ${column}, count(*) from ${table} where ${column} > ${n} group by 1`;
      if (mentionsCatalog(sql)) return;
      assert.equal(route(sql), 'engine', sql);
    }),
    { seed: Number(process.env.RESTSQL_FC_SEED ?? 20261203), numRuns: 300 },
  );
  if (out.failed) assert.fail(`property failed (replay with RESTSQL_FC_SEED=${out.seed}): ${String(out.errorInstance)}`);
});

test('set_config() calls with constant arguments are returned for the session to apply', () => {
  const r = routeStatement("select pg_catalog.set_config('search_path', '', false), set_config('myapp.x', 'y', true), set_config('TimeZone', 'UTC', 'f'::bool)", isApi);
  assert.equal(r.route, 'catalog');
  assert.deepEqual(r.setConfig, [
    { name: 'search_path', value: '', local: false },
    { name: 'myapp.x', value: 'y', local: true },
    { name: 'TimeZone', value: 'UTC', local: false },
  ]);
  assert.deepEqual(routeStatement('select relname from pg_class', isApi).setConfig, []);
});

test('set_config() with a computed argument is refused rather than run without effect', () => {
  assert.throws(
    () => routeStatement("select set_config('search_path', relname, false) from pg_class", isApi),
    (e: unknown) => isRestSqlError(e) && e.code === 'SERVER_UNSUPPORTED' && /constant/.test(e.message) && /SET/.test(e.hint ?? ''),
  );
});

test('set_config() counts only as a column of a bare SELECT: in a CASE, under WHERE or FROM it is refused', () => {
  for (const sql of [
    "SELECT CASE WHEN 1 = 0 THEN set_config('application_name', 'x', false) END",
    "SELECT set_config('application_name', 'x', false) FROM pg_class WHERE false",
    "SELECT set_config('application_name', 'x', false) WHERE false",
    "WITH t AS (SELECT 1) SELECT set_config('application_name', 'x', false)",
    "SELECT coalesce(set_config('application_name', 'x', false), '')",
  ]) {
    assert.throws(() => routeStatement(sql, isApi), (e: unknown) => isRestSqlError(e) && e.code === 'SERVER_UNSUPPORTED', sql);
  }
});

test('a CTE named like an API table is taken for the API table: never the catalog over empty tables', () => {
  assert.throws(() => route('SELECT count(*) FROM items WHERE EXISTS (WITH items AS (SELECT 1 FROM pg_class) SELECT 1 FROM items)'), (e: unknown) => isRestSqlError(e) && e.code === 'CATALOG_MIXED');
  assert.throws(() => route('SELECT i.id FROM (WITH items AS (SELECT 1 AS id FROM pg_class LIMIT 1) SELECT id FROM items) c JOIN items i USING (id)'), (e: unknown) => isRestSqlError(e) && e.code === 'CATALOG_MIXED');
  // A CTE that is not an API table's name stays a CTE.
  assert.equal(route('WITH rels AS (SELECT relname FROM pg_class) SELECT * FROM rels'), 'catalog');
});

test('long statements with a catalog word are refused, not parsed for seconds; deep ones do not exhaust the stack', () => {
  const long = `SELECT 1 FROM pg_class WHERE ${Array.from({ length: 5000 }, (_, i) => `oid = ${i}`).join(' OR ')}`;
  assert.ok(long.length > 64 * 1024);
  assert.throws(() => route(long), (e: unknown) => isRestSqlError(e) && e.code === 'CATALOG_ROUTE_LIMIT' && e.sqlState === '54000');
  const deep = `SELECT ${'ARRAY['.repeat(800)}1${']'.repeat(800)} FROM pg_class`;
  assert.ok(['catalog', 'engine'].includes(route(deep)));
});
