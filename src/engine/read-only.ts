/**
 * What a read-only caller (a READ ONLY transaction of `restsql serve`, the query tool of
 * `restsql mcp`) may run on the engine: statements whose DuckDB type does not change state, and
 * EXPLAIN, unless it is EXPLAIN ANALYZE of a statement that does (ANALYZE runs the statement:
 * `EXPLAIN ANALYZE CREATE MACRO lower(x) AS ...` would change every later query's answers).
 * PostgreSQL answers the same cases with "cannot execute ... in a read-only transaction".
 */
import { RestSqlError } from '../errors/index.js';
import { lex, type Token } from '../sql/lexer.js';

/** DuckDB StatementTypes that change the database: INSERT, UPDATE, DELETE, CREATE, ALTER, ANALYZE, CREATE FUNCTION, DROP, VACUUM, MERGE. */
const WRITE_TYPES: ReadonlyMap<number, string> = new Map([
  [2, 'INSERT'],
  [3, 'UPDATE'],
  [5, 'DELETE'],
  [7, 'CREATE'],
  [9, 'ALTER'],
  [12, 'ANALYZE'],
  [14, 'CREATE FUNCTION'],
  [15, 'DROP'],
  [18, 'VACUUM'],
  [30, 'MERGE'],
]);

/** DuckDB's StatementType of EXPLAIN. */
export const EXPLAIN_TYPE = 4;

const isWord = (t: Token | undefined, ...words: string[]) => t?.kind === 'word' && words.includes(t.value);

/** How an EXPLAIN reads: plain (its statement does not run), or ANALYZE with the statement it runs. */
export type Explained = { readonly analyze: false } | { readonly analyze: true; readonly inner: string };

/**
 * `sql` (one statement DuckDB typed EXPLAIN) read as `EXPLAIN [ANALYZE] [VERBOSE] [(options)]
 * statement`, after any empty statements (`;`) DuckDB drops; undefined when it does not read so,
 * and callers then refuse it (fail closed). An option list that names ANALYZE at all counts as
 * ANALYZE (`(ANALYZE false)` too): a refusal, never a miss.
 */
export function readExplain(sql: string): Explained | undefined {
  let toks: Token[];
  try {
    toks = lex(sql);
  } catch {
    return undefined;
  }
  let i = 0;
  while (toks[i]?.kind === 'punct' && toks[i]!.value === ';') i++;
  if (!isWord(toks[i], 'explain')) return undefined;
  let analyze = false;
  i++;
  for (;;) {
    const t = toks[i];
    if (isWord(t, 'analyze', 'analyse')) {
      analyze = true;
      i++;
    } else if (isWord(t, 'verbose')) {
      i++;
    } else if (t?.kind === 'punct' && t.value === '(') {
      let depth = 0;
      for (; i < toks.length; i++) {
        const u = toks[i]!;
        if (u.kind === 'punct' && u.value === '(') depth++;
        else if (u.kind === 'punct' && u.value === ')' && --depth === 0) break;
        else if (isWord(u, 'analyze', 'analyse')) analyze = true;
      }
      i++;
    } else break;
  }
  if (!analyze) return { analyze: false };
  const inner = toks[i];
  return inner ? { analyze: true, inner: sql.slice(inner.start) } : undefined;
}

/** The error for a statement of DuckDB type `statementType` in read-only mode, or undefined when it may run. */
export function readOnlyRefusal(statementType: number): RestSqlError | undefined {
  const what = WRITE_TYPES.get(statementType);
  if (what === undefined) return undefined;
  return new RestSqlError('READ_ONLY', `cannot execute ${what} in a read-only transaction`, {
    hint: 'BEGIN a transaction that is not READ ONLY.',
    details: { statement: what },
  });
}

/**
 * Refuses, for a read-only caller, a statement that changes state: by its DuckDB type (from a
 * prepare: nothing runs), and through EXPLAIN ANALYZE, by the type of the statement it would run.
 */
export async function assertReadOnly(sql: string, typeOf: (sql: string) => Promise<number>): Promise<void> {
  let text = sql;
  for (let depth = 0; depth < 8; depth++) {
    const type = await typeOf(text);
    const refusal = readOnlyRefusal(type);
    if (refusal) throw refusal;
    if (type !== EXPLAIN_TYPE) return;
    const explained = readExplain(text);
    if (explained === undefined) throw unreadableExplain('READ_ONLY');
    if (!explained.analyze) return;
    text = explained.inner;
  }
  throw unreadableExplain('READ_ONLY');
}

/** An EXPLAIN whose statement restsql cannot tell: refused rather than guessed at. */
export function unreadableExplain(code: 'READ_ONLY' | 'QUERY_NOT_ALLOWED'): RestSqlError {
  return new RestSqlError(code, 'This EXPLAIN is refused: restsql cannot tell which statement it runs.', {
    hint: 'Write EXPLAIN [ANALYZE] followed by the statement, as one statement of its own.',
  });
}
