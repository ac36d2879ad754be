/**
 * Reads the parsed SQL (DuckDB's json_serialize_sql tree) for what can reach the API: simple
 * WHERE conditions (column op constant, joined by AND) per table reference, the column
 * equalities that tie references together, every table the statement names anywhere, and a LIMIT
 * that may stop paging early. Which of these may narrow a fetch is decided per endpoint
 * (engine/pushdown.ts); DuckDB still applies every condition to the rows.
 */
import type { Condition, SqlConstant } from '../model/condition.js';
import type { FilterOp } from '../model/types.js';

export type { Condition } from '../model/condition.js';

/** A column of a table reference in the top-level FROM. */
export interface ColumnAt {
  readonly alias: string;
  readonly table: string;
  readonly column: string;
}

export interface QueryPlan {
  readonly conditions: readonly Condition[];
  /** How often the statement names each table (lower case), anywhere: subqueries and CTEs too. */
  readonly refs: ReadonlyMap<string, number>;
  /** The top-level FROM's base tables: alias -> table (lower case). */
  readonly from: ReadonlyMap<string, string>;
  /** Column equalities that hold in every result row: top-level WHERE conjuncts, and join conditions across a join's two sides. */
  readonly links: readonly (readonly [ColumnAt, ColumnAt])[];
  /**
   * No narrowing is safe: the FROM has a join that pairs rows by position or nearness
   * (POSITIONAL, ASOF, LATERAL), a TABLESAMPLE (which rows it keeps depends on all of them), or
   * the statement reads tables by a name in a string (query(), query_table()).
   */
  readonly exotic: boolean;
  /**
   * Lower-case column names referenced in conditions anywhere (WHERE, ON, HAVING, QUALIFY at any
   * depth), as often as referenced; `conditions` consumed some of them.
   */
  readonly filterRefs: ReadonlyMap<string, number>;
  /** Set when the statement is a plain `SELECT ... FROM one_table LIMIT n` (no WHERE, ORDER BY, grouping, DISTINCT). */
  readonly limit?: { readonly table: string; readonly rows: number };
}

export const EMPTY_PLAN: QueryPlan = { conditions: [], refs: new Map(), from: new Map(), links: [], exotic: true, filterRefs: new Map() };

type J = Record<string, unknown>;

const COMPARE: Record<string, FilterOp> = {
  COMPARE_EQUAL: 'eq',
  COMPARE_NOTEQUAL: 'ne',
  COMPARE_GREATERTHAN: 'gt',
  COMPARE_GREATERTHANOREQUALTO: 'ge',
  COMPARE_LESSTHAN: 'lt',
  COMPARE_LESSTHANOREQUALTO: 'le',
};
const FLIP: Record<string, FilterOp> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };
const INTEGER_IDS = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT']);
const JOINS_BY_VALUE = new Set(['REGULAR', 'CROSS', 'NATURAL']);

/** An integer as the tree writes it: a number (bigint past 2^53), or HUGEINT's {upper, lower}. */
function integerOf(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (v && typeof v === 'object' && 'upper' in v && 'lower' in v) {
    const { upper, lower } = v as { upper: unknown; lower: unknown };
    const u = integerOf(upper);
    const l = integerOf(lower);
    return u !== undefined && l !== undefined ? u * 2n ** 64n + l : undefined;
  }
  return undefined;
}

