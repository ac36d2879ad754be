import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBrotliDecompress, createGunzip, createInflate, type BrotliDecompress, type Gunzip, type Inflate } from 'node:zlib';
import { Agent, EnvHttpProxyAgent, Pool, ProxyAgent, request, type Dispatcher } from 'undici';
import { RestSqlError, redactText, redactUrl } from '../errors/index.js';
import type { Redactor, Secret } from '../errors/index.js';
import type { HttpRule } from '../model/types.js';
import { parseJson } from '../util/json.js';
import { SILENT_LOGGER, type Logger } from '../util/logger.js';
import { createHostGate, type GateTicket } from './host-gate.js';
import type { OriginPolicy } from './origins.js';
import type { Authenticator, HttpClient, HttpRequest, HttpResponse } from './contract.js';
import { atRequest, bodyText, notJsonError } from './response-body.js';
import { DEFAULT_HTTP_RULES, matchRule } from './rules.js';

export interface HttpClientOptions {
  /**
   * WSTimeout in seconds; 0 waits forever. An overall deadline for each try of a request: connect
   * (through a proxy too), headers and the whole body. Each retry gets a fresh deadline.
   */
  readonly timeoutSeconds: number;
  /** WSRetryCount. */
  readonly retries: number;
  readonly authenticator?: Authenticator;
  readonly proxy?: { host: string; port?: number; user?: string; password?: Secret };
  readonly logger?: Logger;
  /** The connection's redactor: learns the credentials each authorized request carries. */
  readonly redactor?: Redactor;
  readonly signal?: AbortSignal;
  /** Upper bound for one wait between retries, in ms (Retry-After included). */
  readonly maxBackoffMs?: number;
  /** HostConcurrency: requests in flight to one origin at most (default 6). */
  readonly hostConcurrency?: number;
  /** Where requests may go, and which get the authenticator's credentials (absent: anywhere, all). */
  readonly origins?: OriginPolicy;
  /** MaxResponseSize in bytes: the most one response body may hold, as received and as decoded (default 512 MiB). */
  readonly maxResponseBytes?: number;
  /** MaxCompressionRatio: decoded bytes per received byte a compressed body may reach past the first RATIO_FLOOR bytes (default 1000; 0: no check). */
  readonly maxCompressionRatio?: number;
}

/** The MaxResponseSize and MaxCompressionRatio options as the client takes them. */
export function limitsFromOptions(o: { maxResponseSize?: number; maxCompressionRatio?: number }): Pick<HttpClientOptions, 'maxResponseBytes' | 'maxCompressionRatio'> {
  return {
    ...(o.maxResponseSize !== undefined ? { maxResponseBytes: o.maxResponseSize * MIB } : {}),
    ...(o.maxCompressionRatio !== undefined ? { maxCompressionRatio: o.maxCompressionRatio } : {}),
  };
}

const MIB = 1024 * 1024;
export const DEFAULT_MAX_RESPONSE_BYTES = 512 * MIB;
export const DEFAULT_MAX_COMPRESSION_RATIO = 1000;
/** The compression ratio is checked only once this much is decoded: small, very repetitive bodies are legitimate. */
const RATIO_FLOOR = 8 * MIB;

/** The ProxyHost/ProxyPort/ProxyUser/ProxyPassword options as the client takes them (absent: $HTTP(S)_PROXY and $NO_PROXY apply). */
export function proxyFromOptions(o: { proxyHost?: string; proxyPort?: number; proxyUser?: string; proxyPassword?: Secret }): Pick<HttpClientOptions, 'proxy'> {
  return o.proxyHost ? { proxy: { host: o.proxyHost, ...(o.proxyPort ? { port: o.proxyPort } : {}), ...(o.proxyUser ? { user: o.proxyUser } : {}), ...(o.proxyPassword ? { password: o.proxyPassword } : {}) } } : {};
}


// Passing failures worth another try after a backoff (429, and 503 with Retry-After, slow the host down instead).
const RETRY_STATUS = new Set([502, 503, 504]);
// Passing network failures worth another try; a refused connection or unknown host is not passing.
/** Node/OpenSSL codes of a server certificate that was reached but not trusted. */
const TLS_CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const TLS_CERT_HINT = "The server's TLS certificate is not trusted (self-signed, from an unknown authority, expired, or for another host name). Fix the server's certificate, or add its CA to NODE_EXTRA_CA_CERTS=/path/ca.pem; restsql does not turn certificate checks off.";
const RETRY_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN']);

