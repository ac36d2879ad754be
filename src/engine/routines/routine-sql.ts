/**
 * Routines as DuckDB SQL. A function becomes a session macro (DuckDB's `CREATE TEMP MACRO`): a
 * scalar one `name(p, ...) AS CAST((expr) AS type)`, a table one `name(p, ...) AS TABLE SELECT`
 * with the query's columns cast to the declared types and named as declared. Inside the body,
 * each parameter is read as its declared type (`CAST(p AS type)`), as the vendor's engine converts
 * arguments to the parameters' types. A procedure's statements get each parameter as a typed
 * literal (`CAST('42' AS INTEGER)`) before they run.
 *
 * A parameter is found in the body as a word (or quoted name) of its own that is not qualified
 * (`orders.status` stays a column), not qualifying (`p.x`), not called (`p(...)`), not an alias or
 * type (`AS p`, `::p`) and not a named argument (`p := 1`): a parameter's name stands for the
 * parameter wherever else it appears, as in DuckDB's macros, so a column that shares a
 * parameter's name is qualified with its table.
 */
import { lex } from '../../sql/lexer.js';
import type { FunctionDef } from '../../model/types.js';
import { ident, literal } from '../sql-text.js';

/** `text` with each parameter named in `replacements` (lower-case names) replaced by its text. */
export function substituteParams(text: string, replacements: ReadonlyMap<string, string>): string {
  if (replacements.size === 0) return text;
  const toks = lex(text);
  let out = '';
  let at = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind !== 'word' && t.kind !== 'quotedIdent') continue;
    const replacement = replacements.get(t.value.toLowerCase());
    if (replacement === undefined) continue;
    const prev = toks[i - 1];
    const next = toks[i + 1];
    if (prev && ((prev.kind === 'punct' && prev.text === '.') || (prev.kind === 'word' && prev.value === 'as') || (prev.kind === 'operator' && prev.text === '::'))) continue;
    if (next && ((next.kind === 'punct' && (next.text === '.' || next.text === '(')) || (next.kind === 'operator' && (next.text === ':=' || next.text === '=>')))) continue;
    out += `${text.slice(at, t.start)}${replacement}`;
    at = t.end;
  }
  return out + text.slice(at);
}

/** A value (as DuckDB's text of it, or null) written as a literal of `type`. */
export function typedLiteral(value: string | null, type: string): string {
  return `CAST(${value === null ? 'NULL' : literal(value)} AS ${type})`;
}

/** `CREATE [OR REPLACE] TEMP MACRO` for a function (see the file comment). */
export function macroSql(def: FunctionDef, replace = false): string {
  const params = def.params.map((p) => ident(p.name));
  const typed = new Map(def.params.map((p) => [p.name.toLowerCase(), `CAST(${ident(p.name)} AS ${p.type.sql})`]));
  // A newline before each closing parenthesis: a body may end with a -- comment.
  const body = `${substituteParams(def.body, typed)}\n`;
  const anyNull = def.nullOnNullInput && def.params.length > 0 ? def.params.map((p) => `${ident(p.name)} IS NULL`).join(' OR ') : undefined;
  const head = `CREATE ${replace ? 'OR REPLACE ' : ''}TEMP MACRO ${ident(def.name)}(${params.join(', ')})`;
  if (def.returns.kind === 'scalar') {
    const type = def.returns.type.sql;
    const value = `CAST((${body}) AS ${type})`;
    return `${head} AS ${anyNull ? `CASE WHEN ${anyNull} THEN CAST(NULL AS ${type}) ELSE ${value} END` : value}`;
  }
  const inner = def.returns.columns.map((_, i) => `restsql_c${i + 1}`);
  const columns = def.returns.columns.map((c, i) => `CAST(${inner[i]} AS ${c.type.sql}) AS ${ident(c.name)}`).join(', ');
  return `${head} AS TABLE SELECT ${columns} FROM (${body}) AS restsql_routine(${inner.join(', ')})${anyNull ? ` WHERE NOT (${anyNull})` : ''}`;
}

/** `DROP MACRO` for a function made by macroSql. */
export function dropMacroSql(def: FunctionDef): string {
  return `DROP MACRO ${def.returns.kind === 'table' ? 'TABLE ' : ''}temp.main.${ident(def.name)}`;
}

/** The statement giving a function's value (scalar) or rows (table) for `args`, as CALL and `{?= call}` answer. */
export function functionCallSql(def: FunctionDef, args: readonly string[]): string {
  const call = `${ident(def.name)}(${args.join(', ')})`;
  return def.returns.kind === 'scalar' ? `SELECT ${call} AS ${ident(def.name)}` : `SELECT * FROM ${call}`;
}

/** First words of statements that return rows. */
const QUERY_WORDS = new Set(['select', 'with', 'values', 'from', 'table', 'show', 'describe', 'summarize', 'pivot', 'unpivot', 'explain', 'call']);

/** Whether `statement` returns rows: a query, a CALL, or a write with RETURNING. */
export function returnsRows(statement: string): boolean {
  const toks = lex(statement);
  const first = toks[0];
  if (!first) return false;
  if (first.kind === 'punct' && first.text === '(') return true;
  if (first.kind === 'word' && QUERY_WORDS.has(first.value)) return true;
  let depth = 0;
  for (const t of toks) {
    if (t.kind === 'punct' && t.text === '(') depth++;
    else if (t.kind === 'punct' && t.text === ')') depth--;
    else if (depth === 0 && t.kind === 'word' && t.value === 'returning') return true;
  }
  return false;
}

/** The one row CALL answers with when the procedure's last statement returns no rows. */
export function callSummarySql(name: string, statements: number, rowsChanged: number): string {
  const status = `CALL ${name}: ${statements} statement${statements === 1 ? '' : 's'} run, ${rowsChanged} row${rowsChanged === 1 ? '' : 's'} changed`;
  return `SELECT ${literal(status)} AS status, ${statements}::INTEGER AS statements, ${rowsChanged}::BIGINT AS rows_changed`;
}
