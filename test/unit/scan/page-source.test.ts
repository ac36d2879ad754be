import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PageRequest, PageSeen, Paginator } from '../../../src/pagination/paginator.js';
import { readPages, type PageSink, type PageSourceOptions } from '../../../src/scan/page-source.js';

interface Page extends PageSeen {
  readonly n: number;
}

const page = (n: number, records = 10): Page => ({ n, records: Array.from({ length: records }, (_x, i) => i), body: {}, headers: {}, url: `https://api.test/p/${n}` });
const numberOf = (r: PageRequest): number => Number('params' in r ? r.params.page : new URL(r.url).searchParams.get('page'));

/** The first page lists `total - 1` more. */
function listed(total: number): Paginator {
  return {
    style: 'page',
    first: () => ({ params: { page: '0' } }),
    next: () => undefined,
    remaining: () => Array.from({ length: total - 1 }, (_x, i) => ({ params: { page: String(i + 1) } })),
  };
}

/** Each page leads to the next, `total` pages in all. */
function chained(total: number): Paginator {
  return {
    style: 'token',
    first: () => ({ params: { page: '0' } }),
    next: (seen) => {
      const n = Number(new URL(seen.url).pathname.split('/').pop());
      return n + 1 < total ? { params: { page: String(n + 1) } } : undefined;
    },
    remaining: () => undefined,
  };
}

/** A fake fetch: page n after delay(n) ms (or failing with fail(n)), recording what it was asked and how many were in flight. */
function fakeFetch(o: { delay?: (n: number) => number; fail?: (n: number) => Error | undefined; records?: (n: number) => number } = {}) {
  const log = { requested: [] as number[], indices: [] as number[], inFlight: 0, maxInFlight: 0, signals: [] as AbortSignal[], settled: 0 };
  const fetch: PageSourceOptions<Page>['fetch'] = async (request, index, signal) => {
    const n = numberOf(request);
    log.requested.push(n);
    log.indices.push(index);
    log.signals.push(signal);
    log.inFlight++;
    log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
    try {
      await sleep(o.delay?.(n) ?? 1);
      const error = o.fail?.(n);
      if (error) throw error;
      return page(n, o.records?.(n) ?? 10);
    } finally {
      log.inFlight--;
      log.settled++;
    }
  };
  return { fetch, log };
}

function collect(o: { slow?: number; onTake?: (p: Page, index: number) => void } = {}) {
  const taken: { n: number; index: number }[] = [];
  const sink: PageSink<Page> & { starts: (number | undefined)[] } = {
    starts: [],
    start(_first, listedCount) {
      sink.starts.push(listedCount);
    },
    async take(p, index) {
      taken.push({ n: p.n, index });
      o.onTake?.(p, index);
      if (o.slow) await sleep(o.slow);
    },
  };
  return { sink, taken };
}

const base = { maxPages: 1000, tooMany: () => new Error('too many pages'), concurrency: 3, readAhead: true };

// Nothing the source starts may end in an unhandled rejection.
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
before(() => process.on('unhandledRejection', onUnhandled));
after(() => {
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, []);
});