function makeDispatcher(o: HttpClientOptions): Dispatcher {
  const timeout = o.timeoutSeconds * 1000;
  const timeouts = { headersTimeout: timeout, bodyTimeout: timeout, connect: { timeout: timeout || undefined } };
  if (o.proxy) {
    const uri = `http://${o.proxy.host}${o.proxy.port ? `:${o.proxy.port}` : ''}`;
    const token = o.proxy.user ? `Basic ${Buffer.from(`${o.proxy.user}:${o.proxy.password?.reveal() ?? ''}`).toString('base64')}` : undefined;
    // The client that talks to the proxy itself (CONNECT) gets the timeouts too: undici's default
    // waits 300 s for an answer to CONNECT.
    const clientFactory = (origin: URL, opts: object) => new Pool(origin, { ...opts, headersTimeout: timeout, bodyTimeout: timeout });
    return new ProxyAgent({ uri, ...(token ? { token } : {}), ...timeouts, clientFactory });
  }
  const env = process.env;
  if (env.HTTP_PROXY || env.HTTPS_PROXY || env.http_proxy || env.https_proxy) return new EnvHttpProxyAgent(timeouts);
  return new Agent(timeouts);
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function headerValue(h: HttpResponse['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * `work`, or the signal's reason as soon as it aborts. undici only acts on a signal once the
 * request has a connection: a proxy that accepts the connection and never answers CONNECT would
 * otherwise hold the request past any deadline. A result that arrives later is `discard`ed.
 */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, discard: (late: T) => void): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      reject(signal.reason);
      work.then(discard, () => undefined);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        reject(e);
      },
    );
  });
}

interface BodyLimits {
  readonly maxBytes: number;
  readonly maxRatio: number;
  /** `GET <url>` (redacted), for messages. */
  readonly shown: string;
  readonly url: string;
}

function sizeText(bytes: number): string {
  return bytes >= MIB ? `${Math.round((bytes / MIB) * 10) / 10} MiB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KiB` : `${bytes} bytes`;
}

function tooLarge(limits: BodyLimits, what: string, hint: string, details: Record<string, unknown>): RestSqlError {
  return new RestSqlError('HTTP_TOO_LARGE', `${limits.shown}: ${what}.`, { hint, details: { url: redactUrl(limits.url), ...details } });
}

function sizeError(limits: BodyLimits, what: string): RestSqlError {
  return tooLarge(limits, `${what} is larger than MaxResponseSize=${limits.maxBytes / MIB} MiB`, 'Raise MaxResponseSize (MiB) if the API really sends responses that large, or ask for smaller pages.', { limit: 'MaxResponseSize', maxBytes: limits.maxBytes });
}

/** A decompressing stream for Content-Encoding (RFC 9110 §8.4.1), or undefined for identity. */
function decoderFor(encoding: string | undefined): Gunzip | Inflate | BrotliDecompress | undefined {
  // Larger pieces than zlib's 16 KiB default: bulk loading writes them one by one.
  const chunkSize = 64 * 1024;
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip({ chunkSize });
    case 'deflate':
      return createInflate({ chunkSize });
    case 'br':
      return createBrotliDecompress({ chunkSize });
    default:
      return undefined;
  }
}

/**
 * The body's pieces, decoded as they arrive (zlib streams run on libuv's thread pool, beside the
 * pages being fetched). Reading stops as soon as the received or decoded bytes pass
 * MaxResponseSize, or a compressed body inflates past MaxCompressionRatio: a compression bomb
 * fails with HTTP_TOO_LARGE after a few MiB instead of exhausting memory.
 */
