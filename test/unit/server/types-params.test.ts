/**
 * Bind parameters: text and binary values read into DuckDB values, against PostgreSQL 15's own
 * input functions, and round trips through the encoders.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { DuckDBConnection, DuckDBInstance, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { binaryEncoder, decodeParam, isJsonType, pgTypeByName, pgTypeOf, textEncoder, type BoundParam } from '../../../src/server/types/index.js';
import { RestSqlError } from '../../../src/errors/index.js';

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

async function one(sql: string): Promise<{ type: DuckDBType; value: DuckDBValue }> {
  const reader = await conn.runAndReadAll(`SELECT ${sql} AS v`);
  return { type: reader.columnType(0), value: reader.getRows()[0]![0]! };
}

/** Binds `p` and asks DuckDB whether it is the same value as `sql`, both cast to `as`. */
async function sameInDuckDB(p: BoundParam, sql: string, as: string): Promise<boolean> {
  const prepared = await conn.prepare(`SELECT CAST($1 AS ${as}) IS NOT DISTINCT FROM CAST((${sql}) AS ${as}) AS same`);
  prepared.bind([p.value], [p.type]);
  const reader = await prepared.runAndReadAll();
  return reader.getRows()[0]![0] === true;
}

/**
 * PostgreSQL 15.18 reading each text: `SET TIME ZONE '<zone or UTC>'; SELECT $1::<type>` with the
 * text bound as an untyped parameter, giving the value's text output (for a two-dimensional array,
 * array_to_json of it) or the error message.
 * Row: [type, input text, session TimeZone (null: UTC), PostgreSQL's output, PostgreSQL's error].
 */
