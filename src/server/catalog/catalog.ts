/**
 * The catalog of `restsql serve`: what pg_catalog and information_schema queries read. It is a real
 * PostgreSQL (PGlite, in a worker thread: catalog-worker.ts) holding the model as empty tables
 * (catalog-schema.ts), so clients get PostgreSQL's own answers, types and text formats; restsql
 * never emulates a catalog query.
 *
 * Each catalog statement runs alone (one at a time, in order), inside `BEGIN READ ONLY` ...
 * `ROLLBACK`, as the session's login user (a role made on first use), with the session's
 * search_path and the settings that change how values print, and with the database named as the
 * client connected (pg_database's row is renamed to it). A statement past its deadline or cancelled
 * stops the worker thread; the next statement starts a new one (about 2 s).
 *
 * The worker starts on the first catalog statement, not with the server: it costs about 2 s and
 * 400 MB of memory, which a server that only ever gets queries over API tables never pays.
 */
import { Worker } from 'node:worker_threads';
import { RestSqlError } from '../../errors/index.js';
import type { ErrorFields } from '../protocol/backend.js';
import { ident as pgIdent, literal as pgLiteral } from '../../engine/sql-text.js';
import { abortable } from '../../util/abortable.js';
import { catalogDdl, catalogShape, API_SCHEMA, INFO_SCHEMA, MAX_IDENTIFIER_BYTES, OWNER_ROLE, type CatalogShape, type DescribeTables } from './catalog-schema.js';
import type { WorkerReply, WorkerRequest } from './catalog-worker.js';
import { extendedMessages, hasError, queryMessage, readBackend, type BackendReply, type ExtendedRequest } from './pg-messages.js';
import { allTables, type ResolvedModel } from '../../model/types.js';
import { loadParser, mentionsCatalog, routeStatement, type Routed } from './route.js';

/** Who asks: what makes one session's catalog answers differ from another's. */
export interface CatalogSession {
  readonly user: string;
  readonly database: string;
  /** Settings applied for the statement (name, value), e.g. search_path, DateStyle, TimeZone. */
  readonly settings: readonly (readonly [string, string])[];
  /** The statement's deadline in ms (0: the catalog's own limit). */
  readonly timeoutMs: number;
}

/** A catalog statement's answer: PostgreSQL's messages, ready to relay. */
export interface CatalogAnswer {
  readonly paramOids: readonly number[];
  /** RowDescription as PostgreSQL wrote it; null when the statement returns no rows. */
  readonly rowDescription: Buffer | null;
  readonly rows: readonly Buffer[];
  readonly tag: string;
  readonly notices: readonly ErrorFields[];
}

export interface CatalogOptions {
  readonly model: ResolvedModel;
  /** Info table names the database holds (those an API table does not shadow are shown in schema restsql). */
  readonly infoTables: readonly string[];
  /** Each relation's columns as RowDescription types them (through a DuckDB session). */
  readonly describe: DescribeTables;
  /** server_version as the server reports it; version() says it too. */
  readonly serverVersion: string;
  /** Longest any one catalog statement may run, in ms (a session's statement_timeout can only shorten it). */
  readonly statementTimeoutMs?: number;
  /** How long the worker may take to start, in ms. */
  readonly startTimeoutMs?: number;
  /** Bytes of rows one answer may hold. */
  readonly maxResultBytes?: number;
  /** Most login roles made in the catalog; later users run as role restsql. */
  readonly maxRoles?: number;
  readonly log: (line: string) => void;
}

/** Most notices one statement relays. */
const MAX_NOTICES = 100;

const DEFAULTS = { statementTimeoutMs: 60_000, startTimeoutMs: 120_000, maxResultBytes: 64 * 1024 * 1024, maxRoles: 1000 };
/** Settings a catalog statement takes from the session: what it answers, how values print, and what current_setting() says of them. */
export const CATALOG_SETTINGS: readonly string[] = ['search_path', 'DateStyle', 'IntervalStyle', 'TimeZone', 'extra_float_digits', 'bytea_output', 'application_name', 'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout'];

