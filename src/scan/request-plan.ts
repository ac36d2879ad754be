/**
 * From a query's WHERE conditions to the requests that fetch a table (DataDirect "Query paths",
 * "Filtering and URI parameters"): the first `#path` whose parameters the conditions satisfy,
 * operator columns as URI parameters or headers, `#default`s, `#mandatory` checks, and one request
 * per value when `col IN (...)` feeds a path parameter.
 */
import { RestSqlError } from '../errors/index.js';
import type { Condition } from '../engine/planner.js';
import type { ColumnDef, EndpointDef, PathDef } from '../model/types.js';

export interface TableRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly jsonRoot: readonly string[];
  /** Values of virtual columns (path parameters, `#virtual`) for the rows of this request. */
  readonly virtuals: Readonly<Record<string, string>>;
}

export interface RequestPlan {
  readonly requests: readonly TableRequest[];
  /** Stop after this many records (a plain LIMIT query). */
  readonly limit?: number;
  /** Identifies what was fetched: a later query with the same key reuses the rows. */
  readonly key: string;
  /** No condition narrowed the fetch: the rows serve any query that constrains no virtual column. */
  readonly complete: boolean;
  /** Rows of a complete fetch answer this query too (it constrains no virtual column or path parameter, and has no LIMIT-only fetch). */
  readonly reusesComplete: boolean;
}

const MAX_REQUESTS = 200;

