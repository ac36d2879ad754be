/**
 * Bulk loading of spooled pages: the record arrays of a table's pages (cut out of the raw bodies
 * by extract/raw-json, no JSON.parse), written to a private folder as they arrive, are read by
 * DuckDB's `read_json` (parallel, in C++) straight into the table and its child tables with
 * INSERT ... SELECT. Measured on 200 pages x 2,500 records: 0.6 s for the table (0.9 s with its
 * child table) against about 5 s for JSON.parse + the Appender. Only for table trees it can
 * express: a root with direct child tables, no maps or virtual columns.
 */
import { tablesOf, type ColumnDef, type ColumnType, type PathStep, type TableDef } from '../model/types.js';
import { ident, literal } from './sql-text.js';

/**
 * An INSERT that reads the record files itself, projecting only the members its table needs.
 * `sql(files, base)`: `files` is a SQL list of the files in page order, `base` the first
 * generated row number minus 1. A function, not a template with placeholders: a JSON member
 * named like a placeholder (`{BASE}`) is part of the SQL text and must not be rewritten.
 */
export interface BulkInsert {
  readonly table: string;
  readonly sql: (files: string, base: number) => string;
}

export interface BulkJsonPlan {
  /** One INSERT per table, the root's first. Each reads the files on its own, so a child table can wait until a query names it. */
  readonly inserts: readonly BulkInsert[];
}

const field = (path: readonly PathStep[]) => path.map((p) => ident(String(p))).join('.');

/** A VARCHAR holding an ISO timestamp, as UTC TIMESTAMP (an offset is applied, as convertCell does). */
function timestampOf(expr: string): string {
  // A zone only after a time: the '-05' ending 2024-01-05 is the day.
  return `CASE WHEN regexp_matches(${expr}, '[Tt ][0-9:.]+([+-][0-9][0-9](:?[0-9][0-9])?|[Zz])$') THEN (${expr}::TIMESTAMPTZ AT TIME ZONE 'UTC') ELSE ${expr}::TIMESTAMP END`;
}

const TIMESTAMP_TEXT = '[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?)?';
const NUMBER_TEXT = '-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?';
const FLOAT_TEXT = '-?(0|[1-9][0-9]*)(\\.[0-9]+([eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)';
const UUID_TEXT = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/**
 * A leaf `e`, read as text (DuckDB's JSON reader gives a number's or a boolean's JSON text, a
 * string's value), as the column's type: exactly the values convertCell takes as they are, and an
 * error for anything else. DuckDB's own typed reading is lenient where restsql is strict: it
 * rounds 1.5 into a BIGINT, reads 12 as a BOOLEAN and '0x10' as 16. On an error the pages load
 * row by row, which converts what it may (numeric text, say) and names what it cannot.
 */
function typed(e: string, t: ColumnType, text = false): string {
  const when = (accept: string, value: string) => `CASE WHEN ${e} IS NULL THEN NULL WHEN ${accept} THEN ${value} ELSE error('restsql: not a ${t}') END`;
  switch (t) {
    case 'INTEGER':
    case 'BIGINT':
    case 'HUGEINT':
      // Integer text only: the value's own digits come back from the cast (not 1.5, +1, 1e3, 0x10).
      return when(`(${e}::${t})::VARCHAR = ${e}`, `${e}::${t}`);
    case 'DOUBLE':
      return when(`regexp_full_match(${e}, '${NUMBER_TEXT}')`, `${e}::DOUBLE`);
    case 'BOOLEAN':
      // Text (CSV) writes TRUE, True as often as true; row by row reads them too.
      return text ? when(`lower(${e}) IN ('true', 'false')`, `lower(${e}) = 'true'`) : when(`${e} IN ('true', 'false')`, `${e} = 'true'`);
    case 'VARCHAR':
      // Text read by read_csv is the field exactly as written.
      if (text) return e;
      // A number with a fraction or an exponent reads as DuckDB prints the double ('1.0',
      // '300.0'), row by row as JavaScript does ('1', '300'): such pages load row by row. The
      // cheap range test keeps the pattern off text that does not start like a number.
      return `CASE WHEN ${e} >= '-' AND ${e} < ':' AND regexp_full_match(${e}, '${FLOAT_TEXT}') THEN error('restsql: a number in a VARCHAR column') ELSE ${e} END`;
    case 'DATE':
      return when(`regexp_full_match(${e}, '[0-9]{4}-[0-9]{2}-[0-9]{2}')`, `${e}::DATE`);
    case 'TIMESTAMP':
      return when(`regexp_full_match(${e}, '${TIMESTAMP_TEXT}')`, timestampOf(e));
    case 'UUID':
      return when(`regexp_full_match(${e}, '${UUID_TEXT}')`, `${e}::UUID`);
    case 'JSON':
      return e;
    default: {
      const never: never = t;
      throw new Error(`unhandled column type ${String(never)}`);
    }
  }
}

