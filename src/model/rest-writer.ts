import { formatElement } from './element.js';
import { childTableName, columnName, type QualifyNames } from './naming.js';
import type { ColumnDef, ColumnType, EndpointDef, FormatDef, PagingDef, ParamTemplate, PathDef, ResolvedModel, TableDef } from './types.js';

/** Type names as DataDirect model files write them. */
const REST_TYPE: Readonly<Record<ColumnType, string>> = {
  INTEGER: 'Integer',
  BIGINT: 'BigInt',
  HUGEINT: 'HugeInt',
  DOUBLE: 'Double',
  BOOLEAN: 'Boolean',
  TIMESTAMP: 'Timestamp',
  DATE: 'Date',
  UUID: 'UUID',
  VARCHAR: 'VarChar',
  JSON: 'JSON',
};

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function typeText(c: ColumnDef): string {
  return REST_TYPE[c.type] + (c.key ? ',#key' : '') + (c.readonly ? ',#readonly' : '');
}

/** A column in the object form when it pushes filters or is virtual, else its type string. */
function columnText(c: ColumnDef): Json {
  if (!c.filter && c.source !== 'virtual') return typeText(c);
  const out: { [key: string]: Json } = { '#type': REST_TYPE[c.type] };
  if (c.key) out['#key'] = true;
  if (c.source === 'virtual') out['#virtual'] = true;
  const f = c.filter;
  if (f) {
    for (const [op, param] of Object.entries(f.ops)) out[`#${op}`] = param;
    if (f.queryParameter) out['#queryParameter'] = f.queryParameter;
    if (f.header) out['#header'] = f.header;
    if (f.postParameter) out['#postParameter'] = f.postParameter;
    if (f.default !== undefined) out['#default'] = f.default;
    if (f.mandatory) out['#mandatory'] = true;
  }
  return out;
}

/** Places `value` at `path` in a nested object, creating members as needed. */
function put(target: { [key: string]: Json }, path: readonly string[], value: Json): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (next === undefined || typeof next === 'string') node[part] = {};
    node = node[part] as { [key: string]: Json };
  }
  node[path[path.length - 1]!] = value;
}

/**
 * A member name with the SQL name in <> when it differs from the name the reader's naming rule
 * gives (naming.ts). Names are unique in their scope (tables in a model, columns in a table), so a
 * reader that takes the written names (bare ones by the rule, the others as written) gets each
 * back unchanged, in whatever order it meets them.
 */
function renamed(jsonName: string, sqlName: string, ruleName: string): string {
  return sqlName === ruleName ? jsonName : `${jsonName}<${sqlName}>`;
}

/** Where a table sits in its endpoint's tree, for the child-table naming rule. */
interface Place {
  readonly qualify: QualifyNames;
  readonly root: string;
  readonly pathFromRoot: readonly string[];
}

function describeTable(table: TableDef, at: Place): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const c of table.columns) {
    if (c.source !== 'json' && c.source !== 'virtual') continue;
    // Path parameters become virtual columns by themselves; the #path says them already.
    if (c.path.length === 0) continue;
    const leaf = c.path[c.path.length - 1]!;
    put(out, [...c.path.slice(0, -1), renamed(leaf, c.name, columnName(c.path))], columnText(c));
  }
  for (const child of table.children) {
    const field = child.arrayPath[child.arrayPath.length - 1]!;
    const mapKey = child.map ? child.columns.find((c) => c.source === 'mapkey') : undefined;
    const pathFromRoot = [...at.pathFromRoot, ...child.arrayPath];
    const ruleName = childTableName(at.qualify, { root: at.root, parent: table.name, pathFromRoot });
    // A map's <> holds its key column, so its table always has the rule's name.
    const member = mapKey ? `${field}<${mapKey.name}:${REST_TYPE[mapKey.type]}>` : `${renamed(field, child.name, ruleName)}[]`;
    const scalar = child.columns.find((c) => c.source === 'json' && c.path.length === 0);
    put(out, [...child.arrayPath.slice(0, -1), member], scalar ? REST_TYPE[scalar.type] : describeTable(child, { ...at, pathFromRoot }));
  }
  return out;
}

function pathText(p: Pick<PathDef, 'method' | 'url' | 'jsonRoot'>, jsonRoot: readonly string[]): string {
  const root = (p.jsonRoot ?? jsonRoot).length ? ' /' + formatElement(p.jsonRoot ?? jsonRoot) : '';
  return `${p.method} ${p.url}${root}`;
}

