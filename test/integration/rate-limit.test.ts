/**
 * HostConcurrency and slowing down on 429: a loopback API that allows only so many requests at
 * once answers the rest 429 with Retry-After; restsql must finish the job, slower, not fail it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, isRestSqlError } from '../../src/index.js';
import { createHttpClient } from '../../src/http/client.js';
import { createHostGate } from '../../src/http/host-gate.js';
import { startHttpServer } from '../support/loopback-server.js';

const PAGE = 10;
const TOTAL = 300;

/** Offset-paged items; more than `allowed` requests in flight get 429 (Retry-After: `retryAfter`). */
async function limitedApi(allowed: number, retryAfter = '0') {
  let active = 0;
  const stats = { served: 0, refused: 0, maxActive: 0, activeAfterRefusal: [] as number[] };
  let refusedOnce = false;
  const server = await startHttpServer(async (req: IncomingMessage, res: ServerResponse) => {
    active++;
    try {
      stats.maxActive = Math.max(stats.maxActive, active);
      if (refusedOnce) stats.activeAfterRefusal.push(active);
      if (active > allowed) {
        stats.refused++;
        refusedOnce = true;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': retryAfter });
        res.end('{"error":"slow down"}');
        return;
      }
      // Service time, so that concurrent requests overlap as at a real API (not a wait for an event).
      await sleep(15);
      const offset = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('offset') ?? 0);
      const items = Array.from({ length: Math.max(0, Math.min(PAGE, TOTAL - offset)) }, (_x, i) => ({ id: offset + i + 1, name: `n${offset + i + 1}` }));
      stats.served++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ total: TOTAL, items }));
    } finally {
      active--;
    }
  });
  return { base: server.url, stats, close: () => server.close() };
}

/** A model file in a temp folder removed after the test `t`, pass or fail. */
function model(base: string, t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'restsql-rate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'api.rest');
  writeFileSync(file, JSON.stringify({ items: { '#path': `${base}/items /items`, '#maximumPageSize': PAGE, '#pageSizeParameter': 'limit', '#rowOffsetParameter': 'offset', '#totalRowsElement': 'total', id: 'Integer,#key', name: 'VarChar' } }));
  return file;
}

test('a bulk fetch the API rate-limits slows down and completes: every row, fewer requests at once after the 429s', async (t) => {
  const api = await limitedApi(2);
  // 8 pages at once against an API that takes 2, and only one retry per request: without slowing
  // down, some page would fail.
  const conn = await connect(`RestConfigFile=${model(api.base, t)};PageConcurrency=8;HostConcurrency=8;WSRetryCount=1`);
  try {
    const r = await conn.query('SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d, max(id) AS m FROM items');
    assert.deepEqual(r.rows[0], { n: TOTAL, d: TOTAL, m: TOTAL });
    assert.ok(api.stats.refused > 0, 'the API did refuse some requests');
    assert.equal(api.stats.served, TOTAL / PAGE, 'each page served once');
    // After slowing down, the API sees at most 2 at once most of the time (the gate may probe up by one).
    const over = api.stats.activeAfterRefusal.filter((n) => n > 3).length;
    assert.ok(over <= api.stats.activeAfterRefusal.length / 4, `after the first 429, requests at once: ${api.stats.activeAfterRefusal.join(',')}`);
    // The connection is still usable.
    assert.equal((await conn.query('SELECT count(*)::INTEGER AS n FROM items')).rows[0]!.n, TOTAL);
  } finally {
    await conn.close();
    await api.close();
  }
});

test('HostConcurrency caps requests to one host, whatever PageConcurrency asks', async (t) => {
  const api = await limitedApi(100);
  const conn = await connect(`RestConfigFile=${model(api.base, t)};PageConcurrency=16;HostConcurrency=3`);
  try {
    assert.equal((await conn.query('SELECT count(*)::INTEGER AS n FROM items')).rows[0]!.n, TOTAL);
    assert.equal(api.stats.refused, 0);
    assert.ok(api.stats.maxActive <= 3, `at most 3 at once, saw ${api.stats.maxActive}`);
    assert.ok(api.stats.maxActive >= 2, `concurrency was used, saw ${api.stats.maxActive}`);
  } finally {
    await conn.close();
    await api.close();
  }
});

test('Retry-After is honoured; a request alone that keeps being refused fails after WSRetryCount, naming 429', async () => {
  const api = await limitedApi(0, '1');
  const http = createHttpClient({ timeoutSeconds: 10, retries: 1, hostConcurrency: 2 });
  const t0 = Date.now();
  try {
    await assert.rejects(http.send({ url: `${api.base}/items?offset=0` }), (e: unknown) => isRestSqlError(e) && /429/.test(e.message));
    // Alone, each refusal counts: one retry after the Retry-After second, then the failure.
    assert.equal(api.stats.refused, 2);
    assert.ok(Date.now() - t0 >= 950, `waited the Retry-After second (${Date.now() - t0} ms)`);
  } finally {
    await http.close();
    await api.close();
  }
});

test('the gate: limit, halving with a pause, one halving per event, and one step back up per run of successes', async () => {
  const gate = createHostGate(4);
  const o = 'http://h';
  const held = await Promise.all([1, 2, 3, 4].map(() => gate.acquire(o)));
  let fifth = false;
  const pending = gate.acquire(o).then((ticket) => {
    fifth = true;
    return ticket;
  });
  // A slot would be granted at once (within this turn of the event loop); one full turn later it still is not.
  await new Promise((r) => setImmediate(r));
  assert.equal(fifth, false, 'a fifth request waits');
  held[0]!.release();
  const fifthTicket = await pending;
  assert.equal(fifth, true);

  // Four requests in flight are refused together: one event, one halving.
  assert.deepEqual(gate.slowDown(held[1]!, 50), { limit: 2, absorbed: true });
  assert.deepEqual(gate.slowDown(held[2]!, 50), { limit: 2, absorbed: true }, 'sent before the slow-down: no second halving');
  // A waiting request whose caller gives up leaves the queue at once, holding nothing.
  const abort = new AbortController();
  const waiting = gate.acquire(o, abort.signal);
  abort.abort(new Error('cancelled'));
  await assert.rejects(waiting, /cancelled/);
  for (const t of [...held.slice(1), fifthTicket]) t.release();
  const t0 = Date.now();
  const after = await gate.acquire(o);
  assert.ok(Date.now() - t0 >= 45, 'requests wait out the pause');
  const beside = await gate.acquire(o);
  assert.deepEqual(gate.slowDown(beside, 0), { limit: 1, absorbed: true }, 'sent under the new limit beside another, refused: halve again');
  after.release();
  beside.release();
  const single = await gate.acquire(o);
  assert.deepEqual(gate.slowDown(single, 0), { limit: 1, absorbed: false }, 'a request alone: the refusal counts');
  single.release();
  gate.succeeded(o);
  assert.equal(gate.limitOf(o), 2);
  gate.succeeded(o);
  assert.equal(gate.limitOf(o), 2, 'two more successes to reach 3');
  gate.succeeded(o);
  assert.equal(gate.limitOf(o), 3);
  assert.equal(gate.limitOf('http://other'), 4, 'per host');
});
