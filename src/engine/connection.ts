import { rm } from 'node:fs/promises';
import { createAuthenticator, type AuthContext } from '../auth/create.js';
import type { CustomSteps } from '../auth/custom.js';
import { readAuthSteps } from '../model/model-file.js';
import { canOpenBrowser, systemBrowser, type OpenBrowser } from '../auth/oauth/browser.js';
import type { TokenStore } from '../auth/token-store/file-store.js';
import { stateDir } from '../util/state-dir.js';
import { RestSqlError, toRestSqlError, type Redactor } from '../errors/index.js';
import { httpClientFor, type SharedHttpClient } from '../http/client.js';
import type { HttpClient } from '../http/contract.js';
import { createOriginPolicy, parseOriginList, type OriginPolicy } from '../http/origins.js';
import { allTables, deepFreeze, tablesOf, type ColumnType, type EndpointDef, type ResolvedModel, type TableDef } from '../model/types.js';
import type { Row } from '../extract/flatten.js';
import { writeRestModel } from '../model/rest-writer.js';
import { redactorFor, type ConnectionOptions } from '../options/index.js';
import { sampleEndpoint, resolveEndpointUrl } from '../scan/sample.js';
import { loadModelFile, readModelFile } from '../scan/model-loader.js';
import type { SpooledFiles } from '../scan/page-spool.js';
import { planRequests, type RequestPlan } from '../scan/request-plan.js';
import { scanEndpoint, type PrefetchedPage, type ScanProgress } from '../scan/scan.js';
import { bulkJsonPlan, type BulkInsert } from './bulk-json.js';
import { EMPTY_PLAN, planStatements, tableRefs } from './planner.js';
import { endpointPushdown, virtualColumns } from './pushdown.js';
import { SILENT_LOGGER, redactingLogger, type Logger } from '../util/logger.js';
import { createEngine, type Engine, type StatementResult } from './duckdb.js';
import type { JsonValue, ResultColumn } from './values.js';

export interface ConnectOptions {
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Environment for `${NAME}` references, $BROWSER, $DISPLAY and $RESTSQL_HOME (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Opens the login URL (default: $BROWSER or the platform opener; none when headless). */
  readonly openBrowser?: OpenBrowser;
  /** Never open a browser: print the login URL and wait for the callback or a pasted URL (CLI --no-browser). */
  readonly headless?: boolean;
  /** Whether a login may happen (default true). False: a missing or dead token is an error. */
  readonly interactive?: boolean;
  /** Log in with the device authorization grant (RFC 8628) instead of a browser redirect. */
  readonly device?: boolean;
  /** Lines a person pastes (headless login: the redirected URL). */
  readonly pastedLines?: () => AsyncIterable<string>;
  /** Where tokens and certificates are kept (default $RESTSQL_HOME or ~/.config/restsql). */
  readonly stateDir?: string;
  /** Messages for the person logging in (default: the logger's info). */
  readonly notify?: (message: string) => void;
  /** Token cache (default: files under stateDir). */
  readonly tokenStore?: TokenStore;
  /** Called after each page a query fetches (the CLI draws a progress line from it). */
  readonly onProgress?: (p: ScanProgress) => void;
}

/** The login UI, state and transport (an HTTP client without the authenticator) a connection's authenticator works with. */
export function authContext(opts: ConnectOptions, logger: Logger, transport: SharedHttpClient): AuthContext {
  const env = opts.env ?? process.env;
  const openBrowser = opts.headless ? undefined : (opts.openBrowser ?? (canOpenBrowser(env) ? systemBrowser(env) : undefined));
  return {
    stateDir: opts.stateDir ?? stateDir(env),
    logger,
    transport,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.tokenStore ? { store: opts.tokenStore } : {}),
    ui: {
      notify: opts.notify ?? ((m) => logger.info(m)),
      interactive: opts.interactive ?? true,
      ...(openBrowser ? { openBrowser } : {}),
      ...(opts.pastedLines ? { pastedLines: opts.pastedLines } : {}),
      ...(opts.device ? { device: true } : {}),
    },
  };
}