function template(t: ParamTemplate, token: string): string {
  return t.value === token ? t.name : `${t.name}=${t.value}`;
}

function pagingEntries(p: PagingDef | undefined): { [key: string]: Json } {
  if (!p) return {};
  const out: { [key: string]: Json } = {};
  if (p.maximumPageSize !== undefined) out['#maximumPageSize'] = p.maximumPageSize;
  if (p.pageSizeParameter) out['#pageSizeParameter'] = template(p.pageSizeParameter, '{LIMIT}');
  if (p.rowOffsetParameter) out['#rowOffsetParameter'] = template(p.rowOffsetParameter, '{OFFSET}');
  if (p.rowOffsetParameter && p.firstRowNumber !== 0) out['#firstRowNumber'] = p.firstRowNumber;
  if (p.pageNumberParameter) out['#pageNumberParameter'] = template(p.pageNumberParameter, '{PAGE}');
  if (p.pageNumberParameter && p.firstPageNumber !== 0) out['#firstPageNumber'] = p.firstPageNumber;
  if (p.nextPageParameter) out['#nextPageParameter'] = template(p.nextPageParameter, '{NEXT}');
  if (p.nextPageElement) out['#nextPageElement'] = formatElement(p.nextPageElement);
  if (p.nextPageResponseHeader) out['#nextPageResponseHeader'] = p.nextPageResponseHeader;
  if (p.hasMoreElement) out['#hasMoreElement'] = formatElement(p.hasMoreElement);
  if (p.totalPagesElement) out['#totalPagesElement'] = formatElement(p.totalPagesElement);
  if (p.totalRowsElement) out['#totalRowsElement'] = formatElement(p.totalRowsElement);
  if (p.pageSizeElement) out['#pageSizeElement'] = formatElement(p.pageSizeElement);
  return out;
}

/** `#format` and its settings, as the model-file reader takes them. */
function formatEntries(f: FormatDef | undefined): { [key: string]: Json } {
  if (!f) return {};
  return {
    ...(f.format ? { '#format': f.format } : {}),
    ...(f.delimiter !== undefined ? { '#delimiter': f.delimiter } : {}),
    ...(f.quote !== undefined ? { '#quote': f.quote } : {}),
    ...(f.headerRow !== undefined ? { '#headerRow': f.headerRow } : {}),
    ...(f.encoding !== undefined ? { '#encoding': f.encoding } : {}),
  };
}

function endpointEntries(e: EndpointDef): { [key: string]: Json } {
  const paths = (e.paths ?? [{ url: e.url, method: e.method }]).map((p) => pathText(p, e.jsonRoot));
  return {
    '#path': paths.length === 1 ? paths[0]! : paths,
    ...pagingEntries(e.paging),
    ...(e.headers && Object.keys(e.headers).length ? { '#headers': { ...e.headers } } : {}),
    ...(e.postBody !== undefined ? { '#post': e.postBody as Json } : {}),
    ...(e.fieldListParameter ? { '#fieldListParameter': e.fieldListParameter } : {}),
    ...formatEntries(e.format),
    ...(e.http ? { '#http': e.http.map((r) => ({ '#code': r.code, '#action': r.action, ...(r.operation ? { '#operation': r.operation } : {}), ...(r.match ? { '#match': r.match } : {}), ...(r.message ? { '#message': r.message } : {}) })) } : {}),
  };
}

export interface RestWriterOptions {
  /**
   * The QualifyNormalizedNames the file will be read with: child tables that value names as they
   * are named now are written bare (`tags[]`), the others with their name (`tags<users_tags>[]`).
   * Default 0.
   */
  readonly qualifyNames?: QualifyNames;
}

/**
 * The model as .rest text in DataDirect's model-file syntax, so `restsql sample` output can be
 * saved, edited and used as RestConfigFile.
 */
export function writeRestModel(model: ResolvedModel, options: RestWriterOptions = {}): string {
  const qualify = options.qualifyNames ?? 0;
  const doc: { [key: string]: Json } = {};
  for (const e of model.endpoints) {
    doc[e.table.name] = { ...endpointEntries(e), ...describeTable(e.table, { qualify, root: e.table.name, pathFromRoot: [] }) };
  }
  return JSON.stringify(doc, null, 2) + '\n';
}
