import type { DuckDBType } from '@duckdb/node-api';
import type {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  DuckDBListValue,
  DuckDBTimeNSValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeTZValue,
  DuckDBTimeValue,
  DuckDBUUIDValue,
} from '@duckdb/node-api';
import { DATE_NEG_INF, DATE_POS_INF, TS_NEG_INF, TS_POS_INF } from './datetime-text.js';
import { duckdb } from '../../engine/duckdb-api.js';
import { jsonEncoder } from './json-text.js';
import { numericBinary } from './numeric.js';
import { isJsonWritten, pgTypeOf } from './pg-type.js';
import { textEncoder, zoneOf, type FormatOptions } from './text-format.js';
import { micros, type Encoder } from './value-parts.js';

const { DuckDBTypeId } = duckdb;

/**
 * PostgreSQL's binary formats, those of each type's send function (PostgreSQL 15
 * protocol-message-formats and protocol-overview 55.1.3 Formats and Format Codes): big-endian
 * integers and IEEE floats, numeric in base-10000 digits, dates as days and timestamps as
 * microseconds since 2000-01-01 (UTC for timestamptz), intervals as (micros int64, days int32,
 * months int32), uuid as its 16 bytes, json as its text, arrays as array_send writes them.
 */

/** 2000-01-01 (PostgreSQL's epoch) less 1970-01-01 (DuckDB's), in days and in microseconds. */
const PG_EPOCH_DAYS = 10957;
const PG_EPOCH_MICROS = 946684800000000n;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

const utf8 = (v: unknown): Buffer => Buffer.from(v as string, 'utf8');

function int2(v: unknown): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeInt16BE(v as number, 0);
  return b;
}
function int4(v: unknown): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(v as number, 0);
  return b;
}
function int8FromNumber(v: unknown): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(0, 0); // UINTEGER: 0 to 2^32-1
  b.writeUInt32BE(v as number, 4);
  return b;
}
function int8(v: unknown): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(v as bigint, 0);
  return b;
}
function float4(v: unknown): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeFloatBE(v as number, 0);
  return b;
}
function float8(v: unknown): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleBE(v as number, 0);
  return b;
}
const TRUE = Buffer.from([1]);
const FALSE = Buffer.from([0]);

/** A timestamp in DuckDB microseconds to PostgreSQL's, ±infinity to PostgreSQL's DT_NOEND/DT_NOBEGIN. */
function timestampMicros(us: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(us === TS_POS_INF ? INT64_MAX : us === TS_NEG_INF ? INT64_MIN : us - PG_EPOCH_MICROS, 0);
  return b;
}

function timeMicros(us: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(us, 0);
  return b;
}

/**
 * The PostgreSQL binary form of a column's values, for the type pgTypeOf reports, or undefined
 * when that type has no binary form here (BIT, ENUM and the other types shown as text have one:
 * their text's bytes). Made once per column, like textEncoder.
 */