export interface QueryResult {
  readonly columns: ResultColumn[];
  readonly rows: Record<string, JsonValue>[];
}

export interface TableInfo {
  readonly name: string;
  /** The table whose rows this child table's rows belong to. */
  readonly parent: string | null;
  readonly endpoint: string;
  readonly columns: readonly { name: string; type: ColumnType; key: boolean }[];
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

/** Bulk inserts kept for later, with the spooled files (one batch per request of the plan) they read. */
interface DeferredChildren {
  readonly inserts: Map<string, BulkInsert>;
  readonly batches: { readonly spooled: SpooledFiles; readonly rowidBase: number }[];
}

async function removeSpooled(d: DeferredChildren): Promise<void> {
  for (const b of d.batches) await rm(b.spooled.dir, { recursive: true, force: true });
}

/** Connection-level limits for scans. */
interface ScanLimits {
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

/** An open restsql connection: the model, the engine and the HTTP client behind `connect()`. */
export class Connection {
  readonly model: ResolvedModel;
  readonly #engine: Engine;
  readonly #http: HttpClient;
  readonly #logger: Logger;
  readonly #redactor: Redactor;
  readonly #endpoints: EndpointState[];
  readonly #byTable = new Map<string, EndpointState>();
  #closed = false;

  /** @internal use connect(). */
  readonly #limits: ScanLimits;

