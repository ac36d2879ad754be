/**
 * From a query's WHERE conditions to the requests that fetch a table (DataDirect "Query paths",
 * "Filtering and URI parameters"): the first `#path` whose parameters the conditions satisfy,
 * operator columns as URI parameters or headers, `#default`s, `#mandatory` checks, and one request
 * per value when `col IN (...)` feeds a path parameter.
 */
import { RestSqlError } from '../errors/index.js';
import { apiValue } from '../model/api-value.js';
import type { Condition } from '../model/condition.js';
import type { ColumnDef, EndpointDef, FilterOp, PathDef } from '../model/types.js';
import { stringifyJson } from '../util/json.js';

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
  /** Columns (lower case) whose `#default` was sent because the statement gave no value. */
  readonly defaulted: readonly string[];
}

const MAX_REQUESTS = 200;

/** A WHERE value (as apiValue rendered it) for a POST body: numbers and booleans as JSON numbers and booleans, every digit kept. */
function postValue(c: ColumnDef, v: string): unknown {
  if ((c.type === 'INTEGER' || c.type === 'BIGINT' || c.type === 'HUGEINT') && /^-?\d+$/.test(v)) return BigInt(v);
  if (c.type === 'DOUBLE' && Number.isFinite(Number(v))) return Number(v);
  if (c.type === 'BOOLEAN' && /^(true|false)$/.test(v)) return v === 'true';
  return v;
}

/** A condition with its values as the API reads them (model/api-value.ts); absent when one cannot be sent. */
interface Rendered {
  readonly op: FilterOp;
  readonly values: readonly string[];
}

function render(c: Condition, column: ColumnDef | undefined): Rendered | undefined {
  if (!column) return undefined;
  const values = c.values.map((k) => apiValue(k, column.type, c.op));
  return values.every((v): v is string => v !== undefined) ? { op: c.op, values: [...new Set(values)] } : undefined;
}

// Node and undici refuse header values with control or non-Latin-1 characters.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

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

/**
 * A path parameter's value as one URL path segment. `.` and `..` would move the request to
 * another path (URL parsers resolve them, encoded or not), so they are refused.
 */
function pathSegment(table: string, name: string, v: string): string {
  if (v === '.' || v === '..') {
    throw new RestSqlError('QUERY_MISSING_FILTER', `'${v}' cannot be sent as path parameter {${name}} of table '${table}': it would change the request's path.`, {
      hint: `Give ${name} a real value.`,
      details: { table, column: name },
    });
  }
  return encodeURIComponent(v);
}

/** The plain path of a RestSamplePath endpoint. */
function pathsOf(e: EndpointDef): readonly PathDef[] {
  return e.paths ?? [{ url: e.url, method: e.method, params: [], samples: {} }];
}

/** Conditions on the endpoint's root table, by lower-case column name. */
export function planRequests(endpoint: EndpointDef, conditions: readonly Condition[], limit?: number): RequestPlan {
  const table = endpoint.table;
  const column = (name: string): ColumnDef | undefined => table.columns.find((c) => lower(c.name) === lower(name));
  const byColumn = new Map<string, Rendered[]>();
  for (const c of conditions) {
    if (c.table !== lower(table.name)) continue;
    const r = render(c, column(c.column));
    if (r) byColumn.set(c.column, [...(byColumn.get(c.column) ?? []), r]);
  }
  /**
   * Values equality or IN conditions give the column, else its default. Several conditions (on
   * aliases tied by the key, or a = 1 AND a = 2) give the union: more is fetched, DuckDB decides.
   */
  const defaulted = new Set<string>();
  const equalValues = (name: string): string[] | undefined => {
    const eqs = (byColumn.get(lower(name)) ?? []).filter((c) => c.op === 'eq' || c.op === 'in');
    if (eqs.length > 0) return [...new Set(eqs.flatMap((c) => c.values))];
    const d = column(name)?.filter?.default;
    if (d === undefined) return undefined;
    defaulted.add(lower(name));
    return [d];
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
  const inLists = new Map<string, string[]>();
  const seen = new Set<string>();
  const consider = (name: string) => {
    if (seen.has(lower(name))) return;
    seen.add(lower(name));
    const values = equalValues(name);
    if (!values) return;
    const c = column(name);
    // One #in parameter carries the list, unless a value holds the comma that separates them.
    // A virtual column's rows carry the value they were requested with, so it never goes as a list.
    const viaIn = c?.source !== 'virtual' && c?.filter?.ops.in !== undefined && values.every((v) => !v.includes(','));
    // Otherwise a request per value, where something carries one value (never the same request twice).
    const single = path.params.some((p) => lower(p) === lower(name)) || c?.source === 'virtual' || (c?.filter !== undefined && (c.filter.ops.eq ?? c.filter.queryParameter ?? c.filter.header ?? c.filter.postParameter) !== undefined);
    if (values.length > 1 && !viaIn && single) splits.push({ name, values });
    else if (values.length > 1 && viaIn) inLists.set(lower(name), values);
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
    let url = path.url.replace(/\{([^}]+)\}/g, (_m, n: string) => pathSegment(table.name, n, value(n) ?? ''));
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
      const list = inLists.get(lower(c.name));
      if (list && f.ops.in) params.set(f.ops.in, list.join(','));
      else if (eqValue !== undefined) {
        const p = f.ops.eq ?? f.queryParameter;
        if (p) params.set(p, eqValue);
        if (f.header && HEADER_VALUE.test(eqValue)) headers[f.header] = eqValue;
        else if (f.header && c.source === 'virtual') {
          // The rows would be labelled with a value the request never carried.
          throw new RestSqlError('QUERY_MISSING_FILTER', `The value for '${c.name}' of table '${table.name}' cannot be sent in the ${f.header} header (control or non-Latin-1 characters).`, {
            hint: 'Use a value a header can carry.',
            details: { table: table.name, column: c.name },
          });
        }
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
      ...(body !== undefined ? { body: stringifyJson(body) } : {}),
      jsonRoot: path.jsonRoot ?? endpoint.jsonRoot,
      virtuals,
    };
  });
  const narrowed = [...byColumn.keys()].some((k) => {
    const c = column(k);
    return c?.filter !== undefined || c?.source === 'virtual' || path.params.some((p) => lower(p) === k);
  });
  const virtualNarrowed = [...byColumn.keys()].some((k) => column(k)?.source === 'virtual' || path.params.some((p) => lower(p) === k));
  // A default sent on a column that is not virtual narrows the rows as a condition would.
  const defaultNarrowed = [...defaulted].some((k) => column(k)?.source !== 'virtual');
  return {
    requests,
    ...(limit !== undefined ? { limit } : {}),
    key: JSON.stringify([requests, limit ?? null]),
    complete: !narrowed && !defaultNarrowed && limit === undefined,
    reusesComplete: !virtualNarrowed && path === paths[0],
    defaulted: [...defaulted],
  };
}
