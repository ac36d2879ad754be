/**
 * What each endpoint has loaded into the engine, and loading what a statement needs: the
 * endpoints whose tables it names, with the requests its WHERE conditions and LIMIT allow. Rows
 * loaded for one statement serve the next only when they were fetched unnarrowed and are fresh
 * (CacheTTL), or when the next plans the same requests; rows loaded inside a user's transaction
 * last only as long as it does.
 */
import { RestSqlError } from '../errors/index.js';
import type { HttpClient } from '../http/contract.js';
import type { PrefetchedPage } from '../model/sample-source.js';
import { tablesOf, type EndpointDef, type ResolvedModel } from '../model/types.js';
import { planRequests, type RequestPlan } from '../scan/request-plan.js';
import { scanEndpoint, type ScanProgress } from '../scan/scan.js';
import type { Logger } from '../util/logger.js';
import { bulkJsonPlan } from './bulk-json.js';
import { DeferredChildren } from './deferred-children.js';
import type { Engine } from './duckdb.js';
import { EMPTY_PLAN, planStatements, tableRefs } from './planner.js';
import { endpointPushdown, virtualColumns } from './pushdown.js';

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

interface EndpointState {
  readonly endpoint: EndpointDef;
  prefetched: PrefetchedPage | undefined;
  /** RequestPlan.key of the rows loaded now (undefined: nothing loaded). */
  loadedKey?: string;
  /** The rows loaded now came from an unnarrowed fetch. */
  loadedComplete: boolean;
  /** When they were fetched (CacheTTL). */
  loadedAt?: number;
  /** Child tables fetched with the rows loaded now but not loaded yet: no query named them so far. */
  deferred?: DeferredChildren;
  /** Loaded inside a user's transaction: the engine's transaction epoch then (a ROLLBACK undoes the load). */
  tentative?: number;
}

export class LoadCache {
  readonly #endpoints: EndpointState[];
  readonly #byTable = new Map<string, EndpointState>();
  /** Lower-case column names per lower-case table name (for placing unqualified columns). */
  readonly #columns: Map<string, Set<string>>;