/** What the catalog's database is called until a client names another. */
const INITIAL_DATABASE = 'restsql';
/** Schemas a qualified name of an API or info table may carry (DuckDB's own `main` and `temp` too). */
const TABLE_SCHEMAS = new Set([API_SCHEMA, INFO_SCHEMA, 'main', 'temp']);

/** The role restsql's PostgreSQL session logs in as: not a superuser, member of each login role. */
export const SESSION_ROLE = 'restsql_session';
/** Role names CREATE ROLE refuses or that must not be a client's: those clients run as role restsql. */
const RESERVED_ROLES = new Set(['', 'public', 'none', 'current_user', 'current_role', 'session_user', 'postgres', SESSION_ROLE]);
/**
 * Functions with effects a rollback does not undo, or that run SQL given as text (which would read
 * the catalog's empty copies of API tables): no client may call them.
 */
const REVOKED_FUNCTIONS = [
  'pg_logical_emit_message',
  'pg_advisory_lock',
  'pg_advisory_lock_shared',
  'pg_try_advisory_lock',
  'pg_try_advisory_lock_shared',
  'pg_advisory_unlock',
  'pg_advisory_unlock_shared',
  'pg_advisory_unlock_all',
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
  'cursor_to_xml',
  'cursor_to_xmlschema',
  'ts_stat',
];

/**
 * What the superuser sets up for the session role: it logs in without being a superuser, may make
 * login roles and become them (and role restsql), reports at PostgreSQL's default level (PGlite's
 * single-user backend says DEBUG by default), and renames the current database through one function
 * (a client's database name; pg_database is the superuser's). The functions in REVOKED_FUNCTIONS
 * are taken from everyone.
 */
const SESSION_SCRIPT = `
CREATE ROLE ${SESSION_ROLE} LOGIN CREATEROLE;
ALTER ROLE ${SESSION_ROLE} SET client_min_messages = notice;
GRANT ${OWNER_ROLE} TO ${SESSION_ROLE};
CREATE FUNCTION pg_catalog.restsql_use_database(requested text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $body$
DECLARE cur oid; old name; tmp name; n int := 0;
BEGIN
  SELECT oid, datname INTO cur, old FROM pg_database WHERE datname = current_database();
  IF requested::name = old THEN RETURN; END IF;
  -- Another database with the name takes the current one's old name, through a free temporary one.
  LOOP
    tmp := ('restsql rename ' || n)::name;
    EXIT WHEN tmp <> requested::name AND NOT EXISTS (SELECT FROM pg_database WHERE datname = tmp);
    n := n + 1;
  END LOOP;
  UPDATE pg_database SET datname = tmp WHERE datname = requested::name AND oid <> cur;
  UPDATE pg_database SET datname = requested::name WHERE oid = cur;
  UPDATE pg_database SET datname = old WHERE datname = tmp;
END
$body$;
REVOKE EXECUTE ON FUNCTION pg_catalog.restsql_use_database(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pg_catalog.restsql_use_database(text) TO ${SESSION_ROLE};
DO $body$
DECLARE f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname IN (${REVOKED_FUNCTIONS.map((n) => `'${n}'`).join(', ')}) LOOP
    EXECUTE 'REVOKE EXECUTE ON FUNCTION ' || f::text || ' FROM PUBLIC';
  END LOOP;
END
$body$;
`;

type Reply = { replies: Uint8Array[]; tooLarge: boolean };

interface Job {
  readonly resolve: (reply: Reply) => void;
  readonly reject: (e: unknown) => void;
  /** When the statement must be done (ms since the epoch), its wait in the queue included. */
  deadline: number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** One worker thread with its PostgreSQL, and what has been made in it so far. */
interface Instance {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  readonly roles: Set<string>;
  /** The name pg_database's current row has now. */
  database: string;
  readonly pending: Map<number, { resolve: (r: Reply) => void; reject: (e: unknown) => void }>;
  dead?: RestSqlError;
}

export class Catalog {
  readonly #opts: CatalogOptions & typeof DEFAULTS;
  #shape: Promise<CatalogShape> | undefined;
  #instance: Instance | undefined;
  /** The catalog's data folder once built: a new worker starts from it. */
  #image: ArrayBuffer | undefined;
  #building: Promise<ArrayBuffer> | undefined;
  #queue: Job[] = [];
  #busy = false;
  #nextId = 1;
  #closed = false;

