/**
 * The HTTP contract between layers: what a request and a response are, what adds credentials to
 * a request, and what sends requests. Types only, no code: auth, scan and the engine depend on
 * this module, and only the composition root (engine/connection) depends on the client that
 * implements it (http/client).
 */
import type { HttpRule } from '../model/types.js';
import type { OriginPolicy } from './origins.js';

/** The methods restsql sends: GET and POST to read, POST, PUT, PATCH and DELETE to write. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a request does, as `#http` rules name it (`#operation`): a read (SELECT), a write, or a routine. */
export type HttpOperation = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'CALL';

export interface HttpRequest {
  readonly url: string;
  /** Absent: GET. */
  readonly method?: HttpMethod;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Sent as is. With a method other than GET and no Content-Type among `headers` (in any case),
   * the client sends `content-type: application/json`.
   */
  readonly body?: string;
  /** What the request does, for `#http` rules with `#operation` and for retries. Absent: SELECT (a read, also by POST). */
  readonly operation?: HttpOperation;
  /**
   * Whether sending the request twice does no more than sending it once (RFC 9110 §9.2.2), so a
   * failed try may be sent again. Absent: true for GET, PUT and DELETE; for POST and PATCH true
   * only for a read (operation SELECT or absent). A request that is not idempotent is never sent
   * twice after it may have reached the API (a reset or timeout ends it as HTTP_WRITE_UNCERTAIN),
   * and is retried on a status only by an `#http` rule that names its `#operation`;
   * re-authentication after a 401 (the API refused it) is still allowed.
   */
  readonly idempotent?: boolean;
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
  /**
   * An `#http` rule said ZERO_ROWS: a read has no rows to read; a write (a DELETE, or an INSERT or
   * UPDATE by a rule naming its `#operation`) touched no row.
   */
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
