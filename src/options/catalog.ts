import { AUTH_METHODS } from './auth-methods.js';

/**
 * The one option catalog. Parsing (connection strings, odbc.ini), validation, `restsql options`
 * and docs/options.md are all derived from this data. Names follow DataDirect's Autonomous REST
 * Connector (ODBC long name first; short and JDBC names as aliases).
 */
export type OptionKind = 'string' | 'secret' | 'integer' | 'boolean' | 'enum' | 'url' | 'path';
export type OptionGroup = 'Connection' | 'Authentication' | 'OAuth 2.0' | 'AWS' | 'Mapping' | 'HTTP' | 'TLS' | 'Proxy' | 'Engine' | 'Statements' | 'Logging';

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
  /** integer kind: 0 stands for the default (a vendor value meaning "no limit" where restsql keeps a deadline). */
  readonly zeroMeansDefault?: boolean;
  /**
   * The value may be written in parentheses, inside which `;` is literal, as DataDirect's JDBC
   * URLs write SpyAttributes and InitializationString; the parentheses are not part of the value.
   */
  readonly parenthesized?: boolean;
  /** What restsql does with the option; absent: it has its effect (supported). */
  readonly effect?: OptionEffect;
}

/**
 * An option of DataDirect's driver that restsql accepts without effect, or refuses.
 * - `none`: accepted so DSNs and connection strings work unchanged; a value other than the
 *   default prints one notice at connect (`quiet`: never, for labels such as Description).
 * - `refused`: documented by the vendor but deliberately not accepted; giving it is an error.
 */
export type OptionEffect =
  | {
      readonly kind: 'none';
      /** What it did in the driver, as one clause ("sets how many ..."). */
      readonly driver: string;
      /** Why it is moot in restsql, one sentence. */
      readonly why: string;
      readonly quiet?: boolean;
    }
  | { readonly kind: 'refused'; readonly why: string };

