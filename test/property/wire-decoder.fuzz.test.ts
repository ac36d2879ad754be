/**
 * FrontendReader against what a network can bring: (a) arbitrary and mutated bytes in arbitrary
 * chunkings end in messages, "need more bytes" or a SERVER_PROTOCOL error, never another error,
 * never a loop that does not advance, never more bytes held than one message and one chunk; (b)
 * valid message sequences built from arbitrary field values by node-postgres's serializer
 * (pg-protocol) come back field for field under any chunking. Seeded and bounded; the seed is
 * printed on failure (RESTSQL_FC_SEED replays it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { serialize } from 'pg-protocol/dist/serializer.js';
import { RestSqlError } from '../../src/errors/index.js';
import { FrontendReader, MAX_STARTUP_PACKET_BYTES, isFatalProtocolError, readPasswordMessage, readSaslInitial, type FrontendMessage, type StartupPacket } from '../../src/server/protocol/frontend.js';

const SEED = Number(process.env.RESTSQL_FC_SEED ?? 20261208);
const RUNS = 300;

function check<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void, runs = RUNS): void {
  const out = fc.check(fc.property(arb, predicate), { seed: SEED, numRuns: runs, endOnFailure: true });
  if (out.failed) {
    const why = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    assert.fail(`fuzz failure (replay with RESTSQL_FC_SEED=${SEED}): ${why}\n${(fc.defaultReportMessage(out) ?? '').slice(0, 4000)}`);
  }
}

/** Cuts `bytes` at the given points (taken modulo its length). */
function chunked(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].filter((c) => c > 0).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

type Outcome = { startup: StartupPacket[]; messages: FrontendMessage[]; error?: RestSqlError };

/**
 * Feeds the chunks as a server would: after each push, read until "need more". The startup phase
 * reads startup packets until a StartupMessage; then typed messages. A non-fatal error is counted
 * and reading goes on; a fatal one ends the connection. Checks the bound on bytes held, and that
 * every read either returns undefined, throws, or consumes bytes (so the loop always ends).
 */
function feed(chunks: readonly Buffer[], maxMessageBytes: number, startupFirst: boolean): Outcome {
  const reader = new FrontendReader({ maxMessageBytes });
  const out: Outcome = { startup: [], messages: [] };
  let inStartup = startupFirst;
  const cap = Math.max(maxMessageBytes + 1, MAX_STARTUP_PACKET_BYTES);
  for (const chunk of chunks) {
    const before = reader.buffered;
    try {
      reader.push(chunk);
    } catch (e) {
      assert.ok(out.error, 'push throws only after a fatal error');
      assert.equal(e, out.error);
      return out;
    }
    assert.equal(reader.buffered, before + chunk.length);
    for (;;) {
      const held = reader.buffered;
      let got: StartupPacket | FrontendMessage | undefined;
      try {
        if (inStartup) {
          const p = reader.readStartup();
          if (p) out.startup.push(p);
          if (p?.kind === 'startup') inStartup = false;
          got = p;
        } else {
          const m = reader.read();
          if (m) out.messages.push(m);
          got = m;
        }
      } catch (e) {
        if (!(e instanceof RestSqlError) || e.code !== 'SERVER_PROTOCOL') throw new Error(`not a SERVER_PROTOCOL error: ${(e as Error)?.stack ?? String(e)}`);
        if (isFatalProtocolError(e)) {
          out.error = e;
          // A broken reader stays broken.
          assert.throws(() => (inStartup ? reader.readStartup() : reader.read()), (again: unknown) => again === e);
          return out;
        }
        assert.ok(reader.buffered < held, 'a malformed message is consumed');
        continue;
      }
      if (got === undefined) break;
      assert.ok(reader.buffered < held, 'a decoded message consumes bytes');
    }
    assert.ok(reader.buffered <= cap, `${reader.buffered} bytes held past one message's cap ${cap}`);
  }
  return out;
}

const cuts = fc.array(fc.nat({ max: 100_000 }), { maxLength: 40 });
const cap = fc.integer({ min: 5, max: 4096 });

