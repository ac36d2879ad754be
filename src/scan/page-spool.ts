/**
 * Bulk loading's spool: the record array of each raw page, found without JSON.parse
 * (extract/raw-json), written to a private folder as page N's file, then loaded by the engine in
 * one pass. Pages may be written in any order. If the engine cannot load the files (a value of an
 * unexpected type, say), they are loaded row by row instead, which also reports what is wrong
 * precisely. The folder goes with dispose(), also after an error.
 */
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MalformedJsonError, locateJsonValues, sliceChunks, type Located } from '../extract/raw-json.js';
import type { PageSeen } from '../pagination/paginator.js';
import { parseJson } from '../util/json.js';
import type { Logger } from '../util/logger.js';
import { notJsonError } from '../http/response-body.js';
import type { FetchedPage } from './fetch-page.js';
import type { TableRequest } from './request-plan.js';

/** Spooled pages: the folder and its record files in page order. */
export interface SpooledFiles {
  readonly dir: string;
  readonly files: readonly string[];
}

/** The engine's side of bulk loading (see spool-sink.ts BulkPages). */
export interface SpoolLoader {
  readonly spoolDir: string;
  /**
   * Loads the files; returns the number of records, and `keep` when the files are still needed
   * (child tables loaded later): the folder then belongs to the loader, which removes it.
   */
  load(spooled: SpooledFiles, rowidBase: number): Promise<{ records: number; keep?: boolean }>;
}

const NULL_BYTE = 0x6e; // 'n' of null
const OPEN_BRACKET = 0x5b;

export class PageSpool {
  readonly #slots: ({ path: string; url: string } | undefined)[] = [];
  #kept = false;

  private constructor(
    private readonly dir: string,
    private readonly req: TableRequest,
  ) {}

  static async open(loader: SpoolLoader, req: TableRequest): Promise<PageSpool> {
    return new PageSpool(await mkdtemp(join(loader.spoolDir, 'scan-')), req);
  }

  /** Writes page `index`'s records (located by locatePage) to its file. */
  async write(index: number, page: FetchedPage, records: Located | undefined): Promise<void> {
    if (!records || !page.raw) return;
    const pieces = sliceChunks(page.raw, records);
    const first = pieces[0]?.[0];
    if (first === undefined || first === NULL_BYTE) return;
    // Zero-padded page numbers; anything but an array (an object: one record) becomes an array of one.
    const path = join(this.dir, `${String(index).padStart(8, '0')}.json`);
    this.#slots[index] = { path, url: page.url };
    // One writev per page: the pieces go to the file as they are, never joined.
    const fh = await open(path, 'wx', 0o600);
    try {
      await fh.writev(first === OPEN_BRACKET ? pieces : [Buffer.from('['), ...pieces, Buffer.from(']')]);
    } finally {
      await fh.close();
    }
  }

  /**
   * Loads every page written, in page order, by the engine; when it cannot, `loadRecords` gets
   * them page by page (parsed). Returns the number of records and which way they went.
   */
  async load(loader: SpoolLoader, rowidBase: number, loadRecords: (records: readonly unknown[], url: string) => void, logger?: Logger): Promise<{ records: number; byEngine: boolean }> {
    const files = this.#slots.filter((f) => f !== undefined);
    const t0 = Date.now();
    try {
      const r = await loader.load({ dir: this.dir, files: files.map((f) => f.path) }, rowidBase);
      this.#kept = r.keep === true;
      logger?.debug(`scan: ${files.length} spooled page(s) loaded by DuckDB in ${Date.now() - t0} ms${this.#kept ? '; kept for child tables not yet queried' : ''}`);
      return { records: r.records, byEngine: true };
    } catch (e) {
      logger?.debug(`scan: DuckDB could not load the spooled pages (${(e as Error).message.split('\n')[0]}); loading them row by row`);
    }
    let n = 0;
    for (const f of files) {
      const raw = await readFile(f.path);
      let records: unknown;
      try {
        records = parseJson(raw.toString('utf8'));
      } catch {
        throw notJsonError(this.req.method, f.url, {}, raw);
      }
      const list = records as unknown[];
      loadRecords(list, f.url);
      n += list.length;
    }
    return { records: n, byEngine: false };
  }

  /** Removes the folder, unless the loader kept it. */
  async dispose(): Promise<void> {
    if (!this.#kept) await rm(this.dir, { recursive: true, force: true });
  }
}

/** A raw page as the paginator reads it, and where its records are. */
export interface LocatedPage {
  readonly seen: PageSeen;
  readonly records: Located | undefined;
}

/**
 * Finds a raw page's records, and the members its paging reads (next token, totals, has-more;
 * `elements`, from pagingElements), in one pass. Returns the page as the paginator needs it:
 * those members parsed, the records counted, not parsed.
 */
export function locatePage(page: FetchedPage, req: TableRequest, elements: readonly (readonly string[])[]): LocatedPage {
  if (!page.raw || page.bytes === 0) return { seen: page, records: undefined };
  let found: (Located | undefined)[];
  try {
    found = locateJsonValues(page.raw, [req.jsonRoot, ...elements]);
  } catch (e) {
    if (e instanceof MalformedJsonError) throw notJsonError(req.method, page.url, page.headers, Buffer.concat(page.raw));
    throw e;
  }
  const [records, ...members] = found;
  const body: Record<string, unknown> = {};
  elements.forEach((path, i) => {
    const at = members[i];
    if (at) setAt(body, path, parseJson(Buffer.concat(sliceChunks(page.raw!, at)).toString('utf8')));
  });
  const first = records ? firstByte(page.raw, records) : undefined;
  // As recordsAt: an array's elements, an object as one record, null or nothing as none.
  const recordCount = records === undefined || first === NULL_BYTE ? 0 : (records.count ?? 1);
  return { seen: { records: [], recordCount, body, headers: page.headers, url: page.url }, records };
}

function firstByte(chunks: readonly Uint8Array[], at: Located): number | undefined {
  return sliceChunks(chunks, { start: at.start, end: at.start + 1 })[0]?.[0];
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
