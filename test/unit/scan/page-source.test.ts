import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PageRequest, PageSeen, Paginator } from '../../../src/pagination/paginator.js';
import { readPages, type PageSink, type PageSourceOptions, type PageSourceResult } from '../../../src/scan/page-source.js';

// No clock here: every request and every take waits until the test answers it, in the order the
// test chooses. The source reacts only to promises settling (it sets no timers), so once the event
// loop has turned over a few times after an answer, every reaction to it has happened: `idle()`
// then makes "nothing more was requested" an exact statement, however loaded the machine is.

interface Page extends PageSeen {
  readonly n: number;
}

const page = (n: number, records = 10): Page => ({ n, records: Array.from({ length: records }, (_x, i) => i), body: {}, headers: {}, url: `https://api.test/p/${n}` });
const numberOf = (r: PageRequest): number => Number('params' in r ? r.params.page : new URL(r.url).searchParams.get('page'));
const range = (count: number): number[] => Array.from({ length: count }, (_x, i) => i);

/** Lets every reaction to what the test just did run: the macrotask queue turns over a few times. */
async function idle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** `readPages`' promise, with whether it has settled yet (and its rejection handled meanwhile). */
function track(p: Promise<PageSourceResult>) {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  return { result: p, done: () => done };
}

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

/**
 * A fake fetch whose every request waits for the test: `resolve(n)` answers page n, `reject(n, e)`
 * fails it (page n answers at once when `auto(n)`, failing with `fail(n)` if that gives an error).
 * It ignores its signal, like a server that never notices, and records what it was asked and how
 * many requests were unanswered at once.
 */
function gatedFetch(o: { auto?: (n: number) => boolean; fail?: (n: number) => Error | undefined } = {}) {
  const log = { requested: [] as number[], indices: [] as number[], signals: [] as AbortSignal[], inFlight: 0, maxInFlight: 0 };
  const open = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();
  const fetch: PageSourceOptions<Page>['fetch'] = (request, index, signal) => {
    const n = numberOf(request);
    log.requested.push(n);
    log.indices.push(index);
    log.signals.push(signal);
    log.inFlight++;
    log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
    return new Promise<Page>((resolve, reject) => {
      const answered = () => {
        open.delete(n);
        log.inFlight--;
      };
      const answer = {
        resolve: () => {
          answered();
          resolve(page(n));
        },
        reject: (e: unknown) => {
          answered();
          reject(e);
        },
      };
      open.set(n, answer);
      if (o.auto?.(n)) {
        const error = o.fail?.(n);
        if (error) answer.reject(error);
        else answer.resolve();
      }
    });
  };
  const awaiting = (n: number) => {
    const a = open.get(n);
    assert.ok(a, `page ${n} is not awaiting an answer (awaiting: ${pending().join(',')})`);
    return a;
  };
  /** The pages requested and not yet answered, in page order. */
  const pending = () => [...open.keys()].sort((a, b) => a - b);
  return {
    fetch,
    log,
    pending,
    resolve: (n: number) => awaiting(n).resolve(),
    reject: (n: number, e: unknown) => awaiting(n).reject(e),
    /** Answers every request still unanswered as a real fetch would once aborted: with its signal's reason. */
    abandonAll: () => {
      for (const n of pending()) awaiting(n).reject(log.signals[log.requested.indexOf(n)]!.reason);
    },
  };
}

/**
 * A sink that records what it takes. With `hold`, each take waits until the test calls
 * `release()`; `holding()` is the index of the page being taken then (undefined when none is).
 */
