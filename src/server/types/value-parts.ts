import type { DuckDBValue } from '@duckdb/node-api';
import type { DuckDBTimestampMillisecondsValue, DuckDBTimestampNanosecondsValue, DuckDBTimestampSecondsValue, DuckDBTimestampValue } from '@duckdb/node-api';
import { duckdb } from '../../engine/duckdb-api.js';
import { TS_NEG_INF, TS_POS_INF } from './datetime-text.js';

const { DuckDBTypeId } = duckdb;

/** A non-NULL DuckDB value (NULLs never reach an encoder: the wire writes them as length -1). */
export type NonNullValue = NonNullable<DuckDBValue>;

/** One column's value writer, made once per column so no value pays for a type switch. */
export type Encoder<R = string> = (v: NonNullValue) => R;

type AnyTimestamp = DuckDBTimestampValue | DuckDBTimestampSecondsValue | DuckDBTimestampMillisecondsValue | DuckDBTimestampNanosecondsValue;

/**
 * Microseconds since the epoch of a DuckDB timestamp in any unit, infinities kept infinite.
 * Nanoseconds are cut toward zero, as DuckDB's own TIMESTAMP_NS to TIMESTAMP cast does.
 */
export function micros(typeId: number): (v: AnyTimestamp) => bigint {
  switch (typeId) {
    case DuckDBTypeId.TIMESTAMP_S:
      return (v) => {
        const s = (v as DuckDBTimestampSecondsValue).seconds;
        return s === TS_POS_INF || s === TS_NEG_INF ? s : s * 1000000n;
      };
    case DuckDBTypeId.TIMESTAMP_MS:
      return (v) => {
        const ms = (v as DuckDBTimestampMillisecondsValue).millis;
        return ms === TS_POS_INF || ms === TS_NEG_INF ? ms : ms * 1000n;
      };
    case DuckDBTypeId.TIMESTAMP_NS:
      return (v) => {
        const ns = (v as DuckDBTimestampNanosecondsValue).nanos;
        return ns === TS_POS_INF || ns === TS_NEG_INF ? ns : ns / 1000n;
      };
    default:
      return (v) => (v as DuckDBTimestampValue).micros;
  }
}
