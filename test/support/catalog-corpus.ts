/**
 * The catalog corpus (test/data/catalog-corpus/*.json): the catalog SQL real PostgreSQL clients send,
 * kept as data, shared by the test that runs it against restsql serve and a real PostgreSQL 15
 * (test/e2e/catalog-corpus.test.ts) and by the script that captures it from the clients
 * (test/support/capture-catalog-corpus.ts).
 *
 * OIDs of user objects (tables, their row types, constraints, schemas, roles, databases: OID 16384
 * and up) differ from server to server. A client that sends one it read earlier (psql's `\d` asks
 * for a table's OID, then for its columns `WHERE c.oid = '16390'`) has it in the corpus as a
 * placeholder, `{{oid:pg_class:public.types}}`, which the test replaces by that object's OID on each
 * server; in results such OIDs are compared by the same symbolic names.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export const CORPUS_DIR = join(ROOT, 'test', 'data', 'catalog-corpus');
export const ORACLE_SCHEMA = join(CORPUS_DIR, 'oracle-schema.sql');
export const DIFFERENCES = join(CORPUS_DIR, 'differences.json');

/** The first OID PostgreSQL gives to objects made after initdb (FirstNormalObjectId). */
export const FIRST_USER_OID = 16384;
/**
 * The first OID initdb gives to the objects its SQL scripts make (FirstUnpinnedObjectId): system
 * views, information_schema. Not fixed: they follow the order initdb makes things in, which changes
 * between major versions.
 */
export const FIRST_UNPINNED_OID = 12000;

export interface CorpusEntry {
  /** Unique in the corpus: `<client>-<action>[-n]`. */
  readonly id: string;
  /** The client and its version, e.g. `psql 15.18`. */
  readonly client: string;
  /** What the user or program did, e.g. `\d types`, `DatabaseMetaData.getColumns(null, "public", "types", "%")`. */
  readonly action: string;
  /** The statement exactly as the client sent it (user OIDs as placeholders). */
  readonly sql: string;
  /** Bind parameters in text form (null for NULL), when the client sent it with the extended protocol. */
  readonly params?: readonly (string | null)[];
  /** Where it came from: `captured from ...` or `owner/repo path@commit`. */
  readonly source: string;
}

/** Every corpus file, in name order, with its entries. */
export function loadCorpus(dir = CORPUS_DIR): { file: string; entries: CorpusEntry[] }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'differences.json')
    .sort()
    .map((file) => ({ file, entries: JSON.parse(readFileSync(join(dir, file), 'utf8')) as CorpusEntry[] }));
}

/**
 * (oid, symbol) for every object with an OID of `from` (FIRST_USER_OID) or more that a client can
 * see, readable by any role. Symbols name the catalog and the object (schema-qualified), so the same
 * object has the same symbol on every server.
 */
export const userOidsSql = (from = FIRST_USER_OID): string => `
SELECT c.oid::text AS oid, 'pg_class:' || n.nspname || '.' || c.relname AS symbol FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid >= ${from}
UNION ALL SELECT t.oid::text, 'pg_type:' || n.nspname || '.' || t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.oid >= ${from}
UNION ALL SELECT oid::text, 'pg_namespace:' || nspname FROM pg_catalog.pg_namespace WHERE oid >= ${from}
UNION ALL SELECT co.oid::text, 'pg_constraint:' || n.nspname || '.' || coalesce(r.relname || '.', '') || co.conname FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_namespace n ON n.oid = co.connamespace LEFT JOIN pg_catalog.pg_class r ON r.oid = co.conrelid WHERE co.oid >= ${from}
UNION ALL SELECT oid::text, 'pg_roles:' || rolname FROM pg_catalog.pg_roles WHERE oid >= ${from}
UNION ALL SELECT oid::text, 'pg_database:' || datname FROM pg_catalog.pg_database WHERE oid >= ${from}
UNION ALL SELECT p.oid::text, 'pg_proc:' || n.nspname || '.' || p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')' FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE p.oid >= ${from}
UNION ALL SELECT ad.oid::text, 'pg_attrdef:' || n.nspname || '.' || r.relname || '.' || a.attname FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_class r ON r.oid = ad.adrelid JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum WHERE ad.oid >= ${from}
UNION ALL SELECT oid::text, 'pg_extension:' || extname FROM pg_catalog.pg_extension WHERE oid >= ${from}
UNION ALL SELECT oid::text, 'pg_trigger:' || tgrelid::regclass::text || '.' || tgname FROM pg_catalog.pg_trigger WHERE oid >= ${from}
UNION ALL SELECT oid::text, 'pg_rewrite:' || ev_class::regclass::text || '.' || rulename FROM pg_catalog.pg_rewrite WHERE oid >= ${from}`;

