import { RestSqlError, isSecretName } from '../errors/index.js';
import { OPTION_CATALOG, type OptionSpec } from './catalog.js';

/** One `Key=value` pair as written, with where it came from for error messages. */
export interface RawOption {
  readonly key: string;
  readonly value: string;
  /** "connection string, position 12" or "/home/u/.odbc.ini:7". */
  readonly source: string;
  /**
   * The secret option (Password, ClientSecret, ...) written just before this one: an unknown key
   * here is likely the rest of its value cut at an unbraced `;`, so it must not be echoed.
   */
  readonly afterSecret?: string;
}

const namesOf = (pick: (s: OptionSpec) => boolean | undefined) =>
  new Set((OPTION_CATALOG as readonly OptionSpec[]).filter(pick).flatMap((s) => [s.name, ...s.aliases].map((n) => n.toLowerCase())));
const SECRET_KEYS = namesOf((s) => s.kind === 'secret');
/** Options whose value may be written in parentheses holding `;` (SpyAttributes, InitializationString). */
const PARENTHESIZED_KEYS = namesOf((s) => s.parenthesized);

/** DataDirect's JDBC URL prefix (case-insensitive), and any other JDBC URL. */
const JDBC_PREFIX = /^\s*jdbc:datadirect:autorest:/i;
const OTHER_JDBC = /^\s*(jdbc:[a-z0-9._-]*)/i;

/** Whether an option named `key` holds a secret (by the catalog, or by its name for unknown ones). */
function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.trim().toLowerCase()) || isSecretName(key.trim());
}

/**
 * Reads a quoted or braced value starting at `open` (the quote or brace). The value ends at the
 * first closing character that is followed, after optional spaces, by `;` or the end of input, so
 * a `;` inside is literal. Inside, doubled closers (`''`, `""`, `}}`) and `{{` stand for one.
 * DataDirect documents `Password={{hello}}` for the value `{hello}`; that reading falls out of
 * this rule as well.
 */
function readDelimited(text: string, open: number, key: string): { value: string; end: number } {
  const opener = text[open] as string;
  const closer = opener === '{' ? '}' : opener;
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] !== closer) continue;
    let j = i + 1;
    // A doubled closer is an escaped character unless the second one is itself the terminator.
    if (text[j] === closer) {
      const after = text.slice(j + 1).trimStart();
      if (after !== '' && !after.startsWith(';')) {
        i = j;
        continue;
      }
    }
    while (j < text.length && /\s/.test(text[j] as string)) j++;
    if (j === text.length || text[j] === ';') {
      let inner = text.slice(open + 1, i);
      inner = inner.replaceAll(closer + closer, closer);
      if (opener === '{') inner = inner.replaceAll('{{', '{');
      return { value: inner, end: j };
    }
  }
  const what = opener === '{' ? 'brace' : 'quote';
  throw new RestSqlError('CONFIG_SYNTAX', `Connection string: the value of ${key} opens a ${what} at position ${open + 1} that is never closed.`, {
    hint: `Close it with ${closer} before the next ';', or double a literal ${closer} inside the value.`,
    details: { option: key, position: open + 1 },
  });
}

/**
 * Reads a parenthesized value starting at `open` (the `(`): it ends at the `)` that balances it
 * when that is followed, after optional spaces, by `;` or the end of input. Undefined when there
 * is none, so the value is read the plain way.
 */
function readParenthesized(text: string, open: number): { value: string; end: number } | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j] as string)) j++;
      if (j === text.length || text[j] === ';') return { value: text.slice(open + 1, i), end: j };
      return undefined;
    }
  }
  return undefined;
}

/**
 * The start of a DataDirect JDBC URL: after `jdbc:datadirect:autorest:` may come the server, as
 * `//host[:port][/path]` or as a URL (`https://example.com/`), before the first `;`; then the
 * properties. The server is returned as ServerName (`//host` is read as https://host).
 */
