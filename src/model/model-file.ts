/**
 * The DataDirect model file (.rest) grammar -> table definitions ("Model file syntax", "Query
 * paths", "Paging", "HTTP response code processing", "Filtering and URI parameters"). The file is
 * JSON with comments and trailing commas; every error names file:line:column.
 */
import { createScanner, parseTree, printParseErrorCode, SyntaxKind, type Node, type ParseError } from 'jsonc-parser';
import { RestSqlError } from '../errors/index.js';
import { didYouMean } from '../util/did-you-mean.js';
import { HEADER_NAME_HINT, isHeaderName } from '../util/header-name.js';
import { ElementSyntaxError, parseElement } from './element.js';
import { childLeadNames, childTableName, columnName, MAP_KEY, NameSet, ROWID, sanitizeName, valueColumnName, type ArrayPlace, type QualifyNames } from './naming.js';
import {
  FILTER_OPS,
  HTTP_ACTIONS,
  RESPONSE_FORMATS,
  type ColumnDef,
  type ColumnFilter,
  type ColumnType,
  type FilterOp,
  type FormatDef,
  type ResponseFormat,
  type HttpAction,
  type HttpRule,
  type PagingDef,
  type ParamTemplate,
  type PathDef,
  type TableDef,
} from './types.js';

/** A table the file defines, before sampling fills the columns of URL-only entries. */
export interface ModelTable {
  readonly name: string;
  readonly paths: readonly PathDef[];
  readonly jsonRoot: readonly string[];
  /** Absent: sample the endpoint (a URL-only entry, or an object without columns). */
  readonly table?: TableDef;
  readonly paging?: PagingDef;
  readonly headers: Readonly<Record<string, string>>;
  readonly postBody?: unknown;
  readonly fieldListParameter?: string;
  readonly http?: readonly HttpRule[];
  /** `#format`, `#chunked`, `#delimiter`, `#quote`, `#headerRow`, `#encoding`: how responses are read. */
  readonly format?: FormatDef;
}

export interface ParsedModelFile {
  readonly file: string;
  readonly tables: readonly ModelTable[];
  /** Table names taken so far (sampling URL-only entries takes more). */
  readonly names: NameSet;
}

export interface ModelFileOptions {
  /** HostName (with PortNumber applied) for relative paths; `#hostname` in the file wins. */
  readonly hostName?: string;
  /** QualifyNormalizedNames for child tables. */
  readonly qualifyNames: QualifyNames;
}

const PAGING_KEYS = {
  '#maximumpagesize': 'maximumPageSize',
  '#pagesizeparameter': 'pageSizeParameter',
  '#rowoffsetparameter': 'rowOffsetParameter',
  '#firstrownumber': 'firstRowNumber',
  '#pagenumberparameter': 'pageNumberParameter',
  '#firstpagenumber': 'firstPageNumber',
  '#nextpageparameter': 'nextPageParameter',
  '#nextpageelement': 'nextPageElement',
  '#nextpageresponseheader': 'nextPageResponseHeader',
  '#hasmoreelement': 'hasMoreElement',
  '#totalpageselement': 'totalPagesElement',
  '#totalrowselement': 'totalRowsElement',
  '#pagesizeelement': 'pageSizeElement',
} as const;
type PagingKey = keyof typeof PAGING_KEYS;

/** Response format settings of a table (see FormatDef); `#chunked` is DataDirect's parsing parameter for JSON Lines. */
const FORMAT_KEYS = ['#format', '#chunked', '#delimiter', '#quote', '#headerRow', '#encoding'];

/** Settings a table object takes, as written in messages. */
const TABLE_KEYS = ['#path', '#headers', '#post', '#fieldListParameter', '#http', '#jsonRoot', ...Object.values(PAGING_KEYS).map((f) => `#${f}`), ...FORMAT_KEYS];
const COLUMN_KEYS = ['#type', '#key', '#virtual', '#default', '#mandatory', '#readonly', '#queryparameter', '#header', '#postparameter', ...FILTER_OPS.map((o) => `#${o}`)];
const NOT_YET: Record<string, string> = {
  routines: 'routines (stored procedures)',
};

