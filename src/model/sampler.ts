import { columnTypeFor, kindOf, type ValueKind } from './infer.js';
import { childLeadNames, childTableName, columnName, NameSet, OVERFLOW, ROWID, sanitizeName, VALUE, valueColumnName, type QualifyNames } from './naming.js';
import { deepFreeze, type ColumnDef, type ColumnType, type ResponseFormat, type TableDef } from './types.js';

// The naming rules live in naming.ts; these stay importable from here for existing callers.
export { NameSet, sanitizeName } from './naming.js';

/** What the sample showed at one position in the JSON. */
interface Shape {
  readonly kinds: Set<ValueKind>;
  /** Object members in first-seen order. */
  readonly fields: Map<string, Shape>;
  /** Elements of arrays seen here, merged. */
  element?: Shape;
  /** Scalar values seen (for key detection), and how many were not null. */
  readonly values: unknown[];
  /** Objects seen here, and (as a member) how many times this one was present in its parent. */
  objects: number;
  present: number;
}

function newShape(): Shape {
  return { kinds: new Set(), fields: new Map(), values: [], objects: 0, present: 0 };
}

/** Linear in the size of the value: members missing from some objects are counted, not searched for (see markMissing). */
function observe(shape: Shape, value: unknown): void {
  const kind = kindOf(value);
  shape.kinds.add(kind);
  if (kind === 'object') {
    shape.objects++;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      let f = shape.fields.get(k);
      if (!f) {
        f = newShape();
        shape.fields.set(k, f);
      }
      f.present++;
      observe(f, v);
    }
  } else if (kind === 'array') {
    shape.element ??= newShape();
    for (const v of value as unknown[]) observe(shape.element, v);
  } else if (kind !== 'null') {
    shape.values.push(value);
  }
}

/** After observing: a member missing from some of the objects counts as null there. */
function markMissing(shape: Shape): void {
  for (const f of shape.fields.values()) {
    if (f.present < shape.objects) f.kinds.add('null');
    markMissing(f);
  }
  if (shape.element) markMissing(shape.element);
}

export interface SampleOptions {
  /** QualifyNormalizedNames: 0 field name, 1 parent_field, 2 root_full_path. */
  readonly qualifyNames: QualifyNames;
  /** MaxColumns: at most this many columns per table; the rest of a record is kept as JSON. */
  readonly maxColumns?: number;
}

const DEFAULT_MAX_COLUMNS = 1000;

const KEY_TYPES: ReadonlySet<ColumnType> = new Set(['INTEGER', 'BIGINT', 'VARCHAR', 'UUID']);
const MAX_KEY_STRING = 64;

interface Context {
  readonly options: SampleOptions;
  readonly maxColumns: number;
  readonly tableNames: NameSet;
  readonly rootName: string;
}

interface Pending {
  readonly columns: ColumnDef[];
  readonly arrays: { path: string[]; shape: Shape }[];
  /** Columns that may still be added (one is kept for the overflow column). */
  budget: number;
  /** Some member got no column: the table ends with the record as JSON. */
  overflow: boolean;
}

const newPending = (maxColumns: number): Pending => ({ columns: [], arrays: [], budget: maxColumns - 1, overflow: false });

/** Columns an object shape flattens into (arrays excluded), counted up to `limit`. */
function leafCount(shape: Shape, limit: number): number {
  let n = 0;
  for (const f of shape.fields.values()) {
    if (isOnly(f.kinds, 'object')) n += leafCount(f, limit - n);
    else if (!isOnly(f.kinds, 'array')) n++;
    if (n > limit) break;
  }
  return n;
}

function isOnly(kinds: ReadonlySet<ValueKind>, kind: ValueKind): boolean {
  return kinds.has(kind) && [...kinds].every((k) => k === kind || k === 'null');
}

/** Flattens an object shape: nested objects become prefixed columns, arrays become child tables. */
function flattenFields(shape: Shape, prefix: string[], out: Pending, names: NameSet): void {
  for (const [field, f] of shape.fields) {
    const path = [...prefix, field];
    if (isOnly(f.kinds, 'array')) {
      out.arrays.push({ path, shape: f });
    } else if (out.budget <= 0) {
      // Past MaxColumns: the member is kept in the record's JSON column.
      out.overflow = true;
    } else if (isOnly(f.kinds, 'object') && leafCount(f, out.budget) <= out.budget) {
      flattenFields(f, path, out, names);
    } else {
      // A scalar, a mix, or an object too wide for what is left: one column (JSON for an object).
      out.columns.push({ name: names.take(columnName(path)), path, type: columnTypeFor(f.kinds), key: false, source: 'json' });
      out.budget--;
    }
  }
}

/** The overflow column: the whole element as JSON, after the inferred columns. */
function addOverflow(out: Pending, names: NameSet): void {
  if (out.overflow) out.columns.push({ name: names.take(OVERFLOW), path: [], type: 'JSON', key: false, source: 'json' });
}

