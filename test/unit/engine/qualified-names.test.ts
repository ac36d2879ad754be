/**
 * API tables answer as `public.<table>` and restsql's info tables as `restsql.<table>`, the way
 * PostgreSQL clients (DBeaver, Metabase, Power BI) qualify them: the same rows and the same API
 * requests as the unqualified names, each session its own generation, restsql's errors for tables
 * not fetched, and no user statement may create, change or drop anything in those schemas.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createEngine, createSession } from '../../../src/engine/duckdb.js';
import { openHub, type Connection, type Hub } from '../../../src/index.js';
import { inferTable } from '../../../src/model/sampler.js';
import { tablesOf } from '../../../src/model/types.js';
import { startHttpServer, type Listening } from '../../support/loopback-server.js';
import { tempDir } from '../../support/temp-dir.js';

const dir = tempDir(after, 'restsql-qualified-');
let api: Listening<Server>;
const seen: string[] = [];

const ITEMS = Array.from({ length: 23 }, (_, i) => ({
  id: i + 1,
  name: `item-${i + 1}`,
  region: i % 3 === 0 ? 'north' : 'south',
  owner_id: (i % 4) + 1,
  address: { city: i % 2 ? 'Austin' : 'Boston', zip: `0${2100 + i}` },
  tags: i % 2 ? ['odd'] : ['even', `t${i % 4}`],
}));
const OWNERS = Array.from({ length: 4 }, (_, i) => ({ id: i + 1, city: i % 2 ? 'Austin' : 'Boston' }));

function send(res: ServerResponse, body: unknown): void {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

before(async () => {
  // The API filters as the model says it does (region, ids, q, city) and pages by offset/limit.
  api = await startHttpServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const q = url.searchParams;
    if (url.pathname === '/items') {
      const ids = q.get('ids')?.split(',').map(Number);
      const rows = ITEMS.filter((r) => (q.get('region') === null || r.region === q.get('region')) && (!ids || ids.includes(r.id)) && (q.get('q') === null || r.name.includes(q.get('q')!)));
      const offset = Number(q.get('offset') ?? 0);
      return send(res, rows.slice(offset, offset + Number(q.get('limit') ?? 1000)));
    }
    if (url.pathname === '/owners') return send(res, OWNERS.filter((o) => q.get('city') === null || o.city === q.get('city')));
    res.statusCode = 404;
    send(res, { error: 'no route' });
  });
});
after(() => api.close());

let n = 0;
function hubFor(): Promise<Hub> {
  const file = join(dir, `m${++n}.rest`);
  writeFileSync(
    file,
    `{"items": {"#path": "${api.url}/items", "#maximumPageSize": 5, "#pageSizeParameter": "limit", "#rowOffsetParameter": "offset",
       "id": {"#type": "Integer", "#key": true, "#in": "ids"}, "name": {"#type": "VarChar", "#contains": "q"}, "region": {"#type": "VarChar", "#eq": "region"},
       "owner_id": "Integer", "address": {"city": "VarChar", "zip": "VarChar"}, "tags[]": "VarChar"},
      "owners": {"#path": "${api.url}/owners", "id": "Integer,#key", "city": {"#type": "VarChar", "#eq": "city"}}}`,
  );
  return openHub(`RestConfigFile=${file}`);
}

const INFO = new Set(['sampling_status', '_configuration', 'system_sampling_status']);

/** How each statement names its tables: `{x}` is a table, `{x}.col` a column qualified by it. */
const NAMINGS: Record<string, (table: string) => string> = {
  unqualified: (t) => t,
  'public.': (t) => (INFO.has(t) ? `restsql.${t}` : `public.${t}`),
  'quoted "public".': (t) => (INFO.has(t) ? `"restsql"."${t}"` : `"public"."${t}"`),
  'PUBLIC. upper case': (t) => (INFO.has(t) ? `RESTSQL.${t.toUpperCase()}` : `PUBLIC.${t.toUpperCase()}`),
  // DataDirect's schema: every table, API or info, is also AUTOREST.<table>.
  'AUTOREST.': (t) => `AUTOREST.${t}`,
  'autorest. lower case': (t) => `autorest.${t}`,
  'quoted "AUTOREST".': (t) => `"AUTOREST"."${t.toUpperCase()}"`,
};

