/**
 * What to do with the outcome of one try of a request: return it, retry it (after a backoff, or
 * by slowing the whole host down), get new credentials first, or fail. The policies are data
 * (rule lists); the decision is one pure function, `decide`, so every combination can be checked
 * without a socket. The HTTP client (client.ts) only loops: send, decide, act.
 *
 * Two policies exist. A model file's `#http` rules (DataDirect's "HTTP response code processing",
 * with its documented defaults when a table has none) and, for every other request, restsql's
 * default: 401 re-authenticates once, 429 and 503-with-Retry-After slow the host down and retry
 * (RFC 6585 §4, RFC 9110 §10.2.3), 502/503/504 retry with exponential backoff, each up to
 * WSRetryCount times.
 *
 * A request that is not idempotent (a write by POST or PATCH, RFC 9110 §9.2.2) is never sent a
 * second time unless a rule says so: after a network failure that may have come after the API
 * received it, it fails as HTTP_WRITE_UNCERTAIN; a status is retried only by a rule naming its
 * `#operation`. Re-authentication stays: the API refused the first try.
 */
import { RestSqlError, redactText, redactUrl } from '../errors/index.js';
import type { HttpAction, HttpRule } from '../model/types.js';
import type { HttpMethod, HttpOperation, HttpRequest, HttpResponse } from './contract.js';
import { headerValue } from './response-body.js';

/** An `#http` action, or BACKOFF: exponential backoff honouring Retry-After, up to WSRetryCount tries (the default policy's 502/503/504). */
export type RetryAction = HttpAction | 'BACKOFF';

export interface RetryRule {
  readonly code: number;
  readonly action: RetryAction;
  /** Only when the response carries this header (lower case). */
  readonly withHeader?: string;
  /**
   * `#operation` (upper case): only for this operation; SELECT, GET and READ all name reads.
   * Absent: every operation, except that ZERO_ROWS then applies to reads and to a DELETE's 404 only.
   */
  readonly operation?: string;
  /** `#match`: only when the body contains this text. */
  readonly match?: string;
  /** `#message`: what the error says when the rule ends in a failure. */
  readonly message?: string;
}

export interface RetryPolicy {
  readonly rules: readonly RetryRule[];
  /**
   * What a response ends as when no rule takes it, or its rule gives up (tries used up, no new
   * credentials to be had). `status`: a 2xx is returned, anything else is an error unless the
   * request asked for any status. `fail`: an error (a 2xx no rule names is returned all the same).
   */
  readonly otherwise: 'status' | 'fail';
  /** The rules come from a model file: an unlisted status's error says to add a rule for it. */
  readonly fromModel: boolean;
}

/** restsql's policy for requests without `#http` rules. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  rules: Object.freeze([
    { code: 401, action: 'REAUTHENTICATE' },
    { code: 429, action: 'RETRY_AFTER' },
    { code: 503, action: 'RETRY_AFTER', withHeader: 'retry-after' },
    { code: 502, action: 'BACKOFF' },
    { code: 503, action: 'BACKOFF' },
    { code: 504, action: 'BACKOFF' },
  ] satisfies RetryRule[]),
  otherwise: 'status',
  fromModel: false,
});

/** DataDirect's documented defaults when a model file has no `#http` entry ("HTTP response code processing"). */
export const DEFAULT_HTTP_RULES: readonly HttpRule[] = Object.freeze([
  { code: 200, action: 'OK' },
  { code: 206, action: 'OK' },
  { code: 400, action: 'ZERO_ROWS' },
  { code: 401, action: 'REAUTHENTICATE' },
  { code: 404, action: 'ZERO_ROWS' },
  { code: 429, action: 'RETRY_AFTER' },
  { code: 503, action: 'RETRY_AFTER' },
] satisfies HttpRule[]);

/** The policy of a request's `#http` rules (`'default'`: DataDirect's defaults), or restsql's default without any. */
export function policyFor(rules: readonly HttpRule[] | 'default' | undefined): RetryPolicy {
  if (rules === undefined) return DEFAULT_RETRY_POLICY;
  return { rules: rules === 'default' ? DEFAULT_HTTP_RULES : rules, otherwise: 'fail', fromModel: rules !== 'default' };
}

/** What a request is, as the retry decision needs it. */
export interface RequestKind {
  readonly method: HttpMethod;
  readonly operation: HttpOperation;
  /** See HttpRequest.idempotent. */
  readonly idempotent: boolean;
}

/** A GET that reads: what `decide` assumes when not told. */
export const READ_REQUEST: RequestKind = Object.freeze({ method: 'GET', operation: 'SELECT', idempotent: true });

