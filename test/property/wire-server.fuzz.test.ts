/**
 * The whole server against what a client can send once logged in: random sequences of frontend
 * messages, valid ones (Query, Parse, Bind, Describe, Execute, Close, Sync, Flush built by
 * pg-protocol's serializer, with SQL from a small pool that includes invalid SQL) mixed with
 * mutated ones (a random type byte, a lying length, a cut message, flipped bytes, random bodies).
 *
 * After each sequence the client sends Sync and Terminate (and, after a mutated message, zeros
 * beyond the message limit, in case a lying length swallowed them), so every run ends:
 * the server must answer or close, with well-formed messages only (each decoded by pg-protocol's
 * Parser), never crash, never hang (each run has a deadline), and count the session out. A control
 * session opened at the start must answer SELECT 1 after every run. For runs of valid messages
 * only, the protocol's count holds exactly: one ReadyForQuery per Query and per Sync, no FATAL.
 *
 * Seeded and bounded; the seed is printed on failure and RESTSQL_FC_SEED replays it.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { Parser } from 'pg-protocol/dist/parser.js';
import { serialize } from 'pg-protocol/dist/serializer.js';
import { within } from '../support/deadline.js';
import { serveFixture, type Served } from '../support/serve.js';
import { sasl } from '../support/pg-sasl.js';

const SEED = Number(process.env.RESTSQL_FC_SEED ?? 20_261_203);
const RUNS = 60;
/** A run's deadline: generous for a loaded machine; a run that is well takes milliseconds. */
const RUN_DEADLINE = 30_000;
/** The fixture's message limit: mutated lengths above it must be refused, not waited for. */
const MAX_MESSAGE_BYTES = 8192;

type Got = { readonly name: string; readonly [field: string]: unknown };

/** A logged-in raw connection: whole messages framed here, each decoded by pg-protocol's Parser. */
class Wire {
  readonly socket: Socket;
  readonly messages: Got[] = [];
  /** What the server sent that no PostgreSQL client could read (checked by the run, not thrown from a socket handler). */
  readonly violations: string[] = [];
  closed = false;
  #buf = Buffer.alloc(0);
  #wake: (() => void) | undefined;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      while (this.#buf.length >= 5) {
        const length = this.#buf.readUInt32BE(1);
        if (length < 4) {
          this.violations.push(`a message of type ${this.#buf[0]} with length ${length}`);
          this.socket.destroy();
          return;
        }
        if (this.#buf.length < 1 + length) break;
        const raw = this.#buf.subarray(0, 1 + length);
        this.#buf = this.#buf.subarray(1 + length);
        let parsed = 0;
        try {
          new Parser().parse(Buffer.from(raw), (m) => {
            parsed++;
            const got = m as unknown as Got;
            // pg-protocol's answer to a message code it does not know.
            if (got.name === 'error' && /^received invalid response/.test(String(got['message']))) this.violations.push(`an unknown message: ${raw.subarray(0, 32).toString('hex')}`);
            this.messages.push(got);
          });
        } catch (e) {
          this.violations.push(`a message pg-protocol cannot decode (${String(e)}): ${raw.subarray(0, 32).toString('hex')}`);
        }
        if (parsed !== 1) this.violations.push(`a frame that decodes to ${parsed} messages`);
      }
      this.#notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#notify();
    });
    socket.on('error', () => undefined);
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  /** Waits until `done()` holds (checked after each arrival or the close). */
  async wait(what: string, done: () => boolean, ms = RUN_DEADLINE): Promise<void> {
    await within(ms, () => `${what} (got ${this.messages.map((m) => m.name).join(', ')})`, (async () => {
      while (!done()) {
        if (this.closed) throw new Error(`the server closed the connection: ${what}`);
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    })());
  }

  async untilClosed(what: string): Promise<void> {
    await within(RUN_DEADLINE, () => `${what}: the server closes (got ${this.messages.map((m) => m.name).join(', ')})`, (async () => {
      while (!this.closed) await new Promise<void>((resolve) => (this.#wake = resolve));
    })());
  }

  send(b: Buffer): void {
    if (!this.closed && this.socket.writable) this.socket.write(b);
  }

  static async login(fx: Served): Promise<Wire> {
    const socket = connect({ host: '127.0.0.1', port: fx.port });
    await within(RUN_DEADLINE, 'connect', new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    }));
    const w = new Wire(socket);
    const at = () => w.messages.length;
    w.send(serialize.startup({ user: 'fuzzer', database: 'restsql' }));
    await w.wait('AuthenticationSASL', () => at() >= 1);
    const session = sasl.startSession(w.messages[0]!['mechanisms'] as string[]);
    w.send(serialize.sendSASLInitialResponseMessage(session.mechanism, session.response));
    await w.wait('AuthenticationSASLContinue', () => at() >= 2);
    await sasl.continueSession(session, fx.password, w.messages[1]!['data'] as string);
    w.send(serialize.sendSCRAMClientFinalMessage(session.response));
    await w.wait('ReadyForQuery after login', () => w.messages.some((m) => m.name === 'readyForQuery'));
    w.messages.length = 0;
    return w;
  }
}