const STATEMENTS = [
  "SELECT * FROM {items} WHERE region = 'north' ORDER BY id",
  'SELECT {items}.id, {items}.name FROM {items} WHERE {items}.id IN (2, 3, 17) ORDER BY 1',
  "SELECT id, address_city FROM {items} WHERE name LIKE '%item-1%' AND region = 'south' ORDER BY id",
  'SELECT * FROM {items} LIMIT 7',
  // A child table, alone and joined to its parent on the key (conditions on either reach the API).
  'SELECT * FROM {tags} ORDER BY items_id, position',
  "SELECT {tags}.items_id, {tags}.tags FROM {tags} WHERE {tags}.items_id IN (4, 5) ORDER BY 1, 2",
  "SELECT i.id, t.tags FROM {items} i JOIN {tags} t ON t.items_id = i.id WHERE i.region = 'north' AND t.position = 0 ORDER BY 1, 2",
  "SELECT {items}.id, {tags}.tags FROM {items} JOIN {tags} ON {tags}.items_id = {items}.id WHERE {items}.id IN (1, 2) ORDER BY 1, 2",
  // Two endpoints joined; a subquery (held conditions).
  "SELECT o.city, count(*) AS n FROM {items} i JOIN {owners} o ON o.id = i.owner_id WHERE o.city = 'Boston' AND i.region = 'north' GROUP BY 1",
  "SELECT id FROM {items} WHERE id IN (SELECT items_id FROM {tags} WHERE tags = 'odd') AND region = 'north' ORDER BY id",
  // restsql's info tables.
  'SELECT count(*)::INTEGER AS n, min(name) AS first FROM {sampling_status}',
  'SELECT length(configuration) > 0 AS has FROM {_configuration}',
  'SELECT content = configuration AS same FROM {_configuration}',
  'SELECT count(*)::INTEGER AS n, min(endpoint_name) AS first, bool_and(success) AS ok, min(primary_key_candidates) AS keys FROM {system_sampling_status}',
];

/** `sql` with its tables named the `naming` way. */
function named(sql: string, naming: (table: string) => string): string {
  return sql.replace(/\{(\w+)\}/g, (_m, t: string) => naming(t));
}

test('qualified names give the same rows and the same API requests as unqualified ones (pushdown, LIMIT, child tables, joins)', async () => {
  const want: { rows: unknown; requests: string[] }[] = [];
  for (const template of STATEMENTS) {
    for (const [label, naming] of Object.entries(NAMINGS)) {
      // A hub per statement and naming: each starts from nothing fetched, so its requests are its own.
      const hub = await hubFor();
      try {
        const sql = named(template, naming);
        const mark = seen.length;
        const rows = (await (await hub.session()).query(sql)).rows;
        const got = { rows, requests: seen.slice(mark) };
        if (label === 'unqualified') want.push(got);
        else assert.deepEqual(got, want[want.length - 1], `${label}: ${sql}`);
      } finally {
        await hub.close();
      }
    }
  }
  // The comparison means something: conditions and LIMIT reached the API, for child tables and joins too.
  const requests = want.map((w) => w.requests.join(' '));
  assert.match(requests[0]!, /region=north/);
  assert.match(requests[1]!, /ids=2%2C3%2C17/);
  assert.match(requests[2]!, /q=item-1&region=south/);
  assert.equal(want[3]!.requests.length, 2, 'LIMIT 7 stops after two pages of 5');
  assert.match(requests[5]!, /ids=4%2C5/);
  assert.match(requests[6]!, /region=north/);
  assert.match(requests[7]!, /ids=1%2C2/);
  assert.match(requests[8]!, /city=Boston/);
  for (const [i, w] of want.entries()) assert.ok((w.rows as unknown[]).length > 0, STATEMENTS[i]);
});

test('each session reads its own generation through public.<table>, and public.<table> is its own view', async () => {
  const engine = await createEngine();
  const db = engine.database;
  try {
    const table = inferTable('things', [{ id: 1, v: 'a' }], { qualifyNames: 0 });
    await engine.createTable(table);
    const other = await createSession(db);
    try {
      const gens = [db.newGeneration(), db.newGeneration()];
      for (const [i, gen] of gens.entries()) {
        await db.load(gen, [table], async (append) => {
          append(table, [i + 1, `gen${i + 1}`]);
        });
      }
      await engine.show(['things'], gens[0]!);
      await other.show(['things'], gens[1]!);
      for (const sql of ['SELECT * FROM public.things', 'SELECT * FROM "public"."things"', 'SELECT * FROM memory.public.things', 'SELECT public.things.v FROM public.things']) {
        assert.deepEqual((await engine.run(sql))[0]!.rows.map((r) => r.v), ['gen1'], sql);
        assert.deepEqual((await other.run(sql))[0]!.rows.map((r) => r.v), ['gen2'], sql);
      }
      // Hidden again: restsql's unfetched view answers, qualified or not.
      await other.hide(['things']);
      for (const sql of ['SELECT * FROM things', 'SELECT * FROM public.things']) {
        await assert.rejects(other.run(sql), (e: unknown) => (e as { code?: string }).code === 'QUERY_TABLES_UNKNOWN' && /things/.test((e as Error).message), sql);
      }
      // A fetch callback is asked for the table, as for the unqualified name.
      const asked: string[] = [];
      await assert.rejects(other.run('SELECT * FROM public.things', undefined, async (t) => void asked.push(t)), /QUERY_TABLES_UNKNOWN|could not fetch/);
      assert.deepEqual(asked, ['things']);
      // The shared view names no generation and no storage schema: only the session's own view.
      const views = (await engine.run("SELECT sql FROM duckdb_views() WHERE schema_name = 'public'"))[0]!.rows.map((r) => String(r.sql));
      assert.equal(views.length, 1);
      assert.doesNotMatch(views[0]!, /restsql_store_|g\d+_/);
      assert.match(views[0]!, /FROM "?temp"?\.main\.things/i);
    } finally {
      await other.close();
    }
  } finally {
    await engine.close();
  }
});