function collect(o: { hold?: boolean; onTake?: (p: Page, index: number) => void } = {}) {
  const taken: { n: number; index: number }[] = [];
  let held: { index: number; release: () => void } | undefined;
  const sink: PageSink<Page> & { starts: (number | undefined)[] } = {
    starts: [],
    start(_first, listedCount) {
      sink.starts.push(listedCount);
    },
    async take(p, index) {
      assert.equal(held, undefined, 'one page taken at a time');
      taken.push({ n: p.n, index });
      o.onTake?.(p, index);
      if (o.hold) await new Promise<void>((release) => (held = { index, release }));
    },
  };
  const release = () => {
    assert.ok(held, 'no page is being taken');
    const { release: go } = held;
    held = undefined;
    go();
  };
  return { sink, taken, holding: () => held?.index, release };
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
  const gate = gatedFetch();
  const { sink, taken } = collect();
  const run = track(readPages({ ...base, paginator: listed(10), fetch: gate.fetch }, sink));
  await idle();
  assert.deepEqual(gate.pending(), [0]);
  gate.resolve(0);
  await idle();
  assert.deepEqual(taken.map((t) => t.n), [0]);
  assert.deepEqual(gate.pending(), [1, 2, 3], 'the pool is filled, and no further');
  // Pages 3 and 2 answer before page 1: they wait for it, and take no more room.
  gate.resolve(3);
  gate.resolve(2);
  await idle();
  assert.deepEqual(taken.map((t) => t.n), [0], 'pages 2 and 3 wait for page 1');
  assert.deepEqual(gate.log.requested, [0, 1, 2, 3], 'answered but untaken pages still hold their place in the window');
  gate.resolve(1);
  await idle();
  assert.deepEqual(taken.map((t) => t.n), [0, 1, 2, 3]);
  assert.deepEqual(gate.pending(), [4, 5, 6], 'the window moved on by the pages taken');
  // The rest: always the latest requested answers first.
  while (!run.done()) {
    const waiting = gate.pending();
    assert.ok(waiting.length > 0, 'the source waits with nothing requested');
    gate.resolve(waiting.at(-1)!);
    await idle();
  }
  const r = await run.result;
  assert.deepEqual(taken.map((t) => t.n), range(10));
  assert.deepEqual(taken.map((t) => t.index), range(10));
  assert.deepEqual(gate.log.requested, range(10), 'requested in order, once each');
  assert.deepEqual(gate.log.indices, gate.log.requested);
  assert.ok(gate.log.maxInFlight <= 3, `at most 3 at once, saw ${gate.log.maxInFlight}`);
  assert.equal(gate.log.maxInFlight, 3, 'the pool is used');
  assert.deepEqual(r, { pages: 10, listed: 9 });
  assert.deepEqual(sink.starts, [9]);
});

test('a slow sink holds requests to the window: no more than `concurrency` pages wait untaken', async () => {
  const gate = gatedFetch();
  const { sink, taken, holding, release } = collect({ hold: true });
  const run = track(readPages({ ...base, concurrency: 2, paginator: listed(8), fetch: gate.fetch }, sink));
  await idle();
  for (let i = 0; i < 8; i++) {
    // Every page requested is answered, until page i is being taken and nothing more is requested
    // while it is.
    while (gate.pending().length > 0) {
      for (const n of gate.pending()) gate.resolve(n);
      await idle();
    }
    assert.equal(holding(), i, `page ${i} is being taken`);
    assert.deepEqual(taken.map((t) => t.n), range(i + 1));
    const ahead = gate.log.requested.length - taken.length;
    assert.ok(ahead <= 2, `requested ahead of page ${i}, the one being taken: ${ahead}`);
    // The window is used: 2 ahead once the first page is taken (the rest are only known from it).
    assert.equal(gate.log.requested.length, i === 0 ? 1 : Math.min(8, i + 3), `requested while page ${i} is taken`);
    release();
    await idle();
  }
  assert.deepEqual(await run.result, { pages: 8, listed: 7 });
  assert.equal(taken.length, 8);
  assert.deepEqual(gate.log.requested, range(8));
});

