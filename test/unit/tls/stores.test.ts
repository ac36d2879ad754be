/**
 * TrustStore and KeyStore files in every format restsql reads (the format found from the
 * content), stores written by keytool (test/data/tls) and by node-forge, and the errors for bad
 * files and passwords: each a CONFIG_* error naming the option to fix.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RestSqlError, Secret } from '../../../src/errors/index.js';
import { readKeyStore } from '../../../src/tls/key-store.js';
import { detectStoreFormat, pemBlocks } from '../../../src/tls/store-file.js';
import { readTrustStore } from '../../../src/tls/trust-store.js';
import { ROOT } from '../../support/cli.js';
import { tempDir } from '../../support/temp-dir.js';
import { jksOf, makeCa, makeClientCert, pkcs12Of, type KeyPair } from '../../support/tls-pki.js';

const DATA = join(ROOT, 'test', 'data', 'tls');
const dir = tempDir(after, 'restsql-stores-');
const fixtureCa = new X509Certificate(readFileSync(join(DATA, 'ca.pem')));
let ca: KeyPair;
let other: KeyPair;
let client: KeyPair;

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function failure(fn: () => unknown): { code: string; option: unknown; message: string; hint: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RestSqlError, `not a RestSqlError: ${String(e)}`);
    return { code: e.code, option: e.details.option, message: e.message, hint: e.hint ?? '' };
  }
  assert.fail('no error');
}

before(async () => {
  ca = await makeCa();
  other = await makeCa('other CA');
  client = await makeClientCert(ca);
});

test('TrustStore: PEM bundles, DER, PKCS#12 (forge and keytool) and JKS give the same certificates', () => {
  const subjects = (path: string, password?: string) => {
    const store = readTrustStore(path, password === undefined ? undefined : new Secret(password));
    assert.equal(store.pem.length, store.certificates.length);
    return { format: store.format, subjects: store.certificates.map((c) => c.subject) };
  };
  const both = ['CN=restsql test CA', 'CN=other CA'];
  // A bundle with text around the blocks, a private key and a CRLF line end: only certificates count.
  const bundle = `# my CAs\r\n${ca.cert.replace(/\n/g, '\r\n')}Bag Attributes: x\n${client.key}${other.cert}`;
  assert.deepEqual(subjects(file('bundle.crt', bundle)), { format: 'pem', subjects: both });
  assert.deepEqual(subjects(file('ca.cer', new X509Certificate(ca.cert).raw)), { format: 'der', subjects: ['CN=restsql test CA'] });
  assert.deepEqual(subjects(file('aes.p12', pkcs12Of([ca.cert, other.cert], 'pw', { algorithm: 'aes256' })), 'pw'), { format: 'pkcs12', subjects: both });
  assert.deepEqual(subjects(file('3des.pfx', pkcs12Of([ca.cert], 'pw', { algorithm: '3des' })), 'pw'), { format: 'pkcs12', subjects: ['CN=restsql test CA'] });
  // The extension says nothing: a JKS store named .p12.
  assert.deepEqual(subjects(file('store.p12', jksOf([ca.cert, other.cert], 'pw')), 'pw'), { format: 'jks', subjects: both });
  assert.deepEqual(subjects(join(DATA, 'truststore.p12'), 'changeit'), { format: 'pkcs12', subjects: [fixtureCa.subject] });
  assert.deepEqual(subjects(join(DATA, 'truststore.jks'), 'changeit'), { format: 'jks', subjects: [fixtureCa.subject] });
  // A key store used as a trust store: its key entry's certificate is trusted, as Java does.
  assert.deepEqual(subjects(join(DATA, 'keypair.jks'), 'changeit').subjects, ['CN=restsql fixture client']);
  assert.deepEqual(subjects(join(DATA, 'client.p12'), 'changeit').subjects, ['CN=restsql fixture client']);
});

test('TrustStore errors name TrustStore or TrustStorePassword', () => {
  const p12 = file('pw.p12', pkcs12Of([ca.cert], 'Pw-right-7'));
  const cases: [string, () => unknown, string, string, RegExp][] = [
    ['missing file', () => readTrustStore(join(dir, 'absent.pem')), 'CONFIG_INVALID_VALUE', 'TrustStore', /cannot read '.*absent\.pem': it does not exist/],
    ['a directory', () => readTrustStore(dir), 'CONFIG_INVALID_VALUE', 'TrustStore', /it is a directory, not a regular file/],
    ['a device', () => readTrustStore('/dev/zero'), 'CONFIG_INVALID_VALUE', 'TrustStore', /it is a device/],
    ['text', () => readTrustStore(file('notes.txt', 'hello\n')), 'CONFIG_INVALID_VALUE', 'TrustStore', /is not a certificate store: neither PEM, DER, PKCS#12 nor JKS/],
    ['a key alone', () => readTrustStore(file('key.pem', client.key)), 'CONFIG_INVALID_VALUE', 'TrustStore', /holds no certificate \(read as PEM\)/],
    ['a damaged certificate', () => readTrustStore(file('bad.pem', ca.cert.replace(/\n[A-Za-z0-9+/]{10}/, '\n'))), 'CONFIG_INVALID_VALUE', 'TrustStore', /holds a certificate that cannot be read \(certificate 1/],
    ['PKCS#12, no password', () => readTrustStore(p12), 'CONFIG_INVALID_VALUE', 'TrustStorePassword', /it is protected and TrustStorePassword is not set/],
    ['PKCS#12, wrong password', () => readTrustStore(p12, new Secret('Pw-bad-9')), 'CONFIG_INVALID_VALUE', 'TrustStorePassword', /TrustStorePassword is wrong/],
    ['JKS, wrong password', () => readTrustStore(join(DATA, 'truststore.jks'), new Secret('Pw-bad-9')), 'CONFIG_INVALID_VALUE', 'TrustStorePassword', /fails its integrity check with TrustStorePassword/],
    ['truncated PKCS#12', () => readTrustStore(file('cut.p12', readFileSync(p12).subarray(0, 200)), new Secret('Pw-right-7')), 'CONFIG_INVALID_VALUE', 'TrustStore', /is not a PKCS#12 store restsql can read/],
    ['truncated JKS', () => readTrustStore(file('cut.jks', readFileSync(join(DATA, 'truststore.jks')).subarray(0, 100))), 'CONFIG_INVALID_VALUE', 'TrustStore', /is not a Java key store restsql can read \(the store ends inside/],
  ];
  for (const [what, fn, code, option, message] of cases) {
    const f = failure(fn);
    assert.equal(f.code, code, what);
    assert.equal(f.option, option, what);
    assert.match(f.message, message, what);
    assert.doesNotMatch(f.message + f.hint, /Pw-/, `${what}: the password is not echoed`);
  }
});

test('KeyStore: a PEM key with its chain (in any order), an encrypted PEM key, PKCS#12 from forge and keytool (EC key)', () => {
  const check = (path: string, store?: string, key?: string, subject = 'CN=restsql test client') => {
    const c = readKeyStore(path, store === undefined ? undefined : new Secret(store), key === undefined ? undefined : new Secret(key));
    assert.equal(c.subject, subject);
    const chain = pemBlocks(c.cert).map((b) => new X509Certificate(b.pem));
    assert.ok(chain[0]!.checkPrivateKey(createPrivateKey(c.key)), 'the key certificate comes first');
    assert.doesNotMatch(c.key, /ENCRYPTED/);
    return chain.map((x) => x.subject);
  };
  assert.deepEqual(check(file('client.pem', client.key + client.cert + ca.cert)), ['CN=restsql test client', 'CN=restsql test CA']);
  assert.deepEqual(check(file('reversed.pem', ca.cert + client.cert + client.key)), ['CN=restsql test client', 'CN=restsql test CA']);
  const encrypted = createPrivateKey(client.key).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'kp' }) as string;
  const enc = file('enc.pem', encrypted + client.cert);
  check(enc, undefined, 'kp');
  check(enc, 'kp');
  // KeyPassword wins over KeyStorePassword for a PEM key.
  check(enc, 'store', 'kp');
  assert.deepEqual(check(file('client.p12', pkcs12Of([client.cert, ca.cert], 'ksp', { key: client.key })), 'ksp'), ['CN=restsql test client', 'CN=restsql test CA']);
  // A PKCS#12 store has one password: KeyPassword serves when KeyStorePassword is not set.
  check(file('client-kp.p12', pkcs12Of([client.cert], 'one', { key: client.key, algorithm: '3des' })), undefined, 'one');
  assert.deepEqual(check(join(DATA, 'client.p12'), 'changeit', undefined, 'CN=restsql fixture client'), ['CN=restsql fixture client']);
});

test('KeyStore errors name KeyStore, KeyStorePassword or KeyPassword; JKS is refused with the keytool command that converts it', () => {
  const encrypted = createPrivateKey(client.key).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'kp' }) as string;
  const enc = file('enc2.pem', encrypted + client.cert);
  const p12 = file('c.p12', pkcs12Of([client.cert], 'ksp', { key: client.key }));
  const cases: [string, () => unknown, string, string, RegExp][] = [
    ['a certificate alone', () => readKeyStore(file('cert.pem', client.cert)), 'CONFIG_INVALID_VALUE', 'KeyStore', /holds no private key/],
    ['a key alone', () => readKeyStore(file('key-only.pem', client.key)), 'CONFIG_INVALID_VALUE', 'KeyStore', /holds a private key but no certificate/],
    ['a key with another certificate', () => readKeyStore(file('mismatch.pem', client.key + ca.cert)), 'CONFIG_INVALID_VALUE', 'KeyStore', /holds no certificate for its private key/],
    ['two keys', () => readKeyStore(file('two.pem', client.key + client.key + client.cert)), 'CONFIG_INVALID_VALUE', 'KeyStore', /holds 2 private keys/],
    ['encrypted, no password', () => readKeyStore(enc), 'CONFIG_INVALID_VALUE', 'KeyPassword', /encrypted private key and neither KeyPassword nor KeyStorePassword is set/],
    ['encrypted, wrong KeyPassword', () => readKeyStore(enc, undefined, new Secret('nope')), 'CONFIG_INVALID_VALUE', 'KeyPassword', /encrypted private key that KeyPassword does not decrypt/],
    ['encrypted, wrong KeyStorePassword', () => readKeyStore(enc, new Secret('nope')), 'CONFIG_INVALID_VALUE', 'KeyStorePassword', /that KeyStorePassword does not decrypt/],
    ['PKCS#12, no password', () => readKeyStore(p12), 'CONFIG_INVALID_VALUE', 'KeyStorePassword', /is protected and KeyStorePassword is not set/],
    ['PKCS#12, wrong password', () => readKeyStore(p12, new Secret('nope')), 'CONFIG_INVALID_VALUE', 'KeyStorePassword', /KeyStorePassword is wrong/],
    ['PKCS#12 of certificates only', () => readKeyStore(file('certs.p12', pkcs12Of([ca.cert], 'x')), new Secret('x')), 'CONFIG_INVALID_VALUE', 'KeyStore', /holds no private key/],
    ['JKS', () => readKeyStore(join(DATA, 'keypair.jks'), new Secret('changeit')), 'CONFIG_UNSUPPORTED', 'KeyStore', /is a Java key store \(JKS\/JCEKS\)/],
    ['DER', () => readKeyStore(file('c.der', new X509Certificate(client.cert).raw)), 'CONFIG_INVALID_VALUE', 'KeyStore', /is a certificate without its private key/],
  ];
  for (const [what, fn, code, option, message] of cases) {
    const f = failure(fn);
    assert.equal(f.code, code, what);
    assert.equal(f.option, option, what);
    assert.match(f.message, message, what);
    assert.doesNotMatch(f.message + f.hint, /nope|ksp/, `${what}: the password is not echoed`);
  }
  assert.match(failure(() => readKeyStore(join(DATA, 'keypair.jks'))).hint, /keytool -importkeystore -srckeystore '.*keypair\.jks' -destkeystore client\.p12 -deststoretype PKCS12/);
});

test('the format comes from the content; PEM blocks are found in one pass, up to the first unclosed one', () => {
  assert.equal(detectStoreFormat(Buffer.from('')), 'unknown');
  assert.equal(detectStoreFormat(readFileSync(join(DATA, 'truststore.jceks'))), 'jks');
  assert.equal(detectStoreFormat(readFileSync(join(DATA, 'client.p12'))), 'pkcs12');
  assert.equal(detectStoreFormat(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x03])), 'unknown');
  assert.deepEqual(pemBlocks('-----BEGIN A-----\nx\n-----END A----- -----BEGIN B-----\ny\n-----END B-----').map((b) => b.label), ['A', 'B']);
  assert.deepEqual(pemBlocks('-----BEGIN A-----\nx\n-----END B-----\n-----BEGIN B-----\n-----END B-----').map((b) => b.label), []);
  // Many unclosed blocks cost one pass, not one pass each.
  const hostile = '-----BEGIN X-----'.repeat(200_000);
  const started = process.cpuUsage();
  assert.deepEqual(pemBlocks(hostile), []);
  assert.ok(process.cpuUsage(started).user < 2_000_000, 'linear in the input');
});
