import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RestSqlError, redactUrl } from '../errors/index.js';
import type { HttpClient, HttpResponse } from '../http/client.js';
import { withQuery } from '../http/url.js';
import { MalformedJsonError, locateJsonValue, sliceChunks } from '../extract/raw-json.js';
import { flattenRecords, newFlattenState, type RowSink } from '../extract/flatten.js';
import { recordsAt, valueAt } from '../model/json-root.js';
import type { EndpointDef } from '../model/types.js';
import { createPaginator, type PageRequest, type PageSeen } from '../pagination/paginator.js';
import type { Logger } from '../util/logger.js';
import { planRequests, type RequestPlan, type TableRequest } from './request-plan.js';

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
export interface BulkPages {
  readonly spoolDir: string;
  readonly eligible: boolean;
  load(files: readonly string[], rowidBase: number): Promise<number>;
}

export interface ScanOptions {
  readonly bulk?: BulkPages;
  /** Called after each page. */
  readonly onProgress?: (p: ScanProgress) => void;
  /** What to fetch (default: the endpoint unfiltered). */
  readonly plan?: RequestPlan;
  /** A response already in hand for the first page of an unfiltered scan (the one sampling fetched). */
  readonly prefetched?: unknown;
  /** MaxPages: more pages than this for one request is an error. */
  readonly maxPages: number;
  /** PageConcurrency: pages fetched at once when the paging allows. */
  readonly concurrency: number;
  readonly logger?: Logger;
}

interface FetchedPage extends PageSeen {
  readonly bytes: number;
  /** The body as received, in pieces (for spooling). */
  readonly raw?: readonly Buffer[];
}

async function fetchPage(http: HttpClient, endpoint: EndpointDef, req: TableRequest, page: PageRequest, first: boolean, parse = true): Promise<FetchedPage> {
  const url = 'url' in page ? page.url : withQuery(req.url, page.params);
  const response: HttpResponse = await http.send({
    url,
    method: req.method,
    headers: { ...req.headers, ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(req.body !== undefined ? { body: req.body } : {}),
    // Model files follow #http rules (DataDirect's defaults when none are given).
    ...(endpoint.paths ? { rules: endpoint.http ?? 'default' } : {}),
  });
  const raw = response.chunks ?? [response.body];
  const bytes = raw.reduce((n, c) => n + c.length, 0);
  if (response.zeroRows || bytes === 0) return { records: [], body: undefined, headers: response.headers, url, bytes };
  if (!parse) return { records: [], body: undefined, headers: response.headers, url, bytes, raw };
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString('utf8'));
  } catch {
    throw notJson(req.method, url, response.headers, response.body);
  }
  const records = recordsAt(body, req.jsonRoot);
  if (first && records.length === 0 && req.jsonRoot.length > 0 && valueAt(body, req.jsonRoot) === undefined && !endpoint.paths) {
    throw new RestSqlError('DATA_NO_RECORDS', `${redactUrl(url)}: the response has no '${req.jsonRoot.join('.')}' member to read records from.`, {
      hint: 'The response shape changed since sampling; sample the endpoint again.',
      details: { url: redactUrl(url) },
    });
  }
  return { records, body, headers: response.headers, url, bytes, raw };
}

