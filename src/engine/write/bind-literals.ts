/**
 * A statement's bound parameters written into its text as typed SQL literals. A write is taken
 * apart into several statements (the rows to write, the rows it reads, RETURNING); each part keeps
 * the parameters it uses without renumbering them.
 */
import { RestSqlError } from '../../errors/index.js';
import { tokens } from '../../sql/lexer.js';
import type { Params } from '../duckdb.js';
import { literal } from '../sql-text.js';

/** A plain JavaScript value as a DuckDB literal. */
function plainLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  // Numbers in parentheses: `1-$1` with -2 must not become `1--2`, a comment.
  if (typeof v === 'bigint') return `(${v})`;
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return `(${v})`;
    if (Number.isFinite(v)) return `(${v}::DOUBLE)`;
    return `${literal(String(v))}::DOUBLE`;
  }
  if (typeof v === 'string') return literal(v);
  // The instant as UTC wall time: restsql's TIMESTAMP columns hold UTC, and a TIMESTAMPTZ would be
  // turned into the process's local time when stored in one.
  if (v instanceof Date) return `${literal(v.toISOString())}::TIMESTAMP`;
  if (v instanceof Uint8Array) return `from_hex(${literal(Buffer.from(v).toString('hex'))})`;
  return `${literal(JSON.stringify(v))}::JSON`;
}

/** A DuckDB value with its type (restsql serve's bound parameters) as a literal of that type. */
function typedLiteral(v: unknown, type: { toString(): string } | undefined): string {
  if (type === undefined) return plainLiteral(v !== null && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array) ? String(v) : v);
  if (v === null || v === undefined) return `CAST(NULL AS ${type.toString()})`;
  if (v instanceof Uint8Array) return `CAST(${plainLiteral(v)} AS ${type.toString()})`;
  return `CAST(${literal(v instanceof Date ? v.toISOString() : String(v))} AS ${type.toString()})`;
}

/**
 * `sql` with `$n` and `?` replaced by the values of `params` as literals (found by the lexer, so
 * never inside a string, identifier or comment). Throws QUERY_BAD_PARAMETER when a parameter
 * has no value.
 */
export function bindLiterals(sql: string, params: Params | undefined): string {
  const values: readonly unknown[] = params === undefined ? [] : Array.isArray(params) ? params : (params as Exclude<Params, readonly unknown[]>).values;
  const types = params !== undefined && !Array.isArray(params) ? (params as Exclude<Params, readonly unknown[]>).types : [];
  const value = (n: number, at: number): string => {
    if (n < 1 || n > values.length) {
      throw new RestSqlError('QUERY_BAD_PARAMETER', `The statement uses parameter ${n === 0 ? '?' : `$${n}`} but ${values.length} value${values.length === 1 ? ' was' : 's were'} bound.`, { hint: 'Bind one value per parameter.', details: { position: at + 1 } });
    }
    // The library's plain values (objects and arrays are JSON); restsql serve's DuckDB values with their types.
    return Array.isArray(params) ? plainLiteral(values[n - 1]) : typedLiteral(values[n - 1], types[n - 1]);
  };
  let out = '';
  let at = 0;
  let question = 0;
  for (const t of tokens(sql)) {
    if (t.kind === 'param') {
      out += `${sql.slice(at, t.start)}${value(Number(t.text.slice(1)), t.start)}`;
      at = t.end;
    } else if (t.kind === 'operator' && t.text.includes('?')) {
      out += sql.slice(at, t.start);
      for (const c of t.text) out += c === '?' ? value(++question, t.start) : c;
      at = t.end;
    }
  }
  return out + sql.slice(at);
}
