/**
 * A table's scan: for each request of its plan, the ordered pages of page-source.ts, each taken
 * by the row sink (parsed records into rows) or, when the engine bulk-loads the table, by the
 * spool sink (raw pages into files, loaded in one pass at the end).
 */
import { RestSqlError, redactUrl } from '../errors/index.js';
import type { HttpClient } from '../http/contract.js';
import { newFlattenState, type RowSink } from '../extract/flatten.js';
import type { PrefetchedPage } from '../model/sample-source.js';
import type { EndpointDef } from '../model/types.js';
import { createPaginator } from '../pagination/paginator.js';
import type { Logger } from '../util/logger.js';
import { fetchPage, recordsOf, type FetchedPage } from './fetch-page.js';
import { readPages, type PageSink } from './page-source.js';
import { planRequests, type RequestPlan } from './request-plan.js';
import { RowPageSink } from './row-sink.js';
import { SpoolPageSink, type BulkPages } from './spool-sink.js';
import { ScanTally, type ScanProgress, type ScanStats } from './stats.js';

export type { BulkPages } from './spool-sink.js';
export type { ScanProgress, ScanStats } from './stats.js';

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
  /** Cancels the scan: requests in flight are aborted and the scan rejects with the signal's reason. */
  readonly signal?: AbortSignal;
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
  const tally = new ScanTally(endpoint.table.name, plan.requests.length, o.onProgress);
  const { stats } = tally;
  const enough = () => plan.limit !== undefined && stats.records >= plan.limit;
  // Bulk loading needs every page: not with a LIMIT that may stop early. XML loads row by row
  // (DuckDB has no XML reader).
  const bulk = o.bulk?.eligible && plan.limit === undefined && endpoint.format?.format !== 'xml' ? o.bulk : undefined;
  let rowid = 1;
  for (const req of plan.requests) {
    if (enough()) break;
    const state = newFlattenState(req.virtuals);
    state.nextRowid = rowid;
    const rows = new RowPageSink(endpoint.table, state, sink, tally);
    const spool = bulk ? new SpoolPageSink(bulk, req, endpoint.paging, tally, endpoint.format) : undefined;
    // Which sink takes a page. Listed pages all go one way, decided on the first page: spooled
    // when it came raw and lists more pages. Pages that lead to the next go to the spool when
    // they came raw (a first page sampling fetched, or an empty one, did not).
    let listedToSpool: boolean | undefined;
    const sinkFor = (page: FetchedPage): PageSink<FetchedPage> => (spool && (listedToSpool ?? page.raw !== undefined) ? spool : rows);
    // The first page is parsed (its paging may read anything in it); pages bound for the spool are not.
    const parse = (index: number) => index === 0 || spool === undefined || listedToSpool === false;
    const first: FetchedPage | undefined =
      o.prefetched !== undefined && plan.complete && plan.requests.length === 1
        ? { records: recordsOf(o.prefetched.body, req.jsonRoot, o.prefetched.format, endpoint.table), body: o.prefetched.body, headers: o.prefetched.headers, url: req.url, bytes: 0, ...(o.prefetched.format ? { format: o.prefetched.format } : {}) }
        : undefined;
    let pages: number;
    try {
      const read = await readPages<FetchedPage>(
        {
          paginator: createPaginator(endpoint.paging),
          fetch: (r, index, signal) => fetchPage(http, endpoint, req, r, index === 0, parse(index), signal),
          ...(first ? { first } : {}),
          maxPages: o.maxPages,
          tooMany: () => tooMany(endpoint, o.maxPages),
          concurrency: o.concurrency,
          ...(o.signal ? { signal: o.signal } : {}),
          // With a LIMIT the next page is asked for only once this one is in (it may be enough).
          readAhead: plan.limit === undefined,
          enough,
        },
        {
          start(page, listed) {
            if (listed !== undefined) listedToSpool = spool !== undefined && listed > 0 && page.raw !== undefined && page.format !== 'xml';
          },
          seen: (page, index) => {
            const to = sinkFor(page);
            return to.seen ? to.seen(page, index) : page;
          },
          take: (page, index) => sinkFor(page).take(page, index),
        },
      );
      // The count this debug line has always shown: listed pages count as their first page.
      pages = read.listed === undefined ? read.pages : 1;
      if (spool?.opened) {
        const loaded = await spool.load(state.nextRowid, (records, url, text) => rows.flatten(records, url, text), o.logger);
        // Row by row, flattening numbered the rows; the engine numbered them from nextRowid.
        if (loaded.byEngine) state.nextRowid += loaded.records;
        stats.records += loaded.records - loaded.counted;
        o.logger?.debug(`scan: ${endpoint.table.name}: ${stats.pages} page(s) spooled and loaded in ${Date.now() - tally.started} ms`);
      }
    } finally {
      await spool?.dispose();
    }
    rowid = state.nextRowid;
    o.logger?.debug(`scan: ${endpoint.table.name}: ${redactUrl(req.url)}: ${pages} page(s)`);
  }
  return stats;
}
