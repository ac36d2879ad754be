/**
 * The persisted relational map (CreateMap 0, 1, 2; SchemaMap): what sampling inferred, written as
 * versioned JSON so later connections skip sampling.
 *
 * Only what sampling produced is kept: per sampled entry its table tree (columns, types, keys,
 * child and map tables) and JSON root, the paging RestSamplePath detected, and how each sampling
 * went. Everything else (URLs, #headers, #post bodies, #http rules, columns a model file gives)
 * comes from the model file and the options at every connect, so no credential a model file or a
 * URL carries is ever written here, and a tampered map cannot point requests anywhere.
 *
 * A map is used only for the inputs it was built from: its `fingerprint` (a SHA-256 the engine
 * computes over the model file's text or the sample URL and the mapping options) must match.
 * Reading validates every field; anything unexpected is MODEL_MAP_INVALID, never a partly read
 * map. Writing is atomic (a temporary file of mode 0600 renamed over the old map) and never
 * replaces a file that is not a restsql map.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { RestSqlError } from '../errors/index.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { COLUMN_TYPES, type ColumnDef, type PagingDef, type PathStep, type ParamTemplate, type SamplingStatus, type TableDef } from './types.js';

/** The `format` member every map file starts with. */
export const MAP_FORMAT = 'restsql-map';
/** Bumped whenever the stored shape changes: a map of another version is rebuilt (or refused under CreateMap=No). */
export const MAP_VERSION = 1;
/** Largest map file read. */
const MAX_MAP_BYTES = 64 * 1024 * 1024;
/** Deepest table tree read (child tables of child tables ...). */
const MAX_DEPTH = 64;

/** One sampled entry: a model file's URL-only table (by its entry name) or the RestSamplePath table. */
export interface StoredTable {
  /** The model file's entry name (RestSamplePath: the table name). */
  readonly entry: string;
  readonly jsonRoot: readonly string[];
  readonly table: TableDef;
  /** RestSamplePath: the paging its first response showed. */
  readonly paging?: PagingDef;
}

export interface StoredMap {
  readonly fingerprint: string;
  /** Where the map came from, for people reading the file (model file path, or the sample URL redacted). */
  readonly source: string;
  readonly tables: readonly StoredTable[];
  /** How sampling each entry went (failures that SamplingFailureTolerance let pass included). */
  readonly sampling: readonly SamplingStatus[];
}

const OPTION_HINT_FORCE = 'Connect once with CreateMap=ForceNew (1) to rebuild it, or delete the file.';

function invalid(file: string, why: string, hint = OPTION_HINT_FORCE): RestSqlError {
  return new RestSqlError('MODEL_MAP_INVALID', `SchemaMap: ${file} ${why}`, { hint, details: { option: 'SchemaMap', file } });
}

/**
 * The map file for SchemaMap `schemaMap` (undefined: `defaultDir`). A folder (existing, or a path
 * ending in a separator) gets a file named after `label` and a hash of `identity` (model file
 * path or sample URL, HostName, User), so different sources never share a file; any other path
 * is the map file itself.
 */
export function mapFileFor(schemaMap: string | undefined, defaultDir: string, label: string, identity: string): string {
  const given = schemaMap ?? `${defaultDir}${sep}`;
  const isDir = given.endsWith('/') || given.endsWith(sep) || isDirectory(given);
  if (!isDir) return resolve(given);
  const safe = label.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 48) || 'map';
  return join(resolve(given), `${safe}-${sha256(identity).slice(0, 16)}.json`);
}

/** Hex SHA-256 of `text` (map file names, fingerprints). */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The map persisted at `file`, or undefined when there is none. Throws MODEL_MAP_INVALID for anything that is not a valid map of this version. */
export function readMap(file: string): (StoredMap & { readonly version: number }) | undefined {
  let text: string;
  try {
    const st = lstatSync(file);
    if (!st.isFile()) throw invalid(file, 'is not a regular file.', 'Point SchemaMap at a folder or at a map file of restsql\'s own.');
    if (st.size > MAX_MAP_BYTES) throw invalid(file, `is ${st.size} bytes, more than a map may be (${MAX_MAP_BYTES}).`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof RestSqlError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw invalid(file, `cannot be read (${code ?? (e as Error).message}).`, 'Check the file\'s permissions, or point SchemaMap elsewhere.');
  }
  if (!looksLikeMap(text)) throw invalid(file, 'is not a restsql map.', 'Point SchemaMap at a folder or at a map file of restsql\'s own; restsql neither reads nor replaces other files.');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalid(file, `is corrupt (${(e as Error).message}).`);
  }
  const root = record(json, file, 'the file');
  if (root.version !== MAP_VERSION) throw invalid(file, `is a map of version ${JSON.stringify(root.version)}; this restsql reads version ${MAP_VERSION}.`);
  try {
    return {
      version: MAP_VERSION,
      fingerprint: str(root.fingerprint, 'fingerprint'),
      source: str(root.source, 'source'),
      tables: arr(root.tables, 'tables').map((t, i) => storedTable(t, `tables[${i}]`)),
      sampling: arr(root.sampling, 'sampling').map((s, i) => samplingStatus(s, `sampling[${i}]`)),
    };
  } catch (e) {
    if (e instanceof BadField) throw invalid(file, `is corrupt: ${e.message}.`);
    throw e;
  }
}