/** A WHERE value for a POST body: numbers and booleans as JSON numbers and booleans. */
function postValue(c: ColumnDef, v: string): unknown {
  if ((c.type === 'INTEGER' || c.type === 'BIGINT' || c.type === 'DOUBLE') && Number.isFinite(Number(v))) return Number(v);
  if (c.type === 'BOOLEAN' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  return v;
}

/** `body` with `value` placed at `path` (objects created as needed). */
function withMember(body: unknown, path: readonly string[], value: unknown): unknown {
  const root: Record<string, unknown> = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  let node = root;
  for (const k of path.slice(0, -1)) {
    const next = node[k];
    node = (node[k] = next && typeof next === 'object' && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
  }
  if (path.length > 0) node[path[path.length - 1]!] = value;
  return root;
}

function lower(s: string): string {
  return s.toLowerCase();
}

/** The plain path of a RestSamplePath endpoint. */
function pathsOf(e: EndpointDef): readonly PathDef[] {
  return e.paths ?? [{ url: e.url, method: e.method, params: [], samples: {} }];
}

/** Conditions on the endpoint's root table, by lower-case column name. */
export function planRequests(endpoint: EndpointDef, conditions: readonly Condition[], limit?: number): RequestPlan {
  const table = endpoint.table;
  const byColumn = new Map<string, Condition[]>();
  for (const c of conditions) {
    if (c.table !== lower(table.name)) continue;
    byColumn.set(c.column, [...(byColumn.get(c.column) ?? []), c]);
  }
  const column = (name: string): ColumnDef | undefined => table.columns.find((c) => lower(c.name) === lower(name));
  /** Values an equality or IN condition gives the column, else its default. */
  const equalValues = (name: string): string[] | undefined => {
    const cs = byColumn.get(lower(name)) ?? [];
    const eq = cs.find((c) => c.op === 'eq' || c.op === 'in');
    if (eq) return [...eq.values];
    const d = column(name)?.filter?.default;
    return d !== undefined ? [d] : undefined;
  };

  const paths = pathsOf(endpoint);
  const path = paths.find((p) => p.params.every((name) => equalValues(name) !== undefined));
  if (!path) {
    const needed = paths.map((p) => p.params.map((n) => `${n} = ...`).join(' AND ')).join(' or ');
    throw new RestSqlError('QUERY_MISSING_FILTER', `Table '${table.name}' can only be fetched with WHERE ${needed} (its #path needs ${paths.length > 1 ? 'one of these' : 'it'}).`, {
      hint: `Add the condition, e.g. SELECT * FROM ${table.name} WHERE ${paths[0]!.params[0] ?? 'id'} = '...'.`,
      details: { table: table.name },
    });
  }
  for (const c of table.columns) {
    if (c.filter?.mandatory && equalValues(c.name) === undefined && !(byColumn.get(lower(c.name)) ?? []).length) {
      throw new RestSqlError('QUERY_MISSING_FILTER', `Table '${table.name}' needs a WHERE condition on '${c.name}' (#mandatory in the model file).`, {
        hint: `Add it, e.g. SELECT * FROM ${table.name} WHERE ${c.name} = '...'.`,
        details: { table: table.name, column: c.name },
      });
    }
  }

  // Columns whose several IN values each need their own request: path parameters, and filter
  // columns that send equality without an #in parameter.
  const splits: { name: string; values: string[] }[] = [];
  const fixed = new Map<string, string>();
  const seen = new Set<string>();
  const consider = (name: string) => {
    if (seen.has(lower(name))) return;
    seen.add(lower(name));
    const values = equalValues(name);
    if (!values) return;
    const c = column(name);
    const viaIn = c?.filter?.ops.in !== undefined && (byColumn.get(lower(name)) ?? []).some((x) => x.op === 'in');
    if (values.length > 1 && !viaIn) splits.push({ name, values });
    else if (values.length === 1) fixed.set(lower(name), values[0]!);
  };
  for (const p of path.params) consider(p);
  for (const c of table.columns) if (c.filter || c.source === 'virtual') consider(c.name);
  const combos = splits.reduce<Map<string, string>[]>((acc, s) => acc.flatMap((m) => s.values.map((v) => new Map([...m, [lower(s.name), v]]))), [new Map()]);
  if (combos.length > MAX_REQUESTS) {
    throw new RestSqlError('QUERY_MISSING_FILTER', `The IN lists on table '${table.name}' would need ${combos.length} requests (at most ${MAX_REQUESTS}).`, {
      hint: 'Use fewer values, or split the query.',
      details: { table: table.name },
    });
  }

  const requests = combos.map((combo): TableRequest => {
    const value = (name: string) => combo.get(lower(name)) ?? fixed.get(lower(name));
    let url = path.url.replace(/\{([^}]+)\}/g, (_m, n: string) => encodeURIComponent(value(n) ?? ''));
    const params = new URLSearchParams();
    const headers: Record<string, string> = { ...endpoint.headers };
    const virtuals: Record<string, string> = {};
    let body: unknown = endpoint.postBody === undefined ? undefined : structuredClone(endpoint.postBody);
    for (const c of table.columns) {
      const eqValue = value(c.name);
      if (c.source === 'virtual' && eqValue !== undefined) virtuals[c.name] = eqValue;
      const f = c.filter;
      if (!f) continue;
      const cs = byColumn.get(lower(c.name)) ?? [];
      const inCond = cs.find((x) => x.op === 'in');
      if (inCond && f.ops.in && inCond.values.length > 1) params.set(f.ops.in, inCond.values.join(','));
      else if (eqValue !== undefined) {
        const p = f.ops.eq ?? f.queryParameter;
        if (p) params.set(p, eqValue);
        if (f.header) headers[f.header] = eqValue;
        if (f.postParameter) body = withMember(body, f.postParameter.split('/').filter(Boolean), postValue(c, eqValue));
      }
      for (const x of cs) {
        if (x.op === 'eq' || x.op === 'in') continue;
        const p = f.ops[x.op];
        if (p) params.set(p, x.values[0]!);
      }
    }
    if (endpoint.fieldListParameter) {
      const fields = [...new Set(table.columns.filter((c) => c.source === 'json' && c.path.length > 0).map((c) => c.path[0]!))];
      params.set(endpoint.fieldListParameter, fields.join(','));
    }
    const qs = params.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
    return {
      url,
      // A body (from #post or #postParameter) means a POST.
      method: body !== undefined ? 'POST' : path.method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      jsonRoot: path.jsonRoot ?? endpoint.jsonRoot,
      virtuals,
    };
  });
  const narrowed = [...byColumn.keys()].some((k) => {
    const c = column(k);
    return c?.filter !== undefined || c?.source === 'virtual' || path.params.some((p) => lower(p) === k);
  });
  const virtualNarrowed = [...byColumn.keys()].some((k) => column(k)?.source === 'virtual' || path.params.some((p) => lower(p) === k));
  return {
    requests,
    ...(limit !== undefined ? { limit } : {}),
    key: JSON.stringify([requests, limit ?? null]),
    complete: !narrowed && limit === undefined,
    reusesComplete: !virtualNarrowed && path === paths[0],
  };
}
