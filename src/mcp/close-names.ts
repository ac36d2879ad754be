/** Names close to a mistyped one: for "no table named x" messages that help the caller on. */
import { editDistance as distance } from '../util/did-you-mean.js';

/**
 * Up to `max` of `names` nearest `word`: those containing it or contained in it, and those within
 * an edit distance that grows with its length, nearest first.
 */
export function closeNames(word: string, names: readonly string[], max = 3): string[] {
  const w = word.toLowerCase();
  const limit = Math.max(2, Math.floor(w.length / 3));
  return names
    .map((n) => {
      const l = n.toLowerCase();
      const contains = w.length >= 3 && (l.includes(w) || w.includes(l));
      return { n, d: contains ? Math.min(1, distance(w, l)) : distance(w, l) };
    })
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, max)
    .map((x) => x.n);
}
