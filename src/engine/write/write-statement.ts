/**
 * Finds the parts of an INSERT, UPDATE or DELETE that restsql needs to send it to an API (which
 * table, which columns, the WHERE and RETURNING clauses), read with PostgreSQL's lexical rules so
 * that quotes, comments and nesting never mislead it. The clauses themselves stay text: DuckDB
 * evaluates them (engine/write/write-runner.ts), restsql only cuts them apart.
 */
import { RestSqlError } from '../../errors/index.js';
import { charPosition, tokens, type Token } from '../../sql/lexer.js';
import type { WriteKind } from '../../model/types.js';

/** A span of the statement text (UTF-16 indices, end exclusive). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface WriteStatement {
  readonly kind: WriteKind;
  /** The target table's name, folded as DuckDB resolves it (lower case). */
  readonly table: string;
  /** The target as written (`public."Orders"`), where it sits in the text. */
  readonly target: Span;
  /** The target's alias (`UPDATE orders o`), folded. */
  readonly alias?: string;
  /** INSERT: the column list, folded (absent: every column, in table order). */
  readonly columns?: readonly string[];
  /** INSERT: `DEFAULT VALUES`. */
  readonly defaultValues?: boolean;
  /** INSERT: the rows' source (VALUES ..., SELECT ..., DEFAULT VALUES), up to ON CONFLICT or RETURNING. */
  readonly source?: Span;
  /** UPDATE: the columns SET assigns, folded, in order, with their expressions. */
  readonly assigned?: readonly { readonly column: string; readonly expr: Span; readonly at: number }[];
  /** UPDATE ... FROM, DELETE ... USING. */
  readonly joins?: Span;
  /** The condition after WHERE. */
  readonly where?: Span;
  /** The expressions after RETURNING. */
  readonly returning?: Span;
  /** Where the RETURNING keyword starts (the statement without it ends here). */
  readonly returningAt?: number;
  /** Where the statement ends: past its last token, before a trailing `;` and comments. */
  readonly end: number;
}

const SCHEMAS = new Set(['main', 'public', 'restsql', 'autorest', 'temp']);

/** The statement's first word, past comments and opening parentheses (undefined: none). */
function firstWord(toks: readonly Token[]): string | undefined {
  const t = toks.find((x) => !(x.kind === 'punct' && x.text === '('));
  return t?.kind === 'word' ? t.value : undefined;
}

function position(sql: string, index: number): { position: number } {
  return { position: charPosition(sql, index) };
}

function unsupported(sql: string, at: number, message: string, hint: string): RestSqlError {
  return new RestSqlError('WRITE_UNSUPPORTED', message, { hint, details: position(sql, at) });
}

/** Tokens at parenthesis depth 0 of `toks` from `from`, each with its index. */
function* topLevel(toks: readonly Token[], from = 0): Generator<[Token, number]> {
  let depth = 0;
  for (let i = from; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === 'punct' && (t.text === '(' || t.text === '[')) depth++;
    else if (t.kind === 'punct' && (t.text === ')' || t.text === ']')) depth--;
    else if (depth === 0) yield [t, i];
  }
}

const isWord = (t: Token | undefined, ...words: string[]): boolean => t?.kind === 'word' && words.includes(t.value);
const isPunct = (t: Token | undefined, p: string): boolean => t?.kind === 'punct' && t.text === p;

/** An identifier token's folded name (quoted identifiers fold too: DuckDB resolves names without regard to case). */
function nameOf(t: Token | undefined): string | undefined {
  if (t?.kind === 'word') return t.value;
  if (t?.kind === 'quotedIdent') return t.value.toLowerCase();
  return undefined;
}

/**
 * The verb of `sql` when it writes (INSERT, UPDATE, DELETE, also MERGE, TRUNCATE and a WITH
 * before any of them), else undefined. Cheap: it reads the first words only.
 */
