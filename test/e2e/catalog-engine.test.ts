/**
 * The catalog engine (src/server/catalog/catalog.ts) with its real PostgreSQL (PGlite in a worker
 * thread): the model's shape (catalog-schema.ts) as PostgreSQL holds it, each statement in a
 * read-only transaction that leaves nothing behind, the session's identity and database, and the
 * limits: a deadline and a cancel stop the worker and the next statement gets a new one, and an
 * answer is bounded in bytes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Parser } from 'pg-protocol/dist/parser.js';
import { isRestSqlError } from '../../src/errors/index.js';
import type { ColumnDef, ResolvedModel, TableDef } from '../../src/model/types.js';
import { Catalog, type CatalogAnswer, type CatalogSession } from '../../src/server/catalog/catalog.js';
import { catalogShape, catalogDdl, typeSql, type DescribeTables } from '../../src/server/catalog/catalog-schema.js';
import { PG_OID, pgTypeByOid, type PgTypeName } from '../../src/server/types/oids.js';
import type { PgColumnType } from '../../src/server/types/pg-type.js';

const col = (name: string, type: ColumnDef['type'], extra: Partial<ColumnDef> = {}): ColumnDef => ({ name, path: [name], type, key: false, source: 'json', ...extra });

/** orders (#key id) -> lines (array: parent ref + position) -> lines_taxes (array of lines' elements); plus a keyless root. */
const taxes: TableDef = {
  name: 'lines_taxes',
  parent: 'lines',
  arrayPath: ['taxes'],
  columns: [col('lines_orders_id', 'BIGINT', { key: true, source: 'parent', path: [] }), col('lines_position', 'INTEGER', { key: true, source: 'parent', path: [] }), col('position', 'INTEGER', { key: true, source: 'position', path: [] }), col('rate', 'DOUBLE')],
  children: [],
};
const lines: TableDef = {
  name: 'lines',
  parent: 'orders',
  arrayPath: ['lines'],
  columns: [col('orders_id', 'BIGINT', { key: true, source: 'parent', path: [] }), col('position', 'INTEGER', { key: true, source: 'position', path: [] }), col('sku', 'VARCHAR'), col('qty', 'INTEGER')],
  children: [taxes],
};
const orders: TableDef = { name: 'orders', arrayPath: [], columns: [col('id', 'BIGINT', { key: true }), col('Customer Name', 'VARCHAR'), col('total', 'DOUBLE'), col('placed', 'TIMESTAMP'), col('meta', 'JSON')], children: [lines] };
const events: TableDef = { name: 'events', arrayPath: [], columns: [col('_rowid', 'BIGINT', { key: true, source: 'rowid', path: [] }), col('kind', 'VARCHAR'), col('at', 'DATE')], children: [] };
const longName = 'x'.repeat(64);
const tooLong: TableDef = { name: longName, arrayPath: [], columns: [col('id', 'INTEGER', { key: true })], children: [] };
const model = { endpoints: [{ url: 'http://127.0.0.1/orders', method: 'GET', jsonRoot: [], table: orders }, { url: 'http://127.0.0.1/events', method: 'GET', jsonRoot: [], table: events }, { url: 'http://127.0.0.1/x', method: 'GET', jsonRoot: [], table: tooLong }] } as unknown as ResolvedModel;

const PG: Record<ColumnDef['type'], PgTypeName> = { INTEGER: 'int4', BIGINT: 'int8', HUGEINT: 'numeric', DOUBLE: 'float8', BOOLEAN: 'bool', TIMESTAMP: 'timestamp', DATE: 'date', UUID: 'uuid', VARCHAR: 'varchar', JSON: 'json' };
const pgType = (name: PgTypeName, typeModifier = -1): PgColumnType => {
  const t = pgTypeByOid(PG_OID[name])!;
  return { oid: t.oid, typeSize: t.typlen, typeModifier, name: t.name };
};
const tables = [orders, lines, taxes, events, tooLong];
const describe: DescribeTables = async (names) =>
  new Map(
    names.map((n) => {
      if (n === 'sampling_status') return [n, [{ name: 'name', type: pgType('varchar') }, { name: 'success', type: pgType('bool') }]];
      const t = tables.find((x) => x.name === n)!;
      return [n, t.columns.map((c) => ({ name: c.name, type: c.name === 'total' ? pgType('numeric', ((12 << 16) | 2) + 4) : pgType(PG[c.type]) }))];
    }),
  );

