/**
 * The model as PostgreSQL sees it: which relations the catalog holds, with which PostgreSQL types,
 * keys and foreign keys, and the SQL script that creates them in the catalog's PostgreSQL.
 *
 * API tables are in schema `public`, restsql's info tables in schema `restsql`, all owned by role
 * `restsql` and readable by everyone. Column types are the ones RowDescription reports for the
 * column (the caller describes each table through DuckDB and maps the types with pgTypeOf), so the
 * catalog and the rows a query returns agree. A table's `#key` columns (for child tables: the copy of
 * the parent's key plus the array position or map key; for tables without a key: the generated
 * rowid) are its primary key, NOT NULL; a child table's copy of its parent's key is a foreign key to
 * the parent's primary key. Constraint names are PostgreSQL's defaults (`<table>_pkey`,
 * `<table>_<column>_fkey`).
 */
import type { ResolvedModel, TableDef } from '../../model/types.js';
import { allTables } from '../../model/types.js';
import { ident as pgIdent } from '../../engine/sql-text.js';
import type { PgColumnType } from '../types/pg-type.js';

/** The schema of the API tables. */
export const API_SCHEMA = 'public';
/** The schema of restsql's info tables (`_configuration`, `sampling_status`). */
export const INFO_SCHEMA = 'restsql';
/** The role that owns every table. */
export const OWNER_ROLE = 'restsql';
/** PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

export interface CatalogColumn {
  readonly name: string;
  readonly type: PgColumnType;
  readonly notNull: boolean;
}

export interface CatalogTable {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly CatalogColumn[];
  /** Column names of the primary key, in key order; empty for none. */
  readonly primaryKey: readonly string[];
  /** A child table's reference to its parent's primary key. */
  readonly foreignKey?: { readonly columns: readonly string[]; readonly table: string; readonly refColumns: readonly string[] };
}

/** What the catalog needs of the engine: each named relation's columns as RowDescription types them. */
export type DescribeTables = (names: readonly string[]) => Promise<ReadonlyMap<string, readonly { readonly name: string; readonly type: PgColumnType }[]>>;

export interface CatalogShape {
  readonly tables: readonly CatalogTable[];
  /** Relations left out, each with why (names PostgreSQL cannot hold). */
  readonly skipped: readonly string[];
}

/**
 * The catalog's tables for `model`: its API tables, then the info tables it has (`infoTables`, the
 * names not taken by an API table), each described by `describe`.
 */
export async function catalogShape(model: ResolvedModel, infoTables: readonly string[], describeTables: DescribeTables): Promise<CatalogShape> {
  const tables: CatalogTable[] = [];
  const skipped: string[] = [];
  const defs = allTables(model);
  const apiNames = new Set(defs.map((t) => t.name.toLowerCase()));
  const infos = infoTables.filter((n) => !apiNames.has(n.toLowerCase()));
  const described = await describeTables([...defs.map((t) => t.name), ...infos]);
  const describe = (name: string) => {
    const cols = described.get(name);
    if (!cols) throw new Error(`the engine did not describe table ${name}`);
    return cols;
  };
  const byName = new Map(defs.map((t) => [t.name, t]));
  const tooLong = (name: string) => Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES;
  for (const t of defs) {
    if (tooLong(t.name) || t.columns.some((c) => tooLong(c.name))) {
      skipped.push(`${t.name}: PostgreSQL names are at most ${MAX_IDENTIFIER_BYTES} bytes; rename the table or its long columns in the model file`);
      continue;
    }
    const types = new Map(describe(t.name).map((c) => [c.name, c.type]));
    const keys = t.columns.filter((c) => c.key).map((c) => c.name);
    tables.push({
      schema: API_SCHEMA,
      name: t.name,
      columns: t.columns.map((c) => ({ name: c.name, type: typeOf(types, t, c.name), notNull: c.key })),
      primaryKey: keys,
      ...foreignKeyOf(t, byName),
    });
  }
  for (const name of infos) {
    const cols = describe(name);
    tables.push({ schema: INFO_SCHEMA, name, columns: cols.map((c) => ({ name: c.name, type: c.type, notNull: false })), primaryKey: [] });
  }
  // A foreign key to a table left out goes too.
  const kept = new Set(tables.map((t) => t.name));
  return { tables: tables.map((t) => (t.foreignKey && !kept.has(t.foreignKey.table) ? { ...t, foreignKey: undefined } : t)), skipped };
}

