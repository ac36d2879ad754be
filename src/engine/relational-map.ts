/**
 * The relational map's life cycle (CreateMap, SchemaMap): builds the model a connection answers
 * over, by sampling (a model file's URL-only entries, or RestSamplePath) or from the map persisted
 * at SchemaMap, and persists what sampling produced when CreateMap says so. REFRESH MAP runs it
 * again with `refresh` (always samples; persists unless CreateMap=Session).
 *
 * CreateMap: 0 NotExist (reuse a persisted map built from the same inputs, else build and
 * persist), 1 ForceNew (build and persist), 2 No (reuse; fail when there is none for these
 * inputs), 3 Session (build, keep in memory only; the default).
 */
import type { Redactor } from '../errors/index.js';
import { RestSqlError } from '../errors/index.js';
import type { HttpClient } from '../http/contract.js';
import { resolveEndpointUrl } from '../model/endpoint-url.js';
import { loadModelFile, type OriginList, type ReusedSampling } from '../model/load.js';
import { mapFileFor, readMap, sha256, writeMap, type StoredMap, type StoredTable } from '../model/map-store.js';
import { readModelFile } from '../model/read-file.js';
import { sampleEndpoint, tableNameFromUrl } from '../model/sample-endpoint.js';
import type { PrefetchedPage } from '../model/sample-source.js';
import { allTables, deepFreeze, type EndpointDef, type FormatDef, type ResolvedModel, type ResponseFormat } from '../model/types.js';
import { OPTION_CATALOG, type ConnectionOptions, type OptionSpec } from '../options/index.js';
import type { Logger } from '../util/logger.js';
import { stateDir } from '../util/state-dir.js';
import { sampleSourceOf } from './sampling.js';

export const CREATE_MAP = { notExist: 0, forceNew: 1, no: 2, session: 3 } as const;

export interface BuiltModel {
  readonly model: ResolvedModel;
  /** First pages sampling fetched (none when the map was reused). */
  readonly prefetched: Map<EndpointDef, PrefetchedPage>;
  /** The persisted map file used or written, if any. */
  readonly mapFile?: string;
  /** Whether the model came from the persisted map (no sampling request was sent). */
  readonly reused: boolean;
  /**
   * Writes the map as CreateMap says: called once the tables are built from the model, so a
   * connection or REFRESH MAP that fails after sampling leaves the persisted map as it was.
   */
  readonly persist: () => void;
}

export interface MapContext {
  readonly options: ConnectionOptions;
  readonly env: NodeJS.ProcessEnv;
  readonly http: HttpClient;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly origins?: OriginList;
}

/**
 * Options whose value changes what sampling infers or which map applies: the Connection and
 * Mapping groups (model file, sample URL, HostName, naming, MaxColumns, tolerance ...) and who
 * signs in (User, the authentication method, ClientID, the API key header or parameter name, the
 * AWS key and region: another account may see other fields), never a secret and never CreateMap
 * or SchemaMap.
 */
const IDENTITY_KEYS = new Set(['user', 'authenticationMethod', 'clientId', 'authHeader', 'authParam', 'accessKey', 'region', 'serviceName', 'claimsSubject']);
const FINGERPRINTED: readonly OptionSpec[] = (OPTION_CATALOG as readonly OptionSpec[]).filter(
  (s) => (s.group === 'Connection' || s.group === 'Mapping' || IDENTITY_KEYS.has(s.key)) && s.kind !== 'secret' && s.key !== 'createMap' && s.key !== 'schemaMap',
);

/** The fingerprint a persisted map must carry to be used: the model file's text (or none) and the fingerprinted options. */
export function mapFingerprint(options: ConnectionOptions, modelText: string | undefined): string {
  const values = options as unknown as Readonly<Record<string, unknown>>;
  const inputs = FINGERPRINTED.map((s) => [s.name, values[s.key] ?? null]);
  return sha256(JSON.stringify({ model: modelText === undefined ? null : sha256(modelText), options: inputs }));
}

/** The map file for these options (SchemaMap, else `$RESTSQL_HOME/maps/`). */
export function mapFileOf(options: ConnectionOptions, env: NodeJS.ProcessEnv): string {
  const source = options.restConfigFile ?? options.restSamplePath ?? '';
  const label = options.restConfigFile !== undefined ? options.restConfigFile.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '') : (options.table ?? 'sample');
  const o = options as unknown as Readonly<Record<string, unknown>>;
  const identity = JSON.stringify([options.restConfigFile !== undefined ? 'file' : 'sample', source, options.hostName ?? null, ...[...IDENTITY_KEYS].map((k) => o[k] ?? null)]);
  return mapFileFor(options.schemaMap, `${stateDir(env)}/maps`, label, identity);
}

/**
 * Builds the model for a connection (`refresh`: for REFRESH MAP, which re-reads the model file
 * and always samples). `modelText`: the model file's text when the caller read it already.
 */
