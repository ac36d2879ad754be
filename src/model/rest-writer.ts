import type { ColumnDef, ColumnType, EndpointDef, ResolvedModel, TableDef } from './types.js';

/** Type names as DataDirect model files write them. */
const REST_TYPE: Readonly<Record<ColumnType, string>> = {
  INTEGER: 'Integer',
  BIGINT: 'BigInt',
  DOUBLE: 'Double',
  BOOLEAN: 'Boolean',
  TIMESTAMP: 'Timestamp',
  DATE: 'Date',
  UUID: 'UUID',
  VARCHAR: 'VarChar',
  JSON: 'JSON',
};

type Json = string | { [key: string]: Json };

function typeText(c: ColumnDef): string {
  return REST_TYPE[c.type] + (c.key ? ',#key' : '');
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

/** A member name with the SQL name in <> when it differs from what the default naming would give. */
function renamed(jsonName: string, sqlName: string, defaultName: string): string {
  return sqlName === defaultName ? jsonName : `${jsonName}<${sqlName}>`;
}

function describeTable(table: TableDef): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const c of table.columns) {
    if (c.source !== 'json') continue;
    if (c.path.length === 0) continue;
    const leaf = c.path[c.path.length - 1]!;
    const defaultName = c.path.join('_').replace(/[^A-Za-z0-9_]+/g, '_');
    put(out, [...c.path.slice(0, -1), renamed(leaf, c.name, defaultName)], typeText(c));
  }
  for (const child of table.children) {
    const field = child.arrayPath[child.arrayPath.length - 1]!;
    const member = `${renamed(field, child.name, field)}[]`;
    const scalar = child.columns.find((c) => c.source === 'json' && c.path.length === 0);
    put(out, [...child.arrayPath.slice(0, -1), member], scalar ? REST_TYPE[scalar.type] : describeTable(child));
  }
  return out;
}

function pathText(e: EndpointDef): string {
  const root = e.jsonRoot.length ? ' /' + e.jsonRoot.join('/') : '';
  return `${e.method} ${e.url}${root}`;
}

/**
 * The model as .rest text in DataDirect's model-file syntax, so `restsql sample` output can be
 * saved, edited and used as RestConfigFile.
 */
export function writeRestModel(model: ResolvedModel): string {
  const doc: { [key: string]: Json } = {};
  for (const e of model.endpoints) {
    doc[e.table.name] = { '#path': pathText(e), ...describeTable(e.table) };
  }
  return JSON.stringify(doc, null, 2) + '\n';
}
