/**
 * The pages of one request, in request order: the first page (fetched, or in hand from
 * sampling), then either every page it lists (offset or page-number paging with a total),
 * fetched `concurrency` at a time, or each page leading to the next (tokens, links, short pages),
 * the next one on its way while this one is taken. Pages are handed to the sink in request order
 * whatever order they complete in. Knows nothing of HTTP, rows or files: `fetch` and the sink do.
 */
import type { PageRequest, PageSeen, Paginator } from '../pagination/paginator.js';
import { abortable } from '../util/abortable.js';

export interface PageSourceOptions<P extends PageSeen> {
  readonly paginator: Paginator;
  /**
   * Sends page `index`'s request (0: the first page). `signal` aborts once the source no longer
   * wants the page (it stopped early, failed, or was cancelled).
   */
  readonly fetch: (request: PageRequest, index: number, signal: AbortSignal) => Promise<P>;
  /** The first page, already in hand: not requested again. */
  readonly first?: P;
  /** More pages than this is the error `tooMany()` gives. */
  readonly maxPages: number;
  readonly tooMany: () => Error;
  /** Pages requested and not yet taken, at most, when the first page lists the rest (at least 1). */
  readonly concurrency: number;
  /** Pages that lead to the next: request the next page while this one is taken. */
  readonly readAhead: boolean;
  /** True once no more pages are wanted (a LIMIT met): asked before each request and before each page is taken. */
  readonly enough?: () => boolean;
  /** Cancels: nothing more is requested or taken, and the source rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Where pages go, one at a time, in request order. */
export interface PageSink<P extends PageSeen> {
  /**
   * Called once, with the first page, before it is taken: `listed` is how many more pages it
   * lists (fetched concurrently), undefined when each page leads to the next.
   */
  start?(first: P, listed: number | undefined): void | Promise<void>;
  /** What the paginator reads of a page that leads to the next (default: the page). */
  seen?(page: P, index: number): PageSeen;
  take(page: P, index: number): Promise<void>;
}

export interface PageSourceResult {
  /** Pages taken. */
  readonly pages: number;
  /** How many more pages the first page listed; undefined when each page led to the next. */
  readonly listed: number | undefined;
}

/**
 * Reads the pages into `sink`. When this returns or throws, nothing more is requested or taken,
 * and every request still in flight has had its signal aborted and its outcome caught.
 */
export async function readPages<P extends PageSeen>(o: PageSourceOptions<P>, sink: PageSink<P>): Promise<PageSourceResult> {
  if (!(o.concurrency >= 1)) throw new RangeError(`page concurrency must be at least 1, not ${o.concurrency}`);
  o.signal?.throwIfAborted();
  const enough = o.enough ?? (() => false);
  const stop = new AbortController();
  const cancel = () => stop.abort(o.signal!.reason);
  o.signal?.addEventListener('abort', cancel, { once: true });
  let failed = false;
  const request = (r: PageRequest, index: number): Promise<P> => {
    stop.signal.throwIfAborted();
    const p = o.fetch(r, index, stop.signal);
    p.catch(() => {
      failed = true;
    });
    return p;
  };
  // Waits for a page, or for cancellation.
  const arrival = (p: Promise<P>): Promise<P> => abortable(p, o.signal ? stop.signal : undefined);
  let pages = 0;
  try {
    if (enough()) return { pages, listed: undefined };
    if (o.maxPages < 1) throw o.tooMany();
    let page = o.first ?? (await arrival(request(o.paginator.first(), 0)));
    const rest = o.paginator.remaining(page);
    if (rest !== undefined) {
      if (rest.length + 1 > o.maxPages) throw o.tooMany();
      await sink.start?.(page, rest.length);
      await sink.take(page, pages++);
      // Pages requested and not yet taken, in request order (taken pages leave it,
      // so none is held longer than it is needed).
      const ahead: Promise<P>[] = [];
      let next = 0;
      const fill = () => {
        while (!failed && next < rest.length && ahead.length < o.concurrency && !enough()) ahead.push(request(rest[next]!, ++next));
      };
      fill();
      // Enough is checked before waiting: the pages still on their way are not needed then.
      while (ahead.length > 0 && !enough()) {
        const p = await arrival(ahead[0]!);
        if (enough()) break;
        ahead.shift();
        pages++;
        fill();
        await sink.take(p, pages - 1);
      }
      return { pages, listed: rest.length };
    }
    await sink.start?.(page, undefined);
    for (let index = 0; ; index++) {
      const nextRequest = o.paginator.next(sink.seen ? sink.seen(page, index) : page);
      const pending = nextRequest && o.readAhead ? request(nextRequest, index + 1) : undefined;
      await sink.take(page, index);
      pages++;
      if (!nextRequest || enough()) break;
      if (index + 2 > o.maxPages) throw o.tooMany();
      page = await arrival(pending ?? request(nextRequest, index + 1));
    }
    return { pages, listed: undefined };
  } finally {
    o.signal?.removeEventListener('abort', cancel);
    stop.abort();
  }
}
