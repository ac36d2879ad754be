/**
 * Which engine answers a statement: DuckDB (API tables, everything else) or the catalog
 * (PostgreSQL, for pg_catalog and information_schema).
 *
 * A statement with no catalog word in it (see CATALOG_WORD) goes to DuckDB without being parsed:
 * queries over API tables pay one regular-expression test. One that has a catalog word is parsed
 * with PostgreSQL's own parser (libpg-query); it goes to the catalog when it is one SELECT (or
 * VALUES) that reads catalog relations, or no relation at all and calls a catalog function or
 * casts to a reg* type, and reads no API table. Reading both is refused (CATALOG_MIXED): the two
 * live in different engines. `information_schema.system_sampling_status` (DataDirect's name) is
 * restsql's info table, DuckDB's. What PostgreSQL cannot parse (DuckDB's own syntax) goes to DuckDB.
 */
import { createRequire } from 'node:module';
import { RestSqlError } from '../../errors/index.js';
import { VENDOR_STATUS_TABLE } from '../../engine/info-tables.js';

export type Route = 'engine' | 'catalog';

/** A set_config(name, value, is_local) call of a catalog statement, which the session applies once it ran. */
export interface SetConfigCall {
  readonly name: string;
  readonly value: string;
  readonly local: boolean;
}

export interface Routed {
  readonly route: Route;
  /** The settings a catalog statement's set_config() calls change, in order. */
  readonly setConfig: readonly SetConfigCall[];
}

const ENGINE: Routed = Object.freeze({ route: 'engine', setConfig: [] });

