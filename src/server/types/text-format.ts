import type { DuckDBType } from '@duckdb/node-api';
import type {
  DuckDBBitValue,
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
import { arrayElementText } from './array-text.js';
import { dateText, timeOfDayText, timestampTzWriter, timestampWriter, timeTzText } from './datetime-text.js';
import { duckdb } from '../../engine/duckdb-api.js';
import { float4Text, float8Text } from './float-text.js';
import { intervalText } from './interval-text.js';
import { jsonEncoder } from './json-text.js';
import { decimalText } from './numeric.js';
import { isJsonWritten } from './pg-type.js';
import { timeZone, type TimeZone } from './time-zone.js';
import { micros, type Encoder } from './value-parts.js';

const { DuckDBTypeId } = duckdb;

export interface FormatOptions {
  /** The session TimeZone timestamptz values are shown in: a name (default 'UTC') or a resolved zone. */
  readonly timeZone?: string | TimeZone;
}

export function zoneOf(options: FormatOptions | undefined): TimeZone {
  const z = options?.timeZone ?? 'UTC';
  return typeof z === 'string' ? timeZone(z) : z;
}

const bool = (v: unknown): string => (v ? 't' : 'f');
const str = (v: unknown): string => String(v);
const same = (v: unknown): string => v as string;

/**
 * The PostgreSQL text output of a column's values, the type being the one pgTypeOf reports: made
 * once per column (a closure per type, no per-value type switch). The text is what PostgreSQL 15
 * prints with DateStyle 'ISO, MDY', IntervalStyle 'postgres', extra_float_digits 1 and
 * bytea_output 'hex' (PostgreSQL 15 datatype, chapter 8): `t`/`f`, `1.50`, `1e+20`, `\x0a0b`,
 * `2024-01-02 03:04:05.5`, `2024-01-02 03:04:05+05:30`, `1 year 2 mons`, `{1,2,NULL}`; STRUCT,
 * MAP, UNION, VARIANT and nested lists as JSON (see jsonEncoder). NULLs are the caller's: they
 * are sent as length -1 and never reach the encoder (NULL elements of a list do).
 */
export function textEncoder(t: DuckDBType, options?: FormatOptions): Encoder {
  if (isJsonWritten(t)) return jsonEncoder(t, zoneOf(options));
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return bool;
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return str;
    case DuckDBTypeId.FLOAT:
      return float4Text as Encoder;
    case DuckDBTypeId.DOUBLE:
      return float8Text as Encoder;
    case DuckDBTypeId.DECIMAL: {
      const scale = t.scale;
      return (v) => decimalText((v as DuckDBDecimalValue).value, scale);
    }
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
      return same;
    case DuckDBTypeId.BIT:
      return (v) => (v as DuckDBBitValue).toString();
    case DuckDBTypeId.BLOB:
    case DuckDBTypeId.GEOMETRY:
      return (v) => {
        const b = (v as DuckDBBlobValue).bytes;
        return `\\x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`;
      };
    case DuckDBTypeId.UUID:
      return (v) => (v as DuckDBUUIDValue).toString();
    case DuckDBTypeId.DATE:
      return (v) => dateText((v as DuckDBDateValue).days);
    case DuckDBTypeId.TIME:
      return (v) => timeOfDayText(Number((v as DuckDBTimeValue).micros));
    case DuckDBTypeId.TIME_NS:
      return (v) => timeOfDayText(Number((v as DuckDBTimeNSValue).nanos / 1000n));
    case DuckDBTypeId.TIME_TZ:
      return (v) => timeTzText(Number((v as DuckDBTimeTZValue).micros), (v as DuckDBTimeTZValue).offset);
    case DuckDBTypeId.TIMESTAMP: {
      const write = timestampWriter(' ');
      return (v) => write((v as DuckDBTimestampValue).micros);
    }
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS: {
      const write = timestampWriter(' ');
      const toMicros = micros(t.typeId);
      return (v) => write(toMicros(v as DuckDBTimestampValue));
    }
    case DuckDBTypeId.TIMESTAMP_TZ: {
      const write = timestampTzWriter(zoneOf(options), false);
      return (v) => write((v as DuckDBTimestampTZValue).micros);
    }
    case DuckDBTypeId.INTERVAL:
      return (v) => {
        const i = v as DuckDBIntervalValue;
        return intervalText(i.months, i.days, i.micros);
      };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const item = textEncoder(t.valueType, options);
      return (v) => {
        const items = (v as DuckDBListValue).items;
        let out = '{';
        for (let i = 0; i < items.length; i++) {
          const x = items[i]!;
          out += (i === 0 ? '' : ',') + (x === null ? 'NULL' : arrayElementText(item(x)));
        }
        return `${out}}`;
      };
    }
    case DuckDBTypeId.SQLNULL:
    default:
      // Nothing else reaches here with a value (SQLNULL columns hold only NULLs); say what it is.
      return (v) => String(v);
  }
}
