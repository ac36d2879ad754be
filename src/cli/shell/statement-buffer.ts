/**
 * The shell's input buffer: lines typed (or piped) accumulate until a `;` ends a statement. A `;`
 * inside a quoted string, quoted identifier, dollar quote or comment does not end one (the
 * lexer of src/sql/lexer.ts decides, as it does for `restsql serve`), nor does one inside a
 * routine's `BEGIN ATOMIC ... END` body (as src/sql/split.ts reads it).
 */
import { isRestSqlError } from '../../errors/index.js';
import { tokens } from '../../sql/lexer.js';
import { boundaryTokens, splitStatements } from '../../sql/split.js';

/** Where the text stands: complete statements up to `end` (the index past the last ending `;`), and whether a quote or comment is still open. */
interface Scan {
  readonly end: number;
  readonly open: boolean;
  /** Tokens after `end`: text that is a statement begun, not only whitespace and comments. */
  readonly rest: boolean;
}

function scan(text: string): Scan {
  let end = 0;
  let rest = false;
  try {
    for (const { token, ends } of boundaryTokens(text)) {
      if (ends) end = token.end;
      rest = !ends;
    }
  } catch (e) {
    // An unterminated quote or comment: the statement goes on on the next line.
    if (isRestSqlError(e) && /^unterminated /.test(e.message)) return { end, open: true, rest: true };
    // Another lexical error (a "" identifier): the statement ends at a `;` at the end of the
    // text, and running it reports the error.
    return /;\s*$/.test(text) ? { end: text.length, open: false, rest: false } : { end, open: false, rest: true };
  }
  return { end, open: false, rest };
}

/**
 * Where a meta-command starts in a line that begins outside any quote: the index of the first
 * backslash that is not inside a quoted string, quoted name, dollar quote or comment (`select
 * 1; \x` runs the statement, then `\x`); -1 when there is none, or the line leaves a quote
 * open (the backslash is then text).
 */
export function metaStart(line: string): number {
  if (!line.includes('\\')) return -1;
  try {
    for (const t of tokens(line)) if (t.text === '\\') return t.start;
  } catch {
    // An open quote or comment: what follows is text.
  }
  return -1;
}

export class StatementBuffer {
  #text = '';

  /**
   * Adds one line; returns the statements it completed, each without its `;` (none while the
   * statement goes on). Text after the last `;` stays for the next line.
   */
  push(line: string): string[] {
    // A statement under way goes on until a line with a `;`: text appended after it cannot turn an
    // earlier `;` into an ending one (the lexer reads left to right), so a line without one adds
    // no ending and the text need not be read again (a long statement is read once per `;` line,
    // not once per line).
    if (this.#text !== '' && !line.includes(';')) {
      this.#text = `${this.#text}\n${line}`;
      return [];
    }
    this.#text = this.#text === '' ? line : `${this.#text}\n${line}`;
    const s = scan(this.#text);
    if (s.end === 0) {
      if (!s.rest) this.#text = '';
      return [];
    }
    const done = this.#text.slice(0, s.end);
    this.#text = s.rest ? this.#text.slice(s.end).replace(/^[ \t]*\r?\n?/, '') : '';
    return statementsOf(done);
  }

  /** Text of a statement begun and not ended yet ('' when none). */
  get pending(): string {
    return this.#text;
  }

  /** Whether a quoted string, quoted identifier, dollar quote or block comment is open: a line starting with `\` is then text, not a meta-command. */
  get inQuote(): boolean {
    return this.#text !== '' && scan(this.#text).open;
  }

  /** Forgets the statement begun (Ctrl-C, `\r`). */
  clear(): void {
    this.#text = '';
  }
}

/** The statements of text that ends at a `;`, each on its own (a lexical error: the text as one). */
function statementsOf(text: string): string[] {
  try {
    return splitStatements(text).map((s) => s.sql);
  } catch {
    const one = text.replace(/;\s*$/, '').trim();
    return one === '' ? [] : [one];
  }
}
