/** Levenshtein distance, case-insensitive; small inputs only (option names, table names). */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[y.length] ?? 0;
}

/** The closest candidate within a distance that scales with the word's length, or undefined. */
function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    const prefix = c.toLowerCase().startsWith(word.toLowerCase()) && word.length >= 3;
    const score = prefix ? Math.min(d, 1) : d;
    if (score < bestDistance) {
      bestDistance = score;
      best = c;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** " Did you mean X?" or "" — appended to messages about unknown names. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` Did you mean ${c}?`;
}
