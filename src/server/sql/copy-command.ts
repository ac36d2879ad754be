import { RestSqlError, type ErrorCode } from '../../errors/index.js';
import type { Token } from '../../sql/lexer.js';
import type { TokenCursor } from './token-cursor.js';

/** How COPY ... TO STDOUT writes rows (PostgreSQL 15 sql-copy, "Parameters" and "File Formats"). */
export interface CopyOptions {
  readonly format: 'text' | 'csv' | 'binary';
  /** One single-byte character: tab for text, comma for csv. */
  readonly delimiter: string;
  /** The text written for NULL: `\N` for text, the empty string for csv. */
  readonly null: string;
  readonly header: boolean;
  /** csv only: the quoting character, `"` by default. */
  readonly quote: string;
  /** csv only: the character written before a quote (or itself) inside a quoted value; the quote by default. */
  readonly escape: string;
  /** csv only: columns always quoted (unless NULL), by name, or '*' for all. */
  readonly forceQuote: readonly string[] | '*';
  /** ENCODING, when given (always UTF8: other encodings are refused). */
  readonly encoding?: string;
}

export type CopyCommand = { readonly kind: 'copyOut'; readonly query: string; readonly options: CopyOptions } | { readonly kind: 'copyIn' };

const HINT = 'Write COPY table [(columns)] TO STDOUT [WITH] [(option value, ...)] or COPY (query) TO STDOUT [WITH] [(option value, ...)].';

/** One option as PostgreSQL's DefElem: the name, its argument, and the token to point errors at. */
interface CopyOption {
  readonly name: string;
  readonly arg: { readonly kind: 'none' } | { readonly kind: 'string'; readonly value: string } | { readonly kind: 'star' } | { readonly kind: 'list'; readonly values: readonly string[] };
  readonly at: Token;
}

/**
 * Parses a COPY statement whose COPY keyword the cursor has read, in PostgreSQL 15's grammar:
 *   COPY (query) TO {STDOUT | STDIN} [WITH] [(option [value], ...) | legacy options]
 *   COPY [BINARY] table [(column, ...)] TO {STDOUT | STDIN} [[USING] DELIMITERS 'c'] [WITH] [options]
 *   COPY table ... FROM STDIN ...
 * The legacy options are BINARY, CSV, HEADER, FREEZE, DELIMITER [AS] 'c', NULL [AS] 's',
 * QUOTE [AS] 'c', ESCAPE [AS] 'c', FORCE QUOTE {column, ... | *}, FORCE [NOT] NULL column, ...,
 * ENCODING 's'. A table becomes the query `SELECT columns FROM table`. (`TO STDIN` writes to the
 * client too, as in PostgreSQL.) COPY to or from a file or program is refused: restsql serve
 * never touches the server's files.
 */
export function parseCopy(c: TokenCursor): CopyCommand {
  const sql = c.sql;
  const options: CopyOption[] = [];
  let query: string;
  if (c.isPunct('(')) {
    const open = c.next() as Token;
    let depth = 1;
    let close: Token | undefined;
    while (!c.atEnd()) {
      const t = c.next() as Token;
      if (t.kind === 'punct' && t.text === ';') c.failAt(t);
      if (t.kind === 'punct' && t.text === '(') depth++;
      if (t.kind === 'punct' && t.text === ')' && --depth === 0) {
        close = t;
        break;
      }
    }
    if (close === undefined) c.fail();
    query = sql.slice(open.end, close.start).trim();
    if (query === '') c.failAt(close);
    if (!c.isWord('TO')) c.fail();
    c.next();
    target(c);
  } else {
    const binary = c.peek();
    if (c.acceptWords('BINARY')) options.push({ name: 'format', arg: { kind: 'string', value: 'binary' }, at: binary as Token });
    const table: string[] = [rawName(c)];
    while (c.acceptPunct('.')) table.push(rawName(c));
    const columns: string[] = [];
    if (c.acceptPunct('(')) {
      do columns.push(rawName(c));
      while (c.acceptPunct(','));
      c.expectPunct(')');
    }
    if (c.acceptWords('FROM')) {
      if (c.isWord('STDIN') || c.isWord('STDOUT')) return { kind: 'copyIn' };
      target(c);
    }
    if (!c.isWord('TO')) c.fail();
    c.next();
    target(c);
    query = `SELECT ${columns.length === 0 ? '*' : columns.join(', ')} FROM ${table.join('.')}`;
    const using = c.peek();
    if (c.acceptWords('USING', 'DELIMITERS') || c.acceptWords('DELIMITERS')) options.push({ name: 'delimiter', arg: { kind: 'string', value: stringConst(c) }, at: using as Token });
  }
  c.acceptWords('WITH');
  if (c.acceptPunct('(')) {
    do options.push(genericOption(c));
    while (c.acceptPunct(','));
    c.expectPunct(')');
  } else {
    while (!c.atEnd() && !c.isWord('WHERE')) options.push(legacyOption(c));
  }
  if (c.isWord('WHERE')) throw c.errorAt(c.peek(), 'QUERY_SYNTAX', 'WHERE clause not allowed with COPY TO', 'Filter in a query: COPY (SELECT ... WHERE ...) TO STDOUT.');
  c.end();
  return { kind: 'copyOut', query, options: copyOptions(c, options) };
}