/** Scaled digits as decimal text. */
function decimalText(scaled: bigint, scale: number): string {
  if (scale === 0) return String(scaled);
  const neg = scaled < 0n;
  const abs = String(neg ? -scaled : scaled).padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${abs.slice(0, -scale)}.${abs.slice(-scale)}`;
}

const CAST_KINDS: Record<string, SqlConstant['kind']> = { BOOLEAN: 'boolean', DATE: 'date', TIMESTAMP: 'timestamp' };

/** A bound parameter value ($1, ?) as a constant of its JavaScript kind. */
function parameterConstant(v: unknown): SqlConstant | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return { kind: 'string', text: v };
  if (typeof v === 'boolean') return { kind: 'boolean', text: String(v) };
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v))) return { kind: 'number', text: String(v) };
  if (typeof v === 'number') return Number.isFinite(v) ? { kind: 'double', text: String(v) } : { kind: 'other', text: String(v) };
  return { kind: 'other', text: '' };
}

/** A constant's literal kind and exact text; undefined for NULL and for anything not a constant. */
function constantOf(node: J, params: readonly unknown[] = []): SqlConstant | undefined {
  if (node.class === 'PARAMETER') {
    // $n (1-based index), or ? numbered in order; named parameters are not read.
    const index = Number(node.identifier ?? node.parameter_nr);
    return Number.isInteger(index) && index >= 1 && index <= params.length ? parameterConstant(params[index - 1]) : undefined;
  }
  if (node.class === 'CAST') {
    const inner = constantOf(node.child as J, params);
    if (!inner || node.try_cast) return undefined;
    const to = String((node.cast_type as { id?: unknown } | undefined)?.id ?? '');
    // A typed literal (TRUE is CAST('t' AS BOOLEAN), DATE '...', TIMESTAMP '...'): the text DuckDB casts.
    if (inner.kind === 'string' && CAST_KINDS[to]) return { kind: CAST_KINDS[to]!, text: inner.text };
    if (inner.kind === 'string' && INTEGER_IDS.has(to) && /^-?\d+$/.test(inner.text)) return { kind: 'number', text: inner.text };
    if (to === 'VARCHAR' && inner.kind === 'string') return inner;
    return { kind: 'other', text: inner.text };
  }
  if (node.class !== 'CONSTANT') return undefined;
  const v = node.value as { type: { id: string; type_info?: { scale?: number } | null }; is_null: boolean; value: unknown };
  if (v.is_null) return undefined;
  const id = v.type.id;
  if (id === 'VARCHAR') return { kind: 'string', text: String(v.value) };
  if (id === 'BOOLEAN') return { kind: 'boolean', text: v.value ? 'true' : 'false' };
  if (INTEGER_IDS.has(id) || id === 'DECIMAL') {
    const scaled = integerOf(v.value);
    return scaled === undefined ? { kind: 'other', text: '' } : { kind: 'number', text: decimalText(scaled, id === 'DECIMAL' ? (v.type.type_info?.scale ?? 0) : 0) };
  }
  if ((id === 'DOUBLE' || id === 'FLOAT') && typeof v.value === 'number') return { kind: 'double', text: String(v.value) };
  return { kind: 'other', text: typeof v.value === 'object' ? JSON.stringify(v.value, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x)) : String(v.value) };
}

function columnRef(node: J | undefined): string[] | undefined {
  return node?.class === 'COLUMN_REF' ? (node.column_names as string[]).map((s) => s.toLowerCase()) : undefined;
}

interface FromWalk {
  readonly aliases: Map<string, string>;
  /**
   * Per alias of a base table named without an alias: the name as written before the table
   * (`public` of `public.items`, `memory.public` of `memory.public.items`), which a column
   * reference may repeat (`public.items.id`).
   */
  readonly qualifiers: Map<string, string>;
  readonly joins: { readonly condition: J | null; readonly left: ReadonlySet<string>; readonly right: ReadonlySet<string> }[];
  exotic: boolean;
}

/** Base tables of a FROM tree (alias -> table, lower case) and its joins; returns the aliases under `from`. */
function walkFrom(from: J | null | undefined, w: FromWalk): Set<string> {
  if (!from) return new Set();
  if (from.type === 'BASE_TABLE') {
    const alias = String(from.alias || from.table_name).toLowerCase();
    w.aliases.set(alias, String(from.table_name).toLowerCase());
    if (from.alias) w.qualifiers.delete(alias);
    else w.qualifiers.set(alias, [from.catalog_name, from.schema_name].filter((x) => typeof x === 'string' && x !== '').join('.').toLowerCase());
    return new Set([alias]);
  }
  if (from.type === 'JOIN') {
    if (!JOINS_BY_VALUE.has(String(from.ref_type))) w.exotic = true;
    const left = walkFrom(from.left as J, w);
    const right = walkFrom(from.right as J, w);
    w.joins.push({ condition: (from.condition as J | null) ?? null, left, right });
    return new Set([...left, ...right]);
  }
  return new Set();
}

function conjuncts(node: J | null | undefined): J[] {
  if (!node) return [];
  if (node.class === 'CONJUNCTION' && node.type === 'CONJUNCTION_AND') return (node.children as J[]).flatMap(conjuncts);
  return [node];
}

/**
 * Every table a serialized statement reads, by name, as often as it is named. DuckDB's
 * getTableNames alone misses some valid queries: it answers [] for `SELECT x.* FROM t x ORDER BY
 * 1, 2` (DuckDB 1.5: ORDER BY positions past the columns it can count before expanding x.*). CTE
 * names come too: a CTE named like an API table costs a fetch, never a missing one.
 */
export function tableRefs(serialized: unknown): string[] {
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach(walk);
    const node = v as { type?: unknown; table_name?: unknown };
    if (node.type === 'BASE_TABLE' && typeof node.table_name === 'string') names.push(node.table_name);
    Object.values(v).forEach(walk);
  };
  walk(serialized);
  return names;
}

/**
 * The plan for a serialized statement list. `columnsOf` gives each known table's lower-case
 * column names (to place unqualified column references).
 */
/**
 * What the statement tree says about itself, at any depth: whether anything makes narrowing
 * unsafe (see QueryPlan.exotic), and how often each column is mentioned in a filter (WHERE, ON,
 * HAVING, QUALIFY) other than in a comparison with another column.
 */
function survey(tree: unknown): { exotic: boolean; filterRefs: Map<string, number> } {
  let exotic = false;
  const filterRefs = new Map<string, number>();
  const count = (c: unknown) => {
    const ref = columnRef(c as J);
    if (ref) filterRefs.set(ref[ref.length - 1]!, (filterRefs.get(ref[ref.length - 1]!) ?? 0) + 1);
  };
  const walk = (v: unknown, inFilter: boolean): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, inFilter));
    const j = v as J;
    if (j.sample !== null && j.sample !== undefined && typeof j.sample === 'object') exotic = true;
    if ((j.class === 'FUNCTION' || j.type === 'TABLE_FUNCTION') && /^(query|query_table)$/i.test(String(j.function_name ?? (j.function as J | undefined)?.function_name ?? ''))) exotic = true;
    if (inFilter) {
      // A comparison of two columns is a join condition, not a filter on either.
      if (j.class === 'COMPARISON' && columnRef(j.left as J) && columnRef(j.right as J)) return;
      // Every other column a filter mentions counts, however it is used: compared with a
      // constant (the conditions the planner reads), or through IN (subquery), a function, an
      // OR, an expression (conditions it cannot read).
      if (j.class === 'COLUMN_REF') return count(j);
    }
    // A query node's own filters are filters; its select list, FROM and the rest are not, even
    // when the node is a subquery inside a filter.
    const fresh = j.type === 'SELECT_NODE' ? false : inFilter;
    for (const [k, x] of Object.entries(j)) walk(x, fresh || k === 'where_clause' || k === 'condition' || k === 'having' || k === 'qualify');
  };
  walk(tree, false);
  return { exotic, filterRefs };
}

export function planStatements(serialized: unknown, columnsOf: (table: string) => ReadonlySet<string> | undefined, params: readonly unknown[] = []): QueryPlan {
  const root = serialized as { error?: boolean; statements?: { node: J }[] };
  if (!root || root.error || !root.statements || root.statements.length !== 1) return EMPTY_PLAN;
  const node = root.statements[0]!.node;
  const refs = new Map<string, number>();
  for (const t of tableRefs(root.statements)) refs.set(t.toLowerCase(), (refs.get(t.toLowerCase()) ?? 0) + 1);
  const { exotic, filterRefs } = survey(root.statements);
  if (node.type !== 'SELECT_NODE') return { ...EMPTY_PLAN, refs, filterRefs };
  const w: FromWalk = { aliases: new Map(), qualifiers: new Map(), joins: [], exotic };
  walkFrom(node.from_table as J, w);
  const aliases = w.aliases;
  const at = (ref: string[] | undefined): ColumnAt | undefined => {
    if (!ref) return undefined;
    if (ref.length === 3 || ref.length === 4) {
      // `public.items.id` (`memory.public.items.id`): a table named without an alias, qualified
      // as the FROM writes it. DuckDB binds such a reference to that table before it reads it as
      // a struct field (`public` a struct column); whatever DuckDB cannot bind fails the statement.
      const alias = ref[ref.length - 2]!;
      const table = aliases.get(alias);
      const prefix = ref.slice(0, -2).join('.');
      return table && prefix !== '' && w.qualifiers.get(alias) === prefix && !aliases.has(ref[0]!) ? { alias, table, column: ref[ref.length - 1]! } : undefined;
    }
    if (ref.length === 2) {
      const table = aliases.get(ref[0]!);
      return table ? { alias: ref[0]!, table, column: ref[1]! } : undefined;
    }
    if (ref.length !== 1) return undefined;
    const owners = [...aliases].filter(([, t]) => columnsOf(t)?.has(ref[0]!));
    return owners.length === 1 ? { alias: owners[0]![0], table: owners[0]![1], column: ref[0]! } : undefined;
  };

  const links: [ColumnAt, ColumnAt][] = [];
  const link = (c: J, sides?: { left: ReadonlySet<string>; right: ReadonlySet<string> }) => {
    if (c.class !== 'COMPARISON' || c.type !== 'COMPARE_EQUAL') return;
    const l = at(columnRef(c.left as J));
    const r = at(columnRef(c.right as J));
    if (!l || !r) return;
    if (sides && !((sides.left.has(l.alias) && sides.right.has(r.alias)) || (sides.left.has(r.alias) && sides.right.has(l.alias)))) return;
    links.push([l, r]);
  };
  for (const j of w.joins) for (const c of conjuncts(j.condition)) link(c, j);

  const conditions: Condition[] = [];
  const add = (where: ColumnAt, op: FilterOp, values: SqlConstant[]) => conditions.push({ table: where.table, alias: where.alias, column: where.column, op, values });
  for (const c of conjuncts(node.where_clause as J | null)) {
    const op = COMPARE[String(c.type)];
    if (op && c.class === 'COMPARISON') {
      link(c);
      const l = at(columnRef(c.left as J));
      const r = at(columnRef(c.right as J));
      const value = l ? constantOf(c.right as J, params) : r ? constantOf(c.left as J, params) : undefined;
      if ((l ?? r) && value) add((l ?? r)!, l ? op : FLIP[op]!, [value]);
    } else if (c.type === 'COMPARE_IN') {
      const [first, ...rest] = c.children as J[];
      const where = at(columnRef(first));
      const values = rest.map((x) => constantOf(x, params));
      if (where && values.length > 0 && values.every((v): v is SqlConstant => v !== undefined)) add(where, 'in', values);
    } else if (c.class === 'FUNCTION' && c.function_name === '~~') {
      // LIKE '%text%' (no other wildcards) is "contains"; DuckDB's LIKE has no escape character unless one is given.
      const [col, pattern] = c.children as J[];
      const where = at(columnRef(col));
      const p = pattern && constantOf(pattern, params);
      const m = p?.kind === 'string' ? /^%([^%_]+)%$/.exec(p.text) : null;
      if (where && m && (c.children as J[]).length === 2) add(where, 'contains', [{ kind: 'string', text: m[1]! }]);
    }
  }

  let limit: QueryPlan['limit'];
  const modifiers = (node.modifiers as J[] | undefined) ?? [];
  const lim = modifiers.find((m) => m.type === 'LIMIT_MODIFIER');
  const simple =
    lim &&
    !lim.offset &&
    modifiers.every((m) => m.type === 'LIMIT_MODIFIER') &&
    !node.where_clause &&
    !node.having &&
    !node.qualify &&
    ((node.group_expressions as unknown[] | undefined)?.length ?? 0) === 0 &&
    (node.from_table as J | null)?.type === 'BASE_TABLE' &&
    node.aggregate_handling === 'STANDARD_HANDLING' &&
    // Only bare columns and plain stars: any expression could aggregate, expand or drop rows.
    (node.select_list as J[]).every((e) => e.class === 'COLUMN_REF' || (e.class === 'STAR' && !e.expr && !e.columns && ((e.replace_list as unknown[] | undefined)?.length ?? 0) === 0));
  if (simple) {
    const k = constantOf(lim.limit as J);
    const rows = k?.kind === 'number' ? Number(k.text) : NaN;
    const tables = [...new Set(aliases.values())];
    if (Number.isSafeInteger(rows) && rows >= 0 && tables.length === 1) limit = { table: tables[0]!, rows };
  }
  return { conditions, refs, from: aliases, links, exotic: w.exotic, filterRefs, ...(limit ? { limit } : {}) };
}
