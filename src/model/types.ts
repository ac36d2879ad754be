/**
 * The relational model restsql answers SQL over. Produced by the sampler (and, later, the model
 * file reader), frozen, and read by the extractor, the loader and the .rest writer.
 */
export const COLUMN_TYPES = ['INTEGER', 'BIGINT', 'HUGEINT', 'DOUBLE', 'BOOLEAN', 'TIMESTAMP', 'DATE', 'UUID', 'VARCHAR', 'JSON'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/**
 * One step of a path into a record: a member name, or (model-file `field[N]`) the 0-based index
 * of an array element.
 */
export type PathStep = string | number;

export interface ColumnDef {
  /** SQL column name. */
  readonly name: string;
  /**
   * Where the value sits, relative to the record (or array element) the table's rows come from.
   * Empty for the element itself (a scalar array's value column). A number indexes an array
   * (model-file `field[N]` positions).
   */
  readonly path: readonly PathStep[];
  readonly type: ColumnType;
  readonly key: boolean;
  /**
   * How the column is filled: from JSON, a copy of the parent's key, the array index, a generated
   * row number, or (model files, `#virtual`) the value the request was made with.
   */
  readonly source: 'json' | 'parent' | 'position' | 'rowid' | 'virtual' | 'mapkey';
  /** Model files: how WHERE conditions on this column reach the request. */
  readonly filter?: ColumnFilter;
  /** Model files: `#readonly`: INSERT and UPDATE never write it (`#key` columns are read-only too). */
  readonly readonly?: boolean;
}

/** Comparison operators a column can push into a request (model-file `#eq`, `#gt`, ...). */
export const FILTER_OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'contains'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** Model-file column object form: what a WHERE condition on the column sends. */
export interface ColumnFilter {
  /** URI parameter per operator (`"#gt": "since"` sends `since=<value>` for `col > value`). */
  readonly ops: Readonly<Partial<Record<FilterOp, string>>>;
  /** `#queryParameter`: URI parameter that carries `col = value`. */
  readonly queryParameter?: string;
  /** `#header`: request header that carries `col = value`. */
  readonly header?: string;
  /** `#postParameter`: member of the POST body (slash path for nested members) that carries `col = value`. */
  readonly postParameter?: string;
  /** `#default`: sent when the query gives no value. */
  readonly default?: string;
  /** `#mandatory`: a query must give a value (or there must be a default). */
  readonly mandatory: boolean;
}

export interface TableDef {
  readonly name: string;
  /** All columns in order: parent references and position first for child tables. */
  readonly columns: readonly ColumnDef[];
  /** For a child table: the path of the array inside its parent's element; empty for a root table. */
  readonly arrayPath: readonly PathStep[];
  /** For a child table: its parent's name. */
  readonly parent?: string;
  /** Child tables made from arrays inside this table's elements. */
  readonly children: readonly TableDef[];
  /**
   * For a child table made from a JSON object used as a map (model-file `field{KeyType}` or
   * `field<name:KeyType>`): one row per member, its name in the `mapkey` column.
   */
  readonly map?: boolean;
}

/** One way to request an endpoint (`#path` entries; an array of them is chosen by WHERE). */
export interface PathDef {
  /** Absolute URL template; `{name}` placeholders are path parameters. */
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** Path parameter names in the URL, in order. */
  readonly params: readonly string[];
  /** Sample values from `{name:sample}`, used when sampling. */
  readonly samples: Readonly<Record<string, string>>;
  /** JSON root given in the path (`GET url /data/items`), else the endpoint's. */
  readonly jsonRoot?: readonly string[];
}

/** A paging URI parameter, plain (`startAt`) or a template (`locator=start:{OFFSET},count:{LIMIT}`). */
export interface ParamTemplate {
  readonly name: string;
  /** Value with {LIMIT} {OFFSET} {PAGE} {NEXT} placeholders. */
  readonly value: string;
}

/** DataDirect paging keys of a table (or the model's defaults). */
export interface PagingDef {
  readonly maximumPageSize?: number;
  readonly pageSizeParameter?: ParamTemplate;
  readonly rowOffsetParameter?: ParamTemplate;
  readonly firstRowNumber: number;
  readonly pageNumberParameter?: ParamTemplate;
  readonly firstPageNumber: number;
  readonly nextPageParameter?: ParamTemplate;
  readonly nextPageElement?: readonly string[];
  readonly nextPageResponseHeader?: string;
  readonly hasMoreElement?: readonly string[];
  readonly totalPagesElement?: readonly string[];
  readonly totalRowsElement?: readonly string[];
  readonly pageSizeElement?: readonly string[];
}

export const HTTP_ACTIONS = ['OK', 'ZERO_ROWS', 'RESET', 'REAUTHENTICATE', 'RETRY_AFTER', 'RETRY_ONCE', 'RETRY_GOOGLE', 'RETRY_AWS', 'RETRY_FIXED', 'FAIL'] as const;
export type HttpAction = (typeof HTTP_ACTIONS)[number];

/** One `#http` entry: the first that matches a response decides what happens. */
export interface HttpRule {
  readonly code: number;
  readonly action: HttpAction;
  /** `#operation`: only for this operation (SELECT, INSERT, UPDATE, DELETE); absent: every operation (ZERO_ROWS: reads, and a DELETE's 404, only). */
  readonly operation?: string;
  /** `#match`: only when the response body contains this text. */
  readonly match?: string;
  readonly message?: string;
}

/** How a response body is read: JSON (DataDirect's), JSON Lines, CSV with a header row, or XML. */
export const RESPONSE_FORMATS = ['json', 'ndjson', 'csv', 'xml'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

/** The HTTP methods a write directive may use. */
export const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type WriteMethod = (typeof WRITE_METHODS)[number];

/** The SQL statements that write through an API table. */
export type WriteKind = 'insert' | 'update' | 'delete';

/**
 * One write directive of a table (`#insert`, `#update`, `#delete`: `"[METHOD] url[[]]"`): the
 * request each written row becomes.
 */
export interface WriteOperation {
  readonly method: WriteMethod;
  /** Absolute URL template; `{name}` placeholders take the row's column values. */
  readonly url: string;
  /** Placeholder names in the URL, in order (as written). */
  readonly params: readonly string[];
  /** A trailing `[]`: the rows go in one JSON array body (a request per batch), not one request each. */
  readonly array: boolean;
  /** `"POST url /result"`: where the written record sits in the response (absent: the response itself). */
  readonly jsonRoot?: readonly string[];
}

/** A table's write directives. */
export interface WriteDef {
  readonly insert?: WriteOperation;
  readonly update?: WriteOperation;
  readonly delete?: WriteOperation;
  /** `#sendOnlyUpdated`: an UPDATE sends only the columns its SET assigns (else every writable column of the row). */
  readonly sendOnlyUpdated: boolean;
}

/**
 * How a table's responses are read (model-file `#format`, `#chunked`, `#delimiter`, `#quote`,
 * `#headerRow`, `#encoding`; the ResponseFormat option for RestSamplePath). Every member is
 * optional: what is not given is taken from the response (Content-Type, its charset, a byte order
 * mark) or detected (the CSV delimiter).
 */
export interface FormatDef {
  /** Absent: chosen by the response's Content-Type (JSON when it names none of the others). */
  readonly format?: ResponseFormat;
  /** CSV: the field delimiter (one character). Absent: detected from the header row. */
  readonly delimiter?: string;
  /** CSV: the quote character. Default `"`. */
  readonly quote?: string;
  /** CSV: whether the first row names the columns (default true); without it columns are column1, column2, ... */
  readonly headerRow?: boolean;
  /** The text encoding (a WHATWG label: utf-8, utf-16le, latin1, windows-1252, ...). Absent: a byte order mark, the charset of Content-Type, else UTF-8. */
  readonly encoding?: string;
}

export interface EndpointDef {
  /** The URL as configured (absolute; the first path's template for model files). */
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** Path of object keys from the response to the record array; empty when the response is the array (or a single record). */
  readonly jsonRoot: readonly string[];
  readonly table: TableDef;
  /** Model files: every `#path` alternative, in order (absent: just `url`). */
  readonly paths?: readonly PathDef[];
  readonly paging?: PagingDef;
  /** `#headers`: the model's and the table's, merged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** `#post`: JSON body of a POST request. */
  readonly postBody?: unknown;
  /** `#fieldListParameter`: URI parameter listing the fields a query needs. */
  readonly fieldListParameter?: string;
  /** `#http` rules (absent: DataDirect's defaults for model files, plain errors for RestSamplePath). */
  readonly http?: readonly HttpRule[];
  /** Model files: whether the columns came from sampling (a URL-only entry). */
  readonly sampled?: boolean;
  /** How responses are read; absent: by Content-Type. */
  readonly format?: FormatDef;
  /** Model files: `#insert`, `#update`, `#delete`, `#sendOnlyUpdated` (absent: the table is read-only). */
  readonly writes?: WriteDef;
}

/** How sampling an endpoint went (the `sampling_status` table). */
export interface SamplingStatus {
  readonly table: string;
  readonly uri: string;
  readonly success: boolean;
  readonly httpStatus: number | null;
  readonly message: string;
  readonly keyCandidates: string;
}

export interface ResolvedModel {
  readonly endpoints: readonly EndpointDef[];
  /** Model files: the file it came from. */
  readonly file?: string;
  readonly sampling?: readonly SamplingStatus[];
  /** Model files: `routines` (`#routines`), the functions and procedures every session has. */
  readonly routines?: readonly RoutineDef[];
}

/** A parameter's, result's or result column's type in a routine: as written, and as DuckDB has it. */
export interface RoutineType {
  /** As written (`VARCHAR(50)`, `DECIMAL(10,2)`). */
  readonly written: string;
  /** The DuckDB type (`VARCHAR`, `DECIMAL(10,2)`). */
  readonly sql: string;
}

/** A routine's parameter (IN: the only mode restsql runs) or a table function's result column. */
export interface RoutineField {
  readonly name: string;
  readonly type: RoutineType;
}

/** Where a routine was defined: a model file's entry (its string's position), or absent for a session's own. */
export interface RoutineOrigin {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

interface RoutineBase {
  /** As written; routines are matched by name case-insensitively. */
  readonly name: string;
  /** `SPECIFIC name`. */
  readonly specific?: string;
  readonly params: readonly RoutineField[];
  /** `[NOT] DETERMINISTIC`, when given. */
  readonly deterministic?: boolean;
  /** `NO SQL`, `CONTAINS SQL`, `READS SQL DATA` or `MODIFIES SQL DATA`, when given (informational). */
  readonly dataAccess?: 'NO SQL' | 'CONTAINS SQL' | 'READS SQL DATA' | 'MODIFIES SQL DATA';
  /** The definition as written. */
  readonly source: string;
  readonly origin?: RoutineOrigin;
}

/**
 * `CREATE FUNCTION`: a scalar function returns the value of one expression (`RETURN expr`), a
 * table function the rows of one query (`RETURNS TABLE (...) ... RETURN TABLE (query)`).
 */
export interface FunctionDef extends RoutineBase {
  readonly kind: 'function';
  readonly returns: { readonly kind: 'scalar'; readonly type: RoutineType } | { readonly kind: 'table'; readonly columns: readonly RoutineField[] };
  /** `RETURNS NULL ON NULL INPUT`: NULL (no rows, for a table function) when an argument is NULL. */
  readonly nullOnNullInput: boolean;
  /** The expression (scalar) or the query (table), as written; parameters are named in it. */
  readonly body: string;
}

/** `CREATE PROCEDURE`: SQL statements run in order by CALL. */
export interface ProcedureDef extends RoutineBase {
  readonly kind: 'procedure';
  /** The body's statements, as written (without their `;`). */
  readonly statements: readonly string[];
  /** `DYNAMIC RESULT SETS n` (0 when not given). */
  readonly resultSets: number;
}

/** A user-defined function or procedure (DataDirect's routines, HyperSQL's syntax). */
export type RoutineDef = FunctionDef | ProcedureDef;

/** Every table of an endpoint, parents before children. */
export function tablesOf(table: TableDef): TableDef[] {
  return [table, ...table.children.flatMap(tablesOf)];
}

/**
 * How a child table's rows point at their parent row: its `parent` columns copy the parent's key
 * columns (those marked `key`, in column order), the first to the first. A map child's own key
 * column comes after the ones its children copy, so a child may copy fewer than the parent has.
 */
export function parentLinks(parent: TableDef, child: TableDef): { column: string; parentColumn: string }[] {
  const keys = parent.columns.filter((c) => c.key);
  return child.columns
    .filter((c) => c.source === 'parent')
    .flatMap((c, i) => {
      const key = keys[i];
      return key ? [{ column: c.name, parentColumn: key.name }] : [];
    });
}

export function allTables(model: ResolvedModel): TableDef[] {
  return model.endpoints.flatMap((e) => tablesOf(e.table));
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