test('a table defined after a session opened answers public.<table> with restsql\'s error in that session, not a missing table', async () => {
  const engine = await createEngine();
  try {
    const early = await createSession(engine.database);
    try {
      const table = inferTable('late', [{ id: 1 }], { qualifyNames: 0 });
      for (const t of tablesOf(table)) await engine.createTable(t);
      for (const sql of ['SELECT * FROM late', 'SELECT * FROM public.late']) {
        await assert.rejects(early.run(sql), (e: unknown) => (e as { code?: string }).code === 'QUERY_TABLES_UNKNOWN', sql);
      }
      // Describing it reads no row and needs no fetch.
      assert.deepEqual((await early.describe('SELECT * FROM public.late')).columns.map((c) => c.name), ['id']);
    } finally {
      await early.close();
    }
  } finally {
    await engine.close();
  }
});

/** Everything in schemas public and restsql, and every object named like an API table. */
async function catalog(s: Connection): Promise<unknown> {
  return (
    await s.query(`SELECT 'table' AS kind, database_name, schema_name, table_name AS name, comment::VARCHAR AS x FROM duckdb_tables() WHERE schema_name IN ('public', 'restsql', 'autorest') OR table_name IN ('items', 'tags', 'owners')
      UNION ALL SELECT 'view', database_name, schema_name, view_name, sql || coalesce(comment::VARCHAR, '') FROM duckdb_views() WHERE NOT internal AND (schema_name IN ('public', 'restsql', 'autorest') OR view_name IN ('items', 'tags', 'owners'))
      UNION ALL SELECT 'schema', database_name, schema_name, '', comment::VARCHAR FROM duckdb_schemas() WHERE schema_name IN ('public', 'restsql', 'autorest')
      UNION ALL SELECT 'function', database_name, schema_name, function_name, '' FROM duckdb_functions() WHERE NOT internal AND schema_name IN ('public', 'restsql', 'autorest')
      UNION ALL SELECT 'sequence', database_name, schema_name, sequence_name, '' FROM duckdb_sequences() WHERE schema_name IN ('public', 'restsql', 'autorest')
      UNION ALL SELECT 'type', database_name, schema_name, type_name, '' FROM duckdb_types() WHERE NOT internal AND schema_name IN ('public', 'restsql', 'autorest')
      UNION ALL SELECT 'comment', database_name, schema_name, table_name || '.' || column_name, comment::VARCHAR FROM duckdb_columns() WHERE comment IS NOT NULL
      ORDER BY ALL`)
  ).rows;
}

