/**
 * The HTTP contract between layers: what a request and a response are, what adds credentials to
 * a request, and what sends requests. Types only, no code: auth, scan and the engine depend on
 * this module, and only the composition root (engine/connection) depends on the client that
 * implements it (http/client).
 */
import type { HttpRule } from '../model/types.js';
import type { OriginPolicy } from './origins.js';

export interface HttpRequest {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Return any status instead of failing on non-2xx (the caller reads protocol errors itself). */
  readonly anyStatus?: boolean;
  /**
   * Model-file `#http` rules deciding what each status means (first match wins); `'default'` is
   * DataDirect's documented defaults. Absent: 2xx is success, anything else an error.
   */
  readonly rules?: readonly HttpRule[] | 'default';
  /** Cancels this request, its retries and its waits (the client's own signal does the same for every request): ABORTED. */
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly url: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  /**
   * The body in the pieces it arrived in. `body` joins them when first read; bulk loading never
   * does (a fresh buffer per page costs page faults: 0.24 s for 103 MB).
   */
  readonly chunks?: readonly Buffer[];
  /** An `#http` rule said ZERO_ROWS: the request succeeded and has no rows to read. */
  readonly zeroRows?: boolean;
}

/** Adds credentials to a request; the HTTP client calls it for each request it sends. */
export interface Authenticator {
  /** Returns the request with credentials added (headers or query parameters). */
  authorize(req: HttpRequest): Promise<HttpRequest>;
  /**
   * Called on a 401. Returns true when new credentials were obtained and the request should be
   * sent again once; false when nothing can be done.
   */
  onUnauthorized(res: HttpResponse): Promise<boolean>;
}

export interface HttpClient {
  send(req: HttpRequest): Promise<HttpResponse>;
  /** Sends, checks for a 2xx status and parses the body as JSON. */
  getJson(req: HttpRequest): Promise<{ response: HttpResponse; json: unknown }>;
  close(): Promise<void>;
}

export interface DeriveOptions {
  /** The authenticator (undefined: none, as for the requests that obtain credentials). */
  readonly authenticator?: Authenticator | undefined;
  /** WSRetryCount for this client (0: never retried, as token requests). */
  readonly retries?: number;
  /** Where requests may go (undefined: anywhere). */
  readonly origins?: OriginPolicy | undefined;
}

/**
 * An HTTP client that can hand out variants of itself sharing its connection pool (dispatcher:
 * proxy, TLS, timeouts), its host gate (HostConcurrency, slow-downs) and its limits.
 */
export interface SharedHttpClient extends HttpClient {
  /** A client like this one with `changes` applied. Closing it closes nothing: the client it was derived from owns what they share. */
  derive(changes: DeriveOptions): SharedHttpClient;
}