const logs: string[] = [];
let catalog: Catalog;
const session = (over: Partial<CatalogSession> = {}): CatalogSession => ({ user: 'alice', database: 'shop', settings: [['search_path', '"$user", public']], timeoutMs: 0, ...over });

/** Runs `sql` and decodes the answer with pg-protocol: column names and text values. */
async function rows(sql: string, s = session(), params: (string | null)[] = []): Promise<{ names: string[]; rows: (string | null)[][]; answer: CatalogAnswer }> {
  const answer = await catalog.execute({ sql, paramOids: params.map(() => 0), bind: { values: params.map((p) => (p === null ? null : Buffer.from(p))), paramFormats: [], resultFormats: [] } }, s);
  const out: { names: string[]; rows: (string | null)[][]; answer: CatalogAnswer } = { names: [], rows: [], answer };
  const parser = new Parser();
  if (answer.rowDescription) parser.parse(answer.rowDescription, (m) => (out.names = (m as unknown as { fields: { name: string }[] }).fields.map((f) => f.name)));
  for (const r of answer.rows) parser.parse(r, (m) => out.rows.push((m as unknown as { fields: (string | null)[] }).fields));
  return out;
}

before(() => {
  catalog = new Catalog({ model, infoTables: ['sampling_status'], describe, serverVersion: '15.18 (restsql test)', log: (l) => logs.push(l), statementTimeoutMs: 60_000 });
});

after(async () => {
  await catalog.close();
});

test('the shape: keys, foreign keys (composite for a grandchild), info tables in restsql, names PostgreSQL cannot hold left out', async () => {
  const shape = await catalogShape(model, ['sampling_status', 'orders'], describe);
  const byName = new Map(shape.tables.map((t) => [t.name, t]));
  assert.deepEqual([...byName.keys()], ['orders', 'lines', 'lines_taxes', 'events', 'sampling_status']);
  assert.deepEqual(byName.get('orders')!.primaryKey, ['id']);
  assert.deepEqual(byName.get('lines')!.foreignKey, { columns: ['orders_id'], table: 'orders', refColumns: ['id'] });
  assert.deepEqual(byName.get('lines_taxes')!.foreignKey, { columns: ['lines_orders_id', 'lines_position'], table: 'lines', refColumns: ['orders_id', 'position'] });
  assert.deepEqual(byName.get('events')!.primaryKey, ['_rowid']);
  assert.equal(byName.get('sampling_status')!.schema, 'restsql');
  assert.deepEqual(byName.get('lines')!.columns.filter((c) => c.notNull).map((c) => c.name), ['orders_id', 'position']);
  assert.equal(shape.skipped.length, 1);
  assert.match(shape.skipped[0]!, /^x{64}: PostgreSQL names are at most 63 bytes/);
  assert.equal(typeSql(pgType('numeric', ((12 << 16) | 2) + 4)), '"numeric"(12,2)');
  assert.equal(typeSql(pgType('_int4')), '"int4"[]');
  assert.match(catalogDdl(shape.tables), /CREATE TABLE "public"\."orders" \("id" "int8" NOT NULL, "Customer Name" "varchar", .*PRIMARY KEY \("id"\)\)/);
});

test('PostgreSQL holds the model: types, keys, foreign keys and owners as a client reads them', async () => {
  const cols = await rows(`SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'public.orders'::regclass AND a.attnum > 0 ORDER BY a.attnum`);
  assert.deepEqual(cols.rows, [
    ['id', 'bigint', 't'],
    ['Customer Name', 'character varying', 'f'],
    ['total', 'numeric(12,2)', 'f'],
    ['placed', 'timestamp without time zone', 'f'],
    ['meta', 'json', 'f'],
  ]);
  const fks = await rows(`SELECT conrelid::regclass::text, pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint WHERE contype = 'f' ORDER BY 1`);
  assert.deepEqual(fks.rows, [
    ['lines', 'FOREIGN KEY (orders_id) REFERENCES orders(id)'],
    ['lines_taxes', 'FOREIGN KEY (lines_orders_id, lines_position) REFERENCES lines(orders_id, "position")'],
  ]);
  const owners = await rows(`SELECT n.nspname, c.relname, pg_catalog.pg_get_userbyid(c.relowner), pg_catalog.has_table_privilege(c.oid, 'SELECT') FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname IN ('public', 'restsql') ORDER BY 1, 2`);
  assert.deepEqual(owners.rows, [
    ['public', 'events', 'restsql', 't'],
    ['public', 'lines', 'restsql', 't'],
    ['public', 'lines_taxes', 'restsql', 't'],
    ['public', 'orders', 'restsql', 't'],
    ['restsql', 'sampling_status', 'restsql', 't'],
  ]);
  assert.ok(logs.some((l) => /^catalog: left out x{64}/.test(l)), logs.join('\n'));
  assert.ok(logs.some((l) => /^catalog started in \d+ ms$/.test(l)), logs.join('\n'));
});

