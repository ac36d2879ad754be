import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import type {
  DuckDBBitValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimeNSValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeTZValue,
  DuckDBTimeValue,
  DuckDBUnionValue,
  DuckDBUUIDValue,
  DuckDBVariantValue,
} from '@duckdb/node-api';
import { dateText, timeOfDayText, timestampTzWriter, timestampWriter, timeTzText } from './datetime-text.js';
import { duckdb } from '../../engine/duckdb-api.js';
import { float4Text, float8Text } from './float-text.js';
import { intervalText } from './interval-text.js';
import { decimalText } from './numeric.js';
import type { TimeZone } from './time-zone.js';
import { micros, type Encoder } from './value-parts.js';

const { DuckDBTypeId } = duckdb;

/**
 * DuckDB values as JSON text, for the columns PostgreSQL has no type for (STRUCT, MAP, UNION,
 * VARIANT, lists of lists), sent as `json`. Scalars inside follow PostgreSQL's to_json
 * (PostgreSQL 15 functions-json, to_json): numbers as JSON numbers with every digit (bigints and
 * decimals too, `1.50`), NaN and infinities as the strings "NaN", "Infinity", "-Infinity",
 * timestamps in XSD form (`"2024-01-02T03:04:05.5"`, with `+00:00` for timestamptz in the session
 * zone), dates, times and intervals as their text, bytea as `"\\x0a0b"`, JSON columns embedded
 * as JSON. The nested shapes:
 * - STRUCT: an object, keys in the struct's order: `{"a":1,"b":"x"}`.
 * - MAP: an object whose keys are the keys as to_json writes them, unquoted (`{"1":2}`,
 *   `{"2024-01-02":3}`), the encoding DuckDB's own to_json uses (a MAP's keys are unique, so no
 *   key is lost).
 * - UNION: `{"tag":value}`, again as DuckDB's to_json writes it.
 * - LIST and ARRAY: a JSON array.
 * - VARIANT: its value, encoded by the type it carries.
 * Compact: no spaces, as row_to_json writes.
 */
export function jsonEncoder(t: DuckDBType, zone: TimeZone): Encoder {
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return (v) => ((v as boolean) ? 'true' : 'false');
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
      return (v) => String(v as number | bigint);
    case DuckDBTypeId.FLOAT:
      return (v) => jsonFloat(v as number, float4Text);
    case DuckDBTypeId.DOUBLE:
      return (v) => jsonFloat(v as number, float8Text);
    case DuckDBTypeId.DECIMAL:
      return (v) => decimalText((v as DuckDBDecimalValue).value, (v as DuckDBDecimalValue).scale);
    case DuckDBTypeId.VARCHAR:
      return t.alias === 'JSON' ? (v) => v as string : (v) => JSON.stringify(v as string);
    case DuckDBTypeId.ENUM:
      return (v) => JSON.stringify(v as string);
    case DuckDBTypeId.BLOB:
    case DuckDBTypeId.GEOMETRY:
      return (v) => JSON.stringify(`\\x${Buffer.from((v as DuckDBBlobValue).bytes).toString('hex')}`);
    case DuckDBTypeId.BIT:
      return (v) => JSON.stringify((v as DuckDBBitValue).toString());
    case DuckDBTypeId.UUID:
      return (v) => `"${(v as DuckDBUUIDValue).toString()}"`;
    case DuckDBTypeId.DATE:
      return (v) => `"${dateText((v as DuckDBDateValue).days)}"`;
    case DuckDBTypeId.TIME:
      return (v) => `"${timeOfDayText(Number((v as DuckDBTimeValue).micros))}"`;
    case DuckDBTypeId.TIME_NS:
      return (v) => `"${timeOfDayText(Number((v as DuckDBTimeNSValue).nanos / 1000n))}"`;
    case DuckDBTypeId.TIME_TZ:
      return (v) => `"${timeTzText(Number((v as DuckDBTimeTZValue).micros), (v as DuckDBTimeTZValue).offset)}"`;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS: {
      const write = timestampWriter('T');
      const toMicros = micros(t.typeId);
      return (v) => `"${write(toMicros(v as DuckDBTimestampValue | DuckDBTimestampSecondsValue | DuckDBTimestampMillisecondsValue | DuckDBTimestampNanosecondsValue))}"`;
    }
    case DuckDBTypeId.TIMESTAMP_TZ: {
      const write = timestampTzWriter(zone, true);
      return (v) => `"${write((v as DuckDBTimestampTZValue).micros)}"`;
    }
    case DuckDBTypeId.INTERVAL:
      return (v) => `"${intervalText((v as DuckDBIntervalValue).months, (v as DuckDBIntervalValue).days, (v as DuckDBIntervalValue).micros)}"`;
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const item = jsonEncoder(t.valueType, zone);
      return (v) => {
        const items = (v as DuckDBListValue).items;
        let out = '[';
        for (let i = 0; i < items.length; i++) {
          const x = items[i]!;
          out += (i === 0 ? '' : ',') + (x === null ? 'null' : item(x));
        }
        return `${out}]`;
      };
    }
    case DuckDBTypeId.STRUCT: {
      const names = t.entryNames;
      const keys = names.map((n) => `${JSON.stringify(n)}:`);
      const encoders = t.entryTypes.map((e) => jsonEncoder(e, zone));
      return (v) => {
        const entries = (v as DuckDBStructValue).entries;
        let out = '{';
        for (let i = 0; i < names.length; i++) {
          const x = entries[names[i]!] ?? null;
          out += (i === 0 ? '' : ',') + keys[i]! + (x === null ? 'null' : encoders[i]!(x));
        }
        return `${out}}`;
      };
    }
    case DuckDBTypeId.MAP: {
      const keyText = mapKeyText(t.keyType, zone);
      const value = jsonEncoder(t.valueType, zone);
      return (v) => {
        const entries = (v as DuckDBMapValue).entries;
        let out = '{';
        for (let i = 0; i < entries.length; i++) {
          const { key, value: x } = entries[i]!;
          out += `${i === 0 ? '' : ','}${JSON.stringify(key === null ? 'null' : keyText(key))}:${x === null ? 'null' : value(x)}`;
        }
        return `${out}}`;
      };
    }
    case DuckDBTypeId.UNION: {
      const members = new Map(t.memberTags.map((tag, i) => [tag, jsonEncoder(t.memberTypes[i]!, zone)]));
      return (v) => {
        const u = v as DuckDBUnionValue;
        const enc = members.get(u.tag);
        return `{${JSON.stringify(u.tag)}:${u.value === null ? 'null' : enc === undefined ? jsonOfUntyped(u.value, zone) : enc(u.value)}}`;
      };
    }
    case DuckDBTypeId.VARIANT:
      return (v) => {
        const inner = v as DuckDBVariantValue;
        if (inner.value === null) return 'null';
        return inner.type === undefined ? jsonOfUntyped(inner.value, zone) : jsonEncoder(inner.type, zone)(inner.value);
      };
    case DuckDBTypeId.SQLNULL:
    default:
      return (v) => jsonOfUntyped(v, zone);
  }
}

