import { formatElement } from './element.js';
import { childTableName, columnName, mapTableName, type QualifyNames } from './naming.js';
import type { ColumnDef, ColumnType, EndpointDef, FormatDef, PagingDef, ParamTemplate, PathDef, PathStep, ResolvedModel, TableDef, WriteDef, WriteOperation } from './types.js';

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
  readonly pathFromRoot: readonly PathStep[];
}

/** The name the reader gives a column at `path`, with renamed segments (`field<prefix>[N]`) put in. */
function ruleName(path: readonly PathStep[], subs: ReadonlyMap<number, string>, from = 0): string {
  return columnName(path.map((step, i) => subs.get(i + from) ?? step));
}

/**
 * The prefix a `field<prefix>[N]` group was read with: the segment that, put in place of the
 * field (at `at - 1`), gives the group's columns their names; undefined when the field's own name
 * does. Columns inside a nested group are checked by that group (its own prefix may differ).
 */
function groupPrefix(cols: readonly ColumnDef[], at: number, subs: ReadonlyMap<number, string>): string | undefined {
  const direct = cols.filter((c) => !c.path.slice(at + 1).some((p) => typeof p === 'number'));
  const c0 = direct[0] ?? cols[0]!;
  const head = at > 1 ? `${ruleName(c0.path.slice(0, at - 1), subs)}_` : '';
  if (!c0.name.startsWith(head)) return undefined;
  let prefix: string;
  if (direct.length > 0) {
    if (direct.every((c) => c.name === ruleName(c.path, subs))) return undefined;
    const tail = `_${ruleName(c0.path.slice(at), subs, at)}`;
    if (!c0.name.endsWith(tail)) return undefined;
    prefix = c0.name.slice(head.length, c0.name.length - tail.length);
  } else {
    // Only nested groups: the prefix ends where this group's position does.
    const cut = c0.name.indexOf(`_${(c0.path[at] as number) + 1}_`, head.length);
    if (cut < 0) return undefined;
    prefix = c0.name.slice(head.length, cut);
    if (prefix === ruleName([c0.path[at - 1]!], new Map())) return undefined;
  }
  const with_ = new Map(subs).set(at - 1, prefix);
  return prefix !== '' && direct.every((c) => c.name === ruleName(c.path, with_)) ? prefix : undefined;
}

/**
 * Columns as model-file members, from `base` (the path they share) down: nested objects, and
 * `field[N]` groups for columns read by array position.
 */
function describeColumns(cols: readonly ColumnDef[], base: readonly PathStep[], subs: ReadonlyMap<number, string>): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  const groups = new Map<string, { at: number; cols: ColumnDef[] }>();
  for (const c of cols) {
    const rel = c.path.slice(base.length);
    const k = rel.findIndex((p) => typeof p === 'number');
    if (k < 0) {
      const leaf = String(rel[rel.length - 1]!);
      put(out, [...rel.slice(0, -1).map(String), renamed(leaf, c.name, ruleName(c.path, subs))], columnText(c));
      continue;
    }
    const key = JSON.stringify(rel.slice(0, k));
    const g = groups.get(key) ?? { at: base.length + k, cols: [] };
    g.cols.push(c);
    groups.set(key, g);
  }
  for (const [key, g] of groups) {
    const relPrefix = (JSON.parse(key) as string[]).map(String);
    const field = relPrefix[relPrefix.length - 1]!;
    const count = Math.max(...g.cols.map((c) => c.path[g.at] as number)) + 1;
    const prefix = groupPrefix(g.cols, g.at, subs);
    const inner = prefix !== undefined ? new Map(subs).set(g.at - 1, prefix) : subs;
    const first = g.cols.filter((c) => c.path[g.at] === 0);
    const scalar = first.find((c) => c.path.length === g.at + 1);
    const value = scalar ? columnText(scalar) : describeColumns(first, first[0]!.path.slice(0, g.at + 1), inner);
    put(out, [...relPrefix.slice(0, -1), `${field}${prefix !== undefined ? `<${prefix}>` : ''}[${count}]`], value);
  }
  return out;
}

function describeTable(table: TableDef, at: Place): { [key: string]: Json } {
  // Path parameters become virtual columns by themselves; the #path says them already.
  const out = describeColumns(table.columns.filter((c) => (c.source === 'json' || c.source === 'virtual') && c.path.length > 0), [], new Map());
  for (const child of table.children) {
    const arrayPath = child.arrayPath.map(String);
    const field = arrayPath[arrayPath.length - 1]!;
    const mapKey = child.map ? child.columns.find((c) => c.source === 'mapkey') : undefined;
    const pathFromRoot = [...at.pathFromRoot, ...child.arrayPath];
    const place = { root: at.root, parent: table.name, pathFromRoot };
    const ruleTable = child.map ? mapTableName(at.qualify, place) : childTableName(at.qualify, place);
    // A map's <> holds its key column, so its table always has the rule's name.
    const member = mapKey ? `${field}<${mapKey.name}:${REST_TYPE[mapKey.type]}>` : `${renamed(field, child.name, ruleTable)}[]`;
    const scalar = child.columns.find((c) => c.source === 'json' && c.path.length === 0);
    put(out, [...arrayPath.slice(0, -1), member], scalar ? REST_TYPE[scalar.type] : describeTable(child, { ...at, pathFromRoot }));
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
    ...writeEntries(e.writes),
  };
}

/** `#insert`, `#update`, `#delete` and `#sendOnlyUpdated`, as the model-file reader takes them. */
function writeEntries(w: WriteDef | undefined): { [key: string]: Json } {
  if (!w) return {};
  const text = (op: WriteOperation): string => `${op.method} ${op.url}${op.array ? '[]' : ''}${op.jsonRoot?.length ? ` /${formatElement(op.jsonRoot)}` : ''}`;
  return {
    ...(w.insert ? { '#insert': text(w.insert) } : {}),
    ...(w.update ? { '#update': text(w.update) } : {}),
    ...(w.delete ? { '#delete': text(w.delete) } : {}),
    ...(w.sendOnlyUpdated ? { '#sendOnlyUpdated': true } : {}),
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
