/**
 * FrontendReader against the bytes node-postgres's serializer (pg-protocol) writes, which is what
 * a real client sends: each message decoded exactly, whole, one byte at a time and in odd chunks;
 * then malformed input, each refused with SERVER_PROTOCOL and a message that names the problem.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serialize } from 'pg-protocol/dist/serializer.js';
import { RestSqlError } from '../../../src/errors/index.js';
import {
  FrontendReader,
  isFatalProtocolError,
  readPasswordMessage,
  readSaslInitial,
  type FrontendMessage,
  type StartupPacket,
} from '../../../src/server/protocol/frontend.js';

const LIMITS = { maxMessageBytes: 1 << 20 };

/** Pushes `bytes` in chunks of the given sizes (cycled), reading every typed message after each push. */
function readAll(bytes: Buffer, chunkSizes: readonly number[] = [bytes.length || 1], reader = new FrontendReader(LIMITS)): FrontendMessage[] {
  const out: FrontendMessage[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, chunkSizes[i++ % chunkSizes.length] ?? 1);
    reader.push(bytes.subarray(at, at + size));
    at += size;
    for (let m = reader.read(); m !== undefined; m = reader.read()) out.push(m);
  }
  assert.equal(reader.buffered, 0, 'every byte decoded');
  return out;
}

/** The same, for startup-phase packets. */
function readStartups(bytes: Buffer, chunkSizes: readonly number[] = [bytes.length]): StartupPacket[] {
  const reader = new FrontendReader(LIMITS);
  const out: StartupPacket[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, chunkSizes[i++ % chunkSizes.length] ?? 1);
    reader.push(bytes.subarray(at, at + size));
    at += size;
    for (let p = reader.readStartup(); p !== undefined; p = reader.readStartup()) out.push(p);
  }
  assert.equal(reader.buffered, 0);
  return out;
}

const CHUNKINGS: readonly (readonly number[])[] = [[1 << 30], [1], [2, 3, 5, 7, 11], [4096, 1]];

/** Decodes under every chunking and checks they all agree with `expected`. */
function decodesTo(bytes: Buffer, expected: unknown[]): void {
  for (const chunks of CHUNKINGS) assert.deepEqual(readAll(bytes, chunks), expected, `chunks ${chunks.join(',')}`);
}

test('StartupMessage: protocol 3.0 and its parameters, as pg sends them', () => {
  const bytes = serialize.startup({ user: 'ann', database: 'sales', application_name: 'psql ✓', options: '-c search_path=x' });
  for (const chunks of CHUNKINGS) {
    const [p, ...rest] = readStartups(bytes, chunks);
    assert.equal(rest.length, 0);
    assert.deepEqual(p, {
      kind: 'startup',
      major: 3,
      minor: 0,
      params: new Map([
        ['user', 'ann'],
        ['database', 'sales'],
        ['application_name', 'psql ✓'],
        ['options', '-c search_path=x'],
        ['client_encoding', 'UTF8'],
      ]),
    });
  }
});

test('SSLRequest, GSSENCRequest and CancelRequest; SSLRequest then StartupMessage in one chunk', () => {
  const gssenc = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]);
  const bytes = Buffer.concat([serialize.requestSsl(), gssenc, serialize.cancel(4242, -123456789), serialize.startup({ user: 'u' })]);
  for (const chunks of CHUNKINGS) {
    assert.deepEqual(readStartups(bytes, chunks), [
      { kind: 'ssl' },
      { kind: 'gssenc' },
      { kind: 'cancel', processId: 4242, secretKey: -123456789 },
      { kind: 'startup', major: 3, minor: 0, params: new Map([['user', 'u'], ['client_encoding', 'UTF8']]) },
    ]);
  }
});

test('a newer minor version (3.2) and _pq_ options are handed on for NegotiateProtocolVersion', () => {
  const body = Buffer.from('user\0ann\0_pq_.compression\0on\0\0');
  const packet = Buffer.alloc(8 + body.length);
  packet.writeInt32BE(packet.length, 0);
  packet.writeInt32BE((3 << 16) | 2, 4);
  body.copy(packet, 8);
  assert.deepEqual(readStartups(packet), [{ kind: 'startup', major: 3, minor: 2, params: new Map([['user', 'ann'], ['_pq_.compression', 'on']]) }]);
});

