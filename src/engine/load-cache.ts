/**
 * What each endpoint has loaded into the database, and loading what a statement needs: the
 * endpoints whose tables it names, with the requests its WHERE conditions and LIMIT allow. Rows
 * loaded for one statement serve the next only when they were fetched unnarrowed and are fresh
 * (CacheTTL), or when the next plans the same requests.
 *
 * One cache serves every session on a database (each statement arrives with its session's
 * engine): rows fetched for one session serve the others within CacheTTL. An endpoint is loaded
 * by one session at a time (others needing it wait for that load, then use it); loads of
 * different endpoints, and statements over rows already loaded, go on side by side. Each load
 * fills a new generation (engine/database.ts) and runs outside any user's transaction.
 */
import { RestSqlError } from '../errors/index.js';
import type { HttpClient } from '../http/contract.js';
import type { PrefetchedPage } from '../model/sample-source.js';
import { tablesOf, type EndpointDef, type ResolvedModel } from '../model/types.js';
import { planRequests, type RequestPlan } from '../scan/request-plan.js';
import { scanEndpoint, type ScanProgress } from '../scan/scan.js';
import { abortable } from '../util/abortable.js';
import type { Logger } from '../util/logger.js';
import { bulkCsvPlan, bulkJsonPlan, type BulkJsonPlan } from './bulk-json.js';
import type { Database } from './database.js';
import { DeferredChildren } from './deferred-children.js';
import type { Engine } from './duckdb.js';
import { EMPTY_PLAN, planStatements, tableRefs, type QueryPlan } from './planner.js';
import { endpointPushdown, virtualColumns } from './pushdown.js';
import { routineTables } from './routines/routine-tables.js';

/** Connection-level limits for scans. */
export interface ScanLimits {
  readonly maxPages: number;
  readonly concurrency: number;
  /** CacheTTL in ms; 0: loaded rows serve the whole connection. */
  readonly cacheTtlMs: number;
  /** BulkLoad: spool pages for DuckDB's JSON reader where the table allows. */
  readonly bulkLoad: boolean;
  /** FilterPushdown: narrowing WHERE conditions may be sent to the API. */
  readonly filterPushdown: boolean;
  readonly onProgress?: (p: ScanProgress) => void;
}

/** Rows loaded for an endpoint: what they were fetched by, and when. */
interface Loaded {
  /** RequestPlan.key of the rows loaded now (undefined: nothing loaded). */
  loadedKey?: string;
  /** The rows loaded now came from an unnarrowed fetch. */
  loadedComplete: boolean;
  /** When they were fetched (CacheTTL). */
  loadedAt?: number;
  /** The generation holding them. */
  generation?: number;
}

/** Rows a session loaded inside its transaction: its own until the transaction ends. */
interface OwnLoad extends Loaded {
  /** The session's transaction epoch when they were loaded. */
  readonly epoch: number;
}

interface EndpointState extends Loaded {
  readonly endpoint: EndpointDef;
  prefetched: PrefetchedPage | undefined;
  /** Child tables fetched with the rows loaded now but not loaded yet: no query named them so far. */
  deferred?: DeferredChildren;
  /** Set while a session loads the endpoint: others wait for it. */
  busy?: Promise<void>;
}

export class LoadCache {
  readonly #endpoints: EndpointState[];
  readonly #byTable = new Map<string, EndpointState>();
  /** Loads sessions made inside their transactions. */
  readonly #own = new WeakMap<Engine, Map<EndpointState, OwnLoad>>();
  /** Lower-case column names per lower-case table name (for placing unqualified columns). */
  readonly #columns: Map<string, Set<string>>;
  /** The API tables each of the model file's functions reads (lower-case names). */
  readonly #routineTables: Map<string, Set<string>>;

