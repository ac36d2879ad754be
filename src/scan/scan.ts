import { RestSqlError, redactUrl } from '../errors/index.js';
import type { HttpClient, HttpResponse } from '../http/contract.js';
import { flattenRecords, newFlattenState, type RowSink } from '../extract/flatten.js';
import { recordsAt } from '../model/json-root.js';
import type { PrefetchedPage } from '../model/sample-source.js';
import type { EndpointDef } from '../model/types.js';
import { createPaginator, type PageRequest, type PageSeen } from '../pagination/paginator.js';
import type { Logger } from '../util/logger.js';
import { fetchPage, type FetchedPage } from './fetch-page.js';
import { PageSpool, type SpoolLoader } from './page-spool.js';
import { planRequests, type RequestPlan } from './request-plan.js';

export interface ScanStats {
  pages: number;
  records: number;
  bytes: number;
  requests: number;
}

/** How far a scan is, for a progress line. */
export interface ScanProgress {
  readonly table: string;
  readonly pages: number;
  readonly records: number;
  readonly bytes: number;
  readonly elapsedMs: number;
}

/**
 * Bulk loading by the engine: the pages' record arrays spooled to files and read in one pass.
 * `eligible` says whether the engine can load the table that way; `load` does it from the files
 * in page order (throws when it cannot, and nothing is loaded then).
 */
export interface BulkPages extends SpoolLoader {
  readonly eligible: boolean;
}


export interface ScanOptions {
  readonly bulk?: BulkPages;
  /** Called after each page. */
  readonly onProgress?: (p: ScanProgress) => void;
  /** What to fetch (default: the endpoint unfiltered). */
  readonly plan?: RequestPlan;
  /** A response already in hand for the first page of an unfiltered scan (the one sampling fetched). */
  readonly prefetched?: PrefetchedPage;
  /** MaxPages: more pages than this for one request is an error. */
  readonly maxPages: number;
  /** PageConcurrency: pages fetched at once when the paging allows. */
  readonly concurrency: number;
  readonly logger?: Logger;
}

function tooMany(endpoint: EndpointDef, maxPages: number): RestSqlError {
  return new RestSqlError('DATA_TOO_MANY_PAGES', `Table '${endpoint.table.name}' needs more than MaxPages=${maxPages} pages.`, {
    hint: 'Narrow the query with WHERE conditions the model file sends to the API, or raise MaxPages.',
    details: { table: endpoint.table.name, maxPages },
  });
}

/**
 * Fetches a table's pages and streams their rows (the table's and its child tables') into `sink`,
 * page by page: every request of the plan, every page the paging scheme leads to, concurrently
 * when the first page tells how many there are. A plain LIMIT stops paging once enough records
 * are in. When the engine can bulk-load the table (`o.bulk`), pages are spooled raw instead and
 * loaded in one pass at the end.
 */
