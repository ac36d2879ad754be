/** The retry decision as a table: status x rules x attempt x limits, without a socket. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactUrl } from '../../../src/errors/index.js';
import type { HttpOperation, HttpRequest, HttpResponse } from '../../../src/http/contract.js';
import { DEFAULT_RETRY_POLICY, READ_REQUEST, backoffMs, decide, matchRetryRule, policyFor, requestKind, retryAfterMs, type Decision, type Outcome, type RetryLimits, type RetryRule } from '../../../src/http/retry-policy.js';
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

/** A request as decide sees it: method, operation and idempotence (absent: their defaults). */
type Sent = Pick<HttpRequest, 'method' | 'operation' | 'idempotent'>;
const POST_INSERT: Sent = { method: 'POST', operation: 'INSERT' };
const PUT_UPDATE: Sent = { method: 'PUT', operation: 'UPDATE' };
const PATCH_UPDATE: Sent = { method: 'PATCH', operation: 'UPDATE' };
const DELETE: Sent = { method: 'DELETE', operation: 'DELETE' };
const POST_CALL: Sent = { method: 'POST', operation: 'CALL' };
const POST_READ: Sent = { method: 'POST' };
const GET: Sent = {};

function sent(outcome: Outcome, req: Sent): Outcome {
  const shown = `${req.method ?? 'GET'} https://api.example.com/items`;
  return { ...outcome, shown };
}

test('requestKind: the defaults of method, operation and idempotence', () => {
  const cases: [Sent, string][] = [
    [{}, 'GET SELECT idempotent'],
    [{ method: 'GET', operation: 'CALL' }, 'GET CALL idempotent'],
    [{ method: 'POST' }, 'POST SELECT idempotent'],
    [{ method: 'POST', operation: 'SELECT' }, 'POST SELECT idempotent'],
    [{ method: 'POST', operation: 'INSERT' }, 'POST INSERT not idempotent'],
    [{ method: 'POST', operation: 'UPDATE' }, 'POST UPDATE not idempotent'],
    [{ method: 'POST', operation: 'DELETE' }, 'POST DELETE not idempotent'],
    [{ method: 'POST', operation: 'CALL' }, 'POST CALL not idempotent'],
    [{ method: 'PATCH' }, 'PATCH SELECT idempotent'],
    [{ method: 'PATCH', operation: 'UPDATE' }, 'PATCH UPDATE not idempotent'],
    [{ method: 'PUT', operation: 'UPDATE' }, 'PUT UPDATE idempotent'],
    [{ method: 'PUT', operation: 'INSERT' }, 'PUT INSERT idempotent'],
    [{ method: 'DELETE', operation: 'DELETE' }, 'DELETE DELETE idempotent'],
    [{ method: 'POST', operation: 'INSERT', idempotent: true }, 'POST INSERT idempotent'],
    [{ method: 'PUT', operation: 'UPDATE', idempotent: false }, 'PUT UPDATE not idempotent'],
    [{ method: 'GET', idempotent: false }, 'GET SELECT not idempotent'],
  ];
  for (const [req, expected] of cases) {
    const k = requestKind(req);
    assert.equal(`${k.method} ${k.operation} ${k.idempotent ? 'idempotent' : 'not idempotent'}`, expected, JSON.stringify(req));
  }
  assert.deepEqual(requestKind({}), READ_REQUEST);
});

