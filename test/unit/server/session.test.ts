/**
 * The session state machine over real loopback sockets, message by message: every server message
 * is decoded by node-postgres's own parser (pg-protocol's Parser), every client message is built
 * by its serializer, and the SCRAM exchange is done by pg's client-side SASL (pg/lib/crypto/sasl.js).
 *
 * What the server must answer follows PostgreSQL 15's "Frontend/Backend Protocol" chapter
 * ("Message Flow", "Message Formats"); where the chapter leaves a detail open (the CommandComplete
 * tag after a suspended portal, what a portal that sent exactly its row limit answers) the expected
 * answer is what PostgreSQL 15.18 itself sends for the same messages (checked against a real
 * server while writing these tests, and noted at each such test).
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Parser } from 'pg-protocol/dist/parser.js';
import { serialize } from 'pg-protocol/dist/serializer.js';
import { within } from '../../support/deadline.js';
import { serveFixture, TYPED_ROWS, type Served } from '../../support/serve.js';
import { sasl } from '../../support/pg-sasl.js';

/** Generous: a loaded machine is slow, and a wait ends as soon as its event comes. */
const DEADLINE = 15_000;

/**
 * One server message as pg-protocol decodes it (its fields vary by `name`), with its raw bytes
 * (pg-protocol's Parser reads DataRow values as UTF-8 text only, so binary values are read from
 * `raw`), or the one-byte answer to SSLRequest / GSSENCRequest.
 */
type Got = { readonly name: string; readonly raw: Buffer; readonly [field: string]: unknown };

/** What a BackendKeyData carries: the key a CancelRequest must quote. */
interface Key {
  readonly processID: number;
  readonly secretKey: number;
}

/**
 * A raw protocol client: framing of whole messages (type byte and length), each handed to a
 * pg-protocol Parser, queued for the test to take one by one with a deadline.
 */
