import { AUTH_METHODS } from './auth-methods.js';

/**
 * The one option catalog. Parsing (connection strings, odbc.ini), validation, `restsql options`
 * and docs/options.md are all derived from this data. Names follow DataDirect's Autonomous REST
 * Connector (ODBC long name first; short and JDBC names as aliases).
 */
export type OptionKind = 'string' | 'secret' | 'integer' | 'boolean' | 'enum' | 'url' | 'path';
export type OptionGroup = 'Connection' | 'Authentication' | 'OAuth 2.0' | 'AWS' | 'Mapping' | 'HTTP' | 'Proxy' | 'Engine';

export interface EnumChoice {
  readonly value: number;
  readonly names: readonly string[];
  readonly doc: string;
}

export interface OptionSpec {
  /** Our internal camelCase name (connection-string names appear only where they are parsed or printed). */
  readonly key: string;
  /** The canonical connection-string name. */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly kind: OptionKind;
  readonly group: OptionGroup;
  readonly doc: string;
  readonly default?: string | number | boolean;
  readonly choices?: readonly EnumChoice[];
  readonly min?: number;
  readonly max?: number;
  /** url kind: the value may start with `GET ` or `POST ` (TokenURI, seed). */
  readonly methodPrefix?: boolean;
}

export const OPTION_CATALOG = [
  // ---- Connection
  { key: 'restConfigFile', name: 'RestConfigFile', aliases: ['rcf', 'Config'], kind: 'path', group: 'Connection',
    doc: 'Path of the model file (.rest) that describes the endpoints, paging and tables. Use it or RestSamplePath.' },
  { key: 'restSamplePath', name: 'RestSamplePath', aliases: ['rsp', 'Sample'], kind: 'url', group: 'Connection',
    doc: 'URL of one endpoint to sample: restsql fetches it, infers tables from the JSON and answers SQL over them. Relative to HostName when it does not start with http(s)://.' },
  { key: 'table', name: 'Table', aliases: [], kind: 'string', group: 'Connection',
    doc: 'Name of the table made from RestSamplePath. Default: the last path segment of the URL.' },
  { key: 'hostName', name: 'HostName', aliases: ['ServerName'], kind: 'url', group: 'Connection',
    doc: 'Base URL (scheme, host, optional port and path) that relative endpoint paths are resolved against.' },
  { key: 'portNumber', name: 'PortNumber', aliases: [], kind: 'integer', group: 'Connection', min: 1, max: 65535,
    doc: 'Port used with HostName when HostName carries none.' },
  { key: 'healthUri', name: 'HealthURI', aliases: [], kind: 'url', group: 'Connection',
    doc: 'URL called at connect time to confirm the service is reachable and the credentials work.' },
  // ---- Authentication
  { key: 'authenticationMethod', name: 'AuthenticationMethod', aliases: ['am'], kind: 'enum', group: 'Authentication', default: 15,
    choices: AUTH_METHODS.map((m) => ({ value: m.code, names: [m.name], doc: m.doc })),
    doc: 'How requests authenticate: the ODBC number or the JDBC name.' },
  { key: 'user', name: 'User', aliases: ['uid'], kind: 'string', group: 'Authentication',
    doc: 'User name for Basic, Digest and the OAuth 2.0 password grant; {user} in custom authentication.' },
  { key: 'password', name: 'Password', aliases: ['pwd'], kind: 'secret', group: 'Authentication',
    doc: 'Password for User. Write ${NAME} to read it from an environment variable.' },
  { key: 'authHeader', name: 'AuthHeader', aliases: [], kind: 'string', group: 'Authentication',
    doc: 'Name of the HTTP header that carries SecurityToken on every request (tenant IDs and the like), or that carries the credential for header-based methods. Needs SecurityToken.' },
  { key: 'authParam', name: 'AuthParam', aliases: [], kind: 'string', group: 'Authentication',
    doc: 'Name of the URL query parameter that carries SecurityToken (AuthenticationMethod=14).' },
  { key: 'securityToken', name: 'SecurityToken', aliases: [], kind: 'secret', group: 'Authentication',
    doc: 'Token value for BearerToken, HTTPHeader and URLParameter authentication, or the value of the AuthHeader header.' },
  { key: 'customAuthParams', name: 'CustomAuthParams', aliases: [], kind: 'secret', group: 'Authentication',
    doc: 'Values the model file\'s custom authentication steps (AuthenticationMethod=29) refer to as {customAuthParams[1]}, {customAuthParams[2]}, ...: separated by semicolons, so brace the value (CustomAuthParams={key-1;acme}). Treated as a secret.' },
  // ---- OAuth 2.0
  { key: 'accessToken', name: 'AccessToken', aliases: [], kind: 'secret', group: 'OAuth 2.0',
    doc: 'A ready OAuth 2.0 access token (AuthenticationMethod=50).' },
  { key: 'refreshToken', name: 'RefreshToken', aliases: [], kind: 'secret', group: 'OAuth 2.0',
    doc: 'An OAuth 2.0 refresh token, exchanged for access tokens at TokenURI.' },
  { key: 'clientId', name: 'ClientID', aliases: [], kind: 'string', group: 'OAuth 2.0',
    doc: 'OAuth 2.0 client identifier of your application.' },
  { key: 'clientSecret', name: 'ClientSecret', aliases: [], kind: 'secret', group: 'OAuth 2.0',
    doc: 'OAuth 2.0 client secret. Keep it out of files: write ${NAME} to read it from an environment variable. Never written to the token cache or logs.' },
  { key: 'authUri', name: 'AuthURI', aliases: [], kind: 'url', group: 'OAuth 2.0',
    doc: 'Authorization endpoint, where the browser login starts.' },
  { key: 'tokenUri', name: 'TokenURI', aliases: ['o2tu'], kind: 'url', group: 'OAuth 2.0', methodPrefix: true,
    doc: 'Token endpoint. May start with "POST " or "GET ". Without a prefix restsql sends POST, as RFC 6749 §3.2 requires (DataDirect defaults to GET).' },
  { key: 'redirectUri', name: 'RedirectURI', aliases: [], kind: 'url', group: 'OAuth 2.0',
    doc: 'Where the authorization server sends the browser back; must include the port (for example http://localhost:8080). restsql listens there on loopback only.' },
  { key: 'issuerUri', name: 'IssuerURI', aliases: [], kind: 'url', group: 'OAuth 2.0',
    doc: 'The authorization server\'s issuer. restsql reads its RFC 8414 metadata to fill AuthURI, TokenURI and the revocation and device endpoints when they are not given, and checks the iss of login callbacks against it (RFC 9207).' },
  { key: 'loginTimeout', name: 'LoginTimeout', aliases: [], kind: 'integer', group: 'OAuth 2.0', default: 300, min: 1, max: 86400,
    doc: 'Seconds to wait for a browser or device login to complete before giving up.' },
  { key: 'redirectTlsCert', name: 'RedirectTLSCert', aliases: [], kind: 'path', group: 'OAuth 2.0',
    doc: 'PEM certificate for an https:// RedirectURI. Default: a self-signed certificate for localhost, 127.0.0.1 and ::1, made on first use and kept in $RESTSQL_HOME.' },
  { key: 'redirectTlsKey', name: 'RedirectTLSKey', aliases: [], kind: 'path', group: 'OAuth 2.0',
    doc: 'PEM private key for RedirectTLSCert.' },
  { key: 'scope', name: 'Scope', aliases: [], kind: 'string', group: 'OAuth 2.0',
    doc: 'Space-separated OAuth 2.0 scopes, sent exactly as given.' },
  { key: 'oauthCode', name: 'OAuthCode', aliases: [], kind: 'secret', group: 'OAuth 2.0',
    doc: 'An authorization code obtained out of band (AuthenticationMethod=51).' },
  { key: 'clientCredentialsMode', name: 'ClientCredentialsMode', aliases: ['clcm'], kind: 'enum', group: 'OAuth 2.0', default: 0,
    choices: [
      { value: 0, names: ['Default'], doc: 'HTTP Basic header (RFC 6749 §2.3.1).' },
      { value: 1, names: ['Basic'], doc: 'HTTP Basic header.' },
      { value: 2, names: ['Url'], doc: 'client_id and client_secret as URL query parameters (non-standard; restsql warns).' },
      { value: 3, names: ['Post'], doc: 'client_id and client_secret in the POST form body.' },
    ],
    doc: 'How client credentials are sent to the token endpoint.' },
  { key: 'usePkce', name: 'UsePKCE', aliases: [], kind: 'boolean', group: 'OAuth 2.0', default: true,
    doc: 'Whether the browser login of the authorization code grant (51 with EnableLoginPrompt=1) sends PKCE (RFC 7636). Leave it on unless the server rejects code_challenge.' },
  { key: 'jwtCertStore', name: 'JWTCertStore', aliases: [], kind: 'path', group: 'OAuth 2.0',
    doc: 'Private key that signs the JWT bearer assertion (AuthenticationMethod=55): a PEM file (PKCS#8, PKCS#1 or SEC1 key), or a PKCS#12 (.p12/.pfx) file.' },
  { key: 'jwtCertPassword', name: 'JWTCertPassword', aliases: [], kind: 'secret', group: 'OAuth 2.0',
    doc: 'Password of an encrypted JWTCertStore. Write ${NAME} to read it from an environment variable.' },
  { key: 'jwtCertAlias', name: 'JWTCertAlias', aliases: [], kind: 'string', group: 'OAuth 2.0',
    doc: 'Which key of a PKCS#12 JWTCertStore to use (its friendly name); also sent as the JWT kid. Default: the first key.' },
  { key: 'claimsIssuer', name: 'ClaimsIssuer', aliases: [], kind: 'string', group: 'OAuth 2.0',
    doc: 'The iss claim of the JWT bearer assertion (RFC 7523 §3). Default: ClientID.' },
  { key: 'claimsSubject', name: 'ClaimsSubject', aliases: [], kind: 'string', group: 'OAuth 2.0',
    doc: 'The sub claim of the JWT bearer assertion: the user or service account the token is for. Default: ClaimsIssuer.' },
  { key: 'enableLoginPrompt', name: 'EnableLoginPrompt', aliases: [], kind: 'boolean', group: 'OAuth 2.0', default: false,
    doc: ('Whether the authorization code grant (51) may open a browser login when no code or token is at hand.') },
  // ---- Mapping
  { key: 'createMap', name: 'CreateMap', aliases: [], kind: 'enum', group: 'Mapping', default: 2,
    choices: [
      { value: 0, names: ['No'], doc: 'Use the existing relational map.' },
      { value: 1, names: ['ForceNew'], doc: 'Build a new relational map.' },
      { value: 2, names: ['NotExist'], doc: 'Build the map when none exists.' },
    ],
    doc: 'Whether the relational map is rebuilt. restsql builds the map in memory for each connection, so every value currently samples afresh at connect.' },
  { key: 'qualifyNormalizedNames', name: 'QualifyNormalizedNames', aliases: [], kind: 'enum', group: 'Mapping', default: 0,
    choices: [
      { value: 0, names: ['Field'], doc: 'A child table is named after its array field (tags).' },
      { value: 1, names: ['Parent'], doc: 'Parent table and field (users_tags).' },
      { value: 2, names: ['Path'], doc: 'Root table and the full JSON path from its records to the array (users_profile_tags; users_orders_items for users.orders[].items[]).' },
    ],
    doc: 'How child tables made from JSON arrays are named.' },
  { key: 'samplingFailureTolerance', name: 'SamplingFailureTolerance', aliases: [], kind: 'enum', group: 'Mapping', default: 0,
    choices: [
      { value: 0, names: ['Fail'], doc: 'A failed endpoint fails the connection.' },
      { value: 1, names: ['Continue'], doc: 'A failed endpoint is skipped with a warning; the others stay usable.' },
    ],
    doc: 'What happens when an endpoint cannot be sampled. With a single RestSamplePath the connection fails either way, since nothing would be left to query.' },
  { key: 'responseFormat', name: 'ResponseFormat', aliases: [], kind: 'enum', group: 'Mapping', default: 0,
    choices: [
      { value: 0, names: ['Auto'], doc: 'By the response\'s Content-Type (JSON Lines, CSV, XML and +xml types); a body of no stated type that starts with < is XML; anything else is JSON.' },
      { value: 1, names: ['JSON'], doc: 'One JSON document.' },
      { value: 2, names: ['NDJSON', 'JSONLines'], doc: 'JSON Lines: one JSON value per line, each a record.' },
      { value: 3, names: ['CSV'], doc: 'CSV with a header row (delimiter detected, RFC 4180 quoting).' },
      { value: 4, names: ['XML'], doc: 'XML: the first repeated element list is the records.' },
    ],
    doc: 'How the RestSamplePath endpoint\'s responses are read. A model file sets it per table ("#format"), with the CSV and encoding settings docs/model-file.md lists.' },
  // ---- HTTP
  { key: 'wsTimeout', name: 'WSTimeout', aliases: [], kind: 'integer', group: 'HTTP', default: 30, min: 0, max: 86400,
    doc: 'Deadline in seconds for each HTTP request: connecting (through a proxy too), the headers and the whole body must all be done within it, however slowly the server trickles bytes; past it the request fails with HTTP_TIMEOUT. Each retry (WSRetryCount) gets a fresh deadline, so one request waits at most (WSRetryCount + 1) times WSTimeout plus the backoffs. 0 waits forever.' },
  { key: 'wsRetryCount', name: 'WSRetryCount', aliases: [], kind: 'integer', group: 'HTTP', default: 3, min: 0, max: 20,
    doc: 'How many times a request that failed for a passing reason (timeout, reset, 429, 502, 503, 504) is retried, with exponential backoff and Retry-After honoured.' },
  { key: 'maxPages', name: 'MaxPages', aliases: [], kind: 'integer', group: 'HTTP', default: 10000, min: 1, max: 10000000,
    doc: 'Safety limit on the pages fetched for one table in one query. Reaching it is an error (DATA_TOO_MANY_PAGES), never a silently short result; raise it for very large tables.' },
  { key: 'maxResponseSize', name: 'MaxResponseSize', aliases: [], kind: 'integer', group: 'HTTP', default: 512, min: 1, max: 65536,
    doc: 'Largest HTTP response body accepted, in MiB, both as received and after decompression. It is checked against Content-Length up front and as bytes arrive, so an oversized body fails at once with HTTP_TOO_LARGE instead of filling memory. Rows are parsed in Node only from bodies under 512 MiB; larger pages need BulkLoad.' },
  { key: 'maxCompressionRatio', name: 'MaxCompressionRatio', aliases: [], kind: 'integer', group: 'HTTP', default: 1000, min: 0, max: 1000000,
    doc: 'Largest ratio of decompressed to compressed bytes for a gzip, deflate or br response once 8 MiB are decoded: a body that inflates more (a compression bomb) fails with HTTP_TOO_LARGE as soon as it does. Real JSON rarely compresses beyond 100:1. 0 turns the check off (MaxResponseSize still applies).' },
  { key: 'cacheTtl', name: 'CacheTTL', aliases: [], kind: 'integer', group: 'HTTP', default: 0, min: 0, max: 31536000,
    doc: 'Seconds a table fetched by one query may answer later queries on the same connection (same request plan). 0 keeps it for the life of the connection; the next query after it expires fetches again.' },
  { key: 'pageConcurrency', name: 'PageConcurrency', aliases: [], kind: 'integer', group: 'HTTP', default: 4, min: 1, max: 64,
    doc: 'How many pages are fetched at once when the paging scheme allows it (row offset or page number paging whose first page gives the total rows or pages). Token and link paging are sequential by nature. HostConcurrency caps all requests to one host.' },
  { key: 'maxColumns', name: 'MaxColumns', aliases: [], kind: 'integer', group: 'Mapping', default: 1000, min: 2, max: 100000,
    doc: 'At most this many columns are inferred for one table when sampling (wide or ragged JSON: records that each have their own keys, or one object with thousands of members). Members are taken in the order first seen; a nested object that no longer fits becomes one JSON column; past the limit the table ends with a JSON column named json that holds the whole record (element), overflow included. Model-file columns are not limited.' },
  { key: 'bulkLoad', name: 'BulkLoad', aliases: [], kind: 'boolean', group: 'HTTP', default: true,
    doc: 'Load pages through DuckDB\'s own JSON reader: each page\'s record array is spooled raw to a private temporary folder (removed afterwards) and read in one pass, several times faster than parsing pages in Node. Used for tables without maps or virtual columns and queries without a LIMIT that could stop paging early; other cases, and a value DuckDB cannot read as declared, load row by row. Set 0 to always load row by row.' },
  { key: 'filterPushdown', name: 'FilterPushdown', aliases: [], kind: 'boolean', group: 'Mapping', default: true,
    doc: 'Send WHERE conditions on model-file filter columns (#eq, #gt, #in, #contains, #queryParameter, #header, #postParameter, path parameters of real columns) to the API, so it returns fewer rows. Constants are sent as APIs read them (true/false, ISO 8601 dates and UTC timestamps, plain decimal numbers), and only where the result cannot change: DuckDB still checks every row, and a condition is held back when the query reads the table again elsewhere (a subquery, a second unjoined reference). Set 0 when an API filters differently from SQL (case-insensitive matches, say): every row is then fetched and DuckDB filters. Virtual columns (#virtual, path parameters that are not in the records) are always sent: they say what to fetch.' },
  { key: 'hostConcurrency', name: 'HostConcurrency', aliases: [], kind: 'integer', group: 'HTTP', default: 6, min: 1, max: 64,
    doc: 'At most this many requests to one host at once, whichever tables and pages they fetch. When the host answers 429 Too Many Requests (or 503 with Retry-After, or a model file #http rule says RETRY_AFTER), restsql halves this for that host and pauses its requests until the Retry-After time (else an exponential backoff), then raises it again one step per run of successes. A refusal of a request sent beside others is retried without counting against WSRetryCount (sending less at once is the fix); a request alone counts.' },
  { key: 'allowedOrigins', name: 'AllowedOrigins', aliases: [], kind: 'string', group: 'HTTP',
    doc: 'Extra origins (scheme://host[:port], comma-separated) that next-page links and other URLs from the API may point at. They get requests but never the connection\'s credentials. Without it restsql sends requests only to the origins it was configured with (RestSamplePath, HostName, the model file\'s #path URLs, HealthURI, TokenURI, AuthURI, IssuerURI) and refuses any other origin, and any scheme but http and https, before sending (HTTP_ORIGIN_REFUSED).' },
  { key: 'credentialedOrigins', name: 'CredentialedOrigins', aliases: [], kind: 'string', group: 'HTTP',
    doc: 'Extra origins (scheme://host[:port], comma-separated) that get requests with the connection\'s credentials (Authorization, API key header or parameter, signatures), like the configured ones. List only origins you trust with them; AllowedOrigins is the safer choice for a CDN or a second API host that needs none.' },
  // ---- AWS
  { key: 'accessKey', name: 'AccessKey', aliases: [], kind: 'string', group: 'AWS',
    doc: 'AWS access key ID (AuthenticationMethod=43). Default: $AWS_ACCESS_KEY_ID.' },
  { key: 'secretKey', name: 'SecretKey', aliases: [], kind: 'secret', group: 'AWS',
    doc: 'AWS secret access key. Default: $AWS_SECRET_ACCESS_KEY. Write ${NAME} to read it from another variable.' },
  { key: 'sessionToken', name: 'SessionToken', aliases: [], kind: 'secret', group: 'AWS',
    doc: 'AWS session token of temporary credentials (sent as X-Amz-Security-Token). Default: $AWS_SESSION_TOKEN.' },
  { key: 'region', name: 'Region', aliases: [], kind: 'string', group: 'AWS',
    doc: 'AWS region requests are signed for, e.g. us-east-1. Default: $AWS_REGION, else taken from the host name (service.region.amazonaws.com).' },
  { key: 'serviceName', name: 'ServiceName', aliases: [], kind: 'string', group: 'AWS',
    doc: 'AWS service requests are signed for, e.g. execute-api or dynamodb. Default: taken from the host name.' },
  // ---- Proxy
  { key: 'proxyHost', name: 'ProxyHost', aliases: [], kind: 'string', group: 'Proxy',
    doc: 'HTTP proxy host. Without it HTTP_PROXY/HTTPS_PROXY/NO_PROXY are honoured.' },
  { key: 'proxyPort', name: 'ProxyPort', aliases: [], kind: 'integer', group: 'Proxy', min: 1, max: 65535,
    doc: 'HTTP proxy port.' },
  { key: 'proxyUser', name: 'ProxyUser', aliases: [], kind: 'string', group: 'Proxy',
    doc: 'User name for the proxy.' },
  { key: 'proxyPassword', name: 'ProxyPassword', aliases: [], kind: 'secret', group: 'Proxy',
    doc: 'Password for the proxy.' },
  // ---- Engine
  { key: 'sqlEngineMode', name: 'SQLEngineMode', aliases: [], kind: 'enum', group: 'Engine', default: 2,
    choices: [
      { value: 0, names: ['Auto'], doc: 'Accepted; restsql always runs in-process.' },
      { value: 1, names: ['Server'], doc: 'Accepted; restsql always runs in-process.' },
      { value: 2, names: ['Direct'], doc: 'In-process (the only mode restsql has).' },
    ],
    doc: 'Accepted for compatibility: the SQL engine (DuckDB) always runs in-process.' },
] as const satisfies readonly OptionSpec[];

export type OptionKey = (typeof OPTION_CATALOG)[number]['key'];

/** Keys an odbc.ini section or connection string may carry that are not options. */
export const IGNORED_KEYS = ['Driver', 'Description'] as const;
