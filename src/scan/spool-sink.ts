/**
 * Raw pages for bulk loading: each page's record array written to the spool as it arrives (never
 * parsed in Node; only the members its paging reads are), loaded by the engine in one pass once
 * the last page is in.
 */
import type { FormatDef, PagingDef } from '../model/types.js';
import { pagingElements, type PageSeen } from '../pagination/paginator.js';
import type { Logger } from '../util/logger.js';
import type { FetchedPage } from './fetch-page.js';
import { locatePage, PageSpool, type LocatedPage, type SpoolLoader } from './page-spool.js';
import type { PageSink } from './page-source.js';
import type { TableRequest } from './request-plan.js';
import type { ScanTally } from './stats.js';

/**
 * Bulk loading by the engine: the pages' record arrays spooled to files and read in one pass.
 * `eligible` says whether the engine can load the table that way; `load` does it from the files
 * in page order (throws when it cannot, and nothing is loaded then).
 */
export interface BulkPages extends SpoolLoader {
  readonly eligible: boolean;
}

export class SpoolPageSink implements PageSink<FetchedPage> {
  readonly #elements: readonly (readonly string[])[];
  /** Opened when the first page comes in. */
  #spool: PageSpool | undefined;
  /** The page `seen` located, for `take` to write. */
  #located: { readonly index: number; readonly page: LocatedPage } | undefined;
  /** Records counted in the raw pages (for progress) and not yet loaded. */
  #spooled = 0;

  constructor(
    private readonly loader: BulkPages,
    private readonly req: TableRequest,
    paging: PagingDef | undefined,
    private readonly tally: ScanTally,
    private readonly format?: FormatDef,
  ) {
    this.#elements = pagingElements(paging);
  }

  /** A page was taken: load() has files to load, and dispose() a folder to remove. */
  get opened(): boolean {
    return this.#spool !== undefined;
  }

  /** The first page was parsed (the paginator may read anything in it); the rest were not. */
  seen(page: FetchedPage, index: number): PageSeen {
    const located = locatePage(page, this.req, this.#elements, this.format);
    this.#located = { index, page: located };
    return index === 0 ? page : located.seen;
  }

  async take(page: FetchedPage, index: number): Promise<void> {
    const located = this.#located?.index === index ? this.#located.page : locatePage(page, this.req, this.#elements, this.format);
    const { seen } = located;
    this.#located = undefined;
    this.#spool ??= await PageSpool.open(this.loader, this.req, this.format);
    const n = seen.recordCount ?? seen.records.length;
    this.#spooled += n;
    this.tally.add(page.bytes, n);
    this.tally.report();
    await this.#spool.write(index, page, located);
  }

  /**
   * Loads the spooled pages (row by row through `flatten` when the engine cannot), from row
   * number `rowidBase`; returns how many records were loaded, how many of them were counted as
   * pages came in, and which way they went.
   */
  async load(rowidBase: number, flatten: (records: readonly unknown[], url: string, text: boolean) => void, logger?: Logger): Promise<{ records: number; counted: number; byEngine: boolean }> {
    const loaded = await this.#spool!.load(this.loader, rowidBase, flatten, logger);
    return { ...loaded, counted: this.#spooled };
  }

  /** Removes the spool folder (unless the engine kept it for child tables). */
  async dispose(): Promise<void> {
    await this.#spool?.dispose();
  }
}