export function writeVerb(sql: string): string | undefined {
  let first: string | undefined;
  try {
    for (const t of tokens(sql)) {
      if (t.kind === 'punct' && t.text === '(') continue;
      first = t.kind === 'word' ? t.value : undefined;
      break;
    }
  } catch {
    return undefined;
  }
  return first !== undefined && ['insert', 'update', 'delete', 'merge', 'truncate', 'with', 'upsert', 'replace'].includes(first) ? first : undefined;
}

/** `[schema.]name` at toks[i]: the folded name and the index past it, or undefined. */
function tableName(toks: readonly Token[], i: number): { name: string; schema?: string; next: number } | undefined {
  const a = nameOf(toks[i]);
  if (a === undefined) return undefined;
  if (isPunct(toks[i + 1], '.')) {
    const b = nameOf(toks[i + 2]);
    if (b === undefined) return undefined;
    if (isPunct(toks[i + 3], '.')) {
      // catalog.schema.name
      const c = nameOf(toks[i + 4]);
      return c === undefined ? undefined : { name: c, schema: b, next: i + 5 };
    }
    return { name: b, schema: a, next: i + 3 };
  }
  return { name: a, next: i + 1 };
}

const CLAUSE_WORDS = new Set(['set', 'from', 'using', 'where', 'returning', 'values', 'default', 'select', 'with', 'on', 'by', 'table']);

/** An optional `[AS] alias` at toks[i]. */
function aliasAt(toks: readonly Token[], i: number): { alias?: string; next: number } {
  let j = i;
  if (isWord(toks[j], 'as')) j++;
  const t = toks[j];
  if ((t?.kind === 'word' && !CLAUSE_WORDS.has(t.value)) || t?.kind === 'quotedIdent') return { alias: nameOf(t)!, next: j + 1 };
  return { next: i };
}

/**
 * Reads `sql` as a write statement whose target `isApiTable` accepts. Undefined when `sql` is not
 * an INSERT, UPDATE or DELETE, or its target is not an API table (DuckDB runs it as before).
 * Throws WRITE_UNSUPPORTED for forms restsql cannot send (ON CONFLICT, INSERT OR REPLACE, a WITH
 * before the verb, MERGE or TRUNCATE of an API table), and for a write to an API table followed
 * by another statement in the same text.
 */
export function readWriteStatement(sql: string, isApiTable: (name: string, schema: string | undefined) => boolean): WriteStatement | undefined {
  const verb = writeVerb(sql);
  if (verb === undefined) return undefined;
  // The first statement's tokens; another statement after it is refused below when this one writes to an API table.
  const all = [...tokens(sql)];
  const semicolon = all.findIndex((t) => isPunct(t, ';'));
  const next = semicolon < 0 ? undefined : all.slice(semicolon + 1).find((t) => !isPunct(t, ';'));
  const toks = semicolon < 0 ? all : all.slice(0, semicolon);
  const api = (n: { name: string; schema?: string } | undefined): boolean => n !== undefined && (n.schema === undefined || SCHEMAS.has(n.schema)) && isApiTable(n.name, n.schema);
  const first = toks[0]!;
  if (verb === 'with' || verb === 'merge' || verb === 'truncate' || verb === 'upsert' || verb === 'replace' || first.kind === 'punct') {
    // Only refused when an API table is the target; DuckDB answers the rest as before.
    const target = targetOfOther(toks, verb);
    if (target && api(target.name)) {
      const what = verb === 'with' ? 'a WITH clause before INSERT, UPDATE or DELETE' : `${verb.toUpperCase()}`;
      throw unsupported(sql, target.at, `${what} cannot write to the API table '${target.name.name}'.`, verb === 'with' ? 'Put the WITH inside the statement: INSERT INTO t SELECT ... with a subquery, or WHERE key IN (SELECT ...).' : verb === 'truncate' ? 'Use DELETE FROM t WHERE <key> IN (...) (AllowFullTableWrites=1 lets DELETE read the whole table).' : 'Use INSERT, UPDATE or DELETE.');
    }
    return undefined;
  }
  if (firstWord(toks) === undefined) return undefined;
  const read = verb === 'insert' ? readInsert(sql, toks, api) : verb === 'update' ? readUpdate(sql, toks, api) : readDelete(sql, toks, api);
  if (read && next) {
    // Scripts are split before they get here; a text that still holds two statements (bound parameters, stream(), open()) cannot be sent as one write.
    throw unsupported(sql, next.start, `${verb.toUpperCase()} on the API table '${read.table}' is followed by another statement in the same text; a write to an API table must be a statement of its own here.`, 'Run the statements one at a time (bound parameters, stream() and open() take one statement), or run the script without parameters.');
  }
  return read && { ...read, end: toks[toks.length - 1]!.end };
}

