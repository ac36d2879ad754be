/**
 * ODBC/JDBC escape sequences, rewritten to DuckDB SQL before anything else reads a statement
 * (engine/connection.ts calls `rewriteEscapes` for the CLI, the library and `restsql serve` alike):
 *
 * | escape | becomes |
 * |---|---|
 * | `{fn NAME(args)}` | the function's DuckDB SQL (engine/odbc-functions.ts) |
 * | `{d 'yyyy-mm-dd'}`, `{t 'hh:mm:ss'}`, `{ts 'yyyy-mm-dd hh:mm:ss[.f]'}` | `DATE '...'`, `TIME '...'`, `TIMESTAMP '...'` (`TIMESTAMP_NS` past 6 fractional digits) |
 * | `{guid '...'}`, `{interval ...}` | `CAST('...' AS UUID)`, `INTERVAL ...` |
 * | `{oj join}` | the join |
 * | `{escape 'c'}` | `ESCAPE 'c'` |
 * | `{limit n [offset m]}` | `LIMIT n [OFFSET m]` |
 * | `{call name(args)}` | `CALL name(args)` (a procedure or function: engine/routines/procedure-call.ts) |
 * | `{?= call name(args)}` | `SELECT name(args)` (a function's value) |
 *
 * Keywords and function names are case-insensitive; escapes nest (`{fn UCASE({fn LEFT(name, 2)})}`).
 * Nothing is rewritten inside string literals (`'...'` with `''`, `E'...'` with backslashes,
 * `$tag$...$tag$`), quoted identifiers (`"..."`) or comments (`--`, nested `/* *\/`): the scanner
 * copies them byte for byte. A brace that opens no escape (DuckDB's struct literal `{'a': 1}`,
 * `{a: 1}`) is DuckDB's and copied as well, so SQL without escapes comes back unchanged.
 *
 * One name outside the escapes is rewritten the same way, since DuckDB's own information_schema
 * cannot hold a table: DataDirect's `INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS` becomes
 * `restsql.system_sampling_status` (engine/info-tables.ts).
 */
import { RestSqlError } from '../errors/index.js';
import { VENDOR_STATUS_TABLE } from './info-tables.js';
import { ODBC_FUNCTIONS, OdbcArgError, type OdbcArg } from './odbc-functions.js';

