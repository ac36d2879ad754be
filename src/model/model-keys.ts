/**
 * The one catalog of model-file keys: every key DataDirect's Autonomous REST Connector documents or
 * writes in its published model files, with what restsql does with it. The model-file reader's key
 * lists, its did-you-mean suggestions and its refusals, and the generated reference in
 * docs/model-file.md, all come from this data. Key names are case-insensitive, as in the vendor's
 * files (`#firstrow`, `#MaximumPageSize`, `#tokenuri` all occur).
 */

/** Where a key is written. */
export type ModelKeyPlace =
  /** A member of the file's top-level object. */
  | 'file'
  /** A member of a table object. */
  | 'table'
  /** A member of a column object (`"status": {"#type": "VarChar", "#eq": "state"}`). */
  | 'column'
  /** A flag after the type in a type string (`"Integer,#key"`). */
  | 'flag'
  /** A member of an `#http` rule. */
  | 'rule';

/**
 * `supported`: restsql does what the key says. `ignored`: accepted, without effect (the reader
 * says so once when the file is read), `why` says why. `refused`: the file is not read, the error
 * names the line and says `why`.
 */
export type ModelKeyBehaviour = 'supported' | 'ignored' | 'refused';

export type ModelKeyGroup = 'File' | 'Authentication' | 'Table' | 'Paging' | 'Column' | 'HTTP status rules';

export interface ModelKeySpec {
  /** The key as the vendor's documentation writes it. */
  readonly key: string;
  /** Other spellings the vendor's files use for the same key. */
  readonly aliases?: readonly string[];
  readonly places: readonly ModelKeyPlace[];
  readonly behaviour: ModelKeyBehaviour;
  readonly group: ModelKeyGroup;
  readonly doc: string;
  /** For `ignored` and `refused`: why, in a sentence a user can act on. */
  readonly why?: string;
  /** A file-level setting that feeds this connection option (DSN and connection string win over it). */
  readonly option?: string;
}

const PAGING: readonly ModelKeyPlace[] = ['file', 'table'];
const NO_CONSTRAINTS = 'Accepted without effect: restsql does not enforce constraints on what an API returns; a missing value reads as NULL.';