/** The element columns of a table whose rows come from values of `shape`. */
function elementColumns(shape: Shape, scalarName: string, names: NameSet, maxColumns: number): Pending {
  const out = newPending(maxColumns);
  const kinds = new Set(shape.kinds);
  kinds.delete('null');
  if (kinds.size === 1 && kinds.has('object')) {
    flattenFields(shape, [], out, names);
    addOverflow(out, names);
  } else {
    // Scalars (or a mix, or nested arrays, which become JSON) in one column named after the array.
    out.columns.push({ name: names.take(valueColumnName(scalarName)), path: [], type: columnTypeFor(shape.kinds), key: false, source: 'json' });
  }
  return out;
}

function chooseKey(columns: ColumnDef[], shape: Shape, recordCount: number): ColumnDef | undefined {
  // The parent key: the first top-level scalar column whose sampled values are unique and non-null and
  // of an integer or short-string type.
  for (const c of columns) {
    if (c.path.length !== 1 || !KEY_TYPES.has(c.type)) continue;
    const f = shape.fields.get(String(c.path[0]!));
    if (!f || f.kinds.has('null') || f.values.length !== recordCount || recordCount === 0) continue;
    if (c.type === 'VARCHAR' && f.values.some((v) => String(v).length > MAX_KEY_STRING)) continue;
    if (new Set(f.values).size === recordCount) return c;
  }
  return undefined;
}

function buildChild(ctx: Context, parent: { name: string; keys: ColumnDef[] }, arrayPath: string[], pathFromRoot: string[], shape: Shape): TableDef {
  const name = ctx.tableNames.take(childTableName(ctx.options.qualifyNames, { root: ctx.rootName, parent: parent.name, pathFromRoot }));
  const names = new NameSet();
  const lead = childLeadNames(parent.name, parent.keys.map((k) => k.name), names);
  const refs: ColumnDef[] = parent.keys.map((k, i) => ({ name: lead.refs[i]!, path: [], type: k.type, key: true, source: 'parent' as const }));
  const position: ColumnDef = { name: lead.position, path: [], type: 'INTEGER', key: true, source: 'position' };
  const element = shape.element ?? newShape();
  const pending = elementColumns(element, arrayPath[arrayPath.length - 1] ?? VALUE, names, ctx.maxColumns);
  const keys = [...refs, position];
  const children = pending.arrays.map((a) => buildChild(ctx, { name, keys }, a.path, [...pathFromRoot, ...a.path], a.shape));
  return { name, columns: [...refs, position, ...pending.columns], arrayPath, parent: parent.name, children };
}

/**
 * Infers a table (and its child tables) from sampled records (README.md "How JSON becomes tables").
 */
export function inferTable(rawName: string, records: readonly unknown[], options: SampleOptions, tableNames: NameSet = new NameSet()): TableDef {
  const shape = newShape();
  for (const r of records) observe(shape, r);
  markMissing(shape);
  const name = tableNames.take(sanitizeName(rawName));
  const maxColumns = Math.max(2, options.maxColumns ?? DEFAULT_MAX_COLUMNS);
  const ctx: Context = { options, maxColumns, tableNames, rootName: name };
  const names = new NameSet();
  let pending: Pending;
  if (isOnly(shape.kinds, 'object')) {
    pending = newPending(maxColumns);
    flattenFields(shape, [], pending, names);
    addOverflow(pending, names);
  } else {
    pending = elementColumns(shape, VALUE, names, maxColumns);
  }
  let key = chooseKey(pending.columns, shape, records.length);
  let columns: ColumnDef[];
  if (key) {
    key = { ...key, key: true };
    const k = key;
    columns = pending.columns.map((c) => (c.name === k.name ? k : c));
  } else {
    // No column qualifies: a generated row number (1-based, in response order) is the key.
    key = { name: names.take(ROWID), path: [], type: 'BIGINT', key: true, source: 'rowid' };
    columns = [key, ...pending.columns];
  }
  const keys = [key];
  const children = pending.arrays.map((a) => buildChild(ctx, { name, keys }, a.path, a.path, a.shape));
  return deepFreeze({ name, columns, arrayPath: [], children });
}

/**
 * A table sampled from text (CSV fields, XML texts and attributes): every value was text, so a
 * column whose sampled values are of mixed kinds ("42" and "n/a") is VARCHAR, keeping each text as
 * written, not JSON (which would turn "42" into a number). Other formats are returned as they are.
 */
export function textTable(table: TableDef, format: ResponseFormat): TableDef {
  if (format !== 'csv' && format !== 'xml') return table;
  const text = (t: TableDef): TableDef => ({
    ...t,
    columns: t.columns.map((c) => (c.type === 'JSON' ? { ...c, type: 'VARCHAR' as const } : c)),
    children: t.children.map(text),
  });
  return deepFreeze(text(table));
}