test("each statement runs as the session's user, in its database, with its search_path, and leaves nothing behind", async () => {
  const who = await rows('SELECT current_user, session_user, current_database(), current_schemas(false), pg_catalog.version()', session({ user: 'bob', database: 'postgres', settings: [['search_path', 'restsql, public']] }));
  // session_user is the role restsql's PostgreSQL session logs in as (not a superuser).
  assert.deepEqual(who.rows[0]!.slice(0, 4), ['bob', 'restsql_session', 'postgres', '{restsql,public}']);
  // version() says the server's version first (clients read the version from it).
  assert.match(who.rows[0]![4]!, /^PostgreSQL 15\.18 \(restsql test\) on .*, catalog by PGlite \(server_version 16\.\d+\)$/);
  // Another client's database name: pg_database lists it once, and the others PostgreSQL has.
  const dbs = await rows('SELECT datname, datistemplate FROM pg_catalog.pg_database ORDER BY 1', session({ database: 'shop' }));
  assert.deepEqual(dbs.rows, [['postgres', 'f'], ['shop', 'f'], ['template0', 't'], ['template1', 't']]);
  const back = await rows('SELECT current_database(), (SELECT count(*) FROM pg_catalog.pg_database)', session({ database: 'postgres' }));
  assert.deepEqual(back.rows, [['postgres', '4']]);
  // set_config inside the statement is rolled back with it (the session applies it itself).
  const before = (await rows("SELECT current_setting('search_path')", session({ settings: [] }))).rows;
  assert.deepEqual((await rows("SELECT pg_catalog.set_config('search_path', 'nowhere', false)")).rows, [['nowhere']]);
  assert.deepEqual((await rows("SELECT current_setting('search_path')", session({ settings: [] }))).rows, before);
  assert.notDeepEqual(before, [['nowhere']]);
  // Read-only: nothing can be made, even by a call hidden in a SELECT.
  await assert.rejects(rows('SELECT relname FROM pg_catalog.pg_class FOR UPDATE'), (e: unknown) => isRestSqlError(e) && e.code === 'CATALOG_QUERY' && (e.details as { sqlState?: string }).sqlState === '25006');
  await assert.rejects(rows('SELECT 1 FROM nosuch'), (e: unknown) => isRestSqlError(e) && e.code === 'CATALOG_QUERY' && (e.details as { sqlState?: string }).sqlState === '42P01' && (e.details as { position?: number }).position === 15);
  // The catalog is usable after errors.
  assert.deepEqual((await rows('SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = $1', session(), ['restsql'])).rows, [['1']]);
});

test('a statement past its deadline is stopped (57014) and the next statement gets a new catalog', async () => {
  const t0 = Date.now();
  await assert.rejects(rows('SELECT pg_catalog.pg_sleep(30)', session({ timeoutMs: 300 })), (e: unknown) => isRestSqlError(e) && e.code === 'CATALOG_TIMEOUT' && e.sqlState === '57014');
  assert.ok(Date.now() - t0 < 20_000, 'stopped long before the sleep ends');
  assert.deepEqual((await rows('SELECT 40 + 2')).rows, [['42']]);
  assert.equal(logs.filter((l) => /^catalog started/.test(l)).length, 2);
});

test('a cancel stops the running statement and drops the queued ones it owns', async () => {
  const abort = new AbortController();
  const running = catalog.execute({ sql: 'SELECT pg_catalog.pg_sleep(30)', paramOids: [], bind: { values: [], paramFormats: [], resultFormats: [] } }, session(), abort.signal);
  const queued = catalog.execute({ sql: 'SELECT 1', paramOids: [], bind: { values: [], paramFormats: [], resultFormats: [] } }, session(), abort.signal);
  const other = rows('SELECT 2');
  setTimeout(() => abort.abort(new Error('cancelled by the test')), 200);
  await assert.rejects(running, /cancelled by the test/);
  await assert.rejects(queued, /cancelled by the test/);
  assert.deepEqual((await other).rows, [['2']]);
});