test('the startup packet and the first typed messages in one chunk: each phase reads its own', () => {
  const reader = new FrontendReader(LIMITS);
  reader.push(Buffer.concat([serialize.startup({ user: 'ann' }), serialize.password('pw'), serialize.query('SELECT 1')]));
  assert.equal(reader.readStartup()?.kind, 'startup');
  const p = reader.read();
  assert.ok(p?.type === 'password');
  assert.equal(readPasswordMessage(p.body), 'pw');
  assert.deepEqual(reader.read(), { type: 'query', sql: 'SELECT 1' });
  assert.equal(reader.read(), undefined);
  assert.equal(reader.buffered, 0);
});

test('Query, including an empty one and unicode', () => {
  decodesTo(Buffer.concat([serialize.query('SELECT 1'), serialize.query(''), serialize.query("SELECT 'Grüße 🌍' AS \"✓\"; SELECT 2")]), [
    { type: 'query', sql: 'SELECT 1' },
    { type: 'query', sql: '' },
    { type: 'query', sql: "SELECT 'Grüße 🌍' AS \"✓\"; SELECT 2" },
  ]);
});

test('Parse: named and unnamed, with unspecified, ordinary and unsigned parameter OIDs', () => {
  decodesTo(Buffer.concat([serialize.parse({ text: 'SELECT $1' }), serialize.parse({ name: 's1', text: 'SELECT $1, $2, $3', types: [0, 23, 3_000_000_000] })]), [
    { type: 'parse', statement: '', sql: 'SELECT $1', paramTypes: [] },
    { type: 'parse', statement: 's1', sql: 'SELECT $1, $2, $3', paramTypes: [0, 23, 3_000_000_000] },
  ]);
});

test('Bind: text, binary and NULL parameters, per-parameter formats, and binary results', () => {
  const bin = Buffer.from([0, 0, 0, 42, 0xff, 0]);
  const bytes = serialize.bind({ portal: 'p1', statement: 's1', values: ['hello', null, bin, '', 'ü'], binary: true });
  for (const chunks of CHUNKINGS) {
    const [m] = readAll(bytes, chunks);
    assert.ok(m?.type === 'bind');
    assert.equal(m.portal, 'p1');
    assert.equal(m.statement, 's1');
    assert.deepEqual(m.paramFormats, [0, 0, 1, 0, 0]);
    assert.deepEqual(m.params, [Buffer.from('hello'), null, bin, Buffer.alloc(0), Buffer.from('ü')]);
    assert.deepEqual(m.resultFormats, [1]);
  }
  decodesTo(serialize.bind(), [{ type: 'bind', portal: '', statement: '', paramFormats: [], params: [], resultFormats: [0] }]);
});

/** A Bind written by hand, for the format-array shapes pg never sends. */
function bindBytes(paramFormats: number[], params: (Buffer | null)[], resultFormats: number[]): Buffer {
  const parts: Buffer[] = [Buffer.from('\0\0')];
  const int16 = (v: number) => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return b;
  };
  const int32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return b;
  };
  parts.push(int16(paramFormats.length), ...paramFormats.map(int16), int16(params.length));
  for (const p of params) parts.push(p === null ? int32(-1) : Buffer.concat([int32(p.length), p]));
  parts.push(int16(resultFormats.length), ...resultFormats.map(int16));
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from('B'), int32(body.length + 4), body]);
}

test('Bind: format code arrays are kept as sent (none, one for all, one each)', () => {
  const a = Buffer.from('1');
  const b = Buffer.from('2');
  for (const [pf, rf] of [
    [[], []],
    [[1], [1]],
    [[0, 1], [1, 0, 1]],
  ] as const) {
    decodesTo(bindBytes([...pf], [a, b], [...rf]), [{ type: 'bind', portal: '', statement: '', paramFormats: pf, params: [a, b], resultFormats: rf }]);
  }
});

