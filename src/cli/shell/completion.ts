/**
 * Tab completion for the shell (node:readline's completer): SQL keywords, table names and column
 * names for the word before the cursor; after `table.`, that table's columns; at the start of a
 * line, meta-commands; after `\d`, table names. Pure: the tables come in as data.
 */
import { META_NAMES } from './meta-commands.js';

/** The names completion offers: each table with its columns. */
export interface CompletionCatalog {
  readonly tables: readonly { readonly name: string; readonly columns: readonly string[] }[];
}

export const SQL_KEYWORDS: readonly string[] = [
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'ORDER', 'HAVING', 'LIMIT', 'OFFSET', 'JOIN', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'OUTER',
  'CROSS', 'ON', 'USING', 'AS', 'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'ILIKE', 'BETWEEN', 'EXISTS', 'DISTINCT', 'ALL',
  'UNION', 'INTERSECT', 'EXCEPT', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'WITH', 'ASC', 'DESC', 'NULLS', 'FIRST', 'LAST',
  'COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'CAST', 'TRUE', 'FALSE', 'INSERT', 'INTO', 'VALUES', 'UPDATE', 'SET', 'DELETE', 'CREATE',
  'TABLE', 'VIEW', 'DROP', 'BEGIN', 'COMMIT', 'ROLLBACK', 'EXPLAIN', 'DESCRIBE', 'SHOW', 'REFRESH', 'MAP', 'CALL', 'RETURNING',
  'OVER', 'PARTITION', 'WINDOW', 'FILTER', 'QUALIFY', 'PIVOT', 'UNPIVOT', 'TEMP',
];

/** Meta-commands whose argument is a table name. */
const TABLE_ARGUMENT = /^\s*\\d\s+(\S*)$/;

/**
 * Completions for `line` (the text before the cursor): [candidates, the word they replace].
 * Matching ignores case; a candidate starts with the word as typed, keywords continue in its case
 * (lower or upper), names in theirs.
 */
export function complete(line: string, catalog: CompletionCatalog): [string[], string] {
  const tableArg = TABLE_ARGUMENT.exec(line);
  if (tableArg) return [matching(tableArg[1]!, catalog.tables.map((t) => t.name)), tableArg[1]!];
  if (/^\s*\\\S*$/.test(line)) {
    const word = line.trim();
    return [matching(word, META_NAMES), word];
  }
  const qualified = /([A-Za-z_][A-Za-z0-9_$]*)\.([A-Za-z0-9_$]*)$/.exec(line);
  if (qualified) {
    const table = catalog.tables.find((t) => t.name.toLowerCase() === qualified[1]!.toLowerCase());
    const prefix = qualified[2]!;
    return [table ? matching(prefix, table.columns) : [], prefix];
  }
  const word = /[A-Za-z_][A-Za-z0-9_$]*$/.exec(line)?.[0] ?? '';
  if (word === '') return [[], ''];
  const lower = word === word.toLowerCase();
  const keywords = matching(word, SQL_KEYWORDS).map((k) => (lower ? k.toLowerCase() : k));
  const names = new Set<string>();
  for (const t of catalog.tables) {
    names.add(t.name);
    for (const c of t.columns) names.add(c);
  }
  // readline inserts what follows the typed word: candidates start with the word as typed.
  const typed = (c: string): string => word + c.slice(word.length);
  return [[...new Set([...keywords, ...matching(word, [...names])].map(typed))].sort(), word];
}

function matching(prefix: string, candidates: readonly string[]): string[] {
  const p = prefix.toLowerCase();
  return [...new Set(candidates.filter((c) => c.toLowerCase().startsWith(p)))].sort();
}
