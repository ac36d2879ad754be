/**
 * restsql's public API (docs/architecture.md "Public API"). Nothing else is meant to be imported.
 */
import { createOAuthSession } from './auth/create.js';
import type { OAuthSession, TokenStatus } from './auth/oauth/session.js';
import { authContext, type ConnectOptions } from './engine/connect-options.js';
import type { Connection } from './engine/connection.js';
import type { Hub } from './engine/hub.js';
import { openConnection, openHub as openSharedHub } from './engine/open-connection.js';
import { httpClientFor } from './http/client.js';
import { readModelSettings } from './model/model-settings.js';
import { readModelFile } from './model/read-file.js';
import { loadOptions, redactorFor, type ConnectionOptions, type OptionSources } from './options/index.js';
import { SILENT_LOGGER, redactingLogger } from './util/logger.js';

export { Connection, type QueryResult, type TableInfo } from './engine/connection.js';
export type { Hub } from './engine/hub.js';
export type { ConnectOptions } from './engine/connect-options.js';
export type { StatementResult } from './engine/duckdb.js';
export type { JsonValue, ResultColumn } from './engine/values.js';
export { RestSqlError, isRestSqlError, Secret, ERROR_CODES, type ErrorCode } from './errors/index.js';
export { OPTION_CATALOG, AUTH_METHODS, type ConnectionOptions } from './options/index.js';
export type { Logger } from './util/logger.js';
export type { TokenStatus, LoginUi } from './auth/oauth/session.js';
export type { OpenBrowser } from './auth/oauth/browser.js';
export type { TokenStore, TokenKey, StoredToken } from './auth/token-store/file-store.js';

export interface ConnectionSource extends ConnectOptions {
  /** A DSN name to read from odbc.ini. */
  readonly dsn?: string;
  /** The odbc.ini file to read the DSN from. */
  readonly odbcIni?: string;
  /** Options that override the connection string and DSN, as `Key`/`value` pairs. */
  readonly overrides?: Readonly<Record<string, string>>;
}

/**
 * Opens a connection from a connection string in the seed's syntax
 * (`RestSamplePath=https://...;AuthenticationMethod=15`) and/or a DSN.
 */
export async function connect(connectionString: string | undefined, options: ConnectionSource = {}): Promise<Connection> {
  const { resolved, modelText } = resolveWithModel(connectionString, options);
  return openConnection(resolved, options, modelText);
}

/**
 * Opens a hub: what one connection string opens (authentication, model, database, load cache),
 * for many sessions at once. `hub.session()` gives each a Connection of its own (its own DuckDB
 * connection); tables fetched for one session serve the others within CacheTTL. `restsql serve`
 * runs on one. Close the hub when done (it closes its sessions).
 */
export async function openHub(connectionString: string | undefined, options: ConnectionSource = {}): Promise<Hub> {
  const { resolved, modelText } = resolveWithModel(connectionString, options);
  return openSharedHub(resolved, options, modelText);
}

/**
 * The connection's options, and the text of the model file they name as it was read for its own
 * options (#options, #tokenUri, ...), so the connection builds its tables from that same text.
 */
function resolveWithModel(connectionString: string | undefined, options: ConnectionSource): { resolved: ConnectionOptions; modelText?: { file: string; text: string } } {
  let modelText: { file: string; text: string } | undefined;
  const sources: OptionSources = {
    ...(connectionString !== undefined ? { connect: connectionString } : {}),
    ...(options.dsn !== undefined ? { dsn: options.dsn } : {}),
    ...(options.odbcIni !== undefined ? { odbcIni: options.odbcIni } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.overrides !== undefined
      ? { overrides: Object.entries(options.overrides).map(([key, value]) => ({ key, value, source: 'override' })) }
      : {}),
    // Options written in the model file (#options, #tokenUri, ...): the DSN and the connection string win over them.
    modelOptions: (file) => {
      const text = readModelFile(file);
      modelText = { file, text };
      return readModelSettings(text, file);
    },
  };
  const resolved = loadOptions(sources);
  return { resolved, ...(modelText !== undefined ? { modelText } : {}) };
}

function resolve(connectionString: string | undefined, options: ConnectionSource): ConnectionOptions {
  return resolveWithModel(connectionString, options).resolved;
}

async function withSession<T>(connectionString: string | undefined, options: ConnectionSource, fn: (s: OAuthSession) => Promise<T>): Promise<T> {
  const resolved = resolve(connectionString, options);
  const redactor = redactorFor(resolved, options.env ?? process.env);
  const logger = redactingLogger(options.logger ?? SILENT_LOGGER, redactor);
  const transport = httpClientFor(resolved, { logger, redactor, ...(options.signal ? { signal: options.signal } : {}) });
  try {
    const session = createOAuthSession(resolved, authContext(options, logger, transport));
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  } catch (e) {
    throw redactor.error(e);
  } finally {
    await transport.close();
  }
}

/** Logs in anew (browser with PKCE, or device code) and caches the tokens. */
export async function login(connectionString: string | undefined, options: ConnectionSource = {}): Promise<TokenStatus> {
  return withSession(connectionString, options, async (s) => {
    await s.login();
    return s.status();
  });
}

/** Forgets the cached tokens, revoking them at the server when it advertises revocation (RFC 7009). */
export async function logout(connectionString: string | undefined, options: ConnectionSource = {}): Promise<{ removed: boolean; revoked: boolean; revocationAdvertised: boolean }> {
  return withSession(connectionString, options, (s) => s.logout());
}

/** What is cached for this connection's login (never the token itself). */
export async function tokenStatus(connectionString: string | undefined, options: ConnectionSource = {}): Promise<TokenStatus> {
  return withSession(connectionString, options, (s) => s.status());
}
