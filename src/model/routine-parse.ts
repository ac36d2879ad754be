/**
 * DataDirect's routine definitions (user-defined functions and procedures): the SQL DDL a model
 * file's `routines` entries hold and an application may send as a statement. The syntax is
 * HyperSQL's ("SQL-Invoked Routines"), as DataDirect's "User-defined functions and procedures"
 * page shows it:
 *
 *     CREATE FUNCTION name ( [IN] param type, ... ) RETURNS type | RETURNS TABLE ( col type, ... )
 *       characteristic ...  RETURN expr | RETURN (query) | RETURN TABLE (query) | BEGIN ATOMIC RETURN ...; END
 *     CREATE PROCEDURE name ( [IN] param type, ... ) characteristic ...  statement | BEGIN ATOMIC statement; ... END
 *
 * Characteristics, in any order and each at most once: `[NOT] DETERMINISTIC`, `RETURNS NULL ON
 * NULL INPUT` or `CALLED ON NULL INPUT`, `LANGUAGE SQL`, `SPECIFIC name`, `NO SQL`, `CONTAINS
 * SQL`, `READS SQL DATA`, `MODIFIES SQL DATA`, `PARAMETER STYLE SQL`, `NEW|OLD SAVEPOINT LEVEL`
 * and, for procedures, `DYNAMIC RESULT SETS n`. Words are case-insensitive.
 *
 * What restsql cannot run is refused with ROUTINE_UNSUPPORTED naming the construct: LANGUAGE
 * JAVA, EXTERNAL NAME, PARAMETER STYLE JAVA, OUT and INOUT parameters, and compound statements
 * (DECLARE, SET, IF, WHILE, FOR, LOOP, REPEAT, SIGNAL, ...). Anything else malformed is
 * ROUTINE_INVALID. Both carry the 1-based character position in `details.position`.
 *
 * The parser reads tokens of PostgreSQL's lexical rules (sql/lexer.ts), so quotes, comments and
 * dollar quotes inside bodies are whole tokens; bodies are kept as the text written, for DuckDB.
 */
import { RestSqlError, type ErrorCode } from '../errors/index.js';
import { lex, type Token } from '../sql/lexer.js';
import { didYouMean } from '../util/did-you-mean.js';
import type { FunctionDef, ProcedureDef, RoutineDef, RoutineField, RoutineType } from './types.js';

/** What a routine definition is, read from its first words. */
export interface RoutineHead {
  readonly kind: 'function' | 'procedure';
  readonly name: string;
  /** `CREATE OR REPLACE`. */
  readonly replace: boolean;
}

/** Vendor type names (lower case, multi-word ones spaced) -> DuckDB types; `decimal`, `time` and `timestamp` take their arguments. */
const TYPES: Readonly<Record<string, string>> = {
  varchar: 'VARCHAR', char: 'VARCHAR', character: 'VARCHAR', 'character varying': 'VARCHAR', 'char varying': 'VARCHAR',
  nvarchar: 'VARCHAR', nchar: 'VARCHAR', 'national character': 'VARCHAR', 'national character varying': 'VARCHAR', 'national char': 'VARCHAR',
  longvarchar: 'VARCHAR', longnvarchar: 'VARCHAR', wvarchar: 'VARCHAR', wchar: 'VARCHAR', wlongvarchar: 'VARCHAR',
  varchar_ignorecase: 'VARCHAR', varcharignorecase: 'VARCHAR', clob: 'VARCHAR', nclob: 'VARCHAR', 'character large object': 'VARCHAR', text: 'VARCHAR', string: 'VARCHAR',
  integer: 'INTEGER', int: 'INTEGER', smallint: 'SMALLINT', tinyint: 'TINYINT', bigint: 'BIGINT', long: 'BIGINT', hugeint: 'HUGEINT',
  double: 'DOUBLE', 'double precision': 'DOUBLE', float: 'DOUBLE', real: 'DOUBLE',
  decimal: 'decimal', numeric: 'decimal', dec: 'decimal', number: 'decimal',
  boolean: 'BOOLEAN', bit: 'BOOLEAN',
  date: 'DATE', time: 'time', timestamp: 'timestamp', datetime: 'timestamp', timewithtimezone: 'TIMETZ', timestampwithtimezone: 'TIMESTAMPTZ',
  binary: 'BLOB', varbinary: 'BLOB', longvarbinary: 'BLOB', blob: 'BLOB', 'binary varying': 'BLOB', 'binary large object': 'BLOB', bytea: 'BLOB',
  uuid: 'UUID', guid: 'UUID', json: 'JSON',
};