test('matchRetryRule: #operation scopes a rule (SELECT, GET and READ name reads); an unscoped ZERO_ROWS takes only reads and a DELETE\'s 404', () => {
  const res = response(404).response;
  const cases: [string, readonly RetryRule[], HttpOperation | undefined, string | undefined][] = [
    ['unscoped OK: every operation', [{ code: 404, action: 'OK' }], 'INSERT', 'OK'],
    ['unscoped ZERO_ROWS: a read', [{ code: 404, action: 'ZERO_ROWS' }], undefined, 'ZERO_ROWS'],
    ['unscoped ZERO_ROWS: a DELETE', [{ code: 404, action: 'ZERO_ROWS' }], 'DELETE', 'ZERO_ROWS'],
    ['unscoped ZERO_ROWS: not an INSERT', [{ code: 404, action: 'ZERO_ROWS' }], 'INSERT', undefined],
    ['unscoped ZERO_ROWS: not an UPDATE', [{ code: 404, action: 'ZERO_ROWS' }], 'UPDATE', undefined],
    ['unscoped ZERO_ROWS: not a CALL', [{ code: 404, action: 'ZERO_ROWS' }], 'CALL', undefined],
    ['skipped ZERO_ROWS: the next rule takes it', [{ code: 404, action: 'ZERO_ROWS' }, { code: 404, action: 'FAIL' }], 'INSERT', 'FAIL'],
    ['ZERO_ROWS scoped to INSERT: an INSERT', [{ code: 404, action: 'ZERO_ROWS', operation: 'INSERT' }], 'INSERT', 'ZERO_ROWS'],
    ['scoped to INSERT: not an UPDATE', [{ code: 404, action: 'OK', operation: 'INSERT' }], 'UPDATE', undefined],
    ['scoped to INSERT: not a read', [{ code: 404, action: 'OK', operation: 'INSERT' }], undefined, undefined],
    ['SELECT: a read', [{ code: 404, action: 'OK', operation: 'SELECT' }], 'SELECT', 'OK'],
    ['GET: a read', [{ code: 404, action: 'OK', operation: 'GET' }], undefined, 'OK'],
    ['READ: a read', [{ code: 404, action: 'OK', operation: 'READ' }], 'SELECT', 'OK'],
    ['READ: not a DELETE', [{ code: 404, action: 'OK', operation: 'READ' }], 'DELETE', undefined],
    ['CALL: a CALL', [{ code: 404, action: 'OK', operation: 'CALL' }], 'CALL', 'OK'],
    ['the INSERT rule after the read rule', [{ code: 404, action: 'ZERO_ROWS', operation: 'SELECT' }, { code: 404, action: 'FAIL', operation: 'INSERT' }], 'INSERT', 'FAIL'],
  ];
  for (const [name, rules, op, expected] of cases) assert.equal(matchRetryRule(rules, res, op)?.action, expected, name);
});

