/**
 * Which API tables the model file's functions read, for the load cache: a script (no parse tree
 * to ask) that names a function has the tables in its body fetched before it runs, as it has the
 * tables it names itself, so a transaction never meets them unfetched. A function calling another
 * reads what that one reads.
 */
import type { RoutineDef } from '../../model/types.js';
import { lex } from '../../sql/lexer.js';

/** The words and quoted names of `text`, lower case (none when it does not lex). */
function namesIn(text: string): Set<string> {
  try {
    return new Set(lex(text).filter((t) => t.kind === 'word' || t.kind === 'quotedIdent').map((t) => t.value.toLowerCase()));
  } catch {
    return new Set();
  }
}

/** Per function (lower-case name): the tables of `tables` (lower-case names) its body names, directly or through other functions. */
export function routineTables(routines: readonly RoutineDef[] | undefined, tables: ReadonlySet<string>): Map<string, Set<string>> {
  const bodies = new Map((routines ?? []).flatMap((r) => (r.kind === 'function' ? [[r.name.toLowerCase(), namesIn(r.body)] as const] : [])));
  const out = new Map([...bodies].map(([name, words]) => [name, new Set([...words].filter((w) => tables.has(w)))]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, words] of bodies) {
      const mine = out.get(name)!;
      for (const w of words) {
        if (w === name) continue;
        for (const t of out.get(w) ?? []) {
          if (!mine.has(t)) {
            mine.add(t);
            changed = true;
          }
        }
      }
    }
  }
  return out;
}
