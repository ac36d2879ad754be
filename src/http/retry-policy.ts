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
 */
import { RestSqlError, redactText, redactUrl } from '../errors/index.js';
import type { HttpAction, HttpRule } from '../model/types.js';
import type { HttpResponse } from './contract.js';
import { headerValue } from './response-body.js';

/** An `#http` action, or BACKOFF: exponential backoff honouring Retry-After, up to WSRetryCount tries (the default policy's 502/503/504). */
export type RetryAction = HttpAction | 'BACKOFF';

export interface RetryRule {
  readonly code: number;
  readonly action: RetryAction;
  /** Only when the response carries this header (lower case). */
  readonly withHeader?: string;
  /** `#operation`: only for this operation (restsql only reads: SELECT). */
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

/** Passing network failures worth another try; a refused connection or an unknown host is not passing. */
export const RETRY_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN']);

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
 * The first rule that takes the response (rules are read in order; `#match` looks for text in the
 * body; restsql only runs SELECTs, so `#operation` other than SELECT never matches).
 */
export function matchRetryRule(rules: readonly RetryRule[], res: HttpResponse): RetryRule | undefined {
  let text: string | undefined;
  for (const r of rules) {
    if (r.code !== res.status) continue;
    if (r.operation && !['SELECT', 'GET', 'READ'].includes(r.operation)) continue;
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
 * The decision for one try's outcome. `attempt` counts the tries made so far (0 for the first).
 * Pure: the same inputs give the same decision (time and jitter come from `limits`).
 */
export function decide(outcome: Outcome, policy: RetryPolicy, attempt: number, limits: RetryLimits): Decision {
  if (outcome.kind === 'network') return decideNetwork(outcome, attempt, limits);
  const res = outcome.response;
  const rule = matchRetryRule(policy.rules, res);
  const retryAfter = retryAfterMs(headerValue(res.headers, 'retry-after'), (limits.now ?? Date.now)());
  const retries = limits.retries;
  const giveUp = (slowDownMs?: number): Decision => {
    const extra = slowDownMs !== undefined ? { slowDownMs } : {};
    const is2xx = res.status >= 200 && res.status < 300;
    if (policy.otherwise === 'status' && (is2xx || outcome.anyStatus)) return { kind: 'ok', ...extra };
    if (policy.otherwise === 'fail' && is2xx && rule === undefined) return { kind: 'ok', ...extra };
    return { kind: 'fail', error: statusError(outcome.shown, res, rule?.message, policy.fromModel && rule === undefined), ...extra };
  };
  const retry = (delayMs: number, counted = true, slowDown = false): Decision => ({ kind: 'retry', delayMs, slowDown, counted, why: String(res.status) });
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

function decideNetwork(o: Extract<Outcome, { kind: 'network' }>, attempt: number, limits: RetryLimits): Decision {
  const code = o.code;
  if (RETRY_CODES.has(code) && attempt < limits.retries) return { kind: 'retry', delayMs: backoffMs(attempt, undefined, limits), slowDown: false, counted: true, why: code };
  const timedOut = /TIMEOUT|TIMEDOUT/.test(code);
  const what = timedOut
    ? `no complete answer (headers and body) within WSTimeout=${limits.timeoutSeconds}s${attempt > 0 ? ` on any of ${attempt + 1} tries` : ''}`
    : redactText(o.error.message || code);
  return {
    kind: 'fail',
    error: new RestSqlError(timedOut ? 'HTTP_TIMEOUT' : 'HTTP_UNREACHABLE', `${o.shown} failed: ${what}${code && !timedOut ? ` (${code})` : ''}.`, {
      hint: timedOut ? 'Raise WSTimeout (seconds) or check the service.' : 'Check that the host and port are right and the service is running.',
      details: { url: redactUrl(o.url), code },
      cause: o.error,
    }),
  };
}

function statusHint(status: number): string {
  if (status === 401 || status === 403) return 'The API refused the request: check AuthenticationMethod and the credentials it needs.';
  if (status === 404) return 'Check the URL (RestSamplePath, HostName or the model file path).';
  if (status === 429) return 'The API is rate limiting; try again later or raise WSRetryCount.';
  if (status >= 500) return 'The API failed on its side; try again later.';
  return 'Check the request the URL describes.';
}

/** The error for a status that ends a request; the response hangs off it (non-enumerable). */
export function statusError(shown: string, res: HttpResponse, message?: string, unlisted = false): RestSqlError {
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