/**
 * The request's method, operation and idempotence, with the defaults filled in: GET, SELECT, and
 * idempotent for GET, PUT and DELETE (RFC 9110 §9.2.2) and for a read by POST or PATCH.
 */
export function requestKind(req: Pick<HttpRequest, 'method' | 'operation' | 'idempotent'>): RequestKind {
  const method = req.method ?? 'GET';
  const operation = req.operation ?? 'SELECT';
  const idempotent = req.idempotent ?? (method === 'POST' || method === 'PATCH' ? operation === 'SELECT' : true);
  return { method, operation, idempotent };
}

/** A rule's `#operation` as the operation it names (GET and READ: SELECT), upper case. */
export function ruleOperation(operation: string): string {
  const op = operation.trim().toUpperCase();
  return op === 'GET' || op === 'READ' ? 'SELECT' : op;
}

/** Passing network failures worth another try; a refused connection or an unknown host is not passing. */
export const RETRY_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN']);

/**
 * Network failures that end a try before any of the request was sent: no connection (refused,
 * unreachable, timed out connecting) or no address. Every other failure (a reset, a broken pipe,
 * a timeout waiting for the answer, an unknown code) may come after the API received the
 * request: a request that is not idempotent is not sent again after one of those.
 */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL', 'UND_ERR_CONNECT_TIMEOUT']);

/** What one try came to. */
export type Outcome =
  | {
      readonly kind: 'response';
      /** `GET <url>` (redacted), for messages. */
      readonly shown: string;
      readonly response: HttpResponse;
      /** The request takes any status (it reads protocol errors itself). */
      readonly anyStatus?: boolean;
      /** A slow-down for this response would be absorbed by the host gate (see HostGate.slowDown): the try is not counted. */
      readonly absorbable?: boolean;
    }
  | {
      readonly kind: 'network';
      readonly shown: string;
      readonly url: string;
      /** The error's code (`ECONNRESET`; `ETIMEDOUT` when the WSTimeout deadline ended it). */
      readonly code: string;
      readonly error: Error;
    };

export interface RetryLimits {
  /** WSRetryCount. */
  readonly retries: number;
  /** Upper bound for one wait, Retry-After included. */
  readonly maxBackoffMs: number;
  /** WSTimeout in seconds, for the timeout message. */
  readonly timeoutSeconds: number;
  /** Whether new credentials can be asked for now (an authenticator, not asked yet for this request). */
  readonly canReauthenticate: boolean;
  /** For Retry-After HTTP-dates (default Date.now). */
  readonly now?: () => number;
  /** Jitter in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

export type Decision =
  | { readonly kind: 'ok'; readonly slowDownMs?: number }
  | { readonly kind: 'zero-rows' }
  | {
      readonly kind: 'retry';
      readonly delayMs: number;
      /** Wait by pausing the whole host (rate limited), not by sleeping this request alone. */
      readonly slowDown: boolean;
      /** Whether the try counts against the retries (a slow-down the gate absorbs does not). */
      readonly counted: boolean;
      /** Why, for the debug log: a status or an error code. */
      readonly why: string;
    }
  | { readonly kind: 'reauthenticate' }
  | { readonly kind: 'fail'; readonly error: RestSqlError; readonly slowDownMs?: number };

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Retry-After when given, else exponential backoff (250 ms doubling) with jitter; capped at maxBackoffMs either way. */
export function backoffMs(attempt: number, retryAfter: number | undefined, limits: Pick<RetryLimits, 'maxBackoffMs' | 'random'>): number {
  const max = limits.maxBackoffMs;
  const random = limits.random ?? Math.random;
  return Math.min(max, retryAfter ?? Math.min(max, 250 * 2 ** attempt) * (0.5 + random() / 2));
}

/**
 * The first rule that takes the response of a request doing `operation` (rules are read in
 * order; `#match` looks for text in the body). A rule with `#operation` takes only that
 * operation's responses; one without takes every operation's, except ZERO_ROWS, which then takes
 * only reads' and a DELETE's 404 (the row is not there): "no rows" for any other write would
 * count a refused write as done, so the next rule (or the policy's default) decides instead.
 */
export function matchRetryRule(rules: readonly RetryRule[], res: HttpResponse, operation: HttpOperation = 'SELECT'): RetryRule | undefined {
  let text: string | undefined;
  for (const r of rules) {
    if (r.code !== res.status) continue;
    if (r.operation ? ruleOperation(r.operation) !== operation : r.action === 'ZERO_ROWS' && operation !== 'SELECT' && !(operation === 'DELETE' && res.status === 404)) continue;
    if (r.withHeader !== undefined && headerValue(res.headers, r.withHeader) === undefined) continue;
    if (r.match !== undefined) {
      text ??= res.body.toString('utf8');
      if (!text.includes(r.match)) continue;
    }
    return r;
  }
  return undefined;
}

