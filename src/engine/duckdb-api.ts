import { createRequire } from 'node:module';

/**
 * DuckDB's Node API (the instance, type constants, value classes, DuckDBTypeId): the one place it
 * is loaded, for the engine and the server's type modules. Loaded with require, not import: the
 * package is CommonJS, and importing it makes Node lex its sources for named exports first (0.11 s
 * of every start-up, measured). The CLI's bundle (build/bundle.ts) replaces this module with a
 * static import, so the package's JavaScript is bundled with the CLI and loads as one file.
 */
export const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