/** The target of a WITH ... INSERT/UPDATE/DELETE, MERGE INTO, TRUNCATE [TABLE]. */
function targetOfOther(toks: readonly Token[], verb: string): { name: { name: string; schema?: string }; at: number } | undefined {
  let i = 0;
  if (verb === 'with') {
    const found = [...topLevel(toks, 1)].find(([t]) => isWord(t, 'insert', 'update', 'delete', 'merge'));
    if (!found) return undefined;
    i = found[1];
  }
  const w = toks[i]?.value;
  let j = i + 1;
  if (w === 'insert' || w === 'merge' || w === 'upsert' || w === 'replace') {
    while (j < toks.length && !isWord(toks[j], 'into')) j++;
    j++;
  } else if (w === 'delete') {
    if (isWord(toks[j], 'from')) j++;
  } else if (w === 'truncate') {
    if (isWord(toks[j], 'table')) j++;
  }
  const n = tableName(toks, j);
  return n ? { name: n, at: toks[j]!.start } : undefined;
}

function readInsert(sql: string, toks: readonly Token[], api: (n: { name: string; schema?: string }) => boolean): Omit<WriteStatement, 'end'> | undefined {
  let i = 1;
  if (isWord(toks[i], 'or')) {
    const n = tableName(toks, i + 3);
    if (n && api(n)) throw unsupported(sql, toks[i]!.start, `INSERT OR ${toks[i + 1]?.text.toUpperCase() ?? ''} cannot write to the API table '${n.name}': the API decides what a conflict is.`, 'Use a plain INSERT (the API answers an error for a conflicting row), or UPDATE the existing row.');
    return undefined;
  }
  if (!isWord(toks[i], 'into')) return undefined;
  i++;
  const n = tableName(toks, i);
  if (!n || !api(n)) return undefined;
  const target = { start: toks[i]!.start, end: toks[n.next - 1]!.end };
  i = n.next;
  let alias: string | undefined;
  if (isWord(toks[i], 'as')) {
    alias = nameOf(toks[i + 1]);
    i += 2;
  }
  let columns: string[] | undefined;
  if (isPunct(toks[i], '(')) {
    // A column list, unless the parenthesis opens the source query: (SELECT ...).
    if (!isWord(toks[i + 1], 'select', 'with', 'values', 'from', 'table')) {
      columns = [];
      let j = i + 1;
      for (; j < toks.length && !isPunct(toks[j], ')'); j++) {
        if (isPunct(toks[j], ',')) continue;
        const c = nameOf(toks[j]);
        if (c === undefined) throw new RestSqlError('QUERY_SYNTAX', `syntax error at or near "${toks[j]!.text}" in the column list of INSERT INTO ${n.name}.`, { hint: 'List column names: INSERT INTO t (a, b) VALUES (...).', details: position(sql, toks[j]!.start) });
        columns.push(c);
      }
      i = j + 1;
    }
  }
  if (isWord(toks[i], 'by')) throw unsupported(sql, toks[i]!.start, `INSERT ... BY ${toks[i + 1]?.text.toUpperCase() ?? 'NAME'} cannot write to the API table '${n.name}'.`, 'List the columns: INSERT INTO t (a, b) SELECT a, b FROM ...');
  const defaultValues = isWord(toks[i], 'default') && isWord(toks[i + 1], 'values');
  const sourceStart = toks[i]?.start ?? sql.length;
  let returningAt: number | undefined;
  let returning: Span | undefined;
  for (const [t, k] of topLevel(toks, i)) {
    if (isWord(t, 'on') && isWord(toks[k + 1], 'conflict')) throw unsupported(sql, t.start, `INSERT ... ON CONFLICT cannot write to the API table '${n.name}': the API decides what a conflict is.`, 'Use a plain INSERT, or UPDATE the existing row.');
    if (isWord(t, 'returning')) {
      returningAt = t.start;
      returning = { start: t.end, end: toks[toks.length - 1]!.end };
      break;
    }
  }
  const source = { start: sourceStart, end: returningAt ?? toks[toks.length - 1]!.end };
  return { kind: 'insert', table: n.name, target, source, ...(alias ? { alias } : {}), ...(columns ? { columns } : {}), ...(defaultValues ? { defaultValues } : {}), ...(returning ? { returning, returningAt: returningAt! } : {}) };
}

