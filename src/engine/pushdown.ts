/**
 * Which of a statement's conditions may reach an endpoint's requests (the invariant:
 * "Pushdown must never change a result"). All tables of an endpoint load from one fetch, so a
 * condition that narrows the fetch narrows every one of them, for every place the statement reads
 * them. A narrowing condition is sent only when that cannot matter:
 * - every reference to the endpoint's tables sits in the top-level FROM (none in a subquery, a
 *   CTE, a view or a macro), joined by value (not POSITIONAL, ASOF or LATERAL);
 * - every other reference is tied to the conditioned one by equalities on the root's key columns
 *   (a child's `<parent>_<key>` columns carry them), so its rows come from the same records;
 * - the root has a declared key (generated row ids would be numbered differently).
 * Conditions on a child table's copies of the parent's key columns count as conditions on the
 * parent's columns. Conditions on virtual columns (path parameters, `#virtual`) are not narrowing:
 * they say what the table is, and are always sent.
 */
import { RestSqlError } from '../errors/index.js';
import type { Condition } from '../model/condition.js';
import { tablesOf, type ColumnDef, type EndpointDef, type TableDef } from '../model/types.js';
import type { QueryPlan } from './planner.js';

export interface PushdownContext {
  /** FilterPushdown: narrowing conditions may be sent at all. */
  readonly filters: boolean;
  /** The session has views or macros of its own, which may read API tables unseen. */
  readonly userObjects: boolean;
}

export interface EndpointPushdown {
  /** Conditions on the root table's columns, for request planning. */
  readonly conditions: readonly Condition[];
  readonly limit?: number;
  /** Narrowing conditions the statement has but that were not sent, and why (for hints). */
  readonly held?: string;
  /** The root's columns (lower case) those held conditions are on. */
  readonly heldColumns?: readonly string[];
}

const lower = (s: string) => s.toLowerCase();

/** For each table of the endpoint: lower-case column -> the root column it always equals. */
function rootColumns(root: TableDef): Map<string, Map<string, ColumnDef>> {
  const out = new Map<string, Map<string, ColumnDef>>();
  const visit = (t: TableDef, parentKeys: readonly (ColumnDef | undefined)[]) => {
    const mine = new Map<string, ColumnDef>();
    let ref = 0;
    for (const c of t.columns) {
      const target = t === root ? c : c.source === 'parent' ? parentKeys[ref++] : undefined;
      if (target) mine.set(lower(c.name), target);
    }
    out.set(lower(t.name), mine);
    const keys = t.columns.filter((c) => c.key).map((c) => mine.get(lower(c.name)));
    for (const child of t.children) visit(child, keys);
  };
  visit(root, []);
  return out;
}

/**
 * Every column of the endpoint's tables whose value is a virtual column of the root (the root's
 * own, and a child's copies of a virtual key): conditions on them say what is fetched.
 */
export function virtualColumns(root: TableDef): { table: TableDef; column: ColumnDef }[] {
  const map = rootColumns(root);
  return tablesOf(root).flatMap((table) => table.columns.filter((c) => map.get(lower(table.name))?.get(lower(c.name))?.source === 'virtual').map((column) => ({ table, column })));
}

export function endpointPushdown(endpoint: EndpointDef, plan: QueryPlan, ctx: PushdownContext): EndpointPushdown {
  const root = endpoint.table;
  const tables = new Set(tablesOf(root).map((t) => lower(t.name)));
  const map = rootColumns(root);
  const rootOf = (table: string, column: string) => map.get(table)?.get(column);
  const refs = [...plan.refs].filter(([t]) => tables.has(t)).reduce((n, [, k]) => n + k, 0);
  const mine = [...plan.from].filter(([, t]) => tables.has(t));

  const virtual: Condition[] = [];
  const narrowing: Condition[] = [];
  for (const c of plan.conditions) {
    if (!tables.has(c.table)) continue;
    const target = rootOf(c.table, c.column);
    if (!target) continue;
    const onRoot: Condition = { ...c, table: lower(root.name), column: lower(target.name) };
    (target.source === 'virtual' ? virtual : narrowing).push(onRoot);
  }
  // A virtual column's condition decides what is fetched: one restsql cannot read (in a
  // subquery, a CTE, a join's ON, against an expression) would be answered from the default or
  // another condition's rows. That is an error, never a quietly empty answer.
  for (const { table: t, column: c } of virtualColumns(root)) {
    const name = lower(c.name);
    const read = plan.conditions.filter((x) => x.column === name && tables.has(x.table)).length;
    if ((plan.filterRefs.get(name) ?? 0) > read) {
      throw new RestSqlError('QUERY_MISSING_FILTER', `'${c.name}' of table '${t.name}' is a virtual column: its value decides what is fetched, so a condition on it must be in the statement's top-level WHERE and compare it with a constant (or a parameter).`, {
        hint: `Write it as SELECT ... FROM ${t.name} WHERE ${c.name} = '...' (AND other conditions); in a subquery or CTE restsql cannot send it and will not answer from another value's rows.`,
        details: { table: t.name, column: c.name },
      });
    }
  }

  const keys = root.columns.filter((c) => c.key);
  const linked = (a: string, b: string) => {
    const ta = plan.from.get(a)!;
    const tb = plan.from.get(b)!;
    return keys.every((k) =>
      plan.links.some(([x, y]) =>
        [[x, y], [y, x]].some(([p, q]) => p!.alias === a && q!.alias === b && rootOf(ta, p!.column) === k && rootOf(tb, q!.column) === k),
      ),
    );
  };
  let held: string | undefined;
  if (narrowing.length > 0) {
    if (!ctx.filters) held = 'FilterPushdown=0';
    else if (ctx.userObjects) held = 'the session has views or macros of its own, which may read the table';
    else if (plan.exotic) held = 'the FROM has a POSITIONAL, ASOF or LATERAL join';
    else if (keys.length === 0 || keys.some((k) => k.source !== 'json')) held = `table '${root.name}' has no #key column (its generated row ids depend on what is fetched)`;
    else if (refs !== mine.length) held = `the statement reads '${root.name}' (or a table made from the same endpoint) inside a subquery or CTE too`;
    else {
      const conditioned = new Set(narrowing.map((c) => c.alias));
      if (![...conditioned].every((a) => mine.every(([b]) => b === a || linked(a, b)))) held = `the statement reads '${root.name}' (or a table made from the same endpoint) more than once without joining on its key`;
    }
  }
  const conditions = held ? virtual : [...virtual, ...narrowing];
  const limit = plan.limit && lower(root.name) === plan.limit.table && refs === 1 && !ctx.userObjects && !plan.exotic ? plan.limit.rows : undefined;
  return { conditions, ...(limit !== undefined ? { limit } : {}), ...(held ? { held, heldColumns: [...new Set(narrowing.map((c) => c.column))] } : {}) };
}
