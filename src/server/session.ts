/**
 * One client session of `restsql serve`: the PostgreSQL v3 protocol state machine (PostgreSQL 15
 * "Frontend/Backend Protocol", "Message Flow") over one socket, from the startup packet through
 * authentication to simple and extended queries, on a Connection of its own (one DuckDB
 * connection on the hub's shared database).
 *
 * Commands PostgreSQL clients send that DuckDB does not take the PostgreSQL way (SET, SHOW,
 * BEGIN READ ONLY, SAVEPOINT, DEALLOCATE, COPY ... TO STDOUT) are answered here (sql/command.ts);
 * everything else runs in the engine. Results stream to the socket chunk by chunk, waiting for the
 * socket to drain (backpressure); nothing is held whole in memory.
 */
import type { DuckDBDataChunk, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { RestSqlError, toRestSqlError } from '../errors/index.js';
import type { Connection } from '../engine/connection.js';
import type { OpenStatement } from '../engine/duckdb.js';
import { PasswordGate } from './password-gate.js';
import { cellReaders, readsRaw, type Cell } from './chunk-cells.js';
import { errorFields } from './error-fields.js';
import * as be from './protocol/backend.js';
import { FrontendReader, isFatalProtocolError, type FrontendMessage, type StartupPacket } from './protocol/frontend.js';
import { classify, type Command, type CopyOptions } from './sql/command.js';
import { copyHeader, copyRowFormatter } from './sql/copy-format.js';
import { SessionSettings } from './sql/settings.js';
import { parseCursorCommand, type CursorCommand } from './sql/cursor-command.js';
import { firstWords, splitStatements } from '../sql/split.js';
import { binaryEncoder, decodeParam, duckdbTypeForOid, pgTypeOf, textEncoder } from './types/index.js';
import { tokens } from '../sql/lexer.js';
import { CATALOG_SETTINGS, type Catalog, type CatalogSession } from './catalog/catalog.js';
import { withResultFormats, fieldCount } from './catalog/pg-messages.js';
import type { Routed, SetConfigCall } from './catalog/route.js';

/** What a session needs from the server that runs it. */
export interface SessionContext {
  /** A new Connection on the hub (the session's own DuckDB connection). */
  readonly connect: () => Promise<Connection>;
  readonly passwords: PasswordGate;
  /** TLS for an SSLRequest; undefined answers 'N'. */
  readonly tls?: SecureContext;
  /** Refuse sessions that did not start TLS (a server bound to a non-loopback address). */
  readonly tlsRequired: boolean;
  readonly limits: SessionLimits;
  readonly serverVersion: string;
  readonly log: (line: string) => void;
  /** The BackendKeyData this session hands out (CancelRequest names it). */
  readonly processId: number;
  readonly secretKey: number;
  /** A CancelRequest that arrived on a connection of its own (its session is looked up by the server). */
  readonly cancel: (processId: number, secretKey: number) => void;
  /** A session has begun (after login): the server counts it. Returns false when the cap is reached. */
  readonly admit: () => boolean;
  /** Answers pg_catalog and information_schema statements (and says which statements those are). */
  readonly catalog: Catalog;
}

export interface SessionLimits {
  readonly maxMessageBytes: number;
  readonly startupTimeoutMs: number;
  /** 0: no limit. */
  readonly idleTimeoutMs: number;
  /** Bytes buffered for the socket before the session waits for it to drain. */
  readonly highWaterMark: number;
}

type Status = 'I' | 'T' | 'E';

interface Prepared {
  /** The statement as run (with casts for parameters whose declared type DuckDB could not infer). */
  sql: string;
  readonly command: Command;
  /** Parameter type OIDs: as Parse declared them, else as the engine inferred them (text when it cannot tell). */
  paramOids: number[];
  /** Result columns (engine statements), known from DuckDB's prepare without running anything. */
  columns?: readonly { readonly name: string; readonly type: DuckDBType }[];
  /** Whether the statement returns rows. */
  returnsRows: boolean;
  /**
   * A catalog statement (catalog/route.ts): its RowDescription as PostgreSQL described it (null for
   * none), and the settings its set_config() calls change once it has run.
   */
  catalog?: { readonly rowDescription: Buffer | null; readonly setConfig: readonly SetConfigCall[] };
}

/** A catalog statement's rows, held until Executes with a row limit have sent them all. */
interface CatalogRows {
  readonly rows: readonly Buffer[];
  next: number;
  readonly tag: string;
}

/** A statement whose rows are being sent: the rest of the chunk in hand when a row limit stopped it. */
interface Running {
  readonly open: OpenStatement;
  pending?: { chunk: DuckDBDataChunk; next: number };
}

interface Portal {
  readonly statement: Prepared;
  readonly values: DuckDBValue[];
  readonly types: (DuckDBType | undefined)[];
  readonly formats: readonly number[];
  /** A catalog statement's parameters, as the client sent them (PostgreSQL decodes them). */
  readonly raw?: { readonly values: readonly (Buffer | null)[]; readonly paramFormats: readonly number[] };
  /** The running statement of a suspended portal (Execute with a row limit). */
  running?: Running;
  catalogRows?: CatalogRows;
  done?: boolean;
}

/** DuckDB statement types whose result is rows for the client (SELECT, EXPLAIN, PRAGMA, CALL, RELATION). */
const ROW_TYPES = new Set([1, 4, 17, 19, 22]);
/** INSERT, UPDATE, DELETE, MERGE: rows only with RETURNING. */
const DML_TYPES = new Set([2, 3, 5, 30]);
/** Statement types a read-only transaction allows. */
const READ_TYPES = new Set([1, 4, 10, 17, 22]);

/** Encoded values ready for DataRow, per column. */
type Encoder = (v: DuckDBValue) => Buffer | string;

export class Session {
  readonly #ctx: SessionContext;
  #socket: Socket;
  readonly #reader: FrontendReader;
  #conn: Connection | undefined;
  #settings: SessionSettings | undefined;
  #status: Status = 'I';
  #readOnly = false;
  /** Something other than reads ran in the transaction (a ROLLBACK TO cannot undo it). */
  #wroteInTransaction = false;
  readonly #statements = new Map<string, Prepared>();
  /** SQL cursors (DECLARE): their rows in a temporary table, and how far FETCH has read. */
  readonly #cursors = new Map<string, { readonly table: string; readonly columns: readonly { readonly name: string; readonly type: DuckDBType }[]; position: number; readonly total: number; readonly binary: boolean; readonly hold: boolean }>();
  readonly #portals = new Map<string, Portal>();
  /** Extended protocol: an error skips messages until Sync. */
  #skipping = false;
  #out: Buffer[] = [];
  #outBytes = 0;
  #closed = false;
  #running = false;
  #cancelled: RestSqlError | undefined;
  /** Bytes arrived, for whoever waits for them. */
  #wake: (() => void) | undefined;
  #ended = false;
  #user = '';
  #database = '';
  /** Aborts the running catalog statement (a CancelRequest, statement_timeout, shutdown). */
  #catalogAbort: AbortController | undefined;
  #peer: string;
  #admitted = false;

  constructor(socket: Socket, ctx: SessionContext) {
    this.#socket = socket;
    this.#ctx = ctx;
    this.#reader = new FrontendReader({ maxMessageBytes: ctx.limits.maxMessageBytes });
    this.#peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.#listen(socket);
  }

  get user(): string {
    return this.#user;
  }

  /** Whether this session has been counted against the session cap. */
  get admitted(): boolean {
    return this.#admitted;
  }

  #listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#reader.push(chunk);
      } catch (e) {
        this.#fatal(e);
        return;
      }
      // Stop reading while a statement runs and messages queue up (the client must wait for us).
      if (this.#reader.buffered > this.#ctx.limits.maxMessageBytes * 2) socket.pause();
      this.#wake?.();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#closed = true;
      // A client gone mid-statement: stop the statement and its fetches.
      if (this.#running) this.#conn?.interrupt();
      this.#wake?.();
    });
    socket.on('error', () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  /** Runs the session to its end; resolves when the socket is closed. Never rejects. */
  async run(): Promise<void> {
    try {
      const started = await this.#startup();
      if (!started) return;
      await this.#loop();
    } catch (e) {
      this.#fatal(e);
    } finally {
      await this.#close();
    }
  }

  /** CancelRequest for this session: interrupts the running statement and its fetches. */
  cancel(reason = new RestSqlError('ABORTED', 'canceling statement due to user request', { hint: 'The client cancelled the statement.' })): void {
    if (!this.#running) return;
    this.#cancelled = reason;
    this.#conn?.interrupt();
    this.#catalogAbort?.abort(reason);
  }

  /** Shutdown: the client is told (FATAL 57P01) and the connection closed. */
  terminate(): void {
    if (this.#closed) return;
    this.cancel(new RestSqlError('SERVER_SHUTDOWN', 'terminating connection due to administrator command', { hint: 'restsql serve is stopping; connect again once it runs.' }));
    this.#fatal(new RestSqlError('SERVER_SHUTDOWN', 'terminating connection due to administrator command', { hint: 'restsql serve is stopping; connect again once it runs.' }));
  }

  // --- I/O -------------------------------------------------------------------------------------

  /** Waits for bytes (or the end), up to `timeoutMs` (0: no limit); the error if it times out. */
  async #waitForData(timeoutMs: number, timeout: () => RestSqlError): Promise<void> {
    if (this.#ended) throw new RestSqlError('SERVER_PROTOCOL', 'The client closed the connection.', { hint: 'Nothing to do: the session ends.' });
    this.#socket.resume();
    await new Promise<void>((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => reject(timeout()), timeoutMs) : undefined;
      timer?.unref();
      this.#wake = () => {
        this.#wake = undefined;
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  async #nextStartup(deadline: number): Promise<StartupPacket> {
    for (;;) {
      const p = this.#reader.readStartup();
      if (p) return p;
      const left = deadline - Date.now();
      if (left <= 0) throw startupTimeout();
      await this.#waitForData(left, startupTimeout);
    }
  }

  async #next(timeoutMs: number, timeout: () => RestSqlError): Promise<FrontendMessage | undefined> {
    for (;;) {
      const m = this.#reader.read();
      if (m) return m;
      if (this.#ended) return undefined;
      await this.#waitForData(timeoutMs, timeout);
    }
  }

  #send(buf: Buffer): void {
    this.#out.push(buf);
    this.#outBytes += buf.length;
  }

  /** Writes what is queued; waits for the socket to drain when it holds too much. */
  async #flush(): Promise<void> {
    if (this.#outBytes === 0 || this.#closed) {
      this.#out = [];
      this.#outBytes = 0;
      return;
    }
    const data = this.#out.length === 1 ? this.#out[0]! : Buffer.concat(this.#out, this.#outBytes);
    this.#out = [];
    this.#outBytes = 0;
    const ok = this.#socket.write(data);
    if (!ok && !this.#closed) await this.#drain();
  }

  #drain(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        resolve();
      };
      this.#socket.on('drain', done);
      this.#socket.on('close', done);
    });
  }

  /** Queues `buf`; flushes once enough is queued (results stream, they are never held whole). */
  async #emit(buf: Buffer): Promise<void> {
    this.#send(buf);
    if (this.#outBytes >= this.#ctx.limits.highWaterMark) await this.#flush();
  }

  /** Sends a FATAL ErrorResponse (when the protocol allows one now) and closes. */
  #fatal(e: unknown): void {
    if (this.#closed) return;
    const err = toRestSqlError(e);
    try {
      this.#send(be.errorResponse(errorFields(err, undefined, 'FATAL')));
      const data = Buffer.concat(this.#out);
      this.#out = [];
      this.#outBytes = 0;
      this.#socket.end(data);
    } catch {
      this.#socket.destroy();
    }
    this.#closed = true;
    setTimeout(() => this.#socket.destroy(), 1000).unref();
  }

  async #close(): Promise<void> {
    for (const p of this.#portals.values()) p.running = undefined;
    this.#portals.clear();
    this.#statements.clear();
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn) {
      await conn.close().catch(() => undefined);
      this.#ctx.log(`session ${this.#ctx.processId} ended (${this.#peer}, user=${JSON.stringify(this.#user)})`);
    }
    if (!this.#socket.destroyed) this.#socket.end();
  }

  // --- Startup and authentication ----------------------------------------------------------------

  /** The startup phase: SSL/GSSENC negotiation, cancel requests, the startup packet, the password. */
  async #startup(): Promise<boolean> {
    const deadline = Date.now() + this.#ctx.limits.startupTimeoutMs;
    let tls = false;
    for (;;) {
      const p = await this.#nextStartup(deadline);
      if (p.kind === 'cancel') {
        this.#ctx.cancel(p.processId, p.secretKey);
        // PostgreSQL answers a CancelRequest by closing the connection.
        this.#closed = true;
        this.#socket.end();
        return false;
      }
      if (p.kind === 'gssenc') {
        this.#socket.write(be.GSSENC_REFUSED);
        continue;
      }
      if (p.kind === 'ssl') {
        if (tls) throw new RestSqlError('SERVER_PROTOCOL', 'A second SSLRequest arrived inside TLS.', { hint: 'Send the startup packet after the TLS handshake.' });
        if (!this.#ctx.tls) {
          this.#socket.write(be.SSL_REFUSED);
          continue;
        }
        // Bytes sent after the SSLRequest but before our answer would bypass TLS (CVE-2021-23214).
        if (this.#reader.buffered > 0) throw new RestSqlError('SERVER_PROTOCOL', 'The client sent data after SSLRequest before the TLS handshake.', { hint: 'Wait for the server to answer SSLRequest before sending anything else.' });
        this.#socket.write(be.SSL_ACCEPTED);
        await this.#startTls();
        tls = true;
        continue;
      }
      if (this.#ctx.tlsRequired && !tls) {
        throw new RestSqlError('SERVER_AUTH_UNSUPPORTED', 'This server accepts TLS connections only (it listens on a non-loopback address).', { hint: 'Connect with sslmode=require (or verify-full with the server certificate).' });
      }
      return this.#login(p, deadline);
    }
  }

  async #startTls(): Promise<void> {
    const plain = this.#socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('end');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    const secure = new TLSSocket(plain, { isServer: true, secureContext: this.#ctx.tls! });
    this.#socket = secure;
    this.#listen(secure);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(startupTimeout()), this.#ctx.limits.startupTimeoutMs);
      timer.unref();
      secure.once('secure', () => {
        clearTimeout(timer);
        resolve();
      });
      secure.once('error', (e) => {
        clearTimeout(timer);
        reject(new RestSqlError('SERVER_PROTOCOL', `The TLS handshake failed: ${e.message}`, { hint: 'Check the client trusts the server certificate.', cause: e }));
      });
    });
  }

  async #login(p: Extract<StartupPacket, { kind: 'startup' }>, deadline: number): Promise<boolean> {
    if (p.major !== 3) throw new RestSqlError('SERVER_PROTOCOL', `unsupported frontend protocol ${p.major}.${p.minor}: restsql serve speaks protocol 3.0`, { hint: 'Use a client that speaks protocol 3 (every current PostgreSQL client does).' });
    const user = p.params.get('user');
    if (!user) throw new RestSqlError('SERVER_AUTH_UNSUPPORTED', 'no PostgreSQL user name specified in startup packet', { hint: 'Give a user name (any name works; the password decides).' });
    this.#user = user;
    // Newer minor versions or _pq_ options we do not know: say which we speak (PostgreSQL does the same).
    const unknown = [...p.params.keys()].filter((k) => k.startsWith('_pq_.'));
    if (p.minor > 0 || unknown.length > 0) this.#send(be.negotiateProtocolVersion(0, unknown));
    const ok = await this.#ctx.passwords.authenticate(user, {
      send: async (m) => {
        this.#send(m);
        await this.#flush();
      },
      receive: async () => {
        const m = await this.#next(Math.max(1, deadline - Date.now()), startupTimeout);
        if (!m) throw new RestSqlError('SERVER_PROTOCOL', 'The client closed the connection during authentication.', { hint: 'Nothing to do: the session ends.' });
        if (m.type !== 'password') throw new RestSqlError('SERVER_PROTOCOL', `expected a password message, got ${m.type}`, { hint: 'Answer the authentication request first.' });
        return m.body;
      },
    });
    if (!ok.ok) {
      this.#ctx.log(`login failed for user ${JSON.stringify(user)} from ${this.#peer}: ${ok.reason}`);
      throw new RestSqlError('SERVER_LOGIN_FAILED', `password authentication failed for user "${user}"`, { hint: 'Use the password restsql serve printed at start, or the one in RESTSQL_SERVE_PASSWORD / the password file.' });
    }
    if (!this.#ctx.admit()) {
      throw new RestSqlError('SERVER_TOO_MANY_SESSIONS', 'sorry, too many clients already', { hint: 'Close idle sessions or start restsql serve with a higher --max-sessions.' });
    }
    this.#admitted = true;
    this.#database = p.params.get('database') ?? user;
    const settings = new SessionSettings({
      user,
      database: this.#database,
      applicationName: p.params.get('application_name') ?? '',
      serverVersion: this.#ctx.serverVersion,
      startupOptions: p.params,
    });
    this.#settings = settings;
    this.#conn = await this.#ctx.connect();
    this.#send(be.authenticationOk());
    for (const [name, value] of settings.reported()) this.#send(be.parameterStatus(name, value));
    this.#send(be.backendKeyData(this.#ctx.processId, this.#ctx.secretKey));
    this.#send(be.readyForQuery('I'));
    await this.#flush();
    this.#ctx.log(`session ${this.#ctx.processId} from ${this.#peer}: user=${JSON.stringify(user)} database=${JSON.stringify(p.params.get('database') ?? user)} application_name=${JSON.stringify(settings.applicationName)}${this.#socket instanceof TLSSocket ? ' (TLS)' : ''}`);
    return true;
  }

  // --- The query loop ----------------------------------------------------------------------------

  async #loop(): Promise<void> {
    const idle = this.#ctx.limits.idleTimeoutMs;
    for (;;) {
      let m: FrontendMessage | undefined;
      try {
        m = await this.#next(idle, () => new RestSqlError('SERVER_TIMEOUT', `terminating connection due to idle-session timeout (${Math.round(idle / 1000)} s)`, { hint: 'Reconnect; start restsql serve with a longer --idle-timeout to keep idle sessions longer.' }));
      } catch (e) {
        if (isFatalProtocolError(e) || !(e instanceof RestSqlError) || e.code !== 'SERVER_PROTOCOL') throw e;
        // One malformed message, consumed whole: an error, then as after any failed message (a
        // simple query gets ReadyForQuery, an extended one skips to Sync).
        await this.#error(e, undefined);
        if (e.details['message'] === 'Query') this.#send(be.readyForQuery(this.#status));
        else this.#skipping = true;
        await this.#flush();
        continue;
      }
      if (!m || m.type === 'terminate') return;
      if (this.#skipping && m.type !== 'sync') continue;
      try {
        await this.#handle(m);
      } catch (e) {
        await this.#error(e, undefined);
        if (m.type !== 'query') {
          this.#skipping = true;
          // PostgreSQL sends an error at once, without waiting for Sync: a client that sent Flush
          // before Sync (postgres.js: Parse, Describe, Flush) is waiting for it.
          await this.#flush();
        } else {
          this.#send(be.readyForQuery(this.#status));
        }
      }
      if (m.type === 'sync' || m.type === 'query' || m.type === 'flush') await this.#flush();
      if (this.#closed) return;
    }
  }

  async #handle(m: FrontendMessage): Promise<void> {
    switch (m.type) {
      case 'query':
        return this.#simpleQuery(m.sql);
      case 'parse':
        return this.#parse(m.statement, m.sql, m.paramTypes);
      case 'bind':
        return this.#bind(m);
      case 'describe':
        return this.#describe(m.target, m.name);
      case 'execute':
        return this.#executePortal(m.portal, m.maxRows);
      case 'close':
        if (m.target === 'statement') this.#statements.delete(m.name);
        else this.#portals.delete(m.name);
        this.#send(be.closeComplete());
        return;
      case 'sync':
        this.#skipping = false;
        // Outside a transaction block portals end with the implicit transaction.
        if (this.#status === 'I') this.#portals.clear();
        this.#send(be.readyForQuery(this.#status));
        return;
      case 'flush':
        return;
      case 'password':
        throw new RestSqlError('SERVER_PROTOCOL', 'unexpected password message: the session is already authenticated', { hint: 'Send queries now.' });
      case 'copyData':
      case 'copyDone':
      case 'copyFail':
        // Stray COPY IN data (we never start COPY IN): PostgreSQL ignores it outside COPY.
        return;
      case 'functionCall':
        throw new RestSqlError('SERVER_UNSUPPORTED', 'the fastpath function call interface is not supported', { hint: 'Call the function in a SELECT instead.' });
      case 'terminate':
        return;
    }
  }

  /** An ErrorResponse for `e`; the transaction, if any, is now failed. */
  async #error(e: unknown, sql: string | undefined): Promise<void> {
    let err = toRestSqlError(e);
    if (err.code === 'ABORTED' && this.#cancelled) err = this.#cancelled;
    else if (err.code === 'ABORTED') err = new RestSqlError('ABORTED', 'canceling statement due to user request', { hint: err.hint ?? 'The client cancelled the statement.', cause: err });
    this.#send(be.errorResponse(errorFields(err, sql)));
    if (this.#status === 'T') this.#status = 'E';
    if (err.code === 'SERVER_SHUTDOWN') this.#fatal(err);
  }

  // --- Simple query --------------------------------------------------------------------------------

  async #simpleQuery(text: string): Promise<void> {
    const statements = splitStatements(text);
    if (statements.length === 0) {
      this.#send(be.emptyQueryResponse());
      this.#send(be.readyForQuery(this.#status));
      return;
    }
    for (const { sql } of statements) {
      try {
        const command = classify(sql);
        const prepared: Prepared = { sql, command, paramOids: [], returnsRows: false };
        await this.#run(prepared, { values: [], types: [] }, [], 0, true);
      } catch (e) {
        await this.#error(e, sql);
        break;
      }
    }
    this.#send(be.readyForQuery(this.#status));
  }

  // --- Extended query ------------------------------------------------------------------------------

  async #parse(name: string, sql: string, declared: number[]): Promise<void> {
    if (name !== '' && this.#statements.has(name)) throw new RestSqlError('SERVER_DUPLICATE_STATEMENT', `prepared statement "${name}" already exists`, { hint: 'Close it (or DEALLOCATE it) first, or use another name.' });
    this.#refuseInFailedTransaction(sql);
    const parts = splitStatements(sql);
    if (parts.length > 1) throw new RestSqlError('QUERY_SYNTAX', 'cannot insert multiple commands into a prepared statement', { hint: 'Send each statement in a Parse of its own, or use a simple query.' });
    const text = parts[0]?.sql ?? '';
    const command = classify(text);
    const prepared: Prepared = { sql: text, command, paramOids: [...declared], returnsRows: false };
    const cursor = command.kind === 'engine' ? parseCursorCommand(text) : undefined;
    let routed: Routed | undefined;
    if (cursor) {
      // FETCH's columns are the cursor's, known at Describe time if it is declared by then.
      prepared.returnsRows = cursor.kind === 'fetch';
      const declared_ = cursor.kind === 'fetch' ? this.#cursors.get(cursor.name) : undefined;
      if (declared_) prepared.columns = declared_.columns;
    } else if (command.kind === 'engine' && (routed = await this.#ctx.catalog.route(text)).route === 'catalog') {
      const answer = await this.#guard((signal) => this.#ctx.catalog.describe(text, declared, this.#catalogSession(), signal));
      prepared.catalog = { rowDescription: answer.rowDescription, setConfig: routed.setConfig };
      prepared.paramOids = [...answer.paramOids];
      prepared.returnsRows = answer.rowDescription !== null;
    } else if (command.kind === 'engine') {
      // DuckDB's prepare: parameter and result types without running anything (no REST call).
      let shape = await this.#connection().describe(text);
      // A parameter DuckDB cannot type but the client declared (psycopg 3 declares int2/4/8 for
      // Python ints) takes the declared type, as in PostgreSQL: `SELECT $1` is then int4, not text.
      const casts = new Map<number, string>();
      shape.params.forEach((t, i) => {
        const oid = declared[i] ?? 0;
        if (t === undefined && oid !== 0 && oid !== 25 && oid !== 705 && oid !== 1043 && oid !== 1700) casts.set(i + 1, duckdbTypeForOid(oid));
      });
      if (casts.size > 0) {
        prepared.sql = castParameters(text, casts);
        shape = await this.#connection().describe(prepared.sql);
      }
      prepared.columns = shape.columns;
      prepared.returnsRows = returnsRows(shape.statementType, prepared.sql, shape.columns.length);
      prepared.paramOids = shape.params.map((t, i) => (declared[i] ? declared[i]! : paramOid(t)));
    } else if (command.kind === 'show') {
      prepared.returnsRows = true;
    } else if (command.kind === 'copyOut') {
      throw new RestSqlError('SERVER_UNSUPPORTED', 'COPY TO STDOUT is supported in simple queries only', { hint: 'Send COPY as a simple query (psql does), or use SELECT.' });
    }
    this.#statements.set(name, prepared);
    this.#send(be.parseComplete());
  }

  async #bind(m: Extract<FrontendMessage, { type: 'bind' }>): Promise<void> {
    const statement = this.#statements.get(m.statement);
    if (!statement) throw new RestSqlError('SERVER_UNKNOWN_STATEMENT', `prepared statement "${m.statement}" does not exist`, { hint: 'Parse it first.' });
    if (m.params.length !== statement.paramOids.length) {
      throw new RestSqlError('SERVER_PROTOCOL', `bind message supplies ${m.params.length} parameters, but prepared statement "${m.statement}" requires ${statement.paramOids.length}`, { hint: 'Bind one value per $n parameter.' });
    }
    if (statement.catalog) {
      // PostgreSQL decodes the values and checks the formats when the statement runs.
      const n = statement.catalog.rowDescription ? fieldCount(statement.catalog.rowDescription) : 0;
      if (m.resultFormats.length > 1 && m.resultFormats.length !== n) {
        throw new RestSqlError('SERVER_PROTOCOL', `bind message has ${m.resultFormats.length} result formats but query has ${n} columns`, { hint: 'Send 0, 1 or one format code per column.' });
      }
      this.#portals.set(m.portal, { statement, values: [], types: [], formats: m.resultFormats, raw: { values: m.params.map((v) => (v ? Buffer.from(v) : null)), paramFormats: m.paramFormats } });
      this.#send(be.bindComplete());
      return;
    }
    const values: DuckDBValue[] = [];
    const types: (DuckDBType | undefined)[] = [];
    m.params.forEach((data, i) => {
      const format = m.paramFormats.length === 0 ? 0 : m.paramFormats.length === 1 ? m.paramFormats[0]! : m.paramFormats[i] ?? 0;
      if (format !== 0 && format !== 1) throw new RestSqlError('SERVER_PROTOCOL', `unsupported format code: ${format}`, { hint: 'Format codes are 0 (text) and 1 (binary).' });
      const decoded = decodeParam(data, format, statement.paramOids[i] ?? 0, { timeZone: this.#settings!.timeZone });
      values.push(decoded.value);
      types.push(decoded.type);
    });
    const formats = m.resultFormats;
    if (statement.columns) checkFormats(statement.columns, formats);
    this.#portals.set(m.portal, { statement, values, types, formats });
    this.#send(be.bindComplete());
  }

  async #describe(target: 'statement' | 'portal', name: string): Promise<void> {
    if (target === 'statement') {
      const s = this.#statements.get(name);
      if (!s) throw new RestSqlError('SERVER_UNKNOWN_STATEMENT', `prepared statement "${name}" does not exist`, { hint: 'Parse it first.' });
      this.#send(be.parameterDescription(s.paramOids));
      this.#send(this.#rowDescription(s, []) ?? be.noData());
      return;
    }
    const p = this.#portals.get(name);
    if (!p) throw new RestSqlError('SERVER_UNKNOWN_PORTAL', `portal "${name}" does not exist`, { hint: 'Bind it first.' });
    this.#send(this.#rowDescription(p.statement, p.formats) ?? be.noData());
  }

  async #executePortal(name: string, maxRows: number): Promise<void> {
    const p = this.#portals.get(name);
    if (!p) throw new RestSqlError('SERVER_UNKNOWN_PORTAL', `portal "${name}" does not exist`, { hint: 'Bind it first.' });
    if (p.done) {
      // An exhausted portal executed again answers with no rows (PostgreSQL does the same).
      this.#send(be.commandComplete(p.statement.returnsRows ? 'SELECT 0' : tagOf(p.statement.sql, p.statement.command, 0, 0)));
      return;
    }
    try {
      await this.#run(p.statement, { values: p.values, types: p.types }, p.formats, maxRows, false, p);
    } catch (e) {
      this.#portals.delete(name);
      throw e;
    }
  }

  #refuseInFailedTransaction(sql: string): void {
    if (this.#status !== 'E') return;
    const kind = classify(sql).kind;
    if (kind === 'rollback' || kind === 'commit' || kind === 'rollbackTo') return;
    throw new RestSqlError('SERVER_TRANSACTION_ABORTED', 'current transaction is aborted, commands ignored until end of transaction block', { hint: 'Send ROLLBACK.' });
  }

  #connection(): Connection {
    if (!this.#conn) throw new RestSqlError('CONNECTION_CLOSED', 'The session has no connection.', { hint: 'Reconnect.' });
    return this.#conn;
  }

  // --- Running one statement -----------------------------------------------------------------------

  /**
   * Runs one statement: a command answered here, or the engine's. `describe`: send RowDescription
   * first (simple query). `portal`: an extended-protocol portal (its state survives a suspension).
   */
  async #run(s: Prepared, params: { values: DuckDBValue[]; types: (DuckDBType | undefined)[] }, formats: readonly number[], maxRows: number, describe: boolean, portal?: Portal): Promise<void> {
    this.#refuseInFailedTransaction(s.sql);
    const c = s.command;
    const settings = this.#settings!;
    switch (c.kind) {
      case 'engine': {
        const cursor = parseCursorCommand(s.sql);
        if (cursor) return this.#cursorCommand(cursor, describe);
        if (s.catalog) return this.#runCatalog(s, s.catalog.setConfig, formats, maxRows, describe, portal);
        if (!portal) {
          const routed = await this.#ctx.catalog.route(s.sql);
          if (routed.route === 'catalog') return this.#runCatalog(s, routed.setConfig, formats, maxRows, describe);
        }
        return this.#runEngine(s, params, formats, maxRows, describe, portal);
      }
      case 'empty':
        this.#send(be.emptyQueryResponse());
        return;
      case 'set':
        this.#report(settings.set(c.name, c.value, c.local));
        this.#send(be.commandComplete(c.tag));
        return;
      case 'setTransaction':
        this.#report(settings.setTransactionModes(c.modes, c.session));
        if (!c.session && this.#status !== 'I') this.#readOnly = settings.transactionReadOnly;
        this.#send(be.commandComplete(c.tag));
        return;
      case 'reset':
        this.#report(settings.reset(c.name));
        this.#send(be.commandComplete(c.tag));
        return;
      case 'show': {
        const shown = settings.show(c.name);
        if (describe) this.#send(be.rowDescription(shown.columns.map((n) => textField(n))));
        for (const r of shown.rows) this.#send(be.dataRow(r));
        this.#send(be.commandComplete(c.tag));
        return;
      }
      case 'begin':
        if (this.#status !== 'I') {
          this.#send(be.noticeResponse({ severity: 'WARNING', code: '25001', message: 'there is already a transaction in progress' }));
          this.#send(be.commandComplete(c.tag));
          return;
        }
        await this.#connection().queryAll('BEGIN TRANSACTION');
        settings.beginTransaction(c.modes);
        this.#status = 'T';
        this.#readOnly = settings.transactionReadOnly;
        this.#wroteInTransaction = false;
        this.#send(be.commandComplete(c.tag));
        return;
      case 'commit':
      case 'rollback': {
        if (this.#status === 'I') {
          this.#send(be.noticeResponse({ severity: 'WARNING', code: '25P01', message: 'there is no transaction in progress' }));
          this.#send(be.commandComplete(c.tag));
          return;
        }
        // COMMIT of a failed transaction rolls it back, and says so in its tag.
        const commit = c.kind === 'commit' && this.#status !== 'E';
        await this.#connection().queryAll(commit ? 'COMMIT' : 'ROLLBACK');
        this.#report(settings.endTransaction(commit));
        await this.#endTransaction(commit);
        if (c.chain) {
          await this.#connection().queryAll('BEGIN TRANSACTION');
          settings.beginTransaction({});
          this.#status = 'T';
          this.#readOnly = settings.transactionReadOnly;
        }
        this.#send(be.commandComplete(commit ? 'COMMIT' : 'ROLLBACK'));
        return;
      }
      case 'savepoint':
        if (this.#status === 'I') throw new RestSqlError('QUERY_FAILED', 'SAVEPOINT can only be used in transaction blocks', { hint: 'BEGIN first.' });
        settings.savepoint(c.name);
        this.#send(be.commandComplete(c.tag));
        return;
      case 'release':
        if (this.#status === 'I') throw new RestSqlError('QUERY_FAILED', 'RELEASE SAVEPOINT can only be used in transaction blocks', { hint: 'BEGIN first.' });
        settings.releaseSavepoint(c.name);
        this.#send(be.commandComplete(c.tag));
        return;
      case 'rollbackTo': {
        if (this.#status === 'I') throw new RestSqlError('QUERY_FAILED', 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks', { hint: 'BEGIN first.' });
        // DuckDB has no savepoints. A transaction that only read can go back to any point of it:
        // it is begun anew. One that changed something cannot, and says so rather than pretend.
        if (this.#wroteInTransaction) throw new RestSqlError('SERVER_UNSUPPORTED', 'ROLLBACK TO SAVEPOINT is supported only in transactions that have changed nothing (restsql has no partial rollback)', { hint: 'ROLLBACK the whole transaction.' });
        const reports = settings.rollbackToSavepoint(c.name);
        await this.#connection().queryAll('ROLLBACK');
        await this.#connection().queryAll('BEGIN TRANSACTION');
        this.#report(reports);
        this.#status = 'T';
        this.#send(be.commandComplete(c.tag));
        return;
      }
      case 'deallocate':
        if (c.name === 'ALL') this.#statements.clear();
        else if (!this.#statements.delete(c.name)) throw new RestSqlError('SERVER_UNKNOWN_STATEMENT', `prepared statement "${c.name}" does not exist`, { hint: 'Name a statement prepared in this session.' });
        this.#send(be.commandComplete(c.tag));
        return;
      case 'discard':
        if (c.what === 'ALL' || c.what === 'PLANS') this.#statements.clear();
        if (c.what === 'ALL') {
          this.#portals.clear();
          this.#report(settings.reset('ALL'));
        }
        this.#send(be.commandComplete(c.tag));
        return;
      case 'copyOut':
        return this.#copyOut(c.query, c.options);
      case 'copyIn':
        throw new RestSqlError('SERVER_UNSUPPORTED', 'COPY FROM STDIN is not supported: restsql serve does not load data from clients', { hint: 'Use INSERT into a temporary table of your own.' });
      case 'listen':
      case 'unlisten':
      case 'notify':
        // Nothing in restsql ever notifies: accepted, and no notification will come (pools send UNLISTEN * on reset).
        this.#send(be.commandComplete(c.tag));
        return;
      default: {
        const never: never = c;
        throw new Error(`unhandled command ${JSON.stringify(never)}`);
      }
    }
  }

  /** ParameterStatus for each reported setting that changed. */
  #report(changed: readonly (readonly [string, string])[]): void {
    for (const [name, value] of changed) this.#send(be.parameterStatus(name, value));
  }

  /** After COMMIT (`commit`) or ROLLBACK: portals end, and cursors not declared WITH HOLD (all of them after a ROLLBACK). */
  async #endTransaction(commit: boolean): Promise<void> {
    this.#status = 'I';
    this.#readOnly = false;
    this.#wroteInTransaction = false;
    this.#portals.clear();
    for (const [name, c] of this.#cursors) {
      if (commit && c.hold) continue;
      this.#cursors.delete(name);
      await this.#connection().queryAll(`DROP TABLE IF EXISTS temp.main.${c.table}`).catch(() => undefined);
    }
  }

  /**
   * DECLARE, FETCH, MOVE and CLOSE (sql/cursor-command.ts). A cursor's rows are computed at
   * DECLARE into a temporary table of the session's own, so fetching them survives other
   * statements and COMMIT (WITH HOLD); FETCH reads them by position.
   */
  async #cursorCommand(c: CursorCommand, describe: boolean): Promise<void> {
    const conn = this.#connection();
    if (c.kind === 'declare') {
      if (this.#cursors.has(c.name)) throw new RestSqlError('SERVER_DUPLICATE_STATEMENT', `cursor "${c.name}" already exists`, { hint: 'CLOSE it first, or use another name.' });
      if (!c.hold && this.#status === 'I') throw new RestSqlError('QUERY_FAILED', 'DECLARE CURSOR can only be used in transaction blocks', { hint: 'BEGIN first, or DECLARE ... CURSOR WITH HOLD.' });
      const table = `restsql_cursor_${randomBytes(6).toString('hex')}`;
      await this.#guard(() => conn.queryAll(`CREATE TEMP TABLE ${table} AS ${c.query}`));
      const shape = await conn.describe(`SELECT * FROM temp.main.${table}`);
      const total = Number((await conn.query(`SELECT count(*)::BIGINT AS n FROM temp.main.${table}`)).rows[0]?.['n'] ?? 0);
      this.#cursors.set(c.name, { table, columns: shape.columns, position: 0, total, binary: c.binary, hold: c.hold });
      this.#send(be.commandComplete('DECLARE CURSOR'));
      return;
    }
    if (c.kind === 'close') {
      const names = c.name === 'ALL' ? [...this.#cursors.keys()] : [c.name];
      for (const name of names) {
        const cursor = this.#cursors.get(name);
        if (!cursor) throw new RestSqlError('SERVER_UNKNOWN_PORTAL', `cursor "${name}" does not exist`, { hint: 'DECLARE it first.' });
        this.#cursors.delete(name);
        await conn.queryAll(`DROP TABLE IF EXISTS temp.main.${cursor.table}`);
      }
      this.#send(be.commandComplete(c.name === 'ALL' ? 'CLOSE CURSOR ALL' : 'CLOSE CURSOR'));
      return;
    }
    const cursor = this.#cursors.get(c.name);
    if (!cursor) throw new RestSqlError('SERVER_UNKNOWN_PORTAL', `cursor "${c.name}" does not exist`, { hint: 'DECLARE it first.' });
    const from = cursor.position;
    const n = Math.min(c.count ?? Number.MAX_SAFE_INTEGER, cursor.total - from);
    cursor.position += n;
    if (c.kind === 'move') {
      this.#send(be.commandComplete(`MOVE ${n}`));
      return;
    }
    const format: 0 | 1 = cursor.binary ? 1 : 0;
    if (describe) this.#send(be.rowDescription(cursor.columns.map((col) => field(col.name, col.type, format))));
    if (n > 0) {
      await this.#guard(async () => {
        // DuckDB scans a table in insertion order (the query's order), and skips whole row groups
        // for an OFFSET (about 2 ms at any depth of a million rows). Not rowid: rows of a table made
        // in the open transaction have provisional rowids.
        const open = await conn.open(`SELECT * FROM temp.main.${cursor.table} LIMIT ${n} OFFSET ${from}`);
        await this.#sendRows({ open }, [format], 0);
      });
    }
    this.#send(be.commandComplete(`FETCH ${n}`));
  }

  /** Runs `fn` as the session's running statement: cancel and statement_timeout interrupt it. */
  async #guard<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.#running = true;
    this.#cancelled = undefined;
    const abort = new AbortController();
    this.#catalogAbort = abort;
    const timeoutMs = this.#settings!.statementTimeoutMs;
    const timer = timeoutMs > 0 ? setTimeout(() => this.cancel(new RestSqlError('ABORTED', 'canceling statement due to statement timeout', { hint: `statement_timeout is ${timeoutMs} ms; SET statement_timeout = 0 to lift it.` })), timeoutMs) : undefined;
    timer?.unref();
    try {
      const r = await fn(abort.signal);
      if (this.#cancelled) throw this.#cancelled;
      return r;
    } catch (e) {
      // A catalog statement stopped by cancel or statement_timeout says why, as PostgreSQL does.
      if (this.#cancelled && e === abort.signal.reason) throw this.#cancelled;
      throw e;
    } finally {
      if (timer) clearTimeout(timer);
      this.#running = false;
      this.#catalogAbort = undefined;
    }
  }

  /** Who runs a catalog statement: this session's user, database and settings. */
  #catalogSession(): CatalogSession {
    const settings = this.#settings!;
    return {
      user: this.#user,
      database: this.#database,
      settings: CATALOG_SETTINGS.map((n) => [n, settings.value(n)] as const),
      timeoutMs: settings.statementTimeoutMs,
    };
  }

  /**
   * Runs a catalog statement (catalog/catalog.ts) and relays PostgreSQL's answer: its notices,
   * RowDescription (simple query) and DataRows as PostgreSQL wrote them, up to `maxRows` per Execute.
   */
  async #runCatalog(s: Prepared, setConfig: readonly SetConfigCall[], formats: readonly number[], maxRows: number, describe: boolean, portal?: Portal): Promise<void> {
    await this.#guard(async (signal) => {
      let state = portal?.catalogRows;
      if (!state) {
        const answer = await this.#ctx.catalog.execute(
          { sql: s.sql, paramOids: s.paramOids, bind: { values: portal?.raw?.values ?? [], paramFormats: portal?.raw?.paramFormats ?? [], resultFormats: formats } },
          this.#catalogSession(),
          signal,
        );
        for (const n of answer.notices) this.#send(be.noticeResponse(n));
        // PostgreSQL ran the set_config() calls inside its own rolled-back transaction: the session takes them now.
        for (const c of setConfig) this.#report(this.#settings!.set(c.name, c.value, c.local));
        if (!answer.rowDescription) {
          this.#send(be.commandComplete(answer.tag));
          if (portal) portal.done = true;
          return;
        }
        if (describe) this.#send(answer.rowDescription);
        state = { rows: answer.rows, next: 0, tag: answer.tag };
        if (portal) portal.catalogRows = state;
      }
      const first = state.next === 0;
      const end = maxRows > 0 ? Math.min(state.rows.length, state.next + maxRows) : state.rows.length;
      const batch = new be.MessageBatch();
      for (let i = state.next; i < end; i++) {
        batch.add(state.rows[i]!);
        if (batch.size >= 64 * 1024) await this.#emit(batch.take());
      }
      const sent = end - state.next;
      state.next = end;
      if (batch.size > 0) await this.#emit(batch.take());
      if (maxRows > 0 && sent >= maxRows) {
        this.#send(be.portalSuspended());
        return;
      }
      if (portal) {
        portal.catalogRows = undefined;
        portal.done = true;
      }
      // PostgreSQL's own tag, unless Executes with a row limit split the rows (then those of this one).
      this.#send(be.commandComplete(first ? state.tag : `SELECT ${sent}`));
    });
  }

  /**
   * Whether the next statement runs read-only: in a READ ONLY transaction, or outside a transaction
   * with default_transaction_read_only on (a statement's own one-statement transaction).
   */
  #statementReadOnly(): boolean {
    return this.#readOnly || (this.#status === 'I' && this.#settings!.readOnlyDefault);
  }

  async #runEngine(s: Prepared, params: { values: DuckDBValue[]; types: (DuckDBType | undefined)[] }, formats: readonly number[], maxRows: number, describe: boolean, portal?: Portal): Promise<void> {
    await this.#guard(async () => {
      let state = portal?.running;
      if (!state) {
        // A write to an API table is refused before anything is sent in a read-only transaction,
        // including the one-statement transaction of autocommit when default_transaction_read_only is on.
        const open = await this.#connection().open(s.sql, params.values.length > 0 ? params : undefined, { readOnly: this.#statementReadOnly() });
        const rows = returnsRows(open.statementType, s.sql, open.columns.length);
        if (this.#readOnly && !READ_TYPES.has(open.statementType)) {
          throw new RestSqlError('READ_ONLY', `cannot execute ${firstWords(s.sql, 1)[0] ?? 'this statement'} in a read-only transaction`, { hint: 'BEGIN a transaction that is not READ ONLY.' });
        }
        if (this.#status === 'T' && !READ_TYPES.has(open.statementType)) this.#wroteInTransaction = true;
        if (!rows) {
          // Drain what DuckDB returns for it (a count) without sending rows.
          while (await open.next());
          this.#send(be.commandComplete(tagOf(s.sql, s.command, open.statementType, open.rowsChanged)));
          if (portal) portal.done = true;
          return;
        }
        if (describe) {
          const fields = open.columns.map((c, i) => field(c.name, c.type, formatOf(formats, i)));
          this.#send(be.rowDescription(fields));
        }
        state = { open };
        if (portal) portal.running = state;
      }
      const { sent, suspended } = await this.#sendRows(state, formats, maxRows);
      if (suspended) {
        // The limit is reached: the portal waits for the next Execute, even when no row is left
        // (PostgreSQL does not look ahead; the next Execute then completes it with SELECT 0).
        this.#send(be.portalSuspended());
        return;
      }
      if (portal) {
        portal.running = undefined;
        portal.done = true;
      }
      // The rows of this Execute (PostgreSQL's tag after a suspended portal counts only those); for
      // INSERT, UPDATE, DELETE with RETURNING the command's own tag (INSERT 0 n), as PostgreSQL sends it.
      const type = state.open.statementType;
      this.#send(be.commandComplete(DML_TYPES.has(type) ? tagOf(s.sql, s.command, type, sent) : `SELECT ${sent}`));
    });
  }

  /**
   * Sends DataRows of a running statement, chunk by chunk as DuckDB gives them (waiting for the
   * socket to drain), up to `maxRows` (0: all). `suspended`: the limit was reached; the rest of the
   * chunk in hand stays in `state` for the next call.
   */
  async #sendRows(state: Running, formats: readonly number[], maxRows: number): Promise<{ sent: number; suspended: boolean }> {
    const encoders = state.open.columns.map((c, i) => this.#encoder(c.type, formatOf(formats, i)));
    const raw = state.open.columns.map((c) => readsRaw(c.type));
    const batch = new be.MessageBatch();
    const values: Cell[] = new Array(encoders.length);
    let sent = 0;
    for (;;) {
      let pending = state.pending;
      if (!pending) {
        const chunk = await state.open.next();
        if (!chunk) return { sent, suspended: false };
        pending = { chunk, next: 0 };
      }
      const { chunk } = pending;
      const readers = cellReaders(chunk, encoders, raw);
      const n = chunk.rowCount;
      let r = pending.next;
      for (; r < n; r++) {
        if (maxRows > 0 && sent >= maxRows) break;
        for (let c = 0; c < readers.length; c++) values[c] = readers[c]!(r);
        batch.addDataRow(values);
        sent++;
      }
      state.pending = r < n ? { chunk, next: r } : undefined;
      if (batch.size > 0) await this.#emit(batch.take());
      if (this.#closed) throw new RestSqlError('ABORTED', 'The client closed the connection.', { hint: 'Nothing to do.' });
      if (maxRows > 0 && sent >= maxRows) return { sent, suspended: true };
    }
  }

  #encoder(type: DuckDBType, format: 0 | 1): Encoder {
    if (format === 1) {
      const enc = binaryEncoder(type);
      if (!enc) throw new RestSqlError('SERVER_UNSUPPORTED', `binary output of type ${pgTypeOf(type).name} is not supported`, { hint: 'Ask for text results for this column.' });
      return enc as Encoder;
    }
    return textEncoder(type, { timeZone: this.#settings!.timeZone }) as Encoder;
  }

  #rowDescription(s: Prepared, formats: readonly number[]): Buffer | undefined {
    if (s.catalog) return s.catalog.rowDescription ? withResultFormats(s.catalog.rowDescription, formats) : undefined;
    if (s.command.kind === 'show') return be.rowDescription(this.#settings!.show(s.command.name).columns.map((n) => textField(n)));
    if (!s.returnsRows || !s.columns) return undefined;
    return be.rowDescription(s.columns.map((c, i) => field(c.name, c.type, formatOf(formats, i))));
  }

  /** COPY (query) TO STDOUT: CopyOutResponse, one CopyData per row, CopyDone, COPY n. */
  async #copyOut(query: string, options: CopyOptions): Promise<void> {
    if (options.format === 'binary') throw new RestSqlError('SERVER_UNSUPPORTED', 'COPY ... TO STDOUT in binary format is not supported', { hint: 'Use FORMAT text or FORMAT csv.' });
    await this.#guard(async () => {
      const open = await this.#connection().open(query, undefined, { readOnly: this.#statementReadOnly() });
      const encoders = open.columns.map((c) => this.#encoder(c.type, 0) as (v: DuckDBValue) => string);
      const format = copyRowFormatter(options, open.columns.map((c) => c.name));
      this.#send(be.copyOutResponse(0, open.columns.map(() => 0)));
      if (options.header) this.#send(be.copyData(copyHeader(open.columns.map((c) => c.name), options)));
      let rows = 0;
      const values: (string | null)[] = new Array(encoders.length);
      const notRaw = encoders.map(() => false);
      for (;;) {
        const chunk = await open.next();
        if (!chunk) break;
        const readers = cellReaders(chunk, encoders, notRaw);
        const n = chunk.rowCount;
        const lines: string[] = [];
        for (let r = 0; r < n; r++) {
          for (let c = 0; c < readers.length; c++) values[c] = readers[c]!(r) as string | null;
          lines.push(format(values));
        }
        rows += n;
        // One CopyData per chunk of rows: PostgreSQL sends one per row, and clients accept any split.
        await this.#emit(be.copyData(lines.join('')));
        if (this.#closed) throw new RestSqlError('ABORTED', 'The client closed the connection.', { hint: 'Nothing to do.' });
      }
      this.#send(be.copyDone());
      this.#send(be.commandComplete(`COPY ${rows}`));
    });
  }
}

