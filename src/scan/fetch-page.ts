/**
 * One page of a table: sent through the HTTP client (with the model's #http rules), parsed, or
 * kept raw in the pieces it arrived in for bulk loading.
 */
import { isRestSqlError, RestSqlError, redactUrl } from '../errors/index.js';
import { atRequest, bodyText, notJsonError } from '../http/response-body.js';
import type { HttpClient, HttpResponse } from '../http/contract.js';
import { withQuery } from '../http/url.js';
import { recordsAt, valueAt } from '../model/json-root.js';
import type { EndpointDef } from '../model/types.js';
import { parseJson } from '../util/json.js';
import type { PageRequest, PageSeen } from '../pagination/paginator.js';
import type { TableRequest } from './request-plan.js';

export interface FetchedPage extends PageSeen {
  readonly bytes: number;
  /** The body as received, in pieces (for spooling). */
  readonly raw?: readonly Buffer[];
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
  if (!parse) return { records: [], body: undefined, headers: response.headers, url, bytes, raw };
  let body: unknown;
  try {
    body = parseJson(bodyText(response));
  } catch (e) {
    if (isRestSqlError(e)) throw atRequest(e, req.method, url);
    throw notJsonError(req.method, url, response.headers, response.body);
  }
  const records = recordsAt(body, req.jsonRoot);
  if (first && records.length === 0 && req.jsonRoot.length > 0 && valueAt(body, req.jsonRoot) === undefined && !endpoint.paths) {
    throw new RestSqlError('DATA_NO_RECORDS', `${redactUrl(url)}: the response has no '${req.jsonRoot.join('.')}' member to read records from.`, {
      hint: 'The response shape changed since sampling; sample the endpoint again.',
      details: { url: redactUrl(url) },
    });
  }
  return { records, body, headers: response.headers, url, bytes, raw };
}
