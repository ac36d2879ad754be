/**
 * The HTTP client sending writes to a loopback API that counts what arrives: a request that is
 * not idempotent (POST INSERT) is sent once whatever happens after it may have reached the API
 * (503, a reset mid-response), an idempotent one (PUT) is retried, a rule naming the operation
 * lets a POST be retried, a 401 is sent again once with new credentials, and a body gets
 * `content-type: application/json` unless it has a Content-Type of its own.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { isRestSqlError } from '../../../src/errors/index.js';
import { createHttpClient } from '../../../src/http/client.js';
import type { Authenticator, HttpRequest } from '../../../src/http/contract.js';
import { within } from '../../support/deadline.js';
import { startHttpServer, type Listening } from '../../support/loopback-server.js';

/** What arrived for one test's key. */
interface Arrival {
  readonly method: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const arrivals = new Map<string, Arrival[]>();
let api: Listening<import('node:http').Server>;

/**
 * `?run=K` names the test; `fail=N&times=T`: answer N to the first T requests of the key (all
 * when T is absent), then 201; `reset=T`: for the first T requests send the headers and part of
 * the body, then destroy the socket; `auth=1`: 401 unless the bearer token is `gen-1`.
 */
function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const key = url.searchParams.get('run') ?? '';
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    const seen = arrivals.get(key) ?? [];
    seen.push({ method: req.method ?? '', headers: req.headers, body });
    arrivals.set(key, seen);
    const n = seen.length;
    const times = Number(url.searchParams.get('times') ?? Infinity);
    const reset = Number(url.searchParams.get('reset') ?? 0);
    if (n <= reset) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"id": 1, "na');
      // Let the partial body leave before the connection is torn down.
      setImmediate(() => res.socket?.destroy());
      return;
    }
    if (url.searchParams.get('auth') === '1' && req.headers.authorization !== 'Bearer gen-1') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"unauthorized"}');
      return;
    }
    const fail = url.searchParams.get('fail');
    if (fail !== null && n <= times) {
      res.writeHead(Number(fail), { 'content-type': 'application/json' });
      res.end('{"message":"overloaded"}');
      return;
    }
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(`{"id": ${n}}`);
  });
}

before(async () => {
  api = await startHttpServer(handle);
});
after(() => api.close());

/** retries 3 and waits of at most 1 ms: no test sleeps. */
function client(authenticator?: Authenticator) {
  return createHttpClient({ timeoutSeconds: 10, retries: 3, maxBackoffMs: 1, ...(authenticator ? { authenticator } : {}) });
}

function sentFor(key: string): Arrival[] {
  return arrivals.get(key) ?? [];
}

const INSERT = { method: 'POST', operation: 'INSERT', body: '{"name":"one"}' } as const satisfies Partial<HttpRequest>;

test('a POST INSERT answered 503 is sent exactly once and fails with the status, saying which rule would retry it', async () => {
  const http = client();
  try {
    for (const rules of [undefined, 'default' as const, [{ code: 503, action: 'RETRY_AFTER' as const }]]) {
      const key = `post-503-${JSON.stringify(rules)}`;
      const err = await within(20_000, key, http.send({ ...INSERT, url: `${api.url}/items?run=${key}&fail=503`, ...(rules ? { rules } : {}) })).then(
        () => assert.fail('the 503 was returned'),
        (e: unknown) => e,
      );
      assert.ok(isRestSqlError(err) && err.code === 'HTTP_STATUS', String(err));
      assert.match(err.message, /^POST http:\/\/127\.0\.0\.1:\d+\/items\?run=.* answered 503: overloaded\.$/);
      assert.ok((err.hint ?? '').includes('{"#code": 503, "#action": "RETRY_AFTER", "#operation": "INSERT"}'), err.hint);
      assert.equal(sentFor(key).length, 1, `${key}: sent once`);
    }
    // The same request said idempotent is retried: the server did see the 503s.
    const key = 'post-503-idempotent';
    const res = await within(20_000, key, http.send({ ...INSERT, idempotent: true, url: `${api.url}/items?run=${key}&fail=503&times=2` }));
    assert.equal(res.status, 201);
    assert.equal(sentFor(key).length, 3);
  } finally {
    await http.close();
  }
});