test('pages that lead to the next: in order, the next one requested while this one is taken (read-ahead), or only after (no read-ahead)', async () => {
  for (const readAhead of [true, false]) {
    const gate = gatedFetch();
    const requestedAtTake: number[] = [];
    const { sink, taken, holding, release } = collect({ hold: true, onTake: () => requestedAtTake.push(gate.log.requested.length) });
    const run = track(readPages({ ...base, readAhead, paginator: chained(5), fetch: gate.fetch }, sink));
    await idle();
    for (let i = 0; i < 5; i++) {
      // Without read-ahead, page i is only requested now (page 0 always is): answer it.
      if (gate.pending().includes(i)) {
        gate.resolve(i);
        await idle();
      }
      assert.equal(holding(), i, `page ${i} is being taken`);
      const requested = range(readAhead ? Math.min(5, i + 2) : i + 1);
      assert.deepEqual(gate.log.requested, requested, `requested while page ${i} is taken`);
      // With read-ahead, page i+1 answers while page i is still being taken: it waits its turn,
      // and nothing more is requested.
      for (const n of gate.pending()) gate.resolve(n);
      await idle();
      assert.equal(holding(), i, `page ${i} is still being taken`);
      assert.equal(taken.length, i + 1);
      assert.deepEqual(gate.log.requested, requested, `nothing more requested while page ${i} is taken`);
      release();
      await idle();
    }
    const r = await run.result;
    assert.deepEqual(taken.map((t) => t.n), range(5));
    assert.deepEqual(gate.log.requested, range(5));
    assert.ok(gate.log.maxInFlight <= 1);
    // Read-ahead: page i+1 is already requested when page i is taken (except after the last).
    assert.deepEqual(requestedAtTake, readAhead ? [2, 3, 4, 5, 5] : [1, 2, 3, 4, 5]);
    assert.deepEqual(r, { pages: 5, listed: undefined });
    assert.deepEqual(sink.starts, [undefined]);
  }
});

test('a first page in hand is not requested again', async () => {
  for (const paginator of [listed(3), chained(3)]) {
    const gate = gatedFetch({ auto: () => true });
    const { sink, taken } = collect();
    await readPages({ ...base, paginator, fetch: gate.fetch, first: page(0) }, sink);
    assert.deepEqual(taken.map((t) => t.n), [0, 1, 2]);
    assert.deepEqual(gate.log.requested, [1, 2]);
  }
});

test('early stop: once enough is in, nothing more is requested or taken', async () => {
  // Listed, enough after the first page: no other page is requested at all.
  {
    const gate = gatedFetch({ auto: () => true });
    const { sink, taken } = collect();
    await readPages({ ...base, paginator: listed(10), fetch: gate.fetch, enough: () => taken.length >= 1 }, sink);
    await idle();
    assert.deepEqual(taken.map((t) => t.n), [0]);
    assert.deepEqual(gate.log.requested, [0]);
  }
  // Listed, enough after page 4 (later pages answering first): the pages requested before then are
  // abandoned (their signals abort), none is requested after, none more is taken even once answered.
  {
    const gate = gatedFetch();
    let requestedAtStop = -1;
    const { sink, taken } = collect({ onTake: (_p, i) => i === 4 && (requestedAtStop = gate.log.requested.length) });
    const run = track(readPages({ ...base, paginator: listed(20), fetch: gate.fetch, enough: () => taken.length >= 5 }, sink));
    await idle();
    while (!run.done()) {
      const waiting = gate.pending();
      assert.ok(waiting.length > 0, 'the source waits with nothing requested');
      gate.resolve(waiting.at(-1)!);
      await idle();
    }
    const r = await run.result;
    assert.deepEqual(taken.map((t) => t.n), [0, 1, 2, 3, 4]);
    assert.equal(gate.log.requested.length, requestedAtStop, 'no request after the stop');
    assert.deepEqual(gate.log.requested, range(5 + 3), 'the window behind page 4, no further');
    assert.equal(r.pages, 5);
    assert.ok(gate.log.signals.slice(5).every((s) => s.aborted), 'abandoned requests are aborted');
    for (const n of gate.pending()) gate.resolve(n);
    await idle();
    assert.deepEqual(gate.log.requested, range(5 + 3), 'nothing requested after the source returned');
    assert.equal(taken.length, 5, 'nothing taken after the source returned');
  }
  // Sequential: the same.
  {
    const gate = gatedFetch({ auto: () => true });
    const { sink, taken } = collect();
    await readPages({ ...base, readAhead: false, paginator: chained(10), fetch: gate.fetch, enough: () => taken.length >= 3 }, sink);
    await idle();
    assert.deepEqual(gate.log.requested, [0, 1, 2]);
    assert.equal(taken.length, 3);
  }
  // Enough before anything: no request.
  {
    const gate = gatedFetch({ auto: () => true });
    const { sink, taken } = collect();
    assert.deepEqual(await readPages({ ...base, paginator: listed(3), fetch: gate.fetch, enough: () => true }, sink), { pages: 0, listed: undefined });
    await idle();
    assert.deepEqual([gate.log.requested, taken], [[], []]);
  }
});