export const OPTION_CATALOG = [
  // ---- Connection
  { key: 'restConfigFile', name: 'RestConfigFile', aliases: ['rcf', 'Config'], kind: 'path', group: 'Connection',
    doc: 'Path of the model file (.rest) that describes the endpoints, paging and tables. Use it or RestSamplePath.' },
  { key: 'restSamplePath', name: 'RestSamplePath', aliases: ['rsp', 'Sample'], kind: 'url', group: 'Connection',
    doc: 'URL of one endpoint to sample: restsql fetches it, infers tables from the JSON and answers SQL over them. Relative to HostName when it does not start with http(s)://.' },
  { key: 'table', name: 'Table', aliases: [], kind: 'string', group: 'Connection',
    doc: 'Name of the table made from RestSamplePath. Default: the last path segment of the URL.' },
  { key: 'hostName', name: 'HostName', aliases: ['host', 'ServerName'], kind: 'url', group: 'Connection',
    doc: 'Base URL (scheme, host, optional port and path) that relative endpoint paths are resolved against.' },
  { key: 'portNumber', name: 'PortNumber', aliases: ['port'], kind: 'integer', group: 'Connection', min: 1, max: 65535,
    doc: 'Port used with HostName when HostName carries none.' },
  { key: 'healthUri', name: 'HealthURI', aliases: [], kind: 'url', group: 'Connection',
    doc: 'URL called at connect time to confirm the service is reachable and the credentials work.' },
  { key: 'dataSourceName', name: 'DataSourceName', aliases: ['dsn'], kind: 'string', group: 'Connection',
    doc: 'In a connection string (DSN= too): the odbc.ini data source whose options are read first, as --dsn NAME does; the connection string\'s own options override them. Inside an odbc.ini section the section name already says it and this key changes nothing.' },
  { key: 'description', name: 'Description', aliases: ['desc'], kind: 'string', group: 'Connection',
    effect: { kind: 'none', quiet: true, driver: 'describes the data source for people browsing DSNs', why: 'It is a label in every driver; it never changes the connection.' },
    doc: 'A description of the data source, for people.' },
  { key: 'driver', name: 'Driver', aliases: [], kind: 'string', group: 'Connection',
    effect: { kind: 'none', quiet: true, driver: 'names the driver library the ODBC driver manager loads', why: 'restsql reads the DSN itself; no driver manager loads a library for it.' },
    doc: 'The ODBC driver of a DSN or connection string (DRIVER=...): accepted and ignored, so DataDirect DSNs work unchanged.' },
  // ---- Authentication
  { key: 'authenticationMethod', name: 'AuthenticationMethod', aliases: ['am'], kind: 'enum', group: 'Authentication', default: 15,
    choices: AUTH_METHODS.map((m) => ({ value: m.code, names: [m.name], doc: m.doc })),
    doc: 'How requests authenticate: the ODBC number or the JDBC name.' },
  { key: 'user', name: 'User', aliases: ['uid'], kind: 'string', group: 'Authentication',
    doc: 'User name for Basic, Digest and the OAuth 2.0 password grant; {user} in custom authentication.' },
  { key: 'password', name: 'Password', aliases: ['pwd'], kind: 'secret', group: 'Authentication',
    doc: 'Password for User. Write ${NAME} to read it from an environment variable.' },
  { key: 'authHeader', name: 'AuthHeader', aliases: ['ah'], kind: 'string', group: 'Authentication',
    doc: 'Name of the HTTP header that carries SecurityToken on every request (tenant IDs and the like), or that carries the credential for header-based methods. Needs SecurityToken.' },
  { key: 'authParam', name: 'AuthParam', aliases: ['ap'], kind: 'string', group: 'Authentication',
    doc: 'Name of the URL query parameter that carries SecurityToken (AuthenticationMethod=14).' },
  { key: 'securityToken', name: 'SecurityToken', aliases: ['st'], kind: 'secret', group: 'Authentication',
    doc: 'Token value for BearerToken, HTTPHeader and URLParameter authentication, or the value of the AuthHeader header.' },
  { key: 'customAuthParams', name: 'CustomAuthParams', aliases: [], kind: 'secret', group: 'Authentication',
    doc: 'Values the model file\'s custom authentication steps (AuthenticationMethod=29) refer to as {customAuthParams[1]}, {customAuthParams[2]}, ...: separated by semicolons, so brace the value (CustomAuthParams={key-1;acme}). Treated as a secret.' },
  // ---- OAuth 2.0
  { key: 'accessToken', name: 'AccessToken', aliases: [], kind: 'secret', group: 'OAuth 2.0',
    doc: 'A ready OAuth 2.0 access token (AuthenticationMethod=50).' },
  { key: 'refreshToken', name: 'RefreshToken', aliases: [], kind: 'secret', group: 'OAuth 2.0',
    doc: 'An OAuth 2.0 refresh token, exchanged for access tokens at TokenURI.' },
  { key: 'clientId', name: 'ClientID', aliases: ['cid'], kind: 'string', group: 'OAuth 2.0',
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
  { key: 'loginTimeout', name: 'LoginTimeout', aliases: ['lt'], kind: 'integer', group: 'OAuth 2.0', default: 300, min: 0, max: 86400, zeroMeansDefault: true,
    doc: 'Seconds to wait for a browser or device login to complete before giving up (the part of connecting that waits on a person). DataDirect\'s 0 (no limit) waits the default: restsql keeps a deadline on every wait.' },
  { key: 'redirectTlsCert', name: 'RedirectTLSCert', aliases: [], kind: 'path', group: 'OAuth 2.0',
    doc: 'PEM certificate for an https:// RedirectURI. Default: a self-signed certificate for localhost, 127.0.0.1 and ::1, made on first use and kept in $RESTSQL_HOME.' },
  { key: 'redirectTlsKey', name: 'RedirectTLSKey', aliases: [], kind: 'path', group: 'OAuth 2.0',
    doc: 'PEM private key for RedirectTLSCert.' },
  { key: 'scope', name: 'Scope', aliases: [], kind: 'string', group: 'OAuth 2.0',
    doc: 'Space-separated OAuth 2.0 scopes, sent exactly as given.' },
  { key: 'oauthCode', name: 'OAuthCode', aliases: ['oac'], kind: 'secret', group: 'OAuth 2.0',
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
  { key: 'createMap', name: 'CreateMap', aliases: ['cm'], kind: 'enum', group: 'Mapping', default: 3,
    choices: [
      { value: 0, names: ['NotExist'], doc: 'Reuse the map persisted at SchemaMap when it was built from the same model file and options; otherwise sample, and persist the new map.' },
      { value: 1, names: ['ForceNew'], doc: 'Sample afresh at every connect and persist the new map at SchemaMap, replacing the old one.' },
      { value: 2, names: ['No'], doc: 'Use the map persisted at SchemaMap and never sample; the connection fails (MODEL_MAP_MISSING) when there is none, or when it was built from another model file or other options.' },
      { value: 3, names: ['Session'], doc: 'Sample at connect and keep the map in memory for this connection only; nothing is written.' },
    ],
    doc: 'Whether the relational map (the tables, columns, types and keys sampling infers) is built at connect, reused from the file SchemaMap names, or both. Values and names as the Autonomous REST Connector pages give them (some other DataDirect drivers number them differently: 0 No, 1 ForceNew, 2 NotExist). REFRESH MAP rebuilds the map on a live connection.' },
  { key: 'schemaMap', name: 'SchemaMap', aliases: ['smp'], kind: 'path', group: 'Mapping',
    doc: 'Where the persisted relational map lives (CreateMap 0, 1 or 2): a folder (an existing one, or a path ending in /), where the map file is named after the model file or RestSamplePath, HostName and User; or the map file itself. Default: the maps folder of $RESTSQL_HOME. The file is JSON, written with mode 0600, holds no credentials, and is reused only for the same model file text and the same mapping options.' },
  { key: 'qualifyNormalizedNames', name: 'QualifyNormalizedNames', aliases: [], kind: 'enum', group: 'Mapping', default: 0,
    choices: [
      { value: 0, names: ['Field'], doc: 'A child table is named after its array field (tags).' },
      { value: 1, names: ['Parent'], doc: 'Parent table and field (users_tags).' },
      { value: 2, names: ['Path'], doc: 'Root table and the full JSON path from its records to the array (users_profile_tags; users_orders_items for users.orders[].items[]).' },
    ],
    doc: 'How child tables made from JSON arrays are named.' },
  { key: 'samplingFailureTolerance', name: 'SamplingFailureTolerance', aliases: [], kind: 'integer', group: 'Mapping', default: -1, min: -1, max: 1024,
    doc: 'How many endpoints may fail to be sampled before the connection fails. -1: fail only when every endpoint fails; 0: any failure fails the connection; N: up to N failures are tolerated. A tolerated failure leaves its table out, with a warning and a row in sampling_status saying why. A single RestSamplePath fails the connection either way, since nothing would be left to query.' },
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
  { key: 'wsTimeout', name: 'WSTimeout', aliases: ['wst'], kind: 'integer', group: 'HTTP', default: 30, min: 0, max: 86400,
    doc: 'Deadline in seconds for each HTTP request: connecting (through a proxy too), the headers and the whole body must all be done within it, however slowly the server trickles bytes; past it the request fails with HTTP_TIMEOUT. Each retry (WSRetryCount) gets a fresh deadline, so one request waits at most (WSRetryCount + 1) times WSTimeout plus the backoffs. 0 waits forever.' },
  { key: 'wsRetryCount', name: 'WSRetryCount', aliases: ['wsrc'], kind: 'integer', group: 'HTTP', default: 3, min: 0, max: 20,
    doc: 'How many times a request that failed for a passing reason (timeout, reset, 429, 502, 503, 504) is retried, with exponential backoff and Retry-After honoured.' },
  { key: 'wsFetchSize', name: 'WSFetchSize', aliases: ['wsfs'], kind: 'integer', group: 'HTTP', default: 2000, min: 0, max: 2147483647,
    effect: { kind: 'none', driver: 'caps the rows asked for in one page of a paged endpoint, trading throughput for a faster first row', why: 'restsql asks for #maximumPageSize rows per page, the most the model allows, and loads a table before DuckDB answers, so smaller pages would only add requests.' },
    doc: 'Accepted for compatibility. Page sizes come from the model file\'s #maximumPageSize.' },
  { key: 'wsPoolSize', name: 'WSPoolSize', aliases: ['wsps'], kind: 'integer', group: 'HTTP', default: 1, min: 0, max: 2147483647,
    effect: { kind: 'none', driver: 'sets how many web service sessions the driver shares among open connections', why: 'restsql bounds concurrent requests with HostConcurrency (per host) and PageConcurrency (per table) instead.' },
    doc: 'Accepted for compatibility. See HostConcurrency and PageConcurrency.' },
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
  // ---- TLS
  { key: 'encryptionMethod', name: 'EncryptionMethod', aliases: ['em'], kind: 'enum', group: 'TLS',
    choices: [
      { value: 0, names: ['NoEncryption'], doc: 'The URL decides: https:// endpoints still use TLS.' },
      { value: 1, names: ['SSL'], doc: 'Every request must use TLS: a request to an http:// URL fails at connect (CONFIG_CONFLICT naming EncryptionMethod).' },
    ],
    doc: 'Whether requests must be encrypted. An https:// URL always uses TLS whatever this says, as in the driver. Unset: the URL decides.' },
  { key: 'validateServerCertificate', name: 'ValidateServerCertificate', aliases: ['vsc'], kind: 'boolean', group: 'TLS', default: true,
    doc: 'Whether HTTPS server certificates are checked (issuer trusted, host name, dates) on every request of the connection: API, token endpoint, discovery, custom authentication steps, proxy tunnels. 0 turns every check off and ignores TrustStore and HostNameInCertificate; restsql then warns at connect, since anyone on the network path can read the credentials and data. Prefer TrustStore.' },
  { key: 'trustStore', name: 'TrustStore', aliases: ['ts'], kind: 'path', group: 'TLS',
    doc: 'The certificate authorities trusted for HTTPS, instead of Node\'s built-in list: a PEM file or bundle (one or more -----BEGIN CERTIFICATE----- blocks), a DER certificate, a PKCS#12 (.p12/.pfx) store, or a Java JKS/JCEKS store (its trusted-certificate entries and the certificates of its key entries). The format is read from the content. To keep trusting public CAs as well, add them to the bundle (e.g. /etc/ssl/certs/ca-certificates.crt).' },
  { key: 'trustStorePassword', name: 'TrustStorePassword', aliases: ['tsp'], kind: 'secret', group: 'TLS',
    doc: 'Password of a PKCS#12 or JKS TrustStore: decrypts a PKCS#12 store and checks the integrity of both. A JKS store read without it is not checked for tampering.' },
  { key: 'hostNameInCertificate', name: 'HostNameInCertificate', aliases: ['hnic'], kind: 'string', group: 'TLS',
    doc: 'The host name every HTTPS server certificate of the connection must name (its subjectAltName, else its CN), instead of the URL\'s host; also sent as the TLS server name (SNI). For an API reached by IP address or through an alias. Ignored when ValidateServerCertificate=0.' },
  { key: 'cryptoProtocolVersion', name: 'CryptoProtocolVersion', aliases: ['cpv'], kind: 'string', group: 'TLS',
    doc: 'Comma-separated TLS versions allowed: TLSv1.2, TLSv1.3 (restsql uses the range from the lowest to the highest listed). TLSv1, TLSv1.1, SSLv3 and SSLv2 are accepted in the list but cannot be used: Node\'s OpenSSL refuses them (restsql says so at connect, and fails when nothing usable is left). Default: TLSv1.2 and TLSv1.3.' },
  { key: 'keyStore', name: 'KeyStore', aliases: ['ks'], kind: 'path', group: 'TLS',
    doc: 'Client certificate for servers that ask for one (mutual TLS): a PEM file holding the private key and the certificate chain, or a PKCS#12 (.p12/.pfx) store. JKS key stores are refused (their keys use a proprietary cipher): convert with keytool -importkeystore -deststoretype PKCS12.' },
  { key: 'keyStorePassword', name: 'KeyStorePassword', aliases: ['ksp'], kind: 'secret', group: 'TLS',
    doc: 'Password of a PKCS#12 KeyStore, or of an encrypted PEM private key when KeyPassword is not set.' },
  { key: 'keyPassword', name: 'KeyPassword', aliases: ['kp'], kind: 'secret', group: 'TLS',
    doc: 'Password of the private key in KeyStore when it differs from KeyStorePassword (an encrypted PEM key; a PKCS#12 store has one password, so KeyPassword is used for it only when KeyStorePassword is not set).' },
  // ---- Proxy
  { key: 'proxyHost', name: 'ProxyHost', aliases: ['pxhn'], kind: 'string', group: 'Proxy',
    doc: 'HTTP proxy host. Without it HTTP_PROXY/HTTPS_PROXY/NO_PROXY are honoured.' },
  { key: 'proxyPort', name: 'ProxyPort', aliases: ['pxpt'], kind: 'integer', group: 'Proxy', min: 1, max: 65535,
    doc: 'HTTP proxy port.' },
  { key: 'proxyUser', name: 'ProxyUser', aliases: ['pxu'], kind: 'string', group: 'Proxy',
    doc: 'User name for the proxy.' },
  { key: 'proxyPassword', name: 'ProxyPassword', aliases: ['pxpw'], kind: 'secret', group: 'Proxy',
    doc: 'Password for the proxy.' },
  // ---- Engine
  { key: 'sqlEngineMode', name: 'SQLEngineMode', aliases: [], kind: 'enum', group: 'Engine', default: 0,
    choices: [
      { value: 0, names: ['Auto'], doc: 'Accepted; restsql always runs in-process.' },
      { value: 1, names: ['Server'], doc: 'Accepted; restsql always runs in-process.' },
      { value: 2, names: ['Direct'], doc: 'In-process (the only mode restsql has).' },
    ],
    effect: { kind: 'none', driver: 'chooses whether the driver\'s Java SQL engine runs inside the application or as a separate server process', why: 'restsql\'s SQL engine, DuckDB, always runs in-process.' },
    doc: 'Accepted for compatibility: the SQL engine (DuckDB) always runs in-process.' },
  { key: 'jvmArgs', name: 'JVMArgs', aliases: ['jvma'], kind: 'string', group: 'Engine',
    effect: { kind: 'none', driver: 'passes arguments (heap size and the like) to the Java virtual machine that runs the driver\'s SQL engine', why: 'restsql runs no Java: its SQL engine, DuckDB, is native code in the restsql process.' },
    doc: 'Accepted for compatibility: there is no JVM.' },
  { key: 'jvmClasspath', name: 'JVMClasspath', aliases: ['jvmc'], kind: 'string', group: 'Engine',
    effect: { kind: 'none', driver: 'sets the class path of the Java virtual machine that runs the driver\'s SQL engine', why: 'restsql runs no Java: its SQL engine, DuckDB, is native code in the restsql process.' },
    doc: 'Accepted for compatibility: there is no JVM.' },
  { key: 'serverPortNumber', name: 'ServerPortNumber', aliases: ['spn'], kind: 'integer', group: 'Engine', min: 0, max: 65535,
    effect: { kind: 'none', driver: 'names the port of the separate SQL engine server process (SQLEngineMode=1)', why: 'restsql\'s SQL engine always runs in-process; restsql serve takes its listening port from --port.' },
    doc: 'Accepted for compatibility.' },
  // ---- Statements (issue 15: the DataDirect options about statements and results)
  { key: 'queryTimeout', name: 'QueryTimeout', aliases: [], kind: 'integer', group: 'Statements', default: 0, min: -1, max: 2147483647,
    doc: 'Seconds a statement may run, fetching its API tables included, before it is cancelled with QUERY_TIMEOUT (restsql serve: per statement, as statement_timeout does). 0 or -1: no limit.' },
  { key: 'allowFullTableWrites', name: 'AllowFullTableWrites', aliases: [], kind: 'boolean', group: 'Statements', default: false,
    doc: 'Let UPDATE and DELETE on an API table find their rows by reading the whole table: a WHERE that does not give every key column (or every {placeholder} of the write URL) with = or IN, or an UPDATE that needs the current rows (#sendOnlyUpdated false, SET from columns, RETURNING, other conditions) when the table cannot be read by its key. Off: such statements fail with WRITE_NEEDS_KEY and nothing is sent.' },
  { key: 'writeBatchSize', name: 'WriteBatchSize', aliases: [], kind: 'integer', group: 'Statements', default: 100, min: 1, max: 10000,
    doc: 'Rows per request for write directives that send a JSON array (`"#insert": "POST url[]"`): a longer INSERT sends several arrays, in order.' },
  { key: 'initializationString', name: 'InitializationString', aliases: [], kind: 'string', group: 'Statements', parenthesized: true,
    doc: 'SQL statements, separated by semicolons, run at the start of every session (each restsql serve client session too). A statement that fails fails the connection. In a connection string write the value in parentheses or braces: InitializationString=(SET x = 1;SET y = 2).' },
  { key: 'fetchSize', name: 'FetchSize', aliases: ['fs'], kind: 'integer', group: 'Statements', default: 100, min: 0, max: 2147483647,
    effect: { kind: 'none', driver: 'sets how many result rows the driver processes before handing control back to the application', why: 'DuckDB hands results over chunk by chunk as it makes them, and the CLI, the library\'s stream() and restsql serve pass them on as they come.' },
    doc: 'Accepted for compatibility.' },
  { key: 'transactionMode', name: 'TransactionMode', aliases: ['tm'], kind: 'enum', group: 'Statements', default: 3,
    choices: [
      { value: 0, names: ['NoTransactions'], doc: 'A write to an API table inside a transaction fails (WRITE_IN_TRANSACTION).' },
      { value: 1, names: ['Ignore'], doc: 'A write to an API table inside a transaction is sent at once; COMMIT and ROLLBACK do not change it.' },
      { value: 3, names: ['Full'], doc: 'As NoTransactions: an API cannot take part in a transaction.' },
    ],
    doc: 'REST APIs have no transactions, so a write to an API table cannot wait for COMMIT or be undone by ROLLBACK. NoTransactions and Full: an INSERT, UPDATE or DELETE on an API table inside BEGIN ... COMMIT fails with WRITE_IN_TRANSACTION (nothing sent). Ignore: it is sent at once, and COMMIT or ROLLBACK do not change it. Statements on DuckDB\'s own temporary tables keep full transactions either way.' },
  { key: 'applicationUsingThreads', name: 'ApplicationUsingThreads', aliases: ['aut'], kind: 'boolean', group: 'Statements', default: true,
    effect: { kind: 'none', driver: 'makes the driver safe for applications that call it from several threads', why: 'restsql is always safe to use concurrently: each session has its own DuckDB connection.' },
    doc: 'Accepted for compatibility.' },
  { key: 'ianaAppCodePage', name: 'IANAAppCodePage', aliases: ['iacp'], kind: 'integer', group: 'Statements', min: 0, max: 2147483647,
    effect: { kind: 'none', driver: 'names the code page of an ODBC application that does not use Unicode', why: 'restsql reads and writes UTF-8 only; an ODBC application reaching restsql serve sets its encoding in its own PostgreSQL driver.' },
    doc: 'Accepted for compatibility.' },
  { key: 'reportCodepageConversionErrors', name: 'ReportCodepageConversionErrors', aliases: ['rcce'], kind: 'enum', group: 'Statements', default: 0,
    choices: [
      { value: 0, names: ['IgnoreErrors'], doc: 'The driver substituted unconvertible characters silently.' },
      { value: 1, names: ['ReturnError'], doc: 'The driver failed on them.' },
      { value: 2, names: ['ReturnWarning'], doc: 'The driver substituted them with a warning.' },
    ],
    effect: { kind: 'none', driver: 'decides what happens to characters the application\'s code page cannot hold', why: 'restsql converts no text between code pages: it is Unicode from the API to the result.' },
    doc: 'Accepted for compatibility.' },
  { key: 'convertNull', name: 'ConvertNull', aliases: [], kind: 'enum', group: 'Statements', default: 1,
    choices: [
      { value: 0, names: ['NoTypeCheck'], doc: 'The JDBC driver converted a null without checking the requested type.' },
      { value: 1, names: ['TypeCheck'], doc: 'The JDBC driver checked the requested type for nulls too.' },
    ],
    effect: { kind: 'none', driver: 'decides whether the JDBC driver checks the requested Java type when a value is null', why: 'restsql has no JDBC getters: a JDBC application reaching restsql serve gets its conversions from its PostgreSQL driver.' },
    doc: 'Accepted for compatibility (JDBC).' },
  { key: 'insensitiveResultSetBufferSize', name: 'InsensitiveResultSetBufferSize', aliases: [], kind: 'integer', group: 'Statements', default: 2048, min: -1, max: 2147483647,
    effect: { kind: 'none', driver: 'sets how many KB of a scroll-insensitive JDBC result set the driver keeps in memory before spilling to disk', why: 'restsql keeps no client-side result sets: DuckDB holds the result and restsql serve streams it.' },
    doc: 'Accepted for compatibility (JDBC).' },
  { key: 'importStatementPool', name: 'ImportStatementPool', aliases: [], kind: 'path', group: 'Statements',
    effect: { kind: 'none', driver: 'loads prepared statements into the JDBC driver\'s statement pool from an export file', why: 'restsql has no statement pool; restsql serve prepares statements per session as PostgreSQL does.' },
    doc: 'Accepted for compatibility (JDBC).' },
  { key: 'maxPooledStatements', name: 'MaxPooledStatements', aliases: [], kind: 'integer', group: 'Statements', default: 0, min: 0, max: 2147483647,
    effect: { kind: 'none', driver: 'turns on the JDBC driver\'s statement pool and sets its size', why: 'restsql has no statement pool; restsql serve prepares statements per session as PostgreSQL does.' },
    doc: 'Accepted for compatibility (JDBC).' },
  { key: 'registerStatementPoolMonitorMBean', name: 'RegisterStatementPoolMonitorMBean', aliases: [], kind: 'boolean', group: 'Statements', default: false,
    effect: { kind: 'none', driver: 'registers a JMX bean that monitors the JDBC driver\'s statement pool', why: 'restsql runs no Java and has no statement pool.' },
    doc: 'Accepted for compatibility (JDBC).' },
  // ---- Logging (issue 15)
  { key: 'logConfigFile', name: 'LogConfigFile', aliases: ['lcf'], kind: 'path', group: 'Logging',
    effect: { kind: 'none', driver: 'points the driver\'s Java logging at a configuration file', why: 'restsql writes warnings to stderr and, with RESTSQL_DEBUG=1, a line for each request, page and load.' },
    doc: 'Accepted for compatibility. Set RESTSQL_DEBUG=1 for restsql\'s diagnostics.' },
  { key: 'spyAttributes', name: 'SpyAttributes', aliases: [], kind: 'string', group: 'Logging', parenthesized: true,
    effect: { kind: 'none', driver: 'turns on DataDirect Spy, which logs every JDBC call the application makes', why: 'restsql has no JDBC layer to trace; RESTSQL_DEBUG=1 logs its requests, pages and loads.' },
    doc: 'Accepted for compatibility (JDBC). Written in parentheses, as DataDirect does: SpyAttributes=(log=(file)spy.log;timestamp=yes).' },
] as const satisfies readonly OptionSpec[];

export type OptionKey = (typeof OPTION_CATALOG)[number]['key'];

const BY_NAME = new Map<string, OptionSpec>((OPTION_CATALOG as readonly OptionSpec[]).flatMap((s) => [s.name, ...s.aliases].map((n) => [n.toLowerCase(), s] as const)));

/** The option written `name` (its name or any alias, in any case), if the catalog has one. */
export function optionNamed(name: string): OptionSpec | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}