// --- What the fuzzer sends --------------------------------------------------------------------

const SQL = [
  'SELECT 1',
  'SELECT id, label FROM types WHERE id = $1',
  'SELECT $1::int8 + 1 AS n',
  'SELECT $1, $2',
  'SELECT id, name FROM big ORDER BY id LIMIT 25',
  'SELECT count(*) FROM items',
  'SELEC 1',
  'SELECT * FROM no_such_table',
  "SELECT 'unterminated",
  'SELECT 1; SELECT 2',
  'SELECT 1/0',
  '',
  'BEGIN',
  'COMMIT',
  'ROLLBACK',
  'SAVEPOINT s',
  'ROLLBACK TO SAVEPOINT s',
  'SET statement_timeout = 0',
  "SET DateStyle = 'German'",
  'SHOW DateStyle',
  'DEALLOCATE ALL',
  'DISCARD ALL',
  'LISTEN chan',
  'COPY (SELECT id FROM types) TO STDOUT',
  'COPY types FROM STDIN',
  'CREATE TEMP TABLE t AS SELECT 1 AS x',
  'INSERT INTO types VALUES (9)',
  // The catalog (PostgreSQL in a worker thread): with parameters, errors, a set_config, a mix.
  "SELECT relname FROM pg_catalog.pg_class WHERE relname = $1",
  'SELECT c.relname, a.attname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid WHERE c.relnamespace = \'public\'::regnamespace LIMIT 5',
  'SELECT nosuch FROM pg_catalog.pg_class',
  "SELECT pg_catalog.set_config('search_path', 'public', false)",
  'SELECT * FROM pg_class JOIN items ON true',
  'SELECT version()',
];
const NAMES = ['', 'a', 'b'];

const sqlArb = fc.constantFrom(...SQL);
const nameArb = fc.constantFrom(...NAMES);
/** A parameter: text, a binary int4/int8, random bytes, or NULL. */
const paramArb: fc.Arbitrary<string | Buffer | null> = fc.oneof(
  fc.constantFrom('1', '2', '-42', 'abc', '', '9007199254740993', '2024-02-29', 't'),
  fc.integer().map((n) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    return b;
  }),
  fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)),
  fc.constant(null),
);

type Valid =
  | { kind: 'query'; sql: string }
  | { kind: 'parse'; name: string; sql: string; types: number[] }
  | { kind: 'bind'; portal: string; statement: string; values: (string | Buffer | null)[]; binary: boolean }
  | { kind: 'describe'; type: 'S' | 'P'; name: string }
  | { kind: 'execute'; portal: string; rows: number }
  | { kind: 'close'; type: 'S' | 'P'; name: string }
  | { kind: 'sync' }
  | { kind: 'flush' };

const validArb: fc.Arbitrary<Valid> = fc.oneof(
  fc.record({ kind: fc.constant('query' as const), sql: sqlArb }),
  fc.record({ kind: fc.constant('parse' as const), name: nameArb, sql: sqlArb, types: fc.array(fc.constantFrom(0, 16, 20, 21, 23, 25, 1043, 1114, 3802), { maxLength: 3 }) }),
  fc.record({ kind: fc.constant('bind' as const), portal: nameArb, statement: nameArb, values: fc.array(paramArb, { maxLength: 3 }), binary: fc.boolean() }),
  fc.record({ kind: fc.constant('describe' as const), type: fc.constantFrom('S' as const, 'P' as const), name: nameArb }),
  fc.record({ kind: fc.constant('execute' as const), portal: nameArb, rows: fc.constantFrom(0, 1, 2, 10) }),
  fc.record({ kind: fc.constant('close' as const), type: fc.constantFrom('S' as const, 'P' as const), name: nameArb }),
  fc.constant({ kind: 'sync' as const }),
  fc.constant({ kind: 'flush' as const }),
);

