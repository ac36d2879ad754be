/**
 * Reading a response body: as text (bounded by the longest string V8 can hold), and the errors a
 * body that is not JSON produces, built in one place for every reader (HTTP client, page fetch,
 * bulk spool, model sampling). XML, CSV and JSON Lines bodies are read by
 * extract/response-format.ts; a body that does not parse as its format is HTTP_MALFORMED_BODY,
 * prefixed with its request by atRequest.
 */
import { constants as bufferConstants } from 'node:buffer';
import { RestSqlError, redactUrl } from '../errors/index.js';
import type { HttpResponse } from './contract.js';

export const MIB = 1024 * 1024;
const MAX_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH;

/**
 * A response body as text. Past V8's longest string (about 512 MiB of text) that is
 * HTTP_TOO_LARGE naming the URL, not an internal error; bulk loading never needs the text.
 */
export function bodyText(res: Pick<HttpResponse, 'url' | 'body' | 'chunks'>): string {
  checkTextSize(res);
  return res.body.toString('utf8');
}

/** Throws HTTP_TOO_LARGE when a body is too long to be read as one piece of text (see bodyText). */
export function checkTextSize(res: Pick<HttpResponse, 'url' | 'body' | 'chunks'>): void {
  const bytes = res.chunks ? res.chunks.reduce((n, c) => n + c.length, 0) : res.body.length;
  if (bytes > MAX_STRING_LENGTH) {
    throw new RestSqlError('HTTP_TOO_LARGE', `${redactUrl(res.url)} returned ${Math.round(bytes / MIB)} MiB, more than can be read as one piece of text (${Math.floor(MAX_STRING_LENGTH / MIB)} MiB).`, {
      hint: 'Ask for smaller pages (a page-size parameter in the model file), or let bulk loading read the pages (BulkLoad=1, a table without maps or virtual columns).',
      details: { url: redactUrl(res.url), bytes },
    });
  }
}

/** A response header's value (the first, when it came more than once); names in lower case, as undici gives them. */
export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** HTTP_NOT_JSON: `method url` answered something that does not parse as JSON; the message shows its content type and first 80 characters. */
export function notJsonError(method: string, url: string, headers: HttpResponse['headers'], body: Buffer, hint = 'Check the #path (or RestSamplePath): it must return JSON, or set "#format" (ResponseFormat) when it returns XML, CSV or JSON Lines.'): RestSqlError {
  const type = headerValue(headers, 'content-type') ?? 'no content type';
  const snippet = body.toString('utf8', 0, 80).replace(/\s+/g, ' ');
  return new RestSqlError('HTTP_NOT_JSON', `${method} ${redactUrl(url)} did not return JSON (${type}; starts with "${snippet}").`, {
    hint,
    details: { url: redactUrl(url), contentType: type },
  });
}

/** A coded error from reading a response (JSON nested too deep, a number out of range), prefixed with the request it came from. */
export function atRequest(e: RestSqlError, method: string, url: string): RestSqlError {
  return new RestSqlError(e.code, `${method} ${redactUrl(url)}: ${e.message}`, { ...(e.hint ? { hint: e.hint } : {}), details: { ...e.details, url: redactUrl(url) }, cause: e });
}
