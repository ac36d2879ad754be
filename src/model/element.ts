/**
 * Element paths of model files (`#nextPageElement`, `#totalRowsElement`, json roots): member names
 * separated by `/` or `.` (`paging/next_cursor`, `data.items`, `/data`). A member whose own name
 * holds a `/` or `.` (OData's `@odata.nextLink`) is written in single quotes: `'@odata.nextLink'`,
 * `meta/'a.b'`; inside the quotes a `'` is written twice.
 */

/** Why an element path cannot be read. */
export class ElementSyntaxError extends Error {}

/** `data/items`, `data.items`, `/data`, `'@odata.nextLink'` -> member names. */
export function parseElement(raw: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= raw.length) {
    // One segment: up to the next separator, or a quoted name.
    while (i < raw.length && /\s/.test(raw[i]!)) i++;
    if (raw[i] === "'") {
      let name = '';
      let j = i + 1;
      for (;;) {
        if (j >= raw.length) throw new ElementSyntaxError(`the quote at position ${i + 1} of '${raw}' is not closed`);
        if (raw[j] === "'") {
          if (raw[j + 1] === "'") {
            name += "'";
            j += 2;
            continue;
          }
          break;
        }
        name += raw[j];
        j++;
      }
      j++;
      while (j < raw.length && /\s/.test(raw[j]!)) j++;
      if (j < raw.length && raw[j] !== '/' && raw[j] !== '.') throw new ElementSyntaxError(`'${raw}' has text after the quoted name at position ${j + 1}; separate names with '/'`);
      out.push(name);
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < raw.length && raw[j] !== '/' && raw[j] !== '.') j++;
    const name = raw.slice(i, j).trim();
    if (name !== '') out.push(name);
    i = j + 1;
  }
  return out;
}

/** Member names -> element text that `parseElement` reads back to the same names. */
export function formatElement(path: readonly string[]): string {
  return path.map((name) => (name === '' || /[/.]/.test(name) || name.trim() !== name || name.startsWith("'") ? `'${name.replaceAll("'", "''")}'` : name)).join('/');
}
