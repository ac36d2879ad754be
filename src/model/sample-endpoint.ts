/**
 * RestSamplePath (and `restsql sample`): one endpoint's first response, its tables inferred and
 * its paging detected.
 */
import { RestSqlError, redactUrl } from '../errors/index.js';
import { parseJsonForSampling } from '../util/json.js';
import { SILENT_LOGGER, type Logger } from '../util/logger.js';
import { detectJsonRoot, recordsAt } from './json-root.js';
import type { PrefetchedPage, SampleSource } from './sample-source.js';
import { inferTable, sanitizeName, type SampleOptions } from './sampler.js';
import type { EndpointDef } from './types.js';

export interface SampledEndpoint {
  readonly endpoint: EndpointDef;
  /** The response sampling fetched (body and headers), so the first query need not fetch it again. */
  readonly first: PrefetchedPage;
}

/** Table name from a URL: its last path segment (the `Table` option overrides it). */
export function tableNameFromUrl(url: string): string {
  const u = new URL(url);
  const segments = u.pathname.split('/').filter((s) => s !== '');
  return sanitizeName(decodeURIComponent(segments[segments.length - 1] ?? u.hostname.split('.')[0] ?? 'data'));
}

/**
 * Fetches one endpoint and infers its tables, with the paging its first response shows; `logger`
 * gets the warning when the response signals more pages in a way restsql does not recognise.
 */
export async function sampleEndpoint(url: string, tableName: string | undefined, source: SampleSource, sampling: SampleOptions, logger: Logger = SILENT_LOGGER): Promise<SampledEndpoint> {
  const response = await source.fetch({ url, method: 'GET' });
  const json = response.json;
  const jsonRoot = detectJsonRoot(json);
  // Inferred from the text as written: 1.0 and 1e20 are DOUBLE, long integers exact.
  const records = recordsAt(parseJsonForSampling(response.text), jsonRoot);
  if (records.length === 0) {
    throw new RestSqlError('DATA_NO_RECORDS', `${redactUrl(url)} returned no records to infer columns from${jsonRoot.length ? ` (at '${jsonRoot.join('.')}')` : ''}.`, {
      hint: 'Sample an endpoint (or query parameters) that returns at least one record, or describe the table in a model file.',
      details: { url: redactUrl(url) },
    });
  }
  const table = inferTable(tableName ?? tableNameFromUrl(url), records, sampling);
  const { paging, warning } = source.detectPaging({ body: json, jsonRoot, headers: response.headers, url });
  if (warning) logger.warn(warning);
  if (paging) logger.debug(`sample: ${redactUrl(url)}: paging detected: ${JSON.stringify(paging)}`);
  const endpoint: EndpointDef = Object.freeze({ url, method: 'GET' as const, jsonRoot: Object.freeze(jsonRoot), table, ...(paging ? { paging } : {}) });
  return { endpoint, first: { body: json, headers: response.headers } };
}