  readonly #tableNames: ReadonlySet<string>;

  constructor(opts: CatalogOptions) {
    this.#opts = { ...DEFAULTS, ...stripUndefined(opts) } as CatalogOptions & typeof DEFAULTS;
    this.#tableNames = new Set([...allTables(opts.model).map((t) => t.name), ...opts.infoTables].map((n) => n.toLowerCase()));
  }

  /** Where one statement runs: the catalog or DuckDB (route.ts). */
  async route(sql: string): Promise<Routed> {
    if (!mentionsCatalog(sql)) return { route: 'engine', setConfig: [] };
    await loadParser();
    return routeStatement(sql, (schema, name) => (schema === undefined || TABLE_SCHEMAS.has(schema)) && this.#tableNames.has(name.toLowerCase()));
  }

  /** Describes `sql` (Parse + Describe): its parameter types and RowDescription, running nothing. */
  async describe(sql: string, paramOids: readonly number[], session: CatalogSession, signal?: AbortSignal): Promise<CatalogAnswer> {
    return this.#run({ sql, paramOids }, session, signal);
  }

  /** Runs `sql` with bound values (Parse + Bind + Describe + Execute): every row, as PostgreSQL wrote it. */
  async execute(request: Required<ExtendedRequest>, session: CatalogSession, signal?: AbortSignal): Promise<CatalogAnswer> {
    return this.#run(request, session, signal);
  }

  /** Stops the worker thread. */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = new RestSqlError('SERVER_SHUTDOWN', 'The server is shutting down.', { hint: 'Reconnect when it is back.' });
    for (const job of this.#queue.splice(0)) job.reject(closed);
    await this.#stop(closed);
  }

  async #run(request: ExtendedRequest, session: CatalogSession, signal?: AbortSignal): Promise<CatalogAnswer> {
    if (this.#closed) throw new RestSqlError('SERVER_SHUTDOWN', 'The server is shutting down.', { hint: 'Reconnect when it is back.' });
    signal?.throwIfAborted();
    const timeoutMs = session.timeoutMs > 0 ? Math.min(session.timeoutMs, this.#opts.statementTimeoutMs) : this.#opts.statementTimeoutMs;
    // The steps are composed when the job's turn comes: which roles exist and what the database is
    // called depend on the jobs before it. The deadline counts the wait in the queue too.
    let waiting: NodeJS.Timeout | undefined;
    const reply = await new Promise<Reply>((resolve, reject) => {
      const job: Job & { request: ExtendedRequest; session: CatalogSession } = { resolve, reject, deadline: Date.now() + timeoutMs, timeoutMs, ...(signal ? { signal } : {}), request, session };
      const leave = (e: unknown) => {
        const i = this.#queue.indexOf(job);
        if (i < 0) return;
        this.#queue.splice(i, 1);
        reject(e);
      };
      this.#queue.push(job);
      signal?.addEventListener('abort', () => leave(signal.reason), { once: true });
      waiting = setTimeout(() => leave(timeout(timeoutMs)), timeoutMs);
      waiting.unref?.();
      void this.#pump();
    }).finally(() => clearTimeout(waiting));
    if (reply.tooLarge) throw tooLarge(this.#opts.maxResultBytes);
    return answerOf(reply.replies, this.#opts.maxResultBytes);
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
        await this.#runJob(job as Job & { request: ExtendedRequest; session: CatalogSession });
      }
    } finally {
      this.#busy = false;
    }
  }

  async #runJob(job: Job & { request: ExtendedRequest; session: CatalogSession }): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      if (job.signal?.aborted) throw job.signal.reason;
      // The catalog's start does not count against the statement's deadline.
      const startAt = Date.now();
      const instance = await this.#ready(job.signal);
      job.deadline += Date.now() - startAt;
      const { steps, setup } = this.#steps(instance, job.request, job.session);
      const id = this.#nextId++;
      const done = new Promise<Reply>((resolve, reject) => instance.pending.set(id, { resolve, reject }));
      const stopped = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const e = timeout(job.timeoutMs);
          reject(e);
          void this.#stop(e);
        }, Math.max(0, job.deadline - Date.now()));
        timer.unref?.();
        onAbort = () => {
          reject(job.signal!.reason);
          void this.#stop(new RestSqlError('ABORTED', 'canceling statement due to user request', { hint: 'The client cancelled the statement.' }));
        };
        job.signal?.addEventListener('abort', onAbort, { once: true });
      });
      instance.worker.postMessage({ type: 'run', id, steps, maxBytes: this.#opts.maxResultBytes } satisfies WorkerRequest);
      const reply = await Promise.race([done, stopped]);
      const { replies } = reply;
      // The transaction must be over, or the next statement would run inside it: a catalog that
      // did not roll back is not used again.
      if (readBackend(replies[replies.length - 1] ?? new Uint8Array()).tag !== 'ROLLBACK') void this.#stop(unavailable('it did not end a statement\'s transaction'));
      // The role and the database name exist once their step succeeded (one transaction: all or nothing).
      else if (setup && replies.length === 4 && !hasError(replies[0]!)) setup();
      job.resolve(reply);
    } catch (e) {
      job.reject(e);
    } finally {
      clearTimeout(timer);
      if (onAbort) job.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * The steps of one statement: make the role and name the database if needed (outside the
   * transaction: they stay), then the read-only transaction with the session's identity and
   * settings, the statement itself, and ROLLBACK (whatever the statement did is undone). `setup`
   * records what the first step made, once it succeeded. Names and values reach PostgreSQL only
   * as quoted identifiers and literals, never inside dollar quotes.
   */
  #steps(instance: Instance, request: ExtendedRequest, session: CatalogSession): { steps: Buffer[][]; setup?: () => void } {
    const setup: string[] = [];
    const made: (() => void)[] = [];
    const role = this.#role(instance, session.user);
    if (!instance.roles.has(role)) {
      // The session role makes it, so it may become it (SET ROLE).
      setup.push(`CREATE ROLE ${pgIdent(role)} LOGIN`, `GRANT ${pgIdent(role)} TO ${pgIdent(SESSION_ROLE)}`);
      made.push(() => instance.roles.add(role));
    }
    const database = pgName(session.database);
    if (database !== instance.database) {
      setup.push(`SELECT pg_catalog.restsql_use_database(${pgLiteral(database)})`);
      made.push(() => (instance.database = database));
    }
    const settings = session.settings.map(([n, v]) => `pg_catalog.set_config(${pgLiteral(n)}, ${pgLiteral(v)}, true)`);
    const begin = [`BEGIN READ ONLY`, `SET LOCAL ROLE ${pgIdent(role)}`, ...(settings.length > 0 ? [`SELECT ${settings.join(', ')}`] : [])];
    const steps: Buffer[][] = [];
    if (setup.length > 0) steps.push([queryMessage(setup.join(';\n'))]);
    steps.push([queryMessage(begin.join(';\n'))], extendedMessages(request), [queryMessage('ROLLBACK')]);
    return { steps, ...(made.length > 0 ? { setup: () => made.forEach((f) => f()) } : {}) };
  }

  /**
   * The role a login user's statements run as: a role of that name (made on first use), except
   * for names PostgreSQL reserves or has (`pg_...`, `public`, `postgres`, ...) and once maxRoles
   * roles exist: then role restsql.
   */
  #role(instance: Instance, user: string): string {
    const name = pgName(user);
    if (instance.roles.has(name)) return name;
    if (RESERVED_ROLES.has(name) || name.startsWith('pg_') || instance.roles.size >= this.#opts.maxRoles) return OWNER_ROLE;
    return name;
  }

  /** The running instance, started if there is none. */
  async #ready(signal?: AbortSignal): Promise<Instance> {
    if (!this.#instance || this.#instance.dead) this.#instance = this.#start();
    const instance = this.#instance;
    await abortable(instance.ready, signal);
    return instance;
  }

  #start(): Instance {
    const worker = new Worker(new URL('./catalog-worker.js', import.meta.url));
    worker.unref();
    const instance: Instance = { worker, ready: Promise.resolve(), roles: new Set([OWNER_ROLE]), database: INITIAL_DATABASE, pending: new Map() };
    let started: { resolve: () => void; reject: (e: unknown) => void } | undefined;
    const ready = new Promise<void>((resolve, reject) => (started = { resolve, reject }));
    ready.catch(() => undefined);
    const fail = (e: RestSqlError) => {
      if (instance.dead) return;
      instance.dead = e;
      started?.reject(e);
      for (const p of instance.pending.values()) p.reject(e);
      instance.pending.clear();
    };
    worker.on('message', (m: WorkerReply) => {
      if (m.type === 'started') started?.resolve();
      else if (m.type === 'built') fail(unavailable('the catalog worker answered out of turn'));
      else if (m.type === 'failed') fail(unavailable(m.message));
      else {
        const p = instance.pending.get(m.id);
        instance.pending.delete(m.id);
        if (m.type === 'result') p?.resolve({ replies: m.replies, tooLarge: m.tooLarge });
        else {
          // A statement that broke PostgreSQL itself: this instance is not used again.
          p?.reject(unavailable(m.message));
          fail(unavailable(m.message));
          void worker.terminate();
        }
      }
    });
    worker.on('error', (e) => fail(unavailable(e.message)));
    worker.on('exit', () => fail(unavailable('the catalog worker stopped')));
    const startAt = Date.now();
    const timer = setTimeout(() => {
      fail(unavailable(`it did not start within ${this.#opts.startTimeoutMs} ms`));
      void worker.terminate();
    }, this.#opts.startTimeoutMs);
    timer.unref?.();
    (instance as { ready: Promise<void> }).ready = (async () => {
      try {
        // The first start builds the catalog (in a thread of its own); every start runs from its image.
        this.#building ??= this.#build().finally(() => (this.#building = undefined));
        this.#image ??= await this.#building;
        worker.postMessage({ type: 'start', user: SESSION_ROLE, database: INITIAL_DATABASE, image: this.#image.slice(0) } satisfies WorkerRequest);
        await ready;
        this.#opts.log(`catalog started in ${Date.now() - startAt} ms`);
      } catch (e) {
        // A start that failed (the model could not be described, PostgreSQL refused the scripts)
        // leaves nothing behind: the next statement tries again from the beginning.
        this.#shape = undefined;
        fail(e instanceof RestSqlError ? e : unavailable(e instanceof Error ? e.message : String(e)));
        void worker.terminate();
        throw instance.dead ?? e;
      } finally {
        clearTimeout(timer);
      }
    })();
    instance.ready.catch(() => undefined);
    return instance;
  }

  /**
   * Builds the catalog as PostgreSQL's superuser in a worker thread that then ends (its memory,
   * PostgreSQL's second copy, goes with it): the data folder's image.
   */
  async #build(): Promise<ArrayBuffer> {
    const scripts = await this.#scripts();
    const worker = new Worker(new URL('./catalog-worker.js', import.meta.url));
    worker.unref();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<ArrayBuffer>((resolve, reject) => {
        worker.on('message', (m: WorkerReply) => {
          if (m.type === 'built') resolve(m.image);
          else reject(unavailable(m.type === 'failed' || m.type === 'error' ? m.message : 'the catalog worker answered out of turn'));
        });
        worker.on('error', (e) => reject(unavailable(e.message)));
        worker.on('exit', () => reject(unavailable('the catalog worker stopped')));
        timer = setTimeout(() => reject(unavailable(`it was not built within ${this.#opts.startTimeoutMs} ms`)), this.#opts.startTimeoutMs);
        timer.unref?.();
        worker.postMessage({ type: 'build', scripts } satisfies WorkerRequest);
      });
    } finally {
      clearTimeout(timer);
      await worker.terminate().catch(() => undefined);
    }
  }

  /** The set-up scripts, run in order, each in a transaction of its own. */
  async #scripts(): Promise<string[]> {
    this.#shape ??= catalogShape(this.#opts.model, this.#opts.infoTables, this.#opts.describe).then((shape) => {
      for (const s of shape.skipped) this.#opts.log(`catalog: left out ${s}`);
      return shape;
    });
    const shape = await this.#shape;
    // Clients read the version from the last `PostgreSQL <n.n>` in it (SQLAlchemy's pattern does):
    // the catalog's own version is written without the word.
    const version = `PostgreSQL ${this.#opts.serverVersion} on ${process.arch}-${process.platform}, catalog by PGlite (server_version `;
    return [
      // PGlite runs in template1. It becomes an ordinary database (named after each client's on
      // their turn), and a template1 like initdb's is made: pg_database lists what PostgreSQL's does.
      `UPDATE pg_catalog.pg_database SET datname = ${pgLiteral(INITIAL_DATABASE)}, datistemplate = false, datacl = NULL WHERE datname = pg_catalog.current_database()`,
      `CREATE DATABASE template1 TEMPLATE template0 IS_TEMPLATE true`,
      `UPDATE pg_catalog.pg_database SET datacl = '{=c/postgres,postgres=CTc/postgres}' WHERE datname = 'template1'`,
      [
        // version() agrees with the server_version the client was told, and says what answers the catalog.
        `CREATE OR REPLACE FUNCTION pg_catalog.version() RETURNS text LANGUAGE sql STABLE AS ${pgLiteral(`SELECT ${pgLiteral(version)} || pg_catalog.current_setting('server_version') || ')'`)};`,
        catalogDdl(shape.tables),
        SESSION_SCRIPT,
      ].join('\n'),
    ];
  }

  async #stop(reason: RestSqlError): Promise<void> {
    const instance = this.#instance;
    this.#instance = undefined;
    if (!instance) return;
    if (!instance.dead) {
      instance.dead = reason;
      for (const p of instance.pending.values()) p.reject(reason);
      instance.pending.clear();
    }
    await instance.worker.terminate().catch(() => undefined);
  }
}

