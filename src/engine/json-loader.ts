/**
 * Loads a page of raw JSON text with DuckDB's own JSON reader (from_json) instead of JSON.parse +
 * the Appender: the page is parsed once, in C++, and the table and its child tables are filled
 * with INSERT ... SELECT. Used for table trees it can express (a root with direct child tables,
 * no maps or virtual columns); anything else, or a page it cannot read, takes the Appender path.
 */
import type { ColumnDef, TableDef } from '../model/types.js';

export interface JsonPagePlan {
  /** from_json structure of one record. */
  readonly structure: string;
  /** INSERT statements; `{BASE}` is replaced by the first generated row number minus 1. */
  readonly inserts: readonly string[];
}

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
const field = (path: readonly string[]) => path.map(ident).join('.');

/** A VARCHAR holding an ISO timestamp, as UTC TIMESTAMP (an offset is applied, as convertCell does). */
function timestampOf(expr: string): string {
  return `CASE WHEN regexp_matches(${expr}, '([+-]\\d\\d(:?\\d\\d)?|[Zz])$') THEN (${expr}::TIMESTAMPTZ AT TIME ZONE 'UTC') ELSE ${expr}::TIMESTAMP END`;
}

function valueExpr(base: string, c: ColumnDef): string {
  const e = c.path.length ? `${base}.${field(c.path)}` : base;
  return c.type === 'TIMESTAMP' ? timestampOf(e) : e;
}

function typeName(c: ColumnDef): string {
  return c.type === 'TIMESTAMP' ? 'VARCHAR' : c.type;
}

/** Places `type` at `path` in a from_json structure. */
function put(target: Record<string, unknown>, path: readonly string[], type: unknown): boolean {
  let node = target;
  for (const p of path.slice(0, -1)) {
    const next = node[p];
    if (next === undefined) node[p] = {};
    else if (typeof next !== 'object' || Array.isArray(next)) return false;
    node = node[p] as Record<string, unknown>;
  }
  const leaf = path[path.length - 1]!;
  if (node[leaf] !== undefined) return false;
  node[leaf] = type;
  return true;
}

/** The plan for a table tree, or undefined when the Appender path must be used. */
export function jsonPagePlan(root: TableDef): JsonPagePlan | undefined {
  const structure: Record<string, unknown> = {};
  const rootExprs: string[] = [];
  for (const c of root.columns) {
    if (c.source === 'rowid') rootExprs.push('(__n + {BASE})::BIGINT');
    else if (c.source === 'json' && c.path.length > 0) {
      if (!put(structure, c.path, typeName(c))) return undefined;
      rootExprs.push(valueExpr('r', c));
    } else return undefined;
  }
  const keyExprs = root.columns.filter((c) => c.key).map((c) => (c.source === 'rowid' ? '(__n + {BASE})::BIGINT' : valueExpr('r', c)));
  const inserts = [`INSERT INTO ${ident(root.name)} SELECT ${rootExprs.join(', ')} FROM __restsql_page ORDER BY __n`];
  for (const child of root.children) {
    if (child.map || child.children.length > 0) return undefined;
    const element: Record<string, unknown> = {};
    let scalar: string | undefined;
    const exprs: string[] = [];
    let ref = 0;
    for (const c of child.columns) {
      if (c.source === 'parent') exprs.push(`k${ref++}`);
      else if (c.source === 'position') exprs.push('position');
      else if (c.source === 'json' && c.path.length === 0) {
        scalar = typeName(c);
        exprs.push(valueExpr('e', c));
      } else if (c.source === 'json') {
        if (!put(element, c.path, typeName(c))) return undefined;
        exprs.push(valueExpr('e', c));
      } else return undefined;
    }
    if (ref !== keyExprs.length || (scalar !== undefined && Object.keys(element).length > 0)) return undefined;
    if (!put(structure, child.arrayPath, [scalar ?? element])) return undefined;
    const arr = `r.${field(child.arrayPath)}`;
    const keys = keyExprs.map((k, i) => `${k} AS k${i}`).join(', ');
    inserts.push(
      `INSERT INTO ${ident(child.name)} SELECT ${exprs.join(', ')} FROM (SELECT __n, ${keys}, generate_subscripts(${arr}, 1) - 1 AS position, unnest(${arr}) AS e FROM __restsql_page WHERE len(${arr}) > 0) ORDER BY __n, position`,
    );
  }
  return { structure: JSON.stringify([structure]), inserts };
}