const PG15_INPUT: readonly (readonly [string, string, string | null, string | null, string | null])[] = [
  ["bool","t",null,"t",null],
  ["bool","TRUE",null,"t",null],
  ["bool"," yes ",null,"t",null],
  ["bool","tr",null,"t",null],
  ["bool","on",null,"t",null],
  ["bool","of",null,"f",null],
  ["bool","off",null,"f",null],
  ["bool","1",null,"t",null],
  ["bool","0",null,"f",null],
  ["bool","n",null,"f",null],
  ["bool","F",null,"f",null],
  ["bool","o",null,null,"invalid input syntax for type boolean: \"o\""],
  ["bool","maybe",null,null,"invalid input syntax for type boolean: \"maybe\""],
  ["bool","",null,null,"invalid input syntax for type boolean: \"\""],
  ["bool","10",null,null,"invalid input syntax for type boolean: \"10\""],
  ["int2"," 12 ",null,"12",null],
  ["int2","+12",null,"12",null],
  ["int2","-32768",null,"-32768",null],
  ["int2","32768",null,null,"value \"32768\" is out of range for type smallint"],
  ["int2","1.5",null,null,"invalid input syntax for type smallint: \"1.5\""],
  ["int2","",null,null,"invalid input syntax for type smallint: \"\""],
  ["int4","\t-0042\n",null,"-42",null],
  ["int4","2147483648",null,null,"value \"2147483648\" is out of range for type integer"],
  ["int4","1_000",null,null,"invalid input syntax for type integer: \"1_000\""],
  ["int4","abc",null,null,"invalid input syntax for type integer: \"abc\""],
  ["int4","12 3",null,null,"invalid input syntax for type integer: \"12 3\""],
  ["int8","-9223372036854775808",null,"-9223372036854775808",null],
  ["int8","9223372036854775808",null,null,"value \"9223372036854775808\" is out of range for type bigint"],
  ["int8"," 77 ",null,"77",null],
  ["oid","4294967295",null,"4294967295",null],
  ["oid","42",null,"42",null],
  ["float8"," 1.5 ",null,"1.5",null],
  ["float8","-1e-3",null,"-0.001",null],
  ["float8",".5",null,"0.5",null],
  ["float8","5.",null,"5",null],
  ["float8","NaN",null,"NaN",null],
  ["float8","-Infinity",null,"-Infinity",null],
  ["float8","inf",null,"Infinity",null],
  ["float8","1e308",null,"1e+308",null],
  ["float8","1e-400",null,null,"\"1e-400\" is out of range for type double precision"],
  ["float8","1e400",null,null,"\"1e400\" is out of range for type double precision"],
  ["float8","4.9e-324",null,"5e-324",null],
  ["float8","x1",null,null,"invalid input syntax for type double precision: \"x1\""],
  ["float8","1.7976931348623157e308",null,"1.7976931348623157e+308",null],
  ["float4","0.1",null,"0.1",null],
  ["float4","3.4028235e38",null,"3.4028235e+38",null],
  ["float4","1e39",null,null,"\"1e39\" is out of range for type real"],
  ["float4","1e-46",null,null,"\"1e-46\" is out of range for type real"],
  ["float4","-0",null,"-0",null],
  ["numeric"," 1.50 ",null,"1.50",null],
  ["numeric","1.5e3",null,"1500",null],
  ["numeric",".5",null,"0.5",null],
  ["numeric","5.",null,"5",null],
  ["numeric","-0.000",null,"0.000",null],
  ["numeric","1e-3",null,"0.001",null],
  ["numeric","-12345678901234567890.123456789",null,"-12345678901234567890.123456789",null],
  ["numeric","123456789012345678901234567890123456789",null,"123456789012345678901234567890123456789",null],
  ["numeric","0.000000000000000000000000000000000000001",null,"0.000000000000000000000000000000000000001",null],
  ["numeric","NaN",null,"NaN",null],
  ["numeric","-Infinity",null,"-Infinity",null],
  ["numeric","inf",null,"Infinity",null],
  ["numeric","1e",null,null,"invalid input syntax for type numeric: \"1e\""],
  ["numeric","abc",null,null,"invalid input syntax for type numeric: \"abc\""],
  ["bytea","\\x0a0B",null,"\\x0a0b",null],
  ["bytea","\\x",null,"\\x",null],
  ["bytea","\\x 0a 0b",null,"\\x0a0b",null],
  ["bytea","abc\\\\def\\001\\377",null,"\\x6162635c64656601ff",null],
  ["bytea","héllo",null,"\\x68c3a96c6c6f",null],
  ["bytea","\\x0",null,null,"invalid hexadecimal data: odd number of digits"],
  ["bytea","\\xzz",null,null,"invalid hexadecimal digit: \"z\""],
  ["bytea","a\\9",null,null,"invalid input syntax for type bytea"],
  ["uuid","a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",null,"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",null],
  ["uuid","{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}",null,"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",null],
  ["uuid","a0eebc999c0b4ef8bb6d6bb9bd380a11",null,"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",null],
  ["uuid","a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",null,"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",null],
  ["uuid","a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",null,null,"invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1\""],
  ["uuid"," a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",null,null,"invalid input syntax for type uuid: \" a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""],
  ["uuid","a0eebc99-9c0b4-ef8-bb6d-6bb9bd380a11",null,null,"invalid input syntax for type uuid: \"a0eebc99-9c0b4-ef8-bb6d-6bb9bd380a11\""],
  ["json","{\"a\": [1, 2.50, \"x\"]}",null,"{\"a\": [1, 2.50, \"x\"]}",null],
  ["json","  [1,2] ",null,"  [1,2] ",null],
  ["json","{\"a\":",null,null,"invalid input syntax for type json"],
  ["date","2024-01-02",null,"2024-01-02",null],
  ["date"," 2024-1-2 ",null,"2024-01-02",null],
  ["date","0044-03-15 BC",null,"0044-03-15 BC",null],
  ["date","2024-01-02 03:04:05",null,"2024-01-02",null],
  ["date","epoch",null,"1970-01-01",null],
  ["date","infinity",null,"infinity",null],
  ["date","-infinity",null,"-infinity",null],
  ["date","2024-02-30",null,null,"date/time field value out of range: \"2024-02-30\""],
  ["date","0000-01-01",null,null,"date/time field value out of range: \"0000-01-01\""],
  ["date","10000-01-01",null,"10000-01-01",null],
  ["date","yesterday-ish",null,null,"invalid input syntax for type date: \"yesterday-ish\""],
  ["time","04:05",null,"04:05:00",null],
  ["time","04:05:06.789",null,"04:05:06.789",null],
  ["time","24:00:00",null,"24:00:00",null],
  ["time","23:59:59.9999999",null,"24:00:00",null],
  ["time","04:05:06+02",null,"04:05:06",null],
  ["time","25:00",null,null,"date/time field value out of range: \"25:00\""],
  ["time","12:60",null,null,"date/time field value out of range: \"12:60\""],
  ["timetz","12:00:00+05:30",null,"12:00:00+05:30",null],
  ["timetz","12:00:00-0800",null,"12:00:00-08",null],
  ["timetz","12:00:00Z",null,"12:00:00+00",null],
  ["timetz","12:00:00.5+05","UTC","12:00:00.5+05",null],
  ["timetz","12:00","Asia/Kolkata","12:00:00+05:30",null],
  ["timestamp","2024-01-02 03:04:05",null,"2024-01-02 03:04:05",null],
  ["timestamp","2024-01-02T03:04:05.123456",null,"2024-01-02 03:04:05.123456",null],
  ["timestamp","2024-01-02 03:04:05.1234565",null,"2024-01-02 03:04:05.123456",null],
  ["timestamp","2024-01-02 03:04:05.1234575",null,"2024-01-02 03:04:05.123458",null],
  ["timestamp","2024-01-02",null,"2024-01-02 00:00:00",null],
  ["timestamp","2024-01-02 03:04:05+05:30",null,"2024-01-02 03:04:05",null],
  ["timestamp","0044-03-15 12:00:00 BC",null,"0044-03-15 12:00:00 BC",null],
  ["timestamp","2024-01-02 24:00:00",null,"2024-01-03 00:00:00",null],
  ["timestamp","2024-12-31 23:59:60",null,"2025-01-01 00:00:00",null],
  ["timestamp","epoch",null,"1970-01-01 00:00:00",null],
  ["timestamp","infinity",null,"infinity",null],
  ["timestamp","-infinity",null,"-infinity",null],
  ["timestamp","2024-01-02 03:04",null,"2024-01-02 03:04:00",null],
  ["timestamp","2024-01-02 25:00:00",null,null,"date/time field value out of range: \"2024-01-02 25:00:00\""],
  ["timestamp","Jan 2 2024",null,"2024-01-02 00:00:00",null],
  ["timestamptz","2024-01-02 03:04:05+05:30",null,"2024-01-01 21:34:05+00",null],
  ["timestamptz","2024-01-02T03:04:05.123Z",null,"2024-01-02 03:04:05.123+00",null],
  ["timestamptz","2024-01-02 03:04:05-0800",null,"2024-01-02 11:04:05+00",null],
  ["timestamptz","2024-01-02 03:04:05+05","Asia/Kolkata","2024-01-02 03:34:05+05:30",null],
  ["timestamptz","2024-01-02 03:04:05","Asia/Kolkata","2024-01-02 03:04:05+05:30",null],
  ["timestamptz","2024-07-01 12:00:00","America/New_York","2024-07-01 12:00:00-04",null],
  ["timestamptz","2024-11-03 01:30:00","America/New_York","2024-11-03 01:30:00-05",null],
  ["timestamptz","2024-03-10 02:30:00","America/New_York","2024-03-10 03:30:00-04",null],
  ["timestamptz","1800-01-01 00:00:00","America/New_York","1800-01-01 00:00:00-04:56:02",null],
  ["timestamptz","0044-03-15 00:00:00+00 BC",null,"0044-03-15 00:00:00+00 BC",null],
  ["timestamptz","2024-01-02 03:04:05","UTC+5","2024-01-02 03:04:05-05",null],
  ["timestamptz","epoch","Asia/Kolkata","1970-01-01 05:30:00+05:30",null],
  ["timestamptz","2024-01-02 03:04:05.5 +05:30:15",null,"2024-01-01 21:33:50.5+00",null],
  ["interval","1 year 2 mons 3 days 04:05:06.5",null,"1 year 2 mons 3 days 04:05:06.5",null],
  ["interval","-00:00:01",null,"-00:00:01",null],
  ["interval","@ 1 hour ago",null,"-01:00:00",null],
  ["interval","1.5 years",null,"1 year 6 mons",null],
  ["interval","1.5 months",null,"1 mon 15 days",null],
  ["interval","1.5 weeks",null,"10 days 12:00:00",null],
  ["interval","1.5 days",null,"1 day 12:00:00",null],
  ["interval","-1.5 hours",null,"-01:30:00",null],
  ["interval","10",null,"00:00:10",null],
  ["interval","1-2",null,"1 year 2 mons",null],
  ["interval","3 4:05:06",null,"3 days 04:05:06",null],
  ["interval","P1Y2M3DT4H5M6.5S",null,"1 year 2 mons 3 days 04:05:06.5",null],
  ["interval","PT36H",null,"36:00:00",null],
  ["interval","P1.5Y",null,"1 year 6 mons",null],
  ["interval","0 years 0 mons 1 days 2 hours 3 mins 4.5 secs",null,"1 day 02:03:04.5",null],
  ["interval","1 years 2 months 3 days 4 hours 5 minutes 6.5 seconds",null,"1 year 2 mons 3 days 04:05:06.5",null],
  ["interval","1 day 2:03:04.000005",null,"1 day 02:03:04.000005",null],
  ["interval","-1 day 23:59:59",null,"-1 days +23:59:59",null],
  ["interval","1 decade 2 centuries",null,"210 years",null],
  ["interval","2 weeks 3 microseconds 4 milliseconds",null,"14 days 00:00:00.004003",null],
  ["interval","1 mon -1 day +02:00",null,"1 mon -1 days +02:00:00",null],
  ["interval","100:00:00",null,"100:00:00",null],
  ["interval","1day",null,"1 day",null],
  ["interval","5 fortnights",null,null,"invalid input syntax for type interval: \"5 fortnights\""],
  ["interval","P",null,null,"invalid input syntax for type interval: \"P\""],
  ["text","  spaces kept  ",null,"  spaces kept  ",null],
  ["varchar","é",null,"é",null],
  ["unknown","42",null,"42",null],
  ["_int4","{1,2,NULL}",null,"{1,2,NULL}",null],
  ["_int4","{}",null,"{}",null],
  ["_int4"," { 1 , 2 } ",null,"{1,2}",null],
  ["_int4","{{1,2},{3,4}}",null,"[[1,2],[3,4]]",null],
  ["_int4","[0:1]={1,2}",null,"[0:1]={1,2}",null],
  ["_int4","{1,{2}}",null,null,"malformed array literal: \"{1,{2}}\""],
  ["_int4","{1,2",null,null,"malformed array literal: \"{1,2\""],
  ["_int4","{1,x}",null,null,"invalid input syntax for type integer: \"x\""],
  ["_int4","{1,,2}",null,null,"malformed array literal: \"{1,,2}\""],
  ["_text","{\"a b\",\"c\\\"d\",NULL,\"NULL\",null,\"\",x\\y, spaced out ,\"{}\"}",null,"{\"a b\",\"c\\\"d\",NULL,\"NULL\",NULL,\"\",xy,\"spaced out\",\"{}\"}",null],
  ["_text","{NUL\\L,\\\"q}",null,"{\"NULL\",\"\\\"q\"}",null],
  ["_text","{a}x",null,null,"malformed array literal: \"{a}x\""],
  ["_varchar","{é,\"ü ü\"}",null,"{é,\"ü ü\"}",null],
  ["_numeric","{1.5,-0.25,NULL,100}",null,"{1.5,-0.25,NULL,100}",null],
  ["_numeric","{1,NaN}",null,"{1,NaN}",null],
  ["_float8","{1.5,NaN,-Infinity,1e20}",null,"{1.5,NaN,-Infinity,1e+20}",null],
  ["_bool","{t,false,NULL}",null,"{t,f,NULL}",null],
  ["_date","{2024-01-02,\"0044-03-15 BC\"}",null,"{2024-01-02,\"0044-03-15 BC\"}",null],
  ["_timestamp","{\"2024-01-02 03:04:05\",infinity}",null,"{\"2024-01-02 03:04:05\",infinity}",null],
  ["_timestamptz","{\"2024-01-02 03:04:05+00\"}","Asia/Kolkata","{\"2024-01-02 08:34:05+05:30\"}",null],
  ["_uuid","{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",null,"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",null],
  ["_bytea","{\"\\\\x0102\",\"\\\\x\"}",null,"{\"\\\\x0102\",\"\\\\x\"}",null],
  ["_interval","{\"1 day\",\"-00:00:01\"}",null,"{\"1 day\",-00:00:01}",null],
  ["_json","{\"{\\\"a\\\": 1}\",\"[1]\"}",null,"{\"{\\\"a\\\": 1}\",[1]}",null],
  ["_int8","{9223372036854775807}",null,"{9223372036854775807}",null],
  ["_int2","{1,99999}",null,null,"value \"99999\" is out of range for type smallint"],
];

/**
 * Where restsql reads a text differently from PostgreSQL, on purpose, and what it gives instead
 * (undefined: it refuses the text).
 */
const DIFFERENT: ReadonlyMap<string, string | undefined> = new Map([
  // DuckDB lists start at 1: the lower bound of a decorated array is not kept.
  ['_int4 [0:1]={1,2}', '{1,2}'],
  // A DuckDB list of DECIMAL has one scale: every element takes the largest.
  ['_numeric {1.5,-0.25,NULL,100}', '{1.50,-0.25,NULL,100.00}'],
  // Dates and timestamps are read in ISO 8601 only (the forms clients send).
  ['timestamp Jan 2 2024', undefined],
]);

test('text parameters read as PostgreSQL 15 reads them (same value out, or the same error)', () => {
  const failures: string[] = [];
  for (const [type, input, zone, pgText, pgError] of PG15_INPUT) {
    const oid = pgTypeByName(type)!.oid;
    const key = `${type} ${input}`;
    const options = { timeZone: zone ?? 'UTC' };
    const expected = DIFFERENT.has(key) ? DIFFERENT.get(key) : pgText;
    let got: string;
    try {
      const p = decodeParam(Buffer.from(input, 'utf8'), 0, oid, options);
      got = p.value === null ? 'NULL' : textEncoder(p.type, options)(p.value);
    } catch (e) {
      if (!(e instanceof RestSqlError)) throw e;
      if (expected !== undefined && expected !== null) failures.push(`${key}: threw ${e.message}, PostgreSQL gives ${expected}`);
      else if (e.code !== 'QUERY_BAD_PARAMETER') failures.push(`${key}: code ${e.code}`);
      else if (pgError !== null && !DIFFERENT.has(key) && !e.message.startsWith(pgError)) failures.push(`${key}: message ${JSON.stringify(e.message)} does not start with PostgreSQL's ${JSON.stringify(pgError)}`);
      else if (e.hint === undefined) failures.push(`${key}: no hint`);
      continue;
    }
    if (got !== expected) failures.push(`${key}: ${JSON.stringify(got)}, PostgreSQL ${JSON.stringify(expected)}${pgError === null ? '' : ` (PostgreSQL: ${pgError})`}`);
  }
  assert.deepEqual(failures, []);
});

test('text parameters bind as the DuckDB type of their oid, and unknown oids as VARCHAR', () => {
  const cases: [number, string, string][] = [
    [23, '42', 'INTEGER'], [21, '42', 'SMALLINT'], [20, '42', 'BIGINT'], [16, 't', 'BOOLEAN'], [701, '1.5', 'DOUBLE'], [700, '1.5', 'FLOAT'],
    [1700, '1.50', 'DECIMAL(3,2)'], [1700, '-0.05', 'DECIMAL(2,2)'], [1700, '12345678901234567890123456789012345678', 'DECIMAL(38,0)'],
    [1700, '123456789012345678901234567890123456789', 'VARCHAR'], [1700, 'NaN', 'DOUBLE'], [0, '42', 'VARCHAR'], [705, '42', 'VARCHAR'], [25, '42', 'VARCHAR'],
    [9999, 'whatever', 'VARCHAR'], [114, '{}', 'VARCHAR'], [1114, '2024-01-02', 'TIMESTAMP'], [1184, '2024-01-02', 'TIMESTAMP WITH TIME ZONE'], [1082, '2024-01-02', 'DATE'],
    [1007, '{1}', 'INTEGER[]'], [1007, '{{1},{2}}', 'INTEGER[][]'], [1231, '{1.5,22}', 'DECIMAL(3,1)[]'], [2950, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'UUID'],
  ];
  for (const [oid, text, type] of cases) assert.equal(String(decodeParam(Buffer.from(text), 0, oid).type), type, `${oid} ${text}`);
  assert.ok(isJsonType(decodeParam(Buffer.from('{}'), 0, 114).type), 'json binds as the JSON alias of VARCHAR');
  assert.ok(isJsonType(decodeParam(Buffer.from('{}'), 0, 3802).type), 'so does jsonb');
  assert.deepEqual(decodeParam(Buffer.from('9223372036854775807'), 0, 20).value, 9223372036854775807n);
  assert.equal(decodeParam(Buffer.from(' -7 '), 0, 23).value, -7);
});

test('NULL binds as NULL of the declared type', () => {
  for (const [oid, type] of [[23, 'INTEGER'], [0, 'VARCHAR'], [1184, 'TIMESTAMP WITH TIME ZONE'], [1007, 'INTEGER[]'], [1700, 'DECIMAL(38,10)']] as const) {
    const p = decodeParam(null, 1, oid);
    assert.equal(p.value, null);
    assert.equal(String(p.type), type);
  }
});

test('binary integers as psycopg (int2) and pgjdbc (int4 for setInt, int8 for setLong) send them', () => {
  const be = (hex: string) => Buffer.from(hex, 'hex');
  assert.deepEqual(decodeParam(be('fffe'), 1, 21), { value: -2, type: duckdb.SMALLINT });
  assert.deepEqual(decodeParam(be('7fffffff'), 1, 23), { value: 2147483647, type: duckdb.INTEGER });
  assert.deepEqual(decodeParam(be('8000000000000000'), 1, 20), { value: -9223372036854775808n, type: duckdb.BIGINT });
  assert.equal(decodeParam(be('3ff8000000000000'), 1, 701).value, 1.5);
  assert.equal(decodeParam(be('3fc00000'), 1, 700).value, 1.5);
  assert.equal(decodeParam(be('01'), 1, 16).value, true);
  assert.equal(decodeParam(Buffer.from('héllo'), 1, 25).value, 'héllo');
  assert.equal(decodeParam(Buffer.from('{"a":1}'), 1, 114).value, '{"a":1}');
  assert.equal(decodeParam(Buffer.concat([be('01'), Buffer.from('{"a":1}')]), 1, 3802).value, '{"a":1}');
});

function rejects(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof RestSqlError && e.code === code && pattern.test(e.message) && e.hint !== undefined, pattern.source);
}