function startupTimeout(): RestSqlError {
  return new RestSqlError('SERVER_TIMEOUT', 'canceling authentication due to timeout', { hint: 'Finish the startup and login within the server\'s --startup-timeout.' });
}

/** Whether a statement of DuckDB type `t` gives the client rows. */
function returnsRows(t: number, sql: string, columns: number): boolean {
  if (columns === 0) return false;
  if (ROW_TYPES.has(t)) return true;
  return DML_TYPES.has(t) && /\bRETURNING\b/i.test(sql);
}

/** The CommandComplete tag PostgreSQL sends for a statement that returned no rows. */
function tagOf(sql: string, command: Command, statementType: number, changed: number): string {
  switch (statementType) {
    case 2:
      return `INSERT 0 ${changed}`;
    case 3:
      return `UPDATE ${changed}`;
    case 5:
      return `DELETE ${changed}`;
    case 30:
      return `MERGE ${changed}`;
    default:
  }
  if (command.kind !== 'engine') return 'tag' in command ? command.tag : (firstWords(sql, 1)[0] ?? '');
  const words = firstWords(sql, 4);
  if (words[0] === 'CREATE' || words[0] === 'DROP' || words[0] === 'ALTER') {
    // CREATE [OR REPLACE] [TEMP|TEMPORARY] TABLE -> CREATE TABLE
    const kind = words.slice(1).find((w) => !['OR', 'REPLACE', 'TEMP', 'TEMPORARY', 'UNIQUE', 'IF'].includes(w));
    return kind ? `${words[0]} ${kind}` : words[0]!;
  }
  return words[0] ?? '';
}

