/**
 * A WHERE condition a query puts on one column, as the planner reads it from the parse tree and
 * the request plan sends it to the API. Constants keep the form the SQL gave them (a string
 * literal, a number's exact digits, a typed literal such as DATE '2024-01-05'), so the value
 * sent is the value DuckDB compares (model/api-value.ts renders it for the column's type).
 */
import type { FilterOp } from './types.js';

/** A SQL constant: its literal kind and exact text. */
export interface SqlConstant {
  /**
   * `string`: a string literal; `number`: an integer or decimal literal (exact digits, no
   * exponent); `double`: a float literal (`1e20`); `boolean`; `date`, `timestamp`: typed literals
   * (`DATE '...'`, `TIMESTAMP '...'`, text as written); `other`: anything else (never pushed).
   */
  readonly kind: 'string' | 'number' | 'double' | 'boolean' | 'date' | 'timestamp' | 'other';
  readonly text: string;
}

export interface Condition {
  /** Lower-case table name. */
  readonly table: string;
  /** Lower-case alias the condition was written on (the table name when it has none). */
  readonly alias: string;
  /** Lower-case column name. */
  readonly column: string;
  readonly op: FilterOp;
  /** One constant, or several for IN. */
  readonly values: readonly SqlConstant[];
}
