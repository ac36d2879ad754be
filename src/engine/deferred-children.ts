/**
 * Child tables fetched with their parent but not loaded yet, because no query has named them:
 * their bulk inserts and the spooled files those read (one batch per request of the plan) wait
 * until one does, so a query of the parent alone does not pay for them.
 */
import { rm } from 'node:fs/promises';
import type { SpooledFiles } from '../scan/page-spool.js';
import type { Logger } from '../util/logger.js';
import type { BulkInsert } from './bulk-json.js';
import type { Database } from './database.js';

export class DeferredChildren {
  /** Waiting child tables by lower-case name. */
  readonly #inserts: Map<string, BulkInsert>;
  readonly #batches: { readonly spooled: SpooledFiles; readonly rowidBase: number }[] = [];

  constructor(later: readonly BulkInsert[]) {
    this.#inserts = new Map(later.map((ins) => [ins.table.toLowerCase(), ins]));
  }

  /** Whether `table` (any case) waits. */
  waits(table: string): boolean {
    return this.#inserts.has(table.toLowerCase());
  }

  /** Some child table waits (so spooled files are worth keeping). */
  get waiting(): boolean {
    return this.#inserts.size > 0;
  }

  /** Keeps one request's spooled files for the waiting tables. */
  keep(spooled: SpooledFiles, rowidBase: number): void {
    this.#batches.push({ spooled, rowidBase });
  }

  /** Files were kept: the tables really wait. */
  get kept(): boolean {
    return this.#batches.length > 0;
  }

  /** The waiting tables' names. */
  tables(): string[] {
    return [...this.#inserts.values()].map((i) => i.table);
  }

  /**
   * Loads the waiting tables among `names` (lower case) from the kept files (their inserts write
   * to the generation they were planned for). False when DuckDB could not (the caller then drops
   * what is kept and fetches again).
   */
  async load(db: Database, gen: number, names: ReadonlySet<string>, logger: Logger): Promise<boolean> {
    const wanted = [...names].filter((n) => this.#inserts.has(n)).map((n) => this.#inserts.get(n)!);
    if (wanted.length === 0) return true;
    try {
      await db.insertSpooled(gen, wanted, this.#batches.map((b) => ({ files: b.spooled.files, rowidBase: b.rowidBase })));
    } catch (e) {
      logger.debug(`load: DuckDB could not load ${wanted.map((w) => w.table).join(', ')} (${(e as Error).message.split('\n')[0]}); loading again row by row`);
      return false;
    }
    for (const w of wanted) this.#inserts.delete(w.table.toLowerCase());
    logger.debug(`load: ${wanted.map((w) => w.table).join(', ')} from the spooled pages`);
    return true;
  }

  /** Removes the kept files. */
  async remove(): Promise<void> {
    for (const b of this.#batches) await rm(b.spooled.dir, { recursive: true, force: true });
  }
}
