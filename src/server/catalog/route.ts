/**
 * Which engine answers a statement: DuckDB (API tables, everything else) or the catalog
 * (PostgreSQL, for pg_catalog and information_schema).
 *
 * A statement with no catalog word in it (see CATALOG_WORD) goes to DuckDB without being parsed:
 * queries over API tables pay one regular-expression test. One that has a catalog word is parsed
 * with PostgreSQL's own parser (libpg-query); it goes to the catalog when it is one SELECT (or
 * VALUES) that reads catalog relations, or no relation at all and calls a catalog function or
 * casts to a reg* type, and reads no API table. Reading both is refused (CATALOG_MIXED): the two
 * live in different engines. What PostgreSQL cannot parse (DuckDB's own syntax) goes to DuckDB.
 */
import { createRequire } from 'node:module';
import { RestSqlError } from '../../errors/index.js';

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
  const seen = survey(stmt);
  const api = seen.relations.filter((r) => isApiTable(r.schema, r.name));
  const catalog = seen.relations.filter((r) => (r.schema !== undefined ? CATALOG_SCHEMAS.has(r.schema) : r.name.startsWith('pg_') && !isApiTable(undefined, r.name)));
  const other = seen.relations.filter((r) => !api.includes(r) && !catalog.includes(r));
  if (catalog.length > 0 && (api.length > 0 || other.length > 0)) {
    const a = [...api, ...other][0]!;
    throw new RestSqlError('CATALOG_MIXED', `This statement reads the catalog (${show(catalog[0]!)}) and ${show(a)}, which restsql answers in another engine; a statement can read one or the other.`, {
      hint: 'Query the catalog and the API tables in separate statements.',
    });
  }
  if (catalog.length === 0 && (seen.relations.length > 0 || !seen.catalogCalls)) return ENGINE;
  if (seen.setConfig === 'computed') {
    throw new RestSqlError('SERVER_UNSUPPORTED', 'set_config() is supported with constant arguments only (restsql applies the setting to the session after the statement)', {
      hint: "Write the name, value and is_local as constants (set_config('search_path', 'public', false)), or use SET.",
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

/** Walks PostgreSQL's parse tree for the relations a statement reads and the catalog calls it makes. */
function survey(stmt: unknown): Survey {
  const out: Survey = { relations: [], catalogCalls: false, setConfig: [] };
  const ctes = new Set<string>();
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    const cte = o['CommonTableExpr'] as { ctename?: string } | undefined;
    if (cte?.ctename) ctes.add(cte.ctename);
    const rv = o['RangeVar'] as { schemaname?: string; relname?: string } | undefined;
    if (rv?.relname) out.relations.push({ schema: rv.schemaname, name: rv.relname });
    const fn = o['FuncCall'] as { funcname?: { String?: { sval?: string } }[] } | undefined;
    if (fn?.funcname) {
      const parts = fn.funcname.map((p) => p.String?.sval ?? '');
      const name = parts[parts.length - 1]!;
      if (parts.length > 1 && CATALOG_SCHEMAS.has(parts[0]!)) out.catalogCalls = true;
      if (CATALOG_FUNCTIONS.has(name) || CATALOG_FUNCTION_PATTERN.test(name)) out.catalogCalls = true;
      if (name === 'set_config' && (parts.length === 1 || parts[0] === 'pg_catalog') && out.setConfig !== 'computed') {
        const call = setConfigCall((fn as { args?: unknown[] }).args ?? []);
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
    Object.values(o).forEach(walk);
  };
  walk(stmt);
  // A relation named like a CTE, unqualified, is the CTE.
  return { ...out, relations: out.relations.filter((r) => r.schema !== undefined || !ctes.has(r.name)) };
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
