/**
 * The one catalog of error codes. Each code is stable (scripts match on it), maps to a CLI exit
 * status (1 query/remote, 2 usage/config, 3 authentication; README.md "Errors and exit status") and to a
 * SQLSTATE for the PostgreSQL-wire server.
 */
export type ErrorCategory = 'config' | 'auth' | 'remote' | 'query' | 'internal';

export interface ErrorCodeInfo {
  readonly category: ErrorCategory;
  readonly sqlState: string;
  readonly summary: string;
}

export const ERROR_CODES = {
  // Configuration and usage (exit 2)
  CONFIG_SYNTAX: { category: 'config', sqlState: '08001', summary: 'The connection string is malformed.' },
  CONFIG_UNKNOWN_OPTION: { category: 'config', sqlState: '08001', summary: 'An option name is not known.' },
  CONFIG_DUPLICATE_OPTION: { category: 'config', sqlState: '08001', summary: 'An option was given twice.' },
  CONFIG_INVALID_VALUE: { category: 'config', sqlState: '08001', summary: 'An option value has the wrong type or is out of range.' },
  CONFIG_MISSING_OPTION: { category: 'config', sqlState: '08001', summary: 'A required option is missing.' },
  CONFIG_CONFLICT: { category: 'config', sqlState: '08001', summary: 'Two options contradict each other.' },
  CONFIG_ENV_VAR_MISSING: { category: 'config', sqlState: '08001', summary: 'A ${NAME} reference names an unset environment variable.' },
  CONFIG_DSN_NOT_FOUND: { category: 'config', sqlState: '08001', summary: 'The DSN or odbc.ini file cannot be found.' },
  CONFIG_DSN_SYNTAX: { category: 'config', sqlState: '08001', summary: 'The odbc.ini file is malformed.' },
  CONFIG_UNSUPPORTED: { category: 'config', sqlState: '0A000', summary: 'The configuration asks for something this version does not support.' },
  MODEL_FILE_NOT_FOUND: { category: 'config', sqlState: '08001', summary: 'The model file cannot be read.' },
  MODEL_INVALID: { category: 'config', sqlState: '08001', summary: 'The model file is invalid.' },
  USAGE: { category: 'config', sqlState: '42601', summary: 'The command line is invalid.' },
  TEMP_DIR_UNAVAILABLE: { category: 'config', sqlState: '58030', summary: 'The temporary folder cannot be written (TMPDIR).' },
  // Authentication (exit 3)
  AUTH_FAILED: { category: 'auth', sqlState: '28000', summary: 'The server rejected the credentials.' },
  AUTH_DENIED: { category: 'auth', sqlState: '28000', summary: 'The authorization server refused the login (error callback).' },
  AUTH_STATE_MISMATCH: { category: 'auth', sqlState: '28000', summary: 'The login callback carried the wrong state (RFC 6749 §10.12).' },
  AUTH_ISSUER_MISMATCH: { category: 'auth', sqlState: '28000', summary: 'The login callback came from another issuer (RFC 9207).' },
  AUTH_TIMEOUT: { category: 'auth', sqlState: '28000', summary: 'The login was not completed in time.' },
  AUTH_TOKEN_ERROR: { category: 'auth', sqlState: '28000', summary: 'The token endpoint refused the request.' },
  AUTH_LOGIN_REQUIRED: { category: 'auth', sqlState: '28000', summary: 'No usable token is cached and this process cannot log in.' },
  AUTH_LISTENER: { category: 'config', sqlState: '08001', summary: 'The redirect listener cannot listen on the RedirectURI port.' },
  AUTH_DISCOVERY: { category: 'auth', sqlState: '08001', summary: 'The authorization server metadata could not be read (RFC 8414).' },
  // Remote API (exit 1)
  HTTP_UNREACHABLE: { category: 'remote', sqlState: '08006', summary: 'The endpoint could not be reached.' },
  HTTP_TIMEOUT: { category: 'remote', sqlState: '08006', summary: 'The endpoint did not answer in time.' },
  HTTP_STATUS: { category: 'remote', sqlState: '08006', summary: 'The endpoint answered with an error status.' },
  HTTP_RATE_LIMITED: { category: 'remote', sqlState: '08006', summary: 'The endpoint kept answering 429 Too Many Requests.' },
  HTTP_NOT_JSON: { category: 'remote', sqlState: '22032', summary: 'The endpoint did not answer with JSON.' },
  HTTP_ORIGIN_REFUSED: { category: 'remote', sqlState: '42501', summary: 'A request to an origin the connection is not configured for (or not http/https) was refused before it was sent.' },
  HTTP_TOO_LARGE: { category: 'remote', sqlState: '54000', summary: 'The response is larger than the configured limit.' },
  DATA_TYPE_MISMATCH: { category: 'remote', sqlState: '22018', summary: 'A value does not fit the column type chosen for it.' },
  DATA_TOO_MANY_PAGES: { category: 'remote', sqlState: '54000', summary: 'A table needs more pages than MaxPages allows.' },
  DATA_NO_RECORDS: { category: 'remote', sqlState: '22023', summary: 'The response holds nothing that maps to rows.' },
  // TLS (issue 15: the TLS options)
  HTTP_TLS: { category: 'remote', sqlState: '08006', summary: 'The TLS handshake with the endpoint failed: certificate not trusted, for another host name or out of date, no common protocol version, or the client certificate missing or refused.' },
  // SQL (exit 1)
  QUERY_SYNTAX: { category: 'query', sqlState: '42601', summary: 'The SQL has a syntax error.' },
  QUERY_UNKNOWN_TABLE: { category: 'query', sqlState: '42P01', summary: 'The SQL names a table that does not exist.' },
  QUERY_UNKNOWN_COLUMN: { category: 'query', sqlState: '42703', summary: 'The SQL names a column that does not exist.' },
  QUERY_MISSING_FILTER: { category: 'query', sqlState: '42P10', summary: 'The table needs a WHERE condition the query does not give (a path parameter or #mandatory column).' },
  QUERY_FAILED: { category: 'query', sqlState: '42000', summary: 'The SQL could not be run.' },
  READ_ONLY: { category: 'query', sqlState: '25006', summary: 'The statement would change restsql\'s copy of an API table (DDL, or a write in a form restsql does not send), or writes in a READ ONLY transaction.' },
  QUERY_TABLES_UNKNOWN: { category: 'query', sqlState: '0A000', summary: 'restsql cannot tell which API tables the statement reads, so it does not run it on tables it has not fetched.' },
  QUERY_NOT_ALLOWED: { category: 'query', sqlState: '42501', summary: 'The SQL tries something restsql does not allow (files, extensions, settings).' },
  CONNECTION_CLOSED: { category: 'query', sqlState: '08003', summary: 'The connection is closed.' },
  ABORTED: { category: 'query', sqlState: '57014', summary: 'The operation was cancelled.' },
  QUERY_BAD_PARAMETER: { category: 'query', sqlState: '22P02', summary: 'A bound parameter value cannot be read as its declared type.' },
  SETTING_INVALID_VALUE: { category: 'query', sqlState: '22023', summary: 'A SET (or startup) value is not valid for that setting.' },
  SETTING_UNKNOWN: { category: 'query', sqlState: '42704', summary: 'SHOW names a setting that does not exist.' },
  SETTING_READ_ONLY: { category: 'query', sqlState: '55P02', summary: 'The setting is fixed by the server and cannot be changed.' },
  SAVEPOINT_UNKNOWN: { category: 'query', sqlState: '3B001', summary: 'The savepoint named does not exist in this transaction.' },
  // Routines (issue 16: DataDirect's user-defined functions and procedures, CALL)
  ROUTINE_INVALID: { category: 'query', sqlState: '42P13', summary: 'A routine definition (CREATE FUNCTION or CREATE PROCEDURE in DataDirect\'s syntax) is malformed: a missing or misplaced clause, an unknown type, RETURNS and RETURN that do not agree, a name that is a DuckDB function.' },
  ROUTINE_UNSUPPORTED: { category: 'query', sqlState: '0A000', summary: 'A routine uses what restsql cannot run: LANGUAGE JAVA, EXTERNAL NAME, compound statements (DECLARE, SET, IF, WHILE, FOR, SIGNAL, ...), OUT or INOUT parameters.' },
  ROUTINE_DUPLICATE: { category: 'query', sqlState: '42723', summary: 'CREATE FUNCTION or CREATE PROCEDURE names a routine that already exists (in the model file or in this session).' },
  ROUTINE_UNKNOWN: { category: 'query', sqlState: '42883', summary: 'CALL or DROP names a routine that is not defined, neither in the model file nor in this session.' },
  ROUTINE_ARGUMENTS: { category: 'query', sqlState: '42883', summary: 'A routine was called with more or fewer arguments than it has parameters.' },
  ROUTINE_ARGUMENT_VALUE: { category: 'query', sqlState: '22023', summary: 'An argument of CALL does not convert to its parameter\'s type.' },
  ROUTINE_NESTING: { category: 'query', sqlState: '54001', summary: 'Procedures call procedures deeper than restsql allows (a procedure that calls itself without end).' },
  // The PostgreSQL-wire server (restsql serve)
  SERVER_PROTOCOL: { category: 'query', sqlState: '08P01', summary: 'A client broke the PostgreSQL wire protocol (malformed, truncated or oversize message, unknown protocol version).' },
  SERVER_LOGIN_FAILED: { category: 'auth', sqlState: '28P01', summary: 'The password given to restsql serve is wrong.' },
  SERVER_AUTH_UNSUPPORTED: { category: 'auth', sqlState: '28000', summary: 'The client and restsql serve share no password method (or TLS is required and the client did not ask for it).' },
  SERVER_TOO_MANY_SESSIONS: { category: 'query', sqlState: '53300', summary: 'restsql serve already has as many sessions as it allows.' },
  SERVER_TIMEOUT: { category: 'query', sqlState: '57P05', summary: 'A client was too slow: startup not finished or session idle past the limit.' },
  SERVER_SHUTDOWN: { category: 'query', sqlState: '57P01', summary: 'restsql serve is shutting down.' },
  CATALOG_QUERY: { category: 'query', sqlState: '42000', summary: 'The catalog (PostgreSQL) refused a catalog query; the SQLSTATE is PostgreSQL\'s own.' },
  CATALOG_MIXED: { category: 'query', sqlState: '0A000', summary: 'A statement reads both catalog relations (pg_catalog, information_schema) and API tables.' },
  CATALOG_TIMEOUT: { category: 'query', sqlState: '57014', summary: 'A catalog query ran past its deadline.' },
  CATALOG_UNAVAILABLE: { category: 'query', sqlState: '58000', summary: 'The catalog could not start or stopped.' },
  CATALOG_ROUTE_LIMIT: { category: 'query', sqlState: '54000', summary: 'A statement that names the catalog is too long to be routed.' },
  CATALOG_RESULT_TOO_LARGE: { category: 'query', sqlState: '54000', summary: 'A catalog query returned more bytes than the catalog allows.' },
  SERVER_UNSUPPORTED: { category: 'query', sqlState: '0A000', summary: 'The client asked for a protocol feature restsql serve does not provide.' },
  SERVER_UNKNOWN_STATEMENT: { category: 'query', sqlState: '26000', summary: 'A prepared statement name is not known in this session.' },
  SERVER_UNKNOWN_PORTAL: { category: 'query', sqlState: '34000', summary: 'A portal (cursor) name is not known in this session.' },
  SERVER_DUPLICATE_STATEMENT: { category: 'query', sqlState: '42P05', summary: 'A prepared statement of that name already exists in this session.' },
  SERVER_TRANSACTION_ABORTED: { category: 'query', sqlState: '25P02', summary: 'The transaction failed earlier; commands are ignored until ROLLBACK.' },
  // Connection options (issue 15: DataDirect's QueryTimeout)
  QUERY_TIMEOUT: { category: 'query', sqlState: '57014', summary: 'A statement ran past QueryTimeout and was cancelled.' },
  // The relational map's life cycle (CreateMap, SchemaMap, REFRESH MAP)
  MODEL_MAP_MISSING: { category: 'config', sqlState: '08001', summary: 'CreateMap=No and SchemaMap holds no map built from this model file and these options.' },
  MODEL_MAP_INVALID: { category: 'config', sqlState: '08001', summary: 'The file SchemaMap names is not a readable restsql map (corrupt, of another version, or not a map at all).' },
  MODEL_MAP_WRITE: { category: 'config', sqlState: '58030', summary: 'The relational map could not be written where SchemaMap says.' },
  MAP_REFRESH_IN_TRANSACTION: { category: 'query', sqlState: '25001', summary: 'REFRESH MAP was sent inside a transaction.' },
  CACHE_DROP_IN_TRANSACTION: { category: 'query', sqlState: '25001', summary: 'Dropping the cached API rows (the shell\'s \\refresh, Connection.dropCache) was asked inside a transaction.' },
  MAP_REFRESH_SHARED: { category: 'query', sqlState: '0A000', summary: 'REFRESH MAP was sent on a session that shares its map with others (restsql serve).' },
  // SQL written for DataDirect's driver: ODBC/JDBC escape sequences (engine/odbc-escapes.ts)
  QUERY_BAD_ESCAPE: { category: 'query', sqlState: '42601', summary: 'An ODBC/JDBC escape sequence ({fn ...}, {d ...}, {ts ...}, {oj ...}, ...) is malformed: unknown keyword or function, wrong arguments, bad literal or unclosed brace.' },
  WRITE_UNSUPPORTED: { category: 'query', sqlState: '0A000', summary: 'The statement writes to an API table in a form restsql cannot send (ON CONFLICT, INSERT OR REPLACE, MERGE, TRUNCATE, a WITH before the verb, SET (a, b) = ...).' },
  WRITE_NOT_ENABLED: { category: 'query', sqlState: '55000', summary: 'INSERT, UPDATE or DELETE on an API table whose model file entry has no #insert, #update or #delete (or a child table, written through its parent).' },
  WRITE_READONLY_COLUMN: { category: 'query', sqlState: '428C9', summary: 'INSERT or UPDATE gives a value to a #readonly or #key column, which the API does not take.' },
  WRITE_NEEDS_KEY: { category: 'query', sqlState: '42P10', summary: 'UPDATE or DELETE on an API table would have to read the whole table to find its rows (no = or IN condition on the key); AllowFullTableWrites=1 allows it.' },
  WRITE_NULL_KEY: { category: 'query', sqlState: '23502', summary: 'A row to write has no value for a column the write URL needs ({placeholder}).' },
  WRITE_IN_TRANSACTION: { category: 'query', sqlState: '25001', summary: 'A write to an API table inside a transaction: the API cannot take part in it (TransactionMode=Ignore sends it at once).' },
  WRITE_REJECTED: { category: 'remote', sqlState: '23514', summary: 'The API refused a row of the write (4xx); the rows before it were written.' },
  WRITE_CONFLICT: { category: 'remote', sqlState: '23505', summary: 'The API refused a row of the write as a conflict (409); the rows before it were written.' },
  WRITE_FAILED: { category: 'remote', sqlState: '08006', summary: 'A write request failed (5xx, network, timeout); the rows before it were written, the failed one may or may not have been.' },
  // Response formats (issue 15: XML, CSV and JSON Lines responses)
  HTTP_MALFORMED_BODY: { category: 'remote', sqlState: '22P02', summary: 'A response body does not parse as its format (JSON Lines, CSV or XML); the message says where it breaks.' },
  HTTP_BODY_REFUSED: { category: 'remote', sqlState: '0A000', summary: 'An XML response declares entities (a DTD), which restsql never expands (entity expansion and external entity attacks).' },
  // Writes through APIs (issue 16: #insert, #update, #delete)
  HTTP_WRITE_UNCERTAIN: { category: 'remote', sqlState: '08007', summary: 'The connection failed after a write request that is not idempotent may have reached the API: the API may or may not have applied it, so restsql did not send it again.' },
  // Bugs (exit 1)
  INTERNAL: { category: 'internal', sqlState: 'XX000', summary: 'An unexpected internal error.' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Exit status per category. A Record so a new category fails to compile until mapped. */
const EXIT_STATUS: Readonly<Record<ErrorCategory, number>> = {
  config: 2,
  auth: 3,
  remote: 1,
  query: 1,
  internal: 1,
};

export function exitStatusFor(code: ErrorCode): number {
  return EXIT_STATUS[ERROR_CODES[code].category];
}
