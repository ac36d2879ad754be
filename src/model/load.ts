/**
 * RestConfigFile: reads the model file, and samples the tables it gives only a URL for (the same
 * rules as RestSamplePath), recording how each sampling went for the `sampling_status` table.
 */
import { RestSqlError, redactUrl, toRestSqlError } from '../errors/index.js';
import type { Logger } from '../util/logger.js';
import { detectJsonRoot, recordsAt } from './json-root.js';
import { parseModelFile, type ModelTable } from './model-file.js';
import type { PrefetchedPage, SampleSource } from './sample-source.js';
import { inferTable, textTable } from './sampler.js';
import type { StoredTable } from './map-store.js';
import { deepFreeze, type EndpointDef, type ResolvedModel, type SamplingStatus } from './types.js';

/** Where a model file's #path URLs are recorded as origins the connection is configured for. */
export interface OriginList {
  allow(url: string): void;
}

export interface LoadedModel {
  readonly model: ResolvedModel;
  /** First pages fetched while sampling, reused by the first unfiltered scan. */
  readonly prefetched: Map<EndpointDef, PrefetchedPage>;
  /** What sampling produced, per URL-only entry, as a persisted map keeps it (model/map-store.ts). */
  readonly sampled: readonly StoredTable[];
}

/** A persisted map's sampling results, used instead of sampling (CreateMap NotExist or No). */
export interface ReusedSampling {
  readonly tables: readonly StoredTable[];
  readonly sampling: readonly SamplingStatus[];
}

function endpointOf(t: ModelTable, table: NonNullable<ModelTable['table']>, jsonRoot: readonly string[], sampled: boolean): EndpointDef {
  const first = t.paths[0]!;
  return {
    url: first.url,
    method: first.method,
    jsonRoot,
    table,
    paths: t.paths,
    headers: t.headers,
    sampled,
    ...(t.paging ? { paging: t.paging } : {}),
    ...(t.postBody !== undefined ? { postBody: t.postBody } : {}),
    ...(t.fieldListParameter ? { fieldListParameter: t.fieldListParameter } : {}),
    ...(t.http ? { http: t.http } : {}),
    ...(t.format ? { format: t.format } : {}),
    ...(t.writes ? { writes: t.writes } : {}),
  };
}

/** The connection options model loading reads (RestConfigFile, HostName, PortNumber, QualifyNormalizedNames, MaxColumns, SamplingFailureTolerance). */
export interface ModelLoadOptions {
  readonly restConfigFile?: string | undefined;
  readonly hostName?: string | undefined;
  readonly portNumber?: number | undefined;
  readonly qualifyNormalizedNames: number;
  readonly maxColumns: number;
  readonly samplingFailureTolerance: number;
}

/**
 * Builds the model from the model file's `text` (read once by the caller, who may also need its
 * #authentication steps). URL-only entries are sampled, or taken from `reuse` (a persisted map
 * built from this same text and options: no request is sent). SamplingFailureTolerance decides
 * how many entries may fail: -1 all but one (the connection fails only when every endpoint
 * failed), N >= 0 up to N.
 */