/** Type names of the model file (case-insensitive) -> restsql column types. */
const TYPE_NAMES: Record<string, ColumnType> = {
  varchar: 'VARCHAR', char: 'VARCHAR', longvarchar: 'VARCHAR', wvarchar: 'VARCHAR', wchar: 'VARCHAR', wlongvarchar: 'VARCHAR', string: 'VARCHAR', clob: 'VARCHAR', text: 'VARCHAR', time: 'VARCHAR',
  integer: 'INTEGER', int: 'INTEGER', smallint: 'INTEGER', tinyint: 'INTEGER',
  bigint: 'BIGINT', long: 'BIGINT', hugeint: 'HUGEINT',
  double: 'DOUBLE', float: 'DOUBLE', real: 'DOUBLE', decimal: 'DOUBLE', numeric: 'DOUBLE', number: 'DOUBLE',
  boolean: 'BOOLEAN', bit: 'BOOLEAN',
  timestamp: 'TIMESTAMP', datetime: 'TIMESTAMP',
  date: 'DATE',
  uuid: 'UUID', guid: 'UUID',
  json: 'JSON',
};

/**
 * How deeply objects and arrays may nest in a model file. The readers below (and jsonc-parser's
 * own) recurse once per level, so a 10,000-deep file would overflow the stack; real files nest a
 * few levels per JSON level of the API they describe.
 */
const MODEL_MAX_DEPTH = 256;

/** A UTF-8 byte order mark, as some Windows editors write at the start of a file. */
const BOM = '\uFEFF';

/** 1-based line and column of an offset. */
function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

class Reader {
  readonly names = new NameSet();
  constructor(
    readonly text: string,
    readonly file: string,
    readonly options: ModelFileOptions,
  ) {}

  fail(node: Node | undefined, message: string, hint: string): never {
    const { line, column } = position(this.text, node?.offset ?? 0);
    throw new RestSqlError('MODEL_INVALID', `${this.file}:${line}:${column}: ${message}`, {
      hint,
      details: { file: this.file, line, column },
    });
  }

  string(node: Node, what: string): string {
    if (node.type === 'string') return node.value as string;
    if (node.type === 'number' || node.type === 'boolean') return String(node.value);
    return this.fail(node, `${what} must be a string.`, `Write it as "${what === '#path' ? 'GET https://api.example.com/v1/items' : '...'}".`);
  }

  number(node: Node, what: string): number {
    const v = node.type === 'number' ? (node.value as number) : node.type === 'string' && /^\s*-?\d+\s*$/.test(node.value as string) ? Number(node.value) : NaN;
    if (!Number.isInteger(v)) this.fail(node, `${what} must be an integer.`, `Write a number, for example "${what}": 100.`);
    return v;
  }

  boolean(node: Node, what: string): boolean {
    if (node.type === 'boolean') return node.value as boolean;
    if (node.type === 'string' && /^(true|false|1|0)$/i.test(node.value as string)) return /^(true|1)$/i.test(node.value as string);
    if (node.type === 'number' && (node.value === 0 || node.value === 1)) return node.value === 1;
    return this.fail(node, `${what} must be true or false.`, `Write "${what}": true.`);
  }

  /** Object members as [key text, key node, value node]. */
  members(node: Node): [string, Node, Node][] {
    return (node.children ?? []).map((p) => [p.children![0]!.value as string, p.children![0]!, p.children![1]!]);
  }

  unknownKey(keyNode: Node, key: string, allowed: readonly string[], where: string): never {
    return this.fail(
      keyNode,
      `unknown key '${key}' in ${where}.${didYouMean(key, allowed)}`,
      allowed.length ? `Remove it or use one of: ${allowed.join(', ')}.` : 'Settings (#...) go in the table object; a nested object holds columns only.',
    );
  }