function jsonFloat(x: number, text: (x: number) => string): string {
  return x === x && x !== Infinity && x !== -Infinity ? text(x) : `"${text(x)}"`;
}

/** A map key as an object key: its JSON, without the quotes when that is a string. */
function mapKeyText(t: DuckDBType, zone: TimeZone): (v: NonNullable<DuckDBValue>) => string {
  const json = jsonEncoder(t, zone);
  return (v) => {
    const s = json(v);
    return s.startsWith('"') ? (JSON.parse(s) as string) : s;
  };
}

/** A value whose type is not known (VARIANT without a type): encoded by what it is at run time. */
function jsonOfUntyped(v: DuckDBValue, zone: TimeZone): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return jsonFloat(v, float8Text);
    case 'bigint':
      return String(v);
    case 'string':
      return JSON.stringify(v);
  }
  const C = duckdb;
  if (v instanceof C.DuckDBListValue || v instanceof C.DuckDBArrayValue) return `[${v.items.map((x) => jsonOfUntyped(x, zone)).join(',')}]`;
  if (v instanceof C.DuckDBStructValue) return `{${Object.entries(v.entries).map(([k, x]) => `${JSON.stringify(k)}:${jsonOfUntyped(x, zone)}`).join(',')}}`;
  if (v instanceof C.DuckDBMapValue) return `{${v.entries.map((e) => `${JSON.stringify(e.key === null ? 'null' : untypedKey(e.key, zone))}:${jsonOfUntyped(e.value, zone)}`).join(',')}}`;
  if (v instanceof C.DuckDBUnionValue) return `{${JSON.stringify(v.tag)}:${jsonOfUntyped(v.value, zone)}}`;
  if (v instanceof C.DuckDBVariantValue) return v.type === undefined ? jsonOfUntyped(v.value, zone) : v.value === null ? 'null' : jsonEncoder(v.type, zone)(v.value);
  if (v instanceof C.DuckDBDecimalValue) return decimalText(v.value, v.scale);
  const typed = untypedScalarType(v);
  return typed === undefined ? JSON.stringify(String(v)) : jsonEncoder(typed, zone)(v);
}

function untypedKey(v: NonNullable<DuckDBValue>, zone: TimeZone): string {
  const s = jsonOfUntyped(v, zone);
  return s.startsWith('"') ? (JSON.parse(s) as string) : s;
}

/** The DuckDB type of a scalar value object, for the few whose class says it. */
function untypedScalarType(v: NonNullable<DuckDBValue>): DuckDBType | undefined {
  const C = duckdb;
  if (v instanceof C.DuckDBTimestampValue) return C.TIMESTAMP;
  if (v instanceof C.DuckDBTimestampTZValue) return C.TIMESTAMPTZ;
  if (v instanceof C.DuckDBTimestampSecondsValue) return C.TIMESTAMP_S;
  if (v instanceof C.DuckDBTimestampMillisecondsValue) return C.TIMESTAMP_MS;
  if (v instanceof C.DuckDBTimestampNanosecondsValue) return C.TIMESTAMP_NS;
  if (v instanceof C.DuckDBDateValue) return C.DATE;
  if (v instanceof C.DuckDBTimeValue) return C.TIME;
  if (v instanceof C.DuckDBTimeTZValue) return C.TIMETZ;
  if (v instanceof C.DuckDBTimeNSValue) return C.TIME_NS;
  if (v instanceof C.DuckDBIntervalValue) return C.INTERVAL;
  if (v instanceof C.DuckDBUUIDValue) return C.UUID;
  if (v instanceof C.DuckDBBlobValue) return C.BLOB;
  if (v instanceof C.DuckDBBitValue) return C.BIT;
  return undefined;
}
