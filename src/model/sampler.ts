import { columnTypeFor, kindOf, type ValueKind } from './infer.js';
import { childLeadNames, childTableName, columnName, NameSet, ROWID, sanitizeName, VALUE, valueColumnName, type QualifyNames } from './naming.js';
import { deepFreeze, type ColumnDef, type ColumnType, type TableDef } from './types.js';

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
}

function newShape(): Shape {
  return { kinds: new Set(), fields: new Map(), values: [] };
}

function observe(shape: Shape, value: unknown): void {
  const kind = kindOf(value);
  shape.kinds.add(kind);
  if (kind === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      let f = shape.fields.get(k);
      if (!f) {
        f = newShape();
        shape.fields.set(k, f);
      }
      observe(f, v);
    }
    // A member missing from this object counts as null there.
    for (const [k, f] of shape.fields) if (!(k in (value as object))) f.kinds.add('null');
  } else if (kind === 'array') {
    shape.element ??= newShape();
    for (const v of value as unknown[]) observe(shape.element, v);
  } else if (kind !== 'null') {
    shape.values.push(value);
  }
}

export interface SampleOptions {
  /** QualifyNormalizedNames: 0 field name, 1 parent_field, 2 root_full_path. */
  readonly qualifyNames: QualifyNames;
}

const KEY_TYPES: ReadonlySet<ColumnType> = new Set(['INTEGER', 'BIGINT', 'VARCHAR', 'UUID']);
const MAX_KEY_STRING = 64;

interface Context {
  readonly options: SampleOptions;
  readonly tableNames: NameSet;
  readonly rootName: string;
}

interface Pending {
  readonly columns: ColumnDef[];
  readonly arrays: { path: string[]; shape: Shape }[];
}

function isOnly(kinds: ReadonlySet<ValueKind>, kind: ValueKind): boolean {
  return kinds.has(kind) && [...kinds].every((k) => k === kind || k === 'null');
}

/** Flattens an object shape: nested objects become prefixed columns, arrays become child tables. */
function flattenFields(shape: Shape, prefix: string[], out: Pending, names: NameSet): void {
  for (const [field, f] of shape.fields) {
    const path = [...prefix, field];
    if (isOnly(f.kinds, 'object')) {
      flattenFields(f, path, out, names);
    } else if (isOnly(f.kinds, 'array')) {
      out.arrays.push({ path, shape: f });
    } else {
      out.columns.push({ name: names.take(columnName(path)), path, type: columnTypeFor(f.kinds), key: false, source: 'json' });
    }
  }
}

/** The element columns of a table whose rows come from values of `shape`. */
function elementColumns(shape: Shape, scalarName: string, names: NameSet): Pending {
  const out: Pending = { columns: [], arrays: [] };
  const kinds = new Set(shape.kinds);
  kinds.delete('null');
  if (kinds.size === 1 && kinds.has('object')) {
    flattenFields(shape, [], out, names);
  } else {
    // Scalars (or a mix, or nested arrays, which become JSON) in one column named after the array.
    out.columns.push({ name: names.take(valueColumnName(scalarName)), path: [], type: columnTypeFor(shape.kinds), key: false, source: 'json' });
  }
  return out;
}

function chooseKey(columns: ColumnDef[], shape: Shape, recordCount: number): ColumnDef | undefined {
  // DESIGN.md: the first top-level scalar column whose sampled values are unique and non-null and
  // of an integer or short-string type.
  for (const c of columns) {
    if (c.path.length !== 1 || !KEY_TYPES.has(c.type)) continue;
    const f = shape.fields.get(c.path[0]!);
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
  const pending = elementColumns(element, arrayPath[arrayPath.length - 1] ?? VALUE, names);
  const keys = [...refs, position];
  const children = pending.arrays.map((a) => buildChild(ctx, { name, keys }, a.path, [...pathFromRoot, ...a.path], a.shape));
  return { name, columns: [...refs, position, ...pending.columns], arrayPath, parent: parent.name, children };
}

/**
 * Infers a table (and its child tables) from sampled records, following DESIGN.md "JSON to tables".
 */
export function inferTable(rawName: string, records: readonly unknown[], options: SampleOptions, tableNames: NameSet = new NameSet()): TableDef {
  const shape = newShape();
  for (const r of records) observe(shape, r);
  const name = tableNames.take(sanitizeName(rawName));
  const ctx: Context = { options, tableNames, rootName: name };
  const names = new NameSet();
  let pending: Pending;
  if (isOnly(shape.kinds, 'object')) {
    pending = { columns: [], arrays: [] };
    flattenFields(shape, [], pending, names);
  } else {
    pending = elementColumns(shape, VALUE, names);
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