/** The answer in the replies of the steps (the statement's is the second last). */
function answerOf(replies: Uint8Array[], maxResultBytes: number): CatalogAnswer {
  const statement = replies[replies.length - 2];
  const setup = replies.slice(0, -2).map((r) => readBackend(r));
  for (const s of setup) if (s.error) throw catalogError(s.error, 'while preparing the session for the catalog');
  if (!statement) throw unavailable('no reply to the statement');
  const r: BackendReply = readBackend(statement, maxResultBytes);
  if (r.error) throw catalogError(r.error);
  return { paramOids: r.paramOids ?? [], rowDescription: r.rowDescription ?? null, rows: r.rows, tag: r.tag ?? '', notices: r.notices.slice(0, MAX_NOTICES) };
}

/** PostgreSQL's error as restsql's: its SQLSTATE, message, detail, hint and position go to the client as they are. */
function catalogError(f: ErrorFields, context?: string): RestSqlError {
  // A position is in the client's statement only when the client's statement failed.
  const position = context === undefined && f.position !== undefined ? { position: f.position } : {};
  return new RestSqlError('CATALOG_QUERY', context ? `${f.message} (${context})` : f.message, {
    ...(f.hint ? { hint: f.hint } : { hint: 'The catalog is PostgreSQL\'s: the statement must be valid PostgreSQL over pg_catalog and information_schema.' }),
    details: { sqlState: f.code, ...position, ...(f.detail ? { detail: f.detail } : {}) },
  });
}

function timeout(ms: number): RestSqlError {
  return new RestSqlError('CATALOG_TIMEOUT', `canceling statement due to statement timeout (the catalog allows ${ms} ms)`, { hint: 'Ask the catalog for less, or raise statement_timeout if it is lower.' });
}

function tooLarge(bytes: number): RestSqlError {
  return new RestSqlError('CATALOG_RESULT_TOO_LARGE', `The catalog query's result is larger than ${bytes} bytes.`, { hint: 'Select fewer rows or columns from the catalog.' });
}

function unavailable(why: string): RestSqlError {
  return new RestSqlError('CATALOG_UNAVAILABLE', `The catalog is unavailable: ${why}.`, { hint: 'Retry the statement: the catalog restarts on the next one.' });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `name` cut to PostgreSQL's identifier limit (63 bytes, on a character boundary), as PostgreSQL cuts it. */
function pgName(name: string): string {
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name;
  let out = '';
  for (const ch of name) {
    if (Buffer.byteLength(out + ch) > MAX_IDENTIFIER_BYTES) break;
    out += ch;
  }
  return out;
}