async function readBody(body: Dispatcher.ResponseData['body'], headers: HttpResponse['headers'], limits: BodyLimits): Promise<Buffer[]> {
  const declared = Number(headerValue(headers, 'content-length'));
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    body.destroy();
    throw sizeError(limits, `the body (Content-Length ${sizeText(declared)})`);
  }
  let received = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of body) {
      received += (chunk as Buffer).length;
      if (received > limits.maxBytes) throw sizeError(limits, 'the body as received');
      yield chunk as Buffer;
    }
  }
  const decoder = decoderFor(headerValue(headers, 'content-encoding'));
  if (!decoder) {
    const chunks: Buffer[] = [];
    for await (const chunk of counted()) chunks.push(chunk);
    return chunks;
  }
  const pumped = pipeline(counted(), decoder);
  // Its failure also destroys the decoder, which ends the loop below with the same error.
  pumped.catch(() => undefined);
  const chunks: Buffer[] = [];
  let decoded = 0;
  try {
    for await (const chunk of decoder) {
      decoded += (chunk as Buffer).length;
      if (decoded > limits.maxBytes) throw sizeError(limits, 'the decoded body');
      // bytesWritten: compressed bytes the decoder has consumed so far.
      const consumed = Math.max(1, decoder.bytesWritten);
      if (limits.maxRatio > 0 && decoded > RATIO_FLOOR && decoded > consumed * limits.maxRatio) {
        throw tooLarge(limits, `the body inflates more than MaxCompressionRatio=${limits.maxRatio} times (${sizeText(decoded)} from ${sizeText(consumed)}), which looks like a compression bomb`, 'If the API really compresses that well, raise MaxCompressionRatio (0 turns the check off).', { limit: 'MaxCompressionRatio', maxRatio: limits.maxRatio });
      }
      chunks.push(chunk as Buffer);
    }
    await pumped;
  } catch (e) {
    decoder.destroy();
    body.destroy();
    throw e;
  }
  return chunks;
}

/** A response whose `body` is joined from `chunks` only when someone reads it. */
function responseOf(url: string, status: number, headers: HttpResponse['headers'], chunks: readonly Buffer[]): HttpResponse {
  let body: Buffer | undefined;
  return {
    url,
    status,
    headers,
    chunks,
    get body() {
      body ??= chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      return body;
    },
  };
}

