import { RestSqlError } from '../errors/index.js';

/**
 * PostgreSQL's lexical rules, as far as the server needs them to find statement boundaries and to
 * read the commands it answers itself (PostgreSQL 15 "Lexical Structure", sql-syntax-lexical):
 * standard strings '...' ('' doubles a quote; backslashes are literal because
 * standard_conforming_strings is always on here), escape strings E'...' (backslash escapes),
 * Unicode strings U&'...', bit/hex/national strings B'...' X'...' N'...', dollar quotes
 * $tag$...$tag$, quoted identifiers "..." ("" doubles a quote), -- line comments and nested
 * /* block comments *\/. Everything else is read coarsely (words, numbers, operators, single
 * characters): the engine parses real SQL, this lexer only has to agree with it on where quotes
 * and comments start and end.
 *
 * Positions are UTF-16 indices (`start`, `end`) for slicing; error positions are 1-based character
 * (code point) counts, as PostgreSQL reports them in the ErrorResponse `P` field.
 */
export type TokenKind = 'word' | 'quotedIdent' | 'string' | 'number' | 'param' | 'operator' | 'punct';

export type StringKind = 'standard' | 'escape' | 'unicode' | 'dollar' | 'bit' | 'hex' | 'national';

export interface Token {
  readonly kind: TokenKind;
  /** UTF-16 index of the first character. */
  readonly start: number;
  /** UTF-16 index just past the last character. */
  readonly end: number;
  /** The source text of the token, as written. */
  readonly text: string;
  /**
   * word: folded to lower case (ASCII letters only, like PostgreSQL's downcase_identifier);
   * quotedIdent and string: the content with quoting and escapes resolved; others: the text.
   */
  readonly value: string;
  /** For strings: which kind of literal. */
  readonly stringKind?: StringKind;
  /**
   * The gap before this token holds a newline and only whitespace or -- comments. Two string
   * constants separated by such a gap are one constant (SQL-standard continuation).
   */
  readonly newlineBefore: boolean;
}

const OPERATOR_CHARS = '~!@#^&|`?+-*/%<>=';
const PUNCT_CHARS = '(),;[].:';

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

function isIdentStart(c: string | undefined): boolean {
  if (c === undefined) return false;
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c.charCodeAt(0) >= 0x80;
}

function isIdentCont(c: string | undefined): boolean {
  return isIdentStart(c) || isDigit(c) || c === '$';
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Lower-cases ASCII letters only, as PostgreSQL folds unquoted identifiers in a UTF8 database. */
export function foldIdentifier(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** 1-based character (code point) position of a UTF-16 index, as PostgreSQL counts positions. */
export function charPosition(text: string, index: number): number {
  let n = 0;
  for (let i = 0; i < index && i < text.length; i++) {
    const code = text.charCodeAt(i);
    // The low half of a surrogate pair does not count as a character of its own.
    if (!(code >= 0xdc00 && code <= 0xdfff && i > 0 && isHighSurrogate(text.charCodeAt(i - 1)))) n++;
  }
  return n + 1;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** A 42601 syntax error at a UTF-16 index of `text`, worded like PostgreSQL's. */
export function syntaxErrorAt(text: string, index: number, message: string, hint?: string): RestSqlError {
  return new RestSqlError('QUERY_SYNTAX', message, { details: { position: charPosition(text, index) }, ...(hint === undefined ? {} : { hint }) });
}

function unterminated(text: string, start: number, what: string): RestSqlError {
  return syntaxErrorAt(text, start, `unterminated ${what} at or near "${text.slice(start)}"`);
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Decodes the backslash escapes of an E'...' string body (PostgreSQL 15 sql-syntax-lexical 4.1.2.2). */
function decodeEscapeString(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === "'" && body[i + 1] === "'") {
      out += "'";
      i++;
      continue;
    }
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const e = body[++i] as string;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
    } else if (e >= '0' && e <= '7') {
      const m = /^[0-7]{1,3}/.exec(body.slice(i)) as RegExpExecArray;
      out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
      i += m[0].length - 1;
    } else if (e === 'x' && /^[0-9A-Fa-f]/.test(body[i + 1] ?? '')) {
      const m = /^[0-9A-Fa-f]{1,2}/.exec(body.slice(i + 1)) as RegExpExecArray;
      out += String.fromCharCode(parseInt(m[0], 16));
      i += m[0].length;
    } else if ((e === 'u' || e === 'U') && new RegExp(`^[0-9A-Fa-f]{${e === 'u' ? 4 : 8}}`).test(body.slice(i + 1))) {
      const n = e === 'u' ? 4 : 8;
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + n), 16));
      i += n;
    } else {
      out += e;
    }
  }
  return out;
}

/** Decodes a U&'...' body with the default escape character (4.1.2.3): \XXXX, \+XXXXXX, \\. */
function decodeUnicodeString(body: string): string {
  return body.replace(/''/g, "'").replace(/\\(\\|\+[0-9A-Fa-f]{6}|[0-9A-Fa-f]{4})/g, (_, esc: string) => (esc === '\\' ? '\\' : String.fromCodePoint(parseInt(esc.replace('+', ''), 16))));
}

/**
 * Reads tokens lazily, so a caller that needs only the first words never meets a lexical error
 * further on. Throws QUERY_SYNTAX (42601) for an unterminated quoted string, quoted identifier,
 * dollar quote or block comment, and for a zero-length "" identifier, with PostgreSQL's wording
 * and position: like PostgreSQL, which lexes a whole query string before running any of it.
 */
