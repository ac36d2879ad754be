/**
 * SQL text restsql writes for DuckDB and for the catalog's PostgreSQL: identifiers and string
 * literals quoted the one way both read them (PostgreSQL with standard_conforming_strings on, its
 * default: a backslash in a literal is a plain character).
 */

/** A quoted identifier: `"name"`, inner double quotes doubled. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal: `'text'`, inner single quotes doubled. */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