export const MODEL_KEYS: readonly ModelKeySpec[] = [
  // ---- File
  { key: '#hostname', places: ['file'], behaviour: 'supported', group: 'File', doc: 'Base URL that relative `#path`s are resolved against; wins over the HostName option.' },
  { key: '#headers', places: ['file', 'table'], behaviour: 'supported', group: 'File', doc: 'HTTP headers sent with every request (at the top) or with one table\'s requests (added to the top ones).' },
  { key: '#http', places: ['file', 'table'], behaviour: 'supported', group: 'File', doc: 'Rules for HTTP status codes (see "HTTP status codes").' },
  { key: '#options', places: ['file'], behaviour: 'supported', group: 'File', doc: 'Connection options written in the model file, as an object of option names and values (`{"AuthenticationMethod": "OAuth2", "Scope": "read"}`; a value may also be `{"default": ...}`). The DSN and the connection string win over them. A model file is often shared or downloaded, so it may not set secrets, read environment variables (`${NAME}`), name files, or set TLS, proxy, AllowedOrigins, CredentialedOrigins, CreateMap, SchemaMap or InitializationString: those fail with CONFIG_UNSUPPORTED naming the line; give them in the connection string or DSN.' },
  { key: '#version', places: ['file'], behaviour: 'ignored', group: 'File', doc: 'The API version the file describes.', why: 'Accepted without effect: informational; the `#path`s say which URLs are called.' },
  { key: '#description', places: ['file'], behaviour: 'ignored', group: 'File', doc: 'A description of the file.', why: 'Accepted without effect: informational.' },
  { key: '#components', places: ['file'], behaviour: 'refused', group: 'File', doc: 'Shared definitions that tables include with `$ref`.', why: 'Not supported yet: shared definitions ($ref) are not expanded; write the members in place in each table.' },
  { key: 'routines', aliases: ['#routines'], places: ['file'], behaviour: 'supported', group: 'File', doc: 'User-defined functions and procedures: an array of strings, each one `CREATE FUNCTION` or `CREATE PROCEDURE` statement in DataDirect\'s syntax (HyperSQL\'s), run over the tables; every session has them (see "Routines"). `#routines` is the same entry.' },
  // ---- Authentication
  { key: '#authentication', places: ['file'], behaviour: 'supported', group: 'Authentication', doc: 'Custom authentication steps, used with AuthenticationMethod=29 (see docs/auth.md).' },
  { key: '#reauthentication', places: ['file'], behaviour: 'supported', group: 'Authentication', doc: 'Custom steps run again when a request is refused (AuthenticationMethod=29).' },
  { key: '#authenticationMethod', places: ['file'], behaviour: 'supported', group: 'Authentication', option: 'AuthenticationMethod', doc: 'The authentication method (`OAuth2`, or any AuthenticationMethod name or number).' },
  { key: '#authUri', places: ['file'], behaviour: 'supported', group: 'Authentication', option: 'AuthURI', doc: 'OAuth 2.0 authorization endpoint.' },
  { key: '#tokenUri', places: ['file'], behaviour: 'supported', group: 'Authentication', option: 'TokenURI', doc: 'OAuth 2.0 token endpoint.' },
  { key: '#redirectUri', places: ['file'], behaviour: 'supported', group: 'Authentication', option: 'RedirectURI', doc: 'OAuth 2.0 redirect URI (a loopback URL with its port).' },
  { key: '#scope', places: ['file'], behaviour: 'supported', group: 'Authentication', option: 'Scope', doc: 'OAuth 2.0 scopes, space-separated.' },
  { key: '#enableLoginPrompt', places: ['file'], behaviour: 'supported', group: 'Authentication', option: 'EnableLoginPrompt', doc: 'Whether an interactive login may start when no token is cached.' },
  { key: '#logoffUri', places: ['file'], behaviour: 'ignored', group: 'Authentication', doc: 'URL the driver calls to end an OAuth session.', why: 'Accepted without effect: `restsql logout` forgets the cached tokens and revokes them where the server advertises revocation (RFC 7009); it calls no log-off URL.' },
  { key: '#clientId', places: ['file'], behaviour: 'refused', group: 'Authentication', doc: 'OAuth 2.0 client ID.', why: 'Not read from the top of a model file (the vendor refuses confidential entries there too): give ClientID in the connection string or DSN, or in "#options" (write ${NAME} to read it from the environment).' },
  { key: '#clientSecret', places: ['file'], behaviour: 'refused', group: 'Authentication', doc: 'OAuth 2.0 client secret.', why: 'Not read from the top of a model file (the vendor refuses confidential entries there too): give ClientSecret in the connection string or DSN (write ${NAME} there to read it from the environment).' },
  // ---- Table
  { key: '#path', places: ['table'], behaviour: 'supported', group: 'Table', doc: '`[GET|POST|IDENTITY] url [json_root]`, or an array of them chosen by the WHERE clause.' },
  { key: '#post', places: ['table'], behaviour: 'supported', group: 'Table', doc: 'JSON body; the request becomes a POST.' },
  { key: '#fieldListParameter', places: ['table'], behaviour: 'supported', group: 'Table', doc: 'URI parameter that lists the fields a query needs, comma-separated.' },
  { key: '#jsonRoot', places: ['table'], behaviour: 'supported', group: 'Table', doc: 'Where the rows are in the response (as the json root of a `#path`).' },
  { key: '#format', places: ['table'], behaviour: 'supported', group: 'Table', doc: 'How the responses are read: `json`, `ndjson` (also `jsonl`), `csv` or `xml`; without it, by each response\'s Content-Type (see "Response formats").' },
  { key: '#chunked', places: ['table'], behaviour: 'supported', group: 'Table', doc: '`true`: the responses are JSON Lines (the same as `"#format": "ndjson"`).' },
  { key: '#delimiter', places: ['table'], behaviour: 'supported', group: 'Table', doc: 'CSV field delimiter, one character (or `tab`); default: detected from the header row.' },
  { key: '#quote', places: ['table'], behaviour: 'supported', group: 'Table', doc: 'CSV quote character; default `"`.' },
  { key: '#headerRow', places: ['table'], behaviour: 'supported', group: 'Table', doc: 'CSV: `false` when the first row is data (columns `column1`, `column2`, ...).' },
  { key: '#encoding', places: ['table'], behaviour: 'supported', group: 'Table', doc: 'Text encoding of the responses (a WHATWG label such as `utf-8`, `latin1`, `utf-16le`); a byte order mark wins.' },
  { key: '#insert', places: ['table'], behaviour: 'supported', group: 'Table', doc: '`"[METHOD] url"`: INSERT sends each row to it (POST by default); a trailing `[]` sends the rows as one JSON array (see "Writes").' },
  { key: '#update', places: ['table'], behaviour: 'supported', group: 'Table', doc: '`"[METHOD] url"`: UPDATE sends each changed row to it (PUT by default; `{column}` placeholders take the row\'s values, usually its key).' },
  { key: '#delete', places: ['table'], behaviour: 'supported', group: 'Table', doc: '`"[METHOD] url"`: DELETE sends a request per row (DELETE by default; the key fills `{column}` placeholders, else the body).' },
  { key: '#sendOnlyUpdated', places: ['table'], behaviour: 'supported', group: 'Table', doc: '`true`: an UPDATE sends only the columns its SET assigns (suits PATCH); default `false`: every writable column of the row, read first.' },
  // ---- Paging
  { key: '#maximumPageSize', places: PAGING, behaviour: 'supported', group: 'Paging', doc: 'Rows per page (needed by row-offset and page-number paging).' },
  { key: '#pageSizeParameter', places: PAGING, behaviour: 'supported', group: 'Paging', doc: 'URI parameter for the page size.' },
  { key: '#rowOffsetParameter', places: PAGING, behaviour: 'supported', group: 'Paging', doc: 'URI parameter for the first row of a page (row-offset paging).' },
  { key: '#firstRowNumber', aliases: ['#firstRow'], places: PAGING, behaviour: 'supported', group: 'Paging', doc: 'Number of the first row, default 0. `#firstrow`, the name the vendor\'s published files and early documentation use, is the same setting.' },
  { key: '#pageNumberParameter', places: PAGING, behaviour: 'supported', group: 'Paging', doc: 'URI parameter for the page number (page-number paging).' },
  { key: '#firstPageNumber', places: PAGING, behaviour: 'supported', group: 'Paging', doc: 'Number of the first page, default 0.' },
  { key: '#nextPageParameter', places: PAGING, behaviour: 'supported', group: 'Paging', doc: 'URI parameter that sends the next-page token.' },
  { key: '#nextPageElement', places: PAGING, behaviour: 'supported', group: 'Paging', doc: 'Element holding the next-page token or URL.' },
  { key: '#nextPageResponseHeader', places: PAGING, behaviour: 'supported', group: 'Paging', doc: 'Response header holding the next-page token or URL (`Link` follows rel="next").' },
  { key: '#hasMoreElement', places: PAGING, behaviour: 'supported', group: 'Paging', doc: 'Element that says whether more pages follow.' },
  { key: '#totalPagesElement', places: PAGING, behaviour: 'supported', group: 'Paging', doc: 'Element with the total number of pages.' },
  { key: '#totalRowsElement', places: PAGING, behaviour: 'supported', group: 'Paging', doc: 'Element with the total number of rows.' },
  { key: '#pageSizeElement', places: PAGING, behaviour: 'supported', group: 'Paging', doc: 'Element with the page size the API used.' },
  // ---- Column
  { key: '#type', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'The column type, as in the string form (flags allowed: `"Integer,#key"`).' },
  { key: '#key', places: ['column', 'flag'], behaviour: 'supported', group: 'Column', doc: 'Part of the primary key; child tables reference it.' },
  { key: '#readonly', places: ['column', 'flag'], behaviour: 'supported', group: 'Column', doc: 'INSERT and UPDATE never write the column: naming it with a value is an error. `#key` columns are read-only too.' },
  { key: '#virtual', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'The column is not in the response: each row gets the value the request was made with.' },
  { key: '#default', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'Value sent when the query gives none.' },
  { key: '#mandatory', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'A query must give a value (unless there is a `#default`).' },
  { key: '#queryParameter', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'URI parameter for `col = value`; `true` means the one `#eq` names.' },
  { key: '#header', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'Request header for `col = value`; `true` sends the value in the header `#eq` names.' },
  { key: '#postParameter', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'Member of the POST body for `col = value`.' },
  { key: '#eq', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'URI parameter for `col = value`.' },
  { key: '#ne', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'URI parameter for `col <> value`.' },
  { key: '#gt', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'URI parameter for `col > value`.' },
  { key: '#ge', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'URI parameter for `col >= value`.' },
  { key: '#lt', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'URI parameter for `col < value`.' },
  { key: '#le', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'URI parameter for `col <= value`.' },
  { key: '#in', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'URI parameter for `col IN (a, b)`, sent as `a,b`.' },
  { key: '#contains', places: ['column'], behaviour: 'supported', group: 'Column', doc: 'URI parameter for `col LIKE \'%text%\'`.' },
  { key: '#notnull', aliases: ['#nonnull'], places: ['column', 'flag'], behaviour: 'ignored', group: 'Column', doc: 'The column always has a value.', why: NO_CONSTRAINTS },
  { key: '#unique', places: ['column', 'flag'], behaviour: 'ignored', group: 'Column', doc: 'Values are unique.', why: NO_CONSTRAINTS },
  { key: '$ref', places: ['column'], behaviour: 'refused', group: 'Column', doc: 'Includes a definition from `#components`.', why: 'Not supported yet: shared definitions ($ref) are not expanded; write the members in place.' },
  // ---- HTTP status rules
  { key: '#code', places: ['rule'], behaviour: 'supported', group: 'HTTP status rules', doc: 'The status code the rule applies to.' },
  { key: '#action', places: ['rule'], behaviour: 'supported', group: 'HTTP status rules', doc: 'What to do: OK, ZERO_ROWS, REAUTHENTICATE, RESET, RETRY_AFTER, RETRY_ONCE, RETRY_FIXED, RETRY_GOOGLE, RETRY_AWS, FAIL.' },
  { key: '#operation', places: ['rule'], behaviour: 'supported', group: 'HTTP status rules', doc: 'Only for this operation: `SELECT`, `INSERT`, `UPDATE` or `DELETE`. A rule without it applies to every operation, except that `ZERO_ROWS` then applies only to SELECT and to a DELETE answered 404 (a write the API refuses is never "0 rows"). A retry repeats a POST or PATCH write only when its rule names the operation.' },
  { key: '#match', places: ['rule'], behaviour: 'supported', group: 'HTTP status rules', doc: 'Only when the response body contains this text.' },
  { key: '#message', places: ['rule'], behaviour: 'supported', group: 'HTTP status rules', doc: 'The error text for FAIL and failed retries.' },
];