test('a binary value of the wrong length names the type and the length', () => {
  rejects(() => decodeParam(Buffer.alloc(3), 1, 23), 'QUERY_BAD_PARAMETER', /integer has 3 bytes; it must have 4/);
  rejects(() => decodeParam(Buffer.alloc(4), 1, 20), 'QUERY_BAD_PARAMETER', /bigint has 4 bytes; it must have 8/);
  rejects(() => decodeParam(Buffer.alloc(2), 1, 16), 'QUERY_BAD_PARAMETER', /boolean has 2 bytes; it must have 1/);
  rejects(() => decodeParam(Buffer.alloc(8), 1, 2950), 'QUERY_BAD_PARAMETER', /uuid has 8 bytes; it must have 16/);
  rejects(() => decodeParam(Buffer.alloc(15), 1, 1186), 'QUERY_BAD_PARAMETER', /interval has 15 bytes; it must have 16/);
  rejects(() => decodeParam(Buffer.alloc(8), 1, 1266), 'QUERY_BAD_PARAMETER', /time with time zone has 8 bytes; it must have 12/);
});

test('malformed binary values are refused with what is wrong', () => {
  const hex = (h: string) => Buffer.from(h, 'hex');
  rejects(() => decodeParam(hex('0001000000000000'), 1, 1700), 'QUERY_BAD_PARAMETER', /numeric.*invalid length/);
  rejects(() => decodeParam(hex('000100001234000000010'), 1, 1700), 'QUERY_BAD_PARAMETER', /numeric/);
  rejects(() => decodeParam(hex('00010000000000002710'), 1, 1700), 'QUERY_BAD_PARAMETER', /invalid digit/);
  rejects(() => decodeParam(hex('00000000a0000000'), 1, 1700), 'QUERY_BAD_PARAMETER', /invalid sign/);
  rejects(() => decodeParam(hex('000000010000000000000014000000010000000100000004000000017'), 1, 1007), 'QUERY_BAD_PARAMETER', /integer\[\]/);
  rejects(() => decodeParam(hex('00000001000000000000001400000001000000010000000800000000000000ff'), 1, 1007), 'QUERY_BAD_PARAMETER', /element type 20 \(bigint\) instead of expected 23 \(integer\)/);
  rejects(() => decodeParam(hex('0000000100000000000000170000000200000001000000040000000100000004'), 1, 1007), 'QUERY_BAD_PARAMETER', /truncated|claims/);
  rejects(() => decodeParam(Buffer.from('\u0002{}'), 1, 3802), 'QUERY_BAD_PARAMETER', /unsupported jsonb version number 2/);
  rejects(() => decodeParam(hex('ffffffffffffffff'), 1, 1083), 'QUERY_BAD_PARAMETER', /time/);
  rejects(() => decodeParam(hex('c3'), 1, 25), 'QUERY_BAD_PARAMETER', /invalid byte sequence for encoding "UTF8"/);
  rejects(() => decodeParam(hex('610062'), 0, 25), 'QUERY_BAD_PARAMETER', /0x00/);
  rejects(() => decodeParam(Buffer.from('{"a":'), 1, 114), 'QUERY_BAD_PARAMETER', /invalid input syntax for type json/);
});