/** The two directions of one server's user OIDs. */
export interface OidSymbols {
  readonly toSymbol: ReadonlyMap<string, string>;
  readonly toOid: ReadonlyMap<string, string>;
}

export function oidSymbols(rows: readonly { oid: string; symbol: string }[]): OidSymbols {
  const toSymbol = new Map<string, string>();
  const toOid = new Map<string, string>();
  // A TOAST table (and its index and row type) is named after its table's OID: pg_toast.pg_toast_16390
  // becomes pg_toast.pg_toast_<pg_class:public.types>.
  const byOid = new Map(rows.map((r) => [r.oid, r.symbol]));
  rows = rows.map(({ oid, symbol }) => ({ oid, symbol: symbol.replace(/\bpg_toast_(\d+)/g, (m, owner: string) => (byOid.has(owner) ? `pg_toast_<${byOid.get(owner)}>` : m)) }));
  for (const { oid, symbol } of rows) {
    // OIDs come from one counter, so two catalogs rarely share one; if they do, both names show.
    toSymbol.set(oid, toSymbol.has(oid) ? `${toSymbol.get(oid)}|${symbol}` : symbol);
    toOid.set(symbol, oid);
  }
  return { toSymbol, toOid };
}

const PLACEHOLDER = /\{\{oid:([^}]+)\}\}/g;

/** The corpus text with each `{{oid:...}}` replaced by that object's OID on a server (which must have it). */
export function withOids(text: string, symbols: OidSymbols): string {
  return text.replace(PLACEHOLDER, (_m, symbol: string) => {
    const oid = symbols.toOid.get(symbol);
    if (oid === undefined) throw new Error(`the server has no object ${symbol} (corpus placeholder {{oid:${symbol}}})`);
    return oid;
  });
}

/** Client text (SQL, a parameter) with each user OID written as a number replaced by its placeholder. */
export function placeholders(text: string, symbols: OidSymbols): string {
  return text.replace(/(?<![\w.$])\d{5,10}(?![\w.])/g, (digits) => {
    const symbol = symbols.toSymbol.get(digits);
    return symbol === undefined || symbol.includes('|') ? digits : `{{oid:${symbol}}}`;
  });
}

/**
 * A result value with each user OID replaced by `<symbol>`: the whole value (an oid column), or each
 * number of a value made only of numbers (oidvector `16390 16395`, oid[] `{16390,16395}`).
 */
export function symbolizeValue(value: string, symbols: OidSymbols): string {
  const whole = symbols.toSymbol.get(value);
  if (whole !== undefined) return `<${whole}>`;
  if (!/^[{(]?[\d\s,{}()]*[})]?$/.test(value) || !/\d{5}/.test(value)) return value;
  return value.replace(/\d{5,10}/g, (digits) => {
    const symbol = symbols.toSymbol.get(digits);
    return symbol === undefined ? digits : `<${symbol}>`;
  });
}

/** Whether a statement reads the catalog: the words restsql's router looks for (pg_*, information_schema, ...). */
export function readsCatalog(sql: string): boolean {
  return /\bpg_\w+|\binformation_schema\b|\bversion\s*\(|\bcurrent_(schema|schemas|database|catalog)\b|::\s*reg\w+|\bformat_type\s*\(|\bhas_\w+_privilege\s*\(|\bobj_description\s*\(|\bcol_description\s*\(|\bcurrent_setting\s*\(/i.test(sql);
}

/** Who the clients are on both servers: restsql serve's test fixture logs in so (serveFixture). */
export const CLIENT_USER = 'tester';
export const CLIENT_DATABASE = 'restsql';

/**
 * Makes the oracle hold what restsql serve presents: the login role, the database the clients
 * connect to, and oracle-schema.sql in it.
 */
export async function prepareOracle(server: { exec(sql: string, dbname?: string): Promise<unknown> }, password: string): Promise<void> {
  await server.exec(`CREATE ROLE ${CLIENT_USER} LOGIN PASSWORD '${password.replaceAll("'", "''")}'`);
  await server.exec(`CREATE DATABASE ${CLIENT_DATABASE}`);
  await server.exec(readFileSync(ORACLE_SCHEMA, 'utf8'), CLIENT_DATABASE);
}
