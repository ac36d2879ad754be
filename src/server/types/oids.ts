/**
 * The slice of PostgreSQL's type catalog (pg_type) restsql serve speaks: the oids it writes in
 * RowDescription and ParameterDescription and the oids clients declare for parameters in Parse.
 * One row per type, copied from `pg_type` of PostgreSQL 15 (typname, oid, typarray, typelem,
 * typlen, typbyval, typcategory, typalign), so a client that looks a type up by oid finds what a
 * real server would tell it. PostgreSQL 15 catalog-pg-type.
 */

/** typcategory letters (PostgreSQL 15 catalog-pg-type, typcategory codes). */
export type PgTypeCategory = 'A' | 'B' | 'D' | 'N' | 'S' | 'T' | 'U' | 'X' | 'Z';

export interface PgTypeInfo {
  /** typname: `int4`, `_int4` for the array of int4. */
  readonly name: string;
  readonly oid: number;
  /** typarray: the oid of the array of this type, 0 when there is none (arrays, unknown). */
  readonly arrayOid: number;
  /** typelem: for an array, the element type (name's 18 is PostgreSQL's own quirk, kept). */
  readonly elemOid: number;
  /** typlen: the byte size of a fixed-size type, -1 for varlena, -2 for C strings. */
  readonly typlen: number;
  /** typbyval. */
  readonly byValue: boolean;
  /** typcategory. */
  readonly category: PgTypeCategory;
  /** typalign: c (char), s (2 bytes), i (4), d (8). */
  readonly align: 'c' | 's' | 'i' | 'd';
}

/** The type oids by name, for code that names one type (`PG_OID.int4`). */
export const PG_OID = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  _json: 199,
  float4: 700,
  float8: 701,
  unknown: 705,
  _bool: 1000,
  _bytea: 1001,
  _char: 1002,
  _name: 1003,
  _int2: 1005,
  _int4: 1007,
  _text: 1009,
  _bpchar: 1014,
  _varchar: 1015,
  _int8: 1016,
  _float4: 1021,
  _float8: 1022,
  _oid: 1028,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  _timestamp: 1115,
  _date: 1182,
  _time: 1183,
  timestamptz: 1184,
  _timestamptz: 1185,
  interval: 1186,
  _interval: 1187,
  _numeric: 1231,
  timetz: 1266,
  _timetz: 1270,
  numeric: 1700,
  uuid: 2950,
  _uuid: 2951,
  jsonb: 3802,
  _jsonb: 3807,
} as const;

export type PgTypeName = keyof typeof PG_OID;

type Row = readonly [name: PgTypeName, oid: number, arrayOid: number, elemOid: number, typlen: number, byValue: boolean, category: PgTypeCategory, align: PgTypeInfo['align']];

/**
 * Produced by PostgreSQL 15.18 with
 * `select typname, oid, typarray, typelem, typlen, typbyval, typcategory, typalign from pg_type where oid in (...)`.
 */
