/**
 * RestConfigFile: reads the model file, and samples the tables it gives only a URL for (the same
 * rules as RestSamplePath), recording how each sampling went for the `sampling_status` table.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { RestSqlError, redactUrl, toRestSqlError } from '../errors/index.js';
import { bodyText, notJsonError } from '../http/response-body.js';
import type { HttpClient } from '../http/contract.js';
import type { OriginPolicy } from '../http/origins.js';
import { withQuery } from '../http/url.js';
import { detectJsonRoot, recordsAt } from '../model/json-root.js';
import { parseModelFile, type ModelTable } from '../model/model-file.js';
import { inferTable } from '../model/sampler.js';
import { deepFreeze, type EndpointDef, type ResolvedModel, type SamplingStatus } from '../model/types.js';
import type { ConnectionOptions } from '../options/index.js';
import { createPaginator } from '../pagination/paginator.js';
import type { PrefetchedPage } from './scan.js';
import { parseJson, parseJsonForSampling } from '../util/json.js';
import type { Logger } from '../util/logger.js';

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
  };
}

/** The largest model file read: model files are hand-written JSON, far smaller than this. */
export const MAX_MODEL_FILE_BYTES = 16 * 1024 * 1024;

function unreadable(file: string, why: string, hint = 'Check the path (relative paths are resolved from the current directory).'): RestSqlError {
  return new RestSqlError('MODEL_FILE_NOT_FOUND', `RestConfigFile: cannot read model file '${file}': ${why}.`, { hint, details: { option: 'RestConfigFile', file } });
}

/**
 * The text of the model file RestConfigFile names. Only a regular file is read, and at most
 * MAX_MODEL_FILE_BYTES of it: /dev/zero, a FIFO or a directory fails at once instead of hanging
 * (the file is opened non-blocking, so a FIFO without a writer does not wait either).
 */
export function readModelFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw unreadable(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (e as Error).message);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? 'a directory' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isFIFO() ? 'a pipe' : stat.isSocket() ? 'a socket' : 'not a file';
      throw unreadable(file, `it is ${kind}, not a regular file`, 'Point RestConfigFile at a model file (.rest); to pass a model on stdin, write it to a file first.');
    }
    // The size is checked as the file is read too: some files (/proc) report 0 and others grow.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const piece = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, piece, 0, piece.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_MODEL_FILE_BYTES) {
        throw new RestSqlError('MODEL_INVALID', `RestConfigFile: model file '${file}' is larger than ${MAX_MODEL_FILE_BYTES / 1024 / 1024} MiB, the most restsql reads.`, {
          hint: 'A model file describes endpoints and columns; check that RestConfigFile names the model file and not a data file.',
          details: { option: 'RestConfigFile', file, maxBytes: MAX_MODEL_FILE_BYTES },
        });
      }
      chunks.push(piece.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (e) {
    if (e instanceof RestSqlError) throw e;
    throw unreadable(file, (e as Error).message);
  } finally {
    closeSync(fd);
  }
}

/** Builds the model from the model file's `text` (read once by the caller, who may also need its #authentication steps). */
export async function loadModelFile(options: ConnectionOptions, text: string, http: HttpClient, logger: Logger, origins?: OriginPolicy): Promise<LoadedModel> {
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
      const first = createPaginator(t.paging).first();
      const url = 'url' in first ? first.url : withQuery(uri, first.params);
      const res = await http.send({ url, method: path.method, headers: { ...t.headers, ...(t.postBody !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(t.postBody !== undefined ? { body: JSON.stringify(t.postBody) } : {}), rules: t.http ?? 'default' });
      const text = bodyText(res);
      let body: unknown;
      try {
        body = parseJson(text);
      } catch {
        throw notJsonError(path.method ?? 'GET', url, res.headers, res.body, `Check the #path of table '${t.name}': restsql samples it to learn its columns, and it must return JSON.`);
      }
      const jsonRoot = t.jsonRoot.length > 0 ? t.jsonRoot : detectJsonRoot(body);
      // Inferred from the text as written: 1.0 and 1e20 are DOUBLE, long integers exact.
      const records = recordsAt(parseJsonForSampling(text), jsonRoot);
      if (records.length === 0) {
        throw new RestSqlError('DATA_NO_RECORDS', `${redactUrl(url)} returned no records, so table '${t.name}' cannot be sampled.`, {
          hint: 'Sample with parameters that return at least one record ({name:sample} in the #path), or describe the columns in the model file.',
          details: { url: redactUrl(url), table: t.name },
        });
      }
      parsed.names.release(t.name);
      const table = inferTable(t.name, records, { qualifyNames: options.qualifyNormalizedNames as 0 | 1 | 2, maxColumns: options.maxColumns }, parsed.names);
      const endpoint = endpointOf(t, table, jsonRoot, true);
      endpoints.push(endpoint);
      if (path === t.paths[0] && path.params.length === 0) prefetched.set(endpoint, { body, headers: res.headers });
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
