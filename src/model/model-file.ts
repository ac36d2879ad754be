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
import { ElementKeySyntaxError, parseElementKey, type ElementKey } from './element-key.js';
import { isPagingKey, keysAt, modelKey, type ModelKeyPlace, type ModelKeySpec } from './model-keys.js';
import { childLeadNames, childTableName, columnName, MAP_KEY, mapTableName, NameSet, ROWID, sanitizeName, valueColumnName, type ArrayPlace, type QualifyNames } from './naming.js';
import { parseRoutine } from './routine-parse.js';
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
  type PathStep,
  type RoutineDef,
  type TableDef,
  type WriteDef,
  type WriteKind,
  type WriteMethod,
  type WriteOperation,
  WRITE_METHODS,
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
  /** `#insert`, `#update`, `#delete`, `#sendOnlyUpdated`. */
  readonly writes?: WriteDef;
}

export interface ParsedModelFile {
  readonly file: string;
  readonly tables: readonly ModelTable[];
  /** Table names taken so far (sampling URL-only entries takes more). */
  readonly names: NameSet;
  /** One line per key the file uses that restsql accepts without effect, saying why (for the log). */
  readonly notices: readonly string[];
  /** `routines` (`#routines`): the functions and procedures defined in the file. */
  readonly routines: readonly RoutineDef[];
}

export interface ModelFileOptions {
  /** HostName (with PortNumber applied) for relative paths; `#hostname` in the file wins. */
  readonly hostName?: string;
  /** QualifyNormalizedNames for child tables. */
  readonly qualifyNames: QualifyNames;
}