function typeOf(types: ReadonlyMap<string, PgColumnType>, t: TableDef, column: string): PgColumnType {
  const type = types.get(column);
  if (!type) throw new Error(`table ${t.name}: DuckDB describes no column ${column}`);
  return type;
}

function foreignKeyOf(t: TableDef, byName: ReadonlyMap<string, TableDef>): Pick<CatalogTable, 'foreignKey'> {
  if (!t.parent) return {};
  const parent = byName.get(t.parent);
  const refs = t.columns.filter((c) => c.source === 'parent').map((c) => c.name);
  const parentKeys = parent?.columns.filter((c) => c.key).map((c) => c.name) ?? [];
  // The model copies the parent's key, column for column; anything else is not a foreign key.
  if (!parent || refs.length === 0 || refs.length !== parentKeys.length) return {};
  return { foreignKey: { columns: refs, table: parent.name, refColumns: parentKeys } };
}

/** The type as DDL writes it: `int8`, `numeric(38,0)`, `_int4` (an array). */
export function typeSql(t: PgColumnType): string {
  const base = t.name.startsWith('_') ? t.name.slice(1) : t.name;
  let sql = pgIdent(base);
  if (t.typeModifier >= 0) {
    if (base === 'numeric') sql += `(${(t.typeModifier - 4) >> 16},${(t.typeModifier - 4) & 0xffff})`;
    else if (base === 'varchar' || base === 'bpchar') sql += `(${t.typeModifier - 4})`;
    else if (base === 'timestamp' || base === 'timestamptz' || base === 'time' || base === 'timetz') sql += `(${t.typeModifier})`;
  }
  return t.name.startsWith('_') ? `${sql}[]` : sql;
}

/** The script that creates `tables` in a fresh PostgreSQL database (run as its superuser). */
export function catalogDdl(tables: readonly CatalogTable[]): string {
  const out: string[] = [`CREATE ROLE ${pgIdent(OWNER_ROLE)} NOLOGIN`, `CREATE SCHEMA ${pgIdent(INFO_SCHEMA)} AUTHORIZATION ${pgIdent(OWNER_ROLE)}`, `GRANT USAGE ON SCHEMA ${pgIdent(INFO_SCHEMA)} TO PUBLIC`];
  for (const t of tables) {
    const name = `${pgIdent(t.schema)}.${pgIdent(t.name)}`;
    const cols = t.columns.map((c) => `${pgIdent(c.name)} ${typeSql(c.type)}${c.notNull ? ' NOT NULL' : ''}`);
    if (t.primaryKey.length > 0) cols.push(`PRIMARY KEY (${t.primaryKey.map(pgIdent).join(', ')})`);
    out.push(`CREATE TABLE ${name} (${cols.join(', ')})`, `ALTER TABLE ${name} OWNER TO ${pgIdent(OWNER_ROLE)}`, `GRANT SELECT ON ${name} TO PUBLIC`);
  }
  // Foreign keys once every table exists (a parent is created before its children anyway).
  for (const t of tables) {
    if (!t.foreignKey) continue;
    const fk = t.foreignKey;
    const parent = tables.find((p) => p.name === fk.table)!;
    out.push(`ALTER TABLE ${pgIdent(t.schema)}.${pgIdent(t.name)} ADD FOREIGN KEY (${fk.columns.map(pgIdent).join(', ')}) REFERENCES ${pgIdent(parent.schema)}.${pgIdent(parent.name)} (${fk.refColumns.map(pgIdent).join(', ')})`);
  }
  return out.map((s) => `${s};`).join('\n');
}