/** The element-key syntax (member names with suffixes), for the generated reference. */
export const ELEMENT_KEY_SYNTAX: readonly { readonly syntax: string; readonly doc: string }[] = [
  { syntax: 'table<sql_name>', doc: 'At the top of the file: the table\'s SQL name differs from the key (`"businesssearch<businesssearchroot>"` is table businesssearchroot).' },
  { syntax: 'field<sql_name>', doc: 'The column\'s SQL name; on a nested object, the prefix of its columns.' },
  { syntax: 'field[]', doc: 'An array: a child table.' },
  { syntax: 'field<sql_name>[]', doc: 'An array whose child table is called sql_name.' },
  { syntax: 'field[N]', doc: 'An array whose first N elements are columns of the parent table: `field_1`, `field_2`, ... for scalars, `field_1_member` for objects (N from 1 to 1000).' },
  { syntax: 'field<prefix>[N]', doc: 'The same, with `prefix` in place of the field name in the column names.' },
  { syntax: 'field{KeyType}', doc: 'A map (an object whose member names are data): a child table with a `key` column of type KeyType, which may carry a precision (`{Timestamp(0)}`).' },
  { syntax: 'field<key_name:KeyType>', doc: 'A map with a named key column.' },
];

function norm(key: string): string {
  return key.toLowerCase();
}

const BY_PLACE = new Map<ModelKeyPlace, Map<string, ModelKeySpec>>();
for (const spec of MODEL_KEYS) {
  for (const place of spec.places) {
    const m = BY_PLACE.get(place) ?? new Map<string, ModelKeySpec>();
    for (const name of [spec.key, ...(spec.aliases ?? [])]) m.set(norm(name), spec);
    BY_PLACE.set(place, m);
  }
}

/** The catalog entry for `key` written at `place` (case-insensitive), if any. */
export function modelKey(place: ModelKeyPlace, key: string): ModelKeySpec | undefined {
  return BY_PLACE.get(place)?.get(norm(key));
}

/** The keys `place` accepts (supported or ignored, with their other spellings), as written in messages and suggestions. */
export function keysAt(place: ModelKeyPlace): string[] {
  return MODEL_KEYS.filter((s) => s.places.includes(place) && s.behaviour !== 'refused' && s.key.startsWith('#')).flatMap((s) => [s.key, ...(s.aliases ?? [])]);
}

/** The paging settings (`#maximumPageSize`, ...): top-level defaults and per-table values. */
export function isPagingKey(key: string): boolean {
  return modelKey('table', key)?.group === 'Paging';
}