/**
 * The decision for one try's outcome of `request` (default: a read by GET). `attempt` counts the
 * tries made so far (0 for the first). Pure: the same inputs give the same decision (time and
 * jitter come from `limits`).
 */
export function decide(outcome: Outcome, policy: RetryPolicy, attempt: number, limits: RetryLimits, request: RequestKind = READ_REQUEST): Decision {
  if (outcome.kind === 'network') return decideNetwork(outcome, attempt, limits, request);
  const res = outcome.response;
  const rule = matchRetryRule(policy.rules, res, request.operation);
  const retryAfter = retryAfterMs(headerValue(res.headers, 'retry-after'), (limits.now ?? Date.now)());
  const retries = limits.retries;
  const giveUp = (slowDownMs?: number): Decision => {
    const extra = slowDownMs !== undefined ? { slowDownMs } : {};
    const is2xx = res.status >= 200 && res.status < 300;
    if (policy.otherwise === 'status' && (is2xx || outcome.anyStatus)) return { kind: 'ok', ...extra };
    if (policy.otherwise === 'fail' && is2xx && rule === undefined) return { kind: 'ok', ...extra };
    const unlisted = policy.fromModel && rule === undefined;
    const hint = unlisted && request.operation !== 'SELECT' ? unlistedWriteHint(res.status, request.operation) : undefined;
    return { kind: 'fail', error: statusError(outcome.shown, res, rule?.message, unlisted, hint), ...extra };
  };
  const retry = (delayMs: number, counted = true, slowDown = false): Decision => ({ kind: 'retry', delayMs, slowDown, counted, why: String(res.status) });
  // A request that is not idempotent is sent again on a status only when a rule naming its
  // operation says so: the API may have applied it before answering 429 or 503.
  if (rule && !request.idempotent && !rule.operation && RETRYING_ACTIONS.has(rule.action)) {
    const slowDownMs = rule.action === 'RETRY_AFTER' ? backoffMs(attempt, retryAfter, limits) : undefined;
    const extra = slowDownMs !== undefined ? { slowDownMs } : {};
    if (policy.otherwise === 'status' && outcome.anyStatus) return { kind: 'ok', ...extra };
    return { kind: 'fail', error: statusError(outcome.shown, res, rule.message, false, notRetriedHint(res.status, rule.action, request)), ...extra };
  }
  switch (rule?.action) {
    case undefined:
    case 'FAIL':
      return giveUp();
    case 'OK':
      return { kind: 'ok' };
    case 'ZERO_ROWS':
      return { kind: 'zero-rows' };
    case 'REAUTHENTICATE':
    case 'RESET':
      return limits.canReauthenticate ? { kind: 'reauthenticate' } : giveUp();
    case 'RETRY_AFTER': {
      // The API asks for less: slow down for the whole host (always), and retry. A slow-down the
      // gate absorbs is not counted as a try, but a client told not to retry (0) never retries.
      const wait = backoffMs(attempt, retryAfter, limits);
      const counted = !(outcome.absorbable && retries > 0);
      return (counted ? attempt : attempt - 1) < retries ? retry(wait, counted, true) : giveUp(wait);
    }
    case 'RETRY_ONCE':
      return attempt < 1 ? retry(backoffMs(0, retryAfter, limits)) : giveUp();
    case 'RETRY_FIXED':
      // DataDirect: up to WSRetryCount times, one second apart.
      return attempt < retries ? retry(backoffMs(attempt, retryAfter ?? 1000, limits)) : giveUp();
    case 'RETRY_GOOGLE':
    case 'RETRY_AWS':
      // Exponential backoff with jitter; Google's rule also caps the tries at 5.
      return attempt < (rule.action === 'RETRY_GOOGLE' ? Math.min(5, retries) : retries) ? retry(backoffMs(attempt, undefined, limits)) : giveUp();
    case 'BACKOFF':
      return attempt < retries ? retry(backoffMs(attempt, retryAfter, limits)) : giveUp();
  }
}

/** The actions that send a request again after a status (REAUTHENTICATE and RESET send it with new credentials: the API refused it). */
const RETRYING_ACTIONS: ReadonlySet<RetryAction> = new Set(['RETRY_AFTER', 'RETRY_ONCE', 'RETRY_FIXED', 'RETRY_GOOGLE', 'RETRY_AWS', 'BACKOFF']);

