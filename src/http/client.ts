import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrotliDecompress, Gunzip, Inflate } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { RestSqlError, redactUrl } from '../errors/index.js';
import type { Redactor, Secret } from '../errors/index.js';
import type { ConnectionOptions } from '../options/index.js';
import { parseJson } from '../util/json.js';
import { abortable } from '../util/abortable.js';
import { lazyRequire } from '../util/lazy-require.js';
import { SILENT_LOGGER, type Logger } from '../util/logger.js';
import { createHostGate, type GateTicket } from './host-gate.js';
import type { OriginPolicy } from './origins.js';
import type { Authenticator, DeriveOptions, HttpClient, HttpRequest, HttpResponse, SharedHttpClient } from './contract.js';
import { atRequest, bodyText, headerValue, MIB, notJsonError } from './response-body.js';
import { originOf } from './url.js';
import { decide, policyFor, requestKind, type Decision, type Outcome } from './retry-policy.js';
import { tlsSettingsFor, type TlsSettings } from './tls.js';
import { tlsFailure } from './tls-failure.js';
import { createTlsAlerts, type TlsAlerts } from './tls-alerts.js';

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
  /** The TLS options (http/tls.ts): for every TLS connection, direct or through a proxy's tunnel. */
  readonly tls?: TlsSettings;
}

/** The MaxResponseSize and MaxCompressionRatio options as the client takes them. */
function limitsFromOptions(o: { maxResponseSize?: number; maxCompressionRatio?: number }): Pick<HttpClientOptions, 'maxResponseBytes' | 'maxCompressionRatio'> {
  return {
    ...(o.maxResponseSize !== undefined ? { maxResponseBytes: o.maxResponseSize * MIB } : {}),
    ...(o.maxCompressionRatio !== undefined ? { maxCompressionRatio: o.maxCompressionRatio } : {}),
  };
}

const DEFAULT_MAX_RESPONSE_BYTES = 512 * MIB;
const DEFAULT_MAX_COMPRESSION_RATIO = 1000;
/** The compression ratio is checked only once this much is decoded: small, very repetitive bodies are legitimate. */
const RATIO_FLOOR = 8 * MIB;

/** The ProxyHost/ProxyPort/ProxyUser/ProxyPassword options as the client takes them (absent: $HTTP(S)_PROXY and $NO_PROXY apply). */
function proxyFromOptions(o: { proxyHost?: string; proxyPort?: number; proxyUser?: string; proxyPassword?: Secret }): Pick<HttpClientOptions, 'proxy'> {
  return o.proxyHost ? { proxy: { host: o.proxyHost, ...(o.proxyPort ? { port: o.proxyPort } : {}), ...(o.proxyUser ? { user: o.proxyUser } : {}), ...(o.proxyPassword ? { password: o.proxyPassword } : {}) } } : {};
}

/** undici, loaded by the first request (a command that fetches nothing never loads it). */
const undici = lazyRequire<typeof import('undici')>('undici');
/** node:zlib, loaded by the first compressed response. */
const zlib = lazyRequire<typeof import('node:zlib')>('node:zlib');