test('a failed page: its error comes out in its turn, the pages before it are taken, nothing after it is requested or taken', async () => {
  const boom = new Error('page 4 failed');
  const gate = gatedFetch();
  const { sink, taken } = collect();
  const run = track(readPages({ ...base, paginator: listed(30), fetch: gate.fetch }, sink));
  await idle();
  gate.resolve(0);
  await idle();
  gate.resolve(1);
  await idle();
  assert.deepEqual(gate.pending(), [2, 3, 4]);
  // Page 4 fails while 2 and 3 are in flight: nothing is requested once the failure is known.
  gate.reject(4, boom);
  await idle();
  assert.deepEqual(taken.map((t) => t.n), [0, 1]);
  assert.equal(run.done(), false, 'pages 2 and 3 come before the failure');
  gate.resolve(2);
  await idle();
  gate.resolve(3);
  await idle();
  assert.equal(run.done(), true, 'the failure comes out in its turn, after page 3');
  await assert.rejects(run.result, (e) => e === boom);
  assert.deepEqual(taken.map((t) => t.n), [0, 1, 2, 3]);
  assert.deepEqual(gate.log.requested, [0, 1, 2, 3, 4], 'nothing requested once page 4 had failed');
  assert.ok(gate.log.signals.every((s) => s.aborted), 'the source aborted what it left');
  assert.equal(gate.log.inFlight, 0);
  await idle();
  assert.deepEqual(gate.log.requested, [0, 1, 2, 3, 4], 'nothing requested after the source returned');
  assert.deepEqual(unhandled, []);
});

test('a failed page that leads to the next, a read-ahead page left unread, and a failing sink all end the source cleanly', async () => {
  {
    const boom = new Error('page 2 failed');
    const gate = gatedFetch({ auto: () => true, fail: (n) => (n === 2 ? boom : undefined) });
    const { sink, taken } = collect();
    await assert.rejects(readPages({ ...base, paginator: chained(5), fetch: gate.fetch }, sink), (e) => e === boom);
    await idle();
    assert.deepEqual(taken.map((t) => t.n), [0, 1]);
    assert.deepEqual(gate.log.requested, [0, 1, 2]);
  }
  {
    // Read ahead, then the sink fails on page 1: page 2, requested ahead, is left unread.
    const broken = new Error('disk full');
    const gate = gatedFetch();
    const sink: PageSink<Page> = {
      take: async (_p, index) => {
        if (index === 1) throw broken;
      },
    };
    const run = track(readPages({ ...base, paginator: chained(10), fetch: gate.fetch }, sink));
    await idle();
    gate.resolve(0);
    await idle();
    gate.resolve(1);
    await idle();
    await assert.rejects(run.result, (e) => e === broken);
    assert.deepEqual(gate.log.requested, [0, 1, 2]);
    assert.deepEqual(gate.pending(), [2]);
    assert.ok(gate.log.signals.every((s) => s.aborted));
    gate.abandonAll();
    await idle();
    assert.deepEqual(gate.log.requested, [0, 1, 2]);
    assert.deepEqual(unhandled, [], 'the unread page failing is caught');
  }
  {
    const broken = new Error('disk full');
    const gate = gatedFetch();
    const sink: PageSink<Page> = {
      take: async (_p, index) => {
        if (index === 1) throw broken;
      },
    };
    const run = track(readPages({ ...base, paginator: listed(10), fetch: gate.fetch }, sink));
    await idle();
    gate.resolve(0);
    await idle();
    assert.deepEqual(gate.pending(), [1, 2, 3]);
    gate.resolve(1);
    await idle();
    await assert.rejects(run.result, (e) => e === broken);
    assert.ok(gate.log.signals.every((s) => s.aborted));
    const requested = [...gate.log.requested];
    assert.deepEqual(gate.pending(), requested.slice(2), 'the pages left in flight');
    // What was left in flight fails as aborted requests do: caught, and nothing more is requested.
    gate.abandonAll();
    await idle();
    assert.deepEqual(gate.log.requested, requested);
    assert.deepEqual(unhandled, [], 'the pages left in flight failing are caught');
  }
});

