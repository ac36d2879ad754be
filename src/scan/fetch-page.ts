/**
 * One page of a table: sent through the HTTP client (with the model's #http rules), parsed, or
 * kept raw in the pieces it arrived in for bulk loading.
 */
import { isRestSqlError, RestSqlError, redactUrl } from '../errors/index.js';
import { bodyText, type HttpClient, type HttpResponse } from '../http/client.js';
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

export async function fetchPage(http: HttpClient, endpoint: EndpointDef, req: TableRequest, page: PageRequest, first: boolean, parse = true): Promise<FetchedPage> {
  const url = 'url' in page ? page.url : withQuery(req.url, page.params);
  const response: HttpResponse = await http.send({
    url,
    method: req.method,
    headers: { ...req.headers, ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(req.body !== undefined ? { body: req.body } : {}),
    // Model files follow #http rules (DataDirect's defaults when none are given).
    ...(endpoint.paths ? { rules: endpoint.http ?? 'default' } : {}),
  });
  const raw = response.chunks ?? [response.body];
  const bytes = raw.reduce((n, c) => n + c.length, 0);
  if (response.zeroRows || bytes === 0) return { records: [], body: undefined, headers: response.headers, url, bytes };
  if (!parse) return { records: [], body: undefined, headers: response.headers, url, bytes, raw };
  let body: unknown;
  try {
    body = parseJson(bodyText(response));
  } catch (e) {
    if (isRestSqlError(e)) throw atUrl(e, req.method, url);
    throw notJson(req.method, url, response.headers, response.body);
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

/** A coded error from reading a response (JSON nested too deep), with the request it came from. */
export function atUrl(e: RestSqlError, method: string, url: string): RestSqlError {
  return new RestSqlError(e.code, `${method} ${redactUrl(url)}: ${e.message}`, { ...(e.hint ? { hint: e.hint } : {}), details: { ...e.details, url: redactUrl(url) }, cause: e });
}

export function notJson(method: string, url: string, headers: HttpResponse['headers'], body: Buffer): RestSqlError {
  const type = String(headers['content-type'] ?? 'no content type');
  return new RestSqlError('HTTP_NOT_JSON', `${method} ${redactUrl(url)} did not return JSON (${type}; starts with "${body.toString('utf8', 0, 80).replace(/\s+/g, ' ')}").`, {
    hint: 'Check the #path (or RestSamplePath): it must return JSON.',
    details: { url: redactUrl(url) },
  });
}
