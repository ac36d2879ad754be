/**
 * The catalog through `restsql serve` with real drivers (node-postgres, postgres.js): the catalog
 * and the rows of a query agree on every column's type; the catalog starts on the first catalog
 * statement only; set_config() changes the session; portals with a row limit, binary results,
 * cancel, statement_timeout and transactions behave as with PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import postgres from 'postgres';
import { serveFixture, type Served } from '../support/serve.js';

let fx: Served;
const clients: pg.Client[] = [];

async function client(extra: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const c = new pg.Client({ host: fx.host, port: fx.port, user: 'tester', password: fx.password, database: 'restsql', connectionTimeoutMillis: 60_000, ...extra });
  c.on('error', () => undefined);
  await c.connect();
  clients.push(c);
  return c;
}

function sqlJs(o: Record<string, unknown> = {}) {
  return postgres({ host: fx.host, port: fx.port, user: 'tester', password: fx.password, database: 'restsql', ssl: false, max: 1, connect_timeout: 60, idle_timeout: 0, onnotice: () => undefined, ...o });
}

before(async () => {
  fx = await serveFixture({ bigRows: 50 });
});

after(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await fx.close();
});

test('the catalog starts with the first catalog statement, not with the server or an API query', async () => {
  const c = await client();
  assert.equal((await c.query('SELECT count(*) AS n FROM items')).rows[0].n, '20');
  assert.equal(fx.log.filter((l) => /^catalog started/.test(l)).length, 0, fx.log.join('\n'));
  const r = await c.query("SELECT relname FROM pg_catalog.pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1");
  assert.deepEqual(r.rows.map((x) => x.relname), ['big', 'items', 'slow', 'tags', 'types']);
  assert.equal(fx.log.filter((l) => /^catalog started/.test(l)).length, 1);
});

test("every API table's columns have in the catalog the type and typmod its rows arrive with", async () => {
  const c = await client();
  for (const table of ['types', 'items', 'tags', 'big', 'slow']) {
    const rows = await c.query(`SELECT * FROM ${table} LIMIT 0`);
    const cat = await c.query('SELECT attname, atttypid::int AS oid, atttypmod FROM pg_catalog.pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum', [`public.${table}`]);
    assert.deepEqual(
      rows.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier]),
      cat.rows.map((r) => [r.attname, r.oid, r.atttypmod]),
      table,
    );
    // RowDescription names the column's table: its OID in the catalog is that table's.
  }
});

test('set_config() in a catalog statement changes the session, as SET does; computed arguments are refused', async () => {
  const c = await client();
  const r = await c.query("SELECT pg_catalog.set_config('search_path', 'restsql', false) AS v");
  assert.equal(r.rows[0].v, 'restsql');
  assert.equal((await c.query('SHOW search_path')).rows[0].search_path, 'restsql');
  const here = await c.query('SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1');
  assert.deepEqual(here.rows.map((x) => x.table_name), ['_configuration', 'sampling_status', 'system_sampling_status']);
  await assert.rejects(c.query("SELECT set_config('search_path', relname, false) FROM pg_class LIMIT 1"), (e: { code?: string; message: string }) => e.code === '0A000' && /constant/.test(e.message));
  assert.equal((await c.query('SHOW search_path')).rows[0].search_path, 'restsql');
  await c.query('RESET search_path');
  assert.equal((await c.query('SELECT current_schema() AS s')).rows[0].s, 'public');
});

test('a catalog statement and an API table in one statement: 0A000, and the session goes on', async () => {
  const c = await client();
  await assert.rejects(c.query('SELECT * FROM pg_class JOIN items ON true'), (e: { code?: string }) => e.code === '0A000');
  assert.equal((await c.query('SELECT count(*) AS n FROM pg_catalog.pg_namespace WHERE nspname = $1', ['restsql'])).rows[0].n, '1');
});

test('binary results are PostgreSQL\'s own encoding', async () => {
  const c = await client();
  // node-postgres's `binary` query option (not in its typings) asks for every column in binary (extended protocol).
  const config = { text: "SELECT 'items'::regclass::oid AS oid, relname, relnatts FROM pg_catalog.pg_class WHERE relname = 'items'", binary: true, queryMode: 'extended', types: { getTypeParser: () => (v: string | Buffer) => v } };
  const r = await c.query(config as pg.QueryConfig);
  const row = r.rows[0] as { oid: Buffer; relname: Buffer; relnatts: Buffer };
  const text = (await c.query("SELECT 'items'::regclass::oid::int8 AS oid, relnatts FROM pg_catalog.pg_class WHERE relname = 'items'")).rows[0];
  assert.equal(row.oid.readUInt32BE(0), Number(text.oid));
  assert.equal(row.relname.toString(), 'items');
  assert.equal(row.relnatts.readInt16BE(0), text.relnatts);
});

test('a cursor over the catalog (Execute with a row limit) gets every row once', async () => {
  const sql = sqlJs();
  try {
    const n = (await sql`SELECT count(*)::int AS n FROM pg_catalog.pg_type`)[0]!['n'] as number;
    const seen: number[] = [];
    let batches = 0;
    for await (const rows of sql`SELECT oid::int AS oid FROM pg_catalog.pg_type ORDER BY oid`.cursor(100)) {
      batches++;
      for (const r of rows) seen.push(r.oid as number);
    }
    assert.equal(seen.length, n);
    assert.equal(new Set(seen).size, n);
    assert.ok(batches >= Math.ceil(n / 100), `${batches} batches for ${n} rows`);
  } finally {
    await sql.end();
  }
});

test('cancel and statement_timeout stop a catalog statement (57014); the next one is answered', async () => {
  const sql = sqlJs();
  try {
    const q = sql`SELECT pg_catalog.pg_sleep(60) FROM pg_catalog.pg_class LIMIT 1`;
    const t0 = Date.now();
    setTimeout(() => void q.cancel(), 500);
    await assert.rejects(q, (e: { code?: string }) => e.code === '57014');
    assert.ok(Date.now() - t0 < 30_000);
    const r = await sql`SELECT count(*)::int AS n FROM pg_catalog.pg_namespace WHERE nspname = 'public'`;
    assert.equal(r[0]!['n'], 1);
  } finally {
    await sql.end();
  }
  const c = await client();
  await c.query('SET statement_timeout = 300');
  await assert.rejects(c.query('SELECT pg_catalog.pg_sleep(60)'), (e: { code?: string; message: string }) => e.code === '57014' && /statement timeout/.test(e.message));
  await c.query('SET statement_timeout = 0');
  assert.equal((await c.query('SELECT current_database() AS d')).rows[0].d, 'restsql');
});

test('in a transaction: a failed catalog statement fails the transaction (25P02) until ROLLBACK', async () => {
  const c = await client();
  await c.query('BEGIN');
  assert.equal((await c.query('SELECT count(*) AS n FROM items')).rows[0].n, '20');
  assert.equal((await c.query("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'items'")).rows[0].n, '6');
  await assert.rejects(c.query('SELECT nosuch FROM pg_class'), (e: { code?: string; position?: string }) => e.code === '42703' && e.position === '8');
  await assert.rejects(c.query('SELECT 1 FROM pg_class'), (e: { code?: string }) => e.code === '25P02');
  await c.query('ROLLBACK');
  assert.equal((await c.query('SELECT count(*) AS n FROM pg_catalog.pg_am')).rows.length, 1);
});
