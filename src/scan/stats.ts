/** What a scan counts, and the progress it reports after each page. */

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

/** A scan's counts, shared by its sinks; `report` calls the progress callback, if any. */
export class ScanTally {
  readonly stats: ScanStats;
  readonly started = Date.now();

  constructor(
    private readonly table: string,
    requests: number,
    private readonly onProgress?: (p: ScanProgress) => void,
  ) {
    this.stats = { pages: 0, records: 0, bytes: 0, requests };
  }

  /** One page in: its size and how many records it had. */
  add(bytes: number, records: number): void {
    this.stats.pages++;
    this.stats.bytes += bytes;
    this.stats.records += records;
  }

  report(): void {
    const s = this.stats;
    this.onProgress?.({ table: this.table, pages: s.pages, records: s.records, bytes: s.bytes, elapsedMs: Date.now() - this.started });
  }
}
