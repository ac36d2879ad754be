/**
 * RestSamplePath (and `restsql sample`): one endpoint's first response, its tables inferred and
 * its paging detected.
 */
import { RestSqlError, redactUrl } from '../errors/index.js';
import { SILENT_LOGGER, type Logger } from '../util/logger.js';
import { detectJsonRoot, recordsAt } from './json-root.js';
import type { PrefetchedPage, SampleSource } from './sample-source.js';
import { inferTable, sanitizeName, textTable, type SampleOptions } from './sampler.js';
import type { EndpointDef, FormatDef } from './types.js';

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
export async function sampleEndpoint(url: string, tableName: string | undefined, source: SampleSource, sampling: SampleOptions, logger: Logger = SILENT_LOGGER, format?: FormatDef): Promise<SampledEndpoint> {
  const response = await source.fetch({ url, method: 'GET', ...(format ? { format } : {}) });
  const json = response.json;
  const jsonRoot = [...(response.root ?? detectJsonRoot(json))];
  // Inferred from the text as written: 1.0 and 1e20 are DOUBLE, long integers exact.
  const records = recordsAt(response.sampled, jsonRoot);
  if (records.length === 0) {
    throw new RestSqlError('DATA_NO_RECORDS', `${redactUrl(url)} returned no records to infer columns from${jsonRoot.length ? ` (at '${jsonRoot.join('.')}')` : ''}.`, {
      hint: 'Sample an endpoint (or query parameters) that returns at least one record, or describe the table in a model file.',
      details: { url: redactUrl(url) },
    });
  }
  const table = textTable(inferTable(tableName ?? tableNameFromUrl(url), records, sampling), response.format);
  const { paging, warning } = source.detectPaging({ body: json, jsonRoot, headers: response.headers, url });
  if (warning) logger.warn(warning);
  if (paging) logger.debug(`sample: ${redactUrl(url)}: paging detected: ${JSON.stringify(paging)}`);
  // The format is kept when it is not JSON, so a model file written from this endpoint says it.
  const kept: FormatDef | undefined = response.format === 'json' ? format : { ...format, format: response.format };
  const endpoint: EndpointDef = Object.freeze({ url, method: 'GET' as const, jsonRoot: Object.freeze(jsonRoot), table, ...(paging ? { paging } : {}), ...(kept ? { format: kept } : {}) });
  return { endpoint, first: { body: json, headers: response.headers, format: response.format } };
}
