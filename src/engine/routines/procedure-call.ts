/**
 * CALL (also `{call name(args)}`, which engine/odbc-escapes.ts rewrites to it), before DuckDB
 * sees it:
 *
 * - a procedure: its arguments are evaluated by DuckDB (`SELECT CAST((arg) AS type)`, bound
 *   parameters `$1`/`?` allowed) and written into its statements as typed literals; the
 *   statements then run in order through the connection's own statement entry, each as a
 *   statement of its own (fetching the API tables it reads, sending the writes it makes). The
 *   result is the rows of the last statement when it returns rows (a SELECT, a CALL, a write with
 *   RETURNING), else one row `status, statements, rows_changed`. A failing statement stops the
 *   CALL; those before it stay done (an API has no transaction to roll back).
 * - a function: its value (`SELECT f(args)`) or its rows (`SELECT * FROM f(args)`).
 * - any other name: DuckDB's own table function (`CALL pragma_version()`), as DuckDB runs CALL;
 *   when DuckDB has none of that name either, ROUTINE_UNKNOWN.
 */
import { RestSqlError } from '../../errors/index.js';
import type { ProcedureDef, RoutineDef } from '../../model/types.js';
import type { Params, StatementShape } from '../duckdb.js';
import { ident } from '../sql-text.js';
import type { Final, RoutineHost } from './host.js';
import { callSummarySql, functionCallSql, returnsRows, substituteParams, typedLiteral } from './routine-sql.js';
import type { CallForm } from './script.js';

/** How deep CALLs may nest (a procedure calling itself without end stops here). */
export const MAX_CALL_DEPTH = 32;

/** DuckDB's StatementType CALL. */
const CALL = 19;

export interface CallContext {
  readonly host: RoutineHost;
  /** The routine of a name (any case), the session's or the model file's. */
  lookup(name: string): RoutineDef | undefined;
  /** Every routine's name, for messages. */
  names(): string[];
  /** CALLs running now, nested. */
  readonly depth: { value: number };
}

/** `name(param type, ...)`, for messages. */
export function signature(def: RoutineDef): string {
  return `${def.name}(${def.params.map((p) => `${p.name} ${p.type.written}`).join(', ')})`;
}

function checkArity(def: RoutineDef, args: readonly string[]): void {
  if (args.length === def.params.length) return;
  const n = def.params.length;
  throw new RestSqlError('ROUTINE_ARGUMENTS', `${def.kind} ${def.name} takes ${n} argument${n === 1 ? '' : 's'}, not ${args.length}: ${signature(def)}.`, {
    hint: `Call it with ${n === 0 ? 'no arguments' : `one argument per parameter, in order`}: CALL ${def.name}(${def.params.map((p) => p.name).join(', ')}).`,
    details: { routine: def.name, expected: n, given: args.length },
  });
}

/** DuckDB's "no table function of that name", for `name`. */
function missingTableFunction(e: unknown, name: string): boolean {
  const m = /Table Function with name "?([^"!\s]+)"? does not exist/i.exec(e instanceof Error ? e.message : String(e));
  return m !== null && m[1]!.toLowerCase() === name.toLowerCase();
}

function unknownRoutine(name: string, names: readonly string[], cause?: unknown): RestSqlError {
  const known = names.length > 0 ? ` Routines defined: ${names.join(', ')}.` : ' No routine is defined (the model file has no routines, and this session created none).';
  return new RestSqlError('ROUTINE_UNKNOWN', `CALL ${name}: no procedure or function of that name.${known}`, {
    hint: 'Check the name, define it (CREATE PROCEDURE in this session, or in the model file\'s "routines"), or call one of DuckDB\'s table functions.',
    details: { routine: name },
    ...(cause !== undefined ? { cause } : {}),
  });
}

/**
 * Runs what CALL does before its result (see the file comment) and returns the statement giving
 * the result. Throws ROUTINE_ARGUMENTS, ROUTINE_ARGUMENT_VALUE or ROUTINE_NESTING, or the error
 * of a statement of the procedure (naming the procedure and the statement).
 */
