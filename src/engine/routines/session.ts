/**
 * A session's routines: the model file's (functions made as macros when the session began,
 * engine/routines/install.ts) and those the application defines with `CREATE FUNCTION` or
 * `CREATE PROCEDURE` in DataDirect's syntax, which live as long as the session's engine (a
 * REFRESH MAP gives the session a new engine, and ends them with its temporary tables).
 *
 * Connection hands each statement text to `intercept` first. Text holding none of the words
 * CALL, FUNCTION, PROCEDURE or ROUTINE costs one regular expression test. Otherwise the text is
 * read as a script; when a statement of it is a routine's (a definition in DataDirect's syntax, a
 * CALL, a DROP of a routine), the script runs here, statement by statement, the others through
 * the connection as before. DuckDB's own `CREATE MACRO` and `CREATE FUNCTION name(a) AS expr`
 * are not DataDirect's syntax and reach DuckDB unchanged.
 */
import { RestSqlError, toRestSqlError } from '../../errors/index.js';
import { routineHead, parseRoutine } from '../../model/routine-parse.js';
import type { FunctionDef, RoutineDef } from '../../model/types.js';
import { charPosition } from '../../sql/lexer.js';
import type { Engine, OpenStatement, Params, StatementResult, StatementShape } from '../duckdb.js';
import { rewriteEscapes } from '../odbc-escapes.js';
import { literal } from '../sql-text.js';
import type { JsonValue, ResultColumn } from '../values.js';
import type { Final, RoutineHost, RowBatch } from './host.js';
import { callShape, runCall, type CallContext } from './procedure-call.js';
import { dropMacroSql, macroSql } from './routine-sql.js';
import { callForm, dropForm, splitScript, type CallForm, type DropForm, type ScriptStatement } from './script.js';

/** Text that may hold a routine's statement (cheap test before reading it). */
const MAY_HOLD_ROUTINE = /\b(?:call|function|procedure|routine)\b/i;

/** DuckDB's StatementTypes of what routines answer without rows. */
const CREATE = 7;
const DROP = 15;

/** What DuckDB answers a CREATE or DROP with: a Count column and no row. */
const NO_ROWS = (): { columns: ResultColumn[]; rows: Record<string, JsonValue>[] } => ({ columns: [{ name: 'Count', type: 'BIGINT' }], rows: [] });

type Step =
  | { readonly kind: 'sql'; readonly text: string }
  | { readonly kind: 'define'; readonly statement: ScriptStatement; readonly script: string; readonly replace: boolean }
  | { readonly kind: 'drop'; readonly form: DropForm }
  | { readonly kind: 'call'; readonly form: CallForm };

export class RoutineSession {
  /** Routines this session defined, by lower-case name. */
  readonly #own = new Map<string, RoutineDef>();
  /** The engine they were defined on. */
  #engine: Engine | undefined;
  readonly #depth = { value: 0 };
  readonly #calls: CallContext;