test('Bind: a large parameter arrives in pieces and comes out as a view of the received bytes, unchanged by later pushes', () => {
  const big = Buffer.alloc(300_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  // The queries after the Bind arrive in the same odd-sized chunks, so partial messages are left
  // in the reader's own buffer after the Bind is read, and later pushes must not touch the views
  // it handed out.
  const queries = Array.from({ length: 300 }, (_, i) => serialize.query(`SELECT ${i}`));
  const bytes = Buffer.concat([serialize.bind({ values: [big, 'small'] }), serialize.sync(), ...queries]);
  const reader = new FrontendReader(LIMITS);
  const params: (Buffer | null)[][] = [];
  let sql = 0;
  for (let at = 0; at < bytes.length; at += 999) {
    reader.push(bytes.subarray(at, at + 999));
    for (let m = reader.read(); m !== undefined; m = reader.read()) {
      if (m.type === 'bind') params.push(m.params);
      if (m.type === 'query') assert.equal(m.sql, `SELECT ${sql++}`);
    }
    assert.ok(reader.buffered <= 300_100, `${reader.buffered} bytes held`);
  }
  assert.equal(sql, 300);
  assert.deepEqual(params, [[big, Buffer.from('small')]]);

  // Pushed whole, the parameter is a view of the very chunk: no copy.
  const whole = serialize.bind({ values: [big] });
  const r2 = new FrontendReader(LIMITS);
  r2.push(whole);
  const m = r2.read();
  assert.ok(m?.type === 'bind');
  assert.equal(m.params[0]?.buffer, whole.buffer);
});

test('Describe, Execute, Close, Sync, Flush, Terminate', () => {
  decodesTo(
    Buffer.concat([
      serialize.describe({ type: 'S', name: 's1' }),
      serialize.describe({ type: 'P' }),
      serialize.describe({ type: 'S' }),
      serialize.execute(),
      serialize.execute({ portal: 'c1', rows: 100 }),
      serialize.execute({ rows: 4_000_000_000 }),
      serialize.close({ type: 'S', name: 'sé' }),
      serialize.close({ type: 'P' }),
      serialize.sync(),
      serialize.flush(),
      serialize.end(),
    ]),
    [
      { type: 'describe', target: 'statement', name: 's1' },
      { type: 'describe', target: 'portal', name: '' },
      { type: 'describe', target: 'statement', name: '' },
      { type: 'execute', portal: '', maxRows: 0 },
      { type: 'execute', portal: 'c1', maxRows: 100 },
      { type: 'execute', portal: '', maxRows: 4_000_000_000 },
      { type: 'close', target: 'statement', name: 'sé' },
      { type: 'close', target: 'portal', name: '' },
      { type: 'sync' },
      { type: 'flush' },
      { type: 'terminate' },
    ],
  );
});

test('password messages: cleartext, SASLInitialResponse and SASLResponse share the type and are told apart by the reader helpers', () => {
  const msgs = readAll(
    Buffer.concat([
      serialize.password('s3cr3t ü'),
      serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'n,,n=,r=rOprNGfwEbeRWgbNEkqO'),
      serialize.sendSCRAMClientFinalMessage('c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='),
    ]),
    [1],
  );
  assert.deepEqual(
    msgs.map((m) => m.type),
    ['password', 'password', 'password'],
  );
  const [pw, initial, final] = msgs.map((m) => (m.type === 'password' ? m.body : Buffer.alloc(0)));
  assert.equal(readPasswordMessage(pw as Buffer), 's3cr3t ü');
  assert.deepEqual(readSaslInitial(initial as Buffer), { mechanism: 'SCRAM-SHA-256', data: Buffer.from('n,,n=,r=rOprNGfwEbeRWgbNEkqO') });
  assert.equal((final as Buffer).toString(), 'c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
  // Length -1: no initial response.
  assert.deepEqual(readSaslInitial(Buffer.from('SCRAM-SHA-256\0\xff\xff\xff\xff', 'latin1')), { mechanism: 'SCRAM-SHA-256', data: Buffer.alloc(0) });
});

test('the password helpers refuse malformed bodies as fatal, without echoing the password', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['no NUL', () => readPasswordMessage(Buffer.from('hunter2')), /PasswordMessage message has no NUL byte ending its password/],
    ['trailing bytes', () => readPasswordMessage(Buffer.from('hunter2\0x')), /1 unexpected bytes/],
    ['SASL without length', () => readSaslInitial(Buffer.from('SCRAM-SHA-256\0')), /ended before its initial response length/],
    ['SASL data short', () => readSaslInitial(Buffer.from('SCRAM-SHA-256\0\0\0\0\x09hunter2', 'latin1')), /ended before its initial response \(9 bytes\)/],
    ['SASL length -2', () => readSaslInitial(Buffer.from('M\0\xff\xff\xff\xfe', 'latin1')), /initial response of -2 bytes/],
  ];
  for (const [what, fn, re] of cases) {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof RestSqlError, what);
      assert.equal(e.code, 'SERVER_PROTOCOL', what);
      assert.match(e.message, re, what);
      assert.doesNotMatch(e.message + String(e.hint) + JSON.stringify(e.details), /hunter2/, what);
      assert.ok(isFatalProtocolError(e), what);
      return true;
    });
  }
});