test('writes: method x operation x idempotent x status x rules', () => {
  const insert503: readonly HttpRule[] = [{ code: 503, action: 'RETRY_AFTER', operation: 'INSERT' }];
  const cases: [string, Sent, Outcome, readonly HttpRule[] | 'default' | undefined, number, Partial<RetryLimits>, string][] = [
    // restsql's default policy: no status retry for a write that is not idempotent
    ['POST INSERT 503: not retried', POST_INSERT, response(503), undefined, 0, {}, 'fail HTTP_STATUS'],
    ['POST INSERT 502: not retried', POST_INSERT, response(502), undefined, 0, {}, 'fail HTTP_STATUS'],
    ['POST INSERT 504: not retried', POST_INSERT, response(504), undefined, 0, {}, 'fail HTTP_STATUS'],
    ['POST INSERT 429: not retried, the host still slows down', POST_INSERT, response(429), undefined, 0, {}, 'fail HTTP_RATE_LIMITED slow-down 250'],
    ['POST INSERT 503 Retry-After: not retried, the host slows down', POST_INSERT, response(503, { 'retry-after': '2' }), undefined, 0, {}, 'fail HTTP_STATUS slow-down 2000'],
    ['POST INSERT 429 absorbable: not retried either', POST_INSERT, { ...response(429), absorbable: true }, undefined, 0, {}, 'fail HTTP_RATE_LIMITED slow-down 250'],
    ['POST INSERT 503 anyStatus: returned', POST_INSERT, { ...response(503), anyStatus: true }, undefined, 0, {}, 'ok'],
    ['POST INSERT 201', POST_INSERT, response(201), undefined, 0, {}, 'ok'],
    ['POST INSERT 500', POST_INSERT, response(500), undefined, 0, {}, 'fail HTTP_STATUS'],
    ['POST INSERT 401: re-authenticates', POST_INSERT, response(401), undefined, 0, {}, 'reauthenticate'],
    ['POST INSERT 401 again: fails', POST_INSERT, response(401), undefined, 1, { canReauthenticate: false }, 'fail AUTH_FAILED'],
    ['PATCH UPDATE 503: not retried', PATCH_UPDATE, response(503), undefined, 0, {}, 'fail HTTP_STATUS'],
    ['POST CALL 502: not retried', POST_CALL, response(502), undefined, 0, {}, 'fail HTTP_STATUS'],
    ['POST INSERT said idempotent: 503 retried', { ...POST_INSERT, idempotent: true }, response(503), undefined, 0, {}, 'retry 250'],
    ['PUT UPDATE 503: retried', PUT_UPDATE, response(503), undefined, 0, {}, 'retry 250'],
    ['PUT UPDATE 429: slows down and retries', PUT_UPDATE, response(429), undefined, 1, {}, 'retry 500 slow-down'],
    ['PUT UPDATE 502 out of tries', PUT_UPDATE, response(502), undefined, 3, {}, 'fail HTTP_STATUS'],
    ['PUT UPDATE said not idempotent: 503 not retried', { ...PUT_UPDATE, idempotent: false }, response(503), undefined, 0, {}, 'fail HTTP_STATUS'],
    ['DELETE 504: retried', DELETE, response(504), undefined, 0, {}, 'retry 250'],
    ['a read by POST 503: retried', POST_READ, response(503), undefined, 0, {}, 'retry 250'],
    // #http rules naming the operation allow the retry
    ['#operation INSERT RETRY_AFTER: a POST INSERT retried', POST_INSERT, response(503), insert503, 0, {}, 'retry 250 slow-down'],
    ['#operation INSERT RETRY_AFTER: absorbed, uncounted', POST_INSERT, { ...response(503), absorbable: true }, insert503, 3, {}, 'retry 2000 slow-down uncounted'],
    ['#operation INSERT RETRY_AFTER: out of tries', POST_INSERT, response(503), insert503, 3, {}, 'fail HTTP_STATUS slow-down 2000'],
    ['#operation INSERT: not for an UPDATE (unlisted)', PATCH_UPDATE, response(503), insert503, 0, {}, 'fail HTTP_STATUS'],
    ['#operation INSERT: not for a read (unlisted)', GET, response(503), insert503, 0, {}, 'fail HTTP_STATUS'],
    ['#operation insert RETRY_ONCE', POST_INSERT, response(500), [{ code: 500, action: 'RETRY_ONCE', operation: 'INSERT' }], 0, {}, 'retry 250'],
    ['#operation UPDATE RETRY_AWS: a PATCH', PATCH_UPDATE, response(500), [{ code: 500, action: 'RETRY_AWS', operation: 'UPDATE' }], 1, {}, 'retry 500'],
    ['#operation CALL RETRY_FIXED: a POST CALL', POST_CALL, response(500), [{ code: 500, action: 'RETRY_FIXED', operation: 'CALL' }], 0, {}, 'retry 1000'],
    // unscoped retrying rules do not retry a write that is not idempotent
    ['unscoped RETRY_FIXED: POST INSERT fails', POST_INSERT, response(500), [{ code: 500, action: 'RETRY_FIXED' }], 0, {}, 'fail HTTP_STATUS'],
    ['unscoped RETRY_ONCE: POST INSERT fails', POST_INSERT, response(500), [{ code: 500, action: 'RETRY_ONCE' }], 0, {}, 'fail HTTP_STATUS'],
    ['unscoped RETRY_GOOGLE: PATCH UPDATE fails', PATCH_UPDATE, response(500), [{ code: 500, action: 'RETRY_GOOGLE' }], 0, {}, 'fail HTTP_STATUS'],
    ['unscoped RETRY_AWS: POST CALL fails', POST_CALL, response(500), [{ code: 500, action: 'RETRY_AWS' }], 0, {}, 'fail HTTP_STATUS'],
    ['unscoped RETRY_AFTER: POST INSERT fails, slowing down', POST_INSERT, response(500, { 'retry-after': '1' }), [{ code: 500, action: 'RETRY_AFTER' }], 0, {}, 'fail HTTP_STATUS slow-down 1000'],
    ['#operation READ RETRY_AFTER: POST INSERT unlisted', POST_INSERT, response(500), [{ code: 500, action: 'RETRY_AFTER', operation: 'READ' }], 0, {}, 'fail HTTP_STATUS'],
    ['unscoped RETRY_FIXED: PUT UPDATE retried', PUT_UPDATE, response(500), [{ code: 500, action: 'RETRY_FIXED' }], 0, {}, 'retry 1000'],
    ['unscoped RETRY_AFTER: DELETE retried', DELETE, response(500), [{ code: 500, action: 'RETRY_AFTER' }], 0, {}, 'retry 250 slow-down'],
    ['unscoped REAUTHENTICATE: POST INSERT', POST_INSERT, response(403), [{ code: 403, action: 'REAUTHENTICATE' }], 0, {}, 'reauthenticate'],
    ['unscoped RESET: POST INSERT', POST_INSERT, response(403), [{ code: 403, action: 'RESET' }], 0, {}, 'reauthenticate'],
    ['unscoped OK: POST INSERT', POST_INSERT, response(409), [{ code: 409, action: 'OK' }], 0, {}, 'ok'],
    ['unscoped FAIL: POST INSERT', POST_INSERT, response(409), [{ code: 409, action: 'FAIL' }], 0, {}, 'fail HTTP_STATUS'],
    // ZERO_ROWS
    ['unscoped ZERO_ROWS: POST INSERT 400 fails', POST_INSERT, response(400), [{ code: 400, action: 'ZERO_ROWS' }], 0, {}, 'fail HTTP_STATUS'],
    ['unscoped ZERO_ROWS then OK: POST INSERT 400 ok', POST_INSERT, response(400), [{ code: 400, action: 'ZERO_ROWS' }, { code: 400, action: 'OK' }], 0, {}, 'ok'],
    ['unscoped ZERO_ROWS: DELETE 404 no rows', DELETE, response(404), [{ code: 404, action: 'ZERO_ROWS' }], 0, {}, 'zero-rows'],
    ['ZERO_ROWS for UPDATE: PATCH UPDATE 404 no rows', PATCH_UPDATE, response(404), [{ code: 404, action: 'ZERO_ROWS', operation: 'UPDATE' }], 0, {}, 'zero-rows'],
    // DataDirect's defaults
    ['defaults: POST INSERT 400 fails', POST_INSERT, response(400), 'default', 0, {}, 'fail HTTP_STATUS'],
    ['defaults: POST INSERT 404 fails', POST_INSERT, response(404), 'default', 0, {}, 'fail HTTP_STATUS'],
    ['defaults: PUT UPDATE 404 fails', PUT_UPDATE, response(404), 'default', 0, {}, 'fail HTTP_STATUS'],
    ['defaults: POST CALL 400 fails', POST_CALL, response(400), 'default', 0, {}, 'fail HTTP_STATUS'],
    ['defaults: DELETE 404 no rows', DELETE, response(404), 'default', 0, {}, 'zero-rows'],
    // The API refusing a DELETE (400: "has open invoices") is an error, not "DELETE 0".
    ['defaults: DELETE 400 fails', DELETE, response(400), 'default', 0, {}, 'fail HTTP_STATUS'],
    ['unscoped ZERO_ROWS: DELETE 400 fails', DELETE, response(400), [{ code: 400, action: 'ZERO_ROWS' }], 0, {}, 'fail HTTP_STATUS'],
    ['defaults: a read 400 no rows', GET, response(400), 'default', 0, {}, 'zero-rows'],
    ['defaults: POST INSERT 200', POST_INSERT, response(200), 'default', 0, {}, 'ok'],
    ['defaults: POST INSERT 201 (unlisted 2xx)', POST_INSERT, response(201), 'default', 0, {}, 'ok'],
    ['defaults: POST INSERT 401 re-authenticates', POST_INSERT, response(401), 'default', 0, {}, 'reauthenticate'],
    ['defaults: POST INSERT 503 fails, slowing down', POST_INSERT, response(503), 'default', 0, {}, 'fail HTTP_STATUS slow-down 250'],
    ['defaults: POST INSERT 429 fails, slowing down', POST_INSERT, response(429), 'default', 0, {}, 'fail HTTP_RATE_LIMITED slow-down 250'],
    ['defaults: PUT UPDATE 503 retried', PUT_UPDATE, response(503), 'default', 0, {}, 'retry 250 slow-down'],
    ['defaults: DELETE 429 retried', DELETE, response(429), 'default', 0, {}, 'retry 250 slow-down'],
  ];
  for (const [name, req, outcome, rules, attempt, extra, expected] of cases) {
    assert.equal(brief(decide(sent(outcome, req), policyFor(rules), attempt, { ...limits, ...extra }, requestKind(req))), expected, name);
  }
});