/** WHERE and RETURNING (and FROM / USING) after index `from`, at depth 0. */
function tail(toks: readonly Token[], from: number, joinWord: string): { where?: Span; returning?: Span; returningAt?: number; joins?: Span; whereAt?: number; joinsAt?: number } {
  const marks: { word: string; index: number }[] = [];
  for (const [t, k] of topLevel(toks, from)) if (isWord(t, joinWord, 'where', 'returning')) marks.push({ word: t.value, index: k });
  const end = toks[toks.length - 1]!.end;
  const out: { where?: Span; returning?: Span; returningAt?: number; joins?: Span; whereAt?: number; joinsAt?: number } = {};
  marks.forEach((m, n) => {
    const stop = marks[n + 1] ? toks[marks[n + 1]!.index]!.start : end;
    const span = { start: toks[m.index]!.end, end: stop };
    if (m.word === 'where' && !out.where) {
      out.where = span;
      out.whereAt = toks[m.index]!.start;
    } else if (m.word === 'returning' && !out.returning) {
      out.returning = { start: span.start, end };
      out.returningAt = toks[m.index]!.start;
    } else if (m.word === joinWord && !out.joins) {
      out.joins = span;
      out.joinsAt = toks[m.index]!.start;
    }
  });
  return out;
}

function readUpdate(sql: string, toks: readonly Token[], api: (n: { name: string; schema?: string }) => boolean): Omit<WriteStatement, 'end'> | undefined {
  let i = 1;
  if (isWord(toks[i], 'only')) i++;
  const n = tableName(toks, i);
  if (!n || !api(n)) return undefined;
  const target = { start: toks[i]!.start, end: toks[n.next - 1]!.end };
  const a = aliasAt(toks, n.next);
  i = a.next;
  if (!isWord(toks[i], 'set')) throw new RestSqlError('QUERY_SYNTAX', `syntax error: UPDATE ${n.name} needs SET.`, { hint: 'Write UPDATE t SET col = value WHERE key = ...', details: position(sql, toks[i]?.start ?? sql.length) });
  const rest = tail(toks, i + 1, 'from');
  // The assignments: `col = expr` separated by commas at depth 0, up to FROM, WHERE or RETURNING.
  const assigned: { column: string; expr: Span; at: number }[] = [];
  const stopAt = Math.min(...[rest.joinsAt, rest.whereAt, rest.returningAt].filter((x): x is number => x !== undefined), sql.length);
  let current: { column: string; exprStart: number; at: number } | undefined;
  const close = (end: number): void => {
    if (current) assigned.push({ column: current.column, expr: { start: current.exprStart, end }, at: current.at });
    current = undefined;
  };
  let expectColumn = true;
  // The SET keyword or the comma before the assignment read next (a parenthesis after it is not yielded by topLevel).
  let separator = i;
  for (const [t, k] of topLevel(toks, i + 1)) {
    if (t.start >= stopAt) break;
    if (expectColumn) {
      const open = toks[separator + 1]!;
      if (isPunct(open, '(')) throw unsupported(sql, open.start, `UPDATE ${n.name} SET (a, b) = (...) is not supported on an API table.`, 'Assign each column on its own: SET a = ..., b = ...');
      if (t.kind === 'punct') throw unsupported(sql, t.start, `UPDATE ${n.name} SET (a, b) = (...) is not supported on an API table.`, 'Assign each column on its own: SET a = ..., b = ...');
      let c = nameOf(t);
      let eqAt = k + 1;
      // `SET o.col = ...` (DuckDB allows the table or alias before the column).
      if (isPunct(toks[k + 1], '.')) {
        c = nameOf(toks[k + 2]);
        eqAt = k + 3;
      }
      if (c === undefined || !(toks[eqAt]?.kind === 'operator' && toks[eqAt]!.text === '=')) throw new RestSqlError('QUERY_SYNTAX', `syntax error at or near "${t.text}" in SET of UPDATE ${n.name}.`, { hint: 'Write SET col = value, col2 = value2.', details: position(sql, t.start) });
      current = { column: c, exprStart: toks[eqAt]!.end, at: t.start };
      expectColumn = false;
    } else if (isPunct(t, ',')) {
      close(t.start);
      expectColumn = true;
      separator = k;
    }
  }
  close(stopAt === sql.length ? toks[toks.length - 1]!.end : stopAt);
  if (assigned.length === 0) throw new RestSqlError('QUERY_SYNTAX', `syntax error: UPDATE ${n.name} SET assigns no column.`, { hint: 'Write SET col = value.', details: position(sql, toks[i]!.start) });
  return {
    kind: 'update',
    table: n.name,
    target,
    ...(a.alias ? { alias: a.alias } : {}),
    assigned,
    ...(rest.joins ? { joins: rest.joins } : {}),
    ...(rest.where ? { where: rest.where } : {}),
    ...(rest.returning ? { returning: rest.returning, returningAt: rest.returningAt! } : {}),
  };
}

