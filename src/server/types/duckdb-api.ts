import { createRequire } from 'node:module';

/**
 * The DuckDB Node API's runtime values (type constants, value classes, DuckDBTypeId) for the type
 * modules. Loaded with require, not import: the package is CommonJS, and importing it makes Node
 * lex its sources for named exports first (the engine loads it the same way).
 */
export const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
