/**
 * The engine's side of model building: the HTTP client and the paginators, as the SampleSource
 * model/ asks for.
 */
import type { HttpClient } from '../http/contract.js';
import { bodyText, notJsonError } from '../http/response-body.js';
import { withQuery } from '../http/url.js';
import type { SampleSource } from '../model/sample-source.js';
import { detectPaging } from '../pagination/detect.js';
import { createPaginator } from '../pagination/paginator.js';
import { parseJson } from '../util/json.js';

export function sampleSourceOf(http: HttpClient): SampleSource {
  return {
    async fetch(req) {
      if (req.notJsonHint === undefined) {
        const { response, json } = await http.getJson(req);
        return { status: response.status, headers: response.headers, text: bodyText(response), json };
      }
      const { notJsonHint, ...request } = req;
      const response = await http.send(request);
      const text = bodyText(response);
      let json: unknown;
      try {
        json = parseJson(text);
      } catch {
        throw notJsonError(req.method ?? 'GET', req.url, response.headers, response.body, notJsonHint);
      }
      return { status: response.status, headers: response.headers, text, json };
    },
    firstPageUrl(url, paging) {
      const first = createPaginator(paging).first();
      return 'url' in first ? first.url : withQuery(url, first.params);
    },
    detectPaging: (page) => detectPaging(page),
  };
}