test('COPY from the client: CopyData, CopyDone, CopyFail; FunctionCall is recognised (to be refused)', () => {
  const data = Buffer.from([0, 1, 2, 0xff, 10]);
  const fn = Buffer.from([0x46, 0, 0, 0, 10, 0, 0, 0x04, 0xd2, 0, 0]);
  decodesTo(Buffer.concat([serialize.copyData(data), serialize.copyData(Buffer.alloc(0)), serialize.copyDone(), serialize.copyFail('client gave up ✗'), fn]), [
    { type: 'copyData', data },
    { type: 'copyData', data: Buffer.alloc(0) },
    { type: 'copyDone' },
    { type: 'copyFail', message: 'client gave up ✗' },
    { type: 'functionCall' },
  ]);
});

/** A typed message from its type character and raw body. */
function typed(type: string, body: Buffer | string, declared?: number): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(declared ?? b.length + 4, 1);
  return Buffer.concat([head, b]);
}

/** A startup-phase packet from its code and body. */
function untyped(code: number, body: Buffer | string = '', declared?: number): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const head = Buffer.alloc(8);
  head.writeUInt32BE(declared ?? b.length + 8, 0);
  head.writeUInt32BE(code >>> 0, 4);
  return Buffer.concat([head, b]);
}

interface BadCase {
  readonly what: string;
  readonly bytes: Buffer;
  readonly phase: 'startup' | 'typed';
  readonly message: RegExp;
  readonly fatal: boolean;
  readonly hint?: RegExp;
  readonly max?: number;
}

