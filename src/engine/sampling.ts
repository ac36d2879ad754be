/**
 * The engine's side of model building: the HTTP client and the paginators, as the SampleSource
 * model/ asks for. Bodies are read in the format the table sets or the Content-Type names
 * (extract/response-format.ts).
 */
import { isRestSqlError } from '../errors/index.js';
import type { HttpClient } from '../http/contract.js';
import { atRequest, bodyText, checkTextSize, notJsonError } from '../http/response-body.js';
import { withQuery } from '../http/url.js';
import { decodeBody, responseFormat } from '../extract/response-format.js';
import type { SampleSource } from '../model/sample-source.js';
import { detectPaging } from '../pagination/detect.js';
import { createPaginator } from '../pagination/paginator.js';
import { parseJson, parseJsonForSampling } from '../util/json.js';

/** The SampleSource over `http`; `signal` cancels every request it sends (ABORTED). */
export function sampleSourceOf(http: HttpClient, signal?: AbortSignal): SampleSource {
  return {
    async fetch(req) {
      const { notJsonHint, format: def, ...request } = req;
      const method = req.method ?? 'GET';
      const response = await http.send(signal ? { ...request, signal } : request);
      const format = responseFormat(def, response.headers, response.body);
      if (format !== 'json') {
        checkTextSize(response);
        try {
          const d = decodeBody(format, response.body, response.headers, def, true);
          return { status: response.status, headers: response.headers, format, json: d.body, sampled: d.sampled, root: d.root };
        } catch (e) {
          throw isRestSqlError(e) ? atRequest(e, method, req.url) : e;
        }
      }
      const text = bodyText(response);
      let json: unknown;
      try {
        json = parseJson(text);
      } catch (e) {
        // Without a hint a coded error (nesting too deep) keeps its code.
        if (notJsonHint === undefined && isRestSqlError(e)) throw atRequest(e, method, req.url);
        throw notJsonError(method, req.url, response.headers, response.body, notJsonHint ?? 'Point restsql at an endpoint that returns JSON, XML, CSV or JSON Lines (ResponseFormat says which when the Content-Type does not).');
      }
      return { status: response.status, headers: response.headers, format, json, sampled: parseJsonForSampling(text) };
    },
    firstPageUrl(url, paging) {
      const first = createPaginator(paging).first();
      return 'url' in first ? first.url : withQuery(url, first.params);
    },
    detectPaging: (page) => detectPaging(page),
  };
}
