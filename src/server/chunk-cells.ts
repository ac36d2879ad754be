/**
 * Reading a result chunk's cells for DataRow and COPY: each column's values through its
 * PostgreSQL encoder, except VARCHAR columns, whose UTF-8 bytes are taken straight from DuckDB's
 * vector. A VARCHAR's PostgreSQL text and binary forms are its UTF-8 bytes, so decoding them to a
 * JS string and encoding them back (the most of the work for a text-heavy result) is skipped.
 */
import type { DuckDBDataChunk, DuckDBType, DuckDBValue, DuckDBVector } from '@duckdb/node-api';
import { duckdb } from '../engine/duckdb-api.js';

const { DuckDBTypeId } = duckdb;

/** One cell: encoded text or bytes, or null for NULL. */
export type Cell = Buffer | Uint8Array | string | null;
export type CellReader = (row: number) => Cell;
export type ValueEncoder = (v: NonNullable<DuckDBValue>) => Buffer | string;

/**
 * DuckDB's string accessor (the vector's 16-byte string entries: inline up to 12 bytes, else a
 * pointer), from the exact package version restsql pins. Undefined if a future version moves it:
 * the readers then fall back to getItem.
 */
const getStringBytes: ((view: DataView, offset: number) => Uint8Array) | undefined = (() => {
  try {
    return (require('@duckdb/node-api/lib/vectors/dataAccessors.js') as { getStringBytes?: (view: DataView, offset: number) => Uint8Array }).getStringBytes;
  } catch {
    return undefined;
  }
})();

interface RawVarChar {
  readonly dataView: DataView;
  readonly validity: { itemValid(i: number): boolean };
}

/** Whether a column of `type` is read as raw bytes (a plain VARCHAR, not an aliased one such as JSON). */
export function readsRaw(type: DuckDBType): boolean {
  return getStringBytes !== undefined && type.typeId === DuckDBTypeId.VARCHAR && type.alias === undefined;
}

/** Readers for each column of `chunk`: `raw[c]` columns from the vector's bytes, the others through `encoders[c]`. */
export function cellReaders(chunk: DuckDBDataChunk, encoders: readonly ValueEncoder[], raw: readonly boolean[]): CellReader[] {
  return encoders.map((enc, c) => {
    const vector: DuckDBVector = chunk.getColumnVector(c);
    const internals = vector as unknown as Partial<RawVarChar>;
    if (raw[c] && internals.dataView instanceof DataView && typeof internals.validity?.itemValid === 'function') {
      const view = internals.dataView;
      const validity = internals.validity;
      return (r) => (validity.itemValid(r) ? getStringBytes!(view, r * 16) : null);
    }
    return (r) => {
      const v = vector.getItem(r);
      return v === null || v === undefined ? null : enc(v);
    };
  });
}