test('a POST INSERT reset mid-response is sent exactly once and fails as HTTP_WRITE_UNCERTAIN; a PUT is sent again', async () => {
  const http = client();
  try {
    const key = 'post-reset';
    const err = await within(20_000, key, http.send({ ...INSERT, url: `${api.url}/items?run=${key}&reset=1&api_key=s3cret` })).then(
      () => assert.fail('the reset was not noticed'),
      (e: unknown) => e,
    );
    assert.ok(isRestSqlError(err) && err.code === 'HTTP_WRITE_UNCERTAIN', String(err));
    assert.equal(err.sqlState, '08007');
    assert.match(err.message, /^POST http:\/\/127\.0\.0\.1:\d+\/items\?run=post-reset&reset=1&api_key=\*\*\* failed after it may have reached the API: .*The API may or may not have applied the INSERT; restsql did not send it again\.$/);
    assert.doesNotMatch(JSON.stringify(err) + err.message, /s3cret/);
    assert.match(err.hint ?? '', /Check in the API whether the INSERT was applied/);
    assert.equal(sentFor(key).length, 1, 'sent once');

    const put = 'put-reset';
    const res = await within(20_000, put, http.send({ method: 'PUT', operation: 'UPDATE', body: '{"name":"two"}', url: `${api.url}/items/1?run=${put}&reset=1` }));
    assert.equal(res.status, 201);
    assert.equal(sentFor(put).length, 2, 'sent again after the reset');
    assert.deepEqual(sentFor(put).map((a) => a.body), ['{"name":"two"}', '{"name":"two"}']);
  } finally {
    await http.close();
  }
});

test('a PUT UPDATE and a DELETE answered 503 are retried as reads are', async () => {
  const http = client();
  try {
    const put = 'put-503';
    const res = await within(20_000, put, http.send({ method: 'PUT', operation: 'UPDATE', body: '{"name":"two"}', url: `${api.url}/items/1?run=${put}&fail=503&times=2` }));
    assert.equal(res.status, 201);
    assert.equal(sentFor(put).length, 3);
    const del = 'delete-502';
    const gone = await within(20_000, del, http.send({ method: 'DELETE', operation: 'DELETE', url: `${api.url}/items/1?run=${del}&fail=502&times=1`, rules: [{ code: 502, action: 'RETRY_FIXED' }] }));
    assert.equal(gone.status, 201);
    assert.equal(sentFor(del).length, 2);
  } finally {
    await http.close();
  }
});

test('a rule with #operation INSERT and RETRY_AFTER retries a POST INSERT; it does not retry a POST UPDATE', async () => {
  const http = client();
  const rules = [{ code: 503, action: 'RETRY_AFTER', operation: 'INSERT' }] as const;
  try {
    const key = 'post-rule';
    const res = await within(20_000, key, http.send({ ...INSERT, url: `${api.url}/items?run=${key}&fail=503&times=2`, rules }));
    assert.equal(res.status, 201);
    assert.equal(sentFor(key).length, 3);
    assert.deepEqual(sentFor(key).map((a) => a.body), Array(3).fill(INSERT.body));

    const update = 'post-update-rule';
    await assert.rejects(
      within(20_000, update, http.send({ method: 'POST', operation: 'UPDATE', body: '{}', url: `${api.url}/items/1?run=${update}&fail=503&times=2`, rules })),
      (e: unknown) => isRestSqlError(e) && e.code === 'HTTP_STATUS' && /no entry for 503 that applies to an UPDATE/.test(e.hint ?? ''),
    );
    assert.equal(sentFor(update).length, 1);
  } finally {
    await http.close();
  }
});