function valueExpr(base: string, c: ColumnDef): string {
  return typed(c.path.length ? `${base}.${field(c.path)}` : base, c.type);
}

/** A nested type tree; leaves are DuckDB type names. */
type Shape = { [k: string]: Shape | string };

function put(target: Shape, steps: readonly PathStep[], type: string): boolean {
  const path = steps.map(String);
  let node = target;
  for (const p of path.slice(0, -1)) {
    const next = node[p];
    if (next === undefined) node[p] = {};
    else if (typeof next === 'string') return false;
    node = node[p] as Shape;
  }
  const leaf = path[path.length - 1]!;
  if (node[leaf] !== undefined) return false;
  node[leaf] = type;
  return true;
}

function typeOf(shape: Shape): string {
  return `STRUCT(${Object.entries(shape).map(([k, v]) => `${ident(k)} ${typeof v === 'string' ? v : typeOf(v)}`).join(', ')})`;
}

/** Leaves are read as text (JSON columns as JSON) and typed by `typed`. */
const scalar = (t: ColumnType) => (t === 'JSON' ? 'JSON' : 'VARCHAR');

/**
 * Records as rows of `r`; with `numbered`, numbered in page order as `__n`. Every insert numbers
 * them the same way: files are listed in page order and DuckDB keeps insertion order
 * (preserve_insertion_order is on). Numbering costs (0.5 s of 1.0 s for 500,000 records), so
 * only tables with generated row ids pay for it.
 */
function recordsFrom(shape: Shape, numbered: boolean, files: string): string {
  const columns = `{${Object.entries(shape).map(([k, v]) => `${literal(k)}: ${literal(typeof v === 'string' ? v : typeOf(v))}`).join(', ')}}`;
  return `(SELECT ${numbered ? 'row_number() OVER () AS __n, ' : ''}* FROM read_json(${files}, columns=${columns}, format='array', records=true, maximum_object_size=1073741824)) AS r`;
}

/** The row id of record `__n`; `base` is a JS integer, printed as such. */
const ROWID = (base: number) => `(__n + ${Math.trunc(base)})::BIGINT`;
/** Stands for the row id in expressions built before `base` is known; swapped per element, never by text search. */
const ROWID_SLOT = Symbol('rowid');
type Expr = string | typeof ROWID_SLOT;
const render = (e: Expr, base: number) => (e === ROWID_SLOT ? ROWID(base) : e);