  constructor(readonly host: RoutineHost) {
    this.#calls = {
      host,
      lookup: (name) => this.lookup(name),
      names: () => this.names(),
      depth: this.#depth,
    };
  }

  /** The routine called `name` (any case): the session's own or the model file's. */
  lookup(name: string): RoutineDef | undefined {
    this.#sync();
    const key = name.toLowerCase();
    return this.#own.get(key) ?? this.#model(key);
  }

  /** Every routine's name: the model file's, then the session's. */
  names(): string[] {
    this.#sync();
    return [...(this.host.model().routines ?? []), ...this.#own.values()].map((r) => r.name);
  }

  #model(key: string): RoutineDef | undefined {
    return this.host.model().routines?.find((r) => r.name.toLowerCase() === key);
  }

  /** After REFRESH MAP the engine is new: what the session defined went with the old one. */
  #sync(): void {
    const engine = this.host.engine();
    if (engine === this.#engine) return;
    this.#engine = engine;
    this.#own.clear();
  }

  /**
   * The statement `text` as one routines answer, or undefined when none of its statements is a
   * routine's (see the file comment). Nothing runs, and nothing throws, until it is run.
   */
  intercept(text: string, params?: Params): RoutineStatement | undefined {
    if (!MAY_HOLD_ROUTINE.test(text)) return undefined;
    let sql: string;
    try {
      sql = rewriteEscapes(text);
    } catch {
      // Running it reports the escape's error.
      return undefined;
    }
    const statements = splitScript(sql);
    if (!statements) return undefined;
    const steps = statements.map((s) => this.#step(s, sql));
    if (steps.every((s) => s.kind === 'sql')) return undefined;
    return new RoutineStatement(this, steps, params);
  }

  #step(statement: ScriptStatement, script: string): Step {
    const head = routineHead(statement.tokens);
    if (head) return { kind: 'define', statement, script, replace: head.replace };
    const call = callForm(statement);
    if (call) return { kind: 'call', form: call };
    const drop = dropForm(statement);
    // DROP FUNCTION of anything but a routine is DuckDB's (a macro).
    if (drop && (drop.kind !== 'function' || this.lookup(drop.name)?.kind === 'function')) return { kind: 'drop', form: drop };
    return { kind: 'sql', text: statement.text };
  }

  /** Runs a step up to its result (see Final). */
  async run(step: Step, params: Params | undefined): Promise<Final> {
    switch (step.kind) {
      case 'sql':
        return { sql: step.text, ...(params !== undefined ? { params } : {}), statementType: -1 };
      case 'define':
        return this.#define(step);
      case 'drop':
        return this.#drop(step.form);
      case 'call':
        return runCall(this.#calls, step.form, params);
    }
  }

  /** Reads a definition step (throwing its error) before anything of the script runs, as DuckDB parses a whole script first. */
  check(step: Step): void {
    if (step.kind === 'define') this.#parse(step);
  }

  /** A step's shape, without running it. */
  async shape(step: Step): Promise<StatementShape> {
    switch (step.kind) {
      case 'sql':
        return this.host.describe(step.text);
      case 'define':
        this.#parse(step);
        return { statementType: CREATE, params: [], columns: [] };
      case 'drop':
        return { statementType: DROP, params: [], columns: [] };
      case 'call':
        return callShape(this.#calls, step.form);
    }
  }

  /** The definition, its error's position counted in the whole script. */
  #parse(step: Extract<Step, { kind: 'define' }>): RoutineDef {
    try {
      return parseRoutine(step.statement.text);
    } catch (e) {
      if (!(e instanceof RestSqlError) || typeof e.details.position !== 'number') throw e;
      const position = e.details.position + charPosition(step.script, step.statement.start) - 1;
      throw new RestSqlError(e.code, e.message, { ...(e.hint !== undefined ? { hint: e.hint } : {}), details: { ...e.details, position }, cause: e });
    }
  }

  async #define(step: Extract<Step, { kind: 'define' }>): Promise<Final> {
    const def = this.#parse(step);
    const key = def.name.toLowerCase();
    const kind = def.kind.toUpperCase();
    const fromModel = this.#model(key);
    if (fromModel) {
      const at = fromModel.origin ? ` (${fromModel.origin.file}:${fromModel.origin.line})` : '';
      throw new RestSqlError('ROUTINE_DUPLICATE', `routine '${def.name}' is defined in the model file${at}; a session cannot define it again.`, {
        hint: `Give this ${def.kind} another name.`,
        details: { routine: def.name },
      });
    }
    this.#sync();
    const mine = this.#own.get(key);
    if (mine && !step.replace) {
      throw new RestSqlError('ROUTINE_DUPLICATE', `routine '${def.name}' already exists in this session (a ${mine.kind}).`, {
        hint: `DROP ${mine.kind.toUpperCase()} ${mine.name} first, or write CREATE OR REPLACE ${kind}.`,
        details: { routine: def.name },
      });
    }
    if (def.kind === 'function') {
      await this.#refuseBuiltin(def);
      const sameShape = mine?.kind === 'function' && mine.returns.kind === def.returns.kind;
      if (mine?.kind === 'function' && !sameShape) await this.host.queryAll(dropMacroSql(mine));
      await this.host.queryAll(macroSql(def, sameShape));
    } else if (mine?.kind === 'function') {
      await this.host.queryAll(dropMacroSql(mine));
    }
    this.#own.set(key, def);
    return { statementType: CREATE };
  }

  /** A function named like one of DuckDB's would replace it for the whole session, restsql's own SQL included. */
  async #refuseBuiltin(def: FunctionDef): Promise<void> {
    const rows = await this.host.queryAll(`SELECT count(*)::INTEGER AS n FROM duckdb_functions() WHERE internal AND lower(function_name) = ${literal(def.name.toLowerCase())}`);
    if (Number(rows[rows.length - 1]?.rows[0]?.n ?? 0) > 0) throw builtinName(def);
  }

  async #drop(form: DropForm): Promise<Final> {
    const key = form.name.toLowerCase();
    const fromModel = this.#model(key);
    if (fromModel && (form.kind === 'routine' || form.kind === fromModel.kind)) {
      throw new RestSqlError('QUERY_NOT_ALLOWED', `routine '${fromModel.name}' is defined in the model file; a session cannot drop it.`, {
        hint: 'Remove it from the model file\'s "routines" and connect again.',
        details: { routine: fromModel.name },
      });
    }
    this.#sync();
    const mine = this.#own.get(key);
    if (!mine || (form.kind !== 'routine' && form.kind !== mine.kind)) {
      if (form.ifExists) return { statementType: DROP };
      const names = this.names();
      throw new RestSqlError('ROUTINE_UNKNOWN', `DROP ${form.kind.toUpperCase()} ${form.name}: no ${form.kind} of that name in this session.${names.length > 0 ? ` Routines defined: ${names.join(', ')}.` : ''}`, {
        hint: `Check the name, or write DROP ${form.kind.toUpperCase()} IF EXISTS ${form.name}.`,
        details: { routine: form.name },
      });
    }
    if (mine.kind === 'function') await this.host.queryAll(dropMacroSql(mine));
    this.#own.delete(key);
    return { statementType: DROP };
  }
}