test('a binary parameter of a type with no binary reader is SERVER_UNSUPPORTED, naming the type', () => {
  rejects(() => decodeParam(Buffer.alloc(4), 1, 0), 'SERVER_UNSUPPORTED', /unspecified type in binary format/);
  rejects(() => decodeParam(Buffer.alloc(4), 1, 4242), 'SERVER_UNSUPPORTED', /type 4242 \(oid 4242\)/);
  rejects(() => decodeParam(Buffer.from('00000001000000000000109200000001000000010000000400000000', 'hex'), 1, 1028), 'QUERY_BAD_PARAMETER', /element type/);
});

/** DuckDB literals of every type restsql writes, for the round trips. */
const ROUND_TRIP: readonly (readonly [string, string?])[] = [
  ['true'], ['(-32768)::SMALLINT'], ['(-128)::TINYINT'], ['255::UTINYINT'], ['2147483647'], ['65535::USMALLINT'], ['(-9223372036854775808)::BIGINT'],
  ['4294967295::UINTEGER'], ['18446744073709551615::UBIGINT'], ['(-170141183460469231731687303715884105728)::HUGEINT'], ['340282366920938463463374607431768211455::UHUGEINT'],
  ['1.50::DECIMAL(10,2)'], ['(-0.05)::DECIMAL(10,2)'], ['0::DECIMAL(38,38)'], ["'-99999999999999999999999999999999999999'::DECIMAL(38,0)"], ["'0.12345678901234567890123456789012345678'::DECIMAL(38,38)"],
  ["'0.1'::FLOAT"], ["'-3.4028235e38'::FLOAT"], ["'nan'::FLOAT"], ["'0.1'::DOUBLE"], ["'-1e-300'::DOUBLE"], ["'-inf'::DOUBLE"], ["'5e-324'::DOUBLE"],
  ["'hello'"], ["''"], ["'héllo 🎉'"], ["'x'::ENUM('x', 'y')"], ["'{\"a\": [1, 2]}'::JSON"], ["'\\x00\\x0A\\xFF'::BLOB"], ["''::BLOB"],
  ["'2024-01-02'::DATE"], ["'0044-03-15 (BC)'::DATE"], ["'infinity'::DATE"], ["'-infinity'::DATE"], ["'5877641-06-24'::DATE"],
  ["'00:00:00'::TIME"], ["'23:59:59.999999'::TIME"], ["'24:00:00'::TIME"], ["'12:00:00.25+05:30'::TIMETZ"], ["'12:00:00-15:59:59'::TIMETZ"],
  ["'2024-01-02 03:04:05.123456'::TIMESTAMP"], ["'0044-03-15 (BC) 12:00:00'::TIMESTAMP"], ["'infinity'::TIMESTAMP"], ["'-infinity'::TIMESTAMP"], ["'294246-12-31 23:59:59.999999'::TIMESTAMP"],
  ["'2024-01-02 03:04:05'::TIMESTAMP_S", 'TIMESTAMP'], ["'2024-01-02 03:04:05.123'::TIMESTAMP_MS", 'TIMESTAMP'], ["'2024-01-02 03:04:05.123456789'::TIMESTAMP_NS", 'TIMESTAMP'],
  ["'2024-01-02 03:04:05.123456+00'::TIMESTAMPTZ"], ["'1800-01-01 00:00:00+00'::TIMESTAMPTZ"], ["'0044-03-15 (BC) 00:00:00+00'::TIMESTAMPTZ"], ["'infinity'::TIMESTAMPTZ"],
  ["INTERVAL '1 year 2 months 3 days 04:05:06.5'"], ["INTERVAL '-1 year' + INTERVAL '-2 months' + INTERVAL '3 days' + INTERVAL '-04:05:06'"], ["to_months(-2147483647)"], ["INTERVAL '2562047788 hours'"],
  ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID"], ["'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID"], ["'00000000-0000-0000-0000-000000000000'::UUID"],
  ['[1, 2, NULL]::INTEGER[]'], ['[]::INTEGER[]'], ['[1, 2]::INTEGER[2]'], ['[true, NULL]'], ["['a b', 'c\"d', NULL, 'NULL', '', 'x\\y', '{}', ' lead', 'é']"],
  ['[1.5, NULL, -0.25]::DECIMAL(4,2)[]'], ["[1.5, 'nan', 1e20]::DOUBLE[]"], ["['2024-01-02 03:04:05'::TIMESTAMP, 'infinity'::TIMESTAMP]"], ["['2024-01-02 03:04:05+00'::TIMESTAMPTZ]"],
  ["['2024-01-02'::DATE, '0044-03-15 (BC)'::DATE]"], ["['12:00:00'::TIME]"], ["[INTERVAL '1 day 02:00:00', INTERVAL '-1 second']"], ["['\\x01\\x02'::BLOB, ''::BLOB]"],
  ["['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID]"], ["['{\"a\":1}'::JSON, '[1, \"x y\"]'::JSON]"], ['[18446744073709551615::UBIGINT]'], ["['12:00:00+05:30'::TIMETZ]"],
];

