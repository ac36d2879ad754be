/**
 * Text and binary output of DuckDB values against PostgreSQL 15's own output for the same literals.
 *
 * Each row runs `SELECT <duckdb expression>` in DuckDB, encodes the value with textEncoder and
 * binaryEncoder and describes the column with pgTypeOf, then compares with what PostgreSQL 15.18
 * answered for the matching PostgreSQL expression. The table was produced by PostgreSQL 15.18
 * (DateStyle 'ISO, MDY', IntervalStyle 'postgres', extra_float_digits 1) with, per row,
 *   SET TIME ZONE '<zone or UTC>';
 *   SELECT <pg expression>;                              -- text, column oid and typmod
 *   SELECT encode(<typsend of that oid>(<pg expression>), 'hex');   -- binary
 * e.g. `SELECT encode(numeric_send(1.50::numeric(10,2)), 'hex')`.
 * Row: [DuckDB expression, PostgreSQL expression, session TimeZone (null: UTC), text, binary hex,
 * oid, typmod]. STRUCT, MAP and UNION are written as JSON by our own convention (json-text.ts); for
 * them PostgreSQL only confirms the json oid and bytes, and for the struct of scalars row_to_json
 * confirms each scalar's JSON form.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { DuckDBConnection, DuckDBInstance, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { binaryEncoder, pgTypeOf, textEncoder } from '../../../src/server/types/index.js';

const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');

type Row = readonly [duck: string, pg: string, zone: string | null, text: string, binaryHex: string, oid: number, typmod: number];

const PG15_OUTPUT: readonly Row[] = [
  ["true","true",null,"t","01",16,-1],
  ["false","false",null,"f","00",16,-1],
  ["0::SMALLINT","0::int2",null,"0","0000",21,-1],
  ["(-32768)::SMALLINT","(-32768)::int2",null,"-32768","8000",21,-1],
  ["32767::SMALLINT","32767::int2",null,"32767","7fff",21,-1],
  ["(-128)::TINYINT","(-128)::int2",null,"-128","ff80",21,-1],
  ["255::UTINYINT","255::int2",null,"255","00ff",21,-1],
  ["(-2147483648)::INTEGER","(-2147483648)::int4",null,"-2147483648","80000000",23,-1],
  ["2147483647::INTEGER","2147483647::int4",null,"2147483647","7fffffff",23,-1],
  ["65535::USMALLINT","65535::int4",null,"65535","0000ffff",23,-1],
  ["(-9223372036854775808)::BIGINT","(-9223372036854775808)::int8",null,"-9223372036854775808","8000000000000000",20,-1],
  ["9223372036854775807::BIGINT","9223372036854775807::int8",null,"9223372036854775807","7fffffffffffffff",20,-1],
  ["4294967295::UINTEGER","4294967295::int8",null,"4294967295","00000000ffffffff",20,-1],
  ["18446744073709551615::UBIGINT","18446744073709551615::numeric",null,"18446744073709551615","000500040000000007341a5802e103bb064f",1700,-1],
  ["(-170141183460469231731687303715884105728)::HUGEINT","(-170141183460469231731687303715884105728)::numeric",null,"-170141183460469231731687303715884105728","000a00094000000000aa0583209a01d5090d0c601c871bf620da1660",1700,-1],
  ["340282366920938463463374607431768211455::UHUGEINT","340282366920938463463374607431768211455::numeric",null,"340282366920938463463374607431768211455","000a00090000000001540b071a2403aa121a18c111ff10dd1aa505af",1700,-1],
  ["0::HUGEINT","0::numeric",null,"0","0000000000000000",1700,-1],
  ["10000::HUGEINT","10000::numeric",null,"10000","00010001000000000001",1700,-1],
  ["1.50::DECIMAL(10,2)","1.50::numeric(10,2)",null,"1.50","000200000000000200011388",1700,655366],
  ["(-0.05)::DECIMAL(10,2)","(-0.05)::numeric(10,2)",null,"-0.05","0001ffff4000000201f4",1700,655366],
  ["0.00::DECIMAL(10,2)","0.00::numeric(10,2)",null,"0.00","0000000000000002",1700,655366],
  ["1000::DECIMAL(4,0)","1000::numeric(4,0)",null,"1000","000100000000000003e8",1700,262148],
  ["123456789012.345678::DECIMAL(18,6)","123456789012.345678::numeric(18,6)",null,"123456789012.345678","000500020000000604d2162e23340d801e78",1700,1179658],
  ["0.000001::DECIMAL(18,6)","0.000001::numeric(18,6)",null,"0.000001","0001fffe000000060064",1700,1179658],
  ["12345678901234567890123456.789012345678::DECIMAL(38,12)","12345678901234567890123456.789012345678::numeric(38,12)",null,"12345678901234567890123456.789012345678","000a00060000000c000c0d801ed204d2162e23340d801ed204d2162e",1700,2490384],
  ["(-99999999999999999999999999999999999999)::DECIMAL(38,0)","(-99999999999999999999999999999999999999)::numeric(38,0)",null,"-99999999999999999999999999999999999999","000a0009400000000063270f270f270f270f270f270f270f270f270f",1700,2490372],
  ["'0.12345678901234567890123456789012345678'::DECIMAL(38,38)","0.12345678901234567890123456789012345678::numeric(38,38)",null,"0.12345678901234567890123456789012345678","000affff0000002604d2162e23340d801ed204d2162e23340d801e78",1700,2490410],
  ["100000000.0001::DECIMAL(13,4)","100000000.0001::numeric(13,4)",null,"100000000.0001","00040002000000040001000000000001",1700,851976],
  ["1.5::DECIMAL(2,1)","1.5::numeric(2,1)",null,"1.5","000200000000000100011388",1700,131077],
  ["'1e20'::FLOAT","'1e20'::float4",null,"1e+20","60ad78ec",700,-1],
  ["'0.1'::FLOAT","'0.1'::float4",null,"0.1","3dcccccd",700,-1],
  ["'3.14159'::FLOAT","'3.14159'::float4",null,"3.14159","40490fd0",700,-1],
  ["'16777216'::FLOAT","'16777216'::float4",null,"1.6777216e+07","4b800000",700,-1],
  ["'123456'::FLOAT","'123456'::float4",null,"123456","47f12000",700,-1],
  ["'1234567'::FLOAT","'1234567'::float4",null,"1.234567e+06","4996b438",700,-1],
  ["'1e-45'::FLOAT","'1e-45'::float4",null,"1e-45","00000001",700,-1],
  ["'3.4028235e38'::FLOAT","'3.4028235e38'::float4",null,"3.4028235e+38","7f7fffff",700,-1],
  ["'nan'::FLOAT","'nan'::float4",null,"NaN","7fc00000",700,-1],
  ["'-inf'::FLOAT","'-inf'::float4",null,"-Infinity","ff800000",700,-1],
  ["'-0'::FLOAT","'-0'::float4",null,"-0","80000000",700,-1],
  ["'1e20'::DOUBLE","'1e20'::float8",null,"1e+20","4415af1d78b58c40",701,-1],
  ["'1e15'::DOUBLE","'1e15'::float8",null,"1e+15","430c6bf526340000",701,-1],
  ["'123456789012345.6'::DOUBLE","'123456789012345.6'::float8",null,"123456789012345.6","42dc12218377de66",701,-1],
  ["'123456789012345678'::DOUBLE","'123456789012345678'::float8",null,"1.2345678901234568e+17","437b69b4ba630f35",701,-1],
  ["'0.0001'::DOUBLE","'0.0001'::float8",null,"0.0001","3f1a36e2eb1c432d",701,-1],
  ["'0.00001'::DOUBLE","'0.00001'::float8",null,"1e-05","3ee4f8b588e368f1",701,-1],
  ["'1.5e-7'::DOUBLE","'1.5e-7'::float8",null,"1.5e-07","3e8421f5f40d8376",701,-1],
  ["'0.1'::DOUBLE","'0.1'::float8",null,"0.1","3fb999999999999a",701,-1],
  ["'-0'::DOUBLE","'-0'::float8",null,"-0","8000000000000000",701,-1],
  ["'0'::DOUBLE","'0'::float8",null,"0","0000000000000000",701,-1],
  ["'nan'::DOUBLE","'nan'::float8",null,"NaN","7ff8000000000000",701,-1],
  ["'inf'::DOUBLE","'inf'::float8",null,"Infinity","7ff0000000000000",701,-1],
  ["'-inf'::DOUBLE","'-inf'::float8",null,"-Infinity","fff0000000000000",701,-1],
  ["'5e-324'::DOUBLE","'5e-324'::float8",null,"5e-324","0000000000000001",701,-1],
  ["'1.7976931348623157e308'::DOUBLE","'1.7976931348623157e308'::float8",null,"1.7976931348623157e+308","7fefffffffffffff",701,-1],
  ["'-1e21'::DOUBLE","'-1e21'::float8",null,"-1e+21","c44b1ae4d6e2ef50",701,-1],
  ["'100'::DOUBLE","'100'::float8",null,"100","4059000000000000",701,-1],
  ["'hello'","'hello'::varchar",null,"hello","68656c6c6f",1043,-1],
  ["''","''::varchar",null,"","",1043,-1],
  ["'héllo wörld 🎉 中文'","'héllo wörld 🎉 中文'::varchar",null,"héllo wörld 🎉 中文","68c3a96c6c6f2077c3b6726c6420f09f8e8920e4b8ade69687",1043,-1],
  ["'tab\there'","'tab\there'::varchar",null,"tab\there","7461620968657265",1043,-1],
  ["'x'::ENUM('x', 'y')","'x'::varchar",null,"x","78",1043,-1],
  ["'{\"a\": [1, 2]}'::JSON","'{\"a\": [1, 2]}'::json",null,"{\"a\": [1, 2]}","7b2261223a205b312c20325d7d",114,-1],
  ["'\\x00\\x0A\\xFF'::BLOB","'\\x000aff'::bytea",null,"\\x000aff","000aff",17,-1],
  ["''::BLOB","''::bytea",null,"\\x","",17,-1],
  ["'2024-01-02'::DATE","'2024-01-02'::date",null,"2024-01-02","0000223f",1082,-1],
  ["'1999-12-31'::DATE","'1999-12-31'::date",null,"1999-12-31","ffffffff",1082,-1],
  ["'2000-01-01'::DATE","'2000-01-01'::date",null,"2000-01-01","00000000",1082,-1],
  ["'1970-01-01'::DATE","'1970-01-01'::date",null,"1970-01-01","ffffd533",1082,-1],
  ["'0001-01-01'::DATE","'0001-01-01'::date",null,"0001-01-01","fff4dbf9",1082,-1],
  ["'9999-12-31'::DATE","'9999-12-31'::date",null,"9999-12-31","002c95d3",1082,-1],
  ["'10000-01-01'::DATE","'10000-01-01'::date",null,"10000-01-01","002c95d4",1082,-1],
  ["'0044-03-15 (BC)'::DATE","'0044-03-15 BC'::date",null,"0044-03-15 BC","fff49d7b",1082,-1],
  ["'0001-12-31 (BC)'::DATE","'0001-12-31 BC'::date",null,"0001-12-31 BC","fff4dbf8",1082,-1],
  ["'4713-11-24 (BC)'::DATE","'4713-11-24 BC'::date",null,"4713-11-24 BC","ffda9915",1082,-1],
  ["'infinity'::DATE","'infinity'::date",null,"infinity","7fffffff",1082,-1],
  ["'-infinity'::DATE","'-infinity'::date",null,"-infinity","80000000",1082,-1],
  ["'00:00:00'::TIME","'00:00:00'::time",null,"00:00:00","0000000000000000",1083,-1],
  ["'23:59:59.999999'::TIME","'23:59:59.999999'::time",null,"23:59:59.999999","000000141dd75fff",1083,-1],
  ["'12:34:56.5'::TIME","'12:34:56.5'::time",null,"12:34:56.5","0000000a8be1bd20",1083,-1],
  ["'24:00:00'::TIME","'24:00:00'::time",null,"24:00:00","000000141dd76000",1083,-1],
  ["'12:00:00+05:30'::TIMETZ","'12:00:00+05:30'::timetz",null,"12:00:00+05:30","0000000a0eebb000ffffb2a8",1266,-1],
  ["'12:00:00.25-08'::TIMETZ","'12:00:00.25-08'::timetz",null,"12:00:00.25-08","0000000a0eef809000007080",1266,-1],
  ["'00:00:00+00'::TIMETZ","'00:00:00+00'::timetz",null,"00:00:00+00","000000000000000000000000",1266,-1],
  ["'2024-01-02 03:04:05.123456'::TIMESTAMP","'2024-01-02 03:04:05.123456'::timestamp",null,"2024-01-02 03:04:05.123456","0002b0ec8517d580",1114,-1],
  ["'2024-01-02 03:04:05'::TIMESTAMP","'2024-01-02 03:04:05'::timestamp",null,"2024-01-02 03:04:05","0002b0ec8515f340",1114,-1],
  ["'2024-01-02 03:04:05.1'::TIMESTAMP","'2024-01-02 03:04:05.1'::timestamp",null,"2024-01-02 03:04:05.1","0002b0ec851779e0",1114,-1],
  ["'1999-12-31 23:59:59.999999'::TIMESTAMP","'1999-12-31 23:59:59.999999'::timestamp",null,"1999-12-31 23:59:59.999999","ffffffffffffffff",1114,-1],
  ["'1969-07-20 20:17:40'::TIMESTAMP","'1969-07-20 20:17:40'::timestamp",null,"1969-07-20 20:17:40","fffc96188bae6100",1114,-1],
  ["'0001-01-01 00:00:00'::TIMESTAMP","'0001-01-01 00:00:00'::timestamp",null,"0001-01-01 00:00:00","ff1fe2ffc59c6000",1114,-1],
  ["'0044-03-15 (BC) 12:00:00'::TIMESTAMP","'0044-03-15 12:00:00 BC'::timestamp",null,"0044-03-15 12:00:00 BC","ff1af9e8fb46d000",1114,-1],
  ["'2262-04-11 23:47:16.854775'::TIMESTAMP","'2262-04-11 23:47:16.854775'::timestamp",null,"2262-04-11 23:47:16.854775","001d679a6aab73f7",1114,-1],
  ["'294246-12-31 23:59:59.999999'::TIMESTAMP","'294246-12-31 23:59:59.999999'::timestamp",null,"294246-12-31 23:59:59.999999","7ffca2465aa35fff",1114,-1],
  ["'infinity'::TIMESTAMP","'infinity'::timestamp",null,"infinity","7fffffffffffffff",1114,-1],
  ["'-infinity'::TIMESTAMP","'-infinity'::timestamp",null,"-infinity","8000000000000000",1114,-1],
  ["'2024-01-02 03:04:05'::TIMESTAMP_S","'2024-01-02 03:04:05'::timestamp",null,"2024-01-02 03:04:05","0002b0ec8515f340",1114,-1],
  ["'2024-01-02 03:04:05.123'::TIMESTAMP_MS","'2024-01-02 03:04:05.123'::timestamp",null,"2024-01-02 03:04:05.123","0002b0ec8517d3b8",1114,-1],
  ["'2024-01-02 03:04:05.123456789'::TIMESTAMP_NS","'2024-01-02 03:04:05.123456'::timestamp",null,"2024-01-02 03:04:05.123456","0002b0ec8517d580",1114,-1],
  ["'1960-01-02 03:04:05.123456789'::TIMESTAMP_NS","'1960-01-02 03:04:05.123457'::timestamp",null,"1960-01-02 03:04:05.123457","fffb8407a2a9d581",1114,-1],
  ["'infinity'::TIMESTAMP_MS","'infinity'::timestamp",null,"infinity","7fffffffffffffff",1114,-1],
  ["'2024-01-02 03:04:05.123456+00'::TIMESTAMPTZ","'2024-01-02 03:04:05.123456+00'::timestamptz","UTC","2024-01-02 03:04:05.123456+00","0002b0ec8517d580",1184,-1],
  ["'2024-01-02 03:04:05.12+00'::TIMESTAMPTZ","'2024-01-02 03:04:05.12+00'::timestamptz","UTC","2024-01-02 03:04:05.12+00","0002b0ec8517c800",1184,-1],
  ["'0044-03-15 (BC) 00:00:00+00'::TIMESTAMPTZ","'0044-03-15 00:00:00+00 BC'::timestamptz","UTC","0044-03-15 00:00:00+00 BC","ff1af9deec5b2000",1184,-1],
  ["'infinity'::TIMESTAMPTZ","'infinity'::timestamptz","UTC","infinity","7fffffffffffffff",1184,-1],
  ["'-infinity'::TIMESTAMPTZ","'-infinity'::timestamptz","UTC","-infinity","8000000000000000",1184,-1],
  ["'2024-01-02 03:04:05.123+00'::TIMESTAMPTZ","'2024-01-02 03:04:05.123+00'::timestamptz","Asia/Kolkata","2024-01-02 08:34:05.123+05:30","0002b0ec8517d3b8",1184,-1],
  ["'1900-01-01 00:00:00+00'::TIMESTAMPTZ","'1900-01-01 00:00:00+00'::timestamptz","Asia/Kolkata","1900-01-01 05:21:10+05:21:10","fff4c9ee7c0b8000",1184,-1],
  ["'2024-07-01 12:00:00+00'::TIMESTAMPTZ","'2024-07-01 12:00:00+00'::timestamptz","America/New_York","2024-07-01 08:00:00-04","0002bf2d1af33000",1184,-1],
  ["'2024-01-01 12:00:00+00'::TIMESTAMPTZ","'2024-01-01 12:00:00+00'::timestamptz","America/New_York","2024-01-01 07:00:00-05","0002b0dfe3d4f000",1184,-1],
  ["'1800-01-01 00:00:00+00'::TIMESTAMPTZ","'1800-01-01 00:00:00+00'::timestamptz","America/New_York","1799-12-31 19:03:58-04:56:02","ffe993dcf8170000",1184,-1],
  ["'1883-11-18 16:59:59+00'::TIMESTAMPTZ","'1883-11-18 16:59:59+00'::timestamptz","America/New_York","1883-11-18 12:03:57-04:56:02","fff2fb4e622a21c0",1184,-1],
  ["'1883-11-18 17:00:00+00'::TIMESTAMPTZ","'1883-11-18 17:00:00+00'::timestamptz","America/New_York","1883-11-18 12:00:00-05","fff2fb4e62396400",1184,-1],
  ["'0044-03-15 (BC) 00:00:00+00'::TIMESTAMPTZ","'0044-03-15 00:00:00+00 BC'::timestamptz","America/New_York","0044-03-14 19:03:58-04:56:02 BC","ff1af9deec5b2000",1184,-1],
  ["'2024-01-02 03:04:05+00'::TIMESTAMPTZ","'2024-01-02 03:04:05+00'::timestamptz","Australia/Lord_Howe","2024-01-02 14:04:05+11","0002b0ec8515f340",1184,-1],
  ["'2024-01-02 03:04:05+00'::TIMESTAMPTZ","'2024-01-02 03:04:05+00'::timestamptz","UTC+5","2024-01-01 22:04:05-05","0002b0ec8515f340",1184,-1],
  ["'2024-01-02 03:04:05+00'::TIMESTAMPTZ","'2024-01-02 03:04:05+00'::timestamptz","-3","2024-01-02 00:04:05-03","0002b0ec8515f340",1184,-1],
  ["INTERVAL '1 year 2 months 3 days 04:05:06.5'","'1 year 2 mons 3 days 04:05:06.5'::interval",null,"1 year 2 mons 3 days 04:05:06.5","000000036c9361a0000000030000000e",1186,-1],
  ["INTERVAL '-1 second'","'-1 second'::interval",null,"-00:00:01","fffffffffff0bdc00000000000000000",1186,-1],
  ["INTERVAL '0 second'","'0 second'::interval",null,"00:00:00","00000000000000000000000000000000",1186,-1],
  ["INTERVAL '1 month'","'1 mon'::interval",null,"1 mon","00000000000000000000000000000001",1186,-1],
  ["INTERVAL '1 day'","'1 day'::interval",null,"1 day","00000000000000000000000100000000",1186,-1],
  ["INTERVAL '1 year'","'1 year'::interval",null,"1 year","0000000000000000000000000000000c",1186,-1],
  ["INTERVAL '-1 year -2 months'","'-1 year -2 mons'::interval",null,"-1 years -2 mons","000000000000000000000000fffffff2",1186,-1],
  ["INTERVAL '-1 year' + INTERVAL '2 months'","'-1 year +2 mons'::interval",null,"-10 mons","000000000000000000000000fffffff6",1186,-1],
  ["INTERVAL '-1 year' + INTERVAL '-2 months' + INTERVAL '3 days' + INTERVAL '-04:05:06'","'-1 year -2 mons +3 days -04:05:06'::interval",null,"-1 years -2 mons +3 days -04:05:06","fffffffc93743f8000000003fffffff2",1186,-1],
  ["INTERVAL '-3 days' + INTERVAL '01:00:00'","'-3 days +01:00:00'::interval",null,"-3 days +01:00:00","00000000d693a400fffffffd00000000",1186,-1],
  ["INTERVAL '1 day' + INTERVAL '-00:00:01'","'1 day -00:00:01'::interval",null,"1 day -00:00:01","fffffffffff0bdc00000000100000000",1186,-1],
  ["INTERVAL '100 hours'","'100 hours'::interval",null,"100:00:00","00000053d1ac10000000000000000000",1186,-1],
  ["INTERVAL '0.000001 seconds'","'0.000001 seconds'::interval",null,"00:00:00.000001","00000000000000010000000000000000",1186,-1],
  ["to_months(2147483647)","'2147483647 mons'::interval",null,"178956970 years 7 mons","0000000000000000000000007fffffff",1186,-1],
  ["to_days(-2147483647)","'-2147483647 days'::interval",null,"-2147483647 days","00000000000000008000000100000000",1186,-1],
  ["INTERVAL '2562047788 hours'","'2562047788 hours'::interval",null,"2562047788:00:00","7ffffffffcbc30000000000000000000",1186,-1],
  ["'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::UUID","'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid",null,"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","a0eebc999c0b4ef8bb6d6bb9bd380a11",2950,-1],
  ["'00000000-0000-0000-0000-000000000000'::UUID","'00000000-0000-0000-0000-000000000000'::uuid",null,"00000000-0000-0000-0000-000000000000","00000000000000000000000000000000",2950,-1],
  ["'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID","'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid",null,"ffffffff-ffff-ffff-ffff-ffffffffffff","ffffffffffffffffffffffffffffffff",2950,-1],
  ["'7fffffff-ffff-ffff-8000-000000000000'::UUID","'7fffffff-ffff-ffff-8000-000000000000'::uuid",null,"7fffffff-ffff-ffff-8000-000000000000","7fffffffffffffff8000000000000000",2950,-1],
  ["[1, 2, NULL]::INTEGER[]","ARRAY[1, 2, NULL]::int4[]",null,"{1,2,NULL}","000000010000000100000017000000030000000100000004000000010000000400000002ffffffff",1007,-1],
  ["[]::INTEGER[]","ARRAY[]::int4[]",null,"{}","000000000000000000000017",1007,-1],
  ["[1, 2]::INTEGER[2]","ARRAY[1, 2]::int4[]",null,"{1,2}","000000010000000000000017000000020000000100000004000000010000000400000002",1007,-1],
  ["[1::SMALLINT]","ARRAY[1]::int2[]",null,"{1}","0000000100000000000000150000000100000001000000020001",1005,-1],
  ["[9223372036854775807]::BIGINT[]","ARRAY[9223372036854775807]::int8[]",null,"{9223372036854775807}","0000000100000000000000140000000100000001000000087fffffffffffffff",1016,-1],
  ["[true, false, NULL]","ARRAY[true, false, NULL]",null,"{t,f,NULL}","000000010000000100000010000000030000000100000001010000000100ffffffff",1000,-1],
  ["['a b', 'c\"d', NULL, 'NULL', 'null', '', 'x\\y', '{}', ' lead', 'plain', 'a,b', 'é']","ARRAY['a b', 'c\"d', NULL, 'NULL', 'null', '', 'x\\y', '{}', ' lead', 'plain', 'a,b', 'é']::varchar[]",null,"{\"a b\",\"c\\\"d\",NULL,\"NULL\",\"null\",\"\",\"x\\\\y\",\"{}\",\" lead\",plain,\"a,b\",é}","0000000100000001000004130000000c000000010000000361206200000003632264ffffffff000000044e554c4c000000046e756c6c0000000000000003785c79000000027b7d00000005206c65616400000005706c61696e00000003612c6200000002c3a9",1015,-1],
  ["[1.5, NULL, -0.25]::DECIMAL(4,2)[]","ARRAY[1.5, NULL, -0.25]::numeric(4,2)[]",null,"{1.50,NULL,-0.25}","0000000100000001000006a400000003000000010000000c000200000000000200011388ffffffff0000000a0001ffff4000000209c4",1231,262150],
  ["[1.5, 'nan', 1e20]::DOUBLE[]","ARRAY[1.5, 'nan', 1e20]::float8[]",null,"{1.5,NaN,1e+20}","0000000100000000000002bd0000000300000001000000083ff8000000000000000000087ff8000000000000000000084415af1d78b58c40",1022,-1],
  ["[0.1]::FLOAT[]","ARRAY[0.1]::float4[]",null,"{0.1}","0000000100000000000002bc0000000100000001000000043dcccccd",1021,-1],
  ["['2024-01-02 03:04:05'::TIMESTAMP, 'infinity'::TIMESTAMP]","ARRAY['2024-01-02 03:04:05'::timestamp, 'infinity']",null,"{\"2024-01-02 03:04:05\",infinity}","00000001000000000000045a0000000200000001000000080002b0ec8515f340000000087fffffffffffffff",1115,-1],
  ["['2024-01-02 03:04:05+00'::TIMESTAMPTZ]","ARRAY['2024-01-02 03:04:05+00'::timestamptz]","Asia/Kolkata","{\"2024-01-02 08:34:05+05:30\"}","0000000100000000000004a00000000100000001000000080002b0ec8515f340",1185,-1],
  ["['2024-01-02'::DATE, '0044-03-15 (BC)'::DATE]","ARRAY['2024-01-02'::date, '0044-03-15 BC'::date]",null,"{2024-01-02,\"0044-03-15 BC\"}","00000001000000000000043a0000000200000001000000040000223f00000004fff49d7b",1182,-1],
  ["['12:00:00'::TIME]","ARRAY['12:00:00'::time]",null,"{12:00:00}","00000001000000000000043b0000000100000001000000080000000a0eebb000",1183,-1],
  ["[INTERVAL '1 day 02:00:00', INTERVAL '-1 second']","ARRAY['1 day 02:00:00'::interval, '-1 second']",null,"{\"1 day 02:00:00\",-00:00:01}","0000000100000000000004a200000002000000010000001000000001ad274800000000010000000000000010fffffffffff0bdc00000000000000000",1187,-1],
  ["['\\x01\\x02'::BLOB]","ARRAY['\\x0102'::bytea]",null,"{\"\\\\x0102\"}","0000000100000000000000110000000100000001000000020102",1001,-1],
  ["['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID]","ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid]",null,"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}","000000010000000000000b86000000010000000100000010a0eebc999c0b4ef8bb6d6bb9bd380a11",2951,-1],
  ["['{\"a\":1}'::JSON, '[1, \"x y\"]'::JSON]","ARRAY['{\"a\":1}'::json, '[1, \"x y\"]'::json]",null,"{\"{\\\"a\\\":1}\",\"[1, \\\"x y\\\"]\"}","0000000100000000000000720000000200000001000000077b2261223a317d0000000a5b312c2022782079225d",199,-1],
  ["[18446744073709551615::UBIGINT]","ARRAY[18446744073709551615::numeric]",null,"{18446744073709551615}","0000000100000000000006a4000000010000000100000012000500040000000007341a5802e103bb064f",1231,-1],
  ["['x'::ENUM('x', 'y')]","ARRAY['x'::varchar]",null,"{x}","00000001000000000000041300000001000000010000000178",1015,-1],
  ["[[1, 2], [3]]","'[[1,2],[3]]'::json",null,"[[1,2],[3]]","5b5b312c325d2c5b335d5d",114,-1],
  ["{'a': 1, 'b': 'x', 'c': NULL}","'{\"a\":1,\"b\":\"x\",\"c\":null}'::json",null,"{\"a\":1,\"b\":\"x\",\"c\":null}","7b2261223a312c2262223a2278222c2263223a6e756c6c7d",114,-1],
  ["MAP {'k': 1, 'l': 2}","'{\"k\":1,\"l\":2}'::json",null,"{\"k\":1,\"l\":2}","7b226b223a312c226c223a327d",114,-1],
  ["MAP {1: 'one', 2: NULL}","'{\"1\":\"one\",\"2\":null}'::json",null,"{\"1\":\"one\",\"2\":null}","7b2231223a226f6e65222c2232223a6e756c6c7d",114,-1],
  ["union_value(k := 1)::UNION(k INTEGER, s VARCHAR)","'{\"k\":1}'::json",null,"{\"k\":1}","7b226b223a317d",114,-1],
  ["[{'a': 1}]","'[{\"a\":1}]'::json",null,"[{\"a\":1}]","5b7b2261223a317d5d",114,-1],
  ["{'t': '2024-01-02 03:04:05.5'::TIMESTAMP, 'z': '2024-01-02 03:04:05.5+00'::TIMESTAMPTZ, 'd': '0044-03-15 (BC)'::DATE, 'i': INTERVAL '1 year 2 days 00:00:01', 'n': 'nan'::DOUBLE, 'p': 'inf'::DOUBLE, 'f': 1e20::DOUBLE, 'e': 1e-7::DOUBLE, 'm': 1.50::DECIMAL(3,2), 'b': '\\x0A'::BLOB, 'u': 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID, 'h': 170141183460469231731687303715884105727::HUGEINT, 'j': '{\"x\": [1, 2]}'::JSON, 's': e'\"q\" \\\\ \n'}","(select row_to_json(r)::json from (select '2024-01-02 03:04:05.5'::timestamp t, '2024-01-02 03:04:05.5+00'::timestamptz z, '0044-03-15 BC'::date d, '1 year 2 days 00:00:01'::interval i, 'nan'::float8 n, 'inf'::float8 p, 1e20::float8 f, 1e-7::float8 e, 1.50::numeric(3,2) m, '\\x0a'::bytea b, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid u, 170141183460469231731687303715884105727::numeric h, '{\"x\": [1, 2]}'::json j, e'\"q\" \\\\ \n' s) r)",null,"{\"t\":\"2024-01-02T03:04:05.5\",\"z\":\"2024-01-02T03:04:05.5+00:00\",\"d\":\"0044-03-15 BC\",\"i\":\"1 year 2 days 00:00:01\",\"n\":\"NaN\",\"p\":\"Infinity\",\"f\":1e+20,\"e\":1e-07,\"m\":1.50,\"b\":\"\\\\x0a\",\"u\":\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\",\"h\":170141183460469231731687303715884105727,\"j\":{\"x\": [1, 2]},\"s\":\"\\\"q\\\" \\\\ \\n\"}","7b2274223a22323032342d30312d30325430333a30343a30352e35222c227a223a22323032342d30312d30325430333a30343a30352e352b30303a3030222c2264223a22303034342d30332d3135204243222c2269223a22312079656172203220646179732030303a30303a3031222c226e223a224e614e222c2270223a22496e66696e697479222c2266223a31652b32302c2265223a31652d30372c226d223a312e35302c2262223a225c5c783061222c2275223a2261306565626339392d396330622d346566382d626236642d366262396264333830613131222c2268223a3137303134313138333436303436393233313733313638373330333731353838343130353732372c226a223a7b2278223a205b312c20325d7d2c2273223a225c22715c22205c5c205c6e227d",114,-1],
  ["{'z': '2024-01-02 03:04:05+00'::TIMESTAMPTZ}","(select row_to_json(r)::json from (select '2024-01-02 03:04:05+00'::timestamptz z) r)","Asia/Kolkata","{\"z\":\"2024-01-02T08:34:05+05:30\"}","7b227a223a22323032342d30312d30325430383a33343a30352b30353a3330227d",114,-1],
];

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

test('every value is written as PostgreSQL 15 writes it, in text and in binary, and described with its oid and typmod', async () => {
  const failures: string[] = [];
  for (const [duck, , zone, text, hex, oid, typmod] of PG15_OUTPUT) {
    const { type, value } = await one(duck);
    assert.notEqual(value, null, duck);
    const options = { timeZone: zone ?? 'UTC' };
    const gotText = textEncoder(type, options)(value!);
    const gotHex = binaryEncoder(type, options)?.(value!).toString('hex');
    const pg = pgTypeOf(type);
    if (gotText !== text) failures.push(`${duck} [${zone}] text: ${JSON.stringify(gotText)} != ${JSON.stringify(text)}`);
    if (gotHex !== hex) failures.push(`${duck} [${zone}] binary: ${gotHex} != ${hex}`);
    if (pg.oid !== oid || pg.typeModifier !== typmod) failures.push(`${duck} type: ${pg.oid}/${pg.typeModifier} != ${oid}/${typmod}`);
  }
  assert.deepEqual(failures, []);
});

test('an encoder is made once per column and then writes each value of the column', async () => {
  const reader = await conn.runAndReadAll("SELECT i::INTEGER AS i, i * 0.5 AS d, 'row ' || i AS s, TIMESTAMP '2024-01-01' + to_seconds(i) AS t FROM range(3) r(i)");
  const encoders = [0, 1, 2, 3].map((c) => textEncoder(reader.columnType(c)));
  const rows = reader.getRows().map((r) => r.map((v, c) => encoders[c]!(v!)));
  assert.deepEqual(rows, [
    ['0', '0.0', 'row 0', '2024-01-01 00:00:00'],
    ['1', '0.5', 'row 1', '2024-01-01 00:00:01'],
    ['2', '1.0', 'row 2', '2024-01-01 00:00:02'],
  ]);
});

test('NULL elements of a list are NULL in text and length -1 in binary', async () => {
  const { type, value } = await one('[NULL, 7]::INTEGER[]');
  assert.equal(textEncoder(type)(value!), '{NULL,7}');
  assert.equal(binaryEncoder(type)!(value!).toString('hex'), '00000001' + '00000001' + '00000017' + '00000002' + '00000001' + 'ffffffff' + '00000004' + '00000007');
});

test('SQLNULL columns are text (PostgreSQL resolves an untyped NULL to text) and have a binary form', () => {
  assert.deepEqual(pgTypeOf(duckdb.SQLNULL), { oid: 25, typeSize: -1, typeModifier: -1, name: 'text' });
  assert.notEqual(binaryEncoder(duckdb.SQLNULL), undefined);
});

test('the session time zone moves timestamptz text, not its binary form', async () => {
  const { type, value } = await one("'2024-03-10 07:30:00+00'::TIMESTAMPTZ");
  assert.equal(textEncoder(type, { timeZone: 'America/New_York' })(value!), '2024-03-10 03:30:00-04');
  assert.equal(textEncoder(type, { timeZone: 'Asia/Kathmandu' })(value!), '2024-03-10 13:15:00+05:45');
  assert.equal(textEncoder(type, { timeZone: 'UTC' })(value!), '2024-03-10 07:30:00+00');
  const utc = binaryEncoder(type, { timeZone: 'UTC' })!(value!).toString('hex');
  assert.equal(binaryEncoder(type, { timeZone: 'Asia/Kathmandu' })!(value!).toString('hex'), utc);
});

test('an unknown time zone is refused with a message naming it', () => {
  assert.throws(
    () => textEncoder(duckdb.TIMESTAMPTZ, { timeZone: 'Mars/Olympus_Mons' }),
    (e: unknown) => e instanceof Error && /Mars\/Olympus_Mons/.test(e.message) && (e as { code?: string }).code === 'SETTING_INVALID_VALUE',
  );
});