/** A function named like a built-in DuckDB function. */
export function builtinName(def: FunctionDef): RestSqlError {
  const at = def.origin ? `${def.origin.file}:${def.origin.line}:${def.origin.column}: ` : '';
  return new RestSqlError(def.origin ? 'MODEL_INVALID' : 'ROUTINE_INVALID', `${at}routine '${def.name}': '${def.name}' is the name of a DuckDB function, which a routine may not replace.`, {
    hint: `Give the function another name (for example ${def.name}_fn).`,
    details: { routine: def.name, ...(def.origin ? { ...def.origin, routineError: 'ROUTINE_INVALID' } : {}) },
  });
}

/** One statement text (possibly a script) that routines answer: its steps run in order. */
export class RoutineStatement {
  constructor(
    readonly session: RoutineSession,
    readonly steps: readonly Step[],
    readonly params: Params | undefined,
  ) {}

  get #host(): RoutineHost {
    return this.session.host;
  }

  /**
   * Whether running it may change something: a CALL (a procedure may write to the API), a
   * definition or a DROP, or a statement of the script that `writes` says is a write.
   */
  mayWrite(writes: (sql: string) => boolean): boolean {
    return this.steps.some((s) => s.kind !== 'sql' || writes(s.text));
  }

  #paramsFor(): Params | undefined {
    for (const step of this.steps) this.session.check(step);
    if (this.params === undefined) return undefined;
    const n = Array.isArray(this.params) ? this.params.length : (this.params as Exclude<Params, readonly unknown[]>).values.length;
    if (n > 0 && this.steps.length > 1) {
      throw new RestSqlError('QUERY_SYNTAX', 'Parameters bind one statement, and this text holds several.', { hint: 'Send each statement on its own with its parameters.' });
    }
    return this.params;
  }

  /** Runs the steps before the last, each to its end. */
  async #before(params: Params | undefined): Promise<StatementResult[]> {
    const out: StatementResult[] = [];
    for (const step of this.steps.slice(0, -1)) out.push(...(await this.#all(await this.session.run(step, params))));
    return out;
  }

  async #all(final: Final): Promise<StatementResult[]> {
    try {
      if (final.sql === undefined) return [{ ...NO_ROWS(), rowsChanged: 0 }];
      const results = await this.#host.queryAll(final.sql, final.params).catch((e: unknown) => Promise.reject(final.mapError ? final.mapError(e) : e));
      return final.rowsChanged === undefined ? results : results.map((r) => ({ ...r, rowsChanged: final.rowsChanged! }));
    } finally {
      final.done?.();
    }
  }

  /** Every statement's result, as Connection.queryAll answers. */
  async all(): Promise<StatementResult[]> {
    try {
      const params = this.#paramsFor();
      const out = await this.#before(params);
      out.push(...(await this.#all(await this.session.run(this.steps[this.steps.length - 1]!, params))));
      return out;
    } catch (e) {
      throw this.#host.error(toRestSqlError(e));
    }
  }

  /** The last statement's result, opened (Connection.open); those before it run first. */
  async open(): Promise<OpenStatement> {
    try {
      const params = this.#paramsFor();
      await this.#before(params);
      const final = await this.session.run(this.steps[this.steps.length - 1]!, params);
      try {
        if (final.sql === undefined) return { statementType: final.statementType, columns: [], resultColumns: [], rowsChanged: 0, next: () => Promise.resolve(undefined) };
        const o = await this.#host.open(final.sql, final.params).catch((e: unknown) => Promise.reject(final.mapError ? final.mapError(e) : e));
        return {
          statementType: final.statementType < 0 ? o.statementType : final.statementType,
          columns: o.columns,
          resultColumns: o.resultColumns,
          rowsChanged: final.rowsChanged ?? o.rowsChanged,
          next: () => o.next(),
        };
      } finally {
        final.done?.();
      }
    } catch (e) {
      throw this.#host.error(toRestSqlError(e));
    }
  }

  /** The last statement's rows in batches (Connection.stream); those before it run first. */
  async *stream(): AsyncGenerator<RowBatch> {
    let final: Final;
    try {
      const params = this.#paramsFor();
      if (params !== undefined && !Array.isArray(params)) throw new RestSqlError('INTERNAL', 'stream() takes plain parameter values.');
      await this.#before(params);
      final = await this.session.run(this.steps[this.steps.length - 1]!, params);
    } catch (e) {
      throw this.#host.error(toRestSqlError(e));
    }
    try {
      if (final.sql === undefined) {
        yield NO_ROWS();
        return;
      }
      yield* this.#host.stream(final.sql, final.params as readonly unknown[] | undefined);
    } catch (e) {
      throw this.#host.error(toRestSqlError(final.mapError ? final.mapError(e) : e));
    } finally {
      final.done?.();
    }
  }

  /** The last statement's shape; nothing runs. */
  async describe(): Promise<StatementShape> {
    try {
      return await this.session.shape(this.steps[this.steps.length - 1]!);
    } catch (e) {
      throw this.#host.error(toRestSqlError(e));
    }
  }
}