/** Words that make a statement a candidate for the catalog (case-insensitive, whole words). */
const CATALOG_WORD =
  /\b(?:pg_\w+|information_schema|_pg_\w+|reg(?:class|type|proc|procedure|namespace|role)|current_(?:user|role|catalog|schema)|session_user|has_\w+_privilege)\b|\b(?:version|current_(?:database|schemas|setting)|format_type|obj_description|col_description|shobj_description|set_config|quote_ident|txid_current|inet_(?:server|client)_(?:addr|port))\s*\(/i;

/** Functions whose answer is the catalog's (or the session's, as PostgreSQL keeps it). */
const CATALOG_FUNCTIONS = new Set([
  'version',
  'current_database',
  'current_catalog',
  'current_schema',
  'current_schemas',
  'current_user',
  'current_role',
  'session_user',
  'user',
  'current_setting',
  'set_config',
  'format_type',
  'obj_description',
  'col_description',
  'shobj_description',
  'quote_ident',
  'txid_current',
  'inet_server_addr',
  'inet_server_port',
  'inet_client_addr',
  'inet_client_port',
]);
const CATALOG_FUNCTION_PATTERN = /^(?:pg_|has_\w+_privilege$|_pg_)/;
const REG_TYPES = new Set(['regclass', 'regtype', 'regproc', 'regprocedure', 'regnamespace', 'regrole', 'regoper', 'regoperator', 'regconfig', 'regdictionary', 'regcollation', 'oid']);
const CATALOG_SCHEMAS = new Set(['pg_catalog', 'information_schema']);
/**
 * DataDirect's `INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS` is restsql's info table (DuckDB reads
 * it under another name, engine/odbc-escapes.ts), not a catalog relation.
 */
const isVendorStatus = (r: { schema: string | undefined; name: string }) => r.schema?.toLowerCase() === 'information_schema' && r.name.toLowerCase() === VENDOR_STATUS_TABLE;
/**
 * The longest statement with a catalog word that is parsed to route it (characters). Parsing runs
 * on the server's event loop (about 4 ms per kilobyte for long expressions), so it is bounded;
 * catalog statements clients send are a few kilobytes.
 */
export const MAX_ROUTED_LENGTH = 64 * 1024;

interface Parser {
  parseSync(sql: string): unknown;
  loadModule(): Promise<void>;
}

let parser: Parser | undefined;
let loading: Promise<void> | undefined;

/** Loads PostgreSQL's parser (WebAssembly, about 20 ms) once. */
export async function loadParser(): Promise<void> {
  if (parser) return;
  loading ??= (async () => {
    const p = createRequire(import.meta.url)('libpg-query') as Parser;
    await p.loadModule();
    parser = p;
  })();
  await loading;
}

/** True when the statement might read the catalog (the cheap test; only these are parsed). */
export function mentionsCatalog(sql: string): boolean {
  return CATALOG_WORD.test(sql);
}

/**
 * Where `sql` (one statement) runs. `isApiTable(schema, name)` says whether a relation is one of
 * restsql's tables (API or info), `schema` undefined when unqualified. Call loadParser() first.
 */
export function routeStatement(sql: string, isApiTable: (schema: string | undefined, name: string) => boolean): Routed {
  if (!mentionsCatalog(sql)) return ENGINE;
  if (!parser) throw new Error('routeStatement: loadParser() was not awaited');
  if (sql.length > MAX_ROUTED_LENGTH) {
    throw new RestSqlError('CATALOG_ROUTE_LIMIT', `This statement names the catalog (pg_catalog, information_schema or a catalog function) and is ${sql.length} characters long; restsql reads statements of at most ${MAX_ROUTED_LENGTH} characters to tell catalog statements from queries over API tables.`, {
      hint: 'Shorten the statement, or split it (catalog statements clients send are a few kilobytes).',
    });
  }
  let tree: unknown;
  try {
    tree = parser.parseSync(sql);
  } catch {
    // Not PostgreSQL (DuckDB's own syntax, or an error DuckDB will report): DuckDB's.
    return ENGINE;
  }
  const stmts = (tree as { stmts?: { stmt?: Record<string, unknown> }[] }).stmts ?? [];
  if (stmts.length !== 1) return ENGINE;
  const stmt = stmts[0]!.stmt ?? {};
  if (!('SelectStmt' in stmt)) return ENGINE;
  const seen = survey(stmt, isApiTable);
  const api = seen.relations.filter((r) => isApiTable(r.schema, r.name));
  const catalog = seen.relations.filter((r) => !isVendorStatus(r) && (r.schema !== undefined ? CATALOG_SCHEMAS.has(r.schema) : r.name.startsWith('pg_') && !isApiTable(undefined, r.name)));
  const other = seen.relations.filter((r) => !api.includes(r) && !catalog.includes(r));
  if (catalog.length > 0 && (api.length > 0 || other.length > 0)) {
    const a = [...api, ...other][0]!;
    throw new RestSqlError('CATALOG_MIXED', `This statement reads the catalog (${show(catalog[0]!)}) and ${show(a)}, which restsql answers in another engine; a statement can read one or the other.`, {
      hint: 'Query the catalog and the API tables in separate statements.',
    });
  }
  if (catalog.length === 0 && (seen.relations.length > 0 || !seen.catalogCalls)) return ENGINE;
  if (seen.setConfig === 'computed') {
    throw new RestSqlError('SERVER_UNSUPPORTED', 'set_config() is supported only with constant arguments, as a column of a SELECT with no FROM, WHERE or other clause (restsql applies the setting to the session after the statement)', {
      hint: "Write SELECT set_config('search_path', 'public', false), or use SET.",
    });
  }
  return { route: 'catalog', setConfig: seen.setConfig };
}

function show(r: { schema: string | undefined; name: string }): string {
  return r.schema ? `${r.schema}.${r.name}` : r.name;
}

interface Survey {
  /** Relations read (RangeVar), CTE names left out. */
  readonly relations: { schema: string | undefined; name: string }[];
  /** A catalog function is called or a value is cast to a reg* type. */
  catalogCalls: boolean;
  /** set_config() calls with constant arguments; `computed` when any has another argument. */
  setConfig: SetConfigCall[] | 'computed';
}

/**
 * Walks PostgreSQL's parse tree (iteratively: a deep tree must not exhaust the stack) for the
 * relations a statement reads and the catalog calls it makes. A set_config() call counts only as a
 * column of a SELECT with no other clause (where PostgreSQL surely calls it once: pg_dump's and
 * psql's form); anywhere else, and with other than constant arguments, it is `computed`.
 */
function survey(stmt: Record<string, unknown>, isApiTable: (schema: string | undefined, name: string) => boolean): Survey {
  const out: Survey = { relations: [], catalogCalls: false, setConfig: [] };
  const ctes = new Set<string>();
  const plain = plainSetConfigCalls(stmt);
  const stack: unknown[] = [stmt];
  while (stack.length > 0) {
    const v = stack.pop();
    if (!v || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      continue;
    }
    const o = v as Record<string, unknown>;
    const cte = o['CommonTableExpr'] as { ctename?: string } | undefined;
    if (cte?.ctename) ctes.add(cte.ctename);
    const rv = o['RangeVar'] as { schemaname?: string; relname?: string } | undefined;
    if (rv?.relname) out.relations.push({ schema: rv.schemaname, name: rv.relname });
    const fn = o['FuncCall'] as { funcname?: { String?: { sval?: string } }[]; args?: unknown[] } | undefined;
    if (fn?.funcname) {
      const parts = fn.funcname.map((p) => p.String?.sval ?? '');
      const name = parts[parts.length - 1]!;
      if (parts.length > 1 && CATALOG_SCHEMAS.has(parts[0]!)) out.catalogCalls = true;
      if (CATALOG_FUNCTIONS.has(name) || CATALOG_FUNCTION_PATTERN.test(name)) out.catalogCalls = true;
      if (name === 'set_config' && (parts.length === 1 || parts[0] === 'pg_catalog') && out.setConfig !== 'computed') {
        const call = plain.has(fn) ? setConfigCall(fn.args ?? []) : undefined;
        if (call) out.setConfig.push(call);
        else out.setConfig = 'computed';
      }
    }
    const svf = o['SQLValueFunction'] as { op?: string } | undefined;
    if (svf?.op && /CURRENT_(USER|ROLE|CATALOG|SCHEMA)|SESSION_USER|SVFOP_USER/.test(svf.op)) out.catalogCalls = true;
    const cast = o['TypeCast'] as { typeName?: { names?: { String?: { sval?: string } }[] } } | undefined;
    if (cast?.typeName?.names) {
      const names = cast.typeName.names.map((p) => p.String?.sval ?? '');
      if (REG_TYPES.has(names[names.length - 1]!)) out.catalogCalls = true;
    }
    const values = Object.values(o);
    for (let i = values.length - 1; i >= 0; i--) stack.push(values[i]);
  }
  // An unqualified relation named like a CTE is the CTE, unless an API table has the name too: CTEs
  // have scopes this walk does not follow, so such a name is taken for the API table (then the
  // statement goes to DuckDB, or is refused as mixed), never for a CTE over the catalog.
  return { ...out, relations: out.relations.filter((r) => r.schema !== undefined || !ctes.has(r.name) || isApiTable(undefined, r.name)) };
}

/** The FuncCall nodes of set_config() that are whole columns of a SELECT with no FROM, WHERE or other clause. */
function plainSetConfigCalls(stmt: Record<string, unknown>): Set<unknown> {
  const select = stmt['SelectStmt'] as Record<string, unknown> | undefined;
  const calls = new Set<unknown>();
  if (!select) return calls;
  const clauses = ['fromClause', 'whereClause', 'groupClause', 'havingClause', 'windowClause', 'valuesLists', 'sortClause', 'limitOffset', 'limitCount', 'lockingClause', 'withClause', 'distinctClause', 'larg', 'rarg'];
  if (clauses.some((c) => select[c] !== undefined)) return calls;
  for (const t of (select['targetList'] as { ResTarget?: { val?: { FuncCall?: unknown } } }[] | undefined) ?? []) {
    const fn = t.ResTarget?.val?.FuncCall;
    if (fn) calls.add(fn);
  }
  return calls;
}

/** set_config(name, value, is_local) with constant arguments; undefined for any other argument. */
function setConfigCall(args: readonly unknown[]): SetConfigCall | undefined {
  if (args.length !== 3) return undefined;
  const [name, value, local] = args.map(constantText);
  if (name === undefined || value === undefined || local === undefined) return undefined;
  const flag = /^(t|true|on|yes|1)$/i.test(local) ? true : /^(f|false|off|no|0)$/i.test(local) ? false : undefined;
  return flag === undefined ? undefined : { name, value, local: flag };
}

/** A constant's text (a string, a number, a boolean, or one of those cast); undefined for anything else. */
function constantText(node: unknown): string | undefined {
  const o = node as Record<string, Record<string, unknown> | undefined>;
  if (o['TypeCast']) return constantText(o['TypeCast']['arg']);
  const c = o['A_Const'];
  if (!c || c['isnull']) return undefined;
  const sval = c['sval'] as { sval?: string } | undefined;
  if (sval) return sval.sval ?? '';
  const bool = c['boolval'] as { boolval?: boolean } | undefined;
  if (bool) return bool.boolval ? 'true' : 'false';
  const ival = c['ival'] as { ival?: number } | undefined;
  if (ival) return String(ival.ival ?? 0);
  return undefined;
}
