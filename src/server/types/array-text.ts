import { isPgSpace } from './pg-space.js';

/**
 * PostgreSQL's array literal, `{1,2,NULL}` and `{"a b","c\"d",NULL,"NULL"}` (PostgreSQL 15
 * arrays, 8.15.2 Array Value Input and 8.15.6 Array Input and Output Syntax): written as
 * array_out writes it and read as array_in reads it.
 */

/**
 * An element as array_out writes it: in double quotes, with `"` and `\` escaped by a backslash,
 * when it is empty, reads NULL in any case, or holds `{`, `}`, `,`, `"`, `\` or white space.
 */
export function arrayElementText(s: string): string {
  let quote = s.length === 0 || (s.length === 4 && s.toUpperCase() === 'NULL');
  for (let i = 0; !quote && i < s.length; i++) {
    const c = s.charCodeAt(i);
    quote = c === 123 || c === 125 || c === 44 || c === 34 || c === 92 || isPgSpace(c);
  }
  if (!quote) return s;
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

/** `{a,b,NULL}` of element texts already written (`null` for NULL). */
export function arrayText(elements: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i];
    out += (i === 0 ? '' : ',') + (e === null || e === undefined ? 'NULL' : arrayElementText(e));
  }
  return `${out}}`;
}

/** A parsed array literal: element texts (null for NULL) or, for a multidimensional array, sub-arrays. */
export type ArrayTextNode = (string | null)[] | ArrayTextNode[];

/**
 * array_in: the elements of `{...}` (nested braces for more dimensions), with an optional
 * `[1:3]=` dimension decoration ignored (DuckDB lists start at 1). Returns a message instead
 * when the text is not an array literal. Unquoted elements are trimmed and unquoted NULL (any
 * case) is NULL; backslash escapes the next character inside or outside quotes.
 */
export function parseArrayText(text: string): ArrayTextNode | string {
  let i = 0;
  const n = text.length;
  const skipSpace = (): void => {
    while (i < n && isPgSpace(text.charCodeAt(i))) i++;
  };
  skipSpace();
  if (text[i] === '[') {
    const eq = text.indexOf('=', i);
    if (eq < 0 || !/^(\[\s*[+-]?\d+\s*(:\s*[+-]?\d+\s*)?\])+\s*$/.test(text.slice(i, eq))) return 'array dimensions are malformed ("[lower:upper]=" expected)';
    i = eq + 1;
    skipSpace();
  }
  let depth: number | undefined; // the depth of leaf elements, fixed by the first one
  const parse = (level: number): ArrayTextNode | string => {
    // at '{'
    i++;
    const items: (string | null | ArrayTextNode)[] = [];
    skipSpace();
    if (text[i] === '}') {
      i++;
      return [];
    }
    for (;;) {
      skipSpace();
      if (text[i] === '{') {
        if (depth !== undefined && depth <= level) return 'multidimensional arrays must have sub-arrays with matching dimensions';
        const sub = parse(level + 1);
        if (typeof sub === 'string') return sub;
        items.push(sub);
      } else {
        if (depth !== undefined && depth !== level) return 'multidimensional arrays must have sub-arrays with matching dimensions';
        depth = level;
        const el = element();
        if (typeof el === 'object' && el !== null) return el.error;
        items.push(el);
      }
      skipSpace();
      const c = text[i];
      i++;
      if (c === ',') continue;
      if (c === '}') return items as ArrayTextNode;
      return c === undefined ? 'unexpected end of input' : `unexpected "${c}"`;
    }
  };
  const element = (): string | null | { error: string } => {
    let out = '';
    let quoted = false;
    let sawQuote = false;
    let escaped = false;
    let lastKept = 0; // length of `out` up to the last character that trailing-space trimming must keep
    for (;;) {
      if (i >= n) return { error: 'unexpected end of input' };
      const c = text[i]!;
      if (c === '\\') {
        if (i + 1 >= n) return { error: 'unexpected end of input' };
        out += text[i + 1];
        escaped = true;
        lastKept = out.length;
        i += 2;
        continue;
      }
      if (c === '"') {
        if (!quoted && sawQuote) return { error: 'unexpected """ character' };
        if (!quoted && out.length > 0) return { error: 'unexpected """ character' };
        quoted = !quoted;
        sawQuote = true;
        lastKept = out.length;
        i++;
        continue;
      }
      if (!quoted) {
        if (c === ',' || c === '}') break;
        if (c === '{') return { error: 'unexpected "{" character' };
        if (sawQuote && !isPgSpace(c.charCodeAt(0))) return { error: `unexpected "${c}" after a quoted element` };
      }
      out += c;
      if (quoted || !isPgSpace(c.charCodeAt(0))) lastKept = out.length;
      i++;
    }
    if (quoted) return { error: 'unexpected end of input' };
    const value = out.slice(0, lastKept);
    if (!sawQuote && value.length === 0) return { error: 'unexpected "," or "}" (an element is missing)' };
    if (!sawQuote && !escaped && /^null$/i.test(value)) return null;
    return value;
  };
  if (text[i] !== '{') return 'array value must start with "{" or dimension information';
  const result = parse(1);
  if (typeof result === 'string') return result;
  skipSpace();
  if (i < n) return 'junk after closing right brace';
  return result;
}