function readDelete(sql: string, toks: readonly Token[], api: (n: { name: string; schema?: string }) => boolean): Omit<WriteStatement, 'end'> | undefined {
  let i = 1;
  if (isWord(toks[i], 'from')) i++;
  if (isWord(toks[i], 'only')) i++;
  const n = tableName(toks, i);
  if (!n || !api(n)) return undefined;
  const target = { start: toks[i]!.start, end: toks[n.next - 1]!.end };
  const a = aliasAt(toks, n.next);
  const rest = tail(toks, a.next, 'using');
  return {
    kind: 'delete',
    table: n.name,
    target,
    ...(a.alias ? { alias: a.alias } : {}),
    ...(rest.joins ? { joins: rest.joins } : {}),
    ...(rest.where ? { where: rest.where } : {}),
    ...(rest.returning ? { returning: rest.returning, returningAt: rest.returningAt! } : {}),
  };
}

/**
 * The top-level AND-ed conditions of a WHERE span, each as text: `a = 1 AND (b = 2 OR c)` gives
 * `a = 1` and `(b = 2 OR c)`. BETWEEN's AND is not a separator.
 */
export function conjuncts(sql: string, where: Span): Span[] {
  const toks = [...tokens(sql.slice(where.start, where.end))];
  const out: Span[] = [];
  let start = 0;
  let between = 0;
  for (const [t] of topLevel(toks)) {
    if (isWord(t, 'between')) between++;
    else if (isWord(t, 'and')) {
      if (between > 0) {
        between--;
        continue;
      }
      out.push({ start: where.start + start, end: where.start + t.start });
      start = t.end;
    }
  }
  out.push({ start: where.start + start, end: where.end });
  return out.filter((s) => sql.slice(s.start, s.end).trim() !== '');
}

