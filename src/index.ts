/**
 * restsql's public API (DESIGN.md "Library contract"). Nothing else is meant to be imported.
 */
import { openConnection, type Connection, type ConnectOptions } from './engine/connection.js';
import { loadOptions, type OptionSources } from './options/index.js';

export { Connection, type ConnectOptions, type QueryResult, type TableInfo } from './engine/connection.js';
export type { StatementResult } from './engine/duckdb.js';
export type { JsonValue, ResultColumn } from './engine/values.js';
export { RestSqlError, isRestSqlError, Secret, ERROR_CODES, type ErrorCode } from './errors/index.js';
export { OPTION_CATALOG, AUTH_METHODS, type ConnectionOptions } from './options/index.js';
export type { Logger } from './util/logger.js';

export interface ConnectionSource extends ConnectOptions {
  /** A DSN name to read from odbc.ini. */
  readonly dsn?: string;
  /** The odbc.ini file to read the DSN from. */
  readonly odbcIni?: string;
  /** Environment for `${NAME}` references (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Options that override the connection string and DSN, as `Key`/`value` pairs. */
  readonly overrides?: Readonly<Record<string, string>>;
}

/**
 * Opens a connection from a connection string in the seed's syntax
 * (`RestSamplePath=https://...;AuthenticationMethod=15`) and/or a DSN.
 */
export async function connect(connectionString: string | undefined, options: ConnectionSource = {}): Promise<Connection> {
  const sources: OptionSources = {
    ...(connectionString !== undefined ? { connect: connectionString } : {}),
    ...(options.dsn !== undefined ? { dsn: options.dsn } : {}),
    ...(options.odbcIni !== undefined ? { odbcIni: options.odbcIni } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.overrides !== undefined
      ? { overrides: Object.entries(options.overrides).map(([key, value]) => ({ key, value, source: 'override' })) }
      : {}),
  };
  const resolved = loadOptions(sources);
  return openConnection(resolved, options);
}