/**
 * Random garbage framed as messages: a known type byte (mostly), a declared length near the body's
 * (mostly), a random body. Pure random bytes die at the first type byte; these reach the decoders
 * of every message body.
 */
const framedGarbage = fc
  .array(
    fc.record({
      type: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...'QPBDECSHXpdcfF'.split('').map((c) => c.charCodeAt(0))) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
      body: fc.uint8Array({ maxLength: 120 }),
      slack: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: -8, max: 8 }) }),
    }),
    { maxLength: 20 },
  )
  .map((frames) =>
    Buffer.concat(
      frames.map(({ type, body, slack }) => {
        const head = Buffer.alloc(5);
        head[0] = type;
        head.writeUInt32BE(Math.max(0, body.length + 4 + slack), 1);
        return Buffer.concat([head, body]);
      }),
    ),
  );

test('(a) random bytes in random chunkings: messages, "need more", or SERVER_PROTOCOL; bounded and always advancing', () => {
  const bytes = fc.oneof(fc.uint8Array({ maxLength: 3000, size: 'max' }).map((b) => Buffer.from(b)), framedGarbage);
  check(fc.record({ bytes, cuts, cap, startupFirst: fc.boolean() }), ({ bytes: b, cuts: at, cap: max, startupFirst }) => {
    feed(chunked(b, at), max, startupFirst);
  });
});

/** A handful of valid messages to mutate: the flips land in lengths, counts, strings and NULs alike. */
const SEEDS: readonly Buffer[] = [
  Buffer.concat([serialize.startup({ user: 'ann', database: 'db' }), serialize.query('SELECT 1'), serialize.sync()]),
  Buffer.concat([serialize.parse({ name: 's', text: 'SELECT $1, $2', types: [23, 0] }), serialize.bind({ statement: 's', values: ['1', null, Buffer.from([1, 2])], binary: true }), serialize.describe({ type: 'P' }), serialize.execute({ rows: 5 }), serialize.sync()]),
  Buffer.concat([serialize.requestSsl(), serialize.cancel(1, 2)]),
  Buffer.concat([serialize.password('pw'), serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'n,,n=,r=abc'), serialize.copyData(Buffer.from('a\tb\n')), serialize.copyDone(), serialize.copyFail('x'), serialize.close({ type: 'S', name: 's' }), serialize.flush(), serialize.end()]),
];

test('(a) mutated valid streams: the same guarantees where the damage is subtle', () => {
  const edit = fc.tuple(fc.nat(), fc.constantFrom('set', 'insert', 'delete'), fc.integer({ min: 0, max: 255 }));
  check(fc.record({ seed: fc.constantFrom(...SEEDS), edits: fc.array(edit, { minLength: 1, maxLength: 4 }), cuts, cap: fc.integer({ min: 5, max: 300 }), startupFirst: fc.boolean() }), ({ seed, edits, cuts: at, cap: max, startupFirst }) => {
    const bytes = [...seed];
    for (const [pos, op, value] of edits) {
      const i = pos % (bytes.length + 1);
      if (op === 'insert') bytes.splice(i, 0, value);
      else if (op === 'delete') bytes.splice(i, 1);
      else if (i < bytes.length) bytes[i] = value;
    }
    feed(chunked(Buffer.from(bytes), at), max, startupFirst);
  });
});

/** Strings as clients send them: any Unicode (astral planes, combining marks), no NUL (a C string cannot hold one). */
const text = (maxLength = 30) => fc.string({ unit: 'grapheme', maxLength }).map((s) => s.replaceAll('\0', ''));
const bytesArb = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b));
const oid = fc.nat({ max: 0xffffffff });

/** One message: its pg-protocol bytes and what FrontendReader must make of them. */
type Case = { bytes: Buffer; expected: FrontendMessage; check?: (m: FrontendMessage) => void };