  constructor(
    model: ResolvedModel,
    private readonly db: Database,
    private readonly http: HttpClient,
    private readonly logger: Logger,
    prefetched: Map<EndpointDef, PrefetchedPage>,
    private readonly limits: ScanLimits,
  ) {
    this.#endpoints = model.endpoints.map((endpoint) => ({ endpoint, prefetched: prefetched.get(endpoint), loadedComplete: false }));
    for (const s of this.#endpoints) for (const t of tablesOf(s.endpoint.table)) this.#byTable.set(t.name.toLowerCase(), s);
    this.#columns = new Map(model.endpoints.flatMap((e) => tablesOf(e.table)).map((t) => [t.name.toLowerCase(), new Set(t.columns.map((c) => c.name.toLowerCase()))]));
    this.#routineTables = routineTables(model.routines, new Set(this.#byTable.keys()));
  }

  /**
   * Fetches and loads the endpoints whose tables `sql` names, and only those, with the requests
   * its WHERE conditions and LIMIT allow (model files). Rows already loaded by an equal request,
   * or by an unnarrowed one when this query constrains no virtual column, are reused.
   */
  async prepare(session: Engine, sql: string, params: readonly unknown[] = [], signal?: AbortSignal): Promise<void> {
    await session.flushDrops();
    // Rows fetched for an earlier statement serve this one only if they were fetched unnarrowed
    // and are fresh, and are the rows loaded now, or if this statement plans the same requests
    // (below); otherwise reading them raises, and the engine fetches them (fetchTable) instead of
    // running on a stale or partial copy.
    const own = this.#ownLoads(session);
    for (const s of this.#endpoints) {
      const tables = tablesOf(s.endpoint.table).map((t) => t.name);
      const mine = own.get(s);
      const valid = (gen: number | undefined) => gen === undefined || (gen === s.generation && this.#servesAny(s)) || (mine !== undefined && gen === mine.generation && mine.loadedComplete && this.#fresh(mine));
      if (!tables.every((t) => valid(session.shown(t)))) await session.hide(tables);
    }
    const needed = new Set<EndpointState>();
    // One parse tree serves the table names (beside DuckDB's getTableNames) and the request plan.
    const tree = await session.serialize(sql);
    const names = new Set([...session.tableNames(sql), ...tableRefs(tree)].map((n) => n.toLowerCase()));
    // Scripts and statements other than one SELECT have no parse tree to read (and DuckDB's
    // getTableNames takes one statement): every API table the text names is fetched before it
    // runs, so a transaction or a PIVOT never meets an unfetched one. A table the text does not
    // name (dynamic SQL) is fetched when DuckDB reads it, outside transactions.
    if (!isOneSelect(tree)) for (const name of this.#byTable.keys()) if (mentions(sql, name)) names.add(name);
    // So are the tables of the model file's functions it names (engine/routines/routine-tables.ts).
    if (!isOneSelect(tree)) for (const [routine, tables] of this.#routineTables) if (mentions(sql, routine)) for (const t of tables) names.add(t);
    for (const name of names) {
      const state = this.#byTable.get(name);
      if (state) needed.add(state);
    }
    if (needed.size === 0) return;
    const planned = [...needed].some((s) => s.endpoint.paths !== undefined);
    const query = planned ? planStatements(tree, (t) => this.#columns.get(t), params) : EMPTY_PLAN;
    if (!isOneSelect(tree)) for (const state of needed) refuseUnreadVirtual(state.endpoint, sql);
    const userObjects = query.conditions.length > 0 || query.limit ? await session.hasUserObjects(sql) : false;
    // Asked once per statement (two DuckDB queries), not per endpoint.
    const inTransaction = await session.inTransaction();
    for (const state of needed) {
      const plan = this.#requestPlan(state, query, userObjects);
      await this.#provide(session, state, plan, names, signal, inTransaction);
    }
  }

  /** The requests that fetch `state`'s endpoint for a statement with plan `query` (pushdown decided per endpoint). */
  #requestPlan(state: EndpointState, query: QueryPlan, userObjects: boolean): RequestPlan {
    const pushdown = endpointPushdown(state.endpoint, query, { filters: this.limits.filterPushdown, userObjects });
    if (pushdown.held) this.logger.debug(`pushdown: ${state.endpoint.table.name}: conditions kept in DuckDB: ${pushdown.held}`);
    let plan: RequestPlan;
    try {
      plan = planRequests(state.endpoint, pushdown.conditions, pushdown.limit);
      // A #default sent in place of a condition the statement gives would answer from the wrong rows.
      const overridden = pushdown.heldColumns?.find((c) => plan.defaulted.includes(c));
      if (overridden) {
        throw new RestSqlError('QUERY_MISSING_FILTER', `Table '${state.endpoint.table.name}' sends #default for '${overridden}' when a statement gives no value it can send, and this statement's condition on it was not sent (${pushdown.held}).`, {
          hint: `Give the condition in a statement that reads ${state.endpoint.table.name} once, in the top-level WHERE${this.limits.filterPushdown ? '' : ', with FilterPushdown=1'}.`,
          details: { table: state.endpoint.table.name, column: overridden },
        });
      }
    } catch (e) {
      // The table needs a value the statement gives, but it could not be sent safely.
      if (pushdown.held && e instanceof RestSqlError && e.code === 'QUERY_MISSING_FILTER') {
        throw new RestSqlError('QUERY_MISSING_FILTER', `${e.message} The statement's condition was not sent: ${pushdown.held}.`, { hint: e.hint ?? '', details: e.details, cause: e });
      }
      throw e;
    }
    return plan;
  }

  /**
   * Whether reading `table` for the one SELECT `sql` would fetch it unnarrowed (every row):
   * nothing is fetched. A write asks this before it reads the rows it changes.
   */
  async readsWholeTable(session: Engine, sql: string, table: string): Promise<boolean> {
    const state = this.#byTable.get(table.toLowerCase());
    if (!state) return false;
    const tree = await session.serialize(sql);
    if (!isOneSelect(tree)) return true;
    const query = state.endpoint.paths !== undefined ? planStatements(tree, (t) => this.#columns.get(t), []) : EMPTY_PLAN;
    const userObjects = query.conditions.length > 0 || query.limit ? await session.hasUserObjects(sql) : false;
    return this.#requestPlan(state, query, userObjects).complete;
  }

  /** Forgets the rows of `table`'s endpoint (a write changed them): the next statement reading it fetches again. */
  async invalidate(session: Engine, table: string): Promise<void> {
    const state = this.#byTable.get(table.toLowerCase());
    if (!state) return;
    await this.#exclusive(state, undefined, async () => {
      state.prefetched = undefined;
      await this.#forget(state);
    });
    this.#own.get(session)?.delete(state);
    await session.hide(tablesOf(state.endpoint.table).map((t) => t.name));
  }

  /**
   * Forgets every endpoint's rows and the pages sampling kept (the shell's \\refresh): the next
   * statement reading a table fetches it again. Loads under way finish first. Sessions showing
   * the old rows keep them until their next statement; `session`'s tables are hidden now.
   */
  async dropAll(session: Engine): Promise<void> {
    for (const state of this.#endpoints) {
      await this.#exclusive(state, undefined, async () => {
        state.prefetched = undefined;
        await this.#forget(state);
      });
    }
    await session.hide([...this.#endpoints].flatMap((s) => tablesOf(s.endpoint.table).map((t) => t.name)));
  }

  /**
   * A statement read `table` without restsql having fetched it for that statement (DuckDB's own
   * binder found a reference the planner did not): fetch it unnarrowed, or load it from the
   * pages kept for it.
   */
  async fetchTable(session: Engine, table: string, signal?: AbortSignal): Promise<void> {
    const state = this.#byTable.get(table.toLowerCase());
    if (!state) return;
    this.logger.debug(`scan: ${table}: read by the statement, fetching it now`);
    const names = new Set([table.toLowerCase()]);
    await this.#provide(session, state, planRequests(state.endpoint, []), names, signal, await session.inTransaction());
  }

  /**
   * Shows `session` rows of `state`'s endpoint fetched by `plan` (or rows that serve it): the
   * shared ones when it can see them, else (inside a transaction that began before they were
   * committed) rows loaded inside its transaction, which serve it until the transaction ends.
   */
  async #provide(session: Engine, state: EndpointState, plan: RequestPlan, names: ReadonlySet<string>, signal: AbortSignal | undefined, inTransaction: boolean): Promise<void> {
    const serves = (l: Loaded) => this.#fresh(l) && (l.loadedKey === plan.key || (l.loadedComplete && plan.reusesComplete));
    if (inTransaction) {
      // DuckDB fixes a transaction's snapshot at its first read: loads committed since are invisible to it.
      if (serves(state) && !(state.deferred && [...names].some((n) => state.deferred!.waits(n)))) {
        // Another session may replace the cache's rows while this one looks: the generation and
        // its tables are taken (and held) now, and exactly they are shown.
        const gen = state.generation!;
        const tables = this.#tableNames(state);
        this.db.retain(gen);
        try {
          if (await session.sees(gen, tables)) {
            await session.show(tables, gen);
            return;
          }
        } finally {
          this.db.release(gen);
        }
      }
      const own = this.#ownLoads(session);
      const mine = own.get(state);
      if (mine && mine.epoch === session.transactionEpoch() && serves(mine)) {
        await session.show(tablesOf(state.endpoint.table).map((t) => t.name), mine.generation!);
        return;
      }
      await this.#loadInTransaction(session, state, plan, signal);
      return;
    }
    await this.#exclusive(state, signal, async () => {
      if (serves(state)) {
        if (await this.#showLoaded(session, state, names)) return;
        // A deferred child table DuckDB could not read: nothing of these rows is used again (the
        // child table would show empty), and the endpoint is loaded again, row by row.
        await this.#forget(state);
        await this.#load(session, state, plan, names, false, signal);
        return;
      }
      await this.#load(session, state, plan, names, this.limits.bulkLoad, signal);
    });
  }

  /** This session's own loads (made inside its transactions), by endpoint. */
  #ownLoads(session: Engine): Map<EndpointState, OwnLoad> {
    let own = this.#own.get(session);
    if (!own) this.#own.set(session, (own = new Map()));
    // Loads of a transaction that has ended are forgotten (a ROLLBACK undid them).
    for (const [s, l] of own) {
      if (l.epoch !== session.transactionEpoch()) {
        own.delete(s);
        this.db.release(l.generation!);
      }
    }
    return own;
  }

