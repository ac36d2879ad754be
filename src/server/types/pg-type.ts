import type { DuckDBType } from '@duckdb/node-api';
import { duckdb } from '../../engine/duckdb-api.js';
import { PG_OID, pgTypeByOid, type PgTypeName } from './oids.js';

const { DuckDBTypeId } = duckdb;

/** What RowDescription says of a column (PostgreSQL 15 protocol-message-formats, RowDescription). */
export interface PgColumnType {
  /** The data type's oid. */
  readonly oid: number;
  /** pg_type.typlen: the size of a fixed-size type, -1 for a variable one. */
  readonly typeSize: number;
  /** pg_attribute.atttypmod: `((precision << 16) | scale) + 4` for numeric(p,s), else -1. */
  readonly typeModifier: number;
  /** pg_type.typname (`int4`, `_int4`, `varchar`). */
  readonly name: string;
}

function column(name: PgTypeName, typeModifier = -1): PgColumnType {
  const info = pgTypeByOid(PG_OID[name])!;
  return Object.freeze({ oid: info.oid, typeSize: info.typlen, typeModifier, name: info.name });
}

const BOOL = column('bool');
const INT2 = column('int2');
const INT4 = column('int4');
const INT8 = column('int8');
const NUMERIC = column('numeric');
const FLOAT4 = column('float4');
const FLOAT8 = column('float8');
const TEXT = column('text');
/**
 * VARCHAR is `varchar` with no length (typmod -1), not `text`, although PostgreSQL clients treat
 * the two alike: psqlODBC reports `text` as SQL_LONGVARCHAR (a memo column) under its default
 * TextAsLongVarchar=1, and Excel, Access and other ODBC tools then treat every string column as a
 * long text they will not sort, filter or join on; `varchar` is SQL_VARCHAR to them. pgjdbc,
 * psycopg, node-postgres and postgres.js read both as strings.
 */
const VARCHAR = column('varchar');
const JSON_ = column('json');
const BYTEA = column('bytea');
const DATE = column('date');
const TIME = column('time');
const TIMETZ = column('timetz');
const TIMESTAMP = column('timestamp');
const TIMESTAMPTZ = column('timestamptz');
const INTERVAL = column('interval');
const UUID = column('uuid');

/** DuckDB's JSON logical type is a VARCHAR with the alias JSON. */
export function isJsonType(t: DuckDBType): boolean {
  return t.typeId === DuckDBTypeId.VARCHAR && t.alias === 'JSON';
}

/**
 * True for the types written as JSON text (PostgreSQL has no struct, map, union or ragged nested
 * list a client could read): STRUCT, MAP, UNION, VARIANT, and LIST/ARRAY of any of those or of
 * another list.
 */
export function isJsonWritten(t: DuckDBType): boolean {
  switch (t.typeId) {
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
      return true;
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return isNested(t.valueType);
    default:
      return false;
  }
}

function isNested(t: DuckDBType): boolean {
  switch (t.typeId) {
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
      return true;
    default:
      return false;
  }
}

/** The PostgreSQL type of a DuckDB scalar type (not LIST/ARRAY). */
function scalarPgType(t: DuckDBType): PgColumnType {
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return BOOL;
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
      return INT2;
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.USMALLINT:
      return INT4;
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
      return INT8;
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return NUMERIC;
    case DuckDBTypeId.DECIMAL:
      return column('numeric', ((t.width << 16) | t.scale) + 4);
    case DuckDBTypeId.FLOAT:
      return FLOAT4;
    case DuckDBTypeId.DOUBLE:
      return FLOAT8;
    case DuckDBTypeId.VARCHAR:
      return t.alias === 'JSON' ? JSON_ : VARCHAR;
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.BIT:
      return VARCHAR;
    case DuckDBTypeId.BLOB:
    case DuckDBTypeId.GEOMETRY:
      return BYTEA;
    case DuckDBTypeId.DATE:
      return DATE;
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_NS:
      return TIME;
    case DuckDBTypeId.TIME_TZ:
      return TIMETZ;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return TIMESTAMP;
    case DuckDBTypeId.TIMESTAMP_TZ:
      return TIMESTAMPTZ;
    case DuckDBTypeId.INTERVAL:
      return INTERVAL;
    case DuckDBTypeId.UUID:
      return UUID;
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return JSON_;
    // `SELECT NULL`: PostgreSQL too resolves an untyped NULL in a select list to text.
    case DuckDBTypeId.SQLNULL:
    default:
      return TEXT;
  }
}

/**
 * The PostgreSQL type restsql serve reports for a DuckDB column type. LIST and ARRAY of a scalar
 * are PostgreSQL arrays (`_int4`), carrying the element's typmod as PostgreSQL does for an array
 * column; nested lists, STRUCT, MAP, UNION and VARIANT are `json`.
 */
export function pgTypeOf(t: DuckDBType): PgColumnType {
  if (t.typeId !== DuckDBTypeId.LIST && t.typeId !== DuckDBTypeId.ARRAY) return scalarPgType(t);
  if (isNested(t.valueType)) return JSON_;
  const element = scalarPgType(t.valueType);
  const array = pgTypeByOid(pgTypeByOid(element.oid)!.arrayOid)!;
  return Object.freeze({ oid: array.oid, typeSize: array.typlen, typeModifier: element.typeModifier, name: array.name });
}

/**
 * The DuckDB type a parameter declared (in Parse) with a PostgreSQL type binds as: the type of the
 * value decodeParam makes for that oid, so a caller can name it before any value arrives. Unknown
 * and unspecified (0, 705) parameters and types restsql does not know bind as VARCHAR, which
 * DuckDB casts to whatever the statement needs, as PostgreSQL resolves an unknown literal.
 *
 * numeric is VARCHAR too: no one DuckDB type holds every numeric (DECIMAL is at most 38 digits at
 * a fixed scale, DOUBLE keeps 15 to 17 digits), while a VARCHAR keeps every digit and DuckDB casts
 * it to the DECIMAL, INTEGER or DOUBLE its context wants. (decodeParam itself binds a numeric that
 * fits 38 digits as its exact DECIMAL(p,s), so `SELECT $1 + 1` works too; this names the type for
 * every value.) Do not write it into the SQL as a cast: `CAST($1 AS VARCHAR)` compared with a
 * DECIMAL column is an error in DuckDB.
 */
export function duckdbTypeForOid(oid: number): string {
  const info = pgTypeByOid(oid);
  if (info === undefined) return 'VARCHAR';
  if (info.category === 'A') return `${duckdbTypeForOid(info.elemOid)}[]`;
  return DUCKDB_NAME[info.name as PgTypeName] ?? 'VARCHAR';
}

const DUCKDB_NAME: Readonly<Partial<Record<PgTypeName, string>>> = {
  bool: 'BOOLEAN',
  bytea: 'BLOB',
  int2: 'SMALLINT',
  int4: 'INTEGER',
  int8: 'BIGINT',
  oid: 'UINTEGER',
  float4: 'FLOAT',
  float8: 'DOUBLE',
  json: 'JSON',
  jsonb: 'JSON',
  date: 'DATE',
  time: 'TIME',
  timetz: 'TIMETZ',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ',
  interval: 'INTERVAL',
  uuid: 'UUID',
};
