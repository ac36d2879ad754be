import type { DuckDBResultReader } from '@duckdb/node-api';
import { parseJson } from '../util/json.js';

export interface ResultColumn {
  readonly name: string;
  /** DuckDB's type name (JSON for JSON columns). */
  readonly type: string;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A parsed JSON value with its integers past 2^53 as strings (no digit lost). */
function exactJson(v: unknown): JsonValue {
  if (typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map(exactJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, exactJson(x)]));
  return v as JsonValue;
}

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT', 'BIGNUM']);

/** Digits that carry precision in a decimal text; more than 15 do not survive a double. */
function significantDigits(text: string): number {
  return text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
}

/** A JSON-ready value for one cell (`--format json`: integers past 2^53 as strings, dates ISO-8601). */
function cell(value: unknown, type: string): JsonValue {
  if (value === null || value === undefined) return null;
  if (type === 'JSON' && typeof value === 'string') {
    try {
      return exactJson(parseJson(value));
    } catch {
      return value;
    }
  }
  if (INTEGER_TYPES.has(type) && typeof value === 'string') {
    // Integers beyond 2^53 stay strings so no digit is lost.
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  if (type.startsWith('DECIMAL') && typeof value === 'string') {
    const n = Number(value);
    return Number.isFinite(n) && significantDigits(value) <= 15 ? n : value;
  }
  if (type === 'TIMESTAMP' || type.startsWith('TIMESTAMP_')) return typeof value === 'string' ? value.replace(' ', 'T') : (value as JsonValue);
  if (type === 'TIMESTAMP WITH TIME ZONE' && typeof value === 'string') {
    return value.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
  }
  return value as JsonValue;
}

export function resultColumns(reader: Pick<DuckDBResultReader, 'deduplicatedColumnNames' | 'columnType'>): ResultColumn[] {
  const names = reader.deduplicatedColumnNames();
  return names.map((name, i) => {
    const t = reader.columnType(i);
    return { name, type: t.alias === 'JSON' ? 'JSON' : t.toString() };
  });
}

/** Rows (as DuckDB's JSON converter gives them) as plain objects keyed by (deduplicated) column name. */
export function rowObjects(raw: readonly (readonly unknown[])[], columns: readonly ResultColumn[]): Record<string, JsonValue>[] {
  return raw.map((r) => {
    const o: Record<string, JsonValue> = {};
    columns.forEach((c, i) => {
      o[c.name] = cell(r[i], c.type);
    });
    return o;
  });
}
