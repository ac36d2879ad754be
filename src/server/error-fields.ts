/**
 * Errors as PostgreSQL clients read them: an ErrorResponse's fields (PostgreSQL 15 "Error and
 * Notice Message Fields") from a RestSqlError, with the SQLSTATE of its code and, for SQL errors,
 * the 1-based character position psql underlines.
 */
import { ERROR_CODES, toRestSqlError, type RestSqlError } from '../errors/index.js';
import type { ErrorFields } from './protocol/backend.js';

/**
 * The 1-based character position in `sql` of the place DuckDB's message points at with its
 * `LINE n: <excerpt>` and caret lines; undefined when there is none.
 */
export function positionOf(message: string, sql: string): number | undefined {
  const m = /LINE (\d+): (.*)\n( *)\^/.exec(message);
  if (!m) return undefined;
  const lineNo = Number(m[1]);
  let excerpt = m[2]!;
  let caret = m[3]!.length - `LINE ${m[1]}: `.length;
  const lines = sql.split('\n');
  if (lineNo < 1 || lineNo > lines.length) return undefined;
  const lineStart = lines.slice(0, lineNo - 1).reduce((n, l) => n + l.length + 1, 0);
  const line = lines[lineNo - 1]!;
  // DuckDB cuts long lines to an excerpt, marked with "..." where it cut.
  if (excerpt.startsWith('...')) {
    excerpt = excerpt.slice(3);
    caret -= 3;
  }
  if (excerpt.endsWith('...')) excerpt = excerpt.slice(0, -3);
  const at = line.indexOf(excerpt);
  if (at < 0 || caret < 0) return undefined;
  // Characters, as PostgreSQL counts them (not UTF-16 units).
  return [...sql.slice(0, lineStart + at + caret)].length + 1;
}

/** DuckDB's message without its LINE/caret block (the position field carries it). */
function withoutExcerpt(message: string): string {
  return message.replace(/\n+LINE \d+: .*\n *\^.*/s, '').trim();
}

/** The fields of an ErrorResponse (or of a FATAL one) for `e`, raised by statement `sql` if given. */
export function errorFields(e: unknown, sql?: string, severity: 'ERROR' | 'FATAL' = 'ERROR'): ErrorFields {
  const err: RestSqlError = toRestSqlError(e);
  const info = ERROR_CODES[err.code];
  const details = (err.details ?? {}) as Record<string, unknown>;
  const explicit = typeof details['position'] === 'number' ? (details['position'] as number) : undefined;
  const position = explicit ?? (sql !== undefined ? positionOf(err.message, sql) : undefined);
  const detail = typeof details['detail'] === 'string' ? (details['detail'] as string) : undefined;
  return {
    severity,
    // A catalog error carries PostgreSQL's own SQLSTATE.
    code: typeof details['sqlState'] === 'string' && /^[0-9A-Z]{5}$/.test(details['sqlState'] as string) ? (details['sqlState'] as string) : info.sqlState,
    message: position !== undefined || /\nLINE \d+: /.test(err.message) ? withoutExcerpt(err.message) : err.message,
    ...(detail ? { detail } : {}),
    ...(err.hint ? { hint: err.hint } : {}),
    ...(position !== undefined ? { position } : {}),
    ...(typeof details['table'] === 'string' ? { table: details['table'] as string } : {}),
    ...(typeof details['column'] === 'string' ? { column: details['column'] as string } : {}),
  };
}
