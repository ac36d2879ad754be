import { RestSqlError, redactUrl } from '../errors/index.js';
import { bodyText } from '../http/response-body.js';
import type { HttpClient } from '../http/contract.js';
import type { PrefetchedPage } from './scan.js';
import { parseJsonForSampling } from '../util/json.js';
import { detectJsonRoot, recordsAt } from '../model/json-root.js';
import { inferTable, sanitizeName, type SampleOptions } from '../model/sampler.js';
import type { EndpointDef } from '../model/types.js';
import { detectPaging } from '../pagination/detect.js';
import { SILENT_LOGGER, type Logger } from '../util/logger.js';

export interface SampledEndpoint {
  readonly endpoint: EndpointDef;
  /** The response sampling fetched (body and headers), so the first query need not fetch it again. */
  readonly first: PrefetchedPage;
}

/** Resolves a RestSamplePath against HostName (and PortNumber) when it is relative. */
export function resolveEndpointUrl(path: string, hostName?: string, port?: number): string {
  if (/^https?:\/\//i.test(path)) return path;
  if (!hostName) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `RestSamplePath '${path}' is relative and HostName is not set.`, {
      hint: 'Give a full URL (https://api.example.com/v1/items) or set HostName to the base URL.',
      details: { option: 'RestSamplePath' },
    });
  }
  const base = new URL(hostName.endsWith('/') ? hostName : hostName + '/');
  if (port && !base.port) base.port = String(port);
  return new URL(path.replace(/^\//, ''), base).toString();
}

/** Table name from a URL: its last path segment (used when the `Table` option is not given). */
export function tableNameFromUrl(url: string): string {
  const u = new URL(url);
  const segments = u.pathname.split('/').filter((s) => s !== '');
  return sanitizeName(decodeURIComponent(segments[segments.length - 1] ?? u.hostname.split('.')[0] ?? 'data'));
}

/**
 * Fetches one endpoint and infers its tables (RestSamplePath; `restsql sample`), with the paging
 * its first response shows (pagination/detect.ts); `logger` gets the warning when the response
 * signals more pages in a way restsql does not recognise.
 */
export async function sampleEndpoint(url: string, tableName: string | undefined, http: HttpClient, sampling: SampleOptions, logger: Logger = SILENT_LOGGER): Promise<SampledEndpoint> {
  const { response, json } = await http.getJson({ url, method: 'GET' });
  const jsonRoot = detectJsonRoot(json);
  // Inferred from the text as written: 1.0 and 1e20 are DOUBLE, long integers exact.
  const records = recordsAt(parseJsonForSampling(bodyText(response)), jsonRoot);
  if (records.length === 0) {
    throw new RestSqlError('DATA_NO_RECORDS', `${redactUrl(url)} returned no records to infer columns from${jsonRoot.length ? ` (at '${jsonRoot.join('.')}')` : ''}.`, {
      hint: 'Sample an endpoint (or query parameters) that returns at least one record, or describe the table in a model file.',
      details: { url: redactUrl(url) },
    });
  }
  const table = inferTable(tableName ?? tableNameFromUrl(url), records, sampling);
  const { paging, warning } = detectPaging({ body: json, jsonRoot, headers: response.headers, url });
  if (warning) logger.warn(warning);
  if (paging) logger.debug(`sample: ${redactUrl(url)}: paging detected: ${JSON.stringify(paging)}`);
  const endpoint: EndpointDef = Object.freeze({ url, method: 'GET' as const, jsonRoot: Object.freeze(jsonRoot), table, ...(paging ? { paging } : {}) });
  return { endpoint, first: { body: json, headers: response.headers } };
}
