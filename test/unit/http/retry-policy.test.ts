/** The retry decision as a table: status x rules x attempt x limits, without a socket. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpResponse } from '../../../src/http/contract.js';
import { DEFAULT_RETRY_POLICY, backoffMs, decide, policyFor, retryAfterMs, type Decision, type Outcome, type RetryLimits } from '../../../src/http/retry-policy.js';
import type { HttpRule } from '../../../src/model/types.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function response(status: number, headers: Record<string, string> = {}, body = ''): Outcome & { kind: 'response' } {
  const res: HttpResponse = { url: 'https://api.example.com/items', status, headers, body: Buffer.from(body) };
  return { kind: 'response', shown: 'GET https://api.example.com/items', response: res };
}

const limits: RetryLimits = { retries: 3, maxBackoffMs: 30_000, timeoutSeconds: 5, canReauthenticate: true, now: () => NOW, random: () => 1 };

/** The decision reduced to what the table compares: kind, wait, how it waits, whether counted, error code. */
function brief(d: Decision): string {
  switch (d.kind) {
    case 'retry':
      return `retry ${Math.round(d.delayMs)}${d.slowDown ? ' slow-down' : ''}${d.counted ? '' : ' uncounted'}`;
    case 'fail':
      return `fail ${d.error.code}${d.slowDownMs !== undefined ? ` slow-down ${d.slowDownMs}` : ''}`;
    case 'ok':
      return `ok${d.slowDownMs !== undefined ? ` slow-down ${d.slowDownMs}` : ''}`;
    default:
      return d.kind;
  }
}

test('the default policy (no #http rules): status x attempt x limits', () => {
  const date = new Date(NOW + 7000).toUTCString();
  const cases: [string, Outcome, number, Partial<RetryLimits>, string][] = [
    ['200', response(200), 0, {}, 'ok'],
    ['204', response(204), 3, {}, 'ok'],
    ['404 fails', response(404), 0, {}, 'fail HTTP_STATUS'],
    ['404 with anyStatus is returned', { ...response(404), anyStatus: true }, 0, {}, 'ok'],
    ['401 re-authenticates', response(401), 0, {}, 'reauthenticate'],
    ['401 without an authenticator fails', response(401), 0, { canReauthenticate: false }, 'fail AUTH_FAILED'],
    ['401 after re-authenticating, anyStatus: returned', { ...response(401), anyStatus: true }, 1, { canReauthenticate: false }, 'ok'],
    ['403 fails, never re-authenticates', response(403), 0, {}, 'fail AUTH_FAILED'],
    ['502 backs off 250 ms', response(502), 0, {}, 'retry 250'],
    ['504 backs off 500 ms on the second try', response(504), 1, {}, 'retry 500'],
    ['503 without Retry-After backs off', response(503), 2, {}, 'retry 1000'],
    ['502 honours Retry-After seconds', response(502, { 'retry-after': '2' }), 0, {}, 'retry 2000'],
    ['502 out of tries fails', response(502), 3, {}, 'fail HTTP_STATUS'],
    ['502 with retries 0 fails', response(502), 0, { retries: 0 }, 'fail HTTP_STATUS'],
    ['500 is never retried', response(500), 0, {}, 'fail HTTP_STATUS'],
    ['429 slows the host down (backoff)', response(429), 0, {}, 'retry 250 slow-down'],
    ['429 Retry-After seconds', response(429, { 'retry-after': '3' }), 0, {}, 'retry 3000 slow-down'],
    ['429 Retry-After HTTP-date', response(429, { 'retry-after': date }), 0, {}, 'retry 7000 slow-down'],
    ['429 Retry-After capped by maxBackoffMs', response(429, { 'retry-after': '120' }), 0, {}, 'retry 30000 slow-down'],
    ['429 Retry-After date in the past: at once', response(429, { 'retry-after': new Date(NOW - 5000).toUTCString() }), 0, {}, 'retry 0 slow-down'],
    ['429 unreadable Retry-After: backoff', response(429, { 'retry-after': 'soon' }), 1, {}, 'retry 500 slow-down'],
    ['503 with Retry-After slows down', response(503, { 'retry-after': '1' }), 0, {}, 'retry 1000 slow-down'],
    ['429 out of tries: fails, still slowing down', response(429, { 'retry-after': '1' }), 3, {}, 'fail HTTP_RATE_LIMITED slow-down 1000'],
    ['429 absorbed by the gate is not counted', { ...response(429, { 'retry-after': '1' }), absorbable: true }, 3, {}, 'retry 1000 slow-down uncounted'],
    ['429 absorbed, retries 0: slows down, no retry', { ...response(429, { 'retry-after': '1' }), absorbable: true }, 0, { retries: 0 }, 'fail HTTP_RATE_LIMITED slow-down 1000'],
    ['429 out of tries with anyStatus: returned, slowing down', { ...response(429, { 'retry-after': '1' }), anyStatus: true }, 3, {}, 'ok slow-down 1000'],
    ['backoff is capped too', response(502), 10, { retries: 20 }, 'retry 30000'],
  ];
  for (const [name, outcome, attempt, extra, expected] of cases) {
    assert.equal(brief(decide(outcome, DEFAULT_RETRY_POLICY, attempt, { ...limits, ...extra })), expected, name);
  }
});

