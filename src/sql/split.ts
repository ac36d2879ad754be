import { tokens, type Token } from './lexer.js';

/** One statement of a simple-query string. */
export interface SqlStatement {
  /** The statement's text, from its first token to its last: no `;`, no leading or trailing whitespace or comment. */
  readonly sql: string;
  /**
   * Characters (code points) of the query text before the statement, so that a 1-based position
   * within `sql` plus `offset` is the 1-based position in the whole query text, which is what an
   * ErrorResponse `P` field holds (PostgreSQL 15 protocol-error-fields). Equal to the UTF-16 index
   * unless the text before the statement holds characters outside the Basic Multilingual Plane.
   */
  readonly offset: number;
}

/**
 * Splits a simple-query string into its statements (PostgreSQL 15 protocol-flow, "Simple Query":
 * the string may hold several statements separated by semicolons). A `;` ends a statement except
 * inside a quoted string, quoted identifier, dollar quote or comment (see lexer.ts). Pieces with
 * nothing but whitespace and comments are dropped, so `;;` and a trailing `;` give no empty
 * statement; a string with no statement at all gives [] (the session answers EmptyQueryResponse).
 *
 * Throws QUERY_SYNTAX for an unterminated quote or comment anywhere in the text, before any
 * statement is returned: PostgreSQL lexes the whole string first and runs none of it then.
 *
 * A routine's `BEGIN ATOMIC ... END` body keeps its `;`s, as PostgreSQL's grammar reads it (SQL
 * standard function bodies, CREATE FUNCTION): inside a statement that starts with CREATE, BEGIN
 * ATOMIC opens a block its END closes (CASE ... END and nested BEGIN ... END counted).
 */
export function splitStatements(text: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let first: Token | undefined;
  let last: Token | undefined;
  // Code points before `text[index]`, counted incrementally (indices only grow).
  let countedTo = 0;
  let points = 0;
  const pointsBefore = (index: number): number => {
    for (; countedTo < index; countedTo++) {
      const code = text.charCodeAt(countedTo);
      if (!(code >= 0xdc00 && code <= 0xdfff && countedTo > 0 && isHigh(text.charCodeAt(countedTo - 1)))) points++;
    }
    return points;
  };
  const flush = (): void => {
    if (first !== undefined && last !== undefined) out.push({ sql: text.slice(first.start, last.end), offset: pointsBefore(first.start) });
    first = undefined;
    last = undefined;
  };
  for (const { token, ends } of boundaryTokens(text)) {
    if (ends) {
      flush();
      continue;
    }
    first ??= token;
    last = token;
  }
  flush();
  return out;
}

/**
 * The tokens of `text`, each with whether it is a `;` that ends a statement: every `;` outside
 * quotes and comments (the lexer skips those) except one inside a routine's `BEGIN ATOMIC ... END`
 * body (in a statement that starts with CREATE; CASE ... END and nested BEGIN ... END counted).
 * Throws as tokens() does, when it reaches an unterminated quote or comment.
 */
export function* boundaryTokens(text: string): Generator<{ readonly token: Token; readonly ends: boolean }, void, undefined> {
  let first: Token | undefined;
  let last: Token | undefined;
  let blocks = 0;
  let cases = 0;
  for (const t of tokens(text)) {
    if (t.kind === 'punct' && t.text === ';' && blocks === 0) {
      first = undefined;
      last = undefined;
      cases = 0;
      yield { token: t, ends: true };
      continue;
    }
    if (first?.kind === 'word' && first.value === 'create' && t.kind === 'word') {
      if (t.value === 'atomic' && last?.kind === 'word' && last.value === 'begin' && blocks === 0) blocks = 1;
      else if (blocks > 0 && t.value === 'begin') blocks++;
      else if (blocks > 0 && t.value === 'case') cases++;
      else if (blocks > 0 && t.value === 'end') {
        if (cases > 0) cases--;
        else blocks--;
      }
    }
    first ??= t;
    last = t;
    yield { token: t, ends: false };
  }
}

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The first `n` words of a statement, upper-cased, skipping leading whitespace and comments:
 * what a command tag and the classification start from (`firstWords('begin work', 2)` is
 * ['BEGIN', 'WORK']). Stops early at anything that is not a bare word (a quoted name, a
 * parenthesis, a number...), so it may return fewer than `n`. Never throws: text after the words
 * it needs is not read.
 */
export function firstWords(sql: string, n: number): string[] {
  const words: string[] = [];
  if (n <= 0) return words;
  try {
    for (const t of tokens(sql)) {
      if (t.kind !== 'word') break;
      words.push(t.text.replace(/[a-z]+/g, (m) => m.toUpperCase()));
      if (words.length >= n) break;
    }
  } catch {
    // A lexical error after the first words: the words read so far stand.
  }
  return words;
}