const ROWS: readonly Row[] = [
  ['bool', 16, 1000, 0, 1, true, 'B', 'c'],
  ['bytea', 17, 1001, 0, -1, false, 'U', 'i'],
  ['char', 18, 1002, 0, 1, true, 'Z', 'c'],
  ['name', 19, 1003, 18, 64, false, 'S', 'c'],
  ['int8', 20, 1016, 0, 8, true, 'N', 'd'],
  ['int2', 21, 1005, 0, 2, true, 'N', 's'],
  ['int4', 23, 1007, 0, 4, true, 'N', 'i'],
  ['text', 25, 1009, 0, -1, false, 'S', 'i'],
  ['oid', 26, 1028, 0, 4, true, 'N', 'i'],
  ['json', 114, 199, 0, -1, false, 'U', 'i'],
  ['_json', 199, 0, 114, -1, false, 'A', 'i'],
  ['float4', 700, 1021, 0, 4, true, 'N', 'i'],
  ['float8', 701, 1022, 0, 8, true, 'N', 'd'],
  ['unknown', 705, 0, 0, -2, false, 'X', 'c'],
  ['_bool', 1000, 0, 16, -1, false, 'A', 'i'],
  ['_bytea', 1001, 0, 17, -1, false, 'A', 'i'],
  ['_char', 1002, 0, 18, -1, false, 'A', 'i'],
  ['_name', 1003, 0, 19, -1, false, 'A', 'i'],
  ['_int2', 1005, 0, 21, -1, false, 'A', 'i'],
  ['_int4', 1007, 0, 23, -1, false, 'A', 'i'],
  ['_text', 1009, 0, 25, -1, false, 'A', 'i'],
  ['_bpchar', 1014, 0, 1042, -1, false, 'A', 'i'],
  ['_varchar', 1015, 0, 1043, -1, false, 'A', 'i'],
  ['_int8', 1016, 0, 20, -1, false, 'A', 'd'],
  ['_float4', 1021, 0, 700, -1, false, 'A', 'i'],
  ['_float8', 1022, 0, 701, -1, false, 'A', 'd'],
  ['_oid', 1028, 0, 26, -1, false, 'A', 'i'],
  ['bpchar', 1042, 1014, 0, -1, false, 'S', 'i'],
  ['varchar', 1043, 1015, 0, -1, false, 'S', 'i'],
  ['date', 1082, 1182, 0, 4, true, 'D', 'i'],
  ['time', 1083, 1183, 0, 8, true, 'D', 'd'],
  ['timestamp', 1114, 1115, 0, 8, true, 'D', 'd'],
  ['_timestamp', 1115, 0, 1114, -1, false, 'A', 'd'],
  ['_date', 1182, 0, 1082, -1, false, 'A', 'i'],
  ['_time', 1183, 0, 1083, -1, false, 'A', 'd'],
  ['timestamptz', 1184, 1185, 0, 8, true, 'D', 'd'],
  ['_timestamptz', 1185, 0, 1184, -1, false, 'A', 'd'],
  ['interval', 1186, 1187, 0, 16, false, 'T', 'd'],
  ['_interval', 1187, 0, 1186, -1, false, 'A', 'd'],
  ['_numeric', 1231, 0, 1700, -1, false, 'A', 'i'],
  ['timetz', 1266, 1270, 0, 12, false, 'D', 'd'],
  ['_timetz', 1270, 0, 1266, -1, false, 'A', 'd'],
  ['numeric', 1700, 1231, 0, -1, false, 'N', 'i'],
  ['uuid', 2950, 2951, 0, 16, false, 'U', 'c'],
  ['_uuid', 2951, 0, 2950, -1, false, 'A', 'i'],
  ['jsonb', 3802, 3807, 0, -1, false, 'U', 'i'],
  ['_jsonb', 3807, 0, 3802, -1, false, 'A', 'i'],
];

/** Every type restsql serve knows, in oid order. */
export const PG_TYPES: readonly PgTypeInfo[] = Object.freeze(
  ROWS.map(([name, oid, arrayOid, elemOid, typlen, byValue, category, align]) => Object.freeze({ name, oid, arrayOid, elemOid, typlen, byValue, category, align })),
);

const BY_OID: ReadonlyMap<number, PgTypeInfo> = new Map(PG_TYPES.map((t) => [t.oid, t]));
const BY_NAME: ReadonlyMap<string, PgTypeInfo> = new Map(PG_TYPES.map((t) => [t.name, t]));

/** The catalog row of an oid, or undefined for an oid restsql serve does not know. */
export function pgTypeByOid(oid: number): PgTypeInfo | undefined {
  return BY_OID.get(oid);
}

/** The catalog row of a typname (`int4`, `_text`), or undefined. */
export function pgTypeByName(name: string): PgTypeInfo | undefined {
  return BY_NAME.get(name);
}

/** The names PostgreSQL's input functions use in their errors (`invalid input syntax for type integer`). */
const DISPLAY: Readonly<Partial<Record<PgTypeName, string>>> = {
  bool: 'boolean',
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  varchar: 'character varying',
  bpchar: 'character',
  char: '"char"',
  timetz: 'time with time zone',
  timestamptz: 'timestamp with time zone',
};

/**
 * The name PostgreSQL's own input errors use for a type (`integer`, `timestamp`,
 * `timestamp with time zone`, `integer[]`), or `type <oid>` for an oid outside the catalog.
 */
export function pgTypeDisplayName(oid: number): string {
  const t = BY_OID.get(oid);
  if (t === undefined) return oid === 0 ? 'unspecified' : `type ${oid}`;
  if (t.category === 'A') return `${pgTypeDisplayName(t.elemOid)}[]`;
  return DISPLAY[t.name as PgTypeName] ?? t.name;
}