test('an answer larger than the limit is refused (54000), and the catalog goes on', async () => {
  const small = new Catalog({ model, infoTables: [], describe, serverVersion: '15', log: () => undefined, maxResultBytes: 100_000 });
  try {
    await assert.rejects(
      small.execute({ sql: "SELECT repeat('x', 1000) FROM generate_series(1, 1000)", paramOids: [], bind: { values: [], paramFormats: [], resultFormats: [] } }, session()),
      (e: unknown) => isRestSqlError(e) && e.code === 'CATALOG_RESULT_TOO_LARGE' && e.sqlState === '54000',
    );
    const ok = await small.execute({ sql: 'SELECT count(*) FROM pg_catalog.pg_class', paramOids: [], bind: { values: [], paramFormats: [], resultFormats: [] } }, session());
    assert.equal(ok.tag, 'SELECT 1');
  } finally {
    await small.close();
  }
});

test('hostile user and database names stay names: quoted, cut at 63 bytes, reserved ones run as restsql', async () => {
  const evil = `x$restsql$'"; DROP TABLE public.orders; --`;
  const r = await rows('SELECT current_user, current_database()', session({ user: evil, database: `${evil}é` }));
  assert.deepEqual(r.rows, [[evil, `${evil}é`]]);
  // Nothing was run from the names: the tables are all there.
  assert.deepEqual((await rows("SELECT count(*) FROM pg_catalog.pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")).rows, [['4']]);
  const long = 'ü'.repeat(40);
  const cut = (await rows('SELECT current_user', session({ user: long }))).rows[0]![0]!;
  assert.equal(cut, 'ü'.repeat(31));
  assert.deepEqual((await rows('SELECT current_user', session({ user: long }))).rows, [[cut]]);
  assert.deepEqual((await rows('SELECT current_user', session({ user: 'pg_monitor' }))).rows, [['restsql']]);
  assert.deepEqual((await rows('SELECT current_user', session({ user: '' }))).rows, [['restsql']]);
  assert.deepEqual((await rows("SELECT current_setting('application_name')", session({ settings: [['application_name', "it's \\ here"]] }))).rows, [["it's \\ here"]]);
});

test("no client reaches PostgreSQL's superuser or an effect a rollback does not undo", async () => {
  const denied = (sqlState: string) => (e: unknown) => isRestSqlError(e) && e.code === 'CATALOG_QUERY' && (e.details as { sqlState?: string }).sqlState === sqlState;
  // A client logging in as postgres is not PostgreSQL's superuser here.
  assert.deepEqual((await rows('SELECT current_user, (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)', session({ user: 'postgres' }))).rows, [['restsql', 'f']]);
  assert.deepEqual((await rows("SELECT count(*) FROM pg_catalog.pg_roles WHERE rolsuper AND pg_catalog.pg_has_role(current_user, oid, 'MEMBER')")).rows, [['0']]);
  await assert.rejects(rows("SELECT pg_catalog.set_config('session_authorization', 'postgres', true)"), denied('42501'));
  await assert.rejects(rows('SELECT pg_catalog.pg_logical_emit_message(false, \'p\', \'x\')'), denied('42501'));
  await assert.rejects(rows('SELECT pg_catalog.pg_advisory_lock(1)'), denied('42501'));
  await assert.rejects(rows("SELECT pg_catalog.query_to_xml('select 1', true, false, '')"), denied('42501'));
  await assert.rejects(rows("SELECT pg_catalog.restsql_use_database('x')"), denied('42501'));
  await assert.rejects(rows('SELECT pg_catalog.pg_create_physical_replication_slot(\'s\')'), denied('42501'));
  // RESET ROLE reaches the session role, which is not a superuser either, in a read-only transaction.
  await assert.rejects(rows("SELECT pg_catalog.set_config('role', 'none', true), pg_catalog.restsql_use_database('x')"), (e: unknown) => isRestSqlError(e) && e.code === 'CATALOG_QUERY');
  assert.deepEqual((await rows('SELECT current_database()')).rows, [['shop']]);
});
