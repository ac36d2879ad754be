/**
 * Every backend encoder's bytes, decoded by node-postgres's own parser (pg-protocol), which is what
 * a real client will read them with. Where pg-protocol keeps a field to itself (ErrorResponse's
 * 'V') or does not know a message (NegotiateProtocolVersion), the bytes are read by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Parser } from 'pg-protocol/dist/parser.js';
import { RestSqlError } from '../../../src/errors/index.js';
import {
  GSSENC_REFUSED,
  MessageBatch,
  SSL_ACCEPTED,
  SSL_REFUSED,
  authenticationCleartextPassword,
  authenticationMD5Password,
  authenticationOk,
  authenticationSASL,
  authenticationSASLContinue,
  authenticationSASLFinal,
  backendKeyData,
  bindComplete,
  closeComplete,
  commandComplete,
  copyData,
  copyDone,
  copyOutResponse,
  dataRow,
  emptyQueryResponse,
  errorResponse,
  negotiateProtocolVersion,
  noData,
  noticeResponse,
  parameterDescription,
  parameterStatus,
  parseComplete,
  portalSuspended,
  readyForQuery,
  rowDescription,
  type ErrorFields,
  type RowField,
} from '../../../src/server/protocol/backend.js';

// pg-protocol's message classes differ per message; the tests read their fields by name.
type Decoded = Record<string, unknown> & { name: string; length: number };

/** Decodes `bytes` with pg-protocol, fed in the given chunk sizes (cycled), and checks nothing is left over. */
function decode(bytes: Buffer, chunkSizes: readonly number[] = [bytes.length || 1]): Decoded[] {
  const parser = new Parser();
  const out: Decoded[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, chunkSizes[i++ % chunkSizes.length] ?? 1);
    parser.parse(bytes.subarray(at, at + size), (m) => out.push(m as unknown as Decoded));
    at += size;
  }
  return out;
}

/** Decodes exactly one message and checks its declared length against the bytes. */
function one(bytes: Buffer): Decoded {
  const msgs = decode(bytes);
  assert.equal(msgs.length, 1, `one message expected, got ${msgs.map((m) => m.name).join(', ')}`);
  const m = msgs[0] as Decoded;
  assert.equal(m.length, bytes.length - 1, `${m.name}: declared length`);
  return m;
}