test('a write not retried on a status says which #http rule would retry it', () => {
  const post = requestKind(POST_INSERT);
  const d = decide(sent(response(503, {}, '{"message":"overloaded"}'), POST_INSERT), DEFAULT_RETRY_POLICY, 0, limits, post);
  assert.ok(d.kind === 'fail');
  assert.equal(d.error.message, 'POST https://api.example.com/items answered 503: overloaded.');
  assert.match(d.error.hint ?? '', /does not send an INSERT \(POST\) again after 503/);
  assert.ok((d.error.hint ?? '').includes('{"#code": 503, "#action": "RETRY_AFTER", "#operation": "INSERT"}'), d.error.hint);
  const fixed = decide(sent(response(500), PATCH_UPDATE), policyFor([{ code: 500, action: 'RETRY_FIXED', message: 'the API is busy' }]), 0, limits, requestKind(PATCH_UPDATE));
  assert.ok(fixed.kind === 'fail');
  assert.equal(fixed.error.message, 'PATCH https://api.example.com/items answered 500: the API is busy');
  assert.ok((fixed.error.hint ?? '').includes('{"#code": 500, "#action": "RETRY_FIXED", "#operation": "UPDATE"}'), fixed.error.hint);
  // An INSERT's 400 that only an unscoped ZERO_ROWS names: the hint says why that rule did not apply.
  const unlisted = decide(sent(response(400), POST_INSERT), policyFor([{ code: 400, action: 'ZERO_ROWS' }]), 0, limits, post);
  assert.ok(unlisted.kind === 'fail');
  assert.match(unlisted.error.hint ?? '', /no entry for 400 that applies to an INSERT \(a ZERO_ROWS rule without #operation applies to reads, and to a DELETE answered 404, only\)/);
  assert.ok((unlisted.error.hint ?? '').includes('{"#code": 400, "#action": "OK", "#operation": "INSERT"}'));
  // Reads keep their hint.
  const read = decide(response(400), policyFor([{ code: 500, action: 'OK' }]), 0, limits);
  assert.ok(read.kind === 'fail');
  assert.equal(read.error.hint, 'The model file\'s #http rules have no entry for 400; add one (for example {"#code": 400, "#action": "ZERO_ROWS"}) if it is expected.');
});

test('network failures of writes: maybe delivered ends as HTTP_WRITE_UNCERTAIN, never sent keeps its code and retries', () => {
  const net = (req: Sent, code: string, message = 'boom'): Outcome => ({ kind: 'network', shown: `${req.method ?? 'GET'} https://api.example.com/items`, url: 'https://api.example.com/items', code, error: Object.assign(new Error(message), { code }) });
  const cases: [Sent, string, number, Partial<RetryLimits>, string][] = [
    [POST_INSERT, 'ECONNRESET', 0, {}, 'fail HTTP_WRITE_UNCERTAIN'],
    [POST_INSERT, 'EPIPE', 0, {}, 'fail HTTP_WRITE_UNCERTAIN'],
    [POST_INSERT, 'UND_ERR_SOCKET', 0, {}, 'fail HTTP_WRITE_UNCERTAIN'],
    [POST_INSERT, 'ETIMEDOUT', 0, {}, 'fail HTTP_WRITE_UNCERTAIN'],
    [POST_INSERT, 'UND_ERR_HEADERS_TIMEOUT', 0, {}, 'fail HTTP_WRITE_UNCERTAIN'],
    [POST_INSERT, 'UND_ERR_BODY_TIMEOUT', 0, {}, 'fail HTTP_WRITE_UNCERTAIN'],
    [POST_INSERT, 'ECONNABORTED', 0, {}, 'fail HTTP_WRITE_UNCERTAIN'],
    [POST_INSERT, 'UND_ERR_CLOSED', 0, {}, 'fail HTTP_WRITE_UNCERTAIN'],
    [POST_INSERT, '', 0, {}, 'fail HTTP_WRITE_UNCERTAIN'],
    [POST_INSERT, 'ECONNRESET', 0, { retries: 0 }, 'fail HTTP_WRITE_UNCERTAIN'],
    [PATCH_UPDATE, 'ECONNRESET', 0, {}, 'fail HTTP_WRITE_UNCERTAIN'],
    [POST_CALL, 'UND_ERR_SOCKET', 0, {}, 'fail HTTP_WRITE_UNCERTAIN'],
    [{ ...PUT_UPDATE, idempotent: false }, 'ECONNRESET', 0, {}, 'fail HTTP_WRITE_UNCERTAIN'],
    // nothing was sent: as for reads
    [POST_INSERT, 'ECONNREFUSED', 0, {}, 'fail HTTP_UNREACHABLE'],
    [POST_INSERT, 'ENOTFOUND', 0, {}, 'fail HTTP_UNREACHABLE'],
    [POST_INSERT, 'EHOSTUNREACH', 0, {}, 'fail HTTP_UNREACHABLE'],
    [POST_INSERT, 'EAI_AGAIN', 0, {}, 'retry 250'],
    [POST_INSERT, 'EAI_AGAIN', 3, {}, 'fail HTTP_UNREACHABLE'],
    [POST_INSERT, 'UND_ERR_CONNECT_TIMEOUT', 1, {}, 'retry 500'],
    [POST_INSERT, 'UND_ERR_CONNECT_TIMEOUT', 3, {}, 'fail HTTP_TIMEOUT'],
    // idempotent requests retry as reads do
    [PUT_UPDATE, 'ECONNRESET', 0, {}, 'retry 250'],
    [DELETE, 'ETIMEDOUT', 1, {}, 'retry 500'],
    [DELETE, 'UND_ERR_SOCKET', 3, {}, 'fail HTTP_UNREACHABLE'],
    [{ ...POST_INSERT, idempotent: true }, 'ECONNRESET', 0, {}, 'retry 250'],
    [POST_READ, 'ECONNRESET', 0, {}, 'retry 250'],
    [GET, 'UND_ERR_SOCKET', 0, {}, 'retry 250'],
  ];
  for (const [req, code, attempt, extra, expected] of cases) {
    assert.equal(brief(decide(net(req, code), DEFAULT_RETRY_POLICY, attempt, { ...limits, ...extra }, requestKind(req))), expected, `${req.method ?? 'GET'} ${req.operation ?? ''} ${code} at try ${attempt}`);
  }

  const reset = decide(net(POST_INSERT, 'ECONNRESET', 'read ECONNRESET'), DEFAULT_RETRY_POLICY, 0, limits, requestKind(POST_INSERT));
  assert.ok(reset.kind === 'fail');
  assert.equal(reset.error.message, 'POST https://api.example.com/items failed after it may have reached the API: read ECONNRESET (ECONNRESET). The API may or may not have applied the INSERT; restsql did not send it again.');
  assert.equal(reset.error.hint, 'Check in the API whether the INSERT was applied before running the statement again.');
  assert.equal(reset.error.sqlState, '08007');
  assert.equal(reset.error.exitStatus, 1);
  assert.deepEqual(reset.error.details, { url: 'https://api.example.com/items', code: 'ECONNRESET', method: 'POST', operation: 'INSERT' });
  const timeout = decide(net(PATCH_UPDATE, 'ETIMEDOUT'), DEFAULT_RETRY_POLICY, 0, limits, requestKind(PATCH_UPDATE));
  assert.ok(timeout.kind === 'fail');
  assert.equal(timeout.error.message, 'PATCH https://api.example.com/items failed after it may have reached the API: no complete answer (headers and body) within WSTimeout=5s. The API may or may not have applied the UPDATE; restsql did not send it again.');
  assert.match(timeout.error.hint ?? '', /raise WSTimeout/);
});

test('the request and its secrets are redacted in HTTP_WRITE_UNCERTAIN', () => {
  const url = 'https://api.example.com/items?api_key=s3cret-value&x=1';
  const outcome: Outcome = { kind: 'network', shown: `POST ${redactUrl(url)}`, url, code: 'ECONNRESET', error: Object.assign(new Error(`socket hang up at ${url}`), { code: 'ECONNRESET' }) };
  const d = decide(outcome, DEFAULT_RETRY_POLICY, 0, limits, requestKind(POST_INSERT));
  assert.ok(d.kind === 'fail' && d.error.code === 'HTTP_WRITE_UNCERTAIN');
  assert.doesNotMatch(JSON.stringify(d.error), /s3cret/);
  assert.doesNotMatch(d.error.message, /s3cret/);
  assert.match(d.error.message, /^POST https:\/\/api\.example\.com\/items\?api_key=\*\*\*&x=1 failed/);
});
