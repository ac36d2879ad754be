/**
 * How tables and columns are named (README.md "How JSON becomes tables"). The sampler, the model-file
 * reader and the .rest writer all name through here, so a sampled model written as .rest reads
 * back with the same names.
 *
 * Each function gives the name a rule asks for; a {@link NameSet} then makes it unique (`_1`, `_2`)
 * among the names already taken in the same scope: table names across a model, column names
 * within a table.
 */
import type { PathStep } from './types.js';


/** QualifyNormalizedNames: how a child table made from a JSON array is named. */
export type QualifyNames = 0 | 1 | 2;

/**
 * A SQL-friendly name: letters, digits and underscores. Names given rather than derived (a root
 * table's, `field<sql_name>`, a map's key column, a path parameter) are just this.
 */
export function sanitizeName(raw: string): string {
  const s = raw.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return s === '' ? 'col' : s;
}

/** Makes names unique case-insensitively (DuckDB identifiers are) with _1, _2 suffixes. */
export class NameSet {
  readonly #used = new Set<string>();
  /** The next suffix to try for a wanted name: many members that sanitize alike stay linear. */
  readonly #next = new Map<string, number>();
  take(wanted: string): string {
    const lower = wanted.toLowerCase();
    let name = wanted;
    let i = this.#next.get(lower) ?? 1;
    for (; this.#used.has(name.toLowerCase()); i++) name = `${wanted}_${i}`;
    if (name !== wanted) this.#next.set(lower, i);
    this.#used.add(name.toLowerCase());
    return name;
  }
  /** Frees a name taken earlier (a model-file table about to be sampled takes it again). */
  release(name: string): void {
    this.#used.delete(name.toLowerCase());
  }
}

/** Where an array sits, as the child-table rules need it. */
export interface ArrayPlace {
  /** The root table's SQL name. */
  readonly root: string;
  /** The parent table's SQL name. */
  readonly parent: string;
  /**
   * The JSON fields from the root record to the array, through every array between (never
   * empty); a number is an array position of a model-file `field[N]`.
   */
  readonly pathFromRoot: readonly PathStep[];
}

/**
 * A child table: `0` the array field's name, `1` `<parent>_<field>`, `2` the root table's name and
 * the full path from the root record (`users_orders_items` for users -> orders[] -> items[]).
 */
export function childTableName(qualify: QualifyNames, place: ArrayPlace): string {
  const field = String(place.pathFromRoot[place.pathFromRoot.length - 1]!);
  const raw = qualify === 0 ? field : qualify === 1 ? `${place.parent}_${field}` : [place.root, ...place.pathFromRoot.map(stepName)].join('_');
  return sanitizeName(raw);
}

/** A path step in a name: a member's name, or an array position counted from 1 (`field[N]`). */
function stepName(step: PathStep): string {
  return typeof step === 'number' ? String(step + 1) : step;
}

/** Whether a JSON member name is already a SQL identifier (letters, digits, underscores). */
export function isPlainName(field: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(field);
}

/**
 * A member name as DataDirect compacts it into a table name: without its parenthesised parts and
 * without the characters an identifier cannot hold (`Time Series (Daily)` is `TimeSeries`).
 */
export function compactName(field: string): string {
  const s = field.replace(/\([^)]*\)/g, '').replace(/[^A-Za-z0-9_]+/g, '');
  return s === '' ? sanitizeName(field) : s;
}

/**
 * A map's child table (model-file `field{KeyType}`, `field<key:KeyType>`). A map whose field is a
 * plain identifier is named as an array would be. One whose field holds spaces, dots or
 * parentheses (`"Time Series (Daily){Date}"` in table StockDaily) is named as DataDirect's
 * published samples show: the parent table, `_`, the compacted field (`StockDaily_TimeSeries`,
 * which its sample queries read as STOCKDAILY_TIMESERIES); with QualifyNormalizedNames=2 the
 * root table and every compacted step of the path.
 */
export function mapTableName(qualify: QualifyNames, place: ArrayPlace): string {
  const field = String(place.pathFromRoot[place.pathFromRoot.length - 1]!);
  if (isPlainName(field)) return childTableName(qualify, place);
  if (qualify === 2) return sanitizeName([place.root, ...place.pathFromRoot.map((s) => (typeof s === 'number' ? String(s + 1) : compactName(s)))].join('_'));
  return sanitizeName(`${place.parent}_${compactName(field)}`);
}

/** A column from a JSON value; nested objects flatten, so `address.city` is `address_city`; positions count from 1. */
export function columnName(path: readonly PathStep[]): string {
  return sanitizeName(path.map(stepName).join('_'));
}

/** A scalar array's value column: named after the array field. */
export function valueColumnName(field: string): string {
  return sanitizeName(field);
}

/** The value column of a root table whose records are scalars. */
export const VALUE = 'value';

/** A map's key column when the model file names none (`field{KeyType}`). */
export const MAP_KEY = 'key';

/** The column holding the whole record as JSON when a table has more members than MaxColumns. */
export const OVERFLOW = 'json';

/** The generated key of a table no column keys. */
export const ROWID = 'rowid';

/** A child table's 0-based array index column. */
const POSITION = 'position';

/**
 * The columns every child table starts with, taken from `names` in this order: the parent's key
 * columns as `<parenttable>_<keycolumn>`, then `position`.
 */
export function childLeadNames(parent: string, parentKeys: readonly string[], names: NameSet): { readonly refs: readonly string[]; readonly position: string } {
  const refs = parentKeys.map((k) => names.take(sanitizeName(`${parent}_${k}`)));
  return { refs, position: names.take(POSITION) };
}
