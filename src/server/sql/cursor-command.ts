/**
 * SQL cursors as PostgreSQL clients use them (PostgreSQL 15 sql-declare, sql-fetch, sql-move,
 * sql-close): psqlODBC with UseDeclareFetch=1 and psycopg2's named cursors send
 * `DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [[NO] SCROLL] CURSOR [WITH[OUT] HOLD] FOR query`,
 * then `FETCH n FROM name` until it returns fewer rows, then `CLOSE name`. DuckDB has none of them;
 * the session answers them (session.ts). Only forward fetches are supported: a backward or
 * absolute one is refused with a message saying so.
 */
import { RestSqlError } from '../../errors/index.js';
import { tokens, type Token } from '../../sql/lexer.js';

export type CursorCommand =
  | { readonly kind: 'declare'; readonly name: string; readonly query: string; readonly binary: boolean; readonly hold: boolean }
  /** FETCH (rows sent) or MOVE (rows skipped); `count` undefined: ALL. */
  | { readonly kind: 'fetch' | 'move'; readonly name: string; readonly count: number | undefined }
  | { readonly kind: 'close'; readonly name: string | 'ALL' };

const HINT = 'Write DECLARE name CURSOR [WITH HOLD] FOR query, FETCH [FORWARD] [n | ALL | NEXT] [FROM | IN] name, MOVE ... or CLOSE name | ALL.';

function fail(message: string, sql: string, at?: Token): never {
  throw new RestSqlError('QUERY_SYNTAX', message, { hint: HINT, details: at ? { position: [...sql.slice(0, at.start)].length + 1 } : {} });
}

/** The cursor command `sql` is, or undefined when it is none (the caller classifies it otherwise). */
export function parseCursorCommand(sql: string): CursorCommand | undefined {
  const all = [...tokens(sql)].filter((t) => !(t.kind === 'punct' && t.text === ';'));
  const first = all[0];
  if (!first || first.kind !== 'word' || !['declare', 'fetch', 'move', 'close'].includes(first.value)) return undefined;
  const word = (i: number) => (all[i]?.kind === 'word' ? all[i]!.value : undefined);
  const name = (t: Token | undefined) => {
    if (!t || (t.kind !== 'word' && t.kind !== 'quotedIdent')) fail(t ? `syntax error at or near "${t.text}"` : 'syntax error at end of input', sql, t);
    return t.value;
  };
  if (first.value === 'declare') {
    let i = 1;
    const cursorName = name(all[i++]);
    let binary = false;
    let hold = false;
    for (;;) {
      const w = word(i);
      if (w === 'binary') binary = true;
      else if (w === 'insensitive' || w === 'asensitive' || w === 'scroll') {
        // Accepted: a materialised cursor is insensitive, and nothing scrolls backwards yet.
      } else if (w === 'no' && word(i + 1) === 'scroll') i++;
      else break;
      i++;
    }
    if (word(i) !== 'cursor') fail(all[i] ? `syntax error at or near "${all[i]!.text}"` : 'syntax error at end of input', sql, all[i]);
    i++;
    if (word(i) === 'with' && word(i + 1) === 'hold') {
      hold = true;
      i += 2;
    } else if (word(i) === 'without' && word(i + 1) === 'hold') i += 2;
    if (word(i) !== 'for') fail(all[i] ? `syntax error at or near "${all[i]!.text}"` : 'syntax error at end of input', sql, all[i]);
    const forToken = all[i]!;
    const query = sql.slice(forToken.end).trim().replace(/;\s*$/, '');
    if (query === '') fail('syntax error at end of input', sql);
    return { kind: 'declare', name: cursorName, query, binary, hold };
  }
  if (first.value === 'close') {
    if (word(1) === 'all' && all.length === 2) return { kind: 'close', name: 'ALL' };
    const n = name(all[1]);
    if (all.length > 2) fail(`syntax error at or near "${all[2]!.text}"`, sql, all[2]);
    return { kind: 'close', name: n };
  }
  // FETCH / MOVE [direction] [FROM | IN] name
  let i = 1;
  let count: number | undefined = 1;
  const w = word(i);
  const unsupported = ['prior', 'first', 'last', 'absolute', 'relative', 'backward'];
  if (w !== undefined && unsupported.includes(w)) {
    throw new RestSqlError('SERVER_UNSUPPORTED', `FETCH ${w.toUpperCase()} is not supported: restsql serve's cursors move forward only`, { hint: 'Use FETCH [FORWARD] n or FETCH ALL.' });
  }
  if (w === 'next') i++;
  else if (w === 'all') {
    count = undefined;
    i++;
  } else if (w === 'forward') {
    i++;
    if (word(i) === 'all') {
      count = undefined;
      i++;
    } else if (all[i]?.kind === 'number') count = Number(all[i++]!.text);
  } else if (all[i]?.kind === 'number' || (all[i]?.kind === 'operator' && all[i]!.text === '-')) {
    if (all[i]!.kind === 'operator') throw new RestSqlError('SERVER_UNSUPPORTED', 'FETCH with a negative count is not supported: restsql serve\'s cursors move forward only', { hint: 'Use FETCH [FORWARD] n or FETCH ALL.' });
    count = Number(all[i++]!.text);
  }
  if (count !== undefined && (!Number.isSafeInteger(count) || count < 0)) fail(`invalid FETCH count ${count}`, sql);
  if (word(i) === 'from' || word(i) === 'in') i++;
  const cursorName = name(all[i]);
  if (all.length > i + 1) fail(`syntax error at or near "${all[i + 1]!.text}"`, sql, all[i + 1]);
  return { kind: first.value as 'fetch' | 'move', name: cursorName, count };
}
