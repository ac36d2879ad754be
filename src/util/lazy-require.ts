/**
 * A CommonJS package loaded at its first use rather than at start-up: `restsql --help`, a usage
 * error or a query that fetches nothing never pays for undici, the CSV or XML parsers. Loading
 * stays synchronous (require), so the code that uses the package keeps its shape. The package
 * must ship CommonJS (undici, sax, csv-parse do); ESM-only packages are loaded with import().
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export function lazyRequire<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load(specifier) as T);
}
