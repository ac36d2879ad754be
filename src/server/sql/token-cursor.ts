import { RestSqlError, type ErrorCode } from '../../errors/index.js';
import { charPosition, syntaxErrorAt, type Token } from '../../sql/lexer.js';

/**
 * A read position over one statement's tokens, for the small recursive-descent parsers of the
 * commands the server answers itself. Its errors are PostgreSQL's: `syntax error at or near "x"`
 * at the token, or `syntax error at end of input` one character past the statement
 * (details.position, 1-based, in characters of the statement).
 */
export class TokenCursor {
  private index = 0;

  constructor(
    readonly sql: string,
    private readonly list: readonly Token[],
    /** A hint for syntax errors: the command's shape. */
    private readonly hint?: string,
  ) {}

  peek(ahead = 0): Token | undefined {
    return this.list[this.index + ahead];
  }

  atEnd(): boolean {
    return this.index >= this.list.length;
  }

  next(): Token | undefined {
    const t = this.list[this.index];
    if (t !== undefined) this.index++;
    return t;
  }

  /** The next token is the bare (unquoted) keyword `word` (upper case). */
  isWord(word: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t !== undefined && t.kind === 'word' && t.value === word.toLowerCase();
  }

  /** Consumes the keyword sequence if it is next; true when it was. */
  acceptWords(...words: string[]): boolean {
    if (!words.every((w, k) => this.isWord(w, k))) return false;
    this.index += words.length;
    return true;
  }

  /** Consumes one keyword of `words` if next and returns it upper-cased. */
  acceptOneOf(...words: string[]): string | undefined {
    const found = words.find((w) => this.isWord(w));
    if (found !== undefined) this.index++;
    return found;
  }

  expectWords(...words: string[]): void {
    for (const w of words) {
      if (!this.isWord(w)) this.fail();
      this.index++;
    }
  }

  isPunct(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t !== undefined && (t.kind === 'punct' || t.kind === 'operator') && t.text === text;
  }

  acceptPunct(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.index++;
    return true;
  }

  expectPunct(text: string): Token {
    if (!this.isPunct(text)) this.fail();
    return this.next() as Token;
  }

  /** A column or object name (PostgreSQL's ColId): a bare word, folded, or a "quoted" name, kept. */
  name(): string {
    const t = this.peek();
    if (t === undefined || (t.kind !== 'word' && t.kind !== 'quotedIdent')) this.fail();
    this.index++;
    return t.value;
  }

  /** Ends the statement: anything left is a syntax error at it. */
  end(): void {
    if (!this.atEnd()) this.fail();
  }

  /** Throws the syntax error at the current token (or at end of input). */
  fail(): never {
    throw this.syntaxError(this.peek());
  }

  /** Throws the syntax error at `token`; undefined means at end of input. */
  failAt(token: Token | undefined): never {
    throw this.syntaxError(token);
  }

  syntaxError(token: Token | undefined): RestSqlError {
    if (token === undefined) {
      return new RestSqlError('QUERY_SYNTAX', 'syntax error at end of input', {
        details: { position: charPosition(this.sql, this.sql.length) },
        ...(this.hint === undefined ? {} : { hint: this.hint }),
      });
    }
    return syntaxErrorAt(this.sql, token.start, `syntax error at or near "${token.text}"`, this.hint);
  }

  /** An error of another code positioned at `token` (PostgreSQL's parser_errposition). */
  errorAt(token: Token | undefined, code: ErrorCode, message: string, hint?: string): RestSqlError {
    const position = token === undefined ? charPosition(this.sql, this.sql.length) : charPosition(this.sql, token.start);
    return new RestSqlError(code, message, { details: { position }, ...(hint === undefined ? {} : { hint }) });
  }
}