export async function loadModelFile(options: ModelLoadOptions, text: string, source: SampleSource, logger: Logger, origins?: OriginList, reuse?: ReusedSampling): Promise<LoadedModel> {
  const file = options.restConfigFile!;
  const host = options.hostName ? withPort(options.hostName, options.portNumber) : undefined;
  const parsed = parseModelFile(text, file, { ...(host ? { hostName: host } : {}), qualifyNames: options.qualifyNormalizedNames as 0 | 1 | 2 });
  for (const notice of parsed.notices) logger.warn(notice);
  const endpoints: EndpointDef[] = [];
  const sampling: SamplingStatus[] = [];
  const prefetched = new Map<EndpointDef, PrefetchedPage>();
  const sampled: StoredTable[] = [];
  const failures: { table: string; error: RestSqlError }[] = [];
  const tolerance = options.samplingFailureTolerance;
  // The #path URLs (resolved against #hostname or HostName) are origins the connection is configured for.
  for (const t of parsed.tables) {
    for (const p of t.paths) origins?.allow(p.url);
    // Write directives name endpoints as #path does: the model file is trusted to name them.
    for (const w of [t.writes?.insert, t.writes?.update, t.writes?.delete]) if (w) origins?.allow(w.url);
  }
  for (const t of parsed.tables) {
    if (t.table) {
      endpoints.push(endpointOf(t, t.table, t.jsonRoot, false));
      continue;
    }
    if (reuse) {
      const stored = reuse.tables.find((s) => s.entry === t.name);
      const status = reuse.sampling.find((s) => s.table === t.name);
      if (stored) {
        endpoints.push(endpointOf(t, stored.table, stored.jsonRoot, true));
        sampled.push(stored);
      } else if (!status || status.success) {
        throw new RestSqlError('MODEL_MAP_INVALID', `SchemaMap: the persisted map has no table for the model file's entry '${t.name}'.`, {
          hint: 'Connect once with CreateMap=ForceNew (1) to rebuild the map.',
          details: { option: 'SchemaMap', table: t.name },
        });
      }
      if (status) sampling.push(status);
      continue;
    }
    // A URL-only entry (or an object without columns): fetch its first page and infer.
    const path = t.paths.find((p) => p.params.every((n) => p.samples[n] !== undefined));
    const uri = path ? path.url.replace(/\{([^}]+)\}/g, (_m, n: string) => encodeURIComponent(path.samples[n] ?? '')) : t.paths[0]!.url;
    try {
      if (!path) {
        throw new RestSqlError('MODEL_INVALID', `${file}: table '${t.name}' has only parameterized paths and no sample values to sample with.`, {
          hint: 'Give sample values ({id:42}) in the #path, or describe the columns in the model file.',
          details: { file, table: t.name },
        });
      }
      const url = source.firstPageUrl(uri, t.paging);
      const res = await source.fetch({
        url,
        method: path.method,
        headers: { ...t.headers, ...(t.postBody !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(t.postBody !== undefined ? { body: JSON.stringify(t.postBody) } : {}),
        rules: t.http ?? 'default',
        notJsonHint: `Check the #path of table '${t.name}': restsql samples it to learn its columns, and it must return JSON (or set "#format" for XML, CSV or JSON Lines).`,
        ...(t.format ? { format: t.format } : {}),
      });
      const { json: body } = res;
      const jsonRoot = t.jsonRoot.length > 0 ? t.jsonRoot : [...(res.root ?? detectJsonRoot(body))];
      // Inferred from the text as written: 1.0 and 1e20 are DOUBLE, long integers exact.
      const records = recordsAt(res.sampled, jsonRoot);
      if (records.length === 0) {
        throw new RestSqlError('DATA_NO_RECORDS', `${redactUrl(url)} returned no records, so table '${t.name}' cannot be sampled.`, {
          hint: 'Sample with parameters that return at least one record ({name:sample} in the #path), or describe the columns in the model file.',
          details: { url: redactUrl(url), table: t.name },
        });
      }
      parsed.names.release(t.name);
      const table = textTable(inferTable(t.name, records, { qualifyNames: options.qualifyNormalizedNames as 0 | 1 | 2, maxColumns: options.maxColumns }, parsed.names), res.format);
      const format = res.format === 'json' || t.format?.format ? t.format : { ...t.format, format: res.format };
      const endpoint = endpointOf({ ...t, ...(format ? { format } : {}) }, table, jsonRoot, true);
      endpoints.push(endpoint);
      sampled.push({ entry: t.name, jsonRoot, table });
      if (path === t.paths[0] && path.params.length === 0) prefetched.set(endpoint, { body, headers: res.headers, format: res.format });
      const keys = table.columns.filter((c) => c.key && c.source === 'json').map((c) => c.name);
      sampling.push({ table: t.name, uri: redactUrl(uri), success: true, httpStatus: res.status, message: `${records.length} records sampled`, keyCandidates: keys.join(', ') });
    } catch (e) {
      const err = toRestSqlError(e);
      const status = typeof err.details.status === 'number' ? err.details.status : null;
      sampling.push({ table: t.name, uri: redactUrl(uri), success: false, httpStatus: status, message: err.message, keyCandidates: '' });
      failures.push({ table: t.name, error: err });
      // Past the tolerance, the remaining entries are not sampled: the connection fails now.
      if (tolerance >= 0 && failures.length > tolerance) throw beyondTolerance(failures, tolerance);
      logger.warn(`table '${t.name}' is left out: ${err.message}`);
    }
  }
  if (tolerance < 0 && failures.length > 0 && failures.length === parsed.tables.length) throw beyondTolerance(failures, tolerance);
  return { model: deepFreeze({ endpoints, file, sampling, ...(parsed.routines.length > 0 ? { routines: parsed.routines } : {}) }), prefetched, sampled };
}

/**
 * The error of a connection that SamplingFailureTolerance fails: the first failure's code (an
 * HTTP status stays a remote error), every failed entry named.
 */
function beyondTolerance(failures: readonly { table: string; error: RestSqlError }[], tolerance: number): RestSqlError {
  const first = failures[0]!.error;
  if (failures.length === 1 && tolerance === 0) return first;
  const rule = tolerance < 0 ? 'fails the connection when every endpoint fails' : `tolerates ${tolerance} failed endpoint${tolerance === 1 ? '' : 's'}`;
  const list = failures.map((f) => `'${f.table}': ${f.error.message}`).join('; ');
  return new RestSqlError(first.code, `${failures.length} endpoint${failures.length === 1 ? '' : 's'} of the model file could not be sampled, and SamplingFailureTolerance=${tolerance} ${rule}. ${list}`, {
    hint: first.hint ?? 'Fix the endpoints named, or raise SamplingFailureTolerance to connect without them (sampling_status then lists each failure).',
    details: { ...first.details, option: 'SamplingFailureTolerance', failed: failures.map((f) => f.table) },
    cause: first,
  });
}

function withPort(host: string, port: number | undefined): string {
  if (!port) return host;
  const u = new URL(host);
  if (!u.port) u.port = String(port);
  return u.toString().replace(/\/$/, '');
}