function notJson(method: string, url: string, headers: HttpResponse['headers'], body: Buffer): RestSqlError {
  const type = String(headers['content-type'] ?? 'no content type');
  return new RestSqlError('HTTP_NOT_JSON', `${method} ${redactUrl(url)} did not return JSON (${type}; starts with "${body.toString('utf8', 0, 80).replace(/\s+/g, ' ')}").`, {
    hint: 'Check the #path (or RestSamplePath): it must return JSON.',
    details: { url: redactUrl(url) },
  });
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
 * are in.
 */
export async function scanEndpoint(endpoint: EndpointDef, http: HttpClient, sink: RowSink, o: ScanOptions): Promise<ScanStats> {
  const plan = o.plan ?? planRequests(endpoint, []);
  const started = Date.now();
  const stats: ScanStats = { pages: 0, records: 0, bytes: 0, requests: plan.requests.length };
  const enough = () => plan.limit !== undefined && stats.records >= plan.limit;
  let rowid = 1;
  for (const req of plan.requests) {
    if (enough()) break;
    const state = newFlattenState(req.virtuals);
    state.nextRowid = rowid;
    const take = async (page: FetchedPage) => {
      stats.pages++;
      stats.bytes += page.bytes;
      stats.records += page.records.length;
      flattenRecords(endpoint.table, page.records, state, sink);
      o.onProgress?.({ table: endpoint.table.name, pages: stats.pages, records: stats.records, bytes: stats.bytes, elapsedMs: Date.now() - started });
    };
    const paginator = createPaginator(endpoint.paging);
    let request: PageRequest | undefined = paginator.first();
    let first = true;
    let pages = 0;
    let pending: Promise<FetchedPage> | undefined;
    while (request && !enough()) {
      if (++pages > o.maxPages) throw tooMany(endpoint, o.maxPages);
      const usePrefetched = first && o.prefetched !== undefined && plan.complete && plan.requests.length === 1;
      const page: FetchedPage = usePrefetched
        ? { records: recordsAt(o.prefetched, req.jsonRoot), body: o.prefetched, headers: {}, url: req.url, bytes: 0 }
        : await (pending ?? fetchPage(http, endpoint, req, request, first));
      pending = undefined;
      if (first && !enough()) {
        // Offset or page-number paging with a total on the first page: fetch the rest concurrently.
        const rest = paginator.remaining(page);
        if (rest !== undefined) {
          if (rest.length + 1 > o.maxPages) throw tooMany(endpoint, o.maxPages);
          if (o.bulk?.eligible && rest.length > 0 && plan.limit === undefined && page.raw) {
            const loadRecords = (records: readonly unknown[]) => {
              stats.records += records.length;
              flattenRecords(endpoint.table, records, state, sink);
            };
            await bulkScan(o.bulk, page, rest, (r) => fetchPage(http, endpoint, req, r, false, false), o.concurrency, req, state, stats, loadRecords, o.logger, () => o.onProgress?.({ table: endpoint.table.name, pages: stats.pages, records: stats.records, bytes: stats.bytes, elapsedMs: Date.now() - started }));
          } else {
            await take(page);
            await fetchConcurrently(rest, o.concurrency, (r) => fetchPage(http, endpoint, req, r, false), take, enough);
          }
          break;
        }
      }
      first = false;
      request = paginator.next(page);
      // Sequential paging: the next page is on its way while this one loads.
      if (request && plan.limit === undefined) {
        pending = fetchPage(http, endpoint, req, request, false);
        pending.catch(() => {});
      }
      await take(page);
    }
    rowid = state.nextRowid;
    o.logger?.debug(`scan: ${endpoint.table.name}: ${redactUrl(req.url)}: ${pages} page(s)`);
  }
  return stats;
}

/**
 * All pages of a table known in advance: the record array of each raw body (found without
 * JSON.parse) is written to a private spool folder as it arrives, then the engine loads them in
 * one pass. If it cannot (a value of an unexpected type, say), the files are loaded row by row
 * instead, which also reports what is wrong precisely. The folder is removed either way.
 */
async function bulkScan(bulk: BulkPages, first: FetchedPage, rest: readonly PageRequest[], fetch: (r: PageRequest) => Promise<FetchedPage>, concurrency: number, req: TableRequest, state: { nextRowid: number }, stats: ScanStats, loadRecords: (records: readonly unknown[]) => void, logger?: Logger, onPage?: () => void): Promise<void> {
  const dir = await mkdtemp(join(bulk.spoolDir, 'scan-'));
  const t0 = Date.now();
  try {
    // All pages first, then one load: loading batches while fetching the rest measured slower on
    // 2 cores (4.4 s vs 4.0 s for 200 pages), DuckDB and the fetching competing for the CPUs.
    // Page i's records go to file i, so pages may arrive in any order.
    const slots: ({ path: string; url: string } | undefined)[] = [];
    const spool = async (index: number, page: FetchedPage) => {
      stats.pages++;
      stats.bytes += page.bytes;
      onPage?.();
      const raw = page.raw;
      if (!raw || page.bytes === 0) return;
      let range;
      try {
        range = locateJsonValue(raw, req.jsonRoot);
      } catch (e) {
        if (e instanceof MalformedJsonError) throw notJson(req.method, page.url, page.headers, Buffer.concat(raw));
        throw e;
      }
      if (!range) return;
      const records = sliceChunks(raw, range);
      if (records[0]![0] === NULL_BYTE) return;
      // Zero-padded page numbers; a single record (an object) becomes an array of one.
      const path = join(dir, `${String(index).padStart(8, '0')}.json`);
      slots[index] = { path, url: page.url };
      // One writev per page: the pieces go to the file as they are, never joined.
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writev(records[0]![0] === OPEN_BRACKET ? records : [Buffer.from('['), ...records, Buffer.from(']')]);
      } finally {
        await fh.close();
      }
    };
    await spool(0, first);
    // `concurrency` workers, each fetching and spooling one page after another: a slow page
    // holds up only its worker (no waiting for pages in order, as row-by-row loading must).
    let next = 0;
    let failure: { error: unknown } | undefined;
    const worker = async () => {
      while (!failure && next < rest.length) {
        const i = next++;
        try {
          await spool(i + 1, await fetch(rest[i]!));
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    // Every worker has stopped before the folder goes (finally below), also after an error.
    await Promise.all(Array.from({ length: Math.min(concurrency, rest.length) }, worker));
    if (failure) throw failure.error;
    const files = slots.filter((f) => f !== undefined);
    const t1 = Date.now();
    try {
      const n = await bulk.load(files.map((f) => f.path), state.nextRowid);
      state.nextRowid += n;
      stats.records += n;
      logger?.debug(`scan: ${stats.pages} pages spooled in ${t1 - t0} ms, loaded by DuckDB in ${Date.now() - t1} ms`);
      return;
    } catch (e) {
      logger?.debug(`scan: DuckDB could not load the spooled pages (${(e as Error).message.split('\n')[0]}); loading them row by row`);
    }
    // Row by row from the spooled files, which also says precisely what is wrong.
    for (const f of files) {
      const raw = await readFile(f.path);
      let records: unknown;
      try {
        records = JSON.parse(raw.toString('utf8'));
      } catch {
        throw notJson(req.method, f.url, {}, raw);
      }
      loadRecords(records as unknown[]);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const NULL_BYTE = 0x6e; // 'n' of null
const OPEN_BRACKET = 0x5b;

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