export async function scanEndpoint(endpoint: EndpointDef, http: HttpClient, sink: RowSink, o: ScanOptions): Promise<ScanStats> {
  const plan = o.plan ?? planRequests(endpoint, []);
  const started = Date.now();
  const stats: ScanStats = { pages: 0, records: 0, bytes: 0, requests: plan.requests.length };
  const enough = () => plan.limit !== undefined && stats.records >= plan.limit;
  const progress = () => o.onProgress?.({ table: endpoint.table.name, pages: stats.pages, records: stats.records, bytes: stats.bytes, elapsedMs: Date.now() - started });
  // Bulk loading needs every page: not with a LIMIT that may stop early.
  const bulk = o.bulk?.eligible && plan.limit === undefined ? o.bulk : undefined;
  let rowid = 1;
  for (const req of plan.requests) {
    if (enough()) break;
    const state = newFlattenState(req.virtuals);
    state.nextRowid = rowid;
    const take = async (page: FetchedPage) => {
      stats.pages++;
      stats.bytes += page.bytes;
      stats.records += page.records.length;
      state.url = page.url;
      flattenRecords(endpoint.table, page.records, state, sink);
      progress();
    };
    // Spooled pages: records counted from the raw page (for progress), loaded later.
    let spooled = 0;
    const counted = (page: FetchedPage, seen: PageSeen) => {
      const n = seen.recordCount ?? seen.records.length;
      spooled += n;
      stats.records += n;
      stats.pages++;
      stats.bytes += page.bytes;
      progress();
    };
    const fetch = (r: PageRequest, first = false) => fetchPage(http, endpoint, req, r, first, !bulk || first);
    const paginator = createPaginator(endpoint.paging);
    let request: PageRequest | undefined = paginator.first();
    let first = true;
    let pages = 0;
    let pending: Promise<FetchedPage> | undefined;
    let spool: PageSpool | undefined;
    try {
      while (request && !enough()) {
        if (++pages > o.maxPages) throw tooMany(endpoint, o.maxPages);
        const usePrefetched = first && o.prefetched !== undefined && plan.complete && plan.requests.length === 1;
        const page: FetchedPage = usePrefetched
          ? { records: recordsAt(o.prefetched!.body, req.jsonRoot), body: o.prefetched!.body, headers: o.prefetched!.headers, url: req.url, bytes: 0 }
          : await (pending ?? fetch(request, first));
        pending = undefined;
        if (first && !enough()) {
          // Offset or page-number paging with a total on the first page: fetch the rest concurrently.
          const rest = paginator.remaining(page);
          if (rest !== undefined) {
            if (rest.length + 1 > o.maxPages) throw tooMany(endpoint, o.maxPages);
            if (bulk && rest.length > 0 && page.raw) {
              spool = await PageSpool.open(bulk, req, endpoint.paging);
              counted(page, await spool.add(0, page));
              await spoolConcurrently(rest, o.concurrency, fetch, async (i, p) => counted(p, await spool!.add(i + 1, p)));
            } else {
              await take(page);
              await fetchConcurrently(rest, o.concurrency, (r) => fetchPage(http, endpoint, req, r, false), take, enough);
            }
            break;
          }
        }
        if (bulk && page.raw) {
          // Sequential paging, spooled: the next page is on its way while this one is written.
          spool ??= await PageSpool.open(bulk, req, endpoint.paging);
          const located = spool.locate(page);
          // The first page was parsed (the paginator may read anything in it); the rest were not.
          const seen = first ? page : located.seen;
          first = false;
          request = paginator.next(seen);
          if (request) {
            const next = fetch(request);
            next.catch(() => {});
            pending = next;
          }
          counted(page, located.seen);
          await spool.write(pages - 1, page, located.records);
          continue;
        }
        first = false;
        request = paginator.next(page);
        // Sequential paging: the next page is on its way while this one loads.
        if (request && plan.limit === undefined) {
          pending = fetch(request);
          pending.catch(() => {});
        }
        await take(page);
      }
      if (spool) {
        const loaded = await spool.load(bulk!, state.nextRowid, (records, url) => {
          state.url = url;
          flattenRecords(endpoint.table, records, state, sink);
        }, o.logger);
        // Row by row, flattening numbered the rows; the engine numbered them from nextRowid.
        if (loaded.byEngine) state.nextRowid += loaded.records;
        stats.records += loaded.records - spooled;
        o.logger?.debug(`scan: ${endpoint.table.name}: ${stats.pages} page(s) spooled and loaded in ${Date.now() - started} ms`);
      }
    } finally {
      await spool?.dispose();
    }
    rowid = state.nextRowid;
    o.logger?.debug(`scan: ${endpoint.table.name}: ${redactUrl(req.url)}: ${pages} page(s)`);
  }
  return stats;
}

/**
 * All remaining pages known in advance: `concurrency` workers, each fetching and spooling one
 * page after another, so a slow page holds up only its worker (row-by-row loading must take pages
 * in order; the spool files them by number). Every worker has stopped when this returns or
 * throws, so the spool folder can go.
 */
async function spoolConcurrently(requests: readonly PageRequest[], concurrency: number, fetch: (r: PageRequest) => Promise<FetchedPage>, add: (index: number, page: FetchedPage) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < requests.length) {
      const i = next++;
      try {
        await add(i, await fetch(requests[i]!));
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  if (failure) throw failure.error;
}

/** Fetches up to `limit` pages at once and hands them to `take` in order. */
async function fetchConcurrently<T>(requests: readonly PageRequest[], limit: number, fetch: (r: PageRequest) => Promise<T>, take: (page: T) => Promise<void>, enough: () => boolean): Promise<void> {
  const pending: Promise<T>[] = [];
  let next = 0;
  let taken = 0;
  const launch = () => {
    while (next < requests.length && pending.length - taken < limit) {
      const p = fetch(requests[next++]!);
      p.catch(() => {});
      pending.push(p);
    }
  };
  launch();
  while (taken < pending.length) {
    const page = await pending[taken]!;
    taken++;
    if (enough()) return;
    launch();
    await take(page);
  }
}