const BAD: readonly BadCase[] = [
  { what: 'unknown type byte', phase: 'typed', bytes: typed('Z', ''), message: /unknown type 'Z' \(0x5a\)/, fatal: true },
  { what: 'unknown non-printable type byte', phase: 'typed', bytes: Buffer.from([0x00]), message: /unknown type 0x00/, fatal: true },
  { what: 'length 3', phase: 'typed', bytes: typed('Q', '', 3), message: /Query message declares a length of 3 bytes; the least possible is 4/, fatal: true },
  { what: 'length 0', phase: 'typed', bytes: typed('S', '', 0), message: /length of 0 bytes/, fatal: true },
  { what: 'over the cap', phase: 'typed', max: 100, bytes: typed('Q', 'x'.repeat(97) + '\0'), message: /Query message declares 102 bytes, more than the 100 bytes/, hint: /--max-message-size/, fatal: true },
  { what: 'length past 2 GiB', phase: 'typed', bytes: typed('B', '', 0xffffffff), message: /declares 4294967295 bytes/, fatal: true },
  { what: 'a Sync over PostgreSQL\'s small-message cap', phase: 'typed', bytes: typed('S', '', 20_000), message: /Sync message declares 20000 bytes, more than the 10000/, hint: /PostgreSQL caps Sync/, fatal: true },
  { what: 'a password message over the auth cap', phase: 'typed', bytes: typed('p', '', 70_000), message: /PasswordMessage message declares 70000 bytes, more than the 65535/, fatal: true },
  { what: 'query without NUL', phase: 'typed', bytes: typed('Q', 'SELECT 1'), message: /Query message has no NUL byte ending its query string/, fatal: false },
  { what: 'query not UTF-8', phase: 'typed', bytes: typed('Q', 'SELECT \xff\xfe\0'), message: /query string that is not valid UTF-8/, fatal: false },
  { what: 'trailing bytes after Query', phase: 'typed', bytes: typed('Q', 'SELECT 1\0\0\0'), message: /Query message has 2 unexpected bytes after its last field/, fatal: false },
  { what: 'trailing bytes in Sync', phase: 'typed', bytes: typed('S', 'x'), message: /Sync message has 1 unexpected bytes/, fatal: false },
  { what: 'Parse type count past the end', phase: 'typed', bytes: typed('P', '\0SELECT $1\0\0\x05\0\0\0\x17'), message: /Parse message ended before its parameter 2 type OID \(needs 4 bytes, 0 left\)/, fatal: false },
  { what: 'Parse without its count', phase: 'typed', bytes: typed('P', '\0SELECT 1\0\0'), message: /ended before its parameter type count/, fatal: false },
  { what: 'Bind parameter length past the end', phase: 'typed', bytes: typed('B', '\0\0\0\0\0\x01\0\0\0\x64abc'), message: /Bind message ended before its parameter 1 value \(100 bytes\) \(needs 100 bytes, 3 left\)/, fatal: false },
  { what: 'Bind parameter length -2', phase: 'typed', bytes: typed('B', '\0\0\0\0\0\x01\xff\xff\xff\xfe\0\0'), message: /gives parameter 1 the length -2/, fatal: false },
  { what: 'Bind format codes for the wrong number of parameters', phase: 'typed', bytes: bindBytes([0, 0], [Buffer.from('1'), null, null], []), message: /2 parameter format codes for 3 parameters/, fatal: false },
  { what: 'Bind without result formats', phase: 'typed', bytes: typed('B', '\0\0\0\0\0\0'), message: /ended before its result column format code count/, fatal: false },
  { what: 'Describe of an unknown target', phase: 'typed', bytes: typed('D', 'Xname\0'), message: /Describe message names target 'X' \(0x58\); it must be 'S'/, fatal: false },
  { what: 'Close without its target', phase: 'typed', bytes: typed('C', ''), message: /Close message ended before its 'S' \(statement\) or 'P' \(portal\) byte/, fatal: false },
  { what: 'Execute without its row limit', phase: 'typed', bytes: typed('E', 'p\0\0\0'), message: /Execute message ended before its row limit \(needs 4 bytes, 2 left\)/, fatal: false },
  { what: 'protocol 2.0', phase: 'startup', bytes: Buffer.from([0, 0, 0, 8, 0, 2, 0, 0]), message: /protocol version 2 is not supported; restsql serve speaks protocol 3.0/, fatal: true },
  { what: 'protocol 4.0', phase: 'startup', bytes: untyped(4 << 16, 'user\0u\0\0'), message: /protocol version 4 is not supported/, fatal: true },
  { what: 'unknown request code', phase: 'startup', bytes: untyped((1234 << 16) | 5555), message: /unknown request code 80876979 \(1234\.5555\)/, fatal: true },
  { what: 'startup over 10,000 bytes', phase: 'startup', bytes: untyped(3 << 16, '', 10_001), message: /declares 10001 bytes, more than the 10000 PostgreSQL allows/, fatal: true },
  { what: 'an HTTP request', phase: 'startup', bytes: Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), message: /more than the 10000/, hint: /not HTTP/, fatal: true },
  { what: 'TLS without SSLRequest', phase: 'startup', bytes: Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01]), message: /more than the 10000/, hint: /SSLRequest first/, fatal: true },
  { what: 'startup length 7', phase: 'startup', bytes: Buffer.from([0, 0, 0, 7, 0, 3, 0, 0]), message: /declares a length of 7 bytes; the least possible is 8/, fatal: true },
  { what: 'startup without its terminator', phase: 'startup', bytes: untyped(3 << 16, 'user\0u\0'), message: /has no empty name ending its parameter list/, fatal: true },
  { what: 'startup name without value', phase: 'startup', bytes: untyped(3 << 16, 'user\0u\0database\0'), message: /no NUL byte ending its value of parameter "database"/, fatal: true },
  { what: 'startup bytes after the terminator', phase: 'startup', bytes: untyped(3 << 16, 'user\0u\0\0junk'), message: /startup message has 4 unexpected bytes/, fatal: true },
  { what: 'startup parameter not UTF-8', phase: 'startup', bytes: untyped(3 << 16, 'user\0\xe9\0\0'), message: /value of parameter "user" that is not valid UTF-8/, fatal: true },
  { what: 'SSLRequest of 12 bytes', phase: 'startup', bytes: untyped(80877103, 'abcd'), message: /SSLRequest packet is 12 bytes long; it must be 8/, fatal: true },
  { what: 'CancelRequest of 12 bytes', phase: 'startup', bytes: untyped(80877102, 'abcd'), message: /CancelRequest packet is 12 bytes long; it must be 16/, fatal: true },
];

