import type { ScanProgress } from '../scan/scan.js';

/**
 * A one-line fetch progress on a terminal's stderr ("users: 120 pages, 300,000 rows, 62 MB,
 * 41 MB/s"), redrawn at most 5 times a second and erased when the result is printed. Off when
 * stderr is not a terminal or with --quiet, so scripts and pipes see nothing.
 */
export function progressLine(stderr: NodeJS.WritableStream & { isTTY?: boolean }, enabled: boolean): { onProgress?: (p: ScanProgress) => void; clear(): void } {
  if (!enabled || !stderr.isTTY) return { clear: () => {} };
  let last = 0;
  let shown = false;
  return {
    onProgress(p) {
      const now = Date.now();
      if (now - last < 200 || p.elapsedMs < 500) return;
      last = now;
      const mb = p.bytes / 1e6;
      const rate = p.elapsedMs > 0 ? mb / (p.elapsedMs / 1000) : 0;
      stderr.write(`\r\x1b[2Krestsql: ${p.table}: ${p.pages} pages, ${p.records.toLocaleString('en-US')} rows, ${mb.toFixed(1)} MB, ${rate.toFixed(1)} MB/s`);
      shown = true;
    },
    clear() {
      if (shown) stderr.write('\r\x1b[2K');
      shown = false;
    },
  };
}
