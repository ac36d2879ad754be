import { RestSqlError, type ErrorCode } from '../errors/index.js';

/** DuckDB's error classes (the text before the first ':') mapped to our codes. */
const BY_CLASS: Readonly<Record<string, ErrorCode>> = {
  'Parser Error': 'QUERY_SYNTAX',
  'Permission Error': 'QUERY_NOT_ALLOWED',
  'Interrupt Error': 'ABORTED',
};

/**
 * Turns a DuckDB error into a RestSqlError. DuckDB's message already names the SQL position
 * (`LINE 1: ...` with a caret) and offers candidates ("Did you mean"); both are kept.
 */
export function sqlError(e: unknown, sql: string): RestSqlError {
  // extractStatements wraps parser errors in a prefix of its own.
  const message = (e instanceof Error ? e.message : String(e)).replace(/^Failed to extract statements: /, '');
  const cls = /^([A-Za-z ]+ Error):/.exec(message)?.[1] ?? '';
  let code: ErrorCode = BY_CLASS[cls] ?? 'QUERY_FAILED';
  if (cls === 'Catalog Error' && /Table with name .* does not exist/.test(message)) code = 'QUERY_UNKNOWN_TABLE';
  if (cls === 'Binder Error' && /Referenced column .* not found/.test(message)) code = 'QUERY_UNKNOWN_COLUMN';
  if (cls === 'Invalid Input Error' && /configuration has been locked/.test(message)) code = 'QUERY_NOT_ALLOWED';
  const hint =
    code === 'QUERY_UNKNOWN_TABLE' ? 'Run `restsql tables` (or SHOW TABLES) to list the tables.'
    : code === 'QUERY_UNKNOWN_COLUMN' ? 'Run `restsql describe TABLE` (or DESCRIBE table) to list its columns.'
    : code === 'QUERY_NOT_ALLOWED' ? 'restsql answers SQL over its API tables only: files, extensions, ATTACH and settings are locked.'
    : code === 'QUERY_SYNTAX' ? 'Fix the SQL at the position shown (DuckDB SQL dialect).'
    : 'Check the SQL against the tables and their column types.';
  const position = /LINE (\d+):/.exec(message)?.[1];
  return new RestSqlError(code, message.replace(/\n\s*\n/g, '\n').trim(), { hint, details: { sql: sql.slice(0, 500), ...(position ? { line: Number(position) } : {}) }, cause: e });
}