/** The PagingDef field each paging key (model-keys.ts, lower case) sets. */
const PAGING_FIELDS = {
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
type PagingKey = keyof typeof PAGING_FIELDS;

/** The catalog's name (lower case) for a key written at `place`, aliases resolved (`#firstrow` is `#firstrownumber`). */
function canonical(place: ModelKeyPlace, key: string): string | undefined {
  return modelKey(place, key)?.key.toLowerCase();
}

/** The most columns one table may get from a model file (`field[N]` multiplies its members). */
const MAX_TABLE_COLUMNS = 10_000;

/** Type names of the model file (case-insensitive) -> restsql column types. */
const TYPE_NAMES: Record<string, ColumnType> = {
  varchar: 'VARCHAR', char: 'VARCHAR', longvarchar: 'VARCHAR', wvarchar: 'VARCHAR', wchar: 'VARCHAR', wlongvarchar: 'VARCHAR', string: 'VARCHAR', clob: 'VARCHAR', text: 'VARCHAR', time: 'VARCHAR',
  nvarchar: 'VARCHAR', nchar: 'VARCHAR', longnvarchar: 'VARCHAR', varcharignorecase: 'VARCHAR', timewithtimezone: 'VARCHAR',
  timestampwithtimezone: 'TIMESTAMP',
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
export const MODEL_MAX_DEPTH = 256;

/** A UTF-8 byte order mark, as some Windows editors write at the start of a file. */
const BOM = '\uFEFF';

/** 1-based line and column of an offset. */
export function position(text: string, offset: number): { line: number; column: number } {
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
  readonly notices: string[] = [];
  readonly #noticed = new Set<string>();
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

  /** The file's key is refused (model-keys.ts): an error naming its line, saying why. */
  refuse(node: Node, key: string, spec: ModelKeySpec): never {
    const { line, column } = position(this.text, node.offset);
    throw new RestSqlError('CONFIG_UNSUPPORTED', `${this.file}:${line}:${column}: '${key}': ${spec.why ?? 'not supported.'}`, {
      hint: 'Remove the entry (docs/model-file.md lists every model-file key and what restsql does with it).',
      details: { file: this.file, line, column, key },
    });
  }

  /** The file's key is accepted without effect: said once per key in the log. */
  ignore(node: Node, key: string, spec: ModelKeySpec): void {
    if (this.#noticed.has(spec.key)) return;
    this.#noticed.add(spec.key);
    const { line, column } = position(this.text, node.offset);
    this.notices.push(`${this.file}:${line}:${column}: '${key}': ${spec.why ?? 'accepted without effect.'}`);
  }

  /**
   * The catalog entry of a `#` key at `place`: refused keys throw, ignored ones are noted and
   * give undefined, unknown ones are an error with a suggestion.
   */
  setting(place: ModelKeyPlace, keyNode: Node, key: string, where: string): ModelKeySpec | undefined {
    const spec = modelKey(place, key);
    if (!spec) return this.unknownKey(keyNode, key, keysAt(place), where);
    if (spec.behaviour === 'refused') this.refuse(keyNode, key, spec);
    if (spec.behaviour === 'ignored') {
      this.ignore(keyNode, key, spec);
      return undefined;
    }
    return spec;
  }

  /** A member name with its suffixes (element-key.ts). */
  elementKey(node: Node, raw: string): ElementKey {
    try {
      return parseElementKey(raw);
    } catch (e) {
      if (!(e instanceof ElementKeySyntaxError)) throw e;
      return this.fail(node, `${e.message}.`, 'Member names are "field", "field<sql_name>", "field[]", "field<sql_name>[]", "field[N]", "field{KeyType}" or "field<key_name:KeyType>"; the field name itself may hold spaces, dots and parentheses.');
    }
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

  /**
   * A write directive: `"[METHOD] url"`, a trailing `[]` for an array body (DataDirect "Write
   * operations"). The method defaults to POST for #insert, PUT for #update, DELETE for #delete.
   */
  writeOperation(node: Node, key: string, kind: WriteKind, hostName: string | undefined): WriteOperation {
    const raw = this.string(node, key).trim();
    const m = /^(?:([A-Za-z]+)\s+)?(\S+?)(\[\])?(?:\s+(\S+))?$/.exec(raw);
    if (!m) this.fail(node, `${key} '${raw}' is not "[METHOD] url".`, `Example: "${key}": "${kind === 'insert' ? 'POST' : kind === 'update' ? 'PUT' : 'DELETE'} https://api.example.com/v1/items${kind === 'insert' ? '' : '/{id}'}".`);
    const method = (m[1] ?? (kind === 'insert' ? 'POST' : kind === 'update' ? 'PUT' : 'DELETE')).toUpperCase();
    if (!(WRITE_METHODS as readonly string[]).includes(method)) this.fail(node, `${key} uses method '${m[1]}', which does not write.${didYouMean(method, WRITE_METHODS)}`, `Use one of: ${WRITE_METHODS.join(', ')}.`);
    if (m[3] && method === 'DELETE' && kind !== 'delete') this.fail(node, `${key} sends an array body with DELETE.`, 'Use POST, PUT or PATCH for an array body.');
    let url = m[2]!;
    if (!/^https?:\/\//i.test(url)) {
      if (!hostName) this.fail(node, `${key} '${url}' is relative and no host is set.`, 'Set HostName in the connection string, "#hostname" in the model file, or write the full URL.');
      url = `${hostName.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
    }
    const params: string[] = [];
    for (const p of url.matchAll(/\{([^{}]*)\}/g)) {
      if (!/^[A-Za-z_][\w.$-]*$/.test(p[1]!)) this.fail(node, `${key} has the placeholder '{${p[1]}}', which is not a column name.`, 'Write {column} with the name of a column of the table, e.g. {id}.');
      params.push(p[1]!);
    }
    try {
      const u = new URL(url.replace(/\{[^}]*\}/g, 'x'));
      if (u.username || u.password) this.fail(node, `${key} carries user information in its URL.`, 'Give credentials with the connection options (User, Password, AuthenticationMethod), not in the URL.');
    } catch (e) {
      if (e instanceof RestSqlError) throw e;
      this.fail(node, `${key} '${raw}' is not a valid URL.`, 'Write an absolute http(s) URL, or a path relative to HostName.');
    }
    return { method: method as WriteMethod, url, params, array: m[3] !== undefined, ...(m[4] ? { jsonRoot: this.element(node, m[4], key) } : {}) };
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
    const seen = new Map<string, string>();
    for (const [key, keyNode, value] of entries) {
      if (!key.startsWith('#') || !isPagingKey(key)) continue;
      const k = canonical('table', key) as PagingKey;
      const field = PAGING_FIELDS[k];
      const earlier = seen.get(k);
      if (earlier !== undefined) this.fail(keyNode, `'${key}' sets the same paging setting as '${earlier}' before it.`, `Keep one of them ('#firstrow' is another name for '#firstRowNumber').`);
      seen.set(k, key);
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
      const at = entries.find(([k]) => ['#rowoffsetparameter', '#pagenumberparameter'].includes(canonical('table', k) ?? ''));
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

  /**
   * `routines` (`#routines`): an array of strings, each one CREATE FUNCTION or CREATE PROCEDURE
   * statement (model/routine-parse.ts). A definition's error names the line and column in the
   * file where it goes wrong.
   */
  routines(node: Node, key: string): RoutineDef[] {
    const example = 'Example: "routines": ["CREATE FUNCTION fullName(first VARCHAR(50), last VARCHAR(50)) RETURNS VARCHAR(101) RETURN first || \' \' || last"].';
    if (node.type !== 'array') this.fail(node, `'${key}' must be an array of strings, each a CREATE FUNCTION or CREATE PROCEDURE statement.`, example);
    const out: RoutineDef[] = [];
    for (const entry of node.children ?? []) {
      if (entry.type !== 'string') this.fail(entry, `each entry of '${key}' must be a string holding one CREATE FUNCTION or CREATE PROCEDURE statement.`, example);
      const at = position(this.text, entry.offset);
      let def: RoutineDef;
      try {
        def = parseRoutine(entry.value as string);
      } catch (e) {
        if (!(e instanceof RestSqlError)) throw e;
        const where = position(this.text, stringOffset(this.text, entry, typeof e.details.position === 'number' ? e.details.position : 1));
        const { position: _inDefinition, ...details } = e.details;
        // A model file's problem, as its other errors are: MODEL_INVALID, or CONFIG_UNSUPPORTED for what restsql cannot run.
        throw new RestSqlError(e.code === 'ROUTINE_UNSUPPORTED' ? 'CONFIG_UNSUPPORTED' : 'MODEL_INVALID', `${this.file}:${where.line}:${where.column}: ${e.message}`, {
          hint: e.hint ?? example,
          details: { ...details, file: this.file, line: where.line, column: where.column, key, routineError: e.code },
          cause: e,
        });
      }
      const twin = out.find((d) => d.name.toLowerCase() === def.name.toLowerCase());
      if (twin) this.fail(entry, `routine '${def.name}' is defined twice (first at line ${twin.origin?.line}).`, 'Give each routine its own name: restsql does not overload routines.');
      out.push({ ...def, origin: { file: this.file, line: at.line, column: at.column } });
    }
    return out;
  }

  http(node: Node): HttpRule[] {
    if (node.type !== 'array') this.fail(node, '#http must be an array of rules.', 'Example: "#http": [{"#code": 404, "#action": "ZERO_ROWS"}].');
    return (node.children ?? []).map((rule) => {
      if (rule.type !== 'object') this.fail(rule, 'each #http rule must be an object.', 'Example: {"#code": 429, "#action": "RETRY_AFTER"}.');
      let code: number | undefined;
      let action: HttpAction | undefined;
      const extra: { operation?: string; match?: string; message?: string } = {};
      for (const [key, keyNode, value] of this.members(rule)) {
        if (!this.setting('rule', keyNode, key, 'an #http rule')) continue;
        switch (canonical('rule', key)) {
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
            this.unknownKey(keyNode, key, keysAt('rule'), 'an #http rule');
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
      if (!p.startsWith('#')) continue; // A date/time format: values are parsed as ISO 8601 or epoch, so it is informational.
      const spec = modelKey('flag', p);
      if (!spec) this.fail(node, `unknown column flag '${p}'.${didYouMean(p, keysAt('flag'))}`, `Flags are ${keysAt('flag').join(', ')}; a date format needs no #.`);
      if (spec.behaviour === 'ignored') this.ignore(node, p, spec);
      else if (spec.key === '#key') key = true;
      else if (spec.key === '#readonly') ro = true;
    }
    return { type, key, readonly: ro };
  }

  table(name: string, keyNode: Node, value: Node, defaults: { paging?: PagingDef; headers: Record<string, string>; http?: HttpRule[]; hostName?: string }): ModelTable {
    // "businesssearch<businesssearchroot>": the table's SQL name is businesssearchroot.
    const key = this.elementKey(keyNode, name);
    if (key.shape.kind !== 'plain') this.fail(keyNode, `'${name}' is a table: a table's name takes no [] or {} (only <sql_name>).`, 'Write "name" or "name<sql_name>" for a table; arrays and maps are written inside a table object.');
    const tableName = this.names.take(sanitizeName(key.sqlName ?? key.field));
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
    const writes: { insert?: WriteOperation; update?: WriteOperation; delete?: WriteOperation; sendOnlyUpdated?: boolean } = {};
    const columnEntries: [string, Node, Node][] = [];
    for (const entry of entries) {
      const [key, kn, v] = entry;
      if (!key.startsWith('#')) {
        columnEntries.push(entry);
        continue;
      }
      if (key.toLowerCase() === '#postparameter') this.fail(kn, '#postParameter belongs in a column object: the column\'s WHERE value goes into the POST body.', 'Write "status": {"#type": "VarChar", "#postParameter": "filter/status"} and give the table a "#post" body or a POST #path.');
      const spec = this.setting('table', kn, key, `table '${name}'`);
      if (!spec || spec.group === 'Paging') continue;
      switch (spec.key) {
        case '#path':
          break;
        case '#headers':
          headers = { ...headers, ...this.headers(v, `table '${name}'`) };
          break;
        case '#http':
          http = this.http(v);
          break;
        case '#post':
          postBody = nodeValue(v);
          break;
        case '#fieldListParameter':
          fieldList = this.string(v, key);
          break;
        case '#jsonRoot':
          jsonRoot = this.element(v, this.string(v, key), key);
          break;
        case '#insert':
        case '#update':
        case '#delete': {
          const kind = spec.key.slice(1) as WriteKind;
          // Relative to #hostname (or HostName), else to the origin of the table's first #path.
          writes[kind] = this.writeOperation(v, key, kind, defaults.hostName ?? new URL(paths[0]!.url.replace(/\{[^}]*\}/g, 'x')).origin);
          break;
        }
        case '#sendOnlyUpdated':
          writes.sendOnlyUpdated = this.boolean(v, key);
          break;
        case '#format':
        case '#chunked':
        case '#delimiter':
        case '#quote':
        case '#headerRow':
        case '#encoding':
          format = this.formatSetting(format, spec.key.toLowerCase(), key, v);
          break;
        default:
          this.unknownKey(kn, key, keysAt('table'), `table '${name}'`);
      }
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
      ...(writes.insert || writes.update || writes.delete ? { writes: { ...writes, sendOnlyUpdated: writes.sendOnlyUpdated ?? false } satisfies WriteDef } : {}),
    };
    if (columnEntries.length === 0) return base;
    return { ...base, table: this.columns(tableName, columnEntries, paths) };
  }

  columns(tableName: string, entries: [string, Node, Node][], paths: readonly PathDef[]): TableDef {
    const names = new NameSet();
    const columns: ColumnDef[] = [];
    const arrays: ArrayEntry[] = [];
    this.collect(entries, { path: [], name: [], inPositions: false }, names, columns, arrays);
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

  /**
   * Walks column entries: nested objects flatten, `x[]` and maps are child tables, `x[N]` puts the
   * first N elements in columns, `json<sql>` renames. `at.path` is the JSON path so far, `at.name`
   * the name segments the columns' names are made of.
   */
  collect(entries: [string, Node, Node][], at: { path: PathStep[]; name: string[]; inPositions: boolean }, names: NameSet, columns: ColumnDef[], arrays: ArrayEntry[]): void {
    for (const [rawKey, keyNode, value] of entries) {
      // Settings belong to the table object; nested objects and array elements hold columns only.
      if (rawKey.startsWith('#')) this.unknownKey(keyNode, rawKey, [], at.path.length ? `nested object '${at.path.join('.')}'` : 'an array element');
      const key = this.elementKey(keyNode, rawKey);
      const field = key.field;
      const path = [...at.path, field];
      const shape = key.shape;
      if ((shape.kind === 'map' || shape.kind === 'array') && at.inPositions) this.fail(keyNode, `'${rawKey}' is a child table inside an array read by positions (field[N]); restsql does not make child tables of positional elements.`, 'Read the outer array as a child table ("field[]"), or this member as JSON ("field": "JSON").');
      if (shape.kind === 'map') {
        const keyType = this.typeString(keyNode, shape.keyType).type;
        arrays.push({ field, ...(key.sqlName !== undefined ? { sqlName: key.sqlName } : {}), path, node: value, keyNode, map: { keyName: shape.keyName ?? MAP_KEY, keyType } });
        continue;
      }
      if (shape.kind === 'array') {
        arrays.push({ field, ...(key.sqlName !== undefined ? { sqlName: key.sqlName } : {}), path, node: value, keyNode });
        continue;
      }
      if (shape.kind === 'positions') {
        // "identities[2]": elements 0 and 1 are columns identities_1_..., identities_2_...
        const prefix = key.sqlName ?? field;
        for (let i = 0; i < shape.count; i++) {
          const element = { path: [...path, i], name: [...at.name, prefix, String(i + 1)], inPositions: true };
          if (value.type === 'object' && !this.members(value).some(([k]) => k.startsWith('#'))) this.collect(this.members(value), element, names, columns, arrays);
          else columns.push(this.column(names.take(columnName(element.name)), element.path, value));
          this.tooMany(keyNode, columns.length);
        }
        continue;
      }
      if (value.type === 'object' && !this.members(value).some(([k]) => k.startsWith('#'))) {
        // A nested object: its members flatten into this table as <field>_<member> (<sql_name>_<member> when renamed).
        this.collect(this.members(value), { path, name: [...at.name, key.sqlName ?? field], inPositions: at.inPositions }, names, columns, arrays);
        continue;
      }
      if (key.sqlName !== undefined && at.inPositions) this.fail(keyNode, `'${rawKey}' is inside an array read by positions (field[N]), whose columns are named <field>_<position>_<member>: a member cannot be renamed there.`, 'Rename the array instead: "field<prefix>[N]" names the columns <prefix>_1_..., <prefix>_2_...');
      const name = names.take(key.sqlName !== undefined ? sanitizeName(key.sqlName) : columnName([...at.name, field]));
      columns.push(this.column(name, path, value));
      this.tooMany(keyNode, columns.length);
    }
  }

  /** A bound on the columns `field[N]` can multiply. */
  tooMany(node: Node, count: number): void {
    if (count > MAX_TABLE_COLUMNS) this.fail(node, `this table has more than ${MAX_TABLE_COLUMNS} columns.`, 'Read fewer array positions (field[N] makes N copies of the element\'s columns), or a child table (field[]) instead.');
  }

  column(name: string, path: PathStep[], value: Node): ColumnDef {
    if (value.type === 'string') {
      const t = this.typeString(value, value.value as string);
      return { name, path, type: t.type, key: t.key, source: 'json', ...(t.readonly ? { readonly: true } : {}) };
    }
    if (value.type !== 'object') this.fail(value, `column '${name}' must be a type string or an object with "#type".`, 'Example: "id": "Integer,#key" or "since": {"#type": "Timestamp", "#virtual": true, "#ge": "since"}.');
    let type: ColumnType = 'VARCHAR';
    let key = false;
    let ro = false;
    let virtual = false;
    let headerFromEq = false;
    const ops: Partial<Record<FilterOp, string>> = {};
    const filter: { queryParameter?: string; header?: string; postParameter?: string; default?: string; mandatory: boolean } = { mandatory: false };
    let hasType = false;
    for (const [k, kn, v] of this.members(value)) {
      const spec = this.setting('column', kn, k, `column '${name}'`);
      if (!spec) continue;
      switch (spec.key) {
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
        case '#queryParameter':
          // `true` (the vendor's generated files): the parameter #eq names, which #eq sends already.
          if (v.type === 'boolean') break;
          filter.queryParameter = this.string(v, k);
          break;
        case '#header':
          // `true`: the value goes in the header #eq names, not in a URI parameter.
          if (v.type === 'boolean') {
            headerFromEq = v.value === true;
            break;
          }
          filter.header = this.string(v, k);
          this.headerName(v, filter.header, `#header of column '${name}'`);
          break;
        case '#postParameter':
          filter.postParameter = this.string(v, k);
          break;
        default: {
          const op = spec.key.slice(1) as FilterOp;
          if ((FILTER_OPS as readonly string[]).includes(op)) ops[op] = this.string(v, k);
          else this.unknownKey(kn, k, keysAt('column'), `column '${name}'`);
        }
      }
    }
    if (headerFromEq) {
      if (ops.eq === undefined) this.fail(value, `column '${name}' has "#header": true but no "#eq" naming the header.`, 'Write "#header": "X-Name", or "#header": true with "#eq": "X-Name".');
      filter.header = ops.eq;
      this.headerName(value, filter.header, `#eq of column '${name}'`);
      delete ops.eq;
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
    const rule = a.map ? mapTableName(this.options.qualifyNames, place) : childTableName(this.options.qualifyNames, place);
    const name = this.names.take(a.sqlName !== undefined ? sanitizeName(a.sqlName) : rule);
    const names = new NameSet();
    const lead = childLeadNames(place.parent, parentKeys.map((k) => k.name), names);
    const refs: ColumnDef[] = parentKeys.map((k, i) => ({ name: lead.refs[i]!, path: [], type: k.type, key: true, source: 'parent' as const }));
    const position: ColumnDef = { name: lead.position, path: [], type: 'INTEGER', key: true, source: 'position' };
    const columns: ColumnDef[] = [];
    const arrays: ArrayEntry[] = [];
    if (a.map) columns.push({ name: names.take(sanitizeName(a.map.keyName)), path: [], type: a.map.keyType, key: true, source: 'mapkey' });
    if (a.node.type === 'object') {
      this.collect(this.members(a.node), { path: [], name: [], inPositions: false }, names, columns, arrays);
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
  readonly path: PathStep[];
  readonly node: Node;
  readonly keyNode: Node;
  /** A map (object with data as member names) rather than an array. */
  readonly map?: { readonly keyName: string; readonly keyType: ColumnType };
}


/**
 * The offset in the file of the character at 1-based code-point `position` of the JSON string
 * `node` holds (its escapes, `\n` or `\u00e9`, count as the one character they stand for).
 */
function stringOffset(text: string, node: Node, position: number): number {
  const value = node.value as string;
  // The UTF-16 index of that code point in the value.
  let units = 0;
  let points = 1;
  for (const ch of value) {
    if (points >= position) break;
    units += ch.length;
    points++;
  }
  let i = node.offset + 1;
  const end = node.offset + node.length - 1;
  for (let u = 0; u < units && i < end; u++) i += text[i] !== '\\' ? 1 : text[i + 1] === 'u' ? 6 : 2;
  return Math.min(i, end);
}

/** Offset of the first `{` or `[` that opens level `max + 1`, found by jsonc-parser's scanner without recursion. */
export function tooDeepAt(text: string, max: number): number | undefined {
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
  let routines: RoutineDef[] = [];
  let routinesKey: string | undefined;
  const readRoutines = (key: string, keyNode: Node, value: Node) => {
    if (routinesKey !== undefined) r.fail(keyNode, `'${key}' repeats '${routinesKey}': both name the file's routines.`, 'Keep one of them and put every routine in it.');
    routinesKey = key;
    routines = r.routines(value, key);
  };
  for (const [key, keyNode, value] of entries) {
    if (!key.startsWith('#')) {
      // Tables, except the vendor's reserved entries (routines).
      const reserved = modelKey('file', key);
      if (reserved?.behaviour === 'refused') r.refuse(keyNode, key, reserved);
      if (reserved?.key === 'routines') readRoutines(key, keyNode, value);
      continue;
    }
    const spec = r.setting('file', keyNode, key, 'the model file');
    if (!spec || spec.group === 'Paging') continue;
    switch (spec.key) {
      case '#authentication':
      case '#reauthentication':
        // Custom authentication steps (AuthenticationMethod=29): strings and JSON objects.
        if (value.type !== 'array' || (value.children ?? []).some((c) => c.type !== 'string' && c.type !== 'object')) {
          r.fail(value, `${key} must be an array of steps (strings and JSON objects).`, 'Example: "#authentication": [{"user": "{user}"}, "POST https://{serverName}/login", "HEADER Authorization=Bearer {/token}"].');
        }
        break;
      case '#headers':
        headers = r.headers(value, 'the model file');
        break;
      case '#http':
        http = r.http(value);
        break;
      case '#hostname':
        hostName = r.hostName(value, key);
        break;
      case 'routines':
        readRoutines(key, keyNode, value);
        break;
      case '#options':
        // Connection options: read with the connection's other options (model-settings.ts).
        if (value.type !== 'object') r.fail(value, '#options must be an object of connection option names and values.', 'Example: "#options": {"AuthenticationMethod": "OAuth2", "Scope": "read"}.');
        break;
      default:
        // OAuth 2.0 settings (#tokenUri, ...) feed connection options (model-settings.ts).
        if (!spec.option) r.unknownKey(keyNode, key, keysAt('file'), 'the model file');
        if (value.type !== 'string' && value.type !== 'number' && value.type !== 'boolean') r.string(value, key);
    }
  }
  const paging = r.paging(entries, undefined);
  const defaults = { headers, ...(paging ? { paging } : {}), ...(http ? { http } : {}), ...(hostName ? { hostName } : {}) };
  const tables = entries.filter(([k]) => !k.startsWith('#') && modelKey('file', k) === undefined).map(([name, keyNode, value]) => r.table(name, keyNode, value, defaults));
  if (tables.length === 0) r.fail(root, 'the model file defines no table.', 'Add at least one entry: "items": "https://api.example.com/v1/items".');
  return { file, tables, names: r.names, notices: r.notices, routines };
}