test('MaxPages: more pages than allowed is the error tooMany gives, listed or not', async () => {
  const tooMany = new Error('too many');
  {
    const gate = gatedFetch({ auto: () => true });
    const { sink, taken } = collect();
    await assert.rejects(readPages({ ...base, maxPages: 4, tooMany: () => tooMany, paginator: listed(5), fetch: gate.fetch }, sink), (e) => e === tooMany);
    await idle();
    assert.deepEqual([gate.log.requested, taken.length], [[0], 0], 'known from the first page, before anything is taken');
  }
  {
    const gate = gatedFetch({ auto: () => true });
    const { sink, taken } = collect();
    await assert.rejects(readPages({ ...base, maxPages: 3, tooMany: () => tooMany, paginator: chained(5), fetch: gate.fetch }, sink), (e) => e === tooMany);
    assert.equal(taken.length, 3);
  }
  {
    const gate = gatedFetch({ auto: () => true });
    const { sink, taken } = collect();
    await readPages({ ...base, maxPages: 5, paginator: chained(5), fetch: gate.fetch }, sink);
    assert.equal(taken.length, 5, 'exactly MaxPages is fine');
  }
});

test('cancellation: nothing more is requested or taken, in-flight requests are aborted, the reason comes out', async () => {
  for (const paginator of [listed(50), chained(50)]) {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    // Pages 0-2 answer at once; the rest never do unless the test says so (the fetch ignores its
    // signal): the source must not wait for them.
    const gate = gatedFetch({ auto: (n) => n < 3 });
    const { sink, taken } = collect();
    const run = track(readPages({ ...base, paginator, fetch: gate.fetch, signal: controller.signal }, sink));
    await idle();
    assert.deepEqual(taken.map((t) => t.n), [0, 1, 2]);
    assert.equal(run.done(), false, 'waiting for page 3');
    assert.ok(gate.pending().includes(3));
    controller.abort(reason);
    await idle();
    assert.equal(run.done(), true, 'did not wait for the unanswered pages');
    await assert.rejects(run.result, (e) => e === reason);
    assert.deepEqual(taken.map((t) => t.n), [0, 1, 2]);
    assert.ok(gate.log.signals.every((s) => s.aborted));
    const requested = [...gate.log.requested];
    for (const n of gate.pending()) gate.resolve(n);
    await idle();
    assert.deepEqual(gate.log.requested, requested, 'nothing requested after cancellation');
    assert.equal(taken.length, 3, 'nothing taken after cancellation');
  }
  // Already cancelled: no request at all.
  const gate = gatedFetch({ auto: () => true });
  await assert.rejects(readPages({ ...base, paginator: listed(3), fetch: gate.fetch, signal: AbortSignal.abort(new Error('early')) }, collect().sink), /early/);
  await idle();
  assert.deepEqual(gate.log.requested, []);
});

test('the sink says what the paginator reads of a page that leads to the next', async () => {
  const gate = gatedFetch({ auto: () => true });
  const seenAt: number[] = [];
  const sink: PageSink<Page> = {
    // Pretend page 2 says it is the last: the paginator then stops.
    seen: (p, index) => {
      seenAt.push(index);
      return p.n === 2 ? { ...p, url: 'https://api.test/p/999' } : p;
    },
    take: async () => {},
  };
  const r = await readPages({ ...base, paginator: chained(10), fetch: gate.fetch }, sink);
  assert.deepEqual(gate.log.requested, [0, 1, 2]);
  assert.deepEqual(seenAt, [0, 1, 2]);
  assert.equal(r.pages, 3);
});
