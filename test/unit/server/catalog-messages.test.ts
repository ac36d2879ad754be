/**
 * The catalog's side of the protocol (src/server/catalog/pg-messages.ts): the frontend messages it
 * sends PGlite are byte for byte node-postgres's (pg-protocol's serializer), and the backend
 * replies it reads are the ones our encoders (checked against pg-protocol's parser) write.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Parser } from 'pg-protocol/dist/parser.js';
import { serialize } from 'pg-protocol/dist/serializer.js';
import { isRestSqlError } from '../../../src/errors/index.js';
import { extendedMessages, fieldCount, hasError, queryMessage, readBackend, withResultFormats } from '../../../src/server/catalog/pg-messages.js';
import * as be from '../../../src/server/protocol/backend.js';

test('Query, Parse, Describe, Bind, Execute and Sync are what node-postgres sends', () => {
  assert.deepEqual(queryMessage("select 'é'"), serialize.query("select 'é'"));
  const describeOnly = extendedMessages({ sql: 'select $1::int4', paramOids: [23] });
  assert.deepEqual(describeOnly, [serialize.parse({ name: '', text: 'select $1::int4', types: [23] }), serialize.describe({ type: 'S', name: '' }), serialize.sync()]);
  const run = extendedMessages({ sql: 'select $1, $2', paramOids: [0, 25], bind: { values: [Buffer.from('42'), null], paramFormats: [1, 0], resultFormats: [1] } });
  assert.deepEqual(run, [
    serialize.parse({ name: '', text: 'select $1, $2', types: [0, 25] }),
    serialize.bind({ portal: '', statement: '', values: [Buffer.from('42'), null], valueMapper: (v: unknown) => v, binary: true }),
    serialize.describe({ type: 'P', name: '' }),
    serialize.execute({ portal: '', rows: 0 }),
    serialize.sync(),
  ]);
});

function reply(...messages: Buffer[]): Uint8Array {
  return new Uint8Array(Buffer.concat(messages));
}

const fields: be.RowField[] = [
  { name: 'relname', tableOid: 1259, columnAttr: 2, typeOid: 19, typeSize: 64, typeModifier: -1, format: 0 },
  { name: 'n', tableOid: 0, columnAttr: 0, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 },
];

test('a reply keeps RowDescription and DataRows as written, with the tag, parameter types and notices', () => {
  const rows = [be.dataRow(['items', '1']), be.dataRow([null, '2'])];
  const r = readBackend(
    reply(be.parseComplete(), be.parameterDescription([25, 23]), be.bindComplete(), be.rowDescription(fields), ...rows, be.noticeResponse({ severity: 'WARNING', code: '01000', message: 'careful' }), be.noticeResponse({ severity: 'DEBUG', code: '00000', message: 'bind <unnamed>' }), be.commandComplete('SELECT 2'), be.readyForQuery('T')),
  );
  assert.deepEqual(r.paramOids, [25, 23]);
  assert.deepEqual(r.rowDescription, be.rowDescription(fields));
  assert.deepEqual(r.rows, rows);
  assert.equal(r.tag, 'SELECT 2');
  assert.equal(r.error, undefined);
  // DEBUG and LOG are below PostgreSQL's default client_min_messages: not relayed.
  assert.deepEqual(r.notices.map((n) => [n.severity, n.message]), [['WARNING', 'careful']]);
  assert.equal(readBackend(reply(be.parseComplete(), be.noData(), be.readyForQuery('I'))).rowDescription, null);
});

test('an ErrorResponse is read with its SQLSTATE, position and hint', () => {
  const r = readBackend(reply(be.errorResponse({ severity: 'ERROR', code: '42703', message: 'column "x" does not exist', position: 8, hint: 'Perhaps you meant "y".' }), be.readyForQuery('E')));
  assert.equal(r.error?.code, '42703');
  assert.equal(r.error?.position, 8);
  assert.equal(r.error?.hint, 'Perhaps you meant "y".');
  assert.equal(hasError(reply(be.parseComplete(), be.errorResponse({ severity: 'ERROR', code: '42601', message: 'x' }))), true);
  assert.equal(hasError(reply(be.parseComplete(), be.bindComplete(), be.commandComplete('SELECT 0'))), false);
});

test('a truncated reply is an error, and rows past the byte limit end the reading', () => {
  const whole = Buffer.concat([be.rowDescription(fields), be.dataRow(['a', '1'])]);
  assert.throws(() => readBackend(new Uint8Array(whole.subarray(0, whole.length - 2))), (e: unknown) => isRestSqlError(e) && e.code === 'CATALOG_UNAVAILABLE');
  const many = reply(be.rowDescription(fields), ...Array.from({ length: 10 }, (_, i) => be.dataRow(['x'.repeat(100), String(i)])), be.commandComplete('SELECT 10'));
  assert.equal(readBackend(many, 10_000).rows.length, 10);
  assert.throws(() => readBackend(many, 500), (e: unknown) => isRestSqlError(e) && e.code === 'CATALOG_RESULT_TOO_LARGE' && e.sqlState === '54000');
});

test('withResultFormats sets each field\'s format as Bind asked, as pg-protocol reads it', () => {
  const parse = (b: Buffer) => {
    const out: { fields: { name: string; format: string; dataTypeID: number }[] }[] = [];
    new Parser().parse(b, (m) => out.push(m as never));
    return out[0]!.fields.map((f) => [f.name, f.dataTypeID, f.format]);
  };
  const d = be.rowDescription(fields);
  assert.equal(fieldCount(d), 2);
  assert.deepEqual(parse(withResultFormats(d, [])), [['relname', 19, 'text'], ['n', 23, 'text']]);
  assert.deepEqual(parse(withResultFormats(d, [1])), [['relname', 19, 'binary'], ['n', 23, 'binary']]);
  assert.deepEqual(parse(withResultFormats(d, [0, 1])), [['relname', 19, 'text'], ['n', 23, 'binary']]);
  // The statement's description itself is not changed.
  assert.deepEqual(parse(d), [['relname', 19, 'text'], ['n', 23, 'text']]);
});