/** The most digits DuckDB's DECIMAL holds. */
const MAX_DECIMAL_DIGITS = 38;

/** First words of SQL/PSM compound statements, which restsql does not run. */
const COMPOUND = new Set(['declare', 'set', 'if', 'while', 'for', 'loop', 'repeat', 'signal', 'resignal', 'leave', 'iterate', 'open', 'fetch', 'close', 'get', 'begin', 'case', 'return']);

const COMPOUND_HINT =
  'restsql runs a routine\'s SQL statements one after another and nothing else: write the body as SELECT, INSERT, UPDATE, DELETE or CALL statements with the parameters in them; a condition becomes a WHERE or a CASE expression; rows to return come from the last statement (a SELECT).';

/** The characteristics, for did-you-mean suggestions. */
const CHARACTERISTICS = ['DETERMINISTIC', 'NOT DETERMINISTIC', 'RETURNS NULL ON NULL INPUT', 'CALLED ON NULL INPUT', 'LANGUAGE SQL', 'SPECIFIC', 'NO SQL', 'CONTAINS SQL', 'READS SQL DATA', 'MODIFIES SQL DATA', 'DYNAMIC RESULT SETS', 'RETURN', 'BEGIN ATOMIC'];

/**
 * Whether the statement `tokens` (of `text`) defines a routine in DataDirect's syntax: `CREATE
 * [OR REPLACE] PROCEDURE ...`, or `CREATE [OR REPLACE] FUNCTION name (...) RETURNS ...`. DuckDB's
 * own `CREATE FUNCTION name(a) AS expr` (a macro) is not one: its parameter list is followed by AS.
 */
export function routineHead(tokens: readonly Token[]): RoutineHead | undefined {
  let i = 0;
  const word = (k: number) => (tokens[k]?.kind === 'word' ? tokens[k]!.value : undefined);
  if (word(i++) !== 'create') return undefined;
  let replace = false;
  if (word(i) === 'or' && word(i + 1) === 'replace') {
    replace = true;
    i += 2;
  }
  const kind = word(i++);
  if (kind !== 'function' && kind !== 'procedure') return undefined;
  const nameToken = tokens[i];
  if (!nameToken || (nameToken.kind !== 'word' && nameToken.kind !== 'quotedIdent')) return kind === 'procedure' ? { kind, name: '', replace } : undefined;
  const name = nameToken.kind === 'word' ? nameToken.text : nameToken.value;
  if (kind === 'procedure') return { kind, name, replace };
  // FUNCTION: DataDirect's when RETURNS follows the parameter list.
  let j = i + 1;
  while (tokens[j]?.kind === 'punct' && tokens[j]!.text === '.' && tokens[j + 1]) j += 2;
  if (tokens[j]?.text !== '(') return undefined;
  let depth = 0;
  for (; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.kind === 'punct' && t.text === '(') depth++;
    else if (t.kind === 'punct' && t.text === ')' && --depth === 0) break;
  }
  return word(j + 1) === 'returns' ? { kind, name, replace } : undefined;
}

/** Reads one routine definition; throws ROUTINE_INVALID or ROUTINE_UNSUPPORTED (see the file comment). */
export function parseRoutine(source: string): RoutineDef {
  let tokens: Token[];
  try {
    tokens = lex(source);
  } catch (e) {
    // An unterminated quote or comment: the lexer's message and position.
    const err = e instanceof RestSqlError ? e : undefined;
    throw new RestSqlError('ROUTINE_INVALID', `routine definition: ${err?.message ?? String(e)}`, {
      hint: 'Close every quoted string, quoted identifier and comment of the definition.',
      details: { ...(err?.details.position !== undefined ? { position: err.details.position } : {}) },
      cause: e,
    });
  }
  return new Parser(source, tokens).routine();
}

class Parser {
  #i = 0;
  /** The routine's name once read, for messages. */
  #name = '';
  constructor(
    readonly src: string,
    readonly toks: readonly Token[],
  ) {}