test('the authentication requests decode as pg reads them', () => {
  assert.equal(one(authenticationOk()).name, 'authenticationOk');
  assert.equal(one(authenticationCleartextPassword()).name, 'authenticationCleartextPassword');

  const md5 = one(authenticationMD5Password(Buffer.from([1, 2, 0xfe, 0xff])));
  assert.equal(md5.name, 'authenticationMD5Password');
  assert.deepEqual(md5['salt'], Buffer.from([1, 2, 0xfe, 0xff]));
  assert.throws(() => authenticationMD5Password(Buffer.from([1, 2, 3])), (e: unknown) => e instanceof RestSqlError && /4 bytes, not 3/.test(e.message));

  const sasl = one(authenticationSASL(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']));
  assert.equal(sasl.name, 'authenticationSASL');
  assert.deepEqual(sasl['mechanisms'], ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);

  const first = 'r=fyko+d2lbbFgONRv9qkxdawLHo+Vgk7qvUOKUwuWLIWg4l/9SraGMHEE,s=rQ9ZY3MntBeuP3E1TDVC4w==,i=4096';
  const cont = one(authenticationSASLContinue(Buffer.from(first)));
  assert.equal(cont.name, 'authenticationSASLContinue');
  assert.equal(cont['data'], first);

  const fin = one(authenticationSASLFinal(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')));
  assert.equal(fin.name, 'authenticationSASLFinal');
  assert.equal(fin['data'], 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
});

test('session messages: ParameterStatus, BackendKeyData, ReadyForQuery', () => {
  for (const [name, value] of [
    ['server_version', '15.0 (restsql)'],
    ['client_encoding', 'UTF8'],
    ['application_name', 'Ünïcödé ✓ 𝄞'],
    ['empty', ''],
  ] as const) {
    const m = one(parameterStatus(name, value));
    assert.equal(m.name, 'parameterStatus');
    assert.equal(m['parameterName'], name);
    assert.equal(m['parameterValue'], value);
  }
  for (const [pid, key] of [
    [1, 2],
    [0x7fffffff, -0x80000000],
    [-1, 0],
  ] as const) {
    const k = one(backendKeyData(pid, key));
    assert.equal(k.name, 'backendKeyData');
    assert.equal(k['processID'], pid);
    assert.equal(k['secretKey'], key);
  }
  for (const status of ['I', 'T', 'E'] as const) {
    const z = one(readyForQuery(status));
    assert.equal(z.name, 'readyForQuery');
    assert.equal(z['status'], status);
  }
});

test('RowDescription: names, OIDs (unsigned), attribute numbers, sizes, modifiers and formats', () => {
  const fields: RowField[] = [
    { name: 'id', tableOid: 16384, columnAttr: 1, typeOid: 20, typeSize: 8, typeModifier: -1, format: 0 },
    { name: 'näme ✓', tableOid: 0, columnAttr: 0, typeOid: 1043, typeSize: -1, typeModifier: 68, format: 1 },
    { name: '', tableOid: 3_000_000_000, columnAttr: -7, typeOid: 4_294_967_295, typeSize: -2, typeModifier: 0x7fffffff, format: 0 },
  ];
  const m = one(rowDescription(fields));
  assert.equal(m.name, 'rowDescription');
  const got = (m['fields'] as Record<string, unknown>[]).map((f) => ({
    name: f['name'],
    tableOid: f['tableID'],
    columnAttr: f['columnID'],
    typeOid: f['dataTypeID'],
    typeSize: f['dataTypeSize'],
    typeModifier: f['dataTypeModifier'],
    format: f['format'] === 'binary' ? 1 : 0,
  }));
  assert.deepEqual(got, fields);
  assert.deepEqual(one(rowDescription([]))['fields'], []);
});

test('DataRow: text, empty string, NULL, unicode and Buffer values', () => {
  const values = ['42', '', null, 'Grüße, 世界 🌍', Buffer.from('raw bytes'), null];
  const m = one(dataRow(values));
  assert.equal(m.name, 'dataRow');
  assert.deepEqual(m['fields'], ['42', '', null, 'Grüße, 世界 🌍', 'raw bytes', null]);
  assert.deepEqual(one(dataRow([]))['fields'], []);
});

test('DataRow: binary values keep every byte (read by hand: pg decodes values as UTF-8 text)', () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const bytes = dataRow([all, Buffer.alloc(0), null]);
  assert.equal(bytes[0], 0x44);
  assert.equal(bytes.readInt32BE(1), bytes.length - 1);
  assert.equal(bytes.readInt16BE(5), 3);
  assert.equal(bytes.readInt32BE(7), 256);
  assert.deepEqual(bytes.subarray(11, 11 + 256), all);
  assert.equal(bytes.readInt32BE(267), 0);
  assert.equal(bytes.readInt32BE(271), -1);
  assert.equal(bytes.length, 275);
});

test('CommandComplete, EmptyQueryResponse and the one-word extended-query answers', () => {
  for (const tag of ['SELECT 500000', 'INSERT 0 1', 'BEGIN', '']) {
    const c = one(commandComplete(tag));
    assert.equal(c.name, 'commandComplete');
    assert.equal(c['text'], tag);
  }
  const simple: [Buffer, string][] = [
    [emptyQueryResponse(), 'emptyQuery'],
    [parseComplete(), 'parseComplete'],
    [bindComplete(), 'bindComplete'],
    [closeComplete(), 'closeComplete'],
    [noData(), 'noData'],
    [portalSuspended(), 'portalSuspended'],
    [copyDone(), 'copyDone'],
  ];
  for (const [bytes, name] of simple) assert.equal(one(bytes).name, name);
  // Each call returns its own bytes: a caller that changes one cannot break the next.
  const a = parseComplete();
  a[0] = 0;
  assert.equal(parseComplete()[0], 0x31);
});

/** The fields of an ErrorResponse/NoticeResponse by their one-byte codes, read by hand. */
function errorFieldsOf(bytes: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  let at = 5;
  while (bytes[at] !== 0) {
    const code = String.fromCharCode(bytes[at] as number);
    const nul = bytes.indexOf(0, at + 1);
    fields.set(code, bytes.toString('utf8', at + 1, nul));
    at = nul + 1;
  }
  assert.equal(at, bytes.length - 1, 'the terminating NUL is the last byte');
  return fields;
}

test('ErrorResponse: every field, severity in S and V, and what pg makes of it', () => {
  const fields: ErrorFields = {
    severity: 'ERROR',
    code: '42P01',
    message: 'relation "nope" does not exist',
    detail: 'the model has no table nope',
    hint: 'list tables with \\dt',
    position: 15,
    internalPosition: 3,
    internalQuery: 'SELECT 1',
    where: 'PL/pgSQL function f() line 2',
    schema: 'public',
    table: 'orders',
    column: 'total',
    dataType: 'numeric',
    constraint: 'orders_pk',
    file: 'session.ts',
    line: 120,
    routine: 'describe',
  };
  const bytes = errorResponse(fields);
  const e = one(bytes);
  assert.equal(e.name, 'error');
  assert.equal(e['message'], fields.message);
  const expected: Record<string, unknown> = {
    severity: 'ERROR',
    code: '42P01',
    detail: fields.detail,
    hint: fields.hint,
    position: '15',
    internalPosition: '3',
    internalQuery: 'SELECT 1',
    where: fields.where,
    schema: 'public',
    table: 'orders',
    column: 'total',
    dataType: 'numeric',
    constraint: 'orders_pk',
    file: 'session.ts',
    line: '120',
    routine: 'describe',
  };
  for (const [k, v] of Object.entries(expected)) assert.equal(e[k], v, k);
  const raw = errorFieldsOf(bytes);
  assert.equal(raw.get('S'), 'ERROR');
  assert.equal(raw.get('V'), 'ERROR');
  assert.equal(raw.size, 18);
});

test('ErrorResponse with only the required fields, and NoticeResponse', () => {
  const bytes = errorResponse({ severity: 'FATAL', code: '28P01', message: 'password authentication failed for user "ann"' });
  const e = one(bytes);
  assert.equal(e.name, 'error');
  assert.equal(e['severity'], 'FATAL');
  assert.equal(e['code'], '28P01');
  for (const k of ['detail', 'hint', 'position', 'where', 'line']) assert.equal(e[k], undefined, k);
  assert.deepEqual([...errorFieldsOf(bytes).keys()], ['S', 'V', 'C', 'M']);

  const noticeBytes = noticeResponse({ severity: 'WARNING', code: '01000', message: 'results truncated', hint: 'add a LIMIT' });
  const n = one(noticeBytes);
  assert.equal(n.name, 'notice');
  assert.equal(n['message'], 'results truncated');
  assert.equal(n['severity'], 'WARNING');
  assert.equal(n['hint'], 'add a LIMIT');
  assert.equal(errorFieldsOf(noticeBytes).get('V'), 'WARNING');
});

test('a NUL inside a string cannot end it early: it is sent as U+FFFD and the messages after it still decode', () => {
  const bytes = Buffer.concat([
    errorResponse({ severity: 'ERROR', code: 'XX000', message: 'bad\0value', detail: '\0' }),
    rowDescription([{ name: 'a\0b', tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 }]),
    commandComplete('SELECT\0 1'),
    readyForQuery('I'),
  ]);
  const msgs = decode(bytes);
  assert.deepEqual(
    msgs.map((m) => m.name),
    ['error', 'rowDescription', 'commandComplete', 'readyForQuery'],
  );
  assert.equal(msgs[0]?.['message'], 'bad\uFFFDvalue');
  assert.equal(msgs[0]?.['detail'], '\uFFFD');
  assert.equal((msgs[1]?.['fields'] as { name: string }[])[0]?.name, 'a\uFFFDb');
  assert.equal(msgs[2]?.['text'], 'SELECT\uFFFD 1');
});

test('ParameterDescription: OIDs, unspecified and unsigned ones too', () => {
  const oids = [23, 25, 0, 3_000_000_000, 4_294_967_295];
  const m = one(parameterDescription(oids));
  assert.equal(m.name, 'parameterDescription');
  assert.deepEqual(m['dataTypeIDs'], oids);
  assert.deepEqual(one(parameterDescription([]))['dataTypeIDs'], []);
});

test('COPY out: CopyOutResponse formats, CopyData from bytes and from a string, CopyDone', () => {
  const text = one(copyOutResponse(0, [0, 0, 0]));
  assert.equal(text.name, 'copyOutResponse');
  assert.equal(text['binary'], false);
  assert.deepEqual(text['columnTypes'], [0, 0, 0]);
  const bin = one(copyOutResponse(1, [1, 1]));
  assert.equal(bin['binary'], true);
  assert.deepEqual(bin['columnTypes'], [1, 1]);

  const chunk = Buffer.from([0, 1, 2, 0xff, 10]);
  const d = one(copyData(chunk));
  assert.equal(d.name, 'copyData');
  assert.deepEqual(d['chunk'], chunk);
  const s = one(copyData('1\tAnn ✓\n'));
  assert.deepEqual(s['chunk'], Buffer.from('1\tAnn ✓\n'));
  assert.equal(one(copyDone()).name, 'copyDone');
});

test('NegotiateProtocolVersion (read by hand: pg-protocol does not parse it)', () => {
  const bytes = negotiateProtocolVersion(0, ['_pq_.compression', '_pq_.ünknown']);
  assert.equal(bytes[0], 0x76);
  assert.equal(bytes.readInt32BE(1), bytes.length - 1);
  assert.equal(bytes.readInt32BE(5), 0);
  assert.equal(bytes.readInt32BE(9), 2);
  assert.deepEqual(bytes.subarray(13).toString('utf8').split('\0'), ['_pq_.compression', '_pq_.ünknown', '']);
  const none = negotiateProtocolVersion(0, []);
  assert.deepEqual([...none], [0x76, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test('the one-byte SSL and GSSENC answers', () => {
  assert.deepEqual([...SSL_REFUSED], [0x4e]);
  assert.deepEqual([...SSL_ACCEPTED], [0x53]);
  assert.deepEqual([...GSSENC_REFUSED], [0x4e]);
});

/** A deterministic pseudo-random sequence (xorshift32), so the chunkings below are the same on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

test('MessageBatch: many rows in one buffer decode to the same rows under any chunking', () => {
  const next = rng(20261208);
  const words = ['', 'a', 'äöü', '𝄞 music', 'x'.repeat(300), '0', '-1.5e300', 'line\nbreak', 'tab\there'];
  const rows: (string | null)[][] = [];
  for (let r = 0; r < 2000; r++) {
    const width = next() % 12;
    rows.push(Array.from({ length: width }, () => (next() % 7 === 0 ? null : (words[next() % words.length] as string))));
  }
  const batch = new MessageBatch(128); // small, so it grows many times
  batch.add(rowDescription([{ name: 'c', tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 }]));
  for (const row of rows) batch.addDataRow(row);
  batch.add(commandComplete(`SELECT ${rows.length}`));
  const size = batch.size;
  const bytes = batch.take();
  assert.equal(bytes.length, size);
  assert.equal(batch.size, 0, 'take() empties the batch');

  const chunkings: number[][] = [[bytes.length], [1], [3, 7, 1, 4096], Array.from({ length: 50 }, () => 1 + (next() % 900))];
  for (const chunks of chunkings) {
    const msgs = decode(bytes, chunks);
    assert.equal(msgs.length, rows.length + 2, `chunks ${chunks.slice(0, 5).join(',')}`);
    assert.equal(msgs[0]?.name, 'rowDescription');
    assert.deepEqual(
      msgs.slice(1, -1).map((m) => m['fields']),
      rows,
    );
    assert.equal(msgs.at(-1)?.['text'], `SELECT ${rows.length}`);
  }
});

test('MessageBatch: take() hands over bytes the batch never writes again', () => {
  const batch = new MessageBatch(16);
  batch.addDataRow(['first']);
  const first = batch.take();
  const copy = Buffer.from(first);
  for (let i = 0; i < 100; i++) batch.addDataRow(['second row, longer than the first', null]);
  assert.deepEqual(first, copy);
  assert.deepEqual(decode(first).map((m) => m['fields']), [['first']]);
  assert.equal(decode(batch.take()).length, 100);
  assert.equal(batch.take().length, 0);
});

test('MessageBatch: a partial row is never left behind when a row is refused', () => {
  const batch = new MessageBatch();
  batch.addDataRow(['ok']);
  assert.throws(
    () => batch.addDataRow(new Array<string>(40_000).fill('x')),
    (e: unknown) => e instanceof RestSqlError && e.code === 'SERVER_UNSUPPORTED' && /40000 columns/.test(e.message),
  );
  batch.addDataRow(['after']);
  assert.deepEqual(decode(batch.take()).map((m) => m['fields']), [['ok'], ['after']]);
});

test('MessageBatch: begin/end misuse is an INTERNAL error, not corrupt output', () => {
  const isInternal = (e: unknown) => e instanceof RestSqlError && e.code === 'INTERNAL';
  assert.throws(() => new MessageBatch().end(), isInternal);
  assert.throws(() => new MessageBatch().begin(0x43).begin(0x43), isInternal);
  assert.throws(() => new MessageBatch().begin(0x43).take(), isInternal);
  assert.throws(() => rowDescription(new Array<RowField>(40_000).fill({ name: 'x', tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 })), (e: unknown) => e instanceof RestSqlError && e.code === 'SERVER_UNSUPPORTED');
});
