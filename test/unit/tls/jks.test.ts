/**
 * The JKS/JCEKS reader against stores keytool wrote (test/data/tls, made with OpenJDK 17's
 * keytool, store password "changeit"), against the test helper's writer, and against broken
 * stores: every failure is a JksError with its problem, never a crash or a loop.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JksError, javaKeyStoreDigest, readJavaKeyStore } from '../../../src/tls/jks.js';
import { ROOT } from '../../support/cli.js';
import { jksOf } from '../../support/tls-pki.js';

const DATA = join(ROOT, 'test', 'data', 'tls');
const bytes = (name: string) => readFileSync(join(DATA, name));
const ca = new X509Certificate(readFileSync(join(DATA, 'ca.pem')));
const client = new X509Certificate(readFileSync(join(DATA, 'client.pem')));

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof JksError, `not a JksError: ${String(e)}`);
    return `${e.problem}: ${e.message}`;
  }
  return 'no error';
}

test('keytool trust stores (JKS and JCEKS): the trusted certificate, checked with the password or read unchecked without', () => {
  for (const [name, format] of [
    ['truststore.jks', 'JKS'],
    ['truststore.jceks', 'JCEKS'],
  ] as const) {
    for (const password of ['changeit', undefined]) {
      const store = readJavaKeyStore(bytes(name), password);
      assert.equal(store.format, format);
      assert.equal(store.verified, password !== undefined);
      assert.equal(store.entries.length, 1);
      const entry = store.entries[0]!;
      assert.ok(entry.kind === 'trusted');
      assert.equal(entry.alias, 'fixture-ca');
      assert.deepEqual(entry.certificate, ca.raw);
    }
    assert.match(problem(() => readJavaKeyStore(bytes(name), 'changeme')), /^password: its integrity check fails/);
  }
});

test('a keytool key pair store: the chain of the private-key entry, the key itself left sealed', () => {
  const store = readJavaKeyStore(bytes('keypair.jks'), 'changeit');
  assert.equal(store.entries.length, 1);
  const entry = store.entries[0]!;
  assert.ok(entry.kind === 'key');
  assert.equal(entry.alias, 'client');
  assert.deepEqual(entry.chain, [client.raw]);
});

test('the keyed digest: SHA-1 over the password as UTF-16BE, "Mighty Aphrodite" and the body (checked on a keytool store)', () => {
  const data = bytes('truststore.jks');
  const body = data.subarray(0, data.length - 20);
  assert.deepEqual(javaKeyStoreDigest(body, 'changeit'), data.subarray(data.length - 20));
  // A password outside Latin-1 is hashed as UTF-16 code units, as Java's char[] is.
  const written = jksOf([ca.toString()], 'pässwörd-€');
  assert.equal(readJavaKeyStore(written, 'pässwörd-€').entries.length, 1);
  assert.match(problem(() => readJavaKeyStore(written, 'passwort')), /^password:/);
});

test('broken stores are JksErrors naming what is wrong', () => {
  const good = bytes('truststore.jks');
  const body = good.subarray(0, good.length - 20);
  const withDigest = (b: Buffer) => Buffer.concat([b, javaKeyStoreDigest(b, 'changeit')]);
  const patched = (at: number, value: number, width: 2 | 4 = 4) => {
    const b = Buffer.from(body);
    if (width === 4) b.writeUInt32BE(value, at);
    else b.writeUInt16BE(value, at);
    return withDigest(b);
  };
  const cases: [string, Buffer, RegExp][] = [
    ['empty', Buffer.alloc(0), /^malformed: it does not start with the JKS or JCEKS magic number/],
    ['PKCS#12 bytes', bytes('truststore.p12'), /^malformed: it does not start with the JKS/],
    ['magic only', Buffer.from([0xfe, 0xed, 0xfe, 0xed]), /^malformed: it is too short/],
    ['version 3', patched(4, 3), /^malformed: version 3 is not a JKS version/],
    ['a huge entry count', patched(8, 0xffffffff), /^malformed: it claims 4294967295 entries/],
    ['one entry more than written', patched(8, 2), /^malformed: the store ends inside entry 2/],
    ['an unknown tag', patched(12, 7), /^malformed: entry 'fixture-ca' has the unknown tag 7/],
    ['a certificate longer than the file', patched(12 + 4 + 2 + 10 + 8 + 2 + 5, 0x7fffffff), /^malformed: the store ends inside the certificate of entry 'fixture-ca'/],
    ['a certificate type other than X.509', withDigest(Buffer.from(body.toString('latin1').replace('X.509', 'X.999'), 'latin1')), /^unsupported: entry 'fixture-ca' holds a "X.999" certificate/],
    ['bytes after the last entry', withDigest(Buffer.concat([body, Buffer.from([0, 0, 0])])), /^malformed: 3 bytes follow the last entry/],
  ];
  for (const [what, data, expected] of cases) assert.match(problem(() => readJavaKeyStore(data, 'changeit')), expected, what);
  // Without a password the digest is not read, but the entries still are.
  assert.match(problem(() => readJavaKeyStore(patched(8, 2))), /^malformed: the store ends inside entry 2/);
});

test('a JCEKS secret-key entry (tag 3) cannot be skipped and says so', () => {
  const good = bytes('truststore.jceks');
  const body = Buffer.from(good.subarray(0, good.length - 20));
  body.writeUInt32BE(3, 12);
  const data = Buffer.concat([body, javaKeyStoreDigest(body, 'changeit')]);
  assert.match(problem(() => readJavaKeyStore(data, 'changeit')), /^unsupported: entry 'fixture-ca' is a JCEKS secret-key entry/);
});