/** `sql` with each `$n` of `casts` written `CAST($n AS type)` (found by PostgreSQL's lexer, so never inside a string). */
function castParameters(sql: string, casts: ReadonlyMap<number, string>): string {
  let out = '';
  let at = 0;
  for (const t of tokens(sql)) {
    if (t.kind !== 'param') continue;
    const type = casts.get(Number(t.text.slice(1)));
    if (type === undefined) continue;
    out += `${sql.slice(at, t.start)}CAST(${t.text} AS ${type})`;
    at = t.end;
  }
  return out + sql.slice(at);
}

/** The format code for result column `i` from Bind's result format codes. */
function formatOf(formats: readonly number[], i: number): 0 | 1 {
  const f = formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : formats[i] ?? 0;
  return f === 1 ? 1 : 0;
}

function checkFormats(columns: readonly { readonly type: DuckDBType }[], formats: readonly number[]): void {
  if (formats.length > 1 && formats.length !== columns.length) {
    throw new RestSqlError('SERVER_PROTOCOL', `bind message has ${formats.length} result formats but query has ${columns.length} columns`, { hint: 'Send 0, 1 or one format code per column.' });
  }
  for (const f of formats) if (f !== 0 && f !== 1) throw new RestSqlError('SERVER_PROTOCOL', `unsupported format code: ${f}`, { hint: 'Format codes are 0 (text) and 1 (binary).' });
}

function field(name: string, type: DuckDBType, format: 0 | 1): be.RowField {
  const t = pgTypeOf(type);
  return { name, tableOid: 0, columnAttr: 0, typeOid: t.oid, typeSize: t.typeSize, typeModifier: t.typeModifier, format };
}

function textField(name: string): be.RowField {
  return { name, tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 };
}

/** The PostgreSQL type OID a parameter of DuckDB type `t` is described as (text when DuckDB cannot tell). */
function paramOid(t: DuckDBType | undefined): number {
  if (t === undefined) return 25;
  const name = t.toString();
  if (name === 'ANY' || name === 'UNKNOWN' || name === 'INVALID' || name === 'SQLNULL' || name === 'NULL') return 25;
  return pgTypeOf(t).oid;
}