function target(c: TokenCursor): void {
  if (c.acceptOneOf('STDOUT', 'STDIN') !== undefined) return;
  const t = c.peek();
  if (c.isWord('PROGRAM') || t?.kind === 'string') {
    throw new RestSqlError('QUERY_NOT_ALLOWED', 'COPY to or from a file or program is not allowed in restsql serve', {
      hint: 'Use COPY ... TO STDOUT, which sends the rows to the client (psql: \\copy ... to \'file\').',
    });
  }
  c.fail();
}

/** A name as written (quotes kept), for the query COPY table becomes. */
function rawName(c: TokenCursor): string {
  const t = c.peek();
  if (t === undefined || (t.kind !== 'word' && t.kind !== 'quotedIdent')) c.fail();
  c.next();
  return t.text;
}

function stringConst(c: TokenCursor): string {
  const t = c.peek();
  if (t === undefined || t.kind !== 'string' || t.stringKind === 'bit' || t.stringKind === 'hex') c.fail();
  c.next();
  return t.value;
}

function genericOption(c: TokenCursor): CopyOption {
  const at = c.peek();
  if (at === undefined || (at.kind !== 'word' && at.kind !== 'quotedIdent')) c.fail();
  c.next();
  const name = at.value;
  const t = c.peek();
  if (t === undefined || c.isPunct(',') || c.isPunct(')')) return { name, arg: { kind: 'none' }, at };
  if (c.acceptPunct('*')) return { name, arg: { kind: 'star' }, at };
  if (c.acceptPunct('(')) {
    const values: string[] = [];
    do values.push(booleanOrString(c));
    while (c.acceptPunct(','));
    c.expectPunct(')');
    return { name, arg: { kind: 'list', values }, at };
  }
  if (t.kind === 'number' || ((c.isPunct('-') || c.isPunct('+')) && c.peek(1)?.kind === 'number')) {
    const sign = t.kind === 'number' ? '' : (c.next() as Token).text === '-' ? '-' : '';
    return { name, arg: { kind: 'string', value: sign + (c.next() as Token).text }, at };
  }
  return { name, arg: { kind: 'string', value: booleanOrString(c) }, at };
}

/** opt_boolean_or_string: a word (folded) or a string constant. */
function booleanOrString(c: TokenCursor): string {
  const t = c.peek();
  if (t !== undefined && (t.kind === 'word' || t.kind === 'quotedIdent')) {
    c.next();
    return t.value;
  }
  return stringConst(c);
}

