/**
 * The PostgreSQL type catalog restsql serve uses, what each DuckDB column type is described as,
 * and which DuckDB type a declared parameter type binds as.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { DuckDBConnection, DuckDBInstance, DuckDBType } from '@duckdb/node-api';
import { duckdbTypeForOid, isJsonType, PG_OID, PG_TYPES, pgTypeByName, pgTypeByOid, pgTypeDisplayName, pgTypeOf } from '../../../src/server/types/index.js';

const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');

let instance: DuckDBInstance;
let conn: DuckDBConnection;

before(async () => {
  instance = await duckdb.DuckDBInstance.create(':memory:');
  conn = await instance.connect();
});
after(() => {
  conn.closeSync();
  instance.closeSync();
});

/** The DuckDB type of `CAST(NULL AS <sql>)`, as a result column reports it. */
async function typeOf(sql: string): Promise<DuckDBType> {
  const reader = await conn.runAndReadAll(`SELECT CAST(NULL AS ${sql}) AS v`);
  return reader.columnType(0);
}

test('the catalog holds the types the brief names, with PostgreSQL 15 oids', () => {
  const expected: Record<string, number> = {
    bool: 16, bytea: 17, char: 18, name: 19, int8: 20, int2: 21, int4: 23, text: 25, oid: 26, json: 114, float4: 700, float8: 701, unknown: 705,
    bpchar: 1042, varchar: 1043, date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184, interval: 1186, timetz: 1266, numeric: 1700, uuid: 2950, jsonb: 3802,
    _bool: 1000, _int2: 1005, _int4: 1007, _int8: 1016, _text: 1009, _varchar: 1015, _float4: 1021, _float8: 1022, _numeric: 1231, _date: 1182, _time: 1183,
    _timestamp: 1115, _timestamptz: 1185, _interval: 1187, _uuid: 2951, _json: 199, _jsonb: 3807, _bytea: 1001,
  };
  for (const [name, oid] of Object.entries(expected)) {
    assert.equal(pgTypeByName(name)?.oid, oid, name);
    assert.equal(pgTypeByOid(oid)?.name, name, String(oid));
    assert.equal(PG_OID[name as keyof typeof PG_OID], oid, name);
  }
  assert.equal(pgTypeByOid(9999), undefined);
  assert.equal(pgTypeByName('int'), undefined);
});

test('arrays and their elements point at each other', () => {
  for (const t of PG_TYPES) {
    if (t.category === 'A') {
      const elem = pgTypeByOid(t.elemOid);
      assert.ok(elem, `${t.name}: element ${t.elemOid} is in the catalog`);
      assert.equal(elem.arrayOid, t.oid, `${elem.name}.typarray is ${t.name}`);
      assert.equal(t.typlen, -1);
      assert.equal(t.arrayOid, 0);
    } else if (t.arrayOid !== 0) {
      assert.equal(pgTypeByOid(t.arrayOid)?.elemOid, t.oid, `${t.name}[] has ${t.name} as element`);
    }
  }
  assert.deepEqual([...PG_TYPES].map((t) => t.oid), [...PG_TYPES].map((t) => t.oid).sort((a, b) => a - b), 'in oid order');
});

test('display names are the ones PostgreSQL uses in messages', () => {
  const cases: [number, string][] = [
    [23, 'integer'], [20, 'bigint'], [21, 'smallint'], [16, 'boolean'], [701, 'double precision'], [700, 'real'], [1700, 'numeric'],
    [1184, 'timestamp with time zone'], [1114, 'timestamp'], [1043, 'character varying'], [1007, 'integer[]'],
    [1015, 'character varying[]'], [2950, 'uuid'], [0, 'unspecified'], [4242, 'type 4242'],
  ];
  for (const [oid, name] of cases) assert.equal(pgTypeDisplayName(oid), name, String(oid));
});

