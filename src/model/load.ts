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
import { deepFreeze, type EndpointDef, type ResolvedModel, type SamplingStatus } from './types.js';

/** Where a model file's #path URLs are recorded as origins the connection is configured for. */
export interface OriginList {
  allow(url: string): void;
}

export interface LoadedModel {
  readonly model: ResolvedModel;
  /** First pages fetched while sampling, reused by the first unfiltered scan. */
  readonly prefetched: Map<EndpointDef, PrefetchedPage>;
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

/** Builds the model from the model file's `text` (read once by the caller, who may also need its #authentication steps). */
export async function loadModelFile(options: ModelLoadOptions, text: string, source: SampleSource, logger: Logger, origins?: OriginList): Promise<LoadedModel> {
  const file = options.restConfigFile!;
  const host = options.hostName ? withPort(options.hostName, options.portNumber) : undefined;
  const parsed = parseModelFile(text, file, { ...(host ? { hostName: host } : {}), qualifyNames: options.qualifyNormalizedNames as 0 | 1 | 2 });
  const endpoints: EndpointDef[] = [];
  const sampling: SamplingStatus[] = [];
  const prefetched = new Map<EndpointDef, PrefetchedPage>();
  // The #path URLs (resolved against #hostname or HostName) are origins the connection is configured for.
  for (const t of parsed.tables) for (const p of t.paths) origins?.allow(p.url);
  for (const t of parsed.tables) {
    if (t.table) {
      endpoints.push(endpointOf(t, t.table, t.jsonRoot, false));
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
      if (path === t.paths[0] && path.params.length === 0) prefetched.set(endpoint, { body, headers: res.headers, format: res.format });
      const keys = table.columns.filter((c) => c.key && c.source === 'json').map((c) => c.name);
      sampling.push({ table: t.name, uri: redactUrl(uri), success: true, httpStatus: res.status, message: `${records.length} records sampled`, keyCandidates: keys.join(', ') });
    } catch (e) {
      const err = toRestSqlError(e);
      const status = typeof err.details.status === 'number' ? err.details.status : null;
      sampling.push({ table: t.name, uri: redactUrl(uri), success: false, httpStatus: status, message: err.message, keyCandidates: '' });
      if (options.samplingFailureTolerance === 0) throw err;
      logger.warn(`table '${t.name}' is left out: ${err.message}`);
    }
  }
  return { model: deepFreeze({ endpoints, file, sampling }), prefetched };
}

function withPort(host: string, port: number | undefined): string {
  if (!port) return host;
  const u = new URL(host);
  if (!u.port) u.port = String(port);
  return u.toString().replace(/\/$/, '');
}