  constructor(
    model: ResolvedModel,
    private readonly engine: Engine,
    private readonly http: HttpClient,
    private readonly logger: Logger,
    prefetched: Map<EndpointDef, PrefetchedPage>,
    private readonly limits: ScanLimits,
  ) {
    this.#endpoints = model.endpoints.map((endpoint) => ({ endpoint, prefetched: prefetched.get(endpoint), loadedComplete: false }));
    for (const s of this.#endpoints) for (const t of tablesOf(s.endpoint.table)) this.#byTable.set(t.name.toLowerCase(), s);
    this.#columns = new Map(model.endpoints.flatMap((e) => tablesOf(e.table)).map((t) => [t.name.toLowerCase(), new Set(t.columns.map((c) => c.name.toLowerCase()))]));
  }

  /**
   * Fetches and loads the endpoints whose tables `sql` names, and only those, with the requests
   * its WHERE conditions and LIMIT allow (model files). Rows already loaded by an equal request,
   * or by an unnarrowed one when this query constrains no virtual column, are reused.
   */
  async prepare(sql: string, params: readonly unknown[] = []): Promise<void> {
    // Rows fetched for an earlier statement serve this one only if they were fetched unnarrowed
    // and are fresh, or if this statement plans the same requests (below); otherwise reading them
    // raises, and the engine fetches them (fetchTable) instead of running on a stale or partial copy.
    for (const s of this.#endpoints) {
      if (s.tentative !== undefined && s.tentative !== this.engine.transactionEpoch()) await this.#forget(s);
      if (!this.#servesAny(s)) await this.engine.setAvailable(this.#tableNames(s), false);
    }
    const needed = new Set<EndpointState>();
    // One parse tree serves the table names (beside DuckDB's getTableNames) and the request plan.
    const tree = await this.engine.serialize(sql);
    const names = new Set([...this.engine.tableNames(sql), ...tableRefs(tree)].map((n) => n.toLowerCase()));
    // Scripts and statements other than one SELECT have no parse tree to read (and DuckDB's
    // getTableNames takes one statement): every API table the text names is fetched before it
    // runs, so a transaction or a PIVOT never meets an unfetched one. A table the text does not
    // name (dynamic SQL) is fetched when DuckDB reads it, outside transactions.
    if (!isOneSelect(tree)) for (const name of this.#byTable.keys()) if (mentions(sql, name)) names.add(name);
    for (const name of names) {
      const state = this.#byTable.get(name);
      if (state) needed.add(state);
    }
    if (needed.size === 0) return;
    const planned = [...needed].some((s) => s.endpoint.paths !== undefined);
    const query = planned ? planStatements(tree, (t) => this.#columns.get(t), params) : EMPTY_PLAN;
    if (!isOneSelect(tree)) for (const state of needed) refuseUnreadVirtual(state.endpoint, sql);
    const userObjects = query.conditions.length > 0 || query.limit ? await this.engine.hasUserObjects() : false;
    for (const state of needed) {
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
      if (this.#fresh(state) && (state.loadedKey === plan.key || (state.loadedComplete && plan.reusesComplete))) {
        if (await this.#loadDeferred(state, names)) {
          await this.engine.setAvailable(this.#tableNames(state), true);
          continue;
        }
        // A deferred child table DuckDB could not read: load the endpoint again, row by row.
        await this.#load(state, plan, names, false);
        continue;
      }
      await this.#load(state, plan, names, this.limits.bulkLoad);
    }
  }

  /**
   * A statement read `table` without restsql having fetched it for that statement (DuckDB's own
   * binder found a reference the planner did not): fetch it unnarrowed, or load it from the
   * pages kept for it.
   */
  async fetchTable(table: string): Promise<void> {
    const state = this.#byTable.get(table.toLowerCase());
    if (!state) return;
    this.logger.debug(`scan: ${table}: read by the statement, fetching it now`);
    const names = new Set([table.toLowerCase()]);
    if (this.#servesAny(state) && (await this.#loadDeferred(state, names))) {
      await this.engine.setAvailable(this.#tableNames(state), true);
      return;
    }
    await this.#load(state, planRequests(state.endpoint, []), names, this.limits.bulkLoad);
  }

  /** Forgets what was loaded (a transaction it was loaded in has ended, perhaps rolled back). */
  async #forget(state: EndpointState): Promise<void> {
    await this.#dropDeferred(state);
    state.loadedKey = undefined;
    state.loadedComplete = false;
    state.loadedAt = undefined;
    state.tentative = undefined;
  }

  /** Within CacheTTL. */
  #fresh(state: EndpointState): boolean {
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
   * Fetches and loads one endpoint's tables. Bulk-loaded child tables the query does not name
   * wait, with their spooled files, until one does (#loadDeferred): a query of the parent alone
   * does not pay for them.
   */
  async #load(state: EndpointState, plan: RequestPlan, names: ReadonlySet<string>, bulkAllowed: boolean): Promise<void> {
    // Until this load succeeds nothing is loaded: a failed load is never reused as if it had rows.
    await this.#forget(state);
    // Inside a user's transaction: row by row (a failed bulk read would abort the transaction),
    // and the load holds only until the transaction ends.
    const inTransaction = await this.engine.inTransaction();
    if (inTransaction) bulkAllowed = false;
    const tables = tablesOf(state.endpoint.table);
    const bulkPlan = bulkAllowed ? bulkJsonPlan(state.endpoint.table, this.engine.storageName) : undefined;
    const deferred = new DeferredChildren(bulkPlan?.inserts.slice(1).filter((ins) => !names.has(ins.table.toLowerCase())) ?? []);
    const counts = await this.engine
      .load(tables, async (append, bulkLoad) => {
        const stats = await scanEndpoint(state.endpoint, this.http, append, {
          bulk: {
            spoolDir: this.engine.spoolDir,
            eligible: bulkPlan !== undefined,
            load: async (spooled, rowidBase) => {
              const records = await bulkLoad(bulkPlan!, spooled.files, rowidBase, names);
              if (!deferred.waiting) return { records };
              deferred.keep(spooled, rowidBase);
              return { records, keep: true };
            },
          },
          plan,
          ...(state.prefetched !== undefined ? { prefetched: state.prefetched } : {}),
          maxPages: this.limits.maxPages,
          concurrency: this.limits.concurrency,
          ...(this.limits.onProgress ? { onProgress: this.limits.onProgress } : {}),
          logger: this.logger,
        });
        this.logger.debug(`scan: ${state.endpoint.table.name}: ${stats.records} records, ${stats.pages} page(s), ${stats.requests} request(s)`);
      })
      .catch(async (e: unknown) => {
        await deferred.remove();
        throw e;
      });
    if (deferred.kept) state.deferred = deferred;
    state.prefetched = undefined;
    state.loadedKey = plan.key;
    state.loadedComplete = plan.complete;
    state.loadedAt = Date.now();
    if (inTransaction) state.tentative = this.engine.transactionEpoch();
    await this.engine.setAvailable(this.#tableNames(state), true);
    this.logger.debug(`load: ${[...counts].map(([t, n]) => `${t}=${n}`).join(', ')}${deferred.kept ? `; ${deferred.tables().join(', ')} when first queried` : ''}`);
  }

  /** Loads the deferred child tables `names` asks for. False when DuckDB could not (nothing kept then). */
  async #loadDeferred(state: EndpointState, names: ReadonlySet<string>): Promise<boolean> {
    const d = state.deferred;
    if (!d) return true;
    if (!(await d.load(this.engine, names, this.logger))) {
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