/** Whether `text` starts as restsql writes its maps (so a corrupt map is told from a file that never was one). */
function looksLikeMap(text: string): boolean {
  return /^\s*\{\s*"format"\s*:\s*"restsql-map"/.test(text);
}

/**
 * Writes `map` to `file` atomically (a temporary file of mode 0600 in the same folder, renamed
 * over it), making the folder (0700) when missing. Refuses to replace anything that is not a
 * restsql map.
 */
export function writeMap(file: string, map: StoredMap): void {
  const text = `${JSON.stringify({ format: MAP_FORMAT, version: MAP_VERSION, fingerprint: map.fingerprint, source: map.source, tables: map.tables, sampling: map.sampling }, null, 1)}\n`;
  const dir = dirname(file);
  try {
    const st = lstatSync(file);
    if (!st.isFile()) throw invalid(file, 'is not a regular file, so restsql does not replace it.', 'Point SchemaMap at a folder or at a map file of restsql\'s own.');
    const head = readFileSync(file, { encoding: 'utf8', flag: 'r' }).slice(0, 256);
    if (!looksLikeMap(head)) throw invalid(file, 'is not a restsql map, so restsql does not replace it.', 'Point SchemaMap at a folder or at a file of restsql\'s own, or remove that file.');
  } catch (e) {
    if (e instanceof RestSqlError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw writeError(file, e);
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileAtomicSync(file, text, 0o600);
  } catch (e) {
    throw writeError(file, e);
  }
}

function writeError(file: string, e: unknown): RestSqlError {
  return new RestSqlError('MODEL_MAP_WRITE', `SchemaMap: the relational map cannot be written to ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, {
    hint: 'Point SchemaMap at a folder you can write to, or use CreateMap=Session (3) to keep the map in memory only.',
    details: { option: 'SchemaMap', file },
    cause: e,
  });
}

// ---- Validation: every field of the stored shape, nothing more.

class BadField extends Error {}

function bad(where: string, what: string): never {
  throw new BadField(`${where} ${what}`);
}

function record(v: unknown, file: string, where: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalid(file, `is corrupt: ${where} is not an object.`);
  return v as Record<string, unknown>;
}

function obj(v: unknown, where: string, allowed: readonly string[]): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(where, 'is not an object');
  for (const k of Object.keys(v)) if (!allowed.includes(k)) bad(where, `has an unknown member '${k}'`);
  return v as Record<string, unknown>;
}

function str(v: unknown, where: string, max = 4096): string {
  if (typeof v !== 'string' || v.length > max) bad(where, 'is not a string (of at most 4096 characters)');
  return v;
}

function name(v: unknown, where: string): string {
  const s = str(v, where, 1024);
  if (s === '') bad(where, 'is empty');
  return s;
}

function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') bad(where, 'is not true or false');
  return v;
}

function int(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) bad(where, 'is not a whole number');
  return v;
}

function arr(v: unknown, where: string, max = 100_000): unknown[] {
  if (!Array.isArray(v) || v.length > max) bad(where, `is not a list (of at most ${max} entries)`);
  return v;
}

function strings(v: unknown, where: string): string[] {
  return arr(v, where, 1024).map((s, i) => str(s, `${where}[${i}]`));
}

/** A column's or array's path: member names, and positions (`field[1]`) as whole numbers. */
function pathSteps(v: unknown, where: string): PathStep[] {
  return arr(v, where, 1024).map((s, i) => (typeof s === 'number' ? int(s, `${where}[${i}]`) : str(s, `${where}[${i}]`)));
}

function storedTable(v: unknown, where: string): StoredTable {
  const o = obj(v, where, ['entry', 'jsonRoot', 'table', 'paging']);
  return {
    entry: name(o.entry, `${where}.entry`),
    jsonRoot: strings(o.jsonRoot, `${where}.jsonRoot`),
    table: tableDef(o.table, `${where}.table`, 0),
    ...(o.paging !== undefined ? { paging: pagingDef(o.paging, `${where}.paging`) } : {}),
  };
}

const SOURCES: readonly ColumnDef['source'][] = ['json', 'parent', 'position', 'rowid', 'virtual', 'mapkey'];

function column(v: unknown, where: string): ColumnDef {
  const o = obj(v, where, ['name', 'path', 'type', 'key', 'source', 'readonly', 'filter']);
  if (o.filter !== undefined) bad(where, 'has a filter, which only model files give');
  const type = str(o.type, `${where}.type`);
  if (!(COLUMN_TYPES as readonly string[]).includes(type)) bad(`${where}.type`, `'${type}' is not a column type`);
  const source = str(o.source, `${where}.source`);
  if (!(SOURCES as readonly string[]).includes(source)) bad(`${where}.source`, `'${source}' is not a column source`);
  return {
    name: name(o.name, `${where}.name`),
    path: pathSteps(o.path, `${where}.path`),
    type: type as ColumnDef['type'],
    key: bool(o.key, `${where}.key`),
    source: source as ColumnDef['source'],
    ...(o.readonly !== undefined ? { readonly: bool(o.readonly, `${where}.readonly`) } : {}),
  };
}

function tableDef(v: unknown, where: string, depth: number): TableDef {
  if (depth > MAX_DEPTH) bad(where, `nests deeper than ${MAX_DEPTH} tables`);
  const o = obj(v, where, ['name', 'columns', 'arrayPath', 'parent', 'children', 'map']);
  const columns = arr(o.columns, `${where}.columns`).map((c, i) => column(c, `${where}.columns[${i}]`));
  if (columns.length === 0) bad(`${where}.columns`, 'is empty');
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name.toLowerCase())) bad(`${where}.columns`, `names '${c.name}' twice`);
    seen.add(c.name.toLowerCase());
  }
  return {
    name: name(o.name, `${where}.name`),
    columns,
    arrayPath: pathSteps(o.arrayPath, `${where}.arrayPath`),
    ...(o.parent !== undefined ? { parent: name(o.parent, `${where}.parent`) } : {}),
    children: arr(o.children, `${where}.children`, 10_000).map((c, i) => tableDef(c, `${where}.children[${i}]`, depth + 1)),
    ...(o.map !== undefined ? { map: bool(o.map, `${where}.map`) } : {}),
  };
}

function template(v: unknown, where: string): ParamTemplate {
  const o = obj(v, where, ['name', 'value']);
  return { name: name(o.name, `${where}.name`), value: str(o.value, `${where}.value`) };
}

const PAGING_TEMPLATES = ['pageSizeParameter', 'rowOffsetParameter', 'pageNumberParameter', 'nextPageParameter'] as const;
const PAGING_PATHS = ['nextPageElement', 'hasMoreElement', 'totalPagesElement', 'totalRowsElement', 'pageSizeElement'] as const;

function pagingDef(v: unknown, where: string): PagingDef {
  const o = obj(v, where, ['maximumPageSize', 'firstRowNumber', 'firstPageNumber', 'nextPageResponseHeader', ...PAGING_TEMPLATES, ...PAGING_PATHS]);
  const out: Record<string, unknown> = {
    firstRowNumber: int(o.firstRowNumber, `${where}.firstRowNumber`),
    firstPageNumber: int(o.firstPageNumber, `${where}.firstPageNumber`),
  };
  if (o.maximumPageSize !== undefined) out.maximumPageSize = int(o.maximumPageSize, `${where}.maximumPageSize`);
  if (o.nextPageResponseHeader !== undefined) out.nextPageResponseHeader = name(o.nextPageResponseHeader, `${where}.nextPageResponseHeader`);
  for (const k of PAGING_TEMPLATES) if (o[k] !== undefined) out[k] = template(o[k], `${where}.${k}`);
  for (const k of PAGING_PATHS) if (o[k] !== undefined) out[k] = strings(o[k], `${where}.${k}`);
  return out as unknown as PagingDef;
}

function samplingStatus(v: unknown, where: string): SamplingStatus {
  const o = obj(v, where, ['table', 'uri', 'success', 'httpStatus', 'message', 'keyCandidates']);
  return {
    table: name(o.table, `${where}.table`),
    uri: str(o.uri, `${where}.uri`),
    success: bool(o.success, `${where}.success`),
    httpStatus: o.httpStatus === null ? null : int(o.httpStatus, `${where}.httpStatus`),
    message: str(o.message, `${where}.message`),
    keyCandidates: str(o.keyCandidates, `${where}.keyCandidates`),
  };
}