/** Feeds bytes (whole, then byte by byte) and returns the first error; fails if none. */
function firstError(c: BadCase, chunk: number): RestSqlError {
  const reader = new FrontendReader({ maxMessageBytes: c.max ?? LIMITS.maxMessageBytes });
  try {
    for (let at = 0; at < c.bytes.length; at += chunk) {
      reader.push(c.bytes.subarray(at, at + chunk));
      const next = () => (c.phase === 'startup' ? reader.readStartup() : reader.read());
      while (next() !== undefined);
    }
  } catch (e) {
    assert.ok(e instanceof RestSqlError, `${c.what}: ${String(e)}`);
    return e;
  }
  assert.fail(`${c.what}: no error`);
}

test('malformed input is refused with SERVER_PROTOCOL naming the problem, whole or byte by byte', () => {
  for (const c of BAD) {
    for (const chunk of [c.bytes.length, 1]) {
      const e = firstError(c, chunk);
      assert.equal(e.code, 'SERVER_PROTOCOL', c.what);
      assert.equal(e.sqlState, '08P01', c.what);
      assert.match(e.message, c.message, c.what);
      if (c.hint) assert.match(e.hint ?? '', c.hint, c.what);
      assert.equal(isFatalProtocolError(e), c.fatal, `${c.what}: fatal`);
    }
  }
});

test('an oversize message is refused from its header alone, before its body is buffered', () => {
  const reader = new FrontendReader({ maxMessageBytes: 1000 });
  reader.push(Buffer.from([0x42, 0, 0x10, 0, 0])); // 'B', 1 MiB declared
  assert.throws(() => reader.read(), /more than the 1000 bytes/);
  const startup = new FrontendReader(LIMITS);
  startup.push(Buffer.from([0, 1, 0, 0]));
  assert.throws(() => startup.readStartup(), /more than the 10000/);
  // The version is checked as soon as it is in, before the rest of the packet.
  const v2 = new FrontendReader(LIMITS);
  v2.push(Buffer.from([0, 0, 0x01, 0, 0, 2, 0, 0]));
  assert.throws(() => v2.readStartup(), /protocol version 2 is not supported/);
});

test('after a fatal error the reader stays broken; after a malformed body it reads on', () => {
  const broken = new FrontendReader(LIMITS);
  broken.push(Buffer.from('Zxxxx'));
  assert.throws(() => broken.read(), /unknown type/);
  assert.throws(() => broken.read(), /unknown type/);
  assert.throws(() => broken.push(serialize.sync()), /unknown type/);

  const reader = new FrontendReader(LIMITS);
  reader.push(Buffer.concat([typed('D', 'Xs\0'), serialize.sync(), serialize.query('SELECT 1')]));
  assert.throws(
    () => reader.read(),
    (e: unknown) => e instanceof RestSqlError && !isFatalProtocolError(e) && e.details['message'] === 'Describe',
  );
  assert.deepEqual(reader.read(), { type: 'sync' });
  assert.deepEqual(reader.read(), { type: 'query', sql: 'SELECT 1' });
});

test('buffered counts the bytes held, and the reader refuses a limit it cannot work with', () => {
  const reader = new FrontendReader(LIMITS);
  const q = serialize.query('SELECT 1');
  reader.push(q.subarray(0, 3));
  assert.equal(reader.read(), undefined);
  assert.equal(reader.buffered, 3);
  reader.push(Buffer.concat([q.subarray(3), q.subarray(0, 6)]));
  assert.equal(reader.buffered, q.length + 6);
  assert.deepEqual(reader.read(), { type: 'query', sql: 'SELECT 1' });
  assert.equal(reader.read(), undefined);
  assert.equal(reader.buffered, 6);
  reader.push(Buffer.alloc(0));
  assert.equal(reader.buffered, 6);
  for (const bad of [0, 4, 1.5, Number.NaN]) assert.throws(() => new FrontendReader({ maxMessageBytes: bad }), (e: unknown) => e instanceof RestSqlError);
});