class WireClient {
  readonly socket: Socket;
  readonly #queue: Got[] = [];
  #buf: Buffer = Buffer.alloc(0);
  #wake: (() => void) | undefined;
  #byteAnswers = 0;
  closed = false;
  /** Bytes received in all. */
  received = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.received += d.length;
      this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
      this.#pump();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#notify();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<WireClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await within(DEADLINE, 'connect to the server', new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    }));
    return new WireClient(socket);
  }

  /** Logs in with SCRAM; returns the messages from AuthenticationOk to ReadyForQuery and the key. */
  static async login(fx: Served, params: Record<string, string> = {}): Promise<{ client: WireClient; messages: Got[]; key: Key }> {
    const client = await WireClient.open(fx.port);
    const messages = await client.authenticate(fx.password, params);
    const last = messages.at(-1);
    assert.equal(last?.name, 'readyForQuery', `login ended with ${describeAll(messages)}`);
    const key = messages.find((m) => m.name === 'backendKeyData') as unknown as Key | undefined;
    assert.ok(key, 'the login sends BackendKeyData');
    return { client, messages, key };
  }

  /** The startup packet and the SCRAM exchange; every message received, through ReadyForQuery or an error. */
  async authenticate(password: string, params: Record<string, string> = {}): Promise<Got[]> {
    this.send(serialize.startup({ user: 'tester', database: 'restsql', ...params }));
    const out: Got[] = [];
    const sasl1 = await this.next('AuthenticationSASL');
    out.push(sasl1);
    if (sasl1.name !== 'authenticationSASL') return out;
    const session = sasl.startSession(sasl1['mechanisms'] as string[]);
    this.send(serialize.sendSASLInitialResponseMessage(session.mechanism, session.response));
    const cont = await this.next('AuthenticationSASLContinue');
    out.push(cont);
    if (cont.name !== 'authenticationSASLContinue') return out;
    await sasl.continueSession(session, password, cont['data'] as string);
    this.send(serialize.sendSCRAMClientFinalMessage(session.response));
    const final = await this.next('AuthenticationSASLFinal');
    out.push(final);
    if (final.name !== 'authenticationSASLFinal') return out;
    // Throws unless the server proved it knows the password too.
    sasl.finalizeSession(session, final['data'] as string);
    // Then AuthenticationOk ... ReadyForQuery, or a FATAL error (too many clients) and the close.
    for (;;) {
      const m = await this.next(`the end of the login (so far: ${describeAll(out)})`);
      if (m.name === 'closed') return out;
      out.push(m);
      if (m.name === 'readyForQuery' || m.name === 'error') return out;
    }
  }

  /** The next bytes answer an SSLRequest or GSSENCRequest: one byte, not a message. */
  expectByteAnswer(): void {
    this.#byteAnswers++;
  }

  #pump(): void {
    for (;;) {
      if (this.#byteAnswers > 0 && this.#buf.length >= 1) {
        this.#byteAnswers--;
        this.#queue.push({ name: 'byte', byte: String.fromCharCode(this.#buf[0]!), raw: this.#buf.subarray(0, 1) });
        this.#buf = this.#buf.subarray(1);
        continue;
      }
      if (this.#buf.length < 5) break;
      const length = this.#buf.readUInt32BE(1);
      if (this.#buf.length < 1 + length) break;
      const raw = Buffer.from(this.#buf.subarray(0, 1 + length));
      this.#buf = this.#buf.subarray(1 + length);
      new Parser().parse(raw, (m) => {
        this.#queue.push(Object.assign(m, { raw }) as unknown as Got);
      });
    }
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  /** The next message; `{ name: 'closed' }` once the server has closed and nothing is left. */
  async next(what: string, ms = DEADLINE): Promise<Got> {
    return within(ms, () => `waiting for ${what}`, (async () => {
      for (;;) {
        const m = this.#queue.shift();
        if (m) return m;
        if (this.closed) return { name: 'closed', raw: Buffer.alloc(0) };
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    })());
  }

  /** Messages up to and including the first named `name`; fails if the server closes first. */
  async until(name: string, what = name): Promise<Got[]> {
    const out: Got[] = [];
    for (;;) {
      const m = await this.next(`${what} (so far: ${describeAll(out)})`);
      out.push(m);
      if (m.name === name) return out;
      if (m.name === 'closed') assert.fail(`the server closed the connection before ${name}: ${describeAll(out)}`);
    }
  }

  /** Every message until the server closes the connection. */
  async untilClosed(what: string, ms = DEADLINE): Promise<Got[]> {
    const out: Got[] = [];
    for (;;) {
      const m = await this.next(`${what}: the server closes the connection (so far: ${describeAll(out)})`, ms);
      if (m.name === 'closed') return out;
      out.push(m);
    }
  }

  /** Messages queued now, without waiting. */
  drain(): Got[] {
    return this.#queue.splice(0);
  }

  send(...parts: Buffer[]): void {
    this.socket.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }

  /** A simple query: every message through ReadyForQuery. */
  async query(sql: string): Promise<Got[]> {
    this.send(serialize.query(sql));
    return this.until('readyForQuery', `the answer to ${JSON.stringify(sql)}`);
  }

  end(): void {
    if (!this.closed) this.socket.end(serialize.end());
    this.socket.destroy();
  }
}

/** A readable one-line summary of messages, for assertion messages. */
function describeAll(ms: readonly Got[]): string {
  return ms.map(describeOne).join(', ') || '(nothing)';
}

function describeOne(m: Got): string {
  switch (m.name) {
    case 'commandComplete':
      return `CommandComplete(${String(m['text'])})`;
    case 'readyForQuery':
      return `ReadyForQuery(${String(m['status'])})`;
    case 'error':
    case 'notice':
      return `${m.name}(${String(m['severity'])} ${String(m['code'])} ${String(m['message'])})`;
    case 'byte':
      return `byte(${String(m['byte'])})`;
    default:
      return m.name;
  }
}

/** The names of messages, the shape a sequence is compared by. */
const names = (ms: readonly Got[]): string[] => ms.map((m) => m.name);
const tags = (ms: readonly Got[]): string[] => ms.filter((m) => m.name === 'commandComplete').map((m) => String(m['text']));
const errorsOf = (ms: readonly Got[]): Got[] => ms.filter((m) => m.name === 'error');
const rowsOf = (ms: readonly Got[]): unknown[][] => ms.filter((m) => m.name === 'dataRow').map((m) => m['fields'] as unknown[]);

/** A DataRow's values as bytes (null for SQL NULL), read from the raw message. */
function rawValues(m: Got): (Buffer | null)[] {
  assert.equal(m.name, 'dataRow');
  const raw = m.raw;
  const n = raw.readInt16BE(5);
  const out: (Buffer | null)[] = [];
  let at = 7;
  for (let i = 0; i < n; i++) {
    const len = raw.readInt32BE(at);
    at += 4;
    if (len === -1) out.push(null);
    else {
      out.push(raw.subarray(at, at + len));
      at += len;
    }
  }
  assert.equal(at, raw.length, 'the DataRow has no bytes after its values');
  return out;
}

function oneError(ms: readonly Got[], code: string): Got {
  const errors = errorsOf(ms);
  assert.equal(errors.length, 1, `one ErrorResponse expected, got ${describeAll(ms)}`);
  assert.equal(errors[0]!['code'], code, `SQLSTATE of ${describeOne(errors[0]!)}`);
  return errors[0]!;
}

function int8(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
}

function int2(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

/** Waits for `condition`, checking at short intervals, up to a deadline (for counters with no event). */
async function eventually(what: string, condition: () => boolean, ms = DEADLINE): Promise<void> {
  await within(ms, what, (async () => {
    while (!condition()) await new Promise((r) => setTimeout(r, 10));
  })());
}

/** Resolves once the API has been asked for `path` `count` times in all (api.seen grows). */
async function apiAsked(fx: Served, path: string, count = 1): Promise<void> {
  await eventually(`the API is asked for ${path} (${count}x); it saw ${JSON.stringify(fx.api.seen)}`, () => fx.api.seen.filter((p) => p.startsWith(path)).length >= count);
}

/** A CancelRequest on a connection of its own; resolves with what that connection received (PostgreSQL sends nothing). */
async function sendCancel(fx: Served, key: Key): Promise<{ received: number; messages: Got[] }> {
  const c = await WireClient.open(fx.port);
  c.send(serialize.cancel(key.processID, key.secretKey));
  const messages = await c.untilClosed('after a CancelRequest');
  return { received: c.received, messages };
}

const PARAMETER_STATUS_ORDER = [
  'application_name',
  'client_encoding',
  'DateStyle',
  'default_transaction_read_only',
  'in_hot_standby',
  'integer_datetimes',
  'IntervalStyle',
  'is_superuser',
  'server_encoding',
  'server_version',
  'session_authorization',
  'standard_conforming_strings',
  'TimeZone',
];

describe('session over a plain loopback server', () => {
  let fx: Served;
  before(async () => {
    fx = await serveFixture();
  });
  after(async () => {
    await fx?.close();
  });

  test('startup: SCRAM-SHA-256 exchange, AuthenticationOk, ParameterStatus in PostgreSQL order, BackendKeyData, ReadyForQuery I', async () => {
    const client = await WireClient.open(fx.port);
    try {
      const all = await client.authenticate(fx.password, { application_name: 'session-test' });
      assert.deepEqual(names(all.slice(0, 4)), ['authenticationSASL', 'authenticationSASLContinue', 'authenticationSASLFinal', 'authenticationOk']);
      assert.ok((all[0]!['mechanisms'] as string[]).includes('SCRAM-SHA-256'), 'SCRAM-SHA-256 is offered');
      const statuses = all.filter((m) => m.name === 'parameterStatus');
      assert.deepEqual(statuses.map((m) => m['parameterName']), PARAMETER_STATUS_ORDER);
      const value = (n: string) => statuses.find((m) => m['parameterName'] === n)?.['parameterValue'];
      assert.equal(value('application_name'), 'session-test');
      assert.equal(value('client_encoding'), 'UTF8');
      assert.equal(value('server_encoding'), 'UTF8');
      assert.equal(value('server_version'), '15.18 (restsql test)');
      assert.equal(value('session_authorization'), 'tester');
      assert.equal(value('integer_datetimes'), 'on');
      assert.equal(value('standard_conforming_strings'), 'on');
      assert.equal(value('DateStyle'), 'ISO, MDY');
      assert.deepEqual(names(all.slice(4 + statuses.length)), ['backendKeyData', 'readyForQuery']);
      assert.equal(all.at(-1)!['status'], 'I');
      const key = all.find((m) => m.name === 'backendKeyData')!;
      assert.equal(typeof key['processID'], 'number');
      assert.equal(typeof key['secretKey'], 'number');
      const r = await client.query('SELECT 1 AS one');
      assert.deepEqual(rowsOf(r), [['1']]);
    } finally {
      client.end();
    }
  });

  test("simple query with several statements (psqlODBC's connect string): SET, SET, SHOW each answered in turn, one ReadyForQuery", async () => {
    const { client } = await WireClient.login(fx);
    try {
      const r = await client.query("SET DateStyle = 'ISO';SET extra_float_digits = 2;show transaction_isolation");
      // DateStyle 'ISO' leaves the reported value 'ISO, MDY' as it was: no ParameterStatus (PostgreSQL 14+ reports changes only).
      assert.deepEqual(names(r), ['commandComplete', 'commandComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
      assert.deepEqual(tags(r), ['SET', 'SET', 'SHOW']);
      const fields = r[2]!['fields'] as { name: string; dataTypeID: number }[];
      assert.deepEqual(fields.map((f) => [f.name, f.dataTypeID]), [['transaction_isolation', 25]]);
      assert.equal(rowsOf(r).length, 1);
      assert.equal(r.at(-1)!['status'], 'I');
      const shown = await client.query('SHOW extra_float_digits');
      assert.deepEqual(rowsOf(shown), [['2']]);
    } finally {
      client.end();
    }
  });

  test('a SET of a reported setting to a new value sends ParameterStatus before CommandComplete', async () => {
    const { client } = await WireClient.login(fx);
    try {
      const r = await client.query("SET application_name = 'renamed'");
      assert.deepEqual(names(r), ['parameterStatus', 'commandComplete', 'readyForQuery']);
      assert.equal(r[0]!['parameterName'], 'application_name');
      assert.equal(r[0]!['parameterValue'], 'renamed');
    } finally {
      client.end();
    }
  });

  test('empty query strings get EmptyQueryResponse then ReadyForQuery', async () => {
    const { client } = await WireClient.login(fx);
    try {
      for (const sql of ['', '   ', ';', '-- only a comment']) {
        const r = await client.query(sql);
        assert.deepEqual(names(r), ['emptyQuery', 'readyForQuery'], `for ${JSON.stringify(sql)}`);
      }
    } finally {
      client.end();
    }
  });

  test('an error in the middle of a simple query string stops it there: later statements do not run', async () => {
    const { client } = await WireClient.login(fx);
    try {
      const r = await client.query('SELECT 1; SELECT * FROM no_such_table; SELECT 2');
      assert.deepEqual(names(r), ['rowDescription', 'dataRow', 'commandComplete', 'error', 'readyForQuery']);
      oneError(r, '42P01');
      assert.equal(r.at(-1)!['status'], 'I');
    } finally {
      client.end();
    }
  });

  test('Parse/Describe statement: declared OIDs kept, $1 against an int column as int4, untyped SELECT $1 as text; RowDescription; no API request', async () => {
    const { client } = await WireClient.login(fx);
    try {
      const seenBefore = fx.api.seen.length;
      client.send(
        serialize.parse({ name: 'declared', text: 'SELECT id, label FROM types WHERE id = $1', types: [20] }),
        serialize.describe({ type: 'S', name: 'declared' }),
        serialize.parse({ name: 'inferred', text: 'SELECT id, big, amount, ok, created, day, uid, label FROM types WHERE id = $1' }),
        serialize.describe({ type: 'S', name: 'inferred' }),
        serialize.parse({ name: 'untyped', text: 'SELECT $1' }),
        serialize.describe({ type: 'S', name: 'untyped' }),
        serialize.parse({ name: 'noresult', text: 'SET search_path = public' }),
        serialize.describe({ type: 'S', name: 'noresult' }),
        serialize.sync(),
      );
      const r = await client.until('readyForQuery');
      assert.deepEqual(names(r), [
        'parseComplete', 'parameterDescription', 'rowDescription',
        'parseComplete', 'parameterDescription', 'rowDescription',
        'parseComplete', 'parameterDescription', 'rowDescription',
        'parseComplete', 'parameterDescription', 'noData',
        'readyForQuery',
      ]);
      const params = r.filter((m) => m.name === 'parameterDescription').map((m) => m['dataTypeIDs']);
      assert.deepEqual(params, [[20], [23], [25], []]);
      const cols = r.filter((m) => m.name === 'rowDescription').map((m) => (m['fields'] as { name: string; dataTypeID: number; format: string }[]).map((f) => [f.name, f.dataTypeID, f.format]));
      assert.deepEqual(cols[0], [['id', 23, 'text'], ['label', 1043, 'text']]);
      assert.deepEqual(cols[1], [['id', 23, 'text'], ['big', 20, 'text'], ['amount', 701, 'text'], ['ok', 16, 'text'], ['created', 1114, 'text'], ['day', 1082, 'text'], ['uid', 2950, 'text'], ['label', 1043, 'text']]);
      assert.equal(cols[2]!.length, 1);
      assert.deepEqual(fx.api.seen.slice(seenBefore), [], 'Parse and Describe of a statement fetch nothing from the API');
    } finally {
      client.end();
    }
  });

  test('Bind with binary int8/int2 parameters; Execute with maxRows 2 over 5 rows suspends twice, then completes with the last call\'s count', async () => {
    const { client } = await WireClient.login(fx);
    try {
      client.send(
        serialize.parse({ name: 'page', text: 'SELECT id, name FROM big WHERE id > $1 ORDER BY id LIMIT $2', types: [20, 21] }),
        serialize.sync(),
      );
      assert.deepEqual(names(await client.until('readyForQuery')), ['parseComplete', 'readyForQuery']);
      // Portals end with their transaction: run the three Executes inside BEGIN.
      await client.query('BEGIN');
      // pg-protocol's serializer sends Buffer values with format 1 (binary).
      client.send(serialize.bind({ statement: 'page', portal: 'cur', values: [int8(10n), int2(5)] }), serialize.execute({ portal: 'cur', rows: 2 }), serialize.flush());
      const first = await client.until('portalSuspended');
      assert.deepEqual(names(first), ['bindComplete', 'dataRow', 'dataRow', 'portalSuspended']);
      assert.deepEqual(rowsOf(first), [['11', 'name-11'], ['12', 'name-12']]);
      client.send(serialize.execute({ portal: 'cur', rows: 2 }), serialize.flush());
      const second = await client.until('portalSuspended');
      assert.deepEqual(names(second), ['dataRow', 'dataRow', 'portalSuspended']);
      assert.deepEqual(rowsOf(second), [['13', 'name-13'], ['14', 'name-14']]);
      client.send(serialize.execute({ portal: 'cur', rows: 2 }), serialize.sync());
      const third = await client.until('readyForQuery');
      assert.deepEqual(names(third), ['dataRow', 'commandComplete', 'readyForQuery']);
      assert.deepEqual(rowsOf(third), [['15', 'name-15']]);
      // PostgreSQL 15 (pquery.c PortalRun: qc->nprocessed = the rows of this run) sends "SELECT 1"
      // here, the rows of this Execute, not of the whole portal; PostgreSQL 15.18 checked.
      assert.deepEqual(tags(third), ['SELECT 1']);
      assert.equal(third.at(-1)!['status'], 'T');
      await client.query('COMMIT');
    } finally {
      client.end();
    }
  });

  test('Execute with maxRows equal to the row count: PortalSuspended (PostgreSQL does not look ahead), then SELECT 0', async () => {
    const { client } = await WireClient.login(fx);
    try {
      client.send(
        serialize.parse({ text: 'SELECT id FROM big WHERE id <= 3 ORDER BY id' }),
        serialize.bind({ portal: 'p' }),
        serialize.execute({ portal: 'p', rows: 3 }),
        serialize.execute({ portal: 'p', rows: 3 }),
        serialize.sync(),
      );
      const r = await client.until('readyForQuery');
      // PostgreSQL 15.18 answers exactly this sequence for the same messages.
      assert.deepEqual(describeAll(r), describeAll([
        ...['parseComplete', 'bindComplete', 'dataRow', 'dataRow', 'dataRow', 'portalSuspended'].map((name) => ({ name, raw: Buffer.alloc(0) })),
        { name: 'commandComplete', text: 'SELECT 0', raw: Buffer.alloc(0) },
        { name: 'readyForQuery', status: 'I', raw: Buffer.alloc(0) },
      ]));
    } finally {
      client.end();
    }
  });

  test('an error in Bind skips every message until Sync: the Execute after it gets nothing', async () => {
    const { client } = await WireClient.login(fx);
    try {
      client.send(
        serialize.bind({ statement: 'never_parsed', portal: 'x' }),
        serialize.execute({ portal: 'x' }),
        serialize.describe({ type: 'P', name: 'x' }),
        serialize.parse({ name: 'after_error', text: 'SELECT 1' }),
        serialize.sync(),
      );
      const r = await client.until('readyForQuery');
      assert.deepEqual(names(r), ['error', 'readyForQuery']);
      oneError(r, '26000');
      // The Parse after the error was skipped too: the name is free.
      client.send(serialize.parse({ name: 'after_error', text: 'SELECT 1' }), serialize.sync());
      assert.deepEqual(names(await client.until('readyForQuery')), ['parseComplete', 'readyForQuery']);
      // A value the parameter type cannot read: 22P02 at Bind, and again nothing until Sync.
      client.send(
        serialize.parse({ name: 'typed', text: 'SELECT $1::int8 + 1 AS n' }),
        serialize.bind({ statement: 'typed', values: ['abc'] }),
        serialize.execute({}),
        serialize.sync(),
      );
      const bad = await client.until('readyForQuery');
      assert.deepEqual(names(bad), ['parseComplete', 'error', 'readyForQuery']);
      oneError(bad, '22P02');
      client.send(serialize.bind({ statement: 'typed', values: ['41'] }), serialize.execute({}), serialize.sync());
      const good = await client.until('readyForQuery');
      assert.deepEqual(rowsOf(good), [['42']]);
    } finally {
      client.end();
    }
  });

  test('after an error inside BEGIN: ReadyForQuery E, then 25P02 for simple and extended statements until ROLLBACK', async () => {
    const { client } = await WireClient.login(fx);
    try {
      assert.equal((await client.query('BEGIN')).at(-1)!['status'], 'T');
      const failed = await client.query('SELECT * FROM no_such_table');
      oneError(failed, '42P01');
      assert.equal(failed.at(-1)!['status'], 'E');
      const ignored = await client.query('SELECT 1');
      oneError(ignored, '25P02');
      assert.equal(ignored.at(-1)!['status'], 'E');
      client.send(serialize.parse({ text: 'SELECT 1' }), serialize.bind({}), serialize.execute({}), serialize.sync());
      const ext = await client.until('readyForQuery');
      assert.deepEqual(names(ext), ['error', 'readyForQuery']);
      oneError(ext, '25P02');
      assert.equal(ext.at(-1)!['status'], 'E');
      const rolled = await client.query('ROLLBACK');
      assert.deepEqual(tags(rolled), ['ROLLBACK']);
      assert.equal(rolled.at(-1)!['status'], 'I');
      assert.deepEqual(rowsOf(await client.query('SELECT 1')), [['1']]);
      // COMMIT of a failed transaction rolls back and says so.
      await client.query('BEGIN');
      await client.query('SELEC 1');
      const commit = await client.query('COMMIT');
      assert.deepEqual(tags(commit), ['ROLLBACK']);
      assert.equal(commit.at(-1)!['status'], 'I');
    } finally {
      client.end();
    }
  });

  test('Close statement and portal: CloseComplete even for names that do not exist; a closed statement cannot be bound', async () => {
    const { client } = await WireClient.login(fx);
    try {
      client.send(
        serialize.parse({ name: 'c1', text: 'SELECT 1' }),
        serialize.bind({ statement: 'c1', portal: 'cp' }),
        serialize.close({ type: 'P', name: 'cp' }),
        serialize.execute({ portal: 'cp' }),
        serialize.sync(),
      );
      const r = await client.until('readyForQuery');
      assert.deepEqual(names(r), ['parseComplete', 'bindComplete', 'closeComplete', 'error', 'readyForQuery']);
      oneError(r, '34000');
      client.send(serialize.close({ type: 'S', name: 'c1' }), serialize.close({ type: 'S', name: 'never' }), serialize.close({ type: 'P', name: 'never' }), serialize.bind({ statement: 'c1' }), serialize.sync());
      const c = await client.until('readyForQuery');
      assert.deepEqual(names(c), ['closeComplete', 'closeComplete', 'closeComplete', 'error', 'readyForQuery']);
      oneError(c, '26000');
    } finally {
      client.end();
    }
  });

  test('DEALLOCATE by simple query, then Bind to that name: 26000; DEALLOCATE of an unknown name: 26000', async () => {
    const { client } = await WireClient.login(fx);
    try {
      client.send(serialize.parse({ name: 'gone', text: 'SELECT 1' }), serialize.sync());
      assert.deepEqual(names(await client.until('readyForQuery')), ['parseComplete', 'readyForQuery']);
      assert.deepEqual(tags(await client.query('DEALLOCATE gone')), ['DEALLOCATE']);
      client.send(serialize.bind({ statement: 'gone' }), serialize.execute({}), serialize.sync());
      const r = await client.until('readyForQuery');
      assert.deepEqual(names(r), ['error', 'readyForQuery']);
      assert.match(String(oneError(r, '26000')['message']), /prepared statement "gone" does not exist/);
      oneError(await client.query('DEALLOCATE never_was'), '26000');
    } finally {
      client.end();
    }
  });

  test('Parse of a name in use: 42P05; the unnamed statement is replaced freely', async () => {
    const { client } = await WireClient.login(fx);
    try {
      client.send(serialize.parse({ name: 'dup', text: 'SELECT 1' }), serialize.parse({ name: 'dup', text: 'SELECT 2' }), serialize.sync());
      const r = await client.until('readyForQuery');
      assert.deepEqual(names(r), ['parseComplete', 'error', 'readyForQuery']);
      assert.match(String(oneError(r, '42P05')['message']), /prepared statement "dup" already exists/);
      client.send(serialize.parse({ text: 'SELECT 2' }), serialize.parse({ text: 'SELECT 3' }), serialize.bind({}), serialize.execute({}), serialize.sync());
      const u = await client.until('readyForQuery');
      assert.deepEqual(rowsOf(u), [['3']]);
      // The first 'dup' is still there and runs.
      client.send(serialize.bind({ statement: 'dup' }), serialize.execute({}), serialize.sync());
      assert.deepEqual(rowsOf(await client.until('readyForQuery')), [['1']]);
    } finally {
      client.end();
    }
  });

  test('binary result format: int4, int8, float8, bool, timestamp, date, uuid, varchar and NULL decoded from their send formats', async () => {
    const { client } = await WireClient.login(fx);
    try {
      client.send(
        serialize.parse({ text: 'SELECT id, big, amount, ok, created, day, uid, label, note FROM types WHERE id = 1' }),
        serialize.bind({ binary: true }),
        serialize.describe({ type: 'P', name: '' }),
        serialize.execute({}),
        serialize.sync(),
      );
      const r = await client.until('readyForQuery');
      assert.deepEqual(names(r), ['parseComplete', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
      const fields = r[2]!['fields'] as { dataTypeID: number; format: string }[];
      assert.ok(fields.every((f) => f.format === 'binary'), 'every column is described as binary');
      const [id, big, amount, ok, created, day, uid, label, note] = rawValues(r[3]!);
      const row = TYPED_ROWS[0];
      assert.equal(id!.length, 4);
      assert.equal(id!.readInt32BE(0), row.id);
      assert.equal(big!.readBigInt64BE(0), BigInt(row.big));
      assert.equal(amount!.readDoubleBE(0), row.amount);
      assert.deepEqual([...ok!], [1]);
      // timestamp: microseconds since 2000-01-01 00:00:00.
      const micros = BigInt(Date.UTC(2024, 0, 2, 3, 4, 5, 123) - Date.UTC(2000, 0, 1)) * 1000n + 456n;
      assert.equal(created!.readBigInt64BE(0), micros);
      // date: days since 2000-01-01.
      assert.equal(day!.readInt32BE(0), (Date.UTC(2024, 1, 29) - Date.UTC(2000, 0, 1)) / 86_400_000);
      assert.equal(uid!.toString('hex'), row.uid.replaceAll('-', ''));
      assert.equal(label!.toString('utf8'), row.label);
      assert.equal(note, null);
      // The same row in text matches (binary and text are the same values).
      const text = await client.query('SELECT id, big, amount, ok, created, day, uid, label FROM types WHERE id = 1');
      assert.deepEqual(rowsOf(text), [['1', row.big, '12.5', 't', '2024-01-02 03:04:05.123456', '2024-02-29', row.uid, 'plain']]);
      // UTF-8 text in binary: the bytes as sent.
      client.send(serialize.parse({ text: 'SELECT label FROM types WHERE id = 3' }), serialize.bind({ binary: true }), serialize.execute({}), serialize.sync());
      const utf = await client.until('readyForQuery');
      const dataRow = utf.find((m) => m.name === 'dataRow')!;
      assert.equal(rawValues(dataRow)[0]!.toString('utf8'), TYPED_ROWS[2].label);
    } finally {
      client.end();
    }
  });

  test('CancelRequest: a wrong key changes nothing, the right key cancels with 57014, the cancelling connection gets no reply, the session goes on', async () => {
    const { client, key } = await WireClient.login(fx);
    const releases: (() => void)[] = [];
    try {
      const asked = fx.api.seen.filter((p) => p.startsWith('/slow')).length;
      // 1. The right key, while the statement waits for the API.
      releases.push(fx.api.holdSlow());
      client.send(serialize.query('SELECT count(*) FROM slow'));
      await apiAsked(fx, '/slow', asked + 1);
      const right = await sendCancel(fx, key);
      assert.equal(right.received, 0, `a CancelRequest connection is closed without a reply, got ${describeAll(right.messages)}`);
      const cancelled = await client.until('readyForQuery', 'the cancelled statement');
      assert.deepEqual(names(cancelled), ['error', 'readyForQuery']);
      assert.equal(oneError(cancelled, '57014')['message'], 'canceling statement due to user request');
      assert.equal(cancelled.at(-1)!['status'], 'I');
      assert.deepEqual(rowsOf(await client.query('SELECT 1')), [['1']], 'the session works after a cancel');

      // 2. A wrong key (and an unknown process id): nothing happens; the statement completes once the API answers.
      releases.push(fx.api.holdSlow());
      client.send(serialize.query('SELECT count(*) FROM slow'));
      await apiAsked(fx, '/slow', asked + 2);
      for (const wrong of [{ processID: key.processID, secretKey: key.secretKey ^ 1 }, { processID: key.processID + 100_000, secretKey: key.secretKey }]) {
        const refused = await sendCancel(fx, wrong);
        assert.equal(refused.received, 0, 'a refused CancelRequest is not answered either');
      }
      assert.deepEqual(client.drain(), [], 'a wrong key did not cancel');
      for (const release of releases) release();
      const done = await client.until('readyForQuery', 'the statement after a wrong-key cancel');
      assert.deepEqual(errorsOf(done), []);
      assert.deepEqual(rowsOf(done), [['1']]);
      assert.ok(fx.log.some((l) => /cancel request .* refused/.test(l)), 'the refused cancel is logged');
    } finally {
      for (const release of releases) release();
      client.end();
    }
  });

  test('SSLRequest on a server without TLS: N, then the startup goes on in the clear; GSSENCRequest: N', async () => {
    const ssl = await WireClient.open(fx.port);
    try {
      ssl.expectByteAnswer();
      ssl.send(serialize.requestSsl());
      assert.equal((await ssl.next('the answer to SSLRequest'))['byte'], 'N');
      const login = await ssl.authenticate(fx.password);
      assert.equal(login.at(-1)!['status'], 'I');
      assert.deepEqual(rowsOf(await ssl.query('SELECT 2')), [['2']]);
    } finally {
      ssl.end();
    }
    const gss = await WireClient.open(fx.port);
    try {
      gss.expectByteAnswer();
      const req = Buffer.alloc(8);
      req.writeInt32BE(8, 0);
      req.writeInt32BE(80877104, 4);
      gss.send(req);
      assert.equal((await gss.next('the answer to GSSENCRequest'))['byte'], 'N');
      // Then SSLRequest, then the startup: each refused in turn, the login still works.
      gss.expectByteAnswer();
      gss.send(serialize.requestSsl());
      assert.equal((await gss.next('the answer to SSLRequest'))['byte'], 'N');
      assert.equal((await gss.authenticate(fx.password)).at(-1)!['status'], 'I');
    } finally {
      gss.end();
    }
  });

  test('protocol 2.0 startup: FATAL 08P01 naming protocol 3, then close', async () => {
    const c = await WireClient.open(fx.port);
    try {
      const user = Buffer.from('user\0tester\0\0');
      const packet = Buffer.alloc(8 + user.length);
      packet.writeInt32BE(packet.length, 0);
      packet.writeInt16BE(2, 4);
      packet.writeInt16BE(0, 6);
      user.copy(packet, 8);
      c.send(packet);
      const r = await c.untilClosed('after a protocol 2.0 startup');
      const e = oneError(r, '08P01');
      assert.equal(e['severity'], 'FATAL');
      assert.match(String(e['message']), /protocol 3/);
    } finally {
      c.end();
    }
  });

  test('startup packet without a user: FATAL 28000 as PostgreSQL sends', async () => {
    const c = await WireClient.open(fx.port);
    try {
      c.send(serialize.startup({ database: 'restsql' }));
      const r = await c.untilClosed('after a startup without user');
      const e = errorsOf(r)[0];
      assert.ok(e, `an error, got ${describeAll(r)}`);
      assert.equal(e['severity'], 'FATAL');
      assert.match(String(e['message']), /no PostgreSQL user name specified in startup packet/);
      // PostgreSQL 15 (postmaster.c ProcessStartupPacket): ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION.
      assert.equal(e['code'], '28000');
    } finally {
      c.end();
    }
  });

  test('wrong password: FATAL 28P01 after the SCRAM exchange, close, and a log line without the password', async () => {
    const c = await WireClient.open(fx.port);
    const wrong = 'not-the-Pässword-xyzzy';
    try {
      const r = await c.authenticate(wrong);
      r.push(...(await c.untilClosed('after a wrong password')));
      assert.deepEqual(names(r), ['authenticationSASL', 'authenticationSASLContinue', 'error']);
      const e = oneError(r, '28P01');
      assert.equal(e['severity'], 'FATAL');
      assert.equal(e['message'], 'password authentication failed for user "tester"');
      await eventually('the failed login is logged', () => fx.log.some((l) => /login failed/.test(l)));
      for (const line of fx.log) {
        assert.ok(!line.includes(wrong), `log line shows the wrong password: ${line}`);
        assert.ok(!line.includes(fx.password), `log line shows the password: ${line}`);
      }
    } finally {
      c.end();
    }
  });

  test('a client that sends a query and then shuts down its sending side still gets the whole answer, then the close', async () => {
    const { client } = await WireClient.login(fx);
    try {
      client.send(serialize.query('SELECT 1 AS one'));
      // TCP half-close (shutdown(SHUT_WR)): PostgreSQL 15.18 answers what it has read before the
      // end of the stream, then closes.
      client.socket.end();
      const r = await client.untilClosed('the answer after a half-close');
      assert.deepEqual(names(r), ['rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    } finally {
      client.end();
    }
  });

  test('a session that disconnects in the middle of a statement leaves the others working', async () => {
    const { client: a } = await WireClient.login(fx);
    const { client: b } = await WireClient.login(fx);
    try {
      a.send(serialize.query('SELECT * FROM big'));
      a.socket.destroy();
      assert.deepEqual(rowsOf(await b.query('SELECT count(*) FROM big')), [['1000']]);
    } finally {
      a.end();
      b.end();
    }
  });
});

describe('malformed messages (server with maxMessageBytes 4096)', () => {
  let fx: Served;
  before(async () => {
    fx = await serveFixture({ maxMessageBytes: 4096 });
  });
  after(async () => {
    await fx?.close();
  });

  const cases: { name: string; bytes: () => Buffer; message: RegExp }[] = [
    { name: 'garbage bytes', bytes: () => Buffer.from('\x00\x01\x02 not a message at all, just bytes'), message: /unknown type/ },
    { name: 'a message length of 3', bytes: () => Buffer.from([0x51, 0, 0, 0, 3]), message: /length of 3/ },
    { name: 'an oversize length (1 MiB Query)', bytes: () => Buffer.from([0x51, 0, 0x10, 0, 0]), message: /more than the 4096 bytes/ },
    { name: 'an oversize Query sent whole', bytes: () => serialize.query(`SELECT '${'x'.repeat(5000)}'`), message: /more than the 4096 bytes/ },
    { name: 'an unknown message type', bytes: () => Buffer.from([0x7a, 0, 0, 0, 4]), message: /unknown type/ },
  ];
  for (const c of cases) {
    test(`${c.name} after login: FATAL 08P01 and close; another session is unaffected`, async () => {
      const { client: other } = await WireClient.login(fx);
      const { client: bad } = await WireClient.login(fx);
      try {
        bad.send(c.bytes());
        const r = await bad.untilClosed(c.name);
        assert.deepEqual(names(r), ['error']);
        const e = oneError(r, '08P01');
        assert.equal(e['severity'], 'FATAL');
        assert.match(String(e['message']), c.message);
        assert.deepEqual(rowsOf(await other.query('SELECT 1')), [['1']]);
      } finally {
        bad.end();
        other.end();
      }
    });
  }

  test('a startup packet of length 3 or of garbage: FATAL 08P01 and close', async () => {
    for (const bytes of [Buffer.from([0, 0, 0, 3]), Buffer.from([0, 0, 0, 8, 1, 2, 3, 4])]) {
      const c = await WireClient.open(fx.port);
      try {
        c.send(bytes);
        const r = await c.untilClosed('a bad startup packet');
        const e = oneError(r, '08P01');
        assert.equal(e['severity'], 'FATAL');
      } finally {
        c.end();
      }
    }
  });

  test('a message that fits the limit still works (the limit is not off by one)', async () => {
    const { client } = await WireClient.login(fx);
    try {
      const sql = `SELECT '${'y'.repeat(3000)}' AS s`;
      const r = await client.query(sql);
      assert.equal((rowsOf(r)[0]![0] as string).length, 3000);
    } finally {
      client.end();
    }
  });
});

describe('limits', () => {
  test('session cap: with maxSessions 2 the third login gets FATAL 53300 too many clients; a slot freed is usable again', async () => {
    const fx = await serveFixture({ maxSessions: 2 });
    const clients: WireClient[] = [];
    try {
      clients.push((await WireClient.login(fx)).client, (await WireClient.login(fx)).client);
      assert.equal(fx.server.sessions, 2);
      const third = await WireClient.open(fx.port);
      clients.push(third);
      const r = await third.authenticate(fx.password);
      r.push(...(await third.untilClosed('the third session')));
      const e = oneError(r, '53300');
      assert.equal(e['severity'], 'FATAL');
      assert.match(String(e['message']), /too many clients/);
      clients[0]!.end();
      await eventually('the first session is counted out', () => fx.server.sessions === 1);
      const { client: fourth } = await WireClient.login(fx);
      clients.push(fourth);
      assert.deepEqual(rowsOf(await fourth.query('SELECT 1')), [['1']]);
    } finally {
      for (const c of clients) c.end();
      await fx.close();
    }
  });

  test('startup timeout: a connection that sends nothing gets FATAL 57P05 and is closed', async () => {
    const fx = await serveFixture({ startupTimeoutMs: 200 });
    try {
      const c = await WireClient.open(fx.port);
      const r = await c.untilClosed('a silent connection');
      const e = oneError(r, '57P05');
      assert.equal(e['severity'], 'FATAL');
      // One that sent a startup packet and then stalls in the SCRAM exchange as well.
      const half = await WireClient.open(fx.port);
      half.send(serialize.startup({ user: 'tester' }));
      const h = await half.untilClosed('a stalled login');
      assert.deepEqual(names(h), ['authenticationSASL', 'error']);
      oneError(h, '57P05');
    } finally {
      await fx.close();
    }
  });

  test('idle timeout: a logged-in session that sends nothing gets FATAL 57P05 and is closed', async () => {
    const fx = await serveFixture({ idleTimeoutMs: 200 });
    try {
      const { client } = await WireClient.login(fx);
      const r = await client.untilClosed('an idle session');
      const e = oneError(r, '57P05');
      assert.equal(e['severity'], 'FATAL');
      assert.match(String(e['message']), /idle/);
      await eventually('the idle session is counted out', () => fx.server.sessions === 0);
    } finally {
      await fx.close();
    }
  });

  test('a client that disconnects in the middle of a 200,000-row result: no crash, the session count returns to 0, the next session works', async () => {
    const fx = await serveFixture({ bigRows: 200_000 });
    try {
      const { client } = await WireClient.login(fx);
      client.send(serialize.query('SELECT * FROM big'));
      const start = client.received;
      await eventually('some rows arrive', () => client.received - start > 16 * 1024, 60_000);
      client.socket.destroy();
      await eventually(`the session is counted out (sessions: ${fx.server.sessions})`, () => fx.server.sessions === 0, 60_000);
      const { client: next } = await WireClient.login(fx);
      try {
        const r = await next.query('SELECT count(*) FROM big');
        assert.deepEqual(rowsOf(r), [['200000']]);
      } finally {
        next.end();
      }
      await eventually('the second session is counted out', () => fx.server.sessions === 0);
    } finally {
      await fx.close();
    }
  });
});
