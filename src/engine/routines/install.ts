/**
 * The model file's functions in a new session: each becomes a temporary macro of the session's
 * DuckDB connection (engine/routines/routine-sql.ts), made when the hub opens the session and
 * again for the session REFRESH MAP gives a connection. Procedures need nothing in DuckDB: CALL
 * reads them from the model (engine/routines/procedure-call.ts).
 */
import { RestSqlError, toRestSqlError } from '../../errors/index.js';
import type { FunctionDef, RoutineDef } from '../../model/types.js';
import type { Engine } from '../duckdb.js';
import { literal } from '../sql-text.js';
import { macroSql } from './routine-sql.js';
import { builtinName } from './session.js';

/**
 * Makes `routines`' functions in `engine`'s session. DuckDB checks a table function's query when
 * it is made, so one that calls another is made after it (in as many rounds as it takes). Throws
 * MODEL_INVALID naming the model file's line when a function cannot be made.
 */
export async function installRoutines(engine: Engine, routines: readonly RoutineDef[] | undefined): Promise<void> {
  const functions = (routines ?? []).filter((r): r is FunctionDef => r.kind === 'function');
  if (functions.length === 0) return;
  const names = functions.map((f) => literal(f.name.toLowerCase())).join(', ');
  const [builtins] = await engine.run(`SELECT DISTINCT lower(function_name) AS name FROM duckdb_functions() WHERE internal AND lower(function_name) IN (${names})`);
  const taken = new Set((builtins?.rows ?? []).map((r) => String(r.name)));
  const clash = functions.find((f) => taken.has(f.name.toLowerCase()));
  if (clash) throw builtinName(clash);
  let pending = functions;
  while (pending.length > 0) {
    const failed: [FunctionDef, unknown][] = [];
    for (const f of pending) {
      try {
        await engine.run(macroSql(f));
      } catch (e) {
        failed.push([f, e]);
      }
    }
    if (failed.length === pending.length) throw cannotMake(...failed[0]!);
    pending = failed.map(([f]) => f);
  }
}

function cannotMake(def: FunctionDef, e: unknown): RestSqlError {
  const err = toRestSqlError(e);
  const at = def.origin ? `${def.origin.file}:${def.origin.line}:${def.origin.column}: ` : '';
  return new RestSqlError('MODEL_INVALID', `${at}routine '${def.name}' cannot be made: ${err.message}`, {
    hint: 'Check the names the function uses: its parameters, and the tables and columns of the model (`restsql tables`, `restsql describe TABLE`).',
    details: { routine: def.name, ...def.origin, routineError: err.code },
    cause: e,
  });
}