/** The plan for a table tree, or undefined when it must load row by row. */
export function bulkJsonPlan(root: TableDef, target: (table: string) => string = ident): BulkJsonPlan | undefined {
  // Array positions (model-file field[N]) are read row by row: a STRUCT path cannot index an array.
  if (tablesOf(root).some((t) => t.arrayPath.some((p) => typeof p === 'number') || t.columns.some((c) => c.path.some((p) => typeof p === 'number')))) return undefined;
  const record: Shape = {};
  const rootExprs: Expr[] = [];
  for (const c of root.columns) {
    if (c.source === 'rowid') rootExprs.push(ROWID_SLOT);
    else if (c.source === 'json' && c.path.length > 0) {
      if (!put(record, c.path, scalar(c.type))) return undefined;
      rootExprs.push(valueExpr('r', c));
    } else return undefined;
  }
  const numbered = root.columns.some((c) => c.source === 'rowid');
  const keyColumns = root.columns.filter((c) => c.key);
  const keyExprs: Expr[] = keyColumns.map((c) => (c.source === 'rowid' ? ROWID_SLOT : valueExpr('r', c)));
  const inserts: BulkInsert[] = [];
  for (const child of root.children) {
    if (child.map || child.children.length > 0) return undefined;
    const element: Shape = {};
    let scalarType: string | undefined;
    const exprs: string[] = [];
    let ref = 0;
    for (const c of child.columns) {
      if (c.source === 'parent') exprs.push(`k${ref++}`);
      else if (c.source === 'position') exprs.push('position');
      else if (c.source === 'json' && c.path.length === 0) {
        scalarType = scalar(c.type);
        exprs.push(valueExpr('e', c));
      } else if (c.source === 'json') {
        if (!put(element, c.path, scalar(c.type))) return undefined;
        exprs.push(valueExpr('e', c));
      } else return undefined;
    }
    if (ref !== keyExprs.length || (scalarType !== undefined && Object.keys(element).length > 0)) return undefined;
    const elementType = scalarType ?? (Object.keys(element).length ? typeOf(element) : undefined);
    if (!elementType || !put(record, child.arrayPath, `${elementType}[]`)) return undefined;
    // The child's own read: the parent's key members and the array, nothing else.
    const projection: Shape = {};
    for (const c of keyColumns) if (c.source === 'json') put(projection, c.path, scalar(c.type));
    put(projection, child.arrayPath, `${elementType}[]`);
    const arr = `r.${field(child.arrayPath)}`;
    const into = `INSERT INTO ${target(child.name)} SELECT ${exprs.join(', ')} FROM (SELECT `;
    const rest = `generate_subscripts(${arr}, 1) - 1 AS position, unnest(${arr}) AS e FROM `;
    const where = ` WHERE len(${arr}) > 0)`;
    inserts.push({
      table: child.name,
      sql: (files, base) => `${into}${keyExprs.map((k, i) => `${render(k, base)} AS k${i}, `).join('')}${rest}${recordsFrom(projection, numbered, files)}${where}`,
    });
  }
  // Tables have no order, so nothing is sorted.
  const rootInto = `INSERT INTO ${target(root.name)} SELECT `;
  inserts.unshift({ table: root.name, sql: (files, base) => `${rootInto}${rootExprs.map((e) => render(e, base)).join(', ')} FROM ${recordsFrom(record, numbered, files)}` });
  return { inserts };
}

/** What bulkCsvPlan needs of the spooled CSV pages. */
export interface CsvLayout {
  /** Column names in field order (the records' member names). */
  readonly columns: readonly string[];
  readonly dialect: { readonly delimiter: string; readonly quote: string; readonly headerRow: boolean };
}

/**
 * The plan for CSV pages (the files are CSV text): DuckDB's read_csv with the dialect and every
 * field as VARCHAR (never its own type detection), each column typed as JSON values are (`typed`:
 * a text that does not fit fails, and the pages then load row by row, which names it). A column
 * the header lacks is NULL, as a missing JSON member is. Only flat tables: CSV has no nesting.
 */
export function bulkCsvPlan(root: TableDef, csv: CsvLayout, target: (table: string) => string = ident): BulkJsonPlan | undefined {
  if (root.children.length > 0 || csv.columns.length === 0) return undefined;
  const exprs: Expr[] = [];
  for (const c of root.columns) {
    if (c.source === 'rowid') exprs.push(ROWID_SLOT);
    else if (c.source === 'json' && c.path.length === 1 && typeof c.path[0] === 'string') {
      const i = csv.columns.indexOf(c.path[0]);
      exprs.push(i < 0 ? `NULL::${c.type === 'JSON' ? 'JSON' : c.type}` : typed(`r.c${i}`, c.type, true));
    } else return undefined;
  }
  const numbered = root.columns.some((c) => c.source === 'rowid');
  const d = csv.dialect;
  const columns = `{${csv.columns.map((_c, i) => `'c${i}': 'VARCHAR'`).join(', ')}}`;
  const options = `delim=${literal(d.delimiter)}, quote=${literal(d.quote)}, escape=${literal(d.quote)}, header=${d.headerRow ? 'true' : 'false'}, columns=${columns}, auto_detect=false, null_padding=false, ignore_errors=false, strict_mode=true`;
  const into = `INSERT INTO ${target(root.name)} SELECT `;
  return {
    inserts: [{ table: root.name, sql: (files, base) => `${into}${exprs.map((e) => render(e, base)).join(', ')} FROM (SELECT ${numbered ? 'row_number() OVER () AS __n, ' : ''}* FROM read_csv(${files}, ${options})) AS r` }],
  };
}