function statusHint(status: number): string {
  if (status === 401 || status === 403) return 'The API refused the request: check AuthenticationMethod and the credentials it needs.';
  if (status === 404) return 'Check the URL (RestSamplePath, HostName or the model file path).';
  if (status === 429) return 'The API is rate limiting; try again later or raise WSRetryCount.';
  if (status >= 500) return 'The API failed on its side; try again later.';
  return 'Check the request the URL describes.';
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const logger = options.logger ?? SILENT_LOGGER;
  const dispatcher = makeDispatcher(options);
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const gate = createHostGate(options.hostConcurrency ?? 6);
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxRatio = options.maxCompressionRatio ?? DEFAULT_MAX_COMPRESSION_RATIO;

  /**
   * One try. `deadline` (WSTimeout) bounds all of it: connecting (a proxy's CONNECT included),
   * the headers and the whole body, however slowly it trickles in.
   */
  async function once(req: HttpRequest, shown: string, deadline: AbortSignal | undefined): Promise<HttpResponse> {
    const signals = [options.signal, deadline].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const sent = request(req.url, {
      method: req.method ?? 'GET',
      headers: { accept: 'application/json', 'accept-encoding': 'gzip, deflate, br', 'user-agent': 'restsql', ...req.headers },
      ...(req.body !== undefined ? { body: req.body } : {}),
      dispatcher,
      ...(signal ? { signal } : {}),
    });
    const res = await abortable(sent, signal, (late) => late.body.destroy());
    const headers = res.headers as HttpResponse['headers'];
    const chunks = await readBody(res.body, headers, { maxBytes, maxRatio, shown, url: req.url });
    return responseOf(req.url, res.statusCode, headers, chunks);
  }

  async function send(original: HttpRequest): Promise<HttpResponse> {
    let reauthenticated = false;
    // Refused before anything is sent; an origin allowed without credentials never meets the authenticator.
    const access = options.origins ? options.origins.check(original.url, original.method) : 'credentials';
    const authenticator = access === 'credentials' ? options.authenticator : undefined;
    for (let attempt = 0; ; attempt++) {
      const req = authenticator ? await authenticator.authorize(original) : original;
      options.redactor?.learnRequest(req.url, req.headers);
      const shown = `${req.method ?? 'GET'} ${redactUrl(req.url)}`;
      const origin = originOf(req.url);
      let ticket: GateTicket;
      try {
        ticket = await gate.acquire(origin, options.signal);
      } catch (e) {
        throw new RestSqlError('ABORTED', `${shown} was cancelled.`, { cause: e });
      }
      // The slot is held until the response is dealt with, retry waits included: a slow-down
      // must take effect before anyone else is let in.
      try {
        let res: HttpResponse;
        const deadline = options.timeoutSeconds > 0 ? AbortSignal.timeout(options.timeoutSeconds * 1000) : undefined;
        try {
          logger.debug(`http: ${shown}`);
          res = await once(req, shown, deadline);
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          if (options.signal?.aborted) throw new RestSqlError('ABORTED', `${shown} was cancelled.`, { cause: e });
          if (e instanceof RestSqlError) throw e;
          const code = deadline?.aborted ? 'ETIMEDOUT' : err.code ?? (err.cause as NodeJS.ErrnoException | undefined)?.code ?? '';
          if (RETRY_CODES.has(code) && attempt < options.retries) {
            await backoff(attempt, undefined, shown, code);
            continue;
          }
          const timedOut = /TIMEOUT|TIMEDOUT/.test(code);
          throw new RestSqlError(timedOut ? 'HTTP_TIMEOUT' : 'HTTP_UNREACHABLE', `${shown} failed: ${timedOut ? `no complete answer (headers and body) within WSTimeout=${options.timeoutSeconds}s${attempt > 0 ? ` on any of ${attempt + 1} tries` : ''}` : redactText(err.message || code)}${code && !timedOut ? ` (${code})` : ''}.`, {
            hint: timedOut ? 'Raise WSTimeout (seconds) or check the service.' : TLS_CERT_CODES.has(code) ? TLS_CERT_HINT : 'Check that the host and port are right and the service is running.',
            details: { url: redactUrl(req.url), code },
            cause: e,
          });
        }
        if (res.status >= 200 && res.status < 300) gate.succeeded(origin);
        if (original.rules) {
          const rules = original.rules === 'default' ? DEFAULT_HTTP_RULES : original.rules;
          const rule = matchRule(rules, res);
          const action = rule?.action ?? 'FAIL';
          const retryAfter = retryAfterMs(headerValue(res.headers, 'retry-after'));
          switch (action) {
            case 'OK':
              return res;
            case 'ZERO_ROWS':
              logger.debug(`http: ${shown} -> ${res.status}: no rows (#http ZERO_ROWS)`);
              return { ...res, zeroRows: true };
            case 'REAUTHENTICATE':
            case 'RESET':
              if (authenticator && !reauthenticated) {
                reauthenticated = true;
                if (await authenticator.onUnauthorized(res)) continue;
              }
              throw statusError(shown, res, rule?.message);
            case 'RETRY_AFTER':
              // The API asks for less: slow down for the whole host, and retry.
              // A client told not to retry (retries 0) still slows down, but does not retry.
              if (slowDown(ticket, attempt, retryAfter, shown, res.status) && options.retries > 0) attempt--;
              if (attempt < options.retries) continue;
              break;
            case 'RETRY_ONCE':
              if (attempt < 1) {
                await backoff(0, retryAfter, shown, String(res.status));
                continue;
              }
              break;
            case 'RETRY_FIXED':
              // DataDirect: up to WSRetryCount times, one second apart.
              if (attempt < options.retries) {
                await backoff(attempt, retryAfter ?? 1000, shown, String(res.status));
                continue;
              }
              break;
            case 'RETRY_GOOGLE':
            case 'RETRY_AWS':
              // Exponential backoff with jitter; Google's rule also caps the tries at 5.
              if (attempt < (action === 'RETRY_GOOGLE' ? Math.min(5, options.retries) : options.retries)) {
                await backoff(attempt, undefined, shown, String(res.status));
                continue;
              }
              break;
            case 'FAIL':
              break;
          }
          throw statusError(shown, res, rule?.message, rule === undefined && original.rules !== 'default');
        }
        if (res.status === 401 && authenticator && !reauthenticated) {
          reauthenticated = true;
          if (await authenticator.onUnauthorized(res)) continue;
        }
        const retryAfterHeader = headerValue(res.headers, 'retry-after');
        if (res.status === 429 || (res.status === 503 && retryAfterHeader !== undefined)) {
          // Rate limited or overloaded: slow down for the whole host, and retry.
          if (slowDown(ticket, attempt, retryAfterMs(retryAfterHeader), shown, res.status) && options.retries > 0) attempt--;
          if (attempt < options.retries) continue;
        } else if (RETRY_STATUS.has(res.status) && attempt < options.retries) {
          await backoff(attempt, retryAfterMs(retryAfterHeader), shown, String(res.status));
          continue;
        }
        if (!original.anyStatus && (res.status < 200 || res.status > 299)) throw statusError(shown, res);
        return res;
      } finally {
        ticket.release();
      }
    }
  }

  /**
   * Halves the host's allowance and pauses it (Retry-After, else exponential backoff); the retry
   * waits in the gate. True when the gate absorbed it: the try is not counted, since it failed
   * for sending too much at once, which is now corrected.
   */
  function slowDown(ticket: GateTicket, attempt: number, retryAfter: number | undefined, shown: string, status: number): boolean {
    const wait = waitMs(attempt, retryAfter);
    const { limit, absorbed } = gate.slowDown(ticket, wait);
    logger.debug(`http: ${shown} -> ${status}; ${redactUrl(ticket.origin)} now gets at most ${limit} request(s) at once; retrying in ${Math.round(wait)} ms`);
    return absorbed;
  }

  /** Retry-After when given, else exponential backoff with jitter; capped at maxBackoff either way. */
  function waitMs(attempt: number, retryAfter: number | undefined): number {
    return Math.min(maxBackoff, retryAfter ?? Math.min(maxBackoff, 250 * 2 ** attempt) * (0.5 + Math.random() / 2));
  }

  async function backoff(attempt: number, retryAfter: number | undefined, shown: string, why: string): Promise<void> {
    const wait = waitMs(attempt, retryAfter);
    logger.debug(`http: ${shown} -> ${why}; retrying in ${Math.round(wait)} ms`);
    await sleep(wait, undefined, options.signal ? { signal: options.signal } : undefined);
  }

  return {
    send,
    async getJson(req) {
      const response = await send(req);
      const text = bodyText(response);
      try {
        return { response, json: parseJson(text) };
      } catch (e) {
        if (e instanceof RestSqlError) throw atRequest(e, req.method ?? 'GET', req.url);
        throw notJsonError(req.method ?? 'GET', req.url, response.headers, response.body, 'Point restsql at an endpoint that returns JSON.');
      }
    },
    // destroy, not close: close waits for what is still pending, such as a proxy's CONNECT that a
    // WSTimeout deadline already gave up on (undici would hold it open for its own 10 s).
    close: () => dispatcher.destroy(),
  };
}

function statusError(shown: string, res: HttpResponse, message?: string, unlisted = false): RestSqlError {
  const text = res.body.toString('utf8');
  let detail = text.slice(0, 200).replace(/\s+/g, ' ').trim();
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const msg = j.error_description ?? j.message ?? j.error ?? j.detail;
    if (typeof msg === 'string') detail = msg;
    else if (msg && typeof msg === 'object' && typeof (msg as Record<string, unknown>).message === 'string') detail = (msg as Record<string, string>).message!;
  } catch {
    // Not JSON: the snippet stays.
  }
  const code = res.status === 401 || res.status === 403 ? 'AUTH_FAILED' : res.status === 429 ? 'HTTP_RATE_LIMITED' : 'HTTP_STATUS';
  const err = new RestSqlError(code, message ? `${shown} answered ${res.status}: ${message}` : `${shown} answered ${res.status}${detail ? `: ${detail}` : ''}.`, {
    hint: unlisted ? `The model file's #http rules have no entry for ${res.status}; add one (for example {"#code": ${res.status}, "#action": "ZERO_ROWS"}) if it is expected.` : statusHint(res.status),
    details: { url: redactUrl(res.url), status: res.status },
  });
  return err.attach('response', res);
}