const REFUSED: [sql: string, code: string][] = [
  // Objects of one's own in restsql's schemas.
  ['CREATE TABLE public.mine (x INTEGER)', 'QUERY_NOT_ALLOWED'],
  ['CREATE TABLE public.mine AS SELECT * FROM public.items', 'QUERY_NOT_ALLOWED'],
  ['CREATE VIEW public.v AS SELECT 1 AS x', 'QUERY_NOT_ALLOWED'],
  ['CREATE TABLE restsql.mine (x INTEGER)', 'QUERY_NOT_ALLOWED'],
  ['CREATE VIEW restsql.v AS SELECT * FROM restsql.sampling_status', 'QUERY_NOT_ALLOWED'],
  ['CREATE MACRO public.m() AS 1', 'QUERY_NOT_ALLOWED'],
  ['CREATE MACRO restsql.tm() AS TABLE SELECT 1 AS x', 'QUERY_NOT_ALLOWED'],
  ['CREATE SEQUENCE public.s', 'QUERY_NOT_ALLOWED'],
  ['CREATE TYPE public.ty AS INTEGER', 'QUERY_NOT_ALLOWED'],
  // restsql's views there.
  ['CREATE OR REPLACE VIEW public.items AS SELECT 1 AS id', 'READ_ONLY'],
  ['CREATE OR REPLACE TABLE public.items AS SELECT 1 AS id', 'READ_ONLY'],
  ['DROP VIEW public.items', 'READ_ONLY'],
  ['DROP VIEW "public"."tags"', 'READ_ONLY'],
  ['DROP VIEW restsql.sampling_status', 'READ_ONLY'],
  ['ALTER VIEW public.items RENAME TO items2', 'READ_ONLY'],
  ["COMMENT ON VIEW public.items IS 'x'", 'READ_ONLY'],
  ["COMMENT ON COLUMN public.items.id IS 'x'", 'READ_ONLY'],
  ['DROP SCHEMA public CASCADE', 'READ_ONLY'],
  ['DROP SCHEMA restsql CASCADE', 'READ_ONLY'],
  // API tables without #insert, #update, #delete: nothing is sent and nothing changes locally.
  ["INSERT INTO public.items (id) VALUES (99)", 'WRITE_NOT_ENABLED'],
  ["UPDATE public.items SET name = 'x'", 'WRITE_NOT_ENABLED'],
  ['DELETE FROM "public"."items"', 'WRITE_NOT_ENABLED'],
  ['DELETE FROM restsql.sampling_status', 'READ_ONLY'],
  // DataDirect's schema name is restsql's too.
  ['CREATE TABLE autorest.mine (x INTEGER)', 'QUERY_NOT_ALLOWED'],
  ['CREATE VIEW AUTOREST.v AS SELECT 1 AS x', 'QUERY_NOT_ALLOWED'],
  ['CREATE MACRO autorest.m() AS 1', 'QUERY_NOT_ALLOWED'],
  ['DROP VIEW autorest.items', 'READ_ONLY'],
  ['DROP VIEW "AUTOREST"."_configuration"', 'READ_ONLY'],
  ['DROP SCHEMA autorest CASCADE', 'READ_ONLY'],
  ['INSERT INTO AUTOREST.items (id) VALUES (99)', 'WRITE_NOT_ENABLED'],
  ['DELETE FROM autorest._configuration', 'READ_ONLY'],
];

test('user SQL cannot create, change or drop anything in schemas public and restsql, nor reach the storage schema through them', async () => {
  const hub = await hubFor();
  try {
    const [a, b] = [await hub.session(), await hub.session()];
    const rows = (await b.query('SELECT id, name FROM public.items ORDER BY id')).rows;
    const before_ = await catalog(b);
    assert.ok(JSON.stringify(before_).includes('"schema_name":"restsql","name":"sampling_status"'));
    for (const [sql, code] of REFUSED) {
      await assert.rejects(a.query(sql), (e: unknown) => (e as { code?: string }).code === code, `${sql}: ${code}`);
      assert.deepEqual(await catalog(b), before_, sql);
    }
    // Inside a transaction: refused, the transaction failed until ROLLBACK, nothing left.
    await a.query('BEGIN');
    await assert.rejects(a.query('CREATE TABLE public.mine (x INTEGER)'), (e: unknown) => (e as { code?: string }).code === 'QUERY_NOT_ALLOWED');
    await assert.rejects(a.query('SELECT 1'), /aborted/i);
    await a.query('ROLLBACK');
    // USE of the schema does not make it writable.
    await a.query('USE public');
    await assert.rejects(a.query('CREATE TABLE mine (x INTEGER)'), (e: unknown) => (e as { code?: string }).code === 'QUERY_NOT_ALLOWED');
    // Unqualified API tables still read restsql's views, not the schema USE chose.
    assert.deepEqual((await a.query('SELECT id, name FROM items ORDER BY id')).rows, rows);
    await a.query('USE memory.main');
    assert.deepEqual(await catalog(b), before_);
    // The storage schema stays refused, however it is reached.
    const store = hub.db.storeSchema;
    for (const sql of [`SELECT * FROM ${store}.restsql_loaded`, `SELECT * FROM memory.${store}.restsql_loaded`, `CREATE VIEW public.peek AS SELECT * FROM ${store}.restsql_loaded`]) {
      await assert.rejects(a.query(sql), (e: unknown) => (e as { code?: string }).code === 'QUERY_NOT_ALLOWED', sql);
    }
    // Objects of one's own go in main (shared) or temp, made from the qualified names.
    await a.query('CREATE TABLE main.mine AS SELECT * FROM public.items WHERE id <= 3');
    await a.query('CREATE TEMP TABLE status AS SELECT * FROM restsql.sampling_status');
    assert.deepEqual((await b.query('SELECT count(*)::INTEGER AS n FROM main.mine')).rows, [{ n: 3 }]);
    assert.deepEqual((await a.query('SELECT id, name FROM public.items ORDER BY id')).rows, rows);
    assert.deepEqual((await b.query('SELECT id, name FROM public.items ORDER BY id')).rows, rows);
  } finally {
    await hub.close();
  }
});