function legacyOption(c: TokenCursor): CopyOption {
  const at = c.peek() as Token;
  const str = (name: string): CopyOption => {
    c.acceptWords('AS');
    return { name, arg: { kind: 'string', value: stringConst(c) }, at };
  };
  const columns = (): string[] => {
    const names: string[] = [];
    do names.push(c.name());
    while (c.acceptPunct(','));
    return names;
  };
  switch (c.acceptOneOf('BINARY', 'CSV', 'HEADER', 'FREEZE', 'DELIMITER', 'NULL', 'QUOTE', 'ESCAPE', 'ENCODING', 'FORCE')) {
    case 'BINARY':
      return { name: 'format', arg: { kind: 'string', value: 'binary' }, at };
    case 'CSV':
      return { name: 'format', arg: { kind: 'string', value: 'csv' }, at };
    case 'HEADER':
      return { name: 'header', arg: { kind: 'none' }, at };
    case 'FREEZE':
      return { name: 'freeze', arg: { kind: 'none' }, at };
    case 'DELIMITER':
      return str('delimiter');
    case 'NULL':
      return str('null');
    case 'QUOTE':
      return str('quote');
    case 'ESCAPE':
      return str('escape');
    case 'ENCODING':
      return { name: 'encoding', arg: { kind: 'string', value: stringConst(c) }, at };
    case 'FORCE':
      if (c.acceptWords('QUOTE')) return c.acceptPunct('*') ? { name: 'force_quote', arg: { kind: 'star' }, at } : { name: 'force_quote', arg: { kind: 'list', values: columns() }, at };
      if (c.acceptWords('NOT', 'NULL')) return { name: 'force_not_null', arg: { kind: 'list', values: columns() }, at };
      if (c.acceptWords('NULL')) return { name: 'force_null', arg: { kind: 'list', values: columns() }, at };
      return c.fail();
    default:
      return c.fail();
  }
}

/**
 * Checks the options as PostgreSQL 15's ProcessCopyOptions does for COPY TO, with its messages,
 * and fills in the defaults. PostgreSQL's 22023 (invalid_parameter_value) answers use
 * QUERY_BAD_PARAMETER until the catalog has that code.
 */