export async function buildModel(ctx: MapContext, opts: { refresh: boolean; modelText?: string | undefined }): Promise<BuiltModel> {
  const { options } = ctx;
  const modelText = options.restConfigFile === undefined ? undefined : (opts.modelText ?? readModelFile(options.restConfigFile));
  if (modelText === undefined && options.restSamplePath === undefined) {
    throw new RestSqlError('CONFIG_MISSING_OPTION', 'Neither RestSamplePath nor RestConfigFile is set: there is nothing to query.', {
      hint: 'Add RestSamplePath=https://api.example.com/v1/items (one endpoint) or RestConfigFile=api.rest (a model file).',
      details: { option: 'RestSamplePath' },
    });
  }
  const createMap = options.createMap;
  const persists = createMap !== CREATE_MAP.session;
  const file = persists ? mapFileOf(options, ctx.env) : undefined;
  const fingerprint = persists ? mapFingerprint(options, modelText) : '';
  let reuse: StoredMap | undefined;
  if (file !== undefined && !opts.refresh && (createMap === CREATE_MAP.notExist || createMap === CREATE_MAP.no)) {
    const stored = readMap(file);
    if (stored?.fingerprint === fingerprint) reuse = stored;
    else if (createMap === CREATE_MAP.no) throw missingMap(file, stored !== undefined);
    else if (stored) ctx.logger.info(`SchemaMap: ${file} was built from another model file or other options; sampling again`);
  }
  const built = modelText !== undefined ? await fromModelFile(ctx, modelText, reuse) : await fromSamplePath(ctx, reuse);
  const model = built.model;
  if (reuse) checkNames(model, file!);
  const persist = (): void => {
    if (file !== undefined && !reuse) {
      writeMap(file, {
        fingerprint,
        source: modelText !== undefined ? options.restConfigFile! : ctx.redactor.url(resolveEndpointUrl(options.restSamplePath!, options.hostName, options.portNumber)),
        tables: built.sampled,
        sampling: (model.sampling ?? []).map((s) => ({ ...s, uri: ctx.redactor.url(s.uri), message: ctx.redactor.text(s.message) })),
      });
      ctx.logger.debug(`SchemaMap: the relational map is written to ${file}`);
    } else if (reuse) {
      ctx.logger.debug(`SchemaMap: the relational map is read from ${file}; nothing sampled`);
    }
  };
  return { model, prefetched: built.prefetched, reused: reuse !== undefined, persist, ...(file !== undefined ? { mapFile: file } : {}) };
}

interface Sampled {
  readonly model: ResolvedModel;
  readonly prefetched: Map<EndpointDef, PrefetchedPage>;
  readonly sampled: readonly StoredTable[];
}

async function fromModelFile(ctx: MapContext, text: string, reuse: StoredMap | undefined): Promise<Sampled> {
  const reused: ReusedSampling | undefined = reuse ? { tables: reuse.tables, sampling: reuse.sampling } : undefined;
  return loadModelFile(ctx.options, text, sampleSourceOf(ctx.http), ctx.logger, ctx.origins, reused);
}

/** ResponseFormat's values (0, Auto: by each response's Content-Type). */
const RESPONSE_FORMAT_OPTION: Readonly<Record<number, ResponseFormat>> = { 1: 'json', 2: 'ndjson', 3: 'csv', 4: 'xml' };

async function fromSamplePath(ctx: MapContext, reuse: StoredMap | undefined): Promise<Sampled> {
  const { options } = ctx;
  const url = resolveEndpointUrl(options.restSamplePath!, options.hostName, options.portNumber);
  const chosen = RESPONSE_FORMAT_OPTION[options.responseFormat as number];
  const format: FormatDef | undefined = chosen ? { format: chosen } : undefined;
  const name = options.table ?? tableNameFromUrl(url);
  if (reuse) {
    const stored = reuse.tables.length === 1 ? reuse.tables[0] : undefined;
    if (!stored || stored.entry !== name) {
      throw new RestSqlError('MODEL_MAP_INVALID', `SchemaMap: the persisted map does not hold the one table '${name}' RestSamplePath makes.`, {
        hint: 'Connect once with CreateMap=ForceNew (1) to rebuild the map.',
        details: { option: 'SchemaMap' },
      });
    }
    const endpoint: EndpointDef = { url, method: 'GET', jsonRoot: stored.jsonRoot, table: stored.table, ...(stored.paging ? { paging: stored.paging } : {}), ...(format ? { format } : {}) };
    return { model: deepFreeze({ endpoints: [endpoint] }), prefetched: new Map(), sampled: [stored] };
  }
  const s = await sampleEndpoint(url, options.table, sampleSourceOf(ctx.http), { qualifyNames: options.qualifyNormalizedNames as 0 | 1 | 2, maxColumns: options.maxColumns }, ctx.logger, format);
  const e = s.endpoint;
  return {
    model: deepFreeze({ endpoints: [e] }),
    prefetched: new Map([[e, s.first]]),
    sampled: [{ entry: name, jsonRoot: e.jsonRoot, table: e.table, ...(e.paging ? { paging: e.paging } : {}) }],
  };
}

function missingMap(file: string, other: boolean): RestSqlError {
  const what = other ? `holds a map built from another model file or other options` : 'holds no map';
  return new RestSqlError('MODEL_MAP_MISSING', `CreateMap=No (2) uses only a persisted map, and SchemaMap (${file}) ${what}.`, {
    hint: 'Connect once with CreateMap=NotExist (0) or ForceNew (1) to build and persist the map, or point SchemaMap at the map built for this model file.',
    details: { option: 'CreateMap', file },
  });
}

/** Table names of a model from a persisted map are unique (a tampered map could repeat one). */
function checkNames(model: ResolvedModel, file: string): void {
  const seen = new Set<string>();
  for (const t of allTables(model)) {
    const key = t.name.toLowerCase();
    if (seen.has(key)) {
      throw new RestSqlError('MODEL_MAP_INVALID', `SchemaMap: ${file} names table '${t.name}' twice.`, {
        hint: 'Connect once with CreateMap=ForceNew (1) to rebuild it, or delete the file.',
        details: { option: 'SchemaMap', file },
      });
    }
    seen.add(key);
  }
}
