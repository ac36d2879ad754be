/** Pages parsed in Node: each page's records flattened into rows (the table's and its child tables') for the engine. */
import { flattenRecords, type FlattenState, type RowSink } from '../extract/flatten.js';
import type { TableDef } from '../model/types.js';
import type { FetchedPage } from './fetch-page.js';
import type { PageSink } from './page-source.js';
import type { ScanTally } from './stats.js';

export class RowPageSink implements PageSink<FetchedPage> {
  constructor(
    private readonly table: TableDef,
    /** Carries the generated row number from page to page (and request to request). */
    readonly state: FlattenState,
    private readonly rows: RowSink,
    private readonly tally: ScanTally,
  ) {}

  async take(page: FetchedPage): Promise<void> {
    this.tally.add(page.bytes, page.records.length);
    this.flatten(page.records, page.url, page.format === 'csv' || page.format === 'xml');
    this.tally.report();
  }

  /**
   * Records into rows, without counting them as a page (spooled pages the engine could not load);
   * `text`: they came from CSV or XML, their values are texts (convertCell's text mode).
   */
  flatten(records: readonly unknown[], url: string, text: boolean): void {
    this.state.url = url;
    this.state.text = text;
    flattenRecords(this.table, records, this.state, this.rows);
  }
}