function copyOptions(c: TokenCursor, list: readonly CopyOption[]): CopyOptions {
  const seen = new Set<string>();
  let format: CopyOptions['format'] = 'text';
  let delimiter: string | undefined;
  let nullText: string | undefined;
  let header = false;
  let quote: string | undefined;
  let escape: string | undefined;
  let forceQuote: readonly string[] | '*' | undefined;
  let forceNotNull = false;
  let forceNull = false;
  let encoding: string | undefined;
  const fail = (code: ErrorCode, message: string, at?: Token): never => {
    if (at !== undefined) throw c.errorAt(at, code, message, HINT);
    throw new RestSqlError(code, message, { hint: HINT });
  };
  const str = (o: CopyOption): string => (o.arg.kind === 'string' ? o.arg.value : fail('QUERY_SYNTAX', `${o.name} requires a parameter`));
  const bool = (o: CopyOption, orMatch: boolean): boolean => {
    if (o.arg.kind === 'none') return true;
    const v = o.arg.kind === 'string' ? o.arg.value.toLowerCase() : '';
    if (v === 'true' || v === 'on' || v === '1') return true;
    if (v === 'false' || v === 'off' || v === '0') return false;
    if (orMatch && v === 'match') fail('SERVER_UNSUPPORTED', 'cannot use "match" with HEADER in COPY TO');
    return fail('QUERY_SYNTAX', orMatch ? `${o.name} requires a Boolean value or "match"` : `${o.name} requires a Boolean value`);
  };
  const known = ['format', 'freeze', 'delimiter', 'null', 'header', 'quote', 'escape', 'force_quote', 'force_not_null', 'force_null', 'encoding'];
  for (const o of list) {
    if (!known.includes(o.name)) fail('QUERY_SYNTAX', `option "${o.name}" not recognized`, o.at);
    if (seen.has(o.name)) fail('QUERY_SYNTAX', 'conflicting or redundant options', o.at);
    seen.add(o.name);
    switch (o.name) {
      case 'format': {
        const f = str(o);
        if (f !== 'text' && f !== 'csv' && f !== 'binary') fail('SETTING_INVALID_VALUE', `COPY format "${f}" not recognized`, o.at);
        format = f as CopyOptions['format'];
        break;
      }
      case 'freeze':
        bool(o, false);
        break;
      case 'delimiter':
        delimiter = str(o);
        break;
      case 'null':
        nullText = str(o);
        break;
      case 'header':
        header = bool(o, true);
        break;
      case 'quote':
        quote = str(o);
        break;
      case 'escape':
        escape = str(o);
        break;
      case 'force_quote':
        if (o.arg.kind === 'star') forceQuote = '*';
        else if (o.arg.kind === 'list') forceQuote = o.arg.values;
        else fail('SETTING_INVALID_VALUE', 'argument to option "force_quote" must be a list of column names', o.at);
        break;
      case 'force_not_null':
      case 'force_null':
        if (o.arg.kind !== 'list') fail('SETTING_INVALID_VALUE', `argument to option "${o.name}" must be a list of column names`, o.at);
        if (o.name === 'force_null') forceNull = true;
        else forceNotNull = true;
        break;
      case 'encoding': {
        const e = str(o);
        const clean = e.toLowerCase().replace(/[^a-z0-9]/g, '');
        if (clean !== 'utf8' && clean !== 'unicode') fail('SERVER_UNSUPPORTED', `COPY encoding "${e}" is not supported: restsql serve writes UTF8 only`, o.at);
        encoding = 'UTF8';
        break;
      }
    }
  }
  const csv = format === 'csv';
  const binary = format === 'binary';
  if (binary && delimiter !== undefined) fail('QUERY_SYNTAX', 'cannot specify DELIMITER in BINARY mode');
  if (binary && nullText !== undefined) fail('QUERY_SYNTAX', 'cannot specify NULL in BINARY mode');
  const delim = delimiter ?? (csv ? ',' : '\t');
  const nul = nullText ?? (csv ? '' : '\\N');
  if (Buffer.byteLength(delim, 'utf8') !== 1) fail('SERVER_UNSUPPORTED', 'COPY delimiter must be a single one-byte character');
  if (delim === '\n' || delim === '\r') fail('SETTING_INVALID_VALUE', 'COPY delimiter cannot be newline or carriage return');
  if (nul.includes('\n') || nul.includes('\r')) fail('SETTING_INVALID_VALUE', 'COPY null representation cannot use newline or carriage return');
  if (!csv && '\\.abcdefghijklmnopqrstuvwxyz0123456789'.includes(delim)) fail('SETTING_INVALID_VALUE', `COPY delimiter cannot be "${delim}"`);
  if (binary && header) fail('SERVER_UNSUPPORTED', 'cannot specify HEADER in BINARY mode');
  if (!csv && quote !== undefined) fail('SERVER_UNSUPPORTED', 'COPY quote available only in CSV mode');
  const q = quote ?? '"';
  if (csv && Buffer.byteLength(q, 'utf8') !== 1) fail('SERVER_UNSUPPORTED', 'COPY quote must be a single one-byte character');
  if (csv && delim === q) fail('SETTING_INVALID_VALUE', 'COPY delimiter and quote must be different');
  if (!csv && escape !== undefined) fail('SERVER_UNSUPPORTED', 'COPY escape available only in CSV mode');
  const esc = escape ?? q;
  if (csv && Buffer.byteLength(esc, 'utf8') !== 1) fail('SERVER_UNSUPPORTED', 'COPY escape must be a single one-byte character');
  if (!csv && forceQuote !== undefined) fail('SERVER_UNSUPPORTED', 'COPY force quote available only in CSV mode');
  if (!csv && forceNotNull) fail('SERVER_UNSUPPORTED', 'COPY force not null available only in CSV mode');
  if (forceNotNull) fail('SERVER_UNSUPPORTED', 'COPY force not null only available using COPY FROM');
  if (!csv && forceNull) fail('SERVER_UNSUPPORTED', 'COPY force null available only in CSV mode');
  if (forceNull) fail('SERVER_UNSUPPORTED', 'COPY force null only available using COPY FROM');
  if (nul.includes(delim)) fail('SERVER_UNSUPPORTED', 'COPY delimiter must not appear in the NULL specification');
  if (csv && nul.includes(q)) fail('SERVER_UNSUPPORTED', 'CSV quote character must not appear in the NULL specification');
  return {
    format,
    delimiter: delim,
    null: nul,
    header,
    quote: q,
    escape: esc,
    forceQuote: forceQuote ?? [],
    ...(encoding === undefined ? {} : { encoding }),
  };
}
