/** SQL text restsql writes for DuckDB: identifiers and string literals quoted the one way. */

/** A quoted identifier: `"name"`, inner double quotes doubled. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal: `'text'`, inner single quotes doubled. */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