function makeDispatcher(o: HttpClientOptions, alerts: TlsAlerts): Dispatcher {
  const { Agent, EnvHttpProxyAgent, Pool, ProxyAgent } = undici();
  const timeout = o.timeoutSeconds * 1000;
  // Every pool, direct or behind a proxy's tunnel, has its sockets watched for TLS alerts.
  const { factory } = alerts;
  const tls = o.tls?.connect ?? {};
  // Through a proxy, the connection to the API inside the CONNECT tunnel takes its TLS options
  // from requestTls (undici's ProxyAgent does not use `connect` for it).
  const tunnelTls = Object.keys(tls).length > 0 ? { requestTls: { ...tls } } : {};
  const timeouts = { headersTimeout: timeout, bodyTimeout: timeout, connect: { ...tls, timeout: timeout || undefined } };
  if (o.proxy) {
    const uri = `http://${o.proxy.host}${o.proxy.port ? `:${o.proxy.port}` : ''}`;
    const token = o.proxy.user ? `Basic ${Buffer.from(`${o.proxy.user}:${o.proxy.password?.reveal() ?? ''}`).toString('base64')}` : undefined;
    // The client that talks to the proxy itself (CONNECT) gets the timeouts too: undici's default
    // waits 300 s for an answer to CONNECT.
    const clientFactory = (origin: URL, opts: object) => new Pool(origin, { ...opts, headersTimeout: timeout, bodyTimeout: timeout });
    return new ProxyAgent({ uri, ...(token ? { token } : {}), ...timeouts, ...tunnelTls, clientFactory, factory });
  }
  const env = process.env;
  if (env.HTTP_PROXY || env.HTTPS_PROXY || env.http_proxy || env.https_proxy) return new EnvHttpProxyAgent({ ...timeouts, ...tunnelTls, factory });
  return new Agent({ ...timeouts, factory });
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
      return zlib().createGunzip({ chunkSize });
    case 'deflate':
      return zlib().createInflate({ chunkSize });
    case 'br':
      return zlib().createBrotliDecompress({ chunkSize });
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

/** `req` with `content-type: application/json` when it has a body, a method other than GET, and no Content-Type of its own (in any case). */
export function withContentType(req: HttpRequest): HttpRequest {
  if (req.body === undefined || (req.method ?? 'GET') === 'GET') return req;
  if (Object.keys(req.headers ?? {}).some((name) => name.toLowerCase() === 'content-type')) return req;
  return { ...req, headers: { ...req.headers, 'content-type': 'application/json' } };
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

/**
 * The client a connection's options describe (WSTimeout, WSRetryCount, HostConcurrency, the
 * proxy options, MaxResponseSize, MaxCompressionRatio, the TLS options), without an
 * authenticator: the transport that requests obtaining credentials go through. The API client is
 * derived from it with the authenticator, so both share one connection pool, one host gate and
 * one TLS configuration. The TLS stores are read here, and the TLS warnings (certificate checks
 * turned off) go to the logger's warning channel, once per connection.
 */
export function httpClientFor(options: ConnectionOptions, ctx: { logger?: Logger; redactor?: Redactor; signal?: AbortSignal; origins?: OriginPolicy } = {}): SharedHttpClient {
  const tls = tlsSettingsFor(options);
  for (const w of tls.warnings) ctx.logger?.warn(w);
  return createHttpClient({
    tls,
    timeoutSeconds: options.wsTimeout,
    retries: options.wsRetryCount,
    hostConcurrency: options.hostConcurrency,
    ...(ctx.origins ? { origins: ctx.origins } : {}),
    ...(ctx.logger ? { logger: ctx.logger } : {}),
    ...(ctx.redactor ? { redactor: ctx.redactor } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...proxyFromOptions(options),
    ...limitsFromOptions(options),
  });
}

/** What every client derived from one root shares. */
interface Shared {
  readonly options: HttpClientOptions;
  readonly logger: Logger;
  /** The connection pools, made at the first request. */
  dispatcher(): Dispatcher;
  readonly alerts: TlsAlerts;
  readonly gate: ReturnType<typeof createHostGate>;
  readonly maxBackoffMs: number;
  readonly maxBytes: number;
  readonly maxRatio: number;
}

export function createHttpClient(options: HttpClientOptions): SharedHttpClient {
  const alerts = createTlsAlerts();
  let pools: Dispatcher | undefined;
  const shared: Shared = {
    options,
    logger: options.logger ?? SILENT_LOGGER,
    dispatcher: () => (pools ??= makeDispatcher(options, alerts)),
    alerts,
    gate: createHostGate(options.hostConcurrency ?? 6),
    maxBackoffMs: options.maxBackoffMs ?? 30_000,
    maxBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    maxRatio: options.maxCompressionRatio ?? DEFAULT_MAX_COMPRESSION_RATIO,
  };
  // destroy, not close: close waits for what is still pending, such as a proxy's CONNECT that a
  // WSTimeout deadline already gave up on (undici would hold it open for its own 10 s).
  return clientOf(shared, { authenticator: options.authenticator, retries: options.retries, origins: options.origins }, async () => {
    if (pools) await pools.destroy();
  });
}

function clientOf(shared: Shared, own: { authenticator: Authenticator | undefined; retries: number; origins: OriginPolicy | undefined }, close: () => Promise<void>): SharedHttpClient {
  const { options, logger, dispatcher, alerts, gate, maxBytes, maxRatio } = shared;
  const tlsContext = options.tls?.context ?? { verify: true };

  /**
   * One try. `deadline` (WSTimeout) bounds all of it: connecting (a proxy's CONNECT included),
   * the headers and the whole body, however slowly it trickles in.
   */
  async function once(req: HttpRequest, shown: string, cancel: AbortSignal | undefined, deadline: AbortSignal | undefined): Promise<HttpResponse> {
    const signals = [cancel, deadline].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const sent = undici().request(req.url, {
      method: req.method ?? 'GET',
      headers: { accept: 'application/json', 'accept-encoding': 'gzip, deflate, br', 'user-agent': 'restsql', ...req.headers },
      ...(req.body !== undefined ? { body: req.body } : {}),
      dispatcher: dispatcher(),
      ...(signal ? { signal } : {}),
    });
    const res = await abortable(sent, signal, (late) => late.body.destroy());
    const headers = res.headers as HttpResponse['headers'];
    const chunks = await readBody(res.body, headers, { maxBytes, maxRatio, shown, url: req.url });
    return responseOf(req.url, res.statusCode, headers, chunks);
  }

  /** One try and what it came to: a response, or a network failure worth deciding about (anything else is thrown). */
  async function attemptOnce(req: HttpRequest, shown: string, anyStatus: boolean | undefined, ticket: GateTicket, cancel: AbortSignal | undefined): Promise<Outcome> {
    const deadline = options.timeoutSeconds > 0 ? AbortSignal.timeout(options.timeoutSeconds * 1000) : undefined;
    const started = Date.now();
    try {
      logger.debug(`http: ${shown}`);
      const response = await once(req, shown, cancel, deadline);
      if (response.status >= 200 && response.status < 300) gate.succeeded(ticket.origin);
      return { kind: 'response', shown, response, ...(anyStatus ? { anyStatus } : {}), absorbable: gate.absorbs(ticket) };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (cancel?.aborted) throw new RestSqlError('ABORTED', `${shown} was cancelled.`, { cause: e });
      if (e instanceof RestSqlError) throw e;
      // A failed handshake is not retried: the next try would meet the same certificate. A
      // connection closed after a TLS alert (TLS 1.3's "certificate required") counts as one.
      const closed = err.code === 'UND_ERR_SOCKET' || err.code === 'ECONNRESET';
      const alert = closed ? alerts.since(ticket.origin, started) : undefined;
      const tlsError = deadline?.aborted ? undefined : tlsFailure(alert ?? err, shown, req.url, tlsContext);
      if (tlsError) throw tlsError;
      const code = deadline?.aborted ? 'ETIMEDOUT' : err.code ?? (err.cause as NodeJS.ErrnoException | undefined)?.code ?? '';
      return { kind: 'network', shown, url: req.url, code, error: err };
    }
  }

  async function send(request: HttpRequest): Promise<HttpResponse> {
    // Before the authenticator signs it (AWS SigV4 signs the headers it sees).
    const original = withContentType(request);
    if (options.tls?.requireTls && /^http:/i.test(original.url)) {
      throw new RestSqlError('CONFIG_CONFLICT', `EncryptionMethod=1 (SSL) asks for TLS on every request, but ${original.method ?? 'GET'} ${redactUrl(original.url)} is a plain http:// URL.`, {
        hint: 'Use the https:// URL of the service (in RestSamplePath, HostName, the model file or the OAuth options), or set EncryptionMethod=0 to let each URL\'s scheme decide.',
        details: { option: 'EncryptionMethod', url: redactUrl(original.url) },
      });
    }
    // Refused before anything is sent; an origin allowed without credentials never meets the authenticator.
    const access = own.origins ? own.origins.check(original.url, original.method) : 'credentials';
    const authenticator = access === 'credentials' ? own.authenticator : undefined;
    const policy = policyFor(original.rules);
    const reqKind = requestKind(original);
    // The client's signal (the connection's) and the request's own (a scan that stopped early).
    const cancel = options.signal && original.signal ? AbortSignal.any([options.signal, original.signal]) : (options.signal ?? original.signal);
    let reauthenticated = false;
    for (let attempt = 0; ; ) {
      const req = authenticator ? await authenticator.authorize(original) : original;
      options.redactor?.learnRequest(req.url, req.headers);
      const shown = `${req.method ?? 'GET'} ${redactUrl(req.url)}`;
      let ticket: GateTicket;
      try {
        ticket = await gate.acquire(originOf(req.url) ?? req.url, cancel);
      } catch (e) {
        throw new RestSqlError('ABORTED', `${shown} was cancelled.`, { cause: e });
      }
      // The slot is held until the response is dealt with, retry waits included: a slow-down
      // must take effect before anyone else is let in.
      try {
        const outcome = await attemptOnce(req, shown, original.anyStatus, ticket, cancel);
        const limits = { retries: own.retries, maxBackoffMs: shared.maxBackoffMs, timeoutSeconds: options.timeoutSeconds };
        let d: Decision = decide(outcome, policy, attempt, { ...limits, canReauthenticate: authenticator !== undefined && !reauthenticated }, reqKind);
        if (d.kind === 'reauthenticate' && outcome.kind === 'response') {
          reauthenticated = true;
          // Obtaining new credentials may need a slot for this very origin (a token endpoint or a
          // custom #authentication step on the API's host, through the same transport): the slot
          // is given back first, or a HostConcurrency=1 origin would wait for itself forever. The
          // retry queues for a slot again.
          ticket.release();
          if (await authenticator!.onUnauthorized(outcome.response)) {
            attempt++;
            continue;
          }
          d = decide(outcome, policy, attempt, { ...limits, canReauthenticate: false }, reqKind);
        }
        switch (d.kind) {
          case 'ok':
            if (d.slowDownMs !== undefined) slowDown(ticket, d.slowDownMs, shown, outcome);
            return (outcome as Extract<Outcome, { kind: 'response' }>).response;
          case 'zero-rows': {
            const res = (outcome as Extract<Outcome, { kind: 'response' }>).response;
            logger.debug(`http: ${shown} -> ${res.status}: no rows (#http ZERO_ROWS)`);
            return { ...res, zeroRows: true };
          }
          case 'fail':
            if (d.slowDownMs !== undefined) slowDown(ticket, d.slowDownMs, shown, outcome);
            throw d.error;
          case 'reauthenticate':
            // decide never asks again once canReauthenticate is false.
            throw new RestSqlError('INTERNAL', `${shown}: re-authentication asked twice.`);
          case 'retry':
            if (d.slowDown) slowDown(ticket, d.delayMs, shown, outcome);
            else {
              logger.debug(`http: ${shown} -> ${d.why}; retrying in ${Math.round(d.delayMs)} ms`);
              await sleep(d.delayMs, undefined, cancel ? { signal: cancel } : undefined);
            }
            if (d.counted) attempt++;
            continue;
          default: {
            const unknown: never = d;
            throw new RestSqlError('INTERNAL', `${shown}: unknown retry decision ${JSON.stringify(unknown)}.`);
          }
        }
      } finally {
        ticket.release();
      }
    }
  }

  /** Halves the host's allowance and pauses it for `waitMs`; a retry then waits in the gate. */
  function slowDown(ticket: GateTicket, waitMs: number, shown: string, outcome: Outcome): void {
    const { limit } = gate.slowDown(ticket, waitMs);
    const status = outcome.kind === 'response' ? outcome.response.status : outcome.code;
    logger.debug(`http: ${shown} -> ${status}; ${redactUrl(ticket.origin)} now gets at most ${limit} request(s) at once; retrying in ${Math.round(waitMs)} ms`);
  }

  const client: SharedHttpClient = {
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
    close,
    derive(changes) {
      return clientOf(
        shared,
        {
          authenticator: 'authenticator' in changes ? changes.authenticator : own.authenticator,
          retries: changes.retries ?? own.retries,
          origins: 'origins' in changes ? changes.origins : own.origins,
        },
        async () => {},
      );
    },
  };
  return client;
}