export function binaryEncoder(t: DuckDBType, options?: FormatOptions): Encoder<Buffer> | undefined {
  if (isJsonWritten(t)) {
    const json = jsonEncoder(t, zoneOf(options));
    return (v) => Buffer.from(json(v), 'utf8');
  }
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return (v) => (v ? TRUE : FALSE);
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
      return int2;
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.USMALLINT:
      return int4;
    case DuckDBTypeId.UINTEGER:
      return int8FromNumber;
    case DuckDBTypeId.BIGINT:
      return int8;
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return (v) => numericBinary(v as bigint, 0);
    case DuckDBTypeId.DECIMAL: {
      const scale = t.scale;
      return (v) => numericBinary((v as DuckDBDecimalValue).value, scale);
    }
    case DuckDBTypeId.FLOAT:
      return float4;
    case DuckDBTypeId.DOUBLE:
      return float8;
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.SQLNULL: // only NULLs, which never reach an encoder
      return utf8;
    case DuckDBTypeId.BIT: {
      const text = textEncoder(t, options);
      return (v) => Buffer.from(text(v), 'utf8');
    }
    case DuckDBTypeId.BLOB:
    case DuckDBTypeId.GEOMETRY:
      return (v) => {
        const b = (v as DuckDBBlobValue).bytes;
        return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      };
    case DuckDBTypeId.UUID:
      return (v) => {
        const b = Buffer.allocUnsafe(16);
        const u = (v as DuckDBUUIDValue).toUint128();
        b.writeBigUInt64BE(u >> 64n, 0);
        b.writeBigUInt64BE(u & 0xffffffffffffffffn, 8);
        return b;
      };
    case DuckDBTypeId.DATE:
      return (v) => {
        const days = (v as DuckDBDateValue).days;
        const b = Buffer.allocUnsafe(4);
        b.writeInt32BE(days === DATE_POS_INF ? 0x7fffffff : days === DATE_NEG_INF ? -0x80000000 : days - PG_EPOCH_DAYS, 0);
        return b;
      };
    case DuckDBTypeId.TIME:
      return (v) => timeMicros((v as DuckDBTimeValue).micros);
    case DuckDBTypeId.TIME_NS:
      return (v) => timeMicros((v as DuckDBTimeNSValue).nanos / 1000n);
    case DuckDBTypeId.TIME_TZ:
      // timetz_send: the time, then the zone in seconds WEST of Greenwich.
      return (v) => {
        const b = Buffer.allocUnsafe(12);
        b.writeBigInt64BE((v as DuckDBTimeTZValue).micros, 0);
        b.writeInt32BE(-(v as DuckDBTimeTZValue).offset, 8);
        return b;
      };
    case DuckDBTypeId.TIMESTAMP:
      return (v) => timestampMicros((v as DuckDBTimestampValue).micros);
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS: {
      const toMicros = micros(t.typeId);
      return (v) => timestampMicros(toMicros(v as DuckDBTimestampValue));
    }
    case DuckDBTypeId.TIMESTAMP_TZ:
      return (v) => timestampMicros((v as DuckDBTimestampTZValue).micros);
    case DuckDBTypeId.INTERVAL:
      return (v) => {
        const i = v as DuckDBIntervalValue;
        const b = Buffer.allocUnsafe(16);
        b.writeBigInt64BE(i.micros, 0);
        b.writeInt32BE(i.days, 8);
        b.writeInt32BE(i.months, 12);
        return b;
      };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return arrayEncoder(t.valueType, options);
    default:
      return undefined;
  }
}

/**
 * array_send of a one-dimensional list: ndim (0 when empty), a has-NULLs flag, the element oid,
 * then size and lower bound 1, then each element as its length (-1 for NULL) and bytes.
 */
function arrayEncoder(element: DuckDBType, options: FormatOptions | undefined): Encoder<Buffer> | undefined {
  const item = binaryEncoder(element, options);
  if (item === undefined) return undefined;
  const elementOid = pgTypeOf(element).oid;
  return (v) => {
    const items = (v as DuckDBListValue).items;
    if (items.length === 0) {
      const b = Buffer.alloc(12);
      b.writeInt32BE(elementOid, 8);
      return b;
    }
    const parts: Buffer[] = new Array<Buffer>(items.length * 2 + 1);
    let size = 20;
    let hasNull = 0;
    for (let i = 0; i < items.length; i++) {
      const x = items[i]!;
      const len = Buffer.allocUnsafe(4);
      if (x === null) {
        hasNull = 1;
        len.writeInt32BE(-1, 0);
        parts[1 + 2 * i] = len;
        parts[2 + 2 * i] = Buffer.alloc(0);
        size += 4;
        continue;
      }
      const data = item(x);
      len.writeInt32BE(data.length, 0);
      parts[1 + 2 * i] = len;
      parts[2 + 2 * i] = data;
      size += 4 + data.length;
    }
    const head = Buffer.allocUnsafe(20);
    head.writeInt32BE(1, 0);
    head.writeInt32BE(hasNull, 4);
    head.writeInt32BE(elementOid, 8);
    head.writeInt32BE(items.length, 12);
    head.writeInt32BE(1, 16);
    parts[0] = head;
    return Buffer.concat(parts, size);
  };
}
