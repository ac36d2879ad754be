/** Names close to a mistyped one: for "no table named x" messages that help the caller on. */

/** Levenshtein distance, case-insensitive (short names only). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length]!;
}

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