const message: fc.Arbitrary<Case> = fc.oneof(
  text(200).map((sql): Case => ({ bytes: serialize.query(sql), expected: { type: 'query', sql } })),
  fc.record({ name: text(), sql: text(200), types: fc.array(oid, { maxLength: 40 }) }).map(({ name, sql, types }): Case => ({
    bytes: serialize.parse({ name, text: sql, types }),
    expected: { type: 'parse', statement: name, sql, paramTypes: types },
  })),
  fc.record({ portal: text(), statement: text(), values: fc.array(fc.oneof(text(), bytesArb, fc.constant(null)), { maxLength: 100 }), binary: fc.boolean() }).map(({ portal, statement, values, binary }): Case => ({
    bytes: serialize.bind({ portal, statement, values, binary }),
    expected: {
      type: 'bind',
      portal,
      statement,
      paramFormats: values.map((v) => (Buffer.isBuffer(v) ? 1 : 0)),
      params: values.map((v) => (v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(v))),
      resultFormats: [binary ? 1 : 0],
    },
  })),
  fc.record({ target: fc.constantFrom('S' as const, 'P' as const), name: text(), close: fc.boolean() }).map(({ target, name, close }): Case => ({
    bytes: close ? serialize.close({ type: target, name }) : serialize.describe({ type: target, name }),
    expected: { type: close ? 'close' : 'describe', target: target === 'S' ? 'statement' : 'portal', name },
  })),
  fc.record({ portal: text(), rows: fc.nat({ max: 0xffffffff }) }).map(({ portal, rows }): Case => ({
    bytes: serialize.execute({ portal, rows }),
    expected: { type: 'execute', portal, maxRows: rows },
  })),
  fc.constantFrom<Case>(
    { bytes: serialize.sync(), expected: { type: 'sync' } },
    { bytes: serialize.flush(), expected: { type: 'flush' } },
    { bytes: serialize.end(), expected: { type: 'terminate' } },
    { bytes: serialize.copyDone(), expected: { type: 'copyDone' } },
  ),
  bytesArb.map((data): Case => ({ bytes: serialize.copyData(data), expected: { type: 'copyData', data } })),
  text(100).map((m): Case => ({ bytes: serialize.copyFail(m), expected: { type: 'copyFail', message: m } })),
  text().map((pw): Case => {
    const bytes = serialize.password(pw);
    return { bytes, expected: { type: 'password', body: bytes.subarray(5) }, check: (m) => assert.equal(readPasswordMessage((m as { body: Buffer }).body), pw) };
  }),
  fc.record({ mechanism: text(), data: text(100) }).map(({ mechanism, data }): Case => {
    const bytes = serialize.sendSASLInitialResponseMessage(mechanism, data);
    return { bytes, expected: { type: 'password', body: bytes.subarray(5) }, check: (m) => assert.deepEqual(readSaslInitial((m as { body: Buffer }).body), { mechanism, data: Buffer.from(data) }) };
  }),
);

const startupParams = fc.dictionary(
  text(20).filter((k) => k !== '' && k !== 'client_encoding'),
  text(),
  { maxKeys: 8 },
);

test('(b) valid sequences from arbitrary field values round-trip under random chunking', () => {
  check(fc.record({ ssl: fc.boolean(), params: startupParams, messages: fc.array(message, { maxLength: 25 }), cuts }), ({ ssl, params, messages, cuts: at }) => {
    const startup = serialize.startup(params);
    const bytes = Buffer.concat([...(ssl ? [serialize.requestSsl()] : []), startup, ...messages.map((m) => m.bytes)]);
    const out = feed(chunked(bytes, at), 1 << 20, true);
    assert.equal(out.error, undefined, out.error?.message);
    assert.deepEqual(out.startup, [...(ssl ? [{ kind: 'ssl' }] : []), { kind: 'startup', major: 3, minor: 0, params: new Map([...Object.entries(params), ['client_encoding', 'UTF8']]) }]);
    assert.deepEqual(out.messages, messages.map((m) => m.expected));
    messages.forEach((m, i) => m.check?.(out.messages[i] as FrontendMessage));
  });
});