  /** 1-based character position of token `t` (the end of the text when absent). */
  position(t: Token | undefined): number {
    const at = t ? t.start : this.src.length;
    return [...this.src.slice(0, at)].length + 1;
  }

  fail(code: ErrorCode, message: string, hint: string, at: Token | undefined = this.toks[this.#i], construct?: string): never {
    const who = this.#name ? `routine '${this.#name}'` : 'routine definition';
    throw new RestSqlError(code, `${who}: ${message}`, {
      hint,
      details: { ...(this.#name ? { routine: this.#name } : {}), position: this.position(at), ...(construct ? { construct } : {}) },
    });
  }

  invalid(message: string, hint: string, at?: Token): never {
    return this.fail('ROUTINE_INVALID', message, hint, at ?? this.toks[this.#i]);
  }

  unsupported(construct: string, message: string, hint: string, at?: Token): never {
    return this.fail('ROUTINE_UNSUPPORTED', message, hint, at ?? this.toks[this.#i], construct);
  }

  peek(k = 0): Token | undefined {
    return this.toks[this.#i + k];
  }

  /** The lower-case word at offset `k`, if that token is a word. */
  word(k = 0): string | undefined {
    const t = this.peek(k);
    return t?.kind === 'word' ? t.value : undefined;
  }

  isPunct(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }

  /** What stands at the current position, for messages. */
  found(): string {
    const t = this.peek();
    return t ? `'${t.text}'` : 'the end';
  }

  take(): Token {
    return this.toks[this.#i++]!;
  }

  /** Consumes the words `words` in order (lower case), or fails saying what was expected. */
  expect(words: string, hint: string): void {
    for (const w of words.split(' ')) {
      if (this.word() !== w) this.invalid(`expected ${words.toUpperCase()}, found ${this.found()}.`, hint);
      this.#i++;
    }
  }

  expectPunct(text: string, what: string, hint: string): Token {
    if (!this.isPunct(text)) this.invalid(`expected '${text}' ${what}, found ${this.found()}.`, hint);
    return this.take();
  }

  identifier(what: string, hint: string): string {
    const t = this.peek();
    if (!t || (t.kind !== 'word' && t.kind !== 'quotedIdent')) this.invalid(`expected ${what}, found ${this.found()}.`, hint);
    this.#i++;
    return t.kind === 'word' ? t.text : t.value;
  }

  routine(): RoutineDef {
    this.expect('create', 'A routine is defined with CREATE FUNCTION or CREATE PROCEDURE.');
    if (this.word() === 'or' && this.word(1) === 'replace') this.#i += 2;
    const kindWord = this.word();
    if (kindWord !== 'function' && kindWord !== 'procedure') this.invalid(`expected FUNCTION or PROCEDURE after CREATE, found ${this.found()}.`, 'Write CREATE FUNCTION name (...) RETURNS type ... or CREATE PROCEDURE name (...) ....');
    this.#i++;
    const kind = kindWord;
    const nameAt = this.peek();
    const name = this.identifier(`the ${kind}'s name`, `Write CREATE ${kind.toUpperCase()} name (parameters) ....`);
    this.#name = name;
    if (this.isPunct('.')) this.invalid('a routine\'s name is not qualified with a schema.', `Write the name alone: CREATE ${kind.toUpperCase()} ${this.peek(1)?.text ?? 'name'} (...).`, nameAt);
    const params = this.params(kind);
    if (kind === 'function') return this.functionRest(name, params);
    return this.procedureRest(name, params);
  }

  /** `( [IN] name type, ... )`. */
  params(kind: 'function' | 'procedure'): RoutineField[] {
    const example = `Write CREATE ${kind.toUpperCase()} ${this.#name} (first VARCHAR(50), n INTEGER) ..., or () for none.`;
    this.expectPunct('(', 'to open the parameter list', example);
    const params: RoutineField[] = [];
    if (this.isPunct(')')) {
      this.#i++;
      return params;
    }
    for (;;) {
      const mode = this.word();
      if (mode === 'out' || mode === 'inout') {
        this.unsupported(
          `${mode.toUpperCase()} parameters`,
          `${mode.toUpperCase()} parameter '${this.peek(1)?.text ?? ''}': restsql runs IN parameters only.`,
          'Return values as rows instead: end a procedure with a SELECT of them (CALL returns the rows of its last statement), or write a function.',
        );
      }
      // `in` is a mode only when a name and a type follow it (a parameter may be called "in" in quotes only).
      if (mode === 'in' && (this.peek(1)?.kind === 'word' || this.peek(1)?.kind === 'quotedIdent') && this.peek(2)?.kind === 'word') this.#i++;
      const at = this.peek();
      const name = this.identifier('a parameter name', example);
      if (params.some((p) => p.name.toLowerCase() === name.toLowerCase())) this.invalid(`parameter '${name}' is declared twice.`, 'Give each parameter its own name.', at);
      params.push({ name, type: this.type(`parameter '${name}'`) });
      if (this.isPunct(',')) {
        this.#i++;
        continue;
      }
      this.expectPunct(')', 'or \',\' after a parameter', example);
      return params;
    }
  }

  /** A type: `VARCHAR(50)`, `DECIMAL(10,2)`, `DOUBLE PRECISION`, `TIMESTAMP WITH TIME ZONE`, ... */
  type(what: string): RoutineType {
    const first = this.peek();
    if (!first || first.kind !== 'word') this.invalid(`expected the type of ${what}, found ${this.found()}.`, 'Write a type such as VARCHAR(50), INTEGER, DECIMAL(10,2), DOUBLE, BOOLEAN, DATE or TIMESTAMP.');
    let key = '';
    let words = 0;
    for (let n = 3; n >= 1; n--) {
      const candidate = Array.from({ length: n }, (_, k) => this.word(k)).join(' ');
      if (Array.from({ length: n }, (_, k) => this.word(k)).every((w) => w !== undefined) && TYPES[candidate] !== undefined) {
        key = candidate;
        words = n;
        break;
      }
    }
    if (words === 0) this.invalid(`unknown type '${first.text}' for ${what}.${didYouMean(first.value, Object.keys(TYPES).map((k) => k.toUpperCase()))}`, 'Use one of: VARCHAR(n), CHAR(n), INTEGER, SMALLINT, BIGINT, DOUBLE, DECIMAL(p,s), BOOLEAN, DATE, TIME, TIMESTAMP, VARBINARY(n), UUID, JSON.', first);
    this.#i += words;
    const args: number[] = [];
    if (this.isPunct('(')) {
      this.#i++;
      for (;;) {
        const n = this.peek();
        if (n?.kind !== 'number' || !/^\d+$/.test(n.text)) this.invalid(`the size of type '${first.text}' for ${what} must be a whole number, found ${this.found()}.`, 'Write for example VARCHAR(50) or DECIMAL(10,2).');
        this.#i++;
        args.push(Number(n.text));
        // CLOB(16M), VARCHAR(20 CHARACTERS): a unit after the size.
        if (['k', 'm', 'g', 'characters', 'octets'].includes(this.word() ?? '')) this.#i++;
        if (this.isPunct(',')) {
          this.#i++;
          continue;
        }
        this.expectPunct(')', `to close the size of type '${first.text}'`, 'Write for example VARCHAR(50) or DECIMAL(10,2).');
        break;
      }
    }
    let base = TYPES[key]!;
    if ((base === 'time' || base === 'timestamp') && (this.word() === 'with' || this.word() === 'without') && this.word(1) === 'time' && this.word(2) === 'zone') {
      const zoned = this.word() === 'with';
      this.#i += 3;
      base = zoned ? (base === 'time' ? 'TIMETZ' : 'TIMESTAMPTZ') : base;
    }
    const last = this.toks[this.#i - 1]!;
    const written = this.src.slice(first.start, last.end);
    if (base === 'time' || base === 'timestamp') return { written, sql: base.toUpperCase() };
    if (base !== 'decimal') return { written, sql: base };
    // DECIMAL without a precision reads as DOUBLE, as the model file's DECIMAL columns do.
    if (args.length === 0) return { written, sql: 'DOUBLE' };
    const [p, s = 0] = args as [number, number?];
    if (args.length > 2 || p < 1 || p > MAX_DECIMAL_DIGITS || s > p) {
      this.invalid(`type '${written}' for ${what} is not a DECIMAL restsql can hold (precision 1 to ${MAX_DECIMAL_DIGITS}, scale 0 to the precision).`, `Write DECIMAL(p,s) with p at most ${MAX_DECIMAL_DIGITS}, or DOUBLE.`, first);
    }
    return { written, sql: `DECIMAL(${p},${s})` };
  }

  functionRest(name: string, params: RoutineField[]): FunctionDef {
    this.expect('returns', `Write CREATE FUNCTION ${name} (...) RETURNS type ... (or RETURNS TABLE (column type, ...)).`);
    let returns: FunctionDef['returns'];
    if (this.word() === 'table' && this.isPunct('(', 1)) {
      this.#i++;
      const example = `Write RETURNS TABLE (id INTEGER, total DOUBLE).`;
      this.expectPunct('(', 'to open the columns of RETURNS TABLE', example);
      const columns: RoutineField[] = [];
      for (;;) {
        const at = this.peek();
        const col = this.identifier('a column name', example);
        if (columns.some((c) => c.name.toLowerCase() === col.toLowerCase())) this.invalid(`column '${col}' of RETURNS TABLE is declared twice.`, 'Give each column its own name.', at);
        columns.push({ name: col, type: this.type(`column '${col}'`) });
        if (this.isPunct(',')) {
          this.#i++;
          continue;
        }
        this.expectPunct(')', 'or \',\' after a column of RETURNS TABLE', example);
        break;
      }
      returns = { kind: 'table', columns };
    } else {
      returns = { kind: 'scalar', type: this.type('the result') };
    }
    const c = this.characteristics('function');
    const body = this.functionBody(returns.kind);
    return {
      kind: 'function',
      name,
      params,
      returns,
      nullOnNullInput: c.nullOnNullInput ?? false,
      body,
      source: this.src.trim(),
      ...(c.specific !== undefined ? { specific: c.specific } : {}),
      ...(c.deterministic !== undefined ? { deterministic: c.deterministic } : {}),
      ...(c.dataAccess !== undefined ? { dataAccess: c.dataAccess } : {}),
    };
  }

  procedureRest(name: string, params: RoutineField[]): ProcedureDef {
    const c = this.characteristics('procedure');
    const statements = this.procedureBody();
    return {
      kind: 'procedure',
      name,
      params,
      statements,
      resultSets: c.resultSets ?? 0,
      source: this.src.trim(),
      ...(c.specific !== undefined ? { specific: c.specific } : {}),
      ...(c.deterministic !== undefined ? { deterministic: c.deterministic } : {}),
      ...(c.dataAccess !== undefined ? { dataAccess: c.dataAccess } : {}),
    };
  }

  /** The characteristics before the body, in any order, each at most once. */
  characteristics(kind: 'function' | 'procedure'): { deterministic?: boolean; nullOnNullInput?: boolean; specific?: string; dataAccess?: FunctionDef['dataAccess']; resultSets?: number } {
    const out: { deterministic?: boolean; nullOnNullInput?: boolean; specific?: string; dataAccess?: FunctionDef['dataAccess']; resultSets?: number } = {};
    const seen = new Map<string, string>();
    const once = (group: string, text: string, at: Token) => {
      const earlier = seen.get(group);
      if (earlier !== undefined) this.invalid(`${text} after ${earlier}: the routine says its ${group} twice.`, `Keep one of ${earlier} and ${text}.`, at);
      seen.set(group, text);
    };
    const functionOnly = (text: string, at: Token) => {
      if (kind !== 'function') this.invalid(`${text} is for functions; a procedure is called with CALL whatever its arguments.`, `Remove ${text}.`, at);
    };
    for (;;) {
      const at = this.peek();
      const w = this.word();
      if (at === undefined || w === undefined) return out;
      const next = this.word(1);
      if (w === 'deterministic' || (w === 'not' && next === 'deterministic')) {
        once('determinism', w === 'not' ? 'NOT DETERMINISTIC' : 'DETERMINISTIC', at);
        out.deterministic = w !== 'not';
        this.#i += w === 'not' ? 2 : 1;
      } else if (w === 'returns' && next === 'null') {
        this.expect('returns null on null input', 'Write RETURNS NULL ON NULL INPUT.');
        functionOnly('RETURNS NULL ON NULL INPUT', at);
        once('null input', 'RETURNS NULL ON NULL INPUT', at);
        out.nullOnNullInput = true;
      } else if (w === 'called') {
        this.expect('called on null input', 'Write CALLED ON NULL INPUT.');
        functionOnly('CALLED ON NULL INPUT', at);
        once('null input', 'CALLED ON NULL INPUT', at);
        out.nullOnNullInput = false;
      } else if (w === 'language') {
        this.#i++;
        const lang = this.word();
        if (lang === 'java') this.unsupported('LANGUAGE JAVA', 'LANGUAGE JAVA: restsql runs SQL routines only.', 'Write the routine in SQL (LANGUAGE SQL with a RETURN or a BEGIN ATOMIC body).', at);
        if (lang !== 'sql') this.invalid(`unknown language ${this.found()}.`, 'Write LANGUAGE SQL (or leave it out).');
        once('language', 'LANGUAGE SQL', at);
        this.#i++;
      } else if (w === 'external') {
        this.unsupported('EXTERNAL NAME', 'EXTERNAL NAME (a Java method): restsql runs SQL routines only.', 'Write the routine in SQL, with a RETURN or a BEGIN ATOMIC body.', at);
      } else if (w === 'parameter' && next === 'style') {
        this.#i += 2;
        const style = this.word();
        if (style === 'java') this.unsupported('PARAMETER STYLE JAVA', 'PARAMETER STYLE JAVA: restsql runs SQL routines only.', 'Remove PARAMETER STYLE JAVA and write the routine in SQL.', at);
        if (style !== 'sql') this.invalid(`unknown parameter style ${this.found()}.`, 'Write PARAMETER STYLE SQL (or leave it out).');
        once('parameter style', 'PARAMETER STYLE SQL', at);
        this.#i++;
      } else if (w === 'specific') {
        this.#i++;
        once('specific name', 'SPECIFIC', at);
        out.specific = this.identifier('the specific name after SPECIFIC', `Write SPECIFIC ${this.#name}1.`);
      } else if ((w === 'no' && next === 'sql') || (w === 'contains' && next === 'sql')) {
        const text = w === 'no' ? 'NO SQL' : 'CONTAINS SQL';
        once('SQL data access', text, at);
        out.dataAccess = text;
        this.#i += 2;
      } else if ((w === 'reads' || w === 'modifies') && next === 'sql') {
        const text = w === 'reads' ? 'READS SQL DATA' : 'MODIFIES SQL DATA';
        this.expect(text.toLowerCase(), `Write ${text}.`);
        once('SQL data access', text, at);
        out.dataAccess = text;
      } else if ((w === 'new' || w === 'old') && next === 'savepoint') {
        this.expect(`${w} savepoint level`, `Write ${w.toUpperCase()} SAVEPOINT LEVEL.`);
        once('savepoint level', `${w.toUpperCase()} SAVEPOINT LEVEL`, at);
      } else if (w === 'dynamic' && next === 'result') {
        this.expect('dynamic result sets', 'Write DYNAMIC RESULT SETS n.');
        if (kind !== 'procedure') this.invalid('DYNAMIC RESULT SETS is for procedures.', 'Remove it: a function returns its value or its table.', at);
        const n = this.peek();
        if (n?.kind !== 'number' || !/^\d+$/.test(n.text)) this.invalid(`expected the number of result sets after DYNAMIC RESULT SETS, found ${this.found()}.`, 'Write DYNAMIC RESULT SETS 1.');
        this.#i++;
        once('result sets', 'DYNAMIC RESULT SETS', at);
        out.resultSets = Number(n.text);
      } else {
        return out;
      }
    }
  }

  /** The index of the token ending the run from the current position: `;` at depth 0, or (with `endWord`) an END that closes no CASE. */
  scan(endWord: boolean): number {
    let depth = 0;
    let cases = 0;
    for (let j = this.#i; j < this.toks.length; j++) {
      const t = this.toks[j]!;
      if (t.kind === 'punct' && (t.text === '(' || t.text === '[')) depth++;
      else if (t.kind === 'punct' && (t.text === ')' || t.text === ']')) depth = Math.max(0, depth - 1);
      else if (depth === 0 && t.kind === 'punct' && t.text === ';') return j;
      else if (t.kind === 'word' && t.value === 'case') cases++;
      else if (t.kind === 'word' && t.value === 'end') {
        if (cases > 0) cases--;
        else if (depth === 0) {
          if (endWord) return j;
          this.invalid('END without BEGIN ATOMIC.', 'Write the body as RETURN ... alone, or as BEGIN ATOMIC RETURN ...; END.', t);
        }
      }
    }
    return this.toks.length;
  }

  /** The text of tokens [from, to). */
  text(from: number, to: number): string {
    return this.src.slice(this.toks[from]!.start, this.toks[to - 1]!.end);
  }

  /** After the body: an optional `;`, then nothing. */
  end(): void {
    if (this.isPunct(';')) this.#i++;
    if (this.#i < this.toks.length) this.invalid(`unexpected ${this.found()} after the routine's body.`, 'A definition ends with its body (one RETURN, one statement, or BEGIN ATOMIC ... END).');
  }

  /** Fails when the statement starting at the current position is a compound one. */
  notCompound(kind: 'function' | 'procedure'): void {
    const t = this.peek();
    const w = this.word();
    if (!t) return;
    const label = (t.kind === 'word' || t.kind === 'quotedIdent') && this.isPunct(':', 1) && this.peek(1)!.end === this.peek(1)!.start + 1;
    if (label) this.unsupported('labelled statement', `the labelled statement '${t.text}:' is a compound statement, which restsql does not run.`, COMPOUND_HINT, t);
    if (w === undefined || !COMPOUND.has(w)) return;
    if (w === 'return' && kind === 'function') return;
    if (w === 'begin') this.unsupported('nested BEGIN', 'a nested BEGIN ... END block is a compound statement, which restsql does not run.', COMPOUND_HINT, t);
    if (w === 'return') this.unsupported('RETURN in a procedure', 'RETURN in a procedure ends it early, which restsql does not run.', 'Leave RETURN out: a procedure runs its statements in order; CALL returns the rows of the last one.', t);
    const what = w === 'get' ? 'GET DIAGNOSTICS' : w.toUpperCase();
    this.unsupported(what, `${what} is a compound statement (SQL/PSM), which restsql does not run.`, COMPOUND_HINT, t);
  }

  /** `RETURN expr`, `RETURN (query)`, `RETURN TABLE (query)` or `BEGIN ATOMIC RETURN ...; END`: the expression or the query. */
  functionBody(returns: 'scalar' | 'table'): string {
    const at = this.peek();
    if (this.word() === 'begin') {
      this.#i++;
      if (this.word() !== 'atomic') this.invalid(`expected ATOMIC after BEGIN, found ${this.found()}.`, 'Write BEGIN ATOMIC RETURN ...; END.');
      this.#i++;
      this.notCompound('function');
      if (this.word() !== 'return') this.invalid(`a function's BEGIN ATOMIC body holds one RETURN statement, found ${this.found()}.`, 'Write BEGIN ATOMIC RETURN expression; END.');
      const body = this.returnClause(returns, true);
      if (this.isPunct(';')) this.#i++;
      if (this.word() !== 'end') {
        if (this.word() !== undefined) this.notCompound('function');
        this.invalid(`a function's BEGIN ATOMIC body holds one RETURN statement; found ${this.found()} after it.`, 'Write BEGIN ATOMIC RETURN expression; END, with nothing else in the block.');
      }
      this.#i++;
      this.end();
      return body;
    }
    if (this.word() !== 'return') {
      const w = this.peek();
      const hint = 'The body is RETURN expression, RETURN TABLE (query) or BEGIN ATOMIC RETURN ...; END, after the characteristics.';
      if (!w) this.invalid('the function has no body.', hint, at);
      this.invalid(`expected a characteristic or the body (RETURN, BEGIN ATOMIC), found ${this.found()}.${w.kind === 'word' ? didYouMean(w.text.toUpperCase(), CHARACTERISTICS) : ''}`, hint, w);
    }
    const body = this.returnClause(returns, false);
    this.end();
    return body;
  }

  /** At RETURN: its expression (scalar) or query (table), up to `;` (or the block's END). */
  returnClause(returns: 'scalar' | 'table', inBlock: boolean): string {
    const at = this.take();
    if (this.word() === 'table' && this.isPunct('(', 1)) {
      const tableAt = this.take();
      if (returns !== 'table') this.invalid('RETURN TABLE in a function that RETURNS a scalar type.', 'Declare RETURNS TABLE (column type, ...) for a table function, or RETURN an expression.', tableAt);
      return this.parenthesizedQuery(inBlock, 'RETURN TABLE');
    }
    if (returns === 'table') {
      if (!this.isPunct('(')) this.invalid(`a table function returns RETURN TABLE (query), found ${this.found()}.`, 'Write RETURN TABLE (SELECT ...).');
      return this.parenthesizedQuery(inBlock, 'RETURN');
    }
    const from = this.#i;
    const to = this.scan(inBlock);
    if (to === from) this.invalid('RETURN has no expression.', 'Write RETURN followed by the value, e.g. RETURN first || \' \' || last.', at);
    this.#i = to;
    this.semicolonEnds(inBlock);
    return this.text(from, to);
  }

  /** `( query )` at the current position: the query, then the end of the RETURN. */
  parenthesizedQuery(inBlock: boolean, what: string): string {
    const open = this.#i;
    const to = this.scan(inBlock);
    // The RETURN is exactly one parenthesized group.
    let depth = 0;
    let close = -1;
    for (let j = open; j < to; j++) {
      const t = this.toks[j]!;
      if (t.kind === 'punct' && t.text === '(') depth++;
      else if (t.kind === 'punct' && t.text === ')' && --depth === 0) {
        close = j;
        break;
      }
    }
    if (close < 0) this.invalid(`the query after ${what} is not closed with ')'.`, `Write ${what} (SELECT ...).`, this.toks[open]);
    if (close !== to - 1) this.invalid(`unexpected '${this.toks[close + 1]!.text}' after ${what} (...).`, `Write ${what} (SELECT ...) and nothing after it.`, this.toks[close + 1]);
    if (close === open + 1) this.invalid(`${what} () has no query.`, `Write ${what} (SELECT ...).`, this.toks[open]);
    this.#i = to;
    this.semicolonEnds(inBlock);
    return this.text(open + 1, close);
  }

  /** Outside a block, a `;` ends the definition: only the end may follow. */
  semicolonEnds(inBlock: boolean): void {
    if (inBlock || !this.isPunct(';')) return;
    if (this.#i + 1 < this.toks.length) this.invalid(`a function's body is one RETURN; found ${this.toks[this.#i + 1] ? `'${this.toks[this.#i + 1]!.text}'` : 'more'} after its ';'.`, 'Write the body as RETURN ... alone, or as BEGIN ATOMIC RETURN ...; END.', this.toks[this.#i + 1]);
  }

  /** One statement, or `BEGIN ATOMIC statement; ... END`: the statements' texts. */
  procedureBody(): string[] {
    if (this.#i >= this.toks.length) this.invalid('the procedure has no body.', 'Write one SQL statement after the characteristics, or BEGIN ATOMIC statement; ... END.');
    if (this.word() === 'begin') {
      const beginAt = this.take();
      if (this.word() !== 'atomic') this.invalid(`expected ATOMIC after BEGIN, found ${this.found()}.`, 'Write BEGIN ATOMIC statement; ... END.');
      this.#i++;
      const statements: string[] = [];
      for (;;) {
        if (this.#i >= this.toks.length) this.invalid('BEGIN ATOMIC is not closed with END.', 'End the block with END.', beginAt);
        if (this.isPunct(';')) {
          this.#i++;
          continue;
        }
        if (this.word() === 'end') {
          this.#i++;
          break;
        }
        this.notCompound('procedure');
        const from = this.#i;
        const to = this.scan(true);
        statements.push(this.text(from, to));
        this.#i = to;
      }
      if (statements.length === 0) this.invalid('BEGIN ATOMIC ... END holds no statement.', 'Put at least one SQL statement in the block.', beginAt);
      this.end();
      return statements;
    }
    const at = this.peek()!;
    this.notCompound('procedure');
    if (at.kind !== 'word' && !(at.kind === 'punct' && at.text === '(')) {
      this.invalid(`expected a characteristic or the body (a statement, BEGIN ATOMIC), found ${this.found()}.`, 'The body is one SQL statement, or BEGIN ATOMIC statement; ... END, after the characteristics.', at);
    }
    const from = this.#i;
    const to = this.scan(false);
    this.#i = to;
    if (this.isPunct(';') && this.#i + 1 < this.toks.length) this.invalid('a procedure body of more than one statement is written BEGIN ATOMIC ... END.', 'Write BEGIN ATOMIC statement; statement; END.', this.toks[this.#i + 1]);
    this.end();
    return [this.text(from, to)];
  }
}
