/**
 * Reads the parsed SQL (DuckDB's json_serialize_sql tree) for what can reach the API: simple
 * WHERE conditions (column op constant, joined by AND) per table, and a LIMIT that may stop paging
 * early. DuckDB still applies every condition to the rows; this only narrows what is fetched.
 */
import type { FilterOp } from '../model/types.js';

export interface Condition {
  /** Lower-case table name. */
  readonly table: string;
  /** Lower-case column name. */
  readonly column: string;
  readonly op: FilterOp;
  /** Constant values as text (one, or several for IN). */
  readonly values: readonly string[];
}

export interface QueryPlan {
  readonly conditions: readonly Condition[];
  /** Set when the statement is a plain `SELECT ... FROM one_table LIMIT n` (no WHERE, ORDER BY, grouping, DISTINCT). */
  readonly limit?: { readonly table: string; readonly rows: number };
}

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
const AGGREGATES = new Set(['count', 'count_star', 'sum', 'avg', 'mean', 'min', 'max', 'string_agg', 'group_concat', 'list', 'array_agg', 'first', 'last', 'any_value', 'median', 'mode', 'quantile', 'quantile_cont', 'quantile_disc', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'bool_and', 'bool_or', 'bit_and', 'bit_or', 'histogram', 'arg_max', 'arg_min', 'approx_count_distinct', 'product', 'fsum', 'kahan_sum', 'entropy', 'corr', 'covar_pop', 'covar_samp', 'json_group_array', 'json_group_object']);

/** A constant's value as text (DECIMAL constants arrive scaled). */
function constantText(node: J): string | undefined {
  if (node.class === 'CAST') return constantText(node.child as J);
  if (node.class !== 'CONSTANT') return undefined;
  const v = node.value as { type: { id: string; type_info?: { scale?: number } | null }; is_null: boolean; value: unknown };
  if (v.is_null) return undefined;
  if (v.type.id === 'DECIMAL') {
    const scale = v.type.type_info?.scale ?? 0;
    const digits = String(v.value);
    if (scale === 0) return digits;
    const neg = digits.startsWith('-');
    const abs = (neg ? digits.slice(1) : digits).padStart(scale + 1, '0');
    return `${neg ? '-' : ''}${abs.slice(0, -scale)}.${abs.slice(-scale)}`;
  }
  return typeof v.value === 'object' ? JSON.stringify(v.value) : String(v.value);
}

function columnRef(node: J): string[] | undefined {
  return node.class === 'COLUMN_REF' ? (node.column_names as string[]).map((s) => s.toLowerCase()) : undefined;
}

/** BASE_TABLEs of a FROM tree, alias -> table (lower case); joins are walked, subqueries are not. */
function fromTables(from: J | null | undefined, out: Map<string, string>): void {
  if (!from) return;
  if (from.type === 'BASE_TABLE') {
    const name = String(from.table_name).toLowerCase();
    out.set(String(from.alias || from.table_name).toLowerCase(), name);
  } else if (from.type === 'JOIN') {
    fromTables(from.left as J, out);
    fromTables(from.right as J, out);
  }
}

function conjuncts(node: J | null | undefined): J[] {
  if (!node) return [];
  if (node.class === 'CONJUNCTION' && node.type === 'CONJUNCTION_AND') return (node.children as J[]).flatMap(conjuncts);
  return [node];
}

function hasAggregate(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  const j = node as J;
  if ((j.class === 'FUNCTION' || j.class === 'AGGREGATE') && AGGREGATES.has(String(j.function_name).toLowerCase())) return true;
  if (j.class === 'WINDOW') return true;
  return Object.values(j).some((v) => (Array.isArray(v) ? v.some(hasAggregate) : hasAggregate(v)));
}

/**
 * Every table a serialized SELECT reads, by name. DuckDB's getTableNames alone misses some valid
 * queries: it answers [] for `SELECT x.* FROM t x ORDER BY 1, 2` (DuckDB 1.5: ORDER BY positions
 * past the columns it can count before expanding x.*). CTE names come too: a CTE named like an
 * API table costs a fetch, never a missing one.
 */
export function tableRefs(serialized: unknown): string[] {
  const names: string[] = [];
  JSON.stringify(serialized, (_k, v: unknown) => {
    const node = v as { type?: unknown; table_name?: unknown } | null;
    if (node && typeof node === 'object' && node.type === 'BASE_TABLE' && typeof node.table_name === 'string') names.push(node.table_name);
    return v;
  });
  return names;
}

/**
 * The plan for a serialized statement list. `columnsOf` gives each known table's lower-case
 * column names (to place unqualified column references).
 */
export function planStatements(serialized: unknown, columnsOf: (table: string) => ReadonlySet<string> | undefined): QueryPlan {
  const root = serialized as { error?: boolean; statements?: { node: J }[] };
  if (!root || root.error || !root.statements || root.statements.length !== 1) return { conditions: [] };
  const node = root.statements[0]!.node;
  if (node.type !== 'SELECT_NODE') return { conditions: [] };
  const aliases = new Map<string, string>();
  fromTables(node.from_table as J, aliases);
  const tables = [...new Set(aliases.values())];
  const tableOf = (ref: string[]): { table: string; column: string } | undefined => {
    if (ref.length === 2) {
      const t = aliases.get(ref[0]!);
      return t ? { table: t, column: ref[1]! } : undefined;
    }
    if (ref.length !== 1) return undefined;
    const owners = tables.filter((t) => columnsOf(t)?.has(ref[0]!));
    return owners.length === 1 ? { table: owners[0]!, column: ref[0]! } : undefined;
  };

  const conditions: Condition[] = [];
  for (const c of conjuncts(node.where_clause as J | null)) {
    const op = COMPARE[String(c.type)];
    if (op && c.class === 'COMPARISON') {
      const l = columnRef(c.left as J);
      const r = columnRef(c.right as J);
      const ref = l ?? r;
      const value = l ? constantText(c.right as J) : r ? constantText(c.left as J) : undefined;
      const at = ref && tableOf(ref);
      if (at && value !== undefined) conditions.push({ ...at, op: l ? op : FLIP[op]!, values: [value] });
    } else if (c.type === 'COMPARE_IN') {
      const [first, ...rest] = c.children as J[];
      const ref = first && columnRef(first);
      const values = rest.map(constantText);
      const at = ref && tableOf(ref);
      if (at && values.length > 0 && values.every((v): v is string => v !== undefined)) conditions.push({ ...at, op: 'in', values });
    } else if (c.class === 'FUNCTION' && c.function_name === '~~') {
      // LIKE '%text%' (no other wildcards) is "contains".
      const [col, pattern] = c.children as J[];
      const ref = col && columnRef(col);
      const p = pattern && constantText(pattern);
      const m = p !== undefined ? /^%([^%_]+)%$/.exec(p) : null;
      const at = ref && tableOf(ref);
      if (at && m) conditions.push({ ...at, op: 'contains', values: [m[1]!] });
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
    !hasAggregate(node.select_list);
  if (simple) {
    const rows = Number(constantText(lim.limit as J));
    if (Number.isInteger(rows) && rows >= 0 && tables.length === 1) limit = { table: tables[0]!, rows };
  }
  return { conditions, ...(limit ? { limit } : {}) };
}
