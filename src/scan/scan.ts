import { RestSqlError, redactUrl } from '../errors/index.js';
import type { HttpClient } from '../http/client.js';
import { flattenRecords, newFlattenState, type RowSink } from '../extract/flatten.js';
import { recordsAt, valueAt } from '../model/json-root.js';
import type { EndpointDef } from '../model/types.js';

export interface ScanStats {
  pages: number;
  records: number;
  bytes: number;
}

/**
 * Fetches an endpoint and streams its rows (all of its tables) into `sink`. A response already in
 * hand (the one sampling fetched) is used instead of fetching again.
 */
export async function scanEndpoint(endpoint: EndpointDef, http: HttpClient, sink: RowSink, prefetched?: unknown): Promise<ScanStats> {
  let body = prefetched;
  let bytes = 0;
  if (body === undefined) {
    const { response, json } = await http.getJson({ url: endpoint.url, method: endpoint.method });
    body = json;
    bytes = response.body.length;
  }
  const records = recordsAt(body, endpoint.jsonRoot);
  if (records.length === 0 && endpoint.jsonRoot.length > 0 && !Array.isArray(valueAt(body, endpoint.jsonRoot))) {
    throw new RestSqlError('DATA_NO_RECORDS', `${redactUrl(endpoint.url)}: the response has no '${endpoint.jsonRoot.join('.')}' member to read records from.`, {
      hint: 'The response shape changed since sampling; sample the endpoint again.',
      details: { url: redactUrl(endpoint.url) },
    });
  }
  flattenRecords(endpoint.table, records, newFlattenState(), sink);
  return { pages: 1, records: records.length, bytes };
}