/** DuckDB type (SQL) -> [typname, typmod]; typmod of numeric(p,s) is ((p << 16) | s) + 4. */
const COLUMN_TYPES: readonly [string, string, number][] = [
  ['BOOLEAN', 'bool', -1],
  ['TINYINT', 'int2', -1],
  ['SMALLINT', 'int2', -1],
  ['UTINYINT', 'int2', -1],
  ['INTEGER', 'int4', -1],
  ['USMALLINT', 'int4', -1],
  ['BIGINT', 'int8', -1],
  ['UINTEGER', 'int8', -1],
  ['UBIGINT', 'numeric', -1],
  ['HUGEINT', 'numeric', -1],
  ['UHUGEINT', 'numeric', -1],
  ['BIGNUM', 'numeric', -1],
  ['DECIMAL(10,2)', 'numeric', (10 << 16) + 2 + 4],
  ['DECIMAL(38,38)', 'numeric', (38 << 16) + 38 + 4],
  ['DECIMAL(4,0)', 'numeric', (4 << 16) + 4],
  ['FLOAT', 'float4', -1],
  ['DOUBLE', 'float8', -1],
  ['VARCHAR', 'varchar', -1],
  ['VARCHAR(10)', 'varchar', -1],
  ['JSON', 'json', -1],
  ['BLOB', 'bytea', -1],
  ['DATE', 'date', -1],
  ['TIME', 'time', -1],
  ['TIMETZ', 'timetz', -1],
  ['TIMESTAMP', 'timestamp', -1],
  ['TIMESTAMP_S', 'timestamp', -1],
  ['TIMESTAMP_MS', 'timestamp', -1],
  ['TIMESTAMP_NS', 'timestamp', -1],
  ['TIMESTAMPTZ', 'timestamptz', -1],
  ['INTERVAL', 'interval', -1],
  ['UUID', 'uuid', -1],
  ["ENUM('a', 'b')", 'varchar', -1],
  ['BIT', 'varchar', -1],
  ['INTEGER[]', '_int4', -1],
  ['INTEGER[3]', '_int4', -1],
  ['VARCHAR[]', '_varchar', -1],
  ['JSON[]', '_json', -1],
  ['DECIMAL(4,2)[]', '_numeric', (4 << 16) + 2 + 4],
  ['HUGEINT[]', '_numeric', -1],
  ['TIMESTAMPTZ[]', '_timestamptz', -1],
  ['TIMETZ[]', '_timetz', -1],
  ['BLOB[]', '_bytea', -1],
  ['UUID[]', '_uuid', -1],
  ['INTERVAL[]', '_interval', -1],
  ["ENUM('a', 'b')[]", '_varchar', -1],
  ['INTEGER[][]', 'json', -1],
  ['INTEGER[2][2]', 'json', -1],
  ['STRUCT(a INTEGER, b VARCHAR)', 'json', -1],
  ['STRUCT(a INTEGER)[]', 'json', -1],
  ['MAP(VARCHAR, INTEGER)', 'json', -1],
  ['UNION(a INTEGER, b VARCHAR)', 'json', -1],
];

test('each DuckDB column type is described as its PostgreSQL type, with typlen as typeSize', async () => {
  for (const [sql, name, typmod] of COLUMN_TYPES) {
    const t = pgTypeOf(await typeOf(sql));
    const info = pgTypeByName(name)!;
    assert.deepEqual(t, { oid: info.oid, typeSize: info.typlen, typeModifier: typmod, name }, sql);
  }
});

test('TIME_NS, VARIANT, GEOMETRY and SQLNULL have a PostgreSQL type too', () => {
  assert.equal(pgTypeOf(duckdb.TIME_NS).name, 'time');
  assert.equal(pgTypeOf(duckdb.VARIANT).name, 'json');
  assert.equal(pgTypeOf(duckdb.GEOMETRY).name, 'bytea');
  assert.equal(pgTypeOf(duckdb.SQLNULL).name, 'text');
  assert.equal(pgTypeOf(duckdb.LIST(duckdb.SQLNULL)).name, '_text');
});

test('the JSON logical type is told apart from VARCHAR by its alias', async () => {
  assert.equal(isJsonType(await typeOf('JSON')), true);
  assert.equal(isJsonType(await typeOf('VARCHAR')), false);
});

test('a declared parameter type names a DuckDB type that exists', async () => {
  const cases: [number, string][] = [
    [0, 'VARCHAR'], [705, 'VARCHAR'], [25, 'VARCHAR'], [1043, 'VARCHAR'], [1042, 'VARCHAR'], [19, 'VARCHAR'], [16, 'BOOLEAN'], [17, 'BLOB'],
    [21, 'SMALLINT'], [23, 'INTEGER'], [20, 'BIGINT'], [26, 'UINTEGER'], [700, 'FLOAT'], [701, 'DOUBLE'], [1700, 'VARCHAR'], [114, 'JSON'], [3802, 'JSON'],
    [1082, 'DATE'], [1083, 'TIME'], [1266, 'TIMETZ'], [1114, 'TIMESTAMP'], [1184, 'TIMESTAMPTZ'], [1186, 'INTERVAL'], [2950, 'UUID'],
    [1007, 'INTEGER[]'], [1009, 'VARCHAR[]'], [1185, 'TIMESTAMPTZ[]'], [1231, 'VARCHAR[]'], [424242, 'VARCHAR'],
  ];
  for (const [oid, name] of cases) {
    assert.equal(duckdbTypeForOid(oid), name, String(oid));
    await typeOf(name); // throws if DuckDB does not know the type
  }
});