  constructor(model: ResolvedModel, engine: Engine, http: HttpClient, logger: Logger, redactor: Redactor, prefetched: Map<EndpointDef, PrefetchedPage>, private readonly closeAuth: () => Promise<void>, limits: ScanLimits) {
    this.model = model;
    this.#redactor = redactor;
    this.#engine = engine;
    this.#http = http;
    this.#logger = logger;
    this.#limits = limits;
    this.#endpoints = model.endpoints.map((endpoint) => ({ endpoint, prefetched: prefetched.get(endpoint), loadedComplete: false }));
    for (const s of this.#endpoints) for (const t of tablesOf(s.endpoint.table)) this.#byTable.set(t.name.toLowerCase(), s);
  }

  /**
   * Fetches and loads the endpoints whose tables `sql` names, and only those, with the requests
   * its WHERE conditions and LIMIT allow (model files). Rows already loaded by an equal request,
   * or by an unnarrowed one when this query constrains no virtual column, are reused.
   */
  async #prepare(sql: string, params: readonly unknown[] = []): Promise<void> {
    // Rows fetched for an earlier statement serve this one only if they were fetched unnarrowed
    // and are fresh, or if this statement plans the same requests (below); otherwise reading them
    // raises, and the engine fetches them (#fetchTable) instead of running on a stale or partial copy.
    for (const s of this.#endpoints) {
      if (s.tentative !== undefined && s.tentative !== this.#engine.transactionEpoch()) await this.#forget(s);
      if (!this.#servesAny(s)) await this.#engine.setAvailable(this.#tableNames(s), false);
    }
    const needed = new Set<EndpointState>();
    // One parse tree serves the table names (beside DuckDB's getTableNames) and the request plan.
    const tree = await this.#engine.serialize(sql);
    const names = new Set([...this.#engine.tableNames(sql), ...tableRefs(tree)].map((n) => n.toLowerCase()));
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
    const userObjects = query.conditions.length > 0 || query.limit ? await this.#engine.hasUserObjects() : false;
    for (const state of needed) {
      const pushdown = endpointPushdown(state.endpoint, query, { filters: this.#limits.filterPushdown, userObjects });
      if (pushdown.held) this.#logger.debug(`pushdown: ${state.endpoint.table.name}: conditions kept in DuckDB: ${pushdown.held}`);
      let plan: RequestPlan;
      try {
        plan = planRequests(state.endpoint, pushdown.conditions, pushdown.limit);
        // A #default sent in place of a condition the statement gives would answer from the wrong rows.
        const overridden = pushdown.heldColumns?.find((c) => plan.defaulted.includes(c));
        if (overridden) {
          throw new RestSqlError('QUERY_MISSING_FILTER', `Table '${state.endpoint.table.name}' sends #default for '${overridden}' when a statement gives no value it can send, and this statement's condition on it was not sent (${pushdown.held}).`, {
            hint: `Give the condition in a statement that reads ${state.endpoint.table.name} once, in the top-level WHERE${this.#limits.filterPushdown ? '' : ', with FilterPushdown=1'}.`,
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
          await this.#engine.setAvailable(this.#tableNames(state), true);
          continue;
        }
        // A deferred child table DuckDB could not read: load the endpoint again, row by row.
        await this.#load(state, plan, names, false);
        continue;
      }
      await this.#load(state, plan, names, this.#limits.bulkLoad);
    }
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
    return state.loadedAt !== undefined && (this.#limits.cacheTtlMs === 0 || Date.now() - state.loadedAt < this.#limits.cacheTtlMs);
  }

  /** The loaded rows are unnarrowed and fresh: they serve any statement. */
  #servesAny(state: EndpointState): boolean {
    return state.loadedComplete && this.#fresh(state);
  }

  /** The endpoint's tables whose rows are loaded now (deferred child tables are not). */
  #tableNames(state: EndpointState): string[] {
    return tablesOf(state.endpoint.table)
      .map((t) => t.name)
      .filter((n) => !state.deferred?.inserts.has(n.toLowerCase()));
  }

  /**
   * A statement read `table` without restsql having fetched it for that statement (DuckDB's own
   * binder found a reference the planner did not): fetch it unnarrowed, or load it from the
   * pages kept for it.
   */
  async #fetchTable(table: string): Promise<void> {
    const state = this.#byTable.get(table.toLowerCase());
    if (!state) return;
    this.#logger.debug(`scan: ${table}: read by the statement, fetching it now`);
    const names = new Set([table.toLowerCase()]);
    if (this.#servesAny(state) && (await this.#loadDeferred(state, names))) {
      await this.#engine.setAvailable(this.#tableNames(state), true);
      return;
    }
    await this.#load(state, planRequests(state.endpoint, []), names, this.#limits.bulkLoad);
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
    const inTransaction = await this.#engine.inTransaction();
    if (inTransaction) bulkAllowed = false;
    const tables = tablesOf(state.endpoint.table);
    const bulkPlan = bulkAllowed ? bulkJsonPlan(state.endpoint.table, this.#engine.storageName) : undefined;
    const later = bulkPlan?.inserts.slice(1).filter((ins) => !names.has(ins.table.toLowerCase())) ?? [];
    const deferred: DeferredChildren = { inserts: new Map(later.map((ins) => [ins.table.toLowerCase(), ins])), batches: [] };
    const counts = await this.#engine.load(tables, async (append, bulkLoad) => {
      const stats = await scanEndpoint(state.endpoint, this.#http, append, {
        bulk: {
          spoolDir: this.#engine.spoolDir,
          eligible: bulkPlan !== undefined,
          load: async (spooled, rowidBase) => {
            const records = await bulkLoad(bulkPlan!, spooled.files, rowidBase, names);
            if (deferred.inserts.size === 0) return { records };
            deferred.batches.push({ spooled, rowidBase });
            return { records, keep: true };
          },
        },
        plan,
        ...(state.prefetched !== undefined ? { prefetched: state.prefetched } : {}),
        maxPages: this.#limits.maxPages,
        concurrency: this.#limits.concurrency,
        ...(this.#limits.onProgress ? { onProgress: this.#limits.onProgress } : {}),
        logger: this.#logger,
      });
      this.#logger.debug(`scan: ${state.endpoint.table.name}: ${stats.records} records, ${stats.pages} page(s), ${stats.requests} request(s)`);
    }).catch(async (e: unknown) => {
      await removeSpooled(deferred);
      throw e;
    });
    if (deferred.batches.length > 0) state.deferred = deferred;
    state.prefetched = undefined;
    state.loadedKey = plan.key;
    state.loadedComplete = plan.complete;
    state.loadedAt = Date.now();
    if (inTransaction) state.tentative = this.#engine.transactionEpoch();
    await this.#engine.setAvailable(this.#tableNames(state), true);
    this.#logger.debug(`load: ${[...counts].map(([t, n]) => `${t}=${n}`).join(', ')}${deferred.batches.length ? `; ${[...deferred.inserts.values()].map((i) => i.table).join(', ')} when first queried` : ''}`);
  }

  /** Loads the deferred child tables `names` asks for. False when DuckDB could not (nothing kept then). */
  async #loadDeferred(state: EndpointState, names: ReadonlySet<string>): Promise<boolean> {
    const d = state.deferred;
    if (!d) return true;
    const wanted = [...names].filter((n) => d.inserts.has(n)).map((n) => d.inserts.get(n)!);
    if (wanted.length === 0) return true;
    try {
      for (const b of d.batches) await this.#engine.insertSpooled(wanted, b.spooled.files, b.rowidBase);
    } catch (e) {
      this.#logger.debug(`load: DuckDB could not load ${wanted.map((w) => w.table).join(', ')} (${(e as Error).message.split('\n')[0]}); loading again row by row`);
      await this.#dropDeferred(state);
      return false;
    }
    for (const w of wanted) d.inserts.delete(w.table.toLowerCase());
    await this.#engine.setAvailable(wanted.map((w) => w.table), true);
    this.#logger.debug(`load: ${wanted.map((w) => w.table).join(', ')} from the spooled pages`);
    if (d.inserts.size === 0) await this.#dropDeferred(state);
    return true;
  }

  async #dropDeferred(state: EndpointState): Promise<void> {
    if (!state.deferred) return;
    const d = state.deferred;
    state.deferred = undefined;
    await removeSpooled(d);
  }

  /** Lower-case column names per lower-case table name (for placing unqualified columns). */
  get #columns(): Map<string, Set<string>> {
    this.#columnCache ??= new Map(this.model.endpoints.flatMap((e) => tablesOf(e.table)).map((t) => [t.name.toLowerCase(), new Set(t.columns.map((c) => c.name.toLowerCase()))]));
    return this.#columnCache;
  }
  #columnCache?: Map<string, Set<string>>;

  #ensureOpen(): void {
    if (this.#closed) throw new RestSqlError('CONNECTION_CLOSED', 'The connection is closed.', { hint: 'Open a new connection with connect().' });
  }

  /** Runs every statement in `sql`; returns each statement's result. */
  async queryAll(sql: string, params?: readonly unknown[]): Promise<StatementResult[]> {
    this.#ensureOpen();
    try {
      await this.#prepare(sql, params);
      return await this.#engine.run(sql, params, (t) => this.#fetchTable(t));
    } catch (e) {
      throw this.#redactor.error(toRestSqlError(e));
    }
  }

  /** Runs `sql` (the last statement's result is returned). `params` bind `$1`, `$2`, ... or `?`. */
  async query(sql: string, params?: readonly unknown[]): Promise<QueryResult> {
    const results = await this.queryAll(sql, params);
    const last = results[results.length - 1];
    return { columns: last?.columns ?? [], rows: last?.rows ?? [] };
  }

  /** Runs one statement and yields its rows in batches. */
  async *stream(sql: string, params?: readonly unknown[]): AsyncGenerator<QueryResult> {
    this.#ensureOpen();
    try {
      await this.#prepare(sql, params);
      yield* this.#engine.stream(sql, params, (t) => this.#fetchTable(t));
    } catch (e) {
      throw this.#redactor.error(toRestSqlError(e));
    }
  }

  /** How many statements `sql` holds (0 when it does not parse). */
  async statementCount(sql: string): Promise<number> {
    this.#ensureOpen();
    return this.#engine.statementCount(sql);
  }

  async tables(): Promise<TableInfo[]> {
    this.#ensureOpen();
    return this.#endpoints.flatMap((s) =>
      tablesOf(s.endpoint.table).map((t) => ({
        name: t.name,
        parent: t.parent ?? null,
        endpoint: this.#redactor.url(s.endpoint.url),
        columns: t.columns.map((c) => ({ name: c.name, type: c.type, key: c.key })),
      })),
    );
  }

  /**
   * The model as .rest text (DataDirect model-file syntax), safe to print: URL user-info,
   * credential-like query parameters and this connection's secrets are masked (`***`).
   */
  restModel(): string {
    return this.#redactor.text(writeRestModel(this.model));
  }

  /** `text` with this connection's secrets (every form they travel in) masked: for printing data. */
  redact(text: string): string {
    return this.#redactor.scrub(text);
  }

  /** Cancels the running query, if any. */
  interrupt(): void {
    this.#engine.interrupt();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#engine.close();
    await this.#http.close();
    await this.closeAuth();
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

function customStepsOf(text: string): CustomSteps | undefined {
  const steps = readAuthSteps(text);
  return steps.authentication ? { authentication: steps.authentication, ...(steps.reauthentication ? { reauthentication: steps.reauthentication } : {}) } : undefined;
}

/**
 * `_configuration` (the resolved model as .rest text) and `sampling_status` (how sampling each
 * endpoint went): local tables, answered without requests.
 */
async function createInfoTables(engine: Engine, model: ResolvedModel, redactor: Redactor): Promise<void> {
  const names = new Set(allTables(model).map((t) => t.name.toLowerCase()));
  const config: TableDef = { name: '_configuration', columns: [{ name: 'configuration', path: [], type: 'VARCHAR', key: false, source: 'json' }], arrayPath: [], children: [] };
  const statusCols: [string, ColumnType][] = [['name', 'VARCHAR'], ['uri', 'VARCHAR'], ['success', 'BOOLEAN'], ['http_status', 'INTEGER'], ['message', 'VARCHAR'], ['key_candidates', 'VARCHAR']];
  const status: TableDef = { name: 'sampling_status', columns: statusCols.map(([name, type]) => ({ name, path: [], type, key: false, source: 'json' as const })), arrayPath: [], children: [] };
  const rows: [TableDef, unknown[][]][] = [
    [config, [[redactor.text(writeRestModel(model))]]],
    [
      status,
      (model.sampling ?? model.endpoints.filter((e) => !e.paths).map((e) => ({ table: e.table.name, uri: e.url, success: true, httpStatus: 200, message: 'sampled', keyCandidates: e.table.columns.filter((c) => c.key && c.source === 'json').map((c) => c.name).join(', ') }))).map((s) => [s.table, redactor.url(s.uri), s.success, s.httpStatus, redactor.text(s.message), s.keyCandidates]),
    ],
  ];
  for (const [table, data] of rows) {
    if (names.has(table.name)) continue;
    await engine.createTable(table);
    await engine.load([table], async (append) => {
      for (const r of data) append(table, r as Row);
    });
    await engine.setAvailable([table.name], true);
  }
}

/**
 * The origins the connection is configured for (credentials go there), plus AllowedOrigins and
 * CredentialedOrigins; the model file's #path origins are added as it is read.
 */
function connectionOrigins(options: ConnectionOptions): OriginPolicy {
  const origins = createOriginPolicy({ allowed: parseOriginList(options.allowedOrigins, 'AllowedOrigins'), credentialed: parseOriginList(options.credentialedOrigins, 'CredentialedOrigins') });
  const configured = [
    options.hostName !== undefined ? () => resolveEndpointUrl('', options.hostName, options.portNumber) : undefined,
    options.restSamplePath !== undefined ? () => resolveEndpointUrl(options.restSamplePath!, options.hostName, options.portNumber) : undefined,
    options.healthUri !== undefined ? () => resolveEndpointUrl(options.healthUri!, options.hostName, options.portNumber) : undefined,
    ...[options.tokenUri, options.authUri, options.issuerUri].map((u) => (u !== undefined ? () => u.replace(/^(GET|POST)\s+/i, '') : undefined)),
  ];
  for (const url of configured) {
    try {
      if (url) origins.allow(url());
    } catch {
      // A relative URL without HostName: reported where it is used.
    }
  }
  return origins;
}

/** Opens a connection: authenticates, builds the model (a model file, or sampling RestSamplePath) and the engine. */
export async function openConnection(options: ConnectionOptions, opts: ConnectOptions = {}): Promise<Connection> {
  // This connection's secrets, and no other's: the logger, errors and printed models mask them.
  const redactor = redactorFor(options, opts.env ?? process.env);
  const logger = redactingLogger(opts.logger ?? SILENT_LOGGER, redactor);
  // AWS signing may take its service and region from the API's host name.
  const firstUrl = [options.hostName, options.restSamplePath].find((u) => u !== undefined && /^https?:\/\//i.test(u));
  // The model file is read once: for its tables, and for Custom authentication's (29) #authentication steps.
  const modelText = options.restConfigFile !== undefined ? readModelFile(options.restConfigFile) : undefined;
  const customSteps = options.authenticationMethod === 29 && modelText !== undefined ? customStepsOf(modelText) : undefined;
  const origins = connectionOrigins(options);
  // One transport (connection pool, host gate, limits) for the API and for obtaining credentials;
  // auth requests go through it without the authenticator they feed.
  const transport = httpClientFor(options, { logger, redactor, origins, ...(opts.signal ? { signal: opts.signal } : {}) });
  let created: ReturnType<typeof createAuthenticator>;
  try {
    created = createAuthenticator(options, { ...authContext(opts, logger, transport), env: opts.env ?? process.env, ...(firstUrl ? { firstUrl } : {}), ...(customSteps ? { customSteps } : {}) });
  } catch (e) {
    await transport.close();
    throw e;
  }
  const auth = {
    authenticator: created.authenticator,
    close: async () => {
      await created.close();
      await transport.close();
    },
  };
  const http = transport.derive({ authenticator: auth.authenticator });
  let engine: Engine | undefined;
  try {
    if (options.healthUri) await http.send({ url: resolveEndpointUrl(options.healthUri, options.hostName, options.portNumber) });
    const prefetched = new Map<EndpointDef, PrefetchedPage>();
    const endpoints: EndpointDef[] = [];
    let model: ResolvedModel;
    if (modelText !== undefined) {
      const loaded = await loadModelFile(options, modelText, http, logger, origins);
      model = loaded.model;
      for (const [e, page] of loaded.prefetched) prefetched.set(e, page);
      endpoints.push(...model.endpoints);
    } else if (options.restSamplePath !== undefined) {
      const url = resolveEndpointUrl(options.restSamplePath, options.hostName, options.portNumber);
      const sampled = await sampleEndpoint(url, options.table, http, { qualifyNames: options.qualifyNormalizedNames as 0 | 1 | 2, maxColumns: options.maxColumns }, logger);
      endpoints.push(sampled.endpoint);
      prefetched.set(sampled.endpoint, sampled.first);
      model = deepFreeze({ endpoints });
    } else {
      throw new RestSqlError('CONFIG_MISSING_OPTION', 'Neither RestSamplePath nor RestConfigFile is set: there is nothing to query.', {
        hint: 'Add RestSamplePath=https://api.example.com/v1/items (one endpoint) or RestConfigFile=api.rest (a model file).',
        details: { option: 'RestSamplePath' },
      });
    }
    engine = await createEngine();
    for (const e of endpoints) for (const t of tablesOf(e.table)) await engine.createTable(t);
    await createInfoTables(engine, model, redactor);
    return new Connection(model, engine, http, logger, redactor, prefetched, auth.close, { maxPages: options.maxPages, concurrency: options.pageConcurrency, cacheTtlMs: options.cacheTtl * 1000, bulkLoad: options.bulkLoad, filterPushdown: options.filterPushdown, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  } catch (e) {
    engine?.close();
    await http.close();
    await auth.close();
    throw redactor.error(toRestSqlError(e));
  }
}