  /** Fetches `plan` into a generation made inside `session`'s transaction, row by row; it serves that session until the transaction ends. */
  async #loadInTransaction(session: Engine, state: EndpointState, plan: RequestPlan, signal: AbortSignal | undefined): Promise<void> {
    const own = this.#ownLoads(session);
    const gen = this.db.newGeneration(session.owner);
    const tables = tablesOf(state.endpoint.table);
    try {
      await session.loadHere(gen, tables, this.#fill(state, plan, false, signal, undefined));
      await session.show(tables.map((t) => t.name), gen);
    } catch (e) {
      this.db.release(gen);
      throw e;
    }
    const old = own.get(state);
    if (old) this.db.release(old.generation!);
    own.set(state, { generation: gen, loadedKey: plan.key, loadedComplete: plan.complete, loadedAt: Date.now(), epoch: session.transactionEpoch() });
    this.logger.debug(`load: ${state.endpoint.table.name}: loaded inside the open transaction, for this session until it ends`);
  }

  /** A session closed: its own loads go. */
  endSession(session: Engine): void {
    const own = this.#own.get(session);
    if (!own) return;
    for (const l of own.values()) this.db.release(l.generation!);
    this.#own.delete(session);
  }

  /**
   * Runs `fn` while no other session loads the endpoint (one load at a time per endpoint; the
   * others wait for it and then see its rows). A load another session gave up (its client
   * cancelled) does not fail this one: it runs `fn` itself.
   */
  async #exclusive(state: EndpointState, signal: AbortSignal | undefined, fn: () => Promise<void>): Promise<void> {
    while (state.busy) {
      signal?.throwIfAborted();
      await abortable(state.busy.catch(() => undefined), signal);
    }
    signal?.throwIfAborted();
    let done!: () => void;
    state.busy = new Promise((r) => (done = r));
    try {
      await fn();
    } finally {
      state.busy = undefined;
      done();
    }
  }

  /**
   * Shows the loaded rows to `session`, loading the deferred child tables `names` asks for first.
   * False when DuckDB could not read a deferred table.
   */
  async #showLoaded(session: Engine, state: EndpointState, names: ReadonlySet<string>): Promise<boolean> {
    if (!(await this.#loadDeferred(state, names))) return false;
    await session.show(this.#tableNames(state), state.generation!);
    return true;
  }

  /** Forgets what was loaded (the cache no longer holds its generation). */
  async #forget(state: EndpointState): Promise<void> {
    await this.#dropDeferred(state);
    state.loadedKey = undefined;
    state.loadedComplete = false;
    state.loadedAt = undefined;
    if (state.generation !== undefined) this.db.release(state.generation);
    state.generation = undefined;
  }

  /** Releases every generation the cache holds (the database is closing). */
  async close(): Promise<void> {
    for (const s of this.#endpoints) await this.#forget(s);
  }

  /** Within CacheTTL. */
  #fresh(state: Loaded): boolean {
    return state.loadedAt !== undefined && (this.limits.cacheTtlMs === 0 || Date.now() - state.loadedAt < this.limits.cacheTtlMs);
  }

  /** The loaded rows are unnarrowed and fresh: they serve any statement. */
  #servesAny(state: EndpointState): boolean {
    return state.loadedComplete && this.#fresh(state);
  }

  /** The endpoint's tables whose rows are loaded now (deferred child tables are not). */
  #tableNames(state: EndpointState): string[] {
    return tablesOf(state.endpoint.table)
      .map((t) => t.name)
      .filter((n) => !state.deferred?.waits(n));
  }

  /**
   * Fetches and loads one endpoint's tables into a new generation and shows them to `session`.
   * Bulk-loaded child tables the query does not name wait, with their spooled files, until one
   * does (#loadDeferred): a query of the parent alone does not pay for them. Rows of a narrowed
   * fetch do not replace fresh unnarrowed rows other statements can still use: they serve this
   * statement only.
   *
   * The load runs on a connection of its own, outside any user's transaction, and is shared.
   */
  async #load(session: Engine, state: EndpointState, plan: RequestPlan, names: ReadonlySet<string>, bulkAllowed: boolean, signal: AbortSignal | undefined): Promise<void> {
    const replaces = plan.complete || !this.#servesAny(state);
    const tables = tablesOf(state.endpoint.table);
    const gen = this.db.newGeneration();
    const bulkPlan = bulkAllowed ? bulkJsonPlan(state.endpoint.table, (t) => this.db.storageName(t, gen)) : undefined;
    // Rows that serve this statement only load every child table now.
    const deferred = new DeferredChildren(replaces ? (bulkPlan?.inserts.slice(1).filter((ins) => !names.has(ins.table.toLowerCase())) ?? []) : []);
    let counts: Map<string, number>;
    try {
      counts = await this.db.load(gen, tables, this.#fill(state, plan, replaces, signal, bulkPlan ? { plan: bulkPlan, deferred, names, target: (t) => this.db.storageName(t, gen) } : undefined), () => new Set(deferred.kept ? deferred.tables().map((t) => t.toLowerCase()) : []));
    } catch (e) {
      await deferred.remove();
      this.db.release(gen);
      throw e;
    }
    this.logger.debug(`load: ${[...counts].map(([t, n]) => `${t}=${n}`).join(', ')}${deferred.kept ? `; ${deferred.tables().join(', ')} when first queried` : ''}`);
    let shown: string[];
    if (replaces) {
      // Until this load succeeded the earlier rows stayed; now they go (sessions showing them keep them until their next statement).
      await this.#forget(state);
      if (deferred.kept) state.deferred = deferred;
      state.prefetched = undefined;
      state.loadedKey = plan.key;
      state.loadedComplete = plan.complete;
      state.loadedAt = Date.now();
      state.generation = gen;
      shown = this.#tableNames(state);
    } else {
      shown = tables.map((t) => t.name);
    }
    try {
      await session.show(shown, gen);
    } finally {
      if (!replaces) this.db.release(gen);
    }
  }

  /** What fills a generation: the endpoint's scan by `plan`, bulk-loaded where `bulk` says. */
  #fill(state: EndpointState, plan: RequestPlan, first: boolean, signal: AbortSignal | undefined, bulk: { plan: BulkJsonPlan; deferred: DeferredChildren; names: ReadonlySet<string>; target: (table: string) => string } | undefined): Parameters<Database['load']>[2] {
    return async (append, bulkLoad) => {
      const stats = await scanEndpoint(state.endpoint, this.http, append, {
        bulk: {
          spoolDir: this.db.spoolDir,
          eligible: bulk !== undefined,
          load: async (spooled, rowidBase) => {
            if (spooled.csv) {
              // CSV pages: DuckDB's read_csv, for a table it can express and pages that agree.
              const csvPlan = spooled.csv.mixed ? undefined : bulkCsvPlan(state.endpoint.table, spooled.csv, bulk!.target);
              if (!csvPlan) throw new Error('the spooled CSV pages differ, or the table has more than flat columns');
              return { records: await bulkLoad(csvPlan, spooled.files, rowidBase) };
            }
            const records = await bulkLoad(bulk!.plan, spooled.files, rowidBase, bulk!.deferred.waiting ? bulk!.names : undefined);
            if (!bulk!.deferred.waiting) return { records };
            bulk!.deferred.keep(spooled, rowidBase);
            return { records, keep: true };
          },
        },
        plan,
        // The page sampling fetched serves the first unnarrowed load only.
        ...(state.prefetched !== undefined && first ? { prefetched: state.prefetched } : {}),
        maxPages: this.limits.maxPages,
        concurrency: this.limits.concurrency,
        ...(this.limits.onProgress ? { onProgress: this.limits.onProgress } : {}),
        ...(signal ? { signal } : {}),
        logger: this.logger,
      });
      this.logger.debug(`scan: ${state.endpoint.table.name}: ${stats.records} records, ${stats.pages} page(s), ${stats.requests} request(s)`);
    };
  }

  /** Loads the deferred child tables `names` asks for. False when DuckDB could not (nothing kept then). */
  async #loadDeferred(state: EndpointState, names: ReadonlySet<string>): Promise<boolean> {
    const d = state.deferred;
    if (!d) return true;
    if (!(await d.load(this.db, state.generation!, names, this.logger))) {
      await this.#dropDeferred(state);
      return false;
    }
    if (!d.waiting) await this.#dropDeferred(state);
    return true;
  }

  async #dropDeferred(state: EndpointState): Promise<void> {
    if (!state.deferred) return;
    const d = state.deferred;
    state.deferred = undefined;
    await d.remove();
  }
}