test('#http rules (and DataDirect defaults): each action x attempt', () => {
  const rules = (action: HttpRule['action'], extra: Partial<HttpRule> = {}): readonly HttpRule[] => [{ code: 500, action, ...extra }];
  const cases: [string, Outcome, readonly HttpRule[] | 'default', number, Partial<RetryLimits>, string][] = [
    ['OK', response(500), rules('OK'), 0, {}, 'ok'],
    ['ZERO_ROWS', response(500), rules('ZERO_ROWS'), 0, {}, 'zero-rows'],
    ['FAIL', response(500), rules('FAIL'), 0, {}, 'fail HTTP_STATUS'],
    ['an unlisted 2xx is OK', response(201), rules('FAIL'), 0, {}, 'ok'],
    ['an unlisted status fails, even with anyStatus', { ...response(418), anyStatus: true }, rules('OK'), 0, {}, 'fail HTTP_STATUS'],
    ['REAUTHENTICATE', response(500), rules('REAUTHENTICATE'), 0, {}, 'reauthenticate'],
    ['RESET', response(500), rules('RESET'), 0, {}, 'reauthenticate'],
    ['REAUTHENTICATE a second time fails', response(500), rules('REAUTHENTICATE'), 1, { canReauthenticate: false }, 'fail HTTP_STATUS'],
    ['RETRY_ONCE first try', response(500, { 'retry-after': '2' }), rules('RETRY_ONCE'), 0, {}, 'retry 2000'],
    ['RETRY_ONCE second try fails', response(500), rules('RETRY_ONCE'), 1, {}, 'fail HTTP_STATUS'],
    ['RETRY_FIXED one second apart', response(500), rules('RETRY_FIXED'), 2, {}, 'retry 1000'],
    ['RETRY_FIXED honours Retry-After', response(500, { 'retry-after': '4' }), rules('RETRY_FIXED'), 0, {}, 'retry 4000'],
    ['RETRY_FIXED out of tries', response(500), rules('RETRY_FIXED'), 3, {}, 'fail HTTP_STATUS'],
    ['RETRY_AWS exponential, ignores Retry-After', response(500, { 'retry-after': '9' }), rules('RETRY_AWS'), 2, {}, 'retry 1000'],
    ['RETRY_AWS up to WSRetryCount', response(500), rules('RETRY_AWS'), 6, { retries: 7 }, 'retry 16000'],
    ['RETRY_GOOGLE capped at 5 tries', response(500), rules('RETRY_GOOGLE'), 5, { retries: 7 }, 'fail HTTP_STATUS'],
    ['RETRY_GOOGLE within 5', response(500), rules('RETRY_GOOGLE'), 4, { retries: 7 }, 'retry 4000'],
    ['RETRY_AFTER slows the host down', response(500, { 'retry-after': '1' }), rules('RETRY_AFTER'), 0, {}, 'retry 1000 slow-down'],
    ['RETRY_AFTER out of tries', response(500), rules('RETRY_AFTER'), 3, {}, 'fail HTTP_STATUS slow-down 2000'],
    ['#match selects the rule', response(500, {}, '{"error":"busy"}'), [{ code: 500, action: 'OK', match: 'idle' }, { code: 500, action: 'ZERO_ROWS', match: 'busy' }], 0, {}, 'zero-rows'],
    ['#operation other than SELECT never matches', response(500), [{ code: 500, action: 'OK', operation: 'INSERT' }], 0, {}, 'fail HTTP_STATUS'],
    ['defaults: 400 is no rows', response(400), 'default', 0, {}, 'zero-rows'],
    ['defaults: 404 is no rows', response(404), 'default', 0, {}, 'zero-rows'],
    ['defaults: 401 re-authenticates', response(401), 'default', 0, {}, 'reauthenticate'],
    ['defaults: 503 slows down', response(503), 'default', 0, {}, 'retry 250 slow-down'],
    ['defaults: 502 fails', response(502), 'default', 0, {}, 'fail HTTP_STATUS'],
  ];
  for (const [name, outcome, r, attempt, extra, expected] of cases) {
    assert.equal(brief(decide(outcome, policyFor(r), attempt, { ...limits, ...extra })), expected, name);
  }
});

