/**
 * Bulk loading's spool: the record array of each raw page, found without JSON.parse
 * (extract/raw-json), written to a private folder as page N's file, then loaded by the engine in
 * one pass. Pages may be written in any order. If the engine cannot load the files (a value of an
 * unexpected type, say), they are loaded row by row instead, which also reports what is wrong
 * precisely. The folder goes with dispose(), also after an error.
 */
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CsvDialect } from '../extract/csv.js';
import { parseCsv } from '../extract/csv.js';
import { ndjsonAsArray } from '../extract/ndjson.js';
import { MalformedJsonError, locateJsonValues, sliceChunks, type Located } from '../extract/raw-json.js';
import { csvSpoolPage } from '../extract/response-format.js';
import type { FormatDef } from '../model/types.js';
import type { PageSeen } from '../pagination/paginator.js';
import { parseJson } from '../util/json.js';
import type { Logger } from '../util/logger.js';
import { isRestSqlError } from '../errors/index.js';
import { atRequest, notJsonError } from '../http/response-body.js';
import type { FetchedPage } from './fetch-page.js';
import type { TableRequest } from './request-plan.js';

/** Spooled pages: the folder and its record files in page order. */
export interface SpooledFiles {
  readonly dir: string;
  readonly files: readonly string[];
  /**
   * CSV pages (the files are CSV text, not JSON arrays): the columns in field order and the
   * dialect, the same for every page (`mixed` when pages differ, or were not all CSV: the loader
   * then refuses them and they load row by row).
   */
  readonly csv?: { readonly columns: readonly string[]; readonly dialect: CsvDialect; readonly mixed: boolean };
}

/** What one spooled file holds. */
type SpooledKind = 'json' | 'csv';

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
  readonly #slots: ({ path: string; url: string; kind: SpooledKind } | undefined)[] = [];
  #kept = false;
  /** The first CSV page's columns and dialect, and whether any page differs (another header, or JSON). */
  #csv: { columns: readonly string[]; dialect: CsvDialect } | undefined;
  readonly #kinds = new Set<SpooledKind>();
  #csvDiffers = false;

  private constructor(
    private readonly dir: string,
    private readonly req: TableRequest,
    /** The format settings the user gave (model file, ResponseFormat); CSV pages read row by row detect the rest. */
    private readonly format: FormatDef | undefined,
  ) {}

  static async open(loader: SpoolLoader, req: TableRequest, format?: FormatDef): Promise<PageSpool> {
    return new PageSpool(await mkdtemp(join(loader.spoolDir, 'scan-')), req, format);
  }

  /** Writes page `index`'s records (located by locatePage) to its file. */
  async write(index: number, page: FetchedPage, located: LocatedPage): Promise<void> {
    if (located.pieces) {
      const kind: SpooledKind = located.csv ? 'csv' : 'json';
      this.#kinds.add(kind);
      if (located.csv) {
        if (this.#csv && !sameCsv(this.#csv, located.csv)) this.#csvDiffers = true;
        this.#csv ??= located.csv;
      }
      const path = join(this.dir, `${String(index).padStart(8, '0')}.${kind}`);
      this.#slots[index] = { path, url: page.url, kind };
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writev(located.pieces);
      } finally {
        await fh.close();
      }
      return;
    }
    const records = located.records;
    if (!records || !page.raw) return;
    this.#kinds.add('json');
    const pieces = sliceChunks(page.raw, records);
    const first = pieces[0]?.[0];
    if (first === undefined || first === NULL_BYTE) return;
    // Zero-padded page numbers; anything but an array (an object: one record) becomes an array of one.
    const path = join(this.dir, `${String(index).padStart(8, '0')}.json`);
    this.#slots[index] = { path, url: page.url, kind: 'json' };
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
  async load(loader: SpoolLoader, rowidBase: number, loadRecords: (records: readonly unknown[], url: string, text: boolean) => void, logger?: Logger): Promise<{ records: number; byEngine: boolean }> {
    const files = this.#slots.filter((f) => f !== undefined);
    const t0 = Date.now();
    try {
      const r = await loader.load({ dir: this.dir, files: files.map((f) => f.path), ...(this.#csv ? { csv: { ...this.#csv, mixed: this.#csvDiffers || this.#kinds.size > 1 } } : {}) }, rowidBase);
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
      if (f.kind === 'csv') {
        try {
          // The dialect the user set, if any: each page detects its own (pages flagged mixed may differ).
          records = parseCsv(raw.toString('utf8'), this.format).records;
        } catch (e) {
          throw isRestSqlError(e) ? atRequest(e, this.req.method, f.url) : e;
        }
      } else {
        try {
          records = parseJson(raw.toString('utf8'));
        } catch {
          throw notJsonError(this.req.method, f.url, {}, raw);
        }
      }
      const list = records as unknown[];
      loadRecords(list, f.url, f.kind === 'csv');
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
  /** What to write instead of the located records (JSON Lines as an array; CSV text). */
  readonly pieces?: readonly Buffer[];
  /** CSV: the page's columns and dialect. */
  readonly csv?: { readonly columns: readonly string[]; readonly dialect: CsvDialect };
}

function sameCsv(a: { columns: readonly string[]; dialect: CsvDialect }, b: { columns: readonly string[]; dialect: CsvDialect }): boolean {
  return a.columns.length === b.columns.length && a.columns.every((c, i) => c === b.columns[i]) && a.dialect.delimiter === b.dialect.delimiter && a.dialect.quote === b.dialect.quote && a.dialect.headerRow === b.dialect.headerRow;
}

/**
 * Finds a raw page's records, and the members its paging reads (next token, totals, has-more;
 * `elements`, from pagingElements), in one pass. Returns the page as the paginator needs it:
 * those members parsed, the records counted, not parsed.
 */
export function locatePage(page: FetchedPage, req: TableRequest, elements: readonly (readonly string[])[], format?: FormatDef): LocatedPage {
  if (!page.raw || page.bytes === 0) return { seen: page, records: undefined };
  // JSON Lines and CSV have no members to read: their records are the whole page.
  if (page.format === 'ndjson') {
    const { pieces, count } = ndjsonAsArray(page.raw.length === 1 ? page.raw[0]! : Buffer.concat(page.raw));
    return { seen: { records: [], recordCount: count, body: {}, headers: page.headers, url: page.url }, records: undefined, pieces };
  }
  if (page.format === 'csv') {
    const { pieces, count, columns, dialect } = csvSpoolPage(page.raw.length === 1 ? page.raw[0]! : Buffer.concat(page.raw), page.headers, format);
    return { seen: { records: [], recordCount: count, body: {}, headers: page.headers, url: page.url }, records: undefined, pieces, csv: { columns, dialect } };
  }
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