function encode(m: Valid): Buffer {
  switch (m.kind) {
    case 'query':
      return serialize.query(m.sql);
    case 'parse':
      return serialize.parse({ name: m.name, text: m.sql, types: m.types });
    case 'bind':
      return serialize.bind({ portal: m.portal, statement: m.statement, values: m.values, binary: m.binary });
    case 'describe':
      return serialize.describe({ type: m.type, name: m.name });
    case 'execute':
      return serialize.execute({ portal: m.portal, rows: m.rows });
    case 'close':
      return serialize.close({ type: m.type, name: m.name });
    case 'sync':
      return serialize.sync();
    case 'flush':
      return serialize.flush();
  }
}

type Mutation =
  | { how: 'type'; byte: number }
  | { how: 'length'; length: number }
  | { how: 'cut'; at: number }
  | { how: 'flip'; positions: number[]; values: number[] };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ how: fc.constant('type' as const), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ how: fc.constant('length' as const), length: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: MAX_MESSAGE_BYTES * 3 })) }),
  fc.record({ how: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ how: fc.constant('flip' as const), positions: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), values: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }) }),
);

function mutate(bytes: Buffer, m: Mutation): Buffer {
  const b = Buffer.from(bytes);
  switch (m.how) {
    case 'type':
      b[0] = m.byte;
      return b;
    case 'length':
      b.writeUInt32BE(m.length, 1);
      return b;
    case 'cut':
      return b.subarray(0, m.at % b.length);
    case 'flip':
      // Body bytes only (type and length stay), so the framing holds and the reader sees bad content.
      if (b.length > 5) m.positions.forEach((p, i) => (b[5 + (p % (b.length - 5))] = m.values[i]!));
      return b;
  }
}

type Step = { valid: Valid } | { valid: Valid; mutation: Mutation } | { type: number; body: Uint8Array };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: validArb.map((valid) => ({ valid })) },
  { weight: 2, arbitrary: fc.record({ valid: validArb, mutation: mutationArb }) },
  { weight: 1, arbitrary: fc.record({ type: fc.integer({ min: 0, max: 255 }), body: fc.uint8Array({ maxLength: 64 }) }) },
);

function bytesOf(s: Step): Buffer {
  if ('type' in s) {
    const b = Buffer.alloc(5 + s.body.length);
    b[0] = s.type;
    b.writeUInt32BE(4 + s.body.length, 1);
    Buffer.from(s.body).copy(b, 5);
    return b;
  }
  const bytes = encode(s.valid);
  return 'mutation' in s ? mutate(bytes, s.mutation) : bytes;
}

/**
 * How many ReadyForQuery messages a sequence of valid messages (and the final Sync) gets: one per
 * Sync; one per Query, except that a Query after an extended-protocol message with no Sync between
 * is skipped if that message failed (PostgreSQL 15 "Extended Query": after an error the server
 * discards messages until Sync, Query included), which the test cannot know in advance.
 */
function readyForQueryCount(kinds: readonly Valid['kind'][]): { min: number; max: number } {
  let min = 1;
  let max = 1;
  let atRisk = false;
  for (const k of kinds) {
    if (k === 'sync') {
      min++;
      max++;
      atRisk = false;
    } else if (k === 'query') {
      max++;
      if (!atRisk) min++;
    } else if (k !== 'flush') atRisk = true;
  }
  return { min, max };
}

const isValidOnly = (steps: readonly Step[]) => steps.every((s) => 'valid' in s && !('mutation' in s));

// --- The property -----------------------------------------------------------------------------

let fx: Served;
let control: Wire;

before(async () => {
  fx = await serveFixture({ maxMessageBytes: MAX_MESSAGE_BYTES });
  control = await Wire.login(fx);
});

after(async () => {
  control?.socket.destroy();
  await fx?.close();
});

async function controlAnswers(): Promise<void> {
  control.messages.length = 0;
  control.send(serialize.query('SELECT 1 AS alive'));
  await control.wait('the control session answers SELECT 1', () => control.messages.some((m) => m.name === 'readyForQuery'));
  const rows = control.messages.filter((m) => m.name === 'dataRow').map((m) => m['fields']);
  assert.deepEqual(rows, [['1']], 'the control session still answers');
}

