/**
 * PostgreSQL types for DuckDB values (restsql serve): the type catalog, what a column is
 * described as, its values in text and binary format, and Bind parameters read into DuckDB values.
 */
export { PG_OID, PG_TYPES, pgTypeByName, pgTypeByOid, pgTypeDisplayName, type PgTypeCategory, type PgTypeInfo, type PgTypeName } from './oids.js';
export { duckdbTypeForOid, isJsonType, pgTypeOf, type PgColumnType } from './pg-type.js';
export { textEncoder, type FormatOptions } from './text-format.js';
export { binaryEncoder } from './binary-format.js';
export { jsonEncoder } from './json-text.js';
export { decodeParam, type BoundParam } from './params.js';
export { timeZone, type TimeZone } from './time-zone.js';
export type { Encoder, NonNullValue } from './value-parts.js';