/** `an INSERT`, `a DELETE`. */
function withArticle(operation: HttpOperation): string {
  return `${/^[AEIOU]/.test(operation) ? 'an' : 'a'} ${operation}`;
}

/** Why a status ended a request that is not idempotent at once, and the rule that would retry it. */
function notRetriedHint(status: number, action: RetryAction, request: RequestKind): string {
  const suggested = action === 'BACKOFF' ? 'RETRY_AFTER' : action;
  return (
    `restsql does not send ${withArticle(request.operation)} (${request.method}) again after ${status}: the API may have applied it, and a second one could apply it twice. ` +
    `If the API never applies a request it answers ${status} to, add a rule to the table's #http, such as {"#code": ${status}, "#action": "${suggested}", "#operation": "${request.operation}"}, to let restsql retry it.`
  );
}

/** The hint for a status no `#http` rule takes for a write or a routine (an unscoped ZERO_ROWS does not take an INSERT's or UPDATE's). */
function unlistedWriteHint(status: number, operation: HttpOperation): string {
  return `The model file's #http rules have no entry for ${status} that applies to ${withArticle(operation)} (a ZERO_ROWS rule without #operation applies to reads, and to a DELETE answered 404, only); add one (for example {"#code": ${status}, "#action": "OK", "#operation": "${operation}"}) if it is expected.`;
}

function decideNetwork(o: Extract<Outcome, { kind: 'network' }>, attempt: number, limits: RetryLimits, request: RequestKind): Decision {
  const code = o.code;
  const timedOut = /TIMEOUT|TIMEDOUT/.test(code);
  const what = timedOut
    ? `no complete answer (headers and body) within WSTimeout=${limits.timeoutSeconds}s${attempt > 0 ? ` on any of ${attempt + 1} tries` : ''}`
    : redactText(o.error.message || code);
  if (!request.idempotent && !NOT_SENT_CODES.has(code)) return { kind: 'fail', error: uncertainWrite(o, what, timedOut, request) };
  if (RETRY_CODES.has(code) && attempt < limits.retries) return { kind: 'retry', delayMs: backoffMs(attempt, undefined, limits), slowDown: false, counted: true, why: code };
  return {
    kind: 'fail',
    error: new RestSqlError(timedOut ? 'HTTP_TIMEOUT' : 'HTTP_UNREACHABLE', `${o.shown} failed: ${what}${code && !timedOut ? ` (${code})` : ''}.`, {
      hint: timedOut ? 'Raise WSTimeout (seconds) or check the service.' : 'Check that the host and port are right and the service is running.',
      details: { url: redactUrl(o.url), code },
      cause: o.error,
    }),
  };
}

/** A request that is not idempotent failed after it may have reached the API: it is not sent again. */
function uncertainWrite(o: Extract<Outcome, { kind: 'network' }>, what: string, timedOut: boolean, request: RequestKind): RestSqlError {
  const code = o.code;
  return new RestSqlError(
    'HTTP_WRITE_UNCERTAIN',
    `${o.shown} failed after it may have reached the API: ${what}${code && !timedOut ? ` (${code})` : ''}. The API may or may not have applied the ${request.operation}; restsql did not send it again.`,
    {
      hint: `Check in the API whether the ${request.operation} was applied before running the statement again${timedOut ? ' (raise WSTimeout if the API is slow to answer writes)' : ''}.`,
      details: { url: redactUrl(o.url), code, method: request.method, operation: request.operation },
      cause: o.error,
    },
  );
}

function statusHint(status: number): string {
  if (status === 401 || status === 403) return 'The API refused the request: check AuthenticationMethod and the credentials it needs.';
  if (status === 404) return 'Check the URL (RestSamplePath, HostName or the model file path).';
  if (status === 429) return 'The API is rate limiting; try again later or raise WSRetryCount.';
  if (status >= 500) return 'The API failed on its side; try again later.';
  return 'Check the request the URL describes.';
}

/** The error for a status that ends a request; the response hangs off it (non-enumerable). `hint` replaces the hint the status gets. */
export function statusError(shown: string, res: HttpResponse, message?: string, unlisted = false, hint?: string): RestSqlError {
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
    hint: hint ?? (unlisted ? `The model file's #http rules have no entry for ${res.status}; add one (for example {"#code": ${res.status}, "#action": "ZERO_ROWS"}) if it is expected.` : statusHint(res.status)),
    details: { url: redactUrl(res.url), status: res.status },
  });
  return err.attach('response', res);
}
