/**
 * The relational model restsql answers SQL over. Produced by the sampler (and, later, the model
 * file reader), frozen, and read by the extractor, the loader and the .rest writer.
 */
export const COLUMN_TYPES = ['INTEGER', 'BIGINT', 'DOUBLE', 'BOOLEAN', 'TIMESTAMP', 'DATE', 'UUID', 'VARCHAR', 'JSON'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ColumnDef {
  /** SQL column name. */
  readonly name: string;
  /**
   * Where the value sits, relative to the record (or array element) the table's rows come from.
   * Empty for the element itself (a scalar array's value column).
   */
  readonly path: readonly string[];
  readonly type: ColumnType;
  readonly key: boolean;
  /** How the column is filled: from JSON, a copy of the parent's key, the array index, or a generated row number. */
  readonly source: 'json' | 'parent' | 'position' | 'rowid';
}

export interface TableDef {
  readonly name: string;
  /** All columns in order: parent references and position first for child tables. */
  readonly columns: readonly ColumnDef[];
  /** For a child table: the path of the array inside its parent's element; empty for a root table. */
  readonly arrayPath: readonly string[];
  /** For a child table: its parent's name. */
  readonly parent?: string;
  /** Child tables made from arrays inside this table's elements. */
  readonly children: readonly TableDef[];
}

export interface EndpointDef {
  /** The URL as configured (absolute). */
  readonly url: string;
  readonly method: 'GET';
  /** Path of object keys from the response to the record array; empty when the response is the array (or a single record). */
  readonly jsonRoot: readonly string[];
  readonly table: TableDef;
}

export interface ResolvedModel {
  readonly endpoints: readonly EndpointDef[];
}

/** Every table of an endpoint, parents before children. */
export function tablesOf(table: TableDef): TableDef[] {
  return [table, ...table.children.flatMap(tablesOf)];
}

export function allTables(model: ResolvedModel): TableDef[] {
  return model.endpoints.flatMap((e) => tablesOf(e.table));
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