test('a failure carries the rule message, and an unlisted status in a model file says to add a rule', () => {
  const withMessage = decide(response(500), policyFor([{ code: 500, action: 'FAIL', message: 'the API is down' }]), 0, limits);
  assert.ok(withMessage.kind === 'fail');
  assert.equal(withMessage.error.message, 'GET https://api.example.com/items answered 500: the API is down');
  const unlisted = decide(response(418, {}, '{"message":"teapot"}'), policyFor([{ code: 500, action: 'OK' }]), 0, limits);
  assert.ok(unlisted.kind === 'fail');
  assert.equal(unlisted.error.message, 'GET https://api.example.com/items answered 418: teapot.');
  assert.match(unlisted.error.hint ?? '', /#http rules have no entry for 418/);
  const defaults = decide(response(418), policyFor('default'), 0, limits);
  assert.ok(defaults.kind === 'fail');
  assert.doesNotMatch(defaults.error.hint ?? '', /#http/);
});

test('network failures: passing codes are retried up to WSRetryCount; others and timeouts fail with their hint', () => {
  const net = (code: string, message = 'boom'): Outcome => ({ kind: 'network', shown: 'GET https://api.example.com/items', url: 'https://api.example.com/items', code, error: Object.assign(new Error(message), { code }) });
  const cases: [string, number, Partial<RetryLimits>, string][] = [
    ['ECONNRESET', 0, {}, 'retry 250'],
    ['EPIPE', 2, {}, 'retry 1000'],
    ['UND_ERR_SOCKET', 0, {}, 'retry 250'],
    ['EAI_AGAIN', 0, {}, 'retry 250'],
    ['ETIMEDOUT', 1, {}, 'retry 500'],
    ['ETIMEDOUT', 3, {}, 'fail HTTP_TIMEOUT'],
    ['UND_ERR_HEADERS_TIMEOUT', 0, { retries: 0 }, 'fail HTTP_TIMEOUT'],
    ['ECONNRESET', 3, {}, 'fail HTTP_UNREACHABLE'],
    ['ECONNREFUSED', 0, {}, 'fail HTTP_UNREACHABLE'],
    ['ENOTFOUND', 0, {}, 'fail HTTP_UNREACHABLE'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 0, {}, 'fail HTTP_UNREACHABLE'],
  ];
  for (const [code, attempt, extra, expected] of cases) assert.equal(brief(decide(net(code), DEFAULT_RETRY_POLICY, attempt, { ...limits, ...extra })), expected, `${code} at try ${attempt}`);

  const timeout = decide(net('ETIMEDOUT'), DEFAULT_RETRY_POLICY, 3, limits);
  assert.ok(timeout.kind === 'fail');
  assert.equal(timeout.error.message, 'GET https://api.example.com/items failed: no complete answer (headers and body) within WSTimeout=5s on any of 4 tries.');
  const refused = decide(net('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'), DEFAULT_RETRY_POLICY, 0, limits);
  assert.ok(refused.kind === 'fail');
  assert.equal(refused.error.message, 'GET https://api.example.com/items failed: connect ECONNREFUSED 127.0.0.1:9 (ECONNREFUSED).');
  assert.match(refused.error.hint ?? '', /host and port/);
});

test('Retry-After parsing and backoff with jitter', () => {
  assert.equal(retryAfterMs(undefined, NOW), undefined);
  assert.equal(retryAfterMs(' 5 ', NOW), 5000);
  assert.equal(retryAfterMs(new Date(NOW + 90_000).toUTCString(), NOW), 90_000);
  assert.equal(retryAfterMs(new Date(NOW - 90_000).toUTCString(), NOW), 0);
  assert.equal(retryAfterMs('tomorrow', NOW), undefined);
  // Jitter keeps between half and all of the exponential step.
  assert.equal(backoffMs(2, undefined, { maxBackoffMs: 30_000, random: () => 0 }), 500);
  assert.equal(backoffMs(2, undefined, { maxBackoffMs: 30_000, random: () => 1 }), 1000);
  assert.equal(backoffMs(2, 0, { maxBackoffMs: 30_000, random: () => 1 }), 0);
  assert.equal(backoffMs(0, 60_000, { maxBackoffMs: 2000 }), 2000);
});