function jdbcStart(text: string): { start: number; server?: RawOption } {
  const prefix = JDBC_PREFIX.exec(text);
  if (!prefix) {
    if (OTHER_JDBC.test(text)) {
      // Only the subprotocol is shown: the rest of another driver's URL may hold credentials.
      const shown = OTHER_JDBC.exec(text)?.[1] ?? 'jdbc:';
      throw new RestSqlError('CONFIG_SYNTAX', `Connection string: a JDBC URL of another driver (${shown}:...).`, {
        hint: 'restsql reads DataDirect Autonomous REST URLs (jdbc:datadirect:autorest:Config=api.rest;...) or plain Key=value;... connection strings.',
        details: { position: 1 },
      });
    }
    return { start: 0 };
  }
  const start = prefix[0].length;
  const semi = text.indexOf(';', start);
  const first = text.slice(start, semi === -1 ? text.length : semi).trim();
  const server = first.startsWith('//') ? `https:${first}` : /^[a-z][a-z0-9+.-]*:\/\//i.test(first) ? first : undefined;
  if (server === undefined) return { start };
  return { start: semi === -1 ? text.length : semi, server: { key: 'ServerName', value: server, source: `connection string, position ${start + 1}` } };
}

/**
 * Splits `Key=value;Key2=value2` (values quoted `'...'` or braced `{...}`), or a DataDirect JDBC
 * URL (`jdbc:datadirect:autorest:[//server;]Key=value;...`). Keys are returned as written;
 * mapping them to the catalog (case-insensitive, aliases) is resolve.ts's job.
 */
export function parseConnectionString(text: string): RawOption[] {
  const out: RawOption[] = [];
  const jdbc = jdbcStart(text);
  if (jdbc.server) out.push(jdbc.server);
  let i = jdbc.start;
  let previousSecret: string | undefined;
  while (i < text.length) {
    while (i < text.length && (text[i] === ';' || /\s/.test(text[i] as string))) i++;
    if (i >= text.length) break;
    const keyStart = i;
    const eq = text.indexOf('=', i);
    const semi = text.indexOf(';', i);
    if (eq === -1 || (semi !== -1 && semi < eq)) {
      const fragment = text.slice(i, semi === -1 ? text.length : semi).trim();
      // After a secret's value, the fragment is most likely the rest of that value: never echo it.
      if (previousSecret !== undefined) {
        throw new RestSqlError('CONFIG_SYNTAX', `Connection string: the text at position ${i + 1}, right after the value of ${previousSecret}, has no '='.`, {
          hint: `If the ';' belongs to the value of ${previousSecret}, brace the value: ${previousSecret}={...;...}`,
          details: { position: i + 1, after: previousSecret },
        });
      }
      throw new RestSqlError('CONFIG_SYNTAX', `Connection string: '${fragment}' at position ${i + 1} has no '='.`, {
        hint: 'Write options as Key=value pairs separated by semicolons, e.g. RestSamplePath=https://api.example.com/items;Table=items',
        details: { position: i + 1 },
      });
    }
    const key = text.slice(i, eq).trim();
    if (key === '') {
      throw new RestSqlError('CONFIG_SYNTAX', `Connection string: an option name is missing before '=' at position ${eq + 1}.`, {
        hint: 'Write options as Key=value pairs separated by semicolons.',
        details: { position: eq + 1 },
      });
    }
    let v = eq + 1;
    while (v < text.length && text[v] === ' ') v++;
    const first = text[v];
    let value: string;
    const paren = first === '(' && PARENTHESIZED_KEYS.has(key.toLowerCase()) ? readParenthesized(text, v) : undefined;
    if (paren) {
      value = paren.value;
      i = paren.end;
    } else if (first === "'" || first === '"' || first === '{') {
      const r = readDelimited(text, v, key);
      value = r.value;
      i = r.end;
    } else {
      const end = semi === -1 ? text.length : semi;
      value = text.slice(v, end).trim();
      i = end;
    }
    out.push({ key, value, source: `connection string, position ${keyStart + 1}`, ...(previousSecret !== undefined ? { afterSecret: previousSecret } : {}) });
    previousSecret = isSecretKey(key) ? key : undefined;
  }
  return out;
}
