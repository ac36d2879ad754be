/**
 * One page of a table: sent through the HTTP client (with the model's #http rules), parsed, or
 * kept raw in the pieces it arrived in for bulk loading.
 */
import { isRestSqlError, RestSqlError, redactUrl } from '../errors/index.js';
import { decodeBody, responseFormat } from '../extract/response-format.js';
import { alignToModel } from '../extract/xml.js';
import { atRequest, bodyText, checkTextSize, notJsonError } from '../http/response-body.js';
import type { HttpClient, HttpResponse } from '../http/contract.js';
import { withQuery } from '../http/url.js';
import { recordsAt, valueAt } from '../model/json-root.js';
import type { EndpointDef, ResponseFormat, TableDef } from '../model/types.js';
import { parseJson } from '../util/json.js';
import type { PageRequest, PageSeen } from '../pagination/paginator.js';
import type { TableRequest } from './request-plan.js';

export interface FetchedPage extends PageSeen {
  readonly bytes: number;
  /** The body as received, in pieces (for spooling). */
  readonly raw?: readonly Buffer[];
  /** The format the body is read as (absent: JSON, or an empty page). */
  readonly format?: ResponseFormat;
}

/** The records at `root` of a body in `format`; XML records are made to fit the model's table. */
export function recordsOf(body: unknown, root: readonly string[], format: ResponseFormat | undefined, table: TableDef): unknown[] {
  const records = recordsAt(body, root);
  if (format === 'xml') alignToModel(table, records);
  return records;
}

/**
 * Whether a body has the records' place. XML has no empty list: an empty collection (`<items/>`)
 * never holds the repeated element, so its parent being there (null, an empty element, counts)
 * is enough: the page has no records.
 */
function rootPresent(body: unknown, root: readonly string[], format: ResponseFormat | undefined): boolean {
  if (valueAt(body, root) !== undefined) return true;
  return format === 'xml' && valueAt(body, root.slice(0, -1)) !== undefined;
}

export async function fetchPage(http: HttpClient, endpoint: EndpointDef, req: TableRequest, page: PageRequest, first: boolean, parse = true, signal?: AbortSignal): Promise<FetchedPage> {
  const url = 'url' in page ? page.url : withQuery(req.url, page.params);
  const response: HttpResponse = await http.send({
    url,
    method: req.method,
    headers: { ...req.headers, ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(req.body !== undefined ? { body: req.body } : {}),
    // Model files follow #http rules (DataDirect's defaults when none are given).
    ...(endpoint.paths ? { rules: endpoint.http ?? 'default' } : {}),
    ...(signal ? { signal } : {}),
  });
  const raw = response.chunks ?? [response.body];
  const bytes = raw.reduce((n, c) => n + c.length, 0);
  if (response.zeroRows || bytes === 0) return { records: [], body: undefined, headers: response.headers, url, bytes };
  const format = responseFormat(endpoint.format, response.headers, raw[0]);
  // XML pages are always parsed here: DuckDB has no XML reader for bulk loading.
  if (!parse && format !== 'xml') return { records: [], body: undefined, headers: response.headers, url, bytes, raw, format };
  let body: unknown;
  if (format === 'json') {
    try {
      body = parseJson(bodyText(response));
    } catch (e) {
      if (isRestSqlError(e)) throw atRequest(e, req.method, url);
      throw notJsonError(req.method, url, response.headers, response.body);
    }
  } else {
    checkTextSize(response);
    try {
      body = decodeBody(format, response.body, response.headers, endpoint.format, false).body;
    } catch (e) {
      throw isRestSqlError(e) ? atRequest(e, req.method, url) : e;
    }
  }
  const records = recordsOf(body, req.jsonRoot, format, endpoint.table);
  if (first && records.length === 0 && req.jsonRoot.length > 0 && !rootPresent(body, req.jsonRoot, format) && !endpoint.paths) {
    throw new RestSqlError('DATA_NO_RECORDS', `${redactUrl(url)}: the response has no '${req.jsonRoot.join('.')}' member to read records from.`, {
      hint: 'The response shape changed since sampling; sample the endpoint again.',
      details: { url: redactUrl(url) },
    });
  }
  return { records, body, headers: response.headers, url, bytes, ...(format === 'xml' ? {} : { raw }), format };
}