/**
 * A conjunct of the form `column = expr`, `expr = column` or `column IN (e1, e2, ...)`, where
 * column is a plain or qualified (`alias.column`) name: the column and the value expressions.
 * Whether the expressions are constants is DuckDB's to say (write-runner evaluates them).
 */
export function keyCondition(text: string): { column: string; qualifier?: string; values: string[] } | undefined {
  let toks: Token[];
  try {
    toks = [...tokens(text)];
  } catch {
    return undefined;
  }
  // Outer parentheses around the whole condition.
  while (toks.length > 2 && isPunct(toks[0], '(') && isPunct(toks[toks.length - 1], ')') && closes(toks, 0) === toks.length - 1) toks = toks.slice(1, -1);
  const column = (from: number): { column: string; qualifier?: string; next: number } | undefined => {
    const a = nameOf(toks[from]);
    if (a === undefined) return undefined;
    if (isPunct(toks[from + 1], '.')) {
      const b = nameOf(toks[from + 2]);
      return b === undefined ? undefined : { column: b, qualifier: a, next: from + 3 };
    }
    return { column: a, next: from + 1 };
  };
  const slice = (a: number, b: number): string => (a < b ? text.slice(toks[a]!.start, toks[b - 1]!.end) : '');
  const left = column(0);
  if (left && left.next < toks.length) {
    const op = toks[left.next]!;
    if (op.kind === 'operator' && op.text === '=' && left.next + 1 < toks.length) {
      if (!oneOperand(toks.slice(left.next + 1))) return undefined;
      return { column: left.column, ...(left.qualifier ? { qualifier: left.qualifier } : {}), values: [slice(left.next + 1, toks.length)] };
    }
    if (isWord(op, 'in') && isPunct(toks[left.next + 1], '(') && closes(toks, left.next + 1) === toks.length - 1) {
      if (isWord(toks[left.next + 2], 'select', 'with', 'values', 'from')) return undefined;
      const values: string[] = [];
      let at = left.next + 2;
      for (const [t, k] of topLevel(toks.slice(0, toks.length - 1), left.next + 2)) {
        if (isPunct(t, ',')) {
          values.push(slice(at, k));
          at = k + 1;
        }
      }
      values.push(slice(at, toks.length - 1));
      return values.every((v) => v.trim() !== '') ? { column: left.column, ...(left.qualifier ? { qualifier: left.qualifier } : {}), values } : undefined;
    }
  }
  // expr = column
  const eq = [...topLevel(toks)].filter(([t]) => t.kind === 'operator' && t.text === '=');
  if (eq.length === 1) {
    const k = eq[0]![1];
    const right = column(k + 1);
    if (right && right.next === toks.length && k > 0 && oneOperand(toks.slice(0, k))) return { column: right.column, ...(right.qualifier ? { qualifier: right.qualifier } : {}), values: [slice(0, k)] };
  }
  return undefined;
}

/** Words and operators that bind no tighter than `=` (PostgreSQL's precedence, which DuckDB follows). */
const LOOSER_WORDS = ['or', 'and', 'not', 'is', 'isnull', 'notnull', 'between', 'in', 'like', 'ilike', 'similar', 'glob'];
const COMPARISONS = new Set(['=', '==', '<', '>', '<=', '>=', '<>', '!=']);

/**
 * Whether `toks` are one operand of `=`: nothing at depth 0 binds less tightly. `id = 3 IS NOT
 * NULL` is `(id = 3) IS NOT NULL` and `id = 2 OR TRUE` is `(id = 2) OR TRUE`, neither a key value.
 */
function oneOperand(toks: readonly Token[]): boolean {
  for (const [t] of topLevel(toks)) if (isWord(t, ...LOOSER_WORDS) || (t.kind === 'operator' && COMPARISONS.has(t.text))) return false;
  return true;
}

/** The index of the parenthesis closing the one at `open`. */
function closes(toks: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    if (isPunct(toks[i], '(')) depth++;
    else if (isPunct(toks[i], ')') && --depth === 0) return i;
  }
  return -1;
}
