/**
 * How tables and columns are named (README.md "How JSON becomes tables"). The sampler, the model-file
 * reader and the .rest writer all name through here, so a sampled model written as .rest reads
 * back with the same names.
 *
 * Each function gives the name a rule asks for; a {@link NameSet} then makes it unique (`_1`, `_2`)
 * among the names already taken in the same scope: table names across a model, column names
 * within a table.
 */

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
  /** The JSON fields from the root record to the array, through every array between (never empty). */
  readonly pathFromRoot: readonly string[];
}

/**
 * A child table: `0` the array field's name, `1` `<parent>_<field>`, `2` the root table's name and
 * the full path from the root record (`users_orders_items` for users -> orders[] -> items[]).
 */
export function childTableName(qualify: QualifyNames, place: ArrayPlace): string {
  const field = place.pathFromRoot[place.pathFromRoot.length - 1]!;
  const raw = qualify === 0 ? field : qualify === 1 ? `${place.parent}_${field}` : [place.root, ...place.pathFromRoot].join('_');
  return sanitizeName(raw);
}

/** A column from a JSON value; nested objects flatten, so `address.city` is `address_city`. */
export function columnName(path: readonly string[]): string {
  return sanitizeName(path.join('_'));
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