/** One run: log in, send the steps, then Sync, Terminate and the end of the stream; check the answers. */
async function runOnce(steps: readonly Step[]): Promise<void> {
  const w = await Wire.login(fx);
  try {
    for (const s of steps) w.send(bytesOf(s));
    w.send(serialize.sync());
    w.send(serialize.end());
    // A mutated length can leave the server waiting for the rest of a message that swallowed the
    // Sync and Terminate: zeros fill any body up to the limit, and then a zero type byte is a
    // protocol violation that must end the session. (A valid stream ends with Terminate.)
    if (!isValidOnly(steps)) w.send(Buffer.alloc(MAX_MESSAGE_BYTES + 16));
    await w.untilClosed(`after ${steps.length} messages`);

    assert.deepEqual(w.violations, [], 'every server message is well formed');
    const ms = w.messages;
    for (const [i, m] of ms.entries()) {
      assert.notEqual(m.name, 'authenticationOk', 'no second login');
      if (m.name === 'error' || m.name === 'notice') {
        assert.match(String(m['code']), /^[0-9A-Z]{5}$/, `a SQLSTATE: ${JSON.stringify(m)}`);
        assert.ok(typeof m['message'] === 'string' && m['message'].length > 0, 'an error says what is wrong');
        assert.ok(['ERROR', 'FATAL', 'WARNING', 'NOTICE'].includes(String(m['severity'])), `severity ${String(m['severity'])}`);
        if (m['severity'] === 'FATAL') assert.equal(i, ms.length - 1, 'a FATAL error is the last message before the close');
      }
      if (m.name === 'readyForQuery') assert.ok(['I', 'T', 'E'].includes(String(m['status'])));
    }
    if (isValidOnly(steps)) {
      const fatal = ms.filter((m) => m.name === 'error' && m['severity'] === 'FATAL');
      assert.deepEqual(fatal, [], 'valid messages never end the session');
      const { min, max } = readyForQueryCount(steps.map((s) => ('valid' in s ? s.valid.kind : 'query')));
      const got = ms.filter((m) => m.name === 'readyForQuery').length;
      assert.ok(got >= min && got <= max, `ReadyForQuery ${got} times; one per Sync and per Query that is not skipped after an extended-protocol error: ${min}..${max}`);
      assert.equal(ms.at(-1)?.name, 'readyForQuery', 'the last Sync is answered');
    }
  } finally {
    w.socket.destroy();
  }
  await within(RUN_DEADLINE, () => `the session is counted out (sessions: ${fx.server.sessions})`, (async () => {
    while (fx.server.sessions > 1) await new Promise((r) => setTimeout(r, 5));
  })());
  await controlAnswers();
}

/** fast-check's report with the property's own error (its cause) and how to replay it. */
function failure(seed: number, e: unknown): Error {
  const report = e instanceof Error ? e.message : String(e);
  const cause = e instanceof Error && e.cause instanceof Error ? `\n${e.cause.message}` : '';
  return new Error(`replay with RESTSQL_FC_SEED=${seed}: ${report}${cause}`, { cause: e });
}

test('random and mutated frontend message sequences after login: the server answers or closes, never crashes or hangs; a control session keeps answering', async () => {
  const property = fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 14 }), async (steps) => {
    await within(RUN_DEADLINE * 3, 'one fuzz run', runOnce(steps));
  });
  try {
    await fc.assert(property, { seed: SEED, numRuns: RUNS, endOnFailure: true });
  } catch (e) {
    throw failure(SEED, e);
  }
  assert.equal(fx.server.sessions, 1, 'only the control session is left');
});

test('valid sequences only: each Query and each Sync is answered by exactly one ReadyForQuery', async () => {
  const property = fc.asyncProperty(fc.array(validArb.map((valid): Step => ({ valid })), { minLength: 1, maxLength: 14 }), async (steps) => {
    await within(RUN_DEADLINE * 3, 'one fuzz run', runOnce(steps));
  });
  try {
    // Its own stream of cases from the same seed.
    await fc.assert(property, { seed: SEED ^ 0x5a5a, numRuns: RUNS, endOnFailure: true });
  } catch (e) {
    throw failure(SEED, e);
  }
});