/**
 * Statements other than one SELECT have no tree restsql can read conditions from: a condition on
 * a virtual column there would be answered from the default's rows, so it is an error.
 */
function refuseUnreadVirtual(endpoint: EndpointDef, sql: string): void {
  for (const { table: t, column: c } of virtualColumns(endpoint.table)) {
    const name = escapeRegExp(c.name);
    const compared = new RegExp(`(?<![A-Za-z0-9_$])${name}(?![A-Za-z0-9_$])"?\\s*(=|<>|!=|<|>|\\bIN\\b|\\bLIKE\\b|\\bBETWEEN\\b)|(=|<>|!=|<|>)\\s*"?(?:[A-Za-z0-9_$]+"?\\.)?"?${name}(?![A-Za-z0-9_$])`, 'i');
    if (compared.test(sql)) {
      throw new RestSqlError('QUERY_MISSING_FILTER', `'${c.name}' of table '${t.name}' is a virtual column: its condition decides what is fetched, and restsql reads conditions only from a statement that is one SELECT.`, {
        hint: `Run the SELECT with WHERE ${c.name} = '...' on its own (CREATE TABLE ... AS and scripts cannot send it).`,
        details: { table: t.name, column: c.name },
      });
    }
  }
}

function isOneSelect(tree: unknown): boolean {
  const t = tree as { error?: boolean; statements?: unknown[] } | undefined;
  return t !== undefined && t !== null && !t.error && t.statements?.length === 1;
}

/** Whether `name` stands in `sql` as a word of its own (quoted or not, any case). */
function mentions(sql: string, name: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_$])${escapeRegExp(name)}(?![A-Za-z0-9_$])`, 'i').test(sql);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