export function* tokens(text: string): Generator<Token, void, undefined> {
  let i = 0;
  const n = text.length;
  while (true) {
    // Whitespace and comments.
    let newline = false;
    let blockComment = false;
    while (i < n) {
      const c = text[i];
      if (isSpace(c)) {
        if (c === '\n' || c === '\r') newline = true;
        i++;
      } else if (c === '-' && text[i + 1] === '-') {
        while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
      } else if (c === '/' && text[i + 1] === '*') {
        const start = i;
        let depth = 0;
        while (i < n) {
          if (text[i] === '/' && text[i + 1] === '*') {
            depth++;
            i += 2;
          } else if (text[i] === '*' && text[i + 1] === '/') {
            depth--;
            i += 2;
            if (depth === 0) break;
          } else {
            i++;
          }
        }
        if (depth !== 0) throw unterminated(text, start, '/* comment');
        blockComment = true;
      } else {
        break;
      }
    }
    if (i >= n) return;
    const newlineBefore = newline && !blockComment;
    const start = i;
    const c = text[i] as string;
    const next = text[i + 1];
    const make = (kind: TokenKind, end: number, value?: string, stringKind?: StringKind): Token => {
      const t = text.slice(start, end);
      return { kind, start, end, text: t, value: value ?? t, newlineBefore, ...(stringKind === undefined ? {} : { stringKind }) };
    };

    // Prefixed string literals: E'', B'', X'', N'', U&'' and U&"".
    const lower = c.toLowerCase();
    if ((lower === 'e' || lower === 'b' || lower === 'x' || lower === 'n') && next === "'") {
      const kind: StringKind = lower === 'e' ? 'escape' : lower === 'b' ? 'bit' : lower === 'x' ? 'hex' : 'national';
      const end = scanQuoted(text, i + 1, "'", kind === 'escape');
      if (end < 0) throw unterminated(text, start, 'quoted string');
      const body = text.slice(i + 2, end - 1);
      i = end;
      yield make('string', end, kind === 'escape' ? decodeEscapeString(body) : body.replace(/''/g, "'"), kind);
      continue;
    }
    if (lower === 'u' && next === '&' && (text[i + 2] === "'" || text[i + 2] === '"')) {
      const q = text[i + 2] as string;
      const end = scanQuoted(text, i + 2, q, false);
      if (end < 0) throw unterminated(text, start, q === "'" ? 'quoted string' : 'quoted identifier');
      const body = decodeUnicodeString(text.slice(i + 3, end - 1).replace(q === '"' ? /""/g : /''/g, q));
      i = end;
      yield q === "'" ? make('string', end, body, 'unicode') : make('quotedIdent', end, body);
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentCont(text[j])) j++;
      i = j;
      yield make('word', j, foldIdentifier(text.slice(start, j)));
      continue;
    }
    if (c === "'") {
      const end = scanQuoted(text, i, "'", false);
      if (end < 0) throw unterminated(text, start, 'quoted string');
      i = end;
      yield make('string', end, text.slice(start + 1, end - 1).replace(/''/g, "'"), 'standard');
      continue;
    }
    if (c === '"') {
      const end = scanQuoted(text, i, '"', false);
      if (end < 0) throw unterminated(text, start, 'quoted identifier');
      if (end === i + 2) throw syntaxErrorAt(text, start, 'zero-length delimited identifier at or near """"');
      i = end;
      yield make('quotedIdent', end, text.slice(start + 1, end - 1).replace(/""/g, '"'));
      continue;
    }
    if (c === '$') {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 200));
      if (tag !== null) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        if (close < 0) throw unterminated(text, start, 'dollar-quoted string');
        i = close + tag[0].length;
        yield make('string', i, text.slice(start + tag[0].length, close), 'dollar');
        continue;
      }
      const param = /^\$\d+/.exec(text.slice(i, i + 20));
      if (param !== null) {
        i += param[0].length;
        yield make('param', i);
        continue;
      }
    }
    if (isDigit(c) || (c === '.' && isDigit(next))) {
      const m = /^(?:\d+(?:\.(?!\.)\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i)) as RegExpExecArray;
      i += m[0].length;
      yield make('number', i);
      continue;
    }
    if (c === ':' && (next === ':' || next === '=')) {
      i += 2;
      yield make('operator', i);
      continue;
    }
    if (OPERATOR_CHARS.includes(c)) {
      let j = i;
      while (j < n && OPERATOR_CHARS.includes(text[j] as string)) {
        // A comment start ends the operator (PostgreSQL scan.l, "operator").
        if (j > i && ((text[j] === '-' && text[j + 1] === '-') || (text[j] === '/' && text[j + 1] === '*'))) break;
        j++;
      }
      let op = text.slice(i, j);
      // A trailing + or - is its own token unless the operator holds one of ~!@#^&|`?% ("=-1").
      while (op.length > 1 && /[+-]$/.test(op) && !/[~!@#^&|`?%]/.test(op)) op = op.slice(0, -1);
      i += op.length;
      yield make('operator', i);
      continue;
    }
    i++;
    yield make(PUNCT_CHARS.includes(c) ? 'punct' : 'operator', i);
  }
}

/**
 * The index just past the closing quote of a quoted run starting at `open` (text[open] === quote),
 * or -1 when it does not close. A doubled quote stays inside; with `backslash`, so does \'.
 */
function scanQuoted(text: string, open: number, quote: string, backslash: boolean): number {
  let i = open + 1;
  while (i < text.length) {
    const c = text[i];
    if (backslash && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return -1;
}

/** All tokens of `text` (see `tokens`). */
export function lex(text: string): Token[] {
  return [...tokens(text)];
}