test('an INSERT answered 400 under DataDirect\'s defaults fails (no "0 rows"); a DELETE answered 404 is zeroRows', async () => {
  const http = client();
  try {
    const key = 'insert-400';
    await assert.rejects(
      within(20_000, key, http.send({ ...INSERT, url: `${api.url}/items?run=${key}&fail=400`, rules: 'default' })),
      (e: unknown) => isRestSqlError(e) && e.code === 'HTTP_STATUS' && /answered 400/.test(e.message),
    );
    assert.equal(sentFor(key).length, 1);
    const del = 'delete-404';
    const res = await within(20_000, del, http.send({ method: 'DELETE', operation: 'DELETE', url: `${api.url}/items/9?run=${del}&fail=404`, rules: 'default' }));
    assert.equal(res.status, 404);
    assert.equal(res.zeroRows, true);
    assert.equal(sentFor(del).length, 1);
  } finally {
    await http.close();
  }
});

test('a POST INSERT answered 401 is sent again once, with the new credentials', async () => {
  let renewals = 0;
  const auth: Authenticator = {
    async authorize(req) {
      return { ...req, headers: { ...req.headers, authorization: `Bearer gen-${renewals}` } };
    },
    async onUnauthorized() {
      renewals++;
      return true;
    },
  };
  const http = client(auth);
  try {
    const key = 'post-401';
    const res = await within(20_000, key, http.send({ ...INSERT, url: `${api.url}/items?run=${key}&auth=1` }));
    assert.equal(res.status, 201);
    assert.equal(renewals, 1);
    assert.deepEqual(sentFor(key).map((a) => a.headers.authorization), ['Bearer gen-0', 'Bearer gen-1']);
    assert.deepEqual(sentFor(key).map((a) => a.body), [INSERT.body, INSERT.body]);

    // Refused again with the new credentials: no third try.
    const twice = 'post-401-twice';
    await assert.rejects(
      within(20_000, twice, http.send({ ...INSERT, url: `${api.url}/items?run=${twice}&fail=401` })),
      (e: unknown) => isRestSqlError(e) && e.code === 'AUTH_FAILED',
    );
    assert.equal(sentFor(twice).length, 2);
  } finally {
    await http.close();
  }
});

test('a POST INSERT to a closed port keeps HTTP_UNREACHABLE (nothing was sent)', async () => {
  const closed = await startHttpServer(() => undefined);
  const url = `${closed.url}/items`;
  await closed.close();
  const http = client();
  try {
    await assert.rejects(within(20_000, 'refused', http.send({ ...INSERT, url })), (e: unknown) => isRestSqlError(e) && e.code === 'HTTP_UNREACHABLE' && /ECONNREFUSED/.test(e.message));
  } finally {
    await http.close();
  }
});

test('a body sent by a write method gets content-type: application/json unless it names one (in any case)', async () => {
  const http = client();
  try {
    const cases: [string, HttpRequest, string | undefined][] = [
      ['post', { ...INSERT, url: '' }, 'application/json'],
      ['put', { method: 'PUT', operation: 'UPDATE', body: '{}', url: '' }, 'application/json'],
      ['patch', { method: 'PATCH', operation: 'UPDATE', body: '{}', url: '' }, 'application/json'],
      ['delete-body', { method: 'DELETE', operation: 'DELETE', body: '[1,2]', url: '' }, 'application/json'],
      ['delete-no-body', { method: 'DELETE', operation: 'DELETE', url: '' }, undefined],
      ['own-type', { ...INSERT, headers: { 'Content-Type': 'text/csv' }, body: 'a,b', url: '' }, 'text/csv'],
      ['own-type-lower', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b', url: '' }, 'application/x-www-form-urlencoded'],
      ['read-by-post', { method: 'POST', body: '{"q":1}', url: '' }, 'application/json'],
      ['get', { url: '' }, undefined],
    ];
    for (const [key, req, expected] of cases) {
      await within(20_000, key, http.send({ ...req, url: `${api.url}/items?run=ct-${key}` }));
      const [arrival] = sentFor(`ct-${key}`);
      assert.equal(arrival?.headers['content-type'], expected, key);
      assert.equal(arrival?.body, req.body ?? '', key);
      assert.equal(arrival?.method, req.method ?? 'GET', key);
    }
  } finally {
    await http.close();
  }
});