for (const zone of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
  test(`round trips in ${zone}: the text and the binary form read back to the same DuckDB value`, async () => {
    const failures: string[] = [];
    for (const [sql, compareAs] of ROUND_TRIP) {
      const { type, value } = await one(sql);
      const oid = pgTypeOf(type).oid;
      const as = compareAs ?? String(type);
      const text = textEncoder(type, { timeZone: zone })(value!);
      const fromText = decodeParam(Buffer.from(text, 'utf8'), 0, oid, { timeZone: zone });
      if (!(await sameInDuckDB(fromText, sql, as))) failures.push(`${sql} text ${JSON.stringify(text)} read back as ${String(fromText.value)}`);
      const bytes = binaryEncoder(type, { timeZone: zone })!(value!);
      const fromBinary = decodeParam(bytes, 1, oid, { timeZone: zone });
      if (!(await sameInDuckDB(fromBinary, sql, as))) failures.push(`${sql} binary ${bytes.toString('hex')} read back as ${String(fromBinary.value)}`);
    }
    assert.deepEqual(failures, []);
  });
}

test('a timestamptz without an offset is read in the session zone, the smaller offset in a gap or overlap', () => {
  const read = (text: string, zone: string) => textEncoder(duckdb.TIMESTAMPTZ)(decodeParam(Buffer.from(text), 0, 1184, { timeZone: zone }).value!);
  assert.equal(read('2024-07-01 12:00:00', 'Europe/Paris'), '2024-07-01 10:00:00+00');
  assert.equal(read('2024-11-03 01:30:00', 'America/New_York'), '2024-11-03 06:30:00+00');
  assert.equal(read('2024-03-10 02:30:00', 'America/New_York'), '2024-03-10 07:30:00+00');
  assert.equal(read('2024-03-10 02:30:00+01', 'America/New_York'), '2024-03-10 01:30:00+00');
});

test('timestamp and date values past DuckDB\'s range are refused', () => {
  rejects(() => decodeParam(Buffer.from('300000-01-01 00:00:00'), 0, 1114), 'QUERY_BAD_PARAMETER', /timestamp out of range/);
  rejects(() => decodeParam(Buffer.from('7fffffffffffff00', 'hex'), 1, 1114), 'QUERY_BAD_PARAMETER', /timestamp out of range/);
  rejects(() => decodeParam(Buffer.from('7ffffff0', 'hex'), 1, 1082), 'QUERY_BAD_PARAMETER', /date out of range/);
});