test('listed pages come out in request order whatever order they complete in, at most `concurrency` requested ahead', async () => {
  // Later pages answer sooner.
  const { fetch, log } = fakeFetch({ delay: (n) => (n === 0 ? 1 : 40 - n * 3) });
  const { sink, taken } = collect();
  const r = await readPages({ ...base, paginator: listed(10), fetch }, sink);
  assert.deepEqual(taken.map((t) => t.n), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(taken.map((t) => t.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(log.requested, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'requested in order, once each');
  assert.deepEqual(log.indices, log.requested);
  assert.ok(log.maxInFlight <= 3, `at most 3 at once, saw ${log.maxInFlight}`);
  assert.equal(log.maxInFlight, 3, 'the pool is used');
  assert.deepEqual(r, { pages: 10, listed: 9 });
  assert.deepEqual(sink.starts, [9]);
});

test('a slow sink holds requests to the window: no more than `concurrency` pages wait untaken', async () => {
  const { fetch, log } = fakeFetch({ delay: () => 1 });
  let maxAhead = 0;
  const { sink, taken } = collect({ slow: 5, onTake: () => (maxAhead = Math.max(maxAhead, log.requested.length - taken.length)) });
  await readPages({ ...base, concurrency: 2, paginator: listed(8), fetch }, sink);
  assert.equal(taken.length, 8);
  assert.ok(maxAhead <= 2, `requested ahead of the page being taken: ${maxAhead}`);
});

test('pages that lead to the next: in order, the next one requested while this one is taken (read-ahead), or only after (no read-ahead)', async () => {
  for (const readAhead of [true, false]) {
    const { fetch, log } = fakeFetch();
    const requestedAtTake: number[] = [];
    const { sink, taken } = collect({ slow: 3, onTake: () => requestedAtTake.push(log.requested.length) });
    const r = await readPages({ ...base, readAhead, paginator: chained(5), fetch }, sink);
    assert.deepEqual(taken.map((t) => t.n), [0, 1, 2, 3, 4]);
    assert.deepEqual(log.requested, [0, 1, 2, 3, 4]);
    assert.ok(log.maxInFlight <= 1);
    // Read-ahead: page i+1 is already requested when page i is taken (except after the last).
    assert.deepEqual(requestedAtTake, readAhead ? [2, 3, 4, 5, 5] : [1, 2, 3, 4, 5]);
    assert.deepEqual(r, { pages: 5, listed: undefined });
    assert.deepEqual(sink.starts, [undefined]);
  }
});

test('a first page in hand is not requested again', async () => {
  for (const paginator of [listed(3), chained(3)]) {
    const { fetch, log } = fakeFetch();
    const { sink, taken } = collect();
    await readPages({ ...base, paginator, fetch, first: page(0) }, sink);
    assert.deepEqual(taken.map((t) => t.n), [0, 1, 2]);
    assert.deepEqual(log.requested, [1, 2]);
  }
});

test('early stop: once enough is in, nothing more is requested or taken', async () => {
  // Listed, enough after the first page: no other page is requested at all.
  {
    const { fetch, log } = fakeFetch();
    const { sink, taken } = collect();
    await readPages({ ...base, paginator: listed(10), fetch, enough: () => taken.length >= 1 }, sink);
    assert.deepEqual(taken.map((t) => t.n), [0]);
    assert.deepEqual(log.requested, [0]);
  }
  // Listed, enough after page 4: the pages requested before then are abandoned (their signals abort), none after.
  {
    const { fetch, log } = fakeFetch({ delay: (n) => 10 - n });
    let requestedAtStop = -1;
    const { sink, taken } = collect({ onTake: (_p, i) => i === 4 && (requestedAtStop = log.requested.length) });
    const r = await readPages({ ...base, paginator: listed(20), fetch, enough: () => taken.length >= 5 }, sink);
    assert.deepEqual(taken.map((t) => t.n), [0, 1, 2, 3, 4]);
    assert.equal(log.requested.length, requestedAtStop, 'no request after the stop');
    assert.ok(log.requested.length <= 5 + 3);
    assert.equal(r.pages, 5);
    assert.ok(log.signals.slice(5).every((s) => s.aborted), 'abandoned requests are aborted');
  }
  // Sequential: the same.
  {
    const { fetch, log } = fakeFetch();
    const { sink, taken } = collect();
    await readPages({ ...base, readAhead: false, paginator: chained(10), fetch, enough: () => taken.length >= 3 }, sink);
    assert.deepEqual(log.requested, [0, 1, 2]);
    assert.equal(taken.length, 3);
  }
  // Enough before anything: no request.
  {
    const { fetch, log } = fakeFetch();
    const { sink, taken } = collect();
    assert.deepEqual(await readPages({ ...base, paginator: listed(3), fetch, enough: () => true }, sink), { pages: 0, listed: undefined });
    assert.deepEqual([log.requested, taken], [[], []]);
  }
});

test('a failed page: its error comes out in its turn, the pages before it are taken, nothing after it is requested or taken', async () => {
  const boom = new Error('page 4 failed');
  const { fetch, log } = fakeFetch({ delay: (n) => (n === 4 ? 1 : 15), fail: (n) => (n === 4 ? boom : undefined) });
  const { sink, taken } = collect();
  await assert.rejects(readPages({ ...base, paginator: listed(30), fetch }, sink), (e) => e === boom);
  assert.deepEqual(taken.map((t) => t.n), [0, 1, 2, 3]);
  // Page 4 failed while 2 and 3 were in flight: nothing was requested once the failure was known.
  assert.ok(Math.max(...log.requested) <= 6, `requested: ${log.requested.join(',')}`);
  assert.ok(log.signals.every((s) => s.aborted), 'the source aborted what it left');
  await sleep(30);
  assert.equal(log.inFlight, 0);
  const requested = log.requested.length;
  await sleep(20);
  assert.equal(log.requested.length, requested, 'nothing requested after the source returned');
});

test('a failed page that leads to the next, a read-ahead page left unread, and a failing sink all end the source cleanly', async () => {
  {
    const boom = new Error('page 2 failed');
    const { fetch } = fakeFetch({ fail: (n) => (n === 2 ? boom : undefined) });
    const { sink, taken } = collect();
    await assert.rejects(readPages({ ...base, paginator: chained(5), fetch }, sink), (e) => e === boom);
    assert.deepEqual(taken.map((t) => t.n), [0, 1]);
  }
  {
    const broken = new Error('disk full');
    const { fetch, log } = fakeFetch({ delay: () => 5 });
    const sink: PageSink<Page> = {
      take: async (_p, index) => {
        if (index === 1) throw broken;
      },
    };
    await assert.rejects(readPages({ ...base, paginator: listed(10), fetch }, sink), (e) => e === broken);
    assert.ok(log.signals.every((s) => s.aborted));
    const requested = log.requested.length;
    await sleep(20);
    assert.equal(log.requested.length, requested);
    assert.equal(log.inFlight, 0);
  }
});

test('MaxPages: more pages than allowed is the error tooMany gives, listed or not', async () => {
  const tooMany = new Error('too many');
  {
    const { fetch, log } = fakeFetch();
    const { sink, taken } = collect();
    await assert.rejects(readPages({ ...base, maxPages: 4, tooMany: () => tooMany, paginator: listed(5), fetch }, sink), (e) => e === tooMany);
    assert.deepEqual([log.requested, taken.length], [[0], 0], 'known from the first page, before anything is taken');
  }
  {
    const { fetch } = fakeFetch();
    const { sink, taken } = collect();
    await assert.rejects(readPages({ ...base, maxPages: 3, tooMany: () => tooMany, paginator: chained(5), fetch }, sink), (e) => e === tooMany);
    assert.equal(taken.length, 3);
  }
  {
    const { fetch } = fakeFetch();
    const { sink, taken } = collect();
    await readPages({ ...base, maxPages: 5, paginator: chained(5), fetch }, sink);
    assert.equal(taken.length, 5, 'exactly MaxPages is fine');
  }
});

test('cancellation: nothing more is requested or taken, in-flight requests are aborted, the reason comes out', async () => {
  for (const paginator of [listed(50), chained(50)]) {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    // A fetch that ignores its signal and takes a while: the source must not wait for it.
    const { fetch, log } = fakeFetch({ delay: (n) => (n < 3 ? 2 : 1000) });
    const { sink, taken } = collect({ onTake: (_p, i) => i === 2 && setTimeout(() => controller.abort(reason), 5) });
    const started = Date.now();
    await assert.rejects(readPages({ ...base, paginator, fetch, signal: controller.signal }, sink), (e) => e === reason);
    assert.ok(Date.now() - started < 500, 'did not wait for the slow page');
    assert.deepEqual(taken.map((t) => t.n), [0, 1, 2]);
    assert.ok(log.signals.every((s) => s.aborted));
    const requested = log.requested.length;
    await sleep(20);
    assert.equal(log.requested.length, requested, 'nothing requested after cancellation');
  }
  // Already cancelled: no request at all.
  const { fetch, log } = fakeFetch();
  await assert.rejects(readPages({ ...base, paginator: listed(3), fetch, signal: AbortSignal.abort(new Error('early')) }, collect().sink), /early/);
  assert.deepEqual(log.requested, []);
});

test('the sink says what the paginator reads of a page that leads to the next', async () => {
  const { fetch, log } = fakeFetch();
  const seenAt: number[] = [];
  const sink: PageSink<Page> = {
    // Pretend page 2 says it is the last: the paginator then stops.
    seen: (p, index) => {
      seenAt.push(index);
      return p.n === 2 ? { ...p, url: 'https://api.test/p/999' } : p;
    },
    take: async () => {},
  };
  const r = await readPages({ ...base, paginator: chained(10), fetch }, sink);
  assert.deepEqual(log.requested, [0, 1, 2]);
  assert.deepEqual(seenAt, [0, 1, 2]);
  assert.equal(r.pages, 3);
});