export async function runCall(ctx: CallContext, form: CallForm, params: Params | undefined): Promise<Final> {
  const def = ctx.lookup(form.name);
  if (!def) {
    return {
      sql: `SELECT * FROM ${ident(form.name)}(${form.args.join(', ')})`,
      ...(params !== undefined ? { params } : {}),
      statementType: CALL,
      mapError: (e) => (missingTableFunction(e, form.name) ? unknownRoutine(form.name, ctx.names(), e) : e),
    };
  }
  checkArity(def, form.args);
  if (def.kind === 'function') return { sql: functionCallSql(def, form.args), ...(params !== undefined ? { params } : {}), statementType: CALL };
  if (ctx.depth.value >= MAX_CALL_DEPTH) {
    throw new RestSqlError('ROUTINE_NESTING', `CALL ${def.name}: procedures call procedures more than ${MAX_CALL_DEPTH} deep.`, {
      hint: 'A procedure that calls itself needs a way to stop; restsql runs its statements unconditionally, so it never stops: call it a fixed number of times instead.',
      details: { routine: def.name, depth: ctx.depth.value },
    });
  }
  ctx.depth.value++;
  let finished = false;
  const done = () => {
    if (finished) return;
    finished = true;
    ctx.depth.value--;
  };
  try {
    const values = await argumentValues(ctx.host, def, form.args, params);
    const statements = bodyWith(def, (i) => typedLiteral(values[i] ?? null, def.params[i]!.type.sql));
    const last = statements[statements.length - 1]!;
    const lastRows = returnsRows(last);
    let changed = 0;
    const before = lastRows ? statements.slice(0, -1) : statements;
    for (const [i, sql] of before.entries()) {
      for (const r of await ctx.host.queryAll(sql).catch((e: unknown) => Promise.reject(inStatement(def, i, e)))) changed += r.rowsChanged;
    }
    const n = statements.length;
    return {
      sql: lastRows ? last : callSummarySql(def.name, n, changed),
      statementType: CALL,
      rowsChanged: changed,
      ...(lastRows ? { mapError: (e: unknown) => inStatement(def, n - 1, e) } : {}),
      done,
    };
  } catch (e) {
    done();
    throw e;
  }
}

/** The shape of CALL's result, without running anything. */
export async function callShape(ctx: CallContext, form: CallForm): Promise<StatementShape> {
  const def = ctx.lookup(form.name);
  if (!def) {
    try {
      return { ...(await ctx.host.describe(`SELECT * FROM ${ident(form.name)}(${form.args.join(', ')})`)), statementType: CALL };
    } catch (e) {
      throw missingTableFunction(e, form.name) ? unknownRoutine(form.name, ctx.names(), e) : e;
    }
  }
  checkArity(def, form.args);
  if (def.kind === 'function') return { ...(await ctx.host.describe(functionCallSql(def, form.args))), statementType: CALL };
  // The arguments as their parameters' types (DuckDB infers a bare parameter's type from its CAST).
  const args = def.params.length > 0 ? await ctx.host.describe(`SELECT ${def.params.map((p, i) => `CAST((${form.args[i]}\n) AS ${p.type.sql}) AS a${i + 1}`).join(', ')}`) : undefined;
  const statements = bodyWith(def, (i) => typedLiteral(null, def.params[i]!.type.sql));
  const last = statements[statements.length - 1]!;
  const result = await ctx.host.describe(returnsRows(last) ? last : callSummarySql(def.name, statements.length, 0));
  return { statementType: CALL, params: args?.params ?? [], columns: result.columns };
}

/** The procedure's statements with parameter `i` written as `literal(i)`. */
function bodyWith(def: ProcedureDef, literal: (i: number) => string): string[] {
  const replacements = new Map(def.params.map((p, i) => [p.name.toLowerCase(), literal(i)]));
  return def.statements.map((s) => substituteParams(s, replacements));
}

/** The SELECT that evaluates CALL's arguments as their parameters' types, as text (exact for every type). */
function argumentsSql(def: ProcedureDef, args: readonly string[]): string {
  return `SELECT ${def.params.map((p, i) => `CAST(CAST((${args[i]}\n) AS ${p.type.sql}) AS VARCHAR) AS a${i + 1}`).join(', ')}`;
}

/** CALL's arguments, evaluated by DuckDB as their parameters' types (DuckDB's text of each value, or null). */
async function argumentValues(host: RoutineHost, def: ProcedureDef, args: readonly string[], params: Params | undefined): Promise<(string | null)[]> {
  if (def.params.length === 0) return [];
  let results;
  try {
    results = await host.queryAll(argumentsSql(def, args), params);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!/Conversion Error|Could not convert|out of range/i.test(message)) throw e;
    throw new RestSqlError('ROUTINE_ARGUMENT_VALUE', `CALL ${def.name}: an argument does not convert to its parameter's type (${signature(def)}): ${message}`, {
      hint: `Give each argument a value of its parameter's type, in order: ${signature(def)}.`,
      details: { routine: def.name },
      cause: e,
    });
  }
  const row = results[results.length - 1]?.rows[0] ?? {};
  return def.params.map((_, i) => {
    const v = row[`a${i + 1}`];
    return v === null || v === undefined ? null : String(v);
  });
}

/** A statement's error, naming the procedure and which of its statements failed. */
function inStatement(def: ProcedureDef, i: number, e: unknown): unknown {
  // The nesting limit is said once, by the innermost CALL (not once per level on the way out).
  if (!(e instanceof RestSqlError) || e.code === 'ABORTED' || e.code === 'QUERY_TIMEOUT' || e.code === 'CONNECTION_CLOSED' || e.code === 'ROUTINE_NESTING') return e;
  // A position would point into the procedure's statement, not into the CALL.
  const { position: _inBody, ...details } = e.details;
  const n = def.statements.length;
  return new RestSqlError(e.code, `CALL ${def.name}, statement ${i + 1} of ${n}: ${e.message}`, {
    ...(e.hint !== undefined ? { hint: e.hint } : {}),
    details: { ...details, routine: def.name, statement: i + 1 },
    cause: e,
  });
}