/** The escape keywords after `{`. */
const KEYWORD = /\{\s*(\?\s*=\s*call|fn|d|t|ts|oj|escape|call|limit|interval|guid)(?![\w$])/iy;
/** `{ word` followed by something that is not a struct literal's `:` (then it is meant as an escape). */
const ESCAPE_LIKE = /\{\s*([A-Za-z_]\w*)\s+(?!:)\S/y;
const VENDOR_STATUS = /(?:information_schema|"information_schema")\s*\.\s*(?:system_sampling_status|"system_sampling_status")(?![\w$"])/iy;
const WORD_CHAR = /[\w$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/y;

/** Returns `sql` with its escape sequences rewritten (see the file comment); throws QUERY_BAD_ESCAPE. */
export function rewriteEscapes(sql: string): string {
  // Fast path: no brace and no vendor name, nothing to do.
  if (!sql.includes('{') && !/system_sampling_status/i.test(sql)) return sql;
  const r = new Rewriter(sql);
  const out = r.text(new Set());
  return out;
}

class Rewriter {
  #i = 0;
  constructor(readonly src: string) {}

  /** 1-based character position of index `i`, as PostgreSQL counts. */
  position(i: number): number {
    return [...this.src.slice(0, i)].length + 1;
  }

  fail(message: string, at: number, hint: string): never {
    throw new RestSqlError('QUERY_BAD_ESCAPE', `${message} (at position ${this.position(at)})`, {
      hint,
      details: { position: this.position(at), escape: this.src.slice(at, at + 40) },
    });
  }

  /**
   * Copies SQL text from the current position, rewriting escapes, until a character of `stops`
   * at bracket depth 0 (not consumed) or the end. Literals, quoted identifiers and comments are
   * copied as they are.
   */
  text(stops: ReadonlySet<string>): string {
    const s = this.src;
    let out = '';
    let from = this.#i;
    let depth = 0;
    const flush = (to: number) => {
      out += s.slice(from, to);
    };
    while (this.#i < s.length) {
      const i = this.#i;
      const c = s[i]!;
      if (depth === 0 && stops.has(c)) break;
      const prev = i > 0 ? s[i - 1]! : '';
      if (c === "'") {
        this.#i = this.skipString(i, (prev === 'E' || prev === 'e') && (i < 2 || !WORD_CHAR.test(s[i - 2]!)));
      } else if (c === '"') {
        if (this.vendorName(i, prev)) {
          flush(i);
          out += `restsql.${VENDOR_STATUS_TABLE}`;
          from = this.#i;
          continue;
        }
        this.#i = this.skipQuoted(i);
      } else if (c === '-' && s[i + 1] === '-') {
        const nl = s.indexOf('\n', i);
        this.#i = nl < 0 ? s.length : nl + 1;
      } else if (c === '/' && s[i + 1] === '*') {
        this.#i = this.skipBlockComment(i);
      } else if (c === '$' && !WORD_CHAR.test(prev)) {
        this.#i = this.skipDollar(i);
      } else if (WORD_CHAR.test(c)) {
        if (!WORD_CHAR.test(prev) && this.vendorName(i, prev)) {
          flush(i);
          out += `restsql.${VENDOR_STATUS_TABLE}`;
          from = this.#i;
          continue;
        }
        let j = i + 1;
        while (j < s.length && WORD_CHAR.test(s[j]!)) j++;
        this.#i = j;
      } else if (c === '{') {
        const rewritten = this.escape(i);
        if (rewritten === undefined) {
          depth++;
          this.#i = i + 1;
        } else {
          flush(i);
          out += pad(out, rewritten, s[this.#i] ?? '');
          from = this.#i;
        }
      } else if (c === '(' || c === '[') {
        depth++;
        this.#i = i + 1;
      } else if (c === ')' || c === ']' || c === '}') {
        if (depth > 0) depth--;
        this.#i = i + 1;
      } else {
        this.#i = i + 1;
      }
    }
    flush(this.#i);
    return out;
  }

  /** At `i`, DataDirect's INFORMATION_SCHEMA.SYSTEM_SAMPLING_STATUS (not qualified further): consumes it. */
  vendorName(i: number, prev: string): boolean {
    if (prev === '.') return false;
    VENDOR_STATUS.lastIndex = i;
    const m = VENDOR_STATUS.exec(this.src);
    if (!m) return false;
    this.#i = i + m[0].length;
    return true;
  }

  skipString(i: number, backslashes: boolean): number {
    const s = this.src;
    let j = i + 1;
    while (j < s.length) {
      const c = s[j]!;
      if (backslashes && c === '\\') j += 2;
      else if (c === "'") {
        if (s[j + 1] === "'") j += 2;
        else return j + 1;
      } else j++;
    }
    return s.length;
  }

  skipQuoted(i: number): number {
    const s = this.src;
    let j = i + 1;
    while (j < s.length) {
      if (s[j] === '"') {
        if (s[j + 1] === '"') j += 2;
        else return j + 1;
      } else j++;
    }
    return s.length;
  }

  skipBlockComment(i: number): number {
    const s = this.src;
    let depth = 0;
    let j = i;
    while (j < s.length) {
      if (s[j] === '/' && s[j + 1] === '*') {
        depth++;
        j += 2;
      } else if (s[j] === '*' && s[j + 1] === '/') {
        depth--;
        j += 2;
        if (depth === 0) return j;
      } else j++;
    }
    return s.length;
  }

  skipDollar(i: number): number {
    DOLLAR_TAG.lastIndex = i;
    const m = DOLLAR_TAG.exec(this.src);
    // `$1`, `$name`: a parameter, not a quote.
    if (!m) return i + 1;
    const end = this.src.indexOf(m[0], i + m[0].length);
    return end < 0 ? this.src.length : end + m[0].length;
  }

  skipSpace(): void {
    while (this.#i < this.src.length && /\s/.test(this.src[this.#i]!)) this.#i++;
  }

  /** Expects `}` (after blanks) and consumes it. */
  close(open: number, what: string): void {
    this.skipSpace();
    if (this.src[this.#i] !== '}') {
      if (this.#i >= this.src.length) this.fail(`The escape ${what} opened here is not closed with '}'`, open, 'Close the escape with }.');
      this.fail(`The escape ${what} has '${this.src.slice(this.#i, this.#i + 12)}' where '}' should close it`, this.#i, `Write the escape as ${what} ... } (docs/sql.md "ODBC and JDBC escapes").`);
    }
    this.#i++;
  }

  /** A quoted literal at the current position (after blanks): its text, unquoted. */
  literal(open: number, what: string): { text: string; at: number } {
    this.skipSpace();
    const at = this.#i;
    if (this.src[at] !== "'") this.fail(`The escape ${what} needs a quoted literal`, at, `Write ${what} '...'}.`);
    const end = this.skipString(at, false);
    if (this.src[end - 1] !== "'" || end - at < 2) this.fail(`The literal of the escape ${what} is not closed`, open, "Close the literal with '.");
    this.#i = end;
    return { text: this.src.slice(at + 1, end - 1).replaceAll("''", "'"), at };
  }

  /**
   * The escape opening at `open` (a `{`), rewritten, with the position after it; undefined when
   * the brace opens no escape (DuckDB's own brace).
   */
  escape(open: number): string | undefined {
    const s = this.src;
    KEYWORD.lastIndex = open;
    const m = KEYWORD.exec(s);
    if (!m) {
      ESCAPE_LIKE.lastIndex = open;
      const like = ESCAPE_LIKE.exec(s);
      if (like) this.fail(`'{${like[1]}' is not an ODBC/JDBC escape`, open, 'Escapes are {fn ...}, {d ...}, {t ...}, {ts ...}, {guid ...}, {interval ...}, {oj ...}, {escape ...}, {limit ...} and {call ...}.');
      return undefined;
    }
    const keyword = m[1]!.toLowerCase().replace(/\s+/g, '');
    const after = open + m[0].length;
    // A struct literal whose key is a keyword: `{d: 1}`, `{fn: 2}`.
    if (/^\s*:/.test(s.slice(after, after + 64))) return undefined;
    this.#i = after;
    const what = `{${m[1]!.replace(/\s+/g, '')}`;
    switch (keyword) {
      case 'fn':
        return this.call(open);
      case 'd':
      case 't':
      case 'ts':
      case 'guid': {
        const lit = this.literal(open, what);
        this.close(open, what);
        return dateTimeLiteral(keyword, lit.text, (msg, hint) => this.fail(msg, lit.at, hint));
      }
      case 'escape': {
        const lit = this.literal(open, what);
        this.close(open, what);
        if ([...lit.text].length !== 1) this.fail(`The LIKE escape character must be one character, not '${lit.text}'`, lit.at, "Write {escape '\\'} after the LIKE pattern.");
        return `ESCAPE '${lit.text.replaceAll("'", "''")}'`;
      }
      case 'oj':
      case 'limit':
      case 'interval': {
        const body = this.text(new Set(['}']));
        if (body.trim() === '') this.fail(`The escape ${what} is empty`, open, `Write ${what} ...}.`);
        this.close(open, what);
        return keyword === 'oj' ? body.trim() : `${keyword.toUpperCase()} ${body.trim()}`;
      }
      case 'call':
      case '?=call': {
        const body = this.text(new Set(['}'])).trim();
        const form = keyword === 'call' ? '{call name(arguments)}' : '{?= call name(arguments)}';
        if (!/^(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+")/.test(body)) this.fail(`The escape ${what} needs the name of a routine`, open, `Write ${form}.`);
        this.close(open, what);
        if (keyword === 'call') return `CALL ${body}`;
        // A function's value; `{?= call f}` calls it without arguments.
        return `SELECT ${/\(/.test(body) ? body : `${body}()`}`;
      }
      default:
        return undefined;
    }
  }

  /** `{fn NAME(args)}` after `{fn`: the function's DuckDB SQL. */
  call(open: number): string {
    const s = this.src;
    this.skipSpace();
    const nameAt = this.#i;
    const name = /^[A-Za-z_]\w*/.exec(s.slice(nameAt, nameAt + 64))?.[0];
    if (!name) this.fail('{fn needs a function name', nameAt, 'Write {fn NAME(arguments)}.');
    this.#i = nameAt + name.length;
    const def = ODBC_FUNCTIONS[name.toUpperCase()];
    if (!def) this.fail(`{fn ${name}} is not an ODBC scalar function`, nameAt, 'docs/sql.md "ODBC and JDBC escapes" lists the functions; DuckDB\'s own functions are called without {fn}.');
    this.skipSpace();
    if (s[this.#i] !== '(') this.fail(`{fn ${name}} needs its argument list in parentheses`, this.#i, `Write {fn ${name}(...)}.`);
    this.#i++;
    const args: OdbcArg[] = [];
    const starts: number[] = [];
    for (;;) {
      const start = this.#i;
      const text = this.text(new Set([',', ')']));
      if (this.#i >= s.length) this.fail(`The argument list of {fn ${name}} is not closed`, open, 'Close it with ) and the escape with }.');
      const trimmed = text.trim();
      const end = s[this.#i];
      this.#i++;
      if (trimmed === '' && end === ')' && args.length === 0) break;
      if (trimmed === '') this.fail(`{fn ${name}} has an empty argument`, start, 'Give every argument, or leave the list empty: NAME().');
      args.push({ text: trimmed, expr: `(${trimmed})` });
      starts.push(start);
      if (end === ')') break;
    }
    const given = def.raw ? [{ text: args.map((a) => a.text).join(', '), expr: `(${args.map((a) => a.text).join(', ')})` }].filter((a) => a.text !== '') : args;
    const [min, max] = def.arity;
    if (given.length < min || given.length > max) {
      const want = min === max ? `${min}` : `${min} to ${max}`;
      this.fail(`{fn ${name}} takes ${want} argument${max === 1 ? '' : 's'}, not ${given.length}`, nameAt, `Write {fn ${def.signature}}.`);
    }
    this.close(open, `{fn ${name}(...)`);
    try {
      return def.sql(given);
    } catch (e) {
      if (e instanceof OdbcArgError) this.fail(e.message, starts[e.arg] ?? nameAt, `Write {fn ${def.signature}}.`);
      throw e;
    }
  }
}

/** A space between the rewritten escape and a word character on either side (`x{d '...'}` must not become `xDATE`). */
function pad(before: string, text: string, next: string): string {
  const left = before !== '' && WORD_CHAR.test(before[before.length - 1]!) && WORD_CHAR.test(text[0] ?? '') ? ' ' : '';
  const right = next !== '' && (WORD_CHAR.test(next) || next === "'" || next === '"') && WORD_CHAR.test(text[text.length - 1] ?? '') ? ' ' : '';
  return `${left}${text}${right}`;
}

/** Checks a date/time literal's form and calendar, then writes DuckDB's typed literal. */
function dateTimeLiteral(kind: 'd' | 't' | 'ts' | 'guid', text: string, fail: (message: string, hint: string) => never): string {
  const quoted = `'${text.replaceAll("'", "''")}'`;
  if (kind === 'guid') {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) fail(`'${text}' is not a GUID`, "Write {guid 'nnnnnnnn-nnnn-nnnn-nnnn-nnnnnnnnnnnn'}.");
    return `CAST(${quoted} AS UUID)`;
  }
  const date = '(\\d{4})-(\\d{2})-(\\d{2})';
  const time = '(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?';
  const forms = { d: [`^${date}$`, "{d 'yyyy-mm-dd'}"], t: [`^${time}$`, "{t 'hh:mm:ss'}"], ts: [`^${date} ${time}$`, "{ts 'yyyy-mm-dd hh:mm:ss[.fffffffff]'}"] } as const;
  const [pattern, form] = forms[kind];
  const m = new RegExp(pattern).exec(text);
  if (!m) fail(`'${text}' is not a ${kind === 'd' ? 'date' : kind === 't' ? 'time' : 'timestamp'} literal`, `Write ${form}.`);
  const parts = m.slice(1).map((x) => (x === undefined ? undefined : Number(x)));
  const [y, mo, d] = (kind === 't' ? [2000, 1, 1] : parts) as [number, number, number];
  const [h, mi, sec] = (kind === 'd' ? [0, 0, 0] : kind === 't' ? parts : parts.slice(3)) as [number, number, number];
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days[mo - 1]!) fail(`'${text}' is not a date of the calendar`, `Write ${form} with a real date.`);
  if (h > 23 || mi > 59 || sec > 59) fail(`'${text}' is not a time of day`, `Write ${form} with hours 00-23, minutes and seconds 00-59.`);
  const fraction = kind === 't' ? m[4] : kind === 'ts' ? m[7] : undefined;
  if (kind === 'd') return `DATE ${quoted}`;
  if (kind === 't') {
    if (fraction && fraction.length > 6) fail(`'${text}' has more than 6 fractional digits, which a TIME cannot hold`, 'Give at most microseconds.');
    return `TIME ${quoted}`;
  }
  return `${fraction && fraction.length > 6 ? 'TIMESTAMP_NS' : 'TIMESTAMP'} ${quoted}`;
}