  /** `#path` string: `[GET|POST|IDENTITY] url [json_root]`. */
  path(node: Node, hostName: string | undefined): PathDef {
    const raw = this.string(node, '#path').trim();
    const m = /^(?:(GET|POST|IDENTITY)\s+)?(\S+)(?:\s+(\S+))?$/i.exec(raw);
    if (!m) this.fail(node, `#path '${raw}' is not "[GET|POST] url [json_root]".`, 'Example: "#path": "GET https://api.example.com/v1/items /data".');
    const method = (m[1] ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
    let url = m[2]!;
    if (!/^https?:\/\//i.test(url)) {
      if (!hostName) this.fail(node, `#path '${url}' is relative and no host is set.`, 'Set HostName in the connection string, "#hostname" in the model file, or write the full URL.');
      url = `${hostName.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
    }
    const params: string[] = [];
    const samples: Record<string, string> = {};
    // {name} and {name:sample}: path parameters; the sample is used when sampling.
    url = url.replace(/\{([A-Za-z_][\w.-]*)(?::([^}]*))?\}/g, (_all, name: string, sample: string | undefined) => {
      params.push(name);
      if (sample !== undefined) samples[name] = sample;
      return `{${name}}`;
    });
    try {
      new URL(url.replace(/\{[^}]*\}/g, 'x'));
    } catch {
      this.fail(node, `#path '${raw}' is not a valid URL.`, 'Write an absolute http(s) URL, or a path relative to HostName.');
    }
    return { url, method, params, samples, ...(m[3] ? { jsonRoot: this.element(node, m[3], '#path') } : {}) };
  }

  /** `#hostname`: an absolute http(s) URL that relative `#path`s are resolved against. */
  hostName(node: Node, key: string): string {
    const raw = this.string(node, key).trim();
    let ok = /^https?:\/\//i.test(raw);
    if (ok) {
      try {
        new URL(raw);
      } catch {
        ok = false;
      }
    }
    if (!ok) this.fail(node, `${key} '${raw}' is not an http:// or https:// URL.`, 'Write the base URL with its scheme, for example "#hostname": "https://api.example.com/v1".');
    return raw;
  }

  /** An element path (`data/items`, `data.items`, `'@odata.nextLink'`): see element.ts. */
  element(node: Node, raw: string, key: string): string[] {
    try {
      return parseElement(raw);
    } catch (e) {
      if (!(e instanceof ElementSyntaxError)) throw e;
      return this.fail(node, `${key}: ${e.message}.`, `Quote a member whose name holds '/' or '.': "'@odata.nextLink'"; write a quote inside quotes twice.`);
    }
  }

  paramTemplate(node: Node, key: string): ParamTemplate {
    const raw = this.string(node, key).trim();
    if (raw === '') this.fail(node, `${key} is empty.`, `Name the URI parameter, e.g. "${key}": "limit".`);
    const eq = raw.indexOf('=');
    // "locator=start:{OFFSET},count:{LIMIT}" is a template; a plain name gets the matching token.
    if (eq > 0) return { name: raw.slice(0, eq), value: raw.slice(eq + 1) };
    const token = key === '#pagesizeparameter' ? '{LIMIT}' : key === '#rowoffsetparameter' ? '{OFFSET}' : key === '#pagenumberparameter' ? '{PAGE}' : '{NEXT}';
    return { name: raw, value: token };
  }

  paging(entries: [string, Node, Node][], base: PagingDef | undefined): PagingDef | undefined {
    const out: Record<string, unknown> = { firstRowNumber: 0, firstPageNumber: 0, ...base };
    let any = base !== undefined;
    for (const [key, , value] of entries) {
      const k = key.toLowerCase() as PagingKey;
      const field = PAGING_KEYS[k];
      if (!field) continue;
      any = true;
      switch (k) {
        case '#maximumpagesize':
        case '#firstrownumber':
        case '#firstpagenumber': {
          const n = this.number(value, key);
          if (k === '#maximumpagesize' && n < 1) this.fail(value, '#maximumPageSize must be at least 1.', 'Give the largest page the API serves, e.g. 100.');
          out[field] = n;
          break;
        }
        case '#pagesizeparameter':
        case '#rowoffsetparameter':
        case '#pagenumberparameter':
        case '#nextpageparameter':
          out[field] = this.paramTemplate(value, k);
          break;
        case '#nextpageresponseheader':
          out[field] = this.string(value, key).trim().toLowerCase();
          break;
        default:
          out[field] = this.element(value, this.string(value, key), key);
      }
    }
    if (!any) return undefined;
    const p = out as unknown as PagingDef;
    if ((p.rowOffsetParameter || p.pageNumberParameter) && p.maximumPageSize === undefined && !p.pageSizeElement) {
      const at = entries.find(([k]) => ['#rowoffsetparameter', '#pagenumberparameter'].includes(k.toLowerCase()));
      this.fail(at?.[1], 'row offset and page number paging need #maximumPageSize.', 'Add "#maximumPageSize": <rows per page> next to it.');
    }
    return p;
  }

  headers(node: Node, where: string): Record<string, string> {
    if (node.type !== 'object') this.fail(node, `#headers in ${where} must be an object of header names and values.`, 'Example: "#headers": {"Accept": "application/json"}.');
    return Object.fromEntries(
      this.members(node).map(([k, kn, v]) => {
        this.headerName(kn, k, `#headers in ${where}`);
        const value = this.string(v, k);
        // CR, LF or NUL would split the header (request smuggling); undici refuses them at send time.
        if (/[\r\n\0]/.test(value)) this.fail(v, `the value of header '${k}' in ${where} holds a line break or NUL.`, 'Write the header value on one line; send each header as its own member.');
        return [k, value];
      }),
    );
  }

  /** A header name (RFC 9110 §5.1 token). */
  headerName(node: Node, name: string, where: string): void {
    if (!isHeaderName(name)) this.fail(node, `'${name}' in ${where} is not a valid HTTP header name.`, HEADER_NAME_HINT);
  }

  http(node: Node): HttpRule[] {
    if (node.type !== 'array') this.fail(node, '#http must be an array of rules.', 'Example: "#http": [{"#code": 404, "#action": "ZERO_ROWS"}].');
    return (node.children ?? []).map((rule) => {
      if (rule.type !== 'object') this.fail(rule, 'each #http rule must be an object.', 'Example: {"#code": 429, "#action": "RETRY_AFTER"}.');
      let code: number | undefined;
      let action: HttpAction | undefined;
      const extra: { operation?: string; match?: string; message?: string } = {};
      for (const [key, keyNode, value] of this.members(rule)) {
        switch (key.toLowerCase()) {
          case '#code':
            code = this.number(value, '#code');
            if (code < 100 || code > 599) this.fail(value, `#code ${code} is not an HTTP status code.`, 'Use a code from 100 to 599.');
            break;
          case '#action': {
            const a = this.string(value, '#action').toUpperCase();
            if (!(HTTP_ACTIONS as readonly string[]).includes(a)) this.fail(value, `unknown #action '${a}'.${didYouMean(a, HTTP_ACTIONS)}`, `Use one of: ${HTTP_ACTIONS.join(', ')}.`);
            action = a as HttpAction;
            break;
          }
          case '#operation':
            extra.operation = this.string(value, key).toUpperCase();
            break;
          case '#match':
            extra.match = this.string(value, key);
            break;
          case '#message':
            extra.message = this.string(value, key);
            break;
          default:
            this.unknownKey(keyNode, key, ['#code', '#action', '#operation', '#match', '#message'], 'an #http rule');
        }
      }
      if (code === undefined || action === undefined) this.fail(rule, `an #http rule needs ${code === undefined ? '#code' : '#action'}.`, 'Each rule has "#code" and "#action".');
      return { code, action, ...extra };
    });
  }

  /** One response format setting of a table, added to `format`. */
  formatSetting(format: FormatDef | undefined, k: string, key: string, v: Node): FormatDef {
    const single = (what: string): string => {
      const raw = this.string(v, key);
      const c = raw === '\\t' || raw.toLowerCase() === 'tab' ? '\t' : raw;
      if ([...c].length !== 1 || c === '\n' || c === '\r') this.fail(v, `${key} must be one character (${what}).`, `Write for example "${key}": "${k === '#quote' ? "'" : ';'}" (a tab: "\\t").`);
      return c;
    };
    switch (k) {
      case '#format': {
        const f = this.string(v, key).trim().toLowerCase();
        const name = f === 'jsonl' || f === 'jsonlines' ? 'ndjson' : f;
        if (!(RESPONSE_FORMATS as readonly string[]).includes(name)) this.fail(v, `unknown ${key} '${f}'.${didYouMean(f, RESPONSE_FORMATS)}`, `Use one of: ${RESPONSE_FORMATS.join(', ')} (leave it out to go by the response's Content-Type).`);
        return { ...format, format: name as ResponseFormat };
      }
      case '#chunked':
        return this.boolean(v, key) ? { ...format, format: 'ndjson' } : { ...format };
      case '#delimiter':
        return { ...format, delimiter: single('the CSV field delimiter') };
      case '#quote':
        return { ...format, quote: single('the CSV quote character') };
      case '#headerrow':
        return { ...format, headerRow: this.boolean(v, key) };
      default: {
        const label = this.string(v, key).trim();
        try {
          new TextDecoder(label);
        } catch {
          this.fail(v, `${key} '${label}' is not a text encoding restsql knows.`, 'Use a WHATWG encoding label: utf-8, utf-16le, utf-16be, latin1 (windows-1252), iso-8859-15, shift_jis, ...');
        }
        return { ...format, encoding: label };
      }
    }
  }

  /** `"Type(size),#key,#readonly,dateFormat"`. */
  typeString(node: Node, raw: string): { type: ColumnType; key: boolean; readonly: boolean } {
    // The type may carry a size or precision, "Decimal(10,2)", whose comma is not a separator.
    const head = /^\s*([A-Za-z]*)\s*(\([^)]*\))?\s*/.exec(raw)!;
    const parts = ['', ...raw.slice(head[0].length).split(',').map((s) => s.trim()).filter((s, i) => i > 0 || s !== '')];
    const typeName = head[1]!.toLowerCase();
    const type = TYPE_NAMES[typeName];
    if (!type) this.fail(node, `unknown type '${raw.split(',')[0]!.trim()}'.${didYouMean(typeName, Object.keys(TYPE_NAMES))}`, `Use one of: VarChar, Integer, BigInt, HugeInt, Double, Decimal, Boolean, Date, Timestamp, UUID, JSON.`);
    let key = false;
    let ro = false;
    for (const p of parts.slice(1)) {
      if (/^#key$/i.test(p)) key = true;
      else if (/^#readonly$/i.test(p)) ro = true;
      else if (p.startsWith('#')) this.fail(node, `unknown column flag '${p}'.${didYouMean(p, ['#key', '#readonly'])}`, 'Flags are #key and #readonly; a date format needs no #.');
      // Anything else is a date/time format: values are parsed as ISO 8601 or epoch, so it is informational.
    }
    return { type, key, readonly: ro };
  }

  table(name: string, keyNode: Node, value: Node, defaults: { paging?: PagingDef; headers: Record<string, string>; http?: HttpRule[]; hostName?: string }): ModelTable {
    const tableName = this.names.take(sanitizeName(name));
    if (value.type === 'string') {
      const path = this.path(value, defaults.hostName);
      return { name: tableName, paths: [path], jsonRoot: path.jsonRoot ?? [], headers: defaults.headers, ...(defaults.paging ? { paging: defaults.paging } : {}), ...(defaults.http ? { http: defaults.http } : {}) };
    }
    if (value.type !== 'object') this.fail(value, `table '${name}' must be a URL string or an object with "#path".`, 'Example: "items": {"#path": "https://api.example.com/v1/items", "id": "Integer,#key"}.');
    const entries = this.members(value);
    const pathEntry = entries.find(([k]) => k.toLowerCase() === '#path');
    if (!pathEntry) this.fail(keyNode, `table '${name}' has no "#path".`, 'Add "#path": "https://api.example.com/v1/items".');
    const pathNode = pathEntry[2];
    const paths = pathNode.type === 'array' ? (pathNode.children ?? []).map((p) => this.path(p, defaults.hostName)) : [this.path(pathNode, defaults.hostName)];
    if (paths.length === 0) this.fail(pathNode, '#path is an empty array.', 'Give at least one path.');
    let headers = defaults.headers;
    let http = defaults.http;
    let postBody: unknown;
    let fieldList: string | undefined;
    let jsonRoot: readonly string[] | undefined;
    let format: FormatDef | undefined;
    const columnEntries: [string, Node, Node][] = [];
    for (const entry of entries) {
      const [key, kn, v] = entry;
      const k = key.toLowerCase();
      if (!key.startsWith('#')) {
        columnEntries.push(entry);
        continue;
      }
      if (k === '#path' || k in PAGING_KEYS) continue;
      if (k === '#headers') headers = { ...headers, ...this.headers(v, `table '${name}'`) };
      else if (k === '#http') http = this.http(v);
      else if (k === '#post') postBody = nodeValue(v);
      else if (k === '#fieldlistparameter') fieldList = this.string(v, key);
      else if (k === '#jsonroot') jsonRoot = this.element(v, this.string(v, key), key);
      else if (FORMAT_KEYS.some((f) => f.toLowerCase() === k)) format = this.formatSetting(format, k, key, v);
      else if (k === '#postparameter') this.fail(kn, '#postParameter belongs in a column object: the column\'s WHERE value goes into the POST body.', 'Write "status": {"#type": "VarChar", "#postParameter": "filter/status"} and give the table a "#post" body or a POST #path.');
      else this.unknownKey(kn, key, TABLE_KEYS, `table '${name}'`);
    }
    const paging = this.paging(entries, defaults.paging);
    const root = jsonRoot ?? paths[0]!.jsonRoot ?? [];
    const base = {
      name: tableName,
      paths: paths.map((p) => (postBody !== undefined ? { ...p, method: 'POST' as const } : p)),
      jsonRoot: root,
      headers,
      ...(paging ? { paging } : {}),
      ...(postBody !== undefined ? { postBody } : {}),
      ...(fieldList ? { fieldListParameter: fieldList } : {}),
      ...(http ? { http } : {}),
      ...(format ? { format } : {}),
    };
    if (columnEntries.length === 0) return base;
    return { ...base, table: this.columns(tableName, columnEntries, paths) };
  }

  columns(tableName: string, entries: [string, Node, Node][], paths: readonly PathDef[]): TableDef {
    const names = new NameSet();
    const columns: ColumnDef[] = [];
    const arrays: ArrayEntry[] = [];
    this.collect(entries, [], names, columns, arrays);
    let keys = columns.filter((c) => c.key);
    let all = columns;
    if (keys.length === 0) {
      const rowid: ColumnDef = { name: names.take(ROWID), path: [], type: 'BIGINT', key: true, source: 'rowid' };
      all = [rowid, ...columns];
      keys = [rowid];
    }
    // Path parameters that are not columns become virtual columns, so WHERE can give them.
    for (const p of paths.flatMap((x) => x.params)) {
      if (!all.some((c) => c.name.toLowerCase() === p.toLowerCase())) {
        all = [...all, { name: names.take(sanitizeName(p)), path: [], type: 'VARCHAR', key: false, source: 'virtual', filter: { ops: {}, mandatory: false } }];
      }
    }
    const children = arrays.map((a) => this.child({ root: tableName, parent: tableName, pathFromRoot: a.path }, keys, a));
    return { name: tableName, columns: all, arrayPath: [], children };
  }

  /** Walks column entries: nested objects flatten, `x[]` are arrays, `json<sql>` renames. */
  collect(entries: [string, Node, Node][], prefix: string[], names: NameSet, columns: ColumnDef[], arrays: ArrayEntry[]): void {
    for (const [rawKey, keyNode, value] of entries) {
      // Settings belong to the table object; nested objects and array elements hold columns only.
      if (rawKey.startsWith('#')) this.unknownKey(keyNode, rawKey, [], prefix.length ? `nested object '${prefix.join('.')}'` : 'an array element');
      // A map: "field{KeyType}" or "field<key_name:KeyType>" (an object whose member names are data).
      const map = /^([^<{[\]]+?)(?:\{([A-Za-z]+)\}|<([A-Za-z_]\w*):([A-Za-z]+)>)$/.exec(rawKey);
      if (map) {
        const keyType = this.typeString(keyNode, map[2] ?? map[4]!).type;
        arrays.push({ field: map[1]!, path: [...prefix, map[1]!], node: value, keyNode, map: { keyName: map[3] ?? MAP_KEY, keyType } });
        continue;
      }
      const m = /^([^<[\]]+?)(?:<([^>]+)>)?(\[\])?$/.exec(rawKey);
      if (!m) this.fail(keyNode, `'${rawKey}' is not "field", "field<sql_name>", "field[]", "field<sql_name>[]", "field{KeyType}" or "field<key_name:KeyType>".`, 'Check the brackets.');
      const field = m[1]!;
      const sqlName = m[2];
      const path = [...prefix, field];
      if (m[3]) {
        arrays.push({ field, ...(sqlName ? { sqlName } : {}), path, node: value, keyNode });
        continue;
      }
      if (value.type === 'object' && !this.members(value).some(([k]) => k.startsWith('#'))) {
        // A nested object: its members flatten into this table as <field>_<member>.
        this.collect(this.members(value), path, names, columns, arrays);
        continue;
      }
      const name = names.take(sqlName !== undefined ? sanitizeName(sqlName) : columnName(path));
      columns.push(this.column(name, path, value));
    }
  }

  column(name: string, path: string[], value: Node): ColumnDef {
    if (value.type === 'string') {
      const t = this.typeString(value, value.value as string);
      return { name, path, type: t.type, key: t.key, source: 'json', ...(t.readonly ? { readonly: true } : {}) };
    }
    if (value.type !== 'object') this.fail(value, `column '${name}' must be a type string or an object with "#type".`, 'Example: "id": "Integer,#key" or "since": {"#type": "Timestamp", "#virtual": true, "#ge": "since"}.');
    let type: ColumnType = 'VARCHAR';
    let key = false;
    let ro = false;
    let virtual = false;
    const ops: Partial<Record<FilterOp, string>> = {};
    const filter: { queryParameter?: string; header?: string; postParameter?: string; default?: string; mandatory: boolean } = { mandatory: false };
    let hasType = false;
    for (const [k, kn, v] of this.members(value)) {
      const lk = k.toLowerCase();
      switch (lk) {
        case '#type': {
          const t = this.typeString(v, this.string(v, k));
          type = t.type;
          key ||= t.key;
          ro ||= t.readonly;
          hasType = true;
          break;
        }
        case '#key':
          key = this.boolean(v, k);
          break;
        case '#readonly':
          ro = this.boolean(v, k);
          break;
        case '#virtual':
          virtual = this.boolean(v, k);
          break;
        case '#mandatory':
          filter.mandatory = this.boolean(v, k);
          break;
        case '#default':
          filter.default = this.string(v, k);
          break;
        case '#queryparameter':
          filter.queryParameter = this.string(v, k);
          break;
        case '#header':
          filter.header = this.string(v, k);
          this.headerName(v, filter.header, `#header of column '${name}'`);
          break;
        case '#postparameter':
          filter.postParameter = this.string(v, k);
          break;
        default: {
          const op = lk.slice(1) as FilterOp;
          if (lk.startsWith('#') && (FILTER_OPS as readonly string[]).includes(op)) ops[op] = this.string(v, k);
          else this.unknownKey(kn, k, COLUMN_KEYS, `column '${name}'`);
        }
      }
    }
    if (!hasType) this.fail(value, `column '${name}' has no "#type".`, 'Add "#type": "VarChar" (or another type).');
    const pushes = Object.keys(ops).length > 0 || filter.queryParameter !== undefined || filter.header !== undefined || filter.postParameter !== undefined || filter.default !== undefined || filter.mandatory;
    return {
      name,
      path,
      type,
      key,
      source: virtual ? 'virtual' : 'json',
      ...(ro ? { readonly: true } : {}),
      ...(pushes || virtual ? { filter: { ops, mandatory: filter.mandatory, ...(filter.queryParameter ? { queryParameter: filter.queryParameter } : {}), ...(filter.header ? { header: filter.header } : {}), ...(filter.postParameter ? { postParameter: filter.postParameter } : {}), ...(filter.default !== undefined ? { default: filter.default } : {}) } satisfies ColumnFilter } : {}),
    };
  }

  child(place: ArrayPlace, parentKeys: ColumnDef[], a: ArrayEntry): TableDef {
    const name = this.names.take(a.sqlName !== undefined ? sanitizeName(a.sqlName) : childTableName(this.options.qualifyNames, place));
    const names = new NameSet();
    const lead = childLeadNames(place.parent, parentKeys.map((k) => k.name), names);
    const refs: ColumnDef[] = parentKeys.map((k, i) => ({ name: lead.refs[i]!, path: [], type: k.type, key: true, source: 'parent' as const }));
    const position: ColumnDef = { name: lead.position, path: [], type: 'INTEGER', key: true, source: 'position' };
    const columns: ColumnDef[] = [];
    const arrays: ArrayEntry[] = [];
    if (a.map) columns.push({ name: names.take(sanitizeName(a.map.keyName)), path: [], type: a.map.keyType, key: true, source: 'mapkey' });
    if (a.node.type === 'object') {
      this.collect(this.members(a.node), [], names, columns, arrays);
    } else if (a.node.type === 'string') {
      // An array of scalars: the value in a column named after the array field.
      const t = this.typeString(a.node, a.node.value as string);
      columns.push({ name: names.take(valueColumnName(a.field)), path: [], type: t.type, key: false, source: 'json' });
    } else {
      this.fail(a.node, `array '${a.field}[]' must describe its elements with a type string or an object.`, 'Example: "tags[]": "VarChar" or "orders[]": {"id": "Integer"}.');
    }
    const keys = [...refs, position];
    const children = arrays.map((x) => this.child({ root: place.root, parent: name, pathFromRoot: [...place.pathFromRoot, ...x.path] }, keys, x));
    return { name, columns: [...refs, position, ...columns], arrayPath: a.path, parent: place.parent, children, ...(a.map ? { map: true } : {}) };
  }
}

interface ArrayEntry {
  readonly field: string;
  readonly sqlName?: string;
  readonly path: string[];
  readonly node: Node;
  readonly keyNode: Node;
  /** A map (object with data as member names) rather than an array. */
  readonly map?: { readonly keyName: string; readonly keyType: ColumnType };
}


/** Offset of the first `{` or `[` that opens level `max + 1`, found by jsonc-parser's scanner without recursion. */
function tooDeepAt(text: string, max: number): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.OpenBraceToken || kind === SyntaxKind.OpenBracketToken) {
      if (++depth > max) return scanner.getTokenOffset();
    } else if (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object':
      return Object.fromEntries((node.children ?? []).map((p) => [p.children![0]!.value as string, nodeValue(p.children![1]!)]));
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value as unknown;
  }
}

/** The custom authentication steps of a model file (AuthenticationMethod=29), if it has them. */
export function readAuthSteps(source: string): { authentication?: (string | Record<string, unknown>)[]; reauthentication?: (string | Record<string, unknown>)[] } {
  const text = source.startsWith(BOM) ? source.slice(1) : source;
  // parseModelFile checks the file first; too deep here means no steps are read.
  if (tooDeepAt(text, MODEL_MAX_DEPTH) !== undefined) return {};
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const out: { authentication?: (string | Record<string, unknown>)[]; reauthentication?: (string | Record<string, unknown>)[] } = {};
  for (const p of root?.type === 'object' ? (root.children ?? []) : []) {
    const key = String(p.children?.[0]?.value ?? '').toLowerCase();
    const value = p.children?.[1];
    if (!value || value.type !== 'array') continue;
    if (key === '#authentication') out.authentication = nodeValue(value) as (string | Record<string, unknown>)[];
    if (key === '#reauthentication') out.reauthentication = nodeValue(value) as (string | Record<string, unknown>)[];
  }
  return out;
}

/** Parses a model file's text. `file` is only used in messages. */
export function parseModelFile(source: string, file: string, options: ModelFileOptions): ParsedModelFile {
  const text = source.startsWith(BOM) ? source.slice(1) : source;
  const r: Reader = new Reader(text, file, options);
  const deep = tooDeepAt(text, MODEL_MAX_DEPTH);
  if (deep !== undefined) r.fail({ offset: deep } as Node, `objects and arrays nest more than ${MODEL_MAX_DEPTH} levels deep here.`, 'A model file describes the API\'s JSON shape a few levels deep; flatten the deeper part into a JSON column ("field": "JSON").');
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (errors.length > 0) {
    const e = errors[0]!;
    r.fail({ offset: e.offset } as Node, `not valid JSON: ${printParseErrorCode(e.error)}.`, 'A model file is a JSON object ({"table": ...}); comments (//, /* */) and trailing commas are allowed.');
  }
  if (!root || root.type !== 'object') r.fail(root, 'a model file must be a JSON object of tables.', 'Example: {"items": "https://api.example.com/v1/items"}.');
  const entries = r.members(root);
  let headers: Record<string, string> = {};
  let http: HttpRule[] | undefined;
  let hostName = options.hostName;
  for (const [key, keyNode, value] of entries) {
    const k = key.toLowerCase();
    if (NOT_YET[key] ?? NOT_YET[k]) {
      throw new RestSqlError('CONFIG_UNSUPPORTED', `${file}:${position(text, keyNode.offset).line}:${position(text, keyNode.offset).column}: ${NOT_YET[key] ?? NOT_YET[k]} ('${key}') are not supported by this version of restsql yet.`, {
        hint: 'Remove the entry; use AuthenticationMethod and the connection options for authentication.',
        details: { file },
      });
    }
    if (!key.startsWith('#')) continue;
    if (k === '#authentication' || k === '#reauthentication') {
      // Custom authentication steps (AuthenticationMethod=29): strings and JSON objects.
      if (value.type !== 'array' || (value.children ?? []).some((c) => c.type !== 'string' && c.type !== 'object')) {
        r.fail(value, `${key} must be an array of steps (strings and JSON objects).`, 'Example: "#authentication": [{"user": "{user}"}, "POST https://{serverName}/login", "HEADER Authorization=Bearer {/token}"].');
      }
      continue;
    }
    if (k === '#headers') headers = r.headers(value, 'the model file');
    else if (k === '#http') http = r.http(value);
    else if (k === '#hostname') hostName = r.hostName(value, key);
    else if (!(k in PAGING_KEYS)) r.unknownKey(keyNode, key, ['#http', '#headers', '#hostname', ...Object.values(PAGING_KEYS).map((f) => `#${f}`)], 'the model file');
  }
  const paging = r.paging(entries, undefined);
  const defaults = { headers, ...(paging ? { paging } : {}), ...(http ? { http } : {}), ...(hostName ? { hostName } : {}) };
  const tables = entries.filter(([k]) => !k.startsWith('#')).map(([name, keyNode, value]) => r.table(name, keyNode, value, defaults));
  if (tables.length === 0) r.fail(root, 'the model file defines no table.', 'Add at least one entry: "items": "https://api.example.com/v1/items".');
  return { file, tables, names: r.names };
}
