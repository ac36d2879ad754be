/**
 * Sampling one more endpoint of a connection's own API on the open connection (its authenticated
 * HTTP client, token and limits), as `restsql sample URL` would infer it, for `restsql mcp`'s
 * sample_endpoint tool: `Connection.sampleEndpoint`. Only the API's origins are sampled (HostName,
 * RestSamplePath, the model's endpoints): the connection's credentials never go anywhere else,
 * whatever AllowedOrigins or the token endpoint would otherwise admit.
 */
import type { Redactor } from '../errors/index.js';
import { RestSqlError } from '../errors/index.js';
import type { HttpClient } from '../http/contract.js';
import { resolveEndpointUrl } from '../model/endpoint-url.js';
import { writeRestModel } from '../model/rest-writer.js';
import { sampleEndpoint } from '../model/sample-endpoint.js';
import type { FormatDef, ResolvedModel, ResponseFormat } from '../model/types.js';
import type { ConnectionOptions } from '../options/index.js';
import type { Logger } from '../util/logger.js';
import { sampleSourceOf } from './sampling.js';

/**
 * Samples `url` (absolute, or relative to HostName) and returns its model as .rest text, secrets
 * masked; `signal` cancels its request (ABORTED).
 */
export type EndpointSampler = (url: string, table: string | undefined, model: ResolvedModel, signal?: AbortSignal) => Promise<string>;

/** ResponseFormat's values (0, Auto: by the response's Content-Type). */
const RESPONSE_FORMAT_OPTION: Readonly<Record<number, ResponseFormat>> = { 1: 'json', 2: 'ndjson', 3: 'csv', 4: 'xml' };

/** `url`'s origin (scheme, host, port), or undefined when it is no http(s) URL. */
function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/** The origins of the connection's API: HostName (with PortNumber), RestSamplePath and every endpoint of the model. */
export function apiOrigins(options: Pick<ConnectionOptions, 'hostName' | 'portNumber' | 'restSamplePath'>, model: ResolvedModel): string[] {
  const urls: string[] = model.endpoints.map((e) => e.url);
  for (const path of [options.hostName !== undefined ? '' : undefined, options.restSamplePath]) {
    if (path === undefined) continue;
    try {
      urls.push(resolveEndpointUrl(path, options.hostName, options.portNumber));
    } catch {
      // A relative RestSamplePath without HostName names no origin.
    }
  }
  return [...new Set(urls.map(originOf).filter((o): o is string => o !== undefined))];
}

export function endpointSampler(ctx: { options: ConnectionOptions; http: HttpClient; logger: Logger; redactor: Redactor }): EndpointSampler {
  const { options, redactor } = ctx;
  return async (url, table, model, signal) => {
    const absolute = /^https?:\/\//i.test(url) || options.hostName === undefined ? url : resolveEndpointUrl(url, options.hostName, options.portNumber);
    const origin = originOf(absolute);
    const allowed = apiOrigins(options, model);
    if (origin === undefined || !allowed.includes(origin)) {
      throw new RestSqlError('HTTP_ORIGIN_REFUSED', `${redactor.url(absolute)} is not on this connection's API (${allowed.join(', ') || 'no origin'}); restsql samples only the API's own origins, so its credentials go nowhere else.`, {
        hint: allowed.length > 0 ? `Give a URL on ${allowed.join(' or ')}, or a path relative to HostName.` : 'Set HostName (or RestSamplePath) to the API this connection is for.',
        details: { url: redactor.url(absolute), allowed },
      });
    }
    const chosen = RESPONSE_FORMAT_OPTION[options.responseFormat as number];
    const format: FormatDef | undefined = chosen ? { format: chosen } : undefined;
    const sampled = await sampleEndpoint(absolute, table, sampleSourceOf(ctx.http, signal), { qualifyNames: options.qualifyNormalizedNames as 0 | 1 | 2, maxColumns: options.maxColumns }, ctx.logger, format);
    return redactor.text(writeRestModel({ endpoints: [sampled.endpoint] }));
  };
}
